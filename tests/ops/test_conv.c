/* SPDX-License-Identifier: Apache-2.0 */
/* Conv (fp32) vs a naive NCHW reference: 1x1, 3x3 s1/s2, the YOLOv5 6x6 s2 p2 stem, groups,
 * depthwise 3x3/5x5, odd sizes, dilation, asymmetric pads, auto_pad, fused activations;
 * NHWC input as the engine runs it, serial and on a 2-thread pool; bad weights give errors. */
#include "opstest.h"

struct conv_case {
    int n, c, h, w, m, kh, kw, sh, sw, pt, pl, pb, pr, dil, group;
    bool bias;
    enum yq__act_kind act;
    const char *auto_pad;
};

static float act_ref(float x, enum yq__act_kind k)
{
    switch (k) {
    case YQ__ACT_RELU:
        return x > 0 ? x : 0;
    case YQ__ACT_SILU:
        return x / (1.0f + expf(-x));
    case YQ__ACT_LEAKY_RELU:
        return x > 0 ? x : 0.1f * x;
    default:
        return x;
    }
}

static void conv_ref(const struct conv_case *k, const float *x, const float *w, const float *b,
                     float *y, int oh, int ow)
{
    int cg = k->c / k->group, mg = k->m / k->group;
    for (int n = 0; n < k->n; n++)
        for (int m = 0; m < k->m; m++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    double acc = b ? b[m] : 0.0;
                    int gi = m / mg;
                    for (int ci = 0; ci < cg; ci++)
                        for (int ky = 0; ky < k->kh; ky++)
                            for (int kx = 0; kx < k->kw; kx++) {
                                int iy = oy * k->sh - k->pt + ky * k->dil;
                                int ix = ox * k->sw - k->pl + kx * k->dil;
                                if (iy < 0 || iy >= k->h || ix < 0 || ix >= k->w)
                                    continue;
                                acc += (double)x[((n * k->c + gi * cg + ci) * k->h + iy) * k->w +
                                                 ix] *
                                       w[((m * cg + ci) * k->kh + ky) * k->kw + kx];
                            }
                    y[((n * k->m + m) * oh + oy) * ow + ox] = act_ref((float)acc, k->act);
                }
}

static void run_case(const struct conv_case *k, struct yq__pool *pool)
{
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int cg = k->c / k->group;
    int64_t xn = (int64_t)k->n * k->c * k->h * k->w, wn = (int64_t)k->m * cg * k->kh * k->kw;
    float *x = ot_rand(xn, -1, 1), *w = ot_rand(wn, -0.5f, 0.5f), *b = ot_rand(k->m, -1, 1);
    float *xh = ot_rand(xn, 0, 0);
    ot_nchw_to_nhwc(x, xh, k->n, k->c, k->h, k->w);
    int tx = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(k->n, k->h, k->w, k->c), YQ__LAYOUT_NHWC);
    int tw = ot_const(g, "w", YQ__DTYPE_F32, OT_SH(k->m, cg, k->kh, k->kw), w);
    int tb = ot_const(g, "b", YQ__DTYPE_F32, OT_SH(k->m), b);
    int ty = ot_output(g, "y");
    int ins[3] = {tx, tw, tb};
    int nd = yq__graph_add_node(g, "/model.0/conv/Conv", YQ__OP_CONV, k->bias ? 3 : 2, ins, 1,
                                &ty);
    int64_t st[2] = {k->sh, k->sw}, pads[4] = {k->pt, k->pl, k->pb, k->pr},
            dil[2] = {k->dil, k->dil};
    yq__node_set_ints(g, nd, "strides", st, 2);
    yq__node_set_ints(g, nd, "pads", pads, 4);
    yq__node_set_ints(g, nd, "dilations", dil, 2);
    yq__node_set_int(g, nd, "group", k->group);
    if (k->auto_pad)
        yq__node_set_string(g, nd, "auto_pad", k->auto_pad, (int)strlen(k->auto_pad));
    g->nodes[nd].act.kind = k->act;
    g->nodes[nd].act.alpha = 0.1f;
    void *bufs[8] = {0};
    bufs[tx] = xh;
    char err[256];
    enum yq_status s = ot_run(g, pool, bufs, err, sizeof err);
    CHECKF(s == YQ_STATUS_OK, "%s", err);
    if (s == YQ_STATUS_OK) {
        const struct yq__tensor *ot = &g->tensors[ty];
        CHECK(ot->layout == YQ__LAYOUT_NHWC && ot->shape.d[0] == k->n && ot->shape.d[3] == k->m);
        int oh = (int)ot->shape.d[1], ow = (int)ot->shape.d[2];
        int64_t yn = (int64_t)k->n * k->m * oh * ow;
        float *ref = ot_rand(yn, 0, 0), *got = ot_rand(yn, 0, 0);
        if (k->auto_pad) {
            /* SAME_UPPER: total pad split with the extra at the end */
            struct conv_case kk = *k;
            int eh = (k->kh - 1) * k->dil + 1, ew = (k->kw - 1) * k->dil + 1;
            int th = YQ_MAX(0, (oh - 1) * k->sh + eh - k->h), tw2 = YQ_MAX(0, (ow - 1) * k->sw + ew - k->w);
            kk.pt = th / 2;
            kk.pl = tw2 / 2;
            conv_ref(&kk, x, w, k->bias ? b : NULL, ref, oh, ow);
        } else {
            CHECK(oh == (k->h + k->pt + k->pb - ((k->kh - 1) * k->dil + 1)) / k->sh + 1);
            conv_ref(k, x, w, k->bias ? b : NULL, ref, oh, ow);
        }
        ot_nhwc_to_nchw(bufs[ty], got, k->n, k->m, oh, ow);
        double err_ = ot_maxerr(got, ref, yn);
        CHECKF(err_ < 1e-4, "conv c%d h%d w%d m%d k%dx%d s%d p%d d%d g%d threads %d: err %g", k->c,
               k->h, k->w, k->m, k->kh, k->kw, k->sh, k->pt, k->dil, k->group,
               yq__pool_threads(pool), err_);
        yq__aligned_free(ref);
        yq__aligned_free(got);
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
    yq__aligned_free(xh);
    yq__aligned_free(w);
    yq__aligned_free(b);
}

static void bad_weight(void)
{
    struct yq__graph *g;
    yq__graph_create("m.onnx", &g);
    float w[16 * 4 * 6 * 6] = {0};
    int tx = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(1, 3, 32, 32), YQ__LAYOUT_PLAIN);
    int tw = ot_const(g, "w", YQ__DTYPE_F32, OT_SH(16, 4, 6, 6), w);
    int ty = ot_output(g, "y");
    int ins[2] = {tx, tw};
    yq__graph_add_node(g, "/model.0/conv/Conv", YQ__OP_CONV, 2, ins, 1, &ty);
    char err[256];
    struct yq__err e = {err, sizeof err};
    yq__graph_index(g, &e);
    enum yq_status s = yq__graph_infer_shapes(g, &e);
    CHECK(s == YQ_STATUS_BAD_MODEL);
    CHECKF(strstr(err, "m.onnx: node '/model.0/conv/Conv' (Conv): weight shape [16,4,6,6]") &&
               strstr(err, "3 input channels"),
           "message: %s", err);
    yq__graph_free(g);
}

static void nchw_infer(void)
{
    /* before the NHWC pass: NCHW shapes in, NCHW shapes out; prepare refuses NCHW */
    struct yq__graph *g;
    yq__graph_create("m.onnx", &g);
    float w[8 * 3 * 3 * 3] = {0};
    int tx = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(1, 3, 17, 9), YQ__LAYOUT_PLAIN);
    int tw = ot_const(g, "w", YQ__DTYPE_F32, OT_SH(8, 3, 3, 3), w);
    int ty = ot_output(g, "y");
    int ins[2] = {tx, tw};
    int nd = yq__graph_add_node(g, "c", YQ__OP_CONV, 2, ins, 1, &ty);
    int64_t st[2] = {2, 2}, pads[4] = {1, 1, 1, 1};
    yq__node_set_ints(g, nd, "strides", st, 2);
    yq__node_set_ints(g, nd, "pads", pads, 4);
    char err[256];
    struct yq__err e = {err, sizeof err};
    yq__graph_index(g, &e);
    CHECK(yq__graph_infer_shapes(g, &e) == YQ_STATUS_OK);
    const struct yq__shape *s = &g->tensors[ty].shape;
    CHECK(s->rank == 4 && s->d[1] == 8 && s->d[2] == 9 && s->d[3] == 5);
    void *state = NULL;
    size_t sb;
    CHECK(yq__op_impl_get(YQ__OP_CONV, false)->prepare(g, nd, &state, &sb, &e) ==
          YQ_STATUS_UNSUPPORTED);
    yq__graph_free(g);
}

int main(void)
{
    static const struct conv_case cases[] = {
        /* n  c  h  w   m kh kw sh sw pt pl pb pr dil g  bias act */
        {1, 16, 12, 10, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, true, YQ__ACT_SILU, NULL},
        {2, 8, 9, 7, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, false, YQ__ACT_NONE, NULL},
        {1, 8, 13, 11, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, YQ__ACT_SILU, NULL},
        {1, 16, 14, 15, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true, YQ__ACT_RELU, NULL},
        {1, 3, 32, 32, 16, 6, 6, 2, 2, 2, 2, 2, 2, 1, 1, true, YQ__ACT_SILU, NULL},
        {1, 12, 10, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 4, true, YQ__ACT_NONE, NULL},
        {1, 24, 11, 13, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 24, true, YQ__ACT_SILU, NULL},
        {1, 20, 12, 9, 20, 5, 5, 2, 2, 2, 2, 2, 2, 1, 20, true, YQ__ACT_LEAKY_RELU, NULL},
        {1, 6, 7, 5, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 6, true, YQ__ACT_NONE, NULL},
        {1, 5, 7, 5, 7, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, true, YQ__ACT_NONE, NULL},
        {1, 8, 15, 13, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 1, true, YQ__ACT_NONE, NULL},
        {1, 8, 15, 13, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 8, false, YQ__ACT_NONE, NULL},
        {1, 4, 9, 8, 6, 3, 2, 2, 1, 0, 1, 2, 0, 1, 1, true, YQ__ACT_NONE, NULL},
        {1, 4, 9, 8, 6, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, true, YQ__ACT_NONE, "SAME_UPPER"},
        {2, 32, 20, 20, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, YQ__ACT_SILU, NULL},
        {1, 64, 40, 40, 32, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, true, YQ__ACT_SILU, NULL},
        /* in-place (indirect) path: stem shape on two images, tasks crossing rows and images,
         * asymmetric pads touching every edge */
        {2, 3, 37, 41, 16, 6, 6, 2, 2, 2, 2, 2, 2, 1, 1, true, YQ__ACT_SILU, NULL},
        {2, 5, 11, 9, 17, 3, 5, 1, 2, 0, 3, 2, 1, 1, 1, true, YQ__ACT_RELU, NULL},
    };
    struct yq__pool *pool = NULL;
    CHECK(yq__pool_create(2, &pool) == YQ_STATUS_OK);
    for (size_t i = 0; i < YQ_COUNTOF(cases); i++) {
        run_case(&cases[i], NULL);
        run_case(&cases[i], pool);
    }
    /* seeded random shapes */
    for (int r = 0; r < 12; r++) {
        struct conv_case k = {0};
        k.n = 1;
        k.group = yq_test_randint(0, 3) == 0 ? 2 : 1;
        k.c = yq_test_randint(1, 9) * k.group;
        k.m = yq_test_randint(1, 20) * k.group;
        k.h = yq_test_randint(3, 19);
        k.w = yq_test_randint(3, 19);
        k.kh = yq_test_randint(1, 3);
        k.kw = yq_test_randint(1, 3);
        k.sh = k.sw = yq_test_randint(1, 2);
        k.pt = k.pb = k.kh / 2;
        k.pl = k.pr = k.kw / 2;
        k.dil = 1;
        k.bias = yq_test_randint(0, 1);
        run_case(&k, r % 2 ? pool : NULL);
    }
    bad_weight();
    nchw_infer();
    yq__pool_free(pool);
    return yq_test_finish();
}
