/* SPDX-License-Identifier: Apache-2.0 */
/* Test harness implementation (see harness.h). */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int yq_test_passed, yq_test_failed, yq_test_skipped;
uint64_t yq_test_seed = 0x5eed1234abcdULL;
static uint64_t rng_state;
static bool rng_init;

uint64_t yq_test_rand(void)
{
    if (!rng_init) {
        const char *s = getenv("YQ_TEST_SEED");
        if (s && *s)
            yq_test_seed = strtoull(s, NULL, 0);
        rng_state = yq_test_seed ? yq_test_seed : 1;
        rng_init = true;
    }
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

float yq_test_uniform(float lo, float hi)
{
    return lo + (hi - lo) * (float)((yq_test_rand() >> 40) / (double)(1ULL << 24));
}

int yq_test_randint(int lo, int hi)
{
    return lo + (int)(yq_test_rand() % (uint64_t)(hi - lo + 1));
}

int yq_test_finish(void)
{
    fflush(stderr);
    printf("%d passed, %d failed, %d skipped\n", yq_test_passed, yq_test_failed,
           yq_test_skipped);
    if (yq_test_failed) return 1;
    if (yq_test_passed == 0 && yq_test_skipped == 0) {
        /* a test that checked nothing passes vacuously: treat it as broken */
        fprintf(stderr, "no check ran\n");
        return 1;
    }
    return yq_test_passed == 0 ? YQ_TEST_SKIPPED : 0;
}

const char *yq_test_data(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", YQ_TEST_DATA, name);
    return buf;
}

bool yq_test_shared(char *buf, size_t cap, const char *name)
{
    const char *root = getenv("YQ_SHARED_DATA");
    if (!root || !*root)
        root = YQ_SHARED_DATA;
    snprintf(buf, cap, "%s/%s", root, name);
    struct stat st;
    if (stat(buf, &st) != 0) {
        fprintf(stderr, "note: %s absent (../shared/data not here); skipping\n", buf);
        return false;
    }
    return true;
}

void *yq_test_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = malloc(n > 0 ? (size_t)n : 1);
    if (p && n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p && size)
        *size = (size_t)n;
    return p;
}
