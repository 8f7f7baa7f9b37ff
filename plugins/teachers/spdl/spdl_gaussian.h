/*
 * Gaussian context distributions of SPDL and their trust-region update
 * (Klink et al. 2020, as TeachMyAgent's self_paced_teacher.py implements it).
 *
 * A distribution N(mu, S), S = L L^T with L lower triangular, is
 * parameterised by theta = (mu [d], l [d], o [d(d-1)/2]): L_kk = exp(l_k)
 * and o holds the strictly-lower entries of L in row-major order ((1,0),
 * (2,0), (2,1), (3,0), ...), as TeachMyAgent's GaussianTorchDistribution.
 * Every function below works on these parameters with closed forms
 * (spdl_gaussian.c derives them): log-densities, KL divergences and their gradients, and the
 * Fisher information, so no automatic differentiation is needed.  Cholesky
 * factorisations, triangular inverses and products go through LAPACKE and
 * CBLAS.
 *
 * Internal to the spdl plugin; tests reach these functions through the
 * plugin's extension SPDL_GAUSSIAN_EXT_ID (see spdl_gaussian_api).  Not
 * thread-safe per object; no global state.
 */
#ifndef SPDL_GAUSSIAN_H
#define SPDL_GAUSSIAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct spdl_gauss {
    size_t d;
    double *theta;  /* owned, P: the parameters everything else is computed from */
    double *mu;     /* owned, d */
    double *L;      /* owned, d x d row-major, lower triangle (zeros above) */
    double *Linv;   /* owned, d x d row-major, L^-1 (lower) */
    double *Sinv;   /* owned, d x d row-major, S^-1 (full, symmetric) */
    double logdet;  /* ln det S = 2 sum_k l_k */
} spdl_gauss;

/* Number of parameters P = d + d (d + 1) / 2. */
size_t spdl_n_params(size_t d);

/* Allocate a distribution of dimension d (parameters zero: mu = 0, L = I).
 * 0 on success, -1 when out of memory. */
int spdl_gauss_alloc(spdl_gauss *g, size_t d);
void spdl_gauss_free(spdl_gauss *g);
/* dst = src (same d). */
void spdl_gauss_copy(spdl_gauss *dst, const spdl_gauss *src);

/* Set from parameters; -1 (g unchanged) when they give a non-finite or
 * numerically singular distribution. */
int spdl_gauss_set_theta(spdl_gauss *g, const double *theta);
void spdl_gauss_get_theta(const spdl_gauss *g, double *theta);
/* Set from a mean and a covariance (row-major d x d); -1 (g unchanged)
 * when the covariance is not symmetric positive definite. */
int spdl_gauss_set_mean_cov(spdl_gauss *g, const double *mu, const double *cov);
/* S = L L^T, row-major d x d. */
void spdl_gauss_cov(const spdl_gauss *g, double *cov);

/* log p(c_i) of n contexts (row-major n x d) into logp[n].  `work` holds
 * 2 n d doubles. */
void spdl_log_pdf(const spdl_gauss *g, const double *c, size_t n, double *logp, double *work);

/* KL(p || q).  `work` holds d * d + d doubles. */
double spdl_kl(const spdl_gauss *p, const spdl_gauss *q, double *work);
/* Gradient of KL(p || q) with respect to p's parameters, into grad[P].
 * `work` holds d * d doubles. */
void spdl_kl_grad(const spdl_gauss *p, const spdl_gauss *q, double *grad, double *work);
/* (1/n) sum_i v_i grad_theta log p(c_i), into grad[P].  `work` holds
 * 3 n d + d * d doubles. */
void spdl_value_grad(const spdl_gauss *p, const double *c, const double *v, size_t n,
                     double *grad, double *work);
/* Fisher information of the parameterisation at p (the Hessian of
 * KL(p || p_theta) at theta = p's parameters), row-major P x P. */
void spdl_fisher(const spdl_gauss *p, double *F);

/* The objective of SPDL (Klink et al., 2020; SelfPacedTeacher
 * ._compute_context_loss) at distribution `p`:
 *   J = (1/n) sum_i exp(log p(c_i) - logp_old[i]) v[i] - alpha KL(p || q)
 * (terms with v[i] == 0 are skipped, so that an overflowing ratio does not
 * make NaN).  `work` holds 2 n d + n + d * d + d doubles. */
double spdl_objective(const spdl_gauss *p, const spdl_gauss *q, const double *c,
                      const double *logp_old, const double *v, size_t n, double alpha,
                      double *work);

/* Settings of one natural-gradient step. */
typedef struct spdl_step_params {
    double max_kl;          /* trust region on KL(p_old || p_new) */
    double damping;         /* added to the Fisher diagonal */
    double residual_tol;    /* conjugate gradient stops when r.r falls below */
    int cg_iterations;      /* at most */
    int line_search_iterations;
    /* 1: accept a step when KL(p_old || p_new) <= 1.5 max_kl AND the
     * objective did not decrease (TRPO's rule, teachkit's fix);
     * 0: accept when either holds (the original). */
    int require_both;
} spdl_step_params;

enum {
    SPDL_STEP_TAKEN = 0,        /* a line-search step was accepted */
    SPDL_STEP_SMALL_GRADIENT,   /* |g| < 1e-10: nothing to do */
    SPDL_STEP_REJECTED,         /* no step size accepted: p restored */
    SPDL_STEP_NONFINITE,        /* NaN/Inf in the gradient or CG direction: p unchanged */
    SPDL_STEP_NOMEM
};

typedef struct spdl_step_result {
    int outcome;             /* SPDL_STEP_* */
    double kl_step;          /* KL(p_old || p_new) of the accepted step (0 otherwise) */
    double objective_old, objective_new;
    double stepsize;         /* accepted fraction of the full step */
    double grad_norm;
    int cg_iterations;       /* run */
} spdl_step_result;

/* One natural-gradient step (cg_step of conjugate_gradient.py) on p, in place, for the
 * objective above with the n contexts c, their values v and alpha.
 * Returns res->outcome. */
int spdl_natural_step(spdl_gauss *p, const spdl_gauss *q, const double *c, const double *v,
                      size_t n, double alpha, const spdl_step_params *prm,
                      spdl_step_result *res);

/* The functions above as a table, returned by the plugin's get_extension
 * for SPDL_GAUSSIAN_EXT_ID so that tests can check the closed forms
 * against finite differences through the ABI. */
#define SPDL_GAUSSIAN_EXT_ID "teachkit.spdl.gaussian/1"

typedef struct spdl_gaussian_api {
    uint32_t struct_size;
    size_t (*n_params)(size_t d);
    int (*alloc)(spdl_gauss *g, size_t d);
    void (*free)(spdl_gauss *g);
    int (*set_theta)(spdl_gauss *g, const double *theta);
    void (*get_theta)(const spdl_gauss *g, double *theta);
    int (*set_mean_cov)(spdl_gauss *g, const double *mu, const double *cov);
    void (*log_pdf)(const spdl_gauss *g, const double *c, size_t n, double *logp, double *work);
    double (*kl)(const spdl_gauss *p, const spdl_gauss *q, double *work);
    void (*kl_grad)(const spdl_gauss *p, const spdl_gauss *q, double *grad, double *work);
    void (*value_grad)(const spdl_gauss *p, const double *c, const double *v, size_t n,
                       double *grad, double *work);
    void (*fisher)(const spdl_gauss *p, double *F);
    double (*objective)(const spdl_gauss *p, const spdl_gauss *q, const double *c,
                        const double *logp_old, const double *v, size_t n, double alpha,
                        double *work);
    int (*natural_step)(spdl_gauss *p, const spdl_gauss *q, const double *c, const double *v,
                        size_t n, double alpha, const spdl_step_params *prm,
                        spdl_step_result *res);
} spdl_gaussian_api;

extern const spdl_gaussian_api spdl_gaussian_table;

#endif
