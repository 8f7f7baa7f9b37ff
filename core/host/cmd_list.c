/* `teachkit list`: every component found, and the files that were refused. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "registry.h"
#include "system_json.h"

static void print_component(const tk_component *c, int with_config)
{
    const tk_descriptor *d = c->desc;
    printf("%-8s %-16s %-8s %s\n", tk_kind_name(d->kind), d->id, d->version, d->description);
    if (!with_config)
        return;
    printf("         file: %s\n", c->file);
    if (d->features && d->features[0]) {
        printf("         features:");
        for (const char *const *f = d->features; *f; f++)
            printf(" %s", *f);
        printf("\n");
    }
    json_t *cfg = json_loads(d->default_config, 0, NULL);
    char *text = cfg ? json_dumps(cfg, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (text && json_object_size(cfg)) {
        printf("         config defaults:\n");
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
            printf("           %s\n", line);
    }
    free(text);
    json_decref(cfg);
}

int tk_cmd_list(int argc, char **argv)
{
    int with_config = 0, system = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0)
            with_config = 1;
        else if (strcmp(argv[i], "--system") == 0)
            system = 1;
        else {
            fprintf(tk_wants_help(argc, argv) ? stdout : stderr,
                    "usage: teachkit list [--config | --system]\n"
                    "\n"
                    "Lists every teacher, env and student found in the plugin search path\n"
                    "(TEACHKIT_PLUGIN_PATH, then the bundled plugins), with kind, id, version\n"
                    "and description, and the files that were refused and why.\n"
                    "  --config  also show each component's file, features and config defaults\n"
                    "  --system  instead, what runs the numerics here: CPU, oneDNN's instruction\n"
                    "            set and kernels (networks), OpenBLAS's kernel (teachers)\n");
            return tk_wants_help(argc, argv) ? 0 : 2;
        }
    }
    if (system) {
        tk_system_print(stdout);
        return 0;
    }
    tk_diag d;
    tk_registry *reg = tk_registry_open(NULL, 0, &d);
    if (!reg) {
        tk_diag_print(&d, stderr);
        return 1;
    }
    printf("%-8s %-16s %-8s %s\n", "KIND", "ID", "VERSION", "DESCRIPTION");
    static const tk_kind kinds[] = {TK_KIND_TEACHER, TK_KIND_ENV, TK_KIND_STUDENT};
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < tk_registry_count(reg); i++)
            if (tk_registry_at(reg, i)->desc->kind == kinds[k])
                print_component(tk_registry_at(reg, i), with_config);
    for (size_t i = 0; i < tk_registry_rejected_count(reg); i++)
        fprintf(stderr, "teachkit: refused %s: %s\n", tk_registry_rejected_at(reg, i)->file,
                tk_registry_rejected_at(reg, i)->reason);
    printf("search path: %s\n", tk_registry_search_path(reg));
    tk_registry_close(reg);
    return 0;
}
