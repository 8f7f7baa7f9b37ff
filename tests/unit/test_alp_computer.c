/*
 * ALP computer against a brute-force reference that follows the original
 * (teachDeepRL alp_gmm.py, EmpiricalALPComputer, over dataset.py's
 * BufferedDataset) literally: a chronological list of pairs split into main
 * and buffer, flush when a pair arrives on a full buffer, trim main to
 * max_size only then, nearest neighbour = first strict minimum of the
 * squared distance in insertion order, ALP 0 while <= 5 pairs are stored.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check_main.h"
#include "teachkit/alp_computer.h"
#include "teachkit/rng.h"
#include "teachkit/state.h"

/* ------------------------------------------------------------------------
 * Reference implementation. */

struct ref {
    size_t dim, buffer_size, max_size;
    double *tasks, *rewards; /* every pair ever inserted */
    size_t oldest;           /* first stored pair */
    size_t main_end;         /* main = [oldest, main_end), buffer = [main_end, n) */
    size_t n;
};

static void ref_init(struct ref *r, size_t dim, size_t buffer_size, size_t max_size,
                     size_t capacity)
{
    *r = (struct ref){.dim = dim, .buffer_size = buffer_size, .max_size = max_size};
    r->tasks = malloc(capacity * dim * sizeof *r->tasks);
    r->rewards = malloc(capacity * sizeof *r->rewards);
    ck_assert(r->tasks && r->rewards);
}

static void ref_free(struct ref *r)
{
    free(r->tasks);
    free(r->rewards);
}

static size_t ref_size(const struct ref *r)
{
    return r->n - r->oldest;
}

static double ref_compute(struct ref *r, const double *task, double reward)
{
    double lp = 0.0;
    if (ref_size(r) > 5) {
        size_t best = r->oldest;
        double best_d2 = INFINITY;
        for (size_t i = r->oldest; i < r->n; i++) {
            double s = 0.0;
            for (size_t j = 0; j < r->dim; j++) {
                const double d = task[j] - r->tasks[i * r->dim + j];
                s += d * d;
            }
            if (s < best_d2) {
                best_d2 = s;
                best = i;
            }
        }
        lp = reward - r->rewards[best];
    }
    if (r->n - r->main_end == r->buffer_size) {
        r->main_end = r->n;
        if (r->max_size && r->main_end - r->oldest > r->max_size)
            r->oldest = r->main_end - r->max_size;
    }
    for (size_t j = 0; j < r->dim; j++)
        r->tasks[r->n * r->dim + j] = task[j];
    r->rewards[r->n++] = reward;
    return lp;
}

/* ------------------------------------------------------------------------
 * Random sequences. */

/* Continuous tasks mixed with grid tasks (exact repeats and equidistant
 * neighbours exercise the oldest-wins rule), and a slow drift so that the
 * recent part of the history differs from the old one. */
static void random_task(tk_rng *rng, size_t dim, size_t step, double *task)
{
    const int grid = tk_rng_uniform(rng) < 0.4;
    const double drift = (double)(step % 1000) / 1000.0;
    for (size_t j = 0; j < dim; j++)
        task[j] = grid ? 0.5 * (double)tk_rng_below(rng, 4) : tk_rng_uniform(rng) + drift;
}

/* A computer restored from a checkpoint of `alp` (which is freed). */
static tk_alp_computer *reloaded(tk_alp_computer *alp, size_t dim, size_t buffer_size,
                                 size_t max_size)
{
    tk_state_writer w;
    tk_state_writer_init(&w);
    tk_alp_computer_save(alp, &w);
    ck_assert(!w.failed);
    tk_alp_computer_free(alp);
    tk_alp_computer *fresh = tk_alp_computer_new(dim, buffer_size, max_size);
    tk_state_reader r;
    tk_state_reader_init(&r, w.data, w.size);
    ck_assert_int_eq(tk_alp_computer_load(fresh, &r), 0);
    ck_assert(!r.failed);
    ck_assert_uint_eq(r.pos, r.size);
    tk_state_writer_free(&w);
    return fresh;
}

/* Compares with the reference for n pairs; with reload_every > 0 the
 * computer is saved and replaced by a restored copy that often. */
static void run_against_reference_reloading(size_t dim, size_t buffer_size, size_t max_size,
                                            size_t n, uint64_t seed, size_t reload_every)
{
    tk_rng rng;
    tk_rng_seed(&rng, seed);
    struct ref r;
    ref_init(&r, dim, buffer_size, max_size, n);
    tk_alp_computer *alp = tk_alp_computer_new(dim, buffer_size, max_size);
    ck_assert_ptr_nonnull(alp);
    double task[8];
    for (size_t k = 0; k < n; k++) {
        random_task(&rng, dim, k, task);
        const double reward = tk_rng_below(&rng, 4) == 0 ? 1.0 : tk_rng_uniform(&rng);
        const double ref_lp = ref_compute(&r, task, reward);
        double a = -1.0, lp = -1.0;
        ck_assert_int_eq(tk_alp_computer_compute(alp, task, reward, &a, &lp), 0);
        ck_assert_msg(lp == ref_lp && a == fabs(ref_lp),
                      "dim=%zu B=%zu M=%zu step %zu: lp %.17g alp %.17g, reference %.17g", dim,
                      buffer_size, max_size, k, lp, a, ref_lp);
        ck_assert_uint_eq(tk_alp_computer_size(alp), ref_size(&r));
        if (reload_every && (k + 1) % reload_every == 0)
            alp = reloaded(alp, dim, buffer_size, max_size);
    }
    tk_alp_computer_free(alp);
    ref_free(&r);
}

static void run_against_reference(size_t dim, size_t buffer_size, size_t max_size, size_t n,
                                  uint64_t seed)
{
    run_against_reference_reloading(dim, buffer_size, max_size, n, seed, 0);
}

/* Unbounded history: many flushes (B = 1, 7) and binary-counter merges,
 * and the default buffer of 500. */
static const size_t buffer_sizes[] = {1, 7, 500};

START_TEST(test_unbounded_equals_reference)
{
    const size_t dim = _i < 3 ? 2 : 5;
    run_against_reference(dim, buffer_sizes[_i % 3], 0, 5000, 10 + (uint64_t)_i);
}
END_TEST

/* Bounded windows: smaller than the buffer, a few buffers, many buffers
 * (front pieces split several times), not a multiple of the buffer, and
 * larger than the run (never trims). */
static const size_t max_sizes[] = {1, 3, 6, 50, 1000, 1003, 10000};

START_TEST(test_bounded_equals_reference)
{
    const size_t dims[] = {2, 5};
    const size_t bufs[] = {7, 500};
    for (size_t d = 0; d < 2; d++)
        for (size_t b = 0; b < 2; b++)
            run_against_reference(dims[d], bufs[b], max_sizes[_i], 5000,
                                  100 + 10 * (uint64_t)_i + 2 * d + b);
}
END_TEST

/* A computer restored from its checkpoint computes what the saved one
 * would have: reloaded often (at and between flushes, before and after
 * trims), unbounded and bounded. */
START_TEST(test_save_load_continues_identically)
{
    const size_t bufs[] = {1, 7, 500}, maxes[] = {0, 6, 1003};
    const size_t reload[] = {1, 97, 1000};
    for (size_t b = 0; b < 3; b++)
        for (size_t m = 0; m < 3; m++)
            run_against_reference_reloading(2, bufs[b], maxes[m], b == 0 ? 300 : 3000,
                                            500 + 3 * b + m, reload[b]);
}
END_TEST

/* Records that do not fit the computer or no insertion sequence reaches
 * fail the reader and leave the computer as it was. */
START_TEST(test_load_refuses_bad_records)
{
    tk_alp_computer *alp = tk_alp_computer_new(2, 7, 0);
    const double task[] = {0.5, 0.25};
    for (int k = 0; k < 20; k++)
        ck_assert_int_eq(tk_alp_computer_compute(alp, task, k, NULL, NULL), 0);
    tk_state_writer w;
    tk_state_writer_init(&w);
    tk_alp_computer_save(alp, &w);
    tk_alp_computer *other = tk_alp_computer_new(2, 8, 0); /* another buffer_size */
    tk_state_reader r;
    tk_state_reader_init(&r, w.data, w.size);
    ck_assert_int_eq(tk_alp_computer_load(other, &r), 0);
    ck_assert(r.failed);
    ck_assert_uint_eq(tk_alp_computer_size(other), 0);
    tk_state_reader_init(&r, w.data, w.size - 1); /* truncated */
    tk_alp_computer *same = tk_alp_computer_new(2, 7, 0);
    ck_assert_int_eq(tk_alp_computer_load(same, &r), 0);
    ck_assert(r.failed);
    ck_assert_uint_eq(tk_alp_computer_size(same), 0);
    /* flushed (at byte 4 + 4 + 8 * 4) not a multiple of buffer_size. */
    w.data[4 + 4 + 8 * 4] ^= 1;
    tk_state_reader_init(&r, w.data, w.size);
    ck_assert_int_eq(tk_alp_computer_load(same, &r), 0);
    ck_assert(r.failed);
    tk_state_writer_free(&w);
    tk_alp_computer_free(alp);
    tk_alp_computer_free(other);
    tk_alp_computer_free(same);
}
END_TEST

/* ------------------------------------------------------------------------
 * Hand-made cases. */

START_TEST(test_first_six_calls_return_zero)
{
    tk_alp_computer *alp = tk_alp_computer_new(2, 500, 0);
    ck_assert_ptr_nonnull(alp);
    for (int k = 0; k < 6; k++) {
        const double task[] = {0.1 * k, 0.0};
        double a = -1.0, lp = -1.0;
        ck_assert_int_eq(tk_alp_computer_compute(alp, task, 10.0 * k, &a, &lp), 0);
        ck_assert(a == 0.0 && lp == 0.0);
        ck_assert_uint_eq(tk_alp_computer_size(alp), (size_t)k + 1);
    }
    /* 7th call: 6 pairs stored; nearest to (0.52, 0) is (0.5, 0), reward 50. */
    const double task[] = {0.52, 0.0};
    double a, lp;
    ck_assert_int_eq(tk_alp_computer_compute(alp, task, 20.0, &a, &lp), 0);
    ck_assert(lp == -30.0 && a == 30.0);
    tk_alp_computer_free(alp);
}
END_TEST

static void expect_sequence(tk_alp_computer *alp, const double (*pairs)[2], const double *lps,
                            size_t n)
{
    for (size_t k = 0; k < n; k++) {
        double a, lp;
        ck_assert_int_eq(tk_alp_computer_compute(alp, &pairs[k][0], pairs[k][1], &a, &lp), 0);
        ck_assert_msg(lp == lps[k] && a == fabs(lps[k]), "call %zu: lp %g, expected %g", k + 1,
                      lp, lps[k]);
    }
}

/* Unbounded, dim 1, buffer 3: equidistant neighbours resolve to the older
 * pair; an exact repeat matches its earlier copy. */
START_TEST(test_hand_made_unbounded)
{
    static const double pairs[][2] = {
        {0.0, 1.0}, {1.0, 2.0}, {2.0, 3.0}, {3.0, 5.0}, {4.0, 8.0},
        {5.0, 13.0},
        {1.5, 10.0},  /* 1.0 and 2.0 both at 0.5: older (reward 2) wins */
        {4.6, 0.0},   /* 5.0 is nearest: 0 - 13 */
        {1.5, 4.0},   /* repeat of call 7: 4 - 10 */
        {-10.0, 7.0}, /* 0.0 is nearest: 7 - 1 */
    };
    static const double lps[] = {0, 0, 0, 0, 0, 0, 8.0, -13.0, -6.0, 6.0};
    tk_alp_computer *alp = tk_alp_computer_new(1, 3, 0);
    ck_assert_ptr_nonnull(alp);
    expect_sequence(alp, pairs, lps, 10);
    ck_assert_uint_eq(tk_alp_computer_size(alp), 10);
    tk_alp_computer_free(alp);
}
END_TEST

/* Bounded, dim 1, buffer 2, max_size 4.  Stored ids after each call:
 *   1-2: buf {1,2}          3: main {1,2} buf {3}      4: buf {3,4}
 *   5: main {1..4} buf {5}  6: buf {5,6}  (6 stored)
 *   7: computed on 6 pairs; then main {3..6} (1, 2 trimmed), buf {7}
 *   8: 5 stored -> 0;       buf {7,8}
 *   9: computed on 6 pairs; then main {5..8}, buf {9}
 *  10: 5 stored -> 0;       buf {9,10}
 *  11: computed on {5..10}. */
START_TEST(test_hand_made_bounded)
{
    static const double pairs[][2] = {
        {0.0, 1.0},  {10.0, 2.0}, {20.0, 3.0}, {30.0, 4.0}, {40.0, 5.0}, {50.0, 6.0},
        {1.0, 100.0}, /* nearest 0.0 (reward 1) */
        {1.0, 50.0},  /* only 5 stored */
        {0.0, 20.0},  /* 0.0 was trimmed: pairs 7 and 8 tie at 1.0, 7 wins */
        {21.0, 7.0},  /* only 5 stored */
        {21.0, 9.0},  /* 20.0 was trimmed: repeat of call 10 */
    };
    static const double lps[] = {0, 0, 0, 0, 0, 0, 99.0, 0, -80.0, 0, 2.0};
    tk_alp_computer *alp = tk_alp_computer_new(1, 2, 4);
    ck_assert_ptr_nonnull(alp);
    expect_sequence(alp, pairs, lps, 11);
    ck_assert_uint_eq(tk_alp_computer_size(alp), 5); /* 11 flushed 10: main {7..10}, buf {11} */
    tk_alp_computer_free(alp);
}
END_TEST

/* A window that never holds more than 5 pairs never yields an ALP. */
START_TEST(test_small_window_always_zero)
{
    tk_alp_computer *alp = tk_alp_computer_new(2, 2, 3);
    ck_assert_ptr_nonnull(alp);
    for (int k = 0; k < 100; k++) {
        const double task[] = {k % 3, 1.0};
        double a, lp;
        ck_assert_int_eq(tk_alp_computer_compute(alp, task, k, &a, &lp), 0);
        ck_assert(a == 0.0 && lp == 0.0);
        ck_assert_uint_le(tk_alp_computer_size(alp), 5);
    }
    tk_alp_computer_free(alp);
}
END_TEST

/* One repeated task: every neighbour ties at distance 0, so the oldest
 * stored pair decides (first pair unbounded, the window's first bounded). */
START_TEST(test_constant_task_oldest_wins)
{
    const size_t max_size = (size_t)_i * 100;
    tk_alp_computer *alp = tk_alp_computer_new(3, 7, max_size);
    ck_assert_ptr_nonnull(alp);
    struct ref r;
    ref_init(&r, 3, 7, max_size, 3000);
    const double task[] = {0.5, 0.25, 0.0};
    for (size_t k = 0; k < 3000; k++) {
        const double reward = (double)k;
        const size_t oldest = r.oldest;
        const double ref_lp = ref_compute(&r, task, reward);
        double a, lp;
        ck_assert_int_eq(tk_alp_computer_compute(alp, task, reward, &a, &lp), 0);
        ck_assert(lp == ref_lp);
        if (k >= 6)
            ck_assert(lp == reward - (double)oldest);
    }
    ref_free(&r);
    tk_alp_computer_free(alp);
}
END_TEST

START_TEST(test_arguments)
{
    ck_assert_ptr_null(tk_alp_computer_new(0, 500, 0));
    ck_assert_ptr_null(tk_alp_computer_new(2, 0, 0));
    tk_alp_computer_free(NULL);
    tk_alp_computer *alp = tk_alp_computer_new(2, 1, 0);
    ck_assert_ptr_nonnull(alp);
    ck_assert_uint_eq(tk_alp_computer_size(alp), 0);
    const double task[] = {1.0, 2.0};
    for (int k = 0; k < 10; k++) /* NULL outputs are allowed */
        ck_assert_int_eq(tk_alp_computer_compute(alp, task, 1.0, NULL, NULL), 0);
    ck_assert_uint_eq(tk_alp_computer_size(alp), 10);
    tk_alp_computer_free(alp);
}
END_TEST

static Suite *alp_suite(void)
{
    Suite *s = suite_create("alp_computer");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_unbounded_equals_reference, 0, 6);
    tcase_add_loop_test(tc, test_bounded_equals_reference, 0,
                        (int)(sizeof max_sizes / sizeof *max_sizes));
    tcase_add_test(tc, test_first_six_calls_return_zero);
    tcase_add_test(tc, test_hand_made_unbounded);
    tcase_add_test(tc, test_hand_made_bounded);
    tcase_add_test(tc, test_small_window_always_zero);
    tcase_add_loop_test(tc, test_constant_task_oldest_wins, 0, 3);
    tcase_add_test(tc, test_arguments);
    tcase_add_test(tc, test_save_load_continues_identically);
    tcase_add_test(tc, test_load_refuses_bad_records);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tk_check_run(alp_suite());
}
