/* SPDX-License-Identifier: Apache-2.0 */
/* ONNX ModelProto → IR graph. Order of work: parse (protobuf-c, after a nesting pre-check),
 * opset, initializers and graph inputs, Constant nodes and every node output (first pass,
 * so nodes may come in any order), nodes with attributes and canonical forms (second
 * pass), outputs, metadata, topological sort, shape inference with constant folding. */
#include "onnx.h"
#include "onnx_internal.h"
#include "passes/passes.h"
#include "ops/ops.h"
#include "yoloq/toolkit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Deepest message nesting accepted; stock exports nest 7 (model→graph→value_info→type→
 * tensor→shape→dim) and subgraphs add 3 per level. */
#define MAX_NESTING 64
/* Bounds on counts that become ints in the IR. */
#define MAX_COUNT (1 << 24)

struct import {
    struct yq__graph *g;
    const Onnx__ModelProto *m;
    const Onnx__GraphProto *gp;
    struct yq__err *e;
    const char *src;
};

static const char *str(const char *s)
{
    return s ? s : "";
}

static bool is_default_domain(const char *d)
{
    return !d || !*d || strcmp(d, "ai.onnx") == 0;
}

static enum yq_status oom(struct import *im)
{
    return yq__errf(im->e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", im->src);
}

static enum yq_status read_opset(struct import *im)
{
    const Onnx__ModelProto *m = im->m;
    int64_t v = -1;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[i];
        if (o && is_default_domain(o->domain)) v = o->has_version ? o->version : 1;
    }
    if (v < 0)
        return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: the model declares no ai.onnx opset",
                        im->src);
    if (v < 11 || v > 21)
        return yq__errf(im->e, YQ_STATUS_UNSUPPORTED,
                        "%s: opset %lld is not supported (supported: 11 to 21); re-export with "
                        "opset 12",
                        im->src, (long long)v);
    im->g->opset = (int)v;
    return YQ_STATUS_OK;
}

static enum yq_status add_initializers(struct import *im)
{
    const Onnx__GraphProto *gp = im->gp;
    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *tp = gp->initializer[i];
        const char *name = str(tp->name);
        char what[200];
        snprintf(what, sizeof what, "initializer '%s'", name);
        if (!*name)
            return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: initializer %zu has no name", im->src,
                            i);
        if (yq__graph_find(im->g, name) >= 0)
            return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: %s is defined twice", im->src, what);
        int t;
        enum yq_status st = yq__onnx_add_tensor_const(im->g, tp, name, what, &t, im->e);
        if (st) return st;
    }
    return YQ_STATUS_OK;
}

static bool is_initializer(const Onnx__GraphProto *gp, const char *name)
{
    for (size_t i = 0; i < gp->n_initializer; i++)
        if (strcmp(str(gp->initializer[i]->name), name) == 0) return true;
    return false;
}

static enum yq_status add_inputs(struct import *im)
{
    const Onnx__GraphProto *gp = im->gp;
    struct yq__graph *g = im->g;
    g->inputs = yq__malloc((gp->n_input ? gp->n_input : 1) * sizeof *g->inputs);
    if (!g->inputs) return oom(im);
    for (size_t i = 0; i < gp->n_input; i++) {
        const Onnx__ValueInfoProto *vi = gp->input[i];
        const char *name = str(vi->name);
        if (!*name)
            return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: graph input %zu has no name", im->src,
                            i);
        if (is_initializer(gp, name))
            continue; /* an initializer listed as input: a constant with a default */
        if (yq__graph_find(g, name) >= 0)
            return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: graph input '%s' is listed twice",
                            im->src, name);
        const Onnx__TypeProto *tp = vi->type;
        if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
            return yq__errf(im->e, YQ_STATUS_UNSUPPORTED, "%s: graph input '%s' is not a tensor",
                            im->src, name);
        const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
        int et = tt->has_elem_type ? tt->elem_type : 0;
        if (et != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
            return yq__errf(im->e, YQ_STATUS_UNSUPPORTED,
                            "%s: graph input '%s' has element type %d; only float inputs are "
                            "supported",
                            im->src, name, et);
        if (!tt->shape)
            return yq__errf(im->e, YQ_STATUS_UNSUPPORTED,
                            "%s: graph input '%s' has no shape; export with a fixed input size",
                            im->src, name);
        if (tt->shape->n_dim > YQ__MAX_RANK)
            return yq__errf(im->e, YQ_STATUS_UNSUPPORTED, "%s: graph input '%s' has rank %zu",
                            im->src, name, tt->shape->n_dim);
        struct yq__shape s = {0};
        s.rank = (int)tt->shape->n_dim;
        for (size_t d = 0; d < tt->shape->n_dim; d++) {
            const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
            if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                dim->dim_value > 0) {
                if (dim->dim_value > INT32_MAX)
                    return yq__errf(im->e, YQ_STATUS_BAD_MODEL,
                                    "%s: graph input '%s' dim %zu is %lld", im->src, name, d,
                                    (long long)dim->dim_value);
                s.d[d] = dim->dim_value;
            } else if (d == 0 &&
                       dim->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
                s.d[d] = 1; /* dynamic batch: run one image at a time */
            } else if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
                return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: graph input '%s' dim %zu is %lld",
                                im->src, name, d, (long long)dim->dim_value);
            } else {
                const char *p =
                    dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                        ? str(dim->dim_param)
                        : "?";
                return yq__errf(im->e, YQ_STATUS_UNSUPPORTED,
                                "%s: graph input '%s' dim %zu is dynamic ('%s'); export with a "
                                "fixed input size",
                                im->src, name, d, p);
            }
        }
        int t = yq__graph_add_tensor(g, name, YQ__DTYPE_F32, &s);
        if (t < 0) return oom(im);
        g->inputs[g->n_inputs++] = t;
    }
    if (g->n_inputs == 0)
        return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: the model has no (non-constant) input",
                        im->src);
    return YQ_STATUS_OK;
}

static const char *node_name(const Onnx__NodeProto *np, size_t idx, char *buf, size_t cap)
{
    if (np->name && *np->name) return np->name;
    snprintf(buf, cap, "%s_%zu", str(np->op_type), idx);
    return buf;
}

static enum yq_status constant_node(struct import *im, const Onnx__NodeProto *np, const char *nname)
{
    struct yq__graph *g = im->g;
    if (np->n_output != 1 || !np->output[0] || !*np->output[0])
        return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: node '%s' (Constant): needs 1 output",
                        im->src, nname);
    const char *out = np->output[0];
    if (yq__graph_find(g, out) >= 0)
        return yq__errf(im->e, YQ_STATUS_BAD_MODEL,
                        "%s: node '%s' (Constant): output '%s' is already defined", im->src, nname,
                        out);
    const Onnx__AttributeProto *a = np->n_attribute == 1 ? np->attribute[0] : NULL;
    const char *an = a ? str(a->name) : "";
    char what[300];
    snprintf(what, sizeof what, "node '%s' (Constant)", nname);
    if (strcmp(an, "value") == 0 && a->t) {
        int t;
        return yq__onnx_add_tensor_const(g, a->t, out, what, &t, im->e);
    }
    struct yq__shape s = {0};
    enum yq__dtype dt;
    size_t n = 1, esize;
    const void *src;
    float f;
    if (strcmp(an, "value_float") == 0) {
        dt = YQ__DTYPE_F32;
        f = a->f;
        src = &f;
    } else if (strcmp(an, "value_int") == 0) {
        dt = YQ__DTYPE_S64;
        src = &a->i;
    } else if (strcmp(an, "value_floats") == 0) {
        dt = YQ__DTYPE_F32;
        n = a->n_floats;
        src = a->floats;
        s.rank = 1;
    } else if (strcmp(an, "value_ints") == 0) {
        dt = YQ__DTYPE_S64;
        n = a->n_ints;
        src = a->ints;
        s.rank = 1;
    } else {
        return yq__errf(im->e, YQ_STATUS_UNSUPPORTED,
                        "%s: node '%s' (Constant): only a value, value_float(s) or value_int(s) "
                        "attribute is supported (got '%s')",
                        im->src, nname, an);
    }
    if (n > MAX_COUNT)
        return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: %s: too many values", im->src, what);
    s.d[0] = (int64_t)n;
    esize = yq__dtype_size(dt);
    void *data = yq__aligned_alloc(n * esize);
    if (!data) return oom(im);
    if (n) memcpy(data, src, n * esize);
    if (yq__graph_add_const(g, out, dt, &s, data, n * esize) < 0) return oom(im);
    return YQ_STATUS_OK;
}

/* First pass: Constant nodes become constants and every other node's outputs become
 * tensors, so the second pass can resolve inputs whatever the node order. */
static enum yq_status declare_outputs(struct import *im)
{
    const Onnx__GraphProto *gp = im->gp;
    struct yq__graph *g = im->g;
    for (size_t i = 0; i < gp->n_node; i++) {
        const Onnx__NodeProto *np = gp->node[i];
        char buf[64];
        const char *nname = node_name(np, i, buf, sizeof buf);
        const char *op = str(np->op_type);
        if (!is_default_domain(np->domain))
            return yq__errf(im->e, YQ_STATUS_UNSUPPORTED,
                            "%s: node '%s' (%s): unsupported operator (custom domain '%s')",
                            im->src, nname, op, np->domain);
        if (strcmp(op, "Constant") == 0) {
            enum yq_status st = constant_node(im, np, nname);
            if (st) return st;
            continue;
        }
        enum yq__op yop = yq__op_from_name(op);
        /* yq.* ops are internal (quantize/dequantize), never read from a file */
        if (yop == YQ__OP_COUNT || strncmp(op, "yq.", 3) == 0)
            return yq__errf(im->e, YQ_STATUS_UNSUPPORTED,
                            "%s: node '%s' (%s): unsupported operator", im->src, nname, op);
        if (np->n_input > MAX_COUNT || np->n_output > MAX_COUNT || np->n_attribute > MAX_COUNT)
            return yq__errf(im->e, YQ_STATUS_BAD_MODEL,
                            "%s: node '%s' (%s): too many inputs, "
                            "outputs or attributes",
                            im->src, nname, op);
        for (size_t j = 0; j < np->n_output; j++) {
            const char *out = str(np->output[j]);
            if (!*out) continue; /* omitted optional output */
            if (yq__graph_find(g, out) >= 0)
                return yq__errf(im->e, YQ_STATUS_BAD_MODEL,
                                "%s: node '%s' (%s): output '%s' is already defined", im->src,
                                nname, op, out);
            if (yq__graph_add_tensor(g, out, YQ__DTYPE_F32, NULL) < 0) return oom(im);
        }
    }
    return YQ_STATUS_OK;
}

static enum yq_status copy_attr(struct import *im, int node, const Onnx__AttributeProto *a)
{
    struct yq__graph *g = im->g;
    const char *name = str(a->name);
    if (!*name)
        return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: node '%s' (%s): attribute without name",
                        im->src, g->nodes[node].name, yq__op_name(g->nodes[node].op));
    int type = a->has_type ? (int)a->type : 0;
    if (!a->has_type) {
        /* IR version 1 files leave the type out: deduce it from the field that is set */
        if (a->has_i)
            type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
        else if (a->has_f)
            type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
        else if (a->has_s)
            type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
        else if (a->n_ints)
            type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
        else if (a->n_floats)
            type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
    }
    bool ok = true;
    switch (type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
        ok = yq__node_set_int(g, node, name, a->i);
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
        ok = yq__node_set_float(g, node, name, a->f);
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
        if (a->n_ints > MAX_COUNT)
            return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: node '%s': attribute '%s' too long",
                            im->src, g->nodes[node].name, name);
        ok = yq__node_set_ints(g, node, name, a->ints, (int)a->n_ints);
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
        if (a->n_floats > MAX_COUNT)
            return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: node '%s': attribute '%s' too long",
                            im->src, g->nodes[node].name, name);
        ok = yq__node_set_floats(g, node, name, a->floats, (int)a->n_floats);
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
        if (a->s.len > MAX_COUNT)
            return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: node '%s': attribute '%s' too long",
                            im->src, g->nodes[node].name, name);
        ok = yq__node_set_string(g, node, name, a->s.len ? (const char *)a->s.data : "",
                                 (int)a->s.len);
        break;
    default:
        break; /* tensors, graphs, string lists: no supported operator reads them */
    }
    return ok ? YQ_STATUS_OK : oom(im);
}

static enum yq_status add_nodes(struct import *im)
{
    const Onnx__GraphProto *gp = im->gp;
    struct yq__graph *g = im->g;
    int *in = NULL, *out = NULL;
    enum yq_status st = YQ_STATUS_OK;
    for (size_t i = 0; i < gp->n_node; i++) {
        const Onnx__NodeProto *np = gp->node[i];
        const char *op = str(np->op_type);
        if (strcmp(op, "Constant") == 0) continue;
        char buf[64];
        const char *nname = node_name(np, i, buf, sizeof buf);
        in = yq__malloc((np->n_input ? np->n_input : 1) * sizeof *in);
        out = yq__malloc((np->n_output ? np->n_output : 1) * sizeof *out);
        if (!in || !out) {
            st = oom(im);
            goto fail;
        }
        for (size_t j = 0; j < np->n_input; j++) {
            const char *name = str(np->input[j]);
            in[j] = *name ? yq__graph_find(g, name) : -1;
            if (*name && in[j] < 0) {
                st = yq__errf(im->e, YQ_STATUS_BAD_MODEL,
                              "%s: node '%s' (%s): input '%s' is not a graph input, "
                              "initializer or node output",
                              im->src, nname, op, name);
                goto fail;
            }
        }
        for (size_t j = 0; j < np->n_output; j++)
            out[j] = *str(np->output[j]) ? yq__graph_find(g, np->output[j]) : -1;
        int node = yq__graph_add_node(g, nname, yq__op_from_name(op), (int)np->n_input, in,
                                      (int)np->n_output, out);
        yq__free(in);
        yq__free(out);
        in = out = NULL;
        if (node < 0) return oom(im);
        for (size_t j = 0; j < np->n_attribute; j++)
            if ((st = copy_attr(im, node, np->attribute[j]))) return st;
        if ((st = yq__onnx_canonicalize(g, node, im->e))) return st;
    }
    return YQ_STATUS_OK;
fail:
    yq__free(in);
    yq__free(out);
    return st;
}

static enum yq_status add_outputs(struct import *im)
{
    const Onnx__GraphProto *gp = im->gp;
    struct yq__graph *g = im->g;
    if (gp->n_output == 0)
        return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: the model has no output", im->src);
    g->outputs = yq__malloc(gp->n_output * sizeof *g->outputs);
    if (!g->outputs) return oom(im);
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *name = str(gp->output[i]->name);
        int t = yq__graph_find(g, name);
        if (t < 0)
            return yq__errf(im->e, YQ_STATUS_BAD_MODEL,
                            "%s: graph output '%s' is not produced by any node", im->src, name);
        g->outputs[g->n_outputs++] = t;
    }
    return YQ_STATUS_OK;
}

static enum yq_status add_meta(struct import *im)
{
    const Onnx__ModelProto *m = im->m;
    for (size_t i = 0; i < m->n_metadata_props; i++) {
        const Onnx__StringStringEntryProto *kv = m->metadata_props[i];
        if (!yq__graph_set_meta(im->g, str(kv->key), str(kv->value))) return oom(im);
    }
    if (m->producer_name && !yq__graph_set_meta(im->g, "onnx.producer", m->producer_name))
        return oom(im);
    return YQ_STATUS_OK;
}

/* Names in the file may hold newlines; a message must stay one line. */
static void one_line(struct yq__err *e)
{
    if (!e || !e->buf || !e->cap) return;
    for (char *p = e->buf; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
}

static enum yq_status import_model(struct import *im)
{
    enum yq_status st;
    if ((st = read_opset(im)) || (st = add_initializers(im)) || (st = add_inputs(im)) ||
        (st = declare_outputs(im)) || (st = add_nodes(im)) || (st = add_outputs(im)) ||
        (st = add_meta(im)))
        return st;
    if (im->g->n_tensors > MAX_COUNT || im->g->n_nodes > MAX_COUNT)
        return yq__errf(im->e, YQ_STATUS_BAD_MODEL, "%s: graph too large", im->src);
    if ((st = yq__graph_toposort(im->g, im->e))) return st;
#ifndef YQ_ONNX_NO_INFER
    /* YQ_ONNX_NO_INFER (a build flag) skips inference: IR as read, for debugging */
    return yq__graph_infer_fold(im->g, im->e);
#else
    return YQ_STATUS_OK;
#endif
}

/* Graph inputs (not initializers) that an operator reads as a constant: Conv/Gemm
 * weights, shape/axes/pads/scales/starts operands... Any input consumed at position >= 1
 * except by the operators that compute on all their inputs, or at position 0 of the
 * operators whose first input is itself a shape. */
static bool needs_constant(const Onnx__GraphProto *gp, const char *name)
{
    static const char *const dynamic_ops[] = {
        "Add",  "Sub",     "Mul",  "Div",   "Pow",     "Max",       "Min",  "Sum",
        "Mean", "Concat",  "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual",
        "And",  "Or",      "Xor",  "Where", "PRelu", "BitShift", "Mod",  NULL};
    for (size_t i = 0; i < gp->n_node; i++) {
        const Onnx__NodeProto *n = gp->node[i];
        const char *op = str(n->op_type);
        bool dyn = false, shape_first = !strcmp(op, "ConstantOfShape") || !strcmp(op, "Range");
        for (int k = 0; dynamic_ops[k]; k++)
            if (!strcmp(op, dynamic_ops[k])) dyn = true;
        for (size_t j = 0; j < n->n_input; j++)
            if (!strcmp(str(n->input[j]), name) && ((j >= 1 && !dyn) || shape_first)) return true;
    }
    return false;
}

static enum yq_status import_unpacked(Onnx__ModelProto *m, const char *src, int n_values,
                                      const struct yq_array *values, bool *bound,
                                      struct yq__graph **out, struct yq__err *e)
{
    if (!m->graph) return yq__errf(e, YQ_STATUS_BAD_MODEL, "%s: not a valid ONNX model (no graph)", src);
    Onnx__GraphProto *gp = m->graph;
    size_t n_init = gp->n_initializer, n_extra = 0;
    Onnx__TensorProto **init = gp->initializer, **all = NULL, *tps = NULL;
    if (n_values > 0) {
        /* supplied inputs an operator needs constant become initializers (RKNN's
         * input_initial_val); the rest stay graph inputs, fed at run time */
        all = yq__malloc((n_init + (size_t)n_values) * sizeof *all);
        tps = yq__malloc((size_t)n_values * sizeof *tps);
        if (!all || !tps) {
            yq__free(all);
            yq__free(tps);
            return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", src);
        }
        if (n_init) memcpy(all, init, n_init * sizeof *all);
        int k = 0;
        for (size_t i = 0; i < gp->n_input && k < n_values; i++) {
            const char *name = str(gp->input[i]->name);
            if (is_initializer(gp, name)) continue;
            bound[k] = needs_constant(gp, name);
            if (bound[k]) {
                Onnx__TensorProto *tp = &tps[n_extra];
                onnx__tensor_proto__init(tp);
                tp->name = (char *)name;
                tp->has_data_type = 1;
                tp->data_type = values[k].elem_type;
                tp->n_dims = (size_t)values[k].n_dims;
                tp->dims = (int64_t *)values[k].dims;
                tp->has_raw_data = 1;
                tp->raw_data.len = values[k].size_bytes;
                tp->raw_data.data = values[k].data;
                all[n_init + n_extra++] = tp;
            }
            k++;
        }
        if (k < n_values) {
            yq__free(all);
            yq__free(tps);
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                            "%s: %d inputs given, the graph has %d", src, n_values, k);
        }
        gp->initializer = all;
        gp->n_initializer = n_init + n_extra;
    }
    struct import im = {NULL, m, gp, e, src};
    enum yq_status st = yq__graph_create(src, &im.g);
    if (st) {
        st = yq__errf(e, st, "%s: out of memory", src);
    } else {
        im.src = im.g->source;
        st = import_model(&im);
    }
    gp->initializer = init;
    gp->n_initializer = n_init;
    yq__free(all);
    yq__free(tps);
    if (st) {
        one_line(e);
        yq__graph_free(im.g);
        return st;
    }
    *out = im.g;
    return YQ_STATUS_OK;
}

static enum yq_status import_bytes(const void *data, size_t size, const char *name, int n_values,
                                   const struct yq_array *values, bool *bound, int *out_types,
                                   int max_out, struct yq__graph **out, struct yq__err *e)
{
    *out = NULL;
    const char *src = name ? name : "model";
    if (!data && size) return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: no data", src);
    if (!yq__onnx_nesting_ok(data, size, MAX_NESTING))
        return yq__errf(e, YQ_STATUS_BAD_MODEL,
                        "%s: not a valid ONNX model (messages nested deeper than %d)", src,
                        MAX_NESTING);
    struct yq__pb_alloc pa;
    yq__pb_alloc_init(&pa);
    Onnx__ModelProto *m = onnx__model_proto__unpack(&pa.a, size, size ? data : (const void *)"");
    if (!m && pa.failed)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory parsing ONNX", src);
    if (!m)
        return yq__errf(e, YQ_STATUS_BAD_MODEL,
                        "%s: not a valid ONNX model (protobuf parse failed)", src);
    enum yq_status st = import_unpacked(m, src, n_values, values, bound, out, e);
    for (int i = 0; !st && m->graph && i < max_out; i++) {
        const Onnx__ValueInfoProto *vi =
            (size_t)i < m->graph->n_output ? m->graph->output[i] : NULL;
        const Onnx__TypeProto *tp = vi ? vi->type : NULL;
        out_types[i] = tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
                               tp->tensor_type && tp->tensor_type->has_elem_type
                           ? tp->tensor_type->elem_type
                           : 0;
    }
    onnx__model_proto__free_unpacked(m, &pa.a);
    return st;
}

enum yq_status yq__onnx_import_memory(const void *data, size_t size, const char *name,
                                      struct yq__graph **out, struct yq__err *e)
{
    return import_bytes(data, size, name, 0, NULL, NULL, NULL, 0, out, e);
}

enum yq_status yq__onnx_import_bound(const void *data, size_t size, const char *name,
                                     int n_values, const struct yq_array *values, bool *bound,
                                     int *out_types, int max_out, struct yq__graph **out,
                                     struct yq__err *e)
{
    return import_bytes(data, size, name, n_values, values, bound, out_types, max_out, out, e);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

enum yq_status yq__onnx_import_file(const char *path, struct yq__graph **out, struct yq__err *e)
{
    *out = NULL;
    if (!path) return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "no model path given");
    FILE *f = fopen(path, "rb");
    if (!f) return yq__errf(e, YQ_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    enum yq_status st = YQ_STATUS_OK;
    for (;;) {
        if (len == cap) {
            /* ONNX files are < 2 GiB (protobuf limit) */
            if (cap >= ((size_t)1 << 31)) {
                st = yq__errf(e, YQ_STATUS_BAD_MODEL, "%s: file larger than 2 GiB", path);
                break;
            }
            size_t ncap = cap ? cap * 2 : (size_t)1 << 20;
            char *p = yq__realloc(buf, ncap);
            if (!p) {
                st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory reading", path);
                break;
            }
            buf = p;
            cap = ncap;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0) {
            if (ferror(f))
                st = yq__errf(e, YQ_STATUS_IO, "%s: read error: %s", path, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (!st) st = yq__onnx_import_memory(buf, len, base_name(path), out, e);
    yq__free(buf);
    return st;
}
