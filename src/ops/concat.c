/* SPDX-License-Identifier: Apache-2.0 */
/* Concat along an ONNX axis mapped to the physical one (works in NCHW and NHWC alike), for
 * any element type (int64 shape vectors included). Each input contributes a block of
 * dim_i * inner elements per outer index; blocks are copied with memcpy, split across the
 * pool by outer index when the tensor is large. */
#include "ops/util.h"

struct concat_state {
    int n_in;
    size_t es;
    int64_t outer, inner, total; /* total: output size along the axis */
    int64_t dims[];              /* input sizes along the axis */
};

static enum yq_status concat_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    int ax;
    struct yq__shape out;
    enum yq_status st = yq__ops_concat_shape(g, node, &ax, &out, e);
    if (st)
        return st;
    const struct yq__tensor *x0 = yq__ops_in(g, node, 0);
    yq__ops_set_out(g, node, 0, x0->dtype, &out, x0->layout);
    return YQ_STATUS_OK;
}

static enum yq_status concat_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    int ax;
    struct yq__shape out;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = yq__ops_concat_shape(g, node, &ax, &out, e);
    if (st)
        return st;
    int n = g->nodes[node].n_in;
    st = yq__ops_state_alloc(g, node, sizeof(struct concat_state) + (size_t)n * sizeof(int64_t),
                             state, e);
    if (st)
        return st;
    struct concat_state *s = *state;
    const struct yq__tensor *x0 = yq__ops_in(g, node, 0);
    s->n_in = n;
    s->es = yq__dtype_size(x0->dtype);
    s->outer = yq__ops_prod(&out, 0, ax);
    s->inner = yq__ops_prod(&out, ax + 1, out.rank);
    s->total = out.d[ax];
    for (int i = 0; i < n; i++)
        s->dims[i] = yq__ops_in(g, node, i)->shape.d[ax];
    return YQ_STATUS_OK;
}

struct concat_ctx {
    const struct concat_state *s;
    const void *const *in;
    char *out;
};

static void concat_rows(const struct concat_state *s, const void *const *in, char *out,
                        int64_t o0, int64_t o1)
{
    const size_t row = (size_t)(s->inner) * s->es;
    for (int64_t o = o0; o < o1; o++) {
        char *dst = out + (size_t)(o * s->total) * row;
        for (int i = 0; i < s->n_in; i++) {
            size_t len = (size_t)s->dims[i] * row;
            memcpy(dst, (const char *)in[i] + (size_t)o * len, len);
            dst += len;
        }
    }
}

static void concat_task(const void *ctx, int64_t o0, int64_t o1)
{
    const struct concat_ctx *c = ctx;
    concat_rows(c->s, c->in, c->out, o0, o1);
}

static void concat_run(const struct yq__exec *x)
{
    const struct concat_state *s = x->state;
    int64_t bytes = s->outer * s->total * s->inner * (int64_t)s->es;
    if (bytes < (1 << 18) || s->outer < 2 || yq__pool_threads(x->pool) <= 1) {
        concat_rows(s, x->in, x->out[0], 0, s->outer);
        return;
    }
    struct concat_ctx c = {s, x->in, x->out[0]};
    yq__ops_run_rows(x->pool, s->outer, concat_task, &c);
}

const struct yq__op_impl yq__f32_concat = {
    YQ__OP_CONCAT, YQ__OPCLASS_AXIS, concat_infer, concat_prepare, concat_run, yq__ops_state_free,
};
