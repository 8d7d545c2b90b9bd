/* SPDX-License-Identifier: Apache-2.0 */
/* Strict number and list parsers for the CLI (cli_lists.h): a value is used only when all
 * of it parses — "1,2,abc" is refused, not read as two numbers. Plain C without printing
 * so the fuzz targets can link this file alone. */
#include "cli_lists.h"

#include <ctype.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* [s, e) holds one number and nothing else. */
static bool number_span(const char *s, const char *e, double *out)
{
    while (s < e && blank(*s))
        s++;
    while (e > s && blank(e[-1]))
        e--;
    if (s == e || isspace((unsigned char)*s)) return false; /* strtod would skip "\n1" */
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end != e || errno == ERANGE || !isfinite(v)) return false;
    *out = v;
    return true;
}

bool yq_cli_parse_double(const char *s, double *out)
{
    return s && number_span(s, s + strlen(s), out);
}

bool yq_cli_parse_long(const char *s, long *out)
{
    if (!s) return false;
    while (blank(*s))
        s++;
    if (!*s || isspace((unsigned char)*s)) return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    while (blank(*end))
        end++;
    if (end == s || *end || errno == ERANGE) return false;
    *out = v;
    return true;
}

void yq_cli_one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
        yq_cli_one_line(err);
    }
    return -1;
}

/* Splits [s, end of s) at any of seps; for each item calls number_span. Returns the count
 * or -1. *level_sizes (if given) collects how many numbers each ';'-level held. */
static int parse_list(const char *s, const char *seps, double *v, int cap, int *level_sizes,
                      int max_levels, int *n_levels, char *err, size_t err_cap)
{
    if (!s || !*s) return fail(err, err_cap, "empty list");
    int n = 0, levels = 0, in_level = 0;
    const char *p = s;
    for (;;) {
        const char *q = p + strcspn(p, seps);
        if (n == cap) return fail(err, err_cap, "'%.60s': more than %d numbers", s, cap);
        if (!number_span(p, q, &v[n])) {
            int len = (int)(q - p);
            return fail(err, err_cap,
                        len ? "'%.60s': '%.*s' is not a number" : "'%.60s': empty item%.*s", s,
                        len > 30 ? 30 : len, p);
        }
        n++;
        in_level++;
        if (*q == ';' || *q == '\0') {
            if (level_sizes) {
                if (levels == max_levels)
                    return fail(err, err_cap, "'%.60s': more than %d levels", s, max_levels);
                level_sizes[levels] = in_level;
            }
            levels++;
            in_level = 0;
        }
        if (*q == '\0') break;
        p = q + 1;
    }
    if (n_levels) *n_levels = levels;
    return n;
}

int yq_cli_parse_floats(const char *s, int want, double lo, double hi, float *v, int cap, char *err,
                        size_t err_cap)
{
    double d[64];
    if (want < 1 || want > cap || want > 64) return fail(err, err_cap, "bad list size %d", want);
    int n = parse_list(s, ",", d, want + 1 < 64 ? want + 1 : 64, NULL, 0, NULL, err, err_cap);
    if (n < 0) return -1;
    if (n != want)
        return fail(err, err_cap, "'%.60s' needs %d comma-separated numbers, not %d", s, want, n);
    for (int i = 0; i < n; i++) {
        if (!(d[i] >= lo && d[i] <= hi))
            return fail(err, err_cap, "'%.60s': %g is out of range [%.10g, %.10g]", s, d[i], lo,
                        hi);
        v[i] = (float)d[i];
    }
    return n;
}

int yq_cli_parse_anchors(const char *s, float *v, int cap, int *n_levels, char *err, size_t err_cap)
{
    double d[256];
    int sizes[16], levels = 0;
    int max = cap < 256 ? cap : 256;
    int n = parse_list(s, ",;", d, max, sizes, 16, &levels, err, err_cap);
    if (n < 0) return -1;
    for (int l = 0; l < levels; l++) {
        if (sizes[l] % 2)
            return fail(err, err_cap, "'%.60s': level %d has %d numbers, not w,h pairs", s, l + 1,
                        sizes[l]);
        if (sizes[l] != sizes[0])
            return fail(err, err_cap, "'%.60s': level %d has %d numbers, level 1 has %d", s, l + 1,
                        sizes[l], sizes[0]);
    }
    for (int i = 0; i < n; i++) {
        if (!(d[i] > 0 && d[i] <= 1e6))
            return fail(err, err_cap, "'%.60s': %g is not an anchor size in pixels", s, d[i]);
        v[i] = (float)d[i];
    }
    *n_levels = levels;
    return n;
}

int yq_cli_parse_strides(const char *s, int *v, int cap, char *err, size_t err_cap)
{
    double d[64];
    int n = parse_list(s, ",", d, cap < 64 ? cap : 64, NULL, 0, NULL, err, err_cap);
    if (n < 0) return -1;
    for (int i = 0; i < n; i++) {
        if (!(d[i] >= 1 && d[i] <= 1024 && d[i] == floor(d[i])))
            return fail(err, err_cap, "'%.60s': %g is not a stride (an integer in [1, 1024])", s,
                        d[i]);
        v[i] = (int)d[i];
    }
    return n;
}
