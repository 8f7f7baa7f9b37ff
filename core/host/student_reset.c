#include "student_reset.h"

#include <stdio.h>

#include "teachkit/rng.h"

uint64_t tk_student_resets_due(const tk_manifest *m, uint64_t env_steps)
{
    return m->student_reset_every_env_steps ? env_steps / m->student_reset_every_env_steps : 0;
}

int tk_student_reset(tk_experiment *x, uint64_t count, tk_diag *d)
{
    tk_instance *st = &x->student;
    const tk_component *comp = st->comp;
    json_t *config = json_incref(st->config);  /* destroy drops the instance's reference */
    const char *role = st->ctx.role;
    int verbose = st->ctx.verbose;
    tk_instance_destroy(st);
    tk_instance_init(st, comp, config, x->manifest->seed, role);
    st->ctx.verbose = verbose;
    /* A stream of its own per reset: "student" for the first student,
     * "student/reset-K" for the K-th re-creation. */
    char stream[64];
    snprintf(stream, sizeof stream, "%s/reset-%llu", role, (unsigned long long)count);
    tk_rng_derive(&st->ctx.rng, x->manifest->seed, stream);
    tk_student_spec spec = tk_experiment_student_spec(x);
    if (tk_instance_create_student(st, &spec, x->manifest->file, d))
        return -1;
    tk_instance_use_student(&x->teacher, st);
    return 0;
}
