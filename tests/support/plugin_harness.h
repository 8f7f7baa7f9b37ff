/*
 * A minimal host for testing one plugin component through its ABI:
 * dlopen()s the .so, finds the descriptor by id and provides a host services
 * table with a seeded RNG and error capture.  Test code only.
 */
#ifndef TK_TEST_PLUGIN_HARNESS_H
#define TK_TEST_PLUGIN_HARNESS_H

#include <stdint.h>

#include "teachkit/plugin.h"

struct tk_ctx {
    tk_rng rng;
    tk_status last_code;
    char last_path[256];
    char last_message[1024];
};

typedef struct tk_harness {
    void *dl;
    const tk_descriptor *desc;
    tk_host_api host;
    struct tk_ctx ctx;
} tk_harness;

/* Load `so_path` and select component `id`; seeds ctx.rng with `seed`.
 * Returns 0 on success, prints the reason and returns -1 otherwise. */
int tk_harness_open(tk_harness *h, const char *so_path, const char *id, uint64_t seed);
void tk_harness_close(tk_harness *h);

/* Shorthands for the three vtables of the selected descriptor. */
const tk_teacher_vtable *tk_harness_teacher(const tk_harness *h);
const tk_env_vtable *tk_harness_env(const tk_harness *h);
const tk_student_vtable *tk_harness_student(const tk_harness *h);

/* The config create() receives from the host: `d`'s default_config with the
 * keys of the JSON object `overrides` (NULL: none) replacing them.  A
 * malloc'd JSON text the caller frees, or NULL when either text is not a
 * JSON object or memory runs out. */
char *tk_harness_merged_config(const tk_descriptor *d, const char *overrides);

#endif
