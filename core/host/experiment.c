#include "experiment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/plugin_config.h"

static const tk_component *find(tk_registry *reg, const tk_manifest *m, tk_kind kind,
                                const tk_component_ref *ref, const char *section, tk_diag *d)
{
    const tk_component *c = tk_registry_find(reg, kind, ref->plugin, d);
    if (!c) {
        char path[64];
        snprintf(path, sizeof path, "%s.plugin", section);
        snprintf(d->file, sizeof d->file, "%s", m->file);
        snprintf(d->path, sizeof d->path, "%s", path);
    }
    return c;
}

static int prepare(tk_instance *inst, tk_registry *reg, const tk_manifest *m, tk_kind kind,
                   const tk_component_ref *ref, const char *section, const char *role,
                   tk_diag *d)
{
    const tk_component *c = find(reg, m, kind, ref, section, d);
    if (!c)
        return -1;
    char path[64];
    snprintf(path, sizeof path, "%s.config", section);
    json_t *cfg = tk_resolve_config(c->desc, ref->config, m->file, path, d);
    if (!cfg)
        return -1;
    tk_instance_init(inst, c, cfg, m->seed, role);
    return 0;
}

static int check_info(const tk_experiment *x, tk_diag *d)
{
    const tk_env_info *in = &x->info;
    const char *file = x->env.comp->file;
    if (in->task_space.dims == 0 || !in->task_space.dim)
        return tk_diag_set(d, file, NULL, "env \"%s\" declares an empty task space",
                           x->env.ctx.id);
    for (size_t i = 0; i < in->task_space.dims; i++) {
        const tk_dim *dim = &in->task_space.dim[i];
        if (!isfinite(dim->low) || !isfinite(dim->high) || dim->low > dim->high)
            return tk_diag_set(d, file, NULL, "env \"%s\" task dimension %zu has invalid bounds",
                               x->env.ctx.id, i);
    }
    if ((in->obs_dim && (!in->obs_low || !in->obs_high)) ||
        (in->act_dim && (!in->act_low || !in->act_high)))
        return tk_diag_set(d, file, NULL, "env \"%s\" info lacks observation/action bounds",
                           x->env.ctx.id);
    if (!(in->return_high > in->return_low) || !isfinite(in->return_low) ||
        !isfinite(in->return_high))
        return tk_diag_set(d, file, NULL, "env \"%s\" declares an invalid return range",
                           x->env.ctx.id);
    if (in->max_episode_steps == 0)
        return tk_diag_set(d, file, NULL, "env \"%s\" declares max_episode_steps = 0",
                           x->env.ctx.id);
    return 0;
}

int tk_experiment_read_env_info(tk_experiment *x, tk_diag *d)
{
    memset(&x->info, 0, sizeof x->info);
    x->info.struct_size = sizeof x->info;
    tk_status st = tk_component_env(x->env.comp)->info(x->env.self, &x->info);
    if (st != TK_OK)
        return tk_instance_fail(&x->env, st, x->manifest->file, "info", d);
    return check_info(x, d);
}

static int check_compatibility(tk_experiment *x, tk_diag *d)
{
    const tk_manifest *m = x->manifest;
    const tk_descriptor *t = x->teacher.comp->desc, *s = x->student.comp->desc;
    if (tk_descriptor_has_feature(s, TK_FEATURE_NO_LEARNING) && !x->self_evaluating &&
        x->info.act_dim > 0)
        tk_host_api_table()->log(&x->student.ctx, TK_LOG_WARN,
                                 "learns nothing; env \"%s\" will be played with a fixed policy",
                                 x->env.ctx.id);
    if (tk_descriptor_has_feature(t, TK_FEATURE_STUDENT_VALUE) &&
        !tk_descriptor_has_feature(s, TK_FEATURE_VALUE))
        return tk_diag_set(d, m->file, "student.plugin",
                           "teacher \"%s\" needs the student's value estimate, but student "
                           "\"%s\" provides none; choose a student with the \"value\" feature",
                           t->id, s->id);
    const tk_teacher_vtable *tv = tk_component_teacher(x->teacher.comp);
    if (tk_descriptor_has_feature(t, TK_FEATURE_STUDENT_SCORES) && !tv->update_scores)
        return tk_diag_set(d, x->teacher.comp->file, NULL,
                           "teacher \"%s\" declares \"%s\" but provides no update_scores",
                           t->id, TK_FEATURE_STUDENT_SCORES);
    /* Nor a student that learns nothing, unless its env simulates the
     * learner and can be told instead (toy-grid, ABI 1.3). */
    if (tk_descriptor_has_feature(t, TK_FEATURE_NO_LEARN_EPISODES) &&
        !tk_component_student(x->student.comp)->begin_episode && !x->env_episode_options)
        return tk_diag_set(d, m->file, "student.plugin",
                           "teacher \"%s\" plays episodes the student must not learn from, "
                           "but student \"%s\" cannot be told (it has no begin_episode, "
                           "ABI 1.2), nor can env \"%s\" (no begin_episode, ABI 1.3); choose "
                           "a student that has", t->id, s->id, x->env.ctx.id);
    if (x->self_evaluating && !tk_descriptor_has_feature(s, TK_FEATURE_NO_LEARNING) &&
        x->info.act_dim == 0)
        return tk_diag_set(d, m->file, "student.plugin",
                           "env \"%s\" simulates its learner and takes no actions; use the "
                           "student \"none\"", x->env.ctx.id);
    return 0;
}

tk_student_spec tk_experiment_student_spec(const tk_experiment *x)
{
    tk_student_spec spec = {x->info.obs_dim, x->info.act_dim, x->info.obs_low, x->info.obs_high,
                            x->info.act_low, x->info.act_high, x->info.max_episode_steps,
                            sizeof(tk_student_spec)};
    return spec;
}

/* TeachMyAgent seeds its DimensionsShuffler with the run seed; a manifest
 * may fix the shuffle instead, to compare seeds on one rugged space. */
static int setup_shuffle(tk_experiment *x, tk_diag *d)
{
    const tk_manifest *m = x->manifest;
    uint64_t seed = m->shuffle_has_seed ? m->shuffle_seed : m->seed;
    if (seed > UINT32_MAX)
        return tk_diag_set(d, m->file, "task_shuffle.seed",
                           "the shuffle takes seeds below 2^32 (as NumPy's RandomState); the "
                           "run seed %llu is larger, so give task_shuffle.seed",
                           (unsigned long long)seed);
    x->shuffle = tk_task_shuffle_create(&x->info.task_space, (uint32_t)m->shuffle_cuttings,
                                        (uint32_t)seed);
    x->env_task = calloc(x->info.task_space.dims, sizeof(float));
    return x->shuffle && x->env_task ? 0 : tk_diag_set(d, NULL, NULL, "out of memory");
}

const float *tk_experiment_env_task(tk_experiment *x, const float *task)
{
    if (!x->shuffle)
        return task;
    tk_task_shuffle_to_env(x->shuffle, task, x->env_task);
    return x->env_task;
}

int tk_experiment_setup(tk_experiment *x, const tk_manifest *m, tk_registry *reg, tk_diag *d)
{
    memset(x, 0, sizeof *x);
    x->manifest = m;
    if (prepare(&x->env, reg, m, TK_KIND_ENV, &m->env, "env", "env", d) ||
        prepare(&x->teacher, reg, m, TK_KIND_TEACHER, &m->teacher, "teacher", "teacher", d) ||
        prepare(&x->student, reg, m, TK_KIND_STUDENT, &m->student, "student", "student", d))
        return -1;
    if (tk_instance_create_env(&x->env, m->file, d))
        return -1;
    const tk_env_vtable *ev = tk_component_env(x->env.comp);
    if (tk_experiment_read_env_info(x, d))
        return -1;
    x->self_evaluating =
        tk_descriptor_has_feature(x->env.comp->desc, TK_FEATURE_SELF_EVALUATION) &&
        ev->evaluate != NULL;
    x->mastery_threshold = m->has_mastery_threshold ? m->mastery_threshold
                                                     : x->info.mastery_threshold;
    x->raw_return = tk_descriptor_has_feature(x->teacher.comp->desc, TK_FEATURE_RAW_RETURN);
    x->step_updates =
        tk_descriptor_has_feature(x->teacher.comp->desc, TK_FEATURE_STEP_UPDATE);
    /* ABI 1.2: levels and scores.  Old plugins' copies read NULL here. */
    x->levels = tk_component_teacher(x->teacher.comp)->sample_level != NULL;
    x->scores = tk_descriptor_has_feature(x->teacher.comp->desc, TK_FEATURE_STUDENT_SCORES);
    x->episode_options = (x->levels || x->scores) &&
                         tk_component_student(x->student.comp)->begin_episode != NULL;
    x->env_episode_options = (x->levels || x->scores) && x->self_evaluating &&
                             ev->begin_episode != NULL;

    if (tk_instance_create_teacher(&x->teacher, &x->info.task_space, m->file, d))
        return -1;
    if (m->shuffle_cuttings && setup_shuffle(x, d))
        return -1;
    tk_student_spec spec = tk_experiment_student_spec(x);
    if (tk_instance_create_student(&x->student, &spec, m->file, d))
        return -1;
    tk_instance_use_student(&x->teacher, &x->student);
    if (check_compatibility(x, d))
        return -1;
    if (x->self_evaluating && m->test_set)
        return tk_diag_set(d, m->file, "eval.test_set",
                           "env \"%s\" evaluates its simulated learner itself and plays no test "
                           "tasks; remove eval.test_set", x->env.ctx.id);
    if (!x->self_evaluating) {
        tk_instance_init(&x->eval_env, x->env.comp, json_incref(x->env.config), m->seed,
                         "eval-env");
        if (tk_instance_create_env(&x->eval_env, m->file, d) ||
            tk_test_set_build(&x->test_set, m->test_set, &x->info.task_space, m->file, d))
            return -1;
    }
    return 0;
}

void tk_experiment_teardown(tk_experiment *x)
{
    tk_instance_destroy(&x->teacher);
    tk_instance_destroy(&x->student);
    tk_instance_destroy(&x->eval_env);
    tk_instance_destroy(&x->env);
    tk_test_set_free(&x->test_set);
    tk_task_shuffle_free(x->shuffle);
    free(x->env_task);
    x->shuffle = NULL;
    x->env_task = NULL;
}

json_t *tk_manifest_resolve(const tk_manifest *m, tk_registry *reg, tk_diag *d)
{
    tk_instance env, teacher, student;
    memset(&env, 0, sizeof env);
    memset(&teacher, 0, sizeof teacher);
    memset(&student, 0, sizeof student);
    json_t *resolved = NULL;
    /* The order of tk_experiment_setup, so that errors are the same. */
    if (prepare(&env, reg, m, TK_KIND_ENV, &m->env, "env", "env", d) == 0 &&
        prepare(&teacher, reg, m, TK_KIND_TEACHER, &m->teacher, "teacher", "teacher", d) == 0 &&
        prepare(&student, reg, m, TK_KIND_STUDENT, &m->student, "student", "student", d) == 0)
        resolved = tk_manifest_to_json(m, teacher.config, env.config, student.config);
    tk_instance_destroy(&env);
    tk_instance_destroy(&teacher);
    tk_instance_destroy(&student);
    return resolved;
}

json_t *tk_experiment_resolved_manifest(const tk_experiment *x)
{
    return tk_manifest_to_json(x->manifest, x->teacher.config, x->env.config, x->student.config);
}
