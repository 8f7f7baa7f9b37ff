/*
 * plr and robust-plr: Prioritized Level Replay (Jiang, Grefenstette and
 * Rocktaeschel, ICML 2021) and its robust variant PLR-perp (Jiang et al.,
 * NeurIPS 2021, "Replay-Guided Adversarial Environment Design"), after
 * facebookresearch/dcd level_replay/level_sampler.py in its
 * `sample_full_distribution` mode, which suits a continuous task space.
 *
 * A level is a task and an env seed (ABI 1.2, tk_level).  Each episode is,
 * with probability p (the replay decision below), a replay of a buffered
 * level drawn from (1 - rho) P_S + rho P_C (plr_weights.h), else a new
 * level: a task uniform in the space and a fresh seed.  After the episode
 * the level's score (positive value loss by default, from the student;
 * tk_episode_scores) updates a replayed level, or offers a new one to the
 * buffer (plr_buffer.h).  robust-plr marks new levels no-learn: the student
 * plays them to score them but trains only on replays.  accel (Parker-Holder
 * et al., ICML 2022) is robust-plr whose replayed levels are, with
 * probability edit_prob, edited (plr_edit.h) into the next episode's new
 * level, also played no-learn and offered to the buffer.
 *
 * Replay decision ("proportionate" schedule, dcd `sample_replay_decision`):
 * replay when the buffer is at least `rho_fill` full and a uniform draw is
 * below min(fill, replay_prob); "fixed" uses replay_prob alone.
 *
 * docs/teachers/plr.md lists the keys, their sources and the deviations.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plr_buffer.h"
#include "plr_edit.h"
#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/state.h"
#include "teachkit/task_space.h"

#define PLR_STATE_TAG "PLRT"
#define PLR_STATE_VERSION 1u
#define PLR_MAX_BUFFER 1000000

enum { SCORE_PVL, SCORE_MAX_MC, SCORE_ENV };
static const char *const score_names[] = {"positive_value_loss", "max_mc", "env", NULL};
static const char *const schedule_names[] = {"proportionate", "fixed", NULL};

enum { PENDING_NONE, PENDING_REPLAY, PENDING_NEW };

typedef struct plr_teacher {
    const tk_host_api *host;
    tk_ctx *ctx;
    tk_rng *rng;                /* the host's stream */
    tk_task_space space;        /* owned copy */
    int robust;                 /* new levels are no-learn */
    int accel;                  /* replayed levels are edited into new ones */
    double edit_prob, edit_scale;
    int64_t num_edits;
    /* accel: the next new level is an edit of this one (owned, dims). */
    int edit_next;
    float *edit_task;
    uint64_t edit_seed;
    int score_kind, schedule;
    double temperature, staleness_coef, staleness_temperature, replay_prob, rho_fill, alpha;
    plr_buffer buf;
    /* The level of the episode in play, from sample_level to update_scores. */
    int pending;
    size_t pending_index;       /* PENDING_REPLAY: its buffer index */
    float *pending_task;        /* owned, dims */
    uint64_t pending_seed;
    uint64_t replays, new_levels, edits; /* counters */
    tk_state_writer saved;      /* owned, the last save() */
    char *snapshot_text;        /* owned, the last snapshot() */
} plr_teacher;

static void plr_destroy(void *self)
{
    plr_teacher *t = self;
    if (!t)
        return;
    plr_buffer_free(&t->buf);
    tk_task_space_free(&t->space);
    tk_state_writer_free(&t->saved);
    free(t->pending_task);
    free(t->edit_task);
    free(t->snapshot_text);
    free(t);
}

static tk_status read_config(plr_teacher *t, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(t->host, t->ctx, config_json, &cfg);
    int64_t buffer_size = 0;
    if (st == TK_OK)
        (void)((st = tk_config_choice(cfg, "score", score_names, &t->score_kind)) ||
         (st = tk_config_int(cfg, "buffer_size", 1, PLR_MAX_BUFFER, &buffer_size)) ||
         (st = tk_config_double(cfg, "temperature", 1e-6, 1e6, &t->temperature)) ||
         (st = tk_config_double(cfg, "staleness_coef", 0.0, 1.0, &t->staleness_coef)) ||
         (st = tk_config_double(cfg, "staleness_temperature", 1e-6, 1e6,
                                &t->staleness_temperature)) ||
         (st = tk_config_double(cfg, "replay_prob", 0.0, 1.0, &t->replay_prob)) ||
         (st = tk_config_double(cfg, "rho", 0.0, 1.0, &t->rho_fill)) ||
         (st = tk_config_choice(cfg, "replay_schedule", schedule_names, &t->schedule)) ||
         (st = tk_config_double(cfg, "alpha", 0.0, 1.0, &t->alpha)) ||
         (t->accel &&
          ((st = tk_config_double(cfg, "edit_prob", 0.0, 1.0, &t->edit_prob)) ||
           (st = tk_config_int(cfg, "num_edits", 1, 1000, &t->num_edits)) ||
           (st = tk_config_double(cfg, "edit_scale", 0.0, 10.0, &t->edit_scale)))));
    tk_config_free(cfg);
    if (st == TK_OK && plr_buffer_init(&t->buf, (size_t)buffer_size, t->space.dims))
        st = t->host->error(t->ctx, TK_ERR_NOMEM, "buffer_size", "out of memory for %lld levels",
                            (long long)buffer_size);
    return st;
}

static tk_status create(int robust, int accel, const tk_host_api *host, tk_ctx *ctx,
                        const tk_task_space *space, const char *config_json, void **out)
{
    *out = NULL;
    tk_status st = tk_task_space_check(host, ctx, space);
    if (st != TK_OK)
        return st;
    plr_teacher *t = calloc(1, sizeof *t);
    if (!t || tk_task_space_copy(&t->space, space) != TK_OK ||
        !(t->pending_task = calloc(space->dims, sizeof(float))) ||
        !(t->edit_task = calloc(space->dims, sizeof(float)))) {
        plr_destroy(t);
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    }
    t->host = host, t->ctx = ctx, t->rng = host->rng(ctx), t->robust = robust;
    t->accel = accel;
    tk_state_writer_init(&t->saved);
    if ((st = read_config(t, config_json)) != TK_OK) {
        plr_destroy(t);
        return st;
    }
    *out = t;
    return TK_OK;
}

static tk_status plr_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                            const char *config_json, void **out)
{
    return create(0, 0, host, ctx, space, config_json, out);
}

static tk_status robust_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                               const char *config_json, void **out)
{
    return create(1, 0, host, ctx, space, config_json, out);
}

static tk_status accel_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                              const char *config_json, void **out)
{
    return create(1, 1, host, ctx, space, config_json, out);
}

static int replay_decision(plr_teacher *t)
{
    const double fill = (double)t->buf.n / (double)t->buf.cap;
    if (t->buf.n == 0 || fill < t->rho_fill)
        return 0;
    const double p = t->schedule == 1 ? t->replay_prob
                                      : (fill < t->replay_prob ? fill : t->replay_prob);
    return tk_rng_uniform(t->rng) < p;
}

static tk_status plr_sample_level(void *self, float *task_out, tk_level *level)
{
    plr_teacher *t = self;
    const size_t dims = t->space.dims;
    tk_level mine = {.struct_size = sizeof mine, .has_seed = 1};
    if (t->edit_next) {
        /* accel: the edit of the level replayed last, a new level that
         * keeps its parent's seed. */
        memcpy(t->pending_task, t->edit_task, dims * sizeof(float));
        plr_edit_task(t->rng, &t->space, (size_t)t->num_edits, t->edit_scale, t->pending_task);
        t->pending_seed = t->edit_seed;
        t->pending = PENDING_NEW;
        t->edit_next = 0;
        mine.no_learn = 1;
        t->edits++;
    } else if (replay_decision(t)) {
        plr_buffer_weights(&t->buf, t->temperature, t->staleness_coef, t->staleness_temperature);
        const size_t i = tk_rng_proportional(t->rng, t->buf.weights, t->buf.n);
        plr_buffer_touch(&t->buf, i);
        memcpy(t->pending_task, t->buf.task + i * dims, dims * sizeof(float));
        t->pending_seed = t->buf.seed[i];
        t->pending = PENDING_REPLAY, t->pending_index = i;
        t->replays++;
    } else {
        tk_rng_uniform_task(t->rng, &t->space, t->pending_task);
        /* 53 bits: the seed stays exact in any JSON reader of the logs. */
        t->pending_seed = tk_rng_u64(t->rng) >> 11;
        t->pending = PENDING_NEW;
        mine.no_learn = (uint32_t)t->robust;
        t->new_levels++;
    }
    mine.seed = t->pending_seed;
    memcpy(task_out, t->pending_task, dims * sizeof(float));
    tk_level_write(level, &mine);
    return TK_OK;
}

/* A teacher driven through sample() (a host without levels) gets the task
 * alone; the level is then replayed with another env seed. */
static tk_status plr_sample(void *self, float *task_out)
{
    tk_level level = {.struct_size = sizeof level};
    return plr_sample_level(self, task_out, &level);
}

static tk_status plr_update(void *self, const float *task, double episode_return, int success)
{
    (void)success;
    plr_teacher *t = self;
    if (!isfinite(episode_return))
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "episode return is not finite");
    if (t->pending == PENDING_NONE ||
        memcmp(task, t->pending_task, t->space.dims * sizeof(float)) != 0)
        return t->host->error(t->ctx, TK_ERR_STATE, NULL,
                              "update for a task this teacher did not just propose");
    return TK_OK;
}

/* The level's score from the episode's scores, per the "score" key. */
static tk_status level_score(plr_teacher *t, const tk_episode_scores *sc, double *score,
                             double *discounted_return)
{
    static const unsigned need[] = {TK_SCORE_POSITIVE_VALUE_LOSS, TK_SCORE_VALUE_RETURN,
                                    TK_SCORE_ENV};
    if (!TK_SCORES_HAVE(sc, need[t->score_kind]))
        return t->host->error(t->ctx, TK_ERR_UNSUPPORTED, "score",
                              "\"%s\" was not reported for this episode: use a student that "
                              "reports scores (sac, ppo), or \"env\" with an env that does "
                              "(toy-grid)", score_names[t->score_kind]);
    *discounted_return = TK_SCORES_HAVE(sc, TK_SCORE_VALUE_RETURN) ? sc->discounted_return : 0.0;
    if (t->score_kind == SCORE_PVL)
        *score = sc->positive_value_loss;
    else if (t->score_kind == SCORE_ENV)
        *score = sc->env_score;
    else {
        /* MaxMC: the largest discounted return seen on the level, this
         * episode's included, minus the mean value (dcd's
         * grounded_positive_value_loss). */
        double best = *discounted_return;
        if (t->pending == PENDING_REPLAY && t->buf.max_return[t->pending_index] > best)
            best = t->buf.max_return[t->pending_index];
        *score = best - sc->mean_value;
    }
    if (!isfinite(*score))
        return t->host->error(t->ctx, TK_ERR_NUMERIC, NULL, "the level's score is not finite");
    return TK_OK;
}

static tk_status plr_update_scores(void *self, const float *task, const tk_episode_scores *sc)
{
    plr_teacher *t = self;
    if (t->pending == PENDING_NONE ||
        memcmp(task, t->pending_task, t->space.dims * sizeof(float)) != 0)
        return t->host->error(t->ctx, TK_ERR_STATE, NULL,
                              "scores for a task this teacher did not just propose");
    double score = 0.0, ret = 0.0;
    tk_status st = level_score(t, sc, &score, &ret);
    if (st != TK_OK)
        return st;
    if (t->pending == PENDING_REPLAY) {
        const size_t i = t->pending_index;
        /* The authors' exponentially weighted score, alpha = 1 by default. */
        t->buf.score[i] = (1.0 - t->alpha) * t->buf.score[i] + t->alpha * score;
        if (ret > t->buf.max_return[i])
            t->buf.max_return[i] = ret;
        if (t->accel && tk_rng_uniform(t->rng) < t->edit_prob) {
            memcpy(t->edit_task, t->buf.task + i * t->space.dims, t->space.dims * sizeof(float));
            t->edit_seed = t->buf.seed[i];
            t->edit_next = 1;
        }
    } else {
        if (t->buf.n == t->buf.cap)
            plr_buffer_weights(&t->buf, t->temperature, t->staleness_coef,
                               t->staleness_temperature);
        plr_buffer_offer(&t->buf, t->pending_task, t->pending_seed, score, ret);
    }
    t->pending = PENDING_NONE;
    return TK_OK;
}

static tk_status plr_save(void *self, const void **data, size_t *size)
{
    plr_teacher *t = self;
    tk_state_writer *w = &t->saved;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, PLR_STATE_TAG, PLR_STATE_VERSION);
    tk_state_put_u64(w, (uint64_t)t->pending);
    tk_state_put_u64(w, t->pending_index);
    tk_state_put_f32s(w, t->pending_task, t->space.dims);
    tk_state_put_u64(w, t->pending_seed);
    tk_state_put_u64(w, t->replays);
    tk_state_put_u64(w, t->new_levels);
    tk_state_put_u64(w, t->edits);
    tk_state_put_u64(w, (uint64_t)t->edit_next);
    tk_state_put_f32s(w, t->edit_task, t->space.dims);
    tk_state_put_u64(w, t->edit_seed);
    plr_buffer_put(&t->buf, w);
    if (w->failed)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

static tk_status plr_load(void *self, const void *data, size_t size)
{
    plr_teacher *t = self;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, PLR_STATE_TAG, PLR_STATE_VERSION);
    const uint64_t pending = tk_state_get_count(&r, PENDING_NEW);
    const uint64_t index = tk_state_get_u64(&r);
    tk_state_get_f32s(&r, t->pending_task, t->space.dims);
    t->pending_seed = tk_state_get_u64(&r);
    t->replays = tk_state_get_u64(&r);
    t->new_levels = tk_state_get_u64(&r);
    t->edits = tk_state_get_u64(&r);
    const uint64_t edit_next = tk_state_get_count(&r, 1);
    tk_state_get_f32s(&r, t->edit_task, t->space.dims);
    t->edit_seed = tk_state_get_u64(&r);
    if (r.failed || plr_buffer_get(&t->buf, &r) || r.pos != r.size ||
        (pending == PENDING_REPLAY && index >= t->buf.n))
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is not a plr state for this task space and "
                              "buffer_size (corrupt, truncated or from another plugin)");
    t->pending = (int)pending;
    t->pending_index = (size_t)index;
    t->edit_next = (int)edit_next;
    return TK_OK;
}

static const tk_teacher_vtable plr_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = plr_create,
    .destroy = plr_destroy,
    .sample = plr_sample,
    .update = plr_update,
    .save = plr_save,
    .load = plr_load,
    .sample_level = plr_sample_level,
    .update_scores = plr_update_scores,
};

static const tk_teacher_vtable robust_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = robust_create,
    .destroy = plr_destroy,
    .sample = plr_sample,
    .update = plr_update,
    .save = plr_save,
    .load = plr_load,
    .sample_level = plr_sample_level,
    .update_scores = plr_update_scores,
};

/* Defaults: facebookresearch/dcd arguments.py (temperature 0.1, alpha 1,
 * staleness_temperature 1, the "proportionate" schedule) overridden by its
 * Robust PLR configuration for the BipedalWalker task space,
 * train_scripts/grid_configs/bipedal/bipedal_robust_plr.json (positive
 * value loss, rank, replay_prob 0.5, rho 0.5, buffer 1000, staleness 0.5). */
#define PLR_DEFAULTS                                                                         \
    "{\"score\": \"positive_value_loss\", \"buffer_size\": 1000, \"temperature\": 0.1, "    \
    "\"staleness_coef\": 0.5, \"staleness_temperature\": 1.0, \"replay_prob\": 0.5, "       \
    "\"rho\": 0.5, \"replay_schedule\": \"proportionate\", \"alpha\": 1.0}"

static const char *const plr_features[] = {TK_FEATURE_STUDENT_SCORES, NULL};
static const char *const robust_features[] = {TK_FEATURE_STUDENT_SCORES,
                                              TK_FEATURE_NO_LEARN_EPISODES, NULL};

static const tk_descriptor plr_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "plr",
    .name = "Prioritized Level Replay",
    .version = "1.0.0",
    .description = "Replays buffered levels (task + seed) ranked by the student's learning "
                   "potential, mixed with staleness (Jiang et al. 2021)",
    .default_config = PLR_DEFAULTS,
    .features = plr_features,
    .vtable = &plr_vtable,
};

static const tk_descriptor robust_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "robust-plr",
    .name = "Robust PLR",
    .version = "1.0.0",
    .description = "PLR whose new levels are only evaluated, never trained on (Jiang et al. "
                   "NeurIPS 2021)",
    .default_config = PLR_DEFAULTS,
    .features = robust_features,
    .vtable = &robust_vtable,
};

static const tk_teacher_vtable accel_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = accel_create,
    .destroy = plr_destroy,
    .sample = plr_sample,
    .update = plr_update,
    .save = plr_save,
    .load = plr_load,
    .sample_level = plr_sample_level,
    .update_scores = plr_update_scores,
};

/* facebookresearch/dcd train_scripts/grid_configs/bipedal/bipedal_accel.json:
 * replay_prob 0.9, rho 0.5, buffer 1000, staleness 0.5, level_editor_prob 1,
 * num_edits 3; edit_scale is ours (the authors' BipedalWalker edits are
 * fixed increments of its parameters). */
static const tk_descriptor accel_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "accel",
    .name = "ACCEL",
    .version = "1.0.0",
    .description = "Robust PLR that edits high-regret replayed levels into new ones "
                   "(Parker-Holder et al. 2022)",
    .default_config =
        "{\"score\": \"positive_value_loss\", \"buffer_size\": 1000, \"temperature\": 0.1, "
        "\"staleness_coef\": 0.5, \"staleness_temperature\": 1.0, \"replay_prob\": 0.9, "
        "\"rho\": 0.5, \"replay_schedule\": \"proportionate\", \"alpha\": 1.0, "
        "\"edit_prob\": 1.0, \"num_edits\": 3, \"edit_scale\": 0.05}",
    .features = robust_features,
    .vtable = &accel_vtable,
};

static const tk_descriptor *const plr_descriptors[] = {&plr_descriptor, &robust_descriptor,
                                                       &accel_descriptor};

TK_PLUGIN_DESCRIPTORS(plr_descriptors);
