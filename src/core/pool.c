/* SPDX-License-Identifier: Apache-2.0 */
/* Persistent compute pool: generation counter wakes workers, an atomic counter splits the
 * tasks, a pending count tells the caller when the last worker finished. */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include "core.h"

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
    unsigned long generation;
    int pending; /* workers still busy in this generation */
    bool stop;
    /* current job */
    yq__task_fn fn;
    void *ctx;
    size_t n_tasks;
    _Alignas(64) atomic_size_t next;
};

static void drain(struct yq__pool *p, int worker)
{
    for (;;) {
        size_t t = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (t >= p->n_tasks)
            break;
        p->fn(p->ctx, t, worker);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct yq__pool *p = w->pool;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->generation == seen)
            pthread_cond_wait(&p->wake, &p->mu);
        if (p->stop)
            break;
        seen = p->generation;
        pthread_mutex_unlock(&p->mu);
        drain(p, w->index);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
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
    pthread_mutex_lock(&p->mu);
    p->stop = true;
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
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n_tasks = n_tasks;
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    p->pending = p->n_threads - 1;
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    drain(p, 0);
    pthread_mutex_lock(&p->mu);
    while (p->pending > 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
