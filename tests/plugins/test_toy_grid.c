/*
 * toy-grid environment through the plugin ABI (teachDeepRL teachDRL/toy_env/toy_env.py):
 * the learning rule, unlocking by previous neighbours, strict mastery in
 * evaluate(), distractor dimensions, task validation, bin edges, no-learn
 * episodes (ABI 1.3 begin_episode), the profile keys (learnable_fraction,
 * trivial_fraction, competence_gain) against hand-computed grids, and
 * checkpoints (save/load round trip, bad data refused).
 * argv[1] = the toy-grid plugin.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "checkpoint_checks.h"
#include "plugin_fixtures.h"
#include "teachkit/rng.h"

static const char *g_plugin;

typedef tk_env_fx toy;

static tk_status toy_open(toy *t, const char *config)
{
    return tk_env_fx_open(t, g_plugin, "toy-grid", 1, config);
}

/* One episode on `task`, begun with `told` when not NULL (ABI 1.3
 * begin_episode); returns the reward (competence / 100). */
static double episode_with(toy *t, const float *task, const tk_episode_options *told)
{
    ck_assert_int_eq(t->vt->set_task(t->env, task), TK_OK);
    ck_assert_int_eq(t->vt->reset(t->env, NULL), TK_OK);
    if (told)
        ck_assert_int_eq(t->vt->begin_episode(t->env, told), TK_OK);
    double reward = -1.0;
    int done = 0;
    ck_assert_int_eq(t->vt->step(t->env, NULL, NULL, &reward, &done), TK_OK);
    ck_assert_int_eq(done, 1);
    return reward;
}

static double episode(toy *t, const float *task)
{
    return episode_with(t, task, NULL);
}

/* The centre of the 2-D cell (i, j) of a 10x10 grid. */
static void cell_task(int i, int j, float task[2])
{
    task[0] = (float)(i * 0.1 + 0.05);
    task[1] = (float)(j * 0.1 + 0.05);
}

/* Train the cell (i, j) `n` times; returns the last reward. */
static double train_cell(toy *t, int i, int j, int n)
{
    float task[2];
    cell_task(i, j, task);
    double r = 0.0;
    for (int k = 0; k < n; k++)
        r = episode(t, task);
    return r;
}

static double score(toy *t)
{
    double pct = -1.0;
    ck_assert_int_eq(t->vt->evaluate(t->env, &pct), TK_OK);
    return pct;
}

#define DEFAULTS "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 0}"

START_TEST(test_descriptor_and_info)
{
    toy t;
    ck_assert_int_eq(toy_open(&t, DEFAULTS), TK_OK);
    const tk_descriptor *d = t.h.desc;
    tk_check_descriptor_identity(d, TK_KIND_ENV, "toy-grid", "1.1.0");
    ck_assert_ptr_nonnull(d->features);
    ck_assert_str_eq(d->features[0], "self-evaluation");
    ck_assert_ptr_null(d->features[1]);
    ck_assert_ptr_nonnull(strstr(d->default_config, "\"cells_per_dim\""));
    ck_assert_ptr_nonnull(strstr(d->default_config, "\"distractors\""));
    ck_assert_uint_eq(t.vt->struct_size, sizeof(tk_env_vtable));
    ck_assert_ptr_nonnull(t.vt->evaluate);

    ck_assert_uint_eq(t.info.task_space.dims, 2);
    ck_assert_str_eq(t.info.task_space.dim[0].name, "x0");
    ck_assert_str_eq(t.info.task_space.dim[1].name, "x1");
    ck_assert(t.info.task_space.dim[1].low == 0.0 && t.info.task_space.dim[1].high == 1.0);
    ck_assert_uint_eq(t.info.obs_dim, 0);
    ck_assert_uint_eq(t.info.act_dim, 0);
    ck_assert(t.info.return_low == 0.0 && t.info.return_high == 1.0);
    ck_assert(t.info.mastery_threshold == 0.75);
    ck_assert_uint_eq(t.info.max_episode_steps, 1);
    ck_assert(score(&t) == 0.0);
    tk_env_fx_close(&t);
}
END_TEST

START_TEST(test_origin_learns_and_caps)
{
    toy t;
    ck_assert_int_eq(toy_open(&t, DEFAULTS), TK_OK);
    ck_assert_double_eq_tol(train_cell(&t, 0, 0, 1), 0.01, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 0, 0, 1), 0.02, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 0, 0, 200), 1.0, 1e-12); /* capped at 100 */
    /* Every other cell stays locked while no previous neighbour reached 75:
     * (2,0) and (0,2) are two steps from the origin. */
    ck_assert(train_cell(&t, 2, 0, 5) == 0.0);
    ck_assert(train_cell(&t, 0, 2, 5) == 0.0);
    tk_env_fx_close(&t);
}
END_TEST

START_TEST(test_unlock_needs_previous_neighbour_at_75)
{
    toy t;
    ck_assert_int_eq(toy_open(&t, DEFAULTS), TK_OK);
    train_cell(&t, 0, 0, 74);
    ck_assert(train_cell(&t, 1, 0, 3) == 0.0);  /* origin at 74: locked */
    ck_assert_double_eq_tol(train_cell(&t, 0, 0, 1), 0.75, 1e-12);
    /* Origin at 75 (>= 75) unlocks its next cells, the diagonal included. */
    ck_assert_double_eq_tol(train_cell(&t, 1, 0, 1), 0.01, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 0, 1, 1), 0.01, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 1, 1, 1), 0.01, 1e-12);
    /* (2,1): previous neighbours (1,1), (2,0), (1,0), all < 75: locked. */
    ck_assert(train_cell(&t, 2, 1, 3) == 0.0);
    train_cell(&t, 1, 0, 74);                   /* (1,0) reaches 75 */
    ck_assert_double_eq_tol(train_cell(&t, 2, 1, 1), 0.01, 1e-12);
    ck_assert(train_cell(&t, 3, 3, 1) == 0.0);
    /* Only *previous* neighbours count: (2,1) at 75 unlocks (3,2) but not
     * (1,2), whose previous neighbours are (0,2), (1,1) and (0,1). */
    train_cell(&t, 2, 1, 74);
    ck_assert(train_cell(&t, 1, 2, 3) == 0.0);
    ck_assert_double_eq_tol(train_cell(&t, 3, 2, 1), 0.01, 1e-12);
    tk_env_fx_close(&t);
}
END_TEST

START_TEST(test_mastery_is_strict)
{
    toy t;
    ck_assert_int_eq(toy_open(&t, DEFAULTS), TK_OK);
    train_cell(&t, 0, 0, 75);
    ck_assert(score(&t) == 0.0);          /* 75 is not mastered */
    train_cell(&t, 0, 0, 1);
    ck_assert_double_eq_tol(score(&t), 1.0, 1e-12); /* 76: 1 of 100 cells */
    train_cell(&t, 0, 0, 100);
    ck_assert_double_eq_tol(score(&t), 1.0, 1e-12);
    train_cell(&t, 1, 1, 76);
    ck_assert_double_eq_tol(score(&t), 2.0, 1e-12);
    tk_env_fx_close(&t);
}
END_TEST

/* One episode on the cell (i, j), begun with learn = `learn`. */
static double episode_told(toy *t, int i, int j, unsigned learn)
{
    float task[2];
    cell_task(i, j, task);
    const tk_episode_options opt = {.struct_size = sizeof opt, .learn = learn, .scores = 0};
    return episode_with(t, task, &opt);
}

START_TEST(test_no_learn_episodes)
{
    toy t;
    ck_assert_int_eq(toy_open(&t, DEFAULTS), TK_OK);
    ck_assert_ptr_nonnull(t.vt->begin_episode);
    ck_assert_double_eq_tol(train_cell(&t, 0, 0, 75), 0.75, 1e-12);
    /* A no-learn episode returns the competence as it is and changes
     * nothing: neither the cell played nor the mastery score. */
    ck_assert_double_eq_tol(episode_told(&t, 0, 0, 0), 0.75, 1e-12);
    ck_assert_double_eq_tol(episode_told(&t, 0, 0, 0), 0.75, 1e-12);
    ck_assert(score(&t) == 0.0);
    ck_assert(episode_told(&t, 1, 0, 0) == 0.0); /* unlocked, but not taught */
    ck_assert(episode_told(&t, 1, 0, 0) == 0.0);
    /* The mark holds for one episode: told to learn, or not told at all
     * (reset sets learning back on), the learner learns. */
    ck_assert_double_eq_tol(episode_told(&t, 0, 0, 1), 0.76, 1e-12);
    ck_assert_double_eq_tol(episode_told(&t, 1, 0, 0), 0.0, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 1, 0, 1), 0.01, 1e-12);
    ck_assert_double_eq_tol(score(&t), 1.0, 1e-12);
    /* Outside an episode the call is refused. */
    const tk_episode_options opt = {.struct_size = sizeof opt, .learn = 0, .scores = 0};
    ck_assert_int_eq(t.vt->begin_episode(t.env, &opt), TK_ERR_STATE);
    tk_env_fx_close(&t);
}
END_TEST

START_TEST(test_distractors_ignored)
{
    toy t;
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 2}"),
                     TK_OK);
    ck_assert_uint_eq(t.info.task_space.dims, 4);
    ck_assert_str_eq(t.info.task_space.dim[3].name, "x3");
    const float a[4] = {0.05f, 0.05f, 0.9f, 0.3f};
    const float b[4] = {0.05f, 0.05f, 0.1f, 1.0f};
    const float c[4] = {0.05f, 0.05f, 0.0f, 0.55f};
    ck_assert_double_eq_tol(episode(&t, a), 0.01, 1e-12);
    ck_assert_double_eq_tol(episode(&t, b), 0.02, 1e-12);
    ck_assert_double_eq_tol(episode(&t, c), 0.03, 1e-12);
    tk_env_fx_close(&t);
}
END_TEST

START_TEST(test_invalid_tasks_rejected)
{
    toy t;
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 1}"),
                     TK_OK);
    const float bad[][3] = {
        {1.5f, 0.5f, 0.5f}, {-0.1f, 0.5f, 0.5f}, {0.5f, 0.5f, 1.01f},
        {NAN, 0.5f, 0.5f},  {0.5f, 0.5f, NAN},   {0.5f, INFINITY, 0.5f},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t.h.ctx.err_message[0] = '\0';
        ck_assert_int_eq(t.vt->set_task(t.env, bad[i]), TK_ERR_INVALID);
        ck_assert(strlen(t.h.ctx.err_message) > 0);
    }
    /* Out of order calls are state errors, not crashes. */
    ck_assert_int_eq(t.vt->reset(t.env, NULL), TK_ERR_STATE);
    const float ok[3] = {0.0f, 1.0f, 1.0f};
    ck_assert_int_eq(t.vt->set_task(t.env, ok), TK_OK);
    double r;
    int done;
    ck_assert_int_eq(t.vt->step(t.env, NULL, NULL, &r, &done), TK_ERR_STATE);
    tk_env_fx_close(&t);
}
END_TEST

START_TEST(test_bin_of_one_is_last_cell)
{
    /* 1-D grid of 10 cells: unlock the chain 0..8, then 1.0 and 0.95 must
     * train the same (last) cell while 0.85 is cell 8. */
    toy t;
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 1, \"distractors\": 0}"),
                     TK_OK);
    for (int c = 0; c < 9; c++) {
        const float task[1] = {(float)(c * 0.1 + 0.05)};
        for (int k = 0; k < 75; k++)
            episode(&t, task);
    }
    const float one[1] = {1.0f}, last[1] = {0.95f}, eight[1] = {0.85f}, zero[1] = {0.0f};
    ck_assert_double_eq_tol(episode(&t, one), 0.01, 1e-12);
    ck_assert_double_eq_tol(episode(&t, last), 0.02, 1e-12);
    ck_assert_double_eq_tol(episode(&t, one), 0.03, 1e-12);
    ck_assert_double_eq_tol(episode(&t, eight), 0.76, 1e-12);
    ck_assert_double_eq_tol(episode(&t, zero), 0.76, 1e-12);
    tk_env_fx_close(&t);

    /* A cell count whose np.arange edges overshoot 1 (the original would
     * index past the grid): 1.0 still lands in the last cell. */
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 6, \"dims\": 1, \"distractors\": 0}"),
                     TK_OK);
    ck_assert(episode(&t, one) == 0.0); /* last cell, locked */
    tk_env_fx_close(&t);
}
END_TEST

START_TEST(test_config_errors)
{
    toy t;
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 8, \"distractors\": 0}"),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "cells_per_dim");
    tk_env_fx_close(&t);
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 0, \"distractors\": 0}"),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "dims");
    tk_env_fx_close(&t);
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": -1}"),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "distractors");
    tk_env_fx_close(&t);
    /* 10^7 cells is the limit, accepted. */
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 7, \"distractors\": 0}"),
                     TK_OK);
    tk_env_fx_close(&t);
}
END_TEST

/* ------------------------------------------------------------ profile keys */

static double env_score(toy *t)
{
    tk_episode_scores sc = {.struct_size = sizeof sc};
    ck_assert_int_eq(t->vt->episode_scores(t->env, &sc), TK_OK);
    ck_assert(sc.present & TK_SCORE_ENV);
    return sc.env_score;
}

/* learnable_fraction 0.3 on 10 cells: ceil(3.0000000000000004 - slack) = 3
 * learnable cells per dimension, 9 in all.  (3, 0) never learns, though its
 * previous neighbour (2, 0) is mastered; the score is over the 9. */
START_TEST(test_learnable_fraction)
{
    toy t;
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 0, "
                                  "\"learnable_fraction\": 0.3}"),
                     TK_OK);
    ck_assert_double_eq_tol(train_cell(&t, 0, 0, 76), 0.76, 1e-12);
    ck_assert_double_eq_tol(score(&t), 100.0 / 9.0, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 1, 0, 76), 0.76, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 2, 0, 76), 0.76, 1e-12);
    ck_assert_double_eq_tol(score(&t), 300.0 / 9.0, 1e-12);
    ck_assert(train_cell(&t, 3, 0, 10) == 0.0);
    ck_assert(env_score(&t) == 0.0);             /* nothing to learn there */
    ck_assert(train_cell(&t, 2, 3, 10) == 0.0);  /* index 3 on the second dimension */
    ck_assert_double_eq_tol(train_cell(&t, 2, 1, 1), 0.01, 1e-12);
    ck_assert_double_eq_tol(env_score(&t), 0.99, 1e-12);
    /* All 9 mastered: 100 %, the 91 cells beyond do not count. */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            train_cell(&t, i, j, 76);
    ck_assert_double_eq_tol(score(&t), 100.0, 1e-12);
    tk_env_fx_close(&t);
    /* 0.35 on 10 cells: 3.5 rounds up to 4 cells per dimension. */
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 0, "
                                  "\"learnable_fraction\": 0.35, \"trivial_fraction\": 0.35}"),
                     TK_OK);
    ck_assert_double_eq_tol(train_cell(&t, 3, 3, 1), 0.01, 1e-12);
    ck_assert(train_cell(&t, 4, 0, 1) == 0.0);
    ck_assert_double_eq_tol(train_cell(&t, 3, 3, 75), 0.76, 1e-12);
    ck_assert_double_eq_tol(score(&t), 100.0 / 16.0, 1e-12);
    tk_env_fx_close(&t);
}
END_TEST

/* trivial_fraction 0.5 on 10 cells: the 5 x 5 cells of indices below 5
 * learn without a neighbour; the others still need one at >= 75. */
START_TEST(test_trivial_fraction)
{
    toy t;
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 0, "
                                  "\"trivial_fraction\": 0.5}"),
                     TK_OK);
    ck_assert_double_eq_tol(train_cell(&t, 4, 4, 1), 0.01, 1e-12);
    ck_assert_double_eq_tol(env_score(&t), 0.99, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 0, 4, 1), 0.01, 1e-12);
    ck_assert(train_cell(&t, 5, 0, 3) == 0.0);   /* (4, 0) is at 0 */
    ck_assert(env_score(&t) == 0.0);
    ck_assert(train_cell(&t, 5, 5, 3) == 0.0);   /* (4, 4) is at 1 */
    ck_assert_double_eq_tol(train_cell(&t, 4, 4, 74), 0.75, 1e-12);
    /* (4, 4) at 75 unlocks its next cells, the diagonal (5, 5) included. */
    ck_assert_double_eq_tol(train_cell(&t, 5, 5, 1), 0.01, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 5, 4, 1), 0.01, 1e-12);
    ck_assert(train_cell(&t, 6, 6, 1) == 0.0);
    ck_assert(score(&t) == 0.0);
    train_cell(&t, 4, 4, 1);
    ck_assert_double_eq_tol(score(&t), 1.0, 1e-12); /* 1 of 100 cells */
    tk_env_fx_close(&t);
    /* trivial_fraction 1: every cell learns from the start. */
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 0, "
                                  "\"trivial_fraction\": 1.0}"),
                     TK_OK);
    ck_assert_double_eq_tol(train_cell(&t, 9, 9, 2), 0.02, 1e-12);
    tk_env_fx_close(&t);
}
END_TEST

/* competence_gain 3: 25 episodes give 75 (unlocks, not mastered), the 26th
 * 78 (mastered), the 34th 100 (102 capped). */
START_TEST(test_competence_gain)
{
    toy t;
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 0, "
                                  "\"competence_gain\": 3}"),
                     TK_OK);
    ck_assert_double_eq_tol(train_cell(&t, 0, 0, 1), 0.03, 1e-12);
    ck_assert(train_cell(&t, 1, 0, 1) == 0.0);
    ck_assert_double_eq_tol(train_cell(&t, 0, 0, 24), 0.75, 1e-12);
    ck_assert(score(&t) == 0.0);
    ck_assert_double_eq_tol(train_cell(&t, 1, 0, 1), 0.03, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 0, 0, 1), 0.78, 1e-12);
    ck_assert_double_eq_tol(score(&t), 1.0, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 0, 0, 7), 0.99, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 0, 0, 1), 1.0, 1e-12);
    ck_assert_double_eq_tol(score(&t), 1.0, 1e-12); /* counted once */
    tk_env_fx_close(&t);
    /* competence_gain 100: one episode masters a cell. */
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 0, "
                                  "\"competence_gain\": 100}"),
                     TK_OK);
    ck_assert_double_eq_tol(train_cell(&t, 0, 0, 1), 1.0, 1e-12);
    ck_assert_double_eq_tol(train_cell(&t, 1, 1, 1), 1.0, 1e-12);
    ck_assert_double_eq_tol(score(&t), 2.0, 1e-12);
    tk_env_fx_close(&t);
}
END_TEST

/* Opening with `extra` keys after the defaults fails on `key`. */
static void config_refused(const char *extra, const char *key)
{
    char config[256];
    snprintf(config, sizeof config,
             "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 0, %s}", extra);
    toy t;
    ck_assert_int_eq(toy_open(&t, config), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, key);
    tk_env_fx_close(&t);
}

START_TEST(test_profile_key_errors)
{
    config_refused("\"learnable_fraction\": 1.5", "learnable_fraction");
    config_refused("\"learnable_fraction\": 0", "learnable_fraction");
    config_refused("\"learnable_fraction\": 0.00000000001", "learnable_fraction");
    config_refused("\"trivial_fraction\": -0.1", "trivial_fraction");
    config_refused("\"learnable_fraction\": 0.5, \"trivial_fraction\": 0.6", "trivial_fraction");
    config_refused("\"competence_gain\": 0", "competence_gain");
    config_refused("\"competence_gain\": 101", "competence_gain");
    config_refused("\"competence_gain\": 1.5", "competence_gain");
    toy t; /* equal fractions and the smallest learnable one are fine */
    ck_assert_int_eq(toy_open(&t, "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 0, "
                                  "\"learnable_fraction\": 0.1, \"trivial_fraction\": 0.1}"),
                     TK_OK);
    tk_env_fx_close(&t);
}
END_TEST

/* ------------------------------------------------------------- checkpoints */

static unsigned char *ckpt_save(toy *t, size_t *size)
{
    return tk_saved_copy(t->vt->save, t->env, size);
}

static void ckpt_refused(toy *t, const void *bytes, size_t size, const char *what)
{
    tk_load_refused(t->vt->load, t->env, &t->h.ctx, bytes, size, what);
}

/* A curriculum drifting away from the origin, so that cells unlock. */
static void ckpt_task(tk_rng *rng, int n, float task[3])
{
    const double reach = 0.1 + 0.9 * fmin(1.0, n / 4000.0);
    for (int j = 0; j < 3; j++)
        task[j] = (float)(reach * tk_rng_uniform(rng));
}

/* Saved after 2500 episodes, between reset and step, and loaded into a new
 * instance: the pending step and 3000 more episodes give the same rewards
 * and scores on both, which then save the same bytes. */
START_TEST(test_checkpoint_round_trip)
{
    const char *config = "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 1}";
    toy a, b;
    ck_assert_int_eq(toy_open(&a, config), TK_OK);
    tk_rng rng;
    tk_rng_seed(&rng, 17);
    float task[3];
    int n = 0;
    for (; n < 2500; n++) {
        ckpt_task(&rng, n, task);
        episode(&a, task);
    }
    ck_assert(score(&a) > 0.0);
    ckpt_task(&rng, n++, task);
    ck_assert_int_eq(a.vt->set_task(a.env, task), TK_OK);
    ck_assert_int_eq(a.vt->reset(a.env, NULL), TK_OK);
    size_t size;
    unsigned char *bytes = ckpt_save(&a, &size);
    ck_assert_int_eq(toy_open(&b, config), TK_OK);
    ck_assert_int_eq(b.vt->load(b.env, bytes, size), TK_OK);
    free(bytes);
    ck_assert(score(&a) == score(&b));
    double ra, rb;
    int done;
    ck_assert_int_eq(a.vt->step(a.env, NULL, NULL, &ra, &done), TK_OK);
    ck_assert_int_eq(b.vt->step(b.env, NULL, NULL, &rb, &done), TK_OK);
    ck_assert(ra == rb);
    for (; n < 5500; n++) {
        ckpt_task(&rng, n, task);
        ck_assert(episode(&a, task) == episode(&b, task));
        if (n % 500 == 0)
            ck_assert(score(&a) == score(&b));
    }
    ck_assert(score(&a) == score(&b));
    size_t sa, sb;
    unsigned char *ba = ckpt_save(&a, &sa);
    unsigned char *bb = ckpt_save(&b, &sb);
    ck_assert_uint_eq(sa, sb);
    ck_assert_mem_eq(ba, bb, sa);
    free(ba);
    free(bb);
    tk_env_fx_close(&a);
    tk_env_fx_close(&b);
}
END_TEST

START_TEST(test_checkpoint_rejects_bad_data)
{
    toy t, other;
    ck_assert_int_eq(toy_open(&t, DEFAULTS), TK_OK);
    train_cell(&t, 0, 0, 90);
    train_cell(&t, 1, 1, 30);
    size_t size;
    unsigned char *bytes = ckpt_save(&t, &size);
    ckpt_refused(&t, NULL, 0, "an empty state");
    unsigned char *buf = malloc(size + 1);
    ck_assert_ptr_nonnull(buf);
    for (size_t n = 0; n < size; n++)
        ckpt_refused(&t, bytes, n, "truncated state");
    memcpy(buf, bytes, size);
    buf[size] = 0;
    ckpt_refused(&t, buf, size + 1, "state with a trailing byte");
    memcpy(buf, "RIAC", 4);
    ckpt_refused(&t, buf, size, "another plugin's tag");
    /* The competence of the origin (first grid byte after tag and shape)
     * above the maximum of 100. */
    memcpy(buf, bytes, size);
    ck_assert_uint_eq(buf[8 + 24], 90);
    buf[8 + 24] = 101;
    ckpt_refused(&t, buf, size, "competence above 100");
    /* Another grid shape. */
    ck_assert_int_eq(toy_open(&other, "{\"cells_per_dim\": 5, \"dims\": 2, \"distractors\": 0}"),
                     TK_OK);
    ckpt_refused(&other, bytes, size, "another config's state");
    tk_env_fx_close(&other);
    /* Competence in (1, 1), outside the learnable box of one cell. */
    ck_assert_int_eq(toy_open(&other, "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": "
                                      "0, \"learnable_fraction\": 0.1}"),
                     TK_OK);
    ckpt_refused(&other, bytes, size, "competence outside the learnable cells");
    tk_env_fx_close(&other);
    /* Byte flips: refused, or an instance that still runs. */
    tk_rng noise;
    tk_rng_seed(&noise, 5);
    for (int trial = 0; trial < 300; trial++) {
        memcpy(buf, bytes, size);
        const size_t at = 8 + (size_t)tk_rng_below(&noise, size - 8);
        buf[at] ^= (unsigned char)(1u << tk_rng_below(&noise, 8));
        const tk_status st = t.vt->load(t.env, buf, size);
        ck_assert_msg(st == TK_OK || st == TK_ERR_INVALID, "flip at %zu: status %d", at, st);
        if (st == TK_OK) {
            train_cell(&t, (int)tk_rng_below(&noise, 10), (int)tk_rng_below(&noise, 10), 3);
            score(&t);
        }
    }
    ck_assert_int_eq(t.vt->load(t.env, bytes, size), TK_OK);
    ck_assert_double_eq_tol(score(&t), 1.0, 1e-12); /* the origin, at 90 */
    free(buf);
    free(bytes);
    tk_env_fx_close(&t);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s TOY_GRID_PLUGIN.so\n", argv[0]);
        return EXIT_FAILURE;
    }
    g_plugin = argv[1];
    Suite *s = suite_create("toy_grid");
    TCase *tc = tk_check_tcase(s, "abi", 0);
    tcase_add_test(tc, test_descriptor_and_info);
    tcase_add_test(tc, test_origin_learns_and_caps);
    tcase_add_test(tc, test_unlock_needs_previous_neighbour_at_75);
    tcase_add_test(tc, test_mastery_is_strict);
    tcase_add_test(tc, test_no_learn_episodes);
    tcase_add_test(tc, test_distractors_ignored);
    tcase_add_test(tc, test_invalid_tasks_rejected);
    tcase_add_test(tc, test_bin_of_one_is_last_cell);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_learnable_fraction);
    tcase_add_test(tc, test_trivial_fraction);
    tcase_add_test(tc, test_competence_gain);
    tcase_add_test(tc, test_profile_key_errors);
    tcase_add_test(tc, test_checkpoint_round_trip);
    tcase_add_test(tc, test_checkpoint_rejects_bad_data);
    return tk_check_run(s);
}
