/* SPDX-License-Identifier: Apache-2.0 */
/* ONNX importer error paths: each broken or unsupported fixture gives the expected status
 * and a one-line message naming the file and the node/op/tensor at fault; no graph leaks
 * (checked under valgrind / ASan). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "onnx/onnx.h"

static char msg[512];

static enum yq_status import(const char *name)
{
    char path[1024];
    struct yq__graph *g = (struct yq__graph *)&msg; /* must be reset to NULL */
    struct yq__err e = {msg, sizeof msg};
    msg[0] = '\0';
    enum yq_status st = yq__onnx_import_file(yq_test_data(path, sizeof path, name), &g, &e);
    CHECKF(g == NULL || st == YQ_STATUS_OK, "%s: out not NULL on failure", name);
    if (st == YQ_STATUS_OK) yq__graph_free(g);
    CHECKF(strchr(msg, '\n') == NULL, "%s: message not one line", name);
    return st;
}

/* The import fails with `want` and the message contains every one of the needles. */
static void expect(const char *file, enum yq_status want, const char *n1, const char *n2)
{
    enum yq_status st = import(file);
    CHECKF(st == want, "%s: status %s, want %s (%s)", file, yq_status_str(st), yq_status_str(want),
           msg);
    CHECKF(n1 == NULL || strstr(msg, n1), "%s: message '%s' lacks '%s'", file, msg, n1);
    CHECKF(n2 == NULL || strstr(msg, n2), "%s: message '%s' lacks '%s'", file, msg, n2);
}

int main(void)
{
    expect("onnx/unsupported_op.onnx", YQ_STATUS_UNSUPPORTED,
           "unsupported_op.onnx: node '/model.24/nms' (NonMaxSuppression): unsupported operator",
           NULL);
    expect("onnx/custom_domain.onnx", YQ_STATUS_UNSUPPORTED, "node 'foo' (Foo)", "com.example");
    expect("onnx/opset9.onnx", YQ_STATUS_UNSUPPORTED, "opset9.onnx: opset 9 ", NULL);
    expect("onnx/opset22.onnx", YQ_STATUS_UNSUPPORTED, "opset22.onnx: opset 22 ", NULL);
    expect("onnx/external_data.onnx", YQ_STATUS_UNSUPPORTED, "initializer 'w'", "external");
    expect("onnx/dynamic_dim.onnx", YQ_STATUS_UNSUPPORTED, "input 'images' dim 2", "'height'");
    expect("onnx/int_input.onnx", YQ_STATUS_UNSUPPORTED, "input 'x'", "float");
    expect("onnx/missing_input.onnx", YQ_STATUS_BAD_MODEL, "node 'add0' (Add)", "'nowhere'");
    expect("onnx/raw_length.onnx", YQ_STATUS_BAD_MODEL, "initializer 'w'", "12 bytes");
    expect("onnx/clip_dynamic.onnx", YQ_STATUS_UNSUPPORTED, "node 'clip0' (Clip)", "'m'");
    expect("onnx/no_such_file.onnx", YQ_STATUS_IO,
           "no_such_file.onnx: cannot open: No such file or directory", NULL);

    /* truncated and random bytes: a parse failure, one line */
    char path[1024];
    size_t size;
    unsigned char *buf =
        yq_test_read_file(yq_test_data(path, sizeof path, "onnx/conv.onnx"), &size);
    CHECK(buf != NULL);
    if (buf) {
        struct yq__graph *g;
        struct yq__err e = {msg, sizeof msg};
        enum yq_status st = yq__onnx_import_memory(buf, size / 2, "x.onnx", &g, &e);
        CHECKF(st == YQ_STATUS_BAD_MODEL && g == NULL &&
                   strcmp(msg, "x.onnx: not a valid ONNX model (protobuf parse failed)") == 0,
               "%s", msg);
        for (size_t i = 0; i < size; i++)
            buf[i] = (unsigned char)yq_test_rand();
        st = yq__onnx_import_memory(buf, size, "x.onnx", &g, &e);
        CHECKF(st == YQ_STATUS_BAD_MODEL && g == NULL && strstr(msg, "x.onnx: not a valid ONNX"),
               "%s", msg);
        st = yq__onnx_import_memory(buf, 0, "x.onnx", &g, &e);
        CHECKF(st == YQ_STATUS_BAD_MODEL && g == NULL && strstr(msg, "x.onnx: not a valid ONNX"),
               "%s", msg);
        free(buf);
    }

    /* graph → node → attribute → graph ... nested 10000 deep must not reach protobuf-c */
    size_t depth = 10000, n = 0;
    unsigned char *deep = malloc(depth * 3 * 6 + 16);
    CHECK(deep != NULL);
    if (deep) {
        /* built inside out: innermost empty graph, then wrap: attr.g (6), node.attribute
         * (5), graph.node (1); finally model.graph (7). Lengths as 5-byte varints so the
         * size is known in advance. */
        size_t cap = depth * 3 * 6 + 16, pos = cap;
        static const unsigned char fields[3] = {6 << 3 | 2, 5 << 3 | 2, 1 << 3 | 2};
        for (size_t lvl = 0; lvl < depth * 3 + 1; lvl++) {
            size_t len = n;
            unsigned char key = lvl == depth * 3 ? (7 << 3 | 2) : fields[lvl % 3];
            pos -= 6;
            deep[pos] = key;
            for (int b = 0; b < 5; b++)
                deep[pos + 1 + b] = (unsigned char)(((len >> (7 * b)) & 0x7f) | (b < 4 ? 0x80 : 0));
            n += 6;
        }
        struct yq__graph *g;
        struct yq__err e = {msg, sizeof msg};
        enum yq_status st = yq__onnx_import_memory(deep + pos, n, "deep.onnx", &g, &e);
        CHECKF(st == YQ_STATUS_BAD_MODEL && g == NULL &&
                   strstr(msg, "deep.onnx: not a valid ONNX model (messages nested deeper"),
               "%s", msg);
        free(deep);
    }
    return yq_test_finish();
}
