/* SPDX-License-Identifier: Apache-2.0 */
/* Shared inside the toolkit: the ONNX import that `open` and `build` both start from, and
 * the letterbox a model's metadata asks for (detector and calibration feed alike). */
#ifndef YQ_TOOLKIT_INTERNAL_H
#define YQ_TOOLKIT_INTERNAL_H

#include "yoloq/toolkit.h"
#include "ir/ir.h"

/* ONNX file -> finished float graph with head and preprocessing metadata. fuse_conv_act
 * false keeps activations as their own nodes (calibration and quantization need them). */
enum yq_status yq__toolkit_import(const char *path, const struct yq_import_options *o,
                                  bool fuse_conv_act, struct yq__graph **out,
                                  struct yq__err *e);

/* Letterbox options from the metadata values yq.letterbox ("center", "topleft",
 * "stretch") and yq.channel_order ("rgb", "bgr"); NULL means the default. */
void yq__letterbox_from_meta(const char *mode, const char *order,
                             struct yq_letterbox_options *lb);

/* Where a .npy file's header dict lies (versions 1-3): bytes [*start, *start + *hl) of b,
 * inside the n bytes. @retval YQ_STATUS_BAD_INPUT with "path: ..." */
enum yq_status yq__npy_span(const char *path, const unsigned char *b, size_t n, size_t *start,
                            size_t *hl, struct yq__err *e);
/* The header of a .npy calibration sample (n bytes at b): versions 1-3, dtype '<f4' or
 * '|u1', C order. Sets *is_u8, *channels_last (the shape ends in 3: a float [1,H,W,3] is
 * NHWC) and *off (where the data starts, <= n). Untrusted bytes: every length checked.
 * @retval YQ_STATUS_BAD_INPUT with "path: ..." */
enum yq_status yq__npy_header(const char *path, const unsigned char *b, size_t n, bool *is_u8,
                              bool *channels_last, size_t *off, struct yq__err *e);

#endif
