/*
 * Plugin discovery and loading.
 *
 * Search order (first listed wins only in the sense that every file is
 * loaded; an id provided by two different files is an error):
 *   1. paths listed in the manifest's "plugin_paths" (files or directories),
 *   2. TEACHKIT_PLUGIN_PATH (colon-separated files or directories),
 *   3. the build tree's plugins (the directory "plugins" next to the
 *      teachkit executable) when it exists, otherwise the install prefix's
 *      plugin directory.
 * Directories are scanned recursively (depth 4) for "*.so" files.  Files
 * that another user could replace are refused: world-writable files, files
 * below a world-writable directory without the sticky bit, and files below a
 * sticky world-writable directory (/tmp) through an entry of another user.
 *
 * A file is rejected (and the reason kept for error messages and
 * `teachkit list`) when dlopen fails, the entry symbol is missing, the ABI
 * major differs, or a descriptor is malformed.  Not thread-safe: build the
 * registry on the main thread, then read it from anywhere.
 */
#ifndef TK_HOST_REGISTRY_H
#define TK_HOST_REGISTRY_H

#include <stddef.h>

#include "diag.h"
#include "teachkit/plugin.h"

typedef struct tk_component {
    const tk_descriptor *desc;  /* owned by the plugin file (or static for built-ins) */
    const char *file;           /* owned by the registry; "(built-in)" for built-ins */
} tk_component;

typedef struct tk_rejected {
    char *file;
    char *reason;
} tk_rejected;

typedef struct tk_registry tk_registry;

/* Discover and load plugins.  `extra_paths` (may be NULL) are the manifest's
 * plugin_paths, already resolved relative to the manifest.  Individual
 * rejected files are not errors; a listed extra path that does not exist or
 * cannot be loaded is (reported in `d` with the manifest path
 * "plugin_paths[i]").  Returns NULL on error. */
tk_registry *tk_registry_open(const char *const *extra_paths, size_t n_extra, tk_diag *d);
void tk_registry_close(tk_registry *reg);

/* Find component `id` of `kind`.  On failure fills `d` (path left to the
 * caller) with what was searched, rejected files and near-miss ids. */
const tk_component *tk_registry_find(const tk_registry *reg, tk_kind kind, const char *id,
                                     tk_diag *d);

size_t tk_registry_count(const tk_registry *reg);
const tk_component *tk_registry_at(const tk_registry *reg, size_t i);
size_t tk_registry_rejected_count(const tk_registry *reg);
const tk_rejected *tk_registry_rejected_at(const tk_registry *reg, size_t i);
/* The directories searched, for messages ("a:b:c"). */
const char *tk_registry_search_path(const tk_registry *reg);

const char *tk_kind_name(tk_kind kind);

#endif
