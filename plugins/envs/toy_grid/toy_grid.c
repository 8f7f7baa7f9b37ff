/*
 * toy-grid: the n-dimensional toy environment of teachDeepRL
 * (flowersteam/teachDeepRL, teachDRL/toy_env/toy_env.py; Portelas et al.,
 * CoRL 2019).
 *
 * The task space [0,1]^(dims + distractors) is cut into cells_per_dim^dims
 * cells along the first `dims` ("relevant") dimensions; the remaining
 * distractor dimensions are ignored.  Each cell holds a competence in
 * [0, 100].  An episode is a single step on the cell of the current task:
 * the origin cell always learns (+1), any other cell learns only when one of
 * its "previous neighbours" has competence >= 75.  The reward is the
 * competence after the step divided by 100.  The environment simulates its
 * learner, so it needs no student and evaluates itself (feature
 * "self-evaluation"): the score is the percentage of cells with competence
 * strictly above 75.
 *
 * Three keys, new here, shape the grid and its learner for TeachMyAgent's
 * challenge profiles (Romac et al., ICML 2021; flowersteam/TeachMyAgent,
 * TeachMyAgent/run_utils/generate_benchmark_script.py); their defaults give
 * the original grid:
 *  - learnable_fraction: only the cells whose every index is below
 *    ceil(f * cells_per_dim) ever learn ("mostly unfeasible"); the score
 *    counts the mastered cells among those, as TeachMyAgent trains on an
 *    enlarged Stump Tracks space and still tests on its usual test set;
 *  - trivial_fraction: the cells whose every index is below
 *    ceil(f * cells_per_dim) learn without a neighbour ("mostly trivial");
 *  - competence_gain: the competence an episode adds (a learner of another
 *    speed, for "robustness to students").
 *
 * Deviations from the original (docs/envs/toy-grid.md):
 *  - a task outside [0,1] or non-finite is rejected with TK_ERR_INVALID (the
 *    original prints and terminates the program);
 *  - the bin index is clamped to cells_per_dim - 1, so the bin-edge
 *    round-off of some cell counts (np.arange in ToyEnv.__init__) cannot index past the
 *    grid;
 *  - the unused `noise` parameter is not offered.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/state.h"

/* Checkpoint record (toy_save): tag, the grid shape, every cell's
 * competence, the current cell and the episode flags.  `mastered` and the
 * current cell's coordinates are recomputed on load. */
#define TOY_STATE_TAG "TOYG"
#define TOY_STATE_VERSION 1u

#define TOY_MAX_COMPETENCE 100 /* max_per_cube of the original */
#define TOY_UNLOCK_LEVEL 75    /* a previous neighbour >= this unlocks a cell */
#define TOY_MASTERY_LEVEL 75   /* a cell > this is mastered (strict, as the original) */
#define TOY_MAX_CELLS 10000000 /* 10^7 cells = 10 MB of uint8 competences */
#define TOY_MAX_DIMS 16        /* the unlock check visits up to 2^dims - 1 neighbours */
#define TOY_MAX_DISTRACTORS 1024
/* ceil(f * cells) counts a product within this of an integer as that
 * integer, so that 0.3 * 10 (3.0000000000000004 in double) gives 3 cells. */
#define TOY_FRACTION_SLACK 1e-9

typedef struct toy_grid {
    const tk_host_api *host;
    tk_ctx *ctx;

    size_t cells;        /* cells per relevant dimension */
    size_t dims;         /* relevant dimensions */
    size_t task_dims;    /* dims + distractors */
    size_t n_cells;      /* cells^dims */
    size_t *stride;      /* dims entries, row-major strides of the grid */
    double edge_step;    /* 1 / cells, the original's bin width */
    size_t learnable;    /* cells per dimension that can learn (learnable_fraction) */
    size_t trivial;      /* cells per dimension that learn unlocked (trivial_fraction) */
    size_t n_learnable;  /* learnable^dims, the cells the score counts */
    unsigned gain;       /* competence added by a learning episode (competence_gain) */

    uint8_t *competence; /* n_cells entries, owned */
    size_t mastered;     /* number of cells with competence > TOY_MASTERY_LEVEL (all
                          * of them learnable: the others stay at 0) */

    tk_dim *dim;         /* task_dims entries, owned */
    char *names;         /* backing store of the dimension names, owned */

    size_t *coord;       /* dims entries: the cell of the current task */
    size_t cell;         /* flat index of the current task's cell */
    int has_task;
    int in_episode;
    /* ABI 1.3: 0 when begin_episode asked for a no-learn episode.  Set by
     * reset to 1 and by begin_episode for the one step of the episode, so
     * it is never needed across a checkpoint and is not saved. */
    int learn_this_episode;

    tk_state_writer saved; /* owned, the bytes of the last save() */
} toy_grid;

/* Largest k with k * (1/cells) <= p, clamped to cells - 1.  The original
 * builds its edges with np.arange(0, 1 + step, step), i.e. edge_k =
 * k * step in double, and bins with half-open intervals except for the last
 * edge; the clamp also covers the extra edge some cell counts produce. */
static size_t bin_index(const toy_grid *env, double p)
{
    double guess = floor(p * (double)env->cells);
    size_t k = guess < 0.0 ? 0 : (size_t)guess;
    if (k > env->cells)
        k = env->cells;
    while (k > 0 && (double)k * env->edge_step > p)
        k--;
    while (k < env->cells && (double)(k + 1) * env->edge_step <= p)
        k++;
    return k < env->cells - 1 ? k : env->cells - 1;
}

/* Whether one of the previous neighbours of the current cell (every cell
 * obtained by lowering a non-empty subset of its non-zero coordinates by one,
 * diagonals included) has competence >= TOY_UNLOCK_LEVEL. */
static int unlocked(const toy_grid *env)
{
    size_t nonzero[TOY_MAX_DIMS];
    size_t n = 0;
    for (size_t j = 0; j < env->dims; j++)
        if (env->coord[j] > 0)
            nonzero[n++] = j;
    for (uint32_t subset = 1; subset < (UINT32_C(1) << n); subset++) {
        size_t neighbour = env->cell;
        for (size_t b = 0; b < n; b++)
            if (subset & (UINT32_C(1) << b))
                neighbour -= env->stride[nonzero[b]];
        if (env->competence[neighbour] >= TOY_UNLOCK_LEVEL)
            return 1;
    }
    return 0;
}

/* Whether every index of `coord` is below `limit`: the cell lies in the
 * box of the first `limit` cells of every relevant dimension. */
static int in_box(const toy_grid *env, const size_t *coord, size_t limit)
{
    for (size_t j = 0; j < env->dims; j++)
        if (coord[j] >= limit)
            return 0;
    return 1;
}

/* Whether the current cell learns when played: a learnable cell that is
 * the origin (all indices 0, hence flat index 0, which always learns),
 * trivial, or unlocked by a previous neighbour. */
static int learns_now(const toy_grid *env)
{
    if (!in_box(env, env->coord, env->learnable))
        return 0;
    return env->cell == 0 || in_box(env, env->coord, env->trivial) || unlocked(env);
}

static void learn(toy_grid *env)
{
    uint8_t *c = &env->competence[env->cell];
    if (*c >= TOY_MAX_COMPETENCE || !learns_now(env))
        return;
    const unsigned before = *c;
    const unsigned after = before + env->gain;
    *c = (uint8_t)(after < TOY_MAX_COMPETENCE ? after : TOY_MAX_COMPETENCE);
    if (before <= TOY_MASTERY_LEVEL && *c > TOY_MASTERY_LEVEL)
        env->mastered++;
}

static void toy_destroy(void *self)
{
    toy_grid *env = self;
    if (!env)
        return;
    free(env->stride);
    free(env->competence);
    free(env->dim);
    free(env->names);
    free(env->coord);
    tk_state_writer_free(&env->saved);
    free(env);
}

/* A fraction in [0, 1], read when present: the host always passes the
 * descriptor's defaults, direct callers (tests) may leave the key out. */
static tk_status optional_double(tk_config *cfg, const char *key, double *out)
{
    return tk_config_has(cfg, key) ? tk_config_double(cfg, key, 0.0, 1.0, out) : TK_OK;
}

/* ceil(fraction * cells), within TOY_FRACTION_SLACK, at most cells. */
static size_t cells_of(double fraction, size_t cells)
{
    const double k = ceil(fraction * (double)cells - TOY_FRACTION_SLACK);
    return k <= 0.0 ? 0 : k >= (double)cells ? cells : (size_t)k;
}

static tk_status read_fractions(toy_grid *env, size_t cells, double learnable, double trivial)
{
    env->learnable = cells_of(learnable, cells);
    env->trivial = cells_of(trivial, cells);
    if (env->learnable == 0)
        return env->host->error(env->ctx, TK_ERR_CONFIG, "learnable_fraction",
                                "learnable_fraction = %g leaves no learnable cell of the %zu "
                                "per dimension; give at least 1 / cells_per_dim = %g",
                                learnable, cells, 1.0 / (double)cells);
    if (env->trivial > env->learnable)
        return env->host->error(env->ctx, TK_ERR_CONFIG, "trivial_fraction",
                                "trivial_fraction = %g makes %zu cells per dimension trivial, "
                                "more than the %zu learnable ones (learnable_fraction = %g); "
                                "give trivial_fraction <= learnable_fraction",
                                trivial, env->trivial, env->learnable, learnable);
    return TK_OK;
}

static tk_status read_config(toy_grid *env, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(env->host, env->ctx, config_json, &cfg);
    if (st != TK_OK)
        return st;
    int64_t cells = 0, dims = 0, distractors = 0, gain = 1;
    double learnable = 1.0, trivial = 0.0;
    if ((st = tk_config_int(cfg, "cells_per_dim", 1, TOY_MAX_CELLS, &cells)) != TK_OK ||
        (st = tk_config_int(cfg, "dims", 1, TOY_MAX_DIMS, &dims)) != TK_OK ||
        (st = tk_config_int(cfg, "distractors", 0, TOY_MAX_DISTRACTORS, &distractors)) != TK_OK ||
        (st = optional_double(cfg, "learnable_fraction", &learnable)) != TK_OK ||
        (st = optional_double(cfg, "trivial_fraction", &trivial)) != TK_OK ||
        (tk_config_has(cfg, "competence_gain") &&
         (st = tk_config_int(cfg, "competence_gain", 1, TOY_MAX_COMPETENCE, &gain)) != TK_OK)) {
        tk_config_free(cfg);
        return st;
    }
    tk_config_free(cfg);
    if ((st = read_fractions(env, (size_t)cells, learnable, trivial)) != TK_OK)
        return st;

    size_t n_cells = 1;
    for (int64_t j = 0; j < dims; j++) {
        if (n_cells > TOY_MAX_CELLS / (size_t)cells)
            return env->host->error(env->ctx, TK_ERR_CONFIG, "cells_per_dim",
                                    "cells_per_dim^dims = %lld^%lld exceeds the limit of %d "
                                    "cells",
                                    (long long)cells, (long long)dims, TOY_MAX_CELLS);
        n_cells *= (size_t)cells;
    }
    env->cells = (size_t)cells;
    env->dims = (size_t)dims;
    env->task_dims = (size_t)(dims + distractors);
    env->n_cells = n_cells;
    env->edge_step = 1.0 / (double)cells;
    env->gain = (unsigned)gain;
    env->n_learnable = 1;
    for (int64_t j = 0; j < dims; j++)
        env->n_learnable *= env->learnable;
    return TK_OK;
}

/* Names "x0", "x1", ... in one block; bounds [0, 1]. */
static tk_status build_task_space(toy_grid *env)
{
    const size_t name_len = 24; /* "x" + any size_t + NUL */
    env->dim = calloc(env->task_dims, sizeof *env->dim);
    env->names = calloc(env->task_dims, name_len);
    if (!env->dim || !env->names)
        return TK_ERR_NOMEM;
    for (size_t i = 0; i < env->task_dims; i++) {
        char *name = env->names + i * name_len;
        snprintf(name, name_len, "x%zu", i);
        env->dim[i].name = name;
        env->dim[i].low = 0.0;
        env->dim[i].high = 1.0;
    }
    return TK_OK;
}

static tk_status toy_create(const tk_host_api *host, tk_ctx *ctx, const char *config_json,
                            void **out)
{
    *out = NULL;
    toy_grid *env = calloc(1, sizeof *env);
    if (!env)
        return TK_ERR_NOMEM;
    env->host = host;
    env->ctx = ctx;
    tk_state_writer_init(&env->saved);
    tk_status st = read_config(env, config_json);
    if (st == TK_OK)
        st = build_task_space(env);
    if (st == TK_OK) {
        env->stride = calloc(env->dims, sizeof *env->stride);
        env->coord = calloc(env->dims, sizeof *env->coord);
        env->competence = calloc(env->n_cells, 1);
        if (!env->stride || !env->coord || !env->competence)
            st = TK_ERR_NOMEM;
    }
    if (st != TK_OK) {
        toy_destroy(env);
        return st == TK_ERR_NOMEM ? host->error(ctx, st, NULL, "out of memory") : st;
    }
    size_t stride = 1;
    for (size_t j = env->dims; j-- > 0;) {
        env->stride[j] = stride;
        stride *= env->cells;
    }
    *out = env;
    return TK_OK;
}

static tk_status toy_info(void *self, tk_env_info *out)
{
    const toy_grid *env = self;
    /* Filled whole here, copied within the host's size (<teachkit/plugin.h>). */
    tk_env_info mine = {0}, *info = &mine;
    info->task_space.dims = env->task_dims;
    info->task_space.dim = env->dim;
    info->obs_dim = 0;
    info->act_dim = 0;
    info->obs_low = info->obs_high = NULL;
    info->act_low = info->act_high = NULL;
    info->return_low = 0.0;
    info->return_high = 1.0;
    /* Unused by the host for self-evaluating environments; matches the
     * original's mastery level 75 / 100. */
    info->mastery_threshold = 0.75;
    info->max_episode_steps = 1;
    tk_env_info_write(out, info);
    return TK_OK;
}

static tk_status toy_set_task(void *self, const float *task)
{
    toy_grid *env = self;
    if (!task)
        return env->host->error(env->ctx, TK_ERR_INVALID, NULL, "task is NULL");
    for (size_t i = 0; i < env->task_dims; i++) {
        double v = task[i];
        if (!isfinite(v) || v < 0.0 || v > 1.0)
            return env->host->error(env->ctx, TK_ERR_INVALID, NULL,
                                    "task[%zu] (%s) = %g is outside [0, 1]", i,
                                    env->dim[i].name, v);
    }
    /* Only the relevant dimensions pick the cell; distractors are ignored. */
    size_t cell = 0;
    for (size_t j = 0; j < env->dims; j++) {
        env->coord[j] = bin_index(env, task[j]);
        cell += env->coord[j] * env->stride[j];
    }
    env->cell = cell;
    env->has_task = 1;
    env->in_episode = 0;
    return TK_OK;
}

static tk_status toy_reset(void *self, float *obs_out)
{
    (void)obs_out; /* obs_dim == 0: nothing to write */
    toy_grid *env = self;
    if (!env->has_task)
        return env->host->error(env->ctx, TK_ERR_STATE, NULL, "reset before set_task");
    env->in_episode = 1;
    env->learn_this_episode = 1;
    return TK_OK;
}

/* ABI 1.3: a no-learn episode (Robust PLR scoring a new level, SFL
 * estimating a success rate) leaves the competences as they are. */
static tk_status toy_begin_episode(void *self, const tk_episode_options *options)
{
    toy_grid *env = self;
    if (!env->in_episode)
        return env->host->error(env->ctx, TK_ERR_STATE, NULL,
                                "begin_episode outside an episode (call reset first)");
    env->learn_this_episode = options->learn != 0;
    return TK_OK;
}

static tk_status toy_step(void *self, const float *action, float *obs_out, double *reward,
                          int *done)
{
    (void)action;  /* act_dim == 0 */
    (void)obs_out; /* obs_dim == 0 */
    toy_grid *env = self;
    if (!env->in_episode)
        return env->host->error(env->ctx, TK_ERR_STATE, NULL,
                                "step outside an episode (call reset first)");
    if (env->learn_this_episode)
        learn(env);
    *reward = env->competence[env->cell] / (double)TOY_MAX_COMPETENCE;
    *done = 1;
    env->in_episode = 0; /* every episode is exactly one step */
    return TK_OK;
}

static tk_status toy_evaluate(void *self, double *mastered_pct)
{
    const toy_grid *env = self;
    /* Over the learnable cells (all of them by default): the cells beyond
     * are the enlarged space TeachMyAgent trains on but does not test. */
    *mastered_pct = 100.0 * (double)env->mastered / (double)env->n_learnable;
    return TK_OK;
}

/* ABI 1.2: what the simulated learner can still learn on the cell of the
 * episode that just ended, the score a level-replay teacher ranks levels
 * by: the competence it lacks, (100 - competence) / 100, when the cell
 * learns now (the origin, a trivial or an unlocked cell, inside the
 * learnable box), else 0: a locked or unlearnable cell
 * teaches nothing until a previous neighbour is learnt, as positive value
 * loss is ~0 where the student cannot improve. */
static tk_status toy_episode_scores(void *self, tk_episode_scores *scores)
{
    const toy_grid *env = self;
    if (!env->has_task || !TK_HAS_FIELD(scores, env_score))
        return TK_OK;
    const int learns = learns_now(env);
    const uint8_t c = env->competence[env->cell];
    scores->env_score = learns ? (double)(TOY_MAX_COMPETENCE - c) / TOY_MAX_COMPETENCE : 0.0;
    scores->present |= TK_SCORE_ENV;
    return TK_OK;
}

static tk_status toy_save(void *self, const void **data, size_t *size)
{
    toy_grid *env = self;
    tk_state_writer *w = &env->saved;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, TOY_STATE_TAG, TOY_STATE_VERSION);
    tk_state_put_u64(w, env->cells);
    tk_state_put_u64(w, env->dims);
    tk_state_put_u64(w, env->task_dims);
    tk_state_put_bytes(w, env->competence, env->n_cells);
    tk_state_put_u64(w, env->cell);
    tk_state_put_u64(w, (uint64_t)env->has_task | (uint64_t)env->in_episode << 1);
    if (w->failed)
        return env->host->error(env->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

/* in_box for the cell of flat index `i`. */
static int flat_in_box(const toy_grid *env, size_t i, size_t limit)
{
    for (size_t j = 0; j < env->dims; j++)
        if (i / env->stride[j] % env->cells >= limit)
            return 0;
    return 1;
}

/* Restores into an instance created with the same config.  The grid is
 * read into a new buffer and checked before anything changes, so a
 * rejected checkpoint leaves the instance as it was. */
static tk_status toy_load(void *self, const void *data, size_t size)
{
    toy_grid *env = self;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, TOY_STATE_TAG, TOY_STATE_VERSION);
    const uint64_t cells = tk_state_get_u64(&r);
    const uint64_t dims = tk_state_get_u64(&r);
    const uint64_t task_dims = tk_state_get_u64(&r);
    if (r.failed || cells != env->cells || dims != env->dims || task_dims != env->task_dims)
        return env->host->error(env->ctx, TK_ERR_INVALID, NULL,
                                "checkpoint data is not a toy-grid state for this config "
                                "(corrupt, truncated or from another plugin)");
    uint8_t *competence = malloc(env->n_cells);
    if (!competence)
        return env->host->error(env->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    tk_state_get_bytes(&r, competence, env->n_cells);
    const uint64_t cell = tk_state_get_u64(&r);
    const uint64_t flags = tk_state_get_u64(&r);
    size_t mastered = 0;
    int bad = r.failed || r.pos != r.size || cell >= env->n_cells || flags > 3 ||
              flags == 2; /* in an episode without a task */
    for (size_t i = 0; !bad && i < env->n_cells; i++) {
        /* A cell outside the learnable box never learns: competence there
         * is a state of another config. */
        bad = competence[i] > TOY_MAX_COMPETENCE ||
              (competence[i] > 0 && !flat_in_box(env, i, env->learnable));
        mastered += competence[i] > TOY_MASTERY_LEVEL;
    }
    if (bad) {
        free(competence);
        return env->host->error(env->ctx, TK_ERR_INVALID, NULL,
                                "checkpoint data is corrupt or truncated (toy-grid state)");
    }
    free(env->competence);
    env->competence = competence;
    env->mastered = mastered;
    env->cell = (size_t)cell;
    for (size_t j = 0; j < env->dims; j++)
        env->coord[j] = env->cell / env->stride[j] % env->cells;
    env->has_task = (int)(flags & 1);
    env->in_episode = (int)(flags >> 1 & 1);
    return TK_OK;
}

static const tk_env_vtable toy_vtable = {
    .struct_size = sizeof(tk_env_vtable),
    .create = toy_create,
    .destroy = toy_destroy,
    .info = toy_info,
    .set_task = toy_set_task,
    .reset = toy_reset,
    .step = toy_step,
    .success = NULL,
    .evaluate = toy_evaluate,
    .save = toy_save,
    .load = toy_load,
    .get_extension = NULL,
    .episode_scores = toy_episode_scores,
    .begin_episode = toy_begin_episode,
};

static const char *const toy_features[] = {TK_FEATURE_SELF_EVALUATION, NULL};

static const tk_descriptor toy_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_ENV,
    .id = "toy-grid",
    .name = "Toy grid",
    .version = "1.1.0",
    .description = "n-D grid of cells unlocked from the origin outwards (teachDeepRL toy env)",
    .default_config = "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 0, "
                      "\"learnable_fraction\": 1.0, \"trivial_fraction\": 0.0, "
                      "\"competence_gain\": 1}",
    .features = toy_features,
    .vtable = &toy_vtable,
};

static const tk_descriptor *const toy_descriptors[] = {&toy_descriptor};

TK_PLUGIN_DESCRIPTORS(toy_descriptors);
