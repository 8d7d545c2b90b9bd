/* SPDX-License-Identifier: Apache-2.0 */
/* The detector: letterbox an RGB image into the model input, run a session, decode the
 * head in float, NMS, and map boxes back to original pixels. Everything it needs is
 * allocated at creation; run() allocates only inside NMS. */
#include "yoloq/toolkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "toolkit_internal.h"

struct yq_detector {
    const struct yq_model *m;
    struct yq_session *s;
    struct yq_detector_options o;
    struct yq_head head;
    struct yq_letterbox_options lb;
    int in_w, in_h;
    uint8_t *input; /* letterboxed uint8 NHWC */
    size_t input_size;
    struct yq_tensor_view outs[8];
    int n_outs;
    struct yq_detection *cands;
    size_t cap;
    char **names;
    int n_names;
};

void yq_detector_options_init(struct yq_detector_options *o)
{
    memset(o, 0, sizeof *o);
    o->conf = 0.25f;
    o->iou = 0.45f;
    o->max_det = 300;
    o->n_threads = 1;
}

enum yq_status yq_model_head(const struct yq_model *m, struct yq_head *head, char *err,
                             size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    const char *kind = yq_model_meta(m, "yq.head");
    static const struct {
        const char *name;
        enum yq_head_kind kind;
    } kinds[] = {{"yolov5", YQ_HEAD_V5_ANCHORS},        {"yolov8", YQ_HEAD_V8_DFL},
                 {"yolox", YQ_HEAD_YOLOX},              {"fastestdet", YQ_HEAD_FASTESTDET},
                 {"yolov5-decoded", YQ_HEAD_V5_DECODED}, {"yolov8-decoded", YQ_HEAD_V8_DECODED}};
    int k = -1;
    for (size_t i = 0; kind && i < YQ_COUNTOF(kinds); i++)
        if (!strcmp(kind, kinds[i].name))
            k = (int)i;
    if (k < 0)
        return yq__errf(&e, YQ_STATUS_UNSUPPORTED,
                        "model has no recognised YOLO head (cut it with --outputs at the head "
                        "convolutions)");
    yq_head_init(head, kinds[k].kind);
    struct yq_tensor_info in;
    if (yq_model_input_info(m, 0, &in) == YQ_STATUS_OK && in.n_dims == 4) {
        bool nhwc = in.layout == YQ_LAYOUT_NHWC;
        head->input_h = (int)in.dims[nhwc ? 1 : 2];
        head->input_w = (int)in.dims[nhwc ? 2 : 3];
    }
    const char *nc = yq_model_meta(m, "yq.num_classes");
    if (nc && atoi(nc) > 0)
        head->n_classes = atoi(nc);
    float v[64];
    int n = yq__parse_floats(yq_model_meta(m, "yq.strides"), v, YQ_HEAD_MAX_LEVELS);
    if (n > 0) {
        head->n_levels = n;
        for (int i = 0; i < n; i++) {
            if (!(v[i] >= 1.0f && v[i] <= 1024.0f))
                return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                                "strides '%s': %g is not a stride", yq_model_meta(m, "yq.strides"),
                                v[i]);
            head->strides[i] = (int)v[i];
        }
    }
    const char *sig = yq_model_meta(m, "yq.head_sigmoid");
    if (sig && (kinds[k].kind == YQ_HEAD_V5_ANCHORS || kinds[k].kind == YQ_HEAD_YOLOX))
        head->apply_sigmoid = sig[0] != '1';
    const char *anchors = yq_model_meta(m, "yq.anchors");
    if (anchors && kinds[k].kind == YQ_HEAD_V5_ANCHORS) {
        n = yq__parse_floats(anchors, v, 64);
        int levels = head->n_levels > 0 ? head->n_levels : 3;
        if (n == 0 || n % (2 * levels) != 0 || n / (2 * levels) > YQ_HEAD_MAX_ANCHORS)
            return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                            "anchors '%.60s': %d numbers do not form %d levels of w,h pairs",
                            anchors, n, levels);
        {
            head->n_anchors = n / (2 * levels);
            for (int l = 0; l < levels; l++)
                for (int a = 0; a < head->n_anchors; a++) {
                    head->anchors[l][a][0] = v[(l * head->n_anchors + a) * 2];
                    head->anchors[l][a][1] = v[(l * head->n_anchors + a) * 2 + 1];
                }
        }
    }
    return YQ_STATUS_OK;
}

static enum yq_status load_names(struct yq_detector *d, struct yq__err *e)
{
    const char *lines = yq_model_meta(d->m, "yq.names");
    if (lines) {
        int n = 1;
        for (const char *p = lines; *p; p++)
            n += *p == '\n';
        d->names = yq__calloc((size_t)n, sizeof *d->names);
        if (!d->names)
            return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
        d->n_names = n;
        const char *s = lines;
        for (int i = 0; i < n; i++) {
            const char *end = strchr(s, '\n');
            size_t len = end ? (size_t)(end - s) : strlen(s);
            d->names[i] = yq__strndup(s, len);
            if (!d->names[i])
                return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
            s = end ? end + 1 : s + len;
        }
        return YQ_STATUS_OK;
    }
    const char *dict = yq_model_meta(d->m, "names");
    if (dict && yq_names_parse(dict, strlen(dict), &d->names, &d->n_names, NULL, 0) != 0) {
        d->names = NULL; /* unparsable names: detections keep numeric ids */
        d->n_names = 0;
    }
    return YQ_STATUS_OK;
}

enum yq_status yq_detector_create(const struct yq_model *m, const struct yq_detector_options *o,
                                  struct yq_detector **out, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    struct yq_detector_options def;
    if (!out || !m)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "detector: model is NULL");
    *out = NULL;
    if (!o) {
        yq_detector_options_init(&def);
        o = &def;
    }
    struct yq_detector *d = yq__calloc(1, sizeof *d);
    if (!d)
        return yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
    d->m = m;
    d->o = *o;
    enum yq_status st = yq_model_head(m, &d->head, err, err_cap);
    if (st)
        goto fail;
    d->head.multi_label = o->multi_label;
    struct yq_tensor_info in;
    if (yq_model_n_inputs(m) != 1 || yq_model_input_info(m, 0, &in) || in.n_dims != 4 ||
        in.layout != YQ_LAYOUT_NHWC || in.dims[3] != 3) {
        st = yq__errf(&e, YQ_STATUS_UNSUPPORTED,
                      "detector: the model must take one 3-channel image input");
        goto fail;
    }
    d->in_h = (int)in.dims[1];
    d->in_w = (int)in.dims[2];
    yq__letterbox_from_meta(yq_model_meta(m, "yq.letterbox"),
                            yq_model_meta(m, "yq.channel_order"), &d->lb);
    d->input_size = (size_t)d->in_w * (size_t)d->in_h * 3;
    d->input = yq__aligned_alloc(d->input_size);
    if (!d->input) {
        st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
        goto fail;
    }
    struct yq_session_options so;
    yq_session_options_init(&so);
    so.n_threads = o->n_threads;
    st = yq_session_create(m, &so, &d->s, err, err_cap);
    if (st)
        goto fail;
    d->n_outs = yq_model_n_outputs(m);
    if (d->n_outs < 1 || d->n_outs > 8) {
        st = yq__errf(&e, YQ_STATUS_UNSUPPORTED, "detector: %d outputs", d->n_outs);
        goto fail;
    }
    for (int i = 0; i < d->n_outs; i++) {
        struct yq_tensor_info oi;
        yq_model_output_info(m, i, &oi);
        if (oi.n_dims < 3 || oi.n_dims > 4) {
            st = yq__errf(&e, YQ_STATUS_UNSUPPORTED,
                          "detector: output '%s' has %d dims, expected a 3D or 4D head",
                          oi.name, oi.n_dims);
            goto fail;
        }
        d->outs[i].n_dims = oi.n_dims;
        for (int k = 0; k < oi.n_dims; k++)
            d->outs[i].dims[k] = (int)oi.dims[k];
        d->outs[i].layout = oi.layout == YQ_LAYOUT_NHWC ? YQ_LAYOUT_NHWC : YQ_LAYOUT_NCHW;
        /* the session's output memory is fixed: point the views at it once */
        yq_session_output_float(d->s, i, &d->outs[i].data, NULL);
    }
    d->cap = yq_head_max_candidates(&d->head, d->outs, d->n_outs);
    if (d->cap == 0) {
        st = yq__errf(&e, YQ_STATUS_UNSUPPORTED,
                      "detector: the model's outputs do not match its %s head",
                      yq_model_meta(m, "yq.head"));
        goto fail;
    }
    d->cands = yq__malloc(d->cap * sizeof *d->cands);
    if (!d->cands) {
        st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "out of memory");
        goto fail;
    }
    st = load_names(d, &e);
    if (st)
        goto fail;
    *out = d;
    return YQ_STATUS_OK;
fail:
    yq_detector_free(d);
    return st;
}

void yq_detector_free(struct yq_detector *d)
{
    if (!d)
        return;
    yq_session_free(d->s);
    yq__aligned_free(d->input);
    yq__free(d->cands);
    if (d->names)
        yq_names_free(d->names, d->n_names);
    yq__free(d);
}

enum yq_status yq_detector_run(struct yq_detector *d, const struct yq_image *img,
                               const struct yq_detection **dets, size_t *n, char *err,
                               size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!d || !img || !dets || !n)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "detector: NULL argument");
    *dets = NULL;
    *n = 0;
    struct yq_letterbox_info li;
    enum yq_status st = yq_letterbox(img, d->in_w, d->in_h, &d->lb, d->input, d->input_size,
                                     &li, err, err_cap);
    if (st)
        return st;
    st = yq_session_set_input(d->s, 0, d->input, d->input_size, YQ_DTYPE_U8, YQ_LAYOUT_NHWC);
    if (st)
        return yq__errf(&e, st, "detector: cannot set input");
    if ((st = yq_session_run(d->s)))
        return yq__errf(&e, st, "detector: run failed");
    size_t nc;
    st = yq_decode(&d->head, d->outs, d->n_outs, d->o.conf, d->cands, d->cap, &nc, err,
                   err_cap);
    if (st)
        return st;
    struct yq_nms_options no;
    yq_nms_options_init(&no);
    no.iou_threshold = d->o.iou;
    no.max_det = d->o.max_det > 0 ? (size_t)d->o.max_det : 300;
    no.class_agnostic = d->o.agnostic;
    size_t keep;
    st = yq_nms(d->cands, nc, &no, &keep, err, err_cap);
    if (st)
        return st;
    yq_letterbox_unmap(&li, d->cands, keep);
    *dets = d->cands;
    *n = keep;
    return YQ_STATUS_OK;
}

int yq_detector_n_classes(const struct yq_detector *d)
{
    return d ? d->head.n_classes : 0;
}

const char *yq_detector_class_name(const struct yq_detector *d, int class_id)
{
    if (!d || class_id < 0 || class_id >= d->n_names)
        return NULL;
    return d->names[class_id];
}

struct yq_session *yq_detector_session(struct yq_detector *d)
{
    return d ? d->s : NULL;
}
