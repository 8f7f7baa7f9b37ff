/*
 * Reading the JSON files a user names (manifests, test sets): only regular
 * files, opened without blocking (a FIFO or a device would wait for a writer
 * or never end), and only up to a size bound (jansson takes about 40 bytes of
 * memory per byte of dense JSON: a 50 MB manifest cost 2 GB to reject).
 */
#ifndef TK_HOST_JSON_FILE_H
#define TK_HOST_JSON_FILE_H

#include <jansson.h>
#include <stddef.h>

#include "teachkit/diag.h"

/* A manifest (run or study) is at most this long. */
#define TK_MAX_MANIFEST_BYTES ((size_t)4 << 20)
/* A test-set file: up to a million tasks of a few dimensions. */
#define TK_MAX_TEST_SET_BYTES ((size_t)256 << 20)

/* Parse `path` with jansson `flags`; `what` names the file in messages ("the
 * manifest").  Returns a new reference, or NULL with `d` filled (file =
 * path): unreadable, not a regular file, empty, too large, invalid JSON. */
json_t *tk_json_read_file(const char *path, const char *what, size_t max_bytes, size_t flags,
                          tk_diag *d);

/* JSON equality where numbers need only agree to the 12 significant digits
 * the host writes its JSON files with (manifest.json, input.json: 1/15 does
 * not survive the round trip exactly). */
int tk_json_same(const json_t *a, const json_t *b);

#endif
