/*
 * Internals shared by the two files of the standalone host
 * (standalone_host.c: sessions, finding components, instances;
 * standalone_calls.c: the call helpers).  Loading, checking, finding,
 * config resolution and the services table are the plugin-hosting core's
 * (<teachkit/registry.h>, <teachkit/instance.h>); this layer adds the
 * session, errors kept as values and the FFI-friendly calls.  Not
 * installed; the functions are hidden from libteachkit's exported symbols.
 */
#ifndef TK_STANDALONE_INTERNAL_H
#define TK_STANDALONE_INTERNAL_H

#include <limits.h>
#include <stddef.h>

#include "teachkit/diag.h"
#include "teachkit/instance.h"
#include "teachkit/registry.h"
#include "teachkit/standalone.h"
#include "teachkit/state.h"

#define TK_SA_HIDDEN __attribute__((visibility("hidden")))

/* Room for tk_sa_word_failure's "path: message": the diagnostic's two
 * strings at their longest, the ": " between them and the terminator. */
#define TK_SA_LINE_SIZE (sizeof(((tk_diag *)0)->path) + sizeof(((tk_diag *)0)->message) + 2)

struct tk_standalone {
    tk_registry *reg;             /* created on first use */
    int searched;                 /* the default search path was scanned */
    int verbose;
    char plugin_dir[PATH_MAX];    /* bundled plugins: build tree or install dir */
    /* Components created from descriptors the registry did not hand out
     * (a caller's own static descriptor), each allocated alone. */
    tk_component **own;
    const tk_descriptor **own_key; /* the caller's descriptor of own[i] */
    size_t n_own, cap_own;
    tk_status code;
    char err_path[256];
    char err_message[4096];
    tk_standalone_instance *instances; /* alive instances, destroyed by free */
};

struct tk_standalone_instance {
    tk_standalone *sa;
    tk_instance core;             /* component, context (rng, last error), object, config */
    char role[32];
    char *config;                 /* the resolved config as create got it, owned */
    /* Teachers: a copy of the task space, to re-create the plugin object
     * before a load (the ABI loads into a fresh instance only). */
    tk_task_space space;
    tk_dim *dims;                 /* owned, with the names after the array */
    tk_standalone_value_fn value_fn; /* answers host->student_value, or NULL */
    void *value_user;
    tk_state_writer saved;        /* the bytes of the last save, owned */
    const char *call;             /* the call being made, for messages */
    /* The message as `teachkit run` words it: a whole "path: message" of a
     * tk_diag, never cut short. */
    char err_line[TK_SA_LINE_SIZE];
    tk_standalone_instance *prev, *next;
};

/* Record an error in the instance, as host->error does; returns `code`. */
TK_SA_HIDDEN tk_status tk_sa_error(tk_standalone_instance *inst, tk_status code,
                                   const char *config_path, const char *fmt, ...) TK_PRINTF(4, 5);

/* The one-line message of a failed call (`what`) as `teachkit run` words
 * it, into out[size]. */
TK_SA_HIDDEN void tk_sa_word_failure(const tk_standalone_instance *inst, tk_status st,
                                     const char *what, char *out, size_t size);

#endif
