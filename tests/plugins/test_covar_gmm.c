/*
 * Tests of the covar-gmm teacher plugin through its ABI (teachDeepRL
 * teachDRL/teachers/algos/covar_gmm.py), checkpoints included.  argv[1] = the
 * plugin, argv[2] = the toy-grid env plugin (optional: the learning check is
 * skipped without it).
 * What covar-gmm shares with alp-gmm (fit schedule, component layout,
 * determinism, NaN tasks) is tested in tests/support/gmm_shared_tests.c.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "check_main.h"
#include "gmm_shared_tests.h"
#include "gmm_teacher_fixture.h"

/* --------------------------------------------------------------- descriptor */

START_TEST(test_descriptor)
{
    static const char *const keys[] = {"fit_rate", "nb_bootstrap", "k_min", "k_max",
                                       "random_task_ratio", "absolute_lp", "reg_covar", "tol",
                                       "max_iter"};
    json_t *cfg = gmm_descriptor_defaults(keys, sizeof keys / sizeof keys[0]);
    ck_assert(json_is_false(json_object_get(cfg, "absolute_lp")));
    json_decref(cfg);
}
END_TEST

/* ------------------------------------------------------------------ variants */

START_TEST(test_variants)
{
    const char *variants[] = {
        "{\"fit_rate\": 100, \"absolute_lp\": true}",
        "{\"fit_rate\": 100, \"nb_bootstrap\": 200, \"random_task_ratio\": 0.0}",
        "{\"fit_rate\": 100, \"k_min\": 1, \"k_max\": 3, \"tol\": 1e-6, \"max_iter\": 500}",
    };
    const size_t kmin[] = {2, 2, 1};
    const size_t kmax[] = {10, 10, 3};
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        gmm_fx fx;
        ck_assert_int_eq(gmm_fx_open(&fx, 9, 2, gmm_unit2, variants[v]), TK_OK);
        gmm_play(&fx, 600);
        ck_assert_int_eq(gmm_snapshot_fits(&fx), v == 1 ? 5 : 6);
        gmm_check_components(&fx, kmin[v], kmax[v]);
        gmm_fx_close(&fx);
    }
}
END_TEST

/* Feed one batch of (task, reward) to a single-component teacher: the fit is
 * the window's sample mean and ML covariance (1/N, as EM computes it), so
 * the snapshot's score is the time-reward covariance computed here by hand
 * with t_i = i / N for the i-th episode of the batch (the count before the
 * episode).  A time taken after the episode would give the batch's last
 * episode t = 0 and a different covariance. */
static void feed_batch(gmm_fx *fx, int n, double slope, double *x_mean, double *x_var,
                       double *cov_tr)
{
    double x[256], t[256], r[256];
    double mx = 0.0, mt = 0.0, mr = 0.0;
    ck_assert_int_le(n, 256);
    for (int i = 0; i < n; i++) {
        float task = (float)(0.2 + 0.6 * fabs(sin(1.3 * i)));
        x[i] = task;
        t[i] = (double)i / n;
        r[i] = 0.5 + slope * ((double)i / n) + 0.2 * cos(2.1 * i);
        mx += x[i];
        mt += t[i];
        mr += r[i];
        ck_assert_int_eq(fx->tk.vt->update(fx->tk.self, &task, r[i], 0), TK_OK);
    }
    mx /= n;
    mt /= n;
    mr /= n;
    double vx = 0.0, ctr = 0.0;
    for (int i = 0; i < n; i++) {
        vx += (x[i] - mx) * (x[i] - mx);
        ctr += (t[i] - mt) * (r[i] - mr);
    }
    *x_mean = mx;
    *x_var = vx / n;
    *cov_tr = ctr / n;
}

static void check_single(const gmm_fx *fx, double x_mean, double x_var, double score)
{
    json_t *s = gmm_snapshot(fx);
    json_t *comps = json_object_get(s, "components");
    ck_assert_uint_eq(json_array_size(comps), 1);
    json_t *c0 = json_array_get(comps, 0);
    double got = json_number_value(json_object_get(c0, "alp"));
    ck_assert_msg(fabs(got - score) <= 1e-9 * fmax(1.0, fabs(score)),
                  "score %.17g, expected %.17g", got, score);
    ck_assert_double_eq_tol(json_number_value(json_array_get(json_object_get(c0, "mean"), 0)),
                            x_mean, 1e-12);
    json_t *cov = json_array_get(json_object_get(c0, "cov"), 0);
    /* reg_covar (1e-6) is added to the diagonal */
    ck_assert_double_eq_tol(json_number_value(json_array_get(cov, 0)), x_var + 1e-6, 1e-12);
    json_decref(s);
}

START_TEST(test_covariance_score_by_hand)
{
    enum { N = 40 };
    gmm_fx fx;
    const double b[] = {0.0, 1.0};
    ck_assert_int_eq(gmm_fx_open(&fx, 4, 1, b, "{\"fit_rate\": 40, \"k_min\": 1, \"k_max\": 1}"),
                     TK_OK);
    double xm, xv, c;
    feed_batch(&fx, N, 0.8, &xm, &xv, &c);
    ck_assert(c > 0.01);
    check_single(&fx, xm, xv, c);
    /* Second batch: only the last fit_rate episodes count and the time
     * starts again at 0.  Reward now decreases: max(0, .) gives 0. */
    feed_batch(&fx, N, -0.8, &xm, &xv, &c);
    ck_assert(c < -0.01);
    check_single(&fx, xm, xv, 0.0);
    gmm_fx_close(&fx);

    /* absolute_lp: |cov| */
    ck_assert_int_eq(gmm_fx_open(&fx, 4, 1, b,
                             "{\"fit_rate\": 40, \"k_min\": 1, \"k_max\": 1, "
                             "\"absolute_lp\": true}"),
                     TK_OK);
    feed_batch(&fx, N, -0.8, &xm, &xv, &c);
    check_single(&fx, xm, xv, fabs(c));
    gmm_fx_close(&fx);
}

/* ------------------------------------------------------------- checkpoints */

/* The saved state holds the window, the k-means stream and the mixture. */
START_TEST(test_checkpoint_round_trip)
{
    gmm_ckpt_round_trip_schedule();
    gmm_ckpt_round_trip(
        "{\"fit_rate\": 60, \"k_min\": 1, \"k_max\": 4, \"absolute_lp\": true}", 275, 600);
}
END_TEST

START_TEST(test_checkpoint_rejects_bad_data)
{
    gmm_ckpt_rejects_bad_data("{\"fit_rate\": 100}", "{\"fit_rate\": 120}");
}
END_TEST

/* ------------------------------------------------------------------- errors */

START_TEST(test_config_errors)
{
    gmm_check_common_config_errors();
    gmm_expect_config_error("{\"absolute_lp\": \"yes\"}", "absolute_lp");
    gmm_expect_config_error("{\"tol\": -0.1}", "tol");
}
END_TEST

/* ----------------------------------------------------------------- toy env */

/* Reference (teachDeepRL, 5 seeds): Covar-GMM 66.8 +- 2.3 %, random 4.6 %. */
START_TEST(test_toy_env_learning)
{
    double pct = gmm_toy_run(2, 20000);
    ck_assert_msg(pct >= 40.0, "Covar-GMM mastered %.1f %% of the toy grid (random ~ 4.6 %%)",
                  pct);
}
END_TEST

/* The synthetic learner's reward on the first quarter grows from 0 to 1 over
 * every block of 100 episodes: a positive time-reward covariance for the
 * fit_rates used here. */
static double covar_quarter_reward(uint64_t episodes)
{
    return (double)(episodes % 100) / 100.0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PLUGIN.so [TOY_GRID.so]\n", argv[0]);
        return 2;
    }
    const gmm_kind kind = {argv[1], argc > 2 ? argv[2] : NULL, "covar-gmm", covar_quarter_reward,
                           "progressing quarter"};
    gmm_checks_setup(&kind);

    Suite *s = suite_create("covar-gmm");
    TCase *tc = tk_check_tcase(s, "teacher", 120);
    tcase_add_test(tc, test_descriptor);
    gmm_add_shared_tests(tc);
    tcase_add_test(tc, test_variants);
    tcase_add_test(tc, test_covariance_score_by_hand);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_checkpoint_round_trip);
    tcase_add_test(tc, test_checkpoint_rejects_bad_data);
    if (kind.toy)
        tcase_add_test(tk_check_tcase(s, "toy-env", 120), test_toy_env_learning);
    else
        fprintf(stderr, "no toy-grid plugin given: learning check skipped\n");
    return tk_check_run(s);
}
