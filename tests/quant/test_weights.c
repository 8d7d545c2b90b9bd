/* SPDX-License-Identifier: Apache-2.0 */
/* Weight-side quantization: hand-computed int8 weights (round half to even, clamp to
 * +-127), per-channel beating per-tensor on channels of very different magnitude, int32
 * bias rounding and saturation, requantization multipliers, and the error paths. */
#include "harness.h"
#include "quant/quant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void test_by_hand(void)
{
    /* maxabs 127 -> scale exactly 1, so the codes are the rounded values themselves */
    const float w[2 * 5] = {127.0f, 2.5f, -2.5f, 3.5f, 0.5f, 1.0f, -0.4f, 0.25f, 0.0f, -1.0f};
    int8_t q[10];
    float s[2];
    char msg[256] = "";
    struct yq__err e = {msg, sizeof msg};
    CHECK(yq__quant_weights_s8("conv", w, 2, 5, false, q, s, &e) == YQ_STATUS_OK);
    CHECK(s[0] == 1.0f);
    const int8_t want_t[10] = {127, 2, -2, 4, 0, 1, 0, 0, 0, -1};
    CHECK(memcmp(q, want_t, sizeof q) == 0);

    CHECK(yq__quant_weights_s8("conv", w, 2, 5, true, q, s, &e) == YQ_STATUS_OK);
    CHECK(s[0] == 1.0f && s[1] == (float)(1.0 / 127.0));
    const int8_t want_c[10] = {127, 2, -2, 4, 0, 127, -51, 32, 0, -127};
    for (int i = 0; i < 10; i++)
        CHECKF(q[i] == want_c[i], "q[%d] = %d, want %d", i, q[i], want_c[i]);

    /* an all-zero channel gets scale 1 and codes 0 */
    const float z[4] = {0.0f, 0.0f, 0.5f, -0.2f};
    CHECK(yq__quant_weights_s8(NULL, z, 2, 2, true, q, s, &e) == YQ_STATUS_OK);
    CHECK(s[0] == 1.0f && q[0] == 0 && q[1] == 0 && q[2] == 127 && q[3] == -51);
    CHECK(yq__quant_weights_s8(NULL, z, 1, 2, false, q, s, &e) == YQ_STATUS_OK && s[0] == 1.0f);
    /* empty tensor */
    CHECK(yq__quant_weights_s8(NULL, NULL, 0, 9, true, NULL, s, &e) == YQ_STATUS_OK);
}

/* OIHW [16, 8, 3, 3], channel o scaled by 2^(o-8): per-tensor loses the small channels. */
static void test_per_channel_better(void)
{
    enum { O = 16, K = 8 * 3 * 3 };
    float *w = malloc(sizeof(float) * O * K);
    int8_t *q = malloc(O * K);
    float sc[O], st;
    for (int o = 0; o < O; o++)
        for (int i = 0; i < K; i++)
            w[o * K + i] = ldexpf(yq_test_uniform(-1.0f, 1.0f), o - 8);
    CHECK(yq__quant_weights_s8("w", w, O, K, true, q, sc, NULL) == YQ_STATUS_OK);
    double err_c = 0.0, worst_rel = 0.0;
    for (int o = 0; o < O; o++)
        for (int i = 0; i < K; i++) {
            double d = (double)w[o * K + i] - (double)q[o * K + i] * sc[o];
            err_c += d * d;
            /* round to nearest: |error| <= half a step */
            double rel = fabs(d) / sc[o];
            worst_rel = rel > worst_rel ? rel : worst_rel;
        }
    CHECK(worst_rel <= 0.5 + 1e-6);
    CHECK(yq__quant_weights_s8("w", w, O, K, false, q, &st, NULL) == YQ_STATUS_OK);
    double err_t = 0.0, err_small_t = 0.0;
    for (int o = 0; o < O; o++)
        for (int i = 0; i < K; i++) {
            double d = (double)w[o * K + i] - (double)q[o * K + i] * st;
            err_t += d * d;
            if (o < 4) err_small_t += d * d;
        }
    CHECKF(err_c < err_t, "per-channel %g vs per-tensor %g", err_c, err_t);
    /* the 4 smallest channels (|w| < 2^-4 with step 2^7/127) all round to 0 per tensor */
    for (int i = 0; i < 4 * K; i++)
        CHECK(q[i] == 0);
    CHECK(err_small_t > 0.0);
    free(w);
    free(q);
}

static void test_nonfinite_weight(void)
{
    char msg[256] = "";
    struct yq__err e = {msg, sizeof msg};
    float w[6] = {0.1f, 0.2f, 0.3f, 0.4f, NAN, 0.6f};
    int8_t q[6];
    float s[2];
    CHECK(yq__quant_weights_s8("model.0.conv", w, 2, 3, true, q, s, &e) == YQ_STATUS_BAD_MODEL);
    CHECKF(strstr(msg, "model.0.conv") && strstr(msg, "channel 1") && strstr(msg, "index 1"), "%s",
           msg);
    w[4] = INFINITY;
    CHECK(yq__quant_weights_s8("w", w, 2, 3, false, q, s, &e) == YQ_STATUS_BAD_MODEL);
    CHECK(yq__quant_weights_s8("w", w, SIZE_MAX, 3, false, q, s, &e) == YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq__quant_weights_s8("w", NULL, 2, 3, false, q, s, &e) == YQ_STATUS_INVALID_ARGUMENT);
}

static void test_bias(void)
{
    char msg[256] = "";
    struct yq__err e = {msg, sizeof msg};
    /* s_in = 0.5, s_w = 0.25 -> bias scale 0.125 (exact) */
    const float sw[4] = {0.25f, 0.25f, 0.25f, 0.25f};
    const float b[4] = {1.0f, 0.3125f, 0.4375f, -0.3125f}; /* 8, 2.5, 3.5, -2.5 */
    int32_t out[4];
    size_t sat = 99;
    CHECK(yq__quant_bias_s32("b", b, 4, 0.5f, sw, 4, out, &sat, &e) == YQ_STATUS_OK);
    CHECK(out[0] == 8 && out[1] == 2 && out[2] == 4 && out[3] == -2 && sat == 0);
    /* one broadcast weight scale gives the same */
    CHECK(yq__quant_bias_s32("b", b, 4, 0.5f, sw, 1, out, NULL, &e) == YQ_STATUS_OK);
    CHECK(out[0] == 8 && out[1] == 2 && out[2] == 4 && out[3] == -2);
    /* a value not exactly representable: -0.3 / (0.5 * 0.1) = -6 */
    const float sw2 = 0.1f, b2 = -0.3f;
    CHECK(yq__quant_bias_s32("b", &b2, 1, 0.5f, &sw2, 1, out, NULL, &e) == YQ_STATUS_OK);
    CHECK(out[0] == -6);
    /* saturation is counted, not wrapped */
    const float big[2] = {1e10f, -1e10f};
    CHECK(yq__quant_bias_s32("b", big, 2, 0.5f, sw, 1, out, &sat, &e) == YQ_STATUS_OK);
    CHECK(out[0] == INT32_MAX && out[1] == INT32_MIN && sat == 2);
    /* errors */
    CHECK(yq__quant_bias_s32("conv3", b, 4, 0.5f, sw, 3, out, NULL, &e) ==
          YQ_STATUS_INVALID_ARGUMENT);
    CHECKF(strstr(msg, "conv3") && strstr(msg, "3 weight scales"), "%s", msg);
    CHECK(yq__quant_bias_s32("b", b, 4, 0.0f, sw, 1, out, NULL, &e) == YQ_STATUS_INVALID_ARGUMENT);
    const float badsw[2] = {0.25f, -1.0f};
    CHECK(yq__quant_bias_s32("b", b, 2, 0.5f, badsw, 2, out, NULL, &e) ==
          YQ_STATUS_INVALID_ARGUMENT);
    CHECK(strstr(msg, "channel 1") != NULL);
    const float nb[1] = {NAN};
    CHECK(yq__quant_bias_s32("b", nb, 1, 0.5f, sw, 1, out, NULL, &e) == YQ_STATUS_BAD_MODEL);
    CHECK(yq__quant_bias_s32("b", NULL, 0, 0.5f, NULL, 1, NULL, NULL, &e) == YQ_STATUS_OK);
}

static void test_requant(void)
{
    char msg[256] = "";
    struct yq__err e = {msg, sizeof msg};
    const float sw[3] = {0.25f, 0.125f, 0.01f};
    float m[3];
    CHECK(yq__requant_scales("c", 0.5f, sw, 3, 0.0625f, 3, m, &e) == YQ_STATUS_OK);
    CHECK(m[0] == 2.0f && m[1] == 1.0f && m[2] == (float)(0.5 * (double)0.01f / 0.0625));
    CHECK(yq__requant_scales("c", 0.5f, sw, 1, 0.0625f, 3, m, &e) == YQ_STATUS_OK);
    CHECK(m[0] == 2.0f && m[1] == 2.0f && m[2] == 2.0f);
    CHECK(yq__requant_scales("c", 0.5f, sw, 2, 0.0625f, 3, m, &e) == YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq__requant_scales("c", 0.5f, sw, 3, 0.0f, 3, m, &e) == YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq__requant_scales("c", NAN, sw, 3, 1.0f, 3, m, &e) == YQ_STATUS_INVALID_ARGUMENT);
    const float huge = 1e30f;
    CHECK(yq__requant_scales("c", 1e30f, &huge, 1, 1e-30f, 1, m, &e) == YQ_STATUS_INVALID_ARGUMENT);
    CHECKF(strstr(msg, "not a positive finite float") != NULL, "%s", msg);
}

int main(void)
{
    test_by_hand();
    test_per_channel_better();
    test_nonfinite_weight();
    test_bias();
    test_requant();
    return yq_test_finish();
}
