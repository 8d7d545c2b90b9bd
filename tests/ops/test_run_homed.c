/* SPDX-License-Identifier: Apache-2.0 */
/* The ops' work splits over the pool (src/ops/util.c): yq__ops_run_homed runs every task
 * exactly once for 1..5 threads and past its 16 home shares, each worker taking tasks of
 * one share in increasing order (the cache locality it exists for); yq__ops_run_rows covers
 * [0, rows) with disjoint consecutive ranges; yq__ops_n_tasks stays within its bounds. */
#include "harness.h"

#include <stdatomic.h>
#include <string.h>

#include "core/pool.h"
#include "ops/util.h"

#define MAX_N 5003
#define MAX_W 20

struct homed_ctx {
    atomic_int runs[MAX_N];
    size_t order[MAX_W][MAX_N]; /* tasks in the order each worker ran them */
    atomic_size_t n_by[MAX_W];
    int threads;
};

static void homed_task(void *ctx, size_t task, int worker)
{
    struct homed_ctx *h = ctx;
    atomic_fetch_add(&h->runs[task], 1);
    if (worker >= 0 && worker < MAX_W) h->order[worker][atomic_fetch_add(&h->n_by[worker], 1)] = task;
}

static void check_homed(struct yq__pool *p, size_t n)
{
    static struct homed_ctx h;
    int threads = yq__pool_threads(p);
    for (size_t i = 0; i < n; i++)
        atomic_store(&h.runs[i], 0);
    for (int w = 0; w < MAX_W; w++)
        atomic_store(&h.n_by[w], 0);
    yq__ops_run_homed(p, n, homed_task, &h);
    size_t wrong = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        wrong += atomic_load(&h.runs[i]) != 1;
    /* shares as run_homed cuts them: [n*v/T, n*(v+1)/T) for T = threads (<= 16) */
    int shares = threads > 16 ? 1 : threads, disorder = 0;
    for (int w = 0; w < MAX_W; w++) {
        size_t k = atomic_load(&h.n_by[w]);
        total += k;
        size_t last[16];
        for (int v = 0; v < 16; v++)
            last[v] = (size_t)-1;
        for (size_t i = 0; i < k; i++) {
            size_t t = h.order[w][i];
            int v = 0;
            while (v + 1 < shares && t >= n * (size_t)(v + 1) / (size_t)shares)
                v++;
            if (last[v] != (size_t)-1 && t <= last[v]) disorder++;
            last[v] = t;
        }
    }
    CHECKF(wrong == 0 && total == n && disorder == 0,
           "run_homed %d threads, %zu tasks: %zu ran != once, %zu calls, %d out of order",
           threads, n, wrong, total, disorder);
}

struct rows_ctx {
    atomic_int covered[MAX_N];
    atomic_int bad_range;
};

static void rows_fn(const void *ctx, int64_t r0, int64_t r1)
{
    struct rows_ctx *c = (struct rows_ctx *)ctx;
    if (!(r0 >= 0 && r0 < r1 && r1 <= MAX_N)) {
        atomic_fetch_add(&c->bad_range, 1);
        return;
    }
    for (int64_t r = r0; r < r1; r++)
        atomic_fetch_add(&c->covered[r], 1);
}

static void check_rows(struct yq__pool *p, int64_t rows)
{
    static struct rows_ctx c;
    for (int64_t r = 0; r < MAX_N; r++)
        atomic_store(&c.covered[r], 0);
    atomic_store(&c.bad_range, 0);
    yq__ops_run_rows(p, rows, rows_fn, &c);
    int64_t wrong = 0;
    for (int64_t r = 0; r < MAX_N; r++)
        wrong += atomic_load(&c.covered[r]) != (r < rows ? 1 : 0);
    CHECKF(wrong == 0 && atomic_load(&c.bad_range) == 0,
           "run_rows %d threads, %lld rows: %lld rows covered != once, %d bad ranges",
           yq__pool_threads(p), (long long)rows, (long long)wrong, atomic_load(&c.bad_range));
}

int main(void)
{
    static const size_t ns[] = {0, 1, 2, 3, 5, 16, 17, 100, 1001, MAX_N};
    static const int64_t rows[] = {0, 1, 2, 3, 7, 64, 65, 640, 4999};
    static const int threads[] = {1, 2, 3, 4, 5, 17};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        struct yq__pool *p = NULL;
        CHECK(yq__pool_create(threads[t], &p) == YQ_STATUS_OK);
        for (int rep = 0; rep < 3; rep++)
            for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
                check_homed(p, ns[i]);
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            check_rows(p, rows[i]);
        /* a few tasks per thread, each at least min_units, never zero */
        CHECK(yq__ops_n_tasks(p, 0, 1) == 1 && yq__ops_n_tasks(p, 1, 1) == 1);
        size_t nt = yq__ops_n_tasks(p, 100000, 10);
        CHECKF(nt >= 1 && nt <= (size_t)threads[t] * 4 && (threads[t] == 1 || nt > 1),
               "n_tasks(100000, 10) at %d threads = %zu", threads[t], nt);
        CHECK(yq__ops_n_tasks(p, 25, 10) <= 2);
        yq__pool_free(p);
    }
    check_homed(NULL, 50);
    check_rows(NULL, 50);
    return yq_test_finish();
}
