/* SPDX-License-Identifier: Apache-2.0 */
/* The geometry of Pad shared by the fp32 (pad.c) and int8 (s8_spatial.c) operators: pads from
 * the constant input (opset 11+) or the attribute, in ONNX axis order [b0, b1, ..., e0, e1,
 * ...] mapped to physical axes (so NHWC tensors pad correctly; negative pads crop), the mode,
 * and where each output row (the last dim) reads from. The constant value is each file's. */
#ifndef YQ_OPS_PAD_COMMON_H
#define YQ_OPS_PAD_COMMON_H

#include "ops/util.h"

enum yq__pad_mode { YQ__PAD_MODE_CONSTANT, YQ__PAD_MODE_REFLECT, YQ__PAD_MODE_EDGE };

/* Per physical axis; in_stride in input elements, rows = product of out_d but the last. */
struct yq__pad_plan {
    enum yq__pad_mode mode;
    int rank;
    int64_t in_d[YQ__MAX_RANK], out_d[YQ__MAX_RANK], begin[YQ__MAX_RANK];
    int64_t in_stride[YQ__MAX_RANK], rows;
};

/* Plans the Pad of a node whose input 0 the caller has checked (io count, dtype). Errors name
 * the bad pads or mode. */
enum yq_status yq__ops_pad_plan(const struct yq__graph *g, int node, struct yq__pad_plan *p,
                                struct yq__err *e);

/* Source index of output index o on physical axis ax; -1 means "constant value". */
int64_t yq__ops_pad_src(const struct yq__pad_plan *p, int ax, int64_t o);

/* Input element offset of output row `row` (rank >= 1), or -1 when an outer index falls in
 * the constant padding, so the whole row is the constant value. */
int64_t yq__ops_pad_row_src(const struct yq__pad_plan *p, int64_t row);

#endif
