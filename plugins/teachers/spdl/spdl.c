/*
 * spdl: Self-Paced Deep Reinforcement Learning (Klink, Abdulsamad, Belousov,
 * D'Eramo, Peters and Pajarinen, NeurIPS 2020; code psclklnk/spdl), as
 * wrapped by TeachMyAgent (flowersteam/TeachMyAgent
 * TeachMyAgent/teachers/algos/self_paced_teacher.py; Romac et al., ICML
 * 2021).
 *
 * Tasks are drawn from a Gaussian context distribution p (clipped to the
 * task space).  The teacher counts environment steps (feature
 * "step-update"); once update_offset steps have passed, every
 * update_frequency steps it moves p by one natural-gradient step that
 * maximises the importance-weighted value of the contexts played since
 * the last update minus alpha KL(p || q), q being the target distribution,
 * inside the trust region KL(p_old || p) <= max_kl (spdl_gaussian.c).
 * alpha grows with the performance (zeta x performance / KL(p || q)) once
 * alpha_offset updates have been made, pulling p towards q as the student
 * improves.
 *
 * Expert knowledge (manifest data, optional): initial_dist and target_dist
 * ({"mean": [...], "cov": [[...]]} or {"mean": [...], "std": [...]}).
 * Without them p starts as a random sub-space Gaussian (mean uniform in
 * the box, standard deviation 10 % of each range) and q is centred with a
 * standard deviation of a quarter of each range, as in the TeachMyAgent
 * benchmark runs (their scripts give neither distribution).
 *
 * Values (value_source):
 *   "student"        V(s0) from the student's value function through
 *                    host->student_value, as published.  The ABI does not
 *                    tell a teacher the observation size, so the teacher
 *                    cannot keep copies of initial observations: it asks
 *                    for V(s0) when the episode starts (one observation),
 *                    not in one batch at the update.  Values are thus up
 *                    to update_frequency steps older than in the original.
 *                    A student without a value function is an error at the
 *                    first episode, naming this key.  The teacher does not
 *                    declare "student-value", so that "episode_return"
 *                    runs need no value-providing student.
 *   "episode_return" deviation for students without a value function (the
 *                    toy env's "none"): the episode's normalised return is
 *                    the value of its context, and the performance of the
 *                    alpha rule is the mean of those returns, so that both
 *                    terms of the objective are in the same units.
 *
 * Fix (docs/teachers/spdl.md; the original is _line_search in
 * TeachMyAgent/teachers/utils/conjugate_gradient.py): the line search accepts a step
 * only when KL(p_old || p_new) <= 1.5 max_kl AND the objective did not
 * decrease, as TRPO does; "compat": "TeachMyAgent" restores the original's
 * OR.  As in the original, std_lower_bound bounds the diagonal of the
 * Cholesky factor, not the marginal standard deviations.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dist_config.h"
#include "spdl_gaussian.h"
#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/snapshot.h"
#include "teachkit/state.h"
#include "teachkit/task_space.h"

#define SPDL_STATE_TAG "SPDL"
#define SPDL_STATE_VERSION 1u
#define ALPHA_MAX 1e5      /* PercentageAlphaFunction's clamp */
#define KL_FLOOR 1e-10

enum { VALUE_STUDENT = 0, VALUE_EPISODE_RETURN = 1 };
static const char *const value_sources[] = {"student", "episode_return", NULL};
enum { COMPAT_NONE = 0, COMPAT_TMA = 1 };
static const char *const compat_modes[] = {"none", "TeachMyAgent", NULL};

typedef struct spdl {
    const tk_host_api *host; /* borrowed, outlives the instance */
    tk_ctx *ctx;             /* borrowed, outlives the instance */
    tk_rng *rng;             /* the host stream of the instance */

    size_t d, P;
    double *lo, *hi;         /* owned: task-space bounds */
    spdl_gauss p;            /* owned: the context distribution */
    spdl_gauss q;            /* owned: the target */

    /* configuration */
    uint64_t update_frequency, update_offset;
    int64_t alpha_offset;
    double zeta, gamma, kl_threshold;
    double *std_lb;          /* owned, d entries, or NULL when unset */
    int use_avg_perf, reset_contexts, value_source, compat;
    size_t fifo_cap;
    spdl_step_params step;

    /* current episode */
    uint64_t steps;          /* env steps seen through step_update */
    double G, disc;          /* discounted return so far, gamma^t */
    int pending;             /* episode_start seen, update not yet */
    double pending_value;    /* V(s0) of the pending episode (value_source student) */

    /* since the last update */
    double perf_sum;
    uint64_t perf_count;
    double *fifo_c, *fifo_v; /* owned: ring of fifo_cap contexts (d each) and values */
    size_t fifo_head, fifo_len;

    /* book-keeping, shown in snapshots */
    uint64_t iterations, steps_taken, steps_rejected;
    double last_alpha, last_kl_step, last_perf;

    double *work_c, *work_v; /* owned scratch: fifo_cap x d, fifo_cap */
    double *scratch;         /* owned scratch: 2 d d + d + P (see spdl_create) */
    char *snapshot;          /* owned, last snapshot JSON */
    tk_state_writer saved;   /* owned, the bytes of the last save() */
} spdl;

static void spdl_destroy(void *self)
{
    spdl *t = self;
    if (!t)
        return;
    free(t->lo);
    free(t->hi);
    spdl_gauss_free(&t->p);
    spdl_gauss_free(&t->q);
    free(t->std_lb);
    free(t->fifo_c);
    free(t->fifo_v);
    free(t->work_c);
    free(t->work_v);
    free(t->scratch);
    free(t->snapshot);
    tk_state_writer_free(&t->saved);
    free(t);
}

static tk_status check_space(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space)
{
    tk_status st = tk_task_space_check(host, ctx, space);
    if (st == TK_OK && space->dims > 64)
        st = host->error(ctx, TK_ERR_INVALID, NULL,
                         "the task space has %zu dimensions; spdl supports at most 64",
                         space->dims);
    return st;
}

/* ------------------------------------------------------------- config */

/* A finite number from a JSON value, or an error naming `path`. */
static tk_status json_finite(spdl *t, json_t *v, const char *path, double min, double *out)
{
    const double x = json_number_value(v);
    if (json_is_number(v) && isfinite(x) && x >= min) {
        *out = x;
        return TK_OK;
    }
    if (min > -DBL_MAX)
        return t->host->error(t->ctx, TK_ERR_CONFIG, path, "must be a finite number >= %g", min);
    return t->host->error(t->ctx, TK_ERR_CONFIG, path, "must be a finite number");
}

/* {"mean": [d], "cov": [[d] x d]} or {"mean": [d], "std": [d]} into g. */
static tk_status read_dist(spdl *t, json_t *dist, const char *key, spdl_gauss *g)
{
    const size_t d = t->d;
    char path[96];
    dist_config c;
    tk_status st = dist_config_read(t->host, t->ctx, dist, key, d,
                                    DIST_MEAN | DIST_COV | DIST_STD, DIST_MEAN,
                                    "an object {\"mean\": [...], \"cov\": [[...]]} (or "
                                    "\"std\": [...] instead of \"cov\")",
                                    &c);
    if (st != TK_OK)
        return st;
    double *S = NULL;
    if (!(c.given & DIST_COV) == !(c.given & DIST_STD)) {
        st = t->host->error(t->ctx, TK_ERR_CONFIG, key,
                            "needs exactly one of \"cov\" (a %zu x %zu covariance matrix) and "
                            "\"std\" (%zu standard deviations)", d, d, d);
    } else if (c.cov) {
        S = dist_config_take(&c, DIST_COV);
    } else if ((S = calloc(d * d, sizeof *S)) == NULL) {
        st = t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    } else {
        for (size_t i = 0; i < d; i++)
            S[i * d + i] = c.std[i] * c.std[i];
    }
    if (st == TK_OK && spdl_gauss_set_mean_cov(g, c.mean, S) != 0) {
        snprintf(path, sizeof path, "%s.%s", key, c.std ? "std" : "cov");
        st = t->host->error(t->ctx, TK_ERR_CONFIG, path,
                            "must give a symmetric positive definite covariance");
    }
    free(S);
    dist_config_free(&c);
    return st;
}

/* TeachMyAgent's create_dist_from_bounds: subspace -> mean uniform in the
 * box (teacher stream), std 10 % of the range; else the centre, std a
 * quarter of the range; a zero variance becomes 1e-6. */
static tk_status default_dist(spdl *t, int subspace, spdl_gauss *g)
{
    const size_t d = t->d;
    double *m = calloc(d + d * d, sizeof *m);
    if (!m)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    double *S = m + d;
    for (size_t i = 0; i < d; i++) {
        const double range = fabs(t->hi[i] - t->lo[i]);
        m[i] = subspace ? tk_rng_range(t->rng, t->lo[i], t->hi[i]) : 0.5 * (t->lo[i] + t->hi[i]);
        const double sd = subspace ? 0.1 * range : 0.25 * range;
        S[i * d + i] = sd * sd == 0.0 ? 1e-6 : sd * sd;
    }
    const int rc = spdl_gauss_set_mean_cov(g, m, S);
    free(m);
    return rc == 0 ? TK_OK
                   : t->host->error(t->ctx, TK_ERR_NUMERIC, NULL,
                                    "cannot build the default %s distribution",
                                    subspace ? "initial" : "target");
}

/* std_lower_bound: null, a number or d numbers (> 0); needs kl_threshold. */
static tk_status read_std_bound(spdl *t, json_t *root)
{
    json_t *v = json_object_get(root, "std_lower_bound");
    json_t *thr = json_object_get(root, "kl_threshold");
    if (!v || json_is_null(v))
        return TK_OK;
    if (!thr || json_is_null(thr))
        return t->host->error(t->ctx, TK_ERR_CONFIG, "kl_threshold",
                              "is required when std_lower_bound is set (as in the original)");
    tk_status st = json_finite(t, thr, "kl_threshold", 0.0, &t->kl_threshold);
    if (st != TK_OK)
        return st;
    t->std_lb = malloc(t->d * sizeof *t->std_lb);
    if (!t->std_lb)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    if (json_is_array(v) && json_array_size(v) != t->d)
        return t->host->error(t->ctx, TK_ERR_CONFIG, "std_lower_bound",
                              "must be a number or an array of %zu numbers", t->d);
    for (size_t i = 0; i < t->d; i++) {
        char path[64];
        json_t *x = json_is_array(v) ? json_array_get(v, i) : v;
        if (json_is_array(v))
            snprintf(path, sizeof path, "std_lower_bound[%zu]", i);
        else
            snprintf(path, sizeof path, "std_lower_bound");
        if ((st = json_finite(t, x, path, 0.0, &t->std_lb[i])) != TK_OK)
            return st;
        if (!(t->std_lb[i] > 0.0))
            return t->host->error(t->ctx, TK_ERR_CONFIG, path, "must be > 0");
    }
    return TK_OK;
}

static tk_status read_scalars(spdl *t, tk_config *cfg)
{
    int64_t freq = 0, offset = 0, cap = 0, cg = 0, ls = 0;
    tk_status st;
    if ((st = tk_config_int(cfg, "update_frequency", 1, INT64_MAX / 4, &freq)) ||
        (st = tk_config_int(cfg, "update_offset", 0, INT64_MAX / 4, &offset)) ||
        (st = tk_config_int(cfg, "alpha_offset", 0, INT32_MAX, &t->alpha_offset)) ||
        (st = tk_config_double(cfg, "zeta", 0.0, DBL_MAX, &t->zeta)) ||
        (st = tk_config_double(cfg, "max_kl", DBL_MIN, DBL_MAX, &t->step.max_kl)) ||
        (st = tk_config_bool(cfg, "use_avg_performance", &t->use_avg_perf)) ||
        (st = tk_config_int(cfg, "max_context_buffer_size", 1, 100000000, &cap)) ||
        (st = tk_config_bool(cfg, "reset_contexts", &t->reset_contexts)) ||
        (st = tk_config_double(cfg, "discount_factor", 0.0, 1.0, &t->gamma)) ||
        (st = tk_config_choice(cfg, "value_source", value_sources, &t->value_source)) ||
        (st = tk_config_int(cfg, "cg_iterations", 1, 100000, &cg)) ||
        (st = tk_config_double(cfg, "cg_damping", 0.0, DBL_MAX, &t->step.damping)) ||
        (st = tk_config_double(cfg, "cg_residual_tol", 0.0, DBL_MAX, &t->step.residual_tol)) ||
        (st = tk_config_int(cfg, "line_search_iterations", 1, 1000, &ls)) ||
        (st = tk_config_choice(cfg, "compat", compat_modes, &t->compat)))
        return st;
    t->update_frequency = (uint64_t)freq;
    t->update_offset = (uint64_t)offset;
    t->fifo_cap = (size_t)cap;
    t->step.cg_iterations = (int)cg;
    t->step.line_search_iterations = (int)ls;
    t->step.require_both = t->compat == COMPAT_NONE;
    return TK_OK;
}

static tk_status read_config(spdl *t, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(t->host, t->ctx, config_json, &cfg);
    if (st != TK_OK)
        return st;
    st = read_scalars(t, cfg);
    tk_config_free(cfg);
    if (st != TK_OK)
        return st;
    json_t *root = json_loads(config_json, 0, NULL);
    if (!root)
        return t->host->error(t->ctx, TK_ERR_CONFIG, NULL, "the config is not valid JSON");
    json_t *init = json_object_get(root, "initial_dist");
    json_t *target = json_object_get(root, "target_dist");
    st = read_std_bound(t, root);
    /* The initial draws come first in the stream when no initial_dist is
     * given, as in the original's constructor. */
    if (st == TK_OK)
        st = init && !json_is_null(init) ? read_dist(t, init, "initial_dist", &t->p)
                                         : default_dist(t, 1, &t->p);
    if (st == TK_OK)
        st = target && !json_is_null(target) ? read_dist(t, target, "target_dist", &t->q)
                                             : default_dist(t, 0, &t->q);
    json_decref(root);
    return st;
}

static tk_status spdl_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                             const char *config_json, void **out)
{
    *out = NULL;
    tk_status st = check_space(host, ctx, space);
    if (st != TK_OK)
        return st;
    spdl *t = calloc(1, sizeof *t);
    if (!t)
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    t->host = host;
    t->ctx = ctx;
    t->rng = host->rng(ctx);
    t->d = space->dims;
    t->P = spdl_n_params(t->d);
    t->disc = 1.0;
    tk_state_writer_init(&t->saved);
    t->lo = malloc(t->d * sizeof *t->lo);
    t->hi = malloc(t->d * sizeof *t->hi);
    if (!t->lo || !t->hi || spdl_gauss_alloc(&t->p, t->d) || spdl_gauss_alloc(&t->q, t->d)) {
        spdl_destroy(t);
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < t->d; i++) {
        t->lo[i] = space->dim[i].low;
        t->hi[i] = space->dim[i].high;
    }
    if ((st = read_config(t, config_json)) != TK_OK) {
        spdl_destroy(t);
        return st;
    }
    t->fifo_c = malloc(t->fifo_cap * t->d * sizeof *t->fifo_c);
    t->fifo_v = malloc(t->fifo_cap * sizeof *t->fifo_v);
    t->work_c = malloc(t->fifo_cap * t->d * sizeof *t->work_c);
    t->work_v = malloc(t->fifo_cap * sizeof *t->work_v);
    /* Largest use: a covariance and a KL's work (snapshot). */
    t->scratch = malloc((2 * t->d * t->d + t->d + t->P) * sizeof *t->scratch);
    if (!t->fifo_c || !t->fifo_v || !t->work_c || !t->work_v || !t->scratch) {
        spdl_destroy(t);
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    }
    *out = t;
    return TK_OK;
}

/* ------------------------------------------------------------- sampling */

static tk_status spdl_sample(void *self, float *task_out)
{
    spdl *t = self;
    const size_t d = t->d;
    double *z = t->scratch;
    for (size_t k = 0; k < d; k++)
        z[k] = tk_rng_normal(t->rng);
    for (size_t i = 0; i < d; i++) {
        double x = t->p.mu[i];
        for (size_t k = 0; k <= i; k++)
            x += t->p.L[i * d + k] * z[k];
        x = fmin(fmax(x, t->lo[i]), t->hi[i]);
        float f = (float)x;
        /* float32 rounding must not leave the task space. */
        const float lo = (float)t->lo[i], hi = (float)t->hi[i];
        task_out[i] = f < lo ? lo : f > hi ? hi : f;
    }
    return TK_OK;
}

/* ------------------------------------------------------------- episodes */

static tk_status spdl_episode_start(void *self, const float *task, const float *first_obs)
{
    (void)task;
    spdl *t = self;
    /* A new episode: an episode the host skipped (non-finite values, no
     * update) must not leak its rewards into this one. */
    t->G = 0.0;
    t->disc = 1.0;
    t->pending = 1;
    t->pending_value = 0.0;
    if (t->value_source != VALUE_STUDENT)
        return TK_OK;
    float v = 0.0f;
    const tk_status st = t->host->student_value(t->ctx, first_obs, 1, &v);
    if (st == TK_ERR_UNSUPPORTED)
        return t->host->error(t->ctx, TK_ERR_CONFIG, "value_source",
                              "is \"student\", but the run's student provides no value "
                              "estimate (feature \"value\"); use a student with a value "
                              "function (e.g. \"sac\") or set \"value_source\": "
                              "\"episode_return\" (the episode's normalised return stands in "
                              "for the value)");
    if (st != TK_OK)
        return t->host->error(t->ctx, st, NULL,
                              "the student's value estimate of the initial observation failed "
                              "(status %d)", (int)st);
    if (!isfinite(v))
        return t->host->error(t->ctx, TK_ERR_NUMERIC, NULL,
                              "the student's value estimate of the initial observation is %g", v);
    t->pending_value = v;
    return TK_OK;
}

static void fifo_push(spdl *t, const float *task, double value)
{
    size_t slot;
    if (t->fifo_len < t->fifo_cap) {
        slot = (t->fifo_head + t->fifo_len) % t->fifo_cap;
        t->fifo_len++;
    } else { /* full: the oldest leaves */
        slot = t->fifo_head;
        t->fifo_head = (t->fifo_head + 1) % t->fifo_cap;
    }
    for (size_t i = 0; i < t->d; i++)
        t->fifo_c[slot * t->d + i] = task[i];
    t->fifo_v[slot] = value;
}

static tk_status spdl_update(void *self, const float *task, double episode_return, int success)
{
    (void)success;
    spdl *t = self;
    for (size_t i = 0; i < t->d; i++)
        if (!isfinite(task[i]))
            return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "task[%zu] is not finite", i);
    if (!isfinite(episode_return))
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "the episode return is not finite");
    if (!t->pending)
        return t->host->error(t->ctx, TK_ERR_STATE, NULL,
                              "update() without episode_start(): spdl declares \"step-update\" "
                              "and needs episode_start after every reset");
    if (t->value_source == VALUE_STUDENT) {
        t->perf_sum += t->G; /* the original's performance: discounted return */
        fifo_push(t, task, t->pending_value);
    } else {
        t->perf_sum += episode_return;
        fifo_push(t, task, episode_return);
    }
    t->perf_count++;
    t->G = 0.0;
    t->disc = 1.0;
    t->pending = 0;
    return TK_OK;
}

/* SelfPacedTeacher.step_update, after the step: l_k >= ln(std_lower_bound_k)
 * while p is far from q. */
static void apply_std_bound(spdl *t, double *work)
{
    if (!t->std_lb || !(spdl_kl(&t->p, &t->q, work) > t->kl_threshold))
        return;
    double *theta = work;
    spdl_gauss_get_theta(&t->p, theta);
    for (size_t k = 0; k < t->d; k++)
        theta[t->d + k] = fmax(theta[t->d + k], log(t->std_lb[k]));
    (void)spdl_gauss_set_theta(&t->p, theta); /* larger diagonal: always valid */
}

/* SelfPacedTeacher.step_update: one update of p from the contexts and performances
 * gathered since the previous one. */
static tk_status run_update(spdl *t)
{
    const size_t d = t->d, n = t->fifo_len;
    t->iterations++;
    const double avg_perf = t->perf_sum / (double)t->perf_count;
    t->perf_sum = 0.0;
    t->perf_count = 0;
    double vsum = 0.0;
    for (size_t k = 0; k < n; k++) {
        const size_t slot = (t->fifo_head + k) % t->fifo_cap;
        memcpy(t->work_c + k * d, t->fifo_c + slot * d, d * sizeof(double));
        t->work_v[k] = t->fifo_v[slot];
        vsum += t->work_v[k];
    }
    if (t->reset_contexts)
        t->fifo_head = t->fifo_len = 0;
    double *work = t->scratch;
    const double kl_target = spdl_kl(&t->p, &t->q, work);
    const double perf = t->use_avg_perf ? avg_perf : vsum / (double)n;
    double alpha = 0.0;
    if ((int64_t)t->iterations >= t->alpha_offset)
        alpha = fmin(t->zeta * fmax(perf, 0.0) / fmax(kl_target, KL_FLOOR), ALPHA_MAX);
    t->last_alpha = alpha;
    t->last_perf = perf;
    spdl_step_result res;
    const int outcome = spdl_natural_step(&t->p, &t->q, t->work_c, t->work_v, n, alpha, &t->step,
                                          &res);
    t->last_kl_step = res.kl_step;
    switch (outcome) {
    case SPDL_STEP_TAKEN:
        t->steps_taken++;
        break;
    case SPDL_STEP_SMALL_GRADIENT:
        t->host->log(t->ctx, TK_LOG_DEBUG,
                     "update %llu at step %llu: gradient norm %g < 1e-10, no step",
                     (unsigned long long)t->iterations, (unsigned long long)t->steps,
                     res.grad_norm);
        break;
    case SPDL_STEP_REJECTED:
        /* Expected once p sits at the target with a large alpha, so only
         * the first one is a warning; the snapshot counts them all. */
        t->host->log(t->ctx, t->steps_rejected ? TK_LOG_INFO : TK_LOG_WARN,
                     "update %llu at step %llu: no line-search step kept KL(p_old||p) <= %g "
                     "%s the objective; the distribution is unchanged%s",
                     (unsigned long long)t->iterations, (unsigned long long)t->steps,
                     1.5 * t->step.max_kl, t->step.require_both ? "and improved" : "or improved",
                     t->steps_rejected ? "" : " (further rejections are logged at info level)");
        t->steps_rejected++;
        break;
    case SPDL_STEP_NOMEM:
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory in the update");
    default:
        return t->host->error(t->ctx, TK_ERR_NUMERIC, NULL,
                              "update %llu: NaN or Inf in the gradient or the natural-gradient "
                              "direction (check the values: %s)",
                              (unsigned long long)t->iterations,
                              t->value_source == VALUE_STUDENT ? "student's value estimates"
                                                               : "episode returns");
    }
    apply_std_bound(t, work);
    return TK_OK;
}

static tk_status spdl_step_update(void *self, const float *obs, const float *action,
                                  double reward, const float *next_obs, int done)
{
    (void)obs, (void)action, (void)next_obs, (void)done;
    spdl *t = self;
    if (!isfinite(reward))
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "the step reward is not finite");
    t->steps++;
    t->G += t->disc * reward;
    t->disc *= t->gamma;
    if (t->steps < t->update_offset || t->steps % t->update_frequency != 0)
        return TK_OK;
    if (t->perf_count == 0 || t->fifo_len == 0) {
        t->host->log(t->ctx, TK_LOG_DEBUG, "skipping the update at step %llu: no finished episode",
                     (unsigned long long)t->steps);
        return TK_OK;
    }
    return run_update(t);
}

/* ------------------------------------------------------------- snapshot */

/* The "gaussian" snapshot (<teachkit/snapshot.h>) of the context
 * distribution, with the progress of the optimisation. */
static tk_status spdl_snapshot(void *self, const char **json_out)
{
    spdl *t = self;
    const size_t d = t->d;
    *json_out = NULL;
    double *cov = t->scratch, *work = t->scratch + d * d;
    spdl_gauss_cov(&t->p, cov);
    json_t *snap = tk_snapshot_gaussian(t->p.mu, cov, d);
    json_t *extra = json_pack("{s:f, s:I, s:I, s:I, s:f, s:f, s:I}", "kl_target",
                              spdl_kl(&t->p, &t->q, work), "iterations", (json_int_t)t->iterations,
                              "steps_taken", (json_int_t)t->steps_taken, "steps_rejected",
                              (json_int_t)t->steps_rejected, "alpha", t->last_alpha, "kl_step",
                              t->last_kl_step, "env_steps", (json_int_t)t->steps);
    char *text = tk_snapshot_dump(tk_snapshot_add(snap, extra));
    if (!text)
        return t->host->error(t->ctx, TK_ERR_INTERNAL, NULL,
                              "cannot build the snapshot (out of memory or non-finite value)");
    free(t->snapshot);
    t->snapshot = text;
    *json_out = text;
    return TK_OK;
}

/* ----------------------------------------------------------- checkpoint */

/* Record: tag; d, the FIFO capacity and the value source (the layout and
 * meaning depend on them); theta; the step counter and the running
 * discounted return; the pending episode; the performance sum and count;
 * the FIFO oldest first; the book-keeping counters. */
static tk_status spdl_save(void *self, const void **data, size_t *size)
{
    spdl *t = self;
    tk_state_writer *w = &t->saved;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, SPDL_STATE_TAG, SPDL_STATE_VERSION);
    tk_state_put_u64(w, t->d);
    tk_state_put_u64(w, t->fifo_cap);
    tk_state_put_u64(w, (uint64_t)t->value_source);
    tk_state_put_f64s(w, t->p.theta, t->P);
    tk_state_put_u64(w, t->steps);
    tk_state_put_f64(w, t->G);
    tk_state_put_f64(w, t->disc);
    tk_state_put_u64(w, (uint64_t)t->pending);
    tk_state_put_f64(w, t->pending_value);
    tk_state_put_f64(w, t->perf_sum);
    tk_state_put_u64(w, t->perf_count);
    tk_state_put_u64(w, t->fifo_len);
    for (size_t k = 0; k < t->fifo_len; k++) {
        const size_t slot = (t->fifo_head + k) % t->fifo_cap;
        tk_state_put_f64s(w, t->fifo_c + slot * t->d, t->d);
        tk_state_put_f64(w, t->fifo_v[slot]);
    }
    tk_state_put_u64(w, t->iterations);
    tk_state_put_u64(w, t->steps_taken);
    tk_state_put_u64(w, t->steps_rejected);
    tk_state_put_f64(w, t->last_alpha);
    tk_state_put_f64(w, t->last_kl_step);
    tk_state_put_f64(w, t->last_perf);
    if (w->failed)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

static tk_status load_invalid(spdl *t)
{
    return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                          "checkpoint data is corrupt or truncated (spdl state)");
}

/* Everything is read into scratch (the work arrays and a new
 * distribution) and checked before the instance changes. */
static tk_status spdl_load(void *self, const void *data, size_t size)
{
    spdl *t = self;
    const size_t d = t->d;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, SPDL_STATE_TAG, SPDL_STATE_VERSION);
    const uint64_t dims = tk_state_get_u64(&r), cap = tk_state_get_u64(&r);
    const uint64_t source = tk_state_get_u64(&r);
    if (r.failed || dims != d || cap != t->fifo_cap || source != (uint64_t)t->value_source)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is not an spdl state for this task space and "
                              "config (corrupt, truncated or from another plugin)");
    spdl_gauss p;
    if (spdl_gauss_alloc(&p, d))
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    double *theta = t->scratch;
    tk_state_get_f64s(&r, theta, t->P);
    const uint64_t steps = tk_state_get_u64(&r);
    const double G = tk_state_get_f64(&r), disc = tk_state_get_f64(&r);
    const uint64_t pending = tk_state_get_u64(&r);
    const double pending_value = tk_state_get_f64(&r), perf_sum = tk_state_get_f64(&r);
    const uint64_t perf_count = tk_state_get_u64(&r);
    const size_t len = (size_t)tk_state_get_count(&r, t->fifo_cap);
    int bad = r.failed;
    for (size_t k = 0; !bad && k < len; k++) {
        tk_state_get_f64s(&r, t->work_c + k * d, d);
        t->work_v[k] = tk_state_get_f64(&r);
        bad = r.failed || !isfinite(t->work_v[k]);
        for (size_t i = 0; !bad && i < d; i++)
            bad = !(t->work_c[k * d + i] >= t->lo[i] && t->work_c[k * d + i] <= t->hi[i]);
    }
    const uint64_t iterations = tk_state_get_u64(&r), taken = tk_state_get_u64(&r);
    const uint64_t rejected = tk_state_get_u64(&r);
    const double alpha = tk_state_get_f64(&r), kl_step = tk_state_get_f64(&r);
    const double perf = tk_state_get_f64(&r);
    bad = bad || r.failed || r.pos != r.size || pending > 1 || !isfinite(G) ||
          !(disc >= 0.0 && disc <= 1.0) || !isfinite(pending_value) || !isfinite(perf_sum) ||
          taken + rejected > iterations || !isfinite(alpha) || !isfinite(kl_step) ||
          !isfinite(perf) || spdl_gauss_set_theta(&p, theta) != 0;
    if (bad) {
        spdl_gauss_free(&p);
        return load_invalid(t);
    }
    spdl_gauss_copy(&t->p, &p);
    spdl_gauss_free(&p);
    memcpy(t->fifo_c, t->work_c, len * d * sizeof(double));
    memcpy(t->fifo_v, t->work_v, len * sizeof(double));
    t->fifo_head = 0;
    t->fifo_len = len;
    t->steps = steps;
    t->G = G;
    t->disc = disc;
    t->pending = (int)pending;
    t->pending_value = pending_value;
    t->perf_sum = perf_sum;
    t->perf_count = perf_count;
    t->iterations = iterations;
    t->steps_taken = taken;
    t->steps_rejected = rejected;
    t->last_alpha = alpha;
    t->last_kl_step = kl_step;
    t->last_perf = perf;
    return TK_OK;
}

static const void *spdl_get_extension(void *self, const char *id)
{
    (void)self;
    return id && strcmp(id, SPDL_GAUSSIAN_EXT_ID) == 0 ? &spdl_gaussian_table : NULL;
}

static const tk_teacher_vtable spdl_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = spdl_create,
    .destroy = spdl_destroy,
    .sample = spdl_sample,
    .update = spdl_update,
    .step_update = spdl_step_update,
    .episode_start = spdl_episode_start,
    .snapshot = spdl_snapshot,
    .save = spdl_save,
    .load = spdl_load,
    .get_extension = spdl_get_extension,
};

/* "step-update" for the env-step schedule and the initial observations.
 * Not "student-value": value_source "episode_return" needs no such
 * student, and "student" reports a missing value function itself.  The
 * two others declare the optional expert knowledge (docs/teachers/spdl.md). */
static const char *const spdl_features[] = {TK_FEATURE_STEP_UPDATE, TK_FEATURE_ACCEPTS_INITIAL_DIST,
                                            TK_FEATURE_ACCEPTS_TARGET_DIST, NULL};

static const tk_descriptor spdl_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "spdl",
    .name = "SPDL (Self-Paced Deep RL)",
    .version = "1.0.0",
    .description = "Gaussian context distribution moved by KL-constrained natural-gradient steps "
                   "from high-value tasks towards a target distribution (Klink et al. 2020)",
    .default_config =
        "{\"update_frequency\": 50000, \"update_offset\": 200000, \"alpha_offset\": 10, "
        "\"zeta\": 0.25, \"max_kl\": 0.1, \"std_lower_bound\": null, \"kl_threshold\": null, "
        "\"use_avg_performance\": true, \"max_context_buffer_size\": 1000, "
        "\"reset_contexts\": true, \"discount_factor\": 0.99, \"initial_dist\": null, "
        "\"target_dist\": null, \"value_source\": \"student\", \"cg_iterations\": 10, "
        "\"cg_damping\": 0.01, \"cg_residual_tol\": 1e-10, \"line_search_iterations\": 10, "
        "\"compat\": \"none\"}",
    .features = spdl_features,
    .vtable = &spdl_vtable,
};

static const tk_descriptor *const spdl_descriptors[] = {&spdl_descriptor};

TK_PLUGIN_DESCRIPTORS(spdl_descriptors);
