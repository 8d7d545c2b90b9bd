/* SPDX-License-Identifier: Apache-2.0 */
/* Constant folding: a node whose inputs are all constants is run once now, through the
 * same operator implementation the runtime uses, and its outputs become constants. This
 * removes the shape arithmetic (Shape→Gather→Concat→Reshape) and anchor-grid math stock
 * exports carry. */
#include "passes.h"

#include <string.h>
#include "ops/op.h"

/* Folding a node whose output is larger than this would bloat the model file. */
#define MAX_FOLD_BYTES (64u << 20)

/* Shape of a tensor whose shape is static is a constant even though its data is not
 * (ONNX order: this runs before the NHWC pass). Honors opset-15 start/end. */
static enum yq_status fold_shape(struct yq__graph *g, int ni, bool *folded, struct yq__err *e)
{
    struct yq__node *nd = &g->nodes[ni];
    const struct yq__tensor *x = &g->tensors[nd->in[0]];
    int rank = x->shape.rank;
    if (rank == 0 || x->layout == YQ__LAYOUT_NHWC)
        return YQ_STATUS_OK;
    int64_t start = yq__attr_int(nd, "start", 0), end = yq__attr_int(nd, "end", rank);
    if (start < 0)
        start += rank;
    if (end < 0)
        end += rank;
    start = start < 0 ? 0 : start > rank ? rank : start;
    end = end < start ? start : end > rank ? rank : end;
    int64_t *v = yq__aligned_alloc((size_t)(end - start + 1) * sizeof *v);
    if (!v)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
    for (int64_t i = start; i < end; i++)
        v[i - start] = x->shape.d[i];
    struct yq__tensor *o = &g->tensors[nd->out[0]];
    o->dtype = YQ__DTYPE_S64;
    o->shape.rank = 1;
    o->shape.d[0] = end - start;
    o->data = v;
    o->nbytes = (size_t)(end - start) * sizeof *v;
    o->producer = -1;
    nd->dead = true;
    *folded = true;
    return YQ_STATUS_OK;
}

static enum yq_status fold_node(struct yq__graph *g, int ni, bool *folded, struct yq__err *e)
{
    struct yq__node *nd = &g->nodes[ni];
    *folded = false;
    if (nd->op == YQ__OP_SHAPE && nd->n_in == 1 && nd->in[0] >= 0 && nd->n_out == 1 &&
        !g->tensors[nd->in[0]].data)
        return fold_shape(g, ni, folded, e);
    const struct yq__op_impl *impl = yq__op_impl_get(nd->op, false);
    if (!impl || !impl->run || nd->n_in == 0)
        return YQ_STATUS_OK;
    for (int j = 0; j < nd->n_in; j++)
        if (nd->in[j] >= 0 && !g->tensors[nd->in[j]].data)
            return YQ_STATUS_OK;
    size_t total = 0;
    for (int j = 0; j < nd->n_out; j++) {
        if (nd->out[j] < 0)
            continue;
        const struct yq__tensor *t = &g->tensors[nd->out[j]];
        total += (size_t)yq__shape_numel(&t->shape) * yq__dtype_size(t->dtype);
    }
    if (total > MAX_FOLD_BYTES)
        return YQ_STATUS_OK;

    void *state = NULL;
    size_t scratch_bytes = 0;
    enum yq_status st = YQ_STATUS_OK;
    if (impl->prepare && (st = impl->prepare(g, ni, &state, &scratch_bytes, e)))
        return st;
    const void *in[16];
    void *out[16];
    size_t out_bytes[16];
    if (nd->n_in > 16 || nd->n_out > 16)
        goto done;
    for (int j = 0; j < nd->n_in; j++)
        in[j] = nd->in[j] >= 0 ? g->tensors[nd->in[j]].data : NULL;
    char *scratch = yq__aligned_alloc(scratch_bytes + 64);
    bool ok = scratch != NULL;
    for (int j = 0; j < nd->n_out; j++) {
        const struct yq__tensor *t = &g->tensors[nd->out[j]];
        out_bytes[j] = (size_t)yq__shape_numel(&t->shape) * yq__dtype_size(t->dtype);
        out[j] = yq__aligned_alloc(out_bytes[j] + 64);
        ok = ok && out[j];
    }
    if (!ok) {
        for (int j = 0; j < nd->n_out; j++)
            yq__aligned_free(out[j]);
        yq__aligned_free(scratch);
        st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory folding constants",
                      g->source);
        goto done;
    }
    struct yq__exec x = {.g = g,
                         .node = nd,
                         .state = state,
                         .in = in,
                         .out = out,
                         .scratch = scratch,
                         .scratch_stride = (scratch_bytes + 63) / 64 * 64,
                         .pool = NULL};
    impl->run(&x);
    yq__aligned_free(scratch);
    for (int j = 0; j < nd->n_out; j++) {
        struct yq__tensor *t = &g->tensors[nd->out[j]];
        t->data = out[j];
        t->nbytes = out_bytes[j];
        t->producer = -1;
    }
    nd->dead = true;
    *folded = true;
done:
    if (impl->release && state)
        impl->release(state);
    return st;
}

enum yq_status yq__pass_fold_constants(struct yq__graph *g, struct yq__err *e)
{
    bool any = false;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        if (g->nodes[ni].dead)
            continue;
        bool folded;
        enum yq_status st = fold_node(g, ni, &folded, e);
        if (st)
            return st;
        any |= folded;
    }
    return any ? yq__graph_compact(g, e) : YQ_STATUS_OK;
}

enum yq_status yq__graph_infer_fold(struct yq__graph *g, struct yq__err *e)
{
    /* Shape inference needs the values of shape-computing subgraphs (Shape→Gather→Concat
     * feeding a Slice or Reshape): infer each node, then fold it at once when its inputs
     * are constant, so the next node sees a constant. */
    bool any = false;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        struct yq__node *nd = &g->nodes[ni];
        if (nd->dead)
            continue;
        const struct yq__op_impl *impl = yq__op_impl_get(nd->op, false);
        if (!impl || !impl->infer)
            return yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: node '%s' (%s): unsupported operator",
                            g->source, nd->name, yq__op_name(nd->op));
        enum yq_status st = impl->infer(g, ni, e);
        if (st)
            return st;
        bool folded;
        if ((st = fold_node(g, ni, &folded, e)))
            return st;
        any |= folded;
    }
    return any ? yq__graph_compact(g, e) : YQ_STATUS_OK;
}
