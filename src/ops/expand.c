/* SPDX-License-Identifier: Apache-2.0 */
/* Expand: broadcast the input to a (constant) shape with numpy rules, any element type, in
 * ONNX order. Uses the same collapsed broadcast plan as the binary operators. */
#include "ops/util.h"

struct expand_state {
    struct yq__bcast bc;
    size_t es;
};

static enum yq_status expand_check(const struct yq__graph *g, int node, struct yq__shape *out,
                                   struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 2, 2, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    int64_t v[YQ__MAX_RANK];
    int n = 0;
    char s1[YQ__SHAPE_BUF], s2[YQ__SHAPE_BUF];
    if (!yq__ops_const_ints(g, node, 1, v, YQ__MAX_RANK, &n))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "shape must be a constant of at most %d values", YQ__MAX_RANK);
    struct yq__shape want = {n, {0}};
    for (int i = 0; i < n; i++) {
        if (v[i] < 0)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "negative dimension");
        want.d[i] = v[i];
    }
    if (!yq__ops_broadcast_shape(&x->shape, &want, out))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "cannot expand %s to %s",
                            yq__ops_sh(&x->shape, s1), yq__ops_sh(&want, s2));
    return YQ_STATUS_OK;
}

static enum yq_status expand_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct yq__shape out;
    enum yq_status st = expand_check(g, node, &out, e);
    if (st)
        return st;
    yq__ops_set_out(g, node, 0, yq__ops_in(g, node, 0)->dtype, &out, YQ__LAYOUT_PLAIN);
    return YQ_STATUS_OK;
}

static enum yq_status expand_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = yq__ops_check_io(g, node, 2, 2, e);
    if (st)
        return st;
    /* the target shape was resolved by infer (possibly from a side-evaluated Shape chain) */
    struct yq__shape out = yq__ops_in(g, node, 0)->shape, bc;
    const struct yq__tensor *y = &g->tensors[g->nodes[node].out[0]];
    if (!yq__ops_broadcast_shape(&out, &y->shape, &bc) || !yq__shape_eq(&bc, &y->shape))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "output shape does not broadcast");
    out = y->shape;
    st = yq__ops_state_alloc(g, node, sizeof(struct expand_state), state, e);
    if (st)
        return st;
    struct expand_state *s = *state;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    yq__ops_bcast_init(&s->bc, &x->shape, &out, &out);
    s->es = yq__dtype_size(x->dtype);
    return YQ_STATUS_OK;
}

static void expand_run(const struct yq__exec *x)
{
    const struct expand_state *s = x->state;
    const struct yq__bcast *bc = &s->bc;
    int64_t inner = bc->d[bc->rank - 1];
    bool contiguous = bc->sa[bc->rank - 1] != 0;
    for (int64_t r = 0; r < bc->rows; r++) {
        int64_t oa, ob;
        yq__ops_bcast_row(bc, r, &oa, &ob);
        const char *src = (const char *)x->in[0] + (size_t)oa * s->es;
        char *dst = (char *)x->out[0] + (size_t)(r * inner) * s->es;
        if (contiguous)
            memcpy(dst, src, (size_t)inner * s->es);
        else
            for (int64_t i = 0; i < inner; i++)
                memcpy(dst + (size_t)i * s->es, src, s->es);
    }
}

const struct yq__op_impl yq__f32_expand = {
    YQ__OP_EXPAND, YQ__OPCLASS_PLAIN, expand_infer, expand_prepare, expand_run, yq__ops_state_free,
};
