/*
 * Resolving a component's config, shared by the `teachkit` host and the
 * standalone host (<teachkit/standalone.h>) so that both accept the same
 * configs and word the same mistake the same way: the descriptor's
 * default_config with the user's values merged in.  Every user key must
 * exist in the defaults (the message suggests the closest), and its JSON
 * type must match the default's: an integer default takes integers, a real
 * default takes any number, a boolean default takes booleans, a null
 * default takes anything, objects merge recursively.  Range checks are the
 * plugin's job (in create).
 *
 * Plain functions without global state.  [thread-safe]
 */
#ifndef TEACHKIT_CONFIG_MERGE_H
#define TEACHKIT_CONFIG_MERGE_H

#include <jansson.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Returns a new reference to the resolved config (owned by the caller), or
 * NULL with the JSON path of the offending key -- `path` (e.g.
 * "teacher.config", or "" for paths relative to the config) joined with the
 * key -- in err_path[path_size] and the message ("unknown key; did you mean
 * \"fit_rate\"?") in err_msg[msg_size].  `user` (borrowed) may be NULL: the
 * defaults.  An unparsable default_config gives path `path` and a message
 * naming the component `id`. */
json_t *tk_config_merge(const char *id, const char *default_config, const json_t *user,
                        const char *path, char *err_path, size_t path_size, char *err_msg,
                        size_t msg_size);

/* How config and manifest errors name a JSON value's type: "an object",
 * "an array", "a string", "an integer", "a number", "a boolean", "null". */
const char *tk_json_type_word(const json_t *v);

/* The candidate closest to `word` by edit distance, or NULL when none is
 * close enough to be a plausible typo.  `candidates` is NULL-terminated. */
const char *tk_closest_word(const char *word, const char *const *candidates);

#ifdef __cplusplus
}
#endif

#endif
