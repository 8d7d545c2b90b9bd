/* SPDX-License-Identifier: Apache-2.0 */
/* The calibration run: the float graph is made a model, fed each calibration sample, and
 * every float activation tensor (graph inputs and every node output) is watched by an
 * observer; one pass for min/max, a second for the histogram the algorithm searches (not
 * needed by "normal"). The chosen clipping ranges are written to the tensors (range_min,
 * range_max, has_range) for yq__quantize_graph. */
#ifndef YQ_CALIBRATE_H
#define YQ_CALIBRATE_H

#include "ir/ir.h"
#include "quant/quant.h"
#include "yoloq/runtime.h"

struct yq__calibrate_options {
    struct yq__calib_options algo;
    int n_threads; /* session threads (default 1) */
    size_t hist_bins; /* 0 = YQ__HIST_BINS_DEFAULT */
    /* Called after each sample with pass (1 or 2), n_passes, samples done and total. */
    void (*progress)(void *ctx, int pass, int n_passes, int done, int total);
    void *progress_ctx;
};
void yq__calibrate_options_init(struct yq__calibrate_options *o);

/* Sets the input(s) of session s to calibration sample `index` (0 <= index < n). */
typedef enum yq_status (*yq__calib_feed)(void *ctx, int index, struct yq_session *s,
                                         struct yq__err *e);

/* Calibrates *g (a finished float graph) over n samples. *g passes through a runtime model
 * and comes back in *g with ranges set (on failure *g may be NULL: it was freed). Tensors
 * where a non-finite value was seen get no range (their consumers stay float);
 * *n_nonfinite (may be NULL) counts them. */
enum yq_status yq__calibrate(struct yq__graph **g, const struct yq__calibrate_options *o, int n,
                             yq__calib_feed feed, void *ctx, int *n_nonfinite,
                             struct yq__err *e);

#endif
