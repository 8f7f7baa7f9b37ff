/*
 * ALP-GMM teacher (Portelas et al., CoRL 2019; teachDeepRL
 * teachDRL/teachers/algos/alp_gmm.py).
 *
 * Every episode's task gets an absolute learning progress (ALP): the absolute
 * reward difference with the nearest previously seen task
 * (EmpiricalALPComputer, core/lib/alp_computer.c).  Every fit_rate episodes
 * (once nb_bootstrap episodes have been played) a Gaussian mixture is fitted
 * on the last fit_rate (task, ALP) vectors, the number of components chosen
 * by an information criterion.  Tasks are then drawn uniformly with
 * probability random_task_ratio, and otherwise from a component picked in
 * proportion to its mean ALP.
 *
 * Deliberate choices (docs/teachers/alp-gmm.md lists them all):
 *   - The k-means initialisation of every fit of every candidate starts
 *     from the same RNG state, drawn once at create from the teacher's
 *     stream: the original gives scikit-learn random_state=<seed>, which
 *     re-creates RandomState(seed) at each fit (ALPGMM.init_gmm).
 *   - The component is chosen by its mean ALP only; mixture weights are
 *     ignored, as in the original (ALPGMM.sample_task).
 *   - A candidate whose covariance cannot be factorised is left out of the
 *     selection; if all fail the teacher samples uniformly until the next
 *     fit (the original crashes).
 *
 * Checkpoints (save/load) store the plugin's own state (episode count,
 * k-means stream, fitting window) and the toolkit objects' records: the ALP
 * computer's (tk_alp_computer_save) and the model selector's
 * (tk_gmm_select_save), so a resumed run continues exactly where the saved
 * one stood.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gmm_teacher.h"
#include "teachkit/alp_computer.h"
#include "teachkit/config.h"
#include "teachkit/gmm_select.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/state.h"
#include "teachkit/task_space.h"

#define ALPG_STATE_TAG "ALPG"
/* Version 2: the ALP computer and the selector save themselves (version 1
 * stored the ALP history to replay and the candidates here); version 1
 * records are refused. */
#define ALPG_STATE_VERSION 2u

/* Same order as tk_gmm_criterion. */
static const char *const fitness_names[] = {"aic", "bic", "aicc", NULL};

typedef struct alp_gmm {
    const tk_host_api *host;   /* borrowed, outlives the instance */
    tk_ctx *ctx;               /* borrowed, outlives the instance */
    tk_task_space space;       /* owned copy (tk_task_space_copy) */
    size_t row_dim;            /* task dims + 1 (ALP) */
    tk_gmm_teacher_config cfg;
    tk_alp_computer *alp;      /* owned */
    tk_gmm_select *sel;        /* owned */
    tk_rng init_rng;           /* k-means init state, never advanced (see top) */
    double *window;            /* owned, fit_rate x row_dim ring, row n % fit_rate */
    double *scratch;           /* owned, row_dim doubles */
    double *scores;            /* owned, k_max doubles: mean ALP per component */
    uint64_t n;                /* episodes reported through update() */
    char *snapshot;            /* owned, latest snapshot text */
    size_t alp_buffer, alp_max; /* the ALP computer's buffer_size and max_size */
    tk_gmm_select_options sopt;
    tk_state_writer saved;     /* owned, the bytes of the last save() */
} alp_gmm;

static void alp_gmm_destroy(void *self)
{
    alp_gmm *t = self;
    if (!t)
        return;
    tk_alp_computer_free(t->alp);
    tk_gmm_select_free(t->sel);
    tk_task_space_free(&t->space);
    free(t->window);
    free(t->scratch);
    free(t->scores);
    free(t->snapshot);
    tk_state_writer_free(&t->saved);
    free(t);
}

/* Keys beyond the ones shared with Covar-GMM. */
static tk_status read_config(alp_gmm *t, const char *config_json, tk_gmm_select_options *sopt,
                             size_t *buffer_size, size_t *max_size)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(t->host, t->ctx, config_json, &cfg);
    if (st)
        return st;
    int criterion = 0, warm = 0;
    int64_t em_init = 1, buf = 500, maxsz = 0;
    if ((st = tk_gmm_teacher_config_read(cfg, t->host, t->ctx, &t->cfg)) ||
        (st = tk_config_choice(cfg, "gmm_fitness_fun", fitness_names, &criterion)) ||
        (st = tk_config_int(cfg, "nb_em_init", 1, 1000, &em_init)) ||
        (st = tk_config_bool(cfg, "warm_start", &warm)) ||
        (st = tk_config_int(cfg, "alp_buffer_size", 1, 1000000000, &buf)))
        goto done;
    if (tk_config_has(cfg, "alp_max_size") &&
        (st = tk_config_int(cfg, "alp_max_size", 1, 1000000000, &maxsz)))
        goto done;
    t->cfg.em.n_init = (int)em_init;
    *sopt = (tk_gmm_select_options){
        .k_min = (size_t)t->cfg.k_min,
        .k_max = (size_t)t->cfg.k_max,
        .criterion = (tk_gmm_criterion)criterion,
        .task_dim = t->space.dims,
        .warm_start = warm,
        .restart_init_rng = 1,
        .em = t->cfg.em,
    };
    *buffer_size = (size_t)buf;
    *max_size = (size_t)maxsz;
done:
    tk_config_free(cfg);
    return st;
}

static tk_status alp_gmm_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                                const char *config_json, void **out)
{
    *out = NULL;
    alp_gmm *t = calloc(1, sizeof *t);
    if (!t)
        return TK_ERR_NOMEM;
    t->host = host;
    t->ctx = ctx;
    tk_state_writer_init(&t->saved);
    tk_status st = tk_task_space_check(host, ctx, space);
    if (!st)
        st = tk_task_space_copy(&t->space, space);
    if (!st)
        st = read_config(t, config_json, &t->sopt, &t->alp_buffer, &t->alp_max);
    if (st) {
        alp_gmm_destroy(t);
        return st;
    }
    t->row_dim = t->space.dims + 1;
    t->alp = tk_alp_computer_new(t->space.dims, t->alp_buffer, t->alp_max);
    t->sel = tk_gmm_select_new(t->row_dim, &t->sopt);
    t->window = malloc((size_t)t->cfg.fit_rate * t->row_dim * sizeof *t->window);
    t->scratch = malloc(t->row_dim * sizeof *t->scratch);
    t->scores = malloc((size_t)t->cfg.k_max * sizeof *t->scores);
    if (!t->alp || !t->sel || !t->window || !t->scratch || !t->scores) {
        alp_gmm_destroy(t);
        return TK_ERR_NOMEM;
    }
    tk_rng_seed(&t->init_rng, tk_rng_u64(host->rng(ctx)));
    *out = t;
    return TK_OK;
}

/* The mixture tasks are drawn from, or NULL. */
static const tk_gmm *current_gmm(const alp_gmm *t)
{
    return tk_gmm_select_best(t->sel);
}

/* Fits the candidates on the window (chronological when n % fit_rate ==
 * 0) and keeps the best; -1 when every candidate failed. */
static int fit(alp_gmm *t)
{
    return tk_gmm_select_fit(t->sel, t->window, (size_t)t->cfg.fit_rate, &t->init_rng);
}

/* Mean ALP of each component (the last coordinate of its mean).  Always
 * >= 0 in exact arithmetic; guarded for tk_rng_proportional anyway. */
static void component_scores(const alp_gmm *t, const tk_gmm *gmm)
{
    for (size_t c = 0; c < gmm->k; c++) {
        double a = gmm->means[c * gmm->dim + t->space.dims];
        t->scores[c] = isfinite(a) && a > 0.0 ? a : 0.0;
    }
}

/* ALPGMM.sample_task. */
static tk_status alp_gmm_sample(void *self, float *task_out)
{
    alp_gmm *t = self;
    const tk_gmm *gmm = current_gmm(t);
    if (gmm)
        component_scores(t, gmm);
    return gmm_teacher_sample(t->host, t->ctx, &t->cfg, t->n, gmm, t->scores, &t->space,
                              t->scratch, task_out);
}

static tk_status alp_gmm_update(void *self, const float *task, double episode_return,
                                int success)
{
    (void)success;
    alp_gmm *t = self;
    const size_t d = t->space.dims;
    const tk_status st = gmm_teacher_check_outcome(t->host, t->ctx, task, d, episode_return);
    if (st)
        return st;
    for (size_t i = 0; i < d; i++)
        t->scratch[i] = task[i];
    double alp, lp;
    if (tk_alp_computer_compute(t->alp, t->scratch, episode_return, &alp, &lp))
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    const size_t fit_rate = (size_t)t->cfg.fit_rate;
    double *row = t->window + (size_t)(t->n % fit_rate) * t->row_dim;
    memcpy(row, t->scratch, d * sizeof *row);
    row[d] = alp;
    t->n++;
    /* ALPGMM.update.  When n % fit_rate == 0 the ring is in chronological
     * order: row 0 holds the oldest of the last fit_rate episodes. */
    if (t->n >= (uint64_t)t->cfg.bootstrap && t->n % fit_rate == 0 && fit(t))
        gmm_teacher_warn_no_fit(t->host, t->ctx, t->n);
    return TK_OK;
}

static tk_status alp_gmm_snapshot(void *self, const char **json_out)
{
    alp_gmm *t = self;
    const tk_gmm *gmm = current_gmm(t);
    if (gmm)
        component_scores(t, gmm);
    return gmm_teacher_snapshot(t->host, t->ctx, gmm, t->space.dims, t->scores,
                                tk_gmm_select_fits(t->sel),
                                &t->snapshot, json_out);
}

/* ---------------------------------------------------------------- checkpoint */

/* Record (alp_gmm_save): tag; the settings the layout depends on; the
 * episode count; the k-means stream; the filled rows of the fitting window;
 * the ALP computer's record; the selector's record. */
static tk_status alp_gmm_save(void *self, const void **data, size_t *size)
{
    alp_gmm *t = self;
    tk_state_writer *w = &t->saved;
    const uint64_t fit_rate = (uint64_t)t->cfg.fit_rate;
    const uint64_t rows = t->n < fit_rate ? t->n : fit_rate;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, ALPG_STATE_TAG, ALPG_STATE_VERSION);
    tk_state_put_u64(w, t->space.dims);
    tk_state_put_u64(w, fit_rate);
    tk_state_put_u64(w, t->sopt.k_min);
    tk_state_put_u64(w, t->sopt.k_max);
    tk_state_put_u64(w, t->alp_buffer);
    tk_state_put_u64(w, t->alp_max);
    tk_state_put_u64(w, (uint64_t)t->sopt.warm_start);
    tk_state_put_u64(w, t->n);
    tk_state_put_rng(w, &t->init_rng);
    tk_state_put_f64s(w, t->window, (size_t)rows * t->row_dim);
    tk_alp_computer_save(t->alp, w);
    tk_gmm_select_save(t->sel, w);
    if (w->failed)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

/* Everything a load builds before it touches the instance. */
typedef struct alp_gmm_loaded {
    uint64_t n;
    tk_rng init_rng;
    double *window;
    tk_alp_computer *alp;
    tk_gmm_select *sel;
} alp_gmm_loaded;

static void loaded_free(alp_gmm_loaded *l)
{
    free(l->window);
    tk_alp_computer_free(l->alp);
    tk_gmm_select_free(l->sel);
}

/* Pairs an ALP computer holds after n insertions: it flushes its buffer
 * when pair j arrives with j a positive multiple of B = buffer_size, so main
 * ends at f = B floor((n - 1) / B) and, with M = max_size > 0, is trimmed to
 * start at max(0, f - M). */
static uint64_t stored_pairs(const alp_gmm *t, uint64_t n)
{
    const uint64_t f = n ? (n - 1) / t->alp_buffer * t->alp_buffer : 0;
    const uint64_t cut = t->alp_max && f > t->alp_max ? f - t->alp_max : 0;
    return n - cut;
}

/* The fitting window and the toolkit objects.  TK_OK, TK_ERR_INVALID or
 * TK_ERR_NOMEM. */
static tk_status get_state(tk_state_reader *r, const alp_gmm *t, alp_gmm_loaded *l)
{
    const uint64_t fit_rate = (uint64_t)t->cfg.fit_rate;
    const size_t cells = (size_t)(l->n < fit_rate ? l->n : fit_rate) * t->row_dim;
    l->window = malloc((size_t)fit_rate * t->row_dim * sizeof *l->window);
    l->alp = tk_alp_computer_new(t->space.dims, t->alp_buffer, t->alp_max);
    l->sel = tk_gmm_select_new(t->row_dim, &t->sopt);
    if (!l->window || !l->alp || !l->sel)
        return TK_ERR_NOMEM;
    tk_state_get_f64s(r, l->window, cells);
    if (r->failed || !gmm_teacher_finite(l->window, cells))
        return TK_ERR_INVALID;
    if (tk_alp_computer_load(l->alp, r) || tk_gmm_select_load(l->sel, r))
        return TK_ERR_NOMEM;
    /* One pair per episode, less the ones trimmed; fits happen once
     * bootstrapped, one per fit_rate episodes at most. */
    if (r->failed || r->pos != r->size || tk_alp_computer_size(l->alp) != stored_pairs(t, l->n) ||
        tk_gmm_select_fits(l->sel) > l->n / fit_rate)
        return TK_ERR_INVALID;
    return TK_OK;
}

static tk_status load_fail(const alp_gmm *t, alp_gmm_loaded *l, tk_status st)
{
    loaded_free(l);
    if (st == TK_ERR_NOMEM)
        return t->host->error(t->ctx, st, NULL, "out of memory loading the state");
    return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                          "checkpoint data is corrupt or truncated (alp-gmm state)");
}

/* Restores into an instance freshly created with the same config and task
 * space; the instance changes only once everything has been read and
 * checked. */
static tk_status alp_gmm_load(void *self, const void *data, size_t size)
{
    alp_gmm *t = self;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    const uint32_t version = tk_state_get_tag(&r, ALPG_STATE_TAG, ALPG_STATE_VERSION);
    if (!r.failed && version != ALPG_STATE_VERSION)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is an alp-gmm state of version %u, from an older "
                              "teachkit; this one reads version %u (restart the run)",
                              (unsigned)version, (unsigned)ALPG_STATE_VERSION);
    const uint64_t dims = tk_state_get_u64(&r), fit_rate = tk_state_get_u64(&r);
    const uint64_t k_min = tk_state_get_u64(&r), k_max = tk_state_get_u64(&r);
    const uint64_t buffer = tk_state_get_u64(&r), max = tk_state_get_u64(&r);
    const uint64_t warm = tk_state_get_u64(&r);
    if (r.failed || dims != t->space.dims || fit_rate != (uint64_t)t->cfg.fit_rate ||
        k_min != t->sopt.k_min || k_max != t->sopt.k_max || buffer != t->alp_buffer ||
        max != t->alp_max || warm != (uint64_t)t->sopt.warm_start)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is not an alp-gmm state for this task space and "
                              "config (corrupt, truncated or from another plugin)");
    alp_gmm_loaded l;
    memset(&l, 0, sizeof l);
    l.n = tk_state_get_u64(&r);
    tk_state_get_rng(&r, &l.init_rng);
    tk_status st = r.failed ? TK_ERR_INVALID : get_state(&r, t, &l);
    if (st != TK_OK)
        return load_fail(t, &l, st);

    free(t->window);
    t->window = l.window;
    tk_alp_computer_free(t->alp);
    t->alp = l.alp;
    tk_gmm_select_free(t->sel);
    t->sel = l.sel;
    t->n = l.n;
    t->init_rng = l.init_rng;
    return TK_OK;
}

static const tk_teacher_vtable alp_gmm_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = alp_gmm_create,
    .destroy = alp_gmm_destroy,
    .sample = alp_gmm_sample,
    .update = alp_gmm_update,
    .snapshot = alp_gmm_snapshot,
    .save = alp_gmm_save,
    .load = alp_gmm_load,
};

static const tk_descriptor alp_gmm_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "alp-gmm",
    .name = "ALP-GMM",
    .version = "1.0.0",
    .description = "Gaussian mixtures over (task, absolute learning progress), "
                   "sampling where progress is high (Portelas et al., CoRL 2019)",
    .default_config = "{\"fit_rate\": 250, \"nb_bootstrap\": null, \"k_min\": 2, \"k_max\": 10, "
                      "\"random_task_ratio\": 0.2, \"gmm_fitness_fun\": \"aic\", "
                      "\"nb_em_init\": 1, \"warm_start\": false, \"alp_max_size\": null, "
                      "\"alp_buffer_size\": 500, \"reg_covar\": 1e-6, \"tol\": 1e-3, "
                      "\"max_iter\": 100}",
    .features = NULL,
    .vtable = &alp_gmm_vtable,
};

static const tk_descriptor *const descriptors[] = {&alp_gmm_descriptor};

TK_PLUGIN_DESCRIPTORS(descriptors);
