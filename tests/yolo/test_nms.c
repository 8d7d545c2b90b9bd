/* SPDX-License-Identifier: Apache-2.0 */
/* NMS semantics: overlap suppression, class awareness, max_det / max_candidates caps, stable
 * handling of equal scores (input order wins, like a stable sort before torchvision nms). */
#include <math.h>
#include <string.h>
#include "harness.h"
#include "yoloq/yolo.h"

static struct yq_detection box(float x1, float y1, float x2, float y2, float s, int c)
{
    return (struct yq_detection){x1, y1, x2, y2, s, c};
}

int main(void)
{
    struct yq_nms_options o;
    yq_nms_options_init(&o);
    CHECK(o.iou_threshold == 0.45f && o.max_det == 300 && o.max_candidates == 30000 &&
          !o.class_agnostic);
    size_t n = 0;

    /* IoU: [0,10]^2 vs [5,15]x[0,10] = 50 / 150. */
    struct yq_detection a = box(0, 0, 10, 10, 1, 0), b = box(5, 0, 15, 10, 1, 0);
    CHECK(fabsf(yq_box_iou(&a, &b) - 1.f / 3) < 1e-6f);
    struct yq_detection z = box(3, 3, 3, 3, 1, 0);
    CHECK(yq_box_iou(&z, &z) == 0);

    /* Overlap: IoU 1/3 survives at 0.45, is suppressed at 0.3; output sorted by score. */
    struct yq_detection d[8];
    d[0] = box(5, 0, 15, 10, 0.6f, 0);
    d[1] = box(0, 0, 10, 10, 0.9f, 0);
    CHECK(yq_nms(d, 2, &o, &n, NULL, 0) == 0 && n == 2 && d[0].score == 0.9f);
    d[0] = box(5, 0, 15, 10, 0.6f, 0);
    d[1] = box(0, 0, 10, 10, 0.9f, 0);
    o.iou_threshold = 0.3f;
    CHECK(yq_nms(d, 2, &o, &n, NULL, 0) == 0 && n == 1 && d[0].score == 0.9f);

    /* Class-aware: identical boxes of different classes both survive; agnostic keeps one. */
    d[0] = box(0, 0, 10, 10, 0.5f, 1);
    d[1] = box(0, 0, 10, 10, 0.7f, 2);
    d[2] = box(0, 0, 10, 10, 0.6f, 1);
    CHECK(yq_nms(d, 3, &o, &n, NULL, 0) == 0 && n == 2);
    CHECK(d[0].class_id == 2 && d[1].class_id == 1 && d[1].score == 0.6f);
    d[0] = box(0, 0, 10, 10, 0.5f, 1);
    d[1] = box(0, 0, 10, 10, 0.7f, 2);
    o.class_agnostic = true;
    CHECK(yq_nms(d, 2, &o, &n, NULL, 0) == 0 && n == 1 && d[0].class_id == 2);
    o.class_agnostic = false;

    /* A suppressed box does not suppress others: chain A > B > C with A~B, B~C, A!~C. */
    d[0] = box(0, 0, 10, 10, 0.9f, 0);
    d[1] = box(4, 0, 14, 10, 0.8f, 0); /* IoU(A,B) = 60/140 = 0.43 */
    d[2] = box(8, 0, 18, 10, 0.7f, 0); /* IoU(A,C) = 20/180, IoU(B,C) = 0.43 */
    o.iou_threshold = 0.4f;
    CHECK(yq_nms(d, 3, &o, &n, NULL, 0) == 0 && n == 2 && d[1].score == 0.7f);

    /* Ties: equal scores keep input order (first wins the suppression). */
    d[0] = box(0, 0, 10, 10, 0.5f, 0);
    d[1] = box(1, 0, 11, 10, 0.5f, 0);
    d[2] = box(50, 50, 60, 60, 0.5f, 0);
    CHECK(yq_nms(d, 3, &o, &n, NULL, 0) == 0 && n == 2);
    CHECK(d[0].x1 == 0 && d[1].x1 == 50);
    d[0] = box(1, 0, 11, 10, 0.5f, 0);
    d[1] = box(0, 0, 10, 10, 0.5f, 0);
    CHECK(yq_nms(d, 2, &o, &n, NULL, 0) == 0 && n == 1 && d[0].x1 == 1);

    /* max_det and max_candidates. */
    for (int i = 0; i < 8; i++)
        d[i] = box(20.f * (float)i, 0, 20.f * (float)i + 10, 10, 0.1f * (float)(i + 1), 0);
    o.max_det = 3;
    CHECK(yq_nms(d, 8, &o, &n, NULL, 0) == 0 && n == 3 && fabsf(d[2].score - 0.6f) < 1e-6f);
    for (int i = 0; i < 8; i++)
        d[i] = box(20.f * (float)i, 0, 20.f * (float)i + 10, 10, 0.1f * (float)(i + 1), 0);
    o.max_det = 300;
    o.max_candidates = 5;
    CHECK(yq_nms(d, 8, &o, &n, NULL, 0) == 0 && n == 5 && fabsf(d[4].score - 0.4f) < 1e-6f);

    /* NaN scores never win; NULL arguments are refused; n = 0 is fine. */
    yq_nms_options_init(&o);
    d[0] = box(0, 0, 10, 10, NAN, 0);
    d[1] = box(0, 0, 10, 10, 0.2f, 0);
    CHECK(yq_nms(d, 2, &o, &n, NULL, 0) == 0 && n == 1 && d[0].score == 0.2f);
    char err[128] = "";
    CHECK(yq_nms(NULL, 2, &o, &n, err, sizeof err) == YQ_STATUS_INVALID_ARGUMENT && err[0]);
    CHECK(yq_nms(NULL, 0, NULL, &n, NULL, 0) == 0 && n == 0);

    /* Larger random set: result is score-ordered and no two kept same-class boxes overlap. */
    static struct yq_detection r[2000];
    for (int i = 0; i < 2000; i++) {
        float x = yq_test_uniform(0, 600), y = yq_test_uniform(0, 600);
        r[i] = box(x, y, x + yq_test_uniform(5, 80), y + yq_test_uniform(5, 80),
                   yq_test_uniform(0, 1), yq_test_randint(0, 3));
    }
    CHECK(yq_nms(r, 2000, &o, &n, NULL, 0) == 0 && n > 0 && n <= 300);
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            bad += r[i].score < r[j].score ||
                   (r[i].class_id == r[j].class_id && yq_box_iou(&r[i], &r[j]) > 0.45f);
    CHECKF(bad == 0, "%d violations", bad);
    return yq_test_finish();
}
