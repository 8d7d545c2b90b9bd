/* SPDX-License-Identifier: Apache-2.0 */
/* The operator interface: each operator file implements infer (shapes/dtypes), prepare
 * (parse attributes, pack weights: everything that can fail or allocate) and run (pure
 * compute, allocates nothing), for f32 and — where it exists — int8. The runtime looks
 * implementations up by (op, quantized). */
#ifndef YQ_OP_H
#define YQ_OP_H

#include "core/pool.h"
#include "ir/ir.h"

/* How an operator relates to tensor layout, for pass_nhwc. */
enum yq__op_class {
    YQ__OPCLASS_SPATIAL,     /* needs NHWC 4D data input (Conv, pools, Resize, BN) */
    YQ__OPCLASS_ELEMENTWISE, /* layout-agnostic given equally laid-out operands */
    YQ__OPCLASS_AXIS,        /* works in any layout, maps axes via yq__axis_to_phys */
    YQ__OPCLASS_PLAIN,       /* needs ONNX (NCHW / PLAIN) order */
};

/* What run() sees. in[i]/out[i] are the data of node->in[i]/node->out[i] (NULL for an
 * omitted optional input); constant inputs point at the constant's data. */
struct yq__exec {
    const struct yq__graph *g;
    const struct yq__node *node;
    const void *state;      /* from prepare; immutable and shared between sessions */
    const void *const *in;
    void *const *out;
    char *scratch;          /* n_threads * scratch_stride bytes */
    size_t scratch_stride;  /* >= the op's scratch bytes, multiple of 64 */
    struct yq__pool *pool;  /* may be NULL (serial) */
};

static inline void *yq__exec_scratch(const struct yq__exec *x, int worker)
{
    return x->scratch + (size_t)worker * x->scratch_stride;
}

struct yq__op_impl {
    enum yq__op op;
    enum yq__op_class cls;
    /* Sets dtype, shape and layout of the node's outputs from its inputs (reading constant
     * inputs where the op needs them). Fails with a message naming node, op and shapes. */
    enum yq_status (*infer)(struct yq__graph *g, int node, struct yq__err *e);
    /* Builds the immutable state (may set *state = NULL) and per-thread scratch bytes. */
    enum yq_status (*prepare)(const struct yq__graph *g, int node, void **state,
                              size_t *scratch_bytes, struct yq__err *e);
    void (*run)(const struct yq__exec *x);
    void (*release)(void *state); /* may be NULL */
};

/* The f32 (quantized = false) or int8 implementation of op; NULL when none exists. */
const struct yq__op_impl *yq__op_impl_get(enum yq__op op, bool quantized);

/* Message prefix helper: "yolov5n.onnx: node '/model.0/conv/Conv' (Conv): " */
enum yq_status yq__node_err(const struct yq__graph *g, int node, struct yq__err *e,
                            enum yq_status st, const char *fmt, ...) YQ_PRINTF(5, 6);

#endif
