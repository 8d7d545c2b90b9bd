/* SPDX-License-Identifier: Apache-2.0 */
/* yoloq build: ONNX → .yqm, RKNN's config → load_onnx → build(do_quantization, dataset) →
 * export in one command: import, cut the head, calibrate over a dataset list with a
 * progress bar, quantize to int8 (or keep float with --no-quantize), save, summarise. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "yoloq/seal.h"
#include "yoloq/toolkit.h"

static void on_progress(void *ctx, int pass, int n_passes, int done, int total)
{
    (void)ctx;
    char what[64];
    snprintf(what, sizeof what, "calibration pass %d/%d", pass, n_passes);
    yq_cli_progress(what, (size_t)done, (size_t)total);
}

int yq_cmd_build(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *custom = NULL;
    struct yq_build_options bo;
    yq_build_options_init(&bo);
    bo.n_threads = 2;
    struct yq_import_options *io = &bo.import;
    static const char *const algos[] = {"normal", "percentile", "kl", "mmse", NULL};
    static const char *const methods[] = {"channel", "layer", NULL};
    static const char *const modes[] = {"lut", "float", NULL};
    static const char *const otypes[] = {"float", "int8", NULL};
    int algo = (int)bo.algorithm, method = (int)bo.method, mode = bo.act_float,
        otype = bo.int8_outputs, order = (int)io->channel_order;
    bool no_quantize = false;
    const char *encrypt = NULL;
    struct yq_cli_opt opts[] = {
        YQ_CLI_OPT_("--output", "-o", YQ_CLI_KIND_STR, &out, 0, 0, NULL,
                    "MODEL.yqm  the file to write"),
        YQ_CLI_STR("--dataset", &bo.dataset,
                   "FILE  calibration list: one image (or .npy/raw tensor) per line, relative "
                   "to the file"),
        YQ_CLI_FLAG("--no-quantize", &no_quantize, "keep the model float (no --dataset)"),
        YQ_CLI_CHOICE("--algorithm", &algo, algos,
                      "A  mmse (default) | normal (min/max, RKNN's default) | kl | percentile"),
        YQ_CLI_DOUBLE_ABOVE("--percentile", &bo.percentile, 50, 100,
                            "P  percentile for --algorithm percentile, in (50, 100] "
                            "(default 99.99)"),
        YQ_CLI_CHOICE("--method", &method, methods,
                      "M  channel (per-channel weights, default) | layer"),
        YQ_CLI_CHOICE("--act-mode", &mode, modes,
                      "M  lut (default) | float: fused activations of int8 layers"),
        YQ_CLI_CHOICE("--output-type", &otype, otypes, "T  float (default) | int8: head outputs"),
        YQ_CLI_INT("--max-samples", &bo.max_samples, 1, 100000000,
                   "N  use the first N lines of the dataset"),
        YQ_CLI_INT("--threads", &bo.n_threads, 1, 256, "N  calibration threads (default 2)"),
        YQ_CLI_STR("--outputs", &io->outputs,
                   "A,B  cut the graph at these tensors (default: automatic head)"),
        YQ_CLI_FLOAT3("--mean", io->mean, -1e6, 1e6,
                      "R,G,B  input = (pixel - mean) / std (default by head type)"),
        YQ_CLI_FLOAT3("--std", io->std, 1e-6, 1e6, "R,G,B  see --mean"),
        YQ_CLI_SET("--rgb2bgr", &order, YQ_CHANNEL_ORDER_BGR, "the model expects BGR"),
        YQ_CLI_STR("--custom-string", &custom, "S  stored in the file (yoloq info shows it)"),
        YQ_CLI_STR("--encrypt", &encrypt,
                   "KEYFILE  seal the .yqm with this key (yoloq keygen makes one)"),
        YQ_CLI_END};
    int n_pos = 0;
    int rc = yq_cli_parse("build", opts, argc, argv, &in, 1, &n_pos);
    if (rc == YQ_CLI_HELP) {
        yq_cli_help("usage: yoloq build MODEL.onnx -o MODEL.yqm --dataset dataset.txt "
                    "[options]\n"
                    "       yoloq build MODEL.onnx -o MODEL.yqm --no-quantize [options]\n",
                    opts);
        return 0;
    }
    if (rc)
        return rc;
    bo.quantize = !no_quantize;
    bo.algorithm = (enum yq_quant_algorithm)algo;
    bo.method = (enum yq_quant_method)method;
    bo.act_float = mode == 1;
    bo.int8_outputs = otype == 1;
    io->channel_order = (enum yq_channel_order)order;
    io->has_mean = yq_cli_seen(opts, "--mean");
    io->has_std = yq_cli_seen(opts, "--std");
    if (!in || !out)
        return yq_cli_usage_error("build", "need MODEL.onnx and -o MODEL.yqm (yoloq build "
                                           "--help)");
    if (!bo.quantize && (bo.dataset || yq_cli_seen(opts, "--algorithm") || yq_cli_seen(opts, "--percentile") || yq_cli_seen(opts, "--method") ||
                         yq_cli_seen(opts, "--act-mode") || yq_cli_seen(opts, "--output-type") || yq_cli_seen(opts, "--max-samples")))
        return yq_cli_usage_error("build", "--no-quantize: calibration options make no sense "
                                           "for a float model");
    if (yq_cli_seen(opts, "--percentile") && algo != 1)
        return yq_cli_usage_error("build", "--percentile needs --algorithm percentile");
    if (bo.quantize && !bo.dataset) {
        return yq_cli_usage_error("build", "INT8 needs --dataset dataset.txt (or --no-quantize "
                                           "for a float model)");
    }
    bo.progress = on_progress;
    char err[512];
    /* the key is checked before the (long) build and wiped right after the save */
    uint8_t key[YQ_KEY_BYTES];
    if (encrypt && yq_key_load_file(encrypt, key, err, sizeof err)) {
        fprintf(stderr, "yoloq build: %s\n", err);
        return 1;
    }
    struct yq_model *m = NULL;
    struct yq_build_report rep;
    if (yq_model_build(in, &bo, &m, &rep, err, sizeof err)) {
        if (encrypt)
            yq_key_wipe(key, sizeof key);
        fprintf(stderr, "yoloq build: %s\n", err);
        return 1;
    }
    enum yq_status saved = YQ_STATUS_OUT_OF_MEMORY;
    snprintf(err, sizeof err, "out of memory");
    if (!custom || !yq_model_set_meta(m, "yq.custom_string", custom))
        saved = encrypt ? yq_model_save_file_encrypted(m, out, key, sizeof key, err, sizeof err)
                        : yq_model_save_file(m, out, err, sizeof err);
    if (encrypt)
        yq_key_wipe(key, sizeof key);
    if (saved) {
        fprintf(stderr, "yoloq build: %s\n", err);
        yq_build_report_free(&rep);
        yq_model_free(m);
        return 1;
    }
    struct stat st;
    double mb = stat(out, &st) == 0 ? (double)st.st_size / 1e6 : -1.0;
    const char *head = yq_model_meta(m, "yq.head");
    if (!bo.quantize) {
        printf("%s: float model, %d outputs, head %s, %.2f MB\n", out, yq_model_n_outputs(m),
               head ? head : "none", mb);
    } else {
        printf("%s: int8 model (%s, per-%s weights, %s activations), head %s, %.2f MB\n", out,
               algos[bo.algorithm], bo.method == YQ_QUANT_PER_LAYER ? "layer" : "channel",
               bo.act_float ? "float" : "lookup-table", head ? head : "none", mb);
        printf("  calibrated on %d samples in %.1f s; %d tensors quantized; %d operators int8, "
               "%d float, %d int8/float boundaries\n",
               rep.n_samples, rep.calib_seconds, rep.n_tensors_s8, rep.n_quantized, rep.n_float,
               rep.n_boundaries);
        if (rep.n_outputs > 0) {
            double worst = 1.0;
            printf("  outputs vs float on the first sample: cosine");
            for (int i = 0; i < rep.n_outputs; i++) {
                printf(" %.4f", rep.output_cosine[i]);
                worst = rep.output_cosine[i] < worst ? rep.output_cosine[i] : worst;
            }
            printf("\n");
            if (worst < 0.99)
                printf("  warning: an output agrees poorly with the float model (cosine %.3f); "
                       "try --act-mode float or --method layer, and compare detections with "
                       "yoloq eval --reference\n",
                       worst);
        }
        if (rep.n_nonfinite)
            printf("  %d tensors saw NaN/Inf during calibration and stay float\n",
                   rep.n_nonfinite);
        if (rep.kept) {
            printf("  kept in float:\n");
            for (const char *p = rep.kept; *p;) {
                const char *nl = strchr(p, '\n');
                int len = nl ? (int)(nl - p) : (int)strlen(p);
                printf("    %.*s\n", len, p);
                p += len + (nl ? 1 : 0);
            }
        }
    }
    yq_build_report_free(&rep);
    yq_model_free(m);
    return 0;
}
