/*
 * The forgetting student of TeachMyAgent's profiles (manifest
 * "student_reset"): every N training env steps the student is destroyed and
 * created again from its config, as TeachMyAgent's `--reset_frequency`
 * re-initialises its SAC and PPO learners (flowersteam/TeachMyAgent,
 * TeachMyAgent/students/spinup/algos/tf1/sac_v011/sac.py).
 *
 * Deviation: the reference resets in the middle of an episode at the exact
 * step; here the reset comes before the first training episode that starts
 * at or after a multiple of N, so that no episode is played by two students
 * and a checkpoint (taken between episodes, or inside one with everything
 * the episode needs) never has to hold a half-reset run.  When one episode
 * passes several multiples the student is reset once.
 *
 * An env that simulates its learner (feature "self-evaluation", e.g.
 * toy-grid, played with the student "none") is the learner, so it is
 * re-created too, from its config, with its own reset stream: a fresh
 * instance is a fresh learner, and the ABI needs no new entry for it.  Its
 * state after the reset is the instance's own, saved by its `save` like
 * any other, so checkpoints are unchanged.
 *
 * Threads: [main] like the rest of the runner.
 */
#ifndef TK_HOST_STUDENT_RESET_H
#define TK_HOST_STUDENT_RESET_H

#include <stdint.h>

#include "experiment.h"

/* The number of resets a run should have made after `env_steps` steps
 * (0 when the manifest asks for none). */
uint64_t tk_student_resets_due(const tk_manifest *m, uint64_t env_steps);

/* Destroys x's student and creates it again from its resolved config, with
 * a random stream derived from the run seed and `count` (the number of this
 * reset, from 1), so that every reset starts from a fresh, reproducible
 * stream.  The teacher's student_value calls reach the new student.  A
 * self-evaluating env is re-created the same way ("env/reset-K") and
 * x->info read from the new instance.  0, or -1 with `d` filled. */
int tk_student_reset(tk_experiment *x, uint64_t count, tk_diag *d);

#endif
