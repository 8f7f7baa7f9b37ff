#include "error_capture.h"

#include <stdarg.h>
#include <stdio.h>

static tk_status capture(tk_ctx *ctx, tk_status code, const char *path, const char *fmt, ...)
{
    ctx->calls++;
    ctx->had_path = path != NULL;
    snprintf(ctx->path, sizeof ctx->path, "%s", path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->message, sizeof ctx->message, fmt, ap);
    va_end(ap);
    return code;
}

const tk_host_api tk_capture_host = {.struct_size = sizeof(tk_host_api), .error = capture};
