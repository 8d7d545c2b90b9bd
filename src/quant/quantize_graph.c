/* SPDX-License-Identifier: Apache-2.0 */
/* The quantize pass (quantize.h): decides node by node, in topological order, which nodes
 * run in int8, gives their tensors parameters (propagated unchanged through code-moving
 * ops), quantizes Conv weights and biases into new constants, fuses Conv + activation,
 * inserts yq.Quantize / yq.Dequantize at the int8/float borders and fills the report. */
#include "quant/quantize.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ops/op.h"
#include "passes/passes.h"
#include "quant/quant.h"

/* int8 GEMM bound (kernels.h): k <= 16384 keeps every partial sum within int32 ... */
#define MAX_DEPTH 16384
/* ... provided |bias| <= 2^29 (the packing also folds -zp * sum w into it). */
#define MAX_BIAS (1 << 29)
#define REASON_CAP 112

enum kind {
    KIND_NONE = 0, /* no int8 implementation in the contract */
    KIND_CONV,
    KIND_ELTWISE, /* Add, Mul */
    KIND_CONCAT,
    KIND_MOVE, /* output parameters equal the input's */
    KIND_LUT,
};

struct qp {
    float scale;
    int32_t zp;
};

struct state {
    struct yq__graph *g;
    const struct yq__quantize_options *o;
    struct yq__err *e;
    int n_t;       /* tensors before the pass; the per-tensor arrays cover these */
    int n_n;       /* nodes before the pass */
    int image;     /* the image input, or -1 */
    bool *has_qp;  /* [n_t] tensor has int8 parameters (own, propagated or its range) */
    struct qp *qp; /* [n_t] */
    bool *s8;      /* [n_t] produced in int8 by an int8 node (or the image input) */
    char *why;     /* [n_n * REASON_CAP] why a node stays float */
    int *s8_of;    /* [n_t] the S8 version of a tensor, -1 until made */
    int *f32_of;   /* [n_t] the F32 version of a tensor, -1 until made */
    int n_boundaries;
};

void yq__quantize_options_init(struct yq__quantize_options *o)
{
    memset(o, 0, sizeof *o);
    o->per_channel = true;
    o->act_mode = YQ__ACT_MODE_LUT;
    o->float_outputs = true;
    /* Ultralytics YOLO preprocessing: x / 255 */
    for (int c = 0; c < 3; c++) {
        o->mean[c] = 0.0f;
        o->std[c] = 255.0f;
    }
}

void yq__quantize_report_free(struct yq__quantize_report *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n_kept; i++) {
        yq__free(r->kept[i].node);
        yq__free(r->kept[i].op);
        yq__free(r->kept[i].reason);
    }
    yq__free(r->kept);
    memset(r, 0, sizeof *r);
}

static int single_consumer(const struct yq__graph *g, int t);
static void unify_concat_inputs(struct state *s, int ni, struct qp oq);

static enum kind kind_of(enum yq__op op)
{
    switch (op) {
    case YQ__OP_CONV:
        return KIND_CONV;
    case YQ__OP_ADD:
    case YQ__OP_MUL:
        return KIND_ELTWISE;
    case YQ__OP_CONCAT:
        return KIND_CONCAT;
    case YQ__OP_MAX_POOL:
    case YQ__OP_AVERAGE_POOL:
    case YQ__OP_GLOBAL_AVERAGE_POOL:
    case YQ__OP_RESIZE:
    case YQ__OP_UPSAMPLE:
    case YQ__OP_SPLIT:
    case YQ__OP_SLICE:
    case YQ__OP_GATHER:
    case YQ__OP_RESHAPE:
    case YQ__OP_FLATTEN:
    case YQ__OP_SQUEEZE:
    case YQ__OP_UNSQUEEZE:
    case YQ__OP_TRANSPOSE:
    case YQ__OP_IDENTITY:
    case YQ__OP_PAD:
        return KIND_MOVE;
    case YQ__OP_SIGMOID:
    case YQ__OP_SILU:
    case YQ__OP_RELU:
    case YQ__OP_LEAKY_RELU:
    case YQ__OP_HARD_SWISH:
    case YQ__OP_HARD_SIGMOID:
    case YQ__OP_CLIP:
    case YQ__OP_TANH:
    case YQ__OP_SOFTMAX: /* not a table, but like one: input codes in, own output parameters */
        return KIND_LUT;
    default:
        return KIND_NONE;
    }
}

static bool finite_range(const struct yq__tensor *t)
{
    return t->has_range && isfinite(t->range_min) && isfinite(t->range_max);
}

static struct qp qp_of_range(float lo, float hi)
{
    struct yq__qparams q;
    yq__qparams_from_range(lo, hi, &q);
    return (struct qp){q.scale, q.zero_point};
}

static bool qp_eq(struct qp a, struct qp b)
{
    return a.scale == b.scale && a.zp == b.zp;
}

static bool is_activation(const struct yq__tensor *t)
{
    return t->dtype == YQ__DTYPE_F32 && !t->data;
}

/* A new tensor name: base if free, else base__N. */
static const char *fresh_name(struct yq__graph *g, const char *base, char *buf, size_t cap)
{
    if (yq__graph_find(g, base) < 0) {
        snprintf(buf, cap, "%s", base);
        return buf;
    }
    return yq__graph_unique_name(g, base, buf, cap);
}

static enum yq_status oom(struct state *s)
{
    return yq__errf(s->e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory in the quantize pass",
                    s->g->source);
}

/* Parameters of the image input from the preprocessing real = (u8 - mean[c]) / std[c]. */
static enum yq_status image_params(struct state *s, struct qp *out)
{
    const struct yq__quantize_options *o = s->o;
    for (int c = 0; c < 3; c++)
        if (!(o->std[c] > 0.0f) || !isfinite(o->std[c]) || !isfinite(o->mean[c]))
            return yq__errf(s->e, YQ_STATUS_INVALID_ARGUMENT,
                            "%s: preprocessing std[%d] = %g / mean[%d] = %g is not usable",
                            s->g->source, c, (double)o->std[c], c, (double)o->mean[c]);
    bool same = o->mean[0] == o->mean[1] && o->mean[0] == o->mean[2] && o->std[0] == o->std[1] &&
                o->std[0] == o->std[2];
    if (same && o->mean[0] == floorf(o->mean[0]) && o->mean[0] >= 0.0f && o->mean[0] <= 255.0f) {
        /* exact: q = u8 - 128 */
        *out = (struct qp){1.0f / o->std[0], (int32_t)o->mean[0] - 128};
        return YQ_STATUS_OK;
    }
    float lo = 0.0f, hi = 0.0f;
    for (int c = 0; c < 3; c++) {
        float a = (0.0f - o->mean[c]) / o->std[c], b = (255.0f - o->mean[c]) / o->std[c];
        lo = c == 0 || a < lo ? a : lo;
        hi = c == 0 || b > hi ? b : hi;
    }
    *out = qp_of_range(lo, hi);
    return YQ_STATUS_OK;
}

/* Inputs of node that carry activations (the others are parameters: weights, shapes...). */
static bool is_data_input(enum kind k, int j)
{
    switch (k) {
    case KIND_ELTWISE:
        return j < 2;
    case KIND_CONCAT:
        return true;
    default:
        return j == 0;
    }
}

/* A channel whose weights are tiny next to its bias (a dead filter, a near-constant
 * output) gets a weight scale so small that its int32 bias would pass the kernels' 2^29
 * headroom. Widen that scale until the bias fits and requantize the row: its weights lose
 * precision they never had (they round towards 0), the layer stays int8. */
static void widen_for_bias(const float *w, const float *bias, int64_t m, int64_t k, float s_in,
                           float *sc, size_t n_sc, int8_t *qw)
{
    const double limit = 0.99 * MAX_BIAS;
    for (size_t c = 0; c < n_sc; c++) {
        double need = 0.0;
        for (int64_t j = (n_sc == 1 ? 0 : (int64_t)c); j < (n_sc == 1 ? m : (int64_t)c + 1); j++) {
            double v = fabs((double)bias[j]) / ((double)s_in * limit);
            need = v > need ? v : need;
        }
        if (!(need > sc[c]) || !isfinite(need))
            continue;
        sc[c] = (float)need;
        int64_t j0 = n_sc == 1 ? 0 : (int64_t)c, j1 = n_sc == 1 ? m : (int64_t)c + 1;
        for (int64_t j = j0; j < j1; j++)
            for (int64_t p = 0; p < k; p++)
                qw[j * k + p] = yq__quantize_s8(w[j * k + p], sc[c], 0);
    }
}

/* Quantizes the weights (and bias) of Conv node ni with input scale s_in into new constants
 * and rewires the node; or writes why it cannot (then returns OK and sets *ok = false). */
static enum yq_status quantize_conv(struct state *s, int ni, float s_in, bool *ok, char *why)
{
    struct yq__graph *g = s->g;
    const struct yq__node *nd = &g->nodes[ni];
    const struct yq__tensor *w = &g->tensors[nd->in[1]];
    int bi = nd->n_in > 2 ? nd->in[2] : -1;
    *ok = false;
    int64_t m = w->shape.d[0], k = w->shape.d[1] * w->shape.d[2] * w->shape.d[3];
    if (k > MAX_DEPTH) {
        snprintf(why, REASON_CAP, "accumulator depth %lld > %d", (long long)k, MAX_DEPTH);
        return YQ_STATUS_OK;
    }
    if (m < 1 || k < 1 || m > (int64_t)w->nbytes || (size_t)(m * k) * sizeof(float) > w->nbytes) {
        snprintf(why, REASON_CAP, "weight shape does not match its data");
        return YQ_STATUS_OK;
    }
    const struct yq__tensor *b = bi >= 0 ? &g->tensors[bi] : NULL;
    if (b && (!b->data || b->dtype != YQ__DTYPE_F32 || yq__shape_numel(&b->shape) != m ||
              (size_t)m * sizeof(float) > b->nbytes)) {
        snprintf(why, REASON_CAP, "bias is not a constant f32 [%lld]", (long long)m);
        return YQ_STATUS_OK;
    }
    size_t n_sc = s->o->per_channel ? (size_t)m : 1;
    int8_t *qw = yq__aligned_alloc((size_t)(m * k));
    float *sc = yq__malloc(n_sc * sizeof *sc);
    int32_t *qb = b ? yq__aligned_alloc((size_t)m * sizeof *qb) : NULL;
    enum yq_status st = YQ_STATUS_OK;
    if (!qw || !sc || (b && !qb)) {
        st = oom(s);
        goto done;
    }
    st = yq__quant_weights_s8(w->name, w->data, (size_t)m, (size_t)k, s->o->per_channel, qw, sc,
                              s->e);
    if (st)
        goto done;
    if (b)
        widen_for_bias(w->data, b->data, m, k, s_in, sc, n_sc, qw);
    if (b) {
        size_t n_sat = 0;
        st = yq__quant_bias_s32(b->name, b->data, (size_t)m, s_in, sc, n_sc, qb, &n_sat, s->e);
        if (st)
            goto done;
        if (n_sat) {
            snprintf(why, REASON_CAP, "bias overflows int32 (%zu channels)", n_sat);
            goto done;
        }
        for (int64_t j = 0; j < m; j++) {
            if (qb[j] > MAX_BIAS || qb[j] < -MAX_BIAS) {
                snprintf(why, REASON_CAP, "int32 bias %ld of channel %lld exceeds 2^29",
                         (long)qb[j], (long long)j);
                goto done;
            }
        }
    }
    char name[256], base[240];
    snprintf(base, sizeof base, "%s_s8", w->name);
    struct yq__shape wsh = w->shape;
    int wq = yq__graph_add_const(g, fresh_name(g, base, name, sizeof name), YQ__DTYPE_S8, &wsh, qw,
                                 (size_t)(m * k));
    qw = NULL; /* owned by the graph (or freed on failure) */
    if (wq < 0) {
        st = oom(s);
        goto done;
    }
    struct yq__tensor *wt = &g->tensors[wq];
    wt->layout = YQ__LAYOUT_PLAIN;
    if (s->o->per_channel) {
        wt->q.n_channels = (int)m;
        wt->q.axis = 0;
        wt->q.channel_scales = sc;
        wt->q.scale = 0.0f;
    } else {
        wt->q.scale = sc[0];
        yq__free(sc);
    }
    sc = NULL;
    g->nodes[ni].in[1] = wq;
    if (b) {
        struct yq__shape bsh = g->tensors[bi].shape;
        snprintf(base, sizeof base, "%s_s32", g->tensors[bi].name);
        int bq = yq__graph_add_const(g, fresh_name(g, base, name, sizeof name), YQ__DTYPE_S32, &bsh,
                                     qb, (size_t)m * sizeof *qb);
        qb = NULL;
        if (bq < 0) {
            st = oom(s);
            goto done;
        }
        g->nodes[ni].in[2] = bq;
    }
    *ok = true;
done:
    yq__aligned_free(qw);
    yq__aligned_free(qb);
    yq__free(sc);
    return st;
}

/* The single-element F32 constant operand of Add/Mul becomes an S8 constant that holds its
 * value exactly at code 127 (or -128): range [min(v,0), max(v,0)]. */
static enum yq_status quantize_scalar(struct state *s, int ni, int j)
{
    struct yq__graph *g = s->g;
    const struct yq__tensor *c = &g->tensors[g->nodes[ni].in[j]];
    float v = *(const float *)c->data;
    struct qp q = qp_of_range(v, v);
    int8_t *d = yq__aligned_alloc(1);
    if (!d)
        return oom(s);
    d[0] = yq__quantize_s8(v, q.scale, q.zp);
    char name[256], base[240];
    snprintf(base, sizeof base, "%s_s8", c->name);
    struct yq__shape sh = c->shape;
    int t = yq__graph_add_const(g, fresh_name(g, base, name, sizeof name), YQ__DTYPE_S8, &sh, d, 1);
    if (t < 0)
        return oom(s);
    g->tensors[t].q.scale = q.scale;
    g->tensors[t].q.zero_point = q.zp;
    g->nodes[ni].in[j] = t;
    return YQ_STATUS_OK;
}

static bool scalar_const(const struct yq__tensor *t)
{
    return t->data && t->dtype == YQ__DTYPE_F32 && yq__shape_numel(&t->shape) == 1 &&
           t->nbytes >= sizeof(float) && isfinite(*(const float *)t->data);
}

/* Op-specific attribute checks of code-moving and LUT ops; returns a reason or NULL. */
static const char *attr_reason(const struct yq__graph *g, const struct yq__node *nd)
{
    switch (nd->op) {
    case YQ__OP_RESIZE:
    case YQ__OP_UPSAMPLE:
        if (strcmp(yq__attr_string(nd, "mode", "nearest"), "nearest") != 0)
            return "only nearest Resize runs in int8";
        return NULL;
    case YQ__OP_PAD: {
        if (strcmp(yq__attr_string(nd, "mode", "constant"), "constant") != 0)
            return "only constant Pad runs in int8";
        float v = yq__attr_float(nd, "value", 0.0f);
        if (nd->n_in > 2 && nd->in[2] >= 0) {
            const struct yq__tensor *c = &g->tensors[nd->in[2]];
            if (!scalar_const(c))
                return "Pad value is not a constant scalar";
            v = *(const float *)c->data;
        }
        return v == 0.0f ? NULL : "Pad value is not 0";
    }
    case YQ__OP_MAX_POOL:
        return nd->n_out > 1 && nd->out[1] >= 0 ? "MaxPool indices output" : NULL;
    case YQ__OP_CLIP:
        for (int j = 1; j < nd->n_in; j++)
            if (nd->in[j] >= 0)
                return "Clip with min/max inputs";
        return NULL;
    default:
        return NULL;
    }
}

/* Decides node ni; on int8 marks it quantized and sets its outputs' parameters, else writes
 * the reason into why. */
static enum yq_status decide(struct state *s, int ni, char *why)
{
    struct yq__graph *g = s->g;
    struct yq__node *nd = &g->nodes[ni];
    enum kind k = kind_of(nd->op);
    why[0] = '\0';
    if (k == KIND_NONE) {
        snprintf(why, REASON_CAP, "no int8 implementation");
        return YQ_STATUS_OK;
    }
    if (!yq__op_impl_get(nd->op, true)) {
        snprintf(why, REASON_CAP, "no int8 implementation in this build");
        return YQ_STATUS_OK;
    }
    if (nd->act.kind != YQ__ACT_NONE) {
        snprintf(why, REASON_CAP, "activation already fused in float");
        return YQ_STATUS_OK;
    }
    bool outs_ok = nd->op == YQ__OP_SPLIT      ? nd->n_out >= 1
                   : nd->op == YQ__OP_MAX_POOL ? nd->n_out == 1 || nd->n_out == 2
                                               : nd->n_out == 1;
    if (k == KIND_ELTWISE && nd->n_in != 2) {
        snprintf(why, REASON_CAP, "%d inputs", nd->n_in);
        return YQ_STATUS_OK;
    }
    if (!outs_ok || nd->out[0] < 0) {
        snprintf(why, REASON_CAP, "%d outputs", nd->n_out);
        return YQ_STATUS_OK;
    }
    for (int j = 0; j < nd->n_out; j++) {
        int t = nd->out[j];
        if (t >= 0 && (t >= s->n_t || g->tensors[t].dtype != YQ__DTYPE_F32) &&
            !(nd->op == YQ__OP_MAX_POOL && j > 0)) {
            snprintf(why, REASON_CAP, "output is not f32");
            return YQ_STATUS_OK;
        }
    }
    const char *r = attr_reason(g, nd);
    if (r) {
        snprintf(why, REASON_CAP, "%s", r);
        return YQ_STATUS_OK;
    }
    int n_data = 0, scalar_j = -1;
    for (int j = 0; j < nd->n_in; j++) {
        int t = nd->in[j];
        if (t < 0)
            continue;
        const struct yq__tensor *tt = &g->tensors[t];
        if (!is_data_input(k, j)) {
            if (is_activation(tt) && (tt->producer >= 0 || tt->is_input)) {
                snprintf(why, REASON_CAP, "parameter input '%s' is not a constant", tt->name);
                return YQ_STATUS_OK;
            }
            continue;
        }
        if (k == KIND_ELTWISE && scalar_const(tt) && scalar_j < 0) {
            scalar_j = j;
            continue;
        }
        if (!is_activation(tt) || t >= s->n_t) {
            snprintf(why, REASON_CAP, "input '%s' is not an f32 activation", tt->name);
            return YQ_STATUS_OK;
        }
        if (!s->has_qp[t]) {
            snprintf(why, REASON_CAP, "no calibration range for input '%s'", tt->name);
            return YQ_STATUS_OK;
        }
        if (k == KIND_MOVE && !s->s8[t]) {
            /* Quantize -> move -> Dequantize would only add rounding */
            snprintf(why, REASON_CAP, "input '%s' stays in float", tt->name);
            return YQ_STATUS_OK;
        }
        n_data++;
    }
    if (n_data == 0) {
        snprintf(why, REASON_CAP, "no activation input");
        return YQ_STATUS_OK;
    }
    int out = nd->out[0];
    const struct yq__tensor *ot = &g->tensors[out];
    bool float_epilogue = false;
    struct qp oq = {0, 0};
    switch (k) {
    case KIND_CONV: {
        const struct yq__tensor *x = &g->tensors[nd->in[0]];
        const struct yq__tensor *w = nd->n_in > 1 && nd->in[1] >= 0 ? &g->tensors[nd->in[1]] : NULL;
        if (!w || !w->data || w->dtype != YQ__DTYPE_F32 || w->shape.rank != 4) {
            snprintf(why, REASON_CAP, "weight is not a constant f32 4D tensor");
            return YQ_STATUS_OK;
        }
        if (x->shape.rank != 4 || x->layout != YQ__LAYOUT_NHWC) {
            snprintf(why, REASON_CAP, "input is not NHWC 4D");
            return YQ_STATUS_OK;
        }
        float_epilogue = s->o->float_outputs && ot->is_output;
        if (!float_epilogue) {
            if (!finite_range(ot)) {
                snprintf(why, REASON_CAP, "no calibration range for output '%s'", ot->name);
                return YQ_STATUS_OK;
            }
            oq = qp_of_range(ot->range_min, ot->range_max);
        }
        bool ok;
        enum yq_status st = quantize_conv(s, ni, s->qp[nd->in[0]].scale, &ok, why);
        if (st || !ok)
            return st;
        nd = &g->nodes[ni];
        break;
    }
    case KIND_ELTWISE: {
        if (scalar_j < 0 &&
            !yq__shape_eq(&g->tensors[nd->in[0]].shape, &g->tensors[nd->in[1]].shape)) {
            snprintf(why, REASON_CAP, "broadcasting inputs");
            return YQ_STATUS_OK;
        }
        if (!finite_range(ot)) {
            snprintf(why, REASON_CAP, "no calibration range for output '%s'", ot->name);
            return YQ_STATUS_OK;
        }
        oq = qp_of_range(ot->range_min, ot->range_max);
        if (scalar_j >= 0) {
            enum yq_status st = quantize_scalar(s, ni, scalar_j);
            if (st)
                return st;
            nd = &g->nodes[ni];
        }
        break;
    }
    case KIND_CONCAT: {
        bool same = true;
        for (int j = 1; j < nd->n_in; j++)
            same = same && nd->in[j] >= 0 && qp_eq(s->qp[nd->in[j]], s->qp[nd->in[0]]);
        if (same) {
            oq = s->qp[nd->in[0]];
        } else if (finite_range(ot)) {
            oq = qp_of_range(ot->range_min, ot->range_max);
            unify_concat_inputs(s, ni, oq);
        } else {
            snprintf(why, REASON_CAP, "no calibration range for output '%s'", ot->name);
            return YQ_STATUS_OK;
        }
        break;
    }
    case KIND_MOVE:
        oq = s->qp[nd->in[0]];
        break;
    case KIND_LUT:
        if (!finite_range(ot)) {
            snprintf(why, REASON_CAP, "no calibration range for output '%s'", ot->name);
            return YQ_STATUS_OK;
        }
        oq = qp_of_range(ot->range_min, ot->range_max);
        break;
    default:
        break;
    }
    nd->quantized = true;
    for (int j = 0; j < nd->n_out; j++) {
        int t = nd->out[j];
        if (t < 0 || (nd->op == YQ__OP_MAX_POOL && j > 0))
            continue;
        if (float_epilogue) {
            /* F32 head output: int8 consumers (if any) quantize it from its range */
            continue;
        }
        s->has_qp[t] = true;
        s->qp[t] = oq;
        s->s8[t] = true;
    }
    return YQ_STATUS_OK;
}

static int single_consumer(const struct yq__graph *g, int t)
{
    int user = -1, n = 0;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        const struct yq__node *nd = &g->nodes[ni];
        if (nd->dead)
            continue;
        for (int j = 0; j < nd->n_in; j++) {
            if (nd->in[j] == t) {
                user = ni;
                n++;
            }
        }
    }
    return n == 1 ? user : -1;
}

/* An input that only this Concat reads, made by an int8 op that requantizes anyway (Conv,
 * Add/Mul, LUT, Concat), takes the Concat's parameters: its producer writes the codes the
 * Concat would have produced and the Concat becomes a copy (TFLite and RKNN do the same).
 * The output range is the union of the inputs', so the narrower input gives up a little
 * resolution; code-moving producers keep their input's parameters and stay requantized. */
static void unify_concat_inputs(struct state *s, int ni, struct qp oq)
{
    const struct yq__graph *g = s->g;
    const struct yq__node *nd = &g->nodes[ni];
    for (int j = 0; j < nd->n_in; j++) {
        int t = nd->in[j];
        if (t < 0 || !s->s8[t] || g->tensors[t].is_output || g->tensors[t].producer < 0 ||
            single_consumer(g, t) != ni)
            continue;
        enum kind pk = kind_of(g->nodes[g->tensors[t].producer].op);
        if (pk == KIND_CONV || pk == KIND_ELTWISE || pk == KIND_LUT || pk == KIND_CONCAT)
            s->qp[t] = oq;
    }
}

/* Parameters of a fused activation's pre-activation code (LUT mode). The 256 codes only need
 * to resolve the input range where the activation is not flat: below -10 SiLU and Sigmoid
 * are within 5e-4 of their limit (under half an output step of any real tensor), above 10
 * Sigmoid likewise, ReLU and HardSwish are 0 below 0 and -3, Clip is flat outside its
 * bounds. Saturating there costs nothing and sharpens the step where it matters (a YOLOv5
 * conv output seen as [-45, 18] keeps [-10, 18]: 2.2x finer). */
static struct qp pre_params(const struct yq__tensor *t, const struct yq__act *act)
{
    float lo = t->range_min, hi = t->range_max;
    switch (act->kind) {
    case YQ__ACT_SILU:
        lo = lo > -10.0f ? lo : -10.0f;
        break;
    case YQ__ACT_SIGMOID:
        lo = lo > -10.0f ? lo : -10.0f;
        hi = hi < 10.0f ? hi : 10.0f;
        break;
    case YQ__ACT_RELU:
        lo = lo > 0.0f ? lo : 0.0f;
        break;
    case YQ__ACT_HARD_SWISH:
        lo = lo > -3.0f ? lo : -3.0f;
        break;
    case YQ__ACT_CLIP:
        lo = lo > act->alpha ? lo : act->alpha;
        hi = hi < act->beta ? hi : act->beta;
        break;
    default:
        break;
    }
    return qp_of_range(lo, hi > lo ? hi : lo);
}

/* Conv + activation: the int8 Conv writes the activation's output. */
static enum yq_status fuse_acts(struct state *s)
{
    struct yq__graph *g = s->g;
    for (int ni = 0; ni < s->n_n; ni++) {
        struct yq__node *c = &g->nodes[ni];
        if (c->dead || !c->quantized || c->op != YQ__OP_CONV || c->act.kind != YQ__ACT_NONE)
            continue;
        int t0 = c->out[0];
        if (g->tensors[t0].is_output || !s->s8[t0])
            continue;
        int ai = single_consumer(g, t0);
        if (ai < 0)
            continue;
        struct yq__node *a = &g->nodes[ai];
        struct yq__act act;
        if (!a->quantized || a->n_in < 1 || a->in[0] != t0 || !yq__act_of(a, &act))
            continue;
        c->act = act;
        c->out[0] = a->out[0];
        if (s->o->float_outputs && g->tensors[a->out[0]].is_output)
            s->s8[a->out[0]] = false; /* float epilogue; int8 users quantize its range */
        a->dead = true;
        bool ok;
        if (s->o->act_mode == YQ__ACT_MODE_FLOAT) {
            ok = yq__node_set_string(g, ni, "yq.act_mode", "float", 5);
        } else {
            struct qp pre = pre_params(&g->tensors[t0], &act);
            ok = yq__node_set_string(g, ni, "yq.act_mode", "lut", 3) &&
                 yq__node_set_float(g, ni, "yq.pre_scale", pre.scale) &&
                 yq__node_set_int(g, ni, "yq.pre_zero_point", pre.zp);
        }
        if (!ok)
            return oom(s);
        s->s8[t0] = false;
    }
    return YQ_STATUS_OK;
}

/* Adds yq.Quantize (to_s8) or yq.Dequantize from tensor `from` to a new or given tensor. */
static enum yq_status add_boundary(struct state *s, int from, int to, bool to_s8)
{
    struct yq__graph *g = s->g;
    char name[300];
    snprintf(name, sizeof name, "%s/%s", g->tensors[to].name,
             to_s8 ? "yq.Quantize" : "yq.Dequantize");
    int n =
        yq__graph_add_node(g, name, to_s8 ? YQ__OP_QUANTIZE : YQ__OP_DEQUANTIZE, 1, &from, 1, &to);
    if (n < 0)
        return oom(s);
    g->nodes[n].quantized = true;
    s->n_boundaries++;
    return YQ_STATUS_OK;
}

static int add_version(struct state *s, int t, bool s8)
{
    struct yq__graph *g = s->g;
    char name[256], base[240];
    snprintf(base, sizeof base, "%s%s", g->tensors[t].name, s8 ? "_q" : "_dq");
    struct yq__shape sh = g->tensors[t].shape;
    int v = yq__graph_add_tensor(g, fresh_name(g, base, name, sizeof name),
                                 s8 ? YQ__DTYPE_S8 : YQ__DTYPE_F32, &sh);
    if (v < 0)
        return -1;
    struct yq__tensor *vt = &g->tensors[v], *tt = &g->tensors[t];
    vt->layout = tt->layout;
    vt->range_min = tt->range_min;
    vt->range_max = tt->range_max;
    vt->has_range = tt->has_range;
    if (s8) {
        vt->q.scale = s->qp[t].scale;
        vt->q.zero_point = s->qp[t].zp;
    }
    return v;
}

/* The version of tensor t (orig index) a consumer needs; makes it on first use. */
static enum yq_status version(struct state *s, int t, bool s8, int *out)
{
    int *slot = s8 ? &s->s8_of[t] : &s->f32_of[t];
    if (*slot < 0) {
        int v = add_version(s, t, s8);
        if (v < 0)
            return oom(s);
        int from = s8 ? s->f32_of[t] : s->s8_of[t];
        enum yq_status st = add_boundary(s, from, v, s8);
        if (st)
            return st;
        *slot = v;
    }
    *out = *slot;
    return YQ_STATUS_OK;
}

static enum yq_status insert_boundaries(struct state *s)
{
    struct yq__graph *g = s->g;
    enum yq_status st;
    for (int t = 0; t < s->n_t; t++) {
        s->s8_of[t] = s->s8[t] ? t : -1;
        s->f32_of[t] = s->s8[t] ? -1 : t;
    }
    /* Set S8 tensors' dtype and parameters. */
    for (int t = 0; t < s->n_t; t++) {
        if (!s->s8[t])
            continue;
        struct yq__tensor *tt = &g->tensors[t];
        tt->dtype = YQ__DTYPE_S8;
        tt->q.scale = s->qp[t].scale;
        tt->q.zero_point = s->qp[t].zp;
        tt->q.n_channels = 0;
    }
    /* Float graph outputs produced in int8: the producer writes a renamed S8 tensor and a
     * Dequantize writes the output under its own name. */
    if (s->o->float_outputs) {
        for (int i = 0; i < g->n_outputs; i++) {
            int t = g->outputs[i];
            if (t >= s->n_t || !s->s8[t] || s->f32_of[t] >= 0 || t == s->image)
                continue;
            int v = add_version(s, t, true);
            if (v < 0)
                return oom(s);
            for (int ni = 0; ni < g->n_nodes; ni++) {
                struct yq__node *nd = &g->nodes[ni];
                if (nd->dead)
                    continue;
                for (int j = 0; j < nd->n_in; j++)
                    if (nd->in[j] == t)
                        nd->in[j] = v;
                for (int j = 0; j < nd->n_out; j++)
                    if (nd->out[j] == t)
                        nd->out[j] = v;
            }
            struct yq__tensor *tt = &g->tensors[t];
            tt->dtype = YQ__DTYPE_F32;
            memset(&tt->q, 0, sizeof tt->q);
            s->s8_of[t] = v;
            s->f32_of[t] = t;
            if ((st = add_boundary(s, v, t, false)))
                return st;
        }
    }
    /* Every consumer gets the version it computes in. */
    int n_nodes = g->n_nodes;
    for (int ni = 0; ni < n_nodes; ni++) {
        if (g->nodes[ni].dead || g->nodes[ni].op == YQ__OP_QUANTIZE ||
            g->nodes[ni].op == YQ__OP_DEQUANTIZE)
            continue;
        bool q = g->nodes[ni].quantized;
        for (int j = 0; j < g->nodes[ni].n_in; j++) {
            int t = g->nodes[ni].in[j];
            if (t < 0 || t >= s->n_t || g->tensors[t].data)
                continue;
            if (q && !s->s8[t] && !s->has_qp[t])
                continue; /* a parameter input (shape...), never an activation here */
            if (!q && !s->s8[t])
                continue;
            int v = -1;
            if ((st = version(s, t, q, &v)))
                return st;
            g->nodes[ni].in[j] = v;
        }
    }
    return YQ_STATUS_OK;
}

static enum yq_status fill_report(struct state *s, struct yq__quantize_report *r)
{
    struct yq__graph *g = s->g;
    memset(r, 0, sizeof *r);
    int n_kept = 0;
    for (int ni = 0; ni < s->n_n; ni++)
        n_kept += !g->nodes[ni].dead && !g->nodes[ni].quantized;
    r->kept = yq__calloc((size_t)(n_kept > 0 ? n_kept : 1), sizeof *r->kept);
    if (!r->kept)
        return oom(s);
    for (int ni = 0; ni < s->n_n; ni++) {
        const struct yq__node *nd = &g->nodes[ni];
        if (nd->dead)
            continue;
        if (nd->quantized) {
            r->n_quantized++;
            continue;
        }
        r->n_float++;
        struct yq__quantize_kept *kp = &r->kept[r->n_kept++];
        kp->node = yq__strdup(nd->name);
        kp->op = yq__strdup(yq__op_name(nd->op));
        kp->reason = yq__strdup(&s->why[(size_t)ni * REASON_CAP]);
        if (!kp->node || !kp->op || !kp->reason)
            return oom(s);
    }
    r->n_boundaries = s->n_boundaries;
    return YQ_STATUS_OK;
}

enum yq_status yq__quantize_graph(struct yq__graph *g, const struct yq__quantize_options *o,
                                  struct yq__quantize_report *r, struct yq__err *e)
{
    struct yq__quantize_options def;
    if (!o) {
        yq__quantize_options_init(&def);
        o = &def;
    }
    if (r)
        memset(r, 0, sizeof *r);
    if (!g)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "quantize: no graph");
    if ((unsigned)o->act_mode >= YQ__ACT_MODE_COUNT)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: unknown act_mode %d", g->source,
                        (int)o->act_mode);
    enum yq_status st = yq__graph_index(g, e);
    if (st)
        return st;
    struct state s = {g, o, e, g->n_tensors, g->n_nodes, -1, NULL, NULL, NULL, NULL, NULL, NULL, 0};
    size_t nt = (size_t)(s.n_t > 0 ? s.n_t : 1), nn = (size_t)(s.n_n > 0 ? s.n_n : 1);
    s.has_qp = yq__calloc(nt, sizeof *s.has_qp);
    s.qp = yq__calloc(nt, sizeof *s.qp);
    s.s8 = yq__calloc(nt, sizeof *s.s8);
    s.why = yq__calloc(nn, REASON_CAP);
    s.s8_of = yq__calloc(nt, sizeof *s.s8_of);
    s.f32_of = yq__calloc(nt, sizeof *s.f32_of);
    if (!s.has_qp || !s.qp || !s.s8 || !s.why || !s.s8_of || !s.f32_of) {
        st = oom(&s);
        goto done;
    }
    /* Float tensors with a range can be quantized at a boundary. */
    for (int t = 0; t < s.n_t; t++) {
        const struct yq__tensor *tt = &g->tensors[t];
        if (is_activation(tt) && finite_range(tt)) {
            s.has_qp[t] = true;
            s.qp[t] = qp_of_range(tt->range_min, tt->range_max);
        }
    }
    /* The image input: F32 NHWC [1,H,W,3]; its parameters come from the preprocessing. */
    for (int i = 0; i < g->n_inputs; i++) {
        const struct yq__tensor *tt = &g->tensors[g->inputs[i]];
        if (s.image < 0 && is_activation(tt) && tt->shape.rank == 4 &&
            tt->layout == YQ__LAYOUT_NHWC && tt->shape.d[3] == 3 && !tt->is_output) {
            s.image = g->inputs[i];
            if ((st = image_params(&s, &s.qp[s.image])))
                goto done;
            s.has_qp[s.image] = true;
            s.s8[s.image] = true; /* provisionally; undone below if a consumer stays float */
        }
    }
    for (int ni = 0; ni < s.n_n; ni++) {
        if (g->nodes[ni].dead || g->nodes[ni].quantized)
            continue;
        if ((st = decide(&s, ni, &s.why[(size_t)ni * REASON_CAP])))
            goto done;
    }
    if ((st = fuse_acts(&s)))
        goto done;
    if (s.image >= 0) {
        bool all = true;
        int n_use = 0;
        for (int ni = 0; ni < g->n_nodes; ni++) {
            const struct yq__node *nd = &g->nodes[ni];
            for (int j = 0; j < nd->n_in && !nd->dead; j++) {
                if (nd->in[j] == s.image) {
                    all = all && nd->quantized;
                    n_use++;
                }
            }
        }
        s.s8[s.image] = all && n_use > 0;
    }
    if ((st = insert_boundaries(&s)))
        goto done;
    if (r && (st = fill_report(&s, r)))
        goto done;
    if ((st = yq__graph_compact(g, e)))
        goto done;
    if (r) {
        for (int t = 0; t < g->n_tensors; t++)
            r->n_tensors_s8 += g->tensors[t].dtype == YQ__DTYPE_S8 && !g->tensors[t].data;
    }
done:
    if (st && r)
        yq__quantize_report_free(r);
    yq__free(s.has_qp);
    yq__free(s.qp);
    yq__free(s.s8);
    yq__free(s.why);
    yq__free(s.s8_of);
    yq__free(s.f32_of);
    return st;
}
