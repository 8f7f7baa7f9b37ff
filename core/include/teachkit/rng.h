/*
 * Random numbers for teachkit: xoshiro256** seeded through splitmix64.
 *
 * Every random stream of a run is derived from the manifest seed with
 * tk_rng_derive(seed, role), so the same manifest and seed reproduce every
 * draw, and streams of different roles ("teacher", "env", "student", ...)
 * are independent.  A tk_rng is plain state (see <teachkit/plugin.h>): copy
 * it to fork a stream, store it to checkpoint it.  Not thread-safe: one
 * stream per thread.
 */
#ifndef TEACHKIT_RNG_H
#define TEACHKIT_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Seed `rng` from a 64-bit seed (any value, 0 included). */
void tk_rng_seed(tk_rng *rng, uint64_t seed);
/* Seed `rng` from `seed` and a role name, e.g. ("teacher"), so that each role
 * gets an independent stream of the same run seed. */
void tk_rng_derive(tk_rng *rng, uint64_t seed, const char *role);

uint64_t tk_rng_u64(tk_rng *rng);
/* Uniform double in [0, 1) with 53 random bits. */
double tk_rng_uniform(tk_rng *rng);
/* Uniform double in [low, high); exactly `low` when low == high. */
double tk_rng_range(tk_rng *rng, double low, double high);
/* Uniform integer in [0, n), unbiased; n must be > 0. */
uint64_t tk_rng_below(tk_rng *rng, uint64_t n);
/* Standard normal draw (Marsaglia polar method, no cached spare so that the
 * stream state is fully described by rng->s). */
double tk_rng_normal(tk_rng *rng);
/* Index drawn with probability v[i] / sum(v); uniform over [0, n) when the
 * sum is exactly 0.  Entries must be >= 0 and finite. */
size_t tk_rng_proportional(tk_rng *rng, const double *v, size_t n);

/* Uniform task in the box of `space`, cast to float32 (degenerate
 * dimensions return exactly `low`). */
void tk_rng_uniform_task(tk_rng *rng, const tk_task_space *space, float *task_out);

#ifdef __cplusplus
}
#endif

#endif
