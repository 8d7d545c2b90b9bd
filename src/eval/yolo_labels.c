/* SPDX-License-Identifier: Apache-2.0 */
/* Ground truth from a YOLO dataset (images/ + labels/<stem>.txt with normalised "cls cx cy w h"),
 * converted to COCO boxes in pixels with the standard 80->91 category map, so a user without
 * an instances JSON still gets the pycocotools numbers. */
#include "coco_internal.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static const char *const k_coco80_names[80] = {
    "person",        "bicycle",      "car",           "motorcycle",    "airplane",
    "bus",           "train",        "truck",         "boat",          "traffic light",
    "fire hydrant",  "stop sign",    "parking meter", "bench",         "bird",
    "cat",           "dog",          "horse",         "sheep",         "cow",
    "elephant",      "bear",         "zebra",         "giraffe",       "backpack",
    "umbrella",      "handbag",      "tie",           "suitcase",      "frisbee",
    "skis",          "snowboard",    "sports ball",   "kite",          "baseball bat",
    "baseball glove", "skateboard",  "surfboard",     "tennis racket", "bottle",
    "wine glass",    "cup",          "fork",          "knife",         "spoon",
    "bowl",          "banana",       "apple",         "sandwich",      "orange",
    "broccoli",      "carrot",       "hot dog",       "pizza",         "donut",
    "cake",          "chair",        "couch",         "potted plant",  "bed",
    "dining table",  "toilet",       "tv",            "laptop",        "mouse",
    "remote",        "keyboard",     "cell phone",    "microwave",     "oven",
    "toaster",       "sink",         "refrigerator",  "book",          "clock",
    "vase",          "scissors",     "teddy bear",    "hair drier",    "toothbrush"};


static bool is_image_name(const char *n)
{
    const char *dot = strrchr(n, '.');
    if (!dot || dot == n)
        return false;
    return !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") || !strcasecmp(dot, ".png") ||
           !strcasecmp(dot, ".bmp");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct growing {
    struct yq__coco_ann *anns;
    int64_t *img_ids, *cat_ids;
    size_t n, cap;
};

static bool grow(struct growing *g)
{
    if (g->n < g->cap)
        return true;
    size_t cap = g->cap ? g->cap * 2 : 1024, b1, b2;
    if (!yq__mul_size(cap, sizeof *g->anns, &b1) || !yq__mul_size(cap, sizeof(int64_t), &b2))
        return false;
    struct yq__coco_ann *a = yq__realloc(g->anns, b1);
    if (!a)
        return false;
    g->anns = a;
    int64_t *i = yq__realloc(g->img_ids, b2);
    if (!i)
        return false;
    g->img_ids = i;
    int64_t *c = yq__realloc(g->cat_ids, b2);
    if (!c)
        return false;
    g->cat_ids = c;
    g->cap = cap;
    return true;
}

/* One label file; a missing file is an image without objects (YOLO's convention). */
static enum yq_status read_labels(const char *path, int64_t img_id, int W, int H,
                                  struct growing *g, struct yq__err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? YQ_STATUS_OK
                               : yq__errf(e, YQ_STATUS_IO, "%s: cannot open: %s", path,
                                          strerror(errno));
    char line[4096];
    size_t ln = 0;
    enum yq_status st = YQ_STATUS_OK;
    while (fgets(line, sizeof line, f)) {
        ln++;
        if (!strchr(line, '\n') && !feof(f)) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s:%zu: line too long", path, ln);
            break;
        }
        double v[5];
        int nv = 0;
        char *p = line, *end;
        while (nv < 6) {
            while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
                p++;
            if (!*p)
                break;
            double d = strtod(p, &end);
            if (end == p || !isfinite(d) || nv == 5) {
                nv = -1;
                break;
            }
            v[nv++] = d;
            p = end;
        }
        if (nv == 0)
            continue; /* blank line */
        if (nv != 5) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT,
                          "%s:%zu: expected 5 numbers \"class cx cy w h\"", path, ln);
            break;
        }
        if (v[0] != floor(v[0]) || v[0] < 0 || v[0] >= 80) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT,
                          "%s:%zu: class %g is not a COCO class index 0..79", path, ln, v[0]);
            break;
        }
        if (v[3] < 0 || v[4] < 0) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s:%zu: negative box size", path, ln);
            break;
        }
        if (!grow(g)) {
            st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
            break;
        }
        struct yq__coco_ann *a = &g->anns[g->n];
        double w = v[3] * W, h = v[4] * H;
        a->bbox[0] = (v[1] - v[3] / 2) * W;
        a->bbox[1] = (v[2] - v[4] / 2) * H;
        a->bbox[2] = w;
        a->bbox[3] = h;
        a->area = w * h;
        a->iscrowd = 0;
        a->id = (int64_t)g->n + 1;
        g->img_ids[g->n] = img_id;
        g->cat_ids[g->n] = yq_coco80_to_91((int)v[0]);
        g->n++;
    }
    if (!st && ferror(f))
        st = yq__errf(e, YQ_STATUS_IO, "%s: read error", path);
    fclose(f);
    return st;
}

static char *join(const char *dir, const char *name, size_t name_len, const char *ext)
{
    size_t n = strlen(dir) + 1 + name_len + strlen(ext) + 1;
    char *s = yq__malloc(n);
    if (s)
        snprintf(s, n, "%s/%.*s%s", dir, (int)name_len, name, ext);
    return s;
}

enum yq_status yq_coco_gt_from_yolo_labels(const char *images_dir, const char *labels_dir,
                                           struct yq_coco_gt **out, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (out)
        *out = NULL;
    if (!images_dir || !labels_dir || !out)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                        "yq_coco_gt_from_yolo_labels: NULL argument");
    enum yq_status st = YQ_STATUS_OK;
    char **names = NULL, *path = NULL;
    size_t n = 0, cap = 0;
    struct growing g = {0};
    struct yq_coco_gt *gt = NULL;

    DIR *d = opendir(images_dir);
    if (!d)
        return yq__errf(&e, YQ_STATUS_IO, "%s: cannot open directory: %s", images_dir,
                        strerror(errno));
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!is_image_name(de->d_name))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 256, bytes;
            char **nn;
            if (!yq__mul_size(nc, sizeof *names, &bytes) || !(nn = yq__realloc(names, bytes))) {
                closedir(d);
                goto oom;
            }
            names = nn;
            cap = nc;
        }
        if (!(names[n] = yq__strdup(de->d_name))) {
            closedir(d);
            goto oom;
        }
        n++;
    }
    closedir(d);
    if (n == 0) {
        st = yq__errf(&e, YQ_STATUS_BAD_INPUT, "%s: no .jpg/.jpeg/.png/.bmp images", images_dir);
        goto done;
    }
    qsort(names, n, sizeof *names, cmp_str);

    gt = yq__calloc(1, sizeof *gt);
    if (!gt || !(gt->images = yq__calloc(n, sizeof *gt->images)) ||
        !(gt->cats = yq__calloc(80, sizeof *gt->cats)))
        goto oom;
    for (int c = 0; c < 80; c++) {
        gt->cats[c].id = yq_coco80_to_91(c);
        if (!(gt->cats[c].name = yq__strdup(k_coco80_names[c])))
            goto oom;
        gt->n_cats = (size_t)c + 1;
    }
    /* COCO-style names ("000000000139.jpg") give their id; anything else numbers in order. */
    bool numeric = true;
    for (size_t i = 0; i < n; i++) {
        size_t stem = strcspn(names[i], ".");
        if (stem == 0 || stem > 15)
            numeric = false;
        for (size_t j = 0; j < stem && numeric; j++)
            if (names[i][j] < '0' || names[i][j] > '9')
                numeric = false;
        if (!numeric)
            break;
    }
    for (size_t i = 0; i < n; i++) {
        struct yq__coco_img *im = &gt->images[i];
        size_t stem = strrchr(names[i], '.') - names[i];
        im->id = (int64_t)i + 1;
        if (numeric)
            im->id = strtoll(names[i], NULL, 10);
        if (!(im->file_name = yq__strdup(names[i])))
            goto oom;
        gt->n_images = i + 1;
        yq__free(path);
        if (!(path = join(images_dir, names[i], strlen(names[i]), "")))
            goto oom;
        if ((st = yq__image_size(path, &im->width, &im->height, &e)))
            goto done;
        yq__free(path);
        if (!(path = join(labels_dir, names[i], stem, ".txt")))
            goto oom;
        if ((st = read_labels(path, im->id, im->width, im->height, &g, &e)))
            goto done;
    }
    gt->anns = g.anns;
    gt->n_anns = g.n;
    g.anns = NULL;
    if (!gt->anns && !(gt->anns = yq__calloc(1, sizeof *gt->anns)))
        goto oom;
    /* duplicate numeric ids ("1.jpg" and "001.png") are reported by finish */
    st = yq__coco_gt_finish(gt, g.img_ids, g.cat_ids, images_dir, &e);
    goto done;
oom:
    st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", images_dir);
done:
    for (size_t i = 0; i < n; i++)
        yq__free(names[i]);
    yq__free(names);
    yq__free(path);
    yq__free(g.anns);
    yq__free(g.img_ids);
    yq__free(g.cat_ids);
    if (st) {
        yq_coco_gt_free(gt);
        return st;
    }
    *out = gt;
    return YQ_STATUS_OK;
}
