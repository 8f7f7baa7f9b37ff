#include "instance.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stop_request.h"
#include "teachkit/rng.h"
#include "teachkit/runtime_info.h"
#include "teachkit/standalone.h" /* tk_standalone_status_name */

static void host_log(tk_ctx *ctx, tk_log_level level, const char *fmt, ...)
{
    if (level < TK_LOG_WARN && !ctx->verbose)
        return;
    static const char *const names[] = {"debug", "info", "warning"};
    fprintf(stderr, "teachkit: %s %s: %s: ", ctx->role, ctx->id,
            names[level <= TK_LOG_WARN ? level : TK_LOG_WARN]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static tk_status host_error(tk_ctx *ctx, tk_status code, const char *config_path,
                            const char *fmt, ...)
{
    ctx->code = code;
    snprintf(ctx->err_path, sizeof ctx->err_path, "%s", config_path ? config_path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err_message, sizeof ctx->err_message, fmt, ap);
    va_end(ap);
    return code;
}

static tk_rng *host_rng(tk_ctx *ctx)
{
    return &ctx->rng;
}

static tk_status host_student_value(tk_ctx *ctx, const float *obs, size_t n, float *values_out)
{
    tk_instance *student = ctx->student;
    if (!student || !student->self)
        return TK_ERR_UNSUPPORTED;
    const tk_student_vtable *v = student->comp->desc->vtable;
    if (!TK_HAS_MEMBER(v, value))
        return TK_ERR_UNSUPPORTED;
    return v->value(student->self, obs, n, values_out);
}

static int host_stop_requested(tk_ctx *ctx)
{
    (void)ctx;
    return tk_stop_inside_episode();
}

static const tk_host_api host_table = {
    .struct_size = sizeof(tk_host_api),
    .abi_major = TK_ABI_MAJOR,
    .abi_minor = TK_ABI_MINOR,
    .log = host_log,
    .error = host_error,
    .rng = host_rng,
    .student_value = host_student_value,
    .stop_requested = host_stop_requested,
};

const tk_host_api *tk_host_api_table(void)
{
    return &host_table;
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

json_t *tk_instance_runtime_info(const tk_instance *inst)
{
    if (!inst->comp || !inst->self)
        return NULL;
    const void *vt = inst->comp->desc->vtable;
    const void *(*get)(void *, const char *) = NULL;
    const tk_teacher_vtable *tv = vt;
    const tk_env_vtable *ev = vt;
    const tk_student_vtable *sv = vt;
    switch (inst->comp->desc->kind) {
    case TK_KIND_TEACHER:
        get = TK_HAS_MEMBER(tv, get_extension) ? tv->get_extension : NULL;
        break;
    case TK_KIND_ENV:
        get = TK_HAS_MEMBER(ev, get_extension) ? ev->get_extension : NULL;
        break;
    case TK_KIND_STUDENT:
        get = TK_HAS_MEMBER(sv, get_extension) ? sv->get_extension : NULL;
        break;
    }
    const tk_runtime_info_ext *ext = get ? get(inst->self, TK_RUNTIME_INFO_EXT_ID) : NULL;
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

int tk_has_feature(const tk_descriptor *desc, const char *feature)
{
    for (const char *const *f = desc->features; f && *f; f++)
        if (strcmp(*f, feature) == 0)
            return 1;
    return 0;
}

int tk_instance_fail(const tk_instance *inst, tk_status st, const char *file, const char *what,
                     tk_diag *d)
{
    const struct tk_ctx *c = &inst->ctx;
    const char *msg =
        c->code == st && c->err_message[0] ? c->err_message : tk_standalone_status_name(st);
    /* Config errors are about the manifest: point at the key.  The eval env
     * shares the env's config section. */
    if (st == TK_ERR_CONFIG) {
        const char *section = strcmp(c->role, "eval-env") == 0 ? "env" : c->role;
        char path[512];
        if (c->err_path[0])
            snprintf(path, sizeof path, "%s.config.%s", section, c->err_path);
        else
            snprintf(path, sizeof path, "%s.config", section);
        return tk_diag_set(d, file, path, "%s (%s plugin \"%s\")", msg, section, c->id);
    }
    return tk_diag_set(d, inst->comp->file, NULL, "%s \"%s\" failed in %s: %s: %s", c->role,
                       c->id, what, tk_standalone_status_name(st), msg);
}

static char *config_text(const tk_instance *inst)
{
    return json_dumps(inst->config, JSON_COMPACT | JSON_SORT_KEYS);
}

int tk_instance_create_teacher(tk_instance *inst, const tk_task_space *space, const char *file,
                               tk_diag *d)
{
    const tk_teacher_vtable *v = inst->comp->desc->vtable;
    char *text = config_text(inst);
    tk_status st = v->create(&host_table, &inst->ctx, space, text, &inst->self);
    free(text);
    return st == TK_OK ? 0 : tk_instance_fail(inst, st, file, "create", d);
}

int tk_instance_create_env(tk_instance *inst, const char *file, tk_diag *d)
{
    const tk_env_vtable *v = inst->comp->desc->vtable;
    char *text = config_text(inst);
    tk_status st = v->create(&host_table, &inst->ctx, text, &inst->self);
    free(text);
    return st == TK_OK ? 0 : tk_instance_fail(inst, st, file, "create", d);
}

int tk_instance_create_student(tk_instance *inst, const tk_student_spec *spec, const char *file,
                               tk_diag *d)
{
    const tk_student_vtable *v = inst->comp->desc->vtable;
    char *text = config_text(inst);
    tk_status st = v->create(&host_table, &inst->ctx, spec, text, &inst->self);
    free(text);
    return st == TK_OK ? 0 : tk_instance_fail(inst, st, file, "create", d);
}

void tk_instance_destroy(tk_instance *inst)
{
    if (inst->comp && inst->self) {
        switch (inst->comp->desc->kind) {
        case TK_KIND_TEACHER:
            ((const tk_teacher_vtable *)inst->comp->desc->vtable)->destroy(inst->self);
            break;
        case TK_KIND_ENV:
            ((const tk_env_vtable *)inst->comp->desc->vtable)->destroy(inst->self);
            break;
        case TK_KIND_STUDENT:
            ((const tk_student_vtable *)inst->comp->desc->vtable)->destroy(inst->self);
            break;
        }
    }
    json_decref(inst->config);
    inst->self = NULL;
    inst->config = NULL;
}
