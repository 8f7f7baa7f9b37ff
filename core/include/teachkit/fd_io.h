/*
 * Whole reads and writes on file descriptors, through short counts and
 * EINTR: files the host writes, and the pipes from the child processes that
 * load plugins or check a study (which may crash or hang, hence the time
 * limit on reads).  In libteachkit because the registry (<teachkit/registry.h>)
 * reads its probe through them.  [thread-safe]
 */
#ifndef TEACHKIT_FD_IO_H
#define TEACHKIT_FD_IO_H

#include <stddef.h>
#include <sys/types.h>

/* Writes all `n` bytes: 0, or -1 with errno. */
int tk_write_full(int fd, const void *data, size_t n);

/* Reads exactly `n` bytes, waiting at most `timeout_ms` for each part (-1:
 * no limit).  0; -1 at the end of the input (errno 0) or on an error
 * (errno set); -2 on a time-out. */
int tk_read_full(int fd, void *data, size_t n, int timeout_ms);

/* waitpid for `pid`, through EINTR; the status (0 if waitpid failed). */
int tk_wait_child(pid_t pid);

#endif
