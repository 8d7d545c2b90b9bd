/* SPDX-License-Identifier: Apache-2.0 */
/* FFmpeg plumbing shared by image and video code: an opt-in log callback that keeps FFmpeg
 * quiet but remembers its last error line per thread (quoted in our one-line errors), and
 * the one place that turns a decoded AVFrame into RGB24 with the right colour range,
 * matrix and siting. FFmpeg's log callback is process-wide and has no getter, so the
 * library never installs it on its own: a host application keeps its FFmpeg logging
 * unless it calls yq_media_capture_ffmpeg_log(true) (the yoloq CLI does). */
#include "media/media.h"
#include "yoloq/media.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

static _Thread_local char last_log[256];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void log_callback(void *avcl, int level, const char *fmt, va_list vl)
{
    (void)avcl;
    if (level > AV_LOG_ERROR) return;
    char line[sizeof last_log];
    vsnprintf(line, sizeof line, fmt, vl);
    /* FFmpeg lines end in '\n' and may embed control bytes; ours are one line. */
    size_t n = strlen(line);
    while (n > 0 &&
           (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '.'))
        line[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)line[i] < 32) line[i] = ' ';
    if (n > 0) memcpy(last_log, line, n + 1);
}

static void install(void)
{
    avformat_network_init(); /* RTSP/HTTP sources; harmless when unused */
}

void yq_media_capture_ffmpeg_log(bool on)
{
    if (on) {
        av_log_set_level(AV_LOG_ERROR);
        av_log_set_callback(log_callback);
    } else {
        av_log_set_level(AV_LOG_INFO);
        av_log_set_callback(av_log_default_callback);
    }
}

void yq__media_init(void)
{
    pthread_once(&init_once, install);
}

void yq__media_log_clear(void)
{
    last_log[0] = '\0';
}

const char *yq__media_log_last(void)
{
    return last_log;
}

const char *yq__media_reason(int averr, char *buf, size_t cap)
{
    if (!buf || cap == 0) return "";
    if (last_log[0]) {
        snprintf(buf, cap, "%s", last_log);
        return buf;
    }
    if (av_strerror(averr, buf, cap) < 0) snprintf(buf, cap, "FFmpeg error %d", averr);
    return buf;
}

static int sws_matrix(int space)
{
    switch (space) {
    case AVCOL_SPC_BT709:
        return SWS_CS_ITU709;
    case AVCOL_SPC_FCC:
        return SWS_CS_FCC;
    case AVCOL_SPC_SMPTE240M:
        return SWS_CS_SMPTE240M;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL:
        return SWS_CS_BT2020;
    default:
        /* JPEG/JFIF and untagged SD video are BT.601, which is also what OpenCV assumes. */
        return SWS_CS_ITU601;
    }
}

bool yq__frame_full_range(const AVFrame *f)
{
    switch (f->format) {
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_YUVJ440P:
    case AV_PIX_FMT_YUVJ411P:
        return true;
    default:
        return f->color_range == AVCOL_RANGE_JPEG;
    }
}

/* Chroma sample position in swscale's units (1/256 luma pixel); -513 = let swscale choose. */
static void chroma_pos(int loc, int *x, int *y)
{
    static const int pos[][2] = {
        [AVCHROMA_LOC_LEFT] = {0, 128},       [AVCHROMA_LOC_CENTER] = {128, 128},
        [AVCHROMA_LOC_TOPLEFT] = {0, 0},      [AVCHROMA_LOC_TOP] = {128, 0},
        [AVCHROMA_LOC_BOTTOMLEFT] = {0, 256}, [AVCHROMA_LOC_BOTTOM] = {128, 256},
    };
    if (loc > AVCHROMA_LOC_UNSPECIFIED && loc < (int)YQ_COUNTOF(pos)) {
        *x = pos[loc][0];
        *y = pos[loc][1];
    } else {
        *x = *y = -513;
    }
}

static struct SwsContext *make_sws(const AVFrame *f, bool full, int space, bool still)
{
    struct SwsContext *s = sws_alloc_context();
    if (!s) return NULL;
    int cx, cy;
    chroma_pos(f->chroma_location, &cx, &cy);
    /* Chroma upsampling filter (JPEGs no longer come here: jpeg_rgb.c does libjpeg's maths):
     * for other still images point sampling at the true (centred) chroma site came closest to
     * cv2.imread on bus.jpg when it did (mean |d| 0.24/255 after INTER_AREA, vs 0.30
     * bicubic, 0.37 bilinear); for video, bicubic as
     * OpenCV's FFmpeg capture backend uses. FULL_CHR_H_* keep full chroma resolution through
     * the converter, ACCURATE_RND/BITEXACT give C-exact rounding on every CPU. */
    int64_t flags = (still ? SWS_POINT : SWS_BICUBIC) | SWS_ACCURATE_RND | SWS_BITEXACT |
                    SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP;
    if (av_opt_set_int(s, "srcw", f->width, 0) < 0 || av_opt_set_int(s, "srch", f->height, 0) < 0 ||
        av_opt_set_int(s, "src_format", f->format, 0) < 0 ||
        av_opt_set_int(s, "dstw", f->width, 0) < 0 || av_opt_set_int(s, "dsth", f->height, 0) < 0 ||
        av_opt_set_int(s, "dst_format", AV_PIX_FMT_RGB24, 0) < 0 ||
        av_opt_set_int(s, "sws_flags", flags, 0) < 0 ||
        av_opt_set_int(s, "src_range", full ? 1 : 0, 0) < 0 ||
        av_opt_set_int(s, "dst_range", 1, 0) < 0 || av_opt_set_int(s, "src_h_chr_pos", cx, 0) < 0 ||
        av_opt_set_int(s, "src_v_chr_pos", cy, 0) < 0 || sws_init_context(s, NULL, NULL) < 0) {
        sws_freeContext(s);
        return NULL;
    }
    const int *coef = sws_getCoefficients(sws_matrix(space));
    /* Ignored for RGB sources; for YUV it selects the matrix. Brightness 0, contrast and
     * saturation 1.0 in 16.16. */
    sws_setColorspaceDetails(s, coef, full ? 1 : 0, coef, 1, 0, 1 << 16, 1 << 16);
    return s;
}

enum yq_status yq__media_frame_to_rgb(struct yq__rgb_conv *conv, const AVFrame *f,
                                      struct yq_image *img, struct yq__err *e)
{
    if (f->width <= 0 || f->height <= 0 || f->width > 65535 || f->height > 65535)
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "frame size %dx%d out of range", f->width,
                        f->height);
    bool full = yq__frame_full_range(f);
    int space = f->colorspace;
    if (!conv->sws || conv->w != f->width || conv->h != f->height || conv->fmt != f->format ||
        conv->range != (int)full || conv->space != space ||
        conv->chroma_loc != (int)f->chroma_location) {
        yq__media_conv_free(conv);
        conv->sws = make_sws(f, full, space, conv->still);
        if (!conv->sws)
            return yq__errf(e, YQ_STATUS_UNSUPPORTED,
                            "cannot convert pixel format %s (%dx%d) to RGB",
                            av_get_pix_fmt_name(f->format) ? av_get_pix_fmt_name(f->format) : "?",
                            f->width, f->height);
        conv->w = f->width;
        conv->h = f->height;
        conv->fmt = f->format;
        conv->range = full;
        conv->space = space;
        conv->chroma_loc = f->chroma_location;
    }
    if (!img->data || img->width != f->width || img->height != f->height) {
        yq_image_free(img);
        enum yq_status st = yq_image_alloc(img, f->width, f->height);
        if (st) return yq__errf(e, st, "cannot allocate a %dx%d image", f->width, f->height);
    }
    uint8_t *dst[4] = {img->data, NULL, NULL, NULL};
    int dst_stride[4] = {img->stride, 0, 0, 0};
    int rows = sws_scale(conv->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst,
                         dst_stride);
    if (rows != f->height) return yq__errf(e, YQ_STATUS_BAD_INPUT, "pixel conversion failed");
    return YQ_STATUS_OK;
}

void yq__media_conv_free(struct yq__rgb_conv *conv)
{
    sws_freeContext(conv->sws);
    conv->sws = NULL;
}
