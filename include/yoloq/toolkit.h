/* SPDX-License-Identifier: Apache-2.0 */
/* The yoloq toolkit API: open a model from ONNX (import, graph passes, automatic YOLO head
 * cut) or .yqm, and a detector that turns an image into detections (letterbox, run, decode,
 * NMS, boxes in original pixels).
 *
 *     struct yq_model *m;  struct yq_detector *d;  char err[256];
 *     if (yq_model_open("yolov5n.onnx", NULL, &m, err, sizeof err)) die(err);
 *     struct yq_detector_options o;  yq_detector_options_init(&o);
 *     if (yq_detector_create(m, &o, &d, err, sizeof err)) die(err);
 *     const struct yq_detection *dets;  size_t n;
 *     yq_detector_run(d, &image, &dets, &n, err, sizeof err);
 *     yq_detector_free(d);  yq_model_free(m);
 */
#ifndef YOLOQ_TOOLKIT_H
#define YOLOQ_TOOLKIT_H

#include "yoloq/image.h"
#include "yoloq/runtime.h"
#include "yoloq/yolo.h"

#ifdef __cplusplus
extern "C" {
#endif

enum yq_channel_order {
    YQ_CHANNEL_ORDER_DEFAULT = 0, /* from the head type: RGB for YOLOv5/v8, BGR for YOLOX/FastestDet */
    YQ_CHANNEL_ORDER_RGB,
    YQ_CHANNEL_ORDER_BGR,
};

struct yq_import_options {
    /* Comma-separated tensor names to cut the graph at (RKNN's load_onnx(outputs=...));
     * NULL = automatic head recognition; "none" = keep the export's own outputs. */
    const char *outputs;
    enum yq_channel_order channel_order;
    bool has_mean, has_std;
    float mean[3], std[3]; /* input = (pixel - mean) / std; default by head type */
    /* Sidecar JSON with class names / anchors / strides ("class_names" or "names",
     * "anchors_flat", "strides"); NULL = "<model stem>.json" if it exists. */
    const char *sidecar;
    /* Key of an encrypted .yqm (32 bytes, yoloq/seal.h), or NULL; borrowed for the call. */
    const uint8_t *key;
    size_t key_len;
};
YQ_API void yq_import_options_init(struct yq_import_options *o);

/* A host tensor in ONNX layout (row-major, dims as ONNX states them) and ONNX element
 * type (TensorProto.DataType: 1 FLOAT, 2 UINT8, 3 INT8, 4 UINT16, 5 INT16, 6 INT32,
 * 7 INT64, 9 BOOL, 10 FLOAT16, 11 DOUBLE). `data` is owned by whoever filled it. */
struct yq_array {
    int elem_type;
    int n_dims;
    int64_t dims[YQ_MAX_DIMS];
    void *data;
    size_t size_bytes;
};
/* Reads a tensor from an ONNX TensorProto file (.pb) or a .npy file (v1-3, C order; f4, f8,
 * f2, i1/i2/i4/i8, u1/u2, b1). Free with yq_array_clear. Any thread.
 * @retval YQ_STATUS_IO, YQ_STATUS_BAD_INPUT, YQ_STATUS_UNSUPPORTED, YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_array_load(const char *path, struct yq_array *out, char *err,
                                    size_t err_cap);
/* Writes a as a .npy (v1) file. @retval YQ_STATUS_IO, YQ_STATUS_UNSUPPORTED elem_type */
YQ_API enum yq_status yq_array_save_npy(const char *path, const struct yq_array *a, char *err,
                                        size_t err_cap);
/* Frees a's data (from yq_array_load or yq_onnx_run) and zeroes it. NULL is a no-op. */
YQ_API void yq_array_clear(struct yq_array *a);
/* Clears each of the n arrays and frees the array itself (yq_onnx_run's outputs). */
YQ_API void yq_array_list_free(struct yq_array *a, int n);

/* Runs an ONNX graph as it is (no head cut) on n_inputs tensors given in graph-input order
 * (RKNN's inference() on arbitrary tensors). A supplied input an operator needs constant (a
 * Conv weight, a Reshape shape, Resize scales, Pad pads, Slice starts...) is bound as a
 * constant before shape inference (RKNN's input_initial_val); the others are fed at run
 * time (float inputs only). On success *outputs is an array of *n_outputs arrays (each
 * graph output in ONNX layout and declared element type, float32 for FLOAT16; free them
 * with yq_array_list_free(*outputs, *n_outputs)). n_threads <= 1 runs serially. Any thread.
 * @retval YQ_STATUS_IO, YQ_STATUS_BAD_MODEL, YQ_STATUS_UNSUPPORTED (an operator, attribute
 *         or case the importer refuses), YQ_STATUS_INVALID_ARGUMENT (inputs do not fit) */
YQ_API enum yq_status yq_onnx_run(const char *model_path, int n_inputs,
                                  const struct yq_array *inputs, int n_threads, int *n_outputs,
                                  struct yq_array **outputs, char *err, size_t err_cap);

/* Imports an ONNX file into a runnable model. Any thread.
 * @retval YQ_STATUS_IO, YQ_STATUS_BAD_MODEL, YQ_STATUS_UNSUPPORTED, YQ_STATUS_INVALID_ARGUMENT */
YQ_API enum yq_status yq_model_load_onnx(const char *path, const struct yq_import_options *o,
                                         struct yq_model **out, char *err, size_t err_cap);
/* Opens .onnx (as above) or .yqm (yq_model_load_file), told apart by content. */
YQ_API enum yq_status yq_model_open(const char *path, const struct yq_import_options *o,
                                    struct yq_model **out, char *err, size_t err_cap);

/* ---- Building a deployable model: calibration and INT8 quantization ------------------- */

enum yq_quant_algorithm {
    YQ_QUANT_NORMAL = 0, /* min/max of the calibration activations (RKNN "normal") */
    YQ_QUANT_PERCENTILE, /* clip each tail at `percentile` */
    YQ_QUANT_KL,         /* TensorRT's entropy calibration */
    YQ_QUANT_MMSE,       /* minimum quantize->dequantize mean squared error */
};

enum yq_quant_method {
    YQ_QUANT_PER_CHANNEL = 0, /* weight scales per output channel (default) */
    YQ_QUANT_PER_LAYER,       /* one weight scale per layer */
};

struct yq_build_options {
    struct yq_import_options import; /* outputs, preprocessing, sidecar */
    bool quantize;                   /* false: a float model (RKNN do_quantization=False) */
    /* Calibration list: one sample per line (blank lines and '#' comments skipped), paths
     * relative to the list's folder: an image (letterboxed like `detect`), a .npy tensor
     * (float32 in the ONNX input's NCHW shape, or uint8 NHWC pixels), or a raw file of
     * exactly that many float32 (NCHW) or uint8 (NHWC) values. */
    const char *dataset;
    int max_samples;                 /* use at most this many lines; 0 = all */
    enum yq_quant_algorithm algorithm; /* default MMSE (keeps the most accuracy) */
    double percentile;               /* PERCENTILE: default 99.99 */
    enum yq_quant_method method;
    bool act_float;    /* fused activations of int8 Conv in fp32 instead of lookup tables */
    bool int8_outputs; /* head outputs stay int8 (scale/zero point) instead of float */
    int n_threads;     /* calibration threads; default 1 */
    /* Progress while calibrating: pass 1..n_passes, samples done of total. */
    void (*progress)(void *ctx, int pass, int n_passes, int done, int total);
    void *progress_ctx;
};
YQ_API void yq_build_options_init(struct yq_build_options *o);

struct yq_build_report {
    int n_samples;     /* calibration samples used */
    int n_quantized;   /* operators running in int8 */
    int n_float;       /* operators left in float */
    int n_tensors_s8;  /* int8 activation tensors */
    int n_boundaries;  /* quantize/dequantize steps between int8 and float parts */
    int n_nonfinite;   /* tensors where calibration saw NaN/Inf (left float) */
    double calib_seconds;
    char *kept;        /* "node (Op): reason" lines of operators left in float, or NULL */
    /* What quantization cost, measured on the first calibration sample: cosine similarity
     * of each graph output (dequantized) with the float model's, up to 8 outputs. */
    int n_outputs;
    double output_cosine[8];
};
YQ_API void yq_build_report_free(struct yq_build_report *r);

/* ONNX -> deployable model: import, cut the head, then (quantize) calibrate over the
 * dataset and convert to int8 per the options. Save it with yq_model_save_file. r may be
 * NULL. Any thread.
 * @retval YQ_STATUS_IO, YQ_STATUS_BAD_MODEL, YQ_STATUS_UNSUPPORTED, YQ_STATUS_BAD_INPUT (a
 *         dataset entry that cannot be read or has the wrong size), YQ_STATUS_INVALID_ARGUMENT */
YQ_API enum yq_status yq_model_build(const char *onnx_path, const struct yq_build_options *o,
                                     struct yq_model **out, struct yq_build_report *r,
                                     char *err, size_t err_cap);

/* Accuracy analysis (RKNN's accuracy_analysis): the float model and a quantized (plain or
 * mixed) model of the same ONNX file run on the same samples; for every tensor of the
 * quantized graph, how far it is from the float graph's tensor of the same name:
 * "entire" (the quantized graph run end to end: error accumulated layer by layer) and
 * "single" (that operator alone, fed the float model's values quantized with its input
 * parameters: its own error). Cosine similarity and euclidean distance, averaged over the
 * samples. */
struct yq_analysis_row {
    char op[32];            /* "Conv", "yq.Quantize", "Input" */
    char name[YQ_MAX_NAME]; /* the tensor (a node output, or a graph input) */
    bool int8;              /* produced in int8 (false: a float layer of a mixed model) */
    bool boundary;          /* a yq.Quantize / yq.Dequantize step */
    double entire_cos, entire_euc, single_cos, single_euc;
};
struct yq_analysis {
    struct yq_analysis_row *rows; /* graph order */
    int n_rows;
    int n_samples;
    int n_unmatched; /* quantized-graph tensors with no float counterpart (not listed) */
};
struct yq_analyze_options {
    struct yq_import_options import; /* how the float ONNX is imported (as for build) */
    const char *dataset;             /* a dataset list (as build's), or NULL and: */
    const char *const *inputs;       /* n_inputs image / .npy paths */
    int n_inputs;
    int max_samples;                 /* 0 = all */
    const char *dump_dir;            /* non-NULL: golden/ and quant/ .npy of the first sample */
    int n_threads;
    void (*progress)(void *ctx, int done, int total);
    void *progress_ctx;
};
YQ_API void yq_analyze_options_init(struct yq_analyze_options *o);
/* Any thread (sessions of its own). On failure *a is empty and err holds one line. */
YQ_API enum yq_status yq_model_analyze(const char *onnx_path, const struct yq_model *quantized,
                                       const struct yq_analyze_options *o,
                                       struct yq_analysis *a, char *err, size_t err_cap);
YQ_API void yq_analysis_free(struct yq_analysis *a);
/* error_analysis.txt in RKNN's layout (graph order, then worst-first by single cosine). */
YQ_API enum yq_status yq_analysis_write_text(const struct yq_analysis *a, const char *path,
                                             char *err, size_t err_cap);
/* One self-contained page (inline SVG, no script): cosine along the graph, float layers
 * marked, the worst layers, a verdict. */
YQ_API enum yq_status yq_analysis_write_html(const struct yq_analysis *a, const char *title,
                                             const char *path, char *err, size_t err_cap);


/* The head description stored in a model's metadata (yq.head, strides, anchors...), with
 * input size from the model's input. @retval YQ_STATUS_UNSUPPORTED no recognised head */
YQ_API enum yq_status yq_model_head(const struct yq_model *m, struct yq_head *head, char *err,
                                    size_t err_cap);

struct yq_detector_options {
    float conf;      /* default 0.25 */
    float iou;       /* default 0.45 */
    int max_det;     /* default 300 */
    int n_threads;   /* default 1 */
    bool agnostic;   /* class-agnostic NMS; default false */
    /* A box counts for every class whose score passes conf (YOLOv5 val.py / Ultralytics
     * validator: the convention of published mAP tables) instead of its best class only
     * (detect.py); default false. Decoding then holds n_classes candidates per cell. */
    bool multi_label;
};
YQ_API void yq_detector_options_init(struct yq_detector_options *o);

struct yq_detector;
/* Creates a detector over a model (borrowed: keep the model alive). One thread at a time
 * per detector; create one per thread. */
YQ_API enum yq_status yq_detector_create(const struct yq_model *m,
                                         const struct yq_detector_options *o,
                                         struct yq_detector **out, char *err, size_t err_cap);
YQ_API void yq_detector_free(struct yq_detector *d);
/* Detects objects in an RGB image. *dets (valid until the next call) holds *n detections
 * in original-image pixels, best first. */
YQ_API enum yq_status yq_detector_run(struct yq_detector *d, const struct yq_image *img,
                                      const struct yq_detection **dets, size_t *n, char *err,
                                      size_t err_cap);
YQ_API int yq_detector_n_classes(const struct yq_detector *d);
/* Class name, or NULL when the model carries none for that id. */
YQ_API const char *yq_detector_class_name(const struct yq_detector *d, int class_id);
YQ_API struct yq_session *yq_detector_session(struct yq_detector *d);

#ifdef __cplusplus
}
#endif
#endif
