/*
 * sfl: Sampling For Learnability (Rutherford, Jackson, Beukman, Foerster,
 * Whiteson and Larsen 2024, "No Regrets: Investigating and Improving Regret
 * Approximations for Curriculum Discovery"), after
 * amacrutherford/sampling-for-learnability sfl/train/jaxnav_sfl.py.
 *
 * Two phases that alternate:
 *   evaluation  `num_candidates` new levels (a task uniform in the space and
 *               a fresh env seed; ABI 1.2 tk_level) are each played
 *               `episodes_per_candidate` times as no-learn episodes; their
 *               success rate p gives the learnability p (1 - p), and the
 *               `buffer_size` most learnable levels become the buffer
 *               (sfl_select.h);
 *   training    `refresh_every` episodes the student learns from: a level
 *               drawn uniformly from the buffer with probability
 *               `buffer_prob`, else a new uniform level.
 * The run starts with an evaluation.  docs/teachers/sfl.md lists the keys,
 * their sources and the deviations.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sfl_select.h"
#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/state.h"
#include "teachkit/task_space.h"

#define SFL_STATE_TAG "SFLT"
#define SFL_STATE_VERSION 1u
#define SFL_MAX_LEVELS 1000000

enum { PHASE_EVAL, PHASE_TRAIN };

typedef struct sfl_teacher {
    const tk_host_api *host;
    tk_ctx *ctx;
    tk_rng *rng;
    tk_task_space space;          /* owned copy */
    size_t dims;
    int64_t n_cand, per_cand, k, refresh;
    double buffer_prob;
    /* Evaluation: the candidates and their outcomes (owned). */
    float *cand_task;             /* n_cand x dims */
    uint64_t *cand_seed, *cand_success, *cand_plays;
    double *learn;                /* n_cand, scratch */
    size_t *order, *top;          /* n_cand and k, scratch */
    /* The buffer of the most learnable levels (owned). */
    float *buf_task;              /* k x dims */
    uint64_t *buf_seed;
    size_t buf_n;
    /* Where the schedule is. */
    int phase;
    int candidates_drawn;         /* this evaluation's candidates exist */
    size_t cursor, episode;       /* evaluation: candidate and its episode */
    uint64_t trained;             /* training episodes since the refresh */
    uint64_t refreshes;
    /* The level in play, from sample_level to update. */
    int pending;                  /* 0 none, 1 evaluation, 2 training */
    float *pending_task;          /* dims */
    uint64_t pending_seed;
    tk_state_writer saved;
} sfl_teacher;

static void sfl_destroy(void *self)
{
    sfl_teacher *t = self;
    if (!t)
        return;
    free(t->cand_task), free(t->cand_seed), free(t->cand_success), free(t->cand_plays);
    free(t->learn), free(t->order), free(t->top), free(t->buf_task), free(t->buf_seed);
    free(t->pending_task);
    tk_task_space_free(&t->space);
    tk_state_writer_free(&t->saved);
    free(t);
}

static tk_status read_config(sfl_teacher *t, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(t->host, t->ctx, config_json, &cfg);
    if (st == TK_OK)
        (void)((st = tk_config_int(cfg, "num_candidates", 1, SFL_MAX_LEVELS, &t->n_cand)) ||
               (st = tk_config_int(cfg, "episodes_per_candidate", 1, 1000, &t->per_cand)) ||
               (st = tk_config_int(cfg, "buffer_size", 1, SFL_MAX_LEVELS, &t->k)) ||
               (st = tk_config_int(cfg, "refresh_every", 1, INT64_MAX, &t->refresh)) ||
               (st = tk_config_double(cfg, "buffer_prob", 0.0, 1.0, &t->buffer_prob)));
    tk_config_free(cfg);
    if (st == TK_OK && t->k > t->n_cand)
        st = t->host->error(t->ctx, TK_ERR_CONFIG, "buffer_size",
                            "must be <= num_candidates (%lld), got %lld", (long long)t->n_cand,
                            (long long)t->k);
    return st;
}

static int alloc_arrays(sfl_teacher *t)
{
    const size_t c = (size_t)t->n_cand, k = (size_t)t->k, d = t->dims ? t->dims : 1;
    t->cand_task = calloc(c * d, sizeof(float));
    t->cand_seed = calloc(c, sizeof(uint64_t));
    t->cand_success = calloc(c, sizeof(uint64_t));
    t->cand_plays = calloc(c, sizeof(uint64_t));
    t->learn = calloc(c, sizeof(double));
    t->order = calloc(c, sizeof(size_t));
    t->top = calloc(k, sizeof(size_t));
    t->buf_task = calloc(k * d, sizeof(float));
    t->buf_seed = calloc(k, sizeof(uint64_t));
    t->pending_task = calloc(d, sizeof(float));
    return t->cand_task && t->cand_seed && t->cand_success && t->cand_plays && t->learn &&
                   t->order && t->top && t->buf_task && t->buf_seed && t->pending_task
               ? 0
               : -1;
}

static tk_status sfl_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                            const char *config_json, void **out)
{
    *out = NULL;
    tk_status st = tk_task_space_check(host, ctx, space);
    if (st != TK_OK)
        return st;
    sfl_teacher *t = calloc(1, sizeof *t);
    if (!t || tk_task_space_copy(&t->space, space) != TK_OK) {
        sfl_destroy(t);
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    }
    t->host = host, t->ctx = ctx, t->rng = host->rng(ctx), t->dims = space->dims;
    tk_state_writer_init(&t->saved);
    if ((st = read_config(t, config_json)) != TK_OK) {
        sfl_destroy(t);
        return st;
    }
    if (alloc_arrays(t)) {
        sfl_destroy(t);
        return host->error(ctx, TK_ERR_NOMEM, "num_candidates", "out of memory");
    }
    *out = t;
    return TK_OK;
}

/* A new level: a uniform task and a 53-bit seed (exact in JSON). */
static void new_level(sfl_teacher *t, float *task, uint64_t *seed)
{
    tk_rng_uniform_task(t->rng, &t->space, task);
    *seed = tk_rng_u64(t->rng) >> 11;
}

static void draw_candidates(sfl_teacher *t)
{
    for (size_t i = 0; i < (size_t)t->n_cand; i++) {
        new_level(t, t->cand_task + i * t->dims, &t->cand_seed[i]);
        t->cand_success[i] = t->cand_plays[i] = 0;
    }
    t->candidates_drawn = 1;
    t->cursor = t->episode = 0;
}

/* The end of an evaluation: the most learnable candidates become the buffer. */
static void refresh_buffer(sfl_teacher *t)
{
    const size_t c = (size_t)t->n_cand, k = (size_t)t->k;
    for (size_t i = 0; i < c; i++)
        t->learn[i] = sfl_learnability(t->cand_success[i], t->cand_plays[i]);
    sfl_top_k(t->learn, c, k, t->order, t->top);
    for (size_t r = 0; r < k; r++) {
        memcpy(t->buf_task + r * t->dims, t->cand_task + t->top[r] * t->dims,
               t->dims * sizeof(float));
        t->buf_seed[r] = t->cand_seed[t->top[r]];
    }
    t->buf_n = k;
    t->phase = PHASE_TRAIN;
    t->candidates_drawn = 0;
    t->cursor = t->episode = 0;
    t->trained = 0;
    t->refreshes++;
}

static tk_status sfl_sample_level(void *self, float *task_out, tk_level *level)
{
    sfl_teacher *t = self;
    tk_level mine = {.struct_size = sizeof mine, .has_seed = 1};
    if (t->phase == PHASE_EVAL) {
        if (!t->candidates_drawn)
            draw_candidates(t);
        memcpy(t->pending_task, t->cand_task + t->cursor * t->dims, t->dims * sizeof(float));
        t->pending_seed = t->cand_seed[t->cursor];
        mine.no_learn = 1;
        t->pending = 1;
    } else {
        if (t->buf_n > 0 && tk_rng_uniform(t->rng) < t->buffer_prob) {
            const size_t i = (size_t)tk_rng_below(t->rng, t->buf_n);
            memcpy(t->pending_task, t->buf_task + i * t->dims, t->dims * sizeof(float));
            t->pending_seed = t->buf_seed[i];
        } else {
            new_level(t, t->pending_task, &t->pending_seed);
        }
        t->pending = 2;
    }
    mine.seed = t->pending_seed;
    memcpy(task_out, t->pending_task, t->dims * sizeof(float));
    tk_level_write(level, &mine);
    return TK_OK;
}

static tk_status sfl_sample(void *self, float *task_out)
{
    tk_level level = {.struct_size = sizeof level};
    return sfl_sample_level(self, task_out, &level);
}

static tk_status sfl_update(void *self, const float *task, double episode_return, int success)
{
    sfl_teacher *t = self;
    if (!isfinite(episode_return))
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "episode return is not finite");
    if (!t->pending || memcmp(task, t->pending_task, t->dims * sizeof(float)) != 0)
        return t->host->error(t->ctx, TK_ERR_STATE, NULL,
                              "update for a task this teacher did not just propose");
    if (t->pending == 1) {
        t->cand_plays[t->cursor]++;
        t->cand_success[t->cursor] += success != 0;
        if (++t->episode == (size_t)t->per_cand) {
            t->episode = 0;
            if (++t->cursor == (size_t)t->n_cand)
                refresh_buffer(t);
        }
    } else if (++t->trained == (uint64_t)t->refresh) {
        t->phase = PHASE_EVAL;
    }
    t->pending = 0;
    return TK_OK;
}

static tk_status sfl_save(void *self, const void **data, size_t *size)
{
    sfl_teacher *t = self;
    tk_state_writer *w = &t->saved;
    const size_t c = (size_t)t->n_cand;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, SFL_STATE_TAG, SFL_STATE_VERSION);
    const uint64_t head[] = {(uint64_t)t->phase, (uint64_t)t->candidates_drawn, t->cursor,
                             t->episode, t->trained, t->refreshes, (uint64_t)t->pending,
                             t->pending_seed, t->buf_n};
    for (size_t i = 0; i < sizeof head / sizeof *head; i++)
        tk_state_put_u64(w, head[i]);
    tk_state_put_f32s(w, t->pending_task, t->dims);
    tk_state_put_f32s(w, t->cand_task, c * t->dims);
    tk_state_put_bytes(w, t->cand_seed, c * sizeof(uint64_t));
    tk_state_put_bytes(w, t->cand_success, c * sizeof(uint64_t));
    tk_state_put_bytes(w, t->cand_plays, c * sizeof(uint64_t));
    tk_state_put_f32s(w, t->buf_task, t->buf_n * t->dims);
    tk_state_put_bytes(w, t->buf_seed, t->buf_n * sizeof(uint64_t));
    if (w->failed)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

static tk_status sfl_load(void *self, const void *data, size_t size)
{
    sfl_teacher *t = self;
    const size_t c = (size_t)t->n_cand;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, SFL_STATE_TAG, SFL_STATE_VERSION);
    const uint64_t phase = tk_state_get_count(&r, PHASE_TRAIN);
    const uint64_t drawn = tk_state_get_count(&r, 1);
    const uint64_t cursor = tk_state_get_count(&r, c - 1);
    const uint64_t episode = tk_state_get_count(&r, (uint64_t)t->per_cand - 1);
    const uint64_t trained = tk_state_get_u64(&r);
    const uint64_t refreshes = tk_state_get_u64(&r);
    const uint64_t pending = tk_state_get_count(&r, 2);
    const uint64_t pending_seed = tk_state_get_u64(&r);
    const uint64_t buf_n = tk_state_get_count(&r, (uint64_t)t->k);
    if (!r.failed) {
        tk_state_get_f32s(&r, t->pending_task, t->dims);
        tk_state_get_f32s(&r, t->cand_task, c * t->dims);
        tk_state_get_bytes(&r, t->cand_seed, c * sizeof(uint64_t));
        tk_state_get_bytes(&r, t->cand_success, c * sizeof(uint64_t));
        tk_state_get_bytes(&r, t->cand_plays, c * sizeof(uint64_t));
        tk_state_get_f32s(&r, t->buf_task, (size_t)buf_n * t->dims);
        tk_state_get_bytes(&r, t->buf_seed, (size_t)buf_n * sizeof(uint64_t));
    }
    if (r.failed || r.pos != r.size)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is not an sfl state for this task space and "
                              "config (corrupt, truncated or from another plugin)");
    t->phase = (int)phase, t->candidates_drawn = (int)drawn;
    t->cursor = (size_t)cursor, t->episode = (size_t)episode;
    t->trained = trained, t->refreshes = refreshes;
    t->pending = (int)pending, t->pending_seed = pending_seed, t->buf_n = (size_t)buf_n;
    return TK_OK;
}

static const tk_teacher_vtable sfl_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = sfl_create,
    .destroy = sfl_destroy,
    .sample = sfl_sample,
    .update = sfl_update,
    .save = sfl_save,
    .load = sfl_load,
    .sample_level = sfl_sample_level,
};

static const char *const sfl_features[] = {TK_FEATURE_NEEDS_SUCCESS,
                                           TK_FEATURE_NO_LEARN_EPISODES, NULL};

/* Defaults: amacrutherford/sampling-for-learnability
 * sfl/train/config/jaxnav-sfl.yaml: BATCH_SIZE 1000 x NUM_BATCHES 5 = 5000
 * candidates, NUM_TO_SAVE 100, NUM_ENVS_FROM_SAMPLED 128 of 256 envs
 * (buffer_prob 0.5).  episodes_per_candidate and refresh_every are ours
 * (docs/teachers/sfl.md). */
static const tk_descriptor sfl_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "sfl",
    .name = "Sampling For Learnability",
    .version = "1.0.0",
    .description = "Trains on the levels of highest success-rate learnability p(1-p) among "
                   "periodically evaluated random levels (Rutherford et al. 2024)",
    .default_config = "{\"num_candidates\": 5000, \"episodes_per_candidate\": 2, "
                      "\"buffer_size\": 100, \"refresh_every\": 5000, \"buffer_prob\": 0.5}",
    .features = sfl_features,
    .vtable = &sfl_vtable,
};

static const tk_descriptor *const sfl_descriptors[] = {&sfl_descriptor};

TK_PLUGIN_DESCRIPTORS(sfl_descriptors);
