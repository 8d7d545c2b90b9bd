/* SPDX-License-Identifier: Apache-2.0 */
/* Sessions: one activation block planned by the model, per-node data pointers computed
 * once, a compute pool; run() walks the nodes and allocates nothing. */
#include "runtime_internal.h"
#include "ops/s8_util.h"

#include <math.h>
#include <string.h>
#include <time.h>

size_t yq__tensor_bytes(const struct yq__tensor *t);

void yq_session_options_init(struct yq_session_options *o)
{
    memset(o, 0, sizeof *o);
    o->n_threads = 1;
}

enum yq_status yq_session_create(const struct yq_model *m, const struct yq_session_options *o,
                                 struct yq_session **out, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    struct yq_session_options def;
    if (!out)
        return YQ_STATUS_INVALID_ARGUMENT;
    *out = NULL;
    if (!m)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "session: model is NULL");
    if (!o) {
        yq_session_options_init(&def);
        o = &def;
    }
    if (o->n_threads < 1 || o->n_threads > 256)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "session: n_threads %d not in 1..256",
                        o->n_threads);
    const struct yq__graph *g = m->g;
    struct yq_session *s = yq__calloc(1, sizeof *s);
    if (!s)
        return yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "session: out of memory");
    s->m = m;
    s->profile = o->profile;
    enum yq_status st = YQ_STATUS_OUT_OF_MEMORY;
    s->block = yq__aligned_alloc(m->arena_size ? m->arena_size : 64);
    s->tensor_data = yq__calloc((size_t)g->n_tensors + 1, sizeof *s->tensor_data);
    s->in_base = yq__calloc((size_t)g->n_nodes + 1, sizeof *s->in_base);
    s->out_base = yq__calloc((size_t)g->n_nodes + 1, sizeof *s->out_base);
    s->out_float = yq__calloc((size_t)g->n_outputs + 1, sizeof *s->out_float);
    s->times = yq__calloc((size_t)g->n_nodes + 1, sizeof *s->times);
    if (!s->block || !s->tensor_data || !s->in_base || !s->out_base || !s->out_float ||
        !s->times)
        goto fail;
    memset(s->block, 0, m->arena_size);
    for (int t = 0; t < g->n_tensors; t++) {
        const struct yq__tensor *tt = &g->tensors[t];
        s->tensor_data[t] = tt->data ? tt->data
                            : m->offset[t] != SIZE_MAX ? s->block + m->offset[t]
                                                        : NULL;
    }
    size_t n_in = 0, n_out = 0;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        s->in_base[ni] = (int)n_in;
        s->out_base[ni] = (int)n_out;
        n_in += (size_t)g->nodes[ni].n_in;
        n_out += (size_t)g->nodes[ni].n_out;
    }
    s->in_ptrs = yq__calloc(n_in + 1, sizeof *s->in_ptrs);
    s->out_ptrs = yq__calloc(n_out + 1, sizeof *s->out_ptrs);
    if (!s->in_ptrs || !s->out_ptrs)
        goto fail;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        const struct yq__node *nd = &g->nodes[ni];
        for (int j = 0; j < nd->n_in; j++)
            s->in_ptrs[s->in_base[ni] + j] = nd->in[j] >= 0 ? s->tensor_data[nd->in[j]] : NULL;
        for (int j = 0; j < nd->n_out; j++)
            s->out_ptrs[s->out_base[ni] + j] =
                nd->out[j] >= 0 ? s->tensor_data[nd->out[j]] : NULL;
        s->times[ni].name = nd->name;
        s->times[ni].op = yq__op_name(nd->op);
        s->times[ni].quantized = nd->quantized;
    }
    for (int i = 0; i < g->n_outputs; i++) {
        const struct yq__tensor *t = &g->tensors[g->outputs[i]];
        if (t->dtype != YQ__DTYPE_F32) {
            s->out_float[i] = yq__aligned_alloc((size_t)yq__shape_numel(&t->shape) * 4);
            if (!s->out_float[i])
                goto fail;
        }
    }
    s->scratch_stride = (m->max_scratch + 63) / 64 * 64;
    s->scratch = yq__aligned_alloc(s->scratch_stride * (size_t)o->n_threads + 64);
    if (!s->scratch)
        goto fail;
    if (o->n_threads > 1) {
        st = yq__pool_create(o->n_threads, &s->pool);
        if (st)
            goto fail;
    }
    *out = s;
    return YQ_STATUS_OK;
fail:
    yq_session_free(s);
    return yq__errf(&e, st, "%s: cannot create session: %s", g->source, yq_status_str(st));
}

void yq_session_free(struct yq_session *s)
{
    if (!s)
        return;
    yq__pool_free(s->pool);
    if (s->out_float)
        for (int i = 0; i < s->m->g->n_outputs; i++)
            yq__aligned_free(s->out_float[i]);
    yq__free(s->out_float);
    yq__aligned_free(s->scratch);
    yq__aligned_free(s->block);
    yq__free(s->tensor_data);
    yq__free(s->in_ptrs);
    yq__free(s->out_ptrs);
    yq__free(s->in_base);
    yq__free(s->out_base);
    yq__free(s->times);
    yq__free(s);
}

size_t yq_session_activation_size(const struct yq_session *s)
{
    return s ? s->m->arena_size : 0;
}

enum yq_status yq_session_set_input(struct yq_session *s, int index, const void *data,
                                    size_t size, enum yq_dtype dtype, enum yq_layout layout)
{
    if (!s || !data || index < 0 || index >= s->m->g->n_inputs)
        return YQ_STATUS_INVALID_ARGUMENT;
    const struct yq_model *m = s->m;
    const struct yq__tensor *t = &m->g->tensors[m->g->inputs[index]];
    void *dst = s->tensor_data[m->g->inputs[index]];
    size_t n = (size_t)yq__shape_numel(&t->shape);
    bool nhwc = t->layout == YQ__LAYOUT_NHWC && t->shape.rank == 4;
    int64_t C = nhwc ? t->shape.d[3] : (t->shape.rank == 4 ? t->shape.d[1] : 1);
    int64_t HW = t->shape.rank == 4 ? t->shape.d[nhwc ? 1 : 2] * t->shape.d[nhwc ? 2 : 3] : 1;
    if (dtype == YQ_DTYPE_U8) {
        if (size != n || (layout != YQ_LAYOUT_NHWC && t->shape.rank == 4))
            return YQ_STATUS_INVALID_ARGUMENT;
        const uint8_t *src = data;
        if (t->dtype == YQ__DTYPE_U8) {
            memcpy(dst, src, n);
        } else if (t->dtype == YQ__DTYPE_S8 && index == 0) {
            int8_t *d = dst;
            if (C == 3) {
                for (size_t i = 0; i + 3 <= n; i += 3) {
                    d[i] = m->in_lut[0][src[i]];
                    d[i + 1] = m->in_lut[1][src[i + 1]];
                    d[i + 2] = m->in_lut[2][src[i + 2]];
                }
            } else {
                for (size_t i = 0; i < n; i++)
                    d[i] = m->in_lut[0][src[i]];
            }
        } else if (t->dtype == YQ__DTYPE_F32 && nhwc) {
            float *d = dst;
            float inv[3], mean[3];
            for (int c = 0; c < 3; c++) {
                inv[c] = 1.0f / m->std[c];
                mean[c] = m->mean[c];
            }
            for (size_t i = 0; i < n; i++) {
                int c = C == 3 ? (int)(i % 3) : 0;
                d[i] = ((float)src[i] - mean[c]) * inv[c];
            }
        } else {
            return YQ_STATUS_INVALID_ARGUMENT;
        }
        return YQ_STATUS_OK;
    }
    if (dtype == YQ_DTYPE_S8 && t->dtype == YQ__DTYPE_S8) {
        if (size != n || (nhwc && layout != YQ_LAYOUT_NHWC))
            return YQ_STATUS_INVALID_ARGUMENT;
        memcpy(dst, data, n);
        return YQ_STATUS_OK;
    }
    if (dtype == YQ_DTYPE_F32 && t->dtype == YQ__DTYPE_S8) {
        if (size != n * 4)
            return YQ_STATUS_INVALID_ARGUMENT;
        /* float in the tensor's own order (or NCHW into NHWC), quantized with its params */
        const float *src = data;
        int8_t *d = dst;
        float scale = t->q.scale > 0.0f ? t->q.scale : 1.0f;
        bool transpose = nhwc && layout == YQ_LAYOUT_NCHW;
        int64_t N = t->shape.rank == 4 ? t->shape.d[0] : 1;
        for (int64_t b = 0; b < N; b++)
            for (int64_t c = 0; c < C; c++)
                for (int64_t p = 0; p < HW; p++) {
                    size_t si = transpose ? (size_t)((b * C + c) * HW + p)
                                          : (size_t)((b * HW + p) * C + c);
                    d[(b * HW + p) * C + c] = yq__s8_real_to_code(src[si], scale, t->q.zero_point);
                }
        return YQ_STATUS_OK;
    }
    if (dtype == YQ_DTYPE_F32 && t->dtype == YQ__DTYPE_F32) {
        if (size != n * 4)
            return YQ_STATUS_INVALID_ARGUMENT;
        if (nhwc && layout == YQ_LAYOUT_NCHW) {
            const float *src = data;
            float *d = dst;
            int64_t N = t->shape.d[0];
            for (int64_t b = 0; b < N; b++)
                for (int64_t c = 0; c < C; c++)
                    for (int64_t p = 0; p < HW; p++)
                        d[(b * HW + p) * C + c] = src[(b * C + c) * HW + p];
        } else {
            memcpy(dst, data, size);
        }
        return YQ_STATUS_OK;
    }
    return YQ_STATUS_INVALID_ARGUMENT;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static void run_node(struct yq_session *s, int ni)
{
    const struct yq_model *m = s->m;
    struct yq__exec x = {
        .g = m->g,
        .node = &m->g->nodes[ni],
        .state = m->state[ni],
        .in = s->in_ptrs + s->in_base[ni],
        .out = s->out_ptrs + s->out_base[ni],
        .scratch = s->scratch,
        .scratch_stride = s->scratch_stride,
        .pool = s->pool,
    };
    m->impl[ni]->run(&x);
}

void yq__session_run_node(struct yq_session *s, int ni)
{
    run_node(s, ni);
}

enum yq_status yq_session_run(struct yq_session *s)
{
    if (!s)
        return YQ_STATUS_INVALID_ARGUMENT;
    const struct yq_model *m = s->m;
    const struct yq__graph *g = m->g;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        double t0 = s->profile ? now_ms() : 0.0;
        run_node(s, ni);
        if (s->profile)
            s->times[ni].ms = now_ms() - t0;
        if (s->observer)
            s->observer(s->observer_ctx, s, ni);
    }
    for (int i = 0; i < g->n_outputs; i++) {
        const struct yq__tensor *t = &g->tensors[g->outputs[i]];
        if (!s->out_float[i])
            continue;
        size_t n = (size_t)yq__shape_numel(&t->shape);
        const void *src = s->tensor_data[g->outputs[i]];
        float scale = t->q.scale, zp = (float)t->q.zero_point;
        for (size_t k = 0; k < n; k++) {
            float v;
            switch (t->dtype) {
            case YQ__DTYPE_S8:
                v = ((float)((const int8_t *)src)[k] - zp) * scale;
                break;
            case YQ__DTYPE_U8:
                v = ((float)((const uint8_t *)src)[k] - zp) * (scale != 0.0f ? scale : 1.0f);
                break;
            case YQ__DTYPE_S32:
                v = (float)((const int32_t *)src)[k];
                break;
            case YQ__DTYPE_S64:
                v = (float)((const int64_t *)src)[k];
                break;
            default:
                v = NAN;
            }
            s->out_float[i][k] = v;
        }
    }
    return YQ_STATUS_OK;
}

enum yq_status yq_session_output(struct yq_session *s, int index, const void **data,
                                 struct yq_tensor_info *info)
{
    if (!s || !data || index < 0 || index >= s->m->g->n_outputs)
        return YQ_STATUS_INVALID_ARGUMENT;
    *data = s->tensor_data[s->m->g->outputs[index]];
    if (info)
        yq_model_output_info(s->m, index, info);
    return YQ_STATUS_OK;
}

enum yq_status yq_session_output_float(struct yq_session *s, int index, const float **data,
                                       struct yq_tensor_info *info)
{
    if (!s || !data || index < 0 || index >= s->m->g->n_outputs)
        return YQ_STATUS_INVALID_ARGUMENT;
    *data = s->out_float[index] ? s->out_float[index]
                                : (const float *)s->tensor_data[s->m->g->outputs[index]];
    if (info) {
        yq_model_output_info(s->m, index, info);
        info->dtype = YQ_DTYPE_F32;
        info->size_bytes = info->n_elems * 4;
    }
    return YQ_STATUS_OK;
}

void yq__session_set_observer(struct yq_session *s,
                              void (*fn)(void *ctx, const struct yq_session *s, int node),
                              void *ctx)
{
    s->observer = fn;
    s->observer_ctx = ctx;
}

void *yq__session_tensor(const struct yq_session *s, int t)
{
    return t >= 0 && t < s->m->g->n_tensors ? s->tensor_data[t] : NULL;
}

int yq_session_profile(const struct yq_session *s, const struct yq_layer_time **layers)
{
    if (!s || !layers)
        return 0;
    *layers = s->times;
    return s->m->g->n_nodes;
}
