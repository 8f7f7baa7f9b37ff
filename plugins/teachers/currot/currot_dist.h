/*
 * The initial and target distributions of the currot teacher: the uniform
 * distribution over a box (by default the whole task space, as
 * TeachMyAgent's wrapper of the authors' teacher,
 * psclklnk/currot deep_sprl/teachers/spl/currot_tma.py, uses for both) or
 * a diagonal Gaussian clipped to the task space.  Read from the teacher's
 * config ("initial_dist", "target_dist"; docs/teachers/currot.md).
 */
#ifndef CURROT_DIST_H
#define CURROT_DIST_H
#include <stddef.h>

#include <jansson.h>

#include "teachkit/plugin.h"

typedef struct currot_dist {
    int gaussian; /* 0: uniform over [a, b]; 1: N(a, diag(b^2)) clipped */
    size_t d;
    double *a, *b; /* owned, d each: low and high, or mean and std */
} currot_dist;

/* `v` null or absent: uniform over [lo, hi].  Otherwise
 * {"low": [d], "high": [d]} inside [lo, hi], or {"mean": [d], "std": [d]}
 * (std > 0).  Errors name `key` and the member. */
tk_status currot_dist_read(const tk_host_api *host, tk_ctx *ctx, json_t *v, const char *key,
                           const double *lo, const double *hi, size_t d, currot_dist *out);
void currot_dist_free(currot_dist *dist);

/* n draws (n x d) from `rng`, clipped to [lo, hi]. */
void currot_dist_sample(const currot_dist *dist, tk_rng *rng, const double *lo, const double *hi,
                        size_t n, double *out);

#endif
