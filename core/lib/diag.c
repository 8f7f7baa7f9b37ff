#include "teachkit/diag.h"

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

size_t tk_utf8_sequence(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
             : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || n > avail || (n == 2 && c < 0xc2) || (n == 4 && c > 0xf4))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((n == 3 && c == 0xe0 && s[1] < 0xa0) || (n == 3 && c == 0xed && s[1] >= 0xa0) ||
        (n == 4 && c == 0xf0 && s[1] < 0x90) || (n == 4 && c == 0xf4 && s[1] >= 0x90))
        return 0; /* overlong, surrogate or beyond U+10FFFF */
    return n;
}

void tk_fputs_safe(const char *text, FILE *out)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t left = strlen(text);
    while (*s) {
        size_t n = tk_utf8_sequence(s, left);
        /* C0 controls, DEL and the C1 controls (U+0080-U+009F) move the
         * cursor, recolour or retitle a terminal; invalid bytes may be read
         * as C1 controls by some.  All print as \xNN. */
        int control = n == 1 ? (*s < 0x20 || *s == 0x7f) : n == 2 && s[0] == 0xc2 && s[1] < 0xa0;
        if (n == 0 || control) {
            size_t bad = n ? n : 1;
            for (size_t i = 0; i < bad; i++)
                fprintf(out, "\\x%02x", s[i]);
            s += bad;
            left -= bad;
            continue;
        }
        fwrite(s, 1, n, out);
        s += n;
        left -= n;
    }
}

void tk_diag_print(const tk_diag *d, FILE *out)
{
    fputs("teachkit: ", out);
    if (d->file[0]) {
        tk_fputs_safe(d->file, out);
        fputs(": ", out);
    }
    if (d->path[0]) {
        tk_fputs_safe(d->path, out);
        fputs(": ", out);
    }
    tk_fputs_safe(d->message[0] ? d->message : "unknown error", out);
    fputc('\n', out);
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
