/*
 * riac teacher through the plugin ABI (teachDeepRL teachDRL/teachers/algos/riac.py), with the
 * region tree read back from the snapshot JSON:
 *  - leaves partition the task space and respect min_dims_range_ratio;
 *  - a leaf splits only when it holds max_region_size + 1 pairs, and a failed
 *    split discards floor(max_region_size * discard_ratio) pairs;
 *  - the ALP of a FIFO on hand-computed cases, and on a sliding window;
 *  - "compat": "teachDeepRL" changes the split score (4 |a1 - a2|) and the
 *    children's ALPs, "none" uses |c1| |c2| |a1 - a2| and the chosen split;
 *  - invalid tasks and configs are rejected;
 *  - checkpoints round-trip bit for bit (compat FIFOs that lost their
 *    capacity included) and refuse bad data;
 *  - curricula on toy-grid run, and match the teachDeepRL reference curve.
 * argv[1] = riac plugin, argv[2] = toy-grid plugin.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "checkpoint_checks.h"
#include "plugin_fixtures.h"
#include "teachkit/rng.h"
#include "toy_grid_driver.h"

static const char *g_plugin;
static const char *g_toy;

#define MAXD 4

typedef struct region {
    double low[MAXD], high[MAXD];
    double alp;
    int leaf;
    long size;
} region;

typedef tk_teacher_fx teacher;

/* The descriptor's defaults with `overrides` (a JSON object) merged in, as
 * the host would pass them. */
static tk_status teacher_open(teacher *t, const tk_task_space *space, const char *overrides,
                              uint64_t seed)
{
    return tk_teacher_fx_open_merged(t, g_plugin, "riac", seed, space, overrides);
}

/* All regions in creation order (root first); *n receives their number. */
static region *regions(teacher *t, size_t *n)
{
    json_t *root = tk_teacher_fx_snapshot(t, "regions");
    json_t *list = json_object_get(root, "regions");
    ck_assert(json_is_array(list));
    *n = json_array_size(list);
    region *r = calloc(*n, sizeof *r);
    ck_assert_ptr_nonnull(r);
    for (size_t i = 0; i < *n; i++) {
        json_t *o = json_array_get(list, i);
        for (size_t j = 0; j < t->dims; j++) {
            r[i].low[j] = json_number_value(json_array_get(json_object_get(o, "low"), j));
            r[i].high[j] = json_number_value(json_array_get(json_object_get(o, "high"), j));
        }
        r[i].alp = json_number_value(json_object_get(o, "alp"));
        r[i].leaf = json_is_true(json_object_get(o, "leaf"));
        r[i].size = (long)json_integer_value(json_object_get(o, "size"));
    }
    json_decref(root);
    return r;
}

/* ALP of a chronological reward sequence (RIAC.compute_alp), for reference. */
static double ref_alp(const double *r, size_t m, size_t window)
{
    if (m <= 2)
        return 0.0;
    const size_t w = m < window ? m : window, h = w / 2;
    double older = 0.0, recent = 0.0;
    for (size_t i = m - w; i < m - h; i++)
        older += r[i];
    for (size_t i = m - h; i < m; i++)
        recent += r[i];
    return fabs(older / (double)(w - h) - recent / (double)h);
}

static const tk_dim g_dims3[3] = {{"a", 0.0, 1.0}, {"b", -2.0, 3.0}, {"c", 0.25, 0.25}};
static const tk_task_space g_space3 = {3, g_dims3};
static const tk_dim g_dims2[2] = {{"a", 0.0, 1.0}, {"b", 0.0, 1.0}};
static const tk_task_space g_space2 = {2, g_dims2};
static const tk_dim g_dims1[1] = {{"a", 0.0, 1.0}};
static const tk_task_space g_space1 = {1, g_dims1};

START_TEST(test_descriptor_defaults)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, &g_space2, "{}", 1), TK_OK);
    const tk_descriptor *d = t.h.desc;
    tk_check_descriptor_identity(d, TK_KIND_TEACHER, "riac", "1.0.0");
    ck_assert_uint_eq(t.vt->struct_size, sizeof(tk_teacher_vtable));
    json_t *def = json_loads(d->default_config, 0, NULL);
    ck_assert_ptr_nonnull(def);
    ck_assert_uint_eq(json_object_size(def), 8);
    ck_assert_int_eq(json_integer_value(json_object_get(def, "max_region_size")), 200);
    ck_assert(json_is_null(json_object_get(def, "alp_window_size")));
    ck_assert_int_eq(json_integer_value(json_object_get(def, "nb_split_attempts")), 50);
    ck_assert(json_is_false(json_object_get(def, "sampling_in_leaves_only")));
    ck_assert(json_is_null(json_object_get(def, "min_reg_size")));
    ck_assert_double_eq_tol(json_number_value(json_object_get(def, "min_dims_range_ratio")),
                            1.0 / 15.0, 1e-17);
    ck_assert_double_eq(json_number_value(json_object_get(def, "discard_ratio")), 0.25);
    ck_assert_str_eq(json_string_value(json_object_get(def, "compat")), "none");
    json_decref(def);
    /* Before any update: one region, the root, with ALP 0. */
    size_t n;
    region *r = regions(&t, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert(r[0].leaf && r[0].alp == 0.0 && r[0].size == 0);
    free(r);
    tk_teacher_fx_close(&t);
}
END_TEST

/* Volume over the non-degenerate dimensions of a box. */
static double volume(const region *r, const tk_task_space *s)
{
    double v = 1.0;
    for (size_t j = 0; j < s->dims; j++)
        if (s->dim[j].high > s->dim[j].low)
            v *= r->high[j] - r->low[j];
    return v;
}

static void check_partition(teacher *t, const tk_task_space *s, double ratio)
{
    size_t n;
    region *r = regions(t, &n);
    size_t leaves = 0;
    double leaf_volume = 0.0;
    for (size_t j = 0; j < s->dims; j++) {
        ck_assert(r[0].low[j] == (double)(float)s->dim[j].low);
        ck_assert(r[0].high[j] == (double)(float)s->dim[j].high);
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < s->dims; j++) {
            /* inside the root, and no side below the minimum */
            ck_assert(r[i].low[j] >= r[0].low[j] && r[i].high[j] <= r[0].high[j]);
            const double min_side = (s->dim[j].high - s->dim[j].low) * ratio;
            ck_assert_msg(r[i].high[j] - r[i].low[j] >= min_side,
                          "region %zu side %zu = %g < %g", i, j, r[i].high[j] - r[i].low[j],
                          min_side);
        }
        if (!r[i].leaf)
            continue;
        leaves++;
        leaf_volume += volume(&r[i], s);
        for (size_t k = i + 1; k < n; k++) {
            if (!r[k].leaf)
                continue;
            int apart = 0; /* some non-degenerate dimension without overlap */
            for (size_t j = 0; j < s->dims; j++)
                if (s->dim[j].high > s->dim[j].low &&
                    fmin(r[i].high[j], r[k].high[j]) <= fmax(r[i].low[j], r[k].low[j]))
                    apart = 1;
            ck_assert_msg(apart, "leaves %zu and %zu overlap", i, k);
        }
    }
    ck_assert_uint_eq(n, 2 * leaves - 1); /* a binary tree */
    ck_assert_msg(leaves >= 20, "only %zu leaves", leaves);
    ck_assert_double_eq_tol(leaf_volume, volume(&r[0], s), 1e-9 * volume(&r[0], s));
    free(r);
}

/* Tasks from the teacher itself, uniform random rewards from our own stream. */
static void run_random(teacher *t, const tk_task_space *s, int episodes, uint64_t reward_seed)
{
    tk_rng rng;
    tk_rng_seed(&rng, reward_seed);
    float task[MAXD];
    for (int i = 0; i < episodes; i++) {
        ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
        for (size_t j = 0; j < s->dims; j++)
            ck_assert(task[j] >= (float)s->dim[j].low && task[j] <= (float)s->dim[j].high);
        ck_assert_int_eq(t->vt->update(t->self, task, tk_rng_uniform(&rng), 0), TK_OK);
    }
}

START_TEST(test_leaves_partition_the_space)
{
    static const char *const variants[] = {
        "{\"max_region_size\": 20}",
        "{\"max_region_size\": 20, \"compat\": \"teachDeepRL\"}",
        "{\"max_region_size\": 20, \"sampling_in_leaves_only\": true}",
        "{\"max_region_size\": 20, \"sampling_in_leaves_only\": true, "
        "\"compat\": \"teachDeepRL\"}",
        "{\"max_region_size\": 30, \"min_dims_range_ratio\": 0.1, \"min_reg_size\": 3}",
    };
    const double ratio[] = {1.0 / 15.0, 1.0 / 15.0, 1.0 / 15.0, 1.0 / 15.0, 0.1};
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        teacher t;
        ck_assert_int_eq(teacher_open(&t, &g_space3, variants[v], 10 + v), TK_OK);
        run_random(&t, &g_space3, 5000, 99);
        check_partition(&t, &g_space3, ratio[v]);
        tk_teacher_fx_close(&t);
    }
}
END_TEST

START_TEST(test_splits_only_at_maxlen_plus_one)
{
    enum { MAXLEN = 20 };
    teacher t;
    ck_assert_int_eq(teacher_open(&t, &g_space2, "{\"max_region_size\": 20}", 3), TK_OK);
    tk_rng rng;
    tk_rng_seed(&rng, 5);
    size_t n_prev;
    region *prev = regions(&t, &n_prev);
    int splits = 0;
    for (int i = 1; i <= 1500; i++) {
        float task[2];
        ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
        ck_assert_int_eq(t.vt->update(t.self, task, tk_rng_uniform(&rng), 0), TK_OK);
        size_t n;
        region *r = regions(&t, &n);
        if (i <= MAXLEN) {
            ck_assert_uint_eq(n, 1);
            ck_assert_int_eq(r[0].size, i);
        }
        if (n == n_prev) {
            for (size_t k = 0; k < n; k++)
                ck_assert_msg(!r[k].leaf || r[k].size <= MAXLEN, "leaf %zu holds %ld pairs",
                              k, r[k].size);
        } else {
            /* Exactly one split: the two new regions are the last ones and
             * share the maxlen + 1 pairs of a former leaf that held maxlen. */
            ck_assert_uint_eq(n, n_prev + 2);
            ck_assert_int_eq(r[n - 2].size + r[n - 1].size, MAXLEN + 1);
            size_t became_internal = 0;
            for (size_t k = 0; k < n_prev; k++)
                if (prev[k].leaf && !r[k].leaf) {
                    became_internal++;
                    ck_assert_int_eq(prev[k].size, MAXLEN);
                    ck_assert_int_eq(r[k].size, MAXLEN + 1);
                }
            ck_assert_uint_eq(became_internal, 1);
            if (++splits == 1)
                ck_assert_int_eq(i, MAXLEN + 1);
        }
        free(prev);
        prev = r;
        n_prev = n;
    }
    ck_assert_int_gt(splits, 30);
    free(prev);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_failed_split_discards_oldest)
{
    /* With min_dims_range_ratio 0.6 no child can be valid: every split
     * attempt fails and floor(20 * discard_ratio) pairs are dropped. */
    static const struct {
        const char *config;
        long after;
    } cases[] = {
        {"{\"max_region_size\": 20, \"min_dims_range_ratio\": 0.6}", 16},
        {"{\"max_region_size\": 20, \"min_dims_range_ratio\": 0.6, \"discard_ratio\": 0.5}", 11},
        {"{\"max_region_size\": 20, \"min_dims_range_ratio\": 0.6, \"compat\": \"teachDeepRL\"}",
         16},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        teacher t;
        ck_assert_int_eq(teacher_open(&t, &g_space2, cases[c].config, 4), TK_OK);
        long expected = 0;
        for (int i = 0; i < 200; i++) {
            const float task[2] = {(float)((i * 37 % 100) / 100.0), (float)((i % 7) / 7.0)};
            ck_assert_int_eq(t.vt->update(t.self, task, (i % 5) * 0.2, 0), TK_OK);
            expected = expected + 1 == 21 ? cases[c].after : expected + 1;
            size_t n;
            region *r = regions(&t, &n);
            ck_assert_uint_eq(n, 1);
            ck_assert_int_eq(r[0].size, expected);
            free(r);
        }
        tk_teacher_fx_close(&t);
    }

    /* Identical tasks: no threshold gives both children a pair, so the
     * population loop must give up (the original spins forever). */
    teacher t;
    ck_assert_int_eq(teacher_open(&t, &g_space2, "{\"max_region_size\": 20}", 4), TK_OK);
    const float same[2] = {0.5f, 0.5f};
    for (int i = 0; i < 21; i++)
        ck_assert_int_eq(t.vt->update(t.self, same, 0.3, 0), TK_OK);
    size_t n;
    region *r = regions(&t, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(r[0].size, 16);
    free(r);
    tk_teacher_fx_close(&t);
}
END_TEST

static double root_alp(teacher *t)
{
    size_t n;
    region *r = regions(t, &n);
    const double alp = r[0].alp;
    free(r);
    return alp;
}

START_TEST(test_alp_hand_computed)
{
    const double rewards[5] = {0.1, 0.5, 0.2, 0.9, 0.4};
    /* m <= 2: 0; m = 3: |mean(.1,.5) - .2|; m = 4: |mean(.1,.5) - mean(.2,.9)|;
     * m = 5: |mean(.1,.5,.2) - mean(.9,.4)|, or with a window of 4
     * |mean(.5,.2) - mean(.9,.4)|. */
    const double expected[5] = {0.0, 0.0, 0.1, 0.25, 0.65 - 0.8 / 3.0};
    const float task[1] = {0.5f};
    teacher t;
    ck_assert_int_eq(teacher_open(&t, &g_space1, "{\"max_region_size\": 1000}", 1), TK_OK);
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(t.vt->update(t.self, task, rewards[i], 0), TK_OK);
        ck_assert_double_eq_tol(root_alp(&t), expected[i], 1e-12);
    }
    tk_teacher_fx_close(&t);

    ck_assert_int_eq(
        teacher_open(&t, &g_space1, "{\"max_region_size\": 1000, \"alp_window_size\": 4}", 1),
        TK_OK);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(t.vt->update(t.self, task, rewards[i], 0), TK_OK);
    ck_assert_double_eq_tol(root_alp(&t), 0.3, 1e-12);
    tk_teacher_fx_close(&t);

    /* A window sliding over 600 rewards (the teacher keeps running sums). */
    ck_assert_int_eq(
        teacher_open(&t, &g_space1, "{\"max_region_size\": 1000, \"alp_window_size\": 11}", 1),
        TK_OK);
    static double seq[600];
    tk_rng rng;
    tk_rng_seed(&rng, 17);
    for (int i = 0; i < 600; i++) {
        seq[i] = tk_rng_uniform(&rng);
        ck_assert_int_eq(t.vt->update(t.self, task, seq[i], 0), TK_OK);
        ck_assert_double_eq_tol(root_alp(&t), ref_alp(seq, (size_t)i + 1, 11), 1e-12);
    }
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_internal_region_keeps_last_pairs)
{
    /* Copy-all mode: once split, the root keeps the last maxlen + 1 pairs of
     * every episode (all tasks fall in it) and its ALP is theirs. */
    enum { MAXLEN = 20, N = 3000 };
    teacher t;
    ck_assert_int_eq(teacher_open(&t, &g_space2, "{\"max_region_size\": 20}", 8), TK_OK);
    static double seq[N];
    tk_rng rng;
    tk_rng_seed(&rng, 23);
    for (int i = 0; i < N; i++) {
        float task[2];
        ck_assert_int_eq(t.vt->sample(t.self, task), TK_OK);
        seq[i] = tk_rng_uniform(&rng);
        ck_assert_int_eq(t.vt->update(t.self, task, seq[i], 0), TK_OK);
        /* Every step while the running sums slide and refresh, then sparsely
         * (snapshots are the slow part of this test). */
        if (i < MAXLEN || (i > 600 && i % 25 != 0))
            continue;
        size_t n;
        region *r = regions(&t, &n);
        ck_assert_msg(n > 1, "the root did not split at %d pairs", MAXLEN + 1);
        ck_assert_int_eq(r[0].size, MAXLEN + 1);
        ck_assert_double_eq_tol(r[0].alp, ref_alp(seq + i - MAXLEN, MAXLEN + 1, MAXLEN), 1e-12);
        free(r);
    }
    tk_teacher_fx_close(&t);
}
END_TEST

/* 21 tasks at (i + 0.5) / 21 in increasing order, so a split leaving k pairs
 * in child 0 holds the first k rewards.  The rewards are chosen so that
 * |c1| |c2| |a1 - a2| peaks at k = 8 and 4 |a1 - a2| at k = 2. */
#define SPLIT_N 21
static void split_scores(const double *r, double pop[SPLIT_N], double four[SPLIT_N],
                         double alp0[SPLIT_N], double alp1[SPLIT_N])
{
    for (int k = 1; k < SPLIT_N; k++) {
        alp0[k] = ref_alp(r, (size_t)k, 20);
        alp1[k] = ref_alp(r + k, (size_t)(SPLIT_N - k), 20);
        const double gap = fabs(alp0[k] - alp1[k]);
        pop[k] = k * (SPLIT_N - k) * gap;
        four[k] = 4.0 * gap;
    }
}

static int run_split(const char *compat, double *alp_out)
{
    double rewards[SPLIT_N] = {0.0, 1.0, 0.0};
    for (int i = 3; i < SPLIT_N; i++)
        rewards[i] = 0.2 + 0.03 * (i - 3);
    char config[256];
    snprintf(config, sizeof config,
             "{\"max_region_size\": 20, \"min_reg_size\": 1, \"min_dims_range_ratio\": 0, "
             "\"nb_split_attempts\": 500, \"compat\": \"%s\"}",
             compat);
    teacher t;
    ck_assert_int_eq(teacher_open(&t, &g_space1, config, 77), TK_OK);
    for (int i = 0; i < SPLIT_N; i++) {
        const float task[1] = {(float)((i + 0.5) / SPLIT_N)};
        ck_assert_int_eq(t.vt->update(t.self, task, rewards[i], 0), TK_OK);
    }
    size_t n;
    region *r = regions(&t, &n);
    ck_assert_uint_eq(n, 3);
    const int k = (int)r[1].size;
    ck_assert_int_eq(r[1].size + r[2].size, SPLIT_N);
    alp_out[0] = r[1].alp;
    alp_out[1] = r[2].alp;
    free(r);
    tk_teacher_fx_close(&t);
    return k;
}

START_TEST(test_compat_changes_the_score_rule)
{
    double rewards[SPLIT_N] = {0.0, 1.0, 0.0};
    for (int i = 3; i < SPLIT_N; i++)
        rewards[i] = 0.2 + 0.03 * (i - 3);
    double pop[SPLIT_N], four[SPLIT_N], alp0[SPLIT_N], alp1[SPLIT_N];
    split_scores(rewards, pop, four, alp0, alp1);
    double best_pop = 0.0, best_four = 0.0;
    for (int k = 1; k < SPLIT_N; k++) {
        best_pop = fmax(best_pop, pop[k]);
        best_four = fmax(best_four, four[k]);
    }

    /* Default: population-weighted score; children get that split's ALPs. */
    double alp[2];
    const int k_none = run_split("none", alp);
    ck_assert_double_eq_tol(pop[k_none], best_pop, 1e-12);
    ck_assert_double_eq_tol(alp[0], alp0[k_none], 1e-12);
    ck_assert_double_eq_tol(alp[1], alp1[k_none], 1e-12);

    /* teachDeepRL: 4 |a1 - a2|; children get the ALPs of the last attempt,
     * i.e. of some candidate split, not necessarily the chosen one. */
    const int k_tdrl = run_split("teachDeepRL", alp);
    ck_assert_double_eq_tol(four[k_tdrl], best_four, 1e-12);
    int some_candidate = 0;
    for (int k = 1; k < SPLIT_N; k++)
        some_candidate |= fabs(alp[0] - alp0[k]) < 1e-12 && fabs(alp[1] - alp1[k]) < 1e-12;
    ck_assert(some_candidate);

    ck_assert_int_ne(k_none, k_tdrl);
    ck_assert_int_eq(k_none, 8);
    ck_assert_int_eq(k_tdrl, 2);
}
END_TEST

START_TEST(test_rejects_invalid_tasks)
{
    teacher t;
    ck_assert_int_eq(teacher_open(&t, &g_space2, "{}", 1), TK_OK);
    const float nan_task[2] = {NAN, 0.5f};
    ck_assert_int_eq(t.vt->update(t.self, nan_task, 0.5, 0), TK_ERR_INVALID);
    const float inf_task[2] = {0.5f, -INFINITY};
    ck_assert_int_eq(t.vt->update(t.self, inf_task, 0.5, 0), TK_ERR_INVALID);
    const float outside[2] = {0.5f, 1.5f};
    ck_assert_int_eq(t.vt->update(t.self, outside, 0.5, 0), TK_ERR_INVALID);
    size_t n;
    region *r = regions(&t, &n);
    ck_assert_int_eq(r[0].size, 0); /* nothing was stored */
    free(r);
    tk_teacher_fx_close(&t);
}
END_TEST

START_TEST(test_config_errors)
{
    static const struct {
        const char *overrides, *path;
    } cases[] = {
        {"{\"max_region_size\": 1}", "max_region_size"},
        {"{\"alp_window_size\": 1}", "alp_window_size"},
        {"{\"alp_window_size\": 2.5}", "alp_window_size"},
        {"{\"nb_split_attempts\": 0}", "nb_split_attempts"},
        {"{\"min_reg_size\": 201}", "min_reg_size"},
        {"{\"min_reg_size\": \"x\"}", "min_reg_size"},
        {"{\"min_dims_range_ratio\": -0.1}", "min_dims_range_ratio"},
        {"{\"discard_ratio\": 1.5}", "discard_ratio"},
        {"{\"compat\": \"python\"}", "compat"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        teacher t;
        ck_assert_int_eq(teacher_open(&t, &g_space2, cases[c].overrides, 1), TK_ERR_CONFIG);
        ck_assert_str_eq(t.h.ctx.err_path, cases[c].path);
        ck_assert_ptr_null(t.self);
        tk_teacher_fx_close(&t);
    }
}
END_TEST

START_TEST(test_deterministic_for_a_seed)
{
    enum { N = 3000 };
    static float a[N][2], b[N][2];
    float (*out[2])[2] = {a, b};
    for (int s = 0; s < 2; s++) {
        teacher t;
        ck_assert_int_eq(teacher_open(&t, &g_space2, "{\"max_region_size\": 30}", 9), TK_OK);
        for (int i = 0; i < N; i++) {
            ck_assert_int_eq(t.vt->sample(t.self, out[s][i]), TK_OK);
            const double r = out[s][i][0] * out[s][i][1] * (i % 100) / 100.0;
            ck_assert_int_eq(t.vt->update(t.self, out[s][i], r, 0), TK_OK);
        }
        tk_teacher_fx_close(&t);
    }
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
}
END_TEST

/* ------------------------------------------------------------- checkpoints */

/* Reward of the round-trip learner: alternating blocks on the low quarter
 * of dimension 0 (learning progress there), a slope elsewhere. */
static double ckpt_reward(const float *task, size_t dims, int n)
{
    const double b = dims > 1 ? task[1] : 0.5;
    if (task[0] < 0.25f)
        return ((n / 60) % 2 ? 0.9 : 0.1) + 0.05 * b;
    return 0.3 * b + 0.001 * (n % 7);
}

static void ckpt_episode(teacher *t, int n, float *task)
{
    ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
    ck_assert_int_eq(t->vt->update(t->self, task, ckpt_reward(task, t->dims, n), 0), TK_OK);
}

static char *snapshot_copy(teacher *t)
{
    const char *text = NULL;
    ck_assert_int_eq(t->vt->snapshot(t->self, &text), TK_OK);
    char *copy = strdup(text);
    ck_assert_ptr_nonnull(copy);
    return copy;
}

static void same_snapshots(teacher *a, teacher *b)
{
    char *sa = snapshot_copy(a), *sb = snapshot_copy(b);
    ck_assert_str_eq(sa, sb);
    free(sa);
    free(sb);
}

/* Run `before` episodes, save, load into an instance created with another
 * seed, copy the host stream; then both must sample the same tasks and
 * show the same regions for `after` episodes, and save the same bytes.
 * Returns the first save (caller frees). */
static unsigned char *ckpt_round_trip(const tk_task_space *space, const char *overrides,
                                      int before, int after, size_t *size)
{
    teacher a, b;
    ck_assert_int_eq(teacher_open(&a, space, overrides, 21), TK_OK);
    float ta[MAXD], tb[MAXD];
    int n = 0;
    for (; n < before; n++)
        ckpt_episode(&a, n, ta);
    unsigned char *bytes = tk_ckpt_save(&a, size);
    ck_assert_int_eq(teacher_open(&b, space, overrides, 99), TK_OK);
    ck_assert_int_eq(b.vt->load(b.self, bytes, *size), TK_OK);
    b.h.ctx.rng = a.h.ctx.rng;
    same_snapshots(&a, &b);
    for (; n < before + after; n++) {
        ckpt_episode(&a, n, ta);
        ckpt_episode(&b, n, tb);
        ck_assert_msg(memcmp(ta, tb, space->dims * sizeof(float)) == 0,
                      "%s: tasks differ at episode %d", overrides, n);
        if (n % 100 == 0)
            same_snapshots(&a, &b);
    }
    same_snapshots(&a, &b);
    tk_ckpt_same_saved(&a, &b, overrides);
    tk_teacher_fx_close(&a);
    tk_teacher_fx_close(&b);
    return bytes;
}

START_TEST(test_checkpoint_round_trip)
{
    static const char *const variants[] = {
        "{\"max_region_size\": 30}",
        "{\"max_region_size\": 30, \"compat\": \"teachDeepRL\", "
        "\"sampling_in_leaves_only\": true}",
        "{\"max_region_size\": 25, \"alp_window_size\": 11, \"nb_split_attempts\": 7}",
    };
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        size_t size;
        free(ckpt_round_trip(&g_space2, variants[v], 1237, 2000, &size));
    }
    size_t size;
    free(ckpt_round_trip(&g_space3, "{\"max_region_size\": 40}", 999, 1500, &size));
    free(ckpt_round_trip(&g_space2, "{}", 0, 500, &size)); /* as created */
}
END_TEST

/* White box, to show which FIFO shapes a saved state holds: walks the
 * region records (layout of riac_save: a 64-byte header; per region 9 u64,
 * a float, 4 doubles, 3 * dims floats and the ring of `cap` slots) and
 * counts the FIFOs that lost their capacity (compat) and those whose
 * logical size exceeds their stored pairs. */
static void fifo_shapes(const unsigned char *bytes, size_t size, size_t dims, int *unbounded,
                        int *overflowed)
{
    uint64_t n;
    memcpy(&n, bytes + 56, sizeof n);
    size_t at = 64;
    *unbounded = *overflowed = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t cap, len, logical, flags;
        memcpy(&cap, bytes + at + 36, sizeof cap);
        memcpy(&len, bytes + at + 52, sizeof len);
        memcpy(&logical, bytes + at + 60, sizeof logical);
        memcpy(&flags, bytes + at + 68, sizeof flags);
        *unbounded += (flags & 1) != 0;
        *overflowed += logical > len;
        at += 9 * 8 + 4 + 4 * 8 + 3 * dims * 4 + cap * (8 + 4 * dims);
    }
    ck_assert_uint_eq(at, size);
}

/* compat "teachDeepRL" with failing splits: FIFOs discard, lose their
 * capacity (the ring grows to the ALP window when that is longer), and,
 * once their region has split after all, keep growing logically while
 * their ring only holds the latest pairs and the worst one that left. */
START_TEST(test_checkpoint_round_trip_unbounded_fifo)
{
    static const char *const variants[] = {
        "{\"max_region_size\": 20, \"compat\": \"teachDeepRL\", "
        "\"min_dims_range_ratio\": 0.2, \"nb_split_attempts\": 2}",
        "{\"max_region_size\": 20, \"alp_window_size\": 40, \"compat\": \"teachDeepRL\", "
        "\"min_dims_range_ratio\": 0.2, \"nb_split_attempts\": 2}",
    };
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        size_t size;
        unsigned char *bytes = ckpt_round_trip(&g_space2, variants[v], 733, 1500, &size);
        int unbounded, overflowed;
        fifo_shapes(bytes, size, 2, &unbounded, &overflowed);
        ck_assert_msg(unbounded > 0 && overflowed > 0, "%s: %d unbounded, %d overflowed",
                      variants[v], unbounded, overflowed);
        free(bytes);
    }
}
END_TEST

START_TEST(test_checkpoint_rejects_bad_data)
{
    teacher t, other;
    const char *config = "{\"max_region_size\": 30, \"compat\": \"teachDeepRL\"}";
    ck_assert_int_eq(teacher_open(&t, &g_space2, config, 3), TK_OK);
    float task[MAXD];
    for (int n = 0; n < 600; n++)
        ckpt_episode(&t, n, task);
    size_t size;
    unsigned char *bytes = tk_ckpt_save(&t, &size);
    tk_ckpt_rejects_bad_data(&t, bytes, size);
    /* A node count far beyond what the bytes can hold. */
    unsigned char *buf = malloc(size);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, bytes, size);
    const uint64_t huge = UINT64_C(1) << 40;
    memcpy(buf + 56, &huge, sizeof huge);
    tk_ckpt_refused(&t, buf, size, "a huge region count");
    free(buf);
    /* Same settings on another task space, and another config. */
    ck_assert_int_eq(teacher_open(&other, &g_space3, config, 3), TK_OK);
    tk_ckpt_refused(&other, bytes, size, "another space's state");
    tk_teacher_fx_close(&other);
    ck_assert_int_eq(teacher_open(&other, &g_space2, "{\"max_region_size\": 31}", 3), TK_OK);
    tk_ckpt_refused(&other, bytes, size, "another config's state");
    tk_teacher_fx_close(&other);
    free(bytes);
    tk_teacher_fx_close(&t);
}
END_TEST

/* Mastered-cell percentages of toy-grid after 5000/10000/15000/20000
 * episodes, mean over `seeds` runs of the teachDeepRL driver (toy_env.py's __main__). */
static void toy_curve(const char *overrides, const char *env_config, int seeds, int episodes,
                      double curve[4])
{
    memset(curve, 0, 4 * sizeof *curve);
    for (int s = 0; s < seeds; s++) {
        tk_env_fx toy;
        tk_toy_open(&toy, g_toy, 0, env_config);
        ck_assert_uint_le(toy.info.task_space.dims, MAXD);
        teacher t;
        ck_assert_int_eq(teacher_open(&t, &toy.info.task_space, overrides, 200 + (uint64_t)s),
                         TK_OK);
        tk_toy_curve(&toy, &t, episodes, seeds, curve);
        tk_teacher_fx_close(&t);
        tk_env_fx_close(&toy);
    }
}

START_TEST(test_toy_grid_short_curricula)
{
    if (!g_toy)
        return;
    static const char *const variants[] = {
        "{}",
        "{\"compat\": \"teachDeepRL\"}",
        "{\"sampling_in_leaves_only\": true}",
        "{\"sampling_in_leaves_only\": true, \"compat\": \"teachDeepRL\"}",
    };
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        double curve[4];
        toy_curve(variants[v], "{\"cells_per_dim\": 10, \"dims\": 2, \"distractors\": 2}", 1,
                  5000, curve);
        ck_assert_msg(curve[0] > 0.0, "variant %zu mastered nothing", v);
    }
}
END_TEST

/* Reference: data/reference/toy_env_2d.json, "riac" (teachDeepRL
 * defaults, 5 seeds): 9.8, 21.8, 36.6, 47.8 % (std <= 2.4). */
START_TEST(test_toy_grid_reference_curve)
{
    if (!g_toy)
        return;
    static const double ref[4] = {9.8, 21.8, 36.6, 47.8};
    static const char *const variants[] = {"{\"compat\": \"teachDeepRL\"}", "{}"};
    for (size_t v = 0; v < 2; v++) {
        double curve[4];
        toy_curve(variants[v], TK_TOY_GRID_2D, 5, 20000, curve);
        for (int k = 0; k < 4; k++)
            ck_assert_msg(fabs(curve[k] - ref[k]) <= 5.0,
                          "%s after %d episodes: %g%% vs reference %g%%", variants[v],
                          (k + 1) * 5000, curve[k], ref[k]);
    }
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s RIAC_PLUGIN.so [TOY_GRID_PLUGIN.so]\n", argv[0]);
        return EXIT_FAILURE;
    }
    g_plugin = argv[1];
    g_toy = argc > 2 ? argv[2] : NULL;
    Suite *s = suite_create("riac");
    TCase *tc = tk_check_tcase(s, "abi", 240);
    tcase_add_test(tc, test_descriptor_defaults);
    tcase_add_test(tc, test_leaves_partition_the_space);
    tcase_add_test(tc, test_splits_only_at_maxlen_plus_one);
    tcase_add_test(tc, test_failed_split_discards_oldest);
    tcase_add_test(tc, test_alp_hand_computed);
    tcase_add_test(tc, test_internal_region_keeps_last_pairs);
    tcase_add_test(tc, test_compat_changes_the_score_rule);
    tcase_add_test(tc, test_rejects_invalid_tasks);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_deterministic_for_a_seed);
    tcase_add_test(tc, test_checkpoint_round_trip);
    tcase_add_test(tc, test_checkpoint_round_trip_unbounded_fifo);
    tcase_add_test(tc, test_checkpoint_rejects_bad_data);
    tcase_add_test(tc, test_toy_grid_short_curricula);
    tcase_add_test(tc, test_toy_grid_reference_curve);
    return tk_check_run(s);
}
