/*
 * The success definition a success-driven teacher requires as expert
 * knowledge (goal-gan, setter-solver: TeachMyAgent's goal_gan.py and
 * setter_solver.py refuse to run without a success signal).
 *
 * Config key "success" (required, no default: a teacher using it puts
 * "success": null in its descriptor's default_config and declares the
 * features "needs-success" and "raw-return"):
 *   "env"                   the environment's success flag (its success()
 *                           or, without one, return > mastery_threshold);
 *   {"return_above": x}     success = raw episode return > x (strict, as
 *                           TeachMyAgent's "return > 230").
 * With "raw-return" the teacher's update() receives the raw return, so x is
 * in the environment's units.
 *
 * Usage, in create and update:
 *
 *     tk_success_rule rule;
 *     tk_status st = tk_success_rule_read(host, ctx, config_json, "my-teacher", &rule);
 *     ...
 *     const int ok = tk_success_rule_apply(&rule, episode_return, success);
 *
 * A tk_success_rule is a plain value owned by the caller (no allocation,
 * nothing to free).  Threads: no global state; tk_success_rule_read
 * reports through host->error, so it is [instance] like every host
 * service; tk_success_rule_apply is [thread-safe].
 */
#ifndef TEACHKIT_SUCCESS_RULE_H
#define TEACHKIT_SUCCESS_RULE_H

#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_success_rule {
    int use_threshold;   /* 0: the env's flag; 1: return > threshold */
    double threshold;    /* finite; used when use_threshold is 1 */
} tk_success_rule;

/* Read "success" from `config_json` (the resolved config of create, a JSON
 * object; other keys are ignored).  `teacher` names the teacher in the
 * message of a missing key.  On success fills *out and returns TK_OK;
 * otherwise *out is {0, 0} and TK_ERR_CONFIG is returned after reporting
 * through host->error one of
 *   success: is required: TEACHER needs a success definition as expert
 *            knowledge; set "success" to "env" (the environment's success
 *            flag) or to {"return_above": x} (raw episode return > x)
 *                                                  (missing or null)
 *   success: must be "env" or {"return_above": x}, got "S"   (another string)
 *   success.return_above: must be the only key of "success" and a finite number
 *   success: must be "env" or {"return_above": x}            (another type)
 * Text that is not a JSON object reads as a missing key.  [instance] */
tk_status tk_success_rule_read(const tk_host_api *host, tk_ctx *ctx, const char *config_json,
                               const char *teacher, tk_success_rule *out);

/* 1 when an episode with raw return `ret` and environment success flag
 * `flag` (update()'s arguments) is a success under `rule`, else 0.
 * [thread-safe] */
int tk_success_rule_apply(const tk_success_rule *rule, double ret, int flag);

#ifdef __cplusplus
}
#endif

#endif
