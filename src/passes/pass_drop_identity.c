/* SPDX-License-Identifier: Apache-2.0 */
/* Identity and Dropout (inference) are removed: consumers read the input directly. An
 * Identity that produces a graph output is kept so the output keeps its name. */
#include "passes.h"

enum yq_status yq__pass_drop_identity(struct yq__graph *g, struct yq__err *e)
{
    bool any = false;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        struct yq__node *nd = &g->nodes[ni];
        if (nd->dead || (nd->op != YQ__OP_IDENTITY && nd->op != YQ__OP_DROPOUT))
            continue;
        if (nd->n_in < 1 || nd->in[0] < 0 || nd->n_out < 1 || nd->out[0] < 0)
            continue;
        if (g->tensors[nd->out[0]].is_output)
            continue;
        /* Dropout's optional mask output must be unused. */
        if (nd->n_out > 1 && nd->out[1] >= 0 && g->tensors[nd->out[1]].n_consumers > 0)
            continue;
        yq__graph_replace_uses(g, nd->out[0], nd->in[0]);
        nd->dead = true;
        any = true;
    }
    return any ? yq__graph_compact(g, e) : YQ_STATUS_OK;
}
