/* SPDX-License-Identifier: Apache-2.0 */
/* Drawing on struct yq_image for annotated output: rectangles, text in the built-in 5x7 font,
 * and the detection box + label used by `detect --save-dir` and `stream`. Every primitive
 * reduces to a clipped filled rectangle, computed in 64-bit so any int coordinates (negative,
 * huge) are safe; nothing outside the image is ever written. */
#include "yoloq/media.h"

#include <string.h>

#include "media/media.h"

/* 20 distinct, saturated colours (RGB) in the spirit of detector demo palettes; chosen for
 * yoloq so neighbouring class ids differ clearly. */
static const uint8_t palette[20][3] = {
    {255, 56, 56},   {255, 159, 64}, {250, 220, 40},  {120, 220, 40}, {30, 190, 90},
    {0, 210, 200},   {40, 150, 255}, {70, 80, 230},   {150, 70, 255}, {230, 60, 200},
    {255, 120, 150}, {180, 110, 60}, {140, 200, 120}, {0, 120, 130},  {110, 160, 220},
    {200, 160, 255}, {170, 30, 80},  {255, 200, 140}, {90, 110, 20},  {160, 160, 160},
};

static bool usable(const struct yq_image *img)
{
    return img && img->data && img->width > 0 && img->height > 0 && img->stride >= 3 * img->width;
}

/* Fills [x1,x2] x [y1,y2] (inclusive, x1<=x2, y1<=y2 expected) clipped to the image. */
static void fill(struct yq_image *img, int64_t x1, int64_t y1, int64_t x2, int64_t y2, uint8_t r,
                 uint8_t g, uint8_t b)
{
    if (x1 < 0) x1 = 0;
    if (y1 < 0) y1 = 0;
    if (x2 > img->width - 1) x2 = img->width - 1;
    if (y2 > img->height - 1) y2 = img->height - 1;
    if (x1 > x2 || y1 > y2) return;
    for (int64_t y = y1; y <= y2; y++) {
        uint8_t *p = img->data + (size_t)y * (size_t)img->stride + (size_t)x1 * 3;
        for (int64_t x = x1; x <= x2; x++, p += 3) {
            p[0] = r;
            p[1] = g;
            p[2] = b;
        }
    }
}

static void order(int64_t *a, int64_t *b)
{
    if (*a > *b) {
        int64_t t = *a;
        *a = *b;
        *b = t;
    }
}

void yq_image_fill_rect(struct yq_image *img, int x1, int y1, int x2, int y2, uint8_t r, uint8_t g,
                        uint8_t b)
{
    if (!usable(img)) return;
    int64_t a = x1, c = x2, bb = y1, d = y2;
    order(&a, &c);
    order(&bb, &d);
    fill(img, a, bb, c, d, r, g, b);
}

void yq_image_draw_rect(struct yq_image *img, int x1, int y1, int x2, int y2, int thickness,
                        uint8_t r, uint8_t g, uint8_t b)
{
    if (!usable(img)) return;
    int64_t l = x1, rt = x2, t = y1, bt = y2;
    order(&l, &rt);
    order(&t, &bt);
    int64_t k = thickness < 1 ? 1 : thickness;
    fill(img, l, t, rt, t + k - 1, r, g, b);   /* top */
    fill(img, l, bt - k + 1, rt, bt, r, g, b); /* bottom */
    fill(img, l, t, l + k - 1, bt, r, g, b);   /* left */
    fill(img, rt - k + 1, t, rt, bt, r, g, b); /* right */
}

static int clamp_scale(int scale)
{
    return scale < 1 ? 1 : scale > 64 ? 64 : scale;
}

void yq_image_text_size(const char *text, int scale, int *width, int *height)
{
    int s = clamp_scale(scale);
    size_t cols = 0, widest = 0, lines = 1;
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '\n') {
            lines++;
            cols = 0;
        } else if (++cols > widest) {
            widest = cols;
        }
    }
    if (!text || !*text) lines = 0;
    /* Saturate rather than overflow for absurdly long strings. */
    size_t w = widest * 6 * (size_t)s, h = lines * 8 * (size_t)s;
    if (width) *width = w > 0x7fffffff ? 0x7fffffff : (int)w;
    if (height) *height = h > 0x7fffffff ? 0x7fffffff : (int)h;
}

void yq_image_draw_text(struct yq_image *img, int x, int y, const char *text, int scale, uint8_t r,
                        uint8_t g, uint8_t b)
{
    if (!usable(img) || !text) return;
    int64_t s = clamp_scale(scale);
    int64_t cx = x, cy = y;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\n') {
            cx = x;
            cy += 8 * s;
            continue;
        }
        unsigned ch = (*p >= 32 && *p <= 126) ? *p : '?';
        /* Skip glyphs wholly outside the image: long strings cost nothing off-screen. */
        if (cx < img->width && cy < img->height && cx + 5 * s > 0 && cy + 7 * s > 0) {
            const uint8_t *rows = yq__font5x7[ch - 32];
            for (int row = 0; row < 7; row++)
                for (int col = 0; col < 5; col++)
                    if (rows[row] >> (4 - col) & 1)
                        fill(img, cx + col * s, cy + row * s, cx + col * s + s - 1,
                             cy + row * s + s - 1, r, g, b);
        }
        cx += 6 * s;
    }
}

void yq_palette_color(int class_id, uint8_t rgb[3])
{
    if (!rgb) return;
    int64_t i = class_id;
    i = ((i % 20) + 20) % 20;
    memcpy(rgb, palette[i], 3);
}

void yq_image_draw_detection(struct yq_image *img, int x1, int y1, int x2, int y2,
                             const char *label, int class_id)
{
    if (!usable(img)) return;
    uint8_t c[3];
    yq_palette_color(class_id, c);
    /* Line width grows with the picture like common YOLO demos (0.3% of the mean side,
     * rounded, at least 2); the 7-px font at scale lw-1 then matches their label height. */
    int lw = (int)((((int64_t)img->width + img->height) * 3 + 1000) / 2000);
    if (lw < 2) lw = 2;
    int scale = lw - 1;
    yq_image_draw_rect(img, x1, y1, x2, y2, lw, c[0], c[1], c[2]);
    if (!label || !*label) return;
    int tw, th;
    yq_image_text_size(label, scale, &tw, &th);
    int64_t pad = scale, left = x1 < x2 ? x1 : x2, top = y1 < y2 ? y1 : y2;
    /* The text cells end in one blank column and row of spacing; the padding replaces them. */
    int64_t box_w = (int64_t)tw - scale + 2 * pad, box_h = (int64_t)th - scale + 2 * pad;
    if (left + box_w > img->width) /* keep the label readable at the right edge */
        left = img->width - box_w > 0 ? img->width - box_w : 0;
    int64_t lt = top - box_h;
    if (lt < 0) lt = top; /* no room above: put the label inside the box */
    fill(img, left, lt, left + box_w - 1, lt + box_h - 1, c[0], c[1], c[2]);
    /* Dark text on light colours, white on dark ones (BT.601 luma). */
    bool light = 299 * c[0] + 587 * c[1] + 114 * c[2] > 150 * 1000;
    uint8_t t = light ? 0 : 255;
    int64_t tx = left + pad, ty = lt + pad;
    if (tx >= -0x7fffffffLL && tx <= 0x7fffffffLL && ty >= -0x7fffffffLL && ty <= 0x7fffffffLL)
        yq_image_draw_text(img, (int)tx, (int)ty, label, scale, t, t, t);
}
