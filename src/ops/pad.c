/* SPDX-License-Identifier: Apache-2.0 */
/* Pad (constant, reflect, edge) for f32 and int64; pads come from the constant input
 * (opset 11+) or the attribute, in ONNX axis order [b0, b1, ..., e0, e1, ...] and are mapped
 * to physical axes, so NHWC tensors pad correctly. Negative pads crop. Each output row
 * (last dim) maps every outer index to a source index, then fills left/middle/right. */
#include "ops/util.h"

enum pad_mode { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE };

struct pad_state {
    enum pad_mode mode;
    int rank;
    size_t es;
    double value;
    int64_t in_d[YQ__MAX_RANK], out_d[YQ__MAX_RANK], begin[YQ__MAX_RANK];
};

static enum yq_status pad_check(const struct yq__graph *g, int node, struct pad_state *s,
                                struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    enum yq_status st = yq__ops_check_io(g, node, 1, 4, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    int r = x->shape.rank, n = 0;
    int64_t pads[2 * YQ__MAX_RANK];
    memset(s, 0, sizeof *s);
    if (x->dtype != YQ__DTYPE_F32 && x->dtype != YQ__DTYPE_S64)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "type %s is not supported",
                            yq__dtype_name(x->dtype));
    s->value = yq__attr_float(nd, "value", 0.0f);
    if (nd->n_in >= 2) {
        if (!yq__ops_const_ints(g, node, 1, pads, 2 * YQ__MAX_RANK, &n))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "pads must be a constant");
        const struct yq__tensor *cv = yq__ops_in(g, node, 2);
        if (cv) {
            const void *p = yq__ops_value(g, nd->in[2]);
            if (!p || cv->dtype != x->dtype || yq__shape_numel(&cv->shape) != 1)
                return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                    "constant_value must be a constant scalar");
            s->value = x->dtype == YQ__DTYPE_F32 ? *(const float *)p : (double)*(const int64_t *)p;
        }
        if (yq__ops_in(g, node, 3))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "the axes input is not supported");
    } else {
        const int64_t *p = yq__attr_ints(nd, "pads", &n);
        if (!p || n > 2 * YQ__MAX_RANK)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "pads are missing");
        memcpy(pads, p, (size_t)n * sizeof *p);
    }
    if (n != 2 * r)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "%d pads for input %s", n,
                            yq__ops_sh(&x->shape, sb));
    const char *mode = yq__attr_string(nd, "mode", "constant");
    if (strcmp(mode, "constant") == 0)
        s->mode = PAD_CONSTANT;
    else if (strcmp(mode, "reflect") == 0)
        s->mode = PAD_REFLECT;
    else if (strcmp(mode, "edge") == 0)
        s->mode = PAD_EDGE;
    else
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "mode '%s' is not supported", mode);
    s->rank = r;
    s->es = yq__dtype_size(x->dtype);
    for (int i = 0; i < r; i++) {
        int ax = yq__axis_to_phys(x, i);
        int64_t b = pads[i], en = pads[i + r], dim = x->shape.d[ax];
        if (b > (1 << 20) || en > (1 << 20) || b < -dim || en < -dim || dim + b + en < 0)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "pad %lld,%lld invalid for %s",
                                (long long)b, (long long)en, yq__ops_sh(&x->shape, sb));
        if (s->mode == PAD_REFLECT && (b >= dim || en >= dim) && (b > 0 || en > 0))
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                "reflect pad %lld,%lld needs a dimension larger than %lld",
                                (long long)b, (long long)en, (long long)dim);
        if (s->mode == PAD_EDGE && dim == 0 && (b > 0 || en > 0))
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "edge pad of an empty axis");
        s->in_d[ax] = dim;
        s->begin[ax] = b;
        s->out_d[ax] = dim + b + en;
    }
    return YQ_STATUS_OK;
}

static enum yq_status pad_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct pad_state s;
    enum yq_status st = pad_check(g, node, &s, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = x->shape;
    for (int i = 0; i < s.rank; i++)
        o.d[i] = s.out_d[i];
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

/* Source index of output index o on an axis; -1 means "constant value". */
static int64_t src_index(const struct pad_state *s, int ax, int64_t o)
{
    int64_t i = o - s->begin[ax], n = s->in_d[ax];
    if (i >= 0 && i < n)
        return i;
    switch (s->mode) {
    case PAD_EDGE:
        return i < 0 ? 0 : n - 1;
    case PAD_REFLECT:
        if (n == 1)
            return 0;
        while (i < 0 || i >= n)
            i = i < 0 ? -i : 2 * (n - 1) - i;
        return i;
    default:
        return -1;
    }
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
    const int r = s->rank, last = r - 1;
    if (r == 0) {
        memcpy(x->out[0], x->in[0], s->es);
        return;
    }
    int64_t rows = 1, in_stride[YQ__MAX_RANK], st = 1;
    for (int i = 0; i < last; i++)
        rows *= s->out_d[i];
    for (int i = r - 1; i >= 0; i--) {
        in_stride[i] = st;
        st *= s->in_d[i];
    }
    const int64_t ow = s->out_d[last];
    for (int64_t row = 0; row < rows; row++) {
        char *dst = (char *)x->out[0] + (size_t)(row * ow) * s->es;
        int64_t off = 0, rem = row;
        bool constant_row = false;
        for (int i = last - 1; i >= 0; i--) {
            int64_t o = rem % s->out_d[i];
            rem /= s->out_d[i];
            int64_t si = src_index(s, i, o);
            if (si < 0)
                constant_row = true;
            off += si * in_stride[i];
        }
        const char *src = (const char *)x->in[0] + (size_t)off * s->es;
        for (int64_t o = 0; o < ow; o++) {
            int64_t si = constant_row ? -1 : src_index(s, last, o);
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
