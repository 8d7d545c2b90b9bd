/* SPDX-License-Identifier: Apache-2.0 */
/* The steady state allocates nothing: with the bundled yolov5n.onnx (imported through the
 * toolkit, so the real fused graph and its kernels), after one warm run, yq_session_run,
 * yq_session_set_input (u8 and f32) and yq_session_output/_output_float make zero calls to
 * yq__malloc/calloc/realloc/aligned_alloc, with 1 and with 2 threads. Lives in tests/toolkit
 * because runtime tests do not link the ONNX importer. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "harness.h"
#include "yoloq/toolkit.h"

static void check_threads(const struct yq_model *m, int threads)
{
    char err[512];
    struct yq_session_options so;
    yq_session_options_init(&so);
    so.n_threads = threads;
    struct yq_session *s = NULL;
    CHECKF(yq_session_create(m, &so, &s, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    if (!s) return;
    struct yq_tensor_info in;
    CHECK(yq_model_input_info(m, 0, &in) == YQ_STATUS_OK);
    unsigned char *img = malloc(in.n_elems);
    float *fimg = malloc(in.n_elems * sizeof *fimg);
    CHECK(img && fimg);
    if (!img || !fimg) {
        free(img);
        free(fimg);
        yq_session_free(s);
        return;
    }
    for (size_t i = 0; i < in.n_elems; i++) {
        img[i] = (unsigned char)yq_test_randint(0, 255);
        fimg[i] = (float)img[i] / 255.0f;
    }
    int n_out = yq_model_n_outputs(m);
    CHECK(n_out >= 1);

    /* warm: the first run may set up lazily (thread pool, output buffers) */
    CHECK(yq_session_set_input(s, 0, img, in.n_elems, YQ_DTYPE_U8, YQ_LAYOUT_NHWC) == YQ_STATUS_OK);
    CHECK(yq_session_run(s) == YQ_STATUS_OK);
    for (int o = 0; o < n_out; o++) {
        const void *raw;
        const float *f;
        struct yq_tensor_info oi;
        CHECK(yq_session_output(s, o, &raw, &oi) == YQ_STATUS_OK);
        CHECK(yq_session_output_float(s, o, &f, &oi) == YQ_STATUS_OK);
    }

    unsigned long before = yq__alloc_count;
    for (int it = 0; it < 2; it++) {
        CHECK(yq_session_set_input(s, 0, img, in.n_elems, YQ_DTYPE_U8, YQ_LAYOUT_NHWC) ==
              YQ_STATUS_OK);
        CHECK(yq_session_run(s) == YQ_STATUS_OK);
        CHECK(yq_session_set_input(s, 0, fimg, in.n_elems * sizeof *fimg, YQ_DTYPE_F32,
                                   YQ_LAYOUT_NHWC) == YQ_STATUS_OK);
        CHECK(yq_session_run(s) == YQ_STATUS_OK);
        for (int o = 0; o < n_out; o++) {
            const void *raw;
            const float *f;
            struct yq_tensor_info oi;
            CHECK(yq_session_output(s, o, &raw, &oi) == YQ_STATUS_OK);
            CHECK(yq_session_output_float(s, o, &f, &oi) == YQ_STATUS_OK);
            CHECK(raw && f && oi.n_elems > 0);
        }
    }
    unsigned long allocs = yq__alloc_count - before;
    CHECKF(allocs == 0, "%d thread(s): %lu allocations in 4 runs", threads, allocs);
    free(img);
    free(fimg);
    yq_session_free(s);
}

int main(void)
{
    char path[1024], err[512];
    struct yq_model *m = NULL;
    CHECKF(yq_model_open(yq_test_data(path, sizeof path, "../../data/models/yolov5n.onnx"), NULL,
                         &m, err, sizeof err) == YQ_STATUS_OK,
           "%s", err);
    if (m) {
        check_threads(m, 1);
        check_threads(m, 2);
    }
    yq_model_free(m);
    return yq_test_finish();
}
