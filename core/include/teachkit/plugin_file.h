/*
 * One plugin file loaded into this process: dlopen, the entry checks of
 * <teachkit/plugin.h> (the ABI major read first, count/get inside the
 * entry's declared size), the plugin's init(), and a checked host-owned
 * copy of every component it declares (<teachkit/component.h>).  Part of
 * the plugin-hosting core of libteachkit; the registry (<teachkit/
 * registry.h>) decides which files to open.
 *
 * Ownership: a tk_plugin_file owns its path, its components and its dlopen
 * handle; tk_plugin_file_close calls the plugin's deinit() and unloads it,
 * after which nothing obtained from the file (components, descriptors,
 * strings, instances' code) may be used.
 *
 * Threads: open and close are [main thread] (they run the plugin's
 * init()/deinit()); the accessors are [thread-safe].
 */
#ifndef TEACHKIT_PLUGIN_FILE_H
#define TEACHKIT_PLUGIN_FILE_H

#include <stddef.h>

#include "teachkit/component.h"

#ifdef __cplusplus
extern "C" {
#endif

/* At most this many components per file. */
#define TK_MAX_COMPONENTS 256

typedef struct tk_plugin_file tk_plugin_file;

/* Loads the plugin file at `path` (used as given: resolve it first) and
 * checks it.  Returns the file, or NULL with the reason in why[size] and
 * *code set to TK_ERR_UNSUPPORTED when the file was built for another ABI
 * major version, TK_ERR_NOMEM when memory ran out, TK_ERR_IO otherwise.
 * `code` may be NULL. */
tk_plugin_file *tk_plugin_file_open(const char *path, tk_status *code, char *why, size_t size);
/* Calls the plugin's deinit() and unloads the file.  NULL is a no-op. */
void tk_plugin_file_close(tk_plugin_file *f);

/* Frees the host's records of the file (its path and component copies)
 * but neither calls its deinit() nor unloads it: for a process about to
 * exit that must run no more plugin code (the registry's probe child), so
 * that it leaves nothing allocated behind. */
void tk_plugin_file_abandon(tk_plugin_file *f);

const char *tk_plugin_file_path(const tk_plugin_file *f);
size_t tk_plugin_file_count(const tk_plugin_file *f);
/* The i-th component (i < count), owned by the file. */
const tk_component *tk_plugin_file_component(const tk_plugin_file *f, size_t i);
/* The component `id` of `kind` (0: any kind), or NULL. */
const tk_component *tk_plugin_file_find(const tk_plugin_file *f, tk_kind kind, const char *id);

#ifdef __cplusplus
}
#endif

#endif
