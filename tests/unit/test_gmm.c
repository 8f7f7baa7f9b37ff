/*
 * Unit tests of the GMM (core/lib/gmm.c, k-means init in core/lib/kmeans.c)
 * against the behaviour of scikit-learn's GaussianMixture as the teachers use
 * it: EM on known mixtures,
 * closed forms (single Gaussian, AIC/BIC/AICc), sampling moments, degenerate
 * data and determinism.  Every random draw comes from a seeded tk_rng, so
 * each test is deterministic; tolerances are still set from the sampling
 * error (stated next to each) so that they would hold for any seed.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "teachkit/gmm.h"
#include "teachkit/gmm_select.h"
#include "teachkit/rng.h"
#include "teachkit/state.h"

#define LOG_2PI 1.8378770664093454835606594728112

/* ------------------------------------------------------------- helpers */

/* x = mean + L z, L a lower-triangular d x d factor (row-major). */
static void draw_gaussian(tk_rng *r, const double *mean, const double *L, size_t d, double *x)
{
    double z[8];
    for (size_t j = 0; j < d; j++)
        z[j] = tk_rng_normal(r);
    for (size_t j = 0; j < d; j++) {
        x[j] = mean[j];
        for (size_t m = 0; m <= j; m++)
            x[j] += L[j * d + m] * z[m];
    }
}

/* The 3-component 2-D mixture the recovery tests use. */
static const double MIX_W[3] = {0.5, 0.3, 0.2};
static const double MIX_MU[3][2] = {{0.0, 0.0}, {6.0, 0.0}, {0.0, 6.0}};
static const double MIX_COV[3][4] = {{1.0, 0.3, 0.3, 0.5}, {0.6, -0.2, -0.2, 0.8},
                                     {0.4, 0.0, 0.0, 1.2}};

/* 2 x 2 lower Cholesky factor, by hand (independent of the library). */
static void chol2(const double *S, double *L)
{
    L[0] = sqrt(S[0]);
    L[1] = 0.0;
    L[2] = S[2] / L[0];
    L[3] = sqrt(S[3] - L[2] * L[2]);
}

/* n points of the mixture above; labels (may be NULL) get the true component. */
static double *make_mixture(size_t n, uint64_t seed, int *labels)
{
    double *X = malloc(n * 2 * sizeof(double));
    ck_assert_ptr_nonnull(X);
    tk_rng r;
    tk_rng_seed(&r, seed);
    double L[3][4];
    for (int c = 0; c < 3; c++)
        chol2(MIX_COV[c], L[c]);
    for (size_t i = 0; i < n; i++) {
        double u = tk_rng_uniform(&r);
        int c = u < MIX_W[0] ? 0 : u < MIX_W[0] + MIX_W[1] ? 1 : 2;
        draw_gaussian(&r, MIX_MU[c], L[c], 2, X + i * 2);
        if (labels)
            labels[i] = c;
    }
    return X;
}

/* Fitted component closest (Euclidean) to mean mu. */
static size_t closest_component(const tk_gmm *g, const double *mu)
{
    size_t best = 0;
    double bd = INFINITY;
    for (size_t c = 0; c < g->k; c++) {
        double d = 0.0;
        for (size_t j = 0; j < g->dim; j++)
            d += (g->means[c * g->dim + j] - mu[j]) * (g->means[c * g->dim + j] - mu[j]);
        if (d < bd) {
            bd = d;
            best = c;
        }
    }
    return best;
}

static tk_gmm *fit_new(size_t k, size_t dim, const double *X, size_t n, uint64_t seed,
                       const tk_gmm_options *opt)
{
    tk_gmm *g = tk_gmm_new(k, dim);
    ck_assert_ptr_nonnull(g);
    tk_rng r;
    tk_rng_seed(&r, seed);
    ck_assert_int_eq(tk_gmm_fit(g, X, n, opt, &r), 0);
    return g;
}

/* Every parameter finite, weights a distribution, covariances symmetric
 * with positive diagonal, chols lower with chols chols^T == covs. */
static void assert_valid_model(const tk_gmm *g)
{
    const size_t d = g->dim, dd = d * d;
    double wsum = 0.0;
    for (size_t c = 0; c < g->k; c++) {
        ck_assert(isfinite(g->weights[c]) && g->weights[c] >= 0.0);
        wsum += g->weights[c];
        const double *S = g->covs + c * dd, *L = g->chols + c * dd;
        for (size_t j = 0; j < d; j++) {
            ck_assert(isfinite(g->means[c * d + j]));
            ck_assert(S[j * d + j] > 0.0);
            for (size_t m = 0; m < d; m++) {
                ck_assert(isfinite(S[j * d + m]) && isfinite(L[j * d + m]));
                ck_assert(S[j * d + m] == S[m * d + j]);
                if (m > j)
                    ck_assert(L[j * d + m] == 0.0);
                double llt = 0.0;
                for (size_t t = 0; t < d; t++)
                    llt += L[j * d + t] * L[m * d + t];
                ck_assert(fabs(llt - S[j * d + m]) <= 1e-12 * (1.0 + fabs(S[j * d + m])));
            }
        }
    }
    ck_assert(fabs(wsum - 1.0) < 1e-12);
}

/* Analytic log N(x; mu, S) for a 3 x 3 S, through cofactors (independent
 * of the Cholesky route the library takes). */
static double logpdf3(const double *x, const double *mu, const double *S)
{
    const double a = S[0], b = S[1], c = S[2], e = S[4], f = S[5], i = S[8];
    const double A = e * i - f * f, B = c * f - b * i, C = b * f - c * e;
    const double det = a * A + b * B + c * C;
    const double inv[9] = {A, B, C, B, a * i - c * c, b * c - a * f, C, b * c - a * f,
                           a * e - b * b};
    double dx[3] = {x[0] - mu[0], x[1] - mu[1], x[2] - mu[2]}, q = 0.0;
    for (int j = 0; j < 3; j++)
        for (int m = 0; m < 3; m++)
            q += dx[j] * inv[j * 3 + m] * dx[m];
    q /= det;
    return -0.5 * (3.0 * LOG_2PI + log(det) + q);
}

/* n points of a correlated 3-D Gaussian. */
static double *make_gaussian3(size_t n, uint64_t seed)
{
    static const double mu[3] = {1.0, -2.0, 0.5};
    static const double L[9] = {1.0, 0.0, 0.0, 0.5, 0.8, 0.0, -0.3, 0.2, 0.4};
    double *X = malloc(n * 3 * sizeof(double));
    ck_assert_ptr_nonnull(X);
    tk_rng r;
    tk_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        draw_gaussian(&r, mu, L, 3, X + i * 3);
    return X;
}

/* -------------------------------------------------------------- tests */

/* EM on 3000 points of a known 3-component mixture recovers it.
 * Tolerances: a component of weight w has ~3000 w >= 600 points, so the
 * standard error of a mean coordinate is <= sqrt(1.2 / 600) = 0.045 (0.15
 * is > 3 SE), of a weight sqrt(0.25 / 3000) = 0.009 (0.03 is > 3 SE), of a
 * covariance entry <= sqrt(2 * 1.2^2 / 600) = 0.07 (0.25 is > 3.5 SE). */
START_TEST(test_em_recovers_known_mixture)
{
    const size_t n = 3000;
    double *X = make_mixture(n, 11, NULL);
    tk_gmm_options opt;
    tk_gmm_options_default(&opt);
    tk_gmm *g = fit_new(3, 2, X, n, 5, &opt);
    assert_valid_model(g);
    ck_assert(g->converged);
    ck_assert_int_le(g->n_iter, opt.max_iter);

    int used[3] = {0, 0, 0};
    for (int t = 0; t < 3; t++) {
        size_t c = closest_component(g, MIX_MU[t]);
        ck_assert_msg(!used[c], "two true components matched fitted component %zu", c);
        used[c] = 1;
        for (int j = 0; j < 2; j++)
            ck_assert_double_eq_tol(g->means[c * 2 + j], MIX_MU[t][j], 0.15);
        ck_assert_double_eq_tol(g->weights[c], MIX_W[t], 0.03);
        for (int j = 0; j < 4; j++)
            ck_assert_double_eq_tol(g->covs[c * 4 + j], MIX_COV[t][j], 0.25);
    }
    tk_gmm_free(g);
    free(X);
}
END_TEST

/* The lower bound after t EM iterations, read from fits stopped at
 * max_iter = t (same seed, so the same path), never decreases; t = 1 is the
 * bound of the k-means initialisation.  reg_covar makes the M-step a
 * slightly regularised maximiser, hence the round-off-sized slack. */
START_TEST(test_lower_bound_monotone)
{
    const size_t n = 600;
    double *X = make_mixture(n, 21, NULL);
    tk_gmm_options opt;
    tk_gmm_options_default(&opt);
    opt.tol = 0.0; /* never stop early: follow the whole path */
    double prev = -INFINITY, first = NAN;
    for (int t = 1; t <= 40; t++) {
        opt.max_iter = t;
        tk_gmm *g = fit_new(4, 2, X, n, 3, &opt);
        ck_assert_int_eq(g->n_iter, t);
        ck_assert(isfinite(g->lower_bound));
        ck_assert_msg(g->lower_bound >= prev - 1e-10 * fabs(prev),
                      "lower bound fell at iteration %d: %.17g < %.17g", t, g->lower_bound, prev);
        if (t == 1)
            first = g->lower_bound;
        prev = g->lower_bound;
        tk_gmm_free(g);
    }
    ck_assert(prev >= first);
    ck_assert(prev > first + 1e-6); /* EM did move from the k-means start */
    free(X);
}
END_TEST

/* k = 1: the fit is the sample mean and the ML covariance (divided by n)
 * plus reg_covar, and the score is the average analytic log-density. */
START_TEST(test_single_gaussian_closed_form)
{
    const size_t n = 500;
    double *X = make_gaussian3(n, 31);
    tk_gmm_options opt;
    tk_gmm_options_default(&opt);
    tk_gmm *g = fit_new(1, 3, X, n, 1, &opt);
    assert_valid_model(g);

    double mu[3] = {0, 0, 0}, S[9] = {0};
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < 3; j++)
            mu[j] += X[i * 3 + j];
    for (int j = 0; j < 3; j++)
        mu[j] /= (double)n;
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < 3; j++)
            for (int m = 0; m < 3; m++)
                S[j * 3 + m] += (X[i * 3 + j] - mu[j]) * (X[i * 3 + m] - mu[m]);
    for (int j = 0; j < 9; j++)
        S[j] /= (double)n;
    for (int j = 0; j < 3; j++)
        S[j * 4] += opt.reg_covar;

    ck_assert_double_eq(g->weights[0], 1.0);
    for (int j = 0; j < 3; j++)
        ck_assert_double_eq_tol(g->means[j], mu[j], 1e-12);
    for (int j = 0; j < 9; j++)
        ck_assert_double_eq_tol(g->covs[j], S[j], 1e-12);

    double expect = 0.0;
    for (size_t i = 0; i < n; i++)
        expect += logpdf3(X + i * 3, mu, S);
    expect /= (double)n;
    double score = tk_gmm_score(g, X, n);
    ck_assert_double_eq_tol(score, expect, 1e-9);
    /* The k-means start is already the ML fit: EM stops after 2 E-steps
     * whose bounds are that same log-likelihood. */
    ck_assert(g->converged);
    ck_assert_int_eq(g->n_iter, 2);
    ck_assert_double_eq_tol(g->lower_bound, expect, 1e-9);
    tk_gmm_free(g);
    free(X);
}
END_TEST

/* Hand-computed mean of log sum_c w_c N(x; mu_c, S_c) for a 3-D model,
 * through logpdf3 and a per-point log-sum-exp with libm exp. */
static double score_by_hand(const tk_gmm *g, const double *X, size_t n)
{
    double total = 0.0, a[16];
    ck_assert_uint_le(g->k, 16);
    for (size_t i = 0; i < n; i++) {
        double m = -INFINITY, s = 0.0;
        for (size_t c = 0; c < g->k; c++) {
            a[c] = log(g->weights[c]) + logpdf3(X + i * 3, g->means + c * 3, g->covs + c * 9);
            m = fmax(m, a[c]);
        }
        for (size_t c = 0; c < g->k; c++)
            s += exp(a[c] - m);
        total += m + log(s);
    }
    return total / (double)n;
}

/* Score of a 2-component model on two separated clusters equals the
 * hand-computed value to round-off: the tiny cross terms (exp of -20 to
 * -700) must be kept exactly, only true underflow may be skipped. */
START_TEST(test_score_mixture_by_hand)
{
    const size_t n = 400;
    double *X = make_gaussian3(n, 41);
    for (size_t i = 0; i < n / 2; i++)
        X[i * 3] += 4.0; /* a second cluster */
    tk_gmm *g = fit_new(2, 3, X, n, 2, NULL);
    double expect = score_by_hand(g, X, n);
    ck_assert_double_eq_tol(tk_gmm_score(g, X, n), expect, 1e-13 * fabs(expect));
    tk_gmm_free(g);
    free(X);
}
END_TEST

/* Many overlapping components on 2000 points: every point's sum of
 * exponentials is several units, so the running product the E-step keeps
 * (one log per pass) overflows 2^512 many times and must be rescaled
 * exactly. */
START_TEST(test_score_many_overlapping_components)
{
    const size_t n = 2000;
    double *X = make_gaussian3(n, 43);
    tk_gmm *g = fit_new(8, 3, X, n, 3, NULL);
    double expect = score_by_hand(g, X, n);
    ck_assert_double_eq_tol(tk_gmm_score(g, X, n), expect, 1e-13 * fabs(expect));
    tk_gmm_free(g);
    free(X);
}
END_TEST

START_TEST(test_n_parameters)
{
    ck_assert_uint_eq(tk_gmm_n_parameters(1, 1), 2);       /* mean, variance */
    ck_assert_uint_eq(tk_gmm_n_parameters(2, 3), 19);      /* 2*6 + 2*3 + 1 */
    ck_assert_uint_eq(tk_gmm_n_parameters(10, 3), 99);     /* 60 + 30 + 9 */
    ck_assert_uint_eq(tk_gmm_n_parameters(14, 14), 1679);  /* 14*105 + 196 + 13 */
}
END_TEST

/* AIC = -2 n score + 2 p, BIC = -2 n score + p ln n (scikit-learn's aic and bic). */
START_TEST(test_aic_bic_formulas)
{
    const size_t n = 300;
    double *X = make_gaussian3(n, 51);
    tk_gmm *g = fit_new(2, 3, X, n, 4, NULL);
    const double s = tk_gmm_score(g, X, n), p = 19.0;
    const double aic = -2.0 * (double)n * s + 2.0 * p;
    const double bic = -2.0 * (double)n * s + p * log((double)n);
    ck_assert_double_eq_tol(tk_gmm_criterion_value(g, X, n, TK_GMM_AIC, 3), aic,
                            1e-9 * fabs(aic));
    ck_assert_double_eq_tol(tk_gmm_criterion_value(g, X, n, TK_GMM_BIC, 3), bic,
                            1e-9 * fabs(bic));
    /* task_dim is ignored by AIC and BIC */
    ck_assert(tk_gmm_criterion_value(g, X, n, TK_GMM_AIC, 1)
              == tk_gmm_criterion_value(g, X, n, TK_GMM_AIC, 7));
    tk_gmm_free(g);
    free(X);
}
END_TEST

/* AICc = AIC + 2q(q+1)/(n-q-1), q = k((d^2-d)/2 + 2d + 1) - 1 with d the
 * TASK dimension (TeachMyAgent alp_gmm.py, get_nb_gmm_params), +inf when n - q - 1 <= 0. */
START_TEST(test_aicc_task_dim_and_infinity)
{
    const size_t n = 300;
    double *X = make_gaussian3(n, 61);
    tk_gmm *g = fit_new(2, 3, X, n, 6, NULL);
    /* task dim 2 (data dim 3 = task + ALP): q = 2 * (1 + 4 + 1) - 1 = 11 */
    double aic = tk_gmm_criterion_value(g, X, n, TK_GMM_AIC, 2);
    double expect = aic + 2.0 * 11.0 * 12.0 / ((double)n - 12.0);
    ck_assert_double_eq_tol(tk_gmm_criterion_value(g, X, n, TK_GMM_AICC, 2), expect,
                            1e-9 * fabs(expect));
    /* task dim 3 would give q = 2 * (3 + 6 + 1) - 1 = 19: a different value */
    double expect3 = aic + 2.0 * 19.0 * 20.0 / ((double)n - 20.0);
    ck_assert_double_eq_tol(tk_gmm_criterion_value(g, X, n, TK_GMM_AICC, 3), expect3,
                            1e-9 * fabs(expect3));
    /* n - q - 1 = 0 and < 0: +inf; one more point: finite */
    ck_assert(isinf(tk_gmm_criterion_value(g, X, 12, TK_GMM_AICC, 2)));
    ck_assert(tk_gmm_criterion_value(g, X, 12, TK_GMM_AICC, 2) > 0.0);
    ck_assert(isinf(tk_gmm_criterion_value(g, X, 5, TK_GMM_AICC, 2)));
    ck_assert(isfinite(tk_gmm_criterion_value(g, X, 13, TK_GMM_AICC, 2)));
    tk_gmm_free(g);
    free(X);
}
END_TEST

/* BIC over k = 1..6 (the teachers' loop: fresh seed per candidate, first
 * minimum kept) picks k = 3 on three well-separated clusters. */
START_TEST(test_bic_selects_three)
{
    const size_t n = 600;
    double *X = make_mixture(n, 71, NULL);
    double best = INFINITY;
    size_t best_k = 0;
    for (size_t k = 1; k <= 6; k++) {
        tk_gmm *g = fit_new(k, 2, X, n, 99, NULL);
        double v = tk_gmm_criterion_value(g, X, n, TK_GMM_BIC, 2);
        ck_assert(isfinite(v));
        if (v < best) {
            best = v;
            best_k = k;
        }
        tk_gmm_free(g);
    }
    ck_assert_uint_eq(best_k, 3);
    free(X);
}
END_TEST

/* 1e5 draws from one component of a fitted model have its mean and
 * covariance.  Tolerances: 5 standard errors, SE(mean_j) = sqrt(S_jj / N),
 * SE(cov_jm) = sqrt((S_jj S_mm + S_jm^2) / N) for Gaussian data; a false
 * failure has probability < 1e-5 per entry for any seed. */
START_TEST(test_sampling_moments)
{
    const size_t n = 500, N = 100000;
    double *X = make_gaussian3(n, 81);
    for (size_t i = 0; i < n / 2; i++)
        X[i * 3 + 1] += 5.0;
    tk_gmm *g = fit_new(2, 3, X, n, 8, NULL);
    const size_t c = 1;
    const double *mu = g->means + c * 3, *S = g->covs + c * 9;
    double *Y = malloc(N * 3 * sizeof(double));
    ck_assert_ptr_nonnull(Y);
    tk_rng r;
    tk_rng_seed(&r, 12345);
    for (size_t i = 0; i < N; i++)
        tk_gmm_sample_component(g, c, &r, Y + i * 3);
    double m[3] = {0, 0, 0}, C[9] = {0};
    for (size_t i = 0; i < N; i++)
        for (int j = 0; j < 3; j++)
            m[j] += Y[i * 3 + j] / (double)N;
    for (size_t i = 0; i < N; i++)
        for (int j = 0; j < 3; j++)
            for (int l = 0; l < 3; l++)
                C[j * 3 + l] += (Y[i * 3 + j] - m[j]) * (Y[i * 3 + l] - m[l]) / (double)(N - 1);
    for (int j = 0; j < 3; j++) {
        ck_assert_double_eq_tol(m[j], mu[j], 5.0 * sqrt(S[j * 4] / (double)N));
        for (int l = 0; l < 3; l++) {
            double se = sqrt((S[j * 4] * S[l * 4] + S[j * 3 + l] * S[j * 3 + l]) / (double)N);
            ck_assert_double_eq_tol(C[j * 3 + l], S[j * 3 + l], 5.0 * se);
        }
    }
    free(Y);
    tk_gmm_free(g);
    free(X);
}
END_TEST

/* All points identical: k-means finds one distinct cluster, the other
 * components end empty (N_k = 10 eps, covariance reg_covar I, weight ~0);
 * nothing crashes and every parameter is finite. */
START_TEST(test_degenerate_identical_points)
{
    const size_t n = 100;
    double X[100 * 3];
    for (size_t i = 0; i < n; i++) {
        X[i * 3] = 0.25;
        X[i * 3 + 1] = 0.75;
        X[i * 3 + 2] = 0.0;
    }
    tk_gmm_options opt;
    tk_gmm_options_default(&opt);
    for (size_t k = 1; k <= 5; k++) {
        tk_gmm *g = fit_new(k, 3, X, n, k, &opt);
        assert_valid_model(g);
        ck_assert(isfinite(g->lower_bound));
        ck_assert(isfinite(tk_gmm_score(g, X, n)));
        ck_assert(isfinite(tk_gmm_criterion_value(g, X, n, TK_GMM_AIC, 2)));
        /* the populated component sits on the point with variance reg_covar */
        size_t c = closest_component(g, X);
        ck_assert_double_eq_tol(g->weights[c], 1.0, 1e-12);
        ck_assert_double_eq_tol(g->covs[c * 9], opt.reg_covar, 1e-18);
        tk_gmm_free(g);
    }
    /* reg_covar = 0: singular covariances, rescued by the jitter fallback */
    opt.reg_covar = 0.0;
    tk_gmm *g = fit_new(3, 3, X, n, 7, &opt);
    assert_valid_model(g);
    tk_gmm_free(g);
}
END_TEST

/* ALP-GMM-like data: many exact duplicates and a column that is mostly 0
 * (nearly singular components): every candidate k = 2..10 fits. */
START_TEST(test_degenerate_many_duplicates)
{
    const size_t n = 250;
    double X[250 * 3];
    tk_rng r;
    tk_rng_seed(&r, 91);
    for (size_t i = 0; i < n; i++) {
        int dup = i % 10 < 7;
        X[i * 3] = dup ? 1.0 : tk_rng_uniform(&r);
        X[i * 3 + 1] = dup ? 0.0 : tk_rng_uniform(&r);
        X[i * 3 + 2] = dup || tk_rng_uniform(&r) < 0.5 ? 0.0 : tk_rng_uniform(&r);
    }
    for (size_t k = 2; k <= 10; k++) {
        tk_gmm *g = fit_new(k, 3, X, n, 42, NULL);
        assert_valid_model(g);
        ck_assert(isfinite(tk_gmm_criterion_value(g, X, n, TK_GMM_AIC, 2)));
        tk_gmm_free(g);
    }
}
END_TEST

/* Same seed, same data: bit-identical models and the same RNG state after. */
START_TEST(test_fit_deterministic_for_seed)
{
    const size_t n = 500;
    double *X = make_mixture(n, 101, NULL);
    tk_gmm *a = tk_gmm_new(4, 2), *b = tk_gmm_new(4, 2);
    tk_rng ra, rb;
    tk_rng_seed(&ra, 77);
    tk_rng_seed(&rb, 77);
    ck_assert_int_eq(tk_gmm_fit(a, X, n, NULL, &ra), 0);
    ck_assert_int_eq(tk_gmm_fit(b, X, n, NULL, &rb), 0);
    ck_assert_mem_eq(a->weights, b->weights, 4 * sizeof(double));
    ck_assert_mem_eq(a->means, b->means, 8 * sizeof(double));
    ck_assert_mem_eq(a->covs, b->covs, 16 * sizeof(double));
    ck_assert_mem_eq(a->chols, b->chols, 16 * sizeof(double));
    ck_assert(a->lower_bound == b->lower_bound);
    ck_assert_int_eq(a->n_iter, b->n_iter);
    ck_assert_mem_eq(ra.s, rb.s, sizeof ra.s);
    /* refitting the same object from the same seed gives the same model */
    tk_rng_seed(&rb, 77);
    ck_assert_int_eq(tk_gmm_fit(b, X, n, NULL, &rb), 0);
    ck_assert_mem_eq(a->means, b->means, 8 * sizeof(double));
    tk_gmm_free(a);
    tk_gmm_free(b);
    free(X);
}
END_TEST

/* n_init > 1 keeps the run with the highest lower bound; its first run is
 * the n_init = 1 run (same RNG stream), so it can only be as good or better. */
START_TEST(test_n_init_keeps_best)
{
    const size_t n = 400;
    double *X = make_mixture(n, 111, NULL);
    tk_gmm_options opt;
    tk_gmm_options_default(&opt);
    tk_gmm *one = fit_new(5, 2, X, n, 13, &opt);
    opt.n_init = 4;
    tk_gmm *four = fit_new(5, 2, X, n, 13, &opt);
    assert_valid_model(four);
    ck_assert(four->lower_bound >= one->lower_bound);
    tk_gmm_free(one);
    tk_gmm_free(four);
    free(X);
}
END_TEST

/* Warm start (scikit-learn warm_start): EM resumes from the fitted model
 * and compares its first bound with the stored one, so a converged model
 * stops after one iteration. */
START_TEST(test_warm_start_resumes)
{
    const size_t n = 500;
    double *X = make_mixture(n, 121, NULL);
    tk_gmm *g = fit_new(3, 2, X, n, 17, NULL);
    double lb = g->lower_bound;
    ck_assert_int_eq(tk_gmm_fit_warm(g, X, n, NULL), 0);
    assert_valid_model(g);
    ck_assert(g->converged);
    ck_assert_int_eq(g->n_iter, 1);
    ck_assert(g->lower_bound >= lb - 1e-9);
    /* a fresh object (lower_bound -inf) runs EM from its default model */
    tk_gmm *h = tk_gmm_new(3, 2);
    ck_assert_int_eq(tk_gmm_fit_warm(h, X, n, NULL), 0);
    assert_valid_model(h);
    ck_assert_int_ge(h->n_iter, 2);
    tk_gmm_free(h);
    tk_gmm_free(g);
    free(X);
}
END_TEST

/* A selector restored from its checkpoint (tk_gmm_select_save/load) fits
 * the next batch exactly as the saved one: with warm start every candidate
 * that holds a fit is restored, without it the selected one. */
static void assert_same_gmm(const tk_gmm *a, const tk_gmm *b)
{
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(a->k, b->k);
    ck_assert_int_eq(memcmp(a->weights, b->weights, a->k * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->means, b->means, a->k * a->dim * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->covs, b->covs, a->k * a->dim * a->dim * sizeof(double)), 0);
}

START_TEST(test_select_save_load_continues_identically)
{
    const int warm = _i;
    tk_gmm_select_options opt = {.k_min = 1, .k_max = 4, .criterion = TK_GMM_AIC,
                                 .task_dim = 2, .warm_start = warm, .restart_init_rng = 1};
    tk_gmm_options_default(&opt.em);
    const size_t n = 300;
    double *X1 = make_mixture(n, 131, NULL), *X2 = make_mixture(n, 132, NULL);
    tk_rng init;
    tk_rng_seed(&init, 5);
    tk_gmm_select *a = tk_gmm_select_new(2, &opt), *b = tk_gmm_select_new(2, &opt);
    ck_assert_int_eq(tk_gmm_select_fit(a, X1, n, &init), 0);
    tk_state_writer w;
    tk_state_writer_init(&w);
    tk_gmm_select_save(a, &w);
    tk_state_reader r;
    tk_state_reader_init(&r, w.data, w.size);
    ck_assert_int_eq(tk_gmm_select_load(b, &r), 0);
    ck_assert(!r.failed);
    ck_assert_uint_eq(r.pos, r.size);
    assert_same_gmm(tk_gmm_select_best(a), tk_gmm_select_best(b));
    ck_assert_uint_eq(tk_gmm_select_fits(b), 1);
    ck_assert_int_eq(tk_gmm_select_fit(a, X2, n, &init), 0);
    ck_assert_int_eq(tk_gmm_select_fit(b, X2, n, &init), 0);
    assert_same_gmm(tk_gmm_select_best(a), tk_gmm_select_best(b));
    ck_assert_uint_eq(tk_gmm_select_fits(b), 2);
    /* Another k range: refused, `b` unchanged. */
    opt.k_max = 3;
    tk_gmm_select *c = tk_gmm_select_new(2, &opt);
    tk_state_reader_init(&r, w.data, w.size);
    ck_assert_int_eq(tk_gmm_select_load(c, &r), 0);
    ck_assert(r.failed);
    ck_assert_ptr_null(tk_gmm_select_best(c));
    tk_gmm_select_free(c);
    tk_state_writer_free(&w);
    tk_gmm_select_free(a);
    tk_gmm_select_free(b);
    free(X1);
    free(X2);
}
END_TEST

START_TEST(test_invalid_arguments)
{
    double X[6 * 2] = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    tk_rng r;
    tk_rng_seed(&r, 1);
    ck_assert_ptr_null(tk_gmm_new(0, 2));
    ck_assert_ptr_null(tk_gmm_new(2, 0));
    tk_gmm *g = tk_gmm_new(3, 2);
    ck_assert_int_eq(tk_gmm_fit(g, X, 2, NULL, &r), -1);     /* n < k */
    ck_assert_int_eq(tk_gmm_fit(g, NULL, 6, NULL, &r), -1);
    ck_assert_int_eq(tk_gmm_fit(g, X, 6, NULL, NULL), -1);
    tk_gmm_options opt;
    tk_gmm_options_default(&opt);
    opt.n_init = 0;
    ck_assert_int_eq(tk_gmm_fit(g, X, 6, &opt, &r), -1);
    tk_gmm_options_default(&opt);
    opt.reg_covar = -1.0;
    ck_assert_int_eq(tk_gmm_fit(g, X, 6, &opt, &r), -1);
    X[3] = NAN;
    ck_assert_int_eq(tk_gmm_fit(g, X, 6, NULL, &r), -1);
    X[3] = INFINITY;
    ck_assert_int_eq(tk_gmm_fit_warm(g, X, 6, NULL), -1);
    X[3] = 1.0;
    ck_assert(isnan(tk_gmm_score(g, X, 0)));
    ck_assert_int_eq(tk_gmm_fit(g, X, 6, NULL, &r), 0);
    assert_valid_model(g);
    tk_gmm_free(g);
    tk_gmm_free(NULL);
}
END_TEST

START_TEST(test_options_default)
{
    tk_gmm_options o;
    tk_gmm_options_default(&o);
    ck_assert_double_eq(o.tol, 1e-3);
    ck_assert_double_eq(o.reg_covar, 1e-6);
    ck_assert_int_eq(o.max_iter, 100);
    ck_assert_int_eq(o.n_init, 1);
    ck_assert_int_eq(o.kmeans_max_iter, 300);
}
END_TEST

/* ------------------------------------------- E/M kernels vs a reference */

/* The EM kernels of core/lib/gmm.c take the points a SIMD vector at a time
 * (padding the point arrays), are specialised per dimension up to 6 with a
 * generic version above, use their own exp(), and factorise by hand up to
 * dimension 16 and through LAPACKE above.  The tests below compare them
 * with a plain point-by-point computation using libm's exp(). */

#define REF_MAXD 20

/* Lower Cholesky factor of the d x d row-major S into L. */
static void chol_ref(const double *S, double *L, size_t d)
{
    memset(L, 0, d * d * sizeof(double));
    for (size_t j = 0; j < d; j++)
        for (size_t m = 0; m <= j; m++) {
            double s = S[j * d + m];
            for (size_t t = 0; t < m; t++)
                s -= L[j * d + t] * L[m * d + t];
            L[j * d + m] = m == j ? sqrt(s) : s / L[m * d + m];
        }
}

/* ln w + ln N(x; mu, L L^T). */
static double logterm_ref(const double *x, double w, const double *mu, const double *L, size_t d)
{
    double y[REF_MAXD], q = 0.0, logdet = 0.0;
    for (size_t j = 0; j < d; j++) {
        double s = x[j] - mu[j];
        for (size_t m = 0; m < j; m++)
            s -= L[j * d + m] * y[m];
        y[j] = s / L[j * d + j];
        q += y[j] * y[j];
        logdet += log(L[j * d + j]);
    }
    return log(w) - 0.5 * (double)d * LOG_2PI - logdet - 0.5 * q;
}

/* A random model: weights in [0.5, 1.5] normalised, means N(0, 3^2) per
 * coordinate, covariances A A^T / d + 0.05 I with A standard normal; chols
 * set to match (for tk_gmm_sample_component). */
static void random_model(tk_gmm *g, tk_rng *r)
{
    const size_t k = g->k, d = g->dim;
    double A[REF_MAXD * REF_MAXD], wsum = 0.0;
    for (size_t c = 0; c < k; c++) {
        g->weights[c] = 0.5 + tk_rng_uniform(r);
        wsum += g->weights[c];
        for (size_t j = 0; j < d; j++)
            g->means[c * d + j] = 3.0 * tk_rng_normal(r);
        for (size_t t = 0; t < d * d; t++)
            A[t] = tk_rng_normal(r);
        double *S = g->covs + c * d * d;
        for (size_t j = 0; j < d; j++)
            for (size_t m = 0; m < d; m++) {
                double s = j == m ? 0.05 : 0.0;
                for (size_t t = 0; t < d; t++)
                    s += A[j * d + t] * A[m * d + t] / (double)d;
                S[j * d + m] = s;
            }
        chol_ref(S, g->chols + c * d * d, d);
    }
    for (size_t c = 0; c < k; c++)
        g->weights[c] /= wsum;
}

/* n points of the model, the last one an outlier at 30 in every coordinate
 * (log terms 10^2 to 10^4 apart: exp() underflows for some components). */
static double *sample_model(const tk_gmm *g, size_t n, tk_rng *r)
{
    double *X = malloc(n * g->dim * sizeof(double));
    ck_assert_ptr_nonnull(X);
    for (size_t i = 0; i + 1 < n; i++)
        tk_gmm_sample_component(g, (size_t)tk_rng_below(r, g->k), r, X + i * g->dim);
    for (size_t j = 0; j < g->dim; j++)
        X[(n - 1) * g->dim + j] = 30.0;
    return X;
}

/* One EM iteration from g by hand (scikit-learn's _e_step and _m_step): E-step with a
 * per-point log-sum-exp through libm's exp, then the M-step of scikit-learn
 * (N_k + 10 eps, centred covariances + reg_covar I).  Outputs the mean
 * log-likelihood of the E-step and the new weights, means, covariances. */
static double em_step_ref(const tk_gmm *g, const double *X, size_t n, double reg_covar,
                          double *w, double *mu, double *S)
{
    const size_t k = g->k, d = g->dim;
    double *L = malloc(k * d * d * sizeof(double)), *resp = malloc(n * k * sizeof(double));
    double nk[16], total = 0.0;
    ck_assert_ptr_nonnull(L);
    ck_assert_ptr_nonnull(resp);
    ck_assert_uint_le(k, 16);
    for (size_t c = 0; c < k; c++)
        chol_ref(g->covs + c * d * d, L + c * d * d, d);
    for (size_t i = 0; i < n; i++) {
        double *a = resp + i * k, m = -INFINITY, s = 0.0;
        for (size_t c = 0; c < k; c++) {
            a[c] = logterm_ref(X + i * d, g->weights[c], g->means + c * d, L + c * d * d, d);
            m = fmax(m, a[c]);
        }
        for (size_t c = 0; c < k; c++)
            s += (a[c] = exp(a[c] - m));
        for (size_t c = 0; c < k; c++)
            a[c] /= s;
        total += m + log(s);
    }
    double nsum = 0.0;
    for (size_t c = 0; c < k; c++) {
        nk[c] = 10.0 * DBL_EPSILON;
        for (size_t i = 0; i < n; i++)
            nk[c] += resp[i * k + c];
        nsum += nk[c];
        for (size_t j = 0; j < d; j++) {
            double sx = 0.0;
            for (size_t i = 0; i < n; i++)
                sx += resp[i * k + c] * X[i * d + j];
            mu[c * d + j] = sx / nk[c];
        }
        for (size_t j = 0; j < d; j++)
            for (size_t m = 0; m < d; m++) {
                double sxx = 0.0;
                for (size_t i = 0; i < n; i++)
                    sxx += resp[i * k + c] * (X[i * d + j] - mu[c * d + j])
                         * (X[i * d + m] - mu[c * d + m]);
                S[(c * d + j) * d + m] = sxx / nk[c] + (j == m ? reg_covar : 0.0);
            }
    }
    for (size_t c = 0; c < k; c++)
        w[c] = nk[c] / nsum;
    free(L);
    free(resp);
    return total / (double)n;
}

/* |a - b| <= tol * (1 + |b|) for the n entries. */
static void assert_close(const double *a, const double *b, size_t n, double tol)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fabs(a[i] - b[i]) <= tol * (1.0 + fabs(b[i])), "entry %zu: %.17g vs %.17g",
                      i, a[i], b[i]);
}

/* One warm-started EM iteration (max_iter 1) equals em_step_ref to
 * round-off, for the specialised (D <= 6) and generic kernels, the
 * hand-written (D <= 16) and LAPACK Cholesky, point counts that are not a
 * multiple of the SIMD width, and points whose responsibilities span
 * exp(0) to underflow.  Tolerance: the two differ in summation order and
 * in exp() by a few ulp; 1e-11 relative leaves room for the condition of
 * the covariances while any missing or extra point (padding) or a wrong
 * lane would be off by > 1e-4. */
START_TEST(test_em_step_matches_reference)
{
    static const size_t cases[][3] = {{1, 2, 5},  {2, 3, 7},   {3, 4, 250}, {4, 3, 251},
                                      {4, 10, 250}, {5, 2, 13}, {6, 4, 33}, {7, 3, 101},
                                      {9, 2, 40}, {17, 2, 61}, {3, 1, 1}};
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        const size_t d = cases[t][0], k = cases[t][1], n = cases[t][2];
        tk_rng r;
        tk_rng_seed(&r, 1000 + t);
        tk_gmm *g = tk_gmm_new(k, d);
        ck_assert_ptr_nonnull(g);
        random_model(g, &r);
        double *X = sample_model(g, n, &r);
        double *w = malloc(k * sizeof(double)), *mu = malloc(k * d * sizeof(double));
        double *S = malloc(k * d * d * sizeof(double));
        ck_assert(w && mu && S);
        tk_gmm_options opt;
        tk_gmm_options_default(&opt);
        opt.max_iter = 1;
        const double lb = em_step_ref(g, X, n, opt.reg_covar, w, mu, S);
        ck_assert_int_eq(tk_gmm_fit_warm(g, X, n, &opt), 0);
        ck_assert_int_eq(g->n_iter, 1);
        ck_assert_msg(fabs(g->lower_bound - lb) <= 1e-12 * (1.0 + fabs(lb)),
                      "D=%zu k=%zu n=%zu: lower bound %.17g vs %.17g", d, k, n, g->lower_bound,
                      lb);
        assert_close(g->weights, w, k, 1e-11);
        assert_close(g->means, mu, k * d, 1e-11);
        assert_close(g->covs, S, k * d * d, 1e-11);
        assert_valid_model(g);
        free(w);
        free(mu);
        free(S);
        free(X);
        tk_gmm_free(g);
    }
}
END_TEST

/* The E-step's exp() against libm's across its whole range: the score of
 * x = 0 under 0.5 N(0, 1) + 0.5 N(m, 1) is a + ln(1 + e^t), t = -m^2 / 2,
 * a = ln 0.5 - ln(2 pi) / 2; t from 0 down to -750 (beyond libm's
 * underflow at -745).  1e-14 absolute: an exp() off by 1e-13 relative near
 * t = 0 would fail; libm and the E-step's exp() differ by <= 3 ulp. */
START_TEST(test_score_exp_range)
{
    tk_gmm *g = tk_gmm_new(2, 1);
    ck_assert_ptr_nonnull(g);
    const double x = 0.0, a = log(0.5) - 0.5 * LOG_2PI;
    for (int i = 0; i <= 3000; i++) {
        const double t = -0.2501 * i;
        g->means[1] = sqrt(-2.0 * t);
        const double q = g->means[1] * g->means[1];
        const double expect = a + log1p(exp(-0.5 * q));
        ck_assert_msg(fabs(tk_gmm_score(g, &x, 1) - expect) <= 1e-14, "t = %g: %.17g vs %.17g",
                      t, tk_gmm_score(g, &x, 1), expect);
    }
    tk_gmm_free(g);
}
END_TEST

/* The score of n points is the mean of their single-point scores whatever
 * n (the E-step pads its point arrays to the SIMD width), in D = 4
 * (specialised kernels) and D = 8 (generic); a component of weight 0
 * (log terms -inf) changes nothing. */
START_TEST(test_score_padding_and_zero_weight)
{
    for (size_t d = 4; d <= 8; d += 4) {
        tk_rng r;
        tk_rng_seed(&r, 77 + d);
        tk_gmm *g = tk_gmm_new(3, d), *h = tk_gmm_new(4, d);
        ck_assert(g && h);
        random_model(g, &r);
        double *X = sample_model(g, 9, &r);
        for (size_t m = 1; m <= 9; m++) {
            double sum = 0.0;
            for (size_t i = 0; i < m; i++)
                sum += tk_gmm_score(g, X + i * d, 1);
            const double total = tk_gmm_score(g, X, m) * (double)m;
            ck_assert_msg(fabs(total - sum) <= 1e-12 * fabs(sum), "D=%zu n=%zu", d, m);
        }
        /* h = g plus a fourth component of weight 0 */
        memcpy(h->weights, g->weights, 3 * sizeof(double));
        memcpy(h->means, g->means, 3 * d * sizeof(double));
        memcpy(h->covs, g->covs, 3 * d * d * sizeof(double));
        memcpy(h->chols, g->chols, 3 * d * d * sizeof(double));
        h->weights[3] = 0.0;
        ck_assert_double_eq(tk_gmm_score(h, X, 9), tk_gmm_score(g, X, 9));
        tk_gmm_free(g);
        tk_gmm_free(h);
        free(X);
    }
}
END_TEST

static Suite *gmm_suite(void)
{
    Suite *s = suite_create("gmm");
    TCase *em = tcase_create("em");
    tcase_set_timeout(em, 120);
    tcase_add_test(em, test_options_default);
    tcase_add_test(em, test_em_recovers_known_mixture);
    tcase_add_test(em, test_lower_bound_monotone);
    tcase_add_test(em, test_single_gaussian_closed_form);
    tcase_add_test(em, test_score_mixture_by_hand);
    tcase_add_test(em, test_score_many_overlapping_components);
    tcase_add_test(em, test_n_init_keeps_best);
    tcase_add_test(em, test_warm_start_resumes);
    tcase_add_test(em, test_fit_deterministic_for_seed);
    suite_add_tcase(s, em);

    TCase *ker = tcase_create("kernels");
    tcase_set_timeout(ker, 120);
    tcase_add_test(ker, test_em_step_matches_reference);
    tcase_add_test(ker, test_score_exp_range);
    tcase_add_test(ker, test_score_padding_and_zero_weight);
    suite_add_tcase(s, ker);

    TCase *sel = tcase_create("selection");
    tcase_add_test(sel, test_n_parameters);
    tcase_add_test(sel, test_aic_bic_formulas);
    tcase_add_test(sel, test_aicc_task_dim_and_infinity);
    tcase_add_test(sel, test_bic_selects_three);
    tcase_add_loop_test(sel, test_select_save_load_continues_identically, 0, 2);
    suite_add_tcase(s, sel);

    TCase *edge = tcase_create("edge");
    tcase_set_timeout(edge, 120);
    tcase_add_test(edge, test_sampling_moments);
    tcase_add_test(edge, test_degenerate_identical_points);
    tcase_add_test(edge, test_degenerate_many_duplicates);
    tcase_add_test(edge, test_invalid_arguments);
    suite_add_tcase(s, edge);
    return s;
}

int main(void)
{
    return tk_check_run(gmm_suite());
}
