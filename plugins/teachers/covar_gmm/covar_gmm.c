/*
 * Covar-GMM teacher: the IGMM of Moulin-Frier, Nguyen and Oudeyer (Frontiers
 * in Psychology, 2014) as revised in teachDeepRL
 * teachDRL/teachers/algos/covar_gmm.py.
 *
 * Every episode is stored as (task, t, reward) where t in [0, 1) is the
 * episode's position inside the current batch of fit_rate episodes.  Every
 * fit_rate episodes (once nb_bootstrap episodes have been played) Gaussian
 * mixtures with k_min..k_max components are fitted on the last fit_rate
 * vectors and the one with the smallest AIC is kept.  A component's learning
 * progress is its time-reward covariance S[d][d+1]: positive when reward grew
 * over the batch in that region.  Tasks are drawn uniformly with probability
 * random_task_ratio, otherwise from a component picked in proportion to
 * max(0, S[d][d+1]) (or |S[d][d+1]| with absolute_lp).
 *
 * Deliberate choices (docs/teachers/covar-gmm.md lists them all):
 *   - The k-means initialisation draws from a private stream seeded once at
 *     create from the teacher's stream and advancing across candidates and
 *     fits, like teachDeepRL's use of the global NumPy stream; sampling
 *     draws are unaffected by how many numbers k-means consumed.
 *   - Mixture weights are ignored when choosing a component, as in the
 *     original.
 *   - A candidate whose covariance cannot be factorised is left out of the
 *     selection; if all fail the teacher samples uniformly until the next
 *     fit (the original crashes).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gmm_teacher.h"
#include "teachkit/config.h"
#include "teachkit/gmm_select.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/state.h"
#include "teachkit/task_space.h"

/* Checkpoint record (covar_gmm_save): tag; the settings the layout depends
 * on; the episode count; the k-means stream; the filled rows of the
 * fitting window; the model selector's record (tk_gmm_select_save: the fit
 * count and the selected mixture).  Version 2: version 1 kept the selected
 * mixture here, beside the selector; version 1 records are refused. */
#define COVAR_STATE_TAG "CVGM"
#define COVAR_STATE_VERSION 2u

typedef struct covar_gmm {
    const tk_host_api *host;   /* borrowed, outlives the instance */
    tk_ctx *ctx;               /* borrowed, outlives the instance */
    tk_task_space space;       /* owned copy (tk_task_space_copy) */
    size_t row_dim;            /* task dims + 2 (time, reward) */
    tk_gmm_teacher_config cfg;
    int absolute_lp;
    tk_gmm_select *sel;        /* owned */
    tk_gmm_select_options sopt;
    tk_rng init_rng;           /* k-means init stream (see top) */
    double *window;            /* owned, fit_rate x row_dim ring, row n % fit_rate */
    double *scratch;           /* owned, row_dim doubles */
    double *scores;            /* owned, k_max doubles: LP per component */
    uint64_t n;                /* episodes reported through update() */
    char *snapshot;            /* owned, latest snapshot text */
    tk_state_writer saved;     /* owned, the bytes of the last save() */
} covar_gmm;

static void covar_gmm_destroy(void *self)
{
    covar_gmm *t = self;
    if (!t)
        return;
    tk_gmm_select_free(t->sel);
    tk_task_space_free(&t->space);
    free(t->window);
    free(t->scratch);
    free(t->scores);
    free(t->snapshot);
    tk_state_writer_free(&t->saved);
    free(t);
}

static tk_status read_config(covar_gmm *t, const char *config_json, tk_gmm_select_options *sopt)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(t->host, t->ctx, config_json, &cfg);
    if (st)
        return st;
    if (!(st = tk_gmm_teacher_config_read(cfg, t->host, t->ctx, &t->cfg)))
        st = tk_config_bool(cfg, "absolute_lp", &t->absolute_lp);
    tk_config_free(cfg);
    if (st)
        return st;
    /* As CovarGMM.update: always AIC, one EM run, no warm start. */
    *sopt = (tk_gmm_select_options){
        .k_min = (size_t)t->cfg.k_min,
        .k_max = (size_t)t->cfg.k_max,
        .criterion = TK_GMM_AIC,
        .task_dim = t->space.dims,
        .warm_start = 0,
        .restart_init_rng = 0,
        .em = t->cfg.em,
    };
    return TK_OK;
}

static tk_status covar_gmm_create(const tk_host_api *host, tk_ctx *ctx,
                                  const tk_task_space *space, const char *config_json,
                                  void **out)
{
    *out = NULL;
    covar_gmm *t = calloc(1, sizeof *t);
    if (!t)
        return TK_ERR_NOMEM;
    t->host = host;
    t->ctx = ctx;
    tk_state_writer_init(&t->saved);
    tk_status st = tk_task_space_check(host, ctx, space);
    if (!st)
        st = tk_task_space_copy(&t->space, space);
    if (!st)
        st = read_config(t, config_json, &t->sopt);
    if (st) {
        covar_gmm_destroy(t);
        return st;
    }
    t->row_dim = t->space.dims + 2;
    t->sel = tk_gmm_select_new(t->row_dim, &t->sopt);
    t->window = malloc((size_t)t->cfg.fit_rate * t->row_dim * sizeof *t->window);
    t->scratch = malloc(t->row_dim * sizeof *t->scratch);
    t->scores = malloc((size_t)t->cfg.k_max * sizeof *t->scores);
    if (!t->sel || !t->window || !t->scratch || !t->scores) {
        covar_gmm_destroy(t);
        return TK_ERR_NOMEM;
    }
    tk_rng_seed(&t->init_rng, tk_rng_u64(host->rng(ctx)));
    *out = t;
    return TK_OK;
}

/* The mixture tasks are drawn from, or NULL. */
static const tk_gmm *current_gmm(const covar_gmm *t)
{
    return tk_gmm_select_best(t->sel);
}

/* Learning progress of each component: the time-reward covariance
 * S[d][d+1] (CovarGMM.sample_task), through max(0, .) or |.|. */
static void component_scores(const covar_gmm *t, const tk_gmm *gmm)
{
    const size_t dim = gmm->dim, d = t->space.dims;
    for (size_t c = 0; c < gmm->k; c++) {
        double s = gmm->covs[c * dim * dim + d * dim + d + 1];
        s = t->absolute_lp ? fabs(s) : s > 0.0 ? s : 0.0;
        t->scores[c] = isfinite(s) ? s : 0.0;
    }
}

/* Same exploration gate as ALP-GMM (both sample_task()s). */
static tk_status covar_gmm_sample(void *self, float *task_out)
{
    covar_gmm *t = self;
    const tk_gmm *gmm = current_gmm(t);
    if (gmm)
        component_scores(t, gmm);
    return gmm_teacher_sample(t->host, t->ctx, &t->cfg, t->n, gmm, t->scores, &t->space,
                              t->scratch, task_out);
}

static tk_status covar_gmm_update(void *self, const float *task, double episode_return,
                                  int success)
{
    (void)success;
    covar_gmm *t = self;
    const size_t d = t->space.dims;
    const size_t fit_rate = (size_t)t->cfg.fit_rate;
    const tk_status st = gmm_teacher_check_outcome(t->host, t->ctx, task, d, episode_return);
    if (st)
        return st;
    /* CovarGMM.update: the time is the position in the batch with the count
     * BEFORE this episode, k * (1 / fit_rate) as numpy's arange gives it. */
    const size_t pos = (size_t)(t->n % fit_rate);
    double *row = t->window + pos * t->row_dim;
    for (size_t i = 0; i < d; i++)
        row[i] = task[i];
    row[d] = (double)pos * (1.0 / (double)fit_rate);
    row[d + 1] = episode_return;
    t->n++;
    /* When n % fit_rate == 0 the ring is in chronological order. */
    const int fit_due = t->n >= (uint64_t)t->cfg.bootstrap && t->n % fit_rate == 0;
    if (fit_due && tk_gmm_select_fit(t->sel, t->window, fit_rate, &t->init_rng))
        gmm_teacher_warn_no_fit(t->host, t->ctx, t->n);
    return TK_OK;
}

static tk_status covar_gmm_snapshot(void *self, const char **json_out)
{
    covar_gmm *t = self;
    const tk_gmm *gmm = current_gmm(t);
    if (gmm)
        component_scores(t, gmm);
    return gmm_teacher_snapshot(t->host, t->ctx, gmm, t->space.dims, t->scores,
                                tk_gmm_select_fits(t->sel), &t->snapshot, json_out);
}

/* ---------------------------------------------------------------- checkpoint */

static tk_status covar_gmm_save(void *self, const void **data, size_t *size)
{
    covar_gmm *t = self;
    tk_state_writer *w = &t->saved;
    const uint64_t fit_rate = (uint64_t)t->cfg.fit_rate;
    const uint64_t rows = t->n < fit_rate ? t->n : fit_rate;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, COVAR_STATE_TAG, COVAR_STATE_VERSION);
    tk_state_put_u64(w, t->space.dims);
    tk_state_put_u64(w, fit_rate);
    tk_state_put_u64(w, (uint64_t)t->cfg.k_min);
    tk_state_put_u64(w, (uint64_t)t->cfg.k_max);
    tk_state_put_u64(w, t->n);
    tk_state_put_rng(w, &t->init_rng);
    tk_state_put_f64s(w, t->window, (size_t)rows * t->row_dim);
    tk_gmm_select_save(t->sel, w);
    if (w->failed)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

/* Restores into an instance freshly created with the same config and task
 * space.  Everything is read and checked before the instance changes. */
/* Rows a run can produce: tasks inside the task space, times in [0, 1),
 * returns of sane magnitude.  Absurd values (a corrupt checkpoint) would
 * make every later fit degenerate. */
static int window_plausible(const covar_gmm *t, const double *window, size_t rows)
{
    const size_t d = t->space.dims;
    for (size_t i = 0; i < rows; i++) {
        const double *row = window + i * t->row_dim;
        for (size_t k = 0; k < d; k++)
            if (!(row[k] >= t->space.dim[k].low && row[k] <= t->space.dim[k].high))
                return 0;
        if (!(row[d] >= 0.0 && row[d] < 1.0) || !(fabs(row[d + 1]) <= 1e12))
            return 0;
    }
    return 1;
}

static tk_status covar_gmm_load(void *self, const void *data, size_t size)
{
    covar_gmm *t = self;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    const uint32_t version = tk_state_get_tag(&r, COVAR_STATE_TAG, COVAR_STATE_VERSION);
    if (!r.failed && version != COVAR_STATE_VERSION)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is a covar-gmm state of version %u, from an "
                              "older teachkit; this one reads version %u (restart the run)",
                              (unsigned)version, (unsigned)COVAR_STATE_VERSION);
    const uint64_t dims = tk_state_get_u64(&r), fit_rate = tk_state_get_u64(&r);
    const uint64_t k_min = tk_state_get_u64(&r), k_max = tk_state_get_u64(&r);
    if (r.failed || dims != t->space.dims || fit_rate != (uint64_t)t->cfg.fit_rate ||
        k_min != (uint64_t)t->cfg.k_min || k_max != (uint64_t)t->cfg.k_max)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is not a covar-gmm state for this task space "
                              "and config (corrupt, truncated or from another plugin)");
    const uint64_t n = tk_state_get_u64(&r);
    tk_rng init_rng;
    tk_state_get_rng(&r, &init_rng);
    const size_t cells = (size_t)(n < fit_rate ? n : fit_rate) * t->row_dim;
    double *window = malloc((size_t)fit_rate * t->row_dim * sizeof *window);
    if (!window)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    tk_state_get_f64s(&r, window, cells);
    /* A new selector, in case the instance has fitted since its creation. */
    tk_gmm_select *sel = tk_gmm_select_new(t->row_dim, &t->sopt);
    if (!sel || tk_gmm_select_load(sel, &r) != 0) {
        free(window);
        tk_gmm_select_free(sel);
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    }
    /* Fits only happen once bootstrapped, one per fit_rate episodes at
     * most (the selector checks that a mixture comes after a fit). */
    if (r.failed || r.pos != r.size || !gmm_teacher_finite(window, cells) ||
        !window_plausible(t, window, cells / t->row_dim) ||
        tk_gmm_select_fits(sel) > n / fit_rate) {
        free(window);
        tk_gmm_select_free(sel);
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is corrupt or truncated (covar-gmm state)");
    }
    tk_gmm_select_free(t->sel);
    t->sel = sel;
    free(t->window);
    t->window = window;
    t->n = n;
    t->init_rng = init_rng;
    return TK_OK;
}

static const tk_teacher_vtable covar_gmm_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = covar_gmm_create,
    .destroy = covar_gmm_destroy,
    .sample = covar_gmm_sample,
    .update = covar_gmm_update,
    .snapshot = covar_gmm_snapshot,
    .save = covar_gmm_save,
    .load = covar_gmm_load,
};

static const tk_descriptor covar_gmm_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "covar-gmm",
    .name = "Covar-GMM",
    .version = "1.0.0",
    .description = "Gaussian mixtures over (task, time, reward), sampling where reward "
                   "grows with time (Moulin-Frier et al. 2014, teachDeepRL)",
    .default_config = "{\"fit_rate\": 250, \"nb_bootstrap\": null, \"k_min\": 2, \"k_max\": 10, "
                      "\"random_task_ratio\": 0.2, \"absolute_lp\": false, "
                      "\"reg_covar\": 1e-6, \"tol\": 1e-3, \"max_iter\": 100}",
    .features = NULL,
    .vtable = &covar_gmm_vtable,
};

static const tk_descriptor *const descriptors[] = {&covar_gmm_descriptor};

TK_PLUGIN_DESCRIPTORS(descriptors);
