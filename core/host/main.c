/* teachkit: command-line entry point, dispatching to the verbs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "teachkit/plugin.h"
#include "teachkit/system_info.h"

#ifndef TK_VERSION
#define TK_VERSION "unknown"
#endif

static void usage(FILE *out)
{
    fprintf(out,
            "usage: teachkit <command> [options]\n"
            "\n"
            "Teacher algorithms (automatic curriculum learning) for deep RL.\n"
            "\n"
            "commands:\n"
            "  run MANIFEST       run one experiment (teacher x env x student)\n"
            "  validate MANIFEST  check a manifest and its plugins without running\n"
            "  study MANIFEST     run a study (teachers x seeds x configs) and report it\n"
            "  report STUDY_DIR   statistics of a study: tables, t-tests, curves\n"
            "  plot DIR           figures of a run or a study (gnuplot, PNG/SVG/GIF)\n"
            "  render RUN_DIR     frames of an episode of a run's student (PNG, GIF)\n"
            "  list               list the plugins found and their components\n"
            "  new KIND NAME      start a plugin project: KIND is teacher, env or student\n"
            "\n"
            "`teachkit <command> --help` describes each command.\n"
            "Plugins are searched in the manifest's plugin_paths, TEACHKIT_PLUGIN_PATH and\n"
            "the bundled plugin directory.  Documentation: docs/ in the source tree.\n");
}

/* valgrind runs the program on its own loader: /proc/self/exe is then the
 * valgrind tool, which refuses to be started directly, and a re-executed
 * image would run outside valgrind anyway.  Its preloaded libraries
 * (vgpreload_<tool>-<platform>.so) give it away. */
static int under_valgrind(void)
{
    const char *preload = getenv("LD_PRELOAD");
    return preload && strstr(preload, "vgpreload_") != NULL;
}

int main(int argc, char **argv)
{
    /* Process-wide settings that OpenBLAS and oneDNN's OpenMP runtime read
     * when they are loaded, before main(), hence a re-execution when one
     * is missing (<teachkit/system_info.h>); if it fails, the run goes on
     * without them.  Under valgrind the variables still reach the processes
     * this one starts (a study's runs), but not this process: say so. */
    if (tk_numerics_env_defaults()) {
        if (!under_valgrind())
            execv("/proc/self/exe", argv);
        else
            fprintf(stderr, "teachkit: under valgrind: not re-executing; set "
                            "OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and OPENBLAS_CORETYPE "
                            "yourself for them to apply to this process "
                            "(docs/manifest.md, \"Threads and kernels\")\n");
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "-h") == 0 || strcmp(verb, "--help") == 0 || strcmp(verb, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(verb, "--version") == 0) {
        printf("teachkit %s (plugin ABI %u.%u)\n", TK_VERSION, TK_ABI_MAJOR, TK_ABI_MINOR);
        return 0;
    }
    if (strcmp(verb, "run") == 0)
        return tk_cmd_run(argc - 1, argv + 1);
    if (strcmp(verb, "validate") == 0)
        return tk_cmd_validate(argc - 1, argv + 1);
    if (strcmp(verb, "study") == 0)
        return tk_cmd_study(argc - 1, argv + 1);
    if (strcmp(verb, "report") == 0)
        return tk_cmd_report(argc - 1, argv + 1);
    if (strcmp(verb, "plot") == 0)
        return tk_cmd_plot(argc - 1, argv + 1);
    if (strcmp(verb, "list") == 0)
        return tk_cmd_list(argc - 1, argv + 1);
    if (strcmp(verb, "render") == 0)
        return tk_cmd_render(argc - 1, argv + 1);
    if (strcmp(verb, "new") == 0)
        return tk_cmd_new(argc - 1, argv + 1);
    fprintf(stderr, "teachkit: unknown command \"%s\"\n", verb);
    usage(stderr);
    return 2;
}
