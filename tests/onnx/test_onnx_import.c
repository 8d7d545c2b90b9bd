/* SPDX-License-Identifier: Apache-2.0 */
/* ONNX importer on the generated fixtures (tests/gen_onnx_fixtures.py): the IR each
 * produces — ops, canonical attributes for both opset forms, constant values in every
 * encoding, input shapes, metadata. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "onnx/onnx.h"

static char msg[512];

static struct yq__graph *load(const char *name)
{
    char path[1024];
    struct yq__graph *g = NULL;
    struct yq__err e = {msg, sizeof msg};
    msg[0] = '\0';
    enum yq_status st = yq__onnx_import_file(yq_test_data(path, sizeof path, name), &g, &e);
    CHECKF(st == YQ_STATUS_OK && g, "%s: %s (%s)", name, yq_status_str(st), msg);
    return g;
}

static int find_node(const struct yq__graph *g, enum yq__op op)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == op) return i;
    return -1;
}

static const struct yq__tensor *tensor(const struct yq__graph *g, const char *name)
{
    int t = yq__graph_find(g, name);
    return t >= 0 ? &g->tensors[t] : NULL;
}

static bool ints_eq(const struct yq__node *n, const char *attr, const int64_t *v, int cnt)
{
    int have;
    const int64_t *p = yq__attr_ints(n, attr, &have);
    return p && have == cnt && memcmp(p, v, (size_t)cnt * sizeof *v) == 0;
}

static void test_conv(void)
{
    struct yq__graph *g = load("onnx/conv.onnx");
    if (!g) return;
    CHECK(g->opset == 12);
    CHECK(g->n_nodes == 1 && g->nodes[0].op == YQ__OP_CONV);
    CHECK(strcmp(g->nodes[0].name, "conv0") == 0);
    CHECK(g->nodes[0].n_in == 3 && g->nodes[0].n_out == 1);
    CHECK(g->n_inputs == 1 && g->n_outputs == 1);
    const struct yq__tensor *x = &g->tensors[g->inputs[0]];
    struct yq__shape want = {4, {1, 3, 4, 4}}; /* dynamic batch "N" → 1 */
    CHECK(strcmp(x->name, "x") == 0 && yq__shape_eq(&x->shape, &want) && x->is_input);
    CHECK(x->dtype == YQ__DTYPE_F32 && x->layout == YQ__LAYOUT_PLAIN);
    const struct yq__tensor *w = tensor(g, "w"), *b = tensor(g, "b");
    struct yq__shape ws = {4, {2, 3, 3, 3}};
    CHECK(w && w->data && yq__shape_eq(&w->shape, &ws) && w->nbytes == 54 * 4);
    CHECK(b && b->data && b->shape.rank == 1 && ((float *)b->data)[0] == 0.5f &&
          ((float *)b->data)[1] == -0.25f);
    const int64_t k[2] = {3, 3}, p[4] = {1, 1, 1, 1};
    CHECK(ints_eq(&g->nodes[0], "kernel_shape", k, 2) && ints_eq(&g->nodes[0], "pads", p, 4));
    CHECK(yq__attr_int(&g->nodes[0], "group", 0) == 1);
    CHECK(g->tensors[g->outputs[0]].is_output);
    CHECK(yq__graph_meta(g, "stride") && strcmp(yq__graph_meta(g, "stride"), "8") == 0);
    CHECK(yq__graph_meta(g, "names") &&
          strcmp(yq__graph_meta(g, "names"), "{0: 'a', 1: 'b'}") == 0);
    CHECK(yq__graph_meta(g, "onnx.producer") &&
          strcmp(yq__graph_meta(g, "onnx.producer"), "gen_onnx_fixtures") == 0);
    CHECK(strcmp(g->source, "conv.onnx") == 0);
#ifndef YQ_ONNX_NO_INFER
    struct yq__shape ys = {4, {1, 2, 4, 4}};
    CHECK(yq__shape_eq(&g->tensors[g->outputs[0]].shape, &ys));
#endif
    yq__graph_free(g);
}

static void test_split(void)
{
    const int64_t want[2] = {1, 3};
    const char *files[] = {"onnx/split_11.onnx", "onnx/split_13.onnx"};
    for (int f = 0; f < 2; f++) {
        struct yq__graph *g = load(files[f]);
        if (!g) continue;
        int n = find_node(g, YQ__OP_SPLIT);
        CHECKF(n >= 0 && g->nodes[n].n_in == 1 && g->nodes[n].n_out == 2, "%s", files[f]);
        CHECKF(n >= 0 && ints_eq(&g->nodes[n], "split", want, 2), "%s", files[f]);
        CHECKF(n >= 0 && yq__attr_int(&g->nodes[n], "axis", 0) == 1, "%s", files[f]);
        yq__graph_free(g);
    }
}

static void test_squeeze(void)
{
    const int64_t a0[1] = {0}, a2[1] = {2};
    const char *files[] = {"onnx/squeeze_11.onnx", "onnx/squeeze_13.onnx"};
    for (int f = 0; f < 2; f++) {
        struct yq__graph *g = load(files[f]);
        if (!g) continue;
        CHECKF(g->n_nodes == 2, "%s: %d nodes (Constant must not be a node)", files[f], g->n_nodes);
        int s = find_node(g, YQ__OP_SQUEEZE), u = find_node(g, YQ__OP_UNSQUEEZE);
        CHECKF(s >= 0 && g->nodes[s].n_in == 1 && ints_eq(&g->nodes[s], "axes", a0, 1), "%s",
               files[f]);
        CHECKF(u >= 0 && g->nodes[u].n_in == 1 && ints_eq(&g->nodes[u], "axes", a2, 1), "%s",
               files[f]);
        CHECKF(s >= 0 && u >= 0 && s < u, "%s: topological order", files[f]);
        yq__graph_free(g);
    }
}

static void test_clip(void)
{
    struct yq__graph *g = load("onnx/clip_11.onnx");
    if (g) {
        const struct yq__node *n = &g->nodes[0];
        CHECK(n->op == YQ__OP_CLIP && n->n_in == 1);
        CHECK(yq__attr_float(n, "min", 99) == 0.0f && yq__attr_float(n, "max", 99) == 6.0f);
        yq__graph_free(g);
    }
    g = load("onnx/clip_13.onnx");
    if (g) {
        CHECK(g->n_nodes == 1);
        const struct yq__node *n = &g->nodes[0];
        CHECK(n->op == YQ__OP_CLIP && n->n_in == 1);
        const struct yq__attr *lo = yq__node_attr(n, "min");
        CHECK(lo && lo->kind == YQ__ATTR_FLOAT && isinf(lo->f) && lo->f < 0);
        CHECK(yq__attr_float(n, "max", 99) == 6.0f);
        yq__graph_free(g);
    }
}

static void test_softmax(void)
{
    struct yq__graph *g = load("onnx/softmax_11.onnx");
    if (g) {
        const struct yq__node *n = &g->nodes[0];
        CHECK(n->op == YQ__OP_SOFTMAX && yq__attr_int(n, "axis", 99) == 1);
        CHECK(yq__attr_int(n, "legacy_coerce", 0) == 1);
        yq__graph_free(g);
    }
    g = load("onnx/softmax_13.onnx");
    if (g) {
        const struct yq__node *n = &g->nodes[0];
        CHECK(n->op == YQ__OP_SOFTMAX && yq__attr_int(n, "axis", 99) == -1);
        CHECK(yq__node_attr(n, "legacy_coerce") == NULL);
        yq__graph_free(g);
    }
}

static void test_constants(void)
{
    struct yq__graph *g = load("onnx/constants.onnx");
    if (!g) return;
    CHECK(g->n_nodes == 1 && g->nodes[0].op == YQ__OP_RELU);
    CHECK(g->n_outputs == 6);
    const struct yq__tensor *t = tensor(g, "c_tensor");
    CHECK(t && t->data && t->dtype == YQ__DTYPE_F32 && t->shape.rank == 2 && t->shape.d[0] == 2 &&
          ((float *)t->data)[3] == 4.0f && t->producer == -1);
    t = tensor(g, "c_float");
    CHECK(t && t->data && t->dtype == YQ__DTYPE_F32 && t->shape.rank == 0 &&
          *(float *)t->data == 2.5f);
    t = tensor(g, "c_floats");
    CHECK(t && t->data && t->shape.rank == 1 && t->shape.d[0] == 3 &&
          ((float *)t->data)[1] == -1.0f);
    t = tensor(g, "c_int");
    CHECK(t && t->data && t->dtype == YQ__DTYPE_S64 && t->shape.rank == 0 &&
          *(int64_t *)t->data == -7);
    t = tensor(g, "c_ints");
    CHECK(t && t->data && t->dtype == YQ__DTYPE_S64 && t->shape.d[0] == 4 &&
          ((int64_t *)t->data)[3] == 4);
    yq__graph_free(g);
}

static void check_f32(const struct yq__graph *g, const char *name, const float *v, int n)
{
    const struct yq__tensor *t = tensor(g, name);
    CHECKF(t && t->data && t->dtype == YQ__DTYPE_F32 && yq__shape_numel(&t->shape) == n, "%s",
           name);
    if (t && t->data && t->dtype == YQ__DTYPE_F32)
        for (int i = 0; i < n && i < yq__shape_numel(&t->shape); i++)
            CHECKF(((float *)t->data)[i] == v[i], "%s[%d] = %g, want %g", name, i,
                   ((float *)t->data)[i], v[i]);
}

static void check_bytes(const struct yq__graph *g, const char *name, enum yq__dtype dt,
                        const void *v, size_t nbytes)
{
    const struct yq__tensor *t = tensor(g, name);
    CHECKF(t && t->data && t->dtype == dt && t->nbytes == nbytes && memcmp(t->data, v, nbytes) == 0,
           "%s", name);
}

static void test_initializers(void)
{
    struct yq__graph *g = load("onnx/initializers.onnx");
    if (!g) return;
    const float f32[3] = {1.5f, -2.0f, 3.25f};
    check_f32(g, "f32_raw", f32, 3);
    check_f32(g, "f32_typed", f32, 3);
    const float f16[6] = {1.0f, -2.0f, 0.5f, 65504.0f, 6.103515625e-05f, 5.9604644775390625e-08f};
    check_f32(g, "f16_raw", f16, 6);
    check_f32(g, "f16_typed", f16, 6);
    const float f64[2] = {0.125f, -1e10f};
    check_f32(g, "f64_raw", f64, 2);
    check_f32(g, "f64_typed", f64, 2);
    const int64_t i64[4] = {1, -2, 3, (int64_t)1 << 40};
    check_bytes(g, "i64_raw", YQ__DTYPE_S64, i64, sizeof i64);
    check_bytes(g, "i64_typed", YQ__DTYPE_S64, i64, sizeof i64);
    const int32_t i32[2] = {7, -8};
    check_bytes(g, "i32_raw", YQ__DTYPE_S32, i32, sizeof i32);
    check_bytes(g, "i32_typed", YQ__DTYPE_S32, i32, sizeof i32);
    const int8_t i8[3] = {-128, 127, 5};
    check_bytes(g, "i8_raw", YQ__DTYPE_S8, i8, sizeof i8);
    check_bytes(g, "i8_typed", YQ__DTYPE_S8, i8, sizeof i8);
    const uint8_t u8[3] = {0, 255, 9}, b[3] = {1, 0, 1};
    check_bytes(g, "u8_raw", YQ__DTYPE_U8, u8, sizeof u8);
    check_bytes(g, "u8_typed", YQ__DTYPE_U8, u8, sizeof u8);
    check_bytes(g, "bool_raw", YQ__DTYPE_BOOL, b, sizeof b);
    check_bytes(g, "bool_typed", YQ__DTYPE_BOOL, b, sizeof b);
    const int32_t i16[2] = {-300, 300};
    check_bytes(g, "i16_raw", YQ__DTYPE_S32, i16, sizeof i16);
    const struct yq__tensor *t = tensor(g, "i64_raw");
    CHECK(t && t->shape.rank == 2 && t->shape.d[0] == 2 && t->shape.d[1] == 2);
    t = tensor(g, "scalar");
    CHECK(t && t->data && t->shape.rank == 0 && *(float *)t->data == 42.0f);
    t = tensor(g, "empty");
    CHECK(t && t->data && t->shape.rank == 1 && t->shape.d[0] == 0 && t->nbytes == 0);
    CHECK(g->n_inputs == 1); /* initializers are not inputs */
    yq__graph_free(g);
}

static void test_out_of_order(void)
{
    struct yq__graph *g = load("onnx/out_of_order.onnx");
    if (!g) return;
    CHECK(g->n_nodes == 2);
    CHECK(g->nodes[0].op == YQ__OP_RELU && g->nodes[1].op == YQ__OP_ADD);
    CHECK(strcmp(g->nodes[0].name, "relu") == 0);
    const struct yq__tensor *c = tensor(g, "c");
    CHECK(c && c->data && *(float *)c->data == 1.0f);
    yq__graph_free(g);
}

static void test_resize_forms(void)
{
    struct yq__graph *g = load("onnx/upsample.onnx");
    if (g) {
        const struct yq__node *n = &g->nodes[0];
        CHECK(n->op == YQ__OP_RESIZE && n->n_in == 3 && n->in[1] == -1);
        CHECK(n->in[2] >= 0 && strcmp(g->tensors[n->in[2]].name, "sc") == 0);
        CHECK(strcmp(yq__attr_string(n, "mode", ""), "nearest") == 0);
        CHECK(strcmp(yq__attr_string(n, "coordinate_transformation_mode", ""), "asymmetric") == 0);
        CHECK(strcmp(yq__attr_string(n, "nearest_mode", ""), "floor") == 0);
        yq__graph_free(g);
    }
    g = load("onnx/resize.onnx");
    if (g) {
        const struct yq__node *n = &g->nodes[0];
        CHECK(n->op == YQ__OP_RESIZE && n->n_in == 3 && n->in[1] == -1 && n->in[2] >= 0);
        yq__graph_free(g);
    }
    g = load("onnx/string_attr.onnx");
    if (g) {
        int r = find_node(g, YQ__OP_RESIZE), u = find_node(g, YQ__OP_RELU);
        CHECK(r >= 0 && g->nodes[r].n_in == 3 && g->nodes[r].in[1] == -1); /* "" = omitted */
        const struct yq__attr *a = u >= 0 ? yq__node_attr(&g->nodes[u], "tag") : NULL;
        CHECK(a && a->kind == YQ__ATTR_STRING && a->n == 8 && memcmp(a->s, "near\0est", 8) == 0);
        yq__graph_free(g);
    }
}

static void test_reduce(void)
{
    struct yq__graph *g = load("onnx/reduce_18.onnx");
    if (!g) return;
    const int64_t ax[1] = {1};
    const struct yq__node *n = &g->nodes[0];
    CHECK(g->opset == 18 && n->op == YQ__OP_REDUCE_MEAN && n->n_in == 1);
    CHECK(ints_eq(n, "axes", ax, 1) && yq__attr_int(n, "keepdims", 0) == 1);
    yq__graph_free(g);
}

static void test_memory(void)
{
    char path[1024];
    size_t size;
    void *buf = yq_test_read_file(yq_test_data(path, sizeof path, "onnx/conv.onnx"), &size);
    CHECK(buf != NULL);
    if (!buf) return;
    struct yq__graph *g = NULL;
    struct yq__err e = {msg, sizeof msg};
    CHECK(yq__onnx_import_memory(buf, size, "mem.onnx", &g, &e) == YQ_STATUS_OK);
    CHECK(g && strcmp(g->source, "mem.onnx") == 0 && g->n_nodes == 1);
    yq__graph_free(g);
    CHECK(yq__onnx_import_memory(buf, size, NULL, &g, &e) == YQ_STATUS_OK);
    CHECK(g && strcmp(g->source, "model") == 0);
    yq__graph_free(g);
    /* allocation failure anywhere: a status and message, no leak (valgrind/ASan), no crash */
    int fails = 0;
    for (long k = 0; k < 400; k++) {
        yq__alloc_fail_countdown = k;
        msg[0] = '\0';
        enum yq_status st = yq__onnx_import_memory(buf, size, "mem.onnx", &g, &e);
        yq__alloc_fail_countdown = -1;
        if (st == YQ_STATUS_OK) {
            yq__graph_free(g);
            break;
        }
        fails++;
        CHECKF(g == NULL && msg[0] != '\0', "countdown %ld: %s", k, msg);
    }
    CHECK(fails > 10);
    free(buf);
}

int main(void)
{
    test_conv();
    test_split();
    test_squeeze();
    test_clip();
    test_softmax();
    test_constants();
    test_initializers();
    test_out_of_order();
    test_resize_forms();
    test_reduce();
    test_memory();
    return yq_test_finish();
}
