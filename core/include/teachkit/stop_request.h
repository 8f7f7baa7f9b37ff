/*
 * The process's stop request: set by a host's signal and alarm handlers
 * (the `teachkit` runner's), read by its run loop and, through the services
 * table's stop_requested, by students that can stop inside a long call.
 * Plain sig_atomic_t flags, so signal handlers may write them; they belong to
 * the process (one run at a time), and a host that never sets them (the
 * standalone host) leaves stop_requested at 0.
 */
#ifndef TK_HOST_STOP_REQUEST_H
#define TK_HOST_STOP_REQUEST_H

#include <signal.h>

/* Why the run stops early: a signal (SIGINT, SIGTERM, SIGHUP) or --timeout. */
enum { TK_STOP_NONE, TK_STOP_SIGNAL, TK_STOP_TIMEOUT };

extern volatile sig_atomic_t tk_stop_requested; /* TK_STOP_* */
/* The run can checkpoint inside an episode, so a stop comes at the next
 * step rather than at the episode's end. */
extern volatile sig_atomic_t tk_stop_at_step;

/* host->stop_requested: nonzero when a stop is requested and may come
 * inside an episode. */
int tk_stop_inside_episode(void);

#endif
