/*
 * Full-covariance Gaussian mixture models fitted by EM, as scikit-learn's
 * GaussianMixture(covariance_type="full", init_params="kmeans") does it:
 * k-means++ seeding and Lloyd iterations for the initial responsibilities,
 * then EM until the mean log-likelihood changes by less than `tol`
 * (spec: teachers.md section 3).  Used by the ALP-GMM and Covar-GMM teachers.
 *
 * Linear algebra goes through LAPACKE (Cholesky factorisations).  Data
 * matrices are row-major `n x dim` doubles.  A tk_gmm is owned by its creator
 * and freed with tk_gmm_free.  Not thread-safe per object; distinct objects
 * may be used from different threads.
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

/* Allocate a mixture of k components in dimension dim; NULL on OOM. */
tk_gmm *tk_gmm_new(size_t k, size_t dim);
void tk_gmm_free(tk_gmm *gmm);

/* Fit from scratch (k-means++ / Lloyd initialisation drawn from `rng`, then
 * EM) on X (n x gmm->dim, n >= gmm->k).  Returns 0 on success, -1 when a
 * covariance cannot be factorised even after extra diagonal jitter (the
 * model is then unusable). */
int tk_gmm_fit(tk_gmm *gmm, const double *X, size_t n, const tk_gmm_options *opt, tk_rng *rng);
/* EM started from the current parameters (scikit-learn warm_start). */
int tk_gmm_fit_warm(tk_gmm *gmm, const double *X, size_t n, const tk_gmm_options *opt);

/* Mean log-likelihood of X under the model. */
double tk_gmm_score(const tk_gmm *gmm, const double *X, size_t n);
/* Number of free parameters: k*dim*(dim+1)/2 + k*dim + k - 1. */
size_t tk_gmm_n_parameters(size_t k, size_t dim);

typedef enum tk_gmm_criterion {
    TK_GMM_AIC = 0,
    TK_GMM_BIC = 1,
    /* AIC + 2q(q+1)/(n-q-1), q = k((d^2-d)/2 + 2d + 1) - 1 with d the TASK
     * dimension (reproduces the original's count; teachers.md section 15.8).
     * When n - q - 1 <= 0 the correction is +inf (candidate never chosen
     * unless all are). */
    TK_GMM_AICC = 2
} tk_gmm_criterion;

/* Value of `criterion` for a fitted model on X; `task_dim` is only used by
 * TK_GMM_AICC. */
double tk_gmm_criterion_value(const tk_gmm *gmm, const double *X, size_t n,
                              tk_gmm_criterion criterion, size_t task_dim);

/* Draw x ~ N(mean_c, cov_c) of component `c` into out[dim]. */
void tk_gmm_sample_component(const tk_gmm *gmm, size_t c, tk_rng *rng, double *out);

#ifdef __cplusplus
}
#endif

#endif
