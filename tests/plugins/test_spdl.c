/*
 * spdl teacher (TeachMyAgent TeachMyAgent/teachers/algos/self_paced_teacher.py).
 *
 * Maths, through the plugin's extension "teachkit.spdl.gaussian/1":
 * log-densities and KL divergences against direct formulas and Monte
 * Carlo; the closed-form gradients (KL, value term) against central finite
 * differences; the Fisher matrix against the finite-difference Hessian of
 * KL(p_old || p_theta); one natural-gradient step stays inside the trust
 * region (KL(p_old || p_new) <= 1.5 max_kl, close to max_kl), does not
 * lower the objective and, with the KL penalty alone, moves towards the
 * target; the line-search rule (TRPO's AND, the original's OR).
 *
 * Plugin ABI: the update schedule in env steps; the distribution moves
 * towards the target with the KL bound respected at every update, and
 * towards high-value contexts with a synthetic student value; samples
 * follow the Gaussian and are clipped; a student without a value function
 * is an error naming value_source; config errors name their key;
 * std_lower_bound; snapshots; checkpoints.
 * argv[1] = spdl plugin, argv[2] = toy-grid plugin (optional).
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/teachers/spdl/spdl_gaussian.h"
#include "check_main.h"
#include "checkpoint_checks.h"
#include "plugin_fixtures.h"
#include "teachkit/rng.h"
#include "toy_grid_driver.h"

static const char *g_plugin;
static const char *g_toy;

static const tk_dim g_dims[2] = {{"x0", 0.0, 1.0}, {"x1", 0.0, 1.0}};
static const tk_task_space g_space = {2, g_dims};
static const tk_dim g_wide[2] = {{"stump_height", 0.0, 3.0}, {"obstacle_spacing", 0.0, 6.0}};
static const tk_task_space g_wide_space = {2, g_wide};

typedef tk_teacher_fx teacher;

/* Open with the defaults and `overrides` merged, as the host does; `value`
 * replaces the host's student_value when set. */
static tk_status teacher_open_with(teacher *t, const tk_task_space *space, const char *overrides,
                                   uint64_t seed,
                                   tk_status (*value)(tk_ctx *, const float *, size_t, float *))
{
    tk_teacher_fx_load(t, g_plugin, "spdl", seed);
    if (value)
        t->h.host.student_value = value;
    return tk_teacher_fx_create_merged(t, space, overrides);
}

static tk_status teacher_open(teacher *t, const char *overrides)
{
    return teacher_open_with(t, &g_space, overrides, 7, NULL);
}

static const spdl_gaussian_api *maths(const teacher *t)
{
    ck_assert_ptr_nonnull(t->vt->get_extension);
    const spdl_gaussian_api *api = t->vt->get_extension(t->self, SPDL_GAUSSIAN_EXT_ID);
    ck_assert_ptr_nonnull(api);
    ck_assert_uint_ge(api->struct_size, sizeof *api);
    ck_assert_ptr_null(t->vt->get_extension(t->self, "teachkit.spdl.gaussian/0"));
    return api;
}

/* The snapshot's distribution and counters. */
typedef struct snap {
    double mean[2], cov[4], kl_target;
    long long iterations, taken, rejected;
} snap;

static snap snapshot(teacher *t)
{
    json_t *root = tk_teacher_fx_snapshot(t, "gaussian");
    snap s;
    json_t *mean = json_object_get(root, "mean"), *cov = json_object_get(root, "cov");
    ck_assert_uint_eq(json_array_size(mean), 2);
    ck_assert_uint_eq(json_array_size(cov), 2);
    for (int i = 0; i < 2; i++) {
        s.mean[i] = json_number_value(json_array_get(mean, (size_t)i));
        ck_assert_uint_eq(json_array_size(json_array_get(cov, (size_t)i)), 2);
        for (int j = 0; j < 2; j++)
            s.cov[i * 2 + j] =
                json_number_value(json_array_get(json_array_get(cov, (size_t)i), (size_t)j));
    }
    s.kl_target = json_number_value(json_object_get(root, "kl_target"));
    s.iterations = (long long)json_integer_value(json_object_get(root, "iterations"));
    s.taken = (long long)json_integer_value(json_object_get(root, "steps_taken"));
    s.rejected = (long long)json_integer_value(json_object_get(root, "steps_rejected"));
    json_decref(root);
    return s;
}

/* KL(a || b) of two snapshots, through the extension. */
static double snap_kl(const spdl_gaussian_api *api, const snap *a, const snap *b)
{
    spdl_gauss ga, gb;
    ck_assert_int_eq(api->alloc(&ga, 2), 0);
    ck_assert_int_eq(api->alloc(&gb, 2), 0);
    ck_assert_int_eq(api->set_mean_cov(&ga, a->mean, a->cov), 0);
    ck_assert_int_eq(api->set_mean_cov(&gb, b->mean, b->cov), 0);
    double work[16];
    const double kl = api->kl(&ga, &gb, work);
    api->free(&ga);
    api->free(&gb);
    return kl;
}

/* One episode as core/host/runner.c plays it: sample, episode_start with
 * the task as the first observation, `steps` step_updates of reward
 * `reward`, update with the normalised return `ret`. */
static void episode(teacher *t, float *task, int steps, double reward, double ret)
{
    ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
    ck_assert_int_eq(t->vt->episode_start(t->self, task, task), TK_OK);
    for (int k = 0; k < steps; k++)
        ck_assert_int_eq(t->vt->step_update(t->self, task, NULL, reward, task, k == steps - 1),
                         TK_OK);
    ck_assert_int_eq(t->vt->update(t->self, task, ret, 0), TK_OK);
}

/* ------------------------------------------------------------- descriptor */

START_TEST(test_descriptor)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"value_source\": \"episode_return\"}"), TK_OK);
    const tk_descriptor *d = t.h.desc;
    ck_assert_int_eq(d->kind, TK_KIND_TEACHER);
    int step = 0, init = 0, target = 0;
    for (const char *const *f = d->features; f && *f; f++) {
        step |= strcmp(*f, "step-update") == 0;
        init |= strcmp(*f, "accepts-initial-dist") == 0;
        target |= strcmp(*f, "accepts-target-dist") == 0;
        /* A fallback value source exists, so the host must not refuse
         * students without a value function; returns are normalised. */
        ck_assert_str_ne(*f, "student-value");
        ck_assert_str_ne(*f, "raw-return");
    }
    ck_assert(step && init && target);
    ck_assert_ptr_nonnull(t.vt->step_update);
    ck_assert_ptr_nonnull(t.vt->episode_start);
    json_t *def = json_loads(d->default_config, 0, NULL);
    ck_assert_ptr_nonnull(def);
    /* TeachMyAgent benchmark settings (its teacher_args_handler.py). */
    ck_assert_int_eq(json_integer_value(json_object_get(def, "update_frequency")), 50000);
    ck_assert_int_eq(json_integer_value(json_object_get(def, "update_offset")), 200000);
    ck_assert_int_eq(json_integer_value(json_object_get(def, "alpha_offset")), 10);
    ck_assert_double_eq(json_number_value(json_object_get(def, "zeta")), 0.25);
    ck_assert_double_eq(json_number_value(json_object_get(def, "max_kl")), 0.1);
    ck_assert(json_is_true(json_object_get(def, "use_avg_performance")));
    ck_assert_int_eq(json_integer_value(json_object_get(def, "max_context_buffer_size")), 1000);
    ck_assert_str_eq(json_string_value(json_object_get(def, "value_source")), "student");
    ck_assert(json_is_null(json_object_get(def, "initial_dist")));
    ck_assert(json_is_null(json_object_get(def, "target_dist")));
    json_decref(def);
    tk_teacher_fx_close(&t);
}
END_TEST

/* ------------------------------------------------------------------ maths */

#define D 3

/* A random distribution of dimension D. */
static void random_theta(tk_rng *rng, size_t P, double *theta)
{
    for (size_t a = 0; a < P; a++)
        theta[a] = a < D ? tk_rng_range(rng, -1.0, 1.0)
                 : a < 2 * D ? tk_rng_range(rng, -1.0, 0.5)
                             : tk_rng_range(rng, -0.6, 0.6);
}

/* L of theta (row-major D x D), as documented in spdl_gaussian.h. */
static void chol_of(const double *theta, double *L)
{
    memset(L, 0, D * D * sizeof *L);
    size_t o = 2 * D;
    for (size_t i = 0; i < D; i++) {
        for (size_t j = 0; j < i; j++)
            L[i * D + j] = theta[o++];
        L[i * D + i] = exp(theta[D + i]);
    }
}

/* Direct log-density: forward substitution for z = L^-1 (c - mu). */
static double direct_log_pdf(const double *theta, const double *c)
{
    double L[D * D], z[D];
    chol_of(theta, L);
    double q = 0.0, logdiag = 0.0;
    for (size_t i = 0; i < D; i++) {
        double s = c[i] - theta[i];
        for (size_t j = 0; j < i; j++)
            s -= L[i * D + j] * z[j];
        z[i] = s / L[i * D + i];
        q += z[i] * z[i];
        logdiag += theta[D + i];
    }
    return -0.5 * q - logdiag - 0.5 * D * log(2.0 * M_PI);
}

START_TEST(test_log_pdf_and_kl)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"value_source\": \"episode_return\"}"), TK_OK);
    const spdl_gaussian_api *api = maths(&t);
    const size_t P = api->n_params(D);
    ck_assert_uint_eq(P, D + D * (D + 1) / 2);
    tk_rng rng;
    tk_rng_seed(&rng, 3);
    double tp[16], tq[16], work[4096], c[5 * D], logp[5];
    spdl_gauss p, q;
    ck_assert_int_eq(api->alloc(&p, D), 0);
    ck_assert_int_eq(api->alloc(&q, D), 0);
    for (int trial = 0; trial < 5; trial++) {
        random_theta(&rng, P, tp);
        random_theta(&rng, P, tq);
        ck_assert_int_eq(api->set_theta(&p, tp), 0);
        ck_assert_int_eq(api->set_theta(&q, tq), 0);
        double back[16];
        api->get_theta(&p, back);
        ck_assert_mem_eq(back, tp, P * sizeof *tp);
        for (size_t i = 0; i < 5 * D; i++)
            c[i] = tk_rng_range(&rng, -2.0, 2.0);
        api->log_pdf(&p, c, 5, logp, work);
        for (size_t i = 0; i < 5; i++)
            ck_assert_double_eq_tol(logp[i], direct_log_pdf(tp, c + i * D), 1e-12);
        ck_assert_double_eq_tol(api->kl(&p, &p, work), 0.0, 1e-12);
        /* Monte Carlo: KL(p || q) = E_p[log p - log q]. */
        double L[D * D];
        chol_of(tp, L);
        const int n = 200000;
        double sum = 0.0, sum2 = 0.0;
        for (int s = 0; s < n; s++) {
            double z[D], x[D];
            for (size_t k = 0; k < D; k++)
                z[k] = tk_rng_normal(&rng);
            for (size_t i = 0; i < D; i++) {
                x[i] = tp[i];
                for (size_t k = 0; k <= i; k++)
                    x[i] += L[i * D + k] * z[k];
            }
            const double r = direct_log_pdf(tp, x) - direct_log_pdf(tq, x);
            sum += r;
            sum2 += r * r;
        }
        const double mc = sum / n, se = sqrt((sum2 / n - mc * mc) / n);
        const double kl = api->kl(&p, &q, work);
        ck_assert_msg(fabs(kl - mc) < 5.0 * se + 1e-9, "KL %g, Monte Carlo %g +- %g", kl, mc, se);
    }
    /* A covariance that is not positive definite is refused. */
    const double mu[D] = {0, 0, 0}, bad[D * D] = {1, 2, 0, 2, 1, 0, 0, 0, 1};
    ck_assert_int_eq(api->set_mean_cov(&p, mu, bad), -1);
    api->free(&p);
    api->free(&q);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_gradients_and_fisher)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"value_source\": \"episode_return\"}"), TK_OK);
    const spdl_gaussian_api *api = maths(&t);
    const size_t P = api->n_params(D);
    tk_rng rng;
    tk_rng_seed(&rng, 4);
    enum { N = 40 };
    double tp[16], tq[16], th[16], work[8192], c[N * D], v[N], logp[N];
    double grad[16], F[16 * 16];
    spdl_gauss p, q, x;
    ck_assert_int_eq(api->alloc(&p, D), 0);
    ck_assert_int_eq(api->alloc(&q, D), 0);
    ck_assert_int_eq(api->alloc(&x, D), 0);
    for (int trial = 0; trial < 4; trial++) {
        random_theta(&rng, P, tp);
        random_theta(&rng, P, tq);
        ck_assert_int_eq(api->set_theta(&p, tp), 0);
        ck_assert_int_eq(api->set_theta(&q, tq), 0);
        for (size_t i = 0; i < N * D; i++)
            c[i] = tk_rng_range(&rng, -1.5, 1.5);
        for (size_t i = 0; i < N; i++)
            v[i] = tk_rng_range(&rng, -1.0, 2.0);

        /* grad KL(p || q) w.r.t. p. */
        const double h = 1e-6;
        api->kl_grad(&p, &q, grad, work);
        for (size_t a = 0; a < P; a++) {
            memcpy(th, tp, sizeof th);
            th[a] = tp[a] + h;
            ck_assert_int_eq(api->set_theta(&x, th), 0);
            const double up = api->kl(&x, &q, work);
            th[a] = tp[a] - h;
            ck_assert_int_eq(api->set_theta(&x, th), 0);
            const double down = api->kl(&x, &q, work);
            const double fd = (up - down) / (2 * h);
            ck_assert_msg(fabs(grad[a] - fd) < 1e-6 * fmax(1.0, fabs(fd)),
                          "dKL/dtheta[%zu]: %g vs finite difference %g", a, grad[a], fd);
        }

        /* (1/n) sum_i v_i grad log p(c_i). */
        api->value_grad(&p, c, v, N, grad, work);
        for (size_t a = 0; a < P; a++) {
            double f[2];
            for (int s = 0; s < 2; s++) {
                memcpy(th, tp, sizeof th);
                th[a] = tp[a] + (s ? -h : h);
                ck_assert_int_eq(api->set_theta(&x, th), 0);
                api->log_pdf(&x, c, N, logp, work);
                f[s] = 0.0;
                for (size_t i = 0; i < N; i++)
                    f[s] += v[i] * logp[i] / N;
            }
            const double fd = (f[0] - f[1]) / (2 * h);
            ck_assert_msg(fabs(grad[a] - fd) < 1e-6 * fmax(1.0, fabs(fd)),
                          "value gradient[%zu]: %g vs finite difference %g", a, grad[a], fd);
        }

        /* The objective at p (all importance weights 1). */
        api->log_pdf(&p, c, N, logp, work);
        double vmean = 0.0;
        for (size_t i = 0; i < N; i++)
            vmean += v[i] / N;
        ck_assert_double_eq_tol(api->objective(&p, &q, c, logp, v, N, 0.7, work),
                                vmean - 0.7 * api->kl(&p, &q, work), 1e-12);

        /* Fisher = Hessian of KL(p || p_theta) at theta = tp. */
        api->fisher(&p, F);
        const double e = 1e-4;
        for (size_t a = 0; a < P; a++)
            for (size_t b = 0; b < P; b++) {
                double k[4];
                for (int s = 0; s < 4; s++) {
                    memcpy(th, tp, sizeof th);
                    th[a] += s & 1 ? -e : e;
                    th[b] += s & 2 ? -e : e;
                    ck_assert_int_eq(api->set_theta(&x, th), 0);
                    k[s] = api->kl(&p, &x, work);
                }
                const double fd = (k[0] - k[1] - k[2] + k[3]) / (4 * e * e);
                ck_assert_msg(fabs(F[a * P + b] - fd) < 1e-5 * fmax(1.0, fabs(fd)),
                              "F[%zu][%zu] = %g vs finite difference %g", a, b, F[a * P + b], fd);
            }
    }
    api->free(&p);
    api->free(&q);
    api->free(&x);
    tk_teacher_fx_close(&t);
}
END_TEST

static const spdl_step_params g_params = {
    .max_kl = 0.1, .damping = 1e-2, .residual_tol = 1e-10, .cg_iterations = 10,
    .line_search_iterations = 10, .require_both = 1};

/* The update respects the KL bound: over random problems with a smooth
 * value function, the accepted step has KL(p_old || p_new) <= 1.5 max_kl
 * and, the natural step being scaled to max_kl, close to it; the
 * objective does not decrease. */
START_TEST(test_natural_step_respects_kl_bound)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"value_source\": \"episode_return\"}"), TK_OK);
    const spdl_gaussian_api *api = maths(&t);
    const size_t P = api->n_params(D);
    tk_rng rng;
    tk_rng_seed(&rng, 5);
    enum { N = 300 };
    double tp[16], tq[16], c[N * D], v[N], work[4096], L[D * D];
    spdl_gauss p, q, old;
    ck_assert_int_eq(api->alloc(&p, D), 0);
    ck_assert_int_eq(api->alloc(&q, D), 0);
    ck_assert_int_eq(api->alloc(&old, D), 0);
    int taken = 0, full = 0;
    for (int trial = 0; trial < 30; trial++) {
        random_theta(&rng, P, tp);
        random_theta(&rng, P, tq);
        ck_assert_int_eq(api->set_theta(&p, tp), 0);
        ck_assert_int_eq(api->set_theta(&old, tp), 0);
        ck_assert_int_eq(api->set_theta(&q, tq), 0);
        chol_of(tp, L);
        const double star[D] = {1.0, -0.5, 0.3};
        for (size_t s = 0; s < N; s++) {
            double z[D], d2 = 0.0;
            for (size_t k = 0; k < D; k++)
                z[k] = tk_rng_normal(&rng);
            for (size_t i = 0; i < D; i++) {
                c[s * D + i] = tp[i];
                for (size_t k = 0; k <= i; k++)
                    c[s * D + i] += L[i * D + k] * z[k];
                d2 += (c[s * D + i] - star[i]) * (c[s * D + i] - star[i]);
            }
            v[s] = exp(-0.5 * d2);
        }
        const double alpha = trial % 3 == 0 ? 0.0 : 0.05 * trial;
        spdl_step_result res;
        const int outcome = api->natural_step(&p, &q, c, v, N, alpha, &g_params, &res);
        ck_assert(outcome == SPDL_STEP_TAKEN || outcome == SPDL_STEP_REJECTED);
        const double kl = api->kl(&old, &p, work);
        if (outcome == SPDL_STEP_REJECTED) {
            ck_assert_double_eq(kl, 0.0);
            continue;
        }
        taken++;
        ck_assert_double_eq_tol(res.kl_step, kl, 1e-12);
        ck_assert_msg(kl <= 1.5 * g_params.max_kl, "trial %d: KL step %g", trial, kl);
        ck_assert_msg(res.stepsize < 1.0 || kl >= 0.5 * g_params.max_kl,
                      "trial %d: full step with KL %g, far below max_kl", trial, kl);
        ck_assert(res.objective_new >= res.objective_old);
        full += res.stepsize == 1.0;
    }
    ck_assert_int_ge(taken, 25);
    /* The scaled natural step is the step: the line search rarely cuts it. */
    ck_assert_msg(full >= 3 * taken / 4, "%d of %d steps were full steps", full, taken);
    api->free(&p);
    api->free(&q);
    api->free(&old);
    tk_teacher_fx_close(&t);
}
END_TEST

/* With zero values only the KL penalty acts: every step moves p towards q
 * and keeps to the trust region; repeated steps reach q. */
START_TEST(test_natural_step_moves_towards_target)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"value_source\": \"episode_return\"}"), TK_OK);
    const spdl_gaussian_api *api = maths(&t);
    const size_t P = api->n_params(D);
    tk_rng rng;
    tk_rng_seed(&rng, 6);
    double tp[16], tq[16], c[10 * D], v[10] = {0}, work[4096];
    random_theta(&rng, P, tp);
    random_theta(&rng, P, tq);
    for (size_t i = 0; i < 10 * D; i++)
        c[i] = tk_rng_range(&rng, -1.0, 1.0);
    spdl_gauss p, q, old;
    ck_assert_int_eq(api->alloc(&p, D), 0);
    ck_assert_int_eq(api->alloc(&q, D), 0);
    ck_assert_int_eq(api->alloc(&old, D), 0);
    ck_assert_int_eq(api->set_theta(&p, tp), 0);
    ck_assert_int_eq(api->set_theta(&q, tq), 0);
    double before = api->kl(&p, &q, work);
    ck_assert(before > 1.0);
    for (int k = 0; k < 200 && before > 1e-6; k++) {
        double th[16];
        api->get_theta(&p, th);
        ck_assert_int_eq(api->set_theta(&old, th), 0);
        spdl_step_result res;
        ck_assert_int_eq(api->natural_step(&p, &q, c, v, 10, 10.0, &g_params, &res),
                         SPDL_STEP_TAKEN);
        const double after = api->kl(&p, &q, work);
        ck_assert_msg(after < before, "step %d: KL to target %g -> %g", k, before, after);
        ck_assert(api->kl(&old, &p, work) <= 1.5 * g_params.max_kl);
        before = after;
    }
    ck_assert_msg(before < 1e-3, "KL to target still %g", before);
    api->free(&p);
    api->free(&q);
    api->free(&old);
    tk_teacher_fx_close(&t);
}
END_TEST

/* At p = q with a large alpha, any step lowers the objective (the KL
 * penalty outweighs the value term): TRPO's rule rejects it and restores
 * p; the original's rule takes the full step because its KL is within
 * 1.5 max_kl (_line_search of conjugate_gradient.py). */
START_TEST(test_line_search_rule)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"value_source\": \"episode_return\"}"), TK_OK);
    const spdl_gaussian_api *api = maths(&t);
    const size_t P = api->n_params(D);
    tk_rng rng;
    tk_rng_seed(&rng, 8);
    enum { N = 100 };
    double tp[16], th[16], c[N * D], v[N];
    random_theta(&rng, P, tp);
    for (size_t i = 0; i < N * D; i++)
        c[i] = tk_rng_range(&rng, -1.0, 1.0);
    for (size_t i = 0; i < N; i++)
        v[i] = tk_rng_uniform(&rng);
    spdl_gauss p, q;
    ck_assert_int_eq(api->alloc(&p, D), 0);
    ck_assert_int_eq(api->alloc(&q, D), 0);
    ck_assert_int_eq(api->set_theta(&q, tp), 0);
    for (int both = 1; both >= 0; both--) {
        spdl_step_params prm = g_params;
        prm.require_both = both;
        ck_assert_int_eq(api->set_theta(&p, tp), 0);
        spdl_step_result res;
        const int outcome = api->natural_step(&p, &q, c, v, N, 1e5, &prm, &res);
        api->get_theta(&p, th);
        if (both) {
            ck_assert_int_eq(outcome, SPDL_STEP_REJECTED);
            ck_assert_mem_eq(th, tp, P * sizeof *tp);
        } else {
            ck_assert_int_eq(outcome, SPDL_STEP_TAKEN);
            ck_assert_double_eq(res.stepsize, 1.0);
            ck_assert(res.objective_new < res.objective_old);
            ck_assert(res.kl_step <= 1.5 * prm.max_kl);
        }
    }
    api->free(&p);
    api->free(&q);
    tk_teacher_fx_close(&t);
}
END_TEST

/* ------------------------------------------------------------- the plugin */

START_TEST(test_update_schedule)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"value_source\": \"episode_return\", "
                                      "\"update_offset\": 30, \"update_frequency\": 10}"),
                     TK_OK);
    float task[2];
    /* One step per episode: the update runs inside step_update of the
     * 30th step, before the 30th episode's update. */
    for (int e = 1; e <= 75; e++) {
        episode(&t, task, 1, 0.5, 0.5);
        const long long want = e < 30 ? 0 : 1 + (e - 30) / 10;
        ck_assert_int_eq(snapshot(&t).iterations, want);
    }
    tk_teacher_fx_close(&t);

    /* An update due before any episode has finished is skipped. */
    ck_assert_int_eq(teacher_open(&t, "{\"value_source\": \"episode_return\", "
                                      "\"update_offset\": 0, \"update_frequency\": 2}"),
                     TK_OK);
    ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
    ck_assert_int_eq(t.vt->episode_start(t.self, task, task), TK_OK);
    for (int k = 0; k < 6; k++)
        ck_assert_int_eq(t.vt->step_update(t.self, task, NULL, 1.0, task, 0), TK_OK);
    ck_assert_int_eq(snapshot(&t).iterations, 0);
    ck_assert_int_eq(t.vt->update(t.self, task, 1.0, 0), TK_OK);
    episode(&t, task, 2, 1.0, 1.0); /* step 8: the first update */
    ck_assert_int_eq(snapshot(&t).iterations, 1);
    tk_teacher_fx_close(&t);
}
END_TEST

static tk_status zero_value(tk_ctx *ctx, const float *obs, size_t n, float *out)
{
    (void)ctx, (void)obs;
    for (size_t i = 0; i < n; i++)
        out[i] = 0.0f;
    return TK_OK;
}

/* SPDL's update moves towards the target and respects the KL bound, seen
 * through the ABI: zero values leave only alpha KL(p || q), alpha > 0 from
 * the first update (alpha_offset 0, positive discounted returns); every
 * update lowers KL(p || q) with KL(p_old || p_new) <= 1.5 max_kl, and the
 * mean approaches the target's. */
START_TEST(test_moves_towards_target)
{
    teacher t;
    ck_assert_int_eq(
        teacher_open_with(&t, &g_wide_space,
                          "{\"update_offset\": 20, \"update_frequency\": 20, \"alpha_offset\": 0, "
                          "\"initial_dist\": {\"mean\": [0.3, 5.5], \"std\": [0.1, 0.2]}}",
                          9, zero_value),
        TK_OK);
    const spdl_gaussian_api *api = maths(&t);
    snap prev = snapshot(&t);
    ck_assert(prev.kl_target > 5.0);
    const double target[2] = {1.5, 3.0}; /* the default target: the centre */
    float task[2];
    int updates = 0;
    for (int e = 0; e < 2000; e++) {
        episode(&t, task, 4, 1.0, 0.5);
        const snap s = snapshot(&t);
        if (s.iterations == prev.iterations)
            continue;
        updates++;
        ck_assert_int_eq(s.iterations, prev.iterations + 1);
        const double kl_step = snap_kl(api, &prev, &s);
        ck_assert_msg(kl_step <= 1.5 * 0.1 + 1e-9, "update %lld: KL step %g", s.iterations,
                      kl_step);
        if (prev.kl_target > 1e-3) {
            ck_assert_msg(s.kl_target < prev.kl_target, "update %lld: KL to target %g -> %g",
                          s.iterations, prev.kl_target, s.kl_target);
            ck_assert(kl_step > 0.01);
        }
        prev = s;
    }
    ck_assert_int_eq(updates, 400);
    ck_assert_msg(prev.kl_target < 0.01, "KL to target %g after %d updates", prev.kl_target,
                  updates);
    ck_assert_double_eq_tol(prev.mean[0], target[0], 0.05);
    ck_assert_double_eq_tol(prev.mean[1], target[1], 0.1);
    ck_assert_double_eq_tol(prev.cov[0], 0.75 * 0.75, 0.05);
    ck_assert_double_eq_tol(prev.cov[3], 1.5 * 1.5, 0.2);
    tk_teacher_fx_close(&t);
}
END_TEST

/* V(s0) peaks at (0.8, 0.7); the first observation is the task itself. */
static tk_status bump_value(tk_ctx *ctx, const float *obs, size_t n, float *out)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        const double dx = obs[2 * i] - 0.8, dy = obs[2 * i + 1] - 0.7;
        out[i] = (float)exp(-(dx * dx + dy * dy) / (2 * 0.15 * 0.15));
    }
    return TK_OK;
}

/* Without the KL penalty (alpha_offset beyond the run), the distribution
 * climbs the student's value estimate. */
START_TEST(test_follows_student_value)
{
    teacher t;
    ck_assert_int_eq(
        teacher_open_with(&t, &g_space,
                          "{\"update_offset\": 100, \"update_frequency\": 100, "
                          "\"alpha_offset\": 1000000, \"max_kl\": 0.05, "
                          "\"initial_dist\": {\"mean\": [0.45, 0.45], \"std\": [0.1, 0.1]}}",
                          10, bump_value),
        TK_OK);
    const spdl_gaussian_api *api = maths(&t);
    snap prev = snapshot(&t);
    const double d0 = hypot(prev.mean[0] - 0.8, prev.mean[1] - 0.7);
    float task[2];
    for (int e = 0; e < 3000; e++) {
        episode(&t, task, 1, 0.0, 0.0);
        const snap s = snapshot(&t);
        if (s.iterations != prev.iterations)
            ck_assert(snap_kl(api, &prev, &s) <= 1.5 * 0.05 + 1e-9);
        prev = s;
    }
    ck_assert_int_eq(prev.iterations, 30);
    const double d1 = hypot(prev.mean[0] - 0.8, prev.mean[1] - 0.7);
    ck_assert_msg(d1 < 0.3 * d0, "distance to the value peak %g -> %g", d0, d1);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_student_without_value)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{}"), TK_OK); /* value_source "student" */
    float task[2];
    ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
    ck_assert_int_eq(t.vt->episode_start(t.self, task, task), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "value_source");
    ck_assert_ptr_nonnull(strstr(t.h.ctx.err_message, "no value"));
    ck_assert_ptr_nonnull(strstr(t.h.ctx.err_message, "episode_return"));
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_update_without_episode_start)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"value_source\": \"episode_return\"}"), TK_OK);
    float task[2];
    ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
    ck_assert_int_eq(t.vt->update(t.self, task, 0.5, 0), TK_ERR_STATE);
    const float bad[2] = {NAN, 0.5f};
    ck_assert_int_eq(t.vt->episode_start(t.self, task, task), TK_OK);
    ck_assert_int_eq(t.vt->update(t.self, bad, 0.5, 0), TK_ERR_INVALID);
    ck_assert_int_eq(t.vt->update(t.self, task, NAN, 0), TK_ERR_INVALID);
    ck_assert_int_eq(t.vt->step_update(t.self, task, NULL, INFINITY, task, 1), TK_ERR_INVALID);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_samples)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"value_source\": \"episode_return\", \"initial_dist\": "
                                      "{\"mean\": [0.5, 0.45], \"cov\": [[0.01, 0.004], "
                                      "[0.004, 0.02]]}}"),
                     TK_OK);
    const snap s = snapshot(&t);
    ck_assert_double_eq_tol(s.mean[0], 0.5, 1e-12);
    ck_assert_double_eq_tol(s.cov[1], 0.004, 1e-12);
    ck_assert_double_eq_tol(s.cov[3], 0.02, 1e-12);
    const int n = 40000;
    double m[2] = {0}, c[3] = {0};
    float task[2];
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
        ck_assert(task[0] >= 0.0f && task[0] <= 1.0f && task[1] >= 0.0f && task[1] <= 1.0f);
        m[0] += task[0];
        m[1] += task[1];
        c[0] += (task[0] - 0.5) * (task[0] - 0.5);
        c[1] += (task[0] - 0.5) * (task[1] - 0.45);
        c[2] += (task[1] - 0.45) * (task[1] - 0.45);
    }
    ck_assert_double_eq_tol(m[0] / n, 0.5, 0.003);
    ck_assert_double_eq_tol(m[1] / n, 0.45, 0.003);
    ck_assert_double_eq_tol(c[0] / n, 0.01, 0.0006);
    ck_assert_double_eq_tol(c[1] / n, 0.004, 0.0006);
    ck_assert_double_eq_tol(c[2] / n, 0.02, 0.0012);
    tk_teacher_fx_close(&t);

    /* A distribution centred outside the space: clipped to its bounds. */
    ck_assert_int_eq(teacher_open(&t, "{\"value_source\": \"episode_return\", \"initial_dist\": "
                                      "{\"mean\": [1.5, 0.5], \"std\": [0.2, 0.1]}}"),
                     TK_OK);
    int at_edge = 0;
    for (int i = 0; i < 1000; i++) {
        ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
        ck_assert(task[0] >= 0.0f && task[0] <= 1.0f);
        at_edge += task[0] == 1.0f;
    }
    ck_assert_int_ge(at_edge, 990);
    tk_teacher_fx_close(&t);

    /* Default initial distribution: a random sub-space Gaussian, std 10 %
     * of each range; default target: the centre, std a quarter. */
    ck_assert_int_eq(teacher_open_with(&t, &g_wide_space, "{\"value_source\": \"episode_return\"}",
                                       12, NULL),
                     TK_OK);
    const snap d = snapshot(&t);
    ck_assert(d.mean[0] >= 0.0 && d.mean[0] <= 3.0 && d.mean[1] >= 0.0 && d.mean[1] <= 6.0);
    ck_assert_double_eq_tol(d.cov[0], 0.3 * 0.3, 1e-12);
    ck_assert_double_eq_tol(d.cov[3], 0.6 * 0.6, 1e-12);
    ck_assert_double_eq_tol(d.cov[1], 0.0, 1e-15);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_config_errors)
{
    static const struct {
        const char *overrides, *path;
    } cases[] = {
        {"{\"initial_dist\": {\"mean\": [0.5, 0.5], \"cov\": [[1, 2], [2, 1]]}}",
         "initial_dist.cov"},
        {"{\"initial_dist\": {\"mean\": [0.5, 0.5], \"cov\": [[1, 0.5], [0.4, 1]]}}",
         "initial_dist.cov"},
        {"{\"initial_dist\": {\"mean\": [0.5], \"std\": [1]}}", "initial_dist.mean"},
        {"{\"initial_dist\": {\"mean\": [0.5, 0.5], \"std\": [1, 2], \"cov\": [[1, 0], [0, 1]]}}",
         "initial_dist"},
        {"{\"initial_dist\": {\"mean\": [0.5, 0.5]}}", "initial_dist"},
        {"{\"initial_dist\": {\"mean\": [0.5, 0.5], \"std\": [1, -2]}}", "initial_dist.std[1]"},
        {"{\"initial_dist\": {\"mean\": [0.5, 0.5], \"std\": [1, 0]}}", "initial_dist.std[1]"},
        {"{\"initial_dist\": {\"mean\": [0.5, 0.5], \"variance\": [[1, 0], [0, 1]]}}",
         "initial_dist"},
        {"{\"initial_dist\": {\"mean\": [0.5, 0.5], \"cov\": [[1, 0], [0]]}}",
         "initial_dist.cov[1]"},
        {"{\"target_dist\": {\"mean\": [\"a\", 0.5], \"std\": [1, 1]}}", "target_dist.mean[0]"},
        {"{\"target_dist\": 3}", "target_dist"},
        {"{\"std_lower_bound\": 0.1}", "kl_threshold"},
        {"{\"std_lower_bound\": [0.1], \"kl_threshold\": 1}", "std_lower_bound"},
        {"{\"std_lower_bound\": [0.1, -1], \"kl_threshold\": 1}", "std_lower_bound[1]"},
        {"{\"value_source\": \"critic\"}", "value_source"},
        {"{\"update_frequency\": 0}", "update_frequency"},
        {"{\"max_kl\": 0}", "max_kl"},
        {"{\"discount_factor\": 1.5}", "discount_factor"},
        {"{\"compat\": \"tma\"}", "compat"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        teacher t;
        ck_assert_msg(teacher_open(&t, cases[i].overrides) == TK_ERR_CONFIG, "accepted: %s",
                      cases[i].overrides);
        ck_assert_msg(strcmp(t.h.ctx.err_path, cases[i].path) == 0, "%s: path %s, want %s",
                      cases[i].overrides, t.h.ctx.err_path, cases[i].path);
        ck_assert(t.h.ctx.err_message[0] != '\0');
        tk_teacher_fx_close(&t);
    }
}
END_TEST

/* std_lower_bound raises the Cholesky diagonal after an update while p is
 * farther than kl_threshold from q. */
START_TEST(test_std_lower_bound)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"value_source\": \"episode_return\", "
                                      "\"update_offset\": 10, \"update_frequency\": 10, "
                                      "\"std_lower_bound\": [0.05, 0.08], \"kl_threshold\": 0.0, "
                                      "\"initial_dist\": {\"mean\": [0.2, 0.2], "
                                      "\"std\": [0.01, 0.01]}}"),
                     TK_OK);
    float task[2];
    for (int e = 0; e < 10; e++)
        episode(&t, task, 1, 0.5, 0.5);
    const snap s = snapshot(&t);
    ck_assert_int_eq(s.iterations, 1);
    ck_assert(s.cov[0] >= 0.05 * 0.05 * (1 - 1e-12));
    ck_assert(s.cov[3] >= 0.08 * 0.08 * (1 - 1e-12));
    tk_teacher_fx_close(&t);
}
END_TEST

/* ------------------------------------------------------------- checkpoints */

#define CKPT_CONFIG                                                                           \
    "{\"update_offset\": 60, \"update_frequency\": 40, \"alpha_offset\": 3, "                 \
    "\"max_context_buffer_size\": 25}"

/* Three steps per episode, the value peaks away from the start; saved
 * mid-episode (after episode_start and one step) so the pending episode
 * and the running discounted return travel too. */
static void ckpt_episode_part(teacher *t, float *task, int part)
{
    if (part == 0) {
        ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
        ck_assert_int_eq(t->vt->episode_start(t->self, task, task), TK_OK);
        ck_assert_int_eq(t->vt->step_update(t->self, task, NULL, task[0], task, 0), TK_OK);
    } else {
        for (int k = 0; k < 2; k++)
            ck_assert_int_eq(t->vt->step_update(t->self, task, NULL, 1.0 - task[1], task, k),
                             TK_OK);
        ck_assert_int_eq(t->vt->update(t->self, task, 0.5 * (task[0] + 1.0 - task[1]), 0),
                         TK_OK);
    }
}

START_TEST(test_checkpoint_round_trip)
{
    teacher a, b;
    ck_assert_int_eq(teacher_open_with(&a, &g_space, CKPT_CONFIG, 21, bump_value), TK_OK);
    float ta[2], tb[2];
    for (int e = 0; e < 437; e++) {
        ckpt_episode_part(&a, ta, 0);
        ckpt_episode_part(&a, ta, 1);
    }
    ckpt_episode_part(&a, ta, 0);
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&a, &size);
    ck_assert_int_eq(teacher_open_with(&b, &g_space, CKPT_CONFIG, 99, bump_value), TK_OK);
    ck_assert_int_eq(b.vt->load(b.self, bytes, size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng;
    memcpy(tb, ta, sizeof tb);
    ckpt_episode_part(&a, ta, 1);
    ckpt_episode_part(&b, tb, 1);
    for (int e = 0; e < 1500; e++) {
        ckpt_episode_part(&a, ta, 0);
        ckpt_episode_part(&b, tb, 0);
        ck_assert_mem_eq(ta, tb, sizeof ta);
        ckpt_episode_part(&a, ta, 1);
        ckpt_episode_part(&b, tb, 1);
    }
    const snap sa = snapshot(&a), sb = snapshot(&b);
    ck_assert_mem_eq(sa.mean, sb.mean, sizeof sa.mean);
    ck_assert_mem_eq(sa.cov, sb.cov, sizeof sa.cov);
    ck_assert_int_eq(sa.iterations, sb.iterations);
    ck_assert_int_gt(sa.iterations, 100);
    ck_assert_int_gt(sa.taken, 10);
    free(bytes);
    tk_ckpt_same_saved(&a, &b, "after the round trip");
    tk_teacher_fx_close(&a);
    tk_teacher_fx_close(&b);
}
END_TEST

/* An instance that accepted a flipped state samples inside the task space
 * and plays on: a flipped state may hold a pending episode or not, and its
 * step_update may meet a numeric error. */
static void play_in_bounds(tk_teacher_fx *t)
{
    float task[2];
    for (int e = 0; e < 50; e++) {
        ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
        ck_assert(task[0] >= 0.0f && task[0] <= 1.0f && task[1] >= 0.0f && task[1] <= 1.0f);
        if (t->vt->episode_start(t->self, task, task) != TK_OK)
            continue;
        tk_status s2 = t->vt->step_update(t->self, task, NULL, 0.5, task, 1);
        ck_assert(s2 == TK_OK || s2 == TK_ERR_NUMERIC);
        ck_assert_int_eq(t->vt->update(t->self, task, 0.5, 0), TK_OK);
    }
}

START_TEST(test_checkpoint_rejects_bad_data)
{
    teacher t, other;
    ck_assert_int_eq(teacher_open_with(&t, &g_space, CKPT_CONFIG, 22, bump_value), TK_OK);
    float task[2];
    for (int e = 0; e < 70; e++) {
        ckpt_episode_part(&t, task, 0);
        ckpt_episode_part(&t, task, 1);
    }
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&t, &size);
    const tk_ckpt_damage damage = {.dense = SIZE_MAX, .garbage = 1, .noise_seed = 78,
                                   .flips = 300, .play = play_in_bounds};
    tk_ckpt_rejects_damage(&t, bytes, size, &damage);
    /* Another buffer size or value source: another configuration's state. */
    ck_assert_int_eq(teacher_open_with(&other, &g_space,
                                       "{\"max_context_buffer_size\": 24}", 1, NULL),
                     TK_OK);
    tk_ckpt_refused(&other, bytes, size, "another buffer's state");
    tk_teacher_fx_close(&other);
    ck_assert_int_eq(teacher_open_with(&other, &g_space,
                                       "{\"max_context_buffer_size\": 25, "
                                       "\"value_source\": \"episode_return\"}",
                                       1, NULL),
                     TK_OK);
    tk_ckpt_refused(&other, bytes, size, "another value source's");
    tk_teacher_fx_close(&other);
    free(bytes);
    tk_teacher_fx_close(&t);
}
END_TEST

/* ------------------------------------------------------------ toy curriculum */

/* On the toy grid (one step per episode, no student value) with the
 * episode_return fallback and a start at the origin, the updates run and
 * the simulated learner masters cells. */
START_TEST(test_toy_grid_runs)
{
    if (!g_toy)
        return;
    tk_env_fx toy;
    tk_toy_open(&toy, g_toy, 3, TK_TOY_GRID_2D);
    teacher t;
    ck_assert_int_eq(teacher_open_with(&t, &toy.info.task_space,
                                       "{\"value_source\": \"episode_return\", "
                                       "\"update_offset\": 1000, \"update_frequency\": 500, "
                                       "\"initial_dist\": {\"mean\": [0.05, 0.05], "
                                       "\"std\": [0.05, 0.05]}}",
                                       4, NULL),
                     TK_OK);
    float task[2];
    for (int e = 0; e < 6000; e++) {
        double r = 0.0;
        int done = 0;
        ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
        ck_assert_int_eq(toy.vt->set_task(toy.env, task), TK_OK);
        ck_assert_int_eq(toy.vt->reset(toy.env, NULL), TK_OK);
        ck_assert_int_eq(t.vt->episode_start(t.self, task, NULL), TK_OK);
        ck_assert_int_eq(toy.vt->step(toy.env, NULL, NULL, &r, &done), TK_OK);
        ck_assert_int_eq(t.vt->step_update(t.self, NULL, NULL, r, NULL, done), TK_OK);
        ck_assert_int_eq(t.vt->update(t.self, task, r, 0), TK_OK);
    }
    ck_assert_int_eq(snapshot(&t).iterations, 11);
    double mastered = 0.0;
    ck_assert_int_eq(toy.vt->evaluate(toy.env, &mastered), TK_OK);
    ck_assert(mastered >= 1.0);
    tk_teacher_fx_close(&t);
    tk_env_fx_close(&toy);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SPDL_PLUGIN.so [TOY_GRID_PLUGIN.so]\n", argv[0]);
        return EXIT_FAILURE;
    }
    g_plugin = argv[1];
    g_toy = argc > 2 ? argv[2] : NULL;
    Suite *s = suite_create("spdl");
    TCase *tc = tk_check_tcase(s, "abi", 240);
    tcase_add_test(tc, test_descriptor);
    tcase_add_test(tc, test_log_pdf_and_kl);
    tcase_add_test(tc, test_gradients_and_fisher);
    tcase_add_test(tc, test_natural_step_respects_kl_bound);
    tcase_add_test(tc, test_natural_step_moves_towards_target);
    tcase_add_test(tc, test_line_search_rule);
    tcase_add_test(tc, test_update_schedule);
    tcase_add_test(tc, test_moves_towards_target);
    tcase_add_test(tc, test_follows_student_value);
    tcase_add_test(tc, test_student_without_value);
    tcase_add_test(tc, test_update_without_episode_start);
    tcase_add_test(tc, test_samples);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_std_lower_bound);
    tcase_add_test(tc, test_checkpoint_round_trip);
    tcase_add_test(tc, test_checkpoint_rejects_bad_data);
    tcase_add_test(tc, test_toy_grid_runs);
    return tk_check_run(s);
}
