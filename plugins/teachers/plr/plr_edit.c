#include "plr_edit.h"

#include "teachkit/rng.h"

void plr_edit_task(tk_rng *rng, const tk_task_space *space, size_t num_edits, double scale,
                   float *task)
{
    for (size_t k = 0; k < num_edits && space->dims > 0; k++) {
        const size_t d = (size_t)tk_rng_below(rng, space->dims);
        const double lo = space->dim[d].low, hi = space->dim[d].high;
        double v = (double)task[d] + tk_rng_normal(rng) * scale * (hi - lo);
        /* Clipped in float32, as the host checks tasks against the bounds. */
        const float f = (float)v, flo = (float)lo, fhi = (float)hi;
        task[d] = f < flo ? flo : f > fhi ? fhi : f;
    }
}
