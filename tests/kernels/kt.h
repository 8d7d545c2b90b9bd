/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the kernel tests: the epilogue spelled out independently of the kernel
 * sources (the specification of kernels.h), random fills and epilogue setups. */
#ifndef YQ_KT_H
#define YQ_KT_H

#include "harness.h"
#include "kernels/kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KT_CANARY 0xA5

static inline void kt_fill_s8(int8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (int8_t)(yq_test_rand() >> 56);
}

/* int8 output per kernels.h; float output = act((float)acc * fscale). */
static inline void kt_epilogue(int32_t acc, int j, const struct yq__qs8_epilogue *ep, void *out)
{
    if (ep->fscale) {
        float x = (float)acc * ep->fscale[j];
        yq__f32_act(&x, 1, &ep->act);
        memcpy(out, &x, sizeof x);
        return;
    }
    float y = (float)acc * ep->scale[j];
    float lo = (float)(ep->out_min - ep->out_zp), hi = (float)(ep->out_max - ep->out_zp);
    y = fminf(fmaxf(y, lo), hi);
    long q = lrintf(y) + ep->out_zp;
    int8_t b = (int8_t)q;
    if (ep->lut)
        b = ep->lut[(uint8_t)b];
    memcpy(out, &b, 1);
}

struct kt_ep {
    struct yq__qs8_epilogue ep;
    float *scale;
    int8_t lut[256];
};

/* Epilogue `mode` (rotated by the caller) for n channels whose accumulators are of the order
 * `mag`: 0 random scale, 1 ties (scale 0.5: half-to-even matters), 2 saturating scale,
 * 3 tight clamps with extreme zero point, 4 LUT, 5 float output with an activation. */
static inline void kt_ep_init(struct kt_ep *e, int mode, int n, double mag)
{
    memset(&e->ep, 0, sizeof e->ep);
    e->scale = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    for (int j = 0; j < n; j++) {
        float s = (float)(yq_test_uniform(0.3f, 3.0f) * 100.0 / (mag + 1.0));
        if (mode == 1)
            s = 0.5f;
        if (mode == 2)
            s = yq_test_uniform(10.0f, 1000.0f);
        e->scale[j] = s;
    }
    e->ep.scale = e->scale;
    e->ep.out_zp = yq_test_randint(-20, 20);
    e->ep.out_min = -128;
    e->ep.out_max = 127;
    if (mode == 3) {
        static const int32_t zps[] = {-128, 127, 0};
        e->ep.out_zp = zps[yq_test_randint(0, 2)];
        e->ep.out_min = yq_test_randint(-128, 0);
        e->ep.out_max = e->ep.out_min + yq_test_randint(0, 40);
    }
    if (mode == 4) {
        kt_fill_s8(e->lut, 256);
        e->ep.lut = e->lut;
    }
    if (mode == 5) {
        e->ep.fscale = e->scale;
        static const enum yq__act_kind kinds[] = {YQ__ACT_NONE,       YQ__ACT_RELU,
                                                  YQ__ACT_LEAKY_RELU, YQ__ACT_SIGMOID,
                                                  YQ__ACT_SILU,       YQ__ACT_HARD_SWISH,
                                                  YQ__ACT_CLIP};
        e->ep.act.kind = kinds[yq_test_randint(0, 6)];
        e->ep.act.alpha = e->ep.act.kind == YQ__ACT_CLIP ? -20.0f : 0.1f;
        e->ep.act.beta = 30.0f;
    }
}

#define KT_N_MODES 6

#endif
