/*
 * Plumbing shared by learning students (the bundled sac and ppo, and any
 * student built on <teachkit/nn.h>): what a student does around its learner
 * with the environment spec, its config and its checkpoints.
 *
 *   - tk_student_check_spec: the environment has observations and actions;
 *   - tk_student_action_map: the affine map from the learner's [-1, 1]^A
 *     onto the environment's action box;
 *   - tk_student_check_finite: refusing a non-finite observation or action;
 *   - tk_student_net_read: the network and optimiser keys every such student
 *     takes (hidden_sizes, activation, leaky_slope, lr, adam_beta1,
 *     adam_beta2, adam_eps, precision), with their ranges;
 *   - tk_student_hidden_code, tk_student_config_check: a checkpoint records
 *     the config as a vector of doubles, and load() refuses a state saved
 *     with another one.
 *
 * A typical create:
 *
 *     if ((st = tk_student_check_spec(host, ctx, spec, "my-student")))
 *         return st;
 *     ...
 *     tk_student_net net;
 *     st = tk_student_net_read(cfg, host, ctx, MY_MAX_HIDDEN, choices, values, &net);
 *     ...
 *     st = tk_student_action_map(host, ctx, spec, s->act_center, s->act_half);
 *
 * Errors are reported through host->error before they are returned, with
 * the config key as path for config errors and no path otherwise; the
 * messages are listed with each function.  Nothing here allocates or keeps
 * a pointer: every array is borrowed for the call.  Threads: no global
 * state; the functions taking a host report through it and so are
 * [instance] like every host service (call them with the ctx of the
 * instance being entered); tk_student_hidden_code is [thread-safe].
 */
#ifndef TEACHKIT_STUDENT_H
#define TEACHKIT_STUDENT_H

#include <stddef.h>

#include "teachkit/config.h"
#include "teachkit/nn.h"
#include "teachkit/nn_optim.h"
#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ the spec */

/* TK_OK when `spec` has obs_dim > 0 and act_dim > 0; otherwise
 * TK_ERR_INVALID after reporting
 *   STUDENT needs an environment with observations and continuous actions
 *   (obs_dim O, act_dim A)
 * (O and A 0 when spec is NULL).  `student` names the student.  [instance] */
tk_status tk_student_check_spec(const tk_host_api *host, tk_ctx *ctx, const tk_student_spec *spec,
                                const char *student);

/* Fills center[i] and half[i] (act_dim floats each, caller-owned) so that
 * the environment action is center + half a for a in [-1, 1]: the midpoint
 * and half-width of [act_low[i], act_high[i]], in double then rounded to
 * float.  A missing (NULL) or non-finite box maps to [-1, 1].  A dimension
 * with low > high stops the map with TK_ERR_INVALID after reporting
 *   action dimension I has bounds [LOW, HIGH]
 * (the entries before it are written).  [instance] */
tk_status tk_student_action_map(const tk_host_api *host, tk_ctx *ctx,
                                const tk_student_spec *spec, float *center, float *half);

/* TK_OK when all n values are finite; otherwise TK_ERR_INVALID after
 * reporting "WHAT[I] is not finite" for the first bad index I, e.g.
 * "observation[3] is not finite".  [instance] */
tk_status tk_student_check_finite(const tk_host_api *host, tk_ctx *ctx, const float *v,
                                  size_t n, const char *what);

/* ------------------------------------------------------------ the network */

/* Room for this many hidden layers in tk_student_net. */
#define TK_STUDENT_MAX_HIDDEN 16

/* The network and optimiser keys, as read. */
typedef struct tk_student_net {
    size_t n_hidden;                      /* 1..max_hidden */
    size_t hidden[TK_STUDENT_MAX_HIDDEN]; /* the first n_hidden are the layer sizes */
    int activation_index;                 /* index of "activation" in the caller's choices */
    tk_nn_activation activation;          /* values[activation_index] */
    float leaky_slope;
    tk_adam_options adam;                 /* lr, adam_beta1, adam_beta2, adam_eps */
    int precision_index;                  /* "precision" as asked: 0 fp32, 1 bf16, 2 auto */
    tk_nn_precision precision;            /* what the networks run: "auto" resolved */
} tk_student_net;

/* The values of "precision", in the order of tk_student_net.precision_index. */
extern const char *const tk_student_precision_choices[];

/* Read, in this order (the first failure is the one reported):
 *   hidden_sizes  non-empty array of at most max_hidden integers in [1, 65536]
 *   activation    one of the NULL-terminated `choices`; `values` holds the
 *                 activation of each choice, in the same order
 *   leaky_slope   number in [0, 1]
 *   lr            number in [1e-12, 1]
 *   adam_beta1    number in [0, 0.999999]
 *   adam_beta2    number in [0, 0.999999]
 *   adam_eps      number in [0, 1]
 *   precision     "fp32", "bf16" or "auto" (bf16 where tk_nn_bf16_native(),
 *                 fp32 elsewhere); optional: "fp32" when the key is absent,
 *                 so students whose defaults predate it keep working
 * The numbers are stored as float.  Besides the range errors of
 * <teachkit/config.h>, hidden_sizes reports
 *   hidden_sizes: at most MAX hidden layers, got N
 *   hidden_sizes[I]: must be an integer, got X
 *   precision: "bf16" needs a CPU that multiplies bfloat16 natively (AMX or
 *   AVX512-BF16); this CPU runs oneDNN on ISA; use "fp32" or "auto"
 * `max_hidden` is capped at TK_STUDENT_MAX_HIDDEN.  The order of `choices`
 * is the student's to fix: the index is what its checkpoints record.  *out
 * is meaningful only on TK_OK.  [instance] */
tk_status tk_student_net_read(tk_config *cfg, const tk_host_api *host, tk_ctx *ctx,
                              size_t max_hidden, const char *const *choices,
                              const tk_nn_activation *values, tk_student_net *out);

/* Writes into buf (size bytes, caller-owned) the runtime facts of a student
 * built on `net`, for its teachkit.runtime-info.v1 extension
 * (<teachkit/runtime_info.h>): {"precision": "bf16", "precision_config":
 * "auto"}.  Returns buf.  [thread-safe] */
const char *tk_student_net_describe(const tk_student_net *net, char *buf, size_t size);

/* ------------------------------------------------------------ checkpoints */

/* The n hidden sizes packed into one double for a config vector: h = 0,
 * then h = 65537 h + hidden[i] for each layer in order.  Exact while the
 * result stays below 2^53 (any three layers of sizes <= 65536); beyond that
 * it is rounded, and two configs may share a code.  [thread-safe] */
double tk_student_hidden_code(const size_t *hidden, size_t n);

/* load()'s check that a state was saved with this configuration: `here` and
 * `saved` are n-entry config vectors compared bit for bit, `names` names
 * each entry.  TK_OK when equal; otherwise TK_ERR_INVALID after reporting,
 * for the first differing entry,
 *   state saved with another configuration: NAME is SAVED there, HERE here
 * [instance] */
tk_status tk_student_config_check(const tk_host_api *host, tk_ctx *ctx,
                                  const char *const *names, const double *here,
                                  const double *saved, size_t n);

#ifdef __cplusplus
}
#endif

#endif
