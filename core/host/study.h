/*
 * Study manifests: a manifest whose values may be lists, expanded into the
 * cross product of runs (docs/studies.md).
 *
 * Sweep points:
 *   "seed": [1, 2, 3]  or  {"range": [1, 11]}  (end excluded)
 *   "teacher" / "env" / "student": an array of component objects; an element
 *       may carry a "label" that names it in run directories and reports
 *       (default: its plugin id)
 *   any value inside a component, written {"sweep": [v1, v2, ...]}
 * Every run gets a directory name built from its swept values,
 * "teacher-alp-gmm__seed-3", and a group (the same without the seed) over
 * which reports aggregate.
 */
#ifndef TK_HOST_STUDY_H
#define TK_HOST_STUDY_H

#include <jansson.h>
#include <stddef.h>

#include "teachkit/diag.h"

typedef struct tk_study_run {
    char *dir;          /* run directory name (sanitised, unique) */
    char *group;        /* dir without the seed part ("all" if nothing else is swept) */
    char *teacher;      /* the teacher's label */
    uint64_t seed;
    json_t *manifest;   /* concrete manifest of the run (owned) */
    json_t *labels;     /* object: sweep name -> label (owned) */
} tk_study_run;

typedef struct tk_study {
    char *name;
    tk_study_run *runs;
    size_t n_runs;
} tk_study;

/* Expand `root` (borrowed).  Relative paths in plugin_paths and
 * eval.test_set.file are made absolute against the manifest's directory so
 * the runs can live anywhere.  Errors name `file` and the JSON path. */
int tk_study_expand(json_t *root, const char *file, tk_study *study, tk_diag *d);
void tk_study_free(tk_study *study);

/* 1 if `root` is written as a study: a seed list or range, a list of
 * components, or a {"sweep": [...]} anywhere (whether or not it expands). */
int tk_study_has_sweeps(json_t *root);

#endif
