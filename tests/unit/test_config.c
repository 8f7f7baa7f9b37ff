/* Plugin-side config reading: values, ranges, and errors that name the key. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "error_capture.h"
#include "teachkit/config.h"

static tk_config *parse(const char *json, tk_ctx *ctx)
{
    tk_config *cfg = NULL;
    ck_assert_int_eq(tk_config_parse(&tk_capture_host, ctx, json, &cfg), TK_OK);
    return cfg;
}

START_TEST(reads_values)
{
    tk_ctx ctx;
    tk_config *cfg = parse("{\"n\": 5, \"x\": 0.5, \"b\": true, \"m\": \"bic\", \"v\": [1, 2.5],"
                           " \"z\": null}", &ctx);
    int64_t n;
    double x;
    int b, m;
    double *v;
    size_t len;
    static const char *const modes[] = {"aic", "bic", NULL};
    ck_assert_int_eq(tk_config_int(cfg, "n", 1, 10, &n), TK_OK);
    ck_assert_int_eq(n, 5);
    ck_assert_int_eq(tk_config_double(cfg, "x", 0, 1, &x), TK_OK);
    ck_assert(x == 0.5);
    ck_assert_int_eq(tk_config_double(cfg, "n", 0, 10, &x), TK_OK); /* integers are numbers */
    ck_assert_int_eq(tk_config_bool(cfg, "b", &b), TK_OK);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(tk_config_choice(cfg, "m", modes, &m), TK_OK);
    ck_assert_int_eq(m, 1);
    ck_assert_int_eq(tk_config_double_array(cfg, "v", 2, 0, 3, &v, &len), TK_OK);
    ck_assert_uint_eq(len, 2);
    ck_assert(v[1] == 2.5);
    free(v);
    ck_assert_int_eq(tk_config_has(cfg, "z"), 0);
    ck_assert_int_eq(tk_config_has(cfg, "n"), 1);
    tk_config_free(cfg);
}
END_TEST

START_TEST(errors_name_the_key)
{
    tk_ctx ctx;
    tk_config *cfg = parse("{\"n\": 50, \"x\": \"a\", \"m\": \"aicc\", \"v\": [1, 9]}", &ctx);
    int64_t n;
    double x, *v;
    size_t len;
    int m;
    static const char *const modes[] = {"aic", "bic", NULL};
    ck_assert_int_eq(tk_config_int(cfg, "n", 1, 10, &n), TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "n");
    ck_assert_ptr_nonnull(strstr(ctx.message, "got 50"));
    ck_assert_int_eq(tk_config_double(cfg, "x", 0, 1, &x), TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "x");
    ck_assert_int_eq(tk_config_choice(cfg, "m", modes, &m), TK_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(ctx.message, "\"aic\", \"bic\""));
    ck_assert_int_eq(tk_config_double_array(cfg, "v", 0, 0, 3, &v, &len), TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "v[1]");
    ck_assert_int_eq(tk_config_int(cfg, "missing", 0, 1, &n), TK_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(ctx.message, "required"));
    tk_config_free(cfg);
    tk_config *bad = NULL;
    ck_assert_int_eq(tk_config_parse(&tk_capture_host, &ctx, "[1]", &bad), TK_ERR_CONFIG);
    ck_assert_int_eq(tk_config_parse(&tk_capture_host, &ctx, "{", &bad), TK_ERR_CONFIG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, reads_values);
    tcase_add_test(tc, errors_name_the_key);
    return tk_check_run(s);
}
