/*
 * The element-wise work of a dense layer: see nn_activation.h.
 */
#include "nn_activation.h"

#include <math.h>
#include <string.h>

#include "nn_matmul.h"
#include "nn_simd.h"

/* Element-wise kernels (see nn_simd.h).  Branch-free selects so that ReLU
 * signs cost no mispredictions; restrict so that the loops vectorise. */

TK_NN_KERNEL static void bias_linear(float *restrict y, const float *restrict b, size_t n,
                                     size_t out)
{
    for (size_t r = 0; r < n; r++, y += out)
        for (size_t j = 0; j < out; j++)
            y[j] += b[j];
}

TK_NN_KERNEL static void bias_relu(float *restrict y, const float *restrict b, size_t n,
                                   size_t out)
{
    for (size_t r = 0; r < n; r++, y += out)
        for (size_t j = 0; j < out; j++) {
            const float z = y[j] + b[j];
            y[j] = z > 0.0f ? z : 0.0f;
        }
}

TK_NN_KERNEL static void bias_leaky(float *restrict y, const float *restrict b, size_t n,
                                    size_t out, float slope)
{
    for (size_t r = 0; r < n; r++, y += out)
        for (size_t j = 0; j < out; j++) {
            const float z = y[j] + b[j];
            y[j] = z > 0.0f ? z : slope * z;
        }
}

/* tanh as a rational function, Eigen's generic_fast_tanh_float, which is
 * what TensorFlow evaluates for float32 tanh on CPU (EIGEN_FAST_MATH): odd
 * degree-13 / even degree-6 polynomials on x clamped to +-7.905, x itself
 * below 4e-4.  Absolute error <= 4e-7 (about 7 ulp near +-1), |y| <= 1.
 * Unlike libm's tanhf it vectorises; a 400-300 tanh network ran at a third
 * of the SGEMM speed with tanhf. */
TK_NN_KERNEL static void bias_tanh(float *restrict y, const float *restrict b, size_t n,
                                   size_t out)
{
    /* Written inline: a helper from outside the target clones is not
     * inlined into them, and the call stops vectorisation. */
    const float c = 7.90531110763549805f;
    for (size_t r = 0; r < n; r++, y += out)
        for (size_t j = 0; j < out; j++) {
            const float a = y[j] + b[j];
            const float x = a > c ? c : a < -c ? -c : a;
            const float x2 = x * x;
            float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
            p = x2 * p + -8.60467152213735e-11f;
            p = x2 * p + 5.12229709037114e-08f;
            p = x2 * p + 1.48572235717979e-05f;
            p = x2 * p + 6.37261928875436e-04f;
            p = x2 * p + 4.89352455891786e-03f;
            p = x * p;
            float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
            q = x2 * q + 2.26843463243900e-03f;
            q = x2 * q + 4.89352518554385e-03f;
            y[j] = fabsf(a) < 0.0004f ? a : p / q;
        }
}

/* y[n x out] := act(y + b) */
void nn_bias_activation(float *y, const float *b, size_t n, size_t out, tk_nn_activation act,
                            float slope)
{
    switch (act) {
    case TK_NN_LINEAR:
        bias_linear(y, b, n, out);
        break;
    case TK_NN_RELU:
        bias_relu(y, b, n, out);
        break;
    case TK_NN_TANH:
        bias_tanh(y, b, n, out);
        break;
    case TK_NN_LEAKY_RELU:
        bias_leaky(y, b, n, out, slope);
        break;
    }
}

/* act'(.) from the layer output v, as expressions: a helper function would
 * not be inlined into the target clones (their optimisation attributes
 * differ) and would cost a call per element. */
#define DERIV_RELU(v, slope) ((v) > 0.0f ? 1.0f : 0.0f)
#define DERIV_TANH(v, slope) (1.0f - (v) * (v))
#define DERIV_LEAKY(v, slope) ((v) > 0.0f ? 1.0f : (slope))

/* g *= act'(y) over `count` entries, y in float32 (name) or bf16
 * (name##16).  One straight loop each, so that every one vectorises. */
#define ACTIVATION_BACKWARD_KERNELS(name, DERIV)                                            \
    TK_NN_KERNEL static void name(float *restrict g, const float *restrict y, size_t count, \
                                  float slope)                                              \
    {                                                                                       \
        (void)slope;                                                                        \
        for (size_t i = 0; i < count; i++)                                                  \
            g[i] *= DERIV(y[i], slope);                                                     \
    }                                                                                       \
    TK_NN_KERNEL static void name##16(float *restrict g, const uint16_t *restrict y,        \
                                      size_t count, float slope)                            \
    {                                                                                       \
        (void)slope;                                                                        \
        for (size_t i = 0; i < count; i++) {                                                \
            const float v = nn_bf16_value(y[i]);                                            \
            g[i] *= DERIV(v, slope);                                                        \
        }                                                                                   \
    }

ACTIVATION_BACKWARD_KERNELS(backward_relu, DERIV_RELU)
ACTIVATION_BACKWARD_KERNELS(backward_tanh, DERIV_TANH)
ACTIVATION_BACKWARD_KERNELS(backward_leaky, DERIV_LEAKY)

void nn_activation_backward(float *g, const float *y, const uint16_t *y16, size_t count,
                            tk_nn_activation act, float slope)
{
    switch (act) {
    case TK_NN_LINEAR:
        break;
    case TK_NN_RELU:
        y ? backward_relu(g, y, count, slope) : backward_relu16(g, y16, count, slope);
        break;
    case TK_NN_TANH:
        y ? backward_tanh(g, y, count, slope) : backward_tanh16(g, y16, count, slope);
        break;
    case TK_NN_LEAKY_RELU:
        y ? backward_leaky(g, y, count, slope) : backward_leaky16(g, y16, count, slope);
        break;
    }
}

TK_NN_KERNEL void nn_bias_gradient(float *restrict db, const float *restrict g, size_t n,
                                   size_t out)
{
    for (size_t r = 0; r < n; r++, g += out)
        for (size_t j = 0; j < out; j++)
            db[j] += g[j];
}
