#include "dist_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    unsigned bit;
    const char *name;
} MEMBERS[] = {{DIST_MEAN, "mean"}, {DIST_STD, "std"}, {DIST_COV, "cov"},
               {DIST_LOW, "low"},   {DIST_HIGH, "high"}};
enum { N_MEMBERS = sizeof MEMBERS / sizeof MEMBERS[0] };

static double **slot(dist_config *dist, unsigned bit)
{
    switch (bit) {
    case DIST_MEAN: return &dist->mean;
    case DIST_STD: return &dist->std;
    case DIST_COV: return &dist->cov;
    case DIST_LOW: return &dist->low;
    default: return &dist->high;
    }
}

void dist_config_free(dist_config *dist)
{
    if (!dist)
        return;
    for (size_t i = 0; i < N_MEMBERS; i++) {
        double **p = slot(dist, MEMBERS[i].bit);
        free(*p);
        *p = NULL;
    }
    dist->given = 0;
}

double *dist_config_take(dist_config *dist, unsigned member)
{
    double **p = slot(dist, member);
    double *taken = *p;
    *p = NULL;
    dist->given &= ~member;
    return taken;
}

/* The `n` finite numbers of the array `v` at `path` into out, each > 0 if
 * `positive`.  Errors name `path` for the array, `path[i]` for an entry. */
static tk_status read_numbers(const tk_host_api *host, tk_ctx *ctx, json_t *v, const char *path,
                              size_t n, int positive, double *out)
{
    if (!json_is_array(v) || json_array_size(v) != n)
        return host->error(ctx, TK_ERR_CONFIG, path,
                           "must be an array of %zu numbers (one per task dimension)", n);
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(v, i);
        out[i] = json_number_value(x);
        char entry[160];
        snprintf(entry, sizeof entry, "%s[%zu]", path, i);
        if (!json_is_number(x) || !isfinite(out[i]))
            return host->error(ctx, TK_ERR_CONFIG, entry, "must be a finite number");
        if (positive && !(out[i] > 0.0))
            return host->error(ctx, TK_ERR_CONFIG, entry, "must be > 0");
    }
    return TK_OK;
}

static tk_status read_member(const tk_host_api *host, tk_ctx *ctx, json_t *v, const char *path,
                             unsigned bit, size_t d, double *out)
{
    if (bit != DIST_COV)
        return read_numbers(host, ctx, v, path, d, bit == DIST_STD, out);
    if (!json_is_array(v) || json_array_size(v) != d)
        return host->error(ctx, TK_ERR_CONFIG, path,
                           "must be an array of %zu rows of %zu numbers (a covariance matrix)",
                           d, d);
    for (size_t i = 0; i < d; i++) {
        char row[128];
        snprintf(row, sizeof row, "%s[%zu]", path, i);
        tk_status st = read_numbers(host, ctx, json_array_get(v, i), row, d, 0, out + i * d);
        if (st != TK_OK)
            return st;
    }
    return TK_OK;
}

tk_status dist_config_read(const tk_host_api *host, tk_ctx *ctx, json_t *v, const char *key,
                           size_t d, unsigned allowed, unsigned required, const char *forms,
                           dist_config *out)
{
    memset(out, 0, sizeof *out);
    out->d = d;
    if (!v || json_is_null(v))
        return TK_OK;
    if (!json_is_object(v))
        return host->error(ctx, TK_ERR_CONFIG, key, "must be null or %s", forms);
    const char *name;
    json_t *member;
    json_object_foreach(v, name, member) {
        size_t i = 0;
        while (i < N_MEMBERS && !((MEMBERS[i].bit & allowed) && strcmp(name, MEMBERS[i].name) == 0))
            i++;
        if (i == N_MEMBERS)
            return host->error(ctx, TK_ERR_CONFIG, key, "unknown key \"%s\"; expected %s", name,
                               forms);
    }
    tk_status st = TK_OK;
    for (size_t i = 0; st == TK_OK && i < N_MEMBERS; i++) {
        json_t *m = json_object_get(v, MEMBERS[i].name);
        if (!m || !(MEMBERS[i].bit & allowed))
            continue;
        const unsigned bit = MEMBERS[i].bit;
        double **p = slot(out, bit);
        *p = malloc((bit == DIST_COV ? d * d : d) * sizeof **p);
        if (!*p) {
            st = host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
            break;
        }
        out->given |= bit;
        char path[96];
        snprintf(path, sizeof path, "%s.%s", key, MEMBERS[i].name);
        st = read_member(host, ctx, m, path, bit, d, *p);
    }
    for (size_t i = 0; st == TK_OK && i < N_MEMBERS; i++)
        if ((MEMBERS[i].bit & required) && !(out->given & MEMBERS[i].bit)) {
            char path[96];
            snprintf(path, sizeof path, "%s.%s", key, MEMBERS[i].name);
            st = host->error(ctx, TK_ERR_CONFIG, path, "is required (%zu numbers%s)",
                             MEMBERS[i].bit == DIST_COV ? d * d : d,
                             MEMBERS[i].bit == DIST_COV ? "" : ", one per task dimension");
        }
    if (st != TK_OK)
        dist_config_free(out);
    return st;
}

tk_status dist_config_read_text(const tk_host_api *host, tk_ctx *ctx, const char *config_json,
                                const char *key, size_t d, unsigned allowed, unsigned required,
                                const char *forms, dist_config *out)
{
    json_t *root = json_loads(config_json, 0, NULL);
    tk_status st = dist_config_read(host, ctx, root ? json_object_get(root, key) : NULL, key, d,
                                    allowed, required, forms, out);
    json_decref(root);
    return st;
}
