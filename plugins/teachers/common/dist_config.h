/*
 * Reading a task distribution given as expert knowledge in a teacher's
 * config, such as "initial_dist": {"mean": [...], "std": [...]} (adr,
 * currot, goal-gan, spdl; docs/teachers/).  This reads what is the same for
 * every teacher: an object whose members are among those the teacher
 * accepts, each an array of one finite number per task dimension ("cov": d
 * arrays of d), every "std" entry > 0.  Which members must go together, and
 * whether they must lie inside the task space, is the teacher's to check.
 * Errors are reported through host->error with the member's JSON path under
 * the config key, e.g. "initial_dist.std[1]: must be > 0".
 *
 * Internal to the teacher plugins that compile dist_config.c (see their
 * meson.build); not part of the toolkit.  No global state.
 */
#ifndef DIST_CONFIG_H
#define DIST_CONFIG_H

#include <stddef.h>

#include <jansson.h>

#include "teachkit/plugin.h"

/* The members a distribution object may hold, as bits. */
enum {
    DIST_MEAN = 1u << 0, /* "mean": d numbers */
    DIST_STD = 1u << 1,  /* "std": d numbers > 0 */
    DIST_COV = 1u << 2,  /* "cov": d rows of d numbers (not checked to be a covariance) */
    DIST_LOW = 1u << 3,  /* "low": d numbers */
    DIST_HIGH = 1u << 4, /* "high": d numbers */
};

typedef struct dist_config {
    unsigned given;                  /* the DIST_* members present */
    size_t d;                        /* task dimensions */
    double *mean, *std, *low, *high; /* d each; NULL when not given */
    double *cov;                     /* d x d, row-major; NULL when not given */
} dist_config;

/* Reads `v`, the config's member `key`.  `v` absent (NULL) or JSON null:
 * TK_OK with nothing given.  Otherwise `v` must be an object whose members
 * are among `allowed` and include `required` (DIST_* bits); `forms`
 * completes the error message for anything else ("must be null or %s").
 * On success *out owns its arrays (dist_config_free); on error they are
 * freed.  [instance] */
tk_status dist_config_read(const tk_host_api *host, tk_ctx *ctx, json_t *v, const char *key,
                           size_t d, unsigned allowed, unsigned required, const char *forms,
                           dist_config *out);

/* The same for the member `key` of the JSON object `config_json` (the
 * teacher's config as create receives it). */
tk_status dist_config_read_text(const tk_host_api *host, tk_ctx *ctx, const char *config_json,
                                const char *key, size_t d, unsigned allowed, unsigned required,
                                const char *forms, dist_config *out);

/* Frees the arrays of `dist` and leaves it empty.  NULL-safe. */
void dist_config_free(dist_config *dist);

/* Moves the array of member `member` (one DIST_* bit) out of `dist`: the
 * caller owns it, `dist` forgets it.  NULL when not given. */
double *dist_config_take(dist_config *dist, unsigned member);

#endif
