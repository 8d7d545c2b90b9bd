/* SPDX-License-Identifier: Apache-2.0 */
/* fp32 MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool (2D). They run in either
 * layout through element strides, with the channel loop innermost: contiguous (vectorised)
 * for NHWC, which is what the engine runs after the NHWC pass. Output rows are split across
 * the pool. MaxPool supports ceil_mode, pads, dilations and strides (YOLOv5 SPPF: k5 s1 p2). */
#include <float.h>

#include "ops/util.h"

struct pool_state {
    bool is_max, global, count_pad;
    struct yq__win2d win;
    int n, c, h, w;
    /* element strides of input and output: image, channel, row, column */
    int64_t in_sn, in_sc, in_sy, in_sx;
    int64_t out_sn, out_sc, out_sy, out_sx;
};

static void strides_of(bool nhwc, int64_t c, int64_t h, int64_t w, int64_t *sn, int64_t *sc,
                       int64_t *sy, int64_t *sx)
{
    *sn = c * h * w;
    if (nhwc) {
        *sc = 1;
        *sx = c;
        *sy = c * w;
    } else {
        *sx = 1;
        *sy = w;
        *sc = h * w;
    }
}

static enum yq_status pool_check(const struct yq__graph *g, int node, struct pool_state *s,
                                 struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    enum yq_status st = yq__ops_check_io(g, node, 1, 1, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    if (x->shape.rank != 4 || x->dtype != YQ__DTYPE_F32)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "only 2D f32 pooling is supported (input %s %s)",
                            yq__ops_sh(&x->shape, sb), yq__dtype_name(x->dtype));
    if (nd->n_out > 1 && nd->out[1] >= 0)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "the Indices output is not supported");
    bool nhwc = yq__ops_is_nhwc(x);
    memset(s, 0, sizeof *s);
    s->n = (int)x->shape.d[0];
    s->c = (int)x->shape.d[nhwc ? 3 : 1];
    s->h = (int)x->shape.d[nhwc ? 1 : 2];
    s->w = (int)x->shape.d[nhwc ? 2 : 3];
    if (x->shape.d[0] > INT32_MAX || x->shape.d[1] > INT32_MAX || x->shape.d[2] > INT32_MAX ||
        x->shape.d[3] > INT32_MAX)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "input too large");
    s->is_max = nd->op == YQ__OP_MAX_POOL || nd->op == YQ__OP_GLOBAL_MAX_POOL;
    s->global = nd->op == YQ__OP_GLOBAL_MAX_POOL || nd->op == YQ__OP_GLOBAL_AVERAGE_POOL;
    if (s->global) {
        s->win = (struct yq__win2d){s->h, s->w, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1};
    } else {
        int cnt = 0;
        const int64_t *ks = yq__attr_ints(nd, "kernel_shape", &cnt);
        if (!ks || cnt != 2 || ks[0] < 1 || ks[1] < 1 || ks[0] > 65536 || ks[1] > 65536)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                "kernel_shape must be 2 positive values");
        bool ceil_mode = yq__attr_int(nd, "ceil_mode", 0) != 0;
        st = yq__ops_win2d(g, node, s->h, s->w, (int)ks[0], (int)ks[1], ceil_mode, &s->win, e);
        if (st)
            return st;
        s->count_pad = yq__attr_int(nd, "count_include_pad", 0) != 0;
    }
    strides_of(nhwc, s->c, s->h, s->w, &s->in_sn, &s->in_sc, &s->in_sy, &s->in_sx);
    strides_of(nhwc, s->c, s->win.oh, s->win.ow, &s->out_sn, &s->out_sc, &s->out_sy, &s->out_sx);
    return YQ_STATUS_OK;
}

static enum yq_status pool_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct pool_state s;
    enum yq_status st = pool_check(g, node, &s, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = x->shape;
    bool nhwc = yq__ops_is_nhwc(x);
    o.d[nhwc ? 1 : 2] = s.win.oh;
    o.d[nhwc ? 2 : 3] = s.win.ow;
    yq__ops_set_out(g, node, 0, YQ__DTYPE_F32, &o, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status pool_prepare(const struct yq__graph *g, int node, void **state,
                                   size_t *scratch_bytes, struct yq__err *e)
{
    struct pool_state s;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = pool_check(g, node, &s, e);
    if (st)
        return st;
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st)
        return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

struct pool_ctx {
    const struct pool_state *s;
    const float *in;
    float *out;
    int64_t rows_per_task;
};

static void pool_row(const struct pool_state *s, const float *in, float *out, int n, int oy)
{
    const struct yq__win2d *wn = &s->win;
    const int64_t isc = s->in_sc, osc = s->out_sc;
    int y0 = oy * wn->sh - wn->pt;
    for (int ox = 0; ox < wn->ow; ox++) {
        float *o = out + n * s->out_sn + oy * s->out_sy + ox * s->out_sx;
        int x0 = ox * wn->sw - wn->pl;
        int cnt = 0;
        if (s->is_max)
            for (int c = 0; c < s->c; c++)
                o[c * osc] = -FLT_MAX;
        else
            for (int c = 0; c < s->c; c++)
                o[c * osc] = 0.0f;
        for (int ky = 0; ky < wn->kh; ky++) {
            int iy = y0 + ky * wn->dh;
            if (iy < 0 || iy >= s->h)
                continue;
            for (int kx = 0; kx < wn->kw; kx++) {
                int ix = x0 + kx * wn->dw;
                if (ix < 0 || ix >= s->w)
                    continue;
                const float *ip = in + n * s->in_sn + iy * s->in_sy + ix * s->in_sx;
                cnt++;
                if (s->is_max) {
                    for (int c = 0; c < s->c; c++) {
                        float v = ip[c * isc];
                        o[c * osc] = v > o[c * osc] ? v : o[c * osc];
                    }
                } else {
                    for (int c = 0; c < s->c; c++)
                        o[c * osc] += ip[c * isc];
                }
            }
        }
        if (!s->is_max) {
            if (s->count_pad) {
                /* the window clipped to the padded input (ceil-mode overhang not counted) */
                int ylo = YQ_MAX(y0, -wn->pt), yhi = YQ_MIN(y0 + (wn->kh - 1) * wn->dh + 1,
                                                             s->h + wn->pb);
                int xlo = YQ_MAX(x0, -wn->pl), xhi = YQ_MIN(x0 + (wn->kw - 1) * wn->dw + 1,
                                                            s->w + wn->pr);
                cnt = ((yhi - ylo + wn->dh - 1) / wn->dh) * ((xhi - xlo + wn->dw - 1) / wn->dw);
            }
            float inv = cnt > 0 ? 1.0f / (float)cnt : 0.0f;
            for (int c = 0; c < s->c; c++)
                o[c * osc] *= inv;
        }
    }
}

static void pool_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct pool_ctx *c = ctx;
    const struct pool_state *s = c->s;
    int64_t r0 = (int64_t)task * c->rows_per_task;
    int64_t r1 = YQ_MIN(r0 + c->rows_per_task, (int64_t)s->n * s->win.oh);
    for (int64_t r = r0; r < r1; r++)
        pool_row(s, c->in, c->out, (int)(r / s->win.oh), (int)(r % s->win.oh));
}

/* Global pools: one task per image, pixels outer, channels inner. */
static void global_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct pool_ctx *c = ctx;
    const struct pool_state *s = c->s;
    int n = (int)task;
    float *o = c->out + n * s->out_sn;
    for (int ch = 0; ch < s->c; ch++)
        o[ch * s->out_sc] = s->is_max ? -FLT_MAX : 0.0f;
    for (int y = 0; y < s->h; y++) {
        for (int xx = 0; xx < s->w; xx++) {
            const float *ip = c->in + n * s->in_sn + y * s->in_sy + xx * s->in_sx;
            if (s->is_max) {
                for (int ch = 0; ch < s->c; ch++) {
                    float v = ip[ch * s->in_sc];
                    o[ch * s->out_sc] = v > o[ch * s->out_sc] ? v : o[ch * s->out_sc];
                }
            } else {
                for (int ch = 0; ch < s->c; ch++)
                    o[ch * s->out_sc] += ip[ch * s->in_sc];
            }
        }
    }
    if (!s->is_max) {
        float inv = 1.0f / (float)((int64_t)s->h * s->w);
        for (int ch = 0; ch < s->c; ch++)
            o[ch * s->out_sc] *= inv;
    }
}

static void pool_run(const struct yq__exec *x)
{
    const struct pool_state *s = x->state;
    struct pool_ctx c = {s, x->in[0], x->out[0], 1};
    if (s->global) {
        yq__pool_run(x->pool, (size_t)s->n, global_task, &c);
        return;
    }
    int64_t rows = (int64_t)s->n * s->win.oh;
    size_t tasks = yq__ops_n_tasks(x->pool, (size_t)rows, 1);
    c.rows_per_task = (rows + (int64_t)tasks - 1) / (int64_t)tasks;
    yq__pool_run(x->pool, (size_t)((rows + c.rows_per_task - 1) / c.rows_per_task), pool_task,
                 &c);
}

#define POOL_IMPL(sym, op)                                                                         \
    const struct yq__op_impl sym = {op,        YQ__OPCLASS_SPATIAL, pool_infer,                    \
                                    pool_prepare, pool_run,          yq__ops_state_free};
POOL_IMPL(yq__f32_max_pool, YQ__OP_MAX_POOL)
POOL_IMPL(yq__f32_average_pool, YQ__OP_AVERAGE_POOL)
POOL_IMPL(yq__f32_global_max_pool, YQ__OP_GLOBAL_MAX_POOL)
POOL_IMPL(yq__f32_global_average_pool, YQ__OP_GLOBAL_AVERAGE_POOL)
