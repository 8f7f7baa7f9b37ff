/*
 * Self-describing binary records for saving learner state: network
 * parameters, optimiser moments, replay buffers, counters.  Students build
 * their checkpoint byte string (tk_student_vtable.save) with a writer and
 * restore it (load) with a reader.
 *
 * Format (all integers and floats in the writer's native byte order; the
 * byte-order mark lets a reader refuse a foreign-endian file):
 *   header:  "TKNNREC1" (8 bytes), u32 0x01020304, u32 kind length, kind
 *            bytes (e.g. "teachkit.sac/1": who wrote it, format version)
 *   records: u32 name length, name bytes, u32 type (1 f32, 2 f64, 3 u64),
 *            u64 count, count * 4 or 8 bytes of data
 * No alignment, no compression.  Any record sequence can be listed without
 * knowing the writer (tk_nn_reader_next); loaders read records in order and
 * check each name, type and count, so a truncated, foreign or mismatched
 * string is rejected with a message naming the record.
 *
 * Helpers store a tk_mlp ("<name>.arch" u64 [n_layers, sizes..., acts...,
 * leaky slope bits] and "<name>.params" f32) and optimisers ("<name>.t",
 * "<name>.m", "<name>.v" / ".ms", ".mom").  Owned buffers are freed with
 * tk_nn_writer_free.  [instance]
 */
#ifndef TEACHKIT_NN_IO_H
#define TEACHKIT_NN_IO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tk_mlp;
struct tk_adam;
struct tk_rmsprop;

typedef enum tk_nn_type { TK_NN_F32 = 1, TK_NN_F64 = 2, TK_NN_U64 = 3 } tk_nn_type;

typedef struct tk_nn_writer {
    unsigned char *data; /* owned */
    size_t size, cap;
    int failed;          /* an allocation failed: the writer is unusable */
} tk_nn_writer;

/* Start a string of `kind`.  Returns -1 on allocation failure. */
int tk_nn_writer_init(tk_nn_writer *w, const char *kind);
void tk_nn_writer_free(tk_nn_writer *w);
/* Reset to an empty string of `kind`, keeping the allocation. */
int tk_nn_writer_reset(tk_nn_writer *w, const char *kind);
/* Make room for `extra` more bytes at once (avoids the up-to-2x overshoot
 * of growth by doubling when the final size is known, e.g. a large replay
 * buffer).  -1 on allocation failure. */
int tk_nn_writer_reserve(tk_nn_writer *w, size_t extra);

int tk_nn_put_f32(tk_nn_writer *w, const char *name, const float *v, size_t n);
int tk_nn_put_f64(tk_nn_writer *w, const char *name, const double *v, size_t n);
int tk_nn_put_u64(tk_nn_writer *w, const char *name, const uint64_t *v, size_t n);
int tk_nn_put_mlp(tk_nn_writer *w, const char *name, const struct tk_mlp *net);
int tk_nn_put_adam(tk_nn_writer *w, const char *name, const struct tk_adam *adam);
int tk_nn_put_rmsprop(tk_nn_writer *w, const char *name, const struct tk_rmsprop *rms);

typedef struct tk_nn_reader {
    const unsigned char *data; /* borrowed */
    size_t size, pos;
    char error[256];           /* why the latest call failed */
} tk_nn_reader;

/* Check the header; `kind` must match exactly (NULL accepts any and the
 * kind can be read with tk_nn_reader_kind). */
int tk_nn_reader_init(tk_nn_reader *r, const void *data, size_t size, const char *kind);
/* The kind string of the header (not NUL-terminated) and its length. */
const char *tk_nn_reader_kind(const tk_nn_reader *r, size_t *len);

/* Generic iteration: the next record's name (not NUL-terminated, *name_len
 * bytes), type, count and data pointer (unaligned: copy with memcpy).
 * Returns 1 when a record was read, 0 at the end, -1 on a malformed string. */
int tk_nn_reader_next(tk_nn_reader *r, const char **name, size_t *name_len, tk_nn_type *type,
                      uint64_t *count, const void **data);

/* Read the next record, which must be named `name`, of the given type and
 * exactly n entries. */
int tk_nn_get_f32(tk_nn_reader *r, const char *name, float *out, size_t n);
int tk_nn_get_f64(tk_nn_reader *r, const char *name, double *out, size_t n);
int tk_nn_get_u64(tk_nn_reader *r, const char *name, uint64_t *out, size_t n);
/* Check that the next record is `name` with the given type and n entries
 * and step over it without copying (validate a whole state before
 * overwriting anything: save r->pos, skip, restore r->pos, then get). */
int tk_nn_skip(tk_nn_reader *r, const char *name, tk_nn_type type, size_t n);
/* The network must have the same architecture as the saved one; nothing is
 * modified on failure. */
int tk_nn_get_mlp(tk_nn_reader *r, const char *name, struct tk_mlp *net);
/* Optimisers must have the same length; nothing is modified on failure. */
int tk_nn_get_adam(tk_nn_reader *r, const char *name, struct tk_adam *adam);
int tk_nn_get_rmsprop(tk_nn_reader *r, const char *name, struct tk_rmsprop *rms);
/* Validating counterparts of the three getters: check that the records
 * would load into `net` / `adam` and step over them, copying nothing. */
int tk_nn_skip_mlp(tk_nn_reader *r, const char *name, const struct tk_mlp *net);
int tk_nn_skip_adam(tk_nn_reader *r, const char *name, const struct tk_adam *adam);
int tk_nn_skip_rmsprop(tk_nn_reader *r, const char *name, const struct tk_rmsprop *rms);
/* 0 if every byte was consumed, -1 (with a message) otherwise. */
int tk_nn_reader_end(tk_nn_reader *r);

#ifdef __cplusplus
}
#endif

#endif
