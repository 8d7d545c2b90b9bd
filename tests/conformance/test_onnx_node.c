/* SPDX-License-Identifier: Apache-2.0 */
/* ONNX's own node conformance tests (Debian's libonnx-testdata: model.onnx + input_N.pb +
 * output_N.pb per data set) run through yq_onnx_run, what `yoloq run` does. Every test whose
 * operators yoloq imports must either match ONNX's tolerances (rtol 1e-3, atol 1e-7, as
 * onnx/backend/test/runner) or be refused at import with a one-line error; a run that gives
 * a wrong answer fails. Prints pass / refused / wrong per operator. Exit 77 (skipped) when
 * the package is absent. YQ_ONNX_NODE_DIR overrides the folder; YQ_ONNX_NODE_VERBOSE=1
 * prints each refusal. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "ir/ir.h"
#include "onnx.pb-c.h"
#include "yoloq/toolkit.h"

#define DEFAULT_DIR "/usr/share/libonnx-testdata/data/node"
#define MAX_OPS 64

struct op_count {
    char op[48];
    int pass, refused, wrong;
};
static struct op_count ops[MAX_OPS];
static int n_ops;

static struct op_count *count_of(const char *op)
{
    for (int i = 0; i < n_ops; i++)
        if (!strcmp(ops[i].op, op)) return &ops[i];
    if (n_ops == MAX_OPS) return &ops[MAX_OPS - 1];
    snprintf(ops[n_ops].op, sizeof ops[n_ops].op, "%s", op);
    return &ops[n_ops++];
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The operator a test is about (its first non-Constant node) if every node's operator is
 * one yoloq imports, else NULL. *n_in = number of graph inputs that are not initializers. */
static bool applicable(const char *model, char *op, size_t cap)
{
    size_t n;
    void *b = yq_test_read_file(model, &n);
    if (!b) return false;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, n, b);
    free(b);
    if (!m) return false;
    bool ok = m->graph && m->graph->n_node > 0;
    op[0] = '\0';
    for (size_t i = 0; ok && i < m->graph->n_node; i++) {
        const Onnx__NodeProto *nd = m->graph->node[i];
        if (nd->domain && *nd->domain && strcmp(nd->domain, "ai.onnx")) ok = false;
        const char *t = nd->op_type ? nd->op_type : "";
        enum yq__op o = yq__op_from_name(t);
        if (o == YQ__OP_COUNT || o == YQ__OP_QUANTIZE || o == YQ__OP_DEQUANTIZE) ok = false;
        if (!op[0] && o != YQ__OP_CONSTANT) snprintf(op, cap, "%s", t);
    }
    if (!op[0]) snprintf(op, cap, "Constant");
    onnx__model_proto__free_unpacked(m, NULL);
    return ok;
}

static double f16(uint16_t h)
{
    int ex = (h >> 10) & 31, man = h & 1023;
    double v = ex == 0    ? ldexp(man, -24)
               : ex == 31 ? (man ? NAN : INFINITY)
                          : ldexp(man + 1024, ex - 25);
    return h & 0x8000 ? -v : v;
}

static double value(const struct yq_array *a, size_t i)
{
    const unsigned char *p = a->data;
    switch (a->elem_type) {
    case 1: {
        float v;
        memcpy(&v, p + 4 * i, 4);
        return v;
    }
    case 11: {
        double v;
        memcpy(&v, p + 8 * i, 8);
        return v;
    }
    case 2:
    case 9:
        return p[i];
    case 3:
        return (int8_t)p[i];
    case 6: {
        int32_t v;
        memcpy(&v, p + 4 * i, 4);
        return v;
    }
    case 7: {
        int64_t v;
        memcpy(&v, p + 8 * i, 8);
        return (double)v;
    }
    default:
        return NAN;
    }
}

/* np.testing.assert_allclose(actual, expected, rtol=1e-3, atol=1e-7), NaN == NaN. */
static bool close_enough(const struct yq_array *got, const struct yq_array *want, char *why,
                         size_t cap)
{
    if (got->n_dims != want->n_dims) {
        snprintf(why, cap, "rank %d, expected %d", got->n_dims, want->n_dims);
        return false;
    }
    size_t n = 1;
    for (int d = 0; d < want->n_dims; d++) {
        if (got->dims[d] != want->dims[d]) {
            snprintf(why, cap, "dim %d is %lld, expected %lld", d, (long long)got->dims[d],
                     (long long)want->dims[d]);
            return false;
        }
        n *= (size_t)want->dims[d];
    }
    bool want_f = want->elem_type == 1 || want->elem_type == 10 || want->elem_type == 11;
    if (want->elem_type != got->elem_type && !(want->elem_type == 10 && got->elem_type == 1)) {
        snprintf(why, cap, "element type %d, expected %d", got->elem_type, want->elem_type);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        double g = value(got, i), w = want->elem_type == 10 ? NAN : value(want, i);
        if (want->elem_type == 10) {
            uint16_t h;
            memcpy(&h, (const unsigned char *)want->data + 2 * i, 2);
            w = f16(h);
        }
        bool ok =
            (isnan(w) && isnan(g)) || g == w || (want_f && fabs(g - w) <= 1e-7 + 1e-3 * fabs(w));
        if (!ok) {
            snprintf(why, cap, "element %zu is %.9g, expected %.9g", i, g, w);
            return false;
        }
    }
    return true;
}

/* Files "<dir>/<prefix><i>.pb" for i = 0.. while they exist; returns the count. */
static int load_set(const char *dir, const char *prefix, struct yq_array *a, int max)
{
    int n = 0;
    for (; n < max; n++) {
        char path[1024], err[256];
        snprintf(path, sizeof path, "%s/%s%d.pb", dir, prefix, n);
        struct stat st;
        if (stat(path, &st)) break;
        if (yq_array_load(path, &a[n], err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
    }
    return n;
}

enum result { R_PASS, R_REFUSED, R_WRONG };

static enum result run_case(const char *test, const char *dir, const char *model, bool verbose)
{
    struct yq_array in[16], want[16];
    memset(in, 0, sizeof in);
    memset(want, 0, sizeof want);
    int ni = load_set(dir, "input_", in, 16), nw = load_set(dir, "output_", want, 16);
    enum result r = R_WRONG;
    if (ni < 0 || nw < 0) {
        fprintf(stderr, "%s: cannot read the test tensors (refused)\n", test);
        r = R_REFUSED;
        goto done;
    }
    char err[512] = "";
    struct yq_array *got = NULL;
    int ng = 0;
    enum yq_status st = yq_onnx_run(model, ni, in, 1, &ng, &got, err, sizeof err);
    if (st) {
        bool one_line = err[0] && !strchr(err, '\n');
        if (verbose || !one_line) fprintf(stderr, "%s: refused: %s\n", test, err);
        r = one_line ? R_REFUSED : R_WRONG;
        goto done;
    }
    char why[256] = "";
    bool ok = ng == nw;
    if (!ok) snprintf(why, sizeof why, "%d outputs, expected %d", ng, nw);
    for (int i = 0; ok && i < nw; i++) {
        ok = close_enough(&got[i], &want[i], why, sizeof why);
        if (!ok) {
            char tmp[sizeof why + 32];
            snprintf(tmp, sizeof tmp, "output %d: %s", i, why);
            memcpy(why, tmp, sizeof why - 1); /* cut to why's size */
            why[sizeof why - 1] = '\0';
        }
    }
    if (!ok) fprintf(stderr, "%s: WRONG: %s\n", test, why);
    r = ok ? R_PASS : R_WRONG;
    yq_array_list_free(got, ng);
done:
    for (int i = 0; i < 16; i++) {
        yq_array_clear(&in[i]);
        yq_array_clear(&want[i]);
    }
    return r;
}

/* The same case through the CLI: `yoloq run` with input 0 converted to .npy, the rest as
 * .pb, output_0.npy read back and compared. */
static void run_cli(const char *root, const char *test)
{
    char dir[1024], model[1100], npy[1200], cmd[8192], out[1200], want_path[1200], err[256];
    snprintf(dir, sizeof dir, "%s/%s/test_data_set_0", root, test);
    snprintf(model, sizeof model, "%s/%s/model.onnx", root, test);
    char tmp[] = "/tmp/yq_run_XXXXXX";
    if (!mkdtemp(tmp)) {
        CHECK(!"mkdtemp");
        return;
    }
    struct yq_array a, got, want;
    snprintf(npy, sizeof npy, "%s/input_0.npy", tmp);
    char in0[1100];
    snprintf(in0, sizeof in0, "%s/input_0.pb", dir);
    CHECK(yq_array_load(in0, &a, err, sizeof err) == YQ_STATUS_OK);
    CHECK(yq_array_save_npy(npy, &a, err, sizeof err) == YQ_STATUS_OK);
    yq_array_clear(&a);
    int n = snprintf(cmd, sizeof cmd, "'%s/yoloq' run --model '%s' --input '%s'", YQ_BINARY_DIR,
                     model, npy);
    for (int i = 1; i < 8; i++) {
        char p[1100];
        struct stat st;
        snprintf(p, sizeof p, "%s/input_%d.pb", dir, i);
        if (stat(p, &st)) break;
        n += snprintf(cmd + n, sizeof cmd - (size_t)n, " --input '%s'", p);
    }
    snprintf(cmd + n, sizeof cmd - (size_t)n, " -o '%s/out' >/dev/null", tmp);
    int rc = system(cmd);
    CHECKF(rc == 0, "%s: yoloq run exited %d", test, rc);
    snprintf(out, sizeof out, "%s/out/output_0.npy", tmp);
    snprintf(want_path, sizeof want_path, "%s/output_0.pb", dir);
    memset(&got, 0, sizeof got);
    if (rc == 0 && yq_array_load(out, &got, err, sizeof err) == YQ_STATUS_OK &&
        yq_array_load(want_path, &want, err, sizeof err) == YQ_STATUS_OK) {
        char why[256] = "";
        CHECKF(close_enough(&got, &want, why, sizeof why), "%s via the CLI: %s", test, why);
        yq_array_clear(&want);
    } else {
        CHECKF(false, "%s: no output_0.npy from yoloq run", test);
    }
    yq_array_clear(&got);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    const char *root = getenv("YQ_ONNX_NODE_DIR");
    if (!root || !*root) root = DEFAULT_DIR;
    bool verbose = getenv("YQ_ONNX_NODE_VERBOSE") && atoi(getenv("YQ_ONNX_NODE_VERBOSE"));
    DIR *d = opendir(root);
    if (!d) {
        SKIP("%s absent (Debian package libonnx-testdata)", root);
        yq_test_finish();
        return 77;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, "test_", 5)) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_name);
    int total[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        char model[1024], op[48];
        snprintf(model, sizeof model, "%s/%s/model.onnx", root, names[i]);
        if (!applicable(model, op, sizeof op)) continue;
        struct op_count *c = count_of(op);
        enum result worst = R_PASS;
        for (int set = 0;; set++) {
            char dir[1024];
            struct stat st;
            snprintf(dir, sizeof dir, "%s/%s/test_data_set_%d", root, names[i], set);
            if (stat(dir, &st)) break;
            enum result r = run_case(names[i], dir, model, verbose);
            if (r > worst) worst = r;
            if (r == R_REFUSED) break;
        }
        total[worst]++;
        if (worst == R_PASS)
            c->pass++;
        else if (worst == R_REFUSED)
            c->refused++;
        else
            c->wrong++;
        CHECKF(worst != R_WRONG, "%s ran and gave a wrong answer", names[i]);
    }
    /* a few through the CLI: a Conv with its weight bound, a Reshape shape, a Resize's
     * scales, a Slice's starts/ends, an int64 output (Shape) */
    static const char *const cli_cases[] = {"test_conv_with_strides_padding",
                                            "test_reshape_reduced_dims",
                                            "test_resize_upsample_scales_linear",
                                            "test_slice",
                                            "test_shape",
                                            NULL};
    for (int i = 0; cli_cases[i]; i++)
        run_cli(root, cli_cases[i]);
    printf("%-22s %5s %8s %6s\n", "operator", "pass", "refused", "wrong");
    for (int i = 0; i < n_ops; i++)
        printf("%-22s %5d %8d %6d\n", ops[i].op, ops[i].pass, ops[i].refused, ops[i].wrong);
    printf("%-22s %5d %8d %6d   (%d node tests use only operators yoloq imports)\n", "total",
           total[0], total[1], total[2], total[0] + total[1] + total[2]);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return yq_test_finish();
}
