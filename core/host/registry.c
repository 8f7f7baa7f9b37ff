#include "registry.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "teachkit/standalone.h"

#ifndef TK_INSTALL_PLUGIN_DIR
#define TK_INSTALL_PLUGIN_DIR "/usr/local/lib/teachkit/plugins"
#endif

typedef struct loaded_file {
    char *path;
    void *handle;
    const tk_plugin_entry *entry;
} loaded_file;

struct tk_registry {
    loaded_file *files;
    size_t n_files, cap_files;
    tk_component *components;
    size_t n_components, cap_components;
    tk_rejected *rejected;
    size_t n_rejected, cap_rejected;
    char search_path[4096];
};

#define GROW(arr, n, cap)                                                       \
    do {                                                                        \
        if ((n) == (cap)) {                                                     \
            size_t ncap_ = (cap) ? 2 * (cap) : 8;                               \
            void *p_ = realloc((arr), ncap_ * sizeof *(arr));                   \
            if (!p_)                                                            \
                abort(); /* out of memory while listing a handful of files */   \
            (arr) = p_;                                                         \
            (cap) = ncap_;                                                      \
        }                                                                       \
    } while (0)

const char *tk_kind_name(tk_kind kind)
{
    switch (kind) {
    case TK_KIND_TEACHER: return "teacher";
    case TK_KIND_ENV: return "env";
    case TK_KIND_STUDENT: return "student";
    }
    return "unknown";
}

static void reject(tk_registry *reg, const char *file, const char *fmt, ...) TK_PRINTF(3, 4);
static void reject(tk_registry *reg, const char *file, const char *fmt, ...)
{
    char reason[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    GROW(reg->rejected, reg->n_rejected, reg->cap_rejected);
    reg->rejected[reg->n_rejected].file = strdup(file);
    reg->rejected[reg->n_rejected].reason = strdup(reason);
    reg->n_rejected++;
}

static int already_loaded(const tk_registry *reg, const char *real)
{
    for (size_t i = 0; i < reg->n_files; i++)
        if (strcmp(reg->files[i].path, real) == 0)
            return 1;
    return 0;
}

static int valid_id(const char *id)
{
    if (!id || !id[0] || strlen(id) > 64)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

/* Minimum vtable sizes: every required function lies inside them. */
static int vtable_ok(const tk_descriptor *d, const char **why)
{
    const uint32_t *size = d->vtable;
    if (!size) {
        *why = "has no vtable";
        return 0;
    }
    switch (d->kind) {
    case TK_KIND_TEACHER: {
        const tk_teacher_vtable *v = d->vtable;
        if (*size < offsetof(tk_teacher_vtable, update) + sizeof v->update || !v->create ||
            !v->destroy || !v->sample || !v->update) {
            *why = "teacher vtable lacks create/destroy/sample/update";
            return 0;
        }
        return 1;
    }
    case TK_KIND_ENV: {
        const tk_env_vtable *v = d->vtable;
        if (*size < offsetof(tk_env_vtable, step) + sizeof v->step || !v->create ||
            !v->destroy || !v->info || !v->set_task || !v->reset || !v->step) {
            *why = "env vtable lacks create/destroy/info/set_task/reset/step";
            return 0;
        }
        return 1;
    }
    case TK_KIND_STUDENT: {
        const tk_student_vtable *v = d->vtable;
        if (*size < offsetof(tk_student_vtable, end_episode) + sizeof v->end_episode ||
            !v->create || !v->destroy || !v->act || !v->observe || !v->end_episode) {
            *why = "student vtable lacks create/destroy/act/observe/end_episode";
            return 0;
        }
        return 1;
    }
    }
    *why = "has an unknown kind";
    return 0;
}

static int descriptor_ok(const tk_descriptor *d, const char **why)
{
    if (!d) {
        *why = "returned a NULL descriptor";
        return 0;
    }
    if (d->struct_size < offsetof(tk_descriptor, vtable) + sizeof d->vtable) {
        *why = "descriptor struct_size is too small";
        return 0;
    }
    if (!valid_id(d->id)) {
        *why = "descriptor id must be 1-64 characters of [a-z0-9-_]";
        return 0;
    }
    if (!d->name || !d->version || !d->description) {
        *why = "descriptor lacks name, version or description";
        return 0;
    }
    json_t *defaults = json_loads(d->default_config ? d->default_config : "{}", 0, NULL);
    int is_object = json_is_object(defaults);
    json_decref(defaults);
    if (!is_object) {
        *why = "default_config is not a JSON object";
        return 0;
    }
    return vtable_ok(d, why);
}

static void add_component(tk_registry *reg, const tk_descriptor *d, const char *file)
{
    GROW(reg->components, reg->n_components, reg->cap_components);
    reg->components[reg->n_components].desc = d;
    reg->components[reg->n_components].file = file;
    reg->n_components++;
}

/* Load one file.  Returns 0 if loaded, -1 if rejected (reason recorded). */
static int load_file(tk_registry *reg, const char *path)
{
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        reject(reg, path, "cannot be resolved: %s", strerror(errno));
        return -1;
    }
    if (already_loaded(reg, real))
        return 0;
    char why[PATH_MAX + 128];
    const char *unsafe = tk_plugin_file_unsafe(real, why, sizeof why);
    if (unsafe) {
        reject(reg, real, "refused: the file %s", unsafe);
        return -1;
    }
    void *h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        reject(reg, real, "dlopen failed: %s", dlerror());
        return -1;
    }
    const tk_plugin_entry *e = dlsym(h, TK_ENTRY_SYMBOL);
    if (!e) {
        dlclose(h);
        reject(reg, real,
               "no `%s` symbol: not a teachkit plugin (export it with TK_PLUGIN_DESCRIPTORS)",
               TK_ENTRY_SYMBOL);
        return -1;
    }
    /* The major version is the first field and is read before anything else. */
    if (e->abi_major != TK_ABI_MAJOR) {
        uint32_t major = e->abi_major, minor = e->abi_minor;
        dlclose(h);
        reject(reg, real,
               "built for plugin ABI %u.%u but this teachkit speaks ABI %u.%u; rebuild the "
               "plugin against this teachkit's <teachkit/plugin.h>",
               major, minor, TK_ABI_MAJOR, TK_ABI_MINOR);
        return -1;
    }
    if (e->struct_size < offsetof(tk_plugin_entry, get) + sizeof e->get || !e->count ||
        !e->get) {
        dlclose(h);
        reject(reg, real, "malformed entry (struct_size or count/get missing)");
        return -1;
    }
    if (e->init && e->init(real) != 0) {
        dlclose(h);
        reject(reg, real, "the plugin's init() failed");
        return -1;
    }
    uint32_t n = e->count();
    for (uint32_t i = 0; i < n; i++) {
        const char *why = NULL;
        if (!descriptor_ok(e->get(i), &why)) {
            if (e->deinit)
                e->deinit();
            dlclose(h);
            reject(reg, real, "component %u %s", i, why);
            return -1;
        }
    }
    GROW(reg->files, reg->n_files, reg->cap_files);
    loaded_file *f = &reg->files[reg->n_files++];
    f->path = strdup(real);
    f->handle = h;
    f->entry = e;
    for (uint32_t i = 0; i < n; i++)
        add_component(reg, e->get(i), f->path);
    return 0;
}

static int has_so_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Scan a directory in sorted order so loading (and thus error messages) do
 * not depend on readdir order. */
static void scan_dir(tk_registry *reg, const char *dir, int depth)
{
    if (depth > 4)
        return;
    DIR *dh = opendir(dir);
    if (!dh)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *ent;
    while ((ent = readdir(dh))) {
        if (ent->d_name[0] == '.')
            continue;
        GROW(names, n, cap);
        names[n++] = strdup(ent->d_name);
    }
    closedir(dh);
    if (n > 1)
        qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                scan_dir(reg, path, depth + 1);
            else if (S_ISREG(st.st_mode) && has_so_suffix(names[i]))
                load_file(reg, path);
        }
        free(names[i]);
    }
    free(names);
}

static void append_search(tk_registry *reg, const char *p)
{
    size_t used = strlen(reg->search_path);
    snprintf(reg->search_path + used, sizeof reg->search_path - used, "%s%s", used ? ":" : "",
             p);
}

static void load_default_dirs(tk_registry *reg)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            snprintf(slash, sizeof exe - (size_t)(slash - exe), "/plugins");
            struct stat st;
            if (stat(exe, &st) == 0 && S_ISDIR(st.st_mode)) {
                append_search(reg, exe);
                scan_dir(reg, exe, 0);
                return;
            }
        }
    }
    append_search(reg, TK_INSTALL_PLUGIN_DIR);
    scan_dir(reg, TK_INSTALL_PLUGIN_DIR, 0);
}

static int load_path(tk_registry *reg, const char *p)
{
    struct stat st;
    if (stat(p, &st) != 0)
        return -1;
    append_search(reg, p);
    if (S_ISDIR(st.st_mode))
        scan_dir(reg, p, 0);
    else
        return load_file(reg, p);
    return 0;
}

tk_registry *tk_registry_open(const char *const *extra, size_t n_extra, tk_diag *d)
{
    tk_registry *reg = calloc(1, sizeof *reg);
    if (!reg) {
        tk_diag_set(d, NULL, NULL, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < tk_builtin_count(); i++)
        add_component(reg, tk_builtin_at(i), "(built-in)");
    for (size_t i = 0; i < n_extra; i++) {
        if (load_path(reg, extra[i]) != 0) {
            char path[64];
            tk_path_index(path, sizeof path, "plugin_paths", i);
            const char *why = reg->n_rejected ? reg->rejected[reg->n_rejected - 1].reason
                                              : "does not exist";
            tk_diag_set(d, NULL, path, "%s: %s", extra[i], why);
            tk_registry_close(reg);
            return NULL;
        }
    }
    const char *env = getenv("TEACHKIT_PLUGIN_PATH");
    if (env && env[0]) {
        char *copy = strdup(env), *save = NULL;
        for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save))
            if (load_path(reg, p) != 0)
                reject(reg, p, "listed in TEACHKIT_PLUGIN_PATH but does not exist");
        free(copy);
    }
    load_default_dirs(reg);
    return reg;
}

void tk_registry_close(tk_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = reg->n_files; i-- > 0;) {
        if (reg->files[i].entry->deinit)
            reg->files[i].entry->deinit();
        dlclose(reg->files[i].handle);
        free(reg->files[i].path);
    }
    for (size_t i = 0; i < reg->n_rejected; i++) {
        free(reg->rejected[i].file);
        free(reg->rejected[i].reason);
    }
    free(reg->files);
    free(reg->components);
    free(reg->rejected);
    free(reg);
}

static size_t describe_rejections(const tk_registry *reg, char *out, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < reg->n_rejected && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "; rejected %s: %s",
                                 reg->rejected[i].file, reg->rejected[i].reason);
    return used;
}

const tk_component *tk_registry_find(const tk_registry *reg, tk_kind kind, const char *id,
                                     tk_diag *d)
{
    const tk_component *found = NULL;
    for (size_t i = 0; i < reg->n_components; i++) {
        const tk_component *c = &reg->components[i];
        if (c->desc->kind != kind || strcmp(c->desc->id, id) != 0)
            continue;
        if (found) {
            tk_diag_set(d, NULL, NULL,
                        "%s \"%s\" is provided by two files, %s and %s; remove one of them or "
                        "take one out of the plugin search path",
                        tk_kind_name(kind), id, found->file, c->file);
            return NULL;
        }
        found = c;
    }
    if (found)
        return found;
    const char *ids[256];
    size_t n = 0;
    for (size_t i = 0; i < reg->n_components && n < 255; i++)
        if (reg->components[i].desc->kind == kind)
            ids[n++] = reg->components[i].desc->id;
    ids[n] = NULL;
    const char *near = tk_closest_word(id, ids);
    char rejected[1024] = "";
    describe_rejections(reg, rejected, sizeof rejected);
    char hint[128] = "";
    if (near)
        snprintf(hint, sizeof hint, "did you mean \"%s\"? ", near);
    tk_diag_set(d, NULL, NULL,
                "no %s plugin \"%s\" found; %s`teachkit list` shows the available ones; add the "
                "plugin's .so to \"plugin_paths\" or TEACHKIT_PLUGIN_PATH (searched: %s)%s",
                tk_kind_name(kind), id, hint, reg->search_path, rejected);
    return NULL;
}

size_t tk_registry_count(const tk_registry *reg) { return reg->n_components; }
const tk_component *tk_registry_at(const tk_registry *reg, size_t i) { return &reg->components[i]; }
size_t tk_registry_rejected_count(const tk_registry *reg) { return reg->n_rejected; }
const tk_rejected *tk_registry_rejected_at(const tk_registry *reg, size_t i) { return &reg->rejected[i]; }
const char *tk_registry_search_path(const tk_registry *reg) { return reg->search_path; }
