/*
 * Stochastic policy heads on top of an MLP's output, batched, float32.
 * Stateless functions: the forward pass recomputes nothing the backward
 * pass needs beyond what the caller passes back in (network output and
 * noise), so a head adds no allocation and no hidden state.
 *
 * 1. Tanh-squashed Gaussian (SAC; SpinningUp 0.1.1 `mlp_gaussian_policy` +
 *    `apply_squashing_func`).  The network outputs `head` = [mu | s], 2A
 *    columns per row.  With lo = log_std_min, hi = log_std_max:
 *        log_std = lo + (hi - lo) (tanh(s) + 1) / 2,   std = exp(log_std)
 *        u = mu + std * eps,        eps ~ N(0, I) given by the caller
 *        logp(u) = sum_i -((u_i - mu_i) / (std_i + 1e-8))^2 / 2 - log_std_i - log(2 pi) / 2
 *        a = tanh(u)
 *        logp(a) = logp(u) - sum_i log(clip(1 - a_i^2, 0, 1) + 1e-6)
 *    The clip passes gradients straight through (`clip_but_pass_gradient`),
 *    reproduced exactly.  The deterministic action is tanh(mu).
 *
 * 2. Diagonal Gaussian with a state-independent log-std vector (PPO;
 *    Baselines `DiagGaussianPd`): logp(x) = sum_i -((x_i - mu_i)/std_i)^2/2
 *    - log_std_i - log(2 pi)/2, entropy = sum_i log_std_i + log(2 pi e)/2.
 *
 * Row strides let the mean be a column block of a wider output (PPO's fused
 * [mean | value] layer).  All arrays are borrowed for the call.
 */
#ifndef TEACHKIT_NN_POLICY_H
#define TEACHKIT_NN_POLICY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_squashed_gaussian {
    size_t act_dim;    /* A */
    float log_std_min; /* SpinningUp: -20 */
    float log_std_max; /* SpinningUp: 2 */
} tk_squashed_gaussian;

/* Forward for n rows.  `head` [n x 2A]; `eps` [n x A] standard normal noise,
 * or NULL for the deterministic action tanh(mu) (then logp_out must be
 * NULL).  Writes action_out [n x A] and, if non-NULL, logp_out[n] = logp(a). */
void tk_sqgauss_forward(const tk_squashed_gaussian *p, size_t n, const float *head,
                        const float *eps, float *action_out, float *logp_out);

/* Backward for n rows through the same (head, eps): given dL/da ([n x A],
 * NULL = 0) and dL/dlogp(a) ([n], NULL = 0), writes dL/dhead [n x 2A]. */
void tk_sqgauss_backward(const tk_squashed_gaussian *p, size_t n, const float *head,
                         const float *eps, const float *d_action, const float *d_logp,
                         float *d_head);

/* log N(x; mean, exp(log_std)) for n rows; mean rows start every
 * `mean_stride` floats, x rows every A floats. */
void tk_diag_gaussian_logp(size_t n, size_t act_dim, const float *mean, size_t mean_stride,
                           const float *log_std, const float *x, float *logp_out);

/* Gradients of sum_r d_logp[r] * logp_r: writes dL/dmean into d_mean (rows
 * every d_mean_stride floats, only the A mean columns are touched) and ADDS
 * dL/dlog_std into d_log_std[A]. */
void tk_diag_gaussian_logp_backward(size_t n, size_t act_dim, const float *mean,
                                    size_t mean_stride, const float *log_std, const float *x,
                                    const float *d_logp, float *d_mean, size_t d_mean_stride,
                                    float *d_log_std);

/* Entropy of one row (independent of the mean). */
double tk_diag_gaussian_entropy(size_t act_dim, const float *log_std);

#ifdef __cplusplus
}
#endif

#endif
