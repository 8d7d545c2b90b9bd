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
    /* U8 image -> S8 input codes per channel (quantized models whose input 0 is S8):
     * quantize((u8 - mean[c]) / std[c]) with the input's parameters. */
    int8_t in_lut[3][256];
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
    void (*observer)(void *ctx, const struct yq_session *s, int node);
    void *observer_ctx;
};

/* Builds a model from a finished graph (passes done, shapes inferred); takes ownership of
 * g in every case. */
enum yq_status yq__model_create(struct yq__graph *g, struct yq_model **out, struct yq__err *e);

/* Calls fn(ctx, s, node) after every node of each run (calibration reads the node's
 * outputs through yq__session_tensor then). fn NULL removes it. */
void yq__session_set_observer(struct yq_session *s,
                              void (*fn)(void *ctx, const struct yq_session *s, int node),
                              void *ctx);
/* Data of tensor t in this session: activations are valid until the memory plan reuses
 * them (inside an observer call, the current node's inputs and outputs are valid). */
void *yq__session_tensor(const struct yq_session *s, int t);
/* Runs node ni alone on whatever its input tensors hold now (accuracy analysis feeds a
 * node the float model's values this way, from inside an observer call). */
void yq__session_run_node(struct yq_session *s, int ni);
/* The input preprocessing a graph records: real = (pixel - mean[c]) / std[c] from the
 * metadata yq.mean / yq.std, defaults 0 and 255 (values as stored, not sanitised). */
void yq__graph_preprocess(const struct yq__graph *g, float mean[3], float std[3]);

/* Frees everything but the graph and returns it (the caller owns it). */
struct yq__graph *yq__model_take_graph(struct yq_model *m);

#endif
