/* SPDX-License-Identifier: Apache-2.0 */
/* yq_image_save -> yq_image_load round trips on a generated image: PNG and BMP exact, JPEG
 * within a small error; unknown extensions and unwritable paths are errors; a truncated PNG
 * does not load. Files go to a fresh /tmp directory. */
#include "harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yoloq/media.h"

/* Smooth gradients plus a few hard edges: typical of photos and of drawn labels. */
static void make_image(struct yq_image *img, int w, int h)
{
    CHECK(yq_image_alloc(img, w, h) == YQ_STATUS_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = img->data + (size_t)y * img->stride + (size_t)x * 3;
            p[0] = (uint8_t)(x * 255 / (w - 1));
            p[1] = (uint8_t)(y * 255 / (h - 1));
            p[2] = (uint8_t)(128 + 100 * sin(x * 0.05) * cos(y * 0.07));
        }
    yq_image_fill_rect(img, w / 4, h / 4, w / 2, h / 2, 255, 255, 255);
    yq_image_draw_text(img, 4, 4, "yoloq 0.82", 1, 0, 0, 0);
}

static void compare(const struct yq_image *a, const struct yq_image *b, int *max_d, double *mean_d)
{
    long sum = 0;
    int mx = 0;
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width * 3; x++) {
            int d = abs(a->data[(size_t)y * a->stride + x] - b->data[(size_t)y * b->stride + x]);
            sum += d;
            mx = d > mx ? d : mx;
        }
    *max_d = mx;
    *mean_d = (double)sum / ((double)a->width * a->height * 3);
}

static void round_trip(const char *dir, const char *name, const struct yq_image *img, int max_ok,
                       double mean_ok)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    enum yq_status st = yq_image_save(img, path, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "save %s: %s", name, err);
    struct yq_image back = {0};
    st = yq_image_load(path, &back, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "load %s: %s", name, err);
    if (st == YQ_STATUS_OK) {
        CHECKF(back.width == img->width && back.height == img->height, "%s is %dx%d", name,
               back.width, back.height);
        if (back.width == img->width && back.height == img->height) {
            int mx;
            double mean;
            compare(img, &back, &mx, &mean);
            fprintf(stderr, "%s: max |d| %d, mean |d| %.3f\n", name, mx, mean);
            CHECKF(mx <= max_ok && mean <= mean_ok, "%s: max |d| %d, mean |d| %.3f", name, mx,
                   mean);
        }
    }
    yq_image_free(&back);
    unlink(path);
}

int main(void)
{
    char dir[] = "/tmp/yq_media_saveXXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(!"mkdtemp");
        return yq_test_finish();
    }
    struct yq_image img = {0};
    make_image(&img, 161, 97); /* odd sizes exercise 4:2:0 edges */
    round_trip(dir, "a.png", &img, 0, 0.0);
    round_trip(dir, "a.PNG", &img, 0, 0.0);
    round_trip(dir, "a.bmp", &img, 0, 0.0);
    /* JPEG: quality ~90 with 4:2:0; colour edges (the text, the white box on a colour
     * gradient) lose chroma resolution, so single values may be far off: bound the mean. */
    round_trip(dir, "a.jpg", &img, 255, 2.5);
    round_trip(dir, "a.jpeg", &img, 255, 2.5);

    /* A JPEG of smooth content comes back close. */
    struct yq_image smooth = {0};
    CHECK(yq_image_alloc(&smooth, 64, 48) == YQ_STATUS_OK);
    for (int y = 0; y < 48; y++)
        for (int x = 0; x < 64; x++) {
            uint8_t *p = smooth.data + (size_t)y * smooth.stride + (size_t)x * 3;
            p[0] = (uint8_t)(40 + 2 * x), p[1] = (uint8_t)(200 - 2 * y), p[2] = 90;
        }
    round_trip(dir, "smooth.jpg", &smooth, 6, 1.0);
    yq_image_free(&smooth);

    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/a.gifx", dir);
    CHECK(yq_image_save(&img, path, err, sizeof err) == YQ_STATUS_INVALID_ARGUMENT);
    CHECKF(strstr(err, "extension") && !strchr(err, '\n'), "%s", err);
    snprintf(path, sizeof path, "%s/noext", dir);
    CHECK(yq_image_save(&img, path, err, sizeof err) == YQ_STATUS_INVALID_ARGUMENT);
    snprintf(path, sizeof path, "%s/no/such/dir/a.png", dir);
    CHECK(yq_image_save(&img, path, err, sizeof err) == YQ_STATUS_IO);
    CHECKF(strstr(err, path) != NULL, "%s", err);
    struct yq_image empty = {0};
    snprintf(path, sizeof path, "%s/e.png", dir);
    CHECK(yq_image_save(&empty, path, err, sizeof err) == YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq_image_save(NULL, path, NULL, 0) == YQ_STATUS_INVALID_ARGUMENT);

    /* Truncated PNG. */
    snprintf(path, sizeof path, "%s/t.png", dir);
    CHECK(yq_image_save(&img, path, err, sizeof err) == YQ_STATUS_OK);
    size_t n = 0;
    uint8_t *png = yq_test_read_file(path, &n);
    CHECK(png && n > 200);
    if (png && n > 200) {
        struct yq_image back = {0};
        enum yq_status st = yq_image_load_memory(png, n / 2, &back, err, sizeof err);
        CHECKF(st == YQ_STATUS_BAD_INPUT, "truncated PNG: %s (%s)", yq_status_str(st), err);
        CHECK(back.data == NULL && err[0] && !strchr(err, '\n'));
        fprintf(stderr, "truncated png -> %s\n", err);
    }
    free(png);
    unlink(path);
    yq_image_free(&img);
    rmdir(dir);
    return yq_test_finish();
}
