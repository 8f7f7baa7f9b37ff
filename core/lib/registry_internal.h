/*
 * Internals of the registry (<teachkit/registry.h>), shared by its files:
 * registry.c (files, rejections, find), registry_search.c (search paths
 * and candidates), registry_probe.c (reading descriptors in a child
 * process), plugin_elf.c and plugin_scan.c.  Not installed; hidden from
 * libteachkit's exported symbols.
 */
#ifndef TK_REGISTRY_INTERNAL_H
#define TK_REGISTRY_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "teachkit/plugin_file.h"
#include "teachkit/registry.h"

#define TK_REG_HIDDEN __attribute__((visibility("hidden")))

#define TK_REG_KILLED_PROBE 2

#define TK_SCAN_MAX_DEPTH 4       /* directory levels below a search-path element */
#define TK_SCAN_MAX_ENTRIES 10000 /* directory entries examined per search-path element */
#define TK_SCAN_MAX_SO_FILES 1024 /* ".so" files per search-path element */

/* A component found by the probe, loaded, or built in. */
typedef struct tk_reg_info {
    tk_plugin_info pub;
    size_t file;                    /* index in files[], SIZE_MAX for built-ins */
    const tk_component *builtin;    /* built-ins only */
    char *strings[6];               /* owned: id, name, version, description, config, features */
    char **features;                /* owned array of pointers into strings[5] */
} tk_reg_info;

struct tk_registry {
    char **files;                   /* candidate plugin files (real paths, owned) */
    /* Per file: 0 not described yet, 1 its infos are known or it was
     * rejected with a reason, TK_REG_KILLED_PROBE the probe died on it
     * (crash, hang, exit): never to be loaded into the caller's process. */
    unsigned char *described;
    size_t n_files, cap_files, cap_described;
    tk_reg_info *infos;
    size_t n_infos, cap_infos;
    tk_plugin_file **loaded;        /* files loaded into this process */
    size_t n_loaded, cap_loaded;
    tk_component **builtins;        /* each allocated alone (stable) */
    size_t n_builtins, cap_builtins;
    tk_rejected *rejected;
    size_t n_rejected, cap_rejected;
    char search_path[4096];
    char advice[256];
};

/* Grows a malloc'd array by doubling; out of memory while listing a
 * handful of files aborts. */
#define TK_GROW(arr, n, cap)                                                    \
    do {                                                                        \
        if ((n) == (cap)) {                                                     \
            size_t ncap_ = (cap) ? 2 * (cap) : 8;                               \
            void *p_ = realloc((arr), ncap_ * sizeof *(arr));                   \
            if (!p_)                                                            \
                abort();                                                        \
            (arr) = p_;                                                         \
            (cap) = ncap_;                                                      \
        }                                                                       \
    } while (0)

/* Records why `file` was rejected. */
TK_REG_HIDDEN void tk_reg_reject(tk_registry *reg, const char *file, const char *fmt, ...)
    TK_PRINTF(3, 4);
/* The reason `file` was rejected, or NULL. */
TK_REG_HIDDEN const char *tk_reg_rejection(const tk_registry *reg, const char *file);
/* The index of candidate `real` in files[], or SIZE_MAX. */
TK_REG_HIDDEN size_t tk_reg_file_index(const tk_registry *reg, const char *real);
/* Consider the file at `path` for probing: its index in files[], or
 * SIZE_MAX when it was rejected (reason recorded). */
TK_REG_HIDDEN size_t tk_reg_add_candidate(tk_registry *reg, const char *path);
/* Adds a search-path element (file or directory): 0, or -1 with why[size]. */
TK_REG_HIDDEN int tk_reg_add_path(tk_registry *reg, const char *p, char *why, size_t size);
/* Appends `p` to the search path shown in messages. */
TK_REG_HIDDEN void tk_reg_note_searched(tk_registry *reg, const char *p);
/* Reads the descriptors of the files not yet described, in child processes. */
TK_REG_HIDDEN void tk_reg_probe(tk_registry *reg);
TK_REG_HIDDEN void tk_reg_info_free(tk_reg_info *in);
/* Fills the public view of an info from its strings. */
TK_REG_HIDDEN void tk_reg_info_publish(tk_reg_info *in, const char *file);

/* Whether the ELF file at `path` defines TK_ENTRY_SYMBOL in its dynamic
 * symbol table, read without running any of it: 1 yes, 0 no, -1 cannot
 * tell (dlopen, in the probe, decides), -2 not an ELF file. */
TK_REG_HIDDEN int tk_elf_defines_entry(const char *path);

/* The ".so" files below a directory, in sorted order (so loading, and thus
 * error messages, do not depend on readdir order), each directory visited
 * once (symlink loops), within the bounds above. */
typedef struct tk_scan {
    char **so;
    size_t n_so, cap_so;
    dev_t *dev;
    ino_t *ino;
    size_t n_dirs, cap_dirs, cap_ino;
    size_t entries;
    int overflow;                   /* a bound was hit */
} tk_scan;

TK_REG_HIDDEN void tk_scan_dir(tk_scan *sc, const char *dir, int depth);
TK_REG_HIDDEN void tk_scan_free(tk_scan *sc);
TK_REG_HIDDEN int tk_has_so_suffix(const char *name);

#endif
