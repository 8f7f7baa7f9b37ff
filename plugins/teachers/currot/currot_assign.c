/* Hungarian method with row and column potentials: rows are added one at
 * a time and each is matched along a shortest augmenting path in the
 * reduced costs (the e-maxx formulation, indices from 1, column 0 the
 * virtual start). */
#include "currot_assign.h"

#include <float.h>
#include <stdlib.h>

int currot_assign(const double *cost, size_t rows, size_t cols, size_t *col_of_row)
{
    if (rows > cols)
        return -1;
    if (rows == 0)
        return 0;
    double *u = calloc(rows + 1, sizeof *u);
    double *v = calloc(cols + 1, sizeof *v);
    double *minv = malloc((cols + 1) * sizeof *minv);
    size_t *p = calloc(cols + 1, sizeof *p);   /* p[j]: row matched to column j, 0 = none */
    size_t *way = calloc(cols + 1, sizeof *way);
    unsigned char *used = malloc(cols + 1);
    int rc = -1;
    if (!u || !v || !minv || !p || !way || !used)
        goto out;
    for (size_t i = 1; i <= rows; i++) {
        p[0] = i;
        size_t j0 = 0;
        for (size_t j = 0; j <= cols; j++)
            minv[j] = DBL_MAX, used[j] = 0;
        do {
            used[j0] = 1;
            const size_t i0 = p[j0];
            double delta = DBL_MAX;
            size_t j1 = 0;
            for (size_t j = 1; j <= cols; j++) {
                if (used[j])
                    continue;
                const double cur = cost[(i0 - 1) * cols + (j - 1)] - u[i0] - v[j];
                if (cur < minv[j])
                    minv[j] = cur, way[j] = j0;
                if (minv[j] < delta)
                    delta = minv[j], j1 = j;
            }
            for (size_t j = 0; j <= cols; j++) {
                if (used[j])
                    u[p[j]] += delta, v[j] -= delta;
                else
                    minv[j] -= delta;
            }
            j0 = j1;
        } while (p[j0] != 0);
        do { /* augment along the path */
            const size_t j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0 != 0);
    }
    for (size_t j = 1; j <= cols; j++)
        if (p[j])
            col_of_row[p[j] - 1] = j - 1;
    rc = 0;
out:
    free(u);
    free(v);
    free(minv);
    free(p);
    free(way);
    free(used);
    return rc;
}

int currot_assign_tall(const double *cost, size_t rows, size_t cols, size_t *row_of_col)
{
    if (rows < cols)
        return -1;
    double *t = malloc((rows * cols > 0 ? rows * cols : 1) * sizeof *t);
    if (!t)
        return -1;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            t[c * rows + r] = cost[r * cols + c];
    const int rc = currot_assign(t, cols, rows, row_of_col);
    free(t);
    return rc;
}
