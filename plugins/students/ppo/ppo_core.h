/*
 * The PPO learner without the plugin around it (OpenAI
 * Baselines ppo2 as adapted by TeachMyAgent:
 * TeachMyAgent/students/openai_baselines/ppo2/): the
 * actor-critic network, the clipped loss and its gradient, one optimiser
 * step.  The plugin (ppo.c) adds normalisation, rollouts, GAE and the
 * epoch/minibatch schedule.
 *
 * Network: one MLP obs -> hidden (tanh by default) -> [mean | value]
 * (A + 1 outputs): a shared trunk with a linear policy head and a linear
 * value head (value_network = 'shared'), orthogonal initialisation (gain
 * sqrt(2) for hidden layers, 0.01 for the policy head, 1 for the value
 * head, biases 0, as Baselines' fc/ortho_init), plus a state-independent
 * log-std vector initialised to init_log_std.
 */
#ifndef TK_PPO_CORE_H
#define TK_PPO_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/nn.h"
#include "teachkit/nn_io.h"
#include "teachkit/nn_optim.h"
#include "teachkit/plugin.h"

#define PPO_MAX_HIDDEN 8

typedef struct ppo_hparams {
    size_t obs_dim, act_dim;
    size_t n_hidden;
    size_t hidden[PPO_MAX_HIDDEN];
    tk_nn_activation activation;
    float leaky_slope;
    tk_nn_precision precision; /* of every network's products (nn.h) */
    tk_adam_options adam;
    float clip_range;    /* policy ratio and value clipping */
    int clip_value;      /* clip the value loss as ppo2 does */
    float vf_coef, ent_coef;
    float max_grad_norm; /* global-norm clipping, 0 = none */
    float init_log_std;
    size_t minibatch;    /* largest minibatch */
} ppo_hparams;

enum { PPO_LOSS_PG = 0, PPO_LOSS_VF, PPO_LOSS_ENTROPY, PPO_LOSS_TOTAL, PPO_LOSS_APPROX_KL,
       PPO_LOSS_CLIPFRAC, PPO_N_STATS };

/* A minibatch of n rows: normalised observations [n x O], the unclipped
 * Gaussian samples taken [n x A], their log-probabilities and the values
 * at collection time, advantages (raw: standardised here per minibatch as
 * ppo2 does) and returns. */
typedef struct ppo_batch {
    size_t n;
    const float *obs, *act, *old_logp, *old_value, *adv, *ret;
} ppo_batch;

typedef struct ppo_learner ppo_learner;

ppo_learner *ppo_learner_new(const ppo_hparams *hp, tk_rng *rng);
void ppo_learner_free(ppo_learner *l);
tk_mlp *ppo_learner_net(ppo_learner *l);
float *ppo_learner_log_std(ppo_learner *l);      /* A entries */
float *ppo_learner_log_std_grad(ppo_learner *l); /* A entries */

/* One (normalised) observation: the policy mean and the value; with
 * `noise` a sample u = mean + std noise and its log-probability. */
void ppo_learner_act(ppo_learner *l, const float *obs, const float *noise, float *u_out,
                     float *value_out, float *logp_out);
/* Values of n (normalised) observations. */
void ppo_learner_value(ppo_learner *l, const float *obs, size_t n, float *out);

/* Losses (PPO_N_STATS entries: pg, vf, entropy, total, approx-kl,
 * clip-fraction) on a minibatch; with `grads` the gradient of `total` is
 * written to the network's gradient vector and the log-std gradient.
 * logp_out / value_out ([n], optional) receive the current
 * log-probabilities and values.  -1 if n exceeds the minibatch size. */
int ppo_learner_compute(ppo_learner *l, const ppo_batch *b, double stats[PPO_N_STATS],
                        int grads, float *logp_out, float *value_out);
/* compute + global-norm clipping + Adam.  Returns the gradient norm
 * before clipping in *grad_norm (may be NULL). */
int ppo_learner_update(ppo_learner *l, const ppo_batch *b, double stats[PPO_N_STATS],
                       double *grad_norm);

/* GAE(gamma, lambda) of ppo2's runner over n steps: cont[t] = 1 when the
 * episode continues after step t; for steps that end an episode
 * next_value[t] is the value bootstrapped after it (0 for a terminal
 * state); last_value is V of the observation after step n - 1.  Writes
 * advantages and returns (= advantages + values). */
void ppo_gae(size_t n, const float *rew, const float *val, const unsigned char *cont,
             const float *next_value, float last_value, double gamma, double lam, float *adv,
             float *ret);

int ppo_learner_save(const ppo_learner *l, tk_nn_writer *w);
int ppo_learner_skip(const ppo_learner *l, tk_nn_reader *r);
int ppo_learner_load(ppo_learner *l, tk_nn_reader *r);

#endif
