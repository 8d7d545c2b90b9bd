/* SPDX-License-Identifier: Apache-2.0 */
/* Weight-side quantization (DESIGN.md "Quantization scheme"): symmetric int8 weights per
 * output channel or per tensor, int32 biases with scale s_in * s_w, and the fp32
 * requantization multipliers s_in * s_w / s_out the int8 kernels apply. */
#include "quant/quant.h"

#include <math.h>

static const char *nm(const char *name)
{
    return name ? name : "weight";
}

static float sym_scale(double maxabs)
{
    float s = (float)(maxabs / YQ__WQMAX);
    /* all-zero channel (or denormal-small): any scale gives q = 0; 1 keeps s_in*s_w sane */
    return s > 0.0f && isfinite(s) ? s : 1.0f;
}

static int8_t sym_quant(float w, float s)
{
    double t = nearbyint((double)w / (double)s);
    if (t > YQ__WQMAX) t = YQ__WQMAX;
    if (t < -YQ__WQMAX) t = -YQ__WQMAX;
    return (int8_t)t;
}

enum yq_status yq__quant_weights_s8(const char *name, const float *w, size_t n_out,
                                    size_t n_per_out, bool per_channel, int8_t *q, float *scales,
                                    struct yq__err *e)
{
    size_t total;
    if (!yq__mul_size(n_out, n_per_out, &total))
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: %zu x %zu weights overflow", nm(name),
                        n_out, n_per_out);
    if (!scales || (total > 0 && (!w || !q)))
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: NULL weight buffer", nm(name));
    for (size_t i = 0; i < total; i++) {
        if (!isfinite(w[i]))
            return yq__errf(e, YQ_STATUS_BAD_MODEL,
                            "%s: weight %g at output channel %zu, index %zu is not finite",
                            nm(name), (double)w[i], n_per_out ? i / n_per_out : 0,
                            n_per_out ? i % n_per_out : 0);
    }
    if (!per_channel) {
        double m = 0.0;
        for (size_t i = 0; i < total; i++)
            m = fabs((double)w[i]) > m ? fabs((double)w[i]) : m;
        scales[0] = sym_scale(m);
        for (size_t i = 0; i < total; i++)
            q[i] = sym_quant(w[i], scales[0]);
        return YQ_STATUS_OK;
    }
    for (size_t o = 0; o < n_out; o++) {
        const float *row = w ? w + o * n_per_out : NULL;
        double m = 0.0;
        for (size_t i = 0; i < n_per_out; i++)
            m = fabs((double)row[i]) > m ? fabs((double)row[i]) : m;
        scales[o] = sym_scale(m);
        for (size_t i = 0; i < n_per_out; i++)
            q[o * n_per_out + i] = sym_quant(row[i], scales[o]);
    }
    return YQ_STATUS_OK;
}

static bool good_scale(float s)
{
    return s > 0.0f && isfinite(s);
}

enum yq_status yq__quant_bias_s32(const char *name, const float *bias, size_t n_out, float s_in,
                                  const float *s_w, size_t n_w_scales, int32_t *out,
                                  size_t *n_saturated, struct yq__err *e)
{
    if (n_saturated) *n_saturated = 0;
    if (n_out > 0 && (!bias || !out || !s_w))
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: NULL bias buffer", nm(name));
    if (n_w_scales != 1 && n_w_scales != n_out)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                        "%s: %zu weight scales for %zu output channels (need 1 or %zu)", nm(name),
                        n_w_scales, n_out, n_out);
    if (!good_scale(s_in))
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: input scale %g is not positive",
                        nm(name), (double)s_in);
    size_t sat = 0;
    for (size_t j = 0; j < n_out; j++) {
        float sw = s_w[n_w_scales == 1 ? 0 : j];
        if (!good_scale(sw))
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                            "%s: weight scale %g of channel %zu is not positive", nm(name),
                            (double)sw, j);
        if (!isfinite(bias[j]))
            return yq__errf(e, YQ_STATUS_BAD_MODEL, "%s: bias %g of channel %zu is not finite",
                            nm(name), (double)bias[j], j);
        /* The product is formed in double so the int32 bias matches s_in*s_w exactly as
         * the accumulator sees it; clamping keeps a wild bias from wrapping around. */
        double t = nearbyint((double)bias[j] / ((double)s_in * (double)sw));
        if (t > (double)INT32_MAX) {
            t = (double)INT32_MAX;
            sat++;
        } else if (t < (double)INT32_MIN) {
            t = (double)INT32_MIN;
            sat++;
        }
        out[j] = (int32_t)t;
    }
    if (n_saturated) *n_saturated = sat;
    return YQ_STATUS_OK;
}

enum yq_status yq__requant_scales(const char *name, float s_in, const float *s_w, size_t n_w_scales,
                                  float s_out, size_t n, float *m, struct yq__err *e)
{
    if (n > 0 && (!s_w || !m))
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: NULL scale buffer", nm(name));
    if (n_w_scales != 1 && n_w_scales != n)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                        "%s: %zu weight scales for %zu output channels (need 1 or %zu)", nm(name),
                        n_w_scales, n, n);
    if (!good_scale(s_in) || !good_scale(s_out))
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                        "%s: input scale %g / output scale %g must be positive and finite",
                        nm(name), (double)s_in, (double)s_out);
    for (size_t j = 0; j < n; j++) {
        float sw = s_w[n_w_scales == 1 ? 0 : j];
        if (!good_scale(sw))
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                            "%s: weight scale %g of channel %zu is not positive", nm(name),
                            (double)sw, j);
        float r = (float)((double)s_in * (double)sw / (double)s_out);
        if (!good_scale(r))
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                            "%s: requantization multiplier of channel %zu (%g*%g/%g) is not a "
                            "positive finite float",
                            nm(name), j, (double)s_in, (double)sw, (double)s_out);
        m[j] = r;
    }
    return YQ_STATUS_OK;
}
