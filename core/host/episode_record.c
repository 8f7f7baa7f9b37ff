#include "episode_record.h"

#include <stdlib.h>
#include <string.h>

/* Bounds a damaged count before it becomes an allocation. */
#define MAX_RECORD_STEPS (UINT64_C(1) << 32)

int tk_episode_record_init(tk_episode_record *rec, size_t task_dims, size_t obs_dim,
                           size_t act_dim)
{
    memset(rec, 0, sizeof *rec);
    rec->task_dims = task_dims, rec->obs_dim = obs_dim, rec->act_dim = act_dim;
    rec->task = calloc(task_dims + 1, sizeof(float));
    rec->obs = calloc(obs_dim + 1, sizeof(float));
    return rec->task && rec->obs ? 0 : -1;
}

void tk_episode_record_free(tk_episode_record *rec)
{
    free(rec->env_state);
    free(rec->task);
    free(rec->actions);
    free(rec->obs);
    memset(rec, 0, sizeof *rec);
}

int tk_episode_record_begin(tk_episode_record *rec, const tk_rng *rng, const void *state,
                            size_t state_size, const float *task)
{
    if (state_size > rec->env_state_cap) {
        uint8_t *grown = realloc(rec->env_state, state_size);
        if (!grown)
            return -1;
        rec->env_state = grown, rec->env_state_cap = state_size;
    }
    if (state_size)
        memcpy(rec->env_state, state, state_size);
    rec->env_state_size = state_size;
    rec->env_rng = *rng;
    memcpy(rec->task, task, rec->task_dims * sizeof(float));
    rec->steps = 0;
    rec->ret = 0.0;
    rec->ended = 0;
    return 0;
}

static int reserve_steps(tk_episode_record *rec, size_t steps)
{
    if (steps <= rec->cap_steps)
        return 0;
    size_t cap = rec->cap_steps ? rec->cap_steps : 256;
    while (cap < steps)
        cap *= 2;
    float *grown = realloc(rec->actions, cap * (rec->act_dim ? rec->act_dim : 1) * sizeof(float));
    if (!grown)
        return -1;
    rec->actions = grown, rec->cap_steps = cap;
    return 0;
}

int tk_episode_record_action(tk_episode_record *rec, const float *action)
{
    if (reserve_steps(rec, rec->steps + 1))
        return -1;
    memcpy(rec->actions + rec->steps * rec->act_dim, action, rec->act_dim * sizeof(float));
    rec->steps++;
    return 0;
}

void tk_episode_record_put(const tk_episode_record *rec, tk_state_writer *w)
{
    tk_state_put_tag(w, "EPIP", 1);
    tk_state_put_u64(w, rec->task_dims);
    tk_state_put_u64(w, rec->obs_dim);
    tk_state_put_u64(w, rec->act_dim);
    tk_state_put_u64(w, rec->steps);
    tk_state_put_f32s(w, rec->task, rec->task_dims);
    tk_state_put_f32s(w, rec->actions, rec->steps * rec->act_dim);
    tk_state_put_f64(w, rec->ret);
    tk_state_put_f32s(w, rec->obs, rec->obs_dim);
    tk_state_put_u64(w, (uint64_t)rec->ended);
}

int tk_episode_record_get(tk_episode_record *rec, tk_state_reader *r)
{
    tk_state_get_tag(r, "EPIP", 1);
    uint64_t task_dims = tk_state_get_u64(r), obs_dim = tk_state_get_u64(r),
             act_dim = tk_state_get_u64(r);
    uint64_t steps = tk_state_get_count(r, MAX_RECORD_STEPS);
    if (!r->failed && (task_dims != rec->task_dims || obs_dim != rec->obs_dim ||
                       act_dim != rec->act_dim ||
                       steps * act_dim * sizeof(float) > r->size - r->pos))
        r->failed = 1;
    if (r->failed || reserve_steps(rec, (size_t)steps)) {
        r->failed = 1;
        return -1;
    }
    tk_state_get_f32s(r, rec->task, rec->task_dims);
    tk_state_get_f32s(r, rec->actions, (size_t)steps * rec->act_dim);
    rec->ret = tk_state_get_f64(r);
    tk_state_get_f32s(r, rec->obs, rec->obs_dim);
    rec->ended = tk_state_get_count(r, 1) != 0;
    rec->steps = r->failed ? 0 : (size_t)steps;
    return r->failed ? -1 : 0;
}
