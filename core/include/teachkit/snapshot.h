/*
 * Teacher snapshots: the JSON a teacher's optional `snapshot` hook returns
 * (<teachkit/plugin.h>), which the host appends to the run's teacher.jsonl
 * and `teachkit plot` draws over the first two task dimensions.  This
 * header is the schema; docs/plugin-abi.md ("Teacher snapshots") describes
 * it for readers.
 *
 * A snapshot is a JSON object whose "type" names its model:
 *
 *   "gmm"       {"components": [{"weight": w, "mean": [..], "cov": [[..]],
 *                "alp": s}, ...], "fits": n}  a Gaussian mixture over the
 *               task space (ALP-GMM, Covar-GMM), each component drawn as its
 *               2-sigma ellipse coloured by its score "alp";
 *   "gaussian"  {"mean": [..], "cov": [[..]]}  one Gaussian (SPDL's context
 *               distribution), drawn as its 2-sigma ellipse;
 *   "regions"   {"regions": [{"low": [..], "high": [..], "alp": s,
 *                "leaf": bool}, ...]}  boxes of a partition (RIAC), the
 *               leaves drawn coloured by "alp";
 *   "window"    {"low": [..], "high": [..]}  the box tasks are drawn from
 *               (Oracle), outlined;
 *   "bounds"    {"low": [..], "high": [..]}  the same for ADR's growing box;
 *   "samples"   {"points": [[..], ...]}  tasks the teacher would draw now
 *               (GoalGAN, Setter-Solver); not drawn.
 *
 * Vectors hold one number per task dimension, matrices one row per task
 * dimension.  A teacher may add keys of its own (counters, losses); readers
 * ignore keys and types they do not know, so new types can come without
 * breaking anything.
 *
 * The writers below build these objects so that teachers and the plot
 * share the key names.  Every function returns a new reference owned by the
 * caller (or 0/-1), NULL/-1 on OOM or on a non-finite number (JSON has
 * none); a snapshot that failed is released with json_decref.  Functions
 * that take json_t arguments named `steal_*` take over that reference, even
 * when they fail.  Plain functions without global state.  [thread-safe]
 */
#ifndef TEACHKIT_SNAPSHOT_H
#define TEACHKIT_SNAPSHOT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The values of "type". */
#define TK_SNAPSHOT_GMM "gmm"
#define TK_SNAPSHOT_GAUSSIAN "gaussian"
#define TK_SNAPSHOT_REGIONS "regions"
#define TK_SNAPSHOT_WINDOW "window"
#define TK_SNAPSHOT_BOUNDS "bounds"
#define TK_SNAPSHOT_SAMPLES "samples"

/* The keys of the schema. */
#define TK_SNAPSHOT_KEY_TYPE "type"
#define TK_SNAPSHOT_KEY_COMPONENTS "components" /* gmm */
#define TK_SNAPSHOT_KEY_FITS "fits"             /* gmm */
#define TK_SNAPSHOT_KEY_WEIGHT "weight"         /* gmm component */
#define TK_SNAPSHOT_KEY_MEAN "mean"             /* gmm component, gaussian */
#define TK_SNAPSHOT_KEY_COV "cov"               /* gmm component, gaussian */
#define TK_SNAPSHOT_KEY_ALP "alp"               /* gmm component, region: the colour */
#define TK_SNAPSHOT_KEY_REGIONS "regions"       /* regions */
#define TK_SNAPSHOT_KEY_LEAF "leaf"             /* region */
#define TK_SNAPSHOT_KEY_LOW "low"               /* region, window, bounds */
#define TK_SNAPSHOT_KEY_HIGH "high"             /* region, window, bounds */
#define TK_SNAPSHOT_KEY_POINTS "points"         /* samples */

/* ------------------------------------------------------------ vectors */

/* [v0, v1, ...] as JSON reals. */
json_t *tk_snapshot_doubles(const double *v, size_t n);
json_t *tk_snapshot_floats(const float *v, size_t n);
/* The top-left n x n block of a row-major matrix whose rows are `stride`
 * doubles apart (stride >= n), as [[..], ...]. */
json_t *tk_snapshot_matrix(const double *m, size_t n, size_t stride);

/* ------------------------------------------------------------ writers */

/* {"type": "gmm", "components": [], "fits": fits}; components follow with
 * tk_snapshot_gmm_add. */
json_t *tk_snapshot_gmm(uint64_t fits);
/* Appends {"weight", "mean", "cov", "alp"} to a "gmm" snapshot: the first n
 * coordinates of `mean` and the top-left n x n block of `cov`, whose rows are
 * `stride` doubles apart (a mixture over more coordinates than the task's).
 * 0 or -1. */
int tk_snapshot_gmm_add(json_t *snap, double weight, const double *mean, const double *cov,
                        size_t n, size_t stride, double alp);

/* {"type": "gaussian", "mean": mean[n], "cov": cov[n x n]}. */
json_t *tk_snapshot_gaussian(const double *mean, const double *cov, size_t n);

/* {"type": "regions", "regions": []}; regions follow with
 * tk_snapshot_regions_add. */
json_t *tk_snapshot_regions(void);
/* Appends {"low", "high", "alp", "leaf"} to a "regions" snapshot and returns
 * it (borrowed, owned by the snapshot) for the teacher's own keys, or NULL. */
json_t *tk_snapshot_regions_add(json_t *snap, json_t *steal_low, json_t *steal_high, double alp,
                                int leaf);

/* {"type": type, "low": low, "high": high} for TK_SNAPSHOT_WINDOW and
 * TK_SNAPSHOT_BOUNDS. */
json_t *tk_snapshot_box(const char *type, json_t *steal_low, json_t *steal_high);

/* {"type": "samples", "points": points}. */
json_t *tk_snapshot_samples(json_t *steal_points);

/* Appends the keys of `steal_extra` (the teacher's own, e.g. from
 * json_pack) after the schema's, in their order.  Returns `steal_snap`, or
 * NULL, releasing both, when either is NULL (a json_pack that failed) or
 * memory runs out. */
json_t *tk_snapshot_add(json_t *steal_snap, json_t *steal_extra);

/* The compact text of a snapshot, every real with 17 significant digits
 * (exact); the caller frees it.  Releases `steal_snap` in all cases; NULL
 * when it is NULL or on OOM.  A teacher keeps the text for its `snapshot`
 * hook's *json_out. */
char *tk_snapshot_dump(json_t *steal_snap);

#ifdef __cplusplus
}
#endif

#endif
