/*
 * The task-space check of the teachers that compute in float32 or clip
 * their samples to float32 bounds (goal-gan, setter-solver): besides
 * tk_task_space_check's conditions, every bound must be representable as a
 * float.
 *
 * Internal to the teacher plugins that compile f32_space.c (see their
 * meson.build); not part of the toolkit.  No global state.
 */
#ifndef F32_SPACE_H
#define F32_SPACE_H

#include "teachkit/plugin.h"

/* TK_OK when `space` has at least one dimension and every dimension has
 * finite bounds, low <= high, |low| and |high| <= FLT_MAX.  Otherwise
 * TK_ERR_INVALID after reporting through host->error, with no config path,
 *   the task space has no dimension        (space NULL, dims 0 or dim NULL)
 *   task dimension I has invalid bounds    (the first bad one)
 * [instance]: call it with the ctx of the instance being created. */
tk_status f32_space_check(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space);

#endif
