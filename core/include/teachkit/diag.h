/*
 * Diagnostics: one-line error messages that name the file, the JSON path and
 * the fix, e.g.
 *   teachkit: examples/toy.json: teacher.config.fit_rate: must be an integer in [2, 1000000], got 0
 * A tk_diag is filled by the first failing function and printed once by the
 * command that called it.  Plain value type, no allocation.  Part of
 * libteachkit because the plugin-hosting core (<teachkit/registry.h>,
 * <teachkit/instance.h>) reports its errors this way too.  Every function
 * touches only its arguments: [thread-safe].
 */
#ifndef TEACHKIT_DIAG_H
#define TEACHKIT_DIAG_H

#include <stdio.h>

#include "teachkit/plugin.h"

typedef struct tk_diag {
    char file[512];      /* the file the error is about ("" if none) */
    char path[256];      /* JSON path inside that file ("" if none) */
    char message[1536];  /* what is wrong and how to fix it */
} tk_diag;

void tk_diag_clear(tk_diag *d);
/* Set all three parts; `file` and `path` may be NULL.  Returns -1 so callers
 * can write `return tk_diag_set(...)`. */
int tk_diag_set(tk_diag *d, const char *file, const char *path, const char *fmt, ...)
    TK_PRINTF(4, 5);
/* Print "teachkit: FILE: PATH: MESSAGE" on one line, terminal-safe (as
 * tk_fputs_safe). */
void tk_diag_print(const tk_diag *d, FILE *out);
/* Write `text`, escaping as \xNN what a terminal would act on instead of
 * showing (control characters, escape sequences from a manifest or a
 * plugin) and bytes that are not UTF-8. */
void tk_fputs_safe(const char *text, FILE *out);
/* Length (1-4) of the valid UTF-8 sequence starting at s[0] within `avail`
 * bytes, 0 if it is not one (overlong forms and surrogates included). */
size_t tk_utf8_sequence(const unsigned char *s, size_t avail);

/* Join a JSON path and a key: ("teacher", "config") -> "teacher.config";
 * ("", "seed") -> "seed".  Writes into out[size]. */
void tk_path_join(char *out, size_t size, const char *parent, const char *key);
/* ("eval.test_set", 3) -> "eval.test_set[3]". */
void tk_path_index(char *out, size_t size, const char *parent, size_t index);

/* tk_closest_word, for "did you mean" suggestions, is libteachkit's
 * (<teachkit/config_merge.h>), shared with the standalone host. */
#include "teachkit/config_merge.h"

#endif
