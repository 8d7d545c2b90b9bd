/* SPDX-License-Identifier: Apache-2.0 */
/* The qs8 GEMM specification (not used at run time): every other variant must produce the
 * same bytes. It reads the raw zero point and bias from the packed header and the weights
 * from its 1-column panels, and evaluates the contract of kernels.h literally:
 *     acc = bias[j] + sum_p (A[i][p] - a_zp) * W[j][p]
 * Overflow: |A - a_zp| <= 255 and |W| <= 128, so each product is below 2^15; with
 * k <= 16384 = 2^14 the sum stays below 2^29, plus |bias| <= 2^29 gives |acc| < 2^30. */
#include "../kernels_impl.h"

#include <string.h>

void yq_qs8_gemm_ref(int m_begin, int m_end, int n, int k, const int8_t *a, size_t lda,
                     const void *packed, void *c, size_t ldc, const struct yq__qs8_epilogue *ep)
{
    int32_t a_zp;
    memcpy(&a_zp, packed, sizeof a_zp);
    const int32_t *bias = (const int32_t *)((const char *)packed + YQ__QS8_HEADER);
    const char *panels = yq__qs8_panels(packed, n);
    size_t pbytes = yq__qs8_panel_bytes(k, 1, 1, false);
    size_t esize = ep->fscale ? sizeof(float) : 1;
    for (int i = m_begin; i < m_end; i++) {
        const int8_t *ar = a + (size_t)i * lda;
        char *crow = (char *)c + (size_t)i * ldc * esize;
        for (int j = 0; j < n; j++) {
            const int8_t *wj = (const int8_t *)(panels + (size_t)j * pbytes + 4);
            int32_t acc = bias[j];
            for (int p = 0; p < k; p++)
                acc += ((int32_t)ar[p] - a_zp) * (int32_t)wj[p];
            yq__qs8_store_row(&acc, 1, j, crow, ep);
        }
    }
}
