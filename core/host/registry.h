/*
 * Plugin discovery and loading.
 *
 * Search order (every file is considered; an id provided by two different
 * files is an error):
 *   1. paths listed in the manifest's "plugin_paths" (files or directories),
 *   2. TEACHKIT_PLUGIN_PATH (colon-separated files or directories),
 *   3. the build tree's plugins (the directory "plugins" next to the
 *      teachkit executable) when it exists, otherwise the install prefix's
 *      plugin directory.
 * Directories are scanned recursively (depth 4, at most 10,000 entries and
 * 1,024 ".so" files per search-path element, each directory once however
 * many symlinks lead to it).  Files that another user could replace are
 * refused: world-writable files, files below a world-writable directory
 * without the sticky bit, and files below a sticky world-writable directory
 * (/tmp) through an entry of another user.
 *
 * One bad file cannot break the commands that do not need it:
 *   - a file whose ELF dynamic symbol table lacks `teachkit_plugin_entry` is
 *     never loaded (a directory of shared libraries none of which is a
 *     plugin, such as /usr/lib, is refused as a whole);
 *   - the descriptors of the other files are read in a child process, which
 *     a plugin crashing, hanging (10 s) or calling exit() while it loads
 *     takes down alone: that file is refused, the others are read;
 *   - this process loads (dlopen, init) only the files that provide the
 *     components a command asks for (tk_registry_find).
 *
 * A file is rejected (and the reason kept for error messages and `teachkit
 * list`) when it is unsafe or not a plugin, dlopen fails, the ABI major
 * differs, it declares more than 256 components, or a descriptor is
 * malformed.  Not thread-safe: use a registry from one thread.
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

/* What the descriptor of a component says, read without loading its file
 * into this process.  Strings are owned by the registry. */
typedef struct tk_plugin_info {
    tk_kind kind;
    const char *id, *name, *version, *description;
    const char *default_config;     /* JSON object text */
    const char *const *features;    /* NULL-terminated */
    const char *file;               /* "(built-in)" for built-ins */
} tk_plugin_info;

typedef struct tk_rejected {
    char *file;
    char *reason;
} tk_rejected;

typedef struct tk_registry tk_registry;

/* Discover plugins.  `extra_paths` (may be NULL) are the manifest's
 * plugin_paths, already resolved relative to the manifest.  Individual
 * rejected files are not errors; a listed extra path that does not exist,
 * a listed file that cannot be loaded and a listed directory that is not a
 * plugin directory are (reported in `d` with the manifest path
 * "plugin_paths[i]").  Returns NULL on error. */
tk_registry *tk_registry_open(const char *const *extra_paths, size_t n_extra, tk_diag *d);
void tk_registry_close(tk_registry *reg);

/* Find component `id` of `kind`, loading its file into this process (once).
 * On failure fills `d` (path left to the caller) with what was searched,
 * rejected files and near-miss ids.  The component stays valid until
 * tk_registry_close. */
const tk_component *tk_registry_find(tk_registry *reg, tk_kind kind, const char *id,
                                     tk_diag *d);

/* Every component found (built-ins first), without loading any. */
size_t tk_registry_info_count(const tk_registry *reg);
const tk_plugin_info *tk_registry_info_at(const tk_registry *reg, size_t i);
size_t tk_registry_rejected_count(const tk_registry *reg);
const tk_rejected *tk_registry_rejected_at(const tk_registry *reg, size_t i);
/* The directories searched, for messages ("a:b:c"). */
const char *tk_registry_search_path(const tk_registry *reg);

const char *tk_kind_name(tk_kind kind);

#endif
