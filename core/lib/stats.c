#include "teachkit/stats.h"

#include <float.h>
#include <math.h>

double tk_stats_mean(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

double tk_stats_std(const double *x, size_t n)
{
    if (n < 2)
        return 0.0;
    double m = tk_stats_mean(x, n), ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    return sqrt(ss / (double)(n - 1));
}

double tk_stats_sem(const double *x, size_t n)
{
    return n < 2 ? 0.0 : tk_stats_std(x, n) / sqrt((double)n);
}

/* Continued fraction of the incomplete beta (modified Lentz's method). */
static double beta_fraction(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 300; m++) {
        double m2 = 2.0 * m;
        double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + num * d;
        c = 1.0 + num / c;
        d = 1.0 / (fabs(d) < tiny ? tiny : d);
        c = fabs(c) < tiny ? tiny : c;
        h *= d * c;
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + num * d;
        c = 1.0 + num / c;
        d = 1.0 / (fabs(d) < tiny ? tiny : d);
        c = fabs(c) < tiny ? tiny : c;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1.0) < 1e-15)
            break;
    }
    return h;
}

double tk_stats_incomplete_beta(double a, double b, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    double log_front = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    /* The fraction converges fast for x < (a+1)/(a+b+2); use the symmetry
     * I_x(a,b) = 1 - I_{1-x}(b,a) otherwise. */
    if (x < (a + 1.0) / (a + b + 2.0))
        return exp(log_front) * beta_fraction(a, b, x) / a;
    return 1.0 - exp(log_front) * beta_fraction(b, a, 1.0 - x) / b;
}

double tk_stats_t_cdf(double t, double df)
{
    double x = df / (df + t * t);
    double tail = 0.5 * tk_stats_incomplete_beta(0.5 * df, 0.5, x);
    return t >= 0.0 ? 1.0 - tail : tail;
}

double tk_stats_t_quantile(double p, double df)
{
    double lo = -1e3, hi = 1e3;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (tk_stats_t_cdf(mid, df) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

double tk_stats_ci95(const double *x, size_t n)
{
    if (n < 2)
        return 0.0;
    return tk_stats_t_quantile(0.975, (double)(n - 1)) * tk_stats_sem(x, n);
}

int tk_stats_welch(const double *a, size_t na, const double *b, size_t nb, double *t,
                   double *df, double *p)
{
    *t = *df = *p = NAN;
    if (na < 2 || nb < 2)
        return -1;
    double va = tk_stats_std(a, na), vb = tk_stats_std(b, nb);
    va = va * va / (double)na;
    vb = vb * vb / (double)nb;
    if (va + vb <= 0.0)
        return -1;
    *t = (tk_stats_mean(a, na) - tk_stats_mean(b, nb)) / sqrt(va + vb);
    *df = (va + vb) * (va + vb) /
          (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
    *p = 2.0 * (1.0 - tk_stats_t_cdf(fabs(*t), *df));
    if (*p < 0.0)
        *p = 0.0;
    return 0;
}

double tk_stats_trapezoid(const double *x, const double *y, size_t n)
{
    double area = 0.0;
    for (size_t i = 1; i < n; i++)
        area += 0.5 * (y[i] + y[i - 1]) * (x[i] - x[i - 1]);
    return area;
}
