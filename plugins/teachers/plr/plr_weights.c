#include "plr_weights.h"

#include <math.h>
#include <stdlib.h>

/* Descending score, equal scores by ascending index: a total order on
 * finite scores, so qsort's result does not depend on its algorithm. */
static int by_rank(const void *pa, const void *pb)
{
    const plr_ranked *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

void plr_rank_weights(const double *scores, size_t n, double temperature, plr_ranked *order,
                      double *w_out)
{
    for (size_t i = 0; i < n; i++)
        order[i] = (plr_ranked){.score = scores[i], .index = i};
    qsort(order, n, sizeof *order, by_rank);
    double z = 0.0;
    for (size_t r = 0; r < n; r++) {
        const double w = pow(1.0 / (double)(r + 1), 1.0 / temperature);
        w_out[order[r].index] = w;
        z += w;
    }
    for (size_t i = 0; i < n; i++)
        w_out[i] /= z;
}

void plr_staleness_weights(const double *staleness, size_t n, double temperature, double *w_out)
{
    double z = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double s = staleness[i] > 0.0 ? staleness[i] : 0.0;
        w_out[i] = pow(s, 1.0 / temperature);
        z += w_out[i];
    }
    for (size_t i = 0; i < n; i++)
        w_out[i] = z > 0.0 ? w_out[i] / z : 1.0 / (double)n;
}

void plr_replay_weights(const double *scores, const double *staleness, size_t n,
                        double temperature, double staleness_coef,
                        double staleness_temperature, plr_ranked *order, double *scratch,
                        double *w_out)
{
    plr_rank_weights(scores, n, temperature, order, w_out);
    if (staleness_coef <= 0.0)
        return;
    plr_staleness_weights(staleness, n, staleness_temperature, scratch);
    for (size_t i = 0; i < n; i++)
        w_out[i] = (1.0 - staleness_coef) * w_out[i] + staleness_coef * scratch[i];
}
