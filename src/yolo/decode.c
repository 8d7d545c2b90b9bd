/* SPDX-License-Identifier: Apache-2.0 */
/* YOLO head decoders: raw per-level heads (YOLOv5/v7 anchors, YOLOv8/v11 DFL, YOLOX,
 * FastestDet) in NCHW or NHWC, and the stock "already decoded" outputs, into candidate boxes
 * in model-input pixels: the best class per cell (yolov5 NMS multi_label=False, detect.py) or,
 * with head->multi_label, one candidate per class whose score passes conf (val.py and the
 * Ultralytics validator, for mAP). Also a dense decode that rebuilds the stock decoded tensor from raw heads, for verification. */
#include "yoloq/yolo.h"

#include <math.h>
#include <string.h>
#include "core/core.h"

#define MAX_CLASSES 100000

/* One 4-D head tensor with its level; `at` hides the layout. */
struct level {
    const float *d;
    int c, h, w;
    bool nhwc;
    float stride;
    int idx; /* index into head->strides / anchors */
};

static inline float at(const struct level *l, int c, int y, int x)
{
    return l->nhwc ? l->d[((size_t)y * (size_t)l->w + (size_t)x) * (size_t)l->c + (size_t)c]
                   : l->d[((size_t)c * (size_t)l->h + (size_t)y) * (size_t)l->w + (size_t)x];
}

static inline float sigm(float v)
{
    return 1.f / (1.f + expf(-v));
}

static const float v5_anchors[3][3][2] = {
    {{10, 13}, {16, 30}, {33, 23}},
    {{30, 61}, {62, 45}, {59, 119}},
    {{116, 90}, {156, 198}, {373, 326}},
};

void yq_head_init(struct yq_head *head, enum yq_head_kind kind)
{
    if (!head) return;
    memset(head, 0, sizeof *head);
    head->kind = kind;
    head->n_classes = 80;
    head->input_w = head->input_h = 640;
    if (kind == YQ_HEAD_YOLOX) head->input_w = head->input_h = 416;
    if (kind == YQ_HEAD_FASTESTDET) head->input_w = head->input_h = 352;
    head->n_levels = 3;
    head->strides[0] = 8;
    head->strides[1] = 16;
    head->strides[2] = 32;
    if (kind == YQ_HEAD_FASTESTDET) {
        head->n_levels = 1;
        head->strides[0] = 16;
        head->strides[1] = head->strides[2] = 0;
    }
    head->n_anchors = 3;
    for (int l = 0; l < 3; l++)
        for (int a = 0; a < 3; a++) {
            head->anchors[l][a][0] = v5_anchors[l][a][0];
            head->anchors[l][a][1] = v5_anchors[l][a][1];
        }
    head->reg_max = 16;
    head->apply_sigmoid = kind == YQ_HEAD_V5_ANCHORS;
}

static enum yq_status check_head(const struct yq_head *h, struct yq__err *e)
{
    if (!h) return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "decode: head is NULL");
    if (h->kind < 0 || h->kind >= YQ_HEAD_COUNT)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "decode: unknown head kind %d",
                        (int)h->kind);
    if (h->n_classes < 1 || h->n_classes > MAX_CLASSES)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "decode: n_classes %d not in 1..%d",
                        h->n_classes, MAX_CLASSES);
    if (h->input_w < 1 || h->input_h < 1 || h->input_w > 65535 || h->input_h > 65535)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "decode: input size %dx%d invalid",
                        h->input_w, h->input_h);
    bool levels =
        h->kind == YQ_HEAD_V5_ANCHORS || h->kind == YQ_HEAD_V8_DFL || h->kind == YQ_HEAD_YOLOX;
    if (levels) {
        if (h->n_levels < 1 || h->n_levels > YQ_HEAD_MAX_LEVELS)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "decode: n_levels %d not in 1..%d",
                            h->n_levels, YQ_HEAD_MAX_LEVELS);
        for (int i = 0; i < h->n_levels; i++)
            if (h->strides[i] < 1 || h->strides[i] > h->input_w || h->strides[i] > h->input_h)
                return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "decode: stride[%d] = %d invalid", i,
                                h->strides[i]);
    }
    if (h->kind == YQ_HEAD_V5_ANCHORS && (h->n_anchors < 1 || h->n_anchors > YQ_HEAD_MAX_ANCHORS))
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "decode: n_anchors %d not in 1..%d",
                        h->n_anchors, YQ_HEAD_MAX_ANCHORS);
    if (h->kind == YQ_HEAD_V8_DFL && (h->reg_max < 1 || h->reg_max > 256))
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "decode: reg_max %d not in 1..256",
                        h->reg_max);
    return YQ_STATUS_OK;
}

/* Channels per cell of a raw level tensor for this head. */
static int level_channels(const struct yq_head *h)
{
    switch (h->kind) {
    case YQ_HEAD_V5_ANCHORS:
        return h->n_anchors * (5 + h->n_classes);
    case YQ_HEAD_V8_DFL:
        return 4 * h->reg_max + h->n_classes;
    default:
        return 5 + h->n_classes;
    }
}

static enum yq_status view_4d(const struct yq_tensor_view *t, int i, struct level *l,
                              struct yq__err *e)
{
    if (!t->data || t->n_dims != 4 || t->dims[0] != 1)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                        "decode: output %d must be a 4-D tensor with batch 1 and data", i);
    if (t->layout != YQ_LAYOUT_NCHW && t->layout != YQ_LAYOUT_NHWC)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "decode: output %d has unknown layout %d", i,
                        (int)t->layout);
    l->d = t->data;
    l->nhwc = t->layout == YQ_LAYOUT_NHWC;
    l->c = l->nhwc ? t->dims[3] : t->dims[1];
    l->h = l->nhwc ? t->dims[1] : t->dims[2];
    l->w = l->nhwc ? t->dims[2] : t->dims[3];
    if (l->c < 1 || l->h < 1 || l->w < 1 || l->h > 65535 || l->w > 65535)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "decode: output %d has bad dims", i);
    return YQ_STATUS_OK;
}

/* Validates the raw level tensors and orders them as head->strides, matching each by its
 * grid (input / stride). */
static enum yq_status collect_levels(const struct yq_head *h, const struct yq_tensor_view *outs,
                                     int n_outs, struct level *lv, struct yq__err *e)
{
    if (!outs || n_outs != h->n_levels)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                        "decode: %d outputs given, head has %d levels", n_outs, h->n_levels);
    bool taken[YQ_HEAD_MAX_LEVELS] = {false};
    int want_c = level_channels(h);
    for (int i = 0; i < n_outs; i++) {
        struct level l;
        enum yq_status st = view_4d(&outs[i], i, &l, e);
        if (st) return st;
        if (l.c != want_c)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                            "decode: output %d has %d channels, head expects %d", i, l.c, want_c);
        int found = -1;
        for (int k = 0; k < h->n_levels && found < 0; k++)
            if (!taken[k] && h->input_h / h->strides[k] == l.h && h->input_w / h->strides[k] == l.w)
                found = k;
        if (found < 0)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                            "decode: output %d grid %dx%d matches no unused stride of input %dx%d",
                            i, l.w, l.h, h->input_w, h->input_h);
        taken[found] = true;
        l.idx = found;
        l.stride = (float)h->strides[found];
        lv[found] = l;
    }
    return YQ_STATUS_OK;
}

/* Rows of the flat YOLOX output [1, N, 5+nc] for this head's strides. */
static size_t yolox_rows(const struct yq_head *h)
{
    size_t n = 0;
    for (int k = 0; k < h->n_levels; k++)
        n += (size_t)(h->input_h / h->strides[k]) * (size_t)(h->input_w / h->strides[k]);
    return n;
}

static enum yq_status check_3d(const struct yq_tensor_view *outs, int n_outs, int *rows, int *cols,
                               struct yq__err *e)
{
    if (!outs || n_outs != 1 || !outs[0].data || outs[0].n_dims != 3 || outs[0].dims[0] != 1 ||
        outs[0].dims[1] < 1 || outs[0].dims[2] < 1)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                        "decode: expected one 3-D output [1, a, b] with data");
    *rows = outs[0].dims[1];
    *cols = outs[0].dims[2];
    return YQ_STATUS_OK;
}

/* Number of cells/rows, validating shapes; 0 with a message on mismatch. */
static size_t count_candidates(const struct yq_head *h, const struct yq_tensor_view *outs,
                               int n_outs, struct level *lv, bool *flat, struct yq__err *e)
{
    *flat = false;
    if (check_head(h, e)) return 0;
    size_t n = 0;
    int r = 0, c = 0;
    switch (h->kind) {
    case YQ_HEAD_V5_ANCHORS:
    case YQ_HEAD_V8_DFL:
        if (collect_levels(h, outs, n_outs, lv, e)) return 0;
        for (int k = 0; k < h->n_levels; k++)
            n += (size_t)lv[k].h * (size_t)lv[k].w *
                 (size_t)(h->kind == YQ_HEAD_V5_ANCHORS ? h->n_anchors : 1);
        return n;
    case YQ_HEAD_YOLOX:
        if (outs && n_outs == 1 && outs[0].n_dims == 3) {
            if (check_3d(outs, n_outs, &r, &c, e)) return 0;
            if ((size_t)r != yolox_rows(h) || c != 5 + h->n_classes) {
                yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                         "decode: YOLOX output [1,%d,%d] does not match %zu rows of %d", r, c,
                         yolox_rows(h), 5 + h->n_classes);
                return 0;
            }
            *flat = true;
            return (size_t)r;
        }
        if (collect_levels(h, outs, n_outs, lv, e)) return 0;
        for (int k = 0; k < h->n_levels; k++)
            n += (size_t)lv[k].h * (size_t)lv[k].w;
        return n;
    case YQ_HEAD_FASTESTDET:
        if (!outs || n_outs != 1) {
            yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "decode: FastestDet has one output, got %d",
                     n_outs);
            return 0;
        }
        if (view_4d(&outs[0], 0, &lv[0], e)) return 0;
        if (lv[0].c != 5 + h->n_classes) {
            yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                     "decode: FastestDet output has %d channels, expected %d", lv[0].c,
                     5 + h->n_classes);
            return 0;
        }
        return (size_t)lv[0].h * (size_t)lv[0].w;
    case YQ_HEAD_V5_DECODED:
        if (check_3d(outs, n_outs, &r, &c, e)) return 0;
        if (c != 5 + h->n_classes) {
            yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                     "decode: YOLOv5 output [1,%d,%d]: expected %d columns", r, c,
                     5 + h->n_classes);
            return 0;
        }
        return (size_t)r;
    case YQ_HEAD_V8_DECODED:
        if (check_3d(outs, n_outs, &r, &c, e)) return 0;
        if (r != 4 + h->n_classes) {
            yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                     "decode: YOLOv8 output [1,%d,%d]: expected %d channels", r, c,
                     4 + h->n_classes);
            return 0;
        }
        return (size_t)c;
    default:
        return 0;
    }
}

size_t yq_head_max_candidates(const struct yq_head *head, const struct yq_tensor_view *outs,
                              int n_outs)
{
    struct level lv[YQ_HEAD_MAX_LEVELS];
    bool flat;
    size_t n = count_candidates(head, outs, n_outs, lv, &flat, NULL), total;
    if (n && head->multi_label && head->n_classes > 1)
        return yq__mul_size(n, (size_t)head->n_classes, &total) ? total : 0;
    return n;
}

static void emit(struct yq_detection *out, size_t *n, float cx, float cy, float w, float h,
                 float score, int cls)
{
    out[*n] = (struct yq_detection){cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, cls};
    (*n)++;
}

/* Index of the largest of nc values at channels c0.. of a cell (first on ties). */
static int best_class(const struct level *l, int c0, int nc, int y, int x, float *best)
{
    int bi = 0;
    float bv = at(l, c0, y, x);
    for (int k = 1; k < nc; k++) {
        float v = at(l, c0 + k, y, x);
        if (v > bv) bv = v, bi = k;
    }
    *best = bv;
    return bi;
}

/* A cell's class values and how they become scores: class k is cls[k * stride]. */
enum score_rule { SCORE_OBJ_X_CLS, SCORE_CLS, SCORE_FASTESTDET };

struct cell_scores {
    const float *cls;
    size_t stride;
    bool sigmoid; /* class values are logits */
    enum score_rule rule;
    float obj;
};

static float cell_score(const struct cell_scores *c, float v)
{
    if (c->sigmoid) v = sigm(v);
    switch (c->rule) {
    case SCORE_OBJ_X_CLS:
        return c->obj * v;
    case SCORE_FASTESTDET:
        /* obj and the softmaxed classes are >= 0; guard powf against tiny negatives. */
        return powf(YQ_MAX(c->obj, 0.f), 0.6f) * powf(YQ_MAX(v, 0.f), 0.4f);
    default:
        return v;
    }
}

static const float *level_ptr(const struct level *l, int c, int y, int x, size_t *stride)
{
    *stride = l->nhwc ? 1 : (size_t)l->h * (size_t)l->w;
    return &l->d[l->nhwc ? ((size_t)y * (size_t)l->w + (size_t)x) * (size_t)l->c + (size_t)c
                         : ((size_t)c * (size_t)l->h + (size_t)y) * (size_t)l->w + (size_t)x];
}

/* Emits a cell whose best class (bi, score best) passed conf: that class alone, or with
 * multi_label every class whose score > conf, in class order (torch nonzero's order). */
static void emit_cell(const struct yq_head *h, const struct cell_scores *c, float conf, float cx,
                      float cy, float w, float hh, float best, int bi, struct yq_detection *out,
                      size_t *n)
{
    if (!h->multi_label || h->n_classes < 2) {
        emit(out, n, cx, cy, w, hh, best, bi);
        return;
    }
    for (int k = 0; k < h->n_classes; k++) {
        float s = k == bi ? best : cell_score(c, c->cls[(size_t)k * c->stride]);
        if (s > conf) emit(out, n, cx, cy, w, hh, s, k);
    }
}

/* DFL expectation of one side: sum(i * softmax(bins)). */
static float dfl(const struct level *l, int c0, int reg_max, int y, int x)
{
    float m = at(l, c0, y, x);
    for (int i = 1; i < reg_max; i++)
        m = YQ_MAX(m, at(l, c0 + i, y, x));
    float s = 0, si = 0;
    for (int i = 0; i < reg_max; i++) {
        float e = expf(at(l, c0 + i, y, x) - m);
        s += e;
        si += e * (float)i;
    }
    return si / s;
}

static void decode_v5_level(const struct yq_head *h, const struct level *l, float conf,
                            struct yq_detection *out, size_t *n)
{
    int nc = h->n_classes, per = 5 + nc;
    bool sg = h->apply_sigmoid;
    for (int a = 0; a < h->n_anchors; a++) {
        int c0 = a * per;
        float aw = h->anchors[l->idx][a][0], ah = h->anchors[l->idx][a][1];
        for (int y = 0; y < l->h; y++) {
            for (int x = 0; x < l->w; x++) {
                float obj = at(l, c0 + 4, y, x);
                if (sg) obj = sigm(obj);
                if (!(obj > conf)) continue;
                float cb;
                int k = best_class(l, c0 + 5, nc, y, x, &cb);
                float score = obj * (sg ? sigm(cb) : cb);
                if (!(score > conf)) continue;
                struct cell_scores cs = {NULL, 0, sg, SCORE_OBJ_X_CLS, obj};
                cs.cls = level_ptr(l, c0 + 5, y, x, &cs.stride);
                float v[4];
                for (int i = 0; i < 4; i++)
                    v[i] = sg ? sigm(at(l, c0 + i, y, x)) : at(l, c0 + i, y, x);
                float cx = (v[0] * 2.f + ((float)x - 0.5f)) * l->stride;
                float cy = (v[1] * 2.f + ((float)y - 0.5f)) * l->stride;
                float w = (v[2] * 2.f) * (v[2] * 2.f) * aw;
                float hh = (v[3] * 2.f) * (v[3] * 2.f) * ah;
                emit_cell(h, &cs, conf, cx, cy, w, hh, score, k, out, n);
            }
        }
    }
}

static void v8_box(const struct yq_head *h, const struct level *l, int y, int x, float box[4])
{
    float dl = dfl(l, 0, h->reg_max, y, x), dt = dfl(l, h->reg_max, h->reg_max, y, x);
    float dr = dfl(l, 2 * h->reg_max, h->reg_max, y, x);
    float db = dfl(l, 3 * h->reg_max, h->reg_max, y, x);
    float ax = (float)x + 0.5f, ay = (float)y + 0.5f;
    float x1 = ax - dl, y1 = ay - dt, x2 = ax + dr, y2 = ay + db;
    /* dist2bbox(xywh=True) then * stride, as the stock export computes it. */
    box[0] = (x1 + x2) / 2 * l->stride;
    box[1] = (y1 + y2) / 2 * l->stride;
    box[2] = (x2 - x1) * l->stride;
    box[3] = (y2 - y1) * l->stride;
}

static void decode_v8_level(const struct yq_head *h, const struct level *l, float conf,
                            struct yq_detection *out, size_t *n)
{
    int nc = h->n_classes, c0 = 4 * h->reg_max;
    for (int y = 0; y < l->h; y++) {
        for (int x = 0; x < l->w; x++) {
            float cb;
            int k = best_class(l, c0, nc, y, x, &cb);
            float score = sigm(cb);
            if (!(score > conf)) continue;
            struct cell_scores cs = {NULL, 0, true, SCORE_CLS, 0.f};
            cs.cls = level_ptr(l, c0, y, x, &cs.stride);
            float b[4];
            v8_box(h, l, y, x, b);
            emit_cell(h, &cs, conf, b[0], b[1], b[2], b[3], score, k, out, n);
        }
    }
}

/* One YOLOX cell given a value getter over its 5+nc channels. */
struct yolox_cell {
    const float *row;      /* flat layout: the row */
    const struct level *l; /* level layout */
    int y, x;
};

static struct cell_scores yx_classes(const struct yolox_cell *c, bool sg, float obj)
{
    struct cell_scores cs = {NULL, 1, sg, SCORE_OBJ_X_CLS, obj};
    cs.cls = c->row ? c->row + 5 : level_ptr(c->l, 5, c->y, c->x, &cs.stride);
    return cs;
}

static inline float yx_get(const struct yolox_cell *c, int k)
{
    return c->row ? c->row[k] : at(c->l, k, c->y, c->x);
}

static void yolox_emit(const struct yq_head *h, const struct yolox_cell *c, int gx, int gy,
                       float stride, float conf, struct yq_detection *out, size_t *n)
{
    bool sg = h->apply_sigmoid;
    float obj = yx_get(c, 4);
    if (sg) obj = sigm(obj);
    if (!(obj > conf)) return;
    int bi = 0;
    float bv = yx_get(c, 5);
    for (int k = 1; k < h->n_classes; k++) {
        float v = yx_get(c, 5 + k);
        if (v > bv) bv = v, bi = k;
    }
    float score = obj * (sg ? sigm(bv) : bv);
    if (!(score > conf)) return;
    float cx = (yx_get(c, 0) + (float)gx) * stride, cy = (yx_get(c, 1) + (float)gy) * stride;
    float w = expf(yx_get(c, 2)) * stride, hh = expf(yx_get(c, 3)) * stride;
    struct cell_scores cs = yx_classes(c, sg, obj);
    emit_cell(h, &cs, conf, cx, cy, w, hh, score, bi, out, n);
}

static void decode_fastestdet(const struct yq_head *h, const struct level *l, float conf,
                              struct yq_detection *out, size_t *n)
{
    for (int y = 0; y < l->h; y++) {
        for (int x = 0; x < l->w; x++) {
            float obj = at(l, 0, y, x), cb;
            int k = best_class(l, 5, h->n_classes, y, x, &cb);
            struct cell_scores cs = {NULL, 0, false, SCORE_FASTESTDET, obj};
            cs.cls = level_ptr(l, 5, y, x, &cs.stride);
            float score = cell_score(&cs, cb);
            if (!(score > conf)) continue;
            float cx = ((float)x + tanhf(at(l, 1, y, x))) / (float)l->w * (float)h->input_w;
            float cy = ((float)y + tanhf(at(l, 2, y, x))) / (float)l->h * (float)h->input_h;
            float w = sigm(at(l, 3, y, x)) * (float)h->input_w;
            float hh = sigm(at(l, 4, y, x)) * (float)h->input_h;
            emit_cell(h, &cs, conf, cx, cy, w, hh, score, k, out, n);
        }
    }
}

enum yq_status yq_decode(const struct yq_head *head, const struct yq_tensor_view *outs, int n_outs,
                         float conf, struct yq_detection *cands, size_t cap, size_t *n_cands,
                         char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (n_cands) *n_cands = 0;
    if (!n_cands) return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "decode: n_cands is NULL");
    struct level lv[YQ_HEAD_MAX_LEVELS];
    bool flat;
    size_t max = count_candidates(head, outs, n_outs, lv, &flat, &e);
    if (max == 0) return YQ_STATUS_INVALID_ARGUMENT; /* count_candidates wrote the message */
    if (head->multi_label && head->n_classes > 1 &&
        !yq__mul_size(max, (size_t)head->n_classes, &max))
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "decode: candidate count overflows");
    if (!cands || cap < max)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                        "decode: candidate buffer holds %zu, up to %zu needed", cands ? cap : 0,
                        max);
    size_t n = 0;
    const float *d;
    int rows, cols;
    switch (head->kind) {
    case YQ_HEAD_V5_ANCHORS:
        for (int k = 0; k < head->n_levels; k++)
            decode_v5_level(head, &lv[k], conf, cands, &n);
        break;
    case YQ_HEAD_V8_DFL:
        for (int k = 0; k < head->n_levels; k++)
            decode_v8_level(head, &lv[k], conf, cands, &n);
        break;
    case YQ_HEAD_YOLOX:
        if (flat) {
            const float *row = outs[0].data;
            size_t per = (size_t)(5 + head->n_classes);
            for (int k = 0; k < head->n_levels; k++) {
                int gh = head->input_h / head->strides[k], gw = head->input_w / head->strides[k];
                for (int y = 0; y < gh; y++)
                    for (int x = 0; x < gw; x++, row += per) {
                        struct yolox_cell c = {row, NULL, 0, 0};
                        yolox_emit(head, &c, x, y, (float)head->strides[k], conf, cands, &n);
                    }
            }
        } else {
            for (int k = 0; k < head->n_levels; k++)
                for (int y = 0; y < lv[k].h; y++)
                    for (int x = 0; x < lv[k].w; x++) {
                        struct yolox_cell c = {NULL, &lv[k], y, x};
                        yolox_emit(head, &c, x, y, lv[k].stride, conf, cands, &n);
                    }
        }
        break;
    case YQ_HEAD_FASTESTDET:
        decode_fastestdet(head, &lv[0], conf, cands, &n);
        break;
    case YQ_HEAD_V5_DECODED:
        d = outs[0].data;
        rows = outs[0].dims[1];
        cols = outs[0].dims[2];
        for (int r = 0; r < rows; r++) {
            const float *p = d + (size_t)r * (size_t)cols;
            float obj = p[4];
            if (!(obj > conf)) continue;
            int bi = 0;
            float bv = p[5];
            for (int k = 1; k < head->n_classes; k++)
                if (p[5 + k] > bv) bv = p[5 + k], bi = k;
            float score = obj * bv;
            struct cell_scores cs = {p + 5, 1, false, SCORE_OBJ_X_CLS, obj};
            if (score > conf)
                emit_cell(head, &cs, conf, p[0], p[1], p[2], p[3], score, bi, cands, &n);
        }
        break;
    case YQ_HEAD_V8_DECODED:
        d = outs[0].data;
        cols = outs[0].dims[2];
        for (int i = 0; i < cols; i++) {
            int bi = 0;
            float bv = d[(size_t)4 * (size_t)cols + (size_t)i];
            for (int k = 1; k < head->n_classes; k++) {
                float v = d[(size_t)(4 + k) * (size_t)cols + (size_t)i];
                if (v > bv) bv = v, bi = k;
            }
            struct cell_scores cs = {d + (size_t)4 * (size_t)cols + (size_t)i, (size_t)cols, false,
                                     SCORE_CLS, 0.f};
            if (bv > conf)
                emit_cell(head, &cs, conf, d[i], d[(size_t)cols + (size_t)i],
                          d[(size_t)2 * (size_t)cols + (size_t)i],
                          d[(size_t)3 * (size_t)cols + (size_t)i], bv, bi, cands, &n);
        }
        break;
    default:
        break;
    }
    *n_cands = n;
    return YQ_STATUS_OK;
}

enum yq_status yq_decode_dense(const struct yq_head *head, const struct yq_tensor_view *outs,
                               int n_outs, float *dense, size_t dense_len, size_t *n_rows,
                               char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (n_rows) *n_rows = 0;
    enum yq_status st = check_head(head, &e);
    if (st) return st;
    if (head->kind != YQ_HEAD_V5_ANCHORS && head->kind != YQ_HEAD_V8_DFL)
        return yq__errf(&e, YQ_STATUS_UNSUPPORTED,
                        "decode_dense: only YOLOv5 anchor and YOLOv8 DFL heads");
    struct level lv[YQ_HEAD_MAX_LEVELS];
    st = collect_levels(head, outs, n_outs, lv, &e);
    if (st) return st;
    int nc = head->n_classes;
    size_t n = 0;
    for (int k = 0; k < head->n_levels; k++)
        n += (size_t)lv[k].h * (size_t)lv[k].w *
             (size_t)(head->kind == YQ_HEAD_V5_ANCHORS ? head->n_anchors : 1);
    size_t cols = (size_t)(head->kind == YQ_HEAD_V5_ANCHORS ? 5 + nc : 4 + nc), need;
    if (!yq__mul_size(n, cols, &need) || !dense || dense_len < need)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                        "decode_dense: output holds %zu floats, %zu x %zu needed",
                        dense ? dense_len : 0, n, cols);
    size_t row = 0;
    for (int k = 0; k < head->n_levels; k++) {
        const struct level *l = &lv[k];
        if (head->kind == YQ_HEAD_V5_ANCHORS) {
            int per = 5 + nc;
            for (int a = 0; a < head->n_anchors; a++) {
                float aw = head->anchors[l->idx][a][0], ah = head->anchors[l->idx][a][1];
                for (int y = 0; y < l->h; y++)
                    for (int x = 0; x < l->w; x++, row++) {
                        float *o = dense + row * cols;
                        for (int c = 0; c < per; c++) {
                            float v = at(l, a * per + c, y, x);
                            o[c] = head->apply_sigmoid ? sigm(v) : v;
                        }
                        o[0] = (o[0] * 2.f + ((float)x - 0.5f)) * l->stride;
                        o[1] = (o[1] * 2.f + ((float)y - 0.5f)) * l->stride;
                        o[2] = (o[2] * 2.f) * (o[2] * 2.f) * aw;
                        o[3] = (o[3] * 2.f) * (o[3] * 2.f) * ah;
                    }
            }
        } else {
            for (int y = 0; y < l->h; y++)
                for (int x = 0; x < l->w; x++, row++) {
                    float b[4];
                    v8_box(head, l, y, x, b);
                    for (int c = 0; c < 4; c++)
                        dense[(size_t)c * n + row] = b[c];
                    for (int c = 0; c < nc; c++)
                        dense[(size_t)(4 + c) * n + row] = sigm(at(l, 4 * head->reg_max + c, y, x));
                }
        }
    }
    *n_rows = n;
    return YQ_STATUS_OK;
}
