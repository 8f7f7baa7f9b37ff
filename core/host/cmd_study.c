/* `teachkit study` and `teachkit report`. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "manifest.h"
#include "plot.h"
#include "report.h"
#include "run_files.h"
#include "study.h"
#include "study_mpi.h"
#include "study_pool.h"

typedef struct study_args {
    const char *file, *out, *baseline, *slurm;
    int jobs, quiet, only_index, plots, mpi, jobs_given;
    double timeout;
} study_args;

static void study_usage(FILE *out)
{
    fprintf(out,
            "usage: teachkit study MANIFEST [--jobs N] [--out DIR] [--baseline B]\n"
            "                      [--timeout SECONDS] [--only-index K] [--emit-slurm FILE]\n"
            "                      [--plots] [--mpi]\n"
            "\n"
            "Expands a study manifest (lists of teachers, seeds, configs; see\n"
            "docs/studies.md) into runs, runs each in its own process, then prints and\n"
            "writes the report.  Running it again on the same DIR skips finished runs and\n"
            "resumes interrupted ones from their last checkpoint.\n"
            "\n"
            "  --jobs N           worker processes (default: all cores)\n"
            "  --out DIR          study directory (default: studies/NAME)\n"
            "  --baseline B       the group the others are tested against: a teacher label\n"
            "                     (default random) or LABEL=VALUE of a swept value, e.g.\n"
            "                     precision=fp32\n"
            "  --timeout S        wall-clock limit per run; an overdue run is killed and failed\n"
            "  --only-index K     run only the K-th run (0-based), for job arrays; no report\n"
            "  --emit-slurm FILE  write a SLURM job-array script running this study, then exit\n"
            "  --plots            also draw the figures (as `teachkit plot DIR`; needs gnuplot)\n"
            "  --mpi              under `mpirun -n K`: rank r runs the runs with index = r mod K\n"
            "                     (--jobs workers each, default 1), rank 0 reports\n");
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
        char *end = NULL;
        if (strcmp(arg, "--jobs") == 0 && val) {
            a->jobs = (int)strtol(val, &end, 10);
            if (*end || a->jobs < 1 || a->jobs > 4096)
                return fprintf(stderr, "teachkit study: --jobs needs an integer >= 1\n"), -1;
            a->jobs_given = 1;
            i++;
        } else if (strcmp(arg, "--out") == 0 && val) {
            a->out = argv[++i];
        } else if (strcmp(arg, "--baseline") == 0 && val) {
            a->baseline = argv[++i];
        } else if (strcmp(arg, "--emit-slurm") == 0 && val) {
            a->slurm = argv[++i];
        } else if (strcmp(arg, "--timeout") == 0 && val) {
            a->timeout = strtod(val, &end);
            if (*end || !(a->timeout > 0))
                return fprintf(stderr, "teachkit study: --timeout needs seconds > 0\n"), -1;
            i++;
        } else if (strcmp(arg, "--only-index") == 0 && val) {
            a->only_index = (int)strtol(val, &end, 10);
            if (*end || a->only_index < 0)
                return fprintf(stderr, "teachkit study: --only-index needs an integer >= 0\n"), -1;
            i++;
        } else if (strcmp(arg, "--quiet") == 0) {
            a->quiet = 1;
        } else if (strcmp(arg, "--plots") == 0) {
            a->plots = 1;
        } else if (strcmp(arg, "--mpi") == 0) {
            a->mpi = 1;
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

/* Check every run manifest before starting any, so a typo in one config
 * does not surface hours into the study. */
static int validate_runs(const tk_study *st, const char *file, tk_diag *d)
{
    for (size_t i = 0; i < st->n_runs; i++) {
        tk_manifest m;
        int rc = tk_manifest_parse(st->runs[i].manifest, file, &m, d);
        tk_manifest_free(&m);
        if (rc) {
            size_t len = strlen(d->message);
            snprintf(d->message + len, sizeof d->message - len, " (in run %s)", st->runs[i].dir);
            return -1;
        }
    }
    return 0;
}

/* study.json (what runs the study has) and each run's input.json. */
static int write_layout(const tk_study *st, json_t *source, const char *out, tk_diag *d)
{
    char runs_dir[PATH_MAX + 8];
    snprintf(runs_dir, sizeof runs_dir, "%s/runs", out);
    if (mkdirs(runs_dir) != 0)
        return tk_diag_set(d, runs_dir, NULL, "cannot create: %s", strerror(errno));
    json_t *list = json_array();
    for (size_t i = 0; i < st->n_runs; i++) {
        const tk_study_run *r = &st->runs[i];
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I, s:O}", "dir", r->dir,
                                              "group", r->group, "teacher", r->teacher, "seed",
                                              (json_int_t)r->seed, "labels", r->labels));
    }
    json_t *study = json_pack("{s:s, s:O, s:o}", "name", st->name, "manifest", source, "runs",
                              list);
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/study.json", out);
    json_t *previous = json_load_file(path, 0, NULL);
    int rc = 0;
    if (previous && !json_equal(json_object_get(previous, "runs"), list))
        rc = tk_diag_set(d, path, NULL, "this directory holds a study with other runs; use "
                                        "another --out or the manifest it was started with");
    json_decref(previous);
    if (rc == 0)
        rc = tk_write_json_atomic(out, "study.json", study, d);
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

/* The runs this process executes: all, one (--only-index), or its MPI share. */
static size_t select_jobs(const study_args *a, const tk_study *st, const char *out, int rank,
                          int ranks, tk_pool_job *jobs, char (*dirs)[2 * PATH_MAX],
                          size_t *skipped)
{
    size_t n = 0;
    *skipped = 0;
    for (size_t i = 0; i < st->n_runs; i++) {
        if (a->only_index >= 0 && (size_t)a->only_index != i)
            continue;
        if (i % (size_t)ranks != (size_t)rank)
            continue;
        snprintf(dirs[n], 2 * PATH_MAX, "%s/runs/%s", out, st->runs[i].dir);
        if (tk_run_dir_finished(dirs[n])) {
            (*skipped)++;
            continue;
        }
        jobs[n].run_dir = dirs[n];
        jobs[n].label = st->runs[i].dir;
        n++;
    }
    return n;
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
    json_error_t jerr;
    json_t *root = json_load_file(a.file, JSON_REJECT_DUPLICATES, &jerr);
    tk_study st = {0};
    int rc = 1;
    char out[PATH_MAX];
    if (!root) {
        tk_diag_set(&d, a.file, NULL, "invalid JSON at line %d, column %d: %s", jerr.line,
                    jerr.column, jerr.text);
        goto done;
    }
    if (tk_study_expand(root, a.file, &st, &d) || validate_runs(&st, a.file, &d))
        goto done;
    if (a.only_index >= 0 && (size_t)a.only_index >= st.n_runs) {
        tk_diag_set(&d, a.file, NULL, "--only-index %d is past the last run (%zu runs)",
                    a.only_index, st.n_runs);
        goto done;
    }
    snprintf(out, sizeof out, "%s", a.out ? a.out : "");
    if (!a.out)
        snprintf(out, sizeof out, "studies/%s", st.name);
    /* One writer for the layout; the other ranks wait for it. */
    int layout_failed = rank == 0 ? write_layout(&st, root, out, &d) != 0 : 0;
    if (a.mpi && tk_mpi_broadcast_flag(layout_failed))
        goto done;
    if (layout_failed)
        goto done;
    if (a.slurm) {
        rc = rank == 0 && emit_slurm(&a, &st, out, &d) ? 1 : 0;
        goto done;
    }
    tk_pool_job *jobs = calloc(st.n_runs, sizeof *jobs);
    char (*dirs)[2 * PATH_MAX] = calloc(st.n_runs, 2 * PATH_MAX);
    size_t skipped;
    size_t n = select_jobs(&a, &st, out, rank, ranks, jobs, dirs, &skipped);
    if (!a.quiet)
        printf("study %s: %zu runs (%zu already finished), %d worker%s%s -> %s\n", st.name,
               st.n_runs, skipped, a.jobs, a.jobs > 1 ? "s" : "",
               a.mpi ? " per MPI rank" : "", out);
    tk_pool_options opt = {a.jobs, a.timeout, a.quiet && !a.mpi};
    size_t failed = tk_pool_run(jobs, n, &opt);
    free(jobs);
    free(dirs);
    if (a.mpi)
        failed = (size_t)tk_mpi_max((long)failed); /* waits for every rank */
    rc = failed ? 1 : 0;
    if (a.only_index < 0 && rank == 0)
        rc = finish_study(&a, out, failed, &d);
    if (failed && rank == 0)
        fprintf(stderr, "teachkit: run%s failed; their failure.json and log.txt say why\n",
                failed > 1 ? "s" : "");
done:
    if (rc == 1 && d.message[0])
        tk_diag_print(&d, stderr);
    tk_study_free(&st);
    json_decref(root);
    if (a.mpi)
        tk_mpi_stop();
    return rc;
}

int tk_cmd_report(int argc, char **argv)
{
    const char *dir = NULL, *baseline = "random";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--baseline") == 0 && i + 1 < argc)
            baseline = argv[++i];
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
                "\n"
                "Per group of runs (same swept values but the seed): mean, std, standard\n"
                "error and 95%% CI of the final mastered_pct and of its area under the curve,\n"
                "Welch's t-test p-values against the baseline group (the same swept values\n"
                "but the baseline teacher, default random, or LABEL=VALUE), and\n"
                "finished/failed counts.  Prints Markdown; writes report.md, report.csv and\n"
                "curves.csv into STUDY_DIR.\n");
        return dir ? 0 : 2;
    }
    tk_diag d;
    if (tk_report_study(dir, baseline, stdout, &d)) {
        tk_diag_print(&d, stderr);
        return 1;
    }
    return 0;
}

int tk_cmd_plot(int argc, char **argv)
{
    if (argc != 2 || tk_wants_help(argc, argv)) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: teachkit plot RUN_OR_STUDY_DIR\n"
                "\n"
                "Draws PNG and SVG figures into DIR/plots with gnuplot.  A run: its\n"
                "mastered_pct curve and, for task spaces of 2+ dimensions, the curriculum\n"
                "(sampled tasks, GMM ellipses or RIAC regions coloured by ALP, Oracle window)\n"
                "with an animated curriculum.gif over the teacher snapshots.  A study: learning\n"
                "curves (mean +- standard error), final-performance bars with significance\n"
                "marks, and the figures of the first run of each group.\n");
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
