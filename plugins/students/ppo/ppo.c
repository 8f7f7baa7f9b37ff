/*
 * PPO student: OpenAI Baselines ppo2 as TeachMyAgent runs it
 * (TeachMyAgent/students/openai_baselines/ppo2 and VecNormalize of
 * common/vec_env/vec_normalize.py).  The learner (network, clipped loss, optimiser step) is
 * ppo_core.c; this file adds normalisation, the rollout, GAE, the
 * epoch/minibatch schedule and the checkpoint hooks.  docs/students/ppo.md
 * is the guide.
 *
 * Protocol through the student ABI:
 *   act(obs, 0)  normalises obs (after adding it to the running statistics
 *                if it is an episode's first observation), samples
 *                u ~ N(mean, std), keeps (obs_norm, u, V, logp(u)) as the
 *                pending step and returns clip(u, -1, 1) mapped onto the
 *                action box (NaN -> 0);
 *   observe()    completes the pending step with the normalised reward and
 *                the episode-boundary flag, adds next_obs to the running
 *                statistics (VecNormalize normalises every observation a
 *                step returns; a terminal observation is replaced by the
 *                next reset observation there, so it is skipped here), and
 *                when nsteps steps are stored computes GAE and trains:
 *                the update may fall in the middle of an episode, as in
 *                ppo2's runner;
 *   end_episode  closes an episode the host abandoned without a boundary
 *                (on_nonfinite skip): the last row becomes terminal, a
 *                pending step is dropped; a no-op after a normal end;
 *   act(obs, 1)  evaluation: statistics used but not updated, a stochastic
 *                sample unless deterministic_eval (TMA tests PPO with
 *                stochastic actions).
 *
 * Deliberate deviations (docs/students/ppo.md lists them):
 *   - Actions are clipped to [-1, 1] and mapped affinely onto the action
 *     box (TMA's walkers have the box [-1, 1]; Baselines clips to the box).
 *   - bootstrap_truncated (default false = the original, which treats the
 *     time limit as a terminal state) optionally bootstraps truncated
 *     episodes with V(next_obs).
 *   - Randomness comes from the instance's stream (host->rng).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ppo_core.h"
#include "ppo_ext.h"
#include "teachkit/config.h"
#include "teachkit/nn_io.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/runtime_info.h"
#include "teachkit/score_trace.h"
#include "teachkit/student.h"

#define STATE_KIND "teachkit.ppo/2"
#define RMS_EPS 1e-4 /* RunningMeanStd(epsilon=1e-4): initial count */
#define NORM_EPS 1e-8
#define VALUE_ROWS 256 /* value() normalises and evaluates in chunks of this size */

static const char *const activation_choices[] = {"tanh", "relu", "leaky_relu", NULL};
static const tk_nn_activation activation_values[] = {TK_NN_TANH, TK_NN_RELU, TK_NN_LEAKY_RELU};

/* Baselines RunningMeanStd (parallel-variance update), in double. */
typedef struct running_stats {
    double *mean, *var; /* owned, dim entries */
    double count;
    size_t dim;
} running_stats;

typedef struct ppo_student {
    tk_student_net net_config;    /* the network keys as read (precision asked and resolved) */
    char runtime_json[96];        /* ppo_describe's answer */
    const tk_host_api *host; /* borrowed */
    tk_ctx *ctx;             /* borrowed */
    ppo_hparams hp;
    int activation_index;
    size_t nsteps;
    uint64_t epochs;
    double gamma, lam, obs_clip, reward_clip;
    int normalize_obs, normalize_reward, deterministic_eval, bootstrap_truncated;
    float *act_center, *act_half; /* owned, A each */
    ppo_learner *learner;         /* owned */
    running_stats obs_rms;        /* owned arrays */
    double ret_mean, ret_var, ret_count; /* reward normaliser (scalar RunningMeanStd) */
    double ret;                   /* running discounted return */
    /* Rollout of nsteps rows (owned). */
    float *r_obs, *r_act, *r_logp, *r_val, *r_rew, *r_next_val, *r_adv, *r_ret;
    unsigned char *r_cont;        /* 1: the episode continues after this step */
    size_t n;                     /* rows completed */
    int pending;                  /* row n holds an act() awaiting observe() */
    int episode_start;            /* the next training act() sees a reset observation */
    /* Minibatch gather buffers and scratch (owned). */
    size_t *perm;
    float *m_obs, *m_act, *m_logp, *m_val, *m_adv, *m_ret;
    float *obs_norm, *noise, *u;
    float *v_obs;                 /* VALUE_ROWS normalised observations for value() */
    uint64_t total_steps, rollouts, updates;
    double stats[PPO_N_STATS];
    tk_nn_writer state;           /* owned, latest save() */
    /* ABI 1.2, set by begin_episode for one training episode.  Not saved:
     * the host checkpoints such runs between episodes only. */
    int learn;                    /* 0: act and observe without touching the rollout
                                     or the normalisers */
    int scores;                   /* trace the episode for episode_scores */
    float free_value;             /* V of the pending act() of a no-learn episode */
    tk_score_trace trace;         /* owned: normalised r_t and V(s_t) */
    double bootstrap;             /* V after the last step (0 if terminal) */
} ppo_student;

static void ppo_destroy(void *self)
{
    ppo_student *s = self;
    if (!s)
        return;
    ppo_learner_free(s->learner);
    void *bufs[] = {s->act_center, s->act_half, s->obs_rms.mean, s->obs_rms.var, s->r_obs,
                    s->r_act,      s->r_logp,   s->r_val,        s->r_rew,       s->r_next_val,
                    s->r_adv,      s->r_ret,    s->r_cont,       s->perm,        s->m_obs,
                    s->m_act,      s->m_logp,   s->m_val,        s->m_adv,       s->m_ret,
                    s->obs_norm,   s->noise,    s->u,            s->v_obs};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        free(bufs[i]);
    tk_nn_writer_free(&s->state);
    tk_score_trace_free(&s->trace);
    free(s);
}

/* ---------------------------------------------------------------- config */

_Static_assert(PPO_MAX_HIDDEN <= TK_STUDENT_MAX_HIDDEN, "tk_student_net holds the hidden sizes");

static tk_status read_config(ppo_student *s, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(s->host, s->ctx, config_json, &cfg);
    if (st)
        return st;
    tk_student_net net;
    double clip, vf, ent, gnorm, ls0;
    int64_t nsteps, mb, epochs;
    if ((st = tk_student_net_read(cfg, s->host, s->ctx, PPO_MAX_HIDDEN, activation_choices,
                                  activation_values, &net)) ||
        (st = tk_config_int(cfg, "nsteps", 1, 10000000, &nsteps)) ||
        (st = tk_config_int(cfg, "minibatch_size", 1, 10000000, &mb)) ||
        (st = tk_config_int(cfg, "epochs", 1, 1000, &epochs)) ||
        (st = tk_config_double(cfg, "clip_range", 1e-6, 10.0, &clip)) ||
        (st = tk_config_bool(cfg, "clip_value", &s->hp.clip_value)) ||
        (st = tk_config_double(cfg, "gamma", 0.0, 1.0, &s->gamma)) ||
        (st = tk_config_double(cfg, "lam", 0.0, 1.0, &s->lam)) ||
        (st = tk_config_double(cfg, "vf_coef", 0.0, 1000.0, &vf)) ||
        (st = tk_config_double(cfg, "ent_coef", -10.0, 10.0, &ent)) ||
        (st = tk_config_double(cfg, "max_grad_norm", 0.0, 1e9, &gnorm)) ||
        (st = tk_config_double(cfg, "init_log_std", -20.0, 5.0, &ls0)) ||
        (st = tk_config_bool(cfg, "normalize_obs", &s->normalize_obs)) ||
        (st = tk_config_bool(cfg, "normalize_reward", &s->normalize_reward)) ||
        (st = tk_config_double(cfg, "obs_clip", 1e-6, 1e9, &s->obs_clip)) ||
        (st = tk_config_double(cfg, "reward_clip", 1e-6, 1e9, &s->reward_clip)) ||
        (st = tk_config_bool(cfg, "deterministic_eval", &s->deterministic_eval)) ||
        (st = tk_config_bool(cfg, "bootstrap_truncated", &s->bootstrap_truncated)))
        goto done;
    if (nsteps % mb != 0) {
        st = s->host->error(s->ctx, TK_ERR_CONFIG, "minibatch_size",
                            "must divide nsteps (%lld), got %lld", (long long)nsteps,
                            (long long)mb);
        goto done;
    }
    s->hp.n_hidden = net.n_hidden;
    memcpy(s->hp.hidden, net.hidden, net.n_hidden * sizeof *net.hidden);
    s->activation_index = net.activation_index;
    s->hp.activation = net.activation;
    s->hp.leaky_slope = net.leaky_slope;
    s->hp.adam = net.adam;
    s->hp.precision = net.precision;
    s->net_config = net;
    s->hp.clip_range = (float)clip;
    s->hp.vf_coef = (float)vf;
    s->hp.ent_coef = (float)ent;
    s->hp.max_grad_norm = (float)gnorm;
    s->hp.init_log_std = (float)ls0;
    s->hp.minibatch = (size_t)mb;
    s->nsteps = (size_t)nsteps;
    s->epochs = (uint64_t)epochs;
done:
    tk_config_free(cfg);
    return st;
}

static const char *const config_names[] = {
    "obs_dim",      "act_dim",       "hidden_sizes",     "activation",     "leaky_slope",
    "lr",           "adam_beta1",    "adam_beta2",       "adam_eps",       "nsteps",
    "minibatch_size", "epochs",      "clip_range",       "clip_value",     "gamma",
    "lam",          "vf_coef",       "ent_coef",         "max_grad_norm",  "init_log_std",
    "normalize_obs", "normalize_reward", "obs_clip",     "reward_clip",    "deterministic_eval",
    "bootstrap_truncated", "precision"};
#define N_CONFIG (sizeof config_names / sizeof *config_names)

static void config_vector(const ppo_student *s, double *v)
{
    const ppo_hparams *hp = &s->hp;
    const double hidden = tk_student_hidden_code(hp->hidden, hp->n_hidden);
    const double vals[N_CONFIG] = {
        (double)hp->obs_dim,   (double)hp->act_dim, hidden,          s->activation_index,
        hp->leaky_slope,       hp->adam.lr,         hp->adam.beta1,  hp->adam.beta2,
        hp->adam.eps,          (double)s->nsteps,   (double)hp->minibatch, (double)s->epochs,
        hp->clip_range,        hp->clip_value,      s->gamma,        s->lam,
        hp->vf_coef,           hp->ent_coef,        hp->max_grad_norm, hp->init_log_std,
        s->normalize_obs,      s->normalize_reward, s->obs_clip,     s->reward_clip,
        s->deterministic_eval, s->bootstrap_truncated, (double)hp->precision};
    memcpy(v, vals, sizeof vals);
}

/* ---------------------------------------------------------------- create */

static tk_status alloc_buffers(ppo_student *s)
{
    const size_t O = s->hp.obs_dim, A = s->hp.act_dim, N = s->nsteps, M = s->hp.minibatch;
    s->obs_rms.dim = O;
    s->obs_rms.mean = calloc(O, sizeof(double));
    s->obs_rms.var = malloc(O * sizeof(double));
    s->act_center = malloc(A * sizeof(float));
    s->act_half = malloc(A * sizeof(float));
    /* One spare row: act() writes row n before observe() completes it. */
    s->r_obs = malloc((N + 1) * O * sizeof(float));
    s->r_act = malloc((N + 1) * A * sizeof(float));
    s->r_logp = malloc((N + 1) * sizeof(float));
    s->r_val = malloc((N + 1) * sizeof(float));
    s->r_rew = malloc(N * sizeof(float));
    s->r_next_val = malloc(N * sizeof(float));
    s->r_adv = malloc(N * sizeof(float));
    s->r_ret = malloc(N * sizeof(float));
    s->r_cont = malloc(N);
    s->perm = malloc(N * sizeof(size_t));
    s->m_obs = malloc(M * O * sizeof(float));
    s->m_act = malloc(M * A * sizeof(float));
    s->m_logp = malloc(M * sizeof(float));
    s->m_val = malloc(M * sizeof(float));
    s->m_adv = malloc(M * sizeof(float));
    s->m_ret = malloc(M * sizeof(float));
    s->obs_norm = malloc(O * sizeof(float));
    s->noise = malloc(A * sizeof(float));
    s->u = malloc(A * sizeof(float));
    s->v_obs = malloc(VALUE_ROWS * O * sizeof(float));
    void *all[] = {s->obs_rms.mean, s->obs_rms.var, s->act_center, s->act_half, s->r_obs,
                   s->r_act,        s->r_logp,      s->r_val,      s->r_rew,    s->r_next_val,
                   s->r_adv,        s->r_ret,       s->r_cont,     s->perm,     s->m_obs,
                   s->m_act,        s->m_logp,      s->m_val,      s->m_adv,    s->m_ret,
                   s->obs_norm,     s->noise,       s->u,          s->v_obs};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (!all[i])
            return TK_ERR_NOMEM;
    for (size_t i = 0; i < O; i++)
        s->obs_rms.var[i] = 1.0;
    s->obs_rms.count = RMS_EPS;
    s->ret_mean = 0.0;
    s->ret_var = 1.0;
    s->ret_count = RMS_EPS;
    return TK_OK;
}

static tk_status ppo_create(const tk_host_api *host, tk_ctx *ctx, const tk_student_spec *spec,
                            const char *config_json, void **out)
{
    *out = NULL;
    tk_status st = tk_student_check_spec(host, ctx, spec, "ppo");
    if (st)
        return st;
    ppo_student *s = calloc(1, sizeof *s);
    if (!s)
        return TK_ERR_NOMEM;
    s->host = host;
    s->ctx = ctx;
    s->learn = 1; /* every episode, unless begin_episode (ABI 1.2) says otherwise */
    s->hp.obs_dim = spec->obs_dim;
    s->hp.act_dim = spec->act_dim;
    s->episode_start = 1;
    st = read_config(s, config_json);
    if (!st)
        st = alloc_buffers(s);
    if (!st)
        st = tk_student_action_map(host, ctx, spec, s->act_center, s->act_half);
    if (!st && tk_nn_writer_init(&s->state, STATE_KIND))
        st = TK_ERR_NOMEM;
    if (!st && !(s->learner = ppo_learner_new(&s->hp, host->rng(ctx))))
        st = host->error(ctx, TK_ERR_NOMEM, NULL, "cannot allocate the network");
    if (st) {
        ppo_destroy(s);
        return st;
    }
    *out = s;
    return TK_OK;
}

/* ----------------------------------------------------------- normalisers */

/* RunningMeanStd.update_from_moments with a batch of one sample (batch
 * variance 0), per coordinate. */
static void rms_update(running_stats *rs, const float *x)
{
    const double tot = rs->count + 1.0;
    for (size_t i = 0; i < rs->dim; i++) {
        const double delta = (double)x[i] - rs->mean[i];
        const double m2 = rs->var[i] * rs->count + delta * delta * rs->count / tot;
        rs->mean[i] += delta / tot;
        rs->var[i] = m2 / tot;
    }
    rs->count = tot;
}

/* (obs - mean) / sqrt(var + 1e-8) clipped to +-obs_clip; identity when
 * normalisation is off. */
static void normalise_obs(const ppo_student *s, const float *obs, float *out)
{
    for (size_t i = 0; i < s->hp.obs_dim; i++) {
        if (!s->normalize_obs) {
            out[i] = obs[i];
            continue;
        }
        double z = ((double)obs[i] - s->obs_rms.mean[i]) / sqrt(s->obs_rms.var[i] + NORM_EPS);
        z = z < -s->obs_clip ? -s->obs_clip : z > s->obs_clip ? s->obs_clip : z;
        out[i] = (float)z;
    }
}

/* VecNormalize: ret = gamma ret + r; update the return statistics; reward
 * / sqrt(var + 1e-8) clipped; ret zeroed at episode ends (by the caller). */
static float normalise_reward(ppo_student *s, double r)
{
    if (!s->normalize_reward)
        return (float)r;
    s->ret = s->ret * s->gamma + r;
    const double tot = s->ret_count + 1.0, delta = s->ret - s->ret_mean;
    const double m2 = s->ret_var * s->ret_count + delta * delta * s->ret_count / tot;
    s->ret_mean += delta / tot;
    s->ret_var = m2 / tot;
    s->ret_count = tot;
    double z = r / sqrt(s->ret_var + NORM_EPS);
    z = z < -s->reward_clip ? -s->reward_clip : z > s->reward_clip ? s->reward_clip : z;
    return (float)z;
}

/* ---------------------------------------------------------------- acting */

static tk_status check_finite(ppo_student *s, const float *v, size_t n, const char *what)
{
    return tk_student_check_finite(s->host, s->ctx, v, n, what);
}

/* clip(u, -1, 1) with NaN -> 0, mapped onto the action box. */
static void env_action(const ppo_student *s, const float *u, float *out)
{
    for (size_t i = 0; i < s->hp.act_dim; i++) {
        float a = isnan(u[i]) ? 0.0f : u[i];
        a = a < -1.0f ? -1.0f : a > 1.0f ? 1.0f : a;
        out[i] = s->act_center[i] + s->act_half[i] * a;
    }
}

/* A training act() of a no-learn episode (ABI 1.2): a sample of the
 * policy on the frozen normalisation, with its value kept for the scores,
 * and nothing written to the rollout. */
static tk_status act_without_learning(ppo_student *s, const float *obs, float *action_out)
{
    tk_rng *rng = s->host->rng(s->ctx);
    float logp;
    normalise_obs(s, obs, s->obs_norm);
    for (size_t i = 0; i < s->hp.act_dim; i++)
        s->noise[i] = (float)tk_rng_normal(rng);
    ppo_learner_act(s->learner, s->obs_norm, s->noise, s->u, &s->free_value, &logp);
    s->pending = 1;
    env_action(s, s->u, action_out);
    return TK_OK;
}

static tk_status ppo_act(void *self, const float *obs, int deterministic, float *action_out)
{
    ppo_student *s = self;
    const size_t O = s->hp.obs_dim, A = s->hp.act_dim;
    tk_status st = check_finite(s, obs, O, "observation");
    if (st)
        return st;
    tk_rng *rng = s->host->rng(s->ctx);
    if (deterministic) { /* evaluation: statistics frozen */
        normalise_obs(s, obs, s->obs_norm);
        const int sample = !s->deterministic_eval;
        for (size_t i = 0; sample && i < A; i++)
            s->noise[i] = (float)tk_rng_normal(rng);
        ppo_learner_act(s->learner, s->obs_norm, sample ? s->noise : NULL, s->u, NULL, NULL);
        env_action(s, s->u, action_out);
        return TK_OK;
    }
    if (!s->learn)
        return act_without_learning(s, obs, action_out);
    if (s->normalize_obs && s->episode_start)
        rms_update(&s->obs_rms, obs); /* a reset observation */
    s->episode_start = 0;
    float *o = s->r_obs + s->n * O, *u = s->r_act + s->n * A;
    normalise_obs(s, obs, o);
    for (size_t i = 0; i < A; i++)
        s->noise[i] = (float)tk_rng_normal(rng);
    ppo_learner_act(s->learner, o, s->noise, u, &s->r_val[s->n], &s->r_logp[s->n]);
    s->pending = 1;
    env_action(s, u, action_out);
    return TK_OK;
}

static void gather(ppo_student *s, const size_t *idx, size_t m)
{
    const size_t O = s->hp.obs_dim, A = s->hp.act_dim;
    for (size_t k = 0; k < m; k++) {
        const size_t i = idx[k];
        memcpy(s->m_obs + k * O, s->r_obs + i * O, O * sizeof(float));
        memcpy(s->m_act + k * A, s->r_act + i * A, A * sizeof(float));
        s->m_logp[k] = s->r_logp[i];
        s->m_val[k] = s->r_val[i];
        s->m_adv[k] = s->r_adv[i];
        s->m_ret[k] = s->r_ret[i];
    }
}

/* ppo2 model training: `epochs` passes over a fresh permutation of the
 * rollout in minibatches. */
static tk_status train(ppo_student *s)
{
    const size_t N = s->nsteps, M = s->hp.minibatch;
    tk_rng *rng = s->host->rng(s->ctx);
    for (size_t i = 0; i < N; i++)
        s->perm[i] = i;
    for (uint64_t e = 0; e < s->epochs; e++) {
        for (size_t i = N - 1; i > 0; i--) { /* Fisher-Yates (np.random.shuffle) */
            const size_t j = (size_t)tk_rng_below(rng, i + 1), t = s->perm[i];
            s->perm[i] = s->perm[j];
            s->perm[j] = t;
        }
        for (size_t start = 0; start < N; start += M) {
            gather(s, s->perm + start, M);
            const ppo_batch b = {M, s->m_obs, s->m_act, s->m_logp, s->m_val, s->m_adv, s->m_ret};
            ppo_learner_update(s->learner, &b, s->stats, NULL);
            s->updates++;
            for (int k = 0; k < PPO_N_STATS; k++)
                if (!isfinite(s->stats[k]))
                    return s->host->error(s->ctx, TK_ERR_NUMERIC, NULL,
                                          "non-finite loss at update %llu (pg %g, vf %g)",
                                          (unsigned long long)s->updates, s->stats[0],
                                          s->stats[1]);
        }
    }
    s->rollouts++;
    return TK_OK;
}

/* observe() in a no-learn episode: the step's reward on the scale the
 * value learns (the normaliser read, not updated) and the value of the
 * act() go to the scores; the rollout and the statistics stay as they
 * are. */
static tk_status observe_without_learning(ppo_student *s, double reward, const float *next_obs,
                                          int done, int truncated)
{
    double z = reward;
    if (s->normalize_reward) {
        z = reward / sqrt(s->ret_var + NORM_EPS);
        z = z < -s->reward_clip ? -s->reward_clip : z > s->reward_clip ? s->reward_clip : z;
    }
    s->pending = 0;
    if (s->scores && tk_score_trace_push(&s->trace, (double)(float)z, s->free_value) != TK_OK)
        return s->host->error(s->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    if (done || truncated) {
        float v = 0.0f;
        if (truncated && !done && s->bootstrap_truncated) {
            normalise_obs(s, next_obs, s->obs_norm);
            ppo_learner_value(s->learner, s->obs_norm, 1, &v);
        }
        s->bootstrap = v;
    }
    return TK_OK;
}

static tk_status ppo_observe(void *self, const float *obs, const float *action, double reward,
                             const float *next_obs, int done, int truncated)
{
    ppo_student *s = self;
    (void)action; /* the stored unclipped sample is what the loss needs */
    tk_status st;
    if ((st = check_finite(s, obs, s->hp.obs_dim, "observation")) ||
        (st = check_finite(s, next_obs, s->hp.obs_dim, "next observation")))
        return st;
    if (!isfinite(reward))
        return s->host->error(s->ctx, TK_ERR_INVALID, NULL, "the reward is not finite");
    if (!s->pending)
        return s->host->error(s->ctx, TK_ERR_STATE, NULL,
                              "observe() without a preceding training act(): ppo learns "
                              "on-policy from its own samples");
    const int boundary = done || truncated;
    if (!s->learn)
        return observe_without_learning(s, reward, next_obs, done, truncated);
    const size_t t = s->n;
    s->r_rew[t] = normalise_reward(s, reward);
    s->r_cont[t] = !boundary;
    s->r_next_val[t] = 0.0f;
    if (boundary) {
        s->ret = 0.0;
        s->episode_start = 1;
        if (truncated && !done && s->bootstrap_truncated) {
            float v;
            normalise_obs(s, next_obs, s->obs_norm);
            ppo_learner_value(s->learner, s->obs_norm, 1, &v);
            s->r_next_val[t] = v;
        }
    } else if (s->normalize_obs) {
        rms_update(&s->obs_rms, next_obs);
    }
    if (s->scores && tk_score_trace_push(&s->trace, s->r_rew[t], s->r_val[t]) != TK_OK)
        return s->host->error(s->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    if (boundary)
        s->bootstrap = s->r_next_val[t];
    s->pending = 0;
    s->n++;
    s->total_steps++;
    if (s->n < s->nsteps)
        return TK_OK;
    float last_value = 0.0f;
    if (!boundary) {
        normalise_obs(s, next_obs, s->obs_norm);
        ppo_learner_value(s->learner, s->obs_norm, 1, &last_value);
    }
    ppo_gae(s->nsteps, s->r_rew, s->r_val, s->r_cont, s->r_next_val, last_value, s->gamma,
            s->lam, s->r_adv, s->r_ret);
    s->n = 0;
    return train(s);
}

/* Learning happens per rollout; this only closes the episode.  After a
 * normal end observe() has already done so (the last row is a boundary, no
 * act() pending, ret = 0, episode_start = 1) and nothing changes.  When the
 * host abandoned the episode (on_nonfinite skip, plugin.h) the last stored
 * row still says "continues" and an act() may be pending: close it exactly
 * as observe() closes a terminal step, so GAE neither bootstraps from the
 * next episode's first value nor carries advantages across the cut, and the
 * next reset observation enters the statistics.
 *
 * The cut gets bootstrap value 0 (terminal), even with bootstrap_truncated:
 * the value of the state where the env or this student produced a
 * non-finite number is the least trustworthy one (a diverged network gives
 * NaN values too), and the fault is rare enough that the bias is small.
 * If the rollout was trained right after the last observed step (n == 0),
 * that step was bootstrapped with V(next_obs) like any rollout that ends
 * mid-episode in ppo2; there is nothing left to mark. */
static tk_status ppo_end_episode(void *self, double episode_return, uint64_t episode_steps)
{
    ppo_student *s = self;
    (void)episode_return, (void)episode_steps;
    if (!s->learn) { /* the rollout never saw the episode */
        s->pending = 0;
        s->learn = 1; /* until the next begin_episode says otherwise */
        return TK_OK;
    }
    if (s->n > 0 && s->r_cont[s->n - 1]) {
        s->r_cont[s->n - 1] = 0;
        s->r_next_val[s->n - 1] = 0.0f;
    }
    s->pending = 0;
    s->ret = 0.0;
    s->episode_start = 1;
    return TK_OK;
}

static tk_status ppo_value(void *self, const float *obs, size_t n, float *values_out)
{
    ppo_student *s = self;
    const size_t O = s->hp.obs_dim;
    tk_status st = check_finite(s, obs, n * O, "observation");
    if (st)
        return st;
    for (size_t r = 0; r < n; r += VALUE_ROWS) {
        const size_t m = n - r < VALUE_ROWS ? n - r : VALUE_ROWS;
        for (size_t k = 0; k < m; k++)
            normalise_obs(s, obs + (r + k) * O, s->v_obs + k * O);
        ppo_learner_value(s->learner, s->v_obs, m, values_out + r);
    }
    return TK_OK;
}

/* ------------------------------------------------------------ checkpoint */

/* Rows saved: the completed ones plus the pending one. */
static size_t saved_rows(const ppo_student *s)
{
    return s->n + (s->pending ? 1 : 0);
}

static tk_status ppo_save(void *self, const void **data, size_t *size)
{
    ppo_student *s = self;
    const size_t O = s->hp.obs_dim, A = s->hp.act_dim, n = s->n, rows = saved_rows(s);
    double cfg[N_CONFIG];
    config_vector(s, cfg);
    const uint64_t counters[6] = {s->total_steps, s->rollouts, s->updates, n,
                                  (uint64_t)s->pending, (uint64_t)s->episode_start};
    const double norm[4] = {s->obs_rms.count, s->ret_mean, s->ret_var, s->ret_count};
    float *cont = malloc((n ? n : 1) * sizeof *cont);
    if (!cont)
        return TK_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        cont[i] = s->r_cont[i];
    int rc = tk_nn_writer_reset(&s->state, STATE_KIND) ||
             tk_nn_put_f64(&s->state, "config", cfg, N_CONFIG) ||
             tk_nn_put_u64(&s->state, "counters", counters, 6) ||
             tk_nn_put_f64(&s->state, "stats", s->stats, PPO_N_STATS) ||
             tk_nn_put_f64(&s->state, "obs_rms.mean", s->obs_rms.mean, O) ||
             tk_nn_put_f64(&s->state, "obs_rms.var", s->obs_rms.var, O) ||
             tk_nn_put_f64(&s->state, "normalizers", norm, 4) ||
             tk_nn_put_f64(&s->state, "ret", &s->ret, 1) ||
             ppo_learner_save(s->learner, &s->state) ||
             tk_nn_put_f32(&s->state, "rollout.obs", s->r_obs, rows * O) ||
             tk_nn_put_f32(&s->state, "rollout.act", s->r_act, rows * A) ||
             tk_nn_put_f32(&s->state, "rollout.logp", s->r_logp, rows) ||
             tk_nn_put_f32(&s->state, "rollout.value", s->r_val, rows) ||
             tk_nn_put_f32(&s->state, "rollout.rew", s->r_rew, n) ||
             tk_nn_put_f32(&s->state, "rollout.next_value", s->r_next_val, n) ||
             tk_nn_put_f32(&s->state, "rollout.cont", cont, n);
    free(cont);
    if (rc)
        return s->host->error(s->ctx, TK_ERR_NOMEM, NULL, "cannot allocate the state string");
    *data = s->state.data;
    *size = s->state.size;
    return TK_OK;
}

static tk_status ppo_load(void *self, const void *data, size_t size)
{
    ppo_student *s = self;
    const size_t O = s->hp.obs_dim, A = s->hp.act_dim;
    tk_nn_reader r;
    double cfg[N_CONFIG], saved[N_CONFIG], stats[PPO_N_STATS], norm[4], ret;
    uint64_t c[6];
    config_vector(s, cfg);
    if (tk_nn_reader_init(&r, data, size, STATE_KIND) ||
        tk_nn_get_f64(&r, "config", saved, N_CONFIG))
        goto bad;
    tk_status st = tk_student_config_check(s->host, s->ctx, config_names, cfg, saved, N_CONFIG);
    if (st)
        return st;
    if (tk_nn_get_u64(&r, "counters", c, 6))
        goto bad;
    if (c[3] >= s->nsteps || c[4] > 1 || c[5] > 1) {
        snprintf(r.error, sizeof r.error, "inconsistent rollout counters");
        goto bad;
    }
    const size_t n = (size_t)c[3], rows = n + (size_t)c[4], start = r.pos;
    if (tk_nn_get_f64(&r, "stats", stats, PPO_N_STATS) ||
        tk_nn_skip(&r, "obs_rms.mean", TK_NN_F64, O) ||
        tk_nn_skip(&r, "obs_rms.var", TK_NN_F64, O) || tk_nn_get_f64(&r, "normalizers", norm, 4) ||
        tk_nn_get_f64(&r, "ret", &ret, 1) || ppo_learner_skip(s->learner, &r) ||
        tk_nn_skip(&r, "rollout.obs", TK_NN_F32, rows * O) ||
        tk_nn_skip(&r, "rollout.act", TK_NN_F32, rows * A) ||
        tk_nn_skip(&r, "rollout.logp", TK_NN_F32, rows) ||
        tk_nn_skip(&r, "rollout.value", TK_NN_F32, rows) ||
        tk_nn_skip(&r, "rollout.rew", TK_NN_F32, n) ||
        tk_nn_skip(&r, "rollout.next_value", TK_NN_F32, n) ||
        tk_nn_skip(&r, "rollout.cont", TK_NN_F32, n) || tk_nn_reader_end(&r))
        goto bad;
    float *cont = malloc((n ? n : 1) * sizeof *cont);
    if (!cont)
        return TK_ERR_NOMEM;
    r.pos = start;
    tk_nn_get_f64(&r, "stats", s->stats, PPO_N_STATS);
    tk_nn_get_f64(&r, "obs_rms.mean", s->obs_rms.mean, O);
    tk_nn_get_f64(&r, "obs_rms.var", s->obs_rms.var, O);
    tk_nn_get_f64(&r, "normalizers", norm, 4);
    tk_nn_get_f64(&r, "ret", &s->ret, 1);
    ppo_learner_load(s->learner, &r);
    tk_nn_get_f32(&r, "rollout.obs", s->r_obs, rows * O);
    tk_nn_get_f32(&r, "rollout.act", s->r_act, rows * A);
    tk_nn_get_f32(&r, "rollout.logp", s->r_logp, rows);
    tk_nn_get_f32(&r, "rollout.value", s->r_val, rows);
    tk_nn_get_f32(&r, "rollout.rew", s->r_rew, n);
    tk_nn_get_f32(&r, "rollout.next_value", s->r_next_val, n);
    tk_nn_get_f32(&r, "rollout.cont", cont, n);
    for (size_t i = 0; i < n; i++)
        s->r_cont[i] = cont[i] != 0.0f;
    free(cont);
    s->obs_rms.count = norm[0];
    s->ret_mean = norm[1];
    s->ret_var = norm[2];
    s->ret_count = norm[3];
    s->total_steps = c[0];
    s->rollouts = c[1];
    s->updates = c[2];
    s->n = n;
    s->pending = (int)c[4];
    s->episode_start = (int)c[5];
    return TK_OK;
bad:
    return s->host->error(s->ctx, TK_ERR_INVALID, NULL, "cannot restore the ppo state: %s",
                          r.error);
}

/* ------------------------------------------------------------- extension */

static tk_status ext_compute(void *self, size_t n, const float *obs_norm, const float *act,
                             const float *old_logp, const float *old_value, const float *adv,
                             const float *ret, double stats_out[TK_PPO_N_STATS], int grads,
                             float *logp_out, float *value_out)
{
    ppo_student *s = self;
    const ppo_batch b = {n, obs_norm, act, old_logp, old_value, adv, ret};
    if (ppo_learner_compute(s->learner, &b, stats_out, grads, logp_out, value_out))
        return s->host->error(s->ctx, TK_ERR_INVALID, NULL,
                              "minibatch of %zu rows: must be in [1, minibatch_size = %zu]", n,
                              s->hp.minibatch);
    return TK_OK;
}

static tk_status ext_tensor(void *self, int which, float **params, float **grads, size_t *count)
{
    ppo_student *s = self;
    if (which == TK_PPO_NET) {
        tk_mlp *net = ppo_learner_net(s->learner);
        *params = tk_mlp_params(net);
        *grads = tk_mlp_grads(net);
        *count = tk_mlp_n_params(net);
        return TK_OK;
    }
    if (which == TK_PPO_LOG_STD) {
        *params = ppo_learner_log_std(s->learner);
        *grads = ppo_learner_log_std_grad(s->learner);
        *count = s->hp.act_dim;
        return TK_OK;
    }
    return s->host->error(s->ctx, TK_ERR_INVALID, NULL, "no tensor %d", which);
}

static tk_status ext_normalizer(void *self, double *obs_mean, double *obs_var, double *obs_count,
                                double *ret_var, double *ret_count)
{
    ppo_student *s = self;
    memcpy(obs_mean, s->obs_rms.mean, s->hp.obs_dim * sizeof(double));
    memcpy(obs_var, s->obs_rms.var, s->hp.obs_dim * sizeof(double));
    *obs_count = s->obs_rms.count;
    *ret_var = s->ret_var;
    *ret_count = s->ret_count;
    return TK_OK;
}

static void ext_gae(size_t n, const float *rew, const float *val, const unsigned char *cont,
                    const float *next_value, float last_value, double gamma, double lam,
                    float *adv, float *ret)
{
    ppo_gae(n, rew, val, cont, next_value, last_value, gamma, lam, adv, ret);
}

static tk_status ext_stats(void *self, uint64_t *rollouts, uint64_t *updates,
                           double stats_out[TK_PPO_N_STATS])
{
    ppo_student *s = self;
    *rollouts = s->rollouts;
    *updates = s->updates;
    memcpy(stats_out, s->stats, sizeof s->stats);
    return TK_OK;
}

static const tk_ppo_debug_ext debug_ext = {
    .struct_size = sizeof(tk_ppo_debug_ext),
    .compute = ext_compute,
    .tensor = ext_tensor,
    .normalizer = ext_normalizer,
    .stats = ext_stats,
    .gae = ext_gae,
};

static const char *ppo_describe(void *self)
{
    ppo_student *s = self;
    return tk_student_net_describe(&s->net_config, s->runtime_json, sizeof s->runtime_json);
}

static const tk_runtime_info_ext runtime_info_ext = {
    .struct_size = sizeof(tk_runtime_info_ext),
    .describe = ppo_describe,
};

static const void *ppo_get_extension(void *self, const char *id)
{
    (void)self;
    if (id && strcmp(id, TK_RUNTIME_INFO_EXT_ID) == 0)
        return &runtime_info_ext;
    return id && strcmp(id, TK_PPO_EXT_DEBUG) == 0 ? &debug_ext : NULL;
}

/* ------------------------------------------------- levels and scores (1.2) */

static tk_status ppo_begin_episode(void *self, const tk_episode_options *opt)
{
    ppo_student *s = self;
    s->learn = opt->learn != 0;
    s->scores = TK_HAS_FIELD(opt, scores) && opt->scores;
    s->bootstrap = 0.0;
    tk_score_trace_clear(&s->trace);
    return TK_OK;
}

/* GAE with the student's own gamma and lambda on its normalised rewards,
 * as PLR scores the rollouts its PPO learns from. */
static tk_status ppo_episode_scores(void *self, tk_episode_scores *out)
{
    ppo_student *s = self;
    if (s->scores)
        tk_score_trace_finish(&s->trace, s->bootstrap, s->gamma, s->lam, out);
    return TK_OK;
}

/* ------------------------------------------------------------ descriptor */

static const tk_student_vtable ppo_vtable = {
    .struct_size = sizeof(tk_student_vtable),
    .create = ppo_create,
    .destroy = ppo_destroy,
    .act = ppo_act,
    .observe = ppo_observe,
    .end_episode = ppo_end_episode,
    .value = ppo_value,
    .save = ppo_save,
    .load = ppo_load,
    .get_extension = ppo_get_extension,
    .begin_episode = ppo_begin_episode,
    .episode_scores = ppo_episode_scores,
};

static const char *const ppo_features[] = {TK_FEATURE_VALUE, TK_FEATURE_CHECKPOINT_WITHIN_EPISODE,
                                           NULL};

static const tk_descriptor ppo_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_STUDENT,
    .id = "ppo",
    .name = "PPO (OpenAI Baselines ppo2)",
    .version = "1.0.0",
    .description = "PPO with clipped surrogate and value losses, GAE, observation and reward "
                   "normalisation, as the TeachMyAgent benchmark ran it (Romac et al. 2021)",
    .default_config = "{\"hidden_sizes\": [400, 300], \"precision\": \"fp32\", "
                      "\"activation\": \"tanh\", "
                      "\"leaky_slope\": 0.01, \"lr\": 0.0003, \"adam_beta1\": 0.9, "
                      "\"adam_beta2\": 0.999, \"adam_eps\": 1e-05, \"nsteps\": 20000, "
                      "\"minibatch_size\": 1000, \"epochs\": 5, \"clip_range\": 0.2, "
                      "\"clip_value\": true, \"gamma\": 0.99, \"lam\": 0.95, "
                      "\"vf_coef\": 0.5, \"ent_coef\": 0.0, \"max_grad_norm\": 0.5, "
                      "\"init_log_std\": 0.0, \"normalize_obs\": true, "
                      "\"normalize_reward\": true, \"obs_clip\": 10.0, \"reward_clip\": 10.0, "
                      "\"deterministic_eval\": false, \"bootstrap_truncated\": false}",
    .features = ppo_features,
    .vtable = &ppo_vtable,
};

static const tk_descriptor *const descriptors[] = {&ppo_descriptor};
TK_PLUGIN_DESCRIPTORS(descriptors);
