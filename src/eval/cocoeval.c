/* SPDX-License-Identifier: Apache-2.0 */
/* COCOeval for bboxes, step for step as pycocotools' cocoeval.py (evaluate, evaluateImg,
 * accumulate, summarize) with maskApi.c's bbIou, down to its float expressions, stable
 * mergesort orders and numpy's pairwise mean, so the 12 numbers match to the last digit.
 * Work is done one category at a time so memory stays O(detections of one category). */
#include "coco_internal.h"

#include <float.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NT 10  /* IoU thresholds */
#define NR 101 /* recall thresholds */
#define NA 4   /* area ranges */
#define NM 3   /* maxDets */
#define MAX_DET 100
#define M_100 2 /* index of maxDets=100 */

static const int k_max_dets[NM] = {1, 10, MAX_DET};
/* Params.areaRng: [0**2, 1e5**2], [0**2, 32**2], [32**2, 96**2], [96**2, 1e5**2] */
static const double k_area_lo[NA] = {0.0, 0.0, 1024.0, 9216.0};
static const double k_area_hi[NA] = {1e10, 1024.0, 9216.0, 1e10};
static const char *const k_area_lbl[NA] = {"all", "small", "medium", "large"};

/* np.linspace(start, stop, num): arange(num) * ((stop-start)/(num-1)) + start, then the last
 * element set to stop. The IoU thresholds are compared with `<`, so their exact bits matter. */
static void linspace(double start, double stop, int num, double *out)
{
    double step = (stop - start) / (double)(num - 1);
    for (int i = 0; i < num; i++) {
        double y = (double)i * step;
        out[i] = y + start;
    }
    out[num - 1] = stop;
}

/* numpy's pairwise summation (DOUBLE_pairwise_sum, blocks of 8, PW_BLOCKSIZE 128), so that
 * np.mean's rounding is reproduced too. */
static double pairwise_sum(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0.;
        for (size_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (int j = 0; j < 8; j++)
            r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

/* np.mean(s[s > -1]) or -1 when empty; `vals` is scratch of n doubles. */
static double mean_defined(const double *s, size_t n, size_t stride, double *vals)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i * stride] > -1)
            vals[m++] = s[i * stride];
    if (m == 0)
        return -1;
    return (0. + pairwise_sum(vals, m)) / (double)m;
}

double yq__coco_bbox_iou(const double *d, const double *g, int crowd)
{
    double ga = g[2] * g[3], da = d[2] * d[3];
    double w = fmin(d[2] + d[0], g[2] + g[0]) - fmax(d[0], g[0]);
    if (w <= 0)
        return 0;
    double h = fmin(d[3] + d[1], g[3] + g[1]) - fmax(d[1], g[1]);
    if (h <= 0)
        return 0;
    double i = w * h;
    double u = crowd ? da : da + ga - i;
    return i / u;
}

struct key {
    size_t cat, img, idx;
};

static int cmp_key(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    if (x->cat != y->cat)
        return x->cat < y->cat ? -1 : 1;
    if (x->img != y->img)
        return x->img < y->img ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Score descending, ties in original order: np.argsort(-scores, kind='mergesort'). */
struct scored {
    double score;
    size_t pos;
};

static int cmp_scored(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* What evaluateImg leaves for one (category, area): per image entry its capped, sorted
 * detections; per detection its score and per IoU threshold 0 = fp, 1 = tp, 2 = ignored. */
struct area_acc {
    size_t n_ent, n_dt, npig;
    size_t *ent_start, *ent_count;
    double *score;
    unsigned char *flag; /* n_dt x NT */
};

struct work {
    size_t K, I;
    double iou_thr[NT], rec_thr[NR];
    double *prec; /* [NT][NR][K][NA] at maxDets=100 */
    double *rec;  /* [NT][K][NA][NM] */
    struct area_acc acc[NA];
    /* one (image, category) group */
    struct scored *gdt;
    double *ious;
    size_t *gtind;
    unsigned char *gig, *gtm, *outside;
    /* accumulate */
    struct scored *cat_sorted;
    double *rc, *pr;
};

static void accumulate_cat(struct work *w, size_t k)
{
    for (int a = 0; a < NA; a++) {
        struct area_acc *A = &w->acc[a];
        if (A->n_ent == 0 || A->npig == 0)
            continue;
        for (int m = 0; m < NM; m++) {
            size_t nd = 0;
            for (size_t e = 0; e < A->n_ent; e++) {
                size_t c = YQ_MIN(A->ent_count[e], (size_t)k_max_dets[m]);
                for (size_t j = 0; j < c; j++) {
                    size_t p = A->ent_start[e] + j;
                    w->cat_sorted[nd].score = A->score[p];
                    w->cat_sorted[nd].pos = p; /* increasing along the concatenation */
                    nd++;
                }
            }
            if (nd > 1)
                qsort(w->cat_sorted, nd, sizeof *w->cat_sorted, cmp_scored);
            for (int t = 0; t < NT; t++) {
                double tp = 0, fp = 0;
                for (size_t i = 0; i < nd; i++) {
                    unsigned char f = A->flag[w->cat_sorted[i].pos * NT + (size_t)t];
                    if (f == 1)
                        tp += 1;
                    else if (f == 0)
                        fp += 1;
                    w->rc[i] = tp / (double)A->npig;
                    w->pr[i] = tp / (fp + tp + DBL_EPSILON); /* np.spacing(1) */
                }
                w->rec[(((size_t)t * w->K + k) * NA + (size_t)a) * NM + (size_t)m] =
                    nd ? w->rc[nd - 1] : 0;
                if (m != M_100)
                    continue; /* only maxDets=100 precision is ever summarised */
                for (size_t i = nd; i-- > 1;)
                    if (w->pr[i] > w->pr[i - 1])
                        w->pr[i - 1] = w->pr[i];
                double *q = &w->prec[(((size_t)t * NR) * w->K + k) * NA + (size_t)a];
                for (int r = 0; r < NR; r++) {
                    /* np.searchsorted(rc, recThrs, side='left') */
                    size_t lo = 0, hi = nd;
                    while (lo < hi) {
                        size_t mid = lo + (hi - lo) / 2;
                        if (w->rc[mid] < w->rec_thr[r])
                            lo = mid + 1;
                        else
                            hi = mid;
                    }
                    /* pycocotools' bare except: past the last detection precision stays 0 */
                    q[(size_t)r * w->K * NA] = lo < nd ? w->pr[lo] : 0.0;
                }
            }
        }
    }
}

/* evaluateImg for one (image, category) with G gts (keys gk) and D dets (keys dk), for all
 * four area ranges; results appended to w->acc. */
static void evaluate_group(struct work *w, const struct yq_coco_gt *gt,
                           const struct yq_coco_dets *dets, const struct key *gk, size_t G,
                           const struct key *dk, size_t D)
{
    for (size_t j = 0; j < D; j++) {
        w->gdt[j].score = dets->v[dk[j].idx].score;
        w->gdt[j].pos = dk[j].idx;
    }
    if (D > 1)
        qsort(w->gdt, D, sizeof *w->gdt, cmp_scored);
    if (D > MAX_DET)
        D = MAX_DET;
    for (size_t j = 0; j < D; j++)
        for (size_t g = 0; g < G; g++) {
            const struct yq__coco_ann *ga = &gt->anns[gk[g].idx];
            w->ious[j * G + g] =
                yq__coco_bbox_iou(dets->v[w->gdt[j].pos].bbox, ga->bbox, ga->iscrowd);
        }
    for (int a = 0; a < NA; a++) {
        struct area_acc *A = &w->acc[a];
        /* gt ignore = iscrowd or area outside the range; stable sort ignored last */
        size_t n_ok = 0, pos = 0;
        for (size_t g = 0; g < G; g++) {
            const struct yq__coco_ann *ga = &gt->anns[gk[g].idx];
            if (!(ga->iscrowd || ga->area < k_area_lo[a] || ga->area > k_area_hi[a]))
                w->gtind[pos++] = g, n_ok++;
        }
        for (size_t g = 0; g < G; g++) {
            const struct yq__coco_ann *ga = &gt->anns[gk[g].idx];
            if (ga->iscrowd || ga->area < k_area_lo[a] || ga->area > k_area_hi[a])
                w->gtind[pos++] = g;
        }
        for (size_t g = 0; g < G; g++)
            w->gig[g] = g >= n_ok;
        A->npig += n_ok;
        for (size_t j = 0; j < D; j++) {
            const double *bb = dets->v[w->gdt[j].pos].bbox;
            double da = bb[2] * bb[3]; /* loadRes: area = w*h */
            w->outside[j] = da < k_area_lo[a] || da > k_area_hi[a];
        }
        size_t base = A->n_dt;
        A->ent_start[A->n_ent] = base;
        A->ent_count[A->n_ent] = D;
        A->n_ent++;
        for (size_t j = 0; j < D; j++)
            A->score[base + j] = w->gdt[j].score;
        for (int t = 0; t < NT; t++) {
            memset(w->gtm, 0, G);
            for (size_t j = 0; j < D; j++) {
                double iou = fmin(w->iou_thr[t], 1 - 1e-10);
                ptrdiff_t m = -1;
                for (size_t g = 0; g < G; g++) {
                    int crowd = gt->anns[gk[w->gtind[g]].idx].iscrowd;
                    if (w->gtm[g] && !crowd)
                        continue; /* already matched, and not a crowd */
                    if (m > -1 && !w->gig[m] && w->gig[g])
                        break; /* matched a regular gt; the rest are ignored ones */
                    double v = w->ious[j * G + w->gtind[g]];
                    if (v < iou)
                        continue;
                    iou = v;
                    m = (ptrdiff_t)g;
                }
                /* dtMatches holds the gt *id*, and accumulate tests it for non-zero, so a
                 * match to a gt with id 0 counts as unmatched there: reproduced. */
                int ignored = 0, matched = 0;
                if (m > -1) {
                    ignored = w->gig[m];
                    w->gtm[m] = 1; /* dt ids are >= 1 */
                    matched = gt->anns[gk[w->gtind[m]].idx].id != 0;
                }
                if (!matched && w->outside[j])
                    ignored = 1;
                A->flag[(base + j) * NT + (size_t)t] =
                    (unsigned char)(ignored ? 2 : matched ? 1 : 0);
            }
        }
        A->n_dt += D;
    }
}

void yq_coco_eval_options_init(struct yq_coco_eval_options *opt)
{
    if (opt)
        opt->skip_unknown_categories = false;
}

static void *alloc_n(size_t n, size_t size, bool *fail)
{
    size_t bytes;
    if (!yq__mul_size(n ? n : 1, size, &bytes)) {
        *fail = true;
        return NULL;
    }
    void *p = yq__malloc(bytes);
    if (!p)
        *fail = true;
    return p;
}

static void summarize(struct yq_coco_result *res, const struct work *w, double *scratch)
{
    size_t K = w->K;
    /* s[:, :, :, a, m] flattened in C order (t, r, k), as np.mean sees it */
    for (int i = 0; i < 6; i++) {
        int a = i >= 3 ? i - 2 : 0;
        size_t t0 = 0, nt = NT;
        if (i == 1 || i == 2) {
            /* np.where(iouThr == p.iouThrs): exact float equality, as pycocotools does */
            double want = i == 1 ? .5 : .75;
            nt = 0;
            for (size_t t = 0; t < NT; t++)
                if (w->iou_thr[t] == want)
                    t0 = t, nt = 1;
        }
        size_t m = 0;
        for (size_t t = t0; t < t0 + nt; t++)
            for (size_t r = 0; r < NR; r++)
                for (size_t k = 0; k < K; k++) {
                    double v = w->prec[((t * NR + r) * K + k) * NA + (size_t)a];
                    if (v > -1)
                        scratch[m++] = v;
                }
        res->stats[i] = m ? (0. + pairwise_sum(scratch, m)) / (double)m : -1;
    }
    for (int i = 6; i < 12; i++) {
        size_t a = i >= 9 ? (size_t)(i - 8) : 0, mi = i < 9 ? (size_t)(i - 6) : M_100, m = 0;
        for (size_t t = 0; t < NT; t++)
            for (size_t k = 0; k < K; k++) {
                double v = w->rec[((t * K + k) * NA + a) * NM + mi];
                if (v > -1)
                    scratch[m++] = v;
            }
        res->stats[i] = m ? (0. + pairwise_sum(scratch, m)) / (double)m : -1;
    }
    for (size_t k = 0; k < K; k++) {
        struct yq_coco_class_result *c = &res->classes[k];
        /* precision[:, :, k, 0, -1] in (t, r) order */
        const double *p0 = &w->prec[k * NA];
        c->ap = mean_defined(p0, NT * NR, K * NA, scratch);
        c->ap50 = mean_defined(p0, NR, K * NA, scratch);
        c->ap75 = mean_defined(p0 + 5 * NR * K * NA, NR, K * NA, scratch);
        c->ar100 = mean_defined(&w->rec[k * NA * NM + M_100], NT, K * NA * NM, scratch);
    }
}

enum yq_status yq_coco_evaluate(const struct yq_coco_gt *gt, const struct yq_coco_dets *dets,
                                const struct yq_coco_eval_options *opt,
                                struct yq_coco_result **out, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (out)
        *out = NULL;
    if (!gt || !out)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "yq_coco_evaluate: NULL argument");
    struct yq_coco_eval_options defaults;
    yq_coco_eval_options_init(&defaults);
    if (!opt)
        opt = &defaults;
    const char *src = dets && dets->source ? dets->source : "detections";
    size_t n_det = dets ? dets->n : 0, K = gt->n_cats, I = gt->n_images;
    enum yq_status st = YQ_STATUS_OK;
    struct work w;
    memset(&w, 0, sizeof w);
    w.K = K;
    w.I = I;
    struct key *dk = NULL, *gk = NULL;
    double *scratch = NULL;
    struct yq_coco_result *res = NULL;
    bool fail = false;

    dk = alloc_n(n_det, sizeof *dk, &fail);
    gk = alloc_n(gt->n_anns, sizeof *gk, &fail);
    res = yq__calloc(1, sizeof *res);
    if (res)
        res->classes = yq__calloc(K ? K : 1, sizeof *res->classes);
    if (fail || !res || !res->classes)
        goto oom;
    size_t nd = 0;
    for (size_t i = 0; i < n_det; i++) {
        const struct yq_coco_det *d = &dets->v[i];
        size_t img = yq__coco_find_img(gt, d->image_id);
        if (img == SIZE_MAX) {
            /* pycocotools asserts "Results do not correspond to current coco set" */
            st = yq__errf(&e, YQ_STATUS_BAD_INPUT,
                          "%s: detection [%zu]: image_id %lld is not an image of the ground "
                          "truth",
                          src, i, (long long)d->image_id);
            goto done;
        }
        size_t cat = yq__coco_find_cat(gt, d->category_id);
        if (cat == SIZE_MAX) {
            if (opt->skip_unknown_categories)
                continue;
            st = yq__errf(&e, YQ_STATUS_BAD_INPUT,
                          "%s: detection [%zu]: category_id %lld is not a category of the "
                          "ground truth (wrong class map?)",
                          src, i, (long long)d->category_id);
            goto done;
        }
        dk[nd].cat = cat;
        dk[nd].img = img;
        dk[nd].idx = i;
        nd++;
    }
    for (size_t i = 0; i < gt->n_anns; i++) {
        gk[i].cat = gt->anns[i].cat;
        gk[i].img = gt->anns[i].img;
        gk[i].idx = i;
    }
    if (nd > 1)
        qsort(dk, nd, sizeof *dk, cmp_key);
    if (gt->n_anns > 1)
        qsort(gk, gt->n_anns, sizeof *gk, cmp_key);

    /* Buffer sizes: the largest group, and per category the capped detection total. */
    size_t max_gd = 0, max_gg = 0, max_cat = 0;
    for (size_t i = 0, cat_n = 0; i < nd;) {
        size_t j = i;
        while (j < nd && dk[j].cat == dk[i].cat && dk[j].img == dk[i].img)
            j++;
        max_gd = YQ_MAX(max_gd, j - i);
        cat_n += YQ_MIN(j - i, (size_t)MAX_DET);
        max_cat = YQ_MAX(max_cat, cat_n);
        if (j == nd || dk[j].cat != dk[i].cat)
            cat_n = 0;
        i = j;
    }
    for (size_t i = 0; i < gt->n_anns;) {
        size_t j = i;
        while (j < gt->n_anns && gk[j].cat == gk[i].cat && gk[j].img == gk[i].img)
            j++;
        max_gg = YQ_MAX(max_gg, j - i);
        i = j;
    }
    size_t n_prec, n_rec, n_ious, n_flag;
    if (!yq__mul_size(K, (size_t)NT * NR * NA, &n_prec) ||
        !yq__mul_size(K, (size_t)NT * NA * NM, &n_rec) ||
        !yq__mul_size(YQ_MIN(max_gd, (size_t)MAX_DET), max_gg, &n_ious) ||
        !yq__mul_size(max_cat, NT, &n_flag))
        goto oom;
    w.prec = alloc_n(n_prec, sizeof *w.prec, &fail);
    w.rec = alloc_n(n_rec, sizeof *w.rec, &fail);
    w.gdt = alloc_n(max_gd, sizeof *w.gdt, &fail);
    w.ious = alloc_n(n_ious, sizeof *w.ious, &fail);
    w.gtind = alloc_n(max_gg, sizeof *w.gtind, &fail);
    w.gig = alloc_n(max_gg, 1, &fail);
    w.gtm = alloc_n(max_gg, 1, &fail);
    w.outside = alloc_n(max_gd, 1, &fail);
    w.cat_sorted = alloc_n(max_cat, sizeof *w.cat_sorted, &fail);
    w.rc = alloc_n(max_cat, sizeof *w.rc, &fail);
    w.pr = alloc_n(max_cat, sizeof *w.pr, &fail);
    scratch = alloc_n(YQ_MAX(n_prec, n_rec), sizeof *scratch, &fail);
    for (int a = 0; a < NA; a++) {
        w.acc[a].ent_start = alloc_n(I, sizeof(size_t), &fail);
        w.acc[a].ent_count = alloc_n(I, sizeof(size_t), &fail);
        w.acc[a].score = alloc_n(max_cat, sizeof(double), &fail);
        w.acc[a].flag = alloc_n(n_flag, 1, &fail);
    }
    if (fail)
        goto oom;
    for (size_t i = 0; i < n_prec; i++)
        w.prec[i] = -1;
    for (size_t i = 0; i < n_rec; i++)
        w.rec[i] = -1;
    linspace(.5, 0.95, 10, w.iou_thr); /* int(np.round((0.95 - .5) / .05)) + 1 */
    linspace(.0, 1.00, 101, w.rec_thr);

    size_t gi = 0, di = 0;
    for (size_t k = 0; k < K; k++) {
        for (int a = 0; a < NA; a++)
            w.acc[a].n_ent = w.acc[a].n_dt = w.acc[a].npig = 0;
        size_t cat_dets = 0;
        /* images in id order that have gts or dets of k; the others are None in evalImgs */
        for (;;) {
            bool hg = gi < gt->n_anns && gk[gi].cat == k, hd = di < nd && dk[di].cat == k;
            if (!hg && !hd)
                break;
            size_t img = hg && hd ? YQ_MIN(gk[gi].img, dk[di].img) : hg ? gk[gi].img : dk[di].img;
            size_t g1 = gi, d1 = di;
            while (g1 < gt->n_anns && gk[g1].cat == k && gk[g1].img == img)
                g1++;
            while (d1 < nd && dk[d1].cat == k && dk[d1].img == img)
                d1++;
            evaluate_group(&w, gt, dets, gk + gi, g1 - gi, dk + di, d1 - di);
            cat_dets += d1 - di;
            gi = g1;
            di = d1;
        }
        accumulate_cat(&w, k);
        struct yq_coco_class_result *c = &res->classes[k];
        c->category_id = gt->cats[k].id;
        snprintf(c->name, sizeof c->name, "%s", gt->cats[k].name ? gt->cats[k].name : "");
        c->n_gt = w.acc[0].npig;
        c->n_dets = cat_dets;
    }
    res->n_classes = K;
    res->n_images = I;
    res->n_dets_used = nd;
    summarize(res, &w, scratch);
    *out = res;
    res = NULL;
    goto done;
oom:
    st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "yq_coco_evaluate: out of memory (%zu detections)",
                  n_det);
done:
    yq_coco_result_free(res);
    yq__free(dk);
    yq__free(gk);
    yq__free(scratch);
    yq__free(w.prec);
    yq__free(w.rec);
    yq__free(w.gdt);
    yq__free(w.ious);
    yq__free(w.gtind);
    yq__free(w.gig);
    yq__free(w.gtm);
    yq__free(w.outside);
    yq__free(w.cat_sorted);
    yq__free(w.rc);
    yq__free(w.pr);
    for (int a = 0; a < NA; a++) {
        yq__free(w.acc[a].ent_start);
        yq__free(w.acc[a].ent_count);
        yq__free(w.acc[a].score);
        yq__free(w.acc[a].flag);
    }
    return st;
}

void yq_coco_result_free(struct yq_coco_result *res)
{
    if (!res)
        return;
    yq__free(res->classes);
    yq__free(res);
}

/* Appends like snprintf into buf at *len, tracking the length needed. */
static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...) YQ_PRINTF(4, 5);
static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *dst = NULL;
    size_t room = 0;
    if (buf && *len < cap) {
        dst = buf + *len;
        room = cap - *len;
    }
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len += (size_t)n;
}

size_t yq_coco_format_summary(const struct yq_coco_result *res, char *buf, size_t cap)
{
    static const struct {
        int ap;
        const char *iou;
        int area, max_det;
    } rows[YQ_COCO_STAT_COUNT] = {
        {1, "0.50:0.95", 0, 100}, {1, "0.50", 0, 100},      {1, "0.75", 0, 100},
        {1, "0.50:0.95", 1, 100}, {1, "0.50:0.95", 2, 100}, {1, "0.50:0.95", 3, 100},
        {0, "0.50:0.95", 0, 1},   {0, "0.50:0.95", 0, 10},  {0, "0.50:0.95", 0, 100},
        {0, "0.50:0.95", 1, 100}, {0, "0.50:0.95", 2, 100}, {0, "0.50:0.95", 3, 100},
    };
    size_t len = 0;
    if (buf && cap)
        buf[0] = '\0';
    if (!res)
        return 0;
    for (int i = 0; i < YQ_COCO_STAT_COUNT; i++)
        /* ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}' */
        append(buf, cap, &len, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %0.3f\n",
               rows[i].ap ? "Average Precision" : "Average Recall", rows[i].ap ? "(AP)" : "(AR)",
               rows[i].iou, k_area_lbl[rows[i].area], rows[i].max_det, res->stats[i]);
    return len;
}

size_t yq_coco_format_per_class(const struct yq_coco_result *res, char *buf, size_t cap)
{
    size_t len = 0;
    if (buf && cap)
        buf[0] = '\0';
    if (!res)
        return 0;
    append(buf, cap, &len, "%6s  %-20s %6s %6s %7s %7s %7s\n", "cat_id", "name", "gt", "dets",
           "AP", "AP50", "AP75");
    for (size_t k = 0; k < res->n_classes; k++) {
        const struct yq_coco_class_result *c = &res->classes[k];
        if (c->ap < 0)
            continue; /* no ground truth: excluded from the mean, as pycocotools does */
        append(buf, cap, &len, "%6lld  %-20.20s %6zu %6zu %7.3f %7.3f %7.3f\n",
               (long long)c->category_id, c->name, c->n_gt, c->n_dets, c->ap, c->ap50, c->ap75);
    }
    append(buf, cap, &len, "%6s  %-20s %6s %6s %7.3f %7.3f %7.3f\n", "", "all", "", "",
           res->stats[YQ_COCO_STAT_AP], res->stats[YQ_COCO_STAT_AP50],
           res->stats[YQ_COCO_STAT_AP75]);
    return len;
}
