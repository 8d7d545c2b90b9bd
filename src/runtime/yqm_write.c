/* SPDX-License-Identifier: Apache-2.0 */
/* .yqm writer (layout drawn in yqm.h): the graph is checked first, so a file that the
 * strict reader would refuse is never written; then each section is built in its own
 * growable buffer and everything is assembled into one zeroed buffer, weights copied
 * straight from the tensors at 64-byte aligned offsets, and the checksum sealed last. */
#include "yqm.h"

#include <errno.h>
#include <math.h>
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

static bool host_le(void)
{
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static uint64_t le64(const uint8_t *p, bool le)
{
    uint64_t v;
    if (le) {
        memcpy(&v, p, 8);
        return v;
    }
    v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* One step, a bijection of h for a fixed w and of w for a fixed h: a change confined to
 * one word therefore always changes the result. */
static uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x100000001b3ull;
    return h ^ (h >> 32);
}

uint64_t yq__yqm_checksum(const void *data, size_t n)
{
    const uint8_t *p = data;
    bool le = host_le();
    uint64_t h[4] = {YQ__YQM_CHECKSUM_INIT, YQ__YQM_CHECKSUM_INIT + 1, YQ__YQM_CHECKSUM_INIT + 2,
                     YQ__YQM_CHECKSUM_INIT + 3};
    size_t i = 0;
    /* Four independent lanes keep the multiplier busy (several GB/s instead of FNV-1a's
     * byte-serial few hundred MB/s); word j goes to lane j % 4. */
    for (; i + 32 <= n; i += 32)
        for (int l = 0; l < 4; l++)
            h[l] = mix(h[l], le64(p + i + 8 * l, le));
    for (int l = 0; i < n; i += 8, l++) {
        uint8_t tail[8] = {0};
        memcpy(tail, p + i, n - i < 8 ? n - i : 8);
        h[l] = mix(h[l], le64(tail, true));
    }
    uint64_t r = YQ__YQM_CHECKSUM_INIT;
    for (int l = 0; l < 4; l++)
        r = mix(r, h[l]);
    return mix(r, (uint64_t)n);
}

struct buf {
    uint8_t *p;
    size_t n, cap;
    bool oom;
};

static void buf_put(struct buf *b, const void *d, size_t n)
{
    if (b->oom) return;
    if (n > b->cap - b->n) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->n < n) {
            if (cap > SIZE_MAX / 2) {
                b->oom = true;
                return;
            }
            cap *= 2;
        }
        void *p = yq__realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void put_u32(struct buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    buf_put(b, x, 4);
}

static void put_u64(struct buf *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void put_i32(struct buf *b, int32_t v)
{
    put_u32(b, (uint32_t)v);
}

static void put_f32(struct buf *b, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    put_u32(b, v);
}

static void buf_align(struct buf *b, size_t a)
{
    static const uint8_t zero[64];
    size_t pad = (a - b->n % a) % a;
    buf_put(b, zero, pad);
}

struct writer {
    struct buf s[SEC_COUNT - 1]; /* every section but WEIGHTS */
    uint64_t *w_off;             /* per tensor: offset of its bytes in WEIGHTS */
    uint64_t w_size;
};

/* A string ref: offset and length, the bytes followed by a NUL. Refs are never shared. */
static void put_str(struct writer *w, struct buf *dst, const char *s, size_t len)
{
    struct buf *str = &w->s[SEC_STRINGS];
    put_u32(dst, (uint32_t)str->n);
    put_u32(dst, (uint32_t)len);
    buf_put(str, s, len);
    buf_put(str, "", 1);
}

static uint64_t put_arr_i32(struct writer *w, const int *v, int n)
{
    struct buf *a = &w->s[SEC_ARRAYS];
    buf_align(a, 8);
    uint64_t off = a->n;
    for (int i = 0; i < n; i++)
        put_i32(a, v[i]);
    return off;
}

static uint64_t put_arr_i64(struct writer *w, const int64_t *v, int n)
{
    struct buf *a = &w->s[SEC_ARRAYS];
    buf_align(a, 8);
    uint64_t off = a->n;
    for (int i = 0; i < n; i++)
        put_u64(a, (uint64_t)v[i]);
    return off;
}

static uint64_t put_arr_f32(struct writer *w, const float *v, int n)
{
    struct buf *a = &w->s[SEC_ARRAYS];
    buf_align(a, 8);
    uint64_t off = a->n;
    for (int i = 0; i < n; i++)
        put_f32(a, v[i]);
    return off;
}

static uint32_t act_code(enum yq__act_kind k)
{
    switch (k) {
    case YQ__ACT_RELU:
        return 1;
    case YQ__ACT_LEAKY_RELU:
        return 2;
    case YQ__ACT_SIGMOID:
        return 3;
    case YQ__ACT_SILU:
        return 4;
    case YQ__ACT_HARD_SWISH:
        return 5;
    case YQ__ACT_CLIP:
        return 6;
    default:
        return 0;
    }
}

static uint32_t attr_code(enum yq__attr_kind k)
{
    switch (k) {
    case YQ__ATTR_INT:
        return 1;
    case YQ__ATTR_FLOAT:
        return 2;
    case YQ__ATTR_INTS:
        return 3;
    case YQ__ATTR_FLOATS:
        return 4;
    case YQ__ATTR_STRING:
        return 5;
    default:
        return 0;
    }
}

static size_t attr_str_len(const struct yq__attr *a)
{
    /* The IR keeps s NUL-terminated and n its length; never read past either. */
    return a->s && a->n > 0 ? strnlen(a->s, (size_t)a->n) : 0;
}

/* Everything the reader will insist on, checked here so a bad graph fails at build time
 * with a message naming the tensor or node rather than later on the board. */
static enum yq_status check_graph(const struct yq__graph *g, struct yq__err *e)
{
    const char *src = g->source ? g->source : "model";
    for (int t = 0; t < g->n_tensors; t++) {
        const struct yq__tensor *x = &g->tensors[t];
        const char *nm = x->name ? x->name : "?";
        if (!x->name || strlen(x->name) > UINT32_MAX)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: tensor %d has no name", src, t);
        if ((unsigned)x->dtype >= YQ__DTYPE_COUNT)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: tensor '%s': bad dtype %d", src, nm,
                            (int)x->dtype);
        if ((unsigned)x->layout > YQ__LAYOUT_NHWC)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: tensor '%s': bad layout %d", src,
                            nm, (int)x->layout);
        if (x->shape.rank < 0 || x->shape.rank > YQ__MAX_RANK)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: tensor '%s': rank %d", src, nm,
                            x->shape.rank);
        size_t numel = 1;
        for (int i = 0; i < x->shape.rank; i++) {
            if (x->shape.d[i] < 0 || (uint64_t)x->shape.d[i] > SIZE_MAX ||
                !yq__mul_size(numel, (size_t)x->shape.d[i], &numel))
                return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                                "%s: tensor '%s': dimension %d is %lld", src, nm, i,
                                (long long)x->shape.d[i]);
        }
        size_t bytes;
        if (x->data &&
            (!yq__mul_size(numel, yq__dtype_size(x->dtype), &bytes) || bytes != x->nbytes))
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                            "%s: tensor '%s': %zu bytes of data for %zu elements of %s", src, nm,
                            x->nbytes, numel, yq__dtype_name(x->dtype));
        if (x->q.n_channels < 0)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: tensor '%s': %d channel scales",
                            src, nm, x->q.n_channels);
        if (x->q.n_channels > 0 &&
            (!x->q.channel_scales || x->q.axis < 0 || x->q.axis >= x->shape.rank ||
             x->shape.d[x->q.axis] != x->q.n_channels))
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                            "%s: tensor '%s': %d channel scales do not match axis %d", src, nm,
                            x->q.n_channels, x->q.axis);
        if (!isfinite(x->q.scale) || x->q.scale < 0)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: tensor '%s': scale %g", src, nm,
                            (double)x->q.scale);
        for (int c = 0; c < x->q.n_channels; c++)
            if (!isfinite(x->q.channel_scales[c]) || x->q.channel_scales[c] < 0)
                return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                                "%s: tensor '%s': channel %d scale %g", src, nm, c,
                                (double)x->q.channel_scales[c]);
    }
    for (int ni = 0; ni < g->n_nodes; ni++) {
        const struct yq__node *n = &g->nodes[ni];
        const char *nm = n->name ? n->name : "";
        if ((unsigned)n->op >= YQ__OP_COUNT)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: node '%s': bad op %d", src, nm,
                            (int)n->op);
        if ((unsigned)n->act.kind >= YQ__ACT_COUNT)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: node '%s': bad activation %d", src,
                            nm, (int)n->act.kind);
        if (n->n_in < 0 || n->n_out < 0 || n->n_attrs < 0 || n->n_attrs > 256)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: node '%s': bad counts", src, nm);
        for (int j = 0; j < n->n_in + n->n_out; j++) {
            int t = j < n->n_in ? n->in[j] : n->out[j - n->n_in];
            if (t < -1 || t >= g->n_tensors)
                return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                                "%s: node '%s': tensor index %d out of range", src, nm, t);
        }
        for (int k = 0; k < n->n_attrs; k++) {
            const struct yq__attr *a = &n->attrs[k];
            if (!a->name || attr_code(a->kind) == 0 || a->n < 0 ||
                (a->kind == YQ__ATTR_INTS && a->n > 0 && !a->ints) ||
                (a->kind == YQ__ATTR_FLOATS && a->n > 0 && !a->floats))
                return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: node '%s': bad attribute %d",
                                src, nm, k);
        }
    }
    for (int i = 0; i < g->n_inputs + g->n_outputs; i++) {
        int t = i < g->n_inputs ? g->inputs[i] : g->outputs[i - g->n_inputs];
        if (t < 0 || t >= g->n_tensors)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT,
                            "%s: graph input/output index %d out of range", src, t);
    }
    for (int i = 0; i < g->n_meta; i++)
        if (!g->meta[i].key || !g->meta[i].value)
            return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: metadata entry %d is NULL", src, i);
    return YQ_STATUS_OK;
}

static void write_tensors(struct writer *w, const struct yq__graph *g)
{
    struct buf *b = &w->s[SEC_TENSORS];
    put_u32(b, (uint32_t)g->n_tensors);
    put_u32(b, 0);
    uint64_t woff = 0;
    for (int t = 0; t < g->n_tensors; t++) {
        const struct yq__tensor *x = &g->tensors[t];
        put_str(w, b, x->name, strlen(x->name));
        put_u32(b, (uint32_t)x->dtype);
        put_u32(b, (uint32_t)x->layout);
        put_u32(b, (uint32_t)x->shape.rank);
        put_u32(b, (x->data ? 1u : 0u) | (x->has_range ? 2u : 0u));
        for (int i = 0; i < YQ__MAX_RANK; i++)
            put_u64(b, i < x->shape.rank ? (uint64_t)x->shape.d[i] : 0);
        put_f32(b, x->q.scale);
        put_i32(b, x->q.zero_point);
        put_i32(b, x->q.axis);
        put_u32(b, (uint32_t)x->q.n_channels);
        put_u64(b, x->q.n_channels > 0 ? put_arr_f32(w, x->q.channel_scales, x->q.n_channels) : 0);
        put_f32(b, x->range_min);
        put_f32(b, x->range_max);
        if (x->data) {
            woff = (woff + YQ_ALIGN - 1) / YQ_ALIGN * YQ_ALIGN;
            w->w_off[t] = woff;
            put_u64(b, woff);
            put_u64(b, x->nbytes);
            woff += x->nbytes;
        } else {
            put_u64(b, 0);
            put_u64(b, 0);
        }
    }
    w->w_size = woff;
}

static void write_nodes(struct writer *w, const struct yq__graph *g)
{
    struct buf *b = &w->s[SEC_NODES], *ab = &w->s[SEC_ATTRS];
    uint32_t n_attrs = 0;
    for (int ni = 0; ni < g->n_nodes; ni++)
        n_attrs += (uint32_t)g->nodes[ni].n_attrs;
    put_u32(b, (uint32_t)g->n_nodes);
    put_u32(b, 0);
    put_u32(ab, n_attrs);
    put_u32(ab, 0);
    uint32_t first = 0;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        const struct yq__node *n = &g->nodes[ni];
        const char *nm = n->name ? n->name : "";
        const char *op = yq__op_name(n->op);
        put_str(w, b, nm, strlen(nm));
        put_str(w, b, op, strlen(op));
        put_u32(b, (uint32_t)n->n_in);
        put_u32(b, (uint32_t)n->n_out);
        put_u64(b, put_arr_i32(w, n->in, n->n_in));
        put_u64(b, put_arr_i32(w, n->out, n->n_out));
        put_u32(b, first);
        put_u32(b, (uint32_t)n->n_attrs);
        put_u32(b, act_code(n->act.kind));
        put_f32(b, n->act.alpha);
        put_f32(b, n->act.beta);
        put_u32(b, (n->quantized ? 1u : 0u) | (n->dead ? 2u : 0u));
        first += (uint32_t)n->n_attrs;
        for (int k = 0; k < n->n_attrs; k++) {
            const struct yq__attr *a = &n->attrs[k];
            put_str(w, ab, a->name, strlen(a->name));
            put_u32(ab, attr_code(a->kind));
            uint64_t data = 0;
            uint32_t cnt = 0;
            if (a->kind == YQ__ATTR_INTS) {
                cnt = (uint32_t)a->n;
                data = put_arr_i64(w, a->ints, a->n);
            } else if (a->kind == YQ__ATTR_FLOATS) {
                cnt = (uint32_t)a->n;
                data = put_arr_f32(w, a->floats, a->n);
            } else if (a->kind == YQ__ATTR_STRING) {
                size_t len = attr_str_len(a);
                cnt = (uint32_t)len;
                data = w->s[SEC_STRINGS].n;
                buf_put(&w->s[SEC_STRINGS], a->s ? a->s : "", len);
                buf_put(&w->s[SEC_STRINGS], "", 1);
            }
            put_u32(ab, cnt);
            put_u64(ab, a->kind == YQ__ATTR_INT ? (uint64_t)a->i : 0);
            put_f32(ab, a->kind == YQ__ATTR_FLOAT ? a->f : 0.0f);
            put_u32(ab, 0);
            put_u64(ab, data);
        }
    }
}

static void write_graph(struct writer *w, const struct yq__graph *g)
{
    struct buf *b = &w->s[SEC_GRAPH];
    const char *src = g->source ? g->source : "";
    put_str(w, b, src, strlen(src));
    put_i32(b, g->opset);
    put_u32(b, (uint32_t)g->n_inputs);
    put_u32(b, (uint32_t)g->n_outputs);
    put_u32(b, 0);
    for (int i = 0; i < g->n_inputs; i++)
        put_i32(b, g->inputs[i]);
    for (int i = 0; i < g->n_outputs; i++)
        put_i32(b, g->outputs[i]);

    struct buf *m = &w->s[SEC_META];
    put_u32(m, (uint32_t)g->n_meta);
    put_u32(m, 0);
    for (int i = 0; i < g->n_meta; i++) {
        put_str(w, m, g->meta[i].key, strlen(g->meta[i].key));
        put_str(w, m, g->meta[i].value, strlen(g->meta[i].value));
    }
}

/* Constants are stored little-endian; on a big-endian host swap each element in place. */
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

static void set_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void set_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

enum yq_status yq__yqm_write_memory(const struct yq__graph *g, void **data, size_t *size,
                                    struct yq__err *e)
{
    if (!data || !size) return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "yqm write: NULL output");
    *data = NULL;
    *size = 0;
    if (!g) return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "yqm write: NULL graph");
    const char *src = g->source ? g->source : "model";
    enum yq_status st = check_graph(g, e);
    if (st) return st;

    struct writer w;
    memset(&w, 0, sizeof w);
    uint8_t *out = NULL;
    w.w_off = yq__calloc((size_t)g->n_tensors + 1, sizeof *w.w_off);
    if (!w.w_off) goto oom;
    write_tensors(&w, g);
    write_nodes(&w, g);
    write_graph(&w, g);
    for (int s = 0; s < SEC_COUNT - 1; s++)
        if (w.s[s].oom) goto oom;
    if (w.s[SEC_STRINGS].n > UINT32_MAX) {
        st = yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: names and strings exceed 4 GiB", src);
        goto fail;
    }

    uint64_t off[SEC_COUNT], len[SEC_COUNT];
    uint64_t total = YQ__YQM_HEADER_SIZE;
    for (int s = 0; s < SEC_COUNT; s++) {
        len[s] = s == SEC_WEIGHTS ? w.w_size : w.s[s].n;
        off[s] = (total + YQ_ALIGN - 1) / YQ_ALIGN * YQ_ALIGN;
        total = off[s] + len[s];
        if (total > YQ__YQM_MAX_SIZE || total > SIZE_MAX) {
            st = yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "%s: model too large for .yqm", src);
            goto fail;
        }
    }
    out = yq__calloc(1, (size_t)total);
    if (!out) goto oom;
    memcpy(out, YQ__YQM_MAGIC, 4);
    set_u32(out + 4, YQ__YQM_VERSION);
    set_u32(out + 8, 0);
    set_u32(out + 12, SEC_COUNT);
    set_u64(out + 16, total);
    for (int s = 0; s < SEC_COUNT; s++) {
        set_u64(out + 64 + 16 * s, off[s]);
        set_u64(out + 64 + 16 * s + 8, len[s]);
        if (s != SEC_WEIGHTS && len[s]) memcpy(out + off[s], w.s[s].p, (size_t)len[s]);
    }
    for (int t = 0; t < g->n_tensors; t++) {
        const struct yq__tensor *x = &g->tensors[t];
        if (!x->data || !x->nbytes) continue;
        uint8_t *dst = out + off[SEC_WEIGHTS] + w.w_off[t];
        memcpy(dst, x->data, x->nbytes);
        swap_elems(dst, x->nbytes, yq__dtype_size(x->dtype));
    }
    set_u64(out + 24, yq__yqm_checksum(out + 32, (size_t)total - 32));
    *data = out;
    *size = (size_t)total;
    st = YQ_STATUS_OK;
    goto done;
oom:
    st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory writing .yqm", src);
fail:
    yq__free(out);
done:
    for (int s = 0; s < SEC_COUNT - 1; s++)
        yq__free(w.s[s].p);
    yq__free(w.w_off);
    return st;
}

enum yq_status yq__yqm_write(const struct yq__graph *g, const char *path, struct yq__err *e)
{
    if (!path) return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "yqm write: NULL path");
    void *data;
    size_t size;
    enum yq_status st = yq__yqm_write_memory(g, &data, &size, e);
    if (st) return st;
    st = yq__atomic_write(path, data, size, e);
    yq__free(data);
    return st;
}
