/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers for the operator tests: build a tiny yq__graph by hand, run it the way the
 * runtime does (index, infer shapes, prepare every node, allocate, run, release) serially or
 * on a pool, check that run allocated nothing, and compare against naive references. */
#ifndef YQ_TEST_OPSTEST_H
#define YQ_TEST_OPSTEST_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ops/ops.h"

static inline struct yq__shape ot_sh(int rank, const int64_t *d)
{
    struct yq__shape s = {rank, {0}};
    for (int i = 0; i < rank; i++)
        s.d[i] = d[i];
    return s;
}
/* OT_SH(1, 3, 8, 8): a shape from int literals */
#define OT_SH(...)                                                                                 \
    ot_sh((int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), (int64_t[]){__VA_ARGS__})

static inline void ot_push(int **arr, int *n, int v)
{
    *arr = yq__realloc(*arr, (size_t)(*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = v;
}

static inline int ot_input(struct yq__graph *g, const char *name, enum yq__dtype dt,
                           struct yq__shape s, enum yq__layout layout)
{
    int t = yq__graph_add_tensor(g, name, dt, &s);
    g->tensors[t].layout = layout;
    ot_push(&g->inputs, &g->n_inputs, t);
    return t;
}

static inline int ot_const(struct yq__graph *g, const char *name, enum yq__dtype dt,
                           struct yq__shape s, const void *data)
{
    size_t nb = (size_t)yq__shape_numel(&s) * yq__dtype_size(dt);
    void *p = yq__aligned_alloc(nb);
    if (nb)
        memcpy(p, data, nb);
    return yq__graph_add_const(g, name, dt, &s, p, nb);
}

static inline int ot_const_i64(struct yq__graph *g, const char *name, int n, const int64_t *v)
{
    struct yq__shape s = {1, {n}};
    return ot_const(g, name, YQ__DTYPE_S64, s, v);
}

static inline int ot_tensor(struct yq__graph *g, const char *name)
{
    return yq__graph_add_tensor(g, name, YQ__DTYPE_F32, NULL);
}

static inline int ot_output(struct yq__graph *g, const char *name)
{
    int t = ot_tensor(g, name);
    ot_push(&g->outputs, &g->n_outputs, t);
    return t;
}

/* Runs graph g: bufs[t] must hold each graph input's data; others are allocated here (free
 * with ot_free). Each node runs its int8 implementation when node->quantized. With infer
 * false, shapes/dtypes already set on the tensors are used as they are (quantized graphs
 * are built with their final dtypes and parameters). Returns the first error status
 * (message in err), or OK. */
static inline enum yq_status ot_run_ex(struct yq__graph *g, struct yq__pool *pool, void **bufs,
                                       bool infer, char *err, size_t cap)
{
    struct yq__err e = {err, cap};
    err[0] = '\0';
    enum yq_status st = yq__graph_index(g, &e);
    if (!st && infer)
        st = yq__graph_infer_shapes(g, &e);
    if (st)
        return st;
    int nn = g->n_nodes;
    void **states = calloc((size_t)nn + 1, sizeof *states);
    size_t max_scratch = 0;
    int prepared = 0;
    for (int i = 0; i < nn && !st; i++, prepared++) {
        size_t sb = 0;
        const struct yq__op_impl *impl = yq__op_impl_get(g->nodes[i].op, g->nodes[i].quantized);
        if (!impl) {
            st = yq__errf(&e, YQ_STATUS_UNSUPPORTED, "node %d: no implementation", i);
            break;
        }
        st = impl->prepare ? impl->prepare(g, i, &states[i], &sb, &e) : YQ_STATUS_OK;
        if (sb > max_scratch)
            max_scratch = sb;
    }
    if (!st) {
        for (int t = 0; t < g->n_tensors; t++) {
            if (g->tensors[t].data)
                bufs[t] = g->tensors[t].data;
            else if (!bufs[t])
                bufs[t] = yq__aligned_alloc(
                    (size_t)yq__shape_numel(&g->tensors[t].shape) *
                        yq__dtype_size(g->tensors[t].dtype) + 64);
        }
        size_t stride = (max_scratch + 63) / 64 * 64 + 64;
        int threads = yq__pool_threads(pool);
        char *scratch = yq__aligned_alloc(stride * (size_t)threads);
        unsigned long before = yq__alloc_count;
        for (int i = 0; i < nn; i++) {
            const struct yq__node *n = &g->nodes[i];
            const void *in[16] = {0};
            void *out[16] = {0};
            for (int j = 0; j < n->n_in; j++)
                in[j] = n->in[j] >= 0 ? bufs[n->in[j]] : NULL;
            for (int j = 0; j < n->n_out; j++)
                out[j] = n->out[j] >= 0 ? bufs[n->out[j]] : NULL;
            struct yq__exec x = {g, n, states[i], in, out, scratch, stride, pool};
            yq__op_impl_get(n->op, n->quantized)->run(&x);
        }
        CHECKF(yq__alloc_count == before, "run allocated %lu times",
               yq__alloc_count - before);
        yq__aligned_free(scratch);
    }
    for (int i = 0; i < prepared; i++) {
        const struct yq__op_impl *impl = yq__op_impl_get(g->nodes[i].op, g->nodes[i].quantized);
        if (impl->release)
            impl->release(states[i]);
    }
    free(states);
    return st;
}

static inline enum yq_status ot_run(struct yq__graph *g, struct yq__pool *pool, void **bufs,
                                    char *err, size_t cap)
{
    return ot_run_ex(g, pool, bufs, true, err, cap);
}

static inline void ot_free(struct yq__graph *g, void **bufs, int n_user)
{
    for (int t = 0; t < g->n_tensors; t++) {
        bool user = false;
        for (int i = 0; i < g->n_inputs && i < n_user; i++)
            user = user || g->inputs[i] == t;
        if (!user && !g->tensors[t].data)
            yq__aligned_free(bufs[t]);
        bufs[t] = NULL;
    }
}

static inline float *ot_rand(int64_t n, float lo, float hi)
{
    float *p = yq__aligned_alloc((size_t)n * sizeof *p + 64);
    for (int64_t i = 0; i < n; i++)
        p[i] = yq_test_uniform(lo, hi);
    return p;
}

/* Max relative error |a-b| / max(1, |b|) over n values. */
static inline double ot_maxerr(const float *a, const float *b, int64_t n)
{
    double m = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]) / fmax(1.0, fabs((double)b[i]));
        if (!(d <= m))
            m = d;
    }
    return m;
}

/* NCHW <-> NHWC for 4D float tensors. */
static inline void ot_nchw_to_nhwc(const float *in, float *out, int64_t n, int64_t c, int64_t h,
                                   int64_t w)
{
    for (int64_t a = 0; a < n; a++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t y = 0; y < h; y++)
                for (int64_t x = 0; x < w; x++)
                    out[((a * h + y) * w + x) * c + ch] = in[((a * c + ch) * h + y) * w + x];
}

static inline void ot_nhwc_to_nchw(const float *in, float *out, int64_t n, int64_t c, int64_t h,
                                   int64_t w)
{
    for (int64_t a = 0; a < n; a++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t y = 0; y < h; y++)
                for (int64_t x = 0; x < w; x++)
                    out[((a * c + ch) * h + y) * w + x] = in[((a * h + y) * w + x) * c + ch];
}

#endif
