/*
 * A minimal host for testing one plugin component through its ABI: a
 * client of libteachkit's plugin-hosting core.  tk_plugin_file_open loads
 * and checks the .so (the host's vtable copies included), the services
 * table is libteachkit's own, and the context is the core's struct tk_ctx
 * (error capture in ctx.code / ctx.err_path / ctx.err_message).  Test
 * code only.
 */
#ifndef TK_TEST_PLUGIN_HARNESS_H
#define TK_TEST_PLUGIN_HARNESS_H

#include <stdint.h>

#include "teachkit/instance.h"
#include "teachkit/plugin_file.h"

typedef struct tk_harness {
    tk_plugin_file *file;
    const tk_descriptor *desc;  /* the host's copy; desc->vtable is the host's vtable copy */
    tk_host_api host;           /* a copy of libteachkit's services table */
    struct tk_ctx ctx;
} tk_harness;

/* Load `so_path` and select component `id`; seeds ctx.rng with
 * tk_rng_seed(seed).  Returns 0 on success, prints the reason and returns
 * -1 otherwise. */
int tk_harness_open(tk_harness *h, const char *so_path, const char *id, uint64_t seed);
void tk_harness_close(tk_harness *h);

/* Shorthands for the three vtables of the selected descriptor (NULL for
 * another kind). */
const tk_teacher_vtable *tk_harness_teacher(const tk_harness *h);
const tk_env_vtable *tk_harness_env(const tk_harness *h);
const tk_student_vtable *tk_harness_student(const tk_harness *h);

/* The config create() receives in these tests: `d`'s default_config with
 * the keys of the JSON object `overrides` (NULL: none) replacing them.
 * Deliberately laxer than the host's resolution (tk_resolve_config): the
 * plugin tests hand plugins keys and types the host would refuse, to test
 * the plugins' own checks.  A malloc'd JSON text the caller frees, or NULL
 * when either text is not a JSON object or memory runs out. */
char *tk_harness_merged_config(const tk_descriptor *d, const char *overrides);

#endif
