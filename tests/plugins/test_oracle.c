/*
 * oracle teacher through the plugin ABI (spec teachers.md section 8): the
 * window starts at the right end, moves by its step exactly when the mean of
 * step_rate raw returns exceeds reward_thr, clamps at the bounds, and a
 * missing window_step_vector is a config error naming the key.
 * argv[1] = oracle plugin.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_harness.h"

static const char *g_plugin;

/* Stump Tracks bounds and the step vector of teachDeepRL's run.py. */
static const tk_dim g_dims[2] = {{"stump_height", 0.0, 3.0}, {"obstacle_spacing", 0.0, 6.0}};
static const tk_task_space g_space = {2, g_dims};

typedef struct teacher {
    tk_harness h;
    const tk_teacher_vtable *vt;
    void *self;
} teacher;

static tk_status teacher_open(teacher *t, const char *config)
{
    memset(t, 0, sizeof *t);
    ck_assert_int_eq(tk_harness_open(&t->h, g_plugin, "oracle", 5), 0);
    t->vt = tk_harness_teacher(&t->h);
    ck_assert_ptr_nonnull(t->vt);
    return t->vt->create(&t->h.host, &t->h.ctx, &g_space, config, &t->self);
}

static void teacher_close(teacher *t)
{
    if (t->self)
        t->vt->destroy(t->self);
    tk_harness_close(&t->h);
}

/* The window from the snapshot. */
static void window(teacher *t, double low[2], double high[2])
{
    const char *text = NULL;
    ck_assert_int_eq(t->vt->snapshot(t->self, &text), TK_OK);
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(json_string_value(json_object_get(root, "type")), "window");
    for (size_t i = 0; i < 2; i++) {
        low[i] = json_number_value(json_array_get(json_object_get(root, "low"), i));
        high[i] = json_number_value(json_array_get(json_object_get(root, "high"), i));
    }
    json_decref(root);
}

static void feed(teacher *t, double ret, int n)
{
    const float task[2] = {0.1f, 5.5f};
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(t->vt->update(t->self, task, ret, 0), TK_OK);
}

#define CONFIG(steps, rate)                                                                   \
    "{\"window_step_vector\": " steps ", \"reward_thr\": 230.0, \"step_rate\": " rate         \
    ", \"window_size_ratio\": 0.16666666666666666}"

START_TEST(test_descriptor)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("[0.1, -0.2]", "50")), TK_OK);
    const tk_descriptor *d = t.h.desc;
    ck_assert_int_eq(d->kind, TK_KIND_TEACHER);
    ck_assert_ptr_nonnull(d->features);
    ck_assert_str_eq(d->features[0], "raw-return");
    ck_assert_ptr_null(d->features[1]);
    json_t *def = json_loads(d->default_config, 0, NULL);
    ck_assert_ptr_nonnull(def);
    ck_assert(json_is_null(json_object_get(def, "window_step_vector")));
    ck_assert_double_eq(json_number_value(json_object_get(def, "reward_thr")), 230.0);
    ck_assert_int_eq(json_integer_value(json_object_get(def, "step_rate")), 50);
    ck_assert_double_eq_tol(json_number_value(json_object_get(def, "window_size_ratio")),
                            1.0 / 6.0, 1e-15);
    json_decref(def);
    teacher_close(&t);
}
END_TEST

START_TEST(test_initial_window_and_samples)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("[0.1, -0.2]", "50")), TK_OK);
    double lo[2], hi[2];
    window(&t, lo, hi);
    /* Positive step starts at low, negative at high - size. */
    ck_assert_double_eq_tol(lo[0], 0.0, 1e-12);
    ck_assert_double_eq_tol(hi[0], 0.5, 1e-12);
    ck_assert_double_eq_tol(lo[1], 5.0, 1e-12);
    ck_assert_double_eq_tol(hi[1], 6.0, 1e-12);
    for (int i = 0; i < 10000; i++) {
        float task[2];
        ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
        for (int j = 0; j < 2; j++)
            ck_assert(task[j] >= (float)lo[j] && task[j] <= (float)hi[j]);
    }
    teacher_close(&t);
}
END_TEST

START_TEST(test_moves_exactly_when_mean_exceeds_threshold)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("[0.1, -0.2]", "5")), TK_OK);
    double lo[2], hi[2];

    feed(&t, 1000.0, 4); /* fewer than step_rate returns: no check yet */
    window(&t, lo, hi);
    ck_assert_double_eq_tol(lo[0], 0.0, 1e-12);
    feed(&t, 1000.0, 1); /* 5th return: mean 1000 > 230 */
    window(&t, lo, hi);
    ck_assert_double_eq_tol(lo[0], 0.1, 1e-12);
    ck_assert_double_eq_tol(lo[1], 4.8, 1e-12);

    feed(&t, 230.0, 5); /* mean == threshold: strict, no move */
    window(&t, lo, hi);
    ck_assert_double_eq_tol(lo[0], 0.1, 1e-12);

    /* The list is cleared after each check: earlier high returns do not
     * count.  4 x 0 + 1 x 1000 gives a mean of 200. */
    feed(&t, 1000.0, 4);
    feed(&t, 0.0, 1); /* mean 800: moves */
    feed(&t, 0.0, 4);
    feed(&t, 1000.0, 1); /* mean 200: stays */
    window(&t, lo, hi);
    ck_assert_double_eq_tol(lo[0], 0.2, 1e-12);
    ck_assert_double_eq_tol(lo[1], 4.6, 1e-12);

    feed(&t, 230.001, 5); /* just above */
    window(&t, lo, hi);
    ck_assert_double_eq_tol(lo[0], 0.3, 1e-12);
    ck_assert_double_eq_tol(lo[1], 4.4, 1e-12);
    ck_assert_double_eq_tol(hi[1], 5.4, 1e-12);
    teacher_close(&t);
}
END_TEST

START_TEST(test_clamps_at_bounds)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("[0.7, -0.4]", "1")), TK_OK);
    double lo[2], hi[2];
    feed(&t, 300.0, 100);
    window(&t, lo, hi);
    /* Positive step capped at high - size, negative floored at low. */
    ck_assert_double_eq_tol(lo[0], 2.5, 1e-12);
    ck_assert_double_eq_tol(hi[0], 3.0, 1e-12);
    ck_assert_double_eq_tol(lo[1], 0.0, 1e-12);
    ck_assert_double_eq_tol(hi[1], 1.0, 1e-12);
    for (int i = 0; i < 1000; i++) {
        float task[2];
        ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
        ck_assert(task[0] >= 2.5f && task[0] <= 3.0f);
        ck_assert(task[1] >= 0.0f && task[1] <= 1.0f);
    }
    teacher_close(&t);
}
END_TEST

START_TEST(test_negative_steps_move_down)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("[-0.5, -1.0]", "2")), TK_OK);
    double lo[2], hi[2];
    window(&t, lo, hi);
    ck_assert_double_eq_tol(lo[0], 2.5, 1e-12);
    ck_assert_double_eq_tol(lo[1], 5.0, 1e-12);
    feed(&t, 500.0, 2);
    window(&t, lo, hi);
    ck_assert_double_eq_tol(lo[0], 2.0, 1e-12);
    ck_assert_double_eq_tol(lo[1], 4.0, 1e-12);
    teacher_close(&t);
}
END_TEST

START_TEST(test_config_errors)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("null", "50")), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.last_path, "window_step_vector");
    ck_assert_ptr_nonnull(strstr(t.h.ctx.last_message, "required"));
    teacher_close(&t);

    ck_assert_int_eq(teacher_open(&t, "{\"reward_thr\": 230.0, \"step_rate\": 50, "
                                      "\"window_size_ratio\": 0.2}"),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.last_path, "window_step_vector");
    teacher_close(&t);

    ck_assert_int_eq(teacher_open(&t, CONFIG("[0.1]", "50")), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.last_path, "window_step_vector");
    teacher_close(&t);

    ck_assert_int_eq(teacher_open(&t, CONFIG("[0.1, -0.2]", "0")), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.last_path, "step_rate");
    teacher_close(&t);
}
END_TEST

START_TEST(test_rejects_nan_task)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("[0.1, -0.2]", "50")), TK_OK);
    const float bad[2] = {NAN, 1.0f};
    ck_assert_int_eq(t.vt->update(t.self, bad, 100.0, 0), TK_ERR_INVALID);
    teacher_close(&t);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ORACLE_PLUGIN.so\n", argv[0]);
        return EXIT_FAILURE;
    }
    g_plugin = argv[1];
    Suite *s = suite_create("oracle");
    TCase *tc = tcase_create("abi");
    tcase_add_test(tc, test_descriptor);
    tcase_add_test(tc, test_initial_window_and_samples);
    tcase_add_test(tc, test_moves_exactly_when_mean_exceeds_threshold);
    tcase_add_test(tc, test_clamps_at_bounds);
    tcase_add_test(tc, test_negative_steps_move_down);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_rejects_nan_task);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
