/* SPDX-License-Identifier: Apache-2.0 */
/* ONNX import: a .onnx file (opset 11..21, default domain) → a validated IR graph with
 * static shapes, one canonical form per operator whatever opset it was exported with.
 *
 *     struct yq__graph *g;
 *     char msg[256];
 *     struct yq__err e = {msg, sizeof msg};
 *     if (yq__onnx_import_file("yolov5n.onnx", &g, &e)) { report(msg); return; }
 *     ...
 *     yq__graph_free(g);
 *
 * What the graph looks like after import:
 *  - Tensor shapes in ONNX order, layout YQ__LAYOUT_PLAIN. Initializers and Constant nodes
 *    are constant tensors (data owned by the graph): FLOAT, FLOAT16, BFLOAT16 and DOUBLE
 *    become f32; INT64 s64; INT32, INT16, UINT16 s32; INT8 s8; UINT8 u8; BOOL bool (0/1).
 *    Constant nodes are not graph nodes; their tensor carries the node's output name.
 *  - Graph inputs are the ONNX inputs that are not initializers; float only; a symbolic or
 *    unknown batch (first) dim becomes 1, any other unknown dim is an error.
 *  - Node names: the ONNX name, or "<op_type>_<index>" when empty. An omitted optional
 *    input ("") is -1. Node output tensors have rank 0 until shape inference runs.
 *  - Attributes INT, FLOAT, INTS, FLOATS, STRING are copied (STRING keeps its length,
 *    NULs included); other kinds are ignored (only Constant reads TENSOR).
 *
 * Canonical forms (operators handle only these):
 *  - Split: sizes are the ints attr `split` (taken from the constant 2nd input at opset
 *    >= 13); the node has 1 input. Without `split` the split is even (or `num_outputs`).
 *  - Squeeze, Unsqueeze, ReduceMax, ReduceMean: axes are the ints attr `axes` (from the
 *    constant 2nd input at opset >= 13 / >= 18); the node has 1 input. Absent = default.
 *  - Clip: always float attrs `min` and `max` (-INFINITY / INFINITY when not given, from
 *    constant inputs 2 and 3); the node has 1 input.
 *  - Softmax: always an int attr `axis`; opset < 13 also sets `legacy_coerce` = 1 (the input
 *    is flattened to 2D at `axis`, default 1); opset >= 13 default axis is -1.
 *  - Upsample (deprecated) becomes Resize with inputs {X, -1, scales} and string attrs
 *    `mode` (default "nearest"), `coordinate_transformation_mode` = "asymmetric",
 *    `nearest_mode` = "floor".
 *  - Resize: an optional input given as an empty constant tensor (exporters write that for
 *    roi/scales) becomes -1. Resize, Slice, Reshape, Pad, Expand keep their tensor inputs
 *    (operators read the constants). Pad with attribute pads (opset < 11) cannot occur.
 *  A non-constant tensor where a canonical attr is needed is YQ_STATUS_UNSUPPORTED.
 *
 * Metadata: every metadata_props entry as yq__graph_set_meta(key, value), plus
 * "onnx.producer" = producer_name. g->opset is the default-domain opset.
 * Import ends with yq__graph_infer_fold (src/passes): shape inference interleaved with
 * constant folding, so every tensor has a shape and shape-computing chains (Shape→Gather→
 * Div→Slice...) become constants — such nodes are gone from the imported graph.
 *
 * Errors: one line naming the file (and node, op, tensor) at fault. Statuses:
 * YQ_STATUS_IO (cannot open/read), YQ_STATUS_BAD_MODEL (parse failure, inconsistent model),
 * YQ_STATUS_UNSUPPORTED (opset, operator, custom domain, dtype, dynamic dim, external data),
 * YQ_STATUS_OUT_OF_MEMORY. Malformed input never crashes. Thread-safe (no shared state). */
#ifndef YQ_ONNX_H
#define YQ_ONNX_H

#include <stddef.h>
#include "ir/ir.h"

/* Reads and imports `path`; messages use its base name. *out is NULL on failure; free the
 * graph with yq__graph_free. */
enum yq_status yq__onnx_import_file(const char *path, struct yq__graph **out, struct yq__err *e);
/* Imports a serialized ModelProto of `size` bytes (not retained). `name` (e.g. the file's
 * base name; NULL = "model") prefixes messages and becomes g->source. */
enum yq_status yq__onnx_import_memory(const void *data, size_t size, const char *name,
                                      struct yq__graph **out, struct yq__err *e);


struct yq_array; /* yoloq/toolkit.h: a host tensor in ONNX layout and element type */

/* Imports like yq__onnx_import_memory with the first n_values graph inputs (ONNX order,
 * initializers skipped) supplied: each one an operator needs constant (a weight, a shape,
 * pads, scales, starts...) is bound as an initializer before inference (bound[i] = true,
 * RKNN's input_initial_val); the others stay graph inputs (bound[i] = false) in order.
 * out_types[0..max_out) receive the ONNX elem_type declared for each graph output (0 if
 * none). */
enum yq_status yq__onnx_import_bound(const void *data, size_t size, const char *name,
                                     int n_values, const struct yq_array *values, bool *bound,
                                     int *out_types, int max_out, struct yq__graph **out,
                                     struct yq__err *e);
/* A serialized TensorProto (an ONNX test's input_0.pb) → *out (data yq__malloc'd, in its
 * own elem_type: FLOAT, DOUBLE, FLOAT16, INT8/16/32/64, UINT8/16, BOOL). `what` names it
 * in messages. @retval YQ_STATUS_BAD_INPUT malformed, YQ_STATUS_UNSUPPORTED other types */
enum yq_status yq__onnx_array_from_pb(const void *data, size_t size, const char *what,
                                      struct yq_array *out, struct yq__err *e);
/* Bytes per element of an ONNX elem_type this reader handles, 0 for any other. */
size_t yq__onnx_elem_size(int elem_type);
/* IEEE half bits → float. */
float yq__onnx_f16_to_f32(uint16_t h);

#endif
