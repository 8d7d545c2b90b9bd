/* SPDX-License-Identifier: Apache-2.0 */
/* fp32 Conv (2D) on NHWC activations. Three paths chosen at prepare:
 *  - 1x1, stride 1, no pad: the input pixel rows are the GEMM's A directly;
 *  - depthwise (group == C == M): a direct loop with the channel innermost (vectorises);
 *  - one group, no dilation, and the kernels have an indirect GEMM: each output pixel's
 *    KH rows of KW*C input floats are read in place through pointers (only the rows that
 *    touch the padding are built, in per-thread scratch);
 *  - otherwise im2col over a tile of output pixels into per-thread scratch, then GEMM.
 * Weights (ONNX OIHW constants) are packed per group at prepare as the GEMM's B with
 * k = (ky*KW + kx)*Cg + ci, so an im2col row is KW*Cg contiguous input values per ky.
 * Work is split across the pool by tiles of output pixels (all images flattened), each
 * worker taking its own contiguous share of them first (run_homed). */
#include <math.h>

#include "ops/util.h"

enum conv_kind { CONV_1X1, CONV_DW, CONV_IM2COL, CONV_IGEMM };

/* Bytes of an im2col tile: sized to stay in L2 next to the GEMM's B panel. */
#define TILE_BYTES (160 * 1024)
/* Bytes of input an indirect-GEMM task reads per pass over a panel pair: nothing is copied,
 * so a task can take more rows and stream each B panel pair fewer times (large-k layers of
 * 20x20 maps would otherwise run 16-row tasks, a third of them idle micro-tile rows). */
#define IGEMM_BYTES (384 * 1024)
/* Serial task rows are a multiple of this: the row tiles 4, 6, 12 divide it (a 16-row tile
 * leaves at most one 8-row tail per task); pooled tasks use half of it (see conv_run). */
#define ROW_GRAIN 24

struct conv_state {
    enum conv_kind kind;
    struct yq__win2d win;
    int n, h, w, c, m, group, cg, mg, k;
    int tile; /* im2col rows per tile (scratch holds tile * k floats) */
    size_t packed_stride; /* bytes per group's packed B */
    struct yq__act act;
    float *dw_w;    /* [kh][kw][c] */
    float *dw_bias; /* [c] */
    char *packed;   /* group g at packed + g * packed_stride */
};

struct conv_dims {
    int64_t n, c, h, w;
};

static void dims_of(const struct yq__tensor *x, struct conv_dims *d)
{
    d->n = x->shape.d[0];
    if (yq__ops_is_nhwc(x)) {
        d->h = x->shape.d[1];
        d->w = x->shape.d[2];
        d->c = x->shape.d[3];
    } else {
        d->c = x->shape.d[1];
        d->h = x->shape.d[2];
        d->w = x->shape.d[3];
    }
}

/* Shared by infer and prepare: validates shapes and attributes, fills the geometry. */
static enum yq_status conv_check(const struct yq__graph *g, int node, struct conv_dims *xd,
                                 int64_t *m, int64_t *group, struct yq__win2d *win,
                                 struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 2, 3, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0), *wt = yq__ops_in(g, node, 1),
                            *b = yq__ops_in(g, node, 2);
    char s1[YQ__SHAPE_BUF], s2[YQ__SHAPE_BUF];
    if (x->shape.rank != 4 || wt->shape.rank != 4)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "only 2D convolution is supported (input %s, weight %s)",
                            yq__ops_sh(&x->shape, s1), yq__ops_sh(&wt->shape, s2));
    if (x->dtype != YQ__DTYPE_F32 || wt->dtype != YQ__DTYPE_F32)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "input/weight must be f32");
    dims_of(x, xd);
    *group = yq__attr_int(&g->nodes[node], "group", 1);
    *m = wt->shape.d[0];
    if (*group < 1 || *group > xd->c || xd->c % *group != 0 || *m % *group != 0)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "group %lld does not divide %lld input and %lld output channels",
                            (long long)*group, (long long)xd->c, (long long)*m);
    if (wt->shape.d[1] * *group != xd->c || *m < 1)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "weight shape %s does not match %lld input channels (group %lld)",
                            yq__ops_sh(&wt->shape, s1), (long long)xd->c, (long long)*group);
    int cnt = 0;
    const int64_t *ks = yq__attr_ints(&g->nodes[node], "kernel_shape", &cnt);
    if (ks && (cnt != 2 || ks[0] != wt->shape.d[2] || ks[1] != wt->shape.d[3]))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "kernel_shape does not match weight shape %s",
                            yq__ops_sh(&wt->shape, s1));
    if (b && (b->shape.rank != 1 || b->shape.d[0] != *m || b->dtype != YQ__DTYPE_F32))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "bias shape %s does not match %lld output channels",
                            yq__ops_sh(&b->shape, s1), (long long)*m);
    if (xd->h > INT32_MAX || xd->w > INT32_MAX || xd->c > INT32_MAX || *m > INT32_MAX ||
        wt->shape.d[2] > 65536 || wt->shape.d[3] > 65536)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "dimensions too large");
    return yq__ops_win2d(g, node, xd->h, xd->w, (int)wt->shape.d[2], (int)wt->shape.d[3], false,
                         win, e);
}

static enum yq_status conv_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct conv_dims xd;
    int64_t m, group;
    struct yq__win2d win;
    enum yq_status st = conv_check(g, node, &xd, &m, &group, &win, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape s = {4, {0}};
    s.d[0] = xd.n;
    if (yq__ops_is_nhwc(x)) {
        s.d[1] = win.oh;
        s.d[2] = win.ow;
        s.d[3] = m;
    } else {
        s.d[1] = m;
        s.d[2] = win.oh;
        s.d[3] = win.ow;
    }
    yq__ops_set_out(g, node, 0, YQ__DTYPE_F32, &s, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status conv_prepare(const struct yq__graph *g, int node, void **state,
                                   size_t *scratch_bytes, struct yq__err *e)
{
    struct conv_dims xd;
    int64_t m, group;
    struct yq__win2d win;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = conv_check(g, node, &xd, &m, &group, &win, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0), *wt = yq__ops_in(g, node, 1),
                            *bt = yq__ops_in(g, node, 2);
    if (!yq__ops_is_nhwc(x))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "input '%s' must be NHWC (run the NHWC pass first)", x->name);
    if (!wt->data || (bt && !bt->data))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "weight/bias must be constants");
    if (xd.n * win.oh * win.ow > INT32_MAX || xd.n * xd.h * xd.w > INT32_MAX)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "too many pixels");
    int cg = (int)(xd.c / group), mg = (int)(m / group);
    int64_t k64 = (int64_t)win.kh * win.kw * cg;
    if (k64 > (1 << 24))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "kernel too large (k = %lld)",
                            (long long)k64);
    int k = (int)k64;
    const float *w = wt->data, *bias = bt ? bt->data : NULL;

    enum conv_kind kind = CONV_IM2COL;
    if (win.kh == 1 && win.kw == 1 && win.sh == 1 && win.sw == 1 && !win.pt && !win.pl &&
        !win.pb && !win.pr)
        kind = CONV_1X1;
    else if (group == xd.c && m == xd.c)
        kind = CONV_DW;

    size_t hdr = (sizeof(struct conv_state) + 63) / 64 * 64, total = hdr;
    size_t pstride = 0, dw_bytes = 0;
    if (kind == CONV_DW) {
        dw_bytes = ((size_t)k * (size_t)xd.c + (size_t)xd.c) * sizeof(float);
        total += dw_bytes;
    } else {
        pstride = (yq__f32_gemm_packed_size(k, mg) + 63) / 64 * 64;
        if (!yq__mul_size(pstride, (size_t)group, &dw_bytes) ||
            !yq__add_size(total, dw_bytes, &total))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "weights too large");
    }
    st = yq__ops_state_alloc(g, node, total, state, e);
    if (st)
        return st;
    struct conv_state *cs = *state;
    cs->kind = kind;
    cs->win = win;
    cs->n = (int)xd.n;
    cs->h = (int)xd.h;
    cs->w = (int)xd.w;
    cs->c = (int)xd.c;
    cs->m = (int)m;
    cs->group = (int)group;
    cs->cg = cg;
    cs->mg = mg;
    cs->k = k;
    cs->act = g->nodes[node].act;
    cs->packed_stride = pstride;
    cs->packed = (char *)cs + hdr;

    if (kind == CONV_DW) {
        cs->dw_w = (float *)cs->packed;
        cs->dw_bias = cs->dw_w + (size_t)k * cs->c;
        for (int c = 0; c < cs->c; c++) {
            for (int t = 0; t < k; t++)
                cs->dw_w[(size_t)t * cs->c + c] = w[(size_t)c * k + t];
            cs->dw_bias[c] = bias ? bias[c] : 0.0f;
        }
        return YQ_STATUS_OK;
    }
    float *tmp = yq__malloc((size_t)k * (size_t)mg * sizeof(float));
    if (!tmp) {
        yq__ops_state_free(*state);
        *state = NULL;
        return yq__node_err(g, node, e, YQ_STATUS_OUT_OF_MEMORY, "out of memory packing weights");
    }
    int khw = win.kh * win.kw;
    for (int gi = 0; gi < cs->group; gi++) {
        /* B[(ky*KW+kx)*Cg + ci][j] = W[gi*Mg + j][ci][ky][kx] */
        for (int j = 0; j < mg; j++) {
            const float *wj = w + (size_t)(gi * mg + j) * (size_t)cg * khw;
            for (int ci = 0; ci < cg; ci++)
                for (int t = 0; t < khw; t++)
                    tmp[((size_t)t * cg + ci) * mg + j] = wj[(size_t)ci * khw + t];
        }
        yq__f32_gemm_pack(k, mg, tmp, (size_t)mg, bias ? bias + (size_t)gi * mg : NULL,
                          cs->packed + (size_t)gi * pstride);
    }
    yq__free(tmp);
    if (kind == CONV_IM2COL) {
        size_t rows = TILE_BYTES / ((size_t)k * sizeof(float));
        rows = rows < 16 ? 16 : (rows > 512 ? 512 : rows / 8 * 8);
        cs->tile = (int)rows;
        *scratch_bytes = rows * (size_t)k * sizeof(float);
        if (cs->group == 1 && win.dw == 1 && yq__f32_igemm_chosen()) {
            /* pointers, the KH row starts, one zero row, and room to build every row of the
             * tile at the edges */
            cs->kind = CONV_IGEMM;
            rows = IGEMM_BYTES / ((size_t)k * sizeof(float)) / ROW_GRAIN * ROW_GRAIN;
            rows = rows < ROW_GRAIN ? ROW_GRAIN : (rows > 504 ? 504 : rows);
            cs->tile = (int)rows;
            *scratch_bytes = (rows + 1) * (size_t)win.kh * sizeof(float *) +
                             (size_t)win.kw * (size_t)cg * sizeof(float) +
                             rows * (size_t)k * sizeof(float);
        }
    }
    return YQ_STATUS_OK;
}

struct conv_ctx {
    const struct conv_state *s;
    const float *in;
    float *out;
    const struct yq__exec *x;
    int64_t npix; /* n * oh * ow */
    int64_t rows_per_task; /* depthwise: output rows per task */
    int64_t units, tasks;  /* GEMM paths: task t takes units [t*units/tasks, (t+1)*units/tasks) */
    int64_t grain;         /* of this many output pixels each */
};

/* Output pixels [*p0, *p1) of a GEMM-path task: the units are dealt out as evenly as
 * integers allow (a plain ceil split of 67 units into 8 tasks gave seven of 9 and one of 4). */
static void task_pixels(const struct conv_ctx *c, size_t task, int64_t *p0, int64_t *p1)
{
    int64_t t = (int64_t)task;
    *p0 = t * c->units / c->tasks * c->grain;
    *p1 = YQ_MIN((t + 1) * c->units / c->tasks * c->grain, c->npix);
}

/* memcpy of a short span with fixed-size chunks the compiler inlines: im2col copies
 * millions of 12..200-byte spans, where a libc call per span costs more than the copy. */
static inline void copy_span(float *restrict d, const float *restrict s, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        memcpy(d + i, s + i, 16 * sizeof(float));
    for (; i + 4 <= n; i += 4)
        memcpy(d + i, s + i, 4 * sizeof(float));
    for (; i < n; i++)
        d[i] = s[i];
}

/* Fills rows [p0, p1) of the im2col matrix for group gi: row r holds, for each ky, kx, the
 * Cg input channels of the tap (zero outside the image). */
static void im2col(const struct conv_state *s, const float *in, int gi, int64_t p0, int64_t p1,
                   float *a)
{
    const struct yq__win2d *wn = &s->win;
    const int64_t ohw = wn->oh * wn->ow;
    const size_t cg = (size_t)s->cg;
    /* with one group and no dilation a row of KW taps is one contiguous input span */
    const bool span = s->group == 1 && wn->dw == 1;
    for (int64_t p = p0; p < p1; p++, a += s->k) {
        int64_t n = p / ohw, r = p % ohw;
        int oy = (int)(r / wn->ow), ox = (int)(r % wn->ow);
        int iy0 = oy * wn->sh - wn->pt, ix0 = ox * wn->sw - wn->pl;
        float *dst = a;
        for (int ky = 0; ky < wn->kh; ky++, dst += (size_t)wn->kw * cg) {
            int iy = iy0 + ky * wn->dh;
            if (iy < 0 || iy >= s->h) {
                memset(dst, 0, (size_t)wn->kw * cg * sizeof(float));
                continue;
            }
            const float *row = in + ((size_t)n * s->h + (size_t)iy) * s->w * s->c + gi * cg;
            if (span && ix0 >= 0 && ix0 + wn->kw <= s->w) {
                copy_span(dst, row + (size_t)ix0 * s->c, (size_t)wn->kw * cg);
                continue;
            }
            for (int kx = 0; kx < wn->kw; kx++) {
                int ix = ix0 + kx * wn->dw;
                float *d = dst + (size_t)kx * cg;
                if (ix < 0 || ix >= s->w)
                    memset(d, 0, cg * sizeof(float));
                else
                    copy_span(d, row + (size_t)ix * s->c, cg);
            }
        }
    }
}

static void task_im2col(void *ctx, size_t task, int worker)
{
    const struct conv_ctx *c = ctx;
    const struct conv_state *s = c->s;
    int64_t p0, p1;
    task_pixels(c, task, &p0, &p1);
    float *a = yq__exec_scratch(c->x, worker);
    for (int gi = 0; gi < s->group; gi++) {
        im2col(s, c->in, gi, p0, p1, a);
        yq__f32_gemm(0, (int)(p1 - p0), s->mg, s->k, a, (size_t)s->k,
                     s->packed + (size_t)gi * s->packed_stride,
                     c->out + (size_t)p0 * s->m + (size_t)gi * s->mg, (size_t)s->m, &s->act);
    }
}

/* Rows [p0, p1) of the conv through the indirect GEMM: per output pixel, KH pointers to
 * KW*C contiguous input floats; rows above/below the image point at a zero row, rows that
 * cross the left/right edge are built (with zeros) in scratch. The KH input row starts (or
 * NULL) are found once per output row: a pixel inside the image in x then costs one add per
 * pointer (building the stem's 100k x 6 pointers took 0.45 ms of its ~3 ms before). */
static void task_igemm(void *ctx, size_t task, int worker)
{
    const struct conv_ctx *c = ctx;
    const struct conv_state *s = c->s;
    const struct yq__win2d *wn = &s->win;
    int64_t p0, p1;
    task_pixels(c, task, &p0, &p1);
    const size_t seg = (size_t)wn->kw * (size_t)s->cg;
    const int kh = wn->kh;
    const float **ind = yq__exec_scratch(c->x, worker);
    const float **rows = ind + (size_t)s->tile * (size_t)kh;
    float *zero = (float *)(rows + kh);
    float *edge = zero + seg;
    memset(zero, 0, seg * sizeof(float));
    const int64_t ohw = (int64_t)wn->oh * wn->ow;
    int64_t n = p0 / ohw, r = p0 % ohw;
    int oy = (int)(r / wn->ow), ox = (int)(r % wn->ow);
    const float **pi = ind;
    bool fresh = true; /* rows[] must be (re)computed for (n, oy) */
    for (int64_t p = p0; p < p1; p++) {
        if (fresh) {
            int iy0 = oy * wn->sh - wn->pt;
            for (int ky = 0; ky < kh; ky++) {
                int iy = iy0 + ky * wn->dh;
                rows[ky] = iy < 0 || iy >= s->h
                               ? NULL
                               : c->in + ((size_t)n * s->h + (size_t)iy) * s->w * s->c;
            }
            fresh = false;
        }
        int ix0 = ox * wn->sw - wn->pl;
        if (ix0 >= 0 && ix0 + wn->kw <= s->w) {
            size_t off = (size_t)ix0 * s->c;
            for (int ky = 0; ky < kh; ky++)
                pi[ky] = rows[ky] ? rows[ky] + off : zero;
            pi += kh;
        } else {
            for (int ky = 0; ky < kh; ky++) {
                if (!rows[ky]) {
                    *pi++ = zero;
                    continue;
                }
                for (int kx = 0; kx < wn->kw; kx++) {
                    int ix = ix0 + kx;
                    float *d = edge + (size_t)kx * s->cg;
                    if (ix < 0 || ix >= s->w)
                        memset(d, 0, (size_t)s->cg * sizeof(float));
                    else
                        copy_span(d, rows[ky] + (size_t)ix * s->c, (size_t)s->cg);
                }
                *pi++ = edge;
                edge += seg;
            }
        }
        if (++ox == wn->ow) {
            ox = 0;
            fresh = true;
            if (++oy == wn->oh) {
                oy = 0;
                n++;
            }
        }
    }
    yq__f32_igemm_chosen()((int)(p1 - p0), s->mg, kh, (int)seg, ind, s->packed,
                           c->out + (size_t)p0 * s->m, (size_t)s->m, &s->act);
}

static void task_1x1(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct conv_ctx *c = ctx;
    const struct conv_state *s = c->s;
    int64_t p0, p1;
    task_pixels(c, task, &p0, &p1);
    for (int gi = 0; gi < s->group; gi++)
        yq__f32_gemm((int)p0, (int)p1, s->mg, s->cg, c->in + (size_t)gi * s->cg, (size_t)s->c,
                     s->packed + (size_t)gi * s->packed_stride, c->out + (size_t)gi * s->mg,
                     (size_t)s->m, &s->act);
}

/* One output row (n, oy) of a depthwise conv, channels innermost. */
static void dw_row(const struct conv_state *s, const float *restrict in, float *restrict out,
                   int n, int oy)
{
    const struct yq__win2d *wn = &s->win;
    const int c = s->c;
    float *restrict orow = out + ((size_t)n * wn->oh + oy) * wn->ow * c;
    const float *restrict bias = s->dw_bias;
    for (int ox = 0; ox < wn->ow; ox++) {
        float *restrict o = orow + (size_t)ox * c;
        for (int ch = 0; ch < c; ch++)
            o[ch] = bias[ch];
        for (int ky = 0; ky < wn->kh; ky++) {
            int iy = oy * wn->sh - wn->pt + ky * wn->dh;
            if (iy < 0 || iy >= s->h)
                continue;
            const float *irow = in + ((size_t)n * s->h + iy) * s->w * c;
            for (int kx = 0; kx < wn->kw; kx++) {
                int ix = ox * wn->sw - wn->pl + kx * wn->dw;
                if (ix < 0 || ix >= s->w)
                    continue;
                const float *restrict ip = irow + (size_t)ix * c;
                const float *restrict wp = s->dw_w + (size_t)(ky * wn->kw + kx) * c;
                for (int ch = 0; ch < c; ch++)
                    o[ch] += ip[ch] * wp[ch];
            }
        }
    }
    yq__f32_act(orow, (size_t)wn->ow * c, &s->act);
}

static void task_dw(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct conv_ctx *c = ctx;
    const struct conv_state *s = c->s;
    int64_t r0 = (int64_t)task * c->rows_per_task;
    int64_t r1 = YQ_MIN(r0 + c->rows_per_task, (int64_t)s->n * s->win.oh);
    for (int64_t r = r0; r < r1; r++)
        dw_row(s, c->in, c->out, (int)(r / s->win.oh), (int)(r % s->win.oh));
}

static void conv_run(const struct yq__exec *x)
{
    const struct conv_state *s = x->state;
    struct conv_ctx c = {s, x->in[0], x->out[0], x, (int64_t)s->n * s->win.oh * s->win.ow,
                         0, 0, 0, 0};
    int threads = yq__pool_threads(x->pool);
    if (s->kind == CONV_DW) {
        int64_t rows = (int64_t)s->n * s->win.oh;
        size_t tasks = yq__ops_n_tasks(x->pool, (size_t)rows, 1);
        c.rows_per_task = (rows + (int64_t)tasks - 1) / (int64_t)tasks;
        yq__ops_run_homed(x->pool, (size_t)((rows + c.rows_per_task - 1) / c.rows_per_task), task_dw,
                  &c);
        return;
    }
    /* a task takes at most max_rows pixels (the im2col scratch holds a tile), in units of
     * `grain`: ROW_GRAIN serially; half of it with several threads, so small maps (20x20:
     * 17 units of 24) still split evenly; 12 is still a whole number of 4-, 6- and 12-row
     * tiles */
    int64_t max_rows = s->kind == CONV_1X1 ? 240 : s->tile;
    c.grain = YQ_MIN(threads > 1 ? ROW_GRAIN / 2 : ROW_GRAIN, max_rows);
    c.units = (c.npix + c.grain - 1) / c.grain;
    int64_t per = max_rows / c.grain; /* units per task at most */
    c.tasks = (c.units + per - 1) / per;
    if (threads > 1) {
        /* at least ~3 tasks per thread and a multiple of the threads, so equal tasks deal
         * out evenly (7 tasks of 240 rows on 2 threads left one idle for a 7th of the op) */
        c.tasks = YQ_MAX(c.tasks, (int64_t)threads * 3);
        c.tasks = YQ_MIN((c.tasks + threads - 1) / threads * threads, c.units);
    }
    yq__ops_run_homed(x->pool, (size_t)c.tasks,
                 s->kind == CONV_1X1 ? task_1x1 : s->kind == CONV_IGEMM ? task_igemm : task_im2col,
                 &c);
}

const struct yq__op_impl yq__f32_conv = {
    YQ__OP_CONV, YQ__OPCLASS_SPATIAL, conv_infer, conv_prepare, conv_run, yq__ops_state_free,
};
