#include "dir_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static int open_lock_file(const char *dir, int flags)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, TK_LOCK_FILE) >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* O_NOFOLLOW: a planted symlink must not make us truncate another file. */
    return open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0644);
}

/* The pid recorded in the lock file; 0 if none is readable (the holder may
 * not have written it yet). */
static pid_t recorded_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    long pid = strtol(buf, NULL, 10);
    return pid > 0 ? (pid_t)pid : 0;
}

static int lock(const char *dir, const char *what, int shared, tk_diag *d)
{
    int fd = open_lock_file(dir, O_RDWR | O_CREAT);
    if (fd < 0) {
        tk_diag_set(d, dir, NULL, "cannot create the %s directory's lock file %s: %s", what,
                    TK_LOCK_FILE, strerror(errno));
        return -2;
    }
    if (flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
        int err = errno;
        pid_t holder = err == EWOULDBLOCK ? recorded_pid(fd) : 0;
        close(fd);
        if (err != EWOULDBLOCK) {
            tk_diag_set(d, dir, NULL, "cannot lock the %s directory: %s", what, strerror(err));
            return -2;
        }
        char who[64] = "another teachkit process";
        if (holder)
            snprintf(who, sizeof who, "teachkit process %ld", (long)holder);
        return tk_diag_set(d, dir, NULL,
                           "%s is writing this %s directory, and two writers would corrupt it; "
                           "wait for it to end%s, or choose another --out",
                           who, what, holder ? " (or stop it)" : "");
    }
    /* Shared holders record no pid (one of several would mislead), and
     * clear a stale one. */
    char pid[32];
    int len = shared ? 0 : snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || (len && pwrite(fd, pid, (size_t)len, 0) != len)) {
        /* The lock holds all the same; a refused writer then says "another
         * teachkit process" instead of naming the pid. */
    }
    return fd;
}

int tk_dir_lock(const char *dir, const char *what, tk_diag *d)
{
    return lock(dir, what, 0, d);
}

int tk_dir_lock_shared(const char *dir, const char *what, tk_diag *d)
{
    return lock(dir, what, 1, d);
}

void tk_dir_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

pid_t tk_dir_lock_holder(const char *dir)
{
    int fd = open_lock_file(dir, O_RDONLY);
    if (fd < 0)
        return 0;
    pid_t holder = 0;
    /* A shared lock taken and dropped at once: it fails only while a writer
     * holds the exclusive one. */
    if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        holder = recorded_pid(fd);
        if (holder == 0)
            holder = -1;
    }
    close(fd);
    return holder;
}
