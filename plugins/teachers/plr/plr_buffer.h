/*
 * The level buffer of PLR (facebookresearch/dcd level_replay/
 * level_sampler.py in its `sample_full_distribution` mode): up to `cap`
 * levels, each a task and an env seed with its score, the largest
 * discounted return seen on it (for MaxMC) and its staleness.
 *
 * Owned by one teacher instance: [instance].
 */
#ifndef PLR_BUFFER_H
#define PLR_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "plr_weights.h"
#include "teachkit/plugin.h"
#include "teachkit/state.h"

typedef struct plr_buffer {
    size_t cap, dims, n;
    float *task;          /* cap x dims, owned */
    uint64_t *seed;       /* cap, owned */
    double *score;        /* cap */
    double *max_return;   /* cap: largest discounted return seen, for MaxMC */
    double *staleness;    /* cap: replays of other levels since this one was played */
    double *weights;      /* cap: scratch for the replay distribution */
    double *scratch;      /* cap */
    plr_ranked *order;    /* cap: scratch for the ranking */
} plr_buffer;

/* 0, or -1 when out of memory (then plr_buffer_free all the same). */
int plr_buffer_init(plr_buffer *b, size_t cap, size_t dims);
void plr_buffer_free(plr_buffer *b);

/* The replay distribution over the n levels, in b->weights. */
void plr_buffer_weights(plr_buffer *b, double temperature, double staleness_coef,
                        double staleness_temperature);

/* A replay of level i: every other level grows staler, i becomes fresh. */
void plr_buffer_touch(plr_buffer *b, size_t i);

/* Offers a new level with its first score: appended while the buffer has
 * room, else it replaces the level of least replay support (lowest
 * weight; b->weights must be current) when that level's score is not
 * higher.  Returns the index it took, or -1 when it was not kept. */
long plr_buffer_offer(plr_buffer *b, const float *task, uint64_t seed, double score,
                      double discounted_return);

void plr_buffer_put(const plr_buffer *b, tk_state_writer *w);
/* 0, or -1 with r->failed set. */
int plr_buffer_get(plr_buffer *b, tk_state_reader *r);

#endif
