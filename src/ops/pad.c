/* SPDX-License-Identifier: Apache-2.0 */
/* Pad (constant, reflect, edge) for f32 and int64; pads and mode are read as for int8 Pad
 * (pad_common.h), the constant value here. Each output row (last dim) maps every outer index
 * to a source index, then fills left/middle/right. */
#include "ops/pad_common.h"

struct pad_state {
    struct yq__pad_plan p;
    size_t es;
    double value;
};

static enum yq_status pad_check(const struct yq__graph *g, int node, struct pad_state *s,
                                struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    enum yq_status st = yq__ops_check_io(g, node, 1, 4, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    memset(s, 0, sizeof *s);
    if (x->dtype != YQ__DTYPE_F32 && x->dtype != YQ__DTYPE_S64)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "type %s is not supported",
                            yq__dtype_name(x->dtype));
    s->es = yq__dtype_size(x->dtype);
    s->value = yq__attr_float(nd, "value", 0.0f);
    const struct yq__tensor *cv = yq__ops_in(g, node, 2);
    if (cv) {
        const void *v = yq__ops_value(g, nd->in[2]);
        if (!v || cv->dtype != x->dtype || yq__shape_numel(&cv->shape) != 1)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "constant_value must be a constant scalar");
        s->value = x->dtype == YQ__DTYPE_F32 ? *(const float *)v : (double)*(const int64_t *)v;
    }
    return yq__ops_pad_plan(g, node, &s->p, e);
}

static enum yq_status pad_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct pad_state s;
    enum yq_status st = pad_check(g, node, &s, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = x->shape;
    for (int i = 0; i < s.p.rank; i++)
        o.d[i] = s.p.out_d[i];
    yq__ops_set_out(g, node, 0, x->dtype, &o, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status pad_prepare(const struct yq__graph *g, int node, void **state,
                                  size_t *scratch_bytes, struct yq__err *e)
{
    struct pad_state s;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = pad_check(g, node, &s, e);
    if (st)
        return st;
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st)
        return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

static void put(void *dst, size_t es, double v)
{
    if (es == 4) {
        float f = (float)v;
        memcpy(dst, &f, 4);
    } else {
        int64_t q = (int64_t)v;
        memcpy(dst, &q, 8);
    }
}

static void pad_run(const struct yq__exec *x)
{
    const struct pad_state *s = x->state;
    const struct yq__pad_plan *p = &s->p;
    if (p->rank == 0) {
        memcpy(x->out[0], x->in[0], s->es);
        return;
    }
    const int last = p->rank - 1;
    const int64_t ow = p->out_d[last];
    for (int64_t row = 0; row < p->rows; row++) {
        char *dst = (char *)x->out[0] + (size_t)(row * ow) * s->es;
        int64_t off = yq__ops_pad_row_src(p, row);
        const char *src = (const char *)x->in[0] + (size_t)(off < 0 ? 0 : off) * s->es;
        for (int64_t o = 0; o < ow; o++) {
            int64_t si = off < 0 ? -1 : yq__ops_pad_src(p, last, o);
            if (si < 0)
                put(dst + (size_t)o * s->es, s->es, s->value);
            else
                memcpy(dst + (size_t)o * s->es, src + (size_t)si * s->es, s->es);
        }
    }
}

const struct yq__op_impl yq__f32_pad = {
    YQ__OP_PAD, YQ__OPCLASS_AXIS, pad_infer, pad_prepare, pad_run, yq__ops_state_free,
};
