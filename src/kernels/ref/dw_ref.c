/* SPDX-License-Identifier: Apache-2.0 */
/* Depthwise convolution specification (int8 and fp32), evaluated literally from kernels.h:
 * taps outside the image are skipped, which for int8 equals reading the zero point.
 * int8 overflow: |in - a_zp| <= 255, |w| <= 128, at most 49 taps: |sum| < 2^21. */
#include "../kernels_impl.h"

#include <string.h>

void yq_qs8_dw_ref(const struct yq__dw_shape *s, int oy_begin, int oy_end, const int8_t *in,
                   const void *packed, void *out, const struct yq__qs8_epilogue *ep)
{
    int32_t a_zp;
    memcpy(&a_zp, packed, sizeof a_zp);
    int c = s->c, cp = yq__dw_cp(c);
    const int32_t *bias = (const int32_t *)((const char *)packed + YQ__DW_HEADER);
    const int16_t *w = (const int16_t *)(bias + 2 * cp);
    size_t esize = ep->fscale ? sizeof(float) : 1;
    for (int oy = oy_begin; oy < oy_end; oy++) {
        for (int ox = 0; ox < s->out_w; ox++) {
            char *opix = (char *)out + ((size_t)oy * (size_t)s->out_w + (size_t)ox) * (size_t)c * esize;
            for (int ch = 0; ch < c; ch++) {
                int32_t acc = bias[ch];
                for (int ky = 0; ky < s->kh; ky++) {
                    int iy = oy * s->stride_h - s->pad_top + ky;
                    if (iy < 0 || iy >= s->in_h)
                        continue;
                    for (int kx = 0; kx < s->kw; kx++) {
                        int ix = ox * s->stride_w - s->pad_left + kx;
                        if (ix < 0 || ix >= s->in_w)
                            continue;
                        int32_t x = in[((size_t)iy * (size_t)s->in_w + (size_t)ix) * (size_t)c + (size_t)ch];
                        acc += (x - a_zp) * w[(size_t)(ky * s->kw + kx) * (size_t)cp + (size_t)ch];
                    }
                }
                yq__qs8_store_row(&acc, 1, ch, opix, ep);
            }
        }
    }
}

void yq_f32_dw_ref(const struct yq__dw_shape *s, int oy_begin, int oy_end, const float *in,
                   const void *packed, float *out, const struct yq__act *act)
{
    int c = s->c, cp = yq__dw_cp(c);
    const float *bias = (const float *)((const char *)packed + YQ__DW_HEADER);
    const float *w = bias + cp;
    for (int oy = oy_begin; oy < oy_end; oy++) {
        for (int ox = 0; ox < s->out_w; ox++) {
            float *opix = out + ((size_t)oy * (size_t)s->out_w + (size_t)ox) * (size_t)c;
            for (int ch = 0; ch < c; ch++) {
                float acc = bias[ch];
                for (int ky = 0; ky < s->kh; ky++) {
                    int iy = oy * s->stride_h - s->pad_top + ky;
                    if (iy < 0 || iy >= s->in_h)
                        continue;
                    for (int kx = 0; kx < s->kw; kx++) {
                        int ix = ox * s->stride_w - s->pad_left + kx;
                        if (ix < 0 || ix >= s->in_w)
                            continue;
                        acc += in[((size_t)iy * (size_t)s->in_w + (size_t)ix) * (size_t)c + (size_t)ch] *
                               w[(size_t)(ky * s->kw + kx) * (size_t)cp + (size_t)ch];
                    }
                }
                opix[ch] = acc;
            }
            yq__f32_act(opix, (size_t)c, act);
        }
    }
}
