/*
 * What the student benchmarks share (bench_sac, bench_ppo): timing by the
 * thread's CPU time, medians, random fills, the machine banner, and running
 * the PyTorch reference script in a child process.
 */
#ifndef TK_BENCH_COMMON_H
#define TK_BENCH_COMMON_H

#include <stddef.h>
#include <time.h>

#include "teachkit/rng.h"

/* Seconds of `clock` (CLOCK_THREAD_CPUTIME_ID or CLOCK_MONOTONIC). */
double bench_now(clockid_t clock);
/* Median of v[0..n-1] (sorts v). */
double bench_median(double *v, size_t n);
/* v[i] uniform in [lo, hi). */
void bench_fill(tk_rng *r, float *v, size_t n, double lo, double hi);

/* Prints the CPU, its instruction sets and the numerics back ends
 * (<teachkit/system_info.h>), so that every figure says which machine gave
 * it. */
void bench_print_machine(void);

/* Runs `python script args` with one OpenMP and one OpenBLAS thread and
 * OPENBLAS_CORETYPE set to this CPU's best kernel (PyTorch's float32
 * products go through OpenBLAS, whose own detection may pick its oldest
 * kernels: the best configuration a user can choose), echoes its lines
 * prefixed with "  torch: " and returns the milliseconds of its
 * "ms_per_step X" line (NaN if there is none). */
double bench_torch_ms(const char *python, const char *script, const char *args);

#endif
