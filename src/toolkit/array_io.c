/* SPDX-License-Identifier: Apache-2.0 */
/* Host tensors from and to files for `yoloq run`: an ONNX TensorProto (.pb, ONNX's own test
 * vectors) or a .npy file (what numpy users have). Untrusted bytes: the .npy header's
 * shape is parsed whole and checked against the data that follows. */
#include "yoloq/toolkit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "onnx/onnx.h"
#include "toolkit_internal.h"

static const struct {
    const char *descr;
    int type;
} npy_types[] = {{"<f4", 1}, {"|u1", 2}, {"|i1", 3}, {"<u2", 4},  {"<i2", 5},
                 {"<i4", 6}, {"<i8", 7}, {"|b1", 9}, {"<f2", 10}, {"<f8", 11}};

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

/* The value after 'key': in a .npy header dict, or NULL. */
static const char *dict_value(const char *h, const char *key)
{
    const char *p = strstr(h, key);
    if (!p) return NULL;
    p = strchr(p + strlen(key), ':');
    if (!p) return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

enum yq_status yq__npy_span(const char *path, const unsigned char *b, size_t n, size_t *start,
                            size_t *hl, struct yq__err *e)
{
    if (n < 10 || memcmp(b, "\x93NUMPY", 6))
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: not a .npy file", path);
    if (b[6] == 1) {
        *hl = (size_t)b[8] | (size_t)b[9] << 8;
        *start = 10;
    } else if ((b[6] == 2 || b[6] == 3) && n >= 12) {
        *hl = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        *start = 12;
    } else {
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: unsupported .npy version %d", path, b[6]);
    }
    if (*hl > n - *start)
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: truncated .npy header", path);
    return YQ_STATUS_OK;
}

static enum yq_status npy_parse(const char *path, const unsigned char *b, size_t n,
                                struct yq_array *out, struct yq__err *e)
{
    size_t hl, start;
    enum yq_status st = yq__npy_span(path, b, n, &start, &hl, e);
    if (st) return st;
    if (hl > n - start || hl > 4096)
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: bad .npy header length %zu", path, hl);
    char h[4097];
    memcpy(h, b + start, hl);
    h[hl] = '\0';
    const char *fo = dict_value(h, "'fortran_order'");
    if (!fo || strncmp(fo, "False", 5))
        return yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: only C-order .npy is supported", path);
    const char *d = dict_value(h, "'descr'");
    int type = 0;
    for (size_t i = 0; d && i < sizeof npy_types / sizeof npy_types[0]; i++)
        if (d[0] == '\'' && !strncmp(d + 1, npy_types[i].descr, 3) && d[4] == '\'')
            type = npy_types[i].type;
    if (!type)
        return yq__errf(e, YQ_STATUS_UNSUPPORTED,
                        "%s: .npy dtype is not one of f4 f8 f2 i1 i2 "
                        "i4 i8 u1 u2 b1 (little-endian)",
                        path);
    const char *s = dict_value(h, "'shape'");
    if (!s || *s != '(')
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: .npy header has no shape", path);
    s++;
    size_t count = 1;
    out->n_dims = 0;
    for (;;) {
        while (*s == ' ' || *s == ',')
            s++;
        if (*s == ')') break;
        if (*s < '0' || *s > '9' || out->n_dims == YQ_MAX_DIMS)
            return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: bad .npy shape (at most %d dims)", path,
                            YQ_MAX_DIMS);
        int64_t v = 0;
        while (*s >= '0' && *s <= '9') {
            if (v > ((int64_t)1 << 40))
                return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: .npy dim too large", path);
            v = v * 10 + (*s++ - '0');
        }
        if (v && count > ((size_t)1 << 40) / (size_t)v)
            return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: .npy shape too large", path);
        count *= (size_t)v;
        out->dims[out->n_dims++] = v;
    }
    size_t want = count * yq__onnx_elem_size(type), off = start + hl;
    if (n - off != want)
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: %zu bytes of data, the shape needs %zu", path,
                        n - off, want);
    out->elem_type = type;
    out->size_bytes = want;
    out->data = yq__malloc(want ? want : 1);
    if (!out->data) return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
    if (want) memcpy(out->data, b + off, want);
    return YQ_STATUS_OK;
}

enum yq_status yq_array_load(const char *path, struct yq_array *out, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!out) return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "no output array");
    memset(out, 0, sizeof *out);
    if (!path) return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "no tensor path");
    char *data = NULL;
    size_t n = 0;
    if (yq__read_file(path, &data, &n, NULL))
        return yq__errf(&e, YQ_STATUS_IO, "%s: cannot read: %s", path, strerror(errno));
    enum yq_status st = ends_with(path, ".npy") || (n >= 6 && !memcmp(data, "\x93NUMPY", 6))
                            ? npy_parse(path, (const unsigned char *)data, n, out, &e)
                            : yq__onnx_array_from_pb(data, n, path, out, &e);
    yq__free(data);
    if (st) yq_array_clear(out);
    return st;
}

enum yq_status yq_array_save_npy(const char *path, const struct yq_array *a, char *err,
                                 size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!path || !a || (!a->data && a->size_bytes))
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "no array or path");
    const char *descr = NULL;
    for (size_t i = 0; i < sizeof npy_types / sizeof npy_types[0]; i++)
        if (npy_types[i].type == a->elem_type) descr = npy_types[i].descr;
    if (!descr)
        return yq__errf(&e, YQ_STATUS_UNSUPPORTED, "%s: element type %d has no .npy form", path,
                        a->elem_type);
    char h[512];
    size_t l =
        (size_t)snprintf(h, sizeof h, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (int d = 0; d < a->n_dims && l < 400; d++)
        l += (size_t)snprintf(h + l, sizeof h - l, "%lld%s", (long long)a->dims[d],
                              a->n_dims == 1      ? ","
                              : d + 1 < a->n_dims ? ", "
                                                  : "");
    l += (size_t)snprintf(h + l, sizeof h - l, "), }");
    /* pad with spaces so magic + header is a multiple of 64, newline last */
    size_t total = (10 + l + 1 + 63) / 64 * 64;
    while (10 + l + 1 < total)
        h[l++] = ' ';
    h[l++] = '\n';
    unsigned char pre[10] = {
        0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(l & 0xff), (unsigned char)(l >> 8)};
    FILE *f = fopen(path, "wb");
    if (!f) return yq__errf(&e, YQ_STATUS_IO, "%s: cannot write: %s", path, strerror(errno));
    bool ok = fwrite(pre, 1, 10, f) == 10 && fwrite(h, 1, l, f) == l &&
              (!a->size_bytes || fwrite(a->data, 1, a->size_bytes, f) == a->size_bytes);
    if (fclose(f) || !ok) {
        remove(path);
        return yq__errf(&e, YQ_STATUS_IO, "%s: write failed", path);
    }
    return YQ_STATUS_OK;
}
