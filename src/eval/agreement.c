/* SPDX-License-Identifier: Apache-2.0 */
/* Detection agreement between two results files on the same images (an INT8 model against
 * its float original): one-to-one greedy matching per image, most confident reference
 * first, to the unmatched detection of the same category with the highest IoU. This is
 * what "finds the same objects" means, measured without ground truth. */
#include <stdlib.h>
#include <string.h>

#include "coco_internal.h"

/* copies of the detections >= score, sorted by image, then score (descending) */
struct ranked {
    struct yq_coco_det *v;
    size_t n;
};

static int by_image_score(const void *a, const void *b)
{
    const struct yq_coco_det *x = a, *y = b;
    if (x->image_id != y->image_id)
        return x->image_id < y->image_id ? -1 : 1;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return 0;
}

static bool rank(const struct yq_coco_dets *d, double score, struct ranked *r)
{
    r->n = 0;
    r->v = yq__malloc((d->n + 1) * sizeof *r->v);
    if (!r->v)
        return false;
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].score >= score)
            r->v[r->n++] = d->v[i];
    qsort(r->v, r->n, sizeof *r->v, by_image_score);
    return true;
}

enum yq_status yq_coco_agreement(const struct yq_coco_dets *ref, const struct yq_coco_dets *dets,
                                 double score, double min_iou, struct yq_coco_agreement *out,
                                 char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!ref || !dets || !out)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "agreement: NULL argument");
    memset(out, 0, sizeof *out);
    struct ranked r = {0}, d = {0};
    bool *used = NULL;
    if (!rank(ref, score, &r) || !rank(dets, score, &d) ||
        !(used = yq__calloc(d.n + 1, sizeof *used))) {
        yq__free(r.v);
        yq__free(d.v);
        return yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "agreement: out of memory");
    }
    out->n_reference = r.n;
    out->n_detections = d.n;
    double iou_sum = 0.0;
    size_t dj = 0; /* start of the current image's run in d */
    for (size_t i = 0; i < r.n;) {
        int64_t img = r.v[i].image_id;
        while (dj < d.n && d.v[dj].image_id < img)
            dj++;
        size_t dend = dj;
        while (dend < d.n && d.v[dend].image_id == img)
            dend++;
        for (; i < r.n && r.v[i].image_id == img; i++) {
            const struct yq_coco_det *a = &r.v[i];
            double best = min_iou;
            size_t bj = SIZE_MAX;
            for (size_t j = dj; j < dend; j++) {
                const struct yq_coco_det *b = &d.v[j];
                if (used[j] || b->category_id != a->category_id)
                    continue;
                double v = yq__coco_bbox_iou(b->bbox, a->bbox, 0);
                if (v >= best) {
                    best = v;
                    bj = j;
                }
            }
            if (bj != SIZE_MAX) {
                used[bj] = true;
                out->n_matched++;
                iou_sum += best;
            }
        }
    }
    size_t total = out->n_reference + out->n_detections;
    out->f1 = total ? 2.0 * (double)out->n_matched / (double)total : 1.0;
    out->mean_iou = out->n_matched ? iou_sum / (double)out->n_matched : 0.0;
    yq__free(used);
    yq__free(r.v);
    yq__free(d.v);
    return YQ_STATUS_OK;
}
