/*
 * Full-covariance Gaussian mixtures fitted by EM, following scikit-learn's
 * GaussianMixture(covariance_type="full", init_params="kmeans")
 * (sklearn/mixture/_gaussian_mixture.py and _base.py).  Deviations from scikit-learn are listed
 * in <teachkit/gmm.h>.
 *
 * Layout of the work, per EM iteration:
 *   - per component: Cholesky factor of the covariance (chol_small, or
 *     LAPACKE_dpotrf beyond D = 16) and the constants of its log-density
 *     (precompute);
 *   - per point, component by component: forward substitution over the
 *     cached factor (logdens), then per point the log-sum-exp over the
 *     components (normalise), the responsibilities with the N_k and
 *     sum r x sums (stats), and the centred covariance sums (covs).
 *     These loops are hand-written, specialised per small dimension
 *     (kernel_set), and take LANES points at a time as one SIMD vector,
 *     because at the teachers' sizes (n = 150 to 250, D <= 14, k <= 14) a
 *     BLAS call per point or per component costs more than the arithmetic.
 *     For that the points are kept transposed (one row per coordinate) and
 *     the responsibilities component-major, both padded to LANES.
 * Every buffer of a fit is allocated once, up front (fit_ws).
 *
 * Cost (docs/benchmarks.md, covar-gmm R1: k = 2..10 on 250 points in
 * D = 4, 80 selections of a 20k-episode run): ~2.0 ms of CPU per
 * selection (3.9 ms with the earlier scalar kernels, libm's exp() and
 * LAPACKE), of which the log-sum-exp with its exp() is ~40 %, the
 * log-densities and the covariance pass ~18 % each, k-means ~13 %, the
 * responsibilities with their sums ~6 % and the Cholesky factors ~2 %.
 */
#include "teachkit/gmm.h"

#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans.h"

/* No multiply-add may be fused into an FMA: the E-step's exp() and every
 * sum must round the same way on every CPU (see LANES).  GCC does not fuse
 * in ISO C mode (-std=c17, as the build uses) and does not know this
 * pragma; clang fuses within an expression on FMA targets unless told. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* ln(2 pi) */
#define LOG_2PI 1.8378770664093454835606594728112
/* scikit-learn adds 10 * eps to every N_k so that empty components do not
 * divide by zero (_estimate_gaussian_parameters). */
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

/* ------------------------------------------------------- vector helpers */

/* Points per step of the per-point loops, which handle LANES points as one
 * `vec`.  The point arrays are padded to a multiple of LANES with zero
 * points whose responsibilities are forced to 0: they add nothing to any
 * sum and are left out of the log-likelihood. */
#define LANES 2

static size_t padded(size_t n)
{
    return (n + LANES - 1) / LANES * LANES;
}

/* The per-point loops use GCC/clang vector extensions (a `vec` holds LANES
 * doubles; arithmetic on it is element-wise): the compiler's own
 * vectoriser may not reassociate a floating-point sum, and on these loops
 * it either gave up or shuffled.  With explicit vectors the order of every
 * sum is fixed by the source (LANES partial sums, added up in lane order
 * at the end), whatever the target, so results are deterministic and,
 * with no FMA contraction (above), the same for every instruction set.
 * aligned(8): a vec may live anywhere a double does (malloc'ed blocks,
 * stack arrays), loads are unaligned ones. */
#if !defined(__GNUC__) && !defined(__clang__)
#error "core/lib/gmm.c needs GCC or clang vector extensions"
#endif
typedef double vec __attribute__((vector_size(LANES * sizeof(double)), aligned(sizeof(double))));
typedef int64_t vmask __attribute__((vector_size(LANES * sizeof(int64_t)), aligned(sizeof(double))));

/* Loads and stores through memcpy: the point arrays are also read and
 * written as plain doubles, and memcpy is the aliasing-safe way across
 * types (it compiles to one vector move). */
static inline vec vload(const double *p)
{
    vec v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void vstore(double *p, vec v)
{
    memcpy(p, &v, sizeof v);
}

static inline vec vsplat(double x)
{
    return (vec){0.0} + x;
}

/* Sum of the lanes, in lane order. */
static inline double vsum(vec v)
{
    double s = v[0];
    for (size_t l = 1; l < LANES; l++)
        s += v[l];
    return s;
}

/* Lane-wise `a > b ? a : b`, as the scalar code: b where a is NaN. */
static inline vec vmax(vec a, vec b)
{
    const vmask gt = (vmask)(a > b);
    return (vec)(((vmask)a & gt) | ((vmask)b & ~gt));
}

/* ------------------------------------------------------------ workspace */

/* Everything one fit (or one score) needs, carved out of a single
 * allocation.  Point data are kept "structure of arrays" (one row per
 * coordinate, one column per point) and component-major, so that the
 * per-point loops read and write contiguous runs of points. */
typedef struct fit_ws {
    size_t np;        /* n rounded up to a multiple of LANES */
    double *xt;       /* D x np: X transposed, padding columns zero */
    double *resp;     /* k x np: log terms, then exponentials, then responsibilities */
    double *pmax;     /* np: largest log term of each point */
    double *pinv;     /* np: 1 / (sum of the point's exponentials); 0 for padding */
    double *nk;       /* k: N_k */
    double *sx;       /* k x D: sum_i r_ik x_i */
    double *lconst;   /* k: ln w_c - D/2 ln 2pi - ln det L_c */
    double *rdiag;    /* k x D: 1 / diag(L_c) */
    vec *scratch;     /* D * D + 3 * D vecs: scratch of the generic kernels */
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
    const size_t db = sizeof(double), np = padded(n);
    size_t km_bytes = with_init ? tk_kmeans_workspace_size(n, k, d) : 0;
    size_t best_bytes = with_init ? params_size(k, d) * db : 0;
    size_t cent_bytes = with_init ? k * d * db : 0;
    size_t label_bytes = with_init ? n * sizeof(size_t) : 0;
    size_t total = align16(d * np * db) + align16(k * np * db) + 2 * align16(np * db)
                 + 2 * align16(k * db) + 2 * align16(k * d * db)
                 + align16((d * d + 3 * d) * sizeof(vec)) + align16(best_bytes)
                 + align16(cent_bytes) + align16(label_bytes) + align16(km_bytes);
    ws->block = malloc(total);
    if (!ws->block)
        return -1;
    unsigned char *p = ws->block;
    ws->np = np;
    ws->xt = carve(&p, d * np * db);
    ws->resp = carve(&p, k * np * db);
    ws->pmax = carve(&p, np * db);
    ws->pinv = carve(&p, np * db);
    ws->nk = carve(&p, k * db);
    ws->sx = carve(&p, k * d * db);
    ws->lconst = carve(&p, k * db);
    ws->rdiag = carve(&p, k * d * db);
    ws->scratch = carve(&p, (d * d + 3 * d) * sizeof(vec));
    ws->best = carve(&p, best_bytes);
    ws->centers = carve(&p, cent_bytes);
    ws->labels = carve(&p, label_bytes);
    ws->km = carve(&p, km_bytes);
    return 0;
}

/* ws->xt = X^T, zero-padded to np columns. */
static void load_points(fit_ws *ws, const double *X, size_t n, size_t d)
{
    for (size_t j = 0; j < d; j++) {
        double *row = ws->xt + j * ws->np;
        for (size_t i = 0; i < n; i++)
            row[i] = X[i * d + j];
        for (size_t i = n; i < ws->np; i++)
            row[i] = 0.0;
    }
}

/* ------------------------------------------------------------- Cholesky */

/* Largest dimension factorised by chol_small rather than LAPACK. */
#define CHOL_SMALL_MAX 16

/* In-place lower Cholesky factor of the row-major d x d matrix in A (lower
 * triangle read and overwritten, upper untouched), by the unblocked
 * algorithm of LAPACK's dpotf2 (uplo = 'L'), with the same failure test:
 * returns 0, or j + 1 if the j-th pivot is not positive or is NaN.  At the
 * teachers' sizes (D <= 14, one factorisation per component per EM
 * iteration) LAPACKE_dpotrf's cost was overhead: row-major transposes, NaN
 * checks, OpenBLAS' buffer locking and one BLAS call per column.  Measured
 * on a covar-gmm run (D = 4): 5.3 % of its instructions and ~6 % of its
 * time through LAPACKE, 1.6 % and ~2 % with this loop.  The blocked
 * algorithm of dpotrf only pays for much larger matrices. */
static int chol_small(double *A, size_t d)
{
    for (size_t j = 0; j < d; j++) {
        double *Lj = A + j * d;
        double ajj = Lj[j];
        for (size_t m = 0; m < j; m++)
            ajj -= Lj[m] * Lj[m];
        if (!(ajj > 0.0))
            return (int)j + 1;
        ajj = sqrt(ajj);
        Lj[j] = ajj;
        const double inv = 1.0 / ajj;
        for (size_t i = j + 1; i < d; i++) {
            double *Li = A + i * d, s = Li[j];
            for (size_t m = 0; m < j; m++)
                s -= Li[m] * Lj[m];
            Li[j] = s * inv;
        }
    }
    return 0;
}

/* Lower Cholesky factor of the row-major d x d matrix in A, in place;
 * 0 on success, as chol_small. */
static int chol_lower(double *A, size_t d)
{
    if (d <= CHOL_SMALL_MAX)
        return chol_small(A, d);
    /* A row-major lower triangle is the column-major upper one of the same
     * (symmetric) matrix, and its factor L the column-major U = L^T of
     * A = U^T U: the same bytes, with no transposition for LAPACKE. */
    return (int)LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int)d, A, (lapack_int)d);
}

/* Lower Cholesky factor of one covariance (D x D, row-major) into L, upper
 * part zeroed.  reg_covar keeps the covariances positive definite in exact
 * arithmetic; if round-off (or reg_covar = 0 on degenerate data) still
 * defeats the factorisation, scikit-learn raises.  We instead retry
 * JITTER_RETRIES times, adding 10x more diagonal jitter each time, starting
 * from max(reg_covar, eps * max(1, largest diagonal entry)) so that the
 * jitter is meaningful whatever the data scale.  The jitter is added to
 * `cov` itself so that cov == L L^T stays true.  Returns 0, or -1 on
 * failure. */
static int factor_cov(double *cov, double *L, size_t d, double reg_covar)
{
    double maxdiag = 1.0;
    for (size_t j = 0; j < d; j++)
        maxdiag = fmax(maxdiag, fabs(cov[j * d + j]));
    double jitter = fmax(reg_covar, DBL_EPSILON * maxdiag);
    for (int attempt = 0;; attempt++) {
        memcpy(L, cov, d * d * sizeof(double));
        if (chol_lower(L, d) == 0)
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

/* ------------------------------------------------------------------ exp */

/* exp(t) for t <= 0, lane-wise, as the E-step needs it: inline and
 * vectorised, where libm's exp() is a scalar call (it was ~13 % of a
 * fit's instructions).  Cody and Waite's reduction t = k ln 2 + r,
 * |r| <= ln(2)/2, with ln 2 split in two so that k ln2_hi is exact; then
 * the degree-12 Taylor polynomial of exp(r) (truncation below 2e-16
 * relative at |r| = ln(2)/2) and the scale 2^k built in the exponent
 * bits.  Only IEEE add and multiply, uncontracted, so the result is the
 * same on every target.  Measured against libm on 2e7 arguments in
 * [-708, 0]: at most 3 ulp apart (4.8e-16 relative); test_gmm.c
 * (test_score_exp_range) checks it through the score.  Exactly 1 at
 * t = 0; exactly 0 below -708, where exp(t) < 2^-1021 (libm returns
 * subnormals down to -745; a term that small cannot move a sum that also
 * holds exp(0) = 1); NaN stays NaN. */
static inline vec vexp_nonpos(vec t)
{
    const double log2e = 1.4426950408889634074, shift = 0x1.8p52;
    /* fdlibm's split of ln 2: ln2_hi has 32 significant bits. */
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    /* Adding 1.5 * 2^52 rounds t log2(e) to the nearest integer k (in the
     * default rounding mode) and leaves k in the low bits of kd. */
    const vec kd = t * log2e + shift, kf = kd - shift;
    const vec r = (t - kf * ln2_hi) - kf * ln2_lo;
    /* Estrin's scheme rather than Horner's: a chain of 5 dependent
     * multiply-adds instead of 12, which the per-point loops would
     * otherwise wait on (it is their longest chain). */
    const vec r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    const vec p01 = 1.0 + r, p23 = 0.5 + r * (1.0 / 6.0);
    const vec p45 = 1.0 / 24.0 + r * (1.0 / 120.0), p67 = 1.0 / 720.0 + r * (1.0 / 5040.0);
    const vec p89 = 1.0 / 40320.0 + r * (1.0 / 362880.0);
    const vec p1011 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0);
    const vec p03 = p01 + r2 * p23, p47 = p45 + r2 * p67;
    const vec p811 = p89 + r2 * p1011, p812 = p811 + r4 * (1.0 / 479001600.0);
    const vec p = (p03 + r4 * p47) + r8 * p812;
    /* 2^k for -1022 <= k <= 0: k + 1023 in the exponent field; the high
     * bits of kd shift out. */
    const vec scale = (vec)(((vmask)kd + 1023) << 52);
    const vmask under = (vmask)(t < -708.0);
    return (vec)((vmask)(p * scale) & ~under);
}

/* ------------------------------------------------ per-point kernels (E, M) */

/* The per-point loops are written once as always-inline kernels over a
 * dimension `d`, then instantiated with d a compile-time constant for the
 * small dimensions the teachers use (task dim + 1 or + 2) so that the
 * compiler unrolls them completely and keeps residuals and accumulators in
 * registers; a fit picks its kernel_set once.  Distinct functions rather
 * than a switch around inlined calls: clang folds `case 3: f(3)` back into
 * `f(d)` and loses the specialisation.  Inside, the points go LANES at a
 * time as one vec.  Measured on the covar-gmm run (docs/benchmarks.md):
 * EM about 2x faster than the earlier point-by-point, row-major kernels
 * with libm's exp(). */
#if defined(__clang__)
#define KERNEL static inline __attribute__((always_inline))
/* clang optimises an always-inline callee before inlining it, and would
 * spend a plain unroll request on a runtime-count unroll there; a full
 * unroll request waits until the trip count is a constant. */
#define UNROLL _Pragma("clang loop unroll(full)")
/* The generic (any-dimension) instances cannot be unrolled fully, by
 * design: that is not worth a warning. */
#pragma clang diagnostic ignored "-Wpass-failed"
#else
#define KERNEL static inline __attribute__((always_inline))
/* -O2 does not completely unroll loops that grow the code: ask for it. */
#define UNROLL _Pragma("GCC unroll 8")
#endif

/* Log-density plus log-weight of every point under one component,
 * lc - |L^{-1}(x_i - mu)|^2 / 2, into out[0..np).  The triangular solve is
 * a forward substitution over the cached factor: for each point the same
 * operations in the same order as a point-by-point loop.  The component's
 * constants are broadcast into vecs once, before the loop over the points
 * (there are more of them than SIMD registers, and reloading a vec costs
 * half of broadcasting a double anew).  y: d vecs; cst: d * d + 2 * d. */
KERNEL void logdens_kernel(const double *restrict xt, size_t np, const double *restrict mu,
                           const double *restrict L, const double *restrict rdiag, double lc,
                           double *restrict out, size_t d, vec *restrict y,
                           vec *restrict cst)
{
    vec *restrict mu_v = cst, *restrict rd_v = cst + d, *restrict L_v = cst + 2 * d;
    UNROLL
    for (size_t j = 0; j < d; j++) {
        mu_v[j] = vsplat(mu[j]);
        rd_v[j] = vsplat(rdiag[j]);
        UNROLL
        for (size_t m = 0; m < d; m++)
            if (m < j)
                L_v[j * d + m] = vsplat(L[j * d + m]);
    }
    for (size_t i = 0; i < np; i += LANES) {
        vec q = vsplat(0.0);
        UNROLL
        for (size_t j = 0; j < d; j++) {
            vec s = vload(xt + j * np + i) - mu_v[j];
            /* A constant bound and a test rather than m < j, so that clang
             * (which unrolls inner loops first, while j is still a
             * variable) unrolls both loops completely too. */
            UNROLL
            for (size_t m = 0; m < d; m++)
                if (m < j)
                    s -= L_v[j * d + m] * y[m];
            y[j] = s * rd_v[j];
            q += y[j] * y[j];
        }
        vstore(out + i, lc - 0.5 * q);
    }
}

/* logdens_kernel for every component, into the rows of lp (k x np).
 * scratch: d * d + 3 * d vecs. */
KERNEL void logdens_all_kernel(const tk_gmm *g, const double *lconst, const double *rdiag,
                               const double *xt, size_t np, double *lp, size_t d,
                               vec *scratch)
{
    for (size_t c = 0; c < g->k; c++)
        logdens_kernel(xt, np, g->means + c * d, g->chols + c * d * d, rdiag + c * d,
                       lconst[c], lp + c * np, d, scratch, scratch + d);
}

/* The first half of the M-step: responsibilities r_ik = e_ik / s_i (resp
 * holds the exponentials e_ik, pinv the 1 / s_i), N_k = sum_i r_ik into
 * nk[k] and sum_i r_ik x_i into sx[k x d].  acc: d + 1 vecs. */
KERNEL void stats_kernel(const double *restrict xt, size_t np, size_t k, double *restrict resp,
                         const double *restrict pinv, double *restrict nk,
                         double *restrict sx, size_t d, vec *restrict acc)
{
    for (size_t c = 0; c < k; c++) {
        double *restrict rc = resp + c * np;
        UNROLL
        for (size_t j = 0; j <= d; j++)
            acc[j] = vsplat(0.0);
        for (size_t i = 0; i < np; i += LANES) {
            const vec r = vload(rc + i) * vload(pinv + i);
            vstore(rc + i, r);
            acc[d] += r;
            UNROLL
            for (size_t j = 0; j < d; j++)
                acc[j] += r * vload(xt + j * np + i);
        }
        nk[c] = vsum(acc[d]);
        UNROLL
        for (size_t j = 0; j < d; j++)
            sx[c * d + j] = vsum(acc[j]);
    }
}

/* Covariance of component c about its new mean (g->means), from row c of
 * resp: centred, as scikit-learn, rather than E[xx^T] - mu mu^T, which
 * cancels badly.  Only the lower triangle is accumulated.  acc: d * d
 * vecs, then d for the centred points and d for the broadcast mean;
 * constant loop bounds for clang, as in logdens_kernel. */
KERNEL void cov_component(tk_gmm *g, size_t c, const double *restrict xt, size_t np,
                          const double *restrict rc, double nk, double reg_covar, size_t d,
                          vec *restrict acc)
{
    const double *mu = g->means + c * d;
    vec *restrict dx = acc + d * d, *restrict mu_v = dx + d;
    UNROLL
    for (size_t j = 0; j < d; j++) {
        mu_v[j] = vsplat(mu[j]);
        UNROLL
        for (size_t m = 0; m < d; m++)
            if (m <= j)
                acc[j * d + m] = vsplat(0.0);
    }
    for (size_t i = 0; i < np; i += LANES) {
        const vec r = vload(rc + i);
        UNROLL
        for (size_t j = 0; j < d; j++)
            dx[j] = vload(xt + j * np + i) - mu_v[j];
        UNROLL
        for (size_t j = 0; j < d; j++) {
            const vec rj = r * dx[j];
            UNROLL
            for (size_t m = 0; m < d; m++)
                if (m <= j)
                    acc[j * d + m] += rj * dx[m];
        }
    }
    double *S = g->covs + c * d * d;
    UNROLL
    for (size_t j = 0; j < d; j++) {
        UNROLL
        for (size_t m = 0; m < d; m++) {
            if (m <= j) {
                S[j * d + m] = vsum(acc[j * d + m]) / nk;
                S[m * d + j] = S[j * d + m];
            }
        }
        S[j * d + j] += reg_covar;
    }
}

KERNEL void covs_kernel(tk_gmm *g, const double *xt, size_t np, const double *resp,
                        const double *nk, double reg_covar, size_t d, vec *acc)
{
    for (size_t c = 0; c < g->k; c++)
        cov_component(g, c, xt, np, resp + c * np, nk[c], reg_covar, d, acc);
}

/* The kernels of one dimension.  `scratch` (D * D + 3 * D vecs) is only used
 * by the generic set; the specialised ones keep their scratch on the
 * stack, where the compiler promotes it to registers. */
typedef struct kernel_set {
    void (*logdens)(const tk_gmm *g, const double *lconst, const double *rdiag,
                    const double *xt, size_t np, double *lp, vec *scratch);
    void (*stats)(const double *xt, size_t np, size_t k, size_t d, double *resp,
                  const double *pinv, double *nk, double *sx, vec *scratch);
    void (*covs)(tk_gmm *g, const double *xt, size_t np, const double *resp, const double *nk,
                 double reg_covar, vec *scratch);
} kernel_set;

#define DEFINE_KERNELS(D)                                                                    \
    static void logdens_d##D(const tk_gmm *g, const double *lconst, const double *rdiag,       \
                             const double *xt, size_t np, double *lp, vec *scratch)           \
    {                                                                                         \
        vec work[D * D + 3 * D];                                                              \
        (void)scratch;                                                                        \
        logdens_all_kernel(g, lconst, rdiag, xt, np, lp, D, work);                            \
    }                                                                                         \
    static void stats_d##D(const double *xt, size_t np, size_t k, size_t d, double *resp,      \
                           const double *pinv, double *nk, double *sx, vec *scratch)          \
    {                                                                                         \
        vec acc[D + 1];                                                                       \
        (void)d;                                                                              \
        (void)scratch;                                                                        \
        stats_kernel(xt, np, k, resp, pinv, nk, sx, D, acc);                                  \
    }                                                                                         \
    static void covs_d##D(tk_gmm *g, const double *xt, size_t np, const double *resp,          \
                          const double *nk, double reg_covar, vec *scratch)                   \
    {                                                                                         \
        vec acc[D * D + 2 * D];                                                               \
        (void)scratch;                                                                        \
        covs_kernel(g, xt, np, resp, nk, reg_covar, D, acc);                                  \
    }

DEFINE_KERNELS(1)
DEFINE_KERNELS(2)
DEFINE_KERNELS(3)
DEFINE_KERNELS(4)
DEFINE_KERNELS(5)
DEFINE_KERNELS(6)

static void logdens_any(const tk_gmm *g, const double *lconst, const double *rdiag,
                        const double *xt, size_t np, double *lp, vec *scratch)
{
    logdens_all_kernel(g, lconst, rdiag, xt, np, lp, g->dim, scratch);
}

static void stats_any(const double *xt, size_t np, size_t k, size_t d, double *resp,
                      const double *pinv, double *nk, double *sx, vec *scratch)
{
    stats_kernel(xt, np, k, resp, pinv, nk, sx, d, scratch);
}

static void covs_any(tk_gmm *g, const double *xt, size_t np, const double *resp, const double *nk,
                     double reg_covar, vec *scratch)
{
    covs_kernel(g, xt, np, resp, nk, reg_covar, g->dim, scratch);
}

/* Index = dimension; entry 0 serves every dimension without its own set. */
static const kernel_set KERNEL_SETS[] = {
    {logdens_any, stats_any, covs_any}, {logdens_d1, stats_d1, covs_d1},
    {logdens_d2, stats_d2, covs_d2},    {logdens_d3, stats_d3, covs_d3},
    {logdens_d4, stats_d4, covs_d4},    {logdens_d5, stats_d5, covs_d5},
    {logdens_d6, stats_d6, covs_d6},
};

static const kernel_set *kernels_for(size_t d)
{
    return &KERNEL_SETS[d < sizeof KERNEL_SETS / sizeof KERNEL_SETS[0] ? d : 0];
}

/* Log-sum-exp over the components of every point, on lp (k x np: log
 * terms a_ik in, e_ik = exp(a_ik - m_i) out, m_i the point's largest term),
 * leaving 1 / s_i, s_i = sum_k e_ik, in pinv (0 for the padding).  Returns
 * the summed log-likelihood of the n real points.  The exponentials are
 * reused for the responsibilities, e / s (scikit-learn computes
 * exp(a - logsumexp) anew).  sum_i (m_i + ln s_i) is taken as
 * sum_i m_i + ln prod_i s_i: one log per E-step instead of one per point,
 * with the same accuracy (each s_i is in [1, k]; the product is rescaled
 * by 2^-512 before it can overflow).  s_i adds the components in order. */
static double normalise(double *restrict lp, size_t k, size_t n, size_t np,
                        double *restrict pmax, double *restrict pinv)
{
    for (size_t i = 0; i < np; i += LANES) {
        vec m = vsplat(-INFINITY), s = vsplat(0.0);
        for (size_t c = 0; c < k; c++)
            m = vmax(vload(lp + c * np + i), m);
        for (size_t c = 0; c < k; c++) {
            const vec e = vexp_nonpos(vload(lp + c * np + i) - m);
            vstore(lp + c * np + i, e);
            s += e;
        }
        vstore(pmax + i, m);
        vstore(pinv + i, s);
    }
    const double big = 0x1p512, small = 0x1p-512;
    double msum = 0.0, prod = 1.0;
    long scale = 0;
    for (size_t i = 0; i < np; i++) {
        if (i < n)
            msum += pmax[i];
        if (i >= n || !isfinite(pmax[i])) {
            /* Padding; or NaN terms, or no component with any mass (the
             * log-likelihood is then NaN or -inf through msum): no
             * responsibility, as 1 / inf = 0 below. */
            for (size_t c = 0; c < k; c++)
                lp[c * np + i] = 0.0;
            pinv[i] = INFINITY;
            continue;
        }
        prod *= pinv[i];
        if (prod > big) {
            prod *= small;
            scale += 512;
        }
    }
    for (size_t i = 0; i < np; i += LANES)
        vstore(pinv + i, 1.0 / vload(pinv + i));
    return msum + (log(prod) + (double)scale * 0.69314718055994530942);
}

/* E-step (scikit-learn's _estimate_log_prob_resp) on the n points of ws->xt: ws->resp receives the
 * responsibilities (k x np); returns the summed log-likelihood.  With
 * `stats`, also the sums ws->nk and ws->sx of stats_kernel. */
static double estep(const tk_gmm *g, size_t n, fit_ws *ws, int stats)
{
    const kernel_set *ks = kernels_for(g->dim);
    precompute(g, ws->lconst, ws->rdiag);
    ks->logdens(g, ws->lconst, ws->rdiag, ws->xt, ws->np, ws->resp, ws->scratch);
    const double total = normalise(ws->resp, g->k, n, ws->np, ws->pmax, ws->pinv);
    if (stats)
        ks->stats(ws->xt, ws->np, g->k, g->dim, ws->resp, ws->pinv, ws->nk, ws->sx,
                  ws->scratch);
    return total;
}

/* --------------------------------------------------------------- M-step */

/* M-step from ws->resp and the sums ws->nk = sum_i r_ik, ws->sx =
 * sum_i r_ik x_i (scikit-learn's _m_step): N_k += 10 eps, means, covariances,
 * weights N_k / wsum (wsum = 0: the sum of the N_k), Cholesky factors. */
static int mstep(tk_gmm *g, fit_ws *ws, double reg_covar, double wsum)
{
    const size_t k = g->k, d = g->dim;
    for (size_t c = 0; c < k; c++) {
        ws->nk[c] += NK_FLOOR;
        for (size_t j = 0; j < d; j++)
            g->means[c * d + j] = ws->sx[c * d + j] / ws->nk[c];
    }
    kernels_for(d)->covs(g, ws->xt, ws->np, ws->resp, ws->nk, reg_covar, ws->scratch);
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
    memset(ws->resp, 0, k * ws->np * sizeof(double));
    memset(ws->nk, 0, k * sizeof(double));
    memset(ws->sx, 0, k * d * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        const size_t l = ws->labels[i];
        ws->resp[l * ws->np + i] = 1.0;
        ws->nk[l] += 1.0;
        for (size_t j = 0; j < d; j++)
            ws->sx[l * d + j] += X[i * d + j];
    }
    return mstep(g, ws, o->reg_covar, (double)n);
}

/* EM from the current parameters (chols valid).  `lb` is the lower bound to
 * compare the first iteration with: -inf for a fresh fit, the previous one
 * for a warm start (as scikit-learn).  Stops when |lb - prev| < tol. */
static int em(tk_gmm *g, size_t n, const tk_gmm_options *o, fit_ws *ws, double lb)
{
    g->n_iter = 0;
    g->converged = 0;
    for (int it = 1; it <= o->max_iter; it++) {
        double prev = lb;
        lb = estep(g, n, ws, 1) / (double)n;
        if (mstep(g, ws, o->reg_covar, 0.0))
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
    load_points(&ws, X, n, gmm->dim);

    int rc = -1;
    double best_lb = -INFINITY;
    int best_iter = 0, best_conv = 0;
    for (int init = 0; init < o.n_init; init++) {
        if (init_kmeans(gmm, X, n, &o, rng, &ws) || em(gmm, n, &o, &ws, -INFINITY))
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
    load_points(&ws, X, n, gmm->dim);
    /* The caller may have edited covs: refactorise before the first E-step. */
    int rc = factor_all(gmm, o.reg_covar);
    if (rc == 0)
        rc = em(gmm, n, &o, &ws, gmm->lower_bound);
    free(ws.block);
    return rc;
}

/* ---------------------------------------------------- scoring, selection */

double tk_gmm_score(const tk_gmm *gmm, const double *X, size_t n)
{
    if (!gmm || !X || n == 0)
        return NAN;
    fit_ws ws;
    if (ws_alloc(&ws, n, gmm->k, gmm->dim, 0))
        return NAN;
    load_points(&ws, X, n, gmm->dim);
    const double total = estep(gmm, n, &ws, 0);
    free(ws.block);
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
        /* TeachMyAgent alp_gmm.py, get_nb_gmm_params: q counts with the task
         * dimension. */
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
