/* SPDX-License-Identifier: Apache-2.0 */
/* int8 operators of a quantized graph (contract in src/quant/quantize.h), each run serially
 * and on a 2-thread pool, checked two ways: (a) exact codes against a plain reference of the
 * contract formula written here, and (b) the dequantized result against the fp32 operator
 * run on the dequantized inputs (an fp32 twin of the same graph). Also the errors for
 * parameters a code-moving op cannot honour. */
#include <float.h>
#include <math.h>

#include "opstest.h"

/* ---- building quantized graphs ------------------------------------------------------- */

static void set_q(struct yq__graph *g, int t, struct yq__shape s, enum yq__layout layout,
                  float scale, int zp)
{
    struct yq__tensor *x = &g->tensors[t];
    x->dtype = YQ__DTYPE_S8;
    x->shape = s;
    x->layout = s.rank == 4 ? layout : YQ__LAYOUT_PLAIN;
    x->q.scale = scale;
    x->q.zero_point = zp;
}

static int q_in(struct yq__graph *g, const char *name, struct yq__shape s, enum yq__layout l,
                float scale, int zp)
{
    int t = ot_input(g, name, YQ__DTYPE_S8, s, l);
    set_q(g, t, s, l, scale, zp);
    return t;
}

static int q_out(struct yq__graph *g, const char *name, struct yq__shape s, enum yq__layout l,
                 float scale, int zp)
{
    int t = ot_output(g, name);
    set_q(g, t, s, l, scale, zp);
    return t;
}

static int q_const(struct yq__graph *g, const char *name, struct yq__shape s, const int8_t *v,
                   float scale, int zp)
{
    int t = ot_const(g, name, YQ__DTYPE_S8, s, v);
    g->tensors[t].q.scale = scale;
    g->tensors[t].q.zero_point = zp;
    return t;
}

static int q_node(struct yq__graph *g, const char *name, enum yq__op op, int n_in, const int *in,
                  int n_out, const int *out)
{
    int nd = yq__graph_add_node(g, name, op, n_in, in, n_out, out);
    g->nodes[nd].quantized = true;
    return nd;
}

static int8_t *rand_codes(int64_t n, int lo, int hi)
{
    int8_t *p = yq__aligned_alloc((size_t)n + 64);
    for (int64_t i = 0; i < n; i++)
        p[i] = (int8_t)yq_test_randint(lo, hi);
    return p;
}

/* ---- references ----------------------------------------------------------------------- */

static float deq(int8_t q, float s, int zp)
{
    return (float)((int)q - zp) * s;
}

/* yq__quantize_s8 (src/quant/calib.c), restated. */
static int8_t quant(float x, float s, int zp)
{
    if (isnan(x)) return (int8_t)zp;
    double t = nearbyint((double)x / (double)s) + zp;
    return (int8_t)(t < -128 ? -128 : (t > 127 ? 127 : t));
}

/* The requantization of the contract: lrintf of a float, add zp, saturate. */
static int8_t requant(float v, int zo)
{
    if (v > 1e6f) v = 1e6f;
    if (v < -1e6f) v = -1e6f;
    long r = lrintf(v) + zo;
    return (int8_t)(r < -128 ? -128 : (r > 127 ? 127 : r));
}

/* ---- running -------------------------------------------------------------------------- */

static struct yq__pool *pool;

/* Runs the quantized graph; bufs[input] must be set. */
static bool run_q(struct yq__graph *g, struct yq__pool *p, void **bufs)
{
    char err[512];
    enum yq_status st = ot_run_ex(g, p, bufs, false, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "%s", err);
    return st == YQ_STATUS_OK;
}

/* The fp32 twin: same tensors (same indices), nodes and attributes; int8 inputs and
 * constants replaced by their dequantized values; fp32 shape inference. */
static struct yq__graph *twin(const struct yq__graph *gq, void **qbufs, void **bufs,
                              struct yq__pool *p)
{
    struct yq__graph *g;
    yq__graph_create("twin.onnx", &g);
    for (int t = 0; t < gq->n_tensors; t++) {
        const struct yq__tensor *x = &gq->tensors[t];
        int64_t n = yq__shape_numel(&x->shape);
        if (x->data && x->dtype == YQ__DTYPE_S8) {
            float *f = ot_rand(n, 0, 0);
            for (int64_t i = 0; i < n; i++)
                f[i] = deq(((const int8_t *)x->data)[i], x->q.scale, x->q.zero_point);
            ot_const(g, x->name, YQ__DTYPE_F32, x->shape, f);
            yq__aligned_free(f);
        } else if (x->data) {
            ot_const(g, x->name, x->dtype, x->shape, x->data);
        } else if (x->is_input) {
            int ti = ot_input(g, x->name, YQ__DTYPE_F32, x->shape, x->layout);
            float *f = ot_rand(n, 0, 0);
            for (int64_t i = 0; i < n; i++)
                f[i] = deq(((const int8_t *)qbufs[t])[i], x->q.scale, x->q.zero_point);
            bufs[ti] = f;
        } else if (x->is_output) {
            ot_output(g, x->name);
        } else {
            ot_tensor(g, x->name);
        }
    }
    for (int i = 0; i < gq->n_nodes; i++) {
        const struct yq__node *n = &gq->nodes[i];
        int nd = yq__graph_add_node(g, n->name, n->op, n->n_in, n->in, n->n_out, n->out);
        for (int a = 0; a < n->n_attrs; a++) {
            const struct yq__attr *at = &n->attrs[a];
            switch (at->kind) {
            case YQ__ATTR_INT:
                yq__node_set_int(g, nd, at->name, at->i);
                break;
            case YQ__ATTR_FLOAT:
                yq__node_set_float(g, nd, at->name, at->f);
                break;
            case YQ__ATTR_INTS:
                yq__node_set_ints(g, nd, at->name, at->ints, at->n);
                break;
            case YQ__ATTR_FLOATS:
                yq__node_set_floats(g, nd, at->name, at->floats, at->n);
                break;
            case YQ__ATTR_STRING:
                yq__node_set_string(g, nd, at->name, at->s, at->n);
                break;
            }
        }
    }
    char err[512];
    enum yq_status st = ot_run(g, p, bufs, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "twin: %s", err);
    return g;
}

static void twin_free(struct yq__graph *g, void **bufs)
{
    for (int i = 0; i < g->n_inputs; i++) {
        yq__aligned_free(bufs[g->inputs[i]]);
        bufs[g->inputs[i]] = NULL;
    }
    ot_free(g, bufs, 0);
    yq__graph_free(g);
}

/* (b): every output of the quantized graph against the twin. The twin's value is first
 * clamped to the range the output can represent (saturation is the contract), then
 * |dequantized code - value| must be <= bound. */
static void check_twin(const struct yq__graph *gq, void **qbufs, struct yq__pool *p, double bound,
                       const char *what)
{
    void *bufs[64] = {0};
    struct yq__graph *g = twin(gq, qbufs, bufs, p);
    for (int o = 0; o < gq->n_outputs; o++) {
        int t = gq->outputs[o];
        const struct yq__tensor *y = &gq->tensors[t];
        CHECKF(yq__shape_eq(&g->tensors[t].shape, &y->shape), "%s: twin shape", what);
        if (!bufs[t] || !yq__shape_eq(&g->tensors[t].shape, &y->shape)) continue;
        float lo = deq(-128, y->q.scale, y->q.zero_point),
              hi = deq(127, y->q.scale, y->q.zero_point);
        double worst = 0;
        int64_t n = yq__shape_numel(&y->shape), at = 0;
        for (int64_t i = 0; i < n; i++) {
            float f = ((const float *)bufs[t])[i];
            f = f < lo ? lo : (f > hi ? hi : f);
            double d =
                fabs((double)deq(((const int8_t *)qbufs[t])[i], y->q.scale, y->q.zero_point) -
                     (double)f);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        CHECKF(worst <= bound, "%s: output '%s' differs from fp32 by %g at %lld (bound %g)", what,
               y->name, worst, (long long)at, bound);
    }
    twin_free(g, bufs);
}

/* Largest |real value| tensor t can hold. */
static double range_abs(const struct yq__graph *g, int t)
{
    const struct yq__tensor *x = &g->tensors[t];
    return fmax(fabs(deq(-128, x->q.scale, x->q.zero_point)),
                fabs(deq(127, x->q.scale, x->q.zero_point)));
}

/* The bound of (b) for computing ops. The twin's inputs are the dequantized codes, so there
 * is no input rounding to propagate: the contract allows half an output step (the final
 * rounding). On top of that both sides round in float: the twin rounds each dequantized
 * operand and the result, the int8 side rounds the multipliers and the scaled sum, each
 * within 2^-24 relative of the magnitudes involved; `magnitude` (the largest intermediate,
 * e.g. |a| + |b| for Add) times 1e-6 (about 16 such roundings) covers it. This only matters
 * at exact ties, where the two sides may round to neighbouring codes. */
static double half_step(const struct yq__graph *g, int t, double magnitude)
{
    return 0.5 * g->tensors[t].q.scale + 1e-6 * (magnitude + range_abs(g, t));
}

static bool codes_eq(const int8_t *got, const int8_t *ref, int64_t n, const char *what)
{
    int64_t bad = -1;
    for (int64_t i = 0; i < n && bad < 0; i++)
        if (got[i] != ref[i]) bad = i;
    CHECKF(bad < 0, "%s: code %lld is %d, expected %d", what, (long long)bad,
           bad >= 0 ? got[bad] : 0, bad >= 0 ? ref[bad] : 0);
    return bad < 0;
}

/* ---- Add, Mul ------------------------------------------------------------------------- */

/* a (and b unless b_scalar) of n elements; b_scalar: b is a single-element constant.
 * swap: the operands are given to the node in the order (b, a), so the scalar comes first. */
static void binary_ex(enum yq__op op, bool b_scalar, bool swap, float sa, int za, float sb, int zb,
                      float so, int zo, struct yq__pool *p)
{
    int64_t n = 40 * 40 * 16; /* > one 16384-element chunk: 2 tasks */
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int8_t *a = rand_codes(n, -128, 127), *b = rand_codes(n, -128, 127);
    int ta = q_in(g, "a", OT_SH(1, 40, 40, 16), YQ__LAYOUT_NHWC, sa, za);
    int tb = b_scalar ? q_const(g, "b", OT_SH(1), b, sb, zb)
                      : q_in(g, "b", OT_SH(1, 40, 40, 16), YQ__LAYOUT_NHWC, sb, zb);
    int ty = q_out(g, "y", OT_SH(1, 40, 40, 16), YQ__LAYOUT_NHWC, so, zo);
    q_node(g, "op", op, 2, swap ? (int[]){tb, ta} : (int[]){ta, tb}, 1, &ty);
    void *bufs[8] = {0};
    bufs[ta] = a;
    if (!b_scalar) bufs[tb] = b;
    char what[96];
    snprintf(what, sizeof what, "%s%s%s sa %g za %d sb %g zb %d so %g zo %d", yq__op_name(op),
             b_scalar ? " scalar" : "", swap ? " swapped" : "", sa, za, sb, zb, so, zo);
    if (run_q(g, p, bufs)) {
        /* (a) the contract formula, multipliers rounded to float once from double */
        int8_t *ref = rand_codes(n, 0, 0);
        float ma = op == YQ__OP_MUL ? (float)((double)sa * sb / so) : (float)((double)sa / so);
        float mb = (float)((double)sb / so);
        for (int64_t i = 0; i < n; i++) {
            int qa = a[i], qb = b[b_scalar ? 0 : i];
            float v;
            if (op == YQ__OP_MUL)
                v = (float)(swap ? (qb - zb) * (qa - za) : (qa - za) * (qb - zb)) * ma;
            else if (swap) /* operand order follows the node's inputs */
                v = ((float)qb - (float)zb) * mb + ((float)qa - (float)za) * ma;
            else
                v = ((float)qa - (float)za) * ma + ((float)qb - (float)zb) * mb;
            ref[i] = requant(v, zo);
        }
        codes_eq(bufs[ty], ref, n, what);
        yq__aligned_free(ref);
        double mag = op == YQ__OP_MUL ? range_abs(g, ta) * range_abs(g, tb)
                                      : range_abs(g, ta) + range_abs(g, tb);
        check_twin(g, bufs, p, half_step(g, ty, mag), what);
    }
    ot_free(g, bufs, 2);
    yq__graph_free(g);
    yq__aligned_free(a);
    yq__aligned_free(b);
}

static void binary(enum yq__op op, bool b_scalar, float sa, int za, float sb, int zb, float so,
                   int zo, struct yq__pool *p)
{
    binary_ex(op, b_scalar, false, sa, za, sb, zb, so, zo, p);
}

static void test_add_mul(struct yq__pool *p)
{
    binary_ex(YQ__OP_ADD, true, true, 0.05f, 3, 0.5f, -4, 0.07f, 5, p);
    binary_ex(YQ__OP_MUL, true, true, 0.05f, 3, 0.02f, -100, 0.03f, -5, p);
    binary(YQ__OP_ADD, false, 0.05f, 3, 0.021f, -7, 0.06f, -10, p);
    binary(YQ__OP_ADD, false, 0.1f, 0, 0.1f, 0, 0.1f, 0, p);  /* equal parameters */
    binary(YQ__OP_ADD, true, 0.05f, 3, 0.5f, 0, 0.07f, 5, p); /* broadcast scalar constant */
    /* extreme zero points; the output range is far too narrow: saturates both ways */
    binary(YQ__OP_ADD, false, 0.2f, -128, 0.3f, 127, 0.01f, 127, p);
    binary(YQ__OP_ADD, false, 0.2f, 127, 0.3f, -128, 0.01f, -128, p);
    binary(YQ__OP_MUL, false, 0.05f, 3, 0.021f, -7, 0.02f, 4, p);
    binary(YQ__OP_MUL, true, 0.03f, -128, 0.004f, -128, 0.004f, -128, p); /* sigmoid-gate like */
    binary(YQ__OP_MUL, false, 0.5f, 127, 0.5f, -128, 0.001f, 0, p);       /* saturation */
}

/* ---- Concat --------------------------------------------------------------------------- */

/* Three NHWC inputs on the channel axis (ONNX axis 1); `equal` gives input 0 and 2 the
 * output's parameters (copied), input 1 always differs (requantized). */
static void concat(bool equal, struct yq__pool *p)
{
    int h = 24, w = 32, c[3] = {8, 16, 5};
    float sc[3] = {0.04f, 0.09f, 0.02f};
    int zp[3] = {-3, 127, -128};
    float so = 0.05f;
    int zo = 10;
    if (equal) {
        sc[0] = sc[2] = so;
        zp[0] = zp[2] = zo;
    }
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int8_t *x[3];
    int tx[3];
    void *bufs[8] = {0};
    for (int i = 0; i < 3; i++) {
        char nm[8];
        snprintf(nm, sizeof nm, "x%d", i);
        x[i] = rand_codes((int64_t)h * w * c[i], -128, 127);
        tx[i] = q_in(g, nm, OT_SH(1, h, w, c[i]), YQ__LAYOUT_NHWC, sc[i], zp[i]);
        bufs[tx[i]] = x[i];
    }
    int ct = c[0] + c[1] + c[2];
    int ty = q_out(g, "y", OT_SH(1, h, w, ct), YQ__LAYOUT_NHWC, so, zo);
    int nd = q_node(g, "cat", YQ__OP_CONCAT, 3, tx, 1, &ty);
    yq__node_set_int(g, nd, "axis", 1);
    const char *what = equal ? "Concat equal" : "Concat unequal";
    if (run_q(g, p, bufs)) {
        int64_t n = (int64_t)h * w * ct;
        int8_t *ref = rand_codes(n, 0, 0);
        for (int64_t px = 0; px < (int64_t)h * w; px++)
            for (int i = 0, off = 0; i < 3; off += c[i], i++)
                for (int k = 0; k < c[i]; k++) {
                    int8_t q = x[i][px * c[i] + k];
                    bool copy = sc[i] == so && zp[i] == zo;
                    float m = (float)((double)sc[i] / so);
                    ref[px * ct + off + k] = copy ? q : requant((float)(q - zp[i]) * m, zo);
                }
        codes_eq(bufs[ty], ref, n, what);
        yq__aligned_free(ref);
        double mag = 0;
        for (int i = 0; i < 3; i++)
            mag = fmax(mag, range_abs(g, tx[i]));
        check_twin(g, bufs, p, half_step(g, ty, mag), what);
    }
    ot_free(g, bufs, 3);
    yq__graph_free(g);
    for (int i = 0; i < 3; i++)
        yq__aligned_free(x[i]);
}

/* Concat on other axes: ONNX axis 2 (H) of NHWC tensors, and the last axis of plain rank-3
 * tensors (YOLO heads concatenating [1, 85, n_i]). Placement is checked by the twin (fp32
 * Concat); the codes against the requantization formula. */
static void concat_axis(bool nhwc, struct yq__pool *p)
{
    int d[2] = {3, 5};
    float sc[2] = {0.03f, 0.05f};
    int zp[2] = {-128, 4};
    float so = 0.05f;
    int zo = 4; /* input 1 is copied, input 0 requantized */
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int8_t *x[2];
    int tx[2];
    void *bufs[8] = {0};
    int64_t inner = nhwc ? 6 * 4 : 1, outer = nhwc ? 1 : 7;
    for (int i = 0; i < 2; i++) {
        char nm[8];
        snprintf(nm, sizeof nm, "x%d", i);
        x[i] = rand_codes(outer * d[i] * inner, -128, 127);
        tx[i] = nhwc ? q_in(g, nm, OT_SH(1, d[i], 6, 4), YQ__LAYOUT_NHWC, sc[i], zp[i])
                     : q_in(g, nm, OT_SH(1, 7, d[i]), YQ__LAYOUT_PLAIN, sc[i], zp[i]);
        bufs[tx[i]] = x[i];
    }
    int ty = nhwc ? q_out(g, "y", OT_SH(1, 8, 6, 4), YQ__LAYOUT_NHWC, so, zo)
                  : q_out(g, "y", OT_SH(1, 7, 8), YQ__LAYOUT_PLAIN, so, zo);
    int nd = q_node(g, "cat", YQ__OP_CONCAT, 2, tx, 1, &ty);
    yq__node_set_int(g, nd, "axis", nhwc ? 2 : -1);
    const char *what = nhwc ? "Concat NHWC axis 2" : "Concat axis -1";
    if (run_q(g, p, bufs)) {
        int8_t *ref = rand_codes(outer * 8 * inner, 0, 0);
        for (int64_t o = 0; o < outer; o++)
            for (int i = 0, off = 0; i < 2; off += d[i], i++)
                for (int64_t k = 0; k < d[i] * inner; k++) {
                    int8_t q = x[i][o * d[i] * inner + k];
                    bool copy = sc[i] == so && zp[i] == zo;
                    float m = (float)((double)sc[i] / so);
                    ref[o * 8 * inner + off * inner + k] =
                        copy ? q : requant((float)(q - zp[i]) * m, zo);
                }
        codes_eq(bufs[ty], ref, outer * 8 * inner, what);
        yq__aligned_free(ref);
        check_twin(g, bufs, p, half_step(g, ty, range_abs(g, tx[0])), what);
    }
    ot_free(g, bufs, 2);
    yq__graph_free(g);
    for (int i = 0; i < 2; i++)
        yq__aligned_free(x[i]);
}

/* ---- LUT activations ------------------------------------------------------------------ */

static float act_ref(enum yq__op op, float x, float a, float b)
{
    switch (op) {
    case YQ__OP_SIGMOID:
        return 1.0f / (1.0f + expf(-x));
    case YQ__OP_SILU:
        return x / (1.0f + expf(-x));
    case YQ__OP_RELU:
        return x > 0 ? x : 0;
    case YQ__OP_LEAKY_RELU:
        return x > 0 ? x : x * a;
    case YQ__OP_TANH:
        return tanhf(x);
    case YQ__OP_HARD_SIGMOID:
        return fminf(1.0f, fmaxf(0.0f, a * x + b));
    case YQ__OP_HARD_SWISH:
        return x * fminf(6.0f, fmaxf(0.0f, x + 3.0f)) * (1.0f / 6.0f);
    case YQ__OP_CLIP:
        return x < a ? a : (x > b ? b : x);
    default:
        return x;
    }
}

/* clip_inputs: Clip's bounds as constant inputs (opset 11+) instead of attributes. */
static void lut(enum yq__op op, float a, float b, bool clip_inputs, float si, int zi, float so,
                int zo, struct yq__pool *p)
{
    int64_t n = 20000; /* every code many times, and two chunks */
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int8_t *x = rand_codes(n, -128, 127);
    int tx = q_in(g, "x", OT_SH(1, n), YQ__LAYOUT_PLAIN, si, zi);
    int ty = q_out(g, "y", OT_SH(1, n), YQ__LAYOUT_PLAIN, so, zo);
    int nd;
    if (op == YQ__OP_CLIP && clip_inputs) {
        int tlo = ot_const(g, "lo", YQ__DTYPE_F32, OT_SH(1), &a);
        int thi = ot_const(g, "hi", YQ__DTYPE_F32, OT_SH(1), &b);
        nd = q_node(g, "act", op, 3, (int[]){tx, tlo, thi}, 1, &ty);
    } else {
        nd = q_node(g, "act", op, 1, &tx, 1, &ty);
    }
    if (op == YQ__OP_LEAKY_RELU || op == YQ__OP_HARD_SIGMOID) yq__node_set_float(g, nd, "alpha", a);
    if (op == YQ__OP_HARD_SIGMOID) yq__node_set_float(g, nd, "beta", b);
    if (op == YQ__OP_CLIP && !clip_inputs) {
        yq__node_set_float(g, nd, "min", a);
        yq__node_set_float(g, nd, "max", b);
    }
    void *bufs[8] = {0};
    bufs[tx] = x;
    char what[64];
    snprintf(what, sizeof what, "%s%s", yq__op_name(op), clip_inputs ? " (inputs)" : "");
    if (run_q(g, p, bufs)) {
        int8_t *ref = rand_codes(n, 0, 0);
        for (int64_t i = 0; i < n; i++)
            ref[i] = quant(act_ref(op, deq(x[i], si, zi), a, b), so, zo);
        codes_eq(bufs[ty], ref, n, what);
        yq__aligned_free(ref);
        check_twin(g, bufs, p, half_step(g, ty, range_abs(g, tx)), what);
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

static void test_lut(struct yq__pool *p)
{
    /* input range about [-8, 8]; outputs sized to the activation's range */
    lut(YQ__OP_SIGMOID, 0, 0, false, 0.0625f, 0, 1.0f / 255, -128, p);
    lut(YQ__OP_SILU, 0, 0, false, 0.0625f, 3, 0.035f, -120, p);
    lut(YQ__OP_RELU, 0, 0, false, 0.0625f, -20, 0.0625f, -128, p);
    lut(YQ__OP_LEAKY_RELU, 0.1f, 0, false, 0.0625f, 5, 0.04f, 80, p);
    lut(YQ__OP_HARD_SWISH, 0, 0, false, 0.0625f, 0, 0.035f, -100, p);
    lut(YQ__OP_HARD_SIGMOID, 0.2f, 0.5f, false, 0.0625f, 0, 1.0f / 255, -128, p);
    lut(YQ__OP_CLIP, 0.0f, 6.0f, false, 0.0625f, -30, 6.0f / 255, -128, p);
    lut(YQ__OP_CLIP, -1.0f, 2.5f, true, 0.0625f, 127, 0.02f, 0, p);
    lut(YQ__OP_TANH, 0, 0, false, 0.0625f, -128, 2.0f / 255, 0, p);
    /* output range narrower than the function: saturation */
    lut(YQ__OP_SILU, 0, 0, false, 0.1f, 0, 0.01f, 0, p);
}

/* ---- MaxPool -------------------------------------------------------------------------- */

static void maxpool(int k, int s, int pad, int h, int w, int c, struct yq__pool *p)
{
    int oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1;
    float sc = 0.07f;
    int zp = -5;
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int8_t *x = rand_codes((int64_t)h * w * c, -128, 127);
    int tx = q_in(g, "x", OT_SH(1, h, w, c), YQ__LAYOUT_NHWC, sc, zp);
    int ty = q_out(g, "y", OT_SH(1, oh, ow, c), YQ__LAYOUT_NHWC, sc, zp);
    int nd = q_node(g, "pool", YQ__OP_MAX_POOL, 1, &tx, 1, &ty);
    yq__node_set_ints(g, nd, "kernel_shape", (int64_t[]){k, k}, 2);
    yq__node_set_ints(g, nd, "strides", (int64_t[]){s, s}, 2);
    yq__node_set_ints(g, nd, "pads", (int64_t[]){pad, pad, pad, pad}, 4);
    void *bufs[8] = {0};
    bufs[tx] = x;
    char what[64];
    snprintf(what, sizeof what, "MaxPool k%d s%d p%d", k, s, pad);
    if (run_q(g, p, bufs)) {
        int8_t *ref = rand_codes((int64_t)oh * ow * c, 0, 0);
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int ch = 0; ch < c; ch++) {
                    int m = -128;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * s - pad + ky, ix = ox * s - pad + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                m = YQ_MAX(m, x[((int64_t)iy * w + ix) * c + ch]);
                        }
                    ref[((int64_t)oy * ow + ox) * c + ch] = (int8_t)m;
                }
        codes_eq(bufs[ty], ref, (int64_t)oh * ow * c, what);
        yq__aligned_free(ref);
        check_twin(g, bufs, p, 0.0, what); /* moves codes: exact */
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

/* ---- Resize ----------------------------------------------------------------------------- */

/* Nearest 2x (YOLO upsample) by scales or sizes, and a non-integer resize in the other
 * nearest modes, NHWC. The exact reference is for the 2x cases (source = output / 2). */
static void resize(bool by_sizes, const char *coord, const char *nearest, int oh, int ow,
                   struct yq__pool *p)
{
    int h = 10, w = 12, c = 7;
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int8_t *x = rand_codes((int64_t)h * w * c, -128, 127);
    int tx = q_in(g, "x", OT_SH(1, h, w, c), YQ__LAYOUT_NHWC, 0.03f, 17);
    int ty = q_out(g, "y", OT_SH(1, oh, ow, c), YQ__LAYOUT_NHWC, 0.03f, 17);
    int troi = -1, tsc = -1, tsz = -1; /* omitted optional inputs */
    if (by_sizes) {
        tsz = ot_const_i64(g, "sizes", 4, (int64_t[]){1, c, oh, ow});
    } else {
        float sc[4] = {1, 1, (float)oh / h, (float)ow / w};
        tsc = ot_const(g, "scales", YQ__DTYPE_F32, OT_SH(4), sc);
    }
    int ins[4] = {tx, troi, tsc, tsz};
    int nd = q_node(g, "up", YQ__OP_RESIZE, by_sizes ? 4 : 3, ins, 1, &ty);
    yq__node_set_string(g, nd, "mode", "nearest", 7);
    yq__node_set_string(g, nd, "coordinate_transformation_mode", coord, (int)strlen(coord));
    yq__node_set_string(g, nd, "nearest_mode", nearest, (int)strlen(nearest));
    void *bufs[8] = {0};
    bufs[tx] = x;
    char what[96];
    snprintf(what, sizeof what, "Resize %s %s %s %dx%d", by_sizes ? "sizes" : "scales", coord,
             nearest, oh, ow);
    if (run_q(g, p, bufs)) {
        if (oh == 2 * h && ow == 2 * w && strcmp(coord, "asymmetric") == 0) {
            int8_t *ref = rand_codes((int64_t)oh * ow * c, 0, 0);
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    memcpy(ref + ((int64_t)oy * ow + ox) * c, x + ((oy / 2) * w + ox / 2) * c,
                           (size_t)c);
            codes_eq(bufs[ty], ref, (int64_t)oh * ow * c, what);
            yq__aligned_free(ref);
        }
        check_twin(g, bufs, p, 0.0, what);
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

/* Upsample (opset 9): scales input, asymmetric/floor; x2 on H, x3 on W. */
static void upsample(struct yq__pool *p)
{
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int8_t *x = rand_codes(2 * 5 * 4 * 3, -128, 127);
    int tx = q_in(g, "x", OT_SH(2, 5, 4, 3), YQ__LAYOUT_NHWC, 0.5f, -1);
    int ty = q_out(g, "y", OT_SH(2, 10, 12, 3), YQ__LAYOUT_NHWC, 0.5f, -1);
    float sc[4] = {1, 1, 2, 3};
    int tsc = ot_const(g, "scales", YQ__DTYPE_F32, OT_SH(4), sc);
    q_node(g, "up", YQ__OP_UPSAMPLE, 2, (int[]){tx, tsc}, 1, &ty);
    void *bufs[8] = {0};
    bufs[tx] = x;
    if (run_q(g, p, bufs)) {
        bool ok = true;
        const int8_t *y = bufs[ty];
        for (int n = 0; n < 2; n++)
            for (int oy = 0; oy < 10; oy++)
                for (int ox = 0; ox < 12; ox++)
                    ok = ok && memcmp(y + ((n * 10 + oy) * 12 + ox) * 3,
                                      x + ((n * 5 + oy / 2) * 4 + ox / 3) * 3, 3) == 0;
        CHECKF(ok, "Upsample codes");
        check_twin(g, bufs, p, 0.0, "Upsample");
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

static void test_resize(struct yq__pool *p)
{
    upsample(p);
    resize(false, "asymmetric", "floor", 20, 24, p);
    resize(true, "asymmetric", "floor", 20, 24, p);
    resize(false, "half_pixel", "round_prefer_floor", 15, 30, p);
    resize(true, "align_corners", "round_prefer_ceil", 7, 25, p);
    resize(true, "pytorch_half_pixel", "ceil", 13, 5, p);
    resize(false, "tf_half_pixel_for_nn", "floor", 20, 24, p);
}

/* ---- Split, Slice, Reshape, Transpose, Identity, Pad (code movers) ---------------------- */

/* YOLOv8 C2f: a conv output split on the channel axis into unequal parts, NHWC. */
static void split(struct yq__pool *p)
{
    int h = 8, w = 9, c = 24, c0 = 16, c1 = 8;
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int8_t *x = rand_codes((int64_t)h * w * c, -128, 127);
    int tx = q_in(g, "x", OT_SH(1, h, w, c), YQ__LAYOUT_NHWC, 0.05f, -2);
    int y0 = q_out(g, "y0", OT_SH(1, h, w, c0), YQ__LAYOUT_NHWC, 0.05f, -2);
    int y1 = q_out(g, "y1", OT_SH(1, h, w, c1), YQ__LAYOUT_NHWC, 0.05f, -2);
    int tsp = ot_const_i64(g, "split", 2, (int64_t[]){c0, c1});
    int nd = q_node(g, "split", YQ__OP_SPLIT, 2, (int[]){tx, tsp}, 2, (int[]){y0, y1});
    yq__node_set_int(g, nd, "axis", 1);
    void *bufs[8] = {0};
    bufs[tx] = x;
    if (run_q(g, p, bufs)) {
        bool ok = true;
        for (int64_t px = 0; px < (int64_t)h * w; px++) {
            ok = ok && memcmp((int8_t *)bufs[y0] + px * c0, x + px * c, (size_t)c0) == 0;
            ok = ok && memcmp((int8_t *)bufs[y1] + px * c1, x + px * c + c0, (size_t)c1) == 0;
        }
        CHECKF(ok, "Split codes");
        check_twin(g, bufs, p, 0.0, "Split");
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

/* A chain of code movers, YOLO-head style: Slice -> Reshape -> Transpose -> Identity ->
 * Unsqueeze -> Squeeze -> Flatten, and a Pad (constant, with the zero point) of the input,
 * all with one set of parameters; checked against the fp32 twin exactly. */
static void movers(struct yq__pool *p)
{
    float sc = 0.11f;
    int zp = 33;
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int8_t *x = rand_codes(2 * 6 * 4 * 5, -128, 127);
    int tx = q_in(g, "x", OT_SH(2, 6, 4, 5), YQ__LAYOUT_PLAIN, sc, zp);
    int t1 = ot_tensor(g, "sl"), t2 = ot_tensor(g, "rs"), t3 = ot_tensor(g, "tr");
    int t4 = ot_tensor(g, "id"), t5 = ot_tensor(g, "un"), t6 = ot_tensor(g, "sq");
    set_q(g, t1, OT_SH(2, 3, 4, 5), YQ__LAYOUT_PLAIN, sc, zp);
    set_q(g, t2, OT_SH(2, 3, 20), YQ__LAYOUT_PLAIN, sc, zp);
    set_q(g, t3, OT_SH(2, 20, 3), YQ__LAYOUT_PLAIN, sc, zp);
    set_q(g, t4, OT_SH(2, 20, 3), YQ__LAYOUT_PLAIN, sc, zp);
    set_q(g, t5, OT_SH(2, 1, 20, 3), YQ__LAYOUT_PLAIN, sc, zp);
    set_q(g, t6, OT_SH(2, 20, 3), YQ__LAYOUT_PLAIN, sc, zp);
    int ty = q_out(g, "fl", OT_SH(2, 60), YQ__LAYOUT_PLAIN, sc, zp);
    int tp = q_out(g, "pad", OT_SH(2, 6, 7, 6), YQ__LAYOUT_PLAIN, sc, zp);
    /* Slice channels 1, 3, 5 (step 2) */
    int st = ot_const_i64(g, "st", 1, (int64_t[]){1}),
        en = ot_const_i64(g, "en", 1, (int64_t[]){INT64_MAX});
    int ax = ot_const_i64(g, "ax", 1, (int64_t[]){1}),
        sp = ot_const_i64(g, "sp", 1, (int64_t[]){2});
    q_node(g, "slice", YQ__OP_SLICE, 5, (int[]){tx, st, en, ax, sp}, 1, &t1);
    int shp = ot_const_i64(g, "shape", 3, (int64_t[]){0, 3, -1});
    q_node(g, "reshape", YQ__OP_RESHAPE, 2, (int[]){t1, shp}, 1, &t2);
    int nd = q_node(g, "transpose", YQ__OP_TRANSPOSE, 1, &t2, 1, &t3);
    yq__node_set_ints(g, nd, "perm", (int64_t[]){0, 2, 1}, 3);
    q_node(g, "identity", YQ__OP_IDENTITY, 1, &t3, 1, &t4);
    int a1 = ot_const_i64(g, "a1", 1, (int64_t[]){1});
    q_node(g, "unsqueeze", YQ__OP_UNSQUEEZE, 2, (int[]){t4, a1}, 1, &t5);
    q_node(g, "squeeze", YQ__OP_SQUEEZE, 2, (int[]){t5, a1}, 1, &t6);
    q_node(g, "flatten", YQ__OP_FLATTEN, 1, &t6, 1, &ty);
    int pads = ot_const_i64(g, "pads", 8, (int64_t[]){0, 0, 1, 0, 0, 0, 2, 1});
    q_node(g, "pad", YQ__OP_PAD, 2, (int[]){tx, pads}, 1, &tp);
    void *bufs[32] = {0};
    bufs[tx] = x;
    if (run_q(g, p, bufs)) {
        /* flattened [n][j][k] = slice[n][k][j] = x[n][2k+1][j] (j over h*w) */
        bool ok = true;
        const int8_t *y = bufs[ty];
        for (int n = 0; n < 2; n++)
            for (int j = 0; j < 20; j++)
                for (int k = 0; k < 3; k++)
                    ok = ok && y[n * 60 + j * 3 + k] == x[(n * 6 + 2 * k + 1) * 20 + j];
        CHECKF(ok, "mover chain codes");
        const int8_t *pd = bufs[tp];
        ok = true;
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 6; c++)
                for (int yy = 0; yy < 7; yy++)
                    for (int xx = 0; xx < 6; xx++) {
                        int iy = yy - 1, ix = xx;
                        int8_t want = iy >= 0 && iy < 4 && ix < 5
                                          ? x[((n * 6 + c) * 4 + iy) * 5 + ix]
                                          : (int8_t)zp;
                        ok = ok && pd[((n * 6 + c) * 7 + yy) * 6 + xx] == want;
                    }
        CHECKF(ok, "Pad codes (fill = zero point)");
        check_twin(g, bufs, p, 0.0, "movers");
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

/* Pad on an NHWC tensor (ONNX pads are NCHW order). */
static void pad_nhwc(struct yq__pool *p)
{
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int8_t *x = rand_codes(5 * 6 * 3, -128, 127);
    int tx = q_in(g, "x", OT_SH(1, 5, 6, 3), YQ__LAYOUT_NHWC, 0.2f, -128);
    int ty = q_out(g, "y", OT_SH(1, 7, 9, 3), YQ__LAYOUT_NHWC, 0.2f, -128);
    int pads = ot_const_i64(g, "pads", 8, (int64_t[]){0, 0, 1, 2, 0, 0, 1, 1});
    float zero = 0.0f;
    int cv = ot_const(g, "cv", YQ__DTYPE_F32, OT_SH(1), &zero);
    q_node(g, "pad", YQ__OP_PAD, 3, (int[]){tx, pads, cv}, 1, &ty);
    void *bufs[8] = {0};
    bufs[tx] = x;
    if (run_q(g, p, bufs)) {
        bool ok = true;
        const int8_t *y = bufs[ty];
        for (int yy = 0; yy < 7; yy++)
            for (int xx = 0; xx < 9; xx++)
                for (int c = 0; c < 3; c++) {
                    int iy = yy - 1, ix = xx - 2;
                    int8_t want =
                        iy >= 0 && iy < 5 && ix >= 0 && ix < 6 ? x[(iy * 6 + ix) * 3 + c] : -128;
                    ok = ok && y[(yy * 9 + xx) * 3 + c] == want;
                }
        CHECKF(ok, "Pad NHWC codes");
        check_twin(g, bufs, p, 0.0, "Pad NHWC");
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

/* ---- errors ------------------------------------------------------------------------------ */

/* A one-node graph whose prepare must fail with `st` and a one-line message naming the
 * node and containing `needle`. */
static void expect_error(struct yq__graph *g, int8_t *x, int tx, enum yq_status want,
                         const char *needle)
{
    void *bufs[16] = {0};
    bufs[tx] = x;
    char err[512];
    enum yq_status st = ot_run_ex(g, NULL, bufs, false, err, sizeof err);
    CHECKF(st == want, "status %d, expected %d (%s)", (int)st, (int)want, err);
    CHECKF(strstr(err, "node 'bad'") && strstr(err, needle) && !strchr(err, '\n'),
           "message '%s' should name node 'bad' and say '%s'", err, needle);
    ot_free(g, bufs, 1);
    yq__graph_free(g);
}

static void test_errors(void)
{
    int8_t *x = rand_codes(4 * 4 * 8, -128, 127);
    static const enum yq__op movers_ops[] = {YQ__OP_MAX_POOL,  YQ__OP_SPLIT,  YQ__OP_IDENTITY,
                                             YQ__OP_TRANSPOSE, YQ__OP_RESIZE, YQ__OP_PAD};
    for (size_t i = 0; i < sizeof movers_ops / sizeof *movers_ops; i++) {
        enum yq__op op = movers_ops[i];
        struct yq__graph *g;
        yq__graph_create("t.onnx", &g);
        int tx = q_in(g, "x", OT_SH(1, 4, 4, 8), YQ__LAYOUT_NHWC, 0.1f, 0);
        /* output scale differs from the input's */
        int ty = q_out(g, "y", OT_SH(1, 4, 4, 8), YQ__LAYOUT_NHWC, 0.2f, 0);
        if (op == YQ__OP_TRANSPOSE)
            g->tensors[tx].layout = g->tensors[ty].layout = YQ__LAYOUT_PLAIN;
        int nd;
        if (op == YQ__OP_RESIZE) {
            float sc[4] = {1, 1, 1, 1};
            int tsc = ot_const(g, "scales", YQ__DTYPE_F32, OT_SH(4), sc);
            nd = q_node(g, "bad", op, 3, (int[]){tx, -1, tsc}, 1, &ty);
        } else if (op == YQ__OP_PAD) {
            int pads = ot_const_i64(g, "pads", 8, (int64_t[]){0, 0, 0, 0, 0, 0, 0, 0});
            nd = q_node(g, "bad", op, 2, (int[]){tx, pads}, 1, &ty);
        } else {
            nd = q_node(g, "bad", op, 1, &tx, 1, &ty);
        }
        if (op == YQ__OP_MAX_POOL) yq__node_set_ints(g, nd, "kernel_shape", (int64_t[]){1, 1}, 2);
        expect_error(g, x, tx, YQ_STATUS_UNSUPPORTED, "must have the parameters of input");
    }
    /* Split whose second output has another zero point: the message names that output */
    {
        struct yq__graph *g;
        yq__graph_create("t.onnx", &g);
        int tx = q_in(g, "x", OT_SH(1, 4, 4, 8), YQ__LAYOUT_NHWC, 0.1f, 0);
        int y0 = q_out(g, "y0", OT_SH(1, 4, 4, 4), YQ__LAYOUT_NHWC, 0.1f, 0);
        int y1 = q_out(g, "y1", OT_SH(1, 4, 4, 4), YQ__LAYOUT_NHWC, 0.1f, 1);
        int nd = q_node(g, "bad", YQ__OP_SPLIT, 1, &tx, 2, (int[]){y0, y1});
        yq__node_set_int(g, nd, "axis", 1);
        expect_error(g, x, tx, YQ_STATUS_UNSUPPORTED, "output 1 'y1'");
    }
    /* a float input to an int8 Add */
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int tx = q_in(g, "x", OT_SH(1, 128), YQ__LAYOUT_PLAIN, 0.1f, 0);
    int tf = ot_input(g, "f", YQ__DTYPE_F32, OT_SH(1, 128), YQ__LAYOUT_PLAIN);
    int ty = q_out(g, "y", OT_SH(1, 128), YQ__LAYOUT_PLAIN, 0.1f, 0);
    q_node(g, "bad", YQ__OP_ADD, 2, (int[]){tx, tf}, 1, &ty);
    expect_error(g, x, tx, YQ_STATUS_UNSUPPORTED, "is not an int8 activation");
    /* linear Resize is refused */
    yq__graph_create("t.onnx", &g);
    tx = q_in(g, "x", OT_SH(1, 4, 4, 8), YQ__LAYOUT_NHWC, 0.1f, 0);
    ty = q_out(g, "y", OT_SH(1, 8, 8, 8), YQ__LAYOUT_NHWC, 0.1f, 0);
    float sc[4] = {1, 1, 2, 2};
    int tsc = ot_const(g, "scales", YQ__DTYPE_F32, OT_SH(4), sc);
    int nd = q_node(g, "bad", YQ__OP_RESIZE, 3, (int[]){tx, -1, tsc}, 1, &ty);
    yq__node_set_string(g, nd, "mode", "linear", 6);
    expect_error(g, x, tx, YQ_STATUS_UNSUPPORTED, "nearest");
    /* Pad with a non-zero constant */
    yq__graph_create("t.onnx", &g);
    tx = q_in(g, "x", OT_SH(1, 4, 4, 8), YQ__LAYOUT_NHWC, 0.1f, 0);
    ty = q_out(g, "y", OT_SH(1, 4, 6, 8), YQ__LAYOUT_NHWC, 0.1f, 0);
    int pads = ot_const_i64(g, "pads", 8, (int64_t[]){0, 0, 0, 1, 0, 0, 0, 1});
    float one = 1.0f;
    int cv = ot_const(g, "cv", YQ__DTYPE_F32, OT_SH(1), &one);
    q_node(g, "bad", YQ__OP_PAD, 3, (int[]){tx, pads, cv}, 1, &ty);
    expect_error(g, x, tx, YQ_STATUS_UNSUPPORTED, "constant value 0");
    yq__aligned_free(x);
}

/* Every op listed in the contract has an int8 implementation whose infer keeps S8. */
static void test_infer(void)
{
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int tx = q_in(g, "x", OT_SH(1, 8, 8, 4), YQ__LAYOUT_NHWC, 0.1f, 0);
    int ty = ot_output(g, "y");
    int nd = q_node(g, "pool", YQ__OP_MAX_POOL, 1, &tx, 1, &ty);
    yq__node_set_ints(g, nd, "kernel_shape", (int64_t[]){2, 2}, 2);
    yq__node_set_ints(g, nd, "strides", (int64_t[]){2, 2}, 2);
    char err[256];
    struct yq__err e = {err, sizeof err};
    const struct yq__op_impl *impl = yq__op_impl_get(YQ__OP_MAX_POOL, true);
    CHECK(impl && yq__graph_index(g, &e) == YQ_STATUS_OK);
    if (impl) {
        CHECKF(impl->infer(g, nd, &e) == YQ_STATUS_OK, "%s", err);
        const struct yq__tensor *y = &g->tensors[ty];
        CHECK(y->dtype == YQ__DTYPE_S8 && y->layout == YQ__LAYOUT_NHWC && y->shape.d[1] == 4 &&
              y->shape.d[2] == 4 && y->shape.d[3] == 4);
    }
    yq__graph_free(g);
    static const enum yq__op ops[] = {
        YQ__OP_ADD,          YQ__OP_MUL,      YQ__OP_CONCAT,     YQ__OP_MAX_POOL,
        YQ__OP_RESIZE,       YQ__OP_UPSAMPLE, YQ__OP_SPLIT,      YQ__OP_SLICE,
        YQ__OP_RESHAPE,      YQ__OP_FLATTEN,  YQ__OP_SQUEEZE,    YQ__OP_UNSQUEEZE,
        YQ__OP_TRANSPOSE,    YQ__OP_IDENTITY, YQ__OP_PAD,        YQ__OP_SIGMOID,
        YQ__OP_SILU,         YQ__OP_RELU,     YQ__OP_LEAKY_RELU, YQ__OP_HARD_SWISH,
        YQ__OP_HARD_SIGMOID, YQ__OP_CLIP,     YQ__OP_TANH};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        CHECKF(yq__op_impl_get(ops[i], true) != NULL, "no int8 %s", yq__op_name(ops[i]));
}

/* A YOLO-like int8 chain whose intermediate shapes and dtypes come from the int8 operators'
 * infer (yq__graph_infer_shapes), run against the same graph with every shape given:
 * x -> MaxPool k5 (SPPF) -> Concat(x, pool) -> Resize 2x -> Add scalar -> Sigmoid ->
 * Mul(sigmoid, resize) -> Split [8, 24] -> Pad / LeakyRelu. */
struct chain {
    struct yq__graph *g;
    int tx, tout[2];
};

static int chain_t(struct yq__graph *g, const char *name, bool out, bool shapes, struct yq__shape s,
                   float scale, int zp)
{
    int t = out ? ot_output(g, name) : ot_tensor(g, name);
    if (shapes) {
        set_q(g, t, s, YQ__LAYOUT_NHWC, scale, zp);
    } else { /* parameters only, as the quantize pass sets them before inference */
        g->tensors[t].q.scale = scale;
        g->tensors[t].q.zero_point = zp;
    }
    return t;
}

static struct chain chain_build(bool shapes)
{
    struct chain c;
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    c.g = g;
    c.tx = q_in(g, "x", OT_SH(1, 8, 8, 16), YQ__LAYOUT_NHWC, 0.1f, -3);
    int tp = chain_t(g, "pool", false, shapes, OT_SH(1, 8, 8, 16), 0.1f, -3);
    int tc = chain_t(g, "cat", false, shapes, OT_SH(1, 8, 8, 32), 0.12f, 0);
    int tu = chain_t(g, "up", false, shapes, OT_SH(1, 16, 16, 32), 0.12f, 0);
    int ta = chain_t(g, "add", false, shapes, OT_SH(1, 16, 16, 32), 0.13f, 5);
    int ts = chain_t(g, "sig", false, shapes, OT_SH(1, 16, 16, 32), 1.0f / 255, -128);
    int tm = chain_t(g, "mul", false, shapes, OT_SH(1, 16, 16, 32), 0.07f, 0);
    int t0 = chain_t(g, "s0", false, shapes, OT_SH(1, 16, 16, 8), 0.07f, 0);
    int t1 = chain_t(g, "s1", false, shapes, OT_SH(1, 16, 16, 24), 0.07f, 0);
    c.tout[0] = chain_t(g, "pad", true, shapes, OT_SH(1, 18, 17, 8), 0.07f, 0);
    c.tout[1] = chain_t(g, "leaky", true, shapes, OT_SH(1, 16, 16, 24), 0.06f, -20);
    int nd = q_node(g, "pool", YQ__OP_MAX_POOL, 1, &c.tx, 1, &tp);
    yq__node_set_ints(g, nd, "kernel_shape", (int64_t[]){5, 5}, 2);
    yq__node_set_ints(g, nd, "pads", (int64_t[]){2, 2, 2, 2}, 4);
    nd = q_node(g, "cat", YQ__OP_CONCAT, 2, (int[]){c.tx, tp}, 1, &tc);
    yq__node_set_int(g, nd, "axis", 1);
    float sc[4] = {1, 1, 2, 2};
    int tsc = ot_const(g, "scales", YQ__DTYPE_F32, OT_SH(4), sc);
    nd = q_node(g, "up", YQ__OP_RESIZE, 3, (int[]){tc, -1, tsc}, 1, &tu);
    yq__node_set_string(g, nd, "mode", "nearest", 7);
    yq__node_set_string(g, nd, "coordinate_transformation_mode", "asymmetric", 10);
    yq__node_set_string(g, nd, "nearest_mode", "floor", 5);
    int8_t k = 90;
    int tk = q_const(g, "k", OT_SH(1), &k, 0.01f, 0);
    q_node(g, "add", YQ__OP_ADD, 2, (int[]){tu, tk}, 1, &ta);
    q_node(g, "sig", YQ__OP_SIGMOID, 1, &ta, 1, &ts);
    q_node(g, "mul", YQ__OP_MUL, 2, (int[]){ts, tu}, 1, &tm);
    int tsp = ot_const_i64(g, "split", 2, (int64_t[]){8, 24});
    nd = q_node(g, "split", YQ__OP_SPLIT, 2, (int[]){tm, tsp}, 2, (int[]){t0, t1});
    yq__node_set_int(g, nd, "axis", 1);
    int pads = ot_const_i64(g, "pads", 8, (int64_t[]){0, 0, 1, 0, 0, 0, 1, 1});
    q_node(g, "pad", YQ__OP_PAD, 2, (int[]){t0, pads}, 1, &c.tout[0]);
    nd = q_node(g, "leaky", YQ__OP_LEAKY_RELU, 1, &t1, 1, &c.tout[1]);
    yq__node_set_float(g, nd, "alpha", 0.1f);
    return c;
}

static void test_chain_infer(struct yq__pool *p)
{
    struct chain a = chain_build(false), b = chain_build(true);
    int8_t *x = rand_codes(8 * 8 * 16, -128, 127);
    void *ba[32] = {0}, *bb[32] = {0};
    ba[a.tx] = bb[b.tx] = x;
    char err[512];
    enum yq_status st = ot_run_ex(a.g, p, ba, true, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "chain with inference: %s", err);
    if (!st && run_q(b.g, p, bb)) {
        for (int t = 0; t < a.g->n_tensors; t++) {
            const struct yq__tensor *ta = &a.g->tensors[t], *tb = &b.g->tensors[t];
            if (ta->data || tb->dtype != YQ__DTYPE_S8) continue;
            CHECKF(ta->dtype == YQ__DTYPE_S8 && yq__shape_eq(&ta->shape, &tb->shape) &&
                       ta->layout == tb->layout,
                   "chain: '%s' inferred differently", ta->name);
        }
        for (int i = 0; i < 2; i++) {
            const struct yq__tensor *y = &a.g->tensors[a.tout[i]];
            CHECKF(y->dtype == YQ__DTYPE_S8, "chain: output %d dtype %s", i,
                   yq__dtype_name(y->dtype));
            CHECKF(memcmp(ba[a.tout[i]], bb[b.tout[i]],
                          (size_t)yq__shape_numel(&b.g->tensors[b.tout[i]].shape)) == 0,
                   "chain: output %d differs", i);
        }
    }
    ot_free(a.g, ba, 1);
    ot_free(b.g, bb, 1);
    yq__graph_free(a.g);
    yq__graph_free(b.g);
    yq__aligned_free(x);
}

/* ---- AveragePool, Softmax -------------------------------------------------------------- */

/* AveragePool keeps the input's parameters: the codes are the integer mean of (x - zp)
 * rounded half to even (exact reference below), so against the fp32 operator on the
 * dequantized input the bound is half an output step (plus fp32 noise of the twin's mean). */
static void avgpool(int k, int s, int pad, bool count_pad, bool global, int h, int w, int c,
                    struct yq__pool *p)
{
    int oh = global ? 1 : (h + 2 * pad - k) / s + 1, ow = global ? 1 : (w + 2 * pad - k) / s + 1;
    if (global) k = h, s = 1, pad = 0;
    float sc = 0.05f;
    int zp = 7;
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int8_t *x = rand_codes((int64_t)h * w * c, -128, 127);
    int tx = q_in(g, "x", OT_SH(1, h, w, c), YQ__LAYOUT_NHWC, sc, zp);
    int ty = q_out(g, "y", OT_SH(1, oh, ow, c), YQ__LAYOUT_NHWC, sc, zp);
    int nd = q_node(g, "pool", global ? YQ__OP_GLOBAL_AVERAGE_POOL : YQ__OP_AVERAGE_POOL, 1, &tx,
                    1, &ty);
    if (!global) {
        yq__node_set_ints(g, nd, "kernel_shape", (int64_t[]){k, k}, 2);
        yq__node_set_ints(g, nd, "strides", (int64_t[]){s, s}, 2);
        yq__node_set_ints(g, nd, "pads", (int64_t[]){pad, pad, pad, pad}, 4);
        yq__node_set_int(g, nd, "count_include_pad", count_pad);
    }
    void *bufs[8] = {0};
    bufs[tx] = x;
    char what[64];
    snprintf(what, sizeof what, "%s k%d s%d p%d%s", global ? "GlobalAveragePool" : "AveragePool",
             k, s, pad, count_pad ? " count_include_pad" : "");
    if (run_q(g, p, bufs)) {
        int8_t *ref = rand_codes((int64_t)oh * ow * c, 0, 0);
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int ch = 0; ch < c; ch++) {
                    int sum = 0, cnt = 0;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * s - pad + ky, ix = ox * s - pad + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                sum += x[((int64_t)iy * w + ix) * c + ch] - zp;
                                cnt++;
                            }
                        }
                    if (count_pad) cnt = k * k; /* no ceil-mode overhang in these cases */
                    /* nearest-even of sum / cnt, in double (exact for these magnitudes) */
                    double q = nearbyint((double)sum / cnt) + zp;
                    ref[((int64_t)oy * ow + ox) * c + ch] = (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
                }
        codes_eq(bufs[ty], ref, (int64_t)oh * ow * c, what);
        yq__aligned_free(ref);
        check_twin(g, bufs, p, half_step(g, ty, range_abs(g, tx)), what);
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

/* Softmax along the channels of an NHWC tensor (FastestDet's class scores) and along a
 * plain last axis. Output parameters of [0, 1]: the twin is the fp32 softmax of the
 * dequantized input; the bound is half an output step plus fp32 noise of the exponentials
 * (the int8 side takes exp(-d * s_in) from its table, the twin exp(x - max)). */
static void softmax(bool nhwc, int rows, int len, float si, int zi, struct yq__pool *p)
{
    struct yq__graph *g;
    yq__graph_create("t.onnx", &g);
    int64_t n = (int64_t)rows * len;
    int8_t *x = rand_codes(n, -128, 127);
    struct yq__shape sh = nhwc ? OT_SH(1, rows, 1, len) : OT_SH(rows, len);
    int tx = q_in(g, "x", sh, nhwc ? YQ__LAYOUT_NHWC : YQ__LAYOUT_PLAIN, si, zi);
    int ty = q_out(g, "y", sh, nhwc ? YQ__LAYOUT_NHWC : YQ__LAYOUT_PLAIN, 1.0f / 255, -128);
    int nd = q_node(g, "softmax", YQ__OP_SOFTMAX, 1, &tx, 1, &ty);
    yq__node_set_int(g, nd, "axis", nhwc ? 1 : -1); /* ONNX axis 1 of NCHW = the channels */
    void *bufs[8] = {0};
    bufs[tx] = x;
    char what[64];
    snprintf(what, sizeof what, "Softmax %s %dx%d", nhwc ? "NHWC channels" : "last axis", rows, len);
    if (run_q(g, p, bufs)) {
        int8_t *ref = rand_codes(n, 0, 0);
        for (int r = 0; r < rows; r++) {
            const int8_t *xr = x + (int64_t)r * len;
            int m = -128;
            for (int k = 0; k < len; k++) m = YQ_MAX(m, xr[k]);
            double sum = 0;
            for (int k = 0; k < len; k++) sum += exp(-(double)(m - xr[k]) * si);
            for (int k = 0; k < len; k++)
                ref[(int64_t)r * len + k] = quant((float)(exp(-(double)(m - xr[k]) * si) / sum),
                                                  1.0f / 255, -128);
        }
        /* double reference: codes may differ only at rounding ties, by one */
        int64_t off = 0;
        for (int64_t i = 0; i < n; i++) off += abs(((int8_t *)bufs[ty])[i] - ref[i]) > 1 ? 1 : 0;
        CHECKF(off == 0, "%s: %lld codes more than 1 from the double reference", what, (long long)off);
        yq__aligned_free(ref);
        check_twin(g, bufs, p, half_step(g, ty, 1.0), what);
    }
    ot_free(g, bufs, 1);
    yq__graph_free(g);
    yq__aligned_free(x);
}

static void test_avg_softmax(struct yq__pool *p)
{
    avgpool(3, 2, 0, false, false, 22, 22, 48, p); /* FastestDet's */
    avgpool(3, 1, 1, false, false, 9, 7, 5, p);
    avgpool(3, 1, 1, true, false, 9, 7, 5, p);
    avgpool(2, 2, 0, false, false, 8, 8, 3, p);
    avgpool(0, 0, 0, false, true, 10, 10, 17, p);
    softmax(true, 484, 80, 0.08f, 10, p); /* FastestDet: 22x22 cells, 80 classes */
    softmax(false, 37, 5, 0.03f, -128, p);
    softmax(false, 3, 1, 0.5f, 0, p);
}

static void all(struct yq__pool *p)
{
    test_avg_softmax(p);
    test_add_mul(p);
    concat(true, p);
    concat(false, p);
    concat_axis(true, p);
    concat_axis(false, p);
    test_lut(p);
    maxpool(5, 1, 2, 20, 20, 32, p); /* YOLOv5 SPPF */
    maxpool(2, 2, 0, 16, 16, 8, p);
    maxpool(3, 2, 1, 13, 11, 5, p);
    test_resize(p);
    split(p);
    movers(p);
    pad_nhwc(p);
    test_chain_infer(p);
}

int main(void)
{
    all(NULL);
    CHECK(yq__pool_create(2, &pool) == YQ_STATUS_OK);
    all(pool);
    yq__pool_free(pool);
    test_errors();
    test_infer();
    return yq_test_finish();
}
