/* Statistics against values computed by hand or from published tables. */
#include <check.h>
#include <math.h>

#include "check_main.h"
#include "teachkit/stats.h"

START_TEST(descriptive)
{
    const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    ck_assert_double_eq_tol(tk_stats_mean(x, 8), 5.0, 1e-12);
    /* sum of squares 32, n - 1 = 7 */
    ck_assert_double_eq_tol(tk_stats_std(x, 8), sqrt(32.0 / 7.0), 1e-12);
    ck_assert_double_eq_tol(tk_stats_sem(x, 8), sqrt(32.0 / 7.0) / sqrt(8.0), 1e-12);
    ck_assert_double_eq(tk_stats_std(x, 1), 0.0);
}
END_TEST

START_TEST(t_distribution_matches_tables)
{
    /* Two-sided 95 % critical values: df 1 -> 12.706, 4 -> 2.776, 9 -> 2.262, 30 -> 2.042. */
    ck_assert_double_eq_tol(tk_stats_t_quantile(0.975, 1), 12.7062, 1e-3);
    ck_assert_double_eq_tol(tk_stats_t_quantile(0.975, 4), 2.7764, 1e-3);
    ck_assert_double_eq_tol(tk_stats_t_quantile(0.975, 9), 2.2622, 1e-3);
    ck_assert_double_eq_tol(tk_stats_t_quantile(0.975, 30), 2.0423, 1e-3);
    ck_assert_double_eq_tol(tk_stats_t_cdf(0.0, 5), 0.5, 1e-12);
    /* df = 1 is Cauchy: CDF(1) = 3/4. */
    ck_assert_double_eq_tol(tk_stats_t_cdf(1.0, 1), 0.75, 1e-10);
    /* df = 2 has a closed form: CDF(t) = 1/2 + t / (2 sqrt(2 + t^2)). */
    ck_assert_double_eq_tol(tk_stats_t_cdf(1.5, 2), 0.5 + 1.5 / (2 * sqrt(2 + 2.25)), 1e-10);
}
END_TEST

START_TEST(welch_hand_computed)
{
    const double a[] = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
    const double b[] = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};
    double t, df, p;
    ck_assert_int_eq(tk_stats_welch(a, 15, b, 15, &t, &df, &p), 0);
    /* Welch (1947)-style worked example (Wikipedia "Welch's t-test", sample 1):
     * t = -2.46, df = 24.99, p = 0.021. */
    ck_assert_double_eq_tol(t, -2.46, 0.01);
    ck_assert_double_eq_tol(df, 24.99, 0.01);
    ck_assert_double_eq_tol(p, 0.021, 0.001);
    const double c[] = {1, 1};
    ck_assert_int_eq(tk_stats_welch(c, 2, c, 2, &t, &df, &p), -1);
}
END_TEST

START_TEST(ci_and_trapezoid)
{
    const double x[] = {1, 2, 3, 4, 5};
    /* sem = sqrt(2.5/5) = 0.7071; t(0.975, 4) = 2.7764 */
    ck_assert_double_eq_tol(tk_stats_ci95(x, 5), 2.7764 * sqrt(0.5), 1e-3);
    const double xs[] = {0, 1000, 2000}, ys[] = {0, 10, 30};
    ck_assert_double_eq_tol(tk_stats_trapezoid(xs, ys, 3), 5000 + 20000, 1e-9);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, descriptive);
    tcase_add_test(tc, t_distribution_matches_tables);
    tcase_add_test(tc, welch_hand_computed);
    tcase_add_test(tc, ci_and_trapezoid);
    return tk_check_run(s);
}
