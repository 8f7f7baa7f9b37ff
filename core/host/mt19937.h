/*
 * The Mersenne Twister MT19937 (Matsumoto and Nishimura, 1998) seeded and
 * drawn the way NumPy's legacy `np.random.RandomState(seed)` does, so that a
 * permutation it made can be made again here: TeachMyAgent's DimensionsShuffler
 * (flowersteam/TeachMyAgent, TeachMyAgent/teachers/utils/dimensions_shuffler.py)
 * cuts each task dimension with `RandomState(seed).shuffle`.  Not a general
 * random source: runs draw from tk_rng.
 *
 * Ownership: a plain struct the caller embeds.  Threads: one generator is
 * never used from two threads at once.
 */
#ifndef TK_HOST_MT19937_H
#define TK_HOST_MT19937_H

#include <stddef.h>
#include <stdint.h>

#define TK_MT19937_N 624

typedef struct tk_mt19937 {
    uint32_t key[TK_MT19937_N];
    int pos;
} tk_mt19937;

/* Seeded as RandomState(seed) for an integer seed (the reference's init_genrand). */
void tk_mt19937_seed(tk_mt19937 *mt, uint32_t seed);
uint32_t tk_mt19937_next(tk_mt19937 *mt);
/* A uniform integer in [0, max] by masked rejection, as NumPy's legacy
 * random_interval (max below 2^32). */
uint32_t tk_mt19937_interval(tk_mt19937 *mt, uint32_t max);
/* perm[0..n) permuted in place as RandomState.shuffle permutes a list. */
void tk_mt19937_shuffle(tk_mt19937 *mt, size_t *perm, size_t n);

#endif
