/* SPDX-License-Identifier: Apache-2.0 */
/* MatMul with numpy semantics (1D operands promoted, batch dims broadcast), f32, ONNX order.
 * A constant 2D B (a linear layer, or a 1x1 conv written as MatMul) is packed once at
 * prepare and every batch row of A goes through the GEMM kernel split across the pool, with
 * node->act fused. Otherwise a plain row-times-matrix loop per batch (vectorises over N). */
#include "ops/util.h"

struct matmul_state {
    bool packed_b;
    int64_t m, k, n;
    int64_t batch; /* output batch count */
    struct yq__bcast bc; /* over batch dims, in units of whole matrices */
    struct yq__act act;
    void *packed;
};

static enum yq_status matmul_check(const struct yq__graph *g, int node, struct yq__shape *out,
                                   struct yq__shape *ab, struct yq__shape *bb, int64_t *mkn,
                                   struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 2, 2, e);
    if (st)
        return st;
    const struct yq__tensor *a = yq__ops_in(g, node, 0), *b = yq__ops_in(g, node, 1);
    char s1[YQ__SHAPE_BUF], s2[YQ__SHAPE_BUF];
    if (a->dtype != YQ__DTYPE_F32 || b->dtype != YQ__DTYPE_F32 || a->shape.rank < 1 ||
        b->shape.rank < 1)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "operands must be f32 tensors");
    int ra = a->shape.rank, rb = b->shape.rank;
    int64_t m = ra >= 2 ? a->shape.d[ra - 2] : 1, k = a->shape.d[ra - 1];
    int64_t kb = rb >= 2 ? b->shape.d[rb - 2] : b->shape.d[0], n = rb >= 2 ? b->shape.d[rb - 1] : 1;
    if (k != kb)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "shapes %s and %s do not multiply",
                            yq__ops_sh(&a->shape, s1), yq__ops_sh(&b->shape, s2));
    ab->rank = ra >= 2 ? ra - 2 : 0;
    bb->rank = rb >= 2 ? rb - 2 : 0;
    memcpy(ab->d, a->shape.d, sizeof(int64_t) * (size_t)ab->rank);
    memcpy(bb->d, b->shape.d, sizeof(int64_t) * (size_t)bb->rank);
    struct yq__shape batch;
    if (!yq__ops_broadcast_shape(ab, bb, &batch) || batch.rank + 2 > YQ__MAX_RANK)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "batch dims of %s and %s differ",
                            yq__ops_sh(&a->shape, s1), yq__ops_sh(&b->shape, s2));
    if (m > INT32_MAX || k > INT32_MAX || n > INT32_MAX)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "matrix too large");
    *out = batch;
    if (ra >= 2)
        out->d[out->rank++] = m;
    if (rb >= 2)
        out->d[out->rank++] = n;
    mkn[0] = m;
    mkn[1] = k;
    mkn[2] = n;
    return YQ_STATUS_OK;
}

static enum yq_status matmul_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct yq__shape out, ab, bb;
    int64_t mkn[3];
    enum yq_status st = matmul_check(g, node, &out, &ab, &bb, mkn, e);
    if (st)
        return st;
    yq__ops_set_out(g, node, 0, YQ__DTYPE_F32, &out, YQ__LAYOUT_PLAIN);
    return YQ_STATUS_OK;
}

static enum yq_status matmul_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    struct yq__shape out, ab, bb;
    int64_t mkn[3];
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = matmul_check(g, node, &out, &ab, &bb, mkn, e);
    if (st)
        return st;
    const struct yq__tensor *b = yq__ops_in(g, node, 1);
    /* the GEMM counts rows in int: the flattened batch must fit */
    bool packed = b->data && bb.rank == 0 && mkn[1] > 0 && mkn[2] > 0 &&
                  yq__shape_numel(&ab) * mkn[0] <= INT32_MAX;
    size_t hdr = (sizeof(struct matmul_state) + 63) / 64 * 64;
    size_t psize = packed ? yq__f32_gemm_packed_size((int)mkn[1], (int)mkn[2]) : 0;
    st = yq__ops_state_alloc(g, node, hdr + psize, state, e);
    if (st)
        return st;
    struct matmul_state *s = *state;
    s->m = mkn[0];
    s->k = mkn[1];
    s->n = mkn[2];
    s->packed_b = packed;
    s->act = g->nodes[node].act;
    struct yq__shape batch;
    yq__ops_broadcast_shape(&ab, &bb, &batch);
    s->batch = yq__shape_numel(&batch);
    yq__ops_bcast_init(&s->bc, &ab, &bb, &batch);
    if (packed) {
        s->packed = (char *)s + hdr;
        yq__f32_gemm_pack((int)s->k, (int)s->n, b->data, (size_t)s->n, NULL, s->packed);
    }
    return YQ_STATUS_OK;
}

struct matmul_ctx {
    const struct matmul_state *s;
    const float *a;
    float *c;
    int64_t rows, per;
};

static void matmul_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct matmul_ctx *c = ctx;
    int64_t r0 = (int64_t)task * c->per, r1 = YQ_MIN(r0 + c->per, c->rows);
    yq__f32_gemm((int)r0, (int)r1, (int)c->s->n, (int)c->s->k, c->a, (size_t)c->s->k,
                 c->s->packed, c->c, (size_t)c->s->n, &c->s->act);
}

static void matmul_run(const struct yq__exec *x)
{
    const struct matmul_state *s = x->state;
    const float *a = x->in[0], *b = x->in[1];
    float *c = x->out[0];
    if (s->packed_b) {
        /* every batch shares B: all batch rows of A form one tall GEMM */
        int64_t rows = s->batch * s->m;
        size_t tasks = yq__ops_n_tasks(x->pool, (size_t)rows, 16);
        struct matmul_ctx ctx = {s, a, c, rows, (rows + (int64_t)tasks - 1) / (int64_t)tasks};
        yq__pool_run(x->pool, (size_t)((rows + ctx.per - 1) / ctx.per), matmul_task, &ctx);
        return;
    }
    const struct yq__bcast *bc = &s->bc;
    int64_t inner = bc->d[bc->rank - 1];
    for (int64_t bi = 0; bi < s->batch; bi++) {
        int64_t oa, ob;
        yq__ops_bcast_row(bc, bi / inner, &oa, &ob);
        oa += (bi % inner) * bc->sa[bc->rank - 1];
        ob += (bi % inner) * bc->sb[bc->rank - 1];
        const float *pa = a + oa * s->m * s->k, *pb = b + ob * s->k * s->n;
        float *pc = c + bi * s->m * s->n;
        for (int64_t i = 0; i < s->m; i++) {
            float *restrict row = pc + i * s->n;
            for (int64_t j = 0; j < s->n; j++)
                row[j] = 0.0f;
            for (int64_t p = 0; p < s->k; p++) {
                const float av = pa[i * s->k + p];
                const float *restrict brow = pb + p * s->n;
                for (int64_t j = 0; j < s->n; j++)
                    row[j] += av * brow[j];
            }
            yq__f32_act(row, (size_t)s->n, &s->act);
        }
    }
}

const struct yq__op_impl yq__f32_mat_mul = {
    YQ__OP_MAT_MUL, YQ__OPCLASS_PLAIN, matmul_infer, matmul_prepare, matmul_run,
    yq__ops_state_free,
};
