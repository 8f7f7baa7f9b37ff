/* Checkpoint byte strings: round trip, and clean failure on corrupt input. */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "teachkit/rng.h"
#include "teachkit/state.h"

START_TEST(round_trip)
{
    tk_state_writer w;
    tk_state_writer_init(&w);
    tk_rng rng;
    tk_rng_seed(&rng, 9);
    const float f[3] = {1.5f, -2.0f, 3.25f};
    const double g[2] = {1e-300, -7.0};
    tk_state_put_tag(&w, "TEST", 2);
    tk_state_put_u64(&w, 123456789012345ULL);
    tk_state_put_f64(&w, 0.1);
    tk_state_put_f32s(&w, f, 3);
    tk_state_put_f64s(&w, g, 2);
    tk_state_put_rng(&w, &rng);
    tk_state_put_u64(&w, 5);
    ck_assert_int_eq(w.failed, 0);

    tk_state_reader r;
    tk_state_reader_init(&r, w.data, w.size);
    ck_assert_uint_eq(tk_state_get_tag(&r, "TEST", 3), 2);
    ck_assert_uint_eq(tk_state_get_u64(&r), 123456789012345ULL);
    ck_assert(tk_state_get_f64(&r) == 0.1);
    float f2[3];
    double g2[2];
    tk_state_get_f32s(&r, f2, 3);
    tk_state_get_f64s(&r, g2, 2);
    ck_assert_mem_eq(f, f2, sizeof f);
    ck_assert_mem_eq(g, g2, sizeof g);
    tk_rng rng2;
    tk_state_get_rng(&r, &rng2);
    ck_assert_uint_eq(tk_rng_u64(&rng), tk_rng_u64(&rng2));
    ck_assert_uint_eq(tk_state_get_count(&r, 10), 5);
    ck_assert_int_eq(r.failed, 0);
    ck_assert_uint_eq(r.pos, r.size);
    tk_state_writer_free(&w);
}
END_TEST

START_TEST(corrupt_input_fails_cleanly)
{
    tk_state_writer w;
    tk_state_writer_init(&w);
    tk_state_put_tag(&w, "GOOD", 1);
    tk_state_put_u64(&w, 1000);
    tk_state_reader r;
    /* wrong tag */
    tk_state_reader_init(&r, w.data, w.size);
    tk_state_get_tag(&r, "EVIL", 1);
    ck_assert_int_eq(r.failed, 1);
    /* newer version than the reader knows */
    tk_state_reader_init(&r, w.data, w.size);
    tk_state_get_tag(&r, "GOOD", 0);
    ck_assert_int_eq(r.failed, 1);
    /* a count above the limit (a corrupt length) */
    tk_state_reader_init(&r, w.data, w.size);
    tk_state_get_tag(&r, "GOOD", 1);
    ck_assert_uint_eq(tk_state_get_count(&r, 999), 0);
    ck_assert_int_eq(r.failed, 1);
    /* truncated: reads past the end return zeros and stay failed */
    tk_state_reader_init(&r, w.data, w.size - 3);
    tk_state_get_tag(&r, "GOOD", 1);
    ck_assert_uint_eq(tk_state_get_u64(&r), 0);
    ck_assert_int_eq(r.failed, 1);
    tk_state_writer_free(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("state");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, corrupt_input_fails_cleanly);
    return tk_check_run(s);
}
