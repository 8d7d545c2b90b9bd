/* SPDX-License-Identifier: Apache-2.0 */
/* yq_video_writer: RGB24 frames -> H.264 (libx264) or MPEG-4 part 2 in MP4/MKV/AVI, for
 * annotated output of `stream`. Frames are converted to limited-range BT.601 4:2:0 and tagged
 * so, which is what players and yq_video_read assume for untagged SD video. */
#include "yoloq/media.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "media/media.h"

struct yq_video_writer {
    AVFormatContext *oc;
    AVCodecContext *enc;
    AVStream *st;
    AVFrame *frame;
    AVPacket *pkt;
    struct SwsContext *sws;
    int width, height; /* what callers pass */
    int64_t next_pts;
    bool header_written;
    bool qscale; /* mpeg4: constant quantiser carried per frame */
    char msg[256];
};

static void destroy(struct yq_video_writer *w)
{
    if (!w) return;
    sws_freeContext(w->sws);
    av_frame_free(&w->frame);
    av_packet_free(&w->pkt);
    avcodec_free_context(&w->enc);
    if (w->oc) {
        if (!(w->oc->oformat->flags & AVFMT_NOFILE)) avio_closep(&w->oc->pb);
        avformat_free_context(w->oc);
    }
    yq__free(w);
}

/* Sends `f` (NULL = flush) and writes every packet the encoder returns. */
static int encode(struct yq_video_writer *w, AVFrame *f)
{
    int rc = avcodec_send_frame(w->enc, f);
    if (rc < 0) return rc;
    for (;;) {
        rc = avcodec_receive_packet(w->enc, w->pkt);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return 0;
        if (rc < 0) return rc;
        av_packet_rescale_ts(w->pkt, w->enc->time_base, w->st->time_base);
        w->pkt->stream_index = w->st->index;
        rc = av_interleaved_write_frame(w->oc, w->pkt); /* takes the packet's reference */
        if (rc < 0) return rc;
    }
}

enum yq_status yq_video_writer_open(const char *path, int width, int height, double fps,
                                    struct yq_video_writer **out, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (err && err_cap) err[0] = '\0';
    if (out) *out = NULL;
    if (!path || !*path || !out)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "yq_video_writer_open: NULL %s",
                        out ? "path" : "output");
    if (width < 2 || height < 2 || width > 16384 || height > 16384)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "%s: video size %dx%d not in 2..16384",
                        path, width, height);
    if (!(fps > 0.0 && fps <= 1000.0))
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "%s: frame rate %g not in (0, 1000]", path,
                        fps);
    yq__media_init();
    yq__media_log_clear();

    enum yq_status st = YQ_STATUS_OK;
    char why[256];
    int rc;
    struct yq_video_writer *w = yq__calloc(1, sizeof *w);
    if (!w) return yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
    w->width = width;
    w->height = height;
    int ew = width & ~1, eh = height & ~1; /* 4:2:0 wants even sizes */

    /* Container from the extension; anything FFmpeg does not know becomes MP4. */
    if (avformat_alloc_output_context2(&w->oc, NULL, NULL, path) < 0 || !w->oc)
        if (avformat_alloc_output_context2(&w->oc, NULL, "mp4", path) < 0 || !w->oc) {
            st = yq__errf(&e, YQ_STATUS_UNSUPPORTED, "%s: FFmpeg has no MP4 muxer", path);
            goto fail;
        }
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    if (!codec || avformat_query_codec(w->oc->oformat, AV_CODEC_ID_H264, FF_COMPLIANCE_NORMAL) != 1)
        codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (!codec) {
        st = yq__errf(&e, YQ_STATUS_UNSUPPORTED,
                      "%s: FFmpeg has neither libx264 nor mpeg4 encoders", path);
        goto fail;
    }
    w->enc = avcodec_alloc_context3(codec);
    w->frame = av_frame_alloc();
    w->pkt = av_packet_alloc();
    w->st = avformat_new_stream(w->oc, NULL);
    if (!w->enc || !w->frame || !w->pkt || !w->st) {
        st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
        goto fail;
    }
    AVRational rate = av_d2q(fps, 100000);
    w->enc->width = ew;
    w->enc->height = eh;
    w->enc->pix_fmt = AV_PIX_FMT_YUV420P;
    w->enc->framerate = rate;
    w->enc->time_base = av_inv_q(rate);
    w->enc->gop_size = (int)fmin(600.0, fmax(1.0, round(2.0 * fps))); /* a keyframe ~2 s */
    w->enc->color_range = AVCOL_RANGE_MPEG;
    w->enc->colorspace = AVCOL_SPC_SMPTE170M;
    w->enc->color_primaries = AVCOL_PRI_SMPTE170M;
    w->enc->color_trc = AVCOL_TRC_SMPTE170M;
    w->enc->sample_aspect_ratio = (AVRational){1, 1};
    if (codec->id == AV_CODEC_ID_H264) {
        av_opt_set(w->enc->priv_data, "preset", "veryfast", 0);
        av_opt_set(w->enc->priv_data, "crf", "23", 0);
    } else {
        w->enc->flags |= AV_CODEC_FLAG_QSCALE;
        w->enc->global_quality = FF_QP2LAMBDA * 4;
        w->qscale = true;
    }
    if (w->oc->oformat->flags & AVFMT_GLOBALHEADER) w->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((rc = avcodec_open2(w->enc, codec, NULL)) < 0) {
        st = yq__errf(&e, YQ_STATUS_UNSUPPORTED, "%s: cannot open the %s encoder: %s", path,
                      codec->name, yq__media_reason(rc, why, sizeof why));
        goto fail;
    }
    if ((rc = avcodec_parameters_from_context(w->st->codecpar, w->enc)) < 0) goto fferr;
    w->st->time_base = w->enc->time_base;
    w->st->avg_frame_rate = rate;
    w->frame->format = AV_PIX_FMT_YUV420P;
    w->frame->width = ew;
    w->frame->height = eh;
    if ((rc = av_frame_get_buffer(w->frame, 0)) < 0) goto fferr;
    w->sws = sws_getContext(ew, eh, AV_PIX_FMT_RGB24, ew, eh, AV_PIX_FMT_YUV420P,
                            SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT | SWS_FULL_CHR_H_INP,
                            NULL, NULL, NULL);
    if (!w->sws) {
        st = yq__errf(&e, YQ_STATUS_UNSUPPORTED, "%s: cannot set up RGB -> YUV conversion", path);
        goto fail;
    }
    const int *coef = sws_getCoefficients(SWS_CS_ITU601);
    sws_setColorspaceDetails(w->sws, coef, 1, coef, 0, 0, 1 << 16, 1 << 16);
    if (!(w->oc->oformat->flags & AVFMT_NOFILE) &&
        (rc = avio_open(&w->oc->pb, path, AVIO_FLAG_WRITE)) < 0) {
        st = yq__errf(&e, YQ_STATUS_IO, "%s: cannot create: %s", path,
                      yq__media_reason(rc, why, sizeof why));
        goto fail;
    }
    if ((rc = avformat_write_header(w->oc, NULL)) < 0) goto fferr;
    w->header_written = true;
    *out = w;
    return YQ_STATUS_OK;
fferr:
    st = yq__errf(&e, rc == AVERROR(ENOMEM) ? YQ_STATUS_OUT_OF_MEMORY : YQ_STATUS_IO,
                  "%s: cannot start the video: %s", path, yq__media_reason(rc, why, sizeof why));
fail:
    destroy(w);
    return st;
}

enum yq_status yq_video_write(struct yq_video_writer *w, const struct yq_image *img)
{
    if (!w) return YQ_STATUS_INVALID_ARGUMENT;
    w->msg[0] = '\0';
    if (!img || !img->data || img->width != w->width || img->height != w->height ||
        img->stride < 3 * img->width) {
        snprintf(w->msg, sizeof w->msg, "frame is %dx%d, the video is %dx%d", img ? img->width : 0,
                 img ? img->height : 0, w->width, w->height);
        return YQ_STATUS_INVALID_ARGUMENT;
    }
    yq__media_log_clear();
    char why[200];
    int rc = av_frame_make_writable(w->frame);
    if (rc >= 0) {
        /* Cropping to the even size is just converting fewer rows/columns of the source. */
        const uint8_t *src[4] = {img->data, NULL, NULL, NULL};
        int stride[4] = {img->stride, 0, 0, 0};
        sws_scale(w->sws, src, stride, 0, w->frame->height, w->frame->data, w->frame->linesize);
        w->frame->pts = w->next_pts++;
        if (w->qscale) w->frame->quality = w->enc->global_quality;
        rc = encode(w, w->frame);
    }
    if (rc < 0) {
        snprintf(w->msg, sizeof w->msg, "cannot encode frame %lld: %s", (long long)w->next_pts - 1,
                 yq__media_reason(rc, why, sizeof why));
        return rc == AVERROR(ENOMEM) ? YQ_STATUS_OUT_OF_MEMORY : YQ_STATUS_IO;
    }
    return YQ_STATUS_OK;
}

const char *yq_video_writer_errmsg(const struct yq_video_writer *w)
{
    return w ? w->msg : "";
}

enum yq_status yq_video_writer_close(struct yq_video_writer *w, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (err && err_cap) err[0] = '\0';
    if (!w) return YQ_STATUS_OK;
    yq__media_log_clear();
    enum yq_status st = YQ_STATUS_OK;
    char why[200];
    int rc = encode(w, NULL);
    if (rc < 0)
        st = yq__errf(&e, YQ_STATUS_IO, "%s: cannot flush the encoder: %s", w->oc->url,
                      yq__media_reason(rc, why, sizeof why));
    if (w->header_written && (rc = av_write_trailer(w->oc)) < 0 && !st)
        st = yq__errf(&e, YQ_STATUS_IO, "%s: cannot finish the file: %s", w->oc->url,
                      yq__media_reason(rc, why, sizeof why));
    if (!(w->oc->oformat->flags & AVFMT_NOFILE) && w->oc->pb) {
        if (avio_closep(&w->oc->pb) < 0 && !st)
            st = yq__errf(&e, YQ_STATUS_IO, "%s: write error on close", w->oc->url);
    }
    destroy(w);
    return st;
}
