/*
 * The host services table every instance receives (<teachkit/instance.h>).
 */
#include <stdarg.h>
#include <stdio.h>

#include "teachkit/instance.h"
#include "teachkit/stop_request.h"

static const char *level_name(tk_log_level level)
{
    static const char *const names[] = {"debug", "info", "warning"};
    return names[level <= TK_LOG_WARN ? level : TK_LOG_WARN];
}

static void vlog(tk_ctx *ctx, tk_log_level level, const char *fmt, va_list ap)
{
    if (level < TK_LOG_WARN && !ctx->verbose)
        return;
    fprintf(stderr, "teachkit: %s %s: %s: ", ctx->role, ctx->id, level_name(level));
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static void host_log(tk_ctx *ctx, tk_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(ctx, level, fmt, ap);
    va_end(ap);
}

static void host_log_message(tk_ctx *ctx, tk_log_level level, const char *text)
{
    host_log(ctx, level, "%s", text ? text : "");
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
    return ctx->value_fn ? ctx->value_fn(ctx->value_user, obs, n, values_out)
                         : TK_ERR_UNSUPPORTED;
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
    .log_message = host_log_message,
    .stop_requested = host_stop_requested,
};

const tk_host_api *tk_host_api_table(void)
{
    return &host_table;
}
