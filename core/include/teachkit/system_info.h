/*
 * What this machine runs teachkit's numerics on: the CPU, OpenBLAS's
 * kernel (the teachers' linear algebra), oneDNN's instruction set and
 * kernels (the neural networks).  `teachkit list --system` prints it, every
 * run records it in summary.json, and benchmarks print it beside their
 * figures.
 *
 * Why it matters: Debian 12's OpenBLAS 0.3.21 does not know CPUs newer
 * than its release and falls back to its oldest x86-64 kernels
 * ("Prescott", SSE3), three to five times slower than the AVX-512 ones on
 * the same core.  tk_openblas_better_core() names the kernel to ask for
 * with OPENBLAS_CORETYPE, which the teachkit program sets before OpenBLAS
 * loads (it re-executes itself) unless the user set the variable.
 *
 * Threads: [thread-safe]; strings are static, valid for the process.
 */
#ifndef TEACHKIT_SYSTEM_INFO_H
#define TEACHKIT_SYSTEM_INFO_H

#include "teachkit/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_system_info {
    const char *cpu_model;       /* /proc/cpuinfo "model name", or "unknown" */
    const char *cpu_features;    /* of avx2 avx512f avx512_bf16 amx_bf16, those present */
    const char *openblas_core;   /* the kernel OpenBLAS runs, e.g. "SkylakeX" */
    const char *openblas_config; /* OpenBLAS's build description */
    const char *openblas_coretype_env; /* OPENBLAS_CORETYPE as set, or "" */
    tk_nn_backend_info nn;       /* oneDNN: version, ISA, kernels */
} tk_system_info;

void tk_system_describe(tk_system_info *out);

/* The OPENBLAS_CORETYPE value whose kernels suit this CPU better than the
 * ones OpenBLAS detected ("SkylakeX" on an AVX-512 CPU, "Haswell" on an
 * AVX2 one), or NULL when the detected kernel is already as new. */
const char *tk_openblas_better_core(void);

/* Sets, where the user has not, the environment teachkit runs numerics
 * with: OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=1 (one process per core;
 * small matrices only pay for idle threads) and OPENBLAS_CORETYPE to
 * tk_openblas_better_core().  OpenBLAS and oneDNN's OpenMP runtime read
 * them when they load, so a program that gets 1 (something was set)
 * re-executes itself for them to take effect; 0 when nothing changed.
 * [main thread: changes the environment] */
int tk_numerics_env_defaults(void);

#ifdef __cplusplus
}
#endif

#endif
