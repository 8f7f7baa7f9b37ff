/*
 * FIFO replay buffer of transitions (o, a, r, o', d), float32, with uniform
 * sampling WITH replacement over everything stored (SpinningUp
 * `ReplayBuffer`: np.random.randint(0, size, batch_size)).
 *
 * Storage is one array per field (obs, act, rew, next_obs, done), allocated
 * once at full capacity.  The allocation is untouched until written, so on
 * Linux a 2M-transition buffer costs resident memory only for the
 * transitions stored so far: capacity * (2 obs_dim + act_dim + 2) * 4 bytes
 * when full (432 MB for 2M transitions of a 24-D observation, 4-D action
 * walker; tk_replay_bytes()).
 *
 * Randomness: only the tk_rng passed to tk_replay_sample.  [instance]
 */
#ifndef TEACHKIT_NN_REPLAY_H
#define TEACHKIT_NN_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/nn_io.h"
#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_replay tk_replay;

/* NULL on zero sizes or out of memory. */
tk_replay *tk_replay_new(size_t capacity, size_t obs_dim, size_t act_dim);
void tk_replay_free(tk_replay *rb);

size_t tk_replay_size(const tk_replay *rb);     /* transitions stored, <= capacity */
size_t tk_replay_capacity(const tk_replay *rb);
/* Bytes of the five arrays at full capacity. */
size_t tk_replay_bytes(size_t capacity, size_t obs_dim, size_t act_dim);

/* Store one transition (arrays borrowed), overwriting the oldest when full. */
void tk_replay_add(tk_replay *rb, const float *obs, const float *act, float rew,
                   const float *next_obs, float done);

/* Draw n indices uniformly with replacement (tk_rng_below) and gather the
 * transitions into the caller's arrays: obs/next_obs [n x obs_dim], act
 * [n x act_dim], rew[n], done[n].  Returns -1 if the buffer is empty. */
int tk_replay_sample(const tk_replay *rb, tk_rng *rng, size_t n, float *obs, float *act,
                     float *rew, float *next_obs, float *done);

/* Append the buffer (dimensions, write position and the `size` stored
 * slots, in storage order so that a restored buffer draws exactly the same
 * samples from the same RNG state) to `w` under records named "<prefix>.*";
 * read it back into a buffer created with the same capacity and dimensions
 * (-1 with the reason in r->error otherwise; every record is validated
 * before anything is overwritten, so a failed load leaves `rb` as it was). */
int tk_replay_save(const tk_replay *rb, tk_nn_writer *w, const char *prefix);
int tk_replay_load(tk_replay *rb, tk_nn_reader *r, const char *prefix);
/* Check that the records would load into `rb` and step over them. */
int tk_replay_skip(const tk_replay *rb, tk_nn_reader *r, const char *prefix);

#ifdef __cplusplus
}
#endif

#endif
