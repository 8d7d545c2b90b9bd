/* SPDX-License-Identifier: Apache-2.0 */
/* Output files that appear whole or not at all: written to a temporary file in the same
 * folder, flushed to disk (fsync) and renamed over the destination, so a write that fails
 * or is killed leaves no file at the path and an older file there intact.
 *
 *     struct yq_atomic_file *a;  FILE *f;  char err[256];
 *     if (yq_atomic_open("out.json", &a, &f, err, sizeof err)) die(err);
 *     fputs("{}\n", f);
 *     if (yq_atomic_commit(a, err, sizeof err)) die(err);   // or yq_atomic_abort(a)
 *
 * A program that wants no temporary file left behind when SIGINT/SIGTERM kills it calls
 * yq_atomic_remove_all() from its signal handler (the library installs no handler). */
#ifndef YOLOQ_ATOMIC_FILE_H
#define YOLOQ_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>
#include "yoloq/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct yq_atomic_file;

/* Creates the temporary file "<dir>/.<name>.tmp-XXXXXX" beside path; *f writes to it.
 * Any thread. At most 32 atomic files are open at once in a process.
 * @retval YQ_STATUS_IO cannot create it (message names the path and reason)
 * @retval YQ_STATUS_OUT_OF_MEMORY, YQ_STATUS_BAD_STATE (too many open) */
YQ_API enum yq_status yq_atomic_open(const char *path, struct yq_atomic_file **out, FILE **f,
                                     char *err, size_t err_cap);
/* Flushes, fsyncs, closes and renames the temporary file to the path; frees a. On failure
 * the temporary file is removed and the path is untouched. @retval YQ_STATUS_IO */
YQ_API enum yq_status yq_atomic_commit(struct yq_atomic_file *a, char *err, size_t err_cap);
/* Closes and removes the temporary file; frees a. NULL is a no-op. */
YQ_API void yq_atomic_abort(struct yq_atomic_file *a);
/* Unlinks every temporary file still open. Async-signal-safe: for a signal handler that
 * then ends the process. */
YQ_API void yq_atomic_remove_all(void);

#ifdef __cplusplus
}
#endif
#endif
