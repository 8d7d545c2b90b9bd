/* SPDX-License-Identifier: Apache-2.0 */
/* Portable qs8 GEMM: 2 rows x 4 columns of int32 accumulators, the zero point folded into
 * the packed bias. Packed panel (nr = 4, kr = 1, int8):
 *     int32 bias'[4] | k x [w(j0) w(j0+1) w(j0+2) w(j0+3)]
 * The fastest choice only on CPUs without a SIMD level. */
#include "../kernels_impl.h"

#include <string.h>

void yq_qs8_gemm_2x4c1__scalar(int m_begin, int m_end, int n, int k, const int8_t *a,
                               size_t lda, const void *packed, void *c, size_t ldc,
                               const struct yq__qs8_epilogue *ep)
{
    const char *panels = yq__qs8_panels(packed, n);
    size_t pbytes = yq__qs8_panel_bytes(k, 4, 1, false);
    size_t esize = ep->fscale ? sizeof(float) : 1;
    for (int i0 = m_begin; i0 < m_end; i0 += 2) {
        const int8_t *a0 = a + (size_t)i0 * lda;
        const int8_t *a1 = i0 + 1 < m_end ? a0 + lda : a0;
        for (int j0 = 0; j0 < n; j0 += 4) {
            const char *panel = panels + (size_t)(j0 / 4) * pbytes;
            int32_t acc0[4], acc1[4];
            memcpy(acc0, panel, sizeof acc0);
            memcpy(acc1, panel, sizeof acc1);
            const int8_t *w = (const int8_t *)(panel + 16);
            for (int p = 0; p < k; p++, w += 4) {
                int32_t x0 = a0[p], x1 = a1[p];
                for (int j = 0; j < 4; j++) {
                    acc0[j] += x0 * w[j];
                    acc1[j] += x1 * w[j];
                }
            }
            int nc = n - j0 < 4 ? n - j0 : 4;
            yq__qs8_store_row(acc0, nc, j0, (char *)c + (size_t)i0 * ldc * esize, ep);
            if (i0 + 1 < m_end)
                yq__qs8_store_row(acc1, nc, j0, (char *)c + (size_t)(i0 + 1) * ldc * esize,
                                  ep);
        }
    }
}
