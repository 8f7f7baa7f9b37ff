/* Float32-representable task spaces.  See f32_space.h. */
#include "f32_space.h"

#include <float.h>
#include <math.h>

tk_status f32_space_check(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space)
{
    if (!space || space->dims == 0 || !space->dim)
        return host->error(ctx, TK_ERR_INVALID, NULL, "the task space has no dimension");
    for (size_t i = 0; i < space->dims; i++) {
        const tk_dim *d = &space->dim[i];
        if (!isfinite(d->low) || !isfinite(d->high) || d->low > d->high ||
            fabs(d->low) > FLT_MAX || fabs(d->high) > FLT_MAX)
            return host->error(ctx, TK_ERR_INVALID, NULL, "task dimension %zu has invalid bounds",
                               i);
    }
    return TK_OK;
}
