/* SPDX-License-Identifier: Apache-2.0 */
/* Strict parsers of the CLI's list values (--anchors, --strides, --mean/--std): plain C,
 * no printing, so the fuzz targets link cli_lists.c alone. Each returns the count of
 * numbers parsed, or -1 with a one-line reason in err (which does not repeat the flag). */
#ifndef YQ_CLI_LISTS_H
#define YQ_CLI_LISTS_H

#include <stdbool.h>
#include <stddef.h>

/* Replaces control characters (a newline in a quoted argument) with '?' so a message
 * quoting user input stays one line. */
void yq_cli_one_line(char *s);

/* One finite number, the whole string (leading/trailing blanks allowed). */
bool yq_cli_parse_double(const char *s, double *out);
/* An integer in long range, the whole string. */
bool yq_cli_parse_long(const char *s, long *out);

/* Exactly `want` (1..cap) comma-separated finite numbers, each in [lo, hi]:
 * "0.485,0.456,0.406". */
int yq_cli_parse_floats(const char *s, int want, double lo, double hi, float *v, int cap, char *err,
                        size_t err_cap);

/* Anchors in pixels: levels separated by ';', each level w,h pairs separated by ','
 * ("10,13,16,30,33,23;30,61,..."); every level has the same number of pairs, each number
 * positive and finite. v gets them level by level; *n_levels the level count. */
int yq_cli_parse_anchors(const char *s, float *v, int cap, int *n_levels, char *err,
                         size_t err_cap);

/* Head strides: comma-separated integers in [1, 1024], e.g. "8,16,32". */
int yq_cli_parse_strides(const char *s, int *v, int cap, char *err, size_t err_cap);

#endif
