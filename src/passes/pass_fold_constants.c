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

static enum yq_status fold_node(struct yq__graph *g, int ni, bool *folded, struct yq__err *e)
{
    struct yq__node *nd = &g->nodes[ni];
    *folded = false;
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
