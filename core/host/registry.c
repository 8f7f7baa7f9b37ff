#include "registry.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"

#ifndef TK_INSTALL_PLUGIN_DIR
#define TK_INSTALL_PLUGIN_DIR "/usr/local/lib/teachkit/plugins"
#endif

/* The build tree's plugins next to the executable, else the installed ones. */
static void bundled_dir(char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            snprintf(slash, sizeof exe - (size_t)(slash - exe), "/plugins");
            struct stat st;
            if (stat(exe, &st) == 0 && S_ISDIR(st.st_mode)) {
                snprintf(out, size, "%s", exe);
                return;
            }
        }
    }
    snprintf(out, size, "%s", TK_INSTALL_PLUGIN_DIR);
}

tk_registry *tk_registry_open(const char *const *extra, size_t n_extra, tk_diag *d)
{
    tk_registry *reg =
        tk_registry_new("add the plugin's .so to \"plugin_paths\" or TEACHKIT_PLUGIN_PATH");
    if (!reg) {
        tk_diag_set(d, NULL, NULL, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < tk_builtin_count(); i++)
        if (tk_registry_add_builtin(reg, tk_builtin_at(i), d) != 0) {
            tk_registry_close(reg);
            return NULL;
        }
    char dir[PATH_MAX];
    bundled_dir(dir, sizeof dir);
    if (tk_registry_search(reg, extra, n_extra, dir, d) != 0) {
        tk_registry_close(reg);
        return NULL;
    }
    return reg;
}
