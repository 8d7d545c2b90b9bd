/* SPDX-License-Identifier: Apache-2.0 */
/* Bad inputs to yq_image_load / yq_image_load_memory: truncated JPEG, random bytes, empty
 * file, a directory, a missing file, a video file. Each must give a non-OK status, a zeroed
 * image and a non-empty one-line message naming the file. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yoloq/media.h"

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return;
    if (n) fwrite(data, 1, n, f);
    fclose(f);
}

static void expect_fail(const char *what, const char *path, enum yq_status want)
{
    char err[512];
    memset(err, 'x', sizeof err);
    struct yq_image img = {0};
    enum yq_status st = yq_image_load(path, &img, err, sizeof err);
    CHECKF(st != YQ_STATUS_OK, "%s: loaded", what);
    if (want != YQ_STATUS_OK)
        CHECKF(st == want, "%s: status %s, want %s", what, yq_status_str(st), yq_status_str(want));
    CHECKF(memchr(err, '\0', sizeof err) != NULL, "%s: message not terminated", what);
    CHECKF(err[0] != '\0' && !strchr(err, '\n') && !strchr(err, '\r'), "%s: bad message '%s'", what,
           err);
    CHECKF(strstr(err, path) != NULL, "%s: message does not name the file: %s", what, err);
    CHECK(img.data == NULL && img.width == 0);
    fprintf(stderr, "%-10s -> %s: %s\n", what, yq_status_str(st), err);
}

int main(void)
{
    char dir[] = "/tmp/yq_media_errXXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(!"mkdtemp");
        return yq_test_finish();
    }
    char path[1024], src[1024];

    /* random bytes */
    uint8_t noise[4096];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (uint8_t)yq_test_rand();
    snprintf(path, sizeof path, "%s/noise.jpg", dir);
    write_file(path, noise, sizeof noise);
    expect_fail("random", path, YQ_STATUS_BAD_INPUT);
    unlink(path);

    /* a JPEG header followed by noise */
    noise[0] = 0xFF, noise[1] = 0xD8, noise[2] = 0xFF, noise[3] = 0xE0;
    write_file(path, noise, sizeof noise);
    expect_fail("soi+noise", path, YQ_STATUS_BAD_INPUT);
    unlink(path);

    /* empty file */
    snprintf(path, sizeof path, "%s/empty.png", dir);
    write_file(path, NULL, 0);
    expect_fail("empty", path, YQ_STATUS_BAD_INPUT);
    unlink(path);

    /* directory, missing file */
    expect_fail("directory", dir, YQ_STATUS_IO);
    snprintf(path, sizeof path, "%s/missing.jpg", dir);
    expect_fail("missing", path, YQ_STATUS_IO);
    {
        char err[256];
        struct yq_image img = {0};
        yq_image_load(path, &img, err, sizeof err);
        CHECKF(strstr(err, "no such file") != NULL, "%s", err);
        /* a NULL error buffer is allowed */
        CHECK(yq_image_load(path, &img, NULL, 0) == YQ_STATUS_IO);
        CHECK(yq_image_load(NULL, &img, err, sizeof err) == YQ_STATUS_INVALID_ARGUMENT);
        CHECK(yq_image_load_memory(NULL, 0, &img, err, sizeof err) != YQ_STATUS_OK);
        CHECK(yq_image_load_memory(noise, sizeof noise, &img, err, sizeof err) != YQ_STATUS_OK);
        CHECKF(strstr(err, "<memory>") != NULL, "%s", err);
    }

    if (yq_test_shared(src, sizeof src, "samples/bus.jpg")) {
        size_t n = 0;
        uint8_t *bus = yq_test_read_file(src, &n);
        CHECK(bus && n > 20000);
        if (bus && n > 20000) {
            /* truncated JPEG: the first 1000 bytes, and cut in the middle of the scan */
            snprintf(path, sizeof path, "%s/trunc1000.jpg", dir);
            write_file(path, bus, 1000);
            expect_fail("trunc1000", path, YQ_STATUS_BAD_INPUT);
            unlink(path);
            snprintf(path, sizeof path, "%s/trunc_half.jpg", dir);
            write_file(path, bus, n / 2);
            expect_fail("trunc_half", path, YQ_STATUS_BAD_INPUT);
            unlink(path);
            /* every short prefix and a few corrupted copies must fail or decode, never crash */
            struct yq_image img = {0};
            char err[256];
            for (size_t k = 0; k < 700; k += 7) {
                if (yq_image_load_memory(bus, k, &img, err, sizeof err) == YQ_STATUS_OK)
                    yq_image_free(&img);
            }
            for (int t = 0; t < 8; t++) {
                for (int j = 0; j < 16; j++)
                    bus[yq_test_randint(0, (int)n - 1)] = (uint8_t)yq_test_rand();
                if (yq_image_load_memory(bus, n, &img, err, sizeof err) == YQ_STATUS_OK)
                    yq_image_free(&img);
            }
            CHECK(img.data == NULL);
        }
        free(bus);
    } else {
        SKIP("bus.jpg absent: truncated-JPEG cases");
    }
    if (yq_test_shared(src, sizeof src, "video/coco_slideshow_640x480.mp4"))
        expect_fail("video", src, YQ_STATUS_BAD_INPUT);
    else
        SKIP("video absent");

    rmdir(dir);
    return yq_test_finish();
}
