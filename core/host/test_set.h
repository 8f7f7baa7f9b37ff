/*
 * Evaluation test sets: the fixed list of tasks played with the
 * deterministic policy at every evaluation (teachDeepRL
 * teachDRL/teachers/utils/test_utils.py and uniform_test_sets_generator.py).
 *
 * Manifest forms of eval.test_set:
 *   {"file": "tasks.json"}          JSON array of task arrays (or {"tasks": [...]}),
 *                                   path relative to the manifest
 *   {"uniform": 50, "seed": 31}     N tasks uniform in the task space, drawn
 *                                   from their own stream (default seed 31, as
 *                                   TeachMyAgent), independent of the run seed
 *   {"grid": 10}                    M points per dimension, linspace(low, high),
 *                                   first dimension varying fastest
 * Default when absent: {"uniform": 50, "seed": 31}.
 */
#ifndef TK_HOST_TEST_SET_H
#define TK_HOST_TEST_SET_H

#include <jansson.h>
#include <stddef.h>

#include "teachkit/diag.h"
#include "teachkit/plugin.h"

typedef struct tk_test_set {
    size_t n;        /* number of tasks */
    size_t dims;
    float *tasks;    /* n x dims, owned */
} tk_test_set;

/* Build from `spec` (may be NULL for the default).  Errors name
 * "eval.test_set..." in `manifest_file`. */
int tk_test_set_build(tk_test_set *ts, const json_t *spec, const tk_task_space *space,
                      const char *manifest_file, tk_diag *d);
void tk_test_set_free(tk_test_set *ts);

#endif
