#include "teachkit/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void tk_rng_seed(tk_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

void tk_rng_derive(tk_rng *rng, uint64_t seed, const char *role)
{
    /* FNV-1a of the role, mixed into the seed: distinct roles give unrelated
     * splitmix64 starting points. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)role; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    uint64_t x = seed ^ h;
    tk_rng_seed(rng, splitmix64(&x));
}

uint64_t tk_rng_u64(tk_rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double tk_rng_uniform(tk_rng *rng)
{
    return (double)(tk_rng_u64(rng) >> 11) * 0x1.0p-53;
}

double tk_rng_range(tk_rng *rng, double low, double high)
{
    if (low == high)
        return low;
    return low + (high - low) * tk_rng_uniform(rng);
}

uint64_t tk_rng_below(tk_rng *rng, uint64_t n)
{
    /* Lemire's rejection on the 128-bit product keeps the draw unbiased. */
    uint64_t x = tk_rng_u64(rng);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            x = tk_rng_u64(rng);
            m = (__uint128_t)x * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double tk_rng_normal(tk_rng *rng)
{
    double u, v, s;
    do {
        u = 2.0 * tk_rng_uniform(rng) - 1.0;
        v = 2.0 * tk_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

size_t tk_rng_proportional(tk_rng *rng, const double *v, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    if (sum == 0.0)
        return (size_t)tk_rng_below(rng, n);
    double u = tk_rng_uniform(rng) * sum;
    double acc = 0.0;
    size_t last_positive = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] > 0.0)
            last_positive = i;
        acc += v[i];
        if (u < acc)
            return i;
    }
    /* Round-off can leave u == sum; the last positive entry owns that edge. */
    return last_positive;
}

void tk_rng_uniform_task(tk_rng *rng, const tk_task_space *space, float *task_out)
{
    for (size_t i = 0; i < space->dims; i++) {
        const tk_dim *d = &space->dim[i];
        float x = (float)tk_rng_range(rng, d->low, d->high);
        /* Rounding to float32 may step just outside bounds that float32
         * cannot represent (0.1): clamp into the float32 box. */
        float lo = (float)d->low, hi = (float)d->high;
        if (lo < d->low)
            lo = nextafterf(lo, INFINITY);
        if (hi > d->high)
            hi = nextafterf(hi, -INFINITY);
        if (lo > hi) /* degenerate, or narrower than one float32 step */
            lo = hi = (float)d->low;
        task_out[i] = x < lo ? lo : x > hi ? hi : x;
    }
}
