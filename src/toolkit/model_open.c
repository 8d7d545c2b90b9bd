/* SPDX-License-Identifier: Apache-2.0 */
/* Opening a model for the toolkit: ONNX import → graph passes (head cut) → preprocessing
 * and head metadata (defaults by head type, a sidecar JSON, user flags) → runtime model.
 * .yqm files go straight to the runtime loader. */
#include "yoloq/toolkit.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/onnx.h"
#include "passes/passes.h"
#include "runtime/runtime_internal.h"
#include "toolkit_internal.h"

void yq_import_options_init(struct yq_import_options *o)
{
    memset(o, 0, sizeof *o);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* "<dir>/<stem>.json", then the stem with trailing "-part"s dropped
 * (yolov5n-rawhead-sigmoid.onnx → yolov5n-rawhead.json → yolov5n.json). */
static bool find_sidecar(const char *model_path, char *out, size_t cap)
{
    char stem[1024];
    snprintf(stem, sizeof stem, "%s", model_path);
    char *dot = strrchr(stem, '.');
    char *slash = strrchr(stem, '/');
    if (dot && (!slash || dot > slash))
        *dot = '\0';
    for (;;) {
        snprintf(out, cap, "%s.json", stem);
        FILE *f = fopen(out, "rb");
        if (f) {
            fclose(f);
            return true;
        }
        char *dash = strrchr(stem, '-');
        slash = strrchr(stem, '/');
        if (!dash || (slash && dash < slash))
            return false;
        *dash = '\0';
    }
}

static enum yq_status apply_sidecar(struct yq__graph *g, const char *path, bool required,
                                    struct yq__err *e)
{
    size_t len;
    char *text = NULL;
    /* a sidecar holds names and anchors: anything over 4 MiB is not one */
    if (yq__read_file(path, &text, &len, NULL) != YQ_STATUS_OK || len > (4u << 20)) {
        yq__free(text);
        return required ? yq__errf(e, YQ_STATUS_IO, "%s: cannot read sidecar JSON", path)
                        : YQ_STATUS_OK;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    yq__free(text);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: not a valid JSON object", path);
    }
    enum yq_status st = YQ_STATUS_OK;
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(root, "class_names");
    if (!names)
        names = cJSON_GetObjectItemCaseSensitive(root, "names");
    if (cJSON_IsArray(names)) {
        size_t cap = 16, n = 0;
        char *joined = yq__malloc(cap);
        const cJSON *it;
        cJSON_ArrayForEach(it, names)
        {
            if (!joined)
                break;
            if (!cJSON_IsString(it) || strchr(it->valuestring, '\n')) {
                st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: class_names must be strings", path);
                break;
            }
            size_t l = strlen(it->valuestring);
            if (n + l + 2 > cap) {
                cap = (n + l + 2) * 2;
                char *p = yq__realloc(joined, cap);
                if (!p) {
                    yq__free(joined);
                    joined = NULL;
                    break;
                }
                joined = p;
            }
            if (n)
                joined[n++] = '\n';
            memcpy(joined + n, it->valuestring, l);
            n += l;
        }
        if (!joined && !st)
            st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
        if (joined && !st) {
            joined[n] = '\0';
            if (!yq__graph_set_meta(g, "yq.names", joined))
                st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
        }
        yq__free(joined);
    }
    const cJSON *anchors = cJSON_GetObjectItemCaseSensitive(root, "anchors_flat");
    if (!st && cJSON_IsArray(anchors)) {
        char buf[1024];
        size_t l = 0;
        const cJSON *lvl;
        int li = 0;
        cJSON_ArrayForEach(lvl, anchors)
        {
            const cJSON *v;
            int k = 0;
            cJSON_ArrayForEach(v, lvl)
            {
                if (!cJSON_IsNumber(v) || l >= sizeof buf - 32)
                    break;
                l += (size_t)snprintf(buf + l, sizeof buf - l, "%s%g",
                                      k ? "," : (li ? ";" : ""), v->valuedouble);
                k++;
            }
            li++;
        }
        if (l && l < sizeof buf && !yq__graph_set_meta(g, "yq.anchors", buf))
            st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
    }
    cJSON_Delete(root);
    return st;
}

/* Stock decoded outputs kept (no cut): [1,N,5+nc] is YOLOv5 (or YOLOX when N counts one
 * cell per grid point), [1,4+nc,N] is YOLOv8. */
static void classify_decoded(struct yq__graph *g)
{
    if (yq__graph_meta(g, "yq.head") || g->n_outputs != 1 || g->n_inputs < 1)
        return;
    const struct yq__tensor *in = &g->tensors[g->inputs[0]];
    const struct yq__tensor *o = &g->tensors[g->outputs[0]];
    if (in->shape.rank != 4 || o->shape.rank != 3)
        return;
    int64_t H = in->layout == YQ__LAYOUT_NHWC ? in->shape.d[1] : in->shape.d[2];
    int64_t W = in->layout == YQ__LAYOUT_NHWC ? in->shape.d[2] : in->shape.d[3];
    int64_t cells = (H / 8) * (W / 8) + (H / 16) * (W / 16) + (H / 32) * (W / 32);
    char nc[32];
    if (o->shape.d[1] == cells && o->shape.d[2] > 5) {
        snprintf(nc, sizeof nc, "%lld", (long long)(o->shape.d[2] - 5));
        yq__graph_set_meta(g, "yq.head", "yolox");
        yq__graph_set_meta(g, "yq.head_sigmoid", "1");
    } else if (o->shape.d[2] == cells && o->shape.d[1] > 4) {
        snprintf(nc, sizeof nc, "%lld", (long long)(o->shape.d[1] - 4));
        yq__graph_set_meta(g, "yq.head", "yolov8-decoded");
    } else if (o->shape.d[2] > 5) {
        snprintf(nc, sizeof nc, "%lld", (long long)(o->shape.d[2] - 5));
        yq__graph_set_meta(g, "yq.head", "yolov5-decoded");
    } else {
        return;
    }
    yq__graph_set_meta(g, "yq.num_classes", nc);
    yq__graph_set_meta(g, "yq.strides", "8,16,32");
}

static bool set_floats3(struct yq__graph *g, const char *key, const float v[3])
{
    char buf[96];
    snprintf(buf, sizeof buf, "%g,%g,%g", v[0], v[1], v[2]);
    return yq__graph_set_meta(g, key, buf);
}

/* Preprocessing defaults by head type, overridden by the user's options. */
static bool set_preprocess(struct yq__graph *g, const struct yq_import_options *o)
{
    const char *head = yq__graph_meta(g, "yq.head");
    head = head ? head : "";
    bool yolox = !strcmp(head, "yolox"), fdet = !strcmp(head, "fastestdet");
    const char *lb = yolox ? "topleft" : fdet ? "stretch" : "center";
    bool bgr = yolox || fdet;
    if (o->channel_order == YQ_CHANNEL_ORDER_RGB)
        bgr = false;
    else if (o->channel_order == YQ_CHANNEL_ORDER_BGR)
        bgr = true;
    float mean[3] = {0, 0, 0}, stdv[3] = {255, 255, 255};
    if (yolox)
        stdv[0] = stdv[1] = stdv[2] = 1.0f;
    if (o->has_mean)
        memcpy(mean, o->mean, sizeof mean);
    if (o->has_std)
        memcpy(stdv, o->std, sizeof stdv);
    return yq__graph_set_meta(g, "yq.letterbox", lb) &&
           yq__graph_set_meta(g, "yq.channel_order", bgr ? "bgr" : "rgb") &&
           set_floats3(g, "yq.mean", mean) && set_floats3(g, "yq.std", stdv);
}

enum yq_status yq__toolkit_import(const char *path, const struct yq_import_options *o,
                                  bool fuse_conv_act, struct yq__graph **out, struct yq__err *e)
{
    struct yq_import_options def;
    *out = NULL;
    if (!o) {
        yq_import_options_init(&def);
        o = &def;
    }
    struct yq__graph *g = NULL;
    enum yq_status st = yq__onnx_import_file(path, &g, e);
    if (st)
        return st;
    struct yq__pass_options po;
    yq__pass_options_init(&po);
    po.outputs = o->outputs;
    po.fuse_conv_act = fuse_conv_act;
    st = yq__passes_run(g, &po, e);
    if (st)
        goto fail;
    classify_decoded(g);
    char side[1100];
    if (o->sidecar)
        st = apply_sidecar(g, o->sidecar, true, e);
    else if (find_sidecar(path, side, sizeof side))
        st = apply_sidecar(g, side, false, e);
    if (st)
        goto fail;
    if (!set_preprocess(g, o)) {
        st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", base_name(path));
        goto fail;
    }
    *out = g;
    return YQ_STATUS_OK;
fail:
    yq__graph_free(g);
    return st;
}

enum yq_status yq_model_load_onnx(const char *path, const struct yq_import_options *o,
                                  struct yq_model **out, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!out || !path)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "model path is NULL");
    *out = NULL;
    struct yq__graph *g;
    enum yq_status st = yq__toolkit_import(path, o, true, &g, &e);
    return st ? st : yq__model_create(g, out, &e);
}

void yq__letterbox_from_meta(const char *mode, const char *order,
                             struct yq_letterbox_options *lb)
{
    enum yq_letterbox lm = YQ_LETTERBOX_CENTER;
    if (mode && !strcmp(mode, "topleft"))
        lm = YQ_LETTERBOX_TOPLEFT;
    else if (mode && !strcmp(mode, "stretch"))
        lm = YQ_LETTERBOX_STRETCH;
    yq_letterbox_options_init(lb, lm);
    lb->bgr = order && !strcmp(order, "bgr");
}

enum yq_status yq_model_open(const char *path, const struct yq_import_options *o,
                             struct yq_model **out, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!out || !path)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "model path is NULL");
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return yq__errf(&e, YQ_STATUS_IO, "%s: cannot open model", path);
    char magic[4] = {0};
    size_t n = fread(magic, 1, 4, f);
    fclose(f);
    if (n == 4 && !memcmp(magic, "YQM1", 4)) {
        struct yq_model_options mo;
        yq_model_options_init(&mo);
        if (o) {
            mo.key = o->key;
            mo.key_len = o->key_len;
        }
        return yq_model_load_file(path, &mo, out, err, err_cap);
    }
    return yq_model_load_onnx(path, o, out, err, err_cap);
}
