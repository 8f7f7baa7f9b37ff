/*
 * Tests of the alp-gmm teacher plugin through its ABI (teachDeepRL
 * teachDRL/teachers/algos/alp_gmm.py), checkpoints included.  argv[1] = the plugin, argv[2] = the
 * toy-grid env plugin (optional: the learning check is skipped without it).
 * What alp-gmm shares with covar-gmm (fit schedule, component layout,
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
                                       "random_task_ratio", "gmm_fitness_fun", "nb_em_init",
                                       "warm_start", "alp_max_size", "alp_buffer_size",
                                       "reg_covar", "tol", "max_iter"};
    json_t *cfg = gmm_descriptor_defaults(keys, sizeof keys / sizeof keys[0]);
    ck_assert_str_eq(json_string_value(json_object_get(cfg, "gmm_fitness_fun")), "aic");
    json_decref(cfg);
}
END_TEST

/* ------------------------------------------------------------------ variants */

START_TEST(test_criteria_and_warm_start)
{
    const char *variants[] = {
        "{\"fit_rate\": 100, \"gmm_fitness_fun\": \"bic\"}",
        "{\"fit_rate\": 100, \"gmm_fitness_fun\": \"aicc\"}",
        "{\"fit_rate\": 100, \"warm_start\": true}",
        "{\"fit_rate\": 100, \"nb_em_init\": 3, \"alp_max_size\": 300, \"alp_buffer_size\": 50}",
    };
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        gmm_fx fx;
        ck_assert_int_eq(gmm_fx_open(&fx, 9, 2, gmm_unit2, variants[v]), TK_OK);
        gmm_play(&fx, 600);
        ck_assert_int_eq(gmm_snapshot_fits(&fx), 6);
        gmm_check_components(&fx, 2, 10);
        gmm_fx_close(&fx);
    }
}
END_TEST

/* With one component the fit is the sample mean and covariance of the
 * window, so the snapshot's "alp" is the mean ALP, computed here by brute
 * force (EmpiricalALPComputer: 0 for the first 6 episodes, then |r - r_nearest|). */
START_TEST(test_single_component_alp)
{
    enum { N = 60 };
    gmm_fx fx;
    const double b[] = {0.0, 1.0};
    ck_assert_int_eq(gmm_fx_open(&fx, 4, 1, b, "{\"fit_rate\": 60, \"k_min\": 1, \"k_max\": 1}"),
                     TK_OK);
    float x[N];
    double r[N], alp_sum = 0.0, x_sum = 0.0;
    for (int i = 0; i < N; i++) {
        x[i] = (float)((i * 37 % N) / (double)N + 0.001 * i); /* distinct tasks */
        r[i] = 0.5 + 0.5 * sin(0.7 * i);
        double alp = 0.0;
        if (i > 5) {
            int best = 0;
            for (int j = 1; j < i; j++)
                if (fabs((double)x[j] - x[i]) < fabs((double)x[best] - x[i]))
                    best = j;
            alp = fabs(r[i] - r[best]);
        }
        alp_sum += alp;
        x_sum += x[i];
        ck_assert_int_eq(fx.tk.vt->update(fx.tk.self, &x[i], r[i], 0), TK_OK);
    }
    json_t *s = gmm_snapshot(&fx);
    json_t *comps = json_object_get(s, "components");
    ck_assert_uint_eq(json_array_size(comps), 1);
    json_t *c0 = json_array_get(comps, 0);
    ck_assert_double_eq_tol(json_number_value(json_object_get(c0, "alp")), alp_sum / N, 1e-9);
    ck_assert_double_eq_tol(json_number_value(json_array_get(json_object_get(c0, "mean"), 0)),
                            x_sum / N, 1e-9);
    ck_assert_double_eq_tol(json_number_value(json_object_get(c0, "weight")), 1.0, 1e-12);
    json_decref(s);
    gmm_fx_close(&fx);
}
END_TEST

/* ------------------------------------------------------------- checkpoints */

/* The saved state holds the window, the ALP computer and the model
 * selector (their own records), so a loaded instance continues exactly. */
START_TEST(test_checkpoint_round_trip)
{
    gmm_ckpt_round_trip_schedule();
    gmm_ckpt_round_trip("{\"fit_rate\": 100, \"warm_start\": true, \"nb_em_init\": 2}", 437,
                        1200);
    gmm_ckpt_round_trip("{\"fit_rate\": 50, \"k_min\": 1, \"k_max\": 4, \"warm_start\": true, "
                        "\"gmm_fitness_fun\": \"aicc\"}",
                        275, 600);
}
END_TEST

/* A bounded ALP history (alp_max_size): the computer saves the pairs it
 * still holds; save points around the buffer's flushes and trims. */
START_TEST(test_checkpoint_round_trip_bounded_history)
{
    const char *config = "{\"fit_rate\": 60, \"alp_max_size\": 130, \"alp_buffer_size\": 37, "
                         "\"gmm_fitness_fun\": \"bic\"}";
    static const int before[] = {5, 37, 38, 75, 167, 168, 204, 437, 1000};
    for (size_t i = 0; i < sizeof before / sizeof before[0]; i++)
        gmm_ckpt_round_trip(config, before[i], 400);
    gmm_ckpt_round_trip("{\"fit_rate\": 60, \"alp_max_size\": 1, \"alp_buffer_size\": 1}", 301,
                        300);
}
END_TEST

START_TEST(test_checkpoint_rejects_bad_data)
{
    static const char *const configs[] = {
        "{\"fit_rate\": 100}",
        "{\"fit_rate\": 100, \"warm_start\": true}",
        "{\"fit_rate\": 60, \"alp_max_size\": 130, \"alp_buffer_size\": 37}",
    };
    /* Another buffer size: the saved computer does not fit this one. */
    for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++)
        gmm_ckpt_rejects_bad_data(configs[c], "{\"fit_rate\": 100, \"alp_buffer_size\": 50}");
}
END_TEST

/* ------------------------------------------------------------------- errors */

START_TEST(test_config_errors)
{
    gmm_check_common_config_errors();
    gmm_expect_config_error("{\"gmm_fitness_fun\": \"aik\"}", "gmm_fitness_fun");
    gmm_expect_config_error("{\"nb_em_init\": 0}", "nb_em_init");
    gmm_expect_config_error("{\"alp_max_size\": 0}", "alp_max_size");
    gmm_expect_config_error("{\"alp_buffer_size\": 0}", "alp_buffer_size");
    gmm_expect_config_error("{\"warm_start\": 1}", "warm_start");
}
END_TEST

/* ----------------------------------------------------------------- toy env */

/* Reference (teachDeepRL, 5 seeds): ALP-GMM 34.6 +- 2.7 %, random 4.6 %. */
START_TEST(test_toy_env_learning)
{
    double pct = gmm_toy_run(2, 20000);
    ck_assert_msg(pct >= 20.0, "ALP-GMM mastered %.1f %% of the toy grid (random ~ 4.6 %%)",
                  pct);
}
END_TEST

/* The synthetic learner's reward on the first quarter flips between 0 and 1
 * every 50 episodes: high ALP there. */
static double alp_quarter_reward(uint64_t episodes)
{
    return (double)((episodes / 50) % 2);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PLUGIN.so [TOY_GRID.so]\n", argv[0]);
        return 2;
    }
    const gmm_kind kind = {argv[1], argc > 2 ? argv[2] : NULL, "alp-gmm", alp_quarter_reward,
                           "high-ALP quarter"};
    gmm_checks_setup(&kind);

    Suite *s = suite_create("alp-gmm");
    TCase *tc = tk_check_tcase(s, "teacher", 120);
    tcase_add_test(tc, test_descriptor);
    gmm_add_shared_tests(tc);
    tcase_add_test(tc, test_criteria_and_warm_start);
    tcase_add_test(tc, test_single_component_alp);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_checkpoint_round_trip);
    tcase_add_test(tc, test_checkpoint_round_trip_bounded_history);
    tcase_add_test(tc, test_checkpoint_rejects_bad_data);
    if (kind.toy)
        tcase_add_test(tk_check_tcase(s, "toy-env", 120), test_toy_env_learning);
    else
        fprintf(stderr, "no toy-grid plugin given: learning check skipped\n");
    return tk_check_run(s);
}
