/* SPDX-License-Identifier: Apache-2.0 */
/* Sealed .yqm files (include/yoloq/seal.h): the plain .yqm bytes encrypted with
 * XChaCha20-Poly1305-IETF behind a 64-byte header that is authenticated as additional data:
 *
 *    0 "YQM1" | u32 version = 1 | u32 flags = 1 (encrypted) | u32 algorithm = 1
 *   16 u64 file_size | u8 nonce[24] (random per file)
 *   48 u8 key_id[16] = keyed BLAKE2b-128 of "yoloq.key-id.v1" under the key
 *   64 ciphertext of the plain .yqm | 16-byte Poly1305 tag                     file_size
 *
 * The key id tells a wrong key from a modified file (both fail the tag), and reveals
 * nothing about the key. libsodium is optional: without it the format is still recognised
 * so the messages say what the file is. */
#include "runtime_internal.h"
#include "yqm.h"
#include "yoloq/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef YQ_HAVE_SODIUM
#include <sodium.h>
#endif

#define SEAL_HEADER 64u
#define SEAL_TAG 16u
#define SEAL_NONCE 24u
#define SEAL_ALG_XCHACHA 1u
#define ALG_NAME "XChaCha20-Poly1305"

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

bool yq__yqm_is_sealed(const void *data, size_t size)
{
    const uint8_t *p = data;
    return data && size >= 12 && !memcmp(p, YQ__YQM_MAGIC, 4) &&
           (get_u32(p + 8) & YQ__YQM_FLAG_ENCRYPTED);
}

bool yq_seal_available(void)
{
#ifdef YQ_HAVE_SODIUM
    return sodium_init() >= 0;
#else
    return false;
#endif
}

void yq_key_wipe(void *key, size_t n)
{
    if (!key)
        return;
#ifdef YQ_HAVE_SODIUM
    sodium_memzero(key, n);
#else
    yq__wipe(key, n);
#endif
}

#ifndef YQ_HAVE_SODIUM
static enum yq_status no_sodium(struct yq__err *e, const char *what)
{
    return yq__errf(e, YQ_STATUS_UNSUPPORTED,
                    "%s: built without encryption support (libsodium; YQ_WITH_SODIUM=OFF)", what);
}
#else
static const char key_id_msg[] = "yoloq.key-id.v1";

static void set_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static enum yq_status sodium_ready(struct yq__err *e, const char *what)
{
    if (sodium_init() < 0)
        return yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: libsodium failed to initialise", what);
    return YQ_STATUS_OK;
}

static void key_id(const uint8_t *key, uint8_t id[16])
{
    crypto_generichash(id, 16, (const unsigned char *)key_id_msg, sizeof key_id_msg - 1, key,
                       YQ_KEY_BYTES);
}
#endif

static enum yq_status check_key(const char *what, const uint8_t *key, size_t key_len,
                                struct yq__err *e)
{
    if (!key)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                        "%s: encrypted (" ALG_NAME ") and no key given", what);
    if (key_len != YQ_KEY_BYTES)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: key must be %d bytes, got %zu", what,
                        YQ_KEY_BYTES, key_len);
    return YQ_STATUS_OK;
}

enum yq_status yq__yqm_seal(const void *plain, size_t n, const uint8_t *key, size_t key_len,
                            const char *what, uint8_t **out, size_t *out_size, struct yq__err *e)
{
    *out = NULL;
    *out_size = 0;
    enum yq_status st = check_key(what, key, key_len, e);
    if (st)
        return st;
#ifndef YQ_HAVE_SODIUM
    (void)plain;
    (void)n;
    return no_sodium(e, what);
#else
    if ((st = sodium_ready(e, what)))
        return st;
    size_t total;
    if (!yq__add_size(n, SEAL_HEADER + SEAL_TAG, &total) || total > YQ__YQM_MAX_SIZE)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: model too large to seal", what);
    uint8_t *b = yq__calloc(1, total);
    if (!b)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory sealing", what);
    memcpy(b, YQ__YQM_MAGIC, 4);
    set_u32(b + 4, YQ__YQM_VERSION);
    set_u32(b + 8, YQ__YQM_FLAG_ENCRYPTED);
    set_u32(b + 12, SEAL_ALG_XCHACHA);
    for (int i = 0; i < 8; i++)
        b[16 + i] = (uint8_t)((uint64_t)total >> (8 * i));
    randombytes_buf(b + 24, SEAL_NONCE);
    key_id(key, b + 48);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(b + SEAL_HEADER, &clen, plain, n, b, SEAL_HEADER,
                                               NULL, b + 24, key);
    *out = b;
    *out_size = total;
    return YQ_STATUS_OK;
#endif
}

enum yq_status yq__yqm_unseal(const void *data, size_t size, const char *what,
                              const uint8_t *key, size_t key_len, uint8_t **plain,
                              size_t *plain_size, struct yq__err *e)
{
    *plain = NULL;
    *plain_size = 0;
    const uint8_t *p = data;
    if (size < SEAL_HEADER)
        return yq__errf(e, YQ_STATUS_BAD_MODEL,
                        "%s: encrypted file truncated (%zu bytes, header needs %u)", what, size,
                        SEAL_HEADER);
    uint32_t version = get_u32(p + 4), flags = get_u32(p + 8), alg = get_u32(p + 12);
    if (version != YQ__YQM_VERSION)
        return yq__errf(e, YQ_STATUS_BAD_MODEL, "%s: encrypted file version %u (this build reads %u)",
                        what, version, YQ__YQM_VERSION);
    if (flags != YQ__YQM_FLAG_ENCRYPTED)
        return yq__errf(e, YQ_STATUS_BAD_MODEL, "%s: encrypted file has unknown flags 0x%x", what,
                        flags);
    if (alg != SEAL_ALG_XCHACHA)
        return yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: unknown encryption algorithm %u", what, alg);
    uint64_t total = get_u64(p + 16);
    if (total < SEAL_HEADER + SEAL_TAG || total > YQ__YQM_MAX_SIZE)
        return yq__errf(e, YQ_STATUS_BAD_MODEL, "%s: encrypted file: bad size field %llu", what,
                        (unsigned long long)total);
    if (size < total)
        return yq__errf(e, YQ_STATUS_BAD_MODEL, "%s: encrypted file truncated (%zu of %llu bytes)",
                        what, size, (unsigned long long)total);
    if (size > total)
        return yq__errf(e, YQ_STATUS_BAD_MODEL,
                        "%s: encrypted file has %zu bytes after its end (%llu bytes)", what,
                        size - (size_t)total, (unsigned long long)total);
#ifndef YQ_HAVE_SODIUM
    (void)key;
    (void)key_len;
    return no_sodium(e, what);
#else
    enum yq_status st = check_key(what, key, key_len, e);
    if (st || (st = sodium_ready(e, what)))
        return st;
    uint8_t id[16];
    key_id(key, id);
    bool same = sodium_memcmp(id, p + 48, sizeof id) == 0;
    sodium_memzero(id, sizeof id);
    if (!same)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                        "%s: wrong key (the file was sealed with a different key)", what);
    size_t n = (size_t)total - SEAL_HEADER - SEAL_TAG;
    uint8_t *out = yq__malloc(n ? n : 1);
    if (!out)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory decrypting %zu bytes",
                        what, n);
    unsigned long long mlen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, p + SEAL_HEADER,
                                                   (size_t)total - SEAL_HEADER, p, SEAL_HEADER,
                                                   p + 24, key) != 0) {
        yq__free(out);
        return yq__errf(e, YQ_STATUS_BAD_MODEL,
                        "%s: authentication failed: the encrypted file was modified or corrupted",
                        what);
    }
    *plain = out;
    *plain_size = n;
    return YQ_STATUS_OK;
#endif
}

static void free_wiped(uint8_t *p, size_t n)
{
    if (p)
        yq_key_wipe(p, n);
    yq__free(p);
}

enum yq_status yq__yqm_load_any(const void *data, size_t size, const char *name,
                                const struct yq_model_options *o, struct yq__graph **g,
                                struct yq__err *e)
{
    if (!yq__yqm_is_sealed(data, size))
        return yq__yqm_read_graph(data, size, name, g, e);
    uint8_t *plain;
    size_t n;
    enum yq_status st = yq__yqm_unseal(data, size, name ? name : "model", o ? o->key : NULL,
                                       o ? o->key_len : 0, &plain, &n, e);
    if (st) {
        *g = NULL;
        return st;
    }
    st = yq__yqm_read_graph(plain, n, name, g, e);
    free_wiped(plain, n);
    return st;
}

enum yq_status yq_key_generate(uint8_t key[YQ_KEY_BYTES], char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!key)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "keygen: NULL key");
#ifdef YQ_HAVE_SODIUM
    enum yq_status st = sodium_ready(&e, "keygen");
    if (st)
        return st;
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    return YQ_STATUS_OK;
#else
    return no_sodium(&e, "keygen");
#endif
}

enum yq_status yq_key_save_file(const char *path, const uint8_t key[YQ_KEY_BYTES], char *err,
                                size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!path || !key)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "key file: NULL argument");
    char hex[2 * YQ_KEY_BYTES + 1];
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < YQ_KEY_BYTES; i++) {
        hex[2 * i] = digits[key[i] >> 4];
        hex[2 * i + 1] = digits[key[i] & 15];
    }
    hex[2 * YQ_KEY_BYTES] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        int er = errno;
        yq_key_wipe(hex, sizeof hex);
        return yq__errf(&e, YQ_STATUS_IO, "%s: cannot create (%s)", path, strerror(er));
    }
    ssize_t w = write(fd, hex, sizeof hex);
    int er = w == (ssize_t)sizeof hex ? 0 : (w < 0 ? errno : EIO);
    yq_key_wipe(hex, sizeof hex);
    if (!er && fsync(fd) != 0)
        er = errno;
    if (close(fd) != 0 && !er)
        er = errno;
    if (er) {
        unlink(path);
        return yq__errf(&e, YQ_STATUS_IO, "%s: write failed (%s)", path, strerror(er));
    }
    return YQ_STATUS_OK;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

enum yq_status yq_key_load_file(const char *path, uint8_t key[YQ_KEY_BYTES], char *err,
                                size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!path || !key)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "key file: NULL argument");
    /* read at most 4 KiB by hand: no key bytes in buffers we cannot wipe */
    FILE *f = fopen(path, "rb");
    if (!f)
        return yq__errf(&e, YQ_STATUS_IO, "%s: cannot open key file (%s)", path, strerror(errno));
    uint8_t buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    bool rerr = ferror(f) != 0;
    bool more = n == sizeof buf && fgetc(f) != EOF;
    fclose(f);
    enum yq_status st = YQ_STATUS_OK;
    if (rerr) {
        st = yq__errf(&e, YQ_STATUS_IO, "%s: cannot read key file", path);
    } else if (n == YQ_KEY_BYTES) {
        memcpy(key, buf, YQ_KEY_BYTES);
    } else if (more) {
        st = yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                      "%s: not a key file (a key is 32 raw bytes or 64 hex digits)", path);
    } else {
        size_t a = 0, b = n;
        while (a < b && is_space(buf[a]))
            a++;
        while (b > a && is_space(buf[b - 1]))
            b--;
        bool ok = b - a == 2 * YQ_KEY_BYTES;
        for (size_t i = 0; ok && i < YQ_KEY_BYTES; i++) {
            int hi = hexval(buf[a + 2 * i]), lo = hexval(buf[a + 2 * i + 1]);
            ok = hi >= 0 && lo >= 0;
            if (ok)
                key[i] = (uint8_t)(hi << 4 | lo);
        }
        if (!ok) {
            yq_key_wipe(key, YQ_KEY_BYTES);
            st = yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT,
                          "%s: not a key file (%zu bytes; a key is 32 raw bytes or 64 hex "
                          "digits)",
                          path, n);
        }
    }
    yq_key_wipe(buf, sizeof buf);
    return st;
}

enum yq_status yq_model_file_probe(const char *path, bool *encrypted, const char **algorithm,
                                   char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!path || !encrypted || !algorithm)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "probe: NULL argument");
    *encrypted = false;
    *algorithm = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return yq__errf(&e, YQ_STATUS_IO, "%s: cannot open (%s)", path, strerror(errno));
    uint8_t h[16];
    size_t n = fread(h, 1, sizeof h, f);
    fclose(f);
    if (n < 4 || memcmp(h, YQ__YQM_MAGIC, 4))
        return yq__errf(&e, YQ_STATUS_BAD_MODEL, "%s: not a .yqm file", path);
    if (!yq__yqm_is_sealed(h, n))
        return YQ_STATUS_OK;
    *encrypted = true;
    *algorithm = n >= 16 && get_u32(h + 12) == SEAL_ALG_XCHACHA ? ALG_NAME : "unknown";
    return YQ_STATUS_OK;
}

enum yq_status yq_model_save_file_encrypted(const struct yq_model *m, const char *path,
                                            const uint8_t *key, size_t key_len, char *err,
                                            size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!m || !path)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "save: NULL model or path");
    enum yq_status st = check_key(path, key, key_len, &e);
    if (st)
        return st;
    void *plain;
    size_t n;
    if ((st = yq__yqm_write_memory(m->g, &plain, &n, &e)))
        return st;
    uint8_t *sealed;
    size_t sn;
    st = yq__yqm_seal(plain, n, key, key_len, path, &sealed, &sn, &e);
    free_wiped(plain, n);
    if (st)
        return st;
    st = yq__atomic_write(path, sealed, sn, &e);
    yq__free(sealed);
    return st;
}

/* encrypt (seal = true) or decrypt one file into another */
static enum yq_status convert_file(const char *in, const char *out, const uint8_t *key,
                                   size_t key_len, bool seal, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!in || !out)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "NULL input or output path");
    enum yq_status st = check_key(seal ? out : in, key, key_len, &e);
    if (st)
        return st;
    char *data;
    size_t size;
    if ((st = yq__read_file(in, &data, &size, &e)))
        return st;
    bool sealed = yq__yqm_is_sealed(data, size);
    uint8_t *plain = NULL, *res = NULL;
    size_t pn = 0, rn = 0;
    struct yq__graph *g = NULL;
    if (seal && sealed) {
        st = yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "%s: already encrypted", in);
    } else if (!seal && !sealed) {
        st = yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "%s: not an encrypted .yqm file", in);
    } else if (seal) {
        /* refuse to seal something that would not load */
        st = yq__yqm_read_graph(data, size, in, &g, &e);
        if (!st)
            st = yq__yqm_seal(data, size, key, key_len, in, &res, &rn, &e);
        if (!st)
            st = yq__atomic_write(out, res, rn, &e);
    } else {
        st = yq__yqm_unseal(data, size, in, key, key_len, &plain, &pn, &e);
        if (!st)
            st = yq__yqm_read_graph(plain, pn, in, &g, &e);
        if (!st)
            st = yq__atomic_write(out, plain, pn, &e);
    }
    yq__graph_free(g);
    free_wiped(plain, pn);
    yq__free(res);
    yq_key_wipe(data, size);
    yq__free(data);
    return st;
}

enum yq_status yq_model_file_encrypt(const char *in, const char *out, const uint8_t *key,
                                     size_t key_len, char *err, size_t err_cap)
{
    return convert_file(in, out, key, key_len, true, err, err_cap);
}

enum yq_status yq_model_file_decrypt(const char *in, const char *out, const uint8_t *key,
                                     size_t key_len, char *err, size_t err_cap)
{
    return convert_file(in, out, key, key_len, false, err, err_cap);
}
