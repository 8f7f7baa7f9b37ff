/*
 * Resolving a component's config: the descriptor's default_config with the
 * manifest's values merged in.  Every manifest key must exist in the
 * defaults (the message suggests the closest), and its JSON type must match
 * the default's: an integer default takes integers, a real default takes any
 * number, a null default takes anything, objects merge recursively.  Range
 * checks are the plugin's job (in create).
 */
#ifndef TK_HOST_PLUGIN_CONFIG_H
#define TK_HOST_PLUGIN_CONFIG_H

#include <jansson.h>

#include "diag.h"
#include "teachkit/plugin.h"

/* Returns a new reference to the resolved config, or NULL with `d` filled
 * (file = `file`, path under `path`, e.g. "teacher.config"). */
json_t *tk_resolve_config(const tk_descriptor *desc, json_t *user_config, const char *file,
                          const char *path, tk_diag *d);

#endif
