#include "teachkit/plugin_config.h"

#include "teachkit/config_merge.h"

json_t *tk_resolve_config(const tk_descriptor *desc, json_t *user_config, const char *file,
                          const char *path, tk_diag *d)
{
    char err_path[sizeof d->path], msg[sizeof d->message];
    json_t *resolved = tk_config_merge(desc->id, desc->default_config, user_config, path,
                                       err_path, sizeof err_path, msg, sizeof msg);
    if (!resolved)
        tk_diag_set(d, file, err_path, "%s", msg);
    return resolved;
}
