/*
 * The training episode in progress, as a checkpoint taken inside it keeps
 * it, so that a stop does not wait for the episode to end (an episode of a
 * deep-RL student can take many seconds).
 *
 * The student and teacher are saved as they are at the stop: a student that
 * declares "checkpoint-within-episode" promises its save() holds everything
 * it keeps within an episode.  Envs save nothing of their simulation: a
 * resume already relies on an env being deterministic given its state at
 * the start of an episode (its save() bytes and random stream), the task and
 * the actions.  So the record holds that state, the task and the actions
 * played so far; the checkpoint stores the env's start-of-episode state in
 * the env's slot, and a resume replays the actions through the env alone,
 * then checks that it reached the observation and return it had at the
 * stop, bit for bit.
 *
 * Owned by the runner; not thread-safe.
 */
#ifndef TK_HOST_EPISODE_RECORD_H
#define TK_HOST_EPISODE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/state.h"

typedef struct tk_episode_record {
    tk_rng env_rng;            /* the env's stream at the start of the episode */
    uint8_t *env_state;        /* the env's save() bytes then (owned) */
    size_t env_state_size, env_state_cap;
    size_t task_dims, obs_dim, act_dim;
    float *task;               /* task_dims: the episode's task */
    float *actions;            /* steps x act_dim, played so far */
    size_t steps, cap_steps;
    double ret;                /* return so far */
    int ended;                 /* every step played; the student's end_episode
                                  stopped early (TK_STOPPED) and is called again */
    float *obs;                /* obs_dim: the observation after the last step */
} tk_episode_record;

/* 0, or -1 when out of memory (then free it all the same). */
int tk_episode_record_init(tk_episode_record *rec, size_t task_dims, size_t obs_dim,
                           size_t act_dim);
void tk_episode_record_free(tk_episode_record *rec);

/* Starts a record: the env's state (`rng`, `state` borrowed, copied) and
 * the task; no actions yet, not ended.  0, or -1 when out of memory. */
int tk_episode_record_begin(tk_episode_record *rec, const tk_rng *rng, const void *state,
                            size_t state_size, const float *task);

/* Appends one action (act_dim floats).  0, or -1 when out of memory. */
int tk_episode_record_action(tk_episode_record *rec, const float *action);

/* The record's section of a checkpoint body, after the instances' states:
 * a tag, the counts, the task, the actions, the return, the last
 * observation and whether the steps had ended (the env's start state is in the env's slot). */
void tk_episode_record_put(const tk_episode_record *rec, tk_state_writer *w);

/* Reads a section written by tk_episode_record_put into `rec` (initialised
 * for the same dimensions).  0, or -1 with r->failed set when the section
 * is malformed or its dimensions differ. */
int tk_episode_record_get(tk_episode_record *rec, tk_state_reader *r);

#endif
