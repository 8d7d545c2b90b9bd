/* SPDX-License-Identifier: Apache-2.0 */
/* Image width/height from the file header alone (JPEG SOF marker, PNG IHDR, BMP info
 * header): converting YOLO labels needs pixel sizes for thousands of images, and decoding
 * them just for that would dominate the evaluation. */
#include "coco_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static long le32s(const unsigned char *p)
{
    unsigned long u =
        (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
        (unsigned long)p[3] << 24;
    return u >= 0x80000000ul ? -(long)(0xFFFFFFFFul - u) - 1 : (long)u;
}

/* Walks the marker segments up to the first SOFn (baseline, progressive, lossless...). */
static int jpeg_size(FILE *f, int *w, int *h)
{
    for (;;) {
        int c = fgetc(f);
        if (c == EOF)
            return -1;
        if (c != 0xFF)
            continue; /* tolerate garbage between segments, as decoders do */
        do
            c = fgetc(f);
        while (c == 0xFF); /* fill bytes */
        if (c == EOF || c == 0xD9 || c == 0xDA)
            return -1; /* EOI or scan data before any frame header */
        if (c == 0x01 || (c >= 0xD0 && c <= 0xD8) || c == 0x00)
            continue; /* standalone markers carry no length */
        unsigned char b[7];
        if (fread(b, 1, 2, f) != 2)
            return -1;
        unsigned len = be16(b);
        if (len < 2)
            return -1;
        if (c >= 0xC0 && c <= 0xCF && c != 0xC4 && c != 0xC8 && c != 0xCC) {
            if (len < 7 || fread(b, 1, 5, f) != 5)
                return -1;
            *h = (int)be16(b + 1);
            *w = (int)be16(b + 3);
            return 0;
        }
        if (fseek(f, (long)len - 2, SEEK_CUR) != 0)
            return -1;
    }
}

enum yq_status yq__image_size(const char *path, int *width, int *height, struct yq__err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return yq__errf(e, YQ_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char hd[26];
    size_t n = fread(hd, 1, sizeof hd, f);
    int w = 0, h = 0, ok = -1;
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (n >= 24 && memcmp(hd, png_sig, 8) == 0 && memcmp(hd + 12, "IHDR", 4) == 0) {
        unsigned long pw = be32(hd + 16), ph = be32(hd + 20);
        if (pw <= 0x7FFFFFFF && ph <= 0x7FFFFFFF) {
            w = (int)pw;
            h = (int)ph;
            ok = 0;
        }
    } else if (n >= 26 && hd[0] == 'B' && hd[1] == 'M') {
        long bw = le32s(hd + 18), bh = le32s(hd + 22);
        if (bh < 0)
            bh = -bh; /* top-down bitmap */
        if (bw >= 0 && bw <= 0x7FFFFFFF && bh <= 0x7FFFFFFF) {
            w = (int)bw;
            h = (int)bh;
            ok = 0;
        }
    } else if (n >= 2 && hd[0] == 0xFF && hd[1] == 0xD8) {
        if (fseek(f, 2, SEEK_SET) == 0)
            ok = jpeg_size(f, &w, &h);
    } else {
        fclose(f);
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: not a JPEG, PNG or BMP file", path);
    }
    fclose(f);
    if (ok != 0 || w <= 0 || h <= 0)
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: cannot read the image size from its header",
                        path);
    *width = w;
    *height = h;
    return YQ_STATUS_OK;
}
