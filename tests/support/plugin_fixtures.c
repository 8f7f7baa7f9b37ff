#include "plugin_fixtures.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

char *tk_merged_config(const tk_descriptor *d, const char *overrides)
{
    char *text = tk_harness_merged_config(d, overrides);
    ck_assert_msg(text != NULL, "%s: default_config or overrides are not JSON objects: %s", d->id,
                  overrides ? overrides : "(none)");
    return text;
}

void tk_check_descriptor_identity(const tk_descriptor *d, tk_kind kind, const char *id,
                                  const char *version)
{
    ck_assert_uint_eq(d->struct_size, sizeof(tk_descriptor));
    ck_assert_int_eq(d->kind, kind);
    ck_assert_str_eq(d->id, id);
    ck_assert_str_eq(d->version, version);
}

/* ------------------------------------------------------------- teachers */

void tk_teacher_fx_load(tk_teacher_fx *t, const char *plugin, const char *id, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    ck_assert_int_eq(tk_harness_open(&t->h, plugin, id, seed), 0);
    t->vt = tk_harness_teacher(&t->h);
    ck_assert_ptr_nonnull(t->vt);
}

tk_status tk_teacher_fx_create(tk_teacher_fx *t, const tk_task_space *space, const char *config)
{
    t->dims = space->dims;
    return t->vt->create(&t->h.host, &t->h.ctx, space,
                         config ? config : t->h.desc->default_config, &t->self);
}

tk_status tk_teacher_fx_create_merged(tk_teacher_fx *t, const tk_task_space *space,
                                      const char *overrides)
{
    char *config = tk_merged_config(t->h.desc, overrides);
    const tk_status st = tk_teacher_fx_create(t, space, config);
    free(config);
    return st;
}

tk_status tk_teacher_fx_open(tk_teacher_fx *t, const char *plugin, const char *id, uint64_t seed,
                             const tk_task_space *space, const char *config)
{
    tk_teacher_fx_load(t, plugin, id, seed);
    return tk_teacher_fx_create(t, space, config);
}

tk_status tk_teacher_fx_open_merged(tk_teacher_fx *t, const char *plugin, const char *id,
                                    uint64_t seed, const tk_task_space *space,
                                    const char *overrides)
{
    tk_teacher_fx_load(t, plugin, id, seed);
    return tk_teacher_fx_create_merged(t, space, overrides);
}

/* destroy(NULL) is a no-op by the ABI (plugin.h), so it is called after a
 * failed create() too: that checks the rule on every error path. */
void tk_teacher_fx_close(tk_teacher_fx *t)
{
    if (t->vt)
        t->vt->destroy(t->self);
    t->self = NULL;
    tk_harness_close(&t->h);
}

json_t *tk_teacher_fx_snapshot(const tk_teacher_fx *t, const char *type)
{
    const char *text = NULL;
    ck_assert_int_eq(t->vt->snapshot(t->self, &text), TK_OK);
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    ck_assert_msg(root != NULL, "snapshot is not JSON: %s", err.text);
    ck_assert_str_eq(json_string_value(json_object_get(root, "type")), type);
    return root;
}

/* ----------------------------------------------------------------- envs */

static void env_load(tk_env_fx *e, const char *plugin, const char *id, uint64_t seed)
{
    memset(e, 0, sizeof *e);
    ck_assert_int_eq(tk_harness_open(&e->h, plugin, id, seed), 0);
    e->vt = tk_harness_env(&e->h);
    ck_assert_ptr_nonnull(e->vt);
}

static tk_status env_create(tk_env_fx *e, const char *config)
{
    const tk_status st = e->vt->create(&e->h.host, &e->h.ctx, config, &e->env);
    if (st == TK_OK) {
        e->info.struct_size = sizeof e->info;
        ck_assert_int_eq(e->vt->info(e->env, &e->info), TK_OK);
    }
    return st;
}

tk_status tk_env_fx_open(tk_env_fx *e, const char *plugin, const char *id, uint64_t seed,
                         const char *config)
{
    env_load(e, plugin, id, seed);
    return env_create(e, config ? config : e->h.desc->default_config);
}

tk_status tk_env_fx_open_merged(tk_env_fx *e, const char *plugin, const char *id, uint64_t seed,
                                const char *overrides)
{
    env_load(e, plugin, id, seed);
    char *config = tk_merged_config(e->h.desc, overrides);
    const tk_status st = env_create(e, config);
    free(config);
    return st;
}

/* As tk_teacher_fx_close: destroy(NULL) is a no-op by the ABI. */
void tk_env_fx_close(tk_env_fx *e)
{
    if (e->vt)
        e->vt->destroy(e->env);
    e->env = NULL;
    tk_harness_close(&e->h);
}

/* ------------------------------------------------------------- students */

tk_status tk_student_fx_open_merged(tk_student_fx *fx, const char *plugin, const char *id,
                                    uint64_t seed, const tk_student_spec *spec,
                                    const char *overrides)
{
    memset(fx, 0, sizeof *fx);
    ck_assert_int_eq(tk_harness_open(&fx->h, plugin, id, seed), 0);
    fx->vt = tk_harness_student(&fx->h);
    ck_assert_ptr_nonnull(fx->vt);
    char *config = tk_merged_config(fx->h.desc, overrides);
    const tk_status st = fx->vt->create(&fx->h.host, &fx->h.ctx, spec, config, &fx->s);
    free(config);
    return st;
}

/* As tk_teacher_fx_close: destroy(NULL) is a no-op by the ABI. */
void tk_student_fx_close(tk_student_fx *fx)
{
    if (fx->vt)
        fx->vt->destroy(fx->s);
    fx->s = NULL;
    tk_harness_close(&fx->h);
}
