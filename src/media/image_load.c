/* SPDX-License-Identifier: Apache-2.0 */
/* yq_image_load / yq_image_load_memory: the whole file is read into memory and decoded through
 * a custom AVIOContext, so a path is never taken as an image2 pattern ("%03d"), and missing
 * files, directories and empty files get their own messages before FFmpeg sees anything.
 * Only image demuxers are accepted, so a video or random bytes is "not an image". */
#include "yoloq/media.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/mem.h>

#include "media/media.h"

/* Larger files are refused rather than read: no sane still image needs this much. */
#define MAX_IMAGE_FILE ((size_t)1 << 30)

struct mem_src {
    const uint8_t *data;
    size_t size;
    size_t pos;
};

static int mem_read(void *opaque, uint8_t *buf, int n)
{
    struct mem_src *m = opaque;
    if (m->pos >= m->size) return AVERROR_EOF;
    size_t left = m->size - m->pos;
    size_t k = n > 0 ? YQ_MIN((size_t)n, left) : 0;
    memcpy(buf, m->data + m->pos, k);
    m->pos += k;
    return (int)k;
}

static int64_t mem_seek(void *opaque, int64_t off, int whence)
{
    struct mem_src *m = opaque;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
        return (int64_t)m->size;
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = (int64_t)m->pos;
        break;
    case SEEK_END:
        base = (int64_t)m->size;
        break;
    default:
        return AVERROR(EINVAL);
    }
    if (off < -base || base + off > (int64_t)m->size) return AVERROR(EINVAL);
    m->pos = (size_t)(base + off);
    return (int64_t)m->pos;
}

/* Demuxers that hold still images (image2pipe family, plus GIF/APNG first frames). */
static bool is_image_demuxer(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, "_pipe") == 0) || strcmp(name, "gif") == 0 ||
           strcmp(name, "apng") == 0 || strcmp(name, "image2") == 0;
}

/* Receives one frame from `dec`; 0 when got, AVERROR(EAGAIN)/AVERROR_EOF when none yet. */
static int take_frame(AVCodecContext *dec, AVFrame *frame, bool *got)
{
    int r = avcodec_receive_frame(dec, frame);
    if (r == 0) *got = true;
    return r;
}

static enum yq_status decode(const uint8_t *data, size_t size, const char *name,
                             struct yq_image *out, struct yq__err *e)
{
    enum yq_status st = YQ_STATUS_OK;
    char why[256];
    struct mem_src src = {data, size, 0};
    AVIOContext *avio = NULL;
    AVFormatContext *fmt = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = NULL;
    AVFrame *frame = NULL;
    struct yq__rgb_conv conv = {.still = true};
    uint8_t *iobuf = NULL;
    int r;

    yq__media_log_clear();
    if (size == 0)
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: cannot decode image: empty file", name);
    enum { IOBUF = 1 << 16 };
    iobuf = av_malloc(IOBUF);
    fmt = avformat_alloc_context();
    pkt = av_packet_alloc();
    frame = av_frame_alloc();
    if (!iobuf || !fmt || !pkt || !frame) goto oom;
    avio = avio_alloc_context(iobuf, IOBUF, 0, &src, mem_read, NULL, mem_seek);
    if (!avio) goto oom;
    iobuf = NULL; /* owned by avio now (it may replace the buffer) */
    fmt->pb = avio;
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    r = avformat_open_input(&fmt, "", NULL, NULL);
    if (r < 0) {
        /* avformat_open_input frees fmt on failure (not the custom pb). */
        fmt = NULL;
        if (r == AVERROR_INVALIDDATA) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT,
                          "%s: cannot decode image: not a recognised image format", name);
        } else {
            st =
                yq__errf(e, r == AVERROR(ENOMEM) ? YQ_STATUS_OUT_OF_MEMORY : YQ_STATUS_BAD_INPUT,
                         "%s: cannot decode image: %s", name, yq__media_reason(r, why, sizeof why));
        }
        goto done;
    }
    if (!is_image_demuxer(fmt->iformat->name)) {
        st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: cannot decode image: not an image (%s data)",
                      name, fmt->iformat->name);
        goto done;
    }
    int si = -1;
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        if (fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
            si = (int)i;
            break;
        }
    if (si < 0) {
        st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: cannot decode image: no picture in the file",
                      name);
        goto done;
    }
    const AVCodecParameters *par = fmt->streams[si]->codecpar;
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec) {
        st = yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: cannot decode image: no %s decoder in FFmpeg",
                      name, avcodec_get_name(par->codec_id));
        goto done;
    }
    dec = avcodec_alloc_context3(codec);
    if (!dec) goto oom;
    if ((r = avcodec_parameters_to_context(dec, par)) < 0) goto fferr;
    dec->thread_count = 1;
    dec->flags |= AV_CODEC_FLAG_BITEXACT;
    /* libjpeg's ISLOW IDCT works columns-then-rows, FFmpeg's integer ports rows-then-columns;
     * of FFmpeg's IDCTs the float AAN one rounds closest to it (bus.jpg: 1.9% of Y samples
     * off by 1, vs 2.5% "simple", 2.7% "int"). */
    if (par->codec_id == AV_CODEC_ID_MJPEG) dec->idct_algo = FF_IDCT_FAAN;
    /* Fail on damaged data rather than hand back a half-grey picture. */
    dec->err_recognition |= AV_EF_EXPLODE;
    if ((r = avcodec_open2(dec, codec, NULL)) < 0) goto fferr;

    bool got = false;
    while (!got) {
        r = av_read_frame(fmt, pkt);
        if (r == AVERROR_EOF) break;
        if (r < 0) goto fferr;
        if (pkt->stream_index == si) {
            r = avcodec_send_packet(dec, pkt);
            av_packet_unref(pkt);
            if (r < 0 && r != AVERROR(EAGAIN)) goto fferr;
            r = take_frame(dec, frame, &got);
            if (r < 0 && r != AVERROR(EAGAIN)) goto fferr;
        } else {
            av_packet_unref(pkt);
        }
    }
    if (!got) {
        /* Drain: frame-delayed decoders hand the picture out only on flush. */
        r = avcodec_send_packet(dec, NULL);
        if (r < 0 && r != AVERROR_EOF) goto fferr;
        r = take_frame(dec, frame, &got);
        if (r < 0 && r != AVERROR_EOF) goto fferr;
    }
    if (!got || frame->decode_error_flags || (frame->flags & AV_FRAME_FLAG_CORRUPT)) {
        r = AVERROR_INVALIDDATA;
        goto fferr;
    }
    /* JPEG: libjpeg's own upsampling and colour maths, so pixels match cv2.imread. */
    if (par->codec_id == AV_CODEC_ID_MJPEG && yq__jpeg_rgb_supported(frame))
        st = yq__jpeg_frame_to_rgb(frame, out, e);
    else
        st = yq__media_frame_to_rgb(&conv, frame, out, e);
    if (st) yq__err_prefix(e, "%s: cannot decode image", name);
    goto done;

fferr:
    /* Past the header every failure is damaged data; FFmpeg's own words go in brackets. */
    if (r == AVERROR(ENOMEM))
        st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: cannot decode image: out of memory", name);
    else
        st = yq__errf(e, YQ_STATUS_BAD_INPUT,
                      "%s: cannot decode image: corrupt or truncated %s data (FFmpeg: %s)", name,
                      dec ? dec->codec->name : "image", yq__media_reason(r, why, sizeof why));
    goto done;
oom:
    st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: cannot decode image: out of memory", name);
done:
    yq__media_conv_free(&conv);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    if (avio) av_freep(&avio->buffer);
    avio_context_free(&avio);
    av_free(iobuf);
    if (st) yq_image_free(out);
    return st;
}

enum yq_status yq_image_load_memory(const void *data, size_t size, struct yq_image *out, char *err,
                                    size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (err && err_cap) err[0] = '\0';
    if (!out || (!data && size))
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "<memory>: cannot decode image: %s",
                        out ? "NULL data" : "NULL output image");
    *out = (struct yq_image){0};
    if (size > (size_t)INT64_MAX)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "<memory>: image too large");
    yq__media_init();
    return decode(data, size, "<memory>", out, &e);
}

enum yq_status yq_image_load(const char *path, struct yq_image *out, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (err && err_cap) err[0] = '\0';
    if (!path || !out)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "yq_image_load: NULL %s",
                        path ? "output image" : "path");
    *out = (struct yq_image){0};
    yq__media_init();

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int en = errno;
        if (en == ENOENT || en == ENOTDIR)
            return yq__errf(&e, YQ_STATUS_IO, "%s: no such file", path);
        if (en == EACCES) return yq__errf(&e, YQ_STATUS_IO, "%s: permission denied", path);
        return yq__errf(&e, YQ_STATUS_IO, "%s: cannot open: %s", path, strerror(en));
    }
    struct stat sb;
    enum yq_status st = YQ_STATUS_OK;
    uint8_t *buf = NULL;
    if (fstat(fd, &sb) != 0) {
        st = yq__errf(&e, YQ_STATUS_IO, "%s: cannot stat: %s", path, strerror(errno));
        goto done;
    }
    if (S_ISDIR(sb.st_mode)) {
        st = yq__errf(&e, YQ_STATUS_IO, "%s: is a directory, not an image file", path);
        goto done;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = yq__errf(&e, YQ_STATUS_IO, "%s: not a regular file", path);
        goto done;
    }
    if (sb.st_size < 0 || (uint64_t)sb.st_size > MAX_IMAGE_FILE) {
        st = yq__errf(&e, YQ_STATUS_BAD_INPUT,
                      "%s: cannot decode image: file too large (%lld bytes)", path,
                      (long long)sb.st_size);
        goto done;
    }
    size_t size = (size_t)sb.st_size;
    buf = yq__malloc(size);
    if (!buf) {
        st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory reading %zu bytes", path,
                      size);
        goto done;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t k = read(fd, buf + got, size - got);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            st = yq__errf(&e, YQ_STATUS_IO, "%s: read error: %s", path, strerror(errno));
            goto done;
        }
        if (k == 0) break; /* shrank under us: decode what is there */
        got += (size_t)k;
    }
    st = decode(buf, got, path, out, &e);
done:
    yq__free(buf);
    close(fd);
    return st;
}
