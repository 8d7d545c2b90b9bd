/* SPDX-License-Identifier: Apache-2.0 */
/* Gather along an axis (ONNX order), any data type, int64/int32 indices (negative counts
 * from the end). Constant indices are checked at prepare; indices only known at run time
 * that fall outside the axis produce zeros, since run cannot fail. */
#include "ops/util.h"

struct gather_state {
    size_t es;
    enum yq__dtype idx_dt;
    int64_t outer, inner, dim, n_idx;
};

static enum yq_status gather_check(const struct yq__graph *g, int node, struct gather_state *s,
                                   struct yq__shape *out, struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 2, 2, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0), *ix = yq__ops_in(g, node, 1);
    char sb[YQ__SHAPE_BUF];
    int r = x->shape.rank;
    int64_t axis = yq__attr_int(&g->nodes[node], "axis", 0);
    if (axis < 0)
        axis += r;
    if (axis < 0 || axis >= r)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "axis %lld out of range for %s",
                            (long long)yq__attr_int(&g->nodes[node], "axis", 0),
                            yq__ops_sh(&x->shape, sb));
    if (ix->dtype != YQ__DTYPE_S64 && ix->dtype != YQ__DTYPE_S32)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "indices must be int64 or int32");
    if (r - 1 + ix->shape.rank > YQ__MAX_RANK)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "output rank too large");
    int a = (int)axis;
    out->rank = 0;
    for (int i = 0; i < a; i++)
        out->d[out->rank++] = x->shape.d[i];
    for (int i = 0; i < ix->shape.rank; i++)
        out->d[out->rank++] = ix->shape.d[i];
    for (int i = a + 1; i < r; i++)
        out->d[out->rank++] = x->shape.d[i];
    memset(s, 0, sizeof *s);
    s->es = yq__dtype_size(x->dtype);
    s->idx_dt = ix->dtype;
    s->outer = yq__ops_prod(&x->shape, 0, a);
    s->inner = yq__ops_prod(&x->shape, a + 1, r);
    s->dim = x->shape.d[a];
    s->n_idx = yq__shape_numel(&ix->shape);
    const void *iv = yq__ops_value(g, g->nodes[node].in[1]);
    for (int64_t i = 0; iv && i < s->n_idx; i++) {
        int64_t v = ix->dtype == YQ__DTYPE_S64 ? ((const int64_t *)iv)[i]
                                               : ((const int32_t *)iv)[i];
        if (v < -s->dim || v >= s->dim)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                "index %lld out of range for axis of size %lld", (long long)v,
                                (long long)s->dim);
    }
    return YQ_STATUS_OK;
}

static enum yq_status gather_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct gather_state s;
    struct yq__shape out;
    enum yq_status st = gather_check(g, node, &s, &out, e);
    if (st)
        return st;
    yq__ops_set_out(g, node, 0, yq__ops_in(g, node, 0)->dtype, &out, YQ__LAYOUT_PLAIN);
    return YQ_STATUS_OK;
}

static enum yq_status gather_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    struct gather_state s;
    struct yq__shape out;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = gather_check(g, node, &s, &out, e);
    if (st)
        return st;
    if (yq__ops_is_nhwc(yq__ops_in(g, node, 0)))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "data must be in ONNX order");
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st)
        return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

static void gather_run(const struct yq__exec *x)
{
    const struct gather_state *s = x->state;
    const size_t blk = (size_t)s->inner * s->es;
    const char *in = x->in[0];
    char *out = x->out[0];
    for (int64_t o = 0; o < s->outer; o++) {
        for (int64_t j = 0; j < s->n_idx; j++, out += blk) {
            int64_t v = s->idx_dt == YQ__DTYPE_S64 ? ((const int64_t *)x->in[1])[j]
                                                   : ((const int32_t *)x->in[1])[j];
            if (v < 0)
                v += s->dim;
            if (v < 0 || v >= s->dim)
                memset(out, 0, blk);
            else
                memcpy(out, in + (size_t)(o * s->dim + v) * blk, blk);
        }
    }
}

const struct yq__op_impl yq__f32_gather = {
    YQ__OP_GATHER, YQ__OPCLASS_PLAIN, gather_infer, gather_prepare, gather_run, yq__ops_state_free,
};
