/* SPDX-License-Identifier: Apache-2.0 */
/* NEON depthwise convolution, 16 channels per step. Per output pixel the valid taps are
 * listed once. int8: the packed bias holds -a_zp*sum w, so a valid tap adds in*w and a tap
 * outside the image adds a_zp*w; smlal multiplies int16 x int16 into int32 exactly.
 * fp32: fused multiply-add over the valid taps (tolerance-equal to the reference). */
#include "qs8_epilogue_neon.h"

#include <string.h>

#define MAX_TAPS 49

static int taps_of(const struct yq__dw_shape *s, int oy, int ox, const char *in, size_t esize,
                   const char **tap)
{
    int n = 0;
    for (int ky = 0; ky < s->kh; ky++) {
        int iy = oy * s->stride_h - s->pad_top + ky;
        for (int kx = 0; kx < s->kw; kx++) {
            int ix = ox * s->stride_w - s->pad_left + kx;
            bool ok = iy >= 0 && iy < s->in_h && ix >= 0 && ix < s->in_w;
            tap[n++] = ok ? in + ((size_t)iy * (size_t)s->in_w + (size_t)ix) * (size_t)s->c * esize
                          : NULL;
        }
    }
    return n;
}

void yq_qs8_dw_16c__neon(const struct yq__dw_shape *s, int oy_begin, int oy_end,
                         const int8_t *in, const void *packed, void *out,
                         const struct yq__qs8_epilogue *ep)
{
    if (s->kh * s->kw > MAX_TAPS) {
        yq_qs8_dw_ref(s, oy_begin, oy_end, in, packed, out, ep);
        return;
    }
    int32_t a_zp;
    memcpy(&a_zp, packed, sizeof a_zp);
    int c = s->c, cp = yq__dw_cp(c);
    const int32_t *biasf = (const int32_t *)((const char *)packed + YQ__DW_HEADER) + cp;
    const int16_t *w = (const int16_t *)(biasf + cp);
    size_t esize = ep->fscale ? sizeof(float) : 1;
    int16x8_t zp16 = vdupq_n_s16((int16_t)a_zp);
    const char *tap[MAX_TAPS];
    for (int oy = oy_begin; oy < oy_end; oy++) {
        for (int ox = 0; ox < s->out_w; ox++) {
            int nt = taps_of(s, oy, ox, (const char *)in, 1, tap);
            char *opix = (char *)out + ((size_t)oy * (size_t)s->out_w + (size_t)ox) * (size_t)c * esize;
            for (int ch = 0; ch < c; ch += 16) {
                int32x4_t a0 = vld1q_s32(biasf + ch), a1 = vld1q_s32(biasf + ch + 4);
                int32x4_t a2 = vld1q_s32(biasf + ch + 8), a3 = vld1q_s32(biasf + ch + 12);
                for (int t = 0; t < nt; t++) {
                    int16x8_t x0 = zp16, x1 = zp16;
                    if (tap[t]) {
                        int8x16_t x = vld1q_s8((const int8_t *)tap[t] + ch);
                        x0 = vmovl_s8(vget_low_s8(x));
                        x1 = vmovl_high_s8(x);
                    }
                    const int16_t *wt = w + (size_t)t * (size_t)cp + (size_t)ch;
                    int16x8_t w0 = vld1q_s16(wt), w1 = vld1q_s16(wt + 8);
                    a0 = vmlal_s16(a0, vget_low_s16(x0), vget_low_s16(w0));
                    a1 = vmlal_high_s16(a1, x0, w0);
                    a2 = vmlal_s16(a2, vget_low_s16(x1), vget_low_s16(w1));
                    a3 = vmlal_high_s16(a3, x1, w1);
                }
                int nc = c - ch < 16 ? c - ch : 16;
                yq__qs8_store8_neon(a0, a1, ch, nc < 8 ? nc : 8, opix, ep);
                yq__qs8_store8_neon(a2, a3, ch + 8, nc - 8, opix, ep);
            }
        }
    }
}

void yq_f32_dw_16c__neon(const struct yq__dw_shape *s, int oy_begin, int oy_end,
                         const float *in, const void *packed, float *out,
                         const struct yq__act *act)
{
    if (s->kh * s->kw > MAX_TAPS) {
        yq_f32_dw_ref(s, oy_begin, oy_end, in, packed, out, act);
        return;
    }
    int c = s->c, cp = yq__dw_cp(c);
    const float *bias = (const float *)((const char *)packed + YQ__DW_HEADER);
    const float *w = bias + cp;
    const char *tap[MAX_TAPS];
    for (int oy = oy_begin; oy < oy_end; oy++) {
        for (int ox = 0; ox < s->out_w; ox++) {
            int nt = taps_of(s, oy, ox, (const char *)in, sizeof(float), tap);
            float *opix = out + ((size_t)oy * (size_t)s->out_w + (size_t)ox) * (size_t)c;
            for (int ch = 0; ch < c; ch += 16) {
                float32x4_t acc[4];
                for (int q = 0; q < 4; q++)
                    acc[q] = vld1q_f32(bias + ch + 4 * q);
                for (int t = 0; t < nt; t++) {
                    if (!tap[t])
                        continue;
                    const float *x = (const float *)tap[t] + ch;
                    const float *wt = w + (size_t)t * (size_t)cp + (size_t)ch;
                    for (int q = 0; q < 4; q++)
                        acc[q] = vfmaq_f32(acc[q], vld1q_f32(x + 4 * q), vld1q_f32(wt + 4 * q));
                }
                int nc = c - ch < 16 ? c - ch : 16;
                float tmp[16];
                for (int q = 0; q < 4; q++)
                    vst1q_f32(tmp + 4 * q, acc[q]);
                memcpy(opix + ch, tmp, (size_t)nc * sizeof(float));
            }
            yq__f32_act(opix, (size_t)c, act);
        }
    }
}
