/* SPDX-License-Identifier: Apache-2.0 */
/* Softmax over one axis (opset 13+ semantics), or with legacy_coerce=1 over the input
 * flattened at `axis` into 2D (opset < 13: all dims from axis on form one row). The axis is
 * mapped through the layout; the legacy form on NHWC data is accepted only when its
 * flattened block is the same set of elements (axis 1). Max-subtracted for stability.
 * The int8 form (quantize.h) reads codes and writes the output's own parameters. */
#include <math.h>

#include "ops/s8_util.h"

struct softmax_state {
    int64_t outer, len, inner;
};

static enum yq_status softmax_check(const struct yq__graph *g, int node, struct softmax_state *s,
                                    enum yq__dtype dtype, struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    enum yq_status st = yq__ops_check_io(g, node, 1, 1, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    if (x->dtype != dtype)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "input must be %s",
                            yq__dtype_name(dtype));
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

/* The output is the input's shape, layout and dtype (f32 or, for the int8 form, s8). */
static enum yq_status infer_as(struct yq__graph *g, int node, enum yq__dtype dtype,
                               struct yq__err *e)
{
    struct softmax_state s;
    enum yq_status st = softmax_check(g, node, &s, dtype, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    yq__ops_set_out(g, node, 0, dtype, &x->shape, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status softmax_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    return infer_as(g, node, YQ__DTYPE_F32, e);
}

static enum yq_status softmax_prepare(const struct yq__graph *g, int node, void **state,
                                      size_t *scratch_bytes, struct yq__err *e)
{
    struct softmax_state s;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = softmax_check(g, node, &s, YQ__DTYPE_F32, e);
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

/* int8: out = quantize_out(softmax(dequantize(x))) in fp32. Within a row every input is
 * m - d codes below the row's max code m (d in 0..255), so exp(x - max) = exp(-d * s_in)
 * comes from a 256-entry table built at prepare; the sum and the division are fp32 as in
 * the float operator, and the result is rounded once (round half to even, saturate). */
struct s8_softmax_state {
    struct softmax_state p;
    float s_out;
    int32_t zp_out;
    float exp_of[256]; /* exp(-d * s_in) */
};

static enum yq_status s8_softmax_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    return infer_as(g, node, YQ__DTYPE_S8, e);
}

static enum yq_status s8_softmax_prepare(const struct yq__graph *g, int node, void **state,
                                         size_t *scratch_bytes, struct yq__err *e)
{
    struct s8_softmax_state s;
    *state = NULL;
    *scratch_bytes = 0;
    memset(&s, 0, sizeof s);
    enum yq_status st = softmax_check(g, node, &s.p, YQ__DTYPE_S8, e);
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    const struct yq__tensor *y = yq__ops_out((struct yq__graph *)g, node, 0);
    if (!st)
        st = yq__s8_check_act(g, node, x, "input", 0, e);
    if (!st)
        st = yq__s8_check_act(g, node, y, "output", 0, e);
    if (st)
        return st;
    s.s_out = y->q.scale;
    s.zp_out = y->q.zero_point;
    for (int d = 0; d < 256; d++)
        s.exp_of[d] = expf(-(float)d * x->q.scale);
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st)
        return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

static void s8_softmax_run(const struct yq__exec *x)
{
    const struct s8_softmax_state *s = x->state;
    const int8_t *in = x->in[0];
    int8_t *out = x->out[0];
    const int64_t len = s->p.len, inner = s->p.inner;
    for (int64_t o = 0; o < s->p.outer; o++) {
        for (int64_t i = 0; i < inner; i++) {
            const int8_t *p = in + o * len * inner + i;
            int8_t *q = out + o * len * inner + i;
            int m = -128;
            for (int64_t k = 0; k < len; k++)
                m = p[k * inner] > m ? p[k * inner] : m;
            float sum = 0.0f;
            for (int64_t k = 0; k < len; k++)
                sum += s->exp_of[m - p[k * inner]];
            /* len >= 1 and the max contributes exp(0) = 1, so sum >= 1 */
            float inv = 1.0f / sum;
            for (int64_t k = 0; k < len; k++)
                q[k * inner] = yq__s8_real_to_code(s->exp_of[m - p[k * inner]] * inv, s->s_out,
                                                   s->zp_out);
        }
    }
}

const struct yq__op_impl yq__s8_softmax = {
    YQ__OP_SOFTMAX, YQ__OPCLASS_AXIS, s8_softmax_infer, s8_softmax_prepare, s8_softmax_run,
    yq__ops_state_free,
};
