/*
 * k-means++ seeding and Lloyd iterations, as scikit-learn's KMeans with
 * n_init=1 (sklearn/cluster/_kmeans.py).  See kmeans.h for the contract.
 *
 * Deliberate deviations from scikit-learn (none changes the algorithm):
 *   - squared distances are computed directly as sum_j (x_j - c_j)^2, not
 *     through |x|^2 - 2 x.c + |c|^2 on mean-centred data: same values up to
 *     round-off, never negative;
 *   - empty clusters take the farthest points farthest-first (scikit-learn's
 *     argpartition picks the same points in an unspecified order);
 *   - the random streams are teachkit's xoshiro256**, not NumPy's MT19937,
 *     so the chosen seeds differ from a Python run with the same seed; the
 *     order and number of draws are the same (1 integer, then for each
 *     further centre 2 + floor(ln k) uniforms).
 */
#include "kmeans.h"

#include <math.h>
#include <stdint.h>

/* The two distance passes (seeding potentials, Lloyd assignment) are
 * always-inline kernels instantiated with `dim` a compile-time constant for
 * the small dimensions the teachers use, so that the distance loops unroll;
 * see the kernel_set comment in gmm.c for why a table of functions and not
 * a switch. */
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

/* Scratch buffers carved out of the caller's block. */
typedef struct km_ws {
    double *closest;     /* n: squared distance to the nearest chosen seed */
    double *trial;       /* n: the same if the current candidate were added */
    double *best;        /* n: `trial` of the best candidate so far */
    double *cumsum;      /* n: running sum of `closest`; reused as distances */
    double *rand_vals;   /* n_trials */
    size_t *cand;        /* n_trials */
    double *centers_new; /* k x dim */
    double *weight;      /* k: points per cluster */
    size_t *labels_old;  /* n */
} km_ws;

static size_t n_local_trials(size_t k)
{
    return 2 + (size_t)floor(log((double)k));
}

/* Round every block up to 16 bytes so doubles and size_t stay aligned. */
static size_t block(size_t count, size_t elem)
{
    return (count * elem + 15) & ~(size_t)15;
}

size_t tk_kmeans_workspace_size(size_t n, size_t k, size_t dim)
{
    size_t t = n_local_trials(k);
    return 4 * block(n, sizeof(double)) + block(t, sizeof(double)) + block(t, sizeof(size_t))
         + block(k * dim, sizeof(double)) + block(k, sizeof(double))
         + block(n, sizeof(size_t));
}

static void *carve(unsigned char **p, size_t count, size_t elem)
{
    void *r = *p;
    *p += block(count, elem);
    return r;
}

static km_ws ws_carve(void *work, size_t n, size_t k, size_t dim)
{
    unsigned char *p = work;
    size_t t = n_local_trials(k);
    km_ws w;
    w.closest = carve(&p, n, sizeof(double));
    w.trial = carve(&p, n, sizeof(double));
    w.best = carve(&p, n, sizeof(double));
    w.cumsum = carve(&p, n, sizeof(double));
    w.rand_vals = carve(&p, t, sizeof(double));
    w.cand = carve(&p, t, sizeof(size_t));
    w.centers_new = carve(&p, k * dim, sizeof(double));
    w.weight = carve(&p, k, sizeof(double));
    w.labels_old = carve(&p, n, sizeof(size_t));
    return w;
}

KERNEL double sqdist(const double *a, const double *b, size_t dim)
{
    double s = 0.0;
    UNROLL
    for (size_t j = 0; j < dim; j++) {
        double d = a[j] - b[j];
        s += d * d;
    }
    return s;
}

/* numpy.searchsorted(cumsum, v, side="left"), clipped to n - 1 as
 * scikit-learn does: the first i with cumsum[i] >= v. */
static size_t search_left(const double *cumsum, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cumsum[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n ? lo : n - 1;
}

/* Potential of candidate point `c`: fills trial[n] with
 * min(closest, |x_i - x_c|^2) and returns its sum. */
KERNEL double potential_kernel(const double *X, size_t n, size_t dim, size_t c,
                               const double *closest, double *trial)
{
    double pot = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = sqdist(X + i * dim, X + c * dim, dim);
        double m = d < closest[i] ? d : closest[i];
        trial[i] = m;
        pot += m;
    }
    return pot;
}

/* Index of the nearest centre (the lowest index on ties, as argmin). */
KERNEL size_t nearest_kernel(const double *x, const double *centers, size_t k, size_t dim)
{
    size_t best = 0;
    double bd = INFINITY;
    for (size_t c = 0; c < k; c++) {
        double d2 = sqdist(x, centers + c * dim, dim);
        if (d2 < bd) {
            bd = d2;
            best = c;
        }
    }
    return best;
}

/* Label every point with its nearest centre; with `sums` non-NULL also add
 * each point to its cluster's sum (k x dim) and count (weight[k]). */
KERNEL void assign_kernel(const double *X, size_t n, size_t dim, const double *centers, size_t k,
                          size_t *labels, double *sums, double *weight)
{
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * dim;
        size_t l = nearest_kernel(x, centers, k, dim);
        labels[i] = l;
        if (!sums)
            continue;
        weight[l] += 1.0;
        UNROLL
        for (size_t j = 0; j < dim; j++)
            sums[l * dim + j] += x[j];
    }
}

/* The kernels of one dimension (the `dim` argument is ignored by the
 * specialised instances). */
typedef struct km_kernels {
    double (*potential)(const double *X, size_t n, size_t dim, size_t c, const double *closest,
                        double *trial);
    void (*assign)(const double *X, size_t n, size_t dim, const double *centers, size_t k,
                   size_t *labels, double *sums, double *weight);
} km_kernels;

#define DEFINE_KM_KERNELS(D)                                                                 \
    static double potential_d##D(const double *X, size_t n, size_t dim, size_t c,              \
                                 const double *closest, double *trial)                        \
    {                                                                                         \
        (void)dim;                                                                            \
        return potential_kernel(X, n, D, c, closest, trial);                                  \
    }                                                                                         \
    static void assign_d##D(const double *X, size_t n, size_t dim, const double *centers,      \
                            size_t k, size_t *labels, double *sums, double *weight)           \
    {                                                                                         \
        (void)dim;                                                                            \
        assign_kernel(X, n, D, centers, k, labels, sums, weight);                             \
    }

DEFINE_KM_KERNELS(1)
DEFINE_KM_KERNELS(2)
DEFINE_KM_KERNELS(3)
DEFINE_KM_KERNELS(4)
DEFINE_KM_KERNELS(5)
DEFINE_KM_KERNELS(6)

static double potential_any(const double *X, size_t n, size_t dim, size_t c,
                            const double *closest, double *trial)
{
    return potential_kernel(X, n, dim, c, closest, trial);
}

static void assign_any(const double *X, size_t n, size_t dim, const double *centers, size_t k,
                       size_t *labels, double *sums, double *weight)
{
    assign_kernel(X, n, dim, centers, k, labels, sums, weight);
}

/* Index = dimension; entry 0 serves every dimension without its own set. */
static const km_kernels KM_KERNELS[] = {
    {potential_any, assign_any}, {potential_d1, assign_d1}, {potential_d2, assign_d2},
    {potential_d3, assign_d3},   {potential_d4, assign_d4}, {potential_d5, assign_d5},
    {potential_d6, assign_d6},
};

static const km_kernels *km_kernels_for(size_t dim)
{
    return &KM_KERNELS[dim < sizeof KM_KERNELS / sizeof KM_KERNELS[0] ? dim : 0];
}

/* Choose seed `c` (>= 1) among the local trials; returns the new potential. */
static double seed_next(const double *X, size_t n, size_t dim, size_t k, double pot,
                        tk_rng *rng, km_ws *w, double *center)
{
    size_t t = n_local_trials(k);
    /* scikit-learn draws all trial uniforms before evaluating any. */
    for (size_t j = 0; j < t; j++)
        w->rand_vals[j] = tk_rng_uniform(rng) * pot;
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) {
        acc += w->closest[i];
        w->cumsum[i] = acc;
    }
    for (size_t j = 0; j < t; j++)
        w->cand[j] = search_left(w->cumsum, n, w->rand_vals[j]);

    double best_pot = INFINITY;
    size_t best_id = w->cand[0];
    for (size_t j = 0; j < t; j++) {
        double p = km_kernels_for(dim)->potential(X, n, dim, w->cand[j], w->closest, w->trial);
        /* strict: the first candidate wins ties (argmin); the first one is
         * always taken, so that `best` holds its distances even when every
         * potential is infinite (absurd data, e.g. a corrupt checkpoint). */
        if (j == 0 || p < best_pot) {
            best_pot = p;
            best_id = w->cand[j];
            double *tmp = w->best;
            w->best = w->trial;
            w->trial = tmp;
        }
    }
    double *tmp = w->closest;
    w->closest = w->best;
    w->best = tmp;
    for (size_t j = 0; j < dim; j++)
        center[j] = X[best_id * dim + j];
    return best_pot;
}

static void seed_plusplus(const double *X, size_t n, size_t dim, size_t k, tk_rng *rng,
                          km_ws *w, double *centers)
{
    size_t first = (size_t)tk_rng_below(rng, n);
    for (size_t j = 0; j < dim; j++)
        centers[j] = X[first * dim + j];
    double pot = 0.0;
    for (size_t i = 0; i < n; i++) {
        w->closest[i] = sqdist(X + i * dim, centers, dim);
        pot += w->closest[i];
    }
    for (size_t c = 1; c < k; c++)
        pot = seed_next(X, n, dim, k, pot, rng, w, centers + c * dim);
}

/* scikit-learn's _relocate_empty_clusters_dense: each empty cluster takes
 * one of the points farthest from their (old) centres, farthest first.  The
 * moved points keep their label until the next assignment, as there. */
static void relocate_empty(const double *X, size_t n, size_t dim, size_t k,
                           const double *centers_old, const size_t *labels, km_ws *w)
{
    double *dist = w->cumsum;
    int have_dist = 0;
    for (size_t e = 0; e < k; e++) {
        if (w->weight[e] != 0.0)
            continue;
        if (!have_dist) {
            for (size_t i = 0; i < n; i++)
                dist[i] = sqdist(X + i * dim, centers_old + labels[i] * dim, dim);
            have_dist = 1;
        }
        size_t far = 0;
        for (size_t i = 1; i < n; i++)
            if (dist[i] > dist[far])
                far = i;
        dist[far] = -1.0; /* distances are >= 0: never picked twice */
        size_t old = labels[far];
        for (size_t j = 0; j < dim; j++) {
            w->centers_new[old * dim + j] -= X[far * dim + j];
            w->centers_new[e * dim + j] = X[far * dim + j];
        }
        w->weight[e] = 1.0;
        w->weight[old] -= 1.0;
    }
}

/* One Lloyd step: label against `centers`, write the new means to
 * w->centers_new and return the summed squared centre shift. */
static double lloyd_step(const double *X, size_t n, size_t dim, size_t k,
                         const double *centers, size_t *labels, km_ws *w)
{
    for (size_t c = 0; c < k * dim; c++)
        w->centers_new[c] = 0.0;
    for (size_t c = 0; c < k; c++)
        w->weight[c] = 0.0;
    km_kernels_for(dim)->assign(X, n, dim, centers, k, labels, w->centers_new, w->weight);
    relocate_empty(X, n, dim, k, centers, labels, w);
    double shift = 0.0;
    for (size_t c = 0; c < k; c++) {
        /* A cluster emptied by a relocation keeps its (zero) sum, as in
         * scikit-learn's _average_centers. */
        double inv = w->weight[c] > 0.0 ? 1.0 / w->weight[c] : 1.0;
        for (size_t j = 0; j < dim; j++) {
            w->centers_new[c * dim + j] *= inv;
            double d = w->centers_new[c * dim + j] - centers[c * dim + j];
            shift += d * d;
        }
    }
    return shift;
}

/* 1e-4 x mean over features of the population variance of X. */
static double lloyd_tolerance(const double *X, size_t n, size_t dim)
{
    double total = 0.0;
    for (size_t j = 0; j < dim; j++) {
        double mean = 0.0, var = 0.0;
        for (size_t i = 0; i < n; i++)
            mean += X[i * dim + j];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) {
            double d = X[i * dim + j] - mean;
            var += d * d;
        }
        total += var / (double)n;
    }
    return 1e-4 * total / (double)dim;
}

static int labels_equal(const size_t *a, const size_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

int tk_kmeans(const double *X, size_t n, size_t dim, size_t k, int max_iter,
              tk_rng *rng, void *work, double *centers, size_t *labels)
{
    if (!X || !rng || !work || !centers || !labels || k == 0 || dim == 0 || n < k)
        return -1;
    km_ws w = ws_carve(work, n, k, dim);
    seed_plusplus(X, n, dim, k, rng, &w, centers);

    const double tol = lloyd_tolerance(X, n, dim);
    for (size_t i = 0; i < n; i++)
        w.labels_old[i] = SIZE_MAX;
    int strict = 0, it = 0;
    while (it < max_iter) {
        double shift = lloyd_step(X, n, dim, k, centers, labels, &w);
        for (size_t c = 0; c < k * dim; c++)
            centers[c] = w.centers_new[c];
        it++;
        if (labels_equal(labels, w.labels_old, n)) {
            strict = 1;
            break;
        }
        if (shift <= tol)
            break;
        for (size_t i = 0; i < n; i++)
            w.labels_old[i] = labels[i];
    }
    /* Labels must match the returned centres. */
    if (!strict)
        km_kernels_for(dim)->assign(X, n, dim, centers, k, labels, NULL, NULL);
    return it;
}
