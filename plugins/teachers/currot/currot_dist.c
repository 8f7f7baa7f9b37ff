#include "currot_dist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist_config.h"
#include "teachkit/rng.h"

void currot_dist_free(currot_dist *dist)
{
    free(dist->a);
    free(dist->b);
    dist->a = dist->b = NULL;
}

static const char FORMS[] = "an object {\"low\": [...], \"high\": [...]} (a uniform box) or "
                           "{\"mean\": [...], \"std\": [...]} (a Gaussian clipped to the task "
                           "space)";

/* The members that go together are both given, and only one pair is. */
static tk_status check_pairs(const tk_host_api *host, tk_ctx *ctx, const char *key,
                             const dist_config *c)
{
    const int box = (c->given & (DIST_LOW | DIST_HIGH)) != 0;
    const int gauss = (c->given & (DIST_MEAN | DIST_STD)) != 0;
    if (box == gauss)
        return host->error(ctx, TK_ERR_CONFIG, key, "needs %s, not %s", FORMS,
                           box ? "both" : "neither");
    static const struct {
        unsigned have, need;
        const char *need_name, *have_name;
    } PAIRS[] = {{DIST_LOW, DIST_HIGH, "high", "low"},
                 {DIST_HIGH, DIST_LOW, "low", "high"},
                 {DIST_MEAN, DIST_STD, "std", "mean"},
                 {DIST_STD, DIST_MEAN, "mean", "std"}};
    for (size_t i = 0; i < sizeof PAIRS / sizeof PAIRS[0]; i++)
        if ((c->given & PAIRS[i].have) && !(c->given & PAIRS[i].need)) {
            char path[96];
            snprintf(path, sizeof path, "%s.%s", key, PAIRS[i].need_name);
            return host->error(ctx, TK_ERR_CONFIG, path, "is required with \"%s\"",
                               PAIRS[i].have_name);
        }
    return TK_OK;
}

static tk_status check_box(const tk_host_api *host, tk_ctx *ctx, const char *key,
                           const double *lo, const double *hi, const currot_dist *o)
{
    char path[96];
    for (size_t i = 0; i < o->d; i++)
        if (!(o->a[i] >= lo[i] && o->b[i] <= hi[i] && o->a[i] <= o->b[i])) {
            snprintf(path, sizeof path, "%s.low[%zu]", key, i);
            return host->error(ctx, TK_ERR_CONFIG, path,
                               "the box [%g, %g] must satisfy low <= high inside the task "
                               "dimension's range [%g, %g]", o->a[i], o->b[i], lo[i], hi[i]);
        }
    return TK_OK;
}

tk_status currot_dist_read(const tk_host_api *host, tk_ctx *ctx, json_t *v, const char *key,
                           const double *lo, const double *hi, size_t d, currot_dist *out)
{
    memset(out, 0, sizeof *out);
    out->d = d;
    if (!v || json_is_null(v)) {
        out->a = malloc(d * sizeof *out->a);
        out->b = malloc(d * sizeof *out->b);
        if (!out->a || !out->b)
            return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
        memcpy(out->a, lo, d * sizeof *lo);
        memcpy(out->b, hi, d * sizeof *hi);
        return TK_OK;
    }
    dist_config c;
    tk_status st = dist_config_read(host, ctx, v, key, d,
                                    DIST_LOW | DIST_HIGH | DIST_MEAN | DIST_STD, 0, FORMS, &c);
    if (st == TK_OK)
        st = check_pairs(host, ctx, key, &c);
    if (st == TK_OK) {
        out->gaussian = (c.given & DIST_MEAN) != 0;
        out->a = dist_config_take(&c, out->gaussian ? DIST_MEAN : DIST_LOW);
        out->b = dist_config_take(&c, out->gaussian ? DIST_STD : DIST_HIGH);
        if (!out->gaussian)
            st = check_box(host, ctx, key, lo, hi, out);
    }
    dist_config_free(&c);
    return st;
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
