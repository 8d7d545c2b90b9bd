/* SPDX-License-Identifier: Apache-2.0 */
/* NEON fp32 GEMM: 6 rows x 16 columns = 24 q accumulators, four q of B and one ld1r
 * broadcast of A per k step (29 of 32 registers). Layout: see f32_gemm.c. */
#include "../kernels_impl.h"

#include <arm_neon.h>
#include <string.h>

#define MR 6
#define NR 16

void yq_f32_gemm_6x16__neon(int m_begin, int m_end, int n, int k, const float *a, size_t lda,
                            const void *packed, float *c, size_t ldc, const struct yq__act *act)
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
            float32x4_t acc[MR][4];
            for (int q = 0; q < 4; q++) {
                float32x4_t b = vld1q_f32(w + 4 * q);
                for (int r = 0; r < MR; r++)
                    acc[r][q] = b;
            }
            w += NR;
            for (int p = 0; p < k; p++, w += NR) {
                float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4);
                float32x4_t w2 = vld1q_f32(w + 8), w3 = vld1q_f32(w + 12);
                for (int r = 0; r < MR; r++) {
                    float32x4_t v = vld1q_dup_f32(ar[r] + p);
                    acc[r][0] = vfmaq_f32(acc[r][0], v, w0);
                    acc[r][1] = vfmaq_f32(acc[r][1], v, w1);
                    acc[r][2] = vfmaq_f32(acc[r][2], v, w2);
                    acc[r][3] = vfmaq_f32(acc[r][3], v, w3);
                }
            }
            int nc = n - j0 < NR ? n - j0 : NR;
            for (int r = 0; r < mr; r++) {
                float *o = c + (size_t)(i0 + r) * ldc + j0;
                float tmp[NR];
                float *dst = nc == NR ? o : tmp;
                for (int q = 0; q < 4; q++)
                    vst1q_f32(dst + 4 * q, acc[r][q]);
                if (dst == tmp)
                    memcpy(o, tmp, (size_t)nc * sizeof(float));
                yq__f32_act(o, (size_t)nc, act);
            }
        }
    }
}
