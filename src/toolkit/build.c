/* SPDX-License-Identifier: Apache-2.0 */
/* yq_model_build: ONNX -> float graph (activations unfused) -> calibration over the
 * dataset list -> int8 graph -> runtime model, with the calibration settings recorded in
 * the model's metadata. The dataset feed turns each list entry into the model input the
 * way `detect` would (images letterboxed by the model's own preprocessing), or reads a
 * ready tensor (.npy, raw). */
#include "yoloq/toolkit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "passes/passes.h"
#include "quant/calibrate.h"
#include "quant/quantize.h"
#include "runtime/runtime_internal.h"
#include "toolkit_internal.h"
#include "yoloq/media.h"

void yq_build_options_init(struct yq_build_options *o)
{
    memset(o, 0, sizeof *o);
    yq_import_options_init(&o->import);
    o->quantize = true;
    o->algorithm = YQ_QUANT_MMSE;
    o->percentile = 99.99;
    o->n_threads = 1;
}

void yq_build_report_free(struct yq_build_report *r)
{
    if (!r)
        return;
    yq__free(r->kept);
    r->kept = NULL;
}

/* ---- the dataset list ------------------------------------------------------------------ */

struct dataset {
    char **paths; /* resolved against the list's folder */
    int n;
    const char *list; /* for messages */
};

static void dataset_free(struct dataset *d)
{
    for (int i = 0; i < d->n; i++)
        yq__free(d->paths[i]);
    yq__free(d->paths);
}

static enum yq_status dataset_read(const char *list, int max, struct dataset *d,
                                   struct yq__err *e)
{
    memset(d, 0, sizeof *d);
    d->list = list;
    char *text = NULL;
    size_t len = 0;
    enum yq_status rs = yq__read_file(list, &text, &len, NULL);
    if (rs == YQ_STATUS_OUT_OF_MEMORY)
        return yq__errf(e, rs, "%s: out of memory reading the dataset list", list);
    if (rs)
        return yq__errf(e, YQ_STATUS_IO, "%s: cannot read the dataset list", list);
    if (memchr(text, '\0', len)) {
        yq__free(text);
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: not a text file", list);
    }
    const char *slash = strrchr(list, '/');
    size_t dir_len = slash ? (size_t)(slash - list) + 1 : 0;
    enum yq_status st = YQ_STATUS_OK;
    int cap = 0, line_no = 0;
    for (char *p = text, *end = text + len; p < end && (max <= 0 || d->n < max);) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        line_no++;
        char *a = p, *b = eol;
        p = nl ? nl + 1 : end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
            b--;
        if (a == b || *a == '#')
            continue;
        size_t l = (size_t)(b - a);
        if (l > 4000) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s:%d: path too long", list, line_no);
            break;
        }
        if (d->n == cap) {
            cap = cap ? cap * 2 : 64;
            char **np = yq__realloc(d->paths, (size_t)cap * sizeof *np);
            if (!np) {
                st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", list);
                break;
            }
            d->paths = np;
        }
        bool abs = *a == '/';
        size_t dl = abs ? 0 : dir_len;
        char *path = yq__malloc(dl + l + 1);
        if (!path) {
            st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", list);
            break;
        }
        memcpy(path, list, dl);
        memcpy(path + dl, a, l);
        path[dl + l] = '\0';
        d->paths[d->n++] = path;
    }
    yq__free(text);
    if (!st && d->n == 0)
        st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: no samples listed", list);
    if (st)
        dataset_free(d);
    return st;
}

/* ---- samples into the session ------------------------------------------------------- */

struct feed {
    struct dataset ds;
    struct yq_tensor_info in; /* model input (float, NHWC) */
    struct yq_letterbox_options lb;
    uint8_t *pixels; /* letterboxed image */
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    if (a < b)
        return false;
    for (size_t i = 0; i < b; i++)
        if ((s[a - b + i] | 0x20) != (suffix[i] | 0x20))
            return false;
    return true;
}

enum yq_status yq__npy_header(const char *path, const unsigned char *b, size_t n, bool *is_u8,
                              bool *channels_last, size_t *off, struct yq__err *e)
{
    size_t hl, start;
    enum yq_status st = yq__npy_span(path, b, n, &start, &hl, e);
    if (st)
        return st;
    char h[1024];
    size_t cl = hl < sizeof h - 1 ? hl : sizeof h - 1;
    memcpy(h, b + start, cl);
    h[cl] = '\0';
    if (strstr(h, "'fortran_order': True"))
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: Fortran-order .npy is not supported", path);
    if (strstr(h, "'<f4'"))
        *is_u8 = false;
    else if (strstr(h, "'|u1'"))
        *is_u8 = true;
    else
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: .npy dtype must be float32 or uint8", path);
    const char *sh = strstr(h, "'shape':");
    const char *close = sh ? strchr(sh, ')') : NULL;
    if (!close)
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: .npy header has no shape", path);
    const char *last = close;
    while (last > sh && (last[-1] == ' ' || last[-1] == ','))
        last--;
    *channels_last = last > sh && last[-1] == '3' && (last - 1 == sh || last[-2] == ' ' ||
                                                     last[-2] == '(' || last[-2] == ',');
    *off = start + hl;
    return YQ_STATUS_OK;
}

/* A tensor file: float32 NCHW or uint8 NHWC, told apart by dtype (.npy) or size (raw). */
static enum yq_status feed_tensor(struct feed *f, const char *path, struct yq_session *s,
                                  struct yq__err *e)
{
    char *data = NULL;
    size_t n = 0;
    enum yq_status rs = yq__read_file(path, &data, &n, NULL);
    if (rs == YQ_STATUS_OUT_OF_MEMORY)
        return yq__errf(e, rs, "%s: out of memory reading calibration sample", path);
    if (rs)
        return yq__errf(e, YQ_STATUS_IO, "%s: cannot read calibration sample", path);
    size_t off = 0, elems = f->in.n_elems;
    bool u8 = n == elems, nhwc = u8;
    enum yq_status st = YQ_STATUS_OK;
    if (ends_with(path, ".npy"))
        st = yq__npy_header(path, (const unsigned char *)data, n, &u8, &nhwc, &off, e);
    size_t want = u8 ? elems : elems * 4;
    if (!st && n - off != want)
        st = yq__errf(e, YQ_STATUS_BAD_INPUT,
                      "%s: %zu bytes of data, the model input [1,3,%lld,%lld] needs %zu (float32 "
                      "NCHW) or %zu (uint8 NHWC)",
                      path, n - off, (long long)f->in.dims[1], (long long)f->in.dims[2],
                      elems * 4, elems);
    if (!st) {
        /* numpy pads the header so the data starts 64-byte aligned */
        st = yq_session_set_input(s, 0, data + off, want, u8 ? YQ_DTYPE_U8 : YQ_DTYPE_F32,
                                  u8 || nhwc ? YQ_LAYOUT_NHWC : YQ_LAYOUT_NCHW);
        if (st)
            st = yq__errf(e, st, "%s: cannot set the model input from it", path);
    }
    yq__free(data);
    return st;
}

static enum yq_status feed_sample(void *ctx, int index, struct yq_session *s, struct yq__err *e)
{
    struct feed *f = ctx;
    const char *path = f->ds.paths[index];
    if (ends_with(path, ".npy") || ends_with(path, ".raw") || ends_with(path, ".bin"))
        return feed_tensor(f, path, s, e);
    struct yq_image img;
    char msg[512];
    enum yq_status st = yq_image_load(path, &img, msg, sizeof msg);
    if (st)
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s (line %d of %s)", msg, index + 1,
                        f->ds.list);
    struct yq_letterbox_info li;
    int h = (int)f->in.dims[1], w = (int)f->in.dims[2];
    st = yq_letterbox(&img, w, h, &f->lb, f->pixels, f->in.n_elems, &li, msg, sizeof msg);
    yq_image_free(&img);
    if (!st)
        st = yq_session_set_input(s, 0, f->pixels, f->in.n_elems, YQ_DTYPE_U8, YQ_LAYOUT_NHWC);
    return st ? yq__errf(e, st, "%s: %s", path, msg) : YQ_STATUS_OK;
}

/* ---- the build ---------------------------------------------------------------------- */

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *algo_name(enum yq_quant_algorithm a)
{
    static const char *const names[] = {"normal", "percentile", "kl", "mmse"};
    return (unsigned)a < 4 ? names[a] : "?";
}

static enum yq_status record_settings(struct yq__graph *g, const struct yq_build_options *o,
                                      int n_samples, struct yq__err *e)
{
    char buf[64];
    bool ok = yq__graph_set_meta(g, "yq.quant.algorithm", algo_name(o->algorithm)) &&
              yq__graph_set_meta(g, "yq.quant.method",
                                 o->method == YQ_QUANT_PER_LAYER ? "layer" : "channel") &&
              yq__graph_set_meta(g, "yq.quant.act_mode", o->act_float ? "float" : "lut") &&
              yq__graph_set_meta(g, "yq.quant.outputs", o->int8_outputs ? "int8" : "float");
    snprintf(buf, sizeof buf, "%d", n_samples);
    ok = ok && yq__graph_set_meta(g, "yq.quant.samples", buf);
    if (o->algorithm == YQ_QUANT_PERCENTILE) {
        snprintf(buf, sizeof buf, "%g", o->percentile);
        ok = ok && yq__graph_set_meta(g, "yq.quant.percentile", buf);
    }
    const char *slash = strrchr(o->dataset, '/');
    ok = ok && yq__graph_set_meta(g, "yq.quant.dataset", slash ? slash + 1 : o->dataset);
    return ok ? YQ_STATUS_OK : yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
}

static enum yq_status report_kept(const struct yq__quantize_report *qr, struct yq_build_report *r,
                                  struct yq__err *e)
{
    size_t len = 1;
    for (int i = 0; i < qr->n_kept; i++)
        len += strlen(qr->kept[i].node) + strlen(qr->kept[i].op) + strlen(qr->kept[i].reason) + 8;
    if (qr->n_kept == 0)
        return YQ_STATUS_OK;
    r->kept = yq__malloc(len);
    if (!r->kept)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
    size_t at = 0;
    for (int i = 0; i < qr->n_kept; i++)
        at += (size_t)snprintf(r->kept + at, len - at, "%s (%s): %s\n", qr->kept[i].node,
                               qr->kept[i].op, qr->kept[i].reason);
    return YQ_STATUS_OK;
}

/* Sets up what feeding the samples of ds needs (taking ds over, freed on failure): the
 * float graph's image input geometry, its letterbox, a pixel buffer. Close with
 * feed_close. */
static enum yq_status feed_setup(struct feed *f, const char *path, const struct yq__graph *g,
                                 struct dataset *ds, struct yq__err *e)
{
    memset(f, 0, sizeof *f);
    f->ds = *ds;
    if (g->n_inputs != 1) {
        dataset_free(&f->ds);
        return yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: quantization needs one image input, the "
                        "model has %d", path, g->n_inputs);
    }
    const struct yq__tensor *in = &g->tensors[g->inputs[0]];
    if (in->shape.rank != 4 || in->layout != YQ__LAYOUT_NHWC || in->shape.d[3] != 3 ||
        in->shape.d[0] != 1 || in->dtype != YQ__DTYPE_F32) {
        dataset_free(&f->ds);
        return yq__errf(e, YQ_STATUS_UNSUPPORTED,
                        "%s: quantization needs a float [1,3,H,W] image input", path);
    }
    f->in.n_dims = 4;
    for (int k = 0; k < 4; k++)
        f->in.dims[k] = in->shape.d[k];
    f->in.n_elems = (size_t)yq__shape_numel(&in->shape);
    yq__letterbox_from_meta(yq__graph_meta(g, "yq.letterbox"),
                            yq__graph_meta(g, "yq.channel_order"), &f->lb);
    f->pixels = yq__aligned_alloc(f->in.n_elems);
    if (!f->pixels) {
        dataset_free(&f->ds);
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
    }
    return YQ_STATUS_OK;
}

/* Reads the dataset list, then feed_setup. */
static enum yq_status feed_open(struct feed *f, const char *path,
                                const struct yq_build_options *o, const struct yq__graph *g,
                                struct yq__err *e)
{
    struct dataset ds;
    enum yq_status st = dataset_read(o->dataset, o->max_samples, &ds, e);
    return st ? st : feed_setup(f, path, g, &ds, e);
}

static void feed_close(struct feed *f)
{
    yq__aligned_free(f->pixels);
    dataset_free(&f->ds);
    f->pixels = NULL;
}

static enum yq_status quantize(const struct yq_build_options *o, struct feed *f,
                               struct yq__graph **gp, struct yq_build_report *r,
                               struct yq__err *e)
{
    struct yq__calibrate_options co;
    yq__calibrate_options_init(&co);
    co.algo.algorithm = (enum yq__calib_algorithm)o->algorithm;
    co.algo.percentile = o->percentile;
    co.n_threads = o->n_threads;
    co.progress = o->progress;
    co.progress_ctx = o->progress_ctx;
    double t0 = seconds_now();
    int n_nonfinite = 0;
    enum yq_status st = yq__calibrate(gp, &co, f->ds.n, feed_sample, f, &n_nonfinite, e);
    if (r) {
        r->n_samples = f->ds.n;
        r->n_nonfinite = n_nonfinite;
        r->calib_seconds = seconds_now() - t0;
    }
    if (st)
        return st;
    struct yq__graph *g = *gp;
    struct yq__quantize_options qo;
    yq__quantize_options_init(&qo);
    qo.per_channel = o->method != YQ_QUANT_PER_LAYER;
    qo.act_mode = o->act_float ? YQ__ACT_MODE_FLOAT : YQ__ACT_MODE_LUT;
    qo.float_outputs = !o->int8_outputs;
    yq__graph_preprocess(g, qo.mean, qo.std);
    struct yq__quantize_report qr = {0};
    st = yq__quantize_graph(g, &qo, &qr, e);
    if (!st && r) {
        r->n_quantized = qr.n_quantized;
        r->n_float = qr.n_float;
        r->n_tensors_s8 = qr.n_tensors_s8;
        r->n_boundaries = qr.n_boundaries;
        st = report_kept(&qr, r, e);
    }
    yq__quantize_report_free(&qr);
    /* float leftovers still get their Conv + activation fused */
    if (!st)
        st = yq__pass_fuse_act(g, true, e);
    if (!st)
        st = record_settings(g, o, f->ds.n, e);
    return st;
}

/* Runs the float model and the int8 one on the first calibration sample and records how
 * alike their outputs are: the user sees at build time what quantization cost. */
static enum yq_status run_first_sample(const struct yq_model *m, struct feed *f,
                                       const float **outs, struct yq_session **s,
                                       struct yq__err *e)
{
    char msg[256];
    enum yq_status st = yq_session_create(m, NULL, s, msg, sizeof msg);
    if (st)
        return yq__errf(e, st, "%s", msg);
    if ((st = feed_sample(f, 0, *s, e)))
        return st;
    if ((st = yq_session_run(*s)))
        return yq__errf(e, st, "accuracy check: run failed");
    for (int i = 0; i < yq_model_n_outputs(m) && i < 8; i++)
        yq_session_output_float(*s, i, &outs[i], NULL);
    return YQ_STATUS_OK;
}

static enum yq_status check_outputs(const char *path, const struct yq_build_options *o,
                                    struct feed *f, const struct yq_model *q,
                                    struct yq_build_report *r, struct yq__err *e)
{
    struct yq_model *fm = NULL;
    struct yq__graph *g = NULL;
    struct yq_session *fs = NULL, *qs = NULL;
    const float *fo[8] = {0}, *qo[8] = {0};
    /* the calibrated graph became the int8 one: the float model is imported again */
    enum yq_status st = yq__toolkit_import(path, &o->import, true, &g, e);
    if (!st)
        st = yq__model_create(g, &fm, e); /* takes g */
    if (!st && yq_model_n_outputs(fm) != yq_model_n_outputs(q))
        st = yq__errf(e, YQ_STATUS_BAD_STATE, "accuracy check: the models differ");
    if (!st)
        st = run_first_sample(fm, f, fo, &fs, e);
    if (!st)
        st = run_first_sample(q, f, qo, &qs, e);
    for (int i = 0; !st && i < yq_model_n_outputs(q) && i < 8; i++) {
        struct yq_tensor_info info;
        yq_model_output_info(q, i, &info);
        double ab = 0, aa = 0, bb = 0;
        for (size_t k = 0; k < info.n_elems; k++) {
            ab += (double)fo[i][k] * qo[i][k];
            aa += (double)fo[i][k] * fo[i][k];
            bb += (double)qo[i][k] * qo[i][k];
        }
        r->output_cosine[i] = aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : (aa == bb ? 1.0 : 0.0);
        r->n_outputs = i + 1;
    }
    yq_session_free(fs);
    yq_session_free(qs);
    yq_model_free(fm);
    return st;
}

enum yq_status yq_model_build(const char *path, const struct yq_build_options *o,
                              struct yq_model **out, struct yq_build_report *r, char *err,
                              size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    struct yq_build_options def;
    if (!out || !path)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "build: NULL model path");
    *out = NULL;
    if (r)
        memset(r, 0, sizeof *r);
    if (!o) {
        yq_build_options_init(&def);
        o = &def;
    }
    if (o->quantize && (!o->dataset || !*o->dataset))
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                        "build: quantization needs a dataset list (one image per line)");
    if ((unsigned)o->algorithm > YQ_QUANT_MMSE)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "build: unknown algorithm %d",
                        (int)o->algorithm);
    struct yq__graph *g = NULL;
    enum yq_status st = yq__toolkit_import(path, &o->import, !o->quantize, &g, &e);
    if (st)
        return st;
    if (!o->quantize)
        return yq__model_create(g, out, &e);
    struct feed f;
    st = feed_open(&f, path, o, g, &e);
    if (st) {
        yq__graph_free(g);
        return st;
    }
    st = quantize(o, &f, &g, r, &e);
    if (!st) {
        st = yq__model_create(g, out, &e); /* takes g */
        g = NULL;
    }
    if (!st && r)
        st = check_outputs(path, o, &f, *out, r, &e);
    feed_close(&f);
    yq__graph_free(g);
    if (st) {
        yq_model_free(*out);
        *out = NULL;
        if (r)
            yq_build_report_free(r);
    }
    return st;
}

/* ---- the sample feed for other toolkit commands (analyze) -------------------------- */

enum yq_status yq__feed_create(const char *model_path, const char *list, int max,
                               const char *const *paths, int n_paths, const struct yq__graph *g,
                               struct feed **out, struct yq__err *e)
{
    *out = NULL;
    struct feed *f = yq__calloc(1, sizeof *f);
    if (!f)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
    struct yq_build_options o;
    yq_build_options_init(&o);
    o.dataset = list;
    o.max_samples = max;
    enum yq_status st = YQ_STATUS_OK;
    if (list) {
        st = feed_open(f, model_path, &o, g, e);
    } else if (n_paths < 1) {
        st = yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "no input samples given");
    } else {
        struct dataset ds = {0};
        ds.list = "--inputs";
        int n = max > 0 && max < n_paths ? max : n_paths;
        ds.paths = yq__calloc((size_t)n, sizeof *ds.paths);
        for (int i = 0; ds.paths && i < n; i++) {
            size_t l = strlen(paths[i]);
            if (!(ds.paths[i] = yq__malloc(l + 1)))
                break;
            memcpy(ds.paths[i], paths[i], l + 1);
            ds.n = i + 1;
        }
        if (ds.n < n) {
            dataset_free(&ds);
            st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
        } else {
            st = feed_setup(f, model_path, g, &ds, e);
        }
    }
    if (st) {
        yq__free(f);
        return st;
    }
    *out = f;
    return YQ_STATUS_OK;
}

int yq__feed_count(const struct feed *f)
{
    return f->ds.n;
}

const char *yq__feed_path(const struct feed *f, int i)
{
    return f->ds.paths[i];
}

enum yq_status yq__feed_sample(struct feed *f, int index, struct yq_session *s, struct yq__err *e)
{
    return feed_sample(f, index, s, e);
}

void yq__feed_free(struct feed *f)
{
    if (!f)
        return;
    feed_close(f);
    yq__free(f);
}
