/*
 * setter-solver teacher (TeachMyAgent TeachMyAgent/teachers/algos/setter_solver.py).
 *
 * Networks (extension "teachkit.setter-solver.flow/1"), gradients checked
 * by central finite differences: soft softplus (both branches); a highway
 * net (parameters and input); the judge MLP; the RealNVP couplings through
 * the whole flow in both directions (forward: goal and log-density w.r.t.
 * parameters and latent; inverse: log-density and latent w.r.t. parameters
 * and goal).  The inverse is exact (forward(infer(g)) = g, infer(forward(z))
 * = z, log-densities agree), and exp(logp) integrates to ~1 over (0,1)^2.
 * Plugin ABI: the success definition is required; update() refuses a task
 * it did not sample; an update with no success has a finite loss, skips the
 * validity term and leaves finite weights (the original's NaN);
 * snapshots; checkpoints.  argv[1] = setter-solver plugin.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/teachers/setter_solver/ss_flow.h"
#include "check_main.h"
#include "plugin_fixtures.h"
#include "teachkit/rng.h"

static const char *g_plugin;
static const tk_dim g_dims[2] = {{"x0", 0.0, 1.0}, {"x1", -2.0, 2.0}};
static const tk_task_space g_space = {2, g_dims};

typedef tk_teacher_fx teacher;

static tk_status teacher_open(teacher *t, const char *overrides, uint64_t seed)
{
    return tk_teacher_fx_open_merged(t, g_plugin, "setter-solver", seed, &g_space, overrides);
}

/* The extension, from a throw-away instance (its table is static). */
static teacher g_t;
static const ss_flow_api *api(void)
{
    static const ss_flow_api *a;
    if (!a) {
        ck_assert_int_eq(teacher_open(&g_t, "{\"success\": \"env\", \"setter_hidden_size\": 4}",
                                      1),
                         TK_OK);
        a = g_t.vt->get_extension(g_t.self, SS_FLOW_EXT_ID);
        ck_assert_ptr_nonnull(a);
        ck_assert_uint_ge(a->struct_size, sizeof *a);
    }
    return a;
}

#define CHECK_CLOSE(num, ana, what, i)                                                      \
    ck_assert_msg(fabs((num) - (ana)) <= 1e-5 * (1.0 + fabs(num)),                          \
                  "%s[%zu]: finite difference %.10g, backprop %.10g", what, (size_t)(i),     \
                  (double)(num), (double)(ana))

START_TEST(test_soft_softplus_grad)
{
    const ss_flow_api *a = api();
    const double xs[] = {-5e7, -100.0, -31.0, -2.0, -0.3, 0.0, 0.7, 3.0, 50.0};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        const double x = xs[i], h = 1e-6 * (1.0 + fabs(x));
        const double num = (a->soft_softplus(x + h) - a->soft_softplus(x - h)) / (2 * h);
        CHECK_CLOSE(num, a->soft_softplus_grad(x), "soft_softplus'", i);
        ck_assert(a->soft_softplus(x) > 0.0);
    }
    ck_assert_double_eq_tol(a->soft_softplus(10.0), 10.0 * (atan(10.0) / M_PI + 0.5) + 1 / M_PI,
                            1e-9);
}
END_TEST

/* loss = sum w .* y for fixed random weights w. */
static double weighted(const double *y, const double *w, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += y[i] * w[i];
    return s;
}

START_TEST(test_highway_grad)
{
    const ss_flow_api *a = api();
    tk_rng rng;
    tk_rng_seed(&rng, 11);
    const size_t in = 3, hs = 5, out = 2, n = 4;
    ss_highway *h = a->highway_new(in, hs, out, &rng);
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(a->highway_n_params(h), in * hs + hs + 3 * (2 * hs * hs + 2 * hs) + hs * out + out);
    double x[12], w[8], y[8], dx[12];
    double *p = a->highway_params(h), *g = a->highway_grads(h);
    for (size_t i = 0; i < n * in; i++)
        x[i] = tk_rng_normal(&rng);
    for (size_t i = 0; i < n * out; i++)
        w[i] = tk_rng_normal(&rng);
    /* non-zero biases so every term is exercised */
    for (size_t i = 0; i < a->highway_n_params(h); i++)
        p[i] += 0.1 * tk_rng_normal(&rng);
    memset(g, 0, a->highway_n_params(h) * sizeof *g);
    ck_assert_int_eq(a->highway_forward(h, x, n, y), 0);
    ck_assert_int_eq(a->highway_backward(h, w, dx), 0);
    for (size_t i = 0; i < a->highway_n_params(h); i++) {
        const double keep = p[i], e = 1e-6;
        p[i] = keep + e;
        a->highway_forward(h, x, n, y);
        const double lp = weighted(y, w, n * out);
        p[i] = keep - e;
        a->highway_forward(h, x, n, y);
        const double lm = weighted(y, w, n * out);
        p[i] = keep;
        CHECK_CLOSE((lp - lm) / (2 * e), g[i], "highway dparam", i);
    }
    for (size_t i = 0; i < n * in; i++) {
        const double keep = x[i], e = 1e-6;
        x[i] = keep + e;
        a->highway_forward(h, x, n, y);
        const double lp = weighted(y, w, n * out);
        x[i] = keep - e;
        a->highway_forward(h, x, n, y);
        const double lm = weighted(y, w, n * out);
        x[i] = keep;
        CHECK_CLOSE((lp - lm) / (2 * e), dx[i], "highway dx", i);
    }
    a->highway_free(h);
}
END_TEST

START_TEST(test_judge_grad)
{
    const ss_flow_api *a = api();
    tk_rng rng;
    tk_rng_seed(&rng, 12);
    const size_t sizes[4] = {2, 6, 5, 1}, n = 5;
    ss_mlp *m = a->mlp_new(3, sizes, &rng);
    double x[10], w[5], y[5], dx[10];
    for (size_t i = 0; i < 10; i++)
        x[i] = tk_rng_normal(&rng);
    for (size_t i = 0; i < 5; i++)
        w[i] = tk_rng_normal(&rng);
    double *p = a->mlp_params(m), *g = a->mlp_grads(m);
    for (size_t i = 0; i < a->mlp_n_params(m); i++)
        p[i] += 0.1 * tk_rng_normal(&rng);
    memset(g, 0, a->mlp_n_params(m) * sizeof *g);
    a->mlp_forward(m, x, n, y);
    ck_assert_int_eq(a->mlp_backward(m, w, dx, 1), 0);
    for (size_t i = 0; i < a->mlp_n_params(m); i++) {
        const double keep = p[i], e = 1e-6;
        p[i] = keep + e;
        a->mlp_forward(m, x, n, y);
        const double lp = weighted(y, w, n);
        p[i] = keep - e;
        a->mlp_forward(m, x, n, y);
        const double lm = weighted(y, w, n);
        p[i] = keep;
        CHECK_CLOSE((lp - lm) / (2 * e), g[i], "judge dparam", i);
    }
    for (size_t i = 0; i < 10; i++) {
        const double keep = x[i], e = 1e-6;
        x[i] = keep + e;
        a->mlp_forward(m, x, n, y);
        const double lp = weighted(y, w, n);
        x[i] = keep - e;
        a->mlp_forward(m, x, n, y);
        const double lm = weighted(y, w, n);
        x[i] = keep;
        CHECK_CLOSE((lp - lm) / (2 * e), dx[i], "judge dx", i);
    }
    a->mlp_free(m);
}
END_TEST

enum { N = 3, D = 3 };

/* Forward direction: L = sum wg .* g + sum wl .* logp. */
static double flow_loss_fwd(const ss_flow_api *a, ss_flow *f, const double *z, const double *c,
                            const double *wg, const double *wl)
{
    double g[N * D], lp[N];
    ck_assert_int_eq(a->flow_forward(f, z, c, N, g, lp), 0);
    return weighted(g, wg, N * D) + weighted(lp, wl, N);
}

/* Inverse direction: L = sum wz .* z + sum wl .* logp. */
static double flow_loss_inv(const ss_flow_api *a, ss_flow *f, const double *g, const double *c,
                            const double *wz, const double *wl)
{
    double z[N * D], lp[N];
    ck_assert_int_eq(a->flow_infer(f, g, c, N, z, lp), 0);
    return weighted(z, wz, N * D) + weighted(lp, wl, N);
}

/* Five-point central difference of the flow loss w.r.t. *v: the inverse
 * direction divides by scales, so its losses are steep and the 2-point
 * rule's truncation error reaches 1e-3. */
static double fd5(const ss_flow_api *a, ss_flow *f, int dir, double *v, const double *z,
                  const double *gg, const double *c, const double *wg, const double *wl)
{
    const double keep = *v, e = 1e-4;
    double l[4];
    const double off[4] = {2 * e, e, -e, -2 * e};
    for (int k = 0; k < 4; k++) {
        *v = keep + off[k];
        l[k] = dir ? flow_loss_inv(a, f, gg, c, wg, wl) : flow_loss_fwd(a, f, z, c, wg, wl);
    }
    *v = keep;
    return (-l[0] + 8 * l[1] - 8 * l[2] + l[3]) / (12 * e);
}

/* Every coupling (3 blocks x 3, d = 3 so each has both parts) checked
 * through the flow: a sample of parameters from every net plus all
 * inputs, in both directions. */
START_TEST(test_flow_grad)
{
    const ss_flow_api *a = api();
    tk_rng rng;
    tk_rng_seed(&rng, 13);
    ss_flow *f = a->flow_new(D, 4, &rng);
    ck_assert_ptr_nonnull(f);
    const size_t np = a->flow_n_params(f);
    double *p = a->flow_params(f), *gr = a->flow_grads(f);
    double z[N * D], c[N], wg[N * D], wl[N], dz[N * D], gg[N * D], dgg[N * D];
    for (size_t i = 0; i < N * D; i++) {
        z[i] = tk_rng_normal(&rng);
        wg[i] = tk_rng_normal(&rng);
        gg[i] = tk_rng_range(&rng, 0.05, 0.95);
    }
    for (size_t i = 0; i < N; i++) {
        c[i] = tk_rng_range(&rng, 0.01, 0.99);
        wl[i] = tk_rng_normal(&rng);
    }
    /* scaled weights keep the inverse (a division by the scales) well
     * conditioned, so finite differences are accurate to 1e-5 */
    for (size_t i = 0; i < np; i++)
        p[i] = 0.3 * p[i] + 0.05 * tk_rng_normal(&rng);
    for (int dir = 0; dir < 2; dir++) {
        memset(gr, 0, np * sizeof *gr);
        double out[N * D], lp[N];
        if (dir == 0) {
            a->flow_forward(f, z, c, N, out, lp);
            ck_assert_int_eq(a->flow_forward_backward(f, wg, wl, dz), 0);
        } else {
            a->flow_infer(f, gg, c, N, out, lp);
            ck_assert_int_eq(a->flow_infer_backward(f, wg, wl, dgg), 0);
        }
        const char *what = dir ? "infer dparam" : "forward dparam";
        for (size_t i = 0; i < np; i += 7)
            CHECK_CLOSE(fd5(a, f, dir, &p[i], z, gg, c, wg, wl), gr[i], what, i);
        double *x = dir ? gg : z, *dx = dir ? dgg : dz;
        for (size_t i = 0; i < N * D; i++)
            CHECK_CLOSE(fd5(a, f, dir, &x[i], z, gg, c, wg, wl), dx[i],
                        dir ? "infer dg" : "forward dz", i);
    }
    a->flow_free(f);
}
END_TEST

START_TEST(test_flow_inverse_exact)
{
    const ss_flow_api *a = api();
    tk_rng rng;
    tk_rng_seed(&rng, 14);
    enum { M = 64, DD = 4 };
    ss_flow *f = a->flow_new(DD, 16, &rng);
    double z[M * DD], c[M], g[M * DD], lp[M], z2[M * DD], lp2[M], g2[M * DD], lp3[M];
    for (size_t i = 0; i < M * DD; i++)
        z[i] = tk_rng_normal(&rng);
    for (size_t i = 0; i < M; i++)
        c[i] = tk_rng_range(&rng, 1e-8, 1.0);
    ck_assert_int_eq(a->flow_forward(f, z, c, M, g, lp), 0);
    ck_assert_int_eq(a->flow_infer(f, g, c, M, z2, lp2), 0);
    for (size_t i = 0; i < M * DD; i++) {
        ck_assert(g[i] > 0.0 && g[i] < 1.0);
        ck_assert_double_eq_tol(z2[i], z[i], 1e-9);
    }
    for (size_t i = 0; i < M; i++)
        ck_assert_double_eq_tol(lp2[i], lp[i], 1e-8);
    ck_assert_int_eq(a->flow_forward(f, z2, c, M, g2, lp3), 0);
    for (size_t i = 0; i < M * DD; i++)
        ck_assert_double_eq_tol(g2[i], g[i], 1e-12);
    a->flow_free(f);
}
END_TEST

/* The density of g integrates to 1 over (0,1)^2: exp(logp) / (2 pi) (the
 * original drops the Gaussian constant) on a 400 x 400 midpoint grid.  The
 * soft softplus gives scales near 1/pi at initialisation, so a fresh flow
 * concentrates its mass in a small region; the grid covers the box spanned
 * by 4000 forward samples, widened by half its size on every side (the
 * mass outside is negligible), for two conditions. */
START_TEST(test_flow_density_integrates_to_one)
{
    const ss_flow_api *a = api();
    tk_rng rng;
    tk_rng_seed(&rng, 15);
    ss_flow *f = a->flow_new(2, 8, &rng);
    enum { K = 400, S = 4000 };
    double *g = malloc(K * K * 2 * sizeof *g), *z = malloc(K * K * 2 * sizeof *z);
    double *c = malloc(K * K * sizeof *c), *lp = malloc(K * K * sizeof *lp);
    const double conds[2] = {0.2, 0.9};
    for (int ci = 0; ci < 2; ci++) {
        for (size_t i = 0; i < S; i++) {
            z[2 * i] = tk_rng_normal(&rng);
            z[2 * i + 1] = tk_rng_normal(&rng);
            c[i] = conds[ci];
        }
        ck_assert_int_eq(a->flow_forward(f, z, c, S, g, lp), 0);
        double lo[2] = {1, 1}, hi[2] = {0, 0};
        for (size_t i = 0; i < S; i++)
            for (int k = 0; k < 2; k++) {
                lo[k] = fmin(lo[k], g[2 * i + k]);
                hi[k] = fmax(hi[k], g[2 * i + k]);
            }
        for (int k = 0; k < 2; k++) {
            const double w = hi[k] - lo[k];
            lo[k] = fmax(lo[k] - 0.5 * w, 1e-12);
            hi[k] = fmin(hi[k] + 0.5 * w, 1.0 - 1e-12);
        }
        const double h0 = (hi[0] - lo[0]) / K, h1 = (hi[1] - lo[1]) / K;
        for (size_t i = 0; i < K; i++)
            for (size_t j = 0; j < K; j++) {
                g[(i * K + j) * 2] = lo[0] + (i + 0.5) * h0;
                g[(i * K + j) * 2 + 1] = lo[1] + (j + 0.5) * h1;
                c[i * K + j] = conds[ci];
            }
        ck_assert_int_eq(a->flow_infer(f, g, c, K * K, z, lp), 0);
        double s = 0.0;
        for (size_t i = 0; i < K * K; i++)
            s += exp(lp[i]) / (2.0 * M_PI) * h0 * h1;
        ck_assert_msg(fabs(s - 1.0) < 0.01, "integral %.5f for f = %g", s, conds[ci]);
    }
    free(g), free(z), free(c), free(lp);
    a->flow_free(f);
}
END_TEST

START_TEST(test_config_and_order)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{}", 1), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "success");
    ck_assert_ptr_nonnull(strstr(t.h.ctx.err_message, "is required"));
    tk_teacher_fx_close(&t);
    ck_assert_int_eq(teacher_open(&t, "{\"success\": \"env\", \"setter_hidden_size\": 0}", 1),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "setter_hidden_size");
    tk_teacher_fx_close(&t);
    ck_assert_int_eq(teacher_open(&t, "{\"success\": \"env\", \"setter_hidden_size\": 8}", 1),
                     TK_OK);
    float task[2] = {0.5f, 0.0f};
    ck_assert_int_eq(t.vt->update(t.self, task, 0.0, 1), TK_ERR_STATE);
    ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
    ck_assert(task[0] >= 0.0f && task[0] <= 1.0f && task[1] >= -2.0f && task[1] <= 2.0f);
    float other[2] = {task[0], task[1] == 2.0f ? 1.0f : 2.0f};
    ck_assert_int_eq(t.vt->update(t.self, other, 0.0, 1), TK_ERR_STATE);
    ck_assert_int_eq(t.vt->update(t.self, task, 0.0, 1), TK_OK);
    tk_teacher_fx_close(&t);
}
END_TEST

static void run(teacher *t, int episodes, int (*ok)(const float *, int))
{
    float task[2];
    for (int e = 0; e < episodes; e++) {
        ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
        ck_assert_int_eq(t->vt->update(t->self, task, 0.0, ok(task, e)), TK_OK);
    }
}

static int never(const float *task, int e)
{
    (void)task, (void)e;
    return 0;
}

static int left_half(const float *task, int e)
{
    (void)e;
    return task[0] < 0.5f;
}

START_TEST(test_no_success_no_nan)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"success\": \"env\", \"setter_hidden_size\": 8, "
                                      "\"update_frequency\": 10}",
                                  2),
                     TK_OK);
    const ss_flow_api *a = t.vt->get_extension(t.self, SS_FLOW_EXT_ID);
    run(&t, 30, never);
    double losses[4];
    int skipped = 0;
    a->teacher_losses(t.self, losses, &skipped);
    ck_assert_int_eq(skipped, 1);
    ck_assert_double_eq(losses[1], 0.0);
    for (int i = 0; i < 4; i++)
        ck_assert(isfinite(losses[i]));
    ss_flow *f = a->teacher_flow(t.self);
    const double *p = a->flow_params(f);
    for (size_t i = 0; i < a->flow_n_params(f); i++)
        ck_assert(isfinite(p[i]));
    run(&t, 10, left_half);
    a->teacher_losses(t.self, losses, &skipped);
    ck_assert_int_eq(skipped, 0);
    ck_assert(isfinite(losses[1]) && losses[1] != 0.0);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_snapshot_and_checkpoint)
{
    const char *cfg = "{\"success\": {\"return_above\": 0.5}, \"setter_hidden_size\": 8, "
                      "\"update_frequency\": 7}";
    teacher a, b;
    ck_assert_int_eq(teacher_open(&a, cfg, 3), TK_OK);
    run(&a, 23, left_half);
    const tk_rng before = a.h.ctx.rng;
    json_t *root = tk_teacher_fx_snapshot(&a, "samples");
    ck_assert_mem_eq(&before, &a.h.ctx.rng, sizeof before);
    ck_assert_uint_eq(json_array_size(json_object_get(root, "points")), 100);
    ck_assert_int_eq(json_integer_value(json_object_get(root, "updates")), 3);
    json_decref(root);
    float task[2], tb[2];
    ck_assert_int_eq(a.vt->sample(a.self, task), TK_OK); /* pending across the save */
    const void *data;
    size_t size;
    ck_assert_int_eq(a.vt->save(a.self, &data, &size), TK_OK);
    ck_assert_int_eq(teacher_open(&b, cfg, 99), TK_OK);
    ck_assert_int_eq(b.vt->load(b.self, data, size - 8), TK_ERR_INVALID);
    ck_assert_int_eq(b.vt->load(b.self, data, size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng;
    ck_assert_int_eq(b.vt->update(b.self, task, 1.0, 0), TK_OK);
    ck_assert_int_eq(a.vt->update(a.self, task, 1.0, 0), TK_OK);
    for (int e = 0; e < 20; e++) {
        ck_assert_int_eq(a.vt->sample(a.self, task), TK_OK);
        ck_assert_int_eq(b.vt->sample(b.self, tb), TK_OK);
        ck_assert_mem_eq(task, tb, sizeof task);
        const double ret = task[0] < 0.5f ? 1.0 : 0.0; /* success = return > 0.5 */
        ck_assert_int_eq(a.vt->update(a.self, task, ret, 0), TK_OK);
        ck_assert_int_eq(b.vt->update(b.self, tb, ret, 0), TK_OK);
    }
    tk_teacher_fx_close(&a);
    tk_teacher_fx_close(&b);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SETTER_SOLVER_PLUGIN\n", argv[0]);
        return 2;
    }
    g_plugin = argv[1];
    Suite *s = suite_create("setter_solver");
    TCase *tc = tk_check_tcase(s, "core", 120);
    tcase_add_test(tc, test_soft_softplus_grad);
    tcase_add_test(tc, test_highway_grad);
    tcase_add_test(tc, test_judge_grad);
    tcase_add_test(tc, test_flow_grad);
    tcase_add_test(tc, test_flow_inverse_exact);
    tcase_add_test(tc, test_flow_density_integrates_to_one);
    tcase_add_test(tc, test_config_and_order);
    tcase_add_test(tc, test_no_success_no_nan);
    tcase_add_test(tc, test_snapshot_and_checkpoint);
    return tk_check_run(s);
}
