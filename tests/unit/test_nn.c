/*
 * Neural-network toolkit: MLP forward against a double-precision reference,
 * gradients of every layer type and policy head against central finite
 * differences of that reference (h = 1e-6 in double, so the check measures
 * the analytic float32 gradient, not float32 rounding), optimisers against
 * reference update sequences, initialisers, the replay buffer and the
 * save/load records.  Small sizes: this suite also runs under valgrind.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "nn_reference.h"
#include "teachkit/nn.h"
#include "teachkit/nn_io.h"
#include "teachkit/nn_optim.h"
#include "teachkit/nn_policy.h"
#include "teachkit/nn_replay.h"
#include "teachkit/rng.h"

/* ---------------------------------------------------------- MLP gradients */

START_TEST(test_grad_linear)
{
    const size_t sizes[] = {5, 4, 3};
    const tk_nn_activation acts[] = {TK_NN_LINEAR, TK_NN_LINEAR};
    tk_nn_ref_gradient_check_fp32(2, sizes, acts, 6, 1);
}
END_TEST

START_TEST(test_grad_relu)
{
    const size_t sizes[] = {6, 9, 7, 3};
    const tk_nn_activation acts[] = {TK_NN_RELU, TK_NN_RELU, TK_NN_LINEAR};
    tk_nn_ref_gradient_check_fp32(3, sizes, acts, 8, 2);
}
END_TEST

START_TEST(test_grad_tanh)
{
    const size_t sizes[] = {6, 9, 7, 2};
    const tk_nn_activation acts[] = {TK_NN_TANH, TK_NN_TANH, TK_NN_LINEAR};
    tk_nn_ref_gradient_check_fp32(3, sizes, acts, 8, 3);
}
END_TEST

START_TEST(test_grad_leaky_relu)
{
    const size_t sizes[] = {6, 9, 7, 2};
    const tk_nn_activation acts[] = {TK_NN_LEAKY_RELU, TK_NN_LEAKY_RELU, TK_NN_LINEAR};
    tk_nn_ref_gradient_check_fp32(3, sizes, acts, 8, 4);
}
END_TEST

/* Non-linear output layers (the copy path of the backward pass), mixed
 * activations, a batch of one row (the GEMV forward path). */
START_TEST(test_grad_nonlinear_output_and_single_row)
{
    const size_t sizes[] = {4, 8, 5, 3};
    const tk_nn_activation acts[] = {TK_NN_RELU, TK_NN_LEAKY_RELU, TK_NN_TANH};
    tk_nn_ref_gradient_check_fp32(3, sizes, acts, 7, 5);
    tk_nn_ref_gradient_check_fp32(3, sizes, acts, 1, 6);
    const tk_nn_activation acts2[] = {TK_NN_TANH, TK_NN_RELU, TK_NN_RELU};
    tk_nn_ref_gradient_check_fp32(3, sizes, acts2, 5, 7);
}
END_TEST

/* The tanh layer's rational approximation (Eigen's, as TF's CPU tanh):
 * within 5e-7 of tanh everywhere, odd, in [-1, 1], exact (x) near 0. */
START_TEST(test_tanh_accuracy)
{
    enum { N = 24001 };
    const size_t sizes[] = {1, 1};
    const tk_nn_activation acts[] = {TK_NN_TANH};
    tk_mlp *net = tk_mlp_new(1, sizes, acts, 0.0f);
    tk_mlp_weight(net, 0)[0] = 1.0f;
    tk_mlp_tape *tape = tk_mlp_tape_new(net, N);
    float *x = malloc(N * sizeof *x);
    for (int i = 0; i < N; i++)
        x[i] = -12.0f + 24.0f * (float)i / (N - 1);
    for (int i = 0; i < N / 2; i++)
        x[N - 1 - i] = -x[i];
    x[0] = 1e-5f, x[1] = -3e-4f, x[2] = 5e-4f, x[3] = 100.0f, x[4] = -1e30f;
    const float *y = tk_mlp_forward(net, tape, x, N);
    double worst = 0.0;
    for (int i = 0; i < N; i++) {
        worst = fmax(worst, fabs(y[i] - tanh((double)x[i])));
        ck_assert(y[i] >= -1.0f && y[i] <= 1.0f);
    }
    ck_assert_msg(worst <= 5e-7, "max |fast tanh - tanh| = %g", worst);
    ck_assert_float_eq(y[0], 1e-5f);
    ck_assert_float_eq(y[1], -3e-4f);
    ck_assert_float_eq(y[3], 1.0f);
    ck_assert_float_eq(y[4], -1.0f);
    /* Odd: x[i] and x[N-1-i] are opposite (away from the overwritten ends). */
    for (int i = 5; i < N - 5; i++)
        ck_assert_float_eq(y[i], -y[N - 1 - i]);
    free(x);
    tk_mlp_tape_free(tape);
    tk_mlp_free(net);
}
END_TEST

START_TEST(test_mlp_layout_and_errors)
{
    const size_t sizes[] = {3, 4, 2};
    const tk_nn_activation acts[] = {TK_NN_RELU, TK_NN_LINEAR};
    tk_mlp *net = tk_mlp_new(2, sizes, acts, 0.0f);
    ck_assert_uint_eq(tk_mlp_n_params(net), 3 * 4 + 4 + 4 * 2 + 2);
    ck_assert_uint_eq(tk_mlp_macs(net), 3 * 4 + 4 * 2);
    ck_assert_ptr_eq(tk_mlp_weight(net, 1), tk_mlp_params(net) + 16);
    ck_assert_ptr_eq(tk_mlp_bias(net, 1), tk_mlp_params(net) + 24);
    ck_assert_ptr_eq(tk_mlp_bias_grad(net, 0), tk_mlp_grads(net) + 12);
    tk_mlp_tape *tape = tk_mlp_tape_new(net, 4);
    float x[5 * 3] = {0}, dy[8] = {0};
    ck_assert_ptr_null(tk_mlp_forward(net, tape, x, 5)); /* beyond max_batch */
    ck_assert_ptr_null(tk_mlp_forward(net, tape, x, 0));
    ck_assert_int_eq(tk_mlp_backward(net, tape, dy, NULL, 1), -1); /* no forward yet */
    const size_t bad[] = {3, 0, 2};
    ck_assert_ptr_null(tk_mlp_new(2, bad, acts, 0.0f));
    const tk_nn_activation bad_act[] = {(tk_nn_activation)9, TK_NN_LINEAR};
    ck_assert_ptr_null(tk_mlp_new(2, sizes, bad_act, 0.0f));
    ck_assert_int_eq(tk_nn_activation_parse("leaky_relu"), TK_NN_LEAKY_RELU);
    ck_assert_int_eq(tk_nn_activation_parse("sigmoid"), -1);
    ck_assert_str_eq(tk_nn_activation_name(TK_NN_TANH), "tanh");
    tk_mlp *c = tk_mlp_clone(net);
    ck_assert_int_eq(tk_mlp_copy_params(c, net), 0);
    const size_t other[] = {3, 5, 2};
    tk_mlp *o = tk_mlp_new(2, other, acts, 0.0f);
    ck_assert_int_eq(tk_mlp_copy_params(o, net), -1);
    tk_mlp_free(o);
    tk_mlp_free(c);
    tk_mlp_tape_free(tape);
    tk_mlp_free(net);
}
END_TEST

/* Two tapes on one network keep independent activations (SAC runs Q1 on two
 * batches before backpropagating through both). */
START_TEST(test_two_tapes)
{
    const size_t sizes[] = {3, 6, 1};
    const tk_nn_activation acts[] = {TK_NN_RELU, TK_NN_LINEAR};
    tk_rng r;
    tk_rng_seed(&r, 9);
    tk_mlp *net = tk_mlp_new(2, sizes, acts, 0.0f);
    tk_mlp_init(net, TK_NN_INIT_GLOROT_UNIFORM, 1.0f, &r);
    float xa[4 * 3], xb[4 * 3], dy[4] = {1, -1, 0.5f, 2}, dxa[12], dxb[12], dxa2[12];
    tk_nn_ref_fill(&r, xa, 12, -1, 1);
    tk_nn_ref_fill(&r, xb, 12, -1, 1);
    tk_mlp_tape *ta = tk_mlp_tape_new(net, 4), *tb = tk_mlp_tape_new(net, 4);
    tk_mlp_forward(net, ta, xa, 4);
    tk_mlp_backward(net, ta, dy, dxa, 0);
    tk_mlp_forward(net, tb, xb, 4);
    tk_mlp_backward(net, tb, dy, dxb, 0);
    tk_mlp_backward(net, ta, dy, dxa2, 0);
    for (int i = 0; i < 12; i++)
        ck_assert_float_eq(dxa[i], dxa2[i]);
    tk_mlp_tape_free(ta);
    tk_mlp_tape_free(tb);
    tk_mlp_free(net);
}
END_TEST

/* ---------------------------------------------------------------- init */

START_TEST(test_init_glorot)
{
    const size_t sizes[] = {30, 50, 4};
    const tk_nn_activation acts[] = {TK_NN_RELU, TK_NN_LINEAR};
    tk_rng r;
    tk_rng_seed(&r, 11);
    tk_mlp *net = tk_mlp_new(2, sizes, acts, 0.0f);
    tk_nn_ref_fill(&r, tk_mlp_bias(net, 0), 50, 1, 2);
    ck_assert_int_eq(tk_mlp_init(net, TK_NN_INIT_GLOROT_UNIFORM, 1.0f, &r), 0);
    const double lim = sqrt(6.0 / 80.0);
    const float *w = tk_mlp_weight(net, 0);
    double s2 = 0.0;
    for (size_t i = 0; i < 1500; i++) {
        ck_assert(fabs(w[i]) <= lim);
        s2 += (double)w[i] * w[i];
    }
    /* Variance of U(-l, l) is l^2 / 3. */
    ck_assert(fabs(s2 / 1500 - lim * lim / 3) < 0.1 * lim * lim / 3);
    for (size_t j = 0; j < 50; j++)
        ck_assert_float_eq(tk_mlp_bias(net, 0)[j], 0.0f);
    /* Block init: columns [2, 4) of the output layer with fan_out 2. */
    float before[50 * 4];
    memcpy(before, tk_mlp_weight(net, 1), sizeof before);
    ck_assert_int_eq(tk_mlp_init_block(net, 1, 2, 4, TK_NN_INIT_GLOROT_UNIFORM, 1.0f, &r), 0);
    const double lim2 = sqrt(6.0 / 52.0);
    for (size_t i = 0; i < 50; i++) {
        const float *row = tk_mlp_weight(net, 1) + i * 4;
        ck_assert_float_eq(row[0], before[i * 4]);
        ck_assert_float_eq(row[1], before[i * 4 + 1]);
        ck_assert(fabs(row[2]) <= lim2 && fabs(row[3]) <= lim2);
    }
    ck_assert_int_eq(tk_mlp_init_block(net, 1, 3, 3, TK_NN_INIT_ZERO, 1.0f, &r), -1);
    ck_assert_int_eq(tk_mlp_init_block(net, 2, 0, 1, TK_NN_INIT_ZERO, 1.0f, &r), -1);
    tk_mlp_free(net);
}
END_TEST

/* W^T W = gain^2 I for tall blocks, W W^T = gain^2 I for wide ones. */
static void check_orthogonal(size_t in, size_t out, float gain, uint64_t seed)
{
    const size_t sizes[] = {in, out};
    const tk_nn_activation acts[] = {TK_NN_TANH};
    tk_rng r;
    tk_rng_seed(&r, seed);
    tk_mlp *net = tk_mlp_new(1, sizes, acts, 0.0f);
    ck_assert_int_eq(tk_mlp_init(net, TK_NN_INIT_ORTHOGONAL, gain, &r), 0);
    const float *w = tk_mlp_weight(net, 0);
    const int tall = in >= out;
    const size_t k = tall ? out : in, m = tall ? in : out;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) {
            double s = 0.0;
            for (size_t i = 0; i < m; i++)
                s += tall ? (double)w[i * out + a] * w[i * out + b]
                          : (double)w[a * out + i] * w[b * out + i];
            tk_nn_ref_close("orthogonality", a * k + b, s, a == b ? gain * gain : 0.0, 1e-5, 1e-5);
        }
    tk_mlp_free(net);
}

START_TEST(test_init_orthogonal)
{
    check_orthogonal(12, 5, 1.41421356f, 1);
    check_orthogonal(5, 12, 1.0f, 2);
    check_orthogonal(7, 7, 0.01f, 3);
    check_orthogonal(9, 1, 1.0f, 4);
    /* Same seed, same weights. */
    const size_t sizes[] = {6, 4};
    const tk_nn_activation acts[] = {TK_NN_LINEAR};
    tk_mlp *a = tk_mlp_new(1, sizes, acts, 0.0f), *b = tk_mlp_new(1, sizes, acts, 0.0f);
    tk_rng ra, rb;
    tk_rng_seed(&ra, 5);
    tk_rng_seed(&rb, 5);
    tk_mlp_init(a, TK_NN_INIT_ORTHOGONAL, 1.0f, &ra);
    tk_mlp_init(b, TK_NN_INIT_ORTHOGONAL, 1.0f, &rb);
    ck_assert_mem_eq(tk_mlp_params(a), tk_mlp_params(b), tk_mlp_n_params(a) * sizeof(float));
    tk_mlp_free(a);
    tk_mlp_free(b);
}
END_TEST

/* ---------------------------------------------------------- policy heads */

/* Double reference of the squashed Gaussian: sum_r,i ca a + sum_r cl logp. */
static double ref_sqgauss_loss(const tk_squashed_gaussian *p, size_t n, const double *head,
                               const float *eps, const double *ca, const double *cl)
{
    const size_t A = p->act_dim;
    double L = 0.0;
    for (size_t r = 0; r < n; r++) {
        double logp = 0.0;
        for (size_t i = 0; i < A; i++) {
            const double mu = head[r * 2 * A + i], s = head[r * 2 * A + A + i];
            const double ls = p->log_std_min +
                              0.5 * (p->log_std_max - p->log_std_min) * (tanh(s) + 1.0);
            const double sd = exp(ls), u = mu + sd * eps[r * A + i];
            const double q = (u - mu) / (sd + 1e-8), a = tanh(u);
            double c = 1.0 - a * a;
            c = c < 0 ? 0 : c > 1 ? 1 : c;
            logp += -0.5 * q * q - ls - 0.5 * log(2 * M_PI) - log(c + 1e-6);
            L += ca[r * A + i] * a;
        }
        L += cl[r] * logp;
    }
    return L;
}

START_TEST(test_squashed_gaussian)
{
    const size_t n = 6, A = 3;
    const tk_squashed_gaussian p = {.act_dim = A, .log_std_min = -20.0f, .log_std_max = 2.0f};
    tk_rng r;
    tk_rng_seed(&r, 21);
    float head[6 * 6], eps[6 * 3], act[6 * 3], logp[6], ga[6 * 3], gl[6], dhead[6 * 6];
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < A; i++) {
            head[k * 2 * A + i] = (float)tk_rng_range(&r, -1.0, 1.0);
            /* log_std in about [-2, 1]: s in [0.7, 1.5]. */
            head[k * 2 * A + A + i] = (float)tk_rng_range(&r, 0.7, 1.5);
            eps[k * A + i] = (float)tk_rng_normal(&r);
            ga[k * A + i] = (float)tk_rng_range(&r, -1.0, 1.0);
        }
    tk_nn_ref_fill(&r, gl, n, -1.0, 1.0);
    tk_sqgauss_forward(&p, n, head, eps, act, logp);
    double hd[36], cad[18], cld[6];
    for (size_t i = 0; i < 36; i++)
        hd[i] = head[i];
    for (size_t i = 0; i < 18; i++)
        cad[i] = ga[i];
    for (size_t i = 0; i < 6; i++)
        cld[i] = gl[i];
    /* Forward: action and logp of each row against the reference. */
    for (size_t k = 0; k < n; k++) {
        double zero_a[18] = {0}, one[6] = {0};
        one[k] = 1.0;
        tk_nn_ref_close("logp", k, logp[k], ref_sqgauss_loss(&p, n, hd, eps, zero_a, one), 1e-5,
                    1e-4);
    }
    for (size_t i = 0; i < n * A; i++) {
        double unit[18] = {0}, zero_l[6] = {0};
        unit[i] = 1.0;
        /* float32 log_std = -20 + 11 (t + 1) carries ~1e-6 absolute error. */
        tk_nn_ref_close("action", i, act[i], ref_sqgauss_loss(&p, n, hd, eps, unit, zero_l), 1e-5,
                    1e-5);
    }
    tk_sqgauss_backward(&p, n, head, eps, ga, gl, dhead);
    const double h = 1e-6;
    for (size_t i = 0; i < n * 2 * A; i++) {
        const double save = hd[i];
        hd[i] = save + h;
        const double lp = ref_sqgauss_loss(&p, n, hd, eps, cad, cld);
        hd[i] = save - h;
        const double lm = ref_sqgauss_loss(&p, n, hd, eps, cad, cld);
        hd[i] = save;
        tk_nn_ref_close("dhead", i, dhead[i], (lp - lm) / (2 * h), 2e-3, 1e-4);
    }
    /* Deterministic action = tanh(mu). */
    tk_sqgauss_forward(&p, n, head, NULL, act, NULL);
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < A; i++)
            tk_nn_ref_close("tanh(mu)", k * A + i, act[k * A + i], tanh(head[k * 2 * A + i]), 1e-6,
                        1e-7);
    /* Saturated action (clip region): logp stays finite and so do gradients. */
    float sat_head[6] = {30.0f, -30.0f, 0.0f, 1.5f, 1.5f, 1.5f}, sat_eps[3] = {0.1f, 0.2f, 0.3f};
    float sat_act[3], sat_logp, sat_d[6], one = 1.0f;
    tk_sqgauss_forward(&p, 1, sat_head, sat_eps, sat_act, &sat_logp);
    tk_sqgauss_backward(&p, 1, sat_head, sat_eps, NULL, &one, sat_d);
    ck_assert(isfinite(sat_logp) && tk_nn_all_finite(sat_d, 6));
}
END_TEST

static double ref_diag_loss(size_t n, size_t A, const double *mean, size_t stride,
                            const double *log_std, const float *x, const double *c)
{
    double L = 0.0;
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < A; i++) {
            const double z = (x[r * A + i] - mean[r * stride + i]) / exp(log_std[i]);
            L += c[r] * (-0.5 * z * z - log_std[i] - 0.5 * log(2 * M_PI));
        }
    return L;
}

START_TEST(test_diag_gaussian)
{
    const size_t n = 5, A = 2, stride = 3; /* mean in columns 0..1 of 3 (the 3rd: value) */
    tk_rng r;
    tk_rng_seed(&r, 31);
    float mean[15], log_std[2] = {-0.3f, 0.4f}, x[10], c[5], logp[5], dmean[15], dls[2] = {0};
    tk_nn_ref_fill(&r, mean, 15, -1, 1);
    tk_nn_ref_fill(&r, x, 10, -2, 2);
    tk_nn_ref_fill(&r, c, 5, -1, 1);
    tk_diag_gaussian_logp(n, A, mean, stride, log_std, x, logp);
    double md[15], lsd[2] = {log_std[0], log_std[1]}, cd[5];
    for (int i = 0; i < 15; i++)
        md[i] = mean[i];
    for (int i = 0; i < 5; i++)
        cd[i] = c[i];
    for (size_t k = 0; k < n; k++) {
        double one[5] = {0};
        one[k] = 1;
        tk_nn_ref_close("diag logp", k, logp[k], ref_diag_loss(n, A, md, stride, lsd, x, one), 1e-6,
                    1e-6);
    }
    for (int i = 0; i < 15; i++)
        dmean[i] = 99.0f; /* value column must stay untouched */
    tk_diag_gaussian_logp_backward(n, A, mean, stride, log_std, x, c, dmean, stride, dls);
    const double h = 1e-6;
    for (size_t k = 0; k < n; k++) {
        ck_assert_float_eq(dmean[k * stride + 2], 99.0f);
        for (size_t i = 0; i < A; i++) {
            const size_t j = k * stride + i;
            const double save = md[j];
            md[j] = save + h;
            const double lp = ref_diag_loss(n, A, md, stride, lsd, x, cd);
            md[j] = save - h;
            const double lm = ref_diag_loss(n, A, md, stride, lsd, x, cd);
            md[j] = save;
            tk_nn_ref_close("dmean", j, dmean[j], (lp - lm) / (2 * h), 1e-4, 1e-6);
        }
    }
    for (size_t i = 0; i < A; i++) {
        const double save = lsd[i];
        lsd[i] = save + h;
        const double lp = ref_diag_loss(n, A, md, stride, lsd, x, cd);
        lsd[i] = save - h;
        const double lm = ref_diag_loss(n, A, md, stride, lsd, x, cd);
        lsd[i] = save;
        tk_nn_ref_close("dlog_std", i, dls[i], (lp - lm) / (2 * h), 1e-4, 1e-6);
    }
    tk_nn_ref_close("entropy", 0, tk_diag_gaussian_entropy(A, log_std),
                0.1 + 2 * 0.5 * log(2 * M_PI * M_E), 1e-6, 1e-6);
}
END_TEST

/* ------------------------------------------------------------ optimisers */

START_TEST(test_adam_matches_tf_rule)
{
    const size_t n = 4;
    tk_adam_options o = tk_adam_defaults();
    o.lr = 0.01f;
    o.eps = 1e-5f;
    tk_adam *a = tk_adam_new(n, &o);
    ck_assert_ptr_nonnull(a);
    float p[4] = {1.0f, -2.0f, 0.5f, 0.0f};
    double pd[4] = {1.0, -2.0, 0.5, 0.0}, m[4] = {0}, v[4] = {0};
    for (int t = 1; t <= 50; t++) {
        float g[4];
        for (size_t i = 0; i < n; i++)
            g[i] = (float)(2.0 * pd[i] + 0.1 * sin(t + (double)i)); /* gradient of a quadratic */
        tk_adam_step(a, p, g);
        const double lr_t = 0.01 * sqrt(1 - pow(0.999, t)) / (1 - pow(0.9, t));
        for (size_t i = 0; i < n; i++) {
            m[i] = 0.9 * m[i] + 0.1 * g[i];
            v[i] = 0.999 * v[i] + 0.001 * (double)g[i] * g[i];
            pd[i] -= lr_t * m[i] / (sqrt(v[i]) + 1e-5);
        }
        for (size_t i = 0; i < n; i++)
            tk_nn_ref_close("adam", i, p[i], pd[i], 1e-4, 1e-6);
    }
    /* First step moves every coordinate with a non-zero gradient by ~lr. */
    tk_adam *b = tk_adam_new(1, &o);
    float q = 3.0f, gq = 123.0f;
    tk_adam_step(b, &q, &gq);
    tk_nn_ref_close("first step", 0, q, 3.0 - 0.01, 1e-6, 1e-6);
    ck_assert_uint_eq(b->t, 1);
    tk_adam_free(b);
    tk_adam_free(a);
    o.beta1 = 1.0f;
    ck_assert_ptr_null(tk_adam_new(3, &o));
}
END_TEST

START_TEST(test_rmsprop_matches_tf_rule)
{
    tk_rmsprop_options o = tk_rmsprop_defaults();
    o.lr = 0.01f;
    o.momentum = 0.5f;
    tk_rmsprop *r = tk_rmsprop_new(2, &o);
    float p[2] = {1.0f, -1.0f};
    double pd[2] = {1.0, -1.0}, ms[2] = {1.0, 1.0}, mom[2] = {0};
    for (int t = 0; t < 30; t++) {
        float g[2] = {(float)(2 * pd[0]), (float)(4 * pd[1])};
        tk_rmsprop_step(r, p, g);
        for (int i = 0; i < 2; i++) {
            ms[i] = 0.9 * ms[i] + 0.1 * (double)g[i] * g[i];
            mom[i] = 0.5 * mom[i] + 0.01 * g[i] / sqrt(ms[i] + 1e-10);
            pd[i] -= mom[i];
            tk_nn_ref_close("rmsprop", (size_t)i, p[i], pd[i], 1e-4, 1e-6);
        }
    }
    tk_rmsprop_free(r);
}
END_TEST

START_TEST(test_vector_helpers)
{
    float t[3] = {1, 2, 3}, s[3] = {3, 2, 1};
    tk_nn_polyak(t, s, 3, 0.75f);
    ck_assert_float_eq(t[0], 1.5f);
    ck_assert_float_eq(t[1], 2.0f);
    ck_assert_float_eq(t[2], 2.5f);
    ck_assert_double_eq(tk_nn_sum_squares(s, 3), 14.0);
    tk_nn_scale(s, 3, 0.5f);
    ck_assert_float_eq(s[0], 1.5f);
    ck_assert(tk_nn_all_finite(s, 3));
    s[1] = NAN;
    ck_assert(!tk_nn_all_finite(s, 3));
}
END_TEST

/* A small regression problem is learnt: the pieces work together. */
START_TEST(test_learns_regression)
{
    const size_t sizes[] = {2, 16, 16, 1}, n = 64;
    const tk_nn_activation acts[] = {TK_NN_TANH, TK_NN_RELU, TK_NN_LINEAR};
    tk_rng r;
    tk_rng_seed(&r, 41);
    tk_mlp *net = tk_mlp_new(3, sizes, acts, 0.0f);
    tk_mlp_init(net, TK_NN_INIT_GLOROT_UNIFORM, 1.0f, &r);
    tk_mlp_tape *tape = tk_mlp_tape_new(net, n);
    tk_adam_options o = tk_adam_defaults();
    o.lr = 0.01f;
    tk_adam *adam = tk_adam_new(tk_mlp_n_params(net), &o);
    float x[64 * 2], t[64], dy[64];
    double loss = 0.0;
    for (int it = 0; it < 600; it++) {
        tk_nn_ref_fill(&r, x, n * 2, -1, 1);
        for (size_t k = 0; k < n; k++)
            t[k] = sinf(2.0f * x[2 * k]) * x[2 * k + 1];
        const float *y = tk_mlp_forward(net, tape, x, n);
        loss = 0.0;
        for (size_t k = 0; k < n; k++) {
            dy[k] = (y[k] - t[k]) / (float)n;
            loss += 0.5 * (double)(y[k] - t[k]) * (y[k] - t[k]) / (double)n;
        }
        tk_mlp_zero_grad(net);
        tk_mlp_backward(net, tape, dy, NULL, 1);
        tk_adam_step(adam, tk_mlp_params(net), tk_mlp_grads(net));
    }
    ck_assert_msg(loss < 2e-3, "regression loss %g", loss);
    tk_adam_free(adam);
    tk_mlp_tape_free(tape);
    tk_mlp_free(net);
}
END_TEST

/* ---------------------------------------------------------------- replay */

START_TEST(test_replay_fifo_and_sampling)
{
    tk_replay *rb = tk_replay_new(5, 2, 1);
    ck_assert_ptr_nonnull(rb);
    tk_rng r;
    tk_rng_seed(&r, 51);
    float o[2], a, no[2], ob[2], ab, rw, nob[2], d;
    ck_assert_int_eq(tk_replay_sample(rb, &r, 1, ob, &ab, &rw, nob, &d), -1);
    for (int k = 0; k < 8; k++) {
        o[0] = (float)k, o[1] = -(float)k, a = 0.5f * (float)k, no[0] = (float)k + 1,
        no[1] = 0.0f;
        tk_replay_add(rb, o, &a, 10.0f * (float)k, no, (float)(k % 2));
    }
    ck_assert_uint_eq(tk_replay_size(rb), 5);
    ck_assert_uint_eq(tk_replay_capacity(rb), 5);
    /* Transitions 3..7 remain, each drawn about 1/5 of the time, and the
     * fields of one draw belong together. */
    int counts[8] = {0};
    for (int s = 0; s < 5000; s++) {
        tk_replay_sample(rb, &r, 1, ob, &ab, &rw, nob, &d);
        const int k = (int)ob[0];
        ck_assert(k >= 3 && k <= 7);
        ck_assert_float_eq(ob[1], -(float)k);
        ck_assert_float_eq(ab, 0.5f * (float)k);
        ck_assert_float_eq(rw, 10.0f * (float)k);
        ck_assert_float_eq(nob[0], (float)k + 1);
        ck_assert_float_eq(d, (float)(k % 2));
        counts[k]++;
    }
    for (int k = 3; k <= 7; k++)
        ck_assert_msg(counts[k] > 850 && counts[k] < 1150, "slot %d drawn %d times", k, counts[k]);
    ck_assert_uint_eq(tk_replay_bytes(2000000, 24, 4), 2000000ull * 54 * 4);
    ck_assert_ptr_null(tk_replay_new(0, 2, 1));
    tk_replay_free(rb);
}
END_TEST

START_TEST(test_replay_save_load)
{
    tk_replay *a = tk_replay_new(6, 3, 2), *b = tk_replay_new(6, 3, 2), *c = tk_replay_new(7, 3, 2);
    tk_rng r;
    tk_rng_seed(&r, 61);
    for (int k = 0; k < 9; k++) {
        float o[3], act[2], no[3];
        tk_nn_ref_fill(&r, o, 3, -1, 1);
        tk_nn_ref_fill(&r, act, 2, -1, 1);
        tk_nn_ref_fill(&r, no, 3, -1, 1);
        tk_replay_add(a, o, act, (float)k, no, 0.0f);
    }
    tk_nn_writer w;
    ck_assert_int_eq(tk_nn_writer_init(&w, "test/1"), 0);
    ck_assert_int_eq(tk_replay_save(a, &w, "rb"), 0);
    tk_nn_reader rd;
    ck_assert_int_eq(tk_nn_reader_init(&rd, w.data, w.size, "test/1"), 0);
    ck_assert_int_eq(tk_replay_load(b, &rd, "rb"), 0);
    ck_assert_int_eq(tk_nn_reader_end(&rd), 0);
    tk_rng ra = r, rb2 = r;
    float oa[4 * 3], aa[4 * 2], ra_[4], na[4 * 3], da[4];
    float ob[4 * 3], ab[4 * 2], rb_[4], nb[4 * 3], db[4];
    tk_replay_sample(a, &ra, 4, oa, aa, ra_, na, da);
    tk_replay_sample(b, &rb2, 4, ob, ab, rb_, nb, db);
    ck_assert_mem_eq(oa, ob, sizeof oa);
    ck_assert_mem_eq(aa, ab, sizeof aa);
    ck_assert_mem_eq(ra_, rb_, sizeof ra_);
    /* Identical continuation: the next write lands in the same slot. */
    float o[3] = {9, 9, 9}, act[2] = {9, 9};
    tk_replay_add(a, o, act, 99.0f, o, 1.0f);
    tk_replay_add(b, o, act, 99.0f, o, 1.0f);
    tk_nn_writer w2, w3;
    tk_nn_writer_init(&w2, "test/1");
    tk_nn_writer_init(&w3, "test/1");
    tk_replay_save(a, &w2, "rb");
    tk_replay_save(b, &w3, "rb");
    ck_assert_uint_eq(w2.size, w3.size);
    ck_assert_mem_eq(w2.data, w3.data, w2.size);
    /* A buffer of another capacity refuses the state. */
    ck_assert_int_eq(tk_nn_reader_init(&rd, w.data, w.size, "test/1"), 0);
    ck_assert_int_eq(tk_replay_load(c, &rd, "rb"), -1);
    ck_assert(strstr(rd.error, "capacity") != NULL);
    tk_nn_writer_free(&w);
    tk_nn_writer_free(&w2);
    tk_nn_writer_free(&w3);
    tk_replay_free(a);
    tk_replay_free(b);
    tk_replay_free(c);
}
END_TEST

/* ------------------------------------------------------------------ io */

START_TEST(test_io_roundtrip_and_listing)
{
    const size_t sizes[] = {3, 5, 2};
    const tk_nn_activation acts[] = {TK_NN_LEAKY_RELU, TK_NN_LINEAR};
    tk_rng r;
    tk_rng_seed(&r, 71);
    tk_mlp *net = tk_mlp_new(2, sizes, acts, 0.2f), *back = tk_mlp_new(2, sizes, acts, 0.2f);
    tk_mlp_init(net, TK_NN_INIT_ORTHOGONAL, 1.0f, &r);
    tk_adam_options o = tk_adam_defaults();
    tk_adam *adam = tk_adam_new(tk_mlp_n_params(net), &o),
            *adam2 = tk_adam_new(tk_mlp_n_params(net), &o);
    tk_nn_ref_fill(&r, tk_mlp_grads(net), tk_mlp_n_params(net), -1, 1);
    tk_adam_step(adam, tk_mlp_params(net), tk_mlp_grads(net));
    tk_rmsprop_options ro = tk_rmsprop_defaults();
    tk_rmsprop *rms = tk_rmsprop_new(4, &ro), *rms2 = tk_rmsprop_new(4, &ro);
    float p4[4] = {1, 2, 3, 4}, g4[4] = {1, -1, 1, -1};
    tk_rmsprop_step(rms, p4, g4);
    const double d2[2] = {M_PI, -1e300};
    const uint64_t u3[3] = {1, UINT64_MAX, 42};

    tk_nn_writer w;
    ck_assert_int_eq(tk_nn_writer_init(&w, "unit/1"), 0);
    ck_assert_int_eq(tk_nn_put_mlp(&w, "net", net), 0);
    ck_assert_int_eq(tk_nn_put_adam(&w, "adam", adam), 0);
    ck_assert_int_eq(tk_nn_put_rmsprop(&w, "rms", rms), 0);
    ck_assert_int_eq(tk_nn_put_f64(&w, "d", d2, 2), 0);
    ck_assert_int_eq(tk_nn_put_u64(&w, "u", u3, 3), 0);

    tk_nn_reader rd;
    ck_assert_int_eq(tk_nn_reader_init(&rd, w.data, w.size, "unit/1"), 0);
    size_t klen;
    const char *kind = tk_nn_reader_kind(&rd, &klen);
    ck_assert_int_eq((int)klen, 6);
    ck_assert_int_eq(memcmp(kind, "unit/1", 6), 0);
    ck_assert_int_eq(tk_nn_get_mlp(&rd, "net", back), 0);
    ck_assert_int_eq(tk_nn_get_adam(&rd, "adam", adam2), 0);
    ck_assert_int_eq(tk_nn_get_rmsprop(&rd, "rms", rms2), 0);
    double d2b[2];
    uint64_t u3b[3];
    ck_assert_int_eq(tk_nn_get_f64(&rd, "d", d2b, 2), 0);
    ck_assert_int_eq(tk_nn_get_u64(&rd, "u", u3b, 3), 0);
    ck_assert_int_eq(tk_nn_reader_end(&rd), 0);
    ck_assert_mem_eq(tk_mlp_params(net), tk_mlp_params(back), tk_mlp_n_params(net) * 4);
    ck_assert_uint_eq(adam2->t, 1);
    ck_assert_mem_eq(adam->m, adam2->m, adam->n * 4);
    ck_assert_mem_eq(adam->v, adam2->v, adam->n * 4);
    ck_assert_mem_eq(rms->ms, rms2->ms, 16);
    ck_assert_mem_eq(d2, d2b, sizeof d2);
    ck_assert_mem_eq(u3, u3b, sizeof u3);

    /* Generic listing of the records. */
    const char *expect[] = {"net.arch", "net.params", "adam.t", "adam.m", "adam.v",
                            "rms.t", "rms.ms", "rms.mom", "d", "u"};
    ck_assert_int_eq(tk_nn_reader_init(&rd, w.data, w.size, NULL), 0);
    const char *name;
    size_t nlen;
    tk_nn_type type;
    uint64_t count;
    const void *data;
    int k = 0, rc;
    while ((rc = tk_nn_reader_next(&rd, &name, &nlen, &type, &count, &data)) == 1) {
        ck_assert_uint_eq(nlen, strlen(expect[k]));
        ck_assert_int_eq(memcmp(name, expect[k], nlen), 0);
        k++;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(k, 10);

    /* Errors: wrong kind, wrong record name, other architecture, and every
     * truncation of the string is rejected without reading out of bounds. */
    ck_assert_int_eq(tk_nn_reader_init(&rd, w.data, w.size, "unit/2"), -1);
    ck_assert(strstr(rd.error, "unit/1") != NULL);
    ck_assert_int_eq(tk_nn_reader_init(&rd, w.data, w.size, "unit/1"), 0);
    ck_assert_int_eq(tk_nn_get_mlp(&rd, "other", back), -1);
    ck_assert(strstr(rd.error, "other.arch") != NULL);
    const size_t sizes2[] = {3, 6, 2};
    tk_mlp *wrong = tk_mlp_new(2, sizes2, acts, 0.2f);
    ck_assert_int_eq(tk_nn_reader_init(&rd, w.data, w.size, "unit/1"), 0);
    ck_assert_int_eq(tk_nn_get_mlp(&rd, "net", wrong), -1);
    ck_assert(strstr(rd.error, "architecture") != NULL);
    for (size_t cut = 0; cut < w.size; cut++) {
        unsigned char *copy = malloc(cut ? cut : 1);
        memcpy(copy, w.data, cut);
        int ok = tk_nn_reader_init(&rd, copy, cut, "unit/1") == 0 &&
                 tk_nn_get_mlp(&rd, "net", back) == 0 && tk_nn_get_adam(&rd, "adam", adam2) == 0 &&
                 tk_nn_get_rmsprop(&rd, "rms", rms2) == 0 && tk_nn_get_f64(&rd, "d", d2b, 2) == 0 &&
                 tk_nn_get_u64(&rd, "u", u3b, 3) == 0 && tk_nn_reader_end(&rd) == 0;
        ck_assert_msg(!ok, "truncated string of %zu bytes accepted", cut);
        free(copy);
    }
    ck_assert_int_eq(tk_nn_reader_init(&rd, "garbage!", 8, NULL), -1);
    tk_mlp_free(wrong);
    tk_nn_writer_free(&w);
    tk_rmsprop_free(rms);
    tk_rmsprop_free(rms2);
    tk_adam_free(adam);
    tk_adam_free(adam2);
    tk_mlp_free(net);
    tk_mlp_free(back);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nn");
    TCase *grad = tk_check_tcase(s, "gradients", 0);
    tcase_add_test(grad, test_grad_linear);
    tcase_add_test(grad, test_grad_relu);
    tcase_add_test(grad, test_grad_tanh);
    tcase_add_test(grad, test_grad_leaky_relu);
    tcase_add_test(grad, test_grad_nonlinear_output_and_single_row);
    tcase_add_test(grad, test_squashed_gaussian);
    tcase_add_test(grad, test_diag_gaussian);
    TCase *mlp = tk_check_tcase(s, "mlp", 120);
    tcase_add_test(mlp, test_tanh_accuracy);
    tcase_add_test(mlp, test_mlp_layout_and_errors);
    tcase_add_test(mlp, test_two_tapes);
    tcase_add_test(mlp, test_init_glorot);
    tcase_add_test(mlp, test_init_orthogonal);
    tcase_add_test(mlp, test_learns_regression);
    TCase *opt = tk_check_tcase(s, "optim", 0);
    tcase_add_test(opt, test_adam_matches_tf_rule);
    tcase_add_test(opt, test_rmsprop_matches_tf_rule);
    tcase_add_test(opt, test_vector_helpers);
    TCase *io = tk_check_tcase(s, "io", 120);
    tcase_add_test(io, test_replay_fifo_and_sampling);
    tcase_add_test(io, test_replay_save_load);
    tcase_add_test(io, test_io_roundtrip_and_listing);
    return tk_check_run(s);
}
