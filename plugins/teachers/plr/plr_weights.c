#include "plr_weights.h"

#include <math.h>

void plr_rank_weights(const double *scores, size_t n, double temperature, size_t *order,
                      double *w_out)
{
    /* Insertion sort by descending score, stable on index: buffers hold a
     * few thousand levels and are ranked once per replay. */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && scores[order[j - 1]] < scores[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    double z = 0.0;
    for (size_t r = 0; r < n; r++) {
        const double w = pow(1.0 / (double)(r + 1), 1.0 / temperature);
        w_out[order[r]] = w;
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
                        double staleness_temperature, size_t *order, double *scratch,
                        double *w_out)
{
    plr_rank_weights(scores, n, temperature, order, w_out);
    if (staleness_coef <= 0.0)
        return;
    plr_staleness_weights(staleness, n, staleness_temperature, scratch);
    for (size_t i = 0; i < n; i++)
        w_out[i] = (1.0 - staleness_coef) * w_out[i] + staleness_coef * scratch[i];
}
