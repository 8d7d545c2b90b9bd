/* SPDX-License-Identifier: Apache-2.0 */
/* Detections in the COCO results format: a growing list, its JSON reader and writer.
 * Ids are checked against the ground truth only when evaluating, so a detector can fill
 * the list without holding the annotations. */
#include "coco_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum yq_status yq_coco_dets_create(struct yq_coco_dets **out)
{
    if (!out)
        return YQ_STATUS_INVALID_ARGUMENT;
    *out = yq__calloc(1, sizeof **out);
    return *out ? YQ_STATUS_OK : YQ_STATUS_OUT_OF_MEMORY;
}

void yq_coco_dets_free(struct yq_coco_dets *dets)
{
    if (!dets)
        return;
    yq__free(dets->v);
    yq__free(dets->source);
    yq__free(dets);
}

static enum yq_status reserve(struct yq_coco_dets *d, size_t n)
{
    if (n <= d->cap)
        return YQ_STATUS_OK;
    size_t cap = d->cap ? d->cap : 256, bytes;
    while (cap < n)
        if (!yq__mul_size(cap, 2, &cap))
            return YQ_STATUS_OUT_OF_MEMORY;
    if (!yq__mul_size(cap, sizeof *d->v, &bytes))
        return YQ_STATUS_OUT_OF_MEMORY;
    struct yq_coco_det *v = yq__realloc(d->v, bytes);
    if (!v)
        return YQ_STATUS_OUT_OF_MEMORY;
    d->v = v;
    d->cap = cap;
    return YQ_STATUS_OK;
}

enum yq_status yq_coco_dets_add(struct yq_coco_dets *dets, int64_t image_id, int64_t category_id,
                                double x, double y, double w, double h, double score)
{
    if (!dets || !isfinite(x) || !isfinite(y) || !isfinite(w) || !isfinite(h) ||
        !isfinite(score) || w < 0 || h < 0)
        return YQ_STATUS_INVALID_ARGUMENT;
    enum yq_status st = reserve(dets, dets->n + 1);
    if (st)
        return st;
    struct yq_coco_det *d = &dets->v[dets->n++];
    d->image_id = image_id;
    d->category_id = category_id;
    d->bbox[0] = x;
    d->bbox[1] = y;
    d->bbox[2] = w;
    d->bbox[3] = h;
    d->score = score;
    return YQ_STATUS_OK;
}

size_t yq_coco_dets_count(const struct yq_coco_dets *dets)
{
    return dets ? dets->n : 0;
}

struct yq_coco_det yq_coco_dets_get(const struct yq_coco_dets *dets, size_t index)
{
    struct yq_coco_det r;
    memset(&r, 0, sizeof r);
    if (dets && index < dets->n)
        r = dets->v[index];
    return r;
}

static enum yq_status parse_dets(const cJSON *root, const char *name, struct yq_coco_dets *d,
                                 struct yq__err *e)
{
    if (!cJSON_IsArray(root))
        return yq__errf(e, YQ_STATUS_BAD_INPUT,
                        "%s: top level is not an array (COCO results are [{image_id, "
                        "category_id, bbox, score}, ...])",
                        name);
    size_t n = 0, i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, root) n++;
    if (reserve(d, n))
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", name);
    cJSON_ArrayForEach(it, root)
    {
        struct yq_coco_det det;
        int r;
        const char *what = NULL;
        if (!cJSON_IsObject(it))
            return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: [%zu] is not an object", name, i);
        if ((r = yq__json_int(it, "image_id", &det.image_id)))
            what = "\"image_id\" (an integer)";
        else if ((r = yq__json_int(it, "category_id", &det.category_id)))
            what = "\"category_id\" (an integer)";
        else if ((r = yq__json_bbox(it, "bbox", det.bbox)))
            what = "\"bbox\" (4 finite numbers [x,y,w,h], w and h >= 0)";
        else if ((r = yq__json_num(it, "score", &det.score)))
            what = "\"score\" (a finite number)";
        if (what)
            return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: [%zu]: %s %s", name, i,
                            r == 1 ? "missing" : "invalid", what);
        d->v[d->n++] = det;
        i++;
    }
    return YQ_STATUS_OK;
}

enum yq_status yq_coco_dets_load_json_mem(const char *json, size_t len, const char *name,
                                          struct yq_coco_dets **out, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!out)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "yq_coco_dets_load_json: out is NULL");
    *out = NULL;
    if (!name)
        name = "detections";
    if (!json)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "%s: no data", name);
    cJSON *root;
    enum yq_status st = yq__json_parse(json, len, name, &root, &e);
    if (st)
        return st;
    struct yq_coco_dets *d;
    if (yq_coco_dets_create(&d) || !(d->source = yq__strdup(name))) {
        if (d)
            yq_coco_dets_free(d);
        cJSON_Delete(root);
        return yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", name);
    }
    st = parse_dets(root, name, d, &e);
    cJSON_Delete(root);
    if (st) {
        yq_coco_dets_free(d);
        return st;
    }
    *out = d;
    return YQ_STATUS_OK;
}

enum yq_status yq_coco_dets_load_json(const char *path, struct yq_coco_dets **out, char *err,
                                      size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (out)
        *out = NULL;
    if (!path || !out)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "yq_coco_dets_load_json: NULL argument");
    char *data;
    size_t size;
    enum yq_status st = yq__read_file(path, &data, &size, &e);
    if (st)
        return st;
    st = yq_coco_dets_load_json_mem(data, size, path, out, err, err_cap);
    yq__free(data);
    return st;
}

/* Shortest "%.*g" that reads back to the same double, so a saved file evaluates exactly as
 * the in-memory list did. */
static void fmt_num(char *buf, size_t cap, double v)
{
    for (int p = 6; p <= 17; p++) {
        snprintf(buf, cap, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

enum yq_status yq_coco_dets_save_json(const struct yq_coco_dets *dets, const char *path,
                                      char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!dets || !path)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "yq_coco_dets_save_json: NULL argument");
    FILE *f;
    struct yq_atomic_file *a; /* the file appears whole, or not at all */
    enum yq_status st = yq__atomic_open(path, &a, &f, &e);
    if (st)
        return st;
    fputs("[", f);
    for (size_t i = 0; i < dets->n; i++) {
        const struct yq_coco_det *d = &dets->v[i];
        char n[4][40], s[40], line[320];
        for (int k = 0; k < 4; k++)
            fmt_num(n[k], sizeof n[k], d->bbox[k]);
        fmt_num(s, sizeof s, d->score);
        snprintf(line, sizeof line,
                 "%s\n{\"image_id\": %lld, \"category_id\": %lld, \"bbox\": [%s, %s, %s, %s], "
                 "\"score\": %s}",
                 i ? "," : "", (long long)d->image_id, (long long)d->category_id, n[0], n[1], n[2],
                 n[3], s);
        fputs(line, f);
    }
    fputs("\n]\n", f);
    return yq__atomic_commit(a, &e);
}
