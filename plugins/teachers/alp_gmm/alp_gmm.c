/*
 * ALP-GMM teacher (Portelas et al., CoRL 2019; teachDeepRL
 * teachDRL/teachers/algos/alp_gmm.py; spec: teachers.md section 4).
 *
 * Every episode's task gets an absolute learning progress (ALP): the
 * absolute reward difference with the nearest previously seen task
 * (section 2).  Every fit_rate episodes (once nb_bootstrap episodes have been
 * played) a Gaussian mixture is fitted on the last fit_rate (task, ALP)
 * vectors, the number of components chosen by an information criterion.
 * Tasks are then drawn uniformly with probability random_task_ratio, and
 * otherwise from a component picked in proportion to its mean ALP.
 *
 * Deliberate choices (docs/teachers/alp-gmm.md lists them all):
 *   - The k-means initialisation of every fit of every candidate starts
 *     from the same RNG state, drawn once at create from the teacher's
 *     stream: the original gives scikit-learn random_state=<seed>, which
 *     re-creates RandomState(seed) at each fit (section 3).
 *   - The component is chosen by its mean ALP only; mixture weights are
 *     ignored, as in the original (section 15, item 9).
 *   - A candidate whose covariance cannot be factorised is left out of the
 *     selection; if all fail the teacher samples uniformly until the next
 *     fit (the original crashes).
 *
 * Checkpoints (save/load).  Two pieces of state live in toolkit objects
 * that cannot be serialised from outside:
 *   - the ALP computer (core/lib/alp_computer.c, private): the plugin keeps
 *     the chronological (task, reward) pairs a fresh computer needs and
 *     load() re-inserts them (see replay_start);
 *   - the selector's candidates (core/lib/gmm_select.c, private).  Without
 *     warm start only the selected mixture matters (every fit starts each
 *     candidate afresh): it is saved, and a loaded one stands in for the
 *     selector's until the next fit.  With warm start every candidate's
 *     parameters feed the next fit, so the plugin owns the candidates and
 *     runs the selection itself (fit_warm_candidates, the same rule as
 *     tk_gmm_select_fit), and saves them all.
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
#define ALPG_STATE_VERSION 1u

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

    /* ALP history for checkpoints: pairs [hist_first, n) in chronological
     * order, at rows hist_off.. of the arrays (see replay_start). */
    size_t alp_buffer, alp_max; /* the ALP computer's buffer_size and max_size */
    float *hist_tasks;         /* owned, hist_cap x dims */
    double *hist_rewards;      /* owned, hist_cap */
    size_t hist_cap, hist_off;
    uint64_t hist_first;

    /* Selected mixture without warm start: `sel`'s, or a loaded one
     * (owned) until the next fit; fits = fits_before + the selector's. */
    tk_gmm *restored;
    uint64_t fits_before;

    /* warm_start: the candidates (k_min + i components, owned), whether
     * each holds a fit, the selected one (n_cand for none), the fit count.
     * `sel` is NULL then. */
    tk_gmm_select_options sopt;
    tk_gmm **cand;
    int *usable;
    size_t n_cand, best;
    uint64_t warm_fits;

    tk_state_writer saved;     /* owned, the bytes of the last save() */
} alp_gmm;

static void free_candidates(tk_gmm **cand, size_t n)
{
    for (size_t i = 0; cand && i < n; i++)
        tk_gmm_free(cand[i]);
    free(cand);
}

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
    free(t->hist_tasks);
    free(t->hist_rewards);
    tk_gmm_free(t->restored);
    free_candidates(t->cand, t->n_cand);
    free(t->usable);
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
    int cand_ok = 1;
    if (t->sopt.warm_start) {
        t->n_cand = t->best = t->sopt.k_max - t->sopt.k_min + 1;
        t->cand = calloc(t->n_cand, sizeof *t->cand);
        t->usable = calloc(t->n_cand, sizeof *t->usable);
        cand_ok = t->cand && t->usable;
        for (size_t i = 0; cand_ok && i < t->n_cand; i++)
            cand_ok = (t->cand[i] = tk_gmm_new(t->sopt.k_min + i, t->row_dim)) != NULL;
    } else {
        cand_ok = (t->sel = tk_gmm_select_new(t->row_dim, &t->sopt)) != NULL;
    }
    t->window = malloc((size_t)t->cfg.fit_rate * t->row_dim * sizeof *t->window);
    t->scratch = malloc(t->row_dim * sizeof *t->scratch);
    t->scores = malloc((size_t)t->cfg.k_max * sizeof *t->scores);
    if (!t->alp || !cand_ok || !t->window || !t->scratch || !t->scores) {
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
    if (t->cand)
        return t->best < t->n_cand ? t->cand[t->best] : NULL;
    return t->restored ? t->restored : tk_gmm_select_best(t->sel);
}

static uint64_t fits_so_far(const alp_gmm *t)
{
    return t->cand ? t->warm_fits : t->fits_before + tk_gmm_select_fits(t->sel);
}

/* tk_gmm_select_fit with warm_start and restart_init_rng, on the plugin's
 * own candidates so that checkpoints can store them; keep the two in step.
 * A candidate refits from its previous parameters once it holds a fit, and
 * afresh from a copy of init_rng otherwise; the smallest criterion wins
 * (NaN counting as +inf), the smallest k on ties, the first usable one when
 * every value is +inf.  Returns -1 when every candidate failed. */
static int fit_warm_candidates(alp_gmm *t, const double *X, size_t n)
{
    size_t best = t->n_cand;
    double best_value = INFINITY;
    for (size_t i = 0; i < t->n_cand; i++) {
        tk_gmm *g = t->cand[i];
        if (n < g->k) {
            t->usable[i] = 0;
            continue;
        }
        tk_rng fresh = t->init_rng;
        const int rc = t->usable[i] ? tk_gmm_fit_warm(g, X, n, &t->sopt.em)
                                    : tk_gmm_fit(g, X, n, &t->sopt.em, &fresh);
        t->usable[i] = rc == 0;
        if (!t->usable[i])
            continue;
        double v = tk_gmm_criterion_value(g, X, n, t->sopt.criterion, t->sopt.task_dim);
        if (isnan(v))
            v = INFINITY;
        if (best == t->n_cand || v < best_value) {
            best = i;
            best_value = v;
        }
    }
    t->best = best;
    if (best == t->n_cand)
        return -1;
    t->warm_fits++;
    return 0;
}

static int fit(alp_gmm *t)
{
    const size_t fit_rate = (size_t)t->cfg.fit_rate;
    if (t->cand)
        return fit_warm_candidates(t, t->window, fit_rate);
    tk_gmm_free(t->restored); /* the selector's result replaces it, even a failure */
    t->restored = NULL;
    return tk_gmm_select_fit(t->sel, t->window, fit_rate, &t->init_rng);
}

/* ------------------------------------------------------------ ALP history */

/* The oldest pair a fresh ALP computer must be given, after `n` insertions,
 * to hold what the running one holds.  The running one flushes its buffer
 * when pair j arrives with j a positive multiple of B = buffer_size, so
 * after n pairs main ends at f = B floor((n - 1) / B) and, with M =
 * max_size > 0, starts at max(0, f - M) (trimming happens at flushes only).
 * Replaying from s, a multiple of B not above f - M, flushes at the same
 * pairs, and the flush at f trims to the same f - M: same stored pairs,
 * same buffer, hence the same (exact, structure-independent) ALPs and the
 * same future trims.  The kd-tree segments may be cut differently when
 * s > 0, which the computer's results do not depend on.  Keeps the history
 * under 2 B + M pairs; all of it when M = 0, like the computer itself. */
static uint64_t replay_start(const alp_gmm *t, uint64_t n)
{
    const uint64_t b = t->alp_buffer, m = t->alp_max;
    if (m == 0 || n == 0)
        return 0;
    const uint64_t f = (n - 1) / b * b;
    return f > m ? (f - m) / b * b : 0;
}

/* Room for one more pair, made before the computer stores it so that the
 * two never disagree.  Amortised O(dims). */
static int history_reserve(alp_gmm *t)
{
    const size_t d = t->space.dims;
    const size_t len = (size_t)(t->n - t->hist_first);
    if (t->hist_off + len == t->hist_cap) {
        if (t->hist_off >= len && t->hist_off > 0) {
            memmove(t->hist_tasks, t->hist_tasks + t->hist_off * d, len * d * sizeof(float));
            memmove(t->hist_rewards, t->hist_rewards + t->hist_off, len * sizeof(double));
            t->hist_off = 0;
        } else {
            size_t cap = t->hist_cap ? 2 * t->hist_cap : 256;
            float *tasks = realloc(t->hist_tasks, cap * d * sizeof *tasks);
            if (!tasks)
                return -1;
            t->hist_tasks = tasks;
            double *rewards = realloc(t->hist_rewards, cap * sizeof *rewards);
            if (!rewards)
                return -1;
            t->hist_rewards = rewards;
            t->hist_cap = cap;
        }
    }
    return 0;
}

/* Append pair n - 1 (t->n already counts it) and drop those no replay
 * needs any more. */
static void history_append(alp_gmm *t, const float *task, double reward)
{
    const size_t d = t->space.dims;
    const size_t row = t->hist_off + (size_t)(t->n - 1 - t->hist_first);
    memcpy(t->hist_tasks + row * d, task, d * sizeof(float));
    t->hist_rewards[row] = reward;
    const uint64_t first = replay_start(t, t->n);
    t->hist_off += (size_t)(first - t->hist_first);
    t->hist_first = first;
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

/* Section 4.4. */
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
    if (history_reserve(t) ||
        tk_alp_computer_compute(t->alp, t->scratch, episode_return, &alp, &lp))
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    const size_t fit_rate = (size_t)t->cfg.fit_rate;
    double *row = t->window + (size_t)(t->n % fit_rate) * t->row_dim;
    memcpy(row, t->scratch, d * sizeof *row);
    row[d] = alp;
    t->n++;
    history_append(t, task, episode_return);
    /* Section 4.3.  When n % fit_rate == 0 the ring is in chronological
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
    return gmm_teacher_snapshot(t->host, t->ctx, gmm, t->space.dims, t->scores, fits_so_far(t),
                                &t->snapshot, json_out);
}

/* ---------------------------------------------------------------- checkpoint */

/* Record (alp_gmm_save): tag; the settings the layout depends on; the
 * episode count; the k-means stream; the filled rows of the fitting window;
 * the ALP history from replay_start(n); the number of fits; then either
 * the selected mixture or, with warm start, the selected index and every
 * candidate that holds a fit (the others refit afresh anyway). */
static tk_status alp_gmm_save(void *self, const void **data, size_t *size)
{
    alp_gmm *t = self;
    tk_state_writer *w = &t->saved;
    const size_t d = t->space.dims;
    const uint64_t fit_rate = (uint64_t)t->cfg.fit_rate;
    const uint64_t rows = t->n < fit_rate ? t->n : fit_rate;
    const size_t hist_len = (size_t)(t->n - t->hist_first);
    tk_state_writer_reset(w);
    tk_state_put_tag(w, ALPG_STATE_TAG, ALPG_STATE_VERSION);
    tk_state_put_u64(w, d);
    tk_state_put_u64(w, fit_rate);
    tk_state_put_u64(w, t->sopt.k_min);
    tk_state_put_u64(w, t->sopt.k_max);
    tk_state_put_u64(w, t->alp_buffer);
    tk_state_put_u64(w, t->alp_max);
    tk_state_put_u64(w, (uint64_t)t->sopt.warm_start);
    tk_state_put_u64(w, t->n);
    tk_state_put_rng(w, &t->init_rng);
    tk_state_put_f64s(w, t->window, (size_t)rows * t->row_dim);
    tk_state_put_u64(w, t->hist_first);
    if (hist_len > 0) { /* the arrays are NULL before the first update */
        tk_state_put_f32s(w, t->hist_tasks + t->hist_off * d, hist_len * d);
        tk_state_put_f64s(w, t->hist_rewards + t->hist_off, hist_len);
    }
    tk_state_put_u64(w, fits_so_far(t));
    if (t->cand) {
        tk_state_put_u64(w, t->best);
        for (size_t i = 0; i < t->n_cand; i++) {
            tk_state_put_u64(w, (uint64_t)t->usable[i]);
            if (t->usable[i])
                tk_gmm_state_put(w, t->cand[i]);
        }
    } else {
        tk_gmm_state_put(w, current_gmm(t));
    }
    if (w->failed)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

/* Everything a load builds before it touches the instance. */
typedef struct alp_gmm_loaded {
    uint64_t n, fits;
    tk_rng init_rng;
    double *window;
    float *hist_tasks;
    double *hist_rewards;
    size_t hist_len;
    tk_alp_computer *alp;
    tk_gmm *restored;   /* without warm start, with a new selector */
    tk_gmm_select *sel;
    tk_gmm **cand;      /* with warm start: n_cand candidates */
    int *usable;
    size_t best;
} alp_gmm_loaded;

static void loaded_free(const alp_gmm *t, alp_gmm_loaded *l)
{
    free(l->window);
    free(l->hist_tasks);
    free(l->hist_rewards);
    tk_alp_computer_free(l->alp);
    tk_gmm_free(l->restored);
    tk_gmm_select_free(l->sel);
    free_candidates(l->cand, t->n_cand);
    free(l->usable);
}

/* The window and the ALP history. TK_OK, TK_ERR_INVALID or TK_ERR_NOMEM. */
static tk_status get_data(tk_state_reader *r, const alp_gmm *t, alp_gmm_loaded *l)
{
    const size_t d = t->space.dims;
    const uint64_t fit_rate = (uint64_t)t->cfg.fit_rate;
    const size_t cells = (size_t)(l->n < fit_rate ? l->n : fit_rate) * t->row_dim;
    l->window = malloc((size_t)fit_rate * t->row_dim * sizeof *l->window);
    if (!l->window)
        return TK_ERR_NOMEM;
    tk_state_get_f64s(r, l->window, cells);
    const uint64_t first = tk_state_get_u64(r);
    if (r->failed || first != replay_start(t, l->n) || !gmm_teacher_finite(l->window, cells))
        return TK_ERR_INVALID;
    /* Bounded by the bytes left before anything is allocated. */
    const uint64_t len = l->n - first;
    if (len > (r->size - r->pos) / (d * sizeof(float) + sizeof(double)))
        return TK_ERR_INVALID;
    l->hist_len = (size_t)len;
    l->hist_tasks = malloc((l->hist_len ? l->hist_len : 1) * d * sizeof(float));
    l->hist_rewards = malloc((l->hist_len ? l->hist_len : 1) * sizeof(double));
    if (!l->hist_tasks || !l->hist_rewards)
        return TK_ERR_NOMEM;
    tk_state_get_f32s(r, l->hist_tasks, l->hist_len * d);
    tk_state_get_f64s(r, l->hist_rewards, l->hist_len);
    if (r->failed || !gmm_teacher_finite(l->hist_rewards, l->hist_len))
        return TK_ERR_INVALID;
    for (size_t i = 0; i < l->hist_len * d; i++)
        if (!isfinite(l->hist_tasks[i]))
            return TK_ERR_INVALID;
    return TK_OK;
}

/* A fresh ALP computer given the history in order.  Insertion is
 * deterministic and replay_start aligns the flushes, so it stores the same
 * pairs as the one that was saved; its size is checked against that. */
static tk_status rebuild_alp(const alp_gmm *t, alp_gmm_loaded *l)
{
    const size_t d = t->space.dims;
    l->alp = tk_alp_computer_new(d, t->alp_buffer, t->alp_max);
    if (!l->alp)
        return TK_ERR_NOMEM;
    for (size_t i = 0; i < l->hist_len; i++) {
        for (size_t j = 0; j < d; j++)
            t->scratch[j] = l->hist_tasks[i * d + j];
        if (tk_alp_computer_compute(l->alp, t->scratch, l->hist_rewards[i], NULL, NULL))
            return TK_ERR_NOMEM;
    }
    const uint64_t f = l->n ? (l->n - 1) / t->alp_buffer * t->alp_buffer : 0;
    const uint64_t cut = t->alp_max && f > t->alp_max ? f - t->alp_max : 0;
    return tk_alp_computer_size(l->alp) == l->n - cut ? TK_OK : TK_ERR_INTERNAL;
}

static tk_status get_models(tk_state_reader *r, const alp_gmm *t, alp_gmm_loaded *l)
{
    if (!t->cand) {
        /* A new selector, in case the instance has fitted since its creation. */
        l->sel = tk_gmm_select_new(t->row_dim, &t->sopt);
        if (!l->sel || tk_gmm_state_get(r, t->row_dim, t->sopt.k_min, t->sopt.k_max, &l->restored))
            return TK_ERR_NOMEM;
        return TK_OK;
    }
    l->best = (size_t)tk_state_get_count(r, t->n_cand);
    l->cand = calloc(t->n_cand, sizeof *l->cand);
    l->usable = calloc(t->n_cand, sizeof *l->usable);
    if (!l->cand || !l->usable)
        return TK_ERR_NOMEM;
    for (size_t i = 0; i < t->n_cand && !r->failed; i++) {
        if (!(l->cand[i] = tk_gmm_new(t->sopt.k_min + i, t->row_dim)))
            return TK_ERR_NOMEM;
        const uint64_t usable = tk_state_get_u64(r);
        if (usable > 1)
            r->failed = 1;
        l->usable[i] = usable == 1;
        if (l->usable[i])
            tk_gmm_state_get_into(r, l->cand[i]);
    }
    /* The selected candidate holds a fit. */
    if (l->best < t->n_cand && !l->usable[l->best])
        r->failed = 1;
    return TK_OK;
}

static tk_status load_fail(const alp_gmm *t, alp_gmm_loaded *l, tk_status st)
{
    loaded_free(t, l);
    if (st == TK_ERR_NOMEM)
        return t->host->error(t->ctx, st, NULL, "out of memory loading the state");
    if (st == TK_ERR_INTERNAL)
        return t->host->error(t->ctx, st, NULL, "the rebuilt ALP history has the wrong size");
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
    tk_state_get_tag(&r, ALPG_STATE_TAG, ALPG_STATE_VERSION);
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
    tk_status st = r.failed ? TK_ERR_INVALID : get_data(&r, t, &l);
    if (st == TK_OK) {
        l.fits = tk_state_get_u64(&r);
        st = get_models(&r, t, &l);
    }
    /* Fits happen once bootstrapped, one per fit_rate episodes at most, and
     * a mixture exists only after one. */
    const int has_model = l.restored || (l.cand && l.best < t->n_cand);
    if (st == TK_OK && (r.failed || r.pos != r.size || l.fits > l.n / fit_rate ||
                        (has_model && l.fits == 0)))
        st = TK_ERR_INVALID;
    if (st == TK_OK)
        st = rebuild_alp(t, &l);
    if (st != TK_OK)
        return load_fail(t, &l, st);

    tk_alp_computer_free(t->alp);
    t->alp = l.alp;
    free(t->window);
    t->window = l.window;
    free(t->hist_tasks);
    free(t->hist_rewards);
    t->hist_tasks = l.hist_tasks;
    t->hist_rewards = l.hist_rewards;
    t->hist_cap = l.hist_len ? l.hist_len : 1;
    t->hist_off = 0;
    t->hist_first = l.n - l.hist_len;
    t->n = l.n;
    t->init_rng = l.init_rng;
    if (t->cand) {
        free_candidates(t->cand, t->n_cand);
        free(t->usable);
        t->cand = l.cand;
        t->usable = l.usable;
        t->best = l.best;
        t->warm_fits = l.fits;
    } else {
        tk_gmm_free(t->restored);
        t->restored = l.restored;
        tk_gmm_select_free(t->sel);
        t->sel = l.sel;
        t->fits_before = l.fits;
    }
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
