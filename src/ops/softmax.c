/* SPDX-License-Identifier: Apache-2.0 */
/* Softmax over one axis (opset 13+ semantics), or with legacy_coerce=1 over the input
 * flattened at `axis` into 2D (opset < 13: all dims from axis on form one row). The axis is
 * mapped through the layout; the legacy form on NHWC data is accepted only when its
 * flattened block is the same set of elements (axis 1). Max-subtracted for stability. */
#include <math.h>

#include "ops/util.h"

struct softmax_state {
    int64_t outer, len, inner;
};

static enum yq_status softmax_check(const struct yq__graph *g, int node, struct softmax_state *s,
                                    struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    enum yq_status st = yq__ops_check_io(g, node, 1, 1, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    if (x->dtype != YQ__DTYPE_F32)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "input must be f32");
    bool legacy = yq__attr_int(nd, "legacy_coerce", 0) != 0;
    int64_t axis = yq__attr_int(nd, "axis", legacy ? 1 : -1);
    int r = x->shape.rank;
    int64_t la = axis < 0 ? axis + r : axis;
    int ax = yq__axis_to_phys(x, axis);
    if (ax < 0)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "axis %lld out of range for %s",
                            (long long)axis, yq__ops_sh(&x->shape, sb));
    if (legacy && la == r - 1)
        legacy = false; /* flattening from the last axis is the plain softmax */
    if (legacy) {
        if (yq__ops_is_nhwc(x) && la != 1)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "legacy softmax at axis %lld needs ONNX order", (long long)axis);
        int from = yq__ops_is_nhwc(x) ? 1 : ax;
        s->outer = yq__ops_prod(&x->shape, 0, from);
        s->len = yq__ops_prod(&x->shape, from, r);
        s->inner = 1;
    } else {
        s->outer = yq__ops_prod(&x->shape, 0, ax);
        s->len = x->shape.d[ax];
        s->inner = yq__ops_prod(&x->shape, ax + 1, r);
    }
    return YQ_STATUS_OK;
}

static enum yq_status softmax_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct softmax_state s;
    enum yq_status st = softmax_check(g, node, &s, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    yq__ops_set_out(g, node, 0, x->dtype, &x->shape, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status softmax_prepare(const struct yq__graph *g, int node, void **state,
                                      size_t *scratch_bytes, struct yq__err *e)
{
    struct softmax_state s;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = softmax_check(g, node, &s, e);
    if (st)
        return st;
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st)
        return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

static void softmax_run(const struct yq__exec *x)
{
    const struct softmax_state *s = x->state;
    const float *in = x->in[0];
    float *out = x->out[0];
    for (int64_t o = 0; o < s->outer; o++) {
        for (int64_t i = 0; i < s->inner; i++) {
            const float *p = in + o * s->len * s->inner + i;
            float *q = out + o * s->len * s->inner + i;
            float m = -INFINITY, sum = 0.0f;
            for (int64_t k = 0; k < s->len; k++)
                m = p[k * s->inner] > m ? p[k * s->inner] : m;
            for (int64_t k = 0; k < s->len; k++) {
                float v = expf(p[k * s->inner] - m);
                q[k * s->inner] = v;
                sum += v;
            }
            float inv = 1.0f / sum;
            for (int64_t k = 0; k < s->len; k++)
                q[k * s->inner] *= inv;
        }
    }
}

const struct yq__op_impl yq__f32_softmax = {
    YQ__OP_SOFTMAX, YQ__OPCLASS_AXIS, softmax_infer, softmax_prepare, softmax_run,
    yq__ops_state_free,
};
