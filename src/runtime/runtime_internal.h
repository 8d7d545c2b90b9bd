/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime's private structures: a model is a finished graph plus each node's prepared
 * operator state and the memory plan every session uses; a session is one activation
 * block, the per-node data pointers into it, a compute pool and scratch. */
#ifndef YQ_RUNTIME_INTERNAL_H
#define YQ_RUNTIME_INTERNAL_H

#include "yoloq/runtime.h"
#include "ops/op.h"

struct yq_model {
    struct yq__graph *g;
    const struct yq__op_impl **impl; /* per node */
    void **state;                    /* per node, from prepare */
    size_t max_scratch;              /* largest per-thread scratch of any node */
    size_t *offset;                  /* per tensor: offset in the activation block, or SIZE_MAX */
    size_t arena_size;
    size_t weights_size;
    float mean[3], std[3];           /* input normalisation for U8 images into float input */
};

struct yq_session {
    const struct yq_model *m;
    char *block;              /* activations, 64-byte aligned */
    void **tensor_data;       /* per tensor: data pointer (constants point at the model) */
    const void **in_ptrs;     /* per node, node->n_in entries, flattened */
    void **out_ptrs;          /* per node, node->n_out entries, flattened */
    int *in_base, *out_base;  /* per node: index of its first entry */
    struct yq__pool *pool;
    char *scratch;
    size_t scratch_stride;
    float **out_float;        /* per output: dequantized copy (int8 outputs only) */
    struct yq_layer_time *times;
    bool profile;
};

/* Builds a model from a finished graph (passes done, shapes inferred); takes ownership of
 * g in every case. */
enum yq_status yq__model_create(struct yq__graph *g, struct yq_model **out, struct yq__err *e);

#endif
