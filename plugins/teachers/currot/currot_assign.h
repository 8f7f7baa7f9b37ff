/*
 * Minimum-cost assignment (the linear sum assignment problem) for the
 * currot teacher, by the Hungarian method with potentials (Kuhn 1955,
 * Munkres 1957; the O(r^2 c) shortest augmenting path form).  CurrOT uses
 * it where the authors call scipy.optimize.linear_sum_assignment: to keep
 * the success buffer close to the target samples and to give particles
 * below the threshold a successful replacement (docs/teachers/currot.md).
 *
 * Pure arithmetic, no state; compiled into tests/plugins/test_currot.c too.
 */
#ifndef CURROT_ASSIGN_H
#define CURROT_ASSIGN_H
#include <stddef.h>

/* Assigns each of the `rows` rows of the row-major rows x cols matrix
 * `cost` (finite entries) to a distinct column, rows <= cols, minimising
 * the summed cost: col_of_row[r] is row r's column.  Returns 0, or -1 when
 * rows > cols or memory runs out.  Among optimal assignments the result is
 * deterministic (it depends only on the costs and their order). */
int currot_assign(const double *cost, size_t rows, size_t cols, size_t *col_of_row);

/* The same with more rows than columns: every column gets a distinct row
 * (row_of_col[c]), as scipy does for a tall matrix.  Returns 0 or -1. */
int currot_assign_tall(const double *cost, size_t rows, size_t cols, size_t *row_of_col);

#endif
