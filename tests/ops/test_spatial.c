/* SPDX-License-Identifier: Apache-2.0 */
/* MaxPool/AveragePool/global pools and Resize (nearest in the YOLO coordinate modes,
 * bilinear) vs naive NCHW references, in NCHW and NHWC, serial and on a 2-thread pool. */
#include <float.h>

#include "opstest.h"

struct sp_case {
    enum yq__op op;
    int n, c, h, w, k, s, p, ceil;
    const char *mode, *coord, *nearest;
    float scale;
};

static float pool_ref(const struct sp_case *k, const float *x, int n, int c, int oy, int ox)
{
    float m = -FLT_MAX, sum = 0;
    int cnt = 0;
    for (int ky = 0; ky < k->k; ky++)
        for (int kx = 0; kx < k->k; kx++) {
            int iy = oy * k->s - k->p + ky, ix = ox * k->s - k->p + kx;
            if (iy < 0 || iy >= k->h || ix < 0 || ix >= k->w)
                continue;
            float v = x[((n * k->c + c) * k->h + iy) * k->w + ix];
            m = v > m ? v : m;
            sum += v;
            cnt++;
        }
    return k->op == YQ__OP_MAX_POOL ? m : sum / (float)cnt;
}

static double coord(const struct sp_case *k, int o, int in, int out)
{
    double sc = k->scale;
    if (strcmp(k->coord, "asymmetric") == 0)
        return o / sc;
    if (strcmp(k->coord, "align_corners") == 0)
        return out > 1 ? o * (double)(in - 1) / (out - 1) : 0;
    if (strcmp(k->coord, "pytorch_half_pixel") == 0 && out == 1)
        return 0;
    return (o + 0.5) / sc - 0.5;
}

static float resize_ref(const struct sp_case *k, const float *x, int n, int c, int oy, int ox,
                        int oh, int ow)
{
    double fy = coord(k, oy, k->h, oh), fx = coord(k, ox, k->w, ow);
    const float *p = x + (n * k->c + c) * k->h * k->w;
    if (strcmp(k->mode, "nearest") == 0) {
        double ry, rx;
        if (strcmp(k->nearest, "floor") == 0) {
            ry = floor(fy);
            rx = floor(fx);
        } else {
            ry = ceil(fy - 0.5);
            rx = ceil(fx - 0.5);
        }
        int iy = (int)fmin(fmax(ry, 0), k->h - 1), ix = (int)fmin(fmax(rx, 0), k->w - 1);
        return p[iy * k->w + ix];
    }
    fy = fmin(fmax(fy, 0), k->h - 1);
    fx = fmin(fmax(fx, 0), k->w - 1);
    int y0 = (int)floor(fy), x0 = (int)floor(fx);
    int y1 = YQ_MIN(y0 + 1, k->h - 1), x1 = YQ_MIN(x0 + 1, k->w - 1);
    double wy = fy - y0, wx = fx - x0;
    return (float)((p[y0 * k->w + x0] * (1 - wx) + p[y0 * k->w + x1] * wx) * (1 - wy) +
                   (p[y1 * k->w + x0] * (1 - wx) + p[y1 * k->w + x1] * wx) * wy);
}

static void run_case(const struct sp_case *k, bool nhwc, struct yq__pool *pool)
{
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int64_t xn = (int64_t)k->n * k->c * k->h * k->w;
    float *x = ot_rand(xn, -2, 2), *xh = ot_rand(xn, 0, 0);
    ot_nchw_to_nhwc(x, xh, k->n, k->c, k->h, k->w);
    int tx = nhwc ? ot_input(g, "x", YQ__DTYPE_F32, OT_SH(k->n, k->h, k->w, k->c), YQ__LAYOUT_NHWC)
                  : ot_input(g, "x", YQ__DTYPE_F32, OT_SH(k->n, k->c, k->h, k->w),
                             YQ__LAYOUT_PLAIN);
    int ty = ot_output(g, "y");
    int nd;
    if (k->op == YQ__OP_RESIZE) {
        float sc[4] = {1, 1, k->scale, k->scale};
        int troi = ot_const(g, "roi", YQ__DTYPE_F32, OT_SH(0), sc);
        int tsc = ot_const(g, "scales", YQ__DTYPE_F32, OT_SH(4), sc);
        int ins[3] = {tx, troi, tsc};
        nd = yq__graph_add_node(g, "r", YQ__OP_RESIZE, 3, ins, 1, &ty);
        yq__node_set_string(g, nd, "mode", k->mode, (int)strlen(k->mode));
        yq__node_set_string(g, nd, "coordinate_transformation_mode", k->coord,
                            (int)strlen(k->coord));
        yq__node_set_string(g, nd, "nearest_mode", k->nearest, (int)strlen(k->nearest));
    } else {
        nd = yq__graph_add_node(g, "p", k->op, 1, &tx, 1, &ty);
        int64_t ks[2] = {k->k, k->k}, st[2] = {k->s, k->s}, pads[4] = {k->p, k->p, k->p, k->p};
        yq__node_set_ints(g, nd, "kernel_shape", ks, 2);
        yq__node_set_ints(g, nd, "strides", st, 2);
        yq__node_set_ints(g, nd, "pads", pads, 4);
        yq__node_set_int(g, nd, "ceil_mode", k->ceil);
    }
    void *bufs[8] = {0};
    bufs[tx] = nhwc ? xh : x;
    char err[256];
    enum yq_status s = ot_run(g, pool, bufs, err, sizeof err);
    CHECKF(s == YQ_STATUS_OK, "%s", err);
    if (s == YQ_STATUS_OK) {
        const struct yq__shape *os = &g->tensors[ty].shape;
        int oh = (int)os->d[nhwc ? 1 : 2], ow = (int)os->d[nhwc ? 2 : 3];
        if (k->op == YQ__OP_RESIZE) {
            CHECK(oh == (int)floor(k->h * k->scale) && ow == (int)floor(k->w * k->scale));
        } else {
            int num = k->h + 2 * k->p - k->k;
            int exp = k->ceil ? (num + k->s - 1) / k->s + 1 : num / k->s + 1;
            if (k->ceil && (exp - 1) * k->s >= k->h + k->p)
                exp--;
            CHECKF(oh == exp, "oh %d expected %d", oh, exp);
        }
        int64_t yn = (int64_t)k->n * k->c * oh * ow;
        float *got = ot_rand(yn, 0, 0), *ref = ot_rand(yn, 0, 0);
        if (nhwc)
            ot_nhwc_to_nchw(bufs[ty], got, k->n, k->c, oh, ow);
        else
            memcpy(got, bufs[ty], (size_t)yn * sizeof *got);
        for (int n = 0; n < k->n; n++)
            for (int c = 0; c < k->c; c++)
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++)
                        ref[((n * k->c + c) * oh + y) * ow + xx] =
                            k->op == YQ__OP_RESIZE ? resize_ref(k, x, n, c, y, xx, oh, ow)
                                                   : pool_ref(k, x, n, c, y, xx);
        double e = ot_maxerr(got, ref, yn);
        CHECKF(e < 1e-5, "%s %s nhwc %d threads %d: err %g", yq__op_name(k->op),
               k->mode ? k->coord : "", nhwc, yq__pool_threads(pool), e);
        yq__aligned_free(got);
        yq__aligned_free(ref);
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
    yq__aligned_free(xh);
}

static void global_pools(struct yq__pool *pool)
{
    for (int op = 0; op < 2; op++) {
        struct yq__graph *g;
        yq__graph_create("t.onnx", &g);
        int n = 2, c = 7, h = 5, w = 6;
        float *x = ot_rand(n * c * h * w, -1, 1), *xh = ot_rand(n * c * h * w, 0, 0);
        ot_nchw_to_nhwc(x, xh, n, c, h, w);
        int tx = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(n, h, w, c), YQ__LAYOUT_NHWC);
        int ty = ot_output(g, "y");
        yq__graph_add_node(g, "gp", op ? YQ__OP_GLOBAL_MAX_POOL : YQ__OP_GLOBAL_AVERAGE_POOL, 1,
                           &tx, 1, &ty);
        void *bufs[4] = {0};
        bufs[tx] = xh;
        char err[256];
        CHECKF(ot_run(g, pool, bufs, err, sizeof err) == YQ_STATUS_OK, "%s", err);
        const struct yq__shape *os = &g->tensors[ty].shape;
        CHECK(os->d[1] == 1 && os->d[2] == 1 && os->d[3] == c);
        double maxe = 0;
        for (int a = 0; a < n; a++)
            for (int ch = 0; ch < c; ch++) {
                float m = -FLT_MAX, s = 0;
                for (int i = 0; i < h * w; i++) {
                    float v = x[(a * c + ch) * h * w + i];
                    m = v > m ? v : m;
                    s += v;
                }
                float r = op ? m : s / (h * w);
                maxe = fmax(maxe, fabs(((float *)bufs[ty])[a * c + ch] - r));
            }
        CHECKF(maxe < 1e-5, "global pool err %g", maxe);
        ot_free(g, bufs, 1);
        yq__graph_free(g);
        yq__aligned_free(x);
        yq__aligned_free(xh);
    }
}

int main(void)
{
    static const struct sp_case cases[] = {
        {YQ__OP_MAX_POOL, 1, 16, 20, 20, 5, 1, 2, 0, NULL, NULL, NULL, 0},
        {YQ__OP_MAX_POOL, 2, 8, 12, 10, 2, 2, 0, 0, NULL, NULL, NULL, 0},
        {YQ__OP_MAX_POOL, 1, 5, 11, 11, 3, 2, 0, 1, NULL, NULL, NULL, 0},
        {YQ__OP_MAX_POOL, 1, 5, 7, 7, 2, 2, 0, 1, NULL, NULL, NULL, 0},
        /* the separable NHWC MaxPool: window wider than the image, odd channels, ceil overhang */
        {YQ__OP_MAX_POOL, 1, 3, 3, 4, 5, 1, 2, 0, NULL, NULL, NULL, 0},
        {YQ__OP_MAX_POOL, 2, 17, 9, 9, 3, 3, 1, 1, NULL, NULL, NULL, 0},
        {YQ__OP_AVERAGE_POOL, 1, 6, 9, 9, 3, 2, 1, 0, NULL, NULL, NULL, 0},
        {YQ__OP_RESIZE, 1, 8, 5, 7, 0, 0, 0, 0, "nearest", "asymmetric", "floor", 2},
        {YQ__OP_RESIZE, 2, 4, 6, 5, 0, 0, 0, 0, "nearest", "half_pixel", "round_prefer_floor", 2},
        {YQ__OP_RESIZE, 1, 3, 6, 5, 0, 0, 0, 0, "nearest", "pytorch_half_pixel",
         "round_prefer_floor", 2},
        {YQ__OP_RESIZE, 1, 3, 6, 5, 0, 0, 0, 0, "nearest", "align_corners", "round_prefer_floor",
         3},
        {YQ__OP_RESIZE, 1, 5, 6, 7, 0, 0, 0, 0, "linear", "half_pixel", "round_prefer_floor", 2},
        {YQ__OP_RESIZE, 1, 5, 6, 7, 0, 0, 0, 0, "linear", "align_corners", "round_prefer_floor",
         2},
        {YQ__OP_RESIZE, 1, 5, 8, 8, 0, 0, 0, 0, "linear", "pytorch_half_pixel",
         "round_prefer_floor", 0.5f},
    };
    struct yq__pool *pool = NULL;
    CHECK(yq__pool_create(2, &pool) == YQ_STATUS_OK);
    for (size_t i = 0; i < YQ_COUNTOF(cases); i++)
        for (int nhwc = 0; nhwc < 2; nhwc++) {
            run_case(&cases[i], nhwc, NULL);
            run_case(&cases[i], nhwc, pool);
        }
    global_pools(NULL);
    global_pools(pool);
    yq__pool_free(pool);
    return yq_test_finish();
}
