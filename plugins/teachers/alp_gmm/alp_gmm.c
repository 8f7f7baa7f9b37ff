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
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/alp_computer.h"
#include "teachkit/config.h"
#include "teachkit/gmm_select.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"

/* Same order as tk_gmm_criterion. */
static const char *const fitness_names[] = {"aic", "bic", "aicc", NULL};

typedef struct alp_gmm {
    const tk_host_api *host;   /* borrowed, outlives the instance */
    tk_ctx *ctx;               /* borrowed, outlives the instance */
    tk_task_space space;       /* points to `dim` */
    tk_dim *dim;               /* owned copy of the bounds (names not kept) */
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
} alp_gmm;

static void alp_gmm_destroy(void *self)
{
    alp_gmm *t = self;
    if (!t)
        return;
    tk_alp_computer_free(t->alp);
    tk_gmm_select_free(t->sel);
    free(t->dim);
    free(t->window);
    free(t->scratch);
    free(t->scores);
    free(t->snapshot);
    free(t);
}

static tk_status copy_space(alp_gmm *t, const tk_task_space *space)
{
    if (!space || space->dims == 0 || !space->dim)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "the task space has no dimension");
    t->dim = calloc(space->dims, sizeof *t->dim);
    if (!t->dim)
        return TK_ERR_NOMEM;
    for (size_t i = 0; i < space->dims; i++) {
        const tk_dim *d = &space->dim[i];
        if (!isfinite(d->low) || !isfinite(d->high) || d->low > d->high)
            return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                                  "task dimension %zu has invalid bounds [%g, %g]", i, d->low,
                                  d->high);
        t->dim[i].low = d->low;
        t->dim[i].high = d->high;
    }
    t->space.dims = space->dims;
    t->space.dim = t->dim;
    return TK_OK;
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
    tk_gmm_select_options sopt;
    size_t buffer_size, max_size;
    tk_status st = copy_space(t, space);
    if (!st)
        st = read_config(t, config_json, &sopt, &buffer_size, &max_size);
    if (st) {
        alp_gmm_destroy(t);
        return st;
    }
    t->row_dim = t->space.dims + 1;
    t->alp = tk_alp_computer_new(t->space.dims, buffer_size, max_size);
    t->sel = tk_gmm_select_new(t->row_dim, &sopt);
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

/* Mean ALP of each component (the last coordinate of its mean).  Always
 * >= 0 in exact arithmetic; guarded for tk_rng_proportional anyway. */
static void component_scores(const alp_gmm *t, const tk_gmm *gmm)
{
    for (size_t c = 0; c < gmm->k; c++) {
        double a = gmm->means[c * gmm->dim + t->space.dims];
        t->scores[c] = isfinite(a) && a > 0.0 ? a : 0.0;
    }
}

static tk_status alp_gmm_sample(void *self, float *task_out)
{
    alp_gmm *t = self;
    tk_rng *rng = t->host->rng(t->ctx);
    const tk_gmm *gmm = tk_gmm_select_best(t->sel);
    /* Section 4.4: short-circuit order matters for the RNG stream. */
    if (t->n < (uint64_t)t->cfg.bootstrap || tk_rng_uniform(rng) < t->cfg.random_task_ratio ||
        !gmm) {
        tk_rng_uniform_task(rng, &t->space, task_out);
        return TK_OK;
    }
    component_scores(t, gmm);
    size_t c = tk_rng_proportional(rng, t->scores, gmm->k);
    if (tk_gmm_sample_task(gmm, c, &t->space, rng, t->scratch, task_out))
        return t->host->error(t->ctx, TK_ERR_NUMERIC, NULL,
                              "component %zu of the mixture gave a non-finite task", c);
    return TK_OK;
}

static tk_status alp_gmm_update(void *self, const float *task, double episode_return,
                                int success)
{
    (void)success;
    alp_gmm *t = self;
    const size_t d = t->space.dims;
    for (size_t i = 0; i < d; i++) {
        if (!isfinite(task[i]))
            return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "task[%zu] is not finite", i);
        t->scratch[i] = task[i];
    }
    if (!isfinite(episode_return))
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "the episode return is not finite");
    double alp, lp;
    if (tk_alp_computer_compute(t->alp, t->scratch, episode_return, &alp, &lp))
        return TK_ERR_NOMEM;
    const size_t fit_rate = (size_t)t->cfg.fit_rate;
    double *row = t->window + (size_t)(t->n % fit_rate) * t->row_dim;
    memcpy(row, t->scratch, d * sizeof *row);
    row[d] = alp;
    t->n++;
    /* Section 4.3.  When n % fit_rate == 0 the ring is in chronological
     * order: row 0 holds the oldest of the last fit_rate episodes. */
    if (t->n >= (uint64_t)t->cfg.bootstrap && t->n % fit_rate == 0 &&
        tk_gmm_select_fit(t->sel, t->window, fit_rate, &t->init_rng))
        t->host->log(t->ctx, TK_LOG_WARN,
                     "episode %llu: no candidate mixture could be fitted; sampling uniformly "
                     "until the next fit", (unsigned long long)t->n);
    return TK_OK;
}

static tk_status alp_gmm_snapshot(void *self, const char **json_out)
{
    alp_gmm *t = self;
    const tk_gmm *gmm = tk_gmm_select_best(t->sel);
    if (gmm)
        component_scores(t, gmm);
    free(t->snapshot);
    t->snapshot = tk_gmm_snapshot_json(gmm, t->space.dims, "alp", t->scores,
                                       tk_gmm_select_fits(t->sel));
    *json_out = t->snapshot;
    if (!t->snapshot)
        return t->host->error(t->ctx, TK_ERR_INTERNAL, NULL,
                              "cannot build the snapshot (out of memory or non-finite value)");
    return TK_OK;
}

static const tk_teacher_vtable alp_gmm_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = alp_gmm_create,
    .destroy = alp_gmm_destroy,
    .sample = alp_gmm_sample,
    .update = alp_gmm_update,
    .snapshot = alp_gmm_snapshot,
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
