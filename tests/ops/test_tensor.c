/* SPDX-License-Identifier: Apache-2.0 */
/* Layout/shape operators and element-wise math vs naive references: Concat/Split/Slice in
 * both layouts, Reshape (0, -1) fed by a Shape->Gather->Unsqueeze->Concat chain, Transpose,
 * Gather, Softmax (both semantics), broadcasting binaries (f32, int64), unary activations,
 * and errors for mismatched shapes. Serial and 2-thread pool. */
#include "opstest.h"
#include "ops/util.h"

static struct yq__pool *pool;

/* Concat of two NCHW tensors on the channel axis, run NHWC, vs plain NCHW concat. */
static void concat_split(struct yq__pool *p)
{
    int n = 1, c1 = 3, c2 = 5, h = 4, w = 6;
    float *a = ot_rand(n * c1 * h * w, -1, 1), *b = ot_rand(n * c2 * h * w, -1, 1);
    float *ah = ot_rand(n * c1 * h * w, 0, 0), *bh = ot_rand(n * c2 * h * w, 0, 0);
    ot_nchw_to_nhwc(a, ah, n, c1, h, w);
    ot_nchw_to_nhwc(b, bh, n, c2, h, w);
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int ta = ot_input(g, "a", YQ__DTYPE_F32, OT_SH(n, h, w, c1), YQ__LAYOUT_NHWC);
    int tb = ot_input(g, "b", YQ__DTYPE_F32, OT_SH(n, h, w, c2), YQ__LAYOUT_NHWC);
    int tc = ot_tensor(g, "c"), s0 = ot_output(g, "s0"), s1 = ot_output(g, "s1");
    int tcat = ot_output(g, "cat");
    (void)tcat;
    int ins[2] = {ta, tb};
    int nd = yq__graph_add_node(g, "cat", YQ__OP_CONCAT, 2, ins, 1, &tc);
    yq__node_set_int(g, nd, "axis", 1);
    g->outputs[2] = tc;
    int64_t sp[2] = {6, 2};
    int tsp = ot_const_i64(g, "split", 2, sp);
    int sins[2] = {tc, tsp}, souts[2] = {s0, s1};
    nd = yq__graph_add_node(g, "split", YQ__OP_SPLIT, 2, sins, 2, souts);
    yq__node_set_int(g, nd, "axis", -3);
    void *bufs[16] = {0};
    bufs[ta] = ah;
    bufs[tb] = bh;
    char err[256];
    CHECKF(ot_run(g, p, bufs, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    const struct yq__shape *cs = &g->tensors[tc].shape;
    CHECK(cs->d[3] == c1 + c2 && g->tensors[tc].layout == YQ__LAYOUT_NHWC);
    CHECK(g->tensors[s0].shape.d[3] == 6 && g->tensors[s1].shape.d[3] == 2);
    float *got = ot_rand(n * (c1 + c2) * h * w, 0, 0);
    ot_nhwc_to_nchw(bufs[tc], got, n, c1 + c2, h, w);
    CHECK(memcmp(got, a, sizeof(float) * (size_t)(c1 * h * w)) == 0);
    CHECK(memcmp(got + c1 * h * w, b, sizeof(float) * (size_t)(c2 * h * w)) == 0);
    /* split part 1 = channels 6..7 = b channels 3..4 */
    float *s1n = ot_rand(2 * h * w, 0, 0);
    ot_nhwc_to_nchw(bufs[s1], s1n, n, 2, h, w);
    CHECK(memcmp(s1n, b + 3 * h * w, sizeof(float) * (size_t)(2 * h * w)) == 0);
    ot_free(g, bufs, 2);
    yq__graph_free(g);
    yq__aligned_free(a);
    yq__aligned_free(b);
    yq__aligned_free(ah);
    yq__aligned_free(bh);
    yq__aligned_free(got);
    yq__aligned_free(s1n);
}

/* YOLOX Focus: x[..., ::2, ::2], x[..., 1::2, ::2] etc.; plus negative starts/steps. */
static void slice_case(const int64_t *st, const int64_t *en, const int64_t *ax,
                       const int64_t *steps, int na, bool nhwc, struct yq__pool *p)
{
    int n = 1, c = 3, h = 8, w = 7;
    float *x = ot_rand(n * c * h * w, -1, 1), *xh = ot_rand(n * c * h * w, 0, 0);
    ot_nchw_to_nhwc(x, xh, n, c, h, w);
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int tx = nhwc ? ot_input(g, "x", YQ__DTYPE_F32, OT_SH(n, h, w, c), YQ__LAYOUT_NHWC)
                  : ot_input(g, "x", YQ__DTYPE_F32, OT_SH(n, c, h, w), YQ__LAYOUT_PLAIN);
    int ty = ot_output(g, "y");
    int ins[5] = {tx, ot_const_i64(g, "s", na, st), ot_const_i64(g, "e", na, en),
                  ot_const_i64(g, "a", na, ax), ot_const_i64(g, "st", na, steps)};
    yq__graph_add_node(g, "sl", YQ__OP_SLICE, 5, ins, 1, &ty);
    void *bufs[16] = {0};
    bufs[tx] = nhwc ? xh : x;
    char err[256];
    CHECKF(ot_run(g, p, bufs, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    /* reference: per logical axis, the selected indices */
    int64_t dims[4] = {n, c, h, w}, idx[4][16], cnt[4];
    for (int d = 0; d < 4; d++) {
        int64_t s = 0, e = dims[d], k = 1;
        for (int i = 0; i < na; i++)
            if ((ax[i] + 4) % 4 == d) {
                s = st[i];
                e = en[i];
                k = steps[i];
            }
        if (s < 0)
            s = YQ_MAX(s + dims[d], k > 0 ? 0 : -1);
        if (e < 0)
            e = YQ_MAX(e + dims[d], -1);
        s = k > 0 ? YQ_MIN(s, dims[d]) : YQ_MIN(s, dims[d] - 1);
        e = k > 0 ? YQ_MIN(e, dims[d]) : YQ_MIN(e, dims[d] - 1);
        cnt[d] = 0;
        for (int64_t i = s; k > 0 ? i < e : i > e; i += k)
            idx[d][cnt[d]++] = i;
    }
    const struct yq__tensor *yt = &g->tensors[ty];
    int64_t oc = nhwc ? yt->shape.d[3] : yt->shape.d[1], oh = nhwc ? yt->shape.d[1] : yt->shape.d[2],
            ow = nhwc ? yt->shape.d[2] : yt->shape.d[3];
    CHECKF(oc == cnt[1] && oh == cnt[2] && ow == cnt[3], "slice shape %lld %lld %lld",
           (long long)oc, (long long)oh, (long long)ow);
    if (oc == cnt[1] && oh == cnt[2] && ow == cnt[3]) {
        float *got = ot_rand(oc * oh * ow + 1, 0, 0);
        if (nhwc)
            ot_nhwc_to_nchw(bufs[ty], got, 1, oc, oh, ow);
        else
            memcpy(got, bufs[ty], sizeof(float) * (size_t)(oc * oh * ow));
        int bad = 0;
        for (int64_t cc = 0; cc < oc; cc++)
            for (int64_t y = 0; y < oh; y++)
                for (int64_t xx = 0; xx < ow; xx++)
                    bad += got[(cc * oh + y) * ow + xx] !=
                           x[(idx[1][cc] * h + idx[2][y]) * w + idx[3][xx]];
        CHECKF(bad == 0, "slice nhwc %d: %d wrong", nhwc, bad);
        yq__aligned_free(got);
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
    yq__aligned_free(xh);
}

static void slices(struct yq__pool *p)
{
    for (int nhwc = 0; nhwc < 2; nhwc++) {
        int64_t st[2] = {0, 1}, en[2] = {INT64_MAX, INT64_MAX}, ax[2] = {2, 3}, k[2] = {2, 2};
        slice_case(st, en, ax, k, 2, nhwc, p);
        int64_t st2[2] = {-1, 1}, en2[2] = {INT64_MIN, -1}, ax2[2] = {3, 1}, k2[2] = {-2, 1};
        slice_case(st2, en2, ax2, k2, 2, nhwc, p);
        int64_t st3[1] = {2}, en3[1] = {100}, ax3[1] = {-2}, k3[1] = {3};
        slice_case(st3, en3, ax3, k3, 1, nhwc, p);
    }
}

/* Shape -> Gather(0) -> Unsqueeze -> Concat([n, -1, 0... ]) -> Reshape, Transpose. */
static void reshape_chain(struct yq__pool *p)
{
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    float *x = ot_rand(2 * 3 * 4 * 5, -1, 1);
    int tx = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(2, 3, 4, 5), YQ__LAYOUT_PLAIN);
    int tshape = ot_tensor(g, "shape"), tn = ot_tensor(g, "n"), tnu = ot_tensor(g, "nu");
    int tcat = ot_tensor(g, "cat"), tr = ot_tensor(g, "r"), tt = ot_output(g, "t");
    int64_t zero = 0, rest[2] = {-1, 5}, ax0 = 0;
    int tzero = ot_const(g, "zero", YQ__DTYPE_S64, OT_SH(1), &zero);
    g->tensors[tzero].shape.rank = 0;
    int trest = ot_const_i64(g, "rest", 2, rest), tax = ot_const_i64(g, "ax", 1, &ax0);
    yq__graph_add_node(g, "shape", YQ__OP_SHAPE, 1, &tx, 1, &tshape);
    int gi[2] = {tshape, tzero};
    yq__graph_add_node(g, "gather", YQ__OP_GATHER, 2, gi, 1, &tn);
    int ui[2] = {tn, tax};
    yq__graph_add_node(g, "unsq", YQ__OP_UNSQUEEZE, 2, ui, 1, &tnu);
    int ci[2] = {tnu, trest};
    int nd = yq__graph_add_node(g, "cat", YQ__OP_CONCAT, 2, ci, 1, &tcat);
    yq__node_set_int(g, nd, "axis", 0);
    int ri[2] = {tx, tcat};
    yq__graph_add_node(g, "reshape", YQ__OP_RESHAPE, 2, ri, 1, &tr);
    nd = yq__graph_add_node(g, "tr", YQ__OP_TRANSPOSE, 1, &tr, 1, &tt);
    int64_t perm[3] = {0, 2, 1};
    yq__node_set_ints(g, nd, "perm", perm, 3);
    void *bufs[16] = {0};
    bufs[tx] = x;
    char err[256];
    enum yq_status st = ot_run(g, p, bufs, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "%s", err);
    const struct yq__shape *rs = &g->tensors[tr].shape, *ts = &g->tensors[tt].shape;
    CHECK(rs->rank == 3 && rs->d[0] == 2 && rs->d[1] == 12 && rs->d[2] == 5);
    CHECK(ts->rank == 3 && ts->d[1] == 5 && ts->d[2] == 12);
    int bad = 0;
    for (int b = 0; b < 2 && st == YQ_STATUS_OK; b++)
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 5; j++)
                bad += ((float *)bufs[tt])[(b * 5 + j) * 12 + i] != x[(b * 12 + i) * 5 + j];
    CHECK(bad == 0);
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

static void softmax_case(bool legacy, struct yq__pool *p)
{
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int d0 = 2, d1 = 3, d2 = 4;
    float *x = ot_rand(d0 * d1 * d2, -3, 3);
    int tx = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(d0, d1, d2), YQ__LAYOUT_PLAIN);
    int ty = ot_output(g, "y");
    int nd = yq__graph_add_node(g, "sm", YQ__OP_SOFTMAX, 1, &tx, 1, &ty);
    yq__node_set_int(g, nd, "axis", 1);
    yq__node_set_int(g, nd, "legacy_coerce", legacy);
    void *bufs[4] = {0};
    bufs[tx] = x;
    char err[256];
    CHECKF(ot_run(g, p, bufs, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    float ref[24];
    for (int a = 0; a < d0; a++) {
        if (legacy) {
            double s = 0;
            for (int i = 0; i < d1 * d2; i++)
                s += exp(x[a * 12 + i]);
            for (int i = 0; i < d1 * d2; i++)
                ref[a * 12 + i] = (float)(exp(x[a * 12 + i]) / s);
        } else {
            for (int k = 0; k < d2; k++) {
                double s = 0;
                for (int i = 0; i < d1; i++)
                    s += exp(x[a * 12 + i * d2 + k]);
                for (int i = 0; i < d1; i++)
                    ref[a * 12 + i * d2 + k] = (float)(exp(x[a * 12 + i * d2 + k]) / s);
            }
        }
    }
    CHECKF(ot_maxerr(bufs[ty], ref, 24) < 1e-5, "softmax legacy %d", legacy);
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

static void binaries(struct yq__pool *p)
{
    static const enum yq__op ops[] = {YQ__OP_ADD, YQ__OP_SUB, YQ__OP_MUL, YQ__OP_DIV,
                                      YQ__OP_POW, YQ__OP_MAX, YQ__OP_MIN};
    struct {
        struct yq__shape a, b;
    } shapes[] = {
        {OT_SH(2, 5, 6, 7), OT_SH(2, 5, 6, 7)}, {OT_SH(2, 5, 6, 7), OT_SH(7)},
        {OT_SH(2, 5, 6, 7), OT_SH(2, 1, 1, 7)}, {OT_SH(2, 5, 6, 1), OT_SH(1, 5, 1, 7)},
        {OT_SH(1), OT_SH(3, 300, 100)},          {OT_SH(4, 1, 3), OT_SH(5, 1)},
    };
    for (size_t o = 0; o < YQ_COUNTOF(ops); o++)
        for (size_t si = 0; si < YQ_COUNTOF(shapes); si++) {
            struct yq__graph *g;
            yq__graph_create("t.onnx", &g);
            struct yq__shape sa = shapes[si].a, sb = shapes[si].b, so;
            yq__ops_broadcast_shape(&sa, &sb, &so);
            float *a = ot_rand(yq__shape_numel(&sa), 0.5f, 2), *b = ot_rand(yq__shape_numel(&sb), 0.5f, 2);
            int ta = ot_input(g, "a", YQ__DTYPE_F32, sa, YQ__LAYOUT_PLAIN);
            int tb = ot_input(g, "b", YQ__DTYPE_F32, sb, YQ__LAYOUT_PLAIN);
            int ty = ot_output(g, "y");
            int ins[2] = {ta, tb};
            yq__graph_add_node(g, "bin", ops[o], 2, ins, 1, &ty);
            void *bufs[4] = {0};
            bufs[ta] = a;
            bufs[tb] = b;
            char err[256];
            CHECKF(ot_run(g, p, bufs, err, sizeof err) == YQ_STATUS_OK, "%s", err);
            CHECK(yq__shape_eq(&g->tensors[ty].shape, &so));
            int64_t n = yq__shape_numel(&so);
            float *ref = ot_rand(n, 0, 0);
            int r = so.rank;
            for (int64_t i = 0; i < n; i++) {
                int64_t rem = i, ia = 0, ib = 0, ma = 1, mb = 1;
                for (int d = r - 1; d >= 0; d--) {
                    int64_t id = rem % so.d[d];
                    rem /= so.d[d];
                    int da = d - (r - sa.rank), db = d - (r - sb.rank);
                    if (da >= 0) {
                        ia += (sa.d[da] == 1 ? 0 : id) * ma;
                        ma *= sa.d[da];
                    }
                    if (db >= 0) {
                        ib += (sb.d[db] == 1 ? 0 : id) * mb;
                        mb *= sb.d[db];
                    }
                }
                float x0 = a[ia], x1 = b[ib];
                switch (ops[o]) {
                case YQ__OP_ADD: ref[i] = x0 + x1; break;
                case YQ__OP_SUB: ref[i] = x0 - x1; break;
                case YQ__OP_MUL: ref[i] = x0 * x1; break;
                case YQ__OP_DIV: ref[i] = x0 / x1; break;
                case YQ__OP_POW: ref[i] = powf(x0, x1); break;
                case YQ__OP_MAX: ref[i] = fmaxf(x0, x1); break;
                default: ref[i] = fminf(x0, x1); break;
                }
            }
            CHECKF(ot_maxerr(bufs[ty], ref, n) < 1e-6, "%s shapes #%zu", yq__op_name(ops[o]), si);
            ot_free(g, bufs, 2);
            yq__graph_free(g);
            yq__aligned_free(a);
            yq__aligned_free(b);
            yq__aligned_free(ref);
        }
    /* int64 shape arithmetic: [2,3] * 2 - 1, and division by zero gives 0 */
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int64_t av[3] = {6, -7, 9}, bv[3] = {2, 2, 0};
    int ta = ot_input(g, "a", YQ__DTYPE_S64, OT_SH(3), YQ__LAYOUT_PLAIN);
    int tb = ot_const_i64(g, "b", 3, bv);
    int ty = ot_output(g, "y");
    g->tensors[ty].dtype = YQ__DTYPE_S64;
    int ins[2] = {ta, tb};
    yq__graph_add_node(g, "div", YQ__OP_DIV, 2, ins, 1, &ty);
    void *bufs[4] = {0};
    bufs[ta] = av;
    char err[256];
    CHECKF(ot_run(g, p, bufs, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    int64_t *y = bufs[ty];
    CHECK(g->tensors[ty].dtype == YQ__DTYPE_S64 && y[0] == 3 && y[1] == -3 && y[2] == 0);
    ot_free(g, bufs, 1);
    yq__graph_free(g);
}

static void unaries(struct yq__pool *p)
{
    static const enum yq__op ops[] = {YQ__OP_SIGMOID, YQ__OP_RELU,        YQ__OP_LEAKY_RELU,
                                      YQ__OP_TANH,    YQ__OP_HARD_SWISH,  YQ__OP_SILU,
                                      YQ__OP_CLIP,    YQ__OP_HARD_SIGMOID, YQ__OP_NEG,
                                      YQ__OP_EXP,     YQ__OP_IDENTITY};
    int64_t n = 40000;
    float *x = ot_rand(n, -5, 5), *ref = ot_rand(n, 0, 0);
    for (size_t o = 0; o < YQ_COUNTOF(ops); o++) {
        struct yq__graph *g;
        yq__graph_create("t.onnx", &g);
        int tx = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(n), YQ__LAYOUT_PLAIN);
        int ty = ot_output(g, "y");
        int nd = yq__graph_add_node(g, "u", ops[o], 1, &tx, 1, &ty);
        yq__node_set_float(g, nd, "min", -1.0f);
        yq__node_set_float(g, nd, "max", 2.0f);
        void *bufs[4] = {0};
        bufs[tx] = x;
        char err[256];
        CHECKF(ot_run(g, p, bufs, err, sizeof err) == YQ_STATUS_OK, "%s", err);
        for (int64_t i = 0; i < n; i++) {
            float v = x[i];
            switch (ops[o]) {
            case YQ__OP_SIGMOID: ref[i] = 1 / (1 + expf(-v)); break;
            case YQ__OP_RELU: ref[i] = v > 0 ? v : 0; break;
            case YQ__OP_LEAKY_RELU: ref[i] = v > 0 ? v : 0.01f * v; break;
            case YQ__OP_TANH: ref[i] = tanhf(v); break;
            case YQ__OP_HARD_SWISH: ref[i] = v * fminf(fmaxf(v + 3, 0), 6) / 6; break;
            case YQ__OP_SILU: ref[i] = v / (1 + expf(-v)); break;
            case YQ__OP_CLIP: ref[i] = fminf(fmaxf(v, -1), 2); break;
            case YQ__OP_HARD_SIGMOID: ref[i] = fminf(fmaxf(0.2f * v + 0.5f, 0), 1); break;
            case YQ__OP_NEG: ref[i] = -v; break;
            case YQ__OP_EXP: ref[i] = expf(v); break;
            default: ref[i] = v; break;
            }
        }
        CHECKF(ot_maxerr(bufs[ty], ref, n) < 1e-5, "%s", yq__op_name(ops[o]));
        ot_free(g, bufs, 1);
        yq__graph_free(g);
    }
    yq__aligned_free(x);
    yq__aligned_free(ref);
}

/* Bad shapes are one-line errors naming the node, not crashes. */
static void errors(void)
{
    char err[256];
    struct yq__err e = {err, sizeof err};
    struct yq__graph *g;
    yq__graph_create("m.onnx", &g);
    int ta = ot_input(g, "a", YQ__DTYPE_F32, OT_SH(1, 3, 4, 4), YQ__LAYOUT_PLAIN);
    int tb = ot_input(g, "b", YQ__DTYPE_F32, OT_SH(1, 3, 5, 4), YQ__LAYOUT_PLAIN);
    int tc = ot_output(g, "c");
    int ins[2] = {ta, tb};
    int nd = yq__graph_add_node(g, "/model.10/Concat", YQ__OP_CONCAT, 2, ins, 1, &tc);
    yq__node_set_int(g, nd, "axis", 1);
    yq__graph_index(g, &e);
    CHECK(yq__graph_infer_shapes(g, &e) == YQ_STATUS_BAD_MODEL);
    CHECKF(strstr(err, "node '/model.10/Concat' (Concat)") && strstr(err, "[1,3,5,4]"), "%s", err);
    yq__graph_free(g);

    yq__graph_create("m.onnx", &g);
    ta = ot_input(g, "a", YQ__DTYPE_F32, OT_SH(2, 3, 4), YQ__LAYOUT_PLAIN);
    int64_t shp[2] = {5, -1};
    tb = ot_const_i64(g, "s", 2, shp);
    tc = ot_output(g, "c");
    int ins2[2] = {ta, tb};
    yq__graph_add_node(g, "rs", YQ__OP_RESHAPE, 2, ins2, 1, &tc);
    yq__graph_index(g, &e);
    CHECK(yq__graph_infer_shapes(g, &e) == YQ_STATUS_BAD_MODEL);
    CHECKF(strstr(err, "(Reshape)") && strstr(err, "[2,3,4]"), "%s", err);
    yq__graph_free(g);

    yq__graph_create("m.onnx", &g);
    ta = ot_input(g, "a", YQ__DTYPE_F32, OT_SH(2, 3), YQ__LAYOUT_PLAIN);
    tb = ot_input(g, "b", YQ__DTYPE_F32, OT_SH(4, 3), YQ__LAYOUT_PLAIN);
    tc = ot_output(g, "c");
    int ins3[2] = {ta, tb};
    yq__graph_add_node(g, "add", YQ__OP_ADD, 2, ins3, 1, &tc);
    yq__graph_index(g, &e);
    CHECK(yq__graph_infer_shapes(g, &e) == YQ_STATUS_BAD_MODEL);
    CHECKF(strstr(err, "do not broadcast"), "%s", err);
    yq__graph_free(g);

    yq__graph_create("m.onnx", &g);
    ta = ot_input(g, "a", YQ__DTYPE_F32, OT_SH(2, 3), YQ__LAYOUT_PLAIN);
    tc = ot_output(g, "c");
    yq__graph_add_node(g, "q", YQ__OP_CONV_TRANSPOSE, 1, &ta, 1, &tc);
    yq__graph_index(g, &e);
    CHECK(yq__graph_infer_shapes(g, &e) == YQ_STATUS_UNSUPPORTED);
    CHECKF(strstr(err, "node 'q' (ConvTranspose)"), "%s", err);
    yq__graph_free(g);
}

/* The broadcast plan collapses what it can: same-shape operands behind a leading 1 become one
 * row (they used to stay one row per pixel), a per-channel operand leaves rows of C. */
static void bcast_collapse(void)
{
    struct yq__bcast bc;
    struct yq__shape x = OT_SH(1, 4, 5, 6), c = OT_SH(6), y = OT_SH(2, 1, 5, 1);
    yq__ops_bcast_init(&bc, &x, &x, &x);
    CHECKF(bc.rank == 1 && bc.d[0] == 120 && bc.rows == 1, "rank %d d0 %lld", bc.rank,
           (long long)bc.d[0]);
    yq__ops_bcast_init(&bc, &x, &c, &x);
    CHECKF(bc.rank == 2 && bc.d[0] == 20 && bc.d[1] == 6 && bc.rows == 20 && bc.sb[0] == 0 &&
               bc.sb[1] == 1 && bc.sa[0] == 6,
           "rank %d", bc.rank);
    struct yq__shape o = OT_SH(2, 4, 5, 6);
    yq__ops_bcast_init(&bc, &x, &y, &o);
    int64_t oa, ob;
    yq__ops_bcast_row(&bc, bc.rows - 1, &oa, &ob); /* last row: a's last, b's last */
    CHECK(oa + (bc.d[bc.rank - 1] - 1) * bc.sa[bc.rank - 1] == 119);
    CHECK(ob + (bc.d[bc.rank - 1] - 1) * bc.sb[bc.rank - 1] == 9);
}

int main(void)
{
    CHECK(yq__pool_create(2, &pool) == YQ_STATUS_OK);
    bcast_collapse();
    struct yq__pool *pools[2] = {NULL, pool};
    for (int i = 0; i < 2; i++) {
        concat_split(pools[i]);
        slices(pools[i]);
        reshape_chain(pools[i]);
        softmax_case(false, pools[i]);
        softmax_case(true, pools[i]);
        binaries(pools[i]);
        unaries(pools[i]);
    }
    errors();
    yq__pool_free(pool);
    return yq_test_finish();
}
