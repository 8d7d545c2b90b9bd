/* SPDX-License-Identifier: Apache-2.0 */
/* Calibration entry points: option defaults, algorithm names, the min/max and percentile
 * algorithms, and the range -> (scale, zero point) rule every algorithm ends with. KL and
 * MMSE live in calib_kl.c and calib_mse.c. */
#include "quant/calib_internal.h"

#include <math.h>
#include <string.h>

static const char *const algorithm_names[YQ__CALIB_COUNT] = {
    [YQ__CALIB_NORMAL] = "normal",
    [YQ__CALIB_PERCENTILE] = "percentile",
    [YQ__CALIB_KL] = "kl",
    [YQ__CALIB_MMSE] = "mmse",
};

void yq__calib_options_init(struct yq__calib_options *o)
{
    memset(o, 0, sizeof *o);
    o->algorithm = YQ__CALIB_NORMAL;
    o->percentile = 99.99;
}

const char *yq__calib_algorithm_name(enum yq__calib_algorithm a)
{
    if ((unsigned)a >= YQ__CALIB_COUNT) return "unknown";
    return algorithm_names[a];
}

bool yq__calib_algorithm_parse(const char *s, enum yq__calib_algorithm *out)
{
    if (!s) return false;
    for (int i = 0; i < YQ__CALIB_COUNT; i++) {
        if (strcmp(s, algorithm_names[i]) == 0) {
            *out = (enum yq__calib_algorithm)i;
            return true;
        }
    }
    return false;
}

int8_t yq__quantize_s8(float x, float scale, int32_t zero_point)
{
    if (isnan(x)) return (int8_t)zero_point;
    /* double keeps x/scale + zp from overflowing before the clamp; nearbyint rounds half
     * to even in the default rounding mode, like the requantization contract. */
    double t = nearbyint((double)x / (double)scale) + (double)zero_point;
    if (t < YQ__QMIN) t = YQ__QMIN;
    if (t > YQ__QMAX) t = YQ__QMAX;
    return (int8_t)t;
}

void yq__qparams_from_range(float lo, float hi, struct yq__qparams *qp)
{
    double l = isfinite(lo) && lo < 0.0f ? (double)lo : 0.0;
    double h = isfinite(hi) && hi > 0.0f ? (double)hi : 0.0;
    double range = h - l;
    float scale = 1.0f;
    if (range >= 1e-10) {
        scale = (float)(range / (double)(YQ__QMAX - YQ__QMIN));
        if (!(scale > 0.0f) || !isfinite(scale)) scale = 1.0f;
    }
    double zp = nearbyint((double)YQ__QMIN - l / (double)scale);
    if (zp < YQ__QMIN) zp = YQ__QMIN;
    if (zp > YQ__QMAX) zp = YQ__QMAX;
    qp->scale = scale;
    qp->zero_point = (int32_t)zp;
    qp->lo = (float)((double)(YQ__QMIN - qp->zero_point) * scale);
    qp->hi = (float)((double)(YQ__QMAX - qp->zero_point) * scale);
}

void yq__calib_observed(const struct yq__observer *ob, double *lo, double *hi)
{
    *lo = 0.0;
    *hi = 0.0;
    if (ob->min <= ob->max) {
        *lo = ob->min < 0.0f ? (double)ob->min : 0.0;
        *hi = ob->max > 0.0f ? (double)ob->max : 0.0;
    }
}

/* The value below which a fraction `frac` of the histogram mass lies, interpolating
 * linearly inside the bin where the cumulative count crosses. */
static double hist_quantile(const struct yq__observer *ob, double frac)
{
    double target = frac * ob->hist_total;
    double cum = 0.0;
    for (size_t k = 0; k < ob->n_bins; k++) {
        double c = ob->hist[k];
        if (c > 0.0 && cum + c >= target) {
            double f = (target - cum) / c;
            f = f < 0.0 ? 0.0 : (f > 1.0 ? 1.0 : f);
            return yq__hist_edge(ob, k) + f * ob->bin_width;
        }
        cum += c;
    }
    return yq__hist_edge(ob, ob->n_bins);
}

static enum yq_status percentile_range(const struct yq__observer *ob, double pct, double *lo,
                                       double *hi)
{
    double olo, ohi;
    yq__calib_observed(ob, &olo, &ohi);
    double up = pct / 100.0;
    double l = hist_quantile(ob, 1.0 - up);
    double h = hist_quantile(ob, up);
    /* Interpolation may step past the extreme sample inside its bin; never widen. */
    *lo = l < olo ? olo : (l > 0.0 ? 0.0 : l);
    *hi = h > ohi ? ohi : (h < 0.0 ? 0.0 : h);
    return YQ_STATUS_OK;
}

enum yq_status yq__calib_range(const struct yq__observer *ob, const struct yq__calib_options *o,
                               float *lo, float *hi, struct yq__err *e)
{
    if (!ob || !o || !lo || !hi)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "calibration: NULL argument");
    *lo = 0.0f;
    *hi = 0.0f;
    if ((unsigned)o->algorithm >= YQ__CALIB_COUNT)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "calibration: unknown algorithm %d",
                        (int)o->algorithm);
    double l, h;
    yq__calib_observed(ob, &l, &h);
    if (o->algorithm != YQ__CALIB_NORMAL) {
        if (o->algorithm == YQ__CALIB_PERCENTILE &&
            !(o->percentile > 50.0 && o->percentile <= 100.0))
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                            "calibration: percentile %g is outside (50, 100]", o->percentile);
        if (ob->phase != YQ__OBSERVER_PHASE_HISTOGRAM || !ob->hist)
            return yq__errf(e, YQ_STATUS_BAD_STATE,
                            "calibration: algorithm '%s' needs the histogram pass",
                            yq__calib_algorithm_name(o->algorithm));
        /* No finite value in pass 2 (or a zero-width range): nothing to clip. */
        if (ob->hist_total > 0.0 && h - l > 0.0) {
            enum yq_status st = YQ_STATUS_OK;
            switch (o->algorithm) {
            case YQ__CALIB_PERCENTILE:
                st = percentile_range(ob, o->percentile, &l, &h);
                break;
            case YQ__CALIB_KL:
                st = yq__calib_kl_range(ob, &l, &h, e);
                break;
            case YQ__CALIB_MMSE:
                st = yq__calib_mmse_range(ob, &l, &h, e);
                break;
            default:
                break;
            }
            if (st) return st;
        }
    }
    *lo = (float)l;
    *hi = (float)h;
    return YQ_STATUS_OK;
}

enum yq_status yq__calib_qparams(const struct yq__observer *ob, const struct yq__calib_options *o,
                                 struct yq__qparams *qp, struct yq__err *e)
{
    float lo, hi;
    if (!qp) return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "calibration: NULL qparams");
    enum yq_status st = yq__calib_range(ob, o, &lo, &hi, e);
    yq__qparams_from_range(lo, hi, qp);
    return st;
}
