/*
 * adr: Automatic Domain Randomization (OpenAI et al. 2019, "Solving Rubik's
 * Cube with a Robot Hand", arXiv:1910.07113), as ported to continuous task
 * spaces by TeachMyAgent (flowersteam/TeachMyAgent
 * TeachMyAgent/teachers/algos/adr.py; Romac et al., ICML 2021).
 *
 * The teacher keeps a box [cur_lo, cur_hi] that starts as a single point
 * and samples tasks uniformly in it.  With probability boundary_sampling_p
 * one dimension of the task is moved to one side of the box.  The returns
 * of the episodes played on a side feed that side's queue; when a queue
 * holds queue_len returns its mean is compared with the two reward
 * thresholds: at or above max_reward_thr the side moves outwards by
 * step_size (widening the box, capped at the task space), at or below
 * min_reward_thr it moves inwards (never past the other side); the queue
 * is emptied either way.
 *
 * Expert knowledge (manifest data): the two reward thresholds are required
 * (the original, TeachMyAgent TeachMyAgent/teachers/algos/adr.py, refuses
 * to run without them); create() fails
 * with a config error on the missing key.  The thresholds are in the
 * environment's own return units, so the teacher declares "raw-return" and
 * sees raw returns, as in the TeachMyAgent benchmark (its teacher_controller.py never
 * scaled ADR's rewards).  An
 * initial point (initial_dist.mean) is optional.
 *
 * Deviations and choices (docs/teachers/adr.md):
 *   - "compat": "none" (default) fixes two quirks of ADR.sample_task and
 *     ADR.episodic_update:
 *     boundary sampling skips a side that sits at the task-space limit
 *     (the original's check is dead code), and the uniform stream is not
 *     restarted when the box changes.  "compat": "TeachMyAgent" restores
 *     both: a side is picked 50/50 unless both are capped, and the box's
 *     own stream restarts from the same state after every change.
 *   - Bounds are float32 as in the original; the global limits are
 *     compared as float32 values, so a limit that float32 cannot represent
 *     still counts as reached (the original compares float32 with float64).
 *   - All draws come from the instance's seeded host stream; the box
 *     stream of compat TeachMyAgent is seeded from it at create.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dist_config.h"
#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/snapshot.h"
#include "teachkit/state.h"

#define ADR_STATE_TAG "ADR_"
#define ADR_STATE_VERSION 1u

enum { COMPAT_NONE = 0, COMPAT_TMA = 1 };
static const char *const compat_modes[] = {"none", "TeachMyAgent", NULL};

/* The returns collected on one side of one dimension. */
typedef struct adr_queue {
    double *v;    /* owned, queue_len entries */
    size_t n;     /* entries held, < queue_len between updates */
} adr_queue;

typedef struct adr {
    const tk_host_api *host; /* borrowed, outlives the instance */
    tk_ctx *ctx;             /* borrowed, outlives the instance */
    tk_rng *rng;             /* the host stream of the instance */

    size_t dims;
    float *lo, *hi;          /* owned: task-space limits as float32 */
    float *cur_lo, *cur_hi;  /* owned: the current box */
    adr_queue *low_q, *high_q; /* owned, one per dimension */

    double step_size, max_thr, min_thr, boundary_p;
    size_t queue_len;
    int compat;

    /* compat TeachMyAgent: the box's own stream and the state it restarts
     * from after every bound change (the original re-seeds its Box). */
    tk_rng box_rng, box_seed;

    uint64_t episodes;       /* update() calls */
    uint64_t changes;        /* bound changes so far */

    char *snapshot;          /* owned, last snapshot JSON */
    tk_state_writer saved;   /* owned, the bytes of the last save() */
} adr;

static void adr_destroy(void *self)
{
    adr *t = self;
    if (!t)
        return;
    for (size_t i = 0; i < t->dims; i++) {
        if (t->low_q)
            free(t->low_q[i].v);
        if (t->high_q)
            free(t->high_q[i].v);
    }
    free(t->low_q);
    free(t->high_q);
    free(t->lo);
    free(t->hi);
    free(t->cur_lo);
    free(t->cur_hi);
    free(t->snapshot);
    tk_state_writer_free(&t->saved);
    free(t);
}

static tk_status check_space(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space)
{
    if (!space || space->dims == 0 || !space->dim)
        return host->error(ctx, TK_ERR_INVALID, NULL, "the task space has no dimension");
    for (size_t i = 0; i < space->dims; i++) {
        const tk_dim *d = &space->dim[i];
        if (!isfinite(d->low) || !isfinite(d->high) || d->low > d->high ||
            fabs(d->low) > FLT_MAX || fabs(d->high) > FLT_MAX)
            return host->error(ctx, TK_ERR_INVALID, NULL,
                               "task dimension %zu has invalid bounds [%g, %g]", i, d->low,
                               d->high);
    }
    return TK_OK;
}

/* The required reward thresholds: a missing one is expert knowledge the
 * user must supply, so the message says what it is and how to give it. */
static tk_status read_threshold(adr *t, tk_config *cfg, const char *key, const char *meaning,
                                double *out)
{
    if (!tk_config_has(cfg, key))
        return t->host->error(t->ctx, TK_ERR_CONFIG, key,
                              "is required: ADR needs both reward thresholds as expert "
                              "knowledge (%s, in the environment's raw return units); set "
                              "\"%s\" in the teacher's config", meaning, key);
    return tk_config_double(cfg, key, -DBL_MAX, DBL_MAX, out);
}

/* initial_dist: null or {"mean": [d numbers inside the task space]}; a
 * "cov" or "std" member (the SPDL form of the same expert knowledge) is
 * accepted and ignored, as ADR uses the mean only (ADR.__init__). */
static tk_status read_initial_point(adr *t, const tk_task_space *space, const char *config_json,
                                    int *given)
{
    *given = 0;
    dist_config c;
    tk_status st = dist_config_read_text(t->host, t->ctx, config_json, "initial_dist", t->dims,
                                         DIST_MEAN | DIST_COV | DIST_STD, DIST_MEAN,
                                         "an object {\"mean\": [...]} (\"cov\" or \"std\" may "
                                         "be given too; ADR ignores them)",
                                         &c);
    if (st != TK_OK || c.given == 0)
        return st;
    for (size_t i = 0; i < t->dims; i++) {
        const tk_dim *d = &space->dim[i];
        if (c.mean[i] < d->low || c.mean[i] > d->high) {
            char path[64];
            snprintf(path, sizeof path, "initial_dist.mean[%zu]", i);
            dist_config_free(&c);
            return t->host->error(t->ctx, TK_ERR_CONFIG, path,
                                  "must be a number in the task space's bounds [%g, %g]", d->low,
                                  d->high);
        }
        /* float32 rounding must not leave the task space. */
        float f = (float)c.mean[i];
        f = f < t->lo[i] ? t->lo[i] : f > t->hi[i] ? t->hi[i] : f;
        t->cur_lo[i] = t->cur_hi[i] = f;
    }
    dist_config_free(&c);
    *given = 1;
    return TK_OK;
}

static tk_status read_config(adr *t, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(t->host, t->ctx, config_json, &cfg);
    if (st != TK_OK)
        return st;
    int64_t qlen = 10;
    if ((st = read_threshold(t, cfg, "max_reward_thr",
                             "the queue mean at or above which the box widens",
                             &t->max_thr)) == TK_OK &&
        (st = read_threshold(t, cfg, "min_reward_thr",
                             "the queue mean at or below which the box shrinks",
                             &t->min_thr)) == TK_OK &&
        (st = tk_config_double(cfg, "step_size", DBL_MIN, DBL_MAX, &t->step_size)) == TK_OK &&
        (st = tk_config_double(cfg, "boundary_sampling_p", 0.0, 1.0, &t->boundary_p)) == TK_OK &&
        (st = tk_config_int(cfg, "queue_len", 1, 1000000, &qlen)) == TK_OK &&
        (st = tk_config_choice(cfg, "compat", compat_modes, &t->compat)) == TK_OK &&
        t->min_thr > t->max_thr)
        st = t->host->error(t->ctx, TK_ERR_CONFIG, "min_reward_thr",
                            "must not exceed max_reward_thr (%g), got %g", t->max_thr,
                            t->min_thr);
    t->queue_len = (size_t)qlen;
    tk_config_free(cfg);
    return st;
}

static tk_status adr_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                            const char *config_json, void **out)
{
    *out = NULL;
    tk_status st = check_space(host, ctx, space);
    if (st != TK_OK)
        return st;
    adr *t = calloc(1, sizeof *t);
    if (!t)
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    t->host = host;
    t->ctx = ctx;
    t->rng = host->rng(ctx);
    t->dims = space->dims;
    tk_state_writer_init(&t->saved);
    if ((st = read_config(t, config_json)) != TK_OK) {
        adr_destroy(t);
        return st;
    }
    const size_t d = t->dims;
    t->lo = malloc(d * sizeof *t->lo);
    t->hi = malloc(d * sizeof *t->hi);
    t->cur_lo = malloc(d * sizeof *t->cur_lo);
    t->cur_hi = malloc(d * sizeof *t->cur_hi);
    t->low_q = calloc(d, sizeof *t->low_q);
    t->high_q = calloc(d, sizeof *t->high_q);
    int ok = t->lo && t->hi && t->cur_lo && t->cur_hi && t->low_q && t->high_q;
    for (size_t i = 0; ok && i < d; i++) {
        t->low_q[i].v = malloc(t->queue_len * sizeof(double));
        t->high_q[i].v = malloc(t->queue_len * sizeof(double));
        ok = t->low_q[i].v && t->high_q[i].v;
    }
    if (!ok) {
        adr_destroy(t);
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < d; i++) {
        t->lo[i] = (float)space->dim[i].low;
        t->hi[i] = (float)space->dim[i].high;
    }
    int given = 0;
    if ((st = read_initial_point(t, space, config_json, &given)) != TK_OK) {
        adr_destroy(t);
        return st;
    }
    /* Without expert knowledge the box starts at a uniformly random point
     * (create_dist_from_bounds with subspace=true, mean only). */
    if (!given)
        tk_rng_uniform_task(t->rng, space, t->cur_lo);
    memcpy(t->cur_hi, t->cur_lo, d * sizeof *t->cur_hi);
    if (t->compat == COMPAT_TMA) {
        tk_rng_seed(&t->box_seed, tk_rng_u64(t->rng));
        t->box_rng = t->box_seed;
    }
    *out = t;
    return TK_OK;
}

/* Uniform in [a, b] as float32; exactly `a` when a == b. */
static float uniform_f32(tk_rng *rng, float a, float b)
{
    float x = (float)tk_rng_range(rng, a, b);
    return x < a ? a : x > b ? b : x;
}

static tk_status adr_sample(void *self, float *task_out)
{
    adr *t = self;
    tk_rng *box = t->compat == COMPAT_TMA ? &t->box_rng : t->rng;
    for (size_t i = 0; i < t->dims; i++)
        task_out[i] = uniform_f32(box, t->cur_lo[i], t->cur_hi[i]);
    if (tk_rng_uniform(t->rng) >= t->boundary_p)
        return TK_OK;
    const size_t i = (size_t)tk_rng_below(t->rng, t->dims);
    const int lo_capped = t->cur_lo[i] == t->lo[i], hi_capped = t->cur_hi[i] == t->hi[i];
    if (lo_capped && hi_capped)
        return TK_OK;
    int low_side;
    if (t->compat == COMPAT_TMA || (!lo_capped && !hi_capped))
        low_side = tk_rng_uniform(t->rng) < 0.5;
    else /* fix: only the side that can still grow */
        low_side = !lo_capped;
    task_out[i] = low_side ? t->cur_lo[i] : t->cur_hi[i];
    return TK_OK;
}

static void push(adr_queue *q, double r)
{
    q->v[q->n++] = r;
}

static double mean_and_clear(adr_queue *q)
{
    double s = 0.0;
    for (size_t k = 0; k < q->n; k++)
        s += q->v[k];
    const double m = s / (double)q->n;
    q->n = 0;
    return m;
}

/* ADR.episodic_update, in the original's order: the low side of a dimension first,
 * then its high side compared with the high bound read before the low
 * side changed; shrinking the high side stops at the (new) low bound. */
static int update_dimension(adr *t, size_t i, float x, double r)
{
    const float old_lo = t->cur_lo[i], old_hi = t->cur_hi[i];
    if (x == old_lo) {
        push(&t->low_q[i], r);
        if (t->low_q[i].n == t->queue_len) {
            const double m = mean_and_clear(&t->low_q[i]);
            if (m >= t->max_thr)
                t->cur_lo[i] = (float)fmax((double)old_lo - t->step_size, (double)t->lo[i]);
            else if (m <= t->min_thr)
                t->cur_lo[i] = (float)fmin((double)old_lo + t->step_size, (double)old_hi);
        }
    }
    if (x == old_hi) {
        push(&t->high_q[i], r);
        if (t->high_q[i].n == t->queue_len) {
            const double m = mean_and_clear(&t->high_q[i]);
            if (m >= t->max_thr)
                t->cur_hi[i] = (float)fmin((double)old_hi + t->step_size, (double)t->hi[i]);
            else if (m <= t->min_thr)
                t->cur_hi[i] = (float)fmax((double)old_hi - t->step_size, (double)t->cur_lo[i]);
        }
    }
    return t->cur_lo[i] != old_lo || t->cur_hi[i] != old_hi;
}

static tk_status adr_update(void *self, const float *task, double episode_return, int success)
{
    (void)success;
    adr *t = self;
    for (size_t i = 0; i < t->dims; i++)
        if (!isfinite(task[i]))
            return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "task[%zu] is not finite", i);
    if (!isfinite(episode_return))
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "the episode return is not finite");
    int changed = 0;
    for (size_t i = 0; i < t->dims; i++)
        changed |= update_dimension(t, i, task[i], episode_return);
    t->episodes++;
    if (changed) {
        t->changes++;
        if (t->compat == COMPAT_TMA)
            t->box_rng = t->box_seed; /* the original re-seeds its Box */
    }
    return TK_OK;
}

/* The "bounds" snapshot (<teachkit/snapshot.h>) with the counters. */
static tk_status adr_snapshot(void *self, const char **json_out)
{
    adr *t = self;
    *json_out = NULL;
    json_t *snap = tk_snapshot_box(TK_SNAPSHOT_BOUNDS, tk_snapshot_floats(t->cur_lo, t->dims),
                                   tk_snapshot_floats(t->cur_hi, t->dims));
    char *text = tk_snapshot_dump(tk_snapshot_add(
        snap, json_pack("{s:I, s:I}", "changes", (json_int_t)t->changes, "episodes",
                        (json_int_t)t->episodes)));
    if (!text)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    free(t->snapshot);
    t->snapshot = text;
    *json_out = text;
    return TK_OK;
}

/* ---------------------------------------------------------------- checkpoint */

/* Record: tag; dims, queue_len and compat (the layout depends on them); the
 * episode and change counts; the box; every queue (count then values); the
 * box stream and its restart state. */
static tk_status adr_save(void *self, const void **data, size_t *size)
{
    adr *t = self;
    tk_state_writer *w = &t->saved;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, ADR_STATE_TAG, ADR_STATE_VERSION);
    tk_state_put_u64(w, t->dims);
    tk_state_put_u64(w, t->queue_len);
    tk_state_put_u64(w, (uint64_t)t->compat);
    tk_state_put_u64(w, t->episodes);
    tk_state_put_u64(w, t->changes);
    tk_state_put_f32s(w, t->cur_lo, t->dims);
    tk_state_put_f32s(w, t->cur_hi, t->dims);
    for (size_t i = 0; i < t->dims; i++) {
        tk_state_put_u64(w, t->low_q[i].n);
        tk_state_put_f64s(w, t->low_q[i].v, t->low_q[i].n);
        tk_state_put_u64(w, t->high_q[i].n);
        tk_state_put_f64s(w, t->high_q[i].v, t->high_q[i].n);
    }
    tk_state_put_rng(w, &t->box_rng);
    tk_state_put_rng(w, &t->box_seed);
    if (w->failed)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

static int finite_all(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* One queue into `q` (capacity queue_len); bad data fails the reader. */
static void get_queue(tk_state_reader *r, adr_queue *q, size_t queue_len)
{
    q->n = (size_t)tk_state_get_count(r, queue_len - 1);
    tk_state_get_f64s(r, q->v, q->n);
    if (!finite_all(q->v, q->n))
        r->failed = 1;
}

/* Everything is read into a scratch copy and checked before the instance
 * changes, so a rejected checkpoint leaves it as it was. */
static tk_status adr_load(void *self, const void *data, size_t size)
{
    adr *t = self;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, ADR_STATE_TAG, ADR_STATE_VERSION);
    const uint64_t dims = tk_state_get_u64(&r), qlen = tk_state_get_u64(&r);
    const uint64_t compat = tk_state_get_u64(&r);
    if (r.failed || dims != t->dims || qlen != t->queue_len || compat != (uint64_t)t->compat)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is not an adr state for this task space and "
                              "config (corrupt, truncated or from another plugin)");
    const size_t d = t->dims;
    float *lo = malloc(d * sizeof *lo), *hi = malloc(d * sizeof *hi);
    double *qv = malloc(2 * d * t->queue_len * sizeof *qv);
    adr_queue *q = malloc(2 * d * sizeof *q);
    if (!lo || !hi || !qv || !q) {
        free(lo), free(hi), free(qv), free(q);
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    }
    const uint64_t episodes = tk_state_get_u64(&r), changes = tk_state_get_u64(&r);
    tk_state_get_f32s(&r, lo, d);
    tk_state_get_f32s(&r, hi, d);
    for (size_t k = 0; k < 2 * d && !r.failed; k++) {
        q[k].v = qv + k * t->queue_len;
        get_queue(&r, &q[k], t->queue_len);
    }
    tk_rng box_rng, box_seed;
    tk_state_get_rng(&r, &box_rng);
    tk_state_get_rng(&r, &box_seed);
    int bad = r.failed || r.pos != r.size || changes > episodes;
    for (size_t i = 0; !bad && i < d; i++)
        bad = !(t->lo[i] <= lo[i] && lo[i] <= hi[i] && hi[i] <= t->hi[i]);
    if (bad) {
        free(lo), free(hi), free(qv), free(q);
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is corrupt or truncated (adr state)");
    }
    memcpy(t->cur_lo, lo, d * sizeof *lo);
    memcpy(t->cur_hi, hi, d * sizeof *hi);
    for (size_t i = 0; i < d; i++) {
        t->low_q[i].n = q[2 * i].n;
        memcpy(t->low_q[i].v, q[2 * i].v, q[2 * i].n * sizeof(double));
        t->high_q[i].n = q[2 * i + 1].n;
        memcpy(t->high_q[i].v, q[2 * i + 1].v, q[2 * i + 1].n * sizeof(double));
    }
    t->episodes = episodes;
    t->changes = changes;
    t->box_rng = box_rng;
    t->box_seed = box_seed;
    free(lo), free(hi), free(qv), free(q);
    return TK_OK;
}

static const tk_teacher_vtable adr_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = adr_create,
    .destroy = adr_destroy,
    .sample = adr_sample,
    .update = adr_update,
    .step_update = NULL,
    .episode_start = NULL,
    .snapshot = adr_snapshot,
    .save = adr_save,
    .load = adr_load,
    .get_extension = NULL,
};

/* "raw-return": the thresholds are in the environment's units.  The two
 * others declare the expert knowledge the config takes (docs/teachers/adr.md):
 * required reward thresholds, an optional initial distribution. */
static const char *const adr_features[] = {TK_FEATURE_RAW_RETURN,
                                           TK_FEATURE_NEEDS_REWARD_THRESHOLDS,
                                           TK_FEATURE_ACCEPTS_INITIAL_DIST, NULL};

static const tk_descriptor adr_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "adr",
    .name = "ADR",
    .version = "1.0.0",
    .description = "Automatic Domain Randomization: a box grown from one point, each side moved "
                   "by the mean return of the episodes played on it (OpenAI et al. 2019)",
    .default_config = "{\"max_reward_thr\": null, \"min_reward_thr\": null, \"step_size\": 0.1, "
                      "\"boundary_sampling_p\": 0.7, \"queue_len\": 10, \"initial_dist\": null, "
                      "\"compat\": \"none\"}",
    .features = adr_features,
    .vtable = &adr_vtable,
};

static const tk_descriptor *const adr_descriptors[] = {&adr_descriptor};

TK_PLUGIN_DESCRIPTORS(adr_descriptors);
