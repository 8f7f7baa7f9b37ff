#include "currot_dist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/rng.h"

void currot_dist_free(currot_dist *dist)
{
    free(dist->a);
    free(dist->b);
    dist->a = dist->b = NULL;
}

static tk_status read_vec(const tk_host_api *host, tk_ctx *ctx, json_t *obj, const char *key,
                          const char *member, size_t d, double *out)
{
    char path[96];
    json_t *v = json_object_get(obj, member);
    snprintf(path, sizeof path, "%s.%s", key, member);
    if (!json_is_array(v) || json_array_size(v) != d)
        return host->error(ctx, TK_ERR_CONFIG, path,
                           "must be an array of %zu numbers (one per task dimension)", d);
    for (size_t i = 0; i < d; i++) {
        json_t *x = json_array_get(v, i);
        out[i] = json_number_value(x);
        if (!json_is_number(x) || !isfinite(out[i])) {
            snprintf(path, sizeof path, "%s.%s[%zu]", key, member, i);
            return host->error(ctx, TK_ERR_CONFIG, path, "must be a finite number");
        }
    }
    return TK_OK;
}

static tk_status check_members(const tk_host_api *host, tk_ctx *ctx, json_t *v, const char *key)
{
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) {
        if (strcmp(k, "low") && strcmp(k, "high") && strcmp(k, "mean") && strcmp(k, "std"))
            return host->error(ctx, TK_ERR_CONFIG, key,
                               "unknown key \"%s\"; expected \"low\" and \"high\" (a uniform "
                               "box) or \"mean\" and \"std\" (a Gaussian)", k);
    }
    const int box = json_object_get(v, "low") || json_object_get(v, "high");
    const int gauss = json_object_get(v, "mean") || json_object_get(v, "std");
    if (box == gauss)
        return host->error(ctx, TK_ERR_CONFIG, key,
                           "needs either \"low\" and \"high\" (a uniform box) or \"mean\" and "
                           "\"std\" (a Gaussian clipped to the task space), not %s",
                           box ? "both" : "neither");
    return TK_OK;
}

static tk_status check_values(const tk_host_api *host, tk_ctx *ctx, const char *key,
                              const double *lo, const double *hi, const currot_dist *o)
{
    char path[96];
    for (size_t i = 0; i < o->d; i++) {
        if (o->gaussian && !(o->b[i] > 0.0)) {
            snprintf(path, sizeof path, "%s.std[%zu]", key, i);
            return host->error(ctx, TK_ERR_CONFIG, path, "must be > 0");
        }
        if (!o->gaussian && !(o->a[i] >= lo[i] && o->b[i] <= hi[i] && o->a[i] <= o->b[i])) {
            snprintf(path, sizeof path, "%s.low[%zu]", key, i);
            return host->error(ctx, TK_ERR_CONFIG, path,
                               "the box [%g, %g] must satisfy low <= high inside the task "
                               "dimension's range [%g, %g]", o->a[i], o->b[i], lo[i], hi[i]);
        }
    }
    return TK_OK;
}

tk_status currot_dist_read(const tk_host_api *host, tk_ctx *ctx, json_t *v, const char *key,
                           const double *lo, const double *hi, size_t d, currot_dist *out)
{
    memset(out, 0, sizeof *out);
    out->d = d;
    out->a = malloc(d * sizeof *out->a);
    out->b = malloc(d * sizeof *out->b);
    if (!out->a || !out->b)
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    if (!v || json_is_null(v)) {
        memcpy(out->a, lo, d * sizeof *lo);
        memcpy(out->b, hi, d * sizeof *hi);
        return TK_OK;
    }
    if (!json_is_object(v))
        return host->error(ctx, TK_ERR_CONFIG, key,
                           "must be null (uniform over the task space) or an object "
                           "{\"low\": [...], \"high\": [...]} or "
                           "{\"mean\": [...], \"std\": [...]}");
    tk_status st = check_members(host, ctx, v, key);
    if (st != TK_OK)
        return st;
    out->gaussian = json_object_get(v, "mean") != NULL;
    const char *ma = out->gaussian ? "mean" : "low", *mb = out->gaussian ? "std" : "high";
    if ((st = read_vec(host, ctx, v, key, ma, d, out->a)) != TK_OK ||
        (st = read_vec(host, ctx, v, key, mb, d, out->b)) != TK_OK)
        return st;
    return check_values(host, ctx, key, lo, hi, out);
}

void currot_dist_sample(const currot_dist *dist, tk_rng *rng, const double *lo, const double *hi,
                        size_t n, double *out)
{
    const size_t d = dist->d;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++) {
            const double x = dist->gaussian ? dist->a[k] + dist->b[k] * tk_rng_normal(rng)
                                            : tk_rng_range(rng, dist->a[k], dist->b[k]);
            out[i * d + k] = fmin(fmax(x, lo[k]), hi[k]);
        }
}
