/* SPDX-License-Identifier: Apache-2.0 */
/* JPEG planes -> RGB24 the way libjpeg-turbo does it by default (what cv2.imread sees):
 * "fancy" triangle-filter chroma upsampling (jdsample.c h2v1/h1v2/h2v2_fancy_upsample, with
 * their alternating rounding biases and replicated edge rows/columns) and the fixed-point
 * YCbCr->RGB of jdcolor.c (16-bit fractions, 1.402/1.772/-0.71414/-0.34414). swscale's filters
 * and matrices differ from these by up to ~30 levels at chroma edges. */
#include "media/media.h"

#include <libavutil/pixdesc.h>

#define SCALEBITS 16
#define ONE_HALF ((int32_t)1 << (SCALEBITS - 1))
#define FIX(x) ((int32_t)((x) * (1L << SCALEBITS) + 0.5))

/* floor(v / 2^16) without relying on >> of a negative value (implementation-defined in C;
 * libjpeg's RIGHT_SHIFT is an arithmetic shift, i.e. floor). */
static int32_t shr16(int32_t v)
{
    return v >= 0 ? v >> SCALEBITS : -(int32_t)(((uint32_t)-v + 0xFFFFu) >> SCALEBITS);
}

static bool full_range_yuv(const AVFrame *f, const AVPixFmtDescriptor **out)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    *out = d;
    if (!d || (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_ALPHA |
                           AV_PIX_FMT_FLAG_BITSTREAM | AV_PIX_FMT_FLAG_FLOAT)))
        return false;
    for (int c = 0; c < d->nb_components; c++)
        if (d->comp[c].depth != 8 || d->comp[c].step != 1 || d->comp[c].shift != 0 ||
            d->comp[c].plane != c)
            return false;
    if (d->nb_components == 1) return true; /* gray: libjpeg copies Y to R, G and B */
    if (d->nb_components != 3 || !(d->flags & AV_PIX_FMT_FLAG_PLANAR)) return false;
    if (d->log2_chroma_w > 2 || d->log2_chroma_h > 2) return false;
    return yq__frame_full_range(f);
}

bool yq__jpeg_rgb_supported(const AVFrame *f)
{
    const AVPixFmtDescriptor *d;
    return full_range_yuv(f, &d);
}

/* One full-width chroma row for output row y of a plane subsampled by (1<<sw, 1<<sh).
 * colsum has room for cw ints; out for w + 8 bytes (the fancy paths write 2*cw <= w + 1). */
static void upsample_row(const uint8_t *plane, int stride, int cw, int ch, int sw, int sh, int y,
                         int w, int32_t *colsum, uint8_t *out)
{
    if (sw == 1 && sh == 0 && cw > 2) { /* h2v1_fancy_upsample */
        const uint8_t *in = plane + (size_t)y * stride;
        out[0] = in[0];
        out[1] = (uint8_t)((in[0] * 3 + in[1] + 2) >> 2);
        for (int i = 1; i < cw - 1; i++) {
            int v = in[i] * 3;
            out[2 * i] = (uint8_t)((v + in[i - 1] + 1) >> 2);
            out[2 * i + 1] = (uint8_t)((v + in[i + 1] + 2) >> 2);
        }
        out[2 * cw - 2] = (uint8_t)((in[cw - 1] * 3 + in[cw - 2] + 1) >> 2);
        out[2 * cw - 1] = in[cw - 1];
        return;
    }
    if (sh == 1 && (sw == 0 || (sw == 1 && cw > 2))) {
        /* Vertical triangle: nearest chroma row 3/4, the next nearest (above for even output
         * rows, below for odd; jdmainct replicates the first/last row at the edges) 1/4. */
        int near = y >> 1, far = (y & 1) ? near + 1 : near - 1;
        if (far < 0) far = 0;
        if (far > ch - 1) far = ch - 1;
        const uint8_t *in0 = plane + (size_t)near * stride, *in1 = plane + (size_t)far * stride;
        if (sw == 0) { /* h1v2_fancy_upsample: bias 1 above, 2 below */
            int bias = (y & 1) ? 2 : 1;
            for (int i = 0; i < cw; i++) out[i] = (uint8_t)((in0[i] * 3 + in1[i] + bias) >> 2);
            return;
        }
        /* h2v2_fancy_upsample: then horizontally on the column sums, biases 8 / 7. */
        for (int i = 0; i < cw; i++) colsum[i] = in0[i] * 3 + in1[i];
        out[0] = (uint8_t)((colsum[0] * 4 + 8) >> 4);
        out[1] = (uint8_t)((colsum[0] * 3 + colsum[1] + 7) >> 4);
        for (int i = 1; i < cw - 1; i++) {
            out[2 * i] = (uint8_t)((colsum[i] * 3 + colsum[i - 1] + 8) >> 4);
            out[2 * i + 1] = (uint8_t)((colsum[i] * 3 + colsum[i + 1] + 7) >> 4);
        }
        out[2 * cw - 2] = (uint8_t)((colsum[cw - 1] * 3 + colsum[cw - 2] + 8) >> 4);
        out[2 * cw - 1] = (uint8_t)((colsum[cw - 1] * 4 + 7) >> 4);
        return;
    }
    /* Full size, or libjpeg's box replication (int_upsample; h2v1/h2v2 of width <= 2). */
    const uint8_t *in = plane + (size_t)(y >> sh) * stride;
    for (int x = 0; x < w; x++) out[x] = in[x >> sw];
}

enum yq_status yq__jpeg_frame_to_rgb(const AVFrame *f, struct yq_image *img, struct yq__err *e)
{
    const AVPixFmtDescriptor *d;
    if (!full_range_yuv(f, &d))
        return yq__errf(e, YQ_STATUS_UNSUPPORTED, "not a JPEG YCbCr/gray frame");
    int w = f->width, h = f->height;
    if (w <= 0 || h <= 0 || w > 65535 || h > 65535)
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "frame size %dx%d out of range", w, h);
    if (!img->data || img->width != w || img->height != h) {
        yq_image_free(img);
        enum yq_status st = yq_image_alloc(img, w, h);
        if (st) return yq__errf(e, st, "cannot allocate a %dx%d image", w, h);
    }
    if (d->nb_components == 1) {
        for (int y = 0; y < h; y++) {
            const uint8_t *in = f->data[0] + (size_t)y * f->linesize[0];
            uint8_t *o = img->data + (size_t)y * img->stride;
            for (int x = 0; x < w; x++) o[3 * x] = o[3 * x + 1] = o[3 * x + 2] = in[x];
        }
        return YQ_STATUS_OK;
    }
    int sw = d->log2_chroma_w, sh = d->log2_chroma_h;
    int cw = -((-w) >> sw), ch = -((-h) >> sh); /* AV_CEIL_RSHIFT */
    /* jdcolor.c build_ycc_rgb_table, indexed by the 8-bit sample. */
    int32_t cr_r[256], cb_b[256], cr_g[256], cb_g[256];
    for (int i = 0; i < 256; i++) {
        int32_t x = i - 128;
        cr_r[i] = shr16(FIX(1.40200) * x + ONE_HALF);
        cb_b[i] = shr16(FIX(1.77200) * x + ONE_HALF);
        cr_g[i] = -FIX(0.71414) * x;
        cb_g[i] = -FIX(0.34414) * x + ONE_HALF;
    }
    /* Row buffers: two upsampled chroma rows (2*cw may be w+1) and the column sums. */
    size_t row = (size_t)w + 8;
    int32_t *colsum = yq__malloc((size_t)cw * sizeof(int32_t) + 2 * row);
    if (!colsum) return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "out of memory converting to RGB");
    uint8_t *cb = (uint8_t *)(colsum + cw), *cr = cb + row;
    for (int y = 0; y < h; y++) {
        upsample_row(f->data[1], f->linesize[1], cw, ch, sw, sh, y, w, colsum, cb);
        upsample_row(f->data[2], f->linesize[2], cw, ch, sw, sh, y, w, colsum, cr);
        const uint8_t *yr = f->data[0] + (size_t)y * f->linesize[0];
        uint8_t *o = img->data + (size_t)y * img->stride;
        for (int x = 0; x < w; x++) {
            int yy = yr[x], u = cb[x], v = cr[x];
            int r = yy + cr_r[v];
            int g = yy + shr16(cb_g[u] + cr_g[v]);
            int b = yy + cb_b[u];
            o[3 * x] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
            o[3 * x + 1] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
            o[3 * x + 2] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
        }
    }
    yq__free(colsum);
    return YQ_STATUS_OK;
}
