/* Study manifest expansion: sweeps from lists, ranges and nested configs,
 * run naming and grouping, and path rewriting. */
#include <check.h>
#include <jansson.h>
#include <string.h>

#include "check_main.h"
#include "study.h"

static int expand_text(const char *text, tk_study *st, tk_diag *d)
{
    json_t *root = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(root);
    tk_diag_clear(d);
    int rc = tk_study_expand(root, "/data/exp/study.json", st, d);
    json_decref(root);
    return rc;
}

static const tk_study_run *find(const tk_study *st, const char *dir)
{
    for (size_t i = 0; i < st->n_runs; i++)
        if (strcmp(st->runs[i].dir, dir) == 0)
            return &st->runs[i];
    return NULL;
}

START_TEST(cross_product_of_teachers_and_seed_range)
{
    tk_study st;
    tk_diag d;
    ck_assert_int_eq(expand_text("{\"name\": \"s\", \"seed\": {\"range\": [3, 6]},"
                                 " \"teacher\": [{\"plugin\": \"random\"}, {\"plugin\": \"riac\","
                                 " \"label\": \"riac-compat\", \"config\": {\"compat\": \"teachDeepRL\"}}],"
                                 " \"env\": {\"plugin\": \"toy-grid\"}, \"budget\": {\"episodes\": 5}}",
                                 &st, &d),
                     0);
    ck_assert_uint_eq(st.n_runs, 6);
    const tk_study_run *r = find(&st, "teacher-riac-compat__seed-5");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->group, "teacher-riac-compat");
    ck_assert_str_eq(r->teacher, "riac-compat");
    ck_assert_uint_eq(r->seed, 5);
    json_t *t = json_object_get(r->manifest, "teacher");
    ck_assert_str_eq(json_string_value(json_object_get(t, "plugin")), "riac");
    ck_assert_ptr_null(json_object_get(t, "label")); /* labels are not run config */
    ck_assert_int_eq(json_integer_value(json_object_get(r->manifest, "seed")), 5);
    ck_assert_str_eq(json_string_value(json_object_get(r->manifest, "name")),
                     "teacher-riac-compat__seed-5");
    ck_assert_ptr_nonnull(find(&st, "teacher-random__seed-3"));
    ck_assert_ptr_null(find(&st, "teacher-random__seed-6")); /* range end excluded */
    tk_study_free(&st);
}
END_TEST

START_TEST(nested_config_sweep_and_seed_list)
{
    tk_study st;
    tk_diag d;
    ck_assert_int_eq(expand_text("{\"seed\": [1, 2], \"teacher\": {\"plugin\": \"alp-gmm\","
                                 " \"config\": {\"fit_rate\": {\"sweep\": [100, 250]}}},"
                                 " \"env\": [{\"plugin\": \"toy-grid\", \"config\": {\"dims\": {\"sweep\": [2, 3]}}}],"
                                 " \"budget\": {\"episodes\": 5}}",
                                 &st, &d),
                     0);
    ck_assert_uint_eq(st.n_runs, 8);
    const tk_study_run *r = find(&st, "fit_rate-250__env-toy-grid__dims-3__seed-2");
    ck_assert_msg(r != NULL, "run names: %s ...", st.runs[0].dir);
    json_t *cfg = json_object_get(json_object_get(r->manifest, "teacher"), "config");
    ck_assert_int_eq(json_integer_value(json_object_get(cfg, "fit_rate")), 250);
    json_t *env = json_object_get(json_object_get(r->manifest, "env"), "config");
    ck_assert_int_eq(json_integer_value(json_object_get(env, "dims")), 3);
    ck_assert_str_eq(r->group, "fit_rate-250__env-toy-grid__dims-3");
    ck_assert_str_eq(r->teacher, "alp-gmm");
    tk_study_free(&st);
}
END_TEST

START_TEST(no_sweep_is_one_run_and_paths_become_absolute)
{
    tk_study st;
    tk_diag d;
    ck_assert_int_eq(expand_text("{\"teacher\": {\"plugin\": \"random\"}, \"env\": {\"plugin\":"
                                 " \"x\"}, \"plugin_paths\": [\"p/a.so\"], \"eval\": {\"test_set\":"
                                 " {\"file\": \"ts.json\"}}, \"study\": {\"note\": 1},"
                                 " \"budget\": {\"episodes\": 5}}",
                                 &st, &d),
                     0);
    ck_assert_uint_eq(st.n_runs, 1);
    ck_assert_str_eq(st.runs[0].dir, "run");
    ck_assert_str_eq(st.runs[0].group, "all");
    json_t *m = st.runs[0].manifest;
    ck_assert_ptr_null(json_object_get(m, "study"));
    const char *p = json_string_value(json_array_get(json_object_get(m, "plugin_paths"), 0));
    ck_assert_msg(p[0] == '/' && strstr(p, "/p/a.so"), "%s", p);
    const char *ts = json_string_value(
        json_object_get(json_object_get(json_object_get(m, "eval"), "test_set"), "file"));
    ck_assert_msg(ts[0] == '/' && strstr(ts, "/ts.json"), "%s", ts);
    tk_study_free(&st);
}
END_TEST

START_TEST(errors_name_the_path)
{
    tk_study st;
    tk_diag d;
    ck_assert_int_ne(expand_text("{\"seed\": {\"range\": [5, 2]}}", &st, &d), 0);
    ck_assert_str_eq(d.path, "seed.range");
    tk_study_free(&st);
    ck_assert_int_ne(expand_text("{\"teacher\": {\"plugin\": \"a\", \"config\": {\"k\":"
                                 " {\"sweep\": []}}}}", &st, &d), 0);
    ck_assert_str_eq(d.path, "teacher.config.k");
    tk_study_free(&st);
    /* Two teachers with the same plugin and no labels collide. */
    ck_assert_int_ne(expand_text("{\"teacher\": [{\"plugin\": \"riac\"}, {\"plugin\": \"riac\"}]}",
                                 &st, &d), 0);
    ck_assert_ptr_nonnull(strstr(d.message, "label"));
    tk_study_free(&st);
}
END_TEST

START_TEST(labels_are_sanitised)
{
    tk_study st;
    tk_diag d;
    ck_assert_int_eq(expand_text("{\"teacher\": [{\"plugin\": \"a\", \"label\": \"../../x y\"}]}",
                                 &st, &d), 0);
    ck_assert_ptr_null(strchr(st.runs[0].dir, '/'));
    ck_assert_ptr_null(strchr(st.runs[0].dir, ' '));
    tk_study_free(&st);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("study");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, cross_product_of_teachers_and_seed_range);
    tcase_add_test(tc, nested_config_sweep_and_seed_list);
    tcase_add_test(tc, no_sweep_is_one_run_and_paths_become_absolute);
    tcase_add_test(tc, errors_name_the_path);
    tcase_add_test(tc, labels_are_sanitised);
    return tk_check_run(s);
}
