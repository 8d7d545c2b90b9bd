/* SPDX-License-Identifier: Apache-2.0 */
/* int8 operators that move codes spatially: MaxPool (max of codes: the dequantization is
 * monotonic, so with equal parameters the max of codes is the code of the max), Resize and
 * Upsample in nearest mode (source rows and columns tabulated at prepare), and Pad (constant
 * fills with the zero point, i.e. real 0; edge and reflect copy codes). Attributes and
 * geometry come from the plans the fp32 operators use (*_common.h); output parameters must
 * equal the input's (quantize.h). */
#include "ops/pad_common.h"
#include "ops/pool_common.h"
#include "ops/resize_common.h"
#include "ops/s8_util.h"

/* What every prepare here checks after its plan: the codes move unchanged (equal parameters,
 * yq__s8_check_move) into an output of the planned size. */
static enum yq_status check_move_into(const struct yq__graph *g, int node, int64_t numel,
                                      struct yq__err *e)
{
    enum yq_status st = yq__s8_check_move(g, node, e);
    if (st) return st;
    if (yq__shape_numel(&yq__ops_out((struct yq__graph *)g, node, 0)->shape) != numel)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "output size does not match");
    return YQ_STATUS_OK;
}

/* ---- MaxPool --------------------------------------------------------------------------- */

/* The plan, and whether the separable path applies: NHWC (channel vectors contiguous) and no
 * dilation. A window max is then the max over the window's columns of the max over its rows,
 * so each output row takes a vertical max of the kh input rows into a scratch row (w*c codes)
 * and then kw-wide maxes along it: (kh*w + kw*ow)*c byte maxes instead of kh*kw*ow*c, all on
 * contiguous vectors. */
struct s8_pool_state {
    struct yq__pool_plan p;
    bool sep;
};

static enum yq_status s8_pool_check(const struct yq__graph *g, int node, struct yq__pool_plan *s,
                                    struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 1, 1, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    if ((st = yq__s8_check_act(g, node, x, "input", 0, e))) return st;
    if (x->shape.rank != 4)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "only 2D int8 pooling is supported (input %s)",
                            yq__ops_sh(&x->shape, sb));
    return yq__ops_pool_plan(g, node, s, e);
}

/* The pool's plan, checked to move codes into an output of the planned size (prepare). */
static enum yq_status s8_pool_plan_move(const struct yq__graph *g, int node,
                                        struct yq__pool_plan *p, struct yq__err *e)
{
    enum yq_status st = s8_pool_check(g, node, p, e);
    if (!st) st = check_move_into(g, node, (int64_t)p->n * p->c * p->win.oh * p->win.ow, e);
    return st;
}

static enum yq_status s8_pool_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct yq__pool_plan s;
    enum yq_status st = s8_pool_check(g, node, &s, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = yq__ops_spatial_shape(x, s.win.oh, s.win.ow);
    yq__ops_set_out(g, node, 0, YQ__DTYPE_S8, &o, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status s8_pool_prepare(const struct yq__graph *g, int node, void **state,
                                      size_t *scratch_bytes, struct yq__err *e)
{
    struct s8_pool_state s;
    *state = NULL;
    *scratch_bytes = 0;
    memset(&s, 0, sizeof s);
    enum yq_status st = s8_pool_plan_move(g, node, &s.p, e);
    if (st) return st;
    s.sep = s.p.in_sc == 1 && s.p.out_sc == 1 && s.p.win.dh == 1 && s.p.win.dw == 1 &&
            s.p.in_sx == s.p.c && s.p.out_sx == s.p.c && s.p.in_sy == (int64_t)s.p.w * s.p.c &&
            s.p.c > 0 && s.p.w > 0;
    if (s.sep) *scratch_bytes = (size_t)s.p.w * (size_t)s.p.c;
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st) return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

/* A window with no tap inside the image (only possible with pads >= kernel) gives -128, the
 * int8 counterpart of the fp32 -FLT_MAX. */
static void s8_pool_row(const struct yq__pool_plan *s, const int8_t *in, int8_t *out, int n, int oy)
{
    const struct yq__win2d *wn = &s->win;
    const int64_t isc = s->in_sc, osc = s->out_sc;
    int y0 = oy * wn->sh - wn->pt;
    for (int ox = 0; ox < wn->ow; ox++) {
        int8_t *o = out + n * s->out_sn + oy * s->out_sy + ox * s->out_sx;
        int x0 = ox * wn->sw - wn->pl;
        for (int c = 0; c < s->c; c++)
            o[c * osc] = -128;
        for (int ky = 0; ky < wn->kh; ky++) {
            int iy = y0 + ky * wn->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (int kx = 0; kx < wn->kw; kx++) {
                int ix = x0 + kx * wn->dw;
                if (ix < 0 || ix >= s->w) continue;
                const int8_t *ip = in + n * s->in_sn + iy * s->in_sy + ix * s->in_sx;
                if (isc == 1 && osc == 1) {
                    yq__s8_max_into(o, ip, (size_t)s->c);
                } else {
                    for (int c = 0; c < s->c; c++)
                        o[c * osc] = ip[c * isc] > o[c * osc] ? ip[c * isc] : o[c * osc];
                }
            }
        }
    }
}

/* The separable form of s8_pool_row (struct s8_pool_state); tmp holds w*c codes. The taps
 * and the -128 of an empty window are the same, so the codes are identical. */
static void s8_pool_row_sep(const struct yq__pool_plan *s, const int8_t *in, int8_t *out, int n,
                            int oy, int8_t *restrict tmp)
{
    const struct yq__win2d *wn = &s->win;
    const size_t c = (size_t)s->c, rowb = (size_t)s->w * c;
    int8_t *orow = out + n * s->out_sn + oy * s->out_sy;
    int y0 = oy * wn->sh - wn->pt;
    int ya = y0 < 0 ? 0 : y0, yb = y0 + wn->kh > s->h ? s->h : y0 + wn->kh;
    if (ya >= yb) {
        memset(orow, -128, (size_t)wn->ow * c);
        return;
    }
    const int8_t *img = in + n * s->in_sn;
    const int8_t *vmax = img + ya * s->in_sy;
    if (yb - ya > 1) {
        yq__s8_copy(tmp, vmax, rowb);
        for (int iy = ya + 1; iy < yb; iy++)
            yq__s8_max_into(tmp, img + iy * s->in_sy, rowb);
        vmax = tmp;
    }
    for (int ox = 0; ox < wn->ow; ox++) {
        int8_t *o = orow + (size_t)ox * c;
        int x0 = ox * wn->sw - wn->pl;
        int xa = x0 < 0 ? 0 : x0, xb = x0 + wn->kw > s->w ? s->w : x0 + wn->kw;
        if (xa >= xb) {
            memset(o, -128, c);
            continue;
        }
        yq__s8_copy(o, vmax + (size_t)xa * c, c);
        for (int ix = xa + 1; ix < xb; ix++)
            yq__s8_max_into(o, vmax + (size_t)ix * c, c);
    }
}

struct s8_pool_ctx {
    const struct s8_pool_state *s;
    const struct yq__exec *x;
    int64_t rows, per;
};

static void s8_pool_task(void *ctx, size_t task, int worker)
{
    const struct s8_pool_ctx *c = ctx;
    const struct yq__pool_plan *p = &c->s->p;
    const int8_t *in = c->x->in[0];
    int8_t *out = c->x->out[0];
    int64_t r0 = (int64_t)task * c->per, r1 = YQ_MIN(r0 + c->per, c->rows);
    int8_t *tmp = c->s->sep ? yq__exec_scratch(c->x, worker) : NULL;
    for (int64_t r = r0; r < r1; r++) {
        int n = (int)(r / p->win.oh), oy = (int)(r % p->win.oh);
        if (tmp)
            s8_pool_row_sep(p, in, out, n, oy, tmp);
        else
            s8_pool_row(p, in, out, n, oy);
    }
}

static void s8_pool_run(const struct yq__exec *x)
{
    const struct s8_pool_state *s = x->state;
    struct s8_pool_ctx c = {s, x, (int64_t)s->p.n * s->p.win.oh, 0};
    if (c.rows <= 0) return;
    /* a row is (kh*w + kw*ow)*c byte maxes, vectorized: split only when each task gets ~1M
     * of them (tens of microseconds), else waking a thread costs more than the work */
    int64_t work = (int64_t)(s->p.win.kh * s->p.w + s->p.win.kw * s->p.win.ow) * s->p.c;
    int64_t min_rows = work > 0 ? ((1 << 20) + work - 1) / work : 1;
    size_t tasks = yq__ops_n_tasks(x->pool, (size_t)c.rows, (size_t)min_rows);
    c.per = (c.rows + (int64_t)tasks - 1) / (int64_t)tasks;
    yq__ops_run_homed(tasks > 1 ? x->pool : NULL, (size_t)((c.rows + c.per - 1) / c.per), s8_pool_task,
                 &c);
}

const struct yq__op_impl yq__s8_max_pool = {
    YQ__OP_MAX_POOL, YQ__OPCLASS_SPATIAL, s8_pool_infer,
    s8_pool_prepare, s8_pool_run,         yq__ops_state_free,
};

/* ---- Resize / Upsample, nearest -------------------------------------------------------- */

struct s8_resize_state {
    int n, c, h, w, oh, ow;
    int64_t in_sn, in_sc, in_sy, in_sx, out_sn, out_sc, out_sy, out_sx;
    int32_t *ys, *xs; /* source row of each output row, source column of each column */
};

static enum yq_status s8_resize_check(const struct yq__graph *g, int node,
                                      struct yq__resize_plan *p, struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 1, 4, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    if ((st = yq__s8_check_act(g, node, x, "input", 0, e))) return st;
    if (x->shape.rank != 4)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "only 4D input is supported (got %s)", yq__ops_sh(&x->shape, sb));
    return yq__ops_resize_plan(g, node, p, e);
}

static enum yq_status s8_resize_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct yq__resize_plan p;
    enum yq_status st = s8_resize_check(g, node, &p, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = yq__ops_spatial_shape(x, p.oh, p.ow);
    yq__ops_set_out(g, node, 0, YQ__DTYPE_S8, &o, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status s8_resize_prepare(const struct yq__graph *g, int node, void **state,
                                        size_t *scratch_bytes, struct yq__err *e)
{
    struct yq__resize_plan p;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = s8_resize_check(g, node, &p, e);
    if (!st && p.linear)
        st = yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                          "int8 Resize supports mode 'nearest' only (linear blends codes)");
    if (!st) st = check_move_into(g, node, p.n * p.c * p.oh * p.ow, e);
    if (st) return st;
    size_t hdr = (sizeof(struct s8_resize_state) + 63) / 64 * 64;
    st = yq__ops_state_alloc(g, node, hdr + (size_t)(p.oh + p.ow) * sizeof(int32_t), state, e);
    if (st) return st;
    struct s8_resize_state *s = *state;
    bool nhwc = yq__ops_is_nhwc(yq__ops_in(g, node, 0));
    s->n = (int)p.n;
    s->c = (int)p.c;
    s->h = (int)p.h;
    s->w = (int)p.w;
    s->oh = (int)p.oh;
    s->ow = (int)p.ow;
    yq__ops_strides_4d(nhwc, p.c, p.h, p.w, &s->in_sn, &s->in_sc, &s->in_sy, &s->in_sx);
    yq__ops_strides_4d(nhwc, p.c, p.oh, p.ow, &s->out_sn, &s->out_sc, &s->out_sy, &s->out_sx);
    s->ys = (int32_t *)((char *)s + hdr);
    s->xs = s->ys + p.oh;
    for (int64_t o = 0; o < p.oh; o++)
        s->ys[o] = yq__ops_resize_nearest(&p, yq__ops_resize_coord(&p, o, p.h, p.oh, p.sh), p.h);
    for (int64_t o = 0; o < p.ow; o++)
        s->xs[o] = yq__ops_resize_nearest(&p, yq__ops_resize_coord(&p, o, p.w, p.ow, p.sw), p.w);
    return YQ_STATUS_OK;
}

static void s8_resize_row(const struct s8_resize_state *s, const int8_t *in, int8_t *out, int n,
                          int oy)
{
    const int8_t *row = in + n * s->in_sn + s->ys[oy] * s->in_sy;
    int8_t *orow = out + n * s->out_sn + oy * s->out_sy;
    for (int ox = 0; ox < s->ow; ox++) {
        int8_t *o = orow + ox * s->out_sx;
        const int8_t *a = row + s->xs[ox] * s->in_sx;
        if (s->in_sc == 1 && s->out_sc == 1)
            yq__s8_copy(o, a, (size_t)s->c);
        else
            for (int c = 0; c < s->c; c++)
                o[c * s->out_sc] = a[c * s->in_sc];
    }
}

struct s8_resize_ctx {
    const struct s8_resize_state *s;
    const int8_t *in;
    int8_t *out;
};

static void s8_resize_rows(const void *ctx, int64_t r0, int64_t r1)
{
    const struct s8_resize_ctx *c = ctx;
    for (int64_t r = r0; r < r1; r++)
        s8_resize_row(c->s, c->in, c->out, (int)(r / c->s->oh), (int)(r % c->s->oh));
}

static void s8_resize_run(const struct yq__exec *x)
{
    const struct s8_resize_state *s = x->state;
    struct s8_resize_ctx c = {s, x->in[0], x->out[0]};
    /* a small copy runs on the calling thread: waking the pool would cost more */
    int64_t rows = (int64_t)s->n * s->oh;
    if (rows * s->ow * s->c < 65536)
        s8_resize_rows(&c, 0, rows);
    else
        yq__ops_run_rows(x->pool, rows, s8_resize_rows, &c);
}

const struct yq__op_impl yq__s8_resize = {
    YQ__OP_RESIZE,     YQ__OPCLASS_SPATIAL, s8_resize_infer,
    s8_resize_prepare, s8_resize_run,       yq__ops_state_free,
};
const struct yq__op_impl yq__s8_upsample = {
    YQ__OP_UPSAMPLE,   YQ__OPCLASS_SPATIAL, s8_resize_infer,
    s8_resize_prepare, s8_resize_run,       yq__ops_state_free,
};

/* ---- Pad -------------------------------------------------------------------------------- */

struct s8_pad_state {
    struct yq__pad_plan p;
    int8_t fill; /* the zero point */
};

/* The constant value must be real 0 so that filling with the zero point is exact: the
 * `value` attribute, or a constant_value input that is an f32 0 or an int8 scalar holding
 * its own zero point. */
static enum yq_status pad_value_zero(const struct yq__graph *g, int node, struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    float v = yq__attr_float(nd, "value", 0.0f);
    const struct yq__tensor *cv = nd->n_in >= 3 ? yq__ops_in(g, node, 2) : NULL;
    if (cv) {
        const void *p = yq__ops_value(g, nd->in[2]);
        if (p && yq__shape_numel(&cv->shape) == 1 && cv->dtype == YQ__DTYPE_F32)
            v = *(const float *)p;
        else if (p && yq__shape_numel(&cv->shape) == 1 && cv->dtype == YQ__DTYPE_S8)
            v = (float)(*(const int8_t *)p - cv->q.zero_point);
        else
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "constant_value must be a constant f32 or int8 scalar");
    }
    if (v != 0.0f)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "int8 Pad needs constant value 0 (got %g)", (double)v);
    return YQ_STATUS_OK;
}

static enum yq_status s8_pad_check(const struct yq__graph *g, int node, struct s8_pad_state *s,
                                   struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 1, 4, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    if ((st = yq__s8_check_act(g, node, x, "input", 0, e))) return st;
    memset(s, 0, sizeof *s);
    if ((st = yq__ops_pad_plan(g, node, &s->p, e))) return st;
    if (s->p.mode == YQ__PAD_MODE_CONSTANT && (st = pad_value_zero(g, node, e))) return st;
    s->fill = (int8_t)x->q.zero_point;
    return YQ_STATUS_OK;
}

static enum yq_status s8_pad_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct s8_pad_state s;
    enum yq_status st = s8_pad_check(g, node, &s, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = x->shape;
    for (int i = 0; i < s.p.rank; i++)
        o.d[i] = s.p.out_d[i];
    yq__ops_set_out(g, node, 0, YQ__DTYPE_S8, &o, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status s8_pad_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    struct s8_pad_state s;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = s8_pad_check(g, node, &s, e);
    if (st) return st;
    struct yq__shape o = {s.p.rank, {0}};
    for (int i = 0; i < s.p.rank; i++)
        o.d[i] = s.p.out_d[i];
    if ((st = check_move_into(g, node, yq__shape_numel(&o), e))) return st;
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st) return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

/* Output rows (the last dim) map every outer index to a source row, then fill left,
 * copy the middle and fill right. */
static void s8_pad_run(const struct yq__exec *x)
{
    const struct s8_pad_state *s = x->state;
    const struct yq__pad_plan *p = &s->p;
    const int8_t *in = x->in[0];
    int8_t *out = x->out[0];
    if (p->rank == 0) {
        out[0] = in[0];
        return;
    }
    const int last = p->rank - 1;
    const int64_t ow = p->out_d[last];
    for (int64_t row = 0; row < p->rows; row++) {
        int8_t *dst = out + row * ow;
        int64_t off = yq__ops_pad_row_src(p, row);
        if (off < 0) {
            memset(dst, s->fill, (size_t)ow);
            continue;
        }
        const int8_t *src = in + off;
        for (int64_t o = 0; o < ow; o++) {
            int64_t si = yq__ops_pad_src(p, last, o);
            dst[o] = si < 0 ? s->fill : src[si];
        }
    }
}

const struct yq__op_impl yq__s8_pad = {
    YQ__OP_PAD, YQ__OPCLASS_AXIS, s8_pad_infer, s8_pad_prepare, s8_pad_run, yq__ops_state_free,
};

/* ---- AveragePool, GlobalAveragePool ------------------------------------------------------ */

/* Output parameters equal the input's (quantize.h), so the mean of the reals is the mean of
 * the codes: q = round_half_even(sum (x - zp) / cnt) + zp, saturated, with cnt the taps
 * inside the image or, with count_include_pad, the padded window (pads are real 0, code
 * zp, so they add 0 to the sum). Exact integer arithmetic: the result is within half a step
 * (scale / 2) of the fp32 average of the dequantized input. |sum| <= 255 * cnt, so windows
 * of up to 2^23 taps stay inside int32 (checked at prepare). */
struct s8_avg_state {
    struct yq__pool_plan p;
    bool count_pad;
    int32_t zp;
};

/* round(a / b) half to even for b > 0. */
static int32_t div_round_even(int32_t a, int32_t b)
{
    int32_t q = a / b, r = a % b;
    if (r < 0) q--, r += b;
    if (2 * r > b || (2 * r == b && (q & 1))) q++;
    return q;
}

static enum yq_status s8_avg_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    struct s8_avg_state s;
    *state = NULL;
    *scratch_bytes = 0;
    memset(&s, 0, sizeof s);
    enum yq_status st = s8_pool_plan_move(g, node, &s.p, e);
    if (st) return st;
    const struct yq__node *nd = &g->nodes[node];
    s.count_pad = nd->op == YQ__OP_AVERAGE_POOL && yq__attr_int(nd, "count_include_pad", 0) != 0;
    s.zp = yq__ops_in(g, node, 0)->q.zero_point;
    int64_t taps = (int64_t)s.p.win.kh * s.p.win.kw; /* cnt <= taps either way */
    if (taps > (1 << 23))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "int8 average over %lld taps may overflow int32", (long long)taps);
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st) return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

static void s8_avg_row(const struct s8_avg_state *st, const int8_t *in, int8_t *out, int n, int oy)
{
    const struct yq__pool_plan *s = &st->p;
    const struct yq__win2d *wn = &s->win;
    int y0 = oy * wn->sh - wn->pt;
    for (int ox = 0; ox < wn->ow; ox++) {
        int8_t *o = out + n * s->out_sn + oy * s->out_sy + ox * s->out_sx;
        int x0 = ox * wn->sw - wn->pl;
        int cnt = 0;
        for (int ky = 0; ky < wn->kh; ky++) {
            int iy = y0 + ky * wn->dh;
            for (int kx = 0; kx < wn->kw; kx++) {
                int ix = x0 + kx * wn->dw;
                cnt += iy >= 0 && iy < s->h && ix >= 0 && ix < s->w;
            }
        }
        if (st->count_pad) {
            /* the fp32 rule (pool.c): the window clipped to the padded input */
            int ylo = YQ_MAX(y0, -wn->pt), yhi = YQ_MIN(y0 + (wn->kh - 1) * wn->dh + 1,
                                                         s->h + wn->pb);
            int xlo = YQ_MAX(x0, -wn->pl), xhi = YQ_MIN(x0 + (wn->kw - 1) * wn->dw + 1,
                                                        s->w + wn->pr);
            cnt = ((yhi - ylo + wn->dh - 1) / wn->dh) * ((xhi - xlo + wn->dw - 1) / wn->dw);
        }
        for (int c = 0; c < s->c; c++) {
            int32_t sum = 0;
            for (int ky = 0; ky < wn->kh; ky++) {
                int iy = y0 + ky * wn->dh;
                if (iy < 0 || iy >= s->h) continue;
                for (int kx = 0; kx < wn->kw; kx++) {
                    int ix = x0 + kx * wn->dw;
                    if (ix < 0 || ix >= s->w) continue;
                    sum += in[n * s->in_sn + iy * s->in_sy + ix * s->in_sx + c * s->in_sc] - st->zp;
                }
            }
            /* an empty window averages to real 0 like the fp32 operator's */
            int32_t q = (cnt > 0 ? div_round_even(sum, cnt) : 0) + st->zp;
            o[c * s->out_sc] = (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
        }
    }
}

struct s8_avg_ctx {
    const struct s8_avg_state *s;
    const struct yq__exec *x;
};

static void s8_avg_rows(const void *ctx, int64_t r0, int64_t r1)
{
    const struct s8_avg_ctx *c = ctx;
    for (int64_t r = r0; r < r1; r++)
        s8_avg_row(c->s, c->x->in[0], c->x->out[0], (int)(r / c->s->p.win.oh),
                   (int)(r % c->s->p.win.oh));
}

static void s8_avg_run(const struct yq__exec *x)
{
    const struct s8_avg_state *s = x->state;
    struct s8_avg_ctx c = {s, x};
    yq__ops_run_rows(x->pool, (int64_t)s->p.n * s->p.win.oh, s8_avg_rows, &c);
}

const struct yq__op_impl yq__s8_average_pool = {
    YQ__OP_AVERAGE_POOL, YQ__OPCLASS_SPATIAL, s8_pool_infer,
    s8_avg_prepare,      s8_avg_run,          yq__ops_state_free,
};
const struct yq__op_impl yq__s8_global_average_pool = {
    YQ__OP_GLOBAL_AVERAGE_POOL, YQ__OPCLASS_SPATIAL, s8_pool_infer,
    s8_avg_prepare,             s8_avg_run,          yq__ops_state_free,
};
