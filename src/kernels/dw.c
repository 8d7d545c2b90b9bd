/* SPDX-License-Identifier: Apache-2.0 */
/* Depthwise convolution families (int8 and fp32): packing shared by all variants (layouts in
 * kernels_impl.h), descriptor tables from dw.def, and dispatch to the best variant. */
#include "kernels_impl.h"

#include <pthread.h>
#include <string.h>

size_t yq__qs8_dw_packed_size(int kh, int kw, int c)
{
    size_t cp = (size_t)yq__dw_cp(c);
    return yq__round_up(YQ__DW_HEADER + cp * 8 + (size_t)kh * (size_t)kw * cp * 2, 64);
}

void yq__qs8_dw_pack(int kh, int kw, int c, const int8_t *w, const int32_t *bias, int32_t a_zp,
                     void *packed)
{
    int cp = yq__dw_cp(c), taps = kh * kw;
    char *base = packed;
    memset(base, 0, yq__qs8_dw_packed_size(kh, kw, c));
    int32_t hdr[4] = {a_zp, kh, kw, c};
    memcpy(base, hdr, sizeof hdr);
    int32_t *b = (int32_t *)(base + YQ__DW_HEADER), *bf = b + cp;
    int16_t *pw = (int16_t *)(bf + cp);
    for (int ch = 0; ch < c; ch++) {
        int32_t sw = 0;
        for (int t = 0; t < taps; t++) {
            int8_t v = w[(size_t)t * (size_t)c + (size_t)ch];
            pw[(size_t)t * (size_t)cp + (size_t)ch] = v;
            sw += v;
        }
        b[ch] = bias ? bias[ch] : 0;
        bf[ch] = b[ch] - a_zp * sw;
    }
}

size_t yq__f32_dw_packed_size(int kh, int kw, int c)
{
    size_t cp = (size_t)yq__dw_cp(c);
    return yq__round_up(YQ__DW_HEADER + cp * 4 + (size_t)kh * (size_t)kw * cp * 4, 64);
}

void yq__f32_dw_pack(int kh, int kw, int c, const float *w, const float *bias, void *packed)
{
    int cp = yq__dw_cp(c), taps = kh * kw;
    char *base = packed;
    memset(base, 0, yq__f32_dw_packed_size(kh, kw, c));
    int32_t hdr[3] = {kh, kw, c};
    memcpy(base, hdr, sizeof hdr);
    float *b = (float *)(base + YQ__DW_HEADER), *pw = b + cp;
    for (int ch = 0; ch < c; ch++) {
        b[ch] = bias ? bias[ch] : 0.0f;
        for (int t = 0; t < taps; t++)
            pw[(size_t)t * (size_t)cp + (size_t)ch] = w[(size_t)t * (size_t)c + (size_t)ch];
    }
}

const struct yq__qs8_dw_desc yq__qs8_dw_variants[] = {
#define YQ__QS8_DW(fn, isa) {#fn, isa, fn},
#define YQ__F32_DW(fn, isa)
#include "dw.def"
#undef YQ__QS8_DW
#undef YQ__F32_DW
};
const int yq__qs8_dw_n_variants = (int)(sizeof yq__qs8_dw_variants /
                                        sizeof yq__qs8_dw_variants[0]);

const struct yq__f32_dw_desc yq__f32_dw_variants[] = {
#define YQ__QS8_DW(fn, isa)
#define YQ__F32_DW(fn, isa) {#fn, isa, fn},
#include "dw.def"
#undef YQ__QS8_DW
#undef YQ__F32_DW
};
const int yq__f32_dw_n_variants = (int)(sizeof yq__f32_dw_variants /
                                        sizeof yq__f32_dw_variants[0]);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static yq__qs8_dw_fn qs8_run;
static yq__f32_dw_fn f32_run;

/* Without a SIMD level the reference loops are the portable path. */
static void choose(void)
{
    for (int i = 0; i < yq__qs8_dw_n_variants; i++)
        if (yq__isa_available(yq__qs8_dw_variants[i].isa))
            qs8_run = yq__qs8_dw_variants[i].run;
    for (int i = 0; i < yq__f32_dw_n_variants; i++)
        if (yq__isa_available(yq__f32_dw_variants[i].isa))
            f32_run = yq__f32_dw_variants[i].run;
}

void yq__qs8_dw(const struct yq__dw_shape *s, int oy_begin, int oy_end, const int8_t *in,
                const void *packed, void *out, const struct yq__qs8_epilogue *ep)
{
    pthread_once(&once, choose);
    qs8_run(s, oy_begin, oy_end, in, packed, out, ep);
}

void yq__f32_dw(const struct yq__dw_shape *s, int oy_begin, int oy_end, const float *in,
                const void *packed, float *out, const struct yq__act *act)
{
    pthread_once(&once, choose);
    f32_run(s, oy_begin, oy_end, in, packed, out, act);
}
