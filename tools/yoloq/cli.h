/* SPDX-License-Identifier: Apache-2.0 */
/* The yoloq command line: one file per subcommand, each `int yq_cmd_<name>(argc, argv)`
 * with argv[0] the subcommand name; returns the process exit code (0 done, 1 failed,
 * 2 usage). Uses the public API only. A command declares its options as a table of
 * struct yq_cli_opt and calls yq_cli_parse, which refuses unknown, repeated and
 * value-less options and malformed or out-of-range numbers with one line on stderr:
 *
 *     int threads = 1; float conf = 0.25f; const char *model = NULL;
 *     struct yq_cli_opt opts[] = {
 *         YQ_CLI_STR("--model", &model, "M.onnx|M.yqm  the model"),
 *         YQ_CLI_FLOAT("--conf", &conf, 0, 1, "X  score threshold (default 0.25)"),
 *         YQ_CLI_INT("--threads", &threads, 1, 256, "N  compute threads (default 1)"),
 *         YQ_CLI_END};
 *     int rc = yq_cli_parse("detect", opts, argc, argv, pos, max_pos, &n_pos);
 *     if (rc != YQ_CLI_OK) return rc == YQ_CLI_HELP ? (print help, 0) : 2;
 */
#ifndef YQ_CLI_H
#define YQ_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_lists.h"

int yq_cmd_detect(int argc, char **argv);
int yq_cmd_info(int argc, char **argv);
int yq_cmd_eval(int argc, char **argv);
int yq_cmd_bench(int argc, char **argv);
int yq_cmd_build(int argc, char **argv);
int yq_cmd_run(int argc, char **argv);
int yq_cmd_keygen(int argc, char **argv);
int yq_cmd_encrypt(int argc, char **argv);
int yq_cmd_decrypt(int argc, char **argv);
int yq_cmd_analyze(int argc, char **argv);

enum yq_cli_kind {
    YQ_CLI_KIND_END,     /* ends a table */
    YQ_CLI_KIND_FLAG,    /* no value: *(bool *)ptr = true */
    YQ_CLI_KIND_SET,     /* no value: *(int *)ptr = (int)min; one of a group (same ptr) */
    YQ_CLI_KIND_STR,     /* *(const char **)ptr = the argument */
    YQ_CLI_KIND_INT,     /* *(int *)ptr, an integer in [min, max] */
    YQ_CLI_KIND_FLOAT,   /* *(float *)ptr, a finite number in [min, max] (or (min, max]) */
    YQ_CLI_KIND_DOUBLE,  /* *(double *)ptr, likewise */
    YQ_CLI_KIND_CHOICE,  /* *(int *)ptr = index of the argument in choices (NULL-ended) */
    YQ_CLI_KIND_FLOAT3,  /* *(float (*)[3])ptr: three comma-separated numbers in [min, max] */
    YQ_CLI_KIND_ANCHORS, /* *(const char **)ptr, checked by yq_cli_parse_anchors */
    YQ_CLI_KIND_STRIDES, /* *(const char **)ptr, checked by yq_cli_parse_strides */
    YQ_CLI_KIND_STRS,    /* repeatable: ((const char **)ptr)[seen - 1], at most max times */
};

struct yq_cli_opt {
    const char *name;  /* "--conf" */
    const char *alias; /* "-o", or NULL */
    enum yq_cli_kind kind;
    void *ptr;
    double min, max;
    bool open_min;              /* range is (min, max] */
    bool repeatable;            /* a later value replaces the earlier (else refused) */
    const char *const *choices; /* YQ_CLI_KIND_CHOICE */
    const char *help;           /* "X  text": the value's name, two spaces, the text */
    int seen;                   /* set by yq_cli_parse: how many times given */
};

#define YQ_CLI_OPT_(n, a, k, p, lo, hi, c, h)                                                      \
    {                                                                                              \
        (n), (a), (k), (p), (lo), (hi), false, false, (c), (h), 0                                  \
    }
#define YQ_CLI_FLAG(n, p, h) YQ_CLI_OPT_(n, NULL, YQ_CLI_KIND_FLAG, p, 0, 0, NULL, h)
#define YQ_CLI_SET(n, p, v, h) YQ_CLI_OPT_(n, NULL, YQ_CLI_KIND_SET, p, v, v, NULL, h)
#define YQ_CLI_STR(n, p, h) YQ_CLI_OPT_(n, NULL, YQ_CLI_KIND_STR, p, 0, 0, NULL, h)
#define YQ_CLI_INT(n, p, lo, hi, h) YQ_CLI_OPT_(n, NULL, YQ_CLI_KIND_INT, p, lo, hi, NULL, h)
#define YQ_CLI_FLOAT(n, p, lo, hi, h) YQ_CLI_OPT_(n, NULL, YQ_CLI_KIND_FLOAT, p, lo, hi, NULL, h)
/* a number in (lo, hi]: the lower bound excluded */
#define YQ_CLI_DOUBLE_ABOVE(n, p, lo, hi, h)                                                       \
    {                                                                                              \
        (n), NULL, YQ_CLI_KIND_DOUBLE, (p), (lo), (hi), true, false, NULL, (h), 0                  \
    }
#define YQ_CLI_DOUBLE(n, p, lo, hi, h) YQ_CLI_OPT_(n, NULL, YQ_CLI_KIND_DOUBLE, p, lo, hi, NULL, h)
#define YQ_CLI_CHOICE(n, p, c, h) YQ_CLI_OPT_(n, NULL, YQ_CLI_KIND_CHOICE, p, 0, 0, c, h)
#define YQ_CLI_FLOAT3(n, p, lo, hi, h) YQ_CLI_OPT_(n, NULL, YQ_CLI_KIND_FLOAT3, p, lo, hi, NULL, h)
/* `--input A --input B`: arr[0..seen-1], at most cap values (seen: yq_cli_seen) */
#define YQ_CLI_STRS(n, arr, cap, h)                                                                \
    {                                                                                              \
        (n), NULL, YQ_CLI_KIND_STRS, (arr), 0, (cap), false, true, NULL, (h), 0                    \
    }
#define YQ_CLI_ANCHORS(n, p, h) YQ_CLI_OPT_(n, NULL, YQ_CLI_KIND_ANCHORS, p, 0, 0, NULL, h)
#define YQ_CLI_STRIDES(n, p, h) YQ_CLI_OPT_(n, NULL, YQ_CLI_KIND_STRIDES, p, 0, 0, NULL, h)
#define YQ_CLI_END                                                                                 \
    {                                                                                              \
        NULL, NULL, YQ_CLI_KIND_END, NULL, 0, 0, false, false, NULL, NULL, 0                       \
    }

enum { YQ_CLI_OK = 0, YQ_CLI_HELP = -1, YQ_CLI_USAGE = 2 };

/* Parses argv[1..argc-1] (argv[0] is the command) against opts. Arguments that do not
 * start with '-' (and all after "--") are positional: up to max_pos into pos[], *n_pos
 * counted; more is an error. "--name=value" is accepted too. Returns YQ_CLI_OK,
 * YQ_CLI_HELP for -h/--help, or YQ_CLI_USAGE after printing one line
 * "yoloq <cmd>: <flag>: <why>" on stderr. */
int yq_cli_parse(const char *cmd, struct yq_cli_opt *opts, int argc, char **argv, const char **pos,
                 int max_pos, int *n_pos);

/* How many times option `name` was given (after yq_cli_parse). */
int yq_cli_seen(const struct yq_cli_opt *opts, const char *name);

/* The opts table as help lines ("  --conf X     score threshold"), after `usage`. */
void yq_cli_help(const char *usage, const struct yq_cli_opt *opts);

/* One line "yoloq <cmd>: <message>" on stderr (a usage error the table cannot express);
 * returns YQ_CLI_USAGE. */
int yq_cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Single-value helpers for hand-written loops (prefer a table): a strict number or a
 * one-line error naming the flag; argv[*i + 1] as flag argv[*i]'s value (advances *i). */
bool yq_cli_float(const char *flag, const char *s, float *out);
bool yq_cli_int(const char *flag, const char *s, int *out);
const char *yq_cli_value(int argc, char **argv, int *i);

/* Progress of long work on stderr. On a terminal, a bar redrawn in place
 * ("\r[=====     ] 3/20 <what>", a newline when done == total); otherwise (a log file,
 * a pipe) one line when a new `what` starts and one at each quarter, 5 at most per `what`. */
void yq_cli_progress(const char *what, size_t done, size_t total);
/* Ends an unfinished bar with a newline (terminal only) so an error line starts clean. */
void yq_cli_progress_break(void);

/* Encrypted models (cli_key.c). Every command that loads a model has YQ_CLI_KEY_OPT. */
#define YQ_CLI_KEY_OPT(p)                                                                          \
    YQ_CLI_STR("--key", p, "KEYFILE  key of an encrypted model (default: $YOLOQ_KEY_FILE)")
struct yq_import_options;
struct yq_model;
/* Loads the key named by key_file, else by $YOLOQ_KEY_FILE, into key[32]; *have = false
 * when neither is set. 1 after a one-line error, else 0. */
int yq_cli_key(const char *cmd, const char *key_file, uint8_t key[32], bool *have);
/* yq_model_open with the key (wiped after), io may be NULL; 1 after a one-line error
 * (which says how to give a key when the file is encrypted and none was given). */
int yq_cli_model_open(const char *cmd, const char *path, struct yq_import_options *io,
                      const char *key_file, struct yq_model **m);

#endif
