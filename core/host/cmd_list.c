/* `teachkit list`: every component found, and the files that were refused. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_args.h"
#include "commands.h"
#include "json_text.h"
#include "registry.h"
#include "system_json.h"

/* Descriptor strings come from plugins: printed terminal-safe. */
static void print_safe(const char *label, const char *text)
{
    fputs(label, stdout);
    tk_fputs_safe(text ? text : "", stdout);
}

static void print_component(const tk_plugin_info *c, int with_config)
{
    /* Ids are checked (tk_plugin_id_valid); versions and descriptions are not. */
    printf("%-8s %-16s ", tk_kind_name(c->kind), c->id);
    tk_fputs_safe(c->version, stdout);
    size_t width = strlen(c->version);
    printf("%*s ", width < 8 ? (int)(8 - width) : 0, "");
    tk_fputs_safe(c->description, stdout);
    putchar('\n');
    if (!with_config)
        return;
    print_safe("         file: ", c->file);
    putchar('\n');
    if (c->features && c->features[0]) {
        printf("         features:");
        for (const char *const *f = c->features; *f; f++)
            print_safe(" ", *f);
        printf("\n");
    }
    json_t *cfg = json_loads(c->default_config, 0, NULL);
    /* Defaults as their authors wrote them: 0.2, not 0.20000000000000001. */
    char *text = cfg ? tk_json_dumps_readable(cfg, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (text && json_object_size(cfg)) {
        printf("         config defaults:\n");
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
            print_safe("           ", line);
            putchar('\n');
        }
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
        for (size_t i = 0; i < tk_registry_info_count(reg); i++)
            if (tk_registry_info_at(reg, i)->kind == kinds[k])
                print_component(tk_registry_info_at(reg, i), with_config);
    for (size_t i = 0; i < tk_registry_rejected_count(reg); i++) {
        fputs("teachkit: refused ", stderr);
        tk_fputs_safe(tk_registry_rejected_at(reg, i)->file, stderr);
        fputs(": ", stderr);
        tk_fputs_safe(tk_registry_rejected_at(reg, i)->reason, stderr);
        fputc('\n', stderr);
    }
    print_safe("search path: ", tk_registry_search_path(reg));
    putchar('\n');
    tk_registry_close(reg);
    return 0;
}
