/* SPDX-License-Identifier: Apache-2.0 */
/* Resize/Upsample attribute and scales/sizes parsing and the coordinate rules, shared by the
 * fp32 and int8 operators (resize_common.h), so a model resizes to the same rows and columns
 * whichever engine runs it. */
#include <math.h>

#include "ops/resize_common.h"

static bool parse_name(const char *s, const char *const *names, int n, int *out)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return true;
        }
    return false;
}

enum yq_status yq__ops_resize_plan(const struct yq__graph *g, int node, struct yq__resize_plan *p,
                                   struct yq__err *e)
{
    static const char *const coords[YQ__RESIZE_COORD_COUNT] = {
        "half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"};
    static const char *const nearests[YQ__RESIZE_NEAREST_COUNT] = {
        "round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    const struct yq__node *nd = &g->nodes[node];
    bool upsample = nd->op == YQ__OP_UPSAMPLE;
    const struct yq__tensor *x = yq__ops_in(g, node, 0);
    char sb[YQ__SHAPE_BUF];
    memset(p, 0, sizeof *p);
    bool nhwc = yq__ops_is_nhwc(x);
    p->n = x->shape.d[0];
    p->c = x->shape.d[nhwc ? 3 : 1];
    p->h = x->shape.d[nhwc ? 1 : 2];
    p->w = x->shape.d[nhwc ? 2 : 3];
    const char *mode = yq__attr_string(nd, "mode", "nearest");
    if (strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0)
        p->linear = true;
    else if (strcmp(mode, "nearest") != 0)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "mode '%s' is not supported", mode);
    /* Upsample has neither attribute: its rule is asymmetric coordinates, floor */
    const char *cm = upsample ? "asymmetric"
                              : yq__attr_string(nd, "coordinate_transformation_mode", "half_pixel");
    const char *nm = upsample ? "floor" : yq__attr_string(nd, "nearest_mode", "round_prefer_floor");
    int ci = 0, ni = 0;
    if (!parse_name(cm, coords, YQ__RESIZE_COORD_COUNT, &ci))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "coordinate_transformation_mode '%s' is not supported", cm);
    if (!parse_name(nm, nearests, YQ__RESIZE_NEAREST_COUNT, &ni))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "nearest_mode '%s' is not supported",
                            nm);
    p->coord = (enum yq__resize_coord)ci;
    p->nearest = (enum yq__resize_nearest)ni;
    /* scales: input 2 (opset 11+), input 1 (opset 10 Resize, opset 9 Upsample) or the
     * attribute (opset 7 Upsample); sizes: input 3 */
    float scales[4];
    int ns = 0;
    int si = nd->n_in >= 3 ? 2 : 1;
    const struct yq__tensor *ts = yq__ops_in(g, node, si), *tz = yq__ops_in(g, node, 3);
    if (ts && yq__shape_numel(&ts->shape) > 0) {
        const void *v = yq__ops_value(g, nd->in[si]);
        if (!v || ts->dtype != YQ__DTYPE_F32 || yq__shape_numel(&ts->shape) != 4)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "scales must be a constant of 4 floats");
        memcpy(scales, v, sizeof scales);
        ns = 4;
    } else if (upsample) {
        const float *a = yq__attr_floats(nd, "scales", &ns);
        if (!a || ns != 4)
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "scales are missing");
        memcpy(scales, a, sizeof scales);
    }
    if (ns == 4) {
        if (scales[0] != 1.0f || scales[1] != 1.0f || !(scales[2] > 0.0f) || !(scales[3] > 0.0f) ||
            scales[2] > 1024.0f || scales[3] > 1024.0f)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "scales [%g,%g,%g,%g] are not a spatial resize", scales[0],
                                scales[1], scales[2], scales[3]);
        p->sh = scales[2];
        p->sw = scales[3];
        p->oh = (int64_t)floor((double)p->h * p->sh);
        p->ow = (int64_t)floor((double)p->w * p->sw);
    } else if (tz) {
        int64_t sz[4];
        int n = 0;
        if (!yq__ops_const_ints(g, node, 3, sz, 4, &n) || n != 4)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "sizes must be a constant of 4 values");
        if (sz[0] != p->n || sz[1] != p->c || sz[2] < 1 || sz[3] < 1 || sz[2] > (1 << 20) ||
            sz[3] > (1 << 20))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "sizes [%lld,%lld,%lld,%lld] are not a spatial resize of %s",
                                (long long)sz[0], (long long)sz[1], (long long)sz[2],
                                (long long)sz[3], yq__ops_sh(&x->shape, sb));
        p->oh = sz[2];
        p->ow = sz[3];
        p->sh = (double)p->oh / (double)p->h;
        p->sw = (double)p->ow / (double)p->w;
    } else {
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "neither scales nor sizes given");
    }
    /* the states hold int sizes and the tables int32 indices */
    if (p->oh < 1 || p->ow < 1 || p->h < 1 || p->w < 1 || p->oh > INT32_MAX / 2 ||
        p->ow > INT32_MAX / 2 || p->n > INT32_MAX || p->c > INT32_MAX)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "output size %lldx%lld is invalid",
                            (long long)p->oh, (long long)p->ow);
    return YQ_STATUS_OK;
}

double yq__ops_resize_coord(const struct yq__resize_plan *p, int64_t o, int64_t in, int64_t out,
                            double scale)
{
    /* ONNX's length_resized is in * scale, not the rounded output size: they differ when
     * the scales do not divide evenly (a 4-wide row at 0.6 → 2 outputs, length 2.4) */
    double len = (double)in * scale;
    (void)out;
    switch (p->coord) {
    case YQ__RESIZE_COORD_HALF_PIXEL:
        return ((double)o + 0.5) / scale - 0.5;
    case YQ__RESIZE_COORD_PYTORCH_HALF_PIXEL:
        return len > 1.0 ? ((double)o + 0.5) / scale - 0.5 : 0.0;
    case YQ__RESIZE_COORD_ALIGN_CORNERS:
        return len > 1.0 ? (double)o * (double)(in - 1) / (len - 1.0) : 0.0;
    case YQ__RESIZE_COORD_TF_HALF_PIXEL_NN:
        return ((double)o + 0.5) / scale;
    default:
        return (double)o / scale;
    }
}

int32_t yq__ops_resize_nearest(const struct yq__resize_plan *p, double x, int64_t in)
{
    double r;
    switch (p->nearest) {
    case YQ__RESIZE_NEAREST_ROUND_PREFER_CEIL:
        r = floor(x + 0.5);
        break;
    case YQ__RESIZE_NEAREST_FLOOR:
        r = floor(x);
        break;
    case YQ__RESIZE_NEAREST_CEIL:
        r = ceil(x);
        break;
    default:
        r = ceil(x - 0.5);
        break;
    }
    return (int32_t)(r < 0.0 ? 0 : (r > (double)(in - 1) ? in - 1 : (int64_t)r));
}
