/* SPDX-License-Identifier: Apache-2.0 */
/* MMSE calibration: the range [lo, hi] whose int8 quantize -> dequantize (with the same
 * nudged scale/zero point the model will use) has the smallest squared error summed over
 * the histogram, each bin represented by its centre. Asymmetric, so the search is 2-D:
 *   1. a 1-D search over a threshold t, range [max(min,-t), min(max,t)];
 *   2. coordinate descent from there: hi with lo fixed, then lo with hi fixed, twice.
 * Each 1-D search is a 256-point grid over (0, 1] of the observed extent then a 64-point
 * refinement around the best, so the cost is ~2000 evaluations of O(non-empty bins). */
#include "quant/calib_internal.h"

#include <math.h>

#define MSE_COARSE 256
#define MSE_FINE 64
#define MSE_ROUNDS 2

struct bins {
    const double *x, *c; /* centres and counts of the non-empty bins */
    size_t n;
};

static double range_mse(const struct bins *b, double lo, double hi)
{
    struct yq__qparams qp;
    yq__qparams_from_range((float)lo, (float)hi, &qp);
    double err = 0.0;
    for (size_t i = 0; i < b->n; i++) {
        float x = (float)b->x[i];
        double d = b->x[i] - (double)yq__dequantize_s8(yq__quantize_s8(x, qp.scale, qp.zero_point),
                                                       qp.scale, qp.zero_point);
        err += b->c[i] * d * d;
    }
    return err;
}

/* Which bound a 1-D search moves: the symmetric threshold, hi alone or lo alone. */
enum axis { AXIS_T, AXIS_HI, AXIS_LO };

static void apply(enum axis a, double f, double olo, double ohi, double *lo, double *hi)
{
    if (a == AXIS_T) {
        double t = f * (ohi > -olo ? ohi : -olo);
        *lo = -t > olo ? -t : olo;
        *hi = t < ohi ? t : ohi;
    } else if (a == AXIS_HI) {
        *hi = f * ohi;
    } else {
        *lo = f * olo;
    }
}

/* Minimises over the fraction f in (0, 1] of the extent on axis a; updates lo/hi/best. */
static void search(const struct bins *b, enum axis a, double olo, double ohi, double *lo,
                   double *hi, double *best)
{
    double best_f = -1.0;
    for (int pass = 0; pass < 2; pass++) {
        double f0 = 0.0, df = 1.0 / MSE_COARSE;
        int n = MSE_COARSE;
        if (pass == 1) {
            if (best_f < 0.0) return;
            f0 = best_f - 1.0 / MSE_COARSE;
            df = 2.0 / MSE_COARSE / MSE_FINE;
            n = MSE_FINE;
        }
        for (int i = 1; i <= n; i++) {
            double f = f0 + df * i;
            if (f <= 0.0 || f > 1.0) continue;
            double l = *lo, h = *hi;
            apply(a, f, olo, ohi, &l, &h);
            double m = range_mse(b, l, h);
            if (m < *best) {
                *best = m;
                best_f = f;
                *lo = l;
                *hi = h;
            }
        }
    }
}

enum yq_status yq__calib_mmse_range(const struct yq__observer *ob, double *lo, double *hi,
                                    struct yq__err *e)
{
    double olo, ohi;
    yq__calib_observed(ob, &olo, &ohi);
    double *buf = yq__malloc(sizeof(double) * 2 * ob->n_bins);
    if (!buf)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "calibration mmse: scratch for %zu bins",
                        ob->n_bins);
    struct bins b = {buf, buf + ob->n_bins, 0};
    double *x = buf, *c = buf + ob->n_bins;
    for (size_t k = 0; k < ob->n_bins; k++) {
        /* exact zeros quantize exactly under every range: they add no error */
        double cnt = ob->hist[k] - (k == ob->n_neg ? ob->hist_zero : 0.0);
        if (cnt > 0.0) {
            double centre = yq__hist_edge(ob, k) + 0.5 * ob->bin_width;
            /* keep centres inside the data so the full range has no phantom clip error */
            centre = centre < olo ? olo : (centre > ohi ? ohi : centre);
            x[b.n] = centre;
            c[b.n] = cnt;
            b.n++;
        }
    }
    double l = olo, h = ohi;
    double best = range_mse(&b, l, h);
    search(&b, AXIS_T, olo, ohi, &l, &h, &best);
    for (int r = 0; r < MSE_ROUNDS; r++) {
        if (ohi > 0.0) search(&b, AXIS_HI, olo, ohi, &l, &h, &best);
        if (olo < 0.0) search(&b, AXIS_LO, olo, ohi, &l, &h, &best);
    }
    yq__free(buf);
    *lo = l;
    *hi = h;
    return YQ_STATUS_OK;
}
