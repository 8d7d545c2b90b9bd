/* SPDX-License-Identifier: Apache-2.0 */
/* An int8 .yqm whose checksum is right but whose contents lie: the committed int8 yolov5n is
 * read, then one field at a time is made inconsistent (quantization scale 0/NaN/negative,
 * zero point out of range, per-channel scale count, dtypes, the LUT attributes, node
 * flags, constant payloads) and the model is built. Every case must give OK or a one-line
 * error naming the file, never a crash (ASan runs this in CI), and never a leak; models
 * that still build also run once. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "runtime/runtime_internal.h"
#include "runtime/yqm.h"

static void *file;
static size_t file_size;

static struct yq__graph *fresh(void)
{
    char err[256];
    struct yq__err e = {err, sizeof err};
    struct yq__graph *g = NULL;
    if (yq__yqm_read_graph(file, file_size, "m.yqm", &g, &e)) {
        CHECKF(0, "%s", err);
        return NULL;
    }
    return g;
}

/* One random lie about a random tensor or node. */
static void mutate(struct yq__graph *g)
{
    int kind = yq_test_randint(0, 11);
    struct yq__tensor *t = &g->tensors[yq_test_randint(0, g->n_tensors - 1)];
    struct yq__node *n = &g->nodes[yq_test_randint(0, g->n_nodes - 1)];
    static const float bad_scales[] = {0.0f, -1.0f, NAN, INFINITY, 1e-38f, 1e38f};
    switch (kind) {
    case 0:
        t->q.scale = bad_scales[yq_test_randint(0, 5)];
        break;
    case 1:
        t->q.zero_point = yq_test_randint(0, 1) ? 1000 : -1000;
        break;
    case 2:
        if (t->q.n_channels > 0)
            t->q.channel_scales[yq_test_randint(0, t->q.n_channels - 1)] =
                bad_scales[yq_test_randint(0, 5)];
        break;
    case 3:
        if (t->q.n_channels > 1)
            t->q.n_channels--; /* fewer scales than output channels */
        break;
    case 4:
        t->dtype = (enum yq__dtype)yq_test_randint(0, YQ__DTYPE_COUNT - 1);
        break;
    case 5:
        n->quantized = !n->quantized;
        break;
    case 6:
        for (int a = 0; a < n->n_attrs; a++)
            if (!strcmp(n->attrs[a].name, "yq.pre_scale"))
                n->attrs[a].f = bad_scales[yq_test_randint(0, 5)];
        break;
    case 7:
        for (int a = 0; a < n->n_attrs; a++)
            if (!strcmp(n->attrs[a].name, "yq.pre_zero_point"))
                n->attrs[a].i = yq_test_randint(0, 1) ? 100000 : -100000;
        break;
    case 8:
        for (int a = 0; a < n->n_attrs; a++)
            if (n->attrs[a].kind == YQ__ATTR_STRING && !strcmp(n->attrs[a].name, "yq.act_mode"))
                n->attrs[a].s[0] = 'x';
        break;
    case 9:
        n->act.kind = (enum yq__act_kind)yq_test_randint(0, YQ__ACT_COUNT - 1);
        n->act.alpha = bad_scales[yq_test_randint(0, 5)];
        break;
    case 10:
        if (t->data && t->dtype == YQ__DTYPE_S32 && t->nbytes >= 4)
            ((int32_t *)t->data)[0] = yq_test_randint(0, 1) ? INT32_MAX : INT32_MIN;
        break;
    default:
        if (t->shape.rank > 0 && !t->data)
            t->shape.d[t->shape.rank - 1] += yq_test_randint(0, 1) ? 1 : -1;
        break;
    }
}

int main(void)
{
    char path[1024];
    file = yq_test_read_file(yq_test_data(path, sizeof path, "yolov5n-int8.yqm"), &file_size);
    CHECK(file != NULL);
    if (!file)
        return yq_test_finish();
    int n_ok = 0, n_err = 0, n_bad_msg = 0;
    for (int it = 0; it < 300; it++) {
        struct yq__graph *g = fresh();
        if (!g)
            break;
        int k = yq_test_randint(1, 3);
        for (int j = 0; j < k; j++)
            mutate(g);
        char err[512] = "";
        struct yq__err e = {err, sizeof err};
        struct yq_model *m = NULL;
        enum yq_status st = yq__model_create(g, &m, &e); /* takes g */
        if (st == YQ_STATUS_OK) {
            /* what passed prepare must also run (the first 40, to bound the time) */
            struct yq_session *ses = NULL;
            if (n_ok++ < 40 && yq_session_create(m, NULL, &ses, err, sizeof err) == 0) {
                struct yq_tensor_info in;
                yq_model_input_info(m, 0, &in);
                void *z = calloc(in.size_bytes ? in.size_bytes : 1, 1);
                yq_session_set_input(ses, 0, z, in.size_bytes, in.dtype, in.layout);
                yq_session_run(ses);
                free(z);
                yq_session_free(ses);
            }
            yq_model_free(m);
        } else {
            n_err++;
            if (!strstr(err, "m.yqm") || strchr(err, '\n'))
                n_bad_msg++;
        }
    }
    /* an unmodified graph still builds */
    struct yq__graph *g = fresh();
    char err[512] = "";
    struct yq__err e = {err, sizeof err};
    struct yq_model *m = NULL;
    CHECKF(g && yq__model_create(g, &m, &e) == YQ_STATUS_OK, "%s", err);
    yq_model_free(m);
    CHECKF(n_err > 100 && n_bad_msg == 0, "ok %d, errors %d, %d messages not naming the file",
           n_ok, n_err, n_bad_msg);
    free(file);
    return yq_test_finish();
}
