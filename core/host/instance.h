/*
 * Component instances: a plugin's object plus the host context it was
 * created with (its seeded RNG stream, its last error).  The host services
 * table given to plugins is implemented here.
 */
#ifndef TK_HOST_INSTANCE_H
#define TK_HOST_INSTANCE_H

#include <jansson.h>
#include <stdint.h>

#include "diag.h"
#include "registry.h"
#include "teachkit/plugin.h"

struct tk_instance;

struct tk_ctx {
    const char *role;                /* "teacher", "env", "eval-env", "student" (static) */
    const char *id;                  /* the component id (owned by the plugin) */
    tk_rng rng;                      /* the instance's stream, derived from the run seed */
    tk_status code;                  /* last error reported through host->error */
    char err_path[256];              /* config path of that error, "" if none */
    char err_message[1024];
    struct tk_instance *student;     /* for host->student_value (teachers only), may be NULL */
    int verbose;                     /* log debug/info lines to stderr */
};

typedef struct tk_instance {
    const tk_component *comp;  /* borrowed from the registry */
    struct tk_ctx ctx;
    void *self;                /* the plugin's object, NULL until created */
    json_t *config;            /* resolved config (owned) */
} tk_instance;

/* The one host services table (static, valid for the process lifetime). */
const tk_host_api *tk_host_api_table(void);

/* Prepare `inst` for `comp` with resolved `config` (reference taken): the RNG
 * stream is derived from `seed` and `role`. */
void tk_instance_init(tk_instance *inst, const tk_component *comp, json_t *config,
                      uint64_t seed, const char *role);

int tk_instance_create_teacher(tk_instance *inst, const tk_task_space *space, const char *file,
                               tk_diag *d);
int tk_instance_create_env(tk_instance *inst, const char *file, tk_diag *d);
int tk_instance_create_student(tk_instance *inst, const tk_student_spec *spec, const char *file,
                               tk_diag *d);
/* Destroy the plugin object and free the config.  Safe on a zeroed struct. */
void tk_instance_destroy(tk_instance *inst);

/* Turn a failed call's status into a diagnostic: config errors get the
 * path "<role>.config.<key>" in the manifest `file`; others name the
 * component and the call (`what`, e.g. "sample"). */
int tk_instance_fail(const tk_instance *inst, tk_status st, const char *file, const char *what,
                     tk_diag *d);

/* The object the instance's teachkit.runtime-info.v1 extension describes
 * (<teachkit/runtime_info.h>), new (caller owns it); NULL when the plugin
 * has no such extension, its vtable is too old for get_extension, or the
 * text is not a JSON object. */
json_t *tk_instance_runtime_info(const tk_instance *inst);

/* 1 if the component's descriptor lists `feature`. */
int tk_has_feature(const tk_descriptor *desc, const char *feature);

#endif
