/* SPDX-License-Identifier: Apache-2.0 */
/* Accuracy analysis: the float model and a quantized one of the same ONNX file, run on the
 * same samples through the one engine. An observer on the float session keeps every
 * tensor; one on the quantized session compares each node's outputs with them (entire),
 * then feeds that node the float values quantized with its own input parameters, runs it
 * alone and compares again (single), and puts its inputs and outputs back so the rest of
 * the run goes on as if nothing happened. Quantized tensors are matched to float ones by
 * name (the quantize pass keeps names; the versions it adds end in _q / _dq). */
#include "yoloq/toolkit.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ops/s8_util.h"
#include "runtime/runtime_internal.h"
#include "toolkit_internal.h"

void yq_analyze_options_init(struct yq_analyze_options *o)
{
    memset(o, 0, sizeof *o);
    yq_import_options_init(&o->import);
    o->n_threads = 1;
}

void yq_analysis_free(struct yq_analysis *a)
{
    if (!a)
        return;
    yq__free(a->rows);
    memset(a, 0, sizeof *a);
}

struct actx {
    const struct yq__graph *fg, *qg;
    struct yq_session *fs, *qs;
    float **fval;     /* [fg tensors] the float run's values (matched tensors only) */
    int *fmap;        /* [qg tensors] the float tensor of the same name, or -1 */
    int *row_of;      /* [qg tensors] row, or -1 */
    double *acc;      /* [rows * 4] entire cos, euc, single cos, euc summed over samples */
    int *n_single;    /* [rows] samples where the single run was possible */
    float *tmp;       /* largest matched tensor, dequantized */
    unsigned char *save; /* a node's activation inputs and outputs, kept across its lone run */
    const char *dump_dir; /* non-NULL while the first sample runs */
    enum yq_status st;
    struct yq__err *e;
};

static size_t numel(const struct yq__tensor *t)
{
    return (size_t)yq__shape_numel(&t->shape);
}

static size_t elem_bytes(enum yq__dtype d)
{
    return d == YQ__DTYPE_F32 || d == YQ__DTYPE_S32 ? 4 : d == YQ__DTYPE_S64 ? 8 : 1;
}

/* The float tensor that quantized tensor name stands for: the same name, or the name
 * without a _q / _dq version suffix (and its __N uniquifier). */
static int float_twin(const struct yq__graph *fg, const char *name)
{
    int t = yq__graph_find(fg, name);
    if (t >= 0)
        return t;
    char buf[YQ_MAX_NAME * 2];
    size_t n = strlen(name);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, name, n + 1);
    char *u = strstr(buf, "__");
    for (char *p = u; p; p = strstr(p + 2, "__"))
        u = p;
    if (u) {
        bool digits = u[2] != '\0';
        for (const char *p = u + 2; *p; p++)
            digits = digits && *p >= '0' && *p <= '9';
        if (digits)
            *u = '\0';
    }
    n = strlen(buf);
    if (n > 3 && !strcmp(buf + n - 3, "_dq"))
        buf[n - 3] = '\0';
    else if (n > 2 && !strcmp(buf + n - 2, "_q"))
        buf[n - 2] = '\0';
    return yq__graph_find(fg, buf);
}

/* real value of element i of quantized-graph tensor t whose data is p */
static float real_at(const struct yq__tensor *t, const void *p, size_t i, size_t inner)
{
    switch (t->dtype) {
    case YQ__DTYPE_F32:
        return ((const float *)p)[i];
    case YQ__DTYPE_S8: {
        float s = t->q.scale;
        if (t->q.n_channels > 0 && t->q.channel_scales)
            s = t->q.channel_scales[(i / inner) % (size_t)t->q.n_channels];
        return (float)(((const int8_t *)p)[i] - t->q.zero_point) * s;
    }
    case YQ__DTYPE_U8:
        return (float)(((const uint8_t *)p)[i] - t->q.zero_point) *
               (t->q.scale > 0 ? t->q.scale : 1.0f);
    default:
        return 0.0f;
    }
}

/* elements after the channel axis of a per-channel tensor (1 otherwise) */
static size_t inner_of(const struct yq__tensor *t)
{
    size_t inner = 1;
    if (t->q.n_channels > 0)
        for (int d = t->q.axis + 1; d < t->shape.rank; d++)
            inner *= (size_t)t->shape.d[d];
    return inner;
}

static void dequant(const struct yq__tensor *t, const void *p, float *out)
{
    size_t n = numel(t), inner = inner_of(t);
    for (size_t i = 0; i < n; i++)
        out[i] = real_at(t, p, i, inner);
}

static void quantize_into(const struct yq__tensor *t, const float *x, void *p)
{
    size_t n = numel(t), inner = inner_of(t);
    if (t->dtype == YQ__DTYPE_F32) {
        memcpy(p, x, n * 4);
    } else if (t->dtype == YQ__DTYPE_S8) {
        for (size_t i = 0; i < n; i++) {
            float s = t->q.scale;
            if (t->q.n_channels > 0 && t->q.channel_scales)
                s = t->q.channel_scales[(i / inner) % (size_t)t->q.n_channels];
            ((int8_t *)p)[i] = yq__s8_real_to_code(x[i], s, t->q.zero_point);
        }
    }
}

static void metrics(const float *a, const float *b, size_t n, double *cos, double *euc)
{
    double ab = 0, aa = 0, bb = 0, dd = 0;
    for (size_t i = 0; i < n; i++) {
        double x = a[i], y = b[i];
        ab += x * y;
        aa += x * x;
        bb += y * y;
        dd += (x - y) * (x - y);
    }
    *cos = aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : (aa == bb ? 1.0 : 0.0);
    *euc = sqrt(dd);
}

static void float_observer(void *ctx, const struct yq_session *s, int ni)
{
    struct actx *c = ctx;
    const struct yq__node *nd = &c->fg->nodes[ni];
    for (int j = 0; j < nd->n_out; j++) {
        int t = nd->out[j];
        if (t >= 0 && c->fval[t])
            memcpy(c->fval[t], yq__session_tensor(s, t), numel(&c->fg->tensors[t]) * 4);
    }
}

static void dump_pair(struct actx *c, int row, const struct yq__tensor *t, const float *golden,
                      const float *quant)
{
    const float *v[2] = {golden, quant};
    const char *sub[2] = {"golden", "quant"};
    for (int k = 0; k < 2 && !c->st; k++) {
        char path[4096], msg[256];
        snprintf(path, sizeof path, "%s/%s/%04d.npy", c->dump_dir, sub[k], row);
        struct yq_array a = {.elem_type = 1, .n_dims = t->shape.rank,
                             .data = (void *)v[k], .size_bytes = numel(t) * 4};
        for (int d = 0; d < t->shape.rank; d++)
            a.dims[d] = t->shape.d[d];
        if (yq_array_save_npy(path, &a, msg, sizeof msg))
            c->st = yq__errf(c->e, YQ_STATUS_IO, "%s", msg);
    }
}

/* entire error of tensor t (quantized graph) as the run left it */
static void compare_entire(struct actx *c, const struct yq_session *s, int t)
{
    int r = c->row_of[t];
    if (r < 0)
        return;
    const struct yq__tensor *tt = &c->qg->tensors[t];
    const float *f = c->fval[c->fmap[t]];
    dequant(tt, yq__session_tensor(s, t), c->tmp);
    double cs, eu;
    metrics(f, c->tmp, numel(tt), &cs, &eu);
    c->acc[r * 4] += cs;
    c->acc[r * 4 + 1] += eu;
    if (c->dump_dir)
        dump_pair(c, r, tt, f, c->tmp);
}

static bool is_activation(const struct yq__graph *g, int t)
{
    return t >= 0 && !g->tensors[t].data;
}

static void quant_observer(void *ctx, const struct yq_session *cs, int ni)
{
    struct actx *c = ctx;
    struct yq_session *s = (struct yq_session *)cs; /* ours: created by yq_model_analyze */
    const struct yq__graph *g = c->qg;
    const struct yq__node *nd = &g->nodes[ni];
    bool any = false;
    for (int j = 0; j < nd->n_out; j++)
        if (nd->out[j] >= 0 && c->row_of[nd->out[j]] >= 0) {
            compare_entire(c, s, nd->out[j]);
            any = true;
        }
    if (!any)
        return;
    /* single: every activation input needs a float value to stand in for it */
    for (int j = 0; j < nd->n_in; j++) {
        int t = nd->in[j];
        if (is_activation(g, t)) {
            const struct yq__tensor *tt = &g->tensors[t];
            if (c->fmap[t] < 0 || !c->fval[c->fmap[t]] ||
                (tt->dtype != YQ__DTYPE_F32 && tt->dtype != YQ__DTYPE_S8))
                return;
        }
    }
    unsigned char *p = c->save;
    for (int j = 0; j < nd->n_in; j++)
        if (is_activation(g, nd->in[j])) {
            size_t b = numel(&g->tensors[nd->in[j]]) * elem_bytes(g->tensors[nd->in[j]].dtype);
            memcpy(p, yq__session_tensor(s, nd->in[j]), b);
            p += b;
        }
    for (int j = 0; j < nd->n_out; j++)
        if (nd->out[j] >= 0) {
            size_t b = numel(&g->tensors[nd->out[j]]) * elem_bytes(g->tensors[nd->out[j]].dtype);
            memcpy(p, yq__session_tensor(s, nd->out[j]), b);
            p += b;
        }
    for (int j = 0; j < nd->n_in; j++)
        if (is_activation(g, nd->in[j]))
            quantize_into(&g->tensors[nd->in[j]], c->fval[c->fmap[nd->in[j]]],
                          yq__session_tensor(s, nd->in[j]));
    yq__session_run_node(s, ni);
    for (int j = 0; j < nd->n_out; j++) {
        int t = nd->out[j];
        int r = t >= 0 ? c->row_of[t] : -1;
        if (r < 0)
            continue;
        dequant(&g->tensors[t], yq__session_tensor(s, t), c->tmp);
        double co, eu;
        metrics(c->fval[c->fmap[t]], c->tmp, numel(&g->tensors[t]), &co, &eu);
        c->acc[r * 4 + 2] += co;
        c->acc[r * 4 + 3] += eu;
        c->n_single[r]++;
    }
    /* inputs back first: an output written in place over an input ends as it was left */
    p = c->save;
    for (int j = 0; j < nd->n_in; j++)
        if (is_activation(g, nd->in[j])) {
            size_t b = numel(&g->tensors[nd->in[j]]) * elem_bytes(g->tensors[nd->in[j]].dtype);
            memcpy(yq__session_tensor(s, nd->in[j]), p, b);
            p += b;
        }
    for (int j = 0; j < nd->n_out; j++)
        if (nd->out[j] >= 0) {
            size_t b = numel(&g->tensors[nd->out[j]]) * elem_bytes(g->tensors[nd->out[j]].dtype);
            memcpy(yq__session_tensor(s, nd->out[j]), p, b);
            p += b;
        }
}

/* Rows: graph inputs, then every node output, that have a float twin of the same size. */
static enum yq_status plan_rows(struct actx *c, struct yq_analysis *a, struct yq__err *e)
{
    const struct yq__graph *g = c->qg, *fg = c->fg;
    c->fmap = yq__calloc((size_t)g->n_tensors + 1, sizeof *c->fmap);
    c->row_of = yq__calloc((size_t)g->n_tensors + 1, sizeof *c->row_of);
    c->fval = yq__calloc((size_t)fg->n_tensors + 1, sizeof *c->fval);
    a->rows = yq__calloc((size_t)g->n_tensors + 1, sizeof *a->rows);
    if (!c->fmap || !c->row_of || !c->fval || !a->rows)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "analyze: out of memory");
    size_t biggest = 1, save = 1;
    for (int t = 0; t < g->n_tensors; t++) {
        c->row_of[t] = -1;
        c->fmap[t] = -1;
        const struct yq__tensor *tt = &g->tensors[t];
        if (tt->data)
            continue;
        int f = float_twin(fg, tt->name);
        if (f >= 0 && fg->tensors[f].dtype == YQ__DTYPE_F32 && !fg->tensors[f].data &&
            numel(&fg->tensors[f]) == numel(tt) &&
            (tt->dtype == YQ__DTYPE_F32 || tt->dtype == YQ__DTYPE_S8 ||
             tt->dtype == YQ__DTYPE_U8))
            c->fmap[t] = f;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < (pass == 0 ? g->n_inputs : g->n_nodes); k++) {
            const struct yq__node *nd = pass ? &g->nodes[k] : NULL;
            int n_out = pass ? nd->n_out : 1;
            for (int j = 0; j < n_out; j++) {
                int t = pass ? nd->out[j] : g->inputs[k];
                if (t < 0)
                    continue;
                if (c->fmap[t] < 0) {
                    a->n_unmatched += pass;
                    continue;
                }
                const struct yq__tensor *tt = &g->tensors[t];
                struct yq_analysis_row *r = &a->rows[a->n_rows];
                snprintf(r->op, sizeof r->op, "%s", pass ? yq__op_name(nd->op) : "Input");
                snprintf(r->name, sizeof r->name, "%s", tt->name);
                r->int8 = pass ? nd->quantized : tt->dtype == YQ__DTYPE_S8;
                r->boundary = pass && (nd->op == YQ__OP_QUANTIZE || nd->op == YQ__OP_DEQUANTIZE);
                c->row_of[t] = a->n_rows++;
                int f = c->fmap[t];
                size_t n = numel(tt);
                if (!c->fval[f] && !(c->fval[f] = yq__malloc(n * 4)))
                    return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "analyze: out of memory");
                biggest = n > biggest ? n : biggest;
            }
            if (pass) {
                size_t b = 0;
                for (int j = 0; j < nd->n_in; j++)
                    if (is_activation(g, nd->in[j]))
                        b += numel(&g->tensors[nd->in[j]]) * elem_bytes(g->tensors[nd->in[j]].dtype);
                for (int j = 0; j < nd->n_out; j++)
                    if (nd->out[j] >= 0)
                        b += numel(&g->tensors[nd->out[j]]) * elem_bytes(g->tensors[nd->out[j]].dtype);
                save = b > save ? b : save;
            }
        }
    }
    c->tmp = yq__malloc(biggest * 4);
    c->save = yq__malloc(save);
    c->acc = yq__calloc((size_t)a->n_rows * 4 + 1, sizeof *c->acc);
    c->n_single = yq__calloc((size_t)a->n_rows + 1, sizeof *c->n_single);
    if (!c->tmp || !c->save || !c->acc || !c->n_single)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "analyze: out of memory");
    return a->n_rows ? YQ_STATUS_OK
                     : yq__errf(e, YQ_STATUS_BAD_INPUT,
                                "analyze: no tensor of the quantized model matches the float "
                                "model's (a model of another ONNX file?)");
}

static enum yq_status make_dirs(const char *dir, struct yq__err *e)
{
    const char *sub[3] = {"", "/golden", "/quant"};
    for (int k = 0; k < 3; k++) {
        char p[4096];
        snprintf(p, sizeof p, "%s%s", dir, sub[k]);
        if (mkdir(p, 0777) && errno != EEXIST)
            return yq__errf(e, YQ_STATUS_IO, "%s: cannot create: %s", p, strerror(errno));
    }
    return YQ_STATUS_OK;
}

static enum yq_status write_name_map(const char *dir, const struct yq_analysis *a,
                                     const struct yq__graph *g, struct yq__err *e)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/names.txt", dir);
    FILE *f = fopen(p, "w");
    if (!f)
        return yq__errf(e, YQ_STATUS_IO, "%s: cannot write: %s", p, strerror(errno));
    fprintf(f, "# file\top\ttensor\tshape (as the engine holds it: NHWC for images)\n");
    for (int r = 0; r < a->n_rows; r++) {
        const struct yq__tensor *t = &g->tensors[yq__graph_find(g, a->rows[r].name)];
        fprintf(f, "%04d.npy\t%s\t%s\t[", r, a->rows[r].op, a->rows[r].name);
        for (int d = 0; d < t->shape.rank; d++)
            fprintf(f, d ? ",%lld" : "%lld", (long long)t->shape.d[d]);
        fprintf(f, "]\n");
    }
    bool bad = ferror(f) != 0;
    if (fclose(f) || bad)
        return yq__errf(e, YQ_STATUS_IO, "%s: write failed", p);
    return YQ_STATUS_OK;
}

static enum yq_status run_sample(struct actx *c, struct feed *fd, int i, struct yq__err *e)
{
    enum yq_status st;
    if ((st = yq__feed_sample(fd, i, c->fs, e)) || (st = yq__feed_sample(fd, i, c->qs, e)))
        return st;
    const struct yq__graph *g = c->qg;
    for (int k = 0; k < c->fg->n_inputs; k++) {
        int t = c->fg->inputs[k];
        if (c->fval[t])
            memcpy(c->fval[t], yq__session_tensor(c->fs, t), numel(&c->fg->tensors[t]) * 4);
    }
    if ((st = yq_session_run(c->fs)))
        return yq__errf(e, st, "analyze: the float model's run failed");
    for (int k = 0; k < g->n_inputs; k++) {
        int t = g->inputs[k], r = c->row_of[t];
        if (r < 0)
            continue;
        /* nothing ran before an input: its single error is its entire one */
        double e0 = c->acc[r * 4], e1 = c->acc[r * 4 + 1];
        compare_entire(c, c->qs, t);
        c->acc[r * 4 + 2] += c->acc[r * 4] - e0;
        c->acc[r * 4 + 3] += c->acc[r * 4 + 1] - e1;
        c->n_single[r]++;
    }
    if ((st = yq_session_run(c->qs)))
        return yq__errf(e, st, "analyze: the quantized model's run failed");
    return c->st;
}

enum yq_status yq_model_analyze(const char *onnx_path, const struct yq_model *quantized,
                                const struct yq_analyze_options *o, struct yq_analysis *a,
                                char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!a)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "analyze: NULL result");
    memset(a, 0, sizeof *a);
    if (!onnx_path || !quantized || !o)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "analyze: NULL argument");
    struct actx c = {.qg = quantized->g, .e = &e};
    struct yq__graph *g = NULL;
    struct yq_model *fm = NULL;
    struct feed *fd = NULL;
    char msg[512];
    struct yq_session_options so;
    yq_session_options_init(&so);
    so.n_threads = o->n_threads > 0 ? o->n_threads : 1;
    enum yq_status st = yq__toolkit_import(onnx_path, &o->import, true, &g, &e);
    if (!st)
        st = yq__feed_create(onnx_path, o->dataset, o->max_samples, o->inputs, o->n_inputs, g,
                             &fd, &e);
    if (!st) {
        st = yq__model_create(g, &fm, &e); /* takes g */
        g = NULL;
    }
    if (!st) {
        c.fg = fm->g;
        st = plan_rows(&c, a, &e);
    }
    if (!st && (st = yq_session_create(fm, &so, &c.fs, msg, sizeof msg)))
        yq__errf(&e, st, "%s", msg);
    if (!st && (st = yq_session_create(quantized, &so, &c.qs, msg, sizeof msg)))
        yq__errf(&e, st, "%s", msg);
    if (!st && o->dump_dir)
        st = make_dirs(o->dump_dir, &e);
    if (!st) {
        yq__session_set_observer(c.fs, float_observer, &c);
        yq__session_set_observer(c.qs, quant_observer, &c);
    }
    int n = st ? 0 : yq__feed_count(fd);
    for (int i = 0; !st && i < n; i++) {
        c.dump_dir = i == 0 ? o->dump_dir : NULL;
        st = run_sample(&c, fd, i, &e);
        if (o->progress)
            o->progress(o->progress_ctx, i + 1, n);
    }
    if (!st && o->dump_dir)
        st = write_name_map(o->dump_dir, a, c.qg, &e);
    if (!st) {
        a->n_samples = n;
        for (int r = 0; r < a->n_rows; r++) {
            struct yq_analysis_row *w = &a->rows[r];
            w->entire_cos = c.acc[r * 4] / n;
            w->entire_euc = c.acc[r * 4 + 1] / n;
            int ns = c.n_single[r];
            w->single_cos = ns ? c.acc[r * 4 + 2] / ns : w->entire_cos;
            w->single_euc = ns ? c.acc[r * 4 + 3] / ns : w->entire_euc;
        }
    }
    yq_session_free(c.fs);
    yq_session_free(c.qs);
    if (c.fval)
        for (int t = 0; fm && t < fm->g->n_tensors; t++)
            yq__free(c.fval[t]);
    yq__free(c.fval);
    yq__free(c.fmap);
    yq__free(c.row_of);
    yq__free(c.acc);
    yq__free(c.n_single);
    yq__free(c.tmp);
    yq__free(c.save);
    yq_model_free(fm);
    yq__graph_free(g);
    yq__feed_free(fd);
    if (st)
        yq_analysis_free(a);
    return st;
}
