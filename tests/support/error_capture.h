/*
 * A host services table whose error() only records what it was told, for
 * unit tests of the library's plugin-side helpers (config reading, task
 * spaces): they check the status a helper returns and the key path and
 * message it reported.  Test code only; the plugin tests use the fuller host
 * of plugin_harness.h instead (the two define struct tk_ctx differently and
 * never meet in one executable).
 */
#ifndef TK_TEST_ERROR_CAPTURE_H
#define TK_TEST_ERROR_CAPTURE_H

#include "teachkit/plugin.h"

struct tk_ctx {
    unsigned calls;    /* error() calls; unsigned so an uninitialised ctx wraps harmlessly */
    int had_path;      /* whether the last call named a key path */
    char path[256];    /* that path, "" when none */
    char message[512]; /* the last message */
};

/* error() is the only service set: the helpers under test use no other. */
extern const tk_host_api tk_capture_host;

#endif
