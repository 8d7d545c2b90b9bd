/* SPDX-License-Identifier: Apache-2.0 */
/* struct yq_image allocation (runtime side: no third-party dependency). */
#include "yoloq/image.h"

#include <string.h>
#include "core/core.h"

enum yq_status yq_image_alloc(struct yq_image *img, int w, int h)
{
    if (!img || w <= 0 || h <= 0 || w > 65535 || h > 65535)
        return YQ_STATUS_INVALID_ARGUMENT;
    size_t stride = ((size_t)w * 3 + 63) / 64 * 64;
    uint8_t *p = yq__aligned_alloc(stride * (size_t)h + 64);
    if (!p)
        return YQ_STATUS_OUT_OF_MEMORY;
    memset(p, 0, stride * (size_t)h + 64);
    img->width = w;
    img->height = h;
    img->stride = (int)stride;
    img->data = p;
    return YQ_STATUS_OK;
}

void yq_image_free(struct yq_image *img)
{
    if (!img)
        return;
    yq__aligned_free(img->data);
    img->data = NULL;
    img->width = img->height = img->stride = 0;
}
