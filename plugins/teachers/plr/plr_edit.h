/*
 * ACCEL's level editor on a continuous task space (Parker-Holder et al.,
 * ICML 2022; facebookresearch/dcd, the "random" level_editor_method that
 * makes `num_edits` small random changes to a replayed level): each edit
 * picks a dimension uniformly and adds a Gaussian step of standard
 * deviation `scale` times the dimension's width, clipped to its bounds.
 * [instance]: draws from the caller's stream.
 */
#ifndef PLR_EDIT_H
#define PLR_EDIT_H

#include <stddef.h>

#include "teachkit/plugin.h"

/* Edits `task` (space->dims floats) in place with `num_edits` edits.  A
 * degenerate dimension (low == high) stays as it is. */
void plr_edit_task(tk_rng *rng, const tk_task_space *space, size_t num_edits, double scale,
                   float *task);

#endif
