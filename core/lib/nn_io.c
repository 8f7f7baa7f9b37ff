/*
 * Self-describing binary records: see <teachkit/nn_io.h>.
 */
#include "teachkit/nn_io.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/nn.h"
#include "teachkit/nn_optim.h"

static const char magic[8] = {'T', 'K', 'N', 'N', 'R', 'E', 'C', '1'};
static const uint32_t byte_order_mark = 0x01020304u;

/* --------------------------------------------------------------- writer */

static int reserve(tk_nn_writer *w, size_t extra)
{
    if (w->failed)
        return -1;
    if (w->size + extra <= w->cap)
        return 0;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->size + extra)
        cap *= 2;
    unsigned char *p = realloc(w->data, cap);
    if (!p) {
        w->failed = 1;
        return -1;
    }
    w->data = p;
    w->cap = cap;
    return 0;
}

int tk_nn_writer_reserve(tk_nn_writer *w, size_t extra)
{
    if (w->failed)
        return -1;
    if (w->size + extra <= w->cap)
        return 0;
    unsigned char *p = realloc(w->data, w->size + extra);
    if (!p) {
        w->failed = 1;
        return -1;
    }
    w->data = p;
    w->cap = w->size + extra;
    return 0;
}

static int put_raw(tk_nn_writer *w, const void *p, size_t n)
{
    if (reserve(w, n))
        return -1;
    if (n)
        memcpy(w->data + w->size, p, n);
    w->size += n;
    return 0;
}

static int put_u32(tk_nn_writer *w, uint32_t v) { return put_raw(w, &v, sizeof v); }

int tk_nn_writer_reset(tk_nn_writer *w, const char *kind)
{
    w->size = 0;
    w->failed = 0;
    const size_t len = strlen(kind);
    return put_raw(w, magic, sizeof magic) || put_u32(w, byte_order_mark) ||
                   put_u32(w, (uint32_t)len) || put_raw(w, kind, len)
               ? -1
               : 0;
}

int tk_nn_writer_init(tk_nn_writer *w, const char *kind)
{
    memset(w, 0, sizeof *w);
    return tk_nn_writer_reset(w, kind);
}

void tk_nn_writer_free(tk_nn_writer *w)
{
    free(w->data);
    memset(w, 0, sizeof *w);
}

static int put_record(tk_nn_writer *w, const char *name, tk_nn_type type, const void *v,
                      size_t n, size_t elem)
{
    const size_t len = strlen(name);
    const uint64_t count = n;
    if (reserve(w, 4 + len + 4 + 8 + n * elem))
        return -1;
    put_u32(w, (uint32_t)len);
    put_raw(w, name, len);
    put_u32(w, (uint32_t)type);
    put_raw(w, &count, sizeof count);
    return put_raw(w, v, n * elem);
}

int tk_nn_put_f32(tk_nn_writer *w, const char *name, const float *v, size_t n)
{
    return put_record(w, name, TK_NN_F32, v, n, sizeof *v);
}

int tk_nn_put_f64(tk_nn_writer *w, const char *name, const double *v, size_t n)
{
    return put_record(w, name, TK_NN_F64, v, n, sizeof *v);
}

int tk_nn_put_u64(tk_nn_writer *w, const char *name, const uint64_t *v, size_t n)
{
    return put_record(w, name, TK_NN_U64, v, n, sizeof *v);
}

/* "<name>.<suffix>" */
static const char *sub(char *buf, size_t size, const char *name, const char *suffix)
{
    snprintf(buf, size, "%s.%s", name, suffix);
    return buf;
}

/* [n_layers, sizes[0..L], acts[0..L-1], bits of the leaky slope] */
static uint64_t *mlp_arch(const tk_mlp *net, size_t *len)
{
    const size_t L = tk_mlp_n_layers(net);
    *len = 1 + (L + 1) + L + 1;
    uint64_t *a = malloc(*len * sizeof *a);
    if (!a)
        return NULL;
    size_t k = 0;
    a[k++] = L;
    for (size_t i = 0; i <= L; i++)
        a[k++] = tk_mlp_size(net, i);
    for (size_t l = 0; l < L; l++)
        a[k++] = (uint64_t)tk_mlp_activation(net, l);
    const float slope = tk_mlp_leaky_slope(net);
    uint32_t bits;
    memcpy(&bits, &slope, sizeof bits);
    a[k++] = bits;
    return a;
}

int tk_nn_put_mlp(tk_nn_writer *w, const char *name, const tk_mlp *net)
{
    char buf[256];
    size_t len;
    uint64_t *arch = mlp_arch(net, &len);
    int rc = !arch || tk_nn_put_u64(w, sub(buf, sizeof buf, name, "arch"), arch, len) ||
             tk_nn_put_f32(w, sub(buf, sizeof buf, name, "params"), tk_mlp_params_const(net),
                           tk_mlp_n_params(net));
    free(arch);
    return rc ? -1 : 0;
}

int tk_nn_put_adam(tk_nn_writer *w, const char *name, const tk_adam *a)
{
    char buf[256];
    const uint64_t t = a->t;
    return tk_nn_put_u64(w, sub(buf, sizeof buf, name, "t"), &t, 1) ||
                   tk_nn_put_f32(w, sub(buf, sizeof buf, name, "m"), a->m, a->n) ||
                   tk_nn_put_f32(w, sub(buf, sizeof buf, name, "v"), a->v, a->n)
               ? -1
               : 0;
}

int tk_nn_put_rmsprop(tk_nn_writer *w, const char *name, const tk_rmsprop *r)
{
    char buf[256];
    const uint64_t t = r->t;
    return tk_nn_put_u64(w, sub(buf, sizeof buf, name, "t"), &t, 1) ||
                   tk_nn_put_f32(w, sub(buf, sizeof buf, name, "ms"), r->ms, r->n) ||
                   tk_nn_put_f32(w, sub(buf, sizeof buf, name, "mom"), r->mom, r->n)
               ? -1
               : 0;
}

/* --------------------------------------------------------------- reader */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fail(tk_nn_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    return -1;
}

static int get_raw(tk_nn_reader *r, void *out, size_t n)
{
    if (r->size - r->pos < n)
        return -1;
    memcpy(out, r->data + r->pos, n);
    r->pos += n;
    return 0;
}

int tk_nn_reader_init(tk_nn_reader *r, const void *data, size_t size, const char *kind)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->size = data ? size : 0;
    char m[8];
    uint32_t bom, len;
    if (get_raw(r, m, sizeof m) || memcmp(m, magic, sizeof m) != 0)
        return fail(r, "not a teachkit state string (bad magic)");
    if (get_raw(r, &bom, sizeof bom) || bom != byte_order_mark)
        return fail(r, "state string written with another byte order");
    if (get_raw(r, &len, sizeof len) || r->size - r->pos < len)
        return fail(r, "truncated state string header");
    const char *k = (const char *)r->data + r->pos;
    r->pos += len;
    if (kind && (strlen(kind) != len || memcmp(kind, k, len) != 0)) {
        snprintf(r->error, sizeof r->error, "state string is of kind \"%.*s\", expected \"%s\"",
                 (int)(len < 100 ? len : 100), k, kind);
        return -1;
    }
    return 0;
}

const char *tk_nn_reader_kind(const tk_nn_reader *r, size_t *len)
{
    uint32_t l;
    memcpy(&l, r->data + sizeof magic + 4, sizeof l);
    *len = l;
    return (const char *)r->data + sizeof magic + 8;
}

static size_t type_size(uint32_t type)
{
    return type == TK_NN_F32 ? 4 : type == TK_NN_F64 || type == TK_NN_U64 ? 8 : 0;
}

int tk_nn_reader_next(tk_nn_reader *r, const char **name, size_t *name_len, tk_nn_type *type,
                      uint64_t *count, const void **data)
{
    if (r->pos == r->size)
        return 0;
    uint32_t len, t;
    uint64_t c;
    if (get_raw(r, &len, sizeof len) || r->size - r->pos < len)
        return fail(r, "truncated record header at byte %zu", r->pos);
    *name = (const char *)r->data + r->pos;
    *name_len = len;
    r->pos += len;
    if (get_raw(r, &t, sizeof t) || get_raw(r, &c, sizeof c) || !type_size(t))
        return fail(r, "malformed record header at byte %zu", r->pos);
    if (c > (r->size - r->pos) / type_size(t))
        return fail(r, "record \"%.*s\" is truncated (%llu entries announced)",
                    (int)(len < 100 ? len : 100), *name, (unsigned long long)c);
    *type = (tk_nn_type)t;
    *count = c;
    *data = r->data + r->pos;
    r->pos += c * type_size(t);
    return 1;
}

/* Reads the next record, checks it and copies it into `out` (NULL: only
 * check).  On failure the reader is left at the record. */
static int get_record(tk_nn_reader *r, const char *name, tk_nn_type type, void *out, size_t n)
{
    const size_t start = r->pos;
    const char *got;
    size_t got_len;
    tk_nn_type got_type;
    uint64_t count;
    const void *data;
    int rc = tk_nn_reader_next(r, &got, &got_len, &got_type, &count, &data);
    if (rc <= 0) {
        if (rc == 0)
            fail(r, "record \"%s\" missing (end of state string)", name);
        return -1;
    }
    if (got_len != strlen(name) || memcmp(got, name, got_len) != 0) {
        snprintf(r->error, sizeof r->error, "expected record \"%s\", found \"%.*s\"", name,
                 (int)(got_len < 100 ? got_len : 100), got);
        r->pos = start;
        return -1;
    }
    if (got_type != type || count != n) {
        snprintf(r->error, sizeof r->error,
                 "record \"%s\" has type %d and %llu entries, expected type %d and %zu", name,
                 (int)got_type, (unsigned long long)count, (int)type, n);
        r->pos = start;
        return -1;
    }
    if (out && n)
        memcpy(out, data, n * type_size(type));
    return 0;
}

int tk_nn_skip(tk_nn_reader *r, const char *name, tk_nn_type type, size_t n)
{
    return get_record(r, name, type, NULL, n);
}

int tk_nn_get_f32(tk_nn_reader *r, const char *name, float *out, size_t n)
{
    return get_record(r, name, TK_NN_F32, out, n);
}

int tk_nn_get_f64(tk_nn_reader *r, const char *name, double *out, size_t n)
{
    return get_record(r, name, TK_NN_F64, out, n);
}

int tk_nn_get_u64(tk_nn_reader *r, const char *name, uint64_t *out, size_t n)
{
    return get_record(r, name, TK_NN_U64, out, n);
}

/* Checks the architecture record and the parameter count; leaves the
 * reader after the params record (not copied) on success, at the start on
 * failure. */
static int check_mlp(tk_nn_reader *r, const char *name, const tk_mlp *net)
{
    char buf[256];
    size_t len;
    const size_t start = r->pos;
    uint64_t *arch = mlp_arch(net, &len), *saved = malloc((len ? len : 1) * sizeof *saved);
    int rc = -1;
    if (!arch || !saved) {
        snprintf(r->error, sizeof r->error, "out of memory");
        goto done;
    }
    if (get_record(r, sub(buf, sizeof buf, name, "arch"), TK_NN_U64, saved, len))
        goto done;
    if (memcmp(arch, saved, len * sizeof *arch) != 0) {
        snprintf(r->error, sizeof r->error, "network \"%.64s\" was saved with another architecture",
                 name);
        goto done;
    }
    rc = tk_nn_skip(r, sub(buf, sizeof buf, name, "params"), TK_NN_F32, tk_mlp_n_params(net));
done:
    if (rc)
        r->pos = start;
    free(arch);
    free(saved);
    return rc;
}

int tk_nn_skip_mlp(tk_nn_reader *r, const char *name, const tk_mlp *net)
{
    return check_mlp(r, name, net);
}

int tk_nn_skip_adam(tk_nn_reader *r, const char *name, const tk_adam *a)
{
    char buf[256];
    const size_t start = r->pos;
    if (tk_nn_skip(r, sub(buf, sizeof buf, name, "t"), TK_NN_U64, 1) ||
        tk_nn_skip(r, sub(buf, sizeof buf, name, "m"), TK_NN_F32, a->n) ||
        tk_nn_skip(r, sub(buf, sizeof buf, name, "v"), TK_NN_F32, a->n)) {
        r->pos = start;
        return -1;
    }
    return 0;
}

int tk_nn_skip_rmsprop(tk_nn_reader *r, const char *name, const tk_rmsprop *rms)
{
    char buf[256];
    const size_t start = r->pos;
    if (tk_nn_skip(r, sub(buf, sizeof buf, name, "t"), TK_NN_U64, 1) ||
        tk_nn_skip(r, sub(buf, sizeof buf, name, "ms"), TK_NN_F32, rms->n) ||
        tk_nn_skip(r, sub(buf, sizeof buf, name, "mom"), TK_NN_F32, rms->n)) {
        r->pos = start;
        return -1;
    }
    return 0;
}

int tk_nn_get_mlp(tk_nn_reader *r, const char *name, tk_mlp *net)
{
    char buf[256];
    const size_t start = r->pos;
    if (check_mlp(r, name, net))
        return -1;
    r->pos = start;
    tk_nn_skip(r, sub(buf, sizeof buf, name, "arch"), TK_NN_U64, 2 * tk_mlp_n_layers(net) + 3);
    return get_record(r, sub(buf, sizeof buf, name, "params"), TK_NN_F32, tk_mlp_params(net),
                      tk_mlp_n_params(net));
}

int tk_nn_get_adam(tk_nn_reader *r, const char *name, tk_adam *a)
{
    char buf[256];
    uint64_t t;
    const size_t start = r->pos;
    if (tk_nn_skip_adam(r, name, a))
        return -1;
    r->pos = start;
    get_record(r, sub(buf, sizeof buf, name, "t"), TK_NN_U64, &t, 1);
    get_record(r, sub(buf, sizeof buf, name, "m"), TK_NN_F32, a->m, a->n);
    get_record(r, sub(buf, sizeof buf, name, "v"), TK_NN_F32, a->v, a->n);
    a->t = t;
    return 0;
}

int tk_nn_get_rmsprop(tk_nn_reader *r, const char *name, tk_rmsprop *rms)
{
    char buf[256];
    uint64_t t;
    const size_t start = r->pos;
    if (tk_nn_skip_rmsprop(r, name, rms))
        return -1;
    r->pos = start;
    get_record(r, sub(buf, sizeof buf, name, "t"), TK_NN_U64, &t, 1);
    get_record(r, sub(buf, sizeof buf, name, "ms"), TK_NN_F32, rms->ms, rms->n);
    get_record(r, sub(buf, sizeof buf, name, "mom"), TK_NN_F32, rms->mom, rms->n);
    rms->t = t;
    return 0;
}

int tk_nn_reader_end(tk_nn_reader *r)
{
    if (r->pos == r->size)
        return 0;
    snprintf(r->error, sizeof r->error, "%zu unexpected bytes after the last record",
             r->size - r->pos);
    return -1;
}
