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
#include "yoloq/atomic_file.h"
#include "yoloq/media.h"
#include "yoloq/toolkit.h"

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
    const char *key_file = NULL;
    const char *model_path = NULL, *json_path = NULL, *save_dir = NULL, *outputs = NULL,
               *names = NULL, *anchors = NULL, *strides = NULL;
    struct yq_detector_options o;
    yq_detector_options_init(&o);
    struct yq_import_options io;
    yq_import_options_init(&io);
    int order = (int)io.channel_order;
    struct yq_cli_opt opts[] = {
        YQ_CLI_STR("--model", &model_path, "M.onnx|M.yqm  the model"),
        YQ_CLI_KEY_OPT(&key_file),
        YQ_CLI_FLOAT("--conf", &o.conf, 0, 1, "X  score threshold (default 0.25)"),
        YQ_CLI_FLOAT("--iou", &o.iou, 0, 1, "X  NMS IoU threshold (default 0.45)"),
        YQ_CLI_INT("--max-det", &o.max_det, 1, 100000, "N  detections per image (default 300)"),
        YQ_CLI_INT("--threads", &o.n_threads, 1, 256, "N  compute threads (default 1)"),
        YQ_CLI_STR("--json", &json_path, "FILE  write COCO results JSON (80->91 category ids)"),
        YQ_CLI_STR("--save-dir", &save_dir, "DIR  write annotated images there"),
        YQ_CLI_STR("--outputs", &outputs,
                   "A,B  cut an ONNX model at these tensors instead of automatically"),
        YQ_CLI_STR("--names", &names, "FILE  sidecar JSON with class names (\"class_names\")"),
        YQ_CLI_ANCHORS("--anchors", &anchors,
                       "LIST  YOLOv5/v7 anchors in pixels, w,h pairs, levels split by ';'"),
        YQ_CLI_STRIDES("--strides", &strides, "LIST  head strides, e.g. 8,16,32"),
        YQ_CLI_SET("--bgr", &order, YQ_CHANNEL_ORDER_BGR, "the model expects BGR"),
        YQ_CLI_SET("--rgb", &order, YQ_CHANNEL_ORDER_RGB,
                   "the model expects RGB (default by head type)"),
        YQ_CLI_FLAG("--agnostic", &o.agnostic, "class-agnostic NMS"),
        YQ_CLI_FLAG("--multi-label", &o.multi_label,
                    "a box counts for every class above --conf (val.py's mAP NMS); default: "
                    "its best class only (detect.py)"),
        YQ_CLI_END};
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    if (!inputs) {
        fprintf(stderr, "yoloq detect: out of memory\n");
        return 1;
    }
    int n_inputs = 0;
    int rc = yq_cli_parse("detect", opts, argc, argv, (const char **)inputs, argc, &n_inputs);
    if (rc == YQ_CLI_HELP)
        yq_cli_help("usage: yoloq detect --model M.onnx|M.yqm [options] IMAGE|DIR...\n"
                    "  (e.g. --anchors 10,13,16,30,33,23;30,61,62,45,59,119;116,90,156,198,"
                    "373,326)\n",
                    opts);
    else if (rc == YQ_CLI_OK && (!model_path || n_inputs == 0))
        rc = yq_cli_usage_error("detect", "need --model and at least one image or folder "
                                          "(yoloq detect --help)");
    if (rc != YQ_CLI_OK) {
        free(inputs);
        return rc == YQ_CLI_HELP ? 0 : rc;
    }
    io.channel_order = (enum yq_channel_order)order;
    io.outputs = outputs;
    io.sidecar = names;

    char err[512];
    struct yq_model *m = NULL;
    struct yq_detector *d = NULL;
    if (yq_cli_model_open("detect", model_path, &io, key_file, &m)) {
        free(inputs);
        return 1;
    }
    bool opened = true;
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
    struct yq_atomic_file *jaf = NULL; /* the JSON appears whole, or not at all */
    if (json_path && yq_atomic_open(json_path, &jaf, &jf, err, sizeof err)) {
        fprintf(stderr, "yoloq detect: %s\n", err);
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
        if (yq_atomic_commit(jaf, err, sizeof err)) {
            fprintf(stderr, "yoloq detect: %s\n", err);
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
}
