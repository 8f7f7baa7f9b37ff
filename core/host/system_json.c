/* The machine's numerics back ends as JSON: see system_json.h. */
#include "system_json.h"

#include "teachkit/system_info.h"

json_t *tk_system_json(void)
{
    tk_system_info s;
    tk_system_describe(&s);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "cpu", s.cpu_model,
                     "cpu_features", s.cpu_features, "matrix_backend", s.nn.library,
                     "onednn_isa", s.nn.isa, "onednn_fp32_kernel", s.nn.fp32_kernel,
                     "onednn_bf16_kernel", s.nn.bf16_kernel, "bf16_native", s.nn.bf16_native,
                     "openblas_core", s.openblas_core, "openblas_coretype",
                     s.openblas_coretype_env, "openblas_config", s.openblas_config);
}

void tk_system_print(FILE *out)
{
    json_t *j = tk_system_json();
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v)
    {
        if (json_is_string(v))
            fprintf(out, "%-19s %s\n", key, json_string_value(v));
        else
            fprintf(out, "%-19s %s\n", key, json_is_true(v) ? "yes" : "no");
    }
    json_decref(j);
}
