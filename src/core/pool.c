/* SPDX-License-Identifier: Apache-2.0 */
/* Persistent compute pool: a generation counter publishes each job, an atomic counter splits
 * its tasks, a pending count tells the caller when the last worker finished.
 *
 * A model run dispatches ~100 jobs a few tens of microseconds apart; waking a worker through
 * a condition variable costs 12-33 us each time. So workers (and the caller waiting for
 * them) first spin for a bounded time (SPIN_NS) watching the atomics, and only then sleep
 * on the condition variable. The bound keeps an idle pool, or one sharing its cores with
 * other processes, from burning CPU. Sleeping uses the Dekker pattern: a sleeper registers
 * (seq_cst) before re-checking the condition under the mutex; the other side changes the
 * condition (seq_cst) before checking for sleepers, and signals under the mutex. */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include "core.h"

#define SPIN_NS 50000L

struct worker {
    struct yq__pool *pool;
    int index;
    pthread_t thread;
};

struct yq__pool {
    int n_threads;
    struct worker *workers;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    pthread_cond_t done;
    atomic_ulong generation;
    atomic_int pending;      /* workers still busy in this generation */
    atomic_int sleepers;     /* workers asleep (or about to be) on `wake` */
    atomic_int caller_sleep; /* the caller asleep (or about to be) on `done` */
    atomic_bool stop;
    /* current job: written before generation is bumped, read after it is seen */
    yq__task_fn fn;
    void *ctx;
    size_t n_tasks;
    _Alignas(64) atomic_size_t next;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void drain(struct yq__pool *p, int worker)
{
    for (;;) {
        size_t t = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (t >= p->n_tasks)
            break;
        p->fn(p->ctx, t, worker);
    }
}

/* Spins until generation != seen or stop, for at most SPIN_NS; true if it changed. */
static bool spin_for_job(struct yq__pool *p, unsigned long seen)
{
    long t0 = now_ns();
    for (int i = 0;; i++) {
        if (atomic_load_explicit(&p->generation, memory_order_acquire) != seen ||
            atomic_load_explicit(&p->stop, memory_order_relaxed))
            return true;
        cpu_relax();
        if ((i & 63) == 63 && now_ns() - t0 > SPIN_NS)
            return false;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct yq__pool *p = w->pool;
    unsigned long seen = 0;
    for (;;) {
        if (!spin_for_job(p, seen)) {
            pthread_mutex_lock(&p->mu);
            atomic_fetch_add(&p->sleepers, 1);
            while (!atomic_load(&p->stop) && atomic_load(&p->generation) == seen)
                pthread_cond_wait(&p->wake, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->stop))
            break;
        seen = atomic_load_explicit(&p->generation, memory_order_acquire);
        drain(p, w->index);
        if (atomic_fetch_sub(&p->pending, 1) == 1 && atomic_load(&p->caller_sleep)) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

enum yq_status yq__pool_create(int n_threads, struct yq__pool **out)
{
    *out = NULL;
    if (n_threads < 1 || n_threads > 256)
        return YQ_STATUS_INVALID_ARGUMENT;
    struct yq__pool *p = yq__aligned_alloc(sizeof *p);
    if (!p)
        return YQ_STATUS_OUT_OF_MEMORY;
    *p = (struct yq__pool){0};
    p->n_threads = n_threads;
    atomic_init(&p->next, 0);
    atomic_init(&p->generation, 0);
    atomic_init(&p->pending, 0);
    atomic_init(&p->sleepers, 0);
    atomic_init(&p->caller_sleep, 0);
    atomic_init(&p->stop, false);
    p->workers = yq__calloc((size_t)n_threads, sizeof *p->workers);
    if (!p->workers) {
        yq__aligned_free(p);
        return YQ_STATUS_OUT_OF_MEMORY;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int i = 1; i < n_threads; i++) {
        p->workers[i].pool = p;
        p->workers[i].index = i;
        if (pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]) != 0) {
            p->n_threads = i;
            yq__pool_free(p);
            return YQ_STATUS_OUT_OF_MEMORY;
        }
    }
    *out = p;
    return YQ_STATUS_OK;
}

void yq__pool_free(struct yq__pool *p)
{
    if (!p)
        return;
    atomic_store(&p->stop, true);
    pthread_mutex_lock(&p->mu);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n_threads; i++)
        pthread_join(p->workers[i].thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    yq__free(p->workers);
    yq__aligned_free(p);
}

int yq__pool_threads(const struct yq__pool *p)
{
    return p ? p->n_threads : 1;
}

void yq__pool_run(struct yq__pool *p, size_t n_tasks, yq__task_fn fn, void *ctx)
{
    if (!p || p->n_threads == 1 || n_tasks <= 1) {
        for (size_t t = 0; t < n_tasks; t++)
            fn(ctx, t, 0);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    p->n_tasks = n_tasks;
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    atomic_store(&p->pending, p->n_threads - 1);
    atomic_fetch_add(&p->generation, 1); /* seq_cst: publishes the job, orders the check */
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
    }
    drain(p, 0);
    long t0 = now_ns();
    for (int i = 0; atomic_load_explicit(&p->pending, memory_order_acquire) > 0; i++) {
        cpu_relax();
        if ((i & 63) == 63 && now_ns() - t0 > SPIN_NS) {
            pthread_mutex_lock(&p->mu);
            atomic_store(&p->caller_sleep, 1);
            while (atomic_load(&p->pending) > 0)
                pthread_cond_wait(&p->done, &p->mu);
            atomic_store(&p->caller_sleep, 0);
            pthread_mutex_unlock(&p->mu);
            break;
        }
    }
}
