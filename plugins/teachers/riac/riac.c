/*
 * riac: Robust Intelligent Adaptive Curiosity as used in teachDeepRL
 * (SAGG-RIAC, Baranes & Oudeyer 2013; the variant of Portelas et al., CoRL
 * 2019, flowersteam/teachDeepRL teachDRL/teachers/algos/riac.py).
 *
 * The task space is split recursively into a tree of axis-aligned regions.
 * Every region keeps a bounded FIFO of the (task, reward) pairs that fell in
 * it (ancestors keep copies: "copy-all mode") and an absolute learning
 * progress (ALP): the difference between the mean reward of the older and of
 * the recent half of its latest pairs.  When a leaf holds max_region_size + 1
 * pairs it is split in two along a random dimension at a random threshold,
 * choosing among nb_split_attempts candidates the one whose children differ
 * most in ALP; candidates must leave both children min_reg_size pairs and
 * sides of at least min_dims_range_ratio of the task range.  When no
 * candidate qualifies the oldest pairs of the leaf are discarded.  Tasks are
 * drawn 70 % of the time uniformly in a region chosen in proportion to its
 * ALP, 20 % uniformly in the whole space and 10 % by mutating the
 * worst-rewarded task of an ALP-chosen region.
 *
 * Deviations from the original, each documented in docs/teachers/riac.md:
 * with "compat": "none" (default) fixes of the original's bugs apply -- split score
 * |child1| * |child2| * |a1 - a2| with populations, children get the ALPs of
 * the chosen split, FIFOs stay bounded after a failed split, "random" mode
 * samples the root with sampling_in_leaves_only; with "compat": "teachDeepRL"
 * those four behaviours are reproduced.  In both modes: the population loop
 * is capped at RIAC_POPULATION_DRAWS draws (the original can spin forever),
 * a task on a shared boundary splits only the first full leaf in depth-first
 * order (the original asserts), mutation clipping never leaves a region
 * narrower than the clip margin, and an empty region falls back to a uniform
 * draw in mutation mode (the original raises).
 *
 * Efficiency: regions are stored in creation order in one array; sampling
 * proportional to ALP uses a sum tree over that order; a parent records its
 * cut, so an update walks only the regions containing the task; ALPs come
 * from running sums of the two window halves.  sample() and update() thus
 * cost O(depth * dims + window + log(regions)) whatever the number of
 * episodes, and split() sorts the leaf's coordinates once so that each
 * population draw is a binary search.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/snapshot.h"
#include "teachkit/state.h"
#include "teachkit/task_space.h"

/* Fixed constants of the original (RIAC.__init__ and sample_task). */
#define RIAC_P_MUTATE 0.1        /* mode 3: mutate the worst task of a region */
#define RIAC_P_RANDOM_CUM 0.3    /* mode 2 up to this cumulative probability */
#define RIAC_MUTATION_STD 0.1    /* absolute, in task units, as the original */
#define RIAC_CLIP_MARGIN 1e-5
/* Our cap on the population loop of one split attempt (RIAC.split can
 * loop forever). */
#define RIAC_POPULATION_DRAWS 1000

#define RIAC_MAX_REGION_SIZE 100000
#define RIAC_MAX_SPLIT_ATTEMPTS 100000

enum { COMPAT_NONE = 0, COMPAT_TEACHDEEPRL = 1 };

typedef struct riac_node {
    float *lo, *hi;        /* box, inclusive on both sides; float32 like the
                            * original's Box, so every edge is a task value */
    int32_t child[2];      /* creation ids, -1 for a leaf */
    uint32_t split_dim;    /* internal nodes: child 0 is the box with */
    float split_thr;       /*   hi[split_dim] = split_thr, child 1 lo = it */
    double alp;
    /* FIFO of (task, reward) pairs: a ring of `cap` slots holding the `len`
     * latest pairs, oldest at `head`. */
    double *rewards;       /* cap entries */
    float *tasks;          /* cap * dims entries */
    size_t cap, head, len;
    uint64_t size;         /* FIFO length as the original sees it (> len
                            * only for compat "unbounded" FIFOs) */
    /* compat teachDeepRL: after a failed split the original's FIFO has no
     * capacity any more.  Only the ALP window and the worst pair can be
     * observed, so we keep a ring of max(maxlen+1, alp_window) plus the worst
     * pair that left the ring. */
    int unbounded;
    int has_hist;
    double hist_reward;
    float *hist_task;      /* dims entries */
    /* Running sums of the two halves of the ALP window, slid by fifo_push
     * while the window width stays the same and recomputed exactly by
     * fifo_alp when invalid or after alp_window slides (bounds round-off);
     * they make an update O(1) per internal region instead of O(window). */
    int sums_valid;
    size_t sums_age;
    double older_sum, recent_sum;
} riac_node;

/* Sum tree over regions in creation order: weight = ALP for regions that can
 * be sampled (all regions, or leaves with sampling_in_leaves_only), 0 for the
 * others; `count` counts the samplable ones for the uniform fallback. */
typedef struct region_index {
    size_t cap;            /* leaf slots, a power of two */
    double *sum;           /* 2 * cap; node 1 is the top, leaf i at cap + i */
    uint32_t *count;       /* 2 * cap */
    size_t positive;       /* samplable regions with weight > 0 */
} region_index;

typedef struct riac {
    const tk_host_api *host;
    tk_ctx *ctx;
    tk_rng *rng;
    size_t dims;
    double *min_side;      /* min_dims_range_ratio * (high - low), per dim */

    /* configuration */
    size_t maxlen;         /* max_region_size */
    size_t alp_window;
    size_t nb_split_attempts;
    int leaves_only;
    double minlen;         /* min_reg_size */
    double discard_ratio;
    int compat;

    riac_node *node;       /* creation order; node 0 is the root */
    size_t n_nodes, cap_nodes;
    region_index index;
    uint64_t n_sampled;

    /* scratch, sized with the tree or with max_ring() */
    uint32_t *visit, *stack;   /* cap_nodes entries each */
    float *sorted;             /* dims * max_ring() */
    double *part[2];           /* max_ring() each */
    char *snapshot;
    tk_state_writer saved;     /* the bytes of the last save() */
} riac;

/* ------------------------------------------------------------ region index */

static void index_free(region_index *ix)
{
    free(ix->sum);
    free(ix->count);
    memset(ix, 0, sizeof *ix);
}

static void index_pull(region_index *ix, size_t i)
{
    ix->sum[i] = ix->sum[2 * i] + ix->sum[2 * i + 1];
    ix->count[i] = ix->count[2 * i] + ix->count[2 * i + 1];
}

/* Make room for `n` regions; rebuilding on doubling keeps it amortised O(1). */
static int index_reserve(region_index *ix, size_t n)
{
    if (n <= ix->cap)
        return 0;
    size_t cap = ix->cap ? ix->cap : 64;
    while (cap < n)
        cap *= 2;
    double *sum = calloc(2 * cap, sizeof *sum);
    uint32_t *count = calloc(2 * cap, sizeof *count);
    if (!sum || !count) {
        free(sum);
        free(count);
        return -1;
    }
    for (size_t i = 0; i < ix->cap; i++) {
        sum[cap + i] = ix->sum[ix->cap + i];
        count[cap + i] = ix->count[ix->cap + i];
    }
    free(ix->sum);
    free(ix->count);
    ix->sum = sum;
    ix->count = count;
    ix->cap = cap;
    for (size_t i = cap; i-- > 1;)
        index_pull(ix, i);
    return 0;
}

static void index_set(region_index *ix, size_t region, double alp, int samplable)
{
    size_t i = ix->cap + region;
    const double weight = samplable ? alp : 0.0;
    ix->positive -= ix->sum[i] > 0.0;
    ix->positive += weight > 0.0;
    ix->sum[i] = weight;
    ix->count[i] = samplable ? 1u : 0u;
    for (i /= 2; i >= 1; i /= 2)
        index_pull(ix, i);
}

/* The k-th samplable region (0-based) in creation order. */
static size_t index_kth(const region_index *ix, uint32_t k)
{
    size_t i = 1;
    while (i < ix->cap) {
        if (k < ix->count[2 * i]) {
            i = 2 * i;
        } else {
            k -= ix->count[2 * i];
            i = 2 * i + 1;
        }
    }
    return i - ix->cap;
}

/* proportional_choice of riac.py: a region with probability ALP / sum, or
 * uniformly among the samplable regions when every ALP is 0. */
static size_t index_pick(const region_index *ix, tk_rng *rng)
{
    if (ix->positive == 0)
        return index_kth(ix, (uint32_t)tk_rng_below(rng, ix->count[1]));
    double x = tk_rng_uniform(rng) * ix->sum[1];
    size_t i = 1;
    while (i < ix->cap) {
        const double left = ix->sum[2 * i];
        /* Never descend into a zero-weight subtree, whatever the round-off. */
        if (left > 0.0 && (x < left || ix->sum[2 * i + 1] <= 0.0)) {
            i = 2 * i;
        } else {
            x -= left;
            i = 2 * i + 1;
        }
    }
    return i - ix->cap;
}

/* ------------------------------------------------------------------ FIFOs */

static int is_leaf(const riac_node *nd)
{
    return nd->child[0] < 0;
}

static int samplable(const riac *t, const riac_node *nd)
{
    return !t->leaves_only || is_leaf(nd);
}

static size_t slot(const riac_node *nd, size_t i)
{
    return (nd->head + i) % nd->cap;
}

static const float *fifo_task(const riac *t, const riac_node *nd, size_t i)
{
    return nd->tasks + slot(nd, i) * t->dims;
}

static double fifo_reward(const riac_node *nd, size_t i)
{
    return nd->rewards[slot(nd, i)];
}

/* Allocate the ring of a node; tasks and rewards in one block.  Zeroed:
 * checkpoints store whole rings, and slots never written must have
 * defined bytes there. */
static int fifo_alloc(riac_node *nd, size_t cap, size_t dims)
{
    void *block = calloc(cap, sizeof(double) + dims * sizeof(float));
    if (!block)
        return -1;
    nd->rewards = block;
    nd->tasks = (float *)(nd->rewards + cap);
    nd->cap = cap;
    nd->head = 0;
    nd->len = 0;
    return 0;
}

/* Sum of the chronological entries [a, b) of a ring r[cap] starting at
 * `head`, in chronological order, as two contiguous runs. */
static double ring_sum(const double *r, size_t cap, size_t head, size_t a, size_t b)
{
    const size_t start = (head + a) % cap, n = b - a;
    const size_t first = n < cap - start ? n : cap - start;
    double s = 0.0;
    for (size_t k = 0; k < first; k++)
        s += r[start + k];
    for (size_t k = 0; k < n - first; k++)
        s += r[k];
    return s;
}

static double window_alp(const double *r, size_t cap, size_t head, size_t len, uint64_t size,
                         size_t window)
{
    if (size <= 2)
        return 0.0;
    const size_t w = size < window ? (size_t)size : window;
    const size_t half = w / 2;
    const double older = ring_sum(r, cap, head, len - w, len - half);
    const double recent = ring_sum(r, cap, head, len - half, len);
    return fabs(older / (double)(w - half) - recent / (double)half);
}

/* Width of the ALP window of a FIFO of length `size` (RIAC.compute_alp). */
static size_t alp_width(const riac *t, uint64_t size)
{
    return size < t->alp_window ? (size_t)size : t->alp_window;
}

static void fifo_push(const riac *t, riac_node *nd, const float *task, double reward)
{
    /* The window before the push: what leaves it and what crosses from the
     * recent half to the older half if it slides by one. */
    const uint64_t size0 = nd->size;
    const size_t w0 = alp_width(t, size0);
    double leaving = 0.0, crossing = 0.0;
    if (nd->sums_valid) {
        leaving = fifo_reward(nd, nd->len - w0);
        crossing = fifo_reward(nd, nd->len - w0 / 2);
    }

    if (nd->len == nd->cap) {
        /* Full: the oldest pair leaves.  An unbounded (compat) FIFO still
         * owns it logically; keep the worst one for mutation mode.  Pairs
         * leaving are newer than the kept one, so '<' keeps the first
         * occurrence as np.argmin does. */
        if (nd->unbounded) {
            const double r = fifo_reward(nd, 0);
            if (!nd->has_hist || r < nd->hist_reward) {
                nd->has_hist = 1;
                nd->hist_reward = r;
                memcpy(nd->hist_task, fifo_task(t, nd, 0), t->dims * sizeof(float));
            }
        } else {
            nd->size--;
        }
        nd->head = slot(nd, 1);
        nd->len--;
    }
    const size_t s = slot(nd, nd->len);
    nd->rewards[s] = reward;
    memcpy(nd->tasks + s * t->dims, task, t->dims * sizeof(float));
    nd->len++;
    nd->size++;

    if (nd->sums_valid && alp_width(t, nd->size) == w0) {
        nd->older_sum += crossing - leaving;
        nd->recent_sum += reward - crossing;
        nd->sums_age++;
    } else {
        nd->sums_valid = 0;
    }
}

/* ALP of a region's FIFO from the running sums, refreshed when needed. */
static double fifo_alp(const riac *t, riac_node *nd)
{
    if (nd->size <= 2)
        return 0.0;
    const size_t w = alp_width(t, nd->size), half = w / 2;
    if (!nd->sums_valid || nd->sums_age >= t->alp_window) {
        nd->older_sum = ring_sum(nd->rewards, nd->cap, nd->head, nd->len - w, nd->len - half);
        nd->recent_sum = ring_sum(nd->rewards, nd->cap, nd->head, nd->len - half, nd->len);
        nd->sums_valid = 1;
        nd->sums_age = 0;
    }
    return fabs(nd->older_sum / (double)(w - half) - nd->recent_sum / (double)half);
}

/* The pair with the lowest reward (first occurrence), or NULL if empty. */
static const float *fifo_worst(const riac *t, const riac_node *nd)
{
    const float *worst = nd->has_hist ? nd->hist_task : NULL;
    double worst_r = nd->hist_reward;
    for (size_t i = 0; i < nd->len; i++) {
        const double r = fifo_reward(nd, i);
        if (!worst || r < worst_r) {
            worst = fifo_task(t, nd, i);
            worst_r = r;
        }
    }
    return worst;
}

/* Largest ring any node can have: maxlen + 1, or the ALP window for compat
 * "unbounded" FIFOs. */
static size_t max_ring(const riac *t)
{
    if (t->compat == COMPAT_TEACHDEEPRL && t->alp_window > t->maxlen + 1)
        return t->alp_window;
    return t->maxlen + 1;
}

/* compat: the FIFO loses its capacity.  Grow the ring if the ALP window can
 * see further back than maxlen + 1 pairs. */
static int fifo_make_unbounded(const riac *t, riac_node *nd)
{
    nd->unbounded = 1;
    const size_t cap = max_ring(t);
    if (cap <= nd->cap)
        return 0;
    riac_node grown = *nd;
    if (fifo_alloc(&grown, cap, t->dims) != 0)
        return -1;
    for (size_t i = 0; i < nd->len; i++) {
        grown.rewards[i] = fifo_reward(nd, i);
        memcpy(grown.tasks + i * t->dims, fifo_task(t, nd, i), t->dims * sizeof(float));
    }
    grown.len = nd->len;
    grown.sums_valid = 0;
    free(nd->rewards);
    *nd = grown;
    return 0;
}

/* ------------------------------------------------------------------ nodes */

static void node_free(riac_node *nd)
{
    free(nd->lo);
    free(nd->rewards);
    memset(nd, 0, sizeof *nd);
}

/* A leaf with a zeroed box and an empty, zeroed FIFO ring of `ring`
 * slots (hist_task zeroed too, so a checkpoint's bytes are defined). */
static int node_alloc(const riac *t, riac_node *nd, size_t ring)
{
    memset(nd, 0, sizeof *nd);
    nd->child[0] = nd->child[1] = -1;
    nd->lo = calloc(3 * t->dims, sizeof(float));
    if (!nd->lo || fifo_alloc(nd, ring, t->dims) != 0) {
        node_free(nd);
        return -1;
    }
    nd->hi = nd->lo + t->dims;
    nd->hist_task = nd->hi + t->dims;
    return 0;
}

/* A leaf with the given box (copied) and an empty FIFO of maxlen + 1. */
static int node_init(const riac *t, riac_node *nd, const float *lo, const float *hi)
{
    if (node_alloc(t, nd, t->maxlen + 1) != 0)
        return -1;
    memcpy(nd->lo, lo, t->dims * sizeof(float));
    memcpy(nd->hi, hi, t->dims * sizeof(float));
    return 0;
}

/* Room for `extra` more nodes in the node array, the traversal scratch and
 * the region index. */
static int reserve_nodes(riac *t, size_t extra)
{
    const size_t need = t->n_nodes + extra;
    if (need <= t->cap_nodes)
        return 0;
    size_t cap = t->cap_nodes ? 2 * t->cap_nodes : 64;
    while (cap < need)
        cap *= 2;
    riac_node *node = realloc(t->node, cap * sizeof *node);
    if (!node)
        return -1;
    t->node = node;
    uint32_t *visit = realloc(t->visit, cap * sizeof *visit);
    if (!visit)
        return -1;
    t->visit = visit;
    uint32_t *stack = realloc(t->stack, cap * sizeof *stack);
    if (!stack)
        return -1;
    t->stack = stack;
    if (index_reserve(&t->index, cap) != 0)
        return -1;
    t->cap_nodes = cap;
    return 0;
}

/* ------------------------------------------------------------------ split */

static int cmp_float(const void *a, const void *b)
{
    const float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Number of entries <= x in the sorted array v[n]. */
static size_t count_at_most(const float *v, size_t n, float x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Uniform float32 in [lo, hi] (Box.sample of the original). */
static float draw_in(tk_rng *rng, float lo, float hi)
{
    float x = (float)tk_rng_range(rng, lo, hi);
    return x > hi ? hi : x;
}

/* Every side of both children of a split of `nd` at (dim, thr) is at least
 * min_dims_range_ratio of the task range. */
static int sides_valid(const riac *t, const riac_node *nd, size_t dim, float thr)
{
    for (size_t j = 0; j < t->dims; j++) {
        const double lo = nd->lo[j], hi = nd->hi[j];
        const double side1 = (j == dim ? (double)thr : hi) - lo;
        const double side2 = hi - (j == dim ? (double)thr : lo);
        if (side1 < t->min_side[j] || side2 < t->min_side[j])
            return 0;
    }
    return 1;
}

typedef struct split_candidate {
    size_t dim;
    float thr;
    double alp[2];
} split_candidate;

/* Split the pairs of `nd` (chronological) at (dim, thr) into t->part[0/1];
 * returns the size of part 0. */
static size_t partition_rewards(riac *t, const riac_node *nd, size_t dim, float thr)
{
    size_t n[2] = {0, 0};
    for (size_t i = 0; i < nd->len; i++) {
        const int side = fifo_task(t, nd, i)[dim] <= thr ? 0 : 1;
        t->part[side][n[side]++] = fifo_reward(nd, i);
    }
    return n[0];
}

/* Create the two children of `id` from the candidate; on success the parent
 * becomes internal. */
static tk_status add_children(riac *t, size_t id, const split_candidate *c)
{
    if (reserve_nodes(t, 2) != 0)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory growing the region tree");
    riac_node *parent = &t->node[id];
    riac_node *kid = &t->node[t->n_nodes];
    for (int k = 0; k < 2; k++) {
        if (node_init(t, &kid[k], parent->lo, parent->hi) != 0) {
            if (k == 1)
                node_free(&kid[0]);
            return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory adding a region");
        }
    }
    kid[0].hi[c->dim] = c->thr;
    kid[1].lo[c->dim] = c->thr;
    for (size_t i = 0; i < parent->len; i++) {
        const float *task = fifo_task(t, parent, i);
        fifo_push(t, &kid[task[c->dim] <= c->thr ? 0 : 1], task, fifo_reward(parent, i));
    }
    const size_t first = t->n_nodes;
    for (int k = 0; k < 2; k++) {
        kid[k].alp = c->alp[k];
        parent->child[k] = (int32_t)(first + (size_t)k);
    }
    parent->split_dim = (uint32_t)c->dim;
    parent->split_thr = c->thr;
    t->n_nodes += 2;
    index_set(&t->index, id, parent->alp, samplable(t, parent));
    for (int k = 0; k < 2; k++)
        index_set(&t->index, first + (size_t)k, kid[k].alp, 1);
    return TK_OK;
}

/* RIAC.split.  The leaf `id` holds maxlen + 1 pairs (more only for a compat
 * unbounded leaf that was full on a shared boundary while another leaf split). */
static tk_status split(riac *t, size_t id)
{
    const riac_node *nd = &t->node[id];
    const size_t n = nd->len, d = t->dims;
    for (size_t j = 0; j < d; j++) {
        float *v = t->sorted + j * n;
        for (size_t i = 0; i < n; i++)
            v[i] = fifo_task(t, nd, i)[j];
        qsort(v, n, sizeof *v, cmp_float);
    }

    split_candidate best = {0, 0.0f, {0.0, 0.0}}, last = best;
    double best_score = 0.0;
    int found = 0;
    for (size_t attempt = 0; attempt < t->nb_split_attempts; attempt++) {
        int populated = 0, valid = 0;
        size_t n1 = 0;
        /* Redraw until both children get min_reg_size pairs (capped). */
        for (int draw = 0; draw < RIAC_POPULATION_DRAWS && !populated; draw++) {
            last.dim = (size_t)tk_rng_below(t->rng, d);
            last.thr = draw_in(t->rng, nd->lo[last.dim], nd->hi[last.dim]);
            n1 = count_at_most(t->sorted + last.dim * n, n, last.thr);
            populated = (double)n1 >= t->minlen && (double)(n - n1) >= t->minlen;
            valid = sides_valid(t, nd, last.dim, last.thr);
        }
        n1 = partition_rewards(t, nd, last.dim, last.thr);
        last.alp[0] = window_alp(t->part[0], n1 ? n1 : 1, 0, n1, n1, t->alp_window);
        last.alp[1] = window_alp(t->part[1], n - n1 ? n - n1 : 1, 0, n - n1, n - n1,
                                 t->alp_window);
        const double gap = fabs(last.alp[0] - last.alp[1]);
        /* Bug of RIAC.split: the original multiplies the lengths of two
         * 2-element containers, so its score is 4 * |a1 - a2|. */
        const double score =
            t->compat == COMPAT_TEACHDEEPRL ? 4.0 * gap : (double)n1 * (double)(n - n1) * gap;
        if (populated && valid && score >= best_score) {
            found = 1;
            best_score = score;
            best = last;
        }
    }

    if (found) {
        /* Bug of RIAC.split: the original gives the children the ALPs of the
         * last attempt, not of the chosen one. */
        if (t->compat == COMPAT_TEACHDEEPRL) {
            best.alp[0] = last.alp[0];
            best.alp[1] = last.alp[1];
        }
        return add_children(t, id, &best);
    }

    /* No valid candidate: forget the oldest floor(maxlen * discard_ratio). */
    riac_node *leaf = &t->node[id];
    size_t drop = (size_t)((double)t->maxlen * t->discard_ratio);
    if (drop > leaf->len)
        drop = leaf->len;
    leaf->head = slot(leaf, drop);
    leaf->len -= drop;
    leaf->size -= drop;
    leaf->sums_valid = 0;
    /* Bug of RIAC.split: the original rebuilds this FIFO without capacity. */
    if (t->compat == COMPAT_TEACHDEEPRL && !leaf->unbounded && fifo_make_unbounded(t, leaf) != 0)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    return TK_OK;
}

/* ------------------------------------------------------------------ update */

/* The regions containing `task`, in depth-first order (child 0 first), into
 * t->visit; returns their number.  A child is entered when its box contains
 * the task (inclusive, as the original's Box.contains); as the task lies in the parent, only the
 * split coordinate needs a test, so the walk never reads the children's
 * boxes. */
static size_t collect_path(riac *t, const float *task)
{
    size_t n_visit = 0, top = 0;
    t->stack[top++] = 0;
    while (top > 0) {
        const uint32_t id = t->stack[--top];
        const riac_node *nd = &t->node[id];
        t->visit[n_visit++] = id;
        if (is_leaf(nd))
            continue;
        const float x = task[nd->split_dim];
        if (x >= nd->split_thr)
            t->stack[top++] = (uint32_t)nd->child[1];
        if (x <= nd->split_thr)
            t->stack[top++] = (uint32_t)nd->child[0];
    }
    return n_visit;
}

static tk_status check_task(const riac *t, const float *task)
{
    const riac_node *root = &t->node[0];
    for (size_t j = 0; j < t->dims; j++) {
        if (!isfinite(task[j]))
            return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "task[%zu] is not finite", j);
        if (task[j] < root->lo[j] || task[j] > root->hi[j])
            return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                                  "task[%zu] = %g is outside the task space [%g, %g]", j,
                                  (double)task[j], (double)root->lo[j], (double)root->hi[j]);
    }
    return TK_OK;
}

/* RIAC.update. */
static tk_status riac_update(void *self, const float *task, double episode_return, int success)
{
    (void)success;
    riac *t = self;
    tk_status st = check_task(t, task);
    if (st != TK_OK)
        return st;
    if (!isfinite(episode_return))
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "episode return is not finite");

    /* Copy-all mode: every region containing the task stores the pair.  A
     * task on a shared boundary enters several leaves; only the first full
     * one (depth-first) is split, where the original would assert. */
    const size_t n_visit = collect_path(t, task);
    size_t to_split = SIZE_MAX;
    for (size_t v = 0; v < n_visit; v++) {
        riac_node *nd = &t->node[t->visit[v]];
        fifo_push(t, nd, task, episode_return);
        if (to_split == SIZE_MAX && is_leaf(nd) && nd->size > t->maxlen)
            to_split = t->visit[v];
    }
    if (to_split != SIZE_MAX && (st = split(t, to_split)) != TK_OK)
        return st;

    /* New children are not on the path: they keep the ALPs set by split. */
    for (size_t v = 0; v < n_visit; v++) {
        riac_node *nd = &t->node[t->visit[v]];
        nd->alp = fifo_alp(t, nd);
        index_set(&t->index, t->visit[v], nd->alp, samplable(t, nd));
    }
    return TK_OK;
}

/* ------------------------------------------------------------------ sample */

static void uniform_in(riac *t, const riac_node *nd, float *task_out)
{
    for (size_t j = 0; j < t->dims; j++)
        task_out[j] = draw_in(t->rng, nd->lo[j], nd->hi[j]);
}

/* Gaussian mutation of `task` clipped to the region shrunk by the clip
 * margin.  A side narrower than twice the margin (e.g. a degenerate
 * dimension) clips to its middle: the original would leave the box there. */
static void mutate_in(riac *t, const riac_node *nd, const float *task, float *task_out)
{
    for (size_t j = 0; j < t->dims; j++) {
        double lo = (double)nd->lo[j] + RIAC_CLIP_MARGIN;
        double hi = (double)nd->hi[j] - RIAC_CLIP_MARGIN;
        if (lo > hi)
            lo = hi = 0.5 * ((double)nd->lo[j] + (double)nd->hi[j]);
        const double x = (double)task[j] + RIAC_MUTATION_STD * tk_rng_normal(t->rng);
        float f = (float)fmin(fmax(x, lo), hi);
        f = f < nd->lo[j] ? nd->lo[j] : f;
        task_out[j] = f > nd->hi[j] ? nd->hi[j] : f;
    }
}

/* RIAC.sample_task. */
static tk_status riac_sample(void *self, float *task_out)
{
    riac *t = self;
    const double u = tk_rng_uniform(t->rng);
    if (u < RIAC_P_MUTATE) {
        if (t->n_sampled == 0) {
            uniform_in(t, &t->node[0], task_out);
        } else {
            const riac_node *nd = &t->node[index_pick(&t->index, t->rng)];
            const float *worst = fifo_worst(t, nd);
            if (worst)
                mutate_in(t, nd, worst, task_out);
            else
                uniform_in(t, nd, task_out);
        }
    } else if (u < RIAC_P_RANDOM_CUM) {
        /* Bug of RIAC.sample_task: with sampling_in_leaves_only the original's
         * region 0 is the first leaf in creation order, not the root. */
        size_t id = 0;
        if (t->compat == COMPAT_TEACHDEEPRL && t->leaves_only)
            id = index_kth(&t->index, 0);
        uniform_in(t, &t->node[id], task_out);
    } else {
        uniform_in(t, &t->node[index_pick(&t->index, t->rng)], task_out);
    }
    t->n_sampled++;
    return TK_OK;
}

/* ---------------------------------------------------------------- snapshot */

/* The "regions" snapshot (<teachkit/snapshot.h>): every region in creation
 * order (the root first), with its number of stored pairs as "size". */
static tk_status riac_snapshot(void *self, const char **json_out)
{
    riac *t = self;
    *json_out = NULL;
    json_t *snap = tk_snapshot_regions();
    for (size_t i = 0; snap && i < t->n_nodes; i++) {
        const riac_node *nd = &t->node[i];
        json_t *r = tk_snapshot_regions_add(snap, tk_snapshot_floats(nd->lo, t->dims),
                                            tk_snapshot_floats(nd->hi, t->dims), nd->alp,
                                            is_leaf(nd));
        if (!r || json_object_set_new(r, "size", json_integer((json_int_t)nd->size))) {
            json_decref(snap);
            snap = NULL;
        }
    }
    char *text = tk_snapshot_dump(snap);
    if (!text)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    free(t->snapshot);
    t->snapshot = text;
    *json_out = text;
    return TK_OK;
}

/* ------------------------------------------------------------ life cycle */

/* Free the region tree: nodes, region index and traversal scratch. */
static void tree_free(riac *t)
{
    for (size_t i = 0; i < t->n_nodes; i++)
        node_free(&t->node[i]);
    free(t->node);
    index_free(&t->index);
    free(t->visit);
    free(t->stack);
    t->node = NULL;
    t->visit = t->stack = NULL;
    t->n_nodes = t->cap_nodes = 0;
}

static void riac_destroy(void *self)
{
    riac *t = self;
    if (!t)
        return;
    tree_free(t);
    tk_state_writer_free(&t->saved);
    free(t->sorted);
    free(t->part[0]);
    free(t->part[1]);
    free(t->min_side);
    free(t->snapshot);
    free(t);
}

static tk_status read_config(riac *t, tk_config *cfg, double *ratio)
{
    static const char *const compat_modes[] = {"none", "teachDeepRL", NULL};
    int64_t maxlen = 0, window = 0, attempts = 0;
    tk_status st;
    if ((st = tk_config_int(cfg, "max_region_size", 2, RIAC_MAX_REGION_SIZE, &maxlen)) != TK_OK)
        return st;
    window = maxlen;
    /* >= 2: a window of 1 would average an empty half (NaN in the original). */
    if (tk_config_has(cfg, "alp_window_size") &&
        (st = tk_config_int(cfg, "alp_window_size", 2, RIAC_MAX_REGION_SIZE, &window)) != TK_OK)
        return st;
    if ((st = tk_config_int(cfg, "nb_split_attempts", 1, RIAC_MAX_SPLIT_ATTEMPTS, &attempts)) !=
            TK_OK ||
        (st = tk_config_bool(cfg, "sampling_in_leaves_only", &t->leaves_only)) != TK_OK)
        return st;
    t->minlen = (double)maxlen / 20.0;
    if (tk_config_has(cfg, "min_reg_size") &&
        (st = tk_config_double(cfg, "min_reg_size", 0.0, (double)maxlen, &t->minlen)) != TK_OK)
        return st;
    if ((st = tk_config_double(cfg, "min_dims_range_ratio", 0.0, 1.0, ratio)) != TK_OK ||
        (st = tk_config_double(cfg, "discard_ratio", 0.0, 1.0, &t->discard_ratio)) != TK_OK ||
        (st = tk_config_choice(cfg, "compat", compat_modes, &t->compat)) != TK_OK)
        return st;
    t->maxlen = (size_t)maxlen;
    t->alp_window = (size_t)window;
    t->nb_split_attempts = (size_t)attempts;
    return TK_OK;
}

static tk_status riac_init(riac *t, const tk_task_space *space, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(t->host, t->ctx, config_json, &cfg);
    if (st != TK_OK)
        return st;
    double ratio = 0.0;
    st = read_config(t, cfg, &ratio);
    tk_config_free(cfg);
    if (st != TK_OK)
        return st;

    /* split() works on one leaf's stored pairs: at most max_ring(t). */
    const size_t d = t->dims, n = max_ring(t);
    t->min_side = malloc(d * sizeof *t->min_side);
    t->sorted = malloc(d * n * sizeof *t->sorted);
    t->part[0] = malloc(n * sizeof(double));
    t->part[1] = malloc(n * sizeof(double));
    float *box = malloc(2 * d * sizeof *box);
    int bad = !t->min_side || !t->sorted || !t->part[0] || !t->part[1] || !box ||
              reserve_nodes(t, 1) != 0;
    if (!bad) {
        for (size_t j = 0; j < d; j++) {
            t->min_side[j] = (space->dim[j].high - space->dim[j].low) * ratio;
            box[j] = (float)space->dim[j].low;
            box[d + j] = (float)space->dim[j].high;
        }
        bad = node_init(t, &t->node[0], box, box + d) != 0;
    }
    free(box);
    if (bad)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    t->n_nodes = 1;
    index_set(&t->index, 0, 0.0, 1);
    return TK_OK;
}

static tk_status riac_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                             const char *config_json, void **out)
{
    *out = NULL;
    tk_status st = tk_task_space_check(host, ctx, space);
    if (st != TK_OK)
        return st;
    riac *t = calloc(1, sizeof *t);
    if (!t)
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    t->host = host;
    t->ctx = ctx;
    t->rng = host->rng(ctx);
    t->dims = space->dims;
    tk_state_writer_init(&t->saved);
    if ((st = riac_init(t, space, config_json)) != TK_OK) {
        riac_destroy(t);
        return st;
    }
    *out = t;
    return TK_OK;
}

/* -------------------------------------------------------------- checkpoint */

/* Checkpoint record (riac_save): a header with the settings the layout
 * depends on, then every region in creation order with its box, cut, ALP,
 * FIFO and running sums.  The rings are stored whole (all `cap` slots as
 * they lie in memory, with head and len) rather than as their `len` pairs,
 * which is what they occupy in memory anyway: in compat mode a FIFO that
 * lost its capacity can be logically longer than its stored pairs, and if
 * a discard then leaves fewer pairs than the ALP window, fifo_alp reads
 * ring slots outside them; the physical layout resumes even that bit for
 * bit.  The region index is not stored: each of its internal sums is
 * recomputed from its two children whenever a weight changes, so it is a
 * function of the weights (samplable ? ALP : 0), rebuilt exactly from them. */
#define RIAC_STATE_TAG "RIAC"
#define RIAC_STATE_VERSION 1u

enum { NODE_UNBOUNDED = 1, NODE_HAS_HIST = 2, NODE_SUMS_VALID = 4 };

static void put_node(tk_state_writer *w, const riac *t, const riac_node *nd)
{
    const size_t d = t->dims;
    /* Children as id + 1, 0 for a leaf. */
    tk_state_put_u64(w, (uint64_t)(nd->child[0] + 1));
    tk_state_put_u64(w, (uint64_t)(nd->child[1] + 1));
    tk_state_put_u64(w, nd->split_dim);
    tk_state_put_f32s(w, &nd->split_thr, 1);
    tk_state_put_f64(w, nd->alp);
    tk_state_put_u64(w, nd->cap);
    tk_state_put_u64(w, nd->head);
    tk_state_put_u64(w, nd->len);
    tk_state_put_u64(w, nd->size);
    tk_state_put_u64(w, (nd->unbounded ? NODE_UNBOUNDED : 0) | (nd->has_hist ? NODE_HAS_HIST : 0) |
                            (nd->sums_valid ? NODE_SUMS_VALID : 0));
    tk_state_put_u64(w, nd->sums_age);
    tk_state_put_f64(w, nd->hist_reward);
    tk_state_put_f64(w, nd->older_sum);
    tk_state_put_f64(w, nd->recent_sum);
    tk_state_put_f32s(w, nd->lo, 3 * d); /* lo, hi, hist_task: one block */
    tk_state_put_f64s(w, nd->rewards, nd->cap);
    tk_state_put_f32s(w, nd->tasks, nd->cap * d);
}

static tk_status riac_save(void *self, const void **data, size_t *size)
{
    riac *t = self;
    tk_state_writer *w = &t->saved;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, RIAC_STATE_TAG, RIAC_STATE_VERSION);
    tk_state_put_u64(w, t->dims);
    tk_state_put_u64(w, t->maxlen);
    tk_state_put_u64(w, t->alp_window);
    tk_state_put_u64(w, (uint64_t)t->compat);
    tk_state_put_u64(w, (uint64_t)t->leaves_only);
    tk_state_put_u64(w, t->n_sampled);
    tk_state_put_u64(w, t->n_nodes);
    for (size_t i = 0; i < t->n_nodes; i++)
        put_node(w, t, &t->node[i]);
    if (w->failed)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

static int all_finite_f(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

static int all_finite_d(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* Bytes of the smallest node record: bounds the node count of a
 * checkpoint by its size before anything is allocated. */
static size_t min_node_bytes(const riac *t)
{
    const size_t ring = (t->maxlen + 1) * (sizeof(double) + t->dims * sizeof(float));
    return 9 * sizeof(uint64_t) + sizeof(float) + 4 * sizeof(double) +
           3 * t->dims * sizeof(float) + ring;
}

/* Read node `id` of `n` into `nd` (allocated here).  Returns 0, or -1 on
 * bad data (the reader is then failed) or on allocation failure.
 * `parents` counts the references to every id. */
static int get_node(tk_state_reader *r, const riac *t, riac_node *nd, size_t id, size_t n,
                    uint8_t *parents)
{
    const size_t d = t->dims;
    memset(nd, 0, sizeof *nd); /* node_free()-able whatever happens */
    const uint64_t c0 = tk_state_get_u64(r), c1 = tk_state_get_u64(r);
    const uint64_t split_dim = tk_state_get_u64(r);
    float thr = 0.0f;
    tk_state_get_f32s(r, &thr, 1);
    const double alp = tk_state_get_f64(r);
    const uint64_t cap = tk_state_get_u64(r), head = tk_state_get_u64(r);
    const uint64_t len = tk_state_get_u64(r), size = tk_state_get_u64(r);
    const uint64_t flags = tk_state_get_u64(r), sums_age = tk_state_get_u64(r);
    const int unbounded = (flags & NODE_UNBOUNDED) != 0;
    /* The shapes the running code can produce: a leaf, or an internal node
     * whose two children were created together after it; rings of maxlen
     * + 1 slots, or max_ring() for compat FIFOs that lost their capacity;
     * a bounded FIFO holds exactly its logical length. */
    const int leaf = c0 == 0 && c1 == 0;
    int ok = !r->failed && flags <= 7 && (leaf || (c0 > id + 1 && c1 == c0 + 1 && c1 <= n &&
                                                   split_dim < d && isfinite(thr))) &&
             isfinite(alp) && alp >= 0.0 &&
             (cap == t->maxlen + 1 || (unbounded && cap == max_ring(t))) &&
             (!unbounded || t->compat == COMPAT_TEACHDEEPRL) && head < cap && len <= cap &&
             size >= len && (unbounded || size == len);
    if (!ok) {
        r->failed = 1;
        return -1;
    }
    if (!leaf) {
        parents[c0 - 1]++;
        parents[c1 - 1]++;
    }
    if (node_alloc(t, nd, (size_t)cap) != 0)
        return -1;
    if (!leaf) {
        nd->child[0] = (int32_t)(c0 - 1);
        nd->child[1] = (int32_t)(c1 - 1);
        nd->split_dim = (uint32_t)split_dim;
        nd->split_thr = thr;
    }
    nd->alp = alp;
    nd->head = (size_t)head;
    nd->len = (size_t)len;
    nd->size = size;
    nd->unbounded = unbounded;
    nd->has_hist = (flags & NODE_HAS_HIST) != 0;
    nd->sums_valid = (flags & NODE_SUMS_VALID) != 0;
    nd->sums_age = (size_t)sums_age;
    nd->hist_reward = tk_state_get_f64(r);
    nd->older_sum = tk_state_get_f64(r);
    nd->recent_sum = tk_state_get_f64(r);
    tk_state_get_f32s(r, nd->lo, 3 * d);
    tk_state_get_f64s(r, nd->rewards, nd->cap);
    tk_state_get_f32s(r, nd->tasks, nd->cap * d);
    for (size_t j = 0; j < d && ok; j++)
        ok = nd->lo[j] <= nd->hi[j];
    ok = ok && isfinite(nd->hist_reward) && isfinite(nd->older_sum) &&
         isfinite(nd->recent_sum) && all_finite_f(nd->lo, 3 * d) &&
         all_finite_d(nd->rewards, nd->cap) && all_finite_f(nd->tasks, nd->cap * d);
    if (!ok)
        r->failed = 1;
    return ok ? 0 : -1;
}

/* Read every node into `tmp` (a copy of the instance whose tree starts
 * empty).  TK_OK, TK_ERR_INVALID or TK_ERR_NOMEM. */
static tk_status get_tree(tk_state_reader *r, const riac *t, riac *tmp)
{
    const size_t left = r->size - r->pos;
    const uint64_t n = tk_state_get_count(r, left / min_node_bytes(t));
    /* Splits add nodes in pairs to the root. */
    if (r->failed || n % 2 == 0) {
        r->failed = 1;
        return TK_ERR_INVALID;
    }
    uint8_t *parents = calloc((size_t)n, 1);
    if (!parents || reserve_nodes(tmp, (size_t)n) != 0) {
        free(parents);
        return TK_ERR_NOMEM;
    }
    tk_status st = TK_OK;
    for (size_t i = 0; i < n && st == TK_OK; i++) {
        tmp->n_nodes = i + 1; /* so that tree_free() frees a half-read node */
        if (get_node(r, t, &tmp->node[i], i, (size_t)n, parents) != 0)
            st = r->failed ? TK_ERR_INVALID : TK_ERR_NOMEM;
    }
    /* A tree: every region but the root is the child of exactly one; with
     * children created after their parent this rules out cycles, so a walk
     * visits each region at most once and the scratch stacks suffice. */
    for (size_t i = 0; i < n && st == TK_OK; i++)
        if (parents[i] != (i == 0 ? 0 : 1))
            st = TK_ERR_INVALID;
    free(parents);
    /* The root is the task space the instance was created on. */
    if (st == TK_OK && (memcmp(tmp->node[0].lo, t->node[0].lo, t->dims * sizeof(float)) != 0 ||
                        memcmp(tmp->node[0].hi, t->node[0].hi, t->dims * sizeof(float)) != 0))
        st = TK_ERR_INVALID;
    return st;
}

static tk_status riac_load(void *self, const void *data, size_t size)
{
    riac *t = self;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, RIAC_STATE_TAG, RIAC_STATE_VERSION);
    const uint64_t dims = tk_state_get_u64(&r), maxlen = tk_state_get_u64(&r);
    const uint64_t window = tk_state_get_u64(&r), compat = tk_state_get_u64(&r);
    const uint64_t leaves_only = tk_state_get_u64(&r);
    const uint64_t n_sampled = tk_state_get_u64(&r);
    if (r.failed || dims != t->dims || maxlen != t->maxlen || window != t->alp_window ||
        compat != (uint64_t)t->compat || leaves_only != (uint64_t)t->leaves_only)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is not a riac state for this task space and "
                              "config (corrupt, truncated or from another plugin)");
    /* Build the new tree aside; the instance changes only on success. */
    riac tmp = *t;
    tmp.node = NULL;
    tmp.visit = tmp.stack = NULL;
    tmp.n_nodes = tmp.cap_nodes = 0;
    memset(&tmp.index, 0, sizeof tmp.index);
    tk_status st = get_tree(&r, t, &tmp);
    if (st == TK_OK && r.pos != r.size)
        st = TK_ERR_INVALID;
    if (st != TK_OK) {
        tree_free(&tmp);
        return st == TK_ERR_NOMEM
                   ? t->host->error(t->ctx, st, NULL, "out of memory loading the state")
                   : t->host->error(t->ctx, st, NULL,
                                    "checkpoint data is corrupt or truncated (riac state)");
    }
    for (size_t i = 0; i < tmp.n_nodes; i++)
        index_set(&tmp.index, i, tmp.node[i].alp, samplable(&tmp, &tmp.node[i]));
    tree_free(t);
    t->node = tmp.node;
    t->n_nodes = tmp.n_nodes;
    t->cap_nodes = tmp.cap_nodes;
    t->index = tmp.index;
    t->visit = tmp.visit;
    t->stack = tmp.stack;
    t->n_sampled = n_sampled;
    return TK_OK;
}

static const tk_teacher_vtable riac_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = riac_create,
    .destroy = riac_destroy,
    .sample = riac_sample,
    .update = riac_update,
    .step_update = NULL,
    .episode_start = NULL,
    .snapshot = riac_snapshot,
    .save = riac_save,
    .load = riac_load,
    .get_extension = NULL,
};

static const tk_descriptor riac_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "riac",
    .name = "RIAC",
    .version = "1.0.0",
    .description = "SAGG-RIAC: splits the task space into regions, samples by learning progress",
    .default_config = "{\"max_region_size\": 200, \"alp_window_size\": null, "
                      "\"nb_split_attempts\": 50, \"sampling_in_leaves_only\": false, "
                      "\"min_reg_size\": null, \"min_dims_range_ratio\": 0.06666666666666667, "
                      "\"discard_ratio\": 0.25, \"compat\": \"none\"}",
    .features = NULL,
    .vtable = &riac_vtable,
};

static const tk_descriptor *const riac_descriptors[] = {&riac_descriptor};

TK_PLUGIN_DESCRIPTORS(riac_descriptors);
