/*
 * goal-gan: GoalGAN (Florensa et al., ICML 2018, "Automatic Goal Generation
 * for Reinforcement Learning Agents") as ported by TeachMyAgent
 * (flowersteam/TeachMyAgent TeachMyAgent/teachers/algos/goal_gan.py,
 * utils/gan/{generator,gan}.py).
 *
 * A least-squares GAN generates goals.  Every new goal is played
 * n_rollouts times; the mean success decides its label ("goal of
 * intermediate difficulty": goid_lb <= mean <= goid_ub), goals above goid_ub
 * enter a success buffer that is replayed (with noise) with probability
 * p_old.  Every update_size labelled goals the GAN is trained for
 * gan_iterations outer iterations (one discriminator and one generator
 * RMSProp step each) if at least one label is positive.
 *
 * Expert knowledge (manifest data): the success definition is required
 * ("success", see <teachkit/success_rule.h>); the initial distribution of the
 * pre-training samples is optional (initial_dist {"mean", "std"}).
 *
 * Deviations and choices (docs/teachers/goal-gan.md):
 *   - Networks are the toolkit's float32 MLPs (the original is TF1 float32)
 *     and the toolkit's RMSProp, which already has TF1's semantics (decay
 *     0.9, eps 1e-10 inside the square root, mean square initialised to 1).
 *   - The generator's doubled output range (the original's output scaling)
 *     is kept: it is
 *     behaviour, not a crash, and clipping handles it.
 *   - Snapshots draw from a private stream seeded once from the host
 *     stream, so plotting does not change the curriculum (the original's plotting
 *     samples share the training stream).
 *   - Hidden sizes and iteration counts are config keys (defaults = the original's fixed values)
 *     so that tests can run small networks.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "goal_gan.h"
#include "dist_config.h"
#include "f32_space.h"
#include "teachkit/config.h"
#include "teachkit/nn.h"
#include "teachkit/nn_optim.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/snapshot.h"
#include "teachkit/state.h"
#include "teachkit/success_rule.h"

#define GG_STATE_TAG "GGAN"
#define GG_STATE_VERSION 1u
#define GG_BATCH 64
#define GG_PRETRAIN_SAMPLES 1000
#define GG_SNAPSHOT_POINTS 100

/* A growable array of fixed-size float rows. */
typedef struct rows {
    float *v;      /* owned, n * width */
    size_t n, cap, width;
} rows;

/* One goal awaiting its n_rollouts outcomes. */
typedef struct pending {
    float *task;   /* owned, d */
    int *res;      /* owned, n_rollouts */
    size_t n;
} pending;

typedef struct goal_gan {
    const tk_host_api *host; /* borrowed */
    tk_ctx *ctx;             /* borrowed */
    tk_rng *rng;             /* the host stream */
    tk_rng snap_rng;         /* private stream of snapshots */

    size_t d;
    double *lo, *hi, *c, *h; /* owned, d each: the normalisation */
    tk_success_rule success;
    double noise, dist_thr, goid_lb, goid_ub, p_old;
    size_t update_size, n_rollouts, gan_iters, pretrain_iters;

    tk_mlp *gen, *disc;      /* owned */
    tk_mlp_tape *gtape, *dtape;
    tk_rmsprop *gopt, *dopt; /* owned */
    float *z, *dbuf, *dy, *dfake; /* owned scratch */
    size_t data_pos;         /* cyclic position of the real batches */

    rows buffer;             /* success buffer */
    rows queue;              /* goals to repeat (FIFO, head at index qhead) */
    size_t qhead;
    pending *pend;           /* owned, npend entries, oldest first */
    size_t npend, pcap;
    rows contexts;           /* labelled goals awaiting training */
    int *labels;             /* owned, contexts.cap entries */

    uint64_t episodes, trainings, skipped;
    double last_dloss, last_gloss;

    char *snapshot;
    tk_state_writer saved;
} goal_gan;

/* ------------------------------------------------------------- small helpers */

static int rows_push(rows *r, const float *x)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        float *v = realloc(r->v, cap * r->width * sizeof *v);
        if (!v)
            return -1;
        r->v = v;
        r->cap = cap;
    }
    memcpy(r->v + r->n * r->width, x, r->width * sizeof *x);
    r->n++;
    return 0;
}

static void pending_free(pending *p)
{
    free(p->task);
    free(p->res);
}

static void gg_destroy(void *self)
{
    goal_gan *t = self;
    if (!t)
        return;
    free(t->lo), free(t->hi), free(t->c), free(t->h);
    tk_mlp_tape_free(t->gtape), tk_mlp_tape_free(t->dtape);
    tk_mlp_free(t->gen), tk_mlp_free(t->disc);
    tk_rmsprop_free(t->gopt), tk_rmsprop_free(t->dopt);
    free(t->z), free(t->dbuf), free(t->dy), free(t->dfake);
    free(t->buffer.v), free(t->queue.v), free(t->contexts.v), free(t->labels);
    for (size_t i = 0; i < t->npend; i++)
        pending_free(&t->pend[i]);
    free(t->pend);
    free(t->snapshot);
    tk_state_writer_free(&t->saved);
    free(t);
}

static float clampf(double x, double a, double b)
{
    float f = (float)(x < a ? a : x > b ? b : x);
    const float fa = (float)a, fb = (float)b;
    return f < fa ? fa : f > fb ? fb : f;
}

/* ------------------------------------------------------------------- the GAN */

/* Generator forward on n noise rows of t->z; returns outputs in (-1, 1). */
static const float *gen_forward(goal_gan *t, size_t n)
{
    for (size_t i = 0; i < n * t->d; i++)
        t->z[i] = (float)tk_rng_normal(t->rng);
    return tk_mlp_forward(t->gen, t->gtape, t->z, n);
}

/* TeachMyAgent/teachers/utils/gan/gan.py, train: one discriminator then
 * one generator step per outer
 * iteration on normalised data x[n x d] with labels y. */
static int gan_train(goal_gan *t, const float *x, const int *y, size_t n, size_t iters)
{
    const size_t d = t->d, B = GG_BATCH;
    t->data_pos = 0;
    for (size_t it = 0; it < iters; it++) {
        /* real rows, cyclically, then 64 fakes */
        const size_t nreal = n <= B ? n : B;
        float *target = t->dy; /* reused: targets first, then dL/dD */
        for (size_t k = 0; k < nreal; k++) {
            const size_t r = n <= B ? k : (t->data_pos + k) % n;
            memcpy(t->dbuf + k * d, x + r * d, d * sizeof(float));
            target[k] = y[r] ? 1.0f : -1.0f;
        }
        if (n > B)
            t->data_pos = (t->data_pos + B) % n;
        const float *fake = gen_forward(t, B);
        if (!fake)
            return -1;
        memcpy(t->dbuf + nreal * d, fake, B * d * sizeof(float));
        for (size_t k = 0; k < B; k++)
            target[nreal + k] = -1.0f;
        const size_t m = nreal + B;
        const float *out = tk_mlp_forward(t->disc, t->dtape, t->dbuf, m);
        if (!out)
            return -1;
        double dl = 0.0;
        for (size_t k = 0; k < m; k++) {
            const float e = out[k] - target[k];
            dl += (double)e * e;
            t->dy[k] = 2.0f * e / (float)m;
        }
        tk_mlp_zero_grad(t->disc);
        tk_mlp_backward(t->disc, t->dtape, t->dy, NULL, 1);
        tk_rmsprop_step(t->dopt, tk_mlp_params(t->disc), tk_mlp_grads(t->disc));

        /* generator: same noise (the generator tape still holds it) */
        const float *dg = tk_mlp_forward(t->disc, t->dtape, fake, B);
        if (!dg)
            return -1;
        double gl = 0.0;
        for (size_t k = 0; k < B; k++) {
            const float e = dg[k] - 1.0f;
            gl += (double)e * e;
            t->dy[k] = 2.0f * e / (float)B;
        }
        tk_mlp_backward(t->disc, t->dtape, t->dy, t->dfake, 0);
        tk_mlp_zero_grad(t->gen);
        tk_mlp_backward(t->gen, t->gtape, t->dfake, NULL, 1);
        tk_rmsprop_step(t->gopt, tk_mlp_params(t->gen), tk_mlp_grads(t->gen));
        t->last_dloss = dl / (double)m;
        t->last_gloss = gl / (double)B;
    }
    if (!tk_nn_all_finite(tk_mlp_params_const(t->gen), tk_mlp_n_params(t->gen)) ||
        !tk_nn_all_finite(tk_mlp_params_const(t->disc), tk_mlp_n_params(t->disc)))
        return -2;
    return 0;
}

/* Train on goals in task space (normalised here as (x - c) / (2h)). */
static tk_status train_goals(goal_gan *t, const float *goals, const int *labels, size_t n,
                             size_t iters)
{
    float *x = malloc(n * t->d * sizeof *x);
    if (!x)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < t->d; i++)
            x[k * t->d + i] = (float)(((double)goals[k * t->d + i] - t->c[i]) / (2.0 * t->h[i]));
    const int rc = gan_train(t, x, labels, n, iters);
    free(x);
    t->trainings++;
    if (rc == -2)
        return t->host->error(t->ctx, TK_ERR_NUMERIC, NULL, "GAN weights became non-finite");
    if (rc)
        return t->host->error(t->ctx, TK_ERR_INTERNAL, NULL, "GAN forward pass failed");
    return TK_OK;
}

/* n de-normalised generator outputs c + g 2h (may leave the bounds). */
static int generate(goal_gan *t, float *out, size_t n)
{
    for (size_t k0 = 0; k0 < n; k0 += GG_BATCH) {
        const size_t m = n - k0 < GG_BATCH ? n - k0 : GG_BATCH;
        const float *g = gen_forward(t, m);
        if (!g)
            return -1;
        for (size_t k = 0; k < m; k++)
            for (size_t i = 0; i < t->d; i++)
                out[(k0 + k) * t->d + i] =
                    (float)(t->c[i] + (double)g[k * t->d + i] * 2.0 * t->h[i]);
    }
    return 0;
}

/* ---------------------------------------------------------------- creation */

static tk_status read_config(goal_gan *t, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(t->host, t->ctx, config_json, &cfg);
    if (st != TK_OK)
        return st;
    int64_t upd = 0, nr = 0, gi = 0, pi = 0;
    st = tk_config_double(cfg, "state_noise_level", 0.0, 10.0, &t->noise);
    if (!st)
        st = tk_config_double(cfg, "success_distance_threshold", 0.0, 10.0, &t->dist_thr);
    if (!st)
        st = tk_config_int(cfg, "update_size", 1, 1000000, &upd);
    if (!st)
        st = tk_config_int(cfg, "n_rollouts", 1, 1000, &nr);
    if (!st)
        st = tk_config_double(cfg, "goid_lb", 0.0, 1.0, &t->goid_lb);
    if (!st)
        st = tk_config_double(cfg, "goid_ub", 0.0, 1.0, &t->goid_ub);
    if (!st)
        st = tk_config_double(cfg, "p_old", 0.0, 1.0, &t->p_old);
    if (!st)
        st = tk_config_int(cfg, "gan_iterations", 1, 1000000, &gi);
    if (!st)
        st = tk_config_int(cfg, "pretrain_iterations", 1, 1000000, &pi);
    if (!st && t->goid_lb > t->goid_ub)
        st = t->host->error(t->ctx, TK_ERR_CONFIG, "goid_lb",
                            "must not exceed goid_ub (%g), got %g", t->goid_ub, t->goid_lb);
    t->update_size = (size_t)upd;
    t->n_rollouts = (size_t)nr;
    t->gan_iters = (size_t)gi;
    t->pretrain_iters = (size_t)pi;
    tk_config_free(cfg);
    return st;
}

static tk_status build_nets(goal_gan *t, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(t->host, t->ctx, config_json, &cfg);
    if (st != TK_OK)
        return st;
    int64_t gh = 0, dh = 0;
    st = tk_config_int(cfg, "generator_hidden", 1, 65536, &gh);
    if (!st)
        st = tk_config_int(cfg, "discriminator_hidden", 1, 65536, &dh);
    tk_config_free(cfg);
    if (st)
        return st;
    const size_t d = t->d;
    const size_t gs[4] = {d, (size_t)gh, (size_t)gh, d};
    const tk_nn_activation ga[3] = {TK_NN_RELU, TK_NN_RELU, TK_NN_TANH};
    const size_t ds[4] = {d, (size_t)dh, (size_t)dh, 1};
    const tk_nn_activation da[3] = {TK_NN_LEAKY_RELU, TK_NN_LEAKY_RELU, TK_NN_LINEAR};
    t->gen = tk_mlp_new(3, gs, ga, 0.0f);
    t->disc = tk_mlp_new(3, ds, da, 0.1f);
    if (!t->gen || !t->disc)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory (networks)");
    const tk_rmsprop_options ro = tk_rmsprop_defaults(); /* lr 1e-3, TF1 semantics */
    t->gtape = tk_mlp_tape_new(t->gen, GG_BATCH);
    t->dtape = tk_mlp_tape_new(t->disc, 2 * GG_BATCH);
    t->gopt = tk_rmsprop_new(tk_mlp_n_params(t->gen), &ro);
    t->dopt = tk_rmsprop_new(tk_mlp_n_params(t->disc), &ro);
    t->z = malloc(GG_BATCH * d * sizeof(float));
    t->dbuf = malloc(2 * GG_BATCH * d * sizeof(float));
    t->dy = malloc(2 * GG_BATCH * sizeof(float));
    t->dfake = malloc(GG_BATCH * d * sizeof(float));
    if (!t->gtape || !t->dtape || !t->gopt || !t->dopt || !t->z || !t->dbuf || !t->dy ||
        !t->dfake)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory (networks)");
    if (tk_mlp_init(t->gen, TK_NN_INIT_GLOROT_UNIFORM, 1.0f, t->rng) ||
        tk_mlp_init(t->disc, TK_NN_INIT_GLOROT_UNIFORM, 1.0f, t->rng))
        return t->host->error(t->ctx, TK_ERR_INTERNAL, NULL, "network initialisation failed");
    return TK_OK;
}

/* initial_dist: null or {"mean": [d], "std": [d]} (std optional, default
 * 10 % of the range as create_dist_from_bounds). */
static tk_status read_initial_dist(goal_gan *t, const char *config_json, double *mean,
                                   double *std, int *given)
{
    *given = 0;
    dist_config c;
    tk_status st = dist_config_read_text(t->host, t->ctx, config_json, "initial_dist", t->d,
                                         DIST_MEAN | DIST_STD, DIST_MEAN,
                                         "an object {\"mean\": [...], \"std\": [...]} (std "
                                         "optional)",
                                         &c);
    if (st != TK_OK || c.given == 0)
        return st;
    for (size_t i = 0; i < t->d; i++) {
        mean[i] = c.mean[i];
        std[i] = c.std ? c.std[i] : 0.1 * (t->hi[i] - t->lo[i]);
    }
    dist_config_free(&c);
    *given = 1;
    return TK_OK;
}

/* GoalGAN.__init__ with use_pretrained_samples: 1000 samples of the initial (or a random sub-space)
 * Gaussian, clipped, all labelled 1, pretrain_iterations iterations. */
static tk_status pretrain(goal_gan *t, const char *config_json)
{
    const size_t d = t->d, n = GG_PRETRAIN_SAMPLES;
    double *mean = malloc(d * sizeof *mean), *std = malloc(d * sizeof *std);
    float *x = malloc(n * d * sizeof *x);
    int *y = malloc(n * sizeof *y);
    int given = 0;
    tk_status st = TK_OK;
    if (!mean || !std || !x || !y) {
        st = t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
        goto done;
    }
    if ((st = read_initial_dist(t, config_json, mean, std, &given)) != TK_OK)
        goto done;
    if (!given)
        for (size_t i = 0; i < d; i++) {
            mean[i] = tk_rng_range(t->rng, t->lo[i], t->hi[i]);
            std[i] = 0.1 * (t->hi[i] - t->lo[i]);
        }
    for (size_t i = 0; i < d; i++)
        if (std[i] == 0.0)
            std[i] = 1e-3; /* variance 1e-6, as create_dist_from_bounds */
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < d; i++)
            x[k * d + i] =
                clampf(mean[i] + std[i] * tk_rng_normal(t->rng), t->lo[i], t->hi[i]);
        y[k] = 1;
    }
    st = train_goals(t, x, y, n, t->pretrain_iters);
done:
    free(mean), free(std), free(x), free(y);
    return st;
}

static tk_status gg_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                           const char *config_json, void **out)
{
    *out = NULL;
    tk_status st = f32_space_check(host, ctx, space);
    if (st)
        return st;
    goal_gan *t = calloc(1, sizeof *t);
    if (!t)
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    t->host = host;
    t->ctx = ctx;
    t->rng = host->rng(ctx);
    t->d = space->dims;
    tk_state_writer_init(&t->saved);
    const size_t d = t->d;
    t->buffer.width = t->queue.width = t->contexts.width = d;
    st = tk_success_rule_read(host, ctx, config_json, "goal-gan", &t->success);
    if (!st)
        st = read_config(t, config_json);
    if (st) {
        gg_destroy(t);
        return st;
    }
    t->lo = malloc(d * sizeof(double));
    t->hi = malloc(d * sizeof(double));
    t->c = malloc(d * sizeof(double));
    t->h = malloc(d * sizeof(double));
    if (!t->lo || !t->hi || !t->c || !t->h) {
        gg_destroy(t);
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < d; i++) {
        t->lo[i] = space->dim[i].low;
        t->hi[i] = space->dim[i].high;
        t->c[i] = t->lo[i] + (t->hi[i] - t->lo[i]) / 2.0;
        t->h[i] = (t->hi[i] - t->lo[i]) / 2.0 + 1e-6;
    }
    if ((st = build_nets(t, config_json)) != TK_OK) {
        gg_destroy(t);
        return st;
    }
    tk_rng_seed(&t->snap_rng, tk_rng_u64(t->rng));
    tk_config *cfg = NULL;
    int use_pre = 0;
    st = tk_config_parse(host, ctx, config_json, &cfg);
    if (!st)
        st = tk_config_bool(cfg, "use_pretrained_samples", &use_pre);
    tk_config_free(cfg);
    if (!st && use_pre)
        st = pretrain(t, config_json);
    else if (!st) {
        int given = 0;
        /* initial_dist is only used for pre-training; still validate it. */
        double *mm = malloc(d * sizeof *mm), *ss = malloc(d * sizeof *ss);
        st = mm && ss ? read_initial_dist(t, config_json, mm, ss, &given)
                      : host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
        free(mm), free(ss);
        if (!st && given)
            host->log(ctx, TK_LOG_WARN,
                      "initial_dist is ignored unless use_pretrained_samples is true");
    }
    if (st) {
        gg_destroy(t);
        return st;
    }
    *out = t;
    return TK_OK;
}

/* ------------------------------------------------------------ sample/update */

/* Add N(0, (noise (hi - lo))^2), clip to [c - h, c + h] then [lo, hi]. */
static void noisy_clip(goal_gan *t, const double *x, float *task_out)
{
    for (size_t i = 0; i < t->d; i++) {
        double v = x[i] + tk_rng_normal(t->rng) * t->noise * (t->hi[i] - t->lo[i]);
        v = fmin(fmax(v, t->c[i] - t->h[i]), t->c[i] + t->h[i]);
        task_out[i] = clampf(v, t->lo[i], t->hi[i]);
    }
}

static tk_status gg_sample(void *self, float *task_out)
{
    goal_gan *t = self;
    const size_t d = t->d;
    if (t->qhead < t->queue.n) { /* GoalGAN.sample_task: repeats first */
        memcpy(task_out, t->queue.v + t->qhead * d, d * sizeof(float));
        if (++t->qhead == t->queue.n)
            t->qhead = t->queue.n = 0;
        return TK_OK;
    }
    double x[64], *xp = d <= 64 ? x : malloc(d * sizeof *xp);
    if (!xp)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    tk_status st = TK_OK;
    if (t->buffer.n == 0 || tk_rng_uniform(t->rng) < 1.0 - t->p_old) {
        float *g = malloc(d * sizeof *g);
        if (!g || generate(t, g, 1)) {
            free(g);
            st = t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < d; i++)
            xp[i] = g[i];
        free(g);
        noisy_clip(t, xp, task_out);
        /* register a new result list; n_rollouts - 1 repeats */
        if (t->npend == t->pcap) {
            const size_t cap = t->pcap ? 2 * t->pcap : 16;
            pending *p = realloc(t->pend, cap * sizeof *p);
            if (!p) {
                st = t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
                goto done;
            }
            t->pend = p;
            t->pcap = cap;
        }
        pending *p = &t->pend[t->npend];
        p->task = malloc(d * sizeof(float));
        p->res = malloc(t->n_rollouts * sizeof(int));
        p->n = 0;
        if (!p->task || !p->res) {
            pending_free(p);
            st = t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
            goto done;
        }
        memcpy(p->task, task_out, d * sizeof(float));
        t->npend++;
        for (size_t r = 1; r < t->n_rollouts; r++)
            if (rows_push(&t->queue, task_out)) {
                st = t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
                goto done;
            }
    } else { /* replay an old successful goal, unregistered */
        const size_t k = (size_t)tk_rng_below(t->rng, t->buffer.n);
        for (size_t i = 0; i < d; i++)
            xp[i] = t->buffer.v[k * d + i];
        noisy_clip(t, xp, task_out);
    }
done:
    if (xp != x)
        free(xp);
    return st;
}

static int far_from_buffer(const goal_gan *t, const float *task)
{
    double range2 = 0.0;
    for (size_t i = 0; i < t->d; i++)
        range2 += (t->hi[i] - t->lo[i]) * (t->hi[i] - t->lo[i]);
    const double thr = t->dist_thr * sqrt(range2);
    for (size_t k = 0; k < t->buffer.n; k++) {
        double s = 0.0;
        for (size_t i = 0; i < t->d; i++) {
            const double e = (double)task[i] - t->buffer.v[k * t->d + i];
            s += e * e;
        }
        if (!(sqrt(s) > thr))
            return 0;
    }
    return 1;
}

/* GoalGAN.episodic_update, first step, for the first result list of `task`, if any. */
static tk_status record_outcome(goal_gan *t, const float *task, int ok)
{
    const size_t d = t->d;
    size_t k = 0;
    while (k < t->npend && memcmp(t->pend[k].task, task, d * sizeof(float)) != 0)
        k++;
    if (k == t->npend)
        return TK_OK; /* a replayed goal: outcome ignored, as in the original */
    pending *p = &t->pend[k];
    p->res[p->n++] = ok;
    if (p->n < t->n_rollouts)
        return TK_OK;
    double m = 0.0;
    for (size_t r = 0; r < p->n; r++)
        m += p->res[r];
    m /= (double)p->n;
    const int label = t->goid_lb <= m && m <= t->goid_ub;
    const size_t cap0 = t->contexts.cap;
    if (rows_push(&t->contexts, task))
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    if (t->contexts.cap != cap0) {
        int *l = realloc(t->labels, t->contexts.cap * sizeof *l);
        if (!l)
            return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
        t->labels = l;
    }
    t->labels[t->contexts.n - 1] = label;
    if (m > t->goid_ub && far_from_buffer(t, task) && rows_push(&t->buffer, task))
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    pending_free(p);
    memmove(p, p + 1, (t->npend - k - 1) * sizeof *p);
    t->npend--;
    return TK_OK;
}

static tk_status gg_update(void *self, const float *task, double episode_return, int success)
{
    goal_gan *t = self;
    for (size_t i = 0; i < t->d; i++)
        if (!isfinite(task[i]))
            return t->host->error(t->ctx, TK_ERR_INVALID, NULL, "task[%zu] is not finite", i);
    t->episodes++;
    tk_status st =
        record_outcome(t, task, tk_success_rule_apply(&t->success, episode_return, success));
    if (st || t->contexts.n < t->update_size)
        return st;
    int any = 0;
    for (size_t k = 0; k < t->contexts.n; k++)
        any |= t->labels[k];
    if (any)
        st = train_goals(t, t->contexts.v, t->labels, t->contexts.n, t->gan_iters);
    else
        t->skipped++;
    t->contexts.n = 0;
    return st;
}

/* -------------------------------------------------------------- snapshot */

static tk_status gg_snapshot(void *self, const char **json_out)
{
    goal_gan *t = self;
    *json_out = NULL;
    const size_t d = t->d, n = GG_SNAPSHOT_POINTS;
    float *g = malloc(n * d * sizeof *g);
    /* The private stream keeps plotting out of the curriculum (15.23). */
    tk_rng *saved = t->rng;
    t->rng = &t->snap_rng;
    const int rc = g ? generate(t, g, n) : -1;
    t->rng = saved;
    json_t *pts = json_array();
    for (size_t k = 0; !rc && pts && k < n; k++) {
        json_t *p = json_array();
        for (size_t i = 0; p && i < d; i++)
            json_array_append_new(p, json_real(clampf(g[k * d + i], t->lo[i], t->hi[i])));
        json_array_append_new(pts, p);
    }
    free(g);
    /* The "samples" snapshot (<teachkit/snapshot.h>) with the GAN's state. */
    json_t *snap = rc ? (json_decref(pts), NULL) : tk_snapshot_samples(pts);
    char *text = tk_snapshot_dump(tk_snapshot_add(
        snap, json_pack("{s:I, s:I, s:I, s:I, s:f, s:f}", "episodes", (json_int_t)t->episodes,
                        "trainings", (json_int_t)t->trainings, "success_buffer",
                        (json_int_t)t->buffer.n, "skipped_trainings", (json_int_t)t->skipped,
                        "d_loss", t->last_dloss, "g_loss", t->last_gloss)));
    if (!text)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    free(t->snapshot);
    t->snapshot = text;
    *json_out = text;
    return TK_OK;
}

/* ------------------------------------------------------------- checkpoint */

static void put_rows(tk_state_writer *w, const rows *r, size_t from)
{
    tk_state_put_u64(w, r->n - from);
    tk_state_put_f32s(w, r->v + from * r->width, (r->n - from) * r->width);
}

static void put_rms(tk_state_writer *w, const tk_rmsprop *o)
{
    tk_state_put_u64(w, o->t);
    tk_state_put_f32s(w, o->ms, o->n);
    tk_state_put_f32s(w, o->mom, o->n);
}

/* Record: tag; layout (d, parameter counts, n_rollouts); counters; losses;
 * snapshot stream; both networks and optimisers; success buffer, repeat
 * queue, pending lists, labelled goals. */
static tk_status gg_save(void *self, const void **data, size_t *size)
{
    goal_gan *t = self;
    tk_state_writer *w = &t->saved;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, GG_STATE_TAG, GG_STATE_VERSION);
    tk_state_put_u64(w, t->d);
    tk_state_put_u64(w, tk_mlp_n_params(t->gen));
    tk_state_put_u64(w, tk_mlp_n_params(t->disc));
    tk_state_put_u64(w, t->n_rollouts);
    tk_state_put_u64(w, t->episodes);
    tk_state_put_u64(w, t->trainings);
    tk_state_put_u64(w, t->skipped);
    tk_state_put_f64(w, t->last_dloss);
    tk_state_put_f64(w, t->last_gloss);
    tk_state_put_rng(w, &t->snap_rng);
    tk_state_put_f32s(w, tk_mlp_params_const(t->gen), tk_mlp_n_params(t->gen));
    tk_state_put_f32s(w, tk_mlp_params_const(t->disc), tk_mlp_n_params(t->disc));
    put_rms(w, t->gopt);
    put_rms(w, t->dopt);
    put_rows(w, &t->buffer, 0);
    put_rows(w, &t->queue, t->qhead);
    tk_state_put_u64(w, t->npend);
    for (size_t k = 0; k < t->npend; k++) {
        tk_state_put_f32s(w, t->pend[k].task, t->d);
        tk_state_put_u64(w, t->pend[k].n);
        for (size_t r = 0; r < t->pend[k].n; r++)
            tk_state_put_u64(w, (uint64_t)t->pend[k].res[r]);
    }
    put_rows(w, &t->contexts, 0);
    for (size_t k = 0; k < t->contexts.n; k++)
        tk_state_put_u64(w, (uint64_t)t->labels[k]);
    if (w->failed)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

static int get_rows(tk_state_reader *r, rows *dst)
{
    const uint64_t n = tk_state_get_count(r, (r->size - r->pos) / (dst->width * 4 + 1) + 1);
    if (r->failed)
        return -1;
    dst->n = 0;
    float *v = malloc((n ? n : 1) * dst->width * sizeof *v);
    if (!v)
        return -1;
    tk_state_get_f32s(r, v, n * dst->width);
    free(dst->v);
    dst->v = v;
    dst->n = dst->cap = n;
    return r->failed ? -1 : 0;
}

static void get_rms(tk_state_reader *r, tk_rmsprop *o)
{
    o->t = tk_state_get_u64(r);
    tk_state_get_f32s(r, o->ms, o->n);
    tk_state_get_f32s(r, o->mom, o->n);
}

/* Layout mismatches are refused before anything changes; a corrupt body
 * (detected late) leaves the instance in a consistent but reset state. */
static tk_status gg_load(void *self, const void *data, size_t size)
{
    goal_gan *t = self;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, GG_STATE_TAG, GG_STATE_VERSION);
    const uint64_t d = tk_state_get_u64(&r), gp = tk_state_get_u64(&r);
    const uint64_t dp = tk_state_get_u64(&r), nr = tk_state_get_u64(&r);
    if (r.failed || d != t->d || gp != tk_mlp_n_params(t->gen) ||
        dp != tk_mlp_n_params(t->disc) || nr != t->n_rollouts)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is not a goal-gan state for this task space and "
                              "config (corrupt, truncated or from another plugin)");
    t->episodes = tk_state_get_u64(&r);
    t->trainings = tk_state_get_u64(&r);
    t->skipped = tk_state_get_u64(&r);
    t->last_dloss = tk_state_get_f64(&r);
    t->last_gloss = tk_state_get_f64(&r);
    tk_state_get_rng(&r, &t->snap_rng);
    tk_state_get_f32s(&r, tk_mlp_params(t->gen), gp);
    tk_state_get_f32s(&r, tk_mlp_params(t->disc), dp);
    get_rms(&r, t->gopt);
    get_rms(&r, t->dopt);
    int bad = get_rows(&r, &t->buffer) || get_rows(&r, &t->queue);
    t->qhead = 0;
    for (size_t k = 0; k < t->npend; k++)
        pending_free(&t->pend[k]);
    t->npend = 0;
    const uint64_t np = bad ? 0 : tk_state_get_count(&r, size);
    if (!bad && np > t->pcap) {
        pending *p = realloc(t->pend, np * sizeof *p);
        bad = !p;
        if (p) {
            t->pend = p;
            t->pcap = np;
        }
    }
    for (size_t k = 0; !bad && !r.failed && k < np; k++) {
        pending *p = &t->pend[k];
        p->task = malloc(t->d * sizeof(float));
        p->res = malloc(t->n_rollouts * sizeof(int));
        if (!p->task || !p->res) {
            pending_free(p);
            bad = 1;
            break;
        }
        t->npend++;
        tk_state_get_f32s(&r, p->task, t->d);
        p->n = (size_t)tk_state_get_count(&r, t->n_rollouts - 1);
        for (size_t i = 0; i < p->n; i++)
            p->res[i] = tk_state_get_u64(&r) != 0;
    }
    if (!bad)
        bad = get_rows(&r, &t->contexts);
    if (!bad) {
        int *l = realloc(t->labels, (t->contexts.n ? t->contexts.n : 1) * sizeof *l);
        bad = !l;
        if (l)
            t->labels = l;
        for (size_t k = 0; !bad && k < t->contexts.n; k++)
            t->labels[k] = tk_state_get_u64(&r) != 0;
    }
    bad = bad || r.failed || r.pos != r.size ||
          !tk_nn_all_finite(tk_mlp_params_const(t->gen), gp) ||
          !tk_nn_all_finite(tk_mlp_params_const(t->disc), dp);
    if (bad) {
        t->buffer.n = t->queue.n = t->contexts.n = 0;
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is corrupt or truncated (goal-gan state)");
    }
    return TK_OK;
}

/* --------------------------------------------------------------- extension */

static int ext_train(void *self, const float *goals, const int *labels, size_t n, size_t iters)
{
    return train_goals(self, goals, labels, n, iters) == TK_OK ? 0 : -1;
}

static int ext_generate(void *self, float *out, size_t n)
{
    return generate(self, out, n);
}

static size_t ext_buffer(void *self)
{
    return ((goal_gan *)self)->buffer.n;
}

static size_t ext_pending(void *self)
{
    return ((goal_gan *)self)->npend;
}

static size_t ext_trainings(void *self)
{
    return ((goal_gan *)self)->trainings;
}

static const goal_gan_api gg_api = {sizeof(goal_gan_api), ext_train, ext_generate, ext_buffer,
                                    ext_pending, ext_trainings};

static const void *gg_get_extension(void *self, const char *id)
{
    (void)self;
    return strcmp(id, GOAL_GAN_EXT_ID) == 0 ? &gg_api : NULL;
}

static const tk_teacher_vtable gg_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = gg_create,
    .destroy = gg_destroy,
    .sample = gg_sample,
    .update = gg_update,
    .step_update = NULL,
    .episode_start = NULL,
    .snapshot = gg_snapshot,
    .save = gg_save,
    .load = gg_load,
    .get_extension = gg_get_extension,
};

/* "needs-success": only the success flag is used; "raw-return": a
 * {"return_above": x} success rule is in the environment's units. */
static const char *const gg_features[] = {TK_FEATURE_NEEDS_SUCCESS, TK_FEATURE_RAW_RETURN,
                                          TK_FEATURE_ACCEPTS_INITIAL_DIST, NULL};

static const tk_descriptor gg_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "goal-gan",
    .name = "GoalGAN",
    .version = "1.0.0",
    .description = "GoalGAN: a least-squares GAN trained to generate goals of intermediate "
                   "success rate, with replay of solved goals (Florensa et al. 2018)",
    .default_config =
        "{\"success\": null, \"state_noise_level\": 0.01, \"success_distance_threshold\": 0.01, "
        "\"update_size\": 100, \"n_rollouts\": 2, \"goid_lb\": 0.25, \"goid_ub\": 0.75, "
        "\"p_old\": 0.2, \"use_pretrained_samples\": false, \"initial_dist\": null, "
        "\"generator_hidden\": 256, \"discriminator_hidden\": 128, \"gan_iterations\": 250, "
        "\"pretrain_iterations\": 500}",
    .features = gg_features,
    .vtable = &gg_vtable,
};

static const tk_descriptor *const gg_descriptors[] = {&gg_descriptor};

TK_PLUGIN_DESCRIPTORS(gg_descriptors);
