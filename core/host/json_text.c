/* Readable JSON text.  See json_text.h. */
#include "json_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *tk_format_double(double v, char *buf, size_t size)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (!isfinite(v) || strtod(buf, NULL) == v)
            break;
    }
    if (isfinite(v) && !strpbrk(buf, ".eE")) {
        size_t len = strlen(buf);
        if (len + 3 <= size)
            memcpy(buf + len, ".0", 3);
    }
    return buf;
}

/* Length of the number token at `p`, and whether it is a real (has a '.'
 * or an exponent: how jansson prints reals, never integers). */
static size_t number_token(const char *p, int *is_real)
{
    size_t n = 0;
    *is_real = 0;
    while (p[n] && strchr("+-0123456789.eE", p[n])) {
        *is_real |= p[n] == '.' || p[n] == 'e' || p[n] == 'E';
        n++;
    }
    return n;
}

char *tk_json_dumps_readable(const json_t *json, size_t flags)
{
    char *text = json_dumps(json, flags | JSON_REAL_PRECISION(17));
    /* A shortened real is never longer than jansson's 17-digit one, but
     * ".0" may be added to a real jansson printed with an exponent only:
     * room for two more bytes per token is ample. */
    char *out = text ? malloc(2 * strlen(text) + 1) : NULL;
    if (!out) {
        free(text);
        return NULL;
    }
    size_t o = 0;
    int in_string = 0;
    for (const char *p = text; *p;) {
        if (in_string) {
            if (*p == '\\' && p[1]) /* an escape: copy both bytes */
                out[o++] = *p++;
            else if (*p == '"')
                in_string = 0;
            out[o++] = *p++;
            continue;
        }
        if (*p == '"') {
            in_string = 1;
            out[o++] = *p++;
            continue;
        }
        int is_real;
        size_t n = (*p == '-' || (*p >= '0' && *p <= '9')) ? number_token(p, &is_real) : 0;
        if (n == 0) {
            out[o++] = *p++;
            continue;
        }
        if (is_real) {
            char buf[40];
            tk_format_double(strtod(p, NULL), buf, sizeof buf);
            memcpy(out + o, buf, strlen(buf));
            o += strlen(buf);
        } else {
            memcpy(out + o, p, n);
            o += n;
        }
        p += n;
    }
    out[o] = '\0';
    free(text);
    return out;
}
