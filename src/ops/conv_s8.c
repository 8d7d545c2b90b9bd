/* SPDX-License-Identifier: Apache-2.0 */
/* int8 Conv (2D, NHWC) implementing the quantized-graph contract of quant/quantize.h on the
 * qs8 GEMM and depthwise kernels. Paths as in conv.c: 1x1 s1 unpadded (input rows are A),
 * depthwise (yq__qs8_dw), at most 4 input channels: a row gather (S8CONV_ROWS), otherwise
 * int8 im2col tiles (out-of-image taps = input zero point) then GEMM. Requantization, LUT activations and float output run in the kernels' epilogue;
 * the "float" activation mode gets float accumulators from the kernel into per-thread
 * scratch, applies the activation and quantizes here. */
#include <math.h>

#include "ops/s8_util.h"

/* S8CONV_ROWS: few input channels (the stem, C = 3) and no dilation in x. Per output row
 * the kh input rows are gathered into B[x][ky][c] over the padded width (x in groups of g
 * columns, see rows_group: B[x/g][ky][x%g][c]), so with k ordered (kx/g, ky, kx%g, c) the A
 * row of output pixel ox is the kw*kh*C contiguous bytes at B + ox*sw*kh*C: the GEMM reads
 * overlapping rows of B (lda = sw*kh*C). B is kw/sw times smaller than the im2col rows and
 * stays in L1, and is built with one store per g*C bytes instead of one per 16. Integer sums
 * do not depend on the k order, so the results are exactly those of im2col. */
enum s8conv_kind { S8CONV_1X1, S8CONV_DW, S8CONV_IM2COL, S8CONV_ROWS };
/* bounds of S8CONV_ROWS: channels (a group's taps in one 8-byte copy), kernel height,
 * bytes of B */
#define ROWS_MAX_C 4
#define ROWS_MAX_KH 16
#define ROWS_MAX_B ((size_t)1 << 20)

/* Bytes of an im2col tile, as in conv.c (int8 rows are 4x shorter, so more rows fit). */
#define TILE_BYTES (128 * 1024)
/* Bounds of the qs8 kernels (kernels.h): keep every partial sum within int32. */
#define MAX_K 16384
#define MAX_BIAS (1 << 29)
/* The GEMM kernels read up to 64 bytes past the end of a row of A. */
#define A_SLACK 64
/* A GEMM conv with less work runs on the calling thread (the small 20x20 and 40x40 layers):
 * it takes tens of microseconds, about what waking the pool costs. Work counts the
 * multiply-adds plus 64 per output for the epilogue (requantize, LUT, store), which
 * dominates the layers with few input channels. */
#define SPLIT_WORK ((int64_t)1 << 24)
#define OUT_WORK 64

/* Columns of B per group (S8CONV_ROWS): the stride when it divides the kernel width and a
 * group's taps fit one 8-byte copy, so the stem (stride 2, C = 3) copies 6 bytes a store. */
static int rows_group(const struct yq__win2d *wn, int c)
{
    return wn->kw % wn->sw == 0 && wn->sw * c <= 8 ? wn->sw : 1;
}

struct s8conv_state {
    enum s8conv_kind kind;
    struct yq__win2d win;
    int n, h, w, c, m, group, cg, mg, k;
    int tile;             /* max GEMM rows per task (scratch capacity) */
    size_t packed_stride; /* bytes per group's packed weights */
    size_t ftile_off;     /* scratch offset of the float tile (float activation mode) */
    bool out_f32;         /* F32 output: the kernel writes act(acc * s_in*s_w) itself */
    bool float_act;       /* S8 output, "float" mode: float tile, act, quantize here */
    struct yq__act act;   /* float_act only */
    float out_scale;
    int32_t out_zp;
    int8_t a_zp;
    struct yq__qs8_epilogue ep; /* points into this state */
    struct yq__dw_shape dws;    /* one image, whole output */
    char *packed;
};

static bool qparams_ok(const struct yq__quant *q)
{
    return q->scale > 0.0f && isfinite(q->scale) && q->zero_point >= -128 &&
           q->zero_point <= 127 && q->n_channels == 0;
}

struct s8conv_dims {
    int64_t n, h, w, c, m, group;
};

/* Shared by infer and prepare: validates dtypes, shapes and attributes, fills geometry. */
static enum yq_status s8conv_check(const struct yq__graph *g, int node, struct s8conv_dims *d,
                                   struct yq__win2d *win, struct yq__err *e)
{
    enum yq_status st = yq__ops_check_io(g, node, 2, 3, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0), *wt = yq__ops_in(g, node, 1),
                            *b = yq__ops_in(g, node, 2);
    char s1[YQ__SHAPE_BUF], s2[YQ__SHAPE_BUF];
    if (!yq__ops_is_nhwc(x) || x->dtype != YQ__DTYPE_S8)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "int8 input '%s' must be S8 NHWC rank 4 (got %s %s)", x->name,
                            yq__dtype_name(x->dtype), yq__ops_sh(&x->shape, s1));
    if (wt->shape.rank != 4 || wt->dtype != YQ__DTYPE_S8 || yq__ops_is_nhwc(wt))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "int8 weight '%s' must be S8 [M,C/group,kh,kw] (got %s %s)",
                            wt->name, yq__dtype_name(wt->dtype), yq__ops_sh(&wt->shape, s1));
    if (!wt->data)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "int8 weight '%s' must be a constant", wt->name);
    d->n = x->shape.d[0];
    d->h = x->shape.d[1];
    d->w = x->shape.d[2];
    d->c = x->shape.d[3];
    d->m = wt->shape.d[0];
    d->group = yq__attr_int(&g->nodes[node], "group", 1);
    if (d->group < 1 || d->group > d->c || d->c % d->group != 0 || d->m % d->group != 0)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "group %lld does not divide %lld input and %lld output channels",
                            (long long)d->group, (long long)d->c, (long long)d->m);
    if (wt->shape.d[1] * d->group != d->c || d->m < 1)
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "weight shape %s does not match %lld input channels (group %lld)",
                            yq__ops_sh(&wt->shape, s1), (long long)d->c, (long long)d->group);
    int cnt = 0;
    const int64_t *ks = yq__attr_ints(&g->nodes[node], "kernel_shape", &cnt);
    if (ks && (cnt != 2 || ks[0] != wt->shape.d[2] || ks[1] != wt->shape.d[3]))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "kernel_shape does not match weight shape %s",
                            yq__ops_sh(&wt->shape, s1));
    if (b && (b->shape.rank != 1 || b->shape.d[0] != d->m || b->dtype != YQ__DTYPE_S32))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "int8 bias '%s' must be S32 [%lld] (got %s %s)", b->name,
                            (long long)d->m, yq__dtype_name(b->dtype), yq__ops_sh(&b->shape, s2));
    if (b && !b->data)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "int8 bias '%s' must be a constant", b->name);
    if (d->h > INT32_MAX || d->w > INT32_MAX || d->c > INT32_MAX || d->m > INT32_MAX ||
        wt->shape.d[2] > 65536 || wt->shape.d[3] > 65536)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "dimensions too large");
    return yq__ops_win2d(g, node, d->h, d->w, (int)wt->shape.d[2], (int)wt->shape.d[3], false,
                         win, e);
}

static enum yq_status s8conv_infer(struct yq__graph *g, int node, struct yq__err *e)
{
    struct s8conv_dims d;
    struct yq__win2d win;
    enum yq_status st = s8conv_check(g, node, &d, &win, e);
    if (st)
        return st;
    struct yq__shape s = {4, {d.n, win.oh, win.ow, d.m}};
    /* the quantize pass chooses S8 or F32 (a head kept in float); anything else is S8 */
    const struct yq__tensor *y = &g->tensors[g->nodes[node].out[0]];
    enum yq__dtype dt = y->dtype == YQ__DTYPE_F32 ? YQ__DTYPE_F32 : YQ__DTYPE_S8;
    yq__ops_set_out(g, node, 0, dt, &s, YQ__LAYOUT_NHWC);
    return YQ_STATUS_OK;
}

/* Requantization multipliers and the LUT: fills st->ep and the arrays behind it. */
static enum yq_status s8conv_epilogue(const struct yq__graph *g, int node,
                                      struct s8conv_state *cs, float *mult, int8_t *lut,
                                      struct yq__err *e)
{
    const struct yq__node *nd = &g->nodes[node];
    const struct yq__tensor *x = yq__ops_in(g, node, 0), *wt = yq__ops_in(g, node, 1),
                            *y = &g->tensors[g->nodes[node].out[0]];
    const struct yq__quant *wq = &wt->q;
    bool per_channel = wq->n_channels > 0;
    if (wq->zero_point != 0 ||
        (per_channel && (wq->n_channels != cs->m || wq->axis != 0 || !wq->channel_scales)) ||
        (!per_channel && !(wq->scale > 0.0f && isfinite(wq->scale))))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "int8 weight '%s' needs zero point 0 and one scale or %d "
                            "per-channel scales on axis 0",
                            wt->name, cs->m);
    cs->act = nd->act;
    /* divisor of s_in*s_w[j]: 1 (float accumulators), s_out or the pre-activation scale */
    double div = 1.0;
    int32_t zp = 0;
    bool lut_mode = false;
    if (!cs->out_f32) {
        if (!qparams_ok(&y->q))
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                "int8 output '%s' has invalid scale %g / zero point %d",
                                y->name, (double)y->q.scale, (int)y->q.zero_point);
        cs->out_scale = y->q.scale;
        cs->out_zp = y->q.zero_point;
        if (nd->act.kind == YQ__ACT_NONE) {
            div = y->q.scale;
            zp = y->q.zero_point;
        } else {
            const char *mode = yq__attr_string(nd, "yq.act_mode", "lut");
            if (strcmp(mode, "float") == 0) {
                cs->float_act = true;
            } else if (strcmp(mode, "lut") == 0) {
                float ps = yq__attr_float(nd, "yq.pre_scale", 0.0f);
                int64_t pz = yq__attr_int(nd, "yq.pre_zero_point", INT64_MIN);
                if (!(ps > 0.0f && isfinite(ps)) || pz < -128 || pz > 127)
                    return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                        "LUT activation needs yq.pre_scale > 0 and "
                                        "yq.pre_zero_point in [-128, 127]");
                div = ps;
                zp = (int32_t)pz;
                lut_mode = true;
            } else {
                return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                    "unknown yq.act_mode '%s' (expected lut or float)", mode);
            }
        }
    }
    for (int j = 0; j < cs->m; j++) {
        float sw = per_channel ? wq->channel_scales[j] : wq->scale;
        double v = (double)x->q.scale * (double)sw / div;
        mult[j] = (float)v;
        if (!(sw > 0.0f) || !(mult[j] > 0.0f) || !isfinite(mult[j]))
            return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                                "channel %d: requantization scale %g is not a positive finite "
                                "float (weight scale %g)",
                                j, v, (double)sw);
    }
    memset(&cs->ep, 0, sizeof cs->ep);
    if (cs->out_f32 || cs->float_act) {
        cs->ep.fscale = mult;
        if (cs->out_f32)
            cs->ep.act = nd->act;
        return YQ_STATUS_OK;
    }
    cs->ep.scale = mult;
    cs->ep.out_zp = zp;
    cs->ep.out_min = -128;
    cs->ep.out_max = 127;
    if (lut_mode) {
        /* lut[c] = quantize_out(act((c - pre_zp) * pre_scale)) */
        float v[256];
        /* yq__act_ref, not the ISA-dispatched yq__f32_act: the table must come out the
         * same on every CPU so int8 models give the same codes everywhere */
        for (int c = -128; c < 128; c++)
            v[c + 128] = yq__act_ref((float)(c - zp) * (float)div, &nd->act);
        int8_t q[256];
        yq__s8_quantize_row(v, q, 256, cs->out_scale, cs->out_zp);
        for (int c = -128; c < 128; c++)
            lut[(uint8_t)(int8_t)c] = q[c + 128];
        cs->ep.lut = lut;
    }
    return YQ_STATUS_OK;
}

static enum yq_status s8conv_prepare(const struct yq__graph *g, int node, void **state,
                                     size_t *scratch_bytes, struct yq__err *e)
{
    struct s8conv_dims d;
    struct yq__win2d win;
    *state = NULL;
    *scratch_bytes = 0;
    enum yq_status st = s8conv_check(g, node, &d, &win, e);
    if (st)
        return st;
    const struct yq__tensor *x = yq__ops_in(g, node, 0), *wt = yq__ops_in(g, node, 1),
                            *bt = yq__ops_in(g, node, 2), *y = &g->tensors[g->nodes[node].out[0]];
    if (!qparams_ok(&x->q))
        return yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL,
                            "int8 input '%s' has invalid scale %g / zero point %d", x->name,
                            (double)x->q.scale, (int)x->q.zero_point);
    if (y->dtype != YQ__DTYPE_S8 && y->dtype != YQ__DTYPE_F32)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "output '%s' must be S8 or F32",
                            y->name);
    if (d.n * win.oh * win.ow > INT32_MAX || d.n * d.h * d.w > INT32_MAX)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "too many pixels");
    int cg = (int)(d.c / d.group), mg = (int)(d.m / d.group);
    int64_t k64 = (int64_t)win.kh * win.kw * cg;
    if (k64 > MAX_K)
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                            "int8 kernel too large (k = kh*kw*C/group = %lld > %d)",
                            (long long)k64, MAX_K);
    const int32_t *bias = bt ? bt->data : NULL;
    for (int64_t j = 0; bias && j < d.m; j++)
        if (bias[j] > MAX_BIAS || bias[j] < -MAX_BIAS)
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED,
                                "int8 bias '%s'[%lld] = %ld exceeds 2^29", bt->name,
                                (long long)j, (long)bias[j]);
    int k = (int)k64;
    bool out_f32 = y->dtype == YQ__DTYPE_F32;
    bool float_act = !out_f32 && g->nodes[node].act.kind != YQ__ACT_NONE &&
                     strcmp(yq__attr_string(&g->nodes[node], "yq.act_mode", "lut"), "float") == 0;

    enum s8conv_kind kind = S8CONV_IM2COL;
    if (win.kh == 1 && win.kw == 1 && win.sh == 1 && win.sw == 1 && !win.pt && !win.pl &&
        !win.pb && !win.pr)
        kind = S8CONV_1X1;
    else if (d.group == d.c && d.m == d.c && win.kh <= 7 && win.kw <= 7 && win.dh == 1 &&
             win.dw == 1 && win.oh > 0 && win.ow > 0 &&
             /* float mode runs the kernel one row at a time on a rebased input, which needs
              * an in-image input row for every output row */
             (!float_act || (win.oh - 1) * win.sh - win.pt <= d.h - 1))
        kind = S8CONV_DW;

    size_t b_bytes = 0; /* S8CONV_ROWS: bytes of B */
    if (kind == S8CONV_IM2COL && d.group == 1 && win.dw == 1 && d.c <= ROWS_MAX_C &&
        win.kh <= ROWS_MAX_KH && !float_act && win.ow > 0 && win.ow <= (int64_t)ROWS_MAX_B &&
        win.sw <= (int64_t)ROWS_MAX_B) {
        b_bytes = ((size_t)(win.ow - 1) * (size_t)win.sw + (size_t)win.kw) * (size_t)win.kh *
                  (size_t)d.c;
        if (b_bytes <= ROWS_MAX_B)
            kind = S8CONV_ROWS;
    }

    size_t hdr = (sizeof(struct s8conv_state) + 63) / 64 * 64;
    size_t mult_off = hdr, lut_off = mult_off + ((size_t)d.m * sizeof(float) + 63) / 64 * 64;
    size_t packed_off = lut_off + 256, total = packed_off, pstride = 0, pbytes = 0;
    if (kind == S8CONV_DW) {
        pbytes = yq__qs8_dw_packed_size(win.kh, win.kw, (int)d.c);
    } else {
        pstride = (yq__qs8_gemm_packed_size(k, mg) + 63) / 64 * 64;
        if (!yq__mul_size(pstride, (size_t)d.group, &pbytes))
            return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "weights too large");
    }
    if (!yq__add_size(total, pbytes, &total))
        return yq__node_err(g, node, e, YQ_STATUS_UNSUPPORTED, "weights too large");
    st = yq__ops_state_alloc(g, node, total, state, e);
    if (st)
        return st;
    struct s8conv_state *cs = *state;
    cs->kind = kind;
    cs->win = win;
    cs->n = (int)d.n;
    cs->h = (int)d.h;
    cs->w = (int)d.w;
    cs->c = (int)d.c;
    cs->m = (int)d.m;
    cs->group = (int)d.group;
    cs->cg = cg;
    cs->mg = mg;
    cs->k = k;
    cs->out_f32 = out_f32;
    cs->a_zp = (int8_t)x->q.zero_point;
    cs->packed_stride = pstride;
    cs->packed = (char *)cs + packed_off;
    st = s8conv_epilogue(g, node, cs, (float *)((char *)cs + mult_off),
                         (int8_t *)((char *)cs + lut_off), e);
    if (st)
        goto fail;
    if (cs->float_act != float_act) {
        st = yq__node_err(g, node, e, YQ_STATUS_BAD_MODEL, "inconsistent activation mode");
        goto fail;
    }

    const int8_t *w = wt->data;
    const int khw = win.kh * win.kw;
    if (kind == S8CONV_DW) {
        /* the depthwise kernels take w[ky][kx][c]; ONNX gives [c][1][kh][kw] */
        int8_t *tmp = yq__malloc((size_t)khw * (size_t)cs->c);
        if (!tmp) {
            st = yq__node_err(g, node, e, YQ_STATUS_OUT_OF_MEMORY, "out of memory packing weights");
            goto fail;
        }
        for (int ch = 0; ch < cs->c; ch++)
            for (int t = 0; t < khw; t++)
                tmp[(size_t)t * cs->c + ch] = w[(size_t)ch * khw + t];
        yq__qs8_dw_pack(win.kh, win.kw, cs->c, tmp, bias, x->q.zero_point, cs->packed);
        yq__free(tmp);
        cs->dws = (struct yq__dw_shape){cs->h,  cs->w,  cs->c,  win.kh,      win.kw,     win.sh,
                                        win.sw, win.pt, win.pl, (int)win.oh, (int)win.ow};
        if (float_act)
            *scratch_bytes = (size_t)win.ow * (size_t)cs->c * sizeof(float);
        return YQ_STATUS_OK;
    }

    int8_t *tmp = yq__malloc((size_t)k * (size_t)mg);
    if (!tmp) {
        st = yq__node_err(g, node, e, YQ_STATUS_OUT_OF_MEMORY, "out of memory packing weights");
        goto fail;
    }
    for (int gi = 0; gi < cs->group; gi++) {
        /* W[j][(ky*KW+kx)*Cg + ci] = weight[gi*Mg + j][ci][ky][kx]: OHWI, an NHWC im2col row;
         * S8CONV_ROWS orders k as (kx, ky, ci) instead */
        for (int j = 0; j < mg; j++) {
            const int8_t *wj = w + (size_t)(gi * mg + j) * (size_t)cg * khw;
            int8_t *dst = tmp + (size_t)j * k;
            for (int ci = 0; ci < cg; ci++)
                for (int t = 0; t < khw; t++) {
                    /* (kx / g, ky, kx % g) for S8CONV_ROWS, g = rows_group */
                    int kx = t % win.kw, ky = t / win.kw, gw = rows_group(&win, cg);
                    int kk = kind == S8CONV_ROWS ? ((kx / gw) * win.kh + ky) * gw + kx % gw : t;
                    dst[(size_t)kk * cg + ci] = wj[(size_t)ci * khw + t];
                }
        }
        yq__qs8_gemm_pack(k, mg, tmp, bias ? bias + (size_t)gi * mg : NULL, x->q.zero_point,
                          cs->packed + (size_t)gi * pstride);
    }
    yq__free(tmp);

    size_t rows = 256, a_bytes = 0;
    if (kind == S8CONV_IM2COL) {
        rows = TILE_BYTES / (size_t)k;
        rows = rows < 16 ? 16 : (rows > 512 ? 512 : rows / 8 * 8);
    }
    if (float_act) {
        /* keep the float tile near L2 size too */
        size_t fr = (size_t)(256 * 1024) / ((size_t)mg * sizeof(float));
        fr = fr < 8 ? 8 : fr / 8 * 8;
        rows = rows < fr ? rows : fr;
    }
    cs->tile = (int)rows;
    if (kind == S8CONV_IM2COL)
        a_bytes = (rows * (size_t)k + A_SLACK + 63) / 64 * 64;
    if (kind == S8CONV_ROWS)
        a_bytes = (b_bytes + A_SLACK + 63) / 64 * 64;
    cs->ftile_off = a_bytes;
    *scratch_bytes = a_bytes + (float_act ? rows * (size_t)mg * sizeof(float) : 0);
    return YQ_STATUS_OK;
fail:
    yq__ops_state_free(*state);
    *state = NULL;
    return st;
}

struct s8conv_ctx {
    const struct s8conv_state *s;
    const int8_t *in;
    char *out; /* int8 or float elements */
    size_t esize;
    const struct yq__exec *x;
    int64_t npix; /* n * oh * ow, or n * oh for depthwise */
    int64_t rows_per_task;
};

/* count spans of len bytes from src (stride ss) to dst (stride ds): the im2col rows of one
 * ky across the interior pixels of an output row. len is fixed across the loop, so its
 * block copies are chosen once (the stem's 6x6 taps over 3 channels are 18 bytes). */
static void copy_spans(int8_t *restrict dst, size_t ds, const int8_t *restrict src, size_t ss,
                       size_t len, int count)
{
    if (len >= 16 && len <= 32) {
        for (int i = 0; i < count; i++, dst += ds, src += ss) {
            memcpy(dst, src, 16);
            memcpy(dst + len - 16, src + len - 16, 16);
        }
    } else if (len >= 8 && len < 16) {
        for (int i = 0; i < count; i++, dst += ds, src += ss) {
            memcpy(dst, src, 8);
            memcpy(dst + len - 8, src + len - 8, 8);
        }
    } else {
        for (int i = 0; i < count; i++, dst += ds, src += ss)
            yq__s8_copy(dst, src, len);
    }
}

/* The im2col row of one pixel, any tap in or out of the image. */
static void im2col_pixel(const struct s8conv_state *s, const int8_t *img, int iy0, int ix0,
                         int8_t *dst)
{
    const struct yq__win2d *wn = &s->win;
    const size_t cg = (size_t)s->cg, c = (size_t)s->c, span_bytes = (size_t)wn->kw * cg;
    const bool inside = s->group == 1 && wn->dw == 1 && ix0 >= 0 && ix0 + wn->kw <= s->w;
    for (int ky = 0; ky < wn->kh; ky++, dst += span_bytes) {
        int iy = iy0 + ky * wn->dh;
        if (iy < 0 || iy >= s->h) {
            memset(dst, s->a_zp, span_bytes);
            continue;
        }
        const int8_t *row = img + (size_t)iy * s->w * c;
        if (inside) {
            yq__s8_copy(dst, row + (size_t)ix0 * c, span_bytes);
            continue;
        }
        for (int kx = 0; kx < wn->kw; kx++) {
            int ix = ix0 + kx * wn->dw;
            int8_t *dd = dst + (size_t)kx * cg;
            if (ix < 0 || ix >= s->w)
                memset(dd, s->a_zp, cg);
            else
                yq__s8_copy(dd, row + (size_t)ix * c, cg);
        }
    }
}

/* Fills rows [p0, p1) of the int8 im2col matrix for group gi (out-of-image taps hold the
 * input zero point, so they add nothing after the kernel subtracts it). Work goes by output
 * row segments: (n, oy, ox) are stepped, not divided out per pixel, and the pixels whose
 * columns are all inside the image (all but a border, when the taps of a ky are kw*C
 * contiguous bytes) are filled one ky at a time with fixed-length strided copies. */
static void im2col_s8(const struct s8conv_state *s, const int8_t *in, int gi, int64_t p0,
                      int64_t p1, int8_t *a)
{
    const struct yq__win2d *wn = &s->win;
    const int64_t ohw = wn->oh * wn->ow;
    const int ow = (int)wn->ow, oh = (int)wn->oh;
    const size_t k = (size_t)s->k, c = (size_t)s->c, span_bytes = (size_t)wn->kw * s->cg;
    const size_t row_bytes = (size_t)s->w * c;
    /* interior columns [xa, xb): ox*sw - pl >= 0 and ox*sw - pl + kw <= w */
    int xa = ow, xb = ow;
    if (s->group == 1 && wn->dw == 1 && s->w >= wn->kw) {
        xa = (wn->pl + wn->sw - 1) / wn->sw;
        xb = (s->w - wn->kw + wn->pl) / wn->sw + 1;
        xb = xb > ow ? ow : xb;
        xa = xa > xb ? xb : xa;
    }
    int n = (int)(p0 / ohw);
    int oy = (int)(p0 % ohw / ow), ox = (int)(p0 % ohw % ow);
    for (int64_t p = p0; p < p1;) {
        const int8_t *img = in + (size_t)n * s->h * row_bytes + (size_t)gi * s->cg;
        const int iy0 = oy * wn->sh - wn->pt;
        const int ox1 = (int)YQ_MIN((int64_t)ow, ox + (p1 - p));
        p += ox1 - ox;
        /* left border, interior, right border of [ox, ox1) */
        int ia = ox > xa ? ox : xa, ib = ox1 < xb ? ox1 : xb;
        if (ib < ia) ia = ib = ox1;
        for (; ox < ia; ox++, a += k)
            im2col_pixel(s, img, iy0, ox * wn->sw - wn->pl, a);
        if (ib > ia) {
            int cnt = ib - ia;
            for (int ky = 0; ky < wn->kh; ky++) {
                int iy = iy0 + ky * wn->dh;
                int8_t *d = a + (size_t)ky * span_bytes;
                if (iy < 0 || iy >= s->h) {
                    for (int i = 0; i < cnt; i++)
                        memset(d + (size_t)i * k, s->a_zp, span_bytes);
                } else {
                    const int8_t *src =
                        img + (size_t)iy * row_bytes + (size_t)(ia * wn->sw - wn->pl) * c;
                    copy_spans(d, k, src, (size_t)wn->sw * c, span_bytes, cnt);
                }
            }
            a += (size_t)cnt * k;
            ox = ib;
        }
        for (; ox < ox1; ox++, a += k)
            im2col_pixel(s, img, iy0, ox * wn->sw - wn->pl, a);
        ox = 0;
        if (++oy == oh) {
            oy = 0;
            n++;
        }
    }
}

/* cnt groups of B from the kh row pointers rp (at the first group), 8 bytes per tap copy:
 * the bytes past a group's gc belong to the next tap or group, written after it. Inlined
 * with a constant kh so the pointers stay in registers. */
static inline __attribute__((always_inline)) void
gather8(int8_t *d, const int8_t *const *rp, size_t gc, int kh, int cnt)
{
    for (int i = 0; i < cnt; i++) {
        size_t off = (size_t)i * gc;
        for (int ky = 0; ky < kh; ky++, d += gc)
            memcpy(d, rp[ky] + off, 8);
    }
}

/* Group xg of B with taps outside the image, column by column, exact bytes. */
static void gather_border(const struct s8conv_state *s, const int8_t *const *rp, int xg,
                          int8_t *b)
{
    const struct yq__win2d *wn = &s->win;
    const int kh = wn->kh, g = rows_group(wn, s->c);
    const size_t c = (size_t)s->c, gc = (size_t)g * c;
    int8_t *d = b + (size_t)xg * kh * gc;
    for (int ky = 0; ky < kh; ky++) {
        for (int j = 0; j < g; j++, d += c) {
            int x = xg * g + j - wn->pl;
            if (!rp[ky] || x < 0 || x >= s->w)
                memset(d, s->a_zp, c);
            else
                memcpy(d, rp[ky] + (size_t)x * c, c);
        }
    }
}

/* B[x / g][ky][x % g][c] of the output row whose taps start at input row iy0 (S8CONV_ROWS,
 * g = rows_group); x runs over the padded width, out-of-image taps hold the input zero
 * point. Writes up to 7 bytes past B (the caller's slack). */
static void gather_rows(const struct s8conv_state *s, const int8_t *img, const int8_t *in_end,
                        int iy0, int8_t *b)
{
    const struct yq__win2d *wn = &s->win;
    const int kh = wn->kh, g = rows_group(wn, s->c);
    const size_t c = (size_t)s->c, gc = (size_t)g * c, gs = (size_t)kh * gc;
    const int ng = ((int)(wn->ow - 1) * wn->sw + wn->kw) / g;
    /* groups wholly inside the image [ga, ge): x = group*g - pl, x >= 0 and x + g <= w */
    int ga = (wn->pl + g - 1) / g, ge = (s->w + wn->pl) / g;
    ga = ga < ng ? ga : ng;
    ge = ge < ng ? ge : ng;
    ge = ge < ga ? ga : ge;
    const int8_t *rp[ROWS_MAX_KH];
    bool fast = true;
    for (int ky = 0; ky < kh; ky++) {
        int iy = iy0 + ky * wn->dh;
        rp[ky] = iy < 0 || iy >= s->h ? NULL : img + (size_t)iy * s->w * c;
        /* the 8-byte read of the last group stays inside the input */
        fast = fast && rp[ky] &&
               (size_t)(in_end - rp[ky]) >= ((size_t)(ge - 1) * g - (size_t)wn->pl) * c + 8;
    }
    for (int xg = 0; xg < ga; xg++)
        gather_border(s, rp, xg, b);
    int8_t *d = b + (size_t)ga * gs;
    if (fast && ge > ga) {
        const int8_t *p[ROWS_MAX_KH];
        for (int ky = 0; ky < kh; ky++)
            p[ky] = rp[ky] + ((size_t)ga * g - (size_t)wn->pl) * c;
        if (kh == 6)
            gather8(d, p, gc, 6, ge - ga); /* the stem */
        else
            gather8(d, p, gc, kh, ge - ga);
    } else {
        for (int xg = ga; xg < ge; xg++) {
            size_t off = ((size_t)xg * g - (size_t)wn->pl) * c;
            for (int ky = 0; ky < kh; ky++, d += gc) {
                if (!rp[ky])
                    memset(d, s->a_zp, gc);
                else if ((size_t)(in_end - (rp[ky] + off)) >= 8)
                    memcpy(d, rp[ky] + off, 8);
                else
                    memcpy(d, rp[ky] + off, gc);
            }
        }
    }
    /* after the interior: its copies spill into the first group here */
    for (int xg = ge; xg < ng; xg++)
        gather_border(s, rp, xg, b);
}

static void task_rows(void *ctx, size_t task, int worker)
{
    const struct s8conv_ctx *c = ctx;
    const struct s8conv_state *s = c->s;
    const struct yq__win2d *wn = &s->win;
    const int oh = (int)wn->oh, ow = (int)wn->ow;
    int64_t r0 = (int64_t)task * c->rows_per_task;
    int64_t r1 = YQ_MIN(r0 + c->rows_per_task, c->npix);
    const size_t img_bytes = (size_t)s->h * s->w * s->c;
    const size_t b_bytes = ((size_t)(ow - 1) * wn->sw + wn->kw) * (size_t)wn->kh * s->c;
    const int8_t *in_end = c->in + (size_t)s->n * img_bytes;
    int8_t *b = yq__exec_scratch(c->x, worker);
    for (int64_t r = r0; r < r1; r++) {
        int img = (int)(r / oh), oy = (int)(r % oh);
        gather_rows(s, c->in + (size_t)img * img_bytes, in_end, oy * wn->sh - wn->pt, b);
        /* kernels read past the last row (times zero weight padding): keep the bytes
         * defined so sanitizers stay quiet */
        memset(b + b_bytes, 0, A_SLACK);
        char *o = c->out + (size_t)r * ow * s->m * c->esize;
        yq__qs8_gemm(0, ow, s->m, s->k, b, (size_t)wn->sw * wn->kh * s->c, s->packed, o,
                     (size_t)s->m, &s->ep);
    }
}

/* Float activation mode: act and quantize a rows x mg float tile into the output. */
static void finish_float(const struct s8conv_state *s, float *ft, int rows, int8_t *out,
                         size_t ldo)
{
    yq__f32_act(ft, (size_t)rows * s->mg, &s->act);
    for (int r = 0; r < rows; r++)
        yq__s8_quantize_row(ft + (size_t)r * s->mg, out + (size_t)r * ldo, (size_t)s->mg,
                            s->out_scale, s->out_zp);
}

static void task_gemm(void *ctx, size_t task, int worker)
{
    const struct s8conv_ctx *c = ctx;
    const struct s8conv_state *s = c->s;
    int64_t p0 = (int64_t)task * c->rows_per_task;
    int64_t p1 = YQ_MIN(p0 + c->rows_per_task, c->npix);
    int rows = (int)(p1 - p0);
    char *scr = yq__exec_scratch(c->x, worker);
    int8_t *a = (int8_t *)scr;
    float *ft = (float *)(scr + s->ftile_off);
    for (int gi = 0; gi < s->group; gi++) {
        const int8_t *ag;
        size_t lda;
        if (s->kind == S8CONV_1X1) {
            ag = c->in + (size_t)p0 * s->c + (size_t)gi * s->cg;
            lda = (size_t)s->c;
        } else {
            im2col_s8(s, c->in, gi, p0, p1, a);
            /* kernels read past the last row (times zero weight padding): keep the bytes
             * defined so sanitizers and valgrind stay quiet */
            memset(a + (size_t)rows * (size_t)s->k, 0, A_SLACK);
            ag = a;
            lda = (size_t)s->k;
        }
        const void *pk = s->packed + (size_t)gi * s->packed_stride;
        char *o = c->out + ((size_t)p0 * s->m + (size_t)gi * s->mg) * c->esize;
        /* the kernel indexes per-channel scales from the group's first channel */
        struct yq__qs8_epilogue ep = s->ep;
        if (ep.scale)
            ep.scale += (size_t)gi * s->mg;
        if (ep.fscale)
            ep.fscale += (size_t)gi * s->mg;
        if (s->float_act) {
            yq__qs8_gemm(0, rows, s->mg, s->k, ag, lda, pk, ft, (size_t)s->mg, &ep);
            finish_float(s, ft, rows, (int8_t *)o, (size_t)s->m);
        } else {
            yq__qs8_gemm(0, rows, s->mg, s->k, ag, lda, pk, o, (size_t)s->m, &ep);
        }
    }
}

static void task_dw(void *ctx, size_t task, int worker)
{
    const struct s8conv_ctx *c = ctx;
    const struct s8conv_state *s = c->s;
    const int oh = s->dws.out_h;
    int64_t r0 = (int64_t)task * c->rows_per_task;
    int64_t r1 = YQ_MIN(r0 + c->rows_per_task, c->npix);
    const size_t in_img = (size_t)s->h * s->w * s->c, out_img = (size_t)oh * s->dws.out_w * s->c;
    while (r0 < r1) {
        int img = (int)(r0 / oh), oy0 = (int)(r0 % oh);
        int oy1 = (int)YQ_MIN((int64_t)oh, oy0 + (r1 - r0));
        const int8_t *in = c->in + (size_t)img * in_img;
        char *out = c->out + (size_t)img * out_img * c->esize;
        if (!s->float_act) {
            yq__qs8_dw(&s->dws, oy0, oy1, in, s->packed, out, &s->ep);
        } else {
            /* one output row into the float scratch: rebase the input so that row is row 0
             * (prepare made sure each output row has an in-image input row) */
            float *ft = yq__exec_scratch(c->x, worker);
            const size_t row = (size_t)s->dws.out_w * s->c;
            for (int oy = oy0; oy < oy1; oy++) {
                struct yq__dw_shape r = s->dws;
                int base = oy * r.stride_h - r.pad_top, off = base > 0 ? base : 0;
                r.in_h = s->h - off;
                r.pad_top = off - base;
                r.out_h = 1;
                yq__qs8_dw(&r, 0, 1, in + (size_t)off * s->w * s->c, s->packed, ft, &s->ep);
                yq__f32_act(ft, row, &s->act);
                yq__s8_quantize_row(ft, (int8_t *)out + (size_t)oy * row, row, s->out_scale,
                                    s->out_zp);
            }
        }
        r0 += oy1 - oy0;
    }
}

static void s8conv_run(const struct yq__exec *x)
{
    const struct s8conv_state *s = x->state;
    struct s8conv_ctx c = {s,  x->in[0], x->out[0], s->out_f32 ? sizeof(float) : 1, x,
                           (int64_t)s->n * s->win.oh * s->win.ow, 0};
    int threads = yq__pool_threads(x->pool);
    if (c.npix <= 0)
        return;
    if (s->kind == S8CONV_DW) {
        c.npix = (int64_t)s->n * s->win.oh;
        size_t tasks = yq__ops_n_tasks(x->pool, (size_t)c.npix, 1);
        c.rows_per_task = (c.npix + (int64_t)tasks - 1) / (int64_t)tasks;
        yq__ops_run_homed(x->pool, (size_t)((c.npix + c.rows_per_task - 1) / c.rows_per_task),
                     task_dw, &c);
        return;
    }
    if (s->kind == S8CONV_ROWS) {
        /* output rows, about 3 tasks per thread */
        c.npix = (int64_t)s->n * s->win.oh;
        int64_t per = (c.npix + threads * 3 - 1) / (threads * 3);
        c.rows_per_task = per < 1 ? 1 : per;
        yq__ops_run_homed(x->pool, (size_t)((c.npix + c.rows_per_task - 1) / c.rows_per_task),
                     task_rows, &c);
        return;
    }
    int64_t per = s->tile;
    struct yq__pool *pool = x->pool;
    if (threads > 1 && c.npix * (s->k + OUT_WORK) < SPLIT_WORK / s->m) { /* no overflow */
        pool = NULL;
    } else if (threads > 1) {
        /* at least ~3 tasks per thread so uneven tiles balance; rows a multiple of 8 */
        int64_t bal = (c.npix + threads * 3 - 1) / (threads * 3);
        bal = (bal + 7) / 8 * 8;
        if (bal < per)
            per = bal < 8 ? 8 : bal;
    }
    c.rows_per_task = per;
    yq__ops_run_homed(pool, (size_t)((c.npix + per - 1) / per), task_gemm, &c);
}

const struct yq__op_impl yq__s8_conv = {
    YQ__OP_CONV, YQ__OPCLASS_SPATIAL, s8conv_infer, s8conv_prepare, s8conv_run,
    yq__ops_state_free,
};
