/*
 * Forward pass of the Parkour terrain CPPN (see pk_cppn.h).
 *
 * Deliberate deviation: the original runs the network in float32
 * (TensorFlow 1); this evaluates it in float64 from the same float32
 * weights, so heights differ from the original's by float32 round-off
 * (about 1e-5 relative), far below anything the terrain resolves.
 *
 * The matrix products are plain loops in a fixed order rather than BLAS:
 * the terrain, and so every trajectory, must be bit-identical on every
 * machine, and an optimised GEMM picks its summation order by CPU.  The
 * cost (2.6 MFLOP per reset) is small next to an episode's physics.
 */
#include "pk_cppn.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest layer side accepted from a file: the shipped network has 64. */
#define MAX_SIDE 4096

struct pk_cppn {
    size_t rows[PK_CPPN_LAYERS], cols[PK_CPPN_LAYERS];
    double *w[PK_CPPN_LAYERS]; /* rows x cols, row-major, owned */
};

void pk_cppn_free(pk_cppn *net)
{
    if (!net)
        return;
    for (int l = 0; l < PK_CPPN_LAYERS; l++)
        free(net->w[l]);
    free(net);
}

static int fail(char *err, size_t err_size, const char *path, const char *what)
{
    snprintf(err, err_size, "CPPN weights %s: %s", path, what);
    return -1;
}

static int read_layer(pk_cppn *net, int l, const json_t *layer, char *why, size_t why_size)
{
    const json_t *shape = json_object_get(layer, "shape");
    const json_t *values = json_object_get(layer, "row_major");
    if (!json_is_array(shape) || json_array_size(shape) != 2 || !json_is_array(values)) {
        snprintf(why, why_size, "layer %d needs \"shape\" [rows, cols] and \"row_major\"", l);
        return -1;
    }
    json_int_t r = json_integer_value(json_array_get(shape, 0));
    json_int_t c = json_integer_value(json_array_get(shape, 1));
    if (r < 1 || c < 1 || r > MAX_SIDE || c > MAX_SIDE ||
        json_array_size(values) != (size_t)(r * c)) {
        snprintf(why, why_size, "layer %d: shape must be in [1, %d]^2 and hold rows x cols values",
                 l, MAX_SIDE);
        return -1;
    }
    if (l > 0 && (size_t)r != net->cols[l - 1]) {
        snprintf(why, why_size, "layer %d has %lld rows, the layer before has %zu columns", l,
                 (long long)r, net->cols[l - 1]);
        return -1;
    }
    net->rows[l] = (size_t)r;
    net->cols[l] = (size_t)c;
    net->w[l] = malloc((size_t)(r * c) * sizeof *net->w[l]);
    if (!net->w[l]) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < (size_t)(r * c); i++) {
        const json_t *v = json_array_get(values, i);
        if (!json_is_number(v) || !isfinite(json_number_value(v))) {
            snprintf(why, why_size, "layer %d value %zu is not a finite number", l, i);
            return -1;
        }
        net->w[l][i] = json_number_value(v);
    }
    return 0;
}

int pk_cppn_load(const char *path, pk_cppn **out, char *err, size_t err_size)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        return fail(err, err_size, path, jerr.text);
    const json_t *layers = json_object_get(root, "layers");
    pk_cppn *net = calloc(1, sizeof *net);
    char why[200] = "";
    int rc = 0;
    if (!net)
        snprintf(why, sizeof why, "out of memory"), rc = -1;
    else if (!json_is_array(layers) || json_array_size(layers) != PK_CPPN_LAYERS)
        snprintf(why, sizeof why, "\"layers\" must be an array of %d matrices", PK_CPPN_LAYERS),
            rc = -1;
    for (int l = 0; rc == 0 && l < PK_CPPN_LAYERS; l++)
        rc = read_layer(net, l, json_array_get(layers, (size_t)l), why, sizeof why);
    if (rc == 0 && net->rows[0] < 2)
        snprintf(why, sizeof why, "the first layer needs the x row and an input"), rc = -1;
    json_decref(root);
    if (rc != 0) {
        pk_cppn_free(net);
        return fail(err, err_size, path, why);
    }
    *out = net;
    return 0;
}

size_t pk_cppn_input_dim(const pk_cppn *net)
{
    return net->rows[0] - 1;
}

size_t pk_cppn_output_dim(const pk_cppn *net)
{
    return net->cols[PK_CPPN_LAYERS - 1];
}

/* log(1 + e^v) without overflow for large v. */
static double softplus(double v)
{
    return v > 0.0 ? v + log1p(exp(-v)) : log1p(exp(v));
}

/* out[c] = act(sum_r in[r] W[r][c]); act 0 = identity, 1 = tanh,
 * 2 = softplus. */
static void layer(const double *in, const double *w, size_t rows, size_t cols, int act,
                  double *out)
{
    for (size_t c = 0; c < cols; c++)
        out[c] = 0.0;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            out[c] += in[r] * w[r * cols + c];
    for (size_t c = 0; c < cols; c++)
        out[c] = act == 1 ? tanh(out[c]) : act == 2 ? softplus(out[c]) : out[c];
}

int pk_cppn_generate(const pk_cppn *net, const double *input, size_t x_dim, double *out)
{
    size_t widest = net->rows[0];
    for (int l = 0; l < PK_CPPN_LAYERS; l++)
        widest = net->cols[l] > widest ? net->cols[l] : widest;
    double *a = malloc(2 * widest * sizeof *a);
    if (!a)
        return -1;
    double *b = a + widest;
    static const int ACT[PK_CPPN_LAYERS] = {1, 2, 1, 2, 0};
    const size_t n_out = pk_cppn_output_dim(net);
    for (size_t i = 0; i < x_dim; i++) {
        a[0] = x_dim > 1 ? (double)i / (double)(x_dim - 1) : 0.0;
        memcpy(a + 1, input, pk_cppn_input_dim(net) * sizeof *a);
        for (int l = 0; l < PK_CPPN_LAYERS; l++) {
            layer(a, net->w[l], net->rows[l], net->cols[l], ACT[l], b);
            double *t = a;
            a = b, b = t;
        }
        memcpy(out + i * n_out, a, n_out * sizeof *out);
    }
    free(a < b ? a : b);
    return 0;
}
