/*
 * random: the uniform baseline teacher (flowersteam/teachDeepRL teachDRL/teachers/algos/random_teacher.py).
 *
 * Every task is drawn uniformly in the box of the task space (each coordinate
 * U(low, high) in double, then cast to float32; a degenerate dimension
 * returns exactly `low`).  update() learns nothing; it only checks that the
 * task it is given is finite.  Unlike teachDeepRL, whose sampler is seeded
 * from OS entropy (RandomTeacher.__init__), every draw comes from the
 * instance's seeded stream, so a run is reproducible.
 */
#include <math.h>
#include <stdlib.h>

#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/state.h"
#include "teachkit/task_space.h"

/* Checkpoint record: the tag alone.  All the state is the host's stream,
 * which the host saves itself. */
#define RANDOM_STATE_TAG "RAND"
#define RANDOM_STATE_VERSION 1u

typedef struct random_teacher {
    const tk_host_api *host;
    tk_ctx *ctx;
    tk_rng *rng;          /* the host's stream for this instance */
    tk_task_space space;  /* owned copy (tk_task_space_copy) */
    tk_state_writer saved; /* owned, the bytes of the last save() */
} random_teacher;

static void random_destroy(void *self)
{
    random_teacher *t = self;
    if (!t)
        return;
    tk_task_space_free(&t->space);
    tk_state_writer_free(&t->saved);
    free(t);
}

static tk_status random_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                               const char *config_json, void **out)
{
    *out = NULL;
    tk_status st = tk_task_space_check(host, ctx, space);
    if (st != TK_OK)
        return st;
    /* No keys, but the config must still be a JSON object. */
    tk_config *cfg = NULL;
    if ((st = tk_config_parse(host, ctx, config_json, &cfg)) != TK_OK)
        return st;
    tk_config_free(cfg);

    random_teacher *t = calloc(1, sizeof *t);
    if (!t || tk_task_space_copy(&t->space, space) != TK_OK) {
        free(t);
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    }
    t->host = host;
    t->ctx = ctx;
    t->rng = host->rng(ctx);
    tk_state_writer_init(&t->saved);
    *out = t;
    return TK_OK;
}

static tk_status random_sample(void *self, float *task_out)
{
    random_teacher *t = self;
    tk_rng_uniform_task(t->rng, &t->space, task_out);
    return TK_OK;
}

static tk_status random_update(void *self, const float *task, double episode_return, int success)
{
    (void)success;
    random_teacher *t = self;
    for (size_t i = 0; i < t->space.dims; i++)
        if (!isfinite(task[i]))
            return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "task[%zu] is not finite", i);
    if (!isfinite(episode_return))
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "episode return is not finite");
    return TK_OK;
}

static tk_status random_save(void *self, const void **data, size_t *size)
{
    random_teacher *t = self;
    tk_state_writer_reset(&t->saved);
    tk_state_put_tag(&t->saved, RANDOM_STATE_TAG, RANDOM_STATE_VERSION);
    if (t->saved.failed)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = t->saved.data;
    *size = t->saved.size;
    return TK_OK;
}

static tk_status random_load(void *self, const void *data, size_t size)
{
    random_teacher *t = self;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, RANDOM_STATE_TAG, RANDOM_STATE_VERSION);
    if (r.failed || r.pos != r.size)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is not a random-teacher state (corrupt, "
                              "truncated or from another plugin)");
    return TK_OK;
}

static const tk_teacher_vtable random_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = random_create,
    .destroy = random_destroy,
    .sample = random_sample,
    .update = random_update,
    .step_update = NULL,
    .episode_start = NULL,
    .snapshot = NULL,
    .save = random_save,
    .load = random_load,
    .get_extension = NULL,
};

static const tk_descriptor random_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "random",
    .name = "Random",
    .version = "1.0.0",
    .description = "Uniform tasks in the box of the task space (baseline)",
    .default_config = "{}",
    .features = NULL,
    .vtable = &random_vtable,
};

static const tk_descriptor *const random_descriptors[] = {&random_descriptor};

TK_PLUGIN_DESCRIPTORS(random_descriptors);
