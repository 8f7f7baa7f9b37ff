/*
 * mountain-car: gym's continuous mountain car (MountainCarContinuous-v0;
 * Farama-Foundation/Gymnasium,
 * gymnasium/envs/classic_control/continuous_mountain_car.py, after Moore
 * 1990), with the engine power and the goal position as task parameters.
 * Documented in docs/envs/mountain-car.md.
 *
 * Dynamics, one step with the action a clipped to [-1, 1]:
 *     v' = clip(v + a power - 0.0025 cos(3 p), -0.07, 0.07)
 *     p' = clip(p + v', -1.2, 0.6);  v' = 0 if p' == -1.2 and v' < 0
 * The episode terminates when p' >= goal and v' >= 0, with reward 100; every
 * step costs 0.1 a^2.  Start: p uniform in [-0.6, -0.4), v = 0.
 *
 * The height of the track is proportional to sin(3 p), so the car's energy
 * E = v^2 / 2 + (0.0025 / 3) sin(3 p) changes only through the engine (by at
 * most power * |v| per step) and the inelastic left wall; that gives the
 * unlearnable frontier of the doc.
 *
 * Deliberate deviations from gym (docs/envs/mountain-car.md):
 *  - the action cost uses the clipped action (gym squares the raw one), so
 *    that the return range is bounded;
 *  - the state is kept in double between steps (gym stores it as float32);
 *    observations are float32 as in gym;
 *  - a non-finite action is rejected with TK_ERR_INVALID.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "classic_env.h"
#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/state.h"

#define MC_MIN_POSITION (-1.2)
#define MC_MAX_POSITION 0.6
#define MC_MAX_SPEED 0.07
#define MC_GRAVITY 0.0025     /* coefficient of the -cos(3 p) slope term */
#define MC_GOAL_REWARD 100.0
#define MC_ACTION_COST 0.1    /* per unit of squared action and step */
#define MC_START_LOW (-0.6)
#define MC_START_HIGH (-0.4)
/* With at most 999 steps the action costs of a whole episode are at most
 * 99.9 < MC_GOAL_REWARD, so `return > 0` holds exactly when the goal was
 * reached: the host's evaluation (return > mastery_threshold) and success()
 * then agree.  999 is gym's time limit. */
#define MC_MAX_EPISODE_STEPS 999
/* Checkpoint record (mc_save): the tag and version only, see there. */
#define MC_STATE_TAG "MCAR"
#define MC_STATE_VERSION 1u

enum { DIM_POWER, DIM_GOAL, N_DIMS };
static const char *const dim_names[N_DIMS] = {"power", "goal_position"};
/* Goals lie right of the start region, on or before the right wall. */
static const double dim_min[N_DIMS] = {0.0, MC_START_HIGH};
static const double dim_max[N_DIMS] = {1.0, MC_MAX_POSITION};

typedef struct mountain_car {
    const tk_host_api *host;
    tk_ctx *ctx;

    uint64_t episode_steps;
    tk_dim dim[N_DIMS];
    float obs_low[2], obs_high[2];
    float act_low[1], act_high[1];

    /* Task of the next episode. */
    double power, goal;
    int has_task;

    /* Episode state, rebuilt by every reset. */
    int in_episode;
    int reached;
    double p, v;

    tk_state_writer saved; /* owned, the record save() exposes */
} mountain_car;

static void mc_destroy(void *self)
{
    mountain_car *env = self;
    if (!env)
        return;
    tk_state_writer_free(&env->saved);
    free(env);
}

static tk_status read_config(mountain_car *env, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(env->host, env->ctx, config_json, &cfg);
    if (st != TK_OK)
        return st;
    int64_t steps = 0;
    st = classic_env_read_ranges(env->host, env->ctx, cfg, N_DIMS, dim_names, dim_min, dim_max,
                                 env->dim);
    if (st == TK_OK)
        st = tk_config_int(cfg, "episode_steps", 1, MC_MAX_EPISODE_STEPS, &steps);
    tk_config_free(cfg);
    env->episode_steps = (uint64_t)steps;
    return st;
}

static tk_status mc_create(const tk_host_api *host, tk_ctx *ctx, const char *config_json,
                           void **out)
{
    *out = NULL;
    mountain_car *env = calloc(1, sizeof *env);
    if (!env)
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    env->host = host;
    env->ctx = ctx;
    tk_state_writer_init(&env->saved);
    tk_status st = read_config(env, config_json);
    if (st != TK_OK) {
        mc_destroy(env);
        return st;
    }
    env->obs_low[0] = (float)MC_MIN_POSITION;
    env->obs_high[0] = (float)MC_MAX_POSITION;
    env->obs_low[1] = (float)-MC_MAX_SPEED;
    env->obs_high[1] = (float)MC_MAX_SPEED;
    env->act_low[0] = -1.0f;
    env->act_high[0] = 1.0f;
    *out = env;
    return TK_OK;
}

static tk_status mc_info(void *self, tk_env_info *out)
{
    const mountain_car *env = self;
    /* Filled whole here, copied within the host's size (<teachkit/plugin.h>). */
    tk_env_info mine = {0}, *info = &mine;
    info->task_space.dims = N_DIMS;
    info->task_space.dim = env->dim;
    info->obs_dim = 2;
    info->act_dim = 1;
    info->obs_low = env->obs_low;
    info->obs_high = env->obs_high;
    info->act_low = env->act_low;
    info->act_high = env->act_high;
    /* Full throttle for the whole episode without reaching the goal, and the
     * goal reward without any action cost. */
    info->return_low = -MC_ACTION_COST * (double)env->episode_steps;
    info->return_high = MC_GOAL_REWARD;
    /* Exact: a successful return is >= 100 - 0.1 * 999 > 0, a failed one <= 0. */
    info->mastery_threshold = 0.0;
    info->max_episode_steps = env->episode_steps;
    tk_env_info_write(out, info);
    return TK_OK;
}

static tk_status mc_set_task(void *self, const float *task)
{
    mountain_car *env = self;
    const tk_status st = classic_env_check_task(env->host, env->ctx, env->dim, N_DIMS, task);
    if (st != TK_OK)
        return st;
    env->power = task[DIM_POWER];
    env->goal = task[DIM_GOAL];
    env->has_task = 1;
    env->in_episode = 0;
    return TK_OK;
}

static void observe(const mountain_car *env, float *obs_out)
{
    obs_out[0] = (float)env->p;
    obs_out[1] = (float)env->v;
}

static tk_status mc_reset(void *self, float *obs_out)
{
    mountain_car *env = self;
    if (!env->has_task)
        return env->host->error(env->ctx, TK_ERR_STATE, NULL, "reset before set_task");
    env->p = tk_rng_range(env->host->rng(env->ctx), MC_START_LOW, MC_START_HIGH);
    env->v = 0.0;
    env->reached = 0;
    env->in_episode = 1;
    observe(env, obs_out);
    return TK_OK;
}

static tk_status mc_step(void *self, const float *action, float *obs_out, double *reward,
                         int *done)
{
    mountain_car *env = self;
    double a;
    const tk_status st = classic_env_action(env->host, env->ctx, env->in_episode, action, &a);
    if (st != TK_OK)
        return st;

    double v = env->v + a * env->power - MC_GRAVITY * cos(3.0 * env->p);
    v = v < -MC_MAX_SPEED ? -MC_MAX_SPEED : v > MC_MAX_SPEED ? MC_MAX_SPEED : v;
    double p = env->p + v;
    p = p < MC_MIN_POSITION ? MC_MIN_POSITION : p > MC_MAX_POSITION ? MC_MAX_POSITION : p;
    if (p == MC_MIN_POSITION && v < 0.0)
        v = 0.0; /* inelastic left wall */
    env->p = p;
    env->v = v;

    env->reached = p >= env->goal && v >= 0.0;
    *reward = (env->reached ? MC_GOAL_REWARD : 0.0) - MC_ACTION_COST * a * a;
    *done = env->reached;
    if (env->reached)
        env->in_episode = 0;
    observe(env, obs_out);
    return TK_OK;
}

/* The episode that just ended reached the goal. */
static int mc_success(void *self)
{
    const mountain_car *env = self;
    return env->reached;
}

/* Nothing outlives an episode (set_task and reset rebuild the state from the
 * task and the host-saved RNG stream), and the host checkpoints between
 * episodes: the record is the tag and version alone, so that a checkpoint
 * of another plugin is refused. */
static tk_status mc_save(void *self, const void **data, size_t *size)
{
    mountain_car *env = self;
    return classic_env_save(env->host, env->ctx, &env->saved, MC_STATE_TAG, MC_STATE_VERSION,
                            data, size);
}

static tk_status mc_load(void *self, const void *data, size_t size)
{
    mountain_car *env = self;
    const tk_status st = classic_env_load(env->host, env->ctx, data, size, MC_STATE_TAG,
                                          MC_STATE_VERSION, "mountain-car");
    if (st != TK_OK)
        return st;
    env->has_task = 0;
    env->in_episode = 0;
    env->reached = 0;
    return TK_OK;
}

static const tk_env_vtable mc_vtable = {
    .struct_size = sizeof(tk_env_vtable),
    .create = mc_create,
    .destroy = mc_destroy,
    .info = mc_info,
    .set_task = mc_set_task,
    .reset = mc_reset,
    .step = mc_step,
    .success = mc_success,
    .evaluate = NULL,
    .save = mc_save,
    .load = mc_load,
    .get_extension = NULL,
};

static const tk_descriptor mc_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_ENV,
    .id = "mountain-car",
    .name = "Continuous mountain car",
    .version = "1.0.0",
    .description = "gym MountainCarContinuous-v0 with engine power and goal position as task "
                   "parameters",
    .default_config = "{\"power\": [0.0, 0.003], \"goal_position\": [0.1, 0.55], "
                      "\"episode_steps\": 999}",
    .features = NULL,
    .vtable = &mc_vtable,
};

static const tk_descriptor *const mc_descriptors[] = {&mc_descriptor};

TK_PLUGIN_DESCRIPTORS(mc_descriptors);
