/* SPDX-License-Identifier: Apache-2.0 */
/* A whole int8 model gives the same bits on every CPU: the committed yolov5n-int8.yqm
 * (see tests/data/README.md) runs on a fixed synthetic image with 1 and 2 threads, and a
 * hash of its three float head outputs must equal the one recorded here. int8 kernels are
 * bit-exact to the reference and lookup tables come from yq__act_ref, so the hash holds at
 * every ISA level (ctest runs this again under YQ_ISA=scalar/avx2) and on ARM64 under qemu
 * with and without dot-product. A change of rounding anywhere in the int8 path shows here.
 * Steady-state set_input + run allocate nothing; float NCHW input (pixel/255) is quantized
 * to the same codes as the uint8 image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "yoloq/runtime.h"
#include "core/core.h"
#include "kernels/kernels.h"

/* Recorded on x86-64 (AVX-512 VNNI) when the fixture was built. */
#define EXPECTED_HASH 0x8f5c549a592e56f6ULL

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

/* img as u8 NHWC, or (nchw != NULL) the same image as float pixel/255 in NCHW order */
static uint64_t run(struct yq_model *m, int threads, const uint8_t *img, size_t n,
                    const float *nchw, float *first)
{
    char err[256];
    struct yq_session_options so;
    yq_session_options_init(&so);
    so.n_threads = threads;
    struct yq_session *s = NULL;
    if (yq_session_create(m, &so, &s, err, sizeof err)) {
        CHECKF(0, "%s", err);
        return 0;
    }
    /* the second input+run must not allocate (the first may warm up nothing either, but
     * only steady state is the contract) */
    for (int rep = 0; rep < 2; rep++) {
        unsigned long before = yq__alloc_count;
        CHECK((nchw ? yq_session_set_input(s, 0, nchw, n * sizeof *nchw, YQ_DTYPE_F32,
                                           YQ_LAYOUT_NCHW)
                    : yq_session_set_input(s, 0, img, n, YQ_DTYPE_U8, YQ_LAYOUT_NHWC)) ==
              YQ_STATUS_OK);
        CHECK(yq_session_run(s) == YQ_STATUS_OK);
        if (rep == 1)
            CHECKF(yq__alloc_count == before, "%d threads: run allocated %lu times", threads,
                   yq__alloc_count - before);
    }
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < yq_model_n_outputs(m); i++) {
        const float *o;
        struct yq_tensor_info info;
        CHECK(yq_session_output_float(s, i, &o, &info) == YQ_STATUS_OK);
        h = fnv1a(h, o, info.n_elems * sizeof *o);
        if (i == 0)
            *first = o[4]; /* objectness logit of the first anchor, first cell */
    }
    yq_session_free(s);
    return h;
}

int main(void)
{
    char path[1024], err[512];
    struct yq_model *m = NULL;
    CHECKF(yq_model_load_file(yq_test_data(path, sizeof path, "yolov5n-int8.yqm"), NULL, &m,
                              err, sizeof err) == YQ_STATUS_OK,
           "%s", err);
    if (!m)
        return yq_test_finish();
    struct yq_tensor_info in;
    CHECK(yq_model_input_info(m, 0, &in) == YQ_STATUS_OK);
    CHECK(in.dtype == YQ_DTYPE_S8 && in.layout == YQ_LAYOUT_NHWC && in.n_elems == 640 * 640 * 3);
    uint8_t *img = malloc(in.n_elems);
    for (size_t y = 0; y < 640; y++)
        for (size_t x = 0; x < 640; x++)
            for (size_t c = 0; c < 3; c++) /* smooth gradients with a few hard edges */
                img[(y * 640 + x) * 3 + c] =
                    (uint8_t)((x * (c + 1) / 3 + y / 2 + ((x / 80 + y / 80) % 2) * 90) & 255);
    float v1 = 0, v2 = 0;
    uint64_t h1 = run(m, 1, img, in.n_elems, NULL, &v1);
    uint64_t h2 = run(m, 2, img, in.n_elems, NULL, &v2);
    /* float input is quantized with the input's own parameters: x/255 gives the same codes */
    float *nchw = malloc(in.n_elems * sizeof *nchw);
    for (size_t p = 0; p < 640 * 640; p++)
        for (size_t c = 0; c < 3; c++)
            nchw[c * 640 * 640 + p] = (float)img[p * 3 + c] / 255.0f;
    float v3 = 0;
    uint64_t h3 = run(m, 1, img, in.n_elems, nchw, &v3);
    CHECKF(h3 == h1, "float NCHW input gives hash 0x%016llx", (unsigned long long)h3);
    free(nchw);
    printf("isa %s: output hash 0x%016llx (2 threads 0x%016llx), first objectness %g\n",
           yq__isa_name(yq__cpu_isa()), (unsigned long long)h1, (unsigned long long)h2, v1);
    CHECKF(h1 == h2, "1 and 2 threads differ: %g vs %g", v1, v2);
    CHECKF(h1 == EXPECTED_HASH, "hash 0x%016llx, recorded 0x%016llx",
           (unsigned long long)h1, (unsigned long long)EXPECTED_HASH);
    free(img);
    yq_model_free(m);
    return yq_test_finish();
}
