/*
 * Setter-Solver networks with hand-written backpropagation (see ss_flow.h;
 * TeachMyAgent/teachers/utils/setter_solver_utils.py).  Row-major batches; matrix products
 * through cblas_dgemm: Y[n x out] = X[n x in] W[in x out] + b.
 */
#include "ss_flow.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/rng.h"

#define SS_MIN_SCALE 0.01
#define SS_BLOCKS 3
#define SS_COUPLINGS (3 * SS_BLOCKS)
#define SS_HIGHWAY_LAYERS 3

/* ------------------------------------------------------------ primitives */

/* Y = X W (+ Y when acc) : X [n x k], W [k x m]. */
static void mm(const double *x, const double *w, double *y, size_t n, size_t k, size_t m,
               int acc)
{
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m, (int)k, 1.0, x,
                (int)k, w, (int)m, acc ? 1.0 : 0.0, y, (int)m);
}

/* dW += X^T dY : X [n x k], dY [n x m]. */
static void mm_tn_acc(const double *x, const double *dy, double *dw, size_t n, size_t k,
                      size_t m)
{
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)m, (int)n, 1.0, x, (int)k,
                dy, (int)m, 1.0, dw, (int)m);
}

/* dX = dY W^T (+ dX when acc) : dY [n x m], W [k x m]. */
static void mm_nt(const double *dy, const double *w, double *dx, size_t n, size_t k, size_t m,
                  int acc)
{
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)k, (int)m, 1.0, dy,
                (int)m, w, (int)m, acc ? 1.0 : 0.0, dx, (int)k);
}

static void add_bias(double *y, const double *b, size_t n, size_t m)
{
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < m; j++)
            y[r * m + j] += b[j];
}

static void colsum_acc(const double *dy, double *db, size_t n, size_t m)
{
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < m; j++)
            db[j] += dy[r * m + j];
}

static double sigm(double x)
{
    return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}

/* log sigmoid(x), stable. */
static double log_sigm(double x)
{
    return x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x));
}

/* Sonnet-1 linear init: truncated normal (2 sigma) with std 1/sqrt(fan_in). */
static void init_weights(double *w, size_t fan_in, size_t count, tk_rng *rng)
{
    const double sd = 1.0 / sqrt((double)fan_in);
    for (size_t i = 0; i < count; i++) {
        double x;
        do
            x = tk_rng_normal(rng);
        while (fabs(x) > 2.0);
        w[i] = x * sd;
    }
}

/* setter_solver_utils.py's soft softplus: s = 1e6 / (pi/2), x' = s atan(x / s),
 * sp = x' (atan(x') / pi + 0.5) + 1 / pi, or 1 / (3 pi x'^2) for x' < -30. */
double ss_soft_softplus(double x)
{
    const double s = 1e6 / (M_PI / 2.0), xp = s * atan(x / s);
    if (xp < -30.0)
        return 1.0 / (3.0 * M_PI * xp * xp);
    return xp * (atan(xp) / M_PI + 0.5) + 1.0 / M_PI;
}

double ss_soft_softplus_grad(double x)
{
    const double s = 1e6 / (M_PI / 2.0), xp = s * atan(x / s);
    const double dxp = 1.0 / (1.0 + (x / s) * (x / s));
    if (xp < -30.0)
        return -2.0 / (3.0 * M_PI * xp * xp * xp) * dxp;
    return (atan(xp) / M_PI + 0.5 + xp / (M_PI * (1.0 + xp * xp))) * dxp;
}

/* ------------------------------------------------------------ highway net */

struct ss_highway {
    size_t in, hs, out;
    double *p, *g;   /* parameter / gradient views (owned when own_params) */
    int own_params;
    size_t n, cap;   /* rows of the latest forward, cache capacity */
    const double *x; /* borrowed input of the latest forward */
    double *y[SS_HIGHWAY_LAYERS + 1], *ta[SS_HIGHWAY_LAYERS], *sg[SS_HIGHWAY_LAYERS];
    double *work, *dy, *dprev; /* scratch */
};

static size_t highway_count(size_t in, size_t hs, size_t out)
{
    return in * hs + hs + SS_HIGHWAY_LAYERS * (hs * 2 * hs + 2 * hs) + hs * out + out;
}

/* Views of the parameter layout: W0, b0, (Wk, bk) x 3, Wout, bout. */
static double *hw_w0(const ss_highway *h, double *base) { (void)h; return base; }
static double *hw_b0(const ss_highway *h, double *base) { return base + h->in * h->hs; }
static double *hw_wk(const ss_highway *h, double *base, size_t k)
{
    return hw_b0(h, base) + h->hs + k * (2 * h->hs * h->hs + 2 * h->hs);
}
static double *hw_bk(const ss_highway *h, double *base, size_t k)
{
    return hw_wk(h, base, k) + 2 * h->hs * h->hs;
}
static double *hw_wout(const ss_highway *h, double *base)
{
    return hw_wk(h, base, SS_HIGHWAY_LAYERS);
}
static double *hw_bout(const ss_highway *h, double *base)
{
    return hw_wout(h, base) + h->hs * h->out;
}

static void highway_free_cache(ss_highway *h)
{
    for (size_t k = 0; k <= SS_HIGHWAY_LAYERS; k++)
        free(h->y[k]);
    for (size_t k = 0; k < SS_HIGHWAY_LAYERS; k++)
        free(h->ta[k]), free(h->sg[k]);
    free(h->work), free(h->dy), free(h->dprev);
    memset(h->y, 0, sizeof h->y);
    memset(h->ta, 0, sizeof h->ta);
    memset(h->sg, 0, sizeof h->sg);
    h->work = h->dy = h->dprev = NULL;
    h->cap = 0;
}

static int highway_reserve(ss_highway *h, size_t n)
{
    if (n <= h->cap)
        return 0;
    highway_free_cache(h);
    const size_t hs = h->hs;
    int ok = 1;
    for (size_t k = 0; k <= SS_HIGHWAY_LAYERS; k++)
        ok &= (h->y[k] = malloc(n * hs * sizeof(double))) != NULL;
    for (size_t k = 0; k < SS_HIGHWAY_LAYERS; k++) {
        ok &= (h->ta[k] = malloc(n * hs * sizeof(double))) != NULL;
        ok &= (h->sg[k] = malloc(n * hs * sizeof(double))) != NULL;
    }
    ok &= (h->work = malloc(n * 2 * hs * sizeof(double))) != NULL;
    ok &= (h->dy = malloc(n * hs * sizeof(double))) != NULL;
    ok &= (h->dprev = malloc(n * hs * sizeof(double))) != NULL;
    if (!ok) {
        highway_free_cache(h);
        return -1;
    }
    h->cap = n;
    return 0;
}

static void highway_init(ss_highway *h, size_t in, size_t hs, size_t out, double *p, double *g,
                         tk_rng *rng)
{
    memset(h, 0, sizeof *h);
    h->in = in, h->hs = hs, h->out = out, h->p = p, h->g = g;
    memset(p, 0, highway_count(in, hs, out) * sizeof *p);
    init_weights(hw_w0(h, p), in, in * hs, rng);
    for (size_t k = 0; k < SS_HIGHWAY_LAYERS; k++)
        init_weights(hw_wk(h, p, k), hs, 2 * hs * hs, rng);
    init_weights(hw_wout(h, p), hs, hs * out, rng);
}

ss_highway *ss_highway_new(size_t in, size_t hs, size_t out, tk_rng *rng)
{
    ss_highway *h = calloc(1, sizeof *h);
    const size_t np = highway_count(in, hs, out);
    double *p = calloc(np, sizeof *p), *g = calloc(np, sizeof *g);
    if (!h || !p || !g || in == 0 || hs == 0 || out == 0) {
        free(h), free(p), free(g);
        return NULL;
    }
    highway_init(h, in, hs, out, p, g, rng);
    h->own_params = 1;
    return h;
}

void ss_highway_free(ss_highway *h)
{
    if (!h)
        return;
    highway_free_cache(h);
    if (h->own_params)
        free(h->p), free(h->g);
    free(h);
}

size_t ss_highway_n_params(const ss_highway *h) { return highway_count(h->in, h->hs, h->out); }
double *ss_highway_params(ss_highway *h) { return h->p; }
double *ss_highway_grads(ss_highway *h) { return h->g; }

int ss_highway_forward(ss_highway *h, const double *x, size_t n, double *out)
{
    if (n == 0 || highway_reserve(h, n))
        return -1;
    const size_t hs = h->hs;
    h->x = x;
    h->n = n;
    mm(x, hw_w0(h, h->p), h->y[0], n, h->in, hs, 0);
    add_bias(h->y[0], hw_b0(h, h->p), n, hs);
    for (size_t i = 0; i < n * hs; i++)
        h->y[0][i] = tanh(h->y[0][i]);
    for (size_t k = 0; k < SS_HIGHWAY_LAYERS; k++) {
        mm(h->y[k], hw_wk(h, h->p, k), h->work, n, hs, 2 * hs, 0);
        add_bias(h->work, hw_bk(h, h->p, k), n, 2 * hs);
        for (size_t r = 0; r < n; r++)
            for (size_t i = 0; i < hs; i++) {
                const double ta = tanh(h->work[r * 2 * hs + i]);
                const double sg = sigm(h->work[r * 2 * hs + hs + i]);
                const double y = h->y[k][r * hs + i];
                h->ta[k][r * hs + i] = ta;
                h->sg[k][r * hs + i] = sg;
                h->y[k + 1][r * hs + i] = y + (ta - y) * sg;
            }
    }
    mm(h->y[SS_HIGHWAY_LAYERS], hw_wout(h, h->p), out, n, hs, h->out, 0);
    add_bias(out, hw_bout(h, h->p), n, h->out);
    return 0;
}

int ss_highway_backward(ss_highway *h, const double *dout, double *dx)
{
    if (h->n == 0)
        return -1;
    const size_t n = h->n, hs = h->hs;
    mm_tn_acc(h->y[SS_HIGHWAY_LAYERS], dout, hw_wout(h, h->g), n, hs, h->out);
    colsum_acc(dout, hw_bout(h, h->g), n, h->out);
    mm_nt(dout, hw_wout(h, h->p), h->dy, n, hs, h->out, 0);
    for (size_t k = SS_HIGHWAY_LAYERS; k-- > 0;) {
        for (size_t r = 0; r < n; r++)
            for (size_t i = 0; i < hs; i++) {
                const size_t q = r * hs + i;
                const double dyv = h->dy[q], ta = h->ta[k][q], sg = h->sg[k][q];
                h->work[r * 2 * hs + i] = dyv * sg * (1.0 - ta * ta);
                h->work[r * 2 * hs + hs + i] = dyv * (ta - h->y[k][q]) * sg * (1.0 - sg);
                h->dprev[q] = dyv * (1.0 - sg);
            }
        mm_tn_acc(h->y[k], h->work, hw_wk(h, h->g, k), n, hs, 2 * hs);
        colsum_acc(h->work, hw_bk(h, h->g, k), n, 2 * hs);
        mm_nt(h->work, hw_wk(h, h->p, k), h->dprev, n, hs, 2 * hs, 1);
        double *tmp = h->dy;
        h->dy = h->dprev;
        h->dprev = tmp;
    }
    for (size_t q = 0; q < n * hs; q++)
        h->dy[q] *= 1.0 - h->y[0][q] * h->y[0][q];
    mm_tn_acc(h->x, h->dy, hw_w0(h, h->g), n, h->in, hs);
    colsum_acc(h->dy, hw_b0(h, h->g), n, hs);
    if (dx)
        mm_nt(h->dy, hw_w0(h, h->p), dx, n, h->in, hs, 0);
    return 0;
}

/* -------------------------------------------------------------- coupling */

typedef struct coupling {
    size_t nu, nv;
    size_t *u, *v;   /* owned index lists */
    ss_highway S, T; /* parameters are views into the flow's arrays */
    size_t cap;
    double *in, *sraw, *t, *sc, *vval, *dins, *dint, *dsc, *dt; /* caches / scratch */
} coupling;

static void coupling_free_cache(coupling *c)
{
    free(c->in), free(c->sraw), free(c->t), free(c->sc), free(c->vval);
    free(c->dins), free(c->dint), free(c->dsc), free(c->dt);
    c->in = c->sraw = c->t = c->sc = c->vval = c->dins = c->dint = c->dsc = c->dt = NULL;
    c->cap = 0;
}

static int coupling_reserve(coupling *c, size_t n)
{
    if (n <= c->cap)
        return 0;
    coupling_free_cache(c);
    const size_t ni = c->nu + 1, nv = c->nv;
    c->in = malloc(n * ni * sizeof(double));
    c->dins = malloc(n * ni * sizeof(double));
    c->dint = malloc(n * ni * sizeof(double));
    c->sraw = malloc(n * nv * sizeof(double));
    c->t = malloc(n * nv * sizeof(double));
    c->sc = malloc(n * nv * sizeof(double));
    c->vval = malloc(n * nv * sizeof(double));
    c->dsc = malloc(n * nv * sizeof(double));
    c->dt = malloc(n * nv * sizeof(double));
    if (!c->in || !c->dins || !c->dint || !c->sraw || !c->t || !c->sc || !c->vval || !c->dsc ||
        !c->dt) {
        coupling_free_cache(c);
        return -1;
    }
    c->cap = n;
    return 0;
}

/* in = [x_u, f]; scale and translation of every row. */
static int coupling_nets(coupling *c, const double *x, const double *f, size_t n, size_t d)
{
    const size_t ni = c->nu + 1;
    for (size_t r = 0; r < n; r++) {
        for (size_t j = 0; j < c->nu; j++)
            c->in[r * ni + j] = x[r * d + c->u[j]];
        c->in[r * ni + c->nu] = f[r];
    }
    if (ss_highway_forward(&c->S, c->in, n, c->sraw) ||
        ss_highway_forward(&c->T, c->in, n, c->t))
        return -1;
    for (size_t q = 0; q < n * c->nv; q++)
        c->sc[q] = SS_MIN_SCALE + ss_soft_softplus(c->sraw[q]);
    return 0;
}

/* Forward: v' = v scale + t; logp -= sum log scale.  vval keeps v. */
static int coupling_fwd(coupling *c, double *x, const double *f, double *logp, size_t n,
                        size_t d)
{
    if (c->nu == 0 || c->nv == 0)
        return 0; /* d = 1: identity */
    if (coupling_reserve(c, n) || coupling_nets(c, x, f, n, d))
        return -1;
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < c->nv; j++) {
            const size_t q = r * c->nv + j;
            double *xv = &x[r * d + c->v[j]];
            c->vval[q] = *xv;
            *xv = *xv * c->sc[q] + c->t[q];
            logp[r] -= log(c->sc[q]);
        }
    return 0;
}

/* Inverse: v = (v' - t) / scale; logp -= sum log scale.  vval keeps v. */
static int coupling_inv(coupling *c, double *x, const double *f, double *logp, size_t n,
                        size_t d)
{
    if (c->nu == 0 || c->nv == 0)
        return 0;
    if (coupling_reserve(c, n) || coupling_nets(c, x, f, n, d))
        return -1;
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < c->nv; j++) {
            const size_t q = r * c->nv + j;
            double *xv = &x[r * d + c->v[j]];
            *xv = (*xv - c->t[q]) / c->sc[q];
            c->vval[q] = *xv;
            logp[r] -= log(c->sc[q]);
        }
    return 0;
}

/* Common tail: from dscale and dt to the nets and the u part of dx. */
static int coupling_nets_backward(coupling *c, double *dx, size_t n, size_t d)
{
    for (size_t q = 0; q < n * c->nv; q++)
        c->dsc[q] *= ss_soft_softplus_grad(c->sraw[q]);
    if (ss_highway_backward(&c->S, c->dsc, c->dins) || ss_highway_backward(&c->T, c->dt, c->dint))
        return -1;
    const size_t ni = c->nu + 1;
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < c->nu; j++)
            dx[r * d + c->u[j]] += c->dins[r * ni + j] + c->dint[r * ni + j];
    return 0;
}

/* dx: gradient w.r.t. the coupling's output on entry, input on return. */
static int coupling_fwd_backward(coupling *c, double *dx, const double *dlogp, size_t n,
                                 size_t d)
{
    if (c->nu == 0 || c->nv == 0)
        return 0;
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < c->nv; j++) {
            const size_t q = r * c->nv + j;
            double *dv = &dx[r * d + c->v[j]];
            c->dsc[q] = *dv * c->vval[q] - dlogp[r] / c->sc[q];
            c->dt[q] = *dv;
            *dv *= c->sc[q];
        }
    return coupling_nets_backward(c, dx, n, d);
}

static int coupling_inv_backward(coupling *c, double *dx, const double *dlogp, size_t n,
                                 size_t d)
{
    if (c->nu == 0 || c->nv == 0)
        return 0;
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < c->nv; j++) {
            const size_t q = r * c->nv + j;
            double *dv = &dx[r * d + c->v[j]];
            const double s = c->sc[q];
            c->dsc[q] = -*dv * c->vval[q] / s - dlogp[r] / s;
            c->dt[q] = -*dv / s;
            *dv /= s;
        }
    return coupling_nets_backward(c, dx, n, d);
}

/* ------------------------------------------------------------------ flow */

struct ss_flow {
    size_t d, hs, np;
    double *p, *g; /* owned */
    coupling c[SS_COUPLINGS];
    size_t n, cap;
    double *x, *logit, *dx, *z0, *zero; /* owned work, cap * d (zero: cap) */
    int last;                      /* 1 forward, 2 infer, 0 none */
};

static void flow_free_cache(ss_flow *f)
{
    free(f->x), free(f->logit), free(f->dx), free(f->z0), free(f->zero);
    f->x = f->logit = f->dx = f->z0 = f->zero = NULL;
    f->cap = 0;
}

static int flow_reserve(ss_flow *f, size_t n)
{
    if (n <= f->cap)
        return 0;
    flow_free_cache(f);
    f->x = malloc(n * f->d * sizeof(double));
    f->logit = malloc(n * f->d * sizeof(double));
    f->dx = malloc(n * f->d * sizeof(double));
    f->z0 = malloc(n * f->d * sizeof(double));
    f->zero = calloc(n, sizeof(double));
    if (!f->x || !f->logit || !f->dx || !f->z0 || !f->zero) {
        flow_free_cache(f);
        return -1;
    }
    f->cap = n;
    return 0;
}

/* Index sets of coupling k (setter_solver_utils.py): block order left->right,
 * right->left, interlaced (u odd indices, v even ones). */
static int split(size_t d, size_t kind, size_t *u, size_t *nu, size_t *v, size_t *nv)
{
    const size_t n1 = d / 2;
    *nu = *nv = 0;
    for (size_t i = 0; i < d; i++) {
        int in_u;
        if (kind == 0)
            in_u = i < n1;
        else if (kind == 1)
            in_u = i >= n1;
        else
            in_u = i % 2 == 1;
        if (in_u)
            u[(*nu)++] = i;
        else
            v[(*nv)++] = i;
    }
    return 0;
}

void ss_flow_free(ss_flow *f)
{
    if (!f)
        return;
    for (size_t k = 0; k < SS_COUPLINGS; k++) {
        highway_free_cache(&f->c[k].S);
        highway_free_cache(&f->c[k].T);
        coupling_free_cache(&f->c[k]);
        free(f->c[k].u), free(f->c[k].v);
    }
    flow_free_cache(f);
    free(f->p), free(f->g);
    free(f);
}

ss_flow *ss_flow_new(size_t d, size_t hs, tk_rng *rng)
{
    if (d == 0 || hs == 0)
        return NULL;
    ss_flow *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->d = d, f->hs = hs;
    int ok = 1;
    for (size_t k = 0; k < SS_COUPLINGS && ok; k++) {
        coupling *c = &f->c[k];
        c->u = malloc(d * sizeof *c->u);
        c->v = malloc(d * sizeof *c->v);
        ok = c->u && c->v;
        if (ok) {
            split(d, k % 3, c->u, &c->nu, c->v, &c->nv);
            if (c->nu && c->nv)
                f->np += 2 * highway_count(c->nu + 1, hs, c->nv);
        }
    }
    f->p = ok ? malloc((f->np ? f->np : 1) * sizeof(double)) : NULL;
    f->g = ok ? calloc(f->np ? f->np : 1, sizeof(double)) : NULL;
    if (!f->p || !f->g) {
        ss_flow_free(f);
        return NULL;
    }
    size_t off = 0;
    for (size_t k = 0; k < SS_COUPLINGS; k++) {
        coupling *c = &f->c[k];
        if (!c->nu || !c->nv)
            continue;
        const size_t m = highway_count(c->nu + 1, hs, c->nv);
        highway_init(&c->S, c->nu + 1, hs, c->nv, f->p + off, f->g + off, rng);
        off += m;
        highway_init(&c->T, c->nu + 1, hs, c->nv, f->p + off, f->g + off, rng);
        off += m;
    }
    return f;
}

size_t ss_flow_n_params(const ss_flow *f) { return f->np; }
double *ss_flow_params(ss_flow *f) { return f->p; }
double *ss_flow_grads(ss_flow *f) { return f->g; }

int ss_flow_forward(ss_flow *f, const double *z, const double *cond, size_t n, double *g,
                    double *logp)
{
    const size_t d = f->d;
    if (n == 0 || flow_reserve(f, n))
        return -1;
    f->n = n;
    f->last = 0;
    memcpy(f->x, z, n * d * sizeof(double));
    memcpy(f->z0, z, n * d * sizeof(double));
    for (size_t r = 0; r < n; r++) {
        double s = 0.0;
        for (size_t i = 0; i < d; i++)
            s += z[r * d + i] * z[r * d + i];
        logp[r] = -0.5 * s;
    }
    for (size_t k = 0; k < SS_COUPLINGS; k++)
        if (coupling_fwd(&f->c[k], f->x, cond, logp, n, d))
            return -1;
    memcpy(f->logit, f->x, n * d * sizeof(double));
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < d; i++) {
            const double l = f->logit[r * d + i];
            logp[r] -= log_sigm(l) + log_sigm(-l);
            g[r * d + i] = sigm(l);
        }
    f->last = 1;
    return 0;
}

int ss_flow_forward_backward(ss_flow *f, const double *dg, const double *dlogp, double *dz)
{
    if (f->last != 1)
        return -1;
    const size_t n = f->n, d = f->d;
    if (!dlogp)
        dlogp = f->zero;
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < d; i++) {
            const size_t q = r * d + i;
            const double s = sigm(f->logit[q]);
            f->dx[q] = (dg ? dg[q] * s * (1.0 - s) : 0.0) - dlogp[r] * (1.0 - 2.0 * s);
        }
    for (size_t k = SS_COUPLINGS; k-- > 0;)
        if (coupling_fwd_backward(&f->c[k], f->dx, dlogp, n, d))
            return -1;
    if (dz) /* plus the -0.5 |z|^2 term of the initial logp */
        for (size_t r = 0; r < n; r++)
            for (size_t i = 0; i < d; i++)
                dz[r * d + i] = f->dx[r * d + i] - f->z0[r * d + i] * dlogp[r];
    f->last = 0;
    return 0;
}

int ss_flow_infer(ss_flow *f, const double *g, const double *cond, size_t n, double *z,
                  double *logp)
{
    const size_t d = f->d;
    if (n == 0 || flow_reserve(f, n))
        return -1;
    f->n = n;
    f->last = 0;
    for (size_t r = 0; r < n; r++) {
        logp[r] = 0.0;
        for (size_t i = 0; i < d; i++) {
            const double gv = g[r * d + i];
            const double l = log(gv) - log1p(-gv);
            f->x[r * d + i] = l;
            f->logit[r * d + i] = l;
            logp[r] -= log_sigm(l) + log_sigm(-l);
        }
    }
    for (size_t k = SS_COUPLINGS; k-- > 0;)
        if (coupling_inv(&f->c[k], f->x, cond, logp, n, d))
            return -1;
    for (size_t r = 0; r < n; r++) {
        double s = 0.0;
        for (size_t i = 0; i < d; i++)
            s += f->x[r * d + i] * f->x[r * d + i];
        logp[r] -= 0.5 * s;
    }
    memcpy(z, f->x, n * d * sizeof(double));
    f->last = 2;
    return 0;
}

int ss_flow_infer_backward(ss_flow *f, const double *dz, const double *dlogp, double *dg)
{
    if (f->last != 2)
        return -1;
    const size_t n = f->n, d = f->d;
    if (!dlogp)
        dlogp = f->zero;
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < d; i++) {
            const size_t q = r * d + i;
            f->dx[q] = (dz ? dz[q] : 0.0) - f->x[q] * dlogp[r];
        }
    for (size_t k = 0; k < SS_COUPLINGS; k++)
        if (coupling_inv_backward(&f->c[k], f->dx, dlogp, n, d))
            return -1;
    if (dg) /* logit = ln(g / (1 - g)), and the logit term of logp */
        for (size_t r = 0; r < n; r++)
            for (size_t i = 0; i < d; i++) {
                const size_t q = r * d + i;
                const double s = sigm(f->logit[q]);
                dg[q] = (f->dx[q] - dlogp[r] * (1.0 - 2.0 * s)) / (s * (1.0 - s));
            }
    f->last = 0;
    return 0;
}

/* ------------------------------------------------------------------- MLP */

struct ss_mlp {
    size_t layers;
    size_t *sizes;   /* owned, layers + 1 */
    double *p, *g;   /* owned */
    size_t np, n, cap;
    const double *x; /* borrowed input */
    double **a;      /* owned: post-activation of each layer, cap x sizes[l+1] */
    double *d0, *d1; /* scratch, cap x max size */
    size_t maxw;
};

static double *mlp_w(const ss_mlp *m, double *base, size_t l)
{
    size_t off = 0;
    for (size_t k = 0; k < l; k++)
        off += m->sizes[k] * m->sizes[k + 1] + m->sizes[k + 1];
    return base + off;
}

ss_mlp *ss_mlp_new(size_t layers, const size_t *sizes, tk_rng *rng)
{
    ss_mlp *m = calloc(1, sizeof *m);
    if (!m || layers == 0)
        return free(m), NULL;
    m->layers = layers;
    m->sizes = malloc((layers + 1) * sizeof *m->sizes);
    m->a = calloc(layers, sizeof *m->a);
    if (!m->sizes || !m->a) {
        ss_mlp_free(m);
        return NULL;
    }
    memcpy(m->sizes, sizes, (layers + 1) * sizeof *sizes);
    for (size_t l = 0; l <= layers; l++) {
        if (sizes[l] == 0) {
            ss_mlp_free(m);
            return NULL;
        }
        m->maxw = sizes[l] > m->maxw ? sizes[l] : m->maxw;
    }
    for (size_t l = 0; l < layers; l++)
        m->np += sizes[l] * sizes[l + 1] + sizes[l + 1];
    m->p = calloc(m->np, sizeof(double));
    m->g = calloc(m->np, sizeof(double));
    if (!m->p || !m->g) {
        ss_mlp_free(m);
        return NULL;
    }
    for (size_t l = 0; l < layers; l++)
        init_weights(mlp_w(m, m->p, l), sizes[l], sizes[l] * sizes[l + 1], rng);
    return m;
}

static void mlp_free_cache(ss_mlp *m)
{
    for (size_t l = 0; l < m->layers; l++) {
        free(m->a[l]);
        m->a[l] = NULL;
    }
    free(m->d0), free(m->d1);
    m->d0 = m->d1 = NULL;
    m->cap = 0;
}

void ss_mlp_free(ss_mlp *m)
{
    if (!m)
        return;
    if (m->a)
        mlp_free_cache(m);
    free(m->a), free(m->sizes), free(m->p), free(m->g);
    free(m);
}

size_t ss_mlp_n_params(const ss_mlp *m) { return m->np; }
double *ss_mlp_params(ss_mlp *m) { return m->p; }
double *ss_mlp_grads(ss_mlp *m) { return m->g; }

int ss_mlp_forward(ss_mlp *m, const double *x, size_t n, double *y)
{
    if (n == 0)
        return -1;
    if (n > m->cap) {
        mlp_free_cache(m);
        int ok = 1;
        for (size_t l = 0; l < m->layers; l++)
            ok &= (m->a[l] = malloc(n * m->sizes[l + 1] * sizeof(double))) != NULL;
        ok &= (m->d0 = malloc(n * m->maxw * sizeof(double))) != NULL;
        ok &= (m->d1 = malloc(n * m->maxw * sizeof(double))) != NULL;
        if (!ok) {
            mlp_free_cache(m);
            return -1;
        }
        m->cap = n;
    }
    m->x = x;
    m->n = n;
    const double *in = x;
    for (size_t l = 0; l < m->layers; l++) {
        const size_t k = m->sizes[l], o = m->sizes[l + 1];
        double *w = mlp_w(m, m->p, l);
        mm(in, w, m->a[l], n, k, o, 0);
        add_bias(m->a[l], w + k * o, n, o);
        if (l + 1 < m->layers)
            for (size_t q = 0; q < n * o; q++)
                m->a[l][q] = m->a[l][q] > 0.0 ? m->a[l][q] : 0.0;
        in = m->a[l];
    }
    memcpy(y, m->a[m->layers - 1], n * m->sizes[m->layers] * sizeof(double));
    return 0;
}

int ss_mlp_backward(ss_mlp *m, const double *dy, double *dx, int param_grads)
{
    if (m->n == 0)
        return -1;
    const size_t n = m->n;
    memcpy(m->d0, dy, n * m->sizes[m->layers] * sizeof(double));
    for (size_t l = m->layers; l-- > 0;) {
        const size_t k = m->sizes[l], o = m->sizes[l + 1];
        if (l + 1 < m->layers)
            for (size_t q = 0; q < n * o; q++)
                if (m->a[l][q] <= 0.0)
                    m->d0[q] = 0.0;
        const double *in = l ? m->a[l - 1] : m->x;
        if (param_grads) {
            double *gw = mlp_w(m, m->g, l);
            mm_tn_acc(in, m->d0, gw, n, k, o);
            colsum_acc(m->d0, gw + k * o, n, o);
        }
        if (l == 0 && !dx)
            break;
        mm_nt(m->d0, mlp_w(m, m->p, l), l ? m->d1 : dx, n, k, o, 0);
        if (l) {
            double *tmp = m->d0;
            m->d0 = m->d1;
            m->d1 = tmp;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ Adam */

int ss_adam_init(ss_adam *a, size_t n, double lr)
{
    memset(a, 0, sizeof *a);
    a->n = n, a->lr = lr, a->b1 = 0.9, a->b2 = 0.999, a->eps = 1e-8;
    a->m = calloc(n ? n : 1, sizeof(double));
    a->v = calloc(n ? n : 1, sizeof(double));
    return a->m && a->v ? 0 : -1;
}

void ss_adam_free(ss_adam *a)
{
    free(a->m), free(a->v);
    a->m = a->v = NULL;
}

/* TF1 AdamOptimizer: lr_t = lr sqrt(1 - b2^t) / (1 - b1^t);
 * p -= lr_t m / (sqrt(v) + eps). */
void ss_adam_step(ss_adam *a, double *p, const double *g)
{
    a->t++;
    const double lr_t =
        a->lr * sqrt(1.0 - pow(a->b2, (double)a->t)) / (1.0 - pow(a->b1, (double)a->t));
    for (size_t i = 0; i < a->n; i++) {
        a->m[i] = a->b1 * a->m[i] + (1.0 - a->b1) * g[i];
        a->v[i] = a->b2 * a->v[i] + (1.0 - a->b2) * g[i] * g[i];
        p[i] -= lr_t * a->m[i] / (sqrt(a->v[i]) + a->eps);
    }
}
