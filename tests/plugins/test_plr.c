/*
 * plr, robust-plr and accel (Prioritized Level Replay and its successors;
 * facebookresearch/dcd level_replay/level_sampler.py): the replay
 * distribution, the buffer and accel's edits against hand-computed values, levels through the ABI (new levels with
 * fresh seeds, replays of buffered levels, robust-plr's no-learn mark),
 * the score keys, and checkpoints.
 * argv[1] = plr plugin, argv[2] = toy-grid plugin (unused).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "checkpoint_checks.h"
#include "plr_buffer.h"
#include "plr_edit.h"
#include "plr_weights.h"
#include "plugin_fixtures.h"
#include "teachkit/rng.h"

static const char *g_plugin;

static const tk_dim g_dims[2] = {{"a", 0.0, 1.0}, {"b", -2.0, 2.0}};
static const tk_task_space g_space = {2, g_dims};

/* ----------------------------------------------------------- arithmetic */

START_TEST(rank_weights_by_hand)
{
    /* Scores 0.2, 0.5, 0.1 rank 2, 1, 3.  beta = 1: h = 1/2, 1, 1/3, sum
     * 11/6, so P_S = 3/11, 6/11, 2/11.  beta = 0.5: h^2 = 1/4, 1, 1/9, sum
     * 49/36, so P_S = 9/49, 36/49, 4/49. */
    const double scores[3] = {0.2, 0.5, 0.1};
    plr_ranked order[3];
    double w[3];
    plr_rank_weights(scores, 3, 1.0, order, w);
    ck_assert_double_eq_tol(w[0], 3.0 / 11.0, 1e-12);
    ck_assert_double_eq_tol(w[1], 6.0 / 11.0, 1e-12);
    ck_assert_double_eq_tol(w[2], 2.0 / 11.0, 1e-12);
    plr_rank_weights(scores, 3, 0.5, order, w);
    ck_assert_double_eq_tol(w[0], 9.0 / 49.0, 1e-12);
    ck_assert_double_eq_tol(w[1], 36.0 / 49.0, 1e-12);
    ck_assert_double_eq_tol(w[2], 4.0 / 49.0, 1e-12);
    /* Ties rank in index order: 1, 1, 0 -> ranks 1, 2, 3. */
    const double tied[3] = {1.0, 1.0, 0.0};
    plr_rank_weights(tied, 3, 1.0, order, w);
    ck_assert_double_eq_tol(w[0], 6.0 / 11.0, 1e-12);
    ck_assert_double_eq_tol(w[1], 3.0 / 11.0, 1e-12);
    ck_assert_double_eq_tol(w[2], 2.0 / 11.0, 1e-12);
}
END_TEST

/* A buffer with many ties gets, bit for bit, the weights of the ranks
 * counted one by one: rank(i) = 1 + #{j: S_j > S_i} + #{j < i: S_j = S_i}. */
START_TEST(rank_weights_break_ties_by_index)
{
    enum { N = 300 };
    double scores[N], w[N], expected[N], z = 0.0;
    plr_ranked order[N];
    for (size_t i = 0; i < N; i++)
        scores[i] = (double)((i * 7919) % 13) * 0.25; /* 13 values, about 23 times each */
    for (size_t i = 0; i < N; i++) {
        size_t rank = 1;
        for (size_t j = 0; j < N; j++)
            rank += scores[j] > scores[i] || (j < i && scores[j] == scores[i]);
        expected[i] = pow(1.0 / (double)rank, 1.0 / 0.3);
    }
    /* Summed in rank order, as plr_rank_weights sums them. */
    for (size_t r = 1; r <= N; r++)
        z += pow(1.0 / (double)r, 1.0 / 0.3);
    plr_rank_weights(scores, N, 0.3, order, w);
    for (size_t i = 0; i < N; i++)
        ck_assert_msg(w[i] == expected[i] / z, "level %zu: %.17g, expected %.17g", i, w[i],
                      expected[i] / z);
}
END_TEST

START_TEST(staleness_mixing_by_hand)
{
    /* Staleness 1, 0, 3: P_C = 1/4, 0, 3/4; rho = 0.5 with P_S above:
     * 0.5 * 3/11 + 1/8, 0.5 * 6/11, 0.5 * 2/11 + 3/8. */
    const double scores[3] = {0.2, 0.5, 0.1}, stale[3] = {1.0, 0.0, 3.0};
    plr_ranked order[3];
    double scratch[3], w[3];
    plr_replay_weights(scores, stale, 3, 1.0, 0.5, 1.0, order, scratch, w);
    ck_assert_double_eq_tol(w[0], 1.5 / 11.0 + 0.125, 1e-12);
    ck_assert_double_eq_tol(w[1], 3.0 / 11.0, 1e-12);
    ck_assert_double_eq_tol(w[2], 1.0 / 11.0 + 0.375, 1e-12);
    ck_assert_double_eq_tol(w[0] + w[1] + w[2], 1.0, 1e-12);
    /* No staleness yet: P_C is uniform. */
    const double fresh[3] = {0.0, 0.0, 0.0};
    plr_staleness_weights(fresh, 3, 1.0, w);
    ck_assert_double_eq_tol(w[1], 1.0 / 3.0, 1e-12);
    /* Staleness temperature 0.5 squares: 1, 0, 9 -> 1/10, 0, 9/10. */
    plr_staleness_weights(stale, 3, 0.5, w);
    ck_assert_double_eq_tol(w[0], 0.1, 1e-12);
    ck_assert_double_eq_tol(w[2], 0.9, 1e-12);
}
END_TEST

START_TEST(buffer_keeps_the_learnable_levels)
{
    plr_buffer b;
    ck_assert_int_eq(plr_buffer_init(&b, 2, 2), 0);
    const float ta[2] = {0.1f, 0.2f}, tb[2] = {0.3f, 0.4f}, tc[2] = {0.5f, 0.6f};
    ck_assert_int_eq(plr_buffer_offer(&b, ta, 11, 0.3, 1.0), 0);
    ck_assert_int_eq(plr_buffer_offer(&b, tb, 22, 0.1, 2.0), 1);
    /* Replaying level 0 makes level 1 staler. */
    plr_buffer_touch(&b, 0);
    ck_assert_double_eq(b.staleness[0], 0.0);
    ck_assert_double_eq(b.staleness[1], 1.0);
    /* Full: rank P_S = 2/3, 1/3, P_C = 0, 1; rho 0.1 -> 0.6, 0.4: level 1
     * has the least support.  Score 0.05 < 0.1 is not kept; 0.2 replaces it. */
    plr_buffer_weights(&b, 1.0, 0.1, 1.0);
    ck_assert_double_eq_tol(b.weights[0], 0.6, 1e-12);
    ck_assert_double_eq_tol(b.weights[1], 0.4, 1e-12);
    ck_assert_int_eq(plr_buffer_offer(&b, tc, 33, 0.05, 0.0), -1);
    ck_assert_int_eq(plr_buffer_offer(&b, tc, 33, 0.2, 3.0), 1);
    ck_assert_uint_eq(b.seed[1], 33);
    ck_assert_double_eq(b.max_return[1], 3.0);
    ck_assert_double_eq(b.staleness[1], 0.0);
    ck_assert_mem_eq(b.task + 2, tc, sizeof tc);
    plr_buffer_free(&b);
}
END_TEST

START_TEST(edits_stay_in_the_box)
{
    static const tk_dim dims[3] = {{"a", 0.0, 1.0}, {"b", -2.0, 2.0}, {"c", 3.0, 3.0}};
    const tk_task_space space = {3, dims};
    tk_rng rng;
    tk_rng_seed(&rng, 9);
    /* Scale 0: nothing moves. */
    float task[3] = {0.5f, 0.0f, 3.0f};
    plr_edit_task(&rng, &space, 5, 0.0, task);
    ck_assert(task[0] == 0.5f && task[1] == 0.0f && task[2] == 3.0f);
    /* One edit changes at most one dimension; the degenerate one never. */
    for (int k = 0; k < 200; k++) {
        float e[3] = {0.5f, 0.0f, 3.0f};
        plr_edit_task(&rng, &space, 1, 0.1, e);
        ck_assert_int_le((e[0] != 0.5f) + (e[1] != 0.0f), 1);
        ck_assert(e[2] == 3.0f);
    }
    /* A huge step lands on a bound exactly. */
    int at_bound = 0;
    for (int k = 0; k < 200; k++) {
        float e[3] = {0.5f, 0.0f, 3.0f};
        plr_edit_task(&rng, &space, 3, 1000.0, e);
        ck_assert(e[0] >= 0.0f && e[0] <= 1.0f && e[1] >= -2.0f && e[1] <= 2.0f);
        at_bound += e[0] == 0.0f || e[0] == 1.0f || e[1] == -2.0f || e[1] == 2.0f;
    }
    ck_assert_int_gt(at_bound, 150);
}
END_TEST

/* ------------------------------------------------------------------ ABI */

typedef tk_teacher_fx teacher;

static tk_episode_scores pvl_scores(double pvl)
{
    tk_episode_scores sc;
    memset(&sc, 0, sizeof sc);
    sc.struct_size = sizeof sc;
    sc.present = TK_SCORE_POSITIVE_VALUE_LOSS;
    sc.positive_value_loss = pvl;
    return sc;
}

static tk_level fresh_level(void)
{
    tk_level l;
    memset(&l, 0, sizeof l);
    l.struct_size = sizeof l;
    return l;
}

/* One episode: sample_level, update, update_scores with a score that
 * depends on the task (high for small `a`). */
static tk_level play(teacher *t, float *task)
{
    tk_level l = fresh_level();
    ck_assert_int_eq(t->vt->sample_level(t->self, task, &l), TK_OK);
    ck_assert_int_eq(t->vt->update(t->self, task, 0.5, 0), TK_OK);
    const tk_episode_scores sc = pvl_scores(1.0 - (double)task[0]);
    ck_assert_int_eq(t->vt->update_scores(t->self, task, &sc), TK_OK);
    return l;
}

START_TEST(levels_new_then_replayed)
{
    teacher t;
    ck_assert_int_eq(tk_teacher_fx_open_merged(&t, g_plugin, "robust-plr", 3, &g_space,
                                               "{\"buffer_size\": 4}"),
                     TK_OK);
    ck_assert(tk_descriptor_has_feature(t.h.desc, TK_FEATURE_NO_LEARN_EPISODES));
    float seen_task[256][2];
    uint64_t seen_seed[256];
    size_t n_new = 0, replays = 0;
    for (int e = 0; e < 200; e++) {
        float task[2];
        tk_level l = play(&t, task);
        ck_assert_uint_eq(l.has_seed, 1);
        ck_assert(task[0] >= 0.0f && task[0] <= 1.0f && task[1] >= -2.0f && task[1] <= 2.0f);
        int known = 0;
        for (size_t i = 0; i < n_new; i++)
            known |= seen_seed[i] == l.seed && memcmp(seen_task[i], task, sizeof task) == 0;
        if (l.no_learn) { /* robust-plr: every new level, and only those */
            ck_assert(!known);
            if (n_new < 256) {
                memcpy(seen_task[n_new], task, sizeof task);
                seen_seed[n_new++] = l.seed;
            }
        } else {
            ck_assert_msg(known, "a replay at episode %d is not a level played before", e);
            replays++;
        }
    }
    /* Proportionate schedule with the buffer full: replay_prob 0.5. */
    ck_assert_msg(replays > 60 && replays < 140, "%zu replays in 200 episodes", replays);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(plr_learns_from_new_levels)
{
    teacher t;
    ck_assert_int_eq(tk_teacher_fx_open(&t, g_plugin, "plr", 3, &g_space, NULL), TK_OK);
    ck_assert(!tk_descriptor_has_feature(t.h.desc, TK_FEATURE_NO_LEARN_EPISODES));
    for (int e = 0; e < 50; e++) {
        float task[2];
        ck_assert_uint_eq(play(&t, task).no_learn, 0);
    }
    tk_teacher_fx_close(&t);
}
END_TEST

/* accel: after each replay comes a no-learn edit of the replayed level,
 * with its seed and at most num_edits changed dimensions. */
START_TEST(accel_edits_replayed_levels)
{
    teacher t;
    ck_assert_int_eq(tk_teacher_fx_open_merged(&t, g_plugin, "accel", 4, &g_space,
                                               "{\"buffer_size\": 4, \"num_edits\": 1}"),
                     TK_OK);
    float prev[2] = {0, 0};
    tk_level prev_level = fresh_level();
    int replays = 0, edits = 0;
    for (int e = 0; e < 200; e++) {
        float task[2];
        const tk_level l = play(&t, task);
        if (e > 0 && !prev_level.no_learn) { /* the previous episode was a replay */
            ck_assert_uint_eq(l.no_learn, 1);
            ck_assert_uint_eq(l.seed, prev_level.seed);
            ck_assert_int_le((task[0] != prev[0]) + (task[1] != prev[1]), 1);
            edits++;
        }
        replays += !l.no_learn;
        memcpy(prev, task, sizeof prev);
        prev_level = l;
    }
    ck_assert_int_gt(replays, 30);
    ck_assert_int_ge(edits, replays - 1);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(missing_score_is_an_error)
{
    teacher t;
    ck_assert_int_eq(tk_teacher_fx_open_merged(&t, g_plugin, "plr", 3, &g_space,
                                               "{\"score\": \"max_mc\"}"),
                     TK_OK);
    float task[2];
    tk_level l = fresh_level();
    ck_assert_int_eq(t.vt->sample_level(t.self, task, &l), TK_OK);
    ck_assert_int_eq(t.vt->update(t.self, task, 0.5, 0), TK_OK);
    const tk_episode_scores sc = pvl_scores(0.3); /* no mean value / return */
    ck_assert_int_eq(t.vt->update_scores(t.self, task, &sc), TK_ERR_UNSUPPORTED);
    tk_teacher_fx_close(&t);
    ck_assert_int_eq(tk_teacher_fx_open_merged(&t, g_plugin, "plr", 3, &g_space,
                                               "{\"score\": \"maxmc\"}"),
                     TK_ERR_CONFIG);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(checkpoint_round_trip)
{
    teacher a, b;
    const char *cfg = "{\"buffer_size\": 8}";
    ck_assert_int_eq(tk_teacher_fx_open_merged(&a, g_plugin, "accel", 21, &g_space, cfg),
                     TK_OK);
    float ta[2], tb[2];
    for (int i = 0; i < 40; i++)
        play(&a, ta);
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&a, &size);
    ck_assert_int_eq(tk_teacher_fx_open_merged(&b, g_plugin, "accel", 99, &g_space, cfg),
                     TK_OK);
    ck_assert_int_eq(b.vt->load(b.self, bytes, size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng;
    for (int i = 0; i < 100; i++) {
        const tk_level la = play(&a, ta), lb = play(&b, tb);
        ck_assert_mem_eq(ta, tb, sizeof ta);
        ck_assert_uint_eq(la.seed, lb.seed);
        ck_assert_uint_eq(la.no_learn, lb.no_learn);
    }
    tk_ckpt_same_saved(&a, &b, "after 100 more episodes");
    tk_ckpt_refused(&b, "RAND\1\0\0\0", 8, "another plugin's tag");
    free(bytes);
    tk_teacher_fx_close(&a);
    tk_teacher_fx_close(&b);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PLR_PLUGIN.so [TOY_GRID_PLUGIN.so]\n", argv[0]);
        return EXIT_FAILURE;
    }
    g_plugin = argv[1];
    Suite *s = suite_create("plr");
    TCase *tc = tk_check_tcase(s, "arithmetic", 0);
    tcase_add_test(tc, rank_weights_by_hand);
    tcase_add_test(tc, rank_weights_break_ties_by_index);
    tcase_add_test(tc, staleness_mixing_by_hand);
    tcase_add_test(tc, buffer_keeps_the_learnable_levels);
    tcase_add_test(tc, edits_stay_in_the_box);
    TCase *abi = tk_check_tcase(s, "abi", 120);
    tcase_add_test(abi, levels_new_then_replayed);
    tcase_add_test(abi, plr_learns_from_new_levels);
    tcase_add_test(abi, accel_edits_replayed_levels);
    tcase_add_test(abi, missing_score_is_an_error);
    tcase_add_test(abi, checkpoint_round_trip);
    return tk_check_run(s);
}
