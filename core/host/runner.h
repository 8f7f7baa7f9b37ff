/*
 * The training loop: teacher -> env -> student, with periodic evaluation,
 * teacher snapshots and the run directory's logs (docs/manifest.md, "Run
 * directory").  Single-threaded; one run per call.
 */
#ifndef TK_HOST_RUNNER_H
#define TK_HOST_RUNNER_H

#include "experiment.h"

typedef struct tk_run_result {
    uint64_t episodes;
    uint64_t env_steps;
    double final_mastered_pct;
    double wall_seconds;
    int interrupted;           /* stopped by SIGINT/SIGTERM */
    int resumed;               /* continued from a checkpoint */
} tk_run_result;

typedef struct tk_run_options {
    /* Continue the run in out_dir from its checkpoint (logs are cut back
     * to the checkpoint); without a checkpoint the run restarts and its
     * logs are emptied. */
    int resume;
} tk_run_options;

/* Run `x` to the end of its budget, writing into `out_dir` (which must have
 * been prepared with tk_prepare_run_dir).  Returns 0, or -1 with `d`
 * filled; logs written so far stay intact either way.  SIGINT and SIGTERM
 * stop the run after the current episode, with a checkpoint. */
int tk_run_experiment(tk_experiment *x, const char *out_dir, const tk_run_options *opt,
                      tk_run_result *result, tk_diag *d);

#endif
