#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void tk_diag_clear(tk_diag *d)
{
    d->file[0] = d->path[0] = d->message[0] = '\0';
}

/* Messages are one line: a stray newline from a plugin, dlerror(), a
 * file name or a manifest key ("c\nfig", found by fuzzing) would break log
 * parsing. */
static void one_line(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

int tk_diag_set(tk_diag *d, const char *file, const char *path, const char *fmt, ...)
{
    snprintf(d->file, sizeof d->file, "%s", file ? file : "");
    snprintf(d->path, sizeof d->path, "%s", path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
    one_line(d->file);
    one_line(d->path);
    one_line(d->message);
    return -1;
}

void tk_diag_print(const tk_diag *d, FILE *out)
{
    fputs("teachkit: ", out);
    if (d->file[0])
        fprintf(out, "%s: ", d->file);
    if (d->path[0])
        fprintf(out, "%s: ", d->path);
    fprintf(out, "%s\n", d->message[0] ? d->message : "unknown error");
}

void tk_path_join(char *out, size_t size, const char *parent, const char *key)
{
    if (parent && parent[0])
        snprintf(out, size, "%s.%s", parent, key);
    else
        snprintf(out, size, "%s", key);
}

void tk_path_index(char *out, size_t size, const char *parent, size_t index)
{
    snprintf(out, size, "%s[%zu]", parent ? parent : "", index);
}
