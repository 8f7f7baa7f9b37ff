/*
 * Private to the neural-network toolkit: how the element-wise kernels
 * (bias + activation, activation derivatives, bias gradients, optimiser
 * updates) are compiled.
 *
 * The project builds with -O2 and no -march, which leaves these loops
 * scalar SSE2; with ReLU they were also branchy (the sign of a
 * pre-activation is a coin flip, so the branch mispredicts half the time)
 * and cost more than the GEMMs around them.  TK_NN_KERNEL compiles a
 * function at -O3 without errno-setting math (so sqrtf vectorises) and,
 * with GCC on x86-64, as target clones for AVX-512, AVX2 and baseline
 * selected at load time by the CPU (glibc ifunc), the same way OpenBLAS
 * picks its kernels.  Results are identical across clones for the
 * operations used here (IEEE add, mul, div, sqrt, compare/select: no FMA
 * contraction is allowed, see -ffp-contract below), so checkpoints and
 * learning curves do not depend on the CPU the run resumes on.
 */
#ifndef TK_NN_SIMD_H
#define TK_NN_SIMD_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define TK_NN_KERNEL                                                                      \
    __attribute__((optimize("O3", "no-math-errno", "fp-contract=off"),                    \
                   target_clones("avx512f", "avx2", "default")))
#elif defined(__GNUC__) && !defined(__clang__)
#define TK_NN_KERNEL __attribute__((optimize("O3", "no-math-errno", "fp-contract=off")))
#else
#define TK_NN_KERNEL
#endif

#endif
