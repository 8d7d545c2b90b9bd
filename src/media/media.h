/* SPDX-License-Identifier: Apache-2.0 */
/* Internal glue shared by the media files: FFmpeg log capture (so the library never prints
 * and errors can quote FFmpeg's reason), error text, and AVFrame -> RGB24 conversion with
 * the colour range/matrix/chroma siting taken from the frame. */
#ifndef YQ_MEDIA_INTERNAL_H
#define YQ_MEDIA_INTERNAL_H

#include <libavutil/frame.h>
#include "core/core.h"
#include "yoloq/image.h"

struct SwsContext;

/* Installs the capturing av_log callback once per process; every media entry point calls it. */
void yq__media_init(void);

/* Clears / returns this thread's last FFmpeg error line (no newline; "" if none). */
void yq__media_log_clear(void);
const char *yq__media_log_last(void);

/* Best one-line reason for FFmpeg error `averr`: the last logged FFmpeg error when there is
 * one (it is usually more specific), else av_strerror's text. Writes into buf. */
const char *yq__media_reason(int averr, char *buf, size_t cap);

/* Remembered conversion state so a video reuses one SwsContext while the frame format holds. */
struct yq__rgb_conv {
    bool still; /* set by the caller: still image (match cv2.imread) or video frame */
    struct SwsContext *sws;
    int w, h, fmt, range, space, chroma_loc;
};

/* Converts `f` to RGB24 into `img`, (re)allocating img when its size differs. Sets the
 * colour range (full for yuvj* and JPEG-range frames), matrix (frame's, BT.601 when
 * unspecified) and chroma siting; accurate-rounding, bit-exact swscale flags. */
enum yq_status yq__media_frame_to_rgb(struct yq__rgb_conv *conv, const AVFrame *f,
                                      struct yq_image *img, struct yq__err *e);
void yq__media_conv_free(struct yq__rgb_conv *conv);

/* JPEG frames (yuvj4xxp / full-range planar YUV / gray8) to RGB24 exactly as libjpeg-turbo's
 * default decompressor upsamples and converts (jpeg_rgb.c), so decoded JPEGs match
 * cv2.imread. supported() says whether the frame's layout is one it handles. */
bool yq__jpeg_rgb_supported(const AVFrame *f);
/* True for full-range (JPEG, "yuvj") frames: the yuvj* formats or color_range JPEG. */
bool yq__frame_full_range(const AVFrame *f);
enum yq_status yq__jpeg_frame_to_rgb(const AVFrame *f, struct yq_image *img, struct yq__err *e);

/* The built-in 5x7 font: 7 rows per glyph for ASCII 32..126, bit 4 = leftmost column. */
extern const uint8_t yq__font5x7[95][7];

#endif
