/*
 * The per-episode trace a student keeps to report tk_episode_scores (ABI
 * 1.2, <teachkit/plugin.h>): one reward and one value estimate per step,
 * turned at the episode's end into PLR's positive value loss (mean over
 * the steps of max(GAE advantage, 0); Jiang et al. 2021, "Prioritized Level
 * Replay", eq. 2, and facebookresearch/level-replay
 * level_replay/level_sampler.py, `_average_positive_value_loss`), the mean
 * value and the discounted return from the first step.
 *
 * Ownership: the trace owns its arrays.  Threads: [instance]; a trace is
 * used by one student instance.
 */
#ifndef TEACHKIT_SCORE_TRACE_H
#define TEACHKIT_SCORE_TRACE_H

#include <stddef.h>

#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_score_trace {
    double *reward;   /* owned, `cap` entries: r_t on the scale the value learns */
    double *value;    /* owned, `cap` entries: V(s_t) */
    size_t n, cap;
} tk_score_trace;

/* Empties the trace, keeping its memory.  A zeroed trace is empty. */
void tk_score_trace_clear(tk_score_trace *t);
void tk_score_trace_free(tk_score_trace *t);

/* Appends a step.  TK_OK or TK_ERR_NOMEM. */
tk_status tk_score_trace_push(tk_score_trace *t, double reward, double value);

/* Writes the scores of the traced steps into `out` (inside its
 * struct_size) and sets TK_SCORE_POSITIVE_VALUE_LOSS and
 * TK_SCORE_VALUE_RETURN; nothing when the trace is empty.  `bootstrap` is
 * V(s_T) after the last step: 0 when the episode terminated, the value of
 * the next observation when it was truncated.  Advantages follow GAE:
 * delta_t = r_t + gamma V(s_{t+1}) - V(s_t), A_t = delta_t + gamma lambda
 * A_{t+1}. */
void tk_score_trace_finish(const tk_score_trace *t, double bootstrap, double gamma,
                           double lambda, tk_episode_scores *out);

#ifdef __cplusplus
}
#endif

#endif
