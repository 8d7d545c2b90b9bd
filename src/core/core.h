/* SPDX-License-Identifier: Apache-2.0 */
/* Internal helpers every part uses: error formatting into a caller buffer, checked
 * arithmetic for untrusted sizes, aligned allocation, small utilities. */
#ifndef YQ_CORE_H
#define YQ_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include "yoloq/status.h"

#define YQ_ALIGN 64
#define YQ_MIN(a, b) ((a) < (b) ? (a) : (b))
#define YQ_MAX(a, b) ((a) > (b) ? (a) : (b))
#define YQ_COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define YQ_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define YQ_PRINTF(f, a)
#endif

/* An error sink: a caller-supplied buffer (may be NULL/0). Formats one line and returns
 * `status` so call sites read `return yq__err(e, YQ_STATUS_BAD_MODEL, "...", ...)`. */
struct yq__err {
    char *buf;
    size_t cap;
};

enum yq_status yq__errf(struct yq__err *e, enum yq_status status, const char *fmt, ...)
    YQ_PRINTF(3, 4);
/* Prepend "prefix: " to whatever message is already in the buffer. */
void yq__err_prefix(struct yq__err *e, const char *fmt, ...) YQ_PRINTF(2, 3);

/* 64-byte aligned allocation; size 0 allowed. Free with yq__aligned_free. */
void *yq__aligned_alloc(size_t size);
void yq__aligned_free(void *p);

/* Overflow-checked size arithmetic: return false on overflow. */
static inline bool yq__mul_size(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b)
        return false;
    *out = a * b;
    return true;
}
static inline bool yq__add_size(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b)
        return false;
    *out = a + b;
    return true;
}

/* Reads a whole file into a NUL-terminated yq__malloc'd buffer (*size excludes the NUL).
 * @retval YQ_STATUS_IO cannot open or read (message names the path and reason) */
enum yq_status yq__read_file(const char *path, char **data, size_t *size, struct yq__err *e);

/* Parses up to cap numbers separated by ',', ';' or spaces ("8,16,32", "10,13;30,61");
 * stops at the first non-number. Returns how many were read (0 for NULL). */
int yq__parse_floats(const char *s, float *v, int cap);

/* strdup that works in C11 without POSIX. */
char *yq__strdup(const char *s);
char *yq__strndup(const char *s, size_t n);

/* Allocation-failure injection for tests: when the counter reaches zero every
 * yq__malloc fails. -1 (default) disables. Atomic (pool and pipeline threads allocate
 * too); tests only. */
extern _Atomic long yq__alloc_fail_countdown;
/* Count of yq__malloc/calloc/realloc/aligned_alloc calls, for the "run allocates nothing"
 * test. */
extern _Atomic unsigned long yq__alloc_count;
/* Count of yq__ allocations that failed (injected or real): a parser that cannot say why
 * it failed (cJSON) is told out of memory from bad bytes by this moving. */
extern _Atomic unsigned long yq__alloc_failures;
void *yq__malloc(size_t size);
void *yq__calloc(size_t n, size_t size);
void *yq__realloc(void *p, size_t size);
void yq__free(void *p);

/* Atomic output files (yoloq/atomic_file.h) for library writers: temp file beside path,
 * fsync, rename; on any failure the temp file is gone and path untouched. */
struct yq_atomic_file;
enum yq_status yq__atomic_open(const char *path, struct yq_atomic_file **out, FILE **f,
                               struct yq__err *e);
enum yq_status yq__atomic_commit(struct yq_atomic_file *a, struct yq__err *e);
/* The whole of data[0..size) as path, atomically. */
enum yq_status yq__atomic_write(const char *path, const void *data, size_t size,
                                struct yq__err *e);
/* Zeroes n bytes through a volatile pointer, so the compiler cannot drop it (keys). */
void yq__wipe(void *p, size_t n);

#endif
