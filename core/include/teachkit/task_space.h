/*
 * The task space a teacher receives: checking it and keeping a copy.
 *
 * A teacher's `create` borrows `space` for the call only
 * (<teachkit/plugin.h>), so a teacher that samples from it later keeps its
 * own copy:
 *
 *     tk_status st = tk_task_space_check(host, ctx, space);
 *     if (st != TK_OK)
 *         return st;
 *     if (tk_task_space_copy(&t->space, space) != TK_OK)
 *         return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
 *     ...
 *     tk_task_space_free(&t->space);    (in destroy)
 *
 * A copy is deep: one allocation holds the `dim` array and every name
 * string, owned by whoever holds the copied tk_task_space and released with
 * tk_task_space_free.  (Its `dim` is declared const only because
 * tk_task_space is the ABI's read-only view.)
 *
 * Threads: no global state.  tk_task_space_copy and tk_task_space_free are
 * [thread-safe] on distinct objects, and one copy is not thread-safe: callers
 * serialise calls on it.  tk_task_space_check reports through host->error,
 * so it is [instance] like every host service: call it with the ctx of the
 * instance being entered.
 */
#ifndef TEACHKIT_TASK_SPACE_H
#define TEACHKIT_TASK_SPACE_H

#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TK_OK when `space` has at least one dimension and every dimension has
 * finite bounds with low <= high.  Otherwise returns TK_ERR_INVALID after
 * reporting, through host->error with no config path, one of
 *   "the task space has no dimension"        (space NULL, dims 0, dim NULL)
 *   "task dimension I has invalid bounds [LOW, HIGH]"  (the first bad one)
 * The host checks an environment's space before any teacher sees it; this is
 * the teacher's own guard for other callers (tests, the standalone host).
 * Teachers with further needs (a maximum dimension, float32-representable
 * bounds) check those themselves.  [instance] */
tk_status tk_task_space_check(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space);

/* Deep copy of `src` into `*dst`: the dimension count, the bounds and every
 * name (a NULL name stays NULL), independent of `src` afterwards.  `*dst` is
 * overwritten, not freed first, and must not be `src`.  An empty space
 * (dims 0) copies to {0, NULL}.  Errors, with `*dst` set to {0, NULL}
 * (nothing to free):
 *   TK_ERR_INVALID  dst or src NULL, or src->dims > 0 with src->dim NULL;
 *   TK_ERR_NOMEM    out of memory.
 * Reports nothing (there is no host here): the caller describes the error
 * with host->error.  [thread-safe] on distinct objects */
tk_status tk_task_space_copy(tk_task_space *dst, const tk_task_space *src);

/* Free a copy made by tk_task_space_copy and set `*space` to {0, NULL}.
 * NULL and an empty space are no-ops.  Never pass a space you did not copy
 * (the host's borrowed one, an environment's static one).  [thread-safe] on
 * distinct objects */
void tk_task_space_free(tk_task_space *space);

#ifdef __cplusplus
}
#endif

#endif
