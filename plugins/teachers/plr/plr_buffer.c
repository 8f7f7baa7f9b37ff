#include "plr_buffer.h"

#include <stdlib.h>
#include <string.h>

#include "plr_weights.h"

int plr_buffer_init(plr_buffer *b, size_t cap, size_t dims)
{
    memset(b, 0, sizeof *b);
    b->cap = cap, b->dims = dims;
    b->task = calloc(cap * (dims ? dims : 1), sizeof *b->task);
    b->seed = calloc(cap, sizeof *b->seed);
    b->score = calloc(cap, sizeof *b->score);
    b->max_return = calloc(cap, sizeof *b->max_return);
    b->staleness = calloc(cap, sizeof *b->staleness);
    b->weights = calloc(cap, sizeof *b->weights);
    b->scratch = calloc(cap, sizeof *b->scratch);
    b->order = calloc(cap, sizeof *b->order);
    return b->task && b->seed && b->score && b->max_return && b->staleness && b->weights &&
                   b->scratch && b->order
               ? 0
               : -1;
}

void plr_buffer_free(plr_buffer *b)
{
    free(b->task), free(b->seed), free(b->score), free(b->max_return);
    free(b->staleness), free(b->weights), free(b->scratch), free(b->order);
    memset(b, 0, sizeof *b);
}

void plr_buffer_weights(plr_buffer *b, double temperature, double staleness_coef,
                        double staleness_temperature)
{
    if (b->n > 0)
        plr_replay_weights(b->score, b->staleness, b->n, temperature, staleness_coef,
                           staleness_temperature, b->order, b->scratch, b->weights);
}

void plr_buffer_touch(plr_buffer *b, size_t i)
{
    for (size_t j = 0; j < b->n; j++)
        b->staleness[j] += 1.0;
    b->staleness[i] = 0.0;
}

long plr_buffer_offer(plr_buffer *b, const float *task, uint64_t seed, double score,
                      double discounted_return)
{
    size_t i = b->n;
    if (b->n == b->cap) {
        /* seed_buffer_priority "replay_support": the level the replay
         * distribution favours least. */
        i = 0;
        for (size_t j = 1; j < b->n; j++)
            if (b->weights[j] < b->weights[i])
                i = j;
        if (b->score[i] > score)
            return -1;
    } else {
        b->n++;
    }
    memcpy(b->task + i * b->dims, task, b->dims * sizeof *task);
    b->seed[i] = seed;
    b->score[i] = score;
    b->max_return[i] = discounted_return;
    /* The authors' staleness of a new level counts the samples since it was
     * proposed, which is 0 when levels are played one at a time. */
    b->staleness[i] = 0.0;
    return (long)i;
}

#define PLR_BUFFER_TAG "PLRB"

void plr_buffer_put(const plr_buffer *b, tk_state_writer *w)
{
    tk_state_put_tag(w, PLR_BUFFER_TAG, 1u);
    tk_state_put_u64(w, b->cap);
    tk_state_put_u64(w, b->dims);
    tk_state_put_u64(w, b->n);
    tk_state_put_f32s(w, b->task, b->n * b->dims);
    for (size_t i = 0; i < b->n; i++)
        tk_state_put_u64(w, b->seed[i]);
    tk_state_put_f64s(w, b->score, b->n);
    tk_state_put_f64s(w, b->max_return, b->n);
    tk_state_put_f64s(w, b->staleness, b->n);
}

int plr_buffer_get(plr_buffer *b, tk_state_reader *r)
{
    tk_state_get_tag(r, PLR_BUFFER_TAG, 1u);
    if (tk_state_get_u64(r) != b->cap || tk_state_get_u64(r) != b->dims)
        r->failed = 1;
    const uint64_t n = tk_state_get_count(r, b->cap);
    if (r->failed)
        return -1;
    b->n = (size_t)n;
    tk_state_get_f32s(r, b->task, b->n * b->dims);
    for (size_t i = 0; i < b->n; i++)
        b->seed[i] = tk_state_get_u64(r);
    tk_state_get_f64s(r, b->score, b->n);
    tk_state_get_f64s(r, b->max_return, b->n);
    tk_state_get_f64s(r, b->staleness, b->n);
    return r->failed ? -1 : 0;
}
