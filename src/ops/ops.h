/* SPDX-License-Identifier: Apache-2.0 */
/* What the rest of the engine needs from src/ops beyond the per-operator interface in op.h:
 * whole-graph shape inference. The runtime and the passes look operators up with
 * yq__op_impl_get (op.h) and drive infer/prepare/run themselves. */
#ifndef YQ_OPS_H
#define YQ_OPS_H

#include "ops/op.h"

/* Runs every live node's infer in graph order, setting dtype, shape and layout of each
 * output. Shape-defining inputs (Reshape's shape, Slice's starts, Resize's scales...) must be
 * constants by then, or come from Shape/Gather/Concat/... chains over known shapes: those
 * are evaluated on the side so their values are known without changing the graph.
 * Returns YQ_STATUS_UNSUPPORTED naming the node and op when an op has no implementation,
 * or the first infer error. One thread at a time per graph. */
enum yq_status yq__graph_infer_shapes(struct yq__graph *g, struct yq__err *e);

/* The op class used by pass_nhwc; YQ__OPCLASS_PLAIN for ops without an implementation. */
enum yq__op_class yq__op_class_of(enum yq__op op);

#endif
