/*
 * CurrOT's success buffer (psclklnk/currot deep_sprl/teachers/spl/currot.py,
 * AbstractSuccessBuffer and WassersteinSuccessBuffer): up to `cap` tasks
 * with their returns, from which the constrained step draws replacements
 * for the particles the student does not yet master.
 *
 * Two regimes (Klink et al. 2022, section 4 and appendix):
 *  - until the buffer's median return exceeds delta, the buffer keeps the
 *    best returns seen: each batch's tasks at or above the median enter it,
 *    sorted by return, the lowest leaving once it is full;
 *  - afterwards only tasks whose return is >= delta enter it.  They replace
 *    entries below delta (the lowest first) while there are any; once every
 *    entry is >= delta and the buffer is full, the buffer keeps the `cap`
 *    tasks of old and new successes that a minimum-cost assignment matches
 *    to `cap` target samples (currot_assign.h), so that it spreads towards
 *    the target distribution.
 *
 * Pure state and arithmetic; compiled into tests/plugins/test_currot.c too.
 */
#ifndef CURROT_BUFFER_H
#define CURROT_BUFFER_H
#include <stddef.h>

#include "teachkit/plugin.h"
#include "teachkit/state.h"

typedef struct currot_buffer {
    size_t d, cap;     /* cap: the number of particles (the authors' max_size) */
    size_t len;        /* 1..cap */
    double *ctx;       /* owned: cap x d, row-major */
    double *ret;       /* owned: cap; ascending while !delta_reached */
    int delta_reached; /* the second regime */
    int has_min_ret;   /* min_ret is set (after the first batch) */
    double min_ret;    /* the lowest return of the first batch */
    double delta;      /* the performance threshold */
    /* Search noise of read_update: standard deviation min_std + s x
     * delta_std[k] with s = max(delta - return, 0) / (delta - min_ret). */
    double min_std;    /* the authors' 0.005 epsilon */
    double *delta_std; /* owned, d: a quarter of each task-space range */
    /* owned scratch for the updates: 2 cap rows, values, indices and
     * sort keys */
    double *w_ctx, *w_ret;
    size_t *w_idx, *w_from;
    struct currot_key *w_key;
} currot_buffer;

/* A sort key: ascending value, ties by index (numpy's argsort and
 * argpartition break ties by their own order; the toy grid's returns do
 * tie, so this order is part of the documented behaviour). */
typedef struct currot_key {
    double v;
    size_t i;
} currot_key;
void currot_sort_keys(currot_key *k, size_t n);

/* Allocates the buffer for the task space [lo, hi] in its initial state,
 * one task (all zeros) with return -inf, as the authors'.  Returns 0 or -1. */
int currot_buffer_init(currot_buffer *b, size_t d, size_t cap, double delta, double epsilon,
                       const double *lo, const double *hi);
void currot_buffer_free(currot_buffer *b);

/* Offers a batch of n < cap tasks (n x d) and returns.  `target` holds cap
 * samples of the target distribution (cap x d), used once the buffer is
 * full of successes.  failed[i] is set to 1 for the tasks that did not
 * enter the buffer.  Returns 0, or -1 when memory runs out (the buffer is
 * then unchanged). */
int currot_buffer_update(currot_buffer *b, const double *ctx, const double *ret, size_t n,
                         const double *target, unsigned char *failed);

/* cap tasks for the constrained step (cap x d into `out`): buffer entries
 * drawn from `rng` (proportionally to their return above the lower half's
 * largest, among the upper half, in the first regime; every entry once and
 * the rest uniformly in the second), plus Gaussian search noise whose
 * scale shrinks as the entry's return approaches delta.  Draws leaving
 * [lo, hi] are redrawn up to 10 times, then clipped. */
void currot_buffer_read_update(currot_buffer *b, tk_rng *rng, const double *lo,
                               const double *hi, double *out);

/* The standard deviation of read_update's noise for entry j, dimension k:
 * min_std + s delta_std[k], s = max(delta - return_j, 0) / (delta - min_ret),
 * s = 0 when delta <= min_ret (where the original divides by <= 0). */
double currot_buffer_noise_std(const currot_buffer *b, size_t j, size_t k);

/* Checkpoint record of the mutable state; get checks it and returns 0, or
 * -1 (the buffer is then unchanged). */
void currot_buffer_put(const currot_buffer *b, tk_state_writer *w);
int currot_buffer_get(currot_buffer *b, tk_state_reader *r);

#endif
