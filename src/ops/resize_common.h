/* SPDX-License-Identifier: Apache-2.0 */
/* The geometry of Resize (opset 10+) and Upsample (opset 7-9) shared by the fp32 (resize.c)
 * and int8 (s8_spatial.c) operators: mode, coordinate_transformation_mode, nearest_mode,
 * scales or sizes, and the source coordinate of an output index, so both tabulate the same
 * source rows and columns. */
#ifndef YQ_OPS_RESIZE_COMMON_H
#define YQ_OPS_RESIZE_COMMON_H

#include "ops/util.h"

enum yq__resize_coord {
    YQ__RESIZE_COORD_HALF_PIXEL,
    YQ__RESIZE_COORD_PYTORCH_HALF_PIXEL,
    YQ__RESIZE_COORD_ALIGN_CORNERS,
    YQ__RESIZE_COORD_ASYMMETRIC,
    YQ__RESIZE_COORD_TF_HALF_PIXEL_NN,
    YQ__RESIZE_COORD_COUNT
};
enum yq__resize_nearest {
    YQ__RESIZE_NEAREST_ROUND_PREFER_FLOOR,
    YQ__RESIZE_NEAREST_ROUND_PREFER_CEIL,
    YQ__RESIZE_NEAREST_FLOOR,
    YQ__RESIZE_NEAREST_CEIL,
    YQ__RESIZE_NEAREST_COUNT
};

struct yq__resize_plan {
    bool linear;
    enum yq__resize_coord coord;
    enum yq__resize_nearest nearest;
    int64_t n, c, h, w, oh, ow; /* all within int32 once planned */
    double sh, sw;
};

/* Reads the attributes and the scales/sizes inputs of a Resize or Upsample node whose input 0
 * the caller has checked (io count, dtype, rank 4). Errors name the unsupported value. */
enum yq_status yq__ops_resize_plan(const struct yq__graph *g, int node, struct yq__resize_plan *p,
                                   struct yq__err *e);

/* Source coordinate (unclamped) of output index o on an axis of in -> out elements. */
double yq__ops_resize_coord(const struct yq__resize_plan *p, int64_t o, int64_t in, int64_t out,
                            double scale);

/* Source index of coordinate x by nearest_mode, clamped to [0, in - 1]. */
int32_t yq__ops_resize_nearest(const struct yq__resize_plan *p, double x, int64_t in);

#endif
