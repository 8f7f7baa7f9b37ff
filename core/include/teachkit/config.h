/*
 * Reading a component's configuration inside a plugin.
 *
 * The host passes `create` the resolved config as JSON text: the
 * descriptor's defaults with the manifest's values merged in, already
 * checked for unknown keys and JSON types.  These helpers parse it and read
 * typed values with range checks; a violation is reported through
 * host->error with the key's path, so the user sees for example
 *   manifest.json: teacher.config.fit_rate: must be an integer in [2, 1000000], got 0
 *
 * A tk_config is owned by the caller and freed with tk_config_free; it keeps
 * the host table and ctx it was created with.  [instance]
 */
#ifndef TEACHKIT_CONFIG_H
#define TEACHKIT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_config tk_config;

/* Parse `config_json` (must be a JSON object). */
tk_status tk_config_parse(const tk_host_api *host, tk_ctx *ctx, const char *config_json,
                          tk_config **out);
void tk_config_free(tk_config *cfg);

/* 1 if `key` is present and not null. */
int tk_config_has(const tk_config *cfg, const char *key);

/* Integer in [min, max]. */
tk_status tk_config_int(tk_config *cfg, const char *key, int64_t min, int64_t max, int64_t *out);
/* Finite number in [min, max] (integers accepted). */
tk_status tk_config_double(tk_config *cfg, const char *key, double min, double max, double *out);
tk_status tk_config_bool(tk_config *cfg, const char *key, int *out);
/* String that must be one of the NULL-terminated `choices`; writes its index. */
tk_status tk_config_choice(tk_config *cfg, const char *key, const char *const *choices,
                           int *index_out);
/* Array of finite numbers in [min, max].  `expected_len` 0 accepts any
 * non-empty length.  *out is malloc'ed (caller frees). */
tk_status tk_config_double_array(tk_config *cfg, const char *key, size_t expected_len,
                                 double min, double max, double **out, size_t *len_out);

#ifdef __cplusplus
}
#endif

#endif
