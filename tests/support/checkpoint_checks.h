/*
 * Checks of the checkpoint hooks (save/load, plugin.h) shared by the plugin
 * tests: copying the bytes save() exposes, loads that must be refused, two
 * instances that must save the same state, and the battery of damaged
 * states (truncated, extended, retagged, garbage, bit flips) the teacher
 * tests run.  Test code only.
 */
#ifndef TK_TEST_CHECKPOINT_CHECKS_H
#define TK_TEST_CHECKPOINT_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "plugin_fixtures.h"

/* save() and load() have one signature in the three vtables, so these two
 * take them directly and serve env and student tests as well. */
typedef tk_status (*tk_save_fn)(void *self, const void **data, size_t *size);
typedef tk_status (*tk_load_fn)(void *self, const void *data, size_t size);

/* A copy of save()'s bytes, which stay valid only until the next call on the
 * instance; never empty.  Caller frees. */
unsigned char *tk_saved_copy(tk_save_fn save, void *self, size_t *size);

/* load() must refuse `bytes[0..size)` with TK_ERR_INVALID, reported through
 * the host's error() (captured in `ctx`) with a message; `what` names the
 * case in failures. */
void tk_load_refused(tk_load_fn load, void *self, struct tk_ctx *ctx, const void *bytes,
                     size_t size, const char *what);

/* ------------------------------------------------------------- teachers */

/* The two above for a teacher fixture. */
unsigned char *tk_ckpt_save(const tk_teacher_fx *t, size_t *size);
void tk_ckpt_refused(tk_teacher_fx *t, const void *bytes, size_t size, const char *what);

/* save() must give exactly `bytes[0..size)`. */
void tk_ckpt_expect_saved(const tk_teacher_fx *t, const unsigned char *bytes, size_t size,
                          const char *what);

/* `a` and `b` must save the same bytes (after a round trip both instances
 * hold the same state, down to what only the next save shows). */
void tk_ckpt_same_saved(const tk_teacher_fx *a, const tk_teacher_fx *b, const char *what);

/* How hard tk_ckpt_rejects_damage() hits a valid state.  Teachers differ in
 * what their records have (a version byte, a size worth sampling) and in
 * what a run on a flipped but accepted state may assert. */
typedef struct tk_ckpt_damage {
    /* Truncated at every length below `dense`, then at 200 lengths spread
     * over the rest (SIZE_MAX: every length), and at size - 1. */
    size_t dense;
    int version;         /* also flip the layout version, the byte after the 4-byte tag */
    int garbage;         /* also random bytes of the full size */
    uint64_t noise_seed; /* the stream of the garbage and of the flips */
    /* Single-bit flips past the 8-byte header (tag + version): each is
     * refused, or gives an instance that still runs. */
    int flips;
    /* Runs the instance after a flipped state was accepted.  NULL: 20
     * episodes of sample + update(0.5) whose statuses are not checked (an
     * accepted flip may well make a strange but valid state). */
    void (*play)(tk_teacher_fx *t);
} tk_ckpt_damage;

/* An empty state, then every damage of `d` applied to the valid
 * `bytes[0..size)` is refused (or survived, for flips); the valid bytes
 * load afterwards. */
void tk_ckpt_rejects_damage(tk_teacher_fx *t, const unsigned char *bytes, size_t size,
                            const tk_ckpt_damage *d);

/* The battery most teachers get: dense up to 256 bytes, version, garbage,
 * 300 flips from noise seed 1234, the default play. */
void tk_ckpt_rejects_bad_data(tk_teacher_fx *t, const unsigned char *bytes, size_t size);

#endif
