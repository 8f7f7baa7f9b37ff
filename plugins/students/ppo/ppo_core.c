/*
 * PPO learner: the clipped surrogate of Baselines ppo2 (model.py) and its
 * gradient (see ppo_core.h; TeachMyAgent/students/openai_baselines/ppo2/model.py).
 *
 * Per minibatch of n rows, with A_hat the advantages standardised over the
 * minibatch ((A - mean) / (std + 1e-8), population std), rho =
 * exp(logp - old_logp) and eps the clip range:
 *   pg  = mean(max(-A_hat rho, -A_hat clip(rho, 1 - eps, 1 + eps)))
 *   vf  = mean(max((v - R)^2, (v_old + clip(v - v_old, -eps, eps) - R)^2)) / 2
 *   ent = sum(log_std) + A log(2 pi e) / 2
 *   total = pg - ent_coef ent + vf_coef vf
 * Gradients follow TF's conventions at the kinks: tf.maximum sends the
 * gradient to its first argument on ties, clip_by_value passes it inside
 * the closed interval.
 */
#include "ppo_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/nn_policy.h"
#include "teachkit/rng.h"

#define VALUE_CHUNK 256

struct ppo_learner {
    ppo_hparams hp;
    tk_mlp *net;                  /* owned: obs -> hidden -> [mean | value] */
    float *log_std, *log_std_grad; /* owned, A each */
    tk_adam *adam_net, *adam_ls;  /* owned */
    tk_mlp_tape *t_train, *t_act, *t_value; /* owned */
    float *dout, *logp, *dlogp, *adv; /* owned scratch, minibatch rows */
};

void ppo_learner_free(ppo_learner *l)
{
    if (!l)
        return;
    tk_mlp_free(l->net);
    tk_adam_free(l->adam_net);
    tk_adam_free(l->adam_ls);
    tk_mlp_tape_free(l->t_train);
    tk_mlp_tape_free(l->t_act);
    tk_mlp_tape_free(l->t_value);
    free(l->log_std);
    free(l->log_std_grad);
    free(l->dout);
    free(l->logp);
    free(l->dlogp);
    free(l->adv);
    free(l);
}

static tk_mlp *make_net(const ppo_hparams *hp)
{
    size_t sizes[PPO_MAX_HIDDEN + 2];
    tk_nn_activation acts[PPO_MAX_HIDDEN + 1];
    sizes[0] = hp->obs_dim;
    for (size_t i = 0; i < hp->n_hidden; i++) {
        sizes[i + 1] = hp->hidden[i];
        acts[i] = hp->activation;
    }
    sizes[hp->n_hidden + 1] = hp->act_dim + 1;
    acts[hp->n_hidden] = TK_NN_LINEAR;
    return tk_mlp_new(hp->n_hidden + 1, sizes, acts, hp->leaky_slope);
}

/* Baselines: hidden fc layers ortho_init(sqrt(2)), pi head 0.01, vf head 1. */
static int init_net(ppo_learner *l, tk_rng *rng)
{
    const size_t L = l->hp.n_hidden, A = l->hp.act_dim;
    for (size_t i = 0; i < L; i++)
        if (tk_mlp_init_block(l->net, i, 0, l->hp.hidden[i], TK_NN_INIT_ORTHOGONAL,
                              (float)sqrt(2.0), rng))
            return -1;
    if (tk_mlp_init_block(l->net, L, 0, A, TK_NN_INIT_ORTHOGONAL, 0.01f, rng) ||
        tk_mlp_init_block(l->net, L, A, A + 1, TK_NN_INIT_ORTHOGONAL, 1.0f, rng))
        return -1;
    for (size_t i = 0; i < A; i++)
        l->log_std[i] = l->hp.init_log_std;
    return 0;
}

ppo_learner *ppo_learner_new(const ppo_hparams *hp, tk_rng *rng)
{
    if (!hp || hp->obs_dim == 0 || hp->act_dim == 0 || hp->n_hidden > PPO_MAX_HIDDEN ||
        hp->minibatch == 0)
        return NULL;
    ppo_learner *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->hp = *hp;
    const size_t A = hp->act_dim, M = hp->minibatch;
    l->net = make_net(hp);
    l->log_std = calloc(A, sizeof(float));
    l->log_std_grad = calloc(A, sizeof(float));
    l->dout = malloc(M * (A + 1) * sizeof(float));
    l->logp = malloc(M * sizeof(float));
    l->dlogp = malloc(M * sizeof(float));
    l->adv = malloc(M * sizeof(float));
    int ok = l->net && l->log_std && l->log_std_grad && l->dout && l->logp && l->dlogp &&
             l->adv && tk_mlp_set_precision(l->net, hp->precision) == 0;
    if (ok) {
        l->adam_net = tk_adam_new(tk_mlp_n_params(l->net), &hp->adam);
        l->adam_ls = tk_adam_new(A, &hp->adam);
        l->t_train = tk_mlp_tape_new(l->net, M);
        l->t_act = tk_mlp_tape_new(l->net, 1);
        l->t_value = tk_mlp_tape_new(l->net, VALUE_CHUNK);
        ok = l->adam_net && l->adam_ls && l->t_train && l->t_act && l->t_value;
    }
    if (!ok || init_net(l, rng)) {
        ppo_learner_free(l);
        return NULL;
    }
    return l;
}

tk_mlp *ppo_learner_net(ppo_learner *l) { return l->net; }
float *ppo_learner_log_std(ppo_learner *l) { return l->log_std; }
float *ppo_learner_log_std_grad(ppo_learner *l) { return l->log_std_grad; }

void ppo_learner_act(ppo_learner *l, const float *obs, const float *noise, float *u_out,
                     float *value_out, float *logp_out)
{
    const size_t A = l->hp.act_dim;
    const float *out = tk_mlp_forward(l->net, l->t_act, obs, 1);
    for (size_t i = 0; i < A; i++)
        u_out[i] = out[i] + (noise ? expf(l->log_std[i]) * noise[i] : 0.0f);
    if (value_out)
        *value_out = out[A];
    if (logp_out)
        tk_diag_gaussian_logp(1, A, out, A + 1, l->log_std, u_out, logp_out);
}

void ppo_learner_value(ppo_learner *l, const float *obs, size_t n, float *out)
{
    const size_t O = l->hp.obs_dim, A = l->hp.act_dim;
    for (size_t r = 0; r < n; r += VALUE_CHUNK) {
        const size_t m = n - r < VALUE_CHUNK ? n - r : VALUE_CHUNK;
        const float *y = tk_mlp_forward(l->net, l->t_value, obs + r * O, m);
        for (size_t k = 0; k < m; k++)
            out[r + k] = y[k * (A + 1) + A];
    }
}

/* adv := (adv - mean) / (std + 1e-8), population std (np.std). */
static void standardise(float *out, const float *adv, size_t n)
{
    double mean = 0.0, var = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += adv[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        var += ((double)adv[i] - mean) * ((double)adv[i] - mean);
    const double sd = sqrt(var / (double)n);
    for (size_t i = 0; i < n; i++)
        out[i] = (float)(((double)adv[i] - mean) / (sd + 1e-8));
}

static float clampf(float x, float lo, float hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

int ppo_learner_compute(ppo_learner *l, const ppo_batch *b, double stats[PPO_N_STATS],
                        int grads, float *logp_out, float *value_out)
{
    const size_t n = b->n, A = l->hp.act_dim, W = A + 1;
    if (n == 0 || n > l->hp.minibatch)
        return -1;
    const float eps = l->hp.clip_range, inv_n = 1.0f / (float)n;
    const float *out = tk_mlp_forward(l->net, l->t_train, b->obs, n);
    tk_diag_gaussian_logp(n, A, out, W, l->log_std, b->act, l->logp);
    standardise(l->adv, b->adv, n);
    double pg = 0.0, vf = 0.0, kl = 0.0, clipped = 0.0;
    if (grads) {
        tk_mlp_zero_grad(l->net);
        memset(l->log_std_grad, 0, A * sizeof(float));
    }
    for (size_t r = 0; r < n; r++) {
        const float adv = l->adv[r];
        const float ratio = expf(l->logp[r] - b->old_logp[r]);
        const float rc = clampf(ratio, 1.0f - eps, 1.0f + eps);
        const float l1 = -adv * ratio, l2 = -adv * rc;
        pg += l1 >= l2 ? l1 : l2;
        const double dlogp_old = (double)l->logp[r] - b->old_logp[r];
        kl += 0.5 * dlogp_old * dlogp_old;
        clipped += fabsf(ratio - 1.0f) > eps;
        const float v = out[r * W + A], R = b->ret[r], vo = b->old_value[r];
        const float vc = vo + clampf(v - vo, -eps, eps);
        const float e1 = (v - R) * (v - R), e2 = (vc - R) * (vc - R);
        const int use_clip = l->hp.clip_value && e2 > e1;
        vf += use_clip ? e2 : e1;
        if (!grads)
            continue;
        /* d pg_r / d ratio, then through ratio = exp(logp - old). */
        const int inside = ratio >= 1.0f - eps && ratio <= 1.0f + eps;
        const float dratio = l1 >= l2 || inside ? -adv : 0.0f;
        l->dlogp[r] = dratio * ratio * inv_n;
        const float dv = !use_clip ? v - R : fabsf(v - vo) <= eps ? vc - R : 0.0f;
        l->dout[r * W + A] = l->hp.vf_coef * dv * inv_n; /* d(vf_coef * mean(.)/2) */
    }
    const double ent = tk_diag_gaussian_entropy(A, l->log_std);
    stats[PPO_LOSS_PG] = pg / (double)n;
    stats[PPO_LOSS_VF] = 0.5 * vf / (double)n;
    stats[PPO_LOSS_ENTROPY] = ent;
    stats[PPO_LOSS_TOTAL] = stats[PPO_LOSS_PG] - l->hp.ent_coef * ent +
                            l->hp.vf_coef * stats[PPO_LOSS_VF];
    stats[PPO_LOSS_APPROX_KL] = kl / (double)n;
    stats[PPO_LOSS_CLIPFRAC] = clipped / (double)n;
    if (value_out)
        for (size_t r = 0; r < n; r++)
            value_out[r] = out[r * W + A];
    if (logp_out)
        memcpy(logp_out, l->logp, n * sizeof(float));
    if (!grads)
        return 0;
    tk_diag_gaussian_logp_backward(n, A, out, W, l->log_std, b->act, l->dlogp, l->dout, W,
                                   l->log_std_grad);
    for (size_t i = 0; i < A; i++)
        l->log_std_grad[i] -= l->hp.ent_coef;
    tk_mlp_backward(l->net, l->t_train, l->dout, NULL, 1);
    return 0;
}

int ppo_learner_update(ppo_learner *l, const ppo_batch *b, double stats[PPO_N_STATS],
                       double *grad_norm)
{
    if (ppo_learner_compute(l, b, stats, 1, NULL, NULL))
        return -1;
    const size_t P = tk_mlp_n_params(l->net), A = l->hp.act_dim;
    float *g = tk_mlp_grads(l->net);
    const double norm = sqrt(tk_nn_sum_squares(g, P) + tk_nn_sum_squares(l->log_std_grad, A));
    if (grad_norm)
        *grad_norm = norm;
    /* tf.clip_by_global_norm: scale by clip / max(norm, clip). */
    if (l->hp.max_grad_norm > 0.0f && norm > l->hp.max_grad_norm) {
        const float scale = (float)(l->hp.max_grad_norm / norm);
        tk_nn_scale(g, P, scale);
        tk_nn_scale(l->log_std_grad, A, scale);
    }
    tk_adam_step(l->adam_net, tk_mlp_params(l->net), g);
    tk_adam_step(l->adam_ls, l->log_std, l->log_std_grad);
    return 0;
}

void ppo_gae(size_t n, const float *rew, const float *val, const unsigned char *cont,
             const float *next_value, float last_value, double gamma, double lam, float *adv,
             float *ret)
{
    const float g = (float)gamma, gl = (float)(gamma * lam);
    float next_adv = 0.0f;
    for (size_t t = n; t-- > 0;) {
        const float nv = cont[t] ? (t + 1 < n ? val[t + 1] : last_value) : next_value[t];
        const float delta = rew[t] + g * nv - val[t];
        next_adv = delta + gl * (cont[t] ? next_adv : 0.0f);
        adv[t] = next_adv;
        ret[t] = next_adv + val[t];
    }
}

int ppo_learner_save(const ppo_learner *l, tk_nn_writer *w)
{
    return tk_nn_put_mlp(w, "net", l->net) ||
                   tk_nn_put_f32(w, "log_std", l->log_std, l->hp.act_dim) ||
                   tk_nn_put_adam(w, "adam_net", l->adam_net) ||
                   tk_nn_put_adam(w, "adam_log_std", l->adam_ls)
               ? -1
               : 0;
}

int ppo_learner_skip(const ppo_learner *l, tk_nn_reader *r)
{
    const size_t start = r->pos;
    if (tk_nn_skip_mlp(r, "net", l->net) || tk_nn_skip(r, "log_std", TK_NN_F32, l->hp.act_dim) ||
        tk_nn_skip_adam(r, "adam_net", l->adam_net) ||
        tk_nn_skip_adam(r, "adam_log_std", l->adam_ls)) {
        r->pos = start;
        return -1;
    }
    return 0;
}

int ppo_learner_load(ppo_learner *l, tk_nn_reader *r)
{
    const size_t start = r->pos;
    if (ppo_learner_skip(l, r))
        return -1;
    r->pos = start;
    tk_nn_get_mlp(r, "net", l->net);
    tk_nn_get_f32(r, "log_std", l->log_std, l->hp.act_dim);
    tk_nn_get_adam(r, "adam_net", l->adam_net);
    tk_nn_get_adam(r, "adam_log_std", l->adam_ls);
    return 0;
}
