/* SPDX-License-Identifier: Apache-2.0 */
/* AVX2 qs8 GEMM, 4 rows x 16 columns. vpmaddubsw would saturate its int16 pair sums
 * (255*127*2 > 32767), so weights are widened to int16 at pack time and vpmaddwd multiplies
 * int16 pairs into exact int32 sums. Packed panel (nr = 16, kr = 2, int16, k padded to 8):
 *
 *     int32 bias'[16] | for each k pair g: [w(j0,2g) w(j0,2g+1)] ... [w(j0+15,2g) ...]
 *                                           \------ ymm: columns 0-7 ------/ \-- 8-15 --/
 *
 * A row: 8 int8 are sign-extended to 4 int16 pairs (both 128-bit halves), and vpshufd
 * broadcasts pair t to every lane, so vpmaddwd yields 8 columns at once. The int8 epilogue
 * stores rows in pairs so the activation table is applied to 32 bytes in a ymm (vpshufb over
 * 16 tables of 16) instead of byte by byte. */
#include "qs8_epilogue_avx2.h"

#include <string.h>

#define MR 4
#define NR 16

#define STEP(t)                                                                                \
    do {                                                                                       \
        __m256i w0 = _mm256_loadu_si256((const __m256i *)(w + (t) * 32));                      \
        __m256i w1 = _mm256_loadu_si256((const __m256i *)(w + (t) * 32 + 16));                 \
        __m256i v;                                                                             \
        v = _mm256_shuffle_epi32(va0, (t) * 0x55);                                             \
        c00 = _mm256_add_epi32(c00, _mm256_madd_epi16(v, w0));                                 \
        c01 = _mm256_add_epi32(c01, _mm256_madd_epi16(v, w1));                                 \
        v = _mm256_shuffle_epi32(va1, (t) * 0x55);                                             \
        c10 = _mm256_add_epi32(c10, _mm256_madd_epi16(v, w0));                                 \
        c11 = _mm256_add_epi32(c11, _mm256_madd_epi16(v, w1));                                 \
        v = _mm256_shuffle_epi32(va2, (t) * 0x55);                                             \
        c20 = _mm256_add_epi32(c20, _mm256_madd_epi16(v, w0));                                 \
        c21 = _mm256_add_epi32(c21, _mm256_madd_epi16(v, w1));                                 \
        v = _mm256_shuffle_epi32(va3, (t) * 0x55);                                             \
        c30 = _mm256_add_epi32(c30, _mm256_madd_epi16(v, w0));                                 \
        c31 = _mm256_add_epi32(c31, _mm256_madd_epi16(v, w1));                                 \
    } while (0)

/* The LUT as 16 ymm of 16 entries (both lanes): d[0] = T0, d[i] = T(i) ^ T(i-1) within each
 * half of the table, T(i) = lut[16i..16i+15]. */
static void lut_tables(const int8_t *lut, __m256i d[16])
{
    for (int i = 0; i < 16; i++) {
        __m128i t = _mm_loadu_si128((const __m128i *)(lut + 16 * i));
        if (i % 8)
            t = _mm_xor_si128(t, _mm_loadu_si128((const __m128i *)(lut + 16 * (i - 1))));
        d[i] = _mm256_broadcastsi128_si256(t);
    }
}

/* lut[(uint8_t)q] for 32 bytes. For the lower half, step i looks up x = q - 16i: vpshufb
 * gives d[i][x & 15] while 0 <= x < 128 (steps i <= q/16) and 0 once x wraps negative, so
 * the XOR telescopes to T(q/16)[q & 15]. The upper half is the same on q ^ 0x80, and the
 * sign of q picks the half. */
static inline __m256i lut32(__m256i q, const __m256i d[16])
{
    const __m256i step = _mm256_set1_epi8(16);
    __m256i x = q, y = _mm256_xor_si256(q, _mm256_set1_epi8((char)0x80));
    __m256i lo = _mm256_shuffle_epi8(d[0], x), hi = _mm256_shuffle_epi8(d[8], y);
    for (int i = 1; i < 8; i++) {
        x = _mm256_sub_epi8(x, step);
        y = _mm256_sub_epi8(y, step);
        lo = _mm256_xor_si256(lo, _mm256_shuffle_epi8(d[i], x));
        hi = _mm256_xor_si256(hi, _mm256_shuffle_epi8(d[8 + i], y));
    }
    return _mm256_blendv_epi8(lo, hi, q);
}

/* Two full rows of 16 int8 outputs with the LUT (int8 mode, nc == 16). */
static inline void store_pair_lut(__m256i a0, __m256i a1, __m256i b0, __m256i b1, int j0,
                                  int8_t *oa, int8_t *ob, const struct yq__qs8_epilogue *ep,
                                  const __m256i d[16])
{
    __m256 lo = _mm256_set1_ps((float)(ep->out_min - ep->out_zp));
    __m256 hi = _mm256_set1_ps((float)(ep->out_max - ep->out_zp));
    __m128i zp = _mm_set1_epi16((int16_t)ep->out_zp);
    const float *s = ep->scale + j0;
    /* as yq__qs8_store16_avx2: in [out_min, out_max] after the zero point, no saturation */
    __m128i qa = _mm_packs_epi16(_mm_add_epi16(yq__requant8_avx2(a0, s, lo, hi), zp),
                                 _mm_add_epi16(yq__requant8_avx2(a1, s + 8, lo, hi), zp));
    __m128i qb = _mm_packs_epi16(_mm_add_epi16(yq__requant8_avx2(b0, s, lo, hi), zp),
                                 _mm_add_epi16(yq__requant8_avx2(b1, s + 8, lo, hi), zp));
    __m256i v = lut32(_mm256_inserti128_si256(_mm256_castsi128_si256(qa), qb, 1), d);
    _mm_storeu_si128((__m128i *)(oa + j0), _mm256_castsi256_si128(v));
    if (ob)
        _mm_storeu_si128((__m128i *)(ob + j0), _mm256_extracti128_si256(v, 1));
}

static inline __m256i load_a8(const int8_t *p)
{
    return _mm256_broadcastsi128_si256(_mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)p)));
}

void yq_qs8_gemm_4x16c2__avx2(int m_begin, int m_end, int n, int k, const int8_t *a,
                              size_t lda, const void *packed, void *c, size_t ldc,
                              const struct yq__qs8_epilogue *ep)
{
    const char *panels = yq__qs8_panels(packed, n);
    size_t pbytes = yq__qs8_panel_bytes(k, NR, 8, true);
    size_t esize = ep->fscale ? sizeof(float) : 1;
    int kp = (int)yq__round_up((size_t)k, 8);
    __m256i d[16];
    bool vlut = ep->lut && !ep->fscale;
    if (vlut)
        lut_tables(ep->lut, d);
    for (int i0 = m_begin; i0 < m_end; i0 += MR) {
        int mr = m_end - i0 < MR ? m_end - i0 : MR;
        /* rows past m_end recompute the last row and are not stored */
        const int8_t *ar[MR];
        for (int r = 0; r < MR; r++)
            ar[r] = a + (size_t)(i0 + (r < mr ? r : mr - 1)) * lda;
        for (int j0 = 0; j0 < n; j0 += NR) {
            const char *panel = panels + (size_t)(j0 / NR) * pbytes;
            __m256i c00 = _mm256_loadu_si256((const __m256i *)panel);
            __m256i c01 = _mm256_loadu_si256((const __m256i *)(panel + 32));
            __m256i c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
            const int16_t *w = (const int16_t *)(panel + NR * 4);
            for (int p = 0; p < kp; p += 8, w += 4 * 32) {
                __m256i va0 = load_a8(ar[0] + p), va1 = load_a8(ar[1] + p);
                __m256i va2 = load_a8(ar[2] + p), va3 = load_a8(ar[3] + p);
                STEP(0);
                STEP(1);
                STEP(2);
                STEP(3);
            }
            int nc = n - j0 < NR ? n - j0 : NR;
            char *crow = (char *)c + (size_t)i0 * ldc * esize;
            size_t rstride = ldc * esize;
            if (vlut && nc == 16) {
                int8_t *o = (int8_t *)crow;
                store_pair_lut(c00, c01, c10, c11, j0, o, mr > 1 ? o + rstride : NULL, ep, d);
                if (mr > 2)
                    store_pair_lut(c20, c21, c30, c31, j0, o + 2 * rstride,
                                   mr > 3 ? o + 3 * rstride : NULL, ep, d);
                continue;
            }
            yq__qs8_store16_avx2(c00, c01, j0, nc, crow, ep);
            if (mr > 1)
                yq__qs8_store16_avx2(c10, c11, j0, nc, crow + rstride, ep);
            if (mr > 2)
                yq__qs8_store16_avx2(c20, c21, j0, nc, crow + 2 * rstride, ep);
            if (mr > 3)
                yq__qs8_store16_avx2(c30, c31, j0, nc, crow + 3 * rstride, ep);
        }
    }
}
