/* Argument helpers shared by the verbs.  See cmd_args.h. */
#include "cmd_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int tk_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

int tk_parse_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0 && v <= 1e7))
        return -1;
    *out = v;
    return 0;
}
