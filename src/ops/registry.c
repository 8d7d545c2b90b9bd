/* SPDX-License-Identifier: Apache-2.0 */
/* The operator tables behind yq__op_impl_get: one X-list of fp32 implementations and one
 * of int8 implementations (empty until the int8 operators land). Adding an operator is
 * adding a row: X(enum suffix from YQ__OP_LIST, implementation symbol). */
#include <stdarg.h>
#include <stdio.h>

#include "ops/ops.h"

#define YQ__OPS_F32(X)                                                                             \
    X(ADD, yq__f32_add)                                                                            \
    X(AVERAGE_POOL, yq__f32_average_pool)                                                          \
    X(BATCH_NORM, yq__f32_batch_norm)                                                              \
    X(CAST, yq__f32_cast)                                                                          \
    X(CLIP, yq__f32_clip)                                                                          \
    X(CONCAT, yq__f32_concat)                                                                      \
    X(CONV, yq__f32_conv)                                                                          \
    X(DIV, yq__f32_div)                                                                            \
    X(DROPOUT, yq__f32_dropout)                                                                    \
    X(EXP, yq__f32_exp)                                                                            \
    X(EXPAND, yq__f32_expand)                                                                      \
    X(FLATTEN, yq__f32_flatten)                                                                    \
    X(GATHER, yq__f32_gather)                                                                      \
    X(GLOBAL_AVERAGE_POOL, yq__f32_global_average_pool)                                            \
    X(GLOBAL_MAX_POOL, yq__f32_global_max_pool)                                                    \
    X(HARD_SIGMOID, yq__f32_hard_sigmoid)                                                          \
    X(HARD_SWISH, yq__f32_hard_swish)                                                              \
    X(IDENTITY, yq__f32_identity)                                                                  \
    X(LEAKY_RELU, yq__f32_leaky_relu)                                                              \
    X(LOG, yq__f32_log)                                                                            \
    X(MAT_MUL, yq__f32_mat_mul)                                                                    \
    X(MAX, yq__f32_max)                                                                            \
    X(MAX_POOL, yq__f32_max_pool)                                                                  \
    X(MIN, yq__f32_min)                                                                            \
    X(MUL, yq__f32_mul)                                                                            \
    X(NEG, yq__f32_neg)                                                                            \
    X(PAD, yq__f32_pad)                                                                            \
    X(POW, yq__f32_pow)                                                                            \
    X(RANGE, yq__f32_range)                                                                        \
    X(REDUCE_MAX, yq__f32_reduce_max)                                                              \
    X(REDUCE_MEAN, yq__f32_reduce_mean)                                                            \
    X(RELU, yq__f32_relu)                                                                          \
    X(RESHAPE, yq__f32_reshape)                                                                    \
    X(RESIZE, yq__f32_resize)                                                                      \
    X(SHAPE, yq__f32_shape)                                                                        \
    X(SIGMOID, yq__f32_sigmoid)                                                                    \
    X(SILU, yq__f32_silu)                                                                          \
    X(SLICE, yq__f32_slice)                                                                        \
    X(SOFTMAX, yq__f32_softmax)                                                                    \
    X(SPLIT, yq__f32_split)                                                                        \
    X(SQRT, yq__f32_sqrt)                                                                          \
    X(SQUEEZE, yq__f32_squeeze)                                                                    \
    X(SUB, yq__f32_sub)                                                                            \
    X(TANH, yq__f32_tanh)                                                                          \
    X(TRANSPOSE, yq__f32_transpose)                                                                \
    X(UNSQUEEZE, yq__f32_unsqueeze)                                                                \
    X(UPSAMPLE, yq__f32_upsample)

/* int8 implementations (node->quantized): rows like X(CONV, yq__s8_conv). */
#define YQ__OPS_S8(X)                                                                              \
    X(ADD, yq__s8_add)                                                                             \
    X(AVERAGE_POOL, yq__s8_average_pool)                                                           \
    X(CLIP, yq__s8_clip)                                                                           \
    X(CONCAT, yq__s8_concat)                                                                       \
    X(FLATTEN, yq__s8_flatten)                                                                     \
    X(GATHER, yq__s8_gather)                                                                       \
    X(GLOBAL_AVERAGE_POOL, yq__s8_global_average_pool)                                             \
    X(HARD_SIGMOID, yq__s8_hard_sigmoid)                                                           \
    X(HARD_SWISH, yq__s8_hard_swish)                                                               \
    X(IDENTITY, yq__s8_identity)                                                                   \
    X(LEAKY_RELU, yq__s8_leaky_relu)                                                               \
    X(MAX_POOL, yq__s8_max_pool)                                                                   \
    X(MUL, yq__s8_mul)                                                                             \
    X(PAD, yq__s8_pad)                                                                             \
    X(RELU, yq__s8_relu)                                                                           \
    X(RESHAPE, yq__s8_reshape)                                                                     \
    X(RESIZE, yq__s8_resize)                                                                       \
    X(SIGMOID, yq__s8_sigmoid)                                                                     \
    X(SILU, yq__s8_silu)                                                                           \
    X(SLICE, yq__s8_slice)                                                                         \
    X(SOFTMAX, yq__s8_softmax)                                                                     \
    X(SPLIT, yq__s8_split)                                                                         \
    X(SQUEEZE, yq__s8_squeeze)                                                                     \
    X(TANH, yq__s8_tanh)                                                                           \
    X(TRANSPOSE, yq__s8_transpose)                                                                 \
    X(UNSQUEEZE, yq__s8_unsqueeze)                                                                 \
    X(UPSAMPLE, yq__s8_upsample)                                                                   \
    X(CONV, yq__s8_conv)                                                                           \
    X(QUANTIZE, yq__s8_quantize)                                                                   \
    X(DEQUANTIZE, yq__s8_dequantize)

#define YQ__OPS_DECL(e, sym) extern const struct yq__op_impl sym;
YQ__OPS_F32(YQ__OPS_DECL)
YQ__OPS_S8(YQ__OPS_DECL)
#undef YQ__OPS_DECL

/* NULL-terminated so an empty list is still a valid array. */
#define YQ__OPS_ROW(e, sym) &sym,
static const struct yq__op_impl *const f32_impls[] = {YQ__OPS_F32(YQ__OPS_ROW) NULL};
static const struct yq__op_impl *const s8_impls[] = {YQ__OPS_S8(YQ__OPS_ROW) NULL};
#undef YQ__OPS_ROW

const struct yq__op_impl *yq__op_impl_get(enum yq__op op, bool quantized)
{
    const struct yq__op_impl *const *t = quantized ? s8_impls : f32_impls;
    for (; *t; t++)
        if ((*t)->op == op)
            return *t;
    return NULL;
}

enum yq__op_class yq__op_class_of(enum yq__op op)
{
    const struct yq__op_impl *impl = yq__op_impl_get(op, false);
    if (!impl)
        impl = yq__op_impl_get(op, true);
    return impl ? impl->cls : YQ__OPCLASS_PLAIN;
}

enum yq_status yq__node_err(const struct yq__graph *g, int node, struct yq__err *e,
                            enum yq_status st, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *src = g && g->source ? g->source : "model";
    if (!g || node < 0 || node >= g->n_nodes)
        return yq__errf(e, st, "%s: %s", src, msg);
    const struct yq__node *n = &g->nodes[node];
    return yq__errf(e, st, "%s: node '%s' (%s): %s", src, n->name, yq__op_name(n->op), msg);
}
