/* SPDX-License-Identifier: Apache-2.0 */
/* yq.Quantize (F32 -> S8 with the output's scale/zero point) and yq.Dequantize (S8 -> F32
 * with the input's): the boundaries between float and int8 regions of a quantized graph.
 * Elementwise over any shape and layout; large tensors are split across the pool. */
#include <math.h>

#include "ops/s8_util.h"

/* Elements per pool task: big enough that scheduling is noise. */
#define CHUNK (64 * 1024)

struct qdq_state {
    float scale;
    int32_t zp;
    int64_t n;
};

static void dequantize_chunk(const int8_t *restrict q, float *restrict x, size_t n, float scale,
                             int32_t zp)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)((int32_t)q[i] - zp) * scale;
}

static enum yq_status qdq_infer(struct yq__graph *g, int node, struct yq__err *e, bool quant)
{
    enum yq_status st = yq__ops_check_io(g, node, 1, 1, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    enum yq__dtype want = quant ? YQ__DTYPE_F32 : YQ__DTYPE_S8;
    if (x->dtype != want)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "input '%s' is %s, expected %s",
                            x->name, yq__dtype_name(x->dtype), yq__dtype_name(want));
    struct yq__shape s = x->shape;
    yq__ops_set_out(g, node, 0, quant ? YQ__DTYPE_S8 : YQ__DTYPE_F32, &s, x->layout);
    return YQ_STATUS_OK;
}

static enum yq_status quantize_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    return qdq_infer(g, node, e, true);
}

static enum yq_status dequantize_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    return qdq_infer(g, node, e, false);
}

static enum yq_status qdq_prepare(const struct yq__graph *g, int node, void **state,
                                  struct yq__err *e, bool quant)
{
    *state = NULL;
    enum yq_status st = yq__ops_check_io(g, node, 1, 1, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0), *y = &g->tensors[g->nodes[node].out[0]];
    const struct yq__tensor *qt = quant ? y : x; /* the int8 side carries the parameters */
    enum yq__dtype xd = quant ? YQ__DTYPE_F32 : YQ__DTYPE_S8;
    enum yq__dtype yd = quant ? YQ__DTYPE_S8 : YQ__DTYPE_F32;
    if (x->dtype != xd || y->dtype != yd)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "expects %s -> %s, got %s -> %s",
                            yq__dtype_name(xd), yq__dtype_name(yd), yq__dtype_name(x->dtype),
                            yq__dtype_name(y->dtype));
    if (!(qt->q.scale > 0.0f && isfinite(qt->q.scale)) || qt->q.zero_point < -128 ||
        qt->q.zero_point > 127 || qt->q.n_channels != 0)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "int8 tensor '%s' has invalid scale %g / zero point %d", qt->name,
                            (double)qt->q.scale, (int)qt->q.zero_point);
    if (!yq__shape_eq(&x->shape, &y->shape))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "output shape differs from input shape");
    st = yq__ops_state_alloc(g, node, sizeof(struct qdq_state), state, e);
    if (st)
        return st;
    struct qdq_state *s = *state;
    s->scale = qt->q.scale;
    s->zp = qt->q.zero_point;
    s->n = yq__shape_numel(&x->shape);
    return YQ_STATUS_OK;
}

static enum yq_status quantize_prepare(const struct yq__graph *g, int node, void **state,
                                       size_t *scratch_bytes, struct yq__err *e)
{
    *scratch_bytes = 0;
    return qdq_prepare(g, node, state, e, true);
}

static enum yq_status dequantize_prepare(const struct yq__graph *g, int node, void **state,
                                         size_t *scratch_bytes, struct yq__err *e)
{
    *scratch_bytes = 0;
    return qdq_prepare(g, node, state, e, false);
}

struct qdq_ctx {
    const struct qdq_state *s;
    const void *in;
    void *out;
    bool quant;
};

static void qdq_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct qdq_ctx *c = ctx;
    int64_t i0 = (int64_t)task * CHUNK, i1 = YQ_MIN(i0 + CHUNK, c->s->n);
    if (c->quant)
        yq__s8_quantize_row((const float *)c->in + i0, (int8_t *)c->out + i0, (size_t)(i1 - i0),
                            c->s->scale, c->s->zp);
    else
        dequantize_chunk((const int8_t *)c->in + i0, (float *)c->out + i0, (size_t)(i1 - i0),
                         c->s->scale, c->s->zp);
}

static void qdq_run(const struct yq__exec *x, bool quant)
{
    const struct qdq_state *s = x->state;
    if (s->n <= 0)
        return;
    struct qdq_ctx c = {s, x->in[0], x->out[0], quant};
    yq__pool_run(x->pool, (size_t)((s->n + CHUNK - 1) / CHUNK), qdq_task, &c);
}

static void quantize_run(const struct yq__exec *x)
{
    qdq_run(x, true);
}

static void dequantize_run(const struct yq__exec *x)
{
    qdq_run(x, false);
}

const struct yq__op_impl yq__s8_quantize = {
    YQ__OP_QUANTIZE, YQ__OPCLASS_ELEMENTWISE, quantize_infer, quantize_prepare, quantize_run,
    yq__ops_state_free,
};

const struct yq__op_impl yq__s8_dequantize = {
    YQ__OP_DEQUANTIZE, YQ__OPCLASS_ELEMENTWISE, dequantize_infer, dequantize_prepare,
    dequantize_run, yq__ops_state_free,
};
