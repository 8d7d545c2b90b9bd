/* SPDX-License-Identifier: Apache-2.0 */
/* int8 element-wise and axis operators (contract: src/quant/quantize.h): Add and Mul in fp32
 * from the real values, quantized once; Concat copying inputs with the output's parameters
 * and requantizing the others through a 256-entry table; Sigmoid, SiLU, Relu, LeakyRelu,
 * HardSwish, HardSigmoid, Clip and Tanh as 256-entry lookup tables; and the code movers
 * (Split, Slice, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Identity) reusing the
 * byte-generic fp32 code after checking the output parameters equal the input's. */
#include <float.h>

#include "ops/s8_util.h"

#define CHUNK 16384
/* Below this many elements an op runs on the calling thread: waking the pool costs tens of
 * microseconds, as much as the work (these ops move under a nanosecond per element). */
#define SPLIT_MIN 65536

enum yq_status yq__s8_check_act(const struct yq__graph *g, int node, const struct yq__tensor *t,
                                const char *what, int i, struct yq__err *e)
{
    if (yq__s8_is_act(t)) return YQ_STATUS_OK;
    if (!t) return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "%s %d is missing", what, i);
    return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                        "%s %d '%s' is not an int8 activation (%s, scale %g, zero point %d, %d "
                        "channel scales)",
                        what, i, t->name, yq__dtype_name(t->dtype), (double)t->q.scale,
                        (int)t->q.zero_point, t->q.n_channels);
}

enum yq_status yq__s8_check_move(const struct yq__graph *g, int node, struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    enum yq_status st = yq__s8_check_act(g, node, x, "input", 0, e);
    for (int i = 0; !st && i < nd->n_out; i++) {
        const struct yq__tensor *y = yq__ops_out((struct yq__graph *)g, node, i);
        if (!y) continue;
        st = yq__s8_check_act(g, node, y, "output", i, e);
        if (!st && !yq__s8_same_params(x, y))
            st = yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                              "output %d '%s' (scale %g, zero point %d) must have the parameters "
                              "of input '%s' (scale %g, zero point %d) to move int8 codes",
                              i, y->name, (double)y->q.scale, (int)y->q.zero_point, x->name,
                              (double)x->q.scale, (int)x->q.zero_point);
    }
    return st;
}

/* ---- Add, Mul ------------------------------------------------------------------------ */

/* Reference (what the tests compare against), with codes qa, qb and ma, mb, m rounded to
 * float once at prepare from double:
 *   Add: q = sat(lrintf(clamp((qa - za) * ma + (qb - zb) * mb)) + zo), ma = sa/so, mb = sb/so
 *   Mul: q = sat(lrintf(clamp((float)((qa - za) * (qb - zb)) * m)) + zo), m = sa*sb/so
 * (float arithmetic, left to right; clamp to [-128 - zo, 127 - zo], see yq__s8_requant). */
struct s8_bin_state {
    bool mul;
    int64_t numel;
    bool a_scalar, b_scalar; /* a single-element operand broadcast over the other */
    int32_t za, zb, zo;
    float ma, mb, lo, hi;
};

static enum yq_status s8_bin_check(const struct yq__graph *g, int node, struct yq__shape *out,
                                   struct s8_bin_state *s, struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 2, 2, e);
    if (st) return st;
    const struct yq__tensor *a = yq__ops_in(g, node, 0), *b = yq__ops_in(g, node, 1);
    if ((st = yq__s8_check_act(g, node, a, "input", 0, e)) ||
        (st = yq__s8_check_act(g, node, b, "input", 1, e)))
        return st;
    char s1[YQ__SHAPE_BUF], s2[YQ__SHAPE_BUF];
    int64_t na = yq__shape_numel(&a->shape), nb = yq__shape_numel(&b->shape);
    memset(s, 0, sizeof *s);
    if (yq__shape_eq(&a->shape, &b->shape)) {
        *out = a->shape;
    } else if (nb == 1 && b->shape.rank <= a->shape.rank) {
        *out = a->shape;
        s->b_scalar = true;
    } else if (na == 1 && a->shape.rank <= b->shape.rank) {
        *out = b->shape;
        s->a_scalar = true;
    } else {
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "int8 operands must have the same shape or one must be a single "
                            "value (got %s and %s)",
                            yq__ops_sh(&a->shape, s1), yq__ops_sh(&b->shape, s2));
    }
    s->numel = yq__shape_numel(out);
    return YQ_STATUS_OK;
}

static enum yq_status s8_bin_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct yq__shape out;
    struct s8_bin_state s;
    enum yq_status st = s8_bin_check(g, node, &out, &s, e);
    if (st) return st;
    const struct yq__tensor *a = yq__ops_in(g, node, 0), *b = yq__ops_in(g, node, 1);
    yq__ops_set_out(g, node, 0, YQ__DTYPE_S8, &out, s.a_scalar ? b->layout : a->layout);
    return YQ_STATUS_OK;
}

static enum yq_status s8_bin_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    struct yq__shape out;
    struct s8_bin_state s;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = s8_bin_check(g, node, &out, &s, e);
    if (st) return st;
    const struct yq__node *nd = &g->nodes[node];
    const struct yq__tensor *a = yq__ops_in(g, node, 0), *b = yq__ops_in(g, node, 1);
    const struct yq__tensor *y = yq__ops_out((struct yq__graph *)g, node, 0);
    char s1[YQ__SHAPE_BUF], s2[YQ__SHAPE_BUF];
    if ((st = yq__s8_check_act(g, node, y, "output", 0, e))) return st;
    if (yq__shape_numel(&y->shape) != s.numel)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "output %s does not hold %s",
                            yq__ops_sh(&y->shape, s1), yq__ops_sh(&out, s2));
    if (nd->act.kind != YQ__ACT_NONE)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "a fused activation is not supported on int8 %s", yq__op_name(nd->op));
    s.mul = nd->op == YQ__OP_MUL;
    s.za = a->q.zero_point;
    s.zb = b->q.zero_point;
    s.zo = y->q.zero_point;
    s.lo = (float)(-128 - s.zo);
    s.hi = (float)(127 - s.zo);
    double so = y->q.scale;
    if (s.mul) {
        s.ma = (float)((double)a->q.scale * (double)b->q.scale / so);
        s.mb = 0.0f;
    } else {
        s.ma = (float)((double)a->q.scale / so);
        s.mb = (float)((double)b->q.scale / so);
    }
    /* a multiplier that overflows float would give inf * 0 = NaN at run */
    if (!isfinite(s.ma) || !isfinite(s.mb))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "scales %g, %g -> %g give a multiplier beyond float range",
                            (double)a->q.scale, (double)b->q.scale, so);
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st) return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

/* GCC's -O2 vectorizer (very-cheap cost model) only takes loops whose trip count is a known
 * multiple of the vector width, so the element-wise loops run in blocks of S8_BLOCK with a
 * constant inner count and finish the remainder with the same formula one at a time. */
#define S8_BLOCK 64

/* Add over n elements; a or b may be a single broadcast value (sa/sb = 0). */
static void s8_add_span(const struct s8_bin_state *s, const int8_t *restrict a, int sa,
                        const int8_t *restrict b, int sb, int8_t *restrict y, int64_t n)
{
    const float ma = s->ma, mb = s->mb, lo = s->lo, hi = s->hi;
    const float fza = (float)s->za, fzb = (float)s->zb;
    const int32_t zo = s->zo;
    int64_t i = 0;
    if (sa && sb) {
        for (; i + S8_BLOCK <= n; i += S8_BLOCK)
            for (int j = 0; j < S8_BLOCK; j++)
                y[i + j] = yq__s8_requant(
                    ((float)a[i + j] - fza) * ma + ((float)b[i + j] - fzb) * mb, lo, hi, zo);
        for (; i < n; i++)
            y[i] = yq__s8_requant(((float)a[i] - fza) * ma + ((float)b[i] - fzb) * mb, lo, hi, zo);
    } else if (sa) {
        const float vb = ((float)b[0] - fzb) * mb;
        for (; i + S8_BLOCK <= n; i += S8_BLOCK)
            for (int j = 0; j < S8_BLOCK; j++)
                y[i + j] = yq__s8_requant(((float)a[i + j] - fza) * ma + vb, lo, hi, zo);
        for (; i < n; i++)
            y[i] = yq__s8_requant(((float)a[i] - fza) * ma + vb, lo, hi, zo);
    } else {
        const float va = ((float)a[0] - fza) * ma;
        for (; i + S8_BLOCK <= n; i += S8_BLOCK)
            for (int j = 0; j < S8_BLOCK; j++)
                y[i + j] = yq__s8_requant(va + ((float)b[i + j] - fzb) * mb, lo, hi, zo);
        for (; i < n; i++)
            y[i] = yq__s8_requant(va + ((float)b[i] - fzb) * mb, lo, hi, zo);
    }
}

/* (qa - za) * (qb - zb) is an exact integer below 2^16, so its float is exact. */
static void s8_mul_span(const struct s8_bin_state *s, const int8_t *restrict a, int sa,
                        const int8_t *restrict b, int sb, int8_t *restrict y, int64_t n)
{
    const float m = s->ma, lo = s->lo, hi = s->hi;
    const int32_t za = s->za, zb = s->zb, zo = s->zo;
    int64_t i = 0;
    if (sa && sb) {
        for (; i + S8_BLOCK <= n; i += S8_BLOCK)
            for (int j = 0; j < S8_BLOCK; j++)
                y[i + j] =
                    yq__s8_requant((float)((a[i + j] - za) * (b[i + j] - zb)) * m, lo, hi, zo);
        for (; i < n; i++)
            y[i] = yq__s8_requant((float)((a[i] - za) * (b[i] - zb)) * m, lo, hi, zo);
    } else if (sa) {
        const int32_t vb = b[0] - zb;
        for (; i + S8_BLOCK <= n; i += S8_BLOCK)
            for (int j = 0; j < S8_BLOCK; j++)
                y[i + j] = yq__s8_requant((float)((a[i + j] - za) * vb) * m, lo, hi, zo);
        for (; i < n; i++)
            y[i] = yq__s8_requant((float)((a[i] - za) * vb) * m, lo, hi, zo);
    } else {
        const int32_t va = a[0] - za;
        for (; i + S8_BLOCK <= n; i += S8_BLOCK)
            for (int j = 0; j < S8_BLOCK; j++)
                y[i + j] = yq__s8_requant((float)(va * (b[i + j] - zb)) * m, lo, hi, zo);
        for (; i < n; i++)
            y[i] = yq__s8_requant((float)(va * (b[i] - zb)) * m, lo, hi, zo);
    }
}

struct s8_bin_ctx {
    const struct s8_bin_state *s;
    const int8_t *a, *b;
    int8_t *y;
};

static void s8_bin_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct s8_bin_ctx *c = ctx;
    const struct s8_bin_state *s = c->s;
    int64_t i0 = (int64_t)task * CHUNK, n = YQ_MIN(CHUNK, s->numel - i0);
    int sa = !s->a_scalar, sb = !s->b_scalar;
    const int8_t *a = c->a + (sa ? i0 : 0), *b = c->b + (sb ? i0 : 0);
    if (s->mul)
        s8_mul_span(s, a, sa, b, sb, c->y + i0, n);
    else
        s8_add_span(s, a, sa, b, sb, c->y + i0, n);
}

static void s8_bin_run(const struct yq__exec *x)
{
    const struct s8_bin_state *s = x->state;
    struct s8_bin_ctx c = {s, x->in[0], x->in[1], x->out[0]};
    size_t tasks = (size_t)((s->numel + CHUNK - 1) / CHUNK);
    yq__ops_run_homed(s->numel >= SPLIT_MIN ? x->pool : NULL, tasks, s8_bin_task, &c);
}

const struct yq__op_impl yq__s8_add = {
    YQ__OP_ADD, YQ__OPCLASS_ELEMENTWISE, s8_bin_infer, s8_bin_prepare,
    s8_bin_run, yq__ops_state_free,
};
const struct yq__op_impl yq__s8_mul = {
    YQ__OP_MUL, YQ__OPCLASS_ELEMENTWISE, s8_bin_infer, s8_bin_prepare,
    s8_bin_run, yq__ops_state_free,
};

/* ---- Concat -------------------------------------------------------------------------- */

/* Input i is copied when its parameters equal the output's, else mapped through
 * lut[i][(uint8_t)q] = sat(lrintf(clamp((q - zi) * mi)) + zo), mi = (float)(si / so). The
 * table beats computing the formula even vectorized (SSE2 float lanes: about 2x slower). */
struct s8_concat_state {
    int n_in;
    int64_t outer, inner, total;
    int64_t *dims;      /* [n_in] sizes along the axis */
    int8_t (*lut)[256]; /* [n_in]; unused rows for copied inputs */
    bool *copy;         /* [n_in] */
};

/* Every input an int8 activation (checked first, so a float input is reported as such),
 * then the shapes as for fp32 Concat. */
static enum yq_status s8_concat_check(const struct yq__graph *g, int node, int *axis_out,
                                      struct yq__shape *out, struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 1, -1, e);
    for (int i = 0; !st && i < g->nodes[node].n_in; i++)
        st = yq__s8_check_act(g, node, yq__ops_in(g, node, i), "input", i, e);
    return st ? st : yq__ops_concat_shape(g, node, axis_out, out, e);
}

static enum yq_status s8_concat_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    int ax;
    struct yq__shape out;
    enum yq_status st = s8_concat_check(g, node, &ax, &out, e);
    if (st) return st;
    yq__ops_set_out(g, node, 0, YQ__DTYPE_S8, &out, yq__ops_in(g, node, 0)->layout);
    return YQ_STATUS_OK;
}

static enum yq_status s8_concat_prepare(const struct yq__graph *g, int node, void **state,
                                        size_t *scratch_bytes, struct yq__err *e)
{
    int ax;
    struct yq__shape out;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = s8_concat_check(g, node, &ax, &out, e);
    if (st) return st;
    const struct yq__tensor *y = yq__ops_out((struct yq__graph *)g, node, 0);
    char s1[YQ__SHAPE_BUF], s2[YQ__SHAPE_BUF];
    if ((st = yq__s8_check_act(g, node, y, "output", 0, e))) return st;
    if (!yq__shape_eq(&y->shape, &out))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "output %s is not %s",
                            yq__ops_sh(&y->shape, s1), yq__ops_sh(&out, s2));
    size_t n = (size_t)g->nodes[node].n_in;
    size_t hdr = (sizeof(struct s8_concat_state) + 63) / 64 * 64;
    st = yq__ops_state_alloc(g, node, hdr + n * (256 + sizeof(int64_t) + 1), state, e);
    if (st) return st;
    struct s8_concat_state *s = *state;
    char *p = (char *)s + hdr;
    s->lut = (int8_t(*)[256])p;
    s->dims = (int64_t *)(p + n * 256);
    s->copy = (bool *)(s->dims + n);
    s->n_in = (int)n;
    s->outer = yq__ops_prod(&out, 0, ax);
    s->inner = yq__ops_prod(&out, ax + 1, out.rank);
    s->total = out.d[ax];
    const float lo = (float)(-128 - y->q.zero_point), hi = (float)(127 - y->q.zero_point);
    for (size_t i = 0; i < n; i++) {
        const struct yq__tensor *x = yq__ops_in(g, node, (int)i);
        s->dims[i] = x->shape.d[ax];
        s->copy[i] = yq__s8_same_params(x, y);
        float m = (float)((double)x->q.scale / (double)y->q.scale);
        if (!s->copy[i] && !isfinite(m))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "input %d scale %g -> %g is beyond float range", (int)i,
                                (double)x->q.scale, (double)y->q.scale);
        for (int c = -128; c < 128; c++)
            s->lut[i][(uint8_t)c] =
                yq__s8_requant((float)(c - x->q.zero_point) * m, lo, hi, y->q.zero_point);
    }
    return YQ_STATUS_OK;
}

static void s8_concat_rows(const struct s8_concat_state *s, const void *const *in, int8_t *out,
                           int64_t o0, int64_t o1)
{
    for (int64_t o = o0; o < o1; o++) {
        int8_t *dst = out + (size_t)(o * s->total * s->inner);
        for (int i = 0; i < s->n_in; i++) {
            size_t len = (size_t)(s->dims[i] * s->inner);
            const int8_t *src = (const int8_t *)in[i] + (size_t)o * len;
            if (s->copy[i])
                yq__s8_copy(dst, src, len);
            else
                yq__s8_lut_row(src, dst, len, s->lut[i]);
            dst += len;
        }
    }
}

struct s8_concat_ctx {
    const struct s8_concat_state *s;
    const void *const *in;
    int8_t *out;
};

static void s8_concat_task(const void *ctx, int64_t o0, int64_t o1)
{
    const struct s8_concat_ctx *c = ctx;
    s8_concat_rows(c->s, c->in, c->out, o0, o1);
}

static void s8_concat_run(const struct yq__exec *x)
{
    const struct s8_concat_state *s = x->state;
    int64_t bytes = s->outer * s->total * s->inner;
    if (bytes < SPLIT_MIN || s->outer < 2 || yq__pool_threads(x->pool) <= 1) {
        s8_concat_rows(s, x->in, x->out[0], 0, s->outer);
        return;
    }
    struct s8_concat_ctx c = {s, x->in, x->out[0]};
    yq__ops_run_rows(x->pool, s->outer, s8_concat_task, &c);
}

const struct yq__op_impl yq__s8_concat = {
    YQ__OP_CONCAT,     YQ__OPCLASS_AXIS, s8_concat_infer,
    s8_concat_prepare, s8_concat_run,    yq__ops_state_free,
};

/* ---- Lookup-table activations -------------------------------------------------------- */

/* lut[(uint8_t)c] = quantize_out(f(dequantize_in(c))) with f computed in double and
 * rounded once (yq__act_ref for the fused-activation kinds): no ISA-dispatched or
 * float-libm math, so the table and every int8 code after it are the same on every CPU. */
struct s8_lut_state {
    int64_t numel;
    int8_t lut[256];
};

static float lut_f(enum yq__op op, float x, float a, float b)
{
    struct yq__act act = {YQ__ACT_NONE, a, b};
    switch (op) {
    case YQ__OP_SIGMOID:
        act.kind = YQ__ACT_SIGMOID;
        break;
    case YQ__OP_SILU:
        act.kind = YQ__ACT_SILU;
        break;
    case YQ__OP_RELU:
        act.kind = YQ__ACT_RELU;
        break;
    case YQ__OP_LEAKY_RELU:
        act.kind = YQ__ACT_LEAKY_RELU;
        break;
    case YQ__OP_HARD_SWISH:
        act.kind = YQ__ACT_HARD_SWISH;
        break;
    case YQ__OP_CLIP:
        act.kind = YQ__ACT_CLIP;
        break;
    case YQ__OP_TANH:
        return (float)tanh((double)x);
    case YQ__OP_HARD_SIGMOID: {
        double v = (double)a * x + b;
        return (float)(v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v));
    }
    default:
        return x;
    }
    return yq__act_ref(x, &act);
}

/* A Clip bound from constant input i: an f32 scalar, or an int8 scalar with parameters. */
static enum yq_status clip_bound(const struct yq__graph *g, int node, int i, float *v,
                                 struct yq__err *e)
{
    const struct yq__tensor *b = yq__ops_in(g, node, i);
    if (!b) return YQ_STATUS_OK;
    const void *p = yq__ops_value(g, g->nodes[node].in[i]);
    if (p && yq__shape_numel(&b->shape) == 1 && b->dtype == YQ__DTYPE_F32) {
        *v = *(const float *)p;
        return YQ_STATUS_OK;
    }
    if (p && yq__shape_numel(&b->shape) == 1 && yq__s8_is_act(b)) {
        *v = (float)(*(const int8_t *)p - b->q.zero_point) * b->q.scale;
        return YQ_STATUS_OK;
    }
    return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                        "%s must be a constant f32 (or int8 with parameters) scalar",
                        i == 1 ? "min" : "max");
}

static enum yq_status s8_lut_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    enum yq_status st = yq__ops_check_io(g, node, 1, nd->op == YQ__OP_CLIP ? 3 : 1, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    if ((st = yq__s8_check_act(g, node, x, "input", 0, e))) return st;
    yq__ops_set_out(g, node, 0, YQ__DTYPE_S8, &x->shape, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status s8_lut_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = yq__ops_check_io(g, node, 1, nd->op == YQ__OP_CLIP ? 3 : 1, e);
    if (st) return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    const struct yq__tensor *y = yq__ops_out((struct yq__graph *)g, node, 0);
    char s1[YQ__SHAPE_BUF], s2[YQ__SHAPE_BUF];
    if ((st = yq__s8_check_act(g, node, x, "input", 0, e)) ||
        (st = yq__s8_check_act(g, node, y, "output", 0, e)))
        return st;
    if (yq__shape_numel(&y->shape) != yq__shape_numel(&x->shape))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "output %s does not match input %s",
                            yq__ops_sh(&y->shape, s1), yq__ops_sh(&x->shape, s2));
    float a = 0.0f, b = 0.0f;
    switch (nd->op) {
    case YQ__OP_LEAKY_RELU:
        a = yq__attr_float(nd, "alpha", 0.01f);
        break;
    case YQ__OP_HARD_SIGMOID:
        a = yq__attr_float(nd, "alpha", 0.2f);
        b = yq__attr_float(nd, "beta", 0.5f);
        break;
    case YQ__OP_CLIP:
        a = yq__attr_float(nd, "min", -FLT_MAX);
        b = yq__attr_float(nd, "max", FLT_MAX);
        if ((st = clip_bound(g, node, 1, &a, e)) || (st = clip_bound(g, node, 2, &b, e))) return st;
        break;
    default:
        break;
    }
    st = yq__ops_state_alloc(g, node, sizeof(struct s8_lut_state), state, e);
    if (st) return st;
    struct s8_lut_state *s = *state;
    s->numel = yq__shape_numel(&x->shape);
    for (int c = -128; c < 128; c++) {
        float v = yq__s8_code_to_real((int8_t)c, x->q.scale, x->q.zero_point);
        s->lut[(uint8_t)c] =
            yq__s8_real_to_code(lut_f(nd->op, v, a, b), y->q.scale, y->q.zero_point);
    }
    return YQ_STATUS_OK;
}

struct s8_lut_ctx {
    const struct s8_lut_state *s;
    const int8_t *in;
    int8_t *out;
};

static void s8_lut_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct s8_lut_ctx *c = ctx;
    const int8_t *restrict lut = c->s->lut;
    int64_t i0 = (int64_t)task * CHUNK, i1 = YQ_MIN(i0 + CHUNK, c->s->numel);
    yq__s8_lut_row(c->in + i0, c->out + i0, (size_t)(i1 - i0), lut);
}

static void s8_lut_run(const struct yq__exec *x)
{
    const struct s8_lut_state *s = x->state;
    struct s8_lut_ctx c = {s, x->in[0], x->out[0]};
    size_t tasks = (size_t)((s->numel + CHUNK - 1) / CHUNK);
    yq__ops_run_homed(s->numel >= SPLIT_MIN ? x->pool : NULL, tasks, s8_lut_task, &c);
}

#define S8_LUT_IMPL(sym, op)                                                                       \
    const struct yq__op_impl sym = {op,           YQ__OPCLASS_ELEMENTWISE,                         \
                                    s8_lut_infer, s8_lut_prepare,                                  \
                                    s8_lut_run,   yq__ops_state_free};
S8_LUT_IMPL(yq__s8_sigmoid, YQ__OP_SIGMOID)
S8_LUT_IMPL(yq__s8_silu, YQ__OP_SILU)
S8_LUT_IMPL(yq__s8_relu, YQ__OP_RELU)
S8_LUT_IMPL(yq__s8_leaky_relu, YQ__OP_LEAKY_RELU)
S8_LUT_IMPL(yq__s8_hard_swish, YQ__OP_HARD_SWISH)
S8_LUT_IMPL(yq__s8_hard_sigmoid, YQ__OP_HARD_SIGMOID)
S8_LUT_IMPL(yq__s8_clip, YQ__OP_CLIP)
S8_LUT_IMPL(yq__s8_tanh, YQ__OP_TANH)

/* ---- Code movers over the byte-generic fp32 implementations --------------------------- */

/* Split, Slice, Gather, Reshape, Flatten, Squeeze, Unsqueeze, Transpose and Identity size their
 * copies with yq__dtype_size and keep the input dtype, so their fp32 code moves int8 codes
 * unchanged; only the parameter check is added. */
static const struct yq__op_impl *f32_of(enum yq__op op)
{
    return yq__op_impl_get(op, false);
}

static enum yq_status s8_move_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    return f32_of(g->nodes[node].op)->infer(g, node, e);
}

static enum yq_status s8_move_prepare(const struct yq__graph *g, int node, void **state,
                                      size_t *scratch_bytes, struct yq__err *e)
{
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = yq__s8_check_move(g, node, e);
    if (st) return st;
    return f32_of(g->nodes[node].op)->prepare(g, node, state, scratch_bytes, e);
}

static void s8_move_run(const struct yq__exec *x)
{
    f32_of(x->node->op)->run(x);
}

#define S8_MOVE_IMPL(sym, op, cls)                                                                 \
    const struct yq__op_impl sym = {                                                               \
        op, cls, s8_move_infer, s8_move_prepare, s8_move_run, yq__ops_state_free};
S8_MOVE_IMPL(yq__s8_split, YQ__OP_SPLIT, YQ__OPCLASS_AXIS)
S8_MOVE_IMPL(yq__s8_slice, YQ__OP_SLICE, YQ__OPCLASS_AXIS)
S8_MOVE_IMPL(yq__s8_reshape, YQ__OP_RESHAPE, YQ__OPCLASS_PLAIN)
S8_MOVE_IMPL(yq__s8_flatten, YQ__OP_FLATTEN, YQ__OPCLASS_PLAIN)
S8_MOVE_IMPL(yq__s8_squeeze, YQ__OP_SQUEEZE, YQ__OPCLASS_PLAIN)
S8_MOVE_IMPL(yq__s8_unsqueeze, YQ__OP_UNSQUEEZE, YQ__OPCLASS_PLAIN)
S8_MOVE_IMPL(yq__s8_transpose, YQ__OP_TRANSPOSE, YQ__OPCLASS_PLAIN)
S8_MOVE_IMPL(yq__s8_identity, YQ__OP_IDENTITY, YQ__OPCLASS_ELEMENTWISE)
S8_MOVE_IMPL(yq__s8_gather, YQ__OP_GATHER, YQ__OPCLASS_PLAIN)
