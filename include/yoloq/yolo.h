/* SPDX-License-Identifier: Apache-2.0 */
/* YOLO pre- and post-processing: letterbox (OpenCV-faithful resampling), head decoders
 * (YOLOv5/v7 anchors, YOLOv8/v11 DFL, YOLOX, FastestDet, stock decoded outputs), class-aware
 * NMS like yolov5 v7.0, and parsers for export metadata. No third-party dependency.
 *
 *     struct yq_letterbox_options lo;
 *     yq_letterbox_options_init(&lo, YQ_LETTERBOX_CENTER);
 *     struct yq_letterbox_info li;
 *     yq_letterbox(&img, 640, 640, &lo, input, 640 * 640 * 3, &li, err, sizeof err);
 *     ... run the model: outs[0..2] = the three head tensors ...
 *     struct yq_head head;
 *     yq_head_init(&head, YQ_HEAD_V5_ANCHORS);
 *     size_t cap = yq_head_max_candidates(&head, outs, 3), n;
 *     struct yq_detection *d = malloc(cap * sizeof *d);
 *     yq_decode(&head, outs, 3, 0.25f, d, cap, &n, err, sizeof err);
 *     struct yq_nms_options no;
 *     yq_nms_options_init(&no);
 *     yq_nms(d, n, &no, &n, err, sizeof err);
 *     yq_letterbox_unmap(&li, d, n);      // boxes now in original-image pixels, clipped
 *
 * All functions are pure with respect to their arguments: any thread, as long as two
 * threads do not write the same buffers.
 */
#ifndef YOLOQ_YOLO_H
#define YOLOQ_YOLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "yoloq/image.h"
#include "yoloq/runtime.h"
#include "yoloq/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- resampling and letterbox ---------------------------------------------------------- */

/* Interpolation, bit-compatible with OpenCV 4.x cv2.resize on 8-bit images (x86 SSE2 / NEON
 * build, no IPP): LINEAR = INTER_LINEAR (11-bit fixed-point weights, half-pixel centres,
 * clamped edges), AREA = INTER_AREA (exact area averaging when downscaling, OpenCV's
 * area-weighted linear when upscaling). */
enum yq_resize { YQ_RESIZE_LINEAR, YQ_RESIZE_AREA, YQ_RESIZE_COUNT };

/* Resizes an interleaved 8-bit image with `cn` channels (1..4). Strides are in bytes.
 * Allocates a small scratch (O(dw + dh + dw*cn) ints) internally.
 * @retval YQ_STATUS_INVALID_ARGUMENT  NULL pointers, sizes < 1 or > 65535, stride too small
 * @retval YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_resize_u8(const uint8_t *src, int sw, int sh, size_t src_stride,
                                   uint8_t *dst, int dw, int dh, size_t dst_stride, int cn,
                                   enum yq_resize interp);

enum yq_letterbox {
    /* YOLOv5/v8: r = min(H/h, W/w), resize to (round(w*r), round(h*r)), centred,
     * top = round(dh/2 - 0.1), left = round(dw/2 - 0.1) (Python round: half to even). */
    YQ_LETTERBOX_CENTER,
    /* YOLOX: resize to (int(w*r), int(h*r)), image at the top-left, pad right/bottom. */
    YQ_LETTERBOX_TOPLEFT,
    /* FastestDet: plain resize to W x H, aspect not kept, no padding. */
    YQ_LETTERBOX_STRETCH,
    YQ_LETTERBOX_COUNT
};

struct yq_letterbox_options {
    enum yq_letterbox mode;
    enum yq_resize interp; /* default LINEAR for CENTER/TOPLEFT, AREA for STRETCH */
    bool bgr;              /* write B,G,R instead of R,G,B (YOLOX, FastestDet); default false */
    uint8_t pad_value;     /* default 114 */
};

/* Fills defaults for `mode` (see the fields). */
YQ_API void yq_letterbox_options_init(struct yq_letterbox_options *o, enum yq_letterbox mode);

/* Geometry of one letterbox. A point (u, v) in model-input pixels maps to original pixels
 * x = (u - pad_left) / scale_x, y = (v - pad_top) / scale_y. scale_* are the scales actually
 * applied (resized_w / src_w, resized_h / src_h), pad_* the integer placement. */
struct yq_letterbox_info {
    int src_w, src_h;         /* original image */
    int dst_w, dst_h;         /* model input */
    int resized_w, resized_h; /* the resized image inside the input */
    int pad_left, pad_top;    /* where it sits; right/bottom = the rest */
    float scale_x, scale_y;
};

/* Computes the geometry only (no pixels).
 * @retval YQ_STATUS_INVALID_ARGUMENT  sizes < 1 or > 65535, bad mode */
YQ_API enum yq_status yq_letterbox_plan(int src_w, int src_h, int dst_w, int dst_h,
                                        enum yq_letterbox mode, struct yq_letterbox_info *info,
                                        char *err, size_t err_cap);

/* Letterboxes `src` (RGB) into `dst`, a uint8 NHWC (HWC, 3 channels, rows dst_w*3 bytes)
 * buffer of dst_size >= dst_w*dst_h*3 bytes; fills *info when not NULL. opt NULL = CENTER.
 * @retval YQ_STATUS_INVALID_ARGUMENT  bad sizes, dst too small, NULL pointers
 * @retval YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_letterbox(const struct yq_image *src, int dst_w, int dst_h,
                                   const struct yq_letterbox_options *opt, uint8_t *dst,
                                   size_t dst_size, struct yq_letterbox_info *info, char *err,
                                   size_t err_cap);

/* ---- detections and head decoders ------------------------------------------------------- */

struct yq_detection {
    float x1, y1, x2, y2; /* corners, pixels */
    float score;
    int class_id;
};

/* Maps boxes from model-input pixels to original-image pixels and clips them to
 * [0, src_w] x [0, src_h] (yolov5 scale_boxes + clip_boxes). */
YQ_API void yq_letterbox_unmap(const struct yq_letterbox_info *info, struct yq_detection *dets,
                               size_t n);

/* Memory order of a 4-D head tensor: enum yq_layout of runtime.h (NCHW or NHWC, the
 * engine's channel-contiguous order). */

/* A float tensor as produced by the engine. `dims` are as stored in memory: for a 4-D
 * tensor [n,c,h,w] when layout is NCHW and [n,h,w,c] when NHWC; 3-D tensors ([1,N,K] or
 * [1,K,N]) ignore `layout`. n must be 1. The data is not owned. */
struct yq_tensor_view {
    const float *data;
    int n_dims; /* 3 or 4 */
    int dims[4];
    enum yq_layout layout;
};

enum yq_head_kind {
    /* YOLOv5/v7 raw heads: one 4-D tensor per level, c = a*(5+nc) + k,
     * k = [tx,ty,tw,th,obj,cls...]; logits unless apply_sigmoid is false. */
    YQ_HEAD_V5_ANCHORS,
    /* YOLOv8/v11 raw heads: per level 4*reg_max DFL logits (side*reg_max + bin, sides
     * l,t,r,b) then nc class logits (sigmoid applied by the decoder). */
    YQ_HEAD_V8_DFL,
    /* YOLOX: per level a 4-D (5+nc) tensor [x,y,w,h,obj,cls...], or the whole undecoded
     * output [1, sum(h*w), 5+nc] (levels walked in stride order, row = y*w + x).
     * obj/cls already sigmoid unless apply_sigmoid. */
    YQ_HEAD_YOLOX,
    /* FastestDet: one [1,5+nc,H,W] tensor, per cell [obj,tx,ty,tw,th,cls...];
     * score = obj^0.6 * max(cls)^0.4; boxes normalised, scaled to input_w x input_h. */
    YQ_HEAD_FASTESTDET,
    /* Stock YOLOv5 export: [1, N, 5+nc] rows [cx,cy,w,h,obj,cls...] (already sigmoid). */
    YQ_HEAD_V5_DECODED,
    /* Stock YOLOv8 export: [1, 4+nc, N] channel-major [cx,cy,w,h,cls...]. */
    YQ_HEAD_V8_DECODED,
    YQ_HEAD_COUNT
};

#define YQ_HEAD_MAX_LEVELS 8
#define YQ_HEAD_MAX_ANCHORS 8

struct yq_head {
    enum yq_head_kind kind;
    int n_classes;        /* default 80 */
    int input_w, input_h; /* model input in pixels: default 640 (416 YOLOX, 352 FastestDet) */
    int n_levels;         /* default 3 */
    int strides[YQ_HEAD_MAX_LEVELS];                           /* default 8, 16, 32 */
    int n_anchors;                                             /* V5: per level, default 3 */
    float anchors[YQ_HEAD_MAX_LEVELS][YQ_HEAD_MAX_ANCHORS][2]; /* V5: w,h in input pixels */
    int reg_max;                                               /* V8: default 16 */
    bool apply_sigmoid; /* V5: true (raw logits); YOLOX: false (already sigmoid) */
    /* One candidate per class whose score passes conf (YOLOv5 val.py / Ultralytics
     * validator, the mAP convention) instead of the best class only (detect.py); default
     * false. */
    bool multi_label;
};

/* Defaults for `kind` (COCO yolov5 anchors, strides 8/16/32, 80 classes, sizes as above). */
YQ_API void yq_head_init(struct yq_head *head, enum yq_head_kind kind);

/* Largest number of candidates yq_decode can produce for these tensors: one per anchor/cell
 * (only the best class is kept, like yolov5 multi_label=False), times n_classes with
 * head->multi_label; 0 if the tensors do not match the head. */
YQ_API size_t yq_head_max_candidates(const struct yq_head *head, const struct yq_tensor_view *outs,
                                     int n_outs);

/* Decodes head outputs into candidates in model-input pixels, in tensor order (level, anchor,
 * y, x for raw heads; row order for decoded ones). Keeps the best class of each cell when
 * score > conf (V5/YOLOX: also obj > conf; score = obj*cls); with head->multi_label (and
 * n_classes > 1) every class with score > conf, in class order within the cell. Levels are matched to
 * head->strides by grid size (input / stride), so outs may come in any order.
 * @retval YQ_STATUS_INVALID_ARGUMENT  shapes do not match the head (message says which),
 *                                     or cap < yq_head_max_candidates */
YQ_API enum yq_status yq_decode(const struct yq_head *head, const struct yq_tensor_view *outs,
                                int n_outs, float conf, struct yq_detection *cands, size_t cap,
                                size_t *n_cands, char *err, size_t err_cap);

/* Decodes raw heads into the dense tensor the stock decoded model outputs, for comparing
 * with it: V5_ANCHORS -> [1, N, 5+nc] rows [cx,cy,w,h,obj,cls...] sigmoid applied, rows in
 * level order (P3, P4, P5), row = (a*ny + y)*nx + x within a level; V8_DFL -> [1, 4+nc, N]
 * channel-major, N in level order, y*nx + x. dense_len is in floats.
 * @retval YQ_STATUS_INVALID_ARGUMENT  shapes, dense_len too small
 * @retval YQ_STATUS_UNSUPPORTED       other head kinds */
YQ_API enum yq_status yq_decode_dense(const struct yq_head *head, const struct yq_tensor_view *outs,
                                      int n_outs, float *dense, size_t dense_len, size_t *n_rows,
                                      char *err, size_t err_cap);

/* ---- NMS --------------------------------------------------------------------------------- */

struct yq_nms_options {
    float iou_threshold;   /* suppress when IoU > this; default 0.45 */
    size_t max_det;        /* default 300 */
    size_t max_candidates; /* only the best this many enter NMS; default 30000 */
    bool class_agnostic;   /* default false: boxes only suppress boxes of their own class */
};

YQ_API void yq_nms_options_init(struct yq_nms_options *o);

/* Greedy NMS in place, yolov5 v7.0 / torchvision semantics: stable sort by score
 * descending (ties keep input order), truncate to max_candidates, keep a box unless it
 * overlaps (IoU > threshold) an already-kept box of the same class, stop at max_det.
 * Kept boxes end up at the front of dets in score order; *n_keep their count.
 * Allocates O(n) scratch.
 * @retval YQ_STATUS_INVALID_ARGUMENT, YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_nms(struct yq_detection *dets, size_t n, const struct yq_nms_options *o,
                             size_t *n_keep, char *err, size_t err_cap);

/* IoU of two boxes (torchvision box_iou; 0 when the union is empty). */
YQ_API float yq_box_iou(const struct yq_detection *a, const struct yq_detection *b);

/* ---- metadata ---------------------------------------------------------------------------- */

#define YQ_NAMES_MAX 100000

/* Parses the `names` metadata of YOLOv5/v8 exports, a Python dict literal such as
 * "{0: 'person', 1: \"dog's toy\"}" (or a list "['a', 'b']"). Keys must be distinct ints
 * covering 0..n-1 (any order), n <= YQ_NAMES_MAX. Python escapes \\ \' \" \n \r \t \xHH are
 * decoded. On success *names is an array of n NUL-terminated UTF-8 strings; free it with
 * yq_names_free. On failure *names = NULL, *n = 0.
 * @retval YQ_STATUS_BAD_INPUT  malformed (message gives the byte offset)
 * @retval YQ_STATUS_INVALID_ARGUMENT, YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_names_parse(const char *text, size_t len, char ***names, int *n, char *err,
                                     size_t err_cap);
YQ_API void yq_names_free(char **names, int n);

/* Parses an int or a list of ints: "32", "[640, 640]", "(8, 16, 32)", "[]". Values must
 * be in 0..INT_MAX; at most cap of them.
 * @retval YQ_STATUS_BAD_INPUT  malformed, too many values, out of range */
YQ_API enum yq_status yq_meta_parse_ints(const char *text, size_t len, int *vals, int cap, int *n,
                                         char *err, size_t err_cap);

/* COCO category id (1..90, the 91-id scheme) of contiguous class 0..79; -1 if out of range. */
YQ_API int yq_coco80_to_91(int class_id);

#ifdef __cplusplus
}
#endif
#endif
