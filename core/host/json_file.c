#include "json_file.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "teachkit/fd_io.h"

json_t *tk_json_read_file(const char *path, const char *what, size_t max_bytes, size_t flags,
                          tk_diag *d)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        tk_diag_set(d, path, NULL, "cannot load %s: %s", what, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        tk_diag_set(d, path, NULL, "cannot load %s: %s", what, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_size == 0 || (uint64_t)st.st_size > max_bytes) {
        close(fd);
        if (!S_ISREG(st.st_mode))
            tk_diag_set(d, path, NULL, "cannot load %s: it is not a regular file (a directory, "
                                       "FIFO or device); pass a .json file", what);
        else if (st.st_size == 0)
            tk_diag_set(d, path, NULL, "cannot load %s: it is empty; it must hold a JSON "
                                       "document (see docs/manifest.md and examples/)", what);
        else
            tk_diag_set(d, path, NULL, "cannot load %s: it is %lld bytes, and at most %zu MiB "
                                       "are read", what, (long long)st.st_size, max_bytes >> 20);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size);
    if (!buf || tk_read_full(fd, buf, size, -1) != 0) {
        int err = errno;
        close(fd);
        tk_diag_set(d, path, NULL, "cannot load %s: %s", what,
                    !buf ? "out of memory" : err ? strerror(err) : "it shrank while being read");
        free(buf);
        return NULL;
    }
    close(fd);
    json_error_t jerr;
    json_t *root = json_loadb(buf, size, flags, &jerr);
    free(buf);
    if (!root)
        tk_diag_set(d, path, NULL, "cannot load %s: invalid JSON at line %d, column %d: %s", what,
                    jerr.line, jerr.column, jerr.text);
    return root;
}

int tk_json_same(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        double scale = fabs(x) > fabs(y) ? fabs(x) : fabs(y);
        return fabs(x - y) <= 1e-11 * scale;
    }
    if (json_typeof(a) != json_typeof(b))
        return 0;
    if (json_is_object(a)) {
        const char *key;
        json_t *v;
        if (json_object_size(a) != json_object_size(b))
            return 0;
        json_object_foreach((json_t *)a, key, v) {
            json_t *w = json_object_get(b, key);
            if (!w || !tk_json_same(v, w))
                return 0;
        }
        return 1;
    }
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!tk_json_same(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    }
    return json_equal(a, b);
}
