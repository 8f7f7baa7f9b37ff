#include "env_checks.h"

#include <check.h>
#include <math.h>
#include <string.h>

void tk_env_check_invalid_calls(tk_env_fx *e, const float *bad, const char *const *names,
                                size_t n, const float *low, const float *high)
{
    const size_t dims = e->info.task_space.dims;
    float obs[16];
    ck_assert_uint_le(e->info.obs_dim, 16);
    ck_assert_uint_eq(e->info.act_dim, 1);
    const float a = 0.0f;
    double r;
    int done;
    ck_assert_int_eq(e->vt->reset(e->env, obs), TK_ERR_STATE);
    for (size_t i = 0; i < n; i++) {
        e->h.ctx.err_message[0] = '\0';
        ck_assert_int_eq(e->vt->set_task(e->env, bad + i * dims), TK_ERR_INVALID);
        ck_assert_msg(strstr(e->h.ctx.err_message, names[i]) != NULL,
                      "bad task %zu: message \"%s\" does not name %s", i, e->h.ctx.err_message,
                      names[i]);
    }
    ck_assert_int_eq(e->vt->reset(e->env, obs), TK_ERR_STATE); /* no valid task yet */
    /* The bounds themselves are valid tasks. */
    ck_assert_int_eq(e->vt->set_task(e->env, low), TK_OK);
    ck_assert_int_eq(e->vt->set_task(e->env, high), TK_OK);
    ck_assert_int_eq(e->vt->step(e->env, &a, obs, &r, &done), TK_ERR_STATE);
    ck_assert_int_eq(e->vt->reset(e->env, obs), TK_OK);
    const float nan_action = NAN;
    ck_assert_int_eq(e->vt->step(e->env, &nan_action, obs, &r, &done), TK_ERR_INVALID);
    ck_assert_int_eq(e->vt->step(e->env, &a, obs, &r, &done), TK_OK);
}

void tk_env_expect_config_errors(const char *plugin, const char *id, const tk_config_case *cases,
                                 size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tk_env_fx e;
        ck_assert_msg(tk_env_fx_open_merged(&e, plugin, id, 1, cases[i].overrides) ==
                          TK_ERR_CONFIG,
                      "accepted: %s", cases[i].overrides);
        ck_assert_ptr_null(e.env);
        ck_assert_str_eq(e.h.ctx.err_path, cases[i].path);
        tk_env_fx_close(&e);
    }
}

void tk_env_check_save_load(tk_env_fx *e, const float *task)
{
    const void *data = NULL;
    size_t size = 0;
    ck_assert_int_eq(e->vt->save(e->env, &data, &size), TK_OK);
    ck_assert_uint_gt(size, 0);
    ck_assert_int_eq(e->vt->load(e->env, data, size), TK_OK);
    /* A truncated record, trailing bytes, another plugin's tag. */
    unsigned char buf[64];
    ck_assert_uint_lt(size, sizeof buf);
    memcpy(buf, data, size);
    ck_assert_int_eq(e->vt->load(e->env, buf, size - 1), TK_ERR_INVALID);
    ck_assert_int_eq(e->vt->load(e->env, buf, size + 1), TK_ERR_INVALID);
    buf[0] ^= 0x20;
    ck_assert_int_eq(e->vt->load(e->env, buf, size), TK_ERR_INVALID);
    /* Loaded mid-episode: the host's next set_task and reset start over. */
    float obs[16];
    ck_assert_uint_le(e->info.obs_dim, 16);
    ck_assert_int_eq(e->vt->set_task(e->env, task), TK_OK);
    ck_assert_int_eq(e->vt->reset(e->env, obs), TK_OK);
    ck_assert_int_eq(e->vt->load(e->env, data, size), TK_OK);
    ck_assert_int_eq(e->vt->reset(e->env, obs), TK_ERR_STATE);
    ck_assert_int_eq(e->vt->set_task(e->env, task), TK_OK);
    ck_assert_int_eq(e->vt->reset(e->env, obs), TK_OK);
}

void tk_env_fx_must_open(tk_env_fx *e, const char *plugin, const char *id, uint64_t seed,
                         const char *config)
{
    const tk_status st = tk_env_fx_open(e, plugin, id, seed, config);
    ck_assert_msg(st == TK_OK, "create(%s, %s) failed: %s: %s", id, config ? config : "defaults",
                  e->h.ctx.err_path, e->h.ctx.err_message);
}

void tk_env_expect_config_error(const char *plugin, const char *id, const char *config,
                                const char *path)
{
    tk_env_fx e;
    const tk_status st = tk_env_fx_open(&e, plugin, id, 1, config);
    ck_assert_msg(st == TK_ERR_CONFIG, "%s %s: status %d", id, config, st);
    ck_assert_msg(!path || strcmp(e.h.ctx.err_path, path) == 0,
                  "%s %s: path \"%s\", expected \"%s\" (%s)", id, config, e.h.ctx.err_path, path,
                  e.h.ctx.err_message);
    ck_assert_ptr_null(e.env);
    tk_env_fx_close(&e);
}

void tk_env_fx_start(tk_env_fx *e, const float *task, float *obs)
{
    ck_assert_msg(e->vt->set_task(e->env, task) == TK_OK, "set_task: %s", e->h.ctx.err_message);
    ck_assert_msg(e->vt->reset(e->env, obs) == TK_OK, "reset: %s", e->h.ctx.err_message);
}

void tk_env_fx_step(tk_env_fx *e, const float *action, float *obs, double *reward, int *done)
{
    ck_assert_msg(e->vt->step(e->env, action, obs, reward, done) == TK_OK, "step: %s",
                  e->h.ctx.err_message);
}
