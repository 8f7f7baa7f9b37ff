/* The machine's numerics back ends (<teachkit/system_info.h>) as JSON, for
 * summary.json and `teachkit list --system`. */
#ifndef TK_HOST_SYSTEM_JSON_H
#define TK_HOST_SYSTEM_JSON_H

#include <jansson.h>
#include <stdio.h>

/* A new object (caller owns it): cpu, cpu_features, matrix_backend,
 * onednn_isa, onednn_fp32_kernel, onednn_bf16_kernel, bf16_native,
 * openblas_core, openblas_coretype, openblas_config. */
json_t *tk_system_json(void);

/* The same as "key: value" lines. */
void tk_system_print(FILE *out);

#endif
