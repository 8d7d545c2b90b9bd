/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the int8 operator files (s8_*.c): checking a tensor against the int8
 * activation contract of src/quant/quantize.h, comparing parameters, and the one rounding
 * rule (round half to even, saturate to [-128, 127]) in a scalar and a vectorisable form.
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

#endif
