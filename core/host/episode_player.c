/* The test-episode loop.  See episode_player.h. */
#include "episode_player.h"

#include <math.h>

int tk_play_episode(const tk_episode_player *p, const float *task, double *ret, tk_diag *d)
{
    tk_experiment *x = p->x;
    tk_instance *env = &x->eval_env, *student = &x->student;
    const tk_env_vtable *ev = tk_component_env(env->comp);
    const tk_student_vtable *sv = tk_component_student(student->comp);
    *ret = 0.0;
    tk_status st = ev->set_task(env->self, task);
    if (st == TK_OK)
        st = ev->reset(env->self, p->obs);
    if (st != TK_OK)
        return tk_instance_fail(env, st, p->manifest_file, "set_task/reset (evaluation)", d);
    int rc = p->watch ? p->watch(p->user, 0, 0, d) : 0;
    for (uint64_t t = 0; rc == 0 && t < x->info.max_episode_steps; t++) {
        st = sv->act(student->self, p->obs, 1, p->action);
        if (st != TK_OK)
            return tk_instance_fail(student, st, p->manifest_file, "act (evaluation)", d);
        double r = 0.0;
        int done = 0;
        st = ev->step(env->self, p->action, p->obs, &r, &done);
        if (st != TK_OK)
            return tk_instance_fail(env, st, p->manifest_file, "step (evaluation)", d);
        if (!isfinite(r))
            return tk_diag_set(d, env->comp->file, NULL,
                               "env \"%s\" returned a non-finite reward in an evaluation "
                               "episode", env->ctx.id);
        *ret += r;
        if (p->watch)
            rc = p->watch(p->user, t + 1, done, d);
        if (done)
            break;
    }
    return rc;
}
