/*
 * ALP computer of ALP-GMM (teachDeepRL teachDRL/teachers/algos/alp_gmm.py,
 * EmpiricalALPComputer, storing its pairs in the BufferedDataset of
 * teachDRL/teachers/utils/dataset.py).
 *
 * Semantics follow the original exactly: lp = reward - reward of the nearest
 * stored task (exact Euclidean search over main + buffer, the oldest pair
 * wins on equal distances), 0 while 5 or fewer pairs are stored; a full
 * buffer is flushed into main when the next pair arrives, and with
 * max_size > 0 the oldest main pairs are dropped at that moment only, down
 * to max_size (the buffer is not counted).
 *
 * Search structure.  Deliberate deviation from the original, which rebuilds
 * one kd-tree over all of main at every flush and one over the buffer at
 * every insertion (O(n log n) per flush, too slow for 10^6 episodes):
 *
 *  - The newest pairs, at most SCAN_MAX of them, are scanned linearly.
 *    This is independent of buffer_size: the original's buffer only decides
 *    when the window is trimmed, so a large buffer_size costs nothing.
 *  - Older pairs are covered by a chronological list of static kd-trees
 *    ("segments") over contiguous id ranges.  Indexed blocks are merged like
 *    a binary counter (the logarithmic method of Bentley and Saxe, 1980): a
 *    new block absorbs the newest trees while they are no larger than it has
 *    become, and one tree is built over the union.  Each pair is rebuilt
 *    O(log n) times and O(log n) trees are queried.
 *  - Trimming (max_size > 0) drops expired trees whole.  The tree the cut
 *    falls into is rebuilt over its retained part as "front" pieces of
 *    buffer_size, 2 buffer_size, 4 buffer_size, ... pairs from the cut on,
 *    and front pieces are never merged again.  Once the window is full the
 *    cut advances by exactly buffer_size per flush, so it then lands on
 *    piece boundaries and mostly drops whole pieces; a pair is re-split
 *    O(log) times on its way out.  We chose this over rebuilding one tree
 *    over the window at every flush, which is simpler but costs
 *    O(max_size log max_size) per flush, i.e. quadratic when max_size is
 *    large (TMA passes alp_max_size in millions).
 *
 * Ids are insertion indices (0, 1, 2, ...), so "smallest id" is "oldest",
 * and the kd-trees apply the same tie rule.  Memory is linear: the history
 * rows (tasks as doubles, rewards) of the stored pairs plus one copy of the
 * indexed ones inside the trees; expired rows are compacted away once they
 * outnumber the stored ones.
 */
#include "teachkit/alp_computer.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/kdtree.h"

/* EmpiricalALPComputer.compute_alp: the nearest neighbour is searched only when more than
 * this many pairs are stored. */
enum { MIN_PAIRS_FOR_ALP = 5 };

/* Newest pairs left to the linear scan: about the cost of one tree query. */
enum { SCAN_MAX = 64 };

/* Bound on the front pieces one range can be cut into (sizes double from
 * at least 1, so fewer than the bits of size_t, plus the remainder). */
enum { MAX_PIECES = 66 };

/* One kd-tree over the stored pairs with ids [lo, hi). */
struct segment {
    size_t lo, hi;
    tk_kdtree *tree; /* owned by the computer */
    bool front;      /* piece cut from a trimmed tree: never merged again */
};

struct tk_alp_computer {
    size_t dim, buffer_size, max_size;
    /* History rows for ids [base, next_id).  Stored pairs are [cut,
     * next_id): main [cut, flushed), buffer [flushed, next_id).  Rows
     * [base, cut) are expired, awaiting compaction. */
    double *tasks;   /* capacity x dim; owned */
    double *rewards; /* capacity; owned */
    size_t capacity;
    size_t base, cut, flushed, next_id;
    /* Trees cover exactly [cut, indexed), chronologically and contiguously;
     * [indexed, next_id) is scanned linearly. */
    size_t indexed;
    struct segment *segs; /* owned, as are the trees */
    size_t nsegs;
};

/* A replacement segment list.  Nothing of the computer changes until every
 * tree is built, so an OOM leaves it intact. */
struct update_plan {
    struct segment *segs;
    size_t n;
    size_t reuse_lo, reuse_hi; /* old segments [reuse_lo, reuse_hi) are kept... */
    size_t reuse_at;           /* ...as segs[reuse_at ...], in the same order */
    size_t cut, indexed;
};

/* Same formula (and summation order) as the kd-tree's, so the scan and the
 * trees agree bit for bit on distances and ties. */
static double task_d2(const double *a, const double *b, size_t dim)
{
    double s = 0.0;
    for (size_t j = 0; j < dim; j++) {
        const double d = a[j] - b[j];
        s += d * d;
    }
    return s;
}

static const double *task_row(const tk_alp_computer *alp, size_t id)
{
    return alp->tasks + (id - alp->base) * alp->dim;
}

tk_alp_computer *tk_alp_computer_new(size_t dim, size_t buffer_size, size_t max_size)
{
    if (dim == 0 || buffer_size == 0)
        return NULL;
    tk_alp_computer *alp = calloc(1, sizeof *alp);
    if (!alp)
        return NULL;
    alp->dim = dim;
    alp->buffer_size = buffer_size;
    alp->max_size = max_size;
    return alp;
}

static void free_segments(struct segment *segs, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++)
        tk_kdtree_free(segs[i].tree);
}

void tk_alp_computer_free(tk_alp_computer *alp)
{
    if (!alp)
        return;
    free_segments(alp->segs, 0, alp->nsegs);
    free(alp->segs);
    free(alp->tasks);
    free(alp->rewards);
    free(alp);
}

size_t tk_alp_computer_size(const tk_alp_computer *alp)
{
    return alp->next_id - alp->cut;
}

/* Id of the nearest stored task, smallest id among equal distances.  The
 * scanned pairs are the newest, then tk_kdtree_nearest applies the same tie
 * rule across trees, so the search order only affects speed: scanning first
 * gives the trees a bound to prune with. */
static size_t nearest(const tk_alp_computer *alp, const double *task)
{
    size_t best_id = SIZE_MAX;
    double best_d2 = INFINITY;
    for (size_t id = alp->indexed; id < alp->next_id; id++) {
        const double d2 = task_d2(task, task_row(alp, id), alp->dim);
        if (d2 < best_d2 || (d2 == best_d2 && id < best_id)) {
            best_d2 = d2;
            best_id = id;
        }
    }
    for (size_t i = 0; i < alp->nsegs; i++)
        tk_kdtree_nearest(alp->segs[i].tree, task, &best_id, &best_d2);
    /* Only NaN coordinates leave nothing comparable: fall back to the
     * oldest pair, as if every distance were equal. */
    return best_id == SIZE_MAX ? alp->cut : best_id;
}

static int ensure_capacity(tk_alp_computer *alp, size_t rows)
{
    if (rows <= alp->capacity)
        return 0;
    size_t cap = alp->capacity ? alp->capacity : 64;
    while (cap < rows)
        cap = cap > SIZE_MAX / 2 ? rows : cap * 2;
    if (cap > SIZE_MAX / sizeof(double) / alp->dim)
        return -1;
    double *tasks = realloc(alp->tasks, cap * alp->dim * sizeof *tasks);
    if (!tasks)
        return -1;
    alp->tasks = tasks;
    double *rewards = realloc(alp->rewards, cap * sizeof *rewards);
    if (!rewards)
        return -1; /* tasks merely got bigger; capacity still tells the truth */
    alp->rewards = rewards;
    alp->capacity = cap;
    return 0;
}

/* Drop expired rows once they outnumber the stored ones: amortised O(1) per
 * pair, and the history stays within twice the stored pairs. */
static void compact(tk_alp_computer *alp)
{
    const size_t dead = alp->cut - alp->base, live = alp->next_id - alp->cut;
    if (dead == 0 || dead <= live)
        return;
    memmove(alp->tasks, alp->tasks + dead * alp->dim, live * alp->dim * sizeof *alp->tasks);
    memmove(alp->rewards, alp->rewards + dead, live * sizeof *alp->rewards);
    alp->base = alp->cut;
}

/* Oldest id kept by a flush that makes main end at `flushed` (BufferedDataset.add_xy:
 * trim only at flushes, down to max_size, the buffer not counted). */
static size_t cut_after_flush(const tk_alp_computer *alp, size_t flushed)
{
    if (alp->max_size == 0 || flushed - alp->cut <= alp->max_size)
        return alp->cut;
    return flushed - alp->max_size;
}

/* Append front pieces over [lo, hi) of buffer_size, 2 buffer_size, ...
 * pairs (the last one takes the remainder).  Returns how many. */
static size_t add_front_pieces(struct segment *out, size_t lo, size_t hi, size_t unit)
{
    size_t n = 0, len = unit;
    while (lo < hi) {
        const size_t take = hi - lo < len ? hi - lo : len;
        out[n++] = (struct segment){.lo = lo, .hi = lo + take, .tree = NULL, .front = true};
        lo += take;
        len = len > SIZE_MAX / 2 ? len : len * 2;
    }
    return n;
}

/* Start of the binary-counter merge when [alp->indexed, indexed) becomes a
 * block: it absorbs the newest non-front trees while they are no larger
 * than it has grown.  *keep receives how many old segments stay. */
static size_t merge_start(const tk_alp_computer *alp, size_t indexed, size_t *keep)
{
    const struct segment *old = alp->segs;
    size_t k = alp->nsegs, lo = alp->indexed;
    if (indexed > lo)
        while (k > 0 && !old[k - 1].front && old[k - 1].hi - old[k - 1].lo <= indexed - lo)
            lo = old[--k].lo;
    *keep = k;
    return lo;
}

/* Plan the segments for trees covering [cut, indexed): old ones kept when
 * possible, trees still to build left NULL. */
static int plan_update(const tk_alp_computer *alp, size_t cut, size_t indexed,
                       struct update_plan *p)
{
    const struct segment *old = alp->segs;
    size_t keep;
    const size_t merge_lo = merge_start(alp, indexed, &keep);
    size_t first = 0;
    while (first < keep && old[first].hi <= cut)
        first++;
    /* At most one range straddles the cut. */
    p->segs = malloc((keep - first + 1 + MAX_PIECES) * sizeof *p->segs);
    if (!p->segs)
        return -1;
    p->n = 0;
    if (first < keep && old[first].lo < cut)
        p->n += add_front_pieces(p->segs, cut, old[first++].hi, alp->buffer_size);
    p->reuse_lo = first;
    p->reuse_hi = keep;
    p->reuse_at = p->n;
    for (size_t i = first; i < keep; i++)
        p->segs[p->n++] = old[i];
    if (merge_lo < cut)
        p->n += add_front_pieces(p->segs + p->n, cut, indexed, alp->buffer_size);
    else if (merge_lo < indexed)
        p->segs[p->n++] = (struct segment){.lo = merge_lo, .hi = indexed, .front = false};
    p->cut = cut;
    p->indexed = indexed > cut ? indexed : cut;
    return 0;
}

static tk_kdtree *build_tree(const tk_alp_computer *alp, size_t lo, size_t hi)
{
    size_t *ids = malloc((hi - lo) * sizeof *ids);
    if (!ids)
        return NULL;
    for (size_t i = 0; i < hi - lo; i++)
        ids[i] = lo + i;
    tk_kdtree *t = tk_kdtree_build(task_row(alp, lo), ids, hi - lo, alp->dim);
    free(ids);
    return t;
}

static bool plan_reuses(const struct update_plan *p, size_t i)
{
    return i >= p->reuse_at && i - p->reuse_at < p->reuse_hi - p->reuse_lo;
}

/* Build the plan's missing trees; on failure free those built here. */
static int build_plan(const tk_alp_computer *alp, struct update_plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        if (plan_reuses(p, i))
            continue;
        p->segs[i].tree = build_tree(alp, p->segs[i].lo, p->segs[i].hi);
        if (p->segs[i].tree)
            continue;
        for (size_t j = 0; j < i; j++)
            if (!plan_reuses(p, j))
                tk_kdtree_free(p->segs[j].tree);
        return -1;
    }
    return 0;
}

/* Trim the stored pairs to [cut, next_id) and index [cut, indexed) in
 * trees.  Transactional: -1 on OOM with nothing changed. */
static int update_segments(tk_alp_computer *alp, size_t cut, size_t indexed)
{
    struct update_plan p;
    if (plan_update(alp, cut, indexed, &p))
        return -1;
    if (build_plan(alp, &p)) {
        free(p.segs);
        return -1;
    }
    free_segments(alp->segs, 0, p.reuse_lo);
    free_segments(alp->segs, p.reuse_hi, alp->nsegs);
    free(alp->segs);
    alp->segs = p.segs;
    alp->nsegs = p.n;
    alp->cut = p.cut;
    alp->indexed = p.indexed;
    compact(alp);
    return 0;
}

/* BufferedDataset.add_xy: a pair arriving on a full buffer flushes it
 * into main first, and only then may main be trimmed. */
static int store(tk_alp_computer *alp, const double *task, double reward)
{
    if (ensure_capacity(alp, alp->next_id - alp->base + 1))
        return -1;
    const bool flush = alp->next_id - alp->flushed == alp->buffer_size;
    const size_t cut = flush ? cut_after_flush(alp, alp->next_id) : alp->cut;
    const size_t indexed = alp->next_id - alp->indexed >= SCAN_MAX ? alp->next_id : alp->indexed;
    if ((cut != alp->cut || indexed != alp->indexed) && update_segments(alp, cut, indexed))
        return -1;
    if (flush)
        alp->flushed = alp->next_id;
    const size_t row = alp->next_id - alp->base;
    memcpy(alp->tasks + row * alp->dim, task, alp->dim * sizeof *task);
    alp->rewards[row] = reward;
    alp->next_id++;
    return 0;
}

int tk_alp_computer_compute(tk_alp_computer *alp, const double *task, double reward,
                            double *alp_out, double *lp_out)
{
    double lp = 0.0;
    if (tk_alp_computer_size(alp) > MIN_PAIRS_FOR_ALP)
        lp = reward - alp->rewards[nearest(alp, task) - alp->base];
    if (store(alp, task, reward))
        return -1;
    if (alp_out)
        *alp_out = fabs(lp);
    if (lp_out)
        *lp_out = lp;
    return 0;
}

/* ---------------------------------------------------------------- checkpoint */

/* A record of its own inside the owner's: misplaced bytes fail at the tag. */
#define ALPC_STATE_TAG "ALPC"
#define ALPC_STATE_VERSION 1u

void tk_alp_computer_save(const tk_alp_computer *alp, tk_state_writer *w)
{
    const size_t n = tk_alp_computer_size(alp);
    tk_state_put_tag(w, ALPC_STATE_TAG, ALPC_STATE_VERSION);
    tk_state_put_u64(w, alp->dim);
    tk_state_put_u64(w, alp->buffer_size);
    tk_state_put_u64(w, alp->max_size);
    tk_state_put_u64(w, alp->cut);
    tk_state_put_u64(w, alp->flushed);
    tk_state_put_u64(w, alp->next_id);
    if (n > 0) { /* the arrays are NULL before the first pair */
        tk_state_put_f64s(w, task_row(alp, alp->cut), n * alp->dim);
        tk_state_put_f64s(w, alp->rewards + (alp->cut - alp->base), n);
    }
}

static bool all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

/* Whether ids [cut, flushed) of main and [flushed, next_id) of the buffer
 * are a state insertions reach: flushes happen at multiples of
 * buffer_size, the buffer never holds more than that, and main is trimmed
 * to max_size at flushes only (so it is max_size long once trimmed). */
static bool reachable(const tk_alp_computer *alp, uint64_t cut, uint64_t flushed,
                      uint64_t next_id)
{
    if (cut > flushed || flushed > next_id || next_id - flushed > alp->buffer_size ||
        flushed % alp->buffer_size != 0 || next_id > SIZE_MAX / 2)
        return false;
    if (alp->max_size == 0)
        return cut == 0;
    return cut == 0 ? flushed <= alp->max_size : flushed - cut == alp->max_size;
}

/* Trees over [cut, next_id) as front pieces (never merged again, as after
 * a trim), all of it indexed.  -1 on OOM with nothing built. */
static int index_restored(tk_alp_computer *alp)
{
    alp->segs = malloc(MAX_PIECES * sizeof *alp->segs);
    if (!alp->segs)
        return -1;
    alp->nsegs = add_front_pieces(alp->segs, alp->cut, alp->next_id, alp->buffer_size);
    for (size_t i = 0; i < alp->nsegs; i++) {
        alp->segs[i].tree = build_tree(alp, alp->segs[i].lo, alp->segs[i].hi);
        if (!alp->segs[i].tree) {
            free_segments(alp->segs, 0, i);
            alp->nsegs = 0;
            return -1;
        }
    }
    alp->indexed = alp->next_id;
    return 0;
}

int tk_alp_computer_load(tk_alp_computer *alp, tk_state_reader *r)
{
    tk_state_get_tag(r, ALPC_STATE_TAG, ALPC_STATE_VERSION);
    const uint64_t dim = tk_state_get_u64(r), buffer = tk_state_get_u64(r);
    const uint64_t max = tk_state_get_u64(r), cut = tk_state_get_u64(r);
    const uint64_t flushed = tk_state_get_u64(r), next_id = tk_state_get_u64(r);
    if (r->failed || dim != alp->dim || buffer != alp->buffer_size || max != alp->max_size ||
        !reachable(alp, cut, flushed, next_id) ||
        /* Bounded by the bytes left before anything is allocated. */
        next_id - cut > (r->size - r->pos) / ((alp->dim + 1) * sizeof(double))) {
        r->failed = 1;
        return 0;
    }
    const size_t n = (size_t)(next_id - cut);
    tk_alp_computer *fresh = tk_alp_computer_new(alp->dim, alp->buffer_size, alp->max_size);
    if (!fresh || ensure_capacity(fresh, n ? n : 1)) {
        tk_alp_computer_free(fresh);
        return -1;
    }
    fresh->base = fresh->cut = (size_t)cut;
    fresh->flushed = (size_t)flushed;
    fresh->next_id = fresh->indexed = (size_t)next_id;
    tk_state_get_f64s(r, fresh->tasks, n * fresh->dim);
    tk_state_get_f64s(r, fresh->rewards, n);
    if (r->failed || !all_finite(fresh->tasks, n * fresh->dim) || !all_finite(fresh->rewards, n)) {
        r->failed = 1;
        tk_alp_computer_free(fresh);
        return 0;
    }
    if (index_restored(fresh)) {
        tk_alp_computer_free(fresh);
        return -1;
    }
    /* Everything read and built: the restored state replaces the old. */
    tk_alp_computer old = *alp;
    *alp = *fresh;
    *fresh = old;
    tk_alp_computer_free(fresh);
    return 0;
}
