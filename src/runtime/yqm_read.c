/* SPDX-License-Identifier: Apache-2.0 */
/* .yqm reader (layout drawn in yqm.h) and the public yq_model_load_file/_memory. The bytes
 * are untrusted: every field is decoded byte-wise (no alignment or endianness assumption),
 * every offset/length/count is checked against the bytes present before use, and the
 * bytes a file may make us allocate are bounded by its own section sizes (refs may not
 * share bytes), so a small file cannot ask for a huge allocation. */
#include "yqm.h"
#include "runtime_internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
    SEC_STRINGS,
    SEC_TENSORS,
    SEC_NODES,
    SEC_ATTRS,
    SEC_GRAPH,
    SEC_META,
    SEC_ARRAYS,
    SEC_WEIGHTS,
    SEC_COUNT
};

#define TENSOR_REC 136u
#define NODE_REC 64u
#define ATTR_REC 40u
#define META_REC 16u
#define GRAPH_HDR 24u
/* Caps on counts that also bound the quadratic duplicate checks. */
#define MAX_NODE_IO 65536u
#define MAX_NODE_ATTRS 256u
#define MAX_META 4096u
#define MAX_COUNT (1u << 24)
/* Largest element count of any tensor (constant or activation). */
#define MAX_NUMEL ((uint64_t)1 << 40)

struct rd {
    const uint8_t *p;
    size_t size;
    const char *name;
    struct yq__err *e;
    uint64_t off[SEC_COUNT], len[SEC_COUNT];
    uint64_t str_used, arr_used, w_used;
};

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static int32_t get_i32(const uint8_t *p)
{
    uint32_t u = get_u32(p);
    int32_t v;
    memcpy(&v, &u, 4);
    return v;
}

static int64_t get_i64(const uint8_t *p)
{
    uint64_t u = get_u64(p);
    int64_t v;
    memcpy(&v, &u, 8);
    return v;
}

static float get_f32(const uint8_t *p)
{
    uint32_t u = get_u32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* "name: <what>" as one line; returns status. */
static enum yq_status bad(struct rd *r, enum yq_status st, const char *fmt, ...) YQ_PRINTF(3, 4);
static enum yq_status bad(struct rd *r, enum yq_status st, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return yq__errf(r->e, st, "%s: %s", r->name, msg);
}

static enum yq_status oom(struct rd *r)
{
    return bad(r, YQ_STATUS_OUT_OF_MEMORY, "out of memory loading model");
}

static const uint8_t *sec(const struct rd *r, int s)
{
    return r->p + r->off[s];
}

/* A string {offset, length} in STRINGS: in bounds, a NUL right after it and none inside. The
 * returned pointer is into the file (NUL-terminated). */
static bool get_str_at(struct rd *r, uint64_t off, uint64_t len, const char **out)
{
    uint64_t size = r->len[SEC_STRINGS];
    if (off > size || len >= size - off) return false;
    const uint8_t *s = sec(r, SEC_STRINGS) + off;
    if (s[len] != 0 || memchr(s, 0, (size_t)len)) return false;
    r->str_used += len + 1;
    if (r->str_used > size) return false;
    *out = (const char *)s;
    return true;
}

static bool get_str(struct rd *r, const uint8_t *ref, const char **out)
{
    return get_str_at(r, get_u32(ref), get_u32(ref + 4), out);
}

/* count elements of esize bytes at ARRAYS offset off. */
static const uint8_t *get_arr(struct rd *r, uint64_t off, uint64_t count, unsigned esize)
{
    uint64_t size = r->len[SEC_ARRAYS], bytes = count * esize; /* count <= 2^32: no overflow */
    if (off > size || bytes > size - off) return NULL;
    r->arr_used += bytes;
    if (r->arr_used > size) return NULL;
    return sec(r, SEC_ARRAYS) + off;
}

/* A table section: u32 count, u32 0, count records of rec bytes, nothing after. */
static enum yq_status table(struct rd *r, int s, const char *what, unsigned rec, uint32_t *count)
{
    if (r->len[s] < 8) return bad(r, YQ_STATUS_BAD_MODEL, "%s section truncated", what);
    const uint8_t *p = sec(r, s);
    *count = get_u32(p);
    if (get_u32(p + 4) != 0 || *count > MAX_COUNT)
        return bad(r, YQ_STATUS_BAD_MODEL, "%s section: bad header", what);
    if ((uint64_t)*count * rec != r->len[s] - 8)
        return bad(r, YQ_STATUS_BAD_MODEL, "%s section: %u records do not fill %llu bytes", what,
                   *count, (unsigned long long)(r->len[s] - 8));
    return YQ_STATUS_OK;
}

static bool host_le(void)
{
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static void swap_elems(uint8_t *p, size_t nbytes, size_t esize)
{
    if (host_le() || esize < 2) return;
    for (size_t i = 0; i + esize <= nbytes; i += esize)
        for (size_t a = 0, z = esize - 1; a < z; a++, z--) {
            uint8_t t = p[i + a];
            p[i + a] = p[i + z];
            p[i + z] = t;
        }
}

static enum yq_status read_header(struct rd *r)
{
    const uint8_t *p = r->p;
    size_t n = r->size;
    if (n == 0) return bad(r, YQ_STATUS_BAD_MODEL, "empty file (not a yoloq model)");
    if (memcmp(p, YQ__YQM_MAGIC, n < 4 ? n : 4) != 0)
        return bad(r, YQ_STATUS_BAD_MODEL, "not a yoloq model (bad magic)");
    if (n >= 8 && get_u32(p + 4) != YQ__YQM_VERSION)
        return bad(r, YQ_STATUS_BAD_MODEL, "unsupported format version %u (this build reads %u)",
                   get_u32(p + 4), YQ__YQM_VERSION);
    if (n < 24)
        return bad(r, YQ_STATUS_BAD_MODEL, "truncated file (%zu of at least %u bytes)", n,
                   YQ__YQM_HEADER_SIZE);
    uint64_t file_size = get_u64(p + 16);
    if (file_size > n)
        return bad(r, YQ_STATUS_BAD_MODEL, "truncated file (%zu of %llu bytes)", n,
                   (unsigned long long)file_size);
    if (file_size < n)
        return bad(r, YQ_STATUS_BAD_MODEL, "%llu bytes of trailing data after the model",
                   (unsigned long long)(n - file_size));
    if (n < YQ__YQM_HEADER_SIZE)
        return bad(r, YQ_STATUS_BAD_MODEL, "header truncated (%zu of %u bytes)", n,
                   YQ__YQM_HEADER_SIZE);
    uint32_t flags = get_u32(p + 8);
    if (flags & YQ__YQM_FLAG_ENCRYPTED)
        return bad(r, YQ_STATUS_UNSUPPORTED, "encrypted model: it must be opened with its key");
    if (flags) return bad(r, YQ_STATUS_BAD_MODEL, "unknown flags 0x%x", flags);
    if (get_u32(p + 12) != SEC_COUNT)
        return bad(r, YQ_STATUS_BAD_MODEL, "%u sections (version 1 has %u)", get_u32(p + 12),
                   (unsigned)SEC_COUNT);
    if (get_u64(p + 24) != yq__yqm_checksum(p + 32, n - 32))
        return bad(r, YQ_STATUS_BAD_MODEL, "checksum mismatch (file corrupted)");
    for (int i = 32; i < 64; i++)
        if (p[i]) return bad(r, YQ_STATUS_BAD_MODEL, "reserved header bytes are not zero");
    static const char *names[SEC_COUNT] = {"strings", "tensors",  "nodes",  "attributes",
                                           "graph",   "metadata", "arrays", "weights"};
    for (int s = 0; s < SEC_COUNT; s++) {
        r->off[s] = get_u64(p + 64 + 16 * s);
        r->len[s] = get_u64(p + 64 + 16 * s + 8);
        if (r->off[s] < YQ__YQM_HEADER_SIZE || r->off[s] > n || r->len[s] > n - r->off[s])
            return bad(r, YQ_STATUS_BAD_MODEL, "%s section out of bounds (offset %llu, %llu bytes)",
                       names[s], (unsigned long long)r->off[s], (unsigned long long)r->len[s]);
        if (r->off[s] % (s == SEC_WEIGHTS ? YQ_ALIGN : 8))
            return bad(r, YQ_STATUS_BAD_MODEL, "%s section misaligned", names[s]);
    }
    return YQ_STATUS_OK;
}

static bool act_from_code(uint32_t c, enum yq__act_kind *k)
{
    static const enum yq__act_kind map[] = {YQ__ACT_NONE,    YQ__ACT_RELU, YQ__ACT_LEAKY_RELU,
                                            YQ__ACT_SIGMOID, YQ__ACT_SILU, YQ__ACT_HARD_SWISH,
                                            YQ__ACT_CLIP};
    if (c >= YQ_COUNTOF(map)) return false;
    *k = map[c];
    return true;
}

static enum yq_status read_tensor(struct rd *r, struct yq__graph *g, uint32_t t, const uint8_t *rec)
{
    const char *name;
    if (!get_str(r, rec, &name)) return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u: bad name", t);
    uint32_t dtype = get_u32(rec + 8), layout = get_u32(rec + 12), rank = get_u32(rec + 16);
    uint32_t flags = get_u32(rec + 20);
    if (dtype >= YQ__DTYPE_COUNT)
        return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': bad dtype %u", t, name, dtype);
    if (layout > YQ__LAYOUT_NHWC)
        return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': bad layout %u", t, name, layout);
    if (rank > YQ__MAX_RANK)
        return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': rank %u (at most %d)", t, name, rank,
                   YQ__MAX_RANK);
    if (flags & ~3u)
        return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': bad flags 0x%x", t, name, flags);
    struct yq__shape shape = {(int)rank, {0}};
    uint64_t numel = 1;
    for (uint32_t i = 0; i < YQ__MAX_RANK; i++) {
        int64_t d = get_i64(rec + 24 + 8 * i);
        if (i >= rank) {
            if (d != 0)
                return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': unused dimension not zero", t,
                           name);
            continue;
        }
        if (d < 0)
            return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': negative dimension %lld", t, name,
                       (long long)d);
        if (d != 0 && numel > MAX_NUMEL / (uint64_t)d)
            return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': dims overflow", t, name);
        numel *= (uint64_t)d;
        shape.d[i] = d;
    }
    /* The runtime sizes every tensor as numel * element size in a size_t (32-bit boards). */
    if (numel > SIZE_MAX / yq__dtype_size((enum yq__dtype)dtype))
        return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': dims overflow", t, name);
    const uint8_t *q = rec + 88;
    float scale = get_f32(q), rmin = get_f32(q + 24), rmax = get_f32(q + 28);
    int32_t zp = get_i32(q + 4), axis = get_i32(q + 8);
    uint32_t n_ch = get_u32(q + 12);
    uint64_t ch_off = get_u64(q + 16), w_off = get_u64(q + 32), nbytes = get_u64(q + 40);
    if (!isfinite(scale) || scale < 0)
        return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': bad scale %g", t, name, (double)scale);
    const uint8_t *ch = NULL;
    if (n_ch > 0) {
        if (axis < 0 || (uint32_t)axis >= rank || (uint64_t)shape.d[axis] != n_ch)
            return bad(r, YQ_STATUS_BAD_MODEL,
                       "tensor %u '%s': %u channel scales do not match axis %d", t, name, n_ch,
                       (int)axis);
        ch = get_arr(r, ch_off, n_ch, 4);
        if (!ch)
            return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': channel scales out of bounds", t,
                       name);
        for (uint32_t c = 0; c < n_ch; c++) {
            float s = get_f32(ch + 4 * c);
            if (!isfinite(s) || s < 0)
                return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': channel %u scale %g", t, name,
                           c, (double)s);
        }
    } else if (ch_off) {
        return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': stray channel scales", t, name);
    }
    const uint8_t *src = NULL;
    if (flags & 1u) {
        uint64_t esize = yq__dtype_size((enum yq__dtype)dtype), wsize = r->len[SEC_WEIGHTS];
        /* numel <= 2^40 and esize <= 8: the product cannot overflow */
        if (nbytes != numel * esize)
            return bad(r, YQ_STATUS_BAD_MODEL,
                       "tensor %u '%s': %llu bytes of data for %llu elements of %s", t, name,
                       (unsigned long long)nbytes, (unsigned long long)numel,
                       yq__dtype_name((enum yq__dtype)dtype));
        if (w_off % YQ_ALIGN || w_off > wsize || nbytes > wsize - w_off)
            return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': data out of bounds", t, name);
        r->w_used += nbytes;
        if (r->w_used > wsize)
            return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': weights overlap", t, name);
        src = sec(r, SEC_WEIGHTS) + w_off;
    } else if (w_off || nbytes) {
        return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u '%s': data on a non-constant", t, name);
    }
    if (yq__graph_find(g, name) >= 0)
        return bad(r, YQ_STATUS_BAD_MODEL, "tensor %u: duplicate name '%s'", t, name);

    /* Allocate everything before adding, so a failure leaves nothing half-owned. */
    float *scales = NULL;
    void *data = NULL;
    if (n_ch > 0) {
        scales = yq__malloc((size_t)n_ch * sizeof *scales);
        if (!scales) return oom(r);
        for (uint32_t c = 0; c < n_ch; c++)
            scales[c] = get_f32(ch + 4 * c);
    }
    if (src) {
        data = yq__aligned_alloc((size_t)nbytes);
        if (!data) {
            yq__free(scales);
            return oom(r);
        }
        if (nbytes) memcpy(data, src, (size_t)nbytes);
        swap_elems(data, (size_t)nbytes, yq__dtype_size((enum yq__dtype)dtype));
    }
    int idx = yq__graph_add_tensor(g, name, (enum yq__dtype)dtype, &shape);
    if (idx < 0) {
        yq__free(scales);
        yq__aligned_free(data);
        return oom(r);
    }
    struct yq__tensor *x = &g->tensors[idx];
    x->layout = (enum yq__layout)layout;
    x->data = data;
    x->nbytes = src ? (size_t)nbytes : 0;
    x->q.scale = scale;
    x->q.zero_point = zp;
    x->q.axis = axis;
    x->q.n_channels = (int)n_ch;
    x->q.channel_scales = scales;
    x->range_min = rmin;
    x->range_max = rmax;
    x->has_range = (flags & 2u) != 0;
    return YQ_STATUS_OK;
}

static enum yq_status read_attr(struct rd *r, struct yq__graph *g, int ni, uint32_t ai,
                                const uint8_t *rec)
{
    const char *nn = g->nodes[ni].name, *name;
    if (!get_str(r, rec, &name))
        return bad(r, YQ_STATUS_BAD_MODEL, "node %d '%s': attribute %u: bad name", ni, nn, ai);
    if (yq__node_attr(&g->nodes[ni], name))
        return bad(r, YQ_STATUS_BAD_MODEL, "node %d '%s': duplicate attribute '%s'", ni, nn, name);
    uint32_t kind = get_u32(rec + 8), n = get_u32(rec + 12);
    int64_t iv = get_i64(rec + 16);
    uint32_t fbits = get_u32(rec + 24), zero = get_u32(rec + 28);
    float fv = get_f32(rec + 24);
    uint64_t off = get_u64(rec + 32);
    bool ok = zero == 0 && (kind == 1 || iv == 0) && (kind == 2 || fbits == 0) &&
              n <= (uint32_t)INT32_MAX;
    if (ok && kind <= 2) ok = n == 0 && off == 0;
    if (!ok || kind < 1 || kind > 5)
        return bad(r, YQ_STATUS_BAD_MODEL, "node %d '%s': attribute '%s': bad record", ni, nn,
                   name);
    bool added = true;
    if (kind == 1) {
        added = yq__node_set_int(g, ni, name, iv);
    } else if (kind == 2) {
        added = yq__node_set_float(g, ni, name, fv);
    } else if (kind == 5) {
        const char *s;
        if (!get_str_at(r, off, n, &s))
            return bad(r, YQ_STATUS_BAD_MODEL, "node %d '%s': attribute '%s': bad string", ni, nn,
                       name);
        added = yq__node_set_string(g, ni, name, s, (int)n);
    } else {
        const uint8_t *p = get_arr(r, off, n, kind == 3 ? 8 : 4);
        if (!p)
            return bad(r, YQ_STATUS_BAD_MODEL, "node %d '%s': attribute '%s': out of bounds", ni,
                       nn, name);
        if (kind == 3) {
            int64_t *v = yq__malloc((size_t)(n ? n : 1) * sizeof *v);
            if (!v) return oom(r);
            for (uint32_t k = 0; k < n; k++)
                v[k] = get_i64(p + 8 * k);
            added = yq__node_set_ints(g, ni, name, v, (int)n);
            yq__free(v);
        } else {
            float *v = yq__malloc((size_t)(n ? n : 1) * sizeof *v);
            if (!v) return oom(r);
            for (uint32_t k = 0; k < n; k++)
                v[k] = get_f32(p + 4 * k);
            added = yq__node_set_floats(g, ni, name, v, (int)n);
            yq__free(v);
        }
    }
    return added ? YQ_STATUS_OK : oom(r);
}

static enum yq_status read_indices(struct rd *r, uint64_t off, uint32_t n, int lo, int n_t,
                                   int **out)
{
    const uint8_t *p = get_arr(r, off, n, 4);
    if (!p) return YQ_STATUS_BAD_MODEL;
    int *v = yq__malloc((size_t)(n ? n : 1) * sizeof *v);
    if (!v) return YQ_STATUS_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < n; i++) {
        v[i] = get_i32(p + 4 * i);
        if (v[i] < lo || v[i] >= n_t) {
            yq__free(v);
            return YQ_STATUS_BAD_MODEL;
        }
    }
    *out = v;
    return YQ_STATUS_OK;
}

static enum yq_status read_nodes(struct rd *r, struct yq__graph *g)
{
    uint32_t n_nodes, n_attrs;
    enum yq_status st = table(r, SEC_NODES, "nodes", NODE_REC, &n_nodes);
    if (!st) st = table(r, SEC_ATTRS, "attributes", ATTR_REC, &n_attrs);
    if (st) return st;
    uint32_t next_attr = 0;
    for (uint32_t ni = 0; ni < n_nodes; ni++) {
        const uint8_t *rec = sec(r, SEC_NODES) + 8 + (size_t)ni * NODE_REC;
        const char *name, *op_name;
        if (!get_str(r, rec, &name) || !get_str(r, rec + 8, &op_name))
            return bad(r, YQ_STATUS_BAD_MODEL, "node %u: bad name", ni);
        enum yq__op op = yq__op_from_name(op_name);
        if (op == YQ__OP_COUNT)
            return bad(r, YQ_STATUS_UNSUPPORTED,
                       "node %u '%s': unknown operator '%s' (not in this build)", ni, name,
                       op_name);
        uint32_t n_in = get_u32(rec + 16), n_out = get_u32(rec + 20);
        uint32_t first = get_u32(rec + 40), na = get_u32(rec + 44), flags = get_u32(rec + 60);
        enum yq__act_kind act;
        if (n_in > MAX_NODE_IO || n_out > MAX_NODE_IO || na > MAX_NODE_ATTRS ||
            first != next_attr || na > n_attrs - next_attr || (flags & ~3u) ||
            !act_from_code(get_u32(rec + 48), &act))
            return bad(r, YQ_STATUS_BAD_MODEL, "node %u '%s' (%s): bad record", ni, name, op_name);
        next_attr += na;
        int *in = NULL, *out = NULL;
        st = read_indices(r, get_u64(rec + 24), n_in, -1, g->n_tensors, &in);
        if (!st) st = read_indices(r, get_u64(rec + 32), n_out, -1, g->n_tensors, &out);
        if (st) {
            yq__free(in);
            return st == YQ_STATUS_OUT_OF_MEMORY
                       ? oom(r)
                       : bad(r, st, "node %u '%s' (%s): tensor index out of range", ni, name,
                             op_name);
        }
        int idx = yq__graph_add_node(g, name, op, (int)n_in, in, (int)n_out, out);
        yq__free(in);
        yq__free(out);
        if (idx < 0) return oom(r);
        struct yq__node *n = &g->nodes[idx];
        n->act.kind = act;
        n->act.alpha = get_f32(rec + 52);
        n->act.beta = get_f32(rec + 56);
        n->quantized = (flags & 1u) != 0;
        n->dead = (flags & 2u) != 0;
        for (uint32_t k = 0; k < na; k++) {
            const uint8_t *ar = sec(r, SEC_ATTRS) + 8 + (size_t)(first + k) * ATTR_REC;
            st = read_attr(r, g, idx, k, ar);
            if (st) return st;
        }
    }
    if (next_attr != n_attrs)
        return bad(r, YQ_STATUS_BAD_MODEL, "%u attributes belong to no node", n_attrs - next_attr);
    return YQ_STATUS_OK;
}

static enum yq_status read_graph_io(struct rd *r, struct yq__graph *g, bool keep_source)
{
    const uint8_t *p = sec(r, SEC_GRAPH);
    if (r->len[SEC_GRAPH] < GRAPH_HDR)
        return bad(r, YQ_STATUS_BAD_MODEL, "graph section truncated");
    const char *source;
    if (!get_str(r, p, &source)) return bad(r, YQ_STATUS_BAD_MODEL, "graph: bad source name");
    int32_t opset = get_i32(p + 8);
    uint32_t n_in = get_u32(p + 12), n_out = get_u32(p + 16);
    if (opset < 0 || get_u32(p + 20) != 0 || n_in > MAX_COUNT || n_out > MAX_COUNT ||
        (uint64_t)(n_in + n_out) * 4 != r->len[SEC_GRAPH] - GRAPH_HDR)
        return bad(r, YQ_STATUS_BAD_MODEL, "graph section: bad header");
    g->opset = opset;
    if (keep_source) {
        char *s = yq__strdup(source);
        if (!s) return oom(r);
        yq__free(g->source);
        g->source = s;
    }
    int *io[2] = {NULL, NULL};
    uint32_t cnt[2] = {n_in, n_out};
    for (int k = 0; k < 2; k++) {
        io[k] = yq__malloc((size_t)(cnt[k] ? cnt[k] : 1) * sizeof *io[k]);
        if (!io[k]) {
            yq__free(io[0]);
            return oom(r);
        }
        for (uint32_t i = 0; i < cnt[k]; i++) {
            int32_t t = get_i32(p + GRAPH_HDR + 4 * ((size_t)i + (k ? n_in : 0)));
            if (t < 0 || t >= g->n_tensors) {
                yq__free(io[0]);
                yq__free(io[1]);
                return bad(r, YQ_STATUS_BAD_MODEL, "graph %s %u: tensor index %d out of range",
                           k ? "output" : "input", i, (int)t);
            }
            io[k][i] = t;
        }
    }
    g->inputs = io[0];
    g->n_inputs = (int)n_in;
    g->outputs = io[1];
    g->n_outputs = (int)n_out;
    return YQ_STATUS_OK;
}

static enum yq_status read_meta(struct rd *r, struct yq__graph *g)
{
    uint32_t n;
    enum yq_status st = table(r, SEC_META, "metadata", META_REC, &n);
    if (st) return st;
    if (n > MAX_META)
        return bad(r, YQ_STATUS_BAD_MODEL, "%u metadata entries (at most %u)", n, MAX_META);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *rec = sec(r, SEC_META) + 8 + (size_t)i * META_REC;
        const char *key, *value;
        if (!get_str(r, rec, &key) || !get_str(r, rec + 8, &value))
            return bad(r, YQ_STATUS_BAD_MODEL, "metadata %u: bad string", i);
        if (yq__graph_meta(g, key))
            return bad(r, YQ_STATUS_BAD_MODEL, "metadata %u: duplicate key '%s'", i, key);
        if (!yq__graph_set_meta(g, key, value)) return oom(r);
    }
    return YQ_STATUS_OK;
}

enum yq_status yq__yqm_read_graph(const void *data, size_t size, const char *name,
                                  struct yq__graph **out, struct yq__err *e)
{
    struct rd r;
    memset(&r, 0, sizeof r);
    r.p = data;
    r.size = size;
    r.name = name ? name : "model";
    r.e = e;
    if (!out) return bad(&r, YQ_STATUS_INVALID_ARGUMENT, "NULL output");
    *out = NULL;
    if (!data && size) return bad(&r, YQ_STATUS_INVALID_ARGUMENT, "NULL data");
    enum yq_status st = read_header(&r);
    if (st) return st;
    struct yq__graph *g;
    if (yq__graph_create(r.name, &g)) return oom(&r);
    uint32_t n_t;
    st = table(&r, SEC_TENSORS, "tensors", TENSOR_REC, &n_t);
    for (uint32_t t = 0; !st && t < n_t; t++)
        st = read_tensor(&r, g, t, sec(&r, SEC_TENSORS) + 8 + (size_t)t * TENSOR_REC);
    if (!st) st = read_graph_io(&r, g, name == NULL);
    if (!st) st = read_nodes(&r, g);
    if (!st) st = read_meta(&r, g);
    if (!st) st = yq__graph_index(g, e);
    if (st) {
        yq__graph_free(g);
        return st;
    }
    *out = g;
    return YQ_STATUS_OK;
}

enum yq_status yq_model_load_memory(const void *data, size_t size, const char *name,
                                    const struct yq_model_options *o, struct yq_model **out,
                                    char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!out)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "%s: NULL output", name ? name : "model");
    *out = NULL;
    struct yq__graph *g;
    enum yq_status st = yq__yqm_load_any(data, size, name, o, &g, &e);
    if (st) return st;
    return yq__model_create(g, out, &e);
}

enum yq_status yq_model_load_file(const char *path, const struct yq_model_options *o,
                                  struct yq_model **out, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!out || !path)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "model path or output is NULL");
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return yq__errf(&e, YQ_STATUS_IO, "%s: cannot open (%s)", path, strerror(errno));
    enum yq_status st = YQ_STATUS_OK;
    uint8_t *buf = NULL;
    off_t end = -1;
    if (fseeko(f, 0, SEEK_END) == 0) end = ftello(f);
    if (end < 0 || fseeko(f, 0, SEEK_SET) != 0) {
        st = yq__errf(&e, YQ_STATUS_IO, "%s: cannot read (%s)", path, strerror(errno));
        goto done;
    }
    if ((uint64_t)end > YQ__YQM_MAX_SIZE || (uint64_t)end > SIZE_MAX) {
        st = yq__errf(&e, YQ_STATUS_BAD_MODEL, "%s: file too large (%lld bytes)", path,
                      (long long)end);
        goto done;
    }
    size_t size = (size_t)end;
    buf = yq__malloc(size ? size : 1);
    if (!buf) {
        st = yq__errf(&e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory reading %zu bytes", path,
                      size);
        goto done;
    }
    if (fread(buf, 1, size, f) != size) {
        st = yq__errf(&e, YQ_STATUS_IO, "%s: read error", path);
        goto done;
    }
    fclose(f);
    f = NULL;
    st = yq_model_load_memory(buf, size, path, o, out, err, err_cap);
done:
    if (f) fclose(f);
    yq__free(buf);
    return st;
}
