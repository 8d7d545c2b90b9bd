/* SPDX-License-Identifier: Apache-2.0 */
/* Atomic output files (include/yoloq/atomic_file.h): temp file beside the destination,
 * fsync, rename, fsync of the folder. Open temp paths sit in a fixed table so a signal
 * handler can unlink them without allocating or locking (only unlink(2), which is
 * async-signal-safe); a slot is published (used = 1) only after its path is complete. */
#include "core.h"
#include "yoloq/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_SLOTS 32
#define SLOT_PATH 4096

static char slot_path[N_SLOTS][SLOT_PATH];
static volatile sig_atomic_t slot_used[N_SLOTS];
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;

struct yq_atomic_file {
    FILE *f;
    int slot;
    char *path;
};

static int slot_claim(const char *tmp)
{
    int s = -1;
    pthread_mutex_lock(&slot_lock);
    for (int i = 0; i < N_SLOTS && s < 0; i++)
        if (!slot_used[i] && !slot_path[i][0])
            s = i;
    if (s >= 0) {
        memcpy(slot_path[s], tmp, strlen(tmp) + 1);
        slot_used[s] = 1;
    }
    pthread_mutex_unlock(&slot_lock);
    return s;
}

static void slot_release(int s)
{
    pthread_mutex_lock(&slot_lock);
    slot_used[s] = 0;
    slot_path[s][0] = '\0';
    pthread_mutex_unlock(&slot_lock);
}

void yq_atomic_remove_all(void)
{
    for (int i = 0; i < N_SLOTS; i++)
        if (slot_used[i])
            unlink(slot_path[i]);
}

enum yq_status yq__atomic_open(const char *path, struct yq_atomic_file **out, FILE **f,
                               struct yq__err *e)
{
    *out = NULL;
    *f = NULL;
    const char *base = strrchr(path, '/');
    size_t dir_len = base ? (size_t)(base - path) + 1 : 0;
    base = base ? base + 1 : path;
    if (!*base)
        return yq__errf(e, YQ_STATUS_IO, "%s: not a file name", path);
    char tmp[SLOT_PATH];
    int n = snprintf(tmp, sizeof tmp, "%.*s.%s.tmp-XXXXXX", (int)dir_len, path, base);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return yq__errf(e, YQ_STATUS_IO, "%.200s...: path too long", path);
    struct yq_atomic_file *a = yq__calloc(1, sizeof *a);
    char *p = yq__strdup(path);
    if (!a || !p) {
        yq__free(a);
        yq__free(p);
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
    }
    a->path = p;
    /* block signals while the temp file exists but is not yet in the table */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int fd = mkstemp(tmp);
    int err = errno;
    if (fd >= 0) {
        a->slot = slot_claim(tmp);
        if (a->slot < 0) {
            unlink(tmp);
            close(fd);
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        yq__free(p);
        yq__free(a);
        return yq__errf(e, YQ_STATUS_IO, "%s: cannot create (%s)", path, strerror(err));
    }
    if (a->slot < 0) {
        yq__free(p);
        yq__free(a);
        return yq__errf(e, YQ_STATUS_BAD_STATE, "%s: too many output files open", path);
    }
    /* mkstemp makes 0600; the finished file gets the usual 0666 & ~umask */
    mode_t um = umask(022);
    umask(um);
    if (fchmod(fd, 0666 & ~um) != 0 || !(a->f = fdopen(fd, "wb"))) {
        err = errno;
        close(fd);
        unlink(tmp);
        slot_release(a->slot);
        yq__free(p);
        yq__free(a);
        return yq__errf(e, YQ_STATUS_IO, "%s: cannot create (%s)", path, strerror(err));
    }
    *out = a;
    *f = a->f;
    return YQ_STATUS_OK;
}

static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[SLOT_PATH];
    if (!slash)
        memcpy(dir, ".", 2);
    else {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        if (n >= sizeof dir)
            return;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static void atomic_free(struct yq_atomic_file *a)
{
    slot_release(a->slot);
    yq__free(a->path);
    yq__free(a);
}

enum yq_status yq__atomic_commit(struct yq_atomic_file *a, struct yq__err *e)
{
    if (!a)
        return yq__errf(e, YQ_STATUS_INVALID_ARGUMENT, "atomic commit: NULL file");
    int err = 0;
    if (fflush(a->f) != 0 || ferror(a->f))
        err = errno ? errno : EIO;
    if (!err && fsync(fileno(a->f)) != 0)
        err = errno;
    if (fclose(a->f) != 0 && !err)
        err = errno ? errno : EIO;
    a->f = NULL;
    if (!err && rename(slot_path[a->slot], a->path) != 0)
        err = errno;
    enum yq_status st = YQ_STATUS_OK;
    if (err) {
        unlink(slot_path[a->slot]);
        st = yq__errf(e, YQ_STATUS_IO, "%s: write failed (%s)", a->path, strerror(err));
    } else {
        sync_dir(a->path);
    }
    atomic_free(a);
    return st;
}

void yq_atomic_abort(struct yq_atomic_file *a)
{
    if (!a)
        return;
    if (a->f)
        fclose(a->f);
    unlink(slot_path[a->slot]);
    atomic_free(a);
}

enum yq_status yq_atomic_open(const char *path, struct yq_atomic_file **out, FILE **f,
                              char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    if (!path || !out || !f)
        return yq__errf(&e, YQ_STATUS_INVALID_ARGUMENT, "atomic open: NULL argument");
    return yq__atomic_open(path, out, f, &e);
}

enum yq_status yq_atomic_commit(struct yq_atomic_file *a, char *err, size_t err_cap)
{
    struct yq__err e = {err, err_cap};
    return yq__atomic_commit(a, &e);
}

enum yq_status yq__atomic_write(const char *path, const void *data, size_t size,
                                struct yq__err *e)
{
    struct yq_atomic_file *a;
    FILE *f;
    enum yq_status st = yq__atomic_open(path, &a, &f, e);
    if (st)
        return st;
    if (size && fwrite(data, 1, size, f) != size) {
        int err = errno ? errno : EIO;
        yq_atomic_abort(a);
        return yq__errf(e, YQ_STATUS_IO, "%s: write failed (%s)", path, strerror(err));
    }
    return yq__atomic_commit(a, e);
}

void yq__wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}
