/* SPDX-License-Identifier: Apache-2.0 */
/* The yoloq runtime API, shaped like Rockchip's rknn_api.h: load a model once (immutable,
 * shared by threads), create one session per thread or stream, set inputs, run, read
 * outputs. This library has no third-party dependency.
 *
 *     struct yq_model *m;  struct yq_session *s;  char err[256];
 *     if (yq_model_load_file("yolov5n.yqm", NULL, &m, err, sizeof err)) die(err);
 *     struct yq_session_options so;  yq_session_options_init(&so);  so.n_threads = 2;
 *     if (yq_session_create(m, &so, &s, err, sizeof err)) die(err);
 *     yq_session_set_input(s, 0, letterboxed_rgb, 640 * 640 * 3, YQ_DTYPE_U8, YQ_LAYOUT_NHWC);
 *     yq_session_run(s);
 *     const float *out;  struct yq_tensor_info info;
 *     yq_session_output_float(s, 0, &out, &info);
 *     yq_session_free(s);  yq_model_free(m);
 */
#ifndef YOLOQ_RUNTIME_H
#define YOLOQ_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "yoloq/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Element types (same values as stored in .yqm files). */
enum yq_dtype {
    YQ_DTYPE_F32 = 0,
    YQ_DTYPE_U8 = 1,
    YQ_DTYPE_S8 = 2,
    YQ_DTYPE_S32 = 3,
    YQ_DTYPE_S64 = 4,
    YQ_DTYPE_COUNT
};

enum yq_layout {
    YQ_LAYOUT_PLAIN = 0, /* not an image tensor: ONNX order */
    YQ_LAYOUT_NCHW = 1,
    YQ_LAYOUT_NHWC = 2,
};

#define YQ_MAX_DIMS 8
#define YQ_MAX_NAME 128

struct yq_tensor_info {
    int index;
    char name[YQ_MAX_NAME];
    int n_dims;
    int64_t dims[YQ_MAX_DIMS]; /* in `layout` order */
    enum yq_layout layout;
    enum yq_dtype dtype;
    float scale;        /* quantized tensors: real = (q - zero_point) * scale; 0 if float */
    int32_t zero_point;
    size_t n_elems;
    size_t size_bytes;
};

struct yq_model;
struct yq_session;

struct yq_model_options {
    const uint8_t *key; /* decryption key for encrypted .yqm files (32 bytes), or NULL */
    size_t key_len;
};
YQ_API void yq_model_options_init(struct yq_model_options *o);

/* Loads a .yqm model. Any thread. On failure *out = NULL and err holds one line.
 * @retval YQ_STATUS_IO          cannot read the file
 * @retval YQ_STATUS_BAD_MODEL   truncated, corrupt, wrong version or foreign file
 * @retval YQ_STATUS_UNSUPPORTED an operator or feature this build lacks */
YQ_API enum yq_status yq_model_load_file(const char *path, const struct yq_model_options *o,
                                         struct yq_model **out, char *err, size_t err_cap);
YQ_API enum yq_status yq_model_load_memory(const void *data, size_t size, const char *name,
                                           const struct yq_model_options *o,
                                           struct yq_model **out, char *err, size_t err_cap);
/* Writes the model as a .yqm file (versioned, checksummed, 64-byte aligned weights).
 * Any thread. @retval YQ_STATUS_IO cannot write */
YQ_API enum yq_status yq_model_save_file(const struct yq_model *m, const char *path, char *err,
                                         size_t err_cap);
/* Sets (or replaces) a metadata string stored with the model, e.g. "yq.custom_string".
 * Not while sessions of the model run. */
YQ_API enum yq_status yq_model_set_meta(struct yq_model *m, const char *key, const char *value);
/* Frees a model; no session of it may remain. NULL is a no-op. */
YQ_API void yq_model_free(struct yq_model *m);

YQ_API int yq_model_n_inputs(const struct yq_model *m);
YQ_API int yq_model_n_outputs(const struct yq_model *m);
/* @retval YQ_STATUS_INVALID_ARGUMENT index out of range */
YQ_API enum yq_status yq_model_input_info(const struct yq_model *m, int index,
                                          struct yq_tensor_info *info);
YQ_API enum yq_status yq_model_output_info(const struct yq_model *m, int index,
                                           struct yq_tensor_info *info);
/* Metadata value for key, or NULL. Keys written by yoloq: "yq.head", "yq.names" (one name
 * per line), "yq.strides", "yq.anchors", "yq.letterbox", "yq.mean", "yq.std",
 * "yq.channel_order", "yq.custom_string", plus the ONNX metadata props. Any thread. */
YQ_API const char *yq_model_meta(const struct yq_model *m, const char *key);
/* Bytes of weights/constants held by the model. */
YQ_API size_t yq_model_weights_size(const struct yq_model *m);

struct yq_session_options {
    int n_threads;    /* compute threads, caller included; default 1 */
    int cpu_affinity; /* bit mask of cores the session's threads may use; 0 = any */
    bool profile;     /* record per-layer times (yq_session_profile) */
};
YQ_API void yq_session_options_init(struct yq_session_options *o);

/* Creates a session: plans and allocates its activation memory. One thread at a time per
 * session; many sessions may share one model. */
YQ_API enum yq_status yq_session_create(const struct yq_model *m,
                                        const struct yq_session_options *o,
                                        struct yq_session **out, char *err, size_t err_cap);
YQ_API void yq_session_free(struct yq_session *s);

/* Copies input `index` from `data`. A U8 image (NHWC, the model's channel order) is
 * normalised with the model's mean/std when the model takes float input, turned into the
 * input's int8 codes when it takes S8 (an INT8 model: quantize((u8 - mean) / std), a table
 * lookup), and passed through when it takes uint8. F32 data is copied, or quantized with
 * the input's scale/zero point for an S8 input (converted from NCHW if layout says so).
 * S8 data is copied into an S8 input as is.
 * @retval YQ_STATUS_INVALID_ARGUMENT size, dtype or layout does not fit the input */
YQ_API enum yq_status yq_session_set_input(struct yq_session *s, int index, const void *data,
                                           size_t size, enum yq_dtype dtype,
                                           enum yq_layout layout);
/* Runs the graph. Allocates nothing. */
YQ_API enum yq_status yq_session_run(struct yq_session *s);
/* Raw output (the session's own memory, valid until the next run): int8 outputs stay int8
 * with info->scale/zero_point. */
YQ_API enum yq_status yq_session_output(struct yq_session *s, int index, const void **data,
                                        struct yq_tensor_info *info);
/* Output as float (dequantized into a session buffer if needed), in info->layout order. */
YQ_API enum yq_status yq_session_output_float(struct yq_session *s, int index,
                                              const float **data, struct yq_tensor_info *info);
/* Bytes of the session's activation block (planned from tensor lifetimes). */
YQ_API size_t yq_session_activation_size(const struct yq_session *s);

/* Per-layer profile of the last run (session created with profile = true). */
struct yq_layer_time {
    const char *name; /* node name, valid while the model lives */
    const char *op;
    bool quantized;
    double ms;
};
YQ_API int yq_session_profile(const struct yq_session *s, const struct yq_layer_time **layers);

#ifdef __cplusplus
}
#endif
#endif
