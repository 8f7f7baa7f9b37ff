/*
 * The Nadaraya-Watson estimate of the episode return at a task, with which
 * CurrOT judges where the student performs above delta (Klink et al. 2022,
 * section 4; psclklnk/currot deep_sprl/teachers/util.py NadarayaWatson and
 * nadaraya-watson/include/nadaraya_watson.h).
 *
 * Prediction at x: the training points closer than radius_scale x
 * bandwidth (at most n_max of them), or the 10 nearest when none is, are
 * weighted by exp(-|x - c_i|^2 / (2 bandwidth^2)), normalised through a
 * log-sum-exp, and the estimate is the weighted mean of their returns.
 *
 * Deviation: when more than n_max points lie in the radius the authors keep
 * a random subset (reservoir sampling in their k-d tree search, with a
 * generator seeded identically at every query); here the n_max nearest are
 * kept, which is deterministic and keeps the points of largest weight.
 *
 * Pure arithmetic; compiled into tests/plugins/test_currot.c too.
 */
#ifndef CURROT_NW_H
#define CURROT_NW_H
#include <stddef.h>

#define CURROT_NW_KNN 10         /* the authors' fallback when the radius is empty */
#define CURROT_NW_RADIUS_SCALE 3.0

typedef struct currot_nw {
    const double *x;   /* borrowed: n x d training tasks, row-major */
    const double *y;   /* borrowed: n returns */
    size_t n, d;
    double bandwidth;  /* > 0 */
    size_t n_max;      /* the authors' int(0.5 n); 0 means the fallback always */
    /* Optional index (currot_nw_index), NULL for a scan of every point: the
     * points ordered by their first coordinate, so that a query visits only
     * those whose first coordinate is near its own (the authors search a
     * k-d tree).  Both give the same neighbours. */
    const size_t *order; /* n indices, or NULL */
    const double *key;   /* n first coordinates in that order */
} currot_nw;

/* Scratch a prediction needs: n of these. */
typedef struct currot_nw_pair {
    double d2;
    size_t i;
} currot_nw_pair;

/* Builds the index of `m` into order[n] and key[n] and points m at them. */
void currot_nw_index(currot_nw *m, size_t *order, double *key, currot_nw_pair *scratch);

/* The estimate at x (d values); `scratch` holds m->n pairs.  n must be > 0. */
double currot_nw_predict(const currot_nw *m, const double *x, currot_nw_pair *scratch);

#endif
