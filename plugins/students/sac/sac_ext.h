/*
 * Extension of the sac student for tests and diagnostics, obtained with
 * get_extension(self, TK_SAC_EXT_DEBUG).  It exposes the learner's losses
 * and gradients on a caller-given minibatch, so that tests check the SAC
 * losses against finite differences through the plugin ABI, and the
 * statistics of the latest update.  Not needed to run experiments.
 * All functions are [instance]; arrays are borrowed for the call.
 */
#ifndef TK_SAC_EXT_H
#define TK_SAC_EXT_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/plugin.h"

#define TK_SAC_EXT_DEBUG "teachkit.sac.debug/1"

/* Network indices for `tensor`. */
enum { TK_SAC_PI = 0, TK_SAC_Q1 = 1, TK_SAC_Q2 = 2, TK_SAC_V = 3, TK_SAC_V_TARG = 4 };

typedef struct tk_sac_debug_ext {
    uint32_t struct_size;
    /* Losses [L_pi, L_q1, L_q2, L_v] at the current parameters on the n
     * transitions (n <= batch_size; act in the policy's [-1, 1] space) with
     * policy noise[n x act_dim].  When `grads` is non-zero the networks'
     * gradient arrays (see `tensor`) receive dL_pi/dpi and
     * d(L_q1 + L_q2 + L_v)/d{q1, q2, v}.  targets_in ([2n]: y_q then y_v)
     * replaces the stop-gradient targets when non-NULL; targets_out
     * receives the targets used. */
    tk_status (*compute)(void *self, size_t n, const float *obs, const float *act,
                         const float *rew, const float *next_obs, const float *done,
                         const float *noise, const float *targets_in, float *targets_out,
                         double losses_out[4], int grads);
    /* Parameter and gradient arrays (owned by the instance) of a network. */
    tk_status (*tensor)(void *self, int which, float **params, float **grads, size_t *count);
    /* Gradient steps taken and the losses of the latest one. */
    tk_status (*stats)(void *self, uint64_t *updates, double losses_out[4]);
} tk_sac_debug_ext;

#endif
