#include "checkpoint_checks.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/rng.h"

unsigned char *tk_saved_copy(tk_save_fn save, void *self, size_t *size)
{
    const void *data = NULL;
    *size = 0;
    ck_assert_int_eq(save(self, &data, size), TK_OK);
    ck_assert_uint_gt(*size, 0);
    unsigned char *copy = malloc(*size);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, data, *size);
    return copy;
}

void tk_load_refused(tk_load_fn load, void *self, struct tk_ctx *ctx, const void *bytes,
                     size_t size, const char *what)
{
    ctx->code = TK_OK;
    ctx->err_message[0] = '\0';
    ck_assert_msg(load(self, bytes, size) == TK_ERR_INVALID, "%s (%zu bytes) accepted", what,
                  size);
    ck_assert_int_eq(ctx->code, TK_ERR_INVALID);
    ck_assert_msg(ctx->err_message[0] != '\0', "%s: no message", what);
}

unsigned char *tk_ckpt_save(const tk_teacher_fx *t, size_t *size)
{
    return tk_saved_copy(t->vt->save, t->self, size);
}

void tk_ckpt_refused(tk_teacher_fx *t, const void *bytes, size_t size, const char *what)
{
    tk_load_refused(t->vt->load, t->self, &t->h.ctx, bytes, size, what);
}

void tk_ckpt_expect_saved(const tk_teacher_fx *t, const unsigned char *bytes, size_t size,
                          const char *what)
{
    size_t got_size;
    unsigned char *got = tk_ckpt_save(t, &got_size);
    ck_assert_msg(got_size == size, "%s: %zu bytes saved, expected %zu", what, got_size, size);
    ck_assert_msg(memcmp(got, bytes, size) == 0, "%s: states differ", what);
    free(got);
}

void tk_ckpt_same_saved(const tk_teacher_fx *a, const tk_teacher_fx *b, const char *what)
{
    size_t size;
    unsigned char *bytes = tk_ckpt_save(a, &size);
    tk_ckpt_expect_saved(b, bytes, size, what);
    free(bytes);
}

static void default_play(tk_teacher_fx *t)
{
    float task[16];
    ck_assert_uint_le(t->dims, 16);
    for (int e = 0; e < 20; e++)
        if (t->vt->sample(t->self, task) == TK_OK)
            (void)t->vt->update(t->self, task, 0.5, 0);
}

static void truncations(tk_teacher_fx *t, const unsigned char *bytes, size_t size, size_t dense)
{
    const size_t step = size > dense ? (size - dense) / 200 + 1 : 1;
    for (size_t n = 0; n < size; n = n < dense ? n + 1 : n + step)
        tk_ckpt_refused(t, bytes, n, "truncated state");
    tk_ckpt_refused(t, bytes, size - 1, "truncated state");
}

static void bit_flips(tk_teacher_fx *t, const unsigned char *bytes, size_t size, tk_rng *noise,
                      const tk_ckpt_damage *d, unsigned char *buf)
{
    ck_assert(d->flips == 0 || size > 8);
    for (int trial = 0; trial < d->flips; trial++) {
        memcpy(buf, bytes, size);
        const size_t at = 8 + (size_t)tk_rng_below(noise, size - 8);
        buf[at] ^= (unsigned char)(1u << tk_rng_below(noise, 8));
        const tk_status st = t->vt->load(t->self, buf, size);
        ck_assert_msg(st == TK_OK || st == TK_ERR_INVALID, "flip at %zu: status %d", at, st);
        if (st == TK_OK)
            (d->play ? d->play : default_play)(t);
    }
}

void tk_ckpt_rejects_damage(tk_teacher_fx *t, const unsigned char *bytes, size_t size,
                            const tk_ckpt_damage *d)
{
    ck_assert_uint_ge(size, 4);
    unsigned char *buf = malloc(size + 16);
    ck_assert_ptr_nonnull(buf);
    tk_ckpt_refused(t, NULL, 0, "an empty state");
    truncations(t, bytes, size, d->dense);
    memcpy(buf, bytes, size);
    buf[size] = 0;
    tk_ckpt_refused(t, buf, size + 1, "state with a trailing byte");
    memcpy(buf, "XXXX", 4);
    tk_ckpt_refused(t, buf, size, "state with another tag");
    if (d->version) {
        memcpy(buf, bytes, 4);
        buf[4] ^= 0x7f; /* a newer layout version */
        tk_ckpt_refused(t, buf, size, "state with an unknown version");
    }
    tk_rng noise;
    tk_rng_seed(&noise, d->noise_seed);
    if (d->garbage) {
        for (size_t i = 0; i < size; i++)
            buf[i] = (unsigned char)tk_rng_u64(&noise);
        tk_ckpt_refused(t, buf, size, "garbage");
    }
    bit_flips(t, bytes, size, &noise, d, buf);
    free(buf);
    ck_assert_int_eq(t->vt->load(t->self, bytes, size), TK_OK);
}

void tk_ckpt_rejects_bad_data(tk_teacher_fx *t, const unsigned char *bytes, size_t size)
{
    const tk_ckpt_damage standard = {.dense = 256, .version = 1, .garbage = 1,
                                     .noise_seed = 1234, .flips = 300, .play = NULL};
    tk_ckpt_rejects_damage(t, bytes, size, &standard);
}
