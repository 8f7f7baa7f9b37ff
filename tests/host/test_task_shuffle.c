/* The rugged-difficulty task shuffle: its generator against NumPy's legacy
 * RandomState (published outputs), and its mapping against values computed
 * by hand from TeachMyAgent's DimensionsShuffler
 * (flowersteam/TeachMyAgent, TeachMyAgent/teachers/utils/dimensions_shuffler.py). */
#include <check.h>

#include "check_main.h"
#include "mt19937.h"
#include "task_shuffle.h"

START_TEST(generator_matches_numpy_legacy)
{
    tk_mt19937 mt;
    /* The reference MT19937's first output for its default seed. */
    tk_mt19937_seed(&mt, 5489);
    ck_assert_uint_eq(tk_mt19937_next(&mt), 3499211612U);
    /* np.random.seed(0); np.random.rand() == 0.5488135039273248 (53 bits
     * from two draws, as NumPy's random_double). */
    tk_mt19937_seed(&mt, 0);
    uint32_t a = tk_mt19937_next(&mt) >> 5, b = tk_mt19937_next(&mt) >> 6;
    ck_assert_double_eq((a * 67108864.0 + b) / 9007199254740992.0, 0.5488135039273248);
    /* np.random.seed(0); np.random.permutation(10) */
    static const size_t expected[10] = {2, 8, 4, 9, 1, 6, 7, 3, 0, 5};
    size_t p[10];
    for (size_t i = 0; i < 10; i++)
        p[i] = i;
    tk_mt19937_seed(&mt, 0);
    tk_mt19937_shuffle(&mt, p, 10);
    for (size_t i = 0; i < 10; i++)
        ck_assert_uint_eq(p[i], expected[i]);
}
END_TEST

static const tk_dim dims[2] = {{"a", 0.0, 4.0}, {"b", -1.0, 1.0}};
static const tk_task_space space = {2, dims};

/* Seed 21 (TeachMyAgent's default), 4 cuttings: one RandomState shuffles
 * dimension a's intervals to [3, 2, 0, 1], then b's to [1, 2, 3, 0]. */
START_TEST(permutation_of_seed_21)
{
    tk_task_shuffle *ts = tk_task_shuffle_create(&space, 4, 21);
    ck_assert_ptr_nonnull(ts);
    static const size_t pa[4] = {3, 2, 0, 1}, pb[4] = {1, 2, 3, 0};
    for (size_t j = 0; j < 4; j++) {
        ck_assert_uint_eq(tk_task_shuffle_perm(ts, 0, j), pa[j]);
        ck_assert_uint_eq(tk_task_shuffle_perm(ts, 1, j), pb[j]);
    }
    tk_task_shuffle_free(ts);
}
END_TEST

typedef struct mapping {
    float teacher[2], env[2];
} mapping;

/* By hand from the permutations above: a value keeps its offset inside its
 * interval (width 1 on a, 0.5 on b) and moves to the interval that took its
 * place; a value on a boundary belongs to the lower interval, so it maps
 * to that interval's image's upper end. */
static const mapping mappings[] = {
    {{0.5f, -0.75f}, {3.5f, -0.25f}},  /* a: [0,1]->[3,4]; b: [-1,-.5]->[-.5,0] */
    {{1.25f, -0.25f}, {2.25f, 0.25f}}, /* a: [1,2]->[2,3]; b: [-.5,0]->[0,.5] */
    {{2.0f, 0.0f}, {3.0f, 0.5f}},      /* boundaries: a's interval 1, b's interval 1 */
    {{0.0f, 1.0f}, {3.0f, -0.5f}},     /* the space's ends: a: 0->3; b: [.5,1]->[-1,-.5] */
    {{3.75f, 0.6f}, {1.75f, -0.9f}},   /* a: [3,4]->[1,2]; b: [.5,1]->[-1,-.5] */
};

START_TEST(maps_teacher_tasks_to_env_tasks_and_back)
{
    tk_task_shuffle *ts = tk_task_shuffle_create(&space, 4, 21);
    const mapping *m = &mappings[_i];
    float env[2], back[2];
    tk_task_shuffle_to_env(ts, m->teacher, env);
    ck_assert_float_eq_tol(env[0], m->env[0], 1e-6f);
    ck_assert_float_eq_tol(env[1], m->env[1], 1e-6f);
    /* The inverse brings interior points back (boundaries are shared by
     * two intervals, so only one side of them comes back). */
    tk_task_shuffle_to_teacher(ts, env, back);
    if (_i < 2 || _i == 4) {
        ck_assert_float_eq_tol(back[0], m->teacher[0], 1e-6f);
        ck_assert_float_eq_tol(back[1], m->teacher[1], 1e-6f);
    }
    tk_task_shuffle_free(ts);
}
END_TEST

START_TEST(one_cutting_is_the_identity)
{
    tk_task_shuffle *ts = tk_task_shuffle_create(&space, 1, 7);
    const float in[2] = {1.3f, -0.2f};
    float out[2];
    tk_task_shuffle_to_env(ts, in, out);
    ck_assert_float_eq_tol(out[0], in[0], 1e-6f);
    ck_assert_float_eq_tol(out[1], in[1], 1e-6f);
    tk_task_shuffle_free(ts);
    ck_assert_ptr_null(tk_task_shuffle_create(&space, 0, 7));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("task_shuffle");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, generator_matches_numpy_legacy);
    tcase_add_test(tc, permutation_of_seed_21);
    tcase_add_loop_test(tc, maps_teacher_tasks_to_env_tasks_and_back, 0,
                        (int)(sizeof mappings / sizeof mappings[0]));
    tcase_add_test(tc, one_cutting_is_the_identity);
    return tk_check_run(s);
}
