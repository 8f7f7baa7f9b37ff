/* `teachkit run` and `teachkit validate`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_args.h"
#include "commands.h"
#include "dir_lock.h"
#include "experiment.h"
#include "json_file.h"
#include "run_files.h"
#include "run_reader.h"
#include "runner.h"
#include "study.h"
#include "study_check.h"

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

/* Loads the manifest and the registry; on success both must be freed. */
static int open_manifest(const char *file, tk_manifest *m, tk_registry **reg, tk_diag *d)
{
    if (tk_manifest_load(file, m, d))
        return -1;
    *reg = tk_registry_open((const char *const *)m->plugin_paths, m->n_plugin_paths, d);
    if (!*reg) {
        snprintf(d->file, sizeof d->file, "%s", file);
        return -1;
    }
    return 0;
}

/* A resumed run must continue the same experiment: its resolved manifest
 * has to equal the one the run started with. */
static int write_resolved_manifest(const tk_experiment *x, const char *out, int resume,
                                   tk_diag *d)
{
    json_t *resolved = tk_experiment_resolved_manifest(x);
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", out);
    json_t *previous = resume ? json_load_file(path, 0, NULL) : NULL;
    int rc;
    if (previous && !tk_json_same(previous, resolved))
        rc = tk_diag_set(d, path, NULL,
                         "the run in this directory was started from another manifest or seed; "
                         "resume it with the same manifest or choose another --out");
    else
        rc = tk_write_json_atomic(out, "manifest.json", resolved, d);
    json_decref(previous);
    json_decref(resolved);
    return rc;
}

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: teachkit run MANIFEST [--out DIR] [--seed N] [--resume] [--timeout S]\n"
            "                    [--quiet]\n"
            "\n"
            "Runs the experiment described by MANIFEST (see docs/manifest.md) and writes\n"
            "manifest.json, episodes.jsonl, evals.jsonl, teacher.jsonl and summary.json\n"
            "into DIR (default: runs/NAME-seedN).  An existing run is never overwritten,\n"
            "and a directory another teachkit process is writing is refused.\n"
            "\n"
            "  --out DIR    output directory\n"
            "  --seed N     override the manifest's seed\n"
            "  --resume     continue the run in DIR from its last checkpoint (a finished\n"
            "               run is left as it is)\n"
            "  --timeout S  stop after S seconds of wall time, as on SIGTERM (checkpoint,\n"
            "               \"timed-out\", exit status 124; --resume continues it); a run\n"
            "               whose episode does not end soon after is killed\n"
            "  --quiet      no progress line on the terminal\n"
            "\n"
            "SIGINT, SIGTERM and SIGHUP stop the run with a checkpoint (exit status 130):\n"
            "after the current step with students that can save inside an episode (sac,\n"
            "ppo), else after the current episode; a second one stops it at once.\n");
}

int tk_cmd_run(int argc, char **argv)
{
    if (tk_wants_help(argc, argv)) {
        run_usage(stdout);
        return 0;
    }
    const char *file = NULL, *out = NULL;
    uint64_t seed = 0;
    int has_seed = 0, quiet = 0, resume = 0;
    double timeout = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            if (tk_parse_seconds(argv[++i], &timeout)) {
                fprintf(stderr, "teachkit run: --timeout: expected seconds in (0, 1e7], got "
                                "\"%s\"\n", argv[i]);
                return 2;
            }
        }
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            if (parse_u64(argv[++i], &seed) || seed > (uint64_t)INT64_MAX) {
                fprintf(stderr, "teachkit: --seed: expected an integer in [0, 2^63), got \"%s\"\n",
                        argv[i]);
                return 2;
            }
            has_seed = 1;
        } else if (strcmp(argv[i], "--quiet") == 0)
            quiet = 1;
        else if (strcmp(argv[i], "--resume") == 0)
            resume = 1;
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else {
            fprintf(stderr, "teachkit run: unexpected argument \"%s\"\n", argv[i]);
            run_usage(stderr);
            return 2;
        }
    }
    if (!file) {
        run_usage(stderr);
        return 2;
    }
    tk_diag d;
    tk_diag_clear(&d);
    tk_manifest m;
    tk_registry *reg = NULL;
    tk_experiment x;
    memset(&x, 0, sizeof x);
    int rc = 1, lock = -1;
    char default_out[512];
    if (open_manifest(file, &m, &reg, &d))
        goto done;
    if (has_seed)
        m.seed = seed;
    if (quiet)
        m.progress = TK_PROGRESS_NEVER;
    if (!out) {
        snprintf(default_out, sizeof default_out, "runs/%s-seed%llu", m.name,
                 (unsigned long long)m.seed);
        out = default_out;
    }
    if (resume && tk_run_dir_finished(out)) {
        if (!quiet)
            printf("%s: already finished -> %s\n", m.name, out);
        rc = 0;
        goto done;
    }
    /* Set up (which checks the plugins' configs) before creating anything. */
    if (tk_experiment_setup(&x, &m, reg, &d))
        goto done;
    int prepared = tk_prepare_run_dir(out, resume, &lock, &d);
    if (prepared) {
        rc = prepared == -2 ? TK_EXIT_LOCKED : 1;
        goto done;
    }
    if (write_resolved_manifest(&x, out, resume, &d))
        goto done;
    tk_run_options opt = {resume, timeout};
    tk_run_result res;
    if (tk_run_experiment(&x, out, &opt, &res, &d))
        goto done;
    if (!quiet)
        printf("%s: %llu episodes, %llu env steps, final mastered_pct %.2f, %.2f s%s -> %s\n",
               m.name, (unsigned long long)res.episodes, (unsigned long long)res.env_steps,
               res.final_mastered_pct, res.wall_seconds,
               res.timed_out ? " (timed out)" : res.interrupted ? " (interrupted)" : "", out);
    rc = res.interrupted ? 130 : res.timed_out ? 124 : 0;
done:
    if (rc == 1 || rc == TK_EXIT_LOCKED)
        tk_diag_print(&d, stderr);
    tk_dir_unlock(lock);
    tk_experiment_teardown(&x);
    tk_registry_close(reg);
    tk_manifest_free(&m);
    return rc;
}

/* A study manifest (one with sweeps) is checked as `teachkit study` checks
 * it before running anything.  Returns -1 when `file` is not a study
 * manifest (the run path then checks it), else the exit status. */
static int validate_study(const char *file)
{
    tk_diag d;
    tk_diag_clear(&d);
    json_t *root = tk_json_read_file(file, "the manifest", TK_MAX_MANIFEST_BYTES,
                                     JSON_REJECT_DUPLICATES, &d);
    if (!root) {
        tk_diag_print(&d, stderr);
        return 1;
    }
    if (!tk_study_has_sweeps(root)) {
        json_decref(root);
        return -1;
    }
    tk_study st = {0};
    tk_study_check check = {0};
    int rc = tk_study_expand(root, file, &st, &d) || tk_study_check_runs(&st, file, &check, &d);
    if (rc)
        tk_diag_print(&d, stderr);
    else
        printf("%s: ok (study of %zu runs, %zu configuration%s created)\n", file, st.n_runs,
               check.n_created, check.n_created == 1 ? "" : "s");
    tk_study_check_free(&check);
    tk_study_free(&st);
    json_decref(root);
    return rc ? 1 : 0;
}

int tk_cmd_validate(int argc, char **argv)
{
    if (tk_wants_help(argc, argv) || argc != 2) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: teachkit validate MANIFEST\n"
                "\n"
                "Checks the manifest (keys, types, ranges), finds its plugins, resolves their\n"
                "configs and creates every component once, without running anything.\n"
                "A study manifest (with sweeps) is checked run by run.\n"
                "Prints \"ok\" or one line naming the file, the JSON path and the fix.\n");
        return argc == 2 ? 0 : 2;
    }
    int study_rc = validate_study(argv[1]);
    if (study_rc >= 0)
        return study_rc;
    tk_diag d;
    tk_diag_clear(&d);
    tk_manifest m;
    tk_registry *reg = NULL;
    tk_experiment x;
    memset(&x, 0, sizeof x);
    int rc = 1;
    if (open_manifest(argv[1], &m, &reg, &d) || tk_experiment_setup(&x, &m, reg, &d))
        goto done;
    printf("%s: ok (teacher %s, env %s, student %s, %zu task dimensions)\n", argv[1],
           x.teacher.ctx.id, x.env.ctx.id, x.student.ctx.id, x.info.task_space.dims);
    rc = 0;
done:
    if (rc)
        tk_diag_print(&d, stderr);
    tk_experiment_teardown(&x);
    tk_registry_close(reg);
    tk_manifest_free(&m);
    return rc;
}
