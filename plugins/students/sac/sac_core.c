/*
 * SAC learner: one gradient step of SpinningUp 0.1.1 SAC as run by the
 * papers (teachDeepRL teachDRL/spinup/algos/sac/sac.py and core.py; see
 * sac_core.h).
 *
 * One step on a minibatch (s, a, r, s', d) of n rows and noise eps:
 *   forward   pi(s) -> [mu | s_], a~ = tanh(mu + std eps), logp(a~)
 *             Q1, Q2 on [s, a] and on [s, a~];  V(s);  V_targ(s')
 *   targets   y_q = r + gamma (1 - d) V_targ(s')
 *             y_v = min(Q1(s,a~), Q2(s,a~)) - alpha logp(a~)     (no gradient)
 *   losses    L_pi = mean(alpha logp(a~) - Q1(s,a~))              (Q1 only)
 *             L_qi = mean((y_q - Qi(s,a))^2) / 2,  L_v = mean((y_v - V(s))^2) / 2
 *   backward  dQi(s,a) = (Qi - y_q)/n, dV = (V - y_v)/n into the value nets;
 *             dQ1(s,a~) = -1/n back to the action only (Q1's weights are not
 *             touched by the policy loss), then through the squashed
 *             Gaussian with dlogp = alpha/n into pi.
 *   update    Adam on pi and on {q1, q2, v} with gradients from the
 *             pre-step parameters (equivalent to the TF graph of sac.py,
 *             whose train ops read the same values), then Polyak on v_targ.
 * Every matrix product is one oneDNN matmul over the batch (nn.c), in the
 * precision of sac_hparams.precision.
 */
#include "sac_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/nn_policy.h"
#include "teachkit/rng.h"

#define VALUE_CHUNK 256

struct sac_learner {
    sac_hparams hp;
    tk_squashed_gaussian head;
    tk_mlp *net[SAC_N_NETS];          /* owned */
    tk_adam *adam[SAC_N_NETS - 1];    /* owned; pi, q1, q2, v (v_targ has none) */
    /* Tapes (owned): pi, q1 on (s,a), q1 on (s,a~), q2 x2, v, v_targ, and
     * single-row / chunk tapes for acting and value queries. */
    tk_mlp_tape *t_pi, *t_q1a, *t_q1p, *t_q2a, *t_q2p, *t_v, *t_vt, *t_act, *t_value;
    /* Scratch, batch_size rows (owned). */
    float *q_in_a, *q_in_p;           /* [n x (O+A)] */
    float *pi_act, *logp, *y, *dq, *dhead, *dq_in, *ga, *gl;
};

static void free_nets(sac_learner *l)
{
    for (int i = 0; i < SAC_N_NETS; i++)
        tk_mlp_free(l->net[i]);
    for (int i = 0; i < SAC_N_NETS - 1; i++)
        tk_adam_free(l->adam[i]);
}

void sac_learner_free(sac_learner *l)
{
    if (!l)
        return;
    free_nets(l);
    tk_mlp_tape *tapes[] = {l->t_pi, l->t_q1a, l->t_q1p, l->t_q2a, l->t_q2p,
                            l->t_v,  l->t_vt,  l->t_act, l->t_value};
    for (size_t i = 0; i < sizeof tapes / sizeof *tapes; i++)
        tk_mlp_tape_free(tapes[i]);
    float *bufs[] = {l->q_in_a, l->q_in_p, l->pi_act, l->logp, l->y,
                     l->dq,     l->dhead,  l->dq_in,  l->ga,   l->gl};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        free(bufs[i]);
    free(l);
}

/* in -> hidden... -> out with the configured hidden activation. */
static tk_mlp *make_mlp(const sac_hparams *hp, size_t in, size_t out)
{
    size_t sizes[SAC_MAX_HIDDEN + 2];
    tk_nn_activation acts[SAC_MAX_HIDDEN + 1];
    sizes[0] = in;
    for (size_t i = 0; i < hp->n_hidden; i++) {
        sizes[i + 1] = hp->hidden[i];
        acts[i] = hp->activation;
    }
    sizes[hp->n_hidden + 1] = out;
    acts[hp->n_hidden] = TK_NN_LINEAR;
    return tk_mlp_new(hp->n_hidden + 1, sizes, acts, hp->leaky_slope);
}

/* Glorot-uniform everywhere; the pi output layer as two layers of A
 * outputs (mu and log-std heads are separate tf.layers.dense). */
static int init_nets(sac_learner *l, tk_rng *rng)
{
    const size_t A = l->hp.act_dim, last = l->hp.n_hidden;
    for (int i = 0; i < SAC_NET_V_TARG; i++)
        if (tk_mlp_init(l->net[i], TK_NN_INIT_GLOROT_UNIFORM, 1.0f, rng))
            return -1;
    if (tk_mlp_init_block(l->net[SAC_NET_PI], last, 0, A, TK_NN_INIT_GLOROT_UNIFORM, 1.0f, rng) ||
        tk_mlp_init_block(l->net[SAC_NET_PI], last, A, 2 * A, TK_NN_INIT_GLOROT_UNIFORM, 1.0f,
                          rng))
        return -1;
    return tk_mlp_copy_params(l->net[SAC_NET_V_TARG], l->net[SAC_NET_V]);
}

sac_learner *sac_learner_new(const sac_hparams *hp, tk_rng *rng)
{
    if (!hp || hp->obs_dim == 0 || hp->act_dim == 0 || hp->n_hidden > SAC_MAX_HIDDEN ||
        hp->batch_size == 0)
        return NULL;
    sac_learner *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->hp = *hp;
    const size_t O = hp->obs_dim, A = hp->act_dim, B = hp->batch_size, QI = O + A;
    l->head = (tk_squashed_gaussian){A, hp->log_std_min, hp->log_std_max};
    l->net[SAC_NET_PI] = make_mlp(hp, O, 2 * A);
    l->net[SAC_NET_Q1] = make_mlp(hp, QI, 1);
    l->net[SAC_NET_Q2] = make_mlp(hp, QI, 1);
    l->net[SAC_NET_V] = make_mlp(hp, O, 1);
    l->net[SAC_NET_V_TARG] = make_mlp(hp, O, 1);
    int ok = 1;
    for (int i = 0; i < SAC_N_NETS; i++)
        ok = ok && l->net[i] && tk_mlp_set_precision(l->net[i], hp->precision) == 0;
    for (int i = 0; ok && i < SAC_N_NETS - 1; i++)
        ok = (l->adam[i] = tk_adam_new(tk_mlp_n_params(l->net[i]), &hp->adam)) != NULL;
    if (ok) {
        l->t_pi = tk_mlp_tape_new(l->net[SAC_NET_PI], B);
        l->t_q1a = tk_mlp_tape_new(l->net[SAC_NET_Q1], B);
        l->t_q1p = tk_mlp_tape_new(l->net[SAC_NET_Q1], B);
        l->t_q2a = tk_mlp_tape_new(l->net[SAC_NET_Q2], B);
        l->t_q2p = tk_mlp_tape_new(l->net[SAC_NET_Q2], B);
        l->t_v = tk_mlp_tape_new(l->net[SAC_NET_V], B);
        l->t_vt = tk_mlp_tape_new(l->net[SAC_NET_V_TARG], B);
        l->t_act = tk_mlp_tape_new(l->net[SAC_NET_PI], 1);
        l->t_value = tk_mlp_tape_new(l->net[SAC_NET_V], VALUE_CHUNK);
        l->q_in_a = malloc(B * QI * sizeof(float));
        l->q_in_p = malloc(B * QI * sizeof(float));
        l->dq_in = malloc(B * QI * sizeof(float));
        l->pi_act = malloc(B * A * sizeof(float));
        l->ga = malloc(B * A * sizeof(float));
        l->dhead = malloc(B * 2 * A * sizeof(float));
        l->logp = malloc(B * sizeof(float));
        l->y = malloc(2 * B * sizeof(float));
        l->dq = malloc(B * sizeof(float));
        l->gl = malloc(B * sizeof(float));
        ok = l->t_pi && l->t_q1a && l->t_q1p && l->t_q2a && l->t_q2p && l->t_v && l->t_vt &&
             l->t_act && l->t_value && l->q_in_a && l->q_in_p && l->dq_in && l->pi_act &&
             l->ga && l->dhead && l->logp && l->y && l->dq && l->gl;
    }
    if (!ok || init_nets(l, rng)) {
        sac_learner_free(l);
        return NULL;
    }
    return l;
}

const sac_hparams *sac_learner_hparams(const sac_learner *l) { return &l->hp; }

tk_mlp *sac_learner_net(sac_learner *l, int which)
{
    return which >= 0 && which < SAC_N_NETS ? l->net[which] : NULL;
}

/* q_in[r] = [obs[r], act[r]] */
static void concat_rows(float *q_in, const float *obs, const float *act, size_t n, size_t O,
                        size_t A)
{
    for (size_t r = 0; r < n; r++) {
        memcpy(q_in + r * (O + A), obs + r * O, O * sizeof(float));
        memcpy(q_in + r * (O + A) + O, act + r * A, A * sizeof(float));
    }
}

int sac_learner_compute(sac_learner *l, const sac_batch *b, const float *noise,
                        const float *targets_in, float *targets_out,
                        double losses[SAC_N_LOSSES], int grads)
{
    const size_t n = b->n, O = l->hp.obs_dim, A = l->hp.act_dim;
    if (n == 0 || n > l->hp.batch_size)
        return -1;
    tk_mlp **net = l->net;
    const float inv_n = 1.0f / (float)n, alpha = l->hp.alpha;

    /* Forward passes. */
    const float *head = tk_mlp_forward(net[SAC_NET_PI], l->t_pi, b->obs, n);
    tk_sqgauss_forward(&l->head, n, head, noise, l->pi_act, l->logp);
    concat_rows(l->q_in_a, b->obs, b->act, n, O, A);
    concat_rows(l->q_in_p, b->obs, l->pi_act, n, O, A);
    const float *q1 = tk_mlp_forward(net[SAC_NET_Q1], l->t_q1a, l->q_in_a, n);
    const float *q2 = tk_mlp_forward(net[SAC_NET_Q2], l->t_q2a, l->q_in_a, n);
    const float *q1p = tk_mlp_forward(net[SAC_NET_Q1], l->t_q1p, l->q_in_p, n);
    const float *q2p = tk_mlp_forward(net[SAC_NET_Q2], l->t_q2p, l->q_in_p, n);
    const float *v = tk_mlp_forward(net[SAC_NET_V], l->t_v, b->obs, n);
    const float *vt = tk_mlp_forward(net[SAC_NET_V_TARG], l->t_vt, b->next_obs, n);

    /* Targets (constants for the gradients). */
    float *yq = l->y, *yv = l->y + n;
    if (targets_in) {
        memcpy(l->y, targets_in, 2 * n * sizeof(float));
    } else {
        for (size_t r = 0; r < n; r++) {
            yq[r] = b->rew[r] + l->hp.gamma * (1.0f - b->done[r]) * vt[r];
            yv[r] = fminf(q1p[r], q2p[r]) - alpha * l->logp[r];
        }
    }
    if (targets_out)
        memcpy(targets_out, l->y, 2 * n * sizeof(float));

    double lpi = 0.0, lq1 = 0.0, lq2 = 0.0, lv = 0.0;
    for (size_t r = 0; r < n; r++) {
        lpi += (double)alpha * l->logp[r] - q1p[r];
        lq1 += 0.5 * ((double)yq[r] - q1[r]) * ((double)yq[r] - q1[r]);
        lq2 += 0.5 * ((double)yq[r] - q2[r]) * ((double)yq[r] - q2[r]);
        lv += 0.5 * ((double)yv[r] - v[r]) * ((double)yv[r] - v[r]);
    }
    losses[SAC_LOSS_PI] = lpi / (double)n;
    losses[SAC_LOSS_Q1] = lq1 / (double)n;
    losses[SAC_LOSS_Q2] = lq2 / (double)n;
    losses[SAC_LOSS_V] = lv / (double)n;
    if (!grads)
        return 0;

    for (int i = 0; i < SAC_NET_V_TARG; i++)
        tk_mlp_zero_grad(net[i]);
    /* Value networks. */
    for (size_t r = 0; r < n; r++)
        l->dq[r] = (q1[r] - yq[r]) * inv_n;
    tk_mlp_backward(net[SAC_NET_Q1], l->t_q1a, l->dq, NULL, 1);
    for (size_t r = 0; r < n; r++)
        l->dq[r] = (q2[r] - yq[r]) * inv_n;
    tk_mlp_backward(net[SAC_NET_Q2], l->t_q2a, l->dq, NULL, 1);
    for (size_t r = 0; r < n; r++)
        l->dq[r] = (v[r] - yv[r]) * inv_n;
    tk_mlp_backward(net[SAC_NET_V], l->t_v, l->dq, NULL, 1);
    /* Policy: through Q1(s, a~) to the action, then the squashed head. */
    for (size_t r = 0; r < n; r++) {
        l->dq[r] = -inv_n;
        l->gl[r] = alpha * inv_n;
    }
    tk_mlp_backward(net[SAC_NET_Q1], l->t_q1p, l->dq, l->dq_in, 0);
    for (size_t r = 0; r < n; r++)
        memcpy(l->ga + r * A, l->dq_in + r * (O + A) + O, A * sizeof(float));
    tk_sqgauss_backward(&l->head, n, head, noise, l->ga, l->gl, l->dhead);
    tk_mlp_backward(net[SAC_NET_PI], l->t_pi, l->dhead, NULL, 1);
    return 0;
}

int sac_learner_update(sac_learner *l, const sac_batch *b, const float *noise,
                       double losses[SAC_N_LOSSES])
{
    if (sac_learner_compute(l, b, noise, NULL, NULL, losses, 1))
        return -1;
    for (int i = 0; i < SAC_NET_V_TARG; i++)
        tk_adam_step(l->adam[i], tk_mlp_params(l->net[i]), tk_mlp_grads(l->net[i]));
    tk_nn_polyak(tk_mlp_params(l->net[SAC_NET_V_TARG]), tk_mlp_params(l->net[SAC_NET_V]),
                 tk_mlp_n_params(l->net[SAC_NET_V]), l->hp.polyak);
    return 0;
}

void sac_learner_act(sac_learner *l, const float *obs, const float *noise, float *action_out)
{
    const float *head = tk_mlp_forward(l->net[SAC_NET_PI], l->t_act, obs, 1);
    float logp;
    tk_sqgauss_forward(&l->head, 1, head, noise, action_out, noise ? &logp : NULL);
}

void sac_learner_value(sac_learner *l, const float *obs, size_t n, float *out)
{
    const size_t O = l->hp.obs_dim;
    for (size_t r = 0; r < n; r += VALUE_CHUNK) {
        const size_t m = n - r < VALUE_CHUNK ? n - r : VALUE_CHUNK;
        const float *v = tk_mlp_forward(l->net[SAC_NET_V], l->t_value, obs + r * O, m);
        memcpy(out + r, v, m * sizeof(float));
    }
}

double sac_learner_update_flops(const sac_learner *l, size_t n)
{
    const double fwd = 2.0 * (double)n;
    tk_mlp *const *net = l->net;
    double f = fwd * (double)(tk_mlp_macs(net[SAC_NET_PI]) + 2 * tk_mlp_macs(net[SAC_NET_Q1]) +
                              2 * tk_mlp_macs(net[SAC_NET_Q2]) + tk_mlp_macs(net[SAC_NET_V]) +
                              tk_mlp_macs(net[SAC_NET_V_TARG]));
    f += tk_mlp_backward_flops(net[SAC_NET_Q1], n, 1, 0) +
         tk_mlp_backward_flops(net[SAC_NET_Q2], n, 1, 0) +
         tk_mlp_backward_flops(net[SAC_NET_V], n, 1, 0) +
         tk_mlp_backward_flops(net[SAC_NET_Q1], n, 0, 1) +
         tk_mlp_backward_flops(net[SAC_NET_PI], n, 1, 0);
    return f;
}

static const char *const net_names[SAC_N_NETS] = {"pi", "q1", "q2", "v", "v_targ"};
static const char *const adam_names[SAC_N_NETS - 1] = {"adam_pi", "adam_q1", "adam_q2",
                                                       "adam_v"};

int sac_learner_save(const sac_learner *l, tk_nn_writer *w)
{
    for (int i = 0; i < SAC_N_NETS; i++)
        if (tk_nn_put_mlp(w, net_names[i], l->net[i]))
            return -1;
    for (int i = 0; i < SAC_N_NETS - 1; i++)
        if (tk_nn_put_adam(w, adam_names[i], l->adam[i]))
            return -1;
    return 0;
}

int sac_learner_skip(const sac_learner *l, tk_nn_reader *r)
{
    const size_t start = r->pos;
    for (int i = 0; i < SAC_N_NETS; i++)
        if (tk_nn_skip_mlp(r, net_names[i], l->net[i]))
            goto fail;
    for (int i = 0; i < SAC_N_NETS - 1; i++)
        if (tk_nn_skip_adam(r, adam_names[i], l->adam[i]))
            goto fail;
    return 0;
fail:
    r->pos = start;
    return -1;
}

int sac_learner_load(sac_learner *l, tk_nn_reader *r)
{
    const size_t start = r->pos;
    if (sac_learner_skip(l, r))
        return -1;
    r->pos = start;
    for (int i = 0; i < SAC_N_NETS; i++)
        tk_nn_get_mlp(r, net_names[i], l->net[i]);
    for (int i = 0; i < SAC_N_NETS - 1; i++)
        tk_nn_get_adam(r, adam_names[i], l->adam[i]);
    return 0;
}
