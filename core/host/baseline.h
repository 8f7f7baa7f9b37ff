/*
 * Baseline files: a study's results kept small enough to ship (kilobytes),
 * so that another study can be compared with them without rerunning them.
 *
 *   teachkit report DIR --export-baseline FILE   writes FILE from DIR;
 *   teachkit report DIR --against FILE           compares DIR with FILE.
 *
 * A baseline (JSON, "format": "teachkit-baseline/1") holds the study's name
 * and manifest and, per group (runs that differ only by their seed): its
 * teacher label, n finished runs, the mean and sample standard deviation
 * of the final mastered_pct and of its area under the curve (as `teachkit
 * report` computes them), every finished run's seed, final and AUC (so that
 * Welch's test can be computed against it), and the learning curve: mean,
 * standard error and n of mastered_pct at each evaluation of the group's
 * first finished run.
 *
 * The comparison matches groups by name and writes against.md (also
 * printed) and against.csv (the two curves side by side) into DIR: per
 * group, both means, the difference and Welch's p-value on the finals and
 * on the AUCs.  Groups in only one of the two are listed as such.
 *
 * Threads: [main].  Nothing is kept between calls.
 */
#ifndef TK_HOST_BASELINE_H
#define TK_HOST_BASELINE_H

#include <jansson.h>
#include <stdio.h>

#include "teachkit/diag.h"

/* The baseline object of a study directory (new reference), NULL with `d`. */
json_t *tk_baseline_of_study(const char *study_dir, tk_diag *d);

int tk_baseline_export(const char *study_dir, const char *file, tk_diag *d);

/* Prints the Markdown comparison on `out` and writes it into study_dir. */
int tk_baseline_compare(const char *study_dir, const char *file, FILE *out, tk_diag *d);

#endif
