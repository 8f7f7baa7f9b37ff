/*
 * Benchmark of the ALP computer (core/lib/alp_computer.c) in its default
 * configuration (buffer 500, unbounded history): inserts N random 2-D tasks
 * (uniform in [0,1]^2, rewards uniform in [0,1]) and reports
 *   - microseconds per tk_alp_computer_compute() averaged over the calls
 *     that end at 10k, 100k and 1M stored pairs, a tenth of the mark each
 *     (insertion and tree rebuilds included: a window that large holds the
 *     binary counter's merges in their long-run proportion);
 *   - at 10k and 100k, a brute-force scan over the same history for the same
 *     calls (the original's exact nearest neighbour), its ratio to compute(), and how
 *     many lp values differ (must be 0);
 *   - the time of all N compute() calls (every rebuild included), and the
 *     peak resident memory.
 * Times are process CPU time, so that other load on the machine inflates
 * them less than wall time would; windows are timed as blocks.  The
 * brute-force replay runs after its window so that it does not evict the
 * trees from the caches in between compute() calls.
 *
 * Usage: bench_alp_computer [N (default 1000000)] [seed (default 1)]
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "teachkit/alp_computer.h"
#include "teachkit/rng.h"

enum { DIM = 2, BUFFER_SIZE = 500 };

/* Marks where timings are reported; brute force only up to BRUTE_MAX. */
static const size_t marks[] = {10000, 100000, 1000000};
enum { NMARKS = 3, BRUTE_MAX = 100000, WINDOW_DIV = 10 };

struct history {
    double *tasks, *rewards; /* the first BRUTE_MAX pairs, for brute force */
    double *lp;              /* compute()'s answers in the current brute window */
};

static size_t window(int m)
{
    return marks[m] / WINDOW_DIV;
}

struct window_stats {
    double compute_s, brute_s;
    size_t mismatches;
};

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The original's exact definition: first strict minimum in insertion order over
 * the n stored pairs. */
static double brute_lp(const struct history *h, size_t n, const double *task, double reward)
{
    if (n <= 5)
        return 0.0;
    size_t best = 0;
    double best_d2 = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < DIM; j++) {
            const double d = task[j] - h->tasks[i * DIM + j];
            s += d * d;
        }
        if (s < best_d2) {
            best_d2 = s;
            best = i;
        }
    }
    return reward - h->rewards[best];
}

/* Replay the window of mark m with brute force. */
static void brute_window(const struct history *h, int m, struct window_stats *st)
{
    const size_t start = marks[m] - window(m);
    const double t0 = cpu_s();
    for (size_t k = start; k < marks[m]; k++) {
        const double lp = brute_lp(h, k, h->tasks + k * DIM, h->rewards[k]);
        st->mismatches += lp != h->lp[k - start];
    }
    st->brute_s = cpu_s() - t0;
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: kilobytes */
}

static void report(const struct window_stats *st, size_t n)
{
    printf("%-10s %12s %12s %8s %9s\n", "stored", "compute us", "brute us", "ratio",
           "mismatch");
    for (int m = 0; m < NMARKS && marks[m] <= n; m++) {
        const double c = 1e6 * st[m].compute_s / (double)window(m);
        if (marks[m] <= BRUTE_MAX) {
            const double b = 1e6 * st[m].brute_s / (double)window(m);
            printf("%-10zu %12.3f %12.3f %8.1f %9zu\n", marks[m], c, b, b / c,
                   st[m].mismatches);
        } else {
            printf("%-10zu %12.3f %12s %8s %9s\n", marks[m], c, "-", "-", "-");
        }
    }
}

static void draw_pair(tk_rng *rng, double *task, double *reward)
{
    for (size_t j = 0; j < DIM; j++)
        task[j] = tk_rng_uniform(rng);
    *reward = tk_rng_uniform(rng);
}

/* Run n insertions; fills st and returns the CPU time spent in compute(). */
static double run(tk_alp_computer *alp, struct history *h, size_t n, uint64_t seed,
                  struct window_stats *st)
{
    tk_rng rng;
    tk_rng_seed(&rng, seed);
    double in_compute = 0.0, block_start = cpu_s(), window_start = 0.0;
    int m = 0;
    for (size_t k = 0; k < n; k++) {
        double task[DIM], reward, a, lp;
        draw_pair(&rng, task, &reward);
        if (k < BRUTE_MAX) {
            for (size_t j = 0; j < DIM; j++)
                h->tasks[k * DIM + j] = task[j];
            h->rewards[k] = reward;
        }
        if (m < NMARKS && k + window(m) == marks[m])
            window_start = cpu_s();
        if (tk_alp_computer_compute(alp, task, reward, &a, &lp)) {
            fprintf(stderr, "out of memory at %zu\n", k);
            exit(EXIT_FAILURE);
        }
        if (m < NMARKS && marks[m] <= BRUTE_MAX && k + window(m) >= marks[m])
            h->lp[k + window(m) - marks[m]] = lp;
        if (m < NMARKS && k + 1 == marks[m]) {
            const double now = cpu_s();
            st[m].compute_s = now - window_start;
            in_compute += now - block_start;
            if (marks[m] <= BRUTE_MAX)
                brute_window(h, m, &st[m]);
            m++;
            block_start = cpu_s();
        }
    }
    return in_compute + (cpu_s() - block_start);
}

int main(int argc, char **argv)
{
    const size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    const uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    struct history *h = calloc(1, sizeof *h);
    tk_alp_computer *alp = tk_alp_computer_new(DIM, BUFFER_SIZE, 0);
    if (!h || !alp)
        return EXIT_FAILURE;
    h->tasks = malloc(BRUTE_MAX * DIM * sizeof *h->tasks);
    h->rewards = malloc(BRUTE_MAX * sizeof *h->rewards);
    h->lp = malloc(BRUTE_MAX / WINDOW_DIV * sizeof *h->lp);
    if (!h->tasks || !h->rewards || !h->lp)
        return EXIT_FAILURE;
    struct window_stats st[NMARKS] = {{0}};
    const double w0 = wall_s();
    const double total = run(alp, h, n, seed, st);
    const double wall = wall_s() - w0;
    printf("ALP computer: dim %d, buffer %d, unbounded, %zu insertions, seed %" PRIu64 "\n"
           "(CPU time, averaged over the mark/%d calls ending at each mark)\n",
           DIM, BUFFER_SIZE, n, seed, WINDOW_DIV);
    report(st, n);
    printf("all %zu compute() calls: %.3f s CPU, %.3f us per call (run wall time %.3f s "
           "incl. brute force)\n",
           n, total, 1e6 * total / (double)n, wall);
    printf("peak RSS %.1f MiB (of which the bench's brute-force copy %.1f MiB)\n", peak_rss_mib(),
           (double)(BRUTE_MAX * (DIM + 1 + 1.0 / WINDOW_DIV) * sizeof(double)) /
               (1024.0 * 1024.0));
    tk_alp_computer_free(alp);
    free(h->tasks);
    free(h->rewards);
    free(h->lp);
    free(h);
    return EXIT_SUCCESS;
}
