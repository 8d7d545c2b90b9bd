/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-model float tests: every model in ../shared/data/models run on the recorded input
 * must reproduce ONNX Runtime's recorded outputs within 1e-3 absolute, element by element
 * (outputs of the NHWC engine are compared through the layout). The automatically cut
 * yolov5n must equal the raw-head export's outputs. Skips when ../shared/data is absent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "yoloq/toolkit.h"

struct ref_out {
    const char *file;
};

struct case_ {
    const char *model;
    const char *outputs; /* import option: "none" keeps the export's outputs */
    const char *input;
    const char *refs[4];
    int threads;
};

static float out_at(const float *data, const struct yq_tensor_info *info, size_t nchw_index)
{
    if (info->layout != YQ_LAYOUT_NHWC || info->n_dims != 4)
        return data[nchw_index];
    int64_t H = info->dims[1], W = info->dims[2], C = info->dims[3];
    int64_t hw = (int64_t)nchw_index % (H * W), c = (int64_t)nchw_index / (H * W) % C,
            n = (int64_t)nchw_index / (H * W * C);
    return data[(n * H * W + hw) * C + c];
}

static void run_case(const struct case_ *c)
{
    char path[1024], err[512];
    if (!yq_test_shared(path, sizeof path, c->model)) {
        SKIP("%s", c->model);
        return;
    }
    struct yq_import_options io;
    yq_import_options_init(&io);
    io.outputs = c->outputs;
    struct yq_model *m = NULL;
    enum yq_status st = yq_model_load_onnx(path, &io, &m, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "%s: %s", c->model, err);
    if (st)
        return;
    struct yq_session_options so;
    yq_session_options_init(&so);
    so.n_threads = c->threads;
    struct yq_session *s = NULL;
    st = yq_session_create(m, &so, &s, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "%s: %s", c->model, err);
    char ip[1024];
    size_t isz = 0;
    float *input = NULL;
    if (!st && yq_test_shared(ip, sizeof ip, c->input))
        input = yq_test_read_file(ip, &isz);
    CHECK(input != NULL);
    if (!st && input) {
        CHECK(yq_session_set_input(s, 0, input, isz, YQ_DTYPE_F32, YQ_LAYOUT_NCHW) == 0);
        CHECK(yq_session_run(s) == 0);
        for (int k = 0; k < 4 && c->refs[k]; k++) {
            char rp[1024];
            size_t rsz = 0;
            float *ref = yq_test_shared(rp, sizeof rp, c->refs[k]) ? yq_test_read_file(rp, &rsz)
                                                                     : NULL;
            const float *out;
            struct yq_tensor_info info;
            CHECK(yq_session_output_float(s, k, &out, &info) == 0);
            CHECKF(ref && rsz == info.n_elems * 4, "%s: output %d has %zu elements, ref %zu",
                   c->model, k, info.n_elems, rsz / 4);
            if (ref && rsz == info.n_elems * 4) {
                /* 1e-3 absolute; decoded box columns (pixels up to 640) additionally get
                 * 1e-5 relative: the decode w = (2*sigmoid(t))^2 * anchor multiplies a
                 * logit difference of 3e-5 (summation order, within ONNX Runtime's own
                 * distance to PyTorch) by up to ~70. */
                double maxd = 0, excess = 0;
                size_t worst = 0;
                for (size_t i = 0; i < info.n_elems; i++) {
                    double d = fabs((double)out_at(out, &info, i) - ref[i]);
                    double over = d - (1e-3 + 1e-5 * fabs((double)ref[i]));
                    if (!(d <= maxd))
                        maxd = d;
                    if (!(over <= excess)) {
                        excess = over;
                        worst = i;
                    }
                }
                CHECKF(excess <= 0, "%s output %d: diff exceeds tolerance by %g at %zu",
                       c->model, k, excess, worst);
                printf("%s (%d thread%s) %s: max abs diff %.2g\n", c->model, c->threads,
                       c->threads > 1 ? "s" : "", info.name, maxd);
            }
            free(ref);
        }
    }
    free(input);
    yq_session_free(s);
    yq_model_free(m);
}

int main(void)
{
    static const struct case_ cases[] = {
        {"models/yolov5n.onnx", "none", "reference/bus_input_f32_1x3x640x640.bin",
         {"reference/bus_yolov5n.output0.bin"}, 1},
        {"models/yolov5n.onnx", NULL, "reference/bus_input_f32_1x3x640x640.bin",
         {"reference/bus_yolov5n-rawhead.output0.bin", "reference/bus_yolov5n-rawhead.output1.bin",
          "reference/bus_yolov5n-rawhead.output2.bin"},
         2},
        {"models/yolov5n-rawhead.onnx", NULL, "reference/bus_input_f32_1x3x640x640.bin",
         {"reference/bus_yolov5n-rawhead.output0.bin", "reference/bus_yolov5n-rawhead.output1.bin",
          "reference/bus_yolov5n-rawhead.output2.bin"},
         1},
        {"models/yolov8n-random.onnx", "none", "reference/bus_input_f32_1x3x640x640.bin",
         {"reference/bus_yolov8n-random.output0.bin"}, 2},
        {"models/yolov8n-random-rawhead.onnx", NULL, "reference/bus_input_f32_1x3x640x640.bin",
         {"reference/bus_yolov8n-random-rawhead.output0.bin",
          "reference/bus_yolov8n-random-rawhead.output1.bin",
          "reference/bus_yolov8n-random-rawhead.output2.bin"},
         1},
        {"models/yolov8n-random.onnx", NULL, "reference/bus_input_f32_1x3x640x640.bin",
         {"reference/bus_yolov8n-random-rawhead.output0.bin",
          "reference/bus_yolov8n-random-rawhead.output1.bin",
          "reference/bus_yolov8n-random-rawhead.output2.bin"},
         1},
        {"models/yolox_nano.onnx", "none", "reference/bus_input_yolox_f32_1x3x416x416.bin",
         {"reference/bus_yolox_nano.output.bin"}, 2},
        {"models/fastestdet.onnx", NULL, "reference/bus_input_fastestdet_f32_1x3x352x352.bin",
         {"reference/bus_fastestdet.758.bin"}, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
    return yq_test_finish();
}
