/* SPDX-License-Identifier: Apache-2.0 */
/* Slice (opset 10+: starts/ends/axes/steps inputs, constant; older: attributes), any element
 * type, axes mapped through the layout. Starts and ends are clamped as ONNX specifies
 * (negative counts from the end, INT64_MAX means "to the end", negative steps walk
 * backwards); steps of 2 give YOLOX's Focus. The copy is a strided N-D gather. */
#include "ops/util.h"

struct slice_state {
    struct yq__nd_copy cp;
};

static enum yq_status slice_check(const struct yq__graph *g, int node, struct yq__shape *out,
                                  struct yq__nd_copy *cp, struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    enum yq_status st = yq__ops_check_io(g, node, 1, 5, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    int64_t starts[YQ__MAX_RANK], ends[YQ__MAX_RANK], axes[YQ__MAX_RANK], steps[YQ__MAX_RANK];
    int ns = 0, ne = 0, na = 0, nst = 0;
    char sb[YQ__SHAPE_BUF];
    int r = x->shape.rank;
    if (nd->n_in >= 3) {
        if (!yq__ops_const_ints(g, node, 1, starts, YQ__MAX_RANK, &ns) ||
            !yq__ops_const_ints(g, node, 2, ends, YQ__MAX_RANK, &ne))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "starts/ends must be constants of at most %d values", YQ__MAX_RANK);
        if (yq__ops_in(g, node, 3) && !yq__ops_const_ints(g, node, 3, axes, YQ__MAX_RANK, &na))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "axes must be a constant");
        if (yq__ops_in(g, node, 4) && !yq__ops_const_ints(g, node, 4, steps, YQ__MAX_RANK, &nst))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "steps must be a constant");
    } else {
        int c1 = 0, c2 = 0, c3 = 0;
        const int64_t *v1 = yq__attr_ints(nd, "starts", &c1), *v2 = yq__attr_ints(nd, "ends", &c2),
                      *v3 = yq__attr_ints(nd, "axes", &c3);
        if (!v1 || !v2 || c1 > YQ__MAX_RANK || c2 > YQ__MAX_RANK || c3 > YQ__MAX_RANK)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "starts/ends are missing");
        memcpy(starts, v1, (size_t)c1 * sizeof *v1);
        memcpy(ends, v2, (size_t)c2 * sizeof *v2);
        if (v3)
            memcpy(axes, v3, (size_t)c3 * sizeof *v3);
        ns = c1;
        ne = c2;
        na = v3 ? c3 : 0;
    }
    if (na == 0)
        for (na = 0; na < ns; na++)
            axes[na] = na;
    if (nst == 0)
        for (nst = 0; nst < ns; nst++)
            steps[nst] = 1;
    if (ns != ne || ns != na || ns != nst)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "starts/ends/axes/steps have different lengths (%d/%d/%d/%d)", ns, ne,
                            na, nst);
    int64_t st_[YQ__MAX_RANK], step[YQ__MAX_RANK];
    *out = x->shape;
    for (int d = 0; d < r; d++) {
        st_[d] = 0;
        step[d] = 1;
    }
    bool seen[YQ__MAX_RANK] = {false};
    for (int i = 0; i < ns; i++) {
        int ax = yq__axis_to_phys(x, axes[i]);
        if (ax < 0 || seen[ax])
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                "axis %lld is out of range or repeated for %s", (long long)axes[i],
                                yq__ops_sh(&x->shape, sb));
        seen[ax] = true;
        int64_t dim = x->shape.d[ax], s = starts[i], en = ends[i], k = steps[i];
        if (k == 0)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "step 0 on axis %lld",
                                (long long)axes[i]);
        /* clamp per ONNX; written to avoid overflow with INT64_MIN/MAX sentinels */
        if (s < 0)
            s = s < -dim ? 0 : s + dim;
        if (en < 0)
            en = en < -dim ? -1 : en + dim;
        if (k > 0) {
            s = YQ_MIN(s, dim);
            en = YQ_MAX(0, YQ_MIN(en, dim));
            if (s < 0)
                s = 0;
        } else {
            s = YQ_MIN(s, dim - 1);
            en = YQ_MIN(en, dim - 1);
            if (ends[i] < -dim)
                en = -1;
        }
        int64_t len = k > 0 ? (en > s ? (en - s + k - 1) / k : 0)
                            : (s > en ? (s - en + (-k) - 1) / (-k) : 0);
        out->d[ax] = len;
        st_[ax] = s;
        step[ax] = k;
    }
    memset(cp, 0, sizeof *cp);
    cp->rank = r;
    cp->es = yq__dtype_size(x->dtype);
    int64_t stride = 1;
    for (int d = r - 1; d >= 0; d--) {
        cp->d[d] = out->d[d];
        cp->is[d] = stride * step[d];
        cp->base += st_[d] * stride;
        stride *= x->shape.d[d];
    }
    yq__ops_nd_copy_init(cp);
    return YQ_STATUS_OK;
}

static enum yq_status slice_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct yq__shape out;
    struct yq__nd_copy cp;
    enum yq_status st = slice_check(g, node, &out, &cp, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    yq__ops_set_out(g, node, 0, x->dtype, &out, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status slice_prepare(const struct yq__graph *g, int node, void **state,
                                    size_t *scratch_bytes, struct yq__err *e)
{
    struct yq__shape out;
    struct slice_state s;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = slice_check(g, node, &out, &s.cp, e);
    if (st)
        return st;
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st)
        return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

static void slice_run(const struct yq__exec *x)
{
    const struct slice_state *s = x->state;
    if (s->cp.rows * s->cp.d[s->cp.rank - 1] == 0)
        return;
    yq__ops_nd_copy_run(&s->cp, x->in[0], x->out[0], x->pool);
}

const struct yq__op_impl yq__f32_slice = {
    YQ__OP_SLICE, YQ__OPCLASS_AXIS, slice_infer, slice_prepare, slice_run, yq__ops_state_free,
};
