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
#define DERIV_LINEAR(v, slope) ((void)(v), 1.0f)
#define DERIV_RELU(v, slope) ((v) > 0.0f ? 1.0f : 0.0f)
#define DERIV_TANH(v, slope) (1.0f - (v) * (v))
#define DERIV_LEAKY(v, slope) ((v) > 0.0f ? 1.0f : (slope))

/* One kernel per activation; the NULL tests are loop-invariant and GCC
 * unswitches them at -O3. */
#define ACTIVATION_BACKWARD_KERNEL(name, DERIV)                                             \
    TK_NN_KERNEL static void name(float *restrict g, uint16_t *restrict g16,                \
                                  const float *restrict y, const uint16_t *restrict y16,    \
                                  float *restrict db, size_t n, size_t out, float slope)    \
    {                                                                                       \
        (void)slope;                                                                        \
        for (size_t r = 0; r < n; r++) {                                                    \
            float *gr = g + r * out;                                                        \
            for (size_t j = 0; j < out; j++) {                                              \
                const float v = y ? y[r * out + j] : nn_bf16_value(y16[r * out + j]);       \
                const float d = gr[j] * DERIV(v, slope);                                    \
                if (g16)                                                                    \
                    g16[r * out + j] = nn_bf16_round(d);                                    \
                else                                                                        \
                    gr[j] = d;                                                              \
                if (db)                                                                     \
                    db[j] += d;                                                             \
            }                                                                               \
        }                                                                                   \
    }

ACTIVATION_BACKWARD_KERNEL(backward_linear, DERIV_LINEAR)
ACTIVATION_BACKWARD_KERNEL(backward_relu, DERIV_RELU)
ACTIVATION_BACKWARD_KERNEL(backward_tanh, DERIV_TANH)
ACTIVATION_BACKWARD_KERNEL(backward_leaky, DERIV_LEAKY)

void nn_activation_backward(float *g, uint16_t *g16, const float *y, const uint16_t *y16,
                            float *db, size_t n, size_t out, tk_nn_activation act, float slope)
{
    switch (act) {
    case TK_NN_LINEAR:
        backward_linear(g, g16, y, y16, db, n, out, slope);
        break;
    case TK_NN_RELU:
        backward_relu(g, g16, y, y16, db, n, out, slope);
        break;
    case TK_NN_TANH:
        backward_tanh(g, g16, y, y16, db, n, out, slope);
        break;
    case TK_NN_LEAKY_RELU:
        backward_leaky(g, g16, y, y16, db, n, out, slope);
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
