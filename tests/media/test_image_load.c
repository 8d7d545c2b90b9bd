/* SPDX-License-Identifier: Apache-2.0 */
/* yq_image_load on the shared sample photos: sizes, and decoded colours against the OpenCV
 * reference tensors (cv2.imread, libjpeg-turbo defaults). For INTER_AREA 352x352 we re-do the
 * area weights in double; the 640 (YOLOv5) and 416 (YOLOX) letterboxes go through
 * yq_letterbox, which is bit-exact with cv2.resize, so what is left is the JPEG decode. */
#include "harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "yoloq/media.h"
#include "yoloq/yolo.h"

#define REF_N 352

/* OpenCV's computeResizeAreaTab: source index/weight pairs covering destination cell d. */
static int area_tab(int ssize, int dsize, int d, int *idx, double *wt)
{
    double scale = (double)ssize / dsize;
    double f1 = d * scale, f2 = f1 + scale;
    double cell = fmin(scale, ssize - f1);
    int s1 = (int)ceil(f1), s2 = (int)floor(f2), n = 0;
    if (s2 > ssize - 1) s2 = ssize - 1;
    if (s1 > s2) s1 = s2;
    if (s1 - f1 > 1e-3) {
        idx[n] = s1 - 1;
        wt[n++] = (s1 - f1) / cell;
    }
    for (int s = s1; s < s2; s++) {
        idx[n] = s;
        wt[n++] = 1.0 / cell;
    }
    if (f2 - s2 > 1e-3) {
        idx[n] = s2;
        wt[n++] = fmin(fmin(f2 - s2, 1.0), cell) / cell;
    }
    return n;
}

static void check_against_opencv(const struct yq_image *img, const float *ref)
{
    /* ref is NCHW BGR in [0,1]; our image is RGB. */
    double mean_img[3] = {0}, mean_ref[3] = {0}, sum_abs = 0;
    int max_abs = 0;
    long over2 = 0;
    int xi[16], yi[16];
    double xw[16], yw[16];
    for (int dy = 0; dy < REF_N; dy++) {
        int ny = area_tab(img->height, REF_N, dy, yi, yw);
        for (int dx = 0; dx < REF_N; dx++) {
            int nx = area_tab(img->width, REF_N, dx, xi, xw);
            for (int c = 0; c < 3; c++) {
                double acc = 0;
                for (int a = 0; a < ny; a++)
                    for (int b = 0; b < nx; b++)
                        acc += yw[a] * xw[b] *
                               img->data[(size_t)yi[a] * img->stride + (size_t)xi[b] * 3 + c];
                int ours = (int)lrint(acc);
                int bgr = 2 - c;
                int theirs = (int)lrintf(ref[((size_t)bgr * REF_N + dy) * REF_N + dx] * 255.0f);
                int d = abs(ours - theirs);
                sum_abs += d;
                max_abs = d > max_abs ? d : max_abs;
                over2 += d > 2;
                mean_img[c] += acc;
                mean_ref[c] += theirs;
            }
        }
    }
    double npx = (double)REF_N * REF_N;
    for (int c = 0; c < 3; c++) {
        mean_img[c] /= npx;
        mean_ref[c] /= npx;
        CHECKF(fabs(mean_img[c] - mean_ref[c]) < 1.0,
               "channel %c mean %.3f vs OpenCV %.3f (of 255)", "RGB"[c], mean_img[c], mean_ref[c]);
    }
    double mad = sum_abs / (npx * 3);
    fprintf(stderr, "bus.jpg vs OpenCV: mean |d| %.4f, max |d| %d, %ld values off by > 2\n", mad,
            max_abs, over2);
    /* Measured 0.0327 / max 2 / none > 2 with the libjpeg-exact JPEG path (swscale: 0.236 / 13). */
    CHECKF(mad < 0.06, "mean abs difference %.4f", mad);
    CHECKF(max_abs <= 3, "max abs difference %d", max_abs);
    CHECKF(over2 < 50, "%ld of %.0f values differ by more than 2", over2, npx * 3);
}

static void test_bus(void)
{
    char path[1024], ref_path[1024], err[256];
    if (!yq_test_shared(path, sizeof path, "samples/bus.jpg") ||
        !yq_test_shared(ref_path, sizeof ref_path,
                        "reference/bus_input_fastestdet_f32_1x3x352x352.bin")) {
        SKIP("bus.jpg / reference tensor absent");
        return;
    }
    struct yq_image img = {0};
    enum yq_status st = yq_image_load(path, &img, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "%s", err);
    if (st) return;
    CHECKF(img.width == 810 && img.height == 1080, "bus.jpg is %dx%d", img.width, img.height);
    CHECK(img.stride >= 3 * img.width);

    size_t ref_size = 0;
    float *ref = yq_test_read_file(ref_path, &ref_size);
    CHECK(ref && ref_size == sizeof(float) * 3 * REF_N * REF_N);
    if (ref && ref_size == sizeof(float) * 3 * REF_N * REF_N) check_against_opencv(&img, ref);
    free(ref);

    /* From memory: the same pixels. */
    size_t n = 0;
    void *bytes = yq_test_read_file(path, &n);
    struct yq_image m = {0};
    st = yq_image_load_memory(bytes, n, &m, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "%s", err);
    if (!st) {
        CHECK(m.width == img.width && m.height == img.height);
        bool same = true;
        for (int y = 0; y < img.height && same; y++)
            same = memcmp(m.data + (size_t)y * m.stride, img.data + (size_t)y * img.stride,
                          (size_t)img.width * 3) == 0;
        CHECK(same);
    }
    yq_image_free(&m);
    free(bytes);
    yq_image_free(&img);
    yq_image_free(&img); /* a freed image frees again harmlessly */
}

/* Letterboxes bus.jpg like the reference `file` (ref values = pixel * `scale`, channel order
 * BGR when `bgr`) and bounds the difference. With FFmpeg's float-AAN IDCT and libjpeg's own
 * upsampling/colour maths the decode differs from libjpeg only by IDCT rounding (+-1 on ~2%
 * of samples); measured: 640 mean 0.026 max 3 (39 values > 2), 416 mean 0.026 max 3 (14).
 * Through swscale it was mean 0.33, max 29, 28921 values > 2. */
static void check_letterbox(const struct yq_image *img, const char *file, int n,
                            enum yq_letterbox mode, bool bgr, float scale)
{
    char ref_path[1024], err[256];
    if (!yq_test_shared(ref_path, sizeof ref_path, file)) {
        SKIP("reference tensor absent");
        return;
    }
    size_t plane = (size_t)n * n, ref_size = 0;
    float *ref = yq_test_read_file(ref_path, &ref_size);
    uint8_t *lb = malloc(plane * 3);
    CHECKF(ref && ref_size == sizeof(float) * 3 * plane, "%s: size %zu", file, ref_size);
    CHECK(lb != NULL);
    if (!ref || ref_size != sizeof(float) * 3 * plane || !lb) goto done;
    struct yq_letterbox_options lo;
    yq_letterbox_options_init(&lo, mode);
    lo.bgr = false;
    enum yq_status st = yq_letterbox(img, n, n, &lo, lb, plane * 3, NULL, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "%s", err);
    if (st) goto done;
    double sum_abs = 0;
    int max_abs = 0;
    long over2 = 0;
    for (int c = 0; c < 3; c++)
        for (size_t p = 0; p < plane; p++) {
            int rc = bgr ? 2 - c : c;
            int theirs = (int)lrintf(ref[(size_t)rc * plane + p] * scale);
            int d = abs(lb[p * 3 + (size_t)c] - theirs);
            sum_abs += d;
            max_abs = d > max_abs ? d : max_abs;
            over2 += d > 2;
        }
    double mad = sum_abs / (double)(plane * 3);
    fprintf(stderr, "bus.jpg letterbox %d vs OpenCV: mean |d| %.4f, max |d| %d, %ld values > 2\n",
            n, mad, max_abs, over2);
    CHECKF(mad < 0.05, "%d: mean abs difference %.4f", n, mad);
    CHECKF(max_abs <= 4, "%d: max abs difference %d", n, max_abs);
    CHECKF(over2 < 200, "%d: %ld values differ by more than 2", n, over2);
done:
    free(lb);
    free(ref);
}

static void test_bus_letterbox(void)
{
    char path[1024], err[256];
    if (!yq_test_shared(path, sizeof path, "samples/bus.jpg")) {
        SKIP("bus.jpg absent");
        return;
    }
    struct yq_image img = {0};
    enum yq_status st = yq_image_load(path, &img, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "%s", err);
    if (st) return;
    check_letterbox(&img, "reference/bus_input_f32_1x3x640x640.bin", 640, YQ_LETTERBOX_CENTER,
                    false, 255.0f);
    check_letterbox(&img, "reference/bus_input_yolox_f32_1x3x416x416.bin", 416,
                    YQ_LETTERBOX_TOPLEFT, true, 1.0f);
    yq_image_free(&img);
}

static void test_zidane(void)
{
    char path[1024], err[256];
    if (!yq_test_shared(path, sizeof path, "samples/zidane.jpg")) {
        SKIP("zidane.jpg absent");
        return;
    }
    struct yq_image img = {0};
    enum yq_status st = yq_image_load(path, &img, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "%s", err);
    CHECKF(img.width == 1280 && img.height == 720, "zidane.jpg is %dx%d", img.width, img.height);
    yq_image_free(&img);
}

int main(void)
{
    test_bus();
    test_bus_letterbox();
    test_zidane();
    return yq_test_finish();
}
