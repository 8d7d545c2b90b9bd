/* SPDX-License-Identifier: Apache-2.0 */
/* NEON qs8 GEMM (no dot product), 4 rows x 8 columns. Weights are widened to int16 at pack
 * time and smlal by lane multiplies int16 x int16 into exact int32 sums (no int16
 * intermediate sums that could overflow). Packed panel (nr = 8, kr = 1, int16, k padded to 8):
 *
 *     int32 bias'[8] | for each p: w(j0,p) ... w(j0+7,p)   (one q register)
 *
 * Each row loads 8 int8 of A, sign-extends them, and lane l feeds step p+l. Full 8-column
 * int8 rows apply the activation table in registers (tbl/tbx) before the store. */
#include "qs8_epilogue_neon.h"

#define MR 4
#define NR 8

#define STEP(l)                                                                                \
    do {                                                                                       \
        int16x8_t wv = vld1q_s16(w + (l) * 8);                                                 \
        int16x4_t wl = vget_low_s16(wv);                                                       \
        c00 = vmlal_laneq_s16(c00, wl, va0, l);                                                \
        c01 = vmlal_high_laneq_s16(c01, wv, va0, l);                                           \
        c10 = vmlal_laneq_s16(c10, wl, va1, l);                                                \
        c11 = vmlal_high_laneq_s16(c11, wv, va1, l);                                           \
        c20 = vmlal_laneq_s16(c20, wl, va2, l);                                                \
        c21 = vmlal_high_laneq_s16(c21, wv, va2, l);                                           \
        c30 = vmlal_laneq_s16(c30, wl, va3, l);                                                \
        c31 = vmlal_high_laneq_s16(c31, wv, va3, l);                                           \
    } while (0)

void yq_qs8_gemm_4x8c1__neon(int m_begin, int m_end, int n, int k, const int8_t *a, size_t lda,
                             const void *packed, void *c, size_t ldc,
                             const struct yq__qs8_epilogue *ep)
{
    const char *panels = yq__qs8_panels(packed, n);
    size_t pbytes = yq__qs8_panel_bytes(k, NR, 8, true);
    size_t esize = ep->fscale ? sizeof(float) : 1;
    int kp = (int)yq__round_up((size_t)k, 8);
    struct yq__lut_neon lut;
    bool vlut = ep->lut && !ep->fscale;
    if (vlut)
        yq__lut_load_neon(ep->lut, &lut);
    for (int i0 = m_begin; i0 < m_end; i0 += MR) {
        int mr = m_end - i0 < MR ? m_end - i0 : MR;
        /* rows past m_end recompute the last row and are not stored */
        const int8_t *ar[MR];
        for (int r = 0; r < MR; r++)
            ar[r] = a + (size_t)(i0 + (r < mr ? r : mr - 1)) * lda;
        for (int j0 = 0; j0 < n; j0 += NR) {
            const char *panel = panels + (size_t)(j0 / NR) * pbytes;
            int32x4_t c00 = vld1q_s32((const int32_t *)panel);
            int32x4_t c01 = vld1q_s32((const int32_t *)panel + 4);
            int32x4_t c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
            const int16_t *w = (const int16_t *)(panel + NR * 4);
            for (int p = 0; p < kp; p += 8, w += 64) {
                int16x8_t va0 = vmovl_s8(vld1_s8(ar[0] + p)), va1 = vmovl_s8(vld1_s8(ar[1] + p));
                int16x8_t va2 = vmovl_s8(vld1_s8(ar[2] + p)), va3 = vmovl_s8(vld1_s8(ar[3] + p));
                STEP(0);
                STEP(1);
                STEP(2);
                STEP(3);
                STEP(4);
                STEP(5);
                STEP(6);
                STEP(7);
            }
            int nc = n - j0 < NR ? n - j0 : NR;
            char *crow = (char *)c + (size_t)i0 * ldc * esize;
            size_t rs = ldc * esize;
            if (vlut && nc == 8) {
                const float *sc = ep->scale + j0;
                int8_t *o = (int8_t *)crow + j0;
                vst1_s8(o, yq__lut8_neon(yq__qs8_requant8_neon(c00, c01, sc, ep), &lut));
                if (mr > 1)
                    vst1_s8(o + rs, yq__lut8_neon(yq__qs8_requant8_neon(c10, c11, sc, ep), &lut));
                if (mr > 2)
                    vst1_s8(o + 2 * rs,
                            yq__lut8_neon(yq__qs8_requant8_neon(c20, c21, sc, ep), &lut));
                if (mr > 3)
                    vst1_s8(o + 3 * rs,
                            yq__lut8_neon(yq__qs8_requant8_neon(c30, c31, sc, ep), &lut));
                continue;
            }
            yq__qs8_store8_neon(c00, c01, j0, nc, crow, ep);
            if (mr > 1)
                yq__qs8_store8_neon(c10, c11, j0, nc, crow + rs, ep);
            if (mr > 2)
                yq__qs8_store8_neon(c20, c21, j0, nc, crow + 2 * rs, ep);
            if (mr > 3)
                yq__qs8_store8_neon(c30, c31, j0, nc, crow + 3 * rs, ep);
        }
    }
}
