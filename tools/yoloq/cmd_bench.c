/* SPDX-License-Identifier: Apache-2.0 */
/* yoloq bench: latency (median/min/p90) and throughput of a model's session.run, per-layer
 * times (RKNN eval_perf) and memory (RKNN eval_memory: weights, activations, peak RSS). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "yoloq/toolkit.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

struct layer_sum {
    const char *name, *op;
    double ms;
};

static int cmp_layer(const void *a, const void *b)
{
    double x = ((const struct layer_sum *)a)->ms, y = ((const struct layer_sum *)b)->ms;
    return x < y ? 1 : x > y ? -1 : 0;
}

int yq_cmd_bench(int argc, char **argv)
{
    const char *path = NULL, *pos = NULL, *key_file = NULL;
    int threads = 1, runs = 50, warmup = 5, top = 10;
    bool per_layer = false, json = false;
    struct yq_cli_opt opts[] = {
        YQ_CLI_STR("--model", &path, "M.onnx|M.yqm  the model (or give it as an argument)"),
        YQ_CLI_KEY_OPT(&key_file),
        YQ_CLI_INT("--threads", &threads, 1, 256, "N  compute threads (default 1)"),
        YQ_CLI_INT("--runs", &runs, 1, 1000000, "N  timed runs (default 50)"),
        YQ_CLI_INT("--warmup", &warmup, 0, 1000000, "N  untimed runs first (default 5)"),
        YQ_CLI_FLAG("--per-layer", &per_layer, "time every layer (RKNN eval_perf)"),
        YQ_CLI_INT("--top", &top, 1, 1000000, "N  slowest layers listed (default 10)"),
        YQ_CLI_FLAG("--json", &json, "one JSON line with every run's time (bench/compare.sh)"),
        YQ_CLI_END};
    int n_pos = 0;
    int rc = yq_cli_parse("bench", opts, argc, argv, &pos, 1, &n_pos);
    if (rc == YQ_CLI_HELP) {
        yq_cli_help("usage: yoloq bench --model M.onnx|M.yqm [options]\n", opts);
        return 0;
    }
    if (rc)
        return rc;
    if (pos && path)
        return yq_cli_usage_error("bench", "model given twice ('%s', '%s')", path, pos);
    if (!path)
        path = pos;
    if (!path)
        return yq_cli_usage_error("bench", "need --model (yoloq bench --help)");
    char err[512];
    struct yq_model *m = NULL;
    struct yq_session *s = NULL;
    struct yq_session_options so;
    yq_session_options_init(&so);
    so.n_threads = threads;
    so.profile = per_layer;
    if (yq_cli_model_open("bench", path, NULL, key_file, &m))
        return 1;
    if (yq_session_create(m, &so, &s, err, sizeof err)) {
        fprintf(stderr, "yoloq bench: %s\n", err);
        yq_model_free(m);
        return 1;
    }
    /* a mid-grey image: the work does not depend on the values */
    struct yq_tensor_info in;
    yq_model_input_info(m, 0, &in);
    unsigned char *img = malloc(in.n_elems);
    double *t = malloc((size_t)runs * sizeof *t);
    const struct yq_layer_time *layers = NULL;
    int n_layers = per_layer ? yq_session_profile(s, &layers) : 0;
    double *acc = n_layers ? calloc((size_t)n_layers, sizeof *acc) : NULL;
    if (!img || !t || (n_layers && !acc)) {
        fprintf(stderr, "yoloq bench: out of memory\n");
        rc = 1;
        goto done;
    }
    memset(img, 114, in.n_elems);
    yq_session_set_input(s, 0, img, in.n_elems, YQ_DTYPE_U8, YQ_LAYOUT_NHWC);
    for (int i = 0; i < warmup; i++)
        yq_session_run(s);
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        yq_session_run(s);
        t[i] = now_ms() - t0;
        for (int k = 0; acc && k < n_layers; k++)
            acc[k] += layers[k].ms;
    }
    if (json) {
        /* run order kept (before sorting) so drift over the runs stays visible */
        printf("{\"engine\":\"yoloq\",\"threads\":%d,\"runs\":%d,\"times_ms\":[", threads,
               runs);
        for (int i = 0; i < runs; i++)
            printf("%s%.4f", i ? "," : "", t[i]);
        printf("]}\n");
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    double med = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    double p90 = t[(int)((runs - 1) * 0.9 + 0.5)];
    if (json)
        goto done;
    printf("%s: %d thread%s, %d runs: median %.2f ms, min %.2f ms, p90 %.2f ms, %.1f FPS\n",
           path, threads, threads > 1 ? "s" : "", runs, med, t[0], p90, 1000.0 / med);
    printf("memory: weights %.2f MB, activations %.2f MB, peak RSS %.1f MB\n",
           (double)yq_model_weights_size(m) / 1e6, (double)yq_session_activation_size(s) / 1e6,
           (double)peak_rss_kb() / 1024.0);
    if (acc) {
        struct layer_sum *ls = malloc((size_t)n_layers * sizeof *ls);
        double total = 0;
        for (int k = 0; ls && k < n_layers; k++) {
            ls[k] = (struct layer_sum){layers[k].name, layers[k].op, acc[k] / runs};
            total += ls[k].ms;
        }
        if (ls) {
            qsort(ls, (size_t)n_layers, sizeof *ls, cmp_layer);
            printf("slowest layers (mean of %d runs, %d layers, %.2f ms in layers):\n", runs,
                   n_layers, total);
            for (int k = 0; k < n_layers && k < top; k++)
                printf("  %8.3f ms %5.1f%%  %-12s %s\n", ls[k].ms,
                       total > 0 ? 100 * ls[k].ms / total : 0, ls[k].op, ls[k].name);
        }
        free(ls);
    }
done:
    free(acc);
    free(t);
    free(img);
    yq_session_free(s);
    yq_model_free(m);
    return rc;
}
