/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-graph shape inference: each node's infer in order. Small integer tensors computed
 * from shapes (Shape -> Gather -> Unsqueeze -> Concat feeding a Reshape, as dynamic exports
 * write them) are evaluated on the side with the ops' own prepare/run, so the Reshape's
 * infer sees its target shape before constant folding has run. The graph is not changed. */
#include "ops/ops.h"
#include "ops/util.h"

/* Largest side-evaluated tensor: shape vectors, never activations. */
#define MAX_KNOWN_ELEMS 256

static bool evaluable_op(enum yq__op op)
{
    switch (op) {
    case YQ__OP_SHAPE:
    case YQ__OP_GATHER:
    case YQ__OP_CONCAT:
    case YQ__OP_UNSQUEEZE:
    case YQ__OP_SQUEEZE:
    case YQ__OP_SLICE:
    case YQ__OP_CAST:
    case YQ__OP_MUL:
    case YQ__OP_ADD:
    case YQ__OP_SUB:
    case YQ__OP_DIV:
    case YQ__OP_MIN:
    case YQ__OP_MAX:
    case YQ__OP_NEG:
    case YQ__OP_RANGE:
    case YQ__OP_EXPAND:
    case YQ__OP_RESHAPE:
    case YQ__OP_FLATTEN:
    case YQ__OP_IDENTITY:
        return true;
    default:
        return false;
    }
}

/* Evaluates node ni into known->data when all its inputs have values; failures only mean
 * the values stay unknown. */
static void side_eval(struct yq__graph *g, int ni, const struct yq__op_impl *impl,
                      struct yq__ops_known *known)
{
    const struct yq__node *n = &g->nodes[ni];
    if (!evaluable_op(n->op) || n->n_in > 8 || n->n_out > 4)
        return;
    const void *in[8] = {0};
    void *out[4] = {0};
    for (int i = 0; i < n->n_in; i++) {
        if (n->in[i] < 0)
            continue;
        in[i] = yq__ops_value(g, n->in[i]);
        if (!in[i] && !(n->op == YQ__OP_SHAPE && i == 0))
            return;
    }
    for (int i = 0; i < n->n_out; i++) {
        if (n->out[i] < 0)
            continue;
        const struct yq__tensor *t = &g->tensors[n->out[i]];
        int64_t numel = yq__shape_numel(&t->shape);
        if (numel > MAX_KNOWN_ELEMS || numel < 0 ||
            (t->dtype != YQ__DTYPE_S64 && t->dtype != YQ__DTYPE_S32 && t->dtype != YQ__DTYPE_F32))
            return;
    }
    void *state = NULL;
    size_t scratch_bytes = 0;
    char msg[8];
    struct yq__err quiet = {msg, sizeof msg};
    if (impl->prepare(g, ni, &state, &scratch_bytes, &quiet) != YQ_STATUS_OK)
        return;
    void *scratch = yq__aligned_alloc(scratch_bytes + YQ_ALIGN);
    bool ok = scratch != NULL;
    for (int i = 0; i < n->n_out && ok; i++) {
        if (n->out[i] < 0)
            continue;
        const struct yq__tensor *t = &g->tensors[n->out[i]];
        size_t nb = (size_t)yq__shape_numel(&t->shape) * yq__dtype_size(t->dtype);
        out[i] = yq__aligned_alloc(nb + YQ_ALIGN);
        ok = out[i] != NULL;
    }
    if (ok) {
        struct yq__exec x = {g, n, state, in, out, scratch, scratch_bytes + YQ_ALIGN, NULL};
        impl->run(&x);
        for (int i = 0; i < n->n_out; i++) {
            if (n->out[i] < 0)
                continue;
            const struct yq__tensor *t = &g->tensors[n->out[i]];
            yq__aligned_free(known->data[n->out[i]]);
            known->data[n->out[i]] = out[i];
            known->nbytes[n->out[i]] =
                (size_t)yq__shape_numel(&t->shape) * yq__dtype_size(t->dtype);
            out[i] = NULL;
        }
    }
    for (int i = 0; i < 4; i++)
        yq__aligned_free(out[i]);
    yq__aligned_free(scratch);
    if (impl->release)
        impl->release(state);
}

enum yq_status yq__graph_infer_shapes(struct yq__graph *g, struct yq__err *e)
{
    struct yq__ops_known known = {g->n_tensors, NULL, NULL};
    size_t nt = (size_t)(g->n_tensors > 0 ? g->n_tensors : 1);
    known.data = yq__calloc(nt, sizeof *known.data);
    known.nbytes = yq__calloc(nt, sizeof *known.nbytes);
    if (!known.data || !known.nbytes) {
        yq__free(known.data);
        yq__free(known.nbytes);
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory inferring shapes",
                        g->source);
    }
    yq__ops_set_known(&known);
    enum yq_status st = YQ_STATUS_OK;
    for (int ni = 0; ni < g->n_nodes && st == YQ_STATUS_OK; ni++) {
        struct yq__node *n = &g->nodes[ni];
        if (n->dead)
            continue;
        const struct yq__op_impl *impl = yq__op_impl_get(n->op, n->quantized);
        if (!impl)
            impl = yq__op_impl_get(n->op, !n->quantized);
        if (!impl) {
            st = yq__node_err(g, ni, e, YQ_STATUS_UNSUPPORTED, "operator %s is not supported",
                              yq__op_name(n->op));
            break;
        }
        for (int i = 0; i < n->n_in; i++) {
            if (n->in[i] >= g->n_tensors) {
                st = yq__node_err(g, ni, e, YQ_STATUS_BAD_MODEL, "input %d out of range", i);
                break;
            }
        }
        for (int i = 0; i < n->n_out && st == YQ_STATUS_OK; i++)
            if (n->out[i] >= g->n_tensors)
                st = yq__node_err(g, ni, e, YQ_STATUS_BAD_MODEL, "output %d out of range", i);
        if (st != YQ_STATUS_OK)
            break;
        st = impl->infer(g, ni, e);
        if (st == YQ_STATUS_OK && !n->quantized)
            side_eval(g, ni, impl, &known);
    }
    yq__ops_set_known(NULL);
    for (int t = 0; t < known.n; t++)
        yq__aligned_free(known.data[t]);
    yq__free(known.data);
    yq__free(known.nbytes);
    return st;
}
