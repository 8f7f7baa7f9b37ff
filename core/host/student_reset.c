#include "student_reset.h"

#include <stdio.h>

#include "teachkit/rng.h"

uint64_t tk_student_resets_due(const tk_manifest *m, uint64_t env_steps)
{
    return m->student_reset_every_env_steps ? env_steps / m->student_reset_every_env_steps : 0;
}

/* Destroys `inst` and prepares it again for its component and config, with
 * the stream "ROLE/reset-COUNT" of the run seed; the caller creates it. */
static void renew(tk_instance *inst, const tk_experiment *x, uint64_t count)
{
    const tk_component *comp = inst->comp;
    json_t *config = json_incref(inst->config);  /* destroy drops the instance's reference */
    const char *role = inst->ctx.role;
    int verbose = inst->ctx.verbose;
    tk_instance_destroy(inst);
    tk_instance_init(inst, comp, config, x->manifest->seed, role);
    inst->ctx.verbose = verbose;
    char stream[64];
    snprintf(stream, sizeof stream, "%s/reset-%llu", role, (unsigned long long)count);
    tk_rng_derive(&inst->ctx.rng, x->manifest->seed, stream);
}

/* A self-evaluating env is the learner: a fresh instance from the same
 * config is a fresh learner.  x->info pointed into the old instance, so it
 * is read and checked again, and must describe the same space and sizes. */
static int reset_env_learner(tk_experiment *x, uint64_t count, tk_diag *d)
{
    tk_instance *env = &x->env;
    const size_t dims = x->info.task_space.dims;
    const size_t obs_dim = x->info.obs_dim, act_dim = x->info.act_dim;
    renew(env, x, count);
    if (tk_instance_create_env(env, x->manifest->file, d) || tk_experiment_read_env_info(x, d))
        return -1;
    if (x->info.task_space.dims != dims || x->info.obs_dim != obs_dim ||
        x->info.act_dim != act_dim)
        return tk_diag_set(d, env->comp->file, NULL,
                           "env \"%s\" re-created for a student reset describes another task "
                           "space or other sizes than the first instance with the same config",
                           env->ctx.id);
    return 0;
}

int tk_student_reset(tk_experiment *x, uint64_t count, tk_diag *d)
{
    tk_instance *st = &x->student;
    renew(st, x, count);
    tk_student_spec spec = tk_experiment_student_spec(x);
    if (tk_instance_create_student(st, &spec, x->manifest->file, d))
        return -1;
    tk_instance_use_student(&x->teacher, st);
    return x->self_evaluating ? reset_env_learner(x, count, d) : 0;
}
