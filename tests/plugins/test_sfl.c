/*
 * sfl (Sampling For Learnability; amacrutherford/sampling-for-learnability
 * sfl/train/jaxnav_sfl.py): learnability and the top-K selection against
 * hand-computed values, the evaluation / training schedule through the ABI
 * (no-learn evaluation episodes, a buffer of the most learnable levels),
 * and checkpoints.
 * argv[1] = sfl plugin, argv[2] = toy-grid plugin (unused).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "checkpoint_checks.h"
#include "plugin_fixtures.h"
#include "sfl_select.h"

static const char *g_plugin;

static const tk_dim g_dims[2] = {{"a", 0.0, 1.0}, {"b", -2.0, 2.0}};
static const tk_task_space g_space = {2, g_dims};

START_TEST(learnability_by_hand)
{
    ck_assert_double_eq_tol(sfl_learnability(3, 4), 0.75 * 0.25, 1e-15);
    ck_assert_double_eq(sfl_learnability(0, 0), 0.0);
    ck_assert_double_eq(sfl_learnability(2, 2), 0.0);
    ck_assert_double_eq(sfl_learnability(0, 5), 0.0);
    ck_assert_double_eq_tol(sfl_learnability(1, 2), 0.25, 1e-15);
    /* Highest first, ties in index order. */
    const double l[5] = {0.1, 0.25, 0.0, 0.25, 0.1875};
    size_t order[5], top[3];
    sfl_top_k(l, 5, 3, order, top);
    ck_assert_uint_eq(top[0], 1);
    ck_assert_uint_eq(top[1], 3);
    ck_assert_uint_eq(top[2], 4);
}
END_TEST

typedef tk_teacher_fx teacher;

static const char *small = "{\"num_candidates\": 4, \"episodes_per_candidate\": 2, "
                           "\"buffer_size\": 2, \"refresh_every\": 5, \"buffer_prob\": 1.0}";

static tk_level episode(teacher *t, float *task, int success)
{
    tk_level l;
    memset(&l, 0, sizeof l);
    l.struct_size = sizeof l;
    ck_assert_int_eq(t->vt->sample_level(t->self, task, &l), TK_OK);
    ck_assert_int_eq(t->vt->update(t->self, task, 0.5, success), TK_OK);
    return l;
}

START_TEST(schedule_and_buffer)
{
    teacher t;
    ck_assert_int_eq(tk_teacher_fx_open_merged(&t, g_plugin, "sfl", 3, &g_space, small), TK_OK);
    ck_assert(tk_descriptor_has_feature(t.h.desc, TK_FEATURE_NO_LEARN_EPISODES));
    /* Evaluation: candidate c twice; successes (1,1) (1,0) (0,0) (0,1) give
     * learnability 0, 1/4, 0, 1/4: the buffer is candidates 1 and 3. */
    static const int outcome[8] = {1, 1, 1, 0, 0, 0, 0, 1};
    float cand[4][2];
    uint64_t seed[4];
    for (int e = 0; e < 8; e++) {
        float task[2];
        const tk_level l = episode(&t, task, outcome[e]);
        ck_assert_uint_eq(l.no_learn, 1);
        ck_assert_uint_eq(l.has_seed, 1);
        if (e % 2 == 0) {
            memcpy(cand[e / 2], task, sizeof task);
            seed[e / 2] = l.seed;
        } else {
            ck_assert_mem_eq(task, cand[e / 2], sizeof task);
            ck_assert_uint_eq(l.seed, seed[e / 2]);
        }
    }
    int seen[4] = {0, 0, 0, 0};
    for (int e = 0; e < 5; e++) { /* training: buffer_prob 1 */
        float task[2];
        const tk_level l = episode(&t, task, 0);
        ck_assert_uint_eq(l.no_learn, 0);
        int which = -1;
        for (int c = 0; c < 4; c++)
            if (memcmp(task, cand[c], sizeof task) == 0 && l.seed == seed[c])
                which = c;
        ck_assert_msg(which == 1 || which == 3, "training level is candidate %d", which);
        seen[which]++;
    }
    float task[2];
    ck_assert_uint_eq(episode(&t, task, 0).no_learn, 1); /* the next evaluation */
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(checkpoint_round_trip)
{
    teacher a, b;
    ck_assert_int_eq(tk_teacher_fx_open_merged(&a, g_plugin, "sfl", 21, &g_space, small), TK_OK);
    float ta[2], tb[2];
    for (int i = 0; i < 11; i++) /* inside the first training phase */
        episode(&a, ta, i % 3 == 0);
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&a, &size);
    ck_assert_int_eq(tk_teacher_fx_open_merged(&b, g_plugin, "sfl", 99, &g_space, small), TK_OK);
    ck_assert_int_eq(b.vt->load(b.self, bytes, size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng;
    for (int i = 0; i < 60; i++) {
        const tk_level la = episode(&a, ta, i % 4 == 0), lb = episode(&b, tb, i % 4 == 0);
        ck_assert_mem_eq(ta, tb, sizeof ta);
        ck_assert_uint_eq(la.seed, lb.seed);
        ck_assert_uint_eq(la.no_learn, lb.no_learn);
    }
    tk_ckpt_same_saved(&a, &b, "after 60 more episodes");
    tk_ckpt_refused(&b, "RAND\1\0\0\0", 8, "another plugin's tag");
    free(bytes);
    tk_teacher_fx_close(&a);
    tk_teacher_fx_close(&b);
}
END_TEST

START_TEST(config_errors)
{
    teacher t;
    ck_assert_int_eq(tk_teacher_fx_open_merged(&t, g_plugin, "sfl", 1, &g_space,
                                               "{\"num_candidates\": 4, \"buffer_size\": 5}"),
                     TK_ERR_CONFIG);
    tk_teacher_fx_close(&t);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SFL_PLUGIN.so [TOY_GRID_PLUGIN.so]\n", argv[0]);
        return EXIT_FAILURE;
    }
    g_plugin = argv[1];
    Suite *s = suite_create("sfl");
    TCase *tc = tk_check_tcase(s, "sfl", 60);
    tcase_add_test(tc, learnability_by_hand);
    tcase_add_test(tc, schedule_and_buffer);
    tcase_add_test(tc, checkpoint_round_trip);
    tcase_add_test(tc, config_errors);
    return tk_check_run(s);
}
