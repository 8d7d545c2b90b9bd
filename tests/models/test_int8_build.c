/* SPDX-License-Identifier: Apache-2.0 */
/* yq_model_build on the bundled yolov5n with the bundled calibration images: the int8 model
 * reports what it quantized, its head outputs follow the float model's closely on bus.jpg
 * (cosine >= 0.99 per output, per-channel and per-layer), and save -> load gives the same
 * bytes out. A missing dataset and a bad algorithm are errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "yoloq/media.h"
#include "yoloq/toolkit.h"

struct outs {
    float *v[3];
    size_t n[3];
};

static void run(struct yq_model *m, const uint8_t *img, size_t n, struct outs *o)
{
    char err[256];
    struct yq_session *s = NULL;
    memset(o, 0, sizeof *o);
    if (yq_session_create(m, NULL, &s, err, sizeof err)) {
        CHECKF(0, "%s", err);
        return;
    }
    CHECK(yq_session_set_input(s, 0, img, n, YQ_DTYPE_U8, YQ_LAYOUT_NHWC) == YQ_STATUS_OK);
    CHECK(yq_session_run(s) == YQ_STATUS_OK);
    for (int i = 0; i < 3 && i < yq_model_n_outputs(m); i++) {
        const float *p;
        struct yq_tensor_info info;
        yq_session_output_float(s, i, &p, &info);
        o->n[i] = info.n_elems;
        o->v[i] = malloc(info.n_elems * sizeof *p);
        memcpy(o->v[i], p, info.n_elems * sizeof *p);
    }
    yq_session_free(s);
}

static void outs_free(struct outs *o)
{
    for (int i = 0; i < 3; i++)
        free(o->v[i]);
}

static double cosine(const float *a, const float *b, size_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return ab / sqrt(aa * bb + 1e-30);
}

int main(void)
{
    char model[1024], ds[1024], imgp[1024], err[512];
    yq_test_data(model, sizeof model, "../../data/models/yolov5n.onnx");
    yq_test_data(ds, sizeof ds, "../../data/calib/dataset.txt");
    yq_test_data(imgp, sizeof imgp, "../../data/images/bus.jpg");

    struct yq_image img;
    CHECKF(yq_image_load(imgp, &img, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    size_t n = 640 * 640 * 3;
    uint8_t *in = malloc(n);
    struct yq_letterbox_options lo;
    yq_letterbox_options_init(&lo, YQ_LETTERBOX_CENTER);
    struct yq_letterbox_info li;
    CHECK(yq_letterbox(&img, 640, 640, &lo, in, n, &li, err, sizeof err) == YQ_STATUS_OK);
    yq_image_free(&img);

    struct yq_model *f = NULL;
    CHECKF(yq_model_load_onnx(model, NULL, &f, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    struct outs fo;
    run(f, in, n, &fo);

    for (int method = 0; method < 2; method++) {
        struct yq_build_options bo;
        yq_build_options_init(&bo);
        bo.dataset = ds;
        bo.max_samples = 4;
        bo.algorithm = YQ_QUANT_MMSE;
        bo.method = method ? YQ_QUANT_PER_LAYER : YQ_QUANT_PER_CHANNEL;
        struct yq_build_report r;
        struct yq_model *q = NULL;
        CHECKF(yq_model_build(model, &bo, &q, &r, err, sizeof err) == YQ_STATUS_OK, "%s", err);
        if (!q)
            continue;
        CHECK(r.n_samples == 4);
        CHECK(r.n_outputs == 3);
        for (int i = 0; i < r.n_outputs && i < 3; i++)
            CHECKF(r.output_cosine[i] > 0.99 && r.output_cosine[i] <= 1.0 + 1e-9,
                   "build report: output %d cosine %g", i, r.output_cosine[i]);
        CHECKF(r.n_quantized >= 80 && r.n_float == 0 && r.kept == NULL,
               "quantized %d float %d", r.n_quantized, r.n_float);
        CHECK(!strcmp(yq_model_meta(q, "yq.quant.algorithm"), "mmse"));
        CHECK(!strcmp(yq_model_meta(q, "yq.quant.method"), method ? "layer" : "channel"));
        struct yq_tensor_info ii;
        yq_model_input_info(q, 0, &ii);
        CHECK(ii.dtype == YQ_DTYPE_S8 && ii.zero_point == -128 &&
              fabsf(ii.scale - 1.0f / 255) < 1e-9f);
        struct outs qo;
        run(q, in, n, &qo);
        for (int i = 0; i < 3; i++) {
            double c = qo.v[i] ? cosine(qo.v[i], fo.v[i], fo.n[i]) : 0;
            printf("%s output %d: cosine %.5f\n", method ? "per-layer" : "per-channel", i, c);
            CHECKF(c >= 0.99, "output %d cosine %.5f", i, c);
        }
        /* round trip through a file: same bytes out */
        char path[] = "/tmp/yq_int8_XXXXXX";
        int fd = mkstemp(path);
        CHECK(fd >= 0);
        close(fd);
        CHECKF(yq_model_save_file(q, path, err, sizeof err) == YQ_STATUS_OK, "%s", err);
        struct yq_model *l = NULL;
        CHECKF(yq_model_load_file(path, NULL, &l, err, sizeof err) == YQ_STATUS_OK, "%s", err);
        unlink(path);
        if (l) {
            struct outs lo2;
            run(l, in, n, &lo2);
            for (int i = 0; i < 3; i++)
                CHECKF(lo2.v[i] && !memcmp(lo2.v[i], qo.v[i], qo.n[i] * sizeof(float)),
                       "output %d differs after save/load", i);
            CHECK(!strcmp(yq_model_meta(l, "yq.quant.samples"), "4"));
            outs_free(&lo2);
            yq_model_free(l);
        }
        outs_free(&qo);
        yq_build_report_free(&r);
        yq_model_free(q);
    }

    struct yq_build_options bo;
    yq_build_options_init(&bo);
    struct yq_model *q = NULL;
    CHECK(yq_model_build(model, &bo, &q, NULL, err, sizeof err) == YQ_STATUS_INVALID_ARGUMENT);
    CHECKF(strstr(err, "dataset"), "%s", err);
    bo.dataset = "/nonexistent/dataset.txt";
    CHECK(yq_model_build(model, &bo, &q, NULL, err, sizeof err) == YQ_STATUS_IO);
    CHECKF(strstr(err, "/nonexistent/dataset.txt"), "%s", err);
    bo.dataset = ds;
    bo.algorithm = (enum yq_quant_algorithm)9;
    CHECK(yq_model_build(model, &bo, &q, NULL, err, sizeof err) == YQ_STATUS_INVALID_ARGUMENT);
    CHECK(q == NULL);

    outs_free(&fo);
    yq_model_free(f);
    free(in);
    return yq_test_finish();
}
