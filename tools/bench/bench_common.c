/* What the student benchmarks share: see bench_common.h. */
#include "bench_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/system_info.h"

double bench_now(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void bench_fill(tk_rng *r, float *v, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (float)tk_rng_range(r, lo, hi);
}

void bench_print_machine(void)
{
    tk_system_info s;
    tk_system_describe(&s);
    printf("machine: %s [%s]; networks: %s on %s (fp32 %s, bf16 %s); "
           "teachers: OpenBLAS kernel %s%s%s\n",
           s.cpu_model, s.cpu_features, s.nn.library, s.nn.isa, s.nn.fp32_kernel,
           s.nn.bf16_kernel, s.openblas_core,
           s.openblas_coretype_env[0] ? ", OPENBLAS_CORETYPE=" : "", s.openblas_coretype_env);
}

double bench_torch_ms(const char *python, const char *script, const char *args)
{
    const char *core = tk_openblas_better_core();
    tk_system_info s;
    tk_system_describe(&s);
    char blas[96];
    snprintf(blas, sizeof blas, "OPENBLAS_CORETYPE=%s",
             core ? core : s.openblas_coretype_env[0] ? s.openblas_coretype_env : s.openblas_core);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 %s %s %s 2>&1", blas,
             python, script, args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NAN;
    char line[512];
    double ms = NAN;
    while (fgets(line, sizeof line, p)) {
        double v;
        if (sscanf(line, "ms_per_step %lf", &v) == 1)
            ms = v;
        else
            printf("  torch: %s", line);
    }
    pclose(p);
    return ms;
}
