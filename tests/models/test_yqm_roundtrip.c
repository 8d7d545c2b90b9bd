/* SPDX-License-Identifier: Apache-2.0 */
/* .yqm round trip on the bundled yolov5n: ONNX → model → .yqm file → model gives
 * bit-identical outputs and metadata; truncated and bit-flipped copies are one-line errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "yoloq/toolkit.h"

static float *run(struct yq_model *m, const uint8_t *img, size_t n, size_t *out_n)
{
    char err[256];
    struct yq_session *s = NULL;
    if (yq_session_create(m, NULL, &s, err, sizeof err))
        return NULL;
    yq_session_set_input(s, 0, img, n, YQ_DTYPE_U8, YQ_LAYOUT_NHWC);
    yq_session_run(s);
    size_t total = 0;
    for (int i = 0; i < yq_model_n_outputs(m); i++) {
        struct yq_tensor_info info;
        yq_model_output_info(m, i, &info);
        total += info.n_elems;
    }
    float *all = malloc(total * sizeof *all), *p = all;
    for (int i = 0; all && i < yq_model_n_outputs(m); i++) {
        const float *o;
        struct yq_tensor_info info;
        yq_session_output_float(s, i, &o, &info);
        memcpy(p, o, info.n_elems * sizeof *o);
        p += info.n_elems;
    }
    yq_session_free(s);
    *out_n = total;
    return all;
}

int main(void)
{
    char path[1024], err[512];
    struct yq_model *a = NULL, *b = NULL;
    CHECKF(yq_model_load_onnx(yq_test_data(path, sizeof path, "../../data/models/yolov5n.onnx"),
                              NULL, &a, err, sizeof err) == 0,
           "%s", err);
    if (!a)
        return yq_test_finish();
    CHECK(yq_model_set_meta(a, "yq.custom_string", "round trip") == 0);
    char yqm[] = "/tmp/yq_roundtrip_XXXXXX";
    int fd = mkstemp(yqm);
    CHECK(fd >= 0);
    CHECKF(yq_model_save_file(a, yqm, err, sizeof err) == 0, "%s", err);
    CHECKF(yq_model_open(yqm, NULL, &b, err, sizeof err) == 0, "%s", err);
    if (b) {
        CHECK(!strcmp(yq_model_meta(b, "yq.custom_string"), "round trip"));
        CHECK(!strcmp(yq_model_meta(b, "yq.head"), "yolov5"));
        CHECK(yq_model_n_outputs(b) == 3);
        size_t n = 640 * 640 * 3, na = 0, nb = 0;
        uint8_t *img = malloc(n);
        for (size_t i = 0; i < n; i++)
            img[i] = (uint8_t)(yq_test_rand() >> 56);
        float *oa = run(a, img, n, &na), *ob = run(b, img, n, &nb);
        CHECK(oa && ob && na == nb && na > 0 && !memcmp(oa, ob, na * sizeof *oa));
        free(oa);
        free(ob);
        free(img);
    }
    /* corrupt copies */
    size_t size = 0;
    uint8_t *bytes = yq_test_read_file(yqm, &size);
    CHECK(bytes && size > 1000);
    for (int k = 0; bytes && k < 3; k++) {
        FILE *f = fopen(yqm, "wb");
        if (k == 0)
            fwrite(bytes, 1, size / 2, f); /* truncated */
        else {
            uint8_t *copy = malloc(size);
            memcpy(copy, bytes, size);
            copy[k == 1 ? 100 : size - 7] ^= 0x10; /* a flipped bit in the header, the weights */
            fwrite(copy, 1, size, f);
            free(copy);
        }
        fclose(f);
        struct yq_model *c = NULL;
        err[0] = '\0';
        enum yq_status st = yq_model_open(yqm, NULL, &c, err, sizeof err);
        CHECKF(st == YQ_STATUS_BAD_MODEL && !c && err[0] && !strchr(err, '\n'),
               "corrupt copy %d: status %d '%s'", k, st, err);
        printf("corrupt copy %d: %s\n", k, err);
    }
    free(bytes);
    remove(yqm);
    yq_model_free(a);
    yq_model_free(b);
    return yq_test_finish();
}
