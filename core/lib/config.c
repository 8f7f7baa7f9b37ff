#include "teachkit/config.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct tk_config {
    const tk_host_api *host;
    tk_ctx *ctx;
    json_t *root;
};

tk_status tk_config_parse(const tk_host_api *host, tk_ctx *ctx, const char *config_json,
                          tk_config **out)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loads(config_json ? config_json : "{}", 0, &jerr);
    if (!root)
        return host->error(ctx, TK_ERR_CONFIG, NULL, "config is not valid JSON: %s", jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return host->error(ctx, TK_ERR_CONFIG, NULL, "config must be a JSON object");
    }
    tk_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        json_decref(root);
        return TK_ERR_NOMEM;
    }
    cfg->host = host;
    cfg->ctx = ctx;
    cfg->root = root;
    *out = cfg;
    return TK_OK;
}

void tk_config_free(tk_config *cfg)
{
    if (!cfg)
        return;
    json_decref(cfg->root);
    free(cfg);
}

int tk_config_has(const tk_config *cfg, const char *key)
{
    json_t *v = json_object_get(cfg->root, key);
    return v && !json_is_null(v);
}

static json_t *require(tk_config *cfg, const char *key, tk_status *st)
{
    json_t *v = json_object_get(cfg->root, key);
    if (!v || json_is_null(v)) {
        *st = cfg->host->error(cfg->ctx, TK_ERR_CONFIG, key, "is required");
        return NULL;
    }
    *st = TK_OK;
    return v;
}

tk_status tk_config_int(tk_config *cfg, const char *key, int64_t min, int64_t max, int64_t *out)
{
    tk_status st;
    json_t *v = require(cfg, key, &st);
    if (!v)
        return st;
    if (!json_is_integer(v))
        return cfg->host->error(cfg->ctx, TK_ERR_CONFIG, key,
                                "must be an integer in [%lld, %lld]", (long long)min,
                                (long long)max);
    json_int_t x = json_integer_value(v);
    if (x < min || x > max)
        return cfg->host->error(cfg->ctx, TK_ERR_CONFIG, key,
                                "must be an integer in [%lld, %lld], got %lld", (long long)min,
                                (long long)max, (long long)x);
    *out = x;
    return TK_OK;
}

static tk_status number_in_range(tk_config *cfg, const char *path, json_t *v, double min,
                                 double max, double *out)
{
    if (!json_is_number(v))
        return cfg->host->error(cfg->ctx, TK_ERR_CONFIG, path, "must be a number in [%g, %g]",
                                min, max);
    double x = json_number_value(v);
    if (!isfinite(x) || x < min || x > max)
        return cfg->host->error(cfg->ctx, TK_ERR_CONFIG, path,
                                "must be a number in [%g, %g], got %g", min, max, x);
    *out = x;
    return TK_OK;
}

tk_status tk_config_double(tk_config *cfg, const char *key, double min, double max, double *out)
{
    tk_status st;
    json_t *v = require(cfg, key, &st);
    if (!v)
        return st;
    return number_in_range(cfg, key, v, min, max, out);
}

tk_status tk_config_bool(tk_config *cfg, const char *key, int *out)
{
    tk_status st;
    json_t *v = require(cfg, key, &st);
    if (!v)
        return st;
    if (!json_is_boolean(v))
        return cfg->host->error(cfg->ctx, TK_ERR_CONFIG, key, "must be true or false");
    *out = json_is_true(v);
    return TK_OK;
}

tk_status tk_config_choice(tk_config *cfg, const char *key, const char *const *choices,
                           int *index_out)
{
    tk_status st;
    json_t *v = require(cfg, key, &st);
    if (!v)
        return st;
    char allowed[256] = "";
    for (int i = 0; choices[i]; i++) {
        if (json_is_string(v) && strcmp(json_string_value(v), choices[i]) == 0) {
            *index_out = i;
            return TK_OK;
        }
        size_t used = strlen(allowed);
        snprintf(allowed + used, sizeof allowed - used, "%s\"%s\"", i ? ", " : "", choices[i]);
    }
    if (json_is_string(v))
        return cfg->host->error(cfg->ctx, TK_ERR_CONFIG, key, "must be one of %s, got \"%s\"",
                                allowed, json_string_value(v));
    return cfg->host->error(cfg->ctx, TK_ERR_CONFIG, key, "must be one of %s", allowed);
}

tk_status tk_config_double_array(tk_config *cfg, const char *key, size_t expected_len,
                                 double min, double max, double **out, size_t *len_out)
{
    *out = NULL;
    tk_status st;
    json_t *v = require(cfg, key, &st);
    if (!v)
        return st;
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    if (!json_is_array(v) || n == 0 || (expected_len && n != expected_len)) {
        if (expected_len)
            return cfg->host->error(cfg->ctx, TK_ERR_CONFIG, key,
                                    "must be an array of %zu numbers", expected_len);
        return cfg->host->error(cfg->ctx, TK_ERR_CONFIG, key,
                                "must be a non-empty array of numbers");
    }
    double *values = malloc(n * sizeof *values);
    if (!values)
        return TK_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s[%zu]", key, i);
        st = number_in_range(cfg, path, json_array_get(v, i), min, max, &values[i]);
        if (st != TK_OK) {
            free(values);
            return st;
        }
    }
    *out = values;
    *len_out = n;
    return TK_OK;
}
