/* SPDX-License-Identifier: Apache-2.0 */
/* Ground truth from YOLO labels: image sizes from JPEG/PNG/BMP headers, the 80->91 map,
 * pixel boxes, bad label lines; and on the shared 128-image COCO set, the conversion agrees
 * with annotations.json (boxes to its 0.01 rounding) and GT-as-detections scores AP 1. */
#include "harness.h"
#include "yoloq/eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_file(const char *dir, const char *name, const void *data, size_t n)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

static void test_synthetic(void)
{
    char root[] = "/tmp/yq_eval_yolo_XXXXXX";
    if (!mkdtemp(root)) {
        SKIP("mkdtemp failed");
        return;
    }
    char img[600], lab[600], err[256];
    snprintf(img, sizeof img, "%s/images", root);
    snprintf(lab, sizeof lab, "%s/labels", root);
    mkdir(img, 0755);
    mkdir(lab, 0755);
    /* JPEG: SOI, an APP0 segment to skip, SOF0 with height 480, width 640 */
    const unsigned char jpg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, 'J', 'F', 'I', 'F',
                                 0xFF, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80,
                                 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    /* PNG: signature + IHDR 100 x 50 */
    const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13,
                                 'I',  'H', 'D', 'R', 0,    0,    0,    100,  0, 0, 0, 50,
                                 8,    2,   0,   0,   0};
    unsigned char bmp[54] = {'B', 'M'};
    bmp[18] = 20;   /* width 20 */
    bmp[22] = 0xF6; /* height -10: top-down */
    bmp[23] = bmp[24] = bmp[25] = 0xFF;
    write_file(img, "000000000007.jpg", jpg, sizeof jpg);
    write_file(img, "000000000003.png", png, sizeof png);
    write_file(img, "000000000005.BMP", bmp, sizeof bmp);
    write_file(img, "notes.txt", "x", 1);
    const char *l7 = "0 0.5 0.5 0.25 0.5\n\n56 0.1 0.2 0.1 0.1\r\n";
    write_file(lab, "000000000007.txt", l7, strlen(l7));
    const char *l3 = "79 0.5 0.5 1 1";
    write_file(lab, "000000000003.txt", l3, strlen(l3));
    /* no label file for image 5: an image without objects */

    struct yq_coco_gt *gt = NULL;
    CHECKF(yq_coco_gt_from_yolo_labels(img, lab, &gt, err, sizeof err) == 0, "%s", err);
    CHECK(yq_coco_gt_image_count(gt) == 3 && yq_coco_gt_category_count(gt) == 80 &&
          yq_coco_gt_annotation_count(gt) == 3);
    struct yq_coco_image a = yq_coco_gt_image(gt, 0), b = yq_coco_gt_image(gt, 1),
                         c = yq_coco_gt_image(gt, 2);
    CHECK(a.id == 3 && a.width == 100 && a.height == 50);
    CHECK(b.id == 5 && b.width == 20 && b.height == 10);
    CHECK(c.id == 7 && c.width == 640 && c.height == 480 && !strcmp(c.file_name, "000000000007.jpg"));
    CHECK(yq_coco_gt_category(gt, 79).id == 90 &&
          !strcmp(yq_coco_gt_category(gt, 79).name, "toothbrush"));
    /* detections equal to the converted boxes: person [240,120,160,240] and chair (56 -> 62)
     * [32,72,64,48] on image 7, toothbrush [0,0,100,50] on image 3 -> AP 1 */
    struct yq_coco_dets *d = NULL;
    struct yq_coco_result *r = NULL;
    CHECK(yq_coco_dets_create(&d) == 0);
    yq_coco_dets_add(d, 7, 1, 240, 120, 160, 240, 0.9);
    yq_coco_dets_add(d, 7, 62, 32, 72, 64, 48, 0.9);
    yq_coco_dets_add(d, 3, 90, 0, 0, 100, 50, 0.9);
    CHECKF(yq_coco_evaluate(gt, d, NULL, &r, err, sizeof err) == 0, "%s", err);
    CHECK(r && fabs(r->stats[0] - 1) < 1e-12 && r->classes[0].n_gt == 1);
    yq_coco_result_free(r);
    yq_coco_dets_free(d);
    yq_coco_gt_free(gt);

    const char *bad[][2] = {{"80 0.5 0.5 0.1 0.1\n", "class 80"},
                            {"0 0.5 0.5 0.1\n", "expected 5 numbers"},
                            {"0 0.5 0.5 0.1 0.1 0.3\n", "expected 5 numbers"},
                            {"0 0.5 x 0.1 0.1\n", "expected 5 numbers"},
                            {"0 0.5 0.5 -0.1 0.1\n", "negative"},
                            {"1.5 0.5 0.5 0.1 0.1\n", "class 1.5"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(lab, "000000000003.txt", bad[i][0], strlen(bad[i][0]));
        gt = (struct yq_coco_gt *)1;
        enum yq_status st = yq_coco_gt_from_yolo_labels(img, lab, &gt, err, sizeof err);
        CHECKF(st == YQ_STATUS_BAD_INPUT && gt == NULL && strstr(err, bad[i][1]) &&
                   strstr(err, "000000000003.txt:1"),
               "%s -> %s", bad[i][0], err);
    }
    write_file(lab, "000000000003.txt", "", 0);
    write_file(img, "000000000009.jpg", "\xFF\xD8\xFF\xD9", 4); /* no frame header */
    CHECK(yq_coco_gt_from_yolo_labels(img, lab, &gt, err, sizeof err) == YQ_STATUS_BAD_INPUT &&
          strstr(err, "000000000009.jpg: cannot read the image size"));
    write_file(img, "000000000009.jpg", "GIF89a", 6);
    CHECK(yq_coco_gt_from_yolo_labels(img, lab, &gt, err, sizeof err) == YQ_STATUS_BAD_INPUT &&
          strstr(err, "not a JPEG, PNG or BMP"));
    CHECK(yq_coco_gt_from_yolo_labels("/nonexistent", lab, &gt, err, sizeof err) == YQ_STATUS_IO);
    /* truncated JPEGs at every length: an error, never a crash */
    for (size_t n = 2; n < sizeof jpg; n++) {
        write_file(img, "000000000009.jpg", jpg, n);
        CHECK(yq_coco_gt_from_yolo_labels(img, lab, &gt, err, sizeof err) != YQ_STATUS_OK ||
              n >= 20);
        yq_coco_gt_free(gt);
        gt = NULL;
    }
    const char *files[] = {"images/000000000007.jpg", "images/000000000003.png",
                           "images/000000000005.BMP", "images/notes.txt",
                           "images/000000000009.jpg", "labels/000000000007.txt",
                           "labels/000000000003.txt"};
    char p[700];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", root, files[i]);
        unlink(p);
    }
    rmdir(img);
    rmdir(lab);
    rmdir(root);
}

static void test_shared_coco(void)
{
    char ann[512], img[512], lab[512], err[256];
    if (!yq_test_shared(ann, sizeof ann, "coco/annotations.json") ||
        !yq_test_shared(img, sizeof img, "coco/images") ||
        !yq_test_shared(lab, sizeof lab, "coco/labels")) {
        SKIP("shared COCO data absent");
        return;
    }
    struct yq_coco_gt *js = NULL, *yo = NULL;
    CHECKF(yq_coco_gt_load_json(ann, &js, err, sizeof err) == 0, "%s", err);
    CHECKF(yq_coco_gt_from_yolo_labels(img, lab, &yo, err, sizeof err) == 0, "%s", err);
    if (!js || !yo)
        goto done;
    CHECK(yq_coco_gt_image_count(js) == 128 && yq_coco_gt_image_count(yo) == 128);
    CHECK(yq_coco_gt_annotation_count(js) == 898 && yq_coco_gt_annotation_count(yo) == 898);
    for (size_t i = 0; i < 128; i++) {
        struct yq_coco_image a = yq_coco_gt_image(js, i), b = yq_coco_gt_image(yo, i);
        CHECKF(a.id == b.id && a.width == b.width && a.height == b.height,
               "image %lld: %dx%d vs header %dx%d", (long long)a.id, a.width, a.height, b.width,
               b.height);
        int64_t id;
        CHECK(yq_coco_gt_find_image(js, b.file_name, &id) && id == a.id);
    }
    /* The labels' boxes as detections against annotations.json (equal to its 0.01 px
     * rounding): every IoU >= .9999 -> AP 1 (prints 1.000); no detections -> AP 0. */
    struct yq_coco_dets *d = NULL;
    struct yq_coco_result *r = NULL;
    CHECK(yq_coco_dets_create(&d) == 0);
    for (size_t i = 0; i < yq_coco_gt_annotation_count(js); i++) {
        struct yq_coco_annotation x = yq_coco_gt_annotation(js, i), y = yq_coco_gt_annotation(yo, i);
        CHECK(x.image_id == y.image_id && x.category_id == y.category_id &&
              fabs(x.bbox[0] - y.bbox[0]) < 0.006 && fabs(x.bbox[2] - y.bbox[2]) < 0.006 &&
              fabs(x.bbox[1] - y.bbox[1]) < 0.006 && fabs(x.bbox[3] - y.bbox[3]) < 0.006);
        CHECK(yq_coco_dets_add(d, y.image_id, y.category_id, y.bbox[0], y.bbox[1], y.bbox[2],
                               y.bbox[3], yq_test_uniform(0.1f, 1)) == 0);
    }
    CHECKF(yq_coco_evaluate(js, d, NULL, &r, err, sizeof err) == 0, "%s", err);
    CHECKF(r && r->stats[0] > 0.9999 && r->stats[YQ_COCO_STAT_AR100] > 0.9999, "AP %f",
           r ? r->stats[0] : -2);
    yq_coco_result_free(r);
    yq_coco_dets_free(d);
    CHECK(yq_coco_dets_create(&d) == 0);
    CHECKF(yq_coco_evaluate(js, d, NULL, &r, err, sizeof err) == 0, "%s", err);
    CHECK(r && r->stats[0] == 0 && r->stats[YQ_COCO_STAT_AR100] == 0 && r->n_classes == 80);
    yq_coco_result_free(r);
    yq_coco_dets_free(d);
done:
    yq_coco_gt_free(js);
    yq_coco_gt_free(yo);
}

int main(void)
{
    test_synthetic();
    test_shared_coco();
    return yq_test_finish();
}
