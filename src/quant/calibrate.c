/* SPDX-License-Identifier: Apache-2.0 */
/* The calibration run (see calibrate.h). The model is built from the graph once, the
 * session's per-node observer hook hands each node's outputs to the tensor's observer right
 * after the node ran (the memory plan may reuse them later), and the graph is taken back
 * from the model at the end with its ranges set. */
#include "quant/calibrate.h"

#include <string.h>

#include "runtime/runtime_internal.h"

void yq__calibrate_options_init(struct yq__calibrate_options *o)
{
    memset(o, 0, sizeof *o);
    yq__calib_options_init(&o->algo);
    o->n_threads = 1;
}

struct calib_run {
    struct yq__observer *obs; /* per tensor; watched[t] says which are used */
    bool *watched;
};

static bool is_watched(const struct yq__tensor *t)
{
    return t->dtype == YQ__DTYPE_F32 && !t->data;
}

static void observe_tensor(const struct calib_run *c, const struct yq_session *s, int t)
{
    if (t < 0 || !c->watched[t])
        return;
    const struct yq__tensor *tt = &s->m->g->tensors[t];
    yq__observer_update(&c->obs[t], yq__session_tensor(s, t), (size_t)yq__shape_numel(&tt->shape));
}

static void observe_node(void *ctx, const struct yq_session *s, int node)
{
    const struct yq__node *n = &s->m->g->nodes[node];
    for (int j = 0; j < n->n_out; j++)
        observe_tensor(ctx, s, n->out[j]);
}

enum yq_status yq__calibrate(struct yq__graph **gp, const struct yq__calibrate_options *o, int n,
                             yq__calib_feed feed, void *ctx, int *n_nonfinite,
                             struct yq__err *e)
{
    struct yq_model *m = NULL;
    struct yq_session *s = NULL;
    struct calib_run c = {0};
    if (n_nonfinite)
        *n_nonfinite = 0;
    enum yq_status st = yq__model_create(*gp, &m, e);
    *gp = NULL;
    if (st)
        return st;
    const struct yq__graph *g = m->g;
    const char *src = g->source ? g->source : "model";
    if (n < 1) {
        st = yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: calibration needs at least one sample",
                      src);
        goto done;
    }
    c.obs = yq__calloc((size_t)g->n_tensors + 1, sizeof *c.obs);
    c.watched = yq__calloc((size_t)g->n_tensors + 1, sizeof *c.watched);
    if (!c.obs || !c.watched) {
        st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory calibrating", src);
        goto done;
    }
    for (int t = 0; t < g->n_tensors; t++) {
        yq__observer_init(&c.obs[t]);
        c.watched[t] = is_watched(&g->tensors[t]);
    }
    struct yq_session_options so;
    yq_session_options_init(&so);
    so.n_threads = o->n_threads > 0 ? o->n_threads : 1;
    char msg[256];
    if ((st = yq_session_create(m, &so, &s, msg, sizeof msg))) {
        st = yq__errf(e, st, "%s", msg);
        goto done;
    }
    yq__session_set_observer(s, observe_node, &c);
    int n_passes = o->algo.algorithm == YQ__CALIB_NORMAL ? 1 : 2;
    for (int pass = 1; pass <= n_passes; pass++) {
        if (pass == 2)
            for (int t = 0; t < g->n_tensors; t++)
                if (c.watched[t] &&
                    (st = yq__observer_begin_histogram(&c.obs[t], o->hist_bins, e)))
                    goto done;
        for (int i = 0; i < n; i++) {
            if ((st = feed(ctx, i, s, e)))
                goto done;
            for (int k = 0; k < g->n_inputs; k++)
                observe_tensor(&c, s, g->inputs[k]);
            if ((st = yq_session_run(s))) {
                st = yq__errf(e, st, "%s: calibration run failed on sample %d", src, i + 1);
                goto done;
            }
            if (o->progress)
                o->progress(o->progress_ctx, pass, n_passes, i + 1, n);
        }
    }
    for (int t = 0; t < g->n_tensors; t++) {
        struct yq__tensor *tt = &g->tensors[t];
        if (!c.watched[t])
            continue;
        if (c.obs[t].n_nonfinite) {
            if (n_nonfinite)
                (*n_nonfinite)++;
            continue;
        }
        float lo, hi;
        if ((st = yq__calib_range(&c.obs[t], &o->algo, &lo, &hi, e)))
            goto done;
        tt->range_min = lo;
        tt->range_max = hi;
        tt->has_range = c.obs[t].n_finite > 0;
    }
done:
    yq_session_free(s);
    if (c.obs)
        for (int t = 0; t < g->n_tensors; t++)
            yq__observer_free(&c.obs[t]);
    yq__free(c.obs);
    yq__free(c.watched);
    if (st) {
        yq_model_free(m);
        return st;
    }
    *gp = yq__model_take_graph(m);
    return YQ_STATUS_OK;
}
