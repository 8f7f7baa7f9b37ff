/*
 * The tasks the student tests (ppo, sac) train on, driven as the host
 * drives a student (core/host/runner.c: act -> step -> observe, then
 * end_episode).  Test code only.
 *
 *  - tracking: observation (x, y) uniform in [-1, 1]^2, reward -(a - x)^2,
 *    10-step episodes ended by the time limit, a fresh observation every
 *    step: learnt when the deterministic action follows x.
 *  - pendulum: the pendulum env plugin, found next to the student's plugin
 *    in the build tree (<build>/plugins/students/NAME/ ->
 *    <build>/plugins/envs/pendulum/) or given by TK_PENDULUM_PLUGIN.
 */
#ifndef TK_TEST_STUDENT_TASKS_H
#define TK_TEST_STUDENT_TASKS_H

#include <stdint.h>

#include "plugin_fixtures.h"
#include "teachkit/rng.h"

/* ----------------------------------------------------------------- tracking */

typedef struct tk_track_env {
    tk_rng rng; /* the observations; seed it before the first episode */
    float obs[2];
} tk_track_env;

/* The tracking task's student spec: 2 observations in [-1, 1], 1 action in
 * [-2, 2], 10-step episodes. */
tk_student_spec tk_track_spec(void);

/* Student `id` of `plugin` for the tracking task, with `overrides` merged
 * over its defaults: create() must succeed. */
void tk_track_student_open(tk_student_fx *fx, const char *plugin, const char *id, uint64_t seed,
                           const char *overrides);

/* create() of that student with `overrides` fails with TK_ERR_CONFIG naming
 * `path`. */
void tk_track_student_config_error(const char *plugin, const char *id, const char *overrides,
                                   const char *path);

/* A fresh first observation. */
void tk_track_reset(tk_track_env *e);

/* Plays one training episode; returns its return.  `trace` (optional)
 * receives the 10 actions. */
double tk_track_episode(tk_student_fx *fx, tk_track_env *e, float *trace);

/* ABI 1.2 on a student of the tracking task (`overrides` merged): after a
 * few training episodes, an episode begun with learn = 0 leaves its saved
 * state byte for byte as it was, and one begun with learn = 1 changes it;
 * both report finite positive value loss, mean value and discounted
 * return. */
void tk_track_check_no_learn(const char *plugin, const char *id, const char *overrides);

/* A fresh student (`overrides` merged, seed 41) trained for `episodes`
 * episodes (observation stream seed 42) has learnt the task: its
 * deterministic action is within `tol` of x over x = -1, -0.9, ..., 1. */
void tk_track_check_learns(const char *plugin, const char *id, const char *overrides,
                           int episodes, double tol);

/* ----------------------------------------------------------------- pendulum */

/* Find the pendulum plugin for `student_plugin` (call once, from main). */
void tk_pendulum_locate(const char *student_plugin);

/* Whether the plugin found by tk_pendulum_locate() exists; if not, says
 * that `who`'s learning tests are skipped. */
int tk_pendulum_found(const char *who);

/* Trains a fresh student (`id` of `plugin`, config `student_cfg` merged over
 * its defaults) on the fixed pendulum task (mass, length, torque) for
 * `episodes` episodes, then returns the mean return of `tests` evaluation
 * episodes on a second env instance.  TK_LEARN_SEED=k in the environment
 * replaces `seed` (robustness checks over seeds). */
double tk_pendulum_learn(const char *plugin, const char *id, const char *student_cfg,
                         float mass, float length, float torque, int episodes, int tests,
                         uint64_t seed);

#endif
