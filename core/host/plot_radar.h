/*
 * `teachkit plot --radar OUT.png STUDY_DIR...`: TeachMyAgent's profile
 * figure (Romac et al., ICML 2021, the radar charts of its benchmark): one
 * axis per study directory (a challenge profile), one polygon per teacher.
 *
 * Score: the teacher's mean final mastered_pct in that study, in percent
 * (absolute, not a ratio to random), read from the study's report.csv
 * (`teachkit report` writes it).  When several groups of a study share a
 * teacher label (robustness: one group per student and body), the score is
 * the mean of their group means.  Groups without a finished run are left
 * out; a teacher absent from a study has no score there: an empty cell in
 * the table and the centre of the chart.
 *
 * Writes OUT (PNG), OUT's stem + ".csv" (the table drawn: `teacher` then
 * one column per axis, named by the study's "name"), ".dat" and ".gp" (the
 * gnuplot data and script, kept for restyling).  Threads: [main].
 */
#ifndef TK_HOST_PLOT_RADAR_H
#define TK_HOST_PLOT_RADAR_H

#include <stddef.h>

#include "teachkit/diag.h"

int tk_plot_radar(const char *out_png, char *const *study_dirs, size_t n_dirs, tk_diag *d);

#endif
