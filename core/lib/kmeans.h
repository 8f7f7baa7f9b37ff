/*
 * k-means for the GMM initialisation (internal to libteachkit, not installed).
 *
 * Reproduces scikit-learn's KMeans(n_clusters=k, n_init=1,
 * algorithm="lloyd", tol=1e-4) as GaussianMixture(init_params="kmeans")
 * calls it (sklearn/cluster/_kmeans.py):
 *   - k-means++ seeding: first centre uniform among the points; every next
 *     centre is the best of 2 + floor(ln k) candidates drawn with probability
 *     proportional to the squared distance to the nearest chosen centre
 *     ("best" = lowest total squared distance once it is added);
 *   - Lloyd iterations (at most `max_iter`), empty clusters relocated to the
 *     points farthest from their centres; stop when the labels no longer
 *     change, or when the summed squared centre shift is <= 1e-4 times the
 *     mean per-feature variance of X;
 *   - if the stop was not a strict label convergence, the labels are
 *     recomputed once against the final centres.
 *
 * Thread rule: reentrant; all state lives in the caller's buffers.
 */
#ifndef TEACHKIT_KMEANS_H
#define TEACHKIT_KMEANS_H

#include <stddef.h>

#include "teachkit/rng.h"

/* libteachkit is built with default symbol visibility; keep these helpers
 * out of its ABI. */
#if defined(__GNUC__) || defined(__clang__)
#define TK_INTERNAL __attribute__((visibility("hidden")))
#else
#define TK_INTERNAL
#endif

/* Bytes of scratch memory tk_kmeans needs for n points, k clusters, dim
 * features (a single block, so a caller can carve it out of a larger
 * workspace allocated once). */
TK_INTERNAL size_t tk_kmeans_workspace_size(size_t n, size_t k, size_t dim);

/* Cluster X (n x dim, row-major) into k clusters, 1 <= k <= n.
 * `work`: at least tk_kmeans_workspace_size(n, k, dim) bytes, aligned for
 * double (malloc'ed memory is).  Outputs: `centers` (k x dim, row-major) and
 * `labels` (n entries in [0, k)).  All randomness is drawn from `rng`.
 * Returns the number of Lloyd iterations run, or -1 on invalid arguments. */
TK_INTERNAL int tk_kmeans(const double *X, size_t n, size_t dim, size_t k, int max_iter,
                          tk_rng *rng, void *work, double *centers, size_t *labels);

#endif
