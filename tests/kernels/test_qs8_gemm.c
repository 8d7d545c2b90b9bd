/* SPDX-License-Identifier: Apache-2.0 */
/* Every qs8 GEMM variant the CPU supports (qs8_gemm.def) against the contract of kernels.h
 * computed here independently, with ==: m, n, k across tile edges and primes, extreme zero
 * points, tight clamps, ties, LUT and float epilogues, row-range splits (threads), canary
 * bytes after every output row, and the dispatching entry points. YOLO's narrow shapes
 * (n = 16, 48: the AVX-512 half-panel path) get extra cases, and on x86 the AVX-512 kernel's
 * LUT path for CPUs without VBMI runs as one more variant. */
#include "kt.h"
#include "kernels/kernels_impl.h"

#include <stdio.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int n_cases;
static int bounds; /* run_case fills at the contract's bounds (see there) */

#if defined(__x86_64__)
static const struct yq__qs8_gemm_desc *d_avx512(void)
{
    for (int v = 0; v < yq__qs8_gemm_n_variants; v++)
        if (yq__qs8_gemm_variants[v].isa == YQ__ISA_AVX512VNNI)
            return &yq__qs8_gemm_variants[v];
    return &yq__qs8_gemm_variants[0];
}
#endif

/* One shape: computes the expected output once, then checks each variant. */
static void run_case(int m, int n, int k, int mode)
{
    size_t lda = (size_t)k + (size_t)yq_test_randint(0, 3);
    size_t a_bytes = (size_t)m * lda + 64; /* kernels may read 64 bytes past a row */
    int8_t *a = malloc(a_bytes), *w = malloc((size_t)n * (size_t)k + 1);
    int32_t *bias = malloc(sizeof(int32_t) * (size_t)n);
    kt_fill_s8(a, a_bytes);
    kt_fill_s8(w, (size_t)n * (size_t)k);
    for (int j = 0; j < n; j++)
        bias[j] = yq_test_randint(-(1 << 20), 1 << 20);
    bool use_bias = yq_test_randint(0, 3) != 0;
    int zsel = yq_test_randint(0, 3);
    int32_t a_zp = zsel == 0 ? -128 : zsel == 1 ? 127 : yq_test_randint(-128, 127);
    double mag = sqrt((double)k) * 128.0 * 80.0;
    if (bounds) {
        /* the contract's limits (kernels.h): |A - a_zp| = 255, |W| = 127, k up to 16384,
         * |bias| = 2^29: |acc| reaches 255*127*16384 + 2^29 = 1.07e9, within int32 only
         * because of the bounds. bounds 1: every term the same sign (the extreme sum);
         * 2: random signs of extreme magnitudes, random bias signs. */
        a_zp = bounds == 1 || yq_test_randint(0, 1) ? 127 : -128;
        for (size_t i = 0; i < a_bytes; i++)
            a[i] = (int8_t)(a_zp == 127 ? -128 : 127);
        for (size_t i = 0; i < (size_t)n * (size_t)k; i++)
            w[i] = (int8_t)(bounds == 1 || yq_test_randint(0, 1) ? 127 : -127);
        for (int j = 0; j < n; j++)
            bias[j] = (bounds == 1 ? (a_zp == 127 ? -1 : 1) : (yq_test_randint(0, 1) ? 1 : -1)) *
                      (1 << 29);
        use_bias = true;
        mag = 255.0 * 127.0 * (double)k + (double)(1 << 29);
    }

    struct kt_ep e;
    kt_ep_init(&e, mode, n, mag);
    if (bounds && e.ep.fscale) e.ep.act.kind = YQ__ACT_NONE; /* keep the magnitude visible */
    size_t esize = e.ep.fscale ? sizeof(float) : 1;
    size_t ldc = (size_t)n + (size_t)yq_test_randint(1, 9); /* canary room after each row */
    size_t c_bytes = (size_t)m * ldc * esize;
    unsigned char *want = malloc(c_bytes), *got = malloc(c_bytes);
    memset(want, KT_CANARY, c_bytes);
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            int32_t acc = use_bias ? bias[j] : 0;
            for (int p = 0; p < k; p++)
                acc += ((int32_t)a[(size_t)i * lda + (size_t)p] - a_zp) * w[(size_t)j * (size_t)k + (size_t)p];
            kt_epilogue(acc, j, &e.ep, want + ((size_t)i * ldc + (size_t)j) * esize);
        }
    }

    for (int v = 0; v < yq__qs8_gemm_n_variants + 1; v++) {
        struct yq__qs8_gemm_desc extra;
        const struct yq__qs8_gemm_desc *d = &extra;
        if (v < yq__qs8_gemm_n_variants) {
            d = &yq__qs8_gemm_variants[v];
        } else {
#if defined(__x86_64__)
            /* the AVX-512 kernel's LUT path for CPUs without VBMI, on any AVX-512 CPU */
            extra = *d_avx512();
            extra.name = "yq__qs8_gemm_8x32c4__avx512vnni_novbmi";
            extra.run = yq__qs8_gemm_8x32c4__avx512vnni_novbmi;
#else
            continue;
#endif
        }
        if (!yq__isa_available(d->isa))
            continue;
        size_t psize = d->packed_size(k, n);
        void *packed = aligned_alloc(64, (psize + 63) / 64 * 64);
        d->pack(k, n, w, use_bias ? bias : NULL, a_zp, packed);
        memset(got, KT_CANARY, c_bytes);
        /* split the rows in two calls, as threads would */
        int split = m > 1 ? yq_test_randint(0, m) : m;
        d->run(0, split, n, k, a, lda, packed, got, ldc, &e.ep);
        d->run(split, m, n, k, a, lda, packed, got, ldc, &e.ep);
        bool same = memcmp(want, got, c_bytes) == 0;
        CHECKF(same, "%s m=%d n=%d k=%d mode=%d a_zp=%d zp=%d [%d,%d] lut=%d split=%d", d->name,
               m, n, k, mode, a_zp, e.ep.out_zp, e.ep.out_min, e.ep.out_max, e.ep.lut != NULL,
               split);
        if (!same) {
            for (size_t b = 0; b < c_bytes; b++) {
                if (want[b] != got[b]) {
                    fprintf(stderr, "  first difference at byte %zu (row %zu col %zu): want %d got %d\n",
                            b, b / (ldc * esize), (b % (ldc * esize)) / esize, want[b], got[b]);
                    break;
                }
            }
        }
        free(packed);
    }
    n_cases++;
    free(e.scale);
    free(a);
    free(w);
    free(bias);
    free(want);
    free(got);
}

static void test_dispatch(void)
{
    enum yq__isa list[YQ__ISA_COUNT];
    int nl = yq__isa_list(list, YQ__ISA_COUNT);
    CHECK(nl >= 2 && list[0] == YQ__ISA_REF && list[1] == YQ__ISA_SCALAR);
    CHECK(list[nl - 1] == yq__cpu_isa());
    CHECK(yq__cpu_isa() <= yq__cpu_isa_detected());
    fprintf(stderr, "isa: detected %s, running %s; qs8 gemm %s, f32 gemm %s\n",
            yq__isa_name(yq__cpu_isa_detected()), yq__isa_name(yq__cpu_isa()),
            yq__qs8_gemm_chosen()->name, yq__f32_gemm_chosen()->name);
    CHECK(yq__qs8_gemm_chosen()->isa != YQ__ISA_REF);
    CHECK(yq__isa_available(yq__qs8_gemm_chosen()->isa));
    /* the best available variant is the one chosen */
    for (int v = 0; v < yq__qs8_gemm_n_variants; v++)
        if (yq__isa_available(yq__qs8_gemm_variants[v].isa))
            CHECK(yq__qs8_gemm_variants[v].isa <= yq__qs8_gemm_chosen()->isa);

    /* the dispatching entry points on a YOLO-like shape */
    int m = 37, n = 64, k = 576;
    int8_t *a = malloc((size_t)m * (size_t)k + 64), *w = malloc((size_t)n * (size_t)k);
    kt_fill_s8(a, (size_t)m * (size_t)k + 64);
    kt_fill_s8(w, (size_t)n * (size_t)k);
    int32_t a_zp = -5;
    struct kt_ep e;
    kt_ep_init(&e, 0, n, sqrt((double)k) * 128.0 * 80.0);
    void *packed = aligned_alloc(64, (yq__qs8_gemm_packed_size(k, n) + 63) / 64 * 64);
    yq__qs8_gemm_pack(k, n, w, NULL, a_zp, packed);
    int8_t *c = malloc((size_t)m * (size_t)n);
    yq__qs8_gemm(0, m, n, k, a, (size_t)k, packed, c, (size_t)n, &e.ep);
    int bad = 0;
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            int32_t acc = 0;
            for (int p = 0; p < k; p++)
                acc += (a[i * k + p] - a_zp) * w[j * k + p];
            int8_t x[4];
            kt_epilogue(acc, j, &e.ep, x);
            bad += x[0] != c[i * n + j];
        }
    }
    CHECKF(bad == 0, "yq__qs8_gemm: %d mismatches", bad);
    free(packed);
    free(c);
    free(a);
    free(w);
    free(e.scale);
}

int main(void)
{
    test_dispatch();
    static const int ms[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 17};
    static const int ns[] = {1, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 37, 64, 131};
    static const int ks[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 37, 131};
    int mode = 0;
    for (size_t ni = 0; ni < COUNT(ns); ni++)
        for (size_t ki = 0; ki < COUNT(ks); ki++)
            for (size_t mi = 0; mi < COUNT(ms); mi += 1 + (ns[ni] * ks[ki] > 2000))
                run_case(ms[mi], ns[ni], ks[ki], mode++ % KT_N_MODES);
    for (int t = 0; t < KT_N_MODES; t++)
        run_case(19, 64, 576, t);
    /* YOLO's narrow layers (n = 16, 48: half panels) with row counts around the 16-row
     * tiles, every epilogue mode; the LUT mode twice more so its tables see varied data */
    static const int yn[] = {16, 48, 80, 144, 255};
    static const int ym[] = {15, 16, 23, 24, 33, 40, 47};
    for (size_t ni = 0; ni < COUNT(yn); ni++)
        for (size_t mi = 0; mi < COUNT(ym); mi++)
            run_case(ym[mi], yn[ni], ni == 0 ? 108 : 36 + 4 * (int)mi, mode++ % KT_N_MODES);
    for (int t = 0; t < 3; t++) {
        run_case(101, 16, 108, 4);
        run_case(37, 48, 144, 4);
    }
    /* the bounds the quantize pass enforces (k <= 16384, |bias| <= 2^29): every variant
     * bit-exact with the contract where |acc| is within 0.6% of 2^30 */
    for (bounds = 1; bounds <= 2; bounds++)
        for (int t = 0; t < KT_N_MODES; t++)
            run_case(t % 2 ? 3 : 17, t % 3 ? 33 : 16, t < 3 ? 16384 : 16383, t);
    bounds = 0;
    fprintf(stderr, "%d cases\n", n_cases);
    return yq_test_finish();
}
