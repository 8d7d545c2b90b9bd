/* SPDX-License-Identifier: Apache-2.0 */
/* Pad parsing and source indexing shared by the fp32 and int8 Pad (pad_common.h), so both
 * engines crop, reflect and extend alike. */
#include "ops/pad_common.h"

enum yq_status yq__ops_pad_plan(const struct yq__graph *g, int node, struct yq__pad_plan *p,
                                struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    int r = x->shape.rank, n = 0;
    int64_t pads[2 * YQ__MAX_RANK];
    memset(p, 0, sizeof *p);
    if (nd->n_in >= 2) {
        if (!yq__ops_const_ints(g, node, 1, pads, 2 * YQ__MAX_RANK, &n))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "pads must be a constant");
        if (yq__ops_in(g, node, 3))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "the axes input is not supported");
    } else {
        const int64_t *a = yq__attr_ints(nd, "pads", &n);
        if (!a || n > 2 * YQ__MAX_RANK)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "pads are missing");
        memcpy(pads, a, (size_t)n * sizeof *a);
    }
    if (n != 2 * r)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "%d pads for input %s", n,
                            yq__ops_sh(&x->shape, sb));
    const char *mode = yq__attr_string(nd, "mode", "constant");
    if (strcmp(mode, "constant") == 0)
        p->mode = YQ__PAD_MODE_CONSTANT;
    else if (strcmp(mode, "reflect") == 0)
        p->mode = YQ__PAD_MODE_REFLECT;
    else if (strcmp(mode, "edge") == 0)
        p->mode = YQ__PAD_MODE_EDGE;
    else
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "mode '%s' is not supported", mode);
    p->rank = r;
    for (int i = 0; i < r; i++) {
        int ax = yq__axis_to_phys(x, i);
        int64_t b = pads[i], en = pads[i + r], dim = x->shape.d[ax];
        if (b > (1 << 20) || en > (1 << 20) || b < -dim || en < -dim || dim + b + en < 0)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "pad %lld,%lld invalid for %s",
                                (long long)b, (long long)en, yq__ops_sh(&x->shape, sb));
        if (p->mode == YQ__PAD_MODE_REFLECT && (b >= dim || en >= dim) && (b > 0 || en > 0))
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                "reflect pad %lld,%lld needs a dimension larger than %lld",
                                (long long)b, (long long)en, (long long)dim);
        if (p->mode == YQ__PAD_MODE_EDGE && dim == 0 && (b > 0 || en > 0))
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "edge pad of an empty axis");
        p->in_d[ax] = dim;
        p->begin[ax] = b;
        p->out_d[ax] = dim + b + en;
    }
    int64_t st = 1;
    for (int i = r - 1; i >= 0; i--) {
        p->in_stride[i] = st;
        st *= p->in_d[i];
    }
    p->rows = 1;
    for (int i = 0; i < r - 1; i++)
        p->rows *= p->out_d[i];
    return YQ_STATUS_OK;
}

int64_t yq__ops_pad_src(const struct yq__pad_plan *p, int ax, int64_t o)
{
    int64_t i = o - p->begin[ax], n = p->in_d[ax];
    if (i >= 0 && i < n) return i;
    switch (p->mode) {
    case YQ__PAD_MODE_EDGE:
        return i < 0 ? 0 : n - 1;
    case YQ__PAD_MODE_REFLECT:
        if (n == 1) return 0;
        while (i < 0 || i >= n)
            i = i < 0 ? -i : 2 * (n - 1) - i;
        return i;
    default:
        return -1;
    }
}

int64_t yq__ops_pad_row_src(const struct yq__pad_plan *p, int64_t row)
{
    int64_t off = 0, rem = row;
    for (int i = p->rank - 2; i >= 0; i--) {
        int64_t si = yq__ops_pad_src(p, i, rem % p->out_d[i]);
        rem /= p->out_d[i];
        if (si < 0) return -1;
        off += si * p->in_stride[i];
    }
    return off;
}
