/* The snapshot writers give the documented JSON (<teachkit/snapshot.h>,
 * docs/plugin-abi.md "Teacher snapshots"), byte for byte, and fail cleanly
 * on numbers JSON cannot hold. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "check_main.h"
#include "teachkit/snapshot.h"

/* Dumps and frees `snap`, compares with `want`. */
static void check_text(json_t *snap, const char *want)
{
    ck_assert_ptr_nonnull(snap);
    char *text = tk_snapshot_dump(snap);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, want);
    free(text);
}

START_TEST(gmm_restricted_to_the_task_coordinates)
{
    /* A 3-D component (2 task coordinates + ALP): mean and the top-left 2x2
     * block of the covariance only. */
    const double mean[] = {0.25, 0.5, 0.125};
    const double cov[] = {1, 2, 9, 3, 4, 9, 9, 9, 9};
    json_t *snap = tk_snapshot_gmm(7);
    ck_assert_int_eq(tk_snapshot_gmm_add(snap, 0.5, mean, cov, 2, 3, 0.125), 0);
    check_text(snap, "{\"type\":\"gmm\",\"components\":[{\"weight\":0.5,\"mean\":[0.25,0.5],"
                     "\"cov\":[[1.0,2.0],[3.0,4.0]],\"alp\":0.125}],\"fits\":7}");
}
END_TEST

START_TEST(gaussian_regions_boxes_samples)
{
    const double mean[] = {1, 2}, cov[] = {1, 0, 0, 4};
    check_text(tk_snapshot_gaussian(mean, cov, 2),
               "{\"type\":\"gaussian\",\"mean\":[1.0,2.0],\"cov\":[[1.0,0.0],[0.0,4.0]]}");

    const float lo[] = {0.0f, 0.5f}, hi[] = {1.0f, 1.0f};
    json_t *regions = tk_snapshot_regions();
    json_t *r = tk_snapshot_regions_add(regions, tk_snapshot_floats(lo, 2),
                                        tk_snapshot_floats(hi, 2), 0.25, 1);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(json_object_set_new(r, "size", json_integer(3)), 0);
    check_text(regions, "{\"type\":\"regions\",\"regions\":[{\"low\":[0.0,0.5],\"high\":[1.0,1.0],"
                        "\"alp\":0.25,\"leaf\":true,\"size\":3}]}");

    const double dlo[] = {0.5}, dhi[] = {0.75};
    check_text(tk_snapshot_box(TK_SNAPSHOT_WINDOW, tk_snapshot_doubles(dlo, 1),
                               tk_snapshot_doubles(dhi, 1)),
               "{\"type\":\"window\",\"low\":[0.5],\"high\":[0.75]}");
    check_text(tk_snapshot_add(tk_snapshot_box(TK_SNAPSHOT_BOUNDS, tk_snapshot_doubles(dlo, 1),
                                               tk_snapshot_doubles(dhi, 1)),
                               json_pack("{s:I}", "changes", (json_int_t)2)),
               "{\"type\":\"bounds\",\"low\":[0.5],\"high\":[0.75],\"changes\":2}");
    check_text(tk_snapshot_samples(json_pack("[[f]]", 0.5)),
               "{\"type\":\"samples\",\"points\":[[0.5]]}");
}
END_TEST

START_TEST(non_finite_numbers_fail)
{
    const double nan_mean[] = {NAN, 0.0}, cov[] = {1, 0, 0, 1};
    ck_assert_ptr_null(tk_snapshot_gaussian(nan_mean, cov, 2));
    json_t *snap = tk_snapshot_gmm(1);
    ck_assert_int_eq(tk_snapshot_gmm_add(snap, 1.0, nan_mean + 1, cov, 1, 2, INFINITY), -1);
    json_decref(snap);
    /* A json_pack that failed (non-finite real) fails the snapshot too. */
    const double v[] = {0.0};
    ck_assert_ptr_null(tk_snapshot_add(tk_snapshot_box(TK_SNAPSHOT_WINDOW,
                                                       tk_snapshot_doubles(v, 1),
                                                       tk_snapshot_doubles(v, 1)),
                                       json_pack("{s:f}", "loss", NAN)));
    ck_assert_ptr_null(tk_snapshot_dump(NULL));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("snapshot");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, gmm_restricted_to_the_task_coordinates);
    tcase_add_test(tc, gaussian_regions_boxes_samples);
    tcase_add_test(tc, non_finite_numbers_fail);
    return tk_check_run(s);
}
