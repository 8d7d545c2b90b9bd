/* SPDX-License-Identifier: Apache-2.0 */
/* The intermediate representation every part works on: a graph of nodes (operators) over
 * tensors, referenced by index (never by pointer, so arrays may grow). The ONNX importer
 * fills it, the passes rewrite it, the runtime plans and runs it, the quantizer annotates it.
 *
 * Shapes are PHYSICAL: a tensor whose layout is YQ__LAYOUT_NHWC stores dims as {N,H,W,C}.
 * Attributes keep their ONNX meaning (an `axis` is a logical NCHW axis); operators map it
 * through the input's layout with yq__axis_to_phys(). */
#ifndef YQ_IR_H
#define YQ_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/core.h"
#include "kernels/kernels.h"

#define YQ__MAX_RANK 8

/* Element types. Values are stable (stored in .yqm files). */
enum yq__dtype {
    YQ__DTYPE_F32 = 0,
    YQ__DTYPE_U8 = 1,
    YQ__DTYPE_S8 = 2,
    YQ__DTYPE_S32 = 3,
    YQ__DTYPE_S64 = 4,
    YQ__DTYPE_BOOL = 5,
    YQ__DTYPE_F16 = 6, /* storage only: converted to f32 on import */
    YQ__DTYPE_COUNT
};
size_t yq__dtype_size(enum yq__dtype t);
const char *yq__dtype_name(enum yq__dtype t);

enum yq__layout {
    YQ__LAYOUT_PLAIN = 0, /* not a 4D image tensor, or never converted: ONNX order */
    YQ__LAYOUT_NCHW = 1,  /* 4D, ONNX order (explicitly) */
    YQ__LAYOUT_NHWC = 2,  /* 4D, channels last: dims are {N,H,W,C} */
};

struct yq__shape {
    int rank;
    int64_t d[YQ__MAX_RANK];
};
int64_t yq__shape_numel(const struct yq__shape *s);
bool yq__shape_eq(const struct yq__shape *a, const struct yq__shape *b);
/* "[1,3,640,640]" into buf; returns buf. */
const char *yq__shape_str(const struct yq__shape *s, char *buf, size_t cap);

/* Quantization parameters of a tensor (empty: scale == 0). Per-channel scales (weights)
 * have n_channels > 0 along `axis` (physical axis of the stored data). */
struct yq__quant {
    float scale;
    int32_t zero_point;
    int n_channels;
    int axis;
    float *channel_scales; /* owned */
};

struct yq__tensor {
    char *name;
    enum yq__dtype dtype;
    struct yq__shape shape;
    enum yq__layout layout;
    void *data;      /* constant payload (yq__aligned_alloc, owned), NULL for activations */
    size_t nbytes;   /* size of data */
    int producer;    /* node index, -1 for graph inputs and constants */
    int n_consumers; /* set by yq__graph_index() */
    bool is_input;
    bool is_output;
    struct yq__quant q;
    /* Calibration range observed for this tensor (float graph), by src/quant. */
    float range_min, range_max;
    bool has_range;
};

enum yq__attr_kind {
    YQ__ATTR_INT,
    YQ__ATTR_FLOAT,
    YQ__ATTR_INTS,
    YQ__ATTR_FLOATS,
    YQ__ATTR_STRING,
};

struct yq__attr {
    char *name;
    enum yq__attr_kind kind;
    int64_t i;
    float f;
    int n; /* count of ints/floats; length of s */
    int64_t *ints;
    float *floats;
    char *s; /* NUL-terminated too */
};

/* Operator types: X(enum suffix, ONNX op_type). The op table in src/ops/ uses the same list. */
#define YQ__OP_LIST(X)                                                                             \
    X(ADD, "Add")                                                                                  \
    X(AVERAGE_POOL, "AveragePool")                                                                 \
    X(BATCH_NORM, "BatchNormalization")                                                            \
    X(CAST, "Cast")                                                                                \
    X(CLIP, "Clip")                                                                                \
    X(CONCAT, "Concat")                                                                            \
    X(CONSTANT, "Constant")                                                                        \
    X(CONV, "Conv")                                                                                \
    X(CONV_TRANSPOSE, "ConvTranspose")                                                             \
    X(DIV, "Div")                                                                                  \
    X(DROPOUT, "Dropout")                                                                          \
    X(EXP, "Exp")                                                                                  \
    X(EXPAND, "Expand")                                                                            \
    X(FLATTEN, "Flatten")                                                                          \
    X(GATHER, "Gather")                                                                            \
    X(GLOBAL_AVERAGE_POOL, "GlobalAveragePool")                                                    \
    X(GLOBAL_MAX_POOL, "GlobalMaxPool")                                                            \
    X(HARD_SIGMOID, "HardSigmoid")                                                                 \
    X(HARD_SWISH, "HardSwish")                                                                     \
    X(IDENTITY, "Identity")                                                                        \
    X(LEAKY_RELU, "LeakyRelu")                                                                     \
    X(LOG, "Log")                                                                                  \
    X(MAT_MUL, "MatMul")                                                                           \
    X(MAX, "Max")                                                                                  \
    X(MAX_POOL, "MaxPool")                                                                         \
    X(MIN, "Min")                                                                                  \
    X(MUL, "Mul")                                                                                  \
    X(NEG, "Neg")                                                                                  \
    X(PAD, "Pad")                                                                                  \
    X(POW, "Pow")                                                                                  \
    X(RANGE, "Range")                                                                              \
    X(REDUCE_MAX, "ReduceMax")                                                                     \
    X(REDUCE_MEAN, "ReduceMean")                                                                   \
    X(RELU, "Relu")                                                                                \
    X(RESHAPE, "Reshape")                                                                          \
    X(RESIZE, "Resize")                                                                            \
    X(SHAPE, "Shape")                                                                              \
    X(SIGMOID, "Sigmoid")                                                                          \
    X(SILU, "SiLU")                                                                                \
    X(SLICE, "Slice")                                                                              \
    X(SOFTMAX, "Softmax")                                                                          \
    X(SPLIT, "Split")                                                                              \
    X(SQRT, "Sqrt")                                                                                \
    X(SQUEEZE, "Squeeze")                                                                          \
    X(SUB, "Sub")                                                                                  \
    X(TANH, "Tanh")                                                                                \
    X(TRANSPOSE, "Transpose")                                                                      \
    X(UNSQUEEZE, "Unsqueeze")                                                                      \
    X(UPSAMPLE, "Upsample")                                                                        \
    X(QUANTIZE, "yq.Quantize")                                                                     \
    X(DEQUANTIZE, "yq.Dequantize")

enum yq__op {
#define YQ__OP_ENUM(e, s) YQ__OP_##e,
    YQ__OP_LIST(YQ__OP_ENUM)
#undef YQ__OP_ENUM
        YQ__OP_COUNT
};
/* ONNX op_type → enum; YQ__OP_COUNT when unknown. */
enum yq__op yq__op_from_name(const char *op_type);
const char *yq__op_name(enum yq__op op);

struct yq__node {
    char *name;
    enum yq__op op;
    int n_in;
    int *in; /* tensor indices; -1 for an omitted optional input */
    int n_out;
    int *out;
    int n_attrs;
    struct yq__attr *attrs;
    /* Activation fused into this node's epilogue by pass_fuse_act (Conv, MatMul, Add). */
    struct yq__act act;
    /* Compute in int8 (set by the quantizer); false = fp32. */
    bool quantized;
    bool dead; /* removed by a pass; dropped by yq__graph_compact */
};

struct yq__kv {
    char *key;
    char *value;
};

struct yq__graph {
    struct yq__tensor *tensors;
    int n_tensors, cap_tensors;
    struct yq__node *nodes;
    int n_nodes, cap_nodes;
    int *inputs, n_inputs;
    int *outputs, n_outputs;
    struct yq__kv *meta;
    int n_meta;
    char *source; /* file name used in messages ("yolov5n.onnx") */
    int opset;
    /* name → tensor index hash (open addressing), rebuilt as tensors are added */
    int *hash;
    int hash_cap;
};

/* --- graph construction -------------------------------------------------------------- */
enum yq_status yq__graph_create(const char *source, struct yq__graph **out);
void yq__graph_free(struct yq__graph *g);

/* Adds a tensor (name copied; must be unique). Returns its index, or -1 out of memory. */
int yq__graph_add_tensor(struct yq__graph *g, const char *name, enum yq__dtype dtype,
                         const struct yq__shape *shape);
/* Adds a constant tensor, taking ownership of `data` (yq__aligned_alloc'd, nbytes). */
int yq__graph_add_const(struct yq__graph *g, const char *name, enum yq__dtype dtype,
                        const struct yq__shape *shape, void *data, size_t nbytes);
/* A fresh unique tensor name derived from `base` (e.g. "x" → "x__1"), into buf. */
const char *yq__graph_unique_name(struct yq__graph *g, const char *base, char *buf, size_t cap);
/* Index of the tensor called `name`, or -1. */
int yq__graph_find(const struct yq__graph *g, const char *name);

/* Adds a node (name and index arrays copied). Returns its index, or -1 out of memory. */
int yq__graph_add_node(struct yq__graph *g, const char *name, enum yq__op op, int n_in,
                       const int *in, int n_out, const int *out);
/* Attribute setters (copy their arguments); return false out of memory. */
bool yq__node_set_int(struct yq__graph *g, int node, const char *name, int64_t v);
bool yq__node_set_float(struct yq__graph *g, int node, const char *name, float v);
bool yq__node_set_ints(struct yq__graph *g, int node, const char *name, const int64_t *v, int n);
bool yq__node_set_floats(struct yq__graph *g, int node, const char *name, const float *v, int n);
bool yq__node_set_string(struct yq__graph *g, int node, const char *name, const char *s, int n);

bool yq__graph_set_meta(struct yq__graph *g, const char *key, const char *value);
const char *yq__graph_meta(const struct yq__graph *g, const char *key);

/* --- attribute getters (return the default when absent or of another kind) ----------- */
const struct yq__attr *yq__node_attr(const struct yq__node *n, const char *name);
int64_t yq__attr_int(const struct yq__node *n, const char *name, int64_t def);
float yq__attr_float(const struct yq__node *n, const char *name, float def);
/* Pointer to the ints (count in *n_out), or NULL with *n_out = 0. */
const int64_t *yq__attr_ints(const struct yq__node *n, const char *name, int *n_out);
const float *yq__attr_floats(const struct yq__node *n, const char *name, int *n_out);
const char *yq__attr_string(const struct yq__node *n, const char *name, const char *def);

/* --- structure --------------------------------------------------------------------- */
/* Recomputes producers, consumer counts and is_input/is_output flags; checks every node
 * input is produced earlier (topological order) or is a graph input / constant, and that
 * each tensor has at most one producer. */
enum yq_status yq__graph_index(struct yq__graph *g, struct yq__err *e);
/* Sorts nodes topologically (stable), after which yq__graph_index holds. */
enum yq_status yq__graph_toposort(struct yq__graph *g, struct yq__err *e);
/* Drops dead nodes and tensors no longer referenced (renumbering), then re-indexes. */
enum yq_status yq__graph_compact(struct yq__graph *g, struct yq__err *e);
/* Replaces every use of tensor `from` as a node input or graph output with `to`. */
void yq__graph_replace_uses(struct yq__graph *g, int from, int to);

/* Logical NCHW axis → physical axis of tensor t (identity unless t is NHWC). `axis` may be
 * negative (counted from rank). Returns -1 if out of range. */
int yq__axis_to_phys(const struct yq__tensor *t, int64_t axis);

/* Float view of a constant: converts any numeric dtype. Returns false if not constant. */
bool yq__const_as_i64(const struct yq__tensor *t, int64_t *out, int64_t max_n, int64_t *n_out);

#endif
