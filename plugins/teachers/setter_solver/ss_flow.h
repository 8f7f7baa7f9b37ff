/*
 * Setter-Solver networks in float64 (TeachMyAgent
 * TeachMyAgent/teachers/utils/setter_solver_utils.py):
 *   - highway nets  y = tanh(W0 x + b0); 3 x { [a, g] = W y + b;
 *                   y = y + (tanh(a) - y) sigmoid(g) }; out = Wout y + bout;
 *   - soft softplus sp(x) and its derivative;
 *   - the conditional RealNVP: 3 blocks x 3 affine couplings (left->right,
 *     right->left, interlaced), each with its own scale and translation
 *     highway nets on [u, f]; scale = 0.01 + sp(S); final sigmoid;
 *   - the judge MLP (ReLU hidden layers, linear logit output);
 *   - Adam (TF1 form, as teachkit/nn_optim.h but in double).
 * Every forward pass caches what its backward pass needs; backward passes
 * ADD parameter gradients to the owner's gradient array.
 *
 * Internal to the setter-solver plugin; tests reach it through the plugin's
 * extension SS_FLOW_EXT_ID.  Objects are not thread-safe; no global state.
 */
#ifndef SS_FLOW_H
#define SS_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/plugin.h"

#define SS_FLOW_EXT_ID "teachkit.setter-solver.flow/1"

typedef struct ss_highway ss_highway;
typedef struct ss_flow ss_flow;
typedef struct ss_mlp ss_mlp;

typedef struct ss_adam {
    size_t n;
    uint64_t t;
    double lr, b1, b2, eps;
    double *m, *v; /* owned */
} ss_adam;

double ss_soft_softplus(double x);
double ss_soft_softplus_grad(double x);

/* A highway net that owns its parameters (for tests). */
ss_highway *ss_highway_new(size_t in, size_t hs, size_t out, tk_rng *rng);
void ss_highway_free(ss_highway *h);
size_t ss_highway_n_params(const ss_highway *h);
double *ss_highway_params(ss_highway *h);
double *ss_highway_grads(ss_highway *h);
/* y[n x out] = H(x[n x in]); x borrowed until the backward pass. 0 / -1. */
int ss_highway_forward(ss_highway *h, const double *x, size_t n, double *y);
/* dy[n x out] -> param grads added, dx[n x in] written when non-NULL. */
int ss_highway_backward(ss_highway *h, const double *dy, double *dx);

/* The flow for d dimensions with highway hidden size hs. */
ss_flow *ss_flow_new(size_t d, size_t hs, tk_rng *rng);
void ss_flow_free(ss_flow *f);
size_t ss_flow_n_params(const ss_flow *f);
double *ss_flow_params(ss_flow *f);
double *ss_flow_grads(ss_flow *f);
/* Sample direction: z[n x d], condition c[n] -> goals g[n x d] in (0,1),
 * logp[n] = -0.5|z|^2 - log|dg/dz| (no 2 pi constant, as the original). */
int ss_flow_forward(ss_flow *f, const double *z, const double *c, size_t n, double *g,
                    double *logp);
/* Backward through the latest ss_flow_forward: loss gradients dg[n x d]
 * (NULL = 0) and dlogp[n] (NULL = 0); dz[n x d] written when non-NULL. */
int ss_flow_forward_backward(ss_flow *f, const double *dg, const double *dlogp, double *dz);
/* Inverse: g[n x d] in (0,1) -> z[n x d], logp[n] = log-density of g. */
int ss_flow_infer(ss_flow *f, const double *g, const double *c, size_t n, double *z,
                  double *logp);
/* Backward through the latest ss_flow_infer: dz (NULL = 0), dlogp (NULL =
 * 0); dg[n x d] written when non-NULL. */
int ss_flow_infer_backward(ss_flow *f, const double *dz, const double *dlogp, double *dg);

/* ReLU MLP sizes[0..layers], linear last layer, Sonnet init. */
ss_mlp *ss_mlp_new(size_t layers, const size_t *sizes, tk_rng *rng);
void ss_mlp_free(ss_mlp *m);
size_t ss_mlp_n_params(const ss_mlp *m);
double *ss_mlp_params(ss_mlp *m);
double *ss_mlp_grads(ss_mlp *m);
int ss_mlp_forward(ss_mlp *m, const double *x, size_t n, double *y);
int ss_mlp_backward(ss_mlp *m, const double *dy, double *dx, int param_grads);

int ss_adam_init(ss_adam *a, size_t n, double lr);
void ss_adam_free(ss_adam *a);
void ss_adam_step(ss_adam *a, double *p, const double *g);

/* The extension table (function pointers to the above). */
typedef struct ss_flow_api {
    size_t struct_size;
    double (*soft_softplus)(double);
    double (*soft_softplus_grad)(double);
    ss_highway *(*highway_new)(size_t, size_t, size_t, tk_rng *);
    void (*highway_free)(ss_highway *);
    size_t (*highway_n_params)(const ss_highway *);
    double *(*highway_params)(ss_highway *);
    double *(*highway_grads)(ss_highway *);
    int (*highway_forward)(ss_highway *, const double *, size_t, double *);
    int (*highway_backward)(ss_highway *, const double *, double *);
    ss_flow *(*flow_new)(size_t, size_t, tk_rng *);
    void (*flow_free)(ss_flow *);
    size_t (*flow_n_params)(const ss_flow *);
    double *(*flow_params)(ss_flow *);
    double *(*flow_grads)(ss_flow *);
    int (*flow_forward)(ss_flow *, const double *, const double *, size_t, double *, double *);
    int (*flow_forward_backward)(ss_flow *, const double *, const double *, double *);
    int (*flow_infer)(ss_flow *, const double *, const double *, size_t, double *, double *);
    int (*flow_infer_backward)(ss_flow *, const double *, const double *, double *);
    ss_mlp *(*mlp_new)(size_t, const size_t *, tk_rng *);
    void (*mlp_free)(ss_mlp *);
    size_t (*mlp_n_params)(const ss_mlp *);
    double *(*mlp_params)(ss_mlp *);
    double *(*mlp_grads)(ss_mlp *);
    int (*mlp_forward)(ss_mlp *, const double *, size_t, double *);
    int (*mlp_backward)(ss_mlp *, const double *, double *, int);
    /* The teacher's own setter and judge (valid while it lives). */
    ss_flow *(*teacher_flow)(void *teacher);
    ss_mlp *(*teacher_judge)(void *teacher);
    /* Losses of the last update (feas, valid, cover, judge) and whether the
     * validity term was skipped for want of successes. */
    void (*teacher_losses)(void *teacher, double out[4], int *valid_skipped);
} ss_flow_api;

#endif
