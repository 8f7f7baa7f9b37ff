/*
 * Full-covariance Gaussian mixture models fitted by EM, as scikit-learn's
 * GaussianMixture(covariance_type="full", init_params="kmeans") does it:
 * k-means++ seeding and Lloyd iterations for the initial responsibilities,
 * then EM until the mean log-likelihood changes by less than `tol`
 * (sklearn/mixture/_gaussian_mixture.py, as teachDeepRL's alp_gmm.py and
 * covar_gmm.py use it).  Used by the ALP-GMM and Covar-GMM teachers.
 *
 * Cholesky factorisations follow LAPACK's dpotf2, hand-written up to
 * dim 16 (where LAPACKE's per-call overhead outweighs the arithmetic) and
 * through LAPACKE beyond.  Data matrices are row-major `n x dim` doubles.
 * A tk_gmm is owned by its creator and freed with tk_gmm_free.  Not
 * thread-safe per object; distinct objects may be used from different
 * threads.
 *
 * Deliberate deviations from scikit-learn (none changes results beyond
 * round-off on data scikit-learn accepts):
 *   - random streams are teachkit's (tk_rng), not NumPy's: same draws in
 *     the same order (k-means++: one index, then 2 + floor(ln k) uniforms
 *     per further centre), different values;
 *   - k-means distances are computed directly, not as |x|^2 - 2x.c + |c|^2;
 *     empty clusters are relocated to the farthest points farthest-first
 *     (scikit-learn's argpartition leaves that order unspecified);
 *   - responsibilities reuse the exponentials of the log-sum-exp
 *     (exp(a - max) / sum instead of exp(a - logsumexp)), and the sum of
 *     the per-point logs is taken as the log of a rescaled product;
 *   - those exponentials come from an inline polynomial exp, within a few
 *     ulp of libm's, that returns 0 below -708 (libm's exp gives
 *     subnormals down to -745), and sums over the points are taken in two
 *     interleaved partial sums (SIMD lanes): results differ from a
 *     point-by-point libm computation by round-off only;
 *   - a covariance that cannot be factorised (scikit-learn raises) gets
 *     diagonal jitter, 10x more at each of 4 retries starting from
 *     max(reg_covar, eps * max(1, max diagonal)); the jitter stays in `covs`
 *     so that covs == chols chols^T.  Only if all retries fail does a fit
 *     return -1;
 *   - non-finite data and invalid options return -1 (scikit-learn raises).
 */
#ifndef TEACHKIT_GMM_H
#define TEACHKIT_GMM_H

#include <stddef.h>

#include "teachkit/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_gmm_options {
    double tol;            /* EM stops when |lb - prev_lb| < tol (default 1e-3) */
    double reg_covar;      /* added to every covariance diagonal (default 1e-6) */
    int max_iter;          /* EM iterations (default 100) */
    int n_init;            /* independent k-means + EM runs, best lower bound kept (default 1) */
    int kmeans_max_iter;   /* Lloyd iterations (default 300) */
} tk_gmm_options;

/* Fill `opt` with scikit-learn's defaults. */
void tk_gmm_options_default(tk_gmm_options *opt);

typedef struct tk_gmm {
    size_t k;          /* number of components */
    size_t dim;        /* data dimension */
    double *weights;   /* k mixture weights, summing to 1 */
    double *means;     /* k x dim, row-major */
    double *covs;      /* k x dim x dim, row-major symmetric covariances */
    double *chols;     /* k x dim x dim lower Cholesky factors of covs (upper part zero) */
    double lower_bound;/* mean log-likelihood at the last E-step */
    int n_iter;        /* EM iterations used by the last fit */
    int converged;     /* 1 if the last fit met `tol` */
} tk_gmm;

/* Allocate a mixture of k components in dimension dim, initialised to equal
 * weights and standard normal components (lower_bound -inf); NULL on OOM or
 * when k or dim is 0.  tk_gmm_free(NULL) is a no-op. */
tk_gmm *tk_gmm_new(size_t k, size_t dim);
void tk_gmm_free(tk_gmm *gmm);

/* Fit from scratch (k-means++ / Lloyd initialisation drawn from `rng`, then
 * EM) on X (n x gmm->dim, n >= gmm->k).  `opt` NULL means the defaults.
 * With n_init > 1 the run with the highest final lower bound is kept (the
 * first on ties), its n_iter and converged reported.  Returns 0 on success;
 * -1 on invalid arguments (NULL X or rng, n < k, a non-finite value in X,
 * tol < 0, reg_covar < 0, max_iter < 0, n_init < 1, kmeans_max_iter < 1;
 * the model is then untouched) or when a covariance cannot be factorised
 * even after extra diagonal jitter (the model is then unusable).  One
 * allocation per call, none inside the EM loop. */
int tk_gmm_fit(tk_gmm *gmm, const double *X, size_t n, const tk_gmm_options *opt, tk_rng *rng);
/* EM started from the current parameters (scikit-learn warm_start): the
 * covariances are refactorised first (so they may be edited between
 * fits), n_init is ignored, and the first iteration's lower bound is
 * compared with the stored gmm->lower_bound (-inf on a new object), so a
 * model that had converged on the same data stops after one iteration.
 * Same return values as tk_gmm_fit. */
int tk_gmm_fit_warm(tk_gmm *gmm, const double *X, size_t n, const tk_gmm_options *opt);

/* Mean log-likelihood of X under the model (a fresh E-step).  NaN when
 * n == 0 or X is NULL, or if its scratch buffer cannot be allocated. */
double tk_gmm_score(const tk_gmm *gmm, const double *X, size_t n);
/* Number of free parameters: k*dim*(dim+1)/2 + k*dim + k - 1. */
size_t tk_gmm_n_parameters(size_t k, size_t dim);

typedef enum tk_gmm_criterion {
    TK_GMM_AIC = 0,
    TK_GMM_BIC = 1,
    /* AIC + 2q(q+1)/(n-q-1), q = k((d^2-d)/2 + 2d + 1) - 1 with d the TASK
     * dimension (reproduces the original's count: TeachMyAgent
     * TeachMyAgent/teachers/algos/alp_gmm.py, get_nb_gmm_params).
     * When n - q - 1 <= 0 the correction is +inf (candidate never chosen
     * unless all are). */
    TK_GMM_AICC = 2
} tk_gmm_criterion;

/* Value of `criterion` for a fitted model on X (smaller is better):
 * AIC = -2 n score + 2 p, BIC = -2 n score + p ln n, p from
 * tk_gmm_n_parameters; `task_dim` is only used by TK_GMM_AICC.  NaN for an
 * unknown criterion. */
double tk_gmm_criterion_value(const tk_gmm *gmm, const double *X, size_t n,
                              tk_gmm_criterion criterion, size_t task_dim);

/* Draw x ~ N(mean_c, cov_c) of component `c` (< k) into out[dim], as
 * mean_c + chol_c z with z the next `dim` tk_rng_normal draws of `rng`. */
void tk_gmm_sample_component(const tk_gmm *gmm, size_t c, tk_rng *rng, double *out);

#ifdef __cplusplus
}
#endif

#endif
