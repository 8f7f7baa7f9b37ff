/*
 * Benchmark of one ALP-GMM model selection (teachDeepRL
 * teachDRL/teachers/algos/alp_gmm.py, ALPGMM.update): for k = 2..10, fit a
 * full-covariance GMM on the last 250 (task, ALP) vectors and keep the lowest
 * AIC.  A 20,000-episode run with fit_rate 250 does 80 of these, and the
 * whole teacher must stay under 0.45 s, so one selection has to cost well
 * under 5 ms.
 *
 * Data: 2-D tasks in [0,1]^2, half uniform (exploration) and half drawn
 * around 3 "interesting" centres (exploitation), plus an ALP column that is
 * exactly 0 for ~70 % of the tasks (nothing learnt there) and |N(0, 0.15)|
 * elsewhere, mostly near the centres: the shape ALP-GMM really sees, with the
 * flat ALP = 0 sheet that makes components nearly singular.
 *
 * Usage: bench_gmm [datasets (16)] [repetitions per dataset (25)]
 * Prints the median, 10th and 90th percentile of the time of one selection
 * (microseconds), both wall-clock and CPU time of the thread (the latter is
 * the honest number on a shared machine: time spent preempted does not
 * count), and the mean EM iterations per fit.  Single-threaded; run with
 * OPENBLAS_NUM_THREADS=1 to keep OpenBLAS from spinning up threads.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "teachkit/gmm.h"
#include "teachkit/rng.h"

#define N_POINTS 250
#define DIM 3
#define K_MIN 2
#define K_MAX 10

static void make_data(double *X, uint64_t seed)
{
    tk_rng r;
    tk_rng_seed(&r, seed);
    const double cx[3] = {0.2, 0.7, 0.5}, cy[3] = {0.3, 0.8, 0.1};
    for (size_t i = 0; i < N_POINTS; i++) {
        double *x = X + i * DIM;
        int near = tk_rng_uniform(&r) < 0.5;
        if (near) {
            size_t c = (size_t)tk_rng_below(&r, 3);
            x[0] = fmin(1.0, fmax(0.0, cx[c] + 0.08 * tk_rng_normal(&r)));
            x[1] = fmin(1.0, fmax(0.0, cy[c] + 0.08 * tk_rng_normal(&r)));
        } else {
            x[0] = tk_rng_uniform(&r);
            x[1] = tk_rng_uniform(&r);
        }
        double p_alp = near ? 0.5 : 0.1;
        x[2] = tk_rng_uniform(&r) < p_alp ? fabs(0.15 * tk_rng_normal(&r)) : 0.0;
    }
}

static double now_us(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

/* One selection as the teacher does it: the init RNG re-created from the
 * teacher seed for every candidate (random_state=seed in ALPGMM.init_gmm).  Returns the chosen k,
 * or 0 if every fit failed; adds the EM iterations to *iters. */
static size_t select_k(const double *X, uint64_t seed, long *iters)
{
    tk_gmm_options opt;
    tk_gmm_options_default(&opt);
    double best = INFINITY;
    size_t best_k = 0;
    for (size_t k = K_MIN; k <= K_MAX; k++) {
        tk_gmm *g = tk_gmm_new(k, DIM);
        tk_rng r;
        tk_rng_seed(&r, seed);
        if (g && tk_gmm_fit(g, X, N_POINTS, &opt, &r) == 0) {
            double aic = tk_gmm_criterion_value(g, X, N_POINTS, TK_GMM_AIC, DIM - 1);
            *iters += g->n_iter;
            if (aic < best) {
                best = aic;
                best_k = k;
            }
        }
        tk_gmm_free(g);
    }
    return best_k;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int n_sets = argc > 1 ? atoi(argv[1]) : 16;
    int reps = argc > 2 ? atoi(argv[2]) : 25;
    if (n_sets < 1 || reps < 1) {
        fprintf(stderr, "usage: %s [datasets >= 1] [repetitions >= 1]\n", argv[0]);
        return 2;
    }
    double *X = malloc(sizeof(double) * N_POINTS * DIM);
    double *t = malloc(sizeof(double) * (size_t)n_sets * (size_t)reps);
    double *cpu = malloc(sizeof(double) * (size_t)n_sets * (size_t)reps);
    if (!X || !t || !cpu)
        return 1;
    long iters = 0, fits = 0;
    size_t k_hist[K_MAX + 1] = {0};
    for (int s = 0; s < n_sets; s++) {
        make_data(X, 1000 + (uint64_t)s);
        for (int r = 0; r < reps; r++) {
            double t0 = now_us(CLOCK_MONOTONIC), c0 = now_us(CLOCK_THREAD_CPUTIME_ID);
            size_t k = select_k(X, 42 + (uint64_t)s, &iters);
            cpu[s * reps + r] = now_us(CLOCK_THREAD_CPUTIME_ID) - c0;
            t[s * reps + r] = now_us(CLOCK_MONOTONIC) - t0;
            fits += K_MAX - K_MIN + 1;
            if (r == 0)
                k_hist[k]++;
        }
    }
    size_t m = (size_t)n_sets * (size_t)reps;
    qsort(t, m, sizeof(double), cmp_double);
    qsort(cpu, m, sizeof(double), cmp_double);
    double med = cpu[m / 2];
    printf("GMM selection (k=%d..%d, n=%d, D=%d, AIC): %zu timings over %d datasets\n",
           K_MIN, K_MAX, N_POINTS, DIM, m, n_sets);
    printf("  cpu:  median %.1f us  p10 %.1f us  p90 %.1f us  max %.1f us\n", med, cpu[m / 10],
           cpu[m * 9 / 10], cpu[m - 1]);
    printf("  wall: median %.1f us  p10 %.1f us  p90 %.1f us  max %.1f us\n", t[m / 2],
           t[m / 10], t[m * 9 / 10], t[m - 1]);
    printf("  mean EM iterations per fit: %.1f\n", (double)iters / (double)fits);
    printf("  80 selections (20k episodes, fit_rate 250): %.1f ms at the median cpu time\n",
           80.0 * med / 1000.0);
    printf("  chosen k per dataset:");
    for (size_t k = K_MIN; k <= K_MAX; k++)
        if (k_hist[k])
            printf(" k=%zu:%zu", k, k_hist[k]);
    printf("\n");
    free(X);
    free(t);
    free(cpu);
    return 0;
}
