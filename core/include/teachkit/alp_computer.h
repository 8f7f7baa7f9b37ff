/*
 * Absolute-learning-progress computer of ALP-GMM (teachDeepRL
 * teachDRL/teachers/algos/alp_gmm.py, EmpiricalALPComputer, and the
 * BufferedDataset of teachDRL/teachers/utils/dataset.py it stores pairs in).
 *
 * Keeps the chronological history of (task, reward) pairs and, for a new
 * pair, returns lp = reward - reward_of_nearest_previous_task and alp = |lp|
 * (both 0 while 5 or fewer pairs are stored).  The nearest neighbour is exact
 * (Euclidean); on equal distances the oldest pair wins, which matches the
 * original's main-tree-over-buffer preference.
 *
 * History layout follows the original: a `buffer` of at most `buffer_size`
 * recent pairs that is flushed into `main` when a pair arrives on a full
 * buffer; with `max_size > 0` the oldest main pairs are dropped at each
 * flush (only then) down to max_size, the buffer not counted.
 * Search cost stays logarithmic in the history (static kd-trees merged like
 * a binary counter, plus a linear scan of at most 64 newest pairs whatever
 * buffer_size is; bounded windows too, see alp_computer.c), and memory is
 * linear in the stored pairs.  Tasks are stored as doubles.  Results are
 * exact and independent of the search structure.  Not thread-safe per
 * object; different objects are independent.
 */
#ifndef TEACHKIT_ALP_COMPUTER_H
#define TEACHKIT_ALP_COMPUTER_H

#include <stddef.h>

#include "teachkit/state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_alp_computer tk_alp_computer;

/* dim >= 1, buffer_size >= 1 (the original's default 500), max_size = 0 for an
 * unbounded history.  NULL on OOM or invalid arguments. */
tk_alp_computer *tk_alp_computer_new(size_t dim, size_t buffer_size, size_t max_size);
void tk_alp_computer_free(tk_alp_computer *alp);

/* Compute (alp, lp) for the pair, then store it.  `task` has `dim` finite
 * values (with NaN the oldest stored pair is used as the neighbour).
 * Returns 0 and writes *alp_out and *lp_out (either may be NULL), or -1 on
 * OOM: nothing stored, outputs untouched, the object still usable. */
int tk_alp_computer_compute(tk_alp_computer *alp, const double *task, double reward,
                            double *alp_out, double *lp_out);

/* Number of pairs currently stored (main + buffer). */
size_t tk_alp_computer_size(const tk_alp_computer *alp);

/* Checkpoint.  tk_alp_computer_save appends the stored pairs and where the
 * buffer and the trimming stand to `w`.  tk_alp_computer_load restores such
 * a record into a computer created with the same dim, buffer_size and
 * max_size (typically a fresh one): it then computes exactly what the saved
 * one would have (the search structure is rebuilt, and results do not
 * depend on it).  Returns -1 on OOM; data that does not fit the computer
 * (other sizes, non-finite values, corrupt or truncated bytes) fails the
 * reader.  `alp` changes only when the whole record was read and checked. */
void tk_alp_computer_save(const tk_alp_computer *alp, tk_state_writer *w);
int tk_alp_computer_load(tk_alp_computer *alp, tk_state_reader *r);

#ifdef __cplusplus
}
#endif

#endif
