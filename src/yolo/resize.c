/* SPDX-License-Identifier: Apache-2.0 */
/* 8-bit image resampling that reproduces OpenCV 4.x cv2.resize (INTER_LINEAR, INTER_AREA)
 * bit for bit on its SSE2/NEON builds, so a model calibrated and validated on cv2-letterboxed
 * images sees the same pixels here. Written from the documented algorithm: the weights,
 * rounding and edge rules below are OpenCV's, the code is ours. */
#include "yoloq/yolo.h"

#include <math.h>
#include <string.h>
#include "core/core.h"

enum { COEF_BITS = 11, COEF_SCALE = 1 << COEF_BITS };

/* cvRound on float: round half to even under the default FP environment. */
static int round_f(float v)
{
    return (int)lrintf(v);
}

static int16_t coef(float v)
{
    int r = round_f(v * (float)COEF_SCALE);
    return (int16_t)(r < -32768 ? -32768 : r > 32767 ? 32767 : r);
}

static uint8_t sat_u8(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* Bilinear with 11-bit weights. The vertical pass follows OpenCV's SIMD kernel
 * (VResizeLinearVec_32s8u), which is what runs for all but the last (width % 8) values of a
 * row: ((S0>>4)*b0 >> 16) + ((S1>>4)*b1 >> 16), then (t + 2) >> 2; the tail uses the exact
 * scalar (S0*b0 + S1*b1 + 2^21) >> 22. Rows are clamped but, like OpenCV, the vertical
 * weight is not reset at the borders (the horizontal one is). `area_mode` is INTER_AREA
 * upscaling, which OpenCV runs through this path with area-derived weights. */
static enum yq_status resize_linear(const uint8_t *src, int sw, int sh, size_t sstride,
                                    uint8_t *dst, int dw, int dh, size_t dstride, int cn,
                                    bool area_mode)
{
    double inv_sx = (double)dw / sw, inv_sy = (double)dh / sh;
    double scale_x = 1. / inv_sx, scale_y = 1. / inv_sy;
    size_t width = (size_t)dw * (size_t)cn;
    int *xofs = yq__malloc(sizeof(int) * (size_t)dw);
    int16_t *alpha = yq__malloc(sizeof(int16_t) * 2 * (size_t)dw);
    int32_t *rows = yq__malloc(sizeof(int32_t) * 2 * width);
    if (!xofs || !alpha || !rows) {
        yq__free(xofs);
        yq__free(alpha);
        yq__free(rows);
        return YQ_STATUS_OUT_OF_MEMORY;
    }
    for (int dx = 0; dx < dw; dx++) {
        float fx;
        int sx;
        if (!area_mode) {
            fx = (float)((dx + 0.5) * scale_x - 0.5);
            sx = (int)floorf(fx);
            fx -= (float)sx;
        } else {
            sx = (int)floor(dx * scale_x);
            fx = (float)((dx + 1) - (sx + 1) * inv_sx);
            fx = fx <= 0 ? 0.f : fx - floorf(fx);
        }
        if (sx < 0) fx = 0, sx = 0;
        if (sx >= sw - 1) fx = 0, sx = sw - 1;
        xofs[dx] = sx;
        alpha[2 * dx] = coef(1.f - fx);
        alpha[2 * dx + 1] = coef(fx);
    }
    int32_t *r0 = rows, *r1 = rows + width;
    size_t vec_end = width & ~(size_t)7;
    for (int dy = 0; dy < dh; dy++) {
        float fy;
        int sy;
        if (!area_mode) {
            fy = (float)((dy + 0.5) * scale_y - 0.5);
            sy = (int)floorf(fy);
            fy -= (float)sy;
        } else {
            sy = (int)floor(dy * scale_y);
            fy = (float)((dy + 1) - (sy + 1) * inv_sy);
            fy = fy <= 0 ? 0.f : fy - floorf(fy);
        }
        int b0 = coef(1.f - fy), b1 = coef(fy);
        int rowi[2];
        for (int k = 0; k < 2; k++) {
            int y = sy + k;
            rowi[k] = y < 0 ? 0 : y >= sh ? sh - 1 : y;
        }
        int32_t *hr[2] = {r0, r1};
        for (int k = 0; k < 2; k++) {
            const uint8_t *s = src + (size_t)rowi[k] * sstride;
            int32_t *d = hr[k];
            for (int dx = 0; dx < dw; dx++) {
                int sx = xofs[dx];
                const uint8_t *p = s + (size_t)sx * (size_t)cn;
                int a0 = alpha[2 * dx], a1 = alpha[2 * dx + 1];
                for (int c = 0; c < cn; c++) {
                    if (sx >= sw - 1)
                        d[dx * cn + c] = p[c] * COEF_SCALE;
                    else
                        d[dx * cn + c] = p[c] * a0 + p[c + cn] * a1;
                }
            }
        }
        uint8_t *out = dst + (size_t)dy * dstride;
        for (size_t x = 0; x < vec_end; x++) {
            /* int16 lanes: S>>4 <= 255*2048/16 = 32640 fits; mul_hi is (a*b) >> 16. */
            int s0 = r0[x] >> 4, s1 = r1[x] >> 4;
            int t = ((s0 * b0) >> 16) + ((s1 * b1) >> 16);
            out[x] = sat_u8((t + 2) >> 2);
        }
        for (size_t x = vec_end; x < width; x++)
            out[x] =
                sat_u8((r0[x] * b0 + r1[x] * b1 + (1 << (2 * COEF_BITS - 1))) >> (2 * COEF_BITS));
    }
    yq__free(xofs);
    yq__free(alpha);
    yq__free(rows);
    return YQ_STATUS_OK;
}

/* Integer-factor downscale (OpenCV resizeAreaFast): 2x2 averages as (sum + 2) >> 2, other
 * factors as round-half-even(sum * (1/area)) in float. */
static void resize_area_fast(const uint8_t *src, size_t sstride, uint8_t *dst, int dw, int dh,
                             size_t dstride, int cn, int ix, int iy)
{
    int area = ix * iy;
    float inv = 1.f / (float)area;
    for (int dy = 0; dy < dh; dy++) {
        uint8_t *out = dst + (size_t)dy * dstride;
        for (int dx = 0; dx < dw; dx++) {
            for (int c = 0; c < cn; c++) {
                int sum = 0;
                for (int yy = 0; yy < iy; yy++) {
                    const uint8_t *s = src + (size_t)(dy * iy + yy) * sstride;
                    for (int xx = 0; xx < ix; xx++)
                        sum += s[(size_t)(dx * ix + xx) * (size_t)cn + (size_t)c];
                }
                if (ix == 2 && iy == 2 && cn != 2)
                    out[dx * cn + c] = (uint8_t)((sum + 2) >> 2);
                else
                    out[dx * cn + c] = sat_u8(round_f((float)sum * inv));
            }
        }
    }
}

struct area_tab {
    int di, si; /* destination / source pixel index */
    float alpha;
};

/* OpenCV computeResizeAreaTab: each destination cell [d*scale, (d+1)*scale) gets the
 * source pixels it covers, partial ones weighted by the covered fraction (1e-3 slack). */
static int area_table(int ssize, int dsize, double scale, struct area_tab *tab)
{
    int k = 0;
    for (int dx = 0; dx < dsize; dx++) {
        double fsx1 = dx * scale, fsx2 = fsx1 + scale;
        double cell = YQ_MIN(scale, ssize - fsx1);
        int sx1 = (int)ceil(fsx1), sx2 = (int)floor(fsx2);
        sx2 = YQ_MIN(sx2, ssize - 1);
        sx1 = YQ_MIN(sx1, sx2);
        if (sx1 - fsx1 > 1e-3)
            tab[k++] = (struct area_tab){dx, sx1 - 1, (float)((sx1 - fsx1) / cell)};
        for (int sx = sx1; sx < sx2; sx++)
            tab[k++] = (struct area_tab){dx, sx, (float)(1.0 / cell)};
        if (fsx2 - sx2 > 1e-3)
            tab[k++] =
                (struct area_tab){dx, sx2, (float)(YQ_MIN(YQ_MIN(fsx2 - sx2, 1.), cell) / cell)};
    }
    return k;
}

/* Non-integer downscale (OpenCV resizeArea_): float accumulation in OpenCV's order —
 * horizontal sums per source row, then rows weighted and added, round half to even. */
static enum yq_status resize_area(const uint8_t *src, int sw, int sh, size_t sstride, uint8_t *dst,
                                  int dw, int dh, size_t dstride, int cn, double scale_x,
                                  double scale_y)
{
    size_t width = (size_t)dw * (size_t)cn;
    struct area_tab *xt = yq__malloc(sizeof(*xt) * 2 * (size_t)sw);
    struct area_tab *yt = yq__malloc(sizeof(*yt) * 2 * (size_t)sh);
    float *buf = yq__malloc(sizeof(float) * 2 * width);
    if (!xt || !yt || !buf) {
        yq__free(xt);
        yq__free(yt);
        yq__free(buf);
        return YQ_STATUS_OUT_OF_MEMORY;
    }
    float *sum = buf + width;
    int nx = area_table(sw, dw, scale_x, xt);
    int ny = area_table(sh, dh, scale_y, yt);
    int prev_dy = ny > 0 ? yt[0].di : 0;
    memset(sum, 0, sizeof(float) * width);
    for (int j = 0; j < ny; j++) {
        float beta = yt[j].alpha;
        int dy = yt[j].di;
        const uint8_t *s = src + (size_t)yt[j].si * sstride;
        memset(buf, 0, sizeof(float) * width);
        for (int k = 0; k < nx; k++) {
            size_t si = (size_t)xt[k].si * (size_t)cn, di = (size_t)xt[k].di * (size_t)cn;
            float a = xt[k].alpha;
            for (int c = 0; c < cn; c++)
                buf[di + (size_t)c] = buf[di + (size_t)c] + (float)s[si + (size_t)c] * a;
        }
        if (dy != prev_dy) {
            uint8_t *out = dst + (size_t)prev_dy * dstride;
            for (size_t x = 0; x < width; x++) {
                out[x] = sat_u8(round_f(sum[x]));
                sum[x] = beta * buf[x];
            }
            prev_dy = dy;
        } else {
            for (size_t x = 0; x < width; x++)
                sum[x] += beta * buf[x];
        }
    }
    uint8_t *out = dst + (size_t)prev_dy * dstride;
    for (size_t x = 0; x < width; x++)
        out[x] = sat_u8(round_f(sum[x]));
    yq__free(xt);
    yq__free(yt);
    yq__free(buf);
    return YQ_STATUS_OK;
}

enum yq_status yq_resize_u8(const uint8_t *src, int sw, int sh, size_t src_stride, uint8_t *dst,
                            int dw, int dh, size_t dst_stride, int cn, enum yq_resize interp)
{
    if (!src || !dst || cn < 1 || cn > 4 || sw < 1 || sh < 1 || dw < 1 || dh < 1 || sw > 65535 ||
        sh > 65535 || dw > 65535 || dh > 65535 || src_stride < (size_t)sw * (size_t)cn ||
        dst_stride < (size_t)dw * (size_t)cn ||
        (interp != YQ_RESIZE_LINEAR && interp != YQ_RESIZE_AREA))
        return YQ_STATUS_INVALID_ARGUMENT;
    if (sw == dw && sh == dh) {
        for (int y = 0; y < sh; y++)
            memcpy(dst + (size_t)y * dst_stride, src + (size_t)y * src_stride,
                   (size_t)sw * (size_t)cn);
        return YQ_STATUS_OK;
    }
    double scale_x = 1. / ((double)dw / sw), scale_y = 1. / ((double)dh / sh);
    int ix = (int)lrint(scale_x), iy = (int)lrint(scale_y);
    bool area_fast =
        fabs(scale_x - ix) < 2.220446049250313e-16 && fabs(scale_y - iy) < 2.220446049250313e-16;
    /* OpenCV turns an exact 2x linear downscale into the (equal, faster) area average. */
    if (interp == YQ_RESIZE_LINEAR && area_fast && ix == 2 && iy == 2) interp = YQ_RESIZE_AREA;
    if (interp == YQ_RESIZE_AREA && scale_x >= 1 && scale_y >= 1) {
        if (area_fast) {
            resize_area_fast(src, src_stride, dst, dw, dh, dst_stride, cn, ix, iy);
            return YQ_STATUS_OK;
        }
        return resize_area(src, sw, sh, src_stride, dst, dw, dh, dst_stride, cn, scale_x, scale_y);
    }
    return resize_linear(src, sw, sh, src_stride, dst, dw, dh, dst_stride, cn,
                         interp == YQ_RESIZE_AREA);
}
