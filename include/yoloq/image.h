/* SPDX-License-Identifier: Apache-2.0 */
/* The image type shared by pre-processing (letterbox), media I/O and drawing:
 * 8-bit interleaved RGB (3 channels), rows `stride` bytes apart.
 *
 *     struct yq_image img = {0};
 *     if (yq_image_load("bus.jpg", &img, err, sizeof err) == YQ_STATUS_OK) { ...; yq_image_free(&img); }
 */
#ifndef YOLOQ_IMAGE_H
#define YOLOQ_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include "yoloq/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct yq_image {
    int width;
    int height;
    int stride;    /* bytes between rows, >= 3 * width */
    uint8_t *data; /* RGB, 3 bytes per pixel; owned when allocated by yq_image_alloc */
};

/* Allocates an RGB image of w x h (stride 3*w rounded up to 64, zeroed); fields of *img set.
 * @retval YQ_STATUS_INVALID_ARGUMENT  w or h not in 1..65535
 * @retval YQ_STATUS_OUT_OF_MEMORY */
YQ_API enum yq_status yq_image_alloc(struct yq_image *img, int w, int h);
/* Frees pixels allocated by yq_image_alloc / yq_image_load; safe on a zeroed image. */
YQ_API void yq_image_free(struct yq_image *img);

#ifdef __cplusplus
}
#endif
#endif
