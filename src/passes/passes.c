/* SPDX-License-Identifier: Apache-2.0 */
/* The pass pipeline and small graph queries the passes share. */
#include "passes.h"

#include <string.h>

void yq__pass_options_init(struct yq__pass_options *o)
{
    memset(o, 0, sizeof *o);
    o->nhwc = true;
    o->fuse_conv_act = true;
}

int yq__consumers(const struct yq__graph *g, int t, int *nodes, int max)
{
    int n = 0;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        const struct yq__node *nd = &g->nodes[ni];
        if (nd->dead)
            continue;
        for (int j = 0; j < nd->n_in; j++) {
            if (nd->in[j] == t) {
                if (n < max)
                    nodes[n] = ni;
                n++;
                break;
            }
        }
    }
    return n;
}

enum yq_status yq__pass_dead_code(struct yq__graph *g, struct yq__err *e)
{
    bool *live = yq__calloc((size_t)g->n_tensors + 1, sizeof *live);
    if (!live)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
    for (int i = 0; i < g->n_outputs; i++)
        live[g->outputs[i]] = true;
    for (int ni = g->n_nodes - 1; ni >= 0; ni--) {
        struct yq__node *nd = &g->nodes[ni];
        if (nd->dead)
            continue;
        bool needed = false;
        for (int j = 0; j < nd->n_out; j++)
            needed |= nd->out[j] >= 0 && live[nd->out[j]];
        if (!needed) {
            nd->dead = true;
            continue;
        }
        for (int j = 0; j < nd->n_in; j++)
            if (nd->in[j] >= 0)
                live[nd->in[j]] = true;
    }
    yq__free(live);
    return yq__graph_compact(g, e);
}

enum yq_status yq__passes_run(struct yq__graph *g, const struct yq__pass_options *o,
                              struct yq__err *e)
{
    struct yq__pass_options def;
    if (!o) {
        yq__pass_options_init(&def);
        o = &def;
    }
    enum yq_status st;
    if ((st = yq__pass_fold_constants(g, e)) || (st = yq__pass_drop_identity(g, e)) ||
        (st = yq__pass_cut_head(g, o->outputs, e)) || (st = yq__pass_fold_bn(g, e)) ||
        (st = yq__pass_fuse_act(g, o->fuse_conv_act, e)))
        return st;
    if (o->nhwc && (st = yq__pass_nhwc(g, e)))
        return st;
    return yq__graph_compact(g, e);
}
