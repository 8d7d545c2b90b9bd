/* SPDX-License-Identifier: Apache-2.0 */
/* YQ_ISA can only lower the ISA level: "scalar" is honoured everywhere, and every family
 * then dispatches to a scalar-level variant (checked in a child process per setting since
 * the level is read once per process). A level of the other architecture is ignored. */
#include "harness.h"
#include "kernels/kernels.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs `check` in a child with YQ_ISA=value; returns its exit status. */
static int in_child(const char *value, int (*check)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        setenv("YQ_ISA", value, 1);
        _exit(check());
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
        return 99;
    return WEXITSTATUS(st);
}

static int check_scalar(void)
{
    if (yq__cpu_isa() != YQ__ISA_SCALAR)
        return 1;
    if (yq__qs8_gemm_chosen()->isa != YQ__ISA_SCALAR || yq__f32_gemm_chosen()->isa != YQ__ISA_SCALAR)
        return 2;
    if (yq__isa_available(YQ__ISA_AVX2) || yq__isa_available(YQ__ISA_NEON))
        return 3;
    return 0;
}

static int check_ignored(void)
{
    return yq__cpu_isa() == yq__cpu_isa_detected() ? 0 : 1;
}

static int check_neon(void)
{
    return yq__cpu_isa() == YQ__ISA_NEON && yq__qs8_gemm_chosen()->isa == YQ__ISA_NEON ? 0 : 1;
}

static int check_avx2(void)
{
    return yq__cpu_isa() == YQ__ISA_AVX2 && yq__qs8_gemm_chosen()->isa == YQ__ISA_AVX2 ? 0 : 1;
}

static int check_is_neondot(void)
{
    return yq__cpu_isa_detected() == YQ__ISA_NEONDOT ? 0 : 1;
}

static int check_is_avx512(void)
{
    return yq__cpu_isa_detected() == YQ__ISA_AVX512VNNI ? 0 : 1;
}

int main(void)
{
    /* children fork before this process detects anything: the level is read once */
    unsetenv("YQ_ISA");
    int scalar = in_child("scalar", check_scalar);
    int bogus = in_child("bogus", check_ignored);
    int other_x86 = in_child("neondot", check_ignored);
    int other_arm = in_child("avx512vnni", check_ignored);
    bool is_neondot = in_child("", check_is_neondot) == 0;
    bool is_avx512 = in_child("", check_is_avx512) == 0;
    int neon = is_neondot ? in_child("neon", check_neon) : 0;
    int avx2 = is_avx512 ? in_child("avx2", check_avx2) : 0;

    enum yq__isa top = yq__cpu_isa();
    CHECK(top == yq__cpu_isa_detected());
    CHECK(strcmp(yq__isa_name(YQ__ISA_NEONDOT), "neondot") == 0);
    CHECK(strcmp(yq__isa_name(YQ__ISA_COUNT), "?") == 0);
    CHECKF(scalar == 0, "YQ_ISA=scalar not honoured (%d)", scalar);
    CHECKF(bogus == 0, "YQ_ISA=bogus not ignored");
    /* neondot / avx512vnni: the other architecture's level, or above/equal to detection */
    CHECKF(other_x86 == 0 && other_arm == 0, "a level above the detected one was not ignored");
    if (is_neondot || is_avx512) {
        CHECKF(neon == 0 && avx2 == 0, "forcing the lower SIMD level failed");
    } else {
        SKIP("no lower SIMD level than %s to force", yq__isa_name(top));
    }
    return yq_test_finish();
}
