/*
 * Configuration helpers shared by the walker environments (see
 * bw_config_util.hpp).
 */
#include "bw_config_util.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <jansson.h>

namespace bw {

/* So that a host (or a test) may pass only the keys it changes. */
tk_status merge_defaults(const tk_host_api *host, tk_ctx *ctx, const char *defaults,
                         const char *given, char **merged_out)
{
    *merged_out = nullptr;
    json_t *base = json_loads(defaults, 0, nullptr);
    json_error_t jerr;
    json_t *user = json_loads(given && *given ? given : "{}", 0, &jerr);
    tk_status st = TK_OK;
    if (!base)
        st = host->error(ctx, TK_ERR_INTERNAL, nullptr, "invalid default config");
    else if (!user)
        st = host->error(ctx, TK_ERR_CONFIG, nullptr, "config is not valid JSON: %s", jerr.text);
    else if (!json_is_object(user))
        st = host->error(ctx, TK_ERR_CONFIG, nullptr, "config must be a JSON object");
    if (st == TK_OK) {
        const char *key;
        json_t *v;
        json_object_foreach(user, key, v) {
            if (!json_object_get(base, key)) {
                char known[512] = "";
                const char *k2;
                json_t *v2;
                json_object_foreach(base, k2, v2) {
                    size_t used = std::strlen(known);
                    std::snprintf(known + used, sizeof known - used, "%s%s", used ? ", " : "",
                                  k2);
                }
                st = host->error(ctx, TK_ERR_CONFIG, key, "unknown key (known keys: %s)", known);
                break;
            }
            if (!json_is_null(v))
                json_object_set(base, key, v);
        }
    }
    if (st == TK_OK) {
        *merged_out = json_dumps(base, JSON_COMPACT);
        if (!*merged_out)
            st = TK_ERR_NOMEM;
    }
    json_decref(base);
    json_decref(user);
    return st;
}

tk_status read_range(const tk_host_api *host, tk_ctx *ctx, tk_config *cfg, const char *key,
                     double min, double max, double *low, double *high)
{
    double *v = nullptr;
    size_t n = 0;
    tk_status st = tk_config_double_array(cfg, key, 2, min, max, &v, &n);
    if (st != TK_OK)
        return st;
    *low = v[0];
    *high = v[1];
    free(v);
    if (*low > *high)
        return host->error(ctx, TK_ERR_CONFIG, key, "must be [low, high] with low <= high, got "
                                                    "[%g, %g]", *low, *high);
    return TK_OK;
}

} /* namespace bw */
