/* The student scores of ABI 1.2 (score_trace.c) against values computed by
 * hand. */
#include <check.h>
#include <stddef.h>
#include <string.h>

#include "check_main.h"
#include "teachkit/score_trace.h"

static tk_episode_scores fresh_scores(void)
{
    tk_episode_scores sc;
    memset(&sc, 0, sizeof sc);
    sc.struct_size = sizeof sc;
    return sc;
}

START_TEST(gae_positive_value_loss_by_hand)
{
    /* r = [1, 0, 2], V = [0.5, 1, 1.5], terminal (bootstrap 0), gamma =
     * lambda = 0.5:
     *   delta_2 = 2 - 1.5 = 0.5,  delta_1 = 0 + 0.5 * 1.5 - 1 = -0.25,
     *   delta_0 = 1 + 0.5 * 1 - 0.5 = 1;
     *   A_2 = 0.5,  A_1 = -0.25 + 0.25 * 0.5 = -0.125,
     *   A_0 = 1 + 0.25 * -0.125 = 0.96875;
     *   positive value loss = (0.96875 + 0 + 0.5) / 3;
     *   mean value 1; discounted return 1 + 0 + 0.25 * 2 = 1.5. */
    tk_score_trace t = {0};
    ck_assert_int_eq(tk_score_trace_push(&t, 1.0, 0.5), TK_OK);
    ck_assert_int_eq(tk_score_trace_push(&t, 0.0, 1.0), TK_OK);
    ck_assert_int_eq(tk_score_trace_push(&t, 2.0, 1.5), TK_OK);
    tk_episode_scores sc = fresh_scores();
    tk_score_trace_finish(&t, 0.0, 0.5, 0.5, &sc);
    ck_assert_uint_eq(sc.present, TK_SCORE_POSITIVE_VALUE_LOSS | TK_SCORE_VALUE_RETURN);
    ck_assert_double_eq_tol(sc.positive_value_loss, 1.46875 / 3.0, 1e-12);
    ck_assert_double_eq_tol(sc.mean_value, 1.0, 1e-12);
    ck_assert_double_eq_tol(sc.discounted_return, 1.5, 1e-12);

    /* Truncated with bootstrap 2: delta_2 = 2 + 1 - 1.5 = 1.5, A_2 = 1.5,
     * A_1 = -0.25 + 0.375 = 0.125, A_0 = 1 + 0.03125 = 1.03125. */
    sc = fresh_scores();
    tk_score_trace_finish(&t, 2.0, 0.5, 0.5, &sc);
    ck_assert_double_eq_tol(sc.positive_value_loss, (1.03125 + 0.125 + 1.5) / 3.0, 1e-12);
    tk_score_trace_free(&t);
}
END_TEST

START_TEST(empty_and_small_host_struct)
{
    tk_score_trace t = {0};
    tk_episode_scores sc = fresh_scores();
    tk_score_trace_finish(&t, 0.0, 0.99, 0.95, &sc);
    ck_assert_uint_eq(sc.present, 0);
    ck_assert_int_eq(tk_score_trace_push(&t, 1.0, 0.0), TK_OK);
    /* A host struct ending before mean_value: only the loss is written. */
    sc = fresh_scores();
    sc.mean_value = -7.0;
    sc.struct_size = (uint32_t)offsetof(tk_episode_scores, mean_value);
    tk_score_trace_finish(&t, 0.0, 0.99, 0.95, &sc);
    ck_assert_uint_eq(sc.present, TK_SCORE_POSITIVE_VALUE_LOSS);
    ck_assert_double_eq(sc.positive_value_loss, 1.0);
    ck_assert_double_eq(sc.mean_value, -7.0);
    /* Growing past the first allocation keeps every step. */
    tk_score_trace_clear(&t);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(tk_score_trace_push(&t, 1.0, 1.0), TK_OK);
    sc = fresh_scores();
    tk_score_trace_finish(&t, 1.0, 1.0, 1.0, &sc); /* 1000 rewards of 1, undiscounted */
    ck_assert_double_eq_tol(sc.discounted_return, 1000.0, 1e-9);
    tk_score_trace_free(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("score_trace");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, gae_positive_value_loss_by_hand);
    tcase_add_test(tc, empty_and_small_host_struct);
    return tk_check_run(s);
}
