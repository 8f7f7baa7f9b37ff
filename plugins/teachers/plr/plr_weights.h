/*
 * The replay distribution of Prioritized Level Replay (Jiang et al., ICML
 * 2021, eqs. 1-3; facebookresearch/dcd level_replay/level_sampler.py,
 * `sample_weights` and `_score_transform`): rank prioritisation of the
 * levels' scores with temperature beta, mixed with a staleness
 * distribution by rho.  Pure functions of their arguments: thread-safe.
 */
#ifndef PLR_WEIGHTS_H
#define PLR_WEIGHTS_H

#include <stddef.h>

/* A level's score and index in the buffer, as the ranking sorts them. */
typedef struct plr_ranked {
    double score;
    size_t index;
} plr_ranked;

/* P_S: h(S_i)^(1/beta) / sum_j h(S_j)^(1/beta) with h = 1 / rank(S_i),
 * ranks from 1 for the highest score; equal scores take ranks in index
 * order.  Scores are finite.  `order` is scratch of n entries.  n >= 1. */
void plr_rank_weights(const double *scores, size_t n, double temperature, plr_ranked *order,
                      double *w_out);

/* P_C: staleness^(1/temperature) normalised (the "power" transform of the
 * authors' code, whose eps is 0 once staleness is mixed in); uniform when
 * every staleness is 0. */
void plr_staleness_weights(const double *staleness, size_t n, double temperature, double *w_out);

/* P_replay = (1 - rho) P_S + rho P_C.  `scratch` holds n doubles,
 * `order` n entries. */
void plr_replay_weights(const double *scores, const double *staleness, size_t n,
                        double temperature, double staleness_coef,
                        double staleness_temperature, plr_ranked *order, double *scratch,
                        double *w_out);

#endif
