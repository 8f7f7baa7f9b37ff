/*
 * Multi-layer perceptrons: see <teachkit/nn.h> and docs/nn.md.
 *
 * Speed notes.  Every matrix product is one oneDNN matmul over the whole
 * batch (nn_matmul.c), planned once per layer, product kind and batch size
 * and kept in the tape.  The bias and a (leaky) ReLU are fused into the
 * forward product; tanh, which must stay TensorFlow's approximation, is one
 * pass over its output.  The activation derivative is applied in place on
 * the incoming gradient, computed from the layer's OUTPUT (relu: y > 0,
 * tanh: 1 - y^2, leaky relu: y > 0), so the tape keeps one array per layer.
 * A linear output layer backpropagates straight from the caller's dy
 * without a copy; the first layer's input gradient is skipped when not
 * requested.
 *
 * bfloat16 (TK_NN_BF16): the tape rounds to bf16 (to nearest even) the
 * weights and the input of a forward pass, and each incoming gradient of a
 * backward pass; a hidden layer feeding a bf16 product writes its output in
 * bf16 straight from the product.  Products accumulate in float32 into
 * float32 outputs (the last layer, layers feeding narrow ones) and
 * gradients, and everything outside the products (activations'
 * derivatives, bias gradients, losses, optimisers) stays float32, as under
 * PyTorch's autocast.
 */
#include "teachkit/nn.h"

#include <lapacke.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_activation.h"
#include "nn_matmul.h"
#include "nn_memory.h"
#include "nn_small.h"
#include "nn_simd.h"
#include "teachkit/rng.h"

struct tk_mlp {
    size_t n_layers;
    size_t *sizes;          /* n_layers + 1 */
    tk_nn_activation *acts; /* n_layers */
    float leaky_slope;
    tk_nn_precision precision;
    size_t *w_off, *b_off;  /* offsets of W_l and b_l in params/grads */
    size_t n_params;
    float *params;          /* owned */
    float *grads;           /* owned */
};

/* The matrix products of a layer, each planned for one batch size. */
enum { PROD_FORWARD, PROD_WEIGHT_GRAD, PROD_INPUT_GRAD, N_PRODS };
/* Plans kept per layer and product: the training batch and one other size
 * (a last partial chunk, a single row) without re-planning in turn. */
#define PLAN_SLOTS 2

struct tk_mlp_tape {
    size_t n_layers;
    size_t max_batch;
    size_t max_width;       /* widest layer input or output */
    size_t n;               /* rows of the latest forward, 0 = none */
    int bf16;               /* the latest forward multiplied in bf16 */
    const float *x;         /* borrowed input of the latest forward */
    float **y;              /* per layer [max_batch x out_l], owned */
    float *ga, *gb;         /* gradient ping-pong buffers [max_batch x max_width] */
    nn_matmul **plans;      /* [n_layers][N_PRODS][PLAN_SLOTS], owned, most recent first */
    float *narrow_scratch;  /* max_width * NN_NARROW_MAX floats for nn_small.h, owned */
    /* bf16 copies, allocated at the first bf16 forward (owned): */
    uint16_t *x16;          /* the input [max_batch x in] */
    uint16_t **y16;         /* hidden outputs, layers 0 .. n_layers - 2 */
    uint16_t **w16;         /* each layer's weights as of the latest forward */
    uint16_t *g16;          /* an incoming gradient [max_batch x max_width] */
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
    return nn_alloc(n * sizeof(float), 1);
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
    if (c) {
        memcpy(c->params, net->params, net->n_params * sizeof(float));
        c->precision = net->precision;
    }
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

int tk_nn_bf16_native(void) { return nn_matmul_bf16_native(); }

static tk_nn_backend_info backend_info;
static char library_name[48], fp32_kernel[64], bf16_kernel[64];

static void describe_backend(void)
{
    snprintf(library_name, sizeof library_name, "oneDNN %s", nn_matmul_version());
    nn_matmul_probe_impl(0, 256, fp32_kernel, sizeof fp32_kernel);
    if (nn_matmul_bf16_native())
        nn_matmul_probe_impl(1, 256, bf16_kernel, sizeof bf16_kernel);
    else
        snprintf(bf16_kernel, sizeof bf16_kernel, "none");
    backend_info = (tk_nn_backend_info){library_name, nn_matmul_isa(), fp32_kernel,
                                        bf16_kernel, nn_matmul_bf16_native()};
}

void tk_nn_backend_describe(tk_nn_backend_info *out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, describe_backend);
    *out = backend_info;
}

int tk_mlp_set_precision(tk_mlp *net, tk_nn_precision precision)
{
    if (!net || (precision != TK_NN_FP32 && precision != TK_NN_BF16) ||
        (precision == TK_NN_BF16 && !nn_matmul_bf16_native()))
        return -1;
    net->precision = precision;
    return 0;
}

tk_nn_precision tk_mlp_precision(const tk_mlp *net) { return net->precision; }

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
    for (size_t i = 0; tape->plans && i < tape->n_layers * N_PRODS * PLAN_SLOTS; i++)
        nn_matmul_free(tape->plans[i]);
    free(tape->plans);
    free(tape->narrow_scratch);
    free(tape->x16);
    for (size_t l = 0; l < tape->n_layers; l++) {
        if (tape->y16)
            free(tape->y16[l]);
        if (tape->w16)
            free(tape->w16[l]);
    }
    free(tape->y16);
    free(tape->w16);
    free(tape->g16);
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
    t->plans = calloc(net->n_layers * N_PRODS * PLAN_SLOTS, sizeof *t->plans);
    t->narrow_scratch = alloc_floats(t->max_width * NN_NARROW_MAX);
    int ok = t->y && t->ga && t->gb && t->plans && t->narrow_scratch;
    for (size_t l = 0; ok && l < net->n_layers; l++)
        ok = (t->y[l] = alloc_floats(max_batch * net->sizes[l + 1])) != NULL;
    if (!ok) {
        tk_mlp_tape_free(t);
        return NULL;
    }
    return t;
}

size_t tk_mlp_tape_max_batch(const tk_mlp_tape *tape) { return tape->max_batch; }

/* 64-byte aligned bf16 array (uninitialised: always written before read). */
static uint16_t *alloc_bf16(size_t n)
{
    return nn_alloc(n * sizeof(uint16_t), 0);
}

/* The bf16 copies, on the first bf16 forward: a network that stays fp32
 * never pays for them. */
static int ensure_bf16_buffers(tk_mlp_tape *t, const tk_mlp *net)
{
    if (t->g16)
        return 0;
    const size_t L = net->n_layers, B = t->max_batch;
    t->y16 = calloc(L, sizeof *t->y16);
    t->w16 = calloc(L, sizeof *t->w16);
    t->x16 = alloc_bf16(B * net->sizes[0]);
    int ok = t->y16 && t->w16 && t->x16;
    for (size_t l = 0; ok && l < L; l++) {
        ok = (t->w16[l] = alloc_bf16(net->sizes[l] * net->sizes[l + 1])) != NULL;
        if (ok && l + 1 < L)
            ok = (t->y16[l] = alloc_bf16(B * net->sizes[l + 1])) != NULL;
    }
    if (ok)
        ok = (t->g16 = alloc_bf16(B * t->max_width)) != NULL;
    return ok ? 0 : -1;
}

static int same_shape(const nn_matmul_shape *a, const nn_matmul_shape *b)
{
    return a->m == b->m && a->n == b->n && a->k == b->k && a->trans_a == b->trans_a &&
           a->trans_b == b->trans_b && a->bf16 == b->bf16 && a->c_bf16 == b->c_bf16 &&
           a->accumulate == b->accumulate && a->bias == b->bias && a->relu == b->relu &&
           a->relu_slope == b->relu_slope && a->tanh == b->tanh;
}

/* The plan of `prod` for `layer` with this shape: found among the layer's
 * slots (and moved first), or planned in place of the least recent. */
static nn_matmul *get_plan(tk_mlp_tape *t, size_t layer, int prod, const nn_matmul_shape *shape)
{
    nn_matmul **slot = t->plans + (layer * N_PRODS + (size_t)prod) * PLAN_SLOTS;
    for (size_t i = 0; i < PLAN_SLOTS; i++) {
        if (slot[i] && same_shape(nn_matmul_shape_of(slot[i]), shape)) {
            nn_matmul *hit = slot[i];
            memmove(slot + 1, slot, i * sizeof *slot);
            slot[0] = hit;
            return hit;
        }
    }
    nn_matmul *p = nn_matmul_plan(shape);
    if (!p)
        return NULL;
    nn_matmul_free(slot[PLAN_SLOTS - 1]);
    memmove(slot + 1, slot, (PLAN_SLOTS - 1) * sizeof *slot);
    slot[0] = p;
    return p;
}

/* A layer whose products nn_small.c computes (see there). */
static int is_narrow(const tk_mlp *net, size_t layer)
{
    return net->sizes[layer + 1] <= NN_NARROW_MAX;
}

/* Plans and runs one product: 0, or -1 if it cannot be planned or run. */
static int product(tk_mlp_tape *t, size_t layer, int prod, const nn_matmul_shape *shape,
                   const void *a, const void *b, const float *bias, void *c)
{
    nn_matmul *p = get_plan(t, layer, prod, shape);
    return p ? nn_matmul_run(p, a, b, bias, c) : -1;
}

/* ----------------------------------------------------------------- forward */

/* Whether layer l's forward writes its output straight in bf16 (y16) and
 * no float32 copy: in a bf16 pass, a layer multiplied by oneDNN whose
 * output is the bf16 operand of the next layer's products. */
static int writes_bf16(const tk_mlp *net, size_t l, int bf16)
{
    return bf16 && !is_narrow(net, l) && l + 1 < net->n_layers && !is_narrow(net, l + 1);
}

const float *tk_mlp_forward(const tk_mlp *net, tk_mlp_tape *tape, const float *x, size_t n)
{
    if (!net || !tape || !x || n == 0 || n > tape->max_batch || tape->n_layers != net->n_layers)
        return NULL;
    const int bf16 = net->precision == TK_NN_BF16 && n >= TK_NN_BF16_MIN_ROWS;
    if (bf16 && ensure_bf16_buffers(tape, net))
        return NULL;
    tape->n = 0;
    const void *in_act = x;
    if (bf16 && !is_narrow(net, 0)) {
        nn_to_bf16(tape->x16, x, n * net->sizes[0]);
        in_act = tape->x16;
    }
    for (size_t l = 0; l < net->n_layers; l++) {
        const size_t in = net->sizes[l], out = net->sizes[l + 1];
        const tk_nn_activation act = net->acts[l];
        const float *w = net->params + net->w_off[l], *b = net->params + net->b_off[l];
        float *y = tape->y[l];
        if (is_narrow(net, l) || n <= NN_SHORT_MAX) {
            const float *x_f32 = l ? tape->y[l - 1] : x;
            if (n <= NN_SHORT_MAX && is_narrow(net, l))
                nn_narrow_short_forward(y, x_f32, w, n, in, out);
            else if (n <= NN_SHORT_MAX)
                nn_short_forward(y, x_f32, w, n, in, out);
            else
                nn_narrow_forward(y, x_f32, w, n, in, out, tape->narrow_scratch);
            nn_bias_activation(y, b, n, out, act, net->leaky_slope);
            in_act = y;
            if (bf16 && l + 1 < net->n_layers && !is_narrow(net, l + 1)) {
                nn_to_bf16(tape->y16[l], y, n * out);
                in_act = tape->y16[l];
            }
            continue;
        }
        /* Bias and activation fused, except a float32 tanh: TensorFlow's
         * approximation, applied after with the bias.  (A bf16 output is
         * rounded far more than the two tanh differ.) */
        const int out16 = writes_bf16(net, l, bf16);
        const int own_tanh = act == TK_NN_TANH && !out16;
        const void *w_op = w;
        if (bf16) {
            nn_to_bf16(tape->w16[l], w, in * out);
            w_op = tape->w16[l];
        }
        const nn_matmul_shape shape = {
            .m = n, .n = out, .k = in, .bf16 = bf16, .c_bf16 = out16,
            .bias = !own_tanh, .relu = act == TK_NN_RELU || act == TK_NN_LEAKY_RELU,
            .relu_slope = act == TK_NN_LEAKY_RELU ? net->leaky_slope : 0.0f,
            .tanh = act == TK_NN_TANH && out16};
        void *dst = out16 ? (void *)tape->y16[l] : (void *)y;
        if (product(tape, l, PROD_FORWARD, &shape, in_act, w_op, b, dst))
            return NULL;
        if (own_tanh)
            nn_bias_activation(y, b, n, out, act, net->leaky_slope);
        in_act = dst;
    }
    tape->n = n;
    tape->bf16 = bf16;
    tape->x = x;
    return tape->y[net->n_layers - 1];
}

/* ---------------------------------------------------------------- backward */

int tk_mlp_backward(tk_mlp *net, tk_mlp_tape *tape, const float *dy, float *dx, int param_grads)
{
    if (!net || !tape || !dy || tape->n == 0 || tape->n_layers != net->n_layers)
        return -1;
    const size_t n = tape->n, L = net->n_layers;
    const int bf16 = tape->bf16;
    /* `g` is dL/dY of the current layer; the caller's dy is copied into a
     * tape buffer only when it must be modified in place (a non-linear
     * activation). */
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
        const tk_nn_activation act = net->acts[l];
        const float *x_f32 = l ? tape->y[l - 1] : tape->x;
        float *dw = net->grads + net->w_off[l], *dst = l ? next : dx;
        float *db = param_grads ? net->grads + net->b_off[l] : NULL;
        const float *w = net->params + net->w_off[l];
        const int need_dx = l > 0 || dx, narrow = is_narrow(net, l);
        /* The activation's derivative in place, the bias gradient, and
         * in a bf16 pass the gradient's bf16 copy for the products. */
        const int g_bf16 = bf16 && !narrow;
        const uint16_t *y16 = writes_bf16(net, l, bf16) ? tape->y16[l] : NULL;
        nn_activation_backward((float *)g, y16 ? NULL : tape->y[l], y16, n * out, act,
                               net->leaky_slope);
        if (db)
            nn_bias_gradient(db, g, n, out);
        if (g_bf16)
            nn_to_bf16(tape->g16, g, n * out);
        if (narrow) {
            if (param_grads)
                nn_narrow_weight_grad(dw, x_f32, g, n, in, out, tape->narrow_scratch);
            if (!need_dx)
                break;
            nn_narrow_input_grad(dst, g, w, n, in, out, tape->narrow_scratch);
        } else {
            const void *g_op = g_bf16 ? (const void *)tape->g16 : (const void *)g;
            if (param_grads) {
                /* dW += X^T G: X is the layer's input as the forward multiplied it. */
                const void *x_op = bf16 ? (const void *)(l ? tape->y16[l - 1] : tape->x16)
                                        : (const void *)x_f32;
                const nn_matmul_shape wgrad = {.m = in, .n = out, .k = n, .trans_a = 1,
                                               .bf16 = bf16, .accumulate = 1};
                if (product(tape, l, PROD_WEIGHT_GRAD, &wgrad, x_op, g_op, NULL, dw))
                    return -1;
            }
            if (!need_dx)
                break;
            /* dX = G W^T, with the weights the forward multiplied. */
            const nn_matmul_shape xgrad = {.m = n, .n = in, .k = out, .trans_b = 1,
                                           .bf16 = bf16};
            const void *w_op = g_bf16 ? (const void *)tape->w16[l] : (const void *)w;
            if (product(tape, l, PROD_INPUT_GRAD, &xgrad, g_op, w_op, NULL, dst))
                return -1;
        }
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
