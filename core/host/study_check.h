/*
 * Checking a study before any of it runs, as `teachkit validate` checks one
 * run: every run's manifest parsed, its plugins found and configs resolved,
 * and its components created once per distinct configuration (runs that
 * differ only by their seed share one creation), so that a typo in the last
 * run's config stops the study before the first run starts.
 *
 * The check runs in a child process: it runs plugin code (create), and a
 * plugin that crashes or hangs there fails the check with a message naming
 * the run instead of taking `teachkit study` down with it.
 *
 * It also names each run's resolved manifest (host and plugin defaults filled
 * in) by a hash, which study.json keeps: a study rerun into the same
 * directory finds the runs whose manifests changed.
 */
#ifndef TK_HOST_STUDY_CHECK_H
#define TK_HOST_STUDY_CHECK_H

#include <stddef.h>

#include "teachkit/diag.h"
#include "study.h"

typedef struct tk_study_check {
    char (*hashes)[17];  /* per run, hex hash of its resolved manifest (owned) */
    size_t n_created;    /* configurations whose components were created */
} tk_study_check;

/* 0, or -1 with `d` naming the file, the JSON path and the run. */
int tk_study_check_runs(const tk_study *st, const char *file, tk_study_check *out, tk_diag *d);
void tk_study_check_free(tk_study_check *c);

#endif
