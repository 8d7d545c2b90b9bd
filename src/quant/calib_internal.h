/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the calibration algorithm files: each takes an observer whose histogram exists
 * and returns a clipping range [lo, hi] with lo <= 0 <= hi inside the observed range. */
#ifndef YQ_QUANT_CALIB_INTERNAL_H
#define YQ_QUANT_CALIB_INTERNAL_H

#include "quant/quant.h"

/* Observed range widened to include 0: [min(min,0), max(max,0)], or [0,0] with no data. */
void yq__calib_observed(const struct yq__observer *ob, double *lo, double *hi);
/* Lower edge of histogram bin k (k may equal n_bins for the top edge). */
static inline double yq__hist_edge(const struct yq__observer *ob, size_t k)
{
    return ((double)k - (double)ob->n_neg) * ob->bin_width;
}

enum yq_status yq__calib_kl_range(const struct yq__observer *ob, double *lo, double *hi,
                                  struct yq__err *e);
enum yq_status yq__calib_mmse_range(const struct yq__observer *ob, double *lo, double *hi,
                                    struct yq__err *e);

#endif
