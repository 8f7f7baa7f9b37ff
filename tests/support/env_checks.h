/*
 * Checks the env suites share.  The classic-control envs (mountain-car,
 * pendulum) follow the same calling rules (teachkit's env contract,
 * docs/plugin-abi.md: a task before reset, reset before step, finite tasks
 * and actions inside the bounds, config errors naming the key, checkpoints
 * between episodes), so the rules are checked by the same code; the
 * walkers' suites (stump-tracks and hexagon-tracks, parkour) open, play and
 * refuse configs through the helpers at the end.  Test code only.
 */
#ifndef TK_TEST_ENV_CHECKS_H
#define TK_TEST_ENV_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "plugin_fixtures.h"

/* Out-of-order calls are state errors and bad tasks are refused: reset
 * before any task; each of the `n` tasks of `bad` (task_space.dims floats
 * each) refused with a message naming `names[i]`; reset still refused; the
 * valid tasks `low` and `high` (the bounds) accepted; step before reset
 * refused; after reset a NaN action refused and a zero action accepted.
 * For a freshly created instance with one action dimension. */
void tk_env_check_invalid_calls(tk_env_fx *e, const float *bad, const char *const *names,
                                size_t n, const float *low, const float *high);

typedef struct tk_config_case {
    const char *overrides; /* merged over the defaults */
    const char *path;      /* the key the error must name */
} tk_config_case;

/* For each case, create() of `id` fails with TK_ERR_CONFIG naming the
 * case's path, and leaves no instance. */
void tk_env_expect_config_errors(const char *plugin, const char *id, const tk_config_case *cases,
                                 size_t n);

/* save() between episodes gives a record that loads back; the record
 * truncated, with a trailing byte, or with another plugin's tag is refused;
 * loaded in the middle of an episode, the next reset waits for set_task.
 * `task` is a valid task. */
void tk_env_check_save_load(tk_env_fx *e, const float *task);

/* tk_env_fx_open with `config` as given (NULL: the defaults), which must
 * succeed: a failing create() fails the test with the error's path and
 * message. */
void tk_env_fx_must_open(tk_env_fx *e, const char *plugin, const char *id, uint64_t seed,
                         const char *config);

/* create() of `id` with `config` as given fails with TK_ERR_CONFIG, naming
 * `path` unless it is NULL, and leaves no instance. */
void tk_env_expect_config_error(const char *plugin, const char *id, const char *config,
                                const char *path);

/* set_task(task) then reset, and step: each must succeed, or the test
 * fails with the plugin's message. */
void tk_env_fx_start(tk_env_fx *e, const float *task, float *obs);
void tk_env_fx_step(tk_env_fx *e, const float *action, float *obs, double *reward, int *done);

#endif
