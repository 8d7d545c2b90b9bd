/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation failure: each step below is run with the i-th allocation failing, for every
 * i = 0, 1, ... until it succeeds. Each failing run must return YQ_STATUS_OUT_OF_MEMORY
 * with a one-line message, NULL outputs and no output file; the ASan build (LeakSanitizer)
 * makes any leak on those paths fail the test. Steps: ONNX import, .yqm load (plain and
 * sealed), session create, yq_model_build (calibrate + quantize a small Conv on two .npy
 * samples, then save), COCO ground truth + detections JSON load and evaluate, results save.
 * cJSON's allocations are routed through yq__malloc here (cJSON_InitHooks is process-wide,
 * so the library leaves it to the program) and protobuf-c's always are. */
#include "harness.h"
#include "core/core.h"
#include "yoloq/eval.h"
#include "yoloq/seal.h"
#include "yoloq/toolkit.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char err[512];
static char dir[] = "/tmp/yq_oom_XXXXXX";
static char onnx[512], yqm[512], sealed[512], dataset[512], out_path[512];
static uint8_t key[32];

typedef enum yq_status (*step_fn)(void);

/* Runs fn with allocation k failing for k = 0.. until it succeeds; returns the count. */
static long loop(const char *name, step_fn fn, const char *must_not_exist)
{
    long k;
    int wrong = 0;
    for (k = 0; k < 200000; k++) {
        err[0] = 0;
        yq__alloc_fail_countdown = k;
        enum yq_status st = fn();
        yq__alloc_fail_countdown = -1;
        if (st == YQ_STATUS_OK)
            break;
        if (st != YQ_STATUS_OUT_OF_MEMORY || !err[0] || strchr(err, '\n')) {
            if (wrong++ < 5)
                fprintf(stderr, "%s: allocation %ld failing: status %d '%s'\n", name, k, st, err);
        }
        if (must_not_exist && access(must_not_exist, F_OK) == 0) {
            wrong++;
            fprintf(stderr, "%s: allocation %ld failing left %s\n", name, k, must_not_exist);
            unlink(must_not_exist);
        }
    }
    CHECKF(wrong == 0, "%s: %d failing allocations without a clean out-of-memory", name, wrong);
    CHECKF(k > 0 && k < 200000, "%s: %ld allocations", name, k);
    fprintf(stderr, "note: %s: %ld allocations, %s\n", name, k,
            wrong ? "SOME FAILURES NOT CLEAN" : "each failure clean");
    return k;
}

static enum yq_status s_onnx(void)
{
    struct yq_model *m = (struct yq_model *)1;
    enum yq_status st = yq_model_load_onnx(onnx, NULL, &m, err, sizeof err);
    if (st && m) return YQ_STATUS_BAD_STATE;
    yq_model_free(m);
    return st;
}

static enum yq_status load_yqm(const char *path, bool with_key)
{
    struct yq_model_options mo;
    yq_model_options_init(&mo);
    mo.key = with_key ? key : NULL;
    mo.key_len = with_key ? sizeof key : 0;
    struct yq_model *m = (struct yq_model *)1;
    enum yq_status st = yq_model_load_file(path, &mo, &m, err, sizeof err);
    if (st && m) return YQ_STATUS_BAD_STATE;
    yq_model_free(m);
    return st;
}

static enum yq_status s_yqm(void)
{
    return load_yqm(yqm, false);
}

static enum yq_status s_sealed(void)
{
    return load_yqm(sealed, true);
}

static struct yq_model *session_model;
static enum yq_status s_session(void)
{
    struct yq_session_options so;
    yq_session_options_init(&so);
    so.n_threads = 2;
    struct yq_session *s = (struct yq_session *)1;
    enum yq_status st = yq_session_create(session_model, &so, &s, err, sizeof err);
    if (st && s) return YQ_STATUS_BAD_STATE;
    yq_session_free(s);
    return st;
}

static enum yq_status s_build(void)
{
    struct yq_build_options bo;
    yq_build_options_init(&bo);
    bo.dataset = dataset;
    bo.import.outputs = "none";
    bo.n_threads = 1;
    struct yq_model *m = (struct yq_model *)1;
    struct yq_build_report r;
    enum yq_status st = yq_model_build(onnx, &bo, &m, &r, err, sizeof err);
    if (st) return m ? YQ_STATUS_BAD_STATE : st;
    yq_build_report_free(&r);
    st = yq_model_save_file_encrypted(m, out_path, key, sizeof key, err, sizeof err);
    yq_model_free(m);
    if (!st) unlink(out_path);
    return st;
}

static const char gt_json[] =
    "{\"images\": [{\"id\": 1, \"width\": 100, \"height\": 80, \"file_name\": \"a.jpg\"},"
    " {\"id\": 2, \"width\": 64, \"height\": 64, \"file_name\": \"b.jpg\"}],"
    " \"categories\": [{\"id\": 1, \"name\": \"person\"}, {\"id\": 3, \"name\": \"car\"}],"
    " \"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [10, 10, 20, 30],"
    " \"area\": 600, \"iscrowd\": 0}, {\"id\": 2, \"image_id\": 2, \"category_id\": 3,"
    " \"bbox\": [5, 5, 40, 20], \"area\": 800, \"iscrowd\": 0}]}";
static const char dets_json[] =
    "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [11, 10, 20, 29], \"score\": 0.9},"
    " {\"image_id\": 2, \"category_id\": 3, \"bbox\": [5, 6, 40, 20], \"score\": 0.8},"
    " {\"image_id\": 2, \"category_id\": 1, \"bbox\": [0, 0, 10, 10], \"score\": 0.3}]";

static enum yq_status s_eval(void)
{
    struct yq_coco_gt *gt = NULL;
    struct yq_coco_dets *d = NULL;
    struct yq_coco_result *res = NULL;
    enum yq_status st = yq_coco_gt_load_json_mem(gt_json, sizeof gt_json - 1, "gt.json", &gt, err,
                                                 sizeof err);
    if (!st)
        st = yq_coco_dets_load_json_mem(dets_json, sizeof dets_json - 1, "dets.json", &d, err,
                                        sizeof err);
    if (!st)
        st = yq_coco_evaluate(gt, d, NULL, &res, err, sizeof err);
    if (!st)
        st = yq_coco_dets_save_json(d, out_path, err, sizeof err);
    if (!st) unlink(out_path);
    yq_coco_result_free(res);
    yq_coco_dets_free(d);
    yq_coco_gt_free(gt);
    return st;
}

static void *hook_malloc(size_t n)
{
    return yq__malloc(n);
}

static void write_npy(const char *path)
{
    static const char hdr[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 4, 4), }";
    char h[118];
    memset(h, ' ', sizeof h);
    memcpy(h, hdr, sizeof hdr - 1);
    h[sizeof h - 1] = '\n';
    FILE *f = fopen(path, "wb");
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc((int)sizeof h, f);
    fputc(0, f);
    fwrite(h, 1, sizeof h, f);
    for (int i = 0; i < 48; i++) {
        float v = yq_test_uniform(0, 1);
        fwrite(&v, 4, 1, f);
    }
    fclose(f);
}

int main(void)
{
    cJSON_Hooks hooks = {hook_malloc, yq__free};
    cJSON_InitHooks(&hooks);
    CHECK(mkdtemp(dir) != NULL);
    yq_test_data(onnx, sizeof onnx, "onnx/conv.onnx");
    snprintf(yqm, sizeof yqm, "%s/c.yqm", dir);
    snprintf(sealed, sizeof sealed, "%s/s.yqm", dir);
    snprintf(dataset, sizeof dataset, "%s/ds.txt", dir);
    snprintf(out_path, sizeof out_path, "%s/out", dir);
    char p[600];
    snprintf(p, sizeof p, "%s/a.npy", dir);
    write_npy(p);
    snprintf(p, sizeof p, "%s/b.npy", dir);
    write_npy(p);
    FILE *f = fopen(dataset, "w");
    fputs("a.npy\nb.npy\n", f);
    fclose(f);

    struct yq_model *m = NULL;
    CHECKF(yq_model_load_onnx(onnx, NULL, &m, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    CHECKF(m && yq_model_save_file(m, yqm, err, sizeof err) == YQ_STATUS_OK, "%s", err);
    bool sodium = yq_seal_available();
    if (sodium) {
        CHECK(yq_key_generate(key, err, sizeof err) == YQ_STATUS_OK);
        CHECKF(yq_model_file_encrypt(yqm, sealed, key, sizeof key, err, sizeof err) == 0, "%s", err);
    }
    session_model = m;

    loop("onnx import", s_onnx, NULL);
    loop(".yqm load", s_yqm, NULL);
    if (sodium)
        loop("sealed .yqm load", s_sealed, NULL);
    else
        SKIP("sealed .yqm load: built without libsodium");
    if (m)
        loop("session create", s_session, NULL);
    if (sodium)
        loop("build + sealed save", s_build, out_path);
    loop("eval + results save", s_eval, out_path);
    yq_model_free(m);
    unlink(yqm);
    unlink(sealed);
    unlink(dataset);
    snprintf(p, sizeof p, "%s/a.npy", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/b.npy", dir);
    unlink(p);
    CHECKF(rmdir(dir) == 0, "%s not empty: a temporary file left", dir); /* nothing left */
    return yq_test_finish();
}
