/* SPDX-License-Identifier: Apache-2.0 */
/* AVX2 depthwise convolution, 16 channels per step. Per output pixel the valid taps are
 * listed once, then each channel block accumulates over them.
 * int8: the packed bias already holds -a_zp*sum w, so a valid tap adds in*w and a tap outside
 * the image adds a_zp*w (the zero point it stands for). Products in*w fit int16
 * (|in*w| <= 128*128 = 16384) so vpmullw is exact before widening to int32.
 * fp32: FMA over the valid taps (tolerance-equal to the reference). */
#include "qs8_epilogue_avx2.h"

#include <string.h>

#define MAX_TAPS 49

/* Input pixel of each tap for output (oy, ox), NULL outside the image. */
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

void yq_qs8_dw_16c__avx2(const struct yq__dw_shape *s, int oy_begin, int oy_end,
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
    __m256i zp16 = _mm256_set1_epi16((int16_t)a_zp);
    const char *tap[MAX_TAPS];
    for (int oy = oy_begin; oy < oy_end; oy++) {
        for (int ox = 0; ox < s->out_w; ox++) {
            int nt = taps_of(s, oy, ox, (const char *)in, 1, tap);
            char *opix = (char *)out + ((size_t)oy * (size_t)s->out_w + (size_t)ox) * (size_t)c * esize;
            for (int ch = 0; ch < c; ch += 16) {
                __m256i acc0 = _mm256_loadu_si256((const __m256i *)(biasf + ch));
                __m256i acc1 = _mm256_loadu_si256((const __m256i *)(biasf + ch + 8));
                for (int t = 0; t < nt; t++) {
                    __m256i x = tap[t] ? _mm256_cvtepi8_epi16(
                                             _mm_loadu_si128((const __m128i *)(tap[t] + ch)))
                                       : zp16;
                    __m256i wv = _mm256_loadu_si256((const __m256i *)(w + (size_t)t * (size_t)cp + (size_t)ch));
                    __m256i pr = _mm256_mullo_epi16(x, wv);
                    acc0 = _mm256_add_epi32(acc0, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(pr)));
                    acc1 = _mm256_add_epi32(acc1, _mm256_cvtepi16_epi32(_mm256_extracti128_si256(pr, 1)));
                }
                yq__qs8_store16_avx2(acc0, acc1, ch, c - ch < 16 ? c - ch : 16, opix, ep);
            }
        }
    }
}

void yq_f32_dw_16c__avx2(const struct yq__dw_shape *s, int oy_begin, int oy_end,
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
                __m256 acc0 = _mm256_loadu_ps(bias + ch), acc1 = _mm256_loadu_ps(bias + ch + 8);
                for (int t = 0; t < nt; t++) {
                    if (!tap[t])
                        continue;
                    const float *x = (const float *)tap[t] + ch;
                    const float *wt = w + (size_t)t * (size_t)cp + (size_t)ch;
                    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(wt), acc0);
                    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 8), _mm256_loadu_ps(wt + 8), acc1);
                }
                int nc = c - ch < 16 ? c - ch : 16;
                if (nc == 16) {
                    _mm256_storeu_ps(opix + ch, acc0);
                    _mm256_storeu_ps(opix + ch + 8, acc1);
                } else {
                    float tmp[16];
                    _mm256_storeu_ps(tmp, acc0);
                    _mm256_storeu_ps(tmp + 8, acc1);
                    memcpy(opix + ch, tmp, (size_t)nc * sizeof(float));
                }
            }
            yq__f32_act(opix, (size_t)c, act);
        }
    }
}
