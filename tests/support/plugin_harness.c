#include "plugin_harness.h"

#include <dlfcn.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "teachkit/rng.h"

static void harness_log(tk_ctx *ctx, tk_log_level level, const char *fmt, ...)
{
    (void)ctx;
    if (level < TK_LOG_WARN)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static tk_status harness_error(tk_ctx *ctx, tk_status code, const char *path, const char *fmt,
                               ...)
{
    ctx->last_code = code;
    snprintf(ctx->last_path, sizeof ctx->last_path, "%s", path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->last_message, sizeof ctx->last_message, fmt, ap);
    va_end(ap);
    return code;
}

static tk_rng *harness_rng(tk_ctx *ctx)
{
    return &ctx->rng;
}

static tk_status harness_value(tk_ctx *ctx, const float *obs, size_t n, float *out)
{
    (void)ctx;
    (void)obs;
    (void)n;
    (void)out;
    return TK_ERR_UNSUPPORTED;
}

int tk_harness_open(tk_harness *h, const char *so_path, const char *id, uint64_t seed)
{
    memset(h, 0, sizeof *h);
    h->dl = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
    if (!h->dl) {
        fprintf(stderr, "harness: %s\n", dlerror());
        return -1;
    }
    const tk_plugin_entry *entry = dlsym(h->dl, TK_ENTRY_SYMBOL);
    if (!entry || entry->abi_major != TK_ABI_MAJOR) {
        fprintf(stderr, "harness: %s: no compatible entry\n", so_path);
        return -1;
    }
    for (uint32_t i = 0; i < entry->count(); i++) {
        const tk_descriptor *d = entry->get(i);
        if (d && strcmp(d->id, id) == 0)
            h->desc = d;
    }
    if (!h->desc) {
        fprintf(stderr, "harness: %s provides no component '%s'\n", so_path, id);
        return -1;
    }
    h->host.struct_size = sizeof h->host;
    h->host.abi_major = TK_ABI_MAJOR;
    h->host.abi_minor = TK_ABI_MINOR;
    h->host.log = harness_log;
    h->host.error = harness_error;
    h->host.rng = harness_rng;
    h->host.student_value = harness_value;
    tk_rng_seed(&h->ctx.rng, seed);
    return 0;
}

void tk_harness_close(tk_harness *h)
{
    if (h->dl)
        dlclose(h->dl);
    h->dl = NULL;
}

const tk_teacher_vtable *tk_harness_teacher(const tk_harness *h)
{
    return h->desc->kind == TK_KIND_TEACHER ? h->desc->vtable : NULL;
}

const tk_env_vtable *tk_harness_env(const tk_harness *h)
{
    return h->desc->kind == TK_KIND_ENV ? h->desc->vtable : NULL;
}

const tk_student_vtable *tk_harness_student(const tk_harness *h)
{
    return h->desc->kind == TK_KIND_STUDENT ? h->desc->vtable : NULL;
}

char *tk_harness_merged_config(const tk_descriptor *d, const char *overrides)
{
    json_t *base = json_loads(d->default_config ? d->default_config : "{}", 0, NULL);
    json_t *over = overrides ? json_loads(overrides, 0, NULL) : json_object();
    char *text = NULL;
    if (json_is_object(base) && json_is_object(over) && json_object_update(base, over) == 0)
        text = json_dumps(base, JSON_COMPACT);
    json_decref(base);
    json_decref(over);
    return text;
}
