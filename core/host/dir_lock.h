/*
 * One writer per run or study directory.  The writer holds an exclusive
 * flock(2) on DIR/.lock, which the kernel releases when the holder exits or
 * dies, so a lock is never stale; the holder's pid is written into the file
 * so that a refused writer can name it.  The lock file itself stays.
 *
 * The descriptor is close-on-exec: a study's workers do not inherit the
 * study's lock (each takes its own run's).
 */
#ifndef TK_HOST_DIR_LOCK_H
#define TK_HOST_DIR_LOCK_H

#include <sys/types.h>

#include "teachkit/diag.h"

#define TK_LOCK_FILE ".lock"

/* Lock `dir` (which must exist) for writing; `what` names it in messages
 * ("run", "study").  Returns the lock's descriptor, -1 with `d` filled when
 * another process holds it (message naming its pid) and -2 when the lock
 * cannot be taken at all (no permission, ...). */
int tk_dir_lock(const char *dir, const char *what, tk_diag *d);
/* The same, shared: any number of shared holders (the job-array tasks of
 * one study, each writing its own run) exclude an exclusive one. */
int tk_dir_lock_shared(const char *dir, const char *what, tk_diag *d);
/* Release (closing the descriptor); -1 is a no-op. */
void tk_dir_unlock(int fd);

/* The pid holding `dir`'s lock: 0 when nobody does (or there is no lock
 * file), -1 when a process holds it but has not recorded its pid yet. */
pid_t tk_dir_lock_holder(const char *dir);

#endif
