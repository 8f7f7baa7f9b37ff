/* Scaffolding of the classic-control environments.  See classic_env.h. */
#include "classic_env.h"

#include <math.h>
#include <stdlib.h>

/* One task dimension from its config array [low, high]. */
static tk_status read_range(const tk_host_api *host, tk_ctx *ctx, tk_config *cfg,
                            const char *name, double min, double max, tk_dim *dim)
{
    double *v = NULL;
    size_t n = 0;
    tk_status st = tk_config_double_array(cfg, name, 2, min, max, &v, &n);
    if (st != TK_OK)
        return st;
    double low = v[0], high = v[1];
    free(v);
    if (low > high)
        return host->error(ctx, TK_ERR_CONFIG, name,
                           "must be a range [low, high] with low <= high, got [%g, %g]", low,
                           high);
    dim->name = name;
    dim->low = low;
    dim->high = high;
    return TK_OK;
}

tk_status classic_env_read_ranges(const tk_host_api *host, tk_ctx *ctx, tk_config *cfg, size_t n,
                                  const char *const *names, const double *min, const double *max,
                                  tk_dim *dim)
{
    tk_status st = TK_OK;
    for (size_t d = 0; d < n && st == TK_OK; d++)
        st = read_range(host, ctx, cfg, names[d], min[d], max[d], &dim[d]);
    return st;
}

tk_status classic_env_check_task(const tk_host_api *host, tk_ctx *ctx, const tk_dim *dim,
                                 size_t n, const float *task)
{
    if (!task)
        return host->error(ctx, TK_ERR_INVALID, NULL, "task is NULL");
    for (size_t d = 0; d < n; d++)
        if (!isfinite(task[d]) || task[d] < (float)dim[d].low || task[d] > (float)dim[d].high)
            return host->error(ctx, TK_ERR_INVALID, NULL,
                               "task[%zu] (%s) = %g is outside [%g, %g]", d, dim[d].name,
                               (double)task[d], dim[d].low, dim[d].high);
    return TK_OK;
}

tk_status classic_env_action(const tk_host_api *host, tk_ctx *ctx, int in_episode,
                             const float *action, double *a)
{
    if (!in_episode)
        return host->error(ctx, TK_ERR_STATE, NULL, "step outside an episode (call reset first)");
    const double v = action[0];
    if (!isfinite(v))
        return host->error(ctx, TK_ERR_INVALID, NULL, "action[0] = %g is not finite", v);
    *a = v < -1.0 ? -1.0 : v > 1.0 ? 1.0 : v;
    return TK_OK;
}

tk_status classic_env_save(const tk_host_api *host, tk_ctx *ctx, tk_state_writer *w,
                           const char tag[4], uint32_t version, const void **data, size_t *size)
{
    tk_state_writer_reset(w);
    tk_state_put_tag(w, tag, version);
    if (w->failed)
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

tk_status classic_env_load(const tk_host_api *host, tk_ctx *ctx, const void *data, size_t size,
                           const char tag[4], uint32_t version, const char *env)
{
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, tag, version);
    if (r.failed || r.pos != size)
        return host->error(ctx, TK_ERR_INVALID, NULL,
                           "saved state is not a %s record of version <= %u", env, version);
    return TK_OK;
}
