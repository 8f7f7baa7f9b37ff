/*
 * Absolute-learning-progress computer of ALP-GMM (teachers.md section 2).
 *
 * Keeps the chronological history of (task, reward) pairs and, for a new
 * pair, returns lp = reward - reward_of_nearest_previous_task and alp = |lp|
 * (both 0 while 5 or fewer pairs are stored).  The nearest neighbour is exact
 * (Euclidean); on equal distances the oldest pair wins, which matches the
 * original's main-tree-over-buffer preference.
 *
 * History layout follows the original: a `buffer` of at most `buffer_size`
 * recent pairs that is flushed into `main` when full; with `max_size > 0`
 * the oldest main pairs are dropped at each flush down to max_size.
 * Search cost stays logarithmic in the history (static kd-trees merged like
 * a binary counter), and memory is linear.  Not thread-safe per object.
 */
#ifndef TEACHKIT_ALP_COMPUTER_H
#define TEACHKIT_ALP_COMPUTER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_alp_computer tk_alp_computer;

/* dim >= 1, buffer_size >= 1, max_size = 0 for an unbounded history.
 * NULL on OOM. */
tk_alp_computer *tk_alp_computer_new(size_t dim, size_t buffer_size, size_t max_size);
void tk_alp_computer_free(tk_alp_computer *alp);

/* Compute (alp, lp) for the pair, then store it.  `task` has `dim` values.
 * Returns 0, or -1 on OOM (nothing stored then). */
int tk_alp_computer_compute(tk_alp_computer *alp, const double *task, double reward,
                            double *alp_out, double *lp_out);

/* Number of pairs currently stored (main + buffer). */
size_t tk_alp_computer_size(const tk_alp_computer *alp);

#ifdef __cplusplus
}
#endif

#endif
