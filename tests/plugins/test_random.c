/*
 * random teacher through the plugin ABI (teachDeepRL teachDRL/teachers/algos/random_teacher.py):
 * uniform tasks inside the bounds, degenerate dimensions, reproducibility,
 * NaN rejection, checkpoints (save/load round trip, bad data refused), and
 * the mastered-cells curve on toy-grid against the teachDeepRL reference.
 * argv[1] = random plugin, argv[2] = toy-grid plugin.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "checkpoint_checks.h"
#include "plugin_fixtures.h"
#include "toy_grid_driver.h"

static const char *g_plugin;
static const char *g_toy;

static const tk_dim g_dims[3] = {
    {"a", 0.0, 1.0},
    {"b", -5.0, 5.0},
    {"c", 2.0, 2.0}, /* degenerate */
};
static const tk_task_space g_space = {3, g_dims};

typedef tk_teacher_fx teacher;

static void teacher_open(teacher *t, uint64_t seed, const tk_task_space *space)
{
    ck_assert_int_eq(tk_teacher_fx_open(t, g_plugin, "random", seed, space, NULL), TK_OK);
}

START_TEST(test_descriptor)
{
    teacher t;
    teacher_open(&t, 1, &g_space);
    tk_check_descriptor_identity(t.h.desc, TK_KIND_TEACHER, "random", "1.0.0");
    ck_assert_str_eq(t.h.desc->default_config, "{}");
    ck_assert_uint_eq(t.vt->struct_size, sizeof(tk_teacher_vtable));
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_uniform_within_bounds)
{
    enum { N = 100000, BINS = 10 };
    teacher t;
    teacher_open(&t, 42, &g_space);
    long hist[2][BINS] = {{0}};
    double mean[2] = {0.0, 0.0};
    for (int i = 0; i < N; i++) {
        float task[3];
        ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
        for (int j = 0; j < 2; j++) {
            ck_assert(task[j] >= (float)g_dims[j].low && task[j] <= (float)g_dims[j].high);
            const double u = (task[j] - g_dims[j].low) / (g_dims[j].high - g_dims[j].low);
            int bin = (int)(u * BINS);
            hist[j][bin < BINS ? bin : BINS - 1]++;
            mean[j] += task[j] / N;
        }
        ck_assert(task[2] == 2.0f); /* degenerate dimension returns low */
        ck_assert_int_eq(t.vt->update(t.self, task, 0.5, 0), TK_OK);
    }
    /* Chi-square with 9 degrees of freedom: 27.9 is the 0.1 % quantile. */
    for (int j = 0; j < 2; j++) {
        double chi2 = 0.0;
        for (int b = 0; b < BINS; b++) {
            const double e = (double)N / BINS;
            chi2 += (hist[j][b] - e) * (hist[j][b] - e) / e;
        }
        ck_assert_msg(chi2 < 27.9, "dimension %d: chi2 = %g", j, chi2);
    }
    ck_assert_double_eq_tol(mean[0], 0.5, 0.01);
    ck_assert_double_eq_tol(mean[1], 0.0, 0.1);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_deterministic_for_a_seed)
{
    enum { N = 1000 };
    static float a[N][3], b[N][3], c[N][3];
    teacher t;
    const uint64_t seeds[3] = {7, 7, 8};
    float (*out[3])[3] = {a, b, c};
    for (int s = 0; s < 3; s++) {
        teacher_open(&t, seeds[s], &g_space);
        for (int i = 0; i < N; i++)
            ck_assert_int_eq(t.vt->sample(t.self, out[s][i]), TK_OK);
        tk_teacher_fx_close(&t);
    }
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    ck_assert_int_ne(memcmp(a, c, sizeof a), 0);
}
END_TEST

START_TEST(test_rejects_nan_task)
{
    teacher t;
    teacher_open(&t, 3, &g_space);
    const float bad[3] = {0.5f, NAN, 2.0f};
    ck_assert_int_eq(t.vt->update(t.self, bad, 0.5, 0), TK_ERR_INVALID);
    const float inf[3] = {INFINITY, 0.0f, 2.0f};
    ck_assert_int_eq(t.vt->update(t.self, inf, 0.5, 0), TK_ERR_INVALID);
    tk_teacher_fx_close(&t);
}
END_TEST

/* ------------------------------------------------------------- checkpoints */

/* The whole state is the host's stream: the record is a tag alone, and an
 * instance of another seed that loads it and gets the stream continues the
 * same sequence. */
START_TEST(test_checkpoint_round_trip)
{
    teacher a, b;
    teacher_open(&a, 21, &g_space);
    float ta[3], tb[3];
    for (int i = 0; i < 300; i++) {
        ck_assert_int_eq(a.vt->sample(a.self, ta), TK_OK);
        ck_assert_int_eq(a.vt->update(a.self, ta, 0.25, 0), TK_OK);
    }
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&a, &size);
    ck_assert_uint_eq(size, 8); /* tag + version */
    teacher_open(&b, 99, &g_space);
    ck_assert_int_eq(b.vt->load(b.self, bytes, size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng;
    for (int i = 0; i < 500; i++) {
        ck_assert_int_eq(a.vt->sample(a.self, ta), TK_OK);
        ck_assert_int_eq(b.vt->sample(b.self, tb), TK_OK);
        ck_assert_mem_eq(ta, tb, sizeof ta);
        ck_assert_int_eq(a.vt->update(a.self, ta, 0.25, 0), TK_OK);
        ck_assert_int_eq(b.vt->update(b.self, tb, 0.25, 0), TK_OK);
    }
    tk_ckpt_expect_saved(&b, bytes, size, "after the round trip");
    free(bytes);
    tk_teacher_fx_close(&a);
    tk_teacher_fx_close(&b);
}
END_TEST

/* The record is a tag and a version alone: nothing to flip or garble past
 * the header, so every truncation and other tags are what must be refused. */
START_TEST(test_checkpoint_rejects_bad_data)
{
    teacher t;
    teacher_open(&t, 4, &g_space);
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&t, &size);
    tk_ckpt_refused(&t, "RIAC\1\0\0\0", 8, "another plugin's tag");
    const tk_ckpt_damage every_length = {.dense = SIZE_MAX};
    tk_ckpt_rejects_damage(&t, bytes, size, &every_length);
    free(bytes);
    tk_teacher_fx_close(&t);
}
END_TEST

/* The reference driver of teachDeepRL (the __main__ of
 * teachDRL/toy_env/toy_env.py): score before each block of
 * 1000 episodes, 20000 episodes, 2-D 10x10 grid.  Mean of data/reference/
 * toy_env_2d.json ("random", 5 seeds) at 5000/10000/15000/20000
 * episodes: 0.0, 1.0, 2.4, 4.6 (std up to 1.3). */
START_TEST(test_toy_grid_reference_curve)
{
    if (!g_toy)
        return;
    static const double ref[4] = {0.0, 1.0, 2.4, 4.6};
    double mean[4] = {0.0, 0.0, 0.0, 0.0};
    enum { SEEDS = 5, EPISODES = 20000 };
    for (int s = 0; s < SEEDS; s++) {
        tk_env_fx toy;
        tk_toy_open(&toy, g_toy, 0, NULL);
        teacher t;
        teacher_open(&t, 100 + (uint64_t)s, &toy.info.task_space);
        tk_toy_curve(&toy, &t, EPISODES, SEEDS, mean);
        tk_teacher_fx_close(&t);
        tk_env_fx_close(&toy);
    }
    for (int k = 0; k < 4; k++)
        ck_assert_msg(fabs(mean[k] - ref[k]) <= 2.5, "after %d episodes: %g%% vs reference %g%%",
                      (k + 1) * 5000, mean[k], ref[k]);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s RANDOM_PLUGIN.so [TOY_GRID_PLUGIN.so]\n", argv[0]);
        return EXIT_FAILURE;
    }
    g_plugin = argv[1];
    g_toy = argc > 2 ? argv[2] : NULL;
    Suite *s = suite_create("random");
    TCase *tc = tk_check_tcase(s, "abi", 120);
    tcase_add_test(tc, test_descriptor);
    tcase_add_test(tc, test_uniform_within_bounds);
    tcase_add_test(tc, test_deterministic_for_a_seed);
    tcase_add_test(tc, test_rejects_nan_task);
    tcase_add_test(tc, test_checkpoint_round_trip);
    tcase_add_test(tc, test_checkpoint_rejects_bad_data);
    tcase_add_test(tc, test_toy_grid_reference_curve);
    return tk_check_run(s);
}
