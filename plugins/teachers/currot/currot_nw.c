#include "currot_nw.h"

#include <math.h>
#include <stdlib.h>

static int by_distance(const void *a, const void *b)
{
    const currot_nw_pair *p = a, *q = b;
    if (p->d2 != q->d2)
        return p->d2 < q->d2 ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

static double sq_dist(const double *a, const double *b, size_t d)
{
    double s = 0.0;
    for (size_t k = 0; k < d; k++)
        s += (a[k] - b[k]) * (a[k] - b[k]);
    return s;
}

/* The k nearest of all points into pairs[0..k), closest first (a sorted
 * insertion: k is 10). */
static size_t nearest_k(const currot_nw *m, const double *x, size_t k, currot_nw_pair *pairs)
{
    size_t len = 0;
    for (size_t i = 0; i < m->n; i++) {
        const currot_nw_pair cand = {sq_dist(x, m->x + i * m->d, m->d), i};
        if (len == k && by_distance(&cand, &pairs[len - 1]) >= 0)
            continue;
        size_t pos = len < k ? len++ : len - 1;
        while (pos > 0 && by_distance(&cand, &pairs[pos - 1]) < 0) {
            pairs[pos] = pairs[pos - 1];
            pos--;
        }
        pairs[pos] = cand;
    }
    return len;
}

double currot_nw_predict(const currot_nw *m, const double *x, currot_nw_pair *pairs)
{
    const double r = CURROT_NW_RADIUS_SCALE * m->bandwidth, r2 = r * r;
    size_t len = 0;
    if (m->n_max > 0) {
        for (size_t i = 0; i < m->n; i++) {
            const double d2 = sq_dist(x, m->x + i * m->d, m->d);
            if (d2 < r2) /* nanoflann's radius search is strict */
                pairs[len++] = (currot_nw_pair){d2, i};
        }
        if (len > m->n_max) {
            qsort(pairs, len, sizeof *pairs, by_distance);
            len = m->n_max;
        }
    }
    if (len == 0)
        len = nearest_k(m, x, m->n < CURROT_NW_KNN ? m->n : CURROT_NW_KNN, pairs);
    /* log-sum-exp of -d2 / (2 h^2), shifted by its largest term */
    const double scale = 1.0 / (2.0 * m->bandwidth * m->bandwidth);
    double dmin = pairs[0].d2;
    for (size_t k = 1; k < len; k++)
        dmin = fmin(dmin, pairs[k].d2);
    double sum = 0.0, acc = 0.0;
    for (size_t k = 0; k < len; k++) {
        const double w = exp(-scale * (pairs[k].d2 - dmin));
        sum += w;
        acc += w * m->y[pairs[k].i];
    }
    return acc / sum;
}
