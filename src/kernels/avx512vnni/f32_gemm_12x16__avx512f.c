/* SPDX-License-Identifier: Apache-2.0 */
/* AVX-512F fp32 GEMM: 12 rows x 16 columns = 12 zmm accumulators, one zmm of B per k step
 * reused by 12 broadcast FMAs. Built with the avx512vnni flags and selected at that level.
 * Layout: see f32_gemm.c (bias[16], then k rows of 16 floats per panel). Tails use masked
 * stores. */
#include "../kernels_impl.h"

#include <immintrin.h>

#define MR 12
#define NR 16

void yq_f32_gemm_12x16__avx512f(int m_begin, int m_end, int n, int k, const float *a,
                                size_t lda, const void *packed, float *c, size_t ldc,
                                const struct yq__act *act)
{
    const float *pk = packed;
    size_t panel_stride = ((size_t)k + 1) * NR;
    for (int i0 = m_begin; i0 < m_end; i0 += MR) {
        int mr = m_end - i0 < MR ? m_end - i0 : MR;
        const float *ar[MR];
        for (int r = 0; r < MR; r++)
            ar[r] = a + (size_t)(i0 + (r < mr ? r : mr - 1)) * lda;
        for (int j0 = 0; j0 < n; j0 += NR) {
            const float *w = pk + (size_t)(j0 / NR) * panel_stride;
            __m512 b = _mm512_loadu_ps(w);
            __m512 c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b;
            __m512 c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b;
            w += NR;
            for (int p = 0; p < k; p++, w += NR) {
                __m512 wv = _mm512_loadu_ps(w);
                c0 = _mm512_fmadd_ps(_mm512_set1_ps(ar[0][p]), wv, c0);
                c1 = _mm512_fmadd_ps(_mm512_set1_ps(ar[1][p]), wv, c1);
                c2 = _mm512_fmadd_ps(_mm512_set1_ps(ar[2][p]), wv, c2);
                c3 = _mm512_fmadd_ps(_mm512_set1_ps(ar[3][p]), wv, c3);
                c4 = _mm512_fmadd_ps(_mm512_set1_ps(ar[4][p]), wv, c4);
                c5 = _mm512_fmadd_ps(_mm512_set1_ps(ar[5][p]), wv, c5);
                c6 = _mm512_fmadd_ps(_mm512_set1_ps(ar[6][p]), wv, c6);
                c7 = _mm512_fmadd_ps(_mm512_set1_ps(ar[7][p]), wv, c7);
                c8 = _mm512_fmadd_ps(_mm512_set1_ps(ar[8][p]), wv, c8);
                c9 = _mm512_fmadd_ps(_mm512_set1_ps(ar[9][p]), wv, c9);
                c10 = _mm512_fmadd_ps(_mm512_set1_ps(ar[10][p]), wv, c10);
                c11 = _mm512_fmadd_ps(_mm512_set1_ps(ar[11][p]), wv, c11);
            }
            __m512 acc[MR] = {c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11};
            int nc = n - j0 < NR ? n - j0 : NR;
            __mmask16 m = (__mmask16)(nc == NR ? 0xffffu : (1u << nc) - 1);
            for (int r = 0; r < mr; r++) {
                float *o = c + (size_t)(i0 + r) * ldc + j0;
                __m512 v = acc[r];
                if (act && act->kind == YQ__ACT_RELU)
                    v = _mm512_max_ps(v, _mm512_setzero_ps());
                _mm512_mask_storeu_ps(o, m, v);
                if (act && act->kind != YQ__ACT_RELU)
                    yq__f32_act(o, (size_t)nc, act);
            }
        }
    }
}
