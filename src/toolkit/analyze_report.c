/* SPDX-License-Identifier: Apache-2.0 */
/* What yq_model_analyze found, written for people: error_analysis.txt in the layout RKNN
 * users know (graph order, then worst-first by single cosine) and one self-contained HTML
 * page (inline SVG chart, no script, nothing fetched) with the worst layers and a verdict.
 * Both are deterministic: the same analysis gives the same bytes. Each is written beside
 * its path and renamed into place, so a failed write leaves no half file. */
#include "yoloq/toolkit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define N_WORST 15

static int by_single(const void *a, const void *b)
{
    const struct yq_analysis_row *x = *(const struct yq_analysis_row *const *)a;
    const struct yq_analysis_row *y = *(const struct yq_analysis_row *const *)b;
    if (x->single_cos != y->single_cos)
        return x->single_cos < y->single_cos ? -1 : 1;
    return x < y ? -1 : x > y; /* stable: graph order among equals */
}

/* rows sorted worst-first by single cosine (yq__free the result) */
static const struct yq_analysis_row **sorted_rows(const struct yq_analysis *a)
{
    const struct yq_analysis_row **v = yq__calloc((size_t)a->n_rows + 1, sizeof *v);
    if (!v)
        return NULL;
    for (int i = 0; i < a->n_rows; i++)
        v[i] = &a->rows[i];
    qsort(v, (size_t)a->n_rows, sizeof *v, by_single);
    return v;
}

static FILE *open_tmp(const char *path, char *tmp, size_t cap, struct yq__err *e)
{
    snprintf(tmp, cap, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        yq__errf(e, YQ_STATUS_IO, "%s: cannot write: %s", path, strerror(errno));
    return f;
}

static enum yq_status close_tmp(FILE *f, const char *tmp, const char *path, struct yq__err *e)
{
    bool bad = ferror(f) != 0;
    bad = fclose(f) != 0 || bad;
    if (bad || rename(tmp, path)) {
        remove(tmp);
        return yq__errf(e, YQ_STATUS_IO, "%s: write failed", path);
    }
    return YQ_STATUS_OK;
}

static void text_row(FILE *f, const struct yq_analysis_row *r)
{
    char label[YQ_MAX_NAME + 64];
    snprintf(label, sizeof label, "[%s] %s%s", r->op, r->name, r->int8 ? "" : " (float)");
    fprintf(f, "%-64s %8.5f | %-11.5g %8.5f | %-11.5g\n", label, r->entire_cos, r->entire_euc,
            r->single_cos, r->single_euc);
}

enum yq_status yq_analysis_write_text(const struct yq_analysis *a, const char *path, char *err,
                                      size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!a || !path)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "analysis: NULL argument");
    const struct yq_analysis_row **v = sorted_rows(a);
    if (!v)
        return yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "analysis: out of memory");
    char tmp[4200];
    FILE *f = open_tmp(path, tmp, sizeof tmp, &e);
    if (!f) {
        yq__free(v);
        return YQ_STATUS_IO;
    }
    fprintf(f, "# error of each tensor of the quantized graph against the float graph's "
               "('golden') value, mean of %d sample(s)\n",
            a->n_samples);
    fprintf(f, "#   entire: the quantized graph run end to end; errors accumulate layer by "
               "layer\n");
    fprintf(f, "#   single: that operator alone, fed the float graph's inputs (quantized with "
               "its own input parameters): its own error\n");
    fprintf(f, "#   (float): a layer that runs in fp32 in this model\n\n");
    for (int pass = 0; pass < 2; pass++) {
        fprintf(f, pass ? "\n# sorted by single cosine, worst first\n" : "");
        fprintf(f, "%-64s %-22s %-22s\n", "layer_name", "entire", "single");
        fprintf(f, "%-64s %8s | %-11s %8s | %-11s\n", "", "cos", "euc", "cos", "euc");
        fprintf(f, "%.*s\n", 112, "------------------------------------------------------------"
                                  "------------------------------------------------------------");
        for (int i = 0; i < a->n_rows; i++)
            text_row(f, pass ? v[i] : &a->rows[i]);
    }
    yq__free(v);
    return close_tmp(f, tmp, path, &e);
}

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if ((unsigned char)*s < 0x20)
                fputc(' ', f);
            else
                fputc(*s, f);
        }
    }
}

/* chart: x = row, y = cosine from lo (bottom) to 1 (top) */
#define W 960
#define H 320
#define PADL 56
#define PADR 16
#define PADT 16
#define PADB 40

static double xpos(int i, int n)
{
    return PADL + (n > 1 ? (double)i * (W - PADL - PADR) / (n - 1) : 0.0);
}

static double ypos(double c, double lo)
{
    double t = (c - lo) / (1.0 - lo);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return PADT + (1.0 - t) * (H - PADT - PADB);
}

static void polyline(FILE *f, const struct yq_analysis *a, bool single, double lo,
                     const char *color)
{
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", color);
    for (int i = 0; i < a->n_rows; i++) {
        double c = single ? a->rows[i].single_cos : a->rows[i].entire_cos;
        fprintf(f, "%s%.1f,%.1f", i ? " " : "", xpos(i, a->n_rows), ypos(c, lo));
    }
    fprintf(f, "\"/>\n");
}

static void chart(FILE *f, const struct yq_analysis *a)
{
    double lo = 1.0;
    for (int i = 0; i < a->n_rows; i++) {
        lo = a->rows[i].entire_cos < lo ? a->rows[i].entire_cos : lo;
        lo = a->rows[i].single_cos < lo ? a->rows[i].single_cos : lo;
    }
    lo = lo > 0.99 ? 0.98 : lo;
    lo = (double)(int)(lo * 20.0 - (lo < 0 ? 1 : 0)) / 20.0; /* down to a multiple of 0.05 */
    lo = lo < -1.0 ? -1.0 : lo;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" role=\"img\">\n", W, H, W, H);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, H);
    for (int i = 0; i < a->n_rows; i++) {
        if (a->rows[i].int8)
            continue;
        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"3\" height=\"%d\" fill=\"#f4c7c3\">"
                   "<title>float: ", xpos(i, a->n_rows) - 1.5, PADT, H - PADT - PADB);
        esc(f, a->rows[i].name);
        fprintf(f, "</title></rect>\n");
    }
    for (int k = 0; k <= 4; k++) {
        double c = lo + (1.0 - lo) * k / 4.0;
        fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.3f</text>\n",
                PADL, W - PADR, ypos(c, lo), ypos(c, lo), PADL - 4, ypos(c, lo) + 4, c);
    }
    polyline(f, a, false, lo, "#1f77b4");
    polyline(f, a, true, lo, "#ff7f0e");
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\">layers in graph order (%d) &#8594;"
               "</text>\n", PADL, H - 12, a->n_rows);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#1f77b4\">entire cosine</text>"
               "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#ff7f0e\">single cosine</text>"
               "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#c0392b\">float layers</text>\n",
            W - 330, H - 12, W - 220, H - 12, W - 110, H - 12);
    fprintf(f, "</svg>\n");
}

static void table_row(FILE *f, int rank, const struct yq_analysis *a,
                      const struct yq_analysis_row *r)
{
    fprintf(f, "<tr><td>%d</td><td>%d</td><td>", rank, (int)(r - a->rows));
    esc(f, r->op);
    fprintf(f, "</td><td>");
    esc(f, r->name);
    fprintf(f, "</td><td>%s</td><td>%.5f</td><td>%.5g</td><td>%.5f</td><td>%.5g</td></tr>\n",
            r->int8 ? "int8" : "float", r->entire_cos, r->entire_euc, r->single_cos,
            r->single_euc);
}

enum yq_status yq_analysis_write_html(const struct yq_analysis *a, const char *title,
                                      const char *path, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!a || !path || a->n_rows < 1)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "analysis: nothing to report");
    const struct yq_analysis_row **v = sorted_rows(a);
    if (!v)
        return yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "analysis: out of memory");
    char tmp[4200];
    FILE *f = open_tmp(path, tmp, sizeof tmp, &e);
    if (!f) {
        yq__free(v);
        return YQ_STATUS_IO;
    }
    int n_float = 0;
    for (int i = 0; i < a->n_rows; i++)
        n_float += !a->rows[i].int8;
    const struct yq_analysis_row *w = v[0], *last = &a->rows[a->n_rows - 1];
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
               "<title>yoloq analyze: ");
    esc(f, title ? title : "");
    fprintf(f, "</title>\n<style>body{font-family:sans-serif;margin:1.5em}"
               "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
               "padding:2px 6px;text-align:left}.v{font-size:16px;font-weight:bold}</style>\n"
               "</head>\n<body>\n<h1>Accuracy analysis: ");
    esc(f, title ? title : "");
    fprintf(f, "</h1>\n<p class=\"v\">");
    if (w->single_cos >= 0.99)
        fprintf(f, "Every layer keeps single cosine &#8805; 0.99 (lowest %.4f); the outputs end "
                   "at entire cosine %.4f.", w->single_cos, last->entire_cos);
    else {
        fprintf(f, "Worst layer: [");
        esc(f, w->op);
        fprintf(f, "] ");
        esc(f, w->name);
        fprintf(f, " with single cosine %.4f: keep it in float (custom_quantize_layers in the "
                   "hybrid cfg, or build --auto-hybrid).", w->single_cos);
    }
    fprintf(f, "</p>\n<p>%d tensors, %d sample(s), %d float layer(s)%s.</p>\n", a->n_rows,
            a->n_samples, n_float, n_float ? " (marked in red)" : "");
    chart(f, a);
    fprintf(f, "<h2>Worst layers by single cosine</h2>\n<table>\n<tr><th>rank</th><th>row</th>"
               "<th>op</th><th>tensor</th><th>runs</th><th>entire cos</th><th>entire euc</th>"
               "<th>single cos</th><th>single euc</th></tr>\n");
    for (int i = 0; i < a->n_rows && i < N_WORST; i++)
        table_row(f, i + 1, a, v[i]);
    fprintf(f, "</table>\n<h2>Every layer, graph order</h2>\n<table>\n<tr><th>#</th><th>row"
               "</th><th>op</th><th>tensor</th><th>runs</th><th>entire cos</th><th>entire euc"
               "</th><th>single cos</th><th>single euc</th></tr>\n");
    for (int i = 0; i < a->n_rows; i++)
        table_row(f, i, a, &a->rows[i]);
    fprintf(f, "</table>\n</body>\n</html>\n");
    yq__free(v);
    return close_tmp(f, tmp, path, &e);
}
