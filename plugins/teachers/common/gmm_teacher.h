/*
 * The rules ALP-GMM and Covar-GMM share beyond the toolkit's
 * <teachkit/gmm_select.h> (which fits and selects their mixtures): the
 * exploration gate of sample() (sample_task of teachDeepRL's alp_gmm.py and
 * covar_gmm.py), the
 * snapshot, and the checks of update()'s arguments and of a loaded window.
 * What a component's score means (mean ALP, time-reward covariance) stays
 * in each teacher: the caller computes scores[] for the current mixture.
 *
 * Internal to the teacher plugins that compile gmm_teacher.c (see their
 * meson.build); not part of the toolkit.  No global state; every pointer
 * is borrowed for the call unless said otherwise.  The functions taking a
 * host report through it and so are [instance]: call them with the ctx of
 * the instance being entered.
 */
#ifndef GMM_TEACHER_H
#define GMM_TEACHER_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/gmm_select.h"
#include "teachkit/plugin.h"

/* sample(): a uniform task of `space` while bootstrapping (n <
 * cfg->bootstrap), with probability cfg->random_task_ratio, or when there
 * is no mixture (gmm NULL); otherwise a component c drawn in proportion to
 * scores[c] (gmm->k entries, >= 0) and a task of it (tk_gmm_sample_task,
 * with `scratch` of gmm->dim doubles).  The ratio is drawn only once
 * bootstrapped, and the mixture's presence is tested last: that order
 * fixes the RNG stream.  TK_ERR_NUMERIC with
 *   component C of the mixture gave a non-finite task
 * when the sample is not finite. */
tk_status gmm_teacher_sample(const tk_host_api *host, tk_ctx *ctx, const tk_gmm_teacher_config *cfg,
                             uint64_t n, const tk_gmm *gmm, const double *scores,
                             const tk_task_space *space, double *scratch, float *task_out);

/* update(): TK_ERR_INVALID with "task[I] is not finite" for the first
 * non-finite of the `dims` task coordinates, else with "the episode return
 * is not finite" when the return is not. */
tk_status gmm_teacher_check_outcome(const tk_host_api *host, tk_ctx *ctx, const float *task,
                                    size_t dims, double episode_return);

/* update(): the warning logged when no candidate mixture could be fitted
 * after episode n (the teacher then samples uniformly until the next fit). */
void gmm_teacher_warn_no_fit(const tk_host_api *host, tk_ctx *ctx, uint64_t n);

/* snapshot(): the JSON of `gmm` (NULL: none yet) restricted to the
 * task_dim task coordinates, each component's scores[c] under the key
 * "alp", and the number of fits (tk_gmm_snapshot_json).  The text replaces
 * *text, which the teacher owns (the previous one is freed here), and
 * *json_out points to it.  TK_ERR_INTERNAL with
 *   cannot build the snapshot (out of memory or non-finite value)
 * and *text = *json_out = NULL when it cannot be built. */
tk_status gmm_teacher_snapshot(const tk_host_api *host, tk_ctx *ctx, const tk_gmm *gmm,
                               size_t task_dim, const double *scores, uint64_t fits, char **text,
                               const char **json_out);

/* load(): 1 when all n values are finite, else 0.  [thread-safe] */
int gmm_teacher_finite(const double *v, size_t n);

#endif
