/*
 * kd-tree: exact nearest neighbour with the smallest-id tie rule, checked
 * against a brute-force scan (bit-identical distances and ids).
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check_main.h"
#include "teachkit/kdtree.h"
#include "teachkit/rng.h"

/* Same formula and summation order as the library, so distances compare
 * with ==. */
static double dist2(const double *a, const double *b, size_t dim)
{
    double s = 0.0;
    for (size_t j = 0; j < dim; j++) {
        const double d = a[j] - b[j];
        s += d * d;
    }
    return s;
}

/* Reference: smallest squared distance, smallest id among equals; starts
 * from the caller's pair like tk_kdtree_nearest. */
static void brute_nearest(const double *pts, const size_t *ids, size_t n, size_t dim,
                          const double *q, size_t *best_id, double *best_d2)
{
    for (size_t i = 0; i < n; i++) {
        const double d2 = dist2(q, pts + i * dim, dim);
        const size_t id = ids ? ids[i] : i;
        if (d2 < *best_d2 || (d2 == *best_d2 && id < *best_id)) {
            *best_d2 = d2;
            *best_id = id;
        }
    }
}

/* Points: uniform in [0,1), or on a grid of `levels` values per coordinate
 * when levels > 0 (exact duplicates and equal distances). */
static double *make_points(tk_rng *rng, size_t n, size_t dim, unsigned levels)
{
    double *p = malloc(n * dim * sizeof *p);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n * dim; i++)
        p[i] = levels ? (double)tk_rng_below(rng, levels) : tk_rng_uniform(rng);
    return p;
}

/* Queries: a stored point, a point between grid values, or anywhere in
 * [-0.5, 1.5) scaled to the data (inside and outside the bounding box). */
static void make_query(tk_rng *rng, const double *pts, size_t n, size_t dim, unsigned levels,
                       double *q)
{
    const uint64_t kind = tk_rng_below(rng, 3);
    const double scale = levels ? (double)levels : 1.0;
    const size_t pick = (size_t)tk_rng_below(rng, n);
    for (size_t j = 0; j < dim; j++) {
        if (kind == 0)
            q[j] = pts[pick * dim + j];
        else if (kind == 1 && levels)
            q[j] = (double)tk_rng_below(rng, 2 * levels) * 0.5;
        else
            q[j] = tk_rng_range(rng, -0.5, 1.5) * scale;
    }
}

static void check_against_brute(const double *pts, const size_t *ids, size_t n, size_t dim,
                                unsigned levels, size_t nq, tk_rng *rng)
{
    tk_kdtree *t = tk_kdtree_build(pts, ids, n, dim);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(tk_kdtree_size(t), n);
    double q[64]; /* dims up to 64 */
    for (size_t k = 0; k < nq; k++) {
        make_query(rng, pts, n, dim, levels, q);
        size_t id = SIZE_MAX, ref_id = SIZE_MAX;
        double d2 = INFINITY, ref_d2 = INFINITY;
        tk_kdtree_nearest(t, q, &id, &d2);
        brute_nearest(pts, ids, n, dim, q, &ref_id, &ref_d2);
        ck_assert_msg(id == ref_id && d2 == ref_d2,
                      "n=%zu dim=%zu query %zu: tree (%zu, %.17g) brute (%zu, %.17g)", n, dim,
                      k, id, d2, ref_id, ref_d2);
    }
    tk_kdtree_free(t);
}

static const size_t sizes[] = {1, 2, 3, 8, 9, 17, 100, 1000, 20000};

START_TEST(test_uniform_equals_brute_force)
{
    tk_rng rng;
    tk_rng_seed(&rng, 1000 + (uint64_t)_i);
    const size_t dim = (size_t)_i;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        double *pts = make_points(&rng, sizes[s], dim, 0);
        check_against_brute(pts, NULL, sizes[s], dim, 0, sizes[s] > 1000 ? 300 : 200, &rng);
        free(pts);
    }
}
END_TEST

/* Grid data: many duplicated points and equidistant neighbours, with ids
 * given as a shuffled permutation so that the tie rule cannot follow the
 * input order. */
START_TEST(test_duplicates_smallest_id_wins)
{
    tk_rng rng;
    tk_rng_seed(&rng, 2000 + (uint64_t)_i);
    const size_t dim = (size_t)_i;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        const size_t n = sizes[s];
        const unsigned levels = dim <= 2 ? 4 : 2;
        double *pts = make_points(&rng, n, dim, levels);
        size_t *ids = malloc(n * sizeof *ids);
        ck_assert_ptr_nonnull(ids);
        for (size_t i = 0; i < n; i++)
            ids[i] = 5 * i + 3;
        for (size_t i = n; i > 1; i--) {
            const size_t j = (size_t)tk_rng_below(&rng, i);
            const size_t tmp = ids[i - 1];
            ids[i - 1] = ids[j];
            ids[j] = tmp;
        }
        check_against_brute(pts, ids, n, dim, levels, 300, &rng);
        free(ids);
        free(pts);
    }
}
END_TEST

/* Dimensions past the on-stack offset buffer of the incremental bound. */
START_TEST(test_high_dimensions)
{
    tk_rng rng;
    tk_rng_seed(&rng, 5);
    const size_t dims[] = {17, 40};
    for (size_t k = 0; k < 2; k++) {
        double *pts = make_points(&rng, 3000, dims[k], 0);
        check_against_brute(pts, NULL, 3000, dims[k], 0, 100, &rng);
        free(pts);
        pts = make_points(&rng, 3000, dims[k], 2);
        check_against_brute(pts, NULL, 3000, dims[k], 2, 100, &rng);
        free(pts);
    }
}
END_TEST

/* Tiny (subnormal squares) and huge coordinates: the rounding margins of
 * the pruning bounds must keep results exact, in low dimension (plane bound)
 * and high (incremental bound). */
START_TEST(test_extreme_scales)
{
    tk_rng rng;
    tk_rng_seed(&rng, 6);
    const double scales[] = {1e-160, 1e-300, 1e-5, 1e150};
    const size_t dims[] = {2, 7};
    for (size_t s = 0; s < 4; s++) {
        for (size_t k = 0; k < 2; k++) {
            const size_t n = 5000;
            double *pts = make_points(&rng, n, dims[k], 0);
            for (size_t i = 0; i < n * dims[k]; i++)
                pts[i] *= scales[s];
            tk_kdtree *t = tk_kdtree_build(pts, NULL, n, dims[k]);
            ck_assert_ptr_nonnull(t);
            double q[64]; /* dims up to 64 */
            for (size_t m = 0; m < 300; m++) {
                for (size_t j = 0; j < dims[k]; j++)
                    q[j] = tk_rng_range(&rng, -0.2, 1.2) * scales[s];
                size_t id = SIZE_MAX, ref_id = SIZE_MAX;
                double d2 = INFINITY, ref_d2 = INFINITY;
                tk_kdtree_nearest(t, q, &id, &d2);
                brute_nearest(pts, NULL, n, dims[k], q, &ref_id, &ref_d2);
                ck_assert_msg(id == ref_id && d2 == ref_d2, "scale %g dim %zu: %zu vs %zu",
                              scales[s], dims[k], id, ref_id);
            }
            tk_kdtree_free(t);
            free(pts);
        }
    }
}
END_TEST

/* Sorted and reverse-sorted inputs (a classic quickselect trap) and all
 * points equal. */
START_TEST(test_degenerate_inputs)
{
    tk_rng rng;
    tk_rng_seed(&rng, 3);
    const size_t n = 20000;
    double *pts = malloc(n * 2 * sizeof *pts);
    ck_assert_ptr_nonnull(pts);
    for (size_t i = 0; i < n; i++) {
        pts[2 * i] = (double)i;
        pts[2 * i + 1] = (double)(n - i);
    }
    check_against_brute(pts, NULL, n, 2, 0, 300, &rng);
    for (size_t i = 0; i < 2 * n; i++)
        pts[i] = 0.25;
    check_against_brute(pts, NULL, n, 2, 0, 300, &rng);
    /* A constant dimension next to a varying one (TMA-style lo == hi). */
    for (size_t i = 0; i < n; i++)
        pts[2 * i + 1] = (double)tk_rng_below(&rng, 50);
    check_against_brute(pts, NULL, n, 2, 0, 300, &rng);
    free(pts);
}
END_TEST

/* The (best_id, best_d2) pair passed in is honoured: a better pair is kept,
 * an equal distance with a smaller id is kept, otherwise replaced. */
START_TEST(test_entry_pair_and_chaining)
{
    const double pts[] = {0.0, 0.0, 1.0, 0.0, 0.0, 1.0};
    const size_t ids[] = {10, 11, 12};
    tk_kdtree *t = tk_kdtree_build(pts, ids, 3, 2);
    ck_assert_ptr_nonnull(t);
    const double q[] = {0.5, 0.0}; /* ids 10 and 11 at 0.25 */

    size_t id = SIZE_MAX;
    double d2 = INFINITY;
    tk_kdtree_nearest(t, q, &id, &d2);
    ck_assert_uint_eq(id, 10);
    ck_assert(d2 == 0.25);

    id = 99, d2 = 0.1; /* better on entry: unchanged */
    tk_kdtree_nearest(t, q, &id, &d2);
    ck_assert_uint_eq(id, 99);
    ck_assert(d2 == 0.1);

    id = 4, d2 = 0.25; /* equal and smaller id on entry: unchanged */
    tk_kdtree_nearest(t, q, &id, &d2);
    ck_assert_uint_eq(id, 4);

    id = 50, d2 = 0.25; /* equal but larger id: the tree's smallest wins */
    tk_kdtree_nearest(t, q, &id, &d2);
    ck_assert_uint_eq(id, 10);
    ck_assert(d2 == 0.25);
    tk_kdtree_free(t);
}
END_TEST

/* Several trees searched in turn with one pair = one search over the union
 * (how the ALP computer uses them). */
START_TEST(test_several_trees_equal_union)
{
    tk_rng rng;
    tk_rng_seed(&rng, 4);
    const size_t dim = 3, n = 6000, parts[] = {0, 4096, 5120, 5632, 6000};
    double *pts = make_points(&rng, n, dim, 3);
    size_t *ids = malloc(n * sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = i;
    tk_kdtree *trees[4];
    for (size_t k = 0; k < 4; k++) {
        trees[k] = tk_kdtree_build(pts + parts[k] * dim, ids + parts[k], parts[k + 1] - parts[k], dim);
        ck_assert_ptr_nonnull(trees[k]);
    }
    double q[3];
    for (size_t k = 0; k < 2000; k++) {
        make_query(&rng, pts, n, dim, 3, q);
        size_t id = SIZE_MAX, ref_id = SIZE_MAX;
        double d2 = INFINITY, ref_d2 = INFINITY;
        for (size_t m = 4; m-- > 0;) /* newest first: order must not matter */
            tk_kdtree_nearest(trees[m], q, &id, &d2);
        brute_nearest(pts, ids, n, dim, q, &ref_id, &ref_d2);
        ck_assert_uint_eq(id, ref_id);
        ck_assert(d2 == ref_d2);
    }
    for (size_t k = 0; k < 4; k++)
        tk_kdtree_free(trees[k]);
    free(ids);
    free(pts);
}
END_TEST

START_TEST(test_edge_cases)
{
    const double p[] = {1.0, 2.0};
    ck_assert_ptr_null(tk_kdtree_build(p, NULL, 0, 2));
    ck_assert_ptr_null(tk_kdtree_build(p, NULL, 1, 0));
    ck_assert_uint_eq(tk_kdtree_size(NULL), 0);
    tk_kdtree_free(NULL);
    tk_kdtree *t = tk_kdtree_build(p, NULL, 1, 2);
    ck_assert_ptr_nonnull(t);
    const double q[] = {4.0, 6.0};
    size_t id = SIZE_MAX;
    double d2 = INFINITY;
    tk_kdtree_nearest(t, q, &id, &d2);
    ck_assert_uint_eq(id, 0);
    ck_assert(d2 == 25.0);
    tk_kdtree_free(t);
}
END_TEST

static Suite *kdtree_suite(void)
{
    Suite *s = suite_create("kdtree");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_uniform_equals_brute_force, 1, 13);
    tcase_add_loop_test(tc, test_duplicates_smallest_id_wins, 1, 13);
    tcase_add_test(tc, test_high_dimensions);
    tcase_add_test(tc, test_extreme_scales);
    tcase_add_test(tc, test_degenerate_inputs);
    tcase_add_test(tc, test_entry_pair_and_chaining);
    tcase_add_test(tc, test_several_trees_equal_union);
    tcase_add_test(tc, test_edge_cases);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tk_check_run(kdtree_suite());
}
