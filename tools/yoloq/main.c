/* SPDX-License-Identifier: Apache-2.0 */
/* yoloq: dispatch to a subcommand (option parsing and progress live in cli.c). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "yoloq/atomic_file.h"

#include "cli.h"
#include "yoloq/media.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static const struct command commands[] = {
    {"build", yq_cmd_build,
     "ONNX -> .yqm deployable model: int8 calibrated on a dataset, or float (--no-quantize)"},
    {"detect", yq_cmd_detect, "detect objects in images (JSON, annotated images)"},
    {"analyze", yq_cmd_analyze, "per-tensor error of a quantized model against the float one"},
    {"run", yq_cmd_run, "run an ONNX graph as it is on tensors from files (.pb, .npy)"},
    {"info", yq_cmd_info, "print a model's inputs, outputs, head and metadata"},
    {"bench", yq_cmd_bench, "latency, throughput, per-layer time and memory of a model"},
    {"eval", yq_cmd_eval, "COCO mAP of a model or a detections file (pycocotools-exact)"},
    {"keygen", yq_cmd_keygen, "make a key file for encrypted models (32 random bytes)"},
    {"encrypt", yq_cmd_encrypt, "seal a .yqm with a key (XChaCha20-Poly1305)"},
    {"decrypt", yq_cmd_decrypt, "open a sealed .yqm back into the plain file"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: yoloq <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n`yoloq <command> --help` describes a command's options.\n"
               "Exit status: 0 done, 1 failed (bad input, I/O), 2 usage error.\n");
}

/* SIGINT/SIGTERM: remove the temporary file of an output being written (outputs appear
 * whole or not at all), then die of the same signal so the exit status says so. */
static void on_signal(int sig)
{
    yq_atomic_remove_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

int main(int argc, char **argv)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("yoloq 0.1.0\n");
        return 0;
    }
    /* the CLI owns the process: FFmpeg stays quiet, its error lines go into our messages */
    yq_media_capture_ffmpeg_log(true);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    char name[64];
    snprintf(name, sizeof name, "%s", argv[1]);
    yq_cli_one_line(name);
    fprintf(stderr, "yoloq: unknown command '%s' (try yoloq --help)\n", name);
    return 2;
}
