/* SPDX-License-Identifier: Apache-2.0 */
/* yq_coco_agreement on hand-made results: one-to-one matching per image and category, the
 * score and IoU thresholds, a detection claimed by one reference only, empty sides. */
#include <math.h>

#include "harness.h"
#include "yoloq/eval.h"

static struct yq_coco_dets *make(const double (*rows)[7], int n)
{
    struct yq_coco_dets *d = NULL;
    yq_coco_dets_create(&d);
    for (int i = 0; i < n; i++) /* image, category, x, y, w, h, score */
        yq_coco_dets_add(d, (int64_t)rows[i][0], (int64_t)rows[i][1], rows[i][2], rows[i][3],
                         rows[i][4], rows[i][5], rows[i][6]);
    return d;
}

int main(void)
{
    static const double ref_rows[][7] = {
        {1, 1, 0, 0, 100, 100, 0.9},   /* matched by a shifted box (IoU 0.8182) */
        {1, 1, 200, 0, 100, 100, 0.8}, /* only candidate overlaps too little */
        {1, 2, 0, 0, 100, 100, 0.7},   /* same place, other category: matched by category 2 */
        {2, 1, 0, 0, 50, 50, 0.6},     /* image 2: no same-category detection */
        {2, 3, 0, 0, 10, 10, 0.1},     /* under the score threshold: ignored */
    };
    static const double det_rows[][7] = {
        {1, 1, 10, 0, 100, 100, 0.85},  /* IoU with ref 0: 90*100/(2e4-9e3) = 0.8182 */
        {1, 1, 260, 0, 100, 100, 0.5},  /* IoU with ref 1: 40/160 = 0.25 < 0.5: unmatched */
        {1, 2, 0, 0, 100, 100, 0.3},
        {2, 4, 0, 0, 50, 50, 0.9},      /* wrong category */
        {3, 1, 0, 0, 10, 10, 0.9},      /* image the reference lacks */
        {1, 1, 0, 0, 100, 100, 0.2},    /* under the threshold: ignored though a perfect box */
    };
    struct yq_coco_dets *ref = make(ref_rows, 5), *det = make(det_rows, 6);
    struct yq_coco_agreement a;
    char err[256];
    CHECK(yq_coco_agreement(ref, det, 0.25, 0.5, &a, err, sizeof err) == YQ_STATUS_OK);
    CHECK(a.n_reference == 4 && a.n_detections == 5 && a.n_matched == 2);
    CHECKF(fabs(a.f1 - 4.0 / 9.0) < 1e-12, "f1 %g", a.f1);
    CHECKF(fabs(a.mean_iou - (9000.0 / 11000.0 + 1.0) / 2) < 1e-12, "iou %g", a.mean_iou);

    /* a lower IoU bar lets the 0.25-IoU pair match */
    CHECK(yq_coco_agreement(ref, det, 0.25, 0.2, &a, err, sizeof err) == YQ_STATUS_OK);
    CHECK(a.n_matched == 3);

    /* one to one: two references on the same box, one detection */
    static const double two[][7] = {{1, 1, 0, 0, 10, 10, 0.9}, {1, 1, 0, 0, 10, 10, 0.8}};
    static const double one[][7] = {{1, 1, 0, 0, 10, 10, 0.9}};
    struct yq_coco_dets *r2 = make(two, 2), *d1 = make(one, 1);
    CHECK(yq_coco_agreement(r2, d1, 0.25, 0.5, &a, err, sizeof err) == YQ_STATUS_OK);
    CHECK(a.n_matched == 1 && a.n_reference == 2 && a.n_detections == 1);

    /* identical files agree fully; two empty files too */
    CHECK(yq_coco_agreement(ref, ref, 0.25, 0.5, &a, err, sizeof err) == YQ_STATUS_OK);
    CHECK(a.n_matched == 4 && a.f1 == 1.0 && a.mean_iou == 1.0);
    struct yq_coco_dets *e1 = make(NULL, 0), *e2 = make(NULL, 0);
    CHECK(yq_coco_agreement(e1, e2, 0.25, 0.5, &a, err, sizeof err) == YQ_STATUS_OK);
    CHECK(a.f1 == 1.0 && a.n_matched == 0);
    CHECK(yq_coco_agreement(NULL, e2, 0.25, 0.5, &a, err, sizeof err) ==
          YQ_STATUS_INVALID_ARGUMENT);

    yq_coco_dets_free(ref);
    yq_coco_dets_free(det);
    yq_coco_dets_free(r2);
    yq_coco_dets_free(d1);
    yq_coco_dets_free(e1);
    yq_coco_dets_free(e2);
    return yq_test_finish();
}
