/* SPDX-License-Identifier: Apache-2.0 */
/* Resize (opset 10+) and Upsample (opset 7-9) of the two spatial dims, nearest or
 * (bi)linear, in either layout. The source index (and linear weight) of every output row
 * and column is tabulated at prepare from the coordinate_transformation_mode (half_pixel,
 * pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn) and nearest_mode
 * (round_prefer_floor/ceil, floor, ceil), so run only copies or blends channel vectors. */
#include <math.h>

#include "ops/util.h"

enum coord_mode { COORD_HALF_PIXEL, COORD_PYTORCH_HALF_PIXEL, COORD_ALIGN_CORNERS,
                  COORD_ASYMMETRIC, COORD_TF_HALF_PIXEL_NN };
enum nearest_mode { NEAREST_ROUND_PREFER_FLOOR, NEAREST_ROUND_PREFER_CEIL, NEAREST_FLOOR,
                    NEAREST_CEIL };

struct resize_state {
    bool linear;
    int n, c, h, w, oh, ow;
    int64_t in_sn, in_sc, in_sy, in_sx, out_sn, out_sc, out_sy, out_sx;
    /* tables: y0[oh], y1[oh], wy[oh], x0[ow], x1[ow], wx[ow] */
    int32_t *y0, *y1, *x0, *x1;
    float *wy, *wx;
};

struct resize_params {
    bool linear;
    enum coord_mode coord;
    enum nearest_mode nearest;
    int64_t n, c, h, w, oh, ow;
    double sh, sw;
};

static bool parse_coord(const char *s, enum coord_mode *m)
{
    static const char *names[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                  "asymmetric", "tf_half_pixel_for_nn"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) {
            *m = (enum coord_mode)i;
            return true;
        }
    return false;
}

static bool parse_nearest(const char *s, enum nearest_mode *m)
{
    static const char *names[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *m = (enum nearest_mode)i;
            return true;
        }
    return false;
}

static enum yq_status resize_check(const struct yq__graph *g, int node, struct resize_params *p,
                                   struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    bool upsample = nd->op == YQ__OP_UPSAMPLE;
    enum yq_status st = yq__ops_check_io(g, node, 1, 4, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    if (x->shape.rank != 4 || x->dtype != YQ__DTYPE_F32)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "only 4D f32 input is supported (got %s %s)",
                            yq__ops_sh(&x->shape, sb), yq__dtype_name(x->dtype));
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
                              : yq__attr_string(nd, "coordinate_transformation_mode",
                                                "half_pixel");
    const char *nm = upsample ? "floor" : yq__attr_string(nd, "nearest_mode", "round_prefer_floor");
    if (!parse_coord(cm, &p->coord))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "coordinate_transformation_mode '%s' is not supported", cm);
    if (!parse_nearest(nm, &p->nearest))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "nearest_mode '%s' is not supported",
                            nm);
    /* scales: input 2 (opset 11+), input 1 (opset 10 Resize, opset 9 Upsample) or the
     * attribute (opset 7 Upsample); sizes: input 3 */
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
        p->ow > INT32_MAX / 2)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "output size %lldx%lld is invalid",
                            (long long)p->oh, (long long)p->ow);
    return YQ_STATUS_OK;
}

static enum yq_status resize_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct resize_params p;
    enum yq_status st = resize_check(g, node, &p, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = x->shape;
    bool nhwc = yq__ops_is_nhwc(x);
    o.d[nhwc ? 1 : 2] = p.oh;
    o.d[nhwc ? 2 : 3] = p.ow;
    yq__ops_set_out(g, node, 0, YQ__DTYPE_F32, &o, x->layout);
    return YQ_STATUS_OK;
}

static double src_coord(const struct resize_params *p, int64_t o, int64_t in, int64_t out,
                        double scale)
{
    switch (p->coord) {
    case COORD_HALF_PIXEL:
        return ((double)o + 0.5) / scale - 0.5;
    case COORD_PYTORCH_HALF_PIXEL:
        return out > 1 ? ((double)o + 0.5) / scale - 0.5 : 0.0;
    case COORD_ALIGN_CORNERS:
        return out > 1 ? (double)o * (double)(in - 1) / (double)(out - 1) : 0.0;
    case COORD_TF_HALF_PIXEL_NN:
        return ((double)o + 0.5) / scale;
    default:
        return (double)o / scale;
    }
}

static void table(const struct resize_params *p, int64_t in, int64_t out, double scale,
                  int32_t *i0, int32_t *i1, float *w)
{
    for (int64_t o = 0; o < out; o++) {
        double x = src_coord(p, o, in, out, scale);
        if (p->linear) {
            x = x < 0.0 ? 0.0 : (x > (double)(in - 1) ? (double)(in - 1) : x);
            int64_t a = (int64_t)floor(x);
            i0[o] = (int32_t)a;
            i1[o] = (int32_t)YQ_MIN(a + 1, in - 1);
            w[o] = (float)(x - (double)a);
        } else {
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
            int64_t a = r < 0.0 ? 0 : (r > (double)(in - 1) ? in - 1 : (int64_t)r);
            i0[o] = i1[o] = (int32_t)a;
            w[o] = 0.0f;
        }
    }
}

static enum yq_status resize_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    struct resize_params p;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = resize_check(g, node, &p, e);
    if (st)
        return st;
    size_t hdr = (sizeof(struct resize_state) + 63) / 64 * 64;
    size_t tab = (size_t)(p.oh + p.ow) * (2 * sizeof(int32_t) + sizeof(float));
    st = yq__ops_state_alloc(g, node, hdr + tab, state, e);
    if (st)
        return st;
    struct resize_state *s = *state;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    bool nhwc = yq__ops_is_nhwc(x);
    s->linear = p.linear;
    s->n = (int)p.n;
    s->c = (int)p.c;
    s->h = (int)p.h;
    s->w = (int)p.w;
    s->oh = (int)p.oh;
    s->ow = (int)p.ow;
    s->in_sn = p.c * p.h * p.w;
    s->out_sn = p.c * p.oh * p.ow;
    s->in_sc = nhwc ? 1 : p.h * p.w;
    s->in_sx = nhwc ? p.c : 1;
    s->in_sy = s->in_sx * p.w;
    s->out_sc = nhwc ? 1 : p.oh * p.ow;
    s->out_sx = nhwc ? p.c : 1;
    s->out_sy = s->out_sx * p.ow;
    char *q = (char *)s + hdr;
    s->y0 = (int32_t *)q;
    s->y1 = s->y0 + p.oh;
    s->x0 = s->y1 + p.oh;
    s->x1 = s->x0 + p.ow;
    s->wy = (float *)(s->x1 + p.ow);
    s->wx = s->wy + p.oh;
    table(&p, p.h, p.oh, p.sh, s->y0, s->y1, s->wy);
    table(&p, p.w, p.ow, p.sw, s->x0, s->x1, s->wx);
    return YQ_STATUS_OK;
}

struct resize_ctx {
    const struct resize_state *s;
    const float *in;
    float *out;
    int64_t per;
};

static void resize_row(const struct resize_state *s, const float *in, float *out, int n, int oy)
{
    const float *base = in + n * s->in_sn;
    const float *r0 = base + s->y0[oy] * s->in_sy, *r1 = base + s->y1[oy] * s->in_sy;
    float *orow = out + n * s->out_sn + oy * s->out_sy;
    const float wy = s->wy[oy];
    for (int ox = 0; ox < s->ow; ox++) {
        float *o = orow + ox * s->out_sx;
        const float *a = r0 + s->x0[ox] * s->in_sx;
        if (!s->linear) {
            if (s->in_sc == 1 && s->out_sc == 1)
                memcpy(o, a, (size_t)s->c * sizeof *o);
            else
                for (int c = 0; c < s->c; c++)
                    o[c * s->out_sc] = a[c * s->in_sc];
            continue;
        }
        const float *b = r0 + s->x1[ox] * s->in_sx, *cc = r1 + s->x0[ox] * s->in_sx,
                    *d = r1 + s->x1[ox] * s->in_sx;
        const float wx = s->wx[ox];
        for (int c = 0; c < s->c; c++) {
            int64_t i = c * s->in_sc;
            float top = a[i] + (b[i] - a[i]) * wx;
            float bot = cc[i] + (d[i] - cc[i]) * wx;
            o[c * s->out_sc] = top + (bot - top) * wy;
        }
    }
}

static void resize_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct resize_ctx *c = ctx;
    int64_t rows = (int64_t)c->s->n * c->s->oh;
    int64_t r0 = (int64_t)task * c->per, r1 = YQ_MIN(r0 + c->per, rows);
    for (int64_t r = r0; r < r1; r++)
        resize_row(c->s, c->in, c->out, (int)(r / c->s->oh), (int)(r % c->s->oh));
}

static void resize_run(const struct yq__exec *x)
{
    const struct resize_state *s = x->state;
    int64_t rows = (int64_t)s->n * s->oh;
    size_t tasks = yq__ops_n_tasks(x->pool, (size_t)rows, 1);
    struct resize_ctx c = {s, x->in[0], x->out[0], (rows + (int64_t)tasks - 1) / (int64_t)tasks};
    yq__pool_run(x->pool, (size_t)((rows + c.per - 1) / c.per), resize_task, &c);
}

const struct yq__op_impl yq__f32_resize = {
    YQ__OP_RESIZE, YQ__OPCLASS_SPATIAL, resize_infer, resize_prepare, resize_run,
    yq__ops_state_free,
};
const struct yq__op_impl yq__f32_upsample = {
    YQ__OP_UPSAMPLE, YQ__OPCLASS_SPATIAL, resize_infer, resize_prepare, resize_run,
    yq__ops_state_free,
};
