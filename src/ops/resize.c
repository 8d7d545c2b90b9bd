/* SPDX-License-Identifier: Apache-2.0 */
/* Resize (opset 10+) and Upsample (opset 7-9) of the two spatial dims, nearest or
 * (bi)linear, in either layout. The source index (and linear weight) of every output row
 * and column is tabulated at prepare from the coordinate_transformation_mode (half_pixel,
 * pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn) and nearest_mode
 * (round_prefer_floor/ceil, floor, ceil), so run only copies or blends channel vectors. */
#include <math.h>

#include "ops/resize_common.h"

struct resize_state {
    bool linear;
    int n, c, h, w, oh, ow;
    int64_t in_sn, in_sc, in_sy, in_sx, out_sn, out_sc, out_sy, out_sx;
    /* tables: y0[oh], y1[oh], wy[oh], x0[ow], x1[ow], wx[ow] */
    int32_t *y0, *y1, *x0, *x1;
    float *wy, *wx;
};

static enum yq_status resize_check(const struct yq__graph *g, int node,
                                   struct yq__resize_plan *p, struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 1, 4, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    if (x->shape.rank != 4 || x->dtype != YQ__DTYPE_F32)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "only 4D f32 input is supported (got %s %s)",
                            yq__ops_sh(&x->shape, sb), yq__dtype_name(x->dtype));
    return yq__ops_resize_plan(g, node, p, e);
}

static enum yq_status resize_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct yq__resize_plan p;
    enum yq_status st = resize_check(g, node, &p, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape o = yq__ops_spatial_shape(x, p.oh, p.ow);
    yq__ops_set_out(g, node, 0, YQ__DTYPE_F32, &o, x->layout);
    return YQ_STATUS_OK;
}

static void table(const struct yq__resize_plan *p, int64_t in, int64_t out, double scale,
                  int32_t *i0, int32_t *i1, float *w)
{
    for (int64_t o = 0; o < out; o++) {
        double x = yq__ops_resize_coord(p, o, in, out, scale);
        if (p->linear) {
            x = x < 0.0 ? 0.0 : (x > (double)(in - 1) ? (double)(in - 1) : x);
            int64_t a = (int64_t)floor(x);
            i0[o] = (int32_t)a;
            i1[o] = (int32_t)YQ_MIN(a + 1, in - 1);
            w[o] = (float)(x - (double)a);
        } else {
            i0[o] = i1[o] = yq__ops_resize_nearest(p, x, in);
            w[o] = 0.0f;
        }
    }
}

static enum yq_status resize_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    struct yq__resize_plan p;
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
    yq__ops_strides_4d(nhwc, p.c, p.h, p.w, &s->in_sn, &s->in_sc, &s->in_sy, &s->in_sx);
    yq__ops_strides_4d(nhwc, p.c, p.oh, p.ow, &s->out_sn, &s->out_sc, &s->out_sy, &s->out_sx);
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

static void resize_rows(const void *ctx, int64_t r0, int64_t r1)
{
    const struct resize_ctx *c = ctx;
    for (int64_t r = r0; r < r1; r++)
        resize_row(c->s, c->in, c->out, (int)(r / c->s->oh), (int)(r % c->s->oh));
}

static void resize_run(const struct yq__exec *x)
{
    const struct resize_state *s = x->state;
    struct resize_ctx c = {s, x->in[0], x->out[0]};
    yq__ops_run_rows(x->pool, (int64_t)s->n * s->oh, resize_rows, &c);
}

const struct yq__op_impl yq__f32_resize = {
    YQ__OP_RESIZE, YQ__OPCLASS_SPATIAL, resize_infer, resize_prepare, resize_run,
    yq__ops_state_free,
};
const struct yq__op_impl yq__f32_upsample = {
    YQ__OP_UPSAMPLE, YQ__OPCLASS_SPATIAL, resize_infer, resize_prepare, resize_run,
    yq__ops_state_free,
};
