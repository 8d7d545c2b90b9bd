/* SPDX-License-Identifier: Apache-2.0 */
/* Error formatting and the allocator wrappers (failure injection, allocation counting). */
#include "core.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Atomic: pool workers and pipeline threads allocate too (counted, and a countdown that
 * exactly one allocation sees reach zero). */
_Atomic long yq__alloc_fail_countdown = -1;
_Atomic unsigned long yq__alloc_count;
_Atomic unsigned long yq__alloc_failures;

static bool alloc_should_fail(void)
{
    atomic_fetch_add_explicit(&yq__alloc_count, 1, memory_order_relaxed);
    long c = atomic_load_explicit(&yq__alloc_fail_countdown, memory_order_relaxed);
    while (c > 0 && !atomic_compare_exchange_weak_explicit(&yq__alloc_fail_countdown, &c, c - 1,
                                                           memory_order_relaxed,
                                                           memory_order_relaxed)) {
    }
    if (c != 0)
        return false;
    atomic_fetch_add_explicit(&yq__alloc_failures, 1, memory_order_relaxed);
    return true;
}

void *yq__malloc(size_t size)
{
    if (alloc_should_fail())
        return NULL;
    void *p = malloc(size ? size : 1);
    if (!p)
        yq__alloc_failures++;
    return p;
}

void *yq__calloc(size_t n, size_t size)
{
    if (alloc_should_fail())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *yq__realloc(void *p, size_t size)
{
    if (alloc_should_fail())
        return NULL;
    return realloc(p, size ? size : 1);
}

void yq__free(void *p)
{
    free(p);
}

void *yq__aligned_alloc(size_t size)
{
    if (alloc_should_fail())
        return NULL;
    size_t rounded = (size + YQ_ALIGN - 1) / YQ_ALIGN * YQ_ALIGN;
    if (rounded < size)
        return NULL;
    return aligned_alloc(YQ_ALIGN, rounded ? rounded : YQ_ALIGN);
}

void yq__aligned_free(void *p)
{
    free(p);
}

char *yq__strndup(const char *s, size_t n)
{
    char *d = yq__malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *yq__strdup(const char *s)
{
    return yq__strndup(s, strlen(s));
}

enum yq_status yq__errf(struct yq__err *e, enum yq_status status, const char *fmt, ...)
{
    if (e && e->buf && e->cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->buf, e->cap, fmt, ap);
        va_end(ap);
    }
    return status;
}

void yq__err_prefix(struct yq__err *e, const char *fmt, ...)
{
    if (!e || !e->buf || !e->cap)
        return;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t pl = strlen(prefix), ml = strlen(e->buf);
    if (pl + 2 >= e->cap)
        return;
    if (pl + 2 + ml >= e->cap)
        ml = e->cap - pl - 3;
    memmove(e->buf + pl + 2, e->buf, ml);
    e->buf[pl + 2 + ml] = '\0';
    memcpy(e->buf, prefix, pl);
    e->buf[pl] = ':';
    e->buf[pl + 1] = ' ';
}

enum yq_status yq__read_file(const char *path, char **data, size_t *size, struct yq__err *e)
{
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return yq__errf(e, YQ_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = yq__malloc(cap);
    if (!buf) {
        fclose(f);
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
    }
    for (;;) {
        if (n + 1 >= cap) {
            size_t ncap;
            char *nb;
            if (!yq__mul_size(cap, 2, &ncap) || !(nb = yq__realloc(buf, ncap))) {
                yq__free(buf);
                fclose(f);
                return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        yq__free(buf);
        return yq__errf(e, YQ_STATUS_IO, "%s: read error", path);
    }
    buf[n] = '\0';
    *data = buf;
    *size = n;
    return YQ_STATUS_OK;
}

int yq__parse_floats(const char *s, float *v, int cap)
{
    int n = 0;
    while (s && *s && n < cap) {
        char *end;
        float x = strtof(s, &end);
        if (end == s)
            break;
        v[n++] = x;
        s = end;
        while (*s == ',' || *s == ';' || *s == ' ')
            s++;
    }
    return n;
}
