/* SPDX-License-Identifier: Apache-2.0 */
/* Conv → BatchNormalization folds into the convolution's weights and bias:
 *     k = gamma / sqrt(var + eps);  W'[o] = W[o] * k[o];  b'[o] = (b[o] - mean[o]) * k[o] + beta[o]
 * The Conv's weight and bias constants are replaced by new ones (others may share them). */
#include "passes.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const float *const_f32(const struct yq__graph *g, int t, int64_t n)
{
    if (t < 0)
        return NULL;
    const struct yq__tensor *tt = &g->tensors[t];
    if (!tt->data || tt->dtype != YQ__DTYPE_F32 || yq__shape_numel(&tt->shape) != n)
        return NULL;
    return tt->data;
}

static enum yq_status fold_one(struct yq__graph *g, int conv, int bn, struct yq__err *e)
{
    struct yq__node *c = &g->nodes[conv];
    struct yq__node *b = &g->nodes[bn];
    const struct yq__tensor *w = &g->tensors[c->in[1]];
    int64_t O = w->shape.d[0];
    int64_t per = yq__shape_numel(&w->shape) / (O ? O : 1);
    const float *gamma = const_f32(g, b->in[1], O), *beta = const_f32(g, b->in[2], O);
    const float *mean = const_f32(g, b->in[3], O), *var = const_f32(g, b->in[4], O);
    const float *bias = c->n_in > 2 ? const_f32(g, c->in[2], O) : NULL;
    if (!gamma || !beta || !mean || !var || w->dtype != YQ__DTYPE_F32 || !w->data ||
        (c->n_in > 2 && c->in[2] >= 0 && !bias))
        return YQ_STATUS_OK; /* not foldable: leave both nodes */
    float eps = yq__attr_float(b, "epsilon", 1e-5f);
    size_t wbytes = (size_t)(O * per) * sizeof(float);
    float *nw = yq__aligned_alloc(wbytes);
    float *nb = yq__aligned_alloc((size_t)O * sizeof(float));
    if (!nw || !nb) {
        yq__aligned_free(nw);
        yq__aligned_free(nb);
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory folding BN", g->source);
    }
    const float *wd = w->data;
    for (int64_t o = 0; o < O; o++) {
        float k = gamma[o] / sqrtf(var[o] + eps);
        for (int64_t i = 0; i < per; i++)
            nw[o * per + i] = wd[o * per + i] * k;
        nb[o] = ((bias ? bias[o] : 0.0f) - mean[o]) * k + beta[o];
    }
    char name[512], buf[600];
    struct yq__shape ws = w->shape, bs = {1, {O}};
    snprintf(name, sizeof name, "%s.bnfold_w", c->name);
    int tw = yq__graph_add_const(g, yq__graph_unique_name(g, name, buf, sizeof buf),
                                 YQ__DTYPE_F32, &ws, nw, wbytes);
    snprintf(name, sizeof name, "%s.bnfold_b", g->nodes[conv].name);
    int tb = tw < 0 ? -1
                    : yq__graph_add_const(g, yq__graph_unique_name(g, name, buf, sizeof buf),
                                          YQ__DTYPE_F32, &bs, nb, (size_t)O * sizeof(float));
    if (tw < 0 || tb < 0) {
        if (tw < 0)
            yq__aligned_free(nb);
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory folding BN", g->source);
    }
    c = &g->nodes[conv];
    b = &g->nodes[bn];
    if (c->n_in < 3) {
        int *in = yq__realloc(c->in, 3 * sizeof *in);
        if (!in)
            return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
        c->in = in;
        c->n_in = 3;
    }
    c->in[1] = tw;
    c->in[2] = tb;
    /* The conv now produces the BN's output directly. */
    c->out[0] = b->out[0];
    b->dead = true;
    return YQ_STATUS_OK;
}

enum yq_status yq__pass_fold_bn(struct yq__graph *g, struct yq__err *e)
{
    bool any = false;
    int n = g->n_nodes;
    for (int ni = 0; ni < n; ni++) {
        struct yq__node *nd = &g->nodes[ni];
        if (nd->dead || nd->op != YQ__OP_BATCH_NORM || nd->n_in < 5 || nd->in[0] < 0)
            continue;
        int x = nd->in[0];
        int conv = g->tensors[x].producer;
        if (conv < 0 || g->nodes[conv].dead || g->nodes[conv].op != YQ__OP_CONV ||
            g->nodes[conv].n_in < 2 || g->tensors[x].is_output)
            continue;
        int users[2];
        if (yq__consumers(g, x, users, 2) != 1)
            continue;
        enum yq_status st = fold_one(g, conv, ni, e);
        if (st)
            return st;
        any |= g->nodes[ni].dead;
    }
    return any ? yq__graph_compact(g, e) : YQ_STATUS_OK;
}
