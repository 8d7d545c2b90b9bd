/* SPDX-License-Identifier: Apache-2.0 */
/* Every fp32 GEMM variant the CPU supports (f32_gemm.def) against a naive triple loop in
 * double, within 1e-4 relative to the sum of |terms|, across tile edges, with activations,
 * row-range splits and canaries after every output row; plus the dispatching entry point and
 * every indirect GEMM the CPU has (rows read through segment pointers; a skip where there
 * is none). */
#include "kt.h"

#include "kernels/f32_vact.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void run_case(int m, int n, int k, int act_kind)
{
    size_t lda = (size_t)k + (size_t)yq_test_randint(0, 3), ldb = (size_t)n + 1;
    size_t ldc = (size_t)n + (size_t)yq_test_randint(1, 5);
    float *a = malloc(sizeof(float) * ((size_t)m * lda + 16));
    float *b = malloc(sizeof(float) * (size_t)k * ldb), *bias = malloc(sizeof(float) * (size_t)n);
    for (size_t i = 0; i < (size_t)m * lda + 16; i++)
        a[i] = yq_test_uniform(-1, 1);
    for (size_t i = 0; i < (size_t)k * ldb; i++)
        b[i] = yq_test_uniform(-1, 1);
    for (int j = 0; j < n; j++)
        bias[j] = yq_test_uniform(-1, 1);
    struct yq__act act = {(enum yq__act_kind)act_kind, 0.1f, 0.5f};
    if (act.kind == YQ__ACT_CLIP)
        act.alpha = -0.5f;
    float *want = malloc(sizeof(float) * (size_t)m * ldc), *got = malloc(sizeof(float) * (size_t)m * ldc);
    double *mag = malloc(sizeof(double) * (size_t)m * ldc);
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            double s = bias[j], ms = fabs(bias[j]);
            for (int p = 0; p < k; p++) {
                double t = (double)a[(size_t)i * lda + (size_t)p] * b[(size_t)p * ldb + (size_t)j];
                s += t;
                ms += fabs(t);
            }
            want[(size_t)i * ldc + (size_t)j] = (float)s;
            mag[(size_t)i * ldc + (size_t)j] = ms;
        }
        yq__f32_act(want + (size_t)i * ldc, (size_t)n, &act);
    }
    void *packed = aligned_alloc(64, (yq__f32_gemm_packed_size(k, n) + 63) / 64 * 64);
    yq__f32_gemm_pack(k, n, b, ldb, bias, packed);
    for (int v = 0; v <= yq__f32_gemm_n_variants; v++) {
        /* the last round runs the dispatching entry point */
        const struct yq__f32_gemm_desc *d = v < yq__f32_gemm_n_variants ? &yq__f32_gemm_variants[v] : NULL;
        if (d && !yq__isa_available(d->isa))
            continue;
        memset(got, KT_CANARY, sizeof(float) * (size_t)m * ldc);
        int split = yq_test_randint(0, m);
        yq__f32_gemm_fn fn = d ? d->run : yq__f32_gemm;
        fn(0, split, n, k, a, lda, packed, got, ldc, &act);
        fn(split, m, n, k, a, lda, packed, got, ldc, &act);
        int bad = 0, canary = 0;
        for (int i = 0; i < m; i++) {
            for (size_t j = 0; j < ldc; j++) {
                size_t x = (size_t)i * ldc + j;
                if (j >= (size_t)n) {
                    unsigned char cb[sizeof(float)];
                    memcpy(cb, &got[x], sizeof cb);
                    for (size_t q = 0; q < sizeof cb; q++)
                        canary += cb[q] != KT_CANARY;
                } else if (!(fabs((double)got[x] - want[x]) <= 1e-4 * mag[x] + 1e-6)) {
                    bad++;
                }
            }
        }
        CHECKF(bad == 0 && canary == 0, "%s m=%d n=%d k=%d act=%d: %d wrong, %d canary bytes",
               d ? d->name : "yq__f32_gemm", m, n, k, act_kind, bad, canary);
    }
    free(packed);
    free(a);
    free(b);
    free(bias);
    free(want);
    free(got);
    free(mag);
}

/* The indirect GEMM (yq__f32_igemm_chosen, the conv path without im2col) when this CPU level
 * has one: rows of nseg segments read through pointers at random places of a pool of
 * floats, some segments shared or all zeros (the conv's padding rows), against double. */
static void run_igemm_case(yq__f32_igemm_fn fn, const char *isa, int m, int n, int nseg,
                           int seglen, int act_kind)
{
    int k = nseg * seglen;
    size_t pool_n = 4096 + (size_t)seglen, ldc = (size_t)n + (size_t)yq_test_randint(0, 4);
    float *pool = malloc(sizeof(float) * pool_n), *zero = calloc((size_t)seglen, sizeof(float));
    float *b = malloc(sizeof(float) * (size_t)k * (size_t)n), *bias = malloc(sizeof(float) * (size_t)n);
    const float **ind = malloc(sizeof(*ind) * (size_t)m * (size_t)nseg);
    for (size_t i = 0; i < pool_n; i++)
        pool[i] = yq_test_uniform(-1, 1);
    for (size_t i = 0; i < (size_t)k * (size_t)n; i++)
        b[i] = yq_test_uniform(-1, 1);
    for (int j = 0; j < n; j++)
        bias[j] = yq_test_uniform(-1, 1);
    for (size_t i = 0; i < (size_t)m * (size_t)nseg; i++)
        ind[i] = yq_test_randint(0, 7) == 0 ? zero
                                            : pool + yq_test_randint(0, (int)(pool_n - (size_t)seglen));
    struct yq__act act = {(enum yq__act_kind)act_kind, 0.1f, 0.5f};
    if (act.kind == YQ__ACT_CLIP)
        act.alpha = -0.5f;
    float *want = malloc(sizeof(float) * (size_t)m * ldc), *got = malloc(sizeof(float) * (size_t)m * ldc);
    double *mag = malloc(sizeof(double) * (size_t)m * ldc);
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            double sum = bias[j], ms = fabs(bias[j]);
            for (int g = 0; g < nseg; g++)
                for (int p = 0; p < seglen; p++) {
                    double t = (double)ind[(size_t)i * nseg + g][p] *
                               b[((size_t)g * seglen + (size_t)p) * (size_t)n + (size_t)j];
                    sum += t;
                    ms += fabs(t);
                }
            want[(size_t)i * ldc + (size_t)j] = (float)sum;
            mag[(size_t)i * ldc + (size_t)j] = ms;
        }
        yq__f32_act(want + (size_t)i * ldc, (size_t)n, &act);
    }
    void *packed = aligned_alloc(64, (yq__f32_gemm_packed_size(k, n) + 63) / 64 * 64);
    yq__f32_gemm_pack(k, n, b, (size_t)n, bias, packed);
    memset(got, KT_CANARY, sizeof(float) * (size_t)m * ldc);
    fn(m, n, nseg, seglen, ind, packed, got, ldc, &act);
    int bad = 0, canary = 0;
    for (int i = 0; i < m; i++)
        for (size_t j = 0; j < ldc; j++) {
            size_t x = (size_t)i * ldc + j;
            if (j >= (size_t)n) {
                unsigned char cb[sizeof(float)];
                memcpy(cb, &got[x], sizeof cb);
                for (size_t q = 0; q < sizeof cb; q++)
                    canary += cb[q] != KT_CANARY;
            } else if (!(fabs((double)got[x] - want[x]) <= 1e-4 * mag[x] + 1e-6)) {
                bad++;
            }
        }
    CHECKF(bad == 0 && canary == 0,
           "igemm %s m=%d n=%d nseg=%d seglen=%d act=%d: %d wrong, %d canary bytes", isa, m, n,
           nseg, seglen, act_kind, bad, canary);
    free(packed);
    free(pool);
    free(zero);
    free(b);
    free(bias);
    free(ind);
    free(want);
    free(got);
    free(mag);
}

int main(void)
{
    static const int ms[] = {1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 25};
    static const int ns[] = {1, 7, 15, 16, 17, 31, 32, 33, 64, 131};
    static const int ks[] = {1, 2, 7, 13, 16, 37, 131};
    int t = 0;
    for (size_t ni = 0; ni < COUNT(ns); ni++)
        for (size_t ki = 0; ki < COUNT(ks); ki++)
            for (size_t mi = 0; mi < COUNT(ms); mi++)
                run_case(ms[mi], ns[ni], ks[ki], t++ % YQ__ACT_COUNT);
    run_case(30, 64, 576, YQ__ACT_SILU);
    static const int ims[] = {1, 5, 6, 7, 12, 13, 16, 17, 29};
    static const int ins[] = {3, 16, 17, 32, 33, 48};
    static const int segs[][2] = {{1, 1}, {1, 37}, {3, 5}, {3, 48}, {6, 18}};
    /* every indirect GEMM this CPU can run (the conv path picks the last), else a skip */
    struct igemm_variant {
        const char *isa;
        yq__f32_igemm_fn fn;
    } ig[2];
    int n_ig = 0;
#if defined(__x86_64__)
    if (yq__isa_available(YQ__ISA_AVX2)) ig[n_ig++] = (struct igemm_variant){"avx2", yq__f32_igemm__avx2};
    if (yq__isa_available(YQ__ISA_AVX512VNNI))
        ig[n_ig++] = (struct igemm_variant){"avx512f", yq__f32_igemm__avx512f};
#endif
    CHECK(yq__f32_igemm_chosen() == (n_ig ? ig[n_ig - 1].fn : NULL));
    if (n_ig == 0)
        SKIP("no f32 indirect GEMM at ISA level %s (convs use im2col + GEMM there)",
             yq__isa_name(yq__cpu_isa()));
    for (int v = 0; v < n_ig; v++)
        for (size_t si = 0; si < COUNT(segs); si++)
            for (size_t ni = 0; ni < COUNT(ins); ni++)
                for (size_t mi = 0; mi < COUNT(ims); mi++)
                    run_igemm_case(ig[v].fn, ig[v].isa, ims[mi], ins[ni], segs[si][0],
                                   segs[si][1], t++ % YQ__ACT_COUNT);
    return yq_test_finish();
}
