/* The machine's numerics back ends: see <teachkit/system_info.h>. */
#include "teachkit/system_info.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* From OpenBLAS (its cblas.h declares them without const). */
char *openblas_get_corename(void);
char *openblas_get_config(void);

static char cpu_model[160] = "unknown";
static char cpu_features[96];
static char coretype_env[64];
static tk_system_info info;

/* The "model name" line of /proc/cpuinfo. */
static void read_cpu_model(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        const char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) != 0 || !colon)
            continue;
        colon++;
        while (*colon == ' ' || *colon == '\t')
            colon++;
        snprintf(cpu_model, sizeof cpu_model, "%s", colon);
        cpu_model[strcspn(cpu_model, "\n")] = '\0';
        break;
    }
    fclose(f);
}

static int has_avx512(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}

static int has_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static void list_features(void)
{
    tk_nn_backend_info nn;
    tk_nn_backend_describe(&nn);
    const char *isa = nn.isa;
    snprintf(cpu_features, sizeof cpu_features, "%s%s%s%s", has_avx2() ? "avx2 " : "",
             has_avx512() ? "avx512f " : "", nn.bf16_native ? "avx512_bf16 " : "",
             strcmp(isa, "avx512_core_amx") == 0 ? "amx_bf16 " : "");
    size_t len = strlen(cpu_features);
    if (len)
        cpu_features[len - 1] = '\0';
}

static void describe(void)
{
    read_cpu_model();
    list_features();
    const char *env = getenv("OPENBLAS_CORETYPE");
    info.cpu_model = cpu_model;
    info.cpu_features = cpu_features;
    info.openblas_core = openblas_get_corename();
    info.openblas_config = openblas_get_config();
    snprintf(coretype_env, sizeof coretype_env, "%s", env ? env : "");
    info.openblas_coretype_env = coretype_env;
    tk_nn_backend_describe(&info.nn);
}

void tk_system_describe(tk_system_info *out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, describe);
    *out = info;
}

const char *tk_openblas_better_core(void)
{
    const char *core = openblas_get_corename();
    const char *want = has_avx512() ? "SkylakeX" : has_avx2() ? "Haswell" : NULL;
    if (!want || !core)
        return NULL;
    /* Kernels at least as new as the wanted one: leave them. */
    static const char *const avx512_cores[] = {"SkylakeX", "Cooperlake", "SapphireRapids", NULL};
    static const char *const avx2_cores[] = {"Haswell", "Zen", "SkylakeX", "Cooperlake",
                                             "SapphireRapids", NULL};
    const char *const *ok = strcmp(want, "SkylakeX") == 0 ? avx512_cores : avx2_cores;
    for (size_t i = 0; ok[i]; i++)
        if (strcasecmp(core, ok[i]) == 0)
            return NULL;
    return want;
}

int tk_numerics_env_defaults(void)
{
    int changed = 0;
    if (!getenv("OPENBLAS_NUM_THREADS"))
        changed |= !setenv("OPENBLAS_NUM_THREADS", "1", 1);
    if (!getenv("OMP_NUM_THREADS"))
        changed |= !setenv("OMP_NUM_THREADS", "1", 1);
    const char *core = getenv("OPENBLAS_CORETYPE") ? NULL : tk_openblas_better_core();
    if (core)
        changed |= !setenv("OPENBLAS_CORETYPE", core, 1);
    return changed;
}
