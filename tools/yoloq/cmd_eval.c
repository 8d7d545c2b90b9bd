/* SPDX-License-Identifier: Apache-2.0 */
/* `yoloq eval`: COCO mAP of a detections file, or of a model run over images, against COCO
 * annotations or YOLO labels; prints pycocotools' 12 summary lines (and a per-class table).
 * With --reference, also (or only) how well the detections agree with a reference results
 * file, such as the float model's, without ground truth.
 * Exit status: 0 done, 1 bad input or I/O, 2 usage (or the model path not built in). */
#include "yoloq/eval.h"
#include "yoloq/media.h"
#include "yoloq/toolkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct eval_args {
    const char *model, *images, *annotations, *labels, *detections, *save_json, *reference;
    const char *key_file;
    double conf, iou, agree_score, agree_iou;
    int max_det, threads;
    bool per_class, skip_unknown, single_label;
};

static const char usage_text[] =
    "usage: yoloq eval (--detections DETS.json | --model M.onnx|M.yqm --images DIR)\n"
    "                  (--annotations instances.json | --labels DIR --images DIR)\n"
    "                  [--conf 0.001] [--iou 0.6] [--max-det 300]\n"
    "                  [--save-json OUT.json] [--per-class] [--skip-unknown-categories]\n"
    "Prints the 12 COCO summary lines exactly as pycocotools' COCOeval.summarize().\n";

/* Returns 0 to go on, 1 after --help, -1 after a usage error line. */
static int parse_args(int argc, char **argv, struct eval_args *a)
{
    memset(a, 0, sizeof *a);
    a->conf = 0.001; /* the usual mAP settings: keep low-score boxes, NMS at .6 */
    a->iou = 0.6;
    a->max_det = 300;
    a->agree_score = 0.25;
    a->agree_iou = 0.5;
    a->threads = 2;
    struct yq_cli_opt opts[] = {
        YQ_CLI_STR("--detections", &a->detections,
                   "FILE  evaluate an existing COCO results file (ours or anyone's)"),
        YQ_CLI_STR("--model", &a->model,
                   "FILE  run the detector over --images (conf/iou/max-det apply)"),
        YQ_CLI_KEY_OPT(&a->key_file),
        YQ_CLI_STR("--images", &a->images, "DIR  the images of the ground truth"),
        YQ_CLI_STR("--annotations", &a->annotations, "FILE  ground truth as a COCO instances JSON"),
        YQ_CLI_STR("--labels", &a->labels, "DIR  ground truth as YOLO labels for --images"),
        YQ_CLI_DOUBLE("--conf", &a->conf, 0, 1, "X  score threshold with --model (default 0.001)"),
        YQ_CLI_DOUBLE("--iou", &a->iou, 0, 1, "X  NMS IoU threshold with --model (default 0.6)"),
        YQ_CLI_INT("--max-det", &a->max_det, 1, 100000,
                   "N  detections per image with --model (default 300)"),
        YQ_CLI_INT("--threads", &a->threads, 1, 256,
                   "N  compute threads with --model (default 2)"),
        YQ_CLI_FLAG("--single-label", &a->single_label,
                    "with --model, keep only each box's best class (detect.py); default: "
                    "multi-label, a box counts for every class above --conf (val.py)"),
        YQ_CLI_STR("--save-json", &a->save_json,
                   "FILE  write the detections in the COCO results format"),
        YQ_CLI_FLAG("--per-class", &a->per_class, "add a per-category AP table"),
        YQ_CLI_FLAG("--skip-unknown-categories", &a->skip_unknown,
                    "skip detections of categories absent from the ground truth (pycocotools "
                    "does so silently); default: an error"),
        YQ_CLI_STR("--reference", &a->reference,
                   "REF.json  also print the agreement with a reference results file (e.g. the "
                   "float model's); with --detections, annotations are then optional"),
        YQ_CLI_DOUBLE("--agree-score", &a->agree_score, 0, 1,
                      "X  agreement counts detections scoring >= X (default 0.25)"),
        YQ_CLI_DOUBLE("--agree-iou", &a->agree_iou, 0, 1,
                      "X  matched one to one by category and IoU >= X (default 0.5)"),
        YQ_CLI_END};
    int rc = yq_cli_parse("eval", opts, argc, argv, NULL, 0, NULL);
    if (rc == YQ_CLI_HELP) {
        yq_cli_help(usage_text, opts);
        return 1;
    }
    if (rc)
        return -1;
    if (!a->model && (yq_cli_seen(opts, "--conf") || yq_cli_seen(opts, "--iou") ||
                      yq_cli_seen(opts, "--max-det") || yq_cli_seen(opts, "--threads") ||
                      a->single_label)) {
        yq_cli_usage_error("eval", "--conf, --iou, --max-det, --threads and --single-label "
                                   "apply to --model only");
        return -1;
    }
    if (!a->reference && (yq_cli_seen(opts, "--agree-score") || yq_cli_seen(opts, "--agree-iou"))) {
        yq_cli_usage_error("eval", "--agree-score and --agree-iou need --reference");
        return -1;
    }
    if (!!a->model == !!a->detections) {
        fprintf(stderr, "yoloq eval: give exactly one of --detections or --model\n");
        return -1;
    }
    if (a->annotations && a->labels) {
        fprintf(stderr, "yoloq eval: give only one of --annotations or --labels\n");
        return -1;
    }
    if (!a->annotations && !a->labels && !(a->reference && a->detections)) {
        fprintf(stderr, "yoloq eval: give --annotations or --labels (or --reference with "
                        "--detections)\n");
        return -1;
    }
    if ((a->labels || a->model) && !a->images) {
        fprintf(stderr, "yoloq eval: %s needs --images DIR\n", a->labels ? "--labels" : "--model");
        return -1;
    }
    return 0;
}

/* Runs the detector over every ground-truth image (file_name under a->images) and appends
 * its boxes to `dets` (class -> COCO category with yq_coco80_to_91), with a progress bar on
 * stderr. An image that cannot be read is an error: a silently skipped image would lower
 * the mAP without saying why. */
static int eval_model(const struct eval_args *a, const struct yq_coco_gt *gt,
                      struct yq_coco_dets *dets)
{
    char err[512];
    struct yq_model *m = NULL;
    struct yq_detector *d = NULL;
    struct yq_detector_options o;
    yq_detector_options_init(&o);
    o.conf = (float)a->conf;
    o.iou = (float)a->iou;
    o.max_det = a->max_det;
    o.n_threads = a->threads;
    o.multi_label = !a->single_label;
    fprintf(stderr, "yoloq eval: NMS %s, conf %g, iou %g, max-det %d\n",
            o.multi_label ? "multi-label (a box counts for every class above conf, as val.py)"
                          : "single-label (best class per box, as detect.py)",
            a->conf, a->iou, a->max_det);
    if (yq_cli_model_open("eval", a->model, NULL, a->key_file, &m))
        return 1;
    if (yq_detector_create(m, &o, &d, err, sizeof err)) {
        fprintf(stderr, "yoloq eval: %s\n", err);
        yq_model_free(m);
        return 1;
    }
    int rc = 0;
    size_t n_images = yq_coco_gt_image_count(gt);
    for (size_t i = 0; i < n_images && !rc; i++) {
        struct yq_coco_image gi = yq_coco_gt_image(gt, i);
        char path[4096];
        const char *name = gi.file_name ? gi.file_name : "";
        const char *slash = strrchr(name, '/');
        if (*name)
            snprintf(path, sizeof path, "%s/%s", a->images, slash ? slash + 1 : name);
        else /* no file_name: COCO's own naming, 000000000139.jpg */
            snprintf(path, sizeof path, "%s/%012lld.jpg", a->images, (long long)gi.id);
        struct yq_image img = {0};
        const struct yq_detection *det;
        size_t n;
        if (yq_image_load(path, &img, err, sizeof err) ||
            yq_detector_run(d, &img, &det, &n, err, sizeof err)) {
            yq_cli_progress_break();
            fprintf(stderr, "yoloq eval: %s\n", err);
            rc = 1;
        }
        for (size_t k = 0; !rc && k < n; k++) {
            int cat = yq_coco80_to_91(det[k].class_id);
            if (yq_coco_dets_add(dets, gi.id, cat >= 0 ? cat : det[k].class_id, det[k].x1,
                                 det[k].y1, det[k].x2 - det[k].x1, det[k].y2 - det[k].y1,
                                 det[k].score)) {
                yq_cli_progress_break();
                fprintf(stderr, "yoloq eval: out of memory\n");
                rc = 1;
            }
        }
        yq_image_free(&img);
        if (!rc)
            yq_cli_progress("images", i + 1, n_images);
    }
    yq_detector_free(d);
    yq_model_free(m);
    return rc;
}

int yq_cmd_eval(int argc, char **argv)
{
    struct eval_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc > 0 ? 0 : 2;

    struct yq_coco_gt *gt = NULL;
    struct yq_coco_dets *dets = NULL;
    struct yq_coco_result *res = NULL;
    char err[512];
    enum yq_status st;
    rc = 1;
    if (a.annotations)
        st = yq_coco_gt_load_json(a.annotations, &gt, err, sizeof err);
    else if (a.labels)
        st = yq_coco_gt_from_yolo_labels(a.images, a.labels, &gt, err, sizeof err);
    else
        st = YQ_STATUS_OK; /* agreement only */
    if (st)
        goto fail;
    if (a.detections) {
        st = yq_coco_dets_load_json(a.detections, &dets, err, sizeof err);
        if (st)
            goto fail;
    } else {
        if (yq_coco_dets_create(&dets)) {
            st = YQ_STATUS_OUT_OF_MEMORY;
            snprintf(err, sizeof err, "out of memory");
            goto fail;
        }
        rc = eval_model(&a, gt, dets);
        if (rc)
            goto done;
        rc = 1;
    }
    if (a.save_json && (st = yq_coco_dets_save_json(dets, a.save_json, err, sizeof err)))
        goto fail;
    if (gt) {
        struct yq_coco_eval_options opt;
        yq_coco_eval_options_init(&opt);
        opt.skip_unknown_categories = a.skip_unknown;
        st = yq_coco_evaluate(gt, dets, &opt, &res, err, sizeof err);
        if (st)
            goto fail;
        if (res->n_dets_used < yq_coco_dets_count(dets))
            fprintf(stderr, "yoloq eval: skipped %zu detections of unknown categories\n",
                    yq_coco_dets_count(dets) - res->n_dets_used);
        char text[2048];
        yq_coco_format_summary(res, text, sizeof text);
        fputs(text, stdout);
    }
    if (res && a.per_class) {
        size_t need = yq_coco_format_per_class(res, NULL, 0) + 1;
        char *table = malloc(need);
        if (!table) {
            st = YQ_STATUS_OUT_OF_MEMORY;
            snprintf(err, sizeof err, "out of memory");
            goto fail;
        }
        yq_coco_format_per_class(res, table, need);
        fputs(table, stdout);
        free(table);
    }
    if (a.reference) {
        struct yq_coco_dets *ref = NULL;
        struct yq_coco_agreement ag;
        st = yq_coco_dets_load_json(a.reference, &ref, err, sizeof err);
        if (!st)
            st = yq_coco_agreement(ref, dets, a.agree_score, a.agree_iou, &ag, err, sizeof err);
        yq_coco_dets_free(ref);
        if (st)
            goto fail;
        printf("Agreement with %s (score >= %g, IoU >= %g): %zu of %zu reference detections "
               "found, %zu of %zu confirmed, F1 = %.3f, mean IoU = %.3f\n",
               a.reference, a.agree_score, a.agree_iou, ag.n_matched, ag.n_reference,
               ag.n_matched, ag.n_detections, ag.f1, ag.mean_iou);
    }
    rc = fflush(stdout) == 0 ? 0 : 1;
    goto done;
fail:
    fprintf(stderr, "yoloq eval: %s: %s\n", yq_status_str(st), err);
    rc = 1;
done:
    yq_coco_result_free(res);
    yq_coco_dets_free(dets);
    yq_coco_gt_free(gt);
    return rc;
}
