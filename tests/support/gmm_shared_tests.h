/*
 * The tests alp-gmm and covar-gmm run unchanged (the schedule and mixture
 * rules they share, see gmm_teacher_fixture.h): a uniform bootstrap, the
 * fit schedule with and without a longer bootstrap, component counts, focus
 * on the rewarding quarter inside the bounds, determinism for a seed, NaN
 * tasks.  Test code only.
 */
#ifndef TK_TEST_GMM_SHARED_TESTS_H
#define TK_TEST_GMM_SHARED_TESTS_H

#include <check.h>

/* Adds the shared tests to `tc`; gmm_checks_setup() must have run. */
void gmm_add_shared_tests(TCase *tc);

#endif
