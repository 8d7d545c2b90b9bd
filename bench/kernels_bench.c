/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel throughput per variant (a program, not a test): qs8 and fp32 GEMM on YOLO-like
 * shapes (default m=6400 n=64 k=576: a 3x3 conv, 64->64 channels, on an 80x80 map) and a
 * 3x3 depthwise layer; reports GOPS (2 ops per multiply-add), single thread.
 *   cc -O2 -I src -I include bench/kernels_bench.c build/libyq_kernels.a build/libyq_core.a \
 *      -lpthread -lm -o kernels_bench && ./kernels_bench [m n k] */
#include "kernels/kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* best of several timed repetitions of roughly 0.3 s */
#define TIME_BEST(best, stmt)                                                                   \
    do {                                                                                        \
        best = 1e30;                                                                            \
        for (int rep_ = 0; rep_ < 5; rep_++) {                                                  \
            double t0_ = now();                                                                 \
            int it_ = 0;                                                                        \
            do {                                                                                \
                stmt;                                                                           \
                it_++;                                                                          \
            } while (now() - t0_ < 0.06);                                                       \
            double dt_ = (now() - t0_) / it_;                                                   \
            best = dt_ < best ? dt_ : best;                                                     \
        }                                                                                       \
    } while (0)

int main(int argc, char **argv)
{
    int m = 6400, n = 64, k = 576;
    if (argc == 4) {
        m = (int)strtol(argv[1], NULL, 10);
        n = (int)strtol(argv[2], NULL, 10);
        k = (int)strtol(argv[3], NULL, 10);
    }
    double ops = 2.0 * m * n * k;
    int8_t *a = malloc((size_t)m * (size_t)k + 64), *w = malloc((size_t)n * (size_t)k);
    for (size_t i = 0; i < (size_t)m * (size_t)k + 64; i++)
        a[i] = (int8_t)(rand() & 0xff);
    for (size_t i = 0; i < (size_t)n * (size_t)k; i++)
        w[i] = (int8_t)(rand() & 0xff);
    float *scale = malloc(sizeof(float) * (size_t)n);
    for (int j = 0; j < n; j++)
        scale[j] = 1e-4f;
    struct yq__qs8_epilogue ep = {.scale = scale, .out_zp = 3, .out_min = -128, .out_max = 127};
    int8_t *c = malloc((size_t)m * (size_t)n);
    printf("isa %s; qs8 gemm m=%d n=%d k=%d\n", yq__isa_name(yq__cpu_isa()), m, n, k);
    for (int v = 0; v < yq__qs8_gemm_n_variants; v++) {
        const struct yq__qs8_gemm_desc *d = &yq__qs8_gemm_variants[v];
        if (!yq__isa_available(d->isa))
            continue;
        void *p = aligned_alloc(64, (d->packed_size(k, n) + 63) / 64 * 64);
        d->pack(k, n, w, NULL, 1, p);
        int mm = d->isa == YQ__ISA_REF ? (m < 256 ? m : 256) : m; /* ref is slow */
        double t;
        TIME_BEST(t, d->run(0, mm, n, k, a, (size_t)k, p, c, (size_t)n, &ep));
        printf("  %-34s %8.2f GOPS  %8.3f ms\n", d->name, 2.0 * mm * n * k / t * 1e-9,
               t * 1e3 * m / mm);
        free(p);
    }

    float *af = malloc(sizeof(float) * ((size_t)m * (size_t)k + 16));
    float *bf = malloc(sizeof(float) * (size_t)k * (size_t)n), *cf = malloc(sizeof(float) * (size_t)m * (size_t)n);
    for (size_t i = 0; i < (size_t)m * (size_t)k + 16; i++)
        af[i] = (float)(rand() % 100) * 0.01f;
    for (size_t i = 0; i < (size_t)k * (size_t)n; i++)
        bf[i] = (float)(rand() % 100) * 0.01f;
    void *pf = aligned_alloc(64, (yq__f32_gemm_packed_size(k, n) + 63) / 64 * 64);
    yq__f32_gemm_pack(k, n, bf, (size_t)n, NULL, pf);
    struct yq__act relu = {YQ__ACT_RELU, 0, 0};
    printf("f32 gemm m=%d n=%d k=%d\n", m, n, k);
    for (int v = 0; v < yq__f32_gemm_n_variants; v++) {
        const struct yq__f32_gemm_desc *d = &yq__f32_gemm_variants[v];
        if (!yq__isa_available(d->isa))
            continue;
        double t;
        TIME_BEST(t, d->run(0, m, n, k, af, (size_t)k, pf, cf, (size_t)n, &relu));
        printf("  %-34s %8.2f GFLOPS %8.3f ms\n", d->name, ops / t * 1e-9, t * 1e3);
    }

    struct yq__dw_shape s = {80, 80, 64, 3, 3, 1, 1, 1, 1, 80, 80};
    double dops = 2.0 * s.out_h * s.out_w * s.c * 9;
    int8_t *wdw = malloc(9 * 64);
    for (int i = 0; i < 9 * 64; i++)
        wdw[i] = (int8_t)(rand() & 0xff);
    void *pdw = aligned_alloc(64, yq__qs8_dw_packed_size(3, 3, 64));
    yq__qs8_dw_pack(3, 3, 64, wdw, NULL, 2, pdw);
    int8_t *odw = malloc(80 * 80 * 64);
    printf("qs8 depthwise 3x3 80x80x64 stride 1\n");
    for (int v = 0; v < yq__qs8_dw_n_variants; v++) {
        const struct yq__qs8_dw_desc *d = &yq__qs8_dw_variants[v];
        if (!yq__isa_available(d->isa))
            continue;
        double t;
        TIME_BEST(t, d->run(&s, 0, s.out_h, a, pdw, odw, &ep));
        printf("  %-34s %8.2f GOPS  %8.3f ms\n", d->name, dops / t * 1e-9, t * 1e3);
    }
    return 0;
}
