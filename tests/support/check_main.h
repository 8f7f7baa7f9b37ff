/*
 * The end of every test executable's main(): Check suites are built the same
 * way and run the same way everywhere, so that an exit status, a timeout or
 * a fork mode means the same in every suite.  Test code only.
 */
#ifndef TK_TEST_CHECK_MAIN_H
#define TK_TEST_CHECK_MAIN_H

#include <check.h>

/* A new test case `name` of `s`; `timeout` seconds per test, or 0 for Check's
 * default (CK_DEFAULT_TIMEOUT, 4 s unless set).  Owned by `s`. */
TCase *tk_check_tcase(Suite *s, const char *name, double timeout);

/* Runs every test of `s` with Check's normal output, each in a child process
 * unless CK_FORK=no, then frees `s`.  Returns main()'s exit status. */
int tk_check_run(Suite *s);

/* The same, every test in this process (CK_NOFORK) and `out` for the output:
 * for suites whose tests must see this process's state (dlopen()ed plugins,
 * the --record mode of the walker test). */
int tk_check_run_in_process(Suite *s, enum print_output out);

#endif
