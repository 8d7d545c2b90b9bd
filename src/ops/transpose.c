/* SPDX-License-Identifier: Apache-2.0 */
/* Transpose by `perm` (default: reverse the axes), any element type, in ONNX order. The
 * copy is a strided N-D gather over the output rows, split across the pool when large. */
#include "ops/util.h"

static enum yq_status transpose_check(const struct yq__graph *g, int node, int *perm,
                                      struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 1, 1, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    int r = x->shape.rank, n = 0;
    const int64_t *p = yq__attr_ints(&g->nodes[node], "perm", &n);
    bool seen[YQ__MAX_RANK] = {false};
    char sb[YQ__SHAPE_BUF];
    if (p && n != r)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "perm has %d values for input %s",
                            n, yq__ops_sh(&x->shape, sb));
    for (int i = 0; i < r; i++) {
        int64_t v = p ? p[i] : r - 1 - i;
        if (v < 0 || v >= r || seen[v])
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "perm is not a permutation");
        seen[v] = true;
        perm[i] = (int)v;
    }
    return YQ_STATUS_OK;
}

static enum yq_status transpose_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    int perm[YQ__MAX_RANK];
    enum yq_status st = transpose_check(g, node, perm, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = x->shape;
    for (int i = 0; i < o.rank; i++)
        o.d[i] = x->shape.d[perm[i]];
    yq__ops_set_out(g, node, 0, x->dtype, &o, YQ__LAYOUT_PLAIN);
    return YQ_STATUS_OK;
}

static enum yq_status transpose_prepare(const struct yq__graph *g, int node, void **state,
                                        size_t *scratch_bytes, struct yq__err *e)
{
    int perm[YQ__MAX_RANK];
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = transpose_check(g, node, perm, e);
    if (st)
        return st;
    st = yq__ops_state_alloc(g, node, sizeof(struct yq__nd_copy), state, e);
    if (st)
        return st;
    struct yq__nd_copy *cp = *state;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    int64_t in_stride[YQ__MAX_RANK], s = 1;
    for (int d = x->shape.rank - 1; d >= 0; d--) {
        in_stride[d] = s;
        s *= x->shape.d[d];
    }
    cp->rank = x->shape.rank;
    cp->es = yq__dtype_size(x->dtype);
    for (int i = 0; i < cp->rank; i++) {
        cp->d[i] = x->shape.d[perm[i]];
        cp->is[i] = in_stride[perm[i]];
    }
    yq__ops_nd_copy_init(cp);
    return YQ_STATUS_OK;
}

static void transpose_run(const struct yq__exec *x)
{
    const struct yq__nd_copy *cp = x->state;
    if (cp->rows * cp->d[cp->rank - 1] == 0)
        return;
    yq__ops_nd_copy_run(cp, x->in[0], x->out[0], x->pool);
}

const struct yq__op_impl yq__f32_transpose = {
    YQ__OP_TRANSPOSE, YQ__OPCLASS_PLAIN, transpose_infer,
    transpose_prepare, transpose_run,    yq__ops_state_free,
};
