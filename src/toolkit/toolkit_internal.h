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

/* The build's sample feed (build.c) for other commands: samples from a dataset list
 * (list != NULL; at most max, 0 = all) or from n_paths explicit paths, turned into input 0
 * of a session of graph g's model the way calibration does (images letterboxed by g's
 * preprocessing, .npy/.raw tensors as they are). */
struct feed;
struct yq_session;
enum yq_status yq__feed_create(const char *model_path, const char *list, int max,
                               const char *const *paths, int n_paths, const struct yq__graph *g,
                               struct feed **out, struct yq__err *e);
int yq__feed_count(const struct feed *f);
const char *yq__feed_path(const struct feed *f, int i);
enum yq_status yq__feed_sample(struct feed *f, int index, struct yq_session *s,
                               struct yq__err *e);
void yq__feed_free(struct feed *f);

#endif
