/* SPDX-License-Identifier: Apache-2.0 */
/* End to end: the bundled yolov5n.onnx (head cut automatically) on bus.jpg and zidane.jpg
 * must find what PyTorch finds (data/images/yolov5n-reference-detections.json: same
 * classes, boxes within 2 px, scores within 0.01) at conf 0.25, IoU 0.45, with 1 and 2
 * threads. Needs only the repository's own data. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "yoloq/media.h"
#include "yoloq/toolkit.h"

struct expect {
    int class_id;
    float score;
    float box[4];
};

/* Copied from data/images/yolov5n-reference-detections.json (PyTorch FP32, rounded boxes). */
static const struct expect bus[] = {
    {0, 0.8231f, {219, 408, 349, 863}},
    {0, 0.8158f, {52, 399, 207, 895}},
    {0, 0.6757f, {681, 377, 810, 870}},
    {5, 0.5255f, {49, 237, 810, 772}},
};
static const struct expect zidane[] = {
    {0, 0.7897f, {742, 40, 1154, 716}},
    {0, 0.3683f, {136, 181, 739, 720}},
    {27, 0.2712f, {438, 434, 504, 711}},
};

static void check_image(struct yq_detector *d, const char *file, const struct expect *ex,
                        int n_ex, bool check_boxes)
{
    char path[1024], err[512];
    struct yq_image img = {0};
    CHECKF(yq_image_load(yq_test_data(path, sizeof path, file), &img, err, sizeof err) == 0,
           "%s", err);
    if (!img.data)
        return;
    const struct yq_detection *dets;
    size_t n = 0;
    CHECKF(yq_detector_run(d, &img, &dets, &n, err, sizeof err) == 0, "%s", err);
    CHECKF((int)n == n_ex, "%s: %zu detections, expected %d", file, n, n_ex);
    for (int i = 0; i < n_ex && i < (int)n; i++) {
        printf("%s: class %d score %.4f box %.1f %.1f %.1f %.1f\n", file, dets[i].class_id,
               dets[i].score, dets[i].x1, dets[i].y1, dets[i].x2, dets[i].y2);
        CHECKF(dets[i].class_id == ex[i].class_id, "%s #%d class %d", file, i, dets[i].class_id);
        CHECKF(fabsf(dets[i].score - ex[i].score) <= 0.01f, "%s #%d score %.4f vs %.4f", file,
               i, dets[i].score, ex[i].score);
        if (check_boxes) {
            float b[4] = {dets[i].x1, dets[i].y1, dets[i].x2, dets[i].y2};
            for (int k = 0; k < 4; k++)
                CHECKF(fabsf(b[k] - ex[i].box[k]) <= 2.0f, "%s #%d box[%d] %.1f vs %.0f", file,
                       i, k, b[k], ex[i].box[k]);
        }
    }
    yq_image_free(&img);
}

int main(void)
{
    char path[1024], err[512];
    struct yq_model *m = NULL;
    enum yq_status st =
        yq_model_open(yq_test_data(path, sizeof path, "../../data/models/yolov5n.onnx"), NULL,
                      &m, err, sizeof err);
    CHECKF(st == 0, "%s", err);
    if (st)
        return yq_test_finish();
    for (int threads = 1; threads <= 2; threads++) {
        struct yq_detector_options o;
        yq_detector_options_init(&o);
        o.n_threads = threads;
        struct yq_detector *d = NULL;
        CHECKF(yq_detector_create(m, &o, &d, err, sizeof err) == 0, "%s", err);
        if (!d)
            break;
        CHECK(yq_detector_n_classes(d) == 80);
        CHECK(yq_detector_class_name(d, 5) && !strcmp(yq_detector_class_name(d, 5), "bus"));
        check_image(d, "../../data/images/bus.jpg", bus, 4, true);
        check_image(d, "../../data/images/zidane.jpg", zidane, 3, true);
        yq_detector_free(d);
    }
    yq_model_free(m);
    return yq_test_finish();
}
