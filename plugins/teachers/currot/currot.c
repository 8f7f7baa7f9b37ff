/*
 * currot: Curriculum RL via Constrained Optimal Transport (Klink, Yang,
 * Calandra and Peters, ICML 2022; code psclklnk/currot,
 * deep_sprl/teachers/spl/currot.py, wasserstein_interpolation.py,
 * sliced_wasserstein.py and currot_tma.py, the authors' TeachMyAgent
 * wrapper, whose defaults this teacher takes).
 *
 * The curriculum is a set of n particles (tasks).  Each episode plays a
 * particle drawn uniformly, jittered by +-0.1 % of each range.  Every
 * episodes_per_update episodes the batch of tasks and returns is offered to
 * the success buffer (currot_buffer.h); returns below delta join a buffer
 * of failures once the threshold has been reached; a Nadaraya-Watson
 * estimate of the return (currot_nw.h) over failures and successes then
 * decides, particle by particle, how far towards n samples of the target
 * distribution the particles may move: at most sqrt(epsilon) each, keeping
 * the estimate above delta (currot_interp.h).  Until the particles' mean
 * estimate first reaches delta, wait_until_threshold false (the wrapper's
 * setting) steps anyway; true skips the step.
 *
 * Returns are the host's normalised [0, 1] returns (no "raw-return"), so
 * delta is in those units.  docs/teachers/currot.md lists the keys, where
 * each default comes from, and the deviations from the authors' code.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "currot_buffer.h"
#include "currot_dist.h"
#include "currot_interp.h"
#include "currot_nw.h"
#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/snapshot.h"
#include "teachkit/state.h"
#include "teachkit/task_space.h"

#define CURROT_STATE_TAG "CROT"
#define CURROT_STATE_VERSION 1u
#define CURROT_MAX_SAMPLES 100000
#define SAMPLE_NOISE 1e-3   /* AbstractSampler: +-0.1 % of each range */
#define NW_BANDWIDTH 0.3    /* CurrOT.update_distribution: 0.3 sqrt(epsilon) */
#define EPSILON_SCALE 0.05  /* currot_tma.py: 0.05 |high - low| when unset */

/* Everything a checkpoint holds; load() fills a second one and swaps. */
typedef struct currot_state {
    double *particles;       /* owned: n x d */
    currot_buffer buf;       /* owned: the success buffer */
    double *fail_ctx, *fail_ret; /* owned: the last n failures, oldest first */
    size_t fail_len;
    double *batch_ctx, *batch_ret; /* owned: the episodes since the last update */
    size_t batch_len;
    int threshold_reached;   /* the mean estimate has reached delta once */
    uint64_t updates, steps, waits; /* updates; of them, steps taken and skipped */
    double last_perf;        /* the particles' mean estimate at the last update */
} currot_state;

typedef struct currot {
    const tk_host_api *host; /* borrowed, outlives the instance */
    tk_ctx *ctx;             /* borrowed, outlives the instance */
    tk_rng *rng;             /* the host's stream of the instance */
    size_t d;
    double *lo, *hi;         /* owned: the task space */
    double *noise;           /* owned: the sampling jitter per dimension */
    /* configuration */
    size_t n, per_update;
    double epsilon, delta;
    int wait;
    currot_dist init, target;
    currot_state s, stage;   /* the live state; load()'s staging copy */
    /* owned scratch of an update */
    double *train_x, *train_y, *targets, *success, *nw_key;
    size_t *nw_order;
    unsigned char *failed;
    currot_nw_pair *pairs;
    char *snapshot;          /* owned, the last snapshot() */
    tk_state_writer saved;   /* owned, the last save() */
} currot;

static void state_free(currot_state *s)
{
    free(s->particles);
    currot_buffer_free(&s->buf);
    free(s->fail_ctx);
    free(s->fail_ret);
    free(s->batch_ctx);
    free(s->batch_ret);
    memset(s, 0, sizeof *s);
}

static int state_alloc(const currot *t, currot_state *s)
{
    const size_t n = t->n, d = t->d;
    memset(s, 0, sizeof *s);
    s->particles = malloc(n * d * sizeof(double));
    s->fail_ctx = malloc(n * d * sizeof(double));
    s->fail_ret = malloc(n * sizeof(double));
    s->batch_ctx = malloc(t->per_update * d * sizeof(double));
    s->batch_ret = malloc(t->per_update * sizeof(double));
    if (currot_buffer_init(&s->buf, d, n, t->delta, t->epsilon, t->lo, t->hi) != 0 ||
        !s->particles || !s->fail_ctx || !s->fail_ret || !s->batch_ctx || !s->batch_ret) {
        state_free(s);
        return -1;
    }
    return 0;
}

static void currot_destroy(void *self)
{
    currot *t = self;
    if (!t)
        return;
    state_free(&t->s);
    state_free(&t->stage);
    currot_dist_free(&t->init);
    currot_dist_free(&t->target);
    free(t->lo);
    free(t->hi);
    free(t->noise);
    free(t->train_x);
    free(t->train_y);
    free(t->targets);
    free(t->success);
    free(t->failed);
    free(t->pairs);
    free(t->nw_key);
    free(t->nw_order);
    free(t->snapshot);
    tk_state_writer_free(&t->saved);
    free(t);
}

/* ------------------------------------------------------------- config */

static tk_status read_scalars(currot *t, tk_config *cfg)
{
    int64_t n = 0, per = 0;
    tk_status st;
    if ((st = tk_config_int(cfg, "n_samples", 2, CURROT_MAX_SAMPLES, &n)) ||
        (st = tk_config_int(cfg, "episodes_per_update", 1, CURROT_MAX_SAMPLES, &per)) ||
        (st = tk_config_double(cfg, "delta", -DBL_MAX, DBL_MAX, &t->delta)) ||
        (st = tk_config_bool(cfg, "wait_until_threshold", &t->wait)))
        return st;
    if (per >= n)
        return t->host->error(t->ctx, TK_ERR_CONFIG, "episodes_per_update",
                              "must be smaller than n_samples (%lld), as in the original; "
                              "lower it or raise n_samples", (long long)n);
    t->n = (size_t)n;
    t->per_update = (size_t)per;
    if (tk_config_has(cfg, "epsilon"))
        return tk_config_double(cfg, "epsilon", DBL_MIN, DBL_MAX, &t->epsilon);
    double norm = 0.0;
    for (size_t k = 0; k < t->d; k++)
        norm += (t->hi[k] - t->lo[k]) * (t->hi[k] - t->lo[k]);
    t->epsilon = EPSILON_SCALE * sqrt(norm);
    if (!(t->epsilon > 0.0))
        return t->host->error(t->ctx, TK_ERR_CONFIG, "epsilon",
                              "is null, and its default 0.05 x the diagonal of the task space "
                              "is 0 (every dimension is fixed); give a number > 0");
    return TK_OK;
}

static tk_status read_config(currot *t, const char *config_json)
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
    st = currot_dist_read(t->host, t->ctx, json_object_get(root, "initial_dist"), "initial_dist",
                          t->lo, t->hi, t->d, &t->init);
    if (st == TK_OK)
        st = currot_dist_read(t->host, t->ctx, json_object_get(root, "target_dist"),
                              "target_dist", t->lo, t->hi, t->d, &t->target);
    json_decref(root);
    return st;
}

static tk_status alloc_all(currot *t)
{
    const size_t n = t->n, d = t->d;
    t->train_x = malloc(2 * n * d * sizeof(double));
    t->train_y = malloc(2 * n * sizeof(double));
    t->targets = malloc(n * d * sizeof(double));
    t->success = malloc(n * d * sizeof(double));
    t->failed = malloc(t->per_update);
    t->pairs = malloc(2 * n * sizeof *t->pairs);
    t->nw_key = malloc(2 * n * sizeof *t->nw_key);
    t->nw_order = malloc(2 * n * sizeof *t->nw_order);
    if (!t->train_x || !t->train_y || !t->targets || !t->success || !t->failed || !t->pairs ||
        !t->nw_key || !t->nw_order ||
        state_alloc(t, &t->s) != 0 || state_alloc(t, &t->stage) != 0)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL,
                              "out of memory for %zu particles of %zu dimensions", n, d);
    return TK_OK;
}

static tk_status currot_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                               const char *config_json, void **out)
{
    *out = NULL;
    tk_status st = tk_task_space_check(host, ctx, space);
    if (st != TK_OK)
        return st;
    currot *t = calloc(1, sizeof *t);
    if (!t)
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    t->host = host, t->ctx = ctx, t->rng = host->rng(ctx), t->d = space->dims;
    tk_state_writer_init(&t->saved);
    t->lo = malloc(t->d * sizeof *t->lo);
    t->hi = malloc(t->d * sizeof *t->hi);
    t->noise = malloc(t->d * sizeof *t->noise);
    if (!t->lo || !t->hi || !t->noise) {
        currot_destroy(t);
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    }
    for (size_t k = 0; k < t->d; k++) {
        t->lo[k] = space->dim[k].low;
        t->hi[k] = space->dim[k].high;
        t->noise[k] = SAMPLE_NOISE * (t->hi[k] - t->lo[k]);
    }
    if ((st = read_config(t, config_json)) != TK_OK || (st = alloc_all(t)) != TK_OK) {
        currot_destroy(t);
        return st;
    }
    /* The initial particles are the first draws of the stream, as in the
     * wrapper's constructor. */
    currot_dist_sample(&t->init, t->rng, t->lo, t->hi, t->n, t->s.particles);
    *out = t;
    return TK_OK;
}

/* ------------------------------------------------------------- sampling */

/* UniformSampler: a particle drawn uniformly plus uniform jitter, clipped. */
static tk_status currot_sample(void *self, float *task_out)
{
    currot *t = self;
    const double *p = t->s.particles + (size_t)tk_rng_below(t->rng, t->n) * t->d;
    for (size_t k = 0; k < t->d; k++) {
        const double x = fmin(fmax(p[k] + tk_rng_range(t->rng, -t->noise[k], t->noise[k]),
                                   t->lo[k]), t->hi[k]);
        /* float32 rounding must not leave the task space */
        const float f = (float)x, lo = (float)t->lo[k], hi = (float)t->hi[k];
        task_out[k] = f < lo ? lo : f > hi ? hi : f;
    }
    return TK_OK;
}

/* ------------------------------------------------------------- updates */

/* The failures of this batch join the failure buffer (its last n kept)
 * once the threshold has been reached, as in CurrOT.update_distribution. */
static void keep_failures(currot *t)
{
    currot_state *s = &t->s;
    const size_t d = t->d;
    for (size_t i = 0; i < s->batch_len; i++) {
        if (!t->failed[i])
            continue;
        if (s->fail_len == t->n) { /* the oldest leaves */
            memmove(s->fail_ctx, s->fail_ctx + d, (t->n - 1) * d * sizeof(double));
            memmove(s->fail_ret, s->fail_ret + 1, (t->n - 1) * sizeof(double));
            s->fail_len--;
        }
        memcpy(s->fail_ctx + s->fail_len * d, s->batch_ctx + i * d, d * sizeof(double));
        s->fail_ret[s->fail_len++] = s->batch_ret[i];
    }
}

/* The estimate's training set: failures, then the success buffer. */
static currot_nw model_of(currot *t)
{
    currot_state *s = &t->s;
    const size_t d = t->d, m = s->fail_len + s->buf.len;
    memcpy(t->train_x, s->fail_ctx, s->fail_len * d * sizeof(double));
    memcpy(t->train_x + s->fail_len * d, s->buf.ctx, s->buf.len * d * sizeof(double));
    memcpy(t->train_y, s->fail_ret, s->fail_len * sizeof(double));
    memcpy(t->train_y + s->fail_len, s->buf.ret, s->buf.len * sizeof(double));
    currot_nw model = {.x = t->train_x, .y = t->train_y, .n = m, .d = d,
                       .bandwidth = NW_BANDWIDTH * sqrt(t->epsilon), .n_max = m / 2};
    currot_nw_index(&model, t->nw_order, t->nw_key, t->pairs);
    return model;
}

static tk_status run_update(currot *t)
{
    currot_state *s = &t->s;
    const size_t n = t->n, d = t->d;
    currot_dist_sample(&t->target, t->rng, t->lo, t->hi, n, t->targets);
    if (currot_buffer_update(&s->buf, s->batch_ctx, s->batch_ret, s->batch_len, t->targets,
                             t->failed) != 0)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory in the update");
    if (s->threshold_reached)
        keep_failures(t);
    s->batch_len = 0;
    const currot_nw model = model_of(t);
    double perf = 0.0;
    for (size_t i = 0; i < n; i++)
        perf += currot_nw_predict(&model, s->particles + i * d, t->pairs);
    perf /= (double)n;
    s->last_perf = perf;
    s->updates++;
    if (!s->threshold_reached && perf < t->delta && t->wait) {
        s->waits++;
        t->host->log(t->ctx, TK_LOG_DEBUG,
                     "update %llu: mean estimate %g below delta %g, particles unchanged "
                     "(wait_until_threshold)", (unsigned long long)s->updates, perf, t->delta);
        return TK_OK;
    }
    if (perf >= t->delta)
        s->threshold_reached = 1;
    currot_buffer_read_update(&s->buf, t->rng, t->lo, t->hi, t->success);
    currot_dist_sample(&t->target, t->rng, t->lo, t->hi, n, t->targets);
    const currot_step step = {.n = n, .d = d, .model = &model, .delta = t->delta,
                              .radius = sqrt(t->epsilon), .lo = t->lo, .hi = t->hi};
    if (currot_transport_step(&step, t->rng, s->particles, t->success, t->targets) != 0)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory in the update");
    s->steps++;
    return TK_OK;
}

static tk_status currot_update(void *self, const float *task, double episode_return, int success)
{
    (void)success;
    currot *t = self;
    currot_state *s = &t->s;
    if (!isfinite(episode_return))
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "the episode return is not finite");
    for (size_t k = 0; k < t->d; k++)
        if (!isfinite(task[k]))
            return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "task[%zu] is not finite", k);
    /* float32 bounds may lie a rounding step outside the double ones */
    for (size_t k = 0; k < t->d; k++)
        s->batch_ctx[s->batch_len * t->d + k] = fmin(fmax(task[k], t->lo[k]), t->hi[k]);
    s->batch_ret[s->batch_len++] = episode_return;
    return s->batch_len >= t->per_update ? run_update(t) : TK_OK;
}

/* ------------------------------------------------------------- snapshot */

/* The "samples" snapshot: the particles, with the progress. */
static tk_status currot_snapshot(void *self, const char **json_out)
{
    currot *t = self;
    const currot_state *s = &t->s;
    *json_out = NULL;
    json_t *points = json_array();
    for (size_t i = 0; points && i < t->n; i++)
        if (json_array_append_new(points, tk_snapshot_doubles(s->particles + i * t->d, t->d)))
            json_decref(points), points = NULL;
    json_t *extra = json_pack("{s:I, s:I, s:I, s:f, s:b, s:b, s:I, s:I, s:f, s:f}", "updates",
                              (json_int_t)s->updates, "steps", (json_int_t)s->steps, "waits",
                              (json_int_t)s->waits, "mean_estimate", s->last_perf,
                              "threshold_reached", s->threshold_reached, "buffer_delta_reached",
                              s->buf.delta_reached, "success_buffer", (json_int_t)s->buf.len,
                              "failure_buffer", (json_int_t)s->fail_len, "delta", t->delta,
                              "epsilon", t->epsilon);
    char *text = points ? tk_snapshot_dump(tk_snapshot_add(tk_snapshot_samples(points), extra))
                        : (json_decref(extra), NULL);
    if (!text)
        return t->host->error(t->ctx, TK_ERR_INTERNAL, NULL,
                              "cannot build the snapshot (out of memory or non-finite value)");
    free(t->snapshot);
    t->snapshot = text;
    *json_out = text;
    return TK_OK;
}

/* ----------------------------------------------------------- checkpoint */

/* Record: tag; d, n and episodes_per_update (the layout); the particles;
 * the failures; the batch; the flags and counters; the success buffer. */
static tk_status currot_save(void *self, const void **data, size_t *size)
{
    currot *t = self;
    const currot_state *s = &t->s;
    const size_t d = t->d;
    tk_state_writer *w = &t->saved;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, CURROT_STATE_TAG, CURROT_STATE_VERSION);
    tk_state_put_u64(w, d);
    tk_state_put_u64(w, t->n);
    tk_state_put_u64(w, t->per_update);
    tk_state_put_f64s(w, s->particles, t->n * d);
    tk_state_put_u64(w, s->fail_len);
    tk_state_put_f64s(w, s->fail_ctx, s->fail_len * d);
    tk_state_put_f64s(w, s->fail_ret, s->fail_len);
    tk_state_put_u64(w, s->batch_len);
    tk_state_put_f64s(w, s->batch_ctx, s->batch_len * d);
    tk_state_put_f64s(w, s->batch_ret, s->batch_len);
    tk_state_put_u64(w, (uint64_t)s->threshold_reached);
    tk_state_put_u64(w, s->updates);
    tk_state_put_u64(w, s->steps);
    tk_state_put_u64(w, s->waits);
    tk_state_put_f64(w, s->last_perf);
    currot_buffer_put(&s->buf, w);
    if (w->failed)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

static int in_space(const currot *t, const double *x, size_t rows)
{
    for (size_t i = 0; i < rows * t->d; i++)
        if (!(x[i] >= t->lo[i % t->d] && x[i] <= t->hi[i % t->d]))
            return 0;
    return 1;
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* Everything is read into the staging state and checked; the live state
 * changes only when the whole record is valid. */
static tk_status currot_load(void *self, const void *data, size_t size)
{
    currot *t = self;
    currot_state *g = &t->stage;
    const size_t d = t->d;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, CURROT_STATE_TAG, CURROT_STATE_VERSION);
    const uint64_t dims = tk_state_get_u64(&r), n = tk_state_get_u64(&r);
    const uint64_t per = tk_state_get_u64(&r);
    if (r.failed || dims != d || n != t->n || per != t->per_update)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is not a currot state for this task space, "
                              "n_samples and episodes_per_update (corrupt, truncated or from "
                              "another plugin)");
    tk_state_get_f64s(&r, g->particles, t->n * d);
    g->fail_len = (size_t)tk_state_get_count(&r, t->n);
    tk_state_get_f64s(&r, g->fail_ctx, g->fail_len * d);
    tk_state_get_f64s(&r, g->fail_ret, g->fail_len);
    g->batch_len = (size_t)tk_state_get_count(&r, t->per_update - 1);
    tk_state_get_f64s(&r, g->batch_ctx, g->batch_len * d);
    tk_state_get_f64s(&r, g->batch_ret, g->batch_len);
    g->threshold_reached = (int)tk_state_get_count(&r, 1);
    g->updates = tk_state_get_u64(&r);
    g->steps = tk_state_get_u64(&r);
    g->waits = tk_state_get_u64(&r);
    g->last_perf = tk_state_get_f64(&r);
    const int bad = r.failed || currot_buffer_get(&g->buf, &r) != 0 || r.pos != r.size ||
                    !in_space(t, g->particles, t->n) || !in_space(t, g->fail_ctx, g->fail_len) ||
                    !all_finite(g->fail_ret, g->fail_len) ||
                    !in_space(t, g->batch_ctx, g->batch_len) ||
                    !all_finite(g->batch_ret, g->batch_len) || !isfinite(g->last_perf) ||
                    g->steps + g->waits != g->updates;
    if (bad)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is corrupt or truncated (currot state)");
    const currot_state live = t->s;
    t->s = *g;
    *g = live;
    return TK_OK;
}

static const tk_teacher_vtable currot_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = currot_create,
    .destroy = currot_destroy,
    .sample = currot_sample,
    .update = currot_update,
    .snapshot = currot_snapshot,
    .save = currot_save,
    .load = currot_load,
};

/* The optional expert knowledge; no other feature: the teacher sees the
 * normalised return and nothing else. */
static const char *const currot_features[] = {TK_FEATURE_ACCEPTS_INITIAL_DIST,
                                              TK_FEATURE_ACCEPTS_TARGET_DIST, NULL};

/* Defaults of the authors' TeachMyAgent wrapper (currot_tma.py): 500
 * particles, an update every 50 episodes, epsilon 0.05 |high - low| (null
 * here), delta the middle of the return range (its rule when perf_lb is
 * None: 0.5 on the normalised returns), no waiting; both distributions
 * uniform over the task space. */
static const tk_descriptor currot_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "currot",
    .name = "CURROT (Curriculum RL via Constrained Optimal Transport)",
    .version = "1.0.0",
    .description = "Particles moved towards target samples by epsilon-bounded optimal transport "
                   "steps that keep the estimated return above delta (Klink et al. 2022)",
    .default_config =
        "{\"n_samples\": 500, \"episodes_per_update\": 50, \"epsilon\": null, \"delta\": 0.5, "
        "\"wait_until_threshold\": false, \"initial_dist\": null, \"target_dist\": null}",
    .features = currot_features,
    .vtable = &currot_vtable,
};

static const tk_descriptor *const currot_descriptors[] = {&currot_descriptor};

TK_PLUGIN_DESCRIPTORS(currot_descriptors);
