/* SPDX-License-Identifier: Apache-2.0 */
/* Two passes on graphs built through the IR API. NHWC (pass_nhwc.c): the image input turns
 * channels-last, spatial/elementwise/axis operators stay NHWC, 4D constants are permuted,
 * plain operators get one shared Transpose back, and the converted graph computes the same
 * numbers as the original. Head cut (pass_cut_head.c): a two-level YOLOv5-style decode is
 * cut at the head convolutions (ordered by stride, anchors read from the decode's
 * constants, dead decode removed, metadata recorded); an unknown decode is kept; named cuts
 * and their refusals. */
#include "harness.h"

#include <string.h>

#include "ops/opstest.h"
#include "passes/passes.h"

static int node_count(const struct yq__graph *g, enum yq__op op)
{
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++)
        n += g->nodes[i].op == op && !g->nodes[i].dead;
    return n;
}

/* x[1,3,8,8] -> Conv(w) -> c[1,4,6,6] -> Add(c, k[1,4,1,1]) -> a; outputs:
 * cat = Concat(a, c, axis 1) [1,8,6,6]; r1 = Reshape(a, [1,4,36]); r2 = Reshape(a, [4,36]). */
static struct yq__graph *nhwc_graph(const float *w, const float *k)
{
    struct yq__graph *g = NULL;
    yq__graph_create("nhwc.onnx", &g);
    int x = ot_input(g, "x", YQ__DTYPE_F32, OT_SH(1, 3, 8, 8), YQ__LAYOUT_PLAIN);
    int wt = ot_const(g, "w", YQ__DTYPE_F32, OT_SH(4, 3, 3, 3), w);
    int kt = ot_const(g, "k", YQ__DTYPE_F32, OT_SH(1, 4, 1, 1), k);
    int s1 = ot_const_i64(g, "s1", 3, (int64_t[]){1, 4, 36});
    int s2 = ot_const_i64(g, "s2", 2, (int64_t[]){4, 36});
    int c = ot_tensor(g, "c"), a = ot_tensor(g, "a");
    int cat = ot_output(g, "cat"), r1 = ot_output(g, "r1"), r2 = ot_output(g, "r2");
    yq__graph_add_node(g, "conv", YQ__OP_CONV, 2, (int[]){x, wt}, 1, &c);
    yq__graph_add_node(g, "add", YQ__OP_ADD, 2, (int[]){c, kt}, 1, &a);
    int nc = yq__graph_add_node(g, "concat", YQ__OP_CONCAT, 2, (int[]){a, c}, 1, &cat);
    yq__node_set_int(g, nc, "axis", 1);
    yq__graph_add_node(g, "reshape1", YQ__OP_RESHAPE, 2, (int[]){a, s1}, 1, &r1);
    yq__graph_add_node(g, "reshape2", YQ__OP_RESHAPE, 2, (int[]){a, s2}, 1, &r2);
    return g;
}

static void test_nhwc(void)
{
    float w[108], k[4], xin[192], xhwc[192];
    for (int i = 0; i < 108; i++)
        w[i] = yq_test_uniform(-1, 1);
    for (int i = 0; i < 4; i++)
        k[i] = yq_test_uniform(-1, 1);
    for (int i = 0; i < 192; i++)
        xin[i] = yq_test_uniform(-1, 1);
    for (int ch = 0; ch < 3; ch++)
        for (int p = 0; p < 64; p++)
            xhwc[p * 3 + ch] = xin[ch * 64 + p];
    char err[256];
    struct yq__err e = {err, sizeof err};

    struct yq__graph *g = nhwc_graph(w, k);
    CHECK(yq__graph_infer_shapes(g, &e) == YQ_STATUS_OK);
    CHECK(yq__pass_nhwc(g, &e) == YQ_STATUS_OK);
    const struct yq__tensor *x = &g->tensors[g->inputs[0]];
    CHECK(x->layout == YQ__LAYOUT_NHWC && x->shape.d[1] == 8 && x->shape.d[2] == 8 &&
          x->shape.d[3] == 3);
    int c = yq__graph_find(g, "c"), a = yq__graph_find(g, "a"), cat = yq__graph_find(g, "cat");
    CHECK(g->tensors[c].layout == YQ__LAYOUT_NHWC && g->tensors[c].shape.d[3] == 4 &&
          g->tensors[c].shape.d[1] == 6);
    CHECK(g->tensors[a].layout == YQ__LAYOUT_NHWC);
    CHECK(g->tensors[cat].layout == YQ__LAYOUT_NHWC && g->tensors[cat].shape.d[3] == 8);
    /* the Add's constant permuted to [1,1,1,4]; no Transpose before the Conv (the input
     * itself turned NHWC); one Transpose back shared by both Reshapes */
    int add = -1;
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == YQ__OP_ADD) add = i;
    const struct yq__tensor *kc = add >= 0 ? &g->tensors[g->nodes[add].in[1]] : NULL;
    CHECK(kc && kc->data && kc->layout == YQ__LAYOUT_NHWC && kc->shape.d[3] == 4 &&
          kc->shape.d[1] == 1);
    CHECK(node_count(g, YQ__OP_TRANSPOSE) == 1);
    int r_in[2] = {-1, -1}, nr = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == YQ__OP_RESHAPE && nr < 2) r_in[nr++] = g->nodes[i].in[0];
    CHECK(nr == 2 && r_in[0] == r_in[1] && r_in[0] != a &&
          g->tensors[r_in[0]].layout != YQ__LAYOUT_NHWC);
    CHECK(yq__graph_index(g, &e) == YQ_STATUS_OK);

    /* the numbers: a reference convolution in NCHW (the float Conv only runs NHWC, which
     * is why the pass exists); the reshapes hold a in NCHW order, the concat [a, c] NHWC */
    double cref[4][6][6], aref[4][6][6];
    for (int o = 0; o < 4; o++)
        for (int y = 0; y < 6; y++)
            for (int xx = 0; xx < 6; xx++) {
                double sum = 0;
                for (int ch = 0; ch < 3; ch++)
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++)
                            sum += (double)w[((o * 3 + ch) * 3 + ky) * 3 + kx] *
                                   xin[ch * 64 + (y + ky) * 8 + xx + kx];
                cref[o][y][xx] = sum;
                aref[o][y][xx] = sum + k[o];
            }
    void *gb[64] = {0};
    CHECK(g->n_tensors < 64);
    gb[g->inputs[0]] = xhwc;
    CHECKF(ot_run(g, NULL, gb, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    int bad = 0;
    const float *r1 = gb[yq__graph_find(g, "r1")], *r2 = gb[yq__graph_find(g, "r2")];
    const float *qc = gb[yq__graph_find(g, "cat")];
    for (int o = 0; o < 4 && r1 && r2 && qc; o++)
        for (int pix = 0; pix < 36; pix++) {
            double av = aref[o][pix / 6][pix % 6], cv = cref[o][pix / 6][pix % 6];
            bad += fabs(r1[o * 36 + pix] - av) > 1e-4 || fabs(r2[o * 36 + pix] - av) > 1e-4;
            bad += fabs(qc[pix * 8 + o] - av) > 1e-4 || fabs(qc[pix * 8 + 4 + o] - cv) > 1e-4;
        }
    CHECKF(r1 && r2 && qc && bad == 0, "NHWC graph differs from the NCHW reference in %d values",
           bad);
    ot_free(g, gb, 1);
    yq__graph_free(g);
}

/* A YOLOv5-style graph, input [1,3,64,64], 2 classes, 3 anchors, levels s8 (8x8) and s16
 * (4x4). Each level: h = Conv(f) [1,21,H,W] -> Reshape [1,3,7,H,W] -> Transpose [1,3,H,W,7]
 * -> Sigmoid -> Split(2,2,3) -> xy, wh, rest; wh * anchor_grid[1,3,H,W,2] -> Concat
 * [1,3,H,W,7] -> Reshape [1,3HW,7]. Output Concat(level16, level8) [1,240,7] (stride 16
 * first, so the cut must sort). `odd` replaces one Transpose by a MaxPool, not a decode op. */
static const float anchors[2][3][2] = {{{10, 13}, {16, 30}, {33, 23}},
                                       {{30, 61}, {62, 45}, {59, 119}}};

static int named(struct yq__graph *g, const char *name, int s, struct yq__shape sh)
{
    char n[64];
    snprintf(n, sizeof n, "%s%d", name, s);
    return yq__graph_add_tensor(g, n, YQ__DTYPE_F32, &sh);
}

static int level(struct yq__graph *g, int f, int s, int hw, bool odd)
{
    char n[64];
    int H = 64 / s;
#define T(name, ...) named(g, name, s, OT_SH(__VA_ARGS__))
    int wt;
    {
        static float w[21 * 4];
        snprintf(n, sizeof n, "hw%d", s);
        wt = ot_const(g, n, YQ__DTYPE_F32, OT_SH(21, 4, 1, 1), w);
    }
    int h = T("h", 1, 21, H, H), r = T("r", 1, 3, 7, H, H), p = T("p", 1, 3, H, H, 7);
    int sg = T("sg", 1, 3, H, H, 7), xy = T("xy", 1, 3, H, H, 2), wh = T("wh", 1, 3, H, H, 2);
    int rest = T("rest", 1, 3, H, H, 3), whm = T("whm", 1, 3, H, H, 2);
    int cc = T("cc", 1, 3, H, H, 7), out = T("o", 1, 3 * hw, 7);
    float *ag = calloc((size_t)3 * H * H * 2, sizeof *ag);
    for (int a = 0; a < 3; a++)
        for (int i = 0; i < H * H; i++) {
            ag[(a * H * H + i) * 2] = anchors[s == 16][a][0];
            ag[(a * H * H + i) * 2 + 1] = anchors[s == 16][a][1];
        }
    snprintf(n, sizeof n, "ag%d", s);
    int agt = ot_const(g, n, YQ__DTYPE_F32, OT_SH(1, 3, H, H, 2), ag);
    free(ag);
    snprintf(n, sizeof n, "rs%d", s);
    int rs = ot_const_i64(g, n, 5, (int64_t[]){1, 3, 7, H, H});
    snprintf(n, sizeof n, "os%d", s);
    int os = ot_const_i64(g, n, 3, (int64_t[]){1, 3 * hw, 7});
    snprintf(n, sizeof n, "sp%d", s);
    int sp = ot_const_i64(g, n, 3, (int64_t[]){2, 2, 3});
    snprintf(n, sizeof n, "conv%d", s);
    yq__graph_add_node(g, n, YQ__OP_CONV, 2, (int[]){f, wt}, 1, &h);
    yq__graph_add_node(g, "", YQ__OP_RESHAPE, 2, (int[]){h, rs}, 1, &r);
    int tn = yq__graph_add_node(g, "", odd ? YQ__OP_MAX_POOL : YQ__OP_TRANSPOSE, 1, &r, 1, &p);
    yq__node_set_ints(g, tn, "perm", (int64_t[]){0, 1, 3, 4, 2}, 5);
    yq__graph_add_node(g, "", YQ__OP_SIGMOID, 1, &p, 1, &sg);
    yq__graph_add_node(g, "", YQ__OP_SPLIT, 2, (int[]){sg, sp}, 3, (int[]){xy, wh, rest});
    yq__graph_add_node(g, "", YQ__OP_MUL, 2, (int[]){wh, agt}, 1, &whm);
    yq__graph_add_node(g, "", YQ__OP_CONCAT, 3, (int[]){xy, whm, rest}, 1, &cc);
    yq__graph_add_node(g, "", YQ__OP_RESHAPE, 2, (int[]){cc, os}, 1, &out);
#undef T
    return out;
}

static struct yq__graph *yolo_graph(bool odd)
{
    struct yq__graph *g = NULL;
    yq__graph_create("mini-yolov5.onnx", &g);
    static float w8[4 * 3 * 8 * 8], w16[4 * 4 * 2 * 2];
    int x = ot_input(g, "images", YQ__DTYPE_F32, OT_SH(1, 3, 64, 64), YQ__LAYOUT_PLAIN);
    int k8 = ot_const(g, "k8", YQ__DTYPE_F32, OT_SH(4, 3, 8, 8), w8);
    int k16 = ot_const(g, "k16", YQ__DTYPE_F32, OT_SH(4, 4, 2, 2), w16);
    struct yq__shape s8 = OT_SH(1, 4, 8, 8), s16 = OT_SH(1, 4, 4, 4), so = OT_SH(1, 240, 7);
    int f8 = yq__graph_add_tensor(g, "f8", YQ__DTYPE_F32, &s8);
    int f16 = yq__graph_add_tensor(g, "f16", YQ__DTYPE_F32, &s16);
    yq__graph_add_node(g, "stem", YQ__OP_CONV, 2, (int[]){x, k8}, 1, &f8);
    yq__graph_add_node(g, "down", YQ__OP_CONV, 2, (int[]){f8, k16}, 1, &f16);
    int o16 = level(g, f16, 16, 16, false), o8 = level(g, f8, 8, 64, odd);
    int out = yq__graph_add_tensor(g, "output0", YQ__DTYPE_F32, &so);
    ot_push(&g->outputs, &g->n_outputs, out);
    int cn = yq__graph_add_node(g, "cat", YQ__OP_CONCAT, 2, (int[]){o16, o8}, 1, &out);
    yq__node_set_int(g, cn, "axis", 1);
    return g;
}

static void test_cut_head(void)
{
    char err[256];
    struct yq__err e = {err, sizeof err};
    struct yq__graph *g = yolo_graph(false);
    CHECK(yq__pass_cut_head(g, NULL, &e) == YQ_STATUS_OK);
    CHECK(g->n_outputs == 2 && !strcmp(g->tensors[g->outputs[0]].name, "h8") &&
          !strcmp(g->tensors[g->outputs[1]].name, "h16"));
    const char *m;
    CHECK((m = yq__graph_meta(g, "yq.head")) && !strcmp(m, "yolov5"));
    CHECK((m = yq__graph_meta(g, "yq.num_classes")) && !strcmp(m, "2"));
    CHECK((m = yq__graph_meta(g, "yq.strides")) && !strcmp(m, "8,16"));
    CHECK((m = yq__graph_meta(g, "yq.head_cut")) && !strcmp(m, "auto"));
    CHECK((m = yq__graph_meta(g, "yq.head_sigmoid")) && !strcmp(m, "0"));
    CHECKF((m = yq__graph_meta(g, "yq.anchors")) &&
               !strcmp(m, "10,13,16,30,33,23;30,61,62,45,59,119"),
           "anchors '%s'", m ? m : "(none)");
    /* the decode is gone: only the four convolutions remain */
    CHECK(g->n_nodes == 4 && node_count(g, YQ__OP_CONV) == 4);
    CHECK(yq__graph_find(g, "output0") < 0 && yq__graph_find(g, "ag8") < 0);
    CHECK(yq__graph_index(g, &e) == YQ_STATUS_OK);
    yq__graph_free(g);

    /* an operator no decode uses: not recognised, the graph keeps its output */
    g = yolo_graph(true);
    int n_nodes = g->n_nodes;
    CHECK(yq__pass_cut_head(g, NULL, &e) == YQ_STATUS_OK);
    CHECK(g->n_outputs == 1 && !strcmp(g->tensors[g->outputs[0]].name, "output0") &&
          g->n_nodes == n_nodes && !yq__graph_meta(g, "yq.head"));
    yq__graph_free(g);

    /* named cut: as given, dead code removed, classified from the channels */
    g = yolo_graph(false);
    CHECK(yq__pass_cut_head(g, "h8,h16", &e) == YQ_STATUS_OK);
    CHECK(g->n_outputs == 2 && !strcmp(g->tensors[g->outputs[0]].name, "h8") &&
          g->n_nodes == 4);
    CHECK((m = yq__graph_meta(g, "yq.head_cut")) && !strcmp(m, "named"));
    CHECK((m = yq__graph_meta(g, "yq.head")) && !strcmp(m, "yolov5"));
    yq__graph_free(g);
    /* "none" keeps the graph as it is */
    g = yolo_graph(false);
    n_nodes = g->n_nodes;
    CHECK(yq__pass_cut_head(g, "none", &e) == YQ_STATUS_OK && g->n_nodes == n_nodes &&
          g->n_outputs == 1 && !strcmp(g->tensors[g->outputs[0]].name, "output0") &&
          !yq__graph_meta(g, "yq.head"));
    yq__graph_free(g);
    static const struct {
        const char *list, *msg;
    } bad[] = {{"h8,nope", "no tensor named 'nope'"},
               {"h8,", "bad list"},
               {",h8", "bad list"},
               {"h8,,h16", "bad list"},
               {"ag8", "'ag8' is a constant"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        g = yolo_graph(false);
        err[0] = '\0';
        enum yq_status st = yq__pass_cut_head(g, bad[i].list, &e);
        CHECKF(st == YQ_STATUS_INVALID_ARGUMENT && strstr(err, bad[i].msg) &&
                   strstr(err, "mini-yolov5.onnx"),
               "--outputs %s: status %d '%s'", bad[i].list, (int)st, err);
        yq__graph_free(g);
    }
}

int main(void)
{
    test_nhwc();
    test_cut_head();
    return yq_test_finish();
}
