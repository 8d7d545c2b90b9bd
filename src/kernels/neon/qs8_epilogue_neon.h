/* SPDX-License-Identifier: Apache-2.0 */
/* The qs8 epilogue on 8 int32 accumulators in two q registers, shared by the NEON and
 * NEON-dot kernels: identical to yq__qs8_store_row (fcvtns, vcvtnq_s32_f32, rounds half to
 * even). Partial column blocks fall back to the scalar path so nothing is read or written
 * past n. */
#ifndef YQ_QS8_EPILOGUE_NEON_H
#define YQ_QS8_EPILOGUE_NEON_H

#include "../kernels_impl.h"

#include <arm_neon.h>

static inline void yq__qs8_store8_neon(int32x4_t acc0, int32x4_t acc1, int j0, int nc,
                                       void *c_row, const struct yq__qs8_epilogue *ep)
{
    if (nc < 8) {
        int32_t tmp[8];
        vst1q_s32(tmp, acc0);
        vst1q_s32(tmp + 4, acc1);
        yq__qs8_store_row(tmp, nc, j0, c_row, ep);
        return;
    }
    if (ep->fscale) {
        float *o = (float *)c_row + j0;
        vst1q_f32(o, vmulq_f32(vcvtq_f32_s32(acc0), vld1q_f32(ep->fscale + j0)));
        vst1q_f32(o + 4, vmulq_f32(vcvtq_f32_s32(acc1), vld1q_f32(ep->fscale + j0 + 4)));
        yq__f32_act(o, 8, &ep->act);
        return;
    }
    float32x4_t lo = vdupq_n_f32((float)(ep->out_min - ep->out_zp));
    float32x4_t hi = vdupq_n_f32((float)(ep->out_max - ep->out_zp));
    float32x4_t x0 = vmulq_f32(vcvtq_f32_s32(acc0), vld1q_f32(ep->scale + j0));
    float32x4_t x1 = vmulq_f32(vcvtq_f32_s32(acc1), vld1q_f32(ep->scale + j0 + 4));
    x0 = vminq_f32(vmaxq_f32(x0, lo), hi);
    x1 = vminq_f32(vmaxq_f32(x1, lo), hi);
    int16x8_t q = vcombine_s16(vqmovn_s32(vcvtnq_s32_f32(x0)), vqmovn_s32(vcvtnq_s32_f32(x1)));
    q = vaddq_s16(q, vdupq_n_s16((int16_t)ep->out_zp));
    int8_t *o = (int8_t *)c_row + j0;
    vst1_s8(o, vqmovn_s16(q));
    yq__qs8_apply_lut(o, 8, ep->lut);
}

/* int8 mode, 8 full columns: the requantized bytes before the LUT. */
static inline int8x8_t yq__qs8_requant8_neon(int32x4_t acc0, int32x4_t acc1, const float *scale,
                                             const struct yq__qs8_epilogue *ep)
{
    float32x4_t lo = vdupq_n_f32((float)(ep->out_min - ep->out_zp));
    float32x4_t hi = vdupq_n_f32((float)(ep->out_max - ep->out_zp));
    float32x4_t x0 = vmulq_f32(vcvtq_f32_s32(acc0), vld1q_f32(scale));
    float32x4_t x1 = vmulq_f32(vcvtq_f32_s32(acc1), vld1q_f32(scale + 4));
    x0 = vminq_f32(vmaxq_f32(x0, lo), hi);
    x1 = vminq_f32(vmaxq_f32(x1, lo), hi);
    int16x8_t q = vcombine_s16(vqmovn_s32(vcvtnq_s32_f32(x0)), vqmovn_s32(vcvtnq_s32_f32(x1)));
    return vqmovn_s16(vaddq_s16(q, vdupq_n_s16((int16_t)ep->out_zp)));
}

/* The 256-entry LUT in registers: four tables of 64 for tbl/tbx. */
struct yq__lut_neon {
    int8x16x4_t t[4];
};

static inline void yq__lut_load_neon(const int8_t *lut, struct yq__lut_neon *l)
{
    for (int i = 0; i < 4; i++)
        l->t[i] = vld1q_s8_x4(lut + 64 * i);
}

/* lut[(uint8_t)q]: tbl answers indexes 0..63 (0 elsewhere), then each tbx fills in its
 * quarter from index - 64*i and leaves the other lanes (out of its range) alone. */
static inline int8x16_t yq__lut16_neon(int8x16_t q, const struct yq__lut_neon *l)
{
    uint8x16_t u = vreinterpretq_u8_s8(q), d = vdupq_n_u8(64);
    int8x16_t r = vqtbl4q_s8(l->t[0], u);
    u = vsubq_u8(u, d);
    r = vqtbx4q_s8(r, l->t[1], u);
    u = vsubq_u8(u, d);
    r = vqtbx4q_s8(r, l->t[2], u);
    u = vsubq_u8(u, d);
    return vqtbx4q_s8(r, l->t[3], u);
}

static inline int8x8_t yq__lut8_neon(int8x8_t q, const struct yq__lut_neon *l)
{
    uint8x8_t u = vreinterpret_u8_s8(q), d = vdup_n_u8(64);
    int8x8_t r = vqtbl4_s8(l->t[0], u);
    u = vsub_u8(u, d);
    r = vqtbx4_s8(r, l->t[1], u);
    u = vsub_u8(u, d);
    r = vqtbx4_s8(r, l->t[2], u);
    u = vsub_u8(u, d);
    return vqtbx4_s8(r, l->t[3], u);
}

#endif
