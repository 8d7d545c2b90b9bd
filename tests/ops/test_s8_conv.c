/* SPDX-License-Identifier: Apache-2.0 */
/* int8 Conv and yq.Quantize/yq.Dequantize against the quantized-graph contract of
 * quant/quantize.h: a plain integer reference written here must match bit for bit (1x1,
 * 3x3 s1/s2, the 6x6 s2 p2 stem, groups, depthwise, dilation, odd sizes, per-channel and
 * per-tensor weights, extreme zero points, LUT/float activations, F32 output; serial and
 * 2 threads),
 * the float conv of the dequantized operands must agree within a derived bound, and bad
 * weights/bias/kernels give one-line errors naming the node. */
#include "opstest.h"

enum mode { MODE_NONE, MODE_LUT, MODE_FLOAT, MODE_F32 };

struct qcase {
    int n, c, h, w, m, kh, kw, sh, sw, pt, pl, pb, pr, group;
    bool bias, per_channel;
    int zp_in, zp_out;
    enum mode mode;
    enum yq__act_kind act;
    int dil; /* 0 = 1 */
};

/* build_data fills extreme data at the int8 contract's bounds (see there) */
static bool bounds_data;

/* quantize_out literally, as yq__quantize_s8: sat(round_half_even(v / s) + zp) in double,
 * NaN -> zp */
static int8_t ref_quant(float v, float s, int zp)
{
    if (isnan(v))
        return (int8_t)zp;
    double r = nearbyint((double)v / (double)s) + zp;
    return (int8_t)(r < -128.0 ? -128 : (r > 127.0 ? 127 : (int)r));
}

/* sat(round(acc * mult) + zp) */
static int8_t ref_requant(int32_t acc, float mult, int zp)
{
    float r = nearbyintf((float)acc * mult) + (float)zp;
    return (int8_t)(r < -128.0f ? -128 : (r > 127.0f ? 127 : (int)r));
}

static float act1(float v, const struct yq__act *a)
{
    yq__f32_act(&v, 1, a);
    return v;
}

struct qdata {
    int oh, ow, k, cg, mg, dil;
    int8_t *x, *w;
    int32_t *b;
    float s_in, *s_w, s_out, pre_scale;
    int pre_zp;
    int32_t *acc; /* [n*oh*ow][m] */
    struct yq__act act;
};

/* acc = bias + sum over in-image taps of (x - zp_in) * w (out-of-image taps read zp_in) */
static void ref_acc(const struct qcase *k, struct qdata *d)
{
    for (int n = 0; n < k->n; n++)
        for (int oy = 0; oy < d->oh; oy++)
            for (int ox = 0; ox < d->ow; ox++)
                for (int m = 0; m < k->m; m++) {
                    int gi = m / d->mg;
                    int32_t acc = k->bias ? d->b[m] : 0;
                    for (int ci = 0; ci < d->cg; ci++)
                        for (int ky = 0; ky < k->kh; ky++)
                            for (int kx = 0; kx < k->kw; kx++) {
                                int iy = oy * k->sh - k->pt + ky * d->dil,
                                    ix = ox * k->sw - k->pl + kx * d->dil;
                                if (iy < 0 || iy >= k->h || ix < 0 || ix >= k->w)
                                    continue;
                                int xv = d->x[((n * k->h + iy) * k->w + ix) * k->c + gi * d->cg +
                                              ci];
                                int wv = d->w[((m * d->cg + ci) * k->kh + ky) * k->kw + kx];
                                acc += (xv - k->zp_in) * wv;
                            }
                    d->acc[((size_t)(n * d->oh + oy) * d->ow + ox) * k->m + m] = acc;
                }
}

static float sw_of(const struct qcase *k, const struct qdata *d, int j)
{
    return k->per_channel ? d->s_w[j] : d->s_w[0];
}

static void build_data(const struct qcase *k, struct qdata *d)
{
    memset(d, 0, sizeof *d);
    d->cg = k->c / k->group;
    d->mg = k->m / k->group;
    d->k = d->cg * k->kh * k->kw;
    d->dil = k->dil ? k->dil : 1;
    d->oh = (k->h + k->pt + k->pb - ((k->kh - 1) * d->dil + 1)) / k->sh + 1;
    d->ow = (k->w + k->pl + k->pr - ((k->kw - 1) * d->dil + 1)) / k->sw + 1;
    size_t xn = (size_t)k->n * k->h * k->w * k->c, wn = (size_t)k->m * d->k;
    d->x = yq__aligned_alloc(xn + 64);
    d->w = yq__aligned_alloc(wn);
    d->b = yq__aligned_alloc((size_t)k->m * 4);
    d->s_w = yq__malloc((size_t)k->m * sizeof(float));
    d->acc = yq__malloc((size_t)k->n * d->oh * d->ow * k->m * sizeof(int32_t));
    for (size_t i = 0; i < xn; i++)
        d->x[i] = (int8_t)yq_test_randint(-128, 127);
    /* a few taps at the extremes exercise the widest products */
    for (size_t i = 0; i < xn; i += 7)
        d->x[i] = (int8_t)(i % 2 ? 127 : -128);
    for (size_t i = 0; i < wn; i++)
        d->w[i] = (int8_t)yq_test_randint(-127, 127);
    for (int j = 0; j < k->m; j++) {
        d->b[j] = yq_test_randint(-20000, 20000);
        d->s_w[j] = yq_test_uniform(0.002f, 0.02f);
    }
    if (bounds_data) {
        /* |x - zp_in| = 255, |w| = 127, |bias| = 2^29, every term of a channel the same
         * sign: with k near 16384, |acc| reaches 1.07e9, just inside int32 (kernels.h) */
        for (size_t i = 0; i < xn; i++)
            d->x[i] = (int8_t)(k->zp_in == 127 ? -128 : 127);
        for (int j = 0; j < k->m; j++) {
            for (int p = 0; p < d->k; p++)
                d->w[(size_t)j * d->k + p] = (int8_t)(j % 2 ? -127 : 127);
            int sign = (k->zp_in == 127 ? -1 : 1) * (j % 2 ? -1 : 1);
            d->b[j] = sign * (1 << 29);
        }
    }
    d->s_in = 0.0173f;
    ref_acc(k, d);
    /* output range from the real accumulators so codes spread over [-128, 127] and the
     * extremes saturate a little */
    double lo = 0, hi = 0;
    size_t na = (size_t)k->n * d->oh * d->ow * k->m;
    for (size_t i = 0; i < na; i++) {
        double v = (double)d->acc[i] * d->s_in * sw_of(k, d, (int)(i % (size_t)k->m));
        lo = fmin(lo, v);
        hi = fmax(hi, v);
    }
    d->pre_scale = (float)((hi - lo) / 255.0);
    d->pre_zp = (int)nearbyint(-128.0 - lo / d->pre_scale);
    d->pre_zp = d->pre_zp < -128 ? -128 : (d->pre_zp > 127 ? 127 : d->pre_zp);
    d->s_out = (float)((hi - lo) / 255.0 * 0.8);
    d->act.kind = k->act;
    d->act.alpha = 0.1f;
}

static void free_data(struct qdata *d)
{
    yq__aligned_free(d->x);
    yq__aligned_free(d->w);
    yq__aligned_free(d->b);
    yq__free(d->s_w);
    yq__free(d->acc);
}

/* Builds the one-node graph; returns the node index, *ty the output tensor. */
static int build_graph(struct yq__graph *g, const struct qcase *k, const struct qdata *d, int *tx,
                       int *ty)
{
    *tx = ot_input(g, "x", YQ__DTYPE_S8, OT_SH(k->n, k->h, k->w, k->c), YQ__LAYOUT_NHWC);
    g->tensors[*tx].q.scale = d->s_in;
    g->tensors[*tx].q.zero_point = k->zp_in;
    int tw = ot_const(g, "w", YQ__DTYPE_S8, OT_SH(k->m, d->cg, k->kh, k->kw), d->w);
    struct yq__quant *wq = &g->tensors[tw].q;
    if (k->per_channel) {
        wq->n_channels = k->m;
        wq->axis = 0;
        wq->channel_scales = yq__malloc((size_t)k->m * sizeof(float));
        memcpy(wq->channel_scales, d->s_w, (size_t)k->m * sizeof(float));
    } else {
        wq->scale = d->s_w[0];
    }
    int tb = ot_const(g, "b", YQ__DTYPE_S32, OT_SH(k->m), d->b);
    struct yq__shape ys = OT_SH(k->n, d->oh, d->ow, k->m);
    *ty = yq__graph_add_tensor(g, "y", k->mode == MODE_F32 ? YQ__DTYPE_F32 : YQ__DTYPE_S8, &ys);
    g->tensors[*ty].layout = YQ__LAYOUT_NHWC;
    ot_push(&g->outputs, &g->n_outputs, *ty);
    if (k->mode != MODE_F32) {
        g->tensors[*ty].q.scale = d->s_out;
        g->tensors[*ty].q.zero_point = k->zp_out;
    }
    int ins[3] = {*tx, tw, tb};
    int nd = yq__graph_add_node(g, "/model.0/conv/Conv", YQ__OP_CONV, k->bias ? 3 : 2, ins, 1,
                                ty);
    int64_t st[2] = {k->sh, k->sw}, pads[4] = {k->pt, k->pl, k->pb, k->pr};
    yq__node_set_ints(g, nd, "strides", st, 2);
    yq__node_set_ints(g, nd, "pads", pads, 4);
    yq__node_set_int(g, nd, "group", k->group);
    if (k->dil) {
        int64_t dl[2] = {k->dil, k->dil};
        yq__node_set_ints(g, nd, "dilations", dl, 2);
    }
    g->nodes[nd].quantized = true;
    g->nodes[nd].act = d->act;
    if (k->mode == MODE_FLOAT)
        yq__node_set_string(g, nd, "yq.act_mode", "float", 5);
    if (k->mode == MODE_LUT) {
        yq__node_set_string(g, nd, "yq.act_mode", "lut", 3);
        yq__node_set_float(g, nd, "yq.pre_scale", d->pre_scale);
        yq__node_set_int(g, nd, "yq.pre_zero_point", d->pre_zp);
    }
    return nd;
}

/* Expected output codes (or floats for MODE_F32) following the contract literally. */
static void ref_out(const struct qcase *k, const struct qdata *d, int8_t *q, float *f)
{
    int8_t lut[256];
    for (int c = -128; c < 128; c++)
        lut[c + 128] = ref_quant(act1((float)(c - d->pre_zp) * d->pre_scale, &d->act), d->s_out,
                                 k->zp_out);
    size_t na = (size_t)k->n * d->oh * d->ow * k->m;
    for (size_t i = 0; i < na; i++) {
        int j = (int)(i % (size_t)k->m);
        double prod = (double)d->s_in * sw_of(k, d, j);
        int32_t acc = d->acc[i];
        if (k->mode == MODE_F32) {
            f[i] = act1((float)acc * (float)prod, &d->act);
        } else if (k->mode == MODE_NONE || k->act == YQ__ACT_NONE) {
            q[i] = ref_requant(acc, (float)(prod / d->s_out), k->zp_out);
        } else if (k->mode == MODE_LUT) {
            int8_t q1 = ref_requant(acc, (float)(prod / d->pre_scale), d->pre_zp);
            q[i] = lut[q1 + 128];
        } else {
            q[i] = ref_quant(act1((float)acc * (float)prod, &d->act), d->s_out, k->zp_out);
        }
    }
}

static const char *mode_name(enum mode m)
{
    static const char *names[] = {"none", "lut", "float", "f32"};
    return names[m];
}

/* The same conv in double on the dequantized operands, then the activation: the output
 * must be within a bound of it. Integer accumulation is exact and acc * s_in*s_w differs
 * from the real sum only by float rounding (~1e-7 relative), so the errors are:
 *  - output quantization: 0.5 * s_out (inside the representable range; outside it the
 *    code saturates at the bound, so compare with the clamped value);
 *  - LUT mode: the pre-activation code first rounds the real value by <= 0.5 * pre_scale
 *    (pre range covers all values here), which the activation passes on times its
 *    Lipschitz constant (<= 1.1 for SiLU, 1 for Relu/LeakyRelu/none);
 *  - float mode / F32: the fp32 activation (exp approximation) adds ~1e-6 relative.
 * The slack 1e-5 * (1 + |y|) covers the float products. */
static void check_float_bound(const struct qcase *k, const struct qdata *d, const void *got)
{
    size_t na = (size_t)k->n * d->oh * d->ow * k->m;
    double worst = 0, worst_bound = 0;
    bool ok = true;
    for (size_t i = 0; i < na; i++) {
        int j = (int)(i % (size_t)k->m);
        double y = (double)d->acc[i] * d->s_in * sw_of(k, d, j);
        double bound = 1e-5 * (1 + fabs(y));
        float ya = act1((float)y, &d->act);
        double out;
        if (k->mode == MODE_F32) {
            out = ((const float *)got)[i];
        } else {
            double lo = (-128 - k->zp_out) * (double)d->s_out,
                   hi = (127 - k->zp_out) * (double)d->s_out;
            ya = (float)fmin(fmax(ya, lo), hi);
            out = (double)(((const int8_t *)got)[i] - k->zp_out) * d->s_out;
            bound += 0.5 * d->s_out;
            if (k->mode == MODE_LUT && k->act != YQ__ACT_NONE)
                bound += 1.1 * 0.5 * d->pre_scale;
        }
        double err = fabs(out - ya);
        if (!(err <= bound)) {
            ok = false;
            if (err > worst) {
                worst = err;
                worst_bound = bound;
            }
        }
    }
    CHECKF(ok, "float bound: mode %s act %d: err %g > bound %g", mode_name(k->mode), k->act,
           worst, worst_bound);
}

static void run_qcase(const struct qcase *k, struct yq__pool *pool)
{
    struct qdata d;
    build_data(k, &d);
    struct yq__graph *g;
    yq__graph_create("q.yqm", &g);
    int tx, ty;
    int nd = build_graph(g, k, &d, &tx, &ty);
    char err[256];
    struct yq__err e = {err, sizeof err};
    /* infer reproduces the shape and keeps the chosen output dtype */
    g->tensors[ty].shape.rank = 0;
    CHECKF(yq__op_impl_get(YQ__OP_CONV, true)->infer(g, nd, &e) == YQ_STATUS_OK, "%s", err);
    const struct yq__tensor *yt = &g->tensors[ty];
    CHECK(yt->shape.rank == 4 && yt->shape.d[1] == d.oh && yt->shape.d[2] == d.ow &&
          yt->shape.d[3] == k->m && yt->layout == YQ__LAYOUT_NHWC &&
          yt->dtype == (k->mode == MODE_F32 ? YQ__DTYPE_F32 : YQ__DTYPE_S8));
    void *bufs[8] = {0};
    bufs[tx] = d.x;
    enum yq_status s = ot_run_ex(g, pool, bufs, false, err, sizeof err);
    CHECKF(s == YQ_STATUS_OK, "%s", err);
    if (s == YQ_STATUS_OK) {
        size_t na = (size_t)k->n * d.oh * d.ow * k->m;
        int8_t *q = yq__malloc(na);
        float *f = yq__malloc(na * sizeof(float));
        ref_out(k, &d, q, f);
        size_t bad = 0, first = 0;
        for (size_t i = 0; i < na; i++) {
            bool same = k->mode == MODE_F32
                            ? memcmp(&f[i], (float *)bufs[ty] + i, sizeof(float)) == 0
                            : q[i] == ((int8_t *)bufs[ty])[i];
            if (!same && !bad++)
                first = i;
        }
        CHECKF(bad == 0,
               "s8 conv n%d c%d h%d w%d m%d k%dx%d s%d p%d,%d,%d,%d g%d zp %d/%d %s %s act %d "
               "threads %d: %zu of %zu differ (first at %zu: got %d want %d)",
               k->n, k->c, k->h, k->w, k->m, k->kh, k->kw, k->sh, k->pt, k->pl, k->pb, k->pr,
               k->group, k->zp_in, k->zp_out, k->per_channel ? "per-channel" : "per-tensor",
               mode_name(k->mode), k->act, yq__pool_threads(pool), bad, na, first,
               k->mode == MODE_F32 ? 0 : ((int8_t *)bufs[ty])[first],
               k->mode == MODE_F32 ? 0 : q[first]);
        check_float_bound(k, &d, bufs[ty]);
        yq__free(q);
        yq__free(f);
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    free_data(&d);
}

/* ---- yq.Quantize / yq.Dequantize -------------------------------------------------------- */

static void qdq_graph(struct yq__graph *g, struct yq__shape s, enum yq__layout layout,
                      float scale, int zp, int *tx, int *tq, int *ty)
{
    *tx = ot_input(g, "x", YQ__DTYPE_F32, s, layout);
    *tq = yq__graph_add_tensor(g, "q", YQ__DTYPE_S8, NULL);
    *ty = ot_output(g, "y");
    g->tensors[*tq].q.scale = scale;
    g->tensors[*tq].q.zero_point = zp;
    int n1 = yq__graph_add_node(g, "quant", YQ__OP_QUANTIZE, 1, tx, 1, tq);
    int n2 = yq__graph_add_node(g, "dequant", YQ__OP_DEQUANTIZE, 1, tq, 1, ty);
    g->nodes[n1].quantized = g->nodes[n2].quantized = true;
}

static void qdq_exact(void)
{
    /* scale 0.25: x / s is exact, so ties are real ties */
    static const struct {
        float x;
        int q;
    } t[] = {
        {0.0f, 3},       {0.125f, 3},     {0.375f, 5},     {0.625f, 5},    {-0.125f, 3},
        {-0.375f, 1},    {-0.625f, 1},    {1.0f, 7},       {30.875f, 127}, {30.625f, 125},
        {31.125f, 127},  {1e9f, 127},     {-32.75f, -128}, {-32.625f, -127}, {-32.5f, -127},
        {-1e30f, -128},  {INFINITY, 127}, {-INFINITY, -128}, {NAN, 3},       {-0.0f, 3},
    };
    int n = (int)YQ_COUNTOF(t);
    struct yq__graph *g;
    yq__graph_create("q.yqm", &g);
    int tx, tq, ty;
    qdq_graph(g, OT_SH(1, 1, 1, n), YQ__LAYOUT_NHWC, 0.25f, 3, &tx, &tq, &ty);
    float *x = yq__aligned_alloc((size_t)n * sizeof(float) + 64);
    for (int i = 0; i < n; i++)
        x[i] = t[i].x;
    void *bufs[8] = {0};
    bufs[tx] = x;
    char err[256];
    enum yq_status s = ot_run(g, NULL, bufs, err, sizeof err);
    CHECKF(s == YQ_STATUS_OK, "%s", err);
    if (s == YQ_STATUS_OK) {
        CHECK(g->tensors[tq].dtype == YQ__DTYPE_S8 && g->tensors[ty].dtype == YQ__DTYPE_F32 &&
              g->tensors[ty].layout == YQ__LAYOUT_NHWC && g->tensors[ty].shape.d[3] == n);
        const int8_t *q = bufs[tq];
        const float *y = bufs[ty];
        for (int i = 0; i < n; i++) {
            CHECKF(q[i] == t[i].q, "quantize(%g) = %d, want %d", (double)t[i].x, q[i], t[i].q);
            CHECKF(y[i] == (float)(t[i].q - 3) * 0.25f, "dequantize(%d) = %g", q[i],
                   (double)y[i]);
        }
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

static void qdq_random(struct yq__pool *pool, int zp)
{
    /* larger than one task chunk so the pool splits it; odd size for the tail */
    const int64_t n = 3 * 65536 + 17;
    const float scale = 0.0371f;
    struct yq__graph *g;
    yq__graph_create("q.yqm", &g);
    int tx, tq, ty;
    qdq_graph(g, OT_SH(n), YQ__LAYOUT_PLAIN, scale, zp, &tx, &tq, &ty);
    float *x = ot_rand(n, -6, 6);
    void *bufs[8] = {0};
    bufs[tx] = x;
    char err[256];
    enum yq_status s = ot_run(g, pool, bufs, err, sizeof err);
    CHECKF(s == YQ_STATUS_OK, "%s", err);
    if (s == YQ_STATUS_OK) {
        const int8_t *q = bufs[tq];
        const float *y = bufs[ty];
        int64_t bad = 0, far = 0;
        double lo = (-128 - zp) * (double)scale, hi = (127 - zp) * (double)scale;
        for (int64_t i = 0; i < n; i++) {
            bad += q[i] != ref_quant(x[i], scale, zp);
            double xc = fmin(fmax(x[i], lo), hi);
            /* x / s in float may move a value across a rounding tie by one float ulp */
            far += !(fabs(y[i] - xc) <= 0.5 * scale * (1 + 1e-4) + 1e-6 * fabs(x[i]));
        }
        CHECKF(bad == 0 && far == 0, "zp %d threads %d: %lld codes differ, %lld beyond s/2", zp,
               yq__pool_threads(pool), (long long)bad, (long long)far);
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

/* ---- errors ----------------------------------------------------------------------------- */

enum bad_kind {
    BAD_WEIGHT_F32,
    BAD_WEIGHT_INPUT,
    BAD_BIAS_SHAPE,
    BAD_K,
    BAD_LUT_ATTR,
    BAD_K_16385, /* one past the depth bound */
    BAD_BIAS_2P29 /* one past the bias bound */
};

static void bad_case(enum bad_kind kind)
{
    struct qcase k = {1, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true, 0, 0,
                      MODE_NONE, YQ__ACT_NONE, 0};
    if (kind == BAD_K) {
        k.c = 2048; /* 3*3*2048 = 18432 > 16384 */
        k.m = 2;
        k.h = k.w = 3;
    }
    if (kind == BAD_LUT_ATTR)
        k.act = YQ__ACT_SILU; /* default "lut" mode without yq.pre_scale */
    if (kind == BAD_K_16385) {
        k.c = 16385; /* 1x1: k = 16385 */
        k.m = 2;
        k.kh = k.kw = 1;
        k.pt = k.pl = k.pb = k.pr = 0;
        k.h = k.w = 2;
    }
    struct qdata d;
    build_data(&k, &d);
    struct yq__graph *g;
    yq__graph_create("bad.yqm", &g);
    int tx, ty;
    int nd = build_graph(g, &k, &d, &tx, &ty);
    struct yq__node *n = &g->nodes[nd];
    if (kind == BAD_WEIGHT_F32)
        g->tensors[n->in[1]].dtype = YQ__DTYPE_F32;
    if (kind == BAD_WEIGHT_INPUT) {
        int tw = ot_input(g, "wi", YQ__DTYPE_S8, OT_SH(6, 4, 3, 3), YQ__LAYOUT_PLAIN);
        n = &g->nodes[nd];
        n->in[1] = tw;
    }
    if (kind == BAD_BIAS_SHAPE)
        g->tensors[n->in[2]].shape.d[0] = 5;
    if (kind == BAD_BIAS_2P29) /* the bound itself is fine (run_qcase), one more is not */
        ((int32_t *)g->tensors[n->in[2]].data)[3] = -(1 << 29) - 1;
    char err[256];
    struct yq__err e = {err, sizeof err};
    enum yq_status s = YQ_STATUS_OK;
    err[0] = '\0';
    if (kind != BAD_K && kind != BAD_LUT_ATTR && kind != BAD_K_16385 && kind != BAD_BIAS_2P29)
        s = yq__op_impl_get(YQ__OP_CONV, true)->infer(g, nd, &e);
    if (s == YQ_STATUS_OK) {
        void *bufs[8] = {0};
        bufs[tx] = d.x;
        s = ot_run_ex(g, NULL, bufs, false, err, sizeof err);
        ot_free(g, bufs, 1);
    }
    static const char *const want[] = {"must be S8", "must be a constant", "must be S32 [6]",
                                       "k = kh*kw*C/group = 18432", "yq.pre_scale",
                                       "k = kh*kw*C/group = 16385 > 16384",
                                       "[3] = -536870913 exceeds 2^29"};
    CHECKF(s != YQ_STATUS_OK && strstr(err, "bad.yqm: node '/model.0/conv/Conv' (Conv): ") &&
               strstr(err, want[kind]) && !strchr(err, '\n'),
           "bad case %d: status %d, message: %s", kind, s, err);
    yq__graph_free(g);
    free_data(&d);
}

int main(void)
{
    static const struct qcase base[] = {
        /* n  c  h  w   m kh kw sh sw pt pl pb pr g  bias  perch  zin  zout mode act dil */
        {1, 16, 12, 10, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, true, true, 5, -3, 0, 0, 0},
        {2, 8, 9, 7, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, false, false, -128, 127, 0, 0, 0},
        {1, 8, 13, 11, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true, -128, -128, 0, 0, 0},
        {1, 16, 14, 15, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, true, true, 127, 0, 0, 0, 0},
        {1, 3, 32, 32, 16, 6, 6, 2, 2, 2, 2, 2, 2, 1, true, true, -128, 7, 0, 0, 0},
        {1, 12, 10, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 4, true, false, 11, -20, 0, 0, 0},
        {1, 24, 11, 13, 24, 3, 3, 1, 1, 1, 1, 1, 1, 24, true, true, -7, 4, 0, 0, 0},
        {1, 16, 9, 10, 16, 3, 3, 2, 2, 1, 1, 1, 1, 16, false, true, 100, -5, 0, 0, 0},
        {1, 8, 7, 6, 8, 5, 5, 1, 1, 2, 2, 2, 2, 8, true, false, -128, 12, 0, 0, 0},
        {2, 20, 12, 9, 20, 5, 5, 2, 2, 2, 2, 2, 2, 20, true, true, 127, -128, 0, 0, 0},
        {1, 6, 7, 5, 12, 3, 3, 1, 1, 1, 1, 1, 1, 6, true, true, 3, 3, 0, 0, 0},
        {1, 5, 7, 5, 13, 3, 3, 1, 1, 0, 0, 0, 0, 1, true, true, -50, 60, 0, 0, 0},
        {1, 4, 9, 8, 6, 3, 2, 2, 1, 0, 1, 2, 0, 1, true, false, 0, 0, 0, 0, 0},
        {2, 32, 20, 20, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true, -128, -100, 0, 0, 0},
        {1, 64, 40, 40, 32, 1, 1, 1, 1, 0, 0, 0, 0, 1, true, true, 20, -128, 0, 0, 0},
        /* dilation 2: im2col, also for the depthwise shape (the dw kernels take no dilation) */
        {1, 8, 15, 13, 8, 3, 3, 1, 1, 2, 2, 2, 2, 1, true, true, 9, -9, 0, 0, 2},
        {1, 8, 15, 13, 8, 3, 3, 1, 1, 2, 2, 2, 2, 8, false, true, -128, 1, 0, 0, 2},
        /* 16 to 32 contiguous bytes per ky (one 32-byte copy per span): the stem unpadded
         * over two images (the last spans end at the input's end), 16, 18, 28 and 32 bytes,
         * dilation in y, and a stride wider than the span */
        {2, 3, 14, 16, 16, 6, 6, 2, 2, 0, 0, 0, 0, 1, true, true, 30, -2, 0, 0, 0},
        {1, 4, 9, 11, 8, 4, 4, 1, 1, 1, 2, 2, 1, 1, true, false, -9, 5, 0, 0, 0},
        {2, 6, 8, 9, 16, 3, 3, 1, 1, 0, 0, 0, 0, 1, false, true, 127, -128, 0, 0, 0},
        {1, 7, 10, 12, 9, 4, 4, 2, 2, 1, 1, 1, 1, 1, true, true, -128, 3, 0, 0, 0},
        {1, 8, 11, 10, 17, 4, 4, 1, 1, 1, 1, 2, 2, 1, true, true, 1, 1, 0, 0, 0},
        {1, 6, 13, 11, 8, 3, 3, 1, 1, 2, 1, 2, 1, 1, true, true, 4, -4, 0, 0, 2},
        {1, 3, 12, 20, 16, 6, 6, 2, 3, 2, 2, 2, 2, 1, true, true, -60, 10, 0, 0, 0},
        /* at most 4 channels: the row-gather path, taps grouped by the stride (2 columns of
         * 3 channels, 2 of 2, 2 of 4, 3 of 1) or not, odd paddings cutting groups in half,
         * one image column, output narrower than a group */
        {2, 3, 11, 13, 16, 6, 6, 2, 2, 1, 3, 3, 1, 1, true, true, -128, 0, 0, 0, 0},
        {1, 2, 10, 15, 24, 4, 4, 2, 2, 1, 1, 2, 2, 1, true, false, 17, -17, 0, 0, 0},
        {2, 4, 9, 10, 33, 2, 2, 2, 2, 0, 1, 0, 1, 1, true, true, -3, 2, 0, 0, 0},
        {1, 1, 10, 17, 8, 3, 3, 3, 3, 1, 1, 1, 1, 1, false, true, 50, -50, 0, 0, 0},
        {1, 3, 8, 1, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true, 5, 5, 0, 0, 0},
        {1, 2, 6, 3, 5, 4, 4, 2, 2, 2, 2, 2, 2, 1, true, true, -20, 6, 0, 0, 0},
    };
    static const struct {
        enum mode mode;
        enum yq__act_kind act;
    } modes[] = {
        {MODE_NONE, YQ__ACT_NONE}, {MODE_LUT, YQ__ACT_SILU},  {MODE_LUT, YQ__ACT_RELU},
        {MODE_LUT, YQ__ACT_LEAKY_RELU}, {MODE_FLOAT, YQ__ACT_SILU}, {MODE_F32, YQ__ACT_NONE},
        {MODE_F32, YQ__ACT_SILU},
    };
    struct yq__pool *pool = NULL;
    CHECK(yq__pool_create(2, &pool) == YQ_STATUS_OK);
    for (size_t i = 0; i < YQ_COUNTOF(base); i++) {
        for (size_t mi = 0; mi < YQ_COUNTOF(modes); mi++) {
            struct qcase k = base[i];
            k.mode = modes[mi].mode;
            k.act = modes[mi].act;
            run_qcase(&k, (i + mi) % 2 ? pool : NULL);
        }
        struct qcase k = base[i];
        k.mode = MODE_LUT;
        k.act = YQ__ACT_SILU;
        run_qcase(&k, (i % 2) ? NULL : pool); /* the other threading for one mode */
    }
    /* the int8 contract's bounds: k = 16384 (1x1) and 16380 (3x3), bias +-2^29, extreme
     * codes, every output mode, serial and 2 threads */
    static const struct qcase at_bounds[] = {
        {1, 16384, 2, 3, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1, true, true, 127, 0, 0, 0, 0},
        {1, 1820, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, false, -128, 5, 0, 0, 0},
    };
    bounds_data = true;
    for (size_t i = 0; i < YQ_COUNTOF(at_bounds); i++)
        for (size_t mi = 0; mi < YQ_COUNTOF(modes); mi++) {
            struct qcase k = at_bounds[i];
            k.mode = modes[mi].mode;
            k.act = modes[mi].act;
            run_qcase(&k, mi % 2 ? pool : NULL);
        }
    bounds_data = false;
    /* seeded random shapes, float activation mode also for Relu/LeakyRelu */
    for (int r = 0; r < 12; r++) {
        struct qcase k = {0};
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
        k.bias = yq_test_randint(0, 1);
        k.per_channel = yq_test_randint(0, 1);
        k.zp_in = yq_test_randint(-128, 127);
        k.zp_out = yq_test_randint(-128, 127);
        k.mode = (enum mode)yq_test_randint(0, 3);
        k.act = r % 3 == 0 ? YQ__ACT_RELU : (r % 3 == 1 ? YQ__ACT_LEAKY_RELU : YQ__ACT_SILU);
        if (k.mode == MODE_NONE)
            k.act = YQ__ACT_NONE;
        run_qcase(&k, r % 2 ? pool : NULL);
    }
    qdq_exact();
    qdq_random(NULL, 0);
    qdq_random(pool, -128);
    qdq_random(pool, 127);
    bad_case(BAD_WEIGHT_F32);
    bad_case(BAD_WEIGHT_INPUT);
    bad_case(BAD_BIAS_SHAPE);
    bad_case(BAD_K);
    bad_case(BAD_LUT_ATTR);
    bad_case(BAD_K_16385);
    bad_case(BAD_BIAS_2P29);
    yq__pool_free(pool);
    return yq_test_finish();
}
