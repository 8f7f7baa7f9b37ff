/*
 * The part of the two GMM teachers (ALP-GMM and Covar-GMM: teachDeepRL
 * teachDRL/teachers/algos/alp_gmm.py and covar_gmm.py) that does not
 * depend on what the extra coordinates mean:
 *
 *   - reading the configuration keys they share (fit_rate, nb_bootstrap,
 *     k_min, k_max, random_task_ratio, reg_covar, tol, max_iter);
 *   - fitting one full-covariance GMM per candidate number of components
 *     k_min..k_max on a window of data and keeping the one with the smallest
 *     information criterion (the loop over potential_ks in both update()s);
 *   - drawing a task from one component: sample the Gaussian, keep the task
 *     coordinates, clip to the box, round to float32 (both sample_task()s);
 *   - the JSON snapshot of the selected mixture restricted to the task
 *     coordinates.
 *
 * The data rows handed to the selector are `dim` doubles: the task
 * coordinates first (`task_dim` of them), then the teacher's own extra
 * coordinates (ALP for ALP-GMM, time and reward for Covar-GMM).
 *
 * A tk_gmm_select is owned by its creator and freed with tk_gmm_select_free.
 * It allocates its candidate mixtures once; fitting does not allocate beyond
 * what tk_gmm_fit needs.  Not thread-safe per object.
 */
#ifndef TEACHKIT_GMM_SELECT_H
#define TEACHKIT_GMM_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/config.h"
#include "teachkit/gmm.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/state.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ configuration */

/* Values of the configuration keys both GMM teachers share. */
typedef struct tk_gmm_teacher_config {
    int64_t fit_rate;          /* episodes between two fits, and the fitting window */
    int64_t bootstrap;         /* nb_bootstrap, or fit_rate when null */
    int64_t k_min, k_max;      /* candidate numbers of components, both inclusive */
    double random_task_ratio;  /* probability of a uniform task once bootstrapped */
    tk_gmm_options em;         /* reg_covar, tol, max_iter read; n_init = 1 */
} tk_gmm_teacher_config;

/* Read and range-check the shared keys of `cfg`.  Errors go through
 * host->error with the offending key as path, e.g.
 *   nb_bootstrap: must be >= fit_rate (250), got 100
 *   k_max: must be >= k_min (5), got 3 */
tk_status tk_gmm_teacher_config_read(tk_config *cfg, const tk_host_api *host, tk_ctx *ctx,
                                     tk_gmm_teacher_config *out);

/* ----------------------------------------------------------- model selection */

typedef struct tk_gmm_select_options {
    size_t k_min, k_max;          /* candidates k_min..k_max inclusive, 1 <= k_min <= k_max */
    tk_gmm_criterion criterion;   /* smallest value wins, first (smallest k) on ties */
    size_t task_dim;              /* task coordinates at the front of a row (AICc count) */
    int warm_start;               /* refit each candidate from its previous parameters */
    /* How the k-means initialisation draws its randomness:
     *   1 = every candidate starts from the same state of `init_rng`, which is
     *       left unchanged (scikit-learn with random_state=<int>: a fresh
     *       RandomState(seed) at every fit of every candidate);
     *   0 = the candidates draw one after the other from `init_rng`, which
     *       advances (scikit-learn with the global NumPy stream). */
    int restart_init_rng;
    tk_gmm_options em;
} tk_gmm_select_options;

typedef struct tk_gmm_select tk_gmm_select;

/* Candidates for rows of `dim` doubles.  NULL on OOM or invalid options
 * (k_min == 0, k_min > k_max, task_dim > dim). */
tk_gmm_select *tk_gmm_select_new(size_t dim, const tk_gmm_select_options *opt);
void tk_gmm_select_free(tk_gmm_select *sel);

/* Fit every candidate on X (n x dim, n >= k_max) and select the best.
 * A candidate whose covariances cannot be factorised is left out of the
 * selection (the originals raise and the run stops).  Returns 0 when a model was
 * selected, -1 when every candidate failed: the selector then has no model
 * until the next successful fit. */
int tk_gmm_select_fit(tk_gmm_select *sel, const double *X, size_t n, tk_rng *init_rng);

/* The selected mixture, or NULL before the first successful fit (or after a
 * fit where every candidate failed).  Owned by the selector; valid until
 * the next fit. */
const tk_gmm *tk_gmm_select_best(const tk_gmm_select *sel);

/* Number of successful fits so far. */
uint64_t tk_gmm_select_fits(const tk_gmm_select *sel);

/* Checkpoint.  tk_gmm_select_save appends the selector's state to `w`: the
 * fit count, the selected candidate and the parameters of the candidates
 * the next fit depends on (with warm start every candidate holding a fit,
 * which refits from them; without, only the selected one, since every fit
 * starts afresh).  The options are not saved.
 * tk_gmm_select_load restores such a record into a selector created with
 * the same dim and options (typically a fresh one), which then behaves
 * exactly as the saved one did.  Returns -1 on OOM; data that does not fit
 * the selector (other options, corrupt or truncated bytes) fails the
 * reader.  `sel` changes only when the whole record was read and checked. */
void tk_gmm_select_save(const tk_gmm_select *sel, tk_state_writer *w);
int tk_gmm_select_load(tk_gmm_select *sel, tk_state_reader *r);

/* ------------------------------------------------------------------ sampling */

/* Draw x ~ N(mean_c, cov_c) of component `c` into scratch[gmm->dim], keep
 * the first space->dims coordinates (sampling the full Gaussian then dropping
 * coordinates is sampling the marginal), clip them to the box and write them
 * as float32, never outside [(float)low, (float)high].  Returns 0, or -1
 * when the draw is not finite (task_out untouched). */
int tk_gmm_sample_task(const tk_gmm *gmm, size_t c, const tk_task_space *space, tk_rng *rng,
                       double *scratch, float *task_out);

/* ------------------------------------------------------------------ snapshot */

/* The "gmm" snapshot (<teachkit/snapshot.h>) of the mixture as JSON text,
 * with means and covariances restricted to the first `task_dim` coordinates
 * and scores[c] as the per-component score under `score_key`
 * (TK_SNAPSHOT_KEY_ALP, "alp", is the one `teachkit plot` colours by);
 * gmm == NULL gives an empty component list.  Returns a malloc'ed string
 * (caller frees) or NULL on OOM or a non-finite value. */
char *tk_gmm_snapshot_json(const tk_gmm *gmm, size_t task_dim, const char *score_key,
                           const double *scores, uint64_t fits);

/* ---------------------------------------------------------------- checkpoint */

/* A mixture's public fields as a checkpoint record; g == NULL writes the
 * record of "no mixture" (k = 0). */
void tk_gmm_state_put(tk_state_writer *w, const tk_gmm *g);
/* Reads into `g` (allocated with g->k components) a record written by
 * tk_gmm_state_put; a different k or any non-finite value fails the
 * reader. */
void tk_gmm_state_get_into(tk_state_reader *r, tk_gmm *g);
/* Reads a record into a new mixture of dimension `dim` with k_min..k_max
 * components, or *out = NULL for "no mixture".  Returns -1 on allocation
 * failure; bad data fails the reader (and *out stays NULL). */
int tk_gmm_state_get(tk_state_reader *r, size_t dim, size_t k_min, size_t k_max, tk_gmm **out);

#ifdef __cplusplus
}
#endif

#endif
