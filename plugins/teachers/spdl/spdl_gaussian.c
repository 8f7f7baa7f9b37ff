/*
 * Gaussian maths of SPDL: see spdl_gaussian.h.  Closed forms of the
 * Gaussian's log-density, KL divergence and Fisher information, derived
 * for theta = (mu, l, o):
 *
 *   z = L^-1 (c - mu),  log p(c) = -z.z/2 - sum_k l_k - (d/2) ln 2 pi
 *   d log p / d mu = L^-T z;  with G = (L^-T z) z^T:
 *   d log p / d L_ij = G_ij (i > j),  d log p / d l_k = G_kk L_kk - 1
 *
 *   KL(p||q) = [tr(Sq^-1 S) + (mu_q - mu)^T Sq^-1 (mu_q - mu) - d
 *               + ln det Sq - ln det S] / 2
 *   d/d mu = Sq^-1 (mu - mu_q);  with M = Sq^-1 L:
 *   d/d L_ij = M_ij (i > j),  d/d l_k = M_kk L_kk - 1
 *
 * Fisher information: block diagonal, S^-1 for the mean; for two entries
 * (i,j), (i',j') of L (i >= j, i' >= j'), with dS = E_ij L^T + L E_ji,
 *   F = tr(S^-1 dS S^-1 dS') / 2 = Linv[j'][i] Linv[j][i'] + [j == j'] Sinv[i][i']
 * (whiten with L^-1: L^-1 dS L^-T = w e_j^T + e_j w^T with w = L^-1 e_i),
 * and a row/column of a log-diagonal parameter l_k is scaled by L_kk
 * (chain rule, dL_kk / dl_k = L_kk).
 */
#include "spdl_gaussian.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#define LOG_2PI 1.8378770664093454835606594728112

size_t spdl_n_params(size_t d)
{
    return d + d * (d + 1) / 2;
}

/* Index in theta of the entry (i, j), i >= j, of L. */
static size_t chol_index(size_t d, size_t i, size_t j)
{
    return i == j ? d + i : 2 * d + i * (i - 1) / 2 + j;
}

int spdl_gauss_alloc(spdl_gauss *g, size_t d)
{
    memset(g, 0, sizeof *g);
    g->d = d;
    g->theta = calloc(spdl_n_params(d), sizeof *g->theta);
    g->mu = calloc(d, sizeof *g->mu);
    g->L = calloc(d * d, sizeof *g->L);
    g->Linv = calloc(d * d, sizeof *g->Linv);
    g->Sinv = calloc(d * d, sizeof *g->Sinv);
    if (!g->theta || !g->mu || !g->L || !g->Linv || !g->Sinv) {
        spdl_gauss_free(g);
        return -1;
    }
    for (size_t k = 0; k < d; k++)
        g->L[k * d + k] = g->Linv[k * d + k] = g->Sinv[k * d + k] = 1.0;
    return 0;
}

void spdl_gauss_free(spdl_gauss *g)
{
    free(g->theta);
    free(g->mu);
    free(g->L);
    free(g->Linv);
    free(g->Sinv);
    memset(g, 0, sizeof *g);
}

void spdl_gauss_copy(spdl_gauss *dst, const spdl_gauss *src)
{
    const size_t d = src->d;
    memcpy(dst->theta, src->theta, spdl_n_params(d) * sizeof *dst->theta);
    memcpy(dst->mu, src->mu, d * sizeof *dst->mu);
    memcpy(dst->L, src->L, d * d * sizeof *dst->L);
    memcpy(dst->Linv, src->Linv, d * d * sizeof *dst->Linv);
    memcpy(dst->Sinv, src->Sinv, d * d * sizeof *dst->Sinv);
    dst->logdet = src->logdet;
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

int spdl_gauss_set_theta(spdl_gauss *g, const double *theta)
{
    const size_t d = g->d;
    const size_t P = spdl_n_params(d);
    if (!all_finite(theta, P))
        return -1;
    double *L = calloc(3 * d * d, sizeof *L);
    if (!L)
        return -1;
    double *Linv = L + d * d, *Sinv = Linv + d * d;
    double logdet = 0.0;
    for (size_t i = 0; i < d; i++) {
        for (size_t j = 0; j < i; j++)
            L[i * d + j] = theta[chol_index(d, i, j)];
        L[i * d + i] = exp(theta[d + i]);
        logdet += 2.0 * theta[d + i];
    }
    memcpy(Linv, L, d * d * sizeof *L);
    int ok = LAPACKE_dtrtri(LAPACK_ROW_MAJOR, 'L', 'N', (lapack_int)d, Linv, (lapack_int)d) == 0;
    if (ok) {
        /* S^-1 = L^-T L^-1, lower triangle by dlauum, mirrored. */
        memcpy(Sinv, Linv, d * d * sizeof *L);
        ok = LAPACKE_dlauum(LAPACK_ROW_MAJOR, 'L', (lapack_int)d, Sinv, (lapack_int)d) == 0;
        for (size_t i = 0; ok && i < d; i++)
            for (size_t j = i + 1; j < d; j++)
                Sinv[i * d + j] = Sinv[j * d + i];
    }
    ok = ok && isfinite(logdet) && all_finite(L, 3 * d * d);
    if (ok) {
        memcpy(g->theta, theta, P * sizeof *theta);
        memcpy(g->mu, theta, d * sizeof *theta);
        memcpy(g->L, L, d * d * sizeof *L);
        memcpy(g->Linv, Linv, d * d * sizeof *L);
        memcpy(g->Sinv, Sinv, d * d * sizeof *L);
        g->logdet = logdet;
    }
    free(L);
    return ok ? 0 : -1;
}

void spdl_gauss_get_theta(const spdl_gauss *g, double *theta)
{
    memcpy(theta, g->theta, spdl_n_params(g->d) * sizeof *theta);
}

int spdl_gauss_set_mean_cov(spdl_gauss *g, const double *mu, const double *cov)
{
    const size_t d = g->d;
    double *L = malloc((d * d + spdl_n_params(d)) * sizeof *L);
    if (!L)
        return -1;
    double *theta = L + d * d;
    int ok = all_finite(mu, d) && all_finite(cov, d * d);
    for (size_t i = 0; ok && i < d; i++)
        for (size_t j = 0; j < i; j++)
            ok = fabs(cov[i * d + j] - cov[j * d + i]) <=
                 1e-9 * fmax(1.0, fmax(fabs(cov[i * d + j]), fabs(cov[j * d + i])));
    if (ok) {
        memcpy(L, cov, d * d * sizeof *L);
        ok = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)d, L, (lapack_int)d) == 0;
    }
    for (size_t i = 0; ok && i < d; i++) {
        ok = L[i * d + i] > 0.0;
        theta[d + i] = log(L[i * d + i]);
        for (size_t j = 0; j < i; j++)
            theta[chol_index(d, i, j)] = L[i * d + j];
    }
    if (ok) {
        memcpy(theta, mu, d * sizeof *theta);
        ok = spdl_gauss_set_theta(g, theta) == 0;
    }
    free(L);
    return ok ? 0 : -1;
}

void spdl_gauss_cov(const spdl_gauss *g, double *cov)
{
    const int d = (int)g->d;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, d, d, d, 1.0, g->L, d, g->L, d, 0.0,
                cov, d);
}

/* Z = (C - mu) L^-T, row i = z_i = L^-1 (c_i - mu); `delta` scratch n x d. */
static void whiten(const spdl_gauss *g, const double *c, size_t n, double *z, double *delta)
{
    const size_t d = g->d;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++)
            delta[i * d + k] = c[i * d + k] - g->mu[k];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)d, (int)d, 1.0, delta,
                (int)d, g->Linv, (int)d, 0.0, z, (int)d);
}

void spdl_log_pdf(const spdl_gauss *g, const double *c, size_t n, double *logp, double *work)
{
    const size_t d = g->d;
    double *z = work, *delta = work + n * d;
    whiten(g, c, n, z, delta);
    const double base = -0.5 * g->logdet - 0.5 * (double)d * LOG_2PI;
    for (size_t i = 0; i < n; i++)
        logp[i] = base - 0.5 * cblas_ddot((int)d, z + i * d, 1, z + i * d, 1);
}

double spdl_kl(const spdl_gauss *p, const spdl_gauss *q, double *work)
{
    const size_t d = p->d;
    double *M = work, *w = work + d * d;
    /* tr(Sq^-1 S) = ||Lq^-1 L||_F^2. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)d, (int)d, (int)d, 1.0, q->Linv,
                (int)d, p->L, (int)d, 0.0, M, (int)d);
    const double tr = cblas_ddot((int)(d * d), M, 1, M, 1);
    for (size_t k = 0; k < d; k++)
        w[k] = q->mu[k] - p->mu[k];
    cblas_dtrmv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)d, q->Linv, (int)d,
                w, 1);
    const double maha = cblas_ddot((int)d, w, 1, w, 1);
    return 0.5 * (tr + maha - (double)d + q->logdet - p->logdet);
}

/* Gradient of a function of L given its matrix derivative D (d x d,
 * entries i >= j used) into grad[d..P): offdiagonal entries as they are,
 * diagonal ones times L_kk minus `diag_shift` (the log-det term). */
static void chol_grad(const spdl_gauss *p, const double *D, double diag_shift, double *grad)
{
    const size_t d = p->d;
    for (size_t i = 0; i < d; i++) {
        grad[d + i] = D[i * d + i] * p->L[i * d + i] - diag_shift;
        for (size_t j = 0; j < i; j++)
            grad[chol_index(d, i, j)] = D[i * d + j];
    }
}

void spdl_kl_grad(const spdl_gauss *p, const spdl_gauss *q, double *grad, double *work)
{
    const size_t d = p->d;
    double *M = work;
    for (size_t k = 0; k < d; k++)
        grad[k] = p->mu[k] - q->mu[k];
    /* grad_mu = Sq^-1 (mu - mu_q), in place through a copy in M's row 0. */
    memcpy(M, grad, d * sizeof *M);
    cblas_dsymv(CblasRowMajor, CblasLower, (int)d, 1.0, q->Sinv, (int)d, M, 1, 0.0, grad, 1);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)d, (int)d, (int)d, 1.0, q->Sinv,
                (int)d, p->L, (int)d, 0.0, M, (int)d);
    chol_grad(p, M, 1.0, grad);
}

void spdl_value_grad(const spdl_gauss *p, const double *c, const double *v, size_t n,
                     double *grad, double *work)
{
    const size_t d = p->d;
    double *z = work, *u = work + n * d, *delta = work + 2 * n * d, *G = work + 3 * n * d;
    whiten(p, c, n, z, delta);
    /* u_i = L^-T z_i, i.e. U = Z L^-1; then scale row i by v_i / n. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)d, (int)d, 1.0, z,
                (int)d, p->Linv, (int)d, 0.0, u, (int)d);
    double vmean = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double s = v[i] / (double)n;
        vmean += s;
        cblas_dscal((int)d, s, u + i * d, 1);
    }
    for (size_t k = 0; k < d; k++)
        grad[k] = 0.0;
    for (size_t i = 0; i < n; i++)
        cblas_daxpy((int)d, 1.0, u + i * d, 1, grad, 1);
    /* G = sum_i (v_i / n) u_i z_i^T. */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)d, (int)n, 1.0, u, (int)d,
                z, (int)d, 0.0, G, (int)d);
    chol_grad(p, G, vmean, grad);
}

void spdl_fisher(const spdl_gauss *p, double *F)
{
    const size_t d = p->d, P = spdl_n_params(d);
    const double *Li = p->Linv, *Si = p->Sinv;
    memset(F, 0, P * P * sizeof *F);
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++)
            F[a * P + b] = Si[a * d + b];
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j <= i; j++) {
            const size_t r = chol_index(d, i, j);
            const double sr = i == j ? p->L[i * d + i] : 1.0;
            for (size_t i2 = 0; i2 < d; i2++)
                for (size_t j2 = 0; j2 <= i2; j2++) {
                    const size_t s = chol_index(d, i2, j2);
                    const double ss = i2 == j2 ? p->L[i2 * d + i2] : 1.0;
                    double f = Li[j2 * d + i] * Li[j * d + i2];
                    if (j == j2)
                        f += Si[i * d + i2];
                    F[r * P + s] = sr * ss * f;
                }
        }
}

double spdl_objective(const spdl_gauss *p, const spdl_gauss *q, const double *c,
                      const double *logp_old, const double *v, size_t n, double alpha,
                      double *work)
{
    double *logp = work, *rest = work + n;
    spdl_log_pdf(p, c, n, logp, rest);
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        if (v[i] != 0.0)
            s += exp(logp[i] - logp_old[i]) * v[i];
    const double kl = alpha != 0.0 ? spdl_kl(p, q, rest) : 0.0;
    return s / (double)n - alpha * kl;
}

/* ------------------------------------------------------ natural gradient */

/* x = (F + damping I)^-1 g approximately, by conjugate gradient exactly as
 * TeachMyAgent's _conjugate_gradient: x0 = 0, r = p = g, at most `iters`
 * iterations, stop once r.r < tol (checked after each iteration).  Fd is
 * the damped Fisher matrix; `work` holds 3 P doubles.  Returns the
 * iterations run. */
static int conjugate_gradient(const double *Fd, const double *g, size_t P, int iters, double tol,
                              double *x, double *work)
{
    double *r = work, *pv = work + P, *z = work + 2 * P;
    memcpy(r, g, P * sizeof *r);
    memcpy(pv, g, P * sizeof *pv);
    memset(x, 0, P * sizeof *x);
    double r2 = cblas_ddot((int)P, r, 1, r, 1);
    int k = 0;
    while (k < iters) {
        cblas_dsymv(CblasRowMajor, CblasLower, (int)P, 1.0, Fd, (int)P, pv, 1, 0.0, z, 1);
        const double pz = cblas_ddot((int)P, pv, 1, z, 1);
        k++;
        if (!(pz > 0.0))
            break; /* p = 0 (exact solution) or round-off: x is as good as it gets */
        const double step = r2 / pz;
        cblas_daxpy((int)P, step, pv, 1, x, 1);
        cblas_daxpy((int)P, -step, z, 1, r, 1);
        const double r2_new = cblas_ddot((int)P, r, 1, r, 1);
        const double mu = r2_new / r2;
        cblas_dscal((int)P, mu, pv, 1);
        cblas_daxpy((int)P, 1.0, r, 1, pv, 1);
        r2 = r2_new;
        if (r2 < tol)
            break;
    }
    return k;
}

/* Line-search acceptance (_line_search of conjugate_gradient.py, fixed).  TRPO accepts a step
 * only when it both stays in the (1.5 x) trust region and does not lower
 * the objective; the original accepts when either holds. */
static int accept_step(double kl, double improve, double max_kl, int require_both)
{
    const int kl_ok = kl <= 1.5 * max_kl, up = improve >= 0.0;
    return require_both ? kl_ok && up : kl_ok || up;
}

int spdl_natural_step(spdl_gauss *p, const spdl_gauss *q, const double *c, const double *v,
                      size_t n, double alpha, const spdl_step_params *prm,
                      spdl_step_result *res)
{
    const size_t d = p->d, P = spdl_n_params(d);
    memset(res, 0, sizeof *res);
    spdl_gauss old;
    const size_t nwork = 3 * n * d + d * d + n + d + 4 * P;
    double *buf = malloc((P * P + 6 * P + n + nwork) * sizeof *buf);
    if (!buf || spdl_gauss_alloc(&old, d)) {
        free(buf);
        return res->outcome = SPDL_STEP_NOMEM;
    }
    double *F = buf, *theta_old = F + P * P, *theta = theta_old + P, *g = theta + P;
    double *gk = g + P, *x = gk + P, *full = x + P, *logp_old = full + P, *work = logp_old + n;
    spdl_gauss_copy(&old, p);
    spdl_gauss_get_theta(p, theta_old);
    spdl_log_pdf(&old, c, n, logp_old, work);
    res->objective_old = spdl_objective(p, q, c, logp_old, v, n, alpha, work);

    /* g = grad J at theta_old (all importance weights are 1 there). */
    spdl_value_grad(p, c, v, n, g, work);
    spdl_kl_grad(p, q, gk, work);
    cblas_daxpy((int)P, -alpha, gk, 1, g, 1);
    res->grad_norm = cblas_dnrm2((int)P, g, 1);
    if (!all_finite(g, P) || !isfinite(res->objective_old)) {
        res->outcome = SPDL_STEP_NONFINITE;
        goto done;
    }
    if (res->grad_norm < 1e-10) {
        res->outcome = SPDL_STEP_SMALL_GRADIENT;
        goto done;
    }
    spdl_fisher(&old, F);
    for (size_t a = 0; a < P; a++)
        F[a * P + a] += prm->damping;
    res->cg_iterations = conjugate_gradient(F, g, P, prm->cg_iterations, prm->residual_tol, x,
                                            work);
    /* Scale so that the quadratic model of the KL equals max_kl. */
    cblas_dsymv(CblasRowMajor, CblasLower, (int)P, 1.0, F, (int)P, x, 1, 0.0, gk, 1);
    const double shs = 0.5 * cblas_ddot((int)P, x, 1, gk, 1);
    if (!all_finite(x, P) || !(shs > 0.0) || !isfinite(shs)) {
        res->outcome = SPDL_STEP_NONFINITE;
        goto done;
    }
    const double lm = sqrt(shs / prm->max_kl);
    for (size_t a = 0; a < P; a++)
        full[a] = x[a] / lm;
    res->outcome = SPDL_STEP_REJECTED;
    double stepsize = 1.0;
    for (int k = 0; k < prm->line_search_iterations; k++, stepsize *= 0.5) {
        for (size_t a = 0; a < P; a++)
            theta[a] = theta_old[a] + stepsize * full[a];
        if (spdl_gauss_set_theta(p, theta) != 0)
            continue;
        const double J = spdl_objective(p, q, c, logp_old, v, n, alpha, work);
        const double kl = spdl_kl(&old, p, work);
        if (!isfinite(J) || !isfinite(kl))
            continue;
        if (accept_step(kl, J - res->objective_old, prm->max_kl, prm->require_both)) {
            res->outcome = SPDL_STEP_TAKEN;
            res->kl_step = kl;
            res->objective_new = J;
            res->stepsize = stepsize;
            break;
        }
    }
    if (res->outcome != SPDL_STEP_TAKEN)
        spdl_gauss_copy(p, &old);
done:
    if (res->outcome != SPDL_STEP_TAKEN)
        res->objective_new = res->objective_old;
    spdl_gauss_free(&old);
    free(buf);
    return res->outcome;
}

const spdl_gaussian_api spdl_gaussian_table = {
    .struct_size = sizeof(spdl_gaussian_api),
    .n_params = spdl_n_params,
    .alloc = spdl_gauss_alloc,
    .free = spdl_gauss_free,
    .set_theta = spdl_gauss_set_theta,
    .get_theta = spdl_gauss_get_theta,
    .set_mean_cov = spdl_gauss_set_mean_cov,
    .log_pdf = spdl_log_pdf,
    .kl = spdl_kl,
    .kl_grad = spdl_kl_grad,
    .value_grad = spdl_value_grad,
    .fisher = spdl_fisher,
    .objective = spdl_objective,
    .natural_step = spdl_natural_step,
};
