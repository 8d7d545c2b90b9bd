/* SPDX-License-Identifier: Apache-2.0 */
/* YOLO head recognition and cutting. A stock export ends in the Detect decode (reshape,
 * sigmoid, grid/anchor arithmetic, DFL, concat); INT8 would ruin that arithmetic and it is
 * cheap in float, so the graph is cut at the per-level head tensors and src/yolo decodes.
 *
 * Automatic: walk back from each graph output through decode-like operators until reaching
 * 4D "grid" tensors (H*s == input H and W*s == input W for a stride s) produced by a Conv,
 * a Sigmoid of a Conv, or a Concat of those. Those become the outputs, ordered by stride.
 * The head type is then told from channel counts and the original output shape, and
 * recorded in metadata (yq.head, yq.strides, yq.anchors, yq.num_classes, yq.head_sigmoid).
 * Explicit: `outputs` names the tensors to cut at, as RKNN's load_onnx(outputs=...). */
#include "passes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADS 8

struct walk {
    struct yq__graph *g;
    int in_h, in_w;
    int heads[MAX_HEADS];
    int n_heads;
    bool failed;
    bool *seen;
    /* anchors found in the decode (YOLOv5: Mul by a [1,na,ny,nx,2] anchor grid) */
    float anchors[MAX_HEADS][16][2];
    int anchor_ny[MAX_HEADS], anchor_na[MAX_HEADS];
    int n_anchor_sets;
};

static int grid_stride(const struct walk *w, const struct yq__tensor *t)
{
    if (t->shape.rank != 4 || t->shape.d[2] <= 0 || t->shape.d[3] <= 0)
        return 0;
    int64_t h = t->shape.d[2], ww = t->shape.d[3];
    for (int s = 2; s <= 128; s *= 2)
        if (h * s == w->in_h && ww * s == w->in_w)
            return s;
    return 0;
}

static bool produced_by_conv(const struct yq__graph *g, int t, int depth)
{
    int p = g->tensors[t].producer;
    if (p < 0 || depth > 2)
        return false;
    const struct yq__node *n = &g->nodes[p];
    if (n->op == YQ__OP_CONV)
        return true;
    if (n->op == YQ__OP_SIGMOID && n->in[0] >= 0)
        return produced_by_conv(g, n->in[0], depth + 1);
    if (n->op == YQ__OP_CONCAT) {
        for (int j = 0; j < n->n_in; j++)
            if (n->in[j] < 0 || !produced_by_conv(g, n->in[j], depth + 1))
                return false;
        return true;
    }
    return false;
}

static bool decode_op(enum yq__op op)
{
    switch (op) {
    case YQ__OP_RESHAPE:
    case YQ__OP_TRANSPOSE:
    case YQ__OP_CONCAT:
    case YQ__OP_SPLIT:
    case YQ__OP_SLICE:
    case YQ__OP_SIGMOID:
    case YQ__OP_MUL:
    case YQ__OP_ADD:
    case YQ__OP_SUB:
    case YQ__OP_DIV:
    case YQ__OP_POW:
    case YQ__OP_SOFTMAX:
    case YQ__OP_EXP:
    case YQ__OP_CONV: /* the DFL "conv" of YOLOv8 (fixed 0..15 weights) */
    case YQ__OP_GATHER:
    case YQ__OP_FLATTEN:
    case YQ__OP_SQUEEZE:
    case YQ__OP_UNSQUEEZE:
    case YQ__OP_CAST:
    case YQ__OP_EXPAND:
        return true;
    default:
        return false;
    }
}

static void note_anchors(struct walk *w, const struct yq__node *n)
{
    if (n->op != YQ__OP_MUL || w->n_anchor_sets >= MAX_HEADS)
        return;
    for (int j = 0; j < n->n_in; j++) {
        const struct yq__tensor *c = n->in[j] >= 0 ? &w->g->tensors[n->in[j]] : NULL;
        if (!c || !c->data || c->dtype != YQ__DTYPE_F32 || c->shape.rank != 5 ||
            c->shape.d[4] != 2 || c->shape.d[1] < 1 || c->shape.d[1] > 16)
            continue;
        int na = (int)c->shape.d[1];
        int64_t cell = c->shape.d[2] * c->shape.d[3] * 2;
        const float *d = c->data;
        int k = w->n_anchor_sets++;
        w->anchor_na[k] = na;
        w->anchor_ny[k] = (int)c->shape.d[2];
        for (int a = 0; a < na; a++) {
            w->anchors[k][a][0] = d[a * cell];
            w->anchors[k][a][1] = d[a * cell + 1];
        }
    }
}

static void visit(struct walk *w, int t)
{
    if (w->failed || t < 0 || w->seen[t])
        return;
    w->seen[t] = true;
    struct yq__tensor *tt = &w->g->tensors[t];
    if (tt->data)
        return;
    if (grid_stride(w, tt) && produced_by_conv(w->g, t, 0)) {
        if (w->n_heads == MAX_HEADS) {
            w->failed = true;
            return;
        }
        w->heads[w->n_heads++] = t;
        return;
    }
    int p = tt->producer;
    if (p < 0 || !decode_op(w->g->nodes[p].op)) {
        w->failed = true;
        return;
    }
    note_anchors(w, &w->g->nodes[p]);
    for (int j = 0; j < w->g->nodes[p].n_in; j++)
        visit(w, w->g->nodes[p].in[j]);
}

static int count_names(const struct yq__graph *g)
{
    /* YOLOv5/v8 exports: names = "{0: 'person', 1: 'bicycle', ...}": count top-level ':' */
    const char *s = yq__graph_meta(g, "names");
    if (!s)
        return 0;
    int n = 0;
    char q = 0;
    for (; *s; s++) {
        if (q) {
            if (*s == '\\' && s[1])
                s++;
            else if (*s == q)
                q = 0;
        } else if (*s == '\'' || *s == '"') {
            q = *s;
        } else if (*s == ':') {
            n++;
        }
    }
    return n;
}

/* Insertion sort by stride (at most MAX_HEADS entries): P3, P4, P5... */
static void sort_heads(struct walk *w)
{
    for (int i = 1; i < w->n_heads; i++)
        for (int j = i; j > 0 && grid_stride(w, &w->g->tensors[w->heads[j - 1]]) >
                                     grid_stride(w, &w->g->tensors[w->heads[j]]);
             j--) {
            int t = w->heads[j];
            w->heads[j] = w->heads[j - 1];
            w->heads[j - 1] = t;
        }
}

static bool set_meta_int(struct yq__graph *g, const char *k, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    return yq__graph_set_meta(g, k, buf);
}

/* Records yq.head etc. for the (possibly cut) outputs; `orig` is the pre-cut output shape
 * (rank 0 when there was no cut). */
static bool classify(struct walk *w, const struct yq__shape *orig)
{
    struct yq__graph *g = w->g;
    int nc_meta = count_names(g);
    const char *type = NULL;
    int nc = 0;
    bool sigmoid = false;
    char strides[128] = "";
    size_t sl = 0;
    for (int i = 0; i < w->n_heads; i++) {
        sl += (size_t)snprintf(strides + sl, sizeof strides - sl, i ? ",%d" : "%d",
                               grid_stride(w, &g->tensors[w->heads[i]]));
        if (sl >= sizeof strides)
            return false;
    }
    const struct yq__tensor *h0 = &g->tensors[w->heads[0]];
    int C = (int)h0->shape.d[1];
    int p = h0->producer;
    sigmoid = p >= 0 && g->nodes[p].op == YQ__OP_SIGMOID;
    /* YOLOX concatenates reg, Sigmoid(obj), Sigmoid(cls): scores already activated. */
    for (int j = 0; p >= 0 && g->nodes[p].op == YQ__OP_CONCAT && j < g->nodes[p].n_in; j++) {
        int q = g->nodes[p].in[j] >= 0 ? g->tensors[g->nodes[p].in[j]].producer : -1;
        sigmoid |= q >= 0 && g->nodes[q].op == YQ__OP_SIGMOID;
    }
    if (orig->rank == 3 && w->n_heads >= 2) {
        int64_t K = orig->d[2], Kt = orig->d[1];
        if (K > 5 && C % K == 0 && C / K >= 1 && C / K <= 16 && C / K > 1) {
            type = "yolov5";
            nc = (int)K - 5;
        } else if (K > 5 && C == K) {
            type = "yolox";
            nc = (int)K - 5;
        } else if (Kt > 4 && C > Kt - 4 && (C - (Kt - 4)) % 4 == 0) {
            type = "yolov8";
            nc = (int)Kt - 4;
        }
    } else if (orig->rank == 0) {
        if (nc_meta > 0) {
            if (w->n_heads >= 2 && C % (5 + nc_meta) == 0 && C / (5 + nc_meta) > 1)
                type = "yolov5", nc = nc_meta;
            else if (w->n_heads >= 2 && C > nc_meta && (C - nc_meta) % 4 == 0 &&
                     C - nc_meta >= 16)
                type = "yolov8", nc = nc_meta;
            else if (w->n_heads >= 2 && C == 5 + nc_meta)
                type = "yolox", nc = nc_meta;
            else if (w->n_heads == 1 && C == 5 + nc_meta)
                type = "fastestdet", nc = nc_meta;
        } else if (w->n_heads == 1 && C > 5) {
            type = "fastestdet", nc = C - 5;
        } else if (w->n_heads >= 2 && C % 3 == 0 && C / 3 > 5) {
            type = "yolov5", nc = C / 3 - 5;
        } else if (w->n_heads >= 2 && C > 64) {
            type = "yolov8", nc = C - 64;
        }
    }
    if (!type)
        return true;
    if (!yq__graph_set_meta(g, "yq.head", type) || !set_meta_int(g, "yq.num_classes", nc) ||
        !yq__graph_set_meta(g, "yq.strides", strides) ||
        !yq__graph_set_meta(g, "yq.head_sigmoid", sigmoid ? "1" : "0"))
        return false;
    if (!strcmp(type, "yolov5") && w->n_anchor_sets == w->n_heads) {
        char buf[1024];
        size_t len = 0;
        /* anchor sets were found in walk order; match them to heads by grid height */
        for (int i = 0; i < w->n_heads; i++) {
            int ny = (int)g->tensors[w->heads[i]].shape.d[2];
            for (int k = 0; k < w->n_anchor_sets; k++) {
                if (w->anchor_ny[k] != ny)
                    continue;
                for (int a = 0; a < w->anchor_na[k]; a++)
                    len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%g,%g",
                                            a ? "," : (i ? ";" : ""), w->anchors[k][a][0],
                                            w->anchors[k][a][1]);
                break;
            }
            if (len >= sizeof buf)
                return true;
        }
        if (!yq__graph_set_meta(g, "yq.anchors", buf))
            return false;
    }
    return true;
}

static enum yq_status cut_named(struct yq__graph *g, const char *list, struct yq__err *e)
{
    int outs[64], n = 0;
    const char *s = list;
    size_t list_len = strlen(list);
    if (list_len && list[list_len - 1] == ',') /* "a," names an empty tensor too */
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: --outputs: bad list '%s'",
                        g->source, list);
    while (*s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        char name[512];
        if (len == 0 || len >= sizeof name || n == 64)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: --outputs: bad list '%s'",
                            g->source, list);
        memcpy(name, s, len);
        name[len] = '\0';
        int t = yq__graph_find(g, name);
        if (t < 0)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                            "%s: --outputs: no tensor named '%s' in the graph", g->source, name);
        if (g->tensors[t].data)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                            "%s: --outputs: '%s' is a constant, not a computed tensor",
                            g->source, name);
        outs[n++] = t;
        s = end ? end + 1 : s + len;
    }
    int *o = yq__malloc((size_t)n * sizeof *o);
    if (!o)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
    memcpy(o, outs, (size_t)n * sizeof *o);
    yq__free(g->outputs);
    g->outputs = o;
    g->n_outputs = n;
    if (!yq__graph_set_meta(g, "yq.head_cut", "named"))
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
    return yq__pass_dead_code(g, e);
}

enum yq_status yq__pass_cut_head(struct yq__graph *g, const char *outputs, struct yq__err *e)
{
    enum yq_status st = yq__graph_index(g, e);
    if (st)
        return st;
    if (outputs && *outputs && strcmp(outputs, "none") != 0) {
        st = cut_named(g, outputs, e);
        if (st)
            return st;
    }
    if (g->n_inputs < 1 || g->tensors[g->inputs[0]].shape.rank != 4)
        return YQ_STATUS_OK;
    struct walk w = {.g = g};
    w.in_h = (int)g->tensors[g->inputs[0]].shape.d[2];
    w.in_w = (int)g->tensors[g->inputs[0]].shape.d[3];
    w.seen = yq__calloc((size_t)g->n_tensors + 1, sizeof *w.seen);
    if (!w.seen)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
    struct yq__shape orig = {0};
    bool already_raw = true;
    for (int i = 0; i < g->n_outputs; i++) {
        const struct yq__tensor *o = &g->tensors[g->outputs[i]];
        /* a 4D grid output is a raw head already (FastestDet concatenates sigmoid, raw and
         * softmax parts: nothing to cut) */
        if (!grid_stride(&w, o))
            already_raw = false;
    }
    if (already_raw) {
        /* raw-head export (or a named cut at the heads): just classify */
        for (int i = 0; i < g->n_outputs && i < MAX_HEADS; i++)
            w.heads[w.n_heads++] = g->outputs[i];
    } else if (!outputs || !*outputs) {
        if (g->n_outputs == 1)
            orig = g->tensors[g->outputs[0]].shape;
        for (int i = 0; i < g->n_outputs; i++)
            visit(&w, g->outputs[i]);
        if (w.failed || w.n_heads == 0)
            w.n_heads = 0; /* not a recognised decode: keep the graph's outputs */
    }
    yq__free(w.seen);
    if (w.n_heads == 0)
        return YQ_STATUS_OK;
    sort_heads(&w);
    if (!classify(&w, &orig))
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
    /* cut only where the head was recognised: an unknown decode keeps its outputs */
    if (already_raw || !yq__graph_meta(g, "yq.head"))
        return YQ_STATUS_OK;
    int *o = yq__malloc((size_t)w.n_heads * sizeof *o);
    if (!o)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
    memcpy(o, w.heads, (size_t)w.n_heads * sizeof *o);
    yq__free(g->outputs);
    g->outputs = o;
    g->n_outputs = w.n_heads;
    if (!yq__graph_set_meta(g, "yq.head_cut", "auto"))
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
    return yq__pass_dead_code(g, e);
}
