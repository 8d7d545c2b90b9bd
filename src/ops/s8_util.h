/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the int8 operator files (s8_*.c): checking a tensor against the int8
 * activation contract of src/quant/quantize.h, comparing parameters, the one rounding rule
 * (round half to even, saturate to [-128, 127]) in a scalar and a vectorisable form, and the
 * short-span copy, max and table loops of the NHWC code paths written so -O2 compiles them
 * to vector or fixed-size moves.
 * src/ops cannot link src/quant, so the quantize helper mirrors yq__quantize_s8 here (used
 * by the int8 operators, Quantize and int8 Conv). */
#ifndef YQ_OPS_S8_UTIL_H
#define YQ_OPS_S8_UTIL_H

#include <math.h>

#include "ops/util.h"

/* True when t is an int8 activation as the contract defines it. */
static inline bool yq__s8_is_act(const struct yq__tensor *t)
{
    return t && t->dtype == YQ__DTYPE_S8 && t->q.scale > 0.0f && isfinite(t->q.scale) &&
           t->q.zero_point >= -128 && t->q.zero_point <= 127 && t->q.n_channels == 0;
}

static inline bool yq__s8_same_params(const struct yq__tensor *a, const struct yq__tensor *b)
{
    return a->q.scale == b->q.scale && a->q.zero_point == b->q.zero_point;
}

/* Error naming tensor `what` i ('name') that breaks the contract. */
enum yq_status yq__s8_check_act(const struct yq__graph *g, int node, const struct yq__tensor *t,
                                const char *what, int i, struct yq__err *e);

/* Checks a code-moving op: input 0 and every present output are int8 activations and every
 * output has input 0's parameters (the quantize pass guarantees it; a mismatch would
 * silently change values). */
enum yq_status yq__s8_check_move(const struct yq__graph *g, int node, struct yq__err *e);

/* real -> int8, exactly as yq__quantize_s8 (src/quant/calib.c, which src/ops cannot link):
 * x / scale in double, round half to even, add the zero point, saturate; NaN maps to the zero
 * point. Clamping first (the bounds are integers, so this equals clamping after rounding)
 * keeps |t| <= 255, where adding and subtracting 1.5*2^52 rounds to the nearest even integer
 * in the default rounding mode; unlike nearbyint this vectorises (double lanes) on baseline
 * x86-64 and aarch64, so yq__s8_quantize_row is fit for run time (Quantize, int8 Conv). */
static inline int8_t yq__s8_real_to_code(float x, float scale, int32_t zero_point)
{
    const double lo = -128.0 - zero_point, hi = 127.0 - zero_point, magic = 6755399441055744.0;
    double t = (double)x / (double)scale;
    t = t == t ? t : 0.0;
    t = t < lo ? lo : t;
    t = t > hi ? hi : t;
    t = (t + magic) - magic;
    return (int8_t)((int32_t)t + zero_point);
}

static inline void yq__s8_quantize_row(const float *restrict x, int8_t *restrict q, size_t n,
                                       float scale, int32_t zero_point)
{
    for (size_t i = 0; i < n; i++)
        q[i] = yq__s8_real_to_code(x[i], scale, zero_point);
}

static inline float yq__s8_code_to_real(int8_t q, float scale, int32_t zero_point)
{
    return (float)((int32_t)q - zero_point) * scale;
}

/* Requantization step shared by Add, Mul and Concat: lrintf(v) + zp saturated, for finite v.
 * v is clamped to [lo, hi] = [-128 - zp, 127 - zp] first (integers, so clamping before the
 * rounding equals clamping after it, and keeps the conversion in range); then rounded half
 * to even by adding and subtracting 1.5 * 2^23, which for |v| < 2^22 leaves exactly the
 * nearest-even integer in the default rounding mode (what lrintf does) and, unlike lrintf,
 * vectorises. */
static inline int8_t yq__s8_requant(float v, float lo, float hi, int32_t zp)
{
    const float magic = 12582912.0f;
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    return (int8_t)((int32_t)((v + magic) - magic) + zp);
}

/* Short NHWC spans (a pixel's channels: 3 to a few hundred bytes) are copied and combined
 * in fixed 16-byte blocks that compile to single vector loads and stores on any target; a
 * variable-length library call or a variable-count loop (which -O2 does not vectorize) costs
 * more than the work itself at these sizes. */
#define YQ__S8_VEC 16

static inline void yq__s8_copy(int8_t *restrict d, const int8_t *restrict s, size_t n)
{
    if (n >= 256) {
        memcpy(d, s, n);
        return;
    }
    /* unrolled, since GCC turns a loop of block copies back into a library call; the
     * remainder is one more block (or two halves) ending at n, overlapping what is done */
    if (n >= 16) {
        switch (n / 16) {
        case 15:
            memcpy(d + 224, s + 224, 16);
            /* fall through */
        case 14:
            memcpy(d + 208, s + 208, 16);
            /* fall through */
        case 13:
            memcpy(d + 192, s + 192, 16);
            /* fall through */
        case 12:
            memcpy(d + 176, s + 176, 16);
            /* fall through */
        case 11:
            memcpy(d + 160, s + 160, 16);
            /* fall through */
        case 10:
            memcpy(d + 144, s + 144, 16);
            /* fall through */
        case 9:
            memcpy(d + 128, s + 128, 16);
            /* fall through */
        case 8:
            memcpy(d + 112, s + 112, 16);
            /* fall through */
        case 7:
            memcpy(d + 96, s + 96, 16);
            /* fall through */
        case 6:
            memcpy(d + 80, s + 80, 16);
            /* fall through */
        case 5:
            memcpy(d + 64, s + 64, 16);
            /* fall through */
        case 4:
            memcpy(d + 48, s + 48, 16);
            /* fall through */
        case 3:
            memcpy(d + 32, s + 32, 16);
            /* fall through */
        case 2:
            memcpy(d + 16, s + 16, 16);
            /* fall through */
        default:
            memcpy(d, s, 16);
        }
        memcpy(d + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else if (n >= 2) {
        memcpy(d, s, 2);
        memcpy(d + n - 2, s + n - 2, 2);
    } else if (n) {
        d[0] = s[0];
    }
}

/* o[i] = max(o[i], a[i]) over n codes. */
static inline void yq__s8_max_into(int8_t *restrict o, const int8_t *restrict a, size_t n)
{
    size_t i = 0;
    for (; i + YQ__S8_VEC <= n; i += YQ__S8_VEC)
        for (int j = 0; j < YQ__S8_VEC; j++)
            o[i + j] = a[i + j] > o[i + j] ? a[i + j] : o[i + j];
    for (; i < n; i++)
        o[i] = a[i] > o[i] ? a[i] : o[i];
}

/* y[i] = lut[(uint8_t)x[i]], four codes at a time (four independent table loads, one 4-byte
 * store): measured 2-3x faster than the byte loop, which GCC compiles to one load-load-store
 * chain per code. */
static inline void yq__s8_lut_row(const int8_t *restrict x, int8_t *restrict y, size_t n,
                                  const int8_t *restrict lut)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint8_t a = (uint8_t)x[i], b = (uint8_t)x[i + 1], c = (uint8_t)x[i + 2],
                d = (uint8_t)x[i + 3];
        int8_t o[4] = {lut[a], lut[b], lut[c], lut[d]};
        memcpy(y + i, o, 4);
    }
    for (; i < n; i++)
        y[i] = lut[(uint8_t)x[i]];
}

#endif
