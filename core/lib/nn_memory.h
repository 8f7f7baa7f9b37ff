/*
 * Private to the neural-network toolkit: where its large arrays live.
 *
 * Networks, tapes, optimiser moments and replay buffers are tens to
 * hundreds of megabytes read in full at every gradient step.  With 4 KiB
 * pages that is tens of thousands of TLB entries, and a miss costs a
 * two-level page walk in a virtual machine: on a 2-core VM the SAC step at
 * the paper's sizes took 31 ms with 4 KiB pages and 15 ms with 2 MiB ones
 * (bf16, replay sampling from a full 2M buffer included; Linux's
 * transparent huge pages set to "madvise", as Debian ships them).
 * nn_alloc therefore asks for huge pages on arrays of 2 MiB and more.
 * Arrays are freed with free().  [thread-safe]
 */
#ifndef TK_NN_MEMORY_H
#define TK_NN_MEMORY_H

#include <stddef.h>

/* `bytes` (at least 1) aligned to 64 bytes, or to 2 MiB with the kernel
 * asked to back them with huge pages from 2 MiB up; zero-filled when
 * `zero` is non-zero (otherwise untouched, so never-written pages cost no
 * memory).  NULL when out of memory. */
void *nn_alloc(size_t bytes, int zero);

#endif
