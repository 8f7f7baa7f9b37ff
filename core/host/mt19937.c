#include "mt19937.h"

#define M 397
#define MATRIX_A 0x9908b0dfU
#define UPPER 0x80000000U
#define LOWER 0x7fffffffU

void tk_mt19937_seed(tk_mt19937 *mt, uint32_t seed)
{
    mt->key[0] = seed;
    for (uint32_t i = 1; i < TK_MT19937_N; i++) {
        uint32_t prev = mt->key[i - 1];
        mt->key[i] = 1812433253U * (prev ^ (prev >> 30)) + i;
    }
    mt->pos = TK_MT19937_N;
}

static void regenerate(tk_mt19937 *mt)
{
    for (int i = 0; i < TK_MT19937_N; i++) {
        uint32_t y = (mt->key[i] & UPPER) | (mt->key[(i + 1) % TK_MT19937_N] & LOWER);
        mt->key[i] = mt->key[(i + M) % TK_MT19937_N] ^ (y >> 1) ^ ((y & 1U) ? MATRIX_A : 0U);
    }
    mt->pos = 0;
}

uint32_t tk_mt19937_next(tk_mt19937 *mt)
{
    if (mt->pos >= TK_MT19937_N)
        regenerate(mt);
    uint32_t y = mt->key[mt->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= y >> 18;
    return y;
}

uint32_t tk_mt19937_interval(tk_mt19937 *mt, uint32_t max)
{
    if (max == 0)
        return 0;
    uint32_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint32_t v;
    while ((v = tk_mt19937_next(mt) & mask) > max)
        ;
    return v;
}

void tk_mt19937_shuffle(tk_mt19937 *mt, size_t *perm, size_t n)
{
    /* Fisher-Yates from the end, one interval draw per position. */
    for (size_t i = n; i-- > 1;) {
        size_t j = tk_mt19937_interval(mt, (uint32_t)i);
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}
