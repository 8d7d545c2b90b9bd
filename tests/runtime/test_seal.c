/* SPDX-License-Identifier: Apache-2.0 */
/* Sealed .yqm files: round trip through the public API (the bundled int8 yolov5n loads
 * from sealed bytes and computes the same output as from plain ones), and each failure a
 * distinct one-line message: no key, wrong key, wrong key length, every single-byte change
 * of a small sealed model, every truncation, trailing bytes; key files (raw / hex /
 * whitespace / junk); no key byte in any message; without libsodium, a clear refusal. */
#include "harness.h"
#include "core/core.h"
#include "runtime/yqm.h"
#include "yoloq/seal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char err[512];
static struct yq__err E = {err, sizeof err};

static bool one_line(void)
{
    return err[0] && !strchr(err, '\n');
}

static bool contains(const uint8_t *h, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(h + i, needle, k))
            return true;
    return false;
}

static struct yq__graph *tiny_graph(void)
{
    struct yq__graph *g;
    if (yq__graph_create("tiny.onnx", &g)) return NULL;
    g->opset = 13;
    struct yq__shape s = {2, {1, 3}};
    int in = yq__graph_add_tensor(g, "x", YQ__DTYPE_F32, &s);
    float *c = yq__aligned_alloc(3 * sizeof(float));
    c[0] = 1.0f, c[1] = -2.0f, c[2] = 0.5f;
    int k = yq__graph_add_const(g, "c", YQ__DTYPE_F32, &s, c, 3 * sizeof(float));
    int out = yq__graph_add_tensor(g, "y", YQ__DTYPE_F32, &s);
    yq__graph_add_node(g, "/add", YQ__OP_ADD, 2, (const int[]){in, k}, 1, (const int[]){out});
    g->inputs = yq__malloc(sizeof(int));
    g->inputs[0] = in;
    g->n_inputs = 1;
    g->outputs = yq__malloc(sizeof(int));
    g->outputs[0] = out;
    g->n_outputs = 1;
    yq__graph_set_meta(g, "yq.custom_string", "secret weights");
    return g;
}

/* key bytes never appear in a message, as hex or raw */
static bool leaks(const uint8_t key[32])
{
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", key[i]);
    for (int i = 0; i + 8 <= 64; i += 2) /* any 4 consecutive key bytes in hex */
        if (strstr(err, (char[9]){hex[i], hex[i + 1], hex[i + 2], hex[i + 3], hex[i + 4],
                                  hex[i + 5], hex[i + 6], hex[i + 7], 0}))
            return true;
    size_t n = strlen(err);
    for (size_t i = 0; i + 4 <= n; i++)
        for (int j = 0; j + 4 <= 32; j++)
            if (!memcmp(err + i, key + j, 4))
                return true;
    return false;
}

static void test_tiny(const uint8_t key[32], const uint8_t other[32])
{
    struct yq__graph *g = tiny_graph();
    void *plain;
    size_t pn;
    CHECKF(g && yq__yqm_write_memory(g, &plain, &pn, &E) == YQ_STATUS_OK, "%s", err);
    yq__graph_free(g);
    uint8_t *s;
    size_t sn;
    CHECKF(yq__yqm_seal(plain, pn, key, 32, "t.yqm", &s, &sn, &E) == YQ_STATUS_OK, "%s", err);
    CHECK(sn == pn + 80 && yq__yqm_is_sealed(s, sn));
    /* the plain bytes, the custom string among them, are not visible in the sealed file */
    CHECK(contains(plain, pn, "secret weights") && !contains(s, sn, "secret weights") &&
          !contains(s, sn, "/add"));
    /* a second seal uses a fresh nonce */
    uint8_t *s2;
    size_t sn2;
    CHECK(yq__yqm_seal(plain, pn, key, 32, "t.yqm", &s2, &sn2, &E) == YQ_STATUS_OK);
    CHECK(sn2 == sn && memcmp(s + 24, s2 + 24, 24) && memcmp(s + 64, s2 + 64, sn - 64));
    yq__free(s2);

    struct yq_model_options mo;
    yq_model_options_init(&mo);
    mo.key = key;
    mo.key_len = 32;
    struct yq__graph *r = NULL;
    CHECKF(yq__yqm_load_any(s, sn, "t.yqm", &mo, &r, &E) == YQ_STATUS_OK, "%s", err);
    CHECK(r && r->n_nodes == 1 && !strcmp(yq__graph_meta(r, "yq.custom_string"), "secret weights"));
    yq__graph_free(r);
    uint8_t *back;
    size_t bn;
    CHECK(yq__yqm_unseal(s, sn, "t.yqm", key, 32, &back, &bn, &E) == YQ_STATUS_OK && bn == pn &&
          !memcmp(back, plain, pn));
    yq__free(back);

    /* no key / wrong key / wrong length: distinct, one line, naming the file */
    CHECK(yq__yqm_load_any(s, sn, "t.yqm", NULL, &r, &E) == YQ_STATUS_INVALID_ARGUMENT && !r);
    CHECKF(one_line() && !strcmp(err, "t.yqm: encrypted (XChaCha20-Poly1305) and no key given"),
           "%s", err);
    mo.key = other;
    CHECK(yq__yqm_load_any(s, sn, "t.yqm", &mo, &r, &E) == YQ_STATUS_INVALID_ARGUMENT && !r);
    CHECKF(one_line() && strstr(err, "t.yqm: wrong key"), "%s", err);
    CHECK(!leaks(key) && !leaks(other));
    mo.key = key;
    mo.key_len = 16;
    CHECK(yq__yqm_load_any(s, sn, "t.yqm", &mo, &r, &E) == YQ_STATUS_INVALID_ARGUMENT);
    CHECKF(strstr(err, "key must be 32 bytes, got 16"), "%s", err);
    mo.key_len = 32;

    /* every single-byte change (xor 0x01 and xor 0xff) is refused with a message; inside
     * the ciphertext and tag, always as a modification */
    uint8_t *c = malloc(sn);
    int accepted = 0, wrong_kind = 0, no_msg = 0;
    for (size_t at = 0; at < sn; at++)
        for (int v = 0; v < 2; v++) {
            memcpy(c, s, sn);
            c[at] ^= v ? 0xff : 0x01;
            err[0] = 0;
            enum yq_status st = yq__yqm_load_any(c, sn, "t.yqm", &mo, &r, &E);
            if (st == YQ_STATUS_OK) {
                accepted++;
                yq__graph_free(r);
                continue;
            }
            if (!one_line() || leaks(key))
                no_msg++;
            if (at >= 64 && !strstr(err, "authentication failed: the encrypted file was modified"))
                wrong_kind++;
            if (at >= 48 && at < 64 && !strstr(err, "wrong key"))
                wrong_kind++;
        }
    CHECKF(accepted == 0, "%d single-byte changes accepted", accepted);
    CHECKF(wrong_kind == 0 && no_msg == 0, "%d wrong messages, %d bad lines", wrong_kind, no_msg);

    /* every truncation, and trailing bytes */
    int trunc_bad = 0;
    for (size_t n = 0; n < sn; n++) {
        err[0] = 0;
        enum yq_status st = yq__yqm_load_any(s, n, "t.yqm", &mo, &r, &E);
        if (st != YQ_STATUS_BAD_MODEL || r || !one_line())
            trunc_bad++;
        else if (n >= 64 && !strstr(err, "encrypted file truncated ("))
            trunc_bad++;
    }
    CHECKF(trunc_bad == 0, "%d truncations not refused as such", trunc_bad);
    uint8_t *longer = malloc(sn + 1);
    memcpy(longer, s, sn);
    longer[sn] = 0;
    CHECK(yq__yqm_load_any(longer, sn + 1, "t.yqm", &mo, &r, &E) == YQ_STATUS_BAD_MODEL);
    CHECKF(strstr(err, "1 bytes after its end"), "%s", err);
    free(longer);
    free(c);
    yq__free(s);
    yq__free(plain);
}

static void test_key_files(const uint8_t key[32])
{
    char dir[] = "/tmp/yq_seal_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char p[256];
    snprintf(p, sizeof p, "%s/k", dir);
    uint8_t got[32];
    /* hex as keygen writes it */
    CHECKF(yq_key_save_file(p, key, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    CHECK(yq_key_load_file(p, got, err, sizeof err) == YQ_STATUS_OK && !memcmp(got, key, 32));
    CHECK(yq_key_save_file(p, key, err, sizeof err) == YQ_STATUS_IO); /* never replaced */
    unlink(p);
    static const struct {
        const char *prefix, *suffix;
        bool upper, ok;
    } hexes[] = {{"", "", false, true},     {"  \n", "\r\n\t ", true, true},
                 {"", "0", false, false},   {"x", "", false, false},
                 {"", "\n\n00", false, false}};
    for (size_t i = 0; i < YQ_COUNTOF(hexes); i++) {
        FILE *f = fopen(p, "wb");
        fputs(hexes[i].prefix, f);
        for (int j = 0; j < 32; j++)
            fprintf(f, hexes[i].upper ? "%02X" : "%02x", key[j]);
        fputs(hexes[i].suffix, f);
        fclose(f);
        memset(got, 0, 32);
        enum yq_status st = yq_key_load_file(p, got, err, sizeof err);
        if (hexes[i].ok) {
            CHECKF(st == YQ_STATUS_OK && !memcmp(got, key, 32), "hex case %zu", i);
        } else {
            CHECKF(st == YQ_STATUS_INVALID_ARGUMENT && strstr(err, "not a key file") &&
                       one_line() && !leaks(key),
                   "hex case %zu: %s", i, err);
        }
    }
    /* raw 32 bytes; 31 and 33 are refused */
    for (int n = 31; n <= 33; n++) {
        FILE *f = fopen(p, "wb");
        fwrite(key, 1, 32, f);
        if (n == 33) fputc('\n', f);
        fclose(f);
        if (n == 31) truncate(p, 31);
        enum yq_status st = yq_key_load_file(p, got, err, sizeof err);
        if (n == 32)
            CHECK(st == YQ_STATUS_OK && !memcmp(got, key, 32));
        else
            CHECKF(st == YQ_STATUS_INVALID_ARGUMENT && !leaks(key), "raw %d: %s", n, err);
    }
    unlink(p);
    CHECK(yq_key_load_file(p, got, err, sizeof err) == YQ_STATUS_IO && strstr(err, "cannot open"));
    rmdir(dir);
}

/* the public path: the bundled int8 model, sealed by file, loads and runs as the plain one */
static void test_model(const uint8_t key[32], const uint8_t other[32])
{
    char in[512];
    yq_test_data(in, sizeof in, "yolov5n-int8.yqm");
    char dir[] = "/tmp/yq_seal_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char enc[256], dec[256];
    snprintf(enc, sizeof enc, "%s/e.yqm", dir);
    snprintf(dec, sizeof dec, "%s/d.yqm", dir);
    CHECKF(yq_model_file_encrypt(in, enc, key, 32, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    bool e1 = false;
    const char *alg = NULL;
    CHECK(yq_model_file_probe(enc, &e1, &alg, err, sizeof err) == YQ_STATUS_OK && e1 &&
          !strcmp(alg, "XChaCha20-Poly1305"));
    CHECK(yq_model_file_probe(in, &e1, &alg, err, sizeof err) == YQ_STATUS_OK && !e1 && !alg);
    CHECK(yq_model_file_encrypt(enc, dec, key, 32, err, sizeof err) == YQ_STATUS_INVALID_ARGUMENT &&
          strstr(err, "already encrypted"));
    CHECK(yq_model_file_decrypt(enc, dec, other, 32, err, sizeof err) ==
              YQ_STATUS_INVALID_ARGUMENT && strstr(err, "wrong key") && access(dec, F_OK) != 0);
    CHECKF(yq_model_file_decrypt(enc, dec, key, 32, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    size_t na, nb;
    void *a = yq_test_read_file(in, &na), *b = yq_test_read_file(dec, &nb);
    CHECK(a && b && na == nb && !memcmp(a, b, na));
    free(b);

    struct yq_model_options mo;
    yq_model_options_init(&mo);
    mo.key = key;
    mo.key_len = 32;
    struct yq_model *pm = NULL, *sm = NULL;
    CHECKF(yq_model_load_memory(a, na, "p.yqm", NULL, &pm, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    CHECKF(yq_model_load_file(enc, &mo, &sm, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    struct yq_model *nk = NULL;
    CHECK(yq_model_load_file(enc, NULL, &nk, err, sizeof err) == YQ_STATUS_INVALID_ARGUMENT &&
          !nk && strstr(err, "no key given"));
    if (pm && sm) {
        struct yq_session *ps = NULL, *ss = NULL;
        CHECK(yq_session_create(pm, NULL, &ps, err, sizeof err) == YQ_STATUS_OK);
        CHECK(yq_session_create(sm, NULL, &ss, err, sizeof err) == YQ_STATUS_OK);
        uint8_t *img = malloc(640 * 640 * 3);
        for (size_t i = 0; i < 640 * 640 * 3; i++)
            img[i] = (uint8_t)yq_test_rand();
        const float *o1 = NULL, *o2 = NULL;
        struct yq_tensor_info t1, t2;
        if (ps && ss) {
            CHECK(!yq_session_set_input(ps, 0, img, 640 * 640 * 3, YQ_DTYPE_U8, YQ_LAYOUT_NHWC) &&
                  !yq_session_run(ps) && !yq_session_output_float(ps, 0, &o1, &t1));
            CHECK(!yq_session_set_input(ss, 0, img, 640 * 640 * 3, YQ_DTYPE_U8, YQ_LAYOUT_NHWC) &&
                  !yq_session_run(ss) && !yq_session_output_float(ss, 0, &o2, &t2));
            CHECK(o1 && o2 && t1.size_bytes == t2.size_bytes &&
                  !memcmp(o1, o2, t1.size_bytes));
        }
        free(img);
        yq_session_free(ps);
        yq_session_free(ss);
    }
    yq_model_free(pm);
    yq_model_free(sm);
    pm = NULL;

    /* the sealed save from a model: loads with the key; a failed save leaves an older file */
    struct yq_model *m2 = NULL;
    if (!yq_model_load_memory(a, na, "p.yqm", NULL, &pm, err, sizeof err)) {
        CHECKF(yq_model_save_file_encrypted(pm, dec, key, 32, err, sizeof err) == YQ_STATUS_OK,
               "%s", err);
        CHECKF(yq_model_load_file(dec, &mo, &m2, err, sizeof err) == YQ_STATUS_OK, "%s", err);
        yq_model_free(m2);
        CHECK(yq_model_save_file_encrypted(pm, dec, key, 31, err, sizeof err) ==
              YQ_STATUS_INVALID_ARGUMENT);
        yq_model_free(pm);
    }
    free(a);
    unlink(enc);
    unlink(dec);
    CHECK(rmdir(dir) == 0); /* no temporary file left */
}

int main(void)
{
    uint8_t key[32], other[32];
    if (!yq_seal_available()) {
        /* a build without libsodium says so for a sealed file */
        for (int i = 0; i < 32; i++)
            key[i] = (uint8_t)i;
        static const uint8_t hdr[80] = {'Y', 'Q', 'M', '1', 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 80};
        struct yq_model_options mo;
        yq_model_options_init(&mo);
        mo.key = key;
        mo.key_len = 32;
        struct yq__graph *r = NULL;
        CHECK(yq__yqm_load_any(hdr, sizeof hdr, "t.yqm", &mo, &r, &E) == YQ_STATUS_UNSUPPORTED);
        CHECKF(strstr(err, "built without encryption support"), "%s", err);
        CHECK(yq_key_generate(key, err, sizeof err) == YQ_STATUS_UNSUPPORTED);
        return yq_test_finish();
    }
    CHECK(yq_key_generate(key, err, sizeof err) == YQ_STATUS_OK);
    CHECK(yq_key_generate(other, err, sizeof err) == YQ_STATUS_OK);
    CHECK(memcmp(key, other, 32) != 0);
    test_tiny(key, other);
    test_key_files(key);
    test_model(key, other);
    uint8_t w[32];
    memset(w, 0xab, sizeof w);
    yq_key_wipe(w, sizeof w);
    CHECK(w[0] == 0 && w[31] == 0);
    return yq_test_finish();
}
