/*
 * Private to the neural-network toolkit: the matrix products of nn.c on
 * oneDNN's matmul primitive (Debian 12 libdnnl-dev, oneDNN 2.6).
 *
 * A product is planned once for its shape, operand types and fused
 * epilogue (oneDNN creates and JIT-compiles a kernel for it), then run any
 * number of times on new pointers.  nn.c keeps the plans of each layer in
 * the tape, keyed by batch size, so a training loop plans a handful of
 * products at its first step and only runs them afterwards.
 *
 * Operands are dense row-major.  C is [m x n] (float32, or bf16 with
 * c_bf16) with row stride n; A is [m x k] (stored as [k x m] when
 * trans_a), B is [k x n] (stored as [n x k] when trans_b).  With `bf16` the products take bfloat16 operands
 * (uint16_t, see nn_to_bf16) and accumulate in float32, the
 * mixed-precision recipe of PyTorch's autocast.
 *
 * B is used as given, plain.  oneDNN's kernels also take it in a blocked
 * layout of their own, but the weights change at every optimiser step, so
 * it would be packed at every call: on random data, one core, warm caches,
 * packing (oneDNN's reorder) plus the product took as long as the plain
 * product in float32 and 1.1-3.8x longer in bf16, where the reorder into
 * the AMX layout is slow (1000 x 400 by 400 x 300: 427 us plain, 461 us
 * packed; weight gradient 24 x 1000 by 1000 x 400: 70 us plain, 264 us
 * packed).
 *
 * Threads: a plan is run by one thread at a time (it owns its stream and
 * oneDNN's scratchpad); different plans may run in parallel.  The engine
 * is created once per process, on first use, thread-safely.  oneDNN uses
 * the OpenMP thread count (teachkit's host sets OMP_NUM_THREADS=1 unless
 * the user set it).
 */
#ifndef TK_NN_MATMUL_H
#define TK_NN_MATMUL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct nn_matmul_shape {
    size_t m, n, k;
    int trans_a, trans_b;
    int bf16;          /* bfloat16 operands, float32 accumulation */
    int c_bf16;        /* C written as bf16 (not with accumulate) */
    int accumulate;    /* C += A B instead of C = A B */
    int bias;          /* add a float32 row vector of n entries (fused) */
    int relu;          /* then max(x, 0), or x < 0 ? slope x : x with relu_slope (fused) */
    float relu_slope;
    int tanh;          /* or then oneDNN's tanh (fused) */
} nn_matmul_shape;

typedef struct nn_matmul nn_matmul; /* opaque: primitive, stream, memory objects */

/* Plans a product; NULL if oneDNN cannot (out of memory, a bf16 product
 * on a CPU without bf16 support). */
nn_matmul *nn_matmul_plan(const nn_matmul_shape *shape);
void nn_matmul_free(nn_matmul *p);
const nn_matmul_shape *nn_matmul_shape_of(const nn_matmul *p);

/* C (+)= A B (+ bias, relu) on the pointers given (borrowed for the call).
 * Returns 0, or -1 if oneDNN reports an error. */
int nn_matmul_run(nn_matmul *p, const void *a, const void *b, const float *bias, void *c);

/* The name of the kernel oneDNN chose for a plan, e.g.
 * "brg:avx512_core_amx_bf16" (static, owned by oneDNN). */
const char *nn_matmul_impl(const nn_matmul *p);

/* Copies into `buf` the kernel name of a [size x size] by [size x size]
 * product in bf16 or float32, or "none" if it cannot be planned. */
void nn_matmul_probe_impl(int bf16, size_t size, char *buf, size_t buf_size);

/* v rounded to the nearest bfloat16, ties to even (NaN stays NaN): the
 * rounding of PyTorch's and oneDNN's conversions.  Written on integers so
 * that loops calling it vectorise; always inlined, also into the target
 * clones of nn_simd.h, whose attributes would otherwise keep it a call. */
static inline __attribute__((always_inline)) uint16_t nn_bf16_round(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    const uint32_t nan = (u >> 16) | 0x40u; /* a quiet NaN, never an infinity */
    return (uint16_t)((u & 0x7fffffffu) > 0x7f800000u ? nan : rounded);
}

/* The float32 value of a bfloat16 (always inlined, as above). */
static inline __attribute__((always_inline)) float nn_bf16_value(uint16_t v)
{
    const uint32_t u = (uint32_t)v << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* dst[i] = nn_bf16_round(src[i]). */
void nn_to_bf16(uint16_t *dst, const float *src, size_t count);

/* Whether bf16 products can be planned on this CPU, and whether the CPU
 * multiplies bf16 natively (AMX or AVX512-BF16) rather than emulating it. */
int nn_matmul_bf16_native(void);

/* The instruction set oneDNN dispatches to on this CPU, as oneDNN names it
 * ("avx512_core_amx", "avx2", ...), and the library version
 * ("2.6.3"); static strings. */
const char *nn_matmul_isa(void);
const char *nn_matmul_version(void);

#endif
