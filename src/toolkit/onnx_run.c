/* SPDX-License-Identifier: Apache-2.0 */
/* `yoloq run` underneath: an ONNX graph as it is (no head cut) run on arbitrary tensors,
 * inputs an operator needs constant bound first (RKNN's input_initial_val), outputs back
 * in ONNX layout and element type. Also the reader/writer of those tensors (.pb, .npy). */
#include "yoloq/toolkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/onnx.h"
#include "passes/passes.h"
#include "runtime/runtime_internal.h"

enum {
    T_FLOAT = 1,
    T_U8 = 2,
    T_S8 = 3,
    T_U16 = 4,
    T_S16 = 5,
    T_S32 = 6,
    T_S64 = 7,
    T_BOOL = 9,
    T_F16 = 10,
    T_DOUBLE = 11
};

void yq_array_clear(struct yq_array *a)
{
    if (!a) return;
    yq__free(a->data);
    memset(a, 0, sizeof *a);
}

void yq_array_list_free(struct yq_array *a, int n)
{
    for (int i = 0; a && i < n; i++)
        yq_array_clear(&a[i]);
    yq__free(a);
}

static bool is_int_type(int t)
{
    return t != T_FLOAT && t != T_F16 && t != T_DOUBLE;
}

static double get_f(int t, const void *p, size_t i)
{
    const unsigned char *b = p;
    switch (t) {
    case T_FLOAT: {
        float v;
        memcpy(&v, b + 4 * i, 4);
        return v;
    }
    case T_DOUBLE: {
        double v;
        memcpy(&v, b + 8 * i, 8);
        return v;
    }
    case T_F16: {
        uint16_t h;
        memcpy(&h, b + 2 * i, 2);
        return yq__onnx_f16_to_f32(h);
    }
    default:
        break;
    }
    return 0.0;
}

static int64_t get_i(int t, const void *p, size_t i)
{
    const unsigned char *b = p;
    switch (t) {
    case T_U8:
    case T_BOOL:
        return b[i];
    case T_S8:
        return (int8_t)b[i];
    case T_U16: {
        uint16_t v;
        memcpy(&v, b + 2 * i, 2);
        return v;
    }
    case T_S16: {
        int16_t v;
        memcpy(&v, b + 2 * i, 2);
        return v;
    }
    case T_S32: {
        int32_t v;
        memcpy(&v, b + 4 * i, 4);
        return v;
    }
    case T_S64: {
        int64_t v;
        memcpy(&v, b + 8 * i, 8);
        return v;
    }
    default:
        return (int64_t)get_f(t, p, i);
    }
}

static void put(int t, void *p, size_t i, int src_t, const void *src, size_t si)
{
    unsigned char *b = p;
    if (!is_int_type(t)) {
        double v = is_int_type(src_t) ? (double)get_i(src_t, src, si) : get_f(src_t, src, si);
        if (t == T_FLOAT) {
            float f = (float)v;
            memcpy(b + 4 * i, &f, 4);
        } else
            memcpy(b + 8 * i, &v, 8);
        return;
    }
    int64_t v = get_i(src_t, src, si);
    switch (t) {
    case T_BOOL:
        b[i] = v != 0;
        break;
    case T_U8:
    case T_S8:
        b[i] = (unsigned char)v;
        break;
    case T_U16:
    case T_S16: {
        uint16_t h = (uint16_t)v;
        memcpy(b + 2 * i, &h, 2);
        break;
    }
    case T_S32: {
        int32_t w = (int32_t)v;
        memcpy(b + 4 * i, &w, 4);
        break;
    }
    default:
        memcpy(b + 8 * i, &v, 8);
        break;
    }
}

static int onnx_type_of(enum yq__dtype d)
{
    switch (d) {
    case YQ__DTYPE_U8:
        return T_U8;
    case YQ__DTYPE_S8:
        return T_S8;
    case YQ__DTYPE_S32:
        return T_S32;
    case YQ__DTYPE_S64:
        return T_S64;
    case YQ__DTYPE_BOOL:
        return T_BOOL;
    default:
        return T_FLOAT;
    }
}

static size_t numel(const struct yq_array *a)
{
    size_t n = 1;
    for (int d = 0; d < a->n_dims; d++)
        n *= (size_t)a->dims[d];
    return n;
}

/* Output t of the session (engine layout and dtype) → ONNX layout and elem_type `type`. */
static enum yq_status output_array(const struct yq__tensor *t, const void *data, int type,
                                   struct yq_array *o)
{
    memset(o, 0, sizeof *o);
    int src_t = onnx_type_of(t->dtype);
    if (!type || !yq__onnx_elem_size(type)) type = src_t;
    if (type == T_F16) type = T_FLOAT; /* computed in float: written as float32 */
    o->elem_type = type;
    o->n_dims = t->shape.rank;
    bool nhwc = t->layout == YQ__LAYOUT_NHWC && t->shape.rank == 4;
    for (int d = 0; d < t->shape.rank; d++)
        o->dims[d] = t->shape.d[d];
    if (nhwc) { /* NHWC dims → NCHW */
        o->dims[1] = t->shape.d[3];
        o->dims[2] = t->shape.d[1];
        o->dims[3] = t->shape.d[2];
    }
    size_t n = numel(o);
    o->size_bytes = n * yq__onnx_elem_size(type);
    o->data = yq__malloc(o->size_bytes ? o->size_bytes : 1);
    if (!o->data) return YQ_STATUS_OUT_OF_MEMORY;
    int64_t C = nhwc ? o->dims[1] : 1, HW = nhwc ? o->dims[2] * o->dims[3] : 1;
    for (size_t i = 0; i < n; i++) {
        size_t si = i;
        if (nhwc) { /* i = (b*C + c)*HW + p  ←  (b*HW + p)*C + c */
            size_t p = i % (size_t)HW, c = (i / (size_t)HW) % (size_t)C, b = i / (size_t)(HW * C);
            si = (b * (size_t)HW + p) * (size_t)C + c;
        }
        put(type, o->data, i, src_t, data, si);
    }
    return YQ_STATUS_OK;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

enum yq_status yq_onnx_run(const char *model_path, int n_inputs, const struct yq_array *inputs,
                           int n_threads, int *n_outputs, struct yq_array **outputs, char *err,
                           size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (n_outputs) *n_outputs = 0;
    if (outputs) *outputs = NULL;
    if (!model_path || !n_outputs || !outputs || n_inputs < 0 || (n_inputs && !inputs))
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "yq_onnx_run: bad arguments");
    for (int i = 0; i < n_inputs; i++)
        if (!yq__onnx_elem_size(inputs[i].elem_type) || inputs[i].n_dims < 0 ||
            inputs[i].n_dims > YQ_MAX_DIMS ||
            numel(&inputs[i]) * yq__onnx_elem_size(inputs[i].elem_type) != inputs[i].size_bytes)
            return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                            "input %d: element type %d or size does not fit its dims", i,
                            inputs[i].elem_type);
    char *bytes = NULL;
    size_t len = 0;
    enum yq_status st = yq__read_file(model_path, &bytes, &len, &e);
    if (st) return st;
    bool *bound = yq__calloc((size_t)n_inputs + 1, sizeof *bound);
    int *types = yq__calloc(256, sizeof *types);
    struct yq__graph *g = NULL;
    struct yq_model *m = NULL;
    struct yq_session *s = NULL;
    struct yq_array *outs = NULL;
    float *buf = NULL;
    if (!bound || !types) {
        st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
        goto done;
    }
    st = yq__onnx_import_bound(bytes, len, base_name(model_path), n_inputs, inputs, bound, types,
                               256, &g, &e);
    if (st) goto done;
    struct yq__pass_options po;
    yq__pass_options_init(&po);
    po.outputs = "none";
    if ((st = yq__passes_run(g, &po, &e))) goto done;
    st = yq__model_create(g, &m, &e);
    g = NULL;
    if (st) goto done;
    int fed = 0;
    for (int i = 0; i < n_inputs; i++)
        fed += !bound[i];
    if (fed != m->g->n_inputs) {
        st = yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "%s: %d inputs given, the graph needs %d",
                      base_name(model_path), fed, m->g->n_inputs);
        goto done;
    }
    struct yq_session_options so;
    yq_session_options_init(&so);
    so.n_threads = n_threads > 1 ? n_threads : 1;
    if ((st = yq_session_create(m, &so, &s, err, err_cap))) goto done;
    for (int i = 0, k = 0; i < n_inputs; i++) {
        if (bound[i]) continue;
        const struct yq__tensor *t = &m->g->tensors[m->g->inputs[k]];
        size_t n = numel(&inputs[i]);
        bool same = n == (size_t)yq__shape_numel(&t->shape) && inputs[i].n_dims == t->shape.rank;
        for (int d = 0; same && d < t->shape.rank; d++)
            same = inputs[i].dims[d] == (t->layout == YQ__LAYOUT_NHWC && t->shape.rank == 4
                                             ? t->shape.d[d == 0   ? 0
                                                          : d == 1 ? 3
                                                                   : d - 1]
                                             : t->shape.d[d]);
        if (!same) {
            st = yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                          "%s: input %d ('%s') does not have the graph's shape",
                          base_name(model_path), i, t->name);
            goto done;
        }
        yq__free(buf);
        buf = yq__malloc((n ? n : 1) * sizeof *buf);
        if (!buf) {
            st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
            goto done;
        }
        for (size_t j = 0; j < n; j++)
            put(T_FLOAT, buf, j, inputs[i].elem_type, inputs[i].data, j);
        st = yq_session_set_input(s, k, buf, n * sizeof *buf, YQ_DTYPE_F32,
                                  t->shape.rank == 4 ? YQ_LAYOUT_NCHW : YQ_LAYOUT_PLAIN);
        if (st) {
            st = yq__errf(&e, st, "%s: input %d ('%s') not accepted", base_name(model_path), i,
                          t->name);
            goto done;
        }
        k++;
    }
    if ((st = yq_session_run(s))) {
        st = yq__errf(&e, st, "%s: run failed", base_name(model_path));
        goto done;
    }
    int no = m->g->n_outputs;
    outs = yq__calloc((size_t)no + 1, sizeof *outs);
    if (!outs) {
        st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
        goto done;
    }
    for (int i = 0; i < no; i++) {
        int t = m->g->outputs[i];
        const void *data = yq__session_tensor(s, t);
        if (!data) data = m->g->tensors[t].data;
        if (!data || output_array(&m->g->tensors[t], data, i < 256 ? types[i] : 0, &outs[i])) {
            yq_array_list_free(outs, no);
            outs = NULL;
            st = yq__errf(&e, data ? YQ_STATUS_OUT_OF_MEMORY : YQ_STATUS_UNSUPPORTED,
                          "%s: output %d ('%s') %s", base_name(model_path), i,
                          m->g->tensors[t].name, data ? "out of memory" : "has no data");
            goto done;
        }
    }
    *outputs = outs;
    *n_outputs = no;
done:
    yq__free(buf);
    yq_session_free(s);
    yq_model_free(m);
    yq__graph_free(g);
    yq__free(types);
    yq__free(bound);
    yq__free(bytes);
    return st;
}
