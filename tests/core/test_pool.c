/* SPDX-License-Identifier: Apache-2.0 */
/* The compute pool (src/core/pool.c): every task runs exactly once for 1..8 threads and
 * task counts around the thread count; worker indices stay in range and worker 0 is the
 * caller; thousands of back-to-back jobs and jobs after the workers fell asleep; a pool
 * dispatched from inside another pool's tasks; two workers really run at once; bad
 * arguments and allocation failure on create. */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "core/pool.h"

#define MAX_TASKS 20011

struct count_ctx {
    atomic_int runs[MAX_TASKS];
    atomic_int bad_worker, caller_mismatch;
    int threads;
    pthread_t caller;
};

static void count_task(void *ctx, size_t task, int worker)
{
    struct count_ctx *c = ctx;
    atomic_fetch_add(&c->runs[task], 1);
    if (worker < 0 || worker >= c->threads) atomic_fetch_add(&c->bad_worker, 1);
    if (worker == 0 && !pthread_equal(pthread_self(), c->caller))
        atomic_fetch_add(&c->caller_mismatch, 1);
}

/* Runs n tasks on p and checks each ran once; returns false (after a CHECKF) if not. */
static bool run_counted(struct yq__pool *p, struct count_ctx *c, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        atomic_store(&c->runs[i], 0);
    atomic_store(&c->bad_worker, 0);
    atomic_store(&c->caller_mismatch, 0);
    c->threads = yq__pool_threads(p);
    c->caller = pthread_self();
    yq__pool_run(p, n, count_task, c);
    size_t wrong = 0, first = 0;
    for (size_t i = 0; i < n; i++)
        if (atomic_load(&c->runs[i]) != 1 && wrong++ == 0) first = i;
    bool ok = wrong == 0 && !atomic_load(&c->bad_worker) && !atomic_load(&c->caller_mismatch);
    CHECKF(ok, "%s: %d threads, %zu tasks: %zu ran != once (first %zu ran %d times), %d bad "
               "worker ids, %d worker-0 calls off the caller",
           what, c->threads, n, wrong, first, wrong ? atomic_load(&c->runs[first]) : 1,
           atomic_load(&c->bad_worker), atomic_load(&c->caller_mismatch));
    return ok;
}

static void test_exactly_once(struct count_ctx *c)
{
    static const size_t ns[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 63, 64, 65, 1000, MAX_TASKS};
    for (int threads = 1; threads <= 8; threads++) {
        struct yq__pool *p = NULL;
        CHECK(yq__pool_create(threads, &p) == YQ_STATUS_OK && p);
        if (!p) continue;
        CHECK(yq__pool_threads(p) == threads);
        for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
            run_counted(p, c, ns[i], "exactly once");
        yq__pool_free(p);
    }
    run_counted(NULL, c, 100, "NULL pool"); /* serial on the caller */
    CHECK(yq__pool_threads(NULL) == 1);
}

/* Back-to-back jobs (the workers spinning) and jobs after a pause longer than the spin
 * bound (the workers asleep on the condition variable): lost wake-ups would hang here. */
static void test_repeated(struct count_ctx *c)
{
    struct yq__pool *p = NULL;
    CHECK(yq__pool_create(3, &p) == YQ_STATUS_OK);
    if (!p) return;
    int bad = 0;
    for (int i = 0; i < 3000; i++)
        if (!run_counted(p, c, (size_t)(1 + i % 13), "back to back") && ++bad > 3) break;
    for (int i = 0; i < 20 && bad <= 3; i++) {
        usleep(i % 2 ? 300 : 2000);
        if (!run_counted(p, c, (size_t)(2 + i), "after a sleep")) bad++;
    }
    CHECK(bad == 0);
    yq__pool_free(p);
}

/* Nested: each worker of an outer pool dispatches jobs on its own inner pool (one caller
 * at a time per pool, as the contract says). Every (outer, inner) pair runs once. */
#define OUTER 24
#define INNER 37
struct nest_ctx {
    struct yq__pool *inner[2];
    atomic_int pairs[OUTER][INNER];
};
struct inner_ctx {
    struct nest_ctx *n;
    size_t outer;
};

static void inner_task(void *ctx, size_t task, int worker)
{
    (void)worker;
    struct inner_ctx *ic = ctx;
    atomic_fetch_add(&ic->n->pairs[ic->outer][task], 1);
}

static void outer_task(void *ctx, size_t task, int worker)
{
    struct nest_ctx *n = ctx;
    struct inner_ctx ic = {n, task};
    yq__pool_run(n->inner[worker], INNER, inner_task, &ic);
}

static void test_nested(void)
{
    static struct nest_ctx n;
    struct yq__pool *outer = NULL;
    CHECK(yq__pool_create(2, &outer) == YQ_STATUS_OK);
    CHECK(yq__pool_create(2, &n.inner[0]) == YQ_STATUS_OK);
    CHECK(yq__pool_create(3, &n.inner[1]) == YQ_STATUS_OK);
    if (!outer || !n.inner[0] || !n.inner[1]) return;
    for (int rep = 0; rep < 20; rep++) {
        for (int i = 0; i < OUTER; i++)
            for (int j = 0; j < INNER; j++)
                atomic_store(&n.pairs[i][j], 0);
        yq__pool_run(outer, OUTER, outer_task, &n);
        int wrong = 0;
        for (int i = 0; i < OUTER; i++)
            for (int j = 0; j < INNER; j++)
                wrong += atomic_load(&n.pairs[i][j]) != 1;
        CHECKF(wrong == 0, "nested run %d: %d (outer, inner) pairs ran != once", rep, wrong);
    }
    yq__pool_free(outer);
    yq__pool_free(n.inner[0]);
    yq__pool_free(n.inner[1]);
}

/* Two tasks that each wait for the other to have started: only finishes (within a very
 * generous bound, never asserted as a time) if a second thread really takes part. */
struct meet_ctx {
    atomic_int arrived, workers_seen;
    atomic_bool timed_out;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void meet_task(void *ctx, size_t task, int worker)
{
    (void)task;
    struct meet_ctx *m = ctx;
    atomic_fetch_or(&m->workers_seen, 1 << worker);
    atomic_fetch_add(&m->arrived, 1);
    double t0 = now_s();
    while (atomic_load(&m->arrived) < 2)
        if (now_s() - t0 > 60) {
            atomic_store(&m->timed_out, true);
            break;
        }
}

static void test_parallel(void)
{
    struct yq__pool *p = NULL;
    CHECK(yq__pool_create(2, &p) == YQ_STATUS_OK);
    if (!p) return;
    struct meet_ctx m;
    atomic_init(&m.arrived, 0);
    atomic_init(&m.workers_seen, 0);
    atomic_init(&m.timed_out, false);
    yq__pool_run(p, 2, meet_task, &m);
    CHECKF(!atomic_load(&m.timed_out) && atomic_load(&m.workers_seen) == 3,
           "two tasks did not run at once on workers 0 and 1 (seen mask %d)",
           atomic_load(&m.workers_seen));
    yq__pool_free(p);
}

static void test_create_errors(void)
{
    struct yq__pool *p = (struct yq__pool *)&p;
    CHECK(yq__pool_create(0, &p) == YQ_STATUS_INVALID_ARGUMENT && p == NULL);
    p = (struct yq__pool *)&p;
    CHECK(yq__pool_create(257, &p) == YQ_STATUS_INVALID_ARGUMENT && p == NULL);
    yq__pool_free(NULL);
    /* the i-th allocation failing gives a clean out-of-memory (and no pool) for every i */
    int oom = 0;
    for (long i = 0; i < 8; i++) {
        yq__alloc_fail_countdown = i;
        p = (struct yq__pool *)&p;
        enum yq_status st = yq__pool_create(4, &p);
        yq__alloc_fail_countdown = -1;
        if (st == YQ_STATUS_OK) {
            yq__pool_free(p);
            break;
        }
        CHECK(st == YQ_STATUS_OUT_OF_MEMORY && p == NULL);
        oom++;
    }
    CHECKF(oom == 2, "create failed cleanly at %d allocation points, expected 2", oom);
}

int main(void)
{
    static struct count_ctx c;
    test_exactly_once(&c);
    test_repeated(&c);
    test_nested();
    test_parallel();
    test_create_errors();
    return yq_test_finish();
}
