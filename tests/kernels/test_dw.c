/* SPDX-License-Identifier: Apache-2.0 */
/* Every depthwise variant the CPU supports (dw.def) against the contract computed here:
 * int8 with == (zero points at the extremes, clamps, ties, LUT and float epilogues), fp32
 * within 1e-4 relative; 3x3 and 5x5, strides 1 and 2, with and without padding, channel
 * counts around the 16-channel block, row-range splits and canaries after the output. */
#include "kt.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int out_dim(int in, int kk, int stride, int pad)
{
    return (in + 2 * pad - kk) / stride + 1;
}

static void run_qs8(const struct yq__dw_shape *s, int mode)
{
    int c = s->c, taps = s->kh * s->kw;
    size_t in_n = (size_t)s->in_h * (size_t)s->in_w * (size_t)c;
    int8_t *in = malloc(in_n + 64), *w = malloc((size_t)taps * (size_t)c);
    int32_t *bias = malloc(sizeof(int32_t) * (size_t)c);
    kt_fill_s8(in, in_n + 64);
    kt_fill_s8(w, (size_t)taps * (size_t)c);
    for (int ch = 0; ch < c; ch++)
        bias[ch] = yq_test_randint(-100000, 100000);
    int zsel = yq_test_randint(0, 3);
    int32_t a_zp = zsel == 0 ? -128 : zsel == 1 ? 127 : yq_test_randint(-128, 127);
    struct kt_ep e;
    kt_ep_init(&e, mode, c, sqrt((double)taps) * 128.0 * 80.0);
    size_t esize = e.ep.fscale ? sizeof(float) : 1;
    size_t out_n = (size_t)s->out_h * (size_t)s->out_w * (size_t)c;
    size_t bytes = (out_n + 16) * esize; /* canary room after the output */
    unsigned char *want = malloc(bytes), *got = malloc(bytes);
    memset(want, KT_CANARY, bytes);
    for (int oy = 0; oy < s->out_h; oy++)
        for (int ox = 0; ox < s->out_w; ox++)
            for (int ch = 0; ch < c; ch++) {
                int32_t acc = bias[ch];
                for (int ky = 0; ky < s->kh; ky++)
                    for (int kx = 0; kx < s->kw; kx++) {
                        int iy = oy * s->stride_h - s->pad_top + ky;
                        int ix = ox * s->stride_w - s->pad_left + kx;
                        int32_t x = a_zp;
                        if (iy >= 0 && iy < s->in_h && ix >= 0 && ix < s->in_w)
                            x = in[((size_t)iy * (size_t)s->in_w + (size_t)ix) * (size_t)c + (size_t)ch];
                        acc += (x - a_zp) * w[(size_t)(ky * s->kw + kx) * (size_t)c + (size_t)ch];
                    }
                size_t o = ((size_t)oy * (size_t)s->out_w + (size_t)ox) * (size_t)c + (size_t)ch;
                kt_epilogue(acc, ch, &e.ep, want + o * esize);
            }
    void *packed = aligned_alloc(64, yq__qs8_dw_packed_size(s->kh, s->kw, c));
    yq__qs8_dw_pack(s->kh, s->kw, c, w, bias, a_zp, packed);
    for (int v = 0; v <= yq__qs8_dw_n_variants; v++) {
        const struct yq__qs8_dw_desc *d = v < yq__qs8_dw_n_variants ? &yq__qs8_dw_variants[v] : NULL;
        if (d && !yq__isa_available(d->isa))
            continue;
        yq__qs8_dw_fn fn = d ? d->run : yq__qs8_dw;
        memset(got, KT_CANARY, bytes);
        int split = yq_test_randint(0, s->out_h);
        fn(s, 0, split, in, packed, got, &e.ep);
        fn(s, split, s->out_h, in, packed, got, &e.ep);
        CHECKF(memcmp(want, got, bytes) == 0,
               "%s %dx%d c=%d in=%dx%d stride=%d pad=%d mode=%d a_zp=%d", d ? d->name : "yq__qs8_dw",
               s->kh, s->kw, c, s->in_h, s->in_w, s->stride_h, s->pad_top, mode, a_zp);
    }
    free(packed);
    free(in);
    free(w);
    free(bias);
    free(want);
    free(got);
    free(e.scale);
}

static void run_f32(const struct yq__dw_shape *s, int act_kind)
{
    int c = s->c, taps = s->kh * s->kw;
    size_t in_n = (size_t)s->in_h * (size_t)s->in_w * (size_t)c;
    float *in = malloc(sizeof(float) * (in_n + 16)), *w = malloc(sizeof(float) * (size_t)taps * (size_t)c);
    float *bias = malloc(sizeof(float) * (size_t)c);
    for (size_t i = 0; i < in_n + 16; i++)
        in[i] = yq_test_uniform(-1, 1);
    for (size_t i = 0; i < (size_t)taps * (size_t)c; i++)
        w[i] = yq_test_uniform(-1, 1);
    for (int ch = 0; ch < c; ch++)
        bias[ch] = yq_test_uniform(-1, 1);
    struct yq__act act = {(enum yq__act_kind)act_kind, 0.1f, 0.5f};
    if (act.kind == YQ__ACT_CLIP)
        act.alpha = -0.5f;
    size_t out_n = (size_t)s->out_h * (size_t)s->out_w * (size_t)c;
    float *want = malloc(sizeof(float) * out_n), *got = malloc(sizeof(float) * (out_n + 16));
    double *mag = malloc(sizeof(double) * out_n);
    for (int oy = 0; oy < s->out_h; oy++)
        for (int ox = 0; ox < s->out_w; ox++)
            for (int ch = 0; ch < c; ch++) {
                double acc = bias[ch], ms = fabs(bias[ch]);
                for (int ky = 0; ky < s->kh; ky++)
                    for (int kx = 0; kx < s->kw; kx++) {
                        int iy = oy * s->stride_h - s->pad_top + ky;
                        int ix = ox * s->stride_w - s->pad_left + kx;
                        if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                            continue;
                        double t = (double)in[((size_t)iy * (size_t)s->in_w + (size_t)ix) * (size_t)c + (size_t)ch] *
                                   w[(size_t)(ky * s->kw + kx) * (size_t)c + (size_t)ch];
                        acc += t;
                        ms += fabs(t);
                    }
                size_t o = ((size_t)oy * (size_t)s->out_w + (size_t)ox) * (size_t)c + (size_t)ch;
                want[o] = (float)acc;
                mag[o] = ms;
            }
    yq__f32_act(want, out_n, &act);
    void *packed = aligned_alloc(64, yq__f32_dw_packed_size(s->kh, s->kw, c));
    yq__f32_dw_pack(s->kh, s->kw, c, w, bias, packed);
    for (int v = 0; v <= yq__f32_dw_n_variants; v++) {
        const struct yq__f32_dw_desc *d = v < yq__f32_dw_n_variants ? &yq__f32_dw_variants[v] : NULL;
        if (d && !yq__isa_available(d->isa))
            continue;
        yq__f32_dw_fn fn = d ? d->run : yq__f32_dw;
        memset(got, KT_CANARY, sizeof(float) * (out_n + 16));
        int split = yq_test_randint(0, s->out_h);
        fn(s, 0, split, in, packed, got, &act);
        fn(s, split, s->out_h, in, packed, got, &act);
        int bad = 0, canary = 0;
        for (size_t i = 0; i < out_n; i++)
            bad += !(fabs((double)got[i] - want[i]) <= 1e-4 * mag[i] + 1e-6);
        const unsigned char *tail = (const unsigned char *)(got + out_n);
        for (size_t i = 0; i < 16 * sizeof(float); i++)
            canary += tail[i] != KT_CANARY;
        CHECKF(bad == 0 && canary == 0, "%s %dx%d c=%d in=%dx%d stride=%d pad=%d: %d wrong, %d canary",
               d ? d->name : "yq__f32_dw", s->kh, s->kw, c, s->in_h, s->in_w, s->stride_h,
               s->pad_top, bad, canary);
    }
    free(packed);
    free(in);
    free(w);
    free(bias);
    free(want);
    free(got);
    free(mag);
}

int main(void)
{
    static const int cs[] = {1, 3, 8, 15, 16, 17, 24, 33, 64};
    static const int ks[] = {3, 5};
    int mode = 0;
    for (size_t ci = 0; ci < COUNT(cs); ci++)
        for (size_t ki = 0; ki < COUNT(ks); ki++)
            for (int stride = 1; stride <= 2; stride++)
                for (int padded = 0; padded <= 1; padded++)
                    for (int rep = 0; rep < 3; rep++) {
                        struct yq__dw_shape s = {0};
                        s.c = cs[ci];
                        s.kh = s.kw = ks[ki];
                        s.stride_h = s.stride_w = stride;
                        s.pad_top = s.pad_left = padded ? ks[ki] / 2 : 0;
                        s.in_h = yq_test_randint(padded ? 1 : ks[ki], 11);
                        s.in_w = yq_test_randint(padded ? 1 : ks[ki], 11);
                        s.out_h = out_dim(s.in_h, s.kh, stride, s.pad_top);
                        s.out_w = out_dim(s.in_w, s.kw, stride, s.pad_left);
                        if (s.out_h < 1 || s.out_w < 1)
                            continue;
                        run_qs8(&s, mode % KT_N_MODES);
                        run_f32(&s, mode % YQ__ACT_COUNT);
                        mode++;
                    }
    return yq_test_finish();
}
