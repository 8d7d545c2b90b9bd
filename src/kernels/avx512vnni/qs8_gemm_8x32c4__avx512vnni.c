/* SPDX-License-Identifier: Apache-2.0 */
/* AVX-512 VNNI qs8 GEMM, 8 rows x 32 columns. vpdpbusd multiplies u8 by s8, so A is fed as
 * A^0x80 = A+128 and packing folded -128*sum W into the bias (kernels.h). Packed panel
 * (nr = 32, kr = 4, int8, k padded to 4):
 *
 *     int32 bias'[32] | for each k group g: [w(j0,4g..4g+3)] ... [w(j0+31,4g..4g+3)]
 *                                            \--- zmm: columns 0-15 ---/ \-- 16-31 --/
 *
 * Each row broadcasts 4 bytes of A to all lanes; two vpdpbusd advance 32 columns by 4 k.
 * Tails use masked loads/stores, so nothing is written past column n. */
#include "../kernels_impl.h"

#include <immintrin.h>
#include <string.h>

#define MR 8
#define NR 32

static void store16(__m512i acc, int j, int nc, void *c_row, const struct yq__qs8_epilogue *ep)
{
    if (nc <= 0)
        return;
    __mmask16 m = nc >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << nc) - 1);
    if (ep->fscale) {
        float *o = (float *)c_row + j;
        __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_maskz_loadu_ps(m, ep->fscale + j));
        _mm512_mask_storeu_ps(o, m, x);
        yq__f32_act(o, (size_t)(nc < 16 ? nc : 16), &ep->act);
        return;
    }
    __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_maskz_loadu_ps(m, ep->scale + j));
    x = _mm512_max_ps(x, _mm512_set1_ps((float)(ep->out_min - ep->out_zp)));
    x = _mm512_min_ps(x, _mm512_set1_ps((float)(ep->out_max - ep->out_zp)));
    __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(x), _mm512_set1_epi32(ep->out_zp));
    int8_t *o = (int8_t *)c_row + j;
    _mm_mask_storeu_epi8(o, m, _mm512_cvtsepi32_epi8(q));
    yq__qs8_apply_lut(o, nc < 16 ? nc : 16, ep->lut);
}

static inline __m512i bcast4(const int8_t *p, __m512i x80)
{
    int32_t v;
    memcpy(&v, p, sizeof v);
    return _mm512_xor_si512(_mm512_set1_epi32(v), x80);
}

void yq_qs8_gemm_8x32c4__avx512vnni(int m_begin, int m_end, int n, int k, const int8_t *a,
                                    size_t lda, const void *packed, void *c, size_t ldc,
                                    const struct yq__qs8_epilogue *ep)
{
    const char *panels = yq__qs8_panels(packed, n);
    size_t pbytes = yq__qs8_panel_bytes(k, NR, 4, false);
    size_t esize = ep->fscale ? sizeof(float) : 1;
    int kp = (int)yq__round_up((size_t)k, 4);
    const __m512i x80 = _mm512_set1_epi32((int32_t)0x80808080u);
    for (int i0 = m_begin; i0 < m_end; i0 += MR) {
        int mr = m_end - i0 < MR ? m_end - i0 : MR;
        /* rows past m_end recompute the last row and are not stored */
        const int8_t *ar[MR];
        for (int r = 0; r < MR; r++)
            ar[r] = a + (size_t)(i0 + (r < mr ? r : mr - 1)) * lda;
        for (int j0 = 0; j0 < n; j0 += NR) {
            const char *panel = panels + (size_t)(j0 / NR) * pbytes;
            __m512i b0 = _mm512_loadu_si512(panel), b1 = _mm512_loadu_si512(panel + 64);
            /* named accumulators: an array would live in memory at -O2 */
            __m512i c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0,
                    c31 = b1, c40 = b0, c41 = b1, c50 = b0, c51 = b1, c60 = b0, c61 = b1,
                    c70 = b0, c71 = b1;
            const char *w = panel + NR * 4;
            for (int p = 0; p < kp; p += 4, w += 128) {
                __m512i w0 = _mm512_loadu_si512(w), w1 = _mm512_loadu_si512(w + 64), va;
#define ROW(r)                                                                                 \
    va = bcast4(ar[r] + p, x80);                                                               \
    c##r##0 = _mm512_dpbusd_epi32(c##r##0, va, w0);                                            \
    c##r##1 = _mm512_dpbusd_epi32(c##r##1, va, w1)
                ROW(0);
                ROW(1);
                ROW(2);
                ROW(3);
                ROW(4);
                ROW(5);
                ROW(6);
                ROW(7);
#undef ROW
            }
            __m512i acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31},
                                  {c40, c41}, {c50, c51}, {c60, c61}, {c70, c71}};
            int nc = n - j0 < NR ? n - j0 : NR;
            for (int r = 0; r < mr; r++) {
                char *crow = (char *)c + (size_t)(i0 + r) * ldc * esize;
                store16(acc[r][0], j0, nc, crow, ep);
                store16(acc[r][1], j0 + 16, nc - 16, crow, ep);
            }
        }
    }
}
