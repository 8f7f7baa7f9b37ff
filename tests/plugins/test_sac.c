/*
 * Tests of the sac student through its ABI (SpinningUp 0.1.1 SAC as in
 * teachDeepRL teachDRL/spinup/algos/sac/sac.py).
 * argv[1] = the plugin.  The pendulum env plugin (for the learning test) is
 * looked up next to it in the build tree (../../envs/pendulum/), or given by
 * the environment variable TK_PENDULUM_PLUGIN; without it that test is
 * skipped with a message.
 *
 *   descriptor      ids, version, features, every default key
 *   config          range errors name the key path
 *   gradients       the SAC losses against central finite differences of
 *                   the plugin's own float32 losses (debug extension), for
 *                   pi (L_pi), q1, q2 and v (L_q1 + L_q2 + L_v, targets
 *                   frozen as the stop-gradients of the original)
 *   targets         y_q = r + gamma (1 - d) V_targ(s')
 *   acting          random start steps in the box, deterministic actions
 *                   consume no randomness, value() in chunks
 *   checkpoint      save -> load into a fresh instance: identical actions
 *                   and identical training afterwards; bad strings refused
 *                   without touching the instance
 *   learning        a 1-step tracking task (a = x) is learnt; pendulum is
 *                   solved (mean evaluation return above the threshold)
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/students/sac/sac_ext.h"
#include "check_main.h"
#include "plugin_fixtures.h"
#include "student_tasks.h"
#include "teachkit/rng.h"

static const char *g_plugin;

/* ------------------------------------------------------------------ helpers */

/* A student for the tracking task's spec (student_tasks.h). */
static void fx_open(tk_student_fx *fx, uint64_t seed, const char *overrides)
{
    tk_track_student_open(fx, g_plugin, "sac", seed, overrides);
}

static const tk_sac_debug_ext *ext(const tk_student_fx *fx)
{
    const tk_sac_debug_ext *e = fx->vt->get_extension(fx->s, TK_SAC_EXT_DEBUG);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_ge(e->struct_size, sizeof *e);
    return e;
}

/* ---------------------------------------------------------------- descriptor */

START_TEST(test_descriptor)
{
    tk_harness h;
    ck_assert_int_eq(tk_harness_open(&h, g_plugin, "sac", 1), 0);
    const tk_descriptor *d = h.desc;
    tk_check_descriptor_identity(d, TK_KIND_STUDENT, "sac", "1.0.0");
    ck_assert_ptr_nonnull(d->description);
    ck_assert_ptr_null(strchr(d->description, '\n'));
    ck_assert_ptr_nonnull(d->features);
    /* value() for SPDL; save() may come inside an episode (a stop at the
     * next step, docs/plugin-abi.md "Stopping inside an episode"). */
    ck_assert_str_eq(d->features[0], TK_FEATURE_VALUE);
    ck_assert_str_eq(d->features[1], TK_FEATURE_CHECKPOINT_WITHIN_EPISODE);
    ck_assert_ptr_null(d->features[2]);
    json_t *cfg = json_loads(d->default_config, 0, NULL);
    ck_assert_ptr_nonnull(cfg);
    const char *keys[] = {"hidden_sizes", "activation",  "leaky_slope",  "lr",
                          "adam_beta1",   "adam_beta2",  "adam_eps",     "alpha",
                          "gamma",        "polyak",      "batch_size",   "buffer_size",
                          "start_steps",  "train_freq",  "log_std_min",  "log_std_max",
                          "deterministic_eval", "precision"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        ck_assert_msg(json_object_get(cfg, keys[i]) != NULL, "default config lacks %s", keys[i]);
    ck_assert_uint_eq(json_object_size(cfg), sizeof keys / sizeof *keys);
    /* The paper's values (teachDeepRL sac.py's defaults as run.py sets them). */
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(cfg, "hidden_sizes"), 0)),
                     400);
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(cfg, "hidden_sizes"), 1)),
                     300);
    ck_assert_int_eq(json_integer_value(json_object_get(cfg, "batch_size")), 1000);
    ck_assert_str_eq(json_string_value(json_object_get(cfg, "precision")), "fp32");
    ck_assert_int_eq(json_integer_value(json_object_get(cfg, "buffer_size")), 2000000);
    ck_assert_int_eq(json_integer_value(json_object_get(cfg, "start_steps")), 10000);
    ck_assert_int_eq(json_integer_value(json_object_get(cfg, "train_freq")), 10);
    ck_assert_double_eq(json_real_value(json_object_get(cfg, "alpha")), 0.005);
    ck_assert_double_eq(json_real_value(json_object_get(cfg, "lr")), 0.001);
    ck_assert_double_eq(json_real_value(json_object_get(cfg, "polyak")), 0.995);
    ck_assert_double_eq(json_real_value(json_object_get(cfg, "gamma")), 0.99);
    json_decref(cfg);
    const tk_student_vtable *vt = tk_harness_student(&h);
    ck_assert_uint_eq(vt->struct_size, sizeof(tk_student_vtable));
    ck_assert_ptr_nonnull(vt->value);
    ck_assert_ptr_nonnull(vt->save);
    ck_assert_ptr_nonnull(vt->load);
    /* The paper's configuration at BipedalWalker sizes creates. */
    const tk_student_spec spec = {24, 4, NULL, NULL, NULL, NULL, 2000, sizeof(tk_student_spec)};
    void *s = NULL;
    ck_assert_int_eq(vt->create(&h.host, &h.ctx, &spec, d->default_config, &s), TK_OK);
    vt->destroy(s);
    tk_harness_close(&h);
}
END_TEST

static void expect_config_error(const char *overrides, const char *path)
{
    tk_track_student_config_error(g_plugin, "sac", overrides, path);
}

START_TEST(test_config_errors)
{
    expect_config_error("{\"hidden_sizes\": [64, 0]}", "hidden_sizes[1]");
    expect_config_error("{\"hidden_sizes\": [64, 1.5]}", "hidden_sizes[1]");
    expect_config_error("{\"hidden_sizes\": [1,1,1,1,1,1,1,1,1]}", "hidden_sizes");
    expect_config_error("{\"hidden_sizes\": []}", "hidden_sizes");
    expect_config_error("{\"activation\": \"sigmoid\"}", "activation");
    expect_config_error("{\"lr\": 0.0}", "lr");
    expect_config_error("{\"gamma\": 1.5}", "gamma");
    expect_config_error("{\"polyak\": -0.1}", "polyak");
    expect_config_error("{\"batch_size\": 0}", "batch_size");
    expect_config_error("{\"buffer_size\": 0}", "buffer_size");
    expect_config_error("{\"train_freq\": 0}", "train_freq");
    expect_config_error("{\"start_steps\": -1}", "start_steps");
    expect_config_error("{\"log_std_max\": -30.0}", "log_std_max");
    /* No actions: refused with an explanation. */
    tk_student_fx fx;
    const tk_student_spec none = {2, 0, NULL, NULL, NULL, NULL, 10, sizeof(tk_student_spec)};
    ck_assert_int_eq(tk_student_fx_open_merged(&fx, g_plugin, "sac", 1, &none, NULL),
                     TK_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(fx.h.ctx.err_message, "act_dim 0"));
    fx.s = NULL;
    tk_student_fx_close(&fx);
}
END_TEST

/* --------------------------------------------------------------- gradients */

#define GB 8 /* gradient-check batch */

typedef struct gc_batch {
    float obs[GB * 2], act[GB], rew[GB], next[GB * 2], done[GB], noise[GB], targets[2 * GB];
} gc_batch;

static void gc_make(gc_batch *b, uint64_t seed)
{
    tk_rng r;
    tk_rng_seed(&r, seed);
    for (int i = 0; i < GB * 2; i++) {
        b->obs[i] = (float)tk_rng_range(&r, -1, 1);
        b->next[i] = (float)tk_rng_range(&r, -1, 1);
    }
    for (int i = 0; i < GB; i++) {
        b->act[i] = (float)tk_rng_range(&r, -0.9, 0.9);
        b->rew[i] = (float)tk_rng_range(&r, -1, 1);
        b->done[i] = i % 3 == 0;
        b->noise[i] = (float)tk_rng_normal(&r);
    }
}

static double gc_loss(const tk_student_fx *fx, const gc_batch *b, int which)
{
    double L[4];
    ck_assert_int_eq(ext(fx)->compute(fx->s, GB, b->obs, b->act, b->rew, b->next, b->done,
                                      b->noise, b->targets, NULL, L, 0),
                     TK_OK);
    return which == TK_SAC_PI ? L[0] : L[1] + L[2] + L[3];
}

/* Central differences (step h) of the loss that drives network `which`
 * against the analytic gradient: returns the relative error of the whole
 * gradient vector, ||fd - g|| / ||g||, and counts entries off by more than
 * 5 % of the largest entry's magnitude. */
static double gc_network(tk_student_fx *fx, const gc_batch *b, int which, double h, int *bad_out)
{
    float *p, *g;
    size_t n;
    ck_assert_int_eq(ext(fx)->tensor(fx->s, which, &p, &g, &n), TK_OK);
    double L[4];
    ck_assert_int_eq(ext(fx)->compute(fx->s, GB, b->obs, b->act, b->rew, b->next, b->done,
                                      b->noise, b->targets, NULL, L, 1),
                     TK_OK);
    float *ga = malloc(n * sizeof *ga);
    memcpy(ga, g, n * sizeof *ga);
    double gmax = 0.0, num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++)
        gmax = fmax(gmax, fabs(ga[i]));
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const float save = p[i];
        p[i] = save + (float)h;
        const double lp = gc_loss(fx, b, which);
        p[i] = save - (float)h;
        const double lm = gc_loss(fx, b, which);
        p[i] = save;
        const double fd = (lp - lm) / (2.0 * h);
        num += (fd - ga[i]) * (fd - ga[i]);
        den += (double)ga[i] * ga[i];
        bad += fabs(fd - ga[i]) > 0.05 * gmax;
    }
    ck_assert_msg(gmax > 1e-6, "network %d has no gradient", which);
    free(ga);
    *bad_out = bad;
    return sqrt(num / den);
}

static void gradient_check(const char *activation, double h, double tol, int max_bad)
{
    char cfg[256];
    snprintf(cfg, sizeof cfg,
             "{\"hidden_sizes\": [16, 12], \"activation\": \"%s\", \"batch_size\": %d, "
             "\"alpha\": 0.2, \"log_std_min\": -5.0}",
             activation, GB);
    tk_student_fx fx;
    fx_open(&fx, 3, cfg);
    gc_batch b;
    gc_make(&b, 5);
    /* Freeze the targets at the current parameters (stop-gradients). */
    double L[4];
    ck_assert_int_eq(ext(&fx)->compute(fx.s, GB, b.obs, b.act, b.rew, b.next, b.done, b.noise,
                                       NULL, b.targets, L, 0),
                     TK_OK);
    const char *names[] = {"pi", "q1", "q2", "v"};
    for (int w = TK_SAC_PI; w <= TK_SAC_V; w++) {
        int bad = 0;
        const double err = gc_network(&fx, &b, w, h, &bad);
        if (getenv("TK_GC_VERBOSE"))
            fprintf(stderr, "%s (%s): relative gradient error %.3g, %d entries off\n", names[w],
                    activation, err, bad);
        ck_assert_msg(err < tol && bad <= max_bad,
                      "%s (%s): relative gradient error %.3g, %d entries off", names[w],
                      activation, err, bad);
    }
    tk_student_fx_close(&fx);
}

START_TEST(test_gradients_tanh)
{
    gradient_check("tanh", 3e-3, 1e-3, 0);
}
END_TEST

START_TEST(test_gradients_relu)
{
    /* ReLU kinks inside the +-h interval of some samples: looser, still
     * far below what a wrong gradient gives. */
    gradient_check("relu", 3e-4, 2e-2, 1);
}
END_TEST

START_TEST(test_targets_and_value)
{
    tk_student_fx fx;
    fx_open(&fx, 4, "{\"hidden_sizes\": [16, 12], \"batch_size\": 8, \"gamma\": 0.9}");
    gc_batch b;
    gc_make(&b, 6);
    double L[4];
    float y[2 * GB], v[GB];
    ck_assert_int_eq(ext(&fx)->compute(fx.s, GB, b.obs, b.act, b.rew, b.next, b.done, b.noise,
                                       NULL, y, L, 0),
                     TK_OK);
    /* A fresh instance has V_targ = V. */
    ck_assert_int_eq(fx.vt->value(fx.s, b.next, GB, v), TK_OK);
    for (int i = 0; i < GB; i++)
        ck_assert_float_eq_tol(y[i], b.rew[i] + 0.9f * (1.0f - b.done[i]) * v[i], 1e-6f);
    /* L_v = mean((y_v - V(s))^2) / 2. */
    ck_assert_int_eq(fx.vt->value(fx.s, b.obs, GB, v), TK_OK);
    double lv = 0.0;
    for (int i = 0; i < GB; i++)
        lv += 0.5 * ((double)y[GB + i] - v[i]) * ((double)y[GB + i] - v[i]) / GB;
    ck_assert_double_eq_tol(L[3], lv, 1e-6);
    /* Too large a batch is refused. */
    float big[9 * 2] = {0};
    ck_assert_int_eq(ext(&fx)->compute(fx.s, 9, big, big, big, big, big, big, NULL, NULL, L, 0),
                     TK_ERR_INVALID);
    /* value() in chunks equals row by row. */
    enum { NV = 600 };
    float *o = malloc(NV * 2 * sizeof *o), *all = malloc(NV * sizeof *all);
    tk_rng r;
    tk_rng_seed(&r, 8);
    for (int i = 0; i < NV * 2; i++)
        o[i] = (float)tk_rng_range(&r, -1, 1);
    ck_assert_int_eq(fx.vt->value(fx.s, o, NV, all), TK_OK);
    for (int i = 0; i < NV; i += 37) {
        float one;
        ck_assert_int_eq(fx.vt->value(fx.s, o + 2 * i, 1, &one), TK_OK);
        ck_assert_float_eq_tol(one, all[i], 1e-5f);
    }
    free(o);
    free(all);
    tk_student_fx_close(&fx);
}
END_TEST

/* ------------------------------------------------------------------ acting */

START_TEST(test_acting)
{
    tk_student_fx fx;
    fx_open(&fx, 9, "{\"hidden_sizes\": [8], \"start_steps\": 100}");
    float obs[2] = {0.3f, -0.2f}, a = 0, next[2] = {0.1f, 0.1f};
    /* Random start: uniform over the [-2, 2] action box. */
    double lo = 1e9, hi = -1e9, sum = 0.0;
    for (int t = 0; t <= 100; t++) {
        ck_assert_int_eq(fx.vt->act(fx.s, obs, 0, &a), TK_OK);
        ck_assert(a >= -2.0f && a <= 2.0f);
        lo = fmin(lo, a), hi = fmax(hi, a), sum += a;
        ck_assert_int_eq(fx.vt->observe(fx.s, obs, &a, 0.0, next, 0, 0), TK_OK);
    }
    ck_assert(lo < -1.5 && hi > 1.5 && fabs(sum / 101) < 0.5);
    /* Deterministic actions: repeatable, no randomness consumed. */
    tk_rng before = fx.h.ctx.rng;
    float d1, d2;
    ck_assert_int_eq(fx.vt->act(fx.s, obs, 1, &d1), TK_OK);
    ck_assert_int_eq(fx.vt->act(fx.s, obs, 1, &d2), TK_OK);
    ck_assert_float_eq(d1, d2);
    ck_assert_mem_eq(&before, &fx.h.ctx.rng, sizeof before);
    ck_assert(d1 > -2.0f && d1 < 2.0f);
    /* After start_steps the policy samples (randomness used, in the box). */
    ck_assert_int_eq(fx.vt->act(fx.s, obs, 0, &a), TK_OK);
    ck_assert(memcmp(&before, &fx.h.ctx.rng, sizeof before) != 0);
    /* Non-finite inputs are refused. */
    float bad[2] = {NAN, 0};
    ck_assert_int_eq(fx.vt->act(fx.s, bad, 0, &a), TK_ERR_INVALID);
    ck_assert_int_eq(fx.vt->observe(fx.s, obs, &a, INFINITY, next, 0, 0), TK_ERR_INVALID);
    tk_student_fx_close(&fx);
}
END_TEST

/* -------------------------------------------------------------- checkpoint */

static const char *ckpt_cfg = "{\"hidden_sizes\": [16, 16], \"batch_size\": 16, "
                              "\"buffer_size\": 150, \"start_steps\": 40, \"train_freq\": 3}";

/* ABI 1.2: a no-learn episode changes nothing; scores are reported. */
START_TEST(test_no_learn_episode)
{
    tk_track_check_no_learn(g_plugin, "sac", ckpt_cfg);
}
END_TEST

START_TEST(test_checkpoint_roundtrip)
{
    tk_student_fx a, b;
    fx_open(&a, 21, ckpt_cfg);
    tk_track_env ea, eb;
    tk_rng_seed(&ea.rng, 77);
    for (int e = 0; e < 20; e++) /* 200 transitions: the 150-slot buffer wrapped */
        tk_track_episode(&a, &ea, NULL);
    const void *data;
    size_t size;
    ck_assert_int_eq(a.vt->save(a.s, &data, &size), TK_OK);
    unsigned char *copy = malloc(size);
    memcpy(copy, data, size);

    fx_open(&b, 999, ckpt_cfg); /* other seed: other initial weights */
    ck_assert_int_eq(b.vt->load(b.s, copy, size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng; /* the host restores the instance's stream */
    eb = ea;
    /* Same state string back. */
    const void *data_b;
    size_t size_b;
    ck_assert_int_eq(b.vt->save(b.s, &data_b, &size_b), TK_OK);
    ck_assert_uint_eq(size_b, size);
    ck_assert_mem_eq(data_b, copy, size);
    /* Acting and training continue identically. */
    for (int e = 0; e < 8; e++) {
        float ta[10], tb[10];
        const double ra = tk_track_episode(&a, &ea, ta), rb = tk_track_episode(&b, &eb, tb);
        ck_assert_mem_eq(ta, tb, sizeof ta);
        ck_assert_double_eq(ra, rb);
        float obs[2] = {0.5f, 0.5f}, da, db;
        a.vt->act(a.s, obs, 1, &da);
        b.vt->act(b.s, obs, 1, &db);
        ck_assert_float_eq(da, db);
    }
    uint64_t ua, ub;
    double la[4], lb[4];
    ext(&a)->stats(a.s, &ua, la);
    ext(&b)->stats(b.s, &ub, lb);
    ck_assert_uint_eq(ua, ub);
    ck_assert_uint_eq(ua, 28 * 4); /* ceil(10 / 3) steps per episode */
    ck_assert_mem_eq(la, lb, sizeof la);
    ck_assert_int_eq(a.vt->save(a.s, &data, &size), TK_OK);
    ck_assert_int_eq(b.vt->save(b.s, &data_b, &size_b), TK_OK);
    ck_assert_uint_eq(size, size_b);
    ck_assert_mem_eq(data, data_b, size);
    free(copy);
    tk_student_fx_close(&a);
    tk_student_fx_close(&b);
}
END_TEST

START_TEST(test_checkpoint_rejects)
{
    tk_student_fx a, b, c;
    fx_open(&a, 31, ckpt_cfg);
    tk_track_env e;
    tk_rng_seed(&e.rng, 1);
    for (int k = 0; k < 6; k++)
        tk_track_episode(&a, &e, NULL);
    const void *data;
    size_t size;
    ck_assert_int_eq(a.vt->save(a.s, &data, &size), TK_OK);
    unsigned char *good = malloc(size);
    memcpy(good, data, size);

    /* Another configuration: refused, naming the key. */
    fx_open(&b, 32, "{\"hidden_sizes\": [16, 16], \"batch_size\": 16, \"buffer_size\": 150, "
                    "\"start_steps\": 40, \"train_freq\": 3, \"alpha\": 0.1}");
    ck_assert_int_eq(b.vt->load(b.s, good, size), TK_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(b.h.ctx.err_message, "alpha"));

    /* Truncated or corrupted strings: refused, instance unchanged. */
    fx_open(&c, 33, ckpt_cfg);
    const void *before;
    size_t before_size;
    ck_assert_int_eq(c.vt->save(c.s, &before, &before_size), TK_OK);
    unsigned char *ref = malloc(before_size);
    memcpy(ref, before, before_size);
    const size_t cuts[] = {0, 5, 40, size / 2, size - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++)
        ck_assert_int_eq(c.vt->load(c.s, good, cuts[i]), TK_ERR_INVALID);
    unsigned char *bad = malloc(size + 4);
    memcpy(bad, good, size);
    memset(bad + size, 0, 4);
    ck_assert_int_eq(c.vt->load(c.s, bad, size + 4), TK_ERR_INVALID); /* trailing bytes */
    const void *after;
    size_t after_size;
    ck_assert_int_eq(c.vt->save(c.s, &after, &after_size), TK_OK);
    ck_assert_uint_eq(after_size, before_size);
    ck_assert_mem_eq(after, ref, before_size);
    free(bad);
    free(ref);
    free(good);
    tk_student_fx_close(&a);
    tk_student_fx_close(&b);
    tk_student_fx_close(&c);
}
END_TEST

/* ---------------------------------------------------------------- learning */

/* a = x is learnt: after 600 episodes (6000 steps, 1 gradient step per
 * env step, batch 64), the deterministic action is within 0.15 of x. */
START_TEST(test_learns_tracking)
{
    tk_track_check_learns(g_plugin, "sac",
                          "{\"hidden_sizes\": [32, 32], \"batch_size\": 64, "
                          "\"start_steps\": 500, \"train_freq\": 1, \"gamma\": 0.5}",
                          600, 0.15);
}
END_TEST

/* ------------------------------------------------------- pendulum learning */

/* The easy task (mass 1, length 1, max torque 6: the torque exceeds the
 * largest gravity torque 5, so the pendulum can be lifted straight up; see
 * docs/students/sac.md "Learning tests").  20 training episodes (4,000
 * steps, the first 1,001 random), small networks, one gradient step per env
 * step.  Zero torque scores about -1,200; the mastery threshold of the env
 * is -200; measured -85 at this seed, -44 to -85 over seeds 1-6
 * (TK_LEARN_SEED=k overrides the seed). */
#define SAC_PEND_CFG                                                                         \
    "{\"hidden_sizes\": [64, 64], \"batch_size\": 128, \"start_steps\": 1000, "              \
    "\"train_freq\": 1, \"buffer_size\": 100000}"

START_TEST(test_pendulum_easy)
{
    const double mean =
        tk_pendulum_learn(g_plugin, "sac", SAC_PEND_CFG, 1.0f, 1.0f, 6.0f, 20, 20, 7);
    fprintf(stderr, "sac, easy pendulum, 4000 steps: mean evaluation return %.1f\n", mean);
    ck_assert_msg(mean > -150.0, "mean evaluation return %.1f <= -150", mean);
}
END_TEST

/* gym's Pendulum-v1 task (mass 1, length 1, max torque 2: a swing-up is
 * needed), 60 episodes = 12,000 steps, on three seeds: the median must beat
 * -200 (the env's reference controller: -154).  One seed in four falls
 * short this early (measured over seeds 1-10 on an AVX-512 machine: -101
 * to -283, eight of ten below -200), so a single seed would test luck. */
START_TEST(test_pendulum_gym_default)
{
    double mean[3];
    for (int i = 0; i < 3; i++) {
        mean[i] = tk_pendulum_learn(g_plugin, "sac", SAC_PEND_CFG, 1.0f, 1.0f, 2.0f, 60, 20,
                                    8 + (uint64_t)i);
        fprintf(stderr, "sac, gym-default pendulum, 12000 steps, seed %d: mean evaluation "
                        "return %.1f\n", 8 + i, mean[i]);
    }
    const double lo = fmin(mean[0], fmin(mean[1], mean[2]));
    const double hi = fmax(mean[0], fmax(mean[1], mean[2]));
    const double median = mean[0] + mean[1] + mean[2] - lo - hi;
    ck_assert_msg(median > -200.0, "median evaluation return %.1f <= -200", median);
}
END_TEST

static void add_pendulum_tests(Suite *s)
{
    if (!tk_pendulum_found("sac"))
        return;
    TCase *tc = tk_check_tcase(s, "pendulum", 840);
    tcase_add_test(tc, test_pendulum_easy);
    tcase_add_test(tc, test_pendulum_gym_default);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SAC_PLUGIN.so [TOY_GRID.so]\n", argv[0]);
        return 2;
    }
    g_plugin = argv[1];
    tk_pendulum_locate(g_plugin);

    Suite *s = suite_create("sac");
    TCase *tc = tk_check_tcase(s, "sac", 120);
    tcase_add_test(tc, test_descriptor);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_gradients_tanh);
    tcase_add_test(tc, test_gradients_relu);
    tcase_add_test(tc, test_targets_and_value);
    tcase_add_test(tc, test_acting);
    tcase_add_test(tc, test_checkpoint_roundtrip);
    tcase_add_test(tc, test_no_learn_episode);
    tcase_add_test(tc, test_checkpoint_rejects);
    tcase_add_test(tc, test_learns_tracking);
    add_pendulum_tests(s);
    return tk_check_run(s);
}
