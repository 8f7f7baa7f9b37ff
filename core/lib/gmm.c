/*
 * Full-covariance Gaussian mixtures fitted by EM, following scikit-learn's
 * GaussianMixture(covariance_type="full", init_params="kmeans")
 * (spec: teachers.md section 3).  Deviations from scikit-learn are listed
 * in <teachkit/gmm.h>.
 *
 * Layout of the work, per EM iteration:
 *   - per component: Cholesky factor of the covariance (LAPACKE_dpotrf) and
 *     the constants of its log-density (precompute);
 *   - per point: forward substitution over the cached factor, log-sum-exp
 *     and the N_k / sum r x accumulation (estep), then the centred
 *     covariance sums (covs).  These loops are hand-written, specialised per
 *     small dimension (kernel_set), because at the teachers' sizes (n = 150
 *     to 250, D <= 14, k <= 14) a BLAS call per point or per component
 *     costs more than the arithmetic.
 * Every buffer of a fit is allocated once, up front (fit_ws).
 *
 * Cost (tools/bench/bench_gmm.c: k = 2..10 on 250 points in D = 3, the
 * ALP-GMM selection): ~2.7-3.0 ms of CPU per selection, of which libm's
 * exp() is ~25 %, the E-step loops ~40 %, the covariance pass ~15 % and
 * k-means ~10 %.
 */
#include "teachkit/gmm.h"

#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans.h"

/* ln(2 pi) */
#define LOG_2PI 1.8378770664093454835606594728112
/* scikit-learn adds 10 * eps to every N_k so that empty components do not
 * divide by zero (spec section 3, M-step). */
#define NK_FLOOR (10.0 * DBL_EPSILON)
/* Retries of a failed Cholesky factorisation, each with 10x the jitter. */
#define JITTER_RETRIES 4

void tk_gmm_options_default(tk_gmm_options *opt)
{
    opt->tol = 1e-3;
    opt->reg_covar = 1e-6;
    opt->max_iter = 100;
    opt->n_init = 1;
    opt->kmeans_max_iter = 300;
}

/* ---------------------------------------------------------------- objects */

tk_gmm *tk_gmm_new(size_t k, size_t dim)
{
    if (k == 0 || dim == 0)
        return NULL;
    tk_gmm *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    g->k = k;
    g->dim = dim;
    g->weights = calloc(k, sizeof(double));
    g->means = calloc(k * dim, sizeof(double));
    g->covs = calloc(k * dim * dim, sizeof(double));
    g->chols = calloc(k * dim * dim, sizeof(double));
    if (!g->weights || !g->means || !g->covs || !g->chols) {
        tk_gmm_free(g);
        return NULL;
    }
    /* A usable (if uninformative) model before any fit: equal weights,
     * standard normal components. */
    for (size_t c = 0; c < k; c++) {
        g->weights[c] = 1.0 / (double)k;
        for (size_t j = 0; j < dim; j++) {
            g->covs[(c * dim + j) * dim + j] = 1.0;
            g->chols[(c * dim + j) * dim + j] = 1.0;
        }
    }
    g->lower_bound = -INFINITY;
    return g;
}

void tk_gmm_free(tk_gmm *gmm)
{
    if (!gmm)
        return;
    free(gmm->weights);
    free(gmm->means);
    free(gmm->covs);
    free(gmm->chols);
    free(gmm);
}

size_t tk_gmm_n_parameters(size_t k, size_t dim)
{
    return k * dim * (dim + 1) / 2 + k * dim + k - 1;
}

/* ------------------------------------------------------------ workspace */

/* Everything one fit needs, carved out of a single allocation. */
typedef struct fit_ws {
    double *resp;     /* n x k responsibilities */
    double *nk;       /* k: N_k */
    double *sx;       /* k x D: sum_i r_ik x_i */
    double *lconst;   /* k: ln w_c - D/2 ln 2pi - ln det L_c */
    double *rdiag;    /* k x D: 1 / diag(L_c) */
    double *scratch;  /* D * D: scratch of the generic (large D) kernels */
    double *best;     /* saved parameters of the best init (n_init > 1) */
    double *centers;  /* k x D: k-means centres */
    size_t *labels;   /* n: k-means labels */
    void *km;         /* k-means scratch */
    void *block;      /* the allocation (free this) */
} fit_ws;

static size_t align16(size_t bytes)
{
    return (bytes + 15) & ~(size_t)15;
}

static size_t params_size(size_t k, size_t d)
{
    return k + k * d + 2 * k * d * d;
}

static void *carve(unsigned char **p, size_t bytes)
{
    void *r = *p;
    *p += align16(bytes);
    return r;
}

/* with_init: also room for k-means and for the best of n_init runs. */
static int ws_alloc(fit_ws *ws, size_t n, size_t k, size_t d, int with_init)
{
    const size_t db = sizeof(double);
    size_t km_bytes = with_init ? tk_kmeans_workspace_size(n, k, d) : 0;
    size_t best_bytes = with_init ? params_size(k, d) * db : 0;
    size_t total = align16(n * k * db) + 2 * align16(k * db) + 2 * align16(k * d * db)
                 + align16(d * d * db) + align16(best_bytes) + align16(k * d * db)
                 + align16(n * sizeof(size_t)) + align16(km_bytes);
    ws->block = malloc(total);
    if (!ws->block)
        return -1;
    unsigned char *p = ws->block;
    ws->resp = carve(&p, n * k * db);
    ws->nk = carve(&p, k * db);
    ws->sx = carve(&p, k * d * db);
    ws->lconst = carve(&p, k * db);
    ws->rdiag = carve(&p, k * d * db);
    ws->scratch = carve(&p, d * d * db);
    ws->best = carve(&p, best_bytes);
    ws->centers = carve(&p, k * d * db);
    ws->labels = carve(&p, n * sizeof(size_t));
    ws->km = carve(&p, km_bytes);
    return 0;
}

/* ------------------------------------------------------------- Cholesky */

/* Lower Cholesky factor of one covariance (D x D, row-major) into L, upper
 * part zeroed.  reg_covar keeps the covariances positive definite in exact
 * arithmetic; if round-off (or reg_covar = 0 on degenerate data) still
 * defeats dpotrf, scikit-learn raises.  We instead retry JITTER_RETRIES
 * times, adding 10x more diagonal jitter each time, starting from
 * max(reg_covar, eps * max(1, largest diagonal entry)) so that the jitter
 * is meaningful whatever the data scale.  The jitter is added to `cov`
 * itself so that cov == L L^T stays true.  Returns 0, or -1 on failure. */
static int factor_cov(double *cov, double *L, size_t d, double reg_covar)
{
    double maxdiag = 1.0;
    for (size_t j = 0; j < d; j++)
        maxdiag = fmax(maxdiag, fabs(cov[j * d + j]));
    double jitter = fmax(reg_covar, DBL_EPSILON * maxdiag);
    for (int attempt = 0;; attempt++) {
        memcpy(L, cov, d * d * sizeof(double));
        lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)d, L, (lapack_int)d);
        if (info == 0)
            break;
        if (attempt == JITTER_RETRIES)
            return -1;
        jitter *= 10.0;
        for (size_t j = 0; j < d; j++)
            cov[j * d + j] += jitter;
    }
    for (size_t j = 0; j < d; j++)
        for (size_t m = j + 1; m < d; m++)
            L[j * d + m] = 0.0;
    return 0;
}

static int factor_all(tk_gmm *g, double reg_covar)
{
    const size_t dd = g->dim * g->dim;
    for (size_t c = 0; c < g->k; c++)
        if (factor_cov(g->covs + c * dd, g->chols + c * dd, g->dim, reg_covar))
            return -1;
    return 0;
}

/* Per-component constants of the E-step, computed once per iteration:
 * lconst_c = ln w_c - D/2 ln(2 pi) - sum_j ln L_c[j][j], rdiag = 1/L_c[j][j]. */
static void precompute(const tk_gmm *g, double *lconst, double *rdiag)
{
    const size_t d = g->dim;
    for (size_t c = 0; c < g->k; c++) {
        const double *L = g->chols + c * d * d;
        double logdet = 0.0;
        for (size_t j = 0; j < d; j++) {
            logdet += log(L[j * d + j]);
            rdiag[c * d + j] = 1.0 / L[j * d + j];
        }
        lconst[c] = log(g->weights[c]) - 0.5 * (double)d * LOG_2PI - logdet;
    }
}

/* ------------------------------------------------ per-point kernels (E, M) */

/* The per-point loops are written once as always-inline kernels over a
 * dimension `d`, then instantiated with d a compile-time constant for the
 * small dimensions the teachers use (task dim + 1 or + 2) so that the
 * compiler unrolls them completely and keeps residuals and accumulators in
 * registers; a fit picks its kernel_set once.  Distinct functions rather
 * than a switch around inlined calls: clang folds `case 3: f(3)` back into
 * `f(d)` and loses the specialisation.  Measured with bench_gmm (D = 3):
 * about 3x faster than the plain loops under gcc and clang. */
#if defined(__clang__)
#define KERNEL static inline __attribute__((always_inline))
/* clang optimises an always-inline callee before inlining it, and would
 * spend a plain unroll request on a runtime-count unroll there; a full
 * unroll request waits until the trip count is a constant. */
#define UNROLL _Pragma("clang loop unroll(full)")
/* The generic (any-dimension) instances cannot be unrolled fully, by
 * design: that is not worth a warning. */
#pragma clang diagnostic ignored "-Wpass-failed"
#elif defined(__GNUC__)
#define KERNEL static inline __attribute__((always_inline))
/* -O2 does not completely unroll loops that grow the code: ask for it. */
#define UNROLL _Pragma("GCC unroll 8")
#else
#define KERNEL static inline
#define UNROLL
#endif

/* Log-density plus log-weight of every point under one component,
 * lc - |L^{-1}(x_i - mu)|^2 / 2, into out[i * stride].  The triangular solve
 * is a forward substitution over the cached factor; looping over the points
 * innermost (component-major) keeps L, 1/diag(L) and mu in registers
 * (restrict: `out` aliases none of them).  y: d scratch. */
KERNEL void logdens_kernel(const double *restrict X, size_t n, const double *restrict mu,
                           const double *restrict L, const double *restrict rdiag, double lc,
                           double *restrict out, size_t stride, size_t d, double *restrict y)
{
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * d;
        double q = 0.0;
        UNROLL
        for (size_t j = 0; j < d; j++) {
            double s = x[j] - mu[j];
            /* A constant bound and a test rather than m < j, so that clang
             * (which unrolls inner loops first, while j is still a
             * variable) unrolls both loops completely too. */
            UNROLL
            for (size_t m = 0; m < d; m++)
                if (m < j)
                    s -= L[j * d + m] * y[m];
            y[j] = s * rdiag[j];
            q += y[j] * y[j];
        }
        out[i * stride] = lc - 0.5 * q;
    }
}

/* logdens_kernel for every component, into the columns of logp (n x k). */
KERNEL void logdens_all_kernel(const tk_gmm *g, const double *lconst, const double *rdiag,
                               const double *X, size_t n, double *logp, size_t d, double *y)
{
    const size_t k = g->k;
    for (size_t c = 0; c < k; c++)
        logdens_kernel(X, n, g->means + c * d, g->chols + c * d * d, rdiag + c * d, lconst[c],
                       logp + c, k, d, y);
}

/* Replaces one row of log terms a_c by exp(a_c - m), m the largest a_c;
 * returns m and their sum s, so that the point's log-likelihood is
 * m + ln s and its responsibilities are exp(a_c - m) / s: the exponentials
 * of the log-sum-exp are reused (scikit-learn computes exp(a_c - l) anew). */
static inline double row_exp(double *row, size_t k, double *sum)
{
    double mx = -INFINITY;
    for (size_t c = 0; c < k; c++)
        mx = row[c] > mx ? row[c] : mx;
    if (!isfinite(mx)) { /* NaN, or no component with any mass */
        for (size_t c = 0; c < k; c++)
            row[c] = 0.0;
        *sum = 1.0;
        return mx;
    }
    double s = 0.0;
    for (size_t c = 0; c < k; c++) {
        double t = row[c] - mx;
        /* exp() is the costliest call of a fit: skip it for the maximum
         * (exactly 1) and where it underflows to exactly 0 (t < -745.14).
         * Measured: ~10 % of a fit. */
        row[c] = t == 0.0 ? 1.0 : t < -746.0 ? 0.0 : exp(t);
        s += row[c];
    }
    *sum = s;
    return mx;
}

/* Log-sum-exp of every row of resp (n x k, log terms in, responsibilities
 * out); returns the summed log-likelihood.  With nk non-NULL the same pass
 * accumulates the first half of the M-step, N_k = sum_i r_ik into nk[k] and
 * sum_i r_ik x_i into sx[k x d], taking the points in the same order as a
 * separate pass would (bit-identical sums).
 * sum_i (m_i + ln s_i) is taken as sum_i m_i + ln prod_i s_i: one log per
 * E-step instead of one per point, with the same accuracy (each s_i is in
 * [1, k]; the product is rescaled by 2^-512 before it can overflow). */
KERNEL double lse_kernel(const double *restrict X, size_t n, size_t k, double *restrict resp,
                         double *restrict nk, double *restrict sx, size_t d)
{
    const double big = 0x1p512, small = 0x1p-512;
    double msum = 0.0, prod = 1.0;
    long scale = 0;
    if (nk) {
        memset(nk, 0, k * sizeof(double));
        memset(sx, 0, k * d * sizeof(double));
    }
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * d;
        double *row = resp + i * k, s;
        msum += row_exp(row, k, &s);
        prod *= s;
        if (prod > big) {
            prod *= small;
            scale += 512;
        }
        const double inv = 1.0 / s;
        for (size_t c = 0; c < k; c++) {
            const double r = row[c] * inv;
            row[c] = r;
            if (!nk)
                continue;
            nk[c] += r;
            UNROLL
            for (size_t j = 0; j < d; j++)
                sx[c * d + j] += r * x[j];
        }
    }
    return msum + (log(prod) + (double)scale * 0.69314718055994530942);
}

/* Covariance of component c about its new mean (g->means), from column c
 * of resp: centred, as scikit-learn, rather than E[xx^T] - mu mu^T, which
 * cancels badly.  Component-major so that the accumulators of the lower
 * triangle (acc[j * d + m], m <= j; d * d scratch) stay in registers;
 * constant loop bounds for clang, as in logdens_kernel. */
KERNEL void cov_component(tk_gmm *g, size_t c, const double *X, size_t n, const double *resp,
                          double nk, double reg_covar, size_t d, double *acc)
{
    const size_t k = g->k;
    const double *mu = g->means + c * d;
    UNROLL
    for (size_t t = 0; t < d * d; t++)
        acc[t] = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double r = resp[i * k + c], *x = X + i * d;
        UNROLL
        for (size_t j = 0; j < d; j++) {
            const double rj = r * (x[j] - mu[j]);
            UNROLL
            for (size_t m = 0; m < d; m++)
                if (m <= j)
                    acc[j * d + m] += rj * (x[m] - mu[m]);
        }
    }
    double *S = g->covs + c * d * d;
    UNROLL
    for (size_t j = 0; j < d; j++) {
        UNROLL
        for (size_t m = 0; m < d; m++) {
            if (m <= j) {
                S[j * d + m] = acc[j * d + m] / nk;
                S[m * d + j] = S[j * d + m];
            }
        }
        S[j * d + j] += reg_covar;
    }
}

KERNEL void covs_kernel(tk_gmm *g, const double *X, size_t n, const double *resp,
                        const double *nk, double reg_covar, size_t d, double *acc)
{
    for (size_t c = 0; c < g->k; c++)
        cov_component(g, c, X, n, resp, nk[c], reg_covar, d, acc);
}

/* The kernels of one dimension.  `scratch` (D * D doubles) is only used by
 * the generic set; the specialised ones keep their scratch on the stack. */
typedef struct kernel_set {
    void (*logdens)(const tk_gmm *g, const double *lconst, const double *rdiag,
                    const double *X, size_t n, double *logp, double *scratch);
    double (*lse)(const double *X, size_t n, size_t k, size_t d, double *resp, double *nk,
                  double *sx);
    void (*covs)(tk_gmm *g, const double *X, size_t n, const double *resp, const double *nk,
                 double reg_covar, double *scratch);
} kernel_set;

#define DEFINE_KERNELS(D)                                                                    \
    static void logdens_d##D(const tk_gmm *g, const double *lconst, const double *rdiag,       \
                             const double *X, size_t n, double *logp, double *scratch)        \
    {                                                                                         \
        double y[D];                                                                          \
        (void)scratch;                                                                        \
        logdens_all_kernel(g, lconst, rdiag, X, n, logp, D, y);                               \
    }                                                                                         \
    static double lse_d##D(const double *X, size_t n, size_t k, size_t d, double *resp,        \
                           double *nk, double *sx)                                            \
    {                                                                                         \
        (void)d;                                                                              \
        return lse_kernel(X, n, k, resp, nk, sx, D);                                          \
    }                                                                                         \
    static void covs_d##D(tk_gmm *g, const double *X, size_t n, const double *resp,            \
                          const double *nk, double reg_covar, double *scratch)                \
    {                                                                                         \
        double acc[D * D];                                                                    \
        (void)scratch;                                                                        \
        covs_kernel(g, X, n, resp, nk, reg_covar, D, acc);                                    \
    }

DEFINE_KERNELS(1)
DEFINE_KERNELS(2)
DEFINE_KERNELS(3)
DEFINE_KERNELS(4)
DEFINE_KERNELS(5)
DEFINE_KERNELS(6)

static void logdens_any(const tk_gmm *g, const double *lconst, const double *rdiag,
                        const double *X, size_t n, double *logp, double *scratch)
{
    logdens_all_kernel(g, lconst, rdiag, X, n, logp, g->dim, scratch);
}

static double lse_any(const double *X, size_t n, size_t k, size_t d, double *resp, double *nk,
                      double *sx)
{
    return lse_kernel(X, n, k, resp, nk, sx, d);
}

static void covs_any(tk_gmm *g, const double *X, size_t n, const double *resp, const double *nk,
                     double reg_covar, double *scratch)
{
    covs_kernel(g, X, n, resp, nk, reg_covar, g->dim, scratch);
}

/* Index = dimension; entry 0 serves every dimension without its own set. */
static const kernel_set KERNEL_SETS[] = {
    {logdens_any, lse_any, covs_any}, {logdens_d1, lse_d1, covs_d1},
    {logdens_d2, lse_d2, covs_d2},    {logdens_d3, lse_d3, covs_d3},
    {logdens_d4, lse_d4, covs_d4},    {logdens_d5, lse_d5, covs_d5},
    {logdens_d6, lse_d6, covs_d6},
};

static const kernel_set *kernels_for(size_t d)
{
    return &KERNEL_SETS[d < sizeof KERNEL_SETS / sizeof KERNEL_SETS[0] ? d : 0];
}

/* E-step (spec section 3) on X with the constants of precompute(): resp
 * (n x k) receives the responsibilities; returns the summed log-likelihood.
 * nk/sx: see lse_kernel (NULL: not wanted).  scratch: d * d. */
static double estep(const tk_gmm *g, const double *lconst, const double *rdiag,
                    const double *X, size_t n, double *resp, double *nk, double *sx,
                    double *scratch)
{
    const kernel_set *ks = kernels_for(g->dim);
    ks->logdens(g, lconst, rdiag, X, n, resp, scratch);
    return ks->lse(X, n, g->k, g->dim, resp, nk, sx);
}

/* --------------------------------------------------------------- M-step */

/* M-step from ws->resp and the sums ws->nk = sum_i r_ik, ws->sx =
 * sum_i r_ik x_i (spec section 3): N_k += 10 eps, means, covariances,
 * weights N_k / wsum (wsum = 0: the sum of the N_k), Cholesky factors. */
static int mstep(tk_gmm *g, const double *X, size_t n, fit_ws *ws, double reg_covar, double wsum)
{
    const size_t k = g->k, d = g->dim;
    for (size_t c = 0; c < k; c++) {
        ws->nk[c] += NK_FLOOR;
        for (size_t j = 0; j < d; j++)
            g->means[c * d + j] = ws->sx[c * d + j] / ws->nk[c];
    }
    kernels_for(d)->covs(g, X, n, ws->resp, ws->nk, reg_covar, ws->scratch);
    if (wsum == 0.0)
        for (size_t c = 0; c < k; c++)
            wsum += ws->nk[c];
    for (size_t c = 0; c < k; c++)
        g->weights[c] = ws->nk[c] / wsum;
    return factor_all(g, reg_covar);
}

/* ------------------------------------------------------------------- EM */

/* k-means labels -> one-hot responsibilities -> one M-step.  scikit-learn's
 * _initialize divides the N_k by n (not by their sum) here. */
static int init_kmeans(tk_gmm *g, const double *X, size_t n, const tk_gmm_options *o,
                       tk_rng *rng, fit_ws *ws)
{
    const size_t k = g->k, d = g->dim;
    if (tk_kmeans(X, n, d, k, o->kmeans_max_iter, rng, ws->km, ws->centers, ws->labels) < 0)
        return -1;
    memset(ws->resp, 0, n * k * sizeof(double));
    memset(ws->nk, 0, k * sizeof(double));
    memset(ws->sx, 0, k * d * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        const size_t l = ws->labels[i];
        ws->resp[i * k + l] = 1.0;
        ws->nk[l] += 1.0;
        for (size_t j = 0; j < d; j++)
            ws->sx[l * d + j] += X[i * d + j];
    }
    return mstep(g, X, n, ws, o->reg_covar, (double)n);
}

/* EM from the current parameters (chols valid).  `lb` is the lower bound to
 * compare the first iteration with: -inf for a fresh fit, the previous one
 * for a warm start (as scikit-learn).  Stops when |lb - prev| < tol. */
static int em(tk_gmm *g, const double *X, size_t n, const tk_gmm_options *o, fit_ws *ws, double lb)
{
    g->n_iter = 0;
    g->converged = 0;
    for (int it = 1; it <= o->max_iter; it++) {
        double prev = lb;
        precompute(g, ws->lconst, ws->rdiag);
        lb = estep(g, ws->lconst, ws->rdiag, X, n, ws->resp, ws->nk, ws->sx, ws->scratch)
           / (double)n;
        if (mstep(g, X, n, ws, o->reg_covar, 0.0))
            return -1;
        g->n_iter = it;
        if (fabs(lb - prev) < o->tol) {
            g->converged = 1;
            break;
        }
    }
    g->lower_bound = lb;
    return 0;
}

/* Parameters and fit statistics of the best of n_init runs. */
static void save_params(const tk_gmm *g, double *dst)
{
    const size_t k = g->k, d = g->dim;
    memcpy(dst, g->weights, k * sizeof(double));
    memcpy(dst + k, g->means, k * d * sizeof(double));
    memcpy(dst + k + k * d, g->covs, k * d * d * sizeof(double));
    memcpy(dst + k + k * d + k * d * d, g->chols, k * d * d * sizeof(double));
}

static void load_params(tk_gmm *g, const double *src)
{
    const size_t k = g->k, d = g->dim;
    memcpy(g->weights, src, k * sizeof(double));
    memcpy(g->means, src + k, k * d * sizeof(double));
    memcpy(g->covs, src + k + k * d, k * d * d * sizeof(double));
    memcpy(g->chols, src + k + k * d + k * d * d, k * d * d * sizeof(double));
}

static int options_valid(const tk_gmm_options *o)
{
    return o->tol >= 0.0 && o->reg_covar >= 0.0 && isfinite(o->reg_covar) && o->max_iter >= 0
        && o->n_init >= 1 && o->kmeans_max_iter >= 1;
}

static int data_valid(const tk_gmm *g, const double *X, size_t n)
{
    if (!g || !X || n < g->k)
        return 0;
    for (size_t i = 0; i < n * g->dim; i++)
        if (!isfinite(X[i]))
            return 0;
    return 1;
}

int tk_gmm_fit(tk_gmm *gmm, const double *X, size_t n, const tk_gmm_options *opt, tk_rng *rng)
{
    tk_gmm_options o;
    if (opt)
        o = *opt;
    else
        tk_gmm_options_default(&o);
    if (!rng || !options_valid(&o) || !data_valid(gmm, X, n))
        return -1;
    fit_ws ws;
    if (ws_alloc(&ws, n, gmm->k, gmm->dim, 1))
        return -1;

    int rc = -1;
    double best_lb = -INFINITY;
    int best_iter = 0, best_conv = 0;
    for (int init = 0; init < o.n_init; init++) {
        if (init_kmeans(gmm, X, n, &o, rng, &ws) || em(gmm, X, n, &o, &ws, -INFINITY))
            goto done;
        /* scikit-learn keeps the highest final lower bound, the first on
         * ties, and (quirk kept) any later run while the best is -inf. */
        if (gmm->lower_bound > best_lb || best_lb == -INFINITY) {
            best_lb = gmm->lower_bound;
            best_iter = gmm->n_iter;
            best_conv = gmm->converged;
            if (o.n_init > 1)
                save_params(gmm, ws.best);
        }
    }
    if (o.n_init > 1)
        load_params(gmm, ws.best);
    gmm->lower_bound = best_lb;
    gmm->n_iter = best_iter;
    gmm->converged = best_conv;
    rc = 0;
done:
    free(ws.block);
    return rc;
}

int tk_gmm_fit_warm(tk_gmm *gmm, const double *X, size_t n, const tk_gmm_options *opt)
{
    tk_gmm_options o;
    if (opt)
        o = *opt;
    else
        tk_gmm_options_default(&o);
    if (!options_valid(&o) || !data_valid(gmm, X, n))
        return -1;
    fit_ws ws;
    if (ws_alloc(&ws, n, gmm->k, gmm->dim, 0))
        return -1;
    /* The caller may have edited covs: refactorise before the first E-step. */
    int rc = factor_all(gmm, o.reg_covar);
    if (rc == 0)
        rc = em(gmm, X, n, &o, &ws, gmm->lower_bound);
    free(ws.block);
    return rc;
}

/* ---------------------------------------------------- scoring, selection */

double tk_gmm_score(const tk_gmm *gmm, const double *X, size_t n)
{
    if (!gmm || !X || n == 0)
        return NAN;
    const size_t k = gmm->k, d = gmm->dim;
    double *buf = malloc((n * k + k + k * d + d * d) * sizeof(double));
    if (!buf)
        return NAN;
    double *resp = buf, *lconst = resp + n * k, *rdiag = lconst + k, *scratch = rdiag + k * d;
    precompute(gmm, lconst, rdiag);
    double total = estep(gmm, lconst, rdiag, X, n, resp, NULL, NULL, scratch);
    free(buf);
    return total / (double)n;
}

double tk_gmm_criterion_value(const tk_gmm *gmm, const double *X, size_t n,
                              tk_gmm_criterion criterion, size_t task_dim)
{
    if (!gmm)
        return NAN;
    const double nn = (double)n;
    const double p = (double)tk_gmm_n_parameters(gmm->k, gmm->dim);
    const double fit_term = -2.0 * nn * tk_gmm_score(gmm, X, n);
    switch (criterion) {
    case TK_GMM_AIC:
        return fit_term + 2.0 * p;
    case TK_GMM_BIC:
        return fit_term + p * log(nn);
    case TK_GMM_AICC: {
        /* teachers.md section 15.8: q counts with the task dimension. */
        const double td = (double)task_dim;
        const double q = (double)gmm->k * ((td * td - td) / 2.0 + 2.0 * td + 1.0) - 1.0;
        const double denom = nn - q - 1.0;
        if (denom <= 0.0)
            return INFINITY;
        return fit_term + 2.0 * p + 2.0 * q * (q + 1.0) / denom;
    }
    }
    return NAN;
}

/* --------------------------------------------------------------- sampling */

void tk_gmm_sample_component(const tk_gmm *gmm, size_t c, tk_rng *rng, double *out)
{
    const size_t d = gmm->dim;
    const double *L = gmm->chols + c * d * d, *mu = gmm->means + c * d;
    for (size_t j = 0; j < d; j++)
        out[j] = tk_rng_normal(rng);
    /* out = mu + L z in place: row j of L only reads z[0..j], so going from
     * the last row up never reads an entry already overwritten. */
    for (size_t j = d; j-- > 0;) {
        double s = mu[j];
        for (size_t m = 0; m <= j; m++)
            s += L[j * d + m] * out[m];
        out[j] = s;
    }
}
