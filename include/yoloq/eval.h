/* SPDX-License-Identifier: Apache-2.0 */
/* COCO bbox evaluation that reproduces pycocotools' COCOeval number for number: ground truth
 * from a COCO instances JSON or a YOLO labels/ folder, detections added one by one or read
 * from a COCO results JSON, the 12 summary stats, a per-category AP table.
 *
 *     struct yq_coco_gt *gt; struct yq_coco_dets *dets; struct yq_coco_result *res;
 *     char err[256], text[2048];
 *     if (yq_coco_gt_load_json("instances_val2017.json", &gt, err, sizeof err)) goto fail;
 *     if (yq_coco_dets_load_json("dets.json", &dets, err, sizeof err)) goto fail;
 *     if (yq_coco_evaluate(gt, dets, NULL, &res, err, sizeof err)) goto fail;
 *     yq_coco_format_summary(res, text, sizeof text);   // the 12 lines pycocotools prints
 *
 * The library never prints. Every call is safe from any thread on distinct objects; the
 * const queries may run concurrently on one object. */
#ifndef YOLOQ_EVAL_H
#define YOLOQ_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "yoloq/status.h"
#include "yoloq/yolo.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- ground truth ------------------------------------------------------------------- */

struct yq_coco_gt; /* opaque, immutable once loaded */

struct yq_coco_image {
    int64_t id;
    int width, height;     /* 0 when the JSON does not give them */
    const char *file_name; /* "" when absent; owned by the gt */
};

struct yq_coco_category {
    int64_t id;
    const char *name; /* "" when absent; owned by the gt */
};

/* Reads a COCO instances JSON. Required: top-level "images", "annotations" and "categories"
 * arrays; images[].id, categories[].id, annotations[].{id,image_id,category_id,bbox[4]}
 * (integers where ids, w and h >= 0). Optional: images[].{width,height,file_name},
 * categories[].name, annotations[].area (default w*h), annotations[].iscrowd (default 0).
 * Unknown image/category ids in annotations and duplicate ids are errors.
 * @retval YQ_STATUS_IO          file cannot be read
 * @retval YQ_STATUS_BAD_INPUT   invalid JSON or content; err names file, element and field
 * @retval YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_coco_gt_load_json(const char *path, struct yq_coco_gt **out, char *err,
                                           size_t err_cap);
/* Same from a buffer of `len` bytes; `name` is used in messages (may be NULL). */
YQ_API enum yq_status yq_coco_gt_load_json_mem(const char *json, size_t len, const char *name,
                                               struct yq_coco_gt **out, char *err,
                                               size_t err_cap);

/* Builds ground truth from YOLO labels: every .jpg/.jpeg/.png/.bmp in `images_dir` (sorted by
 * name; sizes read from the file headers) with `labels_dir/<stem>.txt` lines
 * "class cx cy w h" (normalised; a missing file means no objects). Class 0..79 maps to the
 * COCO category id through the standard 80->91 map; the 80 COCO categories are defined.
 * Image id = int(stem) when every stem is decimal digits (duplicates are an error), else the
 * 1-based index in name order. area = w*h in pixels, iscrowd = 0.
 * @retval YQ_STATUS_IO, YQ_STATUS_BAD_INPUT, YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_coco_gt_from_yolo_labels(const char *images_dir, const char *labels_dir,
                                                  struct yq_coco_gt **out, char *err,
                                                  size_t err_cap);

/* Frees; NULL is a no-op. */
YQ_API void yq_coco_gt_free(struct yq_coco_gt *gt);

/* Images sorted by id (the order pycocotools evaluates in); index < image_count. */
YQ_API size_t yq_coco_gt_image_count(const struct yq_coco_gt *gt);
YQ_API struct yq_coco_image yq_coco_gt_image(const struct yq_coco_gt *gt, size_t index);
/* Categories sorted by id. */
YQ_API size_t yq_coco_gt_category_count(const struct yq_coco_gt *gt);
YQ_API struct yq_coco_category yq_coco_gt_category(const struct yq_coco_gt *gt, size_t index);
YQ_API size_t yq_coco_gt_annotation_count(const struct yq_coco_gt *gt);
struct yq_coco_annotation {
    int64_t id, image_id, category_id;
    double bbox[4]; /* x, y, w, h */
    double area;
    bool iscrowd;
};
/* Annotations in file order; index < annotation_count (zeroed otherwise). */
YQ_API struct yq_coco_annotation yq_coco_gt_annotation(const struct yq_coco_gt *gt, size_t index);

/* Maps an image file to its id: the base name of `path` against the base name of each
 * file_name, else int(stem) if such an image id exists. Returns false if neither matches. */
YQ_API bool yq_coco_gt_find_image(const struct yq_coco_gt *gt, const char *path,
                                  int64_t *image_id);

/* The standard YOLO class index (0..79) -> COCO category id map is yq_coco80_to_91() of
 * yoloq/yolo.h. */

/* ---- detections (COCO results format) ------------------------------------------------ */

struct yq_coco_dets; /* a growing list; one thread at a time per object */

struct yq_coco_det {
    int64_t image_id, category_id;
    double bbox[4]; /* x, y, w, h in pixels */
    double score;
};

/* @retval YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_coco_dets_create(struct yq_coco_dets **out);
YQ_API void yq_coco_dets_free(struct yq_coco_dets *dets);

/* Appends one detection (its COCO result id is its 1-based position, as pycocotools' loadRes
 * assigns). Ids are not checked here but by yq_coco_evaluate.
 * @retval YQ_STATUS_INVALID_ARGUMENT  a value is NaN/inf, or w or h < 0
 * @retval YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_coco_dets_add(struct yq_coco_dets *dets, int64_t image_id,
                                       int64_t category_id, double x, double y, double w,
                                       double h, double score);
YQ_API size_t yq_coco_dets_count(const struct yq_coco_dets *dets);
/* index < count */
YQ_API struct yq_coco_det yq_coco_dets_get(const struct yq_coco_dets *dets, size_t index);

/* Reads a COCO results JSON: an array of {image_id, category_id, bbox[4], score} (other
 * fields ignored; an empty array is allowed).
 * @retval YQ_STATUS_IO, YQ_STATUS_BAD_INPUT (message names the element and field),
 *         YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_coco_dets_load_json(const char *path, struct yq_coco_dets **out,
                                             char *err, size_t err_cap);
YQ_API enum yq_status yq_coco_dets_load_json_mem(const char *json, size_t len, const char *name,
                                                 struct yq_coco_dets **out, char *err,
                                                 size_t err_cap);
/* Writes the results JSON (numbers in their shortest exact form, so reloading evaluates the
 * same). @retval YQ_STATUS_IO */
YQ_API enum yq_status yq_coco_dets_save_json(const struct yq_coco_dets *dets, const char *path,
                                             char *err, size_t err_cap);

/* ---- agreement between two results files ------------------------------------------- */

/* How well `dets` reproduces `ref` (say an INT8 model against its float original) on the
 * same images: detections scoring >= score in each are matched one to one per image, the
 * reference's most confident first, to the unmatched detection of the same category with the
 * highest IoU >= min_iou. */
struct yq_coco_agreement {
    size_t n_reference;  /* reference detections >= score */
    size_t n_detections; /* detections >= score */
    size_t n_matched;
    double f1;       /* 2 * matched / (reference + detections); 1 when both are empty */
    double mean_iou; /* over matched pairs */
};
/* Any thread. @retval YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_coco_agreement(const struct yq_coco_dets *ref,
                                        const struct yq_coco_dets *dets, double score,
                                        double min_iou, struct yq_coco_agreement *out,
                                        char *err, size_t err_cap);

/* ---- evaluation --------------------------------------------------------------------- */

struct yq_coco_eval_options {
    /* pycocotools silently skips detections whose category is not in the ground truth;
     * by default that is an error here (usually a wrong class map). true = skip. */
    bool skip_unknown_categories;
};
YQ_API void yq_coco_eval_options_init(struct yq_coco_eval_options *opt);

/* The summary stats, in pycocotools' order. -1 where undefined. */
enum yq_coco_stat {
    YQ_COCO_STAT_AP,        /* AP @[.50:.95] all, maxDets 100 */
    YQ_COCO_STAT_AP50,
    YQ_COCO_STAT_AP75,
    YQ_COCO_STAT_AP_SMALL,
    YQ_COCO_STAT_AP_MEDIUM,
    YQ_COCO_STAT_AP_LARGE,
    YQ_COCO_STAT_AR1,
    YQ_COCO_STAT_AR10,
    YQ_COCO_STAT_AR100,
    YQ_COCO_STAT_AR_SMALL,
    YQ_COCO_STAT_AR_MEDIUM,
    YQ_COCO_STAT_AR_LARGE,
    YQ_COCO_STAT_COUNT
};

struct yq_coco_class_result {
    int64_t category_id;
    char name[64];  /* truncated copy of the category name */
    size_t n_gt;    /* non-crowd ground-truth boxes */
    size_t n_dets;  /* detections of this category (before the per-image cap) */
    double ap;      /* AP @[.50:.95], area all, maxDets 100; -1 if no non-crowd gt */
    double ap50, ap75;
    double ar100;   /* AR @[.50:.95] maxDets 100 */
};

struct yq_coco_result {
    double stats[YQ_COCO_STAT_COUNT];
    size_t n_images, n_dets_used; /* dets_used: after skipping unknown categories */
    size_t n_classes;             /* every GT category, sorted by id */
    struct yq_coco_class_result *classes;
};

/* Evaluates bbox detections exactly as COCOeval(gt, gt.loadRes(dets), 'bbox') with default
 * params (all GT images and categories, IoU .50:.05:.95, 101 recall points, maxDets 1/10/100,
 * areas all/small/medium/large) then evaluate(), accumulate(), summarize().
 * `opt` may be NULL (defaults). *out is self-contained (outlives gt and dets).
 * @retval YQ_STATUS_BAD_INPUT  a detection names an image (or category) not in gt
 * @retval YQ_STATUS_INVALID_ARGUMENT, YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_coco_evaluate(const struct yq_coco_gt *gt,
                                       const struct yq_coco_dets *dets,
                                       const struct yq_coco_eval_options *opt,
                                       struct yq_coco_result **out, char *err, size_t err_cap);
YQ_API void yq_coco_result_free(struct yq_coco_result *res);

/* The 12 lines pycocotools' summarize() prints, '\n'-terminated, e.g.
 * " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.338".
 * Writes at most cap bytes (NUL-terminated if cap > 0); returns the length it needs
 * (excluding the NUL), like snprintf. */
YQ_API size_t yq_coco_format_summary(const struct yq_coco_result *res, char *buf, size_t cap);
/* A per-category table: "category_id name n_gt AP AP50 AP75", one line per category with
 * ground truth, then the mean. Same buffer contract. */
YQ_API size_t yq_coco_format_per_class(const struct yq_coco_result *res, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
