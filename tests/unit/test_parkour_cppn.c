/*
 * The Parkour terrain CPPN (plugins/envs/bipedal_walker/pk_cppn.c) with the
 * shipped weights against reference outputs, and its refusal of bad files.
 *
 * References: input vector (0, 0, 0), 200 x positions.  data/parkour's
 * source gives the first row as about (16.756, -73.334) and the last as
 * about (82.869, -15.150) (float64 from the same weights); the middle row
 * and the second input vector were computed once with an independent
 * float64 evaluation of the same formula (Python, math.fsum sums).  The
 * original runs in float32, hence the tolerance.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "pk_cppn.h"

#ifndef PK_TEST_WEIGHTS
#error "PK_TEST_WEIGHTS must name data/parkour/same_ground_ceiling_cppn.json"
#endif

static pk_cppn *load_shipped(void)
{
    pk_cppn *net = NULL;
    char err[256] = "";
    ck_assert_msg(pk_cppn_load(PK_TEST_WEIGHTS, &net, err, sizeof err) == 0, "%s", err);
    return net;
}

START_TEST(test_shape)
{
    pk_cppn *net = load_shipped();
    ck_assert_uint_eq(pk_cppn_input_dim(net), 3);
    ck_assert_uint_eq(pk_cppn_output_dim(net), 2);
    pk_cppn_free(net);
}
END_TEST

START_TEST(test_reference_outputs)
{
    static const struct {
        double input[3];
        size_t row;
        double ground, ceiling, tol;
    } refs[] = {
        {{0, 0, 0}, 0, 16.756, -73.334, 2e-3},
        {{0, 0, 0}, 199, 82.869, -15.150, 2e-3},
        {{0, 0, 0}, 0, 16.756383429, -73.334061891, 1e-6},
        {{0, 0, 0}, 100, 99.830021672, -47.435917228, 1e-6},
        {{0, 0, 0}, 199, 82.870547116, -15.149458680, 1e-6},
        {{-0.15, 0.8, 0.1}, 0, 3.969694767, -46.348351697, 1e-6},
        {{-0.15, 0.8, 0.1}, 100, -33.193920249, -118.739526751, 1e-6},
        {{-0.15, 0.8, 0.1}, 199, -66.828856427, 5.820091195, 1e-6},
    };
    pk_cppn *net = load_shipped();
    double out[200 * 2];
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        ck_assert_int_eq(pk_cppn_generate(net, refs[i].input, 200, out), 0);
        const double g = out[2 * refs[i].row], c = out[2 * refs[i].row + 1];
        ck_assert_msg(fabs(g - refs[i].ground) <= refs[i].tol &&
                          fabs(c - refs[i].ceiling) <= refs[i].tol,
                      "reference %zu: row %zu is (%.9f, %.9f), expected (%.9f, %.9f)", i,
                      refs[i].row, g, c, refs[i].ground, refs[i].ceiling);
    }
    pk_cppn_free(net);
}
END_TEST

/* Same input, same bits: the terrain of a task never depends on history. */
START_TEST(test_deterministic)
{
    pk_cppn *net = load_shipped();
    const double in[3] = {-0.2, 0.7, 0.05};
    double a[400], b[400];
    ck_assert_int_eq(pk_cppn_generate(net, in, 200, a), 0);
    ck_assert_int_eq(pk_cppn_generate(net, in, 200, b), 0);
    for (int i = 0; i < 400; i++)
        ck_assert(a[i] == b[i]);
    pk_cppn_free(net);
}
END_TEST

static int load_text(const char *text, char *err, size_t err_size)
{
    char path[] = "/tmp/pk_cppn_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    pk_cppn *net = NULL;
    int rc = pk_cppn_load(path, &net, err, err_size);
    remove(path);
    ck_assert(rc == 0 || net == NULL);
    pk_cppn_free(net);
    return rc;
}

START_TEST(test_bad_files)
{
    char err[256];
    ck_assert_int_eq(load_text("not json", err, sizeof err), -1);
    ck_assert_int_eq(load_text("{\"layers\": []}", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "5 matrices"));
    ck_assert_int_eq(load_text("{\"layers\": [{\"shape\": [2, 1], \"row_major\": [1]},"
                               "{}, {}, {}, {}]}",
                               err, sizeof err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "layer 0"));
    /* Chained shapes must agree. */
    ck_assert_int_eq(load_text("{\"layers\": ["
                               "{\"shape\": [2, 1], \"row_major\": [1, 2]},"
                               "{\"shape\": [2, 1], \"row_major\": [1, 2]},"
                               "{\"shape\": [1, 1], \"row_major\": [1]},"
                               "{\"shape\": [1, 1], \"row_major\": [1]},"
                               "{\"shape\": [1, 1], \"row_major\": [1]}]}",
                               err, sizeof err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "layer 1"));
    pk_cppn *net = NULL;
    ck_assert_int_eq(pk_cppn_load("/nonexistent/cppn.json", &net, err, sizeof err), -1);
    ck_assert_ptr_null(net);
}
END_TEST

static Suite *cppn_suite(void)
{
    Suite *s = suite_create("parkour_cppn");
    TCase *tc = tk_check_tcase(s, "cppn", 30);
    tcase_add_test(tc, test_shape);
    tcase_add_test(tc, test_reference_outputs);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_bad_files);
    return s;
}

int main(void)
{
    return tk_check_run(cppn_suite());
}
