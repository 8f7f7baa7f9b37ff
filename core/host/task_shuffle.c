#include "task_shuffle.h"

#include <stdlib.h>

#include "mt19937.h"

struct tk_task_shuffle {
    size_t dims;
    uint32_t cuttings;
    double *low, *width;   /* per dimension */
    size_t *perm;          /* dims x cuttings: where interval j of dim i goes */
};

tk_task_shuffle *tk_task_shuffle_create(const tk_task_space *space, uint32_t cuttings,
                                        uint32_t seed)
{
    if (!cuttings)
        return NULL;
    tk_task_shuffle *ts = calloc(1, sizeof *ts);
    size_t n = space->dims ? space->dims : 1;
    if (!ts || !(ts->low = calloc(n, sizeof *ts->low)) ||
        !(ts->width = calloc(n, sizeof *ts->width)) ||
        !(ts->perm = calloc(n * cuttings, sizeof *ts->perm))) {
        tk_task_shuffle_free(ts);
        return NULL;
    }
    ts->dims = space->dims;
    ts->cuttings = cuttings;
    /* One generator for all dimensions, drawn in dimension order, as the
     * reference's single RandomState. */
    tk_mt19937 mt;
    tk_mt19937_seed(&mt, seed);
    for (size_t i = 0; i < space->dims; i++) {
        ts->low[i] = space->dim[i].low;
        ts->width[i] = (space->dim[i].high - space->dim[i].low) / cuttings;
        size_t *p = ts->perm + i * cuttings;
        for (uint32_t j = 0; j < cuttings; j++)
            p[j] = j;
        tk_mt19937_shuffle(&mt, p, cuttings);
    }
    return ts;
}

void tk_task_shuffle_free(tk_task_shuffle *ts)
{
    if (!ts)
        return;
    free(ts->low);
    free(ts->width);
    free(ts->perm);
    free(ts);
}

size_t tk_task_shuffle_perm(const tk_task_shuffle *ts, size_t dim, size_t interval)
{
    return ts->perm[dim * ts->cuttings + interval];
}

/* The first interval of `bounds` (lo_j = low + j*w, hi_j = low + (j+1)*w)
 * holding x; values past the last bound (rounding) take the last one. */
static size_t find_interval(double low, double w, uint32_t cuttings, const size_t *order, double x)
{
    for (uint32_t j = 0; j < cuttings; j++) {
        double lo = low + (double)order[j] * w, hi = low + (double)(order[j] + 1) * w;
        if (lo <= x && x <= hi)
            return j;
    }
    for (uint32_t j = 0; j < cuttings; j++)
        if (order[j] == (x < low ? 0 : cuttings - 1))
            return j;
    return 0;
}

/* np.interp(x, [a0, a1], [b0, b1]) for a0 < a1. */
static double interp(double x, double a0, double a1, double b0, double b1)
{
    if (x <= a0)
        return b0;
    if (x >= a1)
        return b1;
    return (b1 - b0) / (a1 - a0) * (x - a0) + b0;
}

/* Maps each value from its interval onto the interval that takes its place
 * (to_env), or back (inverse). */
static void map(const tk_task_shuffle *ts, const float *in, float *out, int inverse)
{
    for (size_t i = 0; i < ts->dims; i++) {
        const size_t *perm = ts->perm + i * ts->cuttings;
        double low = ts->low[i], w = ts->width[i], x = in[i];
        size_t j;
        if (!inverse) {
            /* "original" lists intervals in order: j is x's interval. */
            j = 0;
            while (j + 1 < ts->cuttings && !(x <= low + (double)(j + 1) * w))
                j++;
        } else {
            j = find_interval(low, w, ts->cuttings, perm, x);
        }
        double o0 = low + (double)j * w, o1 = low + (double)(j + 1) * w;
        double s0 = low + (double)perm[j] * w, s1 = low + (double)(perm[j] + 1) * w;
        out[i] = (float)(inverse ? interp(x, s0, s1, o0, o1) : interp(x, o0, o1, s0, s1));
    }
}

void tk_task_shuffle_to_env(const tk_task_shuffle *ts, const float *in, float *out)
{
    map(ts, in, out, 0);
}

void tk_task_shuffle_to_teacher(const tk_task_shuffle *ts, const float *in, float *out)
{
    map(ts, in, out, 1);
}
