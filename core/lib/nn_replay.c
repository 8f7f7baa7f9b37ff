/*
 * FIFO replay buffer: see <teachkit/nn_replay.h>.
 */
#include "teachkit/nn_replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_memory.h"
#include "teachkit/rng.h"

struct tk_replay {
    size_t capacity, obs_dim, act_dim;
    size_t size; /* stored transitions */
    size_t ptr;  /* next slot written */
    float *obs, *act, *rew, *next_obs, *done; /* owned, capacity rows each */
};

void tk_replay_free(tk_replay *rb)
{
    if (!rb)
        return;
    free(rb->obs);
    free(rb->act);
    free(rb->rew);
    free(rb->next_obs);
    free(rb->done);
    free(rb);
}

/* Not zero-filled: pages are only made resident when written. */
tk_replay *tk_replay_new(size_t capacity, size_t obs_dim, size_t act_dim)
{
    if (capacity == 0 || obs_dim == 0 || act_dim == 0 ||
        capacity > SIZE_MAX / sizeof(float) / (2 * obs_dim + act_dim + 2))
        return NULL;
    tk_replay *rb = calloc(1, sizeof *rb);
    if (!rb)
        return NULL;
    rb->capacity = capacity;
    rb->obs_dim = obs_dim;
    rb->act_dim = act_dim;
    rb->obs = nn_alloc(capacity * obs_dim * sizeof(float), 0);
    rb->next_obs = nn_alloc(capacity * obs_dim * sizeof(float), 0);
    rb->act = nn_alloc(capacity * act_dim * sizeof(float), 0);
    rb->rew = nn_alloc(capacity * sizeof(float), 0);
    rb->done = nn_alloc(capacity * sizeof(float), 0);
    if (!rb->obs || !rb->next_obs || !rb->act || !rb->rew || !rb->done) {
        tk_replay_free(rb);
        return NULL;
    }
    return rb;
}

size_t tk_replay_size(const tk_replay *rb) { return rb->size; }
size_t tk_replay_capacity(const tk_replay *rb) { return rb->capacity; }

size_t tk_replay_bytes(size_t capacity, size_t obs_dim, size_t act_dim)
{
    return capacity * (2 * obs_dim + act_dim + 2) * sizeof(float);
}

void tk_replay_add(tk_replay *rb, const float *obs, const float *act, float rew,
                   const float *next_obs, float done)
{
    const size_t i = rb->ptr, O = rb->obs_dim, A = rb->act_dim;
    memcpy(rb->obs + i * O, obs, O * sizeof(float));
    memcpy(rb->next_obs + i * O, next_obs, O * sizeof(float));
    memcpy(rb->act + i * A, act, A * sizeof(float));
    rb->rew[i] = rew;
    rb->done[i] = done;
    rb->ptr = (i + 1) % rb->capacity;
    if (rb->size < rb->capacity)
        rb->size++;
}

int tk_replay_sample(const tk_replay *rb, tk_rng *rng, size_t n, float *obs, float *act,
                     float *rew, float *next_obs, float *done)
{
    if (rb->size == 0)
        return -1;
    const size_t O = rb->obs_dim, A = rb->act_dim;
    for (size_t k = 0; k < n; k++) {
        const size_t i = (size_t)tk_rng_below(rng, rb->size);
        memcpy(obs + k * O, rb->obs + i * O, O * sizeof(float));
        memcpy(next_obs + k * O, rb->next_obs + i * O, O * sizeof(float));
        memcpy(act + k * A, rb->act + i * A, A * sizeof(float));
        rew[k] = rb->rew[i];
        done[k] = rb->done[i];
    }
    return 0;
}

static const char *field(char *buf, size_t size, const char *prefix, const char *name)
{
    snprintf(buf, size, "%s.%s", prefix, name);
    return buf;
}

int tk_replay_save(const tk_replay *rb, tk_nn_writer *w, const char *prefix)
{
    char name[256];
    const uint64_t head[5] = {rb->capacity, rb->obs_dim, rb->act_dim, rb->size, rb->ptr};
    const size_t n = rb->size;
    return tk_nn_put_u64(w, field(name, sizeof name, prefix, "shape"), head, 5) ||
           tk_nn_put_f32(w, field(name, sizeof name, prefix, "obs"), rb->obs, n * rb->obs_dim) ||
           tk_nn_put_f32(w, field(name, sizeof name, prefix, "act"), rb->act, n * rb->act_dim) ||
           tk_nn_put_f32(w, field(name, sizeof name, prefix, "rew"), rb->rew, n) ||
           tk_nn_put_f32(w, field(name, sizeof name, prefix, "next_obs"), rb->next_obs,
                         n * rb->obs_dim) ||
           tk_nn_put_f32(w, field(name, sizeof name, prefix, "done"), rb->done, n)
               ? -1
               : 0;
}

/* Validates the records at the reader's position; on success returns 0
 * with *n the stored count, *ptr the write position and the reader after
 * the records; on failure -1 with the reader unmoved. */
static int check_records(const tk_replay *rb, tk_nn_reader *r, const char *prefix, size_t *n_out,
                         size_t *ptr_out)
{
    char name[256];
    uint64_t head[5];
    const size_t start = r->pos;
    if (tk_nn_get_u64(r, field(name, sizeof name, prefix, "shape"), head, 5))
        return -1;
    if (head[0] != rb->capacity || head[1] != rb->obs_dim || head[2] != rb->act_dim ||
        head[3] > head[0] || head[4] >= head[0] || (head[3] < head[0] && head[4] != head[3])) {
        snprintf(r->error, sizeof r->error,
                 "%.64s: saved buffer (capacity %llu, obs %llu, act %llu, size %llu) does not "
                 "fit this one (capacity %zu, obs %zu, act %zu)",
                 name, (unsigned long long)head[0], (unsigned long long)head[1],
                 (unsigned long long)head[2], (unsigned long long)head[3], rb->capacity,
                 rb->obs_dim, rb->act_dim);
        r->pos = start;
        return -1;
    }
    const size_t n = (size_t)head[3], O = rb->obs_dim, A = rb->act_dim;
    if (tk_nn_skip(r, field(name, sizeof name, prefix, "obs"), TK_NN_F32, n * O) ||
        tk_nn_skip(r, field(name, sizeof name, prefix, "act"), TK_NN_F32, n * A) ||
        tk_nn_skip(r, field(name, sizeof name, prefix, "rew"), TK_NN_F32, n) ||
        tk_nn_skip(r, field(name, sizeof name, prefix, "next_obs"), TK_NN_F32, n * O) ||
        tk_nn_skip(r, field(name, sizeof name, prefix, "done"), TK_NN_F32, n)) {
        r->pos = start;
        return -1;
    }
    *n_out = n;
    *ptr_out = (size_t)head[4];
    return 0;
}

int tk_replay_skip(const tk_replay *rb, tk_nn_reader *r, const char *prefix)
{
    size_t n, ptr;
    return check_records(rb, r, prefix, &n, &ptr);
}

int tk_replay_load(tk_replay *rb, tk_nn_reader *r, const char *prefix)
{
    char name[256];
    uint64_t head[5];
    size_t n, ptr;
    const size_t start = r->pos;
    if (check_records(rb, r, prefix, &n, &ptr))
        return -1;
    r->pos = start;
    const size_t O = rb->obs_dim, A = rb->act_dim;
    tk_nn_get_u64(r, field(name, sizeof name, prefix, "shape"), head, 5);
    tk_nn_get_f32(r, field(name, sizeof name, prefix, "obs"), rb->obs, n * O);
    tk_nn_get_f32(r, field(name, sizeof name, prefix, "act"), rb->act, n * A);
    tk_nn_get_f32(r, field(name, sizeof name, prefix, "rew"), rb->rew, n);
    tk_nn_get_f32(r, field(name, sizeof name, prefix, "next_obs"), rb->next_obs, n * O);
    tk_nn_get_f32(r, field(name, sizeof name, prefix, "done"), rb->done, n);
    rb->size = n;
    rb->ptr = ptr;
    return 0;
}
