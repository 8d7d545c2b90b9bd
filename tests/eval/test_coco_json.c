/* SPDX-License-Identifier: Apache-2.0 */
/* The COCO JSON readers and writer on bad input: malformed JSON, missing arrays and fields,
 * wrong bbox arity, negative sizes, unknown and duplicate ids each give one clear error;
 * truncations, byte flips and allocation failures never crash; save/load round-trips. */
#include "harness.h"
#include "core/core.h"
#include "yoloq/eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *k_gt =
    "{\"images\":[{\"id\":139,\"file_name\":\"000000000139.jpg\",\"width\":640,\"height\":426},"
    "{\"id\":2,\"file_name\":\"b.jpg\"}],"
    "\"categories\":[{\"id\":1,\"name\":\"person\"},{\"id\":3,\"name\":\"car\"}],"
    "\"annotations\":[{\"id\":1,\"image_id\":139,\"category_id\":1,\"bbox\":[10,20,30,40],"
    "\"area\":1200,\"iscrowd\":0},"
    "{\"id\":2,\"image_id\":2,\"category_id\":3,\"bbox\":[1.5,2.5,100,50]}]}";

static enum yq_status gt_err(const char *json, char *err, size_t cap)
{
    struct yq_coco_gt *gt = (struct yq_coco_gt *)1;
    err[0] = '\0';
    enum yq_status st = yq_coco_gt_load_json_mem(json, strlen(json), "t.json", &gt, err, cap);
    if (st)
        CHECK(gt == NULL);
    yq_coco_gt_free(gt);
    return st;
}

static void expect_gt_error(const char *json, const char *needle)
{
    char err[256];
    enum yq_status st = gt_err(json, err, sizeof err);
    CHECKF(st == YQ_STATUS_BAD_INPUT && strstr(err, needle) && !strchr(err, '\n') &&
               strncmp(err, "t.json: ", 8) == 0,
           "json %s -> status %d err '%s', want '%s'", json, (int)st, err, needle);
}

static void test_gt_ok(void)
{
    struct yq_coco_gt *gt = NULL;
    char err[256] = "";
    CHECKF(yq_coco_gt_load_json_mem(k_gt, strlen(k_gt), NULL, &gt, err, sizeof err) == 0, "%s",
           err);
    CHECK(yq_coco_gt_image_count(gt) == 2 && yq_coco_gt_category_count(gt) == 2 &&
          yq_coco_gt_annotation_count(gt) == 2);
    struct yq_coco_image im = yq_coco_gt_image(gt, 0); /* sorted by id */
    CHECK(im.id == 2 && strcmp(im.file_name, "b.jpg") == 0 && im.width == 0);
    im = yq_coco_gt_image(gt, 1);
    CHECK(im.id == 139 && im.width == 640 && im.height == 426);
    CHECK(yq_coco_gt_category(gt, 1).id == 3 && !strcmp(yq_coco_gt_category(gt, 1).name, "car"));
    int64_t id = 0;
    CHECK(yq_coco_gt_find_image(gt, "/x/y/000000000139.jpg", &id) && id == 139);
    CHECK(yq_coco_gt_find_image(gt, "b.jpg", &id) && id == 2);
    CHECK(yq_coco_gt_find_image(gt, "dir/0002.png", &id) && id == 2); /* int(stem) */
    CHECK(!yq_coco_gt_find_image(gt, "7.jpg", &id));
    CHECK(!yq_coco_gt_find_image(gt, "abc.jpg", &id));
    yq_coco_gt_free(gt);
    CHECK(yq_coco80_to_91(0) == 1 && yq_coco80_to_91(79) == 90 && yq_coco80_to_91(11) == 13 &&
          yq_coco80_to_91(80) == -1 && yq_coco80_to_91(-1) == -1);
}

static void test_gt_errors(void)
{
    char err[256];
    CHECK(gt_err("{\"images\": [", err, sizeof err) == YQ_STATUS_BAD_INPUT &&
          strstr(err, "invalid JSON at line 1"));
    CHECK(gt_err("{\"images\": [],\n \"annotations\": [}", err, sizeof err) ==
              YQ_STATUS_BAD_INPUT &&
          strstr(err, "line 2"));
    CHECK(gt_err("", err, sizeof err) == YQ_STATUS_BAD_INPUT && strstr(err, "empty"));
    expect_gt_error("[1,2]", "not an object");
    expect_gt_error("{\"annotations\":[],\"categories\":[]}", "missing \"images\"");
    expect_gt_error("{\"images\":[],\"categories\":[]}", "missing \"annotations\"");
    expect_gt_error("{\"images\":[],\"annotations\":[]}", "missing \"categories\"");
    expect_gt_error("{\"images\":{},\"annotations\":[],\"categories\":[]}", "not an array");
    expect_gt_error("{\"images\":[{\"file_name\":\"a\"}],\"annotations\":[],\"categories\":[]}",
                    "images[0]: missing \"id\"");
    expect_gt_error("{\"images\":[{\"id\":1.5}],\"annotations\":[],\"categories\":[]}",
                    "images[0]: invalid \"id\"");
    expect_gt_error("{\"images\":[{\"id\":\"1\"}],\"annotations\":[],\"categories\":[]}",
                    "images[0]: invalid \"id\"");
    const char *pre = "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],\"annotations\":[";
    char json[512];
    struct {
        const char *ann, *needle;
    } cases[] = {
        {"{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3]}", "invalid \"bbox\""},
        {"{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3,4,5]}", "invalid \"bbox\""},
        {"{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,-3,4]}", "invalid \"bbox\""},
        {"{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,\"2\",3,4]}", "invalid \"bbox\""},
        {"{\"id\":1,\"image_id\":1,\"category_id\":1}", "missing \"bbox\""},
        {"{\"id\":1,\"image_id\":1,\"bbox\":[1,2,3,4]}", "missing \"category_id\""},
        {"{\"id\":1,\"category_id\":1,\"bbox\":[1,2,3,4]}", "missing \"image_id\""},
        {"{\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3,4]}", "missing \"id\""},
        {"{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3,4],\"area\":-1}",
         "invalid \"area\""},
        {"{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3,4],\"iscrowd\":\"no\"}",
         "invalid \"iscrowd\""},
        {"{\"id\":1,\"image_id\":9,\"category_id\":1,\"bbox\":[1,2,3,4]}",
         "image_id 9 is not in images"},
        {"{\"id\":1,\"image_id\":1,\"category_id\":4,\"bbox\":[1,2,3,4]}",
         "category_id 4 is not in categories"},
        {"{\"id\":5,\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3,4]},"
         "{\"id\":5,\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3,4]}",
         "duplicate id 5"},
        {"7", "annotations[0] is not an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(json, sizeof json, "%s%s]}", pre, cases[i].ann);
        expect_gt_error(json, cases[i].needle);
    }
    expect_gt_error("{\"images\":[{\"id\":1},{\"id\":1}],\"annotations\":[],\"categories\":[]}",
                    "images: duplicate id 1");
    expect_gt_error("{\"images\":[],\"annotations\":[],\"categories\":[{\"id\":2},{\"id\":2}]}",
                    "categories: duplicate id 2");
    /* NaN is not JSON */
    CHECK(gt_err("{\"images\":[{\"id\":NaN}],\"annotations\":[],\"categories\":[]}", err,
                 sizeof err) == YQ_STATUS_BAD_INPUT);
    struct yq_coco_gt *gt = (struct yq_coco_gt *)1;
    CHECK(yq_coco_gt_load_json("/nonexistent/x.json", &gt, err, sizeof err) == YQ_STATUS_IO &&
          gt == NULL && strstr(err, "/nonexistent/x.json: cannot open"));
}

static void test_dets(void)
{
    char err[256];
    struct yq_coco_dets *d = (struct yq_coco_dets *)1;
    const char *bad[][2] = {
        {"{}", "top level is not an array"},
        {"[{\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3,4]}]", "[0]: missing \"score\""},
        {"[{\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3],\"score\":1}]", "invalid \"bbox\""},
        {"[{\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3,-4],\"score\":1}]",
         "invalid \"bbox\""},
        {"[{\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3,4],\"score\":\"x\"}]",
         "invalid \"score\""},
        {"[{\"category_id\":1,\"bbox\":[1,2,3,4],\"score\":1}]", "missing \"image_id\""},
        {"[1]", "[0] is not an object"},
        {"[{\"image_id\":1,", "invalid JSON"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        enum yq_status st =
            yq_coco_dets_load_json_mem(bad[i][0], strlen(bad[i][0]), "d.json", &d, err, sizeof err);
        CHECKF(st == YQ_STATUS_BAD_INPUT && d == NULL && strstr(err, bad[i][1]) &&
                   !strncmp(err, "d.json: ", 8),
               "%s -> '%s'", bad[i][0], err);
    }
    CHECK(yq_coco_dets_load_json_mem("[]", 2, "d.json", &d, err, sizeof err) == 0 &&
          yq_coco_dets_count(d) == 0);
    yq_coco_dets_free(d);

    CHECK(yq_coco_dets_create(&d) == 0);
    CHECK(yq_coco_dets_add(d, 1, 1, NAN, 0, 1, 1, 0.5) == YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq_coco_dets_add(d, 1, 1, 0, 0, 1, 1, INFINITY) == YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq_coco_dets_add(d, 1, 1, 0, 0, -1, 1, 0.5) == YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq_coco_dets_count(d) == 0);
    yq_coco_dets_free(d);
    yq_coco_dets_free(NULL);
    yq_coco_gt_free(NULL);
    yq_coco_result_free(NULL);
}

/* Unknown ids at evaluation: image -> always an error (pycocotools asserts); category ->
 * an error unless skipped like pycocotools does. */
static void test_unknown_ids(void)
{
    struct yq_coco_gt *gt = NULL;
    struct yq_coco_dets *d = NULL;
    struct yq_coco_result *r = (struct yq_coco_result *)1;
    char err[256];
    CHECK(yq_coco_gt_load_json_mem(k_gt, strlen(k_gt), "gt", &gt, err, sizeof err) == 0);
    const char *js = "[{\"image_id\":139,\"category_id\":1,\"bbox\":[10,20,30,40],\"score\":0.9},"
                     "{\"image_id\":139,\"category_id\":2,\"bbox\":[10,20,30,40],\"score\":0.8}]";
    CHECK(yq_coco_dets_load_json_mem(js, strlen(js), "dets.json", &d, err, sizeof err) == 0);
    CHECK(yq_coco_evaluate(gt, d, NULL, &r, err, sizeof err) == YQ_STATUS_BAD_INPUT && !r &&
          strstr(err, "dets.json: detection [1]: category_id 2"));
    struct yq_coco_eval_options o;
    yq_coco_eval_options_init(&o);
    o.skip_unknown_categories = true;
    CHECK(yq_coco_evaluate(gt, d, &o, &r, err, sizeof err) == 0 && r && r->n_dets_used == 1);
    /* cat 1 perfect (P1), cat 3 no detections (0): AP = P1/2 */
    CHECK(r && fabs(r->stats[0] - 0.5) < 1e-12);
    yq_coco_result_free(r);
    CHECK(yq_coco_dets_add(d, 7, 1, 0, 0, 1, 1, 0.5) == 0);
    CHECK(yq_coco_evaluate(gt, d, &o, &r, err, sizeof err) == YQ_STATUS_BAD_INPUT &&
          strstr(err, "detection [2]: image_id 7 is not an image of the ground truth"));
    yq_coco_dets_free(d);
    yq_coco_gt_free(gt);
}

static void test_roundtrip(void)
{
    struct yq_coco_dets *d = NULL, *back = NULL;
    char err[256], path[] = "/tmp/yq_eval_rt_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    CHECK(yq_coco_dets_create(&d) == 0);
    for (int i = 0; i < 200; i++)
        CHECK(yq_coco_dets_add(d, yq_test_randint(-5, 1000000), yq_test_randint(1, 90),
                               yq_test_uniform(-10, 600), yq_test_uniform(0, 600),
                               yq_test_uniform(0, 300) / 7.0, i * 0.1, yq_test_uniform(0, 1)) == 0);
    CHECKF(yq_coco_dets_save_json(d, path, err, sizeof err) == 0, "%s", err);
    CHECKF(yq_coco_dets_load_json(path, &back, err, sizeof err) == 0, "%s", err);
    CHECK(yq_coco_dets_count(back) == 200);
    for (size_t i = 0; back && i < 200; i++) {
        struct yq_coco_det a = yq_coco_dets_get(d, i), b = yq_coco_dets_get(back, i);
        CHECK(a.image_id == b.image_id && a.category_id == b.category_id && a.score == b.score &&
              !memcmp(a.bbox, b.bbox, sizeof a.bbox));
    }
    yq_coco_dets_free(back);
    yq_coco_dets_free(d);
    CHECK(yq_coco_dets_save_json(d = NULL, "/nonexistent/dir/x.json", err, sizeof err) ==
          YQ_STATUS_INVALID_ARGUMENT);
    CHECK(yq_coco_dets_create(&d) == 0);
    CHECK(yq_coco_dets_save_json(d, "/nonexistent/dir/x.json", err, sizeof err) == YQ_STATUS_IO);
    yq_coco_dets_free(d);
    unlink(path);
}

/* Every truncation and random byte flips of valid files: an error or a result, no crash. */
static void test_fuzz(void)
{
    size_t n = strlen(k_gt);
    char *buf = malloc(n + 1);
    char err[256];
    for (size_t len = 0; len < n; len++) {
        struct yq_coco_gt *gt = NULL;
        memcpy(buf, k_gt, len);
        enum yq_status st = yq_coco_gt_load_json_mem(buf, len, "t", &gt, err, sizeof err);
        CHECK(st == YQ_STATUS_BAD_INPUT && gt == NULL);
    }
    for (int it = 0; it < 2000; it++) {
        struct yq_coco_gt *gt = NULL;
        memcpy(buf, k_gt, n);
        for (int k = yq_test_randint(1, 3); k > 0; k--)
            buf[yq_test_randint(0, (int)n - 1)] = (char)yq_test_randint(0, 255);
        enum yq_status st = yq_coco_gt_load_json_mem(buf, n, "t", &gt, err, sizeof err);
        CHECK(st == YQ_STATUS_OK || st == YQ_STATUS_BAD_INPUT);
        if (gt) {
            struct yq_coco_result *r = NULL;
            struct yq_coco_dets *d = NULL;
            CHECK(yq_coco_dets_create(&d) == 0);
            yq_coco_dets_add(d, yq_coco_gt_image(gt, 0).id, yq_coco_gt_category(gt, 0).id, 10,
                             20, 30, 40, 0.5);
            st = yq_coco_evaluate(gt, d, NULL, &r, err, sizeof err);
            CHECK(st == YQ_STATUS_OK || st == YQ_STATUS_BAD_INPUT);
            yq_coco_result_free(r);
            yq_coco_dets_free(d);
        }
        yq_coco_gt_free(gt);
    }
    free(buf);
}

/* Allocation failure at every step of load + evaluate: OUT_OF_MEMORY, no leak, no crash. */
static void test_alloc_failure(void)
{
    char err[256];
    int saw_oom = 0, saw_ok = 0;
    for (long k = 0; k < 200 && !saw_ok; k++) {
        struct yq_coco_gt *gt = NULL;
        struct yq_coco_dets *d = NULL;
        struct yq_coco_result *r = NULL;
        yq__alloc_fail_countdown = k;
        enum yq_status st = yq_coco_gt_load_json_mem(k_gt, strlen(k_gt), "t", &gt, err, sizeof err);
        if (!st)
            st = yq_coco_dets_create(&d);
        if (!st)
            st = yq_coco_dets_add(d, 139, 1, 10, 20, 30, 40, 0.9);
        if (!st)
            st = yq_coco_evaluate(gt, d, NULL, &r, err, sizeof err);
        yq__alloc_fail_countdown = -1;
        if (st == YQ_STATUS_OUT_OF_MEMORY)
            saw_oom++;
        else if (st == YQ_STATUS_OK)
            saw_ok = 1;
        else
            CHECKF(0, "countdown %ld: status %d (%s)", k, (int)st, err);
        yq_coco_result_free(r);
        yq_coco_dets_free(d);
        yq_coco_gt_free(gt);
    }
    CHECK(saw_oom > 5 && saw_ok);
}

int main(void)
{
    test_gt_ok();
    test_gt_errors();
    test_dets();
    test_unknown_ids();
    test_roundtrip();
    test_fuzz();
    test_alloc_failure();
    return yq_test_finish();
}
