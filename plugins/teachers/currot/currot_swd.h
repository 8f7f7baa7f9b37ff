/*
 * The sliced-Wasserstein movement of CurrOT's particles towards the target
 * samples (psclklnk/currot deep_sprl/teachers/spl/sliced_wasserstein.py,
 * with grad=True): for each of n_dirs random unit directions both point
 * sets are projected and sorted, the i-th smallest source projection is
 * paired with the i-th smallest target projection, and each source point
 * moves by the mean over directions of (paired target projection - own
 * projection) x direction.  source + movement are the targets of the
 * constrained step (currot_interp.h).
 *
 * Compiled into tests/plugins/test_currot.c too.
 */
#ifndef CURROT_SWD_H
#define CURROT_SWD_H
#include <stddef.h>

#include "teachkit/plugin.h"

#define CURROT_SWD_DIRECTIONS 100 /* the authors' n */

/* The movement (n x d) of `source` (n x d) towards `target` (n x d) from the
 * given unit directions (n_dirs x d).  Returns 0 or -1 (out of memory). */
int currot_swd_move(const double *source, const double *target, size_t n, size_t d,
                    const double *dirs, size_t n_dirs, double *move);

/* n_dirs random unit directions (n_dirs x d standard normal draws from
 * `rng`, row by row, each row normalised). */
void currot_swd_directions(tk_rng *rng, size_t n_dirs, size_t d, double *dirs);

#endif
