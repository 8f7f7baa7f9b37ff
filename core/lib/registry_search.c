/*
 * The registry's search paths (<teachkit/registry.h>): which files become
 * candidates, which are refused before anything of them runs, and the
 * search order of tk_registry_search.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "registry_internal.h"

size_t tk_reg_file_index(const tk_registry *reg, const char *real)
{
    for (size_t i = 0; i < reg->n_files; i++)
        if (strcmp(reg->files[i], real) == 0)
            return i;
    return SIZE_MAX;
}

size_t tk_reg_add_candidate(tk_registry *reg, const char *path)
{
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        tk_reg_reject(reg, path, "cannot be resolved: %s", strerror(errno));
        return SIZE_MAX;
    }
    size_t known = tk_reg_file_index(reg, real);
    if (known != SIZE_MAX)
        return known;
    if (tk_reg_rejection(reg, real))
        return SIZE_MAX;
    char why[PATH_MAX + 128];
    const char *unsafe = tk_plugin_file_unsafe(real, why, sizeof why);
    if (unsafe) {
        tk_reg_reject(reg, real, "refused: the file %s", unsafe);
        return SIZE_MAX;
    }
    int elf = tk_elf_defines_entry(real);
    if (elf == 0) {
        tk_reg_reject(reg, real,
                      "no `%s` symbol: not a teachkit plugin (export it with "
                      "TK_PLUGIN_DESCRIPTORS)", TK_ENTRY_SYMBOL);
        return SIZE_MAX;
    }
    if (elf == -2) {
        tk_reg_reject(reg, real, "not a shared object (no ELF header)");
        return SIZE_MAX;
    }
    char *copy = strdup(real);
    if (!copy)
        abort();
    TK_GROW(reg->described, reg->n_files, reg->cap_described);
    TK_GROW(reg->files, reg->n_files, reg->cap_files);
    reg->described[reg->n_files] = 0;
    reg->files[reg->n_files] = copy;
    return reg->n_files++;
}

void tk_reg_note_searched(tk_registry *reg, const char *p)
{
    size_t used = strlen(reg->search_path);
    snprintf(reg->search_path + used, sizeof reg->search_path - used, "%s%s", used ? ":" : "",
             p);
}

/* Adds the plugins of the directory `dir`.  A directory that holds ".so"
 * files none of which is a plugin (a system library directory), or more
 * entries than the bounds allow, is refused as a whole: 0, or -1 with
 * why[size]. */
static int add_directory(tk_registry *reg, const char *dir, char *why, size_t size)
{
    tk_scan sc;
    memset(&sc, 0, sizeof sc);
    tk_scan_dir(&sc, dir, 0);
    int rc = 0;
    if (sc.overflow) {
        snprintf(why, size, "not a plugin directory: it holds more than %d entries or %d .so "
                            "files (to depth %d); point the plugin path at the plugin's own "
                            "directory or file",
                 TK_SCAN_MAX_ENTRIES, TK_SCAN_MAX_SO_FILES, TK_SCAN_MAX_DEPTH);
        rc = -1;
    } else {
        /* Judge the directory before recording any rejection: a refused
         * library directory would otherwise list hundreds of them. */
        size_t plugins = 0;
        for (size_t i = 0; i < sc.n_so; i++) {
            char real[PATH_MAX];
            int elf = realpath(sc.so[i], real) ? tk_elf_defines_entry(real) : -2;
            plugins += tk_reg_file_index(reg, real) != SIZE_MAX || elf == 1 || elf == -1;
        }
        if (sc.n_so > 0 && plugins == 0) {
            snprintf(why, size, "not a plugin directory: none of its %zu .so file%s exports "
                                "`%s`", sc.n_so, sc.n_so == 1 ? "" : "s", TK_ENTRY_SYMBOL);
            rc = -1;
        }
        for (size_t i = 0; rc == 0 && i < sc.n_so; i++)
            tk_reg_add_candidate(reg, sc.so[i]);
    }
    tk_scan_free(&sc);
    return rc;
}

int tk_reg_add_path(tk_registry *reg, const char *p, char *why, size_t size)
{
    struct stat st;
    if (stat(p, &st) != 0) {
        snprintf(why, size, "does not exist");
        return -1;
    }
    tk_reg_note_searched(reg, p);
    if (S_ISDIR(st.st_mode))
        return add_directory(reg, p, why, size);
    if (tk_reg_add_candidate(reg, p) == SIZE_MAX) {
        snprintf(why, size, "%s", reg->n_rejected ? reg->rejected[reg->n_rejected - 1].reason
                                                  : "rejected");
        return -1;
    }
    return 0;
}

/* A listed file that turned out not to load is an error. */
static int listed_file_rejected(const tk_registry *reg, const char *const *extra, size_t n_extra,
                                tk_diag *d)
{
    for (size_t i = 0; i < n_extra; i++) {
        char real[PATH_MAX];
        struct stat st;
        const char *bad = stat(extra[i], &st) == 0 && !S_ISDIR(st.st_mode) &&
                                  realpath(extra[i], real)
                              ? tk_reg_rejection(reg, real)
                              : NULL;
        if (bad) {
            char path[64];
            tk_path_index(path, sizeof path, "plugin_paths", i);
            return tk_diag_set(d, NULL, path, "%s: %s", extra[i], bad);
        }
    }
    return 0;
}

int tk_registry_search(tk_registry *reg, const char *const *extra, size_t n_extra,
                       const char *bundled_dir, tk_diag *d)
{
    char why[1024];
    for (size_t i = 0; i < n_extra; i++)
        if (tk_reg_add_path(reg, extra[i], why, sizeof why) != 0) {
            char path[64];
            tk_path_index(path, sizeof path, "plugin_paths", i);
            return tk_diag_set(d, NULL, path, "%s: %s", extra[i], why);
        }
    const char *env = getenv("TEACHKIT_PLUGIN_PATH");
    if (env && env[0]) {
        char *copy = strdup(env), *save = NULL;
        for (char *p = copy ? strtok_r(copy, ":", &save) : NULL; p; p = strtok_r(NULL, ":", &save))
            if (tk_reg_add_path(reg, p, why, sizeof why) != 0)
                tk_reg_reject(reg, p, "listed in TEACHKIT_PLUGIN_PATH but %s", why);
        free(copy);
    }
    struct stat st;
    if (bundled_dir && bundled_dir[0]) {
        if (stat(bundled_dir, &st) != 0)
            tk_reg_note_searched(reg, bundled_dir);
        else if (tk_reg_add_path(reg, bundled_dir, why, sizeof why) != 0)
            tk_reg_reject(reg, bundled_dir, "the bundled plugin directory is %s", why);
    }
    tk_reg_probe(reg);
    return listed_file_rejected(reg, extra, n_extra, d);
}
