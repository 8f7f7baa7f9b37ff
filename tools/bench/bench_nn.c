/*
 * Benchmark of the neural-network toolkit's building blocks, single
 * threaded (openblas_set_num_threads(1)), times as medians of the thread's
 * CPU time:
 *   - MLP forward + backward (weights and input gradients) at the SAC and
 *     PPO paper sizes and a small size, over batch sizes, in GFLOP/s next
 *     to this machine's SGEMM on a large square product;
 *   - single-row forward latency (the cost of one act() per env step);
 *   - Adam steps (parameters per second) and Polyak averaging;
 *   - replay-buffer sampling (transitions per second) from a large buffer.
 * Usage: bench_nn [repetitions (20)]
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "teachkit/nn.h"
#include "teachkit/nn_optim.h"
#include "teachkit/nn_replay.h"
#include "teachkit/rng.h"

void openblas_set_num_threads(int num_threads);

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void fill(tk_rng *r, float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (float)tk_rng_range(r, -1.0, 1.0);
}

static double sgemm_gflops(int n, int reps)
{
    tk_rng r;
    tk_rng_seed(&r, 1);
    const size_t nn = (size_t)n * (size_t)n;
    float *a = malloc(nn * 4), *b = malloc(nn * 4), *c = malloc(nn * 4);
    double *t = malloc((size_t)reps * sizeof *t);
    fill(&r, a, nn);
    fill(&r, b, nn);
    for (int i = 0; i < reps + 1; i++) {
        const double t0 = cpu_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c,
                    n);
        if (i)
            t[i - 1] = cpu_now() - t0;
    }
    const double g = 2.0 * n * n * (double)n / median(t, reps) * 1e-9;
    free(a), free(b), free(c), free(t);
    return g;
}

typedef struct shape {
    const char *name;
    size_t sizes[4];
    tk_nn_activation act;
} shape;

/* Forward + backward (param and input gradients) of n rows. */
static void bench_mlp(const shape *s, size_t n, int reps, double peak)
{
    const tk_nn_activation acts[3] = {s->act, s->act, TK_NN_LINEAR};
    tk_mlp *net = tk_mlp_new(3, s->sizes, acts, 0.01f);
    tk_rng r;
    tk_rng_seed(&r, 2);
    tk_mlp_init(net, TK_NN_INIT_GLOROT_UNIFORM, 1.0f, &r);
    tk_mlp_tape *tape = tk_mlp_tape_new(net, n);
    float *x = malloc(n * s->sizes[0] * 4), *dy = malloc(n * s->sizes[3] * 4);
    float *dx = malloc(n * s->sizes[0] * 4);
    fill(&r, x, n * s->sizes[0]);
    fill(&r, dy, n * s->sizes[3]);
    double *t = malloc((size_t)reps * sizeof *t);
    for (int i = 0; i < reps + 2; i++) {
        const double t0 = cpu_now();
        tk_mlp_forward(net, tape, x, n);
        tk_mlp_zero_grad(net);
        tk_mlp_backward(net, tape, dy, dx, 1);
        if (i >= 2)
            t[i - 2] = cpu_now() - t0;
    }
    const double sec = median(t, reps);
    const double flops = 2.0 * (double)tk_mlp_macs(net) * (double)n +
                         tk_mlp_backward_flops(net, n, 1, 1);
    printf("  %-22s batch %5zu: %9.3f ms  %7.1f GFLOP/s (%3.0f %% of SGEMM)\n", s->name, n,
           sec * 1e3, flops / sec * 1e-9, 100.0 * flops / sec * 1e-9 / peak);
    free(t), free(x), free(dy), free(dx);
    tk_mlp_tape_free(tape);
    tk_mlp_free(net);
}

static void bench_single_row(const shape *s, int reps)
{
    const tk_nn_activation acts[3] = {s->act, s->act, TK_NN_LINEAR};
    tk_mlp *net = tk_mlp_new(3, s->sizes, acts, 0.01f);
    tk_rng r;
    tk_rng_seed(&r, 3);
    tk_mlp_init(net, TK_NN_INIT_GLOROT_UNIFORM, 1.0f, &r);
    tk_mlp_tape *tape = tk_mlp_tape_new(net, 1);
    float x[64];
    fill(&r, x, s->sizes[0]);
    double *t = malloc((size_t)reps * sizeof *t);
    for (int i = 0; i < reps; i++) {
        const double t0 = cpu_now();
        for (int k = 0; k < 100; k++)
            tk_mlp_forward(net, tape, x, 1);
        t[i] = (cpu_now() - t0) / 100.0;
    }
    printf("  %-22s one row: %7.2f us per forward\n", s->name, median(t, reps) * 1e6);
    free(t);
    tk_mlp_tape_free(tape);
    tk_mlp_free(net);
}

int main(int argc, char **argv)
{
    const int reps = argc > 1 && atoi(argv[1]) > 0 ? atoi(argv[1]) : 20;
    openblas_set_num_threads(1);
    const double peak = sgemm_gflops(2048, 3);
    printf("SGEMM single core, 2048^3: %.1f GFLOP/s\n", peak);

    const shape shapes[] = {
        {"SAC Q 28-400-300-1", {28, 400, 300, 1}, TK_NN_RELU},
        {"SAC pi 24-400-300-8", {24, 400, 300, 8}, TK_NN_RELU},
        {"PPO 24-400-300-5 tanh", {24, 400, 300, 5}, TK_NN_TANH},
        {"small 3-64-64-1", {3, 64, 64, 1}, TK_NN_RELU},
    };
    const size_t batches[] = {32, 100, 256, 1000};
    printf("MLP forward + backward:\n");
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
        for (size_t b = 0; b < sizeof batches / sizeof *batches; b++)
            bench_mlp(&shapes[i], batches[b], batches[b] >= 256 ? reps : 5 * reps, peak);
    printf("single-row forward (acting):\n");
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
        bench_single_row(&shapes[i], reps);

    /* Adam and Polyak over the SAC value networks' size. */
    const size_t P = 394000;
    float *p = malloc(P * 4), *g = malloc(P * 4), *q = malloc(P * 4);
    tk_rng r;
    tk_rng_seed(&r, 4);
    fill(&r, p, P);
    fill(&r, g, P);
    fill(&r, q, P);
    tk_adam_options o = tk_adam_defaults();
    tk_adam *adam = tk_adam_new(P, &o);
    double *t = malloc((size_t)reps * sizeof *t), *t2 = malloc((size_t)reps * sizeof *t2);
    for (int i = 0; i < reps; i++) {
        double t0 = cpu_now();
        tk_adam_step(adam, p, g);
        t[i] = cpu_now() - t0;
        t0 = cpu_now();
        tk_nn_polyak(q, p, P, 0.995f);
        t2[i] = cpu_now() - t0;
    }
    printf("Adam step:   %.0f M parameters/s (%.2f ms for %zu)\n", P / median(t, reps) * 1e-6,
           median(t, reps) * 1e3, P);
    printf("Polyak:      %.0f M parameters/s\n", P / median(t2, reps) * 1e-6);
    tk_adam_free(adam);
    free(p), free(g), free(q);

    /* Replay sampling from a 1M buffer of walker-sized transitions. */
    const size_t cap = 1000000, B = 1000;
    tk_replay *rb = tk_replay_new(cap, 24, 4);
    float o24[24], a4[4];
    for (size_t i = 0; i < cap; i++) {
        fill(&r, o24, 24);
        fill(&r, a4, 4);
        tk_replay_add(rb, o24, a4, 0.0f, o24, 0.0f);
    }
    float *bo = malloc(B * 24 * 4), *ba = malloc(B * 4 * 4), *br = malloc(B * 4),
          *bn = malloc(B * 24 * 4), *bd = malloc(B * 4);
    for (int i = 0; i < reps; i++) {
        const double t0 = cpu_now();
        tk_replay_sample(rb, &r, B, bo, ba, br, bn, bd);
        t[i] = cpu_now() - t0;
    }
    printf("replay sample (1M buffer, batch 1000): %.3f ms, %.1f M transitions/s\n",
           median(t, reps) * 1e3, B / median(t, reps) * 1e-6);
    free(bo), free(ba), free(br), free(bn), free(bd), free(t), free(t2);
    tk_replay_free(rb);
    return 0;
}
