/* SPDX-License-Identifier: Apache-2.0 */
/* yq_video_reader: demux + decode any FFmpeg input (file, RTSP/HTTP URL, V4L2 camera when
 * libavdevice is present) into RGB24 frames for the streaming pipeline. An interrupt callback
 * bounds every blocking open/read so a dead network source cannot hang a pipeline stage. */
#include "yoloq/media.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/time.h>

#include "media/media.h"

/* Longest wait for a network source to answer (open or next packet), in microseconds. */
#define IO_TIMEOUT_US (10 * 1000 * 1000)

struct yq_video_reader {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    int si;
    struct yq__rgb_conv conv;
    int width, height;
    double fps;
    AVRational tb;
    int64_t start;    /* stream start time in tb, 0 when unknown */
    int64_t n_frames; /* frames returned so far (pts fallback) */
    int64_t deadline; /* av_gettime_relative() limit for the blocking call in progress */
    bool flushing;    /* input exhausted, decoder draining */
    bool closed;      /* end of stream reported */
    char msg[256];
};

static int interrupt_cb(void *opaque)
{
    const struct yq_video_reader *r = opaque;
    return r->deadline && av_gettime_relative() > r->deadline;
}

static bool is_url(const char *s)
{
    return strstr(s, "://") != NULL;
}

void yq_video_close(struct yq_video_reader *r)
{
    if (!r) return;
    yq__media_conv_free(&r->conv);
    av_frame_free(&r->frame);
    av_packet_free(&r->pkt);
    avcodec_free_context(&r->dec);
    avformat_close_input(&r->fmt);
    yq__free(r);
}

enum yq_status yq_video_open(const char *url, struct yq_video_reader **out, char *err,
                             size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (err && err_cap) err[0] = '\0';
    if (out) *out = NULL;
    if (!url || !*url || !out)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "yq_video_open: NULL %s",
                        out ? "url" : "output");
    yq__media_init();
    yq__media_log_clear();

    const AVInputFormat *ifmt = NULL;
    if (strncmp(url, "/dev/video", 10) == 0) {
        ifmt = av_find_input_format("video4linux2");
        if (!ifmt)
            return yq__errf(&e, YQ_STATUS_UNSUPPORTED,
                            "%s: camera input needs FFmpeg's video4linux2 device (libavdevice), "
                            "which this build does not link",
                            url);
    } else if (!is_url(url)) {
        struct stat sb;
        if (stat(url, &sb) != 0) return yq__errf(&e, YQ_STATUS_IO, "%s: no such file", url);
        if (S_ISDIR(sb.st_mode))
            return yq__errf(&e, YQ_STATUS_IO, "%s: is a directory, not a video", url);
    }

    enum yq_status st = YQ_STATUS_OK;
    char why[256];
    int rc;
    AVDictionary *opts = NULL;
    struct yq_video_reader *r = yq__calloc(1, sizeof *r);
    if (!r) return yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", url);
    r->fmt = avformat_alloc_context();
    r->pkt = av_packet_alloc();
    r->frame = av_frame_alloc();
    if (!r->fmt || !r->pkt || !r->frame) {
        st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", url);
        goto fail;
    }
    r->fmt->interrupt_callback.callback = interrupt_cb;
    r->fmt->interrupt_callback.opaque = r;
    if (strncmp(url, "rtsp://", 7) == 0 || strncmp(url, "rtsps://", 8) == 0)
        av_dict_set(&opts, "rtsp_transport", "tcp", 0); /* UDP loses frames on busy links */
    r->deadline = av_gettime_relative() + IO_TIMEOUT_US;
    rc = avformat_open_input(&r->fmt, url, ifmt, &opts);
    av_dict_free(&opts);
    if (rc < 0) {
        r->fmt = NULL; /* freed by avformat_open_input */
        st = yq__errf(&e, YQ_STATUS_IO, "%s: cannot open: %s", url,
                      rc == AVERROR_EXIT ? "no answer within 10 s"
                                         : yq__media_reason(rc, why, sizeof why));
        goto fail;
    }
    if ((rc = avformat_find_stream_info(r->fmt, NULL)) < 0) {
        st = yq__errf(&e, YQ_STATUS_BAD_INPUT, "%s: cannot read stream info: %s", url,
                      yq__media_reason(rc, why, sizeof why));
        goto fail;
    }
    const AVCodec *codec = NULL;
    r->si = av_find_best_stream(r->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (r->si < 0 || !codec) {
        st = yq__errf(&e, YQ_STATUS_BAD_INPUT, "%s: %s", url,
                      r->si == AVERROR_DECODER_NOT_FOUND ? "no decoder for its video stream"
                                                         : "no video stream");
        goto fail;
    }
    AVStream *vs = r->fmt->streams[r->si];
    r->dec = avcodec_alloc_context3(codec);
    if (!r->dec) {
        st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", url);
        goto fail;
    }
    if ((rc = avcodec_parameters_to_context(r->dec, vs->codecpar)) < 0 ||
        (r->dec->thread_count = 0, (rc = avcodec_open2(r->dec, codec, NULL)) < 0)) {
        st = yq__errf(&e, YQ_STATUS_BAD_INPUT, "%s: cannot open the %s decoder: %s", url,
                      codec->name, yq__media_reason(rc, why, sizeof why));
        goto fail;
    }
    /* Only this stream matters; the demuxer can drop the rest early. */
    for (unsigned i = 0; i < r->fmt->nb_streams; i++)
        if ((int)i != r->si) r->fmt->streams[i]->discard = AVDISCARD_ALL;
    r->width = vs->codecpar->width;
    r->height = vs->codecpar->height;
    AVRational fr = av_guess_frame_rate(r->fmt, vs, NULL);
    r->fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0.0;
    r->tb = vs->time_base;
    r->start = vs->start_time != AV_NOPTS_VALUE ? vs->start_time : 0;
    r->deadline = 0;
    *out = r;
    return YQ_STATUS_OK;
fail:
    yq_video_close(r);
    return st;
}

static enum yq_status fail_read(struct yq_video_reader *r, enum yq_status st, const char *what,
                                int rc)
{
    char why[200];
    snprintf(r->msg, sizeof r->msg, "%s: %s", what,
             rc == AVERROR_EXIT ? "no data within 10 s" : yq__media_reason(rc, why, sizeof why));
    r->deadline = 0;
    return st;
}

enum yq_status yq_video_read(struct yq_video_reader *r, struct yq_image *frame, int64_t *pts_ms)
{
    if (!r || !frame) return YQ_STATUS_INVALID_ARGUMENT;
    if (r->closed) return YQ_STATUS_CLOSED;
    yq__media_log_clear();
    r->msg[0] = '\0';
    for (;;) {
        int rc = avcodec_receive_frame(r->dec, r->frame);
        if (rc == 0) break;
        if (rc == AVERROR_EOF) {
            r->closed = true;
            return YQ_STATUS_CLOSED;
        }
        if (rc != AVERROR(EAGAIN))
            return fail_read(r, YQ_STATUS_BAD_INPUT, "cannot decode video", rc);
        r->deadline = av_gettime_relative() + IO_TIMEOUT_US;
        rc = av_read_frame(r->fmt, r->pkt);
        r->deadline = 0;
        if (rc == AVERROR_EOF) {
            /* Drain the frames the decoder still holds (B-frame/thread delay). */
            rc = avcodec_send_packet(r->dec, NULL);
            if (rc < 0 && rc != AVERROR_EOF)
                return fail_read(r, YQ_STATUS_BAD_INPUT, "cannot decode video", rc);
            r->flushing = true;
            continue;
        }
        if (rc < 0) return fail_read(r, YQ_STATUS_IO, "cannot read video", rc);
        if (r->pkt->stream_index == r->si) {
            rc = avcodec_send_packet(r->dec, r->pkt);
            /* A damaged packet in a live stream costs a frame, not the stream. */
            if (rc < 0 && rc != AVERROR_INVALIDDATA && rc != AVERROR(EAGAIN)) {
                av_packet_unref(r->pkt);
                return fail_read(r, YQ_STATUS_BAD_INPUT, "cannot decode video", rc);
            }
        }
        av_packet_unref(r->pkt);
    }

    struct yq__err e = {r->msg, sizeof r->msg};
    enum yq_status st = yq__media_frame_to_rgb(&r->conv, r->frame, frame, &e);
    int64_t ts = r->frame->best_effort_timestamp;
    av_frame_unref(r->frame);
    if (st) return st;
    if (pts_ms) {
        if (ts != AV_NOPTS_VALUE)
            *pts_ms = av_rescale_q(ts - r->start, r->tb, (AVRational){1, 1000});
        else
            *pts_ms = r->fps > 0 ? (int64_t)(r->n_frames * 1000.0 / r->fps) : 0;
    }
    r->n_frames++;
    return YQ_STATUS_OK;
}

void yq_video_info(const struct yq_video_reader *r, int *width, int *height, double *fps)
{
    if (width) *width = r ? r->width : 0;
    if (height) *height = r ? r->height : 0;
    if (fps) *fps = r ? r->fps : 0.0;
}

const char *yq_video_errmsg(const struct yq_video_reader *r)
{
    return r ? r->msg : "";
}
