/*
 * Static kd-tree, exact Euclidean nearest neighbour (used by the ALP computer,
 * core/lib/alp_computer.c, where the original uses scipy's cKDTree).
 *
 * Layout: the tree owns a copy of the points, reordered so that every subtree
 * is a contiguous range [lo, hi) of rows (an implicit tree, no node
 * structs).  A range with more than LEAF rows is a node whose own point is
 * its middle row m = lo + (hi - lo) / 2 and whose children are [lo, m) and
 * [m + 1, hi): along the node's split dimension their coordinates are <= and
 * >= row m's.  Per-range data (split dimension, smallest id in the range)
 * lives in the middle row, which belongs to no other range.  Each row keeps
 * its coordinates and this data side by side, so visiting a node touches one
 * cache line rather than one per array: at 10^6 points the trees outgrow the
 * caches and the misses dominate the query time.
 *
 * Build: O(n log n) expected, median split by selection on the dimension of
 * largest spread.  Query: depth-first, near child first, pruning on a lower
 * bound of the squared distance to the child's cell: the distance to the
 * splitting plane, and from 5 dimensions on also the incremental distance
 * to the cell over all split dimensions (Arya and Mount, 1993), which is
 * what keeps 8-12 dimensional queries well below brute-force cost (about 3x
 * fewer visits at d = 12; in 2-4 dimensions its bookkeeping costs more than
 * it saves, measured).
 *
 * Exactness: a range is pruned only when a lower bound on the squared
 * distance of its points exceeds the best squared distance, or equals it and
 * the range holds no smaller id (tie rule of kdtree.h).  The plane and box
 * bounds use the same floating-point subtractions and left-to-right sums as
 * the point distances, and rounding is monotone, so they never exceed the
 * computed distance of a point they cover.  The incremental bound is
 * rounded differently, so it is used shrunk by a relative margin that covers
 * its rounding error and that of a point distance (see incremental_bound).
 * Results are therefore identical, ties included, to a brute-force scan
 * using the formula of point_d2.
 */
#include "teachkit/kdtree.h"

#include <float.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Leaf size: small enough to keep leaf scans cheap, large enough to cut the
 * recursion overhead (8 measured best for the ALP computer's queries). */
enum { LEAF = 8 };

/* Smallest dimension using the incremental cell bound; per-query offsets
 * live on the stack up to OFFSETS_ON_STACK dimensions. */
enum { INCREMENTAL_MIN_DIM = 5, OFFSETS_ON_STACK = 16 };

/* A row is `dim` coordinate cells followed by META cells. */
union cell {
    double x;
    size_t u;
};
enum {
    ID,        /* id of the row's point */
    MIN_ID,    /* smallest id of the range whose middle is this row */
    SPLIT_DIM, /* split dimension of the node whose point is this row */
    META
};

struct tk_kdtree {
    size_t n, dim, stride; /* stride = dim + META cells per row */
    union cell *rows;      /* n rows, tree order; owned */
    double *box_lo;        /* bounding box of all points, dim each; owned */
    double *box_hi;        /* (inside the box_lo allocation) */
};

/* Per-build state.  The selection pivot is drawn from a private splitmix64
 * stream so that sorted or adversarial inputs still give expected linear
 * selection time (no global RNG state, reproducible builds). */
struct build_ctx {
    tk_kdtree *t;
    uint64_t rng;
};

/* Per-query state. */
struct query_ctx {
    const tk_kdtree *t;
    const double *q;
    size_t best_id;
    double best_d2;
    /* Incremental bound: off[j] = signed offset from the query to the
     * current cell along j (0 inside); NULL when not used. */
    double *off;
    double shrink, margin; /* see incremental_bound */
};

static union cell *row(const tk_kdtree *t, size_t i)
{
    return t->rows + i * t->stride;
}

static double coord(const tk_kdtree *t, size_t i, size_t d)
{
    return row(t, i)[d].x;
}

static size_t *meta(const tk_kdtree *t, size_t i, int field)
{
    return &row(t, i)[t->dim + (size_t)field].u;
}

/* The middle row of [lo, hi): the node's point, and the slot of the range's
 * data (children exclude it, so no other range uses that slot). */
static size_t range_mid(size_t lo, size_t hi)
{
    return lo + (hi - lo) / 2;
}

/* Squared distance, summed left to right.  Keep this formula identical to
 * the one used by brute-force references.  (Abandoning the sum once it
 * exceeds the best was tried: fewer instructions, but slower, as the
 * unpredictable branch costs more than it saves.) */
static double point_d2(const double *q, const union cell *p, size_t dim)
{
    double s = 0.0;
    for (size_t j = 0; j < dim; j++) {
        const double d = q[j] - p[j].x;
        s += d * d;
    }
    return s;
}

static uint64_t next_random(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void swap_rows(tk_kdtree *t, size_t a, size_t b)
{
    union cell *ra = row(t, a), *rb = row(t, b);
    for (size_t j = 0; j < t->stride; j++) {
        const union cell tmp = ra[j];
        ra[j] = rb[j];
        rb[j] = tmp;
    }
}

/* Dimension of largest spread over rows [lo, hi), estimated on an evenly
 * spaced sample of at most SPREAD_SAMPLE rows so that the build stays
 * O(n log n) with a small constant.  Better than cycling through dimensions
 * when some are constant (TMA task spaces have lo == hi dimensions) or much
 * narrower than others; the median split keeps the tree balanced whatever
 * the choice. */
enum { SPREAD_SAMPLE = 32 };

static size_t widest_dim(const tk_kdtree *t, size_t lo, size_t hi)
{
    const size_t step = (hi - lo + SPREAD_SAMPLE - 1) / SPREAD_SAMPLE;
    size_t best = 0;
    double best_spread = -1.0;
    for (size_t d = 0; d < t->dim; d++) {
        double mn = coord(t, lo, d), mx = mn;
        for (size_t i = lo + step; i < hi; i += step) {
            const double v = coord(t, i, d);
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
        if (mx - mn > best_spread) {
            best_spread = mx - mn;
            best = d;
        }
    }
    return best;
}

/* Reorder rows [lo, hi) so that row k holds the k-th smallest coordinate d,
 * rows before it are <= and rows after it >= (the nth_element contract),
 * by Wirth's variant of Hoare selection.  Both scans stop on keys equal to
 * the pivot, which keeps partitions balanced when many keys are equal
 * (duplicated tasks are common: a teacher draws the same task many times).
 * Signed indices: j may step to l - 1. */
static void select_kth(struct build_ctx *c, size_t lo, size_t hi, size_t k, size_t d)
{
    tk_kdtree *t = c->t;
    const ptrdiff_t kk = (ptrdiff_t)k;
    ptrdiff_t l = (ptrdiff_t)lo, r = (ptrdiff_t)hi - 1;
    while (l < r) {
        const uint64_t span = (uint64_t)(r - l + 1);
        const double x = coord(t, (size_t)l + (size_t)(next_random(&c->rng) % span), d);
        ptrdiff_t i = l, j = r;
        /* The scans stay inside [l, r]: the pivot row stops both on the
         * first pass, the rows just swapped stop them afterwards. */
        do {
            while (coord(t, (size_t)i, d) < x)
                i++;
            while (x < coord(t, (size_t)j, d))
                j--;
            if (i <= j) {
                swap_rows(t, (size_t)i, (size_t)j);
                i++;
                j--;
            }
        } while (i <= j);
        /* Rows [l, j] <= x <= rows [i, r]; rows strictly between are == x. */
        if (j < kk)
            l = i;
        if (kk < i)
            r = j;
    }
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

static void build_range(struct build_ctx *c, size_t lo, size_t hi)
{
    tk_kdtree *t = c->t;
    const size_t mid = range_mid(lo, hi);
    if (hi - lo <= LEAF) {
        size_t mn = *meta(t, lo, ID);
        for (size_t i = lo + 1; i < hi; i++)
            mn = min_size(mn, *meta(t, i, ID));
        *meta(t, mid, MIN_ID) = mn;
        return;
    }
    const size_t d = widest_dim(t, lo, hi);
    select_kth(c, lo, hi, mid, d);
    *meta(t, mid, SPLIT_DIM) = d;
    build_range(c, lo, mid);
    build_range(c, mid + 1, hi);
    const size_t children = min_size(*meta(t, range_mid(lo, mid), MIN_ID),
                                     *meta(t, range_mid(mid + 1, hi), MIN_ID));
    *meta(t, mid, MIN_ID) = min_size(*meta(t, mid, ID), children);
}

static void compute_box(tk_kdtree *t)
{
    for (size_t d = 0; d < t->dim; d++)
        t->box_lo[d] = t->box_hi[d] = coord(t, 0, d);
    for (size_t i = 1; i < t->n; i++) {
        for (size_t d = 0; d < t->dim; d++) {
            const double v = coord(t, i, d);
            t->box_lo[d] = v < t->box_lo[d] ? v : t->box_lo[d];
            t->box_hi[d] = v > t->box_hi[d] ? v : t->box_hi[d];
        }
    }
}

static tk_kdtree *alloc_tree(size_t n, size_t dim)
{
    if (dim > SIZE_MAX / sizeof(union cell) - META ||
        n > SIZE_MAX / sizeof(union cell) / (dim + META))
        return NULL;
    tk_kdtree *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->n = n;
    t->dim = dim;
    t->stride = dim + META;
    t->rows = malloc(n * t->stride * sizeof *t->rows);
    t->box_lo = malloc(2 * dim * sizeof *t->box_lo);
    if (!t->rows || !t->box_lo) {
        tk_kdtree_free(t);
        return NULL;
    }
    t->box_hi = t->box_lo + dim;
    return t;
}

tk_kdtree *tk_kdtree_build(const double *points, const size_t *ids, size_t n, size_t dim)
{
    if (n == 0 || dim == 0)
        return NULL;
    tk_kdtree *t = alloc_tree(n, dim);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        for (size_t d = 0; d < dim; d++)
            row(t, i)[d].x = points[i * dim + d];
        *meta(t, i, ID) = ids ? ids[i] : i;
    }
    struct build_ctx c = {.t = t, .rng = (uint64_t)n * 0x2545f4914f6cdd1dULL};
    build_range(&c, 0, n);
    compute_box(t);
    return t;
}

void tk_kdtree_free(tk_kdtree *tree)
{
    if (!tree)
        return;
    free(tree->rows);
    free(tree->box_lo);
    free(tree);
}

size_t tk_kdtree_size(const tk_kdtree *tree)
{
    return tree ? tree->n : 0;
}

/* May a range (or point) with squared-distance lower bound `bound` still
 * improve the best pair?  Equal bounds matter for the tie rule (smallest id
 * wins), which also keeps queries on many duplicated points logarithmic: a
 * range whose ids are all larger is skipped.  `min_id` is read only on
 * equality, so a pruned far child costs no memory access. */
static int may_improve(const struct query_ctx *q, double bound, const size_t *min_id)
{
    return bound < q->best_d2 || (bound == q->best_d2 && *min_id < q->best_id);
}

static void visit_row(struct query_ctx *q, size_t i)
{
    const tk_kdtree *t = q->t;
    const double d2 = point_d2(q->q, row(t, i), t->dim);
    if (d2 < q->best_d2 || (d2 == q->best_d2 && *meta(t, i, ID) < q->best_id)) {
        q->best_d2 = d2;
        q->best_id = *meta(t, i, ID);
    }
}

/* Lower bound from the incremental squared distance `rd` to a cell, safe
 * against rounding.  rd is updated along a root-to-cell path of at most 64
 * levels by rd - old^2 + new^2; since rd only grows along the path, its
 * absolute error stays below (2 * 64 + 4) u rd (u = DBL_EPSILON / 2), and a
 * computed point distance is at least (1 - (dim + 3) u) times the exact one.
 * Shrinking rd by (dim + 256) DBL_EPSILON covers both; the absolute margin
 * covers underflow to subnormals.  Callers keep the exact plane bound as a
 * floor, so exact ties (duplicates, bound 0) still prune through min_id. */
static double incremental_bound(const struct query_ctx *q, double rd)
{
    return rd * q->shrink - q->margin;
}

static double max_d(double a, double b)
{
    return a > b ? a : b;
}

/* `bound` is a lower bound on the squared distance from the query to every
 * point of [lo, hi); `rd` the incremental distance to its cell (if used). */
static void search(struct query_ctx *q, size_t lo, size_t hi, double bound, double rd)
{
    const tk_kdtree *t = q->t;
    const size_t mid = range_mid(lo, hi);
    if (!may_improve(q, bound, meta(t, mid, MIN_ID)))
        return;
    if (hi - lo <= LEAF) {
        for (size_t i = lo; i < hi; i++)
            visit_row(q, i);
        return;
    }
    const size_t d = *meta(t, mid, SPLIT_DIM);
    const double diff = q->q[d] - coord(t, mid, d);
    const double plane = diff * diff;
    double far_bound = max_d(plane, bound), far_rd = rd, old = 0.0;
    if (q->off) {
        old = q->off[d];
        far_rd = rd - old * old + plane;
        far_bound = max_d(far_bound, incremental_bound(q, far_rd));
    }
    /* The node's point lies in the far cell's closure: far_bound bounds it. */
    if (may_improve(q, far_bound, meta(t, mid, ID)))
        visit_row(q, mid);
    /* Near side first.  On the plane both sides have the same bound; visit
     * the one holding the smaller id first so ties resolve without
     * exploring the other side. */
    int left_first = diff < 0.0;
    if (diff == 0.0)
        left_first = *meta(t, range_mid(lo, mid), MIN_ID) <
                     *meta(t, range_mid(mid + 1, hi), MIN_ID);
    const size_t near_lo = left_first ? lo : mid + 1, near_hi = left_first ? mid : hi;
    const size_t far_lo = left_first ? mid + 1 : lo, far_hi = left_first ? hi : mid;
    search(q, near_lo, near_hi, bound, rd);
    if (q->off)
        q->off[d] = diff;
    search(q, far_lo, far_hi, far_bound, far_rd);
    if (q->off)
        q->off[d] = old;
}

/* Offset from the query to the bounding box along j (0 inside). */
static double box_offset(const tk_kdtree *t, const double *query, size_t j)
{
    if (query[j] < t->box_lo[j])
        return query[j] - t->box_lo[j];
    if (query[j] > t->box_hi[j])
        return query[j] - t->box_hi[j];
    return 0.0;
}

/* Squared distance from the query to the bounding box: a lower bound for
 * every point, summed in the same order as point_d2. */
static double box_d2(const tk_kdtree *t, const double *query)
{
    double s = 0.0;
    for (size_t j = 0; j < t->dim; j++) {
        const double d = box_offset(t, query, j);
        s += d * d;
    }
    return s;
}

void tk_kdtree_nearest(const tk_kdtree *tree, const double *query, size_t *best_id,
                       double *best_d2)
{
    const size_t dim = tree->dim;
    struct query_ctx q = {.t = tree, .q = query, .best_id = *best_id, .best_d2 = *best_d2};
    double stack_off[OFFSETS_ON_STACK];
    if (dim >= INCREMENTAL_MIN_DIM) {
        /* Without memory for the offsets, the plane bound alone is still
         * exact, only slower. */
        q.off = dim <= OFFSETS_ON_STACK ? stack_off : malloc(dim * sizeof *q.off);
        q.shrink = 1.0 - (double)(dim + 256) * DBL_EPSILON;
        q.margin = (double)(dim + 256) * DBL_TRUE_MIN;
    }
    if (q.off)
        for (size_t j = 0; j < dim; j++)
            q.off[j] = box_offset(tree, query, j);
    const double box = box_d2(tree, query);
    search(&q, 0, tree->n, box, box);
    if (q.off != stack_off)
        free(q.off);
    *best_id = q.best_id;
    *best_d2 = q.best_d2;
}
