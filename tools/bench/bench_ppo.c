/*
 * Benchmark of the PPO student at TeachMyAgent's sizes (Romac et al. 2021:
 * one 400-300 tanh network with a policy and a value head, minibatches of
 * 1000 of a 20,000-step rollout; BipedalWalker's 24 observations and 4
 * actions), single-threaded, against PyTorch on the same core in the same
 * run.  Prints the machine, then ms per minibatch step (forward, clipped
 * losses, backward, global-norm clipping, Adam: ppo_core.c, the plugin's
 * code) at minibatch 1000 and 100 in fp32 and, where the CPU multiplies
 * bf16 natively, bf16; the batch-1 act(); and with --torch SCRIPT the same
 * step in PyTorch (tools/bench/ppo_torch.py) in float32, with OpenBLAS on
 * this CPU's best kernel, and under bf16 autocast, with the ratios.
 *
 * Usage: bench_ppo [--steps N (20)] [--torch tools/bench/ppo_torch.py]
 *                  [--python /usr/bin/python3]
 * Times are medians of the thread's CPU time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../plugins/students/ppo/ppo_core.h"
#include "bench_common.h"
#include "teachkit/system_info.h"

#define OBS 24
#define ACT 4

static ppo_hparams tma_hparams(size_t minibatch, tk_nn_precision precision)
{
    ppo_hparams hp = {0};
    hp.obs_dim = OBS;
    hp.act_dim = ACT;
    hp.n_hidden = 2;
    hp.hidden[0] = 400;
    hp.hidden[1] = 300;
    hp.activation = TK_NN_TANH;
    hp.precision = precision;
    hp.adam = tk_adam_defaults();
    hp.adam.lr = 3e-4f;
    hp.adam.eps = 1e-5f;
    hp.clip_range = 0.2f;
    hp.clip_value = 1;
    hp.vf_coef = 0.5f;
    hp.max_grad_norm = 0.5f;
    hp.minibatch = minibatch;
    return hp;
}

/* Median CPU milliseconds of one minibatch step. */
static double time_steps(size_t n, tk_nn_precision precision, int steps)
{
    tk_rng r;
    tk_rng_seed(&r, 5);
    ppo_hparams hp = tma_hparams(n, precision);
    ppo_learner *l = ppo_learner_new(&hp, &r);
    if (!l)
        return NAN;
    float *obs = malloc(n * OBS * 4), *act = malloc(n * ACT * 4), *old_logp = malloc(n * 4);
    float *old_value = malloc(n * 4), *adv = malloc(n * 4), *ret = malloc(n * 4);
    bench_fill(&r, obs, n * OBS, -1, 1);
    for (size_t i = 0; i < n * ACT; i++)
        act[i] = (float)tk_rng_normal(&r);
    for (size_t i = 0; i < n; i++) {
        old_logp[i] = (float)tk_rng_normal(&r) - 5.0f;
        old_value[i] = (float)tk_rng_normal(&r);
        adv[i] = (float)tk_rng_normal(&r);
        ret[i] = (float)tk_rng_normal(&r);
    }
    ppo_batch b = {n, obs, act, old_logp, old_value, adv, ret};
    double stats[PPO_N_STATS], norm, *cpu = malloc((size_t)steps * sizeof *cpu);
    for (int i = 0; i < steps + 3; i++) {
        const double c0 = bench_now(CLOCK_THREAD_CPUTIME_ID);
        ppo_learner_update(l, &b, stats, &norm);
        if (i >= 3)
            cpu[i - 3] = bench_now(CLOCK_THREAD_CPUTIME_ID) - c0;
    }
    const double ms = 1e3 * bench_median(cpu, (size_t)steps);
    if (!isfinite(stats[PPO_LOSS_TOTAL]))
        fprintf(stderr, "warning: non-finite loss\n");
    free(cpu), free(obs), free(act), free(old_logp), free(old_value), free(adv), free(ret);
    ppo_learner_free(l);
    return ms;
}

/* Median microseconds of one act() with a sample (every env step). */
static double acting_us(int reps)
{
    tk_rng r;
    tk_rng_seed(&r, 9);
    ppo_hparams hp = tma_hparams(1000, TK_NN_FP32);
    ppo_learner *l = ppo_learner_new(&hp, &r);
    float obs[OBS], noise[ACT], u[ACT], v, logp;
    bench_fill(&r, obs, OBS, -1, 1);
    bench_fill(&r, noise, ACT, -1, 1);
    double *t = malloc((size_t)reps * sizeof *t);
    for (int i = 0; i < reps + 10; i++) {
        const double c0 = bench_now(CLOCK_THREAD_CPUTIME_ID);
        ppo_learner_act(l, obs, noise, u, &v, &logp);
        if (i >= 10)
            t[i - 10] = bench_now(CLOCK_THREAD_CPUTIME_ID) - c0;
    }
    const double us = 1e6 * bench_median(t, (size_t)reps);
    free(t);
    ppo_learner_free(l);
    return us;
}

int main(int argc, char **argv)
{
    int steps = 20;
    const char *torch = NULL, *python = "python3";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--steps") && i + 1 < argc)
            steps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--torch") && i + 1 < argc)
            torch = argv[++i];
        else if (!strcmp(argv[i], "--python") && i + 1 < argc)
            python = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--steps N] [--torch ppo_torch.py] [--python python3]\n",
                    argv[0]);
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
    const size_t sizes[2] = {1000, 100};
    double ms[2][2] = {{NAN, NAN}, {NAN, NAN}};
    for (int i = 0; i < 2; i++)
        for (int p = 0; p < 1 + bf16; p++) {
            ms[i][p] = time_steps(sizes[i], p ? TK_NN_BF16 : TK_NN_FP32, i ? 5 * steps : steps);
            printf("teachkit PPO minibatch step, %4zu rows, %s: %7.3f ms\n", sizes[i],
                   p ? "bf16" : "fp32", ms[i][p]);
        }
    printf("acting (batch-1 forward and sample), fp32: %.1f us per act()\n", acting_us(200));
    for (int i = 0; torch && i < 2; i++) {
        char args[128];
        const int reps = i ? 5 * steps : steps;
        snprintf(args, sizeof args, "--batch %zu --steps %d", sizes[i], reps);
        const double t32 = bench_torch_ms(python, torch, args);
        snprintf(args, sizeof args, "--batch %zu --steps %d --autocast", sizes[i], reps);
        const double t16 = bench_torch_ms(python, torch, args);
        printf("minibatch %4zu: PyTorch fp32 %.3f ms, teachkit fp32 %.3f ms -> %.2fx\n", sizes[i],
               t32, ms[i][0], t32 / ms[i][0]);
        if (bf16)
            printf("minibatch %4zu: PyTorch bf16 autocast %.3f ms, teachkit bf16 %.3f ms -> "
                   "%.2fx\n",
                   sizes[i], t16, ms[i][1], t16 / ms[i][1]);
    }
    return 0;
}
