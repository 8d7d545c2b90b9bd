/* SPDX-License-Identifier: Apache-2.0 */
/* Range(start, limit, delta) for f32, int64 and int32 scalars; the length depends on the
 * values, so the three inputs must be known (constants or side-evaluated) at infer. */
#include <math.h>

#include "ops/util.h"

#define MAX_RANGE (1 << 24)

struct range_state {
    enum yq__dtype dt;
    double start, delta;
    int64_t n;
};

static enum yq_status range_check(const struct yq__graph *g, int node, struct range_state *s,
                                  struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 3, 3, e);
    if (st)
        return st;
    double v[3];
    memset(s, 0, sizeof *s);
    s->dt = yq__ops_in(g, node, 0)->dtype;
    for (int i = 0; i < 3; i++) {
        const struct yq__tensor *t = yq__ops_in(g, node, i);
        const void *p = yq__ops_value(g, g->nodes[node].in[i]);
        if (!p || yq__shape_numel(&t->shape) != 1 || t->dtype != s->dt)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "inputs must be known scalars of one type");
        switch (t->dtype) {
        case YQ__DTYPE_F32:
            v[i] = *(const float *)p;
            break;
        case YQ__DTYPE_S64:
            v[i] = (double)*(const int64_t *)p;
            break;
        case YQ__DTYPE_S32:
            v[i] = *(const int32_t *)p;
            break;
        default:
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "type %s is not supported",
                                yq__dtype_name(t->dtype));
        }
    }
    if (v[2] == 0.0 || !isfinite(v[0]) || !isfinite(v[1]) || !isfinite(v[2]))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "delta is 0 or values not finite");
    double n = ceil((v[1] - v[0]) / v[2]);
    if (n > MAX_RANGE)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "range of %.0f elements", n);
    s->n = n > 0 ? (int64_t)n : 0;
    s->start = v[0];
    s->delta = v[2];
    return YQ_STATUS_OK;
}

static enum yq_status range_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct range_state s;
    enum yq_status st = range_check(g, node, &s, e);
    if (st)
        return st;
    struct yq__shape o = {1, {s.n}};
    yq__ops_set_out(g, node, 0, s.dt, &o, YQ__LAYOUT_PLAIN);
    return YQ_STATUS_OK;
}

static enum yq_status range_prepare(const struct yq__graph *g, int node, void **state,
                                    size_t *scratch_bytes, struct yq__err *e)
{
    struct range_state s;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = range_check(g, node, &s, e);
    if (st)
        return st;
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st)
        return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

static void range_run(const struct yq__exec *x)
{
    const struct range_state *s = x->state;
    for (int64_t i = 0; i < s->n; i++) {
        double v = s->start + (double)i * s->delta;
        if (s->dt == YQ__DTYPE_F32)
            ((float *)x->out[0])[i] = (float)v;
        else if (s->dt == YQ__DTYPE_S64)
            ((int64_t *)x->out[0])[i] = (int64_t)v;
        else
            ((int32_t *)x->out[0])[i] = (int32_t)v;
    }
}

const struct yq__op_impl yq__f32_range = {
    YQ__OP_RANGE, YQ__OPCLASS_PLAIN, range_infer, range_prepare, range_run, yq__ops_state_free,
};
