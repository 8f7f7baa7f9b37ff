/*
 * Runs the runs of a study in worker processes: each run is a child
 * `teachkit run --resume` in its own process, so a crash, abort or hang in a
 * plugin fails that run only.  The outcome of a failed run (exit status or
 * signal, and the tail of its log) is written to RUN_DIR/failure.json.
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

/* Runs every job; returns the number of failed runs. */
size_t tk_pool_run(const tk_pool_job *jobs, size_t n, const tk_pool_options *opt);

#endif
