/*
 * CurrOT's constrained transport step (Klink et al. 2022, section 4;
 * psclklnk/currot deep_sprl/teachers/spl/wasserstein_interpolation.py,
 * SamplingWassersteinInterpolation.update_distribution):
 *
 *  1. every particle whose estimated return is below delta is replaced by a
 *     task of the success buffer's draw, by a minimum-cost assignment
 *     (squared distances) to the draws whose estimate reaches delta when
 *     there are enough of them, else to all draws (ensure_successful_initial);
 *  2. each particle gets a target: its sliced-Wasserstein movement towards
 *     n target samples (currot_swd.h);
 *  3. 100 candidates per particle lie in the ball of radius
 *     min(sqrt(epsilon), distance to the target) around it; for a particle
 *     that reaches delta only the half ball facing the target (a candidate
 *     pointing away is reflected through the plane orthogonal to the
 *     direction), all of them clipped to the task space;
 *  4. the new particle is the candidate closest to the target among those
 *     whose estimate exceeds delta, or the candidate of largest estimate
 *     when none does.
 *
 * The 100 ball offsets are drawn once per step and shared by all particles,
 * as in the authors' sample_ball.  Compiled into tests/plugins/test_currot.c.
 */
#ifndef CURROT_INTERP_H
#define CURROT_INTERP_H
#include <stddef.h>

#include "currot_nw.h"
#include "teachkit/plugin.h"

#define CURROT_BALL_SAMPLES 100 /* the authors' sample_ball n */

typedef struct currot_step {
    size_t n, d;            /* particles and dimensions */
    const currot_nw *model; /* the return estimate */
    double delta;           /* the performance threshold */
    double radius;          /* the step bound sqrt(epsilon) */
    const double *lo, *hi;  /* the task space */
} currot_step;

/* Step 1 on `init` (n x d, changed in place) with the success buffer's draw
 * `success` (n_success x d, n_success >= n): reached[i] says whether
 * particle i's estimate (after replacement) reaches delta.  Returns 0 or -1
 * (out of memory). */
int currot_ensure_successful(const currot_step *s, double *init, const double *success,
                             size_t n_success, unsigned char *reached);

/* k offsets uniform in the unit ball (k x d): k x d normal draws, then k
 * uniform draws for the radii u^(1/d). */
void currot_ball_offsets(tk_rng *rng, size_t k, size_t d, double *offsets);

/* Steps 3 and 4 for one particle x with target t: writes the new particle
 * to `out` (d values).  `cand` is d doubles of scratch, `pairs` the
 * model's prediction scratch. */
void currot_move_particle(const currot_step *s, const double *x, const double *t, int reached,
                          const double *offsets, size_t k, double *cand,
                          currot_nw_pair *pairs, double *out);

/* The whole step: particles (n x d) are replaced by the new ones.
 * `success` is the buffer's draw (n x d), `target` n target samples.
 * Draws from `rng`: the sliced-Wasserstein directions, then the ball
 * offsets.  Returns 0 or -1 (out of memory; particles unchanged). */
int currot_transport_step(const currot_step *s, tk_rng *rng, double *particles,
                          const double *success, const double *target);

#endif
