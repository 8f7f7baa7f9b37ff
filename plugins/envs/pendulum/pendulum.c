/*
 * pendulum: the swing-up pendulum of gym's classic control suite
 * (Pendulum-v1; Farama-Foundation/Gymnasium,
 * gymnasium/envs/classic_control/pendulum.py), with its mass, length and
 * maximum torque as task parameters.  Documented in docs/envs/pendulum.md.
 *
 * Dynamics (a uniform rod of mass m and length l on a pivot, th = 0 upright,
 * semi-implicit Euler with dt = 0.05):
 *     thdot' = clip(thdot + (3 g / (2 l) sin th + 3 / (m l^2) u) dt, -8, 8)
 *     th'    = th + thdot' dt
 * reward -(angle_normalize(th)^2 + 0.1 thdot^2 + 0.001 u^2) on the state
 * before the step, observation (cos th, sin th, thdot).  The episode never
 * terminates; the host truncates it after `episode_steps` steps.
 *
 * Writing the acceleration as (3 g / (2 l)) (sin th + rho a) with the action
 * a = u / max_torque shows that the task's difficulty depends on the torque
 * ratio rho = max_torque / (m g l / 2) (torque over the largest gravity
 * torque) and on the length (the natural frequency); see the doc for the
 * easy and unlearnable regions derived from it.
 *
 * Deliberate deviations from gym (docs/envs/pendulum.md):
 *  - the action is normalised: a in [-1, 1] is clipped and scaled by the
 *    task's max_torque (gym's action is the torque in [-2, 2]), so that the
 *    action box is the same for every task;
 *  - a non-finite action is rejected with TK_ERR_INVALID (gym would
 *    propagate NaN into the state).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "classic_env.h"
#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/state.h"

#define PEND_DT 0.05        /* gym's dt */
#define PEND_MAX_SPEED 8.0  /* gym's max_speed, rad/s */
#define PEND_INIT_SPEED 1.0 /* gym's reset draws thdot in [-1, 1] */
/* An episode is mastered when its return exceeds this: the swing-up may cost
 * at most 200 (about 20 steps near the bottom), and the pendulum must then be
 * held upright for the rest of the episode (docs/envs/pendulum.md). */
#define PEND_MASTERY_RETURN (-200.0)
#define PEND_MAX_EPISODE_STEPS 1000000
/* Checkpoint record (pend_save): the tag and version only, see there. */
#define PEND_STATE_TAG "PEND"
#define PEND_STATE_VERSION 1u

enum { DIM_MASS, DIM_LENGTH, DIM_TORQUE, N_DIMS };
static const char *const dim_names[N_DIMS] = {"mass", "length", "max_torque"};
/* Values a config range may take: positive masses and lengths (the dynamics
 * divide by them), non-negative torques. */
static const double dim_min[N_DIMS] = {1e-3, 1e-3, 0.0};
static const double dim_max[N_DIMS] = {1e3, 1e3, 1e3};

typedef struct pendulum {
    const tk_host_api *host;
    tk_ctx *ctx;

    double g;
    uint64_t episode_steps;
    tk_dim dim[N_DIMS];   /* the task space: the config's ranges */
    float obs_low[3], obs_high[3];
    float act_low[1], act_high[1];
    double return_low;

    /* Task of the next episode. */
    double mass, length, max_torque;
    int has_task;

    /* Episode state, rebuilt by every reset. */
    int in_episode;
    double th, thdot;
    double episode_return;

    tk_state_writer saved; /* owned, the record save() exposes */
} pendulum;

/* Python's ((x + pi) % (2 pi)) - pi: the angle in [-pi, pi). */
static double angle_normalize(double x)
{
    const double two_pi = 2.0 * M_PI;
    return x - two_pi * floor((x + M_PI) / two_pi);
}

static void pend_destroy(void *self)
{
    pendulum *env = self;
    if (!env)
        return;
    tk_state_writer_free(&env->saved);
    free(env);
}

static tk_status read_config(pendulum *env, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(env->host, env->ctx, config_json, &cfg);
    if (st != TK_OK)
        return st;
    int64_t steps = 0;
    st = classic_env_read_ranges(env->host, env->ctx, cfg, N_DIMS, dim_names, dim_min, dim_max,
                                 env->dim);
    if (st == TK_OK)
        st = tk_config_double(cfg, "g", 0.0, 1e3, &env->g);
    if (st == TK_OK)
        st = tk_config_int(cfg, "episode_steps", 1, PEND_MAX_EPISODE_STEPS, &steps);
    tk_config_free(cfg);
    env->episode_steps = (uint64_t)steps;
    return st;
}

static tk_status pend_create(const tk_host_api *host, tk_ctx *ctx, const char *config_json,
                             void **out)
{
    *out = NULL;
    pendulum *env = calloc(1, sizeof *env);
    if (!env)
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    env->host = host;
    env->ctx = ctx;
    tk_state_writer_init(&env->saved);
    tk_status st = read_config(env, config_json);
    if (st != TK_OK) {
        pend_destroy(env);
        return st;
    }
    const float obs_high[3] = {1.0f, 1.0f, (float)PEND_MAX_SPEED};
    for (int i = 0; i < 3; i++) {
        env->obs_low[i] = -obs_high[i];
        env->obs_high[i] = obs_high[i];
    }
    env->act_low[0] = -1.0f;
    env->act_high[0] = 1.0f;
    /* Every term of the step cost is bounded: |angle_normalize(th)| <= pi,
     * |thdot| <= max_speed (the initial |thdot| <= 1), |u| <= the largest
     * max_torque of the space.  So no return lies below this. */
    const double t_max = env->dim[DIM_TORQUE].high;
    env->return_low = -(double)env->episode_steps *
                      (M_PI * M_PI + 0.1 * PEND_MAX_SPEED * PEND_MAX_SPEED + 0.001 * t_max * t_max);
    *out = env;
    return TK_OK;
}

static tk_status pend_info(void *self, tk_env_info *out)
{
    const pendulum *env = self;
    /* Filled whole here, copied within the host's size (<teachkit/plugin.h>). */
    tk_env_info mine = {0}, *info = &mine;
    info->task_space.dims = N_DIMS;
    info->task_space.dim = env->dim;
    info->obs_dim = 3;
    info->act_dim = 1;
    info->obs_low = env->obs_low;
    info->obs_high = env->obs_high;
    info->act_low = env->act_low;
    info->act_high = env->act_high;
    info->return_low = env->return_low;
    info->return_high = 0.0; /* upright, at rest, no torque, from the first step */
    info->mastery_threshold = PEND_MASTERY_RETURN;
    info->max_episode_steps = env->episode_steps;
    tk_env_info_write(out, info);
    return TK_OK;
}

static tk_status pend_set_task(void *self, const float *task)
{
    pendulum *env = self;
    const tk_status st = classic_env_check_task(env->host, env->ctx, env->dim, N_DIMS, task);
    if (st != TK_OK)
        return st;
    env->mass = task[DIM_MASS];
    env->length = task[DIM_LENGTH];
    env->max_torque = task[DIM_TORQUE];
    env->has_task = 1;
    env->in_episode = 0;
    return TK_OK;
}

static void observe(const pendulum *env, float *obs_out)
{
    obs_out[0] = (float)cos(env->th);
    obs_out[1] = (float)sin(env->th);
    obs_out[2] = (float)env->thdot;
}

static tk_status pend_reset(void *self, float *obs_out)
{
    pendulum *env = self;
    if (!env->has_task)
        return env->host->error(env->ctx, TK_ERR_STATE, NULL, "reset before set_task");
    /* Two draws, in gym's order: th in [-pi, pi), then thdot in [-1, 1). */
    tk_rng *rng = env->host->rng(env->ctx);
    env->th = tk_rng_range(rng, -M_PI, M_PI);
    env->thdot = tk_rng_range(rng, -PEND_INIT_SPEED, PEND_INIT_SPEED);
    env->episode_return = 0.0;
    env->in_episode = 1;
    observe(env, obs_out);
    return TK_OK;
}

static tk_status pend_step(void *self, const float *action, float *obs_out, double *reward,
                           int *done)
{
    pendulum *env = self;
    double a;
    const tk_status st = classic_env_action(env->host, env->ctx, env->in_episode, action, &a);
    if (st != TK_OK)
        return st;
    const double u = a * env->max_torque;
    const double m = env->mass, l = env->length;
    const double th_n = angle_normalize(env->th);
    const double cost = th_n * th_n + 0.1 * env->thdot * env->thdot + 0.001 * u * u;

    double thdot = env->thdot +
                   (3.0 * env->g / (2.0 * l) * sin(env->th) + 3.0 / (m * l * l) * u) * PEND_DT;
    thdot = thdot < -PEND_MAX_SPEED ? -PEND_MAX_SPEED
                                    : thdot > PEND_MAX_SPEED ? PEND_MAX_SPEED : thdot;
    env->th += thdot * PEND_DT;
    env->thdot = thdot;

    env->episode_return -= cost;
    *reward = -cost;
    *done = 0; /* Pendulum-v1 never terminates: the host truncates */
    observe(env, obs_out);
    return TK_OK;
}

/* The episode's return so far exceeds the mastery threshold. */
static int pend_success(void *self)
{
    const pendulum *env = self;
    return env->episode_return > PEND_MASTERY_RETURN;
}

/* The host checkpoints between episodes, and every episode starts with
 * set_task and reset, which rebuild the whole state from the task and the
 * host-saved RNG stream: the record is the tag and version alone, so that a
 * checkpoint of another plugin is refused. */
static tk_status pend_save(void *self, const void **data, size_t *size)
{
    pendulum *env = self;
    return classic_env_save(env->host, env->ctx, &env->saved, PEND_STATE_TAG, PEND_STATE_VERSION,
                            data, size);
}

static tk_status pend_load(void *self, const void *data, size_t size)
{
    pendulum *env = self;
    const tk_status st = classic_env_load(env->host, env->ctx, data, size, PEND_STATE_TAG,
                                          PEND_STATE_VERSION, "pendulum");
    if (st != TK_OK)
        return st;
    env->has_task = 0;
    env->in_episode = 0;
    return TK_OK;
}

static const tk_env_vtable pend_vtable = {
    .struct_size = sizeof(tk_env_vtable),
    .create = pend_create,
    .destroy = pend_destroy,
    .info = pend_info,
    .set_task = pend_set_task,
    .reset = pend_reset,
    .step = pend_step,
    .success = pend_success,
    .evaluate = NULL,
    .save = pend_save,
    .load = pend_load,
    .get_extension = NULL,
};

static const tk_descriptor pend_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_ENV,
    .id = "pendulum",
    .name = "Pendulum swing-up",
    .version = "1.0.0",
    .description = "gym Pendulum-v1 swing-up with mass, length and max torque as task parameters",
    /* Reals written with a decimal point so that the host accepts any
     * number for them, not only integers. */
    .default_config = "{\"mass\": [0.5, 3.0], \"length\": [0.5, 2.0], "
                      "\"max_torque\": [0.1, 6.0], \"g\": 10.0, \"episode_steps\": 200}",
    .features = NULL,
    .vtable = &pend_vtable,
};

static const tk_descriptor *const pend_descriptors[] = {&pend_descriptor};

TK_PLUGIN_DESCRIPTORS(pend_descriptors);
