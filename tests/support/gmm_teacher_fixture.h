/*
 * A fixture for the teachers built on a Gaussian mixture, alp-gmm and
 * covar-gmm (teachDeepRL's alp_gmm.py and covar_gmm.py: the same bootstrap, fit
 * schedule, mixture snapshot, config keys and checkpoint rules around
 * different component scores), and the checks both suites run.  Each suite
 * describes its teacher with gmm_checks_setup() first; the tests both run
 * unchanged are in gmm_shared_tests.h.  Test code only.
 */
#ifndef TK_TEST_GMM_TEACHER_FIXTURE_H
#define TK_TEST_GMM_TEACHER_FIXTURE_H

#include <jansson.h>
#include <stdint.h>

#include "plugin_fixtures.h"

typedef struct gmm_kind {
    const char *plugin; /* the teacher plugin (borrowed, lives as long as main) */
    const char *toy;    /* the toy-grid plugin, or NULL */
    const char *id;     /* "alp-gmm" or "covar-gmm" */
    /* The synthetic learner's reward on the first quarter of dimension 0
     * after `episodes` episodes (it is 0 elsewhere): a signal that the
     * teacher's score rates high there. */
    double (*quarter_reward)(uint64_t episodes);
    const char *quarter; /* that quarter in messages, e.g. "high-ALP quarter" */
} gmm_kind;

/* Before any test: the teacher under test (copied). */
void gmm_checks_setup(const gmm_kind *kind);
const gmm_kind *gmm_checks_kind(void);

/* ---------------------------------------------------------------- fixture */

typedef struct gmm_fx {
    tk_teacher_fx tk;
    tk_dim dim[4];
    tk_task_space space;
    uint64_t episodes; /* played by gmm_play() */
} gmm_fx;

/* Bounds of the unit square, as (low, high) pairs. */
extern const double gmm_unit2[4];

/* Open the teacher on `dims` dimensions with (low, high) `bounds` pairs and
 * the defaults with `overrides` (may be NULL) merged in.  Returns create()'s
 * status. */
tk_status gmm_fx_open(gmm_fx *fx, uint64_t seed, size_t dims, const double *bounds,
                      const char *overrides);
void gmm_fx_close(gmm_fx *fx);

/* One episode of the synthetic learner: a task sampled into `task` (checked
 * against the bounds), the learner's reward for it. */
void gmm_play_one(gmm_fx *fx, float *task);
/* `n` episodes; returns the fraction of sampled tasks that fell in the
 * rewarding quarter. */
double gmm_play(gmm_fx *fx, int n);

/* The snapshot (type "gmm"), parsed; caller decrefs.  Its "fits" count. */
json_t *gmm_snapshot(const gmm_fx *fx);
json_int_t gmm_snapshot_fits(const gmm_fx *fx);

/* Between k_min and k_max components whose weights sum to 1, each with a
 * mean, a dims x dims covariance and a score >= 0. */
void gmm_check_components(const gmm_fx *fx, size_t k_min, size_t k_max);

/* create() with `overrides` fails with TK_ERR_CONFIG naming `key`. */
void gmm_expect_config_error(const char *overrides, const char *key);
/* The config errors of the keys both teachers have, and a task space
 * without dimension refused. */
void gmm_check_common_config_errors(void);

/* The descriptor's common checks (kind, version, no features, checkpoint
 * hooks, the fit schedule's defaults) and exactly `keys` in the default
 * config, which is returned parsed for the teacher's own values; caller
 * decrefs. */
json_t *gmm_descriptor_defaults(const char *const *keys, size_t nkeys);

/* ------------------------------------------------------------ checkpoints */

/* Episode `n` of the round-trip learner: sample, update with a reward that
 * has learning progress on the first quarter. */
void gmm_ckpt_episode(gmm_fx *fx, int n, float *task);

/* Run `before` episodes, save, load into an instance created with another
 * seed (whose own k-means stream the load must replace), copy the host
 * stream; then both must sample the same tasks and show the same mixtures
 * for `after` episodes, and save the same bytes. */
void gmm_ckpt_round_trip(const char *overrides, int before, int after);
/* Round trips saved at the points of the fit schedule both teachers have:
 * mid-run, as created, right after a fit, before the first model. */
void gmm_ckpt_round_trip_schedule(void);

/* A state saved after 430 episodes with `config` refuses every damage of
 * tk_ckpt_rejects_bad_data() and loads in no instance of `other_config`. */
void gmm_ckpt_rejects_bad_data(const char *config, const char *other_config);

/* --------------------------------------------------------------- toy grid */

/* `episodes` episodes of the 2-D toy grid with the default config, as the
 * teachDeepRL driver runs them (returns normalised by the env's range);
 * returns the final mastered percentage. */
double gmm_toy_run(uint64_t seed, int episodes);

#endif
