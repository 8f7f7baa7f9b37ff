/*
 * The plugins `teachkit` commands see: libteachkit's registry
 * (<teachkit/registry.h>) with the host's built-in components and its
 * bundled plugin directory.
 */
#ifndef TK_HOST_REGISTRY_H
#define TK_HOST_REGISTRY_H

#include <stddef.h>

#include "teachkit/registry.h"

/* Discover plugins in the search order of tk_registry_search: `extra_paths`
 * (may be NULL) are the manifest's plugin_paths, already resolved relative
 * to the manifest; the bundled directory is the build tree's plugins (the
 * directory "plugins" next to the teachkit executable) when it exists,
 * otherwise the install prefix's plugin directory.  Returns NULL with `d`
 * on error. */
tk_registry *tk_registry_open(const char *const *extra_paths, size_t n_extra, tk_diag *d);

#endif
