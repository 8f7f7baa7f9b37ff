/*
 * The standalone host (<teachkit/standalone.h>): sessions, finding
 * components and creating instances, for programs other than `teachkit`
 * (C tools, Python through ctypes).
 *
 * A client of the plugin-hosting core of libteachkit, like `teachkit`
 * itself: the registry (<teachkit/registry.h>) loads, checks and finds
 * plugins; tk_resolve_config resolves configs; tk_instance
 * (<teachkit/instance.h>) seeds instances with tk_rng_derive(seed, role),
 * creates them with the same services table and words failures.  So an
 * instance created here behaves exactly like the one `teachkit run`
 * creates.  This layer adds the session, errors kept as values, and the
 * call helpers (standalone_calls.c).
 */
#define _GNU_SOURCE /* dladdr */
#include "teachkit/standalone.h"

#include <dlfcn.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "teachkit/plugin_config.h"

#include "standalone_internal.h"

/* ------------------------------------------------------------- messages */

const char *tk_standalone_status_name(tk_status st)
{
    return tk_status_name(st);
}

static tk_status sa_fail(tk_standalone *sa, tk_status code, const char *path, const char *fmt,
                         ...) TK_PRINTF(4, 5);
static tk_status sa_fail(tk_standalone *sa, tk_status code, const char *path, const char *fmt,
                         ...)
{
    sa->code = code;
    snprintf(sa->err_path, sizeof sa->err_path, "%s", path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sa->err_message, sizeof sa->err_message, fmt, ap);
    va_end(ap);
    return code;
}

/* A core diagnostic as the session error: "FILE: message" when it names a
 * file, as the host prints it without its "teachkit: " prefix. */
static tk_status sa_fail_diag(tk_standalone *sa, tk_status code, const tk_diag *d)
{
    if (d->file[0])
        return sa_fail(sa, code, NULL, "%s: %s", d->file, d->message);
    return sa_fail(sa, code, NULL, "%s", d->message);
}

tk_status tk_sa_error(tk_standalone_instance *inst, tk_status code, const char *config_path,
                      const char *fmt, ...)
{
    char message[sizeof inst->core.ctx.err_message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return tk_host_api_table()->error(&inst->core.ctx, code, config_path, "%s", message);
}

/* The caller's value function (tk_standalone_set_value_fn), else an error
 * that says how to give one. */
static tk_status sa_student_value(void *user, const float *obs, size_t n, float *values_out)
{
    tk_standalone_instance *inst = user;
    if (inst->value_fn)
        return inst->value_fn(inst->value_user, obs, n, values_out);
    return tk_sa_error(inst, TK_ERR_UNSUPPORTED, NULL,
                       "no value function: pass one to the teacher (value_fn in Python, "
                       "tk_standalone_set_value_fn in C)");
}

/* ------------------------------------------------------------- session */

/* Any object of this library: dladdr() on it gives the library's path. */
static const char sa_anchor = 0;

/* The bundled plugins: "<dir>/../plugins" when this library lives in a Meson
 * build tree (build/core/libteachkit.so, next to build/build.ninja),
 * otherwise "<libdir>/teachkit/plugins", where `meson install` puts them. */
static void find_plugin_dir(tk_standalone *sa)
{
    Dl_info info;
    char lib[PATH_MAX];
    if (!dladdr(&sa_anchor, &info) || !info.dli_fname || !realpath(info.dli_fname, lib)) {
        sa->plugin_dir[0] = '\0';
        return;
    }
    char *slash = strrchr(lib, '/');
    if (slash)
        *slash = '\0';
    char probe[PATH_MAX + 32];
    struct stat st;
    snprintf(probe, sizeof probe, "%s/../build.ninja", lib);
    if (stat(probe, &st) == 0) {
        snprintf(probe, sizeof probe, "%s/../plugins", lib);
        if (realpath(probe, sa->plugin_dir))
            return;
    }
    snprintf(sa->plugin_dir, sizeof sa->plugin_dir, "%.*s/teachkit/plugins", PATH_MAX - 32, lib);
}

tk_standalone *tk_standalone_new(void)
{
    tk_standalone *sa = calloc(1, sizeof *sa);
    if (sa)
        find_plugin_dir(sa);
    return sa;
}

void tk_standalone_free(tk_standalone *sa)
{
    if (!sa)
        return;
    while (sa->instances)
        tk_standalone_destroy(sa->instances);
    tk_registry_close(sa->reg);
    for (size_t i = 0; i < sa->n_own; i++)
        free(sa->own[i]);
    free(sa->own);
    free(sa->own_key);
    free(sa);
}

void tk_standalone_set_verbose(tk_standalone *sa, int verbose)
{
    sa->verbose = verbose;
    for (tk_standalone_instance *i = sa->instances; i; i = i->next)
        i->core.ctx.verbose = verbose;
}

const char *tk_standalone_plugin_dir(const tk_standalone *sa) { return sa->plugin_dir; }
tk_status tk_standalone_error_code(const tk_standalone *sa) { return sa->code; }
const char *tk_standalone_error_path(const tk_standalone *sa) { return sa->err_path; }
const char *tk_standalone_error_message(const tk_standalone *sa) { return sa->err_message; }

int tk_standalone_has_feature(const tk_descriptor *desc, const char *feature)
{
    return tk_descriptor_has_feature(desc, feature);
}

/* ------------------------------------------------------------- finding */

static tk_registry *registry(tk_standalone *sa)
{
    if (!sa->reg)
        sa->reg = tk_registry_new("add the plugin's .so to TEACHKIT_PLUGIN_PATH or pass the "
                                  "file's path");
    return sa->reg;
}

tk_status tk_standalone_load(tk_standalone *sa, const char *path)
{
    if (!registry(sa))
        return sa_fail(sa, TK_ERR_NOMEM, NULL, "out of memory");
    tk_diag d;
    tk_diag_clear(&d);
    tk_status st = tk_registry_load_file(sa->reg, path, &d);
    return st == TK_OK ? TK_OK : sa_fail_diag(sa, st, &d);
}

const tk_descriptor *tk_standalone_find(tk_standalone *sa, tk_kind kind, const char *plugin)
{
    if (!plugin || !plugin[0]) {
        sa_fail(sa, TK_ERR_INVALID, NULL, "no plugin named");
        return NULL;
    }
    if (!registry(sa)) {
        sa_fail(sa, TK_ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    tk_diag d;
    tk_diag_clear(&d);
    const tk_component *c = NULL;
    size_t len = strlen(plugin);
    if (strchr(plugin, '/') || (len > 3 && strcmp(plugin + len - 3, ".so") == 0)) {
        /* A file that does not load keeps its own status (another ABI
         * major: TK_ERR_UNSUPPORTED). */
        if (tk_standalone_load(sa, plugin) != TK_OK)
            return NULL;
        c = tk_registry_find_in_file(sa->reg, kind, plugin, &d);
    } else {
        /* TEACHKIT_PLUGIN_PATH, then the bundled plugins; once per session. */
        if (!sa->searched)
            tk_registry_search(sa->reg, NULL, 0, sa->plugin_dir, &d);
        sa->searched = 1;
        c = tk_registry_find(sa->reg, kind, plugin, &d);
    }
    if (!c)
        sa_fail_diag(sa, TK_ERR_INVALID, &d);
    return c ? c->desc : NULL;
}

/* The component behind `desc`: the registry's when it handed `desc` out,
 * else a checked copy the session keeps of the caller's own descriptor. */
static const tk_component *component_of(tk_standalone *sa, const tk_descriptor *desc)
{
    const tk_component *c = sa->reg ? tk_registry_component_of(sa->reg, desc) : NULL;
    for (size_t i = 0; !c && i < sa->n_own; i++)
        if (sa->own_key[i] == desc || sa->own[i]->desc == desc)
            c = sa->own[i];
    if (c)
        return c;
    if (sa->n_own == sa->cap_own) {
        size_t cap = sa->cap_own ? 2 * sa->cap_own : 4;
        tk_component **own = realloc(sa->own, cap * sizeof *own);
        if (own)
            sa->own = own;
        const tk_descriptor **key = realloc(sa->own_key, cap * sizeof *key);
        if (key)
            sa->own_key = key;
        if (!own || !key) {
            sa_fail(sa, TK_ERR_NOMEM, NULL, "out of memory");
            return NULL;
        }
        sa->cap_own = cap;
    }
    tk_component *mine = malloc(sizeof *mine);
    char why[512];
    if (!mine) {
        sa_fail(sa, TK_ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    if (tk_component_init(mine, desc, "(caller's descriptor)", why, sizeof why) != 0) {
        free(mine);
        sa_fail(sa, TK_ERR_INVALID, NULL, "%s", why);
        return NULL;
    }
    sa->own[sa->n_own] = mine;
    sa->own_key[sa->n_own++] = desc;
    return mine;
}

/* ------------------------------------------------------ config resolution */

/* The resolved config, by the host's own rules and words
 * (tk_resolve_config): the session error reads as `teachkit run` reports
 * the same mistake, "teacher.config.fit_rat: unknown key; did you mean
 * ...", with the key relative to the config as its path. */
static json_t *resolve_config(tk_standalone *sa, const tk_component *c, const char *user_json)
{
    const char *section = tk_kind_name(c->desc->kind);
    json_error_t jerr;
    json_t *user = user_json && user_json[0] ? json_loads(user_json, 0, &jerr) : json_object();
    if (!json_is_object(user)) {
        sa_fail(sa, TK_ERR_CONFIG, NULL, "%s.config: must be an object%s%s", section,
                user ? "" : ": ", user ? "" : jerr.text);
        json_decref(user);
        return NULL;
    }
    char prefix[32];
    snprintf(prefix, sizeof prefix, "%s.config", section);
    tk_diag d;
    tk_diag_clear(&d);
    json_t *resolved = tk_resolve_config(c->desc, user, NULL, prefix, &d);
    json_decref(user);
    if (!resolved) {
        size_t n = strlen(prefix);
        const char *key = strncmp(d.path, prefix, n) == 0 && d.path[n] == '.' ? d.path + n + 1 : "";
        sa_fail(sa, TK_ERR_CONFIG, key, "%s: %s", d.path, d.message);
    }
    return resolved;
}

/* ------------------------------------------------------------ instances */

static tk_standalone_instance *new_instance(tk_standalone *sa, const tk_descriptor *desc,
                                            tk_kind kind, const char *config_json,
                                            uint64_t seed, const char *role)
{
    if (!desc || desc->kind != kind) {
        sa_fail(sa, TK_ERR_INVALID, NULL, "%s is not a %s", desc ? desc->id : "(null)",
                tk_kind_name(kind));
        return NULL;
    }
    const tk_component *c = component_of(sa, desc);
    json_t *config = c ? resolve_config(sa, c, config_json) : NULL;
    char *text = config ? json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    tk_standalone_instance *inst = text ? calloc(1, sizeof *inst) : NULL;
    if (!inst) {
        if (config)
            sa_fail(sa, TK_ERR_NOMEM, NULL, "out of memory");
        json_decref(config);
        free(text);
        return NULL;
    }
    inst->sa = sa;
    inst->config = text;
    snprintf(inst->role, sizeof inst->role, "%s", role ? role : tk_kind_name(kind));
    tk_instance_init(&inst->core, c, config, seed, inst->role);
    inst->core.ctx.verbose = sa->verbose;
    inst->core.ctx.value_fn = sa_student_value;
    inst->core.ctx.value_user = inst;
    return inst;
}

/* The one-line message of a failed call (`what`) as `teachkit run` words
 * it (tk_instance_fail), without its "FILE: " prefix: configuration errors
 * point at the key of the component's config section, the others name the
 * component, the call and the status. */
void tk_sa_word_failure(const tk_standalone_instance *inst, tk_status st, const char *what,
                        char *out, size_t size)
{
    tk_diag d;
    tk_diag_clear(&d);
    tk_instance_fail(&inst->core, st, NULL, what, &d);
    if (d.path[0])
        snprintf(out, size, "%s: %s", d.path, d.message);
    else
        snprintf(out, size, "%s", d.message);
}

static void free_instance(tk_standalone_instance *inst)
{
    tk_instance_destroy(&inst->core);
    tk_state_writer_free(&inst->saved);
    free(inst->dims);
    free(inst->config);
    free(inst);
}

/* Link a created instance, or turn a failed create into the session error. */
static tk_status finish_create(tk_standalone *sa, tk_standalone_instance *inst, tk_status st,
                               tk_standalone_instance **out)
{
    if (st != TK_OK) {
        char line[sizeof inst->err_line];
        tk_sa_word_failure(inst, st, "create", line, sizeof line);
        const struct tk_ctx *c = &inst->core.ctx;
        sa_fail(sa, st, c->code == st ? c->err_path : NULL, "%s", line);
        free_instance(inst);
        return st;
    }
    inst->next = sa->instances;
    if (sa->instances)
        sa->instances->prev = inst;
    sa->instances = inst;
    *out = inst;
    return TK_OK;
}

/* Keeps a copy of `space` (names included) in the instance. */
static int copy_space(tk_standalone_instance *inst, const tk_task_space *space)
{
    size_t names = 0;
    for (size_t i = 0; i < space->dims; i++)
        names += (space->dim[i].name ? strlen(space->dim[i].name) : 0) + 1;
    inst->dims = malloc(space->dims * sizeof *inst->dims + names);
    if (!inst->dims)
        return -1;
    char *text = (char *)(inst->dims + space->dims);
    for (size_t i = 0; i < space->dims; i++) {
        const char *name = space->dim[i].name ? space->dim[i].name : "";
        size_t n = strlen(name) + 1;
        memcpy(text, name, n);
        inst->dims[i] = (tk_dim){text, space->dim[i].low, space->dim[i].high};
        text += n;
    }
    inst->space = (tk_task_space){space->dims, inst->dims};
    return 0;
}

tk_status tk_standalone_create_teacher(tk_standalone *sa, const tk_descriptor *desc,
                                       const tk_task_space *space, const char *config_json,
                                       uint64_t seed, const char *role,
                                       tk_standalone_instance **out)
{
    *out = NULL;
    if (!space || !space->dims || !space->dim)
        return sa_fail(sa, TK_ERR_INVALID, NULL, "the task space has no dimension");
    tk_standalone_instance *inst = new_instance(sa, desc, TK_KIND_TEACHER, config_json, seed, role);
    if (!inst)
        return sa->code;
    if (copy_space(inst, space)) {
        free_instance(inst);
        return sa_fail(sa, TK_ERR_NOMEM, NULL, "out of memory");
    }
    tk_diag d;
    return finish_create(sa, inst, tk_instance_create_teacher(&inst->core, space, NULL, &d), out);
}

tk_status tk_standalone_create_env(tk_standalone *sa, const tk_descriptor *desc,
                                   const char *config_json, uint64_t seed, const char *role,
                                   tk_standalone_instance **out)
{
    *out = NULL;
    tk_standalone_instance *inst = new_instance(sa, desc, TK_KIND_ENV, config_json, seed, role);
    if (!inst)
        return sa->code;
    tk_diag d;
    return finish_create(sa, inst, tk_instance_create_env(&inst->core, NULL, &d), out);
}

tk_status tk_standalone_create_student(tk_standalone *sa, const tk_descriptor *desc,
                                       const tk_student_spec *spec, const char *config_json,
                                       uint64_t seed, const char *role,
                                       tk_standalone_instance **out)
{
    *out = NULL;
    if (!spec)
        return sa_fail(sa, TK_ERR_INVALID, NULL, "no student spec");
    tk_standalone_instance *inst = new_instance(sa, desc, TK_KIND_STUDENT, config_json, seed, role);
    if (!inst)
        return sa->code;
    /* The caller may have been built against a header older than 1.1,
     * whose spec ends before struct_size: the plugin gets a spec of this
     * library's size with the 1.0 members copied. */
    tk_student_spec full;
    memset(&full, 0, sizeof full);
    memcpy(&full, spec, offsetof(tk_student_spec, struct_size));
    full.struct_size = sizeof full;
    tk_diag d;
    return finish_create(sa, inst, tk_instance_create_student(&inst->core, &full, NULL, &d), out);
}

void tk_standalone_destroy(tk_standalone_instance *inst)
{
    if (!inst)
        return;
    if (inst->prev)
        inst->prev->next = inst->next;
    else
        inst->sa->instances = inst->next;
    if (inst->next)
        inst->next->prev = inst->prev;
    free_instance(inst);
}

const tk_descriptor *tk_standalone_instance_descriptor(const tk_standalone_instance *inst) { return inst->core.comp->desc; }
void *tk_standalone_instance_self(const tk_standalone_instance *inst) { return inst->core.self; }
const char *tk_standalone_instance_config(const tk_standalone_instance *inst) { return inst->config; }
tk_rng *tk_standalone_instance_rng(tk_standalone_instance *inst) { return &inst->core.ctx.rng; }
tk_status tk_standalone_instance_error_code(const tk_standalone_instance *inst) { return inst->core.ctx.code; }
const char *tk_standalone_instance_error_path(const tk_standalone_instance *inst) { return inst->core.ctx.err_path; }
const char *tk_standalone_instance_error_message(const tk_standalone_instance *inst) { return inst->core.ctx.err_message; }
const char *tk_standalone_instance_error_line(const tk_standalone_instance *inst) { return inst->err_line; }
