/* SPDX-License-Identifier: Apache-2.0 */
/* Export metadata parsers on good and malformed input: the `names` Python dict, `stride` /
 * `imgsz` int lists. Malformed text must give a clear error, never a crash or a leak. */
#include <string.h>
#include "harness.h"
#include "yoloq/yolo.h"

static enum yq_status names(const char *s, char ***out, int *n, char *err, size_t cap)
{
    return yq_names_parse(s, strlen(s), out, n, err, cap);
}

static void bad_names(const char *s, const char *want)
{
    char **v = (char **)1;
    int n = 7;
    char err[256] = "";
    enum yq_status st = names(s, &v, &n, err, sizeof err);
    CHECKF(st == YQ_STATUS_BAD_INPUT && v == NULL && n == 0 && strstr(err, want),
           "input <%s>: status %d err <%s>", s, (int)st, err);
}

int main(void)
{
    char err[256] = "";
    char **v = NULL;
    int n = 0;
    CHECK(names("{0: 'person', 1: 'bicycle', 2: \"teddy's bear\", 3: 'a\\'b\\\\c', 4: 'x\\x41'}",
                &v, &n, err, sizeof err) == 0);
    CHECK(n == 5 && strcmp(v[0], "person") == 0 && strcmp(v[1], "bicycle") == 0 &&
          strcmp(v[2], "teddy's bear") == 0 && strcmp(v[3], "a'b\\c") == 0 &&
          strcmp(v[4], "xA") == 0);
    yq_names_free(v, n);
    /* Any key order, whitespace, trailing comma, UTF-8 bytes kept. */
    CHECK(names(" {1:'b' ,\n 0 : 'caf\xc3\xa9',} ", &v, &n, err, sizeof err) == 0);
    CHECK(n == 2 && strcmp(v[0], "caf\xc3\xa9") == 0 && strcmp(v[1], "b") == 0);
    yq_names_free(v, n);
    /* A list works too (some exporters write one). */
    CHECK(names("['cat', \"dog\"]", &v, &n, err, sizeof err) == 0 && n == 2 &&
          strcmp(v[1], "dog") == 0);
    yq_names_free(v, n);
    yq_names_free(NULL, 0);

    bad_names("", "expected '{'");
    bad_names("{0: 'person', 1: 'bicy", "unterminated string");
    bad_names("{0: 'person', 1: \"bicycle'}", "unterminated string");
    bad_names("{0: 'person', 1: 'bicycle'", "expected ',' or '}'");
    bad_names("{0: 'person' 1: 'x'}", "expected ',' or '}'");
    bad_names("{0: person}", "expected a quoted string");
    bad_names("{0 'a'}", "expected ':'");
    bad_names("{-1: 'a'}", "non-negative integer");
    bad_names("{99999999999999: 'a'}", "too large");
    bad_names("{2000000: 'a'}", "exceeds");
    bad_names("{0: 'a', 0: 'b'}", "duplicate class index 0");
    bad_names("{0: 'a', 2: 'c'}", "index 1 missing");
    bad_names("{}", "no classes");
    bad_names("{0: 'a'} extra", "trailing text");
    bad_names("{0: 'a\\q'}", "unsupported escape");
    bad_names("{0: 'a\\x4'}", "bad \\x escape");
    bad_names("{0: 'a\\", "unterminated string");
    bad_names("{0: 'a\nb'}", "control character");
    /* Length is honoured: the text is not NUL-terminated where len ends. */
    CHECK(yq_names_parse("{0: 'a'}XYZ", 8, &v, &n, err, sizeof err) == 0 && n == 1);
    yq_names_free(v, n);
    CHECK(yq_names_parse("{0: 'a'}", 6, &v, &n, err, sizeof err) == YQ_STATUS_BAD_INPUT);
    CHECK(yq_names_parse(NULL, 3, &v, &n, err, sizeof err) == YQ_STATUS_INVALID_ARGUMENT);
    /* Random bytes and random truncations of a valid dict never crash. */
    const char *good = "{0: 'person', 1: \"it's\", 2: 'a\\\\b'}";
    for (size_t len = 0; len < strlen(good); len++) {
        enum yq_status st = yq_names_parse(good, len, &v, &n, err, sizeof err);
        CHECK(st == YQ_STATUS_BAD_INPUT && v == NULL);
    }
    char junk[64];
    int n_ok = 0, n_bad = 0;
    const char alphabet[] = "{}[]:,'\"\\x0123 ab";
    for (int it = 0; it < 2000; it++) {
        size_t len;
        if (it % 2) { /* random bytes of the dict alphabet */
            len = (size_t)yq_test_randint(0, 63);
            for (size_t i = 0; i < len; i++)
                junk[i] = alphabet[yq_test_randint(0, (int)sizeof alphabet - 2)];
        } else { /* the valid dict with 1-2 characters replaced: some stay valid */
            len = strlen(good);
            memcpy(junk, good, len);
            for (int k = yq_test_randint(1, 2); k > 0; k--)
                junk[yq_test_randint(0, (int)len - 1)] =
                    alphabet[yq_test_randint(0, (int)sizeof alphabet - 2)];
        }
        err[0] = '\0';
        enum yq_status st = yq_names_parse(junk, len, &v, &n, err, sizeof err);
        if (st == YQ_STATUS_OK) {
            /* a parse that succeeds gives n strings, none NULL, each within the input */
            bool sane = n >= 0 && (n == 0 || v != NULL);
            for (int i = 0; sane && i < n; i++)
                sane = v[i] != NULL && strlen(v[i]) <= len;
            CHECKF(sane, "junk '%.*s' parsed to %d names", (int)len, junk, n);
            yq_names_free(v, n);
            n_ok++;
        } else {
            /* a refusal is BAD_INPUT with nothing returned and a one-line message */
            CHECKF(st == YQ_STATUS_BAD_INPUT && v == NULL && n == 0 && err[0] &&
                       !strchr(err, '\n'),
                   "junk '%.*s': status %d, names %p, n %d, '%s'", (int)len, junk, (int)st,
                   (void *)v, n, err);
            n_bad++;
        }
    }
    /* the alphabet makes both outcomes common: 2000 tries that all fail (or all pass)
     * would mean the loop no longer exercises the parser */
    CHECKF(n_bad > 100 && n_ok > 0, "%d accepted, %d refused", n_ok, n_bad);

    int vals[4], k = 0;
    CHECK(yq_meta_parse_ints("32", 2, vals, 4, &k, err, sizeof err) == 0 && k == 1 &&
          vals[0] == 32);
    CHECK(yq_meta_parse_ints("[640, 480]", 10, vals, 4, &k, err, sizeof err) == 0 && k == 2 &&
          vals[0] == 640 && vals[1] == 480);
    CHECK(yq_meta_parse_ints(" (8, 16, 32,) ", 14, vals, 4, &k, err, sizeof err) == 0 && k == 3 &&
          vals[2] == 32);
    CHECK(yq_meta_parse_ints("[]", 2, vals, 4, &k, err, sizeof err) == 0 && k == 0);
    CHECK(yq_meta_parse_ints("[1,2,3,4,5]", 11, vals, 4, &k, err, sizeof err) ==
          YQ_STATUS_BAD_INPUT);
    CHECK(yq_meta_parse_ints("[640, 640", 9, vals, 4, &k, err, sizeof err) == YQ_STATUS_BAD_INPUT);
    CHECK(strstr(err, "end of text") != NULL);
    CHECK(yq_meta_parse_ints("abc", 3, vals, 4, &k, err, sizeof err) == YQ_STATUS_BAD_INPUT);
    CHECK(yq_meta_parse_ints("32 1", 4, vals, 4, &k, err, sizeof err) == YQ_STATUS_BAD_INPUT);
    CHECK(yq_meta_parse_ints("99999999999", 11, vals, 4, &k, err, sizeof err) ==
          YQ_STATUS_BAD_INPUT);
    CHECK(yq_meta_parse_ints("", 0, vals, 4, &k, err, sizeof err) == YQ_STATUS_BAD_INPUT);
    return yq_test_finish();
}
