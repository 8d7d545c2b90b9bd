/* SPDX-License-Identifier: Apache-2.0 */
/* The CLI's option table parser and strict list parsers (tools/yoloq/cli.c, cli_lists.c)
 * called directly: every value kind, the refusals (and that a refused value leaves the
 * target untouched), repeatable options, and the list grammars h-fuzz's targets feed. */
#include "harness.h"

#include <stdarg.h>
#include <string.h>

#include "../../tools/yoloq/cli.h"

static int parse(struct yq_cli_opt *opts, const char **pos, int max_pos, int *n_pos, ...)
{
    char *argv[32] = {"test"};
    int argc = 1;
    va_list ap;
    va_start(ap, n_pos);
    for (char *a; argc < 31 && (a = va_arg(ap, char *));)
        argv[argc++] = a;
    va_end(ap);
    return yq_cli_parse("test", opts, argc, argv, pos, max_pos, n_pos);
}

static void test_table(void)
{
    int threads = 1, order = 0, choice = 0;
    float conf = 0.25f, mean[3] = {0, 0, 0};
    double pct = 99.0;
    bool flag = false;
    const char *model = NULL, *anchors = NULL, *strides = NULL, *inputs[3] = {0}, *pos[4];
    static const char *const names[] = {"a", "bb", NULL};
    struct yq_cli_opt opts[] = {
        YQ_CLI_OPT_("--model", "-m", YQ_CLI_KIND_STR, &model, 0, 0, NULL, "M  model"),
        YQ_CLI_INT("--threads", &threads, 1, 256, "N  threads"),
        YQ_CLI_FLOAT("--conf", &conf, 0, 1, "X  conf"),
        YQ_CLI_DOUBLE_ABOVE("--pct", &pct, 50, 100, "P  pct"),
        YQ_CLI_FLAG("--flag", &flag, "a flag"),
        YQ_CLI_SET("--bgr", &order, 2, "bgr"),
        YQ_CLI_SET("--rgb", &order, 1, "rgb"),
        YQ_CLI_CHOICE("--pick", &choice, names, "C  pick"),
        YQ_CLI_FLOAT3("--mean", mean, -10, 10, "R,G,B  mean"),
        YQ_CLI_ANCHORS("--anchors", &anchors, "LIST  anchors"),
        YQ_CLI_STRIDES("--strides", &strides, "LIST  strides"),
        YQ_CLI_STRS("--input", inputs, 3, "FILE  input"),
        YQ_CLI_END};
    int n = -1;
    CHECK(parse(opts, pos, 4, &n, "-m", "x.onnx", "--threads", "4", "--conf=0.5", "--pct",
                "100", "--flag", "--rgb", "--pick", "bb", "--mean", "1, 2.5,-3", "--anchors",
                "10,13;16,30", "--strides", "8,16", "--input", "i0", "--input", "i1", "img",
                "--", "--notopt", NULL) == YQ_CLI_OK);
    CHECK(n == 2 && !strcmp(pos[0], "img") && !strcmp(pos[1], "--notopt"));
    CHECK(!strcmp(model, "x.onnx") && threads == 4 && conf == 0.5f && pct == 100.0);
    CHECK(flag && order == 1 && choice == 1);
    CHECK(mean[0] == 1.0f && mean[1] == 2.5f && mean[2] == -3.0f);
    CHECK(!strcmp(anchors, "10,13;16,30") && !strcmp(strides, "8,16"));
    CHECK(yq_cli_seen(opts, "--input") == 2 && !strcmp(inputs[0], "i0") &&
          !strcmp(inputs[1], "i1") && !inputs[2]);
    CHECK(yq_cli_seen(opts, "--model") == 1 && yq_cli_seen(opts, "--bgr") == 0);

    /* each refusal is a usage error and leaves the target as it was */
    threads = 7;
    CHECK(parse(opts, pos, 4, &n, "--threads", "0", NULL) == YQ_CLI_USAGE && threads == 7);
    CHECK(parse(opts, pos, 4, &n, "--threads", "257", NULL) == YQ_CLI_USAGE && threads == 7);
    CHECK(parse(opts, pos, 4, &n, "--threads", "3x", NULL) == YQ_CLI_USAGE && threads == 7);
    CHECK(parse(opts, pos, 4, &n, "--threads", "1e1", NULL) == YQ_CLI_USAGE && threads == 7);
    CHECK(parse(opts, pos, 4, &n, "--threads", "99999999999999999999", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--threads", " 5 ", NULL) == YQ_CLI_OK && threads == 5);
    conf = 0.3f;
    CHECK(parse(opts, pos, 4, &n, "--conf", "1.0000001", NULL) == YQ_CLI_USAGE && conf == 0.3f);
    CHECK(parse(opts, pos, 4, &n, "--conf", "-0", NULL) == YQ_CLI_OK && conf == 0.0f);
    CHECK(parse(opts, pos, 4, &n, "--conf", "nan", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--conf", "0x1p-1", NULL) == YQ_CLI_OK && conf == 0.5f);
    CHECK(parse(opts, pos, 4, &n, "--pct", "50", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--pct", "50.001", NULL) == YQ_CLI_OK);
    CHECK(parse(opts, pos, 4, &n, "--pick", "c", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--mean", "1,2", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--mean", "1,2,11", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--conf", "0.1", "--conf", "0.2", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "-m", "a", "--model", "b", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--bgr", "--rgb", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--flag=1", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--conf", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--model", "--flag", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--conf=", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--nope", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "-x", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "--input", "a", "--input", "b", "--input", "c", "--input", "d",
                NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 1, &n, "a", "b", NULL) == YQ_CLI_USAGE);
    CHECK(parse(opts, pos, 4, &n, "a", "--help", NULL) == YQ_CLI_HELP);
    CHECK(parse(opts, pos, 4, &n, "-h", NULL) == YQ_CLI_HELP);
    /* "-" alone is a positional (stdin-style), "-1" a value */
    CHECK(parse(opts, pos, 4, &n, "-", NULL) == YQ_CLI_OK && n == 1 && !strcmp(pos[0], "-"));
    CHECK(parse(opts, pos, 4, &n, "--mean", "-1,-2,-3", NULL) == YQ_CLI_OK && mean[2] == -3.0f);
}

static void test_lists(void)
{
    char err[160];
    float v[64];
    int s[16], levels = 0;
    CHECK(yq_cli_parse_anchors("10,13,16,30,33,23;30,61,62,45,59,119;116,90,156,198,373,326",
                               v, 64, &levels, err, sizeof err) == 18);
    CHECK(levels == 3 && v[0] == 10.0f && v[17] == 326.0f);
    CHECK(yq_cli_parse_anchors("10.5,13", v, 64, &levels, err, sizeof err) == 2 && levels == 1);
    static const char *const bad_anchors[] = {
        "", ",", ";", "1,2,", "1,2;", ";1,2", "1,,2", "1,2;3", "1,2;3,4,5,6", "1,2,abc",
        "1,2 3,4", "0,1", "-1,2", "nan,1", "inf,1", "1e999,1", "1,2\n", "1;2", "0x,1", "\n1,2"};
    for (size_t i = 0; i < sizeof bad_anchors / sizeof *bad_anchors; i++) {
        err[0] = '\0';
        int r = yq_cli_parse_anchors(bad_anchors[i], v, 64, &levels, err, sizeof err);
        CHECKF(r == -1 && err[0] && !strchr(err, '\n'), "anchors '%s' -> %d '%s'", bad_anchors[i],
               r, err);
    }
    /* more numbers than fit: refused, never written past cap */
    char many[1024] = "1";
    for (int i = 0; i < 100; i++)
        strcat(many, ",1");
    CHECK(yq_cli_parse_anchors(many, v, 64, &levels, err, sizeof err) == -1);

    CHECK(yq_cli_parse_strides("8,16,32", s, 16, err, sizeof err) == 3 && s[2] == 32);
    CHECK(yq_cli_parse_strides(" 8 , 16 ", s, 16, err, sizeof err) == 2 && s[1] == 16);
    static const char *const bad_strides[] = {"", "8,", "8,,16", "8.5", "0", "2048", "-8", "8;16",
                                              "x"};
    for (size_t i = 0; i < sizeof bad_strides / sizeof *bad_strides; i++)
        CHECKF(yq_cli_parse_strides(bad_strides[i], s, 16, err, sizeof err) == -1,
               "strides '%s'", bad_strides[i]);
    CHECK(yq_cli_parse_strides("1,1,1,1,1", s, 4, err, sizeof err) == -1);

    CHECK(yq_cli_parse_floats("0.485,0.456,0.406", 3, 0, 1, v, 3, err, sizeof err) == 3 &&
          v[1] == 0.456f);
    CHECK(yq_cli_parse_floats("1,2", 3, 0, 10, v, 3, err, sizeof err) == -1);
    CHECK(yq_cli_parse_floats("1,2,3,4", 3, 0, 10, v, 3, err, sizeof err) == -1);
    CHECK(yq_cli_parse_floats("1,2,30", 3, 0, 10, v, 3, err, sizeof err) == -1);
    CHECK(strstr(err, "30 is out of range [0, 10]") != NULL);

    double d;
    long l;
    CHECK(yq_cli_parse_double("2.5", &d) && d == 2.5);
    CHECK(!yq_cli_parse_double("2.5.", &d) && !yq_cli_parse_double("", &d) &&
          !yq_cli_parse_double(" ", &d) && !yq_cli_parse_double("1e400", &d) &&
          !yq_cli_parse_double(NULL, &d));
    CHECK(yq_cli_parse_long("-42", &l) && l == -42);
    CHECK(!yq_cli_parse_long("4 2", &l) && !yq_cli_parse_long("0x10", &l) &&
          !yq_cli_parse_long("99999999999999999999", &l));
}

int main(void)
{
    test_table();
    test_lists();
    return yq_test_finish();
}
