/* SPDX-License-Identifier: Apache-2.0 */
/* A persistent compute pool (pthreadpool-style): n_threads-1 workers park on a condition
 * variable; the caller is worker 0 and takes part; tasks are handed out by an atomic
 * counter. A NULL pool runs every task serially on the caller. */
#ifndef YQ_POOL_H
#define YQ_POOL_H

#include <stddef.h>
#include "yoloq/status.h"

struct yq__pool;

/* fn(ctx, task, worker): worker in [0, yq__pool_threads(pool)). */
typedef void (*yq__task_fn)(void *ctx, size_t task, int worker);

enum yq_status yq__pool_create(int n_threads, struct yq__pool **out);
void yq__pool_free(struct yq__pool *pool);
int yq__pool_threads(const struct yq__pool *pool); /* 1 for NULL */
/* Runs fn for task = 0..n_tasks-1 and returns when all are done. One caller at a time. */
void yq__pool_run(struct yq__pool *pool, size_t n_tasks, yq__task_fn fn, void *ctx);

#endif
