/*
 * One test episode: the experiment's student, acting deterministically, on
 * a chosen task of the evaluation env, to the end of the episode or the
 * env's step limit.  The runner's evaluations (runner.c) and `teachkit
 * render` (cmd_render.c) play their episodes through this one loop, so the
 * two agree step for step.
 *
 * Single-threaded: enters the experiment's student and evaluation env, which
 * the caller must not use meanwhile.
 */
#ifndef TK_HOST_EPISODE_PLAYER_H
#define TK_HOST_EPISODE_PLAYER_H

#include <stdint.h>

#include "teachkit/diag.h"
#include "experiment.h"

/* Called once after the reset (steps = 0, done = 0) and after every step
 * (steps = steps played so far, done = the env's flag).  Returning non-zero
 * ends the episode at once, and tk_play_episode returns that value (with
 * `d` filled by the watcher). */
typedef int (*tk_episode_watch)(void *user, uint64_t steps, int done, tk_diag *d);

typedef struct tk_episode_player {
    tk_experiment *x;            /* borrowed: its student and eval_env are used */
    const char *manifest_file;   /* borrowed, named in error messages; may be NULL */
    float *obs;                  /* borrowed, x->info.obs_dim floats of scratch */
    float *action;               /* borrowed, x->info.act_dim floats of scratch */
    tk_episode_watch watch;      /* optional */
    void *user;                  /* passed to watch, borrowed */
} tk_episode_player;

/* Play one episode on `task` (x->info.task_space.dims values) and write its
 * return to *ret.  Returns 0, or -1 with `d` filled when a plugin call
 * fails or the env returns a non-finite reward, or the watcher's value. */
int tk_play_episode(const tk_episode_player *p, const float *task, double *ret, tk_diag *d);

#endif
