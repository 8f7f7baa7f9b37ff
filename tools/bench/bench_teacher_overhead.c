/*
 * bench_teacher_overhead: per-episode teacher overhead of TeachMyAgent's
 * teachers (adr, spdl, goal-gan, setter-solver) and of the level teachers
 * (plr, sfl; ABI 1.2 sample_level and update_scores) and of currot, next to
 * alp-gmm's, and the 5 % budget against one SAC episode at paper settings
 * (docs/studies/tma-teachers-toy.md, the teachers' pages in docs/teachers/).
 *
 * Teacher overhead = the time spent in the teacher's calls for one training
 * episode: sample + update, plus episode_start + step_update for teachers
 * with the "step-update" feature (spdl), periodic model fits and updates
 * included (amortised in the mean, visible in p99 and max).  The plugins
 * are dlopen()ed through tests/support's harness and driven like
 * core/host/runner.c does; only the teacher calls are timed.
 *
 *   toy:   the 2-D toy grid (10 cells, 20,000 episodes of one step), each
 *          teacher with the settings of examples/tma_teachers_study.json
 *          ("-ek" starts, so that ADR and SPDL do move; spdl updates every
 *          500 episodes with the episode_return values; goal-gan
 *          pre-trained at the origin cell; setter-solver with its
 *          defaults), success = return > 0.75 as the toy grid's.
 *   paper: the schedules of the paper runs on synthetic episodes of 2000
 *          steps (Stump Tracks max_ep_len): spdl with update_frequency
 *          50,000 and update_offset 200,000 steps (an update every 25
 *          episodes), value_source "student" with a stand-in value callback
 *          (the student's own V(s0) cost is measured apart, below); on the
 *          2-D Stump Tracks space and an 8-D Parkour-like space; adr with
 *          the benchmark's thresholds on raw returns; goal-gan and
 *          setter-solver with success = return > 230 (the test-set rule).
 *
 * SAC episode at paper settings (teachDeepRL teachDRL/spinup/algos/sac/sac.py;
 * FLOP count in docs/benchmarks.md, "The cost of a SAC gradient step"):
 * 2000 environment steps (act + observe, policy 400-300, obs 24, act 4)
 * and ceil(2000 / 10) = 200 gradient steps at batch 1000, measured through
 * the SAC plugin when it is built (start_steps 0 so that act runs the
 * policy; buffer_size 100,000 instead of 2,000,000 to spare memory, which
 * does not change a step's cost).  Without the plugin, or with
 * --no-sac, the cost is derived from the FLOP count of docs/benchmarks.md (4.1 GFLOP per
 * gradient step) and an SGEMM rate measured here on the layer shapes; both
 * are printed when both are available.
 *
 * One core: OpenBLAS is held to one thread (the program re-executes itself
 * with OPENBLAS_NUM_THREADS=1) and the process is pinned to its current
 * CPU unless --no-pin.  Each teacher run is repeated (--repeat, default 3)
 * and the repetition with the smallest mean is kept.
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "plugin_harness.h"
#include "teachkit/rng.h"

void openblas_set_num_threads(int num_threads);

#define MAX_ROWS 16
#define BUDGET_PCT 5.0
#define SAC_STEPS 2000
#define SAC_TRAIN_FREQ 10
#define PAPER_SAC_GFLOP_PER_GRAD_STEP 4.1 /* docs/benchmarks.md, batch 1000 */
#define TOY_MASTERY 0.75 /* the toy grid's success: competence above 75 % */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ------------------------------------------------------------ options */

typedef struct options {
    char build[PATH_MAX];
    int repeat, pin, sac, toy_episodes, paper_episodes;
} options;

static char g_wanted[256], g_found[PATH_MAX];

static int find_visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    if (flag == FTW_F && strcmp(path + ftw->base, g_wanted) == 0) {
        snprintf(g_found, sizeof g_found, "%s", path);
        return 1;
    }
    return 0;
}

/* BUILD/plugins/.../tkp_<id with '-' -> '_'>.so, or -1. */
static int plugin_path(const options *o, const char *id, char *out, size_t size)
{
    snprintf(g_wanted, sizeof g_wanted, "tkp_%s.so", id);
    for (char *c = g_wanted; *c; c++)
        if (*c == '-')
            *c = '_';
    char dir[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/plugins", o->build);
    g_found[0] = '\0';
    if (nftw(dir, find_visit, 16, FTW_PHYS) != 1)
        return -1;
    snprintf(out, size, "%s", g_found);
    return 0;
}

static void default_build_dir(options *o)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    snprintf(o->build, sizeof o->build, ".");
    if (len <= 0)
        return;
    exe[len] = '\0';
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash)
            return;
        *slash = '\0';
    }
    snprintf(o->build, sizeof o->build, "%s", exe[0] ? exe : "/");
}

static int parse_args(int argc, char **argv, options *o)
{
    default_build_dir(o);
    o->repeat = 3;
    o->pin = 1;
    o->sac = 1;
    o->toy_episodes = 20000;
    o->paper_episodes = 500;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-pin") == 0)
            o->pin = 0;
        else if (strcmp(a, "--no-sac") == 0)
            o->sac = 0;
        else if (strcmp(a, "--build") == 0 && v)
            snprintf(o->build, sizeof o->build, "%s", argv[++i]);
        else if (strcmp(a, "--repeat") == 0 && v)
            o->repeat = atoi(argv[++i]);
        else if (strcmp(a, "--toy-episodes") == 0 && v)
            o->toy_episodes = atoi(argv[++i]);
        else if (strcmp(a, "--paper-episodes") == 0 && v)
            o->paper_episodes = atoi(argv[++i]);
        else {
            fprintf(stderr,
                    "usage: %s [--build DIR] [--repeat N] [--toy-episodes N] "
                    "[--paper-episodes N] [--no-sac] [--no-pin]\n"
                    "Per-episode teacher overhead (us) of adr, spdl, goal-gan, setter-solver\n"
                    "and alp-gmm, and the "
                    "5 %% budget against one SAC episode at paper settings.\n",
                    argv[0]);
            return -1;
        }
    }
    if (o->repeat < 1 || o->toy_episodes < 100 || o->paper_episodes < 30) {
        fprintf(stderr, "bench_teacher_overhead: bad --repeat or episode count\n");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------- teacher runs */

typedef struct row {
    const char *label;       /* shown in the table */
    const char *teacher;     /* plugin id */
    const char *config;      /* full JSON config */
    const char *scenario;    /* "toy" or "paper" */
    size_t dims;             /* paper scenario: task dimensions */
    int ok;
    double mean_us, p50_us, p99_us, max_us;
    uint64_t episodes;
} row;

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void summarise(row *r, double *t, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += t[i];
    qsort(t, n, sizeof *t, cmp_double);
    const double mean = 1e6 * sum / (double)n;
    if (!r->ok || mean < r->mean_us) {
        r->ok = 1;
        r->mean_us = mean;
        r->p50_us = 1e6 * t[n / 2];
        r->p99_us = 1e6 * t[(size_t)(0.99 * (double)(n - 1))];
        r->max_us = 1e6 * t[n - 1];
        r->episodes = n;
    }
}

static tk_status create_teacher(tk_harness *h, const char *label, const tk_task_space *space,
                                const char *overrides, void **self)
{
    const tk_teacher_vtable *vt = tk_harness_teacher(h);
    /* Rows list only what they change, merged over the defaults as the host
     * does. */
    char *config = tk_harness_merged_config(h->desc, overrides);
    tk_status st = vt && config ? vt->create(&h->host, &h->ctx, space, config, self)
                                : TK_ERR_INVALID;
    if (st != TK_OK)
        fprintf(stderr, "bench_teacher_overhead: %s: create failed: %s: %s\n", label,
                h->ctx.err_path, config ? h->ctx.err_message : "bad config JSON");
    free(config);
    return st;
}

static int open_teacher(tk_harness *h, const char *so, const char *id, uint64_t seed,
                        const tk_task_space *space, const char *config, void **self)
{
    if (tk_harness_open(h, so, id, seed))
        return -1;
    if (create_teacher(h, id, space, config, self) != TK_OK) {
        tk_harness_close(h);
        return -1;
    }
    return 0;
}

static int has_feature(const tk_descriptor *d, const char *f)
{
    for (const char *const *p = d->features; p && *p; p++)
        if (strcmp(*p, f) == 0)
            return 1;
    return 0;
}

/* The toy grid: one step per episode; env calls untimed. */
static int run_toy(const options *o, const char *env_so, const char *teacher_so, row *r,
                   int rep)
{
    tk_harness eh, th;
    void *env = NULL, *self = NULL;
    if (tk_harness_open(&eh, env_so, "toy-grid", 1000 + (uint64_t)rep))
        return -1;
    const tk_env_vtable *ev = tk_harness_env(&eh);
    tk_env_info info = {.struct_size = sizeof info};
    if (ev->create(&eh.host, &eh.ctx, "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 0}",
                   &env) != TK_OK ||
        ev->info(env, &info) != TK_OK ||
        open_teacher(&th, teacher_so, r->teacher, 1 + (uint64_t)rep, &info.task_space, r->config,
                     &self)) {
        tk_harness_close(&eh);
        return -1;
    }
    const tk_teacher_vtable *vt = tk_harness_teacher(&th);
    const int steps = has_feature(th.desc, "step-update");
    const size_t n = (size_t)o->toy_episodes;
    double *t = malloc(n * sizeof *t);
    int rc = t ? 0 : -1;
    float task[64];
    for (size_t e = 0; rc == 0 && e < n; e++) {
        double reward = 0.0, t0, spent;
        int done = 0;
        t0 = now_s();
        if (vt->sample_level) { /* ABI 1.2 level teachers (plr, sfl) */
            tk_level level = {.struct_size = sizeof level};
            rc |= vt->sample_level(self, task, &level) != TK_OK;
        } else {
            rc |= vt->sample(self, task) != TK_OK;
        }
        spent = now_s() - t0;
        rc |= ev->set_task(env, task) != TK_OK || ev->reset(env, NULL) != TK_OK;
        if (steps) {
            t0 = now_s();
            rc |= vt->episode_start(self, task, NULL) != TK_OK;
            spent += now_s() - t0;
        }
        rc |= ev->step(env, NULL, NULL, &reward, &done) != TK_OK;
        t0 = now_s();
        if (steps)
            rc |= vt->step_update(self, NULL, NULL, reward, NULL, done) != TK_OK;
        rc |= vt->update(self, task, reward, reward > TOY_MASTERY) != TK_OK;
        if (vt->update_scores) { /* the toy grid's own score, untimed, as the host asks it */
            spent += now_s() - t0;
            tk_episode_scores sc = {.struct_size = sizeof sc};
            rc |= ev->episode_scores(env, &sc) != TK_OK;
            t0 = now_s();
            rc |= vt->update_scores(self, task, &sc) != TK_OK;
        }
        t[e] = spent + now_s() - t0;
    }
    if (rc == 0)
        summarise(r, t, n);
    else
        fprintf(stderr, "bench_teacher_overhead: %s failed on the toy grid: %s\n", r->label,
                th.ctx.err_message);
    free(t);
    vt->destroy(self);
    ev->destroy(env);
    tk_harness_close(&th);
    tk_harness_close(&eh);
    return rc;
}

static tk_status standin_value(tk_ctx *ctx, const float *obs, size_t n, float *out)
{
    (void)ctx, (void)obs;
    for (size_t i = 0; i < n; i++)
        out[i] = 100.0f;
    return TK_OK;
}

/* Synthetic 2000-step episodes on a d-dimensional space [0, 1]^d; the
 * teacher is timed, the fake environment costs nothing. */
static int run_paper(const options *o, const char *teacher_so, row *r, int rep)
{
    tk_dim dims[16];
    static const char *const names[16] = {"d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7",
                                          "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15"};
    for (size_t i = 0; i < r->dims; i++)
        dims[i] = (tk_dim){names[i], 0.0, 1.0};
    const tk_task_space space = {r->dims, dims};
    tk_harness th;
    void *self = NULL;
    if (tk_harness_open(&th, teacher_so, r->teacher, 7 + (uint64_t)rep))
        return -1;
    th.host.student_value = standin_value;
    const tk_teacher_vtable *vt = tk_harness_teacher(&th);
    if (create_teacher(&th, r->label, &space, r->config, &self) != TK_OK) {
        tk_harness_close(&th);
        return -1;
    }
    const int steps = has_feature(th.desc, "step-update");
    const size_t n = (size_t)o->paper_episodes;
    double *t = malloc(n * sizeof *t);
    float task[16], obs[24] = {0};
    int rc = t ? 0 : -1;
    tk_rng env_rng;
    tk_rng_seed(&env_rng, 99 + (uint64_t)rep);
    for (size_t e = 0; rc == 0 && e < n; e++) {
        double t0 = now_s();
        rc |= vt->sample(self, task) != TK_OK;
        if (steps) {
            rc |= vt->episode_start(self, task, obs) != TK_OK;
            for (int k = 0; rc == 0 && k < SAC_STEPS; k++)
                rc |= vt->step_update(self, obs, obs, 0.1, obs, k == SAC_STEPS - 1) != TK_OK;
        }
        /* A raw return in Stump Tracks' range [-150, 350] that grows with
         * the task's distance to the origin being small. */
        double ret = 300.0 - 400.0 * task[0] + 50.0 * tk_rng_normal(&env_rng);
        rc |= vt->update(self, task, ret, ret > 230.0) != TK_OK;
        t[e] = now_s() - t0;
    }
    if (rc == 0)
        summarise(r, t, n);
    else
        fprintf(stderr, "bench_teacher_overhead: %s failed: %s\n", r->label,
                th.ctx.err_message);
    free(t);
    vt->destroy(self);
    tk_harness_close(&th);
    return rc;
}

/* ----------------------------------------------------------------- SAC */

typedef struct sac_cost {
    int measured;
    double act_observe_s;   /* 2000 x (act + observe) */
    double gradient_s;      /* end_episode: 200 gradient steps */
    double value1_us;       /* value() of one observation (SPDL's V(s0)) */
    double sgemm_gflops;    /* measured SGEMM rate on the layer shapes */
    double flop_estimate_s; /* FLOP count / SGEMM rate, gradient steps only */
} sac_cost;

/* SGEMM rate on the 400-300 layer products of a batch of 1000: forward
 * (1000x24 * 24x400, 1000x400 * 400x300), and the two backward products
 * of the 300-wide layer.  Single-threaded. */
static double sgemm_rate(void)
{
    const int B = 1000, shapes[4][3] = {{B, 400, 24}, {B, 300, 400}, {400, 300, B}, {B, 400, 300}};
    float *a = malloc(sizeof(float) * 400 * 1000), *b = malloc(sizeof(float) * 400 * 1000);
    float *c = malloc(sizeof(float) * 400 * 1000);
    if (!a || !b || !c) {
        free(a), free(b), free(c);
        return NAN;
    }
    for (int i = 0; i < 400 * 1000; i++)
        a[i] = b[i] = 0.001f * (float)(i % 997);
    double flops = 0.0, best = INFINITY;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now_s();
        flops = 0.0;
        for (int k = 0; k < 20; k++)
            for (int s = 0; s < 4; s++) {
                const int m = shapes[s][0], n = shapes[s][1], kk = shapes[s][2];
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, kk, 1.0f, a, kk, b,
                            n, 0.0f, c, n);
                flops += 2.0 * m * n * kk;
            }
        const double dt = now_s() - t0;
        best = dt < best ? dt : best;
    }
    free(a), free(b), free(c);
    return flops / best / 1e9;
}

static int run_sac(const char *sac_so, sac_cost *out)
{
    tk_harness h;
    if (tk_harness_open(&h, sac_so, "sac", 5))
        return -1;
    const tk_student_vtable *sv = tk_harness_student(&h);
    float lo[24], hi[24], alo[4], ahi[4];
    for (int i = 0; i < 24; i++)
        lo[i] = -INFINITY, hi[i] = INFINITY;
    for (int i = 0; i < 4; i++)
        alo[i] = -1.0f, ahi[i] = 1.0f;
    const tk_student_spec spec = {24, 4, lo, hi, alo, ahi, SAC_STEPS, sizeof(tk_student_spec)};
    /* The paper configuration (teachDeepRL sac.py) but start_steps and
     * buffer_size. */
    const char *config =
        "{\"hidden_sizes\": [400, 300], \"activation\": \"relu\", \"leaky_slope\": 0.01, "
        "\"lr\": 0.001, \"adam_beta1\": 0.9, \"adam_beta2\": 0.999, \"adam_eps\": 1e-08, "
        "\"alpha\": 0.005, \"gamma\": 0.99, \"polyak\": 0.995, \"batch_size\": 1000, "
        "\"buffer_size\": 100000, \"start_steps\": 0, \"train_freq\": 10, "
        "\"log_std_min\": -20.0, \"log_std_max\": 2.0, \"deterministic_eval\": true}";
    void *self = NULL;
    if (!sv || sv->create(&h.host, &h.ctx, &spec, config, &self) != TK_OK) {
        fprintf(stderr, "bench_teacher_overhead: sac: create failed: %s: %s\n", h.ctx.err_path,
                h.ctx.err_message);
        tk_harness_close(&h);
        return -1;
    }
    tk_rng rng;
    tk_rng_seed(&rng, 3);
    float obs[24], next[24], act[4];
    for (int i = 0; i < 24; i++)
        obs[i] = (float)tk_rng_normal(&rng);
    int rc = 0;
    double ret = 0.0, t0 = now_s();
    for (int k = 0; rc == 0 && k < SAC_STEPS; k++) {
        rc |= sv->act(self, obs, 0, act) != TK_OK;
        for (int i = 0; i < 24; i++)
            next[i] = obs[i] + 0.01f * (float)tk_rng_normal(&rng);
        const double r = 0.1 * act[0];
        ret += r;
        rc |= sv->observe(self, obs, act, r, next, 0, k == SAC_STEPS - 1) != TK_OK;
        memcpy(obs, next, sizeof obs);
    }
    out->act_observe_s = now_s() - t0;
    t0 = now_s();
    rc |= sv->end_episode(self, ret, SAC_STEPS) != TK_OK;
    out->gradient_s = now_s() - t0;
    float v = 0.0f;
    t0 = now_s();
    for (int k = 0; rc == 0 && k < 1000; k++)
        rc |= sv->value(self, obs, 1, &v) != TK_OK;
    out->value1_us = 1e3 * (now_s() - t0);
    out->measured = rc == 0;
    if (rc)
        fprintf(stderr, "bench_teacher_overhead: sac episode failed: %s\n", h.ctx.err_message);
    sv->destroy(self);
    tk_harness_close(&h);
    return rc;
}

/* ---------------------------------------------------------------- main */

static void single_thread_blas(char **argv)
{
    const char *v = getenv("OPENBLAS_NUM_THREADS");
    if (!v || strcmp(v, "1") != 0) {
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        setenv("OMP_NUM_THREADS", "1", 1);
        execv("/proc/self/exe", argv);
    }
    openblas_set_num_threads(1);
}

static int pin_cpu(const options *o)
{
    if (!o->pin)
        return -1;
    const int cpu = sched_getcpu();
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? cpu : -1;
}

#define TOY_ADR "{\"max_reward_thr\": 0.75, \"min_reward_thr\": 0.0, \"step_size\": 0.05, " \
                "\"boundary_sampling_p\": 0.7, \"queue_len\": 10, \"compat\": \"none\", "   \
                "\"initial_dist\": {\"mean\": [0.0, 0.0]}}"
#define SPDL_REST                                                                           \
    "\"alpha_offset\": 10, \"zeta\": 0.25, \"max_kl\": 0.1, \"std_lower_bound\": null, "    \
    "\"kl_threshold\": null, \"use_avg_performance\": true, "                               \
    "\"max_context_buffer_size\": 1000, \"reset_contexts\": true, "                         \
    "\"discount_factor\": 0.99, \"target_dist\": null, \"cg_iterations\": 10, "             \
    "\"cg_damping\": 0.01, \"cg_residual_tol\": 1e-10, \"line_search_iterations\": 10, "    \
    "\"compat\": \"none\""
#define TOY_SPDL "{\"update_offset\": 1000, \"update_frequency\": 500, "                     \
                 "\"value_source\": \"episode_return\", \"initial_dist\": "                  \
                 "{\"mean\": [0.05, 0.05], \"std\": [0.05, 0.05]}, " SPDL_REST "}"
#define PAPER_SPDL "{\"update_offset\": 200000, \"update_frequency\": 50000, "               \
                   "\"value_source\": \"student\", \"initial_dist\": null, " SPDL_REST "}"
/* GoalGAN with the benchmark's noise and replay (TeachMyAgent); on the toy
 * grid pre-trained at the origin cell as the study's goal-gan-ek group. */
#define TOY_GOAL_GAN "{\"success\": \"env\", \"state_noise_level\": 0.1, \"p_old\": 0.1, " \
                     "\"use_pretrained_samples\": true, \"initial_dist\": "                    \
                     "{\"mean\": [0.05, 0.05], \"std\": [0.05, 0.05]}}"
#define PAPER_GOAL_GAN "{\"success\": \"env\", \"state_noise_level\": 0.1, \"p_old\": 0.1}"
#define SETTER_SOLVER "{\"success\": \"env\"}"
/* Level teachers (ABI 1.2) on the toy grid: plr ranks by the grid's own
 * score; sfl with the scaled-down schedule of examples/pendulum_sfl_ppo.json
 * (its evaluation episodes are no-learn for a student, not for the grid). */
#define TOY_PLR "{\"score\": \"env\", \"buffer_size\": 100}"
#define TOY_SFL "{\"num_candidates\": 50, \"episodes_per_candidate\": 2, " \
                "\"buffer_size\": 10, \"refresh_every\": 100}"
/* currot with the defaults of its authors' TeachMyAgent wrapper
 * (docs/teachers/currot.md): 500 particles, an update every 50 episodes. */
#define CURROT "{\"n_samples\": 500, \"episodes_per_update\": 50, \"epsilon\": null, " \
               "\"delta\": 0.5, \"wait_until_threshold\": false, \"initial_dist\": null, "   \
               "\"target_dist\": null}"
#define ALP_GMM "{\"fit_rate\": 250, \"nb_bootstrap\": null, \"k_min\": 2, \"k_max\": 10, "   \
                "\"random_task_ratio\": 0.2, \"gmm_fitness_fun\": \"aic\", \"nb_em_init\": 1, " \
                "\"warm_start\": false, \"alp_max_size\": null, \"alp_buffer_size\": 500, "  \
                "\"reg_covar\": 1e-6, \"tol\": 1e-3, \"max_iter\": 100}"
#define PAPER_ADR "{\"max_reward_thr\": 180.0, \"min_reward_thr\": 0.0, \"step_size\": 0.1, " \
                  "\"boundary_sampling_p\": 0.7, \"queue_len\": 10, \"compat\": \"none\", "  \
                  "\"initial_dist\": null}"

int main(int argc, char **argv)
{
    options o;
    memset(&o, 0, sizeof o);
    if (parse_args(argc, argv, &o))
        return 2;
    single_thread_blas(argv);
    const int cpu = pin_cpu(&o);
    printf("bench_teacher_overhead: build %s, OPENBLAS_NUM_THREADS=%s, %s\n", o.build,
           getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "(unset)",
           cpu >= 0 ? "pinned to one CPU" : "not pinned");

    row rows[MAX_ROWS] = {
        {"alp-gmm", "alp-gmm", ALP_GMM, "toy", 2, 0, 0, 0, 0, 0, 0},
        {"adr", "adr", TOY_ADR, "toy", 2, 0, 0, 0, 0, 0, 0},
        {"spdl", "spdl", TOY_SPDL, "toy", 2, 0, 0, 0, 0, 0, 0},
        {"alp-gmm", "alp-gmm", ALP_GMM, "paper", 2, 0, 0, 0, 0, 0, 0},
        {"adr", "adr", PAPER_ADR, "paper", 2, 0, 0, 0, 0, 0, 0},
        {"spdl", "spdl", PAPER_SPDL, "paper", 2, 0, 0, 0, 0, 0, 0},
        {"spdl (8-D)", "spdl", PAPER_SPDL, "paper", 8, 0, 0, 0, 0, 0, 0},
        {"goal-gan", "goal-gan", TOY_GOAL_GAN, "toy", 2, 0, 0, 0, 0, 0, 0},
        {"setter-solver", "setter-solver", SETTER_SOLVER, "toy", 2, 0, 0, 0, 0, 0, 0},
        {"goal-gan", "goal-gan", PAPER_GOAL_GAN, "paper", 2, 0, 0, 0, 0, 0, 0},
        {"setter-solver", "setter-solver", SETTER_SOLVER, "paper", 2, 0, 0, 0, 0, 0, 0},
        {"plr", "plr", TOY_PLR, "toy", 2, 0, 0, 0, 0, 0, 0},
        {"sfl", "sfl", TOY_SFL, "toy", 2, 0, 0, 0, 0, 0, 0},
        {"currot", "currot", CURROT, "toy", 2, 0, 0, 0, 0, 0, 0},
        {"currot", "currot", CURROT, "paper", 2, 0, 0, 0, 0, 0, 0},
    };
    const size_t n_rows = 15;
    char env_so[PATH_MAX], so[PATH_MAX], sac_so[PATH_MAX];
    if (plugin_path(&o, "toy-grid", env_so, sizeof env_so)) {
        fprintf(stderr, "bench_teacher_overhead: no tkp_toy_grid.so under %s/plugins\n", o.build);
        return 1;
    }
    int failed = 0;
    for (size_t i = 0; i < n_rows; i++) {
        row *r = &rows[i];
        if (plugin_path(&o, r->teacher, so, sizeof so)) {
            fprintf(stderr, "bench_teacher_overhead: no plugin for %s under %s/plugins\n",
                    r->teacher, o.build);
            failed = 1;
            continue;
        }
        for (int rep = 0; rep < o.repeat; rep++)
            if (strcmp(r->scenario, "toy") == 0 ? run_toy(&o, env_so, so, r, rep)
                                                : run_paper(&o, so, r, rep))
                failed = 1;
    }

    sac_cost sac = {0};
    sac.sgemm_gflops = sgemm_rate();
    const double grad_steps = ceil((double)SAC_STEPS / SAC_TRAIN_FREQ);
    sac.flop_estimate_s = grad_steps * PAPER_SAC_GFLOP_PER_GRAD_STEP / sac.sgemm_gflops;
    if (o.sac && plugin_path(&o, "sac", sac_so, sizeof sac_so) == 0) {
        printf("timing one SAC episode at paper settings (about half a minute)...\n");
        fflush(stdout);
        run_sac(sac_so, &sac);
    }
    double episode_s;
    const char *source;
    if (sac.measured) {
        episode_s = sac.act_observe_s + sac.gradient_s;
        source = "measured through the sac plugin";
    } else {
        episode_s = sac.flop_estimate_s;
        source = "estimated: FLOP count / measured SGEMM rate (gradient steps only)";
    }

    printf("\nSAC episode at paper settings (2000 steps, %.0f gradient steps, 400-300, batch "
           "1000, obs 24, act 4):\n", grad_steps);
    if (sac.measured)
        printf("  measured: %.2f s = %.3f s act+observe + %.2f s gradient steps (%.0f ms each);"
               " V(s0) of one observation %.1f us\n",
               episode_s, sac.act_observe_s, sac.gradient_s, 1e3 * sac.gradient_s / grad_steps,
               sac.value1_us);
    printf("  FLOP estimate: %.0f x %.1f GFLOP / %.1f GFLOP/s (SGEMM, 1 thread) = %.2f s\n",
           grad_steps, PAPER_SAC_GFLOP_PER_GRAD_STEP, sac.sgemm_gflops, sac.flop_estimate_s);
    printf("  budget: %.0f %% of %.2f s (%s) = %.0f us per episode\n\n", BUDGET_PCT, episode_s,
           source, 1e6 * episode_s * BUDGET_PCT / 100.0);

    printf("| scenario | teacher | dims | episodes | mean us/episode | p50 | p99 | max | "
           "%% of SAC episode | within 5 %% |\n|---|---|---|---|---|---|---|---|---|---|\n");
    int over = 0;
    for (size_t i = 0; i < n_rows; i++) {
        const row *r = &rows[i];
        if (!r->ok) {
            printf("| %s | %s | %zu | - | failed | | | | | |\n", r->scenario, r->label, r->dims);
            continue;
        }
        const double pct = 100.0 * r->mean_us * 1e-6 / episode_s;
        over |= pct > BUDGET_PCT;
        printf("| %s | %s | %zu | %llu | %.2f | %.2f | %.2f | %.1f | %.1e | %s |\n", r->scenario,
               r->label, r->dims, (unsigned long long)r->episodes, r->mean_us, r->p50_us,
               r->p99_us, r->max_us, pct, pct <= BUDGET_PCT ? "yes" : "NO");
    }
    if (sac.measured)
        printf("\nspdl with value_source \"student\" also makes the student evaluate V(s0) once "
               "per episode: %.1f us with the paper's V network (%.1e %% of the episode).\n",
               sac.value1_us, 100.0 * sac.value1_us * 1e-6 / episode_s);
    printf("\n%s\n", failed ? "SOME RUNS FAILED"
                     : over ? "FAIL: a teacher exceeds 5 % of a SAC episode"
                            : "PASS: every teacher's overhead is below 5 % of a SAC episode");
    return failed || over ? 1 : 0;
}
