/* Task spaces in plugins: the check's verdicts and messages, and copies that
 * own everything they point to. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "error_capture.h"
#include "teachkit/task_space.h"

/* The check's status, with the message it reported (or "" when none). */
static tk_status check(const tk_task_space *space, tk_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    return tk_task_space_check(&tk_capture_host, ctx, space);
}

START_TEST(check_accepts_boxes)
{
    tk_ctx ctx;
    const tk_dim dim[3] = {{"a", 0.0, 1.0}, {NULL, -5.0, -5.0}, {"c", -1e300, 1e300}};
    const tk_task_space space = {3, dim};
    ck_assert_int_eq(check(&space, &ctx), TK_OK);
    ck_assert_int_eq(ctx.calls, 0);
}
END_TEST

START_TEST(check_reports_the_first_bad_dimension)
{
    tk_ctx ctx;
    const tk_dim dim[3] = {{"a", 0.0, 1.0}, {"b", 2.0, 1.0}, {"c", NAN, 1.0}};
    const tk_task_space space = {3, dim};
    ck_assert_int_eq(check(&space, &ctx), TK_ERR_INVALID);
    ck_assert_int_eq(ctx.calls, 1);
    ck_assert_int_eq(ctx.had_path, 0);
    ck_assert_str_eq(ctx.message, "task dimension 1 has invalid bounds [2, 1]");

    const tk_dim inf[1] = {{"x", 0.0, INFINITY}};
    ck_assert_int_eq(check(&(tk_task_space){1, inf}, &ctx), TK_ERR_INVALID);
    ck_assert_str_eq(ctx.message, "task dimension 0 has invalid bounds [0, inf]");
    const tk_dim nan[1] = {{"x", NAN, 0.0}};
    ck_assert_int_eq(check(&(tk_task_space){1, nan}, &ctx), TK_ERR_INVALID);
    ck_assert_str_eq(ctx.message, "task dimension 0 has invalid bounds [nan, 0]");
}
END_TEST

START_TEST(check_refuses_empty_spaces)
{
    tk_ctx ctx;
    const tk_dim dim[1] = {{"a", 0.0, 1.0}};
    const tk_task_space cases[] = {{0, dim}, {1, NULL}, {0, NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(check(&cases[i], &ctx), TK_ERR_INVALID);
        ck_assert_str_eq(ctx.message, "the task space has no dimension");
    }
    ck_assert_int_eq(check(NULL, &ctx), TK_ERR_INVALID);
    ck_assert_str_eq(ctx.message, "the task space has no dimension");
}
END_TEST

START_TEST(copy_is_deep)
{
    char name0[] = "friction", name2[] = "";
    /* Bounds whose bits must survive: -0.0, a subnormal, a degenerate dim. */
    tk_dim dim[3] = {{name0, -0.0, 4.9e-324}, {NULL, 0.1, 0.7}, {name2, 3.0, 3.0}};
    const tk_dim want[3] = {dim[0], dim[1], dim[2]};
    const tk_task_space src = {3, dim};
    tk_task_space copy = {99, dim}; /* overwritten, not freed */
    ck_assert_int_eq(tk_task_space_copy(&copy, &src), TK_OK);
    ck_assert_uint_eq(copy.dims, 3);
    ck_assert_ptr_ne(copy.dim, dim);

    /* The borrowed space goes away: the copy must not notice. */
    memset(name0, 'x', sizeof name0 - 1);
    memset(dim, 0xff, sizeof dim);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_mem_eq(&copy.dim[i].low, &want[i].low, sizeof(double));
        ck_assert_mem_eq(&copy.dim[i].high, &want[i].high, sizeof(double));
    }
    ck_assert_str_eq(copy.dim[0].name, "friction");
    ck_assert_ptr_ne(copy.dim[0].name, name0);
    ck_assert_ptr_null(copy.dim[1].name);
    ck_assert_str_eq(copy.dim[2].name, "");
    ck_assert_ptr_ne(copy.dim[2].name, name2);

    /* A copy of a copy is as good, and freeing one leaves the other. */
    tk_task_space again;
    ck_assert_int_eq(tk_task_space_copy(&again, &copy), TK_OK);
    tk_task_space_free(&copy);
    ck_assert_uint_eq(copy.dims, 0);
    ck_assert_ptr_null(copy.dim);
    ck_assert_str_eq(again.dim[0].name, "friction");
    ck_assert(again.dim[1].high == 0.7);
    tk_task_space_free(&again);
    tk_task_space_free(&again); /* freed copies are empty: a no-op */
}
END_TEST

START_TEST(copy_edge_cases)
{
    const tk_dim dim[1] = {{"a", 0.0, 1.0}};
    tk_task_space out = {1, dim};
    ck_assert_int_eq(tk_task_space_copy(&out, &(tk_task_space){0, dim}), TK_OK);
    ck_assert_uint_eq(out.dims, 0);
    ck_assert_ptr_null(out.dim);
    tk_task_space_free(&out);

    out = (tk_task_space){1, dim};
    ck_assert_int_eq(tk_task_space_copy(&out, NULL), TK_ERR_INVALID);
    ck_assert_uint_eq(out.dims, 0);
    ck_assert_ptr_null(out.dim);
    out = (tk_task_space){1, dim};
    ck_assert_int_eq(tk_task_space_copy(&out, &(tk_task_space){2, NULL}), TK_ERR_INVALID);
    ck_assert_uint_eq(out.dims, 0);
    ck_assert_ptr_null(out.dim);
    ck_assert_int_eq(tk_task_space_copy(NULL, &(tk_task_space){1, dim}), TK_ERR_INVALID);

    /* A count whose array cannot fit in memory: refused before reading dim. */
    const tk_task_space huge = {SIZE_MAX / sizeof(tk_dim) + 1, dim};
    ck_assert_int_eq(tk_task_space_copy(&out, &huge), TK_ERR_NOMEM);
    ck_assert_ptr_null(out.dim);

    tk_task_space_free(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("task_space");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, check_accepts_boxes);
    tcase_add_test(tc, check_reports_the_first_bad_dimension);
    tcase_add_test(tc, check_refuses_empty_spaces);
    tcase_add_test(tc, copy_is_deep);
    tcase_add_test(tc, copy_edge_cases);
    return tk_check_run(s);
}
