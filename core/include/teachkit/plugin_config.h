/*
 * Resolving a component's config for a host of libteachkit: the
 * descriptor's default_config with the user's values merged in by the
 * rules of <teachkit/config_merge.h>, the error reported as a tk_diag with
 * the JSON path of the offending key.  Range checks are the plugin's job
 * (in create).  [thread-safe]
 */
#ifndef TEACHKIT_PLUGIN_CONFIG_H
#define TEACHKIT_PLUGIN_CONFIG_H

#include <jansson.h>

#include "teachkit/diag.h"
#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns a new reference to the resolved config, or NULL with `d` filled
 * (file = `file`, path under `path`, e.g. "teacher.config").  `user_config`
 * is borrowed and may be NULL (the defaults). */
json_t *tk_resolve_config(const tk_descriptor *desc, json_t *user_config, const char *file,
                          const char *path, tk_diag *d);

#ifdef __cplusplus
}
#endif

#endif
