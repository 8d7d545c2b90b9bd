/* SPDX-License-Identifier: Apache-2.0 */
/* Portable fp32 GEMM: 4 rows x one 16-column panel of accumulators, written so the compiler
 * auto-vectorises the inner loop. Layout: see f32_gemm.c (bias[16], then k rows of 16). */
#include "../kernels_impl.h"

#include <string.h>

#define NR 16
#define MR 4

void yq_f32_gemm_4x16__scalar(int m_begin, int m_end, int n, int k, const float *a,
                              size_t lda, const void *packed, float *c, size_t ldc,
                              const struct yq__act *act)
{
    const float *pk = packed;
    size_t panel_stride = ((size_t)k + 1) * NR;
    for (int i0 = m_begin; i0 < m_end; i0 += MR) {
        int mr = m_end - i0 < MR ? m_end - i0 : MR;
        for (int j0 = 0, pj = 0; j0 < n; j0 += NR, pj++) {
            const float *w = pk + (size_t)pj * panel_stride;
            float acc[MR][NR];
            for (int i = 0; i < MR; i++)
                memcpy(acc[i], w, sizeof acc[i]);
            w += NR;
            for (int p = 0; p < k; p++, w += NR) {
                for (int i = 0; i < mr; i++) {
                    float av = a[(size_t)(i0 + i) * lda + p];
                    for (int j = 0; j < NR; j++)
                        acc[i][j] += av * w[j];
                }
            }
            int nr = n - j0 < NR ? n - j0 : NR;
            for (int i = 0; i < mr; i++) {
                float *crow = c + (size_t)(i0 + i) * ldc + j0;
                memcpy(crow, acc[i], (size_t)nr * sizeof(float));
                yq__f32_act(crow, (size_t)nr, act);
            }
        }
    }
}
