#include "gmm_shared_tests.h"

#include <math.h>
#include <string.h>

#include "gmm_teacher_fixture.h"

/* Before the first fit every task is uniform: chi-square on 10 bins per
 * dimension over a 2000-episode bootstrap whose rewards would otherwise pull
 * the teacher into the first quarter. */
START_TEST(test_bootstrap_is_uniform)
{
    gmm_fx fx;
    const double b[] = {-2.0, 3.0, 10.0, 11.0};
    ck_assert_int_eq(gmm_fx_open(&fx, 7, 2, b, "{\"fit_rate\": 2000}"), TK_OK);
    int bins[2][10] = {{0}};
    float task[2];
    for (int i = 0; i < 2000; i++) {
        gmm_play_one(&fx, task);
        for (int j = 0; j < 2; j++) {
            int k = (int)(10.0 * (task[j] - b[2 * j]) / (b[2 * j + 1] - b[2 * j]));
            bins[j][k < 10 ? k : 9]++;
        }
    }
    for (int j = 0; j < 2; j++) {
        double chi2 = 0.0;
        for (int k = 0; k < 10; k++)
            chi2 += (bins[j][k] - 200.0) * (bins[j][k] - 200.0) / 200.0;
        /* 9 degrees of freedom: P(chi2 > 27.9) = 0.001 */
        ck_assert_msg(chi2 < 27.9, "dimension %d: chi2 = %g", j, chi2);
    }
    ck_assert_int_eq(gmm_snapshot_fits(&fx), 1);
    gmm_fx_close(&fx);
}
END_TEST

/* The first fit happens exactly at episode fit_rate, the next ones every
 * fit_rate episodes; before it the snapshot has no component. */
START_TEST(test_first_fit_at_fit_rate)
{
    gmm_fx fx;
    ck_assert_int_eq(gmm_fx_open(&fx, 3, 2, gmm_unit2, "{\"fit_rate\": 100}"), TK_OK);
    json_t *s = gmm_snapshot(&fx);
    ck_assert_uint_eq(json_array_size(json_object_get(s, "components")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(s, "fits")), 0);
    json_decref(s);
    gmm_play(&fx, 99);
    ck_assert_int_eq(gmm_snapshot_fits(&fx), 0);
    gmm_play(&fx, 1);
    ck_assert_int_eq(gmm_snapshot_fits(&fx), 1);
    gmm_play(&fx, 99);
    ck_assert_int_eq(gmm_snapshot_fits(&fx), 1);
    gmm_play(&fx, 1);
    ck_assert_int_eq(gmm_snapshot_fits(&fx), 2);
    gmm_fx_close(&fx);
}
END_TEST

/* nb_bootstrap = 350 with fit_rate 100: "n >= bootstrap and n % fit_rate ==
 * 0" first holds at n = 400. */
START_TEST(test_bootstrap_longer_than_fit_rate)
{
    gmm_fx fx;
    ck_assert_int_eq(
        gmm_fx_open(&fx, 3, 2, gmm_unit2, "{\"fit_rate\": 100, \"nb_bootstrap\": 350}"), TK_OK);
    gmm_play(&fx, 399);
    ck_assert_int_eq(gmm_snapshot_fits(&fx), 0);
    gmm_play(&fx, 1);
    ck_assert_int_eq(gmm_snapshot_fits(&fx), 1);
    gmm_fx_close(&fx);
}
END_TEST

START_TEST(test_component_count)
{
    gmm_fx fx;
    ck_assert_int_eq(gmm_fx_open(&fx, 11, 2, gmm_unit2, "{\"fit_rate\": 150}"), TK_OK);
    for (int f = 0; f < 4; f++) {
        gmm_play(&fx, 150);
        gmm_check_components(&fx, 2, 10);
    }
    gmm_fx_close(&fx);
    ck_assert_int_eq(
        gmm_fx_open(&fx, 11, 2, gmm_unit2, "{\"fit_rate\": 150, \"k_min\": 4, \"k_max\": 5}"),
        TK_OK);
    for (int f = 0; f < 4; f++) {
        gmm_play(&fx, 150);
        gmm_check_components(&fx, 4, 5);
    }
    gmm_fx_close(&fx);
}
END_TEST

/* Once fitted, most tasks come from the rewarding quarter, and every task
 * stays in the box, including a degenerate dimension and a bound that is
 * not a float32 value. */
START_TEST(test_focus_and_bounds)
{
    gmm_fx fx;
    const double b[] = {-1.0, 0.3, 2.0, 2.0, 0.0, 1e-3};
    ck_assert_int_eq(gmm_fx_open(&fx, 5, 3, b, "{\"fit_rate\": 200}"), TK_OK);
    gmm_play(&fx, 1000);
    double frac = gmm_play(&fx, 3000);
    /* Uniform would give 0.25; 20 % of tasks stay uniform. */
    ck_assert_msg(frac > 0.5, "only %.2f of the tasks in the %s", frac, gmm_checks_kind()->quarter);
    gmm_fx_close(&fx);
}
END_TEST

static void trace(uint64_t seed, float *out, int n)
{
    gmm_fx fx;
    ck_assert_int_eq(gmm_fx_open(&fx, seed, 2, gmm_unit2, "{\"fit_rate\": 100}"), TK_OK);
    for (int i = 0; i < n; i++)
        gmm_play_one(&fx, out + 2 * i);
    gmm_fx_close(&fx);
}

START_TEST(test_deterministic)
{
    enum { N = 800 };
    static float a[2 * N], b[2 * N], c[2 * N];
    trace(42, a, N);
    trace(42, b, N);
    trace(43, c, N);
    ck_assert_mem_eq(a, b, sizeof a);
    ck_assert(memcmp(a, c, sizeof a) != 0);
    /* ... and the part after the bootstrap differs too. */
    ck_assert(memcmp(a + 2 * 100, c + 2 * 100, sizeof(float) * 2 * (N - 100)) != 0);
}
END_TEST

START_TEST(test_nan_task_rejected)
{
    gmm_fx fx;
    ck_assert_int_eq(gmm_fx_open(&fx, 1, 2, gmm_unit2, NULL), TK_OK);
    const tk_teacher_fx *t = &fx.tk;
    float task[2] = {0.5f, NAN};
    ck_assert_int_eq(t->vt->update(t->self, task, 0.5, 0), TK_ERR_INVALID);
    ck_assert_int_eq(t->h.ctx.code, TK_ERR_INVALID);
    task[1] = INFINITY;
    ck_assert_int_eq(t->vt->update(t->self, task, 0.5, 0), TK_ERR_INVALID);
    /* Nothing was counted: the first fit still comes at fit_rate. */
    task[1] = 0.5f;
    ck_assert_int_eq(t->vt->update(t->self, task, 0.5, 0), TK_OK);
    ck_assert_int_eq(gmm_snapshot_fits(&fx), 0);
    gmm_fx_close(&fx);
}
END_TEST

void gmm_add_shared_tests(TCase *tc)
{
    tcase_add_test(tc, test_bootstrap_is_uniform);
    tcase_add_test(tc, test_first_fit_at_fit_rate);
    tcase_add_test(tc, test_bootstrap_longer_than_fit_rate);
    tcase_add_test(tc, test_component_count);
    tcase_add_test(tc, test_focus_and_bounds);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_nan_task_rejected);
}

