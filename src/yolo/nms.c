/* SPDX-License-Identifier: Apache-2.0 */
/* Greedy class-aware NMS with yolov5 v7.0 non_max_suppression semantics (torchvision nms
 * per class), for single- and multi-label candidates alike (multi-label only changes what
 * the decoder emits). Classes are kept apart by comparing class ids rather than by yolov5's
 * coordinate offset (c * max_wh, 7680), which gives the same result for boxes under 7680 px
 * without the float error the offset adds to the IoU of high class ids. */
#include "yoloq/yolo.h"

#include <string.h>
#include "core/core.h"

void yq_nms_options_init(struct yq_nms_options *o)
{
    if (!o) return;
    o->iou_threshold = 0.45f;
    o->max_det = 300;
    o->max_candidates = 30000;
    o->class_agnostic = false;
}

float yq_box_iou(const struct yq_detection *a, const struct yq_detection *b)
{
    float area_a = (a->x2 - a->x1) * (a->y2 - a->y1);
    float area_b = (b->x2 - b->x1) * (b->y2 - b->y1);
    float iw = YQ_MIN(a->x2, b->x2) - YQ_MAX(a->x1, b->x1);
    float ih = YQ_MIN(a->y2, b->y2) - YQ_MAX(a->y1, b->y1);
    float inter = YQ_MAX(iw, 0.f) * YQ_MAX(ih, 0.f);
    float uni = area_a + area_b - inter;
    return uni > 0 ? inter / uni : 0.f;
}

/* Higher score first; NaN scores sort last so they never suppress real boxes. */
static bool before(const struct yq_detection *a, const struct yq_detection *b)
{
    if (a->score != a->score) return false;
    if (b->score != b->score) return true;
    return a->score > b->score;
}

/* Stable bottom-up merge sort: equal scores keep their input (decode) order. */
static void sort_stable(struct yq_detection *d, struct yq_detection *tmp, size_t n)
{
    struct yq_detection *src = d, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = YQ_MIN(lo + width, n), hi = YQ_MIN(lo + 2 * width, n);
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = before(&src[j], &src[i]) ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        struct yq_detection *t = src;
        src = dst;
        dst = t;
    }
    if (src != d) memcpy(d, src, n * sizeof *d);
}

enum yq_status yq_nms(struct yq_detection *dets, size_t n, const struct yq_nms_options *o,
                      size_t *n_keep, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    struct yq_nms_options def;
    if (!o) {
        yq_nms_options_init(&def);
        o = &def;
    }
    if (!n_keep || (!dets && n))
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "nms: NULL detections or n_keep");
    *n_keep = 0;
    if (n == 0) return YQ_STATUS_OK;
    size_t bytes;
    if (!yq__mul_size(n, sizeof *dets, &bytes))
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "nms: %zu boxes overflow", n);
    struct yq_detection *tmp = yq__malloc(bytes);
    if (!tmp) return yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "nms: cannot allocate for %zu boxes", n);
    sort_stable(dets, tmp, n);
    yq__free(tmp);
    if (n > o->max_candidates) n = o->max_candidates;
    /* Kept boxes are compacted to the front; each candidate only needs checking against
     * them because a suppressed box never suppresses another (torchvision greedy NMS). */
    size_t kept = 0;
    for (size_t i = 0; i < n && kept < o->max_det; i++) {
        if (dets[i].score != dets[i].score) break;
        bool keep = true;
        for (size_t k = 0; k < kept && keep; k++) {
            if (!o->class_agnostic && dets[k].class_id != dets[i].class_id) continue;
            if (yq_box_iou(&dets[k], &dets[i]) > o->iou_threshold) keep = false;
        }
        if (keep) dets[kept++] = dets[i];
    }
    *n_keep = kept;
    return YQ_STATUS_OK;
}
