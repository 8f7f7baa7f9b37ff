#include "check_main.h"

#include <stdlib.h>

TCase *tk_check_tcase(Suite *s, const char *name, double timeout)
{
    TCase *tc = tcase_create(name);
    if (timeout > 0)
        tcase_set_timeout(tc, timeout);
    suite_add_tcase(s, tc);
    return tc;
}

static int run(Suite *s, enum fork_status fork, enum print_output out)
{
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, fork);
    srunner_run_all(sr, out);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr); /* frees the suite too */
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int tk_check_run(Suite *s)
{
    /* CK_FORK_GETENV is what srunner_create() chooses: CK_FORK=no in the
     * environment runs in-process (for debuggers), fork otherwise. */
    return run(s, CK_FORK_GETENV, CK_NORMAL);
}

int tk_check_run_in_process(Suite *s, enum print_output out)
{
    return run(s, CK_NOFORK, out);
}
