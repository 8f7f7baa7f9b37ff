/*
 * Soft Actor-Critic student, the variant both papers ran (SpinningUp 0.1.1
 * with a V network; teachDeepRL teachDRL/spinup/algos/sac, TeachMyAgent
 * students/spinup/algos/tf1/sac_v011).
 * The learner (networks, losses, one gradient step) is sac_core.c; this
 * file adds the configuration, acting, the replay buffer, the update
 * schedule and the checkpoint hooks.  docs/students/sac.md is the guide.
 *
 * Schedule (the training loop of teachDeepRL's sac.py): the first start_steps + 1 training
 * actions are uniform in the action box (SpinningUp's `t > start_steps`
 * test on a 0-based step count); afterwards actions are samples of the
 * policy.  Every transition goes into the FIFO buffer with d = done, except
 * that d = 0 when the episode reached max_episode_steps (time-limit
 * bootstrapping, `d = False if ep_len == max_ep_len`).  At the end of each
 * training episode the student runs ceil(ep_len / train_freq) gradient
 * steps on minibatches drawn uniformly with replacement from the whole
 * buffer.  Evaluation actions are tanh(mu).
 *
 * Deliberate deviations (docs/students/sac.md lists them):
 *   - Actions are produced in [-1, 1]^A and mapped affinely onto the
 *     environment's action box; the critics see the [-1, 1] action.
 *     SpinningUp multiplies by act_high instead (identical for the
 *     papers' walkers, whose box is [-1, 1]).
 *   - Randomness comes from the instance's stream (host->rng), not from TF
 *     and numpy global generators.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sac_core.h"
#include "sac_ext.h"
#include "teachkit/config.h"
#include "teachkit/nn_io.h"
#include "teachkit/nn_replay.h"
#include "teachkit/plugin.h"
#include "teachkit/rng.h"
#include "teachkit/runtime_info.h"
#include "teachkit/score_trace.h"
#include "teachkit/student.h"

#define STATE_KIND "teachkit.sac/3"

static const char *const activation_choices[] = {"relu", "tanh", "leaky_relu", NULL};
static const tk_nn_activation activation_values[] = {TK_NN_RELU, TK_NN_TANH, TK_NN_LEAKY_RELU};

typedef struct sac_student {
    tk_student_net net_config;    /* the network keys as read (precision asked and resolved) */
    char runtime_json[96];        /* sac_describe's answer */
    const tk_host_api *host; /* borrowed, outlives the instance */
    tk_ctx *ctx;             /* borrowed */
    sac_hparams hp;
    size_t buffer_size;
    uint64_t start_steps, train_freq, max_ep_len;
    int deterministic_eval;
    int activation_index;
    float *act_center, *act_half; /* owned, A each: env action = center + half a */
    sac_learner *learner;         /* owned */
    tk_replay *rb;                /* owned */
    float *b_obs, *b_act, *b_rew, *b_next, *b_done, *noise; /* owned, one minibatch */
    float *a_pol;                 /* owned, A */
    uint64_t total_steps;         /* training transitions observed */
    uint64_t ep_len;              /* transitions of the current episode */
    uint64_t updates;             /* gradient steps taken */
    uint64_t pending_updates;     /* gradient steps an end_episode stopped early owes */
    double losses[SAC_N_LOSSES];  /* of the latest step */
    tk_nn_writer state;           /* owned, latest save() */
    /* ABI 1.2, set by begin_episode for one training episode.  Not saved:
     * the host checkpoints such runs between episodes only. */
    int learn;                    /* 0: play without storing or training */
    int scores;                   /* trace the episode for episode_scores */
    tk_score_trace trace;         /* owned: r_t and V(s_t) of the episode */
    double bootstrap;             /* V after the last step (0 if terminal) */
} sac_student;

/* GAE's lambda for the positive value loss.  SAC has none of its own;
 * 0.95 is the default gae_lambda of the PPO that PLR's scores come from
 * (facebookresearch/dcd, arguments.py). */
#define SAC_SCORE_LAMBDA 0.95

static void sac_destroy(void *self)
{
    sac_student *s = self;
    if (!s)
        return;
    sac_learner_free(s->learner);
    tk_replay_free(s->rb);
    float *bufs[] = {s->act_center, s->act_half, s->b_obs, s->b_act, s->b_rew,
                     s->b_next,     s->b_done,   s->noise, s->a_pol};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        free(bufs[i]);
    tk_nn_writer_free(&s->state);
    tk_score_trace_free(&s->trace);
    free(s);
}

/* ---------------------------------------------------------------- config */

_Static_assert(SAC_MAX_HIDDEN <= TK_STUDENT_MAX_HIDDEN, "tk_student_net holds the hidden sizes");

static tk_status read_config(sac_student *s, const char *config_json)
{
    tk_config *cfg = NULL;
    tk_status st = tk_config_parse(s->host, s->ctx, config_json, &cfg);
    if (st)
        return st;
    tk_student_net net;
    double alpha, gamma, polyak, lo, hi;
    int64_t batch, buffer, start, freq;
    if ((st = tk_student_net_read(cfg, s->host, s->ctx, SAC_MAX_HIDDEN, activation_choices,
                                  activation_values, &net)) ||
        (st = tk_config_double(cfg, "alpha", 0.0, 100.0, &alpha)) ||
        (st = tk_config_double(cfg, "gamma", 0.0, 1.0, &gamma)) ||
        (st = tk_config_double(cfg, "polyak", 0.0, 1.0, &polyak)) ||
        (st = tk_config_int(cfg, "batch_size", 1, 100000, &batch)) ||
        (st = tk_config_int(cfg, "buffer_size", 1, 100000000, &buffer)) ||
        (st = tk_config_int(cfg, "start_steps", 0, INT64_MAX / 2, &start)) ||
        (st = tk_config_int(cfg, "train_freq", 1, 1000000000, &freq)) ||
        (st = tk_config_double(cfg, "log_std_min", -100.0, 100.0, &lo)) ||
        (st = tk_config_double(cfg, "log_std_max", -100.0, 100.0, &hi)) ||
        (st = tk_config_bool(cfg, "deterministic_eval", &s->deterministic_eval)))
        goto done;
    if (hi <= lo) {
        st = s->host->error(s->ctx, TK_ERR_CONFIG, "log_std_max",
                            "must be greater than log_std_min (%g), got %g", lo, hi);
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
    s->hp.alpha = (float)alpha;
    s->hp.gamma = (float)gamma;
    s->hp.polyak = (float)polyak;
    s->hp.log_std_min = (float)lo;
    s->hp.log_std_max = (float)hi;
    s->hp.batch_size = (size_t)batch;
    s->buffer_size = (size_t)buffer;
    s->start_steps = (uint64_t)start;
    s->train_freq = (uint64_t)freq;
done:
    tk_config_free(cfg);
    return st;
}

/* Every value that shapes the saved state or the learning, for the
 * consistency check of load().  Order of `config_names`. */
static const char *const config_names[] = {
    "obs_dim",     "act_dim",     "hidden_sizes", "activation",  "leaky_slope",
    "lr",          "adam_beta1",  "adam_beta2",   "adam_eps",    "alpha",
    "gamma",       "polyak",      "batch_size",   "buffer_size", "start_steps",
    "train_freq",  "log_std_min", "log_std_max",  "deterministic_eval",
    "max_episode_steps", "precision"};
#define N_CONFIG (sizeof config_names / sizeof *config_names)

static void config_vector(const sac_student *s, double *v)
{
    const sac_hparams *hp = &s->hp;
    const double hidden = tk_student_hidden_code(hp->hidden, hp->n_hidden);
    const double vals[N_CONFIG] = {
        (double)hp->obs_dim,    (double)hp->act_dim,     hidden,
        s->activation_index,    hp->leaky_slope,         hp->adam.lr,
        hp->adam.beta1,         hp->adam.beta2,          hp->adam.eps,
        hp->alpha,              hp->gamma,               hp->polyak,
        (double)hp->batch_size, (double)s->buffer_size,  (double)s->start_steps,
        (double)s->train_freq,  hp->log_std_min,         hp->log_std_max,
        s->deterministic_eval,  (double)s->max_ep_len,   (double)hp->precision};
    memcpy(v, vals, sizeof vals);
}

/* ---------------------------------------------------------------- create */

static tk_status alloc_buffers(sac_student *s)
{
    const size_t O = s->hp.obs_dim, A = s->hp.act_dim, B = s->hp.batch_size;
    s->rb = tk_replay_new(s->buffer_size, O, A);
    s->b_obs = malloc(B * O * sizeof(float));
    s->b_next = malloc(B * O * sizeof(float));
    s->b_act = malloc(B * A * sizeof(float));
    s->noise = malloc(B * A * sizeof(float));
    s->b_rew = malloc(B * sizeof(float));
    s->b_done = malloc(B * sizeof(float));
    s->a_pol = malloc(A * sizeof(float));
    s->act_center = malloc(A * sizeof(float));
    s->act_half = malloc(A * sizeof(float));
    return s->rb && s->b_obs && s->b_next && s->b_act && s->noise && s->b_rew && s->b_done &&
                   s->a_pol && s->act_center && s->act_half
               ? TK_OK
               : TK_ERR_NOMEM;
}

static tk_status sac_create(const tk_host_api *host, tk_ctx *ctx, const tk_student_spec *spec,
                            const char *config_json, void **out)
{
    *out = NULL;
    tk_status st = tk_student_check_spec(host, ctx, spec, "sac");
    if (st)
        return st;
    sac_student *s = calloc(1, sizeof *s);
    if (!s)
        return TK_ERR_NOMEM;
    s->host = host;
    s->ctx = ctx;
    s->learn = 1; /* every episode, unless begin_episode (ABI 1.2) says otherwise */
    s->hp.obs_dim = spec->obs_dim;
    s->hp.act_dim = spec->act_dim;
    s->max_ep_len = spec->max_episode_steps;
    st = read_config(s, config_json);
    if (!st)
        st = alloc_buffers(s);
    if (!st)
        st = tk_student_action_map(host, ctx, spec, s->act_center, s->act_half);
    if (!st && tk_nn_writer_init(&s->state, STATE_KIND))
        st = TK_ERR_NOMEM;
    if (!st && !(s->learner = sac_learner_new(&s->hp, host->rng(ctx))))
        st = host->error(ctx, TK_ERR_NOMEM, NULL, "cannot allocate the networks");
    if (st) {
        sac_destroy(s);
        return st;
    }
    *out = s;
    return TK_OK;
}

/* ---------------------------------------------------------------- acting */

static tk_status check_finite(sac_student *s, const float *v, size_t n, const char *what)
{
    return tk_student_check_finite(s->host, s->ctx, v, n, what);
}

static tk_status sac_act(void *self, const float *obs, int deterministic, float *action_out)
{
    sac_student *s = self;
    const size_t A = s->hp.act_dim;
    tk_status st = check_finite(s, obs, s->hp.obs_dim, "observation");
    if (st)
        return st;
    tk_rng *rng = s->host->rng(s->ctx);
    if (deterministic && s->deterministic_eval) {
        sac_learner_act(s->learner, obs, NULL, s->a_pol);
    } else if (!deterministic && s->total_steps <= s->start_steps) {
        for (size_t i = 0; i < A; i++)
            s->a_pol[i] = (float)tk_rng_range(rng, -1.0, 1.0);
    } else {
        for (size_t i = 0; i < A; i++)
            s->noise[i] = (float)tk_rng_normal(rng);
        sac_learner_act(s->learner, obs, s->noise, s->a_pol);
    }
    for (size_t i = 0; i < A; i++)
        action_out[i] = s->act_center[i] + s->act_half[i] * s->a_pol[i];
    return TK_OK;
}

/* Keeps r_t and V(s_t) for the episode's scores, and V(s_T) at its end
 * (0 when it terminated, `d` = 1). */
static tk_status trace_step(sac_student *s, const float *obs, double reward,
                            const float *next_obs, int last, float d)
{
    float v;
    sac_learner_value(s->learner, obs, 1, &v);
    if (tk_score_trace_push(&s->trace, reward, (double)v) != TK_OK)
        return s->host->error(s->ctx, TK_ERR_NOMEM, NULL, "out of memory");
    if (last) {
        float next = 0.0f;
        if (d == 0.0f)
            sac_learner_value(s->learner, next_obs, 1, &next);
        s->bootstrap = (double)next;
    }
    return TK_OK;
}

static tk_status sac_observe(void *self, const float *obs, const float *action, double reward,
                             const float *next_obs, int done, int truncated)
{
    sac_student *s = self;
    const size_t A = s->hp.act_dim;
    tk_status st;
    if ((st = check_finite(s, obs, s->hp.obs_dim, "observation")) ||
        (st = check_finite(s, next_obs, s->hp.obs_dim, "next observation")) ||
        (st = check_finite(s, action, A, "action")))
        return st;
    if (!isfinite(reward))
        return s->host->error(s->ctx, TK_ERR_INVALID, NULL, "the reward is not finite");
    s->ep_len++;
    float d = done ? 1.0f : 0.0f;
    if (truncated || (s->max_ep_len && s->ep_len == s->max_ep_len))
        d = 0.0f; /* time limit: bootstrap */
    if (s->scores && (st = trace_step(s, obs, reward, next_obs, done || truncated, d)))
        return st;
    if (!s->learn)
        return TK_OK; /* a no-learn episode leaves the buffer and schedule alone */
    s->total_steps++;
    for (size_t i = 0; i < A; i++)
        s->a_pol[i] = s->act_half[i] > 0.0f ? (action[i] - s->act_center[i]) / s->act_half[i]
                                            : 0.0f;
    tk_replay_add(s->rb, obs, s->a_pol, (float)reward, next_obs, d);
    return TK_OK;
}

/* One gradient step on a fresh minibatch. */
static tk_status gradient_step(sac_student *s)
{
    const size_t B = s->hp.batch_size, A = s->hp.act_dim;
    tk_rng *rng = s->host->rng(s->ctx);
    if (tk_replay_sample(s->rb, rng, B, s->b_obs, s->b_act, s->b_rew, s->b_next, s->b_done))
        return TK_OK; /* nothing stored yet */
    for (size_t i = 0; i < B * A; i++)
        s->noise[i] = (float)tk_rng_normal(rng);
    const sac_batch b = {B, s->b_obs, s->b_act, s->b_rew, s->b_next, s->b_done};
    sac_learner_update(s->learner, &b, s->noise, s->losses);
    s->updates++;
    for (int i = 0; i < SAC_N_LOSSES; i++)
        if (!isfinite(s->losses[i]))
            return s->host->error(s->ctx, TK_ERR_NUMERIC, NULL,
                                  "non-finite loss at gradient step %llu (L_pi %g, L_q1 %g, "
                                  "L_q2 %g, L_v %g)",
                                  (unsigned long long)s->updates, s->losses[0], s->losses[1],
                                  s->losses[2], s->losses[3]);
    return TK_OK;
}

static tk_status sac_end_episode(void *self, double episode_return, uint64_t episode_steps)
{
    (void)episode_return;
    (void)episode_steps; /* ep_len counts the transitions actually observed */
    sac_student *s = self;
    if (!s->learn) {
        s->ep_len = 0;
        s->learn = 1; /* until the next begin_episode says otherwise */
        return TK_OK;
    }
    /* Called again after a stop: the gradient steps it still owes. */
    if (!s->pending_updates)
        s->pending_updates = (s->ep_len + s->train_freq - 1) / s->train_freq;
    s->ep_len = 0;
    const int can_stop = TK_HAS_MEMBER(s->host, stop_requested) && s->host->stop_requested;
    while (s->pending_updates) {
        /* Stopping between gradient steps keeps a stop within one step's time
         * of the request (an episode's updates can take many seconds). */
        if (can_stop && s->host->stop_requested(s->ctx))
            return TK_STOPPED;
        tk_status st = gradient_step(s);
        if (st)
            return st;
        s->pending_updates--;
    }
    return TK_OK;
}

static tk_status sac_value(void *self, const float *obs, size_t n, float *values_out)
{
    sac_student *s = self;
    tk_status st = check_finite(s, obs, n * s->hp.obs_dim, "observation");
    if (st)
        return st;
    sac_learner_value(s->learner, obs, n, values_out);
    return TK_OK;
}

/* ------------------------------------------------------------ checkpoint */

static tk_status sac_save(void *self, const void **data, size_t *size)
{
    sac_student *s = self;
    double cfg[N_CONFIG];
    config_vector(s, cfg);
    const uint64_t counters[4] = {s->total_steps, s->ep_len, s->updates, s->pending_updates};
    size_t params = 0;
    for (int i = 0; i < SAC_N_NETS; i++)
        params += tk_mlp_n_params(sac_learner_net(s->learner, i));
    /* Networks + Adam moments + the stored transitions + record headers. */
    const size_t expect = 3 * params * sizeof(float) +
                          tk_replay_bytes(tk_replay_size(s->rb), s->hp.obs_dim, s->hp.act_dim) +
                          (N_CONFIG + 64) * 64;
    if (tk_nn_writer_reset(&s->state, STATE_KIND) || tk_nn_writer_reserve(&s->state, expect) ||
        tk_nn_put_f64(&s->state, "config", cfg, N_CONFIG) ||
        tk_nn_put_u64(&s->state, "counters", counters, 4) ||
        tk_nn_put_f64(&s->state, "losses", s->losses, SAC_N_LOSSES) ||
        sac_learner_save(s->learner, &s->state) || tk_replay_save(s->rb, &s->state, "replay"))
        return s->host->error(s->ctx, TK_ERR_NOMEM, NULL, "cannot allocate the state string");
    *data = s->state.data;
    *size = s->state.size;
    return TK_OK;
}

/* Validates the whole string first, then restores: a failed load leaves
 * the instance untouched. */
static tk_status sac_load(void *self, const void *data, size_t size)
{
    sac_student *s = self;
    tk_nn_reader r;
    double cfg[N_CONFIG], saved[N_CONFIG];
    uint64_t counters[4];
    double losses[SAC_N_LOSSES];
    config_vector(s, cfg);
    if (tk_nn_reader_init(&r, data, size, STATE_KIND) ||
        tk_nn_get_f64(&r, "config", saved, N_CONFIG))
        goto bad;
    tk_status st = tk_student_config_check(s->host, s->ctx, config_names, cfg, saved, N_CONFIG);
    if (st)
        return st;
    const size_t start = r.pos;
    if (tk_nn_get_u64(&r, "counters", counters, 4) ||
        tk_nn_get_f64(&r, "losses", losses, SAC_N_LOSSES) || sac_learner_skip(s->learner, &r) ||
        tk_replay_skip(s->rb, &r, "replay") || tk_nn_reader_end(&r))
        goto bad;
    /* A corrupt episode length would make end_episode() run up to 2^64
     * gradient steps. */
    if (s->max_ep_len && (counters[1] > s->max_ep_len || counters[3] > s->max_ep_len))
        return s->host->error(s->ctx, TK_ERR_INVALID, NULL,
                              "cannot restore the sac state: episode length %llu or pending "
                              "gradient steps %llu exceed the env's limit %llu",
                              (unsigned long long)counters[1], (unsigned long long)counters[3],
                              (unsigned long long)s->max_ep_len);
    r.pos = start;
    tk_nn_get_u64(&r, "counters", counters, 4);
    tk_nn_get_f64(&r, "losses", s->losses, SAC_N_LOSSES);
    sac_learner_load(s->learner, &r);
    tk_replay_load(s->rb, &r, "replay");
    s->total_steps = counters[0];
    s->ep_len = counters[1];
    s->updates = counters[2];
    s->pending_updates = counters[3];
    return TK_OK;
bad:
    return s->host->error(s->ctx, TK_ERR_INVALID, NULL, "cannot restore the sac state: %s",
                          r.error);
}

/* ------------------------------------------------------------- extension */

static tk_status ext_compute(void *self, size_t n, const float *obs, const float *act,
                             const float *rew, const float *next_obs, const float *done,
                             const float *noise, const float *targets_in, float *targets_out,
                             double losses_out[4], int grads)
{
    sac_student *s = self;
    const sac_batch b = {n, obs, act, rew, next_obs, done};
    if (sac_learner_compute(s->learner, &b, noise, targets_in, targets_out, losses_out, grads))
        return s->host->error(s->ctx, TK_ERR_INVALID, NULL,
                              "batch of %zu rows: must be in [1, batch_size = %zu]", n,
                              s->hp.batch_size);
    return TK_OK;
}

static tk_status ext_tensor(void *self, int which, float **params, float **grads, size_t *count)
{
    sac_student *s = self;
    tk_mlp *net = sac_learner_net(s->learner, which);
    if (!net)
        return s->host->error(s->ctx, TK_ERR_INVALID, NULL, "no network %d", which);
    *params = tk_mlp_params(net);
    *grads = tk_mlp_grads(net);
    *count = tk_mlp_n_params(net);
    return TK_OK;
}

static tk_status ext_stats(void *self, uint64_t *updates, double losses_out[4])
{
    sac_student *s = self;
    *updates = s->updates;
    memcpy(losses_out, s->losses, sizeof s->losses);
    return TK_OK;
}

static const tk_sac_debug_ext debug_ext = {
    .struct_size = sizeof(tk_sac_debug_ext),
    .compute = ext_compute,
    .tensor = ext_tensor,
    .stats = ext_stats,
};

static const char *sac_describe(void *self)
{
    sac_student *s = self;
    return tk_student_net_describe(&s->net_config, s->runtime_json, sizeof s->runtime_json);
}

static const tk_runtime_info_ext runtime_info_ext = {
    .struct_size = sizeof(tk_runtime_info_ext),
    .describe = sac_describe,
};

static const void *sac_get_extension(void *self, const char *id)
{
    (void)self;
    if (id && strcmp(id, TK_RUNTIME_INFO_EXT_ID) == 0)
        return &runtime_info_ext;
    return id && strcmp(id, TK_SAC_EXT_DEBUG) == 0 ? &debug_ext : NULL;
}

/* ------------------------------------------------- levels and scores (1.2) */

static tk_status sac_begin_episode(void *self, const tk_episode_options *opt)
{
    sac_student *s = self;
    s->learn = opt->learn != 0;
    s->scores = TK_HAS_FIELD(opt, scores) && opt->scores;
    s->bootstrap = 0.0;
    tk_score_trace_clear(&s->trace);
    return TK_OK;
}

static tk_status sac_episode_scores(void *self, tk_episode_scores *out)
{
    sac_student *s = self;
    if (s->scores)
        tk_score_trace_finish(&s->trace, s->bootstrap, (double)s->hp.gamma, SAC_SCORE_LAMBDA,
                              out);
    return TK_OK;
}

/* ------------------------------------------------------------ descriptor */

static const tk_student_vtable sac_vtable = {
    .struct_size = sizeof(tk_student_vtable),
    .create = sac_create,
    .destroy = sac_destroy,
    .act = sac_act,
    .observe = sac_observe,
    .end_episode = sac_end_episode,
    .value = sac_value,
    .save = sac_save,
    .load = sac_load,
    .get_extension = sac_get_extension,
    .begin_episode = sac_begin_episode,
    .episode_scores = sac_episode_scores,
};

static const char *const sac_features[] = {TK_FEATURE_VALUE, TK_FEATURE_CHECKPOINT_WITHIN_EPISODE,
                                           NULL};

static const tk_descriptor sac_descriptor = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_STUDENT,
    .id = "sac",
    .name = "Soft Actor-Critic (SpinningUp 0.1.1, V network)",
    .version = "1.0.0",
    .description = "SAC with twin Q, V and target-V networks, fixed entropy coefficient and "
                   "updates at episode end, as in Portelas et al. 2019 and Romac et al. 2021",
    .default_config = "{\"hidden_sizes\": [400, 300], \"precision\": \"fp32\", "
                      "\"activation\": \"relu\", "
                      "\"leaky_slope\": 0.01, \"lr\": 0.001, \"adam_beta1\": 0.9, "
                      "\"adam_beta2\": 0.999, \"adam_eps\": 1e-08, \"alpha\": 0.005, "
                      "\"gamma\": 0.99, \"polyak\": 0.995, \"batch_size\": 1000, "
                      "\"buffer_size\": 2000000, \"start_steps\": 10000, \"train_freq\": 10, "
                      "\"log_std_min\": -20.0, \"log_std_max\": 2.0, "
                      "\"deterministic_eval\": true}",
    .features = sac_features,
    .vtable = &sac_vtable,
};

static const tk_descriptor *const descriptors[] = {&sac_descriptor};
TK_PLUGIN_DESCRIPTORS(descriptors);
