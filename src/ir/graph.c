/* SPDX-License-Identifier: Apache-2.0 */
/* Graph construction, lookup, attributes, topological order and compaction. Tensors and
 * nodes live in growable arrays addressed by index; a name hash finds tensors. */
#include "ir.h"

#include <stdio.h>
#include <string.h>

size_t yq__dtype_size(enum yq__dtype t)
{
    switch (t) {
    case YQ__DTYPE_F32:
    case YQ__DTYPE_S32:
        return 4;
    case YQ__DTYPE_U8:
    case YQ__DTYPE_S8:
    case YQ__DTYPE_BOOL:
        return 1;
    case YQ__DTYPE_S64:
        return 8;
    case YQ__DTYPE_F16:
        return 2;
    default:
        return 0;
    }
}

const char *yq__dtype_name(enum yq__dtype t)
{
    static const char *names[] = {"f32", "u8", "s8", "s32", "s64", "bool", "f16"};
    return (unsigned)t < YQ_COUNTOF(names) ? names[t] : "?";
}

int64_t yq__shape_numel(const struct yq__shape *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->d[i];
    return n;
}

bool yq__shape_eq(const struct yq__shape *a, const struct yq__shape *b)
{
    if (a->rank != b->rank)
        return false;
    for (int i = 0; i < a->rank; i++)
        if (a->d[i] != b->d[i])
            return false;
    return true;
}

const char *yq__shape_str(const struct yq__shape *s, char *buf, size_t cap)
{
    size_t len = 0;
    if (cap == 0)
        return buf;
    buf[0] = '\0';
    len += (size_t)snprintf(buf + len, cap - len, "[");
    for (int i = 0; i < s->rank && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, i ? ",%lld" : "%lld", (long long)s->d[i]);
    if (len < cap)
        snprintf(buf + len, cap - len, "]");
    return buf;
}

static const char *op_names[] = {
#define YQ__OP_NAME(e, s) s,
    YQ__OP_LIST(YQ__OP_NAME)
#undef YQ__OP_NAME
};

enum yq__op yq__op_from_name(const char *op_type)
{
    for (int i = 0; i < YQ__OP_COUNT; i++)
        if (strcmp(op_names[i], op_type) == 0)
            return (enum yq__op)i;
    return YQ__OP_COUNT;
}

const char *yq__op_name(enum yq__op op)
{
    return (unsigned)op < YQ__OP_COUNT ? op_names[op] : "?";
}

enum yq_status yq__graph_create(const char *source, struct yq__graph **out)
{
    *out = NULL;
    struct yq__graph *g = yq__calloc(1, sizeof *g);
    if (!g)
        return YQ_STATUS_OUT_OF_MEMORY;
    g->source = yq__strdup(source ? source : "model");
    if (!g->source) {
        yq__free(g);
        return YQ_STATUS_OUT_OF_MEMORY;
    }
    *out = g;
    return YQ_STATUS_OK;
}

static void free_attr(struct yq__attr *a)
{
    yq__free(a->name);
    yq__free(a->ints);
    yq__free(a->floats);
    yq__free(a->s);
}

static void free_node(struct yq__node *n)
{
    yq__free(n->name);
    yq__free(n->in);
    yq__free(n->out);
    for (int i = 0; i < n->n_attrs; i++)
        free_attr(&n->attrs[i]);
    yq__free(n->attrs);
}

static void free_tensor(struct yq__tensor *t)
{
    yq__free(t->name);
    yq__aligned_free(t->data);
    yq__free(t->q.channel_scales);
}

void yq__graph_free(struct yq__graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_tensors; i++)
        free_tensor(&g->tensors[i]);
    for (int i = 0; i < g->n_nodes; i++)
        free_node(&g->nodes[i]);
    for (int i = 0; i < g->n_meta; i++) {
        yq__free(g->meta[i].key);
        yq__free(g->meta[i].value);
    }
    yq__free(g->tensors);
    yq__free(g->nodes);
    yq__free(g->inputs);
    yq__free(g->outputs);
    yq__free(g->meta);
    yq__free(g->source);
    yq__free(g->hash);
    yq__free(g);
}

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static bool hash_rebuild(struct yq__graph *g, int cap)
{
    int *h = yq__malloc((size_t)cap * sizeof *h);
    if (!h)
        return false;
    for (int i = 0; i < cap; i++)
        h[i] = -1;
    for (int t = 0; t < g->n_tensors; t++) {
        uint32_t k = hash_str(g->tensors[t].name) & (uint32_t)(cap - 1);
        while (h[k] >= 0)
            k = (k + 1) & (uint32_t)(cap - 1);
        h[k] = t;
    }
    yq__free(g->hash);
    g->hash = h;
    g->hash_cap = cap;
    return true;
}

int yq__graph_find(const struct yq__graph *g, const char *name)
{
    if (!g->hash_cap || !name)
        return -1;
    uint32_t k = hash_str(name) & (uint32_t)(g->hash_cap - 1);
    while (g->hash[k] >= 0) {
        if (strcmp(g->tensors[g->hash[k]].name, name) == 0)
            return g->hash[k];
        k = (k + 1) & (uint32_t)(g->hash_cap - 1);
    }
    return -1;
}

int yq__graph_add_tensor(struct yq__graph *g, const char *name, enum yq__dtype dtype,
                         const struct yq__shape *shape)
{
    if (g->n_tensors == g->cap_tensors) {
        int cap = g->cap_tensors ? g->cap_tensors * 2 : 64;
        void *p = yq__realloc(g->tensors, (size_t)cap * sizeof *g->tensors);
        if (!p)
            return -1;
        g->tensors = p;
        g->cap_tensors = cap;
    }
    if ((g->n_tensors + 1) * 2 > g->hash_cap) {
        int cap = g->hash_cap ? g->hash_cap * 2 : 128;
        while ((g->n_tensors + 1) * 2 > cap)
            cap *= 2;
        if (!hash_rebuild(g, cap))
            return -1;
    }
    struct yq__tensor *t = &g->tensors[g->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = yq__strdup(name);
    if (!t->name)
        return -1;
    t->dtype = dtype;
    if (shape)
        t->shape = *shape;
    t->producer = -1;
    int idx = g->n_tensors++;
    uint32_t k = hash_str(name) & (uint32_t)(g->hash_cap - 1);
    while (g->hash[k] >= 0)
        k = (k + 1) & (uint32_t)(g->hash_cap - 1);
    g->hash[k] = idx;
    return idx;
}

int yq__graph_add_const(struct yq__graph *g, const char *name, enum yq__dtype dtype,
                        const struct yq__shape *shape, void *data, size_t nbytes)
{
    int t = yq__graph_add_tensor(g, name, dtype, shape);
    if (t < 0) {
        yq__aligned_free(data);
        return -1;
    }
    g->tensors[t].data = data;
    g->tensors[t].nbytes = nbytes;
    return t;
}

const char *yq__graph_unique_name(struct yq__graph *g, const char *base, char *buf, size_t cap)
{
    for (int i = 1;; i++) {
        snprintf(buf, cap, "%s__%d", base, i);
        if (yq__graph_find(g, buf) < 0)
            return buf;
    }
}

static int *dup_ints(const int *v, int n)
{
    int *p = yq__malloc((size_t)(n > 0 ? n : 1) * sizeof *p);
    if (p && n > 0)
        memcpy(p, v, (size_t)n * sizeof *p);
    return p;
}

int yq__graph_add_node(struct yq__graph *g, const char *name, enum yq__op op, int n_in,
                       const int *in, int n_out, const int *out)
{
    if (g->n_nodes == g->cap_nodes) {
        int cap = g->cap_nodes ? g->cap_nodes * 2 : 64;
        void *p = yq__realloc(g->nodes, (size_t)cap * sizeof *g->nodes);
        if (!p)
            return -1;
        g->nodes = p;
        g->cap_nodes = cap;
    }
    struct yq__node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->name = yq__strdup(name ? name : "");
    n->in = dup_ints(in, n_in);
    n->out = dup_ints(out, n_out);
    if (!n->name || !n->in || !n->out) {
        free_node(n);
        return -1;
    }
    n->op = op;
    n->n_in = n_in;
    n->n_out = n_out;
    return g->n_nodes++;
}

static struct yq__attr *new_attr(struct yq__graph *g, int node, const char *name,
                                 enum yq__attr_kind kind)
{
    struct yq__node *n = &g->nodes[node];
    for (int i = 0; i < n->n_attrs; i++) {
        if (strcmp(n->attrs[i].name, name) == 0) {
            struct yq__attr *a = &n->attrs[i];
            char *keep = a->name;
            a->name = NULL;
            free_attr(a);
            memset(a, 0, sizeof *a);
            a->name = keep;
            a->kind = kind;
            return a;
        }
    }
    void *p = yq__realloc(n->attrs, (size_t)(n->n_attrs + 1) * sizeof *n->attrs);
    if (!p)
        return NULL;
    n->attrs = p;
    struct yq__attr *a = &n->attrs[n->n_attrs];
    memset(a, 0, sizeof *a);
    a->name = yq__strdup(name);
    if (!a->name)
        return NULL;
    a->kind = kind;
    n->n_attrs++;
    return a;
}

bool yq__node_set_int(struct yq__graph *g, int node, const char *name, int64_t v)
{
    struct yq__attr *a = new_attr(g, node, name, YQ__ATTR_INT);
    if (!a)
        return false;
    a->i = v;
    return true;
}

bool yq__node_set_float(struct yq__graph *g, int node, const char *name, float v)
{
    struct yq__attr *a = new_attr(g, node, name, YQ__ATTR_FLOAT);
    if (!a)
        return false;
    a->f = v;
    return true;
}

bool yq__node_set_ints(struct yq__graph *g, int node, const char *name, const int64_t *v, int n)
{
    struct yq__attr *a = new_attr(g, node, name, YQ__ATTR_INTS);
    if (!a)
        return false;
    a->ints = yq__malloc((size_t)(n > 0 ? n : 1) * sizeof *a->ints);
    if (!a->ints)
        return false;
    if (n > 0)
        memcpy(a->ints, v, (size_t)n * sizeof *v);
    a->n = n;
    return true;
}

bool yq__node_set_floats(struct yq__graph *g, int node, const char *name, const float *v, int n)
{
    struct yq__attr *a = new_attr(g, node, name, YQ__ATTR_FLOATS);
    if (!a)
        return false;
    a->floats = yq__malloc((size_t)(n > 0 ? n : 1) * sizeof *a->floats);
    if (!a->floats)
        return false;
    if (n > 0)
        memcpy(a->floats, v, (size_t)n * sizeof *v);
    a->n = n;
    return true;
}

bool yq__node_set_string(struct yq__graph *g, int node, const char *name, const char *s, int n)
{
    struct yq__attr *a = new_attr(g, node, name, YQ__ATTR_STRING);
    if (!a)
        return false;
    a->s = yq__strndup(s, (size_t)n);
    if (!a->s)
        return false;
    a->n = n;
    return true;
}

bool yq__graph_set_meta(struct yq__graph *g, const char *key, const char *value)
{
    for (int i = 0; i < g->n_meta; i++) {
        if (strcmp(g->meta[i].key, key) == 0) {
            char *v = yq__strdup(value);
            if (!v)
                return false;
            yq__free(g->meta[i].value);
            g->meta[i].value = v;
            return true;
        }
    }
    void *p = yq__realloc(g->meta, (size_t)(g->n_meta + 1) * sizeof *g->meta);
    if (!p)
        return false;
    g->meta = p;
    g->meta[g->n_meta].key = yq__strdup(key);
    g->meta[g->n_meta].value = yq__strdup(value);
    if (!g->meta[g->n_meta].key || !g->meta[g->n_meta].value) {
        yq__free(g->meta[g->n_meta].key);
        yq__free(g->meta[g->n_meta].value);
        return false;
    }
    g->n_meta++;
    return true;
}

const char *yq__graph_meta(const struct yq__graph *g, const char *key)
{
    for (int i = 0; i < g->n_meta; i++)
        if (strcmp(g->meta[i].key, key) == 0)
            return g->meta[i].value;
    return NULL;
}

const struct yq__attr *yq__node_attr(const struct yq__node *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            return &n->attrs[i];
    return NULL;
}

int64_t yq__attr_int(const struct yq__node *n, const char *name, int64_t def)
{
    const struct yq__attr *a = yq__node_attr(n, name);
    return a && a->kind == YQ__ATTR_INT ? a->i : def;
}

float yq__attr_float(const struct yq__node *n, const char *name, float def)
{
    const struct yq__attr *a = yq__node_attr(n, name);
    if (a && a->kind == YQ__ATTR_FLOAT)
        return a->f;
    if (a && a->kind == YQ__ATTR_INT)
        return (float)a->i;
    return def;
}

const int64_t *yq__attr_ints(const struct yq__node *n, const char *name, int *n_out)
{
    const struct yq__attr *a = yq__node_attr(n, name);
    if (a && a->kind == YQ__ATTR_INTS) {
        *n_out = a->n;
        return a->ints;
    }
    *n_out = 0;
    return NULL;
}

const float *yq__attr_floats(const struct yq__node *n, const char *name, int *n_out)
{
    const struct yq__attr *a = yq__node_attr(n, name);
    if (a && a->kind == YQ__ATTR_FLOATS) {
        *n_out = a->n;
        return a->floats;
    }
    *n_out = 0;
    return NULL;
}

const char *yq__attr_string(const struct yq__node *n, const char *name, const char *def)
{
    const struct yq__attr *a = yq__node_attr(n, name);
    return a && a->kind == YQ__ATTR_STRING ? a->s : def;
}

enum yq_status yq__graph_index(struct yq__graph *g, struct yq__err *e)
{
    for (int t = 0; t < g->n_tensors; t++) {
        g->tensors[t].producer = -1;
        g->tensors[t].n_consumers = 0;
        g->tensors[t].is_input = false;
        g->tensors[t].is_output = false;
    }
    for (int i = 0; i < g->n_inputs; i++)
        g->tensors[g->inputs[i]].is_input = true;
    for (int i = 0; i < g->n_outputs; i++)
        g->tensors[g->outputs[i]].is_output = true;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        struct yq__node *n = &g->nodes[ni];
        for (int j = 0; j < n->n_in; j++) {
            int t = n->in[j];
            if (t < 0)
                continue;
            struct yq__tensor *tt = &g->tensors[t];
            if (tt->producer < 0 && !tt->data && !tt->is_input)
                return yq__errf(e, YQ_STATUS_BAD_MODEL,
                                "%s: node '%s' (%s): input '%s' is not produced by any earlier "
                                "node, initializer or graph input",
                                g->source, n->name, yq__op_name(n->op), tt->name);
            tt->n_consumers++;
        }
        for (int j = 0; j < n->n_out; j++) {
            int t = n->out[j];
            if (t < 0)
                continue;
            struct yq__tensor *tt = &g->tensors[t];
            if (tt->producer >= 0 || tt->data || tt->is_input)
                return yq__errf(e, YQ_STATUS_BAD_MODEL,
                                "%s: node '%s' (%s): output '%s' is already defined", g->source,
                                n->name, yq__op_name(n->op), tt->name);
            tt->producer = ni;
        }
    }
    for (int i = 0; i < g->n_outputs; i++) {
        struct yq__tensor *t = &g->tensors[g->outputs[i]];
        if (t->producer < 0 && !t->data && !t->is_input)
            return yq__errf(e, YQ_STATUS_BAD_MODEL, "%s: graph output '%s' is never produced",
                            g->source, t->name);
    }
    return YQ_STATUS_OK;
}

enum yq_status yq__graph_toposort(struct yq__graph *g, struct yq__err *e)
{
    /* Kahn's algorithm over "tensor ready" flags; stable: repeatedly takes the first node
     * in the current order whose inputs are all ready. O(n^2) worst case, fine for graphs
     * of a few thousand nodes since import order is nearly always topological already. */
    int n = g->n_nodes;
    struct yq__node *sorted = yq__malloc((size_t)(n > 0 ? n : 1) * sizeof *sorted);
    bool *ready = yq__calloc((size_t)(g->n_tensors > 0 ? g->n_tensors : 1), sizeof *ready);
    bool *done = yq__calloc((size_t)(n > 0 ? n : 1), sizeof *done);
    if (!sorted || !ready || !done) {
        yq__free(sorted);
        yq__free(ready);
        yq__free(done);
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory sorting graph", g->source);
    }
    for (int t = 0; t < g->n_tensors; t++)
        ready[t] = g->tensors[t].data != NULL;
    for (int i = 0; i < g->n_inputs; i++)
        ready[g->inputs[i]] = true;
    int count = 0, first = 0;
    while (count < n) {
        int pick = -1;
        for (int i = first; i < n; i++) {
            if (done[i])
                continue;
            bool ok = true;
            for (int j = 0; j < g->nodes[i].n_in && ok; j++)
                ok = g->nodes[i].in[j] < 0 || ready[g->nodes[i].in[j]];
            if (ok) {
                pick = i;
                break;
            }
        }
        if (pick < 0) {
            int bad = 0;
            while (done[bad])
                bad++;
            yq__errf(e, YQ_STATUS_BAD_MODEL,
                     "%s: node '%s' (%s): inputs never become available (cycle or missing "
                     "tensor)",
                     g->source, g->nodes[bad].name, yq__op_name(g->nodes[bad].op));
            yq__free(sorted);
            yq__free(ready);
            yq__free(done);
            return YQ_STATUS_BAD_MODEL;
        }
        done[pick] = true;
        sorted[count++] = g->nodes[pick];
        for (int j = 0; j < g->nodes[pick].n_out; j++)
            if (g->nodes[pick].out[j] >= 0)
                ready[g->nodes[pick].out[j]] = true;
        while (first < n && done[first])
            first++;
    }
    memcpy(g->nodes, sorted, (size_t)n * sizeof *sorted);
    yq__free(sorted);
    yq__free(ready);
    yq__free(done);
    return yq__graph_index(g, e);
}

void yq__graph_replace_uses(struct yq__graph *g, int from, int to)
{
    for (int ni = 0; ni < g->n_nodes; ni++) {
        struct yq__node *n = &g->nodes[ni];
        if (n->dead)
            continue;
        for (int j = 0; j < n->n_in; j++)
            if (n->in[j] == from)
                n->in[j] = to;
    }
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == from)
            g->outputs[i] = to;
}

enum yq_status yq__graph_compact(struct yq__graph *g, struct yq__err *e)
{
    int w = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].dead)
            free_node(&g->nodes[i]);
        else
            g->nodes[w++] = g->nodes[i];
    }
    g->n_nodes = w;
    /* Keep tensors that are referenced by a node, a graph input or output. */
    bool *used = yq__calloc((size_t)(g->n_tensors > 0 ? g->n_tensors : 1), sizeof *used);
    int *remap = yq__malloc((size_t)(g->n_tensors > 0 ? g->n_tensors : 1) * sizeof *remap);
    if (!used || !remap) {
        yq__free(used);
        yq__free(remap);
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
    }
    for (int i = 0; i < g->n_nodes; i++) {
        for (int j = 0; j < g->nodes[i].n_in; j++)
            if (g->nodes[i].in[j] >= 0)
                used[g->nodes[i].in[j]] = true;
        for (int j = 0; j < g->nodes[i].n_out; j++)
            if (g->nodes[i].out[j] >= 0)
                used[g->nodes[i].out[j]] = true;
    }
    for (int i = 0; i < g->n_inputs; i++)
        used[g->inputs[i]] = true;
    for (int i = 0; i < g->n_outputs; i++)
        used[g->outputs[i]] = true;
    w = 0;
    for (int t = 0; t < g->n_tensors; t++) {
        if (used[t]) {
            remap[t] = w;
            g->tensors[w++] = g->tensors[t];
        } else {
            remap[t] = -1;
            free_tensor(&g->tensors[t]);
        }
    }
    g->n_tensors = w;
    for (int i = 0; i < g->n_nodes; i++) {
        for (int j = 0; j < g->nodes[i].n_in; j++)
            if (g->nodes[i].in[j] >= 0)
                g->nodes[i].in[j] = remap[g->nodes[i].in[j]];
        for (int j = 0; j < g->nodes[i].n_out; j++)
            if (g->nodes[i].out[j] >= 0)
                g->nodes[i].out[j] = remap[g->nodes[i].out[j]];
    }
    for (int i = 0; i < g->n_inputs; i++)
        g->inputs[i] = remap[g->inputs[i]];
    for (int i = 0; i < g->n_outputs; i++)
        g->outputs[i] = remap[g->outputs[i]];
    yq__free(used);
    yq__free(remap);
    int cap = g->hash_cap ? g->hash_cap : 128;
    if (!hash_rebuild(g, cap))
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", g->source);
    return yq__graph_toposort(g, e);
}

int yq__axis_to_phys(const struct yq__tensor *t, int64_t axis)
{
    int rank = t->shape.rank;
    if (axis < 0)
        axis += rank;
    if (axis < 0 || axis >= rank)
        return -1;
    if (t->layout == YQ__LAYOUT_NHWC && rank == 4) {
        static const int nchw_to_nhwc[4] = {0, 3, 1, 2};
        return nchw_to_nhwc[axis];
    }
    return (int)axis;
}

bool yq__const_as_i64(const struct yq__tensor *t, int64_t *out, int64_t max_n, int64_t *n_out)
{
    if (!t->data)
        return false;
    int64_t n = yq__shape_numel(&t->shape);
    if (n > max_n || (size_t)n * yq__dtype_size(t->dtype) > t->nbytes)
        return false;
    for (int64_t i = 0; i < n; i++) {
        switch (t->dtype) {
        case YQ__DTYPE_S64:
            out[i] = ((const int64_t *)t->data)[i];
            break;
        case YQ__DTYPE_S32:
            out[i] = ((const int32_t *)t->data)[i];
            break;
        case YQ__DTYPE_F32:
            out[i] = (int64_t)((const float *)t->data)[i];
            break;
        case YQ__DTYPE_U8:
        case YQ__DTYPE_BOOL:
            out[i] = ((const uint8_t *)t->data)[i];
            break;
        case YQ__DTYPE_S8:
            out[i] = ((const int8_t *)t->data)[i];
            break;
        default:
            return false;
        }
    }
    *n_out = n;
    return true;
}
