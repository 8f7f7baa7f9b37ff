/*
 * teachkit.runtime-info.v1 -- optional extension of any component (teacher,
 * environment or student): facts about how an instance runs that a reader
 * of its results needs and that its config alone does not tell, such as
 * the arithmetic precision a "precision": "auto" student resolved to on
 * this CPU.  The host records the object in the run's summary.json under
 * "runtime" (keyed by kind: "teacher", "env", "student").
 *
 * A component offers it by returning the table from
 *     vtable->get_extension(self, TK_RUNTIME_INFO_EXT_ID)
 * and NULL otherwise.  The table is static, owned by the plugin.
 */
#ifndef TEACHKIT_RUNTIME_INFO_H
#define TEACHKIT_RUNTIME_INFO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TK_RUNTIME_INFO_EXT_ID "teachkit.runtime-info.v1"

typedef struct tk_runtime_info_ext {
    uint32_t struct_size; /* sizeof(tk_runtime_info_ext) as the plugin knows it */
    /* A JSON object, e.g. {"precision": "bf16"}.  Owned by the instance,
     * valid until the next call on it or its destroy; NULL if it has
     * nothing to say.  The host ignores text that is not a JSON object.
     * [instance] */
    const char *(*describe)(void *self);
} tk_runtime_info_ext;

#ifdef __cplusplus
}
#endif

#endif
