/* SPDX-License-Identifier: Apache-2.0 */
/* The reference activation: double precision, one rounding, no ISA dispatch, so tables
 * built from it (int8 lookup tables) are identical on every CPU and architecture. */
#include <math.h>

#include "kernels.h"

float yq__act_ref(float x, const struct yq__act *act)
{
    if (!act)
        return x;
    double v = x;
    switch (act->kind) {
    case YQ__ACT_RELU:
        return x > 0.0f ? x : 0.0f;
    case YQ__ACT_LEAKY_RELU:
        return x > 0.0f ? x : (float)(v * act->alpha);
    case YQ__ACT_SIGMOID:
        return (float)(1.0 / (1.0 + exp(-v)));
    case YQ__ACT_SILU:
        return (float)(v / (1.0 + exp(-v)));
    case YQ__ACT_HARD_SWISH: {
        double t = v + 3.0;
        t = t < 0.0 ? 0.0 : (t > 6.0 ? 6.0 : t);
        return (float)(v * t / 6.0);
    }
    case YQ__ACT_CLIP:
        return x < act->alpha ? act->alpha : (x > act->beta ? act->beta : x);
    default:
        return x;
    }
}
