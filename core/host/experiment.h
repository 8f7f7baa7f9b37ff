/*
 * An experiment ready to run: the manifest's three components found in the
 * registry, their configs resolved, instances created, the env's facts read
 * and cross-checked (task space, sizes, features), and the test set built.
 * Shared by `teachkit validate` (which builds then tears down) and `teachkit
 * run`.  Owns its instances; the manifest and registry are borrowed.
 */
#ifndef TK_HOST_EXPERIMENT_H
#define TK_HOST_EXPERIMENT_H

#include "teachkit/instance.h"
#include "manifest.h"
#include "registry.h"
#include "task_shuffle.h"
#include "test_set.h"

typedef struct tk_experiment {
    const tk_manifest *manifest;
    tk_instance teacher, env, student;
    tk_instance eval_env;        /* second env for test episodes; unused if self_evaluating */
    tk_env_info info;
    tk_test_set test_set;
    double mastery_threshold;
    int self_evaluating;         /* env provides evaluate(): no test episodes */
    int raw_return;              /* teacher wants raw returns */
    int step_updates;            /* teacher wants step_update/episode_start */
    tk_task_shuffle *shuffle;    /* manifest task_shuffle (owned), NULL if none */
    float *env_task;             /* the env's task under `shuffle` (owned), NULL if none */
    int levels;                  /* since 1.2: teacher provides sample_level */
    int scores;                  /* since 1.2: teacher wants update_scores */
    int episode_options;         /* student gets begin_episode before training episodes */
    int env_episode_options;     /* since 1.3: so does the env simulating its learner */
} tk_experiment;

int tk_experiment_setup(tk_experiment *x, const tk_manifest *m, tk_registry *reg, tk_diag *d);
void tk_experiment_teardown(tk_experiment *x);

/* Reads the env instance's tk_env_info into x->info and checks it (task
 * space, bounds, return range, step limit).  x->info points into the
 * instance, so it is read again whenever the instance is re-created.
 * 0, or -1 with `d` filled. */
int tk_experiment_read_env_info(tk_experiment *x, tk_diag *d);

/* What the student is created with (the env's sizes and bounds). */
tk_student_spec tk_experiment_student_spec(const tk_experiment *x);

/* The task the env plays for the teacher's `task`: `task` itself, or its
 * image under the manifest's task_shuffle (in x->env_task). */
const float *tk_experiment_env_task(tk_experiment *x, const float *task);

/* The resolved manifest (host defaults and plugin defaults filled in). */
json_t *tk_experiment_resolved_manifest(const tk_experiment *x);

/* The same for `m` without creating anything: the components are found and
 * their configs resolved (keys and types checked; value ranges are the
 * plugins' to check, in create).  NULL with `d` filled on error. */
json_t *tk_manifest_resolve(const tk_manifest *m, tk_registry *reg, tk_diag *d);

#endif
