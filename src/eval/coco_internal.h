/* SPDX-License-Identifier: Apache-2.0 */
/* The layouts shared by the COCO readers (coco_gt.c, coco_dets.c, yolo_labels.c) and the
 * evaluator (cocoeval.c), plus the small JSON/file helpers they all use. */
#ifndef YQ_EVAL_COCO_INTERNAL_H
#define YQ_EVAL_COCO_INTERNAL_H

#include "core/core.h"
#include "yoloq/eval.h"

struct yq__coco_img {
    int64_t id;
    int width, height;
    char *file_name;
};

struct yq__coco_cat {
    int64_t id;
    char *name;
};

struct yq__coco_ann {
    int64_t id;
    size_t img, cat; /* indexes into the sorted images / categories */
    double bbox[4];
    double area;
    int iscrowd;
};

struct yq_coco_gt {
    size_t n_images, n_cats, n_anns;
    struct yq__coco_img *images; /* sorted by id, unique */
    struct yq__coco_cat *cats;   /* sorted by id, unique */
    struct yq__coco_ann *anns;   /* file order (pycocotools keeps it within an image) */
};

struct yq_coco_dets {
    size_t n, cap;
    struct yq_coco_det *v;
    char *source; /* file name for messages, or NULL */
};

/* IoU of two [x, y, w, h] boxes as maskApi.c's bbIou: with crowd, the union is the
 * detection d's own area. */
double yq__coco_bbox_iou(const double *d, const double *g, int crowd);

/* Index of `id` in the sorted images/categories, or SIZE_MAX. */
size_t yq__coco_find_img(const struct yq_coco_gt *gt, int64_t id);
size_t yq__coco_find_cat(const struct yq_coco_gt *gt, int64_t id);

/* Sorts images and categories by id, rejects duplicates, resolves the annotations' raw ids
 * (stored in ann->img / ann->cat as int64 bit patterns by the reader) into indexes, and
 * rejects duplicate annotation ids. `name` prefixes messages. */
enum yq_status yq__coco_gt_finish(struct yq_coco_gt *gt, const int64_t *ann_img_ids,
                                  const int64_t *ann_cat_ids, const char *name,
                                  struct yq__err *e);

/* JSON field readers: 0 ok, 1 missing, 2 wrong type/value. Integers must be integral
 * numbers within +-2^53; a bbox is 4 finite numbers with w, h >= 0. */
struct cJSON;
int yq__json_int(const struct cJSON *obj, const char *key, int64_t *out);
int yq__json_num(const struct cJSON *obj, const char *key, double *out);
int yq__json_bbox(const struct cJSON *obj, const char *key, double bbox[4]);
/* Parses `len` bytes; on failure formats "<name>: invalid JSON at line L column C". */
enum yq_status yq__json_parse(const char *data, size_t len, const char *name,
                              struct cJSON **root, struct yq__err *e);

/* Image size from a JPEG/PNG/BMP header. */
enum yq_status yq__image_size(const char *path, int *width, int *height, struct yq__err *e);

#endif
