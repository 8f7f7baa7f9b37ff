/*
 * `teachkit plot`: figures of a run or a study, drawn by gnuplot (Debian's
 * gnuplot-nox), as PNG and SVG in DIR/plots/.
 *   run:   curve (mastered_pct over episodes); for task spaces of 2 or more
 *          dimensions, the curriculum on the first two: tasks sampled since
 *          the previous snapshot, GMM components as 2-sigma ellipses coloured
 *          by their ALP, RIAC leaf regions coloured by ALP, Oracle window or
 *          ADR bounds; and curriculum.gif animating every snapshot.
 *   study: learning curves (mean ± standard error per group), final
 *          mastered_pct bars with standard errors and significance marks
 *          against the baseline (* p<0.05, ** p<0.01, *** p<0.001), and the
 *          run figures of the first run of every group.
 * The gnuplot scripts and data files stay in plots/ so figures can be
 * restyled by hand.
 */
#ifndef TK_HOST_PLOT_H
#define TK_HOST_PLOT_H

#include "teachkit/diag.h"

int tk_plot_run(const char *run_dir, tk_diag *d);
int tk_plot_study(const char *study_dir, tk_diag *d);

/* Runs `gnuplot SCRIPT` with `dir` as its working directory (the script's
 * relative paths are inside it); for the other figure modules. */
int tk_plot_gnuplot(const char *dir, const char *script, tk_diag *d);

#endif
