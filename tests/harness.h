/* SPDX-License-Identifier: Apache-2.0 */
/* A tiny test harness: CHECK macros that count, a seeded RNG, data paths, and the summary
 * line `N passed, N failed, N skipped` that every test executable ends with.
 *
 *     int main(void) { CHECK(1 + 1 == 2); return yq_test_finish(); }
 */
#ifndef YQ_TEST_HARNESS_H
#define YQ_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int yq_test_passed, yq_test_failed, yq_test_skipped;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            yq_test_passed++;                                                                      \
        } else {                                                                                   \
            yq_test_failed++;                                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s (seed %llu)\n", __FILE__, __LINE__, #cond,   \
                    (unsigned long long)yq_test_seed);                                             \
        }                                                                                          \
    } while (0)

#define CHECKF(cond, ...)                                                                          \
    do {                                                                                           \
        if (cond) {                                                                                \
            yq_test_passed++;                                                                      \
        } else {                                                                                   \
            yq_test_failed++;                                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s (seed %llu): ", __FILE__, __LINE__, #cond,    \
                    (unsigned long long)yq_test_seed);                                             \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define SKIP(...)                                                                                  \
    do {                                                                                           \
        yq_test_skipped++;                                                                         \
        fprintf(stderr, "SKIP: ");                                                                 \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
    } while (0)

/* Seed from YQ_TEST_SEED if set, else a fixed default; printed with every failure. */
extern uint64_t yq_test_seed;
uint64_t yq_test_rand(void);           /* xorshift64* */
float yq_test_uniform(float lo, float hi);
int yq_test_randint(int lo, int hi); /* inclusive */

/* Exit code of a test whose every check was skipped (ctest's SKIP_RETURN_CODE, set in
 * tests/CMakeLists.txt; automake's convention). */
#define YQ_TEST_SKIPPED 77

/* Prints the summary line and returns the exit code: 1 if a check failed or none ran at
 * all, YQ_TEST_SKIPPED if every check was skipped, else 0. */
int yq_test_finish(void);

/* Path helpers: "<tests/data>/<name>" and "<shared/data>/<name>" into buf; the shared one
 * returns false (after printing why) when ../shared/data is absent, so the caller skips. */
const char *yq_test_data(char *buf, size_t cap, const char *name);
bool yq_test_shared(char *buf, size_t cap, const char *name);

/* Reads a whole file; NULL if missing. Caller frees. */
void *yq_test_read_file(const char *path, size_t *size);

#endif
