/* The "success" expert-knowledge key: the two accepted forms, the rule they
 * give, and the messages (with the key path) of every refused form. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "error_capture.h"
#include "teachkit/success_rule.h"

/* The read's status; *out and ctx hold what it left. */
static tk_status read_rule(const char *json, tk_ctx *ctx, tk_success_rule *out)
{
    memset(ctx, 0, sizeof *ctx);
    memset(out, 0x5a, sizeof *out); /* must be overwritten, even on errors */
    return tk_success_rule_read(&tk_capture_host, ctx, json, "my-teacher", out);
}

START_TEST(env_flag)
{
    tk_ctx ctx;
    tk_success_rule r;
    ck_assert_int_eq(read_rule("{\"success\": \"env\", \"other\": 1}", &ctx, &r), TK_OK);
    ck_assert_uint_eq(ctx.calls, 0);
    ck_assert_int_eq(r.use_threshold, 0);
    ck_assert(r.threshold == 0.0);
    /* The env's flag decides; the return is ignored. */
    ck_assert_int_eq(tk_success_rule_apply(&r, 1e9, 0), 0);
    ck_assert_int_eq(tk_success_rule_apply(&r, -1e9, 1), 1);
    ck_assert_int_eq(tk_success_rule_apply(&r, 0.0, 7), 1); /* any non-zero flag */
}
END_TEST

START_TEST(return_threshold)
{
    tk_ctx ctx;
    tk_success_rule r;
    ck_assert_int_eq(read_rule("{\"success\": {\"return_above\": 230}}", &ctx, &r), TK_OK);
    ck_assert_uint_eq(ctx.calls, 0);
    ck_assert_int_eq(r.use_threshold, 1);
    ck_assert(r.threshold == 230.0);
    /* Strictly above, whatever the flag says. */
    ck_assert_int_eq(tk_success_rule_apply(&r, 230.0, 1), 0);
    ck_assert_int_eq(tk_success_rule_apply(&r, nextafter(230.0, INFINITY), 0), 1);
    ck_assert_int_eq(tk_success_rule_apply(&r, NAN, 1), 0);

    ck_assert_int_eq(read_rule("{\"success\": {\"return_above\": -0.5}}", &ctx, &r), TK_OK);
    ck_assert(r.threshold == -0.5);
    ck_assert_int_eq(tk_success_rule_apply(&r, 0.0, 0), 1);
}
END_TEST

START_TEST(missing_key_says_how_to_supply_it)
{
    tk_ctx ctx;
    tk_success_rule r;
    const char *want = "is required: my-teacher needs a success definition as expert "
                       "knowledge; set \"success\" to \"env\" (the environment's success flag) "
                       "or to {\"return_above\": x} (raw episode return > x)";
    const char *cases[] = {"{}", "{\"success\": null}", "[1]", "not json"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(read_rule(cases[i], &ctx, &r), TK_ERR_CONFIG);
        ck_assert_uint_eq(ctx.calls, 1);
        ck_assert_str_eq(ctx.path, "success");
        ck_assert_str_eq(ctx.message, want);
        ck_assert_int_eq(r.use_threshold, 0);
        ck_assert(r.threshold == 0.0);
    }
}
END_TEST

START_TEST(refused_forms)
{
    tk_ctx ctx;
    tk_success_rule r;
    ck_assert_int_eq(read_rule("{\"success\": \"always\"}", &ctx, &r), TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "success");
    ck_assert_str_eq(ctx.message, "must be \"env\" or {\"return_above\": x}, got \"always\"");

    const char *other_types[] = {"{\"success\": 5}", "{\"success\": true}",
                                 "{\"success\": [\"env\"]}"};
    for (size_t i = 0; i < sizeof other_types / sizeof other_types[0]; i++) {
        ck_assert_int_eq(read_rule(other_types[i], &ctx, &r), TK_ERR_CONFIG);
        ck_assert_str_eq(ctx.path, "success");
        ck_assert_str_eq(ctx.message, "must be \"env\" or {\"return_above\": x}");
    }

    const char *bad_objects[] = {"{\"success\": {}}", "{\"success\": {\"return_above\": \"1\"}}",
                                 "{\"success\": {\"return_above\": 1, \"x\": 2}}",
                                 "{\"success\": {\"return_below\": 1}}"};
    for (size_t i = 0; i < sizeof bad_objects / sizeof bad_objects[0]; i++) {
        ck_assert_int_eq(read_rule(bad_objects[i], &ctx, &r), TK_ERR_CONFIG);
        ck_assert_uint_eq(ctx.calls, 1);
        ck_assert_str_eq(ctx.path, "success.return_above");
        ck_assert_str_eq(ctx.message, "must be the only key of \"success\" and a finite number");
        ck_assert_int_eq(r.use_threshold, 0);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("success_rule");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, env_flag);
    tcase_add_test(tc, return_threshold);
    tcase_add_test(tc, missing_key_says_how_to_supply_it);
    tcase_add_test(tc, refused_forms);
    return tk_check_run(s);
}
