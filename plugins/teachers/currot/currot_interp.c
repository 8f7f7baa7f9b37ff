#include "currot_interp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "currot_assign.h"
#include "currot_swd.h"
#include "teachkit/rng.h"

static double sq_dist(const double *a, const double *b, size_t d)
{
    double s = 0.0;
    for (size_t k = 0; k < d; k++)
        s += (a[k] - b[k]) * (a[k] - b[k]);
    return s;
}

int currot_ensure_successful(const currot_step *s, double *init, const double *success,
                             size_t n_success, unsigned char *reached)
{
    const size_t n = s->n, d = s->d;
    currot_nw_pair *pairs = malloc(s->model->n * sizeof *pairs);
    size_t *repl = malloc(n * sizeof *repl), *cand = malloc(n_success * sizeof *cand);
    size_t *col = malloc(n * sizeof *col);
    unsigned char *valid = malloc(n_success);
    double *cost = NULL;
    int rc = -1;
    if (!pairs || !repl || !cand || !col || !valid)
        goto out;
    size_t n_repl = 0, n_valid = 0, n_cand = 0;
    for (size_t i = 0; i < n; i++) {
        reached[i] = currot_nw_predict(s->model, init + i * d, pairs) >= s->delta;
        if (!reached[i])
            repl[n_repl++] = i;
    }
    if (n_repl == 0) {
        rc = 0;
        goto out;
    }
    for (size_t j = 0; j < n_success; j++) {
        valid[j] = currot_nw_predict(s->model, success + j * d, pairs) >= s->delta;
        n_valid += valid[j];
    }
    /* only the draws that reach delta when there are enough of them */
    for (size_t j = 0; j < n_success; j++)
        if (n_valid < n_repl || valid[j])
            cand[n_cand++] = j;
    if (!(cost = malloc(n_repl * n_cand * sizeof *cost)))
        goto out;
    for (size_t r = 0; r < n_repl; r++)
        for (size_t c = 0; c < n_cand; c++)
            cost[r * n_cand + c] = sq_dist(success + cand[c] * d, init + repl[r] * d, d);
    if (currot_assign(cost, n_repl, n_cand, col) != 0)
        goto out;
    for (size_t r = 0; r < n_repl; r++) {
        const size_t j = cand[col[r]];
        memcpy(init + repl[r] * d, success + j * d, d * sizeof(double));
        reached[repl[r]] = valid[j];
    }
    rc = 0;
out:
    free(pairs);
    free(repl);
    free(cand);
    free(col);
    free(valid);
    free(cost);
    return rc;
}

void currot_ball_offsets(tk_rng *rng, size_t k, size_t d, double *offsets)
{
    for (size_t i = 0; i < k * d; i++)
        offsets[i] = tk_rng_normal(rng);
    for (size_t i = 0; i < k; i++) {
        double *o = offsets + i * d, norm = 0.0;
        for (size_t j = 0; j < d; j++)
            norm += o[j] * o[j];
        const double r = pow(tk_rng_uniform(rng), 1.0 / (double)d) / sqrt(norm);
        for (size_t j = 0; j < d; j++)
            o[j] *= r;
    }
}

void currot_move_particle(const currot_step *s, const double *x, const double *t, int reached,
                          const double *offsets, size_t k, double *cand,
                          currot_nw_pair *pairs, double *out)
{
    const size_t d = s->d;
    const double dn = sq_dist(t, x, d); /* |t - x|^2 */
    /* A particle already at its target stays there (the original divides
     * by the zero distance and moves it to NaN). */
    const double scale = fmin(s->radius, sqrt(dn));
    double best_dist = INFINITY, best_perf = -INFINITY;
    int found = 0;
    for (size_t c = 0; c < k; c++) {
        const double *o = offsets + c * d;
        double proj = 0.0;
        for (size_t j = 0; j < d && dn > 0.0; j++)
            proj += (t[j] - x[j]) * o[j];
        proj = dn > 0.0 ? proj / dn : 0.0;
        /* the half ball facing the target: reflect the offsets behind it */
        const int reflect = reached && !(proj > 0.0);
        for (size_t j = 0; j < d; j++) {
            const double off = reflect ? o[j] - 2.0 * proj * (t[j] - x[j]) : o[j];
            cand[j] = fmin(fmax(x[j] + scale * off, s->lo[j]), s->hi[j]);
        }
        const double perf = currot_nw_predict(s->model, cand, pairs);
        const double dist = sqrt(sq_dist(cand, t, d));
        if (perf > s->delta) {
            if (!found || dist < best_dist) {
                best_dist = dist;
                memcpy(out, cand, d * sizeof(double));
            }
            found = 1;
        } else if (!found && perf > best_perf) {
            best_perf = perf;
            memcpy(out, cand, d * sizeof(double));
        }
    }
}

int currot_transport_step(const currot_step *s, tk_rng *rng, double *particles,
                          const double *success, const double *target)
{
    const size_t n = s->n, d = s->d, k = CURROT_BALL_SAMPLES;
    double *init = malloc(n * d * sizeof *init), *goal = malloc(n * d * sizeof *goal);
    double *dirs = malloc(CURROT_SWD_DIRECTIONS * d * sizeof *dirs);
    double *offsets = malloc(k * d * sizeof *offsets), *cand = malloc(d * sizeof *cand);
    currot_nw_pair *pairs = malloc(s->model->n * sizeof *pairs);
    unsigned char *reached = malloc(n);
    int rc = -1;
    if (!init || !goal || !dirs || !offsets || !cand || !pairs || !reached)
        goto out;
    memcpy(init, particles, n * d * sizeof *init);
    if (currot_ensure_successful(s, init, success, n, reached) != 0)
        goto out;
    currot_swd_directions(rng, CURROT_SWD_DIRECTIONS, d, dirs);
    if (currot_swd_move(init, target, n, d, dirs, CURROT_SWD_DIRECTIONS, goal) != 0)
        goto out;
    for (size_t i = 0; i < n * d; i++)
        goal[i] += init[i];
    currot_ball_offsets(rng, k, d, offsets);
    for (size_t i = 0; i < n; i++)
        currot_move_particle(s, init + i * d, goal + i * d, reached[i], offsets, k, cand, pairs,
                             particles + i * d);
    rc = 0;
out:
    free(init);
    free(goal);
    free(dirs);
    free(offsets);
    free(cand);
    free(pairs);
    free(reached);
    return rc;
}
