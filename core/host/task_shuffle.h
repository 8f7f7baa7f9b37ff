/*
 * A task space cut into equal intervals per dimension whose order is
 * shuffled ("rugged difficulty", TeachMyAgent's DimensionsShuffler:
 * flowersteam/TeachMyAgent, TeachMyAgent/teachers/utils/dimensions_shuffler.py).
 * The teacher proposes tasks in the shuffled space; each value is mapped
 * linearly from its interval onto the interval that took its place, and the
 * env plays the result.  Same semantics as the reference: dimension i is cut
 * into `cuttings` intervals [low + j*w, low + (j+1)*w], w = (high-low)/cuttings;
 * one NumPy-compatible MT19937 seeded with `seed` shuffles the interval list
 * of every dimension in turn, so a (seed, cuttings, bounds) triple gives
 * TeachMyAgent's mapping.  A value on a boundary belongs to the lower
 * interval, as the reference's first-match search decides.
 *
 * Ownership: tk_task_shuffle_create returns an object the caller frees with
 * tk_task_shuffle_free; it copies the bounds.  Threads: the object is
 * read-only after creation and may be shared.
 */
#ifndef TK_HOST_TASK_SHUFFLE_H
#define TK_HOST_TASK_SHUFFLE_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/plugin.h"

typedef struct tk_task_shuffle tk_task_shuffle;

/* NULL when out of memory or cuttings is 0. */
tk_task_shuffle *tk_task_shuffle_create(const tk_task_space *space, uint32_t cuttings,
                                        uint32_t seed);
void tk_task_shuffle_free(tk_task_shuffle *ts);

/* The env's task for the teacher's task `in` (the reference's
 * interpolate_task); `in` and `out` hold the space's dims values. */
void tk_task_shuffle_to_env(const tk_task_shuffle *ts, const float *in, float *out);
/* The inverse (inverse_interpolate_task): the teacher's coordinates of an
 * env task, e.g. to place a distribution given in env coordinates. */
void tk_task_shuffle_to_teacher(const tk_task_shuffle *ts, const float *in, float *out);

/* Interval j of dimension i is played where interval perm(i, j) lies. */
size_t tk_task_shuffle_perm(const tk_task_shuffle *ts, size_t dim, size_t interval);

#endif
