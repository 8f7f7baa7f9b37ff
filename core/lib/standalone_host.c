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
 * clash with the host's.
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

#include "teachkit/rng.h"

#define SA_MAX_DEPTH 4 /* directory recursion, as the host */

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
    tk_status code;
    char err_path[256];
    char err_message[1024];
    tk_standalone_instance *prev, *next;
};

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

static const char *kind_name(tk_kind kind)
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

static tk_status host_error(tk_ctx *ctx, tk_status code, const char *config_path,
                            const char *fmt, ...)
{
    tk_standalone_instance *inst = instance_of(ctx);
    inst->code = code;
    snprintf(inst->err_path, sizeof inst->err_path, "%s", config_path ? config_path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(inst->err_message, sizeof inst->err_message, fmt, ap);
    va_end(ap);
    return code;
}

static tk_rng *host_rng(tk_ctx *ctx)
{
    return &instance_of(ctx)->rng;
}

/* No student is attached to a standalone teacher. */
static tk_status host_student_value(tk_ctx *ctx, const float *obs, size_t n, float *values_out)
{
    (void)obs, (void)n, (void)values_out;
    return host_error(ctx, TK_ERR_UNSUPPORTED, NULL,
                      "the standalone host has no student value function");
}

static const tk_host_api host_table = {
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
        sa_fail(sa, TK_ERR_INVALID, NULL, "%s provides no %s", path, kind_name(kind));
    else
        sa_fail(sa, TK_ERR_INVALID, NULL,
                "%s provides several %ss (%s): load the file, then find the component by id",
                path, kind_name(kind), ids);
    return NULL;
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
                        kind_name(kind), plugin, found_file, sa->files[i].path);
                return NULL;
            }
            found = d;
            found_file = sa->files[i].path;
        }
    }
    if (!found)
        sa_fail(sa, TK_ERR_INVALID, NULL,
                "no %s plugin \"%s\" found; add its .so to TEACHKIT_PLUGIN_PATH or pass the "
                "file's path (searched: loaded files, TEACHKIT_PLUGIN_PATH=%s, %s)%s",
                kind_name(kind), plugin,
                getenv("TEACHKIT_PLUGIN_PATH") ? getenv("TEACHKIT_PLUGIN_PATH") : "",
                sa->plugin_dir, sa->rejected);
    return found;
}

/* ------------------------------------------------------ config resolution */

/* Same rules as the host (core/host/plugin_config.c): the defaults hold
 * every key; a null default accepts anything; a real default accepts any
 * number; otherwise the JSON types must match; objects merge recursively. */
static int type_compatible(const json_t *def, const json_t *val)
{
    if (json_is_null(def) || json_is_null(val))
        return 1;
    if (json_is_real(def))
        return json_is_number(val);
    if (json_is_boolean(def))
        return json_is_boolean(val);
    return json_typeof(def) == json_typeof(val);
}

static tk_status merge(tk_standalone *sa, const tk_descriptor *desc, json_t *resolved,
                       json_t *user, const char *path)
{
    const char *key;
    json_t *val;
    json_object_foreach(user, key, val) {
        char kpath[256];
        snprintf(kpath, sizeof kpath, "%s%s%s", path, path[0] ? "." : "", key);
        json_t *def = json_object_get(resolved, key);
        if (!def) {
            char known[1024] = "";
            const char *k2;
            json_t *v2;
            json_object_foreach(resolved, k2, v2) {
                size_t used = strlen(known);
                snprintf(known + used, sizeof known - used, "%s%s", used ? ", " : "", k2);
            }
            return sa_fail(sa, TK_ERR_CONFIG, kpath,
                           "%s \"%s\": config.%s: unknown key (known keys: %s)",
                           kind_name(desc->kind), desc->id, kpath, known[0] ? known : "none");
        }
        if (!type_compatible(def, val))
            return sa_fail(sa, TK_ERR_CONFIG, kpath,
                           "%s \"%s\": config.%s: must have the JSON type of its default",
                           kind_name(desc->kind), desc->id, kpath);
        if (json_is_object(def) && json_is_object(val)) {
            tk_status st = merge(sa, desc, def, val, kpath);
            if (st != TK_OK)
                return st;
            continue;
        }
        json_object_set(resolved, key, val);
    }
    return TK_OK;
}

/* The resolved config as the host passes it to create (compact, sorted). */
static char *resolve_config(tk_standalone *sa, const tk_descriptor *desc, const char *user_json)
{
    json_t *resolved = json_loads(desc->default_config ? desc->default_config : "{}", 0, NULL);
    if (!json_is_object(resolved)) {
        json_decref(resolved);
        sa_fail(sa, TK_ERR_CONFIG, NULL, "%s \"%s\" declares an invalid default_config",
                kind_name(desc->kind), desc->id);
        return NULL;
    }
    json_error_t jerr;
    json_t *user = user_json && user_json[0] ? json_loads(user_json, 0, &jerr) : json_object();
    char *text = NULL;
    if (!json_is_object(user))
        sa_fail(sa, TK_ERR_CONFIG, NULL, "%s \"%s\": the config must be a JSON object%s%s",
                kind_name(desc->kind), desc->id, user ? "" : ": ", user ? "" : jerr.text);
    else if (merge(sa, desc, resolved, user, "") == TK_OK &&
             !(text = json_dumps(resolved, JSON_COMPACT | JSON_SORT_KEYS)))
        sa_fail(sa, TK_ERR_NOMEM, NULL, "out of memory");
    json_decref(user);
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
                kind_name(kind));
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
    snprintf(inst->role, sizeof inst->role, "%s", role ? role : kind_name(kind));
    tk_rng_derive(&inst->rng, seed, inst->role);
    return inst;
}

/* Link a created instance, or turn a failed create into the session error. */
static tk_status finish_create(tk_standalone *sa, tk_standalone_instance *inst, tk_status st,
                               tk_standalone_instance **out)
{
    if (st != TK_OK) {
        const char *msg = inst->code == st && inst->err_message[0]
                              ? inst->err_message
                              : tk_standalone_status_name(st);
        if (inst->code == st && inst->err_path[0])
            sa_fail(sa, st, inst->err_path, "%s \"%s\": config.%s: %s",
                    kind_name(inst->desc->kind), inst->desc->id, inst->err_path, msg);
        else
            sa_fail(sa, st, NULL, "%s \"%s\" failed in create: %s", kind_name(inst->desc->kind),
                    inst->desc->id, msg);
        free(inst->config);
        free(inst);
        return st;
    }
    inst->next = sa->instances;
    if (sa->instances)
        sa->instances->prev = inst;
    sa->instances = inst;
    *out = inst;
    return TK_OK;
}

tk_status tk_standalone_create_teacher(tk_standalone *sa, const tk_descriptor *desc,
                                       const tk_task_space *space, const char *config_json,
                                       uint64_t seed, const char *role,
                                       tk_standalone_instance **out)
{
    *out = NULL;
    tk_standalone_instance *inst = new_instance(sa, desc, TK_KIND_TEACHER, config_json, seed, role);
    if (!inst)
        return sa->code;
    const tk_teacher_vtable *v = desc->vtable;
    tk_status st = v->create(&host_table, (tk_ctx *)(void *)inst, space, inst->config, &inst->self);
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
    tk_status st = v->create(&host_table, (tk_ctx *)(void *)inst, inst->config, &inst->self);
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
    tk_status st = v->create(&host_table, (tk_ctx *)(void *)inst, spec, inst->config, &inst->self);
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
    free(inst->config);
    free(inst);
}

const tk_descriptor *tk_standalone_instance_descriptor(const tk_standalone_instance *inst) { return inst->desc; }
void *tk_standalone_instance_self(const tk_standalone_instance *inst) { return inst->self; }
const char *tk_standalone_instance_config(const tk_standalone_instance *inst) { return inst->config; }
tk_rng *tk_standalone_instance_rng(tk_standalone_instance *inst) { return &inst->rng; }
tk_status tk_standalone_instance_error_code(const tk_standalone_instance *inst) { return inst->code; }
const char *tk_standalone_instance_error_path(const tk_standalone_instance *inst) { return inst->err_path; }
const char *tk_standalone_instance_error_message(const tk_standalone_instance *inst) { return inst->err_message; }

/* ---------------------------------------------------------- call helpers */

/* Clears the instance's error before a call, so a message always belongs to
 * the call that failed; a plugin that fails without host->error() gets the
 * status name. */
static tk_status begin(tk_standalone_instance *inst, tk_kind kind, int provided,
                       const char *what)
{
    inst->code = TK_OK;
    inst->err_path[0] = '\0';
    inst->err_message[0] = '\0';
    if (inst->desc->kind != kind)
        return host_error((tk_ctx *)(void *)inst, TK_ERR_INVALID, NULL, "%s is a %s, not a %s",
                          inst->desc->id, kind_name(inst->desc->kind), kind_name(kind));
    if (!provided)
        return host_error((tk_ctx *)(void *)inst, TK_ERR_UNSUPPORTED, NULL,
                          "%s \"%s\" provides no %s()", kind_name(kind), inst->desc->id, what);
    return TK_OK;
}

static tk_status end(tk_standalone_instance *inst, tk_status st)
{
    if (st != TK_OK && (inst->code != st || !inst->err_message[0])) {
        inst->code = st;
        snprintf(inst->err_message, sizeof inst->err_message, "%s",
                 tk_standalone_status_name(st));
    }
    return st;
}

#define TEACHER(inst) ((const tk_teacher_vtable *)(inst)->desc->vtable)
#define ENV(inst) ((const tk_env_vtable *)(inst)->desc->vtable)
#define STUDENT(inst) ((const tk_student_vtable *)(inst)->desc->vtable)

tk_status tk_standalone_teacher_sample(tk_standalone_instance *inst, float *task_out)
{
    tk_status st = begin(inst, TK_KIND_TEACHER, 1, "sample");
    return end(inst, st ? st : TEACHER(inst)->sample(inst->self, task_out));
}

tk_status tk_standalone_teacher_update(tk_standalone_instance *inst, const float *task,
                                       double episode_return, int success)
{
    tk_status st = begin(inst, TK_KIND_TEACHER, 1, "update");
    return end(inst, st ? st : TEACHER(inst)->update(inst->self, task, episode_return, success));
}

tk_status tk_standalone_teacher_snapshot(tk_standalone_instance *inst, const char **json_out)
{
    *json_out = NULL;
    tk_status st = begin(inst, TK_KIND_TEACHER,
                         inst->desc->kind == TK_KIND_TEACHER &&
                             TK_HAS_MEMBER(TEACHER(inst), snapshot),
                         "snapshot");
    return end(inst, st ? st : TEACHER(inst)->snapshot(inst->self, json_out));
}

tk_status tk_standalone_env_info(tk_standalone_instance *inst, tk_env_info *info)
{
    tk_status st = begin(inst, TK_KIND_ENV, 1, "info");
    if (st)
        return end(inst, st);
    memset(info, 0, sizeof *info);
    info->struct_size = sizeof *info;
    return end(inst, ENV(inst)->info(inst->self, info));
}

tk_status tk_standalone_env_set_task(tk_standalone_instance *inst, const float *task)
{
    tk_status st = begin(inst, TK_KIND_ENV, 1, "set_task");
    return end(inst, st ? st : ENV(inst)->set_task(inst->self, task));
}

tk_status tk_standalone_env_reset(tk_standalone_instance *inst, float *obs_out)
{
    tk_status st = begin(inst, TK_KIND_ENV, 1, "reset");
    return end(inst, st ? st : ENV(inst)->reset(inst->self, obs_out));
}

tk_status tk_standalone_env_step(tk_standalone_instance *inst, const float *action,
                                 float *obs_out, double *reward, int *done)
{
    tk_status st = begin(inst, TK_KIND_ENV, 1, "step");
    return end(inst, st ? st : ENV(inst)->step(inst->self, action, obs_out, reward, done));
}

tk_status tk_standalone_env_success(tk_standalone_instance *inst, int *success_out)
{
    tk_status st = begin(inst, TK_KIND_ENV,
                         inst->desc->kind == TK_KIND_ENV && TK_HAS_MEMBER(ENV(inst), success),
                         "success");
    if (st)
        return end(inst, st);
    *success_out = ENV(inst)->success(inst->self) != 0;
    return TK_OK;
}

tk_status tk_standalone_env_evaluate(tk_standalone_instance *inst, double *mastered_pct)
{
    tk_status st = begin(inst, TK_KIND_ENV,
                         inst->desc->kind == TK_KIND_ENV && TK_HAS_MEMBER(ENV(inst), evaluate),
                         "evaluate");
    return end(inst, st ? st : ENV(inst)->evaluate(inst->self, mastered_pct));
}

tk_status tk_standalone_student_act(tk_standalone_instance *inst, const float *obs,
                                    int deterministic, float *action_out)
{
    tk_status st = begin(inst, TK_KIND_STUDENT, 1, "act");
    return end(inst, st ? st : STUDENT(inst)->act(inst->self, obs, deterministic, action_out));
}

tk_status tk_standalone_student_observe(tk_standalone_instance *inst, const float *obs,
                                        const float *action, double reward,
                                        const float *next_obs, int done, int truncated)
{
    tk_status st = begin(inst, TK_KIND_STUDENT, 1, "observe");
    return end(inst, st ? st
                        : STUDENT(inst)->observe(inst->self, obs, action, reward, next_obs, done,
                                                 truncated));
}

tk_status tk_standalone_student_end_episode(tk_standalone_instance *inst, double episode_return,
                                            uint64_t episode_steps)
{
    tk_status st = begin(inst, TK_KIND_STUDENT, 1, "end_episode");
    return end(inst, st ? st
                        : STUDENT(inst)->end_episode(inst->self, episode_return, episode_steps));
}
