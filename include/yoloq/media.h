/* SPDX-License-Identifier: Apache-2.0 */
/* Media I/O over FFmpeg: decode images and video into struct yq_image (RGB24), save annotated
 * images and videos, and draw boxes and labels with a small built-in font.
 *
 *     char err[256];
 *     struct yq_image img = {0};
 *     if (yq_image_load("bus.jpg", &img, err, sizeof err)) { fprintf(stderr, "%s\n", err); ... }
 *     yq_image_draw_detection(&img, 219, 408, 349, 863, "person 0.82", 0);
 *     yq_image_save(&img, "out.jpg", err, sizeof err);
 *     yq_image_free(&img);
 *
 *     struct yq_video_reader *vr;
 *     if (yq_video_open("clip.mp4", &vr, err, sizeof err) == YQ_STATUS_OK) {
 *         struct yq_image frame = {0};
 *         int64_t pts_ms;
 *         while (yq_video_read(vr, &frame, &pts_ms) == YQ_STATUS_OK) { ... }
 *         yq_image_free(&frame);
 *         yq_video_close(vr);
 *     }
 *
 * The library never prints: FFmpeg's own log output is captured (the first media call installs
 * a process-wide av_log callback that keeps the last error line per thread and prints nothing)
 * and folded into the one-line messages written to `err`. Messages never contain a newline. */
#ifndef YOLOQ_MEDIA_H
#define YOLOQ_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "yoloq/image.h"
#include "yoloq/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- still images ---- */

/* FFmpeg's log: off (default), the library leaves FFmpeg's process-wide log callback and
 * level alone, so a host application keeps its own FFmpeg logging, and error messages quote
 * FFmpeg's error code text. On, FFmpeg prints nothing and the last FFmpeg error line of the
 * calling thread is quoted in yoloq's one-line errors (what the yoloq CLI does). Process-
 * wide (it replaces any callback set with av_log_set_callback; off restores FFmpeg's
 * default); call it before using media functions from several threads. */
YQ_API void yq_media_capture_ffmpeg_log(bool on);

/* Decodes an image file (JPEG, PNG, BMP, and whatever else FFmpeg's image demuxers read) into
 * RGB24. JPEG is converted as full-range BT.601 with accurate rounding, to match OpenCV's
 * cv2.imread as closely as FFmpeg allows (channel order is RGB, not OpenCV's BGR). EXIF
 * orientation is not applied. Only the first frame of a multi-frame file is read.
 * @param path     file to read (never interpreted as a pattern like "img%03d.png")
 * @param out      receives a new image (free with yq_image_free); zeroed on failure. Any
 *                 pixels it held before are NOT freed: pass a zeroed or freed image.
 * @param err      one-line message on failure, e.g. "x.jpg: no such file" or
 *                 "bus.jpg: cannot decode image: <reason>"; may be NULL
 * @retval YQ_STATUS_INVALID_ARGUMENT  NULL path/out
 * @retval YQ_STATUS_IO                missing file, directory, read error
 * @retval YQ_STATUS_BAD_INPUT         not an image, corrupt or truncated data
 * @retval YQ_STATUS_OUT_OF_MEMORY
 * Any thread. */
YQ_API enum yq_status yq_image_load(const char *path, struct yq_image *out, char *err,
                                    size_t err_cap);

/* As yq_image_load, from an encoded image held in memory (read through a custom AVIOContext;
 * `data` is not modified nor kept). Messages start with "<memory>: ". */
YQ_API enum yq_status yq_image_load_memory(const void *data, size_t size, struct yq_image *out,
                                           char *err, size_t err_cap);

/* Encodes `img` by the extension of `path` (case-insensitive): .jpg/.jpeg (baseline JFIF,
 * 4:2:0, quality about 90), .png (lossless RGB), .bmp. The file is overwritten.
 * @retval YQ_STATUS_INVALID_ARGUMENT  NULL/empty image, unknown extension
 * @retval YQ_STATUS_IO                cannot create or write the file
 * @retval YQ_STATUS_UNSUPPORTED       FFmpeg lacks the encoder
 * @retval YQ_STATUS_OUT_OF_MEMORY
 * Any thread (distinct paths). */
YQ_API enum yq_status yq_image_save(const struct yq_image *img, const char *path, char *err,
                                    size_t err_cap);

/* ---- drawing (any coordinates; everything is clipped to the image) ---- */

/* Outline of the box with corners (x1,y1) and (x2,y2) inclusive (either order), `thickness`
 * pixels drawn inward from the edges (thickness < 1 counts as 1). One thread per image. */
YQ_API void yq_image_draw_rect(struct yq_image *img, int x1, int y1, int x2, int y2, int thickness,
                               uint8_t r, uint8_t g, uint8_t b);
/* Filled box, corners inclusive (either order). One thread per image. */
YQ_API void yq_image_fill_rect(struct yq_image *img, int x1, int y1, int x2, int y2, uint8_t r,
                               uint8_t g, uint8_t b);
/* Draws printable ASCII with the built-in 5x7 font; (x,y) is the top-left of the first glyph
 * cell, each cell is 6*scale x 8*scale pixels (scale < 1 counts as 1, capped at 64). '\n'
 * starts a new line; other bytes outside 32..126 draw as '?'. One thread per image. */
YQ_API void yq_image_draw_text(struct yq_image *img, int x, int y, const char *text, int scale,
                               uint8_t r, uint8_t g, uint8_t b);
/* Size in pixels that yq_image_draw_text would cover (widest line x lines). Any thread. */
YQ_API void yq_image_text_size(const char *text, int scale, int *width, int *height);
/* Colour of class `class_id` in the fixed 20-colour palette (cycles; negative ids fold).
 * Any thread. */
YQ_API void yq_palette_color(int class_id, uint8_t rgb[3]);
/* Box in the class colour plus a filled label above it (inside the box when there is no
 * room above) holding `label` (e.g. "person 0.82"; NULL or "" draws the box only). Line
 * thickness and text scale grow with the image size. One thread per image. */
YQ_API void yq_image_draw_detection(struct yq_image *img, int x1, int y1, int x2, int y2,
                                    const char *label, int class_id);

/* ---- video input ---- */

struct yq_video_reader;

/* Opens a video file, a network stream (rtsp://, http(s)://, ...; RTSP over TCP), or a
 * V4L2 camera ("/dev/videoN", needs FFmpeg's video4linux2 input: UNSUPPORTED without it).
 * Network opens and reads give up after about 10 s without data.
 * @param out  the reader, NULL on failure
 * @retval YQ_STATUS_IO           cannot open / no such file
 * @retval YQ_STATUS_BAD_INPUT    no video stream, or no decoder for it
 * @retval YQ_STATUS_UNSUPPORTED  camera input not available in this FFmpeg
 * @retval YQ_STATUS_OUT_OF_MEMORY, YQ_STATUS_INVALID_ARGUMENT
 * Any thread; the reader is then used by one thread at a time. */
YQ_API enum yq_status yq_video_open(const char *url_or_path, struct yq_video_reader **out,
                                    char *err, size_t err_cap);
/* Decodes the next frame into `frame` as RGB24. `frame` must be zeroed or hold an image from
 * yq_image_alloc / an earlier read: it is reused when its size matches and reallocated when
 * the stream size differs (so one frame buffer serves the whole stream).
 * @param pts_ms  presentation time in milliseconds from the stream start (may be NULL)
 * @retval YQ_STATUS_OK
 * @retval YQ_STATUS_CLOSED         end of stream (every later call says CLOSED too)
 * @retval YQ_STATUS_IO / YQ_STATUS_BAD_INPUT / YQ_STATUS_OUT_OF_MEMORY  see yq_video_errmsg
 * One thread at a time per reader. */
YQ_API enum yq_status yq_video_read(struct yq_video_reader *reader, struct yq_image *frame,
                                    int64_t *pts_ms);
/* Frame size and frame rate (0 when the stream does not say). Any pointer may be NULL. */
YQ_API void yq_video_info(const struct yq_video_reader *reader, int *width, int *height,
                          double *fps);
/* The last error of this reader as one line ("" if none); valid until the next call on it. */
YQ_API const char *yq_video_errmsg(const struct yq_video_reader *reader);
/* Closes and frees; NULL is a no-op. */
YQ_API void yq_video_close(struct yq_video_reader *reader);

/* ---- video output ---- */

struct yq_video_writer;

/* Creates a video file; the container follows the extension (.mp4 default, .mkv, .avi, .mov).
 * Codec: H.264 (libx264, CRF 23, preset veryfast) when FFmpeg has it, else MPEG-4 part 2.
 * 4:2:0 needs even sizes: an odd width/height is encoded one pixel smaller (last column/row
 * dropped).
 * @param fps  frames per second, > 0 (e.g. the reader's yq_video_info fps; 30 if unknown)
 * @retval YQ_STATUS_INVALID_ARGUMENT  bad size or fps
 * @retval YQ_STATUS_IO                cannot create the file
 * @retval YQ_STATUS_UNSUPPORTED       no usable encoder or container
 * Any thread; the writer is then used by one thread at a time. */
YQ_API enum yq_status yq_video_writer_open(const char *path, int width, int height, double fps,
                                           struct yq_video_writer **out, char *err, size_t err_cap);
/* Encodes one frame (its size must equal the writer's width x height); frames are timed
 * 1/fps apart in call order. See yq_video_writer_errmsg on failure. */
YQ_API enum yq_status yq_video_write(struct yq_video_writer *writer, const struct yq_image *img);
/* The last error of this writer as one line ("" if none). */
YQ_API const char *yq_video_writer_errmsg(const struct yq_video_writer *writer);
/* Flushes the encoder, writes the container trailer, closes and frees (also on failure).
 * NULL is a no-op returning OK. `err` may be NULL.
 * @retval YQ_STATUS_IO  flushing or finishing the file failed (the file is incomplete) */
YQ_API enum yq_status yq_video_writer_close(struct yq_video_writer *writer, char *err,
                                            size_t err_cap);

#ifdef __cplusplus
}
#endif
#endif
