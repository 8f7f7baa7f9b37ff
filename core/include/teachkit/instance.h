/*
 * Component instances and the host services table: a plugin's object plus
 * the context it was created with (its seeded random stream, its last
 * error), for every host of libteachkit (`teachkit`, the standalone host,
 * the test harness).  Part of the plugin-hosting core.
 *
 * The services table (tk_host_api_table) is the one every instance gets:
 *   log, log_message    "teachkit: ROLE ID: LEVEL: text" on stderr; debug and
 *                       info lines only when ctx.verbose is set;
 *   error               records code, config path and message in the ctx;
 *   rng                 the ctx's stream;
 *   student_value       ctx.value_fn, or TK_ERR_UNSUPPORTED when unset.
 *
 * Ownership: a tk_instance is a plain struct its owner embeds; it borrows
 * its component (which must outlive it) and owns its config and the
 * plugin's object.  Threads: an instance is [instance] (never entered from
 * two threads at once); different instances may run in parallel.  The
 * services table is static and [thread-safe].
 */
#ifndef TEACHKIT_INSTANCE_H
#define TEACHKIT_INSTANCE_H

#include <jansson.h>
#include <stdint.h>

#include "teachkit/component.h"
#include "teachkit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Answers host->student_value for a teacher: V(obs) for `n` observations
 * into values_out[n].  `user` is tk_ctx.value_user. */
typedef tk_status (*tk_value_fn)(void *user, const float *obs, size_t n, float *values_out);

/* The context behind the opaque tk_ctx of <teachkit/plugin.h>. */
struct tk_ctx {
    const char *role;           /* "teacher", "env", "eval-env", "student"...; borrowed */
    const char *id;             /* the component id (owned by the plugin) */
    tk_rng rng;                 /* the instance's stream */
    tk_status code;             /* last error reported through host->error */
    char err_path[256];         /* config path of that error, "" if none */
    char err_message[1024];
    int verbose;                /* log debug/info lines too */
    tk_value_fn value_fn;       /* for host->student_value; NULL: unsupported */
    void *value_user;
};

typedef struct tk_instance {
    const tk_component *comp;   /* borrowed */
    struct tk_ctx ctx;
    void *self;                 /* the plugin's object, NULL until created */
    json_t *config;             /* resolved config (owned) */
} tk_instance;

/* The one host services table (static, valid for the process lifetime). */
const tk_host_api *tk_host_api_table(void);

/* Prepare `inst` for `comp` with resolved `config` (reference taken; may
 * be NULL for "{}"): the random stream is tk_rng_derive(seed, role), the
 * way `teachkit run` seeds every instance.  `role` is borrowed. */
void tk_instance_init(tk_instance *inst, const tk_component *comp, json_t *config,
                      uint64_t seed, const char *role);

/* Create the plugin's object with the config as compact JSON text with
 * sorted keys.  TK_OK, or the status with `d` (see tk_instance_fail;
 * `file` is the manifest the config came from, or NULL). */
tk_status tk_instance_create_teacher(tk_instance *inst, const tk_task_space *space,
                                     const char *file, tk_diag *d);
tk_status tk_instance_create_env(tk_instance *inst, const char *file, tk_diag *d);
tk_status tk_instance_create_student(tk_instance *inst, const tk_student_spec *spec,
                                     const char *file, tk_diag *d);
/* Destroy the plugin object and free the config.  Safe on a zeroed struct. */
void tk_instance_destroy(tk_instance *inst);

/* Route the teacher's host->student_value calls to `student`'s value()
 * (TK_ERR_UNSUPPORTED while it has none or is not created). */
void tk_instance_use_student(tk_instance *teacher, tk_instance *student);

/* Turn a failed call's status into a diagnostic and return -1: config
 * errors get the path "<kind>.config.<key>" in `file`; others name the
 * component, the call (`what`, e.g. "sample"), the status and the
 * plugin's message, in the component's file. */
int tk_instance_fail(const tk_instance *inst, tk_status st, const char *file, const char *what,
                     tk_diag *d);

/* The object the instance's teachkit.runtime-info.v1 extension describes
 * (<teachkit/runtime_info.h>), new (caller owns it); NULL when the plugin
 * has no such extension or the text is not a JSON object. */
json_t *tk_instance_runtime_info(const tk_instance *inst);

/* A short English name of a status ("configuration error", ...). */
const char *tk_status_name(tk_status st);

#ifdef __cplusplus
}
#endif

#endif
