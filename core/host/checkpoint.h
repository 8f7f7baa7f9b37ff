/*
 * Run checkpoints: everything needed to continue a run exactly where it
 * stopped -- the loop counters, the byte length and CRC-32C of each log at
 * that moment, every instance's RNG stream and the plugins' own state (their
 * save/load hooks).
 *
 * RUN/checkpoint.bin is a 32-byte header (magic "TKCP", format 2, body
 * length, CRC-32C of the body, CRC-32C of the header) and the body.  It is
 * written to a temporary file and fsync'ed; the previous checkpoint becomes
 * checkpoint.prev.bin, the new one is renamed into place and the directory
 * is fsync'ed.  The runner syncs the logs first, so a checkpoint never
 * covers lines a power loss could take back.
 *
 * A resume takes the newest checkpoint whose checksums hold and whose logs
 * still hold the bytes it covers (same length at least, same CRC); it falls
 * back to checkpoint.prev.bin, saying so, when checkpoint.bin is damaged or
 * ahead of its logs, so one damaged file costs one checkpoint interval.  The
 * logs are then cut back to the checkpoint (dropping lines written after it)
 * and, since all randomness and state are restored, the run writes the same
 * lines an uninterrupted run would.
 */
#ifndef TK_HOST_CHECKPOINT_H
#define TK_HOST_CHECKPOINT_H

#include <stdint.h>

#include "episode_record.h"
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
    uint64_t last_snapshot_episode; /* episode count at the last teacher snapshot, UINT64_MAX if none */
    uint64_t log_bytes[TK_N_LOGS];  /* length of each log the checkpoint covers */
    uint64_t log_crc[TK_N_LOGS];    /* CRC-32C of those bytes */
    /* Student re-creations so far (manifest student_reset); stored only by
     * runs that reset their student, so other checkpoints keep their bytes. */
    uint64_t student_resets;
} tk_run_progress;

/* The header that makes `body` a checkpoint file (tests and the fuzz
 * harness build files around their own bodies with it). */
#define TK_CHECKPOINT_HEADER_SIZE 32
void tk_checkpoint_header(uint8_t out[TK_CHECKPOINT_HEADER_SIZE], const void *body, size_t size);

/* The file name of log `i` (TK_LOG_*), "episodes.jsonl"... */
const char *tk_log_name(int i);

/* 1 if every instance of `x` implements save and load. */
int tk_checkpoint_supported(const tk_experiment *x);
/* A short reason why not ("teacher riac has no save/load"), or NULL. */
const char *tk_checkpoint_unsupported_reason(const tk_experiment *x, char *buf, size_t size);

/* Write a checkpoint of `x` at progress `p` (whose log lengths and CRCs the
 * caller filled after syncing the logs).  Between episodes `in_progress` is
 * NULL; inside one it is the episode's record (episode_record.h): the env's
 * slot then holds its start-of-episode state and the record follows the
 * instances. */
int tk_checkpoint_write(const char *run_dir, const tk_experiment *x, const tk_run_progress *p,
                        const tk_episode_record *in_progress, tk_diag *d);

/* The env's save() bytes (owned by the env, valid until its next call; NULL
 * and 0 when it has no save hook), for the record of an episode's start. */
int tk_checkpoint_env_state(const tk_experiment *x, const void **data, size_t *size, tk_diag *d);

enum {
    /* A resume by the holder of the run's lock: only accept a checkpoint
     * whose logs hold what it covers, and when the previous checkpoint is
     * taken, make it the current one (keeping the refused file). */
    TK_CHECKPOINT_RESUME = 1,
};

/* Restore into freshly created instances.  `in_progress` (initialised for
 * the run's dimensions, or NULL to ignore it) receives the record of the
 * episode the checkpoint was taken in; its steps are 0 when it was taken
 * between episodes.  Returns 1 if there is no
 * checkpoint, 0 if restored, -1 on error: every checkpoint damaged, from
 * another format, manifest or seed, or (with TK_CHECKPOINT_RESUME) ahead
 * of its logs; or a plugin's load refused its state.  When the
 * previous checkpoint was used, note[size] says why (else it is ""). */
int tk_checkpoint_read(const char *run_dir, tk_experiment *x, tk_run_progress *p,
                       tk_episode_record *in_progress, int flags, char *note, size_t note_size,
                       tk_diag *d);

#endif
