/*
 * JSON text for people to read.  jansson prints every real with 17
 * significant digits, so a default of 0.2 reads 0.20000000000000001; here
 * each real gets the fewest digits (15, 16 or 17) that parse back to the
 * same double, which keeps the text exact.  Pure functions: safe from any
 * thread.
 */
#ifndef TK_HOST_JSON_TEXT_H
#define TK_HOST_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/* json_dumps(json, flags) with every real in its shortest round-tripping
 * form ("0.2", "1e-06", "3.0": a real keeps a '.' or an exponent).  `flags`
 * must not hold JSON_REAL_PRECISION.  Returns a malloc'ed string the caller
 * frees, or NULL on OOM. */
char *tk_json_dumps_readable(const json_t *json, size_t flags);

/* The shortest "%.Ng" text (N = 15, 16, 17) of `v` that strtod reads back
 * as `v`, with ".0" appended when it would read as an integer.  `size` >= 32.
 * Returns `buf`. */
char *tk_format_double(double v, char *buf, size_t size);

#endif
