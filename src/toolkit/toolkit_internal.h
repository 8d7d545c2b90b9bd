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

#endif
