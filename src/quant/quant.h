/* SPDX-License-Identifier: Apache-2.0 */
/* Post-training quantization building blocks (DESIGN.md "Quantization scheme"): per-tensor
 * observers fed with calibration activations, the calibration algorithms that turn what
 * they saw into an asymmetric int8 range, and symmetric int8 weight / int32 bias helpers.
 *
 *     struct yq__observer ob;
 *     yq__observer_init(&ob);
 *     for (each image) yq__observer_update(&ob, act, n);          // pass 1: min/max
 *     yq__observer_begin_histogram(&ob, 0, &e);                    // needed unless NORMAL
 *     for (each image) yq__observer_update(&ob, act, n);          // pass 2: histogram
 *     struct yq__calib_options o; yq__calib_options_init(&o); o.algorithm = YQ__CALIB_KL;
 *     struct yq__qparams qp; yq__calib_qparams(&ob, &o, &qp, &e);
 *     yq__observer_free(&ob);
 *
 * Internal API (yq__); the toolkit wires it to the graph. Nothing here is thread-safe per
 * object: one thread at a time per observer; distinct observers are independent. */
#ifndef YQ_QUANT_H
#define YQ_QUANT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "core/core.h"

/* int8 activation codes; real = (q - zero_point) * scale. */
#define YQ__QMIN (-128)
#define YQ__QMAX 127
/* Weights are symmetric in [-127, 127] so that -w is representable (no -128). */
#define YQ__WQMAX 127
/* Default histogram resolution. 4096 bins over the observed [min, max] (widened to
 * include 0) keeps >= 16 bins per int8 level at full range, fine enough for KL/MSE. */
#define YQ__HIST_BINS_DEFAULT 4096

enum yq__observer_phase {
    YQ__OBSERVER_PHASE_MINMAX = 0, /* pass 1: updates track min/max */
    YQ__OBSERVER_PHASE_HISTOGRAM,  /* pass 2: updates fill the histogram */
    YQ__OBSERVER_PHASE_COUNT
};

/* One tensor's statistics. Fields are readable; change them only through the functions.
 *
 * Histogram layout: 0 is always a bin edge. With bin width w, bin k (0 <= k < n_bins)
 * covers [(k - n_neg) * w, (k - n_neg + 1) * w); the first n_neg bins are negative, the
 * rest non-negative. n_neg = ceil(-min(lo,0)/w), n_pos = ceil(max(hi,0)/w) so the pass-1
 * range is covered. A value outside it in pass 2 (the data changed between passes) lands
 * in the edge bin and widens min/max so that normal calibration still sees it.
 * Exact zeros (padding, ReLU) are also counted apart in hist_zero: 0 is exactly
 * representable under every range, so KL and MMSE leave them out of their search.
 * Non-finite values (NaN, +-Inf) are never counted into min/max or the histogram; they are
 * counted in n_nonfinite so the caller can warn. */
struct yq__observer {
    enum yq__observer_phase phase;
    float min, max;       /* finite values seen; min > max while none has been seen */
    uint64_t n_finite;    /* pass-1 count of finite values */
    uint64_t n_nonfinite; /* both passes */
    double *hist;         /* n_bins counts, NULL in pass 1 */
    size_t n_bins, n_neg;
    double bin_width;  /* w above; > 0 once the histogram exists */
    double hist_total; /* sum of hist */
    double hist_zero;  /* how many of them are exactly 0 (in bin n_neg); see calib_kl.c */
};

void yq__observer_init(struct yq__observer *ob);
/* Adds n values (x may be NULL when n == 0). Never fails, never allocates. */
void yq__observer_update(struct yq__observer *ob, const float *x, size_t n);
/* Ends pass 1 and allocates the histogram (n_bins == 0: YQ__HIST_BINS_DEFAULT; at least
 * 256). When no finite value was seen the histogram is one bin [0, 1).
 * Returns YQ_STATUS_OK, YQ_STATUS_OUT_OF_MEMORY, YQ_STATUS_BAD_STATE (called twice),
 * YQ_STATUS_INVALID_ARGUMENT (n_bins > 1<<24). */
enum yq_status yq__observer_begin_histogram(struct yq__observer *ob, size_t n_bins,
                                            struct yq__err *e);
/* Frees the histogram; the observer can be re-initialised. NULL is a no-op. */
void yq__observer_free(struct yq__observer *ob);

enum yq__calib_algorithm {
    YQ__CALIB_NORMAL = 0, /* min/max (RKNN "normal") */
    YQ__CALIB_PERCENTILE, /* clip each tail at a percentile */
    YQ__CALIB_KL,         /* TensorRT entropy calibration, asymmetric window */
    YQ__CALIB_MMSE,       /* minimum quantize->dequantize MSE, 2-D over (lo, hi) */
    YQ__CALIB_COUNT
};

struct yq__calib_options {
    enum yq__calib_algorithm algorithm;
    /* PERCENTILE: hi = the value below which `percentile` % of the finite values lie,
     * lo = the value below which (100 - percentile) % lie; each tail clipped on its own
     * (not of |x|) because activations are asymmetric. In (50, 100]; default 99.99. */
    double percentile;
};

void yq__calib_options_init(struct yq__calib_options *o);
/* Name <-> enum ("normal", "percentile", "kl", "mmse"); parse returns false if unknown. */
const char *yq__calib_algorithm_name(enum yq__calib_algorithm a);
bool yq__calib_algorithm_parse(const char *s, enum yq__calib_algorithm *out);

/* Asymmetric per-tensor int8 parameters. lo/hi are the range actually represented after
 * nudging: lo = (QMIN - zero_point) * scale, hi = (QMAX - zero_point) * scale; 0 is
 * exactly representable (it is the code zero_point). */
struct yq__qparams {
    float scale;        /* > 0, finite */
    int32_t zero_point; /* in [QMIN, QMAX] */
    float lo, hi;
};

/* The clipping range [lo, hi] chosen by the algorithm, before nudging; lo <= 0 <= hi
 * (the range is widened to include 0). An observer that saw no finite value gives [0, 0].
 * Returns YQ_STATUS_OK; YQ_STATUS_BAD_STATE if the algorithm needs the histogram and
 * pass 2 did not start; YQ_STATUS_INVALID_ARGUMENT for a bad algorithm/percentile;
 * YQ_STATUS_OUT_OF_MEMORY (KL scratch). */
enum yq_status yq__calib_range(const struct yq__observer *ob, const struct yq__calib_options *o,
                               float *lo, float *hi, struct yq__err *e);
/* yq__calib_range followed by yq__qparams_from_range. */
enum yq_status yq__calib_qparams(const struct yq__observer *ob, const struct yq__calib_options *o,
                                 struct yq__qparams *qp, struct yq__err *e);

/* [lo, hi] -> scale/zero point. The range is widened to include 0; non-finite bounds are
 * treated as 0. scale = (hi - lo) / 255; a range narrower than 1e-10 (all zeros, or no
 * data) gets scale 1 so the scale is always a valid positive number. The zero point is
 * round(QMIN - lo / scale) clamped to [QMIN, QMAX] (TFLite's nudge), an exact integer. */
void yq__qparams_from_range(float lo, float hi, struct yq__qparams *qp);

/* real -> int8 with round half to even and saturation; NaN maps to the zero point. */
int8_t yq__quantize_s8(float x, float scale, int32_t zero_point);
static inline float yq__dequantize_s8(int8_t q, float scale, int32_t zero_point)
{
    return (float)((int32_t)q - zero_point) * scale;
}

/* Symmetric int8 weights, quantized along axis 0 (output channel) of a weight laid out as
 * n_out rows of n_per_out contiguous values (OIHW, or any layout with O first).
 * per_channel: scales[n_out], scale[j] = maxabs(row j) / 127; else scales[1] over the whole
 * tensor. A row (or tensor) of zeros gets scale 1. q[i] = round_half_even(w / s) clamped
 * to [-127, 127].  `name` (may be NULL) prefixes error messages.
 * Returns YQ_STATUS_OK; YQ_STATUS_INVALID_ARGUMENT (NULL pointers with n > 0, size
 * overflow); YQ_STATUS_BAD_MODEL (a NaN/Inf weight: message names the channel/index). */
enum yq_status yq__quant_weights_s8(const char *name, const float *w, size_t n_out,
                                    size_t n_per_out, bool per_channel, int8_t *q, float *scales,
                                    struct yq__err *e);

/* Bias -> int32 with scale s_in * s_w[j] (n_w_scales is 1 or n_out), round half to even.
 * Values beyond int32 saturate and are counted in *n_saturated (may be NULL).
 * Returns YQ_STATUS_OK; YQ_STATUS_INVALID_ARGUMENT (n_w_scales not 1/n_out, a scale not
 * positive and finite); YQ_STATUS_BAD_MODEL (NaN/Inf bias). */
enum yq_status yq__quant_bias_s32(const char *name, const float *bias, size_t n_out, float s_in,
                                  const float *s_w, size_t n_w_scales, int32_t *out,
                                  size_t *n_saturated, struct yq__err *e);

/* Requantization multipliers m[j] = s_in * s_w[j] / s_out for j < n (n_w_scales is 1 or n:
 * one s_w broadcast). Computed in double, rounded once to float.
 * Returns YQ_STATUS_OK; YQ_STATUS_INVALID_ARGUMENT (a scale not positive/finite, or the
 * product not representable as a positive finite float). */
enum yq_status yq__requant_scales(const char *name, float s_in, const float *s_w, size_t n_w_scales,
                                  float s_out, size_t n, float *m, struct yq__err *e);

#endif
