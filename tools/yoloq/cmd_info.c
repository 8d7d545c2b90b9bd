/* SPDX-License-Identifier: Apache-2.0 */
/* yoloq info: a model's inputs, outputs (shape, layout, dtype, scale, zero point), head and
 * metadata. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "yoloq/seal.h"
#include "yoloq/toolkit.h"

static const char *dtype_name(enum yq_dtype t)
{
    static const char *n[] = {"f32", "u8", "s8", "s32", "s64"};
    return (unsigned)t < sizeof n / sizeof n[0] ? n[t] : "?";
}

static const char *layout_name(enum yq_layout l)
{
    return l == YQ_LAYOUT_NHWC ? "NHWC" : l == YQ_LAYOUT_NCHW ? "NCHW" : "plain";
}

static void print_tensor(const char *kind, const struct yq_tensor_info *t)
{
    printf("  %s %d: %-40s [", kind, t->index, t->name);
    for (int i = 0; i < t->n_dims; i++)
        printf(i ? ",%lld" : "%lld", (long long)t->dims[i]);
    printf("] %s %s", layout_name(t->layout), dtype_name(t->dtype));
    if (t->scale != 0.0f)
        printf(" scale=%g zero_point=%d", t->scale, t->zero_point);
    printf("\n");
}

int yq_cmd_info(int argc, char **argv)
{
    const char *path = NULL, *outputs = NULL, *key_file = NULL;
    struct yq_cli_opt opts[] = {
        YQ_CLI_STR("--outputs", &outputs, "A,B  cut an ONNX model at these tensors"),
        YQ_CLI_KEY_OPT(&key_file), YQ_CLI_END};
    int n_pos = 0;
    int rc = yq_cli_parse("info", opts, argc, argv, &path, 1, &n_pos);
    if (rc == YQ_CLI_HELP) {
        yq_cli_help("usage: yoloq info [--outputs A,B] [--key KEYFILE] MODEL.onnx|MODEL.yqm\n", opts);
        return 0;
    }
    if (rc)
        return rc;
    if (!path)
        return yq_cli_usage_error("info", "need a model file (yoloq info --help)");
    struct yq_import_options io;
    yq_import_options_init(&io);
    io.outputs = outputs;
    struct yq_model *m;
    bool enc = false;
    const char *alg = NULL;
    char err[512];
    uint8_t key[YQ_KEY_BYTES];
    bool have = false;
    if (!yq_model_file_probe(path, &enc, &alg, err, sizeof err) && enc) {
        if (yq_cli_key("info", key_file, key, &have))
            return 1;
        yq_key_wipe(key, sizeof key);
        if (!have) {
            /* what can be said without the key */
            printf("%s\n  encrypted .yqm (%s); give --key KEYFILE or set YOLOQ_KEY_FILE to see "
                   "inside\n",
                   path, alg);
            return 0;
        }
    }
    if (yq_cli_model_open("info", path, &io, key_file, &m))
        return 1;
    printf("%s\n", path);
    if (enc)
        printf("  encrypted: %s\n", alg);
    struct yq_tensor_info t;
    for (int i = 0; i < yq_model_n_inputs(m); i++)
        if (!yq_model_input_info(m, i, &t))
            print_tensor("input ", &t);
    for (int i = 0; i < yq_model_n_outputs(m); i++)
        if (!yq_model_output_info(m, i, &t))
            print_tensor("output", &t);
    const char *head = yq_model_meta(m, "yq.head");
    printf("  head: %s", head ? head : "not recognised");
    if (head) {
        const char *v;
        if ((v = yq_model_meta(m, "yq.num_classes")))
            printf(", %s classes", v);
        if ((v = yq_model_meta(m, "yq.strides")))
            printf(", strides %s", v);
        if ((v = yq_model_meta(m, "yq.head_cut")))
            printf(", cut %s", v);
        if ((v = yq_model_meta(m, "yq.anchors")))
            printf("\n  anchors: %s", v);
    }
    printf("\n  preprocess: letterbox %s, %s, mean %s, std %s\n",
           yq_model_meta(m, "yq.letterbox") ? yq_model_meta(m, "yq.letterbox") : "?",
           yq_model_meta(m, "yq.channel_order") ? yq_model_meta(m, "yq.channel_order") : "?",
           yq_model_meta(m, "yq.mean") ? yq_model_meta(m, "yq.mean") : "?",
           yq_model_meta(m, "yq.std") ? yq_model_meta(m, "yq.std") : "?");
    printf("  weights: %.2f MB\n", (double)yq_model_weights_size(m) / 1e6);
    const char *algo = yq_model_meta(m, "yq.quant.algorithm");
    if (algo) {
        const char *pct = yq_model_meta(m, "yq.quant.percentile");
#define META(k) (yq_model_meta(m, k) ? yq_model_meta(m, k) : "?")
        printf("  quantization: int8, %s%s%s, per-%s weights, %s activations, %s outputs, "
               "calibrated on %s samples of %s\n",
               algo, pct ? " " : "", pct ? pct : "", META("yq.quant.method"),
               META("yq.quant.act_mode"), META("yq.quant.outputs"), META("yq.quant.samples"),
               META("yq.quant.dataset"));
#undef META
    } else {
        printf("  quantization: none (float)\n");
    }
    const char *custom = yq_model_meta(m, "yq.custom_string");
    if (custom)
        printf("  custom string: %s\n", custom);
    yq_model_free(m);
    return 0;
}
