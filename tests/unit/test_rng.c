/* The RNG: reproducible streams, independent roles, correct distributions. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "teachkit/rng.h"

START_TEST(same_seed_same_stream_other_role_other_stream)
{
    tk_rng a, b, c;
    tk_rng_derive(&a, 42, "teacher");
    tk_rng_derive(&b, 42, "teacher");
    tk_rng_derive(&c, 42, "env");
    int differ = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = tk_rng_u64(&a);
        ck_assert_uint_eq(x, tk_rng_u64(&b));
        differ += x != tk_rng_u64(&c);
    }
    ck_assert_int_gt(differ, 95);
    tk_rng z;
    tk_rng_seed(&z, 0); /* seed 0 is an ordinary seed */
    ck_assert(z.s[0] || z.s[1] || z.s[2] || z.s[3]);
}
END_TEST

START_TEST(uniform_and_normal_moments)
{
    tk_rng r;
    tk_rng_seed(&r, 7);
    const int n = 200000;
    double su = 0, su2 = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; i++) {
        double u = tk_rng_uniform(&r), z = tk_rng_normal(&r);
        ck_assert(u >= 0.0 && u < 1.0);
        su += u, su2 += u * u, sn += z, sn2 += z * z;
    }
    /* Tolerances: 5 standard errors of each estimate. */
    ck_assert_double_eq_tol(su / n, 0.5, 5 * sqrt(1.0 / 12 / n));
    ck_assert_double_eq_tol(su2 / n - (su / n) * (su / n), 1.0 / 12, 5 * 0.0745 / sqrt(n));
    ck_assert_double_eq_tol(sn / n, 0.0, 5 / sqrt(n));
    ck_assert_double_eq_tol(sn2 / n, 1.0, 5 * sqrt(2.0 / n));
}
END_TEST

START_TEST(below_is_unbiased_and_in_range)
{
    tk_rng r;
    tk_rng_seed(&r, 3);
    int counts[7] = {0};
    const int n = 70000;
    for (int i = 0; i < n; i++) {
        uint64_t k = tk_rng_below(&r, 7);
        ck_assert_uint_lt(k, 7);
        counts[k]++;
    }
    double chi2 = 0;
    for (int k = 0; k < 7; k++)
        chi2 += (counts[k] - n / 7.0) * (counts[k] - n / 7.0) / (n / 7.0);
    ck_assert_double_lt(chi2, 22.46); /* chi-square, 6 dof, p = 0.001 */
}
END_TEST

START_TEST(proportional_choice)
{
    tk_rng r;
    tk_rng_seed(&r, 11);
    const double w[4] = {0.0, 1.0, 3.0, 0.0};
    int counts[4] = {0};
    for (int i = 0; i < 40000; i++)
        counts[tk_rng_proportional(&r, w, 4)]++;
    ck_assert_int_eq(counts[0], 0);
    ck_assert_int_eq(counts[3], 0);
    ck_assert_double_eq_tol(counts[2] / 40000.0, 0.75, 0.015);
    const double zeros[3] = {0, 0, 0};
    int seen[3] = {0};
    for (int i = 0; i < 3000; i++)
        seen[tk_rng_proportional(&r, zeros, 3)]++;
    for (int k = 0; k < 3; k++)
        ck_assert_int_gt(seen[k], 800); /* all-zero weights: uniform */
}
END_TEST

START_TEST(uniform_task_respects_bounds)
{
    tk_rng r;
    tk_rng_seed(&r, 5);
    const tk_dim dims[3] = {{"a", -1.0, 2.0}, {"b", 0.3, 0.3}, {"c", 0.0, 1e-30}};
    const tk_task_space space = {3, dims};
    float t[3];
    for (int i = 0; i < 10000; i++) {
        tk_rng_uniform_task(&r, &space, t);
        ck_assert(t[0] >= -1.0f && t[0] <= 2.0f);
        ck_assert(t[1] == 0.3f); /* degenerate dimension: exactly low */
        ck_assert(t[2] >= 0.0f && t[2] <= (float)1e-30);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, same_seed_same_stream_other_role_other_stream);
    tcase_add_test(tc, uniform_and_normal_moments);
    tcase_add_test(tc, below_is_unbiased_and_in_range);
    tcase_add_test(tc, proportional_choice);
    tcase_add_test(tc, uniform_task_respects_bounds);
    return tk_check_run(s);
}
