/*
 * oracle teacher through the plugin ABI (teachDeepRL
 * teachDRL/teachers/algos/oracle_teacher.py): the window starts at the right
 * end, moves by its step exactly when the mean of step_rate raw returns
 * exceeds reward_thr, clamps at the bounds, and a missing window_step_vector
 * is a config error naming the key; checkpoints round-trip and refuse bad
 * data.
 * argv[1] = oracle plugin.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "checkpoint_checks.h"
#include "plugin_fixtures.h"
#include "teachkit/rng.h"

static const char *g_plugin;

/* Stump Tracks bounds and the step vector of teachDeepRL's run.py. */
static const tk_dim g_dims[2] = {{"stump_height", 0.0, 3.0}, {"obstacle_spacing", 0.0, 6.0}};
static const tk_task_space g_space = {2, g_dims};

typedef tk_teacher_fx teacher;

static tk_status teacher_open(teacher *t, const char *config)
{
    return tk_teacher_fx_open(t, g_plugin, "oracle", 5, &g_space, config);
}

/* The window from the snapshot. */
static void window(teacher *t, double low[2], double high[2])
{
    json_t *root = tk_teacher_fx_snapshot(t, "window");
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
    tk_teacher_fx_close(&t);
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
    tk_teacher_fx_close(&t);
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
    tk_teacher_fx_close(&t);
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
    tk_teacher_fx_close(&t);
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
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_config_errors)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("null", "50")), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "window_step_vector");
    ck_assert_ptr_nonnull(strstr(t.h.ctx.err_message, "required"));
    tk_teacher_fx_close(&t);

    ck_assert_int_eq(teacher_open(&t, "{\"reward_thr\": 230.0, \"step_rate\": 50, "
                                      "\"window_size_ratio\": 0.2}"),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "window_step_vector");
    tk_teacher_fx_close(&t);

    ck_assert_int_eq(teacher_open(&t, CONFIG("[0.1]", "50")), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "window_step_vector");
    tk_teacher_fx_close(&t);

    ck_assert_int_eq(teacher_open(&t, CONFIG("[0.1, -0.2]", "0")), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "step_rate");
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_rejects_nan_task)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("[0.1, -0.2]", "50")), TK_OK);
    const float bad[2] = {NAN, 1.0f};
    ck_assert_int_eq(t.vt->update(t.self, bad, 100.0, 0), TK_ERR_INVALID);
    tk_teacher_fx_close(&t);
}
END_TEST

/* ------------------------------------------------------------- checkpoints */

/* Raw return of the round-trip learner: above reward_thr (230) on most
 * blocks of 50 episodes, so the window moves, and not on every one. */
static double ckpt_return(int episode, const float *task)
{
    return (episode / 70) % 3 == 0 ? 100.0 + task[0] : 300.0 - task[1];
}

static void ckpt_episode(teacher *t, int episode, float *task)
{
    ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
    ck_assert_int_eq(t->vt->update(t->self, task, ckpt_return(episode, task), 0), TK_OK);
}

/* Saved after 437 episodes (mid-way through a step_rate block), loaded into
 * a new instance: with the host stream copied, both sample the same tasks
 * and show the same window for 1500 more episodes, and save the same bytes. */
START_TEST(test_checkpoint_round_trip)
{
    teacher a, b;
    ck_assert_int_eq(teacher_open(&a, CONFIG("[0.1, -0.2]", "50")), TK_OK);
    float ta[2], tb[2];
    int episode = 0;
    for (; episode < 437; episode++)
        ckpt_episode(&a, episode, ta);
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&a, &size);
    ck_assert_int_eq(teacher_open(&b, CONFIG("[0.1, -0.2]", "50")), TK_OK);
    tk_rng_seed(&b.h.ctx.rng, 99);
    ck_assert_int_eq(b.vt->load(b.self, bytes, size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng;
    double la[2], ha[2], lb[2], hb[2];
    for (; episode < 437 + 1500; episode++) {
        ckpt_episode(&a, episode, ta);
        ckpt_episode(&b, episode, tb);
        ck_assert_mem_eq(ta, tb, sizeof ta);
        if (episode % 100 == 0) {
            window(&a, la, ha);
            window(&b, lb, hb);
            ck_assert_mem_eq(la, lb, sizeof la);
            ck_assert_mem_eq(ha, hb, sizeof ha);
        }
    }
    window(&a, la, ha);
    ck_assert(la[0] > 0.5); /* the window did move */
    free(bytes);
    tk_ckpt_same_saved(&a, &b, "after the round trip");
    tk_teacher_fx_close(&a);
    tk_teacher_fx_close(&b);
}
END_TEST

START_TEST(test_checkpoint_rejects_bad_data)
{
    teacher t, other;
    ck_assert_int_eq(teacher_open(&t, CONFIG("[0.1, -0.2]", "50")), TK_OK);
    float task[2];
    for (int episode = 0; episode < 120; episode++)
        ckpt_episode(&t, episode, task);
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&t, &size);
    tk_ckpt_rejects_bad_data(&t, bytes, size);
    /* Another step_rate: the state belongs to another configuration. */
    ck_assert_int_eq(teacher_open(&other, CONFIG("[0.1, -0.2]", "40")), TK_OK);
    tk_ckpt_refused(&other, bytes, size, "another config's state");
    tk_teacher_fx_close(&other);
    free(bytes);
    tk_teacher_fx_close(&t);
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
    TCase *tc = tk_check_tcase(s, "abi", 0);
    tcase_add_test(tc, test_descriptor);
    tcase_add_test(tc, test_initial_window_and_samples);
    tcase_add_test(tc, test_moves_exactly_when_mean_exceeds_threshold);
    tcase_add_test(tc, test_clamps_at_bounds);
    tcase_add_test(tc, test_negative_steps_move_down);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_rejects_nan_task);
    tcase_add_test(tc, test_checkpoint_round_trip);
    tcase_add_test(tc, test_checkpoint_rejects_bad_data);
    return tk_check_run(s);
}
