/* SPDX-License-Identifier: Apache-2.0 */
/* Graph passes run after import, one file each, in this order by yq__passes_run:
 * fold constants → drop Identity/Dropout → cut the YOLO head (auto or by name) →
 * fold BatchNorm into Conv → fuse activations into Conv → convert to NHWC. */
#ifndef YQ_PASSES_H
#define YQ_PASSES_H

#include "ir/ir.h"

struct yq__pass_options {
    /* Comma-separated tensor names to cut the graph at (RKNN load_onnx(outputs=...)); NULL
     * or "" = automatic head recognition; "none" = keep the graph's own outputs. */
    const char *outputs;
    bool nhwc; /* convert to NHWC (default true) */
    /* Fuse activations into the Conv before them (default true). Off for calibration:
     * the quantizer needs each pre-activation tensor's range and fuses itself. */
    bool fuse_conv_act;
};
void yq__pass_options_init(struct yq__pass_options *o);

enum yq_status yq__passes_run(struct yq__graph *g, const struct yq__pass_options *o,
                              struct yq__err *e);

enum yq_status yq__pass_fold_constants(struct yq__graph *g, struct yq__err *e);
enum yq_status yq__pass_drop_identity(struct yq__graph *g, struct yq__err *e);
enum yq_status yq__pass_cut_head(struct yq__graph *g, const char *outputs, struct yq__err *e);
enum yq_status yq__pass_fold_bn(struct yq__graph *g, struct yq__err *e);
/* Sigmoid·Mul → SiLU always; Conv + activation when conv is true. Quantized nodes are
 * never fused here (the quantizer fuses int8 Convs itself). */
enum yq_status yq__pass_fuse_act(struct yq__graph *g, bool conv, struct yq__err *e);
enum yq_status yq__pass_nhwc(struct yq__graph *g, struct yq__err *e);
/* The epilogue activation equal to node n (Relu, LeakyRelu, Sigmoid, SiLU, HardSwish, Clip
 * with attribute bounds); false for anything else. Used by both Conv+activation fusions
 * (float here, int8 in the quantize pass). */
bool yq__act_of(const struct yq__node *n, struct yq__act *act);

/* Marks nodes that no graph output depends on as dead (then compacts). */
enum yq_status yq__pass_dead_code(struct yq__graph *g, struct yq__err *e);

/* Shape inference interleaved with constant folding (what import runs). */
enum yq_status yq__graph_infer_fold(struct yq__graph *g, struct yq__err *e);

/* Provided by src/ops/infer.c. */
enum yq_status yq__graph_infer_shapes(struct yq__graph *g, struct yq__err *e);

/* Consumers of tensor t among live nodes: fills up to max node indices, returns the count. */
int yq__consumers(const struct yq__graph *g, int t, int *nodes, int max);

#endif
