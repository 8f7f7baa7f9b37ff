/*
 * pendulum environment through the plugin ABI (docs/envs/pendulum.md):
 * dynamics and reward against gym Pendulum-v1's formulas step by step,
 * observation/action sizes and bounds, determinism for a seed, task and
 * config validation, success == (return > -200), and a hand-written
 * energy-pumping + PD controller that masters an easy task and cannot master
 * unlearnable ones.  argv[1] = the pendulum plugin.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "env_checks.h"
#include "plugin_fixtures.h"
#include "teachkit/rng.h"

static const char *g_plugin;

#define G 10.0
#define DT 0.05
#define MAX_SPEED 8.0
#define STEPS 200
#define MASTERY (-200.0)

typedef tk_env_fx pend;

/* The descriptor's defaults with `overrides` (a JSON object or NULL) merged
 * in, as the host does. */
static tk_status pend_open(pend *p, uint64_t seed, const char *overrides)
{
    return tk_env_fx_open_merged(p, g_plugin, "pendulum", seed, overrides);
}

static void set_task(pend *p, double mass, double length, double max_torque)
{
    const float task[3] = {(float)mass, (float)length, (float)max_torque};
    ck_assert_int_eq(p->vt->set_task(p->env, task), TK_OK);
}

/* ---------------------------------------------------- reference dynamics */

/* gym's angle_normalize: ((x + pi) % (2 pi)) - pi with Python's modulo. */
static double ref_normalize(double x)
{
    double y = fmod(x + M_PI, 2.0 * M_PI);
    if (y < 0.0)
        y += 2.0 * M_PI;
    return y - M_PI;
}

/* One step of Pendulum-v1 written from gym's step(); returns the reward. */
static double ref_step(double *th, double *thdot, double m, double l, double max_torque,
                       double action)
{
    double u = fmax(-1.0, fmin(1.0, action)) * max_torque;
    double cost = pow(ref_normalize(*th), 2) + 0.1 * pow(*thdot, 2) + 0.001 * u * u;
    double newthdot = *thdot + (3.0 * G / (2.0 * l) * sin(*th) + 3.0 / (m * l * l) * u) * DT;
    newthdot = fmax(-MAX_SPEED, fmin(MAX_SPEED, newthdot));
    *th = *th + newthdot * DT;
    *thdot = newthdot;
    return -cost;
}

/* ------------------------------------------------------------ controller */

/* Energy-based swing-up with a PD balancer near upright (Astrom & Furuta,
 * "Swinging up a pendulum by energy control", Automatica 36(2), 2000).
 * In units of angular acceleration: th'' = w2 sin th + b u with
 * w2 = 3 g / (2 l), b = 3 / (m l^2); the energy H = thdot^2 / 2 + w2 cos th
 * equals w2 upright at rest.  Returns the action in [-1, 1]. */
static float controller(const float *obs, double m, double l, double max_torque)
{
    const double th = atan2(obs[1], obs[0]), thdot = obs[2];
    const double w2 = 1.5 * G / l, b = 3.0 / (m * l * l);
    const double rho = max_torque / (m * G * l / 2.0);
    /* With rho > 1 the torque beats gravity at every angle: the PD law lifts
     * the pendulum straight up.  Otherwise it takes over near upright. */
    const double capture = rho > 1.0 ? 4.0 : 0.6;
    if (max_torque > 0.0 && fabs(th) < capture) {
        const double acc = -30.0 * th - 10.0 * thdot; /* desired th'' */
        const double a = (acc - w2 * sin(th)) / (b * max_torque);
        return (float)fmax(-1.0, fmin(1.0, a));
    }
    const double energy_gap = w2 - (0.5 * thdot * thdot + w2 * cos(th));
    return energy_gap * thdot >= 0.0 ? 1.0f : -1.0f;
}

typedef struct outcome {
    int episodes, successes;
    int low_starts, low_start_successes; /* episodes starting below horizontal */
    double mean_return;
} outcome;

/* `n` controller episodes on one task; checks success() == (return > -200)
 * and that every observation lies in the declared bounds. */
static outcome run_controller(pend *p, double m, double l, double t, int n)
{
    outcome o = {0};
    set_task(p, m, l, t);
    float obs[3];
    for (int e = 0; e < n; e++) {
        ck_assert_int_eq(p->vt->reset(p->env, obs), TK_OK);
        const int low_start = obs[0] < 0.0f; /* cos th < 0: lower half */
        double ret = 0.0;
        for (int k = 0; k < STEPS; k++) {
            const float a = controller(obs, m, l, t);
            double r = 0.0;
            int done = 1;
            ck_assert_int_eq(p->vt->step(p->env, &a, obs, &r, &done), TK_OK);
            ck_assert_int_eq(done, 0);
            for (int i = 0; i < 3; i++)
                ck_assert(obs[i] >= p->info.obs_low[i] && obs[i] <= p->info.obs_high[i]);
            ret += r;
        }
        const int success = p->vt->success(p->env);
        ck_assert_int_eq(success, ret > MASTERY);
        ck_assert(ret >= p->info.return_low && ret <= p->info.return_high);
        o.episodes++;
        o.successes += success;
        o.low_starts += low_start;
        o.low_start_successes += low_start && success;
        o.mean_return += ret / n;
    }
    return o;
}

/* ----------------------------------------------------------------- tests */

START_TEST(test_descriptor_and_info)
{
    pend p;
    ck_assert_int_eq(pend_open(&p, 1, NULL), TK_OK);
    const tk_descriptor *d = p.h.desc;
    ck_assert_int_eq(d->kind, TK_KIND_ENV);
    ck_assert_str_eq(d->id, "pendulum");
    ck_assert_uint_eq(p.vt->struct_size, sizeof(tk_env_vtable));
    ck_assert_ptr_nonnull(p.vt->success);
    ck_assert_ptr_null(p.vt->evaluate);

    const tk_task_space *s = &p.info.task_space;
    ck_assert_uint_eq(s->dims, 3);
    ck_assert_str_eq(s->dim[0].name, "mass");
    ck_assert_str_eq(s->dim[1].name, "length");
    ck_assert_str_eq(s->dim[2].name, "max_torque");
    ck_assert(s->dim[0].low == 0.5 && s->dim[0].high == 3.0);
    ck_assert(s->dim[1].low == 0.5 && s->dim[1].high == 2.0);
    ck_assert(s->dim[2].low == 0.1 && s->dim[2].high == 6.0);

    ck_assert_uint_eq(p.info.obs_dim, 3);
    ck_assert_uint_eq(p.info.act_dim, 1);
    const float obs_high[3] = {1.0f, 1.0f, 8.0f};
    for (int i = 0; i < 3; i++) {
        ck_assert(p.info.obs_low[i] == -obs_high[i]);
        ck_assert(p.info.obs_high[i] == obs_high[i]);
    }
    ck_assert(p.info.act_low[0] == -1.0f && p.info.act_high[0] == 1.0f);
    /* 200 steps of the largest possible cost, with the largest torque 6. */
    ck_assert_double_eq_tol(p.info.return_low, -200.0 * (M_PI * M_PI + 6.4 + 0.001 * 36.0),
                            1e-9);
    ck_assert(p.info.return_high == 0.0);
    ck_assert(p.info.mastery_threshold == MASTERY);
    ck_assert_uint_eq(p.info.max_episode_steps, STEPS);
    tk_env_fx_close(&p);

    /* The bound follows the configured episode length and torque range. */
    ck_assert_int_eq(pend_open(&p, 1, "{\"episode_steps\": 50, \"max_torque\": [1, 2]}"), TK_OK);
    ck_assert_double_eq_tol(p.info.return_low, -50.0 * (M_PI * M_PI + 6.4 + 0.004), 1e-9);
    ck_assert_uint_eq(p.info.max_episode_steps, 50);
    tk_env_fx_close(&p);
}
END_TEST

/* Every step equals gym's formulas from the same initial state, including
 * clipped actions and the speed limit. */
START_TEST(test_dynamics_match_gym_formulas)
{
    pend p;
    ck_assert_int_eq(pend_open(&p, 42, NULL), TK_OK);
    /* The env computes with the float32 task it is given. */
    const double m = (float)0.7, l = (float)0.9, t = 3.0;
    set_task(&p, m, l, t);
    /* The env draws th then thdot from its stream: replay them on a copy. */
    tk_rng copy = p.h.ctx.rng;
    double th = tk_rng_range(&copy, -M_PI, M_PI);
    double thdot = tk_rng_range(&copy, -1.0, 1.0);
    float obs[3];
    ck_assert_int_eq(p.vt->reset(p.env, obs), TK_OK);
    ck_assert(obs[0] == (float)cos(th) && obs[1] == (float)sin(th) && obs[2] == (float)thdot);

    int clipped_speed = 0;
    for (int k = 0; k < STEPS; k++) {
        /* Full torque one way for 60 steps (spins up to the speed limit),
         * then out-of-range and fractional actions. */
        const float a = k < 60 ? 1.0f : k % 3 == 0 ? -2.5f : k % 3 == 1 ? 0.3f : 7.0f;
        const double want = ref_step(&th, &thdot, m, l, t, a);
        double r = 0.0;
        int done = 1;
        ck_assert_int_eq(p.vt->step(p.env, &a, obs, &r, &done), TK_OK);
        ck_assert_int_eq(done, 0);
        ck_assert_double_eq_tol(r, want, 1e-12 * (1.0 + fabs(want)));
        ck_assert_float_eq_tol(obs[0], (float)cos(th), 1e-6f);
        ck_assert_float_eq_tol(obs[1], (float)sin(th), 1e-6f);
        ck_assert_float_eq_tol(obs[2], (float)thdot, 1e-6f);
        clipped_speed += fabs(thdot) == MAX_SPEED;
    }
    ck_assert_int_gt(clipped_speed, 0);
    tk_env_fx_close(&p);
}
END_TEST

/* One step worked by hand: from the hanging position (cos th = -1) the
 * first step's reward involves only the initial state and the torque. */
START_TEST(test_first_reward_by_hand)
{
    pend p;
    ck_assert_int_eq(pend_open(&p, 7, NULL), TK_OK);
    set_task(&p, 1.0, 1.0, 2.0);
    float obs[3];
    ck_assert_int_eq(p.vt->reset(p.env, obs), TK_OK);
    const double th = atan2(obs[1], obs[0]), thdot = obs[2];
    const float a = 0.5f; /* u = 1 N m */
    double r = 0.0;
    int done = 0;
    ck_assert_int_eq(p.vt->step(p.env, &a, obs, &r, &done), TK_OK);
    /* -(th^2 + 0.1 thdot^2 + 0.001 * 1^2), th from the float observation. */
    ck_assert_double_eq_tol(r, -(th * th + 0.1 * thdot * thdot + 0.001), 1e-5);
    /* thdot' = thdot + (15 sin th + 3) * 0.05 for m = l = 1, g = 10. */
    ck_assert_double_eq_tol(obs[2], thdot + (15.0 * sin(th) + 3.0) * 0.05, 1e-5);
    tk_env_fx_close(&p);
}
END_TEST

START_TEST(test_deterministic_for_a_seed)
{
    pend a, b, c;
    ck_assert_int_eq(pend_open(&a, 5, NULL), TK_OK);
    ck_assert_int_eq(pend_open(&b, 5, NULL), TK_OK);
    ck_assert_int_eq(pend_open(&c, 6, NULL), TK_OK);
    tk_rng actions;
    tk_rng_seed(&actions, 99);
    int differs = 0;
    for (int e = 0; e < 3; e++) {
        set_task(&a, 1.5, 1.2, 2.0);
        set_task(&b, 1.5, 1.2, 2.0);
        set_task(&c, 1.5, 1.2, 2.0);
        float oa[3], ob[3], oc[3];
        ck_assert_int_eq(a.vt->reset(a.env, oa), TK_OK);
        ck_assert_int_eq(b.vt->reset(b.env, ob), TK_OK);
        ck_assert_int_eq(c.vt->reset(c.env, oc), TK_OK);
        ck_assert_mem_eq(oa, ob, sizeof oa);
        differs += memcmp(oa, oc, sizeof oa) != 0;
        for (int k = 0; k < STEPS; k++) {
            const float act = (float)tk_rng_range(&actions, -1.0, 1.0);
            double ra = 0.0, rb = 1.0, rc = 0.0;
            int da = 0, db = 0, dc = 0;
            ck_assert_int_eq(a.vt->step(a.env, &act, oa, &ra, &da), TK_OK);
            ck_assert_int_eq(b.vt->step(b.env, &act, ob, &rb, &db), TK_OK);
            ck_assert_int_eq(c.vt->step(c.env, &act, oc, &rc, &dc), TK_OK);
            ck_assert_mem_eq(oa, ob, sizeof oa);
            ck_assert(ra == rb);
        }
    }
    ck_assert_int_eq(differs, 3); /* another seed, other initial states */
    tk_env_fx_close(&a);
    tk_env_fx_close(&b);
    tk_env_fx_close(&c);
}
END_TEST

START_TEST(test_invalid_calls_rejected)
{
    pend p;
    ck_assert_int_eq(pend_open(&p, 1, NULL), TK_OK);
    static const float bad[][3] = {
        {NAN, 1.0f, 1.0f},      {1.0f, INFINITY, 1.0f}, {1.0f, 1.0f, -INFINITY},
        {0.49f, 1.0f, 1.0f},    {3.01f, 1.0f, 1.0f},    {1.0f, 0.4f, 1.0f},
        {1.0f, 2.5f, 1.0f},     {1.0f, 1.0f, 0.0f},     {1.0f, 1.0f, 6.5f},
    };
    static const char *const names[] = {"mass", "length", "max_torque", "mass", "mass",
                                        "length", "length", "max_torque", "max_torque"};
    static const float low[3] = {0.5f, 0.5f, 0.1f}, high[3] = {3.0f, 2.0f, 6.0f};
    tk_env_check_invalid_calls(&p, bad[0], names, sizeof bad / sizeof bad[0], low, high);
    tk_env_fx_close(&p);
}
END_TEST

START_TEST(test_config_errors_name_the_key)
{
    static const tk_config_case cases[] = {
        {"{\"mass\": [2.0, 1.0]}", "mass"},
        {"{\"mass\": [0.0, 1.0]}", "mass[0]"},
        {"{\"length\": [1.0]}", "length"},
        {"{\"length\": [0.5, 2000.0]}", "length[1]"},
        {"{\"max_torque\": [-1.0, 1.0]}", "max_torque[0]"},
        {"{\"max_torque\": 2.0}", "max_torque"},
        {"{\"g\": -9.81}", "g"},
        {"{\"episode_steps\": 0}", "episode_steps"},
        {"{\"episode_steps\": 2.5}", "episode_steps"},
    };
    tk_env_expect_config_errors(g_plugin, "pendulum", cases, sizeof cases / sizeof cases[0]);
    /* A degenerate range is a fixed dimension; g = 9.81 is accepted. */
    pend p;
    ck_assert_int_eq(pend_open(&p, 1, "{\"mass\": [1.0, 1.0], \"g\": 9.81}"), TK_OK);
    ck_assert(p.info.task_space.dim[0].low == 1.0 && p.info.task_space.dim[0].high == 1.0);
    tk_env_fx_close(&p);
}
END_TEST

START_TEST(test_save_load_between_episodes)
{
    pend p;
    ck_assert_int_eq(pend_open(&p, 3, NULL), TK_OK);
    const float task[3] = {1.0f, 1.0f, 2.0f};
    tk_env_check_save_load(&p, task);
    tk_env_fx_close(&p);
}
END_TEST

/* rho = max_torque / (m g l / 2) = 1.2: the torque beats gravity at every
 * angle and the controller masters every episode. */
START_TEST(test_easy_task_mastered)
{
    pend p;
    ck_assert_int_eq(pend_open(&p, 11, NULL), TK_OK);
    outcome o = run_controller(&p, 1.0, 1.0, 6.0, 40);
    ck_assert_int_eq(o.successes, o.episodes);
    ck_assert_double_gt(o.mean_return, -120.0);
    tk_env_fx_close(&p);
}
END_TEST

/* gym's own task (m = l = 1, max torque 2, rho = 0.4): swing-up needs
 * pumping, and the controller masters most starts.  Shows the controller
 * pumps well enough for the failures below to be the task's. */
START_TEST(test_gym_task_mostly_mastered)
{
    pend p;
    ck_assert_int_eq(pend_open(&p, 12, NULL), TK_OK);
    outcome o = run_controller(&p, 1.0, 1.0, 2.0, 60);
    ck_assert_int_ge(o.successes, o.episodes / 2);
    ck_assert_int_gt(o.low_start_successes, 0);
    tk_env_fx_close(&p);
}
END_TEST

/* rho = 0.1 / (3 * 10 * 2 / 2) = 0.0033: pumping adds far too little energy
 * per swing.  No episode starting in the lower half is mastered, and hardly
 * any at all. */
START_TEST(test_tiny_torque_unlearnable)
{
    pend p;
    ck_assert_int_eq(pend_open(&p, 13, NULL), TK_OK);
    outcome o = run_controller(&p, 3.0, 2.0, 0.1, 60);
    ck_assert_int_gt(o.low_starts, 20);
    ck_assert_int_eq(o.low_start_successes, 0);
    ck_assert_int_le(o.successes, 3);
    ck_assert_double_lt(o.mean_return, -700.0);
    tk_env_fx_close(&p);
}
END_TEST

/* Short pendulum (l = 0.5, w2 = 30) with rho = 0.2: reaching the top from
 * the bottom needs thdot^2 / 2 >= 2 w2 - pi rho w2 = 41 at the bottom, but
 * the speed limit caps it at 32.  No lower-half start is ever mastered. */
START_TEST(test_speed_limit_barrier_unlearnable)
{
    pend p;
    ck_assert_int_eq(pend_open(&p, 14, NULL), TK_OK);
    outcome o = run_controller(&p, 1.0, 0.5, 0.5, 60);
    ck_assert_int_gt(o.low_starts, 20);
    ck_assert_int_eq(o.low_start_successes, 0);
    ck_assert_double_lt(o.mean_return, -700.0);
    tk_env_fx_close(&p);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PENDULUM.so\n", argv[0]);
        return 2;
    }
    g_plugin = argv[1];
    Suite *s = suite_create("pendulum");
    TCase *tc = tk_check_tcase(s, "core", 120);
    tcase_add_test(tc, test_descriptor_and_info);
    tcase_add_test(tc, test_dynamics_match_gym_formulas);
    tcase_add_test(tc, test_first_reward_by_hand);
    tcase_add_test(tc, test_deterministic_for_a_seed);
    tcase_add_test(tc, test_invalid_calls_rejected);
    tcase_add_test(tc, test_config_errors_name_the_key);
    tcase_add_test(tc, test_save_load_between_episodes);
    tcase_add_test(tc, test_easy_task_mastered);
    tcase_add_test(tc, test_gym_task_mostly_mastered);
    tcase_add_test(tc, test_tiny_torque_unlearnable);
    tcase_add_test(tc, test_speed_limit_barrier_unlearnable);
    return tk_check_run(s);
}
