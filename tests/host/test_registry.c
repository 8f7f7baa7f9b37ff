/* Plugin discovery: ABI checks and rejections, newer minor versions,
 * duplicate ids, feature strings.  argv: future_minor.so wrong_major.so
 * no_entry.so duplicate.so unknown_feature.so */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "registry.h"
#include "teachkit/instance.h"

static char **plugin_args;

static tk_registry *open_with(const char *const *paths, size_t n)
{
    tk_diag d;
    tk_diag_clear(&d);
    unsetenv("TEACHKIT_PLUGIN_PATH");
    tk_registry *reg = tk_registry_open(paths, n, &d);
    ck_assert_msg(reg != NULL, "%s", d.message);
    return reg;
}

static const char *rejection_of(const tk_registry *reg, const char *needle)
{
    for (size_t i = 0; i < tk_registry_rejected_count(reg); i++)
        if (strstr(tk_registry_rejected_at(reg, i)->file, needle))
            return tk_registry_rejected_at(reg, i)->reason;
    return NULL;
}

START_TEST(newer_minor_loads)
{
    const char *paths[] = {plugin_args[0]};
    tk_registry *reg = open_with(paths, 1);
    tk_diag d;
    const tk_component *c = tk_registry_find(reg, TK_KIND_TEACHER, "future-teacher", &d);
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(c->desc->version, "9.0.0");
    ck_assert_ptr_nonnull(tk_registry_find(reg, TK_KIND_STUDENT, "none", &d));
    tk_registry_close(reg);
}
END_TEST

START_TEST(wrong_major_refused_with_both_versions)
{
    /* Through TEACHKIT_PLUGIN_PATH: a rejected file is recorded, not fatal. */
    setenv("TEACHKIT_PLUGIN_PATH", plugin_args[1], 1);
    tk_diag d;
    tk_registry *reg = tk_registry_open(NULL, 0, &d);
    ck_assert_ptr_nonnull(reg);
    const char *why = rejection_of(reg, "wrong_major");
    ck_assert_ptr_nonnull(why);
    ck_assert_ptr_nonnull(strstr(why, "ABI 2.0"));
    ck_assert_ptr_nonnull(strstr(why, "ABI 1."));
    /* Asking for a missing id lists the rejection in the message. */
    ck_assert_ptr_null(tk_registry_find(reg, TK_KIND_TEACHER, "anything", &d));
    ck_assert_ptr_nonnull(strstr(d.message, "wrong_major"));
    tk_registry_close(reg);
    unsetenv("TEACHKIT_PLUGIN_PATH");
}
END_TEST

START_TEST(explicit_bad_path_is_an_error)
{
    const char *paths[] = {plugin_args[2]};
    tk_diag d;
    tk_diag_clear(&d);
    ck_assert_ptr_null(tk_registry_open(paths, 1, &d));
    ck_assert_str_eq(d.path, "plugin_paths[0]");
    ck_assert_ptr_nonnull(strstr(d.message, "teachkit_plugin_entry"));
    const char *missing[] = {"/nonexistent/plugin.so"};
    ck_assert_ptr_null(tk_registry_open(missing, 1, &d));
    ck_assert_ptr_nonnull(strstr(d.message, "/nonexistent/plugin.so"));
}
END_TEST

START_TEST(duplicate_id_names_both_files)
{
    const char *paths[] = {plugin_args[0], plugin_args[3]};
    tk_registry *reg = open_with(paths, 2);
    tk_diag d;
    ck_assert_ptr_null(tk_registry_find(reg, TK_KIND_TEACHER, "future-teacher", &d));
    ck_assert_ptr_nonnull(strstr(d.message, "future_minor"));
    ck_assert_ptr_nonnull(strstr(d.message, "two files"));
    ck_assert_ptr_nonnull(strstr(d.message, "duplicate.so"));
    tk_registry_close(reg);
}
END_TEST

START_TEST(missing_id_suggests_near_miss)
{
    const char *paths[] = {plugin_args[0]};
    tk_registry *reg = open_with(paths, 1);
    tk_diag d;
    ck_assert_ptr_null(tk_registry_find(reg, TK_KIND_TEACHER, "future-teachr", &d));
    ck_assert_ptr_nonnull(strstr(d.message, "did you mean \"future-teacher\""));
    tk_registry_close(reg);
}
END_TEST

/* Components of a newer minor version run: the host copied the known
 * prefix of each vtable, and the env wrote its larger tk_env_info only
 * inside the host's struct_size. */
START_TEST(newer_minor_components_are_copied)
{
    const char *paths[] = {plugin_args[0]};
    tk_registry *reg = open_with(paths, 1);
    tk_diag d;
    const tk_component *env = tk_registry_find(reg, TK_KIND_ENV, "future-env", &d);
    const tk_component *student = tk_registry_find(reg, TK_KIND_STUDENT, "future-student", &d);
    ck_assert_msg(env && student, "%s", d.message);
    /* The copies keep the declared size but hold only what this host knows. */
    ck_assert_uint_gt(env->vtable.env.struct_size, sizeof(tk_env_vtable));
    ck_assert_ptr_eq(env->desc->vtable, &env->vtable);
    struct {
        tk_env_info info;
        unsigned char guard[32];
    } out;
    memset(&out, 0xab, sizeof out);
    out.info.struct_size = sizeof out.info;
    void *self = NULL;
    ck_assert_int_eq(env->vtable.env.create(tk_host_api_table(), NULL, "{}", &self), TK_OK);
    ck_assert_int_eq(env->vtable.env.info(self, &out.info), TK_OK);
    ck_assert_uint_eq(out.info.struct_size, sizeof out.info);
    ck_assert_uint_eq(out.info.max_episode_steps, 1);
    for (size_t i = 0; i < sizeof out.guard; i++)
        ck_assert_uint_eq(out.guard[i], 0xab);
    env->vtable.env.destroy(self);
    tk_registry_close(reg);
}
END_TEST

/* The services table of ABI 1.1: log_message, the non-variadic log, is
 * there for plugins that test it. */
START_TEST(services_table_has_log_message)
{
    const tk_host_api *host = tk_host_api_table();
    ck_assert_uint_eq(host->abi_minor, TK_ABI_MINOR);
    ck_assert(TK_HAS_MEMBER(host, log_message));
    struct tk_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.role = "teacher";
    ctx.id = "test";
    host->log_message(&ctx, TK_LOG_DEBUG, "not shown: debug lines need verbose");
    host->log_message(&ctx, TK_LOG_WARN, "a literal 100% line, not a format");
    host->log_message(&ctx, TK_LOG_WARN, NULL);
}
END_TEST

/* A misspelt feature string refuses the file, naming it and the string. */
START_TEST(unknown_feature_refused)
{
    const char *paths[] = {plugin_args[4]};
    tk_diag d;
    tk_diag_clear(&d);
    unsetenv("TEACHKIT_PLUGIN_PATH");
    ck_assert_ptr_null(tk_registry_open(paths, 1, &d));
    ck_assert_str_eq(d.path, "plugin_paths[0]");
    ck_assert_msg(strstr(d.message, "unknown_feature.so") && strstr(d.message, "\"raw-retrun\"") &&
                      strstr(d.message, "raw-return"),
                  "%s", d.message);
    /* On the search path, it is one rejected file among the others. */
    setenv("TEACHKIT_PLUGIN_PATH", plugin_args[4], 1);
    tk_registry *reg = tk_registry_open(NULL, 0, &d);
    ck_assert_ptr_nonnull(reg);
    const char *why = rejection_of(reg, "unknown_feature.so");
    ck_assert_ptr_nonnull(why);
    ck_assert_ptr_nonnull(strstr(why, "raw-retrun"));
    ck_assert_ptr_null(tk_registry_find(reg, TK_KIND_TEACHER, "typo-teacher", &d));
    tk_registry_close(reg);
    unsetenv("TEACHKIT_PLUGIN_PATH");
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 6)
        return 2;
    plugin_args = argv + 1;
    Suite *s = suite_create("registry");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, newer_minor_loads);
    tcase_add_test(tc, newer_minor_components_are_copied);
    tcase_add_test(tc, unknown_feature_refused);
    tcase_add_test(tc, services_table_has_log_message);
    tcase_add_test(tc, wrong_major_refused_with_both_versions);
    tcase_add_test(tc, explicit_bad_path_is_an_error);
    tcase_add_test(tc, duplicate_id_names_both_files);
    tcase_add_test(tc, missing_id_suggests_near_miss);
    return tk_check_run_in_process(s, CK_NORMAL);
}
