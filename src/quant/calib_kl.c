/* SPDX-License-Identifier: Apache-2.0 */
/* Entropy (KL) calibration after TensorRT's description (GTC 2017 "8-bit Inference with
 * TensorRT") and MXNet's _get_optimal_threshold, adapted to asymmetric int8:
 *
 *   for each candidate threshold t (a multiple of the bin width, 0 being a bin edge):
 *     window = [max(min, -t), min(max, t)]   -- each side clipped on its own, so a
 *                                               post-ReLU/SiLU tensor keeps its small
 *                                               negative side (lo fixed at min) while t
 *                                               searches the upper clip
 *     P = histogram in the window, mass below/above folded into its first/last bin
 *     Q = window histogram (outliers NOT folded) merged into 255 levels, each level's
 *         mass spread evenly over the bins where P is non-zero, expanded back
 *     KL(P || Q) after MXNet's smoothing (eps = 1e-4 counts on empty bins)
 *   pick the t with the smallest KL; the window needs >= 255 bins (one bin per level).
 * Exact zeros are taken out of the histogram first: 0 is exactly representable under any
 * range, yet a post-ReLU spike of zeros merged into level 0 with its neighbours makes wide
 * windows look costly and clipped post-ReLU tensors far too hard (hi ~ 2 sigma). */
#include "quant/calib_internal.h"

#include <math.h>

#define KL_LEVELS 255
#define KL_MAX_CANDIDATES 512
#define KL_EPS 1e-4

/* MXNet _smooth_distribution: move eps mass onto empty bins, taken evenly from the
 * non-empty ones. Returns false if every bin is empty. */
static bool smooth(double *d, size_t n)
{
    size_t nz = 0;
    for (size_t i = 0; i < n; i++)
        nz += d[i] != 0.0;
    if (nz == 0) return false;
    double eps1 = KL_EPS * (double)(n - nz) / (double)nz;
    for (size_t i = 0; i < n; i++)
        d[i] = d[i] != 0.0 ? d[i] - eps1 : KL_EPS;
    return true;
}

/* KL(P || Q) of the window [s, e) of the histogram; INFINITY if undefined. `cum` is the
 * prefix sum of the histogram (n_bins + 1 entries). */
static double window_kl(size_t n_bins, const double *h, const double *cum, size_t s, size_t e,
                        double *p, double *q, double *lev_sum, double *lev_nz)
{
    size_t w = e - s;
    for (size_t j = 0; j < KL_LEVELS; j++) {
        lev_sum[j] = 0.0;
        lev_nz[j] = 0.0;
    }
    for (size_t i = 0; i < w; i++)
        p[i] = h[s + i];
    p[0] += cum[s];
    p[w - 1] += cum[n_bins] - cum[e];
    /* Bin i belongs to level floor(i * 255 / w): levels differ by at most one bin. */
    for (size_t i = 0; i < w; i++) {
        size_t j = i * KL_LEVELS / w;
        lev_sum[j] += h[s + i];
        lev_nz[j] += p[i] != 0.0;
    }
    for (size_t i = 0; i < w; i++) {
        size_t j = i * KL_LEVELS / w;
        q[i] = (p[i] != 0.0 && lev_nz[j] > 0.0) ? lev_sum[j] / lev_nz[j] : 0.0;
    }
    if (!smooth(p, w) || !smooth(q, w)) return INFINITY;
    double sp = 0.0, sq = 0.0;
    for (size_t i = 0; i < w; i++) {
        sp += p[i];
        sq += q[i];
    }
    if (!(sp > 0.0) || !(sq > 0.0)) return INFINITY;
    double kl = 0.0;
    for (size_t i = 0; i < w; i++) {
        double pi = p[i] / sp, qi = q[i] / sq;
        if (pi > 0.0 && qi > 0.0) kl += pi * log(pi / qi);
    }
    return kl;
}

enum yq_status yq__calib_kl_range(const struct yq__observer *ob, double *lo, double *hi,
                                  struct yq__err *e)
{
    const size_t n = ob->n_bins, n_neg = ob->n_neg, n_pos = n - n_neg;
    if (n < KL_LEVELS) return YQ_STATUS_OK; /* too coarse to clip meaningfully: keep min/max */
    double *buf = yq__malloc(sizeof(double) * (4 * n + 1 + 2 * KL_LEVELS));
    if (!buf)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "calibration kl: scratch for %zu bins", n);
    double *h = buf, *cum = h + n, *p = cum + n + 1, *q = p + n, *lev_sum = q + n,
           *lev_nz = lev_sum + KL_LEVELS;
    for (size_t k = 0; k < n; k++)
        h[k] = ob->hist[k];
    h[n_neg] -= ob->hist_zero; /* n_neg < n: begin_histogram makes >= 1 positive bin */
    if (h[n_neg] < 0.0) h[n_neg] = 0.0;
    cum[0] = 0.0;
    for (size_t k = 0; k < n; k++)
        cum[k + 1] = cum[k] + h[k];

    /* Candidate t = k bins. The window for k has min(k, n_neg) + min(k, n_pos) bins. */
    size_t k_max = n_neg > n_pos ? n_neg : n_pos;
    size_t k_min = 1;
    while (k_min < k_max && YQ_MIN(k_min, n_neg) + YQ_MIN(k_min, n_pos) < KL_LEVELS)
        k_min++;
    size_t step = (k_max - k_min) / KL_MAX_CANDIDATES + 1;

    double best = INFINITY;
    size_t best_k = k_max;
    for (size_t k = k_min;; k += step) {
        if (k > k_max) k = k_max; /* always try the full range */
        size_t s = n_neg - YQ_MIN(k, n_neg), en = n_neg + YQ_MIN(k, n_pos);
        double kl = window_kl(n, h, cum, s, en, p, q, lev_sum, lev_nz);
        /* strict <: on ties prefer the smaller threshold, as TensorRT's argmin does */
        if (kl < best) {
            best = kl;
            best_k = k;
        }
        if (k == k_max) break;
    }
    yq__free(buf);

    double olo, ohi;
    yq__calib_observed(ob, &olo, &ohi);
    double t = (double)best_k * ob->bin_width;
    *lo = -t > olo ? -t : olo;
    *hi = t < ohi ? t : ohi;
    return YQ_STATUS_OK;
}
