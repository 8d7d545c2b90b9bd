/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel entry points used by the operators. The signatures here are the contract between
 * src/ops and src/kernels; which ISA variant runs behind them is chosen once at load
 * (yq__cpu_isa) and the packed-weight layouts are private to that variant. Each family also
 * exposes its variant descriptors (from the X-macro lists *.def) so tests and benchmarks can
 * iterate every variant the CPU supports. All functions here are safe to call from any
 * thread; run functions only read their packed data and write their own rows. */
#ifndef YQ_KERNELS_H
#define YQ_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- CPU dispatch ----------------------------------------------------------------------- */

/* ISA levels. On x86-64 the chain is REF < SCALAR < AVX2 < AVX512VNNI, on aarch64
 * REF < SCALAR < NEON < NEONDOT. REF is the specification and never chosen at run time. */
enum yq__isa {
    YQ__ISA_REF,
    YQ__ISA_SCALAR,
    YQ__ISA_AVX2,       /* AVX2 + FMA + F16C, OS-enabled YMM state */
    YQ__ISA_AVX512VNNI, /* AVX-512 F/BW/VL/DQ/VNNI, OS-enabled ZMM state */
    YQ__ISA_NEON,       /* aarch64 Advanced SIMD */
    YQ__ISA_NEONDOT,    /* + dot product (HWCAP_ASIMDDP) */
    YQ__ISA_COUNT
};

/* The level kernels run at: the best the CPU and OS support, lowered by the environment
 * variable YQ_ISA=scalar|avx2|avx512vnni|neon|neondot (a level above the detected one, or of
 * the other architecture, is ignored). Detected once, thread-safe. */
enum yq__isa yq__cpu_isa(void);
/* The level the hardware supports, ignoring YQ_ISA. */
enum yq__isa yq__cpu_isa_detected(void);
/* True if kernels of `isa` may run here: REF and SCALAR always, others if on this
 * architecture's chain at or below yq__cpu_isa(). */
bool yq__isa_available(enum yq__isa isa);
/* "ref", "scalar", "avx2", ...; "?" for out-of-range values. */
const char *yq__isa_name(enum yq__isa isa);
/* Writes the available levels in ascending order into out (up to cap); returns the count. */
int yq__isa_list(enum yq__isa *out, int cap);

/* ---- Activations ------------------------------------------------------------------------ */

/* Activation fused into an epilogue. */
enum yq__act_kind {
    YQ__ACT_NONE,
    YQ__ACT_RELU,
    YQ__ACT_LEAKY_RELU, /* alpha = negative slope */
    YQ__ACT_SIGMOID,
    YQ__ACT_SILU,       /* x * sigmoid(x) */
    YQ__ACT_HARD_SWISH, /* x * relu6(x + 3) / 6 */
    YQ__ACT_CLIP,       /* clamp(x, alpha, beta) */
    YQ__ACT_COUNT
};

struct yq__act {
    enum yq__act_kind kind;
    float alpha;
    float beta;
};

/* One activation value computed in double and rounded once: the same bits on every CPU
 * (int8 lookup tables are built from it). act may be NULL = none. */
float yq__act_ref(float x, const struct yq__act *act);

/* Applies an activation in place to n floats (act may be NULL = none). */
void yq__f32_act(float *x, size_t n, const struct yq__act *act);

/* ---- fp32 GEMM -------------------------------------------------------------------------- */

/* fp32 GEMM with bias and activation:
 *     C[i][j] = act(bias[j] + sum_p A[i][p] * B[p][j]),  0 <= i < m, 0 <= j < n, 0 <= p < k
 * A is row-major with lda elements between rows (NHWC activations: a pixel row is the k
 * input channels); B (k x n, row-major with ldb) and bias (n floats, may be NULL) are packed
 * once at prepare into `packed` (yq__f32_gemm_packed_size bytes, 64-byte aligned).
 * C is row-major with ldc elements between rows. Rows [m_begin, m_end) are computed, so
 * threads split work by rows. Not bit-exact across ISAs (FMA, summation order). */
size_t yq__f32_gemm_packed_size(int k, int n);
void yq__f32_gemm_pack(int k, int n, const float *b, size_t ldb, const float *bias, void *packed);
void yq__f32_gemm(int m_begin, int m_end, int n, int k, const float *a, size_t lda,
                  const void *packed, float *c, size_t ldc, const struct yq__act *act);

typedef void (*yq__f32_gemm_fn)(int m_begin, int m_end, int n, int k, const float *a,
                                size_t lda, const void *packed, float *c, size_t ldc,
                                const struct yq__act *act);
/* Every fp32 GEMM variant shares the packed layout of yq__f32_gemm_pack (panels of 16
 * columns), so only the run function differs. */
struct yq__f32_gemm_desc {
    const char *name;
    enum yq__isa isa;
    int mr, nr;
    yq__f32_gemm_fn run;
};
extern const struct yq__f32_gemm_desc yq__f32_gemm_variants[];
extern const int yq__f32_gemm_n_variants;
const struct yq__f32_gemm_desc *yq__f32_gemm_chosen(void);

/* Indirect fp32 GEMM (convolution without im2col), same packed B/bias/act/C as above with
 * k = nseg * seglen: row i of A is nseg segments of seglen contiguous floats, segment g
 * starting at ind[i * nseg + g] (for a KHxKW conv: one segment of KW*C input floats per
 * kernel row, read in place). Rows [0, m) are computed into c. An optional fast path:
 * yq__f32_igemm_chosen() is NULL where the chosen level has none (then im2col + GEMM). */
typedef void (*yq__f32_igemm_fn)(int m, int n, int nseg, int seglen, const float *const *ind,
                                 const void *packed, float *c, size_t ldc,
                                 const struct yq__act *act);
yq__f32_igemm_fn yq__f32_igemm_chosen(void);

/* ---- qs8 GEMM (the INT8 engine) --------------------------------------------------------- */

/* Epilogue of the int8 kernels. Two modes:
 *  int8 output (fscale == NULL), with lo = out_min - out_zp, hi = out_max - out_zp:
 *      q = lrintf(clamp((float)acc * scale[j], lo, hi)) + out_zp   (round half to even)
 *      out = lut ? lut[(uint8_t)q] : q
 *    which equals "round, add zero point, clamp to [out_min, out_max]" because the bounds are
 *    integers; clamping first keeps the float->int conversion in range.
 *    Requires -128 <= out_min <= out_max <= 127 and scale[j] finite.
 *  float output (fscale != NULL): out = act((float)acc * fscale[j]); scale/zp/lut ignored.
 * ldc counts elements of the output type (int8 or float). */
struct yq__qs8_epilogue {
    const float *scale; /* [n], int8 mode */
    int32_t out_zp;
    int32_t out_min;
    int32_t out_max;
    const int8_t *lut;    /* NULL or 256 entries, int8 mode: activation as a lookup table */
    const float *fscale;  /* [n]; non-NULL selects float output */
    struct yq__act act;   /* float mode only */
};

/* qs8 GEMM: C[i][j] = epilogue(acc[i][j]) with
 *     acc[i][j] = bias[j] + sum_p (A[i][p] - a_zp) * W[j][p]
 * A: int8 row-major, lda bytes between rows (asymmetric, zero point a_zp in [-128, 127]).
 * W: w[j*k + p], n output channels of k contiguous int8 (OHWI for NHWC im2col), symmetric.
 * bias: int32[n] or NULL. Packing folds -a_zp*sum_p W[j][p] (and for VNNI, which multiplies
 * u8 by s8 and is fed A^0x80, also -128*sum_p W[j][p]) into the packed bias.
 * Bounds: k <= 16384 and |bias| <= 2^29 keep every partial sum within int32.
 * packed: yq__qs8_gemm_packed_size(k, n) bytes, 64-byte aligned; its layout belongs to the
 * variant chosen at load, so pack and run must come from the same process.
 * Rows [m_begin, m_end) are computed. Kernels read up to 64 bytes past the end of a row of A
 * (tensors are padded) and never write past column n of a row of C. */
size_t yq__qs8_gemm_packed_size(int k, int n);
void yq__qs8_gemm_pack(int k, int n, const int8_t *w, const int32_t *bias, int32_t a_zp,
                       void *packed);
void yq__qs8_gemm(int m_begin, int m_end, int n, int k, const int8_t *a, size_t lda,
                  const void *packed, void *c, size_t ldc, const struct yq__qs8_epilogue *ep);

typedef void (*yq__qs8_gemm_fn)(int m_begin, int m_end, int n, int k, const int8_t *a,
                                size_t lda, const void *packed, void *c, size_t ldc,
                                const struct yq__qs8_epilogue *ep);
/* One row of qs8_gemm.def. Packed layout parameters: panels of nr columns; k padded to a
 * multiple of kpad; kr consecutive k per column; weights widened to int16 if wide; a_xor:
 * the kernel feeds A^0x80 (fold -128*sum W). */
struct yq__qs8_gemm_desc {
    const char *name;
    enum yq__isa isa;
    int mr, nr, kr, kpad;
    bool wide, a_xor;
    size_t (*packed_size)(int k, int n);
    void (*pack)(int k, int n, const int8_t *w, const int32_t *bias, int32_t a_zp,
                 void *packed);
    yq__qs8_gemm_fn run;
};
extern const struct yq__qs8_gemm_desc yq__qs8_gemm_variants[];
extern const int yq__qs8_gemm_n_variants;
const struct yq__qs8_gemm_desc *yq__qs8_gemm_chosen(void);

/* ---- Depthwise convolution (NHWC, one image, depth multiplier 1) ------------------------ */

/* Input in_h x in_w x c (rows of in_w*c elements), output out_h x out_w x c, kernel kh x kw
 * (3x3 and 5x5 have SIMD paths; any 1..7 runs), strides 1 or 2 (any >= 1 runs), implicit
 * padding pad_top/pad_left (bottom/right follow from out_h/out_w). Out-of-image taps read
 * the input zero point (int8) or 0 (float). Rows [oy_begin, oy_end) of the output are
 * computed so threads split by output rows. Kernels may read up to 64 bytes past the end of
 * the input tensor; they never write outside the output rows they compute. */
struct yq__dw_shape {
    int in_h, in_w, c;
    int kh, kw;
    int stride_h, stride_w;
    int pad_top, pad_left;
    int out_h, out_w;
};

/* int8: acc[y][x][ch] = bias[ch] + sum_{ky,kx in image} (in[..][ch] - a_zp) * w[ky][kx][ch],
 * w given as [kh][kw][c] (HWC), per-channel symmetric; bias int32[c] or NULL; then the
 * yq__qs8_epilogue (scale/fscale per channel). Same bounds as the GEMM. The packed layout is
 * shared by all variants. */
size_t yq__qs8_dw_packed_size(int kh, int kw, int c);
void yq__qs8_dw_pack(int kh, int kw, int c, const int8_t *w, const int32_t *bias, int32_t a_zp,
                     void *packed);
void yq__qs8_dw(const struct yq__dw_shape *s, int oy_begin, int oy_end, const int8_t *in,
                const void *packed, void *out, const struct yq__qs8_epilogue *ep);

/* fp32: out = act(bias[ch] + sum w[ky][kx][ch] * in[..][ch]); bias may be NULL. */
size_t yq__f32_dw_packed_size(int kh, int kw, int c);
void yq__f32_dw_pack(int kh, int kw, int c, const float *w, const float *bias, void *packed);
void yq__f32_dw(const struct yq__dw_shape *s, int oy_begin, int oy_end, const float *in,
                const void *packed, float *out, const struct yq__act *act);

typedef void (*yq__qs8_dw_fn)(const struct yq__dw_shape *s, int oy_begin, int oy_end,
                              const int8_t *in, const void *packed, void *out,
                              const struct yq__qs8_epilogue *ep);
typedef void (*yq__f32_dw_fn)(const struct yq__dw_shape *s, int oy_begin, int oy_end,
                              const float *in, const void *packed, float *out,
                              const struct yq__act *act);
struct yq__qs8_dw_desc {
    const char *name;
    enum yq__isa isa;
    yq__qs8_dw_fn run;
};
struct yq__f32_dw_desc {
    const char *name;
    enum yq__isa isa;
    yq__f32_dw_fn run;
};
extern const struct yq__qs8_dw_desc yq__qs8_dw_variants[];
extern const int yq__qs8_dw_n_variants;
extern const struct yq__f32_dw_desc yq__f32_dw_variants[];
extern const int yq__f32_dw_n_variants;

#endif
