/* SPDX-License-Identifier: Apache-2.0 */
/* int8 operators that move codes spatially: MaxPool (max of codes: the dequantization is
 * monotonic, so with equal parameters the max of codes is the code of the max), Resize and
 * Upsample in nearest mode (source rows and columns tabulated at prepare with the same
 * coordinate rules as resize.c), and Pad (constant fills with the zero point, i.e. real 0;
 * edge and reflect copy codes). Output parameters must equal the input's (quantize.h). */
#include "ops/s8_util.h"

/* ---- MaxPool --------------------------------------------------------------------------- */

struct s8_pool_state {
    struct yq__win2d win;
    int n, c, h, w;
    int64_t in_sn, in_sc, in_sy, in_sx;
    int64_t out_sn, out_sc, out_sy, out_sx;
};

static void strides_of(bool nhwc, int64_t c, int64_t h, int64_t w, int64_t *sn, int64_t *sc,
                       int64_t *sy, int64_t *sx)
{
    *sn = c * h * w;
    *sc = nhwc ? 1 : h * w;
    *sx = nhwc ? c : 1;
    *sy = *sx * w;
}

static enum yq_status s8_pool_check(const struct yq__graph *g, int node, struct s8_pool_state *s,
                                    struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    enum yq_status st = yq__ops_check_io(g, node, 1, 1, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    if ((st = yq__s8_check_act(g, node, x, "input", 0, e))) return st;
    if (x->shape.rank != 4)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "only 2D int8 pooling is supported (input %s)",
                            yq__ops_sh(&x->shape, sb));
    if (nd->n_out > 1 && nd->out[1] >= 0)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "the Indices output is not supported");
    for (int i = 0; i < 4; i++)
        if (x->shape.d[i] > INT32_MAX)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "input too large");
    bool nhwc = yq__ops_is_nhwc(x);
    memset(s, 0, sizeof *s);
    s->n = (int)x->shape.d[0];
    s->c = (int)x->shape.d[nhwc ? 3 : 1];
    s->h = (int)x->shape.d[nhwc ? 1 : 2];
    s->w = (int)x->shape.d[nhwc ? 2 : 3];
    int cnt = 0;
    const int64_t *ks = yq__attr_ints(nd, "kernel_shape", &cnt);
    if (!ks || cnt != 2 || ks[0] < 1 || ks[1] < 1 || ks[0] > 65536 || ks[1] > 65536)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "kernel_shape must be 2 positive values");
    bool ceil_mode = yq__attr_int(nd, "ceil_mode", 0) != 0;
    st = yq__ops_win2d(g, node, s->h, s->w, (int)ks[0], (int)ks[1], ceil_mode, &s->win, e);
    if (st) return st;
    strides_of(nhwc, s->c, s->h, s->w, &s->in_sn, &s->in_sc, &s->in_sy, &s->in_sx);
    strides_of(nhwc, s->c, s->win.oh, s->win.ow, &s->out_sn, &s->out_sc, &s->out_sy, &s->out_sx);
    return YQ_STATUS_OK;
}

static enum yq_status s8_pool_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct s8_pool_state s;
    enum yq_status st = s8_pool_check(g, node, &s, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = x->shape;
    bool nhwc = yq__ops_is_nhwc(x);
    o.d[nhwc ? 1 : 2] = s.win.oh;
    o.d[nhwc ? 2 : 3] = s.win.ow;
    yq__ops_set_out(g, node, 0, YQ__DTYPE_S8, &o, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status s8_pool_prepare(const struct yq__graph *g, int node, void **state,
                                      size_t *scratch_bytes, struct yq__err *e)
{
    struct s8_pool_state s;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = s8_pool_check(g, node, &s, e);
    if (!st) st = yq__s8_check_move(g, node, e);
    if (st) return st;
    const struct yq__tensor *y = yq__ops_out((struct yq__graph *)g, node, 0);
    if (yq__shape_numel(&y->shape) != (int64_t)s.n * s.c * s.win.oh * s.win.ow)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "output size does not match");
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st) return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

/* NHWC: contiguous channel vectors that never overlap (input and output are distinct
 * tensors), so the loop vectorises to byte max instructions. */
static void max_into(int8_t *restrict o, const int8_t *restrict ip, int n)
{
    for (int c = 0; c < n; c++)
        o[c] = ip[c] > o[c] ? ip[c] : o[c];
}

/* A window with no tap inside the image (only possible with pads >= kernel) gives -128, the
 * int8 counterpart of the fp32 -FLT_MAX. */
static void s8_pool_row(const struct s8_pool_state *s, const int8_t *in, int8_t *out, int n, int oy)
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
                    max_into(o, ip, s->c);
                } else {
                    for (int c = 0; c < s->c; c++)
                        o[c * osc] = ip[c * isc] > o[c * osc] ? ip[c * isc] : o[c * osc];
                }
            }
        }
    }
}

struct s8_pool_ctx {
    const struct s8_pool_state *s;
    const int8_t *in;
    int8_t *out;
    int64_t per;
};

static void s8_pool_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct s8_pool_ctx *c = ctx;
    const struct s8_pool_state *s = c->s;
    int64_t r0 = (int64_t)task * c->per, r1 = YQ_MIN(r0 + c->per, (int64_t)s->n * s->win.oh);
    for (int64_t r = r0; r < r1; r++)
        s8_pool_row(s, c->in, c->out, (int)(r / s->win.oh), (int)(r % s->win.oh));
}

static void s8_pool_run(const struct yq__exec *x)
{
    const struct s8_pool_state *s = x->state;
    int64_t rows = (int64_t)s->n * s->win.oh;
    size_t tasks = yq__ops_n_tasks(x->pool, (size_t)rows, 1);
    struct s8_pool_ctx c = {s, x->in[0], x->out[0], (rows + (int64_t)tasks - 1) / (int64_t)tasks};
    yq__pool_run(x->pool, (size_t)((rows + c.per - 1) / c.per), s8_pool_task, &c);
}

const struct yq__op_impl yq__s8_max_pool = {
    YQ__OP_MAX_POOL, YQ__OPCLASS_SPATIAL, s8_pool_infer,
    s8_pool_prepare, s8_pool_run,         yq__ops_state_free,
};

/* ---- Resize / Upsample, nearest -------------------------------------------------------- */

enum coord_mode {
    COORD_HALF_PIXEL,
    COORD_PYTORCH_HALF_PIXEL,
    COORD_ALIGN_CORNERS,
    COORD_ASYMMETRIC,
    COORD_TF_HALF_PIXEL_NN
};
enum nearest_mode {
    NEAREST_ROUND_PREFER_FLOOR,
    NEAREST_ROUND_PREFER_CEIL,
    NEAREST_FLOOR,
    NEAREST_CEIL
};

struct s8_resize_params {
    bool linear;
    enum coord_mode coord;
    enum nearest_mode nearest;
    int64_t n, c, h, w, oh, ow;
    double sh, sw;
};

struct s8_resize_state {
    int n, c, h, w, oh, ow;
    int64_t in_sn, in_sc, in_sy, in_sx, out_sn, out_sc, out_sy, out_sx;
    int32_t *ys, *xs; /* source row of each output row, source column of each column */
};

static bool parse_name(const char *s, const char *const *names, int n, int *out)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return true;
        }
    return false;
}

/* Same inputs, attributes and checks as resize.c's resize_check, for int8 input. */
static enum yq_status s8_resize_check(const struct yq__graph *g, int node,
                                      struct s8_resize_params *p, struct yq__err *e)
{
    static const char *const coords[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                         "asymmetric", "tf_half_pixel_for_nn"};
    static const char *const nearests[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                           "ceil"};
    const struct yq__node *nd = &g->nodes[node];
    bool upsample = nd->op == YQ__OP_UPSAMPLE;
    enum yq_status st = yq__ops_check_io(g, node, 1, 4, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    if ((st = yq__s8_check_act(g, node, x, "input", 0, e))) return st;
    if (x->shape.rank != 4)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "only 4D input is supported (got %s)", yq__ops_sh(&x->shape, sb));
    memset(p, 0, sizeof *p);
    bool nhwc = yq__ops_is_nhwc(x);
    p->n = x->shape.d[0];
    p->c = x->shape.d[nhwc ? 3 : 1];
    p->h = x->shape.d[nhwc ? 1 : 2];
    p->w = x->shape.d[nhwc ? 2 : 3];
    const char *mode = yq__attr_string(nd, "mode", "nearest");
    if (strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0)
        p->linear = true;
    else if (strcmp(mode, "nearest") != 0)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "mode '%s' is not supported", mode);
    const char *cm = upsample ? "asymmetric"
                              : yq__attr_string(nd, "coordinate_transformation_mode", "half_pixel");
    const char *nm = upsample ? "floor" : yq__attr_string(nd, "nearest_mode", "round_prefer_floor");
    int ci = 0, ni = 0;
    if (!parse_name(cm, coords, 5, &ci))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "coordinate_transformation_mode '%s' is not supported", cm);
    if (!parse_name(nm, nearests, 4, &ni))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "nearest_mode '%s' is not supported",
                            nm);
    p->coord = (enum coord_mode)ci;
    p->nearest = (enum nearest_mode)ni;
    float scales[4];
    int ns = 0;
    int si = nd->n_in >= 3 ? 2 : 1;
    const struct yq__tensor *ts = yq__ops_in(g, node, si), *tz = yq__ops_in(g, node, 3);
    if (ts && yq__shape_numel(&ts->shape) > 0) {
        const void *v = yq__ops_value(g, nd->in[si]);
        if (!v || ts->dtype != YQ__DTYPE_F32 || yq__shape_numel(&ts->shape) != 4)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "scales must be a constant of 4 floats");
        memcpy(scales, v, sizeof scales);
        ns = 4;
    } else if (upsample) {
        const float *a = yq__attr_floats(nd, "scales", &ns);
        if (!a || ns != 4)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "scales are missing");
        memcpy(scales, a, sizeof scales);
    }
    if (ns == 4) {
        if (scales[0] != 1.0f || scales[1] != 1.0f || !(scales[2] > 0.0f) || !(scales[3] > 0.0f) ||
            scales[2] > 1024.0f || scales[3] > 1024.0f)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "scales [%g,%g,%g,%g] are not a spatial resize", scales[0],
                                scales[1], scales[2], scales[3]);
        p->sh = scales[2];
        p->sw = scales[3];
        p->oh = (int64_t)floor((double)p->h * p->sh);
        p->ow = (int64_t)floor((double)p->w * p->sw);
    } else if (tz) {
        int64_t sz[4];
        int n = 0;
        if (!yq__ops_const_ints(g, node, 3, sz, 4, &n) || n != 4)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "sizes must be a constant of 4 values");
        if (sz[0] != p->n || sz[1] != p->c || sz[2] < 1 || sz[3] < 1 || sz[2] > (1 << 20) ||
            sz[3] > (1 << 20))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "sizes [%lld,%lld,%lld,%lld] are not a spatial resize of %s",
                                (long long)sz[0], (long long)sz[1], (long long)sz[2],
                                (long long)sz[3], yq__ops_sh(&x->shape, sb));
        p->oh = sz[2];
        p->ow = sz[3];
        p->sh = (double)p->oh / (double)p->h;
        p->sw = (double)p->ow / (double)p->w;
    } else {
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "neither scales nor sizes given");
    }
    if (p->oh < 1 || p->ow < 1 || p->h < 1 || p->w < 1 || p->oh > INT32_MAX / 2 ||
        p->ow > INT32_MAX / 2 || p->n > INT32_MAX || p->c > INT32_MAX)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "output size %lldx%lld is invalid",
                            (long long)p->oh, (long long)p->ow);
    return YQ_STATUS_OK;
}

static enum yq_status s8_resize_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct s8_resize_params p;
    enum yq_status st = s8_resize_check(g, node, &p, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = x->shape;
    bool nhwc = yq__ops_is_nhwc(x);
    o.d[nhwc ? 1 : 2] = p.oh;
    o.d[nhwc ? 2 : 3] = p.ow;
    yq__ops_set_out(g, node, 0, YQ__DTYPE_S8, &o, x->layout);
    return YQ_STATUS_OK;
}

/* Source index of output index o: resize.c's src_coord and nearest rounding. */
static int32_t nearest_src(const struct s8_resize_params *p, int64_t o, int64_t in, int64_t out,
                           double scale)
{
    double x;
    switch (p->coord) {
    case COORD_HALF_PIXEL:
        x = ((double)o + 0.5) / scale - 0.5;
        break;
    case COORD_PYTORCH_HALF_PIXEL:
        x = out > 1 ? ((double)o + 0.5) / scale - 0.5 : 0.0;
        break;
    case COORD_ALIGN_CORNERS:
        x = out > 1 ? (double)o * (double)(in - 1) / (double)(out - 1) : 0.0;
        break;
    case COORD_TF_HALF_PIXEL_NN:
        x = ((double)o + 0.5) / scale;
        break;
    default:
        x = (double)o / scale;
        break;
    }
    double r;
    switch (p->nearest) {
    case NEAREST_ROUND_PREFER_CEIL:
        r = floor(x + 0.5);
        break;
    case NEAREST_FLOOR:
        r = floor(x);
        break;
    case NEAREST_CEIL:
        r = ceil(x);
        break;
    default:
        r = ceil(x - 0.5);
        break;
    }
    return (int32_t)(r < 0.0 ? 0 : (r > (double)(in - 1) ? in - 1 : (int64_t)r));
}

static enum yq_status s8_resize_prepare(const struct yq__graph *g, int node, void **state,
                                        size_t *scratch_bytes, struct yq__err *e)
{
    struct s8_resize_params p;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = s8_resize_check(g, node, &p, e);
    if (!st) st = yq__s8_check_move(g, node, e);
    if (st) return st;
    if (p.linear)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "int8 Resize supports mode 'nearest' only (linear blends codes)");
    const struct yq__tensor *y = yq__ops_out((struct yq__graph *)g, node, 0);
    if (yq__shape_numel(&y->shape) != p.n * p.c * p.oh * p.ow)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "output size does not match");
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
    strides_of(nhwc, p.c, p.h, p.w, &s->in_sn, &s->in_sc, &s->in_sy, &s->in_sx);
    strides_of(nhwc, p.c, p.oh, p.ow, &s->out_sn, &s->out_sc, &s->out_sy, &s->out_sx);
    s->ys = (int32_t *)((char *)s + hdr);
    s->xs = s->ys + p.oh;
    for (int64_t o = 0; o < p.oh; o++)
        s->ys[o] = nearest_src(&p, o, p.h, p.oh, p.sh);
    for (int64_t o = 0; o < p.ow; o++)
        s->xs[o] = nearest_src(&p, o, p.w, p.ow, p.sw);
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
            memcpy(o, a, (size_t)s->c);
        else
            for (int c = 0; c < s->c; c++)
                o[c * s->out_sc] = a[c * s->in_sc];
    }
}

struct s8_resize_ctx {
    const struct s8_resize_state *s;
    const int8_t *in;
    int8_t *out;
    int64_t per;
};

static void s8_resize_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct s8_resize_ctx *c = ctx;
    int64_t rows = (int64_t)c->s->n * c->s->oh;
    int64_t r0 = (int64_t)task * c->per, r1 = YQ_MIN(r0 + c->per, rows);
    for (int64_t r = r0; r < r1; r++)
        s8_resize_row(c->s, c->in, c->out, (int)(r / c->s->oh), (int)(r % c->s->oh));
}

static void s8_resize_run(const struct yq__exec *x)
{
    const struct s8_resize_state *s = x->state;
    int64_t rows = (int64_t)s->n * s->oh;
    size_t tasks = yq__ops_n_tasks(x->pool, (size_t)rows, 1);
    struct s8_resize_ctx c = {s, x->in[0], x->out[0], (rows + (int64_t)tasks - 1) / (int64_t)tasks};
    yq__pool_run(x->pool, (size_t)((rows + c.per - 1) / c.per), s8_resize_task, &c);
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

enum pad_mode { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE };

struct s8_pad_state {
    enum pad_mode mode;
    int rank;
    int8_t fill; /* the zero point */
    int64_t in_d[YQ__MAX_RANK], out_d[YQ__MAX_RANK], begin[YQ__MAX_RANK];
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
    const struct yq__node *nd = &g->nodes[node];
    enum yq_status st = yq__ops_check_io(g, node, 1, 4, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    if ((st = yq__s8_check_act(g, node, x, "input", 0, e))) return st;
    char sb[YQ__SHAPE_BUF];
    int r = x->shape.rank, n = 0;
    int64_t pads[2 * YQ__MAX_RANK];
    memset(s, 0, sizeof *s);
    if (nd->n_in >= 2) {
        if (!yq__ops_const_ints(g, node, 1, pads, 2 * YQ__MAX_RANK, &n))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "pads must be a constant");
        if (yq__ops_in(g, node, 3))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "the axes input is not supported");
    } else {
        const int64_t *p = yq__attr_ints(nd, "pads", &n);
        if (!p || n > 2 * YQ__MAX_RANK)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "pads are missing");
        memcpy(pads, p, (size_t)n * sizeof *p);
    }
    if (n != 2 * r)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "%d pads for input %s", n,
                            yq__ops_sh(&x->shape, sb));
    const char *mode = yq__attr_string(nd, "mode", "constant");
    if (strcmp(mode, "constant") == 0)
        s->mode = PAD_CONSTANT;
    else if (strcmp(mode, "reflect") == 0)
        s->mode = PAD_REFLECT;
    else if (strcmp(mode, "edge") == 0)
        s->mode = PAD_EDGE;
    else
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "mode '%s' is not supported", mode);
    if (s->mode == PAD_CONSTANT && (st = pad_value_zero(g, node, e))) return st;
    s->rank = r;
    s->fill = (int8_t)x->q.zero_point;
    for (int i = 0; i < r; i++) {
        int ax = yq__axis_to_phys(x, i);
        int64_t b = pads[i], en = pads[i + r], dim = x->shape.d[ax];
        if (b > (1 << 20) || en > (1 << 20) || b < -dim || en < -dim || dim + b + en < 0)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "pad %lld,%lld invalid for %s",
                                (long long)b, (long long)en, yq__ops_sh(&x->shape, sb));
        if (s->mode == PAD_REFLECT && (b >= dim || en >= dim) && (b > 0 || en > 0))
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                "reflect pad %lld,%lld needs a dimension larger than %lld",
                                (long long)b, (long long)en, (long long)dim);
        if (s->mode == PAD_EDGE && dim == 0 && (b > 0 || en > 0))
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "edge pad of an empty axis");
        s->in_d[ax] = dim;
        s->begin[ax] = b;
        s->out_d[ax] = dim + b + en;
    }
    return YQ_STATUS_OK;
}

static enum yq_status s8_pad_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct s8_pad_state s;
    enum yq_status st = s8_pad_check(g, node, &s, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = x->shape;
    for (int i = 0; i < s.rank; i++)
        o.d[i] = s.out_d[i];
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
    if (!st) st = yq__s8_check_move(g, node, e);
    if (st) return st;
    struct yq__shape o = {s.rank, {0}};
    for (int i = 0; i < s.rank; i++)
        o.d[i] = s.out_d[i];
    if (yq__shape_numel(&yq__ops_out((struct yq__graph *)g, node, 0)->shape) != yq__shape_numel(&o))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "output size does not match");
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st) return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

/* Source index of output index o on an axis; -1 means "fill". */
static int64_t pad_src(const struct s8_pad_state *s, int ax, int64_t o)
{
    int64_t i = o - s->begin[ax], n = s->in_d[ax];
    if (i >= 0 && i < n) return i;
    switch (s->mode) {
    case PAD_EDGE:
        return i < 0 ? 0 : n - 1;
    case PAD_REFLECT:
        if (n == 1) return 0;
        while (i < 0 || i >= n)
            i = i < 0 ? -i : 2 * (n - 1) - i;
        return i;
    default:
        return -1;
    }
}

/* Output rows (the last dim) map every outer index to a source row, then fill left,
 * copy the middle and fill right. */
static void s8_pad_run(const struct yq__exec *x)
{
    const struct s8_pad_state *s = x->state;
    const int r = s->rank, last = r - 1;
    const int8_t *in = x->in[0];
    int8_t *out = x->out[0];
    if (r == 0) {
        out[0] = in[0];
        return;
    }
    int64_t rows = 1, in_stride[YQ__MAX_RANK], st = 1;
    for (int i = 0; i < last; i++)
        rows *= s->out_d[i];
    for (int i = r - 1; i >= 0; i--) {
        in_stride[i] = st;
        st *= s->in_d[i];
    }
    const int64_t ow = s->out_d[last];
    for (int64_t row = 0; row < rows; row++) {
        int8_t *dst = out + row * ow;
        int64_t off = 0, rem = row;
        bool fill_row = false;
        for (int i = last - 1; i >= 0; i--) {
            int64_t o = rem % s->out_d[i];
            rem /= s->out_d[i];
            int64_t si = pad_src(s, i, o);
            if (si < 0) fill_row = true;
            off += si * in_stride[i];
        }
        if (fill_row) {
            memset(dst, s->fill, (size_t)ow);
            continue;
        }
        const int8_t *src = in + off;
        for (int64_t o = 0; o < ow; o++) {
            int64_t si = pad_src(s, last, o);
            dst[o] = si < 0 ? s->fill : src[si];
        }
    }
}

const struct yq__op_impl yq__s8_pad = {
    YQ__OP_PAD, YQ__OPCLASS_AXIS, s8_pad_infer, s8_pad_prepare, s8_pad_run, yq__ops_state_free,
};
