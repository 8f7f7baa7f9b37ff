/*
 * `teachkit report`: statistics of a study directory per group of runs
 * (runs that differ only by seed): mean, std, standard error and 95 %
 * confidence interval of the final mastered_pct and of its area under the
 * curve (the mean mastered_pct over training), Welch's t-test against the
 * baseline teacher of the same group, finished/failed counts.  Writes
 * report.md, report.csv and curves.csv (mean and standard error of
 * mastered_pct per evaluation, per group) into the study directory.
 */
#ifndef TK_HOST_REPORT_H
#define TK_HOST_REPORT_H

#include <stdio.h>

#include "teachkit/diag.h"

/* Prints the Markdown table on `out`.  `baseline` is a teacher label. */
int tk_report_study(const char *study_dir, const char *baseline, FILE *out, tk_diag *d);

#endif
