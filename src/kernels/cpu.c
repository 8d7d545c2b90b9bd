/* SPDX-License-Identifier: Apache-2.0 */
/* CPU feature detection and the ISA level every kernel family dispatches on. Detected once
 * (pthread_once): CPUID + XGETBV on x86-64 (the OS must have enabled the YMM/ZMM state, or
 * AVX instructions fault), getauxval(AT_HWCAP) on Linux aarch64. YQ_ISA may lower it so tests
 * and users can exercise slower paths on a fast machine. */
#include "kernels_impl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

static const char *const isa_names[YQ__ISA_COUNT] = {
    [YQ__ISA_REF] = "ref",   [YQ__ISA_SCALAR] = "scalar",        [YQ__ISA_AVX2] = "avx2",
    [YQ__ISA_AVX512VNNI] = "avx512vnni", [YQ__ISA_NEON] = "neon", [YQ__ISA_NEONDOT] = "neondot",
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static enum yq__isa detected = YQ__ISA_SCALAR;
static enum yq__isa effective = YQ__ISA_SCALAR;
static bool vbmi;

#if defined(__x86_64__) || defined(__i386__)
static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static enum yq__isa detect(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return YQ__ISA_SCALAR;
    bool osxsave = c & (1u << 27), avx = c & (1u << 28), fma = c & (1u << 12),
         f16c = c & (1u << 29);
    if (!osxsave || !avx || !fma || !f16c)
        return YQ__ISA_SCALAR;
    uint64_t xcr0 = xgetbv0();
    /* XMM (bit 1) and YMM (bit 2) state enabled by the OS. */
    if ((xcr0 & 0x6) != 0x6)
        return YQ__ISA_SCALAR;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return YQ__ISA_SCALAR;
    if (!(b & (1u << 5))) /* AVX2 */
        return YQ__ISA_SCALAR;
    bool f = b & (1u << 16), dq = b & (1u << 17), bw = b & (1u << 30), vl = b & (1u << 31),
         vnni = c & (1u << 11);
    /* opmask (5), ZMM_Hi256 (6), Hi16_ZMM (7) state too. */
    if (f && dq && bw && vl && vnni && (xcr0 & 0xe6) == 0xe6) {
        vbmi = c & (1u << 1); /* AVX512_VBMI: vpermt2b, a 128-byte table lookup */
        return YQ__ISA_AVX512VNNI;
    }
    return YQ__ISA_AVX2;
}
#elif defined(__aarch64__)
static enum yq__isa detect(void)
{
#if defined(__linux__)
    unsigned long hw = getauxval(AT_HWCAP);
    /* HWCAP_ASIMD = bit 1, HWCAP_ASIMDDP = bit 20 (arch/arm64/include/uapi/asm/hwcap.h). */
    if (!(hw & (1ul << 1)))
        return YQ__ISA_SCALAR;
    if (hw & (1ul << 20))
        return YQ__ISA_NEONDOT;
#endif
    return YQ__ISA_NEON; /* Advanced SIMD is mandatory on aarch64 */
}
#else
static enum yq__isa detect(void)
{
    return YQ__ISA_SCALAR;
}
#endif

/* Each architecture's levels form one chain; a level is usable if it lies on this chain at
 * or below `top`. */
static bool on_chain_below(enum yq__isa isa, enum yq__isa top)
{
    if (isa == YQ__ISA_REF || isa == YQ__ISA_SCALAR)
        return true;
    bool x86 = isa == YQ__ISA_AVX2 || isa == YQ__ISA_AVX512VNNI;
    bool top_x86 = top == YQ__ISA_AVX2 || top == YQ__ISA_AVX512VNNI;
    bool arm = isa == YQ__ISA_NEON || isa == YQ__ISA_NEONDOT;
    bool top_arm = top == YQ__ISA_NEON || top == YQ__ISA_NEONDOT;
    return ((x86 && top_x86) || (arm && top_arm)) && isa <= top;
}

static void init(void)
{
    detected = detect();
    effective = detected;
    const char *s = getenv("YQ_ISA");
    if (!s || !*s)
        return;
    for (int i = 0; i < YQ__ISA_COUNT; i++) {
        /* REF is the specification, not a run-time path: forcing it gives SCALAR. */
        if (strcmp(s, isa_names[i]) == 0 && on_chain_below((enum yq__isa)i, detected)) {
            effective = i == YQ__ISA_REF ? YQ__ISA_SCALAR : (enum yq__isa)i;
            return;
        }
    }
}

enum yq__isa yq__cpu_isa(void)
{
    pthread_once(&once, init);
    return effective;
}

bool yq__cpu_has_vbmi(void)
{
    pthread_once(&once, init);
    return vbmi && effective == YQ__ISA_AVX512VNNI;
}

enum yq__isa yq__cpu_isa_detected(void)
{
    pthread_once(&once, init);
    return detected;
}

bool yq__isa_available(enum yq__isa isa)
{
    if ((int)isa < 0 || isa >= YQ__ISA_COUNT)
        return false;
    return on_chain_below(isa, yq__cpu_isa());
}

const char *yq__isa_name(enum yq__isa isa)
{
    if ((int)isa < 0 || isa >= YQ__ISA_COUNT)
        return "?";
    return isa_names[isa];
}

int yq__isa_list(enum yq__isa *out, int cap)
{
    int n = 0;
    for (int i = 0; i < YQ__ISA_COUNT; i++) {
        if (yq__isa_available((enum yq__isa)i)) {
            if (n < cap)
                out[n] = (enum yq__isa)i;
            n++;
        }
    }
    return n < cap ? n : cap;
}
