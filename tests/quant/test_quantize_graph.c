/* SPDX-License-Identifier: Apache-2.0 */
/* The quantize pass on small hand-built float graphs: which nodes become int8 and why the
 * others stay float, Conv+activation fusion with its pre-activation parameters, weight and
 * bias constants (exact values), image-input parameters from mean/std, parameter
 * propagation through MaxPool/Concat, Quantize/Dequantize boundaries, float head outputs;
 * and, once the int8 operators are registered, float vs int8 on a small random net. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ops/opstest.h"
#include "quant/quant.h"
#include "quant/quantize.h"

static char msg[512];
static struct yq__err err = {msg, sizeof msg};

static struct yq__graph *new_graph(void)
{
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    return g;
}

static int image_input(struct yq__graph *g, int h, int w)
{
    return ot_input(g, "images", YQ__DTYPE_F32, OT_SH(1, h, w, 3), YQ__LAYOUT_NHWC);
}

/* Conv x -> y with OIHW weight w[m][c][k][k] (pads k/2) and optional bias b. */
static int add_conv(struct yq__graph *g, const char *name, int x, int y, int m, int c, int k,
                    const float *w, const float *b)
{
    char nm[64];
    snprintf(nm, sizeof nm, "%s.w", name);
    int tw = ot_const(g, nm, YQ__DTYPE_F32, OT_SH(m, c, k, k), w);
    int ins[3] = {x, tw, -1};
    if (b) {
        snprintf(nm, sizeof nm, "%s.b", name);
        ins[2] = ot_const(g, nm, YQ__DTYPE_F32, OT_SH(m), b);
    }
    int nd = yq__graph_add_node(g, name, YQ__OP_CONV, b ? 3 : 2, ins, 1, &y);
    int64_t p = k / 2, pads[4] = {p, p, p, p}, ks[2] = {k, k};
    yq__node_set_ints(g, nd, "pads", pads, 4);
    yq__node_set_ints(g, nd, "kernel_shape", ks, 2);
    return nd;
}

static int add_unary(struct yq__graph *g, const char *name, enum yq__op op, int x, int y)
{
    return yq__graph_add_node(g, name, op, 1, &x, 1, &y);
}

static void set_range(struct yq__graph *g, int t, float lo, float hi)
{
    g->tensors[t].range_min = lo;
    g->tensors[t].range_max = hi;
    g->tensors[t].has_range = true;
}

static void ranged(struct yq__graph *g, int t)
{
    set_range(g, t, -4.0f, 6.0f);
}

static bool finish(struct yq__graph *g)
{
    enum yq_status st = yq__graph_index(g, &err);
    if (!st)
        st = yq__graph_infer_shapes(g, &err);
    CHECKF(st == YQ_STATUS_OK, "%s", msg);
    return st == YQ_STATUS_OK;
}

static const struct yq__node *node_named(const struct yq__graph *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0)
            return &g->nodes[i];
    return NULL;
}

static const struct yq__tensor *tensor_named(const struct yq__graph *g, const char *name)
{
    int t = yq__graph_find(g, name);
    return t >= 0 ? &g->tensors[t] : NULL;
}

static int count_op(const struct yq__graph *g, enum yq__op op)
{
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++)
        n += g->nodes[i].op == op;
    return n;
}

static const struct yq__quantize_kept *kept(const struct yq__quantize_report *r, const char *node)
{
    for (int i = 0; i < r->n_kept; i++)
        if (strcmp(r->kept[i].node, node) == 0)
            return &r->kept[i];
    return NULL;
}

static bool qp_is(const struct yq__tensor *t, float lo, float hi)
{
    struct yq__qparams q;
    yq__qparams_from_range(lo, hi, &q);
    return t && t->dtype == YQ__DTYPE_S8 && t->q.scale == q.scale &&
           t->q.zero_point == q.zero_point && t->q.n_channels == 0;
}

/* Hand-picked 1x1 weights [2][3]: channel 0 max 2.54 (scale 0.02), channel 1 max 1.28. */
static const float W2[6] = {2.54f, -1.0f, 0.5f, 0.0f, 1.28f, -0.3f};
static const float B2[2] = {0.1f, -0.2f};

/* images -> Conv(1x1, W2, B2) -> c0 -> SiLU -> a0 (graph output) */
static struct yq__graph *conv_silu_graph(void)
{
    struct yq__graph *g = new_graph();
    int x = image_input(g, 4, 4);
    int c0 = ot_tensor(g, "c0"), a0 = ot_output(g, "a0");
    add_conv(g, "conv0", x, c0, 2, 3, 1, W2, B2);
    add_unary(g, "silu0", YQ__OP_SILU, c0, a0);
    set_range(g, c0, -3.0f, 5.0f);
    set_range(g, a0, -0.3f, 5.0f);
    return g;
}

static void test_conv_silu(bool per_channel, bool float_outputs, enum yq__act_mode mode)
{
    struct yq__graph *g = conv_silu_graph();
    if (!finish(g))
        return;
    struct yq__quantize_options o;
    yq__quantize_options_init(&o);
    o.per_channel = per_channel;
    o.float_outputs = float_outputs;
    o.act_mode = mode;
    struct yq__quantize_report r;
    CHECKF(yq__quantize_graph(g, &o, &r, &err) == YQ_STATUS_OK, "%s", msg);
    CHECK(yq__graph_index(g, &err) == YQ_STATUS_OK);
    CHECK(g->n_nodes == 1);
    const struct yq__node *c = node_named(g, "conv0");
    CHECK(c && c->quantized && c->act.kind == YQ__ACT_SILU);
    CHECK(r.n_quantized == 1 && r.n_float == 0 && r.n_kept == 0 && r.n_boundaries == 0);
    if (!c) {
        yq__quantize_report_free(&r);
        yq__graph_free(g);
        return;
    }
    /* pre-activation parameters: those of c0's range [-3, 5] */
    struct yq__qparams pre;
    yq__qparams_from_range(-3.0f, 5.0f, &pre);
    CHECK(pre.zero_point == -32);
    if (mode == YQ__ACT_MODE_LUT) {
        CHECK(strcmp(yq__attr_string(c, "yq.act_mode", ""), "lut") == 0);
        CHECK(yq__attr_float(c, "yq.pre_scale", 0) == pre.scale);
        CHECK(yq__attr_int(c, "yq.pre_zero_point", 0) == -32);
    } else {
        CHECK(strcmp(yq__attr_string(c, "yq.act_mode", ""), "float") == 0);
    }
    /* image input: mean 0, std 255 -> exact q = u8 - 128 */
    const struct yq__tensor *x = tensor_named(g, "images");
    CHECK(x && x->dtype == YQ__DTYPE_S8 && x->q.scale == 1.0f / 255.0f && x->q.zero_point == -128 &&
          x->is_input);
    CHECK(c->in[0] == yq__graph_find(g, "images"));
    /* output */
    const struct yq__tensor *y = &g->tensors[c->out[0]];
    CHECK(strcmp(y->name, "a0") == 0 && y->is_output);
    if (float_outputs)
        CHECK(y->dtype == YQ__DTYPE_F32 && y->q.scale == 0.0f);
    else
        CHECK(qp_is(y, -0.3f, 5.0f));
    CHECK(r.n_tensors_s8 == (float_outputs ? 1 : 2));
    /* weights */
    const struct yq__tensor *w = &g->tensors[c->in[1]];
    CHECK(w->dtype == YQ__DTYPE_S8 && w->data && w->layout == YQ__LAYOUT_PLAIN &&
          w->shape.rank == 4 && w->shape.d[0] == 2 && w->shape.d[1] == 3 && w->q.zero_point == 0);
    const int8_t *qw = w->data;
    float s0 = (float)((double)2.54f / 127.0), s1;
    if (per_channel) {
        s1 = (float)((double)1.28f / 127.0);
        CHECK(w->q.n_channels == 2 && w->q.axis == 0 && w->q.channel_scales);
        CHECK(w->q.channel_scales && w->q.channel_scales[0] == s0 && w->q.channel_scales[1] == s1);
        const int8_t want[6] = {127, -50, 25, 0, 127, -30};
        for (int i = 0; i < 6; i++)
            CHECKF(qw[i] == want[i], "per-channel q[%d] = %d, want %d", i, qw[i], want[i]);
    } else {
        s1 = s0;
        CHECK(w->q.n_channels == 0 && w->q.scale == s0);
        const int8_t want[6] = {127, -50, 25, 0, 64, -15};
        for (int i = 0; i < 6; i++)
            CHECKF(qw[i] == want[i], "per-tensor q[%d] = %d, want %d", i, qw[i], want[i]);
    }
    /* bias: b / (s_in * s_w), s_in = 1/255 */
    CHECK(c->n_in == 3);
    const struct yq__tensor *b = &g->tensors[c->in[2]];
    CHECK(b->dtype == YQ__DTYPE_S32 && b->shape.rank == 1 && b->shape.d[0] == 2);
    const int32_t *qb = b->data;
    CHECKF(qb[0] == 1275, "bias[0] = %d", (int)qb[0]);
    int32_t want1 = (int32_t)nearbyint(-0.2 / ((1.0 / 255.0) * (double)s1));
    CHECKF(abs(qb[1] - want1) <= 1 && (per_channel ? want1 == -5060 : want1 == -2550),
           "bias[1] = %d, want %d", (int)qb[1], (int)want1);
    /* the original float weights are gone, not mutated */
    CHECK(yq__graph_find(g, "conv0.w") < 0);
    yq__quantize_report_free(&r);
    CHECK(r.kept == NULL && r.n_kept == 0);
    yq__graph_free(g);
}

static void test_image_params(void)
{
    struct yq__quantize_options o;
    yq__quantize_options_init(&o);
    const float mean[3] = {123.675f, 116.28f, 103.53f}, std[3] = {58.395f, 57.12f, 57.375f};
    memcpy(o.mean, mean, sizeof mean);
    memcpy(o.std, std, sizeof std);
    for (int v = 0; v < 2; v++) {
        struct yq__graph *g = conv_silu_graph();
        if (!finish(g))
            return;
        if (v == 1) {
            for (int c = 0; c < 3; c++) {
                o.mean[c] = 128.0f;
                o.std[c] = 64.0f;
            }
        }
        CHECKF(yq__quantize_graph(g, &o, NULL, &err) == YQ_STATUS_OK, "%s", msg);
        const struct yq__tensor *x = tensor_named(g, "images");
        if (v == 0) {
            float lo = 0, hi = 0;
            for (int c = 0; c < 3; c++) {
                float a = (0.0f - mean[c]) / std[c], b = (255.0f - mean[c]) / std[c];
                lo = c == 0 || a < lo ? a : lo;
                hi = c == 0 || b > hi ? b : hi;
            }
            CHECK(qp_is(x, lo, hi));
            CHECK(x && fabsf(x->q.scale - (hi - lo) / 255.0f) < 1e-6f);
        } else {
            CHECK(x && x->dtype == YQ__DTYPE_S8 && x->q.scale == 1.0f / 64.0f &&
                  x->q.zero_point == 0);
        }
        yq__graph_free(g);
    }
    /* a bad std is an argument error */
    struct yq__graph *g = conv_silu_graph();
    if (finish(g)) {
        o.std[1] = 0.0f;
        CHECK(yq__quantize_graph(g, &o, NULL, &err) == YQ_STATUS_INVALID_ARGUMENT);
        CHECK(strstr(msg, "std[1]") != NULL);
    }
    yq__graph_free(g);
}

/* images -> conv0 -> c0 -> MaxPool -> p0; Concat(c0, p0) -> k0 (same parameters);
 * conv1(c0) -> c1; Concat(c0, c1) -> k1 (own range); conv2(Concat(k0,k1)) -> out */
static void test_propagation(void)
{
    struct yq__graph *g = new_graph();
    int x = image_input(g, 4, 4);
    float w[4 * 3 * 9], w1[4 * 4], w2[4 * 16];
    for (size_t i = 0; i < YQ_COUNTOF(w); i++)
        w[i] = yq_test_uniform(-1, 1);
    for (size_t i = 0; i < YQ_COUNTOF(w1); i++)
        w1[i] = yq_test_uniform(-1, 1);
    for (size_t i = 0; i < YQ_COUNTOF(w2); i++)
        w2[i] = yq_test_uniform(-1, 1);
    int c0 = ot_tensor(g, "c0"), p0 = ot_tensor(g, "p0"), k0 = ot_tensor(g, "k0");
    int c1 = ot_tensor(g, "c1"), k1 = ot_tensor(g, "k1"), kk = ot_tensor(g, "kk");
    int out = ot_output(g, "out");
    add_conv(g, "conv0", x, c0, 4, 3, 3, w, NULL);
    int mp = add_unary(g, "pool", YQ__OP_MAX_POOL, c0, p0);
    int64_t ks[2] = {3, 3}, st[2] = {1, 1}, pads[4] = {1, 1, 1, 1};
    yq__node_set_ints(g, mp, "kernel_shape", ks, 2);
    yq__node_set_ints(g, mp, "strides", st, 2);
    yq__node_set_ints(g, mp, "pads", pads, 4);
    int cat_in[2] = {c0, p0};
    int n = yq__graph_add_node(g, "cat0", YQ__OP_CONCAT, 2, cat_in, 1, &k0);
    yq__node_set_int(g, n, "axis", 1);
    add_conv(g, "conv1", c0, c1, 4, 4, 1, w1, NULL);
    int cat1_in[2] = {c0, c1};
    n = yq__graph_add_node(g, "cat1", YQ__OP_CONCAT, 2, cat1_in, 1, &k1);
    yq__node_set_int(g, n, "axis", 1);
    int cat2_in[2] = {k0, k1};
    n = yq__graph_add_node(g, "cat2", YQ__OP_CONCAT, 2, cat2_in, 1, &kk);
    yq__node_set_int(g, n, "axis", 1);
    add_conv(g, "conv2", kk, out, 4, 16, 1, w2, NULL);
    set_range(g, c0, -2.0f, 3.0f);
    set_range(g, p0, -1.0f, 3.0f); /* ignored: MaxPool keeps its input's parameters */
    set_range(g, k0, -5.0f, 5.0f); /* ignored: equal inputs */
    set_range(g, c1, -7.0f, 1.0f);
    set_range(g, k1, -7.0f, 3.0f);
    set_range(g, kk, -7.5f, 3.0f);
    set_range(g, out, -1.0f, 1.0f);
    if (!finish(g)) {
        yq__graph_free(g);
        return;
    }
    struct yq__quantize_report r;
    CHECKF(yq__quantize_graph(g, NULL, &r, &err) == YQ_STATUS_OK, "%s", msg);
    CHECKF(r.n_quantized == 7 && r.n_float == 0 && r.n_boundaries == 0, "%d %d %d", r.n_quantized,
           r.n_float, r.n_boundaries);
    CHECK(qp_is(tensor_named(g, "c0"), -2.0f, 3.0f));
    CHECK(qp_is(tensor_named(g, "p0"), -2.0f, 3.0f));
    /* inputs only a Concat reads, made by requantizing ops (conv1's c1, the concats k0 and
     * k1), take that Concat's parameters; c0 has other readers and keeps its own */
    CHECK(qp_is(tensor_named(g, "c1"), -7.0f, 3.0f));
    CHECK(qp_is(tensor_named(g, "k0"), -7.5f, 3.0f));
    CHECK(qp_is(tensor_named(g, "k1"), -7.5f, 3.0f));
    CHECK(qp_is(tensor_named(g, "kk"), -7.5f, 3.0f));
    const struct yq__tensor *o = tensor_named(g, "out");
    CHECK(o && o->dtype == YQ__DTYPE_F32 && o->is_output);
    for (int i = 0; i < g->n_nodes; i++)
        CHECK(g->nodes[i].quantized);
    yq__quantize_report_free(&r);
    yq__graph_free(g);
}

/* images -> conv0 -> c0 -> conv1 -> c1 (no range) -> Relu -> r1;
 * c0 -> Exp (no int8 form) -> sm (range) -> conv2 -> out; plus an int8 Sigmoid output s0 */
static void test_boundaries(void)
{
    struct yq__graph *g = new_graph();
    int x = image_input(g, 2, 2);
    float w[4 * 3], w1[4 * 4];
    for (int i = 0; i < 12; i++)
        w[i] = yq_test_uniform(-1, 1);
    for (int i = 0; i < 16; i++)
        w1[i] = yq_test_uniform(-1, 1);
    int c0 = ot_tensor(g, "c0"), c1 = ot_tensor(g, "c1"), r1 = ot_output(g, "r1");
    int sm = ot_tensor(g, "sm"), out = ot_output(g, "out"), s0 = ot_output(g, "s0");
    add_conv(g, "conv0", x, c0, 4, 3, 1, w, NULL);
    add_conv(g, "conv1", c0, c1, 4, 4, 1, w1, NULL);
    add_unary(g, "relu", YQ__OP_RELU, c1, r1);
    add_unary(g, "softmax", YQ__OP_EXP, c0, sm);
    add_conv(g, "conv2", sm, out, 4, 4, 1, w1, NULL);
    add_unary(g, "sig", YQ__OP_SIGMOID, c0, s0);
    ranged(g, c0);
    set_range(g, r1, 0.0f, 6.0f);
    set_range(g, sm, 0.0f, 1.0f);
    set_range(g, s0, 0.0f, 1.0f);
    if (!finish(g)) {
        yq__graph_free(g);
        return;
    }
    struct yq__quantize_report r;
    CHECKF(yq__quantize_graph(g, NULL, &r, &err) == YQ_STATUS_OK, "%s", msg);
    CHECK(yq__graph_index(g, &err) == YQ_STATUS_OK);
    /* conv0, conv2, sig int8; conv1 (no output range), relu (no input range), softmax float */
    CHECKF(r.n_quantized == 3 && r.n_float == 3, "%d %d", r.n_quantized, r.n_float);
    const struct yq__quantize_kept *k = kept(&r, "conv1");
    CHECK(k && strcmp(k->op, "Conv") == 0 && strstr(k->reason, "no calibration range"));
    k = kept(&r, "relu");
    CHECK(k && strstr(k->reason, "no calibration range for input 'c1'"));
    k = kept(&r, "softmax");
    CHECK(k && strcmp(k->op, "Exp") == 0 && strcmp(k->reason, "no int8 implementation") == 0);
    /* one Dequantize of c0 shared by conv1 and softmax; one Quantize of sm; one Dequantize
     * for the graph output s0 */
    CHECK(count_op(g, YQ__OP_DEQUANTIZE) == 2 && count_op(g, YQ__OP_QUANTIZE) == 1);
    CHECK(r.n_boundaries == 3);
    const struct yq__node *c1n = node_named(g, "conv1"), *smn = node_named(g, "softmax");
    CHECK(c1n && smn && !c1n->quantized && c1n->in[0] == smn->in[0]);
    if (c1n) {
        const struct yq__tensor *dq = &g->tensors[c1n->in[0]];
        CHECK(dq->dtype == YQ__DTYPE_F32 && dq->producer >= 0 &&
              g->nodes[dq->producer].op == YQ__OP_DEQUANTIZE);
        if (dq->producer >= 0) {
            const struct yq__tensor *src = &g->tensors[g->nodes[dq->producer].in[0]];
            CHECK(strcmp(src->name, "c0") == 0 && qp_is(src, -4.0f, 6.0f));
        }
    }
    const struct yq__node *c2n = node_named(g, "conv2");
    CHECK(c2n && c2n->quantized);
    if (c2n) {
        const struct yq__tensor *q = &g->tensors[c2n->in[0]];
        CHECK(qp_is(q, 0.0f, 1.0f) && q->producer >= 0 &&
              g->nodes[q->producer].op == YQ__OP_QUANTIZE &&
              strcmp(g->tensors[g->nodes[q->producer].in[0]].name, "sm") == 0);
        /* float epilogue: the Conv writes the F32 graph output itself */
        CHECK(strcmp(g->tensors[c2n->out[0]].name, "out") == 0 &&
              g->tensors[c2n->out[0]].dtype == YQ__DTYPE_F32);
    }
    /* s0: the Sigmoid writes an S8 tensor, a Dequantize writes "s0" (F32) */
    const struct yq__tensor *so = tensor_named(g, "s0");
    CHECK(so && so->dtype == YQ__DTYPE_F32 && so->is_output && so->producer >= 0 &&
          g->nodes[so->producer].op == YQ__OP_DEQUANTIZE);
    const struct yq__node *sg = node_named(g, "sig");
    CHECK(sg && sg->quantized && qp_is(&g->tensors[sg->out[0]], 0.0f, 1.0f));
    CHECK(tensor_named(g, "images")->dtype == YQ__DTYPE_S8);
    yq__quantize_report_free(&r);
    yq__graph_free(g);
}

/* A Conv whose bias would overflow the int32 headroom at its weights' own scale gets a
 * wider weight scale and stays int8; one deeper than 16384 stays float; a float consumer
 * of the image (Exp) keeps it F32, with one Quantize for the int8 consumers. */
static void test_kept_float(void)
{
    struct yq__graph *g = new_graph();
    int x = image_input(g, 2, 2);
    float w[2 * 3] = {1e-3f, 0, 0, 0, 1e-3f, 0}, b[2] = {1e6f, 0};
    int c0 = ot_output(g, "c0"), c1 = ot_output(g, "c1");
    add_conv(g, "big_bias", x, c0, 2, 3, 1, w, b);
    add_conv(g, "ok", x, c1, 2, 3, 1, w, NULL);
    int sm = ot_output(g, "sm");
    yq__graph_add_node(g, "soft", YQ__OP_EXP, 1, &x, 1, &sm);
    int deep_in = ot_input(g, "deep_in", YQ__DTYPE_F32, OT_SH(1, 3, 3, 2048), YQ__LAYOUT_NHWC);
    ranged(g, deep_in);
    float *wd = calloc(2048 * 9, sizeof *wd);
    wd[5] = 1.0f;
    int d0 = ot_output(g, "d0");
    add_conv(g, "deep", deep_in, d0, 1, 2048, 3, wd, NULL);
    free(wd);
    if (!finish(g)) {
        yq__graph_free(g);
        return;
    }
    struct yq__quantize_report r;
    CHECKF(yq__quantize_graph(g, NULL, &r, &err) == YQ_STATUS_OK, "%s", msg);
    CHECKF(r.n_quantized == 2 && r.n_float == 2 && r.n_kept == 2, "%d %d", r.n_quantized,
           r.n_float);
    const struct yq__quantize_kept *k = kept(&r, "deep");
    CHECKF(k && strcmp(k->reason, "accumulator depth 18432 > 16384") == 0, "%s",
           k ? k->reason : "-");
    const struct yq__node *bb = node_named(g, "big_bias");
    CHECK(bb && bb->quantized);
    if (bb) {
        /* channel 0: 1e6 / (1/255 * s_w) must stay under 2^29, so s_w >= 0.475; its 1e-3
         * weight rounds to 0; channel 1 keeps its own scale 1e-3/127 */
        const struct yq__tensor *wt = &g->tensors[bb->in[1]];
        const struct yq__tensor *bt = &g->tensors[bb->in[2]];
        CHECK(wt->dtype == YQ__DTYPE_S8 && wt->q.n_channels == 2);
        CHECKF(wt->q.channel_scales[0] >= 1e6f * 255.0f / (float)(1 << 29),
               "scale %g", wt->q.channel_scales[0]);
        CHECKF(fabsf(wt->q.channel_scales[1] - 1e-3f / 127.0f) < 1e-9f, "scale %g",
               wt->q.channel_scales[1]);
        CHECK(((const int8_t *)wt->data)[0] == 0 && ((const int8_t *)wt->data)[4] == 127);
        CHECK(bt->dtype == YQ__DTYPE_S32 && abs(((const int32_t *)bt->data)[0]) < (1 << 29));
    }
    const struct yq__node *ok = node_named(g, "ok");
    CHECK(ok && ok->quantized);
    const struct yq__tensor *xi = tensor_named(g, "images");
    CHECK(xi && xi->dtype == YQ__DTYPE_F32 && xi->is_input);
    CHECK(count_op(g, YQ__OP_QUANTIZE) == 1 && r.n_boundaries == 1);
    if (ok) {
        const struct yq__tensor *q = &g->tensors[ok->in[0]];
        CHECK(q->dtype == YQ__DTYPE_S8 && q->q.scale == 1.0f / 255.0f && q->q.zero_point == -128);
    }
    yq__quantize_report_free(&r);
    yq__graph_free(g);
}

/* conv0 -> c0 -> Split(axis 1) -> h0, h1; Pad(h0, 0) -> q0; Pad(h1, value 1) -> q1;
 * Add(q0, 0.5) -> a; Resize linear (a) -> u; Relu(q1) -> r: Split/Pad-0 keep c0's
 * parameters, Pad-1 and linear Resize stay float, the scalar operand becomes S8. */
static void test_ops_rules(void)
{
    struct yq__graph *g = new_graph();
    int x = image_input(g, 4, 4);
    float w[4 * 3];
    for (int i = 0; i < 12; i++)
        w[i] = yq_test_uniform(-1, 1);
    int c0 = ot_tensor(g, "c0"), h[2] = {ot_tensor(g, "h0"), ot_tensor(g, "h1")};
    int q0 = ot_tensor(g, "q0"), q1 = ot_tensor(g, "q1"), a = ot_tensor(g, "a");
    int u = ot_output(g, "u"), r = ot_output(g, "r");
    add_conv(g, "conv0", x, c0, 4, 3, 1, w, NULL);
    int n = yq__graph_add_node(g, "split", YQ__OP_SPLIT, 1, &c0, 2, h);
    yq__node_set_int(g, n, "axis", 1);
    int64_t pads[8] = {0, 0, 1, 1, 0, 0, 1, 1};
    n = add_unary(g, "pad0", YQ__OP_PAD, h[0], q0);
    yq__node_set_ints(g, n, "pads", pads, 8);
    n = add_unary(g, "pad1", YQ__OP_PAD, h[1], q1);
    yq__node_set_ints(g, n, "pads", pads, 8);
    yq__node_set_float(g, n, "value", 1.0f);
    float half = 0.5f;
    int tc = ot_const(g, "half", YQ__DTYPE_F32, OT_SH(1), &half);
    int add_in[2] = {q0, tc};
    yq__graph_add_node(g, "add", YQ__OP_ADD, 2, add_in, 1, &a);
    float sc[4] = {1, 1, 2, 2};
    int rs_in[3] = {a, -1, ot_const(g, "scales", YQ__DTYPE_F32, OT_SH(4), sc)};
    n = yq__graph_add_node(g, "up", YQ__OP_RESIZE, 3, rs_in, 1, &u);
    yq__node_set_string(g, n, "mode", "linear", 6);
    add_unary(g, "relu", YQ__OP_RELU, q1, r);
    set_range(g, c0, -2.0f, 2.0f);
    set_range(g, h[0], -1.0f, 1.0f); /* ignored: propagated */
    set_range(g, q1, -2.0f, 2.0f);
    set_range(g, a, -1.5f, 2.5f);
    set_range(g, r, 0.0f, 2.0f);
    if (!finish(g)) {
        yq__graph_free(g);
        return;
    }
    struct yq__quantize_report rep;
    CHECKF(yq__quantize_graph(g, NULL, &rep, &err) == YQ_STATUS_OK, "%s", msg);
    CHECK(yq__graph_index(g, &err) == YQ_STATUS_OK);
    CHECK(qp_is(tensor_named(g, "h0"), -2.0f, 2.0f) && qp_is(tensor_named(g, "h1"), -2.0f, 2.0f));
    CHECK(qp_is(tensor_named(g, "q0"), -2.0f, 2.0f));
    CHECK(qp_is(tensor_named(g, "a"), -1.5f, 2.5f));
    const struct yq__quantize_kept *k = kept(&rep, "pad1");
    CHECK(k && strcmp(k->reason, "Pad value is not 0") == 0);
    k = kept(&rep, "up");
    CHECK(k && strstr(k->reason, "nearest"));
    /* Relu's input q1 comes from a float Pad but has a range: Quantize, then LUT */
    const struct yq__node *rl = node_named(g, "relu");
    CHECK(rl && rl->quantized && qp_is(&g->tensors[rl->in[0]], -2.0f, 2.0f));
    const struct yq__node *ad = node_named(g, "add");
    CHECK(ad && ad->quantized);
    if (ad) {
        const struct yq__tensor *hc = &g->tensors[ad->in[1]];
        CHECK(hc->dtype == YQ__DTYPE_S8 && hc->data && hc->q.scale > 0.0f);
        CHECK(hc->data &&
              yq__dequantize_s8(*(const int8_t *)hc->data, hc->q.scale, hc->q.zero_point) == 0.5f);
    }
    CHECKF(rep.n_quantized == 5 && rep.n_float == 2, "%d %d", rep.n_quantized, rep.n_float);
    yq__quantize_report_free(&rep);
    yq__graph_free(g);
}

/* ---- end to end: float vs int8 on a small random net ------------------------------ */

/* images[1,8,8,3] -> conv0 3x3 (8) + SiLU -> a0 -> conv1 1x1 (8) -> c1; Add(a0, c1) -> s;
 * Mul(s, Sigmoid(s)) -> m; MaxPool 3x3 s1 (m) -> p; Concat(s, p) -> k;
 * Resize x2 nearest -> u; conv2 1x1 (6) -> out */
static struct yq__graph *e2e_graph(uint64_t seed)
{
    struct yq__graph *g = new_graph();
    int x = image_input(g, 8, 8);
    float w0[8 * 3 * 9], b0[8], w1[8 * 8], b1[8], w2[6 * 16], b2[6];
    /* deterministic weights from an LCG of our own so both builds match */
    uint64_t st = seed;
#define NEXT()                                                                                     \
    ((float)((st = st * 6364136223846793005ull + 1442695040888963407ull) >> 40) /                  \
         (float)(1ull << 24) * 2.0f -                                                              \
     1.0f)
    for (size_t i = 0; i < YQ_COUNTOF(w0); i++)
        w0[i] = NEXT() * 0.5f;
    for (size_t i = 0; i < YQ_COUNTOF(b0); i++)
        b0[i] = NEXT() * 0.2f;
    for (size_t i = 0; i < YQ_COUNTOF(w1); i++)
        w1[i] = NEXT() * 0.5f;
    for (size_t i = 0; i < YQ_COUNTOF(b1); i++)
        b1[i] = NEXT() * 0.2f;
    for (size_t i = 0; i < YQ_COUNTOF(w2); i++)
        w2[i] = NEXT() * 0.5f;
    for (size_t i = 0; i < YQ_COUNTOF(b2); i++)
        b2[i] = NEXT() * 0.2f;
#undef NEXT
    int c0 = ot_tensor(g, "c0"), a0 = ot_tensor(g, "a0"), c1 = ot_tensor(g, "c1");
    int s = ot_tensor(g, "s"), p = ot_tensor(g, "p"), k = ot_tensor(g, "k");
    int sg = ot_tensor(g, "sg"), m = ot_tensor(g, "m");
    int u = ot_tensor(g, "u"), out = ot_output(g, "out");
    add_conv(g, "conv0", x, c0, 8, 3, 3, w0, b0);
    add_unary(g, "silu0", YQ__OP_SILU, c0, a0);
    add_conv(g, "conv1", a0, c1, 8, 8, 1, w1, b1);
    int add_in[2] = {a0, c1};
    yq__graph_add_node(g, "add", YQ__OP_ADD, 2, add_in, 1, &s);
    add_unary(g, "sig", YQ__OP_SIGMOID, s, sg);
    int mul_in[2] = {s, sg};
    yq__graph_add_node(g, "mul", YQ__OP_MUL, 2, mul_in, 1, &m);
    int mp = add_unary(g, "pool", YQ__OP_MAX_POOL, m, p);
    int64_t ks[2] = {3, 3}, sd[2] = {1, 1}, pads[4] = {1, 1, 1, 1};
    yq__node_set_ints(g, mp, "kernel_shape", ks, 2);
    yq__node_set_ints(g, mp, "strides", sd, 2);
    yq__node_set_ints(g, mp, "pads", pads, 4);
    int cat_in[2] = {s, p};
    int n = yq__graph_add_node(g, "cat", YQ__OP_CONCAT, 2, cat_in, 1, &k);
    yq__node_set_int(g, n, "axis", 1);
    float sc[4] = {1, 1, 2, 2};
    int tsc = ot_const(g, "scales", YQ__DTYPE_F32, OT_SH(4), sc);
    int rs_in[3] = {k, -1, tsc};
    n = yq__graph_add_node(g, "up", YQ__OP_RESIZE, 3, rs_in, 1, &u);
    yq__node_set_string(g, n, "mode", "nearest", 7);
    yq__node_set_string(g, n, "coordinate_transformation_mode", "asymmetric", 10);
    yq__node_set_string(g, n, "nearest_mode", "floor", 5);
    add_conv(g, "conv2", u, out, 6, 16, 1, w2, b2);
    return g;
}

static void test_end_to_end(bool per_channel, enum yq__act_mode mode, bool float_outputs)
{
    if (!yq__op_impl_get(YQ__OP_CONV, true) || !yq__op_impl_get(YQ__OP_ADD, true) ||
        !yq__op_impl_get(YQ__OP_CONCAT, true) || !yq__op_impl_get(YQ__OP_MAX_POOL, true) ||
        !yq__op_impl_get(YQ__OP_RESIZE, true)) {
        SKIP("int8 operators not registered yet: end-to-end quantize check");
        return;
    }
    const int n_img = 8 * 8 * 3;
    uint8_t img[8 * 8 * 3];
    for (int i = 0; i < n_img; i++)
        img[i] = (uint8_t)yq_test_randint(0, 255);
    float *xf = yq__aligned_alloc(n_img * sizeof(float) + 64);
    int8_t *xq = yq__aligned_alloc((size_t)n_img + 64);
    for (int i = 0; i < n_img; i++) {
        xf[i] = (float)img[i] / 255.0f;
        xq[i] = (int8_t)(img[i] - 128);
    }
    /* float run; ranges = min/max of every activation */
    struct yq__graph *gf = e2e_graph(1234);
    void *bf[64] = {0};
    bf[0] = xf;
    enum yq_status st = ot_run(gf, NULL, bf, msg, sizeof msg);
    CHECKF(st == YQ_STATUS_OK, "float run: %s", msg);
    struct yq__graph *gq = e2e_graph(1234);
    st = st ? st : yq__graph_index(gq, &err);
    st = st ? st : yq__graph_infer_shapes(gq, &err);
    CHECKF(st == YQ_STATUS_OK, "%s", msg);
    int out_f = yq__graph_find(gf, "out");
    int64_t n_out = yq__shape_numel(&gf->tensors[out_f].shape);
    if (!st) {
        for (int t = 0; t < gf->n_tensors; t++) {
            const struct yq__tensor *tt = &gf->tensors[t];
            if (tt->data || tt->is_input || tt->dtype != YQ__DTYPE_F32)
                continue;
            const float *v = bf[t];
            float lo = v[0], hi = v[0];
            for (int64_t i = 1; i < yq__shape_numel(&tt->shape); i++) {
                lo = fminf(lo, v[i]);
                hi = fmaxf(hi, v[i]);
            }
            set_range(gq, yq__graph_find(gq, tt->name), lo, hi);
        }
        struct yq__quantize_options o;
        yq__quantize_options_init(&o);
        o.per_channel = per_channel;
        o.act_mode = mode;
        o.float_outputs = float_outputs;
        struct yq__quantize_report r;
        st = yq__quantize_graph(gq, &o, &r, &err);
        CHECKF(st == YQ_STATUS_OK, "%s", msg);
        if (!st) {
            CHECKF(r.n_float == 0, "%d nodes left in float (%s: %s)", r.n_float,
                   r.n_kept ? r.kept[0].node : "", r.n_kept ? r.kept[0].reason : "");
            yq__quantize_report_free(&r);
        }
    }
    void *bq[64] = {0};
    if (!st) {
        bq[yq__graph_find(gq, "images")] = xq;
        st = ot_run_ex(gq, NULL, bq, false, msg, sizeof msg);
        CHECKF(st == YQ_STATUS_OK, "int8 run: %s", msg);
    }
    if (!st) {
        const struct yq__tensor *ot = tensor_named(gq, "out");
        const float *a = bf[out_f];
        float *b = yq__malloc((size_t)n_out * sizeof *b);
        for (int64_t i = 0; i < n_out; i++)
            b[i] = ot->dtype == YQ__DTYPE_F32
                       ? ((const float *)bq[yq__graph_find(gq, "out")])[i]
                       : yq__dequantize_s8(((const int8_t *)bq[yq__graph_find(gq, "out")])[i],
                                           ot->q.scale, ot->q.zero_point);
        CHECK(ot->dtype == (float_outputs ? YQ__DTYPE_F32 : YQ__DTYPE_S8));
        double dot = 0, na = 0, nb = 0;
        for (int64_t i = 0; i < n_out; i++) {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        double cosv = dot / sqrt(na * nb + 1e-30);
        CHECKF(cosv >= 0.99, "cosine float vs int8 = %.5f (per_channel %d, mode %d)", cosv,
               per_channel, (int)mode);
        if (getenv("YQ_TEST_VERBOSE"))
            fprintf(stderr, "e2e per_channel=%d mode=%d float_outputs=%d: cosine %.6f\n",
                    per_channel, (int)mode, float_outputs, cosv);
        yq__free(b);
    }
    ot_free(gf, bf, 1);
    ot_free(gq, bq, 1);
    yq__graph_free(gf);
    yq__graph_free(gq);
    yq__aligned_free(xf);
    yq__aligned_free(xq);
}

static void test_options(void)
{
    struct yq__quantize_options o;
    yq__quantize_options_init(&o);
    CHECK(o.per_channel && o.act_mode == YQ__ACT_MODE_LUT && o.float_outputs);
    CHECK(o.mean[0] == 0.0f && o.std[2] == 255.0f);
    yq__quantize_report_free(NULL);
    o.act_mode = YQ__ACT_MODE_COUNT;
    struct yq__graph *g = conv_silu_graph();
    CHECK(yq__quantize_graph(g, &o, NULL, &err) == YQ_STATUS_INVALID_ARGUMENT);
    yq__graph_free(g);
}

/* Every allocation failing in turn: OUT_OF_MEMORY or OK, never a crash or a leak. */
static void test_out_of_memory(void)
{
    int n_oom = 0, n_ok = 0;
    for (long fail = 0; fail < 400 && n_ok == 0; fail++) {
        struct yq__graph *g = conv_silu_graph();
        int x = yq__graph_find(g, "images");
        int sm = ot_output(g, "sm");
        add_unary(g, "softmax", YQ__OP_SOFTMAX, x, sm);
        if (!finish(g)) {
            yq__graph_free(g);
            return;
        }
        struct yq__quantize_report r;
        yq__alloc_fail_countdown = fail;
        enum yq_status st = yq__quantize_graph(g, NULL, &r, &err);
        yq__alloc_fail_countdown = -1;
        CHECKF(st == YQ_STATUS_OK || st == YQ_STATUS_OUT_OF_MEMORY, "status %d", (int)st);
        if (st == YQ_STATUS_OUT_OF_MEMORY) {
            n_oom++;
            CHECK(r.kept == NULL && r.n_kept == 0);
        } else if (st == YQ_STATUS_OK) {
            n_ok++;
            CHECK(r.n_quantized == 1 && r.n_float == 1 && r.n_boundaries == 1);
        }
        yq__quantize_report_free(&r);
        yq__graph_free(g);
    }
    CHECKF(n_oom > 10 && n_ok == 1, "%d failures, %d successes", n_oom, n_ok);
}

/* The int8 GEMM bound exactly: a 1x1 Conv over 16384 channels (k = 16384) goes int8, one
 * over 16385 stays float with the reason naming the depth. */
static void test_depth_bound(void)
{
    struct yq__graph *g = new_graph();
    float *w = calloc(16385, sizeof *w);
    w[7] = 0.5f;
    int outs[2];
    for (int i = 0; i < 2; i++) {
        char name[32];
        snprintf(name, sizeof name, "in%d", i);
        int in = ot_input(g, name, YQ__DTYPE_F32, OT_SH(1, 2, 2, 16384 + i), YQ__LAYOUT_NHWC);
        ranged(g, in);
        snprintf(name, sizeof name, "out%d", i);
        outs[i] = ot_output(g, name);
        add_conv(g, i ? "k16385" : "k16384", in, outs[i], 1, 16384 + i, 1, w, NULL);
    }
    free(w);
    if (!finish(g)) {
        yq__graph_free(g);
        return;
    }
    struct yq__quantize_report r;
    CHECKF(yq__quantize_graph(g, NULL, &r, &err) == YQ_STATUS_OK, "%s", msg);
    const struct yq__node *a = node_named(g, "k16384"), *b = node_named(g, "k16385");
    CHECK(a && a->quantized && b && !b->quantized);
    const struct yq__quantize_kept *k = kept(&r, "k16385");
    CHECKF(k && strcmp(k->reason, "accumulator depth 16385 > 16384") == 0, "%s",
           k ? k->reason : "-");
    CHECK(kept(&r, "k16384") == NULL);
    yq__quantize_report_free(&r);
    yq__graph_free(g);
}

int main(void)
{
    test_options();
    test_conv_silu(true, true, YQ__ACT_MODE_LUT);
    test_conv_silu(false, true, YQ__ACT_MODE_LUT);
    test_conv_silu(true, false, YQ__ACT_MODE_FLOAT);
    test_image_params();
    test_propagation();
    test_boundaries();
    test_kept_float();
    test_depth_bound();
    test_ops_rules();
    test_out_of_memory();
    test_end_to_end(true, YQ__ACT_MODE_LUT, true);
    test_end_to_end(false, YQ__ACT_MODE_LUT, true);
    test_end_to_end(true, YQ__ACT_MODE_FLOAT, false);
    return yq_test_finish();
}
