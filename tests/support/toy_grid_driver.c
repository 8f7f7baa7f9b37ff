#include "toy_grid_driver.h"

#include <check.h>

void tk_toy_open(tk_env_fx *toy, const char *plugin, uint64_t seed, const char *config)
{
    const tk_status st = tk_env_fx_open(toy, plugin, "toy-grid", seed, config);
    ck_assert_msg(st == TK_OK, "toy-grid create(%s): %s", config ? config : "defaults",
                  toy->h.ctx.err_message);
}

void tk_toy_episode(tk_env_fx *toy, const tk_teacher_fx *t)
{
    float task[16];
    ck_assert_uint_le(toy->info.task_space.dims, 16);
    double r;
    int done;
    ck_assert_int_eq(t->vt->sample(t->self, task), TK_OK);
    ck_assert_int_eq(toy->vt->set_task(toy->env, task), TK_OK);
    ck_assert_int_eq(toy->vt->reset(toy->env, NULL), TK_OK);
    ck_assert_int_eq(toy->vt->step(toy->env, NULL, NULL, &r, &done), TK_OK);
    ck_assert_int_eq(t->vt->update(t->self, task, r, 0), TK_OK);
}

void tk_toy_curve(tk_env_fx *toy, const tk_teacher_fx *t, int episodes, int seeds,
                  double *curve)
{
    for (int i = 0; i <= episodes; i++) {
        if (i > 0 && i % 5000 == 0) {
            double pct;
            ck_assert_int_eq(toy->vt->evaluate(toy->env, &pct), TK_OK);
            curve[i / 5000 - 1] += pct / seeds;
        }
        tk_toy_episode(toy, t);
    }
}
