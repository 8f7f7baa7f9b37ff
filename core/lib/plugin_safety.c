/*
 * Whether a plugin file is safe to load: code another user could replace
 * is refused (docs/reliability.md).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "teachkit/registry.h"

/* World-writable code is refused (docs/reliability.md): the file, and
 * every directory above it, since whoever may rename an entry of a
 * directory on the path can swap the file.  A world-writable directory with
 * the sticky bit (/tmp) protects its entries from other users, but anyone
 * may create entries there: an entry on the path below such a directory
 * must belong to this user or to root.  Writes the reason into buf. */
const char *tk_plugin_file_unsafe(const char *real, char *buf, size_t size)
{
    struct stat st;
    if (stat(real, &st) != 0)
        return "cannot be read";
    if (st.st_mode & S_IWOTH)
        return "is world-writable; run `chmod o-w` on it";
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", real);
    uid_t below = st.st_uid; /* owner of the entry below `path` */
    char *slash;
    while ((slash = strrchr(path, '/')) != NULL) {
        if (slash == path)
            slash[1] = '\0';
        else
            *slash = '\0';
        if (stat(path, &st) != 0)
            break;
        if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
            snprintf(buf, size, "lies in the world-writable directory %s; run `chmod o-w` on it",
                     path);
            return buf;
        }
        if ((st.st_mode & S_IWOTH) && below != geteuid() && below != 0) {
            snprintf(buf, size, "lies in the world-writable directory %s under an entry of "
                                "another user (uid %u), who could replace it", path,
                     (unsigned)below);
            return buf;
        }
        below = st.st_uid;
        if (slash == path)
            break;
    }
    return NULL;
}
