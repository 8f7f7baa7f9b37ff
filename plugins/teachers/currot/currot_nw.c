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

static void swap(currot_nw_pair *a, currot_nw_pair *b)
{
    const currot_nw_pair t = *a;
    *a = *b;
    *b = t;
}

/* Reorders p[0..n) so that p[0..k) are its k smallest (by distance, then
 * index), in no particular order: a quickselect with the middle element as
 * pivot, O(n) on average where a sort would cost O(n log n) per query. */
static void select_k(currot_nw_pair *p, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* the k-th smallest lies in p[lo..hi) */
    while (hi - lo > 1) {
        swap(&p[lo + (hi - lo) / 2], &p[hi - 1]);
        const currot_nw_pair pivot = p[hi - 1];
        size_t store = lo;
        for (size_t i = lo; i + 1 < hi; i++)
            if (by_distance(&p[i], &pivot) < 0)
                swap(&p[i], &p[store++]);
        swap(&p[store], &p[hi - 1]);
        if (store == k || store + 1 == k)
            return;
        if (store > k)
            hi = store;
        else
            lo = store + 1;
    }
}

void currot_nw_index(currot_nw *m, size_t *order, double *key, currot_nw_pair *scratch)
{
    for (size_t i = 0; i < m->n; i++)
        scratch[i] = (currot_nw_pair){m->x[i * m->d], i};
    qsort(scratch, m->n, sizeof *scratch, by_distance);
    for (size_t i = 0; i < m->n; i++) {
        order[i] = scratch[i].i;
        key[i] = scratch[i].d2;
    }
    m->order = order;
    m->key = key;
}

/* Offers point i to the sorted top-k list pairs[0..*len). */
static void offer(const currot_nw *m, const double *x, size_t i, size_t k, currot_nw_pair *pairs,
                  size_t *len)
{
    const currot_nw_pair cand = {sq_dist(x, m->x + i * m->d, m->d), i};
    if (*len == k && by_distance(&cand, &pairs[k - 1]) >= 0)
        return;
    size_t pos = *len < k ? (*len)++ : k - 1;
    while (pos > 0 && by_distance(&cand, &pairs[pos - 1]) < 0) {
        pairs[pos] = pairs[pos - 1];
        pos--;
    }
    pairs[pos] = cand;
}

/* The first position of the index whose key is >= v. */
static size_t lower_bound(const currot_nw *m, double v)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (m->key[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The k nearest of all points into pairs[0..k), closest first (a sorted
 * insertion: k is 10).  With the index the scan walks outwards from x's
 * first coordinate and stops on each side once that coordinate alone is
 * farther than the k-th best. */
static size_t nearest_k(const currot_nw *m, const double *x, size_t k, currot_nw_pair *pairs)
{
    size_t len = 0;
    if (!m->order) {
        for (size_t i = 0; i < m->n; i++)
            offer(m, x, i, k, pairs, &len);
        return len;
    }
    const size_t start = lower_bound(m, x[0]);
    for (size_t j = start; j < m->n; j++) {
        const double g = m->key[j] - x[0];
        if (len == k && g * g > pairs[k - 1].d2)
            break;
        offer(m, x, m->order[j], k, pairs, &len);
    }
    for (size_t j = start; j-- > 0;) {
        const double g = x[0] - m->key[j];
        if (len == k && g * g > pairs[k - 1].d2)
            break;
        offer(m, x, m->order[j], k, pairs, &len);
    }
    return len;
}

/* The points strictly within radius r of x into pairs; returns how many. */
static size_t within(const currot_nw *m, const double *x, double r, currot_nw_pair *pairs)
{
    const double r2 = r * r;
    size_t len = 0, j = 0, end = m->n;
    if (m->order) {
        j = lower_bound(m, x[0] - r);
        end = lower_bound(m, x[0] + r);
        while (end < m->n && m->key[end] <= x[0] + r)
            end++;
    }
    for (; j < end; j++) {
        const size_t i = m->order ? m->order[j] : j;
        const double d2 = sq_dist(x, m->x + i * m->d, m->d);
        if (d2 < r2) /* nanoflann's radius search is strict */
            pairs[len++] = (currot_nw_pair){d2, i};
    }
    return len;
}

double currot_nw_predict(const currot_nw *m, const double *x, currot_nw_pair *pairs)
{
    size_t len = 0;
    if (m->n_max > 0) {
        len = within(m, x, CURROT_NW_RADIUS_SCALE * m->bandwidth, pairs);
        if (len > m->n_max) {
            select_k(pairs, len, m->n_max);
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
