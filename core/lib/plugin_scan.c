/*
 * Listing the ".so" files below a directory for the registry, within
 * bounds (registry_internal.h).
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "registry_internal.h"

int tk_has_so_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int visited(tk_scan *sc, const struct stat *st)
{
    for (size_t i = 0; i < sc->n_dirs; i++)
        if (sc->dev[i] == st->st_dev && sc->ino[i] == st->st_ino)
            return 1;
    TK_GROW(sc->dev, sc->n_dirs, sc->cap_dirs);
    TK_GROW(sc->ino, sc->n_dirs, sc->cap_ino);
    sc->dev[sc->n_dirs] = st->st_dev;
    sc->ino[sc->n_dirs++] = st->st_ino;
    return 0;
}

void tk_scan_dir(tk_scan *sc, const char *dir, int depth)
{
    struct stat st;
    if (depth > TK_SCAN_MAX_DEPTH || sc->overflow || stat(dir, &st) != 0 || visited(sc, &st))
        return;
    DIR *dh = opendir(dir);
    if (!dh)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *ent;
    while ((ent = readdir(dh))) {
        if (ent->d_name[0] == '.')
            continue;
        if (++sc->entries > TK_SCAN_MAX_ENTRIES) {
            sc->overflow = 1;
            break;
        }
        TK_GROW(names, n, cap);
        names[n++] = strdup(ent->d_name);
    }
    closedir(dh);
    if (n > 1)
        qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (!sc->overflow && stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                tk_scan_dir(sc, path, depth + 1);
            else if (S_ISREG(st.st_mode) && tk_has_so_suffix(names[i])) {
                if (sc->n_so == TK_SCAN_MAX_SO_FILES)
                    sc->overflow = 1;
                else {
                    TK_GROW(sc->so, sc->n_so, sc->cap_so);
                    sc->so[sc->n_so++] = strdup(path);
                }
            }
        }
        free(names[i]);
    }
    free(names);
}

void tk_scan_free(tk_scan *sc)
{
    for (size_t i = 0; i < sc->n_so; i++)
        free(sc->so[i]);
    free(sc->so);
    free(sc->dev);
    free(sc->ino);
}
