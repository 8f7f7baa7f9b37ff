/* The rules the two GMM teachers share.  See gmm_teacher.h. */
#include "gmm_teacher.h"

#include <math.h>
#include <stdlib.h>

#include "teachkit/rng.h"

tk_status gmm_teacher_sample(const tk_host_api *host, tk_ctx *ctx, const tk_gmm_teacher_config *cfg,
                             uint64_t n, const tk_gmm *gmm, const double *scores,
                             const tk_task_space *space, double *scratch, float *task_out)
{
    tk_rng *rng = host->rng(ctx);
    /* Short-circuit order matters for the RNG stream. */
    if (n < (uint64_t)cfg->bootstrap || tk_rng_uniform(rng) < cfg->random_task_ratio || !gmm) {
        tk_rng_uniform_task(rng, space, task_out);
        return TK_OK;
    }
    size_t c = tk_rng_proportional(rng, scores, gmm->k);
    if (tk_gmm_sample_task(gmm, c, space, rng, scratch, task_out))
        return host->error(ctx, TK_ERR_NUMERIC, NULL,
                           "component %zu of the mixture gave a non-finite task", c);
    return TK_OK;
}

tk_status gmm_teacher_check_outcome(const tk_host_api *host, tk_ctx *ctx, const float *task,
                                    size_t dims, double episode_return)
{
    for (size_t i = 0; i < dims; i++)
        if (!isfinite(task[i]))
            return host->error(ctx, TK_ERR_INVALID, NULL, "task[%zu] is not finite", i);
    if (!isfinite(episode_return))
        return host->error(ctx, TK_ERR_INVALID, NULL, "the episode return is not finite");
    return TK_OK;
}

void gmm_teacher_warn_no_fit(const tk_host_api *host, tk_ctx *ctx, uint64_t n)
{
    host->log(ctx, TK_LOG_WARN,
              "episode %llu: no candidate mixture could be fitted; sampling uniformly until the "
              "next fit", (unsigned long long)n);
}

tk_status gmm_teacher_snapshot(const tk_host_api *host, tk_ctx *ctx, const tk_gmm *gmm,
                               size_t task_dim, const double *scores, uint64_t fits, char **text,
                               const char **json_out)
{
    free(*text);
    *text = tk_gmm_snapshot_json(gmm, task_dim, "alp", scores, fits);
    *json_out = *text;
    if (!*text)
        return host->error(ctx, TK_ERR_INTERNAL, NULL,
                           "cannot build the snapshot (out of memory or non-finite value)");
    return TK_OK;
}

int gmm_teacher_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}
