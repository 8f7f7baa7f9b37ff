/* A double-precision reference of the toolkit's MLPs: see nn_reference.h. */
#include "nn_reference.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double tk_nn_ref_act(double z, tk_nn_activation act, double slope)
{
    switch (act) {
    case TK_NN_RELU:
        return z > 0 ? z : 0;
    case TK_NN_TANH:
        return tanh(z);
    case TK_NN_LEAKY_RELU:
        return z > 0 ? z : slope * z;
    default:
        return z;
    }
}

/* Double-precision forward of `net` with parameter vector `p` (same layout
 * as tk_mlp_params) on x[n x in]; writes y[n x out]. */
void tk_nn_ref_forward(const tk_mlp *net, const double *p, const double *x, size_t n, double *y)
{
    const size_t L = tk_mlp_n_layers(net);
    size_t width = 0;
    for (size_t i = 0; i <= L; i++)
        width = tk_mlp_size(net, i) > width ? tk_mlp_size(net, i) : width;
    double *a = malloc(width * sizeof *a), *b = malloc(width * sizeof *b);
    for (size_t r = 0; r < n; r++) {
        memcpy(a, x + r * tk_mlp_size(net, 0), tk_mlp_size(net, 0) * sizeof *a);
        size_t off = 0;
        for (size_t l = 0; l < L; l++) {
            const size_t in = tk_mlp_size(net, l), out = tk_mlp_size(net, l + 1);
            const double *w = p + off, *bias = p + off + in * out;
            for (size_t j = 0; j < out; j++) {
                double z = bias[j];
                for (size_t i = 0; i < in; i++)
                    z += a[i] * w[i * out + j];
                b[j] = tk_nn_ref_act(z, tk_mlp_activation(net, l), tk_mlp_leaky_slope(net));
            }
            off += in * out + out;
            memcpy(a, b, out * sizeof *a);
        }
        memcpy(y + r * tk_mlp_size(net, L), a, tk_mlp_size(net, L) * sizeof *a);
    }
    free(a);
    free(b);
}

/* Loss sum_ij c_ij y_ij of the reference model. */
double tk_nn_ref_loss(const tk_mlp *net, const double *p, const double *x, size_t n,
                       const double *c)
{
    const size_t out = tk_mlp_out_dim(net);
    double *y = malloc(n * out * sizeof *y), s = 0.0;
    tk_nn_ref_forward(net, p, x, n, y);
    for (size_t i = 0; i < n * out; i++)
        s += c[i] * y[i];
    free(y);
    return s;
}

void tk_nn_ref_fill(tk_rng *r, float *v, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (float)tk_rng_range(r, lo, hi);
}

/* |a - b| <= atol + rtol * max(|a|, |b|), reporting `what` and the index. */
void tk_nn_ref_close(const char *what, size_t i, double a, double b, double rtol, double atol)
{
    const double tol = atol + rtol * fmax(fabs(a), fabs(b));
    ck_assert_msg(fabs(a - b) <= tol, "%s[%zu]: %.9g vs %.9g (tol %.3g)", what, i, a, b, tol);
}

/* Central difference of the reference loss in p[i] or x[i] (whichever
 * `v` points into). */
static double central_difference(const tk_mlp *net, double *pd, double *xd, size_t n,
                                 const double *cd, double *v)
{
    const double h = 1e-6, save = *v;
    *v = save + h;
    const double lp = tk_nn_ref_loss(net, pd, xd, n, cd);
    *v = save - h;
    const double lm = tk_nn_ref_loss(net, pd, xd, n, cd);
    *v = save;
    return (lp - lm) / (2 * h);
}

/* Compares got[idx[k]] (got[k] when idx is NULL) with want[k], k < count,
 * as `check` says (tolerances `rtol`, `atol` element-wise). */
static void compare(const char *what, const float *got, const double *want, const size_t *idx,
                    size_t count, double rtol, double atol, const tk_nn_ref_check *check)
{
    if (check->norm_rtol <= 0.0) {
        for (size_t k = 0; k < count; k++)
            tk_nn_ref_close(what, idx ? idx[k] : k, got[idx ? idx[k] : k], want[k], rtol, atol);
        return;
    }
    double diff = 0.0, ref = 0.0;
    for (size_t k = 0; k < count; k++) {
        const double d = got[idx ? idx[k] : k] - want[k];
        diff += d * d;
        ref += want[k] * want[k];
    }
    const double rel = sqrt(diff) / sqrt(ref);
    printf("  %s: relative norm error %.4f (bound %.3f)\n", what, rel, check->norm_rtol);
    ck_assert_msg(rel <= check->norm_rtol, "%s: relative norm error %.4f > %.3f", what, rel,
                  check->norm_rtol);
}

void tk_nn_ref_gradient_check(size_t L, const size_t *sizes, const tk_nn_activation *acts,
                              size_t n, uint64_t seed, const tk_nn_ref_check *check)
{
    tk_rng r;
    tk_rng_seed(&r, seed);
    tk_mlp *net = tk_mlp_new(L, sizes, acts, 0.1f);
    ck_assert_ptr_nonnull(net);
    ck_assert_int_eq(tk_mlp_set_precision(net, check->precision), 0);
    ck_assert_int_eq(tk_mlp_init(net, TK_NN_INIT_GLOROT_UNIFORM, 1.5f, &r), 0);
    /* Non-zero biases so that they matter. */
    for (size_t l = 0; l < L; l++)
        tk_nn_ref_fill(&r, tk_mlp_bias(net, l), sizes[l + 1], -0.3, 0.3);
    const size_t in = sizes[0], out = sizes[L], P = tk_mlp_n_params(net);
    float *x = malloc(n * in * sizeof *x), *dy = malloc(n * out * sizeof *dy);
    float *dx = malloc(n * in * sizeof *dx);
    double *xd = malloc(n * in * sizeof *xd), *cd = malloc(n * out * sizeof *cd);
    double *pd = malloc(P * sizeof *pd), *yd = malloc(n * out * sizeof *yd);
    tk_nn_ref_fill(&r, x, n * in, -1.0, 1.0);
    tk_nn_ref_fill(&r, dy, n * out, -1.0, 1.0);
    for (size_t i = 0; i < n * in; i++)
        xd[i] = x[i];
    for (size_t i = 0; i < n * out; i++)
        cd[i] = dy[i];
    for (size_t i = 0; i < P; i++)
        pd[i] = tk_mlp_params(net)[i];

    tk_mlp_tape *tape = tk_mlp_tape_new(net, n);
    const float *y = tk_mlp_forward(net, tape, x, n);
    ck_assert_ptr_nonnull(y);
    tk_nn_ref_forward(net, pd, xd, n, yd);
    compare("forward", y, yd, NULL, n * out, check->out_rtol, check->out_atol, check);

    tk_mlp_zero_grad(net);
    ck_assert_int_eq(tk_mlp_backward(net, tape, dy, dx, 1), 0);
    const float *g = tk_mlp_grads(net);
    const size_t stride = check->param_stride ? check->param_stride : 1;
    const size_t count = (P + stride - 1) / stride, count_x = (n * in + stride - 1) / stride;
    size_t *idx = malloc((count > count_x ? count : count_x) * sizeof *idx);
    double *fd = malloc((count > count_x ? count : count_x) * sizeof *fd);
    for (size_t k = 0; k < count; k++) {
        idx[k] = k * stride;
        fd[k] = central_difference(net, pd, xd, n, cd, &pd[idx[k]]);
    }
    compare("dparam", g, fd, idx, count, check->grad_rtol, check->grad_atol, check);
    for (size_t k = 0; k < count_x; k++) {
        idx[k] = k * stride;
        fd[k] = central_difference(net, pd, xd, n, cd, &xd[idx[k]]);
    }
    compare("dx", dx, fd, idx, count_x, check->grad_rtol, check->grad_atol, check);

    /* A second backward accumulates; an input-only backward leaves the
     * gradients alone and gives the same dx. */
    float *g1 = malloc(P * sizeof *g1), *dx2 = malloc(n * in * sizeof *dx2);
    memcpy(g1, g, P * sizeof *g1);
    ck_assert_int_eq(tk_mlp_backward(net, tape, dy, NULL, 1), 0);
    for (size_t i = 0; i < P; i++)
        tk_nn_ref_close("accumulate", i, g[i], 2.0 * g1[i], 1e-5, 1e-7);
    ck_assert_int_eq(tk_mlp_backward(net, tape, dy, dx2, 0), 0);
    for (size_t i = 0; i < P; i++)
        tk_nn_ref_close("input-only leaves grads", i, g[i], 2.0 * g1[i], 1e-5, 1e-7);
    for (size_t i = 0; i < n * in; i++)
        ck_assert_float_eq(dx[i], dx2[i]);
    /* Modelled FLOPs of what was done. */
    ck_assert_double_eq(tk_mlp_backward_flops(net, n, 1, 1),
                        4.0 * (double)tk_mlp_macs(net) * (double)n);

    free(g1), free(dx2), free(idx), free(fd);
    tk_mlp_tape_free(tape);
    tk_mlp_free(net);
    free(x), free(dy), free(dx), free(xd), free(cd), free(pd), free(yd);
}

void tk_nn_ref_gradient_check_fp32(size_t L, const size_t *sizes, const tk_nn_activation *acts,
                                   size_t n, uint64_t seed)
{
    const tk_nn_ref_check fp32 = {TK_NN_FP32, 1e-5, 1e-6, 1e-3, 1e-5, 0.0, 1};
    tk_nn_ref_gradient_check(L, sizes, acts, n, seed, &fp32);
}
