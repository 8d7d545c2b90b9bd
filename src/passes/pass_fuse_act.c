/* SPDX-License-Identifier: Apache-2.0 */
/* Activation fusion. Conv followed by Relu, LeakyRelu, Sigmoid, Clip, HardSwish or SiLU
 * (exported by PyTorch as x * Sigmoid(x)) becomes one Conv with an epilogue; elsewhere
 * the Sigmoid·Mul pair becomes one SiLU node. A tensor that is a graph output is never
 * fused away. */
#include "passes.h"

static bool single_use(const struct yq__graph *g, int t, int *user)
{
    return !g->tensors[t].is_output && yq__consumers(g, t, user, 1) == 1;
}

/* If t feeds exactly Sigmoid(t) -> s and Mul(t, s) (in either order), returns the Mul node
 * and sets *sig; else -1. */
static int silu_pattern(const struct yq__graph *g, int t, int *sig)
{
    int users[3];
    if (g->tensors[t].is_output || yq__consumers(g, t, users, 3) != 2)
        return -1;
    for (int k = 0; k < 2; k++) {
        const struct yq__node *s = &g->nodes[users[k]];
        const struct yq__node *m = &g->nodes[users[1 - k]];
        if (s->op != YQ__OP_SIGMOID || m->op != YQ__OP_MUL || m->n_in != 2)
            continue;
        int so = s->out[0], mu;
        if (!single_use(g, so, &mu) || mu != users[1 - k])
            continue;
        if ((m->in[0] == t && m->in[1] == so) || (m->in[1] == t && m->in[0] == so)) {
            *sig = users[k];
            return users[1 - k];
        }
    }
    return -1;
}

bool yq__act_of(const struct yq__node *n, struct yq__act *act)
{
    switch (n->op) {
    case YQ__OP_RELU:
        *act = (struct yq__act){YQ__ACT_RELU, 0, 0};
        return true;
    case YQ__OP_LEAKY_RELU:
        *act = (struct yq__act){YQ__ACT_LEAKY_RELU, yq__attr_float(n, "alpha", 0.01f), 0};
        return true;
    case YQ__OP_SIGMOID:
        *act = (struct yq__act){YQ__ACT_SIGMOID, 0, 0};
        return true;
    case YQ__OP_SILU:
        *act = (struct yq__act){YQ__ACT_SILU, 0, 0};
        return true;
    case YQ__OP_HARD_SWISH:
        *act = (struct yq__act){YQ__ACT_HARD_SWISH, 0, 0};
        return true;
    case YQ__OP_CLIP:
        if (n->n_in > 1) /* min/max still tensors: not canonicalised */
            return false;
        *act = (struct yq__act){YQ__ACT_CLIP, yq__attr_float(n, "min", -3.4e38f),
                                yq__attr_float(n, "max", 3.4e38f)};
        return true;
    default:
        return false;
    }
}

enum yq_status yq__pass_fuse_act(struct yq__graph *g, bool conv, struct yq__err *e)
{
    bool any = false;
    /* 1. Sigmoid·Mul → SiLU everywhere (also after Conv, fused in step 2). */
    for (int ni = 0; ni < g->n_nodes; ni++) {
        struct yq__node *nd = &g->nodes[ni];
        if (nd->dead || nd->n_out < 1)
            continue;
        for (int j = 0; j < nd->n_out; j++) {
            int t = nd->out[j], sig;
            if (t < 0)
                continue;
            int mul = silu_pattern(g, t, &sig);
            if (mul < 0)
                continue;
            /* Reuse the Sigmoid node as the SiLU: input t, output the Mul's output. */
            struct yq__node *s = &g->nodes[sig];
            s->op = YQ__OP_SILU;
            s->out[0] = g->nodes[mul].out[0];
            g->nodes[mul].dead = true;
            any = true;
        }
    }
    if (any) {
        enum yq_status st = yq__graph_compact(g, e);
        if (st)
            return st;
    }
    /* 2. Conv → activation. */
    bool fused = false;
    for (int ni = 0; conv && ni < g->n_nodes; ni++) {
        struct yq__node *c = &g->nodes[ni];
        if (c->dead || c->op != YQ__OP_CONV || c->act.kind != YQ__ACT_NONE || c->quantized)
            continue;
        int user;
        if (!single_use(g, c->out[0], &user))
            continue;
        struct yq__node *a = &g->nodes[user];
        struct yq__act act;
        if (a->quantized || a->n_in < 1 || a->in[0] != c->out[0] || !yq__act_of(a, &act))
            continue;
        c->act = act;
        c->out[0] = a->out[0];
        a->dead = true;
        fused = true;
    }
    return fused ? yq__graph_compact(g, e) : YQ_STATUS_OK;
}
