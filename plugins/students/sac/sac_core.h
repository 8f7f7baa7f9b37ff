/*
 * The SAC learner without the plugin around it: networks, optimisers and one
 * gradient step (SpinningUp 0.1.1 SAC with a V network, as run by teachDeepRL
 * and TeachMyAgent).  The plugin (sac.c) adds the configuration, the replay
 * buffer, acting and the update schedule; tools/bench/bench_sac.c compiles
 * this file to time the step.
 *
 * Networks (all MLPs with the same hidden sizes and activation, linear
 * outputs, Glorot-uniform weights and zero biases as tf.layers.dense):
 *   pi:      obs -> hidden -> [mu | s] (2A; the two heads initialised as the
 *            separate layers of the original), tanh-squashed Gaussian head
 *   q1, q2:  [obs, a] -> hidden -> 1
 *   v:       obs -> hidden -> 1;   v_targ: copy of v, Polyak-averaged
 * One Adam optimiser for pi and one for {q1, q2, v} (stored as one Adam per
 * network, which is the same update as Adam is element-wise).
 */
#ifndef TK_SAC_CORE_H
#define TK_SAC_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/nn.h"
#include "teachkit/nn_io.h"
#include "teachkit/nn_optim.h"
#include "teachkit/plugin.h"

#define SAC_MAX_HIDDEN 8

typedef struct sac_hparams {
    size_t obs_dim, act_dim;
    size_t n_hidden;
    size_t hidden[SAC_MAX_HIDDEN];
    tk_nn_activation activation;
    float leaky_slope;
    tk_nn_precision precision; /* of every network's products (nn.h) */
    tk_adam_options adam;   /* both optimisers */
    float gamma, polyak, alpha;
    float log_std_min, log_std_max;
    size_t batch_size;      /* largest batch an update may use */
} sac_hparams;

enum { SAC_NET_PI = 0, SAC_NET_Q1, SAC_NET_Q2, SAC_NET_V, SAC_NET_V_TARG, SAC_N_NETS };
enum { SAC_LOSS_PI = 0, SAC_LOSS_Q1, SAC_LOSS_Q2, SAC_LOSS_V, SAC_N_LOSSES };

/* One minibatch, row-major, n rows: obs/next_obs [n x O], act [n x A] in
 * the policy's [-1, 1] space, rew[n], done[n] (0 or 1). */
typedef struct sac_batch {
    size_t n;
    const float *obs, *act, *rew, *next_obs, *done;
} sac_batch;

typedef struct sac_learner sac_learner;

/* Builds and initialises the networks from `rng`; NULL on failure. */
sac_learner *sac_learner_new(const sac_hparams *hp, tk_rng *rng);
void sac_learner_free(sac_learner *l);
const sac_hparams *sac_learner_hparams(const sac_learner *l);
tk_mlp *sac_learner_net(sac_learner *l, int which);

/* Losses at the current parameters on `b` with policy noise `noise`
 * [n x A]; when `grads` is non-zero the networks' gradient vectors are
 * overwritten with dL_pi/dtheta_pi and d(L_q1 + L_q2 + L_v)/dtheta_{q1,q2,v}.
 * Targets y_q = r + gamma (1 - d) V_targ(s') and y_v = min(Q1, Q2)(s, a~) -
 * alpha logp(a~) are computed unless `targets_in` ([2n]: y_q then y_v) is
 * given; they are written to `targets_out` when non-NULL.  (Frozen targets
 * let finite differences check the stop-gradient losses.)  Returns -1 if n
 * exceeds the batch size. */
int sac_learner_compute(sac_learner *l, const sac_batch *b, const float *noise,
                        const float *targets_in, float *targets_out,
                        double losses[SAC_N_LOSSES], int grads);

/* One gradient step: compute with gradients, Adam on pi and on the value
 * networks, then v_targ <- polyak v_targ + (1 - polyak) v. */
int sac_learner_update(sac_learner *l, const sac_batch *b, const float *noise,
                       double losses[SAC_N_LOSSES]);

/* Policy action in [-1, 1]^A for one observation: tanh(mu) when `noise` is
 * NULL, else tanh(mu + std noise). */
void sac_learner_act(sac_learner *l, const float *obs, const float *noise, float *action_out);

/* V(obs) for n rows (any n; processed in chunks). */
void sac_learner_value(sac_learner *l, const float *obs, size_t n, float *out);

/* FLOPs of the matrix products of one update on n rows (forward and
 * backward of every network, as docs/benchmarks.md counts them). */
double sac_learner_update_flops(const sac_learner *l, size_t n);

/* All networks and both optimisers as records "pi", "q1", ..., "adam_pi",
 * ...; load is all-or-nothing. */
int sac_learner_save(const sac_learner *l, tk_nn_writer *w);
int sac_learner_load(sac_learner *l, tk_nn_reader *r);
/* Check that the records would load and step over them. */
int sac_learner_skip(const sac_learner *l, tk_nn_reader *r);

#endif
