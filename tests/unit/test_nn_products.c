/*
 * The matrix products of the MLPs on every path nn.c takes: oneDNN with
 * and without packed operands, the toolkit's kernels for narrow layers and
 * short batches, and bf16.  Gradients against central finite differences
 * of the double-precision reference (tests/support/nn_reference.c).
 *
 * bf16 tolerance, as relative error in norm (tk_nn_ref_check says why in
 * norm): 1 % for tanh networks, 10 % where ReLUs flip.  Operands rounded
 * to 8 significant bits (relative error up to 2^-9 each) gave, on an AMX
 * machine, 0.3-0.4 % on every output, 0.4-0.5 % on the gradients of the
 * tanh network, and 2.3-6.1 % on those of the (leaky) ReLU networks, where
 * a pre-activation rounded across zero switches a unit's whole gradient.
 * bf16 tests run where the CPU multiplies bf16 natively and say why they
 * skip elsewhere.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/lib/nn_matmul.h"
#include "check_main.h"
#include "nn_reference.h"
#include "teachkit/nn.h"
#include "teachkit/rng.h"

static const tk_nn_ref_check fp32_sampled = {TK_NN_FP32, 1e-5, 1e-6, 1e-3, 1e-5, 0.0, 7};
/* bf16, in norm: smooth activations, and ReLUs whose flips dominate. */
static const tk_nn_ref_check bf16_smooth = {TK_NN_BF16, 0.0, 0.0, 0.0, 0.0, 0.01, 7};
static const tk_nn_ref_check bf16_kinked = {TK_NN_BF16, 0.0, 0.0, 0.0, 0.0, 0.10, 7};

/* 1 if bf16 runs here; otherwise prints why the calling test skips. */
static int bf16_or_skip(const char *test)
{
    if (tk_nn_bf16_native())
        return 1;
    tk_nn_backend_info info;
    tk_nn_backend_describe(&info);
    printf("%s: SKIP: this CPU has no native bf16 (AMX or AVX512-BF16); oneDNN runs on %s\n",
           test, info.isa);
    return 0;
}

/* --------------------------------------------------------- float32 paths */

/* Hidden layers wider than the narrow kernels' 15 outputs and batches of
 * 64 rows and more: oneDNN with packed B for the forward and input
 * gradients, unpacked for weight gradients of narrow inputs. */
START_TEST(test_fp32_onednn_packed)
{
    const size_t sizes[] = {20, 40, 33, 3};
    const tk_nn_activation relu[] = {TK_NN_RELU, TK_NN_RELU, TK_NN_LINEAR};
    tk_nn_ref_gradient_check(3, sizes, relu, 70, 11, &fp32_sampled);
    const tk_nn_activation mixed[] = {TK_NN_TANH, TK_NN_LEAKY_RELU, TK_NN_TANH};
    tk_nn_ref_gradient_check(3, sizes, mixed, 66, 12, &fp32_sampled);
    /* Inputs of 64 and more: packed weight gradients too. */
    const size_t wide[] = {70, 66, 2};
    const tk_nn_activation tanh2[] = {TK_NN_TANH, TK_NN_LINEAR};
    tk_nn_ref_gradient_check(2, wide, tanh2, 65, 13, &fp32_sampled);
}
END_TEST

/* Batches of 5-63 rows (oneDNN, B unpacked), of 1-4 rows (the toolkit's
 * short forward), and a wide non-linear output layer. */
START_TEST(test_fp32_small_batches)
{
    const size_t sizes[] = {17, 24, 16};
    const tk_nn_activation acts[] = {TK_NN_LEAKY_RELU, TK_NN_TANH};
    for (size_t n = 1; n <= 6; n++)
        tk_nn_ref_gradient_check(2, sizes, acts, n, 20 + n, &fp32_sampled);
    const size_t deep[] = {5, 70, 19, 31, 4};
    const tk_nn_activation relu[] = {TK_NN_RELU, TK_NN_RELU, TK_NN_RELU, TK_NN_LINEAR};
    tk_nn_ref_gradient_check(4, deep, relu, 3, 30, &fp32_sampled);
    tk_nn_ref_gradient_check(4, deep, relu, 40, 31, &fp32_sampled);
}
END_TEST

/* A tape keeps plans for two batch sizes; any sequence of sizes gives the
 * bits a fresh tape gives. */
START_TEST(test_plans_across_batch_sizes)
{
    const size_t sizes[] = {12, 48, 20, 2};
    const tk_nn_activation acts[] = {TK_NN_RELU, TK_NN_TANH, TK_NN_LINEAR};
    tk_rng r;
    tk_rng_seed(&r, 5);
    tk_mlp *net = tk_mlp_new(3, sizes, acts, 0.0f);
    ck_assert_int_eq(tk_mlp_init(net, TK_NN_INIT_GLOROT_UNIFORM, 1.0f, &r), 0);
    float x[80 * 12];
    tk_nn_ref_fill(&r, x, 80 * 12, -1, 1);
    tk_mlp_tape *shared = tk_mlp_tape_new(net, 80);
    const size_t order[] = {80, 5, 2, 80, 70, 5, 80, 1};
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        const size_t n = order[k];
        tk_mlp_tape *fresh = tk_mlp_tape_new(net, 80);
        const float *a = tk_mlp_forward(net, shared, x, n);
        const float *b = tk_mlp_forward(net, fresh, x, n);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_mem_eq(a, b, n * 2 * sizeof(float));
        tk_mlp_tape_free(fresh);
    }
    tk_mlp_tape_free(shared);
    tk_mlp_free(net);
}
END_TEST

/* ------------------------------------------------------------- precision */

START_TEST(test_precision_api)
{
    const size_t sizes[] = {3, 20, 2};
    const tk_nn_activation acts[] = {TK_NN_RELU, TK_NN_LINEAR};
    tk_mlp *net = tk_mlp_new(2, sizes, acts, 0.0f);
    ck_assert_int_eq(tk_mlp_precision(net), TK_NN_FP32);
    ck_assert_int_eq(tk_mlp_set_precision(net, (tk_nn_precision)7), -1);
    ck_assert_int_eq(tk_mlp_set_precision(NULL, TK_NN_FP32), -1);
    const int native = tk_nn_bf16_native();
    ck_assert_int_eq(tk_mlp_set_precision(net, TK_NN_BF16), native ? 0 : -1);
    ck_assert_int_eq(tk_mlp_precision(net), native ? TK_NN_BF16 : TK_NN_FP32);
    tk_mlp *copy = tk_mlp_clone(net);
    ck_assert_int_eq(tk_mlp_precision(copy), tk_mlp_precision(net));
    tk_nn_backend_info info;
    tk_nn_backend_describe(&info);
    ck_assert_int_eq(info.bf16_native, native);
    ck_assert_str_ne(info.fp32_kernel, "none");
    ck_assert_int_eq(strcmp(info.bf16_kernel, "none") == 0, !native);
    ck_assert_int_eq(strncmp(info.library, "oneDNN ", 7), 0);
    tk_mlp_free(copy);
    tk_mlp_free(net);
}
END_TEST

/* Round to nearest even on the 7 stored mantissa bits; NaN stays NaN. */
START_TEST(test_bf16_rounding)
{
    const struct {
        float in;
        uint16_t out;
    } cases[] = {
        {1.0f, 0x3f80},
        {1.0f + 0x1p-8f, 0x3f80},            /* tie, to the even 1.0 */
        {1.0f + 0x1p-7f + 0x1p-8f, 0x3f82},  /* tie, to the even 1 + 2^-6 */
        {1.0f + 0x1p-8f + 0x1p-20f, 0x3f81}, /* above the tie: up */
        {-2.5f, 0xc020},
        {0.0f, 0x0000},
        {-0.0f, 0x8000},
        {INFINITY, 0x7f80},
        {-INFINITY, 0xff80},
        {3.4028235e38f, 0x7f80},             /* the largest float rounds to infinity */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ck_assert_uint_eq(nn_bf16_round(cases[i].in), cases[i].out);
        uint16_t v;
        nn_to_bf16(&v, &cases[i].in, 1);
        ck_assert_uint_eq(v, cases[i].out);
    }
    const uint16_t nan = nn_bf16_round(NAN);
    ck_assert(isnan(nn_bf16_value(nan)));
    /* A NaN whose payload sits in the dropped bits stays a NaN. */
    const uint32_t low_nan_bits = 0x7f800001u;
    float low_nan;
    memcpy(&low_nan, &low_nan_bits, sizeof low_nan);
    ck_assert(isnan(nn_bf16_value(nn_bf16_round(low_nan))));
    ck_assert_float_eq(nn_bf16_value(0x3f82), 1.0f + 0x1p-6f);
}
END_TEST

START_TEST(test_bf16_gradients)
{
    if (!bf16_or_skip("bf16_gradients"))
        return;
    const size_t sizes[] = {40, 96, 80, 3};
    const tk_nn_activation relu[] = {TK_NN_RELU, TK_NN_RELU, TK_NN_LINEAR};
    tk_nn_ref_gradient_check(3, sizes, relu, 96, 41, &bf16_kinked);
    const tk_nn_activation tanh3[] = {TK_NN_TANH, TK_NN_TANH, TK_NN_LINEAR};
    tk_nn_ref_gradient_check(3, sizes, tanh3, 70, 42, &bf16_smooth);
    const tk_nn_activation leaky[] = {TK_NN_LEAKY_RELU, TK_NN_LEAKY_RELU, TK_NN_LINEAR};
    tk_nn_ref_gradient_check(3, sizes, leaky, 64, 43, &bf16_kinked);
    /* Inputs of 64 and more (packed bf16 weight gradients), a wide
     * non-linear output, a narrow hidden layer between wide ones. */
    const size_t wide[] = {66, 72, 20};
    const tk_nn_activation tt[] = {TK_NN_RELU, TK_NN_TANH};
    tk_nn_ref_gradient_check(2, wide, tt, 80, 44, &bf16_kinked);
    const size_t neck[] = {30, 40, 6, 50, 2};
    const tk_nn_activation nr[] = {TK_NN_RELU, TK_NN_TANH, TK_NN_RELU, TK_NN_LINEAR};
    tk_nn_ref_gradient_check(4, neck, nr, 64, 45, &bf16_kinked);
}
END_TEST

/* Below TK_NN_BF16_MIN_ROWS a bf16 network multiplies in float32: the same
 * bits as a float32 network; from there on it does not. */
START_TEST(test_bf16_min_rows)
{
    if (!bf16_or_skip("bf16_min_rows"))
        return;
    const size_t sizes[] = {24, 100, 80, 1};
    const tk_nn_activation acts[] = {TK_NN_RELU, TK_NN_RELU, TK_NN_LINEAR};
    tk_rng r;
    tk_rng_seed(&r, 9);
    tk_mlp *a = tk_mlp_new(3, sizes, acts, 0.0f);
    ck_assert_int_eq(tk_mlp_init(a, TK_NN_INIT_GLOROT_UNIFORM, 1.0f, &r), 0);
    tk_mlp *b = tk_mlp_clone(a);
    ck_assert_int_eq(tk_mlp_set_precision(b, TK_NN_BF16), 0);
    const size_t N = TK_NN_BF16_MIN_ROWS;
    float *x = malloc(N * 24 * sizeof *x), dy[TK_NN_BF16_MIN_ROWS];
    tk_nn_ref_fill(&r, x, N * 24, -1, 1);
    tk_nn_ref_fill(&r, dy, N, -1, 1);
    tk_mlp_tape *ta = tk_mlp_tape_new(a, N), *tb = tk_mlp_tape_new(b, N);
    for (size_t n = N - 1; n <= N; n++) {
        const float *ya = tk_mlp_forward(a, ta, x, n), *yb = tk_mlp_forward(b, tb, x, n);
        const int same = memcmp(ya, yb, n * sizeof *ya) == 0;
        ck_assert_msg(same == (n < N), "%zu rows: bf16 and fp32 outputs %s", n,
                      same ? "equal" : "differ");
        tk_mlp_zero_grad(a);
        tk_mlp_zero_grad(b);
        ck_assert_int_eq(tk_mlp_backward(a, ta, dy, NULL, 1), 0);
        ck_assert_int_eq(tk_mlp_backward(b, tb, dy, NULL, 1), 0);
        const int same_g = memcmp(tk_mlp_grads(a), tk_mlp_grads(b),
                                  tk_mlp_n_params(a) * sizeof(float)) == 0;
        ck_assert_int_eq(same_g, n < N);
    }
    tk_mlp_tape_free(ta);
    tk_mlp_tape_free(tb);
    tk_mlp_free(a);
    tk_mlp_free(b);
    free(x);
}
END_TEST

/* The same inputs give the same bits, run after run, in both precisions. */
START_TEST(test_deterministic)
{
    const size_t sizes[] = {24, 100, 80, 5};
    const tk_nn_activation acts[] = {TK_NN_RELU, TK_NN_TANH, TK_NN_LINEAR};
    for (int p = 0; p < 1 + tk_nn_bf16_native(); p++) {
        tk_rng r;
        tk_rng_seed(&r, 77);
        tk_mlp *net = tk_mlp_new(3, sizes, acts, 0.0f);
        ck_assert_int_eq(tk_mlp_init(net, TK_NN_INIT_GLOROT_UNIFORM, 1.0f, &r), 0);
        ck_assert_int_eq(tk_mlp_set_precision(net, p ? TK_NN_BF16 : TK_NN_FP32), 0);
        const size_t n = 100, P = tk_mlp_n_params(net);
        float *x = malloc(n * 24 * sizeof *x), *dy = malloc(n * 5 * sizeof *dy);
        float *first = malloc((n * 5 + P) * sizeof *first);
        tk_nn_ref_fill(&r, x, n * 24, -1, 1);
        tk_nn_ref_fill(&r, dy, n * 5, -1, 1);
        for (int run = 0; run < 2; run++) {
            tk_mlp_tape *t = tk_mlp_tape_new(net, n);
            const float *y = tk_mlp_forward(net, t, x, n);
            tk_mlp_zero_grad(net);
            ck_assert_int_eq(tk_mlp_backward(net, t, dy, NULL, 1), 0);
            if (run == 0) {
                memcpy(first, y, n * 5 * sizeof *y);
                memcpy(first + n * 5, tk_mlp_grads(net), P * sizeof(float));
            } else {
                ck_assert_mem_eq(first, y, n * 5 * sizeof *y);
                ck_assert_mem_eq(first + n * 5, tk_mlp_grads(net), P * sizeof(float));
            }
            tk_mlp_tape_free(t);
        }
        free(x), free(dy), free(first);
        tk_mlp_free(net);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nn_products");
    TCase *fp32 = tk_check_tcase(s, "fp32", 240);
    tcase_add_test(fp32, test_fp32_onednn_packed);
    tcase_add_test(fp32, test_fp32_small_batches);
    tcase_add_test(fp32, test_plans_across_batch_sizes);
    TCase *prec = tk_check_tcase(s, "precision", 240);
    tcase_add_test(prec, test_precision_api);
    tcase_add_test(prec, test_bf16_rounding);
    tcase_add_test(prec, test_bf16_gradients);
    tcase_add_test(prec, test_bf16_min_rows);
    tcase_add_test(prec, test_deterministic);
    return tk_check_run(s);
}
