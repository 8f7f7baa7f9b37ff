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
    int interrupted;           /* stopped by SIGINT/SIGTERM/SIGHUP */
    int timed_out;             /* stopped by the time limit */
    int resumed;               /* continued from a checkpoint */
} tk_run_result;

typedef struct tk_run_options {
    /* Continue the run in out_dir from its checkpoint (logs are cut back
     * to the checkpoint); without a checkpoint the run restarts and its
     * logs are emptied. */
    int resume;
    /* Wall-clock limit of this call in seconds (0: none): the run then stops
     * as on SIGTERM, and is killed if its episode does not end within a
     * tenth of the limit (1 to 30 s) after it. */
    double timeout_seconds;
} tk_run_options;

/* Seconds a run gets to end its episode after its deadline (or a study's
 * stop request) before it is killed: a tenth of its time limit, 1 to 30 s;
 * 30 s without a limit (timeout_seconds = 0). */
double tk_run_stop_grace(double timeout_seconds);

/* Run `x` to the end of its budget, writing into `out_dir` (which must have
 * been prepared with tk_prepare_run_dir).  Returns 0, or -1 with `d`
 * filled; logs written so far stay intact either way.  SIGINT, SIGTERM and
 * SIGHUP stop the run with a checkpoint, after the current step when the
 * student can be saved inside an episode (episode_record.h), else after the
 * current episode; a second one ends the process at once (exit status 130). */
int tk_run_experiment(tk_experiment *x, const char *out_dir, const tk_run_options *opt,
                      tk_run_result *result, tk_diag *d);

#endif
