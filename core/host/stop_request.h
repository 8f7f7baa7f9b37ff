/*
 * The run's stop request: set by the runner's signal and alarm handlers,
 * read by the run loop and, through host->stop_requested, by students that
 * can stop inside a long call.  Plain sig_atomic_t flags, so handlers may
 * write them; one run per process.
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
