/*
 * Scaffolding shared by the classic-control environments (pendulum,
 * mountain-car): a task space of named parameters, each a [low, high] range
 * of the config; a one-dimensional action in [-1, 1]; nothing that outlives
 * an episode, so that the checkpoint record is a tag and a version alone.
 * The dynamics, rewards and success rules stay in each plugin.
 *
 * Internal to the env plugins that compile classic_env.c (see their
 * meson.build); not part of the toolkit.  Every function reports through
 * host->error before returning an error, so it is [instance]: call it with
 * the ctx of the instance being entered.  No global state; every pointer
 * is borrowed for the call unless said otherwise.
 */
#ifndef CLASSIC_ENV_H
#define CLASSIC_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/state.h"

/* Reads the n config keys names[d], in order, each an array [low, high]
 * of numbers in [min[d], max[d]] with low <= high, into dim[d] (name =
 * names[d], which must outlive dim: static strings).  Stops at the first
 * error; a reversed range reports
 *   NAME: must be a range [low, high] with low <= high, got [LOW, HIGH] */
tk_status classic_env_read_ranges(const tk_host_api *host, tk_ctx *ctx, tk_config *cfg, size_t n,
                                  const char *const *names, const double *min, const double *max,
                                  tk_dim *dim);

/* set_task()'s check of the n task coordinates against dim[], compared
 * with the float32 bounds as the host checks teachers' samples (a bound
 * cast to float may round past the double one).  TK_ERR_INVALID with
 *   task is NULL
 *   task[D] (NAME) = V is outside [LOW, HIGH]      (also for NaN) */
tk_status classic_env_check_task(const tk_host_api *host, tk_ctx *ctx, const tk_dim *dim,
                                 size_t n, const float *task);

/* step()'s check of the action: TK_ERR_STATE outside an episode
 *   step outside an episode (call reset first)
 * TK_ERR_INVALID for a non-finite action
 *   action[0] = A is not finite
 * otherwise *a = action[0] clipped to [-1, 1]. */
tk_status classic_env_action(const tk_host_api *host, tk_ctx *ctx, int in_episode,
                             const float *action, double *a);

/* save(): the record is the tag and version alone, written into `w` (owned
 * by the instance, so *data stays valid until the next save).  TK_ERR_NOMEM
 * with "out of memory saving the state" when the writer fails. */
tk_status classic_env_save(const tk_host_api *host, tk_ctx *ctx, tk_state_writer *w,
                           const char tag[4], uint32_t version, const void **data, size_t *size);

/* load(): accepts exactly a record written by classic_env_save with the
 * same tag and a version <= `version`; otherwise TK_ERR_INVALID with
 *   saved state is not a ENV record of version <= VERSION
 * (`env` names the environment).  The caller then resets its task and
 * episode flags. */
tk_status classic_env_load(const tk_host_api *host, tk_ctx *ctx, const void *data, size_t size,
                           const char tag[4], uint32_t version, const char *env);

#endif
