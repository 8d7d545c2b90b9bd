/* SPDX-License-Identifier: Apache-2.0 */
/* COCO instances JSON -> struct yq_coco_gt, plus the JSON/file helpers the other readers
 * share. Everything read is untrusted: every field is type-checked and every id resolved,
 * so the evaluator can index without checks. */
#include "coco_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Beyond 2^53 doubles (what cJSON gives us) stop being exact integers. */
#define MAX_EXACT_INT 9007199254740992.0

enum yq_status yq__json_parse(const char *data, size_t len, const char *name, cJSON **root,
                              struct yq__err *e)
{
    const char *end = NULL;
    unsigned long failures = yq__alloc_failures;
    *root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
    if (*root)
        return YQ_STATUS_OK;
    /* with cJSON's hooks on yq__malloc (a program's choice), a failed allocation shows here */
    if (yq__alloc_failures != failures)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory parsing JSON", name);
    /* cJSON reports the failing position; turn it into line:column a user can open. */
    size_t pos = (end && end >= data && end <= data + len) ? (size_t)(end - data) : 0;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos; i++) {
        if (data[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    if (len == 0)
        return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: empty file, expected JSON", name);
    return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: invalid JSON at line %zu column %zu", name,
                    line, col);
}

int yq__json_num(const cJSON *obj, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return 1;
    if (cJSON_IsBool(v)) { /* Python treats true/false as 1/0; so do we */
        *out = cJSON_IsTrue(v) ? 1.0 : 0.0;
        return 0;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return 2;
    *out = v->valuedouble;
    return 0;
}

int yq__json_int(const cJSON *obj, const char *key, int64_t *out)
{
    double d;
    int r = yq__json_num(obj, key, &d);
    if (r)
        return r;
    if (d != floor(d) || fabs(d) > MAX_EXACT_INT)
        return 2;
    *out = (int64_t)d;
    return 0;
}

int yq__json_bbox(const cJSON *obj, const char *key, double bbox[4])
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return 1;
    if (!cJSON_IsArray(v))
        return 2;
    int n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, v)
    {
        if (n >= 4 || !cJSON_IsNumber(it) || !isfinite(it->valuedouble))
            return 2;
        bbox[n++] = it->valuedouble;
    }
    if (n != 4 || bbox[2] < 0 || bbox[3] < 0)
        return 2;
    return 0;
}

static int cmp_img(const void *a, const void *b)
{
    int64_t x = ((const struct yq__coco_img *)a)->id, y = ((const struct yq__coco_img *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_cat(const void *a, const void *b)
{
    int64_t x = ((const struct yq__coco_cat *)a)->id, y = ((const struct yq__coco_cat *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

size_t yq__coco_find_img(const struct yq_coco_gt *gt, int64_t id)
{
    size_t lo = 0, hi = gt->n_images;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (gt->images[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < gt->n_images && gt->images[lo].id == id) ? lo : SIZE_MAX;
}

size_t yq__coco_find_cat(const struct yq_coco_gt *gt, int64_t id)
{
    size_t lo = 0, hi = gt->n_cats;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (gt->cats[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < gt->n_cats && gt->cats[lo].id == id) ? lo : SIZE_MAX;
}

enum yq_status yq__coco_gt_finish(struct yq_coco_gt *gt, const int64_t *ann_img_ids,
                                  const int64_t *ann_cat_ids, const char *name,
                                  struct yq__err *e)
{
    if (gt->n_images)
        qsort(gt->images, gt->n_images, sizeof *gt->images, cmp_img);
    for (size_t i = 1; i < gt->n_images; i++)
        if (gt->images[i].id == gt->images[i - 1].id)
            return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: images: duplicate id %lld", name,
                            (long long)gt->images[i].id);
    if (gt->n_cats)
        qsort(gt->cats, gt->n_cats, sizeof *gt->cats, cmp_cat);
    for (size_t i = 1; i < gt->n_cats; i++)
        if (gt->cats[i].id == gt->cats[i - 1].id)
            return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: categories: duplicate id %lld", name,
                            (long long)gt->cats[i].id);
    for (size_t i = 0; i < gt->n_anns; i++) {
        struct yq__coco_ann *a = &gt->anns[i];
        a->img = yq__coco_find_img(gt, ann_img_ids[i]);
        if (a->img == SIZE_MAX)
            return yq__errf(e, YQ_STATUS_BAD_INPUT,
                            "%s: annotations[%zu] (id %lld): image_id %lld is not in images",
                            name, i, (long long)a->id, (long long)ann_img_ids[i]);
        a->cat = yq__coco_find_cat(gt, ann_cat_ids[i]);
        if (a->cat == SIZE_MAX)
            return yq__errf(e, YQ_STATUS_BAD_INPUT,
                            "%s: annotations[%zu] (id %lld): category_id %lld is not in "
                            "categories",
                            name, i, (long long)a->id, (long long)ann_cat_ids[i]);
    }
    if (gt->n_anns > 1) {
        int64_t *ids = yq__malloc(gt->n_anns * sizeof *ids);
        if (!ids)
            return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", name);
        for (size_t i = 0; i < gt->n_anns; i++)
            ids[i] = gt->anns[i].id;
        qsort(ids, gt->n_anns, sizeof *ids, cmp_i64);
        for (size_t i = 1; i < gt->n_anns; i++) {
            if (ids[i] == ids[i - 1]) {
                long long dup = (long long)ids[i];
                yq__free(ids);
                return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: annotations: duplicate id %lld",
                                name, dup);
            }
        }
        yq__free(ids);
    }
    return YQ_STATUS_OK;
}

static const cJSON *get_array(const cJSON *root, const char *key, const char *name,
                              size_t *n, struct yq__err *e)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!a) {
        yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: missing \"%s\" (not a COCO instances file?)",
                 name, key);
        return NULL;
    }
    if (!cJSON_IsArray(a)) {
        yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: \"%s\" is not an array", name, key);
        return NULL;
    }
    *n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, a)(*n)++;
    return a;
}

static const char *field_problem(int r)
{
    return r == 1 ? "missing" : "invalid";
}

static enum yq_status opt_string(const cJSON *obj, const char *key, char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = yq__strdup(cJSON_IsString(v) && v->valuestring ? v->valuestring : "");
    return *out ? YQ_STATUS_OK : YQ_STATUS_OUT_OF_MEMORY;
}

static enum yq_status parse_gt(const cJSON *root, const char *name, struct yq_coco_gt *gt,
                               struct yq__err *e)
{
    enum yq_status st = YQ_STATUS_OK;
    int64_t *img_ids = NULL, *cat_ids = NULL;
    if (!cJSON_IsObject(root))
        return yq__errf(e, YQ_STATUS_BAD_INPUT,
                        "%s: top level is not an object (not a COCO instances file?)", name);
    size_t ni, na, nc;
    const cJSON *images = get_array(root, "images", name, &ni, e);
    if (!images)
        return YQ_STATUS_BAD_INPUT;
    const cJSON *anns = get_array(root, "annotations", name, &na, e);
    if (!anns)
        return YQ_STATUS_BAD_INPUT;
    const cJSON *cats = get_array(root, "categories", name, &nc, e);
    if (!cats)
        return YQ_STATUS_BAD_INPUT;

    gt->images = yq__calloc(ni ? ni : 1, sizeof *gt->images);
    gt->cats = yq__calloc(nc ? nc : 1, sizeof *gt->cats);
    gt->anns = yq__calloc(na ? na : 1, sizeof *gt->anns);
    img_ids = yq__calloc(na ? na : 1, sizeof *img_ids);
    cat_ids = yq__calloc(na ? na : 1, sizeof *cat_ids);
    if (!gt->images || !gt->cats || !gt->anns || !img_ids || !cat_ids) {
        st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", name);
        goto done;
    }

    const cJSON *it;
    size_t i = 0;
    cJSON_ArrayForEach(it, images)
    {
        struct yq__coco_img *im = &gt->images[i];
        int r;
        double d;
        if (!cJSON_IsObject(it)) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: images[%zu] is not an object", name, i);
            goto done;
        }
        if ((r = yq__json_int(it, "id", &im->id))) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: images[%zu]: %s \"id\" (an integer)",
                          name, i, field_problem(r));
            goto done;
        }
        r = yq__json_num(it, "width", &d);
        if (r == 0 && d >= 0 && d <= 1e9)
            im->width = (int)d;
        r = yq__json_num(it, "height", &d);
        if (r == 0 && d >= 0 && d <= 1e9)
            im->height = (int)d;
        if (opt_string(it, "file_name", &im->file_name)) {
            st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", name);
            goto done;
        }
        gt->n_images = ++i;
    }

    i = 0;
    cJSON_ArrayForEach(it, cats)
    {
        struct yq__coco_cat *c = &gt->cats[i];
        int r;
        if (!cJSON_IsObject(it)) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: categories[%zu] is not an object", name,
                          i);
            goto done;
        }
        if ((r = yq__json_int(it, "id", &c->id))) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT,
                          "%s: categories[%zu]: %s \"id\" (an integer)", name, i,
                          field_problem(r));
            goto done;
        }
        if (opt_string(it, "name", &c->name)) {
            st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", name);
            goto done;
        }
        gt->n_cats = ++i;
    }

    i = 0;
    cJSON_ArrayForEach(it, anns)
    {
        struct yq__coco_ann *a = &gt->anns[i];
        int r;
        const char *what = NULL;
        double crowd = 0;
        if (!cJSON_IsObject(it)) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: annotations[%zu] is not an object", name,
                          i);
            goto done;
        }
        if ((r = yq__json_int(it, "id", &a->id)))
            what = "\"id\" (an integer)";
        else if ((r = yq__json_int(it, "image_id", &img_ids[i])))
            what = "\"image_id\" (an integer)";
        else if ((r = yq__json_int(it, "category_id", &cat_ids[i])))
            what = "\"category_id\" (an integer)";
        else if ((r = yq__json_bbox(it, "bbox", a->bbox)))
            what = "\"bbox\" (4 finite numbers [x,y,w,h], w and h >= 0)";
        else if ((r = yq__json_num(it, "area", &a->area)) == 2 || (r == 0 && a->area < 0))
            what = "\"area\" (a number >= 0)";
        else if ((r = yq__json_num(it, "iscrowd", &crowd)) == 2)
            what = "\"iscrowd\" (0 or 1)";
        if (what) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: annotations[%zu]: %s %s", name, i,
                          field_problem(r), what);
            goto done;
        }
        /* pycocotools needs "area"; files converted by hand often lack it, and the box area
         * is what every converter would write. */
        if (!cJSON_GetObjectItemCaseSensitive(it, "area"))
            a->area = a->bbox[2] * a->bbox[3];
        a->iscrowd = crowd != 0;
        gt->n_anns = ++i;
    }
    st = yq__coco_gt_finish(gt, img_ids, cat_ids, name, e);
done:
    yq__free(img_ids);
    yq__free(cat_ids);
    return st;
}

enum yq_status yq_coco_gt_load_json_mem(const char *json, size_t len, const char *name,
                                        struct yq_coco_gt **out, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!out)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "yq_coco_gt_load_json: out is NULL");
    *out = NULL;
    if (!name)
        name = "annotations";
    if (!json)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "%s: no data", name);
    cJSON *root;
    enum yq_status st = yq__json_parse(json, len, name, &root, &e);
    if (st)
        return st;
    struct yq_coco_gt *gt = yq__calloc(1, sizeof *gt);
    if (!gt) {
        cJSON_Delete(root);
        return yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", name);
    }
    st = parse_gt(root, name, gt, &e);
    cJSON_Delete(root);
    if (st) {
        yq_coco_gt_free(gt);
        return st;
    }
    *out = gt;
    return YQ_STATUS_OK;
}

enum yq_status yq_coco_gt_load_json(const char *path, struct yq_coco_gt **out, char *err,
                                    size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (out)
        *out = NULL;
    if (!path || !out)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "yq_coco_gt_load_json: NULL argument");
    char *data;
    size_t size;
    enum yq_status st = yq__read_file(path, &data, &size, &e);
    if (st)
        return st;
    st = yq_coco_gt_load_json_mem(data, size, path, out, err, err_cap);
    yq__free(data);
    return st;
}

void yq_coco_gt_free(struct yq_coco_gt *gt)
{
    if (!gt)
        return;
    for (size_t i = 0; i < gt->n_images; i++)
        yq__free(gt->images[i].file_name);
    for (size_t i = 0; i < gt->n_cats; i++)
        yq__free(gt->cats[i].name);
    yq__free(gt->images);
    yq__free(gt->cats);
    yq__free(gt->anns);
    yq__free(gt);
}

size_t yq_coco_gt_image_count(const struct yq_coco_gt *gt)
{
    return gt ? gt->n_images : 0;
}

struct yq_coco_image yq_coco_gt_image(const struct yq_coco_gt *gt, size_t index)
{
    struct yq_coco_image r = {0, 0, 0, ""};
    if (gt && index < gt->n_images) {
        const struct yq__coco_img *im = &gt->images[index];
        r.id = im->id;
        r.width = im->width;
        r.height = im->height;
        r.file_name = im->file_name ? im->file_name : "";
    }
    return r;
}

size_t yq_coco_gt_category_count(const struct yq_coco_gt *gt)
{
    return gt ? gt->n_cats : 0;
}

struct yq_coco_category yq_coco_gt_category(const struct yq_coco_gt *gt, size_t index)
{
    struct yq_coco_category r = {0, ""};
    if (gt && index < gt->n_cats) {
        r.id = gt->cats[index].id;
        r.name = gt->cats[index].name ? gt->cats[index].name : "";
    }
    return r;
}

size_t yq_coco_gt_annotation_count(const struct yq_coco_gt *gt)
{
    return gt ? gt->n_anns : 0;
}

struct yq_coco_annotation yq_coco_gt_annotation(const struct yq_coco_gt *gt, size_t index)
{
    struct yq_coco_annotation r;
    memset(&r, 0, sizeof r);
    if (gt && index < gt->n_anns) {
        const struct yq__coco_ann *a = &gt->anns[index];
        r.id = a->id;
        r.image_id = gt->images[a->img].id;
        r.category_id = gt->cats[a->cat].id;
        memcpy(r.bbox, a->bbox, sizeof r.bbox);
        r.area = a->area;
        r.iscrowd = a->iscrowd != 0;
    }
    return r;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

bool yq_coco_gt_find_image(const struct yq_coco_gt *gt, const char *path, int64_t *image_id)
{
    if (!gt || !path)
        return false;
    const char *b = base_name(path);
    for (size_t i = 0; i < gt->n_images; i++) {
        const char *f = gt->images[i].file_name;
        if (f && *f && strcmp(base_name(f), b) == 0) {
            if (image_id)
                *image_id = gt->images[i].id;
            return true;
        }
    }
    /* COCO file names are the zero-padded id: "000000000139.jpg" -> 139. */
    size_t n = strcspn(b, ".");
    if (n == 0 || n > 18)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (b[i] < '0' || b[i] > '9')
            return false;
        v = v * 10 + (b[i] - '0');
    }
    if (yq__coco_find_img(gt, v) == SIZE_MAX)
        return false;
    if (image_id)
        *image_id = v;
    return true;
}
