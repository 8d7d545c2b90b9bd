/* SPDX-License-Identifier: Apache-2.0 */
/* Model creation: prepare every node once (packed weights shared by all sessions) and plan
 * activation memory from tensor lifetimes (greedy by size, tflite-micro style). */
#include "runtime_internal.h"
#include "yqm.h"
#include "ops/s8_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void yq_model_options_init(struct yq_model_options *o)
{
    memset(o, 0, sizeof *o);
}

static bool needs_memory(const struct yq__tensor *t)
{
    return !t->data && (t->producer >= 0 || t->is_input);
}

size_t yq__tensor_bytes(const struct yq__tensor *t);
size_t yq__tensor_bytes(const struct yq__tensor *t)
{
    return (size_t)yq__shape_numel(&t->shape) * yq__dtype_size(t->dtype);
}

struct interval {
    int tensor;
    int first, last;
    size_t size;
};

static int by_size_desc(const void *a, const void *b)
{
    const struct interval *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return x->tensor - y->tensor;
}

/* Greedy placement: biggest tensors first, each at the lowest offset that does not overlap
 * (in address and lifetime) anything placed before. Sizes are padded by 64 bytes because
 * kernels may read up to 64 bytes past a row end. */
static enum yq_status plan_memory(struct yq_model *m, struct yq__err *e)
{
    const struct yq__graph *g = m->g;
    struct interval *iv = yq__calloc((size_t)g->n_tensors + 1, sizeof *iv);
    m->offset = yq__malloc(((size_t)g->n_tensors + 1) * sizeof *m->offset);
    if (!iv || !m->offset) {
        yq__free(iv);
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory planning", g->source);
    }
    int n = 0;
    for (int t = 0; t < g->n_tensors; t++) {
        m->offset[t] = SIZE_MAX;
        const struct yq__tensor *tt = &g->tensors[t];
        if (!needs_memory(tt))
            continue;
        struct interval *v = &iv[n++];
        v->tensor = t;
        v->first = tt->is_input ? -1 : tt->producer;
        v->last = tt->is_output ? g->n_nodes : v->first;
        v->size = (yq__tensor_bytes(tt) + 63) / 64 * 64 + 64;
    }
    /* last use */
    int *idx = yq__malloc(((size_t)g->n_tensors + 1) * sizeof *idx);
    if (!idx) {
        yq__free(iv);
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory planning", g->source);
    }
    for (int t = 0; t < g->n_tensors; t++)
        idx[t] = -1;
    for (int i = 0; i < n; i++)
        idx[iv[i].tensor] = i;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        const struct yq__node *nd = &g->nodes[ni];
        for (int j = 0; j < nd->n_in; j++)
            if (nd->in[j] >= 0 && idx[nd->in[j]] >= 0 && iv[idx[nd->in[j]]].last < ni)
                iv[idx[nd->in[j]]].last = ni;
    }
    yq__free(idx);
    qsort(iv, (size_t)n, sizeof *iv, by_size_desc);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        size_t off = 0;
        /* Try candidate offsets: 0 and the end of each overlapping placed interval. */
        for (;;) {
            bool moved = false;
            for (int j = 0; j < i; j++) {
                if (iv[j].last < iv[i].first || iv[i].last < iv[j].first)
                    continue;
                size_t o = m->offset[iv[j].tensor];
                if (off < o + iv[j].size && o < off + iv[i].size) {
                    off = o + iv[j].size;
                    moved = true;
                }
            }
            if (!moved)
                break;
        }
        m->offset[iv[i].tensor] = off;
        if (off + iv[i].size > total)
            total = off + iv[i].size;
    }
    m->arena_size = total;
    yq__free(iv);
    return YQ_STATUS_OK;
}

void yq__graph_preprocess(const struct yq__graph *g, float mean[3], float std[3])
{
    mean[0] = mean[1] = mean[2] = 0.0f;
    std[0] = std[1] = std[2] = 255.0f;
    yq__parse_floats(yq__graph_meta(g, "yq.mean"), mean, 3);
    yq__parse_floats(yq__graph_meta(g, "yq.std"), std, 3);
}

enum yq_status yq__model_create(struct yq__graph *g, struct yq_model **out, struct yq__err *e)
{
    *out = NULL;
    struct yq_model *m = yq__calloc(1, sizeof *m);
    if (!m) {
        yq__graph_free(g);
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
    }
    m->g = g;
    enum yq_status st = yq__graph_index(g, e);
    if (st)
        goto fail;
    size_t nn = (size_t)g->n_nodes + 1;
    m->impl = yq__calloc(nn, sizeof *m->impl);
    m->state = yq__calloc(nn, sizeof *m->state);
    if (!m->impl || !m->state) {
        st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
        goto fail;
    }
    for (int ni = 0; ni < g->n_nodes; ni++) {
        const struct yq__node *nd = &g->nodes[ni];
        const struct yq__op_impl *impl = yq__op_impl_get(nd->op, nd->quantized);
        if (!impl || !impl->run) {
            st = yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: node '%s' (%s): no %s implementation",
                          g->source, nd->name, yq__op_name(nd->op),
                          nd->quantized ? "int8" : "float");
            goto fail;
        }
        m->impl[ni] = impl;
        size_t scratch = 0;
        if (impl->prepare) {
            st = impl->prepare(g, ni, &m->state[ni], &scratch, e);
            if (st)
                goto fail;
        }
        if (scratch > m->max_scratch)
            m->max_scratch = scratch;
    }
    for (int t = 0; t < g->n_tensors; t++)
        if (g->tensors[t].data)
            m->weights_size += g->tensors[t].nbytes;
    st = plan_memory(m, e);
    if (st)
        goto fail;
    yq__graph_preprocess(g, m->mean, m->std);
    for (int c = 0; c < 3; c++)
        if (!(m->std[c] != 0.0f) || !isfinite(m->std[c]))
            m->std[c] = 1.0f;
    if (g->n_inputs > 0 && g->tensors[g->inputs[0]].dtype == YQ__DTYPE_S8) {
        const struct yq__quant *q = &g->tensors[g->inputs[0]].q;
        float scale = q->scale > 0.0f ? q->scale : 1.0f;
        for (int c = 0; c < 3; c++)
            for (int v = 0; v < 256; v++) /* the Quantize contract of the real input */
                m->in_lut[c][v] = yq__s8_real_to_code(
                    (float)(((double)v - m->mean[c]) / m->std[c]), scale, q->zero_point);
    }
    *out = m;
    return YQ_STATUS_OK;
fail:
    yq_model_free(m);
    return st;
}

struct yq__graph *yq__model_take_graph(struct yq_model *m)
{
    struct yq__graph *g = m->g;
    if (m->state && m->impl)
        for (int ni = 0; ni < g->n_nodes; ni++)
            if (m->impl[ni] && m->impl[ni]->release && m->state[ni])
                m->impl[ni]->release(m->state[ni]);
    yq__free(m->state);
    m->state = NULL; /* so yq_model_free does not walk the graph it no longer has */
    m->g = NULL;
    yq_model_free(m);
    return g;
}

void yq_model_free(struct yq_model *m)
{
    if (!m)
        return;
    if (m->state && m->impl) {
        for (int ni = 0; ni < m->g->n_nodes; ni++)
            if (m->impl[ni] && m->impl[ni]->release && m->state[ni])
                m->impl[ni]->release(m->state[ni]);
    }
    yq__free(m->impl);
    yq__free(m->state);
    yq__free(m->offset);
    yq__graph_free(m->g);
    yq__free(m);
}

int yq_model_n_inputs(const struct yq_model *m)
{
    return m ? m->g->n_inputs : 0;
}

int yq_model_n_outputs(const struct yq_model *m)
{
    return m ? m->g->n_outputs : 0;
}

static void fill_info(const struct yq__tensor *t, int index, struct yq_tensor_info *info)
{
    memset(info, 0, sizeof *info);
    info->index = index;
    snprintf(info->name, sizeof info->name, "%s", t->name);
    info->n_dims = t->shape.rank;
    for (int i = 0; i < t->shape.rank && i < YQ_MAX_DIMS; i++)
        info->dims[i] = t->shape.d[i];
    info->layout = t->layout == YQ__LAYOUT_NHWC   ? YQ_LAYOUT_NHWC
                   : t->layout == YQ__LAYOUT_NCHW ? YQ_LAYOUT_NCHW
                                                  : YQ_LAYOUT_PLAIN;
    info->dtype = (enum yq_dtype)t->dtype;
    info->scale = t->q.scale;
    info->zero_point = t->q.zero_point;
    info->n_elems = (size_t)yq__shape_numel(&t->shape);
    info->size_bytes = info->n_elems * yq__dtype_size(t->dtype);
}

enum yq_status yq_model_input_info(const struct yq_model *m, int index,
                                   struct yq_tensor_info *info)
{
    if (!m || !info || index < 0 || index >= m->g->n_inputs)
        return YQ_STATUS_INVALID_ARGUMENT;
    fill_info(&m->g->tensors[m->g->inputs[index]], index, info);
    return YQ_STATUS_OK;
}

enum yq_status yq_model_output_info(const struct yq_model *m, int index,
                                    struct yq_tensor_info *info)
{
    if (!m || !info || index < 0 || index >= m->g->n_outputs)
        return YQ_STATUS_INVALID_ARGUMENT;
    fill_info(&m->g->tensors[m->g->outputs[index]], index, info);
    return YQ_STATUS_OK;
}

const char *yq_model_meta(const struct yq_model *m, const char *key)
{
    return m && key ? yq__graph_meta(m->g, key) : NULL;
}

size_t yq_model_weights_size(const struct yq_model *m)
{
    return m ? m->weights_size : 0;
}

enum yq_status yq_model_save_file(const struct yq_model *m, const char *path, char *err,
                                  size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!m || !path)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "save: NULL model or path");
    return yq__yqm_write(m->g, path, &e);
}

enum yq_status yq_model_set_meta(struct yq_model *m, const char *key, const char *value)
{
    if (!m || !key || !value)
        return YQ_STATUS_INVALID_ARGUMENT;
    return yq__graph_set_meta(m->g, key, value) ? YQ_STATUS_OK : YQ_STATUS_OUT_OF_MEMORY;
}
