/* SPDX-License-Identifier: Apache-2.0 */
/* AVX-512 VNNI qs8 GEMM, 8 rows x 32 columns. vpdpbusd multiplies u8 by s8, so A is fed as
 * A^0x80 = A+128 and packing folded -128*sum W into the bias (kernels.h). Packed panel
 * (nr = 32, kr = 4, int8, k padded to 4):
 *
 *     int32 bias'[32] | for each k group g: [w(j0,4g..4g+3)] ... [w(j0+31,4g..4g+3)]
 *                                            \--- zmm: columns 0-15 ---/ \-- 16-31 --/
 *
 * Each row broadcasts 4 bytes of A to all lanes; two vpdpbusd advance 32 columns by 4 k.
 * A panel with at most 16 live columns (n = 16, the tail of n = 48) reads only its first
 * half and runs 16 rows at once, so YOLO's narrow layers do no work on zero padding.
 * The int8 epilogue packs 64 results into one zmm and applies the activation table there:
 * vpermt2b on two 128-byte halves with VBMI, 16 masked vpshufb without. Tails use masked
 * loads/stores, so nothing is written past column n. */
#include "../kernels_impl.h"

#include <immintrin.h>
#include <string.h>

#define NR 32
#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* Per-call epilogue constants. */
struct ep512 {
    __m512 lo, hi;
    __m512i zp16, order;
    __m512i t0, t1, t2, t3; /* the LUT in four 64-byte quarters (VBMI path) */
    const int8_t *lut;
};

/* vpermt2b through asm: the file is built without -mavx512vbmi so the same code runs on
 * CPUs that lack it; this is reached only when yq__cpu_has_vbmi(). */
ALWAYS_INLINE __m512i permt2b(__m512i t0, __m512i idx, __m512i t1)
{
    __asm__("vpermt2b %2, %1, %0" : "+v"(t0) : "v"(idx), "v"(t1));
    return t0;
}

/* lut[(uint8_t)q] for 64 bytes. The sign bit of q picks the upper 128 entries. */
ALWAYS_INLINE __m512i lut64(__m512i q, const struct ep512 *e, bool vbmi)
{
    if (vbmi) {
        __m512i lo = permt2b(e->t0, q, e->t1), hi = permt2b(e->t2, q, e->t3);
        return _mm512_mask_blend_epi8(_mm512_movepi8_mask(q), lo, hi);
    }
    /* 16 tables of 16: the high nibble selects the table, vpshufb looks up the low one */
    __m512i lo4 = _mm512_and_si512(q, _mm512_set1_epi8(0x0f));
    __m512i hi4 = _mm512_and_si512(q, _mm512_set1_epi8((char)0xf0));
    __m512i r = _mm512_setzero_si512();
#pragma GCC unroll 16
    for (int h = 0; h < 16; h++) {
        __mmask64 m = _mm512_cmpeq_epi8_mask(hi4, _mm512_set1_epi8((char)(h << 4)));
        __m512i t = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(e->lut + 16 * h)));
        r = _mm512_mask_shuffle_epi8(r, m, t, lo4);
    }
    return r;
}

ALWAYS_INLINE __m512i requant(__m512i acc, __m512 s, const struct ep512 *e)
{
    __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), s);
    x = _mm512_min_ps(_mm512_max_ps(x, e->lo), e->hi);
    return _mm512_cvtps_epi32(x);
}

/* Four vectors of 16 accumulators -> 64 int8 in order a, b, c, d. After the clamp every
 * value is an integer within [-255, 255] and adding the zero point lands in [-128, 127], so
 * neither pack saturates; the packs interleave 128-bit lanes, vpermd restores the order. */
ALWAYS_INLINE __m512i pack64(__m512i a, __m512i b, __m512i c, __m512i d, __m512 sa, __m512 sb,
                             __m512 sc, __m512 sd, const struct ep512 *e, bool vbmi)
{
    __m512i ab = _mm512_packs_epi32(requant(a, sa, e), requant(b, sb, e));
    __m512i cd = _mm512_packs_epi32(requant(c, sc, e), requant(d, sd, e));
    ab = _mm512_add_epi16(ab, e->zp16);
    cd = _mm512_add_epi16(cd, e->zp16);
    __m512i q = _mm512_permutexvar_epi32(e->order, _mm512_packs_epi16(ab, cd));
    return e->lut ? lut64(q, e, vbmi) : q;
}

/* Float output, one vector of 16 columns (nc may be <= 0: nothing to do); s holds the
 * scales of these columns. Full vectors use plain stores: masked stores are slower on some
 * CPUs (Zen 4) and the float head writes megabytes. The activation runs per 16 columns so
 * its result never depends on how the kernel blocks the row. */
ALWAYS_INLINE void store16f(__m512i acc, __m512 s, int j, int nc, void *c_row,
                            const struct yq__qs8_epilogue *ep)
{
    if (nc <= 0)
        return;
    float *o = (float *)c_row + j;
    __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), s);
    if (nc >= 16)
        _mm512_storeu_ps(o, x);
    else
        _mm512_mask_storeu_ps(o, (__mmask16)((1u << nc) - 1), x);
    if (ep->act.kind != YQ__ACT_NONE)
        yq__f32_act(o, (size_t)(nc < 16 ? nc : 16), &ep->act);
}

static inline __mmask16 mask16(int nc)
{
    return nc >= 16 ? (__mmask16)0xffff : nc <= 0 ? 0 : (__mmask16)((1u << nc) - 1);
}

static inline __m512i bcast4(const int8_t *p, __m512i x80)
{
    int32_t v;
    memcpy(&v, p, sizeof v);
    return _mm512_xor_si512(_mm512_set1_epi32(v), x80);
}

/* One k group of one row: broadcast 4 bytes of A, one or two vpdpbusd. */
#define ROW2(r)                                                                                \
    va = bcast4(ar[r] + p, x80);                                                               \
    c##r##a = _mm512_dpbusd_epi32(c##r##a, va, w0);                                            \
    c##r##b = _mm512_dpbusd_epi32(c##r##b, va, w1)
#define ROW1(r)                                                                                \
    va = bcast4(ar[r] + p, x80);                                                               \
    c##r##a = _mm512_dpbusd_epi32(c##r##a, va, w0)

/* Tiles of one panel, rows ar[0..R) -> acc[r][0..NB). Named accumulators: GCC keeps an
 * array in registers only with copies on every iteration. */
static inline void compute_8x32(const int8_t *const *ar, const char *panel, int kp,
                                __m512i acc[16][2])
{
    const __m512i x80 = _mm512_set1_epi32((int32_t)0x80808080u);
    __m512i b0 = _mm512_loadu_si512(panel), b1 = _mm512_loadu_si512(panel + 64);
    __m512i c0a = b0, c0b = b1, c1a = b0, c1b = b1, c2a = b0, c2b = b1, c3a = b0, c3b = b1,
            c4a = b0, c4b = b1, c5a = b0, c5b = b1, c6a = b0, c6b = b1, c7a = b0, c7b = b1;
    const char *w = panel + NR * 4;
    for (int p = 0; p < kp; p += 4, w += 128) {
        __m512i w0 = _mm512_loadu_si512(w), w1 = _mm512_loadu_si512(w + 64), va;
        ROW2(0);
        ROW2(1);
        ROW2(2);
        ROW2(3);
        ROW2(4);
        ROW2(5);
        ROW2(6);
        ROW2(7);
    }
    acc[0][0] = c0a, acc[0][1] = c0b, acc[1][0] = c1a, acc[1][1] = c1b;
    acc[2][0] = c2a, acc[2][1] = c2b, acc[3][0] = c3a, acc[3][1] = c3b;
    acc[4][0] = c4a, acc[4][1] = c4b, acc[5][0] = c5a, acc[5][1] = c5b;
    acc[6][0] = c6a, acc[6][1] = c6b, acc[7][0] = c7a, acc[7][1] = c7b;
}

static inline void compute_8x16(const int8_t *const *ar, const char *panel, int kp,
                                __m512i acc[16][2])
{
    const __m512i x80 = _mm512_set1_epi32((int32_t)0x80808080u);
    __m512i b0 = _mm512_loadu_si512(panel);
    __m512i c0a = b0, c1a = b0, c2a = b0, c3a = b0, c4a = b0, c5a = b0, c6a = b0, c7a = b0;
    const char *w = panel + NR * 4;
    for (int p = 0; p < kp; p += 4, w += 128) {
        __m512i w0 = _mm512_loadu_si512(w), va;
        ROW1(0);
        ROW1(1);
        ROW1(2);
        ROW1(3);
        ROW1(4);
        ROW1(5);
        ROW1(6);
        ROW1(7);
    }
    acc[0][0] = c0a, acc[1][0] = c1a, acc[2][0] = c2a, acc[3][0] = c3a;
    acc[4][0] = c4a, acc[5][0] = c5a, acc[6][0] = c6a, acc[7][0] = c7a;
}

static inline void compute_16x16(const int8_t *const *ar, const char *panel, int kp,
                                 __m512i acc[16][2])
{
    const __m512i x80 = _mm512_set1_epi32((int32_t)0x80808080u);
    __m512i b0 = _mm512_loadu_si512(panel);
    __m512i c0a = b0, c1a = b0, c2a = b0, c3a = b0, c4a = b0, c5a = b0, c6a = b0, c7a = b0,
            c8a = b0, c9a = b0, c10a = b0, c11a = b0, c12a = b0, c13a = b0, c14a = b0,
            c15a = b0;
    const char *w = panel + NR * 4;
    for (int p = 0; p < kp; p += 4, w += 128) {
        __m512i w0 = _mm512_loadu_si512(w), va;
        ROW1(0);
        ROW1(1);
        ROW1(2);
        ROW1(3);
        ROW1(4);
        ROW1(5);
        ROW1(6);
        ROW1(7);
        ROW1(8);
        ROW1(9);
        ROW1(10);
        ROW1(11);
        ROW1(12);
        ROW1(13);
        ROW1(14);
        ROW1(15);
    }
    acc[0][0] = c0a, acc[1][0] = c1a, acc[2][0] = c2a, acc[3][0] = c3a;
    acc[4][0] = c4a, acc[5][0] = c5a, acc[6][0] = c6a, acc[7][0] = c7a;
    acc[8][0] = c8a, acc[9][0] = c9a, acc[10][0] = c10a, acc[11][0] = c11a;
    acc[12][0] = c12a, acc[13][0] = c13a, acc[14][0] = c14a, acc[15][0] = c15a;
}
#undef ROW1
#undef ROW2

/* Stores rows [0, mr) of an R x (NB*16) accumulator tile at columns j0.. (nc live). */
ALWAYS_INLINE void store(const int R, const int NB, __m512i acc[16][2], int mr, int j0, int nc,
                         char *c0, size_t rs, const struct yq__qs8_epilogue *ep,
                         const struct ep512 *e, bool vbmi)
{
    if (ep->fscale) {
        __m512 s0 = _mm512_maskz_loadu_ps(mask16(nc), ep->fscale + j0);
        __m512 s1 = NB > 1 ? _mm512_maskz_loadu_ps(mask16(nc - 16), ep->fscale + j0 + 16)
                           : _mm512_setzero_ps();
        for (int r = 0; r < mr; r++) {
            store16f(acc[r][0], s0, j0, nc, c0 + (size_t)r * rs, ep);
            if (NB > 1)
                store16f(acc[r][1], s1, j0 + 16, nc - 16, c0 + (size_t)r * rs, ep);
        }
        return;
    }
    int8_t *o = (int8_t *)c0 + j0;
    if (NB > 1) {
        __mmask16 m1 = nc >= 32 ? (__mmask16)0xffff : (__mmask16)((1u << (nc - 16)) - 1);
        __m512 s0 = _mm512_loadu_ps(ep->scale + j0);
        __m512 s1 = _mm512_maskz_loadu_ps(m1, ep->scale + j0 + 16);
        __mmask32 m = nc >= 32 ? (__mmask32)0xffffffffu : (__mmask32)((1u << nc) - 1);
#pragma GCC unroll 8
        for (int r = 0; r < R; r += 2) {
            if (r >= mr)
                break;
            __m512i v = pack64(acc[r][0], acc[r][1], acc[r + 1][0], acc[r + 1][1], s0, s1, s0,
                               s1, e, vbmi);
            __m256i v0 = _mm512_castsi512_si256(v), v1 = _mm512_extracti64x4_epi64(v, 1);
            if (nc >= 32) {
                _mm256_storeu_si256((__m256i *)(o + (size_t)r * rs), v0);
                if (r + 1 < mr)
                    _mm256_storeu_si256((__m256i *)(o + (size_t)(r + 1) * rs), v1);
            } else {
                _mm256_mask_storeu_epi8(o + (size_t)r * rs, m, v0);
                if (r + 1 < mr)
                    _mm256_mask_storeu_epi8(o + (size_t)(r + 1) * rs, m, v1);
            }
        }
        return;
    }
    __mmask16 m = nc >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << nc) - 1);
    __m512 s = _mm512_maskz_loadu_ps(m, ep->scale + j0);
#pragma GCC unroll 4
    for (int r = 0; r < R; r += 4) {
        if (r >= mr)
            break;
        __m512i v = pack64(acc[r][0], acc[r + 1][0], acc[r + 2][0], acc[r + 3][0], s, s, s, s,
                           e, vbmi);
        if (nc >= 16 && r + 4 <= mr) {
            _mm_storeu_si128((__m128i *)(o + (size_t)r * rs), _mm512_castsi512_si128(v));
            _mm_storeu_si128((__m128i *)(o + (size_t)(r + 1) * rs),
                             _mm512_extracti32x4_epi32(v, 1));
            _mm_storeu_si128((__m128i *)(o + (size_t)(r + 2) * rs),
                             _mm512_extracti32x4_epi32(v, 2));
            _mm_storeu_si128((__m128i *)(o + (size_t)(r + 3) * rs),
                             _mm512_extracti32x4_epi32(v, 3));
            continue;
        }
        _mm_mask_storeu_epi8(o + (size_t)r * rs, m, _mm512_castsi512_si128(v));
        if (r + 1 < mr)
            _mm_mask_storeu_epi8(o + (size_t)(r + 1) * rs, m, _mm512_extracti32x4_epi32(v, 1));
        if (r + 2 < mr)
            _mm_mask_storeu_epi8(o + (size_t)(r + 2) * rs, m, _mm512_extracti32x4_epi32(v, 2));
        if (r + 3 < mr)
            _mm_mask_storeu_epi8(o + (size_t)(r + 3) * rs, m, _mm512_extracti32x4_epi32(v, 3));
    }
}

/* One block of R rows from i0 (mr of them real; the rest recompute the last real row and
 * are not stored) across all panels. Panels with more than 16 live columns run as 8 x 32. */
ALWAYS_INLINE void block(const int R, int i0, int mr, int n, int kp, const int8_t *a,
                         size_t lda, const char *panels, size_t pbytes, char *c, size_t rs,
                         const struct yq__qs8_epilogue *ep, const struct ep512 *e, bool vbmi)
{
    const int8_t *ar[16];
    for (int r = 0; r < 16; r++)
        ar[r] = a + (size_t)(i0 + (r < mr ? r : mr - 1)) * lda;
    char *crow = c + (size_t)i0 * rs;
    for (int j0 = 0; j0 < n; j0 += NR) {
        const char *panel = panels + (size_t)(j0 / NR) * pbytes;
        int nc = n - j0 < NR ? n - j0 : NR;
        __m512i acc[16][2];
        if (nc > 16) {
            for (int h = 0; h < R; h += 8) {
                if (h >= mr)
                    break;
                compute_8x32(ar + h, panel, kp, acc);
                store(8, 2, acc, mr - h < 8 ? mr - h : 8, j0, nc, crow + (size_t)h * rs, rs, ep,
                      e, vbmi);
            }
        } else {
            if (R == 16)
                compute_16x16(ar, panel, kp, acc);
            else
                compute_8x16(ar, panel, kp, acc);
            store(R, 1, acc, mr, j0, nc, crow, rs, ep, e, vbmi);
        }
    }
}

ALWAYS_INLINE void run(int m_begin, int m_end, int n, int k, const int8_t *a, size_t lda,
                       const void *packed, void *c, size_t ldc,
                       const struct yq__qs8_epilogue *ep, bool vbmi)
{
    const char *panels = yq__qs8_panels(packed, n);
    size_t pbytes = yq__qs8_panel_bytes(k, NR, 4, false);
    size_t rs = ldc * (ep->fscale ? sizeof(float) : 1);
    int kp = (int)yq__round_up((size_t)k, 4);
    struct ep512 e;
    memset(&e, 0, sizeof e);
    if (!ep->fscale) {
        e.lo = _mm512_set1_ps((float)(ep->out_min - ep->out_zp));
        e.hi = _mm512_set1_ps((float)(ep->out_max - ep->out_zp));
        e.zp16 = _mm512_set1_epi16((int16_t)ep->out_zp);
        /* dword (lane L, source s) of the packs -> position 4*s + L */
        e.order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        e.lut = ep->lut;
        if (e.lut && vbmi) {
            e.t0 = _mm512_loadu_si512(e.lut);
            e.t1 = _mm512_loadu_si512(e.lut + 64);
            e.t2 = _mm512_loadu_si512(e.lut + 128);
            e.t3 = _mm512_loadu_si512(e.lut + 192);
        }
    }
    char *cb = c;
    int i0 = m_begin;
    for (; m_end - i0 >= 16; i0 += 16)
        block(16, i0, 16, n, kp, a, lda, panels, pbytes, cb, rs, ep, &e, vbmi);
    for (; i0 < m_end; i0 += 8) {
        int mr = m_end - i0 < 8 ? m_end - i0 : 8;
        block(8, i0, mr, n, kp, a, lda, panels, pbytes, cb, rs, ep, &e, vbmi);
    }
}

void yq__qs8_gemm_8x32c4__avx512vnni_novbmi(int m_begin, int m_end, int n, int k,
                                            const int8_t *a, size_t lda, const void *packed,
                                            void *c, size_t ldc,
                                            const struct yq__qs8_epilogue *ep)
{
    run(m_begin, m_end, n, k, a, lda, packed, c, ldc, ep, false);
}

void yq_qs8_gemm_8x32c4__avx512vnni(int m_begin, int m_end, int n, int k, const int8_t *a,
                                    size_t lda, const void *packed, void *c, size_t ldc,
                                    const struct yq__qs8_epilogue *ep)
{
    if (yq__cpu_has_vbmi())
        run(m_begin, m_end, n, k, a, lda, packed, c, ldc, ep, true);
    else
        run(m_begin, m_end, n, k, a, lda, packed, c, ldc, ep, false);
}
