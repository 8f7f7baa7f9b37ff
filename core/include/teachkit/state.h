/*
 * Checkpoint byte strings for plugin state (the save/load hooks of the ABI).
 *
 * A writer appends little-endian fixed-width values to a growing buffer; a
 * reader consumes them in the same order.  Errors are sticky: after an
 * allocation failure (writer) or a read past the end or a wrong tag
 * (reader), `failed` is set, further calls do nothing and getters return
 * 0, so code can read a whole record and check `failed` once.
 *
 * Start every record with a 4-character tag and a version
 * (tk_state_put_tag(w, "ALPG", 1)) so that loading the state of another
 * plugin or an older layout fails cleanly instead of producing garbage.
 * Objects are owned by the caller; not thread-safe per object.
 */
#ifndef TEACHKIT_STATE_H
#define TEACHKIT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tk_state_writer {
    uint8_t *data;   /* owned, malloc'ed */
    size_t size;
    size_t cap;
    int failed;
} tk_state_writer;

typedef struct tk_state_reader {
    const uint8_t *data;  /* borrowed */
    size_t size;
    size_t pos;
    int failed;
} tk_state_reader;

void tk_state_writer_init(tk_state_writer *w);
/* Empty the buffer but keep its memory (for repeated saves). */
void tk_state_writer_reset(tk_state_writer *w);
void tk_state_writer_free(tk_state_writer *w);

void tk_state_put_tag(tk_state_writer *w, const char tag[4], uint32_t version);
void tk_state_put_u64(tk_state_writer *w, uint64_t v);
void tk_state_put_f64(tk_state_writer *w, double v);
void tk_state_put_bytes(tk_state_writer *w, const void *p, size_t n);
void tk_state_put_f32s(tk_state_writer *w, const float *v, size_t n);
void tk_state_put_f64s(tk_state_writer *w, const double *v, size_t n);
void tk_state_put_rng(tk_state_writer *w, const tk_rng *rng);

void tk_state_reader_init(tk_state_reader *r, const void *data, size_t size);
/* Fails the reader unless the next record is `tag` with a version <=
 * max_version; returns the version read. */
uint32_t tk_state_get_tag(tk_state_reader *r, const char tag[4], uint32_t max_version);
uint64_t tk_state_get_u64(tk_state_reader *r);
double tk_state_get_f64(tk_state_reader *r);
void tk_state_get_bytes(tk_state_reader *r, void *p, size_t n);
void tk_state_get_f32s(tk_state_reader *r, float *v, size_t n);
void tk_state_get_f64s(tk_state_reader *r, double *v, size_t n);
void tk_state_get_rng(tk_state_reader *r, tk_rng *rng);
/* A count read from the stream, failing the reader when it exceeds `max`
 * (guards allocations against corrupt checkpoints). */
uint64_t tk_state_get_count(tk_state_reader *r, uint64_t max);

#ifdef __cplusplus
}
#endif

#endif
