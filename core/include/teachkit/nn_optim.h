/*
 * First-order optimisers and vector helpers for the float32 parameter
 * vectors of <teachkit/nn.h> (any float array works: a network's
 * tk_mlp_params, a free log-std vector...).
 *
 * The update rules follow TensorFlow 1.x, which both reference students
 * (SpinningUp 0.1.1 SAC and Baselines ppo2) ran on:
 *
 *   Adam (tf.train.AdamOptimizer, Kingma & Ba 2015 section 2 "efficient
 *   version"): t += 1; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 *   lr_t = lr sqrt(1 - b2^t) / (1 - b1^t); p -= lr_t m / (sqrt(v) + eps).
 *   Note eps is added to sqrt(v) before the bias correction: PyTorch adds it
 *   after (p -= lr m_hat / (sqrt(v_hat) + eps)); the two coincide for eps = 0
 *   and differ noticeably only while v is tiny.
 *
 *   RMSProp (tf.train.RMSPropOptimizer, centered = false):
 *   ms = decay ms + (1-decay) g^2; mom = momentum mom + lr g / sqrt(ms + eps);
 *   p -= mom.  TF defaults: decay 0.9, momentum 0, eps 1e-10.
 *
 * Optimiser state is owned by the optimiser; one optimiser serves one
 * parameter array of a fixed length.  [instance]
 */
#ifndef TEACHKIT_NN_OPTIM_H
#define TEACHKIT_NN_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_adam_options {
    float lr;    /* TF default 1e-3 */
    float beta1; /* 0.9 */
    float beta2; /* 0.999 */
    float eps;   /* 1e-8 (ppo2 uses 1e-5) */
} tk_adam_options;

typedef struct tk_adam {
    tk_adam_options opt;
    size_t n;
    uint64_t t; /* steps taken */
    float *m;   /* owned, n entries */
    float *v;   /* owned, n entries */
} tk_adam;

/* TF defaults (1e-3, 0.9, 0.999, 1e-8). */
tk_adam_options tk_adam_defaults(void);
/* NULL on invalid options (lr < 0, betas outside [0, 1), eps < 0) or out of
 * memory. */
tk_adam *tk_adam_new(size_t n, const tk_adam_options *opt);
void tk_adam_free(tk_adam *adam);
/* One step on params[n] with grads[n]. */
void tk_adam_step(tk_adam *adam, float *params, const float *grads);

typedef struct tk_rmsprop_options {
    float lr;
    float decay;    /* 0.9 */
    float momentum; /* 0 */
    float eps;      /* 1e-10 */
} tk_rmsprop_options;

typedef struct tk_rmsprop {
    tk_rmsprop_options opt;
    size_t n;
    uint64_t t;
    float *ms;  /* owned; initialised to 1 as in TF1 (RMSProp slot "rms") */
    float *mom; /* owned; 0 */
} tk_rmsprop;

tk_rmsprop_options tk_rmsprop_defaults(void); /* lr 1e-3, decay 0.9, momentum 0, eps 1e-10 */
tk_rmsprop *tk_rmsprop_new(size_t n, const tk_rmsprop_options *opt);
void tk_rmsprop_free(tk_rmsprop *rms);
void tk_rmsprop_step(tk_rmsprop *rms, float *params, const float *grads);

/* Sum of squares of v[n], accumulated in double. */
double tk_nn_sum_squares(const float *v, size_t n);
/* v[n] *= s */
void tk_nn_scale(float *v, size_t n, float s);
/* Polyak averaging: target = rho target + (1 - rho) source. */
void tk_nn_polyak(float *target, const float *source, size_t n, float rho);
/* 1 if every entry of v[n] is finite. */
int tk_nn_all_finite(const float *v, size_t n);

#ifdef __cplusplus
}
#endif

#endif
