/* SPDX-License-Identifier: Apache-2.0 */
/* yoloq build: ONNX → .yqm, RKNN's config → load_onnx → build(do_quantization, dataset) →
 * export in one command: import, cut the head, calibrate over a dataset list with a
 * progress bar, quantize to int8 (or keep float with --no-quantize), save, summarise. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "yoloq/toolkit.h"

static bool parse3(const char *flag, const char *s, float v[3])
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL, *tok = strtok_r(buf, ",", &save);
    for (int i = 0; i < 3; i++) {
        if (!tok || !yq_cli_float(flag, tok, &v[i])) {
            if (!tok)
                fprintf(stderr, "yoloq build: %s needs three comma-separated numbers\n", flag);
            return false;
        }
        tok = strtok_r(NULL, ",", &save);
    }
    if (tok) {
        fprintf(stderr, "yoloq build: %s needs three comma-separated numbers\n", flag);
        return false;
    }
    return true;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: yoloq build MODEL.onnx -o MODEL.yqm --dataset dataset.txt [options]\n"
            "       yoloq build MODEL.onnx -o MODEL.yqm --no-quantize [options]\n"
            "  --dataset FILE        calibration list: one image (or .npy/raw tensor) per line,\n"
            "                        relative to the file\n"
            "  --algorithm A         mmse (default) | normal (min/max, RKNN's default) | kl |\n"
            "                        percentile\n"
            "  --percentile P        percentile for --algorithm percentile (default 99.99)\n"
            "  --method M            channel (per-channel weights, default) | layer\n"
            "  --act-mode M          lut (default) | float: fused activations of int8 layers\n"
            "  --output-type T       float (default) | int8: head outputs\n"
            "  --max-samples N       use the first N lines of the dataset\n"
            "  --threads N           calibration threads (default 2)\n"
            "  --outputs A,B         cut the graph at these tensors (default: automatic head)\n"
            "  --mean R,G,B --std R,G,B --rgb2bgr   preprocessing (default from the head type)\n"
            "  --custom-string S     stored in the file (yoloq info shows it)\n");
}

static void on_progress(void *ctx, int pass, int n_passes, int done, int total)
{
    (void)ctx;
    char what[64];
    snprintf(what, sizeof what, "calibration pass %d/%d", pass, n_passes);
    yq_cli_progress(what, (size_t)done, (size_t)total);
}

static bool parse_choice(const char *flag, const char *v, const char *const *names, int n,
                         int *out)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i])) {
            *out = i;
            return true;
        }
    fprintf(stderr, "yoloq build: %s: unknown value '%s'\n", flag, v);
    return false;
}

int yq_cmd_build(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *custom = NULL;
    struct yq_build_options bo;
    yq_build_options_init(&bo);
    bo.n_threads = 2;
    struct yq_import_options *io = &bo.import;
    static const char *const algos[] = {"normal", "percentile", "kl", "mmse"};
    static const char *const methods[] = {"channel", "layer"};
    static const char *const modes[] = {"lut", "float"};
    static const char *const otypes[] = {"float", "int8"};
    int choice;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--no-quantize")) {
            bo.quantize = false;
            continue;
        }
        if (!strcmp(a, "--rgb2bgr")) {
            io->channel_order = YQ_CHANNEL_ORDER_BGR;
            continue;
        }
        if (a[0] != '-') {
            if (in) {
                fprintf(stderr, "yoloq build: more than one model given ('%s', '%s')\n", in, a);
                return 2;
            }
            in = a;
            continue;
        }
        if (!(v = yq_cli_value(argc, argv, &i)))
            return 2;
        if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            out = v;
        else if (!strcmp(a, "--outputs"))
            io->outputs = v;
        else if (!strcmp(a, "--custom-string"))
            custom = v;
        else if (!strcmp(a, "--dataset"))
            bo.dataset = v;
        else if (!strcmp(a, "--algorithm")) {
            if (!parse_choice(a, v, algos, 4, &choice))
                return 2;
            bo.algorithm = (enum yq_quant_algorithm)choice;
        } else if (!strcmp(a, "--method")) {
            if (!parse_choice(a, v, methods, 2, &choice))
                return 2;
            bo.method = (enum yq_quant_method)choice;
        } else if (!strcmp(a, "--act-mode")) {
            if (!parse_choice(a, v, modes, 2, &choice))
                return 2;
            bo.act_float = choice == 1;
        } else if (!strcmp(a, "--output-type")) {
            if (!parse_choice(a, v, otypes, 2, &choice))
                return 2;
            bo.int8_outputs = choice == 1;
        } else if (!strcmp(a, "--percentile")) {
            float p;
            if (!yq_cli_float(a, v, &p))
                return 2;
            if (!(p > 50.0f && p <= 100.0f)) {
                fprintf(stderr, "yoloq build: --percentile must be in (50, 100]\n");
                return 2;
            }
            bo.percentile = p;
        } else if (!strcmp(a, "--max-samples")) {
            if (!yq_cli_int(a, v, &bo.max_samples) || bo.max_samples < 1) {
                fprintf(stderr, "yoloq build: --max-samples must be at least 1\n");
                return 2;
            }
        } else if (!strcmp(a, "--threads")) {
            if (!yq_cli_int(a, v, &bo.n_threads) || bo.n_threads < 1 || bo.n_threads > 256) {
                fprintf(stderr, "yoloq build: --threads must be in 1..256\n");
                return 2;
            }
        } else if (!strcmp(a, "--mean")) {
            if (!parse3(a, v, io->mean))
                return 2;
            io->has_mean = true;
        } else if (!strcmp(a, "--std")) {
            if (!parse3(a, v, io->std))
                return 2;
            io->has_std = true;
        } else {
            fprintf(stderr, "yoloq build: unknown option '%s'\n", a);
            return 2;
        }
    }
    if (!in || !out) {
        fprintf(stderr, "yoloq build: need MODEL.onnx and -o MODEL.yqm\n");
        return 2;
    }
    if (bo.quantize && !bo.dataset) {
        fprintf(stderr, "yoloq build: INT8 needs --dataset dataset.txt (or --no-quantize for a "
                        "float model)\n");
        return 2;
    }
    bo.progress = on_progress;
    char err[512];
    struct yq_model *m = NULL;
    struct yq_build_report rep;
    if (yq_model_build(in, &bo, &m, &rep, err, sizeof err)) {
        fprintf(stderr, "yoloq build: %s\n", err);
        return 1;
    }
    if ((custom && yq_model_set_meta(m, "yq.custom_string", custom)) ||
        yq_model_save_file(m, out, err, sizeof err)) {
        fprintf(stderr, "yoloq build: %s\n", custom ? "out of memory" : err);
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
