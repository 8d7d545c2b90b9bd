/* SPDX-License-Identifier: Apache-2.0 */
/* AVX-512F fp32 GEMM: 12 rows x 32 columns (two adjacent 16-column panels) = 24 zmm
 * accumulators, two zmm of B and 12 broadcasts per k step: 24 FMAs for 14 loads, where one
 * panel alone gives 12 FMAs for 13 loads. A last odd panel runs 16 x 16. Columns are the
 * outer loop so a panel pair (k x 32 floats) stays in cache while every row tile of the
 * task passes over it. Built with the avx512vnni flags and selected at that level.
 * Layout: see f32_gemm.c (bias[16], then k rows of 16 floats per panel). The epilogue
 * applies ReLU/SiLU/sigmoid in registers (f32_vact.h's fast forms); tails use masked
 * stores. yq__f32_act__avx512f, the array form, keeps the exact scalar bits. */
#include "../f32_vact.h"

#include <immintrin.h>

#define MR 12
#define NR 16

static inline void store_row(float *o, __m512 v, __mmask16 m, int nc, const struct yq__act *act)
{
    bool done = yq__act512_fast(&v, act);
    _mm512_mask_storeu_ps(o, m, v);
    if (!done)
        yq__f32_act(o, (size_t)nc, act);
}

static inline __mmask16 mask_of(int nc)
{
    return (__mmask16)(nc >= NR ? 0xffffu : (1u << nc) - 1);
}

/* Row tiles read A through pointers: row r of the tile is nseg segments of seglen floats,
 * segment g at ind[r * nseg + g] (a plain GEMM is one segment of k per row; a convolution
 * one segment of KW*C input floats per kernel row, straight from the image). The packed B
 * runs on continuously across segments. */
static void pair_tile(int mr, int n, int nseg, int seglen, const float *const *ind,
                      const float *w0, const float *w1, int j0, float *c, size_t ldc,
                      const struct yq__act *act)
{
    int nc1 = n - j0 - NR;
    __mmask16 m1 = mask_of(nc1);
    __m512 b0 = _mm512_loadu_ps(w0), b1 = _mm512_loadu_ps(w1);
    __m512 c00 = b0, c10 = b0, c20 = b0, c30 = b0, c40 = b0, c50 = b0;
    __m512 c60 = b0, c70 = b0, c80 = b0, c90 = b0, ca0 = b0, cb0 = b0;
    __m512 c01 = b1, c11 = b1, c21 = b1, c31 = b1, c41 = b1, c51 = b1;
    __m512 c61 = b1, c71 = b1, c81 = b1, c91 = b1, ca1 = b1, cb1 = b1;
    const float *p0 = w0 + NR, *p1 = w1 + NR;
    for (int g = 0; g < nseg; g++) {
        const float *ar[MR];
        for (int r = 0; r < MR; r++)
            ar[r] = ind[(r < mr ? r : mr - 1) * nseg + g];
        for (int p = 0; p < seglen; p++, p0 += NR, p1 += NR) {
            __m512 x0 = _mm512_loadu_ps(p0), x1 = _mm512_loadu_ps(p1), v;
#define YQ_ROW(r, ca, cb)                                                                      \
    v = _mm512_set1_ps(ar[r][p]);                                                              \
    ca = _mm512_fmadd_ps(v, x0, ca);                                                           \
    cb = _mm512_fmadd_ps(v, x1, cb);
            YQ_ROW(0, c00, c01)
            YQ_ROW(1, c10, c11)
            YQ_ROW(2, c20, c21)
            YQ_ROW(3, c30, c31)
            YQ_ROW(4, c40, c41)
            YQ_ROW(5, c50, c51)
            YQ_ROW(6, c60, c61)
            YQ_ROW(7, c70, c71)
            YQ_ROW(8, c80, c81)
            YQ_ROW(9, c90, c91)
            YQ_ROW(10, ca0, ca1)
            YQ_ROW(11, cb0, cb1)
#undef YQ_ROW
        }
    }
    __m512 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31},
                         {c40, c41}, {c50, c51}, {c60, c61}, {c70, c71},
                         {c80, c81}, {c90, c91}, {ca0, ca1}, {cb0, cb1}};
    for (int r = 0; r < mr; r++) {
        float *o = c + (size_t)r * ldc + j0;
        store_row(o, acc[r][0], 0xffffu, NR, act);
        store_row(o + NR, acc[r][1], m1, nc1 < NR ? nc1 : NR, act);
    }
}

/* One panel (n <= 16 left): 16 rows, so one B load feeds 16 FMAs (24 rows measured
 * slower: their row pointers no longer fit in registers). */
#define MR1 16
static void single_tile(int mr, int n, int nseg, int seglen, const float *const *ind,
                        const float *w, int j0, float *c, size_t ldc, const struct yq__act *act)
{
    int nc = n - j0 < NR ? n - j0 : NR;
    __mmask16 m = mask_of(nc);
    __m512 acc[MR1];
    __m512 b = _mm512_loadu_ps(w);
#pragma GCC unroll 16
    for (int r = 0; r < MR1; r++)
        acc[r] = b;
    const float *pw = w + NR;
    for (int g = 0; g < nseg; g++) {
        const float *ar[MR1];
        for (int r = 0; r < MR1; r++)
            ar[r] = ind[(r < mr ? r : mr - 1) * nseg + g];
        for (int p = 0; p < seglen; p++, pw += NR) {
            __m512 wv = _mm512_loadu_ps(pw);
#pragma GCC unroll 16
            for (int r = 0; r < MR1; r++)
                acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(ar[r][p]), wv, acc[r]);
        }
    }
    for (int r = 0; r < mr; r++)
        store_row(c + (size_t)r * ldc + j0, acc[r], m, nc, act);
}

void yq_f32_gemm_12x16__avx512f(int m_begin, int m_end, int n, int k, const float *a,
                                size_t lda, const void *packed, float *c, size_t ldc,
                                const struct yq__act *act)
{
    const float *pk = packed;
    size_t panel_stride = ((size_t)k + 1) * NR;
    const float *ind[MR1];
    int j0 = 0;
    for (; j0 + NR < n; j0 += 2 * NR) {
        const float *w0 = pk + (size_t)(j0 / NR) * panel_stride;
        for (int i0 = m_begin; i0 < m_end; i0 += MR) {
            int mr = m_end - i0 < MR ? m_end - i0 : MR;
            for (int r = 0; r < mr; r++)
                ind[r] = a + (size_t)(i0 + r) * lda;
            pair_tile(mr, n, 1, k, ind, w0, w0 + panel_stride, j0, c + (size_t)i0 * ldc, ldc,
                      act);
        }
    }
    if (j0 < n) {
        const float *w = pk + (size_t)(j0 / NR) * panel_stride;
        for (int i0 = m_begin; i0 < m_end; i0 += MR1) {
            int mr = m_end - i0 < MR1 ? m_end - i0 : MR1;
            for (int r = 0; r < mr; r++)
                ind[r] = a + (size_t)(i0 + r) * lda;
            single_tile(mr, n, 1, k, ind, w, j0, c + (size_t)i0 * ldc, ldc, act);
        }
    }
}

void yq__f32_igemm__avx512f(int m, int n, int nseg, int seglen, const float *const *ind,
                            const void *packed, float *c, size_t ldc, const struct yq__act *act)
{
    const float *pk = packed;
    size_t panel_stride = ((size_t)nseg * (size_t)seglen + 1) * NR;
    int j0 = 0;
    for (; j0 + NR < n; j0 += 2 * NR) {
        const float *w0 = pk + (size_t)(j0 / NR) * panel_stride;
        for (int i0 = 0; i0 < m; i0 += MR)
            pair_tile(m - i0 < MR ? m - i0 : MR, n, nseg, seglen, ind + (size_t)i0 * nseg, w0,
                      w0 + panel_stride, j0, c + (size_t)i0 * ldc, ldc, act);
    }
    if (j0 < n) {
        const float *w = pk + (size_t)(j0 / NR) * panel_stride;
        for (int i0 = 0; i0 < m; i0 += MR1)
            single_tile(m - i0 < MR1 ? m - i0 : MR1, n, nseg, seglen, ind + (size_t)i0 * nseg,
                        w, j0, c + (size_t)i0 * ldc, ldc, act);
    }
}

void yq__f32_act__avx512f(float *x, size_t n, const struct yq__act *act)
{
    size_t i = 0;
    for (; i + NR <= n; i += NR) {
        __m512 v = _mm512_loadu_ps(x + i);
        if (!yq__act512(&v, act)) {
            yq__f32_act(x + i, n - i, act);
            return;
        }
        _mm512_storeu_ps(x + i, v);
    }
    if (i < n) {
        __mmask16 m = mask_of((int)(n - i));
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        if (!yq__act512(&v, act)) {
            yq__f32_act(x + i, n - i, act);
            return;
        }
        _mm512_mask_storeu_ps(x + i, m, v);
    }
}
