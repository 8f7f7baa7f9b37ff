/*
 * Private to the neural-network toolkit: the element-wise work of a dense
 * layer around its matrix products (nn.c): bias and activation after the
 * forward product, the activation's derivative and the bias gradient
 * before the backward products.  Compiled as TK_NN_KERNEL (nn_simd.h):
 * every clone gives the same bits.  Row-major [n x out] arrays; no state,
 * [thread-safe] on distinct outputs.
 */
#ifndef TK_NN_ACTIVATION_H
#define TK_NN_ACTIVATION_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/nn.h"

/* y := act(y + b), b a row of `out` biases. */
void nn_bias_activation(float *y, const float *b, size_t n, size_t out, tk_nn_activation act,
                        float slope);

/* The backward step through a layer's activation, in place: with g =
 * dL/dY and y the layer's output (float32 `y`, or bf16 `y16` when the
 * layer wrote bf16; the other NULL), g *= act'(y) over `count` entries,
 * computed from the output (relu: y > 0, tanh: 1 - y^2, leaky relu:
 * y > 0; at exactly 0 TensorFlow's choice).  Nothing for linear layers. */
void nn_activation_backward(float *g, const float *y, const uint16_t *y16, size_t count,
                            tk_nn_activation act, float slope);

/* db[j] += sum_r g[r][j], rows in order: a layer's bias gradient. */
void nn_bias_gradient(float *db, const float *g, size_t n, size_t out);

#endif
