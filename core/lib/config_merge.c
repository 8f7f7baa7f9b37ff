/*
 * Config resolution shared by the host and the standalone host
 * (<teachkit/config_merge.h>).
 */
#include "teachkit/config_merge.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Optimal-string-alignment distance: Levenshtein plus adjacent
 * transpositions, the commonest typo. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return (size_t)-1;
    size_t d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

const char *tk_closest_word(const char *word, const char *const *candidates)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; candidates && candidates[i]; i++) {
        size_t dist = edit_distance(word, candidates[i]);
        if (dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
    }
    /* Accept up to a third of the word's length (at least 2 edits), so that
     * "fitrate" suggests "fit_rate" but "foo" does not suggest "seed". */
    size_t len = strlen(word);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    return best_d <= limit ? best : NULL;
}

const char *tk_json_type_word(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

static int type_compatible(const json_t *def, const json_t *val)
{
    if (json_is_null(def) || json_is_null(val))
        return 1; /* null default: derived value; null value: "use the derived default" */
    if (json_is_real(def))
        return json_is_number(val);
    if (json_is_boolean(def))
        return json_is_boolean(val);
    return json_typeof(def) == json_typeof(val);
}

/* Where a merge failure is written. */
typedef struct merge_error {
    char *path, *msg;
    size_t path_size, msg_size;
} merge_error;

static int fail(const merge_error *e, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(const merge_error *e, const char *path, const char *fmt, ...)
{
    snprintf(e->path, e->path_size, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, e->msg_size, fmt, ap);
    va_end(ap);
    return -1;
}

static int merge(json_t *resolved, const json_t *user, const char *path, const merge_error *e)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)user, key, val) {
        char kpath[256];
        snprintf(kpath, sizeof kpath, "%s%s%s", path, path[0] ? "." : "", key);
        json_t *def = json_object_get(resolved, key);
        if (!def) {
            const char *known[128];
            size_t n = 0;
            const char *k2;
            json_t *v2;
            json_object_foreach(resolved, k2, v2) {
                if (n < 127)
                    known[n++] = k2;
            }
            known[n] = NULL;
            const char *near = tk_closest_word(key, known);
            if (near)
                return fail(e, kpath, "unknown key; did you mean \"%s\"?", near);
            return fail(e, kpath,
                        "unknown key; `teachkit list --config` shows this plugin's keys "
                        "and defaults");
        }
        if (!type_compatible(def, val))
            return fail(e, kpath, "must be %s (the type of its default), got %s",
                        json_is_real(def) ? "a number" : tk_json_type_word(def),
                        tk_json_type_word(val));
        if (json_is_object(def) && json_is_object(val)) {
            if (merge(def, val, kpath, e))
                return -1;
            continue;
        }
        json_object_set(resolved, key, val);
    }
    return 0;
}

json_t *tk_config_merge(const char *id, const char *default_config, const json_t *user,
                        const char *path, char *err_path, size_t path_size, char *err_msg,
                        size_t msg_size)
{
    const merge_error e = {err_path, err_msg, path_size, msg_size};
    const char *base = path ? path : "";
    json_t *resolved = json_loads(default_config ? default_config : "{}", 0, NULL);
    if (!json_is_object(resolved)) {
        json_decref(resolved);
        fail(&e, base, "plugin \"%s\" declares an invalid default_config", id ? id : "");
        return NULL;
    }
    if (user && merge(resolved, user, base, &e)) {
        json_decref(resolved);
        return NULL;
    }
    return resolved;
}
