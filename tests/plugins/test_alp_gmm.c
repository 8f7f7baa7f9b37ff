/*
 * Tests of the alp-gmm teacher plugin through its ABI (teachers.md
 * section 4), checkpoints included.  argv[1] = the plugin, argv[2] = the
 * toy-grid env plugin (optional: the learning check is skipped without it).
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_harness.h"
#include "teachkit/rng.h"

static const char *g_plugin;
static const char *g_toy;

/* ------------------------------------------------------------------ fixture */

typedef struct fixture {
    tk_harness h;
    const tk_teacher_vtable *vt;
    void *t;
    tk_dim dim[4];
    tk_task_space space;
    uint64_t episodes;
} fixture;

/* The descriptor's defaults with `overrides` (a JSON object, may be NULL)
 * merged in, as the host does.  Caller frees. */
static char *merged_config(const tk_descriptor *d, const char *overrides)
{
    json_t *base = json_loads(d->default_config, 0, NULL);
    ck_assert_ptr_nonnull(base);
    if (overrides) {
        json_t *over = json_loads(overrides, 0, NULL);
        ck_assert_ptr_nonnull(over);
        ck_assert_int_eq(json_object_update(base, over), 0);
        json_decref(over);
    }
    char *text = json_dumps(base, JSON_COMPACT);
    json_decref(base);
    return text;
}

/* Open the plugin and create a teacher on `dims` dimensions of [low, high]
 * bounds (pairs).  Returns create()'s status. */
static tk_status fx_open(fixture *fx, uint64_t seed, size_t dims, const double *bounds,
                         const char *overrides)
{
    memset(fx, 0, sizeof *fx);
    ck_assert_int_eq(tk_harness_open(&fx->h, g_plugin, "alp-gmm", seed), 0);
    fx->vt = tk_harness_teacher(&fx->h);
    ck_assert_ptr_nonnull(fx->vt);
    for (size_t i = 0; i < dims; i++) {
        fx->dim[i].name = "x";
        fx->dim[i].low = bounds[2 * i];
        fx->dim[i].high = bounds[2 * i + 1];
    }
    fx->space.dims = dims;
    fx->space.dim = fx->dim;
    char *cfg = merged_config(fx->h.desc, overrides);
    tk_status st = fx->vt->create(&fx->h.host, &fx->h.ctx, &fx->space, cfg, &fx->t);
    free(cfg);
    return st;
}

static void fx_close(fixture *fx)
{
    if (fx->vt)
        fx->vt->destroy(fx->t);
    tk_harness_close(&fx->h);
}

/* Position of task[0] in [0, 1] relative to its bounds. */
static double rel0(const fixture *fx, const float *task)
{
    const tk_dim *d = &fx->dim[0];
    return d->high > d->low ? (task[0] - d->low) / (d->high - d->low) : 0.0;
}

/* A synthetic learner: on the first quarter of dimension 0 the reward
 * flips between 0 and 1 every 50 episodes (high ALP), elsewhere it is 0. */
static double synthetic_reward(const fixture *fx, const float *task)
{
    if (rel0(fx, task) >= 0.25)
        return 0.0;
    return (double)((fx->episodes / 50) % 2);
}

static void in_bounds(const fixture *fx, const float *task)
{
    for (size_t i = 0; i < fx->space.dims; i++) {
        ck_assert_msg(task[i] >= (float)fx->dim[i].low && task[i] <= (float)fx->dim[i].high,
                      "task[%zu] = %g outside [%g, %g]", i, task[i], fx->dim[i].low,
                      fx->dim[i].high);
    }
}

/* Play `n` episodes with the synthetic learner; returns the fraction of
 * sampled tasks that fell in the rewarding quarter. */
static double play(fixture *fx, int n)
{
    float task[4];
    int inside = 0;
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(fx->vt->sample(fx->t, task), TK_OK);
        in_bounds(fx, task);
        inside += rel0(fx, task) < 0.25;
        ck_assert_int_eq(fx->vt->update(fx->t, task, synthetic_reward(fx, task), 0), TK_OK);
        fx->episodes++;
    }
    return n ? (double)inside / n : 0.0;
}

static json_t *snapshot(fixture *fx)
{
    const char *text = NULL;
    ck_assert_int_eq(fx->vt->snapshot(fx->t, &text), TK_OK);
    json_t *s = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(json_string_value(json_object_get(s, "type")), "gmm");
    return s;
}

static json_int_t snapshot_fits(fixture *fx)
{
    json_t *s = snapshot(fx);
    json_int_t fits = json_integer_value(json_object_get(s, "fits"));
    json_decref(s);
    return fits;
}

static const double unit2[] = {0.0, 1.0, 0.0, 1.0};

/* --------------------------------------------------------------- descriptor */

START_TEST(test_descriptor)
{
    tk_harness h;
    ck_assert_int_eq(tk_harness_open(&h, g_plugin, "alp-gmm", 1), 0);
    const tk_descriptor *d = h.desc;
    ck_assert_uint_eq(d->struct_size, sizeof(tk_descriptor));
    ck_assert_int_eq(d->kind, TK_KIND_TEACHER);
    ck_assert_str_eq(d->version, "1.0.0");
    ck_assert_ptr_null(d->features);
    const tk_teacher_vtable *vt = tk_harness_teacher(&h);
    ck_assert_uint_eq(vt->struct_size, sizeof(tk_teacher_vtable));
    ck_assert_ptr_nonnull(vt->save);
    ck_assert_ptr_nonnull(vt->load);
    json_t *cfg = json_loads(d->default_config, 0, NULL);
    ck_assert_ptr_nonnull(cfg);
    const char *keys[] = {"fit_rate", "nb_bootstrap", "k_min", "k_max", "random_task_ratio",
                          "gmm_fitness_fun", "nb_em_init", "warm_start", "alp_max_size",
                          "alp_buffer_size", "reg_covar", "tol", "max_iter"};
    size_t nkeys = sizeof keys / sizeof keys[0];
    ck_assert_uint_eq(json_object_size(cfg), nkeys);
    for (size_t i = 0; i < nkeys; i++)
        ck_assert_msg(json_object_get(cfg, keys[i]), "default_config lacks %s", keys[i]);
    ck_assert_int_eq(json_integer_value(json_object_get(cfg, "fit_rate")), 250);
    ck_assert(json_is_null(json_object_get(cfg, "nb_bootstrap")));
    ck_assert_int_eq(json_integer_value(json_object_get(cfg, "k_max")), 10);
    ck_assert_str_eq(json_string_value(json_object_get(cfg, "gmm_fitness_fun")), "aic");
    json_decref(cfg);
    tk_harness_close(&h);
}
END_TEST

/* ------------------------------------------------------------------ phases */

/* Before the first fit every task is uniform: chi-square on 10 bins per
 * dimension over a 2000-episode bootstrap whose rewards would otherwise pull
 * the teacher into the first quarter. */
START_TEST(test_bootstrap_is_uniform)
{
    fixture fx;
    const double b[] = {-2.0, 3.0, 10.0, 11.0};
    ck_assert_int_eq(fx_open(&fx, 7, 2, b, "{\"fit_rate\": 2000}"), TK_OK);
    int bins[2][10] = {{0}};
    float task[2];
    for (int i = 0; i < 2000; i++) {
        ck_assert_int_eq(fx.vt->sample(fx.t, task), TK_OK);
        in_bounds(&fx, task);
        for (int j = 0; j < 2; j++) {
            int k = (int)(10.0 * (task[j] - b[2 * j]) / (b[2 * j + 1] - b[2 * j]));
            bins[j][k < 10 ? k : 9]++;
        }
        ck_assert_int_eq(fx.vt->update(fx.t, task, synthetic_reward(&fx, task), 0), TK_OK);
        fx.episodes++;
    }
    for (int j = 0; j < 2; j++) {
        double chi2 = 0.0;
        for (int k = 0; k < 10; k++)
            chi2 += (bins[j][k] - 200.0) * (bins[j][k] - 200.0) / 200.0;
        /* 9 degrees of freedom: P(chi2 > 27.9) = 0.001 */
        ck_assert_msg(chi2 < 27.9, "dimension %d: chi2 = %g", j, chi2);
    }
    ck_assert_int_eq(snapshot_fits(&fx), 1);
    fx_close(&fx);
}
END_TEST

/* The first fit happens exactly at episode fit_rate, the next ones every
 * fit_rate episodes; before it the snapshot has no component. */
START_TEST(test_first_fit_at_fit_rate)
{
    fixture fx;
    ck_assert_int_eq(fx_open(&fx, 3, 2, unit2, "{\"fit_rate\": 100}"), TK_OK);
    json_t *s = snapshot(&fx);
    ck_assert_uint_eq(json_array_size(json_object_get(s, "components")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(s, "fits")), 0);
    json_decref(s);
    play(&fx, 99);
    ck_assert_int_eq(snapshot_fits(&fx), 0);
    play(&fx, 1);
    ck_assert_int_eq(snapshot_fits(&fx), 1);
    play(&fx, 99);
    ck_assert_int_eq(snapshot_fits(&fx), 1);
    play(&fx, 1);
    ck_assert_int_eq(snapshot_fits(&fx), 2);
    fx_close(&fx);
}
END_TEST

/* nb_bootstrap = 350 with fit_rate 100: "n >= bootstrap and n % fit_rate ==
 * 0" first holds at n = 400. */
START_TEST(test_bootstrap_longer_than_fit_rate)
{
    fixture fx;
    ck_assert_int_eq(fx_open(&fx, 3, 2, unit2, "{\"fit_rate\": 100, \"nb_bootstrap\": 350}"),
                     TK_OK);
    play(&fx, 399);
    ck_assert_int_eq(snapshot_fits(&fx), 0);
    play(&fx, 1);
    ck_assert_int_eq(snapshot_fits(&fx), 1);
    fx_close(&fx);
}
END_TEST

static void check_components(fixture *fx, size_t k_min, size_t k_max)
{
    json_t *s = snapshot(fx);
    json_t *comps = json_object_get(s, "components");
    size_t k = json_array_size(comps);
    ck_assert_msg(k >= k_min && k <= k_max, "%zu components, expected [%zu, %zu]", k, k_min,
                  k_max);
    double wsum = 0.0;
    for (size_t c = 0; c < k; c++) {
        json_t *comp = json_array_get(comps, c);
        wsum += json_number_value(json_object_get(comp, "weight"));
        ck_assert_uint_eq(json_array_size(json_object_get(comp, "mean")), fx->space.dims);
        json_t *cov = json_object_get(comp, "cov");
        ck_assert_uint_eq(json_array_size(cov), fx->space.dims);
        for (size_t i = 0; i < fx->space.dims; i++)
            ck_assert_uint_eq(json_array_size(json_array_get(cov, i)), fx->space.dims);
        ck_assert(json_number_value(json_object_get(comp, "alp")) >= 0.0);
    }
    ck_assert_double_eq_tol(wsum, 1.0, 1e-9);
    json_decref(s);
}

START_TEST(test_component_count)
{
    fixture fx;
    ck_assert_int_eq(fx_open(&fx, 11, 2, unit2, "{\"fit_rate\": 150}"), TK_OK);
    for (int f = 0; f < 4; f++) {
        play(&fx, 150);
        check_components(&fx, 2, 10);
    }
    fx_close(&fx);
    ck_assert_int_eq(fx_open(&fx, 11, 2, unit2, "{\"fit_rate\": 150, \"k_min\": 4, \"k_max\": 5}"),
                     TK_OK);
    for (int f = 0; f < 4; f++) {
        play(&fx, 150);
        check_components(&fx, 4, 5);
    }
    fx_close(&fx);
}
END_TEST

/* Once fitted, most tasks come from the high-ALP quarter, and every task
 * stays in the box, including a degenerate dimension and a bound that is
 * not a float32 value. */
START_TEST(test_focus_and_bounds)
{
    fixture fx;
    const double b[] = {-1.0, 0.3, 2.0, 2.0, 0.0, 1e-3};
    ck_assert_int_eq(fx_open(&fx, 5, 3, b, "{\"fit_rate\": 200}"), TK_OK);
    play(&fx, 1000);
    double frac = play(&fx, 3000);
    /* Uniform would give 0.25; 20 % of tasks stay uniform. */
    ck_assert_msg(frac > 0.5, "only %.2f of the tasks in the high-ALP quarter", frac);
    fx_close(&fx);
}
END_TEST

START_TEST(test_criteria_and_warm_start)
{
    const char *variants[] = {
        "{\"fit_rate\": 100, \"gmm_fitness_fun\": \"bic\"}",
        "{\"fit_rate\": 100, \"gmm_fitness_fun\": \"aicc\"}",
        "{\"fit_rate\": 100, \"warm_start\": true}",
        "{\"fit_rate\": 100, \"nb_em_init\": 3, \"alp_max_size\": 300, \"alp_buffer_size\": 50}",
    };
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        fixture fx;
        ck_assert_int_eq(fx_open(&fx, 9, 2, unit2, variants[v]), TK_OK);
        play(&fx, 600);
        ck_assert_int_eq(snapshot_fits(&fx), 6);
        check_components(&fx, 2, 10);
        fx_close(&fx);
    }
}
END_TEST

/* With one component the fit is the sample mean and covariance of the
 * window, so the snapshot's "alp" is the mean ALP, computed here by brute
 * force (section 2: 0 for the first 6 episodes, then |r - r_nearest|). */
START_TEST(test_single_component_alp)
{
    enum { N = 60 };
    fixture fx;
    const double b[] = {0.0, 1.0};
    ck_assert_int_eq(fx_open(&fx, 4, 1, b, "{\"fit_rate\": 60, \"k_min\": 1, \"k_max\": 1}"),
                     TK_OK);
    float x[N];
    double r[N], alp_sum = 0.0, x_sum = 0.0;
    for (int i = 0; i < N; i++) {
        x[i] = (float)((i * 37 % N) / (double)N + 0.001 * i); /* distinct tasks */
        r[i] = 0.5 + 0.5 * sin(0.7 * i);
        double alp = 0.0;
        if (i > 5) {
            int best = 0;
            for (int j = 1; j < i; j++)
                if (fabs((double)x[j] - x[i]) < fabs((double)x[best] - x[i]))
                    best = j;
            alp = fabs(r[i] - r[best]);
        }
        alp_sum += alp;
        x_sum += x[i];
        ck_assert_int_eq(fx.vt->update(fx.t, &x[i], r[i], 0), TK_OK);
    }
    json_t *s = snapshot(&fx);
    json_t *comps = json_object_get(s, "components");
    ck_assert_uint_eq(json_array_size(comps), 1);
    json_t *c0 = json_array_get(comps, 0);
    ck_assert_double_eq_tol(json_number_value(json_object_get(c0, "alp")), alp_sum / N, 1e-9);
    ck_assert_double_eq_tol(json_number_value(json_array_get(json_object_get(c0, "mean"), 0)),
                            x_sum / N, 1e-9);
    ck_assert_double_eq_tol(json_number_value(json_object_get(c0, "weight")), 1.0, 1e-12);
    json_decref(s);
    fx_close(&fx);
}
END_TEST

/* -------------------------------------------------------------- determinism */

static void trace(uint64_t seed, float *out, int n)
{
    fixture fx;
    ck_assert_int_eq(fx_open(&fx, seed, 2, unit2, "{\"fit_rate\": 100}"), TK_OK);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(fx.vt->sample(fx.t, out + 2 * i), TK_OK);
        ck_assert_int_eq(fx.vt->update(fx.t, out + 2 * i, synthetic_reward(&fx, out + 2 * i), 0),
                         TK_OK);
        fx.episodes++;
    }
    fx_close(&fx);
}

START_TEST(test_deterministic)
{
    enum { N = 800 };
    static float a[2 * N], b[2 * N], c[2 * N];
    trace(42, a, N);
    trace(42, b, N);
    trace(43, c, N);
    ck_assert_mem_eq(a, b, sizeof a);
    ck_assert(memcmp(a, c, sizeof a) != 0);
    /* ... and the part after the bootstrap differs too. */
    ck_assert(memcmp(a + 2 * 100, c + 2 * 100, sizeof(float) * 2 * (N - 100)) != 0);
}
END_TEST

/* ------------------------------------------------------------- checkpoints */

/* A copy of save()'s bytes, which stay valid only until the next call. */
static unsigned char *ckpt_save(const tk_teacher_vtable *vt, void *self, size_t *size)
{
    const void *data = NULL;
    *size = 0;
    ck_assert_int_eq(vt->save(self, &data, size), TK_OK);
    ck_assert_uint_gt(*size, 0);
    unsigned char *copy = malloc(*size);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, data, *size);
    return copy;
}

/* load() must refuse `bytes[0..size)` with TK_ERR_INVALID and a message. */
static void ckpt_refused(const tk_teacher_vtable *vt, void *self, struct tk_ctx *ctx,
                         const void *bytes, size_t size, const char *what)
{
    ctx->last_code = TK_OK;
    ctx->last_message[0] = '\0';
    ck_assert_msg(vt->load(self, bytes, size) == TK_ERR_INVALID, "%s (%zu bytes) accepted",
                  what, size);
    ck_assert_int_eq(ctx->last_code, TK_ERR_INVALID);
    ck_assert_msg(ctx->last_message[0] != '\0', "%s: no message", what);
}

/* Truncated (every length up to 256 bytes, then 200 spread over the rest),
 * extended, retagged and garbage bytes are refused; random byte flips are
 * either refused or give an instance that still runs; the valid bytes load
 * afterwards.  `task` is scratch for `dims` floats. */
static void ckpt_rejects_bad_data(const tk_teacher_vtable *vt, void *self, struct tk_ctx *ctx,
                                  const unsigned char *bytes, size_t size, size_t dims)
{
    unsigned char *buf = malloc(size + 16);
    ck_assert_ptr_nonnull(buf);
    const size_t step = size > 256 ? (size - 256) / 200 + 1 : 1;
    for (size_t n = 0; n < size; n = n < 256 ? n + 1 : n + step)
        ckpt_refused(vt, self, ctx, bytes, n, "truncated state");
    ckpt_refused(vt, self, ctx, bytes, size - 1, "truncated state");
    memcpy(buf, bytes, size);
    buf[size] = 0;
    ckpt_refused(vt, self, ctx, buf, size + 1, "state with a trailing byte");
    memcpy(buf, "XXXX", 4);
    ckpt_refused(vt, self, ctx, buf, size, "state with another tag");
    memcpy(buf, bytes, 4);
    buf[4] ^= 0x7f; /* a newer layout version */
    ckpt_refused(vt, self, ctx, buf, size, "state with an unknown version");
    tk_rng noise;
    tk_rng_seed(&noise, 1234);
    for (size_t i = 0; i < size; i++)
        buf[i] = (unsigned char)tk_rng_u64(&noise);
    ckpt_refused(vt, self, ctx, buf, size, "garbage");
    float task[16];
    ck_assert_uint_le(dims, 16);
    for (int trial = 0; trial < 300; trial++) {
        memcpy(buf, bytes, size);
        const size_t at = 8 + (size_t)tk_rng_below(&noise, size - 8);
        buf[at] ^= (unsigned char)(1u << tk_rng_below(&noise, 8));
        const tk_status st = vt->load(self, buf, size);
        ck_assert_msg(st == TK_OK || st == TK_ERR_INVALID, "flip at %zu: status %d", at, st);
        for (int e = 0; st == TK_OK && e < 20; e++)
            if (vt->sample(self, task) == TK_OK)
                (void)vt->update(self, task, 0.5, 0);
    }
    free(buf);
    ck_assert_int_eq(vt->load(self, bytes, size), TK_OK);
}

/* Reward of the round-trip learner: alternating blocks on the first quarter
 * of dimension 0, a slope elsewhere. */
static double ckpt_reward(const float *task, int n)
{
    if (task[0] < 0.25f)
        return ((n / 50) % 2 ? 0.9 : 0.1) + 0.05 * task[1];
    return 0.3 * task[1] + 0.001 * (n % 7);
}

static void ckpt_episode(fixture *fx, int n, float *task)
{
    ck_assert_int_eq(fx->vt->sample(fx->t, task), TK_OK);
    ck_assert_int_eq(fx->vt->update(fx->t, task, ckpt_reward(task, n), 0), TK_OK);
}

static void same_snapshots(fixture *a, fixture *b)
{
    const char *text = NULL;
    ck_assert_int_eq(a->vt->snapshot(a->t, &text), TK_OK);
    char *sa = strdup(text);
    ck_assert_ptr_nonnull(sa);
    ck_assert_int_eq(b->vt->snapshot(b->t, &text), TK_OK);
    ck_assert_str_eq(sa, text);
    free(sa);
}

/* Run `before` episodes, save, load into an instance created with another
 * seed (whose own k-means stream the load must replace), copy the host
 * stream; then both must sample the same tasks and show the same mixtures
 * for `after` episodes, and save the same bytes: the window, the history
 * and the models, so the rebuilt ALP computer gave the same ALPs. */
static void ckpt_round_trip(const char *overrides, int before, int after)
{
    fixture a, b;
    ck_assert_int_eq(fx_open(&a, 21, 2, unit2, overrides), TK_OK);
    float ta[2], tb[2];
    int n = 0;
    for (; n < before; n++)
        ckpt_episode(&a, n, ta);
    size_t size;
    unsigned char *bytes = ckpt_save(a.vt, a.t, &size);
    ck_assert_int_eq(fx_open(&b, 99, 2, unit2, overrides), TK_OK);
    ck_assert_int_eq(b.vt->load(b.t, bytes, size), TK_OK);
    free(bytes);
    b.h.ctx.rng = a.h.ctx.rng;
    same_snapshots(&a, &b);
    for (; n < before + after; n++) {
        ckpt_episode(&a, n, ta);
        ckpt_episode(&b, n, tb);
        ck_assert_msg(memcmp(ta, tb, sizeof ta) == 0, "%s, saved after %d: tasks differ at %d",
                      overrides, before, n);
        if (n % 50 == 0)
            same_snapshots(&a, &b);
    }
    same_snapshots(&a, &b);
    size_t sa, sb;
    unsigned char *ba = ckpt_save(a.vt, a.t, &sa);
    unsigned char *bb = ckpt_save(b.vt, b.t, &sb);
    ck_assert_uint_eq(sa, sb);
    ck_assert_msg(memcmp(ba, bb, sa) == 0, "%s, saved after %d: states differ", overrides,
                  before);
    free(ba);
    free(bb);
    fx_close(&a);
    fx_close(&b);
}

START_TEST(test_checkpoint_round_trip)
{
    ckpt_round_trip("{\"fit_rate\": 100}", 437, 1200);
    ckpt_round_trip("{\"fit_rate\": 100}", 0, 300); /* as created */
    ckpt_round_trip("{\"fit_rate\": 100}", 500, 300); /* right after a fit */
    ckpt_round_trip("{\"fit_rate\": 100, \"nb_bootstrap\": 250}", 120, 500); /* no model */
    ckpt_round_trip("{\"fit_rate\": 100, \"warm_start\": true, \"nb_em_init\": 2}", 437,
                    1200);
    ckpt_round_trip("{\"fit_rate\": 50, \"k_min\": 1, \"k_max\": 4, \"warm_start\": true, "
                    "\"gmm_fitness_fun\": \"aicc\"}",
                    275, 600);
}
END_TEST

/* A bounded ALP history (alp_max_size): the plugin keeps only the pairs a
 * fresh computer needs; save points around the buffer's flushes. */
START_TEST(test_checkpoint_round_trip_bounded_history)
{
    const char *config = "{\"fit_rate\": 60, \"alp_max_size\": 130, \"alp_buffer_size\": 37, "
                         "\"gmm_fitness_fun\": \"bic\"}";
    static const int before[] = {5, 37, 38, 75, 167, 168, 204, 437, 1000};
    for (size_t i = 0; i < sizeof before / sizeof before[0]; i++)
        ckpt_round_trip(config, before[i], 400);
    ckpt_round_trip("{\"fit_rate\": 60, \"alp_max_size\": 1, \"alp_buffer_size\": 1}", 301,
                    300);
}
END_TEST

START_TEST(test_checkpoint_rejects_bad_data)
{
    static const char *const configs[] = {
        "{\"fit_rate\": 100}",
        "{\"fit_rate\": 100, \"warm_start\": true}",
        "{\"fit_rate\": 60, \"alp_max_size\": 130, \"alp_buffer_size\": 37}",
    };
    for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++) {
        fixture fx, other;
        ck_assert_int_eq(fx_open(&fx, 3, 2, unit2, configs[c]), TK_OK);
        float task[2];
        for (int n = 0; n < 430; n++)
            ckpt_episode(&fx, n, task);
        size_t size;
        unsigned char *bytes = ckpt_save(fx.vt, fx.t, &size);
        ckpt_refused(fx.vt, fx.t, &fx.h.ctx, NULL, 0, "an empty state");
        ckpt_rejects_bad_data(fx.vt, fx.t, &fx.h.ctx, bytes, size, 2);
        /* Another buffer size: the history would rebuild another computer. */
        const char *other_config = "{\"fit_rate\": 100, \"alp_buffer_size\": 50}";
        ck_assert_int_eq(fx_open(&other, 3, 2, unit2, other_config), TK_OK);
        ckpt_refused(other.vt, other.t, &other.h.ctx, bytes, size, "another config's state");
        fx_close(&other);
        free(bytes);
        fx_close(&fx);
    }
}
END_TEST

/* ------------------------------------------------------------------- errors */

START_TEST(test_nan_task_rejected)
{
    fixture fx;
    ck_assert_int_eq(fx_open(&fx, 1, 2, unit2, NULL), TK_OK);
    float task[2] = {0.5f, NAN};
    ck_assert_int_eq(fx.vt->update(fx.t, task, 0.5, 0), TK_ERR_INVALID);
    ck_assert_int_eq(fx.h.ctx.last_code, TK_ERR_INVALID);
    task[1] = INFINITY;
    ck_assert_int_eq(fx.vt->update(fx.t, task, 0.5, 0), TK_ERR_INVALID);
    /* Nothing was counted: the first fit still comes at fit_rate. */
    task[1] = 0.5f;
    ck_assert_int_eq(fx.vt->update(fx.t, task, 0.5, 0), TK_OK);
    ck_assert_int_eq(snapshot_fits(&fx), 0);
    fx_close(&fx);
}
END_TEST

static void expect_config_error(const char *overrides, const char *key)
{
    fixture fx;
    ck_assert_int_eq(fx_open(&fx, 1, 2, unit2, overrides), TK_ERR_CONFIG);
    ck_assert_ptr_null(fx.t);
    ck_assert_str_eq(fx.h.ctx.last_path, key);
    ck_assert_msg(strlen(fx.h.ctx.last_message) > 0, "no message for %s", key);
    fx_close(&fx);
}

START_TEST(test_config_errors)
{
    expect_config_error("{\"nb_bootstrap\": 100}", "nb_bootstrap");
    expect_config_error("{\"k_min\": 5, \"k_max\": 3}", "k_max");
    expect_config_error("{\"k_min\": 0}", "k_min");
    expect_config_error("{\"fit_rate\": 5, \"k_max\": 10}", "k_max");
    expect_config_error("{\"gmm_fitness_fun\": \"aik\"}", "gmm_fitness_fun");
    expect_config_error("{\"fit_rate\": 0}", "fit_rate");
    expect_config_error("{\"random_task_ratio\": 1.5}", "random_task_ratio");
    expect_config_error("{\"nb_em_init\": 0}", "nb_em_init");
    expect_config_error("{\"alp_max_size\": 0}", "alp_max_size");
    expect_config_error("{\"alp_buffer_size\": 0}", "alp_buffer_size");
    expect_config_error("{\"reg_covar\": -1}", "reg_covar");
    expect_config_error("{\"max_iter\": 0}", "max_iter");
    expect_config_error("{\"warm_start\": 1}", "warm_start");
    /* the message names the conflicting value */
    fixture fx;
    ck_assert_int_eq(fx_open(&fx, 1, 2, unit2, "{\"nb_bootstrap\": 100}"), TK_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(fx.h.ctx.last_message, "fit_rate"));
    fx_close(&fx);
    /* a task space without dimension is refused */
    ck_assert_int_eq(fx_open(&fx, 1, 0, unit2, NULL), TK_ERR_INVALID);
    fx_close(&fx);
}
END_TEST

/* ----------------------------------------------------------------- toy env */

/* 20,000 episodes of the 2-D toy grid (10 cells per dimension), as the
 * teachDeepRL driver runs them; returns the final mastered percentage. */
static double toy_run(uint64_t seed, int episodes)
{
    tk_harness eh;
    ck_assert_int_eq(tk_harness_open(&eh, g_toy, "toy-grid", seed + 1000), 0);
    const tk_env_vtable *ev = tk_harness_env(&eh);
    void *env = NULL;
    ck_assert_int_eq(ev->create(&eh.host, &eh.ctx, eh.desc->default_config, &env), TK_OK);
    tk_env_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    ck_assert_int_eq(ev->info(env, &info), TK_OK);

    fixture fx;
    memset(&fx, 0, sizeof fx);
    ck_assert_int_eq(tk_harness_open(&fx.h, g_plugin, "alp-gmm", seed), 0);
    fx.vt = tk_harness_teacher(&fx.h);
    char *cfg = merged_config(fx.h.desc, NULL);
    ck_assert_int_eq(fx.vt->create(&fx.h.host, &fx.h.ctx, &info.task_space, cfg, &fx.t), TK_OK);
    free(cfg);

    float task[8], dummy[1];
    const double lo = info.return_low, span = info.return_high - info.return_low;
    for (int i = 0; i < episodes; i++) {
        double r;
        int done;
        ck_assert_int_eq(fx.vt->sample(fx.t, task), TK_OK);
        ck_assert_int_eq(ev->set_task(env, task), TK_OK);
        ck_assert_int_eq(ev->reset(env, dummy), TK_OK);
        ck_assert_int_eq(ev->step(env, dummy, dummy, &r, &done), TK_OK);
        double norm = fmin(1.0, fmax(0.0, (r - lo) / span)); /* host normalisation */
        ck_assert_int_eq(fx.vt->update(fx.t, task, norm, 0), TK_OK);
    }
    double pct = -1.0;
    ck_assert_int_eq(ev->evaluate(env, &pct), TK_OK);
    fx_close(&fx);
    ev->destroy(env);
    tk_harness_close(&eh);
    return pct;
}

/* Reference (teachDeepRL, 5 seeds): ALP-GMM 34.6 +- 2.7 %, random 4.6 %. */
START_TEST(test_toy_env_learning)
{
    double pct = toy_run(2, 20000);
    ck_assert_msg(pct >= 20.0, "ALP-GMM mastered %.1f %% of the toy grid (random ~ 4.6 %%)",
                  pct);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PLUGIN.so [TOY_GRID.so]\n", argv[0]);
        return 2;
    }
    g_plugin = argv[1];
    g_toy = argc > 2 ? argv[2] : NULL;

    Suite *s = suite_create("alp-gmm");
    TCase *tc = tcase_create("teacher");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_descriptor);
    tcase_add_test(tc, test_bootstrap_is_uniform);
    tcase_add_test(tc, test_first_fit_at_fit_rate);
    tcase_add_test(tc, test_bootstrap_longer_than_fit_rate);
    tcase_add_test(tc, test_component_count);
    tcase_add_test(tc, test_focus_and_bounds);
    tcase_add_test(tc, test_criteria_and_warm_start);
    tcase_add_test(tc, test_single_component_alp);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_nan_task_rejected);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_checkpoint_round_trip);
    tcase_add_test(tc, test_checkpoint_round_trip_bounded_history);
    tcase_add_test(tc, test_checkpoint_rejects_bad_data);
    suite_add_tcase(s, tc);
    if (g_toy) {
        TCase *toy = tcase_create("toy-env");
        tcase_set_timeout(toy, 120);
        tcase_add_test(toy, test_toy_env_learning);
        suite_add_tcase(s, toy);
    } else {
        fprintf(stderr, "no toy-grid plugin given: learning check skipped\n");
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
