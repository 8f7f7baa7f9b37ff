/*
 * Adam and RMSProp with TensorFlow 1.x update rules, and vector helpers:
 * see <teachkit/nn_optim.h>.
 */
#include "teachkit/nn_optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn_memory.h"
#include "nn_simd.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

tk_adam_options tk_adam_defaults(void)
{
    return (tk_adam_options){.lr = 1e-3f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f};
}

tk_adam *tk_adam_new(size_t n, const tk_adam_options *opt)
{
    if (!opt || n == 0 || !(opt->lr >= 0.0f) || !(opt->beta1 >= 0.0f && opt->beta1 < 1.0f) ||
        !(opt->beta2 >= 0.0f && opt->beta2 < 1.0f) || !(opt->eps >= 0.0f))
        return NULL;
    tk_adam *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->opt = *opt;
    a->n = n;
    a->m = nn_alloc(n * sizeof *a->m, 1);
    a->v = nn_alloc(n * sizeof *a->v, 1);
    if (!a->m || !a->v) {
        tk_adam_free(a);
        return NULL;
    }
    return a;
}

void tk_adam_free(tk_adam *a)
{
    if (!a)
        return;
    free(a->m);
    free(a->v);
    free(a);
}

/* s[i] = sqrt(s[i]) for s[i] >= 0.  Not left to the auto-vectoriser:
 * without -fno-math-errno (which the optimize attribute does not honour)
 * GCC keeps a scalar sqrtf with an errno branch.  sqrt is correctly
 * rounded in SSE and in libm alike, so the result does not depend on the
 * path taken. */
static void sqrt_inplace(float *s, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(s + i, _mm_sqrt_ps(_mm_loadu_ps(s + i)));
#endif
    for (; i < n; i++)
        s[i] = sqrtf(s[i]);
}

#define ADAM_CHUNK 512

TK_NN_KERNEL static void adam_moments(const float *restrict g, float *restrict m,
                                      float *restrict v, float *restrict s, size_t n, float b1,
                                      float b2)
{
    for (size_t i = 0; i < n; i++) {
        const float gi = g[i];
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        s[i] = v[i];
    }
}

TK_NN_KERNEL static void adam_apply(float *restrict p, const float *restrict m,
                                    const float *restrict s, size_t n, float eps, float lr_t)
{
    for (size_t i = 0; i < n; i++)
        p[i] -= lr_t * m[i] / (s[i] + eps);
}

void tk_adam_step(tk_adam *a, float *p, const float *g)
{
    a->t++;
    const float b1 = a->opt.beta1, b2 = a->opt.beta2, eps = a->opt.eps;
    /* Bias correction folded into the step size, in double as TF computes
     * the powers (beta^t) in the variable's dtype but step counts run to
     * millions: pow() in double avoids float drift. */
    const double t = (double)a->t;
    const float lr_t = (float)(a->opt.lr * sqrt(1.0 - pow(b2, t)) / (1.0 - pow(b1, t)));
    float s[ADAM_CHUNK];
    for (size_t i = 0; i < a->n; i += ADAM_CHUNK) {
        const size_t c = a->n - i < ADAM_CHUNK ? a->n - i : ADAM_CHUNK;
        adam_moments(g + i, a->m + i, a->v + i, s, c, b1, b2);
        sqrt_inplace(s, c);
        adam_apply(p + i, a->m + i, s, c, eps, lr_t);
    }
}

tk_rmsprop_options tk_rmsprop_defaults(void)
{
    return (tk_rmsprop_options){.lr = 1e-3f, .decay = 0.9f, .momentum = 0.0f, .eps = 1e-10f};
}

tk_rmsprop *tk_rmsprop_new(size_t n, const tk_rmsprop_options *opt)
{
    if (!opt || n == 0 || !(opt->lr >= 0.0f) || !(opt->decay >= 0.0f && opt->decay < 1.0f) ||
        !(opt->momentum >= 0.0f && opt->momentum < 1.0f) || !(opt->eps >= 0.0f))
        return NULL;
    tk_rmsprop *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->opt = *opt;
    r->n = n;
    r->ms = malloc(n * sizeof *r->ms);
    r->mom = calloc(n, sizeof *r->mom);
    if (!r->ms || !r->mom) {
        tk_rmsprop_free(r);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        r->ms[i] = 1.0f;
    return r;
}

void tk_rmsprop_free(tk_rmsprop *r)
{
    if (!r)
        return;
    free(r->ms);
    free(r->mom);
    free(r);
}

void tk_rmsprop_step(tk_rmsprop *r, float *p, const float *g)
{
    r->t++;
    const float lr = r->opt.lr, d = r->opt.decay, mu = r->opt.momentum, eps = r->opt.eps;
    for (size_t i = 0; i < r->n; i++) {
        const float gi = g[i];
        r->ms[i] = d * r->ms[i] + (1.0f - d) * gi * gi;
        r->mom[i] = mu * r->mom[i] + lr * gi / sqrtf(r->ms[i] + eps);
        p[i] -= r->mom[i];
    }
}

double tk_nn_sum_squares(const float *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)v[i] * (double)v[i];
    return s;
}

void tk_nn_scale(float *v, size_t n, float s)
{
    for (size_t i = 0; i < n; i++)
        v[i] *= s;
}

TK_NN_KERNEL static void polyak_kernel(float *restrict t, const float *restrict s, size_t n,
                                       float rho)
{
    const float c = 1.0f - rho;
    for (size_t i = 0; i < n; i++)
        t[i] = rho * t[i] + c * s[i];
}

void tk_nn_polyak(float *target, const float *source, size_t n, float rho)
{
    polyak_kernel(target, source, n, rho);
}

int tk_nn_all_finite(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}
