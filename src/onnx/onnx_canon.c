/* SPDX-License-Identifier: Apache-2.0 */
/* Opset canonicalisation: ONNX moved several attributes to inputs over the opsets
 * (Split/Squeeze/Unsqueeze at 13, Reduce* at 18, Clip at 11) and changed Softmax's
 * semantics at 13. Each node is rewritten here into the single form onnx.h documents, so
 * operators never look at the opset. */
#include "onnx_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum yq_status node_err(struct yq__graph *g, int node, struct yq__err *e, enum yq_status st,
                               const char *fmt, ...) YQ_PRINTF(5, 6);

static enum yq_status node_err(struct yq__graph *g, int node, struct yq__err *e, enum yq_status st,
                               const char *fmt, ...)
{
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    const struct yq__node *n = &g->nodes[node];
    return yq__errf(e, st, "%s: node '%s' (%s): %s", g->source, n->name, yq__op_name(n->op),
                    detail);
}

static enum yq_status oom(struct yq__graph *g, struct yq__err *e)
{
    return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
}

/* Reads integer constant input `slot` into a new array (*vals, caller frees). */
static enum yq_status input_ints(struct yq__graph *g, int node, int slot, const char *what,
                                 int64_t **vals, int *n_vals, struct yq__err *e)
{
    const struct yq__tensor *t = &g->tensors[g->nodes[node].in[slot]];
    if (!t->data)
        return node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                        "%s input '%s' must be a constant (computed %s are not supported)", what,
                        t->name, what);
    int64_t numel = yq__shape_numel(&t->shape);
    if (t->dtype != YQ__DTYPE_S64 && t->dtype != YQ__DTYPE_S32)
        return node_err(g, node, e, YQ_STATUS_BAD_MODEL, "%s input '%s' must be int64, not %s",
                        what, t->name, yq__dtype_name(t->dtype));
    if (t->shape.rank > 1 || numel > 4096)
        return node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                        "%s input '%s' must be a 1-D list of at most 4096 values", what, t->name);
    int64_t *v = yq__malloc((size_t)(numel > 0 ? numel : 1) * sizeof *v);
    if (!v) return oom(g, e);
    for (int64_t i = 0; i < numel; i++)
        v[i] = t->dtype == YQ__DTYPE_S64 ? ((const int64_t *)t->data)[i]
                                         : ((const int32_t *)t->data)[i];
    *vals = v;
    *n_vals = (int)numel;
    return YQ_STATUS_OK;
}

/* Moves optional constant input `slot` (if given) into ints attr `attr`; the node keeps
 * only its inputs before `slot`. */
static enum yq_status input_to_ints_attr(struct yq__graph *g, int node, int slot, const char *attr,
                                         struct yq__err *e)
{
    struct yq__node *n = &g->nodes[node];
    if (n->n_in > slot && n->in[slot] >= 0) {
        int64_t *v = NULL;
        int cnt = 0;
        enum yq_status st = input_ints(g, node, slot, attr, &v, &cnt, e);
        if (st) return st;
        bool ok = yq__node_set_ints(g, node, attr, v, cnt);
        yq__free(v);
        if (!ok) return oom(g, e);
    }
    n = &g->nodes[node];
    if (n->n_in > slot) n->n_in = slot;
    return YQ_STATUS_OK;
}

static enum yq_status input_float(struct yq__graph *g, int node, int slot, const char *what,
                                  float *out, struct yq__err *e)
{
    const struct yq__tensor *t = &g->tensors[g->nodes[node].in[slot]];
    if (!t->data)
        return node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "%s input '%s' must be a constant", what,
                        t->name);
    if (yq__shape_numel(&t->shape) != 1)
        return node_err(g, node, e, YQ_STATUS_BAD_MODEL, "%s input '%s' must be a scalar", what,
                        t->name);
    switch (t->dtype) {
    case YQ__DTYPE_F32:
        *out = *(const float *)t->data;
        break;
    case YQ__DTYPE_S64:
        *out = (float)*(const int64_t *)t->data;
        break;
    case YQ__DTYPE_S32:
        *out = (float)*(const int32_t *)t->data;
        break;
    case YQ__DTYPE_S8:
        *out = (float)*(const int8_t *)t->data;
        break;
    case YQ__DTYPE_U8:
        *out = (float)*(const uint8_t *)t->data;
        break;
    default:
        return node_err(g, node, e, YQ_STATUS_BAD_MODEL, "%s input '%s' has type %s", what, t->name,
                        yq__dtype_name(t->dtype));
    }
    return YQ_STATUS_OK;
}

static enum yq_status canon_clip(struct yq__graph *g, int node, struct yq__err *e)
{
    /* opset >= 11: min, max are optional inputs; attributes only before 11 */
    const struct yq__node *n = &g->nodes[node];
    float lo = yq__attr_float(n, "min", -INFINITY), hi = yq__attr_float(n, "max", INFINITY);
    enum yq_status st;
    if (n->n_in > 1 && n->in[1] >= 0 && (st = input_float(g, node, 1, "min", &lo, e))) return st;
    n = &g->nodes[node];
    if (n->n_in > 2 && n->in[2] >= 0 && (st = input_float(g, node, 2, "max", &hi, e))) return st;
    if (!yq__node_set_float(g, node, "min", lo) || !yq__node_set_float(g, node, "max", hi))
        return oom(g, e);
    if (g->nodes[node].n_in > 1) g->nodes[node].n_in = 1;
    return YQ_STATUS_OK;
}

static enum yq_status canon_softmax(struct yq__graph *g, int node, struct yq__err *e)
{
    bool legacy = g->opset < 13;
    int64_t axis = yq__attr_int(&g->nodes[node], "axis", legacy ? 1 : -1);
    if (!yq__node_set_int(g, node, "axis", axis)) return oom(g, e);
    if (legacy && !yq__node_set_int(g, node, "legacy_coerce", 1)) return oom(g, e);
    return YQ_STATUS_OK;
}

static bool set_str(struct yq__graph *g, int node, const char *name, const char *v)
{
    return yq__node_set_string(g, node, name, v, (int)strlen(v));
}

static enum yq_status canon_upsample(struct yq__graph *g, int node, struct yq__err *e)
{
    struct yq__node *n = &g->nodes[node];
    int scales = n->n_in > 1 ? n->in[1] : -1;
    if (scales < 0) {
        /* opset 7..8 kept scales as an attribute: make it the constant input Resize reads */
        int cnt;
        const float *v = yq__attr_floats(n, "scales", &cnt);
        if (!v) return node_err(g, node, e, YQ_STATUS_BAD_MODEL, "missing scales");
        char base[256], name[300];
        snprintf(base, sizeof base, "%s_scales", n->name);
        yq__graph_unique_name(g, base, name, sizeof name);
        float *data = yq__aligned_alloc((size_t)cnt * sizeof *data);
        if (!data) return oom(g, e);
        memcpy(data, v, (size_t)cnt * sizeof *data);
        struct yq__shape s = {1, {cnt}};
        scales = yq__graph_add_const(g, name, YQ__DTYPE_F32, &s, data, (size_t)cnt * sizeof *data);
        if (scales < 0) return oom(g, e);
        n = &g->nodes[node];
    }
    if (n->n_in < 1 || n->in[0] < 0)
        return node_err(g, node, e, YQ_STATUS_BAD_MODEL, "missing input X");
    int *in = yq__realloc(n->in, 3 * sizeof *in);
    if (!in) return oom(g, e);
    n->in = in;
    in[1] = -1;
    in[2] = scales;
    n->n_in = 3;
    n->op = YQ__OP_RESIZE;
    const char *mode = yq__attr_string(n, "mode", "nearest");
    if (strcmp(mode, "nearest") != 0 && strcmp(mode, "linear") != 0)
        return node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "Upsample mode '%s'", mode);
    if ((strcmp(mode, "nearest") == 0 && !set_str(g, node, "mode", "nearest")) ||
        !set_str(g, node, "coordinate_transformation_mode", "asymmetric") ||
        !set_str(g, node, "nearest_mode", "floor"))
        return oom(g, e);
    return YQ_STATUS_OK;
}

static void canon_resize(struct yq__graph *g, int node)
{
    struct yq__node *n = &g->nodes[node];
    for (int i = 1; i < n->n_in; i++) {
        const struct yq__tensor *t = n->in[i] >= 0 ? &g->tensors[n->in[i]] : NULL;
        if (t && t->data && yq__shape_numel(&t->shape) == 0) n->in[i] = -1;
    }
}

enum yq_status yq__onnx_canonicalize(struct yq__graph *g, int node, struct yq__err *e)
{
    switch (g->nodes[node].op) {
    case YQ__OP_SPLIT:
        return input_to_ints_attr(g, node, 1, "split", e);
    case YQ__OP_SQUEEZE:
    case YQ__OP_UNSQUEEZE:
    case YQ__OP_REDUCE_MAX:
    case YQ__OP_REDUCE_MEAN:
        return input_to_ints_attr(g, node, 1, "axes", e);
    case YQ__OP_CLIP:
        return canon_clip(g, node, e);
    case YQ__OP_SOFTMAX:
        return canon_softmax(g, node, e);
    case YQ__OP_UPSAMPLE:
        return canon_upsample(g, node, e);
    case YQ__OP_RESIZE:
        canon_resize(g, node);
        return YQ_STATUS_OK;
    default:
        return YQ_STATUS_OK;
    }
}
