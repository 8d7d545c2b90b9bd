/* SPDX-License-Identifier: Apache-2.0 */
/* FFmpeg's log callback is process-wide: the library must leave a host application's own
 * callback in place unless yq_media_capture_ffmpeg_log(true) asks it to take over. */
#include <libavutil/log.h>
#include <stdarg.h>
#include <string.h>

#include "harness.h"
#include "yoloq/media.h"

static int host_calls;

static void host_log(void *avcl, int level, const char *fmt, va_list vl)
{
    (void)avcl;
    (void)level;
    (void)fmt;
    (void)vl;
    host_calls++;
}

int main(void)
{
    av_log_set_callback(host_log);
    static const unsigned char bad_png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0,
                                            13,   'I', 'H', 'D', 'R', 0xff, 0xff};
    struct yq_image img;
    char err[256];
    /* default: yoloq's media calls leave the host's callback installed */
    CHECK(yq_image_load_memory(bad_png, sizeof bad_png, &img, err, sizeof err) != YQ_STATUS_OK);
    CHECK(strchr(err, '\n') == NULL);
    host_calls = 0;
    av_log(NULL, AV_LOG_ERROR, "host line\n");
    CHECKF(host_calls == 1, "host callback called %d times", host_calls);
    /* opt-in capture: FFmpeg lines go to yoloq, not to the host */
    yq_media_capture_ffmpeg_log(true);
    host_calls = 0;
    av_log(NULL, AV_LOG_ERROR, "captured line\n");
    CHECK(host_calls == 0);
    CHECK(yq_image_load_memory(bad_png, sizeof bad_png, &img, err, sizeof err) != YQ_STATUS_OK);
    CHECK(strchr(err, '\n') == NULL);
    /* off again: FFmpeg's default callback (the host re-installs its own if it wants) */
    yq_media_capture_ffmpeg_log(false);
    av_log_set_callback(host_log);
    host_calls = 0;
    av_log(NULL, AV_LOG_ERROR, "host again\n");
    CHECK(host_calls == 1);
    return yq_test_finish();
}
