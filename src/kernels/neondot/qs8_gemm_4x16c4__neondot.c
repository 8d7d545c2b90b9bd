/* SPDX-License-Identifier: Apache-2.0 */
/* NEON dot-product qs8 GEMM, 4 rows x 16 columns. sdot multiplies s8 x s8 and adds groups of
 * 4 into int32 lanes, exactly. Packed panel (nr = 16, kr = 4, int8, k padded to 16):
 *
 *     int32 bias'[16] | for each k group g: [w(j0,4g..4g+3)] ... [w(j0+15,4g..4g+3)]
 *                                            \ q: cols 0-3 / \ 4-7 / \ 8-11 / \ 12-15 /
 *
 * Each row loads 16 int8 of A; lane l of it (4 bytes) feeds k group l. Full 16-column int8
 * rows apply the activation table in registers (tbl/tbx) before the store. */
#include "../neon/qs8_epilogue_neon.h"

#define MR 4
#define NR 16

#define ROW(r, va, l)                                                                          \
    do {                                                                                       \
        acc[r][0] = vdotq_laneq_s32(acc[r][0], w0, va, l);                                     \
        acc[r][1] = vdotq_laneq_s32(acc[r][1], w1, va, l);                                     \
        acc[r][2] = vdotq_laneq_s32(acc[r][2], w2, va, l);                                     \
        acc[r][3] = vdotq_laneq_s32(acc[r][3], w3, va, l);                                     \
    } while (0)

#define STEP(l)                                                                                \
    do {                                                                                       \
        int8x16_t w0 = vld1q_s8(w + (l) * 64), w1 = vld1q_s8(w + (l) * 64 + 16);               \
        int8x16_t w2 = vld1q_s8(w + (l) * 64 + 32), w3 = vld1q_s8(w + (l) * 64 + 48);          \
        ROW(0, va0, l);                                                                        \
        ROW(1, va1, l);                                                                        \
        ROW(2, va2, l);                                                                        \
        ROW(3, va3, l);                                                                        \
    } while (0)

void yq_qs8_gemm_4x16c4__neondot(int m_begin, int m_end, int n, int k, const int8_t *a,
                                 size_t lda, const void *packed, void *c, size_t ldc,
                                 const struct yq__qs8_epilogue *ep)
{
    const char *panels = yq__qs8_panels(packed, n);
    size_t pbytes = yq__qs8_panel_bytes(k, NR, 16, false);
    size_t esize = ep->fscale ? sizeof(float) : 1;
    int kp = (int)yq__round_up((size_t)k, 16);
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
            int32x4_t acc[MR][4];
            for (int q = 0; q < 4; q++) {
                int32x4_t b = vld1q_s32((const int32_t *)panel + 4 * q);
                for (int r = 0; r < MR; r++)
                    acc[r][q] = b;
            }
            const int8_t *w = (const int8_t *)(panel + NR * 4);
            for (int p = 0; p < kp; p += 16, w += 256) {
                int8x16_t va0 = vld1q_s8(ar[0] + p), va1 = vld1q_s8(ar[1] + p);
                int8x16_t va2 = vld1q_s8(ar[2] + p), va3 = vld1q_s8(ar[3] + p);
                STEP(0);
                STEP(1);
                STEP(2);
                STEP(3);
            }
            int nc = n - j0 < NR ? n - j0 : NR;
            for (int r = 0; r < mr; r++) {
                char *crow = (char *)c + (size_t)(i0 + r) * ldc * esize;
                if (vlut && nc == 16) {
                    int8x16_t q = vcombine_s8(
                        yq__qs8_requant8_neon(acc[r][0], acc[r][1], ep->scale + j0, ep),
                        yq__qs8_requant8_neon(acc[r][2], acc[r][3], ep->scale + j0 + 8, ep));
                    vst1q_s8((int8_t *)crow + j0, yq__lut16_neon(q, &lut));
                    continue;
                }
                yq__qs8_store8_neon(acc[r][0], acc[r][1], j0, nc, crow, ep);
                yq__qs8_store8_neon(acc[r][2], acc[r][3], j0 + 8, nc - 8, crow, ep);
            }
        }
    }
}
