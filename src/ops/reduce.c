/* SPDX-License-Identifier: Apache-2.0 */
/* ReduceMean and ReduceMax over a set of axes (attribute, or constant input in opset 18),
 * keepdims, noop_with_empty_axes; axes mapped through the layout. One pass over the input
 * accumulates into the output through strides that are zero on the reduced axes. */
#include <float.h>

#include "ops/util.h"

struct reduce_state {
    bool is_max;
    int rank;
    int64_t d[YQ__MAX_RANK];
    int64_t os[YQ__MAX_RANK]; /* output element stride per input dim, 0 if reduced */
    int64_t in_n, out_n, count;
};

static enum yq_status reduce_check(const struct yq__graph *g, int node, struct reduce_state *s,
                                   struct yq__shape *out, struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    enum yq_status st = yq__ops_check_io(g, node, 1, 2, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    if (x->dtype != YQ__DTYPE_F32)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "input must be f32");
    int64_t axes[YQ__MAX_RANK];
    int n = 0, r = x->shape.rank;
    if (yq__ops_in(g, node, 1)) {
        if (!yq__ops_const_ints(g, node, 1, axes, YQ__MAX_RANK, &n))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "axes must be a constant");
    } else {
        const int64_t *a = yq__attr_ints(nd, "axes", &n);
        if (n > YQ__MAX_RANK)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "too many axes");
        if (a)
            memcpy(axes, a, (size_t)n * sizeof *a);
    }
    bool keep = yq__attr_int(nd, "keepdims", 1) != 0;
    bool noop = yq__attr_int(nd, "noop_with_empty_axes", 0) != 0;
    bool red[YQ__MAX_RANK] = {false};
    if (n == 0 && !noop)
        for (int i = 0; i < r; i++)
            red[i] = true;
    for (int i = 0; i < n; i++) {
        int ax = yq__axis_to_phys(x, axes[i]);
        if (ax < 0)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "axis %lld out of range for %s",
                                (long long)axes[i], yq__ops_sh(&x->shape, sb));
        red[ax] = true;
    }
    memset(s, 0, sizeof *s);
    s->is_max = nd->op == YQ__OP_REDUCE_MAX;
    s->rank = r;
    s->count = 1;
    out->rank = 0;
    int64_t stride = 1;
    for (int i = r - 1; i >= 0; i--) {
        s->d[i] = x->shape.d[i];
        s->os[i] = red[i] ? 0 : stride;
        if (red[i])
            s->count *= x->shape.d[i];
        else
            stride *= x->shape.d[i];
    }
    for (int i = 0; i < r; i++)
        if (!red[i] || keep)
            out->d[out->rank++] = red[i] ? 1 : x->shape.d[i];
    s->in_n = yq__shape_numel(&x->shape);
    s->out_n = stride;
    if (s->is_max && s->count == 0)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "ReduceMax over an empty axis");
    return YQ_STATUS_OK;
}

static enum yq_status reduce_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct reduce_state s;
    struct yq__shape out;
    enum yq_status st = reduce_check(g, node, &s, &out, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    yq__ops_set_out(g, node, 0, YQ__DTYPE_F32, &out,
                    out.rank == 4 ? x->layout : YQ__LAYOUT_PLAIN);
    return YQ_STATUS_OK;
}

static enum yq_status reduce_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    struct reduce_state s;
    struct yq__shape out;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = reduce_check(g, node, &s, &out, e);
    if (st)
        return st;
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st)
        return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

static void reduce_run(const struct yq__exec *x)
{
    const struct reduce_state *s = x->state;
    const float *in = x->in[0];
    float *out = x->out[0];
    for (int64_t i = 0; i < s->out_n; i++)
        out[i] = s->is_max ? -FLT_MAX : 0.0f;
    int64_t idx[YQ__MAX_RANK] = {0}, o = 0;
    for (int64_t i = 0; i < s->in_n; i++) {
        float v = in[i];
        if (s->is_max)
            out[o] = v > out[o] ? v : out[o];
        else
            out[o] += v;
        /* odometer increment over the input index, tracking the output offset */
        for (int d = s->rank - 1; d >= 0; d--) {
            o += s->os[d];
            if (++idx[d] < s->d[d])
                break;
            o -= s->os[d] * s->d[d];
            idx[d] = 0;
        }
    }
    if (!s->is_max && s->count > 0) {
        float inv = 1.0f / (float)s->count;
        for (int64_t i = 0; i < s->out_n; i++)
            out[i] *= inv;
    }
}

#define REDUCE_IMPL(sym, op)                                                                       \
    const struct yq__op_impl sym = {op,            YQ__OPCLASS_AXIS, reduce_infer,                 \
                                    reduce_prepare, reduce_run,       yq__ops_state_free};
REDUCE_IMPL(yq__f32_reduce_mean, YQ__OP_REDUCE_MEAN)
REDUCE_IMPL(yq__f32_reduce_max, YQ__OP_REDUCE_MAX)
