/* SPDX-License-Identifier: Apache-2.0 */
/* Reshape, Flatten, Squeeze and Unsqueeze: new shape, same bytes, ONNX (PLAIN) order. Run
 * is a copy unless the runtime made input and output share memory. Reshape follows ONNX:
 * 0 copies the input dim (unless allowzero=1), one -1 is inferred. Squeeze/Unsqueeze read
 * axes from the attribute (opset < 13) or the constant second input. */
#include "ops/util.h"

struct reshape_state {
    size_t bytes;
};

static enum yq_status reshape_shape(const struct yq__graph *g, int node, struct yq__shape *out,
                                    struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    int64_t v[YQ__MAX_RANK + 1];
    int n = 0, r = x->shape.rank;
    char sb[YQ__SHAPE_BUF];
    int64_t numel = yq__shape_numel(&x->shape);
    switch (nd->op) {
    case YQ__OP_RESHAPE: {
        if (!yq__ops_const_ints(g, node, 1, v, YQ__MAX_RANK, &n))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "target shape must be a constant of at most %d values",
                                YQ__MAX_RANK);
        bool allowzero = yq__attr_int(nd, "allowzero", 0) != 0;
        int infer_at = -1;
        int64_t known = 1;
        out->rank = n;
        for (int i = 0; i < n; i++) {
            int64_t d = v[i];
            if (d == 0 && !allowzero) {
                if (i >= r)
                    return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                        "0 at position %d but input %s has rank %d", i,
                                        yq__ops_sh(&x->shape, sb), r);
                d = x->shape.d[i];
            }
            if (d == -1) {
                if (infer_at >= 0)
                    return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "more than one -1");
                infer_at = i;
                d = 1;
            } else if (d < 0) {
                return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "dimension %lld is invalid",
                                    (long long)d);
            }
            out->d[i] = d;
            if (d && known > INT64_MAX / d)
                return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "target shape overflows");
            known *= d;
        }
        if (infer_at >= 0) {
            if (known == 0 || numel % known != 0)
                return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                    "cannot reshape %s (%lld elements) with a -1 into %d dims",
                                    yq__ops_sh(&x->shape, sb), (long long)numel, n);
            out->d[infer_at] = numel / known;
        }
        break;
    }
    case YQ__OP_FLATTEN: {
        int64_t axis = yq__attr_int(nd, "axis", 1);
        if (axis < 0)
            axis += r;
        if (axis < 0 || axis > r)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "axis %lld out of range",
                                (long long)axis);
        out->rank = 2;
        out->d[0] = yq__ops_prod(&x->shape, 0, (int)axis);
        out->d[1] = yq__ops_prod(&x->shape, (int)axis, r);
        break;
    }
    case YQ__OP_SQUEEZE:
    case YQ__OP_UNSQUEEZE: {
        bool un = nd->op == YQ__OP_UNSQUEEZE;
        if (yq__ops_in(g, node, 1)) {
            if (!yq__ops_const_ints(g, node, 1, v, YQ__MAX_RANK, &n))
                return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "axes must be a constant");
        } else {
            const int64_t *a = yq__attr_ints(nd, "axes", &n);
            if (n > YQ__MAX_RANK)
                return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "too many axes");
            if (a)
                memcpy(v, a, (size_t)n * sizeof *a);
        }
        int out_rank = un ? r + n : r;
        if (out_rank > YQ__MAX_RANK || (un && n == 0))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "rank %d is not supported",
                                out_rank);
        bool mark[YQ__MAX_RANK] = {false};
        for (int i = 0; i < n; i++) {
            int64_t a = v[i] < 0 ? v[i] + out_rank : v[i];
            if (a < 0 || a >= out_rank || mark[a] || (!un && x->shape.d[a] != 1))
                return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                    "axis %lld is invalid for %s", (long long)v[i],
                                    yq__ops_sh(&x->shape, sb));
            mark[a] = true;
        }
        out->rank = 0;
        if (un) {
            for (int i = 0, j = 0; i < out_rank; i++)
                out->d[out->rank++] = mark[i] ? 1 : x->shape.d[j++];
        } else {
            for (int i = 0; i < r; i++)
                if (!(n == 0 ? x->shape.d[i] == 1 : mark[i]))
                    out->d[out->rank++] = x->shape.d[i];
        }
        break;
    }
    default:
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "not a reshape op");
    }
    if (yq__shape_numel(out) != numel)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "cannot reshape %s (%lld elements) to %lld elements",
                            yq__ops_sh(&x->shape, sb), (long long)numel,
                            (long long)yq__shape_numel(out));
    return YQ_STATUS_OK;
}

static enum yq_status reshape_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 1, 2, e);
    if (st)
        return st;
    struct yq__shape out;
    st = reshape_shape(g, node, &out, e);
    if (st)
        return st;
    yq__ops_set_out(g, node, 0, yq__ops_in(g, node, 0)->dtype, &out, YQ__LAYOUT_PLAIN);
    return YQ_STATUS_OK;
}

static enum yq_status reshape_prepare(const struct yq__graph *g, int node, void **state,
                                      size_t *scratch_bytes, struct yq__err *e)
{
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = yq__ops_check_io(g, node, 1, 2, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    if (yq__ops_is_nhwc(x))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "input '%s' must be in ONNX order, not NHWC", x->name);
    /* The output shape was set by infer (its shape input may have been a side-evaluated
     * Shape chain that is not a constant now); the bytes only have to agree. */
    const struct yq__tensor *y = &g->tensors[g->nodes[node].out[0]];
    char s1[YQ__SHAPE_BUF], s2[YQ__SHAPE_BUF];
    if (yq__shape_numel(&y->shape) != yq__shape_numel(&x->shape) || y->dtype != x->dtype)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "output %s does not hold input %s",
                            yq__ops_sh(&y->shape, s1), yq__ops_sh(&x->shape, s2));
    st = yq__ops_state_alloc(g, node, sizeof(struct reshape_state), state, e);
    if (st)
        return st;
    ((struct reshape_state *)*state)->bytes =
        (size_t)yq__shape_numel(&x->shape) * yq__dtype_size(x->dtype);
    return YQ_STATUS_OK;
}

static void reshape_run(const struct yq__exec *x)
{
    const struct reshape_state *s = x->state;
    if (x->in[0] != x->out[0])
        memcpy(x->out[0], x->in[0], s->bytes);
}

#define RESHAPE_IMPL(sym, op)                                                                      \
    const struct yq__op_impl sym = {op,             YQ__OPCLASS_PLAIN, reshape_infer,              \
                                    reshape_prepare, reshape_run,       yq__ops_state_free};
RESHAPE_IMPL(yq__f32_reshape, YQ__OP_RESHAPE)
RESHAPE_IMPL(yq__f32_flatten, YQ__OP_FLATTEN)
RESHAPE_IMPL(yq__f32_squeeze, YQ__OP_SQUEEZE)
RESHAPE_IMPL(yq__f32_unsqueeze, YQ__OP_UNSQUEEZE)
