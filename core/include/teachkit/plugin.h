/*
 * teachkit plugin ABI, version 1.2.
 *
 * A plugin is a shared object that exports ONE symbol, `teachkit_plugin_entry`
 * (see TK_ENTRY_SYMBOL), a const struct tk_plugin_entry.  The entry lists the
 * components the file provides -- any number of teachers, environments and
 * students -- through descriptors.  The host reads `abi_major` before touching
 * anything else and refuses files whose major differs from TK_ABI_MAJOR.
 *
 * Growing the ABI: every struct the host reads from a plugin starts with its
 * size (`struct_size`), so a newer minor version may append fields and
 * optional functions; the host only reads fields that lie inside the size the
 * plugin declared.  New capabilities come as optional function pointers (NULL
 * = not provided) or through `get_extension(id)`.  Existing fields never
 * change meaning within a major version.  Members without a "since 1.N" note
 * are part of 1.0.
 *
 * The same holds the other way round, for what the host hands a plugin:
 *   - tables the plugin reads (tk_host_api): check TK_HAS_MEMBER before
 *     using a member newer than 1.0, since an older host's table ends
 *     before it;
 *   - output structs the host allocates and the plugin fills (tk_env_info;
 *     since 1.2 tk_level and tk_episode_scores):
 *     the host sets `struct_size` to the size it knows, and the plugin
 *     writes only inside it.  Fill a whole struct of your own and copy what
 *     fits with tk_env_info_write, so a plugin built against a newer header
 *     works in an older host;
 *   - input structs the host allocates (tk_student_spec): since 1.1 they end
 *     with a `struct_size`, which exists when host->abi_minor >= 1; read a
 *     member appended after it only when TK_HAS_FIELD says it is inside.
 *     tk_episode_options (1.2) starts with its struct_size.
 *
 * Since 1.2 a teacher may propose levels (a task and an env seed, possibly
 * marked no-learn) and receive the student's and env's per-episode scores:
 * tk_level, tk_episode_scores, tk_episode_options and the members marked
 * "since 1.2" (docs/plugin-abi.md, "Levels and scores").  Since 1.3 an env
 * that simulates its learner (toy-grid) can be told of no-learn episodes too
 * (tk_env_vtable.begin_episode).
 *
 * Ownership is written next to every pointer.  Thread rules, tagged on every
 * function:
 *   [thread-safe]    may be called from any thread at any time (descriptor
 *                    and entry functions);
 *   [instance]       one instance is never entered from two threads at once;
 *                    different instances may run in parallel, so a plugin
 *                    keeps no mutable global state.
 *
 * Errors are values: every fallible function returns a tk_status (0 = OK).
 * Before returning an error a plugin describes it with host->error(), which
 * records a message and, for configuration errors, the JSON path inside the
 * component's `config` object.  A plugin never calls exit() or abort() on bad
 * input.
 *
 * Plain C17; no VLAs; usable from C++ and through any C FFI (ctypes).
 */
#ifndef TEACHKIT_PLUGIN_H
#define TEACHKIT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TK_ABI_MAJOR 1u
#define TK_ABI_MINOR 3u

/* Name of the one symbol a plugin exports. */
#define TK_ENTRY_SYMBOL "teachkit_plugin_entry"

/* Whether the struct at `table` (a vtable, the host table, an extension:
 * anything starting with `struct_size`) declares member `field` inside the
 * size it was built with, and sets it.  Read a member of another party's
 * table only when this holds: an older plugin's or host's table ends
 * before the members added since, and what lies beyond its end is not
 * ours to call.  (Hosts of libteachkit read plugins' vtables through
 * zero-padded copies taken at load, <teachkit/component.h>, and test
 * only the pointer.) */
#define TK_HAS_MEMBER(table, field) (TK_HAS_FIELD(table, field) && (table)->field != NULL)
/* Whether member `field` of the struct at `table` lies inside its declared
 * `struct_size` (any member type; TK_HAS_MEMBER adds the NULL test for
 * function pointers). */
#define TK_HAS_FIELD(table, field)                                                          \
    ((size_t)(table)->struct_size >=                                                       \
     (size_t)((const char *)&(table)->field - (const char *)(table)) + sizeof((table)->field))

#if defined(__GNUC__)
#define TK_EXPORT __attribute__((visibility("default")))
#define TK_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define TK_EXPORT
#define TK_PRINTF(fmt, args)
#endif

/* ------------------------------------------------------------------ status */

typedef enum tk_status {
    TK_OK = 0,
    TK_ERR_CONFIG = 1,      /* a config value is missing, mistyped or out of range */
    TK_ERR_INVALID = 2,     /* a call's argument is invalid (NaN task, wrong size) */
    TK_ERR_STATE = 3,       /* call out of order (update before sample, ...) */
    TK_ERR_NUMERIC = 4,     /* a numerical failure (non-finite value, singular matrix) */
    TK_ERR_NOMEM = 5,
    TK_ERR_UNSUPPORTED = 6, /* an optional capability the caller needed is missing */
    TK_ERR_IO = 7,
    TK_ERR_INTERNAL = 8,
    /* Since 1.1.  Not an error: a long call stopped early because
     * host->stop_requested() said so, with what is left to do kept in the
     * instance's state (its save()).  Only a student's end_episode returns
     * it; the host then checkpoints and, after a resume, makes the same call
     * again, which finishes the work. */
    TK_STOPPED = 9
} tk_status;

/* ------------------------------------------------------------- host services */

typedef enum tk_log_level {
    TK_LOG_DEBUG = 0,
    TK_LOG_INFO = 1,
    TK_LOG_WARN = 2
} tk_log_level;

/* Opaque per-instance context created by the host before `create` and valid
 * until after `destroy` returns.  Owned by the host. */
typedef struct tk_ctx tk_ctx;

/* The seeded random stream of an instance: xoshiro256** state.  The layout is
 * part of the ABI.  Use the helpers of <teachkit/rng.h> on it, or any
 * generator of your own seeded from it.  Owned by the host, which derives it
 * from the manifest seed and the component's role and stores it in
 * checkpoints, so a plugin that draws all its randomness from it is
 * reproducible and resumable for free. */
typedef struct tk_rng {
    uint64_t s[4];
} tk_rng;

/* Host services, passed to every `create`.  The table outlives every
 * instance.  All functions are [instance]: call them only with the ctx of
 * the instance being entered.  Members since 1.1 may be absent from an
 * older host's table: test them with TK_HAS_MEMBER(host, member). */
typedef struct tk_host_api {
    uint32_t struct_size;   /* sizeof(tk_host_api) as the host knows it */
    uint32_t abi_major;
    uint32_t abi_minor;

    /* Log a line, prefixed by the component id.  Goes to stderr or the run's
     * log depending on the host's verbosity.  See also log_message. */
    void (*log)(tk_ctx *ctx, tk_log_level level, const char *fmt, ...) TK_PRINTF(3, 4);

    /* Describe an error and return `code`, so a plugin writes
     *     return host->error(ctx, TK_ERR_CONFIG, "fit_rate", "must be >= 2, got %d", v);
     * `config_path` is the JSON path inside the component's config (dotted,
     * with [i] for array elements), or NULL when the error is not about the
     * configuration.  The message is one line without a trailing period. */
    tk_status (*error)(tk_ctx *ctx, tk_status code, const char *config_path,
                       const char *fmt, ...) TK_PRINTF(4, 5);

    /* The instance's seeded random stream (never NULL, owned by the host). */
    tk_rng *(*rng)(tk_ctx *ctx);

    /* The student's value estimate V(obs) for `n` observations laid out
     * row-major (`n * obs_dim` floats), written to `values_out[n]`.  Returns
     * TK_ERR_UNSUPPORTED when the run's student provides no value function.
     * For teachers that declare the feature "student-value" (SPDL). */
    tk_status (*student_value)(tk_ctx *ctx, const float *obs, size_t n, float *values_out);

    /* Since 1.1.  log() without the format: `text` (borrowed, one line) is
     * logged as is.  For plugins written in languages that cannot call a C
     * variadic function, and for text that must not be read as a format. */
    void (*log_message)(tk_ctx *ctx, tk_log_level level, const char *text);

    /* Since 1.1 (test with TK_HAS_MEMBER; may be NULL).  Nonzero once the run
     * has been asked to stop (a signal, a time limit) and can checkpoint
     * inside an episode.  A student that declares the feature
     * "checkpoint-within-episode" polls it inside long calls (e.g. the
     * gradient steps of end_episode) and returns TK_STOPPED.  Reads a flag:
     * cheap, callable from any thread. */
    int (*stop_requested)(tk_ctx *ctx);
} tk_host_api;

/* ---------------------------------------------------------------- task space */

/* One dimension of a continuous task space.  `low <= high`; `low == high` is
 * a degenerate (fixed) dimension. */
typedef struct tk_dim {
    const char *name;   /* borrowed; valid as long as the tk_task_space */
    double low;
    double high;
} tk_dim;

/* A task space.  Its layout is fixed for the whole major version: it is
 * embedded by value in tk_env_info and copied by plugins, so appending a
 * member would move every later member of tk_env_info.  It grows the way
 * the ABI adds capabilities: a later minor version that must say more
 * about a space defines a new struct starting with its struct_size, which
 * envs hand over through a new member appended to tk_env_info and teachers
 * receive through a new optional member of the vtable or of tk_host_api;
 * tk_task_space stays what the 1.x members carry. */
typedef struct tk_task_space {
    size_t dims;
    const tk_dim *dim;  /* borrowed array of `dims` entries */
} tk_task_space;

/* ------------------------------------------------------------ levels (1.2) */

/* Since 1.2.  What a teacher says about the episode it proposes beyond the
 * task, written by sample_level().  An output struct: the host allocates
 * it, zeroes it and sets `struct_size`; the teacher fills a whole tk_level
 * of its own and copies what fits with tk_level_write. */
typedef struct tk_level {
    uint32_t struct_size;   /* set by the host before the call */
    /* Nonzero when `seed` is set: the host then reseeds the env instance's
     * random stream (tk_rng) from `seed` before set_task and reset, so the
     * level (task + seed) plays the same env again whenever it is
     * proposed again (docs/plugin-abi.md, "Levels"). */
    uint32_t has_seed;
    uint64_t seed;
    /* Nonzero: the student plays the episode but must not learn from it
     * (Robust PLR's evaluation of new levels).  Only for teachers that
     * declare TK_FEATURE_NO_LEARN_EPISODES. */
    uint32_t no_learn;
} tk_level;

/* A teacher's sample_level(): fill a whole tk_level of your own, then
 * tk_level_write(level, &mine). */
static inline void tk_level_write(tk_level *out, const tk_level *filled);

/* Bits of tk_episode_scores.present. */
#define TK_SCORE_POSITIVE_VALUE_LOSS 1u  /* positive_value_loss is set */
#define TK_SCORE_VALUE_RETURN 2u         /* mean_value and discounted_return are set */
#define TK_SCORE_ENV 4u                  /* env_score is set */

/* Since 1.2.  How much the student can still learn on the level of one
 * training episode (Jiang et al. 2021, "Prioritized Level Replay", and
 * "Replay-Guided Adversarial Environment Design").  An output struct like
 * tk_level: the host allocates and zeroes it and sets `struct_size`; the
 * student and the env each write the members they compute (inside
 * struct_size) and set their bits in `present`, leaving others alone. */
typedef struct tk_episode_scores {
    uint32_t struct_size;   /* set by the host */
    uint32_t present;       /* TK_SCORE_* bits of the members that are set */
    /* Mean over the episode's steps of max(GAE advantage, 0), with the
     * student's own discount and lambda, on the reward scale its value
     * function learns (PLR's "positive value loss"). */
    double positive_value_loss;
    /* Mean over the episode's steps of V(s_t), and the discounted return
     * from the first step, on the same scale.  A teacher that remembers the
     * largest discounted return seen on a level forms MaxMC as
     * (that maximum) - mean_value: the level is what the student does not
     * know, so the maximum is the teacher's to keep. */
    double mean_value;
    double discounted_return;
    /* An environment that simulates its learner (toy-grid): its own score
     * of how much the learner can still learn on the task, >= 0. */
    double env_score;
} tk_episode_scores;

/* Whether the scores carry the members of `bit` (TK_SCORE_*). */
#define TK_SCORES_HAVE(scores, bit) (((scores)->present & (bit)) != 0u)

/* Since 1.2.  What the host tells a student before a training episode, for
 * students that provide begin_episode() (since 1.3 also an env that simulates
 * its learner and provides tk_env_vtable.begin_episode).  An input struct: allocated and
 * filled by the host, borrowed for the call; read a member appended after
 * 1.2 only when TK_HAS_FIELD(options, member) holds. */
typedef struct tk_episode_options {
    uint32_t struct_size;   /* sizeof(tk_episode_options) as the host knows it */
    /* 0: play the episode (act, observe, end_episode as always) but learn
     * nothing from it: no gradient step, no replay-buffer or rollout entry,
     * no change to normalisation statistics; its env steps still count in
     * the run's budget. */
    uint32_t learn;
    /* 1: compute tk_episode_scores for this episode; the host asks for them
     * with episode_scores() after end_episode. */
    uint32_t scores;
} tk_episode_options;

/* ------------------------------------------------------------------- teacher */

/* A teacher proposes tasks (float32 vectors of `space->dims` values inside the
 * bounds) and learns from the outcome of the episode played on each.
 * Teachers recognise their own tasks by bitwise equality, so the host always
 * hands back exactly the vector `sample` wrote. */
typedef struct tk_teacher_vtable {
    uint32_t struct_size;

    /* Create an instance.  `host` and `ctx` outlive the instance; `space` and
     * `config_json` are borrowed for the call only (copy what you keep).
     * `config_json` is a JSON object: the descriptor's default config with the
     * manifest's values merged in, already type-checked against the defaults;
     * the plugin checks value ranges and reports them with host->error and
     * the key's path.  On success stores the instance in *out. [thread-safe] */
    tk_status (*create)(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                        const char *config_json, void **out);
    /* Free everything the instance owns.  NULL is a no-op. [instance] */
    void (*destroy)(void *self);

    /* Write the next training task to `task_out[dims]`. [instance] */
    tk_status (*sample)(void *self, float *task_out);
    /* Report the outcome of the episode played on `task` (the vector returned
     * by the latest `sample`).  `episode_return` is normalised to [0, 1] by
     * the environment's return range unless the teacher declares the feature
     * "raw-return"; `success` is the environment's success flag (0 or 1).
     * Never called with a non-finite return. [instance] */
    tk_status (*update)(void *self, const float *task, double episode_return, int success);

    /* Optional (NULL if unused).  Called after each environment step for
     * teachers that declare the feature "step-update".  Arrays are borrowed
     * for the call. [instance] */
    tk_status (*step_update)(void *self, const float *obs, const float *action, double reward,
                             const float *next_obs, int done);
    /* Optional.  Called after each reset with the first observation, for
     * teachers that declare "step-update". [instance] */
    tk_status (*episode_start)(void *self, const float *task, const float *first_obs);

    /* Optional.  A JSON object describing the internal model for plots
     * (GMM components, regions, windows...), in the schema of
     * <teachkit/snapshot.h>.  *json_out is owned by the instance and valid
     * until the next call on it. [instance] */
    tk_status (*snapshot)(void *self, const char **json_out);

    /* Optional checkpoint hooks.  `save` exposes a byte string owned by the
     * instance (valid until the next call on it); `load` restores an instance
     * freshly created with the same space and config from such bytes
     * (borrowed).  The host saves the instance's tk_rng itself. [instance] */
    tk_status (*save)(void *self, const void **data, size_t *size);
    tk_status (*load)(void *self, const void *data, size_t size);

    /* Optional.  Extension table for the string id, or NULL. [instance] */
    const void *(*get_extension)(void *self, const char *id);

    /* Since 1.2, optional.  Called instead of `sample` when set: writes the
     * next training task to `task_out[dims]` and what else defines the
     * level to `level` (host-allocated and zeroed, see tk_level). [instance] */
    tk_status (*sample_level)(void *self, float *task_out, tk_level *level);
    /* Since 1.2, optional, for teachers that declare
     * TK_FEATURE_STUDENT_SCORES: called right after `update` with the scores
     * the student and the env reported for the episode (borrowed for the
     * call; `present` is 0 when neither reports any).  Not called for
     * skipped episodes, like `update`. [instance] */
    tk_status (*update_scores)(void *self, const float *task, const tk_episode_scores *scores);
} tk_teacher_vtable;

/* --------------------------------------------------------------- environment */

/* Static facts about an environment instance, filled by `info`.  Arrays are
 * owned by the instance and stay valid and constant for its lifetime.
 * Allocated by the host, which sets `struct_size`: the plugin writes only
 * inside it (tk_env_info_write), and leaves `struct_size` alone. */
typedef struct tk_env_info {
    uint32_t struct_size;       /* set by the host before the call */
    tk_task_space task_space;   /* the space the teacher samples from */
    size_t obs_dim;             /* 0 for environments that simulate their learner */
    size_t act_dim;
    const float *obs_low;       /* obs_dim entries, may be -inf/+inf; NULL if obs_dim == 0 */
    const float *obs_high;
    const float *act_low;       /* act_dim entries; NULL if act_dim == 0 */
    const float *act_high;
    double return_low;          /* returns are mapped from [return_low, return_high] */
    double return_high;         /*   to [0, 1] (clamped) before they reach a teacher */
    double mastery_threshold;   /* an evaluation episode is mastered when its return > this */
    uint64_t max_episode_steps; /* the host ends (truncates) episodes at this many steps */
} tk_env_info;

/* Copies the output struct `filled` (`filled_size` bytes, starting with its
 * uint32_t struct_size) into the host's `out`, within the size the host set
 * in out->struct_size, keeping that size.  Members the host does not know
 * are left out; members the plugin does not know stay as the host set
 * them. */
static inline void tk_output_write(void *out, const void *filled, size_t filled_size)
{
    const uint32_t host_size = *(const uint32_t *)out;
    const size_t n = host_size < filled_size ? host_size : filled_size;
    unsigned char *dst = (unsigned char *)out;
    const unsigned char *src = (const unsigned char *)filled;
    for (size_t i = sizeof(uint32_t); i < n; i++)
        dst[i] = src[i];
}

static inline void tk_level_write(tk_level *out, const tk_level *filled)
{
    tk_output_write(out, filled, sizeof *filled);
}

/* An env's info(): fill a whole tk_env_info of your own (its struct_size
 * unused), then tk_env_info_write(info, &mine). */
static inline void tk_env_info_write(tk_env_info *out, const tk_env_info *filled)
{
    tk_output_write(out, filled, sizeof *filled);
}

typedef struct tk_env_vtable {
    uint32_t struct_size;

    /* Create an instance; same rules as tk_teacher_vtable.create. [thread-safe] */
    tk_status (*create)(const tk_host_api *host, tk_ctx *ctx, const char *config_json, void **out);
    void (*destroy)(void *self);                                   /* [instance] */
    /* Fill `info` (the host set info->struct_size). [instance] */
    tk_status (*info)(void *self, tk_env_info *info);

    /* Configure the task of the next episode (`task` borrowed, `dims` values).
     * Rejects non-finite or out-of-bounds tasks with TK_ERR_INVALID. [instance] */
    tk_status (*set_task)(void *self, const float *task);
    /* Start an episode on the current task; writes obs_dim floats. [instance] */
    tk_status (*reset)(void *self, float *obs_out);
    /* Apply `action` (act_dim floats, borrowed).  Writes the next observation,
     * the step reward and whether the episode terminated. [instance] */
    tk_status (*step)(void *self, const float *action, float *obs_out, double *reward, int *done);
    /* Whether the episode that just ended is a success (0 or 1).  Optional:
     * when NULL the host uses `return > mastery_threshold`. [instance] */
    int (*success)(void *self);

    /* Optional, for environments that simulate their learner (feature
     * "self-evaluation"): the current percentage (0..100) of the task space
     * the simulated learner masters.  Replaces test-set evaluation. [instance] */
    tk_status (*evaluate)(void *self, double *mastered_pct);

    tk_status (*save)(void *self, const void **data, size_t *size);   /* optional, as teacher */
    tk_status (*load)(void *self, const void *data, size_t size);     /* optional, as teacher */
    const void *(*get_extension)(void *self, const char *id);          /* optional */

    /* Since 1.2, optional, for envs that simulate their learner: after a
     * training episode whose teacher declares TK_FEATURE_STUDENT_SCORES,
     * writes env_score (and sets TK_SCORE_ENV) in `scores`. [instance] */
    tk_status (*episode_scores)(void *self, tk_episode_scores *scores);

    /* Since 1.3, optional, for envs that simulate their learner (feature
     * "self-evaluation", played with the student "none"): called before the
     * first step of every training episode of a run whose teacher proposes
     * levels or uses scores, with the options a student would get.  With
     * `options->learn` = 0 the simulated learner plays the episode without
     * learning from it, so teachers with no-learn episodes (robust-plr,
     * accel, sfl) can run on the env.  The options hold for that episode
     * only. [instance] */
    tk_status (*begin_episode)(void *self, const tk_episode_options *options);
} tk_env_vtable;

/* ------------------------------------------------------------------- student */

/* Sizes and bounds a student is created for.  Allocated by the host;
 * arrays borrowed for `create`.  It grows at its end: `struct_size` exists
 * when host->abi_minor >= 1, and a member appended after it is read only
 * when TK_HAS_FIELD(spec, member) holds. */
typedef struct tk_student_spec {
    size_t obs_dim;
    size_t act_dim;
    const float *obs_low, *obs_high;   /* obs_dim entries or NULL */
    const float *act_low, *act_high;   /* act_dim entries or NULL */
    uint64_t max_episode_steps;
    uint32_t struct_size;              /* since 1.1: sizeof(tk_student_spec) as the host knows it */
} tk_student_spec;

typedef struct tk_student_vtable {
    uint32_t struct_size;

    tk_status (*create)(const tk_host_api *host, tk_ctx *ctx, const tk_student_spec *spec,
                        const char *config_json, void **out);          /* [thread-safe] */
    void (*destroy)(void *self);                                       /* [instance] */

    /* Choose an action for `obs` (borrowed).  `deterministic` is 1 during
     * evaluation episodes. [instance] */
    tk_status (*act)(void *self, const float *obs, int deterministic, float *action_out);
    /* One training transition; the student may learn here.  `truncated` is 1
     * when the host cut the episode at max_episode_steps (not a terminal
     * state). [instance] */
    tk_status (*observe)(void *self, const float *obs, const float *action, double reward,
                         const float *next_obs, int done, int truncated);
    /* End of a training episode (SAC runs its gradient steps here).
     * `episode_return` sums the rewards observe() received in the episode
     * and `episode_steps` counts those calls.  Usually the last observe()
     * had done or truncated set.  With "on_nonfinite": "skip", though, the
     * host also calls end_episode when it abandons an episode because of a
     * non-finite reward, observation or action after the episode's first
     * act().  That act() may have no matching observe(), and the last
     * observed transition (if any) carries done = truncated = 0.  A student
     * must treat this call as an episode boundary all the same: drop a
     * pending act(), reset per-episode state, and never bootstrap or merge
     * across the cut.  An episode whose reset observation was non-finite
     * never reaches the student and gets no end_episode. [instance] */
    tk_status (*end_episode)(void *self, double episode_return, uint64_t episode_steps);

    /* Optional: value estimate for `n` observations (row-major).  [instance] */
    tk_status (*value)(void *self, const float *obs, size_t n, float *values_out);

    tk_status (*save)(void *self, const void **data, size_t *size);   /* optional */
    tk_status (*load)(void *self, const void *data, size_t size);     /* optional */
    const void *(*get_extension)(void *self, const char *id);          /* optional */

    /* Since 1.2, optional.  Called before the first act() of a training
     * episode when the run's teacher uses levels or scores (`options`
     * borrowed for the call); the options hold until the episode's
     * end_episode.  A student without it always learns and reports no
     * scores; the host refuses a teacher declaring
     * TK_FEATURE_NO_LEARN_EPISODES with such a student. [instance] */
    tk_status (*begin_episode)(void *self, const tk_episode_options *options);
    /* Since 1.2, optional.  After end_episode of an episode begun with
     * options->scores = 1: writes the members it computes into `scores`
     * (host-allocated, see tk_episode_scores) and sets their bits. [instance] */
    tk_status (*episode_scores)(void *self, tk_episode_scores *scores);
} tk_student_vtable;

/* ---------------------------------------------------------------- descriptor */

typedef enum tk_kind {
    TK_KIND_TEACHER = 1,
    TK_KIND_ENV = 2,
    TK_KIND_STUDENT = 3
} tk_kind;

/* Feature strings a descriptor may list.  Each names one promise between a
 * component and the host; its meaning never changes within a major version
 * (a new behaviour gets a new string).  Use the constants, not the literals.
 *
 * Teachers: */
/* update() receives the raw episode return, not the return normalised to
 * [0, 1] by the environment's return range. */
#define TK_FEATURE_RAW_RETURN "raw-return"
/* Wants step_update() after every environment step and episode_start()
 * after every reset. */
#define TK_FEATURE_STEP_UPDATE "step-update"
/* Calls host->student_value(). */
#define TK_FEATURE_STUDENT_VALUE "student-value"
/* Uses the success flag update() receives. */
#define TK_FEATURE_NEEDS_SUCCESS "needs-success"
/* Expert knowledge the teacher requires or accepts in its config: shown by
 * `teachkit list`; the plugin's create() enforces what is required. */
#define TK_FEATURE_NEEDS_REWARD_THRESHOLDS "needs-reward-thresholds"
#define TK_FEATURE_ACCEPTS_INITIAL_DIST "accepts-initial-dist"
#define TK_FEATURE_ACCEPTS_TARGET_DIST "accepts-target-dist"
/* Since 1.2: wants update_scores() after every update() with the
 * student's and env's tk_episode_scores. */
#define TK_FEATURE_STUDENT_SCORES "student-scores"
/* Since 1.2: sample_level() may set tk_level.no_learn; the host then needs
 * a student with begin_episode(). */
#define TK_FEATURE_NO_LEARN_EPISODES "no-learn-episodes"
/* Environments: provides evaluate() and simulates its learner, so it needs
 * no student. */
#define TK_FEATURE_SELF_EVALUATION "self-evaluation"
/* Students: acts without observations (for self-evaluating environments). */
#define TK_FEATURE_NO_LEARNING "no-learning"
/* Students: provides value(). */
#define TK_FEATURE_VALUE "value"
/* Students (since 1.1): save() may be called between any two steps, or after
 * end_episode returned TK_STOPPED, and holds everything the student keeps
 * within an episode, so a stop need not wait for the episode's end (the host
 * replays the env to that step on resume; docs/plugin-abi.md, "Stopping
 * inside an episode"). */
#define TK_FEATURE_CHECKPOINT_WITHIN_EPISODE "checkpoint-within-episode"

/* Describes one component without instantiating it.  All strings are static,
 * owned by the plugin, valid while the plugin is loaded. */
typedef struct tk_descriptor {
    uint32_t struct_size;
    tk_kind kind;
    const char *id;              /* unique per kind; 1-64 characters of [a-z0-9-_] */
    const char *name;            /* human name, e.g. "ALP-GMM" */
    const char *version;         /* the component's own version, e.g. "1.0.0" */
    const char *description;     /* one line */
    /* A JSON object holding every config key with its default value.  The
     * host rejects manifest keys absent from it (suggesting the closest) and
     * values whose JSON type differs from the default's (integer defaults
     * accept only integers; a null default accepts anything). */
    const char *default_config;
    /* NULL-terminated list of feature strings (the TK_FEATURE_* constants
     * below); NULL means none.  The host refuses, when it loads the file, a
     * feature string it does not know for the component's kind, so a typo
     * cannot silently change what a run does. */
    const char *const *features;
    /* Points to the tk_teacher_vtable, tk_env_vtable or tk_student_vtable
     * matching `kind`; static, owned by the plugin. */
    const void *vtable;
} tk_descriptor;

/* ---------------------------------------------------------------------- entry */

typedef struct tk_plugin_entry {
    uint32_t abi_major;          /* TK_ABI_MAJOR the plugin was built against: read first */
    uint32_t abi_minor;          /* TK_ABI_MINOR the plugin was built against */
    uint32_t struct_size;        /* sizeof(tk_plugin_entry) as the plugin knows it */
    /* Optional one-time set-up after dlopen (`path` = the file); returns 0 on
     * success.  Called once before any other function. [main thread] */
    int (*init)(const char *path);
    /* Optional, called once before dlclose. [main thread] */
    void (*deinit)(void);
    /* Number of components and the i-th descriptor (static). [thread-safe] */
    uint32_t (*count)(void);
    const tk_descriptor *(*get)(uint32_t index);
} tk_plugin_entry;

/* Convenience for a plugin exporting a static array of descriptors:
 *     TK_PLUGIN_DESCRIPTORS(my_descriptors);
 * defines the entry symbol, in C and in C++ (where a namespace-scope const
 * object would otherwise have internal linkage and a mangled name). */
#ifdef __cplusplus
#define TK_ENTRY_DECLARATION_ extern "C" TK_EXPORT const tk_plugin_entry teachkit_plugin_entry;
#define TK_ENTRY_DEFINITION_
#else
#define TK_ENTRY_DECLARATION_
#define TK_ENTRY_DEFINITION_ TK_EXPORT
#endif
#define TK_PLUGIN_DESCRIPTORS(array)                                                  \
    static uint32_t tk_entry_count_(void) {                                           \
        return (uint32_t)(sizeof(array) / sizeof((array)[0]));                       \
    }                                                                                 \
    static const tk_descriptor *tk_entry_get_(uint32_t i) {                           \
        return i < tk_entry_count_() ? (array)[i] : NULL;                             \
    }                                                                                 \
    TK_ENTRY_DECLARATION_                                                             \
    TK_ENTRY_DEFINITION_ const tk_plugin_entry teachkit_plugin_entry = {              \
        TK_ABI_MAJOR, TK_ABI_MINOR, (uint32_t)sizeof(tk_plugin_entry), NULL, NULL,    \
        tk_entry_count_, tk_entry_get_}

#ifdef __cplusplus
}
#endif

#endif /* TEACHKIT_PLUGIN_H */
