/* SPDX-License-Identifier: Apache-2.0 */
/* AVX2+FMA fp32 GEMM: 6 rows x 16 columns = 12 ymm accumulators, two ymm of B and one
 * broadcast of A per k step (15 of 16 registers). Layout: see f32_gemm.c (bias[16], then k
 * rows of 16 floats per panel). Rows are the outer loop: the 6 rows of A stay in L1 while
 * the panels stream from L2 (columns outer measured slower for this small tile). Rows are
 * read through pointers, which also gives the indirect form (convolution without im2col).
 * ReLU/SiLU/sigmoid are applied in registers (SiLU/sigmoid by f32_vact.h's fast forms;
 * yq__f32_act__avx2, the array form, keeps the exact scalar bits). */
#include "../f32_vact.h"

#include <immintrin.h>
#include <string.h>

#define MR 6
#define NR 16

/* Row r of the tile is nseg segments of seglen floats, segment g at ind[r * nseg + g]; the
 * packed B runs on continuously across segments. Rows past mr repeat the last one. */
static void tile(int mr, int nc, int nseg, int seglen, const float *const *ind, const float *w,
                 float *c, size_t ldc, const struct yq__act *act)
{
    __m256 b0 = _mm256_loadu_ps(w), b1 = _mm256_loadu_ps(w + 8);
    __m256 c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1;
    __m256 c30 = b0, c31 = b1, c40 = b0, c41 = b1, c50 = b0, c51 = b1;
    w += NR;
    for (int g = 0; g < nseg; g++) {
        const float *ar[MR];
        for (int r = 0; r < MR; r++)
            ar[r] = ind[(r < mr ? r : mr - 1) * nseg + g];
        for (int p = 0; p < seglen; p++, w += NR) {
            __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8), v;
            v = _mm256_broadcast_ss(ar[0] + p);
            c00 = _mm256_fmadd_ps(v, w0, c00);
            c01 = _mm256_fmadd_ps(v, w1, c01);
            v = _mm256_broadcast_ss(ar[1] + p);
            c10 = _mm256_fmadd_ps(v, w0, c10);
            c11 = _mm256_fmadd_ps(v, w1, c11);
            v = _mm256_broadcast_ss(ar[2] + p);
            c20 = _mm256_fmadd_ps(v, w0, c20);
            c21 = _mm256_fmadd_ps(v, w1, c21);
            v = _mm256_broadcast_ss(ar[3] + p);
            c30 = _mm256_fmadd_ps(v, w0, c30);
            c31 = _mm256_fmadd_ps(v, w1, c31);
            v = _mm256_broadcast_ss(ar[4] + p);
            c40 = _mm256_fmadd_ps(v, w0, c40);
            c41 = _mm256_fmadd_ps(v, w1, c41);
            v = _mm256_broadcast_ss(ar[5] + p);
            c50 = _mm256_fmadd_ps(v, w0, c50);
            c51 = _mm256_fmadd_ps(v, w1, c51);
        }
    }
    __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    for (int r = 0; r < mr; r++) {
        float *o = c + (size_t)r * ldc;
        bool done = yq__act256_fast(&acc[r][0], act) && yq__act256_fast(&acc[r][1], act);
        if (nc == NR) {
            _mm256_storeu_ps(o, acc[r][0]);
            _mm256_storeu_ps(o + 8, acc[r][1]);
        } else {
            float tmp[NR];
            _mm256_storeu_ps(tmp, acc[r][0]);
            _mm256_storeu_ps(tmp + 8, acc[r][1]);
            memcpy(o, tmp, (size_t)nc * sizeof(float));
        }
        if (!done)
            yq__f32_act(o, (size_t)nc, act);
    }
}

void yq_f32_gemm_6x16__avx2(int m_begin, int m_end, int n, int k, const float *a, size_t lda,
                            const void *packed, float *c, size_t ldc, const struct yq__act *act)
{
    const float *pk = packed;
    size_t panel_stride = ((size_t)k + 1) * NR;
    for (int i0 = m_begin; i0 < m_end; i0 += MR) {
        int mr = m_end - i0 < MR ? m_end - i0 : MR;
        const float *ind[MR];
        for (int r = 0; r < mr; r++)
            ind[r] = a + (size_t)(i0 + r) * lda;
        for (int j0 = 0; j0 < n; j0 += NR)
            tile(mr, n - j0 < NR ? n - j0 : NR, 1, k, ind, pk + (size_t)(j0 / NR) * panel_stride,
                 c + (size_t)i0 * ldc + j0, ldc, act);
    }
}

void yq__f32_igemm__avx2(int m, int n, int nseg, int seglen, const float *const *ind,
                         const void *packed, float *c, size_t ldc, const struct yq__act *act)
{
    const float *pk = packed;
    size_t panel_stride = ((size_t)nseg * (size_t)seglen + 1) * NR;
    for (int i0 = 0; i0 < m; i0 += MR)
        for (int j0 = 0; j0 < n; j0 += NR)
            tile(m - i0 < MR ? m - i0 : MR, n - j0 < NR ? n - j0 : NR, nseg, seglen,
                 ind + (size_t)i0 * nseg, pk + (size_t)(j0 / NR) * panel_stride,
                 c + (size_t)i0 * ldc + j0, ldc, act);
}

void yq__f32_act__avx2(float *x, size_t n, const struct yq__act *act)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        if (!yq__act256(&v, act)) {
            yq__f32_act(x + i, n - i, act);
            return;
        }
        _mm256_storeu_ps(x + i, v);
    }
    if (i < n) {
        float tmp[8] = {0};
        memcpy(tmp, x + i, (n - i) * sizeof(float));
        __m256 v = _mm256_loadu_ps(tmp);
        if (!yq__act256(&v, act)) {
            yq__f32_act(x + i, n - i, act);
            return;
        }
        _mm256_storeu_ps(tmp, v);
        memcpy(x + i, tmp, (n - i) * sizeof(float));
    }
}
