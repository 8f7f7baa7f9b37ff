/*
 * The standalone host (<teachkit/standalone.h>): plugin loading, component
 * lookup, config resolution and the services table, for programs other than
 * `teachkit` (C tools, Python through ctypes).
 *
 * It mirrors the host (core/host/registry.c, instance.c, plugin_config.c)
 * in what decides a run's numbers -- the seeding tk_rng_derive(seed, role)
 * and the resolved config text (defaults merged, keys sorted, compact) --
 * so an instance created here behaves exactly like the one `teachkit run`
 * creates.  It is deliberately smaller in the rest: no built-in components,
 * one error message instead of the host's diagnostics.
 *
 * The tk_ctx handed to plugins is the tk_standalone_instance itself (cast
 * to the opaque type): the library defines no `struct tk_ctx`, so it cannot
 * clash with the host's.  The call helpers are in standalone_calls.c.
 */
#define _GNU_SOURCE /* dladdr */
#include "teachkit/standalone.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "teachkit/config_merge.h"
#include "teachkit/rng.h"
#include "teachkit/state.h"

#include "standalone_internal.h"

#define SA_MAX_DEPTH 4 /* directory recursion, as the host */

/* ------------------------------------------------------------- messages */

const char *tk_standalone_status_name(tk_status st)
{
    switch (st) {
    case TK_OK: return "ok";
    case TK_ERR_CONFIG: return "configuration error";
    case TK_ERR_INVALID: return "invalid argument";
    case TK_ERR_STATE: return "call out of order";
    case TK_ERR_NUMERIC: return "numerical failure";
    case TK_ERR_NOMEM: return "out of memory";
    case TK_ERR_UNSUPPORTED: return "unsupported";
    case TK_ERR_IO: return "I/O error";
    case TK_ERR_INTERNAL: return "internal error";
    case TK_STOPPED: return "stopped early at the host's request";
    }
    return "unknown status";
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

const char *tk_sa_kind_name(tk_kind kind)
{
    switch (kind) {
    case TK_KIND_TEACHER: return "teacher";
    case TK_KIND_ENV: return "env";
    case TK_KIND_STUDENT: return "student";
    }
    return "component";
}

/* ------------------------------------------------------- host services */

static tk_standalone_instance *instance_of(tk_ctx *ctx)
{
    return (tk_standalone_instance *)(void *)ctx;
}

static void host_log(tk_ctx *ctx, tk_log_level level, const char *fmt, ...)
{
    const tk_standalone_instance *inst = instance_of(ctx);
    if (level < TK_LOG_WARN && !inst->sa->verbose)
        return;
    static const char *const names[] = {"debug", "info", "warning"};
    fprintf(stderr, "teachkit: %s %s: %s: ", inst->role, inst->desc->id,
            names[level <= TK_LOG_WARN ? level : TK_LOG_WARN]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static tk_status verror(tk_standalone_instance *inst, tk_status code, const char *config_path,
                        const char *fmt, va_list ap)
{
    inst->code = code;
    snprintf(inst->err_path, sizeof inst->err_path, "%s", config_path ? config_path : "");
    vsnprintf(inst->err_message, sizeof inst->err_message, fmt, ap);
    return code;
}

static tk_status host_error(tk_ctx *ctx, tk_status code, const char *config_path,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tk_status st = verror(instance_of(ctx), code, config_path, fmt, ap);
    va_end(ap);
    return st;
}

tk_status tk_sa_error(tk_standalone_instance *inst, tk_status code, const char *config_path,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tk_status st = verror(inst, code, config_path, fmt, ap);
    va_end(ap);
    return st;
}

static tk_rng *host_rng(tk_ctx *ctx)
{
    return &instance_of(ctx)->rng;
}

/* The caller's value function (tk_standalone_set_value_fn), else none. */
static tk_status host_student_value(tk_ctx *ctx, const float *obs, size_t n, float *values_out)
{
    tk_standalone_instance *inst = instance_of(ctx);
    if (inst->value_fn)
        return inst->value_fn(inst->value_user, obs, n, values_out);
    return host_error(ctx, TK_ERR_UNSUPPORTED, NULL,
                      "no value function: pass one to the teacher (value_fn in Python, "
                      "tk_standalone_set_value_fn in C)");
}

const tk_host_api tk_sa_host_table = {
    .struct_size = sizeof(tk_host_api),
    .abi_major = TK_ABI_MAJOR,
    .abi_minor = TK_ABI_MINOR,
    .log = host_log,
    .error = host_error,
    .rng = host_rng,
    .student_value = host_student_value,
};

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
    for (size_t i = sa->n_files; i-- > 0;) {
        if (TK_HAS_MEMBER(sa->files[i].entry, deinit))
            sa->files[i].entry->deinit();
        dlclose(sa->files[i].handle);
        free(sa->files[i].path);
    }
    free(sa->files);
    free(sa);
}

void tk_standalone_set_verbose(tk_standalone *sa, int verbose) { sa->verbose = verbose; }
const char *tk_standalone_plugin_dir(const tk_standalone *sa) { return sa->plugin_dir; }
tk_status tk_standalone_error_code(const tk_standalone *sa) { return sa->code; }
const char *tk_standalone_error_path(const tk_standalone *sa) { return sa->err_path; }
const char *tk_standalone_error_message(const tk_standalone *sa) { return sa->err_message; }

int tk_standalone_has_feature(const tk_descriptor *desc, const char *feature)
{
    for (const char *const *f = desc ? desc->features : NULL; f && *f; f++)
        if (strcmp(*f, feature) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------- loading */

/* Required functions lie inside the declared sizes (registry.c vtable_ok);
 * as many components as the host's registry accepts. */
#define TK_STANDALONE_MAX_COMPONENTS 256

static const char *descriptor_problem(const tk_descriptor *d)
{
    if (!d || !TK_HAS_MEMBER(d, vtable))
        return "has a NULL or too small descriptor";
    if (!d->id || !d->id[0] || !d->vtable)
        return "has a descriptor without id or vtable";
    switch (d->kind) {
    case TK_KIND_TEACHER: {
        const tk_teacher_vtable *v = d->vtable;
        return TK_HAS_MEMBER(v, create) && TK_HAS_MEMBER(v, destroy) &&
                       TK_HAS_MEMBER(v, sample) && TK_HAS_MEMBER(v, update)
                   ? NULL
                   : "has a teacher vtable lacking create/destroy/sample/update";
    }
    case TK_KIND_ENV: {
        const tk_env_vtable *v = d->vtable;
        return TK_HAS_MEMBER(v, create) && TK_HAS_MEMBER(v, destroy) &&
                       TK_HAS_MEMBER(v, info) && TK_HAS_MEMBER(v, set_task) &&
                       TK_HAS_MEMBER(v, reset) && TK_HAS_MEMBER(v, step)
                   ? NULL
                   : "has an env vtable lacking create/destroy/info/set_task/reset/step";
    }
    case TK_KIND_STUDENT: {
        const tk_student_vtable *v = d->vtable;
        return TK_HAS_MEMBER(v, create) && TK_HAS_MEMBER(v, destroy) &&
                       TK_HAS_MEMBER(v, act) && TK_HAS_MEMBER(v, observe) &&
                       TK_HAS_MEMBER(v, end_episode)
                   ? NULL
                   : "has a student vtable lacking create/destroy/act/observe/end_episode";
    }
    }
    return "has a component of unknown kind";
}

/* World-writable code is refused (docs/reliability.md): the file, and
 * every directory above it, since whoever may rename an entry of a
 * directory on the path can swap the file.  A world-writable directory with
 * the sticky bit (/tmp) protects its entries from other users, but anyone
 * may create entries there: an entry on the path below such a directory
 * must belong to this user or to root.  Writes the reason into buf. */
const char *tk_plugin_file_unsafe(const char *real, char *buf, size_t size)
{
    struct stat st;
    if (stat(real, &st) != 0)
        return "cannot be read";
    if (st.st_mode & S_IWOTH)
        return "is world-writable; run `chmod o-w` on it";
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", real);
    uid_t below = st.st_uid; /* owner of the entry below `path` */
    char *slash;
    while ((slash = strrchr(path, '/')) != NULL) {
        if (slash == path)
            slash[1] = '\0';
        else
            *slash = '\0';
        if (stat(path, &st) != 0)
            break;
        if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
            snprintf(buf, size, "lies in the world-writable directory %s; run `chmod o-w` on it",
                     path);
            return buf;
        }
        if ((st.st_mode & S_IWOTH) && below != geteuid() && below != 0) {
            snprintf(buf, size, "lies in the world-writable directory %s under an entry of "
                                "another user (uid %u), who could replace it", path,
                     (unsigned)below);
            return buf;
        }
        below = st.st_uid;
        if (slash == path)
            break;
    }
    return NULL;
}

static sa_file *loaded(tk_standalone *sa, const char *real)
{
    for (size_t i = 0; i < sa->n_files; i++)
        if (strcmp(sa->files[i].path, real) == 0)
            return &sa->files[i];
    return NULL;
}

/* Checks an opened file's entry before anything in it is called. */
static tk_status check_entry(tk_standalone *sa, const char *real, const tk_plugin_entry *e)
{
    if (!e)
        return sa_fail(sa, TK_ERR_IO, NULL,
                       "%s: no `%s` symbol: not a teachkit plugin (export it with "
                       "TK_PLUGIN_DESCRIPTORS)", real, TK_ENTRY_SYMBOL);
    /* The major version is the first field and is read before anything else. */
    if (e->abi_major != TK_ABI_MAJOR)
        return sa_fail(sa, TK_ERR_UNSUPPORTED, NULL,
                       "%s: built for plugin ABI %u.%u but this libteachkit speaks ABI %u.%u; "
                       "rebuild the plugin against this teachkit's <teachkit/plugin.h>",
                       real, (unsigned)e->abi_major, (unsigned)e->abi_minor, TK_ABI_MAJOR,
                       TK_ABI_MINOR);
    if (!TK_HAS_MEMBER(e, count) || !TK_HAS_MEMBER(e, get))
        return sa_fail(sa, TK_ERR_IO, NULL, "%s: malformed entry (struct_size or count/get "
                       "missing)", real);
    return TK_OK;
}

tk_status tk_standalone_load(tk_standalone *sa, const char *path)
{
    char real[PATH_MAX];
    if (!path || !realpath(path, real))
        return sa_fail(sa, TK_ERR_IO, NULL, "%s: cannot be resolved: %s", path ? path : "(null)",
                       strerror(errno));
    if (loaded(sa, real))
        return TK_OK;
    char why[PATH_MAX + 128];
    const char *unsafe = tk_plugin_file_unsafe(real, why, sizeof why);
    if (unsafe)
        return sa_fail(sa, TK_ERR_IO, NULL, "%s: refused: the file %s", real, unsafe);
    void *h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return sa_fail(sa, TK_ERR_IO, NULL, "%s: dlopen failed: %s", real, dlerror());
    const tk_plugin_entry *e = dlsym(h, TK_ENTRY_SYMBOL);
    tk_status st = check_entry(sa, real, e);
    if (st == TK_OK && TK_HAS_MEMBER(e, init) && e->init(real) != 0)
        st = sa_fail(sa, TK_ERR_IO, NULL, "%s: the plugin's init() failed", real);
    /* As the host's registry: a corrupt count() would loop for hours. */
    if (st == TK_OK && e->count() > TK_STANDALONE_MAX_COMPONENTS) {
        if (TK_HAS_MEMBER(e, deinit))
            e->deinit();
        st = sa_fail(sa, TK_ERR_IO, NULL, "%s: declares %u components; a plugin file may hold "
                     "at most %d", real, (unsigned)e->count(), TK_STANDALONE_MAX_COMPONENTS);
    }
    for (uint32_t i = 0; st == TK_OK && i < e->count(); i++) {
        const char *why = descriptor_problem(e->get(i));
        if (why) {
            if (TK_HAS_MEMBER(e, deinit))
                e->deinit();
            st = sa_fail(sa, TK_ERR_IO, NULL, "%s: component %u %s", real, (unsigned)i, why);
        }
    }
    if (st == TK_OK && sa->n_files == sa->cap_files) {
        size_t cap = sa->cap_files ? 2 * sa->cap_files : 8;
        sa_file *files = realloc(sa->files, cap * sizeof *files);
        if (files)
            sa->files = files, sa->cap_files = cap;
        else
            st = sa_fail(sa, TK_ERR_NOMEM, NULL, "out of memory");
    }
    char *copy = st == TK_OK ? strdup(real) : NULL;
    if (st == TK_OK && !copy)
        st = sa_fail(sa, TK_ERR_NOMEM, NULL, "out of memory");
    if (st != TK_OK) {
        dlclose(h);
        return st;
    }
    sa->files[sa->n_files++] = (sa_file){copy, h, e};
    return TK_OK;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void note_rejection(tk_standalone *sa)
{
    size_t used = strlen(sa->rejected);
    snprintf(sa->rejected + used, sizeof sa->rejected - used, "; rejected %s", sa->err_message);
}

static int has_so_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

/* Loads every "*.so" below `dir` in sorted order, so that which file is
 * reported first does not depend on readdir order. */
static void scan_dir(tk_standalone *sa, const char *dir, int depth)
{
    DIR *dh = depth <= SA_MAX_DEPTH ? opendir(dir) : NULL;
    if (!dh)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *ent; (ent = readdir(dh));) {
        if (ent->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            char **p = realloc(names, ncap * sizeof *p);
            if (!p)
                break;
            names = p, cap = ncap;
        }
        if ((names[n] = strdup(ent->d_name)))
            n++;
    }
    closedir(dh);
    if (n > 1)
        qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            scan_dir(sa, path, depth + 1);
        else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && has_so_suffix(names[i]) &&
                 tk_standalone_load(sa, path) != TK_OK)
            note_rejection(sa);
        free(names[i]);
    }
    free(names);
}

static void scan_path(tk_standalone *sa, const char *p)
{
    struct stat st;
    if (stat(p, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode))
        scan_dir(sa, p, 0);
    else if (tk_standalone_load(sa, p) != TK_OK)
        note_rejection(sa);
}

/* TEACHKIT_PLUGIN_PATH, then the bundled plugins; once per session. */
static void scan_default(tk_standalone *sa)
{
    if (sa->searched)
        return;
    sa->searched = 1;
    const char *env = getenv("TEACHKIT_PLUGIN_PATH");
    char *copy = env && env[0] ? strdup(env) : NULL;
    char *save = NULL;
    for (char *p = copy ? strtok_r(copy, ":", &save) : NULL; p; p = strtok_r(NULL, ":", &save))
        scan_path(sa, p);
    free(copy);
    if (sa->plugin_dir[0])
        scan_path(sa, sa->plugin_dir);
}

static const tk_descriptor *find_in_file(tk_standalone *sa, const char *path, tk_kind kind)
{
    if (tk_standalone_load(sa, path) != TK_OK)
        return NULL;
    char real[PATH_MAX];
    const sa_file *f = realpath(path, real) ? loaded(sa, real) : NULL;
    const tk_descriptor *found = NULL;
    size_t n = 0;
    char ids[512] = "";
    for (uint32_t i = 0; f && i < f->entry->count(); i++) {
        const tk_descriptor *d = f->entry->get(i);
        if (d->kind != kind)
            continue;
        size_t used = strlen(ids);
        snprintf(ids + used, sizeof ids - used, "%s\"%s\"", n ? ", " : "", d->id);
        found = d;
        n++;
    }
    if (n == 1)
        return found;
    if (n == 0)
        sa_fail(sa, TK_ERR_INVALID, NULL, "%s provides no %s", path, tk_sa_kind_name(kind));
    else
        sa_fail(sa, TK_ERR_INVALID, NULL,
                "%s provides several %ss (%s): load the file, then find the component by id",
                path, tk_sa_kind_name(kind), ids);
    return NULL;
}

/* Worded as the host's registry words it (core/host/registry.c), with the
 * closest id as a suggestion. */
static void not_found(tk_standalone *sa, tk_kind kind, const char *plugin)
{
    const char *ids[256];
    size_t n = 0;
    for (size_t i = 0; i < sa->n_files; i++) {
        const tk_plugin_entry *e = sa->files[i].entry;
        for (uint32_t j = 0; j < e->count() && n < 255; j++)
            if (e->get(j)->kind == kind)
                ids[n++] = e->get(j)->id;
    }
    ids[n] = NULL;
    const char *near = tk_closest_word(plugin, ids);
    char hint[128] = "";
    if (near)
        snprintf(hint, sizeof hint, "did you mean \"%s\"? ", near);
    sa_fail(sa, TK_ERR_INVALID, NULL,
            "no %s plugin \"%s\" found; %s`teachkit list` shows the available ones; add the "
            "plugin's .so to TEACHKIT_PLUGIN_PATH or pass the file's path (searched: loaded "
            "files, TEACHKIT_PLUGIN_PATH=%s, %s)%s",
            tk_sa_kind_name(kind), plugin, hint,
            getenv("TEACHKIT_PLUGIN_PATH") ? getenv("TEACHKIT_PLUGIN_PATH") : "",
            sa->plugin_dir, sa->rejected);
}

const tk_descriptor *tk_standalone_find(tk_standalone *sa, tk_kind kind, const char *plugin)
{
    if (!plugin || !plugin[0]) {
        sa_fail(sa, TK_ERR_INVALID, NULL, "no plugin named");
        return NULL;
    }
    size_t len = strlen(plugin);
    if (strchr(plugin, '/') || (len > 3 && strcmp(plugin + len - 3, ".so") == 0))
        return find_in_file(sa, plugin, kind);
    scan_default(sa);
    const tk_descriptor *found = NULL;
    const char *found_file = NULL;
    for (size_t i = 0; i < sa->n_files; i++) {
        const tk_plugin_entry *e = sa->files[i].entry;
        for (uint32_t j = 0; j < e->count(); j++) {
            const tk_descriptor *d = e->get(j);
            if (d->kind != kind || strcmp(d->id, plugin) != 0)
                continue;
            if (found) {
                sa_fail(sa, TK_ERR_INVALID, NULL,
                        "%s \"%s\" is provided by two files, %s and %s; remove one of them or "
                        "take one out of the plugin search path",
                        tk_sa_kind_name(kind), plugin, found_file, sa->files[i].path);
                return NULL;
            }
            found = d;
            found_file = sa->files[i].path;
        }
    }
    if (!found)
        not_found(sa, kind, plugin);
    return found;
}

/* ------------------------------------------------------ config resolution */

/* The resolved config as the host passes it to create (compact, sorted),
 * by the host's own rules and words (<teachkit/config_merge.h>): the
 * session error reads as `teachkit run` reports the same mistake,
 * "teacher.config.fit_rat: unknown key; did you mean ...", with the key
 * relative to the config as its path. */
static char *resolve_config(tk_standalone *sa, const tk_descriptor *desc, const char *user_json)
{
    const char *section = tk_sa_kind_name(desc->kind);
    json_error_t jerr;
    json_t *user = user_json && user_json[0] ? json_loads(user_json, 0, &jerr) : json_object();
    if (!json_is_object(user)) {
        sa_fail(sa, TK_ERR_CONFIG, NULL, "%s.config: must be an object%s%s", section,
                user ? "" : ": ", user ? "" : jerr.text);
        json_decref(user);
        return NULL;
    }
    char prefix[32], path[256], msg[1024];
    snprintf(prefix, sizeof prefix, "%s.config", section);
    json_t *resolved = tk_config_merge(desc->id, desc->default_config, user, prefix, path,
                                       sizeof path, msg, sizeof msg);
    json_decref(user);
    char *text = NULL;
    if (!resolved) {
        size_t n = strlen(prefix);
        const char *key = strncmp(path, prefix, n) == 0 && path[n] == '.' ? path + n + 1 : "";
        sa_fail(sa, TK_ERR_CONFIG, key, "%s: %s", path, msg);
    } else if (!(text = json_dumps(resolved, JSON_COMPACT | JSON_SORT_KEYS))) {
        sa_fail(sa, TK_ERR_NOMEM, NULL, "out of memory");
    }
    json_decref(resolved);
    return text;
}

/* ------------------------------------------------------------ instances */

static tk_standalone_instance *new_instance(tk_standalone *sa, const tk_descriptor *desc,
                                            tk_kind kind, const char *config_json,
                                            uint64_t seed, const char *role)
{
    if (!desc || desc->kind != kind) {
        sa_fail(sa, TK_ERR_INVALID, NULL, "%s is not a %s", desc ? desc->id : "(null)",
                tk_sa_kind_name(kind));
        return NULL;
    }
    char *config = resolve_config(sa, desc, config_json);
    tk_standalone_instance *inst = config ? calloc(1, sizeof *inst) : NULL;
    if (!inst) {
        if (config)
            sa_fail(sa, TK_ERR_NOMEM, NULL, "out of memory");
        free(config);
        return NULL;
    }
    inst->sa = sa;
    inst->desc = desc;
    inst->config = config;
    snprintf(inst->role, sizeof inst->role, "%s", role ? role : tk_sa_kind_name(kind));
    tk_rng_derive(&inst->rng, seed, inst->role);
    return inst;
}

/* The one-line message of a failed call (`what`) as `teachkit run` words
 * it (core/host/instance.c, tk_instance_fail), without its "FILE: "
 * prefix: configuration errors point at the key of the component's config
 * section, the others name the component, the call and the status. */
void tk_sa_word_failure(const tk_standalone_instance *inst, tk_status st, const char *what,
                        char *out, size_t size)
{
    const char *msg = inst->code == st && inst->err_message[0] ? inst->err_message
                                                               : tk_standalone_status_name(st);
    const char *section = tk_sa_kind_name(inst->desc->kind);
    if (st == TK_ERR_CONFIG && inst->code == st && inst->err_path[0])
        snprintf(out, size, "%s.config.%s: %s (%s plugin \"%s\")", section, inst->err_path, msg,
                 section, inst->desc->id);
    else if (st == TK_ERR_CONFIG)
        snprintf(out, size, "%s.config: %s (%s plugin \"%s\")", section, msg, section,
                 inst->desc->id);
    else
        snprintf(out, size, "%s \"%s\" failed in %s: %s: %s", inst->role, inst->desc->id, what,
                 tk_standalone_status_name(st), msg);
}

static void free_instance(tk_standalone_instance *inst)
{
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
        sa_fail(sa, st, inst->code == st ? inst->err_path : NULL, "%s", line);
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
    const tk_teacher_vtable *v = desc->vtable;
    tk_status st = v->create(&tk_sa_host_table, (tk_ctx *)(void *)inst, space, inst->config,
                             &inst->self);
    return finish_create(sa, inst, st, out);
}

tk_status tk_standalone_create_env(tk_standalone *sa, const tk_descriptor *desc,
                                   const char *config_json, uint64_t seed, const char *role,
                                   tk_standalone_instance **out)
{
    *out = NULL;
    tk_standalone_instance *inst = new_instance(sa, desc, TK_KIND_ENV, config_json, seed, role);
    if (!inst)
        return sa->code;
    const tk_env_vtable *v = desc->vtable;
    tk_status st = v->create(&tk_sa_host_table, (tk_ctx *)(void *)inst, inst->config,
                             &inst->self);
    return finish_create(sa, inst, st, out);
}

tk_status tk_standalone_create_student(tk_standalone *sa, const tk_descriptor *desc,
                                       const tk_student_spec *spec, const char *config_json,
                                       uint64_t seed, const char *role,
                                       tk_standalone_instance **out)
{
    *out = NULL;
    tk_standalone_instance *inst = new_instance(sa, desc, TK_KIND_STUDENT, config_json, seed, role);
    if (!inst)
        return sa->code;
    const tk_student_vtable *v = desc->vtable;
    tk_status st = v->create(&tk_sa_host_table, (tk_ctx *)(void *)inst, spec, inst->config,
                             &inst->self);
    return finish_create(sa, inst, st, out);
}

void tk_standalone_destroy(tk_standalone_instance *inst)
{
    if (!inst)
        return;
    if (inst->self) {
        switch (inst->desc->kind) {
        case TK_KIND_TEACHER:
            ((const tk_teacher_vtable *)inst->desc->vtable)->destroy(inst->self);
            break;
        case TK_KIND_ENV:
            ((const tk_env_vtable *)inst->desc->vtable)->destroy(inst->self);
            break;
        case TK_KIND_STUDENT:
            ((const tk_student_vtable *)inst->desc->vtable)->destroy(inst->self);
            break;
        }
    }
    if (inst->prev)
        inst->prev->next = inst->next;
    else
        inst->sa->instances = inst->next;
    if (inst->next)
        inst->next->prev = inst->prev;
    free_instance(inst);
}

const tk_descriptor *tk_standalone_instance_descriptor(const tk_standalone_instance *inst) { return inst->desc; }
void *tk_standalone_instance_self(const tk_standalone_instance *inst) { return inst->self; }
const char *tk_standalone_instance_config(const tk_standalone_instance *inst) { return inst->config; }
tk_rng *tk_standalone_instance_rng(tk_standalone_instance *inst) { return &inst->rng; }
tk_status tk_standalone_instance_error_code(const tk_standalone_instance *inst) { return inst->code; }
const char *tk_standalone_instance_error_path(const tk_standalone_instance *inst) { return inst->err_path; }
const char *tk_standalone_instance_error_message(const tk_standalone_instance *inst) { return inst->err_message; }
const char *tk_standalone_instance_error_line(const tk_standalone_instance *inst) { return inst->err_line; }
