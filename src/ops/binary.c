/* SPDX-License-Identifier: Apache-2.0 */
/* Element-wise binary operators with numpy broadcasting on the physical shapes: Add, Sub,
 * Mul, Div, Pow, Max, Min, for f32, int64 and int32 (int64 for shape arithmetic). The pass
 * that converts to NHWC lays both operands out alike, so broadcasting physical dims is
 * right in both layouts. A fused activation (node->act) applies to f32 Add. Dims are
 * collapsed so the inner loop is as long as possible; rows are split across the pool. */
#include <math.h>

#include "ops/util.h"

#define CHUNK 16384

struct binary_state {
    enum yq__op op;
    enum yq__dtype dt;
    struct yq__bcast bc;
    int64_t inner_chunks;
    int64_t rows_per_task; /* short rows are grouped so a task moves >= CHUNK elements */
    struct yq__act act;
};

static enum yq_status binary_check(const struct yq__graph *g, int node, struct yq__shape *out,
                                   struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 2, 2, e);
    if (st)
        return st;
    const struct yq__tensor *a = yq__ops_in(g, node, 0), *b = yq__ops_in(g, node, 1);
    char s1[YQ__SHAPE_BUF], s2[YQ__SHAPE_BUF];
    if (a->dtype != b->dtype)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "operand types differ (%s, %s)",
                            yq__dtype_name(a->dtype), yq__dtype_name(b->dtype));
    if (a->dtype != YQ__DTYPE_F32 && a->dtype != YQ__DTYPE_S64 && a->dtype != YQ__DTYPE_S32)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "type %s is not supported",
                            yq__dtype_name(a->dtype));
    if (!yq__ops_broadcast_shape(&a->shape, &b->shape, out))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "shapes %s and %s do not broadcast",
                            yq__ops_sh(&a->shape, s1), yq__ops_sh(&b->shape, s2));
    return YQ_STATUS_OK;
}

static enum yq_status binary_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct yq__shape out;
    enum yq_status st = binary_check(g, node, &out, e);
    if (st)
        return st;
    const struct yq__tensor *a = yq__ops_in(g, node, 0), *b = yq__ops_in(g, node, 1);
    enum yq__layout layout = yq__ops_is_nhwc(a) || yq__ops_is_nhwc(b) ? YQ__LAYOUT_NHWC
                             : a->shape.rank == 4                     ? a->layout
                                                                      : b->layout;
    yq__ops_set_out(g, node, 0, a->dtype, &out, layout);
    return YQ_STATUS_OK;
}

static enum yq_status binary_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    struct yq__shape out;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = binary_check(g, node, &out, e);
    if (st)
        return st;
    st = yq__ops_state_alloc(g, node, sizeof(struct binary_state), state, e);
    if (st)
        return st;
    struct binary_state *s = *state;
    const struct yq__tensor *a = yq__ops_in(g, node, 0), *b = yq__ops_in(g, node, 1);
    s->op = g->nodes[node].op;
    s->dt = a->dtype;
    yq__ops_bcast_init(&s->bc, &a->shape, &b->shape, &out);
    s->inner_chunks = (s->bc.d[s->bc.rank - 1] + CHUNK - 1) / CHUNK;
    if (s->inner_chunks < 1)
        s->inner_chunks = 1;
    int64_t inner = s->bc.d[s->bc.rank - 1];
    s->rows_per_task = inner >= CHUNK || inner < 1 ? 1 : CHUNK / inner;
    if (s->op == YQ__OP_ADD && s->dt == YQ__DTYPE_F32)
        s->act = g->nodes[node].act;
    return YQ_STATUS_OK;
}

/* One contiguous run of n outputs; sa/sb are 0 (broadcast) or 1. The four stride cases are
 * written out so each loop vectorises. */
#define BIN_LOOP(T, EXPR)                                                                          \
    do {                                                                                           \
        const T *restrict pa = a;                                                                  \
        const T *restrict pb = b;                                                                  \
        T *restrict py = y;                                                                        \
        if (sa && sb)                                                                              \
            for (int64_t i = 0; i < n; i++) {                                                      \
                T x0 = pa[i], x1 = pb[i];                                                          \
                py[i] = EXPR;                                                                      \
            }                                                                                      \
        else if (sa)                                                                               \
            for (int64_t i = 0; i < n; i++) {                                                      \
                T x0 = pa[i], x1 = pb[0];                                                          \
                py[i] = EXPR;                                                                      \
            }                                                                                      \
        else if (sb)                                                                               \
            for (int64_t i = 0; i < n; i++) {                                                      \
                T x0 = pa[0], x1 = pb[i];                                                          \
                py[i] = EXPR;                                                                      \
            }                                                                                      \
        else                                                                                       \
            for (int64_t i = 0; i < n; i++) {                                                      \
                T x0 = pa[0], x1 = pb[0];                                                          \
                py[i] = EXPR;                                                                      \
            }                                                                                      \
    } while (0)

#define BIN_OPS(T, DIV, POW)                                                                       \
    switch (op) {                                                                                  \
    case YQ__OP_ADD:                                                                               \
        BIN_LOOP(T, x0 + x1);                                                                      \
        break;                                                                                     \
    case YQ__OP_SUB:                                                                               \
        BIN_LOOP(T, x0 - x1);                                                                      \
        break;                                                                                     \
    case YQ__OP_MUL:                                                                               \
        BIN_LOOP(T, x0 * x1);                                                                      \
        break;                                                                                     \
    case YQ__OP_DIV:                                                                               \
        BIN_LOOP(T, DIV);                                                                          \
        break;                                                                                     \
    case YQ__OP_POW:                                                                               \
        BIN_LOOP(T, POW);                                                                          \
        break;                                                                                     \
    case YQ__OP_MAX:                                                                               \
        BIN_LOOP(T, x0 > x1 ? x0 : x1);                                                            \
        break;                                                                                     \
    case YQ__OP_MIN:                                                                               \
        BIN_LOOP(T, x0 < x1 ? x0 : x1);                                                            \
        break;                                                                                     \
    default:                                                                                       \
        break;                                                                                     \
    }

/* Both operands contiguous (residual Adds, the bulk of the f32 work): blocks of 16 with a
 * constant count, which -O2's cheap vectoriser turns into vector code (the loops of BIN_LOOP,
 * of unknown count, stay scalar at -O2). A block is computed into a local array before it is
 * stored, so the output may overlap the inputs. False for the ops without a block form. */
#define VV_BLOCKS(EXPR)                                                                            \
    for (; i + 16 <= n; i += 16) {                                                                 \
        float t[16];                                                                               \
        for (size_t j = 0; j < 16; j++) {                                                          \
            float x0 = a[i + j], x1 = b[i + j];                                                    \
            t[j] = EXPR;                                                                           \
        }                                                                                          \
        memcpy(y + i, t, sizeof t);                                                                \
    }                                                                                              \
    break

static bool f32_vv_blocks(enum yq__op op, const float *a, const float *b, float *y, size_t n,
                          size_t *done)
{
    size_t i = 0;
    switch (op) {
    case YQ__OP_ADD:
        VV_BLOCKS(x0 + x1);
    case YQ__OP_SUB:
        VV_BLOCKS(x0 - x1);
    case YQ__OP_MUL:
        VV_BLOCKS(x0 * x1);
    case YQ__OP_DIV:
        VV_BLOCKS(x0 / x1);
    case YQ__OP_MAX:
        VV_BLOCKS(x0 > x1 ? x0 : x1);
    case YQ__OP_MIN:
        VV_BLOCKS(x0 < x1 ? x0 : x1);
    default:
        return false;
    }
    *done = i;
    return true;
}
#undef VV_BLOCKS

static void run_f32(enum yq__op op, const float *a, const float *b, float *y, int64_t n, int sa,
                    int sb)
{
    size_t done = 0;
    if (sa && sb && n > 0 && f32_vv_blocks(op, a, b, y, (size_t)n, &done)) {
        a += done;
        b += done;
        y += done;
        n -= (int64_t)done;
    }
    BIN_OPS(float, x0 / x1, powf(x0, x1))
}

/* Integer power by squaring with wrap-around (negative exponents give 0, like truncation). */
static int64_t ipow(int64_t base, int64_t exp)
{
    uint64_t r = 1, b = (uint64_t)base;
    if (exp < 0)
        return base == 1 ? 1 : (base == -1 ? (exp % 2 ? -1 : 1) : 0);
    for (; exp; exp >>= 1, b *= b)
        if (exp & 1)
            r *= b;
    return (int64_t)r;
}

/* Integer division by zero would trap: it yields 0 instead (the input is untrusted). */
static void run_s64(enum yq__op op, const int64_t *a, const int64_t *b, int64_t *y, int64_t n,
                    int sa, int sb)
{
    BIN_OPS(int64_t, x1 ? (x1 == -1 ? (int64_t)(0u - (uint64_t)x0) : x0 / x1) : 0, ipow(x0, x1))
}

static void run_s32(enum yq__op op, const int32_t *a, const int32_t *b, int32_t *y, int64_t n,
                    int sa, int sb)
{
    BIN_OPS(int32_t, x1 ? (x1 == -1 ? (int32_t)(0u - (uint32_t)x0) : x0 / x1) : 0,
            (int32_t)ipow(x0, x1))
}

struct binary_ctx {
    const struct binary_state *s;
    const char *a, *b;
    char *y;
};

/* One row (or one CHUNK of a long row) of the broadcast plan. */
static void binary_piece(const struct binary_ctx *c, int64_t row, int64_t ch)
{
    const struct binary_state *s = c->s;
    const struct yq__bcast *bc = &s->bc;
    int64_t inner = bc->d[bc->rank - 1];
    int64_t i0 = ch * CHUNK, n = YQ_MIN(inner - i0, CHUNK);
    int64_t oa, ob;
    yq__ops_bcast_row(bc, row, &oa, &ob);
    int sa = bc->sa[bc->rank - 1] != 0, sb = bc->sb[bc->rank - 1] != 0;
    oa += sa ? i0 : 0;
    ob += sb ? i0 : 0;
    int64_t oy = row * inner + i0;
    size_t es = yq__dtype_size(s->dt);
    const char *a = c->a + (size_t)oa * es, *b = c->b + (size_t)ob * es;
    char *y = c->y + (size_t)oy * es;
    switch (s->dt) {
    case YQ__DTYPE_F32:
        run_f32(s->op, (const float *)a, (const float *)b, (float *)y, n, sa, sb);
        if (s->act.kind != YQ__ACT_NONE)
            yq__f32_act((float *)y, (size_t)n, &s->act);
        break;
    case YQ__DTYPE_S64:
        run_s64(s->op, (const int64_t *)a, (const int64_t *)b, (int64_t *)y, n, sa, sb);
        break;
    default:
        run_s32(s->op, (const int32_t *)a, (const int32_t *)b, (int32_t *)y, n, sa, sb);
        break;
    }
}

static void binary_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    const struct binary_ctx *c = ctx;
    const struct binary_state *s = c->s;
    if (s->rows_per_task > 1) {
        /* many short rows (e.g. a per-channel broadcast over NHWC pixels): a task per row
         * would make the workers fight over the task counter */
        int64_t r0 = (int64_t)task * s->rows_per_task;
        int64_t r1 = YQ_MIN(r0 + s->rows_per_task, s->bc.rows);
        for (int64_t r = r0; r < r1; r++)
            binary_piece(c, r, 0);
        return;
    }
    binary_piece(c, (int64_t)task / s->inner_chunks, (int64_t)task % s->inner_chunks);
}

static void binary_run(const struct yq__exec *x)
{
    const struct binary_state *s = x->state;
    struct binary_ctx c = {s, x->in[0], x->in[1], x->out[0]};
    size_t tasks = s->rows_per_task > 1
                       ? (size_t)((s->bc.rows + s->rows_per_task - 1) / s->rows_per_task)
                       : (size_t)(s->bc.rows * s->inner_chunks);
    int64_t total = s->bc.rows * s->bc.d[s->bc.rank - 1];
    /* small tensors (shape math, biases) are not worth waking workers for */
    yq__ops_run_homed(total >= CHUNK ? x->pool : NULL, tasks, binary_task, &c);
}

#define BINARY_IMPL(sym, op)                                                                       \
    const struct yq__op_impl sym = {op,            YQ__OPCLASS_ELEMENTWISE, binary_infer,          \
                                    binary_prepare, binary_run,              yq__ops_state_free};
BINARY_IMPL(yq__f32_add, YQ__OP_ADD)
BINARY_IMPL(yq__f32_sub, YQ__OP_SUB)
BINARY_IMPL(yq__f32_mul, YQ__OP_MUL)
BINARY_IMPL(yq__f32_div, YQ__OP_DIV)
BINARY_IMPL(yq__f32_pow, YQ__OP_POW)
BINARY_IMPL(yq__f32_max, YQ__OP_MAX)
BINARY_IMPL(yq__f32_min, YQ__OP_MIN)
