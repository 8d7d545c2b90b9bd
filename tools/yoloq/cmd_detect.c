/* SPDX-License-Identifier: Apache-2.0 */
/* yoloq detect: images or folders → detections (one summary line per image, COCO results
 * JSON, annotated images). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "yoloq/media.h"
#include "yoloq/toolkit.h"

static void help(void)
{
    printf("usage: yoloq detect --model M.onnx|M.yqm [options] IMAGE|DIR...\n"
           "  --conf X         score threshold (default 0.25)\n"
           "  --iou X          NMS IoU threshold (default 0.45)\n"
           "  --max-det N      detections per image (default 300)\n"
           "  --threads N      compute threads (default 1)\n"
           "  --json FILE      write COCO results JSON (80->91 category ids)\n"
           "  --save-dir DIR   write annotated images there\n"
           "  --outputs A,B    cut an ONNX model at these tensors instead of automatically\n"
           "  --names FILE     sidecar JSON with class names (\"class_names\": [...])\n"
           "  --anchors LIST   YOLOv5/v7 anchors in pixels, levels split by ';'\n"
           "                   (e.g. 10,13,16,30,33,23;30,61,62,45,59,119;116,90,156,198,373,326)\n"
           "  --strides LIST   head strides, e.g. 8,16,32\n"
           "  --bgr | --rgb    channel order the model expects (default by head type)\n"
           "  --agnostic       class-agnostic NMS\n");
}

static bool is_image_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return false;
    static const char *exts[] = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (!strcasecmp(dot, exts[i]))
            return true;
    return false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expands arguments: files as given, folders to their image files sorted by name. */
static char **collect(char **args, int n, int *count)
{
    size_t cap = 64, len = 0;
    char **out = malloc(cap * sizeof *out);
    for (int i = 0; i < n && out; i++) {
        struct stat st;
        if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(args[i]);
            struct dirent *de;
            size_t first = len;
            while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.' || !is_image_name(de->d_name))
                    continue;
                if (len == cap) {
                    char **p = realloc(out, (cap *= 2) * sizeof *out);
                    if (!p)
                        break;
                    out = p;
                }
                size_t l = strlen(args[i]) + strlen(de->d_name) + 2;
                out[len] = malloc(l);
                if (out[len])
                    snprintf(out[len++], l, "%s/%s", args[i], de->d_name);
            }
            if (d)
                closedir(d);
            qsort(out + first, len - first, sizeof *out, cmp_str);
        } else {
            if (len == cap) {
                char **p = realloc(out, (cap *= 2) * sizeof *out);
                if (!p)
                    break;
                out = p;
            }
            out[len++] = strdup(args[i]);
        }
    }
    *count = (int)len;
    return out;
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* COCO image id: the file stem when it is all digits (COCO names), else the index. */
static long image_id(const char *path, int index)
{
    const char *b = base(path);
    char *end;
    long v = strtol(b, &end, 10);
    return end != b && *end == '.' ? v : index;
}

int yq_cmd_detect(int argc, char **argv)
{
    const char *model_path = NULL, *json_path = NULL, *save_dir = NULL, *outputs = NULL,
               *names = NULL, *anchors = NULL, *strides = NULL;
    struct yq_detector_options o;
    yq_detector_options_init(&o);
    struct yq_import_options io;
    yq_import_options_init(&io);
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    int n_inputs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help();
            free(inputs);
            return 0;
        }
        if (!strcmp(a, "--agnostic")) {
            o.agnostic = true;
            continue;
        }
        if (!strcmp(a, "--bgr") || !strcmp(a, "--rgb")) {
            io.channel_order = a[2] == 'b' ? YQ_CHANNEL_ORDER_BGR : YQ_CHANNEL_ORDER_RGB;
            continue;
        }
        if (a[0] != '-' || a[1] == '\0') {
            inputs[n_inputs++] = argv[i];
            continue;
        }
        if (!(v = yq_cli_value(argc, argv, &i)))
            goto usage;
        if (!strcmp(a, "--model"))
            model_path = v;
        else if (!strcmp(a, "--conf")) {
            if (!yq_cli_float(a, v, &o.conf))
                goto usage;
        } else if (!strcmp(a, "--iou")) {
            if (!yq_cli_float(a, v, &o.iou))
                goto usage;
        } else if (!strcmp(a, "--max-det")) {
            if (!yq_cli_int(a, v, &o.max_det) || o.max_det < 1) {
                fprintf(stderr, "yoloq detect: --max-det must be >= 1\n");
                goto usage;
            }
        } else if (!strcmp(a, "--threads")) {
            if (!yq_cli_int(a, v, &o.n_threads) || o.n_threads < 1) {
                fprintf(stderr, "yoloq detect: --threads must be >= 1\n");
                goto usage;
            }
        } else if (!strcmp(a, "--json"))
            json_path = v;
        else if (!strcmp(a, "--save-dir"))
            save_dir = v;
        else if (!strcmp(a, "--outputs"))
            outputs = v;
        else if (!strcmp(a, "--names"))
            names = v;
        else if (!strcmp(a, "--anchors"))
            anchors = v;
        else if (!strcmp(a, "--strides"))
            strides = v;
        else {
            fprintf(stderr, "yoloq detect: unknown option '%s'\n", a);
            goto usage;
        }
    }
    if (!model_path || n_inputs == 0) {
        fprintf(stderr, "yoloq detect: need --model and at least one image or folder\n");
        goto usage;
    }
    io.outputs = outputs;
    io.sidecar = names;

    char err[512];
    struct yq_model *m = NULL;
    struct yq_detector *d = NULL;
    bool opened = yq_model_open(model_path, &io, &m, err, sizeof err) == YQ_STATUS_OK;
    if (opened && ((anchors && yq_model_set_meta(m, "yq.anchors", anchors)) ||
                   (strides && yq_model_set_meta(m, "yq.strides", strides)))) {
        snprintf(err, sizeof err, "out of memory");
        opened = false;
    }
    if (!opened || yq_detector_create(m, &o, &d, err, sizeof err)) {
        fprintf(stderr, "yoloq detect: %s\n", err);
        yq_model_free(m);
        free(inputs);
        return 1;
    }
    if (save_dir && mkdir(save_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "yoloq detect: %s: cannot create folder: %s\n", save_dir,
                strerror(errno));
        yq_detector_free(d);
        yq_model_free(m);
        free(inputs);
        return 1;
    }
    FILE *jf = NULL;
    if (json_path && !(jf = fopen(json_path, "w"))) {
        fprintf(stderr, "yoloq detect: %s: cannot write: %s\n", json_path, strerror(errno));
        yq_detector_free(d);
        yq_model_free(m);
        free(inputs);
        return 1;
    }
    if (jf)
        fputc('[', jf);
    int n_files, failures = 0;
    long n_json = 0;
    char **files = collect(inputs, n_inputs, &n_files);
    for (int f = 0; f < n_files; f++) {
        struct yq_image img = {0};
        if (yq_image_load(files[f], &img, err, sizeof err)) {
            fprintf(stderr, "yoloq detect: %s\n", err);
            failures++;
            continue;
        }
        const struct yq_detection *dets;
        size_t n;
        if (yq_detector_run(d, &img, &dets, &n, err, sizeof err)) {
            fprintf(stderr, "yoloq detect: %s: %s\n", files[f], err);
            yq_image_free(&img);
            failures++;
            continue;
        }
        /* summary: "bus.jpg: 810x1080, 4 persons, 1 bus" style counts per class */
        printf("%s: %dx%d, %zu detection%s", files[f], img.width, img.height, n,
               n == 1 ? "" : "s");
        int counted[1024] = {0};
        for (size_t i = 0; i < n; i++) {
            int c = dets[i].class_id;
            if (c < 0 || c >= 1024 || counted[c])
                continue;
            int k = 0;
            for (size_t j = i; j < n; j++)
                k += dets[j].class_id == c;
            counted[c] = 1;
            const char *name = yq_detector_class_name(d, c);
            if (name)
                printf("%s %d %s", i ? "," : ":", k, name);
            else
                printf("%s %d class%d", i ? "," : ":", k, c);
        }
        printf("\n");
        for (size_t i = 0; jf && i < n; i++) {
            int cat = yq_coco80_to_91(dets[i].class_id);
            fprintf(jf,
                    "%s\n{\"image_id\": %ld, \"category_id\": %d, \"bbox\": [%.2f, %.2f, %.2f, "
                    "%.2f], \"score\": %.5f, \"file_name\": \"%s\"}",
                    n_json++ ? "," : "", image_id(files[f], f),
                    cat >= 0 ? cat : dets[i].class_id, dets[i].x1, dets[i].y1,
                    dets[i].x2 - dets[i].x1, dets[i].y2 - dets[i].y1, dets[i].score,
                    base(files[f]));
        }
        if (save_dir) {
            for (size_t i = n; i-- > 0;) {
                char label[160];
                const char *name = yq_detector_class_name(d, dets[i].class_id);
                if (name)
                    snprintf(label, sizeof label, "%s %.2f", name, dets[i].score);
                else
                    snprintf(label, sizeof label, "class%d %.2f", dets[i].class_id,
                             dets[i].score);
                yq_image_draw_detection(&img, (int)dets[i].x1, (int)dets[i].y1,
                                        (int)dets[i].x2, (int)dets[i].y2, label,
                                        dets[i].class_id);
            }
            char out[4096];
            const char *b = base(files[f]);
            const char *dot = strrchr(b, '.');
            bool keep_ext = dot && (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") ||
                                    !strcasecmp(dot, ".png"));
            snprintf(out, sizeof out, "%s/%.*s%s", save_dir,
                     (int)(keep_ext ? strlen(b) : (size_t)(dot ? dot - b : (long)strlen(b))), b,
                     keep_ext ? "" : ".jpg");
            if (yq_image_save(&img, out, err, sizeof err)) {
                fprintf(stderr, "yoloq detect: %s\n", err);
                failures++;
            }
        }
        yq_image_free(&img);
    }
    if (jf) {
        fputs("\n]\n", jf);
        if (fclose(jf) != 0) {
            fprintf(stderr, "yoloq detect: %s: write failed\n", json_path);
            failures++;
        }
    }
    for (int f = 0; f < n_files; f++)
        free(files[f]);
    free(files);
    free(inputs);
    yq_detector_free(d);
    yq_model_free(m);
    return failures ? 1 : 0;
usage:
    free(inputs);
    fprintf(stderr, "(yoloq detect --help for usage)\n");
    return 2;
}
