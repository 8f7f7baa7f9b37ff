/*
 * goal-gan teacher (TeachMyAgent TeachMyAgent/teachers/algos/goal_gan.py).
 *
 * GAN (extension "teachkit.goal-gan.gan/1"): on a synthetic labelling
 * (goals with x0 < 0.3 good, the rest bad) training moves the generator's
 * samples towards the good region.
 * Plugin ABI: the success definition is required and named; every new goal
 * is repeated n_rollouts times; goals solved on every rollout enter the
 * success buffer, which is then replayed; the GAN trains every update_size
 * labelled goals when one label is positive; snapshots are "samples" with
 * 100 points and do not consume the curriculum's stream; checkpoints
 * restore the exact continuation and reject foreign bytes.
 * argv[1] = goal-gan plugin.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/teachers/goal_gan/goal_gan.h"
#include "check_main.h"
#include "plugin_fixtures.h"

static const char *g_plugin;
static const tk_dim g_dims[2] = {{"x0", 0.0, 1.0}, {"x1", 0.0, 1.0}};
static const tk_task_space g_space = {2, g_dims};

typedef tk_teacher_fx teacher;

static tk_status teacher_open(teacher *t, const char *overrides, uint64_t seed)
{
    return tk_teacher_fx_open_merged(t, g_plugin, "goal-gan", seed, &g_space, overrides);
}

static const goal_gan_api *gan(teacher *t)
{
    const goal_gan_api *api = t->vt->get_extension(t->self, GOAL_GAN_EXT_ID);
    ck_assert_ptr_nonnull(api);
    ck_assert_uint_ge(api->struct_size, sizeof *api);
    return api;
}

static double good_fraction(teacher *t, size_t n)
{
    float *g = malloc(n * 2 * sizeof *g);
    ck_assert_int_eq(gan(t)->generate(t->self, g, n), 0);
    size_t good = 0;
    for (size_t k = 0; k < n; k++)
        good += g[2 * k] < 0.3f;
    free(g);
    return (double)good / (double)n;
}

START_TEST(test_success_required)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{}", 1), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "success");
    ck_assert_ptr_nonnull(strstr(t.h.ctx.err_message, "is required"));
    tk_teacher_fx_close(&t);
    ck_assert_int_eq(teacher_open(&t, "{\"success\": \"always\"}", 1), TK_ERR_CONFIG);
    tk_teacher_fx_close(&t);
    ck_assert_int_eq(teacher_open(&t, "{\"success\": {\"return_above\": 0.5}, \"goid_lb\": 0.9}",
                                  1),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "goid_lb");
    tk_teacher_fx_close(&t);
    ck_assert_int_eq(teacher_open(&t, "{\"success\": {\"return_above\": 0.5}}", 1), TK_OK);
    const char *const *f = t.h.desc->features;
    int needs = 0;
    for (; f && *f; f++)
        needs |= strcmp(*f, "needs-success") == 0;
    ck_assert(needs);
    tk_teacher_fx_close(&t);
}
END_TEST

/* Synthetic labelling: 256 goals on a grid, good iff x0 < 0.3. */
START_TEST(test_generator_moves_to_good_goals)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"success\": \"env\"}", 3), TK_OK);
    const double before = good_fraction(&t, 512);
    float goals[256 * 2];
    int labels[256];
    for (int k = 0; k < 256; k++) {
        goals[2 * k] = (float)((k % 16) + 0.5) / 16.0f;
        goals[2 * k + 1] = (float)((k / 16) + 0.5) / 16.0f;
        labels[k] = goals[2 * k] < 0.3f;
    }
    ck_assert_int_eq(gan(&t)->train(t.self, goals, labels, 256, 500), 0);
    const double after = good_fraction(&t, 512);
    fprintf(stderr, "good fraction %.3f -> %.3f\n", before, after);
    ck_assert_msg(after > 0.6 && after > before + 0.2,
                  "good fraction %.3f before, %.3f after training", before, after);
    tk_teacher_fx_close(&t);
}
END_TEST

/* Success always for x0 >= 0.5 (solved goals), else on the first rollout
 * of a goal only (intermediate goals). */
START_TEST(test_rollouts_buffer_training)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, "{\"success\": \"env\", \"update_size\": 20, "
                                      "\"gan_iterations\": 5, \"generator_hidden\": 16, "
                                      "\"discriminator_hidden\": 16, \"p_old\": 0.5}",
                                  5),
                     TK_OK);
    const goal_gan_api *api = gan(&t);
    float task[2], prev[2] = {-1, -1};
    int first = 1, repeats = 0;
    for (int e = 0; e < 400; e++) {
        ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
        ck_assert(task[0] >= 0.0f && task[0] <= 1.0f && task[1] >= 0.0f && task[1] <= 1.0f);
        const int same = memcmp(task, prev, sizeof task) == 0;
        repeats += same;
        const int ok = task[0] >= 0.5f || !same;
        ck_assert_int_eq(t.vt->update(t.self, task, 0.0, ok), TK_OK);
        memcpy(prev, task, sizeof task);
        (void)first;
    }
    ck_assert_int_gt(repeats, 50);
    ck_assert_uint_gt(api->success_buffer_size(t.self), 0);
    ck_assert_uint_gt(api->trainings(t.self), 0);
    ck_assert_uint_lt(api->pending_size(t.self), 5);
    tk_teacher_fx_close(&t);
}
END_TEST

/* initial_dist is read as adr, currot and spdl read theirs: the path of the
 * first bad member, std > 0, mean required. */
START_TEST(test_initial_dist_errors)
{
    static const struct {
        const char *dist, *path;
    } BAD[] = {{"{\"mean\": [0.1, 0.1], \"std\": [0.05, 0]}", "initial_dist.std[1]"},
               {"{\"mean\": [0.1]}", "initial_dist.mean"},
               {"{\"std\": [0.05, 0.05]}", "initial_dist.mean"},
               {"{\"mean\": [0.1, 0.1], \"cov\": [[1, 0], [0, 1]]}", "initial_dist"},
               {"[0.1, 0.1]", "initial_dist"}};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char cfg[256];
        snprintf(cfg, sizeof cfg,
                 "{\"success\": \"env\", \"use_pretrained_samples\": true, "
                 "\"pretrain_iterations\": 1, \"initial_dist\": %s}",
                 BAD[i].dist);
        teacher t;
        ck_assert_int_eq(teacher_open(&t, cfg, 1), TK_ERR_CONFIG);
        ck_assert_str_eq(t.h.ctx.err_path, BAD[i].path);
        tk_teacher_fx_close(&t);
    }
}
END_TEST

START_TEST(test_snapshot_and_checkpoint)
{
    const char *cfg = "{\"success\": \"env\", \"update_size\": 10, \"gan_iterations\": 3, "
                      "\"generator_hidden\": 8, \"discriminator_hidden\": 8, "
                      "\"use_pretrained_samples\": true, \"pretrain_iterations\": 5, "
                      "\"initial_dist\": {\"mean\": [0.1, 0.1], \"std\": [0.05, 0.05]}}";
    teacher a, b;
    ck_assert_int_eq(teacher_open(&a, cfg, 9), TK_OK);
    float task[2], tb[2];
    for (int e = 0; e < 101; e++) {
        ck_assert_int_eq(a.vt->sample(a.self, task), TK_OK);
        ck_assert_int_eq(a.vt->update(a.self, task, 0.0, task[0] < 0.3f && e % 3), TK_OK);
    }
    /* snapshot: samples, 100 points, the curriculum stream untouched */
    const tk_rng before = a.h.ctx.rng;
    json_t *root = tk_teacher_fx_snapshot(&a, "samples");
    ck_assert_mem_eq(&before, &a.h.ctx.rng, sizeof before);
    ck_assert_uint_eq(json_array_size(json_object_get(root, "points")), 100);
    ck_assert_uint_eq(json_array_size(json_array_get(json_object_get(root, "points"), 0)), 2);
    json_decref(root);
    /* checkpoint: same continuation */
    const void *data;
    size_t size;
    ck_assert_int_eq(a.vt->save(a.self, &data, &size), TK_OK);
    ck_assert_int_eq(teacher_open(&b, cfg, 1234), TK_OK);
    ck_assert_int_eq(b.vt->load(b.self, data, size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng;
    for (int e = 0; e < 60; e++) {
        ck_assert_int_eq(a.vt->sample(a.self, task), TK_OK);
        ck_assert_int_eq(b.vt->sample(b.self, tb), TK_OK);
        ck_assert_mem_eq(task, tb, sizeof task);
        const int ok = task[0] < 0.3f && e % 2;
        ck_assert_int_eq(a.vt->update(a.self, task, 0.0, ok), TK_OK);
        ck_assert_int_eq(b.vt->update(b.self, tb, 0.0, ok), TK_OK);
    }
    /* truncated and foreign bytes are refused */
    ck_assert_int_eq(a.vt->save(a.self, &data, &size), TK_OK);
    ck_assert_int_eq(b.vt->load(b.self, data, size - 1), TK_ERR_INVALID);
    ck_assert_int_eq(b.vt->load(b.self, "ADR_xxxxxxxx", 12), TK_ERR_INVALID);
    tk_teacher_fx_close(&a);
    tk_teacher_fx_close(&b);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s GOAL_GAN_PLUGIN\n", argv[0]);
        return 2;
    }
    g_plugin = argv[1];
    Suite *s = suite_create("goal_gan");
    TCase *tc = tk_check_tcase(s, "core", 120);
    tcase_add_test(tc, test_success_required);
    tcase_add_test(tc, test_generator_moves_to_good_goals);
    tcase_add_test(tc, test_rollouts_buffer_training);
    tcase_add_test(tc, test_initial_dist_errors);
    tcase_add_test(tc, test_snapshot_and_checkpoint);
    return tk_check_run(s);
}
