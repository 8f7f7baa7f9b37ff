/*
 * Private to the neural-network toolkit: matrix products too small for
 * oneDNN's kernels to pay off, in float32 whatever the network's
 * precision (their cost is memory traffic, which bf16 would not shorten):
 *   - the three products of a "narrow" layer, with at most NN_NARROW_MAX
 *     outputs (value and policy heads);
 *   - the forward product of a "short" batch of at most NN_SHORT_MAX rows
 *     (acting at every env step, single queries).
 * Row-major as in nn.h: x [n x in], W [in x out], g = dL/dY [n x out].
 * `scratch` holds in * out floats (caller-owned).  No allocation, no
 * state: [thread-safe] on distinct outputs.
 */
#ifndef TK_NN_SMALL_H
#define TK_NN_SMALL_H

#include <stddef.h>

#define NN_NARROW_MAX 15
#define NN_SHORT_MAX 4

/* y = x W for n <= NN_SHORT_MAX rows, out > NN_NARROW_MAX; the caller
 * adds the bias. */
void nn_short_forward(float *y, const float *x, const float *w, size_t n, size_t in, size_t out);
/* The same for out <= NN_NARROW_MAX. */
void nn_narrow_short_forward(float *y, const float *x, const float *w, size_t n, size_t in,
                             size_t out);

/* y = x W (the caller adds the bias with the activation) */
void nn_narrow_forward(float *y, const float *x, const float *w, size_t n, size_t in, size_t out,
                       float *scratch);
/* dW += x^T g */
void nn_narrow_weight_grad(float *dw, const float *x, const float *g, size_t n, size_t in,
                           size_t out, float *scratch);
/* dx = g W^T */
void nn_narrow_input_grad(float *dx, const float *g, const float *w, size_t n, size_t in,
                          size_t out, float *scratch);

#endif
