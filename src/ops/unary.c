/* SPDX-License-Identifier: Apache-2.0 */
/* Element-wise unary operators: activations (Sigmoid, Relu, LeakyRelu, Tanh, HardSigmoid,
 * HardSwish, SiLU, Clip), math (Exp, Log, Sqrt, Neg), Cast, and the copies Identity and
 * Dropout (inference: identity, optional mask of ones). Layout-agnostic; large tensors are
 * split into chunks across the pool. Neg and the copies also take int64 (shape arithmetic). */
#include <float.h>
#include <math.h>

#include "ops/util.h"

#define CHUNK 16384

struct unary_state {
    enum yq__op op;
    enum yq__dtype from, to;
    float alpha, beta;
    int64_t numel;
};

/* ONNX TensorProto.DataType → ours; COUNT when unsupported. FLOAT16 maps to f32 because
 * f16 data is widened on import. */
static enum yq__dtype onnx_dtype(int64_t t)
{
    switch (t) {
    case 1:
    case 10:
        return YQ__DTYPE_F32;
    case 2:
        return YQ__DTYPE_U8;
    case 3:
        return YQ__DTYPE_S8;
    case 6:
        return YQ__DTYPE_S32;
    case 7:
        return YQ__DTYPE_S64;
    case 9:
        return YQ__DTYPE_BOOL;
    default:
        return YQ__DTYPE_COUNT;
    }
}

static bool is_copy(enum yq__op op)
{
    return op == YQ__OP_IDENTITY || op == YQ__OP_DROPOUT;
}

static enum yq_status unary_check(const struct yq__graph *g, int node, struct unary_state *s,
                                  struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    int max_in = nd->op == YQ__OP_CLIP || nd->op == YQ__OP_DROPOUT ? 3 : 1;
    enum yq_status st = yq__ops_check_io(g, node, 1, max_in, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    memset(s, 0, sizeof *s);
    s->op = nd->op;
    s->from = s->to = x->dtype;
    s->numel = yq__shape_numel(&x->shape);
    bool int_ok = is_copy(nd->op) || nd->op == YQ__OP_NEG || nd->op == YQ__OP_CAST;
    if (nd->op == YQ__OP_CAST) {
        int64_t to = yq__attr_int(nd, "to", -1);
        s->to = onnx_dtype(to);
        if (s->to == YQ__DTYPE_COUNT)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "cast to ONNX type %lld is not supported", (long long)to);
    }
    bool neg_ok = nd->op == YQ__OP_NEG &&
                  (x->dtype == YQ__DTYPE_S64 || x->dtype == YQ__DTYPE_S32);
    bool any_ok = int_ok && nd->op != YQ__OP_NEG && x->dtype != YQ__DTYPE_F16;
    if (x->dtype != YQ__DTYPE_F32 && !neg_ok && !any_ok)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "input type %s is not supported",
                            yq__dtype_name(x->dtype));
    if (nd->op == YQ__OP_DROPOUT && yq__ops_in(g, node, 2)) {
        /* training_mode true would drop at random: only inference (false) is an identity */
        const struct yq__tensor *t = yq__ops_in(g, node, 2);
        const unsigned char *v = yq__ops_value(g, nd->in[2]);
        if (!v || yq__shape_numel(&t->shape) != 1 || yq__dtype_size(t->dtype) < 1)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "training_mode must be a constant scalar");
        for (size_t b = 0; b < yq__dtype_size(t->dtype); b++)
            if (v[b])
                return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                    "training_mode = true (random dropout) is not supported");
    }
    switch (nd->op) {
    case YQ__OP_LEAKY_RELU:
        s->alpha = yq__attr_float(nd, "alpha", 0.01f);
        break;
    case YQ__OP_HARD_SIGMOID:
        s->alpha = yq__attr_float(nd, "alpha", 0.2f);
        s->beta = yq__attr_float(nd, "beta", 0.5f);
        break;
    case YQ__OP_CLIP: {
        s->alpha = yq__attr_float(nd, "min", -FLT_MAX);
        s->beta = yq__attr_float(nd, "max", FLT_MAX);
        for (int i = 1; i < 3; i++) {
            const struct yq__tensor *b = yq__ops_in(g, node, i);
            if (!b)
                continue;
            const void *v = yq__ops_value(g, nd->in[i]);
            if (!v || b->dtype != YQ__DTYPE_F32 || yq__shape_numel(&b->shape) != 1)
                return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                    "%s must be a constant f32 scalar", i == 1 ? "min" : "max");
            if (i == 1)
                s->alpha = *(const float *)v;
            else
                s->beta = *(const float *)v;
        }
        break;
    }
    default:
        break;
    }
    return YQ_STATUS_OK;
}

static enum yq_status unary_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct unary_state s;
    enum yq_status st = unary_check(g, node, &s, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    struct yq__shape shape = x->shape;
    enum yq__layout layout = x->layout;
    yq__ops_set_out(g, node, 0, s.to, &shape, layout);
    if (g->nodes[node].op == YQ__OP_DROPOUT)
        yq__ops_set_out(g, node, 1, YQ__DTYPE_BOOL, &shape, layout);
    return YQ_STATUS_OK;
}

static enum yq_status unary_prepare(const struct yq__graph *g, int node, void **state,
                                    size_t *scratch_bytes, struct yq__err *e)
{
    struct unary_state s;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = unary_check(g, node, &s, e);
    if (st)
        return st;
    st = yq__ops_state_alloc(g, node, sizeof s, state, e);
    if (st)
        return st;
    memcpy(*state, &s, sizeof s);
    return YQ_STATUS_OK;
}

static double load(const void *p, enum yq__dtype t, int64_t i)
{
    switch (t) {
    case YQ__DTYPE_F32:
        return ((const float *)p)[i];
    case YQ__DTYPE_S64:
        return (double)((const int64_t *)p)[i];
    case YQ__DTYPE_S32:
        return ((const int32_t *)p)[i];
    case YQ__DTYPE_S8:
        return ((const int8_t *)p)[i];
    default:
        return ((const uint8_t *)p)[i];
    }
}

/* Float to integer conversion saturates so out-of-range inputs stay defined behaviour. */
static double sat(double v, double lo, double hi)
{
    if (v != v)
        return 0.0;
    return v < lo ? lo : (v > hi ? hi : v);
}

static void store(void *p, enum yq__dtype t, int64_t i, double v)
{
    switch (t) {
    case YQ__DTYPE_F32:
        ((float *)p)[i] = (float)v;
        break;
    case YQ__DTYPE_S64:
        ((int64_t *)p)[i] = (int64_t)sat(v, -9.2233720368547748e18, 9.2233720368547748e18 - 2048);
        break;
    case YQ__DTYPE_S32:
        ((int32_t *)p)[i] = (int32_t)sat(v, INT32_MIN, INT32_MAX);
        break;
    case YQ__DTYPE_S8:
        ((int8_t *)p)[i] = (int8_t)sat(v, -128, 127);
        break;
    case YQ__DTYPE_BOOL:
        ((uint8_t *)p)[i] = v != 0.0;
        break;
    default:
        ((uint8_t *)p)[i] = (uint8_t)sat(v, 0, 255);
        break;
    }
}

static void f32_apply(const struct unary_state *s, const float *restrict x, float *restrict y,
                      int64_t n)
{
    const float a = s->alpha, b = s->beta;
    switch (s->op) {
    case YQ__OP_SIGMOID:
        for (int64_t i = 0; i < n; i++)
            y[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    case YQ__OP_SILU:
        for (int64_t i = 0; i < n; i++)
            y[i] = x[i] / (1.0f + expf(-x[i]));
        break;
    case YQ__OP_RELU:
        for (int64_t i = 0; i < n; i++)
            y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case YQ__OP_LEAKY_RELU:
        for (int64_t i = 0; i < n; i++)
            y[i] = x[i] > 0.0f ? x[i] : x[i] * a;
        break;
    case YQ__OP_TANH:
        for (int64_t i = 0; i < n; i++)
            y[i] = tanhf(x[i]);
        break;
    case YQ__OP_EXP:
        for (int64_t i = 0; i < n; i++)
            y[i] = expf(x[i]);
        break;
    case YQ__OP_LOG:
        for (int64_t i = 0; i < n; i++)
            y[i] = logf(x[i]);
        break;
    case YQ__OP_SQRT:
        for (int64_t i = 0; i < n; i++)
            y[i] = sqrtf(x[i]);
        break;
    case YQ__OP_NEG:
        for (int64_t i = 0; i < n; i++)
            y[i] = -x[i];
        break;
    case YQ__OP_HARD_SIGMOID:
        for (int64_t i = 0; i < n; i++) {
            float v = a * x[i] + b;
            y[i] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
        }
        break;
    case YQ__OP_HARD_SWISH:
        for (int64_t i = 0; i < n; i++) {
            float v = x[i] + 3.0f;
            v = v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
            y[i] = x[i] * v * (1.0f / 6.0f);
        }
        break;
    case YQ__OP_CLIP:
        for (int64_t i = 0; i < n; i++)
            y[i] = x[i] < a ? a : (x[i] > b ? b : x[i]);
        break;
    default:
        if (x != y)
            memcpy(y, x, (size_t)n * sizeof *y);
        break;
    }
}

struct unary_ctx {
    const struct unary_state *s;
    const void *in;
    void *out;
};

static void unary_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct unary_ctx *c = ctx;
    const struct unary_state *s = c->s;
    int64_t i0 = (int64_t)task * CHUNK, i1 = YQ_MIN(i0 + CHUNK, s->numel);
    if (s->op == YQ__OP_CAST || (s->from != YQ__DTYPE_F32 && s->op == YQ__OP_NEG)) {
        double sign = s->op == YQ__OP_NEG ? -1.0 : 1.0;
        if (s->from == YQ__DTYPE_S64 && s->to == YQ__DTYPE_S64) {
            /* exact: doubles would round large int64 values */
            for (int64_t i = i0; i < i1; i++)
                ((int64_t *)c->out)[i] = (int64_t)sign * ((const int64_t *)c->in)[i];
            return;
        }
        for (int64_t i = i0; i < i1; i++)
            store(c->out, s->to, i, sign * load(c->in, s->from, i));
        return;
    }
    if (is_copy(s->op) || s->from != YQ__DTYPE_F32) {
        size_t es = yq__dtype_size(s->from);
        if (c->in != c->out)
            memcpy((char *)c->out + (size_t)i0 * es, (const char *)c->in + (size_t)i0 * es,
                   (size_t)(i1 - i0) * es);
        return;
    }
    f32_apply(s, (const float *)c->in + i0, (float *)c->out + i0, i1 - i0);
}

static void unary_run(const struct yq__exec *x)
{
    const struct unary_state *s = x->state;
    struct unary_ctx c = {s, x->in[0], x->out[0]};
    size_t tasks = (size_t)((s->numel + CHUNK - 1) / CHUNK);
    yq__pool_run(tasks > 1 ? x->pool : NULL, tasks, unary_task, &c);
    if (s->op == YQ__OP_DROPOUT && x->node->n_out > 1 && x->out[1])
        memset(x->out[1], 1, (size_t)s->numel);
}

#define UNARY_IMPL(sym, op)                                                                        \
    const struct yq__op_impl sym = {op,           YQ__OPCLASS_ELEMENTWISE, unary_infer,            \
                                    unary_prepare, unary_run,               yq__ops_state_free};
UNARY_IMPL(yq__f32_sigmoid, YQ__OP_SIGMOID)
UNARY_IMPL(yq__f32_relu, YQ__OP_RELU)
UNARY_IMPL(yq__f32_leaky_relu, YQ__OP_LEAKY_RELU)
UNARY_IMPL(yq__f32_tanh, YQ__OP_TANH)
UNARY_IMPL(yq__f32_exp, YQ__OP_EXP)
UNARY_IMPL(yq__f32_log, YQ__OP_LOG)
UNARY_IMPL(yq__f32_sqrt, YQ__OP_SQRT)
UNARY_IMPL(yq__f32_neg, YQ__OP_NEG)
UNARY_IMPL(yq__f32_hard_sigmoid, YQ__OP_HARD_SIGMOID)
UNARY_IMPL(yq__f32_hard_swish, YQ__OP_HARD_SWISH)
UNARY_IMPL(yq__f32_silu, YQ__OP_SILU)
UNARY_IMPL(yq__f32_clip, YQ__OP_CLIP)
UNARY_IMPL(yq__f32_cast, YQ__OP_CAST)
UNARY_IMPL(yq__f32_identity, YQ__OP_IDENTITY)
UNARY_IMPL(yq__f32_dropout, YQ__OP_DROPOUT)
