/*
 * Policy heads: see <teachkit/nn_policy.h>.  Derivations of the backward
 * passes are in docs/nn.md ("Squashed Gaussian gradients").
 */
#include "teachkit/nn_policy.h"

#include <math.h>

#define HALF_LOG_2PI 0.91893853320467274178
#define STD_EPS 1e-8f     /* SpinningUp gaussian_likelihood EPS */
#define SQUASH_EPS 1e-6f  /* SpinningUp apply_squashing_func */

static float clip01(float x)
{
    return x < 0.0f ? 0.0f : x > 1.0f ? 1.0f : x;
}

void tk_sqgauss_forward(const tk_squashed_gaussian *p, size_t n, const float *head,
                        const float *eps, float *action_out, float *logp_out)
{
    const size_t A = p->act_dim;
    const float lo = p->log_std_min, half_range = 0.5f * (p->log_std_max - p->log_std_min);
    for (size_t r = 0; r < n; r++) {
        const float *mu = head + r * 2 * A, *s = mu + A;
        float *a = action_out + r * A;
        if (!eps) {
            for (size_t i = 0; i < A; i++)
                a[i] = tanhf(mu[i]);
            continue;
        }
        const float *e = eps + r * A;
        double logp = 0.0;
        for (size_t i = 0; i < A; i++) {
            const float log_std = lo + half_range * (tanhf(s[i]) + 1.0f);
            const float std = expf(log_std);
            const float u = mu[i] + std * e[i];
            const float q = (u - mu[i]) / (std + STD_EPS);
            a[i] = tanhf(u);
            logp += -0.5 * (double)q * q - log_std - HALF_LOG_2PI;
            logp -= logf(clip01(1.0f - a[i] * a[i]) + SQUASH_EPS);
        }
        if (logp_out)
            logp_out[r] = (float)logp;
    }
}

/* Per element, with log_std = lo + k (tanh(s) + 1), k = (hi - lo) / 2,
 * std = exp(log_std), u = mu + std e, q = (u - mu) / (std + 1e-8),
 * a = tanh(u), c = clip(1 - a^2, 0, 1) and gl = dL/dlogp, ga = dL/da:
 *   logp = sum -q^2/2 - log_std - log(2 pi)/2 - log(c + 1e-6)
 *   dL/du      = (ga + gl 2a / (c + 1e-6)) (1 - a^2) - gl q / (std + 1e-8)
 *                (straight-through clip: d(1 - a^2)/da = -2a)
 *   dL/dmu     = dL/du + gl q / (std + 1e-8)      (u - mu does not depend on mu)
 *   dL/dstd    = dL/du e + gl (q (u - mu) / (std + 1e-8)^2 - 1/std)
 *   dL/ds      = dL/dstd std k (1 - tanh(s)^2)
 * (-log_std contributes -gl through dlog_std/dstd = 1/std.) */
void tk_sqgauss_backward(const tk_squashed_gaussian *p, size_t n, const float *head,
                         const float *eps, const float *d_action, const float *d_logp,
                         float *d_head)
{
    const size_t A = p->act_dim;
    const float lo = p->log_std_min, k = 0.5f * (p->log_std_max - p->log_std_min);
    for (size_t r = 0; r < n; r++) {
        const float *mu = head + r * 2 * A, *s = mu + A, *e = eps + r * A;
        float *dmu = d_head + r * 2 * A, *ds = dmu + A;
        const float gl = d_logp ? d_logp[r] : 0.0f;
        for (size_t i = 0; i < A; i++) {
            const float ts = tanhf(s[i]);
            const float log_std = lo + k * (ts + 1.0f);
            const float std = expf(log_std);
            const float u = mu[i] + std * e[i];
            const float den = std + STD_EPS;
            const float q = (u - mu[i]) / den;
            const float a = tanhf(u);
            const float c = clip01(1.0f - a * a);
            const float ga = d_action ? d_action[r * A + i] : 0.0f;
            const float du =
                (ga + gl * 2.0f * a / (c + SQUASH_EPS)) * (1.0f - a * a) - gl * q / den;
            dmu[i] = du + gl * q / den;
            const float dstd = du * e[i] + gl * (q * (u - mu[i]) / (den * den) - 1.0f / std);
            ds[i] = dstd * std * k * (1.0f - ts * ts);
        }
    }
}

void tk_diag_gaussian_logp(size_t n, size_t A, const float *mean, size_t mean_stride,
                           const float *log_std, const float *x, float *logp_out)
{
    for (size_t r = 0; r < n; r++) {
        const float *m = mean + r * mean_stride, *xr = x + r * A;
        double lp = 0.0;
        for (size_t i = 0; i < A; i++) {
            const double z = ((double)xr[i] - m[i]) * exp(-(double)log_std[i]);
            lp += -0.5 * z * z - log_std[i] - HALF_LOG_2PI;
        }
        logp_out[r] = (float)lp;
    }
}

/* dlogp/dmean = (x - mean) / std^2, dlogp/dlog_std = z^2 - 1. */
void tk_diag_gaussian_logp_backward(size_t n, size_t A, const float *mean, size_t mean_stride,
                                    const float *log_std, const float *x, const float *d_logp,
                                    float *d_mean, size_t d_mean_stride, float *d_log_std)
{
    for (size_t r = 0; r < n; r++) {
        const float *m = mean + r * mean_stride, *xr = x + r * A;
        float *dm = d_mean + r * d_mean_stride;
        for (size_t i = 0; i < A; i++) {
            const double inv_std = exp(-(double)log_std[i]);
            const double z = ((double)xr[i] - m[i]) * inv_std;
            dm[i] = (float)(d_logp[r] * z * inv_std);
            d_log_std[i] += (float)(d_logp[r] * (z * z - 1.0));
        }
    }
}

double tk_diag_gaussian_entropy(size_t A, const float *log_std)
{
    double h = 0.0;
    for (size_t i = 0; i < A; i++)
        h += log_std[i] + HALF_LOG_2PI + 0.5;
    return h;
}
