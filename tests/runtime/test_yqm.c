/* SPDX-License-Identifier: Apache-2.0 */
/* .yqm writer and strict reader: a hand-built graph (constants of every dtype, per-channel
 * quant params, attributes of every kind, metadata) must survive memory and file round
 * trips field by field; every truncation, every single bit flip, foreign files, forged
 * fields (with the checksum re-sealed so the structural checks are reached) and allocation
 * failures must give a one-line error, never a crash or a leak. */
#include "harness.h"
#include "runtime/runtime_internal.h"
#include "runtime/yqm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { S_STRINGS, S_TENSORS, S_NODES, S_ATTRS, S_GRAPH, S_META, S_ARRAYS, S_WEIGHTS };

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t sec_off(const uint8_t *f, int s)
{
    return rd64(f + 64 + 16 * s);
}

static void reseal(uint8_t *f, size_t size)
{
    wr64(f + 24, yq__yqm_checksum(f + 32, size - 32));
}

static void *const_data(size_t nbytes)
{
    uint8_t *p = yq__aligned_alloc(nbytes);
    for (size_t i = 0; i < nbytes; i++)
        p[i] = (uint8_t)yq_test_rand();
    return p;
}

static int add_const(struct yq__graph *g, const char *name, enum yq__dtype dt, int rank,
                     const int64_t *dims)
{
    struct yq__shape s = {rank, {0}};
    for (int i = 0; i < rank; i++)
        s.d[i] = dims[i];
    size_t nbytes = (size_t)yq__shape_numel(&s) * yq__dtype_size(dt);
    return yq__graph_add_const(g, name, dt, &s, const_data(nbytes), nbytes);
}

static int add_act(struct yq__graph *g, const char *name, enum yq__dtype dt, int rank,
                   const int64_t *dims)
{
    struct yq__shape s = {rank, {0}};
    for (int i = 0; i < rank; i++)
        s.d[i] = dims[i];
    return yq__graph_add_tensor(g, name, dt, &s);
}

/* Every feature the format carries, small enough for exhaustive flip/truncate loops. */
static struct yq__graph *build_graph(void)
{
    struct yq__graph *g;
    if (yq__graph_create("tiny.onnx", &g)) return NULL;
    g->opset = 13;
    int in = add_act(g, "images", YQ__DTYPE_U8, 4, (const int64_t[]){1, 4, 4, 3});
    g->tensors[in].layout = YQ__LAYOUT_NHWC;
    g->tensors[in].q.scale = 1.0f / 255;
    g->tensors[in].q.zero_point = 0;
    int w = add_const(g, "w", YQ__DTYPE_S8, 4, (const int64_t[]){4, 1, 1, 3});
    g->tensors[w].layout = YQ__LAYOUT_NHWC;
    g->tensors[w].q.n_channels = 4;
    g->tensors[w].q.axis = 0;
    g->tensors[w].q.channel_scales = yq__malloc(4 * sizeof(float));
    for (int c = 0; c < 4; c++)
        g->tensors[w].q.channel_scales[c] = 0.01f * (float)(c + 1);
    int b = add_const(g, "b", YQ__DTYPE_S32, 1, (const int64_t[]){4});
    int cf = add_const(g, "c_f32", YQ__DTYPE_F32, 2, (const int64_t[]){2, 3});
    int c64 = add_const(g, "c_s64", YQ__DTYPE_S64, 1, (const int64_t[]){3});
    add_const(g, "c_bool", YQ__DTYPE_BOOL, 1, (const int64_t[]){5});
    add_const(g, "c_f16", YQ__DTYPE_F16, 1, (const int64_t[]){3});
    add_const(g, "empty", YQ__DTYPE_F32, 2, (const int64_t[]){0, 7});
    int sc = add_const(g, "scalar", YQ__DTYPE_F32, 0, NULL);
    int t1 = add_act(g, "t1", YQ__DTYPE_S8, 4, (const int64_t[]){1, 4, 4, 4});
    g->tensors[t1].layout = YQ__LAYOUT_NHWC;
    g->tensors[t1].q.scale = 0.05f;
    g->tensors[t1].q.zero_point = -3;
    g->tensors[t1].has_range = true;
    g->tensors[t1].range_min = -1.5f;
    g->tensors[t1].range_max = 6.25f;
    int t2 = add_act(g, "t2", YQ__DTYPE_F32, 4, (const int64_t[]){1, 4, 4, 4});
    int t3 = add_act(g, "t3", YQ__DTYPE_F32, 4, (const int64_t[]){1, 8, 8, 4});

    int n0 = yq__graph_add_node(g, "/conv", YQ__OP_CONV, 3, (const int[]){in, w, b}, 1,
                                (const int[]){t1});
    yq__node_set_ints(g, n0, "kernel_shape", (const int64_t[]){1, 1}, 2);
    yq__node_set_ints(g, n0, "pads", (const int64_t[]){0, 0, -1, INT64_MAX}, 4);
    yq__node_set_int(g, n0, "group", -7);
    yq__node_set_float(g, n0, "alpha", 0.125f);
    yq__node_set_floats(g, n0, "scales", (const float[]){1.0f, 2.5f, -0.0f}, 3);
    yq__node_set_ints(g, n0, "none", NULL, 0);
    yq__node_set_string(g, n0, "mode", "nearest", 7);
    yq__node_set_string(g, n0, "empty", "", 0);
    g->nodes[n0].act = (struct yq__act){YQ__ACT_CLIP, 0.0f, 6.0f};
    g->nodes[n0].quantized = true;
    int n1 =
        yq__graph_add_node(g, "/relu", YQ__OP_RELU, 1, (const int[]){t1}, 1, (const int[]){t2});
    (void)n1;
    int n2 = yq__graph_add_node(g, "", YQ__OP_RESIZE, 4, (const int[]){t2, -1, cf, c64}, 1,
                                (const int[]){t3});
    g->nodes[n2].act = (struct yq__act){YQ__ACT_LEAKY_RELU, 0.1f, 0.0f};
    (void)sc;

    g->inputs = yq__malloc(sizeof(int));
    g->inputs[0] = in;
    g->n_inputs = 1;
    g->outputs = yq__malloc(2 * sizeof(int));
    g->outputs[0] = t3;
    g->outputs[1] = t1;
    g->n_outputs = 2;
    yq__graph_set_meta(g, "yq.names", "person\ncar\ntraffic light");
    yq__graph_set_meta(g, "yq.custom_string", "built by test_yqm");
    yq__graph_set_meta(g, "empty", "");
    char ebuf[256];
    struct yq__err e = {ebuf, sizeof ebuf};
    if (yq__graph_index(g, &e)) {
        fprintf(stderr, "build_graph: %s\n", ebuf);
        yq__graph_free(g);
        return NULL;
    }
    return g;
}

#define DIFF(...)                                                                                  \
    do {                                                                                           \
        snprintf(why, cap, __VA_ARGS__);                                                           \
        return false;                                                                              \
    } while (0)

static bool bits_eq(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static bool attr_eq(const struct yq__attr *a, const struct yq__attr *b, char *why, size_t cap)
{
    if (strcmp(a->name, b->name) || a->kind != b->kind) DIFF("attr '%s' name/kind", a->name);
    switch (a->kind) {
    case YQ__ATTR_INT:
        if (a->i != b->i) DIFF("attr '%s' int", a->name);
        break;
    case YQ__ATTR_FLOAT:
        if (!bits_eq(a->f, b->f)) DIFF("attr '%s' float", a->name);
        break;
    case YQ__ATTR_INTS:
        if (a->n != b->n || (a->n && memcmp(a->ints, b->ints, (size_t)a->n * 8)))
            DIFF("attr '%s' ints", a->name);
        break;
    case YQ__ATTR_FLOATS:
        if (a->n != b->n || (a->n && memcmp(a->floats, b->floats, (size_t)a->n * 4)))
            DIFF("attr '%s' floats", a->name);
        break;
    case YQ__ATTR_STRING:
        if (a->n != b->n || strcmp(a->s, b->s)) DIFF("attr '%s' string", a->name);
        break;
    }
    return true;
}

/* Field-by-field equality (derived fields included: both sides are indexed). */
static bool graph_eq(const struct yq__graph *a, const struct yq__graph *b, bool source, char *why,
                     size_t cap)
{
    if (a->n_tensors != b->n_tensors || a->n_nodes != b->n_nodes || a->n_meta != b->n_meta ||
        a->n_inputs != b->n_inputs || a->n_outputs != b->n_outputs || a->opset != b->opset)
        DIFF("counts or opset");
    if (source && strcmp(a->source, b->source)) DIFF("source '%s' vs '%s'", a->source, b->source);
    for (int t = 0; t < a->n_tensors; t++) {
        const struct yq__tensor *x = &a->tensors[t], *y = &b->tensors[t];
        if (strcmp(x->name, y->name) || x->dtype != y->dtype || x->layout != y->layout ||
            !yq__shape_eq(&x->shape, &y->shape))
            DIFF("tensor %d '%s' name/dtype/layout/shape", t, x->name);
        if (!x->data != !y->data || x->nbytes != y->nbytes ||
            (x->data && x->nbytes && memcmp(x->data, y->data, x->nbytes)))
            DIFF("tensor %d '%s' data", t, x->name);
        if (y->data && ((uintptr_t)y->data % 64))
            DIFF("tensor %d '%s' data not 64-byte aligned", t, x->name);
        if (x->producer != y->producer || x->n_consumers != y->n_consumers ||
            x->is_input != y->is_input || x->is_output != y->is_output)
            DIFF("tensor %d '%s' index fields", t, x->name);
        if (!bits_eq(x->q.scale, y->q.scale) || x->q.zero_point != y->q.zero_point ||
            x->q.axis != y->q.axis || x->q.n_channels != y->q.n_channels ||
            (x->q.n_channels &&
             memcmp(x->q.channel_scales, y->q.channel_scales, (size_t)x->q.n_channels * 4)))
            DIFF("tensor %d '%s' quant", t, x->name);
        if (x->has_range != y->has_range || !bits_eq(x->range_min, y->range_min) ||
            !bits_eq(x->range_max, y->range_max))
            DIFF("tensor %d '%s' range", t, x->name);
        if (yq__graph_find(b, x->name) != t) DIFF("tensor %d '%s' not found by name", t, x->name);
    }
    for (int i = 0; i < a->n_nodes; i++) {
        const struct yq__node *x = &a->nodes[i], *y = &b->nodes[i];
        if (strcmp(x->name, y->name) || x->op != y->op || x->n_in != y->n_in ||
            x->n_out != y->n_out || x->n_attrs != y->n_attrs || x->quantized != y->quantized ||
            x->dead != y->dead)
            DIFF("node %d '%s' header", i, x->name);
        if (memcmp(x->in, y->in, (size_t)x->n_in * sizeof(int)) ||
            memcmp(x->out, y->out, (size_t)x->n_out * sizeof(int)))
            DIFF("node %d '%s' in/out", i, x->name);
        if (x->act.kind != y->act.kind || !bits_eq(x->act.alpha, y->act.alpha) ||
            !bits_eq(x->act.beta, y->act.beta))
            DIFF("node %d '%s' act", i, x->name);
        for (int k = 0; k < x->n_attrs; k++)
            if (!attr_eq(&x->attrs[k], &y->attrs[k], why, cap)) return false;
    }
    for (int i = 0; i < a->n_inputs; i++)
        if (a->inputs[i] != b->inputs[i]) DIFF("input %d", i);
    for (int i = 0; i < a->n_outputs; i++)
        if (a->outputs[i] != b->outputs[i]) DIFF("output %d", i);
    for (int i = 0; i < a->n_meta; i++)
        if (strcmp(a->meta[i].key, b->meta[i].key) || strcmp(a->meta[i].value, b->meta[i].value))
            DIFF("meta %d", i);
    return true;
}

static char err[512];
static struct yq__err E = {err, sizeof err};

static bool one_line(const char *prefix)
{
    return strncmp(err, prefix, strlen(prefix)) == 0 && !strchr(err, '\n') &&
           strlen(err) > strlen(prefix) + 3;
}

static enum yq_status read_bytes(const void *d, size_t n, struct yq__graph **out)
{
    err[0] = '\0';
    return yq__yqm_read_graph(d, n, "m.yqm", out, &E);
}

static void test_roundtrip(const struct yq__graph *g, const uint8_t *f, size_t size)
{
    char why[256] = "";
    struct yq__graph *r = NULL;
    CHECKF(yq__yqm_read_graph(f, size, NULL, &r, &E) == YQ_STATUS_OK, "%s", err);
    if (!r) return;
    CHECKF(graph_eq(g, r, true, why, sizeof why), "%s", why);
    /* Writing what was read gives the same bytes: the format is canonical. */
    void *again = NULL;
    size_t n2 = 0;
    CHECK(yq__yqm_write_memory(r, &again, &n2, &E) == YQ_STATUS_OK);
    CHECK(n2 == size && again && memcmp(again, f, size) == 0);
    yq__free(again);
    yq__graph_free(r);

    CHECK(read_bytes(f, size, &r) == YQ_STATUS_OK);
    if (r) {
        CHECK(strcmp(r->source, "m.yqm") == 0);
        CHECKF(graph_eq(g, r, false, why, sizeof why), "%s", why);
        yq__graph_free(r);
    }

    /* Layout promises: magic first, sizes in the header, 64-byte aligned weights. */
    CHECK(memcmp(f, "YQM1", 4) == 0);
    CHECK(rd64(f + 16) == size);
    CHECK(sec_off(f, S_WEIGHTS) % 64 == 0);
    const uint8_t *tt = f + sec_off(f, S_TENSORS);
    for (uint32_t t = 0; t < (uint32_t)g->n_tensors; t++)
        CHECK(rd64(tt + 8 + 136 * t + 120) % 64 == 0);
}

static void test_file(const struct yq__graph *g, const uint8_t *f, size_t size)
{
    char path[256];
    snprintf(path, sizeof path, "%s/test_yqm_%ld.yqm", YQ_BINARY_DIR, (long)getpid());
    CHECKF(yq__yqm_write(g, path, &E) == YQ_STATUS_OK, "%s", err);
    size_t n = 0;
    uint8_t *back = yq_test_read_file(path, &n);
    CHECK(back && n == size && memcmp(back, f, size) == 0);
    free(back);
    struct yq__graph *r = NULL;
    char why[256] = "";
    CHECK(read_bytes(f, size, &r) == YQ_STATUS_OK);
    if (r) {
        CHECKF(graph_eq(g, r, false, why, sizeof why), "%s", why);
        yq__graph_free(r);
    }
    struct yq_model *m = NULL;
    char e2[256];
    /* Missing file: IO; a truncated file on disk: BAD_MODEL naming the path. */
    CHECK(yq_model_load_file("/nonexistent/x.yqm", NULL, &m, e2, sizeof e2) == YQ_STATUS_IO && !m &&
          strstr(e2, "/nonexistent/x.yqm"));
    FILE *fp = fopen(path, "wb");
    fwrite(f, 1, size / 2, fp);
    fclose(fp);
    CHECK(yq_model_load_file(path, NULL, &m, e2, sizeof e2) == YQ_STATUS_BAD_MODEL && !m);
    CHECKF(strstr(e2, path) && strstr(e2, "truncated file"), "%s", e2);
    remove(path);
    CHECK(yq__yqm_write(g, "/nonexistent/dir/x.yqm", &E) == YQ_STATUS_IO);
    CHECK(strstr(err, "/nonexistent/dir/x.yqm") != NULL);
}

static void test_truncation(const uint8_t *f, size_t size)
{
    int bad = 0;
    for (size_t n = 0; n < size; n++) {
        struct yq__graph *r = NULL;
        enum yq_status st = read_bytes(f, n, &r);
        if (st != YQ_STATUS_BAD_MODEL || r || !one_line("m.yqm: ")) {
            if (bad++ < 5) fprintf(stderr, "truncation %zu: status %d: %s\n", n, (int)st, err);
        }
        yq__graph_free(r);
        if (n == 12) {
            CHECKF(strcmp(err, "m.yqm: truncated file (12 of at least 192 bytes)") == 0, "%s", err);
        }
        if (n == size - 1) {
            char want[128];
            snprintf(want, sizeof want, "m.yqm: truncated file (%zu of %zu bytes)", n, size);
            CHECKF(strcmp(err, want) == 0, "%s", err);
        }
    }
    CHECKF(bad == 0, "%d truncations not rejected", bad);
    /* one byte of trailing garbage is also refused */
    uint8_t *longer = malloc(size + 1);
    memcpy(longer, f, size);
    longer[size] = 0;
    struct yq__graph *r = NULL;
    CHECK(read_bytes(longer, size + 1, &r) == YQ_STATUS_BAD_MODEL && !r);
    free(longer);
}

static void test_bit_flips(const struct yq__graph *g, const uint8_t *f, size_t size)
{
    uint8_t *c = malloc(size);
    memcpy(c, f, size);
    int accepted = 0, bad_msg = 0, checksum = 0;
    char why[256];
    for (size_t i = 0; i < size; i++) {
        for (int bit = 0; bit < 8; bit++) {
            c[i] ^= (uint8_t)(1u << bit);
            struct yq__graph *r = NULL;
            enum yq_status st = read_bytes(c, size, &r);
            if (st == YQ_STATUS_OK) {
                accepted++;
                if (!graph_eq(g, r, false, why, sizeof why) && accepted < 5)
                    fprintf(stderr, "flip byte %zu bit %d accepted with a different graph: %s\n", i,
                            bit, why);
            } else if (!one_line("m.yqm: ")) {
                bad_msg++;
            }
            if (strstr(err, "checksum mismatch")) checksum++;
            yq__graph_free(r);
            c[i] ^= (uint8_t)(1u << bit);
        }
    }
    /* The checksum detects every change confined to one 8-byte word, and the first 32 bytes
     * are checked exactly. */
    CHECKF(accepted == 0, "%d flips accepted", accepted);
    CHECK(bad_msg == 0);
    CHECK(checksum > 0 && (size_t)checksum >= (size - 32) * 8);
    free(c);
}

/* Forged files with a correct checksum, so the structural validation itself is tested. */
static void expect_forged(const uint8_t *f, size_t size, void (*edit)(uint8_t *, size_t),
                          enum yq_status want, const char *substr)
{
    uint8_t *c = malloc(size);
    memcpy(c, f, size);
    edit(c, size);
    reseal(c, size);
    struct yq__graph *r = NULL;
    enum yq_status st = read_bytes(c, size, &r);
    CHECKF(st == want && !r && one_line("m.yqm: ") && strstr(err, substr),
           "want %d '%s', got %d '%s'", (int)want, substr, (int)st, err);
    yq__graph_free(r);
    free(c);
}

static uint8_t *tensor_rec(uint8_t *f, int t)
{
    return f + sec_off(f, S_TENSORS) + 8 + 136 * (size_t)t;
}

static uint8_t *node_rec(uint8_t *f, int n)
{
    return f + sec_off(f, S_NODES) + 8 + 64 * (size_t)n;
}

static void ed_dims_overflow(uint8_t *f, size_t n)
{
    (void)n;
    uint8_t *t = tensor_rec(f, 0); /* images: rank 4 */
    wr64(t + 24, (uint64_t)1 << 31);
    wr64(t + 32, (uint64_t)1 << 31);
}
static void ed_rank(uint8_t *f, size_t n)
{
    (void)n;
    wr32(tensor_rec(f, 0) + 16, 9);
}
static void ed_neg_dim(uint8_t *f, size_t n)
{
    (void)n;
    wr64(tensor_rec(f, 0) + 24, (uint64_t)-1);
}
static void ed_dtype(uint8_t *f, size_t n)
{
    (void)n;
    wr32(tensor_rec(f, 1) + 8, 99);
}
static void ed_layout(uint8_t *f, size_t n)
{
    (void)n;
    wr32(tensor_rec(f, 1) + 12, 3);
}
static void ed_nbytes(uint8_t *f, size_t n)
{
    (void)n;
    uint8_t *t = tensor_rec(f, 1);
    wr64(t + 128, rd64(t + 128) + 1);
}
static void ed_data_off(uint8_t *f, size_t n)
{
    (void)n;
    wr64(tensor_rec(f, 1) + 120, (uint64_t)1 << 62);
}
static void ed_name_ref(uint8_t *f, size_t n)
{
    (void)n;
    wr32(tensor_rec(f, 2), 0xfffffff0u);
}
static void ed_name_nul(uint8_t *f, size_t n)
{
    (void)n;
    uint8_t *t = tensor_rec(f, 2);
    wr32(t + 4, 3); /* "b" is 1 byte: the NUL now sits inside the name */
}
static void ed_dup_name(uint8_t *f, size_t n)
{
    (void)n;
    memcpy(tensor_rec(f, 2), tensor_rec(f, 1), 8); /* "b" → "w" (shared ref) */
}
static void ed_tensor_count(uint8_t *f, size_t n)
{
    (void)n;
    wr32(f + sec_off(f, S_TENSORS), 0xffffffffu);
}
static void ed_node_count(uint8_t *f, size_t n)
{
    (void)n;
    wr32(f + sec_off(f, S_NODES), 0x7fffffffu);
}
static void ed_section(uint8_t *f, size_t n)
{
    wr64(f + 64 + 16 * S_ARRAYS + 8, (uint64_t)n);
}
static void ed_node_index(uint8_t *f, size_t n)
{
    (void)n;
    uint8_t *nr = node_rec(f, 0);
    uint8_t *arr = f + sec_off(f, S_ARRAYS) + rd64(nr + 24);
    wr32(arr, 1000);
}
static void ed_node_in_count(uint8_t *f, size_t n)
{
    (void)n;
    wr32(node_rec(f, 0) + 16, 0x10000000u);
}
static void ed_op(uint8_t *f, size_t n)
{
    (void)n;
    uint8_t *nr = node_rec(f, 1);
    uint8_t *s = f + sec_off(f, S_STRINGS) + rd64(nr + 8) % ((uint64_t)1 << 32);
    memcpy(s, "Rxlu", 4);
}
static void ed_act(uint8_t *f, size_t n)
{
    (void)n;
    wr32(node_rec(f, 0) + 48, 7);
}
static void ed_attr_kind(uint8_t *f, size_t n)
{
    (void)n;
    wr32(f + sec_off(f, S_ATTRS) + 8 + 8, 6);
}
static void ed_attr_count(uint8_t *f, size_t n)
{
    (void)n;
    wr32(f + sec_off(f, S_ATTRS) + 8 + 12, 0x7fffffffu); /* kernel_shape ints */
}
static void ed_graph_output(uint8_t *f, size_t n)
{
    (void)n;
    uint8_t *gs = f + sec_off(f, S_GRAPH);
    wr32(gs + 24 + 4, (uint32_t)-5);
}
static void ed_scale(uint8_t *f, size_t n)
{
    (void)n;
    wr32(tensor_rec(f, 0) + 88, 0x7fc00000u); /* NaN */
}
static void ed_channels(uint8_t *f, size_t n)
{
    (void)n;
    wr32(tensor_rec(f, 1) + 100, 5); /* w has 4 output channels */
}
static void ed_flags(uint8_t *f, size_t n)
{
    (void)n;
    wr32(f + 8, 1);
}
static void ed_topo(uint8_t *f, size_t n)
{
    (void)n;
    /* the Relu node now consumes t3, which only the later Resize produces */
    uint8_t *nr = node_rec(f, 1);
    wr32(f + sec_off(f, S_ARRAYS) + rd64(nr + 24), 11);
}

static void test_forged(const uint8_t *f, size_t size)
{
    const enum yq_status B = YQ_STATUS_BAD_MODEL;
    expect_forged(f, size, ed_dims_overflow, B, "tensor 0 'images': dims overflow");
    expect_forged(f, size, ed_rank, B, "rank 9");
    expect_forged(f, size, ed_neg_dim, B, "negative dimension");
    expect_forged(f, size, ed_dtype, B, "bad dtype 99");
    expect_forged(f, size, ed_layout, B, "bad layout 3");
    expect_forged(f, size, ed_nbytes, B, "bytes of data for 12 elements of s8");
    expect_forged(f, size, ed_data_off, B, "data out of bounds");
    expect_forged(f, size, ed_name_ref, B, "tensor 2: bad name");
    expect_forged(f, size, ed_name_nul, B, "tensor 2: bad name");
    expect_forged(f, size, ed_dup_name, B, "duplicate name 'w'");
    expect_forged(f, size, ed_tensor_count, B, "tensors section: bad header");
    expect_forged(f, size, ed_node_count, B, "nodes section");
    expect_forged(f, size, ed_section, B, "arrays section out of bounds");
    expect_forged(f, size, ed_node_index, B, "node 0 '/conv' (Conv): tensor index out of range");
    expect_forged(f, size, ed_node_in_count, B, "node 0 '/conv' (Conv): bad record");
    expect_forged(f, size, ed_op, YQ_STATUS_UNSUPPORTED, "unknown operator 'Rxlu'");
    expect_forged(f, size, ed_act, B, "bad record");
    expect_forged(f, size, ed_attr_kind, B, "attribute 'kernel_shape': bad record");
    expect_forged(f, size, ed_attr_count, B, "attribute 'kernel_shape': out of bounds");
    expect_forged(f, size, ed_graph_output, B, "graph output 0: tensor index -5 out of range");
    expect_forged(f, size, ed_scale, B, "bad scale");
    expect_forged(f, size, ed_channels, B, "channel scales do not match axis 0");
    expect_forged(f, size, ed_flags, YQ_STATUS_UNSUPPORTED, "encrypted");
    expect_forged(f, size, ed_topo, B, "not produced by any earlier node");
}

/* Random multi-byte damage behind a valid checksum: the reader must stay in bounds (run
 * under ASan to make this bite) and either refuse or return a consistent graph. */
static void test_fuzz(const uint8_t *f, size_t size)
{
    uint8_t *c = malloc(size);
    int ok = 0, bad_msg = 0;
    for (int it = 0; it < 4000; it++) {
        memcpy(c, f, size);
        int n = yq_test_randint(1, 4);
        for (int k = 0; k < n; k++) {
            size_t at = 32 + (size_t)yq_test_randint(0, (int)size - 33);
            if (yq_test_rand() & 1)
                c[at] ^= (uint8_t)(1u << yq_test_randint(0, 7));
            else
                c[at] = (uint8_t)yq_test_rand();
        }
        reseal(c, size);
        struct yq__graph *r = NULL;
        enum yq_status st = read_bytes(c, size, &r);
        if (st == YQ_STATUS_OK)
            ok++;
        else if (!one_line("m.yqm: ") && !one_line("m.yqm"))
            bad_msg++;
        yq__graph_free(r);
    }
    CHECKF(bad_msg == 0, "%d errors without a proper message", bad_msg);
    fprintf(stderr, "note: fuzz: %d of 4000 forged files accepted (padding or free fields)\n", ok);
    free(c);
}

static void test_foreign(void)
{
    struct yq__graph *r = NULL;
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                  'I',  'H', 'D', 'R', 0,    0,    0,    16,   0, 0, 0, 16};
    CHECK(read_bytes(png, sizeof png, &r) == YQ_STATUS_BAD_MODEL && !r);
    CHECKF(strcmp(err, "m.yqm: not a yoloq model (bad magic)") == 0, "%s", err);
    CHECK(read_bytes("", 0, &r) == YQ_STATUS_BAD_MODEL && one_line("m.yqm: "));
    CHECK(read_bytes(NULL, 0, &r) == YQ_STATUS_BAD_MODEL && one_line("m.yqm: "));
    CHECK(read_bytes("YQ", 2, &r) == YQ_STATUS_BAD_MODEL && strstr(err, "truncated file"));
    CHECK(read_bytes("YQM2", 4, &r) == YQ_STATUS_BAD_MODEL && strstr(err, "bad magic"));
    uint8_t rnd[4096];
    for (int it = 0; it < 50; it++) {
        for (size_t i = 0; i < sizeof rnd; i++)
            rnd[i] = (uint8_t)yq_test_rand();
        if (it & 1) memcpy(rnd, "YQM1\1\0\0\0", 8);
        CHECK(read_bytes(rnd, sizeof rnd, &r) == YQ_STATUS_BAD_MODEL && !r && one_line("m.yqm: "));
    }
}

static void test_header(const uint8_t *f, size_t size)
{
    uint8_t *c = malloc(size);
    struct yq__graph *r = NULL;
    memcpy(c, f, size);
    wr32(c + 4, 7);
    CHECK(read_bytes(c, size, &r) == YQ_STATUS_BAD_MODEL);
    CHECKF(strcmp(err, "m.yqm: unsupported format version 7 (this build reads 1)") == 0, "%s", err);
    memcpy(c, f, size);
    c[0] = 'X';
    CHECK(read_bytes(c, size, &r) == YQ_STATUS_BAD_MODEL && strstr(err, "bad magic"));
    memcpy(c, f, size);
    c[size - 1] ^= 0x40;
    CHECK(read_bytes(c, size, &r) == YQ_STATUS_BAD_MODEL);
    CHECKF(strcmp(err, "m.yqm: checksum mismatch (file corrupted)") == 0, "%s", err);
    memcpy(c, f, size);
    wr64(c + 16, (uint64_t)1 << 60); /* huge file size in the header */
    CHECK(read_bytes(c, size, &r) == YQ_STATUS_BAD_MODEL && strstr(err, "truncated file"));
    memcpy(c, f, size);
    wr32(c + 12, 0xffffffffu); /* huge section count */
    CHECK(read_bytes(c, size, &r) == YQ_STATUS_BAD_MODEL && strstr(err, "sections"));
    free(c);
}

static void test_writer_rejects(void)
{
    struct yq__graph *g = build_graph();
    void *d = NULL;
    size_t n = 0;
    g->tensors[1].nbytes -= 1;
    CHECK(yq__yqm_write_memory(g, &d, &n, &E) == YQ_STATUS_INVALID_ARGUMENT && !d);
    CHECKF(strstr(err, "tensor 'w'") != NULL, "%s", err);
    g->tensors[1].nbytes += 1;
    g->tensors[1].q.n_channels = 3;
    CHECK(yq__yqm_write_memory(g, &d, &n, &E) == YQ_STATUS_INVALID_ARGUMENT && !d);
    g->tensors[1].q.n_channels = 4;
    g->nodes[0].in[0] = 999;
    CHECK(yq__yqm_write_memory(g, &d, &n, &E) == YQ_STATUS_INVALID_ARGUMENT && !d);
    g->nodes[0].in[0] = 0;
    CHECK(yq__yqm_write_memory(g, &d, &n, &E) == YQ_STATUS_OK && d);
    yq__free(d);
    yq__graph_free(g);
}

static void test_alloc_failures(const struct yq__graph *g, const uint8_t *f, size_t size)
{
    int oom_read = 0, wrong = 0;
    bool done = false;
    for (long k = 0; k < 100000 && !done; k++) {
        struct yq__graph *r = NULL;
        yq__alloc_fail_countdown = k;
        enum yq_status st = read_bytes(f, size, &r);
        yq__alloc_fail_countdown = -1;
        if (st == YQ_STATUS_OK) {
            char why[256];
            CHECKF(graph_eq(g, r, false, why, sizeof why), "after %ld allocations: %s", k, why);
            done = true;
        } else if (st == YQ_STATUS_OUT_OF_MEMORY && !r && one_line("m.yqm: ")) {
            oom_read++;
        } else {
            wrong++;
        }
        yq__graph_free(r);
    }
    CHECK(done && oom_read > 20);
    CHECKF(wrong == 0, "%d failures were not OUT_OF_MEMORY", wrong);

    int oom_write = 0;
    done = false;
    wrong = 0;
    for (long k = 0; k < 100000 && !done; k++) {
        void *d = NULL;
        size_t n = 0;
        yq__alloc_fail_countdown = k;
        enum yq_status st = yq__yqm_write_memory(g, &d, &n, &E);
        yq__alloc_fail_countdown = -1;
        if (st == YQ_STATUS_OK) {
            CHECK(n == size && memcmp(d, f, size) == 0);
            done = true;
        } else if (st == YQ_STATUS_OUT_OF_MEMORY && !d) {
            oom_write++;
        } else {
            wrong++;
        }
        yq__free(d);
    }
    CHECK(done && oom_write > 5);
    CHECK(wrong == 0);
}

/* Through the public loader: needs the Relu/Add operators from src/ops. */
static void test_load_model(void)
{
    struct yq__graph *g;
    yq__graph_create("relu_add", &g);
    int64_t dims[2] = {2, 3};
    int x = add_act(g, "x", YQ__DTYPE_F32, 2, dims);
    int c = add_const(g, "c", YQ__DTYPE_F32, 2, dims);
    float *cd = g->tensors[c].data;
    for (int i = 0; i < 6; i++)
        cd[i] = (float)i - 2.5f;
    int y = add_act(g, "y", YQ__DTYPE_F32, 2, dims);
    int z = add_act(g, "z", YQ__DTYPE_F32, 2, dims);
    yq__graph_add_node(g, "add", YQ__OP_ADD, 2, (const int[]){x, c}, 1, (const int[]){y});
    yq__graph_add_node(g, "relu", YQ__OP_RELU, 1, (const int[]){y}, 1, (const int[]){z});
    g->inputs = yq__malloc(sizeof(int));
    g->inputs[0] = x;
    g->n_inputs = 1;
    g->outputs = yq__malloc(sizeof(int));
    g->outputs[0] = z;
    g->n_outputs = 1;
    yq__graph_set_meta(g, "yq.custom_string", "hi");
    void *d = NULL;
    size_t n = 0;
    CHECKF(yq__yqm_write_memory(g, &d, &n, &E) == YQ_STATUS_OK, "%s", err);
    yq__graph_free(g);
    struct yq_model *m = NULL;
    char e2[256];
    enum yq_status st = yq_model_load_memory(d, n, "ra.yqm", NULL, &m, e2, sizeof e2);
    if (st == YQ_STATUS_UNSUPPORTED) {
        SKIP("operators not available yet: %s", e2);
    } else {
        CHECKF(st == YQ_STATUS_OK && m, "%s", e2);
        if (m) {
            CHECK(yq_model_n_inputs(m) == 1 && yq_model_n_outputs(m) == 1);
            const char *cs = yq_model_meta(m, "yq.custom_string");
            CHECK(cs && strcmp(cs, "hi") == 0);
            CHECK(yq_model_weights_size(m) == 24);
            struct yq_session *s = NULL;
            if (yq_session_create(m, NULL, &s, e2, sizeof e2) == YQ_STATUS_OK) {
                float in[6] = {1, 1, 1, 1, 1, 1};
                const float *out = NULL;
                struct yq_tensor_info info;
                CHECK(yq_session_set_input(s, 0, in, sizeof in, YQ_DTYPE_F32, YQ_LAYOUT_PLAIN) ==
                      YQ_STATUS_OK);
                CHECK(yq_session_run(s) == YQ_STATUS_OK);
                CHECK(yq_session_output_float(s, 0, &out, &info) == YQ_STATUS_OK);
                if (out)
                    for (int i = 0; i < 6; i++)
                        CHECK(out[i] == fmaxf(0.0f, 1.0f + (float)i - 2.5f));
                yq_session_free(s);
            } else {
                SKIP("session: %s", e2);
            }
        }
        yq_model_free(m);
    }
    /* A corrupt buffer through the public API: BAD_MODEL, *out NULL. */
    ((uint8_t *)d)[n - 1] ^= 1;
    m = (struct yq_model *)&m;
    CHECK(yq_model_load_memory(d, n, "ra.yqm", NULL, &m, e2, sizeof e2) == YQ_STATUS_BAD_MODEL &&
          !m && strcmp(e2, "ra.yqm: checksum mismatch (file corrupted)") == 0);
    yq__free(d);
}

int main(void)
{
    struct yq__graph *g = build_graph();
    CHECK(g != NULL);
    if (!g) return yq_test_finish();
    void *data = NULL;
    size_t size = 0;
    CHECKF(yq__yqm_write_memory(g, &data, &size, &E) == YQ_STATUS_OK, "%s", err);
    if (data) {
        const uint8_t *f = data;
        test_roundtrip(g, f, size);
        test_file(g, f, size);
        test_truncation(f, size);
        test_bit_flips(g, f, size);
        test_header(f, size);
        test_forged(f, size);
        test_fuzz(f, size);
        test_alloc_failures(g, f, size);
    }
    test_foreign();
    test_writer_rejects();
    test_load_model();
    yq__free(data);
    yq__graph_free(g);
    return yq_test_finish();
}
