/* SPDX-License-Identifier: Apache-2.0 */
/* qs8 GEMM family: the descriptor table generated from qs8_gemm.def, the one packing routine
 * every variant's layout is an instance of (kernels_impl.h draws it), and the dispatch to
 * the best variant available, chosen once. */
#include "kernels_impl.h"

#include <pthread.h>
#include <string.h>

static size_t packed_size(int k, int n, int nr, int kpad, bool wide)
{
    size_t panels = ((size_t)n + (size_t)nr - 1) / (size_t)nr;
    return yq__qs8_panels_offset(n) +
           panels * yq__qs8_panel_bytes(k, nr, kpad, wide);
}

static void pack(int k, int n, const int8_t *w, const int32_t *bias, int32_t a_zp, int nr,
                 int kr, int kpad, bool wide, bool a_xor, void *packed)
{
    char *base = packed;
    memset(base, 0, yq__qs8_panels_offset(n));
    memcpy(base, &a_zp, sizeof a_zp);
    int32_t *obias = (int32_t *)(base + YQ__QS8_HEADER);
    for (int j = 0; j < n; j++)
        obias[j] = bias ? bias[j] : 0;

    size_t pbytes = yq__qs8_panel_bytes(k, nr, kpad, wide);
    char *panel = base + yq__qs8_panels_offset(n);
    for (int j0 = 0; j0 < n; j0 += nr, panel += pbytes) {
        memset(panel, 0, pbytes);
        int32_t *pb = (int32_t *)panel;
        int8_t *w8 = (int8_t *)(panel + (size_t)nr * 4);
        int16_t *w16 = (int16_t *)(panel + (size_t)nr * 4);
        for (int jj = 0; jj < nr && j0 + jj < n; jj++) {
            const int8_t *wr = w + (size_t)(j0 + jj) * (size_t)k;
            /* |sum W| <= 128*16384 = 2^21 and |a_zp + 128| <= 255, so the fold fits. */
            int32_t sw = 0;
            for (int p = 0; p < k; p++)
                sw += wr[p];
            pb[jj] = (bias ? bias[j0 + jj] : 0) - (a_zp + (a_xor ? 128 : 0)) * sw;
            for (size_t p = 0; p < (size_t)k; p++) {
                size_t g = p / (size_t)kr, q = p % (size_t)kr;
                size_t idx = (g * (size_t)nr + (size_t)jj) * (size_t)kr + q;
                if (wide)
                    w16[idx] = wr[p];
                else
                    w8[idx] = wr[p];
            }
        }
    }
}

#define YQ__QS8_GEMM(fn, isa, mr, nr, kr, kpad, wide, a_xor)                                  \
    static size_t fn##_packed_size(int k, int n)                                               \
    {                                                                                          \
        return packed_size(k, n, nr, kpad, wide);                                              \
    }                                                                                          \
    static void fn##_pack(int k, int n, const int8_t *w, const int32_t *bias, int32_t a_zp,    \
                          void *packed)                                                        \
    {                                                                                          \
        pack(k, n, w, bias, a_zp, nr, kr, kpad, wide, a_xor, packed);                          \
    }
#include "qs8_gemm.def"
#undef YQ__QS8_GEMM

const struct yq__qs8_gemm_desc yq__qs8_gemm_variants[] = {
#define YQ__QS8_GEMM(fn, isa, mr, nr, kr, kpad, wide, a_xor)                                  \
    {#fn, isa, mr, nr, kr, kpad, wide, a_xor, fn##_packed_size, fn##_pack, fn},
#include "qs8_gemm.def"
#undef YQ__QS8_GEMM
};
const int yq__qs8_gemm_n_variants = (int)(sizeof yq__qs8_gemm_variants /
                                          sizeof yq__qs8_gemm_variants[0]);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct yq__qs8_gemm_desc *chosen;

static void choose(void)
{
    chosen = &yq__qs8_gemm_variants[1]; /* scalar */
    for (int i = 0; i < yq__qs8_gemm_n_variants; i++) {
        const struct yq__qs8_gemm_desc *d = &yq__qs8_gemm_variants[i];
        if (d->isa != YQ__ISA_REF && yq__isa_available(d->isa))
            chosen = d;
    }
}

const struct yq__qs8_gemm_desc *yq__qs8_gemm_chosen(void)
{
    pthread_once(&once, choose);
    return chosen;
}

size_t yq__qs8_gemm_packed_size(int k, int n)
{
    return yq__qs8_gemm_chosen()->packed_size(k, n);
}

void yq__qs8_gemm_pack(int k, int n, const int8_t *w, const int32_t *bias, int32_t a_zp,
                       void *packed)
{
    yq__qs8_gemm_chosen()->pack(k, n, w, bias, a_zp, packed);
}

void yq__qs8_gemm(int m_begin, int m_end, int n, int k, const int8_t *a, size_t lda,
                  const void *packed, void *c, size_t ldc, const struct yq__qs8_epilogue *ep)
{
    if (m_begin >= m_end || n <= 0)
        return;
    yq__qs8_gemm_chosen()->run(m_begin, m_end, n, k, a, lda, packed, c, ldc, ep);
}
