/*
 * The C ABI glue the walkers' two plugin files (bw_plugin.cpp: stump- and
 * hexagon-tracks; pk_plugin.cpp: parkour) share, written once on their own
 * Instance types.  An Instance has host and ctx, env (bw::Env or pk::Env:
 * config(), reset(), step(), error()), dim (the task space), obs_low/obs_high,
 * act_low/act_high and has_task.  [instance], like the ABI calls.
 */
#ifndef BW_PLUGIN_GLUE_HPP
#define BW_PLUGIN_GLUE_HPP

#include <cmath>
#include <cstddef>
#include <new>

#include "teachkit/plugin.h"
#include "teachkit/rng.h"

namespace bw {

/* What tk_env_info says of the instance's task space, observations and
 * actions; the caller adds the return bounds and the mastery threshold,
 * then copies it within the host's struct_size (tk_env_info_write). */
template <class Instance> tk_env_info env_info(const Instance *in, size_t dims)
{
    tk_env_info info{};
    const auto &c = in->env->config();
    info.task_space.dims = dims;
    info.task_space.dim = in->dim;
    info.obs_dim = (size_t)c.obs_dim();
    info.act_dim = (size_t)c.act_dim();
    info.obs_low = in->obs_low;
    info.obs_high = in->obs_high;
    info.act_low = in->act_low;
    info.act_high = in->act_high;
    info.max_episode_steps = c.max_episode_steps;
    return info;
}

/* reset(): one seed drawn from host->rng(ctx) seeds the episode's own
 * stream, so a run seed fixes every track and each episode is reproducible
 * from (task, episode seed). */
template <class Instance> tk_status reset_episode(Instance *in, float *obs_out)
{
    if (!in->has_task)
        return in->host->error(in->ctx, TK_ERR_STATE, nullptr, "reset before set_task");
    tk_rng episode;
    tk_rng_seed(&episode, tk_rng_u64(in->host->rng(in->ctx)));
    tk_status st;
    try {
        st = in->env->reset(&episode, obs_out);
    } catch (const std::bad_alloc &) {
        return in->host->error(in->ctx, TK_ERR_NOMEM, nullptr, "out of memory building the track");
    }
    if (st != TK_OK)
        return in->host->error(in->ctx, st, nullptr, "%s", in->env->error());
    return TK_OK;
}

/* step(): non-finite actions are refused, and an allocation failure inside
 * the simulation becomes TK_ERR_NOMEM, so no exception crosses the ABI. */
template <class Instance>
tk_status step_episode(Instance *in, const float *action, float *obs_out, double *reward,
                       int *done)
{
    const int n = in->env->config().act_dim();
    for (int k = 0; k < n; k++)
        if (!std::isfinite(action[k]))
            return in->host->error(in->ctx, TK_ERR_INVALID, nullptr, "action[%d] is not finite",
                                   k);
    tk_status st;
    try {
        st = in->env->step(action, obs_out, reward, done);
    } catch (const std::bad_alloc &) {
        return in->host->error(in->ctx, TK_ERR_NOMEM, nullptr, "out of memory in a step");
    }
    if (st != TK_OK)
        return in->host->error(in->ctx, st, nullptr, "%s", in->env->error());
    return TK_OK;
}

} /* namespace bw */

#endif
