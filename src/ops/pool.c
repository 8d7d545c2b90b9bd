/* SPDX-License-Identifier: Apache-2.0 */
/* fp32 MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool (2D). They run in either
 * layout through element strides, with the channel loop innermost: contiguous (vectorised)
 * for NHWC, which is what the engine runs after the NHWC pass. Output rows are split across
 * the pool. MaxPool supports ceil_mode, pads, dilations and strides (YOLOv5 SPPF: k5 s1 p2). */
#include <float.h>

#include "ops/pool_common.h"

struct pool_state {
    bool is_max, global, count_pad;
    bool separable; /* NHWC MaxPool without dilation: column max, then row max */
    struct yq__pool_plan p;
};

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
    memset(s, 0, sizeof *s);
    s->is_max = nd->op == YQ__OP_MAX_POOL || nd->op == YQ__OP_GLOBAL_MAX_POOL;
    s->global = nd->op == YQ__OP_GLOBAL_MAX_POOL || nd->op == YQ__OP_GLOBAL_AVERAGE_POOL;
    s->count_pad = !s->global && yq__attr_int(nd, "count_include_pad", 0) != 0;
    return yq__ops_pool_plan(g, node, &s->p, e);
}

static enum yq_status pool_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct pool_state s;
    enum yq_status st = pool_check(g, node, &s, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = yq__ops_spatial_shape(x, s.p.win.oh, s.p.win.ow);
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
    s.separable = s.is_max && !s.global && s.p.in_sc == 1 && s.p.out_sc == 1 &&
                  s.p.in_sx == s.p.c && s.p.win.dh == 1 && s.p.win.dw == 1;
    if (s.separable)
        *scratch_bytes = (size_t)s.p.w * (size_t)s.p.c * sizeof(float);
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
    const struct yq__exec *x;
    int64_t rows, per; /* separable: output rows and rows per task */
};

/* dst[i] = max(dst[i], src[i]) (NaN in src ignored): blocks of 16 with a constant count,
 * which -O2's cheap vectoriser turns into vector maxima, then the tail. */
static inline void max_into(float *restrict dst, const float *restrict src, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (size_t j = 0; j < 16; j++)
            dst[i + j] = src[i + j] > dst[i + j] ? src[i + j] : dst[i + j];
    for (; i < n; i++)
        dst[i] = src[i] > dst[i] ? src[i] : dst[i];
}

static inline void fill_lowest(float *dst, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (size_t j = 0; j < 16; j++)
            dst[i + j] = -FLT_MAX;
    for (; i < n; i++)
        dst[i] = -FLT_MAX;
}

/* One output row of an NHWC MaxPool as two passes of whole contiguous channel vectors: the
 * max of the window's input rows over the full row width into `col`, then per output pixel
 * the max of its KW columns. A 5x5 window costs 8 maxima per value, not 25. Each pass starts
 * from -FLT_MAX and skips NaN like the direct form, so the bits match. */
static void max_row_separable(const struct pool_state *s, const float *in, float *out,
                              float *restrict col, int n, int oy)
{
    const struct yq__win2d *wn = &s->p.win;
    const size_t c = (size_t)s->p.c, wc = (size_t)s->p.w * c;
    float *o = out + n * s->p.out_sn + oy * s->p.out_sy;
    int y0 = oy * wn->sh - wn->pt;
    int ya = YQ_MAX(y0, 0), yb = YQ_MIN(y0 + wn->kh, s->p.h);
    fill_lowest(col, wc);
    for (int iy = ya; iy < yb; iy++)
        max_into(col, in + n * s->p.in_sn + iy * s->p.in_sy, wc);
    for (int ox = 0; ox < wn->ow; ox++, o += s->p.out_sx) {
        int x0 = ox * wn->sw - wn->pl;
        int xa = YQ_MAX(x0, 0), xb = YQ_MIN(x0 + wn->kw, s->p.w);
        fill_lowest(o, c);
        for (int ix = xa; ix < xb; ix++)
            max_into(o, col + (size_t)ix * c, c);
    }
}

static void separable_task(void *ctx, size_t task, int worker)
{
    const struct pool_ctx *c = ctx;
    const struct pool_state *s = c->s;
    float *col = yq__exec_scratch(c->x, worker);
    int64_t r0 = (int64_t)task * c->per, r1 = YQ_MIN(r0 + c->per, c->rows);
    for (int64_t r = r0; r < r1; r++)
        max_row_separable(s, c->in, c->out, col, (int)(r / s->p.win.oh),
                          (int)(r % s->p.win.oh));
}

static void pool_row(const struct pool_state *s, const float *in, float *out, int n, int oy)
{
    const struct yq__win2d *wn = &s->p.win;
    const int64_t isc = s->p.in_sc, osc = s->p.out_sc;
    int y0 = oy * wn->sh - wn->pt;
    for (int ox = 0; ox < wn->ow; ox++) {
        float *o = out + n * s->p.out_sn + oy * s->p.out_sy + ox * s->p.out_sx;
        int x0 = ox * wn->sw - wn->pl;
        int cnt = 0;
        if (s->is_max)
            for (int c = 0; c < s->p.c; c++)
                o[c * osc] = -FLT_MAX;
        else
            for (int c = 0; c < s->p.c; c++)
                o[c * osc] = 0.0f;
        for (int ky = 0; ky < wn->kh; ky++) {
            int iy = y0 + ky * wn->dh;
            if (iy < 0 || iy >= s->p.h)
                continue;
            for (int kx = 0; kx < wn->kw; kx++) {
                int ix = x0 + kx * wn->dw;
                if (ix < 0 || ix >= s->p.w)
                    continue;
                const float *ip = in + n * s->p.in_sn + iy * s->p.in_sy + ix * s->p.in_sx;
                cnt++;
                if (s->is_max) {
                    for (int c = 0; c < s->p.c; c++) {
                        float v = ip[c * isc];
                        o[c * osc] = v > o[c * osc] ? v : o[c * osc];
                    }
                } else {
                    for (int c = 0; c < s->p.c; c++)
                        o[c * osc] += ip[c * isc];
                }
            }
        }
        if (!s->is_max) {
            if (s->count_pad) {
                /* the window clipped to the padded input (ceil-mode overhang not counted) */
                int ylo = YQ_MAX(y0, -wn->pt), yhi = YQ_MIN(y0 + (wn->kh - 1) * wn->dh + 1,
                                                             s->p.h + wn->pb);
                int xlo = YQ_MAX(x0, -wn->pl), xhi = YQ_MIN(x0 + (wn->kw - 1) * wn->dw + 1,
                                                            s->p.w + wn->pr);
                cnt = ((yhi - ylo + wn->dh - 1) / wn->dh) * ((xhi - xlo + wn->dw - 1) / wn->dw);
            }
            float inv = cnt > 0 ? 1.0f / (float)cnt : 0.0f;
            for (int c = 0; c < s->p.c; c++)
                o[c * osc] *= inv;
        }
    }
}

static void pool_rows(const void *ctx, int64_t r0, int64_t r1)
{
    const struct pool_ctx *c = ctx;
    const struct pool_state *s = c->s;
    for (int64_t r = r0; r < r1; r++)
        pool_row(s, c->in, c->out, (int)(r / s->p.win.oh), (int)(r % s->p.win.oh));
}

/* Global pools: one task per image, pixels outer, channels inner. */
static void global_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct pool_ctx *c = ctx;
    const struct pool_state *s = c->s;
    int n = (int)task;
    float *o = c->out + n * s->p.out_sn;
    for (int ch = 0; ch < s->p.c; ch++)
        o[ch * s->p.out_sc] = s->is_max ? -FLT_MAX : 0.0f;
    for (int y = 0; y < s->p.h; y++) {
        for (int xx = 0; xx < s->p.w; xx++) {
            const float *ip = c->in + n * s->p.in_sn + y * s->p.in_sy + xx * s->p.in_sx;
            if (s->is_max) {
                for (int ch = 0; ch < s->p.c; ch++) {
                    float v = ip[ch * s->p.in_sc];
                    o[ch * s->p.out_sc] = v > o[ch * s->p.out_sc] ? v : o[ch * s->p.out_sc];
                }
            } else {
                for (int ch = 0; ch < s->p.c; ch++)
                    o[ch * s->p.out_sc] += ip[ch * s->p.in_sc];
            }
        }
    }
    if (!s->is_max) {
        float inv = 1.0f / (float)((int64_t)s->p.h * s->p.w);
        for (int ch = 0; ch < s->p.c; ch++)
            o[ch * s->p.out_sc] *= inv;
    }
}

static void pool_run(const struct yq__exec *x)
{
    const struct pool_state *s = x->state;
    struct pool_ctx c = {s, x->in[0], x->out[0], x, (int64_t)s->p.n * s->p.win.oh, 0};
    if (s->separable && c.rows > 0) {
        size_t tasks = yq__ops_n_tasks(x->pool, (size_t)c.rows, 1);
        c.per = (c.rows + (int64_t)tasks - 1) / (int64_t)tasks;
        yq__ops_run_homed(x->pool, (size_t)((c.rows + c.per - 1) / c.per), separable_task, &c);
    } else if (s->global)
        yq__pool_run(x->pool, (size_t)s->p.n, global_task, &c);
    else
        yq__ops_run_rows(x->pool, (int64_t)s->p.n * s->p.win.oh, pool_rows, &c);
}

#define POOL_IMPL(sym, op)                                                                         \
    const struct yq__op_impl sym = {op,        YQ__OPCLASS_SPATIAL, pool_infer,                    \
                                    pool_prepare, pool_run,          yq__ops_state_free};
POOL_IMPL(yq__f32_max_pool, YQ__OP_MAX_POOL)
POOL_IMPL(yq__f32_average_pool, YQ__OP_AVERAGE_POOL)
POOL_IMPL(yq__f32_global_max_pool, YQ__OP_GLOBAL_MAX_POOL)
POOL_IMPL(yq__f32_global_average_pool, YQ__OP_GLOBAL_AVERAGE_POOL)
