/*
 * Static kd-tree for exact nearest-neighbour queries (Euclidean) over points
 * stored row-major.  Built once from a copy of the points in O(n log n)
 * expected time (median splits); memory O(n * dim).  Queries are read-only,
 * so one tree may be queried from several threads.
 *
 * Exactness: the squared distance is computed as sum_j (q[j] - p[j])^2 in
 * the order j = 0 .. dim-1, and pruning never discards a point whose
 * distance so computed could win, so results (ties included) are those of a
 * brute-force scan with that formula.  Coordinates must not be NaN.
 */
#ifndef TEACHKIT_KDTREE_H
#define TEACHKIT_KDTREE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_kdtree tk_kdtree;

/* Build over `n` points of dimension `dim` (copied; `points` and `ids` may
 * be freed afterwards).  Each point carries an id (ids[i], or i when ids is
 * NULL) used to break distance ties: the smallest id wins.  NULL on OOM,
 * n == 0 or dim == 0. */
tk_kdtree *tk_kdtree_build(const double *points, const size_t *ids, size_t n, size_t dim);
void tk_kdtree_free(tk_kdtree *tree);
size_t tk_kdtree_size(const tk_kdtree *tree);

/* Nearest point to `query`: writes its id and squared distance.  If the best
 * squared distance found is not smaller than *best_d2 on entry (pass
 * INFINITY, with *best_id = SIZE_MAX, to search freely) the outputs are left
 * unchanged, unless it is equal and the id is smaller, so several trees can
 * be searched in turn, in any order, with one (best_id, best_d2) pair.  A
 * tighter entry pair also makes the search faster. */
void tk_kdtree_nearest(const tk_kdtree *tree, const double *query, size_t *best_id,
                       double *best_d2);

#ifdef __cplusplus
}
#endif

#endif
