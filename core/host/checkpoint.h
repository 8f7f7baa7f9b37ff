/*
 * Run checkpoints: everything needed to continue a run exactly where it
 * stopped -- the loop counters, the byte length of each log at that moment,
 * every instance's RNG stream and the plugins' own state (their save/load
 * hooks).  Written to RUN_DIR/checkpoint.bin by write-then-rename, so a kill
 * at any moment leaves either the previous or the new checkpoint.
 *
 * A resumed run truncates its logs to the recorded lengths (dropping lines
 * written after the checkpoint) and continues; since all randomness and
 * state are restored, it writes the same lines an uninterrupted run would.
 */
#ifndef TK_HOST_CHECKPOINT_H
#define TK_HOST_CHECKPOINT_H

#include <stdint.h>

#include "experiment.h"

enum { TK_PHASE_TEACHER, TK_PHASE_ENV, TK_PHASE_STUDENT, TK_PHASE_EVAL, TK_PHASE_IO,
       TK_N_PHASES };
enum { TK_LOG_EPISODES, TK_LOG_EVALS, TK_LOG_TEACHER, TK_N_LOGS };

/* The runner's counters: what a checkpoint stores besides plugin state. */
typedef struct tk_run_progress {
    uint64_t episodes, env_steps, skipped;
    uint64_t next_eval_steps;    /* env-step count of the next step-based evaluation */
    uint64_t last_eval_episode;  /* episode count at the last evaluation, UINT64_MAX if none */
    double last_mastered_pct, last_mean_return;
    uint64_t have_eval;
    double phase_seconds[TK_N_PHASES];
    double wall_seconds;         /* wall time of the run up to the checkpoint */
    uint64_t log_bytes[TK_N_LOGS];
} tk_run_progress;

/* 1 if every instance of `x` implements save and load. */
int tk_checkpoint_supported(const tk_experiment *x);
/* A short reason why not ("teacher riac has no save/load"), or NULL. */
const char *tk_checkpoint_unsupported_reason(const tk_experiment *x, char *buf, size_t size);

int tk_checkpoint_write(const char *run_dir, const tk_experiment *x, const tk_run_progress *p,
                        tk_diag *d);
/* Restore into freshly created instances.  Returns 1 if there is no
 * checkpoint file, 0 if restored, -1 on error (corrupt or from another
 * manifest). */
int tk_checkpoint_read(const char *run_dir, tk_experiment *x, tk_run_progress *p, tk_diag *d);

#endif
