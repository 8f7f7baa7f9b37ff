/* Manifest parsing and plugin-config resolution: each error path names the
 * JSON path, and valid manifests get their defaults. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "teachkit/diag.h"
#include "manifest.h"
#include "teachkit/plugin_config.h"

static const char *const VALID =
    "{\"name\": \"t\", \"seed\": 3, \"budget\": {\"episodes\": 100},"
    " \"teacher\": {\"plugin\": \"random\"}, \"env\": {\"plugin\": \"toy-grid\"}}";

/* Parse `text`; returns the rc and leaves the diagnostic in *d. */
static int parse(const char *text, tk_manifest *m, tk_diag *d)
{
    json_t *root = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(root);
    tk_diag_clear(d);
    int rc = tk_manifest_parse(root, "m.json", m, d);
    json_decref(root);
    return rc;
}

START_TEST(valid_manifest_gets_defaults)
{
    tk_manifest m;
    tk_diag d;
    ck_assert_int_eq(parse(VALID, &m, &d), 0);
    ck_assert_str_eq(m.name, "t");
    ck_assert_uint_eq(m.seed, 3);
    ck_assert_uint_eq(m.budget_episodes, 100);
    ck_assert_uint_eq(m.budget_env_steps, 0);
    ck_assert_str_eq(m.student.plugin, "none");
    ck_assert_uint_eq(m.eval_every_episodes, 1000);
    ck_assert_int_eq(m.eval_at_start, 1);
    ck_assert_int_eq(m.on_nonfinite, TK_NONFINITE_STOP);
    ck_assert_uint_eq(m.student_reset_every_env_steps, 0);
    ck_assert_uint_eq(m.shuffle_cuttings, 0);
    /* Profile keys appear in the resolved manifest only when set. */
    json_t *j = tk_manifest_to_json(&m, NULL, NULL, NULL);
    ck_assert_ptr_null(json_object_get(j, "student_reset"));
    ck_assert_ptr_null(json_object_get(j, "task_shuffle"));
    json_decref(j);
    tk_manifest_free(&m);
}
END_TEST

START_TEST(profile_keys_parse_and_resolve)
{
    tk_manifest m;
    tk_diag d;
    ck_assert_int_eq(parse("{\"budget\": {\"episodes\": 5}, \"teacher\": {\"plugin\": \"random\"},"
                           " \"env\": {\"plugin\": \"toy-grid\"},"
                           " \"student_reset\": {\"every_env_steps\": 700},"
                           " \"task_shuffle\": {}}", &m, &d), 0);
    ck_assert_uint_eq(m.student_reset_every_env_steps, 700);
    ck_assert_uint_eq(m.shuffle_cuttings, 4); /* TeachMyAgent's default */
    ck_assert_int_eq(m.shuffle_has_seed, 0);  /* the run seed */
    json_t *j = tk_manifest_to_json(&m, NULL, NULL, NULL);
    char *text = json_dumps(json_object_get(j, "task_shuffle"), JSON_SORT_KEYS | JSON_COMPACT);
    ck_assert_str_eq(text, "{\"cuttings\":4,\"seed\":null}");
    free(text);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "student_reset"),
                                                        "every_env_steps")), 700);
    json_decref(j);
    tk_manifest_free(&m);
}
END_TEST

typedef struct bad_case {
    const char *json;
    const char *path;      /* expected JSON path in the diagnostic */
    const char *fragment;  /* expected part of the message */
} bad_case;

static const bad_case bad_cases[] = {
    {"[]", "", "must be a JSON object"},
    {"{\"nmae\": \"x\", \"budget\": {\"episodes\": 1}}", "nmae", "did you mean \"name\""},
    {"{\"name\": 3}", "name", "must be a string"},
    {"{\"name\": \"../evil\", \"budget\": {\"episodes\": 1}}", "name", "[A-Za-z0-9._-]"},
    {"{\"name\": \"a/b\", \"budget\": {\"episodes\": 1}}", "name", "run directory"},
    {"{\"seed\": -1, \"budget\": {\"episodes\": 1}}", "seed", "integer in"},
    {"{\"seed\": 1.5, \"budget\": {\"episodes\": 1}}", "seed", "decimal point"},
    {"{\"seed\": \"1\", \"budget\": {\"episodes\": 1}}", "seed", "got a string"},
    {"{}", "budget", "is required"},
    {"{\"budget\": 5}", "budget", "must be an object"},
    {"{\"budget\": {}}", "budget", "needs \"episodes\" or \"env_steps\""},
    {"{\"budget\": {\"episodes\": 0}}", "budget.episodes", "integer in [1,"},
    {"{\"budget\": {\"episodes\": 10000000000000}}", "budget.episodes", "integer in"},
    {"{\"budget\": {\"epsiodes\": 10}}", "budget.epsiodes", "did you mean \"episodes\""},
    {"{\"budget\": {\"episodes\": 1}}", "teacher", "is required"},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {}}", "teacher.plugin", "is required"},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": 1}}", "teacher.plugin",
     "is required"},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\", \"confg\": {}}}",
     "teacher.confg", "did you mean \"config\""},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\", \"config\": []}}",
     "teacher.config", "must be an object"},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\"}}", "env", "is required"},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\"}, \"env\": {\"plugin\": "
     "\"y\"}, \"eval\": {\"every_episode\": 3}}",
     "eval.every_episode", "did you mean \"every_episodes\""},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\"}, \"env\": {\"plugin\": "
     "\"y\"}, \"eval\": {\"test_set\": 3}}",
     "eval.test_set", "must be an object"},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\"}, \"env\": {\"plugin\": "
     "\"y\"}, \"eval\": {\"at_start\": 1}}",
     "eval.at_start", "true or false"},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\"}, \"env\": {\"plugin\": "
     "\"y\"}, \"log\": {\"progress\": \"sometimes\"}}",
     "log.progress", "must be one of"},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\"}, \"env\": {\"plugin\": "
     "\"y\"}, \"plugin_paths\": [\"\"]}",
     "plugin_paths[0]", "non-empty string"},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\"}, \"env\": {\"plugin\": "
     "\"y\"}, \"on_nonfinite\": \"ignore\"}",
     "on_nonfinite", "must be one of"},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\"}, \"env\": {\"plugin\": "
     "\"y\"}, \"student_reset\": {}}",
     "student_reset.every_env_steps", "is required"},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\"}, \"env\": {\"plugin\": "
     "\"y\"}, \"student_reset\": {\"every_env_steps\": 0}}",
     "student_reset.every_env_steps", "integer in [1,"},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\"}, \"env\": {\"plugin\": "
     "\"y\"}, \"task_shuffle\": {\"cutings\": 4}}",
     "task_shuffle.cutings", "did you mean \"cuttings\""},
    {"{\"budget\": {\"episodes\": 1}, \"teacher\": {\"plugin\": \"x\"}, \"env\": {\"plugin\": "
     "\"y\"}, \"task_shuffle\": {\"seed\": 4294967296}}",
     "task_shuffle.seed", "integer in [0, 4294967295]"},
};

START_TEST(bad_manifest_names_path)
{
    const bad_case *c = &bad_cases[_i];
    tk_manifest m;
    tk_diag d;
    ck_assert_int_ne(parse(c->json, &m, &d), 0);
    ck_assert_str_eq(d.file, "m.json");
    ck_assert_msg(strcmp(d.path, c->path) == 0, "case %d: path \"%s\", expected \"%s\" (%s)", _i,
                  d.path, c->path, d.message);
    ck_assert_msg(strstr(d.message, c->fragment) != NULL, "case %d: message \"%s\" lacks \"%s\"",
                  _i, d.message, c->fragment);
    tk_manifest_free(&m);
}
END_TEST

static const tk_descriptor fake_desc = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "fake",
    .default_config = "{\"fit_rate\": 250, \"ratio\": 0.2, \"mode\": \"aic\", \"opt\": null,"
                      " \"nested\": {\"a\": 1}}",
};

static json_t *resolve(const char *user, tk_diag *d)
{
    json_t *u = json_loads(user, 0, NULL);
    ck_assert_ptr_nonnull(u);
    tk_diag_clear(d);
    json_t *r = tk_resolve_config(&fake_desc, u, "m.json", "teacher.config", d);
    json_decref(u);
    return r;
}

START_TEST(config_merges_defaults)
{
    tk_diag d;
    json_t *r = resolve("{\"ratio\": 1, \"opt\": [1, 2], \"nested\": {\"a\": 5}}", &d);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "fit_rate")), 250);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "ratio")), 1);
    ck_assert(json_is_array(json_object_get(r, "opt")));
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "nested"), "a")), 5);
    json_decref(r);
}
END_TEST

START_TEST(config_rejects_unknown_and_mistyped)
{
    tk_diag d;
    ck_assert_ptr_null(resolve("{\"fitrate\": 3}", &d));
    ck_assert_str_eq(d.path, "teacher.config.fitrate");
    ck_assert_ptr_nonnull(strstr(d.message, "did you mean \"fit_rate\""));
    ck_assert_ptr_null(resolve("{\"fit_rate\": 2.5}", &d));
    ck_assert_str_eq(d.path, "teacher.config.fit_rate");
    ck_assert_ptr_nonnull(strstr(d.message, "must be an integer"));
    ck_assert_ptr_null(resolve("{\"mode\": false}", &d));
    ck_assert_str_eq(d.path, "teacher.config.mode");
    ck_assert_ptr_null(resolve("{\"nested\": {\"b\": 1}}", &d));
    ck_assert_str_eq(d.path, "teacher.config.nested.b");
}
END_TEST

START_TEST(closest_word_suggests_typos_only)
{
    static const char *const words[] = {"episodes", "env_steps", "seed", NULL};
    ck_assert_str_eq(tk_closest_word("epsiodes", words), "episodes");
    ck_assert_str_eq(tk_closest_word("env_step", words), "env_steps");
    ck_assert_ptr_null(tk_closest_word("teacher", words));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("manifest");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, valid_manifest_gets_defaults);
    tcase_add_test(tc, profile_keys_parse_and_resolve);
    tcase_add_loop_test(tc, bad_manifest_names_path, 0,
                        (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, config_merges_defaults);
    tcase_add_test(tc, config_rejects_unknown_and_mistyped);
    tcase_add_test(tc, closest_word_suggests_typos_only);
    return tk_check_run(s);
}
