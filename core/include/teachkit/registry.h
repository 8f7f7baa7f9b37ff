/*
 * Plugin discovery and find-by-id: the registry of the plugin-hosting core
 * of libteachkit, used by `teachkit` and by the standalone host.
 *
 * Search order of tk_registry_search (every file is considered; an id
 * provided by two different files is an error):
 *   1. `extra` paths (the manifest's "plugin_paths": files or directories),
 *   2. TEACHKIT_PLUGIN_PATH (colon-separated files or directories),
 *   3. the bundled plugin directory the caller names.
 * Directories are scanned recursively (depth 4, at most 10,000 entries and
 * 1,024 ".so" files per search-path element, each directory once however
 * many symlinks lead to it).  Files that another user could replace are
 * refused: world-writable files, files below a world-writable directory
 * without the sticky bit, and files below a sticky world-writable directory
 * (/tmp) through an entry of another user.
 *
 * One bad file cannot break the callers that do not need it:
 *   - a file whose ELF dynamic symbol table lacks `teachkit_plugin_entry` is
 *     never loaded (a directory of shared libraries none of which is a
 *     plugin, such as /usr/lib, is refused as a whole);
 *   - the descriptors of the other files are read in a child process
 *     (tk_registry_probe), which a plugin crashing, hanging (10 s) or
 *     calling exit() while it loads takes down alone: that file is refused,
 *     the others are read;
 *   - this process loads (dlopen, init) only the files that provide the
 *     components asked for (tk_registry_find) or that it is told to load
 *     (tk_registry_load_file).
 *
 * A file is rejected (and the reason kept for error messages and `teachkit
 * list`) when it is unsafe or not a plugin, dlopen fails, the ABI major
 * differs, it declares more than 256 components, or a component is
 * malformed (<teachkit/component.h>: bad id, unknown feature string,
 * required vtable member missing...).
 *
 * Ownership: the registry owns every string, component and loaded file it
 * hands out; all stay valid until tk_registry_close, which unloads the
 * files.  Threads: a registry is a [main thread] object (it forks, loads
 * and runs plugins' init()); use it from one thread.
 */
#ifndef TEACHKIT_REGISTRY_H
#define TEACHKIT_REGISTRY_H

#include <stddef.h>

#include "teachkit/component.h"
#include "teachkit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

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

/* An empty registry; NULL when out of memory.  `advice` (copied; NULL for
 * a generic one) tells, in a not-found message, how to make a plugin
 * findable, e.g. "add the plugin's .so to \"plugin_paths\" or
 * TEACHKIT_PLUGIN_PATH". */
tk_registry *tk_registry_new(const char *advice);
void tk_registry_close(tk_registry *reg);

/* A component compiled into the program (`desc` static); found before any
 * file.  0, or -1 with the reason in `d` when the descriptor is malformed. */
int tk_registry_add_builtin(tk_registry *reg, const tk_descriptor *desc, tk_diag *d);

/* Adds the search order above and probes the files found.  Individual
 * rejected files are not errors; an extra path that does not exist, an
 * extra file that cannot be loaded and an extra directory that is not a
 * plugin directory are (reported in `d` with the path "plugin_paths[i]").
 * `bundled_dir` may be NULL or missing.  0, or -1 with `d`. */
int tk_registry_search(tk_registry *reg, const char *const *extra, size_t n_extra,
                       const char *bundled_dir, tk_diag *d);

/* Loads the plugin file at `path` into this process now (no probe: the
 * caller asked for this file) and makes its components findable.  Loading
 * a file twice is a no-op.  TK_OK, or the status (TK_ERR_UNSUPPORTED for
 * another ABI major, TK_ERR_IO otherwise) with `d` (file: the resolved
 * path). */
tk_status tk_registry_load_file(tk_registry *reg, const char *path, tk_diag *d);

/* Find component `id` of `kind`, loading its file into this process (once).
 * On failure fills `d` with what was searched, rejected files and the
 * closest known id.  The component stays valid until tk_registry_close. */
const tk_component *tk_registry_find(tk_registry *reg, tk_kind kind, const char *id,
                                     tk_diag *d);
/* The one component of `kind` the file at `path` provides (the file is
 * loaded first); NULL with `d` when it provides none or several. */
const tk_component *tk_registry_find_in_file(tk_registry *reg, tk_kind kind, const char *path,
                                             tk_diag *d);

/* The component whose descriptor is `desc` (a pointer this registry
 * handed out, tk_component.desc), or NULL. */
const tk_component *tk_registry_component_of(const tk_registry *reg, const tk_descriptor *desc);

/* Every component found (built-ins first), without loading any. */
size_t tk_registry_info_count(const tk_registry *reg);
const tk_plugin_info *tk_registry_info_at(const tk_registry *reg, size_t i);
size_t tk_registry_rejected_count(const tk_registry *reg);
const tk_rejected *tk_registry_rejected_at(const tk_registry *reg, size_t i);
/* The directories searched, for messages ("a:b:c"). */
const char *tk_registry_search_path(const tk_registry *reg);

/* Why the plugin file at `real_path` (a resolved path) must not be loaded,
 * or NULL when it is safe: another user could replace it (world-writable
 * file, world-writable directory on its path without the sticky bit, or an
 * entry of another user below a sticky world-writable directory).  The
 * reason is a static string or written into `buf`.  [thread-safe] */
const char *tk_plugin_file_unsafe(const char *real_path, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
