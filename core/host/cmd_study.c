/* `teachkit study` and `teachkit report`. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_args.h"
#include "commands.h"
#include "dir_lock.h"
#include "baseline.h"
#include "plot_radar.h"
#include "json_file.h"
#include "manifest.h"
#include "plot.h"
#include "report.h"
#include "run_files.h"
#include "run_reader.h"
#include "study.h"
#include "study_check.h"
#include "study_mpi.h"
#include "study_pool.h"

typedef struct study_args {
    const char *file, *out, *baseline, *slurm;
    int jobs, quiet, plots, mpi, jobs_given, rerun_changed;
    long only_index;   /* -1: all runs */
    double timeout;
} study_args;

static void study_usage(FILE *out)
{
    fprintf(out,
            "usage: teachkit study MANIFEST [--jobs N] [--out DIR] [--baseline B]\n"
            "                      [--timeout SECONDS] [--only-index K] [--emit-slurm FILE]\n"
            "                      [--plots] [--mpi] [--rerun-changed]\n"
            "\n"
            "Expands a study manifest (lists of teachers, seeds, configs; see\n"
            "docs/studies.md) into runs, checks them all, runs each in its own process,\n"
            "then prints and writes the report.  Running it again on the same DIR skips\n"
            "finished runs and resumes interrupted ones from their last checkpoint.\n"
            "\n"
            "  --jobs N           worker processes (default: all cores)\n"
            "  --out DIR          study directory (default: studies/NAME)\n"
            "  --baseline B       the group the others are tested against: a teacher label\n"
            "                     (default random) or LABEL=VALUE of a swept value, e.g.\n"
            "                     precision=fp32\n"
            "  --timeout S        wall-clock limit per run: an overdue run stops with a\n"
            "                     checkpoint (or is killed) and counts as failed\n"
            "  --only-index K     run only the K-th run (0-based), for job arrays; no report\n"
            "  --emit-slurm FILE  write a SLURM job-array script running this study, then exit\n"
            "  --plots            also draw the figures (as `teachkit plot DIR`; needs gnuplot)\n"
            "  --mpi              under `mpirun -n K`: rank r runs the runs with index = r mod K\n"
            "                     (--jobs workers each, default 1), rank 0 reports\n"
            "  --rerun-changed    DIR holds an earlier version of this study: move its runs\n"
            "                     whose manifests changed (and those the study dropped) to\n"
            "                     DIR/superseded/ and run the changed and new ones\n"
            "\n"
            "SIGINT, SIGTERM and SIGHUP stop every run after its step or episode, with a\n"
            "checkpoint (exit status 130); a rerun resumes them.\n");
}

/* A non-negative integer up to `max`, digits only: 0, or -1. */
static int parse_index(const char *s, long max, long *out)
{
    char *end;
    errno = 0;
    if (!s[0] || s[0] == '-' || s[0] == '+')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > (unsigned long long)max)
        return -1;
    *out = (long)v;
    return 0;
}

static int parse_args(int argc, char **argv, study_args *a)
{
    memset(a, 0, sizeof *a);
    a->baseline = "random";
    a->only_index = -1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    a->jobs = cores > 0 ? (int)cores : 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        long v;
        if (strcmp(arg, "--jobs") == 0 && val) {
            if (parse_index(val, 4096, &v) || v < 1)
                return fprintf(stderr, "teachkit study: --jobs needs an integer in [1, 4096]\n"),
                       -1;
            a->jobs = (int)v;
            a->jobs_given = 1;
            i++;
        } else if (strcmp(arg, "--out") == 0 && val) {
            a->out = argv[++i];
        } else if (strcmp(arg, "--baseline") == 0 && val) {
            a->baseline = argv[++i];
        } else if (strcmp(arg, "--emit-slurm") == 0 && val) {
            a->slurm = argv[++i];
        } else if (strcmp(arg, "--timeout") == 0 && val) {
            if (tk_parse_seconds(val, &a->timeout))
                return fprintf(stderr, "teachkit study: --timeout needs seconds in (0, 1e7]\n"),
                       -1;
            i++;
        } else if (strcmp(arg, "--only-index") == 0 && val) {
            /* Parsed whole: 4294967297 must not wrap around to run 1. */
            if (parse_index(val, 1000000000, &a->only_index))
                return fprintf(stderr, "teachkit study: --only-index needs a run index (an "
                                       "integer >= 0), got \"%s\"\n", val),
                       -1;
            i++;
        } else if (strcmp(arg, "--quiet") == 0) {
            a->quiet = 1;
        } else if (strcmp(arg, "--plots") == 0) {
            a->plots = 1;
        } else if (strcmp(arg, "--mpi") == 0) {
            a->mpi = 1;
        } else if (strcmp(arg, "--rerun-changed") == 0) {
            a->rerun_changed = 1;
        } else if (arg[0] != '-' && !a->file) {
            a->file = arg;
        } else {
            fprintf(stderr, "teachkit study: unexpected argument \"%s\"\n", arg);
            return -1;
        }
    }
    return a->file ? 0 : -1;
}

static int mkdirs(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* ------------------------------------------------------------- layout */

/* How the runs recorded in an existing study.json compare with the study. */
typedef struct layout_diff {
    size_t changed, added, removed;
    const char *example;        /* a run that changed or was added or removed */
    unsigned char *moved;       /* per previous run: 1 if to move to superseded/ */
} layout_diff;

/* Whether run `i` of the study changed since `previous` (its entry in the
 * old study.json): a different resolved-manifest hash, or for a study.json
 * written before hashes were kept, a different input.json. */
static int run_changed(const tk_study *st, size_t i, const tk_study_check *check, json_t *previous,
                       const char *out)
{
    json_t *hash = json_object_get(previous, "manifest_hash");
    if (json_is_string(hash))
        return strcmp(json_string_value(hash), check->hashes[i]) != 0;
    char dir[2 * PATH_MAX];
    snprintf(dir, sizeof dir, "%s/runs/%s/input.json", out, st->runs[i].dir);
    json_t *input = json_load_file(dir, 0, NULL);
    int changed = !input || !tk_json_same(input, st->runs[i].manifest);
    json_decref(input);
    return changed;
}

static void compare_layout(const tk_study *st, const tk_study_check *check, json_t *prev_runs,
                           const char *out, layout_diff *diff)
{
    size_t np = json_array_size(prev_runs);
    diff->moved = calloc(np + 1, 1);
    unsigned char *seen = calloc(np + 1, 1);
    /* The previous runs by directory (a hash table: studies may have 10^5
     * runs). */
    json_t *by_dir = json_object();
    for (size_t k = 0; k < np; k++) {
        json_t *dir = json_object_get(json_array_get(prev_runs, k), "dir");
        if (json_is_string(dir))
            json_object_set_new(by_dir, json_string_value(dir), json_integer((json_int_t)k));
    }
    for (size_t i = 0; i < st->n_runs; i++) {
        json_t *k = json_object_get(by_dir, st->runs[i].dir);
        if (!k) {
            diff->added++;
            diff->example = diff->example ? diff->example : st->runs[i].dir;
            continue;
        }
        size_t idx = (size_t)json_integer_value(k);
        seen[idx] = 1;
        if (run_changed(st, i, check, json_array_get(prev_runs, idx), out)) {
            diff->changed++;
            diff->moved[idx] = 1;
            diff->example = diff->example ? diff->example : st->runs[i].dir;
        }
    }
    for (size_t k = 0; k < np; k++)
        if (!seen[k]) {
            diff->removed++;
            diff->moved[k] = 1;
            if (!diff->example)
                diff->example = json_string_value(json_object_get(json_array_get(prev_runs, k),
                                                                  "dir"));
        }
    json_decref(by_dir);
    free(seen);
}

/* Moves OUT/runs/DIR to OUT/superseded/DIR (DIR.1, DIR.2... if taken).
 * DIR comes from the old study.json: only a plain directory name is moved,
 * whatever a hand-edited file says. */
static int supersede(const char *out, const char *dir, tk_diag *d)
{
    if (!dir || !dir[0] || strchr(dir, '/') || strcmp(dir, ".") == 0 || strcmp(dir, "..") == 0)
        return 0;
    char from[2 * PATH_MAX], to[4 * PATH_MAX], parent[PATH_MAX + 16];
    snprintf(from, sizeof from, "%s/runs/%s", out, dir);
    snprintf(parent, sizeof parent, "%s/superseded", out);
    if (access(from, F_OK) != 0)
        return 0;
    pid_t holder = tk_dir_lock_holder(from);
    if (holder != 0)
        return tk_diag_set(d, from, NULL, "is being written by teachkit process %ld; let it "
                           "end (or stop it) before rerunning the study", (long)holder);
    if (mkdirs(parent) != 0)
        return tk_diag_set(d, parent, NULL, "cannot create: %s", strerror(errno));
    snprintf(to, sizeof to, "%s/%s", parent, dir);
    for (int n = 1; access(to, F_OK) == 0; n++)
        snprintf(to, sizeof to, "%s/%s.%d", parent, dir, n);
    if (rename(from, to) != 0)
        return tk_diag_set(d, from, NULL, "cannot move to %s: %s", to, strerror(errno));
    return 0;
}

/* Checks an existing study.json against the study: refused if they
 * differ, unless `a->rerun_changed` (then the changed and removed runs move
 * to superseded/). */
static int reconcile(const study_args *a, const tk_study *st, const tk_study_check *check,
                     const char *out, tk_diag *d)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/study.json", out);
    json_t *previous = json_load_file(path, 0, NULL);
    if (!previous)
        return 0;
    json_t *prev_runs = json_object_get(previous, "runs");
    layout_diff diff = {0};
    compare_layout(st, check, prev_runs, out, &diff);
    int rc = 0;
    if (diff.changed + diff.added + diff.removed && !a->rerun_changed) {
        char example[256] = "";
        if (diff.example)
            snprintf(example, sizeof example, " (e.g. %s)", diff.example);
        rc = tk_diag_set(d, path, NULL,
                         "this directory holds another version of this study: %zu run%s changed, "
                         "%zu added, %zu removed%s, so its results are not this manifest's; use "
                         "another --out, or pass --rerun-changed to move the changed and "
                         "removed runs to %s/superseded/ and run the changed and added ones",
                         diff.changed, diff.changed == 1 ? "" : "s", diff.added, diff.removed,
                         example, out);
    } else if (diff.changed + diff.added + diff.removed) {
        if (a->only_index >= 0 || a->mpi)
            rc = tk_diag_set(d, path, NULL, "--rerun-changed rearranges the whole study: run it "
                                            "without --only-index or --mpi first");
        for (size_t k = 0; rc == 0 && k < json_array_size(prev_runs); k++)
            if (diff.moved[k])
                rc = supersede(out,
                               json_string_value(json_object_get(json_array_get(prev_runs, k),
                                                                 "dir")),
                               d);
        if (rc == 0 && !a->quiet)
            printf("study %s: %zu changed, %zu added, %zu removed run%s; the old ones moved to "
                   "%s/superseded/\n", st->name, diff.changed, diff.added, diff.removed,
                   diff.removed == 1 ? "" : "s", out);
    }
    free(diff.moved);
    json_decref(previous);
    return rc;
}

/* study.json (the runs of the study, each with the hash of its resolved
 * manifest) and each run's input.json. */
static int write_layout(const study_args *a, const tk_study *st, const tk_study_check *check,
                        json_t *source, const char *out, tk_diag *d)
{
    char runs_dir[PATH_MAX + 8];
    snprintf(runs_dir, sizeof runs_dir, "%s/runs", out);
    if (mkdirs(runs_dir) != 0)
        return tk_diag_set(d, runs_dir, NULL, "cannot create: %s", strerror(errno));
    if (reconcile(a, st, check, out, d))
        return -1;
    json_t *list = json_array();
    for (size_t i = 0; i < st->n_runs; i++) {
        const tk_study_run *r = &st->runs[i];
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I, s:O, s:s}", "dir", r->dir,
                                              "group", r->group, "teacher", r->teacher, "seed",
                                              (json_int_t)r->seed, "labels", r->labels,
                                              "manifest_hash", check->hashes[i]));
    }
    json_t *study = json_pack("{s:s, s:O, s:o}", "name", st->name, "manifest", source, "runs",
                              list);
    int rc = tk_write_json_atomic(out, "study.json", study, d);
    json_decref(study);
    for (size_t i = 0; rc == 0 && i < st->n_runs; i++) {
        char dir[2 * PATH_MAX];
        snprintf(dir, sizeof dir, "%s/%s", runs_dir, st->runs[i].dir);
        if (mkdirs(dir) != 0)
            return tk_diag_set(d, dir, NULL, "cannot create: %s", strerror(errno));
        rc = tk_write_json_atomic(dir, "input.json", st->runs[i].manifest, d);
    }
    return rc;
}

/* Locks the study directory: exclusively for a whole study (one writer),
 * shared for a job-array task (--only-index: tasks of one study run side by
 * side, each in its own run directory, whose lock it takes).  MPI ranks
 * other than 0 run under rank 0's lock. */
static int lock_study(const study_args *a, int rank, const char *out, int *fd, tk_diag *d)
{
    *fd = -1;
    if (rank != 0)
        return 0;
    if (mkdirs(out) != 0)
        return tk_diag_set(d, out, NULL, "cannot create: %s", strerror(errno));
    *fd = a->only_index >= 0 ? tk_dir_lock_shared(out, "study", d)
                             : tk_dir_lock(out, "study", d);
    return *fd < 0 ? -1 : 0;
}

static int emit_slurm(const study_args *a, const tk_study *st, const char *out, tk_diag *d)
{
    FILE *f = fopen(a->slurm, "w");
    if (!f)
        return tk_diag_set(d, a->slurm, NULL, "cannot write: %s", strerror(errno));
    char exe[PATH_MAX] = "teachkit", manifest[PATH_MAX], dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 8] = '\0';
    if (!realpath(a->file, manifest))
        snprintf(manifest, sizeof manifest, "%s", a->file);
    if (!realpath(out, dir))
        snprintf(dir, sizeof dir, "%s", out);
    fprintf(f,
            "#!/bin/bash\n"
            "# SLURM job array for the teachkit study \"%s\" (%zu runs).\n"
            "# Submit:  sbatch %s\n"
            "# Report:  %s report %s\n"
            "#SBATCH --job-name=%s\n"
            "#SBATCH --array=0-%zu\n"
            "#SBATCH --ntasks=1\n"
            "#SBATCH --cpus-per-task=1\n"
            "#SBATCH --output=%s/slurm-%%A_%%a.out\n"
            "set -euo pipefail\n"
            "export OPENBLAS_NUM_THREADS=1\n"
            "exec %s study %s --out %s --only-index \"$SLURM_ARRAY_TASK_ID\" --quiet\n",
            st->name, st->n_runs, a->slurm, exe, dir, st->name, st->n_runs - 1, dir, exe,
            manifest, dir);
    fclose(f);
    printf("wrote %s: %zu array tasks; submit with `sbatch %s`, then `teachkit report %s`\n",
           a->slurm, st->n_runs, a->slurm, dir);
    return 0;
}

/* The runs this process executes: all, one (--only-index), or its MPI share;
 * finished runs are skipped.  A run that another process is still writing (a
 * worker of an earlier study that outlived it, a `teachkit run` by hand)
 * refuses the study before anything starts. */
static int select_jobs(const study_args *a, const tk_study *st, const char *out, int rank,
                       int ranks, tk_pool_job *jobs, char (*dirs)[2 * PATH_MAX], size_t *n,
                       size_t *skipped, tk_diag *d)
{
    *n = *skipped = 0;
    for (size_t i = 0; i < st->n_runs; i++) {
        if (a->only_index >= 0 && (size_t)a->only_index != i)
            continue;
        if (i % (size_t)ranks != (size_t)rank)
            continue;
        snprintf(dirs[*n], 2 * PATH_MAX, "%s/runs/%s", out, st->runs[i].dir);
        pid_t holder = tk_dir_lock_holder(dirs[*n]);
        if (holder != 0) {
            char who[48] = "another teachkit process";
            if (holder > 0)
                snprintf(who, sizeof who, "teachkit process %ld", (long)holder);
            return tk_diag_set(d, dirs[*n], NULL,
                               "%s is still writing this run (a worker of an earlier study "
                               "that outlived it?); stop it%s or let it end, then rerun the "
                               "study", who, holder > 0 ? " (kill it)" : "");
        }
        if (tk_run_dir_finished(dirs[*n])) {
            (*skipped)++;
            continue;
        }
        jobs[*n].run_dir = dirs[*n];
        jobs[*n].label = st->runs[i].dir;
        (*n)++;
    }
    return 0;
}

static int finish_study(const study_args *a, const char *out, size_t failed, tk_diag *d)
{
    int rc = failed ? 1 : 0;
    if (tk_report_study(out, a->baseline, a->quiet ? stderr : stdout, d))
        return 1;
    if (!a->quiet)
        printf("\nreport: %s/report.md, %s/report.csv, %s/curves.csv\n", out, out, out);
    if (a->plots) {
        if (tk_plot_study(out, d))
            return 1;
        if (!a->quiet)
            printf("plots:  %s/plots/ (curves, final, and each group's curriculum)\n", out);
    }
    return rc;
}

/* Runs the selected runs; the exit status. */
static int run_study(const study_args *a, const tk_study *st, const char *out, int rank,
                     int ranks, tk_diag *d)
{
    tk_pool_job *jobs = calloc(st->n_runs, sizeof *jobs);
    char (*dirs)[2 * PATH_MAX] = calloc(st->n_runs, 2 * PATH_MAX);
    size_t n, skipped;
    if (!jobs || !dirs) {
        free(jobs);
        free(dirs);
        return tk_diag_set(d, out, NULL, "out of memory"), 1;
    }
    if (select_jobs(a, st, out, rank, ranks, jobs, dirs, &n, &skipped, d)) {
        free(jobs);
        free(dirs);
        return 1;
    }
    if (!a->quiet)
        printf("study %s: %zu runs (%zu already finished), %d worker%s%s -> %s\n", st->name,
               st->n_runs, skipped, a->jobs, a->jobs > 1 ? "s" : "",
               a->mpi ? " per MPI rank" : "", out);
    tk_pool_options opt = {a->jobs, a->timeout, a->quiet && !a->mpi};
    tk_pool_result res;
    tk_pool_run(jobs, n, &opt, &res);
    free(jobs);
    free(dirs);
    size_t failed = res.failed + res.busy;
    if (a->mpi)
        failed = (size_t)tk_mpi_max((long)failed); /* waits for every rank */
    if (res.signal) {
        fprintf(stderr, "teachkit: study interrupted (%s): %zu run%s stopped with a checkpoint; "
                        "run the same command again to resume\n",
                strsignal(res.signal), res.stopped, res.stopped == 1 ? "" : "s");
        return 130;
    }
    int rc = failed ? 1 : 0;
    if (a->only_index < 0 && rank == 0)
        rc = finish_study(a, out, failed, d);
    if (res.failed && rank == 0)
        fprintf(stderr, "teachkit: run%s failed; their failure.json and log.txt say why\n",
                res.failed > 1 ? "s" : "");
    if (res.busy)
        fprintf(stderr, "teachkit: %zu run%s left alone: another process writes %s\n", res.busy,
                res.busy > 1 ? "s were" : " was", res.busy > 1 ? "them" : "it");
    return rc;
}

int tk_cmd_study(int argc, char **argv)
{
    study_args a;
    if (tk_wants_help(argc, argv)) {
        study_usage(stdout);
        return 0;
    }
    if (parse_args(argc, argv, &a)) {
        study_usage(stderr);
        return 2;
    }
    int rank = 0, ranks = 1;
    if (a.mpi) {
        if (!tk_mpi_available()) {
            fprintf(stderr, "teachkit: --mpi: this teachkit was built without MPI; install "
                            "libopenmpi-dev and reconfigure with -Dmpi=enabled\n");
            return 2;
        }
        if (tk_mpi_start(&argc, &argv, &rank, &ranks)) {
            fprintf(stderr, "teachkit: --mpi: MPI_Init failed\n");
            return 1;
        }
        if (!a.jobs_given)
            a.jobs = 1;
        a.quiet |= rank != 0;
    }
    tk_diag d;
    tk_diag_clear(&d);
    tk_study st = {0};
    tk_study_check check = {0};
    int rc = 1, lock = -1;
    char out[PATH_MAX];
    json_t *root = tk_json_read_file(a.file, "the manifest", TK_MAX_MANIFEST_BYTES,
                                     JSON_REJECT_DUPLICATES, &d);
    if (!root || tk_study_expand(root, a.file, &st, &d) ||
        tk_study_check_runs(&st, a.file, &check, &d))
        goto done;
    if (a.only_index >= 0 && (size_t)a.only_index >= st.n_runs) {
        tk_diag_set(&d, a.file, NULL, "--only-index %ld is past the last run (%zu runs: 0 to "
                                      "%zu)", a.only_index, st.n_runs, st.n_runs - 1);
        goto done;
    }
    snprintf(out, sizeof out, "%s", a.out ? a.out : "");
    if (!a.out)
        snprintf(out, sizeof out, "studies/%s", st.name);
    /* One writer for the layout; the other ranks wait for it. */
    int layout_failed = rank == 0 ? lock_study(&a, rank, out, &lock, &d) ||
                                        write_layout(&a, &st, &check, root, out, &d)
                                  : 0;
    if (a.mpi && tk_mpi_broadcast_flag(layout_failed))
        goto done;
    if (layout_failed)
        goto done;
    if (a.slurm) {
        rc = rank == 0 && emit_slurm(&a, &st, out, &d) ? 1 : 0;
        goto done;
    }
    rc = run_study(&a, &st, out, rank, ranks, &d);
done:
    if (rc == 1 && d.message[0])
        tk_diag_print(&d, stderr);
    tk_dir_unlock(lock);
    tk_study_check_free(&check);
    tk_study_free(&st);
    json_decref(root);
    if (a.mpi)
        tk_mpi_stop();
    return rc;
}

int tk_cmd_report(int argc, char **argv)
{
    const char *dir = NULL, *baseline = "random", *against = NULL, *export_to = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--baseline") == 0 && i + 1 < argc)
            baseline = argv[++i];
        else if (strcmp(argv[i], "--against") == 0 && i + 1 < argc)
            against = argv[++i];
        else if (strcmp(argv[i], "--export-baseline") == 0 && i + 1 < argc)
            export_to = argv[++i];
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else {
            dir = NULL;
            break;
        }
    }
    if (!dir || tk_wants_help(argc, argv)) {
        fprintf(dir ? stdout : stderr,
                "usage: teachkit report STUDY_DIR [--baseline TEACHER | --baseline LABEL=VALUE]\n"
                "                       [--against BASELINE_FILE] [--export-baseline FILE]\n"
                "\n"
                "Per group of runs (same swept values but the seed): mean, std, standard\n"
                "error and 95%% CI of the final mastered_pct and of its area under the curve,\n"
                "Welch's t-test p-values against the baseline group (the same swept values\n"
                "but the baseline teacher, default random, or LABEL=VALUE), and\n"
                "finished/failed counts.  Prints Markdown; writes report.md, report.csv and\n"
                "curves.csv into STUDY_DIR.  --export-baseline writes the study's per-group\n"
                "results (finals per seed, curves) into FILE; --against compares the study\n"
                "with such a file, group by group (against.md, against.csv).\n");
        return dir ? 0 : 2;
    }
    tk_diag d;
    if (tk_report_study(dir, baseline, stdout, &d) ||
        (export_to && tk_baseline_export(dir, export_to, &d)) ||
        (against && (printf("\n"), tk_baseline_compare(dir, against, stdout, &d)))) {
        tk_diag_print(&d, stderr);
        return 1;
    }
    if (export_to)
        printf("baseline written to %s\n", export_to);
    return 0;
}

int tk_cmd_plot(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--radar") == 0) {
        if (argc < 3 || tk_wants_help(argc, argv)) {
            fprintf(stderr, "usage: teachkit plot --radar OUT.png STUDY_DIR STUDY_DIR STUDY_DIR...\n");
            return 2;
        }
        tk_diag d;
        tk_diag_clear(&d);
        if (tk_plot_radar(argv[2], argv + 3, (size_t)(argc - 3), &d)) {
            tk_diag_print(&d, stderr);
            return 1;
        }
        printf("radar written to %s (its table next to it, as .csv)\n", argv[2]);
        return 0;
    }
    if (argc != 2 || tk_wants_help(argc, argv)) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: teachkit plot RUN_OR_STUDY_DIR\n"
                "       teachkit plot --radar OUT.png STUDY_DIR STUDY_DIR STUDY_DIR...\n"
                "\n"
                "Draws PNG and SVG figures into DIR/plots with gnuplot.  A run: its\n"
                "mastered_pct curve and, for task spaces of 2+ dimensions, the curriculum\n"
                "(sampled tasks, GMM ellipses or RIAC regions coloured by ALP, Oracle window)\n"
                "with an animated curriculum.gif over the teacher snapshots.  A study: learning\n"
                "curves (mean +- standard error), final-performance bars with significance\n"
                "marks, and the figures of the first run of each group.  --radar: one axis\n"
                "per study (a challenge profile), one polygon per teacher, its mean final\n"
                "mastered_pct (table in OUT.csv).\n");
        return argc == 2 ? 0 : 2;
    }
    char study_json[PATH_MAX + 16];
    snprintf(study_json, sizeof study_json, "%s/study.json", argv[1]);
    tk_diag d;
    tk_diag_clear(&d);
    int rc = access(study_json, F_OK) == 0 ? tk_plot_study(argv[1], &d) : tk_plot_run(argv[1], &d);
    if (rc) {
        tk_diag_print(&d, stderr);
        return 1;
    }
    printf("figures written to %s/plots\n", argv[1]);
    return 0;
}
