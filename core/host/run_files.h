/*
 * Files of a run directory, written so that a killed process never leaves a
 * torn result:
 *  - JSON Lines logs are appended in whole lines only (a buffer of complete
 *    lines handed to write(2)), so every line on disk is complete;
 *  - whole files (manifest.json, summary.json) are written to a temporary
 *    file, fsync'ed, then renamed over the target.
 * Single-threaded use per object.
 */
#ifndef TK_HOST_RUN_FILES_H
#define TK_HOST_RUN_FILES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "teachkit/diag.h"

typedef struct tk_line_log {
    int fd;
    char *path;
    char *buf;
    size_t used, cap;
    uint64_t bytes_on_disk;  /* file length after the last flush */
    uint64_t bytes_synced;   /* file length at the last fsync */
    uint32_t crc;            /* CRC-32C of those bytes */
} tk_line_log;

/* Open `dir/name` for appending (created if absent), first truncating it to
 * `keep_bytes` (pass UINT64_MAX to keep it whole): a resumed run drops the
 * lines written after its checkpoint.  `keep_crc` is the CRC-32C of the
 * first `keep_bytes` bytes (from tk_log_prefix_check); it is ignored, and
 * the file read, when keeping it whole. */
int tk_line_log_open(tk_line_log *log, const char *dir, const char *name, uint64_t keep_bytes,
                     uint32_t keep_crc, tk_diag *d);
/* Append one line (without its newline; must contain none). */
int tk_line_log_append(tk_line_log *log, const char *line, size_t len, tk_diag *d);
int tk_line_log_flush(tk_line_log *log, tk_diag *d);
/* Flush and fsync: the lines written so far survive a power loss. */
int tk_line_log_sync(tk_line_log *log, tk_diag *d);
/* Flush and close; safe on a zeroed struct. */
int tk_line_log_close(tk_line_log *log, tk_diag *d);

/* Whether `dir/name` still holds the `bytes` bytes of CRC-32C `crc` that a
 * checkpoint covers (a longer file is fine: its tail is cut on resume).
 * Returns 0, or -1 with the reason in why[size] ("holds 1200 bytes, the
 * checkpoint covers 5400"). */
int tk_log_prefix_check(const char *dir, const char *name, uint64_t bytes, uint32_t crc,
                        char *why, size_t size);

/* fsync a directory, so that the renames and creations in it survive a power
 * loss.  0 or -1 (errno). */
int tk_fsync_dir(const char *dir);

/* Write `json` to `dir/name` atomically (pretty-printed, sorted keys). */
int tk_write_json_atomic(const char *dir, const char *name, const json_t *json, tk_diag *d);

/* mkdir -p, then take the directory's lock (dir_lock.h; refused while
 * another process writes it), and refuse a directory that already holds a
 * run unless `resume` is set.  On success *lock_fd holds the lock until
 * tk_dir_unlock(*lock_fd).  Returns 0, -2 when another process holds the
 * lock, -1 on other errors (`d` filled). */
int tk_prepare_run_dir(const char *dir, int resume, int *lock_fd, tk_diag *d);

#endif
