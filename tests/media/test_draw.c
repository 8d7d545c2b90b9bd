/* SPDX-License-Identifier: Apache-2.0 */
/* Drawing primitives: exact pixels of rectangles and text, and clipping. The image lives
 * inside a canary-filled buffer (guard bytes before, after and in each row's stride padding)
 * so any out-of-bounds write with negative or huge coordinates is caught. */
#include "harness.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "yoloq/media.h"

#define W 37
#define H 23
#define STRIDE (W * 3 + 13) /* padding after each row is canary too */
#define GUARD 256
#define CANARY 0xA5

static uint8_t buf[GUARD + STRIDE * H + GUARD];

static struct yq_image guarded(void)
{
    memset(buf, CANARY, sizeof buf);
    struct yq_image img = {W, H, STRIDE, buf + GUARD};
    for (int y = 0; y < H; y++)
        memset(img.data + y * STRIDE, 0, W * 3);
    return img;
}

static bool canaries_ok(void)
{
    for (int i = 0; i < GUARD; i++)
        if (buf[i] != CANARY || buf[GUARD + STRIDE * H + i] != CANARY) return false;
    for (int y = 0; y < H; y++)
        for (int x = W * 3; x < STRIDE; x++)
            if (buf[GUARD + y * STRIDE + x] != CANARY) return false;
    return true;
}

static const uint8_t *px(const struct yq_image *img, int x, int y)
{
    return img->data + y * img->stride + x * 3;
}

static bool is(const struct yq_image *img, int x, int y, uint8_t r, uint8_t g, uint8_t b)
{
    const uint8_t *p = px(img, x, y);
    return p[0] == r && p[1] == g && p[2] == b;
}

static int count_colour(const struct yq_image *img, uint8_t r, uint8_t g, uint8_t b)
{
    int n = 0;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            n += is(img, x, y, r, g, b);
    return n;
}

static void test_rects(void)
{
    struct yq_image img = guarded();
    yq_image_fill_rect(&img, 5, 3, 2, 1, 10, 20, 30); /* reversed corners */
    CHECK(count_colour(&img, 10, 20, 30) == 4 * 3);
    CHECK(is(&img, 2, 1, 10, 20, 30) && is(&img, 5, 3, 10, 20, 30) && !is(&img, 6, 3, 10, 20, 30));

    img = guarded();
    yq_image_draw_rect(&img, 10, 5, 19, 14, 2, 200, 0, 0); /* 10x10 box, 2 px lines */
    CHECK(count_colour(&img, 200, 0, 0) == 100 - 36);
    CHECK(is(&img, 11, 6, 200, 0, 0) && !is(&img, 12, 7, 200, 0, 0));
    CHECK(canaries_ok());

    /* Clipping: boxes partly and wholly outside, extreme coordinates. */
    img = guarded();
    yq_image_fill_rect(&img, -100, -100, 3, 2, 1, 2, 3);
    CHECK(count_colour(&img, 1, 2, 3) == 4 * 3);
    yq_image_fill_rect(&img, W - 2, H - 1, W + 1000, H + 1000, 4, 5, 6);
    CHECK(count_colour(&img, 4, 5, 6) == 2);
    yq_image_fill_rect(&img, INT_MIN, INT_MIN, INT_MAX, INT_MAX, 7, 8, 9);
    CHECK(count_colour(&img, 7, 8, 9) == W * H);
    yq_image_draw_rect(&img, INT_MIN, INT_MIN, INT_MAX, INT_MAX, INT_MAX, 1, 1, 1);
    yq_image_draw_rect(&img, -5, -5, W + 4, H + 4, 7, 2, 2, 2);
    /* 7-px lines from 5 px outside: 2 visible rows/columns on each side */
    CHECK(count_colour(&img, 2, 2, 2) == 4 * W + 4 * (H - 4));
    yq_image_draw_rect(&img, -50, -50, -10, -10, 3, 3, 3, 3);
    yq_image_draw_rect(&img, W, H, W + 10, H + 10, 3, 3, 3, 3);
    CHECK(count_colour(&img, 3, 3, 3) == 0);
    CHECK(canaries_ok());

    /* Random boxes, thicknesses and texts all over and around the image. */
    img = guarded();
    for (int i = 0; i < 2000; i++) {
        int x1 = yq_test_randint(-60, W + 60), y1 = yq_test_randint(-60, H + 60);
        int x2 = yq_test_randint(-60, W + 60), y2 = yq_test_randint(-60, H + 60);
        switch (i % 4) {
        case 0:
            yq_image_draw_rect(&img, x1, y1, x2, y2, yq_test_randint(-2, 30), 9, 9, 9);
            break;
        case 1:
            yq_image_fill_rect(&img, x1, y1, x2, y2, 8, 8, 8);
            break;
        case 2:
            yq_image_draw_text(&img, x1, y1, "AZaz09 !~\n\x01\xff", yq_test_randint(-1, 5), 7, 7,
                               7);
            break;
        default:
            yq_image_draw_detection(&img, x1, y1, x2, y2, "person 0.82", yq_test_randint(-30, 300));
        }
    }
    CHECK(canaries_ok());
    /* NULL and empty images are ignored. */
    yq_image_fill_rect(NULL, 0, 0, 1, 1, 0, 0, 0);
    struct yq_image none = {0};
    yq_image_draw_text(&none, 0, 0, "x", 1, 0, 0, 0);
    yq_image_draw_detection(&none, 0, 0, 5, 5, "x", 0);
}

static void test_text(void)
{
    int w, h;
    yq_image_text_size("person 0.82", 1, &w, &h);
    CHECK(w == 11 * 6 && h == 8);
    yq_image_text_size("ab\nlonger", 3, &w, &h);
    CHECK(w == 6 * 6 * 3 && h == 2 * 8 * 3);
    yq_image_text_size("", 2, &w, &h);
    CHECK(w == 0 && h == 0);

    struct yq_image img = guarded();
    yq_image_draw_text(&img, 0, 0, " ", 1, 255, 255, 255);
    CHECK(count_colour(&img, 255, 255, 255) == 0);
    /* 'I' in the 5x7 font: top and bottom bars of 3, a 5-pixel stem = 11 pixels; scale 2
     * quadruples that. Every printable glyph except space draws something inside its cell. */
    yq_image_draw_text(&img, 0, 0, "I", 1, 255, 255, 255);
    CHECK(count_colour(&img, 255, 255, 255) == 11);
    img = guarded();
    yq_image_draw_text(&img, 1, 1, "I", 2, 255, 255, 255);
    CHECK(count_colour(&img, 255, 255, 255) == 44);
    bool all_ink = true, in_cell = true;
    for (int c = 33; c < 127; c++) {
        img = guarded();
        char s[2] = {(char)c, 0};
        yq_image_draw_text(&img, 3, 2, s, 1, 255, 255, 255);
        all_ink &= count_colour(&img, 255, 255, 255) > 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                if (is(&img, x, y, 255, 255, 255) && (x < 3 || x > 7 || y < 2 || y > 8))
                    in_cell = false;
    }
    CHECK(all_ink && in_cell);
    /* Text hanging off every edge. */
    img = guarded();
    yq_image_draw_text(&img, -7, -3, "WWWWWWWWWWWWWWWWWW", 4, 1, 1, 1);
    yq_image_draw_text(&img, W - 3, H - 3, "MMMM\nMMMM", 2, 1, 1, 1);
    yq_image_draw_text(&img, INT_MAX - 5, INT_MIN + 3, "clip", 64, 1, 1, 1);
    CHECK(canaries_ok());
}

static void test_detection(void)
{
    uint8_t a[3], b[3];
    yq_palette_color(0, a);
    yq_palette_color(20, b);
    CHECK(memcmp(a, b, 3) == 0);
    yq_palette_color(-1, b);
    yq_palette_color(19, a);
    CHECK(memcmp(a, b, 3) == 0);
    bool distinct = true;
    for (int i = 0; i < 20; i++)
        for (int j = 0; j < i; j++) {
            yq_palette_color(i, a);
            yq_palette_color(j, b);
            distinct &= memcmp(a, b, 3) != 0;
        }
    CHECK(distinct);

    struct yq_image img = {0};
    CHECK(yq_image_alloc(&img, 200, 150) == YQ_STATUS_OK);
    yq_palette_color(5, a);
    yq_image_draw_detection(&img, 50, 60, 120, 140, "person 0.82", 5);
    CHECK(is(&img, 50, 100, a[0], a[1], a[2]) && is(&img, 120, 100, a[0], a[1], a[2]));
    CHECK(is(&img, 85, 140, a[0], a[1], a[2]));
    CHECK(is(&img, 85, 100, 0, 0, 0)); /* inside stays untouched */
    /* 200x150 gives 2-px lines and scale-1 text: the label is 67x9 (11 cells of 6 px less
     * the trailing spacing, plus 1-px padding) directly above the box, from its left edge. */
    CHECK(is(&img, 50, 51, a[0], a[1], a[2]) && is(&img, 116, 59, a[0], a[1], a[2]));
    CHECK(is(&img, 117, 55, 0, 0, 0) && is(&img, 50, 50, 0, 0, 0));
    int ink = 0; /* text pixels are white or black, never the box colour */
    for (int y = 52; y < 59; y++)
        for (int x = 51; x < 116; x++)
            ink += !is(&img, x, y, a[0], a[1], a[2]);
    CHECK(ink > 40);
    /* At the top edge the label goes inside the box. */
    yq_palette_color(2, a);
    yq_image_draw_detection(&img, 10, 0, 60, 40, "bus 0.53", 2);
    CHECK(is(&img, 10, 8, a[0], a[1], a[2]) && is(&img, 30, 8, a[0], a[1], a[2]));
    CHECK(is(&img, 30, 9, 0, 0, 0));
    yq_image_free(&img);
}

int main(void)
{
    test_rects();
    test_text();
    test_detection();
    return yq_test_finish();
}
