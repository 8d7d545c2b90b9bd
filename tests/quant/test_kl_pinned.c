/* SPDX-License-Identifier: Apache-2.0 */
/* KL calibration pinned to numbers computed independently by tests/quant/kl_reference.py
 * (plain Python from calib_kl.c's documented algorithm) on two histograms defined by
 * integer formulas both sides build identically: a symmetric Laplace-like staircase with
 * far outliers, and a post-SiLU shape (small negative side, a spike of exact zeros, long
 * tail). The thresholds must match to the bin. For the record, the classic symmetric
 * MXNet/TensorRT threshold of the first histogram is 6.65625 (bin 852), not 5.515625:
 * calib_kl.c's level merge (bin i -> level i*255/w) differs from MXNet's (w // 255 bins per
 * level, the remainder in the last). */
#include "harness.h"
#include "quant/calib_internal.h"
#include "quant/quant.h"

#include <stdlib.h>
#include <string.h>

static void build(struct yq__observer *ob, bool silu)
{
    yq__observer_init(ob);
    size_t n = 2048;
    ob->n_bins = n;
    ob->hist = yq__calloc(n, sizeof *ob->hist);
    ob->phase = YQ__OBSERVER_PHASE_HISTOGRAM;
    int lo_bin, hi_bin;
    if (!silu) {
        ob->n_neg = 1024;
        ob->bin_width = 1.0 / 128;
        for (size_t k = 0; k < n; k++) {
            long d = labs((long)k - 1024);
            if (d < 960) ob->hist[k] = (double)((1L << 20) >> (d / 48));
        }
        ob->hist[3] += 5;
        ob->hist[2040] += 5;
        ob->hist_zero = 0;
        lo_bin = 3;
        hi_bin = 2040;
    } else {
        ob->n_neg = 64;
        ob->bin_width = 1.0 / 256;
        for (size_t k = 0; k < n; k++) {
            long d = (long)k - 64;
            if (d < 0)
                ob->hist[k] = (double)(300 + 40 * (d + 64));
            else if (d < 1900)
                ob->hist[k] = (double)((1L << 18) >> (d / 40));
        }
        ob->hist[64] += 500000;
        ob->hist[2046] += 3;
        ob->hist_zero = 500000;
        lo_bin = 0;
        hi_bin = 2046;
    }
    for (size_t k = 0; k < n; k++)
        ob->hist_total += ob->hist[k];
    ob->n_finite = (uint64_t)ob->hist_total;
    ob->min = (float)(((double)lo_bin - (double)ob->n_neg) * ob->bin_width);
    ob->max = (float)(((double)hi_bin + 1 - (double)ob->n_neg) * ob->bin_width);
}

int main(void)
{
    static const struct {
        bool silu;
        double lo, hi; /* kl_reference.py */
    } cases[] = {{false, -5.515625, 5.515625}, {true, -0.25, 3.73046875}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct yq__observer ob;
        build(&ob, cases[i].silu);
        char msg[128] = "";
        struct yq__err e = {msg, sizeof msg};
        double lo = 0, hi = 0;
        CHECK(ob.hist != NULL && yq__calib_kl_range(&ob, &lo, &hi, &e) == YQ_STATUS_OK);
        CHECKF(lo == cases[i].lo && hi == cases[i].hi, "%s: kl [%.9g, %.9g], reference [%.9g, %.9g]",
               cases[i].silu ? "silu" : "laplace", lo, hi, cases[i].lo, cases[i].hi);
        /* through the public entry point as well */
        struct yq__calib_options o;
        yq__calib_options_init(&o);
        o.algorithm = YQ__CALIB_KL;
        float flo = 0, fhi = 0;
        CHECK(yq__calib_range(&ob, &o, &flo, &fhi, &e) == YQ_STATUS_OK);
        CHECKF(flo == (float)cases[i].lo && fhi == (float)cases[i].hi, "calib_range [%g, %g]",
               flo, fhi);
        yq__observer_free(&ob);
    }
    return yq_test_finish();
}
