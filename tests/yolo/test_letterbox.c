/* SPDX-License-Identifier: Apache-2.0 */
/* Letterbox geometry (yolov5 centred, YOLOX top-left, stretch) and OpenCV-faithful resampling
 * on small synthetic images whose expected values are worked out by hand in the comments;
 * plus the pad regions of the cv2-made reference input of bus.jpg. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "yoloq/yolo.h"

static void test_geometry(void)
{
    struct yq_letterbox_info li;
    /* bus.jpg 810x1080 -> 640: r = 0.592593, 480x640, left = round(80 - 0.1) = 80. */
    CHECK(yq_letterbox_plan(810, 1080, 640, 640, YQ_LETTERBOX_CENTER, &li, NULL, 0) == 0);
    CHECK(li.resized_w == 480 && li.resized_h == 640 && li.pad_left == 80 && li.pad_top == 0);
    CHECK(fabsf(li.scale_x - 0.592593f) < 1e-6f && fabsf(li.scale_y - 0.592593f) < 1e-6f);
    /* zidane.jpg 1280x720: r = 0.5, 640x360, top 140. */
    CHECK(yq_letterbox_plan(1280, 720, 640, 640, YQ_LETTERBOX_CENTER, &li, NULL, 0) == 0);
    CHECK(li.resized_w == 640 && li.resized_h == 360 && li.pad_left == 0 && li.pad_top == 140);
    /* 100x51 -> 64: r = 0.64, h = round(32.64) = 33, dh = 15.5, top = round(15.4) = 15. */
    CHECK(yq_letterbox_plan(100, 51, 64, 64, YQ_LETTERBOX_CENTER, &li, NULL, 0) == 0);
    CHECK(li.resized_w == 64 && li.resized_h == 33 && li.pad_top == 15 && li.pad_left == 0);
    /* 4x1 -> 10: r = 2.5, h = round(2.5) = 2 (Python rounds half to even), top = round(3.9). */
    CHECK(yq_letterbox_plan(4, 1, 10, 10, YQ_LETTERBOX_CENTER, &li, NULL, 0) == 0);
    CHECK(li.resized_w == 10 && li.resized_h == 2 && li.pad_top == 4);
    /* YOLOX 832x416 -> 416: r = 0.5, 416x208 at the top-left. */
    CHECK(yq_letterbox_plan(832, 416, 416, 416, YQ_LETTERBOX_TOPLEFT, &li, NULL, 0) == 0);
    CHECK(li.resized_w == 416 && li.resized_h == 208 && li.pad_left == 0 && li.pad_top == 0);
    /* YOLOX truncates: 300x100 -> 416: r = 1.3867, int(138.67) = 138. */
    CHECK(yq_letterbox_plan(300, 100, 416, 416, YQ_LETTERBOX_TOPLEFT, &li, NULL, 0) == 0);
    CHECK(li.resized_w == 416 && li.resized_h == 138);
    /* Stretch: scales per axis. */
    CHECK(yq_letterbox_plan(810, 1080, 352, 352, YQ_LETTERBOX_STRETCH, &li, NULL, 0) == 0);
    CHECK(li.resized_w == 352 && li.resized_h == 352 && li.pad_left == 0 && li.pad_top == 0);
    CHECK(fabsf(li.scale_x - 352.f / 810) < 1e-7f && fabsf(li.scale_y - 352.f / 1080) < 1e-7f);
    char err[128] = "";
    CHECK(yq_letterbox_plan(0, 10, 640, 640, YQ_LETTERBOX_CENTER, &li, err, sizeof err) ==
          YQ_STATUS_INVALID_ARGUMENT);
    CHECK(strstr(err, "letterbox") != NULL);
    CHECK(yq_letterbox_plan(10, 10, 640, 640, (enum yq_letterbox)7, &li, NULL, 0) ==
          YQ_STATUS_INVALID_ARGUMENT);
}

/* Grey rows: three equal channels. */
static void fill_grey(uint8_t *p, const int *v, int n)
{
    for (int i = 0; i < n; i++)
        p[3 * i] = p[3 * i + 1] = p[3 * i + 2] = (uint8_t)v[i];
}

static void test_resample(void)
{
    uint8_t src[64], dst[64];
    /* LINEAR 2x1 -> 4x1, [0, 100]: x = (dx+0.5)/2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75,
     * 1.25 (clamped to 1): 0, 25, 75, 100. */
    fill_grey(src, (int[]){0, 100}, 2);
    CHECK(yq_resize_u8(src, 2, 1, 6, dst, 4, 1, 12, 3, YQ_RESIZE_LINEAR) == 0);
    int e1[4] = {0, 25, 75, 100};
    for (int i = 0; i < 12; i++)
        CHECKF(dst[i] == e1[i / 3], "linear up x: [%d] = %d", i, dst[i]);
    /* LINEAR vertical 3x2 -> 3x4, rows 10 / 21: y = -0.25, 0.25, 0.75, 1.25. Row 1 = 10*0.75 +
     * 21*0.25 = 12.75 -> 13, row 2 = 18.25 -> 18. Rows 0/3 clamp to 10/21. */
    memset(src, 10, 9);
    memset(src + 9, 21, 9);
    CHECK(yq_resize_u8(src, 3, 2, 9, dst, 3, 4, 9, 3, YQ_RESIZE_LINEAR) == 0);
    int e2[4] = {10, 13, 18, 21};
    for (int i = 0; i < 36; i++)
        CHECKF(dst[i] == e2[i / 9], "linear up y: [%d] = %d", i, dst[i]);
    /* AREA 2x integer: 4x2 -> 2x1, (1+2+3+4+2)>>2 = 3, (5+6+7+9+2)>>2 = 7. LINEAR at exactly
     * 2x is the same average in OpenCV. */
    fill_grey(src, (int[]){1, 2, 5, 6, 3, 4, 7, 9}, 8);
    CHECK(yq_resize_u8(src, 4, 2, 12, dst, 2, 1, 6, 3, YQ_RESIZE_AREA) == 0);
    CHECK(dst[0] == 3 && dst[1] == 3 && dst[3] == 7 && dst[5] == 7);
    memset(dst, 0, sizeof dst);
    CHECK(yq_resize_u8(src, 4, 2, 12, dst, 2, 1, 6, 3, YQ_RESIZE_LINEAR) == 0);
    CHECK(dst[0] == 3 && dst[3] == 7);
    /* AREA 1.5x: 3x1 -> 2x1, [30, 60, 90]: 30*2/3 + 60/3 = 40, 60/3 + 90*2/3 = 80. */
    fill_grey(src, (int[]){30, 60, 90}, 3);
    CHECK(yq_resize_u8(src, 3, 1, 9, dst, 2, 1, 6, 3, YQ_RESIZE_AREA) == 0);
    CHECK(dst[0] == 40 && dst[2] == 40 && dst[3] == 80 && dst[5] == 80);
    /* AREA 3x integer on one channel: 3x3 -> 1x1, sum 45 / 9 = 5. */
    for (int i = 0; i < 9; i++)
        src[i] = (uint8_t)(i + 1);
    CHECK(yq_resize_u8(src, 3, 3, 3, dst, 1, 1, 1, 1, YQ_RESIZE_AREA) == 0);
    CHECK(dst[0] == 5);
    /* Same size is a copy; bad arguments are refused. */
    CHECK(yq_resize_u8(src, 3, 3, 3, dst, 3, 3, 3, 1, YQ_RESIZE_LINEAR) == 0 &&
          memcmp(src, dst, 9) == 0);
    CHECK(yq_resize_u8(src, 3, 3, 2, dst, 3, 3, 3, 1, YQ_RESIZE_LINEAR) ==
          YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq_resize_u8(NULL, 3, 3, 3, dst, 3, 3, 3, 1, YQ_RESIZE_LINEAR) ==
          YQ_STATUS_INVALID_ARGUMENT);
    /* A constant image stays constant through every path (weights sum to 2048). */
    uint8_t big[40 * 30 * 3], out[57 * 23 * 3];
    memset(big, 77, sizeof big);
    for (int m = 0; m < 2; m++) {
        CHECK(yq_resize_u8(big, 40, 30, 120, out, 57, 23, 171, 3, (enum yq_resize)m) == 0);
        int bad = 0;
        for (size_t i = 0; i < sizeof out; i++)
            bad += out[i] != 77;
        CHECKF(bad == 0, "constant image changed in mode %d (%d values)", m, bad);
    }
}

static void test_letterbox_pixels(void)
{
    struct yq_image img = {0};
    CHECK(yq_image_alloc(&img, 4, 2) == 0);
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 4; x++) {
            uint8_t *p = img.data + (size_t)y * (size_t)img.stride + (size_t)x * 3;
            p[0] = 10, p[1] = 20, p[2] = 30;
        }
    uint8_t buf[8 * 8 * 3];
    struct yq_letterbox_options o;
    struct yq_letterbox_info li;
    /* 4x2 -> 8x8 centred: r = 2, 8x4 at top = round(2 - 0.1) = 2. */
    yq_letterbox_options_init(&o, YQ_LETTERBOX_CENTER);
    CHECK(o.pad_value == 114 && o.interp == YQ_RESIZE_LINEAR && !o.bgr);
    CHECK(yq_letterbox(&img, 8, 8, &o, buf, sizeof buf, &li, NULL, 0) == 0);
    CHECK(li.pad_top == 2 && li.resized_h == 4);
    int bad = 0;
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 8; x++) {
            const uint8_t *p = buf + (y * 8 + x) * 3;
            bool in = y >= 2 && y < 6;
            bad += in ? (p[0] != 10 || p[1] != 20 || p[2] != 30)
                      : (p[0] != 114 || p[1] != 114 || p[2] != 114);
        }
    CHECKF(bad == 0, "centre letterbox: %d bad pixels", bad);
    /* BGR, top-left, custom pad. */
    yq_letterbox_options_init(&o, YQ_LETTERBOX_TOPLEFT);
    o.bgr = true;
    o.pad_value = 0;
    CHECK(yq_letterbox(&img, 8, 8, &o, buf, sizeof buf, &li, NULL, 0) == 0);
    bad = 0;
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 8; x++) {
            const uint8_t *p = buf + (y * 8 + x) * 3;
            bad += y < 4 ? (p[0] != 30 || p[1] != 20 || p[2] != 10)
                         : (p[0] != 0 || p[1] != 0 || p[2] != 0);
        }
    CHECKF(bad == 0, "top-left BGR letterbox: %d bad pixels", bad);
    char err[160] = "";
    CHECK(yq_letterbox(&img, 8, 8, NULL, buf, 10, &li, err, sizeof err) ==
          YQ_STATUS_INVALID_ARGUMENT);
    CHECK(strstr(err, "needs") != NULL);
    yq_image_free(&img);

    /* unmap: bus geometry, a box at the left pad edge maps to x = 0 and is clipped. */
    CHECK(yq_letterbox_plan(810, 1080, 640, 640, YQ_LETTERBOX_CENTER, &li, NULL, 0) == 0);
    struct yq_detection d = {70, 10, 80 + 480 * 0.5f, 700, 0.9f, 0};
    yq_letterbox_unmap(&li, &d, 1);
    CHECK(d.x1 == 0 && fabsf(d.x2 - 405) < 1e-3f && fabsf(d.y1 - 16.875f) < 1e-3f && d.y2 == 1080);
}

/* The cv2-made input of bus.jpg: channels padded with 114/255 at columns 0..79 and
 * 560..639, image between, exactly where yq_letterbox_plan puts it. */
static void test_reference_input(void)
{
    char path[512];
    if (!yq_test_shared(path, sizeof path, "reference/bus_input_f32_1x3x640x640.bin")) {
        SKIP("reference input absent");
        return;
    }
    size_t size = 0;
    float *x = yq_test_read_file(path, &size);
    CHECK(x && size == 3u * 640 * 640 * 4);
    if (!x || size != 3u * 640 * 640 * 4) {
        free(x);
        return;
    }
    struct yq_letterbox_info li;
    CHECK(yq_letterbox_plan(810, 1080, 640, 640, YQ_LETTERBOX_CENTER, &li, NULL, 0) == 0);
    float pad = 114.f / 255.f;
    int bad_pad = 0, image_cols_not_pad = 0;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < 640; y++)
            for (int xx = 0; xx < 640; xx++) {
                float v = x[((size_t)c * 640 + (size_t)y) * 640 + (size_t)xx];
                bool in = xx >= li.pad_left && xx < li.pad_left + li.resized_w;
                if (!in) bad_pad += v != pad;
            }
    /* The first and last image columns must hold picture, not pad, somewhere. */
    int cols[2] = {li.pad_left, li.pad_left + li.resized_w - 1};
    for (int k = 0; k < 2; k++) {
        int differ = 0;
        for (int y = 0; y < 640; y++)
            differ += x[(size_t)y * 640 + (size_t)cols[k]] != pad;
        image_cols_not_pad += differ > 100;
    }
    CHECKF(bad_pad == 0, "%d pad values differ from 114/255", bad_pad);
    CHECK(image_cols_not_pad == 2);
    CHECK(li.pad_left == 80 && 640 - li.pad_left - li.resized_w == 80);
    free(x);
}

int main(void)
{
    test_geometry();
    test_resample();
    test_letterbox_pixels();
    test_reference_input();
    return yq_test_finish();
}
