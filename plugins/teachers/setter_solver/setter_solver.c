/*
 * setter-solver: Setter-Solver (Racaniere et al., ICLR 2020, "Automated
 * curricula through setter-solver interactions") as ported by TeachMyAgent
 * (flowersteam/TeachMyAgent TeachMyAgent/teachers/algos/setter_solver.py,
 * utils/setter_solver_utils.py).
 *
 * The setter is a conditional RealNVP (ss_flow.c) mapping a latent
 * z ~ N(0, I) and a desired feasibility f ~ U(1e-8, 1) to a goal in
 * (0,1)^d, rescaled to the task space.  A judge MLP predicts the success
 * logit of a goal.  Every update_frequency episodes the judge takes one
 * Adam step on binary cross-entropy, then the setter one Adam step on
 * L_feas + L_valid + L_cover (SetterSolver.episodic_update; the losses of
 * TeachMyAgent/teachers/utils/setter_solver_utils.py).
 *
 * Expert knowledge (manifest data): the success definition is required
 * ("success", see <teachkit/success_rule.h>).
 *
 * Deviations and choices (docs/teachers/setter-solver.md):
 *   - NaN fix: with no successful goal in a batch, L_valid
 *     is 0 and contributes no gradient (the original's mean of an empty
 *     set is NaN).  "judge_hidden" defaults to [64, 64] (as the original
 *     actually builds it, not the declared [64, 64, 64]).
 *   - Stored goals are clipped to [1e-9, 1 - 1e-9] before the inverse flow
 *     so that saturated sigmoids keep finite logits.
 *   - Snapshots draw from a private stream, so plotting does not change
 *     the curriculum.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "f32_space.h"
#include "ss_flow.h"
#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/snapshot.h"
#include "teachkit/state.h"
#include "teachkit/success_rule.h"

#define SS_STATE_TAG "SETS"
#define SS_STATE_VERSION 1u
#define SS_LR 3e-4
#define SS_G_EPS 1e-9
#define SS_SNAPSHOT_POINTS 100

typedef struct setter_solver {
    const tk_host_api *host; /* borrowed */
    tk_ctx *ctx;             /* borrowed */
    tk_rng *rng;             /* host stream */
    tk_rng snap_rng;         /* private stream of snapshots */

    size_t d, hs, update_frequency;
    double *lo, *hi;         /* owned */
    double noise_ub;
    tk_success_rule success;
    size_t judge_layers;
    size_t judge_sizes[8];

    ss_flow *flow;           /* owned */
    ss_mlp *judge;           /* owned */
    ss_adam flow_opt, judge_opt;

    /* the last sampled task, awaiting its update */
    int has_pending;
    float *ptask;            /* owned, d */
    double *pg, pf;          /* owned goal in (0,1)^d, feasibility */

    /* outcomes awaiting the next update: G [n x d], F [n], Y [n] */
    double *G, *F, *Y;       /* owned, update_frequency rows */
    size_t n;

    uint64_t episodes, updates;
    double losses[4];        /* feas, valid, cover, judge */
    int valid_skipped;

    char *snapshot;
    tk_state_writer saved;
} setter_solver;

static void ss_destroy(void *self)
{
    setter_solver *t = self;
    if (!t)
        return;
    ss_flow_free(t->flow);
    ss_mlp_free(t->judge);
    ss_adam_free(&t->flow_opt);
    ss_adam_free(&t->judge_opt);
    free(t->lo), free(t->hi), free(t->ptask), free(t->pg);
    free(t->G), free(t->F), free(t->Y);
    free(t->snapshot);
    tk_state_writer_free(&t->saved);
    free(t);
}

static tk_status read_judge_hidden(setter_solver *t, tk_config *cfg)
{
    double *v = NULL;
    size_t len = 0;
    tk_status st = tk_config_double_array(cfg, "judge_hidden", 0, 1.0, 65536.0, &v, &len);
    if (st)
        return st;
    if (len > 6) {
        free(v);
        return t->host->error(t->ctx, TK_ERR_CONFIG, "judge_hidden",
                              "must list at most 6 hidden sizes, got %zu", len);
    }
    t->judge_sizes[0] = t->d;
    for (size_t i = 0; i < len; i++) {
        if (v[i] != floor(v[i])) {
            free(v);
            return t->host->error(t->ctx, TK_ERR_CONFIG, "judge_hidden",
                                  "entries must be integers");
        }
        t->judge_sizes[i + 1] = (size_t)v[i];
    }
    t->judge_sizes[len + 1] = 1;
    t->judge_layers = len + 1;
    free(v);
    return TK_OK;
}

static tk_status read_config(setter_solver *t, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(t->host, t->ctx, config_json, &cfg);
    if (st)
        return st;
    int64_t uf = 0, hs = 0;
    st = tk_config_int(cfg, "update_frequency", 1, 1000000, &uf);
    if (!st)
        st = tk_config_int(cfg, "setter_hidden_size", 1, 4096, &hs);
    if (!st)
        st = tk_config_double(cfg, "setter_loss_noise_ub", 0.0, 1.0, &t->noise_ub);
    if (!st)
        st = read_judge_hidden(t, cfg);
    t->update_frequency = (size_t)uf;
    t->hs = (size_t)hs;
    tk_config_free(cfg);
    return st;
}

static tk_status ss_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                           const char *config_json, void **out)
{
    *out = NULL;
    tk_status st = f32_space_check(host, ctx, space);
    if (st)
        return st;
    setter_solver *t = calloc(1, sizeof *t);
    if (!t)
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    t->host = host;
    t->ctx = ctx;
    t->rng = host->rng(ctx);
    t->d = space->dims;
    tk_state_writer_init(&t->saved);
    st = tk_success_rule_read(host, ctx, config_json, "setter-solver", &t->success);
    if (!st)
        st = read_config(t, config_json);
    if (st) {
        ss_destroy(t);
        return st;
    }
    const size_t d = t->d, N = t->update_frequency;
    t->lo = malloc(d * sizeof(double));
    t->hi = malloc(d * sizeof(double));
    t->ptask = malloc(d * sizeof(float));
    t->pg = malloc(d * sizeof(double));
    t->G = malloc(N * d * sizeof(double));
    t->F = malloc(N * sizeof(double));
    t->Y = malloc(N * sizeof(double));
    t->flow = ss_flow_new(d, t->hs, t->rng);
    t->judge = ss_mlp_new(t->judge_layers, t->judge_sizes, t->rng);
    if (!t->lo || !t->hi || !t->ptask || !t->pg || !t->G || !t->F || !t->Y || !t->flow ||
        !t->judge || ss_adam_init(&t->flow_opt, ss_flow_n_params(t->flow), SS_LR) ||
        ss_adam_init(&t->judge_opt, ss_mlp_n_params(t->judge), SS_LR)) {
        ss_destroy(t);
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory (networks)");
    }
    for (size_t i = 0; i < d; i++) {
        t->lo[i] = space->dim[i].low;
        t->hi[i] = space->dim[i].high;
    }
    tk_rng_seed(&t->snap_rng, tk_rng_u64(t->rng));
    *out = t;
    return TK_OK;
}

/* One flow sample: f ~ U(1e-8, 1), z ~ N(0, I) from `rng`; g in (0,1)^d. */
static int draw_goal(setter_solver *t, tk_rng *rng, double *g, double *f)
{
    double zb[16], *z = t->d <= 16 ? zb : malloc(t->d * sizeof *z), logp;
    if (!z)
        return -1;
    *f = tk_rng_range(rng, 1e-8, 1.0);
    for (size_t i = 0; i < t->d; i++)
        z[i] = tk_rng_normal(rng);
    const int rc = ss_flow_forward(t->flow, z, f, 1, g, &logp);
    if (z != zb)
        free(z);
    return rc;
}

static void goal_to_task(const setter_solver *t, const double *g, float *task)
{
    for (size_t i = 0; i < t->d; i++) {
        const double gi = g[i] < 0.0 ? 0.0 : g[i] > 1.0 ? 1.0 : g[i];
        double x = t->lo[i] + gi * (t->hi[i] - t->lo[i]);
        float f = (float)x;
        const float flo = (float)t->lo[i], fhi = (float)t->hi[i];
        task[i] = f < flo ? flo : f > fhi ? fhi : f;
    }
}

static tk_status ss_sample(void *self, float *task_out)
{
    setter_solver *t = self;
    if (draw_goal(t, t->rng, t->pg, &t->pf))
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory (setter)");
    for (size_t i = 0; i < t->d; i++)
        if (!isfinite(t->pg[i]))
            return t->host->error(t->ctx, TK_ERR_NUMERIC, NULL, "the setter produced a "
                                                                "non-finite goal");
    goal_to_task(t, t->pg, task_out);
    memcpy(t->ptask, task_out, t->d * sizeof(float));
    t->has_pending = 1;
    return TK_OK;
}

static double logit(double p)
{
    return log(p) - log1p(-p);
}

/* SetterSolver.episodic_update: one judge step, then one setter step. */
static tk_status train(setter_solver *t)
{
    const size_t N = t->n, d = t->d;
    size_t ns = 0;
    for (size_t i = 0; i < N; i++)
        ns += t->Y[i] > 0.5;
    double *J = malloc(N * sizeof *J), *dJ = malloc(N * sizeof *dJ);
    double *Z = malloc(N * d * sizeof *Z), *G2 = malloc(N * d * sizeof *G2);
    double *lq = malloc(N * sizeof *lq), *dl = malloc(N * sizeof *dl);
    double *dG = malloc(N * d * sizeof *dG);
    double *Gs = malloc((ns ? ns : 1) * d * sizeof *Gs), *Fs = malloc((ns ? ns : 1) * sizeof *Fs);
    tk_status st = TK_OK;
    if (!J || !dJ || !Z || !G2 || !lq || !dl || !dG || !Gs || !Fs) {
        st = t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory (update)");
        goto done;
    }
    /* judge: mean BCE with logits */
    memset(ss_mlp_grads(t->judge), 0, ss_mlp_n_params(t->judge) * sizeof(double));
    if (ss_mlp_forward(t->judge, t->G, N, J))
        goto nomem;
    double jl = 0.0;
    for (size_t i = 0; i < N; i++) {
        const double l = J[i], y = t->Y[i];
        jl += fmax(l, 0.0) - l * y + log1p(exp(-fabs(l)));
        dJ[i] = ((l >= 0 ? 1.0 / (1.0 + exp(-l)) : exp(l) / (1.0 + exp(l))) - y) / (double)N;
    }
    ss_mlp_backward(t->judge, dJ, NULL, 1);
    ss_adam_step(&t->judge_opt, ss_mlp_params(t->judge), ss_mlp_grads(t->judge));

    /* setter: Z = infer(G) as constants; G' = forward(Z) */
    double *fg = ss_flow_grads(t->flow);
    memset(fg, 0, ss_flow_n_params(t->flow) * sizeof(double));
    if (ss_flow_infer(t->flow, t->G, t->F, N, Z, lq) ||
        ss_flow_forward(t->flow, Z, t->F, N, G2, lq) || ss_mlp_forward(t->judge, G2, N, J))
        goto nomem;
    double lf = 0.0, lc = 0.0;
    for (size_t i = 0; i < N; i++) {
        const double e = J[i] - logit(t->F[i]);
        lf += e * e;
        dJ[i] = 2.0 * e / (double)N;
        lc += lq[i];
        dl[i] = 1.0 / (double)N;
    }
    ss_mlp_backward(t->judge, dJ, dG, 0); /* judge frozen */
    if (ss_flow_forward_backward(t->flow, dG, dl, NULL))
        goto nomem;
    double lv = 0.0;
    t->valid_skipped = ns == 0; /* no NaN, no gradient */
    if (ns) {
        size_t j = 0;
        for (size_t i = 0; i < N; i++) {
            if (!(t->Y[i] > 0.5))
                continue;
            for (size_t k = 0; k < d; k++) {
                const double x = t->G[i * d + k] + tk_rng_range(t->rng, 0.0, t->noise_ub);
                Gs[j * d + k] = fmin(fmax(x, 1e-4), 1.0 - 1e-4);
            }
            Fs[j++] = t->F[i];
        }
        if (ss_flow_infer(t->flow, Gs, Fs, ns, Z, lq))
            goto nomem;
        for (size_t i = 0; i < ns; i++) {
            lv -= lq[i];
            dl[i] = -1.0 / (double)ns;
        }
        lv /= (double)ns;
        if (ss_flow_infer_backward(t->flow, NULL, dl, NULL))
            goto nomem;
    }
    const size_t np = ss_flow_n_params(t->flow);
    for (size_t i = 0; i < np; i++)
        if (!isfinite(fg[i])) {
            st = t->host->error(t->ctx, TK_ERR_NUMERIC, NULL,
                                "non-finite setter gradient at update %llu",
                                (unsigned long long)t->updates + 1);
            goto done;
        }
    ss_adam_step(&t->flow_opt, ss_flow_params(t->flow), fg);
    t->losses[0] = lf / (double)N;
    t->losses[1] = lv;
    t->losses[2] = lc / (double)N;
    t->losses[3] = jl / (double)N;
    t->updates++;
    goto done;
nomem:
    st = t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory (update)");
done:
    free(J), free(dJ), free(Z), free(G2), free(lq), free(dl), free(dG), free(Gs), free(Fs);
    return st;
}

static tk_status ss_update(void *self, const float *task, double episode_return, int success)
{
    setter_solver *t = self;
    if (!t->has_pending || memcmp(task, t->ptask, t->d * sizeof(float)) != 0)
        return t->host->error(t->ctx, TK_ERR_STATE, NULL,
                              "update() must follow sample() with the task it returned");
    const size_t d = t->d;
    for (size_t i = 0; i < d; i++)
        t->G[t->n * d + i] = fmin(fmax(t->pg[i], SS_G_EPS), 1.0 - SS_G_EPS);
    t->F[t->n] = t->pf;
    t->Y[t->n] = tk_success_rule_apply(&t->success, episode_return, success) ? 1.0 : 0.0;
    t->n++;
    t->has_pending = 0;
    t->episodes++;
    if (t->n < t->update_frequency)
        return TK_OK;
    const tk_status st = train(t);
    t->n = 0;
    return st;
}

static tk_status ss_snapshot(void *self, const char **json_out)
{
    setter_solver *t = self;
    *json_out = NULL;
    json_t *pts = json_array();
    double *g = malloc(t->d * sizeof *g), f;
    float *task = malloc(t->d * sizeof *task);
    int ok = pts && g && task;
    for (size_t k = 0; ok && k < SS_SNAPSHOT_POINTS; k++) {
        ok = draw_goal(t, &t->snap_rng, g, &f) == 0;
        goal_to_task(t, g, task);
        json_t *p = json_array();
        for (size_t i = 0; p && i < t->d; i++)
            json_array_append_new(p, json_real(task[i]));
        ok = ok && p && json_array_append_new(pts, p) == 0;
    }
    free(g), free(task);
    /* The "samples" snapshot (<teachkit/snapshot.h>) with the losses. */
    json_t *snap = ok ? tk_snapshot_samples(pts) : (json_decref(pts), NULL);
    char *text = tk_snapshot_dump(tk_snapshot_add(
        snap, json_pack("{s:I, s:I, s:f, s:f, s:f, s:f, s:b}", "episodes",
                        (json_int_t)t->episodes, "updates", (json_int_t)t->updates,
                        "loss_feasibility", t->losses[0], "loss_validity", t->losses[1],
                        "loss_coverage", t->losses[2], "loss_judge", t->losses[3],
                        "validity_skipped", t->valid_skipped)));
    if (!text)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    free(t->snapshot);
    t->snapshot = text;
    *json_out = text;
    return TK_OK;
}

/* ------------------------------------------------------------ checkpoint */

static void put_adam(tk_state_writer *w, const ss_adam *a)
{
    tk_state_put_u64(w, a->t);
    tk_state_put_f64s(w, a->m, a->n);
    tk_state_put_f64s(w, a->v, a->n);
}

/* Record: tag; layout (d, parameter counts, update_frequency); counters,
 * losses, snapshot stream; setter and judge weights and Adam states; the
 * pending sample; the stored outcomes. */
static tk_status ss_save(void *self, const void **data, size_t *size)
{
    setter_solver *t = self;
    tk_state_writer *w = &t->saved;
    const size_t fp = ss_flow_n_params(t->flow), jp = ss_mlp_n_params(t->judge), d = t->d;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, SS_STATE_TAG, SS_STATE_VERSION);
    tk_state_put_u64(w, d);
    tk_state_put_u64(w, fp);
    tk_state_put_u64(w, jp);
    tk_state_put_u64(w, t->update_frequency);
    tk_state_put_u64(w, t->episodes);
    tk_state_put_u64(w, t->updates);
    tk_state_put_f64s(w, t->losses, 4);
    tk_state_put_u64(w, (uint64_t)t->valid_skipped);
    tk_state_put_rng(w, &t->snap_rng);
    tk_state_put_f64s(w, ss_flow_params(t->flow), fp);
    put_adam(w, &t->flow_opt);
    tk_state_put_f64s(w, ss_mlp_params(t->judge), jp);
    put_adam(w, &t->judge_opt);
    tk_state_put_u64(w, (uint64_t)t->has_pending);
    tk_state_put_f32s(w, t->ptask, d);
    tk_state_put_f64s(w, t->pg, d);
    tk_state_put_f64(w, t->pf);
    tk_state_put_u64(w, t->n);
    tk_state_put_f64s(w, t->G, t->n * d);
    tk_state_put_f64s(w, t->F, t->n);
    tk_state_put_f64s(w, t->Y, t->n);
    if (w->failed)
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory saving the state");
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* Layout mismatches are refused before anything changes; the body is read
 * into scratch copies and checked before it replaces the instance's. */
static tk_status ss_load(void *self, const void *data, size_t size)
{
    setter_solver *t = self;
    const size_t fp = ss_flow_n_params(t->flow), jp = ss_mlp_n_params(t->judge), d = t->d;
    const size_t N = t->update_frequency;
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, SS_STATE_TAG, SS_STATE_VERSION);
    if (tk_state_get_u64(&r) != d || tk_state_get_u64(&r) != fp ||
        tk_state_get_u64(&r) != jp || tk_state_get_u64(&r) != N || r.failed)
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is not a setter-solver state for this task "
                              "space and config (corrupt, truncated or from another plugin)");
    const size_t total = 3 * fp + 3 * jp + d + N * d + 2 * N;
    double *buf = malloc(total * sizeof *buf);
    float *ptask = malloc(d * sizeof *ptask);
    if (!buf || !ptask) {
        free(buf), free(ptask);
        return t->host->error(t->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    }
    double *fpar = buf, *fm = fpar + fp, *fv = fm + fp, *jpar = fv + fp, *jm = jpar + jp,
           *jv = jm + jp, *pg = jv + jp, *G = pg + d, *F = G + N * d, *Y = F + N;
    const uint64_t episodes = tk_state_get_u64(&r), updates = tk_state_get_u64(&r);
    double losses[4];
    tk_state_get_f64s(&r, losses, 4);
    const int vskip = tk_state_get_u64(&r) != 0;
    tk_rng snap;
    tk_state_get_rng(&r, &snap);
    tk_state_get_f64s(&r, fpar, fp);
    const uint64_t ft = tk_state_get_u64(&r);
    tk_state_get_f64s(&r, fm, fp);
    tk_state_get_f64s(&r, fv, fp);
    tk_state_get_f64s(&r, jpar, jp);
    const uint64_t jt = tk_state_get_u64(&r);
    tk_state_get_f64s(&r, jm, jp);
    tk_state_get_f64s(&r, jv, jp);
    const int has_pending = tk_state_get_u64(&r) != 0;
    tk_state_get_f32s(&r, ptask, d);
    tk_state_get_f64s(&r, pg, d);
    const double pf = tk_state_get_f64(&r);
    const size_t n = (size_t)tk_state_get_count(&r, N - 1);
    tk_state_get_f64s(&r, G, n * d);
    tk_state_get_f64s(&r, F, n);
    tk_state_get_f64s(&r, Y, n);
    if (r.failed || r.pos != r.size || !all_finite(fpar, 3 * fp) || !all_finite(jpar, 3 * jp) ||
        !all_finite(G, n * d) || !all_finite(F, n)) {
        free(buf), free(ptask);
        return t->host->error(t->ctx, TK_ERR_INVALID, NULL,
                              "checkpoint data is corrupt or truncated (setter-solver state)");
    }
    memcpy(ss_flow_params(t->flow), fpar, fp * sizeof(double));
    memcpy(t->flow_opt.m, fm, fp * sizeof(double));
    memcpy(t->flow_opt.v, fv, fp * sizeof(double));
    t->flow_opt.t = ft;
    memcpy(ss_mlp_params(t->judge), jpar, jp * sizeof(double));
    memcpy(t->judge_opt.m, jm, jp * sizeof(double));
    memcpy(t->judge_opt.v, jv, jp * sizeof(double));
    t->judge_opt.t = jt;
    memcpy(t->ptask, ptask, d * sizeof(float));
    memcpy(t->pg, pg, d * sizeof(double));
    t->pf = pf;
    t->has_pending = has_pending;
    memcpy(t->G, G, n * d * sizeof(double));
    memcpy(t->F, F, n * sizeof(double));
    memcpy(t->Y, Y, n * sizeof(double));
    t->n = n;
    t->episodes = episodes;
    t->updates = updates;
    memcpy(t->losses, losses, sizeof losses);
    t->valid_skipped = vskip;
    t->snap_rng = snap;
    free(buf), free(ptask);
    return TK_OK;
}

/* ------------------------------------------------------------- extension */

static ss_flow *ext_flow(void *self) { return ((setter_solver *)self)->flow; }
static ss_mlp *ext_judge(void *self) { return ((setter_solver *)self)->judge; }
static void ext_losses(void *self, double out[4], int *skipped)
{
    const setter_solver *t = self;
    memcpy(out, t->losses, sizeof t->losses);
    *skipped = t->valid_skipped;
}

static const ss_flow_api ss_api = {
    sizeof(ss_flow_api), ss_soft_softplus, ss_soft_softplus_grad, ss_highway_new,
    ss_highway_free, ss_highway_n_params, ss_highway_params, ss_highway_grads,
    ss_highway_forward, ss_highway_backward, ss_flow_new, ss_flow_free, ss_flow_n_params,
    ss_flow_params, ss_flow_grads, ss_flow_forward, ss_flow_forward_backward, ss_flow_infer,
    ss_flow_infer_backward, ss_mlp_new, ss_mlp_free, ss_mlp_n_params, ss_mlp_params,
    ss_mlp_grads, ss_mlp_forward, ss_mlp_backward, ext_flow, ext_judge, ext_losses};

static const void *ss_get_extension(void *self, const char *id)
{
    (void)self;
    return strcmp(id, SS_FLOW_EXT_ID) == 0 ? &ss_api : NULL;
}

static const tk_teacher_vtable ss_vtable = {
    .struct_size = sizeof(tk_teacher_vtable),
    .create = ss_create,
    .destroy = ss_destroy,
    .sample = ss_sample,
    .update = ss_update,
    .step_update = NULL,
    .episode_start = NULL,
    .snapshot = ss_snapshot,
    .save = ss_save,
    .load = ss_load,
    .get_extension = ss_get_extension,
};

static const char *const ss_features[] = {TK_FEATURE_NEEDS_SUCCESS, TK_FEATURE_RAW_RETURN, NULL};

static const tk_descriptor ss_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "setter-solver",
    .name = "Setter-Solver",
    .version = "1.0.0",
    .description = "Setter-Solver: a conditional RealNVP goal setter trained for validity, "
                   "feasibility and coverage against a success judge (Racaniere et al. 2020)",
    .default_config = "{\"success\": null, \"update_frequency\": 100, "
                      "\"setter_loss_noise_ub\": 0.01, \"setter_hidden_size\": 128, "
                      "\"judge_hidden\": [64, 64]}",
    .features = ss_features,
    .vtable = &ss_vtable,
};

static const tk_descriptor *const ss_descriptors[] = {&ss_descriptor};

TK_PLUGIN_DESCRIPTORS(ss_descriptors);
