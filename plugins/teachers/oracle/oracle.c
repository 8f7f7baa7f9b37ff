/*
 * oracle: the hand-designed "moving window" curriculum of teachDeepRL
 * (flowersteam/teachDeepRL teachDRL/teachers/algos/oracle_teacher.py;
 * Portelas et al., CoRL 2019).
 *
 * Tasks are drawn uniformly in a window whose side is window_size_ratio times
 * the range of each dimension.  A dimension with a positive step starts at
 * its low end, any other at its high end.  Every step_rate episodes the mean
 * of the raw returns collected since the last check is compared with
 * reward_thr; when it is strictly greater, every dimension moves by its step,
 * positive steps capped so that the window stays below `high`, non-positive
 * steps floored at `low`.  The teacher reads raw returns (feature
 * "raw-return"), as in teachDeepRL where it bypasses the reward scaling.
 *
 * Deviations (docs/teachers/oracle.md): the window side ratio (1/6 in the
 * original) is configurable, as are reward_thr and step_rate, which the
 * original controller could not change; window arithmetic is in double
 * (float32 in the original); draws come from the instance's seeded stream.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/snapshot.h"
#include "teachkit/state.h"
#include "teachkit/task_space.h"

/* Checkpoint record (oracle_save): tag, dims, step_rate, the window corner,
 * the running reward sum and count.  Sizes and steps follow from the
 * config and the task space, which the host recreates identically. */
#define ORACLE_STATE_TAG "ORCL"
#define ORACLE_STATE_VERSION 1u

typedef struct oracle {
    const tk_host_api *host;
    tk_ctx *ctx;
    tk_rng *rng;

    size_t dims;
    double *low, *high;  /* task space bounds */
    double *step;        /* window_step_vector */
    double *size;        /* window side per dimension */
    double *corner;      /* window lower corner */

    double reward_thr;
    int64_t step_rate;
    double reward_sum;   /* of the returns collected since the last check */
    int64_t reward_count;

    char *snapshot;      /* last snapshot JSON, owned */
    tk_state_writer saved; /* owned, the bytes of the last save() */
} oracle;

static void oracle_destroy(void *self)
{
    oracle *o = self;
    if (!o)
        return;
    free(o->low);
    free(o->high);
    free(o->step);
    free(o->size);
    free(o->corner);
    free(o->snapshot);
    tk_state_writer_free(&o->saved);
    free(o);
}

static tk_status read_config(oracle *o, const char *config_json, double *ratio)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(o->host, o->ctx, config_json, &cfg);
    if (st != TK_OK)
        return st;
    size_t len = 0;
    if ((st = tk_config_double_array(cfg, "window_step_vector", o->dims, -DBL_MAX, DBL_MAX,
                                     &o->step, &len)) == TK_OK &&
        (st = tk_config_double(cfg, "reward_thr", -DBL_MAX, DBL_MAX, &o->reward_thr)) == TK_OK &&
        (st = tk_config_int(cfg, "step_rate", 1, INT32_MAX, &o->step_rate)) == TK_OK)
        st = tk_config_double(cfg, "window_size_ratio", DBL_MIN, 1.0, ratio);
    tk_config_free(cfg);
    return st;
}

static tk_status oracle_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                               const char *config_json, void **out)
{
    *out = NULL;
    tk_status st = tk_task_space_check(host, ctx, space);
    if (st != TK_OK)
        return st;
    oracle *o = calloc(1, sizeof *o);
    if (!o)
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    o->host = host;
    o->ctx = ctx;
    o->rng = host->rng(ctx);
    o->dims = space->dims;
    tk_state_writer_init(&o->saved);

    double ratio = 0.0;
    if ((st = read_config(o, config_json, &ratio)) != TK_OK) {
        oracle_destroy(o);
        return st;
    }
    const size_t d = o->dims;
    o->low = malloc(d * sizeof *o->low);
    o->high = malloc(d * sizeof *o->high);
    o->size = malloc(d * sizeof *o->size);
    o->corner = malloc(d * sizeof *o->corner);
    if (!o->low || !o->high || !o->size || !o->corner) {
        oracle_destroy(o);
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < d; i++) {
        o->low[i] = space->dim[i].low;
        o->high[i] = space->dim[i].high;
        o->size[i] = (o->high[i] - o->low[i]) * ratio;
        /* A positive step travels from low to high, any other from high to low. */
        o->corner[i] = o->step[i] > 0.0 ? o->low[i] : o->high[i] - o->size[i];
    }
    *out = o;
    return TK_OK;
}

static tk_status oracle_sample(void *self, float *task_out)
{
    oracle *o = self;
    for (size_t i = 0; i < o->dims; i++) {
        float x = (float)tk_rng_range(o->rng, o->corner[i], o->corner[i] + o->size[i]);
        /* float32 rounding must not leave the task space. */
        if (x > (float)o->high[i])
            x = (float)o->high[i];
        if (x < (float)o->low[i])
            x = (float)o->low[i];
        task_out[i] = x;
    }
    return TK_OK;
}

static void move_window(oracle *o)
{
    for (size_t i = 0; i < o->dims; i++) {
        double moved = o->corner[i] + o->step[i];
        if (o->step[i] > 0.0)
            o->corner[i] = fmin(moved, o->high[i] - o->size[i]);
        else
            o->corner[i] = fmax(moved, o->low[i]);
    }
}

static tk_status oracle_update(void *self, const float *task, double episode_return, int success)
{
    (void)success;
    oracle *o = self;
    for (size_t i = 0; i < o->dims; i++)
        if (!isfinite(task[i]))
            return o->host->error(o->ctx, TK_ERR_INVALID, NULL, "task[%zu] is not finite", i);
    if (!isfinite(episode_return))
        return o->host->error(o->ctx, TK_ERR_INVALID, NULL, "episode return is not finite");
    o->reward_sum += episode_return;
    o->reward_count++;
    if (o->reward_count < o->step_rate)
        return TK_OK;
    const double mean = o->reward_sum / (double)o->reward_count;
    o->reward_sum = 0.0;
    o->reward_count = 0;
    if (mean > o->reward_thr)
        move_window(o);
    return TK_OK;
}

static tk_status oracle_snapshot(void *self, const char **json_out)
{
    oracle *o = self;
    *json_out = NULL;
    double *high = malloc(o->dims * sizeof *high);
    for (size_t i = 0; high && i < o->dims; i++)
        high[i] = o->corner[i] + o->size[i];
    char *text = high ? tk_snapshot_dump(tk_snapshot_box(TK_SNAPSHOT_WINDOW,
                                                         tk_snapshot_doubles(o->corner, o->dims),
                                                         tk_snapshot_doubles(high, o->dims)))
                      : NULL;
    free(high);
    if (!text)
        return o->host->error(o->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    free(o->snapshot);
    o->snapshot = text;
    *json_out = text;
    return TK_OK;
}

static tk_status oracle_save(void *self, const void **data, size_t *size)
{
    oracle *o = self;
    tk_state_writer *w = &o->saved;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, ORACLE_STATE_TAG, ORACLE_STATE_VERSION);
    tk_state_put_u64(w, o->dims);
    tk_state_put_u64(w, (uint64_t)o->step_rate);
    tk_state_put_f64s(w, o->corner, o->dims);
    tk_state_put_f64(w, o->reward_sum);
    tk_state_put_u64(w, (uint64_t)o->reward_count);
    if (w->failed)
        return o->host->error(o->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

/* Everything is read into locals and checked before the instance changes,
 * so a rejected checkpoint leaves it as created. */
static tk_status oracle_load(void *self, const void *data, size_t size)
{
    oracle *o = self;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, ORACLE_STATE_TAG, ORACLE_STATE_VERSION);
    const uint64_t dims = tk_state_get_u64(&r);
    const uint64_t step_rate = tk_state_get_u64(&r);
    if (r.failed || dims != o->dims || step_rate != (uint64_t)o->step_rate)
        return o->host->error(o->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is not an oracle state for this task space and "
                              "config (corrupt, truncated or from another plugin)");
    double *corner = malloc(o->dims * sizeof *corner);
    if (!corner)
        return o->host->error(o->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    tk_state_get_f64s(&r, corner, o->dims);
    const double sum = tk_state_get_f64(&r);
    const uint64_t count = tk_state_get_u64(&r);
    int bad = r.failed || r.pos != r.size || !isfinite(sum) || count >= step_rate;
    for (size_t i = 0; !bad && i < o->dims; i++)
        bad = !isfinite(corner[i]);
    if (bad) {
        free(corner);
        return o->host->error(o->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is corrupt or truncated (oracle state)");
    }
    free(o->corner);
    o->corner = corner;
    o->reward_sum = sum;
    o->reward_count = (int64_t)count;
    return TK_OK;
}

static const tk_teacher_vtable oracle_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = oracle_create,
    .destroy = oracle_destroy,
    .sample = oracle_sample,
    .update = oracle_update,
    .step_update = NULL,
    .episode_start = NULL,
    .snapshot = oracle_snapshot,
    .save = oracle_save,
    .load = oracle_load,
    .get_extension = NULL,
};

static const char *const oracle_features[] = {TK_FEATURE_RAW_RETURN, NULL};

static const tk_descriptor oracle_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "oracle",
    .name = "Oracle",
    .version = "1.0.0",
    .description = "Hand-designed window that steps through the task space when mastered",
    .default_config = "{\"window_step_vector\": null, \"reward_thr\": 230.0, \"step_rate\": 50, "
                      "\"window_size_ratio\": 0.16666666666666666}",
    .features = oracle_features,
    .vtable = &oracle_vtable,
};

static const tk_descriptor *const oracle_descriptors[] = {&oracle_descriptor};

TK_PLUGIN_DESCRIPTORS(oracle_descriptors);
