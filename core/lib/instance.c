/*
 * Component instances (<teachkit/instance.h>): seeding, creation with the
 * resolved config, destruction, and the wording of a failed call.
 */
#include "teachkit/instance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/rng.h"
#include "teachkit/runtime_info.h"

const char *tk_status_name(tk_status st)
{
    switch (st) {
    case TK_OK: return "ok";
    case TK_ERR_CONFIG: return "configuration error";
    case TK_ERR_INVALID: return "invalid argument";
    case TK_ERR_STATE: return "call out of order";
    case TK_ERR_NUMERIC: return "numerical failure";
    case TK_ERR_NOMEM: return "out of memory";
    case TK_ERR_UNSUPPORTED: return "unsupported";
    case TK_ERR_IO: return "I/O error";
    case TK_ERR_INTERNAL: return "internal error";
    case TK_STOPPED: return "stopped early at the host's request";
    }
    return "unknown status";
}

void tk_instance_init(tk_instance *inst, const tk_component *comp, json_t *config,
                      uint64_t seed, const char *role)
{
    memset(inst, 0, sizeof *inst);
    inst->comp = comp;
    inst->config = config;
    inst->ctx.role = role;
    inst->ctx.id = comp->desc->id;
    tk_rng_derive(&inst->ctx.rng, seed, role);
}

static tk_status student_value(void *user, const float *obs, size_t n, float *values_out)
{
    const tk_instance *student = user;
    const tk_student_vtable *v = student->self ? tk_component_student(student->comp) : NULL;
    if (!v || !v->value)
        return TK_ERR_UNSUPPORTED;
    return v->value(student->self, obs, n, values_out);
}

void tk_instance_use_student(tk_instance *teacher, tk_instance *student)
{
    teacher->ctx.value_fn = student ? student_value : NULL;
    teacher->ctx.value_user = student;
}

json_t *tk_instance_runtime_info(const tk_instance *inst)
{
    if (!inst->comp || !inst->self)
        return NULL;
    const tk_runtime_info_ext *ext =
        tk_component_extension(inst->comp, inst->self, TK_RUNTIME_INFO_EXT_ID);
    if (!ext || !TK_HAS_MEMBER(ext, describe))
        return NULL;
    const char *text = ext->describe(inst->self);
    json_t *obj = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (obj && !json_is_object(obj)) {
        json_decref(obj);
        obj = NULL;
    }
    return obj;
}

int tk_instance_fail(const tk_instance *inst, tk_status st, const char *file, const char *what,
                     tk_diag *d)
{
    const struct tk_ctx *c = &inst->ctx;
    const char *msg = c->code == st && c->err_message[0] ? c->err_message : tk_status_name(st);
    /* Config errors are about the manifest: point at the key of the
     * component's section (the eval env shares the env's). */
    if (st == TK_ERR_CONFIG) {
        const char *section = tk_kind_name(inst->comp->desc->kind);
        char path[512];
        if (c->err_path[0])
            snprintf(path, sizeof path, "%s.config.%s", section, c->err_path);
        else
            snprintf(path, sizeof path, "%s.config", section);
        return tk_diag_set(d, file, path, "%s (%s plugin \"%s\")", msg, section, c->id);
    }
    return tk_diag_set(d, inst->comp->file, NULL, "%s \"%s\" failed in %s: %s: %s", c->role,
                       c->id, what, tk_status_name(st), msg);
}

static char *config_text(const tk_instance *inst)
{
    return inst->config ? json_dumps(inst->config, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
}

/* The three creates differ only in the vtable call. */
static tk_status created(tk_instance *inst, tk_status st, char *text, const char *file,
                         tk_diag *d)
{
    free(text);
    if (st != TK_OK)
        tk_instance_fail(inst, st, file, "create", d);
    return st;
}

tk_status tk_instance_create_teacher(tk_instance *inst, const tk_task_space *space,
                                     const char *file, tk_diag *d)
{
    char *text = config_text(inst);
    if (!text)
        return created(inst, TK_ERR_NOMEM, text, file, d);
    tk_status st = tk_component_teacher(inst->comp)->create(tk_host_api_table(), &inst->ctx,
                                                            space, text, &inst->self);
    return created(inst, st, text, file, d);
}

tk_status tk_instance_create_env(tk_instance *inst, const char *file, tk_diag *d)
{
    char *text = config_text(inst);
    if (!text)
        return created(inst, TK_ERR_NOMEM, text, file, d);
    tk_status st = tk_component_env(inst->comp)->create(tk_host_api_table(), &inst->ctx, text,
                                                        &inst->self);
    return created(inst, st, text, file, d);
}

tk_status tk_instance_create_student(tk_instance *inst, const tk_student_spec *spec,
                                     const char *file, tk_diag *d)
{
    char *text = config_text(inst);
    if (!text)
        return created(inst, TK_ERR_NOMEM, text, file, d);
    tk_status st = tk_component_student(inst->comp)->create(tk_host_api_table(), &inst->ctx,
                                                            spec, text, &inst->self);
    return created(inst, st, text, file, d);
}

void tk_instance_destroy(tk_instance *inst)
{
    if (inst->comp)
        tk_component_destroy_object(inst->comp, inst->self);
    json_decref(inst->config);
    inst->self = NULL;
    inst->config = NULL;
}
