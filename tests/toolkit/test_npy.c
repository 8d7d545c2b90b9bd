/* SPDX-License-Identifier: Apache-2.0 */
/* The .npy calibration-sample header reader: valid v1/v2 headers (float32 NCHW and NHWC,
 * uint8 HWC), the refusals (Fortran order, other dtypes, truncation, foreign bytes) and
 * 20000 seeded mutations and truncations of valid headers: never a crash, OK or BAD_INPUT
 * only, a data offset within the bytes, a one-line message naming the file. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "toolkit/toolkit_internal.h"

static size_t make(unsigned char *b, int version, const char *dict)
{
    size_t l = strlen(dict), start = version == 1 ? 10 : 12;
    size_t pad = (64 - (start + l + 1) % 64) % 64, hl = l + pad + 1;
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)version;
    b[7] = 0;
    b[8] = (unsigned char)(hl & 255);
    b[9] = (unsigned char)(hl >> 8);
    if (version != 1) {
        b[10] = b[11] = 0;
    }
    memcpy(b + start, dict, l);
    memset(b + start + l, ' ', pad);
    b[start + hl - 1] = '\n';
    return start + hl;
}

static enum yq_status parse(const unsigned char *b, size_t n, bool *u8, bool *last, size_t *off,
                            char *msg, size_t cap)
{
    struct yq__err e = {msg, cap};
    msg[0] = '\0';
    return yq__npy_header("s.npy", b, n, u8, last, off, &e);
}

int main(void)
{
    unsigned char b[512], m[512];
    char msg[256];
    bool u8, last;
    size_t off;
    size_t n = make(b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 640, 640), }");
    CHECK(parse(b, n + 16, &u8, &last, &off, msg, sizeof msg) == YQ_STATUS_OK);
    CHECK(!u8 && !last && off == n && off % 64 == 0);
    n = make(b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 640, 640, 3), }");
    CHECK(parse(b, n, &u8, &last, &off, msg, sizeof msg) == YQ_STATUS_OK && !u8 && last);
    n = make(b, 2, "{'descr': '|u1', 'fortran_order': False, 'shape': (640, 640, 3), }");
    CHECK(parse(b, n, &u8, &last, &off, msg, sizeof msg) == YQ_STATUS_OK && u8 && last);
    CHECK(off == n);
    n = make(b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 13), }");
    CHECK(parse(b, n, &u8, &last, &off, msg, sizeof msg) == YQ_STATUS_OK && !last);

    static const struct {
        const char *dict, *want;
    } bad[] = {
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }", "float32 or uint8"},
        {"{'descr': '<f4', 'fortran_order': True, 'shape': (1, 3), }", "Fortran"},
        {"{'descr': '<f4', 'fortran_order': False, }", "no shape"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = make(b, 1, bad[i].dict);
        CHECK(parse(b, n, &u8, &last, &off, msg, sizeof msg) == YQ_STATUS_BAD_INPUT);
        CHECKF(strstr(msg, bad[i].want) && strstr(msg, "s.npy") && !strchr(msg, '\n'), "%s",
               msg);
    }
    n = make(b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 640, 640), }");
    CHECK(parse(b, n - 5, &u8, &last, &off, msg, sizeof msg) == YQ_STATUS_BAD_INPUT);
    CHECKF(strstr(msg, "truncated"), "%s", msg);
    CHECK(parse((const unsigned char *)"PK\x03\x04 zip file", 14, &u8, &last, &off, msg,
                sizeof msg) == YQ_STATUS_BAD_INPUT);
    CHECK(parse(b, 3, &u8, &last, &off, msg, sizeof msg) == YQ_STATUS_BAD_INPUT);
    b[6] = 9;
    CHECK(parse(b, n, &u8, &last, &off, msg, sizeof msg) == YQ_STATUS_BAD_INPUT);
    CHECKF(strstr(msg, "version 9"), "%s", msg);

    /* mutations: flipped bytes (header lengths included) and truncations */
    int n_ok = 0, n_bad = 0, n_other = 0;
    for (int it = 0; it < 20000; it++) {
        n = make(b, it % 2 ? 2 : 1,
                 "{'descr': '|u1', 'fortran_order': False, 'shape': (640, 640, 3), }");
        memcpy(m, b, n);
        int flips = yq_test_randint(1, 6);
        for (int k = 0; k < flips; k++)
            m[yq_test_randint(0, (int)n - 1)] = (unsigned char)yq_test_randint(0, 255);
        size_t len = yq_test_randint(0, 3) ? n : (size_t)yq_test_randint(0, (int)n);
        enum yq_status st = parse(m, len, &u8, &last, &off, msg, sizeof msg);
        if (st == YQ_STATUS_OK) {
            n_ok++;
            if (off > len)
                n_other++;
        } else if (st == YQ_STATUS_BAD_INPUT && strstr(msg, "s.npy") && !strchr(msg, '\n')) {
            n_bad++;
        } else {
            n_other++;
        }
    }
    CHECKF(n_other == 0 && n_ok > 0 && n_bad > 0, "ok %d bad %d other %d", n_ok, n_bad, n_other);
    return yq_test_finish();
}
