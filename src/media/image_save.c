/* SPDX-License-Identifier: Apache-2.0 */
/* yq_image_save: RGB24 -> JPEG (mjpeg, full-range BT.601 4:2:0, the JFIF convention that
 * yq_image_load and OpenCV read back), PNG or BMP, chosen by the file extension. The encoder's
 * packet is the whole file, so no muxer is involved. */
#include "yoloq/media.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "media/media.h"

/* mjpeg quantiser scale: 2 is close to libjpeg quality 90-95 (bus.jpg re-encodes at about
 * 1.3 bits per pixel). */
#define JPEG_QSCALE 2

struct format {
    const char *ext;
    enum AVCodecID codec;
    enum AVPixelFormat pix;
};

static const struct format formats[] = {
    {"jpg", AV_CODEC_ID_MJPEG, AV_PIX_FMT_YUVJ420P},
    {"jpeg", AV_CODEC_ID_MJPEG, AV_PIX_FMT_YUVJ420P},
    {"png", AV_CODEC_ID_PNG, AV_PIX_FMT_RGB24},
    {"bmp", AV_CODEC_ID_BMP, AV_PIX_FMT_BGR24},
};

static const struct format *format_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (!dot) return NULL;
    for (size_t i = 0; i < YQ_COUNTOF(formats); i++)
        if (strcasecmp(dot + 1, formats[i].ext) == 0) return &formats[i];
    return NULL;
}

static enum yq_status fill_frame(const struct yq_image *img, AVFrame *fr, struct yq__err *e,
                                 const char *path)
{
    struct SwsContext *s = sws_alloc_context();
    if (!s) return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
    /* RGB -> full-range BT.601 YUV with centred chroma (JFIF); a plain copy for RGB/BGR. */
    int64_t flags = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT | SWS_FULL_CHR_H_INP;
    int ok =
        av_opt_set_int(s, "srcw", img->width, 0) >= 0 &&
        av_opt_set_int(s, "srch", img->height, 0) >= 0 &&
        av_opt_set_int(s, "src_format", AV_PIX_FMT_RGB24, 0) >= 0 &&
        av_opt_set_int(s, "dstw", img->width, 0) >= 0 &&
        av_opt_set_int(s, "dsth", img->height, 0) >= 0 &&
        av_opt_set_int(s, "dst_format", fr->format, 0) >= 0 &&
        av_opt_set_int(s, "sws_flags", flags, 0) >= 0 &&
        av_opt_set_int(s, "src_range", 1, 0) >= 0 && av_opt_set_int(s, "dst_range", 1, 0) >= 0 &&
        av_opt_set_int(s, "dst_h_chr_pos", 128, 0) >= 0 &&
        av_opt_set_int(s, "dst_v_chr_pos", 128, 0) >= 0 && sws_init_context(s, NULL, NULL) >= 0;
    if (ok) {
        const int *coef = sws_getCoefficients(SWS_CS_ITU601);
        sws_setColorspaceDetails(s, coef, 1, coef, 1, 0, 1 << 16, 1 << 16);
        const uint8_t *src[4] = {img->data, NULL, NULL, NULL};
        int src_stride[4] = {img->stride, 0, 0, 0};
        ok = sws_scale(s, src, src_stride, 0, img->height, fr->data, fr->linesize) == img->height;
    }
    sws_freeContext(s);
    if (!ok)
        return yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: cannot convert RGB to the encoder's format",
                        path);
    return YQ_STATUS_OK;
}

enum yq_status yq_image_save(const struct yq_image *img, const char *path, char *err,
                             size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (err && err_cap) err[0] = '\0';
    if (!path || !*path) return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "yq_image_save: no path");
    if (!img || !img->data || img->width <= 0 || img->height <= 0 || img->width > 65535 ||
        img->height > 65535 || img->stride < 3 * img->width)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                        "%s: cannot save an empty or malformed image", path);
    const struct format *fmt = format_of(path);
    if (!fmt)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                        "%s: unknown image extension (use .jpg, .jpeg, .png or .bmp)", path);
    yq__media_init();
    yq__media_log_clear();

    enum yq_status st = YQ_STATUS_OK;
    char why[256];
    AVCodecContext *enc = NULL;
    AVFrame *fr = NULL;
    AVPacket *pkt = NULL;
    FILE *f = NULL;
    int r;
    const AVCodec *codec = avcodec_find_encoder(fmt->codec);
    if (!codec)
        return yq__errf(&e, YQ_STATUS_UNSUPPORTED, "%s: FFmpeg has no %s encoder", path,
                        avcodec_get_name(fmt->codec));
    enc = avcodec_alloc_context3(codec);
    fr = av_frame_alloc();
    pkt = av_packet_alloc();
    if (!enc || !fr || !pkt) {
        st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
        goto done;
    }
    enc->width = img->width;
    enc->height = img->height;
    enc->pix_fmt = fmt->pix;
    enc->time_base = (AVRational){1, 25};
    enc->thread_count = 1;
    if (fmt->codec == AV_CODEC_ID_MJPEG) {
        enc->color_range = AVCOL_RANGE_JPEG;
        enc->colorspace = AVCOL_SPC_BT470BG;
        enc->chroma_sample_location = AVCHROMA_LOC_CENTER;
        enc->flags |= AV_CODEC_FLAG_QSCALE;
        enc->global_quality = FF_QP2LAMBDA * JPEG_QSCALE;
    }
    if ((r = avcodec_open2(enc, codec, NULL)) < 0) goto fferr;
    fr->format = fmt->pix;
    fr->width = img->width;
    fr->height = img->height;
    if ((r = av_frame_get_buffer(fr, 0)) < 0) goto fferr;
    if ((st = fill_frame(img, fr, &e, path))) goto done;
    if (fmt->codec == AV_CODEC_ID_MJPEG) {
        fr->quality = enc->global_quality;
        fr->color_range = AVCOL_RANGE_JPEG;
    }
    if ((r = avcodec_send_frame(enc, fr)) < 0 || (r = avcodec_send_frame(enc, NULL)) < 0)
        goto fferr;

    f = fopen(path, "wb");
    if (!f) {
        st = yq__errf(&e, YQ_STATUS_IO, "%s: cannot create: %s", path, strerror(errno));
        goto done;
    }
    for (;;) {
        r = avcodec_receive_packet(enc, pkt);
        if (r == AVERROR_EOF) break;
        if (r < 0) goto fferr;
        size_t n = (size_t)pkt->size;
        bool wrote = fwrite(pkt->data, 1, n, f) == n;
        av_packet_unref(pkt);
        if (!wrote) {
            st = yq__errf(&e, YQ_STATUS_IO, "%s: write error: %s", path, strerror(errno));
            goto done;
        }
    }
    r = fclose(f);
    f = NULL;
    if (r != 0) st = yq__errf(&e, YQ_STATUS_IO, "%s: write error: %s", path, strerror(errno));
    goto done;

fferr:
    st = yq__errf(&e, r == AVERROR(ENOMEM) ? YQ_STATUS_OUT_OF_MEMORY : YQ_STATUS_UNSUPPORTED,
                  "%s: cannot encode %s: %s", path, codec->name,
                  yq__media_reason(r, why, sizeof why));
done:
    if (f) fclose(f);
    av_packet_free(&pkt);
    av_frame_free(&fr);
    avcodec_free_context(&enc);
    return st;
}
