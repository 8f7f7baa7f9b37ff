#include "plugin_config.h"

#include <string.h>

static const char *json_type_word(const json_t *v)
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

static int merge(json_t *resolved, json_t *user, const char *file, const char *path, tk_diag *d)
{
    const char *key;
    json_t *val;
    json_object_foreach(user, key, val) {
        char kpath[256];
        tk_path_join(kpath, sizeof kpath, path, key);
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
                return tk_diag_set(d, file, kpath, "unknown key; did you mean \"%s\"?", near);
            return tk_diag_set(d, file, kpath,
                               "unknown key; `teachkit list --config` shows this plugin's keys "
                               "and defaults");
        }
        if (!type_compatible(def, val))
            return tk_diag_set(d, file, kpath, "must be %s (the type of its default), got %s",
                               json_is_real(def) ? "a number" : json_type_word(def),
                               json_type_word(val));
        if (json_is_object(def) && json_is_object(val)) {
            if (merge(def, val, file, kpath, d))
                return -1;
            continue;
        }
        json_object_set(resolved, key, val);
    }
    return 0;
}

json_t *tk_resolve_config(const tk_descriptor *desc, json_t *user_config, const char *file,
                          const char *path, tk_diag *d)
{
    json_t *resolved = json_loads(desc->default_config ? desc->default_config : "{}", 0, NULL);
    if (!json_is_object(resolved)) {
        json_decref(resolved);
        tk_diag_set(d, file, path, "plugin \"%s\" declares an invalid default_config", desc->id);
        return NULL;
    }
    if (user_config && merge(resolved, user_config, file, path, d)) {
        json_decref(resolved);
        return NULL;
    }
    return resolved;
}
