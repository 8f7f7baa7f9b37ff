/*
 * adr teacher through the plugin ABI (TeachMyAgent TeachMyAgent/teachers/algos/adr.py): the
 * reward thresholds are required expert knowledge (config errors naming
 * the key); the box starts at the initial point; a side widens by
 * step_size exactly when the mean of its full queue reaches
 * max_reward_thr, shrinks when it falls to min_reward_thr, and the queue
 * empties either way; bounds clamp at the task space; boundary sampling
 * follows the compat mode; snapshots, checkpoints; a short toy-grid
 * curriculum widens the box.
 * argv[1] = adr plugin, argv[2] = toy-grid plugin (optional).
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
#include "toy_grid_driver.h"

static const char *g_plugin;
static const char *g_toy;

/* Stump Tracks bounds (TeachMyAgent's parametric stumps: height, spacing). */
static const tk_dim g_dims[2] = {{"stump_height", 0.0, 3.0}, {"obstacle_spacing", 0.0, 6.0}};
static const tk_task_space g_space = {2, g_dims};
static const tk_dim g_dim1[1] = {{"x", 0.0, 1.0}};
static const tk_task_space g_space1 = {1, g_dim1};

typedef tk_teacher_fx teacher;

static tk_status teacher_open_space(teacher *t, const tk_task_space *space, const char *config)
{
    return tk_teacher_fx_open(t, g_plugin, "adr", 11, space, config);
}

static tk_status teacher_open(teacher *t, const char *config)
{
    return teacher_open_space(t, &g_space, config);
}

/* The box from the snapshot, as the float32 values the teacher holds. */
static void box(teacher *t, float *low, float *high, size_t dims)
{
    json_t *root = tk_teacher_fx_snapshot(t, "bounds");
    ck_assert_uint_eq(json_array_size(json_object_get(root, "low")), dims);
    for (size_t i = 0; i < dims; i++) {
        low[i] = (float)json_number_value(json_array_get(json_object_get(root, "low"), i));
        high[i] = (float)json_number_value(json_array_get(json_object_get(root, "high"), i));
    }
    json_decref(root);
}

static void feed(teacher *t, const float *task, double ret, int n)
{
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(t->vt->update(t->self, task, ret, 0), TK_OK);
}

/* The teacher's widening/shrinking arithmetic: double, stored as float32. */
static float moved(float x, double by)
{
    return (float)((double)x + by);
}

#define CONFIG_Q(init, q, p, compat)                                                           \
    "{\"max_reward_thr\": 180.0, \"min_reward_thr\": 0.0, \"step_size\": 0.1, "               \
    "\"boundary_sampling_p\": " p ", \"queue_len\": " q ", \"initial_dist\": " init            \
    ", \"compat\": \"" compat "\"}"
#define CONFIG(init) CONFIG_Q(init, "5", "0.7", "none")
/* The defaults but for the thresholds (the host merges them; the harness
 * does not). */
#define WITH_THRESHOLDS(thr)                                                                   \
    "{" thr ", \"step_size\": 0.1, \"boundary_sampling_p\": 0.7, \"queue_len\": 10, "         \
    "\"initial_dist\": null, \"compat\": \"none\"}"

START_TEST(test_descriptor)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("null")), TK_OK);
    const tk_descriptor *d = t.h.desc;
    ck_assert_int_eq(d->kind, TK_KIND_TEACHER);
    ck_assert_ptr_nonnull(d->features);
    int raw = 0, thr = 0, init = 0, n = 0;
    for (const char *const *f = d->features; *f; f++, n++) {
        raw |= strcmp(*f, "raw-return") == 0;
        thr |= strcmp(*f, "needs-reward-thresholds") == 0;
        init |= strcmp(*f, "accepts-initial-dist") == 0;
        ck_assert_str_ne(*f, "step-update");
    }
    ck_assert(raw && thr && init);
    json_t *def = json_loads(d->default_config, 0, NULL);
    ck_assert_ptr_nonnull(def);
    ck_assert(json_is_null(json_object_get(def, "max_reward_thr")));
    ck_assert(json_is_null(json_object_get(def, "min_reward_thr")));
    ck_assert(json_is_null(json_object_get(def, "initial_dist")));
    ck_assert_double_eq(json_number_value(json_object_get(def, "step_size")), 0.1);
    ck_assert_double_eq(json_number_value(json_object_get(def, "boundary_sampling_p")), 0.7);
    ck_assert_int_eq(json_integer_value(json_object_get(def, "queue_len")), 10);
    ck_assert_str_eq(json_string_value(json_object_get(def, "compat")), "none");
    json_decref(def);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_thresholds_are_required)
{
    teacher t;
    /* Both missing: the first one is named, with how to give it. */
    ck_assert_int_eq(teacher_open(&t, WITH_THRESHOLDS("\"max_reward_thr\": null, "
                                                      "\"min_reward_thr\": null")),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "max_reward_thr");
    ck_assert_ptr_nonnull(strstr(t.h.ctx.err_message, "is required"));
    ck_assert_ptr_nonnull(strstr(t.h.ctx.err_message, "expert knowledge"));
    tk_teacher_fx_close(&t);

    ck_assert_int_eq(teacher_open(&t, WITH_THRESHOLDS("\"max_reward_thr\": 180.0, "
                                                      "\"min_reward_thr\": null")),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "min_reward_thr");
    ck_assert_ptr_nonnull(strstr(t.h.ctx.err_message, "is required"));
    tk_teacher_fx_close(&t);

    ck_assert_int_eq(teacher_open(&t, WITH_THRESHOLDS("\"max_reward_thr\": 10.0, "
                                                      "\"min_reward_thr\": 20.0")),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "min_reward_thr");
    tk_teacher_fx_close(&t);

    ck_assert_int_eq(teacher_open(&t, "{\"max_reward_thr\": 10.0, \"min_reward_thr\": 0.0, "
                                      "\"step_size\": 0.0, \"boundary_sampling_p\": 0.7, "
                                      "\"queue_len\": 10, \"initial_dist\": null, "
                                      "\"compat\": \"none\"}"),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "step_size");
    tk_teacher_fx_close(&t);

    ck_assert_int_eq(teacher_open(&t, "{\"max_reward_thr\": 10.0, \"min_reward_thr\": 0.0, "
                                      "\"step_size\": 0.1, \"boundary_sampling_p\": 0.7, "
                                      "\"queue_len\": 10, \"initial_dist\": null, "
                                      "\"compat\": \"tma\"}"),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "compat");
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_initial_dist_errors)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("{\"mean\": [1.0, 7.0]}")), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "initial_dist.mean[1]");
    tk_teacher_fx_close(&t);
    ck_assert_int_eq(teacher_open(&t, CONFIG("{\"mean\": [1.0]}")), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "initial_dist.mean");
    tk_teacher_fx_close(&t);
    ck_assert_int_eq(teacher_open(&t, CONFIG("{\"centre\": [1.0, 1.0]}")), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "initial_dist");
    tk_teacher_fx_close(&t);
    ck_assert_int_eq(teacher_open(&t, CONFIG("[1.0, 1.0]")), TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "initial_dist");
    tk_teacher_fx_close(&t);
    /* cov and std are checked as spdl checks them, then ignored. */
    ck_assert_int_eq(teacher_open(&t, CONFIG("{\"mean\": [1.0, 2.0], \"cov\": [[1, 0], [0]]}")),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(t.h.ctx.err_path, "initial_dist.cov[1]");
    tk_teacher_fx_close(&t);
    /* The SPDL form of the same knowledge is accepted (cov ignored). */
    ck_assert_int_eq(teacher_open(&t, CONFIG("{\"mean\": [1.0, 2.0], \"cov\": [[1, 0], [0, 1]]}")),
                     TK_OK);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_initial_point)
{
    teacher t;
    float lo[2], hi[2], task[2];
    ck_assert_int_eq(teacher_open(&t, CONFIG("{\"mean\": [1.5, 3.0]}")), TK_OK);
    box(&t, lo, hi, 2);
    ck_assert(lo[0] == 1.5f && hi[0] == 1.5f && lo[1] == 3.0f && hi[1] == 3.0f);
    for (int i = 0; i < 100; i++) {
        ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
        ck_assert(task[0] == 1.5f && task[1] == 3.0f);
    }
    tk_teacher_fx_close(&t);

    /* Without expert knowledge: one random point inside the space. */
    ck_assert_int_eq(teacher_open(&t, CONFIG("null")), TK_OK);
    box(&t, lo, hi, 2);
    ck_assert(lo[0] == hi[0] && lo[1] == hi[1]);
    ck_assert(lo[0] >= 0.0f && lo[0] <= 3.0f && lo[1] >= 0.0f && lo[1] <= 6.0f);
    tk_teacher_fx_close(&t);
}
END_TEST

/* The central rule: a side widens exactly when the mean of its full queue
 * is >= max_reward_thr. */
START_TEST(test_widens_exactly_at_upper_threshold)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("{\"mean\": [1.5, 3.0]}")), TK_OK);
    float lo[2], hi[2];
    const float p[2] = {1.5f, 3.0f};

    /* While the box is a point every episode feeds all four queues. */
    feed(&t, p, 1000.0, 4); /* queue not full: no decision yet */
    box(&t, lo, hi, 2);
    ck_assert(lo[0] == 1.5f && hi[0] == 1.5f);
    feed(&t, p, 1000.0, 1);
    box(&t, lo, hi, 2);
    ck_assert(lo[0] == moved(1.5f, -0.1) && hi[0] == moved(1.5f, 0.1));
    ck_assert(lo[1] == moved(3.0f, -0.1) && hi[1] == moved(3.0f, 0.1));

    /* The low side of dimension 0 alone: task[0] on cur_lo, task[1] inside. */
    const float l0 = lo[0];
    float side[2] = {l0, 3.0f};
    feed(&t, side, 180.0 - 1e-9, 5); /* mean just below: nothing moves */
    box(&t, lo, hi, 2);
    ck_assert(lo[0] == l0);
    feed(&t, side, 180.0, 5); /* mean == threshold: widens */
    box(&t, lo, hi, 2);
    ck_assert(lo[0] == moved(l0, -0.1));
    ck_assert(hi[0] == moved(1.5f, 0.1)); /* the other side is untouched */
    ck_assert(lo[1] == moved(3.0f, -0.1) && hi[1] == moved(3.0f, 0.1));

    /* The queue is emptied whatever the outcome: 4 high returns and one
     * that pulls the mean between the thresholds leave no memory. */
    const float l1 = lo[0];
    side[0] = l1;
    feed(&t, side, 1000.0, 4);
    feed(&t, side, -3900.0, 1); /* mean 20 */
    box(&t, lo, hi, 2);
    ck_assert(lo[0] == l1);
    feed(&t, side, 1000.0, 4); /* a fresh queue: 4 returns are not enough */
    box(&t, lo, hi, 2);
    ck_assert(lo[0] == l1);
    feed(&t, side, 1000.0, 1);
    box(&t, lo, hi, 2);
    ck_assert(lo[0] == moved(l1, -0.1));
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_shrinks_at_lower_threshold)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("{\"mean\": [1.5, 3.0]}")), TK_OK);
    float lo[2], hi[2];
    const float p[2] = {1.5f, 3.0f};
    feed(&t, p, 500.0, 5);
    feed(&t, (float[]){moved(1.5f, 0.1), 3.0f}, 500.0, 5); /* high side of dim 0 */
    box(&t, lo, hi, 2);
    const float h0 = moved(moved(1.5f, 0.1), 0.1);
    ck_assert(hi[0] == h0);
    /* Mean 0.0 <= min_reward_thr: the high side comes back. */
    feed(&t, (float[]){h0, 3.0f}, 0.0, 5);
    box(&t, lo, hi, 2);
    ck_assert(hi[0] == moved(h0, -0.1));
    /* A mean strictly between the thresholds changes nothing. */
    const float h1 = hi[0];
    feed(&t, (float[]){h1, 3.0f}, 0.5, 5);
    box(&t, lo, hi, 2);
    ck_assert(hi[0] == h1);
    /* Shrinking never crosses the other side: low side of dim 1 shrinks
     * by 0.1 from 2.9 towards 3.1, then to 3.1 at most. */
    for (int k = 0; k < 5; k++) {
        box(&t, lo, hi, 2);
        feed(&t, (float[]){1.5f, lo[1]}, -10.0, 5);
    }
    box(&t, lo, hi, 2);
    ck_assert(lo[1] == hi[1]);
    ck_assert(hi[1] == moved(3.0f, 0.1));
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_clamps_at_task_space)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG_Q("{\"mean\": [1.5, 3.0]}", "1", "0.7", "none")),
                     TK_OK);
    float lo[2], hi[2];
    for (int k = 0; k < 100; k++) {
        box(&t, lo, hi, 2);
        /* Corners of the box: every side gets the high return. */
        feed(&t, lo, 1000.0, 1);
        feed(&t, hi, 1000.0, 1);
    }
    box(&t, lo, hi, 2);
    ck_assert(lo[0] == 0.0f && hi[0] == 3.0f && lo[1] == 0.0f && hi[1] == 6.0f);
    float task[2];
    for (int i = 0; i < 1000; i++) {
        ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
        ck_assert(task[0] >= 0.0f && task[0] <= 3.0f && task[1] >= 0.0f && task[1] <= 6.0f);
    }
    tk_teacher_fx_close(&t);
}
END_TEST

/* A 1-D box [0, 0.1] whose low side sits at the task-space limit. */
static void capped_box(teacher *t, const char *compat, const char *p)
{
    char config[512];
    snprintf(config, sizeof config,
             "{\"max_reward_thr\": 1.0, \"min_reward_thr\": 0.0, \"step_size\": 0.1, "
             "\"boundary_sampling_p\": %s, \"queue_len\": 3, \"initial_dist\": {\"mean\": [0.0]}, "
             "\"compat\": \"%s\"}",
             p, compat);
    ck_assert_int_eq(teacher_open_space(t, &g_space1, config), TK_OK);
    feed(t, (float[]){0.0f}, 1.0, 3);
    float lo, hi;
    box(t, &lo, &hi, 1);
    ck_assert(lo == 0.0f && hi == moved(0.0f, 0.1));
}

START_TEST(test_boundary_sampling)
{
    teacher t;
    float x, lo, hi;
    /* Fix of ADR.sample_task: the capped low side is never chosen. */
    capped_box(&t, "none", "1.0");
    box(&t, &lo, &hi, 1);
    for (int i = 0; i < 2000; i++) {
        ck_assert_int_eq(t.vt->sample(t.self, &x), TK_OK);
        ck_assert(x == hi);
    }
    tk_teacher_fx_close(&t);

    /* compat TeachMyAgent: either side half of the time. */
    capped_box(&t, "TeachMyAgent", "1.0");
    int at_lo = 0, at_hi = 0;
    for (int i = 0; i < 4000; i++) {
        ck_assert_int_eq(t.vt->sample(t.self, &x), TK_OK);
        at_lo += x == lo;
        at_hi += x == hi;
    }
    ck_assert_int_eq(at_lo + at_hi, 4000);
    ck_assert(at_lo > 1800 && at_hi > 1800);
    tk_teacher_fx_close(&t);

    /* No boundary sampling: uniform inside the box. */
    capped_box(&t, "none", "0.0");
    double sum = 0.0;
    for (int i = 0; i < 4000; i++) {
        ck_assert_int_eq(t.vt->sample(t.self, &x), TK_OK);
        ck_assert(x >= lo && x <= hi);
        sum += x;
    }
    ck_assert_double_eq_tol(sum / 4000.0, 0.05, 0.003);
    tk_teacher_fx_close(&t);
}
END_TEST

/* compat TeachMyAgent restarts the box's uniform stream after every bound
 * change (the original re-seeds its Box); the default does not. */
START_TEST(test_box_stream_restart)
{
    for (int compat = 0; compat < 2; compat++) {
        teacher t;
        char config[512];
        snprintf(config, sizeof config,
                 "{\"max_reward_thr\": 1.0, \"min_reward_thr\": 0.0, \"step_size\": 0.1, "
                 "\"boundary_sampling_p\": 0.0, \"queue_len\": 1, "
                 "\"initial_dist\": {\"mean\": [0.5]}, \"compat\": \"%s\"}",
                 compat ? "TeachMyAgent" : "none");
        ck_assert_int_eq(teacher_open_space(&t, &g_space1, config), TK_OK);
        double pos[2][8];
        for (int change = 0; change < 2; change++) {
            float lo, hi, x;
            box(&t, &lo, &hi, 1);
            feed(&t, &hi, 1.0, 1); /* widen the high side */
            box(&t, &lo, &hi, 1);
            for (int i = 0; i < 8; i++) {
                ck_assert_int_eq(t.vt->sample(t.self, &x), TK_OK);
                pos[change][i] = ((double)x - lo) / ((double)hi - lo);
            }
        }
        int same = 1;
        for (int i = 0; i < 8; i++)
            same &= fabs(pos[0][i] - pos[1][i]) < 1e-5;
        ck_assert_int_eq(same, compat);
        tk_teacher_fx_close(&t);
    }
}
END_TEST

START_TEST(test_rejects_nonfinite)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, CONFIG("null")), TK_OK);
    const float bad[2] = {NAN, 1.0f}, ok[2] = {1.0f, 1.0f};
    ck_assert_int_eq(t.vt->update(t.self, bad, 100.0, 0), TK_ERR_INVALID);
    ck_assert_int_eq(t.vt->update(t.self, ok, INFINITY, 0), TK_ERR_INVALID);
    tk_teacher_fx_close(&t);
}
END_TEST

/* ------------------------------------------------------------- checkpoints */

/* Learner of the round trip: high returns near the middle, low far out. */
static double ckpt_return(const float *task)
{
    return 250.0 - 60.0 * (fabs(task[0] - 1.5) + fabs(task[1] - 3.0));
}

static void ckpt_episode(teacher *t, float *task)
{
    ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
    ck_assert_int_eq(t->vt->update(t->self, task, ckpt_return(task), 0), TK_OK);
}

static void checkpoint_round_trip(const char *compat)
{
    char config[512];
    snprintf(config, sizeof config, CONFIG_Q("{\"mean\": [1.5, 3.0]}", "10", "0.7", "%s"),
             compat);
    teacher a, b;
    ck_assert_int_eq(teacher_open(&a, config), TK_OK);
    float ta[2], tb[2], la[2], ha[2], lb[2], hb[2];
    for (int e = 0; e < 437; e++)
        ckpt_episode(&a, ta);
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&a, &size);
    ck_assert_int_eq(teacher_open(&b, config), TK_OK);
    ck_assert_int_eq(b.vt->load(b.self, bytes, size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng;
    for (int e = 0; e < 3000; e++) {
        ckpt_episode(&a, ta);
        ckpt_episode(&b, tb);
        ck_assert_mem_eq(ta, tb, sizeof ta);
    }
    box(&a, la, ha, 2);
    box(&b, lb, hb, 2);
    ck_assert_mem_eq(la, lb, sizeof la);
    ck_assert_mem_eq(ha, hb, sizeof ha);
    ck_assert(ha[0] - la[0] > 0.5f); /* the box did grow */
    free(bytes);
    tk_ckpt_same_saved(&a, &b, compat);
    tk_teacher_fx_close(&a);
    tk_teacher_fx_close(&b);
}

START_TEST(test_checkpoint_round_trip)
{
    checkpoint_round_trip("none");
    checkpoint_round_trip("TeachMyAgent");
}
END_TEST

/* An instance that accepted a flipped state keeps its box inside the task
 * space and plays on. */
static void play_in_bounds(tk_teacher_fx *t)
{
    float task[2];
    for (int e = 0; e < 20; e++) {
        ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
        ck_assert(task[0] >= 0.0f && task[0] <= 3.0f && task[1] >= 0.0f && task[1] <= 6.0f);
        ck_assert_int_eq(t->vt->update(t->self, task, 100.0, 0), TK_OK);
    }
}

START_TEST(test_checkpoint_rejects_bad_data)
{
    teacher t, other;
    ck_assert_int_eq(teacher_open(&t, CONFIG("{\"mean\": [1.5, 3.0]}")), TK_OK);
    float task[2];
    for (int e = 0; e < 123; e++)
        ckpt_episode(&t, task);
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&t, &size);
    const tk_ckpt_damage damage = {
        .dense = SIZE_MAX, .noise_seed = 77, .flips = 300, .play = play_in_bounds};
    tk_ckpt_rejects_damage(&t, bytes, size, &damage);
    /* Another queue length or compat mode: another configuration's state. */
    ck_assert_int_eq(teacher_open(&other, CONFIG_Q("null", "6", "0.7", "none")), TK_OK);
    tk_ckpt_refused(&other, bytes, size, "another queue_len's state");
    tk_teacher_fx_close(&other);
    ck_assert_int_eq(teacher_open(&other, CONFIG_Q("null", "5", "0.7", "TeachMyAgent")), TK_OK);
    tk_ckpt_refused(&other, bytes, size, "another compat's state");
    tk_teacher_fx_close(&other);
    free(bytes);
    tk_teacher_fx_close(&t);
}
END_TEST

/* ------------------------------------------------------------ toy curriculum */

/* ADR started at the toy grid's origin (expert knowledge) grows its box
 * over the learnable frontier: after 6000 episodes it reaches well past
 * the origin cell (0.1 wide) in both dimensions and the simulated learner
 * masters cells away from the origin. */
START_TEST(test_toy_grid_curriculum)
{
    if (!g_toy)
        return;
    tk_env_fx toy;
    tk_toy_open(&toy, g_toy, 3, TK_TOY_GRID_2D);
    teacher t;
    ck_assert_int_eq(teacher_open_space(&t, &toy.info.task_space,
                                        "{\"max_reward_thr\": 0.75, \"min_reward_thr\": 0.0, "
                                        "\"step_size\": 0.05, \"boundary_sampling_p\": 0.7, "
                                        "\"queue_len\": 10, \"compat\": \"none\", "
                                        "\"initial_dist\": {\"mean\": [0.0, 0.0]}}"),
                     TK_OK);
    for (int e = 0; e < 6000; e++)
        tk_toy_episode(&toy, &t);
    float lo[2], hi[2];
    box(&t, lo, hi, 2);
    ck_assert(lo[0] == 0.0f && lo[1] == 0.0f);
    double mastered = 0.0;
    ck_assert_int_eq(toy.vt->evaluate(toy.env, &mastered), TK_OK);
    ck_assert_msg(hi[0] >= 0.2f && hi[1] >= 0.2f && hi[0] + hi[1] >= 0.8f && mastered >= 10.0,
                  "box [0, %g] x [0, %g], %g %% mastered", hi[0], hi[1], mastered);
    tk_teacher_fx_close(&t);
    tk_env_fx_close(&toy);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ADR_PLUGIN.so [TOY_GRID_PLUGIN.so]\n", argv[0]);
        return EXIT_FAILURE;
    }
    g_plugin = argv[1];
    g_toy = argc > 2 ? argv[2] : NULL;
    Suite *s = suite_create("adr");
    TCase *tc = tk_check_tcase(s, "abi", 120);
    tcase_add_test(tc, test_descriptor);
    tcase_add_test(tc, test_thresholds_are_required);
    tcase_add_test(tc, test_initial_dist_errors);
    tcase_add_test(tc, test_initial_point);
    tcase_add_test(tc, test_widens_exactly_at_upper_threshold);
    tcase_add_test(tc, test_shrinks_at_lower_threshold);
    tcase_add_test(tc, test_clamps_at_task_space);
    tcase_add_test(tc, test_boundary_sampling);
    tcase_add_test(tc, test_box_stream_restart);
    tcase_add_test(tc, test_rejects_nonfinite);
    tcase_add_test(tc, test_checkpoint_round_trip);
    tcase_add_test(tc, test_checkpoint_rejects_bad_data);
    tcase_add_test(tc, test_toy_grid_curriculum);
    return tk_check_run(s);
}
