/* SPDX-License-Identifier: Apache-2.0 */
/* yoloq keygen / encrypt / decrypt: make a key file, seal a .yqm with it, open a sealed
 * .yqm back into the plain file. Outputs are written atomically by the library. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "yoloq/seal.h"

int yq_cmd_keygen(int argc, char **argv)
{
    struct yq_cli_opt opts[] = {YQ_CLI_END};
    const char *path = NULL;
    int n_pos = 0;
    int rc = yq_cli_parse("keygen", opts, argc, argv, &path, 1, &n_pos);
    if (rc == YQ_CLI_HELP) {
        yq_cli_help("usage: yoloq keygen KEYFILE\n"
                    "Writes 32 random bytes as 64 hex digits to a new file (mode 0600; an "
                    "existing file is never replaced).\n",
                    opts);
        return 0;
    }
    if (rc)
        return rc;
    if (!path)
        return yq_cli_usage_error("keygen", "need the key file to create (yoloq keygen --help)");
    uint8_t key[YQ_KEY_BYTES];
    char err[512];
    enum yq_status st = yq_key_generate(key, err, sizeof err);
    if (!st)
        st = yq_key_save_file(path, key, err, sizeof err);
    yq_key_wipe(key, sizeof key);
    if (st) {
        fprintf(stderr, "yoloq keygen: %s\n", err);
        return 1;
    }
    printf("%s: new %d-byte key (keep it secret; whoever holds it can decrypt the models)\n",
           path, YQ_KEY_BYTES);
    return 0;
}

static int convert(const char *cmd, bool seal, int argc, char **argv)
{
    const char *key_file = NULL;
    struct yq_cli_opt opts[] = {YQ_CLI_KEY_OPT(&key_file), YQ_CLI_END};
    const char *pos[2] = {NULL, NULL};
    int n_pos = 0;
    int rc = yq_cli_parse(cmd, opts, argc, argv, pos, 2, &n_pos);
    if (rc == YQ_CLI_HELP) {
        yq_cli_help(seal ? "usage: yoloq encrypt IN.yqm OUT.yqm --key KEYFILE\n"
                           "Seals a .yqm with XChaCha20-Poly1305 (libsodium).\n"
                         : "usage: yoloq decrypt IN.yqm OUT.yqm --key KEYFILE\n"
                           "Opens a sealed .yqm back into the plain file.\n",
                    opts);
        return 0;
    }
    if (rc)
        return rc;
    if (n_pos != 2)
        return yq_cli_usage_error(cmd, "need IN.yqm and OUT.yqm (yoloq %s --help)", cmd);
    if (!strcmp(pos[0], pos[1]))
        return yq_cli_usage_error(cmd, "IN and OUT are the same file");
    uint8_t key[YQ_KEY_BYTES];
    bool have;
    if (yq_cli_key(cmd, key_file, key, &have))
        return 1;
    if (!have)
        return yq_cli_usage_error(cmd, "need --key KEYFILE (or YOLOQ_KEY_FILE)");
    char err[512];
    enum yq_status st = seal ? yq_model_file_encrypt(pos[0], pos[1], key, sizeof key, err,
                                                      sizeof err)
                             : yq_model_file_decrypt(pos[0], pos[1], key, sizeof key, err,
                                                      sizeof err);
    yq_key_wipe(key, sizeof key);
    if (st) {
        fprintf(stderr, "yoloq %s: %s\n", cmd, err);
        return 1;
    }
    printf("%s: %s\n", pos[1], seal ? "encrypted (XChaCha20-Poly1305)" : "decrypted");
    return 0;
}

int yq_cmd_encrypt(int argc, char **argv)
{
    return convert("encrypt", true, argc, argv);
}

int yq_cmd_decrypt(int argc, char **argv)
{
    return convert("decrypt", false, argc, argv);
}
