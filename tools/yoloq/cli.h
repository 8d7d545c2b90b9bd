/* SPDX-License-Identifier: Apache-2.0 */
/* The yoloq command line: one file per subcommand, each `int yq_cmd_<name>(argc, argv)`
 * with argv[0] the subcommand name; returns the process exit code. Uses the public API
 * only. */
#ifndef YQ_CLI_H
#define YQ_CLI_H

#include <stdbool.h>
#include <stddef.h>

int yq_cmd_detect(int argc, char **argv);
int yq_cmd_info(int argc, char **argv);
int yq_cmd_eval(int argc, char **argv);
int yq_cmd_bench(int argc, char **argv);
int yq_cmd_build(int argc, char **argv);

/* Shared argument helpers: parse a number or fail with a one-line message naming the flag. */
bool yq_cli_float(const char *flag, const char *s, float *out);
bool yq_cli_int(const char *flag, const char *s, int *out);
/* argv[*i + 1] as the value of flag argv[*i] (advances *i), or NULL after an error line. */
const char *yq_cli_value(int argc, char **argv, int *i);

/* "\r[=====     ] 3/20 <what>" on stderr; a newline when done == total. */
void yq_cli_progress(const char *what, size_t done, size_t total);

#endif
