/* SPDX-License-Identifier: Apache-2.0 */
/* Observers and calibration algorithms on distributions whose answer is known by hand:
 * a Gaussian with far outliers (min/max keeps them, KL and percentile clip), uniform
 * [0, 6] (nobody clips), post-ReLU and post-SiLU data (0 exactly representable), MMSE
 * never worse than the others, and degenerate inputs (zeros, constants, NaN/Inf, n = 0). */
#include "harness.h"
#include "quant/quant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_GAUSS 100000

static float gauss(void)
{
    float u1 = yq_test_uniform(0.0f, 1.0f), u2 = yq_test_uniform(0.0f, 1.0f);
    if (u1 < 1e-12f) u1 = 1e-12f;
    return (float)(sqrt(-2.0 * log((double)u1)) * cos(6.283185307179586 * (double)u2));
}

static const enum yq__calib_algorithm all_algs[] = {YQ__CALIB_NORMAL, YQ__CALIB_PERCENTILE,
                                                    YQ__CALIB_KL, YQ__CALIB_MMSE};

/* Two passes over x (fed in chunks, like images) then the algorithm's qparams. */
static enum yq_status calibrate(const float *x, size_t n, enum yq__calib_algorithm alg, float *lo,
                                float *hi, struct yq__qparams *qp)
{
    char msg[256] = "";
    struct yq__err e = {msg, sizeof msg};
    struct yq__observer ob;
    yq__observer_init(&ob);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i += 4096)
            yq__observer_update(&ob, x + i, YQ_MIN((size_t)4096, n - i));
        if (pass == 0 && yq__observer_begin_histogram(&ob, 0, &e) != YQ_STATUS_OK) {
            yq__observer_free(&ob);
            return YQ_STATUS_OUT_OF_MEMORY;
        }
    }
    struct yq__calib_options o;
    yq__calib_options_init(&o);
    o.algorithm = alg;
    enum yq_status st = yq__calib_range(&ob, &o, lo, hi, &e);
    if (st == YQ_STATUS_OK) st = yq__calib_qparams(&ob, &o, qp, &e);
    if (st) fprintf(stderr, "calibrate %s: %s\n", yq__calib_algorithm_name(alg), msg);
    yq__observer_free(&ob);
    return st;
}

static double data_mse(const float *x, size_t n, const struct yq__qparams *qp)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)x[i] -
                   (double)yq__dequantize_s8(yq__quantize_s8(x[i], qp->scale, qp->zero_point),
                                             qp->scale, qp->zero_point);
        s += d * d;
    }
    return s / (double)n;
}

static bool valid_qparams(const struct yq__qparams *qp)
{
    return qp->scale > 0.0f && isfinite(qp->scale) && qp->zero_point >= YQ__QMIN &&
           qp->zero_point <= YQ__QMAX && qp->lo <= 0.0f && qp->hi >= 0.0f &&
           yq__dequantize_s8(yq__quantize_s8(0.0f, qp->scale, qp->zero_point), qp->scale,
                             qp->zero_point) == 0.0f;
}

static void test_qparams_by_hand(void)
{
    struct yq__qparams qp;
    yq__qparams_from_range(0.0f, 6.0f, &qp);
    CHECK(qp.scale == (float)(6.0 / 255.0) && qp.zero_point == -128);
    CHECK(fabsf(qp.hi - 6.0f) < 1e-6f && qp.lo == 0.0f);
    yq__qparams_from_range(-6.0f, 0.0f, &qp);
    CHECK(qp.zero_point == 127 && qp.hi == 0.0f);
    /* scale 1 exactly: -128 + 127.5 = -0.5 rounds half to even -> 0 */
    yq__qparams_from_range(-127.5f, 127.5f, &qp);
    CHECK(qp.scale == 1.0f && qp.zero_point == 0 && qp.lo == -128.0f && qp.hi == 127.0f);
    /* float(2/255) is a little above 2/255, so -128 + 1/scale = -0.50000x -> -1 */
    yq__qparams_from_range(-1.0f, 1.0f, &qp);
    CHECK(qp.scale == (float)(2.0 / 255.0) && qp.zero_point == -1);
    /* [1, 2] must be widened to include 0 */
    yq__qparams_from_range(1.0f, 2.0f, &qp);
    CHECK(qp.zero_point == -128 && qp.lo == 0.0f && fabsf(qp.hi - 2.0f) < 1e-6f);
    yq__qparams_from_range(NAN, INFINITY, &qp);
    CHECK(qp.scale == 1.0f && valid_qparams(&qp));
    yq__qparams_from_range(0.0f, 0.0f, &qp);
    CHECK(qp.scale == 1.0f && valid_qparams(&qp));
    /* real = (q - zp) * scale round trip of an in-range value is within scale/2 */
    yq__qparams_from_range(-0.3f, 5.1f, &qp);
    CHECK(valid_qparams(&qp));
    float v = 1.234f;
    float r =
        yq__dequantize_s8(yq__quantize_s8(v, qp.scale, qp.zero_point), qp.scale, qp.zero_point);
    CHECK(fabsf(r - v) <= qp.scale * 0.5f + 1e-6f);
}

static void test_quantize_rounding(void)
{
    CHECK(yq__quantize_s8(0.5f, 1.0f, 0) == 0);
    CHECK(yq__quantize_s8(1.5f, 1.0f, 0) == 2);
    CHECK(yq__quantize_s8(2.5f, 1.0f, 0) == 2);
    CHECK(yq__quantize_s8(-0.5f, 1.0f, 0) == 0);
    CHECK(yq__quantize_s8(-2.5f, 1.0f, 3) == 1);
    CHECK(yq__quantize_s8(1000.0f, 1.0f, 0) == 127);
    CHECK(yq__quantize_s8(-1000.0f, 1.0f, 0) == -128);
    CHECK(yq__quantize_s8(INFINITY, 0.1f, 5) == 127);
    CHECK(yq__quantize_s8(NAN, 0.1f, 5) == 5);
}

static void test_names(void)
{
    enum yq__calib_algorithm a = YQ__CALIB_NORMAL;
    CHECK(yq__calib_algorithm_parse("kl", &a) && a == YQ__CALIB_KL);
    CHECK(yq__calib_algorithm_parse("mmse", &a) && a == YQ__CALIB_MMSE);
    CHECK(yq__calib_algorithm_parse("percentile", &a) && a == YQ__CALIB_PERCENTILE);
    CHECK(yq__calib_algorithm_parse("normal", &a) && a == YQ__CALIB_NORMAL);
    CHECK(!yq__calib_algorithm_parse("entropy", &a) && !yq__calib_algorithm_parse(NULL, &a));
    CHECK(strcmp(yq__calib_algorithm_name(YQ__CALIB_COUNT), "unknown") == 0);
    struct yq__calib_options o;
    yq__calib_options_init(&o);
    CHECK(o.algorithm == YQ__CALIB_NORMAL && o.percentile == 99.99);
}

/* N(0,1), 100k samples, 5 outliers at +50 and 5 at -50. */
static void test_gauss_outliers(void)
{
    size_t n = N_GAUSS + 10;
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < N_GAUSS; i++)
        x[i] = gauss();
    for (size_t i = 0; i < 10; i++)
        x[N_GAUSS + i] = i % 2 ? 50.0f : -50.0f;
    /* spread the outliers through the data, as real calibration images would */
    for (size_t i = 0; i < 10; i++) {
        size_t j = (size_t)yq_test_randint(0, N_GAUSS - 1);
        float t = x[j];
        x[j] = x[N_GAUSS + i];
        x[N_GAUSS + i] = t;
    }
    float lo, hi;
    struct yq__qparams qp[YQ__CALIB_COUNT];
    for (int a = 0; a < YQ__CALIB_COUNT; a++)
        CHECK(calibrate(x, n, all_algs[a], &lo, &hi, &qp[a]) == YQ_STATUS_OK);

    CHECK(calibrate(x, n, YQ__CALIB_NORMAL, &lo, &hi, &qp[0]) == YQ_STATUS_OK);
    CHECKF(lo == -50.0f && hi == 50.0f, "normal [%g, %g]", lo, hi);
    CHECK(qp[0].lo <= -49.8f && qp[0].hi >= 49.8f);

    CHECK(calibrate(x, n, YQ__CALIB_PERCENTILE, &lo, &hi, &qp[1]) == YQ_STATUS_OK);
    CHECKF(lo < -3.0f && lo > -6.0f && hi > 3.0f && hi < 6.0f, "percentile [%g, %g]", lo, hi);

    CHECK(calibrate(x, n, YQ__CALIB_KL, &lo, &hi, &qp[2]) == YQ_STATUS_OK);
    CHECKF(lo <= -3.0f && lo >= -10.0f && hi >= 3.0f && hi <= 10.0f, "kl [%g, %g]", lo, hi);
    CHECK(valid_qparams(&qp[2]));

    /* MMSE keeps the outliers here, and that is the right answer for MSE: clipping one
     * outlier at t ~ 5 costs 45^2 ~ 2000, more than the whole rounding noise of the full
     * range (100k * (100/255)^2 / 12 ~ 1300). It must still beat every other algorithm. */
    CHECK(calibrate(x, n, YQ__CALIB_MMSE, &lo, &hi, &qp[3]) == YQ_STATUS_OK);
    double m_mse = data_mse(x, n, &qp[3]);
    for (int a = 0; a < 3; a++) {
        double m = data_mse(x, n, &qp[a]);
        CHECKF(m_mse <= m * 1.01, "mmse %g vs %s %g", m_mse, yq__calib_algorithm_name(all_algs[a]),
               m);
    }
    free(x);
}

/* 1M samples of N(0,1) and one outlier at each of +-50: now clipping is MSE-optimal
 * (full-range noise 1M * (100/255)^2/12 ~ 12800 vs ~3600 at t ~ 14), and the optimum
 * 10.25 t = 4 (50 - t) gives t ~ 14, well inside the outliers. */
static void test_mmse_clips(void)
{
    size_t n = 1000002;
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n - 2; i++)
        x[i] = gauss();
    x[n - 2] = 50.0f;
    x[n - 1] = -50.0f;
    float lo, hi;
    struct yq__qparams qp, qn;
    CHECK(calibrate(x, n, YQ__CALIB_MMSE, &lo, &hi, &qp) == YQ_STATUS_OK);
    CHECKF(lo <= -8.0f && lo >= -25.0f && hi >= 8.0f && hi <= 25.0f, "mmse [%g, %g]", lo, hi);
    CHECK(calibrate(x, n, YQ__CALIB_NORMAL, &lo, &hi, &qn) == YQ_STATUS_OK);
    CHECK(data_mse(x, n, &qp) < 0.5 * data_mse(x, n, &qn));
    CHECK(calibrate(x, n, YQ__CALIB_KL, &lo, &hi, &qp) == YQ_STATUS_OK);
    CHECKF(lo <= -3.0f && lo >= -10.0f && hi >= 3.0f && hi <= 10.0f, "kl [%g, %g]", lo, hi);
    free(x);
}

static void test_uniform(void)
{
    size_t n = N_GAUSS;
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = yq_test_uniform(0.0f, 6.0f);
    for (int a = 0; a < YQ__CALIB_COUNT; a++) {
        float lo, hi;
        struct yq__qparams qp;
        CHECK(calibrate(x, n, all_algs[a], &lo, &hi, &qp) == YQ_STATUS_OK);
        CHECKF(lo == 0.0f && hi >= 5.7f && hi <= 6.0f, "%s [%g, %g]",
               yq__calib_algorithm_name(all_algs[a]), lo, hi);
        CHECK(qp.zero_point == -128 && valid_qparams(&qp));
    }
    free(x);
}

/* post-ReLU: half the values exactly 0; post-SiLU: x*sigmoid(x), min ~ -0.278. */
static void test_relu_silu(void)
{
    size_t n = N_GAUSS;
    float *r = malloc(n * sizeof *r), *s = malloc(n * sizeof *s);
    float smin = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float g = 2.0f * gauss();
        r[i] = g > 0.0f ? g : 0.0f;
        s[i] = (float)((double)g / (1.0 + exp(-(double)g)));
        smin = s[i] < smin ? s[i] : smin;
    }
    for (int a = 0; a < YQ__CALIB_COUNT; a++) {
        const char *name = yq__calib_algorithm_name(all_algs[a]);
        float lo, hi;
        struct yq__qparams qp;
        CHECK(calibrate(r, n, all_algs[a], &lo, &hi, &qp) == YQ_STATUS_OK);
        CHECKF(lo == 0.0f && qp.zero_point == -128 && qp.lo == 0.0f && hi > 4.0f,
               "relu %s [%g, %g] zp %d", name, lo, hi, (int)qp.zero_point);
        CHECK(valid_qparams(&qp));

        CHECK(calibrate(s, n, all_algs[a], &lo, &hi, &qp) == YQ_STATUS_OK);
        /* the tiny negative side is kept (not clipped to 0, not blown up to +-hi) */
        CHECKF(lo <= 0.5f * smin && lo >= smin && hi > 4.0f, "silu %s [%g, %g] min %g", name, lo,
               hi, smin);
        CHECKF(qp.zero_point <= -110 && valid_qparams(&qp), "silu %s zp %d", name,
               (int)qp.zero_point);
    }
    free(r);
    free(s);
}

static void test_degenerate(void)
{
    float zeros[100] = {0}, cst[100], neg[100];
    for (int i = 0; i < 100; i++) {
        cst[i] = 3.0f;
        neg[i] = -2.0f;
    }
    for (int a = 0; a < YQ__CALIB_COUNT; a++) {
        const char *name = yq__calib_algorithm_name(all_algs[a]);
        float lo, hi;
        struct yq__qparams qp;
        CHECK(calibrate(zeros, 100, all_algs[a], &lo, &hi, &qp) == YQ_STATUS_OK);
        CHECKF(lo == 0.0f && hi == 0.0f && qp.scale == 1.0f && valid_qparams(&qp), "zeros %s",
               name);
        CHECK(calibrate(cst, 100, all_algs[a], &lo, &hi, &qp) == YQ_STATUS_OK);
        CHECKF(lo == 0.0f && hi <= 3.0f && hi > 2.9f && valid_qparams(&qp), "const %s [%g, %g]",
               name, lo, hi);
        CHECK(calibrate(neg, 100, all_algs[a], &lo, &hi, &qp) == YQ_STATUS_OK);
        CHECKF(hi == 0.0f && lo >= -2.0f && lo < -1.9f && valid_qparams(&qp), "neg %s [%g, %g]",
               name, lo, hi);
        /* n = 0: no data at all */
        CHECK(calibrate(NULL, 0, all_algs[a], &lo, &hi, &qp) == YQ_STATUS_OK);
        CHECKF(lo == 0.0f && hi == 0.0f && qp.scale == 1.0f && valid_qparams(&qp), "empty %s",
               name);
    }
    /* only NaN/Inf: ignored, counted */
    float bad[4] = {NAN, INFINITY, -INFINITY, NAN};
    struct yq__observer ob;
    yq__observer_init(&ob);
    yq__observer_update(&ob, bad, 4);
    CHECK(ob.n_finite == 0 && ob.n_nonfinite == 4);
    CHECK(yq__observer_begin_histogram(&ob, 0, NULL) == YQ_STATUS_OK);
    yq__observer_update(&ob, bad, 4);
    yq__observer_update(&ob, NULL, 0);
    CHECK(ob.n_nonfinite == 8 && ob.hist_total == 0.0);
    for (int a = 0; a < YQ__CALIB_COUNT; a++) {
        struct yq__calib_options o;
        yq__calib_options_init(&o);
        o.algorithm = all_algs[a];
        struct yq__qparams qp;
        CHECK(yq__calib_qparams(&ob, &o, &qp, NULL) == YQ_STATUS_OK && qp.scale == 1.0f);
    }
    yq__observer_free(&ob);
    yq__observer_free(NULL);
}

/* NaN/Inf mixed into real data change nothing but the counter. */
static void test_nonfinite_mixed(void)
{
    size_t n = 20000;
    float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        x[i] = y[i] = yq_test_uniform(-1.0f, 4.0f);
    for (size_t i = 0; i < n; i += 97)
        y[i] = (i / 97) % 3 == 0 ? NAN : ((i / 97) % 3 == 1 ? INFINITY : -INFINITY);
    /* reference: the same data with the non-finite entries removed */
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(y[i])) x[m++] = y[i];
    for (int a = 0; a < YQ__CALIB_COUNT; a++) {
        float l1, h1, l2, h2;
        struct yq__qparams q1, q2;
        CHECK(calibrate(x, m, all_algs[a], &l1, &h1, &q1) == YQ_STATUS_OK);
        CHECK(calibrate(y, n, all_algs[a], &l2, &h2, &q2) == YQ_STATUS_OK);
        CHECKF(l1 == l2 && h1 == h2 && q1.scale == q2.scale && q1.zero_point == q2.zero_point,
               "%s [%g, %g] vs [%g, %g]", yq__calib_algorithm_name(all_algs[a]), l1, h1, l2, h2);
    }
    free(x);
    free(y);
}

static void test_errors(void)
{
    char msg[256] = "";
    struct yq__err e = {msg, sizeof msg};
    float x[3] = {-1.0f, 0.5f, 2.0f};
    struct yq__observer ob;
    yq__observer_init(&ob);
    yq__observer_update(&ob, x, 3);
    struct yq__calib_options o;
    yq__calib_options_init(&o);
    float lo, hi;
    CHECK(yq__calib_range(&ob, &o, &lo, &hi, &e) == YQ_STATUS_OK && lo == -1.0f && hi == 2.0f);
    o.algorithm = YQ__CALIB_KL;
    CHECK(yq__calib_range(&ob, &o, &lo, &hi, &e) == YQ_STATUS_BAD_STATE);
    CHECK(strstr(msg, "histogram") != NULL && strstr(msg, "kl") != NULL);
    o.algorithm = (enum yq__calib_algorithm)42;
    CHECK(yq__calib_range(&ob, &o, &lo, &hi, &e) == YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq__observer_begin_histogram(&ob, (size_t)1 << 30, &e) == YQ_STATUS_INVALID_ARGUMENT);

    /* allocation failure of the histogram, then a working retry */
    yq__alloc_fail_countdown = 0;
    CHECK(yq__observer_begin_histogram(&ob, 0, &e) == YQ_STATUS_OUT_OF_MEMORY);
    yq__alloc_fail_countdown = -1;
    CHECK(yq__observer_begin_histogram(&ob, 0, &e) == YQ_STATUS_OK);
    CHECK(yq__observer_begin_histogram(&ob, 0, &e) == YQ_STATUS_BAD_STATE);
    yq__observer_update(&ob, x, 3);
    /* pass-2 data beyond the pass-1 range lands in the edge bins and widens min/max */
    float far[2] = {-7.0f, 9.0f};
    yq__observer_update(&ob, far, 2);
    CHECK(ob.min == -7.0f && ob.max == 9.0f && ob.hist_total == 5.0);
    o.algorithm = YQ__CALIB_PERCENTILE;
    o.percentile = 40.0;
    CHECK(yq__calib_range(&ob, &o, &lo, &hi, &e) == YQ_STATUS_INVALID_ARGUMENT);
    CHECK(strstr(msg, "percentile 40") != NULL);
    o.percentile = 100.0;
    CHECK(yq__calib_range(&ob, &o, &lo, &hi, &e) == YQ_STATUS_OK);
    CHECKF(lo >= -7.0f && hi <= 9.0f && lo < 0.0f && hi > 0.0f, "[%g, %g]", lo, hi);
    o.algorithm = YQ__CALIB_KL;
    yq__alloc_fail_countdown = 0;
    CHECK(yq__calib_range(&ob, &o, &lo, &hi, &e) == YQ_STATUS_OUT_OF_MEMORY);
    o.algorithm = YQ__CALIB_MMSE;
    CHECK(yq__calib_range(&ob, &o, &lo, &hi, &e) == YQ_STATUS_OUT_OF_MEMORY);
    yq__alloc_fail_countdown = -1;
    CHECK(yq__calib_range(&ob, &o, &lo, &hi, &e) == YQ_STATUS_OK);
    yq__observer_free(&ob);
    CHECK(yq__calib_range(NULL, &o, &lo, &hi, &e) == YQ_STATUS_INVALID_ARGUMENT);
}

int main(void)
{
    test_qparams_by_hand();
    test_quantize_rounding();
    test_names();
    test_gauss_outliers();
    test_mmse_clips();
    test_uniform();
    test_relu_silu();
    test_degenerate();
    test_nonfinite_mixed();
    test_errors();
    return yq_test_finish();
}
