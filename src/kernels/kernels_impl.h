/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the kernel files only: prototypes generated from the *.def lists, the packed
 * layouts' geometry, and the scalar requantization every variant must match bit for bit. */
#ifndef YQ_KERNELS_IMPL_H
#define YQ_KERNELS_IMPL_H

#include "kernels.h"

#include <math.h>

#define YQ__QS8_GEMM(fn, isa, mr, nr, kr, kpad, wide, a_xor)                                  \
    void fn(int m_begin, int m_end, int n, int k, const int8_t *a, size_t lda,                 \
            const void *packed, void *c, size_t ldc, const struct yq__qs8_epilogue *ep);
#include "qs8_gemm.def"
#undef YQ__QS8_GEMM
#if defined(__x86_64__)
/* The AVX-512 qs8 GEMM with its LUT path for CPUs without VBMI, whatever this CPU has (the
 * variant in qs8_gemm.def takes the VBMI path where available): for tests. */
void yq__qs8_gemm_8x32c4__avx512vnni_novbmi(int m_begin, int m_end, int n, int k,
                                            const int8_t *a, size_t lda, const void *packed,
                                            void *c, size_t ldc,
                                            const struct yq__qs8_epilogue *ep);
#endif

/* AVX512_VBMI is present and the AVX-512 VNNI level is in use (cpu.c). */
bool yq__cpu_has_vbmi(void);

#define YQ__F32_GEMM(fn, isa, mr, nr)                                                          \
    void fn(int m_begin, int m_end, int n, int k, const float *a, size_t lda,                  \
            const void *packed, float *c, size_t ldc, const struct yq__act *act);
#include "f32_gemm.def"
#undef YQ__F32_GEMM

#define YQ__QS8_DW(fn, isa)                                                                    \
    void fn(const struct yq__dw_shape *s, int oy_begin, int oy_end, const int8_t *in,          \
            const void *packed, void *out, const struct yq__qs8_epilogue *ep);
#define YQ__F32_DW(fn, isa)                                                                    \
    void fn(const struct yq__dw_shape *s, int oy_begin, int oy_end, const float *in,           \
            const void *packed, float *out, const struct yq__act *act);
#include "dw.def"
#undef YQ__QS8_DW
#undef YQ__F32_DW

/* qs8 GEMM packed layout (all variants; only ref reads the header and original bias):
 *
 *   [64 B header: int32 a_zp] [int32 bias[n], NULL -> 0, padded to 16 entries]
 *   panel 0: [int32 bias'[nr]] [k groups: kp/kr x (nr columns x kr consecutive k)] pad->64 B
 *   panel 1: ...
 *
 * bias'[j] = bias[j] - a_zp*sum_p W[j][p] (- 128*sum_p W[j][p] when a_xor); kp = k rounded
 * up to kpad (a multiple of kr); weights past k or n are zero; elements are int8, or int16
 * if wide. */
#define YQ__QS8_HEADER 64

static inline size_t yq__round_up(size_t x, size_t m)
{
    return (x + m - 1) / m * m;
}

static inline size_t yq__qs8_panel_bytes(int k, int nr, int kpad, bool wide)
{
    size_t kp = yq__round_up((size_t)k, (size_t)kpad);
    return yq__round_up((size_t)nr * 4 + kp * (size_t)nr * (wide ? 2 : 1), 64);
}

static inline size_t yq__qs8_panels_offset(int n)
{
    return YQ__QS8_HEADER + yq__round_up((size_t)n, 16) * 4;
}

static inline const char *yq__qs8_panels(const void *packed, int n)
{
    return (const char *)packed + yq__qs8_panels_offset(n);
}

/* The one requantization (kernels.h): clamp in float to integer bounds, round half to even,
 * add the zero point. lrintf rounds with the current mode, which is to-nearest-even by
 * default, exactly as cvtps2dq and fcvtns do. */
static inline int32_t yq__qs8_requant(int32_t acc, float scale, float lo, float hi,
                                      int32_t zp)
{
    float x = (float)acc * scale;
    x = x < lo ? lo : x;
    x = x > hi ? hi : x;
    return (int32_t)lrintf(x) + zp;
}

/* Scalar epilogue of one row segment: acc[0..nc) for columns j0.., written to row `c`
 * (int8 or float by mode). Used by every variant for the float activation and the LUT. */
static inline void yq__qs8_store_row(const int32_t *acc, int nc, int j0, void *c_row,
                                     const struct yq__qs8_epilogue *ep)
{
    if (nc <= 0)
        return;
    if (ep->fscale) {
        float *o = (float *)c_row + j0;
        for (int j = 0; j < nc; j++)
            o[j] = (float)acc[j] * ep->fscale[j0 + j];
        yq__f32_act(o, (size_t)nc, &ep->act);
        return;
    }
    int8_t *o = (int8_t *)c_row + j0;
    float lo = (float)(ep->out_min - ep->out_zp), hi = (float)(ep->out_max - ep->out_zp);
    for (int j = 0; j < nc; j++) {
        int32_t q = yq__qs8_requant(acc[j], ep->scale[j0 + j], lo, hi, ep->out_zp);
        o[j] = ep->lut ? ep->lut[(uint8_t)q] : (int8_t)q;
    }
}

/* Applies the LUT (if any) in place to nc int8 outputs; SIMD variants requantize in vector
 * registers and finish the table lookup here. */
static inline void yq__qs8_apply_lut(int8_t *o, int nc, const int8_t *lut)
{
    if (!lut)
        return;
    for (int j = 0; j < nc; j++)
        o[j] = lut[(uint8_t)o[j]];
}

/* Depthwise packed layouts.
 * qs8: [64 B header: int32 a_zp, kh, kw, c] [int32 bias[cp]] [int32 bias'[cp]]
 *      [int16 w[kh*kw][cp]]   with cp = c rounded up to 16, bias' = bias - a_zp*sum_taps w.
 * f32: [64 B header: int32 kh, kw, c] [float bias[cp]] [float w[kh*kw][cp]] */
#define YQ__DW_HEADER 64
static inline int yq__dw_cp(int c)
{
    return (int)yq__round_up((size_t)c, 16);
}

#endif
