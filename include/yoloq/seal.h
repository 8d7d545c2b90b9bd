/* SPDX-License-Identifier: Apache-2.0 */
/* Encrypted (sealed) .yqm models: XChaCha20-Poly1305 (libsodium's
 * crypto_aead_xchacha20poly1305_ietf) under a 32-byte key, a random nonce per file, the
 * header (magic, version, algorithm, size, nonce, key id) authenticated as additional
 * data. A sealed file loads like a plain one when yq_model_options.key holds the key.
 * Protects the file at rest and in transit; a device holding the key can decrypt it, and
 * the weights are in memory in clear while the model is loaded.
 *
 *     uint8_t key[YQ_KEY_BYTES];  char err[256];
 *     if (yq_key_load_file("model.key", key, err, sizeof err)) die(err);
 *     struct yq_model_options mo;  yq_model_options_init(&mo);
 *     mo.key = key;  mo.key_len = sizeof key;
 *     enum yq_status st = yq_model_load_file("model.yqm", &mo, &m, err, sizeof err);
 *     yq_key_wipe(key, sizeof key);
 *
 * Without libsodium (YQ_WITH_SODIUM=OFF) every call here that needs the cipher returns
 * YQ_STATUS_UNSUPPORTED "built without encryption support". */
#ifndef YOLOQ_SEAL_H
#define YOLOQ_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "yoloq/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

#define YQ_KEY_BYTES 32

/* True when this build can encrypt and decrypt. Any thread. */
YQ_API bool yq_seal_available(void);

/* Fills key with 32 random bytes (libsodium's randombytes). @retval YQ_STATUS_UNSUPPORTED */
YQ_API enum yq_status yq_key_generate(uint8_t key[YQ_KEY_BYTES], char *err, size_t err_cap);
/* Writes key as 64 hex digits and a newline to a new file of mode 0600 (an existing file
 * is never replaced). @retval YQ_STATUS_IO */
YQ_API enum yq_status yq_key_save_file(const char *path, const uint8_t key[YQ_KEY_BYTES],
                                       char *err, size_t err_cap);
/* Reads a key file: exactly 32 raw bytes, or 64 hex digits with optional surrounding
 * whitespace. Messages never show key bytes. Internal buffers are wiped.
 * @retval YQ_STATUS_IO cannot read; YQ_STATUS_INVALID_ARGUMENT not a key file */
YQ_API enum yq_status yq_key_load_file(const char *path, uint8_t key[YQ_KEY_BYTES], char *err,
                                       size_t err_cap);
/* Zeroes a key buffer (sodium_memzero, or a volatile loop without libsodium). */
YQ_API void yq_key_wipe(void *key, size_t n);

/* What a model file is, read from its first bytes, no key needed. *algorithm is a static
 * string ("XChaCha20-Poly1305") or NULL for a plain file.
 * @retval YQ_STATUS_IO cannot read; YQ_STATUS_BAD_MODEL not a .yqm file */
YQ_API enum yq_status yq_model_file_probe(const char *path, bool *encrypted,
                                          const char **algorithm, char *err, size_t err_cap);

/* Writes the model as a sealed .yqm file (atomically: temp file, fsync, rename); the
 * plain bytes exist only in memory and are wiped. Any thread.
 * @retval YQ_STATUS_INVALID_ARGUMENT key_len != 32; YQ_STATUS_IO; YQ_STATUS_UNSUPPORTED */
YQ_API enum yq_status yq_model_save_file_encrypted(const struct yq_model *m, const char *path,
                                                   const uint8_t *key, size_t key_len,
                                                   char *err, size_t err_cap);
/* Seals a plain .yqm file (validated first: it must load) into out, or opens a sealed one
 * back into the identical plain bytes. out is written atomically. Errors as for loading. */
YQ_API enum yq_status yq_model_file_encrypt(const char *in, const char *out, const uint8_t *key,
                                            size_t key_len, char *err, size_t err_cap);
YQ_API enum yq_status yq_model_file_decrypt(const char *in, const char *out, const uint8_t *key,
                                            size_t key_len, char *err, size_t err_cap);

#ifdef __cplusplus
}
#endif
#endif
