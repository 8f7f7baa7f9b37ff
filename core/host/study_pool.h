/*
 * Runs the runs of a study in worker processes: each run is a child
 * `teachkit run --resume` in its own process (and process group), so a
 * crash, abort, hang or exit() in a plugin fails that run only.  The outcome
 * of a failed run (exit status or signal, and the tail of its log) is written
 * to RUN_DIR/failure.json.  A run counts as done only when it exits 0 and its
 * summary.json says "finished".
 *
 * Workers cannot outlive the study: each dies with its parent
 * (PR_SET_PDEATHSIG), and SIGINT, SIGTERM or SIGHUP to the study are
 * forwarded to every worker's process group as SIGTERM, so that each stops
 * after its episode with a checkpoint; those still running a grace period
 * later, or at a second signal, are killed.
 */
#ifndef TK_HOST_STUDY_POOL_H
#define TK_HOST_STUDY_POOL_H

#include <stddef.h>

typedef struct tk_pool_job {
    const char *run_dir;    /* directory of the run (holds input.json) */
    const char *label;      /* for progress lines */
} tk_pool_job;

typedef struct tk_pool_options {
    int jobs;               /* worker processes, >= 1 */
    double timeout_seconds; /* per-run wall-clock limit, 0 = none */
    int quiet;
} tk_pool_options;

typedef struct tk_pool_result {
    size_t failed;          /* runs that failed (failure.json written) */
    size_t busy;            /* runs another process was writing (left alone) */
    size_t stopped;         /* runs stopped by a signal to the study (resumable) */
    int signal;             /* that signal, 0 if none came */
} tk_pool_result;

/* Runs every job (until a stop signal). */
void tk_pool_run(const tk_pool_job *jobs, size_t n, const tk_pool_options *opt,
                 tk_pool_result *result);

#endif
