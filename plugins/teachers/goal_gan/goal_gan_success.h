/*
 * The success definition both success-driven teachers (goal-gan,
 * setter-solver) require as expert knowledge (spec teachers.md sections
 * 10.1 and 12.1: the originals refuse to run without a success signal).
 *
 * Config key "success" (required, no default):
 *   "env"                   the environment's success flag (its success()
 *                           or, without one, return > mastery_threshold);
 *   {"return_above": x}     success = raw episode return > x (strict, as
 *                           TeachMyAgent's "return > 230").
 * Both teachers declare "raw-return", so x is in the environment's units.
 * Internal to the plugins; no global state.
 */
#ifndef TK_GOAL_SUCCESS_H
#define TK_GOAL_SUCCESS_H

#include "teachkit/plugin.h"

typedef struct tk_success_rule {
    int use_threshold;   /* 0: the env's flag; 1: return > threshold */
    double threshold;
} tk_success_rule;

/* Read "success" from the config JSON; a missing or null key is a config
 * error naming it and saying how to supply it. `teacher` names the teacher. */
tk_status tk_success_rule_read(const tk_host_api *host, tk_ctx *ctx, const char *config_json,
                               const char *teacher, tk_success_rule *out);

static inline int tk_success_rule_apply(const tk_success_rule *r, double ret, int flag)
{
    return r->use_threshold ? ret > r->threshold : flag != 0;
}

#endif
