/* SPDX-License-Identifier: Apache-2.0 */
/* The qs8 epilogue on 16 int32 accumulators in two ymm, shared by the AVX2 kernels:
 * identical to yq__qs8_store_row (cvtps2dq rounds half to even under the default MXCSR).
 * Partial column blocks fall back to the scalar path so nothing is read or written past n. */
#ifndef YQ_QS8_EPILOGUE_AVX2_H
#define YQ_QS8_EPILOGUE_AVX2_H

#include "../kernels_impl.h"

#include <immintrin.h>

static inline __m128i yq__requant8_avx2(__m256i acc, const float *scale, __m256 lo, __m256 hi)
{
    __m256 x = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(scale));
    x = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
    __m256i q = _mm256_cvtps_epi32(x);
    return _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
}

static inline void yq__qs8_store16_avx2(__m256i acc0, __m256i acc1, int j0, int nc, void *c_row,
                                        const struct yq__qs8_epilogue *ep)
{
    if (nc < 16) {
        int32_t tmp[16];
        _mm256_storeu_si256((__m256i *)tmp, acc0);
        _mm256_storeu_si256((__m256i *)(tmp + 8), acc1);
        yq__qs8_store_row(tmp, nc, j0, c_row, ep);
        return;
    }
    if (ep->fscale) {
        float *o = (float *)c_row + j0;
        _mm256_storeu_ps(o, _mm256_mul_ps(_mm256_cvtepi32_ps(acc0),
                                          _mm256_loadu_ps(ep->fscale + j0)));
        _mm256_storeu_ps(o + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(acc1),
                                              _mm256_loadu_ps(ep->fscale + j0 + 8)));
        yq__f32_act(o, 16, &ep->act);
        return;
    }
    __m256 lo = _mm256_set1_ps((float)(ep->out_min - ep->out_zp));
    __m256 hi = _mm256_set1_ps((float)(ep->out_max - ep->out_zp));
    __m128i q0 = yq__requant8_avx2(acc0, ep->scale + j0, lo, hi);
    __m128i q1 = yq__requant8_avx2(acc1, ep->scale + j0 + 8, lo, hi);
    __m128i zp = _mm_set1_epi16((int16_t)ep->out_zp);
    /* within [out_min, out_max] after the zero point, so packsswb never saturates */
    __m128i b = _mm_packs_epi16(_mm_add_epi16(q0, zp), _mm_add_epi16(q1, zp));
    int8_t *o = (int8_t *)c_row + j0;
    _mm_storeu_si128((__m128i *)o, b);
    yq__qs8_apply_lut(o, 16, ep->lut);
}

#endif
