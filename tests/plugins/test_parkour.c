/*
 * Tests of the parkour env (plugins/envs/bipedal_walker/pk_*.cpp) through
 * its ABI, against flowersteam/TeachMyAgent
 * environments/envs/parametric_continuous_parkour.py and bodies/.
 *
 *   test_plugin_parkour PLUGIN.so [anything]    run the suite
 *   test_plugin_parkour PLUGIN.so --record      print the trajectory digests
 */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "env_checks.h"
#include "teachkit/render.h"

#ifndef PK_TEST_DATA_DIR
#error "PK_TEST_DATA_DIR must name the source tree's data/ directory"
#endif

static const char *g_plugin;

/* The parkour component with `config` as given (NULL: the defaults). */
static void fx_must_open(tk_env_fx *fx, const char *config, uint64_t seed)
{
    tk_env_fx_must_open(fx, g_plugin, "parkour", seed, config);
}

static char *body_config(const char *body)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "{\"body\": \"%s\"}", body);
    return buf;
}

/* Task order: input vector x 3, water level, creepers width, height,
 * spacing, CPPN scale. */
static const float DRY_TASK[8] = {-0.477f, 0.603f, -0.961f, 0.0f, 0.0f, 0.0f, 0.0f, 20.0f};
static const float WET_TASK[8] = {-0.15f, 0.8f, 0.1f, 0.45f, 0.25f, 3.0f, 1.5f, 10.0f};
/* For the fish: full of water (the swimming test set's level). */
static const float SWIM_TASK[8] = {-0.086f, 0.807f, 0.133f, 1.0f, 0.25f, 1.0f, 2.0f, 10.0f};

/* ----------------------------------------------------------- the bodies */

/* Sizes from the original's code: observation = 6 head values
 * (angle, angular speed, vx, vy, under water, dead) + the body's motor
 * state (per motor angle and speed, plus a contact flag where the motor's
 * CustomMotorUserData has check_contact) + 10 lidar fractions + 10 surface
 * flags; action = one value per motor.
 *   bipeds (OldClassicBipedalBody, ClassicBipedalBody, SmallBipedalBody):
 *   4 motors, hips (angle, speed) and knees (angle, speed, lower-leg
 *   contact): state 2 * (2 + 3) = 10, observation 36, action 4;
 *   fish (FishBody): 3 segment joints and 1 fin joint, each with its
 *   part's contact: state 4 * 3 = 12, observation 38, action 4;
 *   climbing_profile_chimpanzee (ClimbingProfileChimpanzee): legs 2 x (hip
 *   2 + knee 3), arms 2 x (shoulder 2 + elbow 2 + wrist 3), plus
 *   ClimberAbstractBody's 2 values (contact, grasping) per hand sensor:
 *   state 10 + 14 + 4 = 28, observation 54; action 10 motors + 2 sensors
 *   = 12. */
static const struct {
    const char *name;
    size_t motors, obs;
} BODY_SIZES[] = {
    {"old_classic_bipedal", 4, 6 + 10 + 20},
    {"classic_bipedal", 4, 6 + 10 + 20},
    {"small_bipedal", 4, 6 + 10 + 20},
    {"fish", 4, 6 + 12 + 20},
    {"climbing_profile_chimpanzee", 12, 6 + 28 + 20},
    /* BigQuadruBody, OldBigQuadruBody: two pairs of biped legs, 8 motors,
     * state 20. */
    {"big_quadru", 8, 6 + 20 + 20},
    {"old_big_quadru", 8, 6 + 20 + 20},
    /* SpiderBody (nb_pairs_of_legs 2): 4 legs of 3 motors, contact on the
     * last: 4 x (2 + 2 + 3) = 28. */
    {"spider", 12, 6 + 28 + 20},
    /* MillipedeBody (nb_of_bodies 4): 8 biped legs: 8 x (2 + 3) = 40. */
    {"millipede", 16, 6 + 40 + 20},
    /* WheelBody: 4 two-part spokes: 4 x (2 + 3) = 20. */
    {"wheel", 8, 6 + 20 + 20},
    /* ProfileChimpanzee: legs 2 x (2 + 3), arms 2 x (shoulder 2 + elbow 2
     * + 3 hand parts x 3) = 10 + 26 = 36; 14 motors. */
    {"profile_chimpanzee", 14, 6 + 36 + 20},
    /* ClimbingChestProfileChimpanzee: the climber without legs: arms 14 +
     * sensors 4 = 18; 6 motors + 2 sensors. */
    {"climbing_chest_profile_chimpanzee", 8, 6 + 18 + 20},
    /* AmphibiousBipedalBody: the classic biped's layout: 10. */
    {"amphibious_bipedal", 4, 6 + 10 + 20},
};
#define N_BODIES (sizeof BODY_SIZES / sizeof BODY_SIZES[0])

START_TEST(test_body_sizes)
{
    tk_env_fx fx;
    fx_must_open(&fx, body_config(BODY_SIZES[_i].name), 1);
    ck_assert_uint_eq(fx.info.act_dim, BODY_SIZES[_i].motors);
    ck_assert_uint_eq(fx.info.obs_dim, BODY_SIZES[_i].obs);
    ck_assert_uint_eq(fx.info.task_space.dims, 8);
    float obs[256];
    tk_env_fx_start(&fx, DRY_TASK, obs);
    for (size_t i = 0; i < fx.info.obs_dim; i++)
        ck_assert(isfinite(obs[i]));
    tk_env_fx_close(&fx);
}
END_TEST

/* The benchmark's task space (environment_args_handler.py, "medium" CPPN
 * input space) and teacher bounds. */
START_TEST(test_default_task_space)
{
    static const double lo[8] = {-0.35, 0.6, -0.1, 0.0, 0.25, 0.0, 0.0, 10.0};
    static const double hi[8] = {0.05, 1.0, 0.3, 1.0, 0.25, 4.0, 5.0, 10.0};
    tk_env_fx fx;
    fx_must_open(&fx, NULL, 1);
    for (int i = 0; i < 8; i++) {
        ck_assert_double_eq(fx.info.task_space.dim[i].low, lo[i]);
        ck_assert_double_eq(fx.info.task_space.dim[i].high, hi[i]);
    }
    ck_assert_double_eq(fx.info.return_low, -150.0);
    ck_assert_double_eq(fx.info.return_high, 360.0);
    ck_assert_double_eq(fx.info.mastery_threshold, 230.0);
    ck_assert_uint_eq(fx.info.max_episode_steps, 2000);
    tk_env_fx_close(&fx);
}
END_TEST

START_TEST(test_config_errors)
{
    tk_env_expect_config_error(g_plugin, "parkour", "{\"body\": \"unicorn\"}", "body");
    tk_env_expect_config_error(g_plugin, "parkour", "{\"bodies\": \"fish\"}", NULL);
    tk_env_expect_config_error(g_plugin, "parkour", "{\"cppn_weights\": \"/nonexistent.json\"}",
                               "cppn_weights");
    tk_env_expect_config_error(g_plugin, "parkour", "{\"water_level_range\": [0.5, 0.2]}", NULL);
    tk_env_fx fx;
    /* Tasks: finite and within the physical limits. */
    fx_must_open(&fx, NULL, 1);
    float task[8];
    memcpy(task, WET_TASK, sizeof task);
    task[7] = 1.0f; /* the original asserts scale > 1 */
    ck_assert_int_eq(fx.vt->set_task(fx.env, task), TK_ERR_INVALID);
    task[7] = NAN;
    ck_assert_int_eq(fx.vt->set_task(fx.env, task), TK_ERR_INVALID);
    float obs[64];
    ck_assert_int_eq(fx.vt->reset(fx.env, obs), TK_ERR_STATE);
    tk_env_fx_close(&fx);
}
END_TEST

/* ------------------------------------------------------ trajectories */

/* A deterministic action sequence exercising every motor both ways. */
static void actions_at(int t, size_t n, float *act)
{
    for (size_t k = 0; k < n; k++)
        act[k] = (float)sin(0.05 * t * (double)(k + 1) + (double)k);
}

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* Digest of the reset observation and 400 steps of (obs, reward, done) on
 * `task` from harness seed 7. */
static uint64_t trajectory_digest(const char *body, const float *task)
{
    tk_env_fx fx;
    fx_must_open(&fx, body_config(body), 7);
    float obs[256], act[64];
    double r = 0.0;
    int done = 0;
    tk_env_fx_start(&fx, task, obs);
    uint64_t h = fnv(0xcbf29ce484222325ULL, obs, fx.info.obs_dim * sizeof *obs);
    for (int t = 0; t < 400 && !done; t++) {
        actions_at(t, fx.info.act_dim, act);
        tk_env_fx_step(&fx, act, obs, &r, &done);
        h = fnv(h, obs, fx.info.obs_dim * sizeof *obs);
        h = fnv(h, &r, sizeof r);
        h = fnv(h, &done, sizeof done);
    }
    tk_env_fx_close(&fx);
    return h;
}

static const float *wet_task(const char *body)
{
    return strcmp(body, "fish") == 0 || strcmp(body, "amphibious_bipedal") == 0 ? SWIM_TASK
                                                                                : WET_TASK;
}

/* Recorded once with `test_plugin_parkour PLUGIN.so --record` from this
 * implementation on Debian's Box2D 2.4.1 (release and sanitizer builds
 * agree: the plugin is compiled with -ffp-contract=off), after checking the
 * behaviour the other tests assert and, in test_plugin_bipedal_walker, that
 * the body builders reproduce the validated TDRL walkers bit for bit.  The
 * original cannot give these numbers (pybox2d's Box2D 2.3 and float32
 * TensorFlow differ); they guard reproducibility: a change of physics,
 * terrain, draw order or observation changes them, deliberately or not. */
static const struct {
    const char *body;
    uint64_t dry, wet; /* on DRY_TASK and WET_TASK (SWIM_TASK for the swimmers) */
} DIGESTS[] = {
    {"old_classic_bipedal", 0xb7a85b4e76ab05e1ULL, 0x4cb53adef4926d3fULL},
    {"classic_bipedal", 0x8393526912976beeULL, 0x35c3ee65e25dcedeULL},
    {"small_bipedal", 0xf4310c180d99f346ULL, 0x3ff67ea40c74210dULL},
    {"fish", 0x90d16a96d0a4328cULL, 0xef1da7913fbaa9f7ULL},
    {"climbing_profile_chimpanzee", 0x74f70b96343e1b88ULL, 0xc9a73e5a1d511ab1ULL},
    {"big_quadru", 0x6402b5a898658276ULL, 0xe2cdcb6b0f66e5a5ULL},
    {"old_big_quadru", 0x754b2b2bc608a6c2ULL, 0x1d38391dcfffdf3aULL},
    {"spider", 0xd0c3d0fbe4739260ULL, 0x7a403bf32d6baf97ULL},
    {"millipede", 0x4be8a3fe9230b95dULL, 0xf52e0fd2ec8ee3f6ULL},
    {"wheel", 0x33f8b5b5f15e069fULL, 0x1461515a70d27d72ULL},
    {"profile_chimpanzee", 0xbe1738bc10dd9fbfULL, 0x8ebdf618f8563316ULL},
    {"climbing_chest_profile_chimpanzee", 0x7258e3068a8e4c7eULL, 0x01bff0113d87078aULL},
    {"amphibious_bipedal", 0x8a3a3817db7e229fULL, 0x0fc07349652077a4ULL},
};

START_TEST(test_trajectory_digests)
{
    const uint64_t dry = trajectory_digest(DIGESTS[_i].body, DRY_TASK);
    const uint64_t wet = trajectory_digest(DIGESTS[_i].body, wet_task(DIGESTS[_i].body));
    ck_assert_msg(dry == DIGESTS[_i].dry && wet == DIGESTS[_i].wet,
                  "%s: digests 0x%016llx 0x%016llx, recorded 0x%016llx 0x%016llx",
                  DIGESTS[_i].body, (unsigned long long)dry, (unsigned long long)wet,
                  (unsigned long long)DIGESTS[_i].dry, (unsigned long long)DIGESTS[_i].wet);
}
END_TEST

/* Same seed, same task: the same episode, also after other episodes. */
START_TEST(test_deterministic)
{
    const uint64_t a = trajectory_digest("old_classic_bipedal", WET_TASK);
    const uint64_t b = trajectory_digest("old_classic_bipedal", WET_TASK);
    ck_assert(a == b);
}
END_TEST

START_TEST(test_record)
{
    for (size_t i = 0; i < sizeof DIGESTS / sizeof DIGESTS[0]; i++)
        printf("    {\"%s\", 0x%016llxULL, 0x%016llxULL},\n", DIGESTS[i].body,
               (unsigned long long)trajectory_digest(DIGESTS[i].body, DRY_TASK),
               (unsigned long long)trajectory_digest(DIGESTS[i].body, wet_task(DIGESTS[i].body)));
}
END_TEST

/* ------------------------------------------------------------- water */

/* Full of water: the walker is under water from the start, is dead after
 * 600 steps under water (the original's nb_steps_under_water) and its
 * actions no longer count. */
START_TEST(test_walker_drowns)
{
    tk_env_fx fx;
    fx_must_open(&fx, "{\"max_episode_steps\": 5000}", 3);
    float task[8] = {-0.15f, 0.8f, 0.1f, 1.0f, 0.25f, 0.0f, 5.0f, 10.0f};
    float obs[64], act[4] = {0.3f, -0.2f, 0.4f, 0.1f};
    double r = 0.0;
    int done = 0;
    tk_env_fx_start(&fx, task, obs);
    ck_assert_float_eq(obs[4], 1.0f); /* under water */
    ck_assert_float_eq(obs[5], 0.0f);
    int died = -1;
    for (int t = 1; t <= 700 && !done; t++) {
        tk_env_fx_step(&fx, act, obs, &r, &done);
        ck_assert_float_eq(obs[4], 1.0f);
        if (obs[5] == 1.0f && died < 0)
            died = t;
    }
    /* The counter restarts after reset's step, and a step checks it before
     * counting itself: step t starts with t - 1 steps under water and plays
     * dead once that exceeds 600, from step 602 on. */
    ck_assert_int_eq(died, 602);
    tk_env_fx_close(&fx);
}
END_TEST

/* Joint angles count from the pose the body is built in, as pybox2d's
 * revoluteJointDef sets referenceAngle = bodyB.angle - bodyA.angle when
 * given both bodies: the fish's fin (built at -0.2 pi), the spider's upper
 * and middle legs (at 0.25 pi and 0.7 pi) start at joint angle 0, inside
 * their limits, instead of at -0.2 pi or pushed to a limit.  Observation
 * indices: the fish's fin is its 4th motor, 3 values each (angle, speed,
 * contact); the spider's first leg is hip (angle, speed), knee (angle,
 * speed), ankle. */
START_TEST(test_joints_start_at_angle_zero)
{
    static const struct {
        const char *body;
        int index;
    } JOINTS[] = {{"fish", 6 + 3 * 3}, {"spider", 6}, {"spider", 6 + 2}};
    for (size_t k = 0; k < sizeof JOINTS / sizeof JOINTS[0]; k++) {
        tk_env_fx fx;
        fx_must_open(&fx, body_config(JOINTS[k].body), 3);
        float obs[64];
        tk_env_fx_start(&fx, SWIM_TASK, obs);
        ck_assert_msg(fabsf(obs[JOINTS[k].index]) < 0.05f, "%s: obs[%d] = %f at reset",
                      JOINTS[k].body, JOINTS[k].index, (double)obs[JOINTS[k].index]);
        tk_env_fx_close(&fx);
    }
}
END_TEST

/* A fish out of water: dead from step 602 (600 steps out of water, the
 * original's nb_steps_outside_water); the dead flag zeroes its actions. */
START_TEST(test_fish_dries_out)
{
    tk_env_fx fx;
    fx_must_open(&fx, "{\"body\": \"fish\", \"max_episode_steps\": 5000}", 3);
    float obs[64], act[4] = {0.5f, -0.5f, 0.5f, 0.5f};
    double r = 0.0;
    int done = 0, died = -1;
    tk_env_fx_start(&fx, DRY_TASK, obs);
    ck_assert_float_eq(obs[4], 0.0f);
    for (int t = 1; t <= 700 && !done; t++) {
        tk_env_fx_step(&fx, act, obs, &r, &done);
        if (obs[5] == 1.0f && died < 0)
            died = t;
    }
    ck_assert_int_eq(died, 602);
    tk_env_fx_close(&fx);
}
END_TEST

/* The climber starts hanging from the ceiling by both hands (reset holds
 * on for 5 + 1 steps), stays up while it holds, and lets go when its
 * sensor actions are not positive. */
START_TEST(test_climber_hangs_and_releases)
{
    tk_env_fx fx;
    fx_must_open(&fx, "{\"body\": \"climbing_profile_chimpanzee\"}", 3);
    const float task[8] = {-0.17f, 0.9f, 0.12f, 0.0f, 0.25f, 3.0f, 3.0f, 10.0f};
    float obs[64], act[12] = {0};
    double r = 0.0;
    int done = 0;
    tk_env_fx_start(&fx, task, obs);
    /* Sensor values follow the 6 head values and 24 motor values. */
    ck_assert_float_eq(obs[30], 1.0f);
    ck_assert_float_eq(obs[31], 1.0f);
    ck_assert_float_eq(obs[32], 1.0f);
    ck_assert_float_eq(obs[33], 1.0f);
    act[10] = act[11] = 1.0f;
    for (int t = 0; t < 100; t++) {
        tk_env_fx_step(&fx, act, obs, &r, &done);
        ck_assert_int_eq(done, 0);
    }
    ck_assert_float_eq(obs[31], 1.0f);
    ck_assert_float_eq(obs[33], 1.0f);
    act[10] = -1.0f; /* the first hand lets go */
    tk_env_fx_step(&fx, act, obs, &r, &done);
    ck_assert_float_eq(obs[31], 0.0f);
    ck_assert_float_eq(obs[33], 1.0f);
    act[11] = 0.0f; /* and the second: the climber falls, its head or
                       chest hits the ground, -100 */
    for (int t = 0; t < 400 && !done; t++)
        tk_env_fx_step(&fx, act, obs, &r, &done);
    ck_assert_int_eq(done, 1);
    ck_assert_double_eq(r, -100.0);
    tk_env_fx_close(&fx);
}
END_TEST

/* ---------------------------------------------------------- creepers */

/* Hanging from the ceiling with the up fan, the climber's lidars see the
 * creepers around it (+1 flags, after the 10 fractions). */
START_TEST(test_lidar_sees_creepers)
{
    tk_env_fx fx;
    fx_must_open(&fx, "{\"body\": \"climbing_profile_chimpanzee\"}", 3);
    const float task[8] = {-0.3f, 0.75f, 0.0f, 0.3f, 0.25f, 3.0f, 1.0f, 10.0f};
    float obs[64];
    tk_env_fx_start(&fx, task, obs);
    int creepers = 0;
    for (int i = 0; i < 10; i++)
        creepers += obs[6 + 28 + 10 + i] == 1.0f;
    ck_assert_int_gt(creepers, 0);
    tk_env_fx_close(&fx);
}
END_TEST

/* Movable creepers (chains of dynamic pieces) change the world but not the
 * rules: the same episode is reproducible, differs from the static
 * creepers' one for a climber among them, and the climber can still hang. */
START_TEST(test_movable_creepers)
{
    static const char *const configs[2] = {
        "{\"body\": \"climbing_profile_chimpanzee\"}",
        "{\"body\": \"climbing_profile_chimpanzee\", \"movable_creepers\": true}"};
    const float task[8] = {-0.3f, 0.75f, 0.0f, 0.3f, 0.25f, 3.0f, 1.0f, 10.0f};
    uint64_t h[3];
    for (int run = 0; run < 3; run++) {
        tk_env_fx fx;
        fx_must_open(&fx, configs[run == 0 ? 0 : 1], 3);
        float obs[64], act[12] = {0};
        act[10] = act[11] = 1.0f;
        double r = 0.0;
        int done = 0;
        tk_env_fx_start(&fx, task, obs);
        ck_assert_float_eq(obs[31], 1.0f); /* grasping */
        h[run] = fnv(0xcbf29ce484222325ULL, obs, fx.info.obs_dim * sizeof *obs);
        for (int t = 0; t < 200 && !done; t++) {
            actions_at(t, 10, act);
            tk_env_fx_step(&fx, act, obs, &r, &done);
            h[run] = fnv(h[run], obs, fx.info.obs_dim * sizeof *obs);
        }
        tk_env_fx_close(&fx);
    }
    ck_assert(h[1] == h[2]);
    ck_assert(h[0] != h[1]);
}
END_TEST

/* --------------------------------------------------------- checkpoints */

/* The record marks the component; after load, set_task and reset replay
 * the episode from the host-restored stream. */
START_TEST(test_save_load)
{
    tk_env_fx a, b;
    fx_must_open(&a, NULL, 31);
    fx_must_open(&b, NULL, 999);
    float oa[64], ob[64];
    tk_env_fx_start(&a, WET_TASK, oa);
    const void *data;
    size_t size;
    ck_assert_int_eq(a.vt->save(a.env, &data, &size), TK_OK);
    void *copy = malloc(size);
    memcpy(copy, data, size);
    ck_assert_int_eq(b.vt->load(b.env, copy, size - 1), TK_ERR_INVALID);
    ck_assert_int_eq(b.vt->load(b.env, copy, size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng; /* what the host restores */
    ck_assert_int_eq(b.vt->reset(b.env, ob), TK_ERR_STATE); /* set_task first */
    tk_env_fx_start(&a, WET_TASK, oa);
    tk_env_fx_start(&b, WET_TASK, ob);
    ck_assert_mem_eq(oa, ob, a.info.obs_dim * sizeof *oa);
    free(copy);
    tk_env_fx_close(&a);
    tk_env_fx_close(&b);
}
END_TEST

/* Water just below the head: some lidars report the water surface (-1);
 * a dry track reports none. */
START_TEST(test_lidar_surfaces)
{
    tk_env_fx fx;
    fx_must_open(&fx, NULL, 3);
    float obs[64];
    tk_env_fx_start(&fx, DRY_TASK, obs);
    for (int i = 0; i < 10; i++)
        ck_assert_float_eq(obs[26 + i], 0.0f);
    /* Water up to 0.81 of the way from the ground limit (-100 m at scale
     * 10) to the highest ceiling point (28.55 m for this input vector):
     * the surface is at 4.13 m, 1.7 m below the spawned hull (5.83 m) and
     * 0.8 m above the start pad's ground. */
    float task[8] = {-0.15f, 0.8f, 0.1f, 0.81f, 0.25f, 0.0f, 5.0f, 10.0f};
    tk_env_fx_start(&fx, task, obs);
    int water = 0;
    for (int i = 0; i < 10; i++)
        water += obs[26 + i] == -1.0f;
    ck_assert_float_eq(obs[4], 0.0f);
    ck_assert_int_gt(water, 0);
    tk_env_fx_close(&fx);
}
END_TEST

/* The benchmark's test sets are valid tasks. */
START_TEST(test_shipped_test_sets)
{
    static const char *const names[] = {"parkour_walking_test_set_v1.json",
                                        "parkour_climbing_test_set_v1.json",
                                        "parkour_swimming_test_set_v1.json"};
    tk_env_fx fx;
    fx_must_open(&fx, NULL, 1);
    for (int n = 0; n < 3; n++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/test_sets/%s", PK_TEST_DATA_DIR, names[n]);
        json_t *root = json_load_file(path, 0, NULL);
        ck_assert_msg(root != NULL, "%s", path);
        json_t *tasks = json_object_get(root, "tasks");
        ck_assert_uint_eq(json_array_size(tasks), 100);
        for (size_t i = 0; i < 100; i++) {
            float task[8];
            for (size_t k = 0; k < 8; k++)
                task[k] = (float)json_number_value(json_array_get(json_array_get(tasks, i), k));
            ck_assert_msg(fx.vt->set_task(fx.env, task) == TK_OK, "%s task %zu: %s", names[n], i,
                          fx.h.ctx.err_message);
        }
        json_decref(root);
    }
    tk_env_fx_close(&fx);
}
END_TEST

START_TEST(test_render)
{
    tk_env_fx fx;
    fx_must_open(&fx, NULL, 3);
    const tk_render_ext *ext = fx.vt->get_extension(fx.env, TK_RENDER_EXT_ID);
    ck_assert_ptr_nonnull(ext);
    float obs[64];
    float task[8] = {-0.15f, 0.8f, 0.1f, 0.81f, 0.25f, 2.0f, 1.0f, 10.0f};
    tk_env_fx_start(&fx, task, obs);
    enum { W = 300, H = 200 };
    uint8_t *rgb = calloc(W * H * 3, 1);
    ck_assert_int_eq(ext->render(fx.env, rgb, W, H), TK_OK);
    int water = 0, hull = 0;
    for (int i = 0; i < W * H; i++) {
        const uint8_t *p = rgb + 3 * i;
        water += p[0] == 119 && p[1] == 172 && p[2] == 229;
        hull += p[0] == 128 && p[1] == 102 && p[2] == 230;
    }
    ck_assert_int_gt(water, 100);
    ck_assert_int_gt(hull, 10);
    free(rgb);
    tk_env_fx_close(&fx);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PLUGIN.so [--record | anything]\n", argv[0]);
        return 2;
    }
    g_plugin = argv[1];
    if (argc > 2 && strcmp(argv[2], "--record") == 0) {
        Suite *rs = suite_create("record");
        tcase_add_test(tk_check_tcase(rs, "record", 600), test_record);
        return tk_check_run_in_process(rs, CK_SILENT);
    }
    Suite *s = suite_create("parkour");
    TCase *tc = tk_check_tcase(s, "core", 240);
    tcase_add_loop_test(tc, test_body_sizes, 0, (int)N_BODIES);
    tcase_add_test(tc, test_default_task_space);
    tcase_add_test(tc, test_config_errors);
    tcase_add_loop_test(tc, test_trajectory_digests, 0,
                        (int)(sizeof DIGESTS / sizeof DIGESTS[0]));
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_walker_drowns);
    tcase_add_test(tc, test_fish_dries_out);
    tcase_add_test(tc, test_joints_start_at_angle_zero);
    tcase_add_test(tc, test_climber_hangs_and_releases);
    tcase_add_test(tc, test_lidar_surfaces);
    tcase_add_test(tc, test_lidar_sees_creepers);
    tcase_add_test(tc, test_movable_creepers);
    tcase_add_test(tc, test_save_load);
    tcase_add_test(tc, test_shipped_test_sets);
    tcase_add_test(tc, test_render);
    return tk_check_run(s);
}
