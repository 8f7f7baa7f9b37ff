/*
 * A double-precision reference of the toolkit's MLPs (<teachkit/nn.h>) and
 * the gradient check the nn suites share: forward against the reference,
 * backward (weights, biases, input) against central finite differences of
 * it (h = 1e-6 in double, so the check measures the analytic gradient, not
 * rounding).
 */
#ifndef TK_TEST_NN_REFERENCE_H
#define TK_TEST_NN_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/nn.h"
#include "teachkit/rng.h"

double tk_nn_ref_act(double z, tk_nn_activation act, double slope);
/* Forward of `net`'s architecture with parameter vector `p` (the layout of
 * tk_mlp_params) on x[n x in]; writes y[n x out]. */
void tk_nn_ref_forward(const tk_mlp *net, const double *p, const double *x, size_t n, double *y);
/* sum_ij c_ij y_ij of the reference. */
double tk_nn_ref_loss(const tk_mlp *net, const double *p, const double *x, size_t n,
                      const double *c);
void tk_nn_ref_fill(tk_rng *r, float *v, size_t n, double lo, double hi);
/* |a - b| <= atol + rtol * max(|a|, |b|), else fails naming `what` and i. */
void tk_nn_ref_close(const char *what, size_t i, double a, double b, double rtol, double atol);

/* How a gradient check compares, array by array (outputs, parameter
 * gradients, input gradients).  Element-wise (norm_rtol 0): |got - want|
 * <= atol + rtol * max(|got|, |want|), out_* for the outputs and grad_*
 * for the gradients.  In norm (norm_rtol > 0): ||got - want|| <= norm_rtol
 * ||want||, the measure for bf16, where a pre-activation rounded across
 * zero flips a ReLU and moves single gradient entries by their whole size
 * (PyTorch's autocast does the same) while the gradient as a whole stays
 * within a few percent.  Every test prints the largest relative norm
 * error it saw. */
typedef struct tk_nn_ref_check {
    tk_nn_precision precision;
    double out_rtol, out_atol;
    double grad_rtol, grad_atol;
    double norm_rtol;
    size_t param_stride; /* check every param_stride-th parameter and input (1: all) */
} tk_nn_ref_check;

/* Builds a net of the given sizes and activations (leaky slope 0.1),
 * Glorot-initialised with gain 1.5 and biases in [-0.3, 0.3], runs a
 * forward and a backward on n random rows and compares as `check` says;
 * then checks that a second backward accumulates and that an input-only
 * backward leaves the gradients alone and gives the same dx. */
void tk_nn_ref_gradient_check(size_t L, const size_t *sizes, const tk_nn_activation *acts,
                              size_t n, uint64_t seed, const tk_nn_ref_check *check);
/* The float32 check: rtol 1e-3 on gradients (1e-5 on outputs), every
 * parameter. */
void tk_nn_ref_gradient_check_fp32(size_t L, const size_t *sizes, const tk_nn_activation *acts,
                                   size_t n, uint64_t seed);

#endif
