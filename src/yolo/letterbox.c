/* SPDX-License-Identifier: Apache-2.0 */
/* Letterbox: the geometry of YOLOv5/v8 (centred), YOLOX (top-left) and FastestDet (stretch)
 * pre-processing, the pixels (resize + pad, RGB or BGR), and the inverse mapping of boxes
 * back to original-image pixels. */
#include "yoloq/yolo.h"

#include <math.h>
#include <string.h>
#include "core/core.h"

void yq_letterbox_options_init(struct yq_letterbox_options *o, enum yq_letterbox mode)
{
    if (!o) return;
    o->mode = mode;
    o->interp = mode == YQ_LETTERBOX_STRETCH ? YQ_RESIZE_AREA : YQ_RESIZE_LINEAR;
    o->bgr = false;
    o->pad_value = 114;
}

static bool size_ok(int v)
{
    return v >= 1 && v <= 65535;
}

enum yq_status yq_letterbox_plan(int src_w, int src_h, int dst_w, int dst_h, enum yq_letterbox mode,
                                 struct yq_letterbox_info *info, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!info) return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "letterbox: info is NULL");
    memset(info, 0, sizeof *info);
    if (!size_ok(src_w) || !size_ok(src_h) || !size_ok(dst_w) || !size_ok(dst_h))
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                        "letterbox: sizes %dx%d -> %dx%d must be in 1..65535", src_w, src_h, dst_w,
                        dst_h);
    /* r as Python computes it: min of two float64 divisions. */
    double r = YQ_MIN((double)dst_h / src_h, (double)dst_w / src_w);
    int rw, rh, left = 0, top = 0;
    switch (mode) {
    case YQ_LETTERBOX_CENTER: {
        /* yolov5 letterbox(): Python round() is half-to-even, which rint() is by default. */
        rw = (int)rint(src_w * r);
        rh = (int)rint(src_h * r);
        double dw = (dst_w - rw) / 2.0, dh = (dst_h - rh) / 2.0;
        left = (int)rint(dw - 0.1);
        top = (int)rint(dh - 0.1);
        break;
    }
    case YQ_LETTERBOX_TOPLEFT:
        rw = (int)(src_w * r);
        rh = (int)(src_h * r);
        break;
    case YQ_LETTERBOX_STRETCH:
        rw = dst_w;
        rh = dst_h;
        break;
    default:
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "letterbox: unknown mode %d", (int)mode);
    }
    rw = YQ_MAX(1, YQ_MIN(rw, dst_w));
    rh = YQ_MAX(1, YQ_MIN(rh, dst_h));
    left = YQ_MAX(0, YQ_MIN(left, dst_w - rw));
    top = YQ_MAX(0, YQ_MIN(top, dst_h - rh));
    info->src_w = src_w;
    info->src_h = src_h;
    info->dst_w = dst_w;
    info->dst_h = dst_h;
    info->resized_w = rw;
    info->resized_h = rh;
    info->pad_left = left;
    info->pad_top = top;
    info->scale_x = (float)((double)rw / src_w);
    info->scale_y = (float)((double)rh / src_h);
    return YQ_STATUS_OK;
}

enum yq_status yq_letterbox(const struct yq_image *src, int dst_w, int dst_h,
                            const struct yq_letterbox_options *opt, uint8_t *dst, size_t dst_size,
                            struct yq_letterbox_info *info, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    struct yq_letterbox_options def;
    if (!opt) {
        yq_letterbox_options_init(&def, YQ_LETTERBOX_CENTER);
        opt = &def;
    }
    if (!src || !src->data || !dst)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "letterbox: NULL image or buffer");
    if (!size_ok(src->width) || !size_ok(src->height) || src->stride < 3 * src->width)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                        "letterbox: bad source image %dx%d stride %d", src->width, src->height,
                        src->stride);
    struct yq_letterbox_info li;
    enum yq_status st =
        yq_letterbox_plan(src->width, src->height, dst_w, dst_h, opt->mode, &li, err, err_cap);
    if (st) return st;
    size_t row = (size_t)dst_w * 3, need = row * (size_t)dst_h;
    if (dst_size < need)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                        "letterbox: output buffer holds %zu bytes, %dx%dx3 needs %zu", dst_size,
                        dst_w, dst_h, need);
    memset(dst, opt->pad_value, need);
    uint8_t *at = dst + (size_t)li.pad_top * row + (size_t)li.pad_left * 3;
    st = yq_resize_u8(src->data, src->width, src->height, (size_t)src->stride, at, li.resized_w,
                      li.resized_h, row, 3, opt->interp);
    if (st)
        return yq__errf(&e, st, "letterbox: resize %dx%d -> %dx%d: %s", src->width, src->height,
                        li.resized_w, li.resized_h, yq_status_str(st));
    if (opt->bgr) {
        for (int y = 0; y < li.resized_h; y++) {
            uint8_t *p = at + (size_t)y * row;
            for (int x = 0; x < li.resized_w; x++, p += 3) {
                uint8_t t = p[0];
                p[0] = p[2];
                p[2] = t;
            }
        }
    }
    if (info) *info = li;
    return YQ_STATUS_OK;
}

static float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void yq_letterbox_unmap(const struct yq_letterbox_info *info, struct yq_detection *dets, size_t n)
{
    if (!info || !dets || info->scale_x <= 0 || info->scale_y <= 0) return;
    float sx = info->scale_x, sy = info->scale_y;
    float px = (float)info->pad_left, py = (float)info->pad_top;
    float w = (float)info->src_w, h = (float)info->src_h;
    for (size_t i = 0; i < n; i++) {
        struct yq_detection *d = &dets[i];
        d->x1 = clampf((d->x1 - px) / sx, 0, w);
        d->x2 = clampf((d->x2 - px) / sx, 0, w);
        d->y1 = clampf((d->y1 - py) / sy, 0, h);
        d->y2 = clampf((d->y2 - py) / sy, 0, h);
    }
}
