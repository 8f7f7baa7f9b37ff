/*
 * Descriptive statistics and Welch's t-test for comparing teachers over
 * seeds (used by `teachkit report`).  Pure functions, thread-safe.
 */
#ifndef TEACHKIT_STATS_H
#define TEACHKIT_STATS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

double tk_stats_mean(const double *x, size_t n);
/* Sample standard deviation (n - 1 in the denominator); 0 when n < 2. */
double tk_stats_std(const double *x, size_t n);
/* Standard error of the mean, std / sqrt(n); 0 when n < 2. */
double tk_stats_sem(const double *x, size_t n);

/* Regularised incomplete beta function I_x(a, b), a, b > 0, x in [0, 1]. */
double tk_stats_incomplete_beta(double a, double b, double x);
/* CDF of Student's t distribution with `df` > 0 degrees of freedom. */
double tk_stats_t_cdf(double t, double df);
/* The t value with P(T <= t) = p, for p in (0, 1). */
double tk_stats_t_quantile(double p, double df);
/* Half-width of the two-sided 95 % confidence interval of the mean
 * (t_{0.975, n-1} * sem); 0 when n < 2. */
double tk_stats_ci95(const double *x, size_t n);

/* Welch's unequal-variance t-test of mean(a) vs mean(b): writes the t
 * statistic, the Welch-Satterthwaite degrees of freedom and the two-sided
 * p-value.  Returns -1 (outputs NaN) when either sample has fewer than 2
 * values or both variances are 0. */
int tk_stats_welch(const double *a, size_t na, const double *b, size_t nb, double *t,
                   double *df, double *p);

/* Area under the curve y(x) by the trapezoid rule over points sorted by x. */
double tk_stats_trapezoid(const double *x, const double *y, size_t n);

#ifdef __cplusplus
}
#endif

#endif
