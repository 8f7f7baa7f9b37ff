#include "teachkit/state.h"

#include <stdlib.h>
#include <string.h>

void tk_state_writer_init(tk_state_writer *w)
{
    memset(w, 0, sizeof *w);
}

void tk_state_writer_reset(tk_state_writer *w)
{
    w->size = 0;
    w->failed = 0;
}

void tk_state_writer_free(tk_state_writer *w)
{
    free(w->data);
    memset(w, 0, sizeof *w);
}

void tk_state_put_bytes(tk_state_writer *w, const void *p, size_t n)
{
    if (w->failed || n == 0)
        return;
    if (w->size + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->size + n)
            cap *= 2;
        uint8_t *data = realloc(w->data, cap);
        if (!data) {
            w->failed = 1;
            return;
        }
        w->data = data;
        w->cap = cap;
    }
    memcpy(w->data + w->size, p, n);
    w->size += n;
}

/* The project targets little-endian hosts (x86-64, aarch64); values are
 * stored in host order and the tag record catches a foreign layout. */
void tk_state_put_u64(tk_state_writer *w, uint64_t v) { tk_state_put_bytes(w, &v, sizeof v); }
void tk_state_put_f64(tk_state_writer *w, double v) { tk_state_put_bytes(w, &v, sizeof v); }

void tk_state_put_tag(tk_state_writer *w, const char tag[4], uint32_t version)
{
    tk_state_put_bytes(w, tag, 4);
    tk_state_put_bytes(w, &version, sizeof version);
}

void tk_state_put_f32s(tk_state_writer *w, const float *v, size_t n)
{
    tk_state_put_bytes(w, v, n * sizeof *v);
}

void tk_state_put_f64s(tk_state_writer *w, const double *v, size_t n)
{
    tk_state_put_bytes(w, v, n * sizeof *v);
}

void tk_state_put_rng(tk_state_writer *w, const tk_rng *rng)
{
    tk_state_put_bytes(w, rng->s, sizeof rng->s);
}

void tk_state_reader_init(tk_state_reader *r, const void *data, size_t size)
{
    r->data = data;
    r->size = size;
    r->pos = 0;
    r->failed = data == NULL && size > 0;
}

void tk_state_get_bytes(tk_state_reader *r, void *p, size_t n)
{
    if (r->failed || n > r->size - r->pos) {
        r->failed = 1;
        memset(p, 0, n);
        return;
    }
    memcpy(p, r->data + r->pos, n);
    r->pos += n;
}

uint64_t tk_state_get_u64(tk_state_reader *r)
{
    uint64_t v;
    tk_state_get_bytes(r, &v, sizeof v);
    return v;
}

double tk_state_get_f64(tk_state_reader *r)
{
    double v;
    tk_state_get_bytes(r, &v, sizeof v);
    return v;
}

uint32_t tk_state_get_tag(tk_state_reader *r, const char tag[4], uint32_t max_version)
{
    char got[4];
    uint32_t version;
    tk_state_get_bytes(r, got, 4);
    tk_state_get_bytes(r, &version, sizeof version);
    if (r->failed || memcmp(got, tag, 4) != 0 || version > max_version) {
        r->failed = 1;
        return 0;
    }
    return version;
}

void tk_state_get_f32s(tk_state_reader *r, float *v, size_t n)
{
    tk_state_get_bytes(r, v, n * sizeof *v);
}

void tk_state_get_f64s(tk_state_reader *r, double *v, size_t n)
{
    tk_state_get_bytes(r, v, n * sizeof *v);
}

void tk_state_get_rng(tk_state_reader *r, tk_rng *rng)
{
    tk_state_get_bytes(r, rng->s, sizeof rng->s);
}

uint64_t tk_state_get_count(tk_state_reader *r, uint64_t max)
{
    uint64_t n = tk_state_get_u64(r);
    if (n > max) {
        r->failed = 1;
        return 0;
    }
    return n;
}
