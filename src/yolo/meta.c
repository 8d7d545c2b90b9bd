/* SPDX-License-Identifier: Apache-2.0 */
/* Parsers for the metadata strings YOLO exporters write into ONNX files: `names` (a Python
 * dict or list literal), `stride` and `imgsz` (an int or a list of ints), and the COCO
 * 80-to-91 category map. The text is untrusted: every read is bounds-checked against len. */
#include "yoloq/yolo.h"

#include <limits.h>
#include <string.h>
#include "core/core.h"

struct cursor {
    const char *s;
    size_t len, pos;
    struct yq__err *e;
};

static void skip_ws(struct cursor *c)
{
    while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' ||
                               c->s[c->pos] == '\n' || c->s[c->pos] == '\r'))
        c->pos++;
}

static int peek(struct cursor *c)
{
    skip_ws(c);
    return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

static enum yq_status fail(struct cursor *c, const char *what)
{
    if (c->pos < c->len)
        return yq__errf(c->e, YQ_STATUS_BAD_INPUT, "%s at byte %zu ('%c')", what, c->pos,
                        c->s[c->pos] >= 32 && c->s[c->pos] < 127 ? c->s[c->pos] : '?');
    return yq__errf(c->e, YQ_STATUS_BAD_INPUT, "%s at byte %zu (end of text)", what, c->pos);
}

static enum yq_status parse_int(struct cursor *c, int *out)
{
    if (peek(c) < '0' || peek(c) > '9') return fail(c, "expected a non-negative integer");
    long long v = 0;
    while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
        v = v * 10 + (c->s[c->pos] - '0');
        if (v > INT_MAX) return fail(c, "integer too large");
        c->pos++;
    }
    *out = (int)v;
    return YQ_STATUS_OK;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* A Python string literal in ' or " quotes; the decoded bytes go to a new string. */
static enum yq_status parse_str(struct cursor *c, char **out)
{
    int q = peek(c);
    if (q != '\'' && q != '"') return fail(c, "expected a quoted string");
    size_t start = ++c->pos;
    /* Decoded text is never longer than the literal. */
    size_t end = start;
    while (end < c->len && c->s[end] != q) {
        if (c->s[end] == '\\') end++;
        end++;
    }
    if (end >= c->len) {
        c->pos = c->len;
        return fail(c, "unterminated string");
    }
    char *d = yq__malloc(end - start + 1);
    if (!d)
        return yq__errf(c->e, YQ_STATUS_OUT_OF_MEMORY, "out of memory for a %zu-byte name",
                        end - start);
    size_t k = 0;
    while (c->pos < end) {
        char ch = c->s[c->pos++];
        if (ch != '\\') {
            if (ch == '\n' || ch == '\0') {
                yq__free(d);
                c->pos--;
                return fail(c, "control character in string");
            }
            d[k++] = ch;
            continue;
        }
        char x = c->s[c->pos++]; /* pos < end holds: the scan above paired every backslash */
        switch (x) {
        case '\\':
            d[k++] = '\\';
            break;
        case '\'':
            d[k++] = '\'';
            break;
        case '"':
            d[k++] = '"';
            break;
        case 'n':
            d[k++] = '\n';
            break;
        case 'r':
            d[k++] = '\r';
            break;
        case 't':
            d[k++] = '\t';
            break;
        case 'x': {
            int h1 = c->pos + 1 < end ? hexval(c->s[c->pos]) : -1;
            int h2 = c->pos + 1 < end ? hexval(c->s[c->pos + 1]) : -1;
            if (h1 < 0 || h2 < 0 || (h1 == 0 && h2 == 0)) {
                yq__free(d);
                return fail(c, "bad \\x escape");
            }
            d[k++] = (char)(h1 * 16 + h2);
            c->pos += 2;
            break;
        }
        default:
            yq__free(d);
            c->pos--;
            return fail(c, "unsupported escape");
        }
    }
    c->pos = end + 1;
    d[k] = '\0';
    *out = d;
    return YQ_STATUS_OK;
}

void yq_names_free(char **names, int n)
{
    if (!names) return;
    for (int i = 0; i < n; i++)
        yq__free(names[i]);
    yq__free(names);
}

/* Grows the name table to hold index `idx`. */
static enum yq_status grow(char ***names, int *cap, int idx, struct yq__err *e)
{
    if (idx < *cap) return YQ_STATUS_OK;
    int nc = *cap ? *cap : 16;
    while (nc <= idx)
        nc = nc > YQ_NAMES_MAX / 2 ? YQ_NAMES_MAX : nc * 2;
    char **p = yq__realloc(*names, sizeof(char *) * (size_t)nc);
    if (!p) return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "out of memory for %d names", nc);
    memset(p + *cap, 0, sizeof(char *) * (size_t)(nc - *cap));
    *names = p;
    *cap = nc;
    return YQ_STATUS_OK;
}

enum yq_status yq_names_parse(const char *text, size_t len, char ***names_out, int *n_out,
                              char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!names_out || !n_out || (!text && len))
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "names: NULL argument");
    *names_out = NULL;
    *n_out = 0;
    struct cursor c = {text, len, 0, &e};
    char **names = NULL;
    int cap = 0, count = 0, max_idx = -1;
    enum yq_status st = YQ_STATUS_OK;
    int open = peek(&c);
    if (open != '{' && open != '[') {
        st = fail(&c, "names: expected '{' or '['");
        goto fail;
    }
    bool dict = open == '{';
    int close = dict ? '}' : ']';
    c.pos++;
    if (peek(&c) == close) {
        c.pos++;
    } else {
        for (;;) {
            int idx = count;
            if (dict) {
                if ((st = parse_int(&c, &idx))) goto fail;
                if (idx >= YQ_NAMES_MAX) {
                    st = yq__errf(&e, YQ_STATUS_BAD_INPUT,
                                  "names: class index %d at byte %zu exceeds %d", idx, c.pos,
                                  YQ_NAMES_MAX - 1);
                    goto fail;
                }
                if (peek(&c) != ':') {
                    st = fail(&c, "names: expected ':'");
                    goto fail;
                }
                c.pos++;
            } else if (idx >= YQ_NAMES_MAX) {
                st = fail(&c, "names: too many names");
                goto fail;
            }
            if ((st = grow(&names, &cap, idx, &e))) goto fail;
            if (names[idx]) {
                st = yq__errf(&e, YQ_STATUS_BAD_INPUT, "names: duplicate class index %d", idx);
                goto fail;
            }
            if ((st = parse_str(&c, &names[idx]))) goto fail;
            count++;
            max_idx = YQ_MAX(max_idx, idx);
            int ch = peek(&c);
            if (ch == ',') {
                c.pos++;
                if (peek(&c) == close) { /* Python allows a trailing comma */
                    c.pos++;
                    break;
                }
                continue;
            }
            if (ch == close) {
                c.pos++;
                break;
            }
            st = fail(&c, dict ? "names: expected ',' or '}'" : "names: expected ',' or ']'");
            goto fail;
        }
    }
    if (peek(&c) != -1) {
        st = fail(&c, "names: trailing text");
        goto fail;
    }
    if (count == 0) {
        st = yq__errf(&e, YQ_STATUS_BAD_INPUT, "names: no classes");
        goto fail;
    }
    if (max_idx + 1 != count) {
        for (int i = 0; i <= max_idx; i++)
            if (!names[i]) {
                st = yq__errf(&e, YQ_STATUS_BAD_INPUT,
                              "names: class index %d missing (indices must cover 0..%d)", i,
                              max_idx);
                goto fail;
            }
    }
    *names_out = names;
    *n_out = count;
    return YQ_STATUS_OK;
fail:
    yq_names_free(names, cap);
    return st;
}

enum yq_status yq_meta_parse_ints(const char *text, size_t len, int *vals, int cap, int *n,
                                  char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!n || (!text && len) || (!vals && cap > 0) || cap < 0)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "ints: NULL argument");
    *n = 0;
    struct cursor c = {text, len, 0, &e};
    int open = peek(&c), close = -1;
    if (open == '[' || open == '(') {
        close = open == '[' ? ']' : ')';
        c.pos++;
    }
    int count = 0;
    enum yq_status st;
    if (close < 0 || peek(&c) != close) {
        for (;;) {
            int v;
            if ((st = parse_int(&c, &v))) return st;
            if (count >= cap)
                return yq__errf(&e, YQ_STATUS_BAD_INPUT, "ints: more than %d values", cap);
            vals[count++] = v;
            if (close < 0) break;
            int ch = peek(&c);
            if (ch == ',') {
                c.pos++;
                if (peek(&c) == close) break;
                continue;
            }
            if (ch == close) break;
            return fail(&c, "ints: expected ',' or closing bracket");
        }
    }
    if (close >= 0) c.pos++;
    if (peek(&c) != -1) return fail(&c, "ints: trailing text");
    *n = count;
    return YQ_STATUS_OK;
}

int yq_coco80_to_91(int class_id)
{
    static const unsigned char map[80] = {
        1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21,
        22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
        46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65,
        67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90};
    return class_id >= 0 && class_id < 80 ? map[class_id] : -1;
}
