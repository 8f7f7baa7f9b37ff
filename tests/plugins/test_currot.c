/*
 * currot (Klink et al. 2022; psclklnk/currot deep_sprl/teachers/spl/):
 * the assignment, the Nadaraya-Watson estimate, the sliced-Wasserstein
 * movement, the success buffer and the epsilon-constrained step against
 * hand-computed values; then the plugin through its ABI: determinism,
 * checkpoints and config errors.
 * argv[1] = currot plugin, argv[2] = toy-grid plugin (unused).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "checkpoint_checks.h"
#include "currot_assign.h"
#include "currot_buffer.h"
#include "currot_interp.h"
#include "currot_nw.h"
#include "currot_swd.h"
#include "plugin_fixtures.h"
#include "teachkit/rng.h"

static const char *g_plugin;

static const tk_dim g_dims[2] = {{"a", 0.0, 1.0}, {"b", -2.0, 2.0}};
static const tk_task_space g_space = {2, g_dims};

START_TEST(assignment_by_hand)
{
    /* 1 + 2 + 2 = 5 is the unique optimum (every other permutation costs
     * 6 or more). */
    const double c3[9] = {4, 1, 3, 2, 0, 5, 3, 2, 2};
    size_t col[3];
    ck_assert_int_eq(currot_assign(c3, 3, 3, col), 0);
    ck_assert_uint_eq(col[0], 1);
    ck_assert_uint_eq(col[1], 0);
    ck_assert_uint_eq(col[2], 2);
    /* Wide: rows 0 -> 1 and 1 -> 0 cost 3, the next best 3.5. */
    const double wide[6] = {4, 1, 3.5, 2, 0, 5};
    size_t c2[2];
    ck_assert_int_eq(currot_assign(wide, 2, 3, c2), 0);
    ck_assert_uint_eq(c2[0], 1);
    ck_assert_uint_eq(c2[1], 0);
    /* Tall: its transpose, each column gets a row. */
    const double tall[6] = {4, 2, 1, 0, 3.5, 5};
    size_t r2[2];
    ck_assert_int_eq(currot_assign_tall(tall, 3, 2, r2), 0);
    ck_assert_uint_eq(r2[0], 1);
    ck_assert_uint_eq(r2[1], 0);
    ck_assert_int_eq(currot_assign(tall, 3, 2, r2), -1);
}
END_TEST

START_TEST(estimate_by_hand)
{
    const double x[3] = {0.0, 1.0, 5.0}, y[3] = {0.0, 1.0, 2.0};
    currot_nw_pair pairs[3];
    currot_nw m = {.x = x, .y = y, .n = 3, .d = 1, .bandwidth = 1.0, .n_max = 2};
    /* Radius 3: the points 0 and 1, weights 1 and exp(-1/2). */
    const double q0 = 0.0, q1 = 0.5, q2 = 10.0;
    ck_assert_double_eq_tol(currot_nw_predict(&m, &q0, pairs), exp(-0.5) / (1.0 + exp(-0.5)),
                            1e-15);
    ck_assert_double_eq_tol(currot_nw_predict(&m, &q1, pairs), 0.5, 1e-15);
    /* n_max 1: the nearest of the two ties, by index: point 0. */
    m.n_max = 1;
    ck_assert_double_eq_tol(currot_nw_predict(&m, &q1, pairs), 0.0, 1e-15);
    /* Nothing within the radius: the (at most 10) nearest, here all three,
     * weights exp(-50), exp(-40.5), 1. */
    const double far = (exp(-28.0) + 2.0) / (exp(-37.5) + exp(-28.0) + 1.0);
    ck_assert_double_eq_tol(currot_nw_predict(&m, &q2, pairs), far, 1e-15);
    m.n_max = 0; /* the authors' int(0.5 n) for one point: the fallback always */
    ck_assert_double_eq_tol(currot_nw_predict(&m, &q0, pairs),
                            (exp(-0.5) + 2.0 * exp(-12.5)) / (1.0 + exp(-0.5) + exp(-12.5)),
                            1e-15);
}
END_TEST

/* The index by first coordinate finds the same neighbours as the scan of
 * every point: the same estimates up to the order of the sums. */
START_TEST(estimate_index_matches_scan)
{
    enum { N = 300, D = 3 };
    static double x[N * D], y[N], key[N];
    static size_t order[N];
    static currot_nw_pair pairs[N];
    tk_rng rng;
    tk_rng_seed(&rng, 11);
    for (int i = 0; i < N * D; i++)
        x[i] = i % D == 0 ? (double)(tk_rng_below(&rng, 20)) / 20.0 : tk_rng_uniform(&rng);
    for (int i = 0; i < N; i++)
        y[i] = tk_rng_uniform(&rng);
    for (size_t n_max = 0; n_max <= N / 2; n_max += N / 4) {
        for (double h = 0.01; h < 1.0; h *= 4.0) {
            currot_nw scan = {.x = x, .y = y, .n = N, .d = D, .bandwidth = h, .n_max = n_max};
            currot_nw idx = scan;
            currot_nw_index(&idx, order, key, pairs);
            for (int q = 0; q < 200; q++) {
                double p[D];
                for (int k = 0; k < D; k++)
                    p[k] = 1.4 * tk_rng_uniform(&rng) - 0.2;
                ck_assert_double_eq_tol(currot_nw_predict(&scan, p, pairs),
                                        currot_nw_predict(&idx, p, pairs), 1e-12);
            }
        }
    }
}
END_TEST

START_TEST(sliced_wasserstein_by_hand)
{
    /* One direction in 1-D: sorted source 0, 1 pairs with sorted target 2, 3. */
    const double s1[2] = {0.0, 1.0}, t1[2] = {3.0, 2.0}, u1[1] = {1.0};
    double m1[2];
    ck_assert_int_eq(currot_swd_move(s1, t1, 2, 1, u1, 1, m1), 0);
    ck_assert_double_eq(m1[0], 2.0);
    ck_assert_double_eq(m1[1], 2.0);
    /* Two axes in 2-D: along x the source (0, 1) pairs with the target
     * (0, 2), along y (0, 1) with (1, 3); the mean over the directions. */
    const double s2[4] = {0, 0, 1, 1}, t2[4] = {2, 1, 0, 3}, u2[4] = {1, 0, 0, 1};
    double m2[4];
    ck_assert_int_eq(currot_swd_move(s2, t2, 2, 2, u2, 2, m2), 0);
    ck_assert_double_eq(m2[0], 0.0);
    ck_assert_double_eq(m2[1], 0.5);
    ck_assert_double_eq(m2[2], 0.5);
    ck_assert_double_eq(m2[3], 1.0);
    /* Random directions are unit vectors. */
    tk_rng rng;
    tk_rng_seed(&rng, 7);
    double dirs[30];
    currot_swd_directions(&rng, 10, 3, dirs);
    for (int k = 0; k < 10; k++)
        ck_assert_double_eq_tol(dirs[3 * k] * dirs[3 * k] + dirs[3 * k + 1] * dirs[3 * k + 1] +
                                    dirs[3 * k + 2] * dirs[3 * k + 2],
                                1.0, 1e-12);
}
END_TEST

static void expect_buffer(const currot_buffer *b, const double *ctx, const double *ret, size_t len)
{
    ck_assert_uint_eq(b->len, len);
    for (size_t j = 0; j < len; j++) {
        ck_assert_double_eq(b->ctx[j], ctx[j]);
        ck_assert_double_eq(b->ret[j], ret[j]);
    }
}

START_TEST(success_buffer_by_hand)
{
    const double lo = 0.0, hi = 1.0;
    currot_buffer b;
    ck_assert_int_eq(currot_buffer_init(&b, 1, 4, 0.5, 0.2, &lo, &hi), 0);
    ck_assert(isinf(b.ret[0]) && b.ret[0] < 0);
    unsigned char failed[3];
    const double target[4] = {0.0, 0.1, 0.72, 0.88};
    /* First batch: everything beats the initial -inf and replaces it. */
    const double c1[3] = {0.1, 0.2, 0.3}, r1[3] = {0.2, 0.0, 0.4};
    ck_assert_int_eq(currot_buffer_update(&b, c1, r1, 3, target, failed), 0);
    expect_buffer(&b, (const double[]){0.2, 0.1, 0.3}, (const double[]){0.0, 0.2, 0.4}, 3);
    ck_assert_double_eq(b.min_ret, 0.0);
    ck_assert_int_eq(b.delta_reached, 0);
    /* Median 0.2: 0.9 and 0.6 enter and push out the two lowest. */
    const double c2[3] = {0.4, 0.5, 0.6}, r2[3] = {0.1, 0.9, 0.6};
    ck_assert_int_eq(currot_buffer_update(&b, c2, r2, 3, target, failed), 0);
    ck_assert_mem_eq(failed, ((const unsigned char[]){1, 0, 0}), 3);
    expect_buffer(&b, (const double[]){0.3, 0.6, 0.5}, (const double[]){0.4, 0.6, 0.9}, 3);
    ck_assert_int_eq(b.delta_reached, 0); /* the median before was 0.2 */
    /* Median 0.6 (> delta: the second regime from now on). */
    const double c3[3] = {0.7, 0.8, 0.9}, r3[3] = {0.7, 0.8, 0.65};
    ck_assert_int_eq(currot_buffer_update(&b, c3, r3, 3, target, failed), 0);
    expect_buffer(&b, (const double[]){0.9, 0.7, 0.8, 0.5},
                  (const double[]){0.65, 0.7, 0.8, 0.9}, 4);
    ck_assert_int_eq(b.delta_reached, 1);
    /* Full of successes: of 0.9 0.7 0.8 0.5 and the new 0.05, the
     * assignment to 0, 0.1, 0.72, 0.88 drops 0.8 (cost 0.1633; dropping
     * 0.7 or 0.9 costs 0.1693). */
    const double c4[2] = {0.05, 0.95}, r4[2] = {0.9, 0.2};
    ck_assert_int_eq(currot_buffer_update(&b, c4, r4, 2, target, failed), 0);
    ck_assert_mem_eq(failed, ((const unsigned char[]){0, 1}), 2);
    expect_buffer(&b, (const double[]){0.9, 0.7, 0.5, 0.05},
                  (const double[]){0.65, 0.7, 0.9, 0.9}, 4);
    /* Noise: min_std 0.005 x 0.2, delta_std a quarter of the range. */
    ck_assert_double_eq_tol(currot_buffer_noise_std(&b, 0, 0), 0.001, 1e-15);
    b.ret[0] = 0.2; /* s = (0.5 - 0.2) / (0.5 - 0) */
    ck_assert_double_eq_tol(currot_buffer_noise_std(&b, 0, 0), 0.001 + 0.6 * 0.25, 1e-15);
    b.ret[0] = 0.65;
    /* Second regime: every entry once, then uniform draws, each within a
     * few min_std of its entry. */
    tk_rng rng;
    tk_rng_seed(&rng, 3);
    double out[4];
    currot_buffer_read_update(&b, &rng, &lo, &hi, out);
    for (int j = 0; j < 4; j++)
        ck_assert_double_le(fabs(out[j] - b.ctx[j]), 0.006);
    currot_buffer_free(&b);
}
END_TEST

START_TEST(success_buffer_replaces_failures)
{
    const double lo = 0.0, hi = 1.0;
    currot_buffer b;
    ck_assert_int_eq(currot_buffer_init(&b, 1, 4, 0.5, 0.2, &lo, &hi), 0);
    const double ctx[3] = {0.1, 0.2, 0.3}, ret[3] = {0.2, 0.7, 0.1};
    memcpy(b.ctx, ctx, sizeof ctx);
    memcpy(b.ret, ret, sizeof ret);
    b.len = 3, b.delta_reached = 1, b.has_min_ret = 1, b.min_ret = 0.1;
    /* One success, two entries below delta: it replaces the lowest (0.1)
     * and comes first. */
    const double c[2] = {0.4, 0.5}, r[2] = {0.6, 0.3}, target[4] = {0};
    unsigned char failed[2];
    ck_assert_int_eq(currot_buffer_update(&b, c, r, 2, target, failed), 0);
    ck_assert_mem_eq(failed, ((const unsigned char[]){0, 1}), 2);
    expect_buffer(&b, (const double[]){0.4, 0.1, 0.2}, (const double[]){0.6, 0.2, 0.7}, 3);
    /* Two successes, one entry below delta: the 0.2 leaves, the buffer
     * grows to 4. */
    const double c2[2] = {0.6, 0.7}, r2[2] = {0.8, 0.9};
    ck_assert_int_eq(currot_buffer_update(&b, c2, r2, 2, target, failed), 0);
    expect_buffer(&b, (const double[]){0.6, 0.7, 0.4, 0.2}, (const double[]){0.8, 0.9, 0.6, 0.7},
                  4);
    currot_buffer_free(&b);
}
END_TEST

/* Two training tasks, (0, 0) with return 1 and (0.5, 0) with return 0, and
 * a narrow bandwidth: the estimate is about 1 nearer the first, 0 nearer
 * the second and exactly 0.5 half-way. */
static const double g_tx[4] = {0.0, 0.0, 0.5, 0.0}, g_ty[2] = {1.0, 0.0};
static const double g_lo[2] = {-1.0, -1.0}, g_hi[2] = {1.0, 1.0};

static currot_step step_with(const currot_nw *m, double delta)
{
    return (currot_step){.n = 1, .d = 2, .model = m, .delta = delta, .radius = 0.5,
                         .lo = g_lo, .hi = g_hi};
}

START_TEST(constrained_step_by_hand)
{
    const currot_nw m = {.x = g_tx, .y = g_ty, .n = 2, .d = 2, .bandwidth = 0.01, .n_max = 1};
    currot_nw_pair pairs[2];
    /* From (0, 0) towards (1, 0), step min(0.5, 1): the offset (1, 0) lands
     * on (0.5, 0); (-0.5, 0) points away and is reflected to (0.5, 0),
     * landing on (0.25, 0); (0, 1) is orthogonal and stays. */
    const double x[2] = {0, 0}, t[2] = {1, 0}, off[6] = {1, 0, -0.5, 0, 0, 1};
    double cand[2], out[2];
    /* delta 0.6: only (0, 0.5) estimates above it. */
    currot_step s = step_with(&m, 0.6);
    currot_move_particle(&s, x, t, 1, off, 3, cand, pairs, out);
    ck_assert_double_eq(out[0], 0.0);
    ck_assert_double_eq(out[1], 0.5);
    /* delta 0.4: (0.25, 0) at 0.5 also does and is closer to the target. */
    s = step_with(&m, 0.4);
    currot_move_particle(&s, x, t, 1, off, 3, cand, pairs, out);
    ck_assert_double_eq(out[0], 0.25);
    ck_assert_double_eq(out[1], 0.0);
    /* delta 2: none does; the largest estimate wins. */
    s = step_with(&m, 2.0);
    currot_move_particle(&s, x, t, 1, off, 3, cand, pairs, out);
    ck_assert_double_eq(out[0], 0.0);
    ck_assert_double_eq(out[1], 0.5);
    /* Below the threshold the whole ball: (-0.5, 0) lands on (-0.25, 0),
     * farther from the target than (0, 0.5). */
    s = step_with(&m, 0.4);
    currot_move_particle(&s, x, t, 0, off, 3, cand, pairs, out);
    ck_assert_double_eq(out[0], 0.0);
    ck_assert_double_eq(out[1], 0.5);
    /* The step is bounded by the distance to the target, and clipped. */
    const double t2[2] = {0.1, 0}, x3[2] = {0.9, 0}, t3[2] = {2, 0};
    s = step_with(&m, -1.0);
    currot_move_particle(&s, x, t2, 1, off, 1, cand, pairs, out);
    ck_assert_double_eq_tol(out[0], 0.1, 1e-15);
    currot_move_particle(&s, x3, t3, 1, off, 1, cand, pairs, out);
    ck_assert_double_eq(out[0], 1.0);
}
END_TEST

START_TEST(replacement_by_hand)
{
    /* 1-D: the estimate is about 1 below 0.5 and 0 above. */
    const double tx[2] = {0.0, 1.0}, ty[2] = {1.0, 0.0}, lo = 0.0, hi = 1.0;
    const currot_nw m = {.x = tx, .y = ty, .n = 2, .d = 1, .bandwidth = 0.01, .n_max = 1};
    const currot_step s = {.n = 2, .d = 1, .model = &m, .delta = 0.5, .radius = 0.1,
                           .lo = &lo, .hi = &hi};
    unsigned char reached[2];
    /* 0.8 fails; of the successful draws 0.3 and 0.1 the nearer replaces it. */
    double init[2] = {0.2, 0.8};
    ck_assert_int_eq(currot_ensure_successful(&s, init, (const double[]){0.3, 0.6, 0.1}, 3,
                                              reached), 0);
    ck_assert_double_eq(init[0], 0.2);
    ck_assert_double_eq(init[1], 0.3);
    ck_assert_int_eq(reached[0], 1);
    ck_assert_int_eq(reached[1], 1);
    /* No successful draw: the nearest of all, still below delta. */
    double init2[2] = {0.2, 0.8};
    ck_assert_int_eq(currot_ensure_successful(&s, init2, (const double[]){0.6, 0.7, 0.95}, 3,
                                              reached), 0);
    ck_assert_double_eq(init2[1], 0.7);
    ck_assert_int_eq(reached[1], 0);
}
END_TEST

/* ----------------------------------------------------------- the plugin */

typedef tk_teacher_fx teacher;

static const char *small = "{\"n_samples\": 20, \"episodes_per_update\": 5}";

/* A learner that does well near a = 0: the return falls with the first
 * coordinate, so that climbing the estimate leads there. */
static void episode(teacher *t, float *task)
{
    ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
    const double ret = 1.0 - task[0];
    ck_assert_int_eq(t->vt->update(t->self, task, ret, 0), TK_OK);
}

START_TEST(runs_and_snapshots)
{
    teacher t;
    ck_assert_int_eq(tk_teacher_fx_open_merged(&t, g_plugin, "currot", 5, &g_space, small), TK_OK);
    float task[2];
    for (int e = 0; e < 200; e++) {
        episode(&t, task);
        ck_assert(task[0] >= 0.0f && task[0] <= 1.0f && task[1] >= -2.0f && task[1] <= 2.0f);
    }
    json_t *snap = tk_teacher_fx_snapshot(&t, "samples");
    ck_assert_uint_eq(json_array_size(json_object_get(snap, "points")), 20);
    ck_assert_int_eq(json_integer_value(json_object_get(snap, "updates")), 40);
    ck_assert(json_is_true(json_object_get(snap, "threshold_reached")));
    json_decref(snap);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(checkpoint_round_trip)
{
    teacher a, b;
    ck_assert_int_eq(tk_teacher_fx_open_merged(&a, g_plugin, "currot", 21, &g_space, small), TK_OK);
    float ta[2], tb[2];
    for (int i = 0; i < 23; i++) /* mid-batch, after four updates */
        episode(&a, ta);
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&a, &size);
    ck_assert_int_eq(tk_teacher_fx_open_merged(&b, g_plugin, "currot", 99, &g_space, small), TK_OK);
    ck_assert_int_eq(b.vt->load(b.self, bytes, size), TK_OK);
    tk_ckpt_expect_saved(&b, bytes, size, "right after load");
    b.h.ctx.rng = a.h.ctx.rng;
    for (int i = 0; i < 60; i++) {
        episode(&a, ta);
        episode(&b, tb);
        ck_assert_mem_eq(ta, tb, sizeof ta);
    }
    tk_ckpt_same_saved(&a, &b, "after 60 more episodes");
    tk_ckpt_refused(&b, "RAND\1\0\0\0", 8, "another plugin's tag");
    tk_ckpt_rejects_bad_data(&b, bytes, size);
    free(bytes);
    tk_teacher_fx_close(&a);
    tk_teacher_fx_close(&b);
}
END_TEST

static void config_error(const char *overrides, const char *path)
{
    teacher t;
    ck_assert_int_eq(tk_teacher_fx_open_merged(&t, g_plugin, "currot", 1, &g_space, overrides),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, path);
    tk_teacher_fx_close(&t);
}

START_TEST(config_errors)
{
    config_error("{\"n_samples\": 10, \"episodes_per_update\": 10}", "episodes_per_update");
    config_error("{\"epsilon\": 0}", "epsilon");
    config_error("{\"target_dist\": {\"low\": [0, 0]}}", "target_dist.high");
    config_error("{\"target_dist\": {\"low\": [0.5, 0], \"high\": [0.4, 1]}}",
                 "target_dist.low[0]");
    config_error("{\"target_dist\": {\"low\": [0, -3], \"high\": [1, 1]}}", "target_dist.low[1]");
    config_error("{\"initial_dist\": {\"mean\": [0, 0], \"std\": [0.1, 0]}}",
                 "initial_dist.std[1]");
    config_error("{\"initial_dist\": {\"mean\": [0, 0], \"sd\": [0.1, 0.1]}}", "initial_dist");
    config_error("{\"initial_dist\": {\"mean\": [0, 0], \"high\": [0.1, 0.1]}}", "initial_dist");
    /* A configured target and start are accepted. */
    teacher t;
    ck_assert_int_eq(tk_teacher_fx_open_merged(&t, g_plugin, "currot", 1, &g_space,
                                               "{\"n_samples\": 20, \"episodes_per_update\": 5, "
                                               "\"initial_dist\": {\"low\": [0, -0.1], "
                                               "\"high\": [0.1, 0.1]}, \"target_dist\": "
                                               "{\"mean\": [1, 0], \"std\": [0.1, 1]}}"),
                     TK_OK);
    float task[2];
    ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
    ck_assert(task[0] <= 0.1f + 1e-3f && fabsf(task[1]) <= 0.1f + 4e-3f);
    tk_teacher_fx_close(&t);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CURROT_PLUGIN.so [TOY_GRID_PLUGIN.so]\n", argv[0]);
        return EXIT_FAILURE;
    }
    g_plugin = argv[1];
    Suite *s = suite_create("currot");
    TCase *tc = tk_check_tcase(s, "currot", 120);
    tcase_add_test(tc, assignment_by_hand);
    tcase_add_test(tc, estimate_by_hand);
    tcase_add_test(tc, estimate_index_matches_scan);
    tcase_add_test(tc, sliced_wasserstein_by_hand);
    tcase_add_test(tc, success_buffer_by_hand);
    tcase_add_test(tc, success_buffer_replaces_failures);
    tcase_add_test(tc, constrained_step_by_hand);
    tcase_add_test(tc, replacement_by_hand);
    tcase_add_test(tc, runs_and_snapshots);
    tcase_add_test(tc, checkpoint_round_trip);
    tcase_add_test(tc, config_errors);
    return tk_check_run(s);
}
