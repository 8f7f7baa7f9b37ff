/*
 * Multi-layer perceptrons: see <teachkit/nn.h> and docs/nn.md.
 *
 * Speed notes.  All matrix products are single BLAS calls over the whole
 * batch; the bias add and the activation are fused into one pass over the
 * GEMM output, and the activation derivative is applied in place on the
 * incoming gradient, computed from the layer's OUTPUT (relu: y > 0, tanh:
 * 1 - y^2, leaky relu: y > 0), so the tape keeps one array per layer.  A
 * linear output layer backpropagates straight from the caller's dy without
 * a copy; the first layer's input gradient is skipped when not requested.
 */
#include "teachkit/nn.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn_simd.h"
#include "teachkit/rng.h"

struct tk_mlp {
    size_t n_layers;
    size_t *sizes;          /* n_layers + 1 */
    tk_nn_activation *acts; /* n_layers */
    float leaky_slope;
    size_t *w_off, *b_off;  /* offsets of W_l and b_l in params/grads */
    size_t n_params;
    float *params;          /* owned */
    float *grads;           /* owned */
};

struct tk_mlp_tape {
    size_t n_layers;
    size_t max_batch;
    size_t max_width;       /* widest layer input or output */
    size_t n;               /* rows of the latest forward, 0 = none */
    const float *x;         /* borrowed input of the latest forward */
    float **y;              /* per layer [max_batch x out_l], owned */
    float *ga, *gb;         /* gradient ping-pong buffers [max_batch x max_width] */
};

static const char *const activation_names[] = {"linear", "relu", "tanh", "leaky_relu"};

const char *tk_nn_activation_name(tk_nn_activation act)
{
    return (unsigned)act < 4 ? activation_names[act] : "?";
}

int tk_nn_activation_parse(const char *name)
{
    for (int i = 0; name && i < 4; i++)
        if (strcmp(name, activation_names[i]) == 0)
            return i;
    return -1;
}

/* 64-byte aligned, zeroed float array (BLAS kernels like aligned rows). */
static float *alloc_floats(size_t n)
{
    size_t bytes = ((n ? n : 1) * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

void tk_mlp_free(tk_mlp *net)
{
    if (!net)
        return;
    free(net->sizes);
    free(net->acts);
    free(net->w_off);
    free(net->b_off);
    free(net->params);
    free(net->grads);
    free(net);
}

tk_mlp *tk_mlp_new(size_t n_layers, const size_t *sizes, const tk_nn_activation *acts,
                   float leaky_slope)
{
    if (n_layers == 0 || !sizes || !acts)
        return NULL;
    for (size_t i = 0; i <= n_layers; i++)
        if (sizes[i] == 0 || sizes[i] > ((size_t)1 << 24))
            return NULL;
    for (size_t l = 0; l < n_layers; l++)
        if ((unsigned)acts[l] > TK_NN_LEAKY_RELU)
            return NULL;
    tk_mlp *net = calloc(1, sizeof *net);
    if (!net)
        return NULL;
    net->n_layers = n_layers;
    net->leaky_slope = leaky_slope;
    net->sizes = malloc((n_layers + 1) * sizeof *net->sizes);
    net->acts = malloc(n_layers * sizeof *net->acts);
    net->w_off = malloc(n_layers * sizeof *net->w_off);
    net->b_off = malloc(n_layers * sizeof *net->b_off);
    if (!net->sizes || !net->acts || !net->w_off || !net->b_off) {
        tk_mlp_free(net);
        return NULL;
    }
    memcpy(net->sizes, sizes, (n_layers + 1) * sizeof *sizes);
    memcpy(net->acts, acts, n_layers * sizeof *acts);
    size_t off = 0;
    for (size_t l = 0; l < n_layers; l++) {
        net->w_off[l] = off;
        off += sizes[l] * sizes[l + 1];
        net->b_off[l] = off;
        off += sizes[l + 1];
    }
    net->n_params = off;
    net->params = alloc_floats(off);
    net->grads = alloc_floats(off);
    if (!net->params || !net->grads) {
        tk_mlp_free(net);
        return NULL;
    }
    return net;
}

tk_mlp *tk_mlp_clone(const tk_mlp *net)
{
    tk_mlp *c = tk_mlp_new(net->n_layers, net->sizes, net->acts, net->leaky_slope);
    if (c)
        memcpy(c->params, net->params, net->n_params * sizeof(float));
    return c;
}

size_t tk_mlp_n_layers(const tk_mlp *net) { return net->n_layers; }
size_t tk_mlp_size(const tk_mlp *net, size_t i) { return i <= net->n_layers ? net->sizes[i] : 0; }
tk_nn_activation tk_mlp_activation(const tk_mlp *net, size_t layer) { return net->acts[layer]; }
float tk_mlp_leaky_slope(const tk_mlp *net) { return net->leaky_slope; }
size_t tk_mlp_in_dim(const tk_mlp *net) { return net->sizes[0]; }
size_t tk_mlp_out_dim(const tk_mlp *net) { return net->sizes[net->n_layers]; }
size_t tk_mlp_n_params(const tk_mlp *net) { return net->n_params; }
float *tk_mlp_params(tk_mlp *net) { return net->params; }
const float *tk_mlp_params_const(const tk_mlp *net) { return net->params; }
float *tk_mlp_grads(tk_mlp *net) { return net->grads; }
float *tk_mlp_weight(tk_mlp *net, size_t l) { return net->params + net->w_off[l]; }
float *tk_mlp_bias(tk_mlp *net, size_t l) { return net->params + net->b_off[l]; }
float *tk_mlp_weight_grad(tk_mlp *net, size_t l) { return net->grads + net->w_off[l]; }
float *tk_mlp_bias_grad(tk_mlp *net, size_t l) { return net->grads + net->b_off[l]; }

size_t tk_mlp_macs(const tk_mlp *net)
{
    size_t m = 0;
    for (size_t l = 0; l < net->n_layers; l++)
        m += net->sizes[l] * net->sizes[l + 1];
    return m;
}

void tk_mlp_zero_grad(tk_mlp *net)
{
    memset(net->grads, 0, net->n_params * sizeof(float));
}

static int same_arch(const tk_mlp *a, const tk_mlp *b)
{
    if (a->n_layers != b->n_layers || a->leaky_slope != b->leaky_slope)
        return 0;
    for (size_t l = 0; l < a->n_layers; l++)
        if (a->acts[l] != b->acts[l])
            return 0;
    return memcmp(a->sizes, b->sizes, (a->n_layers + 1) * sizeof *a->sizes) == 0;
}

int tk_mlp_copy_params(tk_mlp *dst, const tk_mlp *src)
{
    if (!same_arch(dst, src))
        return -1;
    memcpy(dst->params, src->params, src->n_params * sizeof(float));
    return 0;
}

/* ---------------------------------------------------------- initialisation */

/* q[rows x cols] (row-major, rows >= cols) := orthonormal columns of the QR
 * decomposition of a standard normal matrix, signs fixed so that R has a
 * positive diagonal (then Q is Haar-distributed). */
static int orthonormal_columns(float *q, size_t rows, size_t cols, tk_rng *rng)
{
    float *tau = malloc(cols * sizeof *tau), *sign = malloc(cols * sizeof *sign);
    int rc = -1;
    if (!tau || !sign)
        goto done;
    for (size_t i = 0; i < rows * cols; i++)
        q[i] = (float)tk_rng_normal(rng);
    if (LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, (lapack_int)rows, (lapack_int)cols, q,
                       (lapack_int)cols, tau) != 0)
        goto done;
    for (size_t j = 0; j < cols; j++)
        sign[j] = q[j * cols + j] < 0.0f ? -1.0f : 1.0f;
    if (LAPACKE_sorgqr(LAPACK_ROW_MAJOR, (lapack_int)rows, (lapack_int)cols, (lapack_int)cols, q,
                       (lapack_int)cols, tau) != 0)
        goto done;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            q[i * cols + j] *= sign[j];
    rc = 0;
done:
    free(tau);
    free(sign);
    return rc;
}

/* W[:, col0:col1] of layer l := orthogonal block times gain.  Like
 * Baselines' ortho_init on shape (in, c): orthonormal columns when in >= c,
 * orthonormal rows otherwise. */
static int init_orthogonal(tk_mlp *net, size_t l, size_t col0, size_t col1, float gain,
                           tk_rng *rng)
{
    const size_t in = net->sizes[l], out = net->sizes[l + 1], c = col1 - col0;
    const int tall = in >= c;
    const size_t rows = tall ? in : c, cols = tall ? c : in;
    float *q = malloc(rows * cols * sizeof *q);
    if (!q || orthonormal_columns(q, rows, cols, rng)) {
        free(q);
        return -1;
    }
    float *w = tk_mlp_weight(net, l);
    for (size_t r = 0; r < in; r++)
        for (size_t j = 0; j < c; j++)
            w[r * out + col0 + j] = gain * (tall ? q[r * cols + j] : q[j * cols + r]);
    free(q);
    return 0;
}

int tk_mlp_init_block(tk_mlp *net, size_t l, size_t col0, size_t col1, tk_nn_init scheme,
                      float gain, tk_rng *rng)
{
    if (!net || l >= net->n_layers || col0 >= col1 || col1 > net->sizes[l + 1] || !rng)
        return -1;
    const size_t in = net->sizes[l], out = net->sizes[l + 1];
    float *w = tk_mlp_weight(net, l), *b = tk_mlp_bias(net, l);
    for (size_t j = col0; j < col1; j++)
        b[j] = 0.0f;
    switch (scheme) {
    case TK_NN_INIT_GLOROT_UNIFORM: {
        const double lim = gain * sqrt(6.0 / (double)(in + (col1 - col0)));
        for (size_t r = 0; r < in; r++)
            for (size_t j = col0; j < col1; j++)
                w[r * out + j] = (float)tk_rng_range(rng, -lim, lim);
        return 0;
    }
    case TK_NN_INIT_ORTHOGONAL:
        return init_orthogonal(net, l, col0, col1, gain, rng);
    case TK_NN_INIT_ZERO:
        for (size_t r = 0; r < in; r++)
            for (size_t j = col0; j < col1; j++)
                w[r * out + j] = 0.0f;
        return 0;
    }
    return -1;
}

int tk_mlp_init(tk_mlp *net, tk_nn_init scheme, float gain, tk_rng *rng)
{
    for (size_t l = 0; net && l < net->n_layers; l++)
        if (tk_mlp_init_block(net, l, 0, net->sizes[l + 1], scheme, gain, rng))
            return -1;
    return net ? 0 : -1;
}

/* -------------------------------------------------------------------- tape */

void tk_mlp_tape_free(tk_mlp_tape *tape)
{
    if (!tape)
        return;
    for (size_t l = 0; tape->y && l < tape->n_layers; l++)
        free(tape->y[l]);
    free(tape->y);
    free(tape->ga);
    free(tape->gb);
    free(tape);
}

tk_mlp_tape *tk_mlp_tape_new(const tk_mlp *net, size_t max_batch)
{
    if (!net || max_batch == 0)
        return NULL;
    tk_mlp_tape *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->n_layers = net->n_layers;
    t->max_batch = max_batch;
    for (size_t i = 0; i <= net->n_layers; i++)
        if (net->sizes[i] > t->max_width)
            t->max_width = net->sizes[i];
    t->y = calloc(net->n_layers, sizeof *t->y);
    t->ga = alloc_floats(max_batch * t->max_width);
    t->gb = alloc_floats(max_batch * t->max_width);
    int ok = t->y && t->ga && t->gb;
    for (size_t l = 0; ok && l < net->n_layers; l++)
        ok = (t->y[l] = alloc_floats(max_batch * net->sizes[l + 1])) != NULL;
    if (!ok) {
        tk_mlp_tape_free(t);
        return NULL;
    }
    return t;
}

size_t tk_mlp_tape_max_batch(const tk_mlp_tape *tape) { return tape->max_batch; }

/* ----------------------------------------------------------------- forward */

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
static void bias_activation(float *y, const float *b, size_t n, size_t out, tk_nn_activation act,
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

const float *tk_mlp_forward(const tk_mlp *net, tk_mlp_tape *tape, const float *x, size_t n)
{
    if (!net || !tape || !x || n == 0 || n > tape->max_batch || tape->n_layers != net->n_layers)
        return NULL;
    const float *in_act = x;
    for (size_t l = 0; l < net->n_layers; l++) {
        const size_t in = net->sizes[l], out = net->sizes[l + 1];
        const float *w = net->params + net->w_off[l], *b = net->params + net->b_off[l];
        float *y = tape->y[l];
        if (n == 1)
            cblas_sgemv(CblasRowMajor, CblasTrans, (int)in, (int)out, 1.0f, w, (int)out, in_act, 1,
                        0.0f, y, 1);
        else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)out, (int)in,
                        1.0f, in_act, (int)in, w, (int)out, 0.0f, y, (int)out);
        bias_activation(y, b, n, out, net->acts[l], net->leaky_slope);
        in_act = y;
    }
    tape->n = n;
    tape->x = x;
    return tape->y[net->n_layers - 1];
}

/* ---------------------------------------------------------------- backward */

TK_NN_KERNEL static void relu_backward(float *restrict g, const float *restrict y, size_t count)
{
    for (size_t i = 0; i < count; i++)
        g[i] = y[i] > 0.0f ? g[i] : 0.0f;
}

TK_NN_KERNEL static void tanh_backward(float *restrict g, const float *restrict y, size_t count)
{
    for (size_t i = 0; i < count; i++)
        g[i] *= 1.0f - y[i] * y[i];
}

TK_NN_KERNEL static void leaky_backward(float *restrict g, const float *restrict y, size_t count,
                                        float slope)
{
    for (size_t i = 0; i < count; i++)
        g[i] = y[i] > 0.0f ? g[i] : slope * g[i];
}

/* g *= act'(.) expressed through the layer output y. */
static void activation_backward(float *g, const float *y, size_t count, tk_nn_activation act,
                                float slope)
{
    switch (act) {
    case TK_NN_LINEAR:
        break;
    case TK_NN_RELU:
        relu_backward(g, y, count);
        break;
    case TK_NN_TANH:
        tanh_backward(g, y, count);
        break;
    case TK_NN_LEAKY_RELU:
        leaky_backward(g, y, count, slope);
        break;
    }
}

/* db[j] += sum_r g[r][j], rows in order (deterministic). */
TK_NN_KERNEL static void column_sums_add(float *restrict db, const float *restrict g, size_t n,
                                         size_t out)
{
    for (size_t r = 0; r < n; r++, g += out)
        for (size_t j = 0; j < out; j++)
            db[j] += g[j];
}

int tk_mlp_backward(tk_mlp *net, tk_mlp_tape *tape, const float *dy, float *dx, int param_grads)
{
    if (!net || !tape || !dy || tape->n == 0 || tape->n_layers != net->n_layers)
        return -1;
    const size_t n = tape->n, L = net->n_layers;
    /* `g` is dL/dY of the current layer; copied into a tape buffer only when
     * it must be modified in place (non-linear activation). */
    const float *g = dy;
    float *next = tape->ga, *spare = tape->gb;
    if (net->acts[L - 1] != TK_NN_LINEAR) {
        memcpy(next, dy, n * net->sizes[L] * sizeof(float));
        g = next;
        next = spare;
        spare = (float *)g;
    }
    for (size_t l = L; l-- > 0;) {
        const size_t in = net->sizes[l], out = net->sizes[l + 1];
        if (net->acts[l] != TK_NN_LINEAR)
            activation_backward((float *)g, tape->y[l], n * out, net->acts[l],
                                net->leaky_slope);
        const float *x = l ? tape->y[l - 1] : tape->x;
        const float *w = net->params + net->w_off[l];
        if (param_grads) {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in, (int)out, (int)n, 1.0f,
                        x, (int)in, g, (int)out, 1.0f, net->grads + net->w_off[l], (int)out);
            column_sums_add(net->grads + net->b_off[l], g, n, out);
        }
        if (l == 0 && !dx)
            break;
        float *dst = l ? next : dx;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)in, (int)out, 1.0f, g,
                    (int)out, w, (int)out, 0.0f, dst, (int)in);
        g = dst;
        float *t = next;
        next = spare;
        spare = t;
    }
    return 0;
}

double tk_mlp_backward_flops(const tk_mlp *net, size_t n, int param_grads, int input_grad)
{
    double f = 0.0;
    for (size_t l = 0; l < net->n_layers; l++) {
        const double mac = (double)net->sizes[l] * (double)net->sizes[l + 1] * (double)n;
        if (param_grads)
            f += 2.0 * mac;
        if (l > 0 || input_grad)
            f += 2.0 * mac;
    }
    return f;
}
