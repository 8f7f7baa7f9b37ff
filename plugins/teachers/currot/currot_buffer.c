#include "currot_buffer.h"

#include "currot_assign.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/rng.h"

#define READ_UPDATE_RETRIES 10 /* the authors' redraws of out-of-bounds tasks */

static int by_key(const void *a, const void *b)
{
    const currot_key *p = a, *q = b;
    if (p->v != q->v)
        return p->v < q->v ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

void currot_sort_keys(currot_key *k, size_t n)
{
    qsort(k, n, sizeof *k, by_key);
}

int currot_buffer_init(currot_buffer *b, size_t d, size_t cap, double delta, double epsilon,
                       const double *lo, const double *hi)
{
    memset(b, 0, sizeof *b);
    b->d = d, b->cap = cap, b->delta = delta;
    b->min_std = 0.005 * epsilon;
    b->ctx = calloc(cap * d, sizeof *b->ctx);
    b->ret = calloc(cap, sizeof *b->ret);
    b->delta_std = malloc(d * sizeof *b->delta_std);
    b->w_ctx = malloc(2 * cap * d * sizeof *b->w_ctx);
    b->w_ret = malloc(2 * cap * sizeof *b->w_ret);
    b->w_idx = malloc(2 * cap * sizeof *b->w_idx);
    b->w_from = malloc(2 * cap * sizeof *b->w_from);
    b->w_key = malloc(2 * cap * sizeof *b->w_key);
    if (!b->ctx || !b->ret || !b->delta_std || !b->w_ctx || !b->w_ret || !b->w_idx ||
        !b->w_from || !b->w_key) {
        currot_buffer_free(b);
        return -1;
    }
    for (size_t k = 0; k < d; k++)
        b->delta_std[k] = (hi[k] - lo[k]) / 4.0;
    b->len = 1;
    b->ret[0] = -INFINITY;
    return 0;
}

void currot_buffer_free(currot_buffer *b)
{
    free(b->ctx);
    free(b->ret);
    free(b->delta_std);
    free(b->w_ctx);
    free(b->w_ret);
    free(b->w_idx);
    free(b->w_from);
    free(b->w_key);
    memset(b, 0, sizeof *b);
}

/* Row i of the working set: the task and return. */
static void put_work(currot_buffer *b, size_t i, const double *c, double r)
{
    memcpy(b->w_ctx + i * b->d, c, b->d * sizeof *c);
    b->w_ret[i] = r;
}

/* First regime (WassersteinSuccessBuffer.update_delta_not_reached): the
 * batch's returns >= the median enter; as many of the lowest entries leave
 * as entered, up to the median; the lowest beyond cap are dropped. */
static void update_best(currot_buffer *b, const double *ctx, const double *ret, size_t n,
                        unsigned char *failed)
{
    const size_t d = b->d, med = b->len / 2;
    const double thr = b->ret[med];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        failed[i] = !(ret[i] >= thr);
        if (!failed[i]) {
            b->w_from[m] = i;
            put_work(b, m++, ctx + i * d, ret[i]);
        }
    }
    const size_t n_new = m, offset = n_new < med + 1 ? n_new : med + 1;
    for (size_t j = offset; j < b->len; j++)
        put_work(b, m++, b->ctx + j * d, b->ret[j]);
    for (size_t j = 0; j < m; j++)
        b->w_key[j] = (currot_key){b->w_ret[j], j};
    currot_sort_keys(b->w_key, m);
    const size_t start = m > b->cap ? m - b->cap : 0;
    for (size_t j = 0; j < start; j++) /* dropped: the lowest */
        if (b->w_key[j].i < n_new)
            failed[b->w_from[b->w_key[j].i]] = 1;
    /* the authors test the median of the buffer before this batch */
    const int reached = b->ret[b->len / 2] > b->delta;
    for (size_t j = start; j < m; j++) {
        memcpy(b->ctx + (j - start) * d, b->w_ctx + b->w_key[j].i * d, d * sizeof(double));
        b->ret[j - start] = b->w_ret[b->w_key[j].i];
    }
    b->len = m - start;
    b->delta_reached = reached;
}

/* Second regime, buffer full of successes: keep the rows of (old, new)
 * assigned to the target samples, in row order. */
static int update_assigned(currot_buffer *b, size_t n_new, const double *target,
                           unsigned char *failed)
{
    const size_t d = b->d, rows = b->len + n_new, cap = b->cap;
    double *cost = malloc(rows * cap * sizeof *cost);
    unsigned char *keep = calloc(rows, 1);
    int rc = -1;
    if (!cost || !keep)
        goto out;
    for (size_t r = 0; r < rows; r++) {
        const double *c = r < b->len ? b->ctx + r * d : b->w_ctx + (r - b->len) * d;
        for (size_t t = 0; t < cap; t++) {
            double s = 0.0;
            for (size_t k = 0; k < d; k++)
                s += (c[k] - target[t * d + k]) * (c[k] - target[t * d + k]);
            cost[r * cap + t] = s;
        }
    }
    if (currot_assign_tall(cost, rows, cap, b->w_idx) != 0)
        goto out;
    for (size_t t = 0; t < cap; t++)
        keep[b->w_idx[t]] = 1;
    /* Old rows are compacted in place (a kept row never moves up past an
     * unread one); new rows come from the working set. */
    size_t len = 0;
    for (size_t r = 0; r < rows; r++) {
        if (!keep[r])
            continue;
        const double *c = r < b->len ? b->ctx + r * d : b->w_ctx + (r - b->len) * d;
        const double v = r < b->len ? b->ret[r] : b->w_ret[r - b->len];
        memmove(b->ctx + len * d, c, d * sizeof(double));
        b->ret[len++] = v;
    }
    for (size_t i = 0; i < n_new; i++)
        failed[b->w_from[i]] = !keep[b->len + i];
    b->len = len;
    rc = 0;
out:
    free(cost);
    free(keep);
    return rc;
}

/* Second regime (update_delta_reached). */
static int update_successes(currot_buffer *b, const double *ctx, const double *ret, size_t n,
                            const double *target, unsigned char *failed)
{
    const size_t d = b->d;
    size_t n_new = 0, n_below = 0;
    for (size_t i = 0; i < n; i++) {
        failed[i] = !(ret[i] >= b->delta);
        if (!failed[i]) {
            b->w_from[n_new] = i;
            put_work(b, n_new++, ctx + i * d, ret[i]);
        }
    }
    if (n_new == 0)
        return 0;
    for (size_t j = 0; j < b->len; j++)
        n_below += b->ret[j] < b->delta;
    if (n_below == 0 && b->len >= b->cap)
        return update_assigned(b, n_new, target, failed);
    /* Replace entries below delta: all of them, or the n_new lowest. */
    unsigned char *remove = (unsigned char *)b->w_idx; /* len <= 2 cap bytes */
    for (size_t j = 0; j < b->len; j++)
        remove[j] = b->ret[j] < b->delta;
    if (n_new < n_below) {
        for (size_t j = 0; j < b->len; j++)
            b->w_key[j] = (currot_key){b->ret[j], j};
        currot_sort_keys(b->w_key, b->len);
        memset(remove, 0, b->len);
        for (size_t j = 0; j < n_new; j++)
            remove[b->w_key[j].i] = 1;
    }
    size_t m = n_new;
    for (size_t j = 0; j < b->len; j++)
        if (!remove[j])
            put_work(b, m++, b->ctx + j * d, b->ret[j]);
    if (m > b->cap)
        m = b->cap; /* the new successes come first and stay */
    memcpy(b->ctx, b->w_ctx, m * d * sizeof(double));
    memcpy(b->ret, b->w_ret, m * sizeof(double));
    b->len = m;
    return 0;
}

int currot_buffer_update(currot_buffer *b, const double *ctx, const double *ret, size_t n,
                         const double *target, unsigned char *failed)
{
    if (n >= b->cap)
        return -1;
    if (!b->has_min_ret && n > 0) {
        b->min_ret = ret[0];
        for (size_t i = 1; i < n; i++)
            b->min_ret = fmin(b->min_ret, ret[i]);
        b->has_min_ret = 1;
    }
    if (!b->delta_reached) {
        update_best(b, ctx, ret, n, failed);
        return 0;
    }
    return update_successes(b, ctx, ret, n, target, failed);
}

double currot_buffer_noise_std(const currot_buffer *b, size_t j, size_t k)
{
    const double denom = b->delta - b->min_ret;
    const double s = denom > 0.0 ? fmax(b->delta - b->ret[j], 0.0) / denom : 0.0;
    return b->min_std + s * b->delta_std[k];
}

static void draw_row(const currot_buffer *b, tk_rng *rng, size_t src, double *out)
{
    for (size_t k = 0; k < b->d; k++)
        out[k] = b->ctx[src * b->d + k] + currot_buffer_noise_std(b, src, k) * tk_rng_normal(rng);
}

static int outside(const double *x, const double *lo, const double *hi, size_t d)
{
    for (size_t k = 0; k < d; k++)
        if (x[k] < lo[k] || x[k] > hi[k])
            return 1;
    return 0;
}

void currot_buffer_read_update(currot_buffer *b, tk_rng *rng, const double *lo,
                               const double *hi, double *out)
{
    const size_t d = b->d, cap = b->cap, len = b->len;
    size_t *src = b->w_idx;
    if (!b->delta_reached) {
        /* the upper half, weighted by the return above the lower half's
         * largest (numpy's index -1 when the lower half is empty) */
        const size_t off = len / 2;
        const double base = b->ret[off > 0 ? off - 1 : len - 1];
        for (size_t j = off; j < len; j++)
            b->w_ret[j - off] = b->ret[j] - base;
        for (size_t i = 0; i < cap; i++)
            src[i] = off + tk_rng_proportional(rng, b->w_ret, len - off);
    } else {
        for (size_t i = 0; i < cap; i++)
            src[i] = i < len ? i : (size_t)tk_rng_below(rng, len);
    }
    for (size_t i = 0; i < cap; i++)
        draw_row(b, rng, src[i], out + i * d);
    for (int round = 0; round < READ_UPDATE_RETRIES; round++) {
        size_t *bad = b->w_from, n_bad = 0;
        for (size_t i = 0; i < cap; i++)
            if (outside(out + i * d, lo, hi, d))
                bad[n_bad++] = i;
        if (n_bad == 0)
            break;
        for (size_t k = 0; k < n_bad; k++)
            draw_row(b, rng, src[bad[k]], out + bad[k] * d);
    }
    for (size_t i = 0; i < cap * d; i++)
        out[i] = fmin(fmax(out[i], lo[i % d]), hi[i % d]);
}

void currot_buffer_put(const currot_buffer *b, tk_state_writer *w)
{
    tk_state_put_u64(w, b->len);
    tk_state_put_f64s(w, b->ctx, b->len * b->d);
    tk_state_put_f64s(w, b->ret, b->len);
    tk_state_put_u64(w, (uint64_t)b->delta_reached);
    tk_state_put_u64(w, (uint64_t)b->has_min_ret);
    tk_state_put_f64(w, b->min_ret);
}

int currot_buffer_get(currot_buffer *b, tk_state_reader *r)
{
    const size_t d = b->d;
    const uint64_t len = tk_state_get_count(r, b->cap);
    tk_state_get_f64s(r, b->w_ctx, (size_t)len * d);
    tk_state_get_f64s(r, b->w_ret, (size_t)len);
    const uint64_t reached = tk_state_get_count(r, 1), has_min = tk_state_get_count(r, 1);
    const double min_ret = tk_state_get_f64(r);
    int bad = r->failed || len == 0 || (has_min && !isfinite(min_ret));
    for (size_t j = 0; !bad && j < len * d; j++)
        bad = !isfinite(b->w_ctx[j]);
    /* -inf only for the initial entry; ascending in the first regime */
    for (size_t j = 0; !bad && j < len; j++)
        bad = isnan(b->w_ret[j]) || b->w_ret[j] == INFINITY ||
              (has_min && !isfinite(b->w_ret[j])) ||
              (!reached && j > 0 && b->w_ret[j] < b->w_ret[j - 1]);
    if (bad)
        return -1;
    memcpy(b->ctx, b->w_ctx, (size_t)len * d * sizeof(double));
    memcpy(b->ret, b->w_ret, (size_t)len * sizeof(double));
    b->len = (size_t)len;
    b->delta_reached = (int)reached;
    b->has_min_ret = (int)has_min;
    b->min_ret = min_ret;
    return 0;
}
