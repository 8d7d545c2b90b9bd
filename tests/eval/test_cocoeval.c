/* SPDX-License-Identifier: Apache-2.0 */
/* COCOeval on hand-built cases whose numbers are derived on paper (derivations in the
 * comments, following pycocotools' evaluateImg/accumulate step by step): perfect detections,
 * a false positive at each rank, score ties, crowd regions, area splits, images without
 * ground truth, categories without detections, the 100-detection cap, the exact text. */
#include "harness.h"
#include "yoloq/eval.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Precision of a lone true positive at rank 1 is 1/(1+eps): pycocotools adds np.spacing(1)
 * to every denominator; with tp+fp >= 2 the eps vanishes in rounding. */
#define P1 (1.0 / (1.0 + DBL_EPSILON))

static struct yq_coco_gt *gt_json(const char *json)
{
    struct yq_coco_gt *gt = NULL;
    char err[256] = "";
    enum yq_status st = yq_coco_gt_load_json_mem(json, strlen(json), "test", &gt, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "%s", err);
    return gt;
}

struct d {
    int64_t img, cat;
    double x, y, w, h, score;
};

static struct yq_coco_result *run(const struct yq_coco_gt *gt, const struct d *d, size_t n)
{
    struct yq_coco_dets *dets = NULL;
    struct yq_coco_result *res = NULL;
    char err[256] = "";
    CHECK(yq_coco_dets_create(&dets) == YQ_STATUS_OK);
    for (size_t i = 0; i < n; i++)
        CHECK(yq_coco_dets_add(dets, d[i].img, d[i].cat, d[i].x, d[i].y, d[i].w, d[i].h,
                               d[i].score) == YQ_STATUS_OK);
    enum yq_status st = yq_coco_evaluate(gt, dets, NULL, &res, err, sizeof err);
    CHECKF(st == YQ_STATUS_OK, "%s", err);
    yq_coco_dets_free(dets);
    return res;
}

#define NEAR(a, b) (fabs((a) - (b)) < 1e-12)
#define CHECK_STAT(res, i, v)                                                                      \
    CHECKF(res && NEAR(res->stats[i], (v)), "stat %d = %.17g, want %.17g", (int)(i),               \
           res ? res->stats[i] : NAN, (double)(v))

/* 1. Perfect: GT large L [0,0,100,100] (area 10000) and medium M [200,200,50,50] (2500).
 * all: tp [1,2], fp [0,0]; rc [.5,1]; pr [P1, 1] -> monotone [1,1] -> every recall point 1.
 * AR1: only the top detection (L) counts -> recall .5. small: no gt -> -1.
 * medium: L's detection matches an ignored gt -> ignored; M tp -> 1. large likewise. */
static void test_perfect(void)
{
    struct yq_coco_gt *gt = gt_json(
        "{\"images\":[{\"id\":1,\"width\":640,\"height\":480}],"
        "\"categories\":[{\"id\":1,\"name\":\"person\"}],"
        "\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100],"
        "\"area\":10000,\"iscrowd\":0},"
        "{\"id\":2,\"image_id\":1,\"category_id\":1,\"bbox\":[200,200,50,50],\"area\":2500,"
        "\"iscrowd\":0}]}");
    struct d d[] = {{1, 1, 0, 0, 100, 100, 0.9}, {1, 1, 200, 200, 50, 50, 0.8}};
    struct yq_coco_result *r = run(gt, d, 2);
    const double want[12] = {1, 1, 1, -1, 1, 1, .5, 1, 1, -1, 1, 1};
    for (int i = 0; i < 12; i++)
        CHECK_STAT(r, i, want[i]);
    char text[2048];
    size_t n = yq_coco_format_summary(r, text, sizeof text);
    CHECK(n == strlen(text));
    const char *expect =
        " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000\n"
        " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 1.000\n"
        " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 1.000\n"
        " Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000\n"
        " Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 1.000\n"
        " Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 1.000\n"
        " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.500\n"
        " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ] = 1.000\n"
        " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000\n"
        " Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000\n"
        " Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 1.000\n"
        " Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 1.000\n";
    CHECKF(strcmp(text, expect) == 0, "got:\n%s", text);
    /* a short buffer: truncated, NUL-terminated, full length still reported */
    char small[10];
    CHECK(yq_coco_format_summary(r, small, sizeof small) == n && strlen(small) == 9);
    CHECK(r && r->n_classes == 1 && r->classes[0].category_id == 1 &&
          strcmp(r->classes[0].name, "person") == 0 && r->classes[0].n_gt == 2 &&
          r->classes[0].n_dets == 2 && NEAR(r->classes[0].ap, 1));
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);
}

static const char *k_two_large =
    "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],"
    "\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100]},"
    "{\"id\":2,\"image_id\":1,\"category_id\":1,\"bbox\":[200,0,100,100]}]}";

/* 2. Two gts A, B; a false positive F at rank 1, 2 or 3 (same at every IoU threshold).
 * rank 1: tp [0,1,2] fp [1,1,1]; rc [0,.5,1]; pr [0,1/2,2/3] -> monotone all 2/3 -> AP 2/3.
 * rank 2: tp [1,1,2] fp [0,1,1]; rc [.5,.5,1]; pr [P1,1/2,2/3] -> [P1,2/3,2/3];
 *         r=0..50 -> index 0 (P1), r=51..100 -> index 2 (2/3): AP = (51 P1 + 50*2/3)/101.
 * rank 3: tp [1,2,2] fp [0,0,1]; rc [.5,1,1]; pr [P1,1,2/3] -> [1,1,2/3]; AP = 1. */
static void test_fp_rank(void)
{
    struct yq_coco_gt *gt = gt_json(k_two_large);
    const struct d A = {1, 1, 0, 0, 100, 100, 0}, B = {1, 1, 200, 0, 100, 100, 0},
                   F = {1, 1, 400, 400, 100, 100, 0};
    const double want[3] = {2.0 / 3, (51 * P1 + 50 * (2.0 / 3)) / 101, 1.0};
    for (int rank = 0; rank < 3; rank++) {
        struct d d[3];
        int j = 0;
        for (int i = 0; i < 3; i++) {
            if (i == rank)
                d[i] = F;
            else
                d[i] = j++ == 0 ? A : B;
            d[i].score = 0.9 - 0.1 * i;
        }
        struct yq_coco_result *r = run(gt, d, 3);
        CHECK_STAT(r, YQ_COCO_STAT_AP, want[rank]);
        CHECK_STAT(r, YQ_COCO_STAT_AP50, want[rank]);
        CHECK_STAT(r, YQ_COCO_STAT_AR100, 1);
        CHECK_STAT(r, YQ_COCO_STAT_AR1, rank == 0 ? 0 : 0.5);
        yq_coco_result_free(r);
    }
    yq_coco_gt_free(gt);
}

/* 3. Ties keep file order (mergesort of -score). One gt A. F then A, both 0.5:
 * tp [0,1] fp [1,1]; pr [0,1/2] -> AP 1/2. A then F: pr [P1,1/2], rc [1,1] -> AP P1.
 * Across images accumulate concatenates in image-id order: images listed as 5 then 3; the
 * FP on image 3 (smaller id) comes first among equal scores -> AP 1/2; swapped -> P1. */
static void test_ties(void)
{
    struct yq_coco_gt *gt = gt_json(
        "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],"
        "\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100]}]}");
    struct d fa[] = {{1, 1, 400, 400, 100, 100, 0.5}, {1, 1, 0, 0, 100, 100, 0.5}};
    struct yq_coco_result *r = run(gt, fa, 2);
    CHECK_STAT(r, YQ_COCO_STAT_AP, 0.5);
    yq_coco_result_free(r);
    struct d af[] = {{1, 1, 0, 0, 100, 100, 0.5}, {1, 1, 400, 400, 100, 100, 0.5}};
    r = run(gt, af, 2);
    CHECK_STAT(r, YQ_COCO_STAT_AP, P1);
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);

    gt = gt_json("{\"images\":[{\"id\":5},{\"id\":3}],\"categories\":[{\"id\":1}],"
                 "\"annotations\":[{\"id\":1,\"image_id\":5,\"category_id\":1,"
                 "\"bbox\":[0,0,100,100]}]}");
    struct d x[] = {{5, 1, 0, 0, 100, 100, 0.5}, {3, 1, 0, 0, 100, 100, 0.5}};
    r = run(gt, x, 2); /* image 3 (FP) precedes image 5 (TP) */
    CHECK_STAT(r, YQ_COCO_STAT_AP, 0.5);
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);
    gt = gt_json("{\"images\":[{\"id\":5},{\"id\":3}],\"categories\":[{\"id\":1}],"
                 "\"annotations\":[{\"id\":1,\"image_id\":3,\"category_id\":1,"
                 "\"bbox\":[0,0,100,100]}]}");
    r = run(gt, x, 2); /* now image 3 holds the TP */
    CHECK_STAT(r, YQ_COCO_STAT_AP, P1);
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);
}

/* 4. Crowd. GT A [0,0,100,100] and crowd C [200,0,200,200] (iscrowd 1).
 * (a) dets A (0.9), D2 [210,10,50,50] (0.8), D3 [300,100,50,50] (0.7): crowd IoU uses the
 *     detection's area as union -> 2500/2500 = 1, and a crowd can match many: D2, D3 match
 *     C and are ignored, not FPs. npig = 1: tp [1], rc [1,1,1], pr [P1..] -> AP P1.
 *     Same file with iscrowd 0: C is a normal gt, D2/D3 IoU 2500/40000 -> FPs; npig 2;
 *     tp [1,1,1] fp [0,1,2]; rc [.5,.5,.5] -> r=0..50 P1, rest 0: AP 51 P1/101.
 * (b) D5 [380,0,40,50] (0.95) overlaps C by 20*50 = 1000 of its 2000: crowd IoU exactly .5.
 *     t=.5: D5 matches C (0.5 is not < 0.5) -> ignored; A tp -> P1.
 *     t>=.55: D5 FP then A: pr [0,1/2] -> 1/2. AP = (P1 + 9/2)/10, AP50 = P1, AP75 = 1/2.
 * (c) Regular gt R and crowd C2 over the same place; det IoU .62 with R, 1 with C2. The
 *     regular match is taken and the loop stops at the ignored gts ("break"): TP for the
 *     3 thresholds <= .6, then (R fails) the det matches C2 -> ignored: AP = 3 P1/10. */
static void test_crowd(void)
{
    const char *fmt =
        "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],\"annotations\":["
        "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100],\"iscrowd\":0},"
        "{\"id\":2,\"image_id\":1,\"category_id\":1,\"bbox\":[200,0,200,200],\"iscrowd\":%d}]}";
    char json[512];
    struct d d[] = {{1, 1, 0, 0, 100, 100, 0.9},
                    {1, 1, 210, 10, 50, 50, 0.8},
                    {1, 1, 300, 100, 50, 50, 0.7}};
    snprintf(json, sizeof json, fmt, 1);
    struct yq_coco_gt *gt = gt_json(json);
    struct yq_coco_result *r = run(gt, d, 3);
    CHECK_STAT(r, YQ_COCO_STAT_AP, P1);
    CHECK(r && r->classes[0].n_gt == 1);
    yq_coco_result_free(r);

    struct d d5[] = {{1, 1, 380, 0, 40, 50, 0.95}, {1, 1, 0, 0, 100, 100, 0.9}};
    r = run(gt, d5, 2);
    CHECK_STAT(r, YQ_COCO_STAT_AP, (P1 + 9 * 0.5) / 10);
    CHECK_STAT(r, YQ_COCO_STAT_AP50, P1);
    CHECK_STAT(r, YQ_COCO_STAT_AP75, 0.5);
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);

    snprintf(json, sizeof json, fmt, 0);
    gt = gt_json(json);
    r = run(gt, d, 3);
    CHECK_STAT(r, YQ_COCO_STAT_AP, 51 * P1 / 101);
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);

    gt = gt_json("{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],\"annotations\":["
                 "{\"id\":7,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100],"
                 "\"iscrowd\":1},"
                 "{\"id\":8,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100]}]}");
    struct d dc[] = {{1, 1, 0, 0, 100, 62, 0.9}};
    r = run(gt, dc, 1);
    CHECK_STAT(r, YQ_COCO_STAT_AP, 3 * P1 / 10);
    CHECK_STAT(r, YQ_COCO_STAT_AP50, P1);
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);
}

/* 5. Area splits on the annotation's "area". GT S 20x20 (400), M 50x50 (2500),
 * L 120x120 (14400), B 32x32 (1024: both small and medium, the bounds are inclusive).
 * Dets: S (0.9), M (0.8), a far FP F 200x100 (area 20000, 0.7).
 * all: npig 4; tp [1,2,2] fp [0,0,1]; rc [.25,.5,.5]; pr -> [1,1,2/3]; r<=.5 -> 1: 51/101.
 * small (S,B): M's det matches ignored M -> ignored; F unmatched, outside -> ignored:
 *   tp [1], npig 2, rc .5 -> 51 P1/101.  medium (M,B): S ignored, F ignored -> 51 P1/101.
 * large (L): S, M ignored; F inside large -> FP: tp 0 -> AP 0, AR 0.
 * AR: all 1/2 at maxDets 10/100, 1/4 at 1; small 1/2, medium 1/2, large 0. */
static void test_areas(void)
{
    struct yq_coco_gt *gt = gt_json(
        "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],\"annotations\":["
        "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,20,20],\"area\":400},"
        "{\"id\":2,\"image_id\":1,\"category_id\":1,\"bbox\":[100,100,50,50],\"area\":2500},"
        "{\"id\":3,\"image_id\":1,\"category_id\":1,\"bbox\":[300,300,120,120],\"area\":14400},"
        "{\"id\":4,\"image_id\":1,\"category_id\":1,\"bbox\":[500,0,32,32],\"area\":1024}]}");
    struct d d[] = {{1, 1, 0, 0, 20, 20, 0.9},
                    {1, 1, 100, 100, 50, 50, 0.8},
                    {1, 1, 0, 600, 200, 100, 0.7}};
    struct yq_coco_result *r = run(gt, d, 3);
    const double want[12] = {51.0 / 101, 51.0 / 101, 51.0 / 101, 51 * P1 / 101, 51 * P1 / 101,
                             0,          .25,        .5,         .5,            .5,
                             .5,         0};
    for (int i = 0; i < 12; i++)
        CHECK_STAT(r, i, want[i]);
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);

    /* "area" decides, not the box: a 100x100 box declared area 100 is small */
    gt = gt_json("{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],\"annotations\":["
                 "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100],"
                 "\"area\":100}]}");
    struct d p[] = {{1, 1, 0, 0, 100, 100, 0.9}};
    r = run(gt, p, 1);
    CHECK_STAT(r, YQ_COCO_STAT_AP_SMALL, P1);
    CHECK_STAT(r, YQ_COCO_STAT_AP_LARGE, -1);
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);
}

/* 6. Image 2 has no ground truth; its detection is a FP that outranks the TP on image 1:
 * concatenated [tp .8 | fp .9] -> sorted fp, tp -> AP 1/2 (large too). small/medium: the
 * large gt is ignored and both detections are unmatched and outside -> no non-ignored gt
 * -> -1. */
static void test_empty_image(void)
{
    struct yq_coco_gt *gt = gt_json(
        "{\"images\":[{\"id\":1},{\"id\":2}],\"categories\":[{\"id\":1}],\"annotations\":["
        "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100]}]}");
    struct d d[] = {{1, 1, 0, 0, 100, 100, 0.8}, {2, 1, 0, 0, 100, 100, 0.9}};
    struct yq_coco_result *r = run(gt, d, 2);
    CHECK_STAT(r, YQ_COCO_STAT_AP, 0.5);
    CHECK_STAT(r, YQ_COCO_STAT_AP_LARGE, 0.5);
    CHECK_STAT(r, YQ_COCO_STAT_AP_SMALL, -1);
    CHECK_STAT(r, YQ_COCO_STAT_AR1, 1); /* maxDets caps per image: both stay */
    CHECK_STAT(r, YQ_COCO_STAT_AR100, 1);
    yq_coco_result_free(r);
    /* no detections at all: AP 0 (defined: there is ground truth), AR 0 */
    r = run(gt, NULL, 0);
    CHECK_STAT(r, YQ_COCO_STAT_AP, 0);
    CHECK_STAT(r, YQ_COCO_STAT_AR100, 0);
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);
}

/* 7. Categories 1, 2, 3: 1 perfect; 2 has gt but no detections (AP 0, counted); 3 has a
 * detection but no gt (-1, excluded). AP = (P1 + 0)/2 averaged over 2 categories x 10 x 101. */
static void test_categories(void)
{
    struct yq_coco_gt *gt = gt_json(
        "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":3},{\"id\":1},{\"id\":2}],"
        "\"annotations\":["
        "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100]},"
        "{\"id\":2,\"image_id\":1,\"category_id\":2,\"bbox\":[200,0,100,100]}]}");
    struct d d[] = {{1, 1, 0, 0, 100, 100, 0.9}, {1, 3, 200, 0, 100, 100, 0.9}};
    struct yq_coco_result *r = run(gt, d, 2);
    CHECK_STAT(r, YQ_COCO_STAT_AP, P1 / 2);
    CHECK_STAT(r, YQ_COCO_STAT_AR100, 0.5);
    CHECK(r && r->n_classes == 3);
    if (r && r->n_classes == 3) {
        CHECK(r->classes[0].category_id == 1 && NEAR(r->classes[0].ap, P1));
        CHECK(r->classes[1].category_id == 2 && r->classes[1].ap == 0 &&
              r->classes[1].n_dets == 0);
        CHECK(r->classes[2].category_id == 3 && r->classes[2].ap == -1 &&
              r->classes[2].n_dets == 1);
        char buf[1024];
        yq_coco_format_per_class(r, buf, sizeof buf);
        CHECKF(strstr(buf, "     1 ") && strstr(buf, "     2 ") && !strstr(buf, "     3 "),
               "%s", buf);
    }
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);
}

/* 8. The cap is 100 detections per image *and category*, taken after the score sort.
 * 100 FPs (scores .99 .. .0.9802) outrank the TP (.001): TP cut -> AP 0, AR 0.
 * 99 FPs: TP at rank 100: rc 1 only there, pr = 1/100 everywhere after monotone -> AP .01.
 * 100 FPs of *another* category do not cut it: AP P1.
 * 101 tied scores with the TP last in the file: cut (stable order) -> 0; TP first -> P1. */
static void test_cap(void)
{
    struct yq_coco_gt *gt = gt_json(
        "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1},{\"id\":2}],\"annotations\":["
        "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,10,10]}]}");
    struct d d[101];
    for (int nfp = 99; nfp <= 100; nfp++) {
        for (int i = 0; i < nfp; i++)
            d[i] = (struct d){1, 1, 100 + 20.0 * i, 100, 10, 10, 0.99 - 0.0002 * i};
        d[nfp] = (struct d){1, 1, 0, 0, 10, 10, 0.001};
        struct yq_coco_result *r = run(gt, d, (size_t)nfp + 1);
        CHECK_STAT(r, YQ_COCO_STAT_AP, nfp == 100 ? 0 : 0.01);
        CHECK_STAT(r, YQ_COCO_STAT_AR100, nfp == 100 ? 0 : 1);
        CHECK_STAT(r, YQ_COCO_STAT_AR10, 0);
        CHECK(r && r->classes[0].n_dets == (size_t)nfp + 1);
        yq_coco_result_free(r);
    }
    for (int i = 0; i < 100; i++)
        d[i].cat = 2;
    struct yq_coco_result *r = run(gt, d, 101);
    CHECK_STAT(r, YQ_COCO_STAT_AP, P1);
    yq_coco_result_free(r);
    for (int i = 0; i < 101; i++) {
        d[i] = (struct d){1, 1, 100 + 20.0 * i, 100, 10, 10, 0.5};
        if (i == 100)
            d[i].x = 0, d[i].y = 0;
    }
    r = run(gt, d, 101);
    CHECK_STAT(r, YQ_COCO_STAT_AP, 0);
    yq_coco_result_free(r);
    struct d t = d[0];
    d[0] = d[100];
    d[100] = t;
    r = run(gt, d, 101);
    CHECK_STAT(r, YQ_COCO_STAT_AP, P1);
    CHECK_STAT(r, YQ_COCO_STAT_AR1, 1);
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);
}

/* 9. IoU exactly at a threshold matches (pycocotools skips only iou < t): a det
 * [0,0,100,75] on [0,0,100,100] has IoU 7500/10000 = .75 = iouThrs[5] exactly, so it is a TP
 * for the six thresholds .5...75 and a FP above: AP = 6 P1/10, AP75 = P1. */
static void test_iou_boundary(void)
{
    struct yq_coco_gt *gt = gt_json(
        "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],\"annotations\":["
        "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100]}]}");
    struct d d[] = {{1, 1, 0, 0, 100, 75, 0.9}};
    struct yq_coco_result *r = run(gt, d, 1);
    CHECK_STAT(r, YQ_COCO_STAT_AP, 6 * P1 / 10);
    CHECK_STAT(r, YQ_COCO_STAT_AP75, P1);
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);
}

/* 10. A pycocotools quirk reproduced: dtMatches stores the matched gt *id* and accumulate
 * tests it for non-zero, so a perfect detection of the annotation with id 0 counts as a
 * false positive: AP 0. */
static void test_gt_id_zero(void)
{
    struct yq_coco_gt *gt = gt_json(
        "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],\"annotations\":["
        "{\"id\":0,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100]}]}");
    struct d d[] = {{1, 1, 0, 0, 100, 100, 0.9}};
    struct yq_coco_result *r = run(gt, d, 1);
    CHECK_STAT(r, YQ_COCO_STAT_AP, 0);
    yq_coco_result_free(r);
    yq_coco_gt_free(gt);
}

/* 11. Random scenes: invariants that hold whatever the numbers (stats in [0,1] or -1, AR
 * non-decreasing in maxDets; the ground truth as detections scores AP ~1). */
static void test_random(void)
{
    for (int it = 0; it < 20; it++) {
        char *json = NULL;
        size_t cap = 1 << 16, len = 0;
        json = malloc(cap);
        len += (size_t)snprintf(json + len, cap - len,
                                "{\"images\":[{\"id\":1},{\"id\":2},{\"id\":3}],"
                                "\"categories\":[{\"id\":1},{\"id\":2}],\"annotations\":[");
        int ng = yq_test_randint(1, 40);
        struct d d[80];
        for (int i = 0; i < ng; i++) {
            int img = yq_test_randint(1, 3), cat = yq_test_randint(1, 2);
            double x = yq_test_uniform(0, 500), y = yq_test_uniform(0, 500);
            double w = yq_test_uniform(2, 150), h = yq_test_uniform(2, 150);
            len += (size_t)snprintf(json + len, cap - len,
                                    "%s{\"id\":%d,\"image_id\":%d,\"category_id\":%d,"
                                    "\"bbox\":[%.17g,%.17g,%.17g,%.17g]}",
                                    i ? "," : "", i + 1, img, cat, x, y, w, h);
            d[i] = (struct d){img, cat, x, y, w, h, yq_test_uniform(0, 1)};
        }
        snprintf(json + len, cap - len, "]}");
        struct yq_coco_gt *gt = gt_json(json);
        free(json);
        if (!gt)
            continue;
        struct yq_coco_result *r = run(gt, d, (size_t)ng);
        if (r) {
            for (int i = 0; i < 12; i++)
                CHECK(r->stats[i] == -1 || (r->stats[i] >= 0 && r->stats[i] <= 1));
            CHECK(r->stats[YQ_COCO_STAT_AR1] <= r->stats[YQ_COCO_STAT_AR10] + 1e-15);
            CHECK(r->stats[YQ_COCO_STAT_AR10] <= r->stats[YQ_COCO_STAT_AR100] + 1e-15);
            CHECK(r->stats[YQ_COCO_STAT_AP] == -1 || r->stats[YQ_COCO_STAT_AP] > 0.999);
        }
        yq_coco_result_free(r);
        /* jitter boxes and scores: still in range */
        for (int i = 0; i < ng; i++) {
            d[i].x += yq_test_uniform(-20, 20);
            d[i].w *= yq_test_uniform(0.5, 1.5);
            d[ng + i] = d[i];
            d[ng + i].x += 300;
        }
        r = run(gt, d, (size_t)ng * 2);
        if (r)
            for (int i = 0; i < 12; i++)
                CHECK(r->stats[i] == -1 || (r->stats[i] >= 0 && r->stats[i] <= 1));
        yq_coco_result_free(r);
        yq_coco_gt_free(gt);
    }
}

int main(void)
{
    test_perfect();
    test_fp_rank();
    test_ties();
    test_crowd();
    test_areas();
    test_empty_image();
    test_categories();
    test_cap();
    test_iou_boundary();
    test_gt_id_zero();
    test_random();
    return yq_test_finish();
}
