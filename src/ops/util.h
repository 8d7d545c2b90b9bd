/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the operator files (not used outside src/ops): input/output access,
 * constant reading, output shape setting, numpy broadcasting with dimension collapsing, and
 * splitting work into pool tasks. */
#ifndef YQ_OPS_UTIL_H
#define YQ_OPS_UTIL_H

#include <string.h>
#include "ops/op.h"

/* Input i of a node as a tensor, or NULL when absent/omitted. */
static inline const struct yq__tensor *yq__ops_in(const struct yq__graph *g, int node, int i)
{
    const struct yq__node *n = &g->nodes[node];
    if (i >= n->n_in || n->in[i] < 0)
        return NULL;
    return &g->tensors[n->in[i]];
}

static inline struct yq__tensor *yq__ops_out(struct yq__graph *g, int node, int i)
{
    const struct yq__node *n = &g->nodes[node];
    if (i >= n->n_out || n->out[i] < 0)
        return NULL;
    return &g->tensors[n->out[i]];
}

/* Sets dtype, shape and layout of output i (no-op when the output is omitted). A layout
 * other than PLAIN is kept only for 4D shapes. */
void yq__ops_set_out(struct yq__graph *g, int node, int i, enum yq__dtype dt,
                     const struct yq__shape *s, enum yq__layout layout);

/* Checks a node has between lo and hi inputs (present: required ones non-omitted) and at
 * least one output; errors name the node. */
enum yq_status yq__ops_check_io(const struct yq__graph *g, int node, int min_in, int max_in,
                                struct yq__err *e);

/* Reads constant input i as int64 values (up to max). Returns false if the input is absent
 * or not a constant (the caller phrases the error). */
bool yq__ops_const_ints(const struct yq__graph *g, int node, int i, int64_t *out, int max,
                        int *n_out);

/* Values of non-constant small tensors computed on the side during yq__graph_infer_shapes
 * (Shape -> Gather -> Concat chains feeding Reshape); data[t] is NULL when unknown. Set for
 * the calling thread only, so concurrent inference of different graphs does not mix. */
struct yq__ops_known {
    int n;
    void **data;
    size_t *nbytes;
};
void yq__ops_set_known(const struct yq__ops_known *k);
/* Data of tensor t if constant or known on the side, else NULL. */
const void *yq__ops_value(const struct yq__graph *g, int t);

/* True for 4D tensors stored channels-last. */
static inline bool yq__ops_is_nhwc(const struct yq__tensor *t)
{
    return t->layout == YQ__LAYOUT_NHWC && t->shape.rank == 4;
}

/* Element strides of an n x c x h x w tensor in either layout (pools, Resize): image,
 * channel, row and column. */
static inline void yq__ops_strides_4d(bool nhwc, int64_t c, int64_t h, int64_t w, int64_t *sn,
                                      int64_t *sc, int64_t *sy, int64_t *sx)
{
    *sn = c * h * w;
    *sc = nhwc ? 1 : h * w;
    *sx = nhwc ? c : 1;
    *sy = *sx * w;
}

/* The shape of 4D tensor x with its spatial dims (either layout) set to oh x ow. */
static inline struct yq__shape yq__ops_spatial_shape(const struct yq__tensor *x, int64_t oh,
                                                     int64_t ow)
{
    struct yq__shape o = x->shape;
    bool nhwc = yq__ops_is_nhwc(x);
    o.d[nhwc ? 1 : 2] = oh;
    o.d[nhwc ? 2 : 3] = ow;
    return o;
}

/* Logical (ONNX order) shape of a tensor: undoes NHWC. */
void yq__ops_logical_shape(const struct yq__tensor *t, struct yq__shape *out);

/* Product of dims [from, to). */
static inline int64_t yq__ops_prod(const struct yq__shape *s, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= s->d[i];
    return p;
}

/* Numpy broadcast of two shapes; false if incompatible. */
bool yq__ops_broadcast_shape(const struct yq__shape *a, const struct yq__shape *b,
                             struct yq__shape *out);

/* Broadcast iteration plan: output dims collapsed where both operands agree, with element
 * strides of a and b per dim (0 where broadcast). The innermost dim runs contiguous loops. */
struct yq__bcast {
    int rank;
    int64_t d[YQ__MAX_RANK];
    int64_t sa[YQ__MAX_RANK], sb[YQ__MAX_RANK];
    int64_t rows; /* product of d[0..rank-2] */
};
void yq__ops_bcast_init(struct yq__bcast *bc, const struct yq__shape *a,
                        const struct yq__shape *b, const struct yq__shape *out);
/* Element offsets into a and b of row r (all dims but the last). */
void yq__ops_bcast_row(const struct yq__bcast *bc, int64_t r, int64_t *oa, int64_t *ob);

/* Strided N-D gather copy (Slice, Transpose): output is dense with dims d; output element
 * (i0..ir-1) reads input element base + sum ik * is[k] (element units, es bytes each). */
struct yq__nd_copy {
    int rank;
    int64_t d[YQ__MAX_RANK];
    int64_t is[YQ__MAX_RANK];
    int64_t base;
    size_t es;
    int64_t rows; /* product of d[0..rank-2] */
};
void yq__ops_nd_copy_init(struct yq__nd_copy *p);
/* Copies output rows [r0, r1) (a row is the last dim). */
void yq__ops_nd_copy(const struct yq__nd_copy *p, const void *in, void *out, int64_t r0,
                     int64_t r1);
/* Runs the copy across the pool when large. */
void yq__ops_nd_copy_run(const struct yq__nd_copy *p, const void *in, void *out,
                         struct yq__pool *pool);

/* Allocates state of n bytes (zeroed) or returns an out-of-memory node error. */
enum yq_status yq__ops_state_alloc(const struct yq__graph *g, int node, size_t n, void **state,
                                   struct yq__err *e);
void yq__ops_state_free(void *state);

/* yq__pool_run, but each worker first runs its own contiguous share of the n tasks, in
 * order, then the others' leftovers: consecutive ops then mostly read what the same core
 * just wrote (cross-core cache traffic made 2-thread layers up to 3x slower). Every task runs
 * exactly once, whichever workers show up. */
void yq__ops_run_homed(struct yq__pool *pool, size_t n, yq__task_fn fn, void *ctx);

/* Tasks to split n units into, each at least min_units, for the given pool. */
size_t yq__ops_n_tasks(const struct yq__pool *pool, size_t n, size_t min_units);

/* Calls fn(ctx, r0, r1) on consecutive ranges that cover rows [0, rows), one range per pool
 * task (yq__ops_n_tasks(pool, rows, 1) of them): the row split of the ops whose rows are
 * independent (pools, Resize, Concat, strided copies). */
typedef void (*yq__ops_rows_fn)(const void *ctx, int64_t r0, int64_t r1);
void yq__ops_run_rows(struct yq__pool *pool, int64_t rows, yq__ops_rows_fn fn, const void *ctx);

/* A 2D sliding window (Conv, pools): kernel, strides, dilations, pads (top, left, bottom,
 * right) after auto_pad, and the output size. */
struct yq__win2d {
    int kh, kw, sh, sw, dh, dw;
    int pt, pl, pb, pr;
    int64_t oh, ow;
};
/* Reads strides/dilations/pads/auto_pad of the node for an h x w input and a kh x kw
 * kernel; ceil_mode as in MaxPool. Errors name the bad attribute. */
enum yq_status yq__ops_win2d(const struct yq__graph *g, int node, int64_t h, int64_t w, int kh,
                             int kw, bool ceil_mode, struct yq__win2d *win, struct yq__err *e);

/* Concat's output shape and physical axis (fp32 and int8 Concat): every input present, of
 * input 0's rank, dtype and layout, and equal to it on all but the axis. */
enum yq_status yq__ops_concat_shape(const struct yq__graph *g, int node, int *axis_out,
                                    struct yq__shape *out, struct yq__err *e);

/* Shape text for messages, into a caller buffer. */
#define YQ__SHAPE_BUF 128
static inline const char *yq__ops_sh(const struct yq__shape *s, char *buf)
{
    return yq__shape_str(s, buf, YQ__SHAPE_BUF);
}

#endif
