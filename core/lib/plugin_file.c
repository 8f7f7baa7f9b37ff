/*
 * Loading one plugin file into this process (<teachkit/plugin_file.h>).
 */
#include "teachkit/plugin_file.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tk_plugin_file {
    char *path;
    void *handle;
    const tk_plugin_entry *entry;
    size_t n;
    tk_component *components; /* n entries; each refers to itself, never moved */
};

static void *refuse(tk_status *code, tk_status value)
{
    if (code)
        *code = value;
    return NULL;
}

/* Checks the entry before anything in it is called. */
static tk_status check_entry(const tk_plugin_entry *e, char *why, size_t size)
{
    if (!e) {
        snprintf(why, size,
                 "no `%s` symbol: not a teachkit plugin (export it with TK_PLUGIN_DESCRIPTORS)",
                 TK_ENTRY_SYMBOL);
        return TK_ERR_IO;
    }
    /* The major version is the first field and is read before anything else. */
    if (e->abi_major != TK_ABI_MAJOR) {
        snprintf(why, size,
                 "built for plugin ABI %u.%u but this teachkit speaks ABI %u.%u; rebuild the "
                 "plugin against this teachkit's <teachkit/plugin.h>",
                 (unsigned)e->abi_major, (unsigned)e->abi_minor, TK_ABI_MAJOR, TK_ABI_MINOR);
        return TK_ERR_UNSUPPORTED;
    }
    if (!TK_HAS_MEMBER(e, count) || !TK_HAS_MEMBER(e, get)) {
        snprintf(why, size, "malformed entry (struct_size or count/get missing)");
        return TK_ERR_IO;
    }
    return TK_OK;
}

/* Takes the host's copy of every component, or fails naming the first bad
 * one. */
static tk_status take_components(tk_plugin_file *f, char *why, size_t size)
{
    uint32_t n = f->entry->count();
    if (n > TK_MAX_COMPONENTS) {
        snprintf(why, size, "declares %u components; a plugin file may hold at most %d",
                 (unsigned)n, TK_MAX_COMPONENTS);
        return TK_ERR_IO;
    }
    f->components = calloc(n ? n : 1, sizeof *f->components);
    if (!f->components) {
        snprintf(why, size, "out of memory");
        return TK_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        char bad[512];
        if (tk_component_init(&f->components[i], f->entry->get(i), f->path, bad, sizeof bad)) {
            snprintf(why, size, "component %u %s", (unsigned)i, bad);
            return TK_ERR_IO;
        }
    }
    f->n = n;
    return TK_OK;
}

static void unload(tk_plugin_file *f, int initialised)
{
    if (initialised && TK_HAS_MEMBER(f->entry, deinit))
        f->entry->deinit();
    if (f->handle)
        dlclose(f->handle);
    free(f->components);
    free(f->path);
    free(f);
}

tk_plugin_file *tk_plugin_file_open(const char *path, tk_status *code, char *why, size_t size)
{
    tk_plugin_file *f = calloc(1, sizeof *f);
    if (f)
        f->path = strdup(path);
    if (!f || !f->path) {
        free(f);
        snprintf(why, size, "out of memory");
        return refuse(code, TK_ERR_NOMEM);
    }
    f->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!f->handle) {
        snprintf(why, size, "dlopen failed: %s", dlerror());
        unload(f, 0);
        return refuse(code, TK_ERR_IO);
    }
    f->entry = dlsym(f->handle, TK_ENTRY_SYMBOL);
    tk_status st = check_entry(f->entry, why, size);
    if (st != TK_OK) {
        unload(f, 0);
        return refuse(code, st);
    }
    if (TK_HAS_MEMBER(f->entry, init) && f->entry->init(path) != 0) {
        snprintf(why, size, "the plugin's init() failed");
        unload(f, 0);
        return refuse(code, TK_ERR_IO);
    }
    st = take_components(f, why, size);
    if (st != TK_OK) {
        unload(f, 1);
        return refuse(code, st);
    }
    if (code)
        *code = TK_OK;
    return f;
}

void tk_plugin_file_close(tk_plugin_file *f)
{
    if (f)
        unload(f, 1);
}

void tk_plugin_file_abandon(tk_plugin_file *f)
{
    if (!f)
        return;
    free(f->components);
    free(f->path);
    free(f);
}

const char *tk_plugin_file_path(const tk_plugin_file *f) { return f->path; }
size_t tk_plugin_file_count(const tk_plugin_file *f) { return f->n; }

const tk_component *tk_plugin_file_component(const tk_plugin_file *f, size_t i)
{
    return i < f->n ? &f->components[i] : NULL;
}

const tk_component *tk_plugin_file_find(const tk_plugin_file *f, tk_kind kind, const char *id)
{
    for (size_t i = 0; i < f->n; i++) {
        const tk_descriptor *d = f->components[i].desc;
        if ((kind == 0 || d->kind == kind) && strcmp(d->id, id) == 0)
            return &f->components[i];
    }
    return NULL;
}
