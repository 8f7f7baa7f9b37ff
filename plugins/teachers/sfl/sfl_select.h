/*
 * The arithmetic of Sampling For Learnability (Rutherford et al. 2024;
 * amacrutherford/sampling-for-learnability, sfl/train/jaxnav_sfl.py,
 * `get_learnability_set`): a level's learnability is p (1 - p) for its
 * success rate p, and the buffer keeps the levels of highest learnability.
 * Pure functions: thread-safe.
 */
#ifndef SFL_SELECT_H
#define SFL_SELECT_H

#include <stddef.h>
#include <stdint.h>

/* p (1 - p) with p = successes / plays; 0 for a level never played. */
double sfl_learnability(uint64_t successes, uint64_t plays);

/* Writes to top[k] the indices of the k levels of highest learnability
 * among n (k <= n), highest first, equal values in index order.  `order`
 * is scratch of n indices. */
void sfl_top_k(const double *learnability, size_t n, size_t k, size_t *order, size_t *top);

#endif
