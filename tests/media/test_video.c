/* SPDX-License-Identifier: Apache-2.0 */
/* Video reader and writer: read the shared 640x480 30 fps clip to the end (300 frames,
 * increasing timestamps, CLOSED after the end), write a short generated video (even and odd
 * sizes) and read it back, and the error paths (missing file, non-video, bad writer args). */
#include "harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yoloq/media.h"

static void test_read_clip(void)
{
    char path[1024], err[256];
    if (!yq_test_shared(path, sizeof path, "video/coco_slideshow_640x480.mp4")) {
        SKIP("video absent");
        return;
    }
    struct yq_video_reader *vr = NULL;
    enum yq_status st = yq_video_open(path, &vr, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK && vr, "%s", err);
    if (st) return;
    int w = 0, h = 0;
    double fps = 0;
    yq_video_info(vr, &w, &h, &fps);
    CHECKF(w == 640 && h == 480 && fabs(fps - 30.0) < 1e-6, "%dx%d @ %g", w, h, fps);
    struct yq_image frame = {0};
    int n = 0;
    int64_t pts = -1, last = -1;
    bool monotonic = true, sized = true;
    double mean_first = 0;
    while ((st = yq_video_read(vr, &frame, &pts)) == YQ_STATUS_OK) {
        monotonic &= pts > last;
        last = pts;
        sized &= frame.width == 640 && frame.height == 480;
        if (n == 0) {
            long sum = 0;
            for (int y = 0; y < frame.height; y++)
                for (int x = 0; x < frame.width * 3; x++)
                    sum += frame.data[(size_t)y * frame.stride + x];
            mean_first = (double)sum / (640.0 * 480 * 3);
        }
        n++;
    }
    CHECKF(st == YQ_STATUS_CLOSED, "ended with %s: %s", yq_status_str(st), yq_video_errmsg(vr));
    CHECKF(n == 300, "read %d frames", n);
    CHECK(monotonic && sized);
    CHECKF(last >= 9900 && last <= 10000, "last pts %lld ms", (long long)last);
    CHECKF(mean_first > 20 && mean_first < 235, "first frame mean %g", mean_first);
    CHECK(yq_video_read(vr, &frame, &pts) == YQ_STATUS_CLOSED);
    yq_image_free(&frame);
    yq_video_close(vr);
}

static void make_frame(struct yq_image *img, int i)
{
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            uint8_t *p = img->data + (size_t)y * img->stride + (size_t)x * 3;
            p[0] = (uint8_t)(x * 2 + i * 4); /* smooth, no wrap-around */
            p[1] = (uint8_t)(y * 3);
            p[2] = (uint8_t)(128 + i);
        }
    if (i % 2) /* hard edges and text on every other frame; the compared frame is smooth */
        yq_image_draw_detection(img, 4 + i, 6, 30 + i, 40, "car 0.9", i);
}

static void write_and_read(const char *dir, const char *name, int w, int h, int frames)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct yq_video_writer *vw = NULL;
    enum yq_status st = yq_video_writer_open(path, w, h, 25.0, &vw, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK && vw, "%s: %s", name, err);
    if (st) return;
    struct yq_image img = {0};
    CHECK(yq_image_alloc(&img, w, h) == YQ_STATUS_OK);
    for (int i = 0; i < frames; i++) {
        make_frame(&img, i);
        st = yq_video_write(vw, &img);
        CHECKF(st == YQ_STATUS_OK, "frame %d: %s", i, yq_video_writer_errmsg(vw));
    }
    struct yq_image wrong = {0};
    CHECK(yq_image_alloc(&wrong, w + 2, h) == YQ_STATUS_OK);
    CHECK(yq_video_write(vw, &wrong) == YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq_video_writer_errmsg(vw)[0] != '\0');
    yq_image_free(&wrong);
    st = yq_video_writer_close(vw, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "close: %s", err);

    struct yq_video_reader *vr = NULL;
    st = yq_video_open(path, &vr, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "reopen %s: %s", name, err);
    if (!st) {
        int rw, rh;
        double fps;
        yq_video_info(vr, &rw, &rh, &fps);
        CHECKF(rw == (w & ~1) && rh == (h & ~1) && fabs(fps - 25.0) < 1e-3, "%s: %dx%d @ %g", name,
               rw, rh, fps);
        struct yq_image frame = {0};
        int n = 0;
        int64_t pts = 0;
        double mad = 0;
        int cmp = frames / 2 & ~1; /* an even (smooth) frame */
        while (yq_video_read(vr, &frame, &pts) == YQ_STATUS_OK) {
            if (n == cmp) { /* compare one frame with what was written */
                make_frame(&img, n);
                long sum = 0;
                for (int y = 0; y < frame.height; y++)
                    for (int x = 0; x < frame.width * 3; x++)
                        sum += abs(frame.data[(size_t)y * frame.stride + x] -
                                   img.data[(size_t)y * img.stride + x]);
                mad = (double)sum / ((double)frame.width * frame.height * 3);
                CHECKF(pts == (int64_t)n * 40, "frame %d at %lld ms", n, (long long)pts);
            }
            n++;
        }
        CHECKF(n == frames, "%s: read back %d of %d frames", name, n, frames);
        fprintf(stderr, "%s: mean |d| of frame %d: %.2f\n", name, cmp, mad);
        CHECKF(mad < 4.0, "%s: mean abs difference %.2f", name, mad);
        yq_image_free(&frame);
        yq_video_close(vr);
    }
    yq_image_free(&img);
    unlink(path);
}

static void test_errors(const char *dir)
{
    char path[1024], err[256];
    struct yq_video_reader *vr = (struct yq_video_reader *)&err; /* must come back NULL */
    snprintf(path, sizeof path, "%s/missing.mp4", dir);
    CHECK(yq_video_open(path, &vr, err, sizeof err) == YQ_STATUS_IO && vr == NULL);
    CHECKF(strstr(err, "no such file") && !strchr(err, '\n'), "%s", err);
    CHECK(yq_video_open(dir, &vr, err, sizeof err) == YQ_STATUS_IO);
    snprintf(path, sizeof path, "%s/noise.mp4", dir);
    FILE *f = fopen(path, "wb");
    for (int i = 0; f && i < 5000; i++)
        fputc((int)(yq_test_rand() & 0xff), f);
    if (f) fclose(f);
    enum yq_status st = yq_video_open(path, &vr, err, sizeof err);
    CHECKF(st != YQ_STATUS_OK && vr == NULL && err[0] && !strchr(err, '\n'), "noise: %s", err);
    if (st == YQ_STATUS_OK) yq_video_close(vr);
    unlink(path);
    /* A still image opens as a one-frame video. */
    snprintf(path, sizeof path, "%s/still.png", dir);
    struct yq_image img = {0};
    CHECK(yq_image_alloc(&img, 8, 6) == YQ_STATUS_OK);
    CHECK(yq_image_save(&img, path, err, sizeof err) == YQ_STATUS_OK);
    if (yq_video_open(path, &vr, err, sizeof err) == YQ_STATUS_OK) {
        int n = 0;
        while (yq_video_read(vr, &img, NULL) == YQ_STATUS_OK)
            n++;
        CHECK(n == 1 && img.width == 8);
        yq_video_close(vr);
    } else {
        CHECKF(0, "still: %s", err);
    }
    unlink(path);
    yq_image_free(&img);

    struct yq_video_writer *vw = NULL;
    snprintf(path, sizeof path, "%s/x.mp4", dir);
    CHECK(yq_video_writer_open(path, 0, 10, 30, &vw, err, sizeof err) ==
          YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq_video_writer_open(path, 10, 10, 0, &vw, err, sizeof err) ==
          YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq_video_writer_open(path, 10, 10, NAN, &vw, err, sizeof err) ==
          YQ_STATUS_INVALID_ARGUMENT);
    snprintf(path, sizeof path, "%s/no/such/dir/x.mp4", dir);
    CHECK(yq_video_writer_open(path, 16, 16, 30, &vw, err, sizeof err) == YQ_STATUS_IO);
    CHECKF(vw == NULL && err[0] && !strchr(err, '\n'), "%s", err);
    CHECK(yq_video_writer_close(NULL, NULL, 0) == YQ_STATUS_OK);
    yq_video_close(NULL);
    /* Camera: either opens or says why in one line (no camera / no libavdevice here). */
    st = yq_video_open("/dev/video99", &vr, err, sizeof err);
    CHECKF(st != YQ_STATUS_OK && err[0] && !strchr(err, '\n'), "%s", err);
    fprintf(stderr, "camera -> %s: %s\n", yq_status_str(st), err);
}

int main(void)
{
    char dir[] = "/tmp/yq_media_videoXXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(!"mkdtemp");
        return yq_test_finish();
    }
    test_read_clip();
    write_and_read(dir, "a.mp4", 64, 48, 12);
    write_and_read(dir, "odd.mp4", 67, 45, 5);
    write_and_read(dir, "b.mkv", 32, 32, 3);
    test_errors(dir);
    rmdir(dir);
    return yq_test_finish();
}
