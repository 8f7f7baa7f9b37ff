/*
 * Multi-layer perceptrons, batched, with float32 parameters and every
 * matrix product on oneDNN's matmul primitive, in float32 or in bfloat16
 * with float32 accumulation (tk_mlp_set_precision).
 *
 * Module map of the neural-network toolkit (docs/nn.md is the guide):
 *   teachkit/nn.h         MLPs: layout, initialisation, forward, backward
 *   teachkit/nn_optim.h   Adam, RMSProp, gradient norms, Polyak averaging
 *   teachkit/nn_policy.h  Gaussian and tanh-squashed Gaussian policy heads
 *   teachkit/nn_replay.h  FIFO replay buffer of transitions
 *   teachkit/nn_io.h      self-describing binary records (save/load)
 *
 * Layout.  An MLP has L dense layers; layer l maps `sizes[l]` inputs to
 * `sizes[l+1]` outputs: Y = act_l(X W_l + b_l), X is [n x in] row-major,
 * W_l is [in x out] row-major, b_l has `out` entries.  All parameters live
 * in ONE contiguous float array (W_0, b_0, W_1, b_1, ...) and the gradients
 * in a second array of the same layout, so optimisers, Polyak averaging,
 * gradient clipping and save/load treat a network as one vector.
 *
 * Forward activations are kept in a separate tk_mlp_tape, so one network can
 * be run on several batches before backpropagating through each (SAC
 * evaluates Q1 on (s, a) and on (s, pi(s)) with the same weights), and
 * parameters may be read by several threads while each uses its own tape.
 *
 * Precision.  TK_NN_FP32 (the default) multiplies in float32.  TK_NN_BF16
 * rounds both operands of every product of a forward or backward pass of
 * at least TK_NN_BF16_MIN_ROWS rows to bfloat16 and accumulates in
 * float32: PyTorch's autocast recipe.  Parameters, gradients, optimiser
 * state, activations' derivatives and losses stay float32.  Narrower
 * batches (acting, single queries) multiply in float32: their products are
 * bound by reading the weights, where bf16 saves no time and would only
 * add rounding.  bf16 needs a CPU that multiplies it natively (AMX or
 * AVX512-BF16, tk_nn_bf16_native).  Results are deterministic for a given
 * precision, CPU and thread count; oneDNN picks kernels by CPU, so other
 * CPUs round differently.
 *
 * Conventions: functions returning int return 0 on success and -1 on
 * invalid arguments or allocation failure; nothing aborts.  Thread rules:
 * a tk_mlp or tape is never entered from two threads at once, except that
 * tk_mlp_forward only reads the network (distinct tapes may run in
 * parallel; each tape keeps its own planned products).  Randomness comes
 * only from the tk_rng passed in.
 */
#ifndef TEACHKIT_NN_H
#define TEACHKIT_NN_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tk_nn_activation {
    TK_NN_LINEAR = 0,
    TK_NN_RELU = 1,
    TK_NN_TANH = 2,
    TK_NN_LEAKY_RELU = 3 /* y = x for x > 0, slope * x otherwise (slope in (0, 1)) */
} tk_nn_activation;

/* Name of an activation ("linear", "relu", "tanh", "leaky_relu"), and the
 * reverse lookup (-1 if unknown). */
const char *tk_nn_activation_name(tk_nn_activation act);
int tk_nn_activation_parse(const char *name);

typedef enum tk_nn_precision {
    TK_NN_FP32 = 0,
    TK_NN_BF16 = 1 /* bf16 operands, float32 accumulation (see above) */
} tk_nn_precision;

/* Batches of fewer rows multiply in float32 even under TK_NN_BF16. */
#define TK_NN_BF16_MIN_ROWS 64

/* 1 when this CPU multiplies bf16 natively (AMX or AVX512-BF16), which
 * TK_NN_BF16 requires; 0 otherwise. [thread-safe] */
int tk_nn_bf16_native(void);

/* What runs the products on this machine, for logs and `teachkit list
 * --system`.  Strings are static, valid for the process. */
typedef struct tk_nn_backend_info {
    const char *library;     /* "oneDNN 2.6.3" */
    const char *isa;         /* the instruction set oneDNN dispatches to, e.g. "avx512_core_amx" */
    const char *fp32_kernel; /* oneDNN's kernel for a 256x256x256 float32 product */
    const char *bf16_kernel; /* the same in bf16; "none" without native bf16 */
    int bf16_native;         /* tk_nn_bf16_native() */
} tk_nn_backend_info;

/* Fills `out` (the first call plans two small products). [thread-safe] */
void tk_nn_backend_describe(tk_nn_backend_info *out);

typedef enum tk_nn_init {
    /* U(-l, l), l = gain * sqrt(6 / (fan_in + fan_out)): TF1 tf.layers.dense
     * default (gain 1), used by SpinningUp SAC. */
    TK_NN_INIT_GLOROT_UNIFORM = 0,
    /* Orthonormal columns (or rows when out > in) times `gain`, from the QR
     * decomposition of a standard normal matrix with the sign fix of
     * Mezzadri (2007): OpenAI Baselines ortho_init, used by ppo2. */
    TK_NN_INIT_ORTHOGONAL = 1,
    TK_NN_INIT_ZERO = 2
} tk_nn_init;

typedef struct tk_mlp tk_mlp;           /* opaque; owns parameters and gradients */
typedef struct tk_mlp_tape tk_mlp_tape; /* opaque; activations of one batch */

/* New network with `n_layers` dense layers, sizes[0..n_layers] (input,
 * hidden..., output) and acts[0..n_layers-1] (the last is usually
 * TK_NN_LINEAR).  `leaky_slope` is used by TK_NN_LEAKY_RELU layers (ignored
 * otherwise).  Parameters and gradients start at zero.  NULL on invalid
 * sizes or out of memory. */
tk_mlp *tk_mlp_new(size_t n_layers, const size_t *sizes, const tk_nn_activation *acts,
                   float leaky_slope);
void tk_mlp_free(tk_mlp *net);
/* A new network with the same architecture and parameters (gradients zero). */
tk_mlp *tk_mlp_clone(const tk_mlp *net);

size_t tk_mlp_n_layers(const tk_mlp *net);
size_t tk_mlp_size(const tk_mlp *net, size_t i); /* sizes[i], i in [0, n_layers] */
tk_nn_activation tk_mlp_activation(const tk_mlp *net, size_t layer);
float tk_mlp_leaky_slope(const tk_mlp *net);
size_t tk_mlp_in_dim(const tk_mlp *net);
size_t tk_mlp_out_dim(const tk_mlp *net);
size_t tk_mlp_n_params(const tk_mlp *net);
/* Multiply-accumulates of one forward pass per sample (sum of in * out). */
size_t tk_mlp_macs(const tk_mlp *net);

/* The precision of the network's products (TK_NN_FP32 at creation;
 * copied by tk_mlp_clone).  Setting TK_NN_BF16 fails (-1) where
 * tk_nn_bf16_native() is 0.  Takes effect at the next forward pass. */
int tk_mlp_set_precision(tk_mlp *net, tk_nn_precision precision);
tk_nn_precision tk_mlp_precision(const tk_mlp *net);

/* The parameter and gradient vectors (tk_mlp_n_params floats each, owned by
 * the network, valid until tk_mlp_free). */
float *tk_mlp_params(tk_mlp *net);
const float *tk_mlp_params_const(const tk_mlp *net);
float *tk_mlp_grads(tk_mlp *net);
/* Views into them: W_l ([in x out] row-major) and b_l. */
float *tk_mlp_weight(tk_mlp *net, size_t layer);
float *tk_mlp_bias(tk_mlp *net, size_t layer);
float *tk_mlp_weight_grad(tk_mlp *net, size_t layer);
float *tk_mlp_bias_grad(tk_mlp *net, size_t layer);
void tk_mlp_zero_grad(tk_mlp *net);
/* Copy parameters from a network of identical architecture (-1 otherwise). */
int tk_mlp_copy_params(tk_mlp *dst, const tk_mlp *src);

/* Initialise every layer's weights with `scheme` and `gain`, biases to 0. */
int tk_mlp_init(tk_mlp *net, tk_nn_init scheme, float gain, tk_rng *rng);
/* Initialise only output columns [col0, col1) of layer `layer` (weights and
 * the matching biases, set to 0), the block treated as its own matrix of
 * fan_out = col1 - col0.  Several heads fused into one output layer (mean
 * and log-std; policy and value) are initialised as the separate layers of
 * the original implementations this way. */
int tk_mlp_init_block(tk_mlp *net, size_t layer, size_t col0, size_t col1, tk_nn_init scheme,
                      float gain, tk_rng *rng);

/* A tape for batches of up to `max_batch` rows. */
tk_mlp_tape *tk_mlp_tape_new(const tk_mlp *net, size_t max_batch);
void tk_mlp_tape_free(tk_mlp_tape *tape);
size_t tk_mlp_tape_max_batch(const tk_mlp_tape *tape);

/* Forward pass of `n` rows (n <= max_batch) of `x` ([n x in], row-major,
 * borrowed: it must stay unchanged until the backward pass that uses this
 * tape, which reads it for the first layer's weight gradient).  Returns the
 * outputs [n x out], owned by the tape and valid until its next forward;
 * NULL if n is 0 or too large. */
const float *tk_mlp_forward(const tk_mlp *net, tk_mlp_tape *tape, const float *x, size_t n);

/* Backward pass through the latest forward on `tape`.  `dy` is dL/dY for
 * the n output rows ([n x out], borrowed).  When `param_grads` is non-zero
 * dL/dW and dL/db are ADDED to the network's gradient vector (zero it
 * first with tk_mlp_zero_grad); when `dx` is non-NULL dL/dX ([n x in]) is
 * written there.  With param_grads 0 the network is only read: this is the
 * "gradient through a critic to its input" case.  Returns -1 if the tape
 * holds no forward pass. */
int tk_mlp_backward(tk_mlp *net, tk_mlp_tape *tape, const float *dy, float *dx,
                    int param_grads);

/* FLOPs (2 per multiply-accumulate) of the matrix products of one backward
 * pass of n rows with the given options: what tk_mlp_backward performs. */
double tk_mlp_backward_flops(const tk_mlp *net, size_t n, int param_grads, int input_grad);

#ifdef __cplusplus
}
#endif

#endif
