#include "run_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checksum.h"
#include "dir_lock.h"
#include "teachkit/fd_io.h"

#define LOG_BUFFER (1u << 16)

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* CRC-32C of the first `bytes` bytes of `fd` (read with pread); -1 with
 * errno on a read error, -2 if the file is shorter. */
static int prefix_crc(int fd, uint64_t bytes, uint32_t *crc)
{
    char buf[1 << 16];
    uint64_t pos = 0;
    *crc = 0;
    while (pos < bytes) {
        size_t want = bytes - pos < sizeof buf ? (size_t)(bytes - pos) : sizeof buf;
        ssize_t n = pread(fd, buf, want, (off_t)pos);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return -2;
        *crc = tk_crc32c(*crc, buf, (size_t)n);
        pos += (uint64_t)n;
    }
    return 0;
}

int tk_line_log_open(tk_line_log *log, const char *dir, const char *name, uint64_t keep_bytes,
                     uint32_t keep_crc, tk_diag *d)
{
    memset(log, 0, sizeof *log);
    log->fd = -1;
    log->path = join(dir, name);
    log->buf = malloc(LOG_BUFFER);
    log->cap = LOG_BUFFER;
    if (!log->path || !log->buf)
        return tk_diag_set(d, dir, NULL, "out of memory");
    log->fd = open(log->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log->fd < 0)
        return tk_diag_set(d, log->path, NULL, "cannot open for writing: %s", strerror(errno));
    struct stat st;
    if (fstat(log->fd, &st) != 0)
        return tk_diag_set(d, log->path, NULL, "cannot stat: %s", strerror(errno));
    log->bytes_on_disk = (uint64_t)st.st_size;
    if (keep_bytes < log->bytes_on_disk) {
        if (ftruncate(log->fd, (off_t)keep_bytes) != 0)
            return tk_diag_set(d, log->path, NULL, "cannot truncate to the checkpoint: %s",
                               strerror(errno));
        log->bytes_on_disk = keep_bytes;
    }
    /* What a resume keeps was synced before its checkpoint; a truncation
     * must reach the disk too, so nothing is counted as synced. */
    log->bytes_synced = UINT64_MAX;
    if (keep_bytes != UINT64_MAX && keep_bytes == log->bytes_on_disk)
        log->crc = keep_crc;
    else if (prefix_crc(log->fd, log->bytes_on_disk, &log->crc) != 0)
        return tk_diag_set(d, log->path, NULL, "cannot read: %s", strerror(errno));
    return 0;
}

int tk_log_prefix_check(const char *dir, const char *name, uint64_t bytes, uint32_t crc,
                        char *why, size_t size)
{
    char *path = join(dir, name);
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    free(path);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd < 0 && errno == ENOENT) {
            if (bytes == 0)
                return 0;
            snprintf(why, size, "%s is missing but the checkpoint covers %llu bytes of it", name,
                     (unsigned long long)bytes);
            return -1;
        }
        snprintf(why, size, "%s cannot be read: %s", name, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    uint32_t got;
    int rc = (uint64_t)st.st_size < bytes ? -2 : prefix_crc(fd, bytes, &got);
    close(fd);
    if (rc == -2)
        snprintf(why, size, "%s holds %llu bytes but the checkpoint covers %llu: lines it "
                            "records were lost (a power loss or a copy cut short?)",
                 name, (unsigned long long)st.st_size, (unsigned long long)bytes);
    else if (rc < 0)
        snprintf(why, size, "%s cannot be read: %s", name, strerror(errno));
    else if (got != crc)
        snprintf(why, size, "the first %llu bytes of %s differ from those the checkpoint "
                            "covers (CRC-32C %08x, expected %08x)",
                 (unsigned long long)bytes, name, got, crc);
    return rc == 0 && got == crc ? 0 : -1;
}

int tk_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    errno = err;
    /* Some file systems cannot sync a directory; nothing more to do there. */
    return rc == 0 || err == EINVAL || err == EROFS ? 0 : -1;
}

int tk_line_log_flush(tk_line_log *log, tk_diag *d)
{
    if (log->fd < 0 || log->used == 0)
        return 0;
    if (tk_write_full(log->fd, log->buf, log->used) != 0) {
        int err = errno;
        /* Cut a partial write back to the last whole line. */
        if (ftruncate(log->fd, (off_t)log->bytes_on_disk) != 0)
            err = errno;
        log->used = 0;
        return tk_diag_set(d, log->path, NULL,
                           "write failed: %s; the lines written before are intact", strerror(err));
    }
    log->crc = tk_crc32c(log->crc, log->buf, log->used);
    log->bytes_on_disk += log->used;
    log->used = 0;
    return 0;
}

int tk_line_log_sync(tk_line_log *log, tk_diag *d)
{
    if (tk_line_log_flush(log, d))
        return -1;
    /* A log that did not grow since its last sync (teacher.jsonl between
     * snapshots) costs nothing. */
    if (log->fd < 0 || log->bytes_synced == log->bytes_on_disk)
        return 0;
    if (fsync(log->fd) != 0 && errno != EINVAL)
        return tk_diag_set(d, log->path, NULL, "fsync failed: %s", strerror(errno));
    log->bytes_synced = log->bytes_on_disk;
    return 0;
}

int tk_line_log_append(tk_line_log *log, const char *line, size_t len, tk_diag *d)
{
    if (log->used + len + 1 > log->cap && tk_line_log_flush(log, d))
        return -1;
    if (len + 1 > log->cap) {
        /* A line larger than the buffer (a big snapshot) goes out alone. */
        if (tk_write_full(log->fd, line, len) || tk_write_full(log->fd, "\n", 1)) {
            int err = errno;
            if (ftruncate(log->fd, (off_t)log->bytes_on_disk) != 0)
                err = errno;
            return tk_diag_set(d, log->path, NULL,
                               "write failed: %s; the lines written before are intact",
                               strerror(err));
        }
        log->crc = tk_crc32c(tk_crc32c(log->crc, line, len), "\n", 1);
        log->bytes_on_disk += len + 1;
        return 0;
    }
    memcpy(log->buf + log->used, line, len);
    log->buf[log->used + len] = '\n';
    log->used += len + 1;
    return 0;
}

int tk_line_log_close(tk_line_log *log, tk_diag *d)
{
    int rc = 0;
    if (log->fd >= 0) {
        rc = tk_line_log_sync(log, d);
        close(log->fd);
    }
    free(log->path);
    free(log->buf);
    memset(log, 0, sizeof *log);
    log->fd = -1;
    return rc;
}

int tk_write_json_atomic(const char *dir, const char *name, const json_t *json, tk_diag *d)
{
    char *target = join(dir, name);
    char *text = json_dumps(json, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
    if (!target || !text) {
        /* jansson refuses strings that are not UTF-8: say so, not errno. */
        int rc = tk_diag_set(d, target ? target : dir, NULL,
                             "cannot write: %s; the previous version is intact",
                             target ? "the JSON cannot be serialised (a string that is not "
                                      "UTF-8?)"
                                    : "out of memory");
        free(text);
        free(target);
        return rc;
    }
    char tmp[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", target, (long)getpid());
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || tk_write_full(fd, text, strlen(text)) || tk_write_full(fd, "\n", 1) || fsync(fd) != 0) {
        rc = tk_diag_set(d, target, NULL, "cannot write: %s; the previous version is intact",
                         strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(tmp);
    } else {
        close(fd);
        if (rename(tmp, target) != 0) {
            rc = tk_diag_set(d, target, NULL, "cannot rename into place: %s", strerror(errno));
            unlink(tmp);
        }
    }
    free(text);
    free(target);
    return rc;
}

static int mkdir_p(const char *dir)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int tk_prepare_run_dir(const char *dir, int resume, int *lock_fd, tk_diag *d)
{
    *lock_fd = -1;
    if (strlen(dir) >= PATH_MAX - 64)
        return tk_diag_set(d, dir, NULL, "output directory path is too long");
    if (mkdir_p(dir) != 0)
        return tk_diag_set(d, dir, NULL, "cannot create the output directory: %s",
                           strerror(errno));
    /* Locked before looking at what the directory holds: another writer may
     * be about to create it. */
    int fd = tk_dir_lock(dir, "run", d);
    if (fd < 0)
        return fd == -1 ? -2 : -1;
    static const char *const results[] = {"episodes.jsonl", "summary.json", "evals.jsonl", NULL};
    for (size_t i = 0; !resume && results[i]; i++) {
        char *p = join(dir, results[i]);
        int exists = access(p, F_OK) == 0;
        free(p);
        if (exists) {
            tk_dir_unlock(fd);
            return tk_diag_set(d, dir, NULL,
                               "already holds a run (%s); pass --resume to continue it, another "
                               "--out directory, or remove it: teachkit never overwrites results",
                               results[i]);
        }
    }
    *lock_fd = fd;
    return 0;
}
