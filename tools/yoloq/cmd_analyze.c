/* SPDX-License-Identifier: Apache-2.0 */
/* yoloq analyze: what quantization cost, tensor by tensor (RKNN's accuracy_analysis). The
 * float ONNX model and a quantized (plain or mixed) .yqm run on the same samples; writes
 * DIR/error_analysis.txt, DIR/report.html and, with --dump, DIR/golden/ and DIR/quant/
 * tensors of the first sample. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "yoloq/toolkit.h"

#define MAX_INPUTS 4096

static void on_progress(void *ctx, int done, int total)
{
    (void)ctx;
    yq_cli_progress("samples analyzed", (size_t)done, (size_t)total);
}

int yq_cmd_analyze(int argc, char **argv)
{
    const char *model = NULL, *quant = NULL, *dir = NULL, *key_file = NULL, *pos[MAX_INPUTS];
    bool inputs = false, dump = false;
    int top = 10;
    struct yq_analyze_options ao;
    yq_analyze_options_init(&ao);
    struct yq_import_options *io = &ao.import;
    struct yq_cli_opt opts[] = {
        YQ_CLI_STR("--model", &model, "M.onnx  the float model the quantized one was built from"),
        YQ_CLI_STR("--quantized", &quant, "Q.yqm  the int8 or mixed model (yoloq build/hybrid)"),
        YQ_CLI_FLAG("--inputs", &inputs, "IMG...  samples: the images (or .npy) that follow"),
        YQ_CLI_STR("--dataset", &ao.dataset, "FILE  samples: a dataset list, as for build"),
        YQ_CLI_INT("--max-samples", &ao.max_samples, 1, 100000000, "N  the first N samples"),
        YQ_CLI_OPT_("--output-dir", "-o", YQ_CLI_KIND_STR, &dir, 0, 0, NULL,
                    "DIR  where error_analysis.txt and report.html go (created)"),
        YQ_CLI_FLAG("--dump", &dump, "also DIR/golden/ and DIR/quant/ .npy of the first sample"),
        YQ_CLI_INT("--top", &top, 0, 1000, "N  worst layers printed (default 10)"),
        YQ_CLI_INT("--threads", &ao.n_threads, 1, 256, "N  compute threads (default 1)"),
        YQ_CLI_STR("--outputs", &io->outputs,
                   "A,B  cut the float graph at these tensors, as build was told"),
        YQ_CLI_FLOAT3("--mean", io->mean, -1e6, 1e6, "R,G,B  as build was told"),
        YQ_CLI_FLOAT3("--std", io->std, 1e-6, 1e6, "R,G,B  as build was told"),
        YQ_CLI_KEY_OPT(&key_file),
        YQ_CLI_END};
    int n_pos = 0;
    int rc = yq_cli_parse("analyze", opts, argc, argv, pos, MAX_INPUTS, &n_pos);
    if (rc == YQ_CLI_HELP) {
        yq_cli_help("usage: yoloq analyze --model M.onnx --quantized Q.yqm (--inputs IMG... | "
                    "--dataset FILE) -o DIR [--dump]\n"
                    "Per tensor: cosine and euclidean distance to the float model, 'entire' "
                    "(the quantized graph\nend to end) and 'single' (that operator alone on "
                    "float inputs).\n",
                    opts);
        return 0;
    }
    if (rc)
        return rc;
    io->has_mean = yq_cli_seen(opts, "--mean") > 0;
    io->has_std = yq_cli_seen(opts, "--std") > 0;
    if (!model || !quant)
        return yq_cli_usage_error("analyze", "--model and --quantized are required");
    if (!dir)
        return yq_cli_usage_error("analyze", "-o DIR is required");
    if (inputs == (ao.dataset != NULL))
        return yq_cli_usage_error("analyze", "give either --inputs IMG... or --dataset FILE");
    if (inputs && n_pos == 0)
        return yq_cli_usage_error("analyze", "--inputs: no images follow");
    if (!inputs && n_pos)
        return yq_cli_usage_error("analyze", "%s: unexpected argument (images go after --inputs)",
                                  pos[0]);
    ao.inputs = pos;
    ao.n_inputs = n_pos;
    ao.progress = on_progress;
    if (mkdir(dir, 0777) && errno != EEXIST) {
        fprintf(stderr, "yoloq analyze: %s: cannot create: %s\n", dir, strerror(errno));
        return 1;
    }
    char dump_dir[4096];
    if (dump) {
        snprintf(dump_dir, sizeof dump_dir, "%s", dir);
        ao.dump_dir = dump_dir;
    }
    char err[1024], path[4200];
    struct yq_model *q = NULL;
    struct yq_analysis a;
    memset(&a, 0, sizeof a);
    int status = 1;
    if (yq_cli_model_open("analyze", quant, NULL, key_file, &q))
        goto done;
    if (yq_model_analyze(model, q, &ao, &a, err, sizeof err)) {
        yq_cli_progress_break();
        fprintf(stderr, "yoloq analyze: %s\n", err);
        goto done;
    }
    snprintf(path, sizeof path, "%s/error_analysis.txt", dir);
    if (yq_analysis_write_text(&a, path, err, sizeof err)) {
        fprintf(stderr, "yoloq analyze: %s\n", err);
        goto done;
    }
    snprintf(path, sizeof path, "%s/report.html", dir);
    if (yq_analysis_write_html(&a, quant, path, err, sizeof err)) {
        fprintf(stderr, "yoloq analyze: %s\n", err);
        goto done;
    }
    /* the worst layers by single cosine, on stdout */
    int shown[1000];
    int n_shown = 0;
    printf("%s: %d tensors compared on %d sample(s); worst by single cosine:\n", quant,
           a.n_rows, a.n_samples);
    for (; n_shown < top && n_shown < a.n_rows; n_shown++) {
        int best = -1;
        for (int i = 0; i < a.n_rows; i++) {
            bool used = false;
            for (int k = 0; k < n_shown; k++)
                used = used || shown[k] == i;
            if (!used && (best < 0 || a.rows[i].single_cos < a.rows[best].single_cos))
                best = i;
        }
        shown[n_shown] = best;
        const struct yq_analysis_row *r = &a.rows[best];
        printf("  single %.5f  entire %.5f  [%s] %s%s\n", r->single_cos, r->entire_cos, r->op,
               r->name, r->int8 ? "" : " (float)");
    }
    printf("%s/error_analysis.txt, %s/report.html%s\n", dir, dir,
           dump ? ", golden/ and quant/ tensors" : "");
    status = 0;
done:
    yq_analysis_free(&a);
    yq_model_free(q);
    return status;
}
