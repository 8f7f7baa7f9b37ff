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

#include "diag.h"

typedef struct tk_line_log {
    int fd;
    char *path;
    char *buf;
    size_t used, cap;
    uint64_t bytes_on_disk;  /* file length after the last flush */
} tk_line_log;

/* Open `dir/name` for appending (created if absent), first truncating it to
 * `keep_bytes` (pass UINT64_MAX to keep it whole): a resumed run drops the
 * lines written after its checkpoint. */
int tk_line_log_open(tk_line_log *log, const char *dir, const char *name, uint64_t keep_bytes,
                     tk_diag *d);
/* Append one line (without its newline; must contain none). */
int tk_line_log_append(tk_line_log *log, const char *line, size_t len, tk_diag *d);
int tk_line_log_flush(tk_line_log *log, tk_diag *d);
/* Flush and close; safe on a zeroed struct. */
int tk_line_log_close(tk_line_log *log, tk_diag *d);

/* Write `json` to `dir/name` atomically (pretty-printed, sorted keys). */
int tk_write_json_atomic(const char *dir, const char *name, const json_t *json, tk_diag *d);

/* mkdir -p; refuses an existing directory that already holds a run unless
 * `resume` is set. */
int tk_prepare_run_dir(const char *dir, int resume, tk_diag *d);

/* 1 if dir/summary.json exists and says "finished". */
int tk_run_dir_finished(const char *dir);

#endif
