#include "currot_swd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/rng.h"

void currot_swd_directions(tk_rng *rng, size_t n_dirs, size_t d, double *dirs)
{
    for (size_t k = 0; k < n_dirs; k++) {
        double *u = dirs + k * d, norm = 0.0;
        for (size_t j = 0; j < d; j++) {
            u[j] = tk_rng_normal(rng);
            norm += u[j] * u[j];
        }
        norm = sqrt(norm);
        for (size_t j = 0; j < d; j++)
            u[j] /= norm;
    }
}

typedef struct proj {
    double v;
    size_t i;
} proj;

/* Ascending, ties by index (numpy's argsort breaks ties arbitrarily; the
 * projections of continuous samples do not tie). */
static int by_value(const void *a, const void *b)
{
    const proj *p = a, *q = b;
    if (p->v != q->v)
        return p->v < q->v ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

static void project(const double *pts, size_t n, size_t d, const double *u, proj *out)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < d; j++)
            s += u[j] * pts[i * d + j];
        out[i] = (proj){s, i};
    }
}

int currot_swd_move(const double *source, const double *target, size_t n, size_t d,
                    const double *dirs, size_t n_dirs, double *move)
{
    proj *ps = malloc((n ? n : 1) * sizeof *ps), *pt = malloc((n ? n : 1) * sizeof *pt);
    if (!ps || !pt) {
        free(ps);
        free(pt);
        return -1;
    }
    memset(move, 0, n * d * sizeof *move);
    for (size_t k = 0; k < n_dirs; k++) {
        const double *u = dirs + k * d;
        project(source, n, d, u, ps);
        project(target, n, d, u, pt);
        qsort(ps, n, sizeof *ps, by_value);
        qsort(pt, n, sizeof *pt, by_value);
        /* the source point of rank r moves towards the target of rank r */
        for (size_t r = 0; r < n; r++) {
            const double diff = pt[r].v - ps[r].v;
            for (size_t j = 0; j < d; j++)
                move[ps[r].i * d + j] += diff * u[j];
        }
    }
    for (size_t i = 0; i < n * d; i++)
        move[i] /= (double)n_dirs;
    free(ps);
    free(pt);
    return 0;
}
