#include "teachkit/task_space.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

tk_status tk_task_space_check(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space)
{
    if (!space || space->dims == 0 || !space->dim)
        return host->error(ctx, TK_ERR_INVALID, NULL, "the task space has no dimension");
    for (size_t i = 0; i < space->dims; i++) {
        const tk_dim *d = &space->dim[i];
        if (!isfinite(d->low) || !isfinite(d->high) || d->low > d->high)
            return host->error(ctx, TK_ERR_INVALID, NULL,
                               "task dimension %zu has invalid bounds [%g, %g]", i, d->low,
                               d->high);
    }
    return TK_OK;
}

/* Bytes of the copy's one block: the dim array, then each name with its
 * NUL; 0 when the size does not fit a size_t. */
static size_t copy_size(const tk_task_space *src)
{
    if (src->dims > SIZE_MAX / sizeof(tk_dim))
        return 0;
    size_t size = src->dims * sizeof(tk_dim);
    for (size_t i = 0; i < src->dims; i++) {
        const char *name = src->dim[i].name;
        const size_t len = name ? strlen(name) + 1 : 0;
        if (len > SIZE_MAX - size)
            return 0;
        size += len;
    }
    return size;
}

tk_status tk_task_space_copy(tk_task_space *dst, const tk_task_space *src)
{
    if (!dst)
        return TK_ERR_INVALID;
    *dst = (tk_task_space){0, NULL};
    if (!src || (src->dims > 0 && !src->dim))
        return TK_ERR_INVALID;
    if (src->dims == 0)
        return TK_OK;
    const size_t size = copy_size(src);
    tk_dim *dim = size ? malloc(size) : NULL;
    if (!dim)
        return TK_ERR_NOMEM;
    /* The names follow the array in the same block (char needs no alignment),
     * so tk_task_space_free is one free(). */
    char *names = (char *)(dim + src->dims);
    for (size_t i = 0; i < src->dims; i++) {
        dim[i] = src->dim[i];
        if (src->dim[i].name) {
            const size_t len = strlen(src->dim[i].name) + 1;
            memcpy(names, src->dim[i].name, len);
            dim[i].name = names;
            names += len;
        }
    }
    *dst = (tk_task_space){src->dims, dim};
    return TK_OK;
}

void tk_task_space_free(tk_task_space *space)
{
    if (!space)
        return;
    /* The copy owns `dim` (see tk_task_space_copy); the ABI type is const. */
    free((void *)space->dim);
    *space = (tk_task_space){0, NULL};
}
