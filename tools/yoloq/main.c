/* SPDX-License-Identifier: Apache-2.0 */
/* yoloq: dispatch to a subcommand; shared argument helpers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static const struct command commands[] = {
    {"build", yq_cmd_build, "ONNX -> .yqm deployable model file (float today)"},
    {"detect", yq_cmd_detect, "detect objects in images (JSON, annotated images)"},
    {"info", yq_cmd_info, "print a model's inputs, outputs, head and metadata"},
    {"bench", yq_cmd_bench, "latency, throughput, per-layer time and memory of a model"},
    {"eval", yq_cmd_eval, "COCO mAP of a model or a detections file (pycocotools-exact)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: yoloq <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n`yoloq <command> --help` describes a command's options.\n");
}

bool yq_cli_float(const char *flag, const char *s, float *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end) {
        fprintf(stderr, "yoloq: %s: '%s' is not a number\n", flag, s);
        return false;
    }
    *out = (float)v;
    return true;
}

bool yq_cli_int(const char *flag, const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < -2147483647L || v > 2147483647L) {
        fprintf(stderr, "yoloq: %s: '%s' is not an integer\n", flag, s);
        return false;
    }
    *out = (int)v;
    return true;
}

const char *yq_cli_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "yoloq: %s needs a value\n", argv[*i]);
        return NULL;
    }
    (*i)++;
    return argv[*i];
}

void yq_cli_progress(const char *what, size_t done, size_t total)
{
    int bar = (int)(done * 30 / (total ? total : 1));
    fprintf(stderr, "\r[%-30.*s] %zu/%zu %s", bar, "==============================", done, total,
            what);
    if (done == total)
        fprintf(stderr, "\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("yoloq 0.1.0\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "yoloq: unknown command '%s' (try yoloq --help)\n", argv[1]);
    return 2;
}
