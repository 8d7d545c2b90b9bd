/* SPDX-License-Identifier: Apache-2.0 */
/* The key of an encrypted model on the command line: `--key KEYFILE` or the environment
 * variable YOLOQ_KEY_FILE naming the key file (never the key itself, which would show in
 * `ps` and shell history). Keys live in stack buffers and are wiped after use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "yoloq/seal.h"
#include "yoloq/toolkit.h"

int yq_cli_key(const char *cmd, const char *key_file, uint8_t key[YQ_KEY_BYTES], bool *have)
{
    *have = false;
    if (!key_file || !*key_file) {
        key_file = getenv("YOLOQ_KEY_FILE");
        if (!key_file || !*key_file)
            return 0;
    }
    char err[512];
    if (yq_key_load_file(key_file, key, err, sizeof err)) {
        fprintf(stderr, "yoloq %s: %s\n", cmd, err);
        return 1;
    }
    *have = true;
    return 0;
}

int yq_cli_model_open(const char *cmd, const char *path, struct yq_import_options *io,
                      const char *key_file, struct yq_model **m)
{
    *m = NULL;
    struct yq_import_options def;
    if (!io) {
        yq_import_options_init(&def);
        io = &def;
    }
    uint8_t key[YQ_KEY_BYTES];
    bool have;
    if (yq_cli_key(cmd, key_file, key, &have))
        return 1;
    io->key = have ? key : NULL;
    io->key_len = have ? sizeof key : 0;
    char err[512];
    enum yq_status st = yq_model_open(path, io, m, err, sizeof err);
    yq_key_wipe(key, sizeof key);
    io->key = NULL;
    io->key_len = 0;
    if (st) {
        bool enc = false;
        const char *alg = NULL;
        char e2[64];
        bool no_key = !have && yq_model_file_probe(path, &enc, &alg, e2, sizeof e2) == 0 && enc;
        fprintf(stderr, "yoloq %s: %s%s\n", cmd, err,
                no_key ? " (give --key KEYFILE or set YOLOQ_KEY_FILE)" : "");
        return 1;
    }
    return 0;
}
