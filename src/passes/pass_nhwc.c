/* SPDX-License-Identifier: Apache-2.0 */
/* Conversion to NHWC (channels last), the engine's layout. Image inputs consumed by
 * spatial operators become NHWC themselves (the session converts on input); then, node by
 * node in order, each operator gets its inputs in the layout its class needs:
 *   spatial     data input NHWC (Transpose inserted if it is not)
 *   elementwise all 4D operands in one layout; 4D-broadcastable constants are permuted
 *   axis        any layout, all 4D data inputs alike (axes mapped by the operator)
 *   plain       ONNX order (Transpose back to NCHW inserted)
 * and its outputs' shapes are re-inferred. One converted copy of a tensor is shared by
 * all consumers that need it. */
#include "passes.h"

#include <stdio.h>
#include <string.h>
#include "ops/op.h"

struct conv {
    struct yq__graph *g;
    int *to_nchw; /* per tensor: its NCHW copy, or -1 */
    int *to_nhwc; /* per tensor: its NHWC copy, or -1 */
    int cap;
};

static bool is4(const struct yq__tensor *t)
{
    return t->shape.rank == 4;
}

static bool grow(struct conv *c)
{
    if (c->g->n_tensors + 4 <= c->cap)
        return true;
    int cap = (c->g->n_tensors + 4) * 2;
    int *a = yq__realloc(c->to_nchw, (size_t)cap * sizeof *a);
    if (!a)
        return false;
    c->to_nchw = a;
    int *b = yq__realloc(c->to_nhwc, (size_t)cap * sizeof *b);
    if (!b)
        return false;
    c->to_nhwc = b;
    for (int i = c->cap; i < cap; i++)
        c->to_nchw[i] = c->to_nhwc[i] = -1;
    c->cap = cap;
    return true;
}

/* Appends Transpose(t) producing a tensor in the other layout; returns its index or -1. */
static int add_transpose(struct conv *c, int t, bool want_nhwc)
{
    int *cache = want_nhwc ? c->to_nhwc : c->to_nchw;
    if (cache[t] >= 0)
        return cache[t];
    struct yq__graph *g = c->g;
    char name[600], buf[700];
    snprintf(name, sizeof name, "%s%s", g->tensors[t].name, want_nhwc ? ".nhwc" : ".nchw");
    yq__graph_unique_name(g, name, buf, sizeof buf);
    struct yq__shape s = g->tensors[t].shape, d;
    static const int64_t to_nhwc[4] = {0, 2, 3, 1}, to_nchw[4] = {0, 3, 1, 2};
    const int64_t *perm = want_nhwc ? to_nhwc : to_nchw;
    d.rank = 4;
    for (int i = 0; i < 4; i++)
        d.d[i] = s.d[perm[i]];
    int nt = yq__graph_add_tensor(g, buf, g->tensors[t].dtype, &d);
    if (nt < 0)
        return -1;
    g->tensors[nt].layout = want_nhwc ? YQ__LAYOUT_NHWC : YQ__LAYOUT_NCHW;
    int in[1] = {t}, out[1] = {nt};
    int ni = yq__graph_add_node(g, buf, YQ__OP_TRANSPOSE, 1, in, 1, out);
    if (ni < 0 || !yq__node_set_ints(g, ni, "perm", perm, 4))
        return -1;
    /* Transposes are built in physical terms: mark the input's layout irrelevant to it by
     * running on physical dims (the op sees a PLAIN-ordered 4D tensor). */
    g->nodes[ni].quantized = false;
    if (!grow(c))
        return -1;
    cache = want_nhwc ? c->to_nhwc : c->to_nchw;
    cache[t] = nt;
    return nt;
}

/* A constant broadcast against an NHWC operand: permute it (after left-padding to rank 4).
 * Scalars and 1-element constants are returned unchanged. */
static int permute_const(struct conv *c, int t)
{
    struct yq__graph *g = c->g;
    const struct yq__tensor *ct = &g->tensors[t];
    if (yq__shape_numel(&ct->shape) <= 1 || ct->shape.rank > 4)
        return t;
    if (c->to_nhwc[t] >= 0)
        return c->to_nhwc[t];
    int64_t d4[4] = {1, 1, 1, 1};
    for (int i = 0; i < ct->shape.rank; i++)
        d4[4 - ct->shape.rank + i] = ct->shape.d[i];
    size_t es = yq__dtype_size(ct->dtype);
    size_t n = (size_t)yq__shape_numel(&ct->shape);
    char *dst = yq__aligned_alloc(n * es);
    if (!dst)
        return -1;
    const char *src = ct->data;
    int64_t N = d4[0], C = d4[1], H = d4[2], W = d4[3];
    for (int64_t b = 0; b < N; b++)
        for (int64_t ch = 0; ch < C; ch++)
            for (int64_t y = 0; y < H; y++)
                for (int64_t x = 0; x < W; x++)
                    memcpy(dst + ((((b * H + y) * W + x) * C + ch) * es),
                           src + ((((b * C + ch) * H + y) * W + x) * es), es);
    struct yq__shape s = {4, {N, H, W, C}};
    char name[600], buf[700];
    snprintf(name, sizeof name, "%s.nhwc", ct->name);
    int nt = yq__graph_add_const(g, yq__graph_unique_name(g, name, buf, sizeof buf), ct->dtype,
                                 &s, dst, n * es);
    if (nt < 0 || !grow(c))
        return -1;
    g->tensors[nt].layout = YQ__LAYOUT_NHWC;
    c->to_nhwc[t] = nt;
    return nt;
}

/* True if t reaches a spatial operator's data input, directly or through layout-agnostic
 * (axis, elementwise) operators: YOLOX's Focus slices the image and concatenates before its
 * first Conv, and the image should still arrive channels-last. */
static bool consumed_by_spatial(const struct yq__graph *g, int t, int depth)
{
    if (depth > 8)
        return false;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        const struct yq__node *n = &g->nodes[ni];
        const struct yq__op_impl *impl = yq__op_impl_get(n->op, false);
        if (n->dead || n->n_in < 1 || !impl)
            continue;
        if (n->in[0] == t && impl->cls == YQ__OPCLASS_SPATIAL)
            return true;
        bool uses = false;
        for (int j = 0; j < n->n_in; j++)
            uses = uses || n->in[j] == t;
        if (!uses || (impl->cls != YQ__OPCLASS_AXIS && impl->cls != YQ__OPCLASS_ELEMENTWISE))
            continue;
        for (int j = 0; j < n->n_out; j++)
            if (n->out[j] >= 0 && is4(&g->tensors[n->out[j]]) &&
                consumed_by_spatial(g, n->out[j], depth + 1))
                return true;
    }
    return false;
}

static enum yq_status oom(struct yq__graph *g, struct yq__err *e)
{
    return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory converting to NHWC",
                    g->source);
}

enum yq_status yq__pass_nhwc(struct yq__graph *g, struct yq__err *e)
{
    struct conv c = {.g = g};
    if (!grow(&c)) {
        yq__free(c.to_nchw); /* the first realloc may have worked */
        yq__free(c.to_nhwc);
        return oom(g, e);
    }
    enum yq_status st = YQ_STATUS_OK;
    for (int i = 0; i < g->n_inputs; i++) {
        struct yq__tensor *t = &g->tensors[g->inputs[i]];
        if (is4(t) && consumed_by_spatial(g, g->inputs[i], 0)) {
            struct yq__shape s = t->shape;
            t->shape.d[1] = s.d[2];
            t->shape.d[2] = s.d[3];
            t->shape.d[3] = s.d[1];
            t->layout = YQ__LAYOUT_NHWC;
        }
    }
    int n_orig = g->n_nodes;
    for (int ni = 0; ni < n_orig; ni++) {
        if (g->nodes[ni].dead)
            continue;
        enum yq__op op = g->nodes[ni].op;
        const struct yq__op_impl *impl = yq__op_impl_get(op, false);
        if (!impl) {
            st = yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: node '%s' (%s): unsupported operator",
                          g->source, g->nodes[ni].name, yq__op_name(op));
            goto done;
        }
        bool any_nhwc = false;
        for (int j = 0; j < g->nodes[ni].n_in; j++) {
            int t = g->nodes[ni].in[j];
            any_nhwc |= t >= 0 && !g->tensors[t].data && g->tensors[t].layout == YQ__LAYOUT_NHWC;
        }
        switch (impl->cls) {
        case YQ__OPCLASS_SPATIAL: {
            int t = g->nodes[ni].in[0];
            if (t >= 0 && is4(&g->tensors[t]) && g->tensors[t].layout != YQ__LAYOUT_NHWC) {
                int nt = add_transpose(&c, t, true);
                if (nt < 0)
                    goto fail_oom;
                g->nodes[ni].in[0] = nt;
            }
            break;
        }
        case YQ__OPCLASS_ELEMENTWISE:
        case YQ__OPCLASS_AXIS:
            if (!any_nhwc)
                break;
            for (int j = 0; j < g->nodes[ni].n_in; j++) {
                int t = g->nodes[ni].in[j];
                if (t < 0 || g->tensors[t].layout == YQ__LAYOUT_NHWC)
                    continue;
                if (g->tensors[t].data) {
                    /* Slice/Pad/Resize parameter tensors are not broadcast operands. */
                    if (impl->cls == YQ__OPCLASS_AXIS && j > 0)
                        continue;
                    int nt = permute_const(&c, t);
                    if (nt < 0)
                        goto fail_oom;
                    g->nodes[ni].in[j] = nt;
                } else if (is4(&g->tensors[t])) {
                    int nt = add_transpose(&c, t, true);
                    if (nt < 0)
                        goto fail_oom;
                    g->nodes[ni].in[j] = nt;
                }
            }
            break;
        case YQ__OPCLASS_PLAIN:
            for (int j = 0; j < g->nodes[ni].n_in; j++) {
                int t = g->nodes[ni].in[j];
                if (t >= 0 && !g->tensors[t].data && g->tensors[t].layout == YQ__LAYOUT_NHWC) {
                    int nt = add_transpose(&c, t, false);
                    if (nt < 0)
                        goto fail_oom;
                    g->nodes[ni].in[j] = nt;
                }
            }
            break;
        }
        /* Re-infer this node's outputs in the new layout. */
        st = impl->infer(g, ni, e);
        if (st)
            goto done;
        bool nhwc_in = false;
        for (int j = 0; j < g->nodes[ni].n_in; j++) {
            int t = g->nodes[ni].in[j];
            nhwc_in |= t >= 0 && g->tensors[t].layout == YQ__LAYOUT_NHWC &&
                       (impl->cls == YQ__OPCLASS_SPATIAL ? j == 0 : !g->tensors[t].data);
        }
        for (int j = 0; j < g->nodes[ni].n_out; j++) {
            int t = g->nodes[ni].out[j];
            if (t < 0)
                continue;
            struct yq__tensor *tt = &g->tensors[t];
            tt->layout = (nhwc_in && impl->cls != YQ__OPCLASS_PLAIN && is4(tt))
                             ? YQ__LAYOUT_NHWC
                             : YQ__LAYOUT_PLAIN;
        }
    }
    st = yq__graph_toposort(g, e);
    goto done;
fail_oom:
    st = oom(g, e);
done:
    yq__free(c.to_nchw);
    yq__free(c.to_nhwc);
    return st;
}
