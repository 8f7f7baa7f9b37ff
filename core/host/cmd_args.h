/*
 * Argument helpers every `teachkit` verb shares.  Pure functions of their
 * arguments: no state, safe from any thread.
 */
#ifndef TK_HOST_CMD_ARGS_H
#define TK_HOST_CMD_ARGS_H

/* 1 if argv[1..argc-1] holds -h or --help (argv[0] is the verb). */
int tk_wants_help(int argc, char **argv);

/* A duration in seconds, in (0, 1e7]: 0 with *out set, or -1 if `s` is
 * not one (*out untouched). */
int tk_parse_seconds(const char *s, double *out);

#endif
