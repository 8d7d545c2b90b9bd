/* SPDX-License-Identifier: Apache-2.0 */
/* The CLI's table-driven option parser (cli.h) and its terminal-aware progress line.
 * Every refusal is one line naming the command and the flag, and exit status 2. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int yq_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    yq_cli_one_line(msg);
    fprintf(stderr, "yoloq %s: %s\n", cmd, msg);
    return YQ_CLI_USAGE;
}

static bool takes_value(enum yq_cli_kind k)
{
    return k != YQ_CLI_KIND_FLAG && k != YQ_CLI_KIND_SET;
}

static struct yq_cli_opt *find(struct yq_cli_opt *opts, const char *a, size_t len)
{
    for (struct yq_cli_opt *o = opts; o->kind != YQ_CLI_KIND_END; o++)
        if ((strlen(o->name) == len && !strncmp(o->name, a, len)) ||
            (o->alias && strlen(o->alias) == len && !strncmp(o->alias, a, len)))
            return o;
    return NULL;
}

static int range_error(const char *cmd, const struct yq_cli_opt *o, const char *v)
{
    return yq_cli_usage_error(cmd, "%s: %s is out of range %c%.10g, %.10g]", o->name, v,
                              o->open_min ? '(' : '[', o->min, o->max);
}

static bool in_range(const struct yq_cli_opt *o, double d)
{
    return (o->open_min ? d > o->min : d >= o->min) && d <= o->max;
}

static int set_value(const char *cmd, struct yq_cli_opt *o, const char *v)
{
    char err[160];
    double d;
    long l;
    float anchors[64];
    int strides[16], levels;
    switch (o->kind) {
    case YQ_CLI_KIND_STR:
        *(const char **)o->ptr = v;
        return YQ_CLI_OK;
    case YQ_CLI_KIND_STRS:
        if (o->seen > (int)o->max)
            return yq_cli_usage_error(cmd, "%s: given more than %d times", o->name, (int)o->max);
        ((const char **)o->ptr)[o->seen - 1] = v;
        return YQ_CLI_OK;
    case YQ_CLI_KIND_INT:
        if (!yq_cli_parse_long(v, &l)) {
            /* digits beyond long's range are an integer out of range, not junk */
            if (yq_cli_parse_double(v, &d) && d == floor(d) && !strpbrk(v, ".eExXpP") &&
                !in_range(o, d))
                return range_error(cmd, o, v);
            return yq_cli_usage_error(cmd, "%s: '%s' is not an integer", o->name, v);
        }
        if (!in_range(o, (double)l)) return range_error(cmd, o, v);
        *(int *)o->ptr = (int)l;
        return YQ_CLI_OK;
    case YQ_CLI_KIND_FLOAT:
    case YQ_CLI_KIND_DOUBLE:
        if (!yq_cli_parse_double(v, &d))
            return yq_cli_usage_error(cmd, "%s: '%s' is not a number", o->name, v);
        if (!in_range(o, d)) return range_error(cmd, o, v);
        if (o->kind == YQ_CLI_KIND_FLOAT)
            *(float *)o->ptr = (float)d;
        else
            *(double *)o->ptr = d;
        return YQ_CLI_OK;
    case YQ_CLI_KIND_CHOICE:
        for (int i = 0; o->choices[i]; i++)
            if (!strcmp(v, o->choices[i])) {
                *(int *)o->ptr = i;
                return YQ_CLI_OK;
            }
        {
            char list[160] = "";
            size_t len = 0;
            for (int i = 0; o->choices[i] && len < sizeof list; i++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                        o->choices[i]);
            return yq_cli_usage_error(cmd, "%s: unknown value '%s' (one of: %s)", o->name, v, list);
        }
    case YQ_CLI_KIND_FLOAT3:
        if (yq_cli_parse_floats(v, 3, o->min, o->max, (float *)o->ptr, 3, err, sizeof err) < 0)
            return yq_cli_usage_error(cmd, "%s: %s", o->name, err);
        return YQ_CLI_OK;
    case YQ_CLI_KIND_ANCHORS:
        if (yq_cli_parse_anchors(v, anchors, 64, &levels, err, sizeof err) < 0)
            return yq_cli_usage_error(cmd, "%s: %s", o->name, err);
        *(const char **)o->ptr = v;
        return YQ_CLI_OK;
    case YQ_CLI_KIND_STRIDES:
        if (yq_cli_parse_strides(v, strides, 16, err, sizeof err) < 0)
            return yq_cli_usage_error(cmd, "%s: %s", o->name, err);
        *(const char **)o->ptr = v;
        return YQ_CLI_OK;
    default:
        return yq_cli_usage_error(cmd, "%s: internal option kind %d", o->name, (int)o->kind);
    }
}

int yq_cli_parse(const char *cmd, struct yq_cli_opt *opts, int argc, char **argv, const char **pos,
                 int max_pos, int *n_pos)
{
    int np = 0;
    bool only_pos = false;
    for (struct yq_cli_opt *o = opts; o->kind != YQ_CLI_KIND_END; o++)
        o->seen = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (np >= max_pos)
                return max_pos == 0
                           ? yq_cli_usage_error(cmd, "unexpected argument '%s'", a)
                           : yq_cli_usage_error(cmd, "unexpected argument '%s' (more than %d)", a,
                                                max_pos);
            pos[np++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_pos = true;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return YQ_CLI_HELP;
        const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        struct yq_cli_opt *o = find(opts, a, len);
        if (!o)
            return yq_cli_usage_error(cmd, "unknown option '%.*s' (yoloq %s --help)", (int)len, a,
                                      cmd);
        /* one group of SET options (same ptr, e.g. --bgr|--rgb) counts as one option */
        for (struct yq_cli_opt *g = opts; g->kind != YQ_CLI_KIND_END; g++)
            if ((g == o ||
                 (o->kind == YQ_CLI_KIND_SET && g->kind == YQ_CLI_KIND_SET && g->ptr == o->ptr)) &&
                g->seen && !o->repeatable)
                return g == o ? yq_cli_usage_error(cmd, "%s given twice", o->name)
                              : yq_cli_usage_error(cmd, "%s and %s exclude each other", g->name,
                                                   o->name);
        o->seen++;
        if (!takes_value(o->kind)) {
            if (eq) return yq_cli_usage_error(cmd, "%s takes no value", o->name);
            if (o->kind == YQ_CLI_KIND_FLAG)
                *(bool *)o->ptr = true;
            else
                *(int *)o->ptr = (int)o->min;
            continue;
        }
        const char *v;
        if (eq) {
            v = eq + 1;
        } else {
            /* "--model --conf": the next option is not a value; "-1" may be one */
            if (i + 1 >= argc || (argv[i + 1][0] == '-' && argv[i + 1][1] == '-'))
                return yq_cli_usage_error(cmd, "%s needs a value", o->name);
            v = argv[++i];
        }
        if (!*v) return yq_cli_usage_error(cmd, "%s needs a value", o->name);
        int rc = set_value(cmd, o, v);
        if (rc != YQ_CLI_OK) return rc;
    }
    if (n_pos) *n_pos = np;
    return YQ_CLI_OK;
}

int yq_cli_seen(const struct yq_cli_opt *opts, const char *name)
{
    for (const struct yq_cli_opt *o = opts; o->kind != YQ_CLI_KIND_END; o++)
        if (!strcmp(o->name, name)) return o->seen;
    return 0;
}

void yq_cli_help(const char *usage, const struct yq_cli_opt *opts)
{
    fputs(usage, stdout);
    for (const struct yq_cli_opt *o = opts; o->kind != YQ_CLI_KIND_END; o++) {
        if (!o->help) continue;
        /* help is "VALUE  text" for options that take a value, "text" for flags */
        const char *text = o->help, *gap = takes_value(o->kind) ? strstr(o->help, "  ") : NULL;
        char head[64];
        if (gap) {
            snprintf(head, sizeof head, "%s%s%s %.*s", o->alias ? o->alias : "",
                     o->alias ? ", " : "", o->name, (int)(gap - o->help), o->help);
            text = gap + 2;
        } else {
            snprintf(head, sizeof head, "%s%s%s", o->alias ? o->alias : "", o->alias ? ", " : "",
                     o->name);
        }
        /* text wrapped at word boundaries into a 24-column indented block, 100 wide */
        if (strlen(head) > 21)
            printf("  %s\n%24s", head, "");
        else
            printf("  %-21s ", head);
        for (;;) {
            size_t len = strlen(text);
            if (len <= 76) {
                printf("%s\n", text);
                break;
            }
            size_t cut = 76;
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0) cut = 76;
            printf("%.*s\n%24s", (int)cut, text, "");
            text += cut + (text[cut] == ' ');
        }
    }
}

bool yq_cli_float(const char *flag, const char *s, float *out)
{
    double d;
    if (!yq_cli_parse_double(s, &d) || fabs(d) > 3.4e38) {
        fprintf(stderr, "yoloq: %s: '%s' is not a number\n", flag, s);
        return false;
    }
    *out = (float)d;
    return true;
}

bool yq_cli_int(const char *flag, const char *s, int *out)
{
    long l;
    if (!yq_cli_parse_long(s, &l) || l < -2147483647L || l > 2147483647L) {
        fprintf(stderr, "yoloq: %s: '%s' is not an integer\n", flag, s);
        return false;
    }
    *out = (int)l;
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

/* Non-terminal progress: the last `what` seen and the last quarter printed for it. */
static char progress_what[96];
static int progress_quarter = -1;
static bool progress_open;

void yq_cli_progress(const char *what, size_t done, size_t total)
{
    if (total == 0) total = 1;
    if (done > total) done = total;
    if (isatty(STDERR_FILENO)) {
        int bar = (int)(done * 30 / total);
        fprintf(stderr, "\r[%-30.*s] %zu/%zu %s", bar, "==============================", done,
                total, what);
        progress_open = done != total;
        if (done == total) fputc('\n', stderr);
        return;
    }
    if (strncmp(progress_what, what, sizeof progress_what - 1)) {
        snprintf(progress_what, sizeof progress_what, "%s", what);
        progress_quarter = -1;
    }
    int q = (int)(done * 4 / total);
    if (q > progress_quarter) {
        progress_quarter = q;
        fprintf(stderr, "[%3d%%] %zu/%zu %s\n", (int)(done * 100 / total), done, total, what);
    }
}

void yq_cli_progress_break(void)
{
    if (progress_open) fputc('\n', stderr);
    progress_open = false;
}
