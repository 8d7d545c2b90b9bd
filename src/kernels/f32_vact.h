/* SPDX-License-Identifier: Apache-2.0 */
/* Vector activations for the x86 fp32 kernels (included by files built with -mavx2 or
 * -mavx512f). They evaluate exactly the scalar formulas of f32_gemm.c (exp_neg: same
 * clamp, same round-half-away, separate multiplies and adds, never FMA), so a fused epilogue
 * gives the same bits as yq__f32_act: the int8 LUTs built from yq__f32_act cannot shift.
 * The *_fast forms (the GEMM epilogues only) trade those bits for speed. */
#ifndef YQ_F32_VACT_H
#define YQ_F32_VACT_H

#include "kernels_impl.h"

/* Array versions of yq__f32_act, chosen by f32_gemm.c when the CPU has the ISA. */
void yq__f32_act__avx2(float *x, size_t n, const struct yq__act *act);
void yq__f32_act__avx512f(float *x, size_t n, const struct yq__act *act);
/* The indirect GEMMs behind yq__f32_igemm_chosen (AVX-512, else AVX2). */
void yq__f32_igemm__avx2(int m, int n, int nseg, int seglen, const float *const *ind,
                         const void *packed, float *c, size_t ldc, const struct yq__act *act);
void yq__f32_igemm__avx512f(int m, int n, int nseg, int seglen, const float *const *ind,
                            const void *packed, float *c, size_t ldc, const struct yq__act *act);

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#if defined(__AVX512F__)
static inline __m512 yq__exp_neg512(__m512 x)
{
    __m512 v = _mm512_sub_ps(_mm512_setzero_ps(), x);
    v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(87.0f));
    __m512 fn = _mm512_mul_ps(v, _mm512_set1_ps(1.44269504088896341f));
    /* fn >= 0 ? trunc(fn + 0.5) : trunc(fn - 0.5) */
    __mmask16 neg = _mm512_cmp_ps_mask(fn, _mm512_setzero_ps(), _CMP_LT_OQ);
    __m512 half = _mm512_mask_blend_ps(neg, _mm512_set1_ps(0.5f), _mm512_set1_ps(-0.5f));
    __m512i ni = _mm512_cvttps_epi32(_mm512_add_ps(fn, half));
    fn = _mm512_cvtepi32_ps(ni);
    __m512 r = _mm512_sub_ps(v, _mm512_mul_ps(fn, _mm512_set1_ps(0.693359375f)));
    r = _mm512_sub_ps(r, _mm512_mul_ps(fn, _mm512_set1_ps(-2.12194440e-4f)));
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(_mm512_mul_ps(p, r), r), r),
                      _mm512_set1_ps(1.0f));
    __m512i sc = _mm512_slli_epi32(_mm512_add_epi32(ni, _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(sc));
}

/* Applies act to v when it has a vector form (returns true); others are left to the caller. */
static inline bool yq__act512(__m512 *v, const struct yq__act *act)
{
    switch (act ? act->kind : YQ__ACT_NONE) {
    case YQ__ACT_NONE:
        return true;
    case YQ__ACT_RELU:
        *v = _mm512_max_ps(*v, _mm512_setzero_ps());
        return true;
    case YQ__ACT_SILU:
        *v = _mm512_div_ps(*v, _mm512_add_ps(_mm512_set1_ps(1.0f), yq__exp_neg512(*v)));
        return true;
    case YQ__ACT_SIGMOID:
        *v = _mm512_div_ps(_mm512_set1_ps(1.0f),
                           _mm512_add_ps(_mm512_set1_ps(1.0f), yq__exp_neg512(*v)));
        return true;
    default:
        return false;
    }
}

/* Faster SiLU/sigmoid for the GEMM epilogue, where bit equality with yq__f32_act is not
 * needed (GEMM results already differ across ISAs): exp(-x) = 2^t with t = -x*log2(e),
 * 2^(t - round t) by its degree-6 Taylor polynomial (error 1.2e-7 on [-1/2, 1/2]), scalef,
 * and a reciprocal estimate refined by one Newton step instead of a divide. 15 operations,
 * where the bit-exact form takes 22 and the layers with small k (16..64 input channels of
 * 160x160 and 80x80 maps) spend a third of their time here. Error against the exact
 * sigmoid: at most 1.4e-7 absolute, 1e-6 relative for x > -16 (t itself is rounded). Only t
 * above 126 needs a clamp: 2^t below the float range is flushed to 0 by scalef. */
static inline __m512 yq__sigmoid512_fast(__m512 x)
{
    __m512 t = _mm512_min_ps(_mm512_mul_ps(x, _mm512_set1_ps(-1.44269504088896341f)),
                             _mm512_set1_ps(126.0f));
    __m512 n = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 f = _mm512_sub_ps(t, n);
    /* ln(2)^i / i! */
    __m512 p = _mm512_set1_ps(1.5403530393381609954e-4f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.3333558146428443423e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.6181291076284771620e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.5504108664821579953e-2f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4022650695910071233e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.9314718055994530942e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
    __m512 d = _mm512_add_ps(_mm512_set1_ps(1.0f), _mm512_scalef_ps(p, n));
    __m512 y = _mm512_rcp14_ps(d);
    return _mm512_mul_ps(y, _mm512_fnmadd_ps(d, y, _mm512_set1_ps(2.0f)));
}

static inline bool yq__act512_fast(__m512 *v, const struct yq__act *act)
{
    switch (act ? act->kind : YQ__ACT_NONE) {
    case YQ__ACT_SILU:
        *v = _mm512_mul_ps(*v, yq__sigmoid512_fast(*v));
        return true;
    case YQ__ACT_SIGMOID:
        *v = yq__sigmoid512_fast(*v);
        return true;
    default:
        return yq__act512(v, act);
    }
}
#endif

#if defined(__AVX2__)
static inline __m256 yq__exp_neg256(__m256 x)
{
    __m256 v = _mm256_sub_ps(_mm256_setzero_ps(), x);
    v = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(87.0f));
    __m256 fn = _mm256_mul_ps(v, _mm256_set1_ps(1.44269504088896341f));
    __m256 neg = _mm256_cmp_ps(fn, _mm256_setzero_ps(), _CMP_LT_OQ);
    __m256 half = _mm256_blendv_ps(_mm256_set1_ps(0.5f), _mm256_set1_ps(-0.5f), neg);
    __m256i ni = _mm256_cvttps_epi32(_mm256_add_ps(fn, half));
    fn = _mm256_cvtepi32_ps(ni);
    __m256 r = _mm256_sub_ps(v, _mm256_mul_ps(fn, _mm256_set1_ps(0.693359375f)));
    r = _mm256_sub_ps(r, _mm256_mul_ps(fn, _mm256_set1_ps(-2.12194440e-4f)));
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, r), r), r),
                      _mm256_set1_ps(1.0f));
    __m256i sc = _mm256_slli_epi32(_mm256_add_epi32(ni, _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(sc));
}

static inline bool yq__act256(__m256 *v, const struct yq__act *act)
{
    switch (act ? act->kind : YQ__ACT_NONE) {
    case YQ__ACT_NONE:
        return true;
    case YQ__ACT_RELU:
        *v = _mm256_max_ps(*v, _mm256_setzero_ps());
        return true;
    case YQ__ACT_SILU:
        *v = _mm256_div_ps(*v, _mm256_add_ps(_mm256_set1_ps(1.0f), yq__exp_neg256(*v)));
        return true;
    case YQ__ACT_SIGMOID:
        *v = _mm256_div_ps(_mm256_set1_ps(1.0f),
                           _mm256_add_ps(_mm256_set1_ps(1.0f), yq__exp_neg256(*v)));
        return true;
    default:
        return false;
    }
}
/* The AVX2 GEMM epilogue's SiLU/sigmoid: yq__sigmoid512_fast's method without scalef (2^n
 * from the exponent bits, so t is clamped on both sides) and with the 12-bit reciprocal
 * estimate, which one Newton step brings to about 23 bits. */
static inline __m256 yq__sigmoid256_fast(__m256 x)
{
    __m256 t = _mm256_mul_ps(x, _mm256_set1_ps(-1.44269504088896341f));
    t = _mm256_min_ps(_mm256_max_ps(t, _mm256_set1_ps(-126.0f)), _mm256_set1_ps(126.0f));
    __m256 n = _mm256_round_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 f = _mm256_sub_ps(t, n);
    __m256 p = _mm256_set1_ps(1.5403530393381609954e-4f);
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.3333558146428443423e-3f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(9.6181291076284771620e-3f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(5.5504108664821579953e-2f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(2.4022650695910071233e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(6.9314718055994530942e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.0f));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)),
                                  23);
    __m256 d = _mm256_fmadd_ps(p, _mm256_castsi256_ps(e), _mm256_set1_ps(1.0f));
    __m256 y = _mm256_rcp_ps(d);
    return _mm256_mul_ps(y, _mm256_fnmadd_ps(d, y, _mm256_set1_ps(2.0f)));
}

static inline bool yq__act256_fast(__m256 *v, const struct yq__act *act)
{
    switch (act ? act->kind : YQ__ACT_NONE) {
    case YQ__ACT_SILU:
        *v = _mm256_mul_ps(*v, yq__sigmoid256_fast(*v));
        return true;
    case YQ__ACT_SIGMOID:
        *v = yq__sigmoid256_fast(*v);
        return true;
    default:
        return yq__act256(v, act);
    }
}
#endif

#endif
