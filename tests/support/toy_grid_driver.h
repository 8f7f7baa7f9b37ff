/*
 * teachDeepRL's toy-grid driver (the __main__ of teachDRL/toy_env/toy_env.py)
 * for teacher tests:
 * the teacher samples a task, the toy-grid env plays it in one step, the
 * teacher is updated with the raw reward.  Test code only.
 */
#ifndef TK_TEST_TOY_GRID_DRIVER_H
#define TK_TEST_TOY_GRID_DRIVER_H

#include <stdint.h>

#include "plugin_fixtures.h"

/* teachDeepRL's 2-D grid: 10 x 10 cells, no distractor dimension. */
#define TK_TOY_GRID_2D "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 0}"

/* Create the toy-grid env of `plugin` with `config` (as given; NULL: its
 * defaults) and the host stream seeded with `seed`; create() must succeed. */
void tk_toy_open(tk_env_fx *toy, const char *plugin, uint64_t seed, const char *config);

/* One episode of `t` on `toy` (a toy-grid env, the teacher created on its
 * task space). */
void tk_toy_episode(tk_env_fx *toy, const tk_teacher_fx *t);

/* The reference-curve run as the original loop writes it (i = 0 ..
 * episodes, so episodes + 1 episodes): before episode i = 5000, 10000, ...
 * the mastered percentage divided by `seeds` is added to curve[i / 5000 - 1]
 * (summed over that many runs: the mean curve). */
void tk_toy_curve(tk_env_fx *toy, const tk_teacher_fx *t, int episodes, int seeds,
                  double *curve);

#endif
