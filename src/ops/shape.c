/* SPDX-License-Identifier: Apache-2.0 */
/* Shape: the input's dims in ONNX order as int64 (an NHWC input reports NCHW dims, so the
 * graph's shape arithmetic is unaffected by the layout pass), with opset-15 start/end. */
#include "ops/util.h"

struct shape_state {
    int n;
    int64_t v[YQ__MAX_RANK];
};

static enum yq_status shape_check(const struct yq__graph *g, int node, struct shape_state *s,
                                  struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 1, 1, e);
    if (st)
        return st;
    struct yq__shape ls;
    yq__ops_logical_shape(yq__ops_in(g, node, 0), &ls);
    int64_t r = ls.rank;
    int64_t start = yq__attr_int(&g->nodes[node], "start", 0);
    int64_t end = yq__attr_int(&g->nodes[node], "end", r);
    start = start < 0 ? YQ_MAX(0, start + r) : YQ_MIN(start, r);
    end = end < 0 ? YQ_MAX(0, end + r) : YQ_MIN(end, r);
    memset(s, 0, sizeof *s);
    for (int64_t i = start; i < end; i++)
        s->v[s->n++] = ls.d[i];
    return YQ_STATUS_OK;
}

static enum yq_status shape_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct shape_state s;
    enum yq_status st = shape_check(g, node, &s, e);
    if (st)
        return st;
    struct yq__shape o = {1, {s.n}};
    yq__ops_set_out(g, node, 0, YQ__DTYPE_S64, &o, YQ__LAYOUT_PLAIN);
    return YQ_STATUS_OK;
}

static enum yq_status shape_prepare(const struct yq__graph *g, int node, void **state,
                                    size_t *scratch_bytes, struct yq__err *e)
{
    struct shape_state s;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = shape_check(g, node, &s, e);
    if (st)
        return st;
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st)
        return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

static void shape_run(const struct yq__exec *x)
{
    const struct shape_state *s = x->state;
    memcpy(x->out[0], s->v, (size_t)s->n * sizeof(int64_t));
}

const struct yq__op_impl yq__f32_shape = {
    YQ__OP_SHAPE, YQ__OPCLASS_AXIS, shape_infer, shape_prepare, shape_run, yq__ops_state_free,
};
