/* SPDX-License-Identifier: Apache-2.0 */
/* Split along an ONNX axis mapped to the physical one, any element type. Sizes come from
 * the `split` input (opset 13+), the `split` attribute (older opsets), or an even split into
 * the outputs (num_outputs in opset 18: the last part may be smaller). */
#include "ops/util.h"

#define MAX_PARTS 64

struct split_state {
    int n_out;
    size_t es;
    int64_t outer, inner, total;
    int64_t dims[MAX_PARTS];
};

static enum yq_status split_check(const struct yq__graph *g, int node, struct split_state *s,
                                  int *axis_out, struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    enum yq_status st = yq__ops_check_io(g, node, 1, 2, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    int64_t axis = yq__attr_int(nd, "axis", 0);
    int ax = yq__axis_to_phys(x, axis);
    if (ax < 0)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "axis %lld out of range for %s",
                            (long long)axis, yq__ops_sh(&x->shape, sb));
    if (nd->n_out < 1 || nd->n_out > MAX_PARTS)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "%d outputs (1..%d supported)",
                            nd->n_out, MAX_PARTS);
    memset(s, 0, sizeof *s);
    s->n_out = nd->n_out;
    int64_t dim = x->shape.d[ax];
    int n = 0;
    if (yq__ops_in(g, node, 1)) {
        if (!yq__ops_const_ints(g, node, 1, s->dims, MAX_PARTS, &n))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "split sizes must be a constant of at most %d values", MAX_PARTS);
    } else {
        int cnt = 0;
        const int64_t *v = yq__attr_ints(nd, "split", &cnt);
        if (v) {
            if (cnt > MAX_PARTS)
                return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "too many split sizes");
            memcpy(s->dims, v, (size_t)cnt * sizeof *v);
            n = cnt;
        } else {
            int64_t parts = nd->n_out;
            int64_t each = (dim + parts - 1) / parts;
            for (int i = 0; i < nd->n_out; i++)
                s->dims[i] = YQ_MAX(0, YQ_MIN(each, dim - each * i));
            n = nd->n_out;
        }
    }
    int64_t sum = 0;
    for (int i = 0; i < n; i++) {
        if (s->dims[i] < 0)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "negative split size %lld",
                                (long long)s->dims[i]);
        sum += s->dims[i];
    }
    if (n != nd->n_out || sum != dim)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "%d split sizes summing to %lld do not split %s into %d outputs on "
                            "axis %lld",
                            n, (long long)sum, yq__ops_sh(&x->shape, sb), nd->n_out,
                            (long long)axis);
    s->es = yq__dtype_size(x->dtype);
    s->outer = yq__ops_prod(&x->shape, 0, ax);
    s->inner = yq__ops_prod(&x->shape, ax + 1, x->shape.rank);
    s->total = dim;
    *axis_out = ax;
    return YQ_STATUS_OK;
}

static enum yq_status split_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct split_state s;
    int ax;
    enum yq_status st = split_check(g, node, &s, &ax, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    for (int i = 0; i < s.n_out; i++) {
        struct yq__shape o = x->shape;
        o.d[ax] = s.dims[i];
        yq__ops_set_out(g, node, i, x->dtype, &o, x->layout);
    }
    return YQ_STATUS_OK;
}

static enum yq_status split_prepare(const struct yq__graph *g, int node, void **state,
                                    size_t *scratch_bytes, struct yq__err *e)
{
    struct split_state s;
    int ax;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = split_check(g, node, &s, &ax, e);
    if (st)
        return st;
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st)
        return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

static void split_run(const struct yq__exec *x)
{
    const struct split_state *s = x->state;
    const size_t row = (size_t)s->inner * s->es;
    for (int64_t o = 0; o < s->outer; o++) {
        const char *src = (const char *)x->in[0] + (size_t)(o * s->total) * row;
        for (int i = 0; i < s->n_out; i++) {
            size_t len = (size_t)s->dims[i] * row;
            if (x->out[i])
                memcpy((char *)x->out[i] + (size_t)o * len, src, len);
            src += len;
        }
    }
}

const struct yq__op_impl yq__f32_split = {
    YQ__OP_SPLIT, YQ__OPCLASS_AXIS, split_infer, split_prepare, split_run, yq__ops_state_free,
};
