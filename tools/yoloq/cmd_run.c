/* SPDX-License-Identifier: Apache-2.0 */
/* yoloq run: an ONNX graph as it is (no head cut) on tensors from files (.pb TensorProto
 * or .npy, in graph-input order), each output written as DIR/output_<i>.npy in ONNX
 * layout and element type — RKNN's inference() on arbitrary tensors, and how ONNX's own
 * node conformance tests are run. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "yoloq/toolkit.h"

#define MAX_INPUTS 64

int yq_cmd_run(int argc, char **argv)
{
    const char *model = NULL, *dir = NULL, *inputs[MAX_INPUTS];
    int threads = 1;
    struct yq_cli_opt opts[] = {
        YQ_CLI_STR("--model", &model, "M.onnx  the ONNX model, run as it is (no head cut)"),
        YQ_CLI_STRS("--input", inputs, MAX_INPUTS,
                    "FILE  a tensor (.pb TensorProto or .npy), once per graph input in order"),
        {"--output-dir", "-o", YQ_CLI_KIND_STR, &dir, 0, 0, false, false, NULL,
         "DIR  where output_<i>.npy are written (created if missing)", 0},
        YQ_CLI_INT("--threads", &threads, 1, 256, "N  compute threads (default 1)"),
        YQ_CLI_END};
    int n_pos = 0;
    int rc = yq_cli_parse("run", opts, argc, argv, NULL, 0, &n_pos);
    if (rc == YQ_CLI_HELP) {
        yq_cli_help("usage: yoloq run --model M.onnx [--input FILE]... -o DIR\n"
                    "Inputs an operator needs constant (a Conv weight, a Reshape shape, Resize "
                    "scales, Pad pads...)\nare bound as constants before shape inference.\n",
                    opts);
        return 0;
    }
    if (rc) return rc;
    if (!model) return yq_cli_usage_error("run", "--model is required (yoloq run --help)");
    if (!dir) return yq_cli_usage_error("run", "-o DIR is required (yoloq run --help)");
    int n_in = yq_cli_seen(opts, "--input");
    struct yq_array arr[MAX_INPUTS];
    memset(arr, 0, sizeof arr);
    char err[512];
    int status = 1, n_out = 0;
    struct yq_array *outs = NULL;
    for (int i = 0; i < n_in; i++)
        if (yq_array_load(inputs[i], &arr[i], err, sizeof err)) {
            fprintf(stderr, "yoloq run: %s\n", err);
            goto done;
        }
    if (yq_onnx_run(model, n_in, arr, threads, &n_out, &outs, err, sizeof err)) {
        fprintf(stderr, "yoloq run: %s\n", err);
        goto done;
    }
    if (mkdir(dir, 0777) && errno != EEXIST) {
        fprintf(stderr, "yoloq run: %s: cannot create: %s\n", dir, strerror(errno));
        goto done;
    }
    for (int i = 0; i < n_out; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/output_%d.npy", dir, i);
        if (yq_array_save_npy(path, &outs[i], err, sizeof err)) {
            fprintf(stderr, "yoloq run: %s\n", err);
            goto done;
        }
        printf("%s: [", path);
        for (int d = 0; d < outs[i].n_dims; d++)
            printf(d ? ",%lld" : "%lld", (long long)outs[i].dims[d]);
        printf("] type %d\n", outs[i].elem_type);
    }
    status = 0;
done:
    yq_array_list_free(outs, n_out);
    for (int i = 0; i < n_in; i++)
        yq_array_clear(&arr[i]);
    return status;
}
