/*
 * A ready-made host for using teachkit plugins outside the `teachkit`
 * program: from a C tool, a test, or a Python training loop through ctypes
 * (the Python package, python/teachkit/).
 *
 * A tk_standalone is a session over libteachkit's plugin-hosting core (the
 * registry, component copies and instances `teachkit` itself uses): it
 * loads plugin files, finds components by kind and id, and creates
 * instances with the services table a plugin expects (<teachkit/plugin.h>):
 * logging to stderr, error capture, a seeded random stream per instance,
 * and student_value answering through the caller's value function
 * (tk_standalone_set_value_fn), TK_ERR_UNSUPPORTED without one.
 * Instances are seeded exactly as `teachkit run` seeds
 * them, tk_rng_derive(seed, role) with the roles "teacher", "env",
 * "eval-env" and "student", and receive their configuration resolved the
 * same way (the descriptor's defaults with the caller's keys merged in;
 * unknown keys and mistyped values refused), so the same seed and config
 * reproduce a `teachkit run` draw for draw.
 *
 * Every function is callable through a C FFI: no variadic function, no
 * struct passed by value, and the call helpers below let a caller drive an
 * instance without reading the vtables.  C callers may also call the
 * vtable directly with tk_standalone_instance_self().
 *
 * Errors are values: a failing function returns a tk_status (or NULL) and
 * leaves a one-line message in the session (tk_standalone_error_*) or, for
 * calls on an instance, in the instance (tk_standalone_instance_error_*).
 *
 * Threads: a session and its instances are [main thread] objects: use one
 * session per thread, or serialise the calls.  Different sessions are
 * independent (no global state).
 */
#ifndef TEACHKIT_STANDALONE_H
#define TEACHKIT_STANDALONE_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/plugin.h"
#include "teachkit/registry.h" /* tk_plugin_file_unsafe */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_standalone tk_standalone;
typedef struct tk_standalone_instance tk_standalone_instance;

/* ------------------------------------------------------------------ session */

/* A new, empty session (no plugin loaded yet); NULL when out of memory.
 * Owned by the caller, freed with tk_standalone_free. */
tk_standalone *tk_standalone_new(void);
/* Destroys the instances still alive, calls every plugin's deinit and
 * unloads the files.  NULL is a no-op.  Every pointer obtained from the
 * session (descriptors, instances, messages) is invalid afterwards. */
void tk_standalone_free(tk_standalone *sa);

/* 1: also print the plugins' debug and info lines (default 0: warnings
 * only).  Log lines go to stderr as "teachkit: ROLE ID: LEVEL: message". */
void tk_standalone_set_verbose(tk_standalone *sa, int verbose);

/* Load one plugin file (a path to a .so).  Loading the same file twice is a
 * no-op.  Refused, with the reason in the session error: files that cannot
 * be opened, have no entry symbol, or were built for another ABI major
 * version (TK_ERR_UNSUPPORTED, the message names both versions); other
 * failures return TK_ERR_IO. */
tk_status tk_standalone_load(tk_standalone *sa, const char *path);

/* Find the component of `kind` named by `plugin`:
 *  - a path (it contains a '/' or ends in ".so"): the file is loaded and
 *    must provide exactly one component of `kind`;
 *  - an id ("alp-gmm"): searched in the files loaded so far, then, as the
 *    host does, in TEACHKIT_PLUGIN_PATH (colon-separated files or
 *    directories) and in the bundled plugins: the build tree's plugins/
 *    directory when this library runs from a build tree, otherwise the
 *    installed plugin directory LIBDIR/teachkit/plugins next to this
 *    library.  The search is the registry's (<teachkit/registry.h>):
 *    directories are searched recursively for "*.so", the descriptors are
 *    read in a child process (a plugin file that crashes or hangs while it
 *    loads is refused, not fatal), only the file providing the component
 *    is loaded into this process, and an id provided by two files is an
 *    error naming both.
 * Returns the descriptor -- the host's checked copy, whose `vtable` is the
 * host's zero-padded copy of the plugin's (<teachkit/component.h>); valid
 * until the session is freed -- or NULL with the reason in the session
 * error. */
const tk_descriptor *tk_standalone_find(tk_standalone *sa, tk_kind kind, const char *plugin);

/* The bundled plugin directory this library searches (see above). */
const char *tk_standalone_plugin_dir(const tk_standalone *sa);

/* The last session error: status, config path inside the component's config
 * ("" when not about a key) and one-line message ("" when none). */
tk_status tk_standalone_error_code(const tk_standalone *sa);
const char *tk_standalone_error_path(const tk_standalone *sa);
const char *tk_standalone_error_message(const tk_standalone *sa);

/* 1 if the descriptor lists `feature` ("raw-return", "self-evaluation"...). */
int tk_standalone_has_feature(const tk_descriptor *desc, const char *feature);

/* ---------------------------------------------------------------- instances */

/* Create an instance of `desc` (which must have the matching kind).
 * `config_json` is a JSON object of the keys to change (NULL or "" for the
 * defaults); it is resolved against the descriptor's default config as the
 * host does.  The instance's random stream is tk_rng_derive(seed, role);
 * `role` NULL means the kind's name ("teacher", "env", "student"), which is
 * what `teachkit run` uses for the training instances.  `space` and `spec`
 * are borrowed for the call.  On failure returns the status, sets *out to
 * NULL and copies the plugin's message into the session error. */
tk_status tk_standalone_create_teacher(tk_standalone *sa, const tk_descriptor *desc,
                                       const tk_task_space *space, const char *config_json,
                                       uint64_t seed, const char *role,
                                       tk_standalone_instance **out);
tk_status tk_standalone_create_env(tk_standalone *sa, const tk_descriptor *desc,
                                   const char *config_json, uint64_t seed, const char *role,
                                   tk_standalone_instance **out);
tk_status tk_standalone_create_student(tk_standalone *sa, const tk_descriptor *desc,
                                       const tk_student_spec *spec, const char *config_json,
                                       uint64_t seed, const char *role,
                                       tk_standalone_instance **out);
/* Destroy the plugin object and free the instance.  NULL is a no-op. */
void tk_standalone_destroy(tk_standalone_instance *inst);

const tk_descriptor *tk_standalone_instance_descriptor(const tk_standalone_instance *inst);
/* The plugin's object, to call the vtable directly from C. */
void *tk_standalone_instance_self(const tk_standalone_instance *inst);
/* The resolved config the instance was created with (JSON text, owned by
 * the instance). */
const char *tk_standalone_instance_config(const tk_standalone_instance *inst);
/* The instance's random stream (owned by the instance); copy it to save it. */
tk_rng *tk_standalone_instance_rng(tk_standalone_instance *inst);

/* The error of the last failing call on the instance, as above: its status,
 * config path and the plugin's own message.  ("" when the last call
 * succeeded.) */
tk_status tk_standalone_instance_error_code(const tk_standalone_instance *inst);
const char *tk_standalone_instance_error_path(const tk_standalone_instance *inst);
const char *tk_standalone_instance_error_message(const tk_standalone_instance *inst);
/* The same error worded as `teachkit run` reports it, without the "teachkit:
 * FILE: " prefix: `teacher "spdl" failed in update: call out of order: ...`,
 * or for configuration errors `teacher.config.KEY: ... (teacher plugin
 * "ID")`.  Failed creates leave this wording in the session error. */
const char *tk_standalone_instance_error_line(const tk_standalone_instance *inst);

/* ------------------------------------------------------------- call helpers */

/* Each forwards to the vtable function of the same name (see
 * <teachkit/plugin.h> for the arguments), after checking that the instance
 * has the right kind and, for optional functions, that the plugin provides
 * it (TK_ERR_UNSUPPORTED otherwise).  A failure's message is kept in the
 * instance.  [instance] */

tk_status tk_standalone_teacher_sample(tk_standalone_instance *inst, float *task_out);
/* Refuses non-finite task values and returns with TK_ERR_INVALID before the
 * plugin sees them (the ABI promises plugins finite returns). */
tk_status tk_standalone_teacher_update(tk_standalone_instance *inst, const float *task,
                                       double episode_return, int success);
/* *json_out is owned by the instance, valid until the next call on it. */
tk_status tk_standalone_teacher_snapshot(tk_standalone_instance *inst, const char **json_out);

/* The number of dimensions of the teacher's task space. */
size_t tk_standalone_teacher_dims(const tk_standalone_instance *inst);
/* `n` sample() calls writing `n * dims` floats, row-major; `n` update()
 * calls on rows of `tasks` with `returns[n]` and `successes[n]` (NULL: all
 * 0).  Exactly equivalent to the single calls in a loop (same draws, same
 * order); they stop at the first failure, whose message is kept. */
tk_status tk_standalone_teacher_sample_batch(tk_standalone_instance *inst, size_t n,
                                             float *tasks_out);
tk_status tk_standalone_teacher_update_batch(tk_standalone_instance *inst, size_t n,
                                             const float *tasks, const double *returns,
                                             const int *successes);
/* The step-level calls of teachers with the feature "step-update" (SPDL):
 * episode_start after each reset with the episode's task and first
 * observation, step_update after each step.  TK_ERR_UNSUPPORTED when the
 * plugin has none. */
tk_status tk_standalone_teacher_episode_start(tk_standalone_instance *inst, const float *task,
                                              const float *first_obs);
tk_status tk_standalone_teacher_step_update(tk_standalone_instance *inst, const float *obs,
                                            const float *action, double reward,
                                            const float *next_obs, int done);

/* The student's value function V(obs) for teachers with the feature
 * "student-value" or a value_source "student" (SPDL): `n` observations
 * row-major in, `n` values out; returns TK_OK or an error status.  Called
 * from inside the teacher's calls, on the caller's thread; `user` is
 * passed back.  NULL removes it (host->student_value then answers
 * TK_ERR_UNSUPPORTED). */
typedef tk_status (*tk_standalone_value_fn)(void *user, const float *obs, size_t n,
                                            float *values_out);
void tk_standalone_set_value_fn(tk_standalone_instance *inst, tk_standalone_value_fn fn,
                                void *user);

/* Checkpoints.  save() exposes the teacher's whole state -- its id and
 * resolved config, its random stream and the plugin's save() bytes -- as a
 * byte string owned by the instance, valid until the next call on it.
 * load() restores such bytes into a teacher of the same id and config
 * (any seed): the plugin object is re-created and loaded, so the teacher
 * then continues exactly as the saved one would.  Bytes of another teacher
 * or config, or damaged ones, are refused with TK_ERR_INVALID and leave the
 * teacher unchanged.  TK_ERR_UNSUPPORTED when the plugin has no save/load
 * hooks. */
tk_status tk_standalone_teacher_save(tk_standalone_instance *inst, const void **data,
                                     size_t *size);
tk_status tk_standalone_teacher_load(tk_standalone_instance *inst, const void *data,
                                     size_t size);

/* Fills `info` inside the struct_size the caller set (sizeof(tk_env_info)
 * of the caller's header; the bytes past it are left alone), as an env's
 * info() fills a host's.  TK_ERR_INVALID when struct_size is 0. */
tk_status tk_standalone_env_info(tk_standalone_instance *inst, tk_env_info *info);
tk_status tk_standalone_env_set_task(tk_standalone_instance *inst, const float *task);
tk_status tk_standalone_env_reset(tk_standalone_instance *inst, float *obs_out);
tk_status tk_standalone_env_step(tk_standalone_instance *inst, const float *action,
                                 float *obs_out, double *reward, int *done);
/* The env's success flag of the episode that just ended (0 or 1);
 * TK_ERR_UNSUPPORTED when the env has no success(): the host then uses
 * `return > mastery_threshold`. */
tk_status tk_standalone_env_success(tk_standalone_instance *inst, int *success_out);
tk_status tk_standalone_env_evaluate(tk_standalone_instance *inst, double *mastered_pct);
/* Draw the current scene into `rgb` (width * height * 3 bytes, rows top to
 * bottom) through the env's teachkit.render.v1 extension (<teachkit/
 * render.h>); TK_ERR_UNSUPPORTED for envs that cannot draw themselves. */
tk_status tk_standalone_env_render(tk_standalone_instance *inst, uint8_t *rgb, int width,
                                   int height);

tk_status tk_standalone_student_act(tk_standalone_instance *inst, const float *obs,
                                    int deterministic, float *action_out);
tk_status tk_standalone_student_observe(tk_standalone_instance *inst, const float *obs,
                                        const float *action, double reward,
                                        const float *next_obs, int done, int truncated);
tk_status tk_standalone_student_end_episode(tk_standalone_instance *inst, double episode_return,
                                            uint64_t episode_steps);

/* A short English name of a status ("configuration error", ...). */
const char *tk_standalone_status_name(tk_status st);

#ifdef __cplusplus
}
#endif

#endif
