/* SPDX-License-Identifier: Apache-2.0 */
/* The geometry of a 2D pool (MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool) shared
 * by the fp32 (pool.c) and int8 (s8_spatial.c) operators: input sizes, the window from
 * kernel_shape, ceil_mode, strides, dilations and pads, and element strides in either layout
 * for the kernels, which walk channel vectors innermost. */
#ifndef YQ_OPS_POOL_COMMON_H
#define YQ_OPS_POOL_COMMON_H

#include "ops/util.h"

struct yq__pool_plan {
    struct yq__win2d win;
    int n, c, h, w;
    /* element strides of input and output: image, channel, row, column */
    int64_t in_sn, in_sc, in_sy, in_sx;
    int64_t out_sn, out_sc, out_sy, out_sx;
};

/* Plans the pool of a node whose input 0 the caller has checked (io count, dtype, rank 4);
 * the Global ops take the whole image as the window. Errors name the bad attribute. */
enum yq_status yq__ops_pool_plan(const struct yq__graph *g, int node, struct yq__pool_plan *p,
                                 struct yq__err *e);

#endif
