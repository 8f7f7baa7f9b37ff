/* Large arrays on huge pages: see nn_memory.h. */
#include "nn_memory.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *nn_alloc(size_t bytes, int zero)
{
    if (bytes == 0)
        bytes = 1;
    const int huge = bytes >= HUGE_PAGE;
    const size_t align = huge ? HUGE_PAGE : 64;
    const size_t size = (bytes + align - 1) / align * align;
    void *p = aligned_alloc(align, size);
    if (!p)
        return NULL;
#ifdef MADV_HUGEPAGE
    /* Advice only: where the kernel cannot, 4 KiB pages serve as before. */
    if (huge)
        madvise(p, size, MADV_HUGEPAGE);
#endif
    if (zero)
        memset(p, 0, size);
    return p;
}
