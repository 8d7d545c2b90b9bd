/* SPDX-License-Identifier: Apache-2.0 */
/* Standalone BatchNormalization (inference), for BNs the folding pass could not fold into a
 * Conv: y = x * a[c] + b[c] with a = scale / sqrt(var + eps), b = bias - mean * a, computed
 * once at prepare. Channels are the last dim for NHWC, dim 1 otherwise (any rank >= 2). */
#include <math.h>

#include "ops/util.h"

struct bn_state {
    int64_t outer, c, inner;
    float *a, *b;
};

static enum yq_status bn_check(const struct yq__graph *g, int node, int64_t *c, struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 5, 5, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    const struct yq__node *nd = &g->nodes[node];
    if (yq__attr_int(nd, "training_mode", 0) != 0 || nd->n_out > 1)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "training_mode (batch statistics, running mean/var outputs) is not "
                            "supported");
    if (x->dtype != YQ__DTYPE_F32 || x->shape.rank < 2)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "input must be f32 of rank >= 2");
    *c = x->shape.d[yq__ops_is_nhwc(x) ? 3 : 1];
    for (int i = 1; i < 5; i++) {
        const struct yq__tensor *p = yq__ops_in(g, node, i);
        if (p->dtype != YQ__DTYPE_F32 || p->shape.rank != 1 || p->shape.d[0] != *c)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                "parameter '%s' shape %s does not match %lld channels", p->name,
                                yq__ops_sh(&p->shape, sb), (long long)*c);
    }
    return YQ_STATUS_OK;
}

static enum yq_status bn_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    int64_t c;
    enum yq_status st = bn_check(g, node, &c, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    yq__ops_set_out(g, node, 0, YQ__DTYPE_F32, &x->shape, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status bn_prepare(const struct yq__graph *g, int node, void **state,
                                 size_t *scratch_bytes, struct yq__err *e)
{
    int64_t c;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = bn_check(g, node, &c, e);
    if (st)
        return st;
    const float *p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = yq__ops_in(g, node, i + 1)->data;
        if (!p[i])
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "scale/bias/mean/var must be constants");
    }
    size_t hdr = (sizeof(struct bn_state) + 63) / 64 * 64;
    st = yq__ops_state_alloc(g, node, hdr + 2 * (size_t)c * sizeof(float), state, e);
    if (st)
        return st;
    struct bn_state *s = *state;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    float eps = yq__attr_float(&g->nodes[node], "epsilon", 1e-5f);
    s->a = (float *)((char *)s + hdr);
    s->b = s->a + c;
    s->c = c;
    bool nhwc = yq__ops_is_nhwc(x);
    s->outer = nhwc ? yq__ops_prod(&x->shape, 0, 3) : x->shape.d[0];
    s->inner = nhwc ? 1 : yq__ops_prod(&x->shape, 2, x->shape.rank);
    for (int64_t i = 0; i < c; i++) {
        float a = p[0][i] / sqrtf(p[3][i] + eps);
        s->a[i] = a;
        s->b[i] = p[1][i] - p[2][i] * a;
    }
    return YQ_STATUS_OK;
}

static void bn_run(const struct yq__exec *x)
{
    const struct bn_state *s = x->state;
    const float *in = x->in[0];
    float *out = x->out[0];
    for (int64_t o = 0; o < s->outer; o++) {
        for (int64_t c = 0; c < s->c; c++) {
            const float *restrict p = in + (o * s->c + c) * s->inner;
            float *restrict q = out + (o * s->c + c) * s->inner;
            if (s->inner == 1) {
                q[0] = p[0] * s->a[c] + s->b[c];
                continue;
            }
            const float a = s->a[c], b = s->b[c];
            for (int64_t i = 0; i < s->inner; i++)
                q[i] = p[i] * a + b;
        }
    }
}

const struct yq__op_impl yq__f32_batch_norm = {
    YQ__OP_BATCH_NORM, YQ__OPCLASS_SPATIAL, bn_infer, bn_prepare, bn_run, yq__ops_state_free,
};
