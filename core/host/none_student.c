/*
 * The built-in `none` student: acts with zero actions and learns nothing.
 * Environments that simulate their learner (toy-grid, act_dim 0) use it; on
 * an environment with actions it outputs the middle of the action box, which
 * makes it a fixed baseline policy.
 */
#include <stdlib.h>
#include <string.h>

#include "builtin.h"

typedef struct none_student {
    size_t act_dim;
    float *action; /* mid-point of the action box */
} none_student;

static tk_status none_create(const tk_host_api *host, tk_ctx *ctx, const tk_student_spec *spec,
                             const char *config_json, void **out)
{
    (void)host;
    (void)ctx;
    (void)config_json;
    none_student *s = calloc(1, sizeof *s);
    if (!s)
        return TK_ERR_NOMEM;
    s->act_dim = spec->act_dim;
    if (s->act_dim) {
        s->action = calloc(s->act_dim, sizeof *s->action);
        if (!s->action) {
            free(s);
            return TK_ERR_NOMEM;
        }
        for (size_t i = 0; spec->act_low && spec->act_high && i < s->act_dim; i++)
            s->action[i] = 0.5f * (spec->act_low[i] + spec->act_high[i]);
    }
    *out = s;
    return TK_OK;
}

static void none_destroy(void *self)
{
    none_student *s = self;
    if (!s)
        return;
    free(s->action);
    free(s);
}

static tk_status none_act(void *self, const float *obs, int deterministic, float *action_out)
{
    (void)obs;
    (void)deterministic;
    none_student *s = self;
    if (s->act_dim)
        memcpy(action_out, s->action, s->act_dim * sizeof *action_out);
    return TK_OK;
}

static tk_status none_observe(void *self, const float *obs, const float *action, double reward,
                              const float *next_obs, int done, int truncated)
{
    (void)self, (void)obs, (void)action, (void)reward, (void)next_obs, (void)done,
        (void)truncated;
    return TK_OK;
}

static tk_status none_end_episode(void *self, double episode_return, uint64_t steps)
{
    (void)self, (void)episode_return, (void)steps;
    return TK_OK;
}

static const tk_student_vtable none_vtable = {
    .struct_size = sizeof(tk_student_vtable),
    .create = none_create,
    .destroy = none_destroy,
    .act = none_act,
    .observe = none_observe,
    .end_episode = none_end_episode,
};

static const char *const none_features[] = {TK_FEATURE_NO_LEARNING, NULL};

static const tk_descriptor none_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_STUDENT,
    .id = "none",
    .name = "No student",
    .version = "1.0.0",
    .description = "Learns nothing; for environments that simulate their learner",
    .default_config = "{}",
    .features = none_features,
    .vtable = &none_vtable,
};

size_t tk_builtin_count(void)
{
    return 1;
}

const tk_descriptor *tk_builtin_at(size_t i)
{
    return i == 0 ? &none_descriptor : NULL;
}
