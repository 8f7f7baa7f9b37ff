/*
 * Shared machinery of the GMM teachers: config keys, candidate fitting and
 * selection, sampling a task from a component, snapshot.  See
 * <teachkit/gmm_select.h> and teachDeepRL's alp_gmm.py and covar_gmm.py.
 */
#include "teachkit/gmm_select.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/snapshot.h"

/* ------------------------------------------------------------ configuration */

/* Generous upper limits: they only catch typos (an extra zero or three). */
#define MAX_FIT_RATE 10000000
#define MAX_BOOTSTRAP 1000000000
#define MAX_K 1000
#define MAX_EM_ITER 100000

tk_status tk_gmm_teacher_config_read(tk_config *cfg, const tk_host_api *host, tk_ctx *ctx,
                                     tk_gmm_teacher_config *out)
{
    tk_status st;
    int64_t max_iter;
    tk_gmm_options_default(&out->em);
    out->em.n_init = 1;
    if ((st = tk_config_int(cfg, "fit_rate", 2, MAX_FIT_RATE, &out->fit_rate)) ||
        (st = tk_config_int(cfg, "k_min", 1, MAX_K, &out->k_min)) ||
        (st = tk_config_int(cfg, "k_max", 1, MAX_K, &out->k_max)) ||
        (st = tk_config_double(cfg, "random_task_ratio", 0.0, 1.0, &out->random_task_ratio)) ||
        (st = tk_config_double(cfg, "reg_covar", 0.0, 1e6, &out->em.reg_covar)) ||
        (st = tk_config_double(cfg, "tol", 0.0, 1e12, &out->em.tol)) ||
        (st = tk_config_int(cfg, "max_iter", 1, MAX_EM_ITER, &max_iter)))
        return st;
    out->em.max_iter = (int)max_iter;
    if (out->k_max < out->k_min)
        return host->error(ctx, TK_ERR_CONFIG, "k_max", "must be >= k_min (%lld), got %lld",
                           (long long)out->k_min, (long long)out->k_max);
    /* EM needs at least as many points as components; the window holds
     * fit_rate points. */
    if (out->k_max > out->fit_rate)
        return host->error(ctx, TK_ERR_CONFIG, "k_max",
                           "must be <= fit_rate (%lld), the number of points of a fit, got %lld",
                           (long long)out->fit_rate, (long long)out->k_max);
    out->bootstrap = out->fit_rate;
    if (tk_config_has(cfg, "nb_bootstrap")) {
        if ((st = tk_config_int(cfg, "nb_bootstrap", 1, MAX_BOOTSTRAP, &out->bootstrap)))
            return st;
        /* TMA: fewer bootstrap episodes than the window would fit on data
         * that does not exist yet. */
        if (out->bootstrap < out->fit_rate)
            return host->error(ctx, TK_ERR_CONFIG, "nb_bootstrap",
                               "must be >= fit_rate (%lld), got %lld",
                               (long long)out->fit_rate, (long long)out->bootstrap);
    }
    return TK_OK;
}

/* ----------------------------------------------------------- model selection */

struct tk_gmm_select {
    tk_gmm_select_options opt;
    size_t dim;
    size_t n_cand;
    tk_gmm **cand;      /* cand[i] has k_min + i components */
    int *usable;        /* cand[i] holds a successful fit (warm start may use it) */
    size_t best;        /* index into cand, or n_cand when there is no model */
    uint64_t fits;
};

tk_gmm_select *tk_gmm_select_new(size_t dim, const tk_gmm_select_options *opt)
{
    if (dim == 0 || opt->k_min == 0 || opt->k_min > opt->k_max || opt->task_dim > dim)
        return NULL;
    tk_gmm_select *sel = calloc(1, sizeof *sel);
    if (!sel)
        return NULL;
    sel->opt = *opt;
    sel->dim = dim;
    sel->n_cand = opt->k_max - opt->k_min + 1;
    sel->best = sel->n_cand;
    sel->cand = calloc(sel->n_cand, sizeof *sel->cand);
    sel->usable = calloc(sel->n_cand, sizeof *sel->usable);
    if (!sel->cand || !sel->usable) {
        tk_gmm_select_free(sel);
        return NULL;
    }
    for (size_t i = 0; i < sel->n_cand; i++) {
        sel->cand[i] = tk_gmm_new(opt->k_min + i, dim);
        if (!sel->cand[i]) {
            tk_gmm_select_free(sel);
            return NULL;
        }
    }
    return sel;
}

void tk_gmm_select_free(tk_gmm_select *sel)
{
    if (!sel)
        return;
    if (sel->cand)
        for (size_t i = 0; i < sel->n_cand; i++)
            tk_gmm_free(sel->cand[i]);
    free(sel->cand);
    free(sel->usable);
    free(sel);
}

static int fit_candidate(tk_gmm_select *sel, size_t i, const double *X, size_t n,
                         tk_rng *init_rng)
{
    tk_gmm *g = sel->cand[i];
    /* scikit-learn's warm start skips the initialisation once the object
     * has been fitted; a candidate whose last fit failed starts afresh. */
    if (sel->opt.warm_start && sel->usable[i])
        return tk_gmm_fit_warm(g, X, n, &sel->opt.em);
    if (sel->opt.restart_init_rng) {
        tk_rng fresh = *init_rng;
        return tk_gmm_fit(g, X, n, &sel->opt.em, &fresh);
    }
    return tk_gmm_fit(g, X, n, &sel->opt.em, init_rng);
}

int tk_gmm_select_fit(tk_gmm_select *sel, const double *X, size_t n, tk_rng *init_rng)
{
    size_t best = sel->n_cand;
    double best_value = INFINITY;
    for (size_t i = 0; i < sel->n_cand; i++) {
        if (n < sel->cand[i]->k) {
            sel->usable[i] = 0;
            continue;
        }
        sel->usable[i] = fit_candidate(sel, i, X, n, init_rng) == 0;
        if (!sel->usable[i])
            continue;
        double v = tk_gmm_criterion_value(sel->cand[i], X, n, sel->opt.criterion,
                                          sel->opt.task_dim);
        /* Strict '<' keeps the smallest k on ties (numpy argmin).  A NaN
         * criterion counts as +inf, and when every value is +inf (AICc with
         * too few points) the first usable candidate is kept. */
        if (isnan(v))
            v = INFINITY;
        if (best == sel->n_cand || v < best_value) {
            best = i;
            best_value = v;
        }
    }
    sel->best = best;
    if (best == sel->n_cand)
        return -1;
    sel->fits++;
    return 0;
}

const tk_gmm *tk_gmm_select_best(const tk_gmm_select *sel)
{
    return sel->best < sel->n_cand ? sel->cand[sel->best] : NULL;
}

uint64_t tk_gmm_select_fits(const tk_gmm_select *sel)
{
    return sel->fits;
}

/* A record of its own inside the owner's: misplaced bytes fail at the tag. */
#define SELECT_STATE_TAG "GMSL"
#define SELECT_STATE_VERSION 1u

/* Candidates whose parameters the next fit reads (see the header). */
static int candidate_matters(const tk_gmm_select *sel, size_t i)
{
    return sel->usable[i] && (sel->opt.warm_start || i == sel->best);
}

void tk_gmm_select_save(const tk_gmm_select *sel, tk_state_writer *w)
{
    tk_state_put_tag(w, SELECT_STATE_TAG, SELECT_STATE_VERSION);
    tk_state_put_u64(w, sel->dim);
    tk_state_put_u64(w, sel->opt.k_min);
    tk_state_put_u64(w, sel->opt.k_max);
    tk_state_put_u64(w, sel->fits);
    tk_state_put_u64(w, sel->best);
    for (size_t i = 0; i < sel->n_cand; i++) {
        const int kept = candidate_matters(sel, i);
        tk_state_put_u64(w, (uint64_t)kept);
        if (kept)
            tk_gmm_state_put(w, sel->cand[i]);
    }
}

/* Swaps the restorable state of two selectors of the same shape. */
static void swap_state(tk_gmm_select *a, tk_gmm_select *b)
{
    tk_gmm_select tmp = *a;
    a->cand = b->cand, a->usable = b->usable, a->best = b->best, a->fits = b->fits;
    b->cand = tmp.cand, b->usable = tmp.usable, b->best = tmp.best, b->fits = tmp.fits;
}

int tk_gmm_select_load(tk_gmm_select *sel, tk_state_reader *r)
{
    tk_state_get_tag(r, SELECT_STATE_TAG, SELECT_STATE_VERSION);
    const uint64_t dim = tk_state_get_u64(r), k_min = tk_state_get_u64(r);
    const uint64_t k_max = tk_state_get_u64(r);
    if (r->failed || dim != sel->dim || k_min != sel->opt.k_min || k_max != sel->opt.k_max) {
        r->failed = 1;
        return 0;
    }
    tk_gmm_select *fresh = tk_gmm_select_new(sel->dim, &sel->opt);
    if (!fresh)
        return -1;
    fresh->fits = tk_state_get_u64(r);
    fresh->best = (size_t)tk_state_get_count(r, fresh->n_cand);
    for (size_t i = 0; i < fresh->n_cand && !r->failed; i++) {
        const uint64_t kept = tk_state_get_u64(r);
        if (kept > 1)
            r->failed = 1;
        fresh->usable[i] = kept == 1;
        if (fresh->usable[i])
            tk_gmm_state_get_into(r, fresh->cand[i]);
    }
    /* Without warm start only the selected candidate is saved; the selected
     * one holds a fit, and there is one only after a successful fit. */
    for (size_t i = 0; i < fresh->n_cand; i++)
        if (!fresh->opt.warm_start && fresh->usable[i] && i != fresh->best)
            r->failed = 1;
    if (fresh->best < fresh->n_cand && (!fresh->usable[fresh->best] || fresh->fits == 0))
        r->failed = 1;
    if (!r->failed)
        swap_state(sel, fresh);
    tk_gmm_select_free(fresh);
    return 0;
}

/* ------------------------------------------------------------------ sampling */

int tk_gmm_sample_task(const tk_gmm *gmm, size_t c, const tk_task_space *space, tk_rng *rng,
                       double *scratch, float *task_out)
{
    tk_gmm_sample_component(gmm, c, rng, scratch);
    for (size_t i = 0; i < space->dims; i++)
        if (!isfinite(scratch[i]))
            return -1;
    for (size_t i = 0; i < space->dims; i++) {
        const tk_dim *d = &space->dim[i];
        double x = scratch[i] < d->low ? d->low : scratch[i] > d->high ? d->high : scratch[i];
        float f = (float)x;
        /* Rounding to the nearest float may step just outside a bound that
         * is not a float32 value; stay inside the float32 image of the box. */
        if (f < (float)d->low)
            f = (float)d->low;
        if (f > (float)d->high)
            f = (float)d->high;
        task_out[i] = f;
    }
    return 0;
}

/* ------------------------------------------------------------------ snapshot */

char *tk_gmm_snapshot_json(const tk_gmm *gmm, size_t task_dim, const char *score_key,
                           const double *scores, uint64_t fits)
{
    json_t *snap = tk_snapshot_gmm(fits);
    for (size_t c = 0; snap && gmm && c < gmm->k; c++) {
        const double *mean = gmm->means + c * gmm->dim;
        const double *cov = gmm->covs + c * gmm->dim * gmm->dim;
        if (tk_snapshot_gmm_add(snap, gmm->weights[c], mean, cov, task_dim, gmm->dim, scores[c])) {
            json_decref(snap);
            return NULL;
        }
        /* A score under another name than the schema's "alp": moved there. */
        if (strcmp(score_key, TK_SNAPSHOT_KEY_ALP) != 0) {
            json_t *comp = json_array_get(json_object_get(snap, TK_SNAPSHOT_KEY_COMPONENTS), c);
            if (json_object_set(comp, score_key, json_object_get(comp, TK_SNAPSHOT_KEY_ALP)) ||
                json_object_del(comp, TK_SNAPSHOT_KEY_ALP)) {
                json_decref(snap);
                return NULL;
            }
        }
    }
    return tk_snapshot_dump(snap);
}

/* ---------------------------------------------------------------- checkpoint */

void tk_gmm_state_put(tk_state_writer *w, const tk_gmm *g)
{
    tk_state_put_u64(w, g ? g->k : 0);
    if (!g)
        return;
    const size_t k = g->k, d = g->dim;
    tk_state_put_f64s(w, g->weights, k);
    tk_state_put_f64s(w, g->means, k * d);
    tk_state_put_f64s(w, g->covs, k * d * d);
    tk_state_put_f64s(w, g->chols, k * d * d);
    tk_state_put_f64(w, g->lower_bound);
    tk_state_put_u64(w, (uint64_t)(int64_t)g->n_iter);
    tk_state_put_u64(w, (uint64_t)g->converged);
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

void tk_gmm_state_get_into(tk_state_reader *r, tk_gmm *g)
{
    const size_t k = g->k, d = g->dim;
    if (tk_state_get_u64(r) != k)
        r->failed = 1;
    tk_state_get_f64s(r, g->weights, k);
    tk_state_get_f64s(r, g->means, k * d);
    tk_state_get_f64s(r, g->covs, k * d * d);
    tk_state_get_f64s(r, g->chols, k * d * d);
    g->lower_bound = tk_state_get_f64(r);
    const uint64_t n_iter = tk_state_get_u64(r), converged = tk_state_get_u64(r);
    g->n_iter = (int)n_iter;
    g->converged = (int)converged;
    if (n_iter > INT32_MAX || converged > 1 || isnan(g->lower_bound) ||
        !all_finite(g->weights, k) || !all_finite(g->means, k * d) ||
        !all_finite(g->covs, k * d * d) || !all_finite(g->chols, k * d * d))
        r->failed = 1;
}

int tk_gmm_state_get(tk_state_reader *r, size_t dim, size_t k_min, size_t k_max, tk_gmm **out)
{
    *out = NULL;
    tk_state_reader peek = *r;
    const uint64_t k = tk_state_get_u64(&peek);
    if (peek.failed || k == 0) {
        *r = peek;
        return 0;
    }
    if (k < k_min || k > k_max) {
        r->failed = 1;
        return 0;
    }
    tk_gmm *g = tk_gmm_new((size_t)k, dim);
    if (!g)
        return -1;
    tk_gmm_state_get_into(r, g);
    if (r->failed)
        tk_gmm_free(g);
    else
        *out = g;
    return 0;
}
