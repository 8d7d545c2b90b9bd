/* SPDX-License-Identifier: Apache-2.0 */
/* Deterministic mutation test of the ONNX importer: seeded bit flips, truncations, byte
 * insertions, varint corruption and chunk duplication of small fixtures and one real model.
 * Every import must return OK with a consistent graph, or an error with a non-empty one-line
 * message and no graph. Run under valgrind or the ASan build to catch memory errors.
 * YQ_FUZZ_ITERS overrides the mutation count per small fixture. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "onnx/onnx.h"

static unsigned char *mutate(const unsigned char *src, size_t n, size_t *out_n)
{
    size_t cap = n * 2 + 64;
    unsigned char *b = malloc(cap);
    if (!b) return NULL;
    memcpy(b, src, n);
    size_t len = n;
    int rounds = yq_test_randint(1, 3);
    for (int r = 0; r < rounds; r++) {
        size_t pos = len ? (size_t)(yq_test_rand() % len) : 0;
        switch (yq_test_randint(0, 5)) {
        case 0: /* bit flips */
            if (len) b[pos] ^= (unsigned char)(1u << yq_test_randint(0, 7));
            break;
        case 1: /* truncation */
            len = pos;
            break;
        case 2: { /* insert random bytes */
            size_t k = (size_t)yq_test_randint(1, 8);
            if (len + k > cap) break;
            memmove(b + pos + k, b + pos, len - pos);
            for (size_t i = 0; i < k; i++)
                b[pos + i] = (unsigned char)yq_test_rand();
            len += k;
            break;
        }
        case 3: { /* varint corruption: continuation bits, or a 10-byte maximal varint */
            static const unsigned char special[] = {0x00, 0x7f, 0x80, 0xff, 0x01, 0x0a};
            if (!len) break;
            if (yq_test_randint(0, 1)) {
                for (size_t i = pos; i < len && i < pos + 10; i++)
                    b[i] = 0xff;
            } else {
                b[pos] = special[yq_test_randint(0, (int)sizeof special - 1)];
            }
            break;
        }
        case 4: { /* duplicate a chunk (repeats fields, makes lengths disagree) */
            size_t k = (size_t)yq_test_randint(1, 32);
            if (pos + k > len || len + k > cap) break;
            memmove(b + pos + k, b + pos, len - pos);
            len += k;
            break;
        }
        default: /* length byte bumped by a small amount */
            if (len) b[pos] = (unsigned char)(b[pos] + yq_test_randint(-3, 3));
            break;
        }
    }
    *out_n = len;
    return b;
}

static bool graph_consistent(const struct yq__graph *g)
{
    for (int i = 0; i < g->n_nodes; i++) {
        const struct yq__node *n = &g->nodes[i];
        for (int j = 0; j < n->n_in; j++)
            if (n->in[j] < -1 || n->in[j] >= g->n_tensors) return false;
        for (int j = 0; j < n->n_out; j++)
            if (n->out[j] < -1 || n->out[j] >= g->n_tensors) return false;
    }
    for (int i = 0; i < g->n_inputs; i++)
        if (g->inputs[i] < 0 || g->inputs[i] >= g->n_tensors) return false;
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] < 0 || g->outputs[i] >= g->n_tensors) return false;
    for (int t = 0; t < g->n_tensors; t++) {
        const struct yq__tensor *x = &g->tensors[t];
        if (x->data && (size_t)yq__shape_numel(&x->shape) * yq__dtype_size(x->dtype) != x->nbytes)
            return false;
    }
    return true;
}

static void fuzz(const char *label, const unsigned char *src, size_t n, int iters)
{
    char msg[512];
    int ok = 0, failed = 0, bad = 0;
    for (int it = 0; it < iters; it++) {
        size_t len;
        unsigned char *b = mutate(src, n, &len);
        if (!b) break;
        struct yq__graph *g = NULL;
        struct yq__err e = {msg, sizeof msg};
        msg[0] = '\0';
        enum yq_status st = yq__onnx_import_memory(b, len, "fuzz.onnx", &g, &e);
        if (st == YQ_STATUS_OK) {
            ok++;
            if (!g || !graph_consistent(g)) bad++;
            CHECKF(g && graph_consistent(g), "%s iteration %d: inconsistent graph", label, it);
        } else {
            failed++;
            bool good = g == NULL && msg[0] != '\0' && strchr(msg, '\n') == NULL &&
                        strncmp(msg, "fuzz.onnx", 9) == 0;
            if (!good) bad++;
            CHECKF(good, "%s iteration %d: status %s, message '%s'", label, it, yq_status_str(st),
                   msg);
        }
        yq__graph_free(g);
        free(b);
    }
    fprintf(stderr, "%s: %d mutations, %d imported, %d rejected, %d bad\n", label, iters, ok,
            failed, bad);
}

int main(void)
{
    int iters = 1000;
    const char *env = getenv("YQ_FUZZ_ITERS");
    if (env) iters = (int)strtol(env, NULL, 10);
    static const char *fixtures[] = {"onnx/conv.onnx", "onnx/initializers.onnx",
                                     "onnx/squeeze_13.onnx", "onnx/constants.onnx"};
    char path[1024];
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        size_t n;
        unsigned char *src = yq_test_read_file(yq_test_data(path, sizeof path, fixtures[i]), &n);
        CHECKF(src != NULL, "%s", fixtures[i]);
        if (!src) continue;
        fuzz(fixtures[i], src, n, iters);
        free(src);
    }
    /* a real model: fewer rounds, each parses ~1 MB */
    if (yq_test_shared(path, sizeof path, "models/fastestdet.onnx")) {
        size_t n;
        unsigned char *src = yq_test_read_file(path, &n);
        CHECK(src != NULL);
        if (src) fuzz("fastestdet.onnx", src, n, iters / 10);
        free(src);
    } else {
        SKIP("fastestdet.onnx: shared data absent");
    }
    return yq_test_finish();
}
