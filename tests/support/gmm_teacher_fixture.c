#include "gmm_teacher_fixture.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint_checks.h"
#include "toy_grid_driver.h"

static gmm_kind g_kind;

void gmm_checks_setup(const gmm_kind *kind)
{
    g_kind = *kind;
}

const gmm_kind *gmm_checks_kind(void)
{
    return &g_kind;
}

const double gmm_unit2[4] = {0.0, 1.0, 0.0, 1.0};

/* ---------------------------------------------------------------- fixture */

tk_status gmm_fx_open(gmm_fx *fx, uint64_t seed, size_t dims, const double *bounds,
                      const char *overrides)
{
    memset(fx, 0, sizeof *fx);
    ck_assert_uint_le(dims, 4);
    for (size_t i = 0; i < dims; i++) {
        fx->dim[i].name = "x";
        fx->dim[i].low = bounds[2 * i];
        fx->dim[i].high = bounds[2 * i + 1];
    }
    fx->space.dims = dims;
    fx->space.dim = fx->dim;
    return tk_teacher_fx_open_merged(&fx->tk, g_kind.plugin, g_kind.id, seed, &fx->space,
                                     overrides);
}

void gmm_fx_close(gmm_fx *fx)
{
    tk_teacher_fx_close(&fx->tk);
}

/* Position of task[0] in [0, 1] relative to its bounds. */
static double rel0(const gmm_fx *fx, const float *task)
{
    const tk_dim *d = &fx->dim[0];
    return d->high > d->low ? (task[0] - d->low) / (d->high - d->low) : 0.0;
}

static double synthetic_reward(const gmm_fx *fx, const float *task)
{
    if (rel0(fx, task) >= 0.25)
        return 0.0;
    return g_kind.quarter_reward(fx->episodes);
}

static void in_bounds(const gmm_fx *fx, const float *task)
{
    for (size_t i = 0; i < fx->space.dims; i++) {
        ck_assert_msg(task[i] >= (float)fx->dim[i].low && task[i] <= (float)fx->dim[i].high,
                      "task[%zu] = %g outside [%g, %g]", i, task[i], fx->dim[i].low,
                      fx->dim[i].high);
    }
}

void gmm_play_one(gmm_fx *fx, float *task)
{
    const tk_teacher_fx *t = &fx->tk;
    ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
    in_bounds(fx, task);
    ck_assert_int_eq(t->vt->update(t->self, task, synthetic_reward(fx, task), 0), TK_OK);
    fx->episodes++;
}

double gmm_play(gmm_fx *fx, int n)
{
    float task[4];
    int inside = 0;
    for (int i = 0; i < n; i++) {
        gmm_play_one(fx, task);
        inside += rel0(fx, task) < 0.25;
    }
    return n ? (double)inside / n : 0.0;
}

json_t *gmm_snapshot(const gmm_fx *fx)
{
    return tk_teacher_fx_snapshot(&fx->tk, "gmm");
}

json_int_t gmm_snapshot_fits(const gmm_fx *fx)
{
    json_t *s = gmm_snapshot(fx);
    json_int_t fits = json_integer_value(json_object_get(s, "fits"));
    json_decref(s);
    return fits;
}

void gmm_check_components(const gmm_fx *fx, size_t k_min, size_t k_max)
{
    json_t *s = gmm_snapshot(fx);
    json_t *comps = json_object_get(s, "components");
    size_t k = json_array_size(comps);
    ck_assert_msg(k >= k_min && k <= k_max, "%zu components, expected [%zu, %zu]", k, k_min,
                  k_max);
    double wsum = 0.0;
    for (size_t c = 0; c < k; c++) {
        json_t *comp = json_array_get(comps, c);
        wsum += json_number_value(json_object_get(comp, "weight"));
        ck_assert_uint_eq(json_array_size(json_object_get(comp, "mean")), fx->space.dims);
        json_t *cov = json_object_get(comp, "cov");
        ck_assert_uint_eq(json_array_size(cov), fx->space.dims);
        for (size_t i = 0; i < fx->space.dims; i++)
            ck_assert_uint_eq(json_array_size(json_array_get(cov, i)), fx->space.dims);
        ck_assert(json_number_value(json_object_get(comp, "alp")) >= 0.0);
    }
    ck_assert_double_eq_tol(wsum, 1.0, 1e-9);
    json_decref(s);
}

void gmm_expect_config_error(const char *overrides, const char *key)
{
    gmm_fx fx;
    ck_assert_int_eq(gmm_fx_open(&fx, 1, 2, gmm_unit2, overrides), TK_ERR_CONFIG);
    ck_assert_ptr_null(fx.tk.self);
    ck_assert_str_eq(fx.tk.h.ctx.err_path, key);
    ck_assert_msg(strlen(fx.tk.h.ctx.err_message) > 0, "no message for %s", key);
    gmm_fx_close(&fx);
}

void gmm_check_common_config_errors(void)
{
    gmm_expect_config_error("{\"nb_bootstrap\": 100}", "nb_bootstrap");
    gmm_expect_config_error("{\"k_min\": 5, \"k_max\": 3}", "k_max");
    gmm_expect_config_error("{\"k_min\": 0}", "k_min");
    gmm_expect_config_error("{\"fit_rate\": 5, \"k_max\": 10}", "k_max");
    gmm_expect_config_error("{\"fit_rate\": 0}", "fit_rate");
    gmm_expect_config_error("{\"random_task_ratio\": 1.5}", "random_task_ratio");
    gmm_expect_config_error("{\"reg_covar\": -1}", "reg_covar");
    gmm_expect_config_error("{\"max_iter\": 0}", "max_iter");
    /* the message names the conflicting value */
    gmm_fx fx;
    ck_assert_int_eq(gmm_fx_open(&fx, 1, 2, gmm_unit2, "{\"nb_bootstrap\": 100}"),
                     TK_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(fx.tk.h.ctx.err_message, "fit_rate"));
    gmm_fx_close(&fx);
    /* a task space without dimension is refused */
    ck_assert_int_eq(gmm_fx_open(&fx, 1, 0, gmm_unit2, NULL), TK_ERR_INVALID);
    gmm_fx_close(&fx);
}

json_t *gmm_descriptor_defaults(const char *const *keys, size_t nkeys)
{
    tk_harness h;
    ck_assert_int_eq(tk_harness_open(&h, g_kind.plugin, g_kind.id, 1), 0);
    const tk_descriptor *d = h.desc;
    tk_check_descriptor_identity(d, TK_KIND_TEACHER, g_kind.id, "1.0.0");
    ck_assert_ptr_null(d->features);
    const tk_teacher_vtable *vt = tk_harness_teacher(&h);
    ck_assert_uint_eq(vt->struct_size, sizeof(tk_teacher_vtable));
    ck_assert_ptr_nonnull(vt->save);
    ck_assert_ptr_nonnull(vt->load);
    json_t *cfg = json_loads(d->default_config, 0, NULL);
    ck_assert_ptr_nonnull(cfg);
    ck_assert_uint_eq(json_object_size(cfg), nkeys);
    for (size_t i = 0; i < nkeys; i++)
        ck_assert_msg(json_object_get(cfg, keys[i]), "default_config lacks %s", keys[i]);
    ck_assert_int_eq(json_integer_value(json_object_get(cfg, "fit_rate")), 250);
    ck_assert(json_is_null(json_object_get(cfg, "nb_bootstrap")));
    ck_assert_int_eq(json_integer_value(json_object_get(cfg, "k_max")), 10);
    tk_harness_close(&h);
    return cfg;
}

/* ------------------------------------------------------------ checkpoints */

/* Reward of the round-trip learner: alternating blocks on the first quarter
 * of dimension 0, a slope elsewhere. */
static double ckpt_reward(const float *task, int n)
{
    if (task[0] < 0.25f)
        return ((n / 50) % 2 ? 0.9 : 0.1) + 0.05 * task[1];
    return 0.3 * task[1] + 0.001 * (n % 7);
}

void gmm_ckpt_episode(gmm_fx *fx, int n, float *task)
{
    const tk_teacher_fx *t = &fx->tk;
    ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
    ck_assert_int_eq(t->vt->update(t->self, task, ckpt_reward(task, n), 0), TK_OK);
}

static void same_snapshots(const gmm_fx *a, const gmm_fx *b)
{
    const char *text = NULL;
    ck_assert_int_eq(a->tk.vt->snapshot(a->tk.self, &text), TK_OK);
    char *sa = strdup(text);
    ck_assert_ptr_nonnull(sa);
    ck_assert_int_eq(b->tk.vt->snapshot(b->tk.self, &text), TK_OK);
    ck_assert_str_eq(sa, text);
    free(sa);
}

void gmm_ckpt_round_trip(const char *overrides, int before, int after)
{
    gmm_fx a, b;
    ck_assert_int_eq(gmm_fx_open(&a, 21, 2, gmm_unit2, overrides), TK_OK);
    float ta[2], tb[2];
    int n = 0;
    for (; n < before; n++)
        gmm_ckpt_episode(&a, n, ta);
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&a.tk, &size);
    ck_assert_int_eq(gmm_fx_open(&b, 99, 2, gmm_unit2, overrides), TK_OK);
    ck_assert_int_eq(b.tk.vt->load(b.tk.self, bytes, size), TK_OK);
    free(bytes);
    b.tk.h.ctx.rng = a.tk.h.ctx.rng;
    same_snapshots(&a, &b);
    for (; n < before + after; n++) {
        gmm_ckpt_episode(&a, n, ta);
        gmm_ckpt_episode(&b, n, tb);
        ck_assert_msg(memcmp(ta, tb, sizeof ta) == 0, "%s, saved after %d: tasks differ at %d",
                      overrides, before, n);
        if (n % 50 == 0)
            same_snapshots(&a, &b);
    }
    same_snapshots(&a, &b);
    char what[512];
    snprintf(what, sizeof what, "%s, saved after %d", overrides, before);
    tk_ckpt_same_saved(&a.tk, &b.tk, what);
    gmm_fx_close(&a);
    gmm_fx_close(&b);
}

void gmm_ckpt_round_trip_schedule(void)
{
    gmm_ckpt_round_trip("{\"fit_rate\": 100}", 437, 1200);
    gmm_ckpt_round_trip("{\"fit_rate\": 100}", 0, 300);   /* as created */
    gmm_ckpt_round_trip("{\"fit_rate\": 100}", 500, 300); /* right after a fit */
    gmm_ckpt_round_trip("{\"fit_rate\": 100, \"nb_bootstrap\": 250}", 120, 500); /* no model */
}

void gmm_ckpt_rejects_bad_data(const char *config, const char *other_config)
{
    gmm_fx fx, other;
    ck_assert_int_eq(gmm_fx_open(&fx, 3, 2, gmm_unit2, config), TK_OK);
    float task[2];
    for (int n = 0; n < 430; n++)
        gmm_ckpt_episode(&fx, n, task);
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&fx.tk, &size);
    tk_ckpt_rejects_bad_data(&fx.tk, bytes, size);
    ck_assert_int_eq(gmm_fx_open(&other, 3, 2, gmm_unit2, other_config), TK_OK);
    tk_ckpt_refused(&other.tk, bytes, size, "another config's state");
    gmm_fx_close(&other);
    free(bytes);
    gmm_fx_close(&fx);
}

/* --------------------------------------------------------------- toy grid */

double gmm_toy_run(uint64_t seed, int episodes)
{
    tk_env_fx env;
    tk_toy_open(&env, g_kind.toy, seed + 1000, NULL);
    const tk_env_info *info = &env.info;
    tk_teacher_fx t;
    ck_assert_int_eq(tk_teacher_fx_open_merged(&t, g_kind.plugin, g_kind.id, seed,
                                               &info->task_space, NULL),
                     TK_OK);
    float task[8], dummy[1];
    const double lo = info->return_low, span = info->return_high - info->return_low;
    for (int i = 0; i < episodes; i++) {
        double r;
        int done;
        ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
        ck_assert_int_eq(env.vt->set_task(env.env, task), TK_OK);
        ck_assert_int_eq(env.vt->reset(env.env, dummy), TK_OK);
        ck_assert_int_eq(env.vt->step(env.env, dummy, dummy, &r, &done), TK_OK);
        double norm = fmin(1.0, fmax(0.0, (r - lo) / span)); /* host normalisation */
        ck_assert_int_eq(t.vt->update(t.self, task, norm, 0), TK_OK);
    }
    double pct = -1.0;
    ck_assert_int_eq(env.vt->evaluate(env.env, &pct), TK_OK);
    tk_teacher_fx_close(&t);
    tk_env_fx_close(&env);
    return pct;
}
