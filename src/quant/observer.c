/* SPDX-License-Identifier: Apache-2.0 */
/* Per-tensor observers: pass 1 tracks min/max, pass 2 fills a histogram over the pass-1
 * range widened to include 0, with 0 on a bin edge so the negative and positive halves
 * can be clipped independently by the calibration algorithms (calib*.c). */
#include "quant/quant.h"

#include <math.h>
#include <string.h>

void yq__observer_init(struct yq__observer *ob)
{
    memset(ob, 0, sizeof *ob);
    ob->phase = YQ__OBSERVER_PHASE_MINMAX;
    ob->min = INFINITY;
    ob->max = -INFINITY;
}

void yq__observer_free(struct yq__observer *ob)
{
    if (!ob) return;
    yq__free(ob->hist);
    ob->hist = NULL;
    ob->n_bins = 0;
}

static void update_minmax(struct yq__observer *ob, const float *x, size_t n)
{
    float lo = ob->min, hi = ob->max;
    uint64_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        if (!isfinite(v)) {
            bad++;
            continue;
        }
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    ob->min = lo;
    ob->max = hi;
    ob->n_finite += (uint64_t)n - bad;
    ob->n_nonfinite += bad;
}

static void update_hist(struct yq__observer *ob, const float *x, size_t n)
{
    const double inv_w = 1.0 / ob->bin_width;
    const double neg = (double)ob->n_neg;
    const double last = (double)(ob->n_bins - 1);
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        if (!isfinite(v)) {
            ob->n_nonfinite++;
            continue;
        }
        /* Data outside the pass-1 range (calibration set not replayed identically) is kept
         * in the edge bins and in min/max, so no value is silently dropped. */
        if (v < ob->min) ob->min = v;
        if (v > ob->max) ob->max = v;
        double k = floor((double)v * inv_w) + neg;
        if (k < 0.0)
            k = 0.0;
        else if (k > last)
            k = last;
        ob->hist[(size_t)k] += 1.0;
        ob->hist_total += 1.0;
        if (v == 0.0f) ob->hist_zero += 1.0;
    }
}

void yq__observer_update(struct yq__observer *ob, const float *x, size_t n)
{
    if (!ob || !x || n == 0) return;
    if (ob->phase == YQ__OBSERVER_PHASE_MINMAX)
        update_minmax(ob, x, n);
    else
        update_hist(ob, x, n);
}

enum yq_status yq__observer_begin_histogram(struct yq__observer *ob, size_t n_bins,
                                            struct yq__err *e)
{
    if (!ob) return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "observer: NULL observer");
    if (ob->phase != YQ__OBSERVER_PHASE_MINMAX)
        return yq__errf(e, YQ_STATUS_BAD_STATE, "observer: histogram pass already started");
    if (n_bins == 0) n_bins = YQ__HIST_BINS_DEFAULT;
    if (n_bins > ((size_t)1 << 24))
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                        "observer: %zu histogram bins exceeds the limit of 16777216", n_bins);
    if (n_bins < 256) n_bins = 256;

    double lo = 0.0, hi = 0.0;
    if (ob->n_finite > 0) {
        lo = ob->min < 0.0f ? (double)ob->min : 0.0;
        hi = ob->max > 0.0f ? (double)ob->max : 0.0;
    }
    double w = (hi - lo) / (double)n_bins;
    size_t n_neg = 0, n_pos = 1;
    if (!(w > 0.0) || !isfinite(w)) {
        /* All zeros or no data: one bin [0, 1) so pass 2 still has somewhere to count. */
        w = 1.0;
    } else {
        n_neg = (size_t)ceil(-lo / w);
        n_pos = (size_t)ceil(hi / w);
        if (n_pos == 0) n_pos = 1; /* max == 0 exactly: the zeros go to bin [0, w) */
    }
    size_t total = n_neg + n_pos;
    double *h = yq__calloc(total, sizeof *h);
    if (!h) return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "observer: histogram of %zu bins", total);
    ob->hist = h;
    ob->n_bins = total;
    ob->n_neg = n_neg;
    ob->bin_width = w;
    ob->hist_total = 0.0;
    ob->hist_zero = 0.0;
    ob->phase = YQ__OBSERVER_PHASE_HISTOGRAM;
    return YQ_STATUS_OK;
}
