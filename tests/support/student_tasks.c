#include "student_tasks.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- tracking */

static const float track_obs_lo[2] = {-1, -1}, track_obs_hi[2] = {1, 1};
static const float track_act_lo[1] = {-2}, track_act_hi[1] = {2};

tk_student_spec tk_track_spec(void)
{
    return (tk_student_spec){2, 1, track_obs_lo, track_obs_hi, track_act_lo, track_act_hi, 10, sizeof(tk_student_spec)};
}

void tk_track_student_open(tk_student_fx *fx, const char *plugin, const char *id, uint64_t seed,
                           const char *overrides)
{
    const tk_student_spec spec = tk_track_spec();
    tk_status st = tk_student_fx_open_merged(fx, plugin, id, seed, &spec, overrides);
    ck_assert_msg(st == TK_OK, "create: %s: %s", fx->h.ctx.err_path, fx->h.ctx.err_message);
}

void tk_track_student_config_error(const char *plugin, const char *id, const char *overrides,
                                   const char *path)
{
    tk_student_fx fx;
    const tk_student_spec spec = tk_track_spec();
    tk_status st = tk_student_fx_open_merged(&fx, plugin, id, 1, &spec, overrides);
    ck_assert_msg(st == TK_ERR_CONFIG, "%s accepted", overrides);
    ck_assert_str_eq(fx.h.ctx.err_path, path);
    fx.s = NULL; /* whatever create() left there is not an instance */
    tk_student_fx_close(&fx);
}

void tk_track_reset(tk_track_env *e)
{
    e->obs[0] = (float)tk_rng_range(&e->rng, -1, 1);
    e->obs[1] = (float)tk_rng_range(&e->rng, -1, 1);
}

double tk_track_episode(tk_student_fx *fx, tk_track_env *e, float *trace)
{
    double ret = 0.0;
    tk_track_reset(e);
    for (int t = 0; t < 10; t++) {
        float a, next[2];
        ck_assert_int_eq(fx->vt->act(fx->s, e->obs, 0, &a), TK_OK);
        if (trace)
            trace[t] = a;
        const double r = -((double)a - e->obs[0]) * ((double)a - e->obs[0]);
        next[0] = (float)tk_rng_range(&e->rng, -1, 1);
        next[1] = (float)tk_rng_range(&e->rng, -1, 1);
        tk_status st = fx->vt->observe(fx->s, e->obs, &a, r, next, 0, t == 9);
        ck_assert_msg(st == TK_OK, "observe: %s", fx->h.ctx.err_message);
        memcpy(e->obs, next, sizeof next);
        ret += r;
    }
    tk_status st = fx->vt->end_episode(fx->s, ret, 10);
    ck_assert_msg(st == TK_OK, "end_episode: %s", fx->h.ctx.err_message);
    return ret;
}

void tk_track_check_learns(const char *plugin, const char *id, const char *overrides,
                           int episodes, double tol)
{
    tk_student_fx fx;
    tk_track_student_open(&fx, plugin, id, 41, overrides);
    tk_track_env e;
    tk_rng_seed(&e.rng, 42);
    for (int k = 0; k < episodes; k++)
        tk_track_episode(&fx, &e, NULL);
    double err = 0.0;
    for (int i = 0; i <= 20; i++) {
        float obs[2] = {-1.0f + 0.1f * (float)i, 0.3f}, a;
        ck_assert_int_eq(fx.vt->act(fx.s, obs, 1, &a), TK_OK);
        err = fmax(err, fabs(a - obs[0]));
    }
    ck_assert_msg(err < tol, "max |a - x| = %g", err);
    tk_student_fx_close(&fx);
}

/* ----------------------------------------------------------------- pendulum */

static char g_pendulum[4096];

void tk_pendulum_locate(const char *student_plugin)
{
    const char *env = getenv("TK_PENDULUM_PLUGIN");
    if (env) {
        snprintf(g_pendulum, sizeof g_pendulum, "%s", env);
        return;
    }
    /* <build>/plugins/students/sac/tkp_sac.so -> <build>/plugins/envs/pendulum/ */
    const char *slash = strrchr(student_plugin, '/');
    snprintf(g_pendulum, sizeof g_pendulum, "%.*s/../../envs/pendulum/tkp_pendulum.so",
             slash ? (int)(slash - student_plugin) : 1, slash ? student_plugin : ".");
}

int tk_pendulum_found(const char *who)
{
    FILE *f = fopen(g_pendulum, "rb");
    if (!f) {
        fprintf(stderr, "%s: no pendulum plugin at %s: learning tests skipped\n", who,
                g_pendulum);
        return 0;
    }
    fclose(f);
    return 1;
}

/* Two instances of one fixed task: training episodes on one, evaluation
 * episodes (deterministic actions) on the other. */
typedef struct pend_run {
    tk_env_fx train, eval;
    float task[3];
} pend_run;

static void pend_open(pend_run *p, float mass, float length, float torque, uint64_t seed)
{
    char cfg[256];
    snprintf(cfg, sizeof cfg,
             "{\"mass\": [%g, %g], \"length\": [%g, %g], \"max_torque\": [%g, %g], "
             "\"g\": 10.0, \"episode_steps\": 200}",
             mass, mass, length, length, torque, torque);
    ck_assert_int_eq(tk_env_fx_open(&p->train, g_pendulum, "pendulum", seed, cfg), TK_OK);
    ck_assert_int_eq(tk_env_fx_open(&p->eval, g_pendulum, "pendulum", seed + 1000, cfg), TK_OK);
    ck_assert_uint_eq(p->train.info.obs_dim, 3);
    p->task[0] = mass, p->task[1] = length, p->task[2] = torque;
}

static void pend_close(pend_run *p)
{
    tk_env_fx_close(&p->train);
    tk_env_fx_close(&p->eval);
}

static tk_student_spec pend_spec(const tk_env_info *info)
{
    return (tk_student_spec){info->obs_dim,  info->act_dim,  info->obs_low,
                             info->obs_high, info->act_low,  info->act_high,
                             info->max_episode_steps, sizeof(tk_student_spec)};
}

/* One episode; training (observe + end_episode) unless `eval`. */
static double pend_episode(tk_student_fx *fx, pend_run *p, int eval)
{
    tk_env_fx *env = eval ? &p->eval : &p->train;
    const uint64_t steps = p->train.info.max_episode_steps;
    float obs[3], next[3], a[1];
    double ret = 0.0;
    ck_assert_int_eq(env->vt->set_task(env->env, p->task), TK_OK);
    ck_assert_int_eq(env->vt->reset(env->env, obs), TK_OK);
    for (uint64_t t = 0; t < steps; t++) {
        ck_assert_int_eq(fx->vt->act(fx->s, obs, eval, a), TK_OK);
        double r;
        int done;
        ck_assert_int_eq(env->vt->step(env->env, a, next, &r, &done), TK_OK);
        ret += r;
        const int truncated = !done && t + 1 == steps;
        if (!eval) {
            tk_status st = fx->vt->observe(fx->s, obs, a, r, next, done, truncated);
            ck_assert_msg(st == TK_OK, "observe: %s", fx->h.ctx.err_message);
        }
        memcpy(obs, next, sizeof obs);
        if (done)
            break;
    }
    if (!eval) {
        tk_status st = fx->vt->end_episode(fx->s, ret, steps);
        ck_assert_msg(st == TK_OK, "end_episode: %s", fx->h.ctx.err_message);
    }
    return ret;
}

double tk_pendulum_learn(const char *plugin, const char *id, const char *student_cfg,
                         float mass, float length, float torque, int episodes, int tests,
                         uint64_t seed)
{
    pend_run p;
    if (getenv("TK_LEARN_SEED")) /* robustness checks over seeds */
        seed = strtoull(getenv("TK_LEARN_SEED"), NULL, 10);
    pend_open(&p, mass, length, torque, seed);
    tk_student_fx fx;
    const tk_student_spec spec = pend_spec(&p.train.info);
    tk_status st = tk_student_fx_open_merged(&fx, plugin, id, seed, &spec, student_cfg);
    ck_assert_msg(st == TK_OK, "create: %s", fx.h.ctx.err_message);
    for (int e = 0; e < episodes; e++)
        pend_episode(&fx, &p, 0);
    double sum = 0.0;
    for (int e = 0; e < tests; e++)
        sum += pend_episode(&fx, &p, 1);
    tk_student_fx_close(&fx);
    pend_close(&p);
    return sum / tests;
}

/* One episode begun with `learn`; its scores in *sc. */
static void scored_episode(tk_student_fx *fx, tk_track_env *e, uint32_t learn,
                           tk_episode_scores *sc)
{
    const tk_episode_options opt = {.struct_size = sizeof opt, .learn = learn, .scores = 1};
    ck_assert_ptr_nonnull(fx->vt->begin_episode);
    ck_assert_int_eq(fx->vt->begin_episode(fx->s, &opt), TK_OK);
    tk_track_episode(fx, e, NULL);
    memset(sc, 0, sizeof *sc);
    sc->struct_size = sizeof *sc;
    ck_assert_int_eq(fx->vt->episode_scores(fx->s, sc), TK_OK);
    ck_assert_uint_eq(sc->present, TK_SCORE_POSITIVE_VALUE_LOSS | TK_SCORE_VALUE_RETURN);
    ck_assert(isfinite(sc->positive_value_loss) && sc->positive_value_loss >= 0.0);
    ck_assert(isfinite(sc->mean_value) && isfinite(sc->discounted_return));
}

static unsigned char *saved(tk_student_fx *fx, size_t *size)
{
    const void *data;
    ck_assert_int_eq(fx->vt->save(fx->s, &data, size), TK_OK);
    unsigned char *copy = malloc(*size);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, data, *size);
    return copy;
}

void tk_track_check_no_learn(const char *plugin, const char *id, const char *overrides)
{
    tk_student_fx fx;
    tk_track_student_open(&fx, plugin, id, 5, overrides);
    tk_track_env e;
    tk_rng_seed(&e.rng, 6);
    for (int k = 0; k < 6; k++)
        tk_track_episode(&fx, &e, NULL);
    size_t before_size, after_size;
    unsigned char *before = saved(&fx, &before_size);
    tk_episode_scores sc;
    scored_episode(&fx, &e, 0, &sc);
    unsigned char *after = saved(&fx, &after_size);
    ck_assert_uint_eq(after_size, before_size);
    ck_assert_msg(memcmp(before, after, before_size) == 0,
                  "%s: a no-learn episode changed the student's state", id);
    free(after);
    for (int k = 0; k < 3; k++)
        scored_episode(&fx, &e, 1, &sc);
    after = saved(&fx, &after_size);
    ck_assert_msg(after_size != before_size || memcmp(before, after, before_size) != 0,
                  "%s: learning episodes left the state unchanged", id);
    free(before);
    free(after);
    tk_student_fx_close(&fx);
}
