/*
 * Products too small for oneDNN: see nn_small.h.
 *
 * Why not oneDNN: with one output column its kernels ran these
 * memory-bound products at 2-14 GFLOP/s (a 1000 x 300 by 300 x 1 forward
 * in 71 us, the matching outer product in 196 us), a fifth of a SAC step
 * at the paper's sizes, against 10-40 us here; and a single row through
 * three planned products cost more in calls than in arithmetic
 * (tools/bench/bench_sac prints acting next to OpenBLAS's sgemv).  Every
 * loop has a fixed order and no FMA contraction, so all target clones give
 * the same bits on a given instruction set (nn_simd.h).
 */
#include "nn_small.h"

#include <string.h>

#include "nn_simd.h"

/* Each kernel below is written once as NAME_body and compiled three times
 * by NN_PRODUCT_KERNEL: for AVX-512 and for AVX2, both with fused
 * multiply-adds, and for the x86-64 baseline; every call runs the one this
 * CPU supports.  (GCC's target_clones cannot combine AVX2 with FMA in one
 * clone, and its "arch=" clones match CPU models, not features.)  With FMA
 * the clones round differently, as oneDNN's kernels for the large
 * products do: a run is bit-reproducible on the same kind of CPU. */
#define NN_BODY static inline __attribute__((always_inline, optimize("O3", "fp-contract=fast")))
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define NN_PRODUCT_KERNEL(name, params, args)                                                 \
    __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma"),                         \
                   optimize("O3", "fp-contract=fast"))) static void name##_avx512 params      \
    {                                                                                         \
        name##_body args;                                                                     \
    }                                                                                         \
    __attribute__((target("avx2,fma"), optimize("O3", "fp-contract=fast"))) static void       \
        name##_avx2 params                                                                    \
    {                                                                                         \
        name##_body args;                                                                     \
    }                                                                                         \
    __attribute__((optimize("O3", "fp-contract=fast"))) static void name##_base params        \
    {                                                                                         \
        name##_body args;                                                                     \
    }                                                                                         \
    void name params                                                                          \
    {                                                                                         \
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&        \
            __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&       \
            __builtin_cpu_supports("fma"))                                                    \
            name##_avx512 args;                                                               \
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))             \
            name##_avx2 args;                                                                 \
        else                                                                                  \
            name##_base args;                                                                 \
    }
#else
#define NN_PRODUCT_KERNEL(name, params, args)                                                 \
    void name params                                                                          \
    {                                                                                         \
        name##_body args;                                                                     \
    }
#endif

/* Sixteen floats in one value; GCC lowers it to the clone's widest
 * registers, element by element, so every clone rounds alike. */
typedef float v16 __attribute__((vector_size(64)));

/* sum_i a[i] b[i] in a fixed order: 16 running sums, added pairwise, then
 * the tail. */
NN_BODY float dot(const float *a, const float *b, size_t len)
{
    v16 acc = {0};
    size_t i = 0;
    for (; i + 16 <= len; i += 16) {
        v16 va, vb;
        memcpy(&va, a + i, sizeof va);
        memcpy(&vb, b + i, sizeof vb);
        acc += va * vb;
    }
    float lane[16];
    memcpy(lane, &acc, sizeof lane);
    for (size_t w = 8; w > 0; w /= 2)
        for (size_t j = 0; j < w; j++)
            lane[j] += lane[j + w];
    float s = lane[0];
    for (; i < len; i++)
        s += a[i] * b[i];
    return s;
}

/* wt [out x in] = W^T of w [in x out]: the narrow products read W by
 * columns, one contiguous row of wt per output. */
NN_BODY void transpose(float *restrict wt, const float *restrict w, size_t in, size_t out)
{
    for (size_t i = 0; i < in; i++)
        for (size_t j = 0; j < out; j++)
            wt[j * in + i] = w[i * out + j];
}

NN_BODY void nn_narrow_forward_body(float *restrict y, const float *restrict x,
                                    const float *restrict w, size_t n, size_t in, size_t out,
                                    float *restrict wt)
{
    transpose(wt, w, in, out);
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < out; j++)
            y[r * out + j] = dot(x + r * in, wt + j * in, in);
}
NN_PRODUCT_KERNEL(nn_narrow_forward,
                  (float *y, const float *x, const float *w, size_t n, size_t in, size_t out, float *wt),
                  (y, x, w, n, in, out, wt))

NN_BODY void nn_narrow_weight_grad_body(float *restrict dw, const float *restrict x,
                                        const float *restrict g, size_t n, size_t in, size_t out,
                                        float *restrict acc)
{
    /* acc[j][i] = sum_r g[r][j] x[r][i], rows in order. */
    memset(acc, 0, in * out * sizeof *acc);
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < out; j++) {
            const float gj = g[r * out + j];
            float *a = acc + j * in;
            const float *xr = x + r * in;
            for (size_t i = 0; i < in; i++)
                a[i] += gj * xr[i];
        }
    for (size_t i = 0; i < in; i++)
        for (size_t j = 0; j < out; j++)
            dw[i * out + j] += acc[j * in + i];
}
NN_PRODUCT_KERNEL(nn_narrow_weight_grad,
                  (float *dw, const float *x, const float *g, size_t n, size_t in, size_t out, float *acc),
                  (dw, x, g, n, in, out, acc))

NN_BODY void nn_narrow_input_grad_body(float *restrict dx, const float *restrict g,
                                       const float *restrict w, size_t n, size_t in, size_t out,
                                       float *restrict wt)
{
    transpose(wt, w, in, out);
    for (size_t r = 0; r < n; r++) {
        float *d = dx + r * in;
        const float g0 = g[r * out];
        for (size_t i = 0; i < in; i++)
            d[i] = g0 * wt[i];
        for (size_t j = 1; j < out; j++) {
            const float gj = g[r * out + j];
            const float *wj = wt + j * in;
            for (size_t i = 0; i < in; i++)
                d[i] += gj * wj[i];
        }
    }
}
NN_PRODUCT_KERNEL(nn_narrow_input_grad,
                  (float *dx, const float *g, const float *w, size_t n, size_t in, size_t out, float *wt),
                  (dx, g, w, n, in, out, wt))

/* Row-wise: y += x_i W_i over the rows of W, four rows per pass over y so
 * that W streams from memory in order and y (one row of outputs) stays in
 * L1; each output is still summed in input order. */
NN_BODY void nn_short_forward_body(float *restrict y, const float *restrict x,
                                   const float *restrict w, size_t n, size_t in, size_t out)
{
    for (size_t r = 0; r < n; r++) {
        float *restrict yr = y + r * out;
        const float *xr = x + r * in;
        for (size_t j = 0; j < out; j++)
            yr[j] = 0.0f;
        size_t i = 0;
        for (; i + 4 <= in; i += 4) {
            const float x0 = xr[i], x1 = xr[i + 1], x2 = xr[i + 2], x3 = xr[i + 3];
            const float *w0 = w + i * out, *w1 = w0 + out, *w2 = w1 + out, *w3 = w2 + out;
            for (size_t j = 0; j < out; j++) {
                float t = yr[j];
                t += x0 * w0[j];
                t += x1 * w1[j];
                t += x2 * w2[j];
                t += x3 * w3[j];
                yr[j] = t;
            }
        }
        for (; i < in; i++) {
            const float xi = xr[i];
            const float *wi = w + i * out;
            for (size_t j = 0; j < out; j++)
                yr[j] += xi * wi[j];
        }
    }
}
NN_PRODUCT_KERNEL(nn_short_forward,
                  (float *y, const float *x, const float *w, size_t n, size_t in, size_t out),
                  (y, x, w, n, in, out))

NN_BODY void nn_narrow_short_forward_body(float *restrict y, const float *restrict x,
                                          const float *restrict w, size_t n, size_t in,
                                          size_t out)
{
    /* Rows of W are `out` < 16 floats: a 16-float load from row i holds
     * the row (lanes >= out belong to the rows after, and are dropped).
     * The last rows, whose load would run past W, are added one by one,
     * after, in input order as the rest. */
    const size_t vec_rows = in * out >= 16 ? (in * out - 16) / out + 1 : 0;
    for (size_t r = 0; r < n; r++) {
        const float *xr = x + r * in;
        v16 acc = {0};
        for (size_t i = 0; i < vec_rows; i++) {
            v16 wi;
            memcpy(&wi, w + i * out, sizeof wi);
            acc += xr[i] * wi;
        }
        float lane[16];
        memcpy(lane, &acc, sizeof lane);
        for (size_t j = 0; j < out; j++) {
            float s = lane[j];
            for (size_t i = vec_rows; i < in; i++)
                s += xr[i] * w[i * out + j];
            y[r * out + j] = s;
        }
    }
}
NN_PRODUCT_KERNEL(nn_narrow_short_forward,
                  (float *y, const float *x, const float *w, size_t n, size_t in, size_t out),
                  (y, x, w, n, in, out))
