/*
 * Internals shared by the two files of the standalone host
 * (standalone_host.c: sessions, loading, instances, host services;
 * standalone_calls.c: the call helpers).  Not installed; the functions are
 * hidden from libteachkit's exported symbols.
 */
#ifndef TK_STANDALONE_INTERNAL_H
#define TK_STANDALONE_INTERNAL_H

#include <limits.h>
#include <stddef.h>

#include "teachkit/standalone.h"
#include "teachkit/state.h"

#define TK_SA_HIDDEN __attribute__((visibility("hidden")))

typedef struct sa_file {
    char *path;                   /* realpath, owned */
    void *handle;                 /* dlopen handle */
    const tk_plugin_entry *entry; /* inside the file */
} sa_file;

struct tk_standalone {
    sa_file *files;
    size_t n_files, cap_files;
    int searched;                 /* the default search path was scanned */
    int verbose;
    char plugin_dir[PATH_MAX];    /* bundled plugins: build tree or install dir */
    char rejected[2048];          /* "; rejected FILE: reason" of the scan, for messages */
    tk_status code;
    char err_path[256];
    char err_message[4096];
    tk_standalone_instance *instances; /* alive instances, destroyed by free */
};

struct tk_standalone_instance {
    tk_standalone *sa;
    const tk_descriptor *desc;
    void *self;                   /* the plugin's object */
    char role[32];
    tk_rng rng;
    char *config;                 /* resolved config JSON, owned */
    /* Teachers: a copy of the task space, to re-create the plugin object
     * before a load (the ABI loads into a fresh instance only). */
    tk_task_space space;
    tk_dim *dims;                 /* owned, with the names after the array */
    tk_standalone_value_fn value_fn; /* answers host->student_value, or NULL */
    void *value_user;
    tk_state_writer saved;        /* the bytes of the last save, owned */
    const char *call;             /* the call being made, for messages */
    tk_status code;
    char err_path[256];
    char err_message[1024];
    char err_line[1536];          /* the message as `teachkit run` words it */
    tk_standalone_instance *prev, *next;
};

/* The services table every instance is created with (static). */
TK_SA_HIDDEN extern const tk_host_api tk_sa_host_table;

/* "teacher", "env", "student". */
TK_SA_HIDDEN const char *tk_sa_kind_name(tk_kind kind);

/* Record an error in the instance, as host->error does; returns `code`. */
TK_SA_HIDDEN tk_status tk_sa_error(tk_standalone_instance *inst, tk_status code,
                                   const char *config_path, const char *fmt, ...) TK_PRINTF(4, 5);

/* The one-line message of a failed call (`what`) as `teachkit run` words
 * it, into out[size]. */
TK_SA_HIDDEN void tk_sa_word_failure(const tk_standalone_instance *inst, tk_status st,
                                     const char *what, char *out, size_t size);

#endif
