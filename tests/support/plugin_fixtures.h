/*
 * One instance of a plugin component, opened for a test through the harness
 * (plugin_harness.h): the harness, the vtable and the instance travel
 * together, every step is checked with Check's asserts, and a failing
 * create() is returned so that config tests can inspect the harness's error
 * capture (h.ctx.err_path, h.ctx.err_message).  Test code only.
 *
 * Configs are passed either as given ("raw", as a caller of the ABI would)
 * or merged over the descriptor's default_config ("merged", as the host
 * does with a manifest's overrides).
 */
#ifndef TK_TEST_PLUGIN_FIXTURES_H
#define TK_TEST_PLUGIN_FIXTURES_H

#include <jansson.h>
#include <stdint.h>

#include "plugin_harness.h"

/* The descriptor's defaults with `overrides` (a JSON object, or NULL for the
 * defaults alone) merged in, as the host does.  Caller frees. */
char *tk_merged_config(const tk_descriptor *d, const char *overrides);

/* The identity every descriptor test starts with: a descriptor of this ABI's
 * size, of `kind`, named `id`, at `version`. */
void tk_check_descriptor_identity(const tk_descriptor *d, tk_kind kind, const char *id,
                                  const char *version);

/* ------------------------------------------------------------- teachers */

typedef struct tk_teacher_fx {
    tk_harness h;
    const tk_teacher_vtable *vt;
    void *self;  /* NULL until create() succeeds */
    size_t dims; /* of the task space it was created on */
} tk_teacher_fx;

/* Load component `id` of `plugin` with the host stream seeded by `seed`;
 * no instance yet (for tests that change the host table first). */
void tk_teacher_fx_load(tk_teacher_fx *t, const char *plugin, const char *id, uint64_t seed);
/* create() on `space` with `config` as given (NULL: the descriptor's
 * default_config), or merged over the defaults. */
tk_status tk_teacher_fx_create(tk_teacher_fx *t, const tk_task_space *space, const char *config);
tk_status tk_teacher_fx_create_merged(tk_teacher_fx *t, const tk_task_space *space,
                                      const char *overrides);
/* load + create; the status is create()'s. */
tk_status tk_teacher_fx_open(tk_teacher_fx *t, const char *plugin, const char *id, uint64_t seed,
                             const tk_task_space *space, const char *config);
tk_status tk_teacher_fx_open_merged(tk_teacher_fx *t, const char *plugin, const char *id,
                                    uint64_t seed, const tk_task_space *space,
                                    const char *overrides);
/* Destroys the instance and unloads the plugin.  destroy() is called even
 * after a failed create(): destroy(NULL) is a no-op by the ABI (plugin.h),
 * so every config-error test checks that rule too.  The same holds for the
 * env and student fixtures. */
void tk_teacher_fx_close(tk_teacher_fx *t);

/* The snapshot, parsed, after checking that it is JSON whose "type" is
 * `type`.  Caller decrefs. */
json_t *tk_teacher_fx_snapshot(const tk_teacher_fx *t, const char *type);

/* ----------------------------------------------------------------- envs */

typedef struct tk_env_fx {
    tk_harness h;
    const tk_env_vtable *vt;
    void *env;         /* NULL until create() succeeds */
    tk_env_info info;  /* filled by info() once created */
} tk_env_fx;

/* Load and create component `id` of `plugin`; `config` as given (NULL: the
 * descriptor's default_config), or merged over the defaults.  Returns
 * create()'s status; on success `info` is filled. */
tk_status tk_env_fx_open(tk_env_fx *e, const char *plugin, const char *id, uint64_t seed,
                         const char *config);
tk_status tk_env_fx_open_merged(tk_env_fx *e, const char *plugin, const char *id, uint64_t seed,
                                const char *overrides);
void tk_env_fx_close(tk_env_fx *e);

/* ------------------------------------------------------------- students */

typedef struct tk_student_fx {
    tk_harness h;
    const tk_student_vtable *vt;
    void *s; /* NULL until create() succeeds */
} tk_student_fx;

/* Load component `id` of `plugin` and create it for `spec` with `overrides`
 * merged over the defaults.  Returns create()'s status. */
tk_status tk_student_fx_open_merged(tk_student_fx *fx, const char *plugin, const char *id,
                                    uint64_t seed, const tk_student_spec *spec,
                                    const char *overrides);
void tk_student_fx_close(tk_student_fx *fx);

#endif
