/*
 * Tests of the stump-tracks / hexagon-tracks env plugin
 * (plugins/envs/bipedal_walker) through its ABI, against the original
 * flowersteam/teachDeepRL bipedal_walker_continuous.py.
 *
 *   test_plugin_bipedal_walker PLUGIN.so [anything]     run the suite
 *   test_plugin_bipedal_walker PLUGIN.so --record       print the trajectory
 *       fixture (tests/fixtures/walker/trajectories.h) to stdout
 *   test_plugin_bipedal_walker PLUGIN.so --record-tma   print the digests of
 *       TeachMyAgent's walkers (TMA_WALKERS)
 */
/* The gait's float arithmetic feeds the recorded trajectories: no fused
 * multiply-adds, whatever -march the build uses (the plugin is compiled with
 * -ffp-contract=off for the same reason). */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/envs/bipedal_walker/bw_inspect.h"
#include "check_main.h"
#include "env_checks.h"
#include "teachkit/render.h"
#include "teachkit/rng.h"

static const char *g_plugin;

/* ------------------------------------------------------------- harness */

/* The inspection extension of an open instance. */
static const bw_inspect_ext *inspect(const tk_env_fx *fx)
{
    const bw_inspect_ext *ins = fx->vt->get_extension(fx->env, BW_INSPECT_EXT_ID);
    ck_assert_ptr_nonnull(ins);
    ck_assert_uint_ge(ins->struct_size, sizeof(bw_inspect_ext));
    return ins;
}

/* Component `id` with `config` as given (defaults merged by the plugin)
 * and the harness stream seeded with `seed`; it must open, with its
 * inspection extension. */
static void fx_must_open(tk_env_fx *fx, const char *id, const char *config, uint64_t seed)
{
    tk_env_fx_must_open(fx, g_plugin, id, seed, config);
    inspect(fx);
}

static void hull_state(tk_env_fx *fx, double out[6])
{
    ck_assert_int_eq(inspect(fx)->hull(fx->env, out), TK_OK);
}

/* ---------------------------------------------------- gait controllers */

/* A hand-written walking controller, one instance per leg pair: the swing
 * leg's hip is driven forward (plus a speed-feedback term) with the knee
 * bent for `t_lift` steps and then extended to land; the stance leg's hip is
 * driven backward with the knee nearly straight; roles swap when the swing
 * foot touches the ground after `t_min` steps, or after `t_max`.  Hip
 * commands add a hull pitch / pitch-rate correction.  PD targets on the
 * observation's joint angles (hip angle; knee angle + 1).  The constants
 * were tuned per morphology on flat tracks, by random search until the gait
 * walked on seeds 100-111 (default and quadru tuned again when the hips took
 * pybox2d's reference angle). */
typedef struct gait_params {
    double h_fwd, h_back, k_swing, k_land, k_stance, t_lift, t_min, t_max;
    double kh, kk, kpitch, komega, kv, vdes, stance_pitch;
} gait_params;

static const gait_params GAIT_DEFAULT = {0.198, 0.128, -0.090, 0.156, 0.767, 15.946, 5.315, 52.753,
                                         2.544, 1.225, 3.210, 1.674, 1.038, 0.038, 2.599};
static const gait_params GAIT_SHORT = {0.579, 0.458, -0.335, 0.133, 0.868, 5.0, 13.8, 81.5,
                                       1.108, 1.724, 0.270, 0.231, 0.225, 0.310, 0.653};
static const gait_params GAIT_QUADRU = {0.870, 0.665, -0.418, 0.886, 0.032, 20.973, 8.559, 23.490,
                                        2.031, 1.123, 1.650, 0.300, 0.0, 0.0, 1.017};

typedef struct gait_pair {
    int swing, t;
} gait_pair;

typedef struct gait {
    const gait_params *p;
    gait_pair pair[2]; /* the quadruped's front pair starts in the opposite phase */
} gait;

static void gait_init(gait *g, const gait_params *p)
{
    g->p = p;
    g->pair[0] = (gait_pair){0, 0};
    g->pair[1] = (gait_pair){1, 0};
}

static double clip1(double v)
{
    return v < -1.0 ? -1.0 : (v > 1.0 ? 1.0 : v);
}

static void gait_pair_act(const gait_params *p, gait_pair *w, const float *s, int base,
                          float *a)
{
    const int b[2] = {base, base + 5};
    const int sw = w->swing, st = 1 - sw;
    double hip_t[2], knee_t[2];
    hip_t[sw] = p->h_fwd + p->kv * (s[2] - p->vdes);
    knee_t[sw] = w->t < p->t_lift ? p->k_swing : p->k_land;
    hip_t[st] = -p->h_back;
    knee_t[st] = p->k_stance;
    for (int i = 0; i < 2; i++) {
        double pitch = (i == st ? p->stance_pitch : 1.0) * (p->kpitch * s[0] + p->komega * s[1]);
        /* the constants were tuned on the hip angle from the hull's frame;
         * the observation counts from the spawn pose, legs at -/+0.05 rad */
        double hip = s[b[i]] + (i == 0 ? -0.05 : 0.05);
        double ah = p->kh * (hip_t[i] - hip) - 0.25 * s[b[i] + 1] + pitch;
        double ak = p->kk * (knee_t[i] - s[b[i] + 2]) - 0.25 * s[b[i] + 3];
        a[2 * i] = (float)clip1(ah);
        a[2 * i + 1] = (float)clip1(ak);
    }
    w->t++;
    if ((w->t >= p->t_min && s[b[sw] + 4] > 0.5f) || w->t >= p->t_max) {
        w->swing = st;
        w->t = 0;
    }
}

static void gait_act(gait *g, const float *obs, size_t act_dim, float *act)
{
    for (size_t pair = 0; pair < act_dim / 4; pair++)
        gait_pair_act(g->p, &g->pair[pair], obs, 4 + 10 * (int)pair, act + 4 * pair);
}

static const gait_params *gait_for(const char *walker)
{
    return strcmp(walker, "short") == 0    ? &GAIT_SHORT
           : strcmp(walker, "quadru") == 0 ? &GAIT_QUADRU
                                           : &GAIT_DEFAULT;
}

/* --------------------------------------------------- recorded fixtures */

typedef struct traj_step {
    uint32_t hull[2]; /* float bits of hull x, y */
    uint64_t reward;  /* double bits */
    int done;
    uint32_t obs[34]; /* float bits; obs_dim used */
} traj_step;

typedef struct traj_fixture {
    const char *id;
    const char *config;
    const char *walker;
    uint64_t seed;
    float task[12];
    int steps;              /* recorded env steps after the reset */
    const traj_step *step;  /* steps + 1 entries: [0] is the reset */
} traj_fixture;

/* The recorded scenarios (what --record plays). */
static const traj_fixture SCENARIOS[] = {
    {"stump-tracks", "{\"walker\": \"default\"}", "default", 4242, {0.4f, 1.0f}, 200, NULL},
    {"hexagon-tracks", "{}", "quadru", 4243,
     {0.416f, 2.574f, 3.149f, 1.870f, 2.193f, 1.817f, 1.278f, 3.457f, 1.440f, 2.936f, 3.301f,
      3.756f},
     100, NULL},
};
#define N_SCENARIOS (sizeof SCENARIOS / sizeof SCENARIOS[0])

static uint32_t fbits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static float bitsf(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Play scenario `sc` with its gait controller; `visit` sees every record. */
typedef void (*traj_visit)(void *user, int t, const traj_step *rec, size_t obs_dim);

static void play_scenario(const traj_fixture *sc, traj_visit visit, void *user)
{
    tk_env_fx fx;
    fx_must_open(&fx, sc->id, sc->config, sc->seed);
    float obs[34], act[8];
    traj_step rec;
    double hs[6];
    gait g;
    gait_init(&g, gait_for(sc->walker));
    tk_env_fx_start(&fx, sc->task, obs);
    for (int t = 0; t <= sc->steps; t++) {
        double r = 0.0;
        int done = 0;
        if (t > 0) {
            gait_act(&g, obs, fx.info.act_dim, act);
            tk_env_fx_step(&fx, act, obs, &r, &done);
        }
        memset(&rec, 0, sizeof rec);
        hull_state(&fx, hs);
        rec.hull[0] = fbits((float)hs[0]);
        rec.hull[1] = fbits((float)hs[1]);
        rec.reward = dbits(r);
        rec.done = done;
        for (size_t i = 0; i < fx.info.obs_dim; i++)
            rec.obs[i] = fbits(obs[i]);
        visit(user, t, &rec, fx.info.obs_dim);
        if (done)
            break;
    }
    tk_env_fx_close(&fx);
}

static void print_record(void *user, int t, const traj_step *rec, size_t obs_dim)
{
    (void)user;
    (void)t;
    printf("    {{0x%08xu, 0x%08xu}, 0x%016llxull, %d, {", rec->hull[0], rec->hull[1],
           (unsigned long long)rec->reward, rec->done);
    for (size_t i = 0; i < obs_dim; i++)
        printf("%s0x%08xu", i ? ", " : "", rec->obs[i]);
    printf("}},\n");
}

static void record_fixtures(void)
{
    printf("/*\n * Recorded trajectories of the stump-tracks / hexagon-tracks plugin, played\n"
           " * with the gait controller of tests/plugins/test_bipedal_walker.c on\n"
           " * Debian's Box2D 2.4.1.  Generated -- do not edit; regenerate with\n"
           " *   build/tests/test_plugin_bipedal_walker \\\n"
           " *       build/plugins/envs/bipedal_walker/tkp_bipedal_walker.so --record \\\n"
           " *       > tests/fixtures/walker/trajectories.h\n"
           " * after a deliberate change of the simulation (and say why in the commit).\n"
           " * Per step: hull x, y (float bits), reward (double bits), done, observation\n"
           " * (float bits); entry 0 is the observation returned by reset.\n */\n");
    for (size_t k = 0; k < N_SCENARIOS; k++) {
        const traj_fixture *sc = &SCENARIOS[k];
        printf("\n/* %s %s, seed %llu, %d steps */\n", sc->id, sc->config,
               (unsigned long long)sc->seed, sc->steps);
        printf("static const traj_step TRAJ_%zu[] = {\n", k);
        play_scenario(sc, print_record, NULL);
        printf("};\n");
    }
    printf("\n#define TRAJ_FIXTURES {TRAJ_0, sizeof TRAJ_0 / sizeof TRAJ_0[0]}, "
           "{TRAJ_1, sizeof TRAJ_1 / sizeof TRAJ_1[0]}\n");
    fflush(stdout);
}

START_TEST(test_record)
{
    record_fixtures();
}
END_TEST

#if __has_include("../fixtures/walker/trajectories.h")
#include "../fixtures/walker/trajectories.h"
#define HAVE_TRAJ_FIXTURES 1
#else
#define HAVE_TRAJ_FIXTURES 0
#endif

/* ------------------------------------------------------------ helpers */

static const char *const WALKERS[] = {"default", "short", "quadru"};

static char *config_with(const char *fmt, const char *value)
{
    static char buf[512];
    snprintf(buf, sizeof buf, fmt, value);
    return buf;
}

/* ================================================================ tests */

START_TEST(test_descriptors)
{
    const char *ids[] = {"stump-tracks", "hexagon-tracks"};
    for (size_t i = 0; i < 2; i++) {
        tk_harness h;
        ck_assert_int_eq(tk_harness_open(&h, g_plugin, ids[i], 1), 0);
        ck_assert_int_eq(h.desc->kind, TK_KIND_ENV);
        ck_assert_uint_ge(h.desc->struct_size, sizeof(tk_descriptor));
        json_error_t jerr;
        json_t *def = json_loads(h.desc->default_config, 0, &jerr);
        ck_assert_msg(json_is_object(def), "%s default_config: %s", ids[i], jerr.text);
        ck_assert_ptr_nonnull(json_object_get(def, "walker"));
        ck_assert_ptr_nonnull(json_object_get(def, "variant"));
        json_decref(def);
        const tk_env_vtable *vt = tk_harness_env(&h);
        ck_assert_uint_ge(vt->struct_size, sizeof(tk_env_vtable));
        tk_harness_close(&h);
    }
}
END_TEST

/* Observation / action sizes 24/4 (bipeds) and 34/8 (quadruped), task
 * spaces, return range, mastery threshold and episode limit. */
START_TEST(test_sizes_and_spaces)
{
    for (int e = 0; e < 2; e++) {
        const char *id = e == 0 ? "stump-tracks" : "hexagon-tracks";
        for (size_t w = 0; w < 3; w++) {
            tk_env_fx fx;
            fx_must_open(&fx, id, config_with("{\"walker\": \"%s\"}", WALKERS[w]), 1);
            const int quadru = strcmp(WALKERS[w], "quadru") == 0;
            ck_assert_uint_eq(fx.info.obs_dim, quadru ? 34 : 24);
            ck_assert_uint_eq(fx.info.act_dim, quadru ? 8 : 4);
            ck_assert_uint_eq(fx.info.task_space.dims, e == 0 ? 2 : 12);
            for (size_t k = 0; k < fx.info.act_dim; k++) {
                ck_assert_float_eq(fx.info.act_low[k], -1.0f);
                ck_assert_float_eq(fx.info.act_high[k], 1.0f);
            }
            ck_assert(isinf(fx.info.obs_low[0]) && fx.info.obs_low[0] < 0);
            ck_assert_double_eq(fx.info.return_low, -150.0);
            ck_assert_double_eq(fx.info.return_high, 350.0);
            ck_assert_double_eq(fx.info.mastery_threshold, 230.0);
            ck_assert_uint_eq(fx.info.max_episode_steps, 2000);
            float obs[34];
            float task[12] = {0.5f, 3.0f, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
            tk_env_fx_start(&fx, task, obs);
            tk_env_fx_close(&fx);
        }
    }
    tk_env_fx fx;
    fx_must_open(&fx, "stump-tracks", "{}", 1);
    ck_assert_str_eq(fx.info.task_space.dim[0].name, "stump_height");
    ck_assert_str_eq(fx.info.task_space.dim[1].name, "obstacle_spacing");
    ck_assert_double_eq(fx.info.task_space.dim[0].high, 3.0);
    ck_assert_double_eq(fx.info.task_space.dim[1].high, 6.0);
    tk_env_fx_close(&fx);
    fx_must_open(&fx, "stump-tracks", "{\"stump_height_range\": [-3, 9]}", 1);
    ck_assert_double_eq(fx.info.task_space.dim[0].low, -3.0);
    ck_assert_double_eq(fx.info.task_space.dim[0].high, 9.0);
    tk_env_fx_close(&fx);
    fx_must_open(&fx, "hexagon-tracks", "{}", 1);
    ck_assert_str_eq(fx.info.task_space.dim[11].name, "poly_shape_11");
    ck_assert_double_eq(fx.info.task_space.dim[11].high, 4.0);
    tk_env_fx_close(&fx);
}
END_TEST

/* Impossible configurations are rejected with TK_ERR_CONFIG and the JSON
 * path of the offending value. */
START_TEST(test_config_errors)
{
    static const struct {
        const char *id, *config, *path;
    } cases[] = {
        {"stump-tracks", "{\"walker\": \"tall\"}", "walker"},
        {"stump-tracks", "{\"variant\": \"gym\"}", "variant"},
        {"stump-tracks", "{\"lidar\": 3}", "lidar"},
        {"stump-tracks", "{\"stump_height_range\": [0, 1e9]}", "stump_height_range[1]"},
        {"stump-tracks", "{\"stump_height_range\": [3, 0]}", "stump_height_range"},
        {"stump-tracks", "{\"stump_height_range\": [0, 1, 2]}", "stump_height_range"},
        {"stump-tracks", "{\"stump_height_range\": \"high\"}", "stump_height_range"},
        {"stump-tracks", "{\"obstacle_spacing_range\": [-1, 6]}", "obstacle_spacing_range[0]"},
        {"stump-tracks", "{\"max_episode_steps\": 0}", "max_episode_steps"},
        {"stump-tracks", "{\"max_episode_steps\": 2.5}", "max_episode_steps"},
        {"stump-tracks", "{\"stump_heigth_range\": [0, 3]}", "stump_heigth_range"},
        {"stump-tracks", "{\"poly_shape_range\": [0, 4]}", "poly_shape_range"},
        {"hexagon-tracks", "{\"poly_shape_range\": [0, 5]}", "poly_shape_range[1]"},
        {"hexagon-tracks", "{\"hexagon_noise_std\": -0.1}", "hexagon_noise_std"},
        {"hexagon-tracks", "{\"degenerate_hexagon\": \"ignore\"}", "degenerate_hexagon"},
        {"hexagon-tracks", "{\"obstacle_spacing\": 1000}", "obstacle_spacing"},
        {"hexagon-tracks", "{\"stump_height_range\": [0, 3]}", "stump_height_range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        tk_env_expect_config_error(g_plugin, cases[i].id, cases[i].config, cases[i].path);
    tk_env_expect_config_error(g_plugin, "stump-tracks", "[1, 2]", NULL);
}
END_TEST

/* Impossible tasks and actions (NaN, infinities, outside the task space)
 * are rejected with TK_ERR_INVALID naming the dimension; calls out of order
 * with TK_ERR_STATE. */
START_TEST(test_task_and_action_errors)
{
    tk_env_fx fx;
    fx_must_open(&fx, "stump-tracks", "{}", 1);
    float obs[24], act[4] = {0};
    double r;
    int done;
    ck_assert_int_eq(fx.vt->step(fx.env, act, obs, &r, &done), TK_ERR_STATE);
    ck_assert_int_eq(fx.vt->reset(fx.env, obs), TK_ERR_STATE);
    const float bad[][2] = {{NAN, 1.0f}, {1.0f, INFINITY}, {3.5f, 1.0f}, {-0.1f, 1.0f},
                            {1.0f, 6.01f}};
    const char *names[] = {"task[0] (stump_height)", "task[1] (obstacle_spacing)",
                           "task[0] (stump_height)", "task[0] (stump_height)",
                           "task[1] (obstacle_spacing)"};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(fx.vt->set_task(fx.env, bad[i]), TK_ERR_INVALID);
        ck_assert_msg(strstr(fx.h.ctx.err_message, names[i]), "message \"%s\" lacks \"%s\"",
                      fx.h.ctx.err_message, names[i]);
    }
    /* The bounds themselves are valid tasks. */
    const float edge[2] = {3.0f, 6.0f};
    tk_env_fx_start(&fx, edge, obs);
    act[2] = NAN;
    ck_assert_int_eq(fx.vt->step(fx.env, act, obs, &r, &done), TK_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(fx.h.ctx.err_message, "action[2]"));
    tk_env_fx_close(&fx);

    fx_must_open(&fx, "hexagon-tracks", "{}", 1);
    float task[12] = {1, 1, 1, 1, 1, 1, 1, NAN, 1, 1, 1, 1};
    ck_assert_int_eq(fx.vt->set_task(fx.env, task), TK_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(fx.h.ctx.err_message, "poly_shape_7"));
    task[7] = 4.5f;
    ck_assert_int_eq(fx.vt->set_task(fx.env, task), TK_ERR_INVALID);
    tk_env_fx_close(&fx);
}
END_TEST

/* The physical constants and the start of an episode reproduce the
 * original's (TDRL bipedal_walker_continuous.py on pybox2d 2.3; the values
 * are in docs/envs/stump-tracks.md, "Validation"). */
START_TEST(test_spawn_matches_original)
{
    static const struct {
        const char *walker;
        double hull, inertia, upper, lower;
    } m[] = {{"default", 5.4222, 2.0017, 0.3022, 0.2418},
             {"short", 5.4222, 2.0017, 0.1511, 0.1209},
             {"quadru", 12.3556, 10.6193, 0.5667, 0.4533}};
    for (size_t i = 0; i < 3; i++) {
        tk_env_fx fx;
        fx_must_open(&fx, "stump-tracks", config_with("{\"walker\": \"%s\"}", m[i].walker), 7);
        float obs[34], task[2] = {1.0f, 2.0f};
        tk_env_fx_start(&fx, task, obs);
        double hull, inertia, upper, lower;
        ck_assert_int_eq(inspect(&fx)->masses(fx.env, &hull, &inertia, &upper, &lower), TK_OK);
        ck_assert_double_eq_tol(hull, m[i].hull, 1e-4);
        ck_assert_double_eq_tol(inertia, m[i].inertia, 1e-4);
        ck_assert_double_eq_tol(upper, m[i].upper, 1e-4);
        ck_assert_double_eq_tol(lower, m[i].lower, 1e-4);
        tk_env_fx_close(&fx);
    }

    /* First observation of the default walker: hull level, both legs
     * 0.04-0.08 rad from the hull after the first step but hip angles
     * counted from the spawn pose (legs at -/+0.05 rad; pybox2d's reference
     * angle): ~0.09 and ~0.03; knees ~0.86, both feet down (the hip-gap
     * quirk), lidar rising from ~0.44 straight down. */
    tk_env_fx fx;
    fx_must_open(&fx, "stump-tracks", "{}", 7);
    float obs[24], task[2] = {0.0f, 6.0f};
    tk_env_fx_start(&fx, task, obs);
    ck_assert_float_eq_tol(obs[0], 0.0f, 0.02f);
    ck_assert(obs[4] > 0.07f && obs[4] < 0.13f && obs[9] > -0.01f && obs[9] < 0.04f);
    ck_assert_float_eq_tol(obs[6], 0.86f, 0.03f);
    ck_assert_float_eq_tol(obs[11], 0.86f, 0.03f);
    ck_assert_float_eq(obs[8], 1.0f);
    ck_assert_float_eq(obs[13], 1.0f);
    ck_assert_float_eq_tol(obs[14], 0.44f, 0.01f);
    for (int i = 15; i < 24; i++)
        ck_assert(obs[i] >= obs[i - 1] - 1e-6f && obs[i] <= 1.0f);

    /* Zero action: the walker collapses, the hull touches the ground after
     * ~110 steps with a return of ~-93 (the original's, docs/envs/stump-tracks.md
     * "Validation"; measured on 2.4.1). */
    float act[4] = {0};
    double ret = 0.0, r;
    int done = 0, t;
    for (t = 0; t < 2000 && !done; t++) {
        tk_env_fx_step(&fx, act, obs, &r, &done);
        ret += r;
    }
    ck_assert_msg(done && t > 80 && t < 140, "collapse after %d steps", t);
    ck_assert_msg(ret > -100.0 && ret < -85.0, "zero-action return %g", ret);
    ck_assert_double_eq(r, -100.0);
    /* After the end of an episode, step refuses until the next reset. */
    ck_assert_int_eq(fx.vt->step(fx.env, act, obs, &r, &done), TK_ERR_STATE);
    tk_env_fx_close(&fx);
}
END_TEST

/* Track layout (TDRL _generate_terrain): first stump at the start-pad end, one stump per
 * TS + spacing, flat ground at Y0, the duplicated start-pad point. */
START_TEST(test_track_layout)
{
    tk_env_fx fx;
    fx_must_open(&fx, "stump-tracks", "{}", 3);
    float obs[34], task[2] = {1.0f, 2.0f};
    tk_env_fx_start(&fx, task, obs);
    size_t n_obs, n_ground, n_rep;
    ck_assert_int_eq(inspect(&fx)->track(fx.env, &n_obs, &n_ground, &n_rep), TK_OK);
    const double TS = 14.0 / 30.0, Y0 = 400.0 / 30.0 / 4.0;
    /* stumps start at 20 TS + k (TS + 2) while x < 200 TS */
    size_t expected = 0;
    for (double x = 20 * TS; x < 200 * TS; x += TS + 2.0)
        expected++;
    ck_assert_uint_eq(n_obs, expected);
    ck_assert_uint_eq(n_rep, 0);
    double xy[16];
    size_t np;
    for (size_t k = 0; k < n_obs; k++) {
        ck_assert_int_eq(inspect(&fx)->obstacle(fx.env, k, xy, &np), TK_OK);
        ck_assert_uint_eq(np, 4);
        ck_assert_double_eq_tol(xy[0], 20 * TS + (double)k * (TS + 2.0), 1e-4);
        ck_assert_double_eq_tol(xy[1], Y0, 1e-6);
        ck_assert_double_eq_tol(xy[2] - xy[0], TS, 1e-5);
        double h = xy[5] - xy[3];
        ck_assert(h >= 0.05 * TS - 1e-6 && h < 2.0 * TS); /* max(0.05, N(1, 0.1)) TS */
    }
    /* ground: (0, Y0), (20 TS, Y0), then one point per stump and per grass
     * step (the first repeats 20 TS); the track ends after a stump or a
     * grass step */
    ck_assert_msg(n_ground == 2 + 2 * n_obs - 1 || n_ground == 2 + 2 * n_obs,
                  "%zu ground points for %zu stumps", n_ground, n_obs);
    ck_assert_int_eq(inspect(&fx)->obstacle(fx.env, n_obs, xy, &np), TK_ERR_INVALID);
    tk_env_fx_close(&fx);

    /* Hexagon tracks: 9 m between hexagons (1 m + 8 m spacing). */
    fx_must_open(&fx, "hexagon-tracks", "{}", 3);
    float hx[12] = {0};
    tk_env_fx_start(&fx, hx, obs);
    ck_assert_int_eq(inspect(&fx)->track(fx.env, &n_obs, &n_ground, &n_rep), TK_OK);
    expected = 0;
    for (double x = 20 * TS; x < 200 * TS; x += 9.0)
        expected++;
    ck_assert_uint_eq(n_obs, expected);
    tk_env_fx_close(&fx);
}
END_TEST

/* World building is deterministic for a seed: the same run seed gives the
 * same tracks and bit-identical episodes; another seed other tracks. */
START_TEST(test_deterministic_world)
{
    tk_env_fx a, b, c;
    fx_must_open(&a, "stump-tracks", "{}", 99);
    fx_must_open(&b, "stump-tracks", "{}", 99);
    fx_must_open(&c, "stump-tracks", "{}", 100);
    tk_rng act_rng;
    tk_rng_seed(&act_rng, 5);
    for (int episode = 0; episode < 3; episode++) {
        float task[2] = {1.5f, 0.5f + (float)episode}, oa[24], ob[24], oc[24];
        tk_env_fx_start(&a, task, oa);
        tk_env_fx_start(&b, task, ob);
        tk_env_fx_start(&c, task, oc);
        size_t na, nb, nc, ga, gb, gc, ra, rb, rc;
        inspect(&a)->track(a.env, &na, &ga, &ra);
        inspect(&b)->track(b.env, &nb, &gb, &rb);
        inspect(&c)->track(c.env, &nc, &gc, &rc);
        ck_assert_uint_eq(na, nb);
        ck_assert_uint_eq(ga, gb);
        ck_assert_uint_eq(na, nc); /* same task: same layout... */
        int heights_differ = 0;
        for (size_t k = 0; k < na; k++) {
            double xa[16], xb[16], xc[16];
            size_t pa, pb, pc;
            inspect(&a)->obstacle(a.env, k, xa, &pa);
            inspect(&b)->obstacle(b.env, k, xb, &pb);
            inspect(&c)->obstacle(c.env, k, xc, &pc);
            ck_assert_mem_eq(xa, xb, 2 * pa * sizeof(double));
            heights_differ |= xa[5] != xc[5]; /* ...but other stump noise */
        }
        ck_assert(heights_differ);
        ck_assert_mem_eq(oa, ob, sizeof oa);
        for (int t = 0; t < 150; t++) {
            float act[4];
            for (int k = 0; k < 4; k++)
                act[k] = (float)tk_rng_range(&act_rng, -1.0, 1.0);
            double rwa, rwb;
            int da, db;
            tk_env_fx_step(&a, act, oa, &rwa, &da);
            tk_env_fx_step(&b, act, ob, &rwb, &db);
            ck_assert_mem_eq(oa, ob, sizeof oa);
            ck_assert_uint_eq(dbits(rwa), dbits(rwb));
            ck_assert_int_eq(da, db);
            if (da)
                break;
        }
    }
    tk_env_fx_close(&a);
    tk_env_fx_close(&b);
    tk_env_fx_close(&c);
}
END_TEST

#if HAVE_TRAJ_FIXTURES
typedef struct traj_check {
    const traj_step *expected;
    size_t n;
    size_t seen;
    const char *name;
} traj_check;

static void check_record(void *user, int t, const traj_step *rec, size_t obs_dim)
{
    traj_check *c = user;
    ck_assert_msg((size_t)t < c->n, "%s: longer than the recording (%zu records)", c->name, c->n);
    const traj_step *e = &c->expected[t];
    ck_assert_msg(rec->hull[0] == e->hull[0] && rec->hull[1] == e->hull[1],
                  "%s step %d: hull (%.9g, %.9g) != recorded (%.9g, %.9g)", c->name, t,
                  (double)bitsf(rec->hull[0]), (double)bitsf(rec->hull[1]),
                  (double)bitsf(e->hull[0]), (double)bitsf(e->hull[1]));
    ck_assert_msg(rec->reward == e->reward, "%s step %d: reward differs from the recording",
                  c->name, t);
    ck_assert_int_eq(rec->done, e->done);
    for (size_t i = 0; i < obs_dim; i++)
        ck_assert_msg(rec->obs[i] == e->obs[i], "%s step %d: obs[%zu]%s = %.9g, recorded %.9g",
                      c->name, t, i, i + 10 >= obs_dim ? " (lidar)" : "",
                      (double)bitsf(rec->obs[i]), (double)bitsf(e->obs[i]));
    c->seen++;
}
#endif

/* A scripted policy reproduces the recorded trajectories (positions,
 * lidar, rewards, whole observations) bit for bit. */
START_TEST(test_trajectory_fixture)
{
#if HAVE_TRAJ_FIXTURES
    static const struct {
        const traj_step *step;
        size_t n;
    } recorded[] = {TRAJ_FIXTURES};
    ck_assert_uint_eq(sizeof recorded / sizeof recorded[0], N_SCENARIOS);
    for (size_t k = 0; k < N_SCENARIOS; k++) {
        traj_check c = {recorded[k].step, recorded[k].n, 0, SCENARIOS[k].id};
        play_scenario(&SCENARIOS[k], check_record, &c);
        ck_assert_uint_eq(c.seen, c.n);
        /* the recording exercises contacts, stumps/hexagons in the lidar and
         * non-trivial rewards */
        ck_assert_uint_gt(c.n, 100);
    }
#else
    ck_abort_msg("tests/fixtures/walker/trajectories.h is missing (see --record)");
#endif
}
END_TEST

/* Every morphology builds and walks forward with the hand-written gait:
 * no fall and at least 15 m (30 m for the quadruped) in 1000 steps on
 * tracks of "zero-height" stumps (max(0.05, N(0, 0.1)) TS bumps). */
START_TEST(test_gait_walks)
{
    const char *walker = WALKERS[_i];
    const double min_advance = strcmp(walker, "quadru") == 0 ? 30.0 : 15.0;
    for (uint64_t seed = 100; seed < 103; seed++) {
        tk_env_fx fx;
        fx_must_open(&fx, "stump-tracks", config_with("{\"walker\": \"%s\"}", walker), seed);
        float obs[34], act[8], task[2] = {0.0f, 6.0f};
        gait g;
        gait_init(&g, gait_for(walker));
        tk_env_fx_start(&fx, task, obs);
        double hs[6], x0, ret = 0.0, r;
        hull_state(&fx, hs);
        x0 = hs[0];
        int done = 0, t;
        for (t = 0; t < 1000 && !done; t++) {
            gait_act(&g, obs, fx.info.act_dim, act);
            tk_env_fx_step(&fx, act, obs, &r, &done);
            ret += r;
        }
        hull_state(&fx, hs);
        const int finished = done && hs[0] > 88.0;
        ck_assert_msg(!done || finished, "%s seed %llu: fell after %d steps at x = %.2f", walker,
                      (unsigned long long)seed, t, hs[0]);
        ck_assert_msg(hs[0] - x0 >= min_advance, "%s seed %llu: advanced only %.2f m", walker,
                      (unsigned long long)seed, hs[0] - x0);
        ck_assert(ret > 0.0);
        /* success() is TMA's "running return > 230" */
        ck_assert_int_eq(fx.vt->success(fx.env), ret > 230.0);
        tk_env_fx_close(&fx);
    }
}
END_TEST

/* Lidar modes: "closest" (TMA) never reads farther than TDRL's first
 * broad-phase hit on the same states, and differs from it on dense stumps;
 * the lidar does not act on the physics. */
START_TEST(test_lidar_modes)
{
    tk_env_fx first, closest;
    fx_must_open(&first, "stump-tracks", "{\"lidar\": \"first-hit\"}", 11);
    fx_must_open(&closest, "stump-tracks", "{\"lidar\": \"closest\"}", 11);
    float task[2] = {2.0f, 0.0f}, o1[24], o2[24];
    int differ = 0;
    for (int episode = 0; episode < 4; episode++) {
        tk_env_fx_start(&first, task, o1);
        tk_env_fx_start(&closest, task, o2);
        gait g;
        gait_init(&g, &GAIT_DEFAULT);
        for (int t = 0; t < 300; t++) {
            ck_assert_mem_eq(o1, o2, 14 * sizeof(float)); /* same physics */
            for (int i = 14; i < 24; i++) {
                ck_assert(o2[i] <= o1[i]);
                differ += o2[i] < o1[i];
            }
            float act[4];
            gait_act(&g, o1, 4, act);
            double r1, r2;
            int d1, d2;
            tk_env_fx_step(&first, act, o1, &r1, &d1);
            tk_env_fx_step(&closest, act, o2, &r2, &d2);
            ck_assert_uint_eq(dbits(r1), dbits(r2));
            if (d1)
                break;
        }
    }
    ck_assert_msg(differ > 0, "first-hit and closest lidar never differed on a stump wall");
    tk_env_fx_close(&first);
    tk_env_fx_close(&closest);
}
END_TEST

/* TDRL's quadruped reports contact for its rear pair only (its
 * ContactDetector); the TMA variant tracks every lower leg. */
START_TEST(test_quadru_contacts)
{
    for (int variant = 0; variant < 2; variant++) {
        tk_env_fx fx;
        fx_must_open(&fx, "stump-tracks",
                     variant ? "{\"walker\": \"quadru\", \"variant\": \"tma\"}"
                             : "{\"walker\": \"quadru\"}",
                     5);
        float obs[34], act[8], task[2] = {0.0f, 6.0f};
        gait g;
        gait_init(&g, &GAIT_QUADRU);
        tk_env_fx_start(&fx, task, obs);
        int rear = 0, front = 0, done = 0;
        for (int t = 0; t < 400 && !done; t++) {
            rear += obs[8] > 0.5f || obs[13] > 0.5f;
            front += obs[18] > 0.5f || obs[23] > 0.5f;
            gait_act(&g, obs, 8, act);
            double r;
            tk_env_fx_step(&fx, act, obs, &r, &done);
        }
        ck_assert_int_gt(rear, 0);
        if (variant)
            ck_assert_int_gt(front, 0);
        else
            ck_assert_int_eq(front, 0);
        tk_env_fx_close(&fx);
    }
}
END_TEST

/* Degenerate hexagons never reach Box2D (which would abort): repaired into
 * boxes by default, an error with degenerate_hexagon = "error". */
START_TEST(test_hexagon_degenerate)
{
    /* Without noise these x-offsets put all six vertices on x = 0.5 TS: a
     * vertical segment. */
    float task[12] = {1.0f, 0.0f, 1.0f, 1.0f, 0.75f, 2.0f, 0.25f, 1.0f, 0.0f, 0.5f, 0.0f, 0.0f};
    float obs[34];
    tk_env_fx fx;
    fx_must_open(&fx, "hexagon-tracks", "{\"hexagon_noise_std\": 0}", 1);
    tk_env_fx_start(&fx, task, obs);
    size_t n_obs, n_ground, n_rep;
    ck_assert_int_eq(inspect(&fx)->track(fx.env, &n_obs, &n_ground, &n_rep), TK_OK);
    ck_assert_uint_gt(n_obs, 5);
    ck_assert_uint_eq(n_rep, n_obs);
    double xy[16];
    size_t np;
    ck_assert_int_eq(inspect(&fx)->obstacle(fx.env, 0, xy, &np), TK_OK);
    ck_assert_uint_eq(np, 4);
    ck_assert(xy[2] - xy[0] >= 14.0 / 30.0 / 10.0 - 1e-6); /* at least TS/10 wide */
    /* the walker still runs on the repaired track */
    float act[8] = {0};
    double r;
    int done;
    tk_env_fx_step(&fx, act, obs, &r, &done);
    tk_env_fx_close(&fx);

    fx_must_open(&fx, "hexagon-tracks",
                 "{\"hexagon_noise_std\": 0, \"degenerate_hexagon\": \"error\"}", 1);
    ck_assert_int_eq(fx.vt->set_task(fx.env, task), TK_OK);
    ck_assert_int_eq(fx.vt->reset(fx.env, obs), TK_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(fx.h.ctx.err_message, "degenerate"));
    ck_assert_int_eq(fx.vt->step(fx.env, act, obs, &r, &done), TK_ERR_STATE);
    ck_assert_int_eq(inspect(&fx)->hull(fx.env, xy), TK_ERR_STATE);
    tk_env_fx_close(&fx);

    /* Ordinary tasks (noise on, offsets across [0, 4]) need no repair. */
    fx_must_open(&fx, "hexagon-tracks", "{\"degenerate_hexagon\": \"error\"}", 2);
    tk_rng rng;
    tk_rng_seed(&rng, 3);
    for (int episode = 0; episode < 20; episode++) {
        for (int i = 0; i < 12; i++)
            task[i] = (float)tk_rng_range(&rng, 0.0, 4.0);
        tk_env_fx_start(&fx, task, obs);
        ck_assert_int_eq(inspect(&fx)->track(fx.env, &n_obs, &n_ground, &n_rep), TK_OK);
        ck_assert_uint_eq(n_rep, 0);
    }
    tk_env_fx_close(&fx);
}
END_TEST

/* The y-offsets of the two base vertices (dimensions 1 and 11) only colour
 * the hexagons (TDRL _generate_terrain). */
START_TEST(test_hexagon_base_offsets_cosmetic)
{
    float t1[12] = {0.5f, 0.0f, 1.0f, 0.5f, 1.5f, 1.0f, 2.0f, 1.0f, 2.5f, 0.5f, 3.0f, 0.0f};
    float t2[12];
    memcpy(t2, t1, sizeof t2);
    t2[1] = 4.0f;
    t2[11] = 3.0f;
    tk_env_fx a, b;
    fx_must_open(&a, "hexagon-tracks", "{}", 8);
    fx_must_open(&b, "hexagon-tracks", "{}", 8);
    float oa[34], ob[34];
    tk_env_fx_start(&a, t1, oa);
    tk_env_fx_start(&b, t2, ob);
    size_t na, nb, g, r;
    inspect(&a)->track(a.env, &na, &g, &r);
    inspect(&b)->track(b.env, &nb, &g, &r);
    ck_assert_uint_eq(na, nb);
    for (size_t k = 0; k < na; k++) {
        double xa[16], xb[16];
        size_t pa, pb;
        inspect(&a)->obstacle(a.env, k, xa, &pa);
        inspect(&b)->obstacle(b.env, k, xb, &pb);
        ck_assert_uint_eq(pa, pb);
        ck_assert_mem_eq(xa, xb, 2 * pa * sizeof(double));
    }
    ck_assert_mem_eq(oa, ob, sizeof oa);
    tk_env_fx_close(&a);
    tk_env_fx_close(&b);
}
END_TEST

/* Checkpoint hooks: the record round-trips between episodes, the next
 * episode after a load is the uninterrupted one (the host restores the
 * random stream), and foreign records are refused. */
START_TEST(test_save_load)
{
    tk_env_fx a, b, hex;
    fx_must_open(&a, "stump-tracks", "{}", 31);
    fx_must_open(&b, "stump-tracks", "{}", 999);
    fx_must_open(&hex, "hexagon-tracks", "{}", 31);
    float task[2] = {1.2f, 2.5f}, oa[24], ob[24];
    tk_env_fx_start(&a, task, oa);
    const void *data;
    size_t size;
    ck_assert_int_eq(a.vt->save(a.env, &data, &size), TK_OK);
    ck_assert_uint_gt(size, 0);
    void *copy = malloc(size);
    memcpy(copy, data, size);
    ck_assert_int_eq(hex.vt->load(hex.env, copy, size), TK_ERR_INVALID);
    ck_assert_int_eq(b.vt->load(b.env, copy, size - 1), TK_ERR_INVALID);
    ck_assert_int_eq(b.vt->load(b.env, copy, size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng; /* what the host restores */
    ck_assert_int_eq(b.vt->reset(b.env, ob), TK_ERR_STATE); /* set_task first */
    tk_env_fx_start(&a, task, oa);
    tk_env_fx_start(&b, task, ob);
    ck_assert_mem_eq(oa, ob, sizeof oa);
    free(copy);
    tk_env_fx_close(&a);
    tk_env_fx_close(&b);
    tk_env_fx_close(&hex);
}
END_TEST

static const uint8_t *pixel(const uint8_t *rgb, int w, int x, int y)
{
    return rgb + 3 * ((size_t)y * (size_t)w + (size_t)x);
}

static int is_colour(const uint8_t *p, int r, int g, int b)
{
    return p[0] == r && p[1] == g && p[2] == b;
}

/* teachkit.render.v1: sky, ground and walker pixels have their colours
 * where the camera puts them; rendering does not change the episode. */
START_TEST(test_render)
{
    tk_env_fx fx;
    fx_must_open(&fx, "stump-tracks", "{}", 21);
    const tk_render_ext *r = fx.vt->get_extension(fx.env, TK_RENDER_EXT_ID);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_ge(r->struct_size, sizeof(tk_render_ext));
    ck_assert_ptr_null(fx.vt->get_extension(fx.env, "teachkit.no-such-extension"));
    const int W = 600, H = 400;
    uint8_t *rgb = malloc((size_t)W * H * 3);
    ck_assert_ptr_nonnull(rgb);
    ck_assert_int_eq(r->render(fx.env, rgb, W, H), TK_ERR_STATE);

    float obs[24], task[2] = {0.0f, 6.0f};
    tk_env_fx_start(&fx, task, obs);
    ck_assert_int_eq(r->render(fx.env, NULL, W, H), TK_ERR_INVALID);
    ck_assert_int_eq(r->render(fx.env, rgb, 0, H), TK_ERR_INVALID);
    ck_assert_int_eq(r->render(fx.env, rgb, W, 20000), TK_ERR_INVALID);
    ck_assert_int_eq(r->render(fx.env, rgb, W, H), TK_OK);

    /* Camera: 30 px per metre at 600 px, left edge at hull.x - 4 m, y = 0
     * at the bottom. */
    double hs[6];
    hull_state(&fx, hs);
    const double scale = W / 20.0, left = hs[0] - 4.0;
    const int hx = (int)((hs[0] - left) * scale), hy = (int)(H - hs[1] * scale);
    ck_assert_msg(is_colour(pixel(rgb, W, hx, hy), 128, 102, 230), "hull pixel %d,%d,%d",
                  pixel(rgb, W, hx, hy)[0], pixel(rgb, W, hx, hy)[1], pixel(rgb, W, hx, hy)[2]);
    /* ground: 0.3 m above y = 0 */
    const uint8_t *g = pixel(rgb, W, W / 2, H - 9);
    ck_assert_msg(is_colour(g, 102, 153, 76), "ground pixel %d,%d,%d", g[0], g[1], g[2]);
    /* sky: 6.5 m up (below the clouds, above stumps and walker), far right */
    const uint8_t *s = pixel(rgb, W, W - 20, (int)(H - 6.5 * scale));
    ck_assert_msg(is_colour(s, 230, 230, 255), "sky pixel %d,%d,%d", s[0], s[1], s[2]);
    /* a leg: some pixel with a leg fill colour right below the hull */
    int leg = 0;
    for (int y = hy; y < H && !leg; y++)
        for (int x = hx - 20; x <= hx + 20 && !leg; x++) {
            const uint8_t *p = pixel(rgb, W, x, y);
            leg = is_colour(p, 179, 102, 153) || is_colour(p, 128, 51, 102);
        }
    ck_assert_msg(leg, "no leg pixel below the hull");
    /* lidar: red pixels below-right of the hull */
    int red = 0;
    for (int y = hy; y < H; y++)
        for (int x = hx; x < W; x++)
            red += is_colour(pixel(rgb, W, x, y), 255, 0, 0);
    ck_assert_int_gt(red, 50);

    /* Any size works; tiny images too. */
    ck_assert_int_eq(r->render(fx.env, rgb, 1, 1), TK_OK);
    ck_assert_int_eq(r->render(fx.env, rgb, 160, 90), TK_OK);

    /* Rendering leaves the episode unchanged: compare with a twin. */
    tk_env_fx twin;
    fx_must_open(&twin, "stump-tracks", "{}", 21);
    float o2[24];
    tk_env_fx_start(&twin, task, o2);
    ck_assert_mem_eq(obs, o2, sizeof obs);
    for (int t = 0; t < 60; t++) {
        float act[4] = {0.5f, -0.3f, -0.5f, 0.8f};
        double r1, r2;
        int d1, d2;
        tk_env_fx_step(&fx, act, obs, &r1, &d1);
        ck_assert_int_eq(r->render(fx.env, rgb, W, H), TK_OK);
        tk_env_fx_step(&twin, act, o2, &r2, &d2);
        ck_assert_mem_eq(obs, o2, sizeof obs);
    }
    free(rgb);
    tk_env_fx_close(&twin);
    tk_env_fx_close(&fx);
}
END_TEST

/* The shipped test sets (data/test_sets) are valid tasks of the default
 * task spaces.  Located from this file's path; skipped when the source
 * tree is not reachable from the working directory. */
static json_t *load_test_set(const char *name)
{
    char path[1024];
    const char *here = __FILE__;
    const char *cut = strstr(here, "tests/plugins/");
    if (!cut)
        return NULL;
    snprintf(path, sizeof path, "%.*sdata/test_sets/%s", (int)(cut - here), here, name);
    return json_load_file(path, 0, NULL);
}

START_TEST(test_shipped_test_sets)
{
    static const struct {
        const char *file, *id;
        size_t n, dims;
    } sets[] = {{"tdrl_stump_tracks.json", "stump-tracks", 50, 2},
                {"tma_stump_tracks_grid.json", "stump-tracks", 100, 2},
                {"tdrl_hexagon_tracks.json", "hexagon-tracks", 50, 12}};
    for (size_t s = 0; s < 3; s++) {
        json_t *root = load_test_set(sets[s].file);
        if (!root) {
            fprintf(stderr, "test_shipped_test_sets: %s not reachable from here, skipped\n",
                    sets[s].file);
            continue;
        }
        ck_assert(json_is_array(root));
        ck_assert_uint_eq(json_array_size(root), sets[s].n);
        tk_env_fx fx;
        fx_must_open(&fx, sets[s].id, "{}", 1);
        for (size_t i = 0; i < sets[s].n; i++) {
            json_t *t = json_array_get(root, i);
            ck_assert_uint_eq(json_array_size(t), sets[s].dims);
            float task[12];
            for (size_t k = 0; k < sets[s].dims; k++)
                task[k] = (float)json_number_value(json_array_get(t, k));
            ck_assert_msg(fx.vt->set_task(fx.env, task) == TK_OK, "%s task %zu: %s",
                          sets[s].file, i, fx.h.ctx.err_message);
        }
        tk_env_fx_close(&fx);
        json_decref(root);
    }
}
END_TEST

/* ------------------------------------------- TeachMyAgent's walkers */

/* Stump Tracks with BodiesEnum walkers under TMA's rules
 * (parametric_continuous_stump_tracks.py): observation 4 head values +
 * the body's motor values + 10 lidars, one action per motor.  Motor values
 * as the original's bodies give them (see tests/plugins/test_parkour.c
 * for their derivation); digests of 300 steps of a fixed action sequence on
 * task (1.0, 2.0) from harness seed 5, recorded once with this build
 * (`--record` prints them). */
static const struct {
    const char *name;
    size_t motors, state;
    uint64_t digest;
} TMA_WALKERS[] = {
    {"old_classic_bipedal", 4, 10, 0x69a8b25ebc6f010aULL},
    {"classic_bipedal", 4, 10, 0xf94d9b7b5f60c4ffULL},
    {"small_bipedal", 4, 10, 0x32b60b5e2b1f6d3cULL},
    {"big_quadru", 8, 20, 0xaabf0b4c0074dc3bULL},
    {"spider", 12, 28, 0x9ac02566f69d17bdULL},
    {"millipede", 16, 40, 0x7ebf60514c096e1dULL},
    {"wheel", 8, 20, 0x7117c6a00499c30fULL},
    {"profile_chimpanzee", 14, 36, 0x28590dd3c6903cf4ULL},
    {"old_big_quadru", 8, 20, 0xfe3258b260d844c1ULL},
};
#define N_TMA_WALKERS (sizeof TMA_WALKERS / sizeof TMA_WALKERS[0])

static uint64_t tma_walker_digest(const char *name, size_t *obs_dim, size_t *act_dim)
{
    char config[160];
    snprintf(config, sizeof config, "{\"variant\": \"tma\", \"walker\": \"%s\"}", name);
    tk_env_fx fx;
    fx_must_open(&fx, "stump-tracks", config, 5);
    *obs_dim = fx.info.obs_dim;
    *act_dim = fx.info.act_dim;
    const float task[2] = {1.0f, 2.0f};
    float obs[64], act[16];
    double r = 0.0;
    int done = 0;
    tk_env_fx_start(&fx, task, obs);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int t = 0; t < 300 && !done; t++) {
        for (size_t k = 0; k < fx.info.act_dim; k++)
            act[k] = (float)sin(0.07 * t * (double)(k + 1) + (double)k);
        tk_env_fx_step(&fx, act, obs, &r, &done);
        const unsigned char *p = (const unsigned char *)obs;
        for (size_t i = 0; i < fx.info.obs_dim * sizeof *obs; i++)
            h = (h ^ p[i]) * 0x100000001b3ULL;
        p = (const unsigned char *)&r;
        for (size_t i = 0; i < sizeof r; i++)
            h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    tk_env_fx_close(&fx);
    return h;
}

START_TEST(test_tma_walkers)
{
    size_t obs_dim = 0, act_dim = 0;
    const uint64_t h = tma_walker_digest(TMA_WALKERS[_i].name, &obs_dim, &act_dim);
    ck_assert_uint_eq(act_dim, TMA_WALKERS[_i].motors);
    ck_assert_uint_eq(obs_dim, 4 + TMA_WALKERS[_i].state + 10);
    ck_assert_msg(h == TMA_WALKERS[_i].digest, "%s: digest 0x%016llx, recorded 0x%016llx",
                  TMA_WALKERS[_i].name, (unsigned long long)h,
                  (unsigned long long)TMA_WALKERS[_i].digest);
}
END_TEST

/* TeachMyAgent's bodies come with TMA's rules only. */
START_TEST(test_tma_walker_needs_tma)
{
    tk_env_expect_config_error(g_plugin, "stump-tracks", "{\"walker\": \"spider\"}", "walker");
    tk_env_expect_config_error(g_plugin, "stump-tracks",
                               "{\"variant\": \"tma\", \"walker\": \"fish\"}", NULL);
}
END_TEST

/* Cross-check of the body builders: TMA's old_classic_bipedal and
 * old_big_quadru are TDRL's default and quadru walkers
 * (walkers/old/OldClassicBipedalBody.py is "taken from teachDeepRL"), so
 * under TMA's rules they must play bit-identical episodes. */
START_TEST(test_tma_old_bodies_match_tdrl_walkers)
{
    static const char *const pairs[2][2] = {{"default", "old_classic_bipedal"},
                                            {"quadru", "old_big_quadru"}};
    for (int p = 0; p < 2; p++) {
        tk_env_fx fx[2];
        float obs[2][64], act[16];
        double r[2];
        int done[2] = {0, 0};
        const float task[2] = {1.0f, 2.0f};
        for (int k = 0; k < 2; k++) {
            char config[160];
            snprintf(config, sizeof config, "{\"variant\": \"tma\", \"walker\": \"%s\"}",
                     pairs[p][k]);
            fx_must_open(&fx[k], "stump-tracks", config, 9);
            tk_env_fx_start(&fx[k], task, obs[k]);
        }
        ck_assert_uint_eq(fx[0].info.obs_dim, fx[1].info.obs_dim);
        const size_t n = fx[0].info.obs_dim;
        ck_assert_mem_eq(obs[0], obs[1], n * sizeof(float));
        for (int t = 0; t < 300 && !done[0]; t++) {
            for (size_t k = 0; k < fx[0].info.act_dim; k++)
                act[k] = (float)sin(0.07 * t * (double)(k + 1) + (double)k);
            for (int k = 0; k < 2; k++)
                tk_env_fx_step(&fx[k], act, obs[k], &r[k], &done[k]);
            ck_assert_msg(memcmp(obs[0], obs[1], n * sizeof(float)) == 0 && r[0] == r[1] &&
                              done[0] == done[1],
                          "%s and %s differ at step %d", pairs[p][0], pairs[p][1], t);
        }
        tk_env_fx_close(&fx[0]);
        tk_env_fx_close(&fx[1]);
    }
}
END_TEST

START_TEST(test_record_tma)
{
    for (size_t i = 0; i < N_TMA_WALKERS; i++) {
        size_t o, a;
        printf("    {\"%s\", %zu, %zu, 0x%016llxULL},\n", TMA_WALKERS[i].name,
               TMA_WALKERS[i].motors, TMA_WALKERS[i].state,
               (unsigned long long)tma_walker_digest(TMA_WALKERS[i].name, &o, &a));
    }
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PLUGIN.so [--record | TOY_GRID.so]\n", argv[0]);
        return 2;
    }
    g_plugin = argv[1];
    if (argc > 2 && strcmp(argv[2], "--record-tma") == 0) {
        Suite *rs = suite_create("record");
        tcase_add_test(tk_check_tcase(rs, "record", 600), test_record_tma);
        return tk_check_run_in_process(rs, CK_SILENT);
    }
    if (argc > 2 && strcmp(argv[2], "--record") == 0) {
        /* Check's asserts need a running test: record inside one, silently
         * and in-process so that stdout carries only the fixture. */
        Suite *rs = suite_create("record");
        tcase_add_test(tk_check_tcase(rs, "record", 600), test_record);
        return tk_check_run_in_process(rs, CK_SILENT);
    }

    Suite *s = suite_create("bipedal_walker");
    TCase *tc = tk_check_tcase(s, "core", 240);
    tcase_add_test(tc, test_descriptors);
    tcase_add_test(tc, test_sizes_and_spaces);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_task_and_action_errors);
    tcase_add_test(tc, test_spawn_matches_original);
    tcase_add_test(tc, test_track_layout);
    tcase_add_test(tc, test_deterministic_world);
    tcase_add_test(tc, test_trajectory_fixture);
    tcase_add_loop_test(tc, test_gait_walks, 0, 3);
    tcase_add_test(tc, test_lidar_modes);
    tcase_add_test(tc, test_quadru_contacts);
    tcase_add_test(tc, test_hexagon_degenerate);
    tcase_add_test(tc, test_hexagon_base_offsets_cosmetic);
    tcase_add_test(tc, test_save_load);
    tcase_add_test(tc, test_render);
    tcase_add_test(tc, test_shipped_test_sets);
    tcase_add_loop_test(tc, test_tma_walkers, 0, (int)N_TMA_WALKERS);
    tcase_add_test(tc, test_tma_walker_needs_tma);
    tcase_add_test(tc, test_tma_old_bodies_match_tdrl_walkers);
    return tk_check_run(s);
}
