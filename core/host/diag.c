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

/* Optimal-string-alignment distance: Levenshtein plus adjacent
 * transpositions, the commonest typo. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return (size_t)-1;
    size_t d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

const char *tk_closest_word(const char *word, const char *const *candidates)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; candidates && candidates[i]; i++) {
        size_t dist = edit_distance(word, candidates[i]);
        if (dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
    }
    /* Accept up to a third of the word's length (at least 2 edits), so that
     * "fitrate" suggests "fit_rate" but "foo" does not suggest "seed". */
    size_t len = strlen(word);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    return best_d <= limit ? best : NULL;
}
