/* The standalone host of libteachkit (<teachkit/standalone.h>): a client of
 * the same plugin-hosting core as `teachkit` (<teachkit/instance.h>,
 * <teachkit/plugin_config.h>), so it must seed instances, resolve configs
 * and word errors exactly as the host does; it applies the ABI rules, finds
 * plugins by id and path, and reports errors as values.
 * argv: toy_grid.so alp_gmm.so future_minor.so wrong_major.so no_entry.so spdl.so
 *       short_vtable.so */
#include <check.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "teachkit/instance.h"
#include "teachkit/plugin_config.h"
#include "teachkit/rng.h"
#include "teachkit/standalone.h"

static char **plugin_args;
#define TOY_GRID plugin_args[0]
#define ALP_GMM plugin_args[1]
#define FUTURE_MINOR plugin_args[2]
#define WRONG_MAJOR plugin_args[3]
#define NO_ENTRY plugin_args[4]
#define SPDL plugin_args[5]
#define SHORT_VTABLE plugin_args[6]

static const tk_dim unit_dims[2] = {{"a", 0.0, 1.0}, {"b", 0.0, 1.0}};
static const tk_task_space unit_space = {2, unit_dims};

static tk_standalone *session(void)
{
    unsetenv("TEACHKIT_PLUGIN_PATH");
    tk_standalone *sa = tk_standalone_new();
    ck_assert_ptr_nonnull(sa);
    return sa;
}

/* future-teacher draws nothing in create, so the stream is compared as
 * derived. */
START_TEST(seeding_matches_host)
{
    tk_standalone *sa = session();
    const tk_descriptor *d = tk_standalone_find(sa, TK_KIND_TEACHER, FUTURE_MINOR);
    ck_assert_msg(d != NULL, "%s", tk_standalone_error_message(sa));
    static const char *const roles[] = {NULL, "teacher", "eval-env"};
    for (size_t r = 0; r < 3; r++) {
        tk_standalone_instance *inst = NULL;
        ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, NULL, 7, roles[r], &inst),
                         TK_OK);
        tk_component comp;
        char why[256];
        ck_assert_int_eq(tk_component_init(&comp, d, "future_minor.so", why, sizeof why), 0);
        tk_instance host;
        tk_instance_init(&host, &comp, NULL, 7, roles[r] ? roles[r] : "teacher");
        ck_assert_mem_eq(tk_standalone_instance_rng(inst), &host.ctx.rng, sizeof(tk_rng));
        tk_standalone_destroy(inst);
    }
    tk_standalone_free(sa);
}
END_TEST

START_TEST(config_matches_host)
{
    static const char user_text[] = "{\"fit_rate\": 100, \"random_task_ratio\": 0.3}";
    tk_standalone *sa = session();
    const tk_descriptor *d = tk_standalone_find(sa, TK_KIND_TEACHER, ALP_GMM);
    tk_standalone_instance *inst = NULL;
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, user_text, 1, NULL, &inst),
                     TK_OK);
    json_t *user = json_loads(user_text, 0, NULL);
    tk_diag diag;
    json_t *resolved = tk_resolve_config(d, user, "m.json", "teacher.config", &diag);
    ck_assert_ptr_nonnull(resolved);
    char *host_text = json_dumps(resolved, JSON_COMPACT | JSON_SORT_KEYS);
    ck_assert_str_eq(tk_standalone_instance_config(inst), host_text);
    free(host_text);
    json_decref(resolved);
    json_decref(user);
    tk_standalone_free(sa); /* destroys the instance still alive */
}
END_TEST

START_TEST(config_errors)
{
    tk_standalone *sa = session();
    const tk_descriptor *d = tk_standalone_find(sa, TK_KIND_TEACHER, ALP_GMM);
    tk_standalone_instance *inst = (void *)1;
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, "{\"fit_rat\": 3}", 1,
                                                  NULL, &inst),
                     TK_ERR_CONFIG);
    ck_assert_ptr_null(inst);
    ck_assert_str_eq(tk_standalone_error_path(sa), "fit_rat");
    ck_assert_ptr_nonnull(strstr(tk_standalone_error_message(sa), "unknown key"));
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, "{\"fit_rate\": 1.5}", 1,
                                                  NULL, &inst),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(tk_standalone_error_path(sa), "fit_rate");
    /* A range error comes from the plugin, with its key. */
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, "{\"fit_rate\": 0}", 1,
                                                  NULL, &inst),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(tk_standalone_error_path(sa), "fit_rate");
    ck_assert_ptr_nonnull(strstr(tk_standalone_error_message(sa), "got 0"));
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, "[1]", 1, NULL, &inst),
                     TK_ERR_CONFIG);
    tk_standalone_free(sa);
}
END_TEST

/* Config mistakes read as `teachkit run` words them (its tk_diag without
 * "teachkit: FILE: "): merge errors and the plugin's range errors. */
START_TEST(config_errors_word_as_host)
{
    tk_standalone *sa = session();
    const tk_descriptor *d = tk_standalone_find(sa, TK_KIND_TEACHER, ALP_GMM);
    static const char *const mistakes[] = {"{\"fit_rat\": 3}", "{\"fit_rate\": \"x\"}"};
    for (size_t i = 0; i < 2; i++) {
        tk_standalone_instance *inst = NULL;
        ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, mistakes[i], 1, NULL,
                                                      &inst),
                         TK_ERR_CONFIG);
        json_t *user = json_loads(mistakes[i], 0, NULL);
        tk_diag diag;
        ck_assert_ptr_null(tk_resolve_config(d, user, "m.json", "teacher.config", &diag));
        json_decref(user);
        char want[2048];
        snprintf(want, sizeof want, "%s: %s", diag.path, diag.message);
        ck_assert_str_eq(tk_standalone_error_message(sa), want);
    }
    /* The plugin's own range check, through the host's create. */
    tk_standalone_instance *inst = NULL;
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, "{\"fit_rate\": 0}", 1,
                                                  NULL, &inst),
                     TK_ERR_CONFIG);
    json_t *user = json_loads("{\"fit_rate\": 0}", 0, NULL);
    tk_diag diag;
    json_t *resolved = tk_resolve_config(d, user, "m.json", "teacher.config", &diag);
    json_decref(user);
    tk_component comp;
    char why[256];
    ck_assert_int_eq(tk_component_init(&comp, d, ALP_GMM, why, sizeof why), 0);
    tk_instance host;
    tk_instance_init(&host, &comp, resolved, 1, "teacher");
    ck_assert_int_ne(tk_instance_create_teacher(&host, &unit_space, "m.json", &diag), 0);
    tk_instance_destroy(&host);
    char want[2048];
    snprintf(want, sizeof want, "%s: %s", diag.path, diag.message);
    ck_assert_str_eq(tk_standalone_error_message(sa), want);
    tk_standalone_free(sa);
}
END_TEST

/* A failing call names the component, the call and the status. */
START_TEST(call_errors_word_as_host)
{
    tk_standalone *sa = session();
    const tk_descriptor *d = tk_standalone_find(sa, TK_KIND_TEACHER, ALP_GMM);
    tk_standalone_instance *inst = NULL;
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, NULL, 1, NULL, &inst), TK_OK);
    float obs[1] = {0};
    ck_assert_int_eq(tk_standalone_teacher_step_update(inst, obs, obs, 0.0, obs, 0),
                     TK_ERR_UNSUPPORTED);
    ck_assert_str_eq(tk_standalone_instance_error_line(inst),
                     "teacher \"alp-gmm\" failed in step_update: unsupported: teacher "
                     "\"alp-gmm\" provides no step_update()");
    /* Non-finite returns and tasks never reach the plugin. */
    float task0[2] = {0.5f, 0.5f};
    ck_assert_int_eq(tk_standalone_teacher_update(inst, task0, NAN, 0), TK_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(tk_standalone_instance_error_line(inst),
                                 "teachers take finite returns only"));
    task0[1] = INFINITY;
    double rets[1] = {0.5};
    ck_assert_int_eq(tk_standalone_teacher_update_batch(inst, 1, task0, rets, NULL),
                     TK_ERR_INVALID);
    /* The next successful call clears it. */
    float task[2];
    ck_assert_int_eq(tk_standalone_teacher_sample(inst, task), TK_OK);
    ck_assert_str_eq(tk_standalone_instance_error_line(inst), "");
    tk_standalone_free(sa);
}
END_TEST

/* Runs `episodes` sample/update rounds with a return derived from the task,
 * writing the tasks (2 floats each) to `tasks` when not NULL. */
static void play(tk_standalone_instance *inst, size_t episodes, float *tasks)
{
    for (size_t i = 0; i < episodes; i++) {
        float task[2];
        ck_assert_int_eq(tk_standalone_teacher_sample(inst, task), TK_OK);
        ck_assert_int_eq(tk_standalone_teacher_update(inst, task, task[0] * task[1], task[0] > 0.5f),
                         TK_OK);
        if (tasks)
            memcpy(tasks + 2 * i, task, sizeof task);
    }
}

START_TEST(batch_calls_equal_single_calls)
{
    tk_standalone *sa = session();
    const tk_descriptor *d = tk_standalone_find(sa, TK_KIND_TEACHER, ALP_GMM);
    tk_standalone_instance *single = NULL, *batch = NULL;
    const char *cfg = "{\"fit_rate\": 40}";
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, cfg, 3, NULL, &single), TK_OK);
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, cfg, 3, NULL, &batch), TK_OK);
    ck_assert_uint_eq(tk_standalone_teacher_dims(batch), 2);
    enum { N = 50, ROUNDS = 6 };
    float want[2 * N], got[2 * N];
    double rets[N];
    int succ[N];
    /* A batch samples N tasks, then updates N: the single calls in that
     * order (a vectorised env's round). */
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N; i++)
            ck_assert_int_eq(tk_standalone_teacher_sample(single, want + 2 * i), TK_OK);
        for (int i = 0; i < N; i++)
            ck_assert_int_eq(tk_standalone_teacher_update(single, want + 2 * i,
                                                          want[2 * i] * want[2 * i + 1],
                                                          want[2 * i] > 0.5f),
                             TK_OK);
        ck_assert_int_eq(tk_standalone_teacher_sample_batch(batch, N, got), TK_OK);
        ck_assert_mem_eq(got, want, sizeof want);
        for (int i = 0; i < N; i++)
            rets[i] = got[2 * i] * got[2 * i + 1], succ[i] = got[2 * i] > 0.5f;
        ck_assert_int_eq(tk_standalone_teacher_update_batch(batch, N, got, rets, succ), TK_OK);
    }
    tk_standalone_free(sa);
}
END_TEST

START_TEST(save_load_continues)
{
    tk_standalone *sa = session();
    const tk_descriptor *d = tk_standalone_find(sa, TK_KIND_TEACHER, ALP_GMM);
    const char *cfg = "{\"fit_rate\": 40}";
    tk_standalone_instance *a = NULL, *b = NULL, *other = NULL;
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, cfg, 1, NULL, &a), TK_OK);
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, cfg, 99, NULL, &b), TK_OK);
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, "{\"fit_rate\": 41}", 1,
                                                  NULL, &other), TK_OK);
    play(a, 230, NULL);
    play(b, 17, NULL); /* a used teacher is loaded as well as a fresh one */
    const void *data = NULL;
    size_t size = 0;
    ck_assert_int_eq(tk_standalone_teacher_save(a, &data, &size), TK_OK);
    void *copy = malloc(size);
    memcpy(copy, data, size);
    ck_assert_int_eq(tk_standalone_teacher_load(b, copy, size), TK_OK);
    /* Refused: another config, damaged bytes; the teacher is unchanged. */
    ck_assert_int_eq(tk_standalone_teacher_load(other, copy, size), TK_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(tk_standalone_instance_error_line(other), "another config"));
    ck_assert_int_eq(tk_standalone_teacher_load(b, copy, size / 2), TK_ERR_INVALID);
    ck_assert_int_eq(tk_standalone_teacher_load(b, "garbage", 7), TK_ERR_INVALID);
    float want[2 * 300], got[2 * 300];
    play(a, 300, want);
    play(b, 300, got);
    ck_assert_mem_eq(got, want, sizeof want);
    free(copy);
    tk_standalone_free(sa);
}
END_TEST

/* The caller's value function answers host->student_value: SPDL asks the
 * value of each episode's first observation in episode_start. */
typedef struct value_calls {
    int calls;
    size_t n;
    float first;
    tk_status answer;
} value_calls;

static tk_status value_of(void *user, const float *obs, size_t n, float *values_out)
{
    value_calls *v = user;
    v->calls++;
    v->n = n;
    v->first = obs[0];
    for (size_t i = 0; i < n; i++)
        values_out[i] = 0.25f;
    return v->answer;
}

START_TEST(value_function_and_step_calls)
{
    tk_standalone *sa = session();
    const tk_descriptor *d = tk_standalone_find(sa, TK_KIND_TEACHER, SPDL);
    ck_assert_msg(d != NULL, "%s", tk_standalone_error_message(sa));
    tk_standalone_instance *t = NULL;
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, NULL, 1, NULL, &t), TK_OK);
    float task[2], obs[3] = {0.5f, 1.0f, 2.0f}, act[1] = {0.0f};
    ck_assert_int_eq(tk_standalone_teacher_sample(t, task), TK_OK);
    /* No value function: SPDL points at its value_source key. */
    ck_assert_int_eq(tk_standalone_teacher_episode_start(t, task, obs), TK_ERR_CONFIG);
    ck_assert_str_eq(tk_standalone_instance_error_path(t), "value_source");
    value_calls v = {0, 0, 0.0f, TK_OK};
    tk_standalone_set_value_fn(t, value_of, &v);
    ck_assert_int_eq(tk_standalone_teacher_episode_start(t, task, obs), TK_OK);
    ck_assert_int_eq(v.calls, 1);
    ck_assert_uint_eq(v.n, 1);
    ck_assert(v.first == 0.5f);
    ck_assert_int_eq(tk_standalone_teacher_step_update(t, obs, act, -1.0, obs, 0), TK_OK);
    ck_assert_int_eq(tk_standalone_teacher_update(t, task, 0.5, 0), TK_OK);
    /* A failing value function fails the call. */
    v.answer = TK_ERR_INTERNAL;
    ck_assert_int_eq(tk_standalone_teacher_sample(t, task), TK_OK);
    ck_assert_int_ne(tk_standalone_teacher_episode_start(t, task, obs), TK_OK);
    tk_standalone_set_value_fn(t, NULL, NULL);
    ck_assert_int_eq(tk_standalone_teacher_episode_start(t, task, obs), TK_ERR_CONFIG);
    tk_standalone_free(sa);
}
END_TEST

START_TEST(abi_rules)
{
    tk_standalone *sa = session();
    const tk_descriptor *d = tk_standalone_find(sa, TK_KIND_TEACHER, FUTURE_MINOR);
    ck_assert_msg(d != NULL, "%s", tk_standalone_error_message(sa));
    ck_assert_str_eq(d->id, "future-teacher");
    tk_standalone_instance *inst = NULL;
    ck_assert_int_eq(tk_standalone_create_teacher(sa, d, &unit_space, NULL, 1, NULL, &inst), TK_OK);
    float task[2];
    ck_assert_int_eq(tk_standalone_teacher_sample(inst, task), TK_OK);
    const char *json = NULL;
    ck_assert_int_eq(tk_standalone_teacher_snapshot(inst, &json), TK_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(tk_standalone_instance_error_message(inst), "snapshot"));

    ck_assert_int_eq(tk_standalone_load(sa, WRONG_MAJOR), TK_ERR_UNSUPPORTED);
    const char *msg = tk_standalone_error_message(sa);
    char speaks[32];
    snprintf(speaks, sizeof speaks, "ABI %u.%u", TK_ABI_MAJOR, TK_ABI_MINOR);
    ck_assert_msg(strstr(msg, "ABI 2.0") && strstr(msg, speaks), "%s", msg);
    ck_assert_int_eq(tk_standalone_load(sa, NO_ENTRY), TK_ERR_IO);
    ck_assert_ptr_nonnull(strstr(tk_standalone_error_message(sa), "teachkit_plugin_entry"));
    ck_assert_int_eq(tk_standalone_load(sa, "/nonexistent/x.so"), TK_ERR_IO);
    tk_standalone_free(sa);
}
END_TEST

/* Ids are found through TEACHKIT_PLUGIN_PATH (and the build tree). */
START_TEST(find_by_id)
{
    tk_standalone *sa = session();
    setenv("TEACHKIT_PLUGIN_PATH", TOY_GRID, 1);
    const tk_descriptor *env = tk_standalone_find(sa, TK_KIND_ENV, "toy-grid");
    unsetenv("TEACHKIT_PLUGIN_PATH");
    ck_assert_msg(env != NULL, "%s", tk_standalone_error_message(sa));
    ck_assert_int_eq(tk_standalone_has_feature(env, "self-evaluation"), 1);
    ck_assert_ptr_null(tk_standalone_find(sa, TK_KIND_TEACHER, "no-such-teacher"));
    ck_assert_ptr_nonnull(strstr(tk_standalone_error_message(sa), "no teacher plugin"));
    ck_assert_ptr_null(tk_standalone_find(sa, TK_KIND_TEACHER, TOY_GRID));
    ck_assert_ptr_nonnull(strstr(tk_standalone_error_message(sa), "provides no teacher"));
    tk_standalone_free(sa);
}
END_TEST

/* The toy grid through the call helpers, as runner.c drives it. */
START_TEST(env_calls)
{
    tk_standalone *sa = session();
    const tk_descriptor *d = tk_standalone_find(sa, TK_KIND_ENV, TOY_GRID);
    tk_standalone_instance *env = NULL;
    ck_assert_int_eq(tk_standalone_create_env(sa, d, "{\"cells_per_dim\": 4}", 3, NULL, &env),
                     TK_OK);
    tk_env_info info = {.struct_size = sizeof info};
    ck_assert_int_eq(tk_standalone_env_info(env, &info), TK_OK);
    ck_assert_uint_eq(info.task_space.dims, 2);
    float task[2] = {0.1f, 0.1f};
    double reward = 0.0, pct = -1.0;
    int done = 0, success = 0;
    for (int i = 0; i < 80; i++) {
        ck_assert_int_eq(tk_standalone_env_set_task(env, task), TK_OK);
        ck_assert_int_eq(tk_standalone_env_reset(env, NULL), TK_OK);
        ck_assert_int_eq(tk_standalone_env_step(env, NULL, NULL, &reward, &done), TK_OK);
    }
    ck_assert(done && reward == 0.8);
    ck_assert_int_eq(tk_standalone_env_evaluate(env, &pct), TK_OK);
    ck_assert(pct == 100.0 / 16);
    ck_assert_int_eq(tk_standalone_env_success(env, &success), TK_ERR_UNSUPPORTED);
    /* A host whose tk_env_info ends earlier: the env writes only inside
     * the size that host set, and accepts it. */
    tk_env_info older;
    memset(&older, 0x5a, sizeof older);
    older.struct_size = offsetof(tk_env_info, max_episode_steps);
    const tk_env_vtable *ev = d->vtable;
    ck_assert_int_eq(ev->info(tk_standalone_instance_self(env), &older), TK_OK);
    ck_assert_uint_eq(older.struct_size, offsetof(tk_env_info, max_episode_steps));
    ck_assert(older.task_space.dims == 2 && older.mastery_threshold == info.mastery_threshold);
    uint64_t untouched;
    memset(&untouched, 0x5a, sizeof untouched);
    ck_assert_uint_eq(older.max_episode_steps, untouched);
    /* The same through the standalone host: the caller's struct_size
     * holds, the bytes past it stay as they were. */
    unsigned char pattern[sizeof(tk_env_info)];
    memset(pattern, 0x5a, sizeof pattern);
    memset(&older, 0x5a, sizeof older);
    older.struct_size = offsetof(tk_env_info, max_episode_steps);
    ck_assert_int_eq(tk_standalone_env_info(env, &older), TK_OK);
    ck_assert_uint_eq(older.struct_size, offsetof(tk_env_info, max_episode_steps));
    ck_assert(older.task_space.dims == 2 && older.mastery_threshold == info.mastery_threshold);
    ck_assert_mem_eq((const unsigned char *)&older + older.struct_size,
                     pattern + older.struct_size, sizeof older - older.struct_size);
    /* A caller that did not set struct_size is told to. */
    tk_env_info unset = {.struct_size = 0};
    ck_assert_int_eq(tk_standalone_env_info(env, &unset), TK_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(tk_standalone_instance_error_message(env), "struct_size"));
    float bad[2] = {2.0f, 0.0f};
    ck_assert_int_eq(tk_standalone_env_set_task(env, bad), TK_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(tk_standalone_instance_error_message(env), "outside"));
    /* A call for another kind is refused, not dispatched. */
    ck_assert_int_eq(tk_standalone_teacher_sample(env, task), TK_ERR_INVALID);
    tk_standalone_destroy(env);
    tk_standalone_free(sa);
}
END_TEST

/* Vtables that end before their optional members (tests/fixtures/plugins/
 * short_vtable.c, whose members past the declared size abort): the host's
 * copies hold NULL there, the calls report TK_ERR_UNSUPPORTED, and the
 * required members run. */
START_TEST(short_vtables_skip_missing_members)
{
    tk_standalone *sa = session();
    const tk_descriptor *t = tk_standalone_find(sa, TK_KIND_TEACHER, SHORT_VTABLE);
    const tk_descriptor *e = tk_standalone_find(sa, TK_KIND_ENV, SHORT_VTABLE);
    const tk_descriptor *s = tk_standalone_find(sa, TK_KIND_STUDENT, SHORT_VTABLE);
    ck_assert_msg(t && e && s, "%s", tk_standalone_error_message(sa));
    const tk_teacher_vtable *tv = t->vtable;
    const tk_env_vtable *ev = e->vtable;
    const tk_student_vtable *sv = s->vtable;
    ck_assert_uint_eq(tv->struct_size, offsetof(tk_teacher_vtable, step_update));
    ck_assert(tv->update && !tv->step_update && !tv->episode_start && !tv->get_extension);
    ck_assert(ev->step && !ev->success && !ev->evaluate && !ev->get_extension);
    ck_assert(sv->end_episode && !sv->value && !sv->save && !sv->get_extension);

    tk_standalone_instance *teacher = NULL, *env = NULL, *student = NULL;
    ck_assert_int_eq(tk_standalone_create_teacher(sa, t, &unit_space, NULL, 1, NULL, &teacher),
                     TK_OK);
    ck_assert_int_eq(tk_standalone_create_env(sa, e, NULL, 1, NULL, &env), TK_OK);
    tk_student_spec spec = {1, 1, NULL, NULL, NULL, NULL, 1, sizeof(tk_student_spec)};
    ck_assert_int_eq(tk_standalone_create_student(sa, s, &spec, NULL, 1, NULL, &student), TK_OK);
    float task[2], obs[1], action[1];
    double reward = 0.0;
    int done = 0, success = 0;
    ck_assert_int_eq(tk_standalone_teacher_sample(teacher, task), TK_OK);
    ck_assert_int_eq(tk_standalone_teacher_step_update(teacher, obs, obs, 0.0, obs, 0),
                     TK_ERR_UNSUPPORTED);
    ck_assert_int_eq(tk_standalone_env_set_task(env, task), TK_OK);
    ck_assert_int_eq(tk_standalone_env_reset(env, obs), TK_OK);
    ck_assert_int_eq(tk_standalone_student_act(student, obs, 1, action), TK_OK);
    ck_assert_int_eq(tk_standalone_env_step(env, action, obs, &reward, &done), TK_OK);
    ck_assert(done && reward == 1.0);
    ck_assert_int_eq(tk_standalone_env_success(env, &success), TK_ERR_UNSUPPORTED);
    ck_assert_int_eq(tk_standalone_student_end_episode(student, reward, 1), TK_OK);
    tk_standalone_free(sa);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 8)
        return 2;
    plugin_args = argv + 1;
    Suite *s = suite_create("standalone");
    TCase *tc = tk_check_tcase(s, "standalone", 0);
    tcase_add_test(tc, seeding_matches_host);
    tcase_add_test(tc, config_matches_host);
    tcase_add_test(tc, config_errors);
    tcase_add_test(tc, abi_rules);
    tcase_add_test(tc, find_by_id);
    tcase_add_test(tc, env_calls);
    tcase_add_test(tc, short_vtables_skip_missing_members);
    tcase_add_test(tc, config_errors_word_as_host);
    tcase_add_test(tc, call_errors_word_as_host);
    tcase_add_test(tc, batch_calls_equal_single_calls);
    tcase_add_test(tc, save_load_continues);
    tcase_add_test(tc, value_function_and_step_calls);
    return tk_check_run_in_process(s, CK_NORMAL);
}
