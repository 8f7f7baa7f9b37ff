/*
 * Extension of the ppo student for tests and diagnostics, obtained with
 * get_extension(self, TK_PPO_EXT_DEBUG): the loss and its gradient on a
 * caller-given minibatch (finite-difference checks through the ABI), the
 * observation normaliser and training statistics.  Not needed to run
 * experiments.  All functions are [instance]; arrays borrowed for the call.
 */
#ifndef TK_PPO_EXT_H
#define TK_PPO_EXT_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/plugin.h"

#define TK_PPO_EXT_DEBUG "teachkit.ppo.debug/1"

enum { TK_PPO_NET = 0, TK_PPO_LOG_STD = 1 };

/* Statistics: [pg loss, value loss, entropy, total loss, approx KL, clip
 * fraction]. */
#define TK_PPO_N_STATS 6

typedef struct tk_ppo_debug_ext {
    uint32_t struct_size;
    /* Loss statistics on n rows (n <= minibatch_size) of normalised
     * observations, unclipped actions, old log-probabilities, old values,
     * raw advantages and returns.  With `grads` the gradient of the total
     * loss goes to the gradient arrays of `tensor`.  logp_out / value_out
     * (optional, [n]) receive the current log-probabilities and values. */
    tk_status (*compute)(void *self, size_t n, const float *obs_norm, const float *act,
                         const float *old_logp, const float *old_value, const float *adv,
                         const float *ret, double stats_out[TK_PPO_N_STATS], int grads,
                         float *logp_out, float *value_out);
    /* Parameter and gradient arrays: the network or the log-std vector. */
    tk_status (*tensor)(void *self, int which, float **params, float **grads, size_t *count);
    /* The observation normaliser's running mean, variance and count
     * (obs_dim entries each for mean and var) and the reward normaliser's
     * return variance and count. */
    tk_status (*normalizer)(void *self, double *obs_mean, double *obs_var, double *obs_count,
                            double *ret_var, double *ret_count);
    /* Optimisation rounds done (one per full rollout), minibatch updates,
     * and the statistics of the latest minibatch. */
    tk_status (*stats)(void *self, uint64_t *rollouts, uint64_t *updates,
                       double stats_out[TK_PPO_N_STATS]);
    /* The GAE computation the student uses (a pure function): n steps,
     * cont[t] = 1 when the episode continues after step t, next_value[t]
     * the bootstrap after an episode-ending step (0 if terminal),
     * last_value = V after step n - 1; writes adv[n] and ret[n]. */
    void (*gae)(size_t n, const float *rew, const float *val, const unsigned char *cont,
                const float *next_value, float last_value, double gamma, double lam, float *adv,
                float *ret);
} tk_ppo_debug_ext;

#endif
