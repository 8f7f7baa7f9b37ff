/*
 * Benchmark of the SAC student at the paper's sizes (Portelas et al. 2019:
 * 400-300 ReLU networks, batch 1000; BipedalWalker's 24 observations and 4
 * actions), single-threaded, against PyTorch on the same core in the same
 * run.  Prints:
 *   1. the machine: CPU, instruction sets, oneDNN's and OpenBLAS's kernels;
 *   2. one gradient step (sac_core.c, the plugin's code) at batch 1000 and
 *      100 in fp32 and, where the CPU multiplies bf16 natively, in bf16:
 *      ms per step and effective GFLOP/s;
 *   3. acting: the batch-1 policy forward of every env step, next to the
 *      same forward on OpenBLAS's sgemv (what the toolkit ran before it
 *      moved to oneDNN), with OpenBLAS on this CPU's best kernel;
 *   4. the student's full step with replay sampling from a 2M buffer, and
 *      the buffer's memory;
 *   5. with --torch SCRIPT: the same step in PyTorch (tools/bench/sac_torch.py)
 *      in float32 with OpenBLAS on this CPU's best kernel, and under
 *      torch.autocast(bfloat16), and the ratios teachkit / PyTorch.
 *
 * Usage: bench_sac [--steps N (20)] [--torch tools/bench/sac_torch.py]
 *                  [--python /usr/bin/python3] [--no-replay]
 * Times are medians of the thread's CPU time, so that other processes on a
 * shared machine distort the ratios less; PyTorch's script measures its
 * process's CPU time.  The program re-executes itself once with one
 * OpenMP/OpenBLAS thread and OpenBLAS's best kernel, as teachkit does.
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../plugins/students/sac/sac_core.h"
#include "bench_common.h"
#include "teachkit/nn_replay.h"
#include "teachkit/system_info.h"

#define OBS 24
#define ACT 4

static sac_hparams paper_hparams(size_t batch, tk_nn_precision precision)
{
    sac_hparams hp = {0};
    hp.obs_dim = OBS;
    hp.act_dim = ACT;
    hp.n_hidden = 2;
    hp.hidden[0] = 400;
    hp.hidden[1] = 300;
    hp.activation = TK_NN_RELU;
    hp.precision = precision;
    hp.adam = tk_adam_defaults();
    hp.gamma = 0.99f;
    hp.polyak = 0.995f;
    hp.alpha = 0.005f;
    hp.log_std_min = -20.0f;
    hp.log_std_max = 2.0f;
    hp.batch_size = batch;
    return hp;
}

/* Median CPU milliseconds of `steps` updates on a fixed random batch. */
static double time_updates(size_t batch, tk_nn_precision precision, int steps, double *gflops)
{
    tk_rng r;
    tk_rng_seed(&r, 7);
    sac_hparams hp = paper_hparams(batch, precision);
    sac_learner *l = sac_learner_new(&hp, &r);
    if (!l)
        return NAN;
    float *obs = malloc(batch * OBS * 4), *nobs = malloc(batch * OBS * 4);
    float *act = malloc(batch * ACT * 4), *noise = malloc(batch * ACT * 4);
    float *rew = malloc(batch * 4), *done = malloc(batch * 4);
    bench_fill(&r, obs, batch * OBS, -1, 1);
    bench_fill(&r, nobs, batch * OBS, -1, 1);
    bench_fill(&r, act, batch * ACT, -1, 1);
    bench_fill(&r, rew, batch, -1, 1);
    for (size_t i = 0; i < batch; i++)
        done[i] = tk_rng_uniform(&r) < 0.01;
    for (size_t i = 0; i < batch * ACT; i++)
        noise[i] = (float)tk_rng_normal(&r);
    sac_batch b = {batch, obs, act, rew, nobs, done};
    double losses[SAC_N_LOSSES];
    double *cpu = malloc((size_t)steps * sizeof *cpu);
    for (int i = 0; i < 3; i++) /* plans the products */
        sac_learner_update(l, &b, noise, losses);
    for (int i = 0; i < steps; i++) {
        const double c0 = bench_now(CLOCK_THREAD_CPUTIME_ID);
        sac_learner_update(l, &b, noise, losses);
        cpu[i] = bench_now(CLOCK_THREAD_CPUTIME_ID) - c0;
    }
    const double ms = 1e3 * bench_median(cpu, (size_t)steps);
    *gflops = sac_learner_update_flops(l, batch) / (ms * 1e-3) * 1e-9;
    if (!isfinite(losses[0]))
        fprintf(stderr, "warning: non-finite loss\n");
    free(cpu), free(obs), free(nobs), free(act), free(noise), free(rew), free(done);
    sac_learner_free(l);
    return ms;
}

/* y = relu/linear(x W + b) for one row through OpenBLAS's sgemv: the
 * toolkit's single-row forward before oneDNN. */
static void sgemv_forward(tk_mlp *net, const float *x, float *buf0, float *buf1)
{
    const float *in_act = x;
    float *bufs[2] = {buf0, buf1};
    for (size_t l = 0; l < tk_mlp_n_layers(net); l++) {
        const size_t in = tk_mlp_size(net, l), out = tk_mlp_size(net, l + 1);
        float *y = bufs[l % 2];
        cblas_sgemv(CblasRowMajor, CblasTrans, (int)in, (int)out, 1.0f, tk_mlp_weight(net, l),
                    (int)out, in_act, 1, 0.0f, y, 1);
        const float *b = tk_mlp_bias(net, l);
        const int relu = tk_mlp_activation(net, l) == TK_NN_RELU;
        for (size_t j = 0; j < out; j++) {
            const float z = y[j] + b[j];
            y[j] = relu && z < 0.0f ? 0.0f : z;
        }
        in_act = y;
    }
}

/* Median microseconds of the batch-1 policy forward on the toolkit and on
 * sgemv, and of one whole act() (forward + squashing). */
static void acting_bench(int reps)
{
    tk_rng r;
    tk_rng_seed(&r, 11);
    sac_hparams hp = paper_hparams(1000, TK_NN_FP32);
    sac_learner *l = sac_learner_new(&hp, &r);
    float obs[OBS], a[ACT], b0[400], b1[400];
    bench_fill(&r, obs, OBS, -1, 1);
    tk_mlp *pi = sac_learner_net(l, SAC_NET_PI);
    tk_mlp_tape *tape = tk_mlp_tape_new(pi, 1);
    double *t[3];
    for (int k = 0; k < 3; k++)
        t[k] = malloc((size_t)reps * sizeof *t[k]);
    for (int i = 0; i < reps + 10; i++) {
        const double c0 = bench_now(CLOCK_THREAD_CPUTIME_ID);
        tk_mlp_forward(pi, tape, obs, 1);
        const double c1 = bench_now(CLOCK_THREAD_CPUTIME_ID);
        sgemv_forward(pi, obs, b0, b1);
        const double c2 = bench_now(CLOCK_THREAD_CPUTIME_ID);
        sac_learner_act(l, obs, NULL, a);
        const double c3 = bench_now(CLOCK_THREAD_CPUTIME_ID);
        if (i >= 10)
            t[0][i - 10] = c1 - c0, t[1][i - 10] = c2 - c1, t[2][i - 10] = c3 - c2;
    }
    double us[3];
    for (int k = 0; k < 3; k++) {
        us[k] = 1e6 * bench_median(t[k], (size_t)reps);
        free(t[k]);
    }
    printf("acting, batch-1 policy forward: teachkit %.1f us, OpenBLAS sgemv %.1f us -> %s; "
           "a whole act() %.1f us\n",
           us[0], us[1], us[0] <= 1.05 * us[1] ? "no slower" : "SLOWER", us[2]);
    tk_mlp_tape_free(tape);
    sac_learner_free(l);
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
static void replay_bench(int steps, tk_nn_precision precision)
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
        bench_fill(&r, o, OBS, -1, 1);
        bench_fill(&r, a, ACT, -1, 1);
        bench_fill(&r, no, OBS, -1, 1);
        tk_replay_add(rb, o, a, 0.5f, no, 0.0f);
    }
    const double full = rss_bytes();
    printf("replay buffer, 2M transitions (obs %d, act %d): %.1f MB computed, resident %.1f MB "
           "after allocation, %.1f MB when full\n",
           OBS, ACT, tk_replay_bytes(cap, OBS, ACT) / 1e6, (empty - before) / 1e6,
           (full - before) / 1e6);
    sac_hparams hp = paper_hparams(batch, precision);
    sac_learner *l = sac_learner_new(&hp, &r);
    float *obs = malloc(batch * OBS * 4), *nobs = malloc(batch * OBS * 4);
    float *act = malloc(batch * ACT * 4), *noise = malloc(batch * ACT * 4);
    float *rew = malloc(batch * 4), *done = malloc(batch * 4);
    double *cpu = malloc((size_t)steps * sizeof *cpu), losses[SAC_N_LOSSES];
    for (int i = 0; i < steps + 3; i++) {
        const double c0 = bench_now(CLOCK_THREAD_CPUTIME_ID);
        tk_replay_sample(rb, &r, batch, obs, act, rew, nobs, done);
        for (size_t k = 0; k < batch * ACT; k++)
            noise[k] = (float)tk_rng_normal(&r);
        sac_batch b = {batch, obs, act, rew, nobs, done};
        sac_learner_update(l, &b, noise, losses);
        if (i >= 3)
            cpu[i - 3] = bench_now(CLOCK_THREAD_CPUTIME_ID) - c0;
    }
    printf("student step (sample from the full 2M buffer + noise + update), batch 1000, %s: "
           "%.2f ms\n",
           precision == TK_NN_BF16 ? "bf16" : "fp32", 1e3 * bench_median(cpu, (size_t)steps));
    free(cpu), free(obs), free(nobs), free(act), free(noise), free(rew), free(done);
    sac_learner_free(l);
    tk_replay_free(rb);
}

int main(int argc, char **argv)
{
    int steps = 20, do_replay = 1;
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
    /* As the teachkit program: one thread, OpenBLAS's best kernel. */
    if (tk_numerics_env_defaults())
        execv("/proc/self/exe", argv);
    if (steps < 1)
        steps = 1;
    bench_print_machine();
    const int bf16 = tk_nn_bf16_native();

    tk_rng r;
    tk_rng_seed(&r, 1);
    sac_hparams hp = paper_hparams(1000, TK_NN_FP32);
    sac_learner *l = sac_learner_new(&hp, &r);
    const double flops = sac_learner_update_flops(l, 1000);
    size_t params = 0;
    for (int i = 0; i < SAC_N_NETS - 1; i++)
        params += tk_mlp_n_params(sac_learner_net(l, i));
    printf("SAC step: %.3f GFLOP of matrix products at batch 1000 (%.2f MFLOP/sample), "
           "%zu trained parameters\n",
           flops * 1e-9, flops / 1000 * 1e-6, params);
    sac_learner_free(l);

    const size_t batches[2] = {1000, 100};
    double ms[2][2] = {{NAN, NAN}, {NAN, NAN}}; /* [batch][fp32, bf16] */
    for (int i = 0; i < 2; i++) {
        const int reps = i == 0 ? steps : 5 * steps;
        for (int p = 0; p < 1 + bf16; p++) {
            double gflops = 0.0;
            ms[i][p] = time_updates(batches[i], p ? TK_NN_BF16 : TK_NN_FP32, reps, &gflops);
            printf("teachkit SAC step, batch %4zu, %s: %7.2f ms (%.0f GFLOP/s effective)\n",
                   batches[i], p ? "bf16" : "fp32", ms[i][p], gflops);
        }
        if (!bf16)
            printf("teachkit SAC step, batch %4zu, bf16: not run (this CPU has no native bf16: "
                   "AMX or AVX512-BF16)\n",
                   batches[i]);
    }
    acting_bench(200);
    if (do_replay)
        replay_bench(steps, bf16 ? TK_NN_BF16 : TK_NN_FP32);
    if (!torch)
        return 0;
    for (int i = 0; i < 2; i++) {
        char args[128];
        const int reps = i == 0 ? steps : 5 * steps;
        snprintf(args, sizeof args, "--batch %zu --steps %d", batches[i], reps);
        const double t32 = bench_torch_ms(python, torch, args);
        snprintf(args, sizeof args, "--batch %zu --steps %d --autocast", batches[i], reps);
        const double t16 = bench_torch_ms(python, torch, args);
        printf("batch %4zu: PyTorch fp32 %.2f ms, teachkit fp32 %.2f ms -> %.2fx "
               "(target >= 1.5x: %s)\n",
               batches[i], t32, ms[i][0], t32 / ms[i][0],
               t32 / ms[i][0] >= 1.5 ? "met" : "NOT met");
        if (bf16)
            printf("batch %4zu: PyTorch bf16 autocast %.2f ms, teachkit bf16 %.2f ms -> %.2fx "
                   "(target >= 2.5x: %s)\n",
                   batches[i], t16, ms[i][1], t16 / ms[i][1],
                   t16 / ms[i][1] >= 2.5 ? "met" : "NOT met");
        else
            printf("batch %4zu: PyTorch bf16 autocast %.2f ms (teachkit bf16 not run)\n",
                   batches[i], t16);
    }
    return 0;
}
