/*
 * The `teachkit` verbs.  Each takes the arguments after the verb and returns
 * the process exit status (0 success, 1 failure, 2 usage error).
 */
#ifndef TK_HOST_COMMANDS_H
#define TK_HOST_COMMANDS_H

int tk_cmd_run(int argc, char **argv);
int tk_cmd_validate(int argc, char **argv);
int tk_cmd_list(int argc, char **argv);
int tk_cmd_study(int argc, char **argv);
int tk_cmd_report(int argc, char **argv);
int tk_cmd_plot(int argc, char **argv);
int tk_cmd_new(int argc, char **argv);
int tk_cmd_render(int argc, char **argv);

/* `teachkit run` exits with this status when another process writes its
 * run directory (EX_TEMPFAIL): a study then leaves the run to that writer. */
#define TK_EXIT_LOCKED 75

#endif
