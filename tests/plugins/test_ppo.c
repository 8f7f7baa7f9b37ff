/*
 * Tests of the ppo student through its ABI (TeachMyAgent's ppo2,
 * TeachMyAgent/students/openai_baselines/ppo2/).
 * argv[1] = the plugin; the pendulum env plugin is looked up as
 * tests/support/student_tasks.h says (../../envs/pendulum/ or
 * TK_PENDULUM_PLUGIN).
 *
 *   descriptor      ids, version, features, every default key, TMA values
 *   config          range errors name the key path
 *   loss            values against a double-precision reference of ppo2's
 *                   clipped surrogate / clipped value loss / entropy, with
 *                   samples on both sides of both clips
 *   gradients       the total loss against central finite differences, for
 *                   the network and the log-std vector
 *   gae             against a direct implementation of ppo2's recursion,
 *                   episode boundaries and truncation bootstrap included
 *   normalisation   running mean/var of observations and returns follow
 *                   VecNormalize's protocol (reset observation counted
 *                   once, terminal observation skipped, evaluation frozen)
 *   protocol        observe() without act() is refused; a rollout trains
 *                   exactly epochs * nsteps / minibatch times
 *   abandoned       an episode the host abandons (on_nonfinite skip: steps
 *                   without done, a pending act(), then end_episode) trains
 *                   exactly like the same steps ending with done = 1; the
 *                   pending act() is dropped and the next reset observation
 *                   is counted, also right after a rollout was trained
 *   checkpoint      save mid-rollout -> load: identical actions and training
 *   learning        the tracking task is learnt; pendulum is solved
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/students/ppo/ppo_ext.h"
#include "check_main.h"
#include "plugin_fixtures.h"
#include "student_tasks.h"
#include "teachkit/rng.h"

static const char *g_plugin;

/* ------------------------------------------------------------------ helpers */

/* A student for the tracking task's spec (student_tasks.h). */
static void fx_open(tk_student_fx *fx, uint64_t seed, const char *overrides)
{
    tk_track_student_open(fx, g_plugin, "ppo", seed, overrides);
}

static const tk_ppo_debug_ext *ext(const tk_student_fx *fx)
{
    const tk_ppo_debug_ext *e = fx->vt->get_extension(fx->s, TK_PPO_EXT_DEBUG);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_ge(e->struct_size, sizeof *e);
    return e;
}

/* ---------------------------------------------------------------- descriptor */

START_TEST(test_descriptor)
{
    tk_harness h;
    ck_assert_int_eq(tk_harness_open(&h, g_plugin, "ppo", 1), 0);
    const tk_descriptor *d = h.desc;
    tk_check_descriptor_identity(d, TK_KIND_STUDENT, "ppo", "1.0.0");
    ck_assert_ptr_null(strchr(d->description, '\n'));
    /* value() for SPDL; save() may come inside an episode (a stop at the
     * next step, docs/plugin-abi.md "Stopping inside an episode"). */
    ck_assert_str_eq(d->features[0], TK_FEATURE_VALUE);
    ck_assert_str_eq(d->features[1], TK_FEATURE_CHECKPOINT_WITHIN_EPISODE);
    ck_assert_ptr_null(d->features[2]);
    json_t *cfg = json_loads(d->default_config, 0, NULL);
    ck_assert_ptr_nonnull(cfg);
    const char *keys[] = {"hidden_sizes",   "activation",      "leaky_slope",   "lr",
                          "adam_beta1",     "adam_beta2",      "adam_eps",      "nsteps",
                          "minibatch_size", "epochs",          "clip_range",    "clip_value",
                          "gamma",          "lam",             "vf_coef",       "ent_coef",
                          "max_grad_norm",  "init_log_std",    "normalize_obs", "normalize_reward",
                          "obs_clip",       "reward_clip",     "deterministic_eval",
                          "bootstrap_truncated", "precision"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        ck_assert_msg(json_object_get(cfg, keys[i]) != NULL, "default config lacks %s", keys[i]);
    ck_assert_uint_eq(json_object_size(cfg), sizeof keys / sizeof *keys);
    /* TeachMyAgent's benchmark values (its student_args_handler.py). */
    ck_assert_str_eq(json_string_value(json_object_get(cfg, "activation")), "tanh");
    ck_assert_str_eq(json_string_value(json_object_get(cfg, "precision")), "fp32");
    ck_assert_int_eq(json_integer_value(json_object_get(cfg, "nsteps")), 20000);
    ck_assert_int_eq(json_integer_value(json_object_get(cfg, "minibatch_size")), 1000);
    ck_assert_int_eq(json_integer_value(json_object_get(cfg, "epochs")), 5);
    ck_assert_double_eq(json_real_value(json_object_get(cfg, "lr")), 3e-4);
    ck_assert_double_eq(json_real_value(json_object_get(cfg, "clip_range")), 0.2);
    ck_assert_double_eq(json_real_value(json_object_get(cfg, "lam")), 0.95);
    ck_assert_double_eq(json_real_value(json_object_get(cfg, "max_grad_norm")), 0.5);
    ck_assert_double_eq(json_real_value(json_object_get(cfg, "adam_eps")), 1e-5);
    ck_assert(json_is_false(json_object_get(cfg, "deterministic_eval")));
    json_decref(cfg);
    const tk_student_spec spec = {24, 4, NULL, NULL, NULL, NULL, 2000, sizeof(tk_student_spec)};
    void *s = NULL;
    const tk_student_vtable *vt = tk_harness_student(&h);
    ck_assert_int_eq(vt->create(&h.host, &h.ctx, &spec, d->default_config, &s), TK_OK);
    vt->destroy(s);
    tk_harness_close(&h);
}
END_TEST

static void expect_config_error(const char *overrides, const char *path)
{
    tk_track_student_config_error(g_plugin, "ppo", overrides, path);
}

START_TEST(test_config_errors)
{
    expect_config_error("{\"hidden_sizes\": [64, 2.5]}", "hidden_sizes[1]");
    expect_config_error("{\"activation\": \"gelu\"}", "activation");
    expect_config_error("{\"nsteps\": 100, \"minibatch_size\": 30}", "minibatch_size");
    expect_config_error("{\"epochs\": 0}", "epochs");
    expect_config_error("{\"lam\": 1.1}", "lam");
    expect_config_error("{\"clip_range\": 0.0}", "clip_range");
    expect_config_error("{\"max_grad_norm\": -1.0}", "max_grad_norm");
    tk_student_fx fx;
    const tk_student_spec none = {0, 1, NULL, NULL, NULL, NULL, 10, sizeof(tk_student_spec)};
    ck_assert_int_eq(tk_student_fx_open_merged(&fx, g_plugin, "ppo", 1, &none, NULL),
                     TK_ERR_INVALID);
    fx.s = NULL;
    tk_student_fx_close(&fx);
}
END_TEST

/* --------------------------------------------------------------- the loss */

#define MB 12

typedef struct mb_data {
    float obs[MB * 2], act[MB], old_logp[MB], old_val[MB], adv[MB], ret[MB];
} mb_data;

static const char *loss_cfg = "{\"hidden_sizes\": [16, 12], \"nsteps\": 12, "
                              "\"minibatch_size\": 12, \"ent_coef\": 0.01, "
                              "\"init_log_std\": -0.5}";

/* Old log-probabilities and values offset from the current ones so that
 * some samples sit beyond each clip (|offset| 0.5) and some inside (0.05),
 * far from the boundaries (ln 1.2 = 0.18, ln 0.8 = -0.22; value clip 0.2). */
static void mb_make(tk_student_fx *fx, mb_data *m, uint64_t seed)
{
    tk_rng r;
    tk_rng_seed(&r, seed);
    for (int i = 0; i < MB * 2; i++)
        m->obs[i] = (float)tk_rng_range(&r, -2, 2);
    for (int i = 0; i < MB; i++) {
        m->act[i] = (float)tk_rng_range(&r, -1.5, 1.5);
        m->adv[i] = (float)tk_rng_range(&r, -2, 2);
        m->ret[i] = (float)tk_rng_range(&r, -1, 1);
    }
    float logp[MB], val[MB];
    double st[TK_PPO_N_STATS];
    for (int i = 0; i < MB; i++)
        m->old_logp[i] = 0, m->old_val[i] = 0;
    ck_assert_int_eq(ext(fx)->compute(fx->s, MB, m->obs, m->act, m->old_logp, m->old_val, m->adv,
                                      m->ret, st, 0, logp, val),
                     TK_OK);
    const float offs[4] = {-0.5f, -0.05f, 0.05f, 0.5f};
    for (int i = 0; i < MB; i++) {
        m->old_logp[i] = logp[i] + offs[i % 4];
        m->old_val[i] = val[i] + offs[(i / 4 + i) % 4];
    }
}

/* ppo2's loss in double from the current log-probabilities and values. */
static void reference_loss(const mb_data *m, const float *logp, const float *val,
                           double log_std, double out[4])
{
    double mean = 0, var = 0;
    for (int i = 0; i < MB; i++)
        mean += m->adv[i];
    mean /= MB;
    for (int i = 0; i < MB; i++)
        var += (m->adv[i] - mean) * (m->adv[i] - mean);
    const double sd = sqrt(var / MB);
    double pg = 0, vf = 0;
    for (int i = 0; i < MB; i++) {
        const double a = (m->adv[i] - mean) / (sd + 1e-8);
        const double rho = exp((double)logp[i] - m->old_logp[i]);
        const double rc = fmin(fmax(rho, 0.8), 1.2);
        pg += fmax(-a * rho, -a * rc);
        const double vc = m->old_val[i] + fmin(fmax((double)val[i] - m->old_val[i], -0.2), 0.2);
        const double e1 = (val[i] - m->ret[i]) * (val[i] - m->ret[i]);
        const double e2 = (vc - m->ret[i]) * (vc - m->ret[i]);
        vf += fmax(e1, e2);
    }
    out[0] = pg / MB;
    out[1] = 0.5 * vf / MB;
    out[2] = log_std + 0.5 * log(2 * M_PI * M_E);
    out[3] = out[0] - 0.01 * out[2] + 0.5 * out[1];
}

START_TEST(test_loss_values)
{
    tk_student_fx fx;
    fx_open(&fx, 5, loss_cfg);
    mb_data m;
    mb_make(&fx, &m, 6);
    float logp[MB], val[MB];
    double st[TK_PPO_N_STATS], ref[4];
    ck_assert_int_eq(ext(&fx)->compute(fx.s, MB, m.obs, m.act, m.old_logp, m.old_val, m.adv,
                                       m.ret, st, 0, logp, val),
                     TK_OK);
    reference_loss(&m, logp, val, -0.5, ref);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(fabs(st[k] - ref[k]) < 1e-5 * (1 + fabs(ref[k])), "stat %d: %g vs %g", k,
                      st[k], ref[k]);
    /* Half the samples are clipped (offsets +-0.5 with advantages of
     * either sign clip some of them): the clip fraction counts |rho-1|>0.2. */
    ck_assert_double_eq_tol(st[5], 0.5, 1e-9);
    /* The log-probability of the Gaussian: a value check. */
    float mean_probe[MB];
    for (int i = 0; i < MB; i++)
        mean_probe[i] = logp[i];
    ck_assert(isfinite(mean_probe[0]));
    tk_student_fx_close(&fx);
}
END_TEST

/* Central differences of the total loss against the analytic gradient. */
static double fd_check(tk_student_fx *fx, const mb_data *m, int which, double h, double *worst)
{
    float *p, *g;
    size_t n;
    double st[TK_PPO_N_STATS];
    ck_assert_int_eq(ext(fx)->tensor(fx->s, which, &p, &g, &n), TK_OK);
    ck_assert_int_eq(ext(fx)->compute(fx->s, MB, m->obs, m->act, m->old_logp, m->old_val, m->adv,
                                      m->ret, st, 1, NULL, NULL),
                     TK_OK);
    float *ga = malloc(n * sizeof *ga);
    memcpy(ga, g, n * sizeof *ga);
    double num = 0, den = 0;
    *worst = 0;
    for (size_t i = 0; i < n; i++) {
        const float save = p[i];
        double lp, lm;
        p[i] = save + (float)h;
        ext(fx)->compute(fx->s, MB, m->obs, m->act, m->old_logp, m->old_val, m->adv, m->ret, st,
                         0, NULL, NULL);
        lp = st[3];
        p[i] = save - (float)h;
        ext(fx)->compute(fx->s, MB, m->obs, m->act, m->old_logp, m->old_val, m->adv, m->ret, st,
                         0, NULL, NULL);
        lm = st[3];
        p[i] = save;
        const double fd = (lp - lm) / (2 * h);
        num += (fd - ga[i]) * (fd - ga[i]);
        den += (double)ga[i] * ga[i];
        *worst = fmax(*worst, fabs(fd - ga[i]));
    }
    free(ga);
    return sqrt(num / den);
}

START_TEST(test_gradients)
{
    tk_student_fx fx;
    fx_open(&fx, 7, loss_cfg);
    mb_data m;
    mb_make(&fx, &m, 8);
    double worst;
    const double e_net = fd_check(&fx, &m, TK_PPO_NET, 3e-3, &worst);
    ck_assert_msg(e_net < 2e-3, "network: relative gradient error %.3g (worst %.3g)", e_net,
                  worst);
    const double e_ls = fd_check(&fx, &m, TK_PPO_LOG_STD, 3e-3, &worst);
    ck_assert_msg(e_ls < 2e-3, "log_std: relative gradient error %.3g", e_ls);
    /* Without value clipping and with ReLU. */
    tk_student_fx f2;
    fx_open(&f2, 9, "{\"hidden_sizes\": [16, 12], \"activation\": \"relu\", \"nsteps\": 12, "
                    "\"minibatch_size\": 12, \"clip_value\": false, \"ent_coef\": 0.05}");
    mb_make(&f2, &m, 10);
    const double e2 = fd_check(&f2, &m, TK_PPO_NET, 3e-4, &worst);
    ck_assert_msg(e2 < 2e-2, "relu network: relative gradient error %.3g", e2);
    tk_student_fx_close(&f2);
    tk_student_fx_close(&fx);
}
END_TEST

/* --------------------------------------------------------------------- GAE */

START_TEST(test_gae)
{
    tk_student_fx fx;
    fx_open(&fx, 11, loss_cfg);
    enum { N = 9 };
    const float rew[N] = {1, 0.5f, -1, 2, 0, 0, 1, -0.5f, 0.25f};
    const float val[N] = {0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f, -0.9f};
    /* Episode ends after step 2 (terminal) and after step 5 (truncated,
     * bootstrapped with 1.5); the rollout ends mid-episode (last value 0.3). */
    const unsigned char cont[N] = {1, 1, 0, 1, 1, 0, 1, 1, 1};
    const float next_value[N] = {0, 0, 0, 0, 0, 1.5f, 0, 0, 0};
    float adv[N], ret[N];
    ext(&fx)->gae(N, rew, val, cont, next_value, 0.3f, 0.9, 0.8, adv, ret);
    double A = 0; /* ppo2 runner recursion, written out */
    for (int t = N - 1; t >= 0; t--) {
        double nv, nonterminal;
        if (!cont[t])
            nv = next_value[t], nonterminal = 0;
        else
            nv = t == N - 1 ? 0.3 : val[t + 1], nonterminal = 1;
        const double delta = rew[t] + 0.9 * nv - val[t];
        A = delta + 0.9 * 0.8 * nonterminal * A;
        ck_assert_double_eq_tol(adv[t], A, 1e-5);
        ck_assert_double_eq_tol(ret[t], A + val[t], 1e-5);
    }
    tk_student_fx_close(&fx);
}
END_TEST

/* ----------------------------------------------------------- normalisation */

typedef struct ref_rms {
    double mean[2], var[2], count;
} ref_rms;

static void ref_update(ref_rms *r, const float *x)
{
    const double tot = r->count + 1;
    for (int i = 0; i < 2; i++) {
        const double d = x[i] - r->mean[i];
        const double m2 = r->var[i] * r->count + d * d * r->count / tot;
        r->mean[i] += d / tot;
        r->var[i] = m2 / tot;
    }
    r->count = tot;
}

START_TEST(test_normalisation_protocol)
{
    tk_student_fx fx;
    fx_open(&fx, 13, "{\"hidden_sizes\": [8], \"nsteps\": 1000, \"minibatch_size\": 100}");
    ref_rms ref = {{0, 0}, {1, 1}, 1e-4};
    double ret = 0, rmean = 0, rvar = 1, rcount = 1e-4;
    tk_rng r;
    tk_rng_seed(&r, 14);
    for (int ep = 0; ep < 5; ep++) {
        float obs[2] = {(float)tk_rng_range(&r, 0, 3), (float)tk_rng_range(&r, -5, -4)};
        ref_update(&ref, obs); /* the reset observation, once */
        for (int t = 0; t < 7; t++) {
            float a, next[2] = {(float)tk_rng_range(&r, 0, 3), (float)tk_rng_range(&r, -5, -4)};
            ck_assert_int_eq(fx.vt->act(fx.s, obs, 0, &a), TK_OK);
            /* Evaluation in between leaves the statistics alone. */
            float ea;
            ck_assert_int_eq(fx.vt->act(fx.s, next, 1, &ea), TK_OK);
            const int last = t == 6;
            const double rew = tk_rng_range(&r, -3, 3);
            const int done = last && ep % 2, truncated = last && !(ep % 2);
            ck_assert_int_eq(fx.vt->observe(fx.s, obs, &a, rew, next, done, truncated), TK_OK);
            if (!last)
                ref_update(&ref, next); /* terminal observations are skipped */
            ret = ret * 0.99 + rew;
            const double tot = rcount + 1, d = ret - rmean;
            const double m2 = rvar * rcount + d * d * rcount / tot;
            rmean += d / tot, rvar = m2 / tot, rcount = tot;
            if (last)
                ret = 0;
            memcpy(obs, next, sizeof obs);
        }
        fx.vt->end_episode(fx.s, 0, 7);
    }
    double mean[2], var[2], count, rv, rc;
    ck_assert_int_eq(ext(&fx)->normalizer(fx.s, mean, var, &count, &rv, &rc), TK_OK);
    ck_assert_double_eq_tol(count, ref.count, 1e-9);
    for (int i = 0; i < 2; i++) {
        ck_assert_double_eq_tol(mean[i], ref.mean[i], 1e-9);
        ck_assert_double_eq_tol(var[i], ref.var[i], 1e-9);
    }
    ck_assert_double_eq_tol(rc, rcount, 1e-9);
    ck_assert_double_eq_tol(rv, rvar, 1e-9);
    tk_student_fx_close(&fx);
}
END_TEST

START_TEST(test_protocol)
{
    tk_student_fx fx;
    fx_open(&fx, 15, "{\"hidden_sizes\": [8], \"nsteps\": 20, \"minibatch_size\": 5, "
                     "\"epochs\": 3}");
    float obs[2] = {0, 0}, a;
    ck_assert_int_eq(fx.vt->observe(fx.s, obs, obs, 0.0, obs, 0, 0), TK_ERR_STATE);
    tk_track_env e;
    tk_rng_seed(&e.rng, 16);
    for (int k = 0; k < 4; k++)
        tk_track_episode(&fx, &e, NULL);
    uint64_t rollouts, updates;
    double st[TK_PPO_N_STATS];
    ck_assert_int_eq(ext(&fx)->stats(fx.s, &rollouts, &updates, st), TK_OK);
    ck_assert_uint_eq(rollouts, 2);
    ck_assert_uint_eq(updates, 2 * 3 * 4);
    /* Actions stay inside the box (the Gaussian sample is clipped). */
    tk_student_fx wide;
    fx_open(&wide, 17, "{\"hidden_sizes\": [8], \"init_log_std\": 2.0, \"nsteps\": 10, "
                       "\"minibatch_size\": 10}");
    for (int k = 0; k < 50; k++) {
        ck_assert_int_eq(wide.vt->act(wide.s, obs, 1, &a), TK_OK);
        ck_assert(a >= -2.0f && a <= 2.0f);
    }
    tk_student_fx_close(&wide);
    tk_student_fx_close(&fx);
}
END_TEST

/* ------------------------------------------------------ abandoned episodes */

/* `steps` steps of the tracking task from a fresh observation, the last
 * one with done = `done_last`; e->obs ends as the last next observation. */
static double track_steps(tk_student_fx *fx, tk_track_env *e, int steps, int done_last)
{
    double ret = 0.0;
    e->obs[0] = (float)tk_rng_range(&e->rng, -1, 1);
    e->obs[1] = (float)tk_rng_range(&e->rng, -1, 1);
    for (int t = 0; t < steps; t++) {
        float a, next[2];
        ck_assert_int_eq(fx->vt->act(fx->s, e->obs, 0, &a), TK_OK);
        const double r = -((double)a - e->obs[0]) * ((double)a - e->obs[0]);
        next[0] = (float)tk_rng_range(&e->rng, -1, 1);
        next[1] = (float)tk_rng_range(&e->rng, -1, 1);
        const int done = done_last && t == steps - 1;
        ck_assert_int_eq(fx->vt->observe(fx->s, e->obs, &a, r, next, done, 0), TK_OK);
        memcpy(e->obs, next, sizeof next);
        ret += r;
    }
    return ret;
}

static void assert_same_state(tk_student_fx *a, tk_student_fx *b, const char *when)
{
    const void *da, *db;
    size_t na, nb;
    ck_assert_int_eq(a->vt->save(a->s, &da, &na), TK_OK);
    ck_assert_int_eq(b->vt->save(b->s, &db, &nb), TK_OK);
    ck_assert_msg(na == nb && memcmp(da, db, na) == 0, "%s: the states differ (%zu vs %zu bytes)",
                  when, na, nb);
}

/* Run `a` plays 5 steps without a boundary and one more act() whose step
 * the host rejects (a non-finite reward), then end_episode, as runner.c
 * does with "on_nonfinite": "skip"; run `b` plays the same 5 steps with
 * done = 1 on the last.  The cut must be an episode boundary with zero
 * bootstrap: no advantage flows across it, the running return restarts,
 * the pending act() is gone.  Both then play on through two trainings
 * whose first rollout holds the cut, and must agree bit for bit: saved
 * state (counters, rollout, normalisers, weights, Adam) and values.
 * normalize_obs is off because the statistics differ legitimately: a
 * non-terminal next observation is counted, a terminal one is not. */
START_TEST(test_abandoned_episode_is_a_boundary)
{
    const char *cfg = "{\"hidden_sizes\": [16], \"nsteps\": 12, \"minibatch_size\": 4, "
                      "\"epochs\": 2, \"normalize_obs\": false, \"lam\": 0.9}";
    tk_student_fx a, b;
    fx_open(&a, 61, cfg);
    fx_open(&b, 61, cfg);
    tk_track_env ea, eb;
    tk_rng_seed(&ea.rng, 62);
    tk_rng_seed(&eb.rng, 62);
    const double ret = track_steps(&a, &ea, 5, 0);
    ck_assert_double_eq(track_steps(&b, &eb, 5, 1), ret);
    float pending;
    ck_assert_int_eq(a.vt->act(a.s, ea.obs, 0, &pending), TK_OK);
    ck_assert_int_eq(a.vt->end_episode(a.s, ret, 5), TK_OK);
    ck_assert_int_eq(b.vt->end_episode(b.s, ret, 5), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng; /* the dropped act() drew its action noise */
    assert_same_state(&a, &b, "after end_episode");
    for (int k = 0; k < 3; k++) { /* 35 steps: two rollouts trained */
        float ta[10], tb[10];
        ck_assert_double_eq(tk_track_episode(&a, &ea, ta), tk_track_episode(&b, &eb, tb));
        ck_assert_mem_eq(ta, tb, sizeof ta);
    }
    uint64_t rollouts, updates;
    double st[TK_PPO_N_STATS];
    ck_assert_int_eq(ext(&a)->stats(a.s, &rollouts, &updates, st), TK_OK);
    ck_assert_uint_eq(rollouts, 2);
    assert_same_state(&a, &b, "after training");
    const float probe[6] = {0.5f, -0.25f, -0.9f, 0.1f, 0.0f, 0.75f};
    float va[3], vb[3];
    ck_assert_int_eq(a.vt->value(a.s, probe, 3, va), TK_OK);
    ck_assert_int_eq(b.vt->value(b.s, probe, 3, vb), TK_OK);
    ck_assert_mem_eq(va, vb, sizeof va);
    /* An episode that ended normally is not touched by end_episode. */
    tk_track_episode(&a, &ea, NULL);
    tk_track_episode(&b, &eb, NULL);
    ck_assert_int_eq(a.vt->end_episode(a.s, 0.0, 0), TK_OK);
    assert_same_state(&a, &b, "after a second end_episode");
    tk_student_fx_close(&a);
    tk_student_fx_close(&b);
}
END_TEST

static double obs_count(tk_student_fx *fx)
{
    double mean[2], var[2], count, rv, rc;
    ck_assert_int_eq(ext(fx)->normalizer(fx->s, mean, var, &count, &rv, &rc), TK_OK);
    return count;
}

static size_t state_size(tk_student_fx *fx)
{
    const void *data;
    size_t size;
    ck_assert_int_eq(fx->vt->save(fx->s, &data, &size), TK_OK);
    return size;
}

/* The cut right after a rollout was trained (no row left to mark), and an
 * episode abandoned at its first act() (no row at all): end_episode drops
 * the pending act() (the saved state holds no pending row) and the next
 * episode's reset observation enters the observation statistics. */
START_TEST(test_abandoned_episode_after_training)
{
    tk_student_fx fx;
    fx_open(&fx, 63, "{\"hidden_sizes\": [8], \"nsteps\": 6, \"minibatch_size\": 3, "
                     "\"epochs\": 1}");
    tk_track_env e;
    tk_rng_seed(&e.rng, 64);
    const double ret = track_steps(&fx, &e, 6, 0); /* the 6th observe() trains */
    uint64_t rollouts, updates;
    double st[TK_PPO_N_STATS];
    ck_assert_int_eq(ext(&fx)->stats(fx.s, &rollouts, &updates, st), TK_OK);
    ck_assert_uint_eq(rollouts, 1);
    /* The reset observation and 6 non-terminal next observations. */
    ck_assert_double_eq_tol(obs_count(&fx), 1e-4 + 7, 1e-9);
    const size_t empty = state_size(&fx); /* n = 0, nothing pending */
    float a, obs[2] = {0.3f, -0.6f};
    ck_assert_int_eq(fx.vt->act(fx.s, e.obs, 0, &a), TK_OK);
    ck_assert_uint_gt(state_size(&fx), empty);
    ck_assert_int_eq(fx.vt->end_episode(fx.s, ret, 6), TK_OK);
    ck_assert_uint_eq(state_size(&fx), empty);
    ck_assert_int_eq(fx.vt->act(fx.s, obs, 0, &a), TK_OK); /* a new reset observation */
    ck_assert_double_eq_tol(obs_count(&fx), 1e-4 + 8, 1e-9);
    /* Abandoned at this first act() (a non-finite action): 0 steps. */
    ck_assert_int_eq(fx.vt->end_episode(fx.s, 0.0, 0), TK_OK);
    ck_assert_uint_eq(state_size(&fx), empty);
    ck_assert_int_eq(fx.vt->act(fx.s, obs, 0, &a), TK_OK);
    ck_assert_double_eq_tol(obs_count(&fx), 1e-4 + 9, 1e-9);
    float next[2] = {0.1f, 0.2f};
    ck_assert_int_eq(fx.vt->observe(fx.s, obs, &a, -0.5, next, 1, 0), TK_OK);
    ck_assert_int_eq(fx.vt->end_episode(fx.s, -0.5, 1), TK_OK);
    tk_student_fx_close(&fx);
}
END_TEST

/* value() in chunks equals row by row, and equals the value head on the
 * normalised observation (fresh statistics: mean 0, var 1). */
START_TEST(test_value)
{
    tk_student_fx fx;
    fx_open(&fx, 19, "{\"hidden_sizes\": [16], \"nsteps\": 12, \"minibatch_size\": 12}");
    enum { NV = 600 };
    float *o = malloc(NV * 2 * sizeof *o), *all = malloc(NV * sizeof *all);
    tk_rng r;
    tk_rng_seed(&r, 20);
    for (int i = 0; i < NV * 2; i++)
        o[i] = (float)tk_rng_range(&r, -3, 3);
    ck_assert_int_eq(fx.vt->value(fx.s, o, NV, all), TK_OK);
    for (int i = 0; i < NV; i += 41) {
        float one;
        ck_assert_int_eq(fx.vt->value(fx.s, o + 2 * i, 1, &one), TK_OK);
        ck_assert_float_eq_tol(one, all[i], 1e-5f);
    }
    float norm[MB * 2], zero[MB] = {0}, v[MB];
    double st[TK_PPO_N_STATS];
    for (int i = 0; i < MB * 2; i++)
        norm[i] = (float)(o[i] / sqrt(1.0 + 1e-8));
    ck_assert_int_eq(ext(&fx)->compute(fx.s, MB, norm, zero, zero, zero, zero, zero, st, 0, NULL,
                                       v),
                     TK_OK);
    for (int i = 0; i < MB; i++)
        ck_assert_float_eq_tol(v[i], all[i], 1e-5f);
    free(o);
    free(all);
    tk_student_fx_close(&fx);
}
END_TEST

/* -------------------------------------------------------------- checkpoint */

static const char *ckpt_cfg = "{\"hidden_sizes\": [16, 16], \"nsteps\": 24, "
                              "\"minibatch_size\": 8, \"epochs\": 2}";

/* ABI 1.2: a no-learn episode changes nothing; scores are reported. */
START_TEST(test_no_learn_episode)
{
    tk_track_check_no_learn(g_plugin, "ppo", ckpt_cfg);
}
END_TEST

START_TEST(test_checkpoint_roundtrip)
{
    tk_student_fx a, b;
    fx_open(&a, 21, ckpt_cfg);
    tk_track_env ea, eb;
    tk_rng_seed(&ea.rng, 77);
    for (int k = 0; k < 5; k++) /* 50 steps: 2 rollouts, 2 steps into the third */
        tk_track_episode(&a, &ea, NULL);
    /* A pending act() (saved between act and observe). */
    float obs[2] = {0.2f, -0.4f}, next[2] = {0.1f, 0.3f}, act_a, act_b;
    ck_assert_int_eq(a.vt->act(a.s, obs, 0, &act_a), TK_OK);
    const void *data;
    size_t size;
    ck_assert_int_eq(a.vt->save(a.s, &data, &size), TK_OK);
    unsigned char *copy = malloc(size);
    memcpy(copy, data, size);
    fx_open(&b, 555, ckpt_cfg);
    ck_assert_int_eq(b.vt->load(b.s, copy, size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng;
    eb = ea;
    const void *data_b;
    size_t size_b;
    ck_assert_int_eq(b.vt->save(b.s, &data_b, &size_b), TK_OK);
    ck_assert_uint_eq(size_b, size);
    ck_assert_mem_eq(data_b, copy, size);
    ck_assert_int_eq(a.vt->observe(a.s, obs, &act_a, -0.5, next, 0, 0), TK_OK);
    act_b = act_a;
    ck_assert_int_eq(b.vt->observe(b.s, obs, &act_b, -0.5, next, 0, 0), TK_OK);
    for (int k = 0; k < 6; k++) { /* through two more rollouts */
        float ta[10], tb[10];
        ck_assert_double_eq(tk_track_episode(&a, &ea, ta), tk_track_episode(&b, &eb, tb));
        ck_assert_mem_eq(ta, tb, sizeof ta);
    }
    ck_assert_int_eq(a.vt->save(a.s, &data, &size), TK_OK);
    ck_assert_int_eq(b.vt->save(b.s, &data_b, &size_b), TK_OK);
    ck_assert_uint_eq(size, size_b);
    ck_assert_mem_eq(data, data_b, size);
    /* Other configuration and truncated strings are refused. */
    tk_student_fx c;
    fx_open(&c, 22, "{\"hidden_sizes\": [16, 16], \"nsteps\": 24, \"minibatch_size\": 8, "
                    "\"epochs\": 3}");
    ck_assert_int_eq(c.vt->load(c.s, copy, size), TK_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(c.h.ctx.err_message, "epochs"));
    ck_assert_int_eq(b.vt->load(b.s, copy, size / 2), TK_ERR_INVALID);
    ck_assert_int_eq(b.vt->save(b.s, &data_b, &size_b), TK_OK);
    ck_assert_mem_eq(data_b, data, size); /* untouched by the failed load */
    free(copy);
    tk_student_fx_close(&a);
    tk_student_fx_close(&b);
    tk_student_fx_close(&c);
}
END_TEST

/* ---------------------------------------------------------------- learning */

START_TEST(test_learns_tracking)
{
    tk_track_check_learns(g_plugin, "ppo",
                          "{\"hidden_sizes\": [32, 32], \"nsteps\": 500, \"minibatch_size\": 50, "
                          "\"epochs\": 10, \"lr\": 0.001, \"gamma\": 0.5, "
                          "\"deterministic_eval\": true}",
                          2500, 0.15);
}
END_TEST

/* ------------------------------------------------------- pendulum learning */

/* The easy task (mass 1, length 1, max torque 6; docs/students/ppo.md
 * "Learning tests"), 300 episodes = 60,000 steps in rollouts of 4,096
 * steps, small networks, gamma 0.9 and lr 1e-3 (RL-zoo's pendulum values),
 * evaluated with stochastic actions as the original.  Zero torque scores
 * about -1,200; measured -50 at this seed, -37 to -65 over seeds 1-6
 * (TK_LEARN_SEED=k overrides the seed). */
#define PPO_PEND_CFG                                                                         \
    "{\"hidden_sizes\": [64, 64], \"nsteps\": 4096, \"minibatch_size\": 256, \"epochs\": 10, " \
    "\"lr\": 0.001, \"gamma\": 0.9}"

START_TEST(test_pendulum_easy)
{
    const double mean =
        tk_pendulum_learn(g_plugin, "ppo", PPO_PEND_CFG, 1.0f, 1.0f, 6.0f, 300, 20, 7);
    fprintf(stderr, "ppo, easy pendulum, 60000 steps: mean evaluation return %.1f\n", mean);
    ck_assert_msg(mean > -150.0, "mean evaluation return %.1f <= -150", mean);
}
END_TEST

static void add_pendulum_tests(Suite *s)
{
    if (!tk_pendulum_found("ppo"))
        return;
    TCase *tc = tk_check_tcase(s, "pendulum", 280);
    tcase_add_test(tc, test_pendulum_easy);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PPO_PLUGIN.so [TOY_GRID.so]\n", argv[0]);
        return 2;
    }
    g_plugin = argv[1];
    tk_pendulum_locate(g_plugin);
    Suite *s = suite_create("ppo");
    TCase *tc = tk_check_tcase(s, "ppo", 120);
    tcase_add_test(tc, test_descriptor);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_loss_values);
    tcase_add_test(tc, test_gradients);
    tcase_add_test(tc, test_gae);
    tcase_add_test(tc, test_normalisation_protocol);
    tcase_add_test(tc, test_protocol);
    tcase_add_test(tc, test_abandoned_episode_is_a_boundary);
    tcase_add_test(tc, test_abandoned_episode_after_training);
    tcase_add_test(tc, test_value);
    tcase_add_test(tc, test_checkpoint_roundtrip);
    tcase_add_test(tc, test_no_learn_episode);
    tcase_add_test(tc, test_learns_tracking);
    add_pendulum_tests(s);
    return tk_check_run(s);
}
