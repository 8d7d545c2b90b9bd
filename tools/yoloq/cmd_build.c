/* SPDX-License-Identifier: Apache-2.0 */
/* yoloq build: ONNX → .yqm. Today the float path (--no-quantize): import, cut the head,
 * fold/fuse, NHWC, with preprocessing and a custom string stored in the file. */
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

int yq_cmd_build(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *custom = NULL;
    bool no_quant = false;
    struct yq_import_options io;
    yq_import_options_init(&io);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("usage: yoloq build MODEL.onnx -o MODEL.yqm --no-quantize [--outputs A,B]\n"
                   "       [--mean R,G,B] [--std R,G,B] [--rgb2bgr] [--custom-string S]\n"
                   "INT8 quantization (--dataset, --algorithm, --method) is not built yet.\n");
            return 0;
        }
        if (!strcmp(a, "--no-quantize")) {
            no_quant = true;
            continue;
        }
        if (!strcmp(a, "--rgb2bgr")) {
            io.channel_order = YQ_CHANNEL_ORDER_BGR;
            continue;
        }
        if (a[0] != '-') {
            in = a;
            continue;
        }
        if (!(v = yq_cli_value(argc, argv, &i)))
            return 2;
        if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            out = v;
        else if (!strcmp(a, "--outputs"))
            io.outputs = v;
        else if (!strcmp(a, "--custom-string"))
            custom = v;
        else if (!strcmp(a, "--mean")) {
            if (!parse3(a, v, io.mean))
                return 2;
            io.has_mean = true;
        } else if (!strcmp(a, "--std")) {
            if (!parse3(a, v, io.std))
                return 2;
            io.has_std = true;
        } else if (!strcmp(a, "--dataset") || !strcmp(a, "--algorithm") ||
                   !strcmp(a, "--method")) {
            fprintf(stderr, "yoloq build: %s: INT8 quantization is not built yet; use "
                            "--no-quantize for a float .yqm\n", a);
            return 2;
        } else {
            fprintf(stderr, "yoloq build: unknown option '%s'\n", a);
            return 2;
        }
    }
    if (!in || !out) {
        fprintf(stderr, "yoloq build: need MODEL.onnx and -o MODEL.yqm\n");
        return 2;
    }
    if (!no_quant) {
        fprintf(stderr, "yoloq build: INT8 quantization is not built yet; use --no-quantize "
                        "for a float .yqm\n");
        return 2;
    }
    char err[512];
    struct yq_model *m = NULL;
    if (yq_model_load_onnx(in, &io, &m, err, sizeof err)) {
        fprintf(stderr, "yoloq build: %s\n", err);
        return 1;
    }
    if (custom && yq_model_set_meta(m, "yq.custom_string", custom)) {
        fprintf(stderr, "yoloq build: out of memory\n");
        yq_model_free(m);
        return 1;
    }
    if (yq_model_save_file(m, out, err, sizeof err)) {
        fprintf(stderr, "yoloq build: %s\n", err);
        yq_model_free(m);
        return 1;
    }
    struct stat st;
    long size = stat(out, &st) == 0 ? (long)st.st_size : -1;
    printf("%s: float model, %d outputs, head %s, %.2f MB\n", out, yq_model_n_outputs(m),
           yq_model_meta(m, "yq.head") ? yq_model_meta(m, "yq.head") : "none",
           (double)size / 1e6);
    yq_model_free(m);
    return 0;
}
