/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the ONNX importer's files: the nesting pre-check, tensor conversion and
 * opset canonicalisation. Not used outside src/onnx/. */
#ifndef YQ_ONNX_INTERNAL_H
#define YQ_ONNX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ir/ir.h"
#include "onnx.pb-c.h"

/* protobuf-c unpacks nested messages recursively without a depth limit, so a small hostile
 * file (graph → node → attribute → graph → ...) could exhaust the stack. This walks only
 * the fields through which ONNX messages can nest and returns false when nesting exceeds
 * max_depth. Malformed bytes are left for protobuf-c to reject (returns true). */
bool yq__onnx_nesting_ok(const uint8_t *p, size_t n, int max_depth);

/* protobuf-c's allocations through yq__malloc (so failure injection covers them), with a
 * flag telling an unpack that failed for memory from one that met bad bytes. */
struct yq__pb_alloc {
    ProtobufCAllocator a;
    bool failed;
};
void yq__pb_alloc_init(struct yq__pb_alloc *pa);

/* Converts TensorProto `tp` into a constant tensor called `name` (see onnx.h for dtype
 * mapping). `what` describes it in messages ("initializer 'w'"). *out_idx = tensor index. */
enum yq_status yq__onnx_add_tensor_const(struct yq__graph *g, const Onnx__TensorProto *tp,
                                         const char *name, const char *what, int *out_idx,
                                         struct yq__err *e);


/* Rewrites node `node` of g (already added, inputs resolved) into its canonical form for
 * the graph's opset (onnx.h). */
enum yq_status yq__onnx_canonicalize(struct yq__graph *g, int node, struct yq__err *e);

#endif
