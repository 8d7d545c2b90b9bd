/* SPDX-License-Identifier: Apache-2.0 */
/* fp32 GEMM family: the packing every variant shares, the activations, the descriptor table
 * from f32_gemm.def and the dispatch to the best variant, chosen once.
 *
 * Packed layout: for each panel of NR = 16 columns j0..j0+15 (last panel zero-padded):
 *     bias[16], then for p in 0..k-1: B[p][j0..j0+15]
 */
#include "f32_vact.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#define NR 16

size_t yq__f32_gemm_packed_size(int k, int n)
{
    size_t panels = ((size_t)n + NR - 1) / NR;
    return panels * ((size_t)k + 1) * NR * sizeof(float);
}

void yq__f32_gemm_pack(int k, int n, const float *b, size_t ldb, const float *bias, void *packed)
{
    float *dst = packed;
    for (int j0 = 0; j0 < n; j0 += NR) {
        int nr = n - j0 < NR ? n - j0 : NR;
        for (int j = 0; j < NR; j++)
            *dst++ = (j < nr && bias) ? bias[j0 + j] : 0.0f;
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < NR; j++)
                *dst++ = j < nr ? b[(size_t)p * ldb + j0 + j] : 0.0f;
        }
    }
}

static float act1(float x, const struct yq__act *act)
{
    switch (act->kind) {
    case YQ__ACT_RELU:
        return x > 0.0f ? x : 0.0f;
    case YQ__ACT_LEAKY_RELU:
        return x > 0.0f ? x : x * act->alpha;
    case YQ__ACT_SIGMOID:
        return 1.0f / (1.0f + expf(-x));
    case YQ__ACT_SILU:
        return x / (1.0f + expf(-x));
    case YQ__ACT_HARD_SWISH: {
        float t = x + 3.0f;
        t = t < 0.0f ? 0.0f : (t > 6.0f ? 6.0f : t);
        return x * t / 6.0f;
    }
    case YQ__ACT_CLIP:
        return x < act->alpha ? act->alpha : (x > act->beta ? act->beta : x);
    default:
        return x;
    }
}

/* exp(-x) for the sigmoid family without a libm call, so the loops below vectorise:
 * 2^n * p(r) with n = round(-x*log2 e), r = -x - n*ln2 (ln2 split hi/lo), p the Cephes
 * degree-6 polynomial; relative error about 1e-7 over the clamped range [-87, 87]. */
static inline float exp_neg(float x)
{
    float v = -x;
    v = v < -87.0f ? -87.0f : (v > 87.0f ? 87.0f : v);
    float fn = v * 1.44269504088896341f;
    fn = fn >= 0.0f ? (float)(int)(fn + 0.5f) : (float)(int)(fn - 0.5f);
    float r = v - fn * 0.693359375f;
    r = r - fn * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    union {
        int32_t i;
        float f;
    } scale = {.i = ((int32_t)fn + 127) << 23};
    return p * scale.f;
}

static void f32_act_scalar(float *x, size_t n, const struct yq__act *act);

/* Vector form of the common activations for this CPU (NULL: scalar); set by choose(). */
static void (*act_vec)(float *x, size_t n, const struct yq__act *act);
static yq__f32_igemm_fn igemm; /* NULL: no indirect form at the chosen level */

void yq__f32_act(float *x, size_t n, const struct yq__act *act)
{
    if (!act || act->kind == YQ__ACT_NONE)
        return;
    if (act->kind == YQ__ACT_RELU || act->kind == YQ__ACT_SILU ||
        act->kind == YQ__ACT_SIGMOID) {
        yq__f32_gemm_chosen();
        if (act_vec) {
            act_vec(x, n, act);
            return;
        }
    }
    f32_act_scalar(x, n, act);
}

static void f32_act_scalar(float *x, size_t n, const struct yq__act *act)
{
    if (act->kind == YQ__ACT_RELU) {
        for (size_t i = 0; i < n; i++)
            x[i] = x[i] > 0.0f ? x[i] : 0.0f;
        return;
    }
    if (act->kind == YQ__ACT_SILU) {
        for (size_t i = 0; i < n; i++)
            x[i] = x[i] / (1.0f + exp_neg(x[i]));
        return;
    }
    if (act->kind == YQ__ACT_SIGMOID) {
        for (size_t i = 0; i < n; i++)
            x[i] = 1.0f / (1.0f + exp_neg(x[i]));
        return;
    }
    for (size_t i = 0; i < n; i++)
        x[i] = act1(x[i], act);
}

const struct yq__f32_gemm_desc yq__f32_gemm_variants[] = {
#define YQ__F32_GEMM(fn, isa, mr, nr) {#fn, isa, mr, nr, fn},
#include "f32_gemm.def"
#undef YQ__F32_GEMM
};
const int yq__f32_gemm_n_variants = (int)(sizeof yq__f32_gemm_variants /
                                          sizeof yq__f32_gemm_variants[0]);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct yq__f32_gemm_desc *chosen;

static void choose(void)
{
    chosen = &yq__f32_gemm_variants[0];
    for (int i = 0; i < yq__f32_gemm_n_variants; i++) {
        if (yq__isa_available(yq__f32_gemm_variants[i].isa))
            chosen = &yq__f32_gemm_variants[i];
    }
#if defined(__x86_64__)
    if (yq__isa_available(YQ__ISA_AVX512VNNI)) {
        act_vec = yq__f32_act__avx512f;
        igemm = yq__f32_igemm__avx512f;
    } else if (yq__isa_available(YQ__ISA_AVX2)) {
        act_vec = yq__f32_act__avx2;
        igemm = yq__f32_igemm__avx2;
    }
#endif
}

const struct yq__f32_gemm_desc *yq__f32_gemm_chosen(void)
{
    pthread_once(&once, choose);
    return chosen;
}

yq__f32_igemm_fn yq__f32_igemm_chosen(void)
{
    pthread_once(&once, choose);
    return igemm;
}

void yq__f32_gemm(int m_begin, int m_end, int n, int k, const float *a, size_t lda,
                  const void *packed, float *c, size_t ldc, const struct yq__act *act)
{
    if (m_begin >= m_end || n <= 0)
        return;
    yq__f32_gemm_chosen()->run(m_begin, m_end, n, k, a, lda, packed, c, ldc, act);
}
