/* SPDX-License-Identifier: Apache-2.0 */
/* Pool window and stride planning shared by the fp32 and int8 pools (pool_common.h), so both
 * engines read the attributes alike and produce the same output size. */
#include "ops/pool_common.h"

enum yq_status yq__ops_pool_plan(const struct yq__graph *g, int node, struct yq__pool_plan *p,
                                 struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    if (nd->n_out > 1 && nd->out[1] >= 0)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "the Indices output is not supported");
    /* the kernels index with int */
    for (int i = 0; i < 4; i++)
        if (x->shape.d[i] > INT32_MAX)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "input too large");
    bool nhwc = yq__ops_is_nhwc(x);
    memset(p, 0, sizeof *p);
    p->n = (int)x->shape.d[0];
    p->c = (int)x->shape.d[nhwc ? 3 : 1];
    p->h = (int)x->shape.d[nhwc ? 1 : 2];
    p->w = (int)x->shape.d[nhwc ? 2 : 3];
    if (nd->op == YQ__OP_GLOBAL_MAX_POOL || nd->op == YQ__OP_GLOBAL_AVERAGE_POOL) {
        p->win = (struct yq__win2d){p->h, p->w, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1};
    } else {
        int cnt = 0;
        const int64_t *ks = yq__attr_ints(nd, "kernel_shape", &cnt);
        if (!ks || cnt != 2 || ks[0] < 1 || ks[1] < 1 || ks[0] > 65536 || ks[1] > 65536)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                "kernel_shape must be 2 positive values");
        bool ceil_mode = yq__attr_int(nd, "ceil_mode", 0) != 0;
        enum yq_status st =
            yq__ops_win2d(g, node, p->h, p->w, (int)ks[0], (int)ks[1], ceil_mode, &p->win, e);
        if (st) return st;
    }
    yq__ops_strides_4d(nhwc, p->c, p->h, p->w, &p->in_sn, &p->in_sc, &p->in_sy, &p->in_sx);
    yq__ops_strides_4d(nhwc, p->c, p->win.oh, p->win.ow, &p->out_sn, &p->out_sc, &p->out_sy,
                       &p->out_sx);
    return YQ_STATUS_OK;
}
