/*
 * Benchmark of one SAC gradient step at the paper's sizes (spec
 * envs_students.md sections 7.1 and 10.1): 400-300 ReLU networks, batch
 * 1000, BipedalWalker dimensions (24 observations, 4 actions).
 *
 * In one run, single-threaded (openblas_set_num_threads(1)):
 *   1. SGEMM throughput of this machine: a large square product and the
 *      dominant SAC shape (1000 x 400 by 400 x 300), best of several runs;
 *   2. the SAC step (sac_core.c, the plugin's code) at batch 1000 and 100:
 *      steps per second and effective GFLOP/s, counting the FLOPs of the
 *      matrix products of forward and backward of every network (section
 *      10.1; printed with the spec's ~4.1 MFLOP/sample for comparison), and
 *      the ratio to the SGEMM throughput;
 *   3. the step as the student runs it (replay sampling from a full buffer
 *      and noise generation included);
 *   4. the memory of a 2M-transition replay buffer, computed and measured
 *      (resident set growth when filled);
 *   5. with --torch SCRIPT: the same update written in PyTorch
 *      (tools/bench/sac_torch.py, torch.set_num_threads(1) and
 *      OPENBLAS_NUM_THREADS=1) run by python3 on the same machine right
 *      after, and the speed ratio, both from CPU time.
 *
 * Usage: bench_sac [--steps N (30)] [--torch tools/bench/sac_torch.py]
 *                  [--python python3] [--no-replay]
 * Times are medians of the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so
 * that other processes on a shared machine do not distort the ratios; the
 * wall-clock median is printed too.  The PyTorch script measures the CPU
 * time of its whole process (time.process_time()).
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../plugins/students/sac/sac_core.h"
#include "teachkit/nn_replay.h"
#include "teachkit/rng.h"

/* From OpenBLAS (cblas.h declares it; repeated for other CBLAS headers). */
void openblas_set_num_threads(int num_threads);

#define OBS 24
#define ACT 4

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void fill(tk_rng *r, float *v, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (float)tk_rng_range(r, lo, hi);
}

/* GFLOP/s of C = A B with A [m x k], B [k x n]: median over `reps` runs of
 * the thread's CPU time (robust to other processes on the machine). */
static double sgemm_gflops(int m, int n, int k, int reps)
{
    tk_rng r;
    tk_rng_seed(&r, 1);
    float *a = malloc((size_t)m * k * sizeof *a), *b = malloc((size_t)k * n * sizeof *b);
    float *c = malloc((size_t)m * n * sizeof *c);
    double *t = malloc((size_t)reps * sizeof *t);
    fill(&r, a, (size_t)m * k, -1, 1);
    fill(&r, b, (size_t)k * n, -1, 1);
    for (int i = 0; i < reps + 2; i++) {
        const double t0 = now(CLOCK_THREAD_CPUTIME_ID);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c,
                    n);
        if (i >= 2)
            t[i - 2] = now(CLOCK_THREAD_CPUTIME_ID) - t0;
    }
    const double g = 2.0 * m * n * k / median(t, (size_t)reps) * 1e-9;
    free(a);
    free(b);
    free(c);
    free(t);
    return g;
}

static sac_hparams paper_hparams(size_t batch)
{
    sac_hparams hp = {0};
    hp.obs_dim = OBS;
    hp.act_dim = ACT;
    hp.n_hidden = 2;
    hp.hidden[0] = 400;
    hp.hidden[1] = 300;
    hp.activation = TK_NN_RELU;
    hp.adam = tk_adam_defaults();
    hp.gamma = 0.99f;
    hp.polyak = 0.995f;
    hp.alpha = 0.005f;
    hp.log_std_min = -20.0f;
    hp.log_std_max = 2.0f;
    hp.batch_size = batch;
    return hp;
}

typedef struct timing {
    double wall_ms, cpu_ms, steps_per_s, gflops;
} timing;

/* Median time of `steps` updates on a fixed random batch (pure learner). */
static timing time_updates(size_t batch, int steps)
{
    tk_rng r;
    tk_rng_seed(&r, 7);
    sac_hparams hp = paper_hparams(batch);
    sac_learner *l = sac_learner_new(&hp, &r);
    float *obs = malloc(batch * OBS * sizeof *obs), *nobs = malloc(batch * OBS * sizeof *nobs);
    float *act = malloc(batch * ACT * sizeof *act), *noise = malloc(batch * ACT * sizeof *noise);
    float *rew = malloc(batch * sizeof *rew), *done = malloc(batch * sizeof *done);
    fill(&r, obs, batch * OBS, -1, 1);
    fill(&r, nobs, batch * OBS, -1, 1);
    fill(&r, act, batch * ACT, -1, 1);
    fill(&r, rew, batch, -1, 1);
    for (size_t i = 0; i < batch; i++)
        done[i] = tk_rng_uniform(&r) < 0.01;
    for (size_t i = 0; i < batch * ACT; i++)
        noise[i] = (float)tk_rng_normal(&r);
    sac_batch b = {batch, obs, act, rew, nobs, done};
    double losses[SAC_N_LOSSES];
    double *wall = malloc((size_t)steps * sizeof *wall), *cpu = malloc((size_t)steps * sizeof *cpu);
    for (int i = 0; i < 3; i++)
        sac_learner_update(l, &b, noise, losses);
    for (int i = 0; i < steps; i++) {
        const double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
        sac_learner_update(l, &b, noise, losses);
        wall[i] = now(CLOCK_MONOTONIC) - w0;
        cpu[i] = now(CLOCK_THREAD_CPUTIME_ID) - c0;
    }
    timing t;
    t.wall_ms = 1e3 * median(wall, (size_t)steps);
    t.cpu_ms = 1e3 * median(cpu, (size_t)steps);
    t.steps_per_s = 1e3 / t.cpu_ms;
    t.gflops = sac_learner_update_flops(l, batch) / (t.cpu_ms * 1e-3) * 1e-9;
    if (!isfinite(losses[0]))
        fprintf(stderr, "warning: non-finite loss\n");
    free(wall), free(cpu), free(obs), free(nobs), free(act), free(noise), free(rew), free(done);
    sac_learner_free(l);
    return t;
}

/* The matrix products of one step, as performed by nn.c: forward
 * (NoTrans, NoTrans), weight gradients (Trans, NoTrans) and input gradients
 * (NoTrans, Trans), with their shapes.  Replaying them alone bounds what a
 * step can reach with this BLAS (the spec's "GEMM-only replay"). */
typedef struct gemm_op {
    int ta, tb, m, n, k;
} gemm_op;

static size_t net_products(gemm_op *ops, size_t at, const size_t *sizes, size_t L, int n,
                           int fwd, int wgrad, int xgrad_first)
{
    for (size_t l = 0; fwd && l < L; l++)
        ops[at++] = (gemm_op){0, 0, n, (int)sizes[l + 1], (int)sizes[l]};
    for (size_t l = L; (wgrad || !fwd) && l-- > 0;) {
        if (wgrad)
            ops[at++] = (gemm_op){1, 0, (int)sizes[l], (int)sizes[l + 1], n};
        if (l > 0 || xgrad_first)
            ops[at++] = (gemm_op){0, 1, n, (int)sizes[l], (int)sizes[l + 1]};
    }
    return at;
}

/* Median CPU time (ms) of all the products of one step at batch n. */
static double gemm_replay_ms(int n, int reps)
{
    const size_t pi[] = {OBS, 400, 300, 2 * ACT}, q[] = {OBS + ACT, 400, 300, 1},
                 v[] = {OBS, 400, 300, 1};
    gemm_op ops[64];
    size_t k = 0;
    k = net_products(ops, k, pi, 3, n, 1, 0, 0);           /* pi forward */
    for (int i = 0; i < 4; i++)
        k = net_products(ops, k, q, 3, n, 1, 0, 0);        /* q1, q2 on (s,a), (s,a~) */
    k = net_products(ops, k, v, 3, n, 1, 0, 0);            /* v */
    k = net_products(ops, k, v, 3, n, 1, 0, 0);            /* v_targ */
    k = net_products(ops, k, q, 3, n, 0, 1, 0);            /* q1 backward */
    k = net_products(ops, k, q, 3, n, 0, 1, 0);            /* q2 backward */
    k = net_products(ops, k, v, 3, n, 0, 1, 0);            /* v backward */
    k = net_products(ops, k, q, 3, n, 0, 0, 1);            /* q1(s,a~) to the action */
    k = net_products(ops, k, pi, 3, n, 0, 1, 0);           /* pi backward */
    /* Every operand fits in 1024 x max(n, 1024) floats. */
    const size_t big = (size_t)(n > 1024 ? n : 1024) * 1024;
    float *a = malloc(big * 4), *b = malloc(1024 * 1024 * 4), *c = malloc(big * 4);
    double *t = malloc((size_t)reps * sizeof *t);
    tk_rng r0;
    tk_rng_seed(&r0, 5);
    fill(&r0, a, big, -1, 1);
    fill(&r0, b, 1024 * 1024, -0.1, 0.1);
    fill(&r0, c, big, -1, 1);
    for (int r = 0; r < reps + 2; r++) {
        const double t0 = now(CLOCK_THREAD_CPUTIME_ID);
        for (size_t i = 0; i < k; i++) {
            const gemm_op *o = &ops[i];
            const int lda = o->ta ? o->m : o->k, ldb = o->tb ? o->k : o->n;
            cblas_sgemm(CblasRowMajor, o->ta ? CblasTrans : CblasNoTrans,
                        o->tb ? CblasTrans : CblasNoTrans, o->m, o->n, o->k, 1.0f, a, lda, b, ldb,
                        o->ta ? 1.0f : 0.0f, c, o->n);
        }
        if (r >= 2)
            t[r - 2] = now(CLOCK_THREAD_CPUTIME_ID) - t0;
    }
    const double ms = 1e3 * median(t, (size_t)reps);
    free(a), free(b), free(c), free(t);
    return ms;
}

/* Resident set size in bytes (Linux). */
static double rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return NAN;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return (double)resident * (double)sysconf(_SC_PAGESIZE);
}

/* Fill a 2M buffer, then time the student's full step: sample a batch of
 * 1000, draw the noise, update. */
static void replay_bench(int steps)
{
    const size_t cap = 2000000, batch = 1000;
    const double before = rss_bytes();
    tk_replay *rb = tk_replay_new(cap, OBS, ACT);
    if (!rb) {
        printf("replay: cannot allocate a 2M buffer\n");
        return;
    }
    const double empty = rss_bytes();
    tk_rng r;
    tk_rng_seed(&r, 3);
    float o[OBS], a[ACT], no[OBS];
    for (size_t i = 0; i < cap; i++) {
        fill(&r, o, OBS, -1, 1);
        fill(&r, a, ACT, -1, 1);
        fill(&r, no, OBS, -1, 1);
        tk_replay_add(rb, o, a, 0.5f, no, 0.0f);
    }
    const double full = rss_bytes();
    printf("replay buffer, 2M transitions (obs %d, act %d): %.1f MB computed "
           "(tk_replay_bytes), resident %.1f MB after allocation, %.1f MB when full\n",
           OBS, ACT, tk_replay_bytes(cap, OBS, ACT) / 1e6, (empty - before) / 1e6,
           (full - before) / 1e6);

    sac_hparams hp = paper_hparams(batch);
    sac_learner *l = sac_learner_new(&hp, &r);
    float *obs = malloc(batch * OBS * 4), *nobs = malloc(batch * OBS * 4);
    float *act = malloc(batch * ACT * 4), *noise = malloc(batch * ACT * 4);
    float *rew = malloc(batch * 4), *done = malloc(batch * 4);
    double *wall = malloc((size_t)steps * sizeof *wall), losses[SAC_N_LOSSES];
    for (int i = 0; i < steps + 2; i++) {
        const double w0 = now(CLOCK_THREAD_CPUTIME_ID);
        tk_replay_sample(rb, &r, batch, obs, act, rew, nobs, done);
        for (size_t k = 0; k < batch * ACT; k++)
            noise[k] = (float)tk_rng_normal(&r);
        sac_batch b = {batch, obs, act, rew, nobs, done};
        sac_learner_update(l, &b, noise, losses);
        if (i >= 2)
            wall[i - 2] = now(CLOCK_THREAD_CPUTIME_ID) - w0;
    }
    const double ms = 1e3 * median(wall, (size_t)steps);
    printf("student step (sample from full 2M buffer + noise + update), batch 1000: "
           "%.2f ms cpu, %.2f steps/s\n",
           ms, 1e3 / ms);
    free(wall), free(obs), free(nobs), free(act), free(noise), free(rew), free(done);
    sac_learner_free(l);
    tk_replay_free(rb);
}

/* Runs the PyTorch script and returns its steps/s at `batch` (NaN if it
 * cannot run). */
static double torch_steps_per_s(const char *python, const char *script, size_t batch, int steps)
{
    char cmd[1024];
    /* OpenBLAS (which torch calls) would otherwise use every core. */
    snprintf(cmd, sizeof cmd,
             "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 %s %s --batch %zu --steps %d 2>&1", python,
             script, batch, steps);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NAN;
    char line[512];
    double sps = NAN;
    while (fgets(line, sizeof line, p)) {
        double v;
        if (sscanf(line, "steps_per_s %lf", &v) == 1)
            sps = v;
        else
            printf("  torch: %s", line);
    }
    pclose(p);
    return sps;
}

int main(int argc, char **argv)
{
    int steps = 30, do_replay = 1;
    const char *torch = NULL, *python = "python3";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--steps") && i + 1 < argc)
            steps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--torch") && i + 1 < argc)
            torch = argv[++i];
        else if (!strcmp(argv[i], "--python") && i + 1 < argc)
            python = argv[++i];
        else if (!strcmp(argv[i], "--no-replay"))
            do_replay = 0;
        else {
            fprintf(stderr, "usage: %s [--steps N] [--torch sac_torch.py] [--python python3] "
                            "[--no-replay]\n", argv[0]);
            return 2;
        }
    }
    if (steps < 1)
        steps = 1;
    openblas_set_num_threads(1);

    const double g_square = sgemm_gflops(2048, 2048, 2048, 3);
    const double g_shape = sgemm_gflops(1000, 300, 400, 20);
    printf("SGEMM single core: %.1f GFLOP/s (2048^3), %.1f GFLOP/s (1000x400 * 400x300)\n",
           g_square, g_shape);

    tk_rng r;
    tk_rng_seed(&r, 1);
    sac_hparams hp = paper_hparams(1000);
    sac_learner *l = sac_learner_new(&hp, &r);
    const double flops = sac_learner_update_flops(l, 1000);
    size_t params = 0;
    for (int i = 0; i < SAC_N_NETS - 1; i++)
        params += tk_mlp_n_params(sac_learner_net(l, i));
    printf("SAC step model: %.3f GFLOP at batch 1000 (%.2f MFLOP/sample; spec 10.1: ~4.1), "
           "%zu trained parameters (spec: 527,711)\n",
           flops * 1e-9, flops / 1000 * 1e-6, params);
    sac_learner_free(l);

    double sps[2] = {0}, replay[2] = {0}, ratio1000 = 0.0;
    const size_t batches[2] = {1000, 100};
    const int reps[2] = {steps, 10 * steps};
    for (int i = 0; i < 2; i++) {
        const timing t = time_updates(batches[i], reps[i]);
        sps[i] = t.steps_per_s;
        replay[i] = gemm_replay_ms((int)batches[i], reps[i]);
        printf("SAC update, batch %4zu: %7.2f ms cpu (wall %.2f ms), %8.2f updates/s, "
               "%.1f GFLOP/s effective = %.0f %% of square SGEMM, %.0f %% of shape SGEMM; "
               "GEMM-only replay of its products %.2f ms (%.0f %% of the step)\n",
               batches[i], t.cpu_ms, t.wall_ms, t.steps_per_s, t.gflops,
               100.0 * t.gflops / g_square, 100.0 * t.gflops / g_shape,
               replay[i], 100.0 * replay[i] / t.cpu_ms);
        if (i == 0)
            ratio1000 = t.gflops / g_square;
    }
    printf("target: the batch-1000 step at >= 60 %% of single-core SGEMM (2048^3): %s (%.0f %%)\n",
           ratio1000 >= 0.6 ? "met" : "NOT met", 100.0 * ratio1000);
    if (do_replay)
        replay_bench(steps);
    if (torch) {
        for (int i = 0; i < 2; i++) {
            const double ts = torch_steps_per_s(python, torch, batches[i], reps[i]);
            if (isnan(ts)) {
                printf("PyTorch batch %zu: could not run %s %s\n", batches[i], python, torch);
                continue;
            }
            printf("PyTorch (1 thread), batch %4zu: %8.2f updates/s -> teachkit is %.2fx "
                   "faster; any implementation calling this SGEMM for the same products is "
                   "at most %.2fx faster than torch (GEMM-only replay)\n",
                   batches[i], ts, sps[i] / ts, 1e3 / replay[i] / ts);
        }
    }
    return 0;
}
