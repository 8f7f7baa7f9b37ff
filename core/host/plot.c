#include "plot.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_reader.h"
#include "teachkit/snapshot.h"

extern char **environ;

#define FIG_SIZE "800,600"

static int run_gnuplot(const char *dir, const char *script, tk_diag *d);

static FILE *open_file(const char *dir, const char *name, tk_diag *d)
{
    char path[PATH_MAX + 64];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        tk_diag_set(d, dir, NULL, "path too long for %s", name);
        return NULL;
    }
    FILE *f = fopen(path, "w");
    if (!f)
        tk_diag_set(d, path, NULL, "cannot write: %s", strerror(errno));
    return f;
}

int tk_plot_gnuplot(const char *dir, const char *script, tk_diag *d)
{
    return run_gnuplot(dir, script, d);
}

/* Runs `gnuplot script` inside `dir`. */
static int run_gnuplot(const char *dir, const char *script, tk_diag *d)
{
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "%s", script);
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    char *argv[] = {"gnuplot", cmd, NULL};
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd) || chdir(dir) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return tk_diag_set(d, dir, NULL, "cannot enter: %s", strerror(errno));
    }
    int rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (chdir(cwd) != 0)
        return tk_diag_set(d, cwd, NULL, "cannot return to the working directory");
    if (rc != 0)
        return tk_diag_set(d, NULL, NULL, "cannot run gnuplot (%s); install it with "
                                          "`apt-get install gnuplot-nox` (tools/setup.sh does)",
                           strerror(rc));
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return tk_diag_set(d, dir, NULL, "gnuplot failed on %s", script);
    return 0;
}

/* A script drawing `body` once as PNG and once as SVG. */
static int render(const char *dir, const char *stem, tk_diag *d)
{
    char name[128];
    snprintf(name, sizeof name, "%s.gp", stem);
    FILE *f = open_file(dir, name, d);
    if (!f)
        return -1;
    fprintf(f,
            "set terminal pngcairo size " FIG_SIZE " font 'sans,10' noenhanced\n"
            "set output '%s.png'\nload '%s.body.gp'\n"
            "set terminal svg size " FIG_SIZE " font 'sans,10' dynamic noenhanced\n"
            "set output '%s.svg'\nload '%s.body.gp'\n",
            stem, stem, stem, stem);
    fclose(f);
    return run_gnuplot(dir, name, d);
}

/* ------------------------------------------------------------------ runs */

typedef struct space2 {
    double lo[2], hi[2];
    char name[2][64];
} space2;

/* The first two dimensions of the run's task space; -1 for a 1-D space. */
static int read_space(const char *run_dir, space2 *s)
{
    tk_run_dim dims[2];
    if (tk_run_read_task_space(run_dir, dims, 2) < 2)
        return -1;
    for (size_t i = 0; i < 2; i++) {
        s->lo[i] = dims[i].low;
        s->hi[i] = dims[i].high;
        snprintf(s->name[i], sizeof s->name[i], "%s", dims[i].name);
    }
    return 0;
}

static int plot_run_curve(const char *run_dir, const char *plots, tk_diag *d)
{
    tk_run_curve curve;
    if (tk_run_read_curve(run_dir, &curve)) {
        tk_run_curve_free(&curve);
        return tk_diag_set(d, run_dir, NULL, "cannot read evals.jsonl: %s", strerror(errno));
    }
    FILE *dat = open_file(plots, "curve.dat", d);
    if (!dat) {
        tk_run_curve_free(&curve);
        return -1;
    }
    for (size_t i = 0; i < curve.n; i++)
        fprintf(dat, "%lld %g\n", (long long)curve.episodes[i], curve.mastered_pct[i]);
    fclose(dat);
    tk_run_curve_free(&curve);
    FILE *f = open_file(plots, "curve.body.gp", d);
    if (!f)
        return -1;
    fprintf(f, "set title 'mastered_pct during training'\nset xlabel 'training episodes'\n"
               "set ylabel 'mastered (%%)'\nset yrange [0:100]\nset grid\nset key off\n"
               "plot 'curve.dat' using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4'\n");
    fclose(f);
    return render(plots, "curve", d);
}

/* The 2-D overlay of one snapshot (<teachkit/snapshot.h>) as gnuplot `set
 * object` lines; types without a drawing ("samples", unknown ones) give none. */
static void snapshot_objects(FILE *f, json_t *snap)
{
    const char *type = json_string_value(json_object_get(snap, TK_SNAPSHOT_KEY_TYPE));
    int obj = 1;
    fprintf(f, "unset object\n");
    if (type && strcmp(type, TK_SNAPSHOT_GMM) == 0) {
        json_t *comps = json_object_get(snap, TK_SNAPSHOT_KEY_COMPONENTS);
        for (size_t i = 0; i < json_array_size(comps); i++) {
            json_t *c = json_array_get(comps, i);
            json_t *m = json_object_get(c, TK_SNAPSHOT_KEY_MEAN), *cov = json_object_get(c, TK_SNAPSHOT_KEY_COV);
            double a = json_number_value(json_array_get(json_array_get(cov, 0), 0));
            double b = json_number_value(json_array_get(json_array_get(cov, 0), 1));
            double e = json_number_value(json_array_get(json_array_get(cov, 1), 1));
            /* Eigen-decomposition of [[a b][b e]]: the 2-sigma ellipse. */
            double tr = 0.5 * (a + e), det = sqrt(0.25 * (a - e) * (a - e) + b * b);
            double l1 = tr + det, l2 = fmax(tr - det, 0.0);
            double angle = 0.5 * atan2(2.0 * b, a - e) * 180.0 / M_PI;
            fprintf(f,
                    "set object %d ellipse center %g,%g size %g,%g angle %g back "
                    "fs transparent solid 0.45 noborder fc palette cb %g\n",
                    obj++, json_number_value(json_array_get(m, 0)),
                    json_number_value(json_array_get(m, 1)), 4.0 * sqrt(l1), 4.0 * sqrt(l2),
                    angle, json_number_value(json_object_get(c, TK_SNAPSHOT_KEY_ALP)));
        }
    } else if (type && strcmp(type, TK_SNAPSHOT_GAUSSIAN) == 0) {
        /* SPDL's context distribution: its 2-sigma ellipse, outlined. */
        json_t *m = json_object_get(snap, TK_SNAPSHOT_KEY_MEAN),
               *cov = json_object_get(snap, TK_SNAPSHOT_KEY_COV);
        double a = json_number_value(json_array_get(json_array_get(cov, 0), 0));
        double b = json_number_value(json_array_get(json_array_get(cov, 0), 1));
        double e = json_number_value(json_array_get(json_array_get(cov, 1), 1));
        double tr = 0.5 * (a + e), det = sqrt(0.25 * (a - e) * (a - e) + b * b);
        fprintf(f,
                "set object 1 ellipse center %g,%g size %g,%g angle %g front fs empty "
                "border lc rgb '#d62728' lw 3 fc rgb '#d62728'\n",
                json_number_value(json_array_get(m, 0)), json_number_value(json_array_get(m, 1)),
                4.0 * sqrt(tr + det), 4.0 * sqrt(fmax(tr - det, 0.0)),
                0.5 * atan2(2.0 * b, a - e) * 180.0 / M_PI);
    } else if (type && strcmp(type, TK_SNAPSHOT_REGIONS) == 0) {
        json_t *regions = json_object_get(snap, TK_SNAPSHOT_KEY_REGIONS);
        for (size_t i = 0; i < json_array_size(regions); i++) {
            json_t *r = json_array_get(regions, i);
            if (!json_is_true(json_object_get(r, TK_SNAPSHOT_KEY_LEAF)))
                continue;
            json_t *lo = json_object_get(r, TK_SNAPSHOT_KEY_LOW),
                   *hi = json_object_get(r, TK_SNAPSHOT_KEY_HIGH);
            fprintf(f, "set object %d rect from %g,%g to %g,%g back fs transparent solid 0.35 "
                       "border lc rgb '#555555' fc palette cb %g\n",
                    obj++, json_number_value(json_array_get(lo, 0)),
                    json_number_value(json_array_get(lo, 1)),
                    json_number_value(json_array_get(hi, 0)),
                    json_number_value(json_array_get(hi, 1)),
                    json_number_value(json_object_get(r, TK_SNAPSHOT_KEY_ALP)));
        }
    } else if (type && (strcmp(type, TK_SNAPSHOT_WINDOW) == 0 || strcmp(type, TK_SNAPSHOT_BOUNDS) == 0)) {
        json_t *lo = json_object_get(snap, TK_SNAPSHOT_KEY_LOW),
               *hi = json_object_get(snap, TK_SNAPSHOT_KEY_HIGH);
        fprintf(f, "set object 1 rect from %g,%g to %g,%g front fs empty border lc rgb '#d62728' lw 3 "
                   "fc rgb '#d62728'\n",
                json_number_value(json_array_get(lo, 0)), json_number_value(json_array_get(lo, 1)),
                json_number_value(json_array_get(hi, 0)), json_number_value(json_array_get(hi, 1)));
    }
}

/* Appends each sampled task to tasks_K.dat, K its snapshot block. */
typedef struct task_blocks {
    const char *plots;
    json_t *episodes_at;   /* borrowed: the episode of each snapshot */
    size_t n_blocks, block;
    size_t *counts;
    FILE *out;             /* tasks_<block>.dat, open for appending */
    tk_diag *d;
} task_blocks;

static int add_task(void *user, long ep, const double *task, size_t n)
{
    task_blocks *b = user;
    if (n < 2)
        return 0;
    size_t want = b->block;
    while (want + 1 < b->n_blocks &&
           ep >= json_integer_value(json_array_get(b->episodes_at, want)))
        want++;
    if (!b->out || want != b->block) {
        if (b->out)
            fclose(b->out);
        b->block = want;
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/tasks_%zu.dat", b->plots, b->block);
        b->out = fopen(path, "a");
        if (!b->out) {
            tk_diag_set(b->d, path, NULL, "cannot write: %s", strerror(errno));
            return -2; /* not -1, which tk_run_each_task returns for an unreadable log */
        }
    }
    fprintf(b->out, "%g %g\n", task[0], task[1]);
    b->counts[b->block]++;
    return 0;
}

/* Writes tasks_K.dat: the tasks sampled in [snapshot K-1, snapshot K). */
/* Also counts the tasks of each block into counts[block] (zeroed here). */
static int write_task_blocks(const char *run_dir, const char *plots, json_t *episodes_at,
                             size_t *counts, tk_diag *d)
{
    task_blocks b = {plots, episodes_at, json_array_size(episodes_at), 0, counts, NULL, d};
    for (size_t block = 0; block < b.n_blocks; block++) {
        /* Every block gets a file, empty or not, so frames can name it. */
        counts[block] = 0;
        char name[64];
        snprintf(name, sizeof name, "tasks_%zu.dat", block);
        FILE *f = open_file(plots, name, d);
        if (!f)
            return -1;
        fprintf(f, "# x y\n");
        fclose(f);
    }
    int rc = tk_run_each_task(run_dir, 2, add_task, &b);
    if (b.out)
        fclose(b.out);
    if (rc == -1)
        return tk_diag_set(d, run_dir, NULL, "cannot read episodes.jsonl: %s", strerror(errno));
    return rc ? -1 : 0;
}

static double max_score(json_t *snaps)
{
    double m = 0.0;
    for (size_t k = 0; k < json_array_size(snaps); k++) {
        json_t *s = json_array_get(snaps, k);
        json_t *list = json_object_get(s, TK_SNAPSHOT_KEY_COMPONENTS);
        if (!list)
            list = json_object_get(s, TK_SNAPSHOT_KEY_REGIONS);
        for (size_t i = 0; i < json_array_size(list); i++)
            m = fmax(m, json_number_value(json_object_get(json_array_get(list, i), TK_SNAPSHOT_KEY_ALP)));
    }
    return m > 0.0 ? m : 1.0;
}

static void curriculum_frame(FILE *f, json_t *snap, long episode, size_t block, size_t n_tasks,
                             const space2 *s)
{
    snapshot_objects(f, snap);
    fprintf(f, "set title 'curriculum at episode %ld (tasks sampled since the previous "
               "snapshot)'\n", episode);
    fprintf(f, "plot [%g:%g][%g:%g] ", s->lo[0], s->hi[0], s->lo[1], s->hi[1]);
    /* An empty block (the snapshot at episode 0) is left out: gnuplot warns
     * about a data file without points. */
    if (n_tasks)
        fprintf(f, "'tasks_%zu.dat' using 1:2 with points pt 7 ps 0.35 lc rgb '#202020' "
                   "notitle, ", block);
    /* The NaN plot only makes gnuplot draw the colour box of the objects. */
    fprintf(f, "'+' using (NaN):(NaN):(0) with points palette notitle\n");
}

static int plot_curriculum(const char *run_dir, const char *plots, tk_diag *d)
{
    space2 s;
    if (read_space(run_dir, &s))
        return 0; /* 1-D spaces have no curriculum map */
    json_t *snaps, *eps;
    if (tk_run_read_snapshots(run_dir, &snaps, &eps))
        return 0; /* no teacher log, nothing to draw */
    size_t n = json_array_size(snaps), *counts = NULL;
    int rc = 0;
    if (n == 0)
        goto done;
    /* Block k holds the tasks of episodes [snapshot k-1, snapshot k). */
    counts = calloc(n, sizeof *counts);
    if (!counts) {
        rc = tk_diag_set(d, plots, NULL, "out of memory");
        goto done;
    }
    if ((rc = write_task_blocks(run_dir, plots, eps, counts, d)))
        goto done;
    FILE *f = open_file(plots, "curriculum.body.gp", d);
    if (!f) {
        rc = -1;
        goto done;
    }
    const char *style = "set size square\nset xlabel '%s'\nset ylabel '%s'\n"
                        "set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')\n"
                        "set cblabel 'ALP'\nset cbrange [0:%g]\nset grid\n";
    double cbmax = max_score(snaps);
    fprintf(f, style, s.name[0], s.name[1], cbmax);
    curriculum_frame(f, json_array_get(snaps, n - 1),
                     (long)json_integer_value(json_array_get(eps, n - 1)), n - 1, counts[n - 1],
                     &s);
    fclose(f);
    if ((rc = render(plots, "curriculum", d)))
        goto done;
    FILE *g = open_file(plots, "curriculum_gif.gp", d);
    if (!g) {
        rc = -1;
        goto done;
    }
    fprintf(g, "set terminal gif animate delay 40 size 640,640 noenhanced\n"
               "set output 'curriculum.gif'\n");
    fprintf(g, style, s.name[0], s.name[1], cbmax);
    for (size_t k = 0; k < n; k++)
        curriculum_frame(g, json_array_get(snaps, k),
                         (long)json_integer_value(json_array_get(eps, k)), k, counts[k], &s);
    fclose(g);
    rc = run_gnuplot(plots, "curriculum_gif.gp", d);
done:
    free(counts);
    json_decref(snaps);
    json_decref(eps);
    return rc;
}

static int make_plots_dir(const char *dir, char *plots, size_t size, tk_diag *d)
{
    snprintf(plots, size, "%s/plots", dir);
    if (mkdir(plots, 0755) != 0 && errno != EEXIST)
        return tk_diag_set(d, plots, NULL, "cannot create: %s", strerror(errno));
    return 0;
}

int tk_plot_run(const char *run_dir, tk_diag *d)
{
    char plots[PATH_MAX + 16], abs_run[PATH_MAX];
    if (!realpath(run_dir, abs_run))
        return tk_diag_set(d, run_dir, NULL, "no such run directory");
    if (make_plots_dir(abs_run, plots, sizeof plots, d))
        return -1;
    return plot_run_curve(abs_run, plots, d) || plot_curriculum(abs_run, plots, d) ? -1 : 0;
}

/* --------------------------------------------------------------- studies */

static const char *sig_mark(double p)
{
    return !(p == p) ? "" : p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : "";
}

static int plot_study_curves(const char *plots, json_t *groups, tk_diag *d)
{
    FILE *f = open_file(plots, "curves.body.gp", d);
    if (!f)
        return -1;
    fprintf(f, "set title 'mastered_pct (mean ± standard error over seeds)'\n"
               "set xlabel 'training episodes'\nset ylabel 'mastered (%%)'\nset grid\n"
               "set key left top\nset datafile separator ','\nset style fill transparent "
               "solid 0.2 noborder\nplot ");
    for (size_t i = 0; i < json_array_size(groups); i++) {
        const char *g = json_string_value(json_array_get(groups, i));
        fprintf(f, "%s'< grep \"^%s,\" ../curves.csv' using 3:($4-$5):($4+$5) with filledcurves "
                   "lc %zu notitle, '' using 3:4 with lines lw 2 lc %zu title '%s'",
                i ? ", \\\n     " : "", g, i + 1, i + 1, g);
    }
    fprintf(f, "\n");
    fclose(f);
    return render(plots, "curves", d);
}

static int plot_study_bars(const char *study_dir, const char *plots, tk_diag *d)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/report.csv", study_dir);
    FILE *in = fopen(path, "r");
    if (!in)
        return tk_diag_set(d, path, NULL, "missing: run `teachkit report` first");
    FILE *dat = open_file(plots, "final.dat", d);
    if (!dat) {
        fclose(in);
        return -1;
    }
    char line[4096];
    int row = 0;
    (void)!fgets(line, sizeof line, in); /* header */
    while (fgets(line, sizeof line, in)) {
        char group[512];
        double mean, sem, p = NAN;
        /* group,teacher,finished,failed,pending,final_mean,final_std,final_sem,... */
        char *fields[16] = {0};
        int nf = 0;
        for (char *tok = line; tok && nf < 16; nf++) {
            fields[nf] = tok;
            tok = strchr(tok, ',');
            if (tok)
                *tok++ = '\0';
        }
        if (nf < 15)
            continue;
        if (snprintf(group, sizeof group, "%s", fields[0]) >= (int)sizeof group)
            memcpy(group + sizeof group - 4, "...", 4); /* a label, shortened */
        mean = atof(fields[5]);
        sem = atof(fields[7]);
        if (fields[13][0])
            p = atof(fields[13]);
        if (fields[13][0] == '<')
            p = 0.0;
        fprintf(dat, "%d \"%s\" %g %g \"%s\"\n", row++, group, mean, sem, sig_mark(p));
    }
    fclose(in);
    fclose(dat);
    FILE *f = open_file(plots, "final.body.gp", d);
    if (!f)
        return -1;
    fprintf(f, "set title 'final mastered_pct (mean ± standard error; * p<0.05, ** p<0.01, "
               "*** p<0.001 vs baseline, Welch)'\nset ylabel 'mastered (%%)'\nset grid ytics\n"
               "set style fill solid 0.6 border -1\nset boxwidth 0.6\nset xtics rotate by -30\n"
               "set yrange [0:*]\nset xrange [-0.6:%d-0.4]\nset key off\n"
               "plot 'final.dat' using 1:3:4:xtic(2) with boxerrorbars lc rgb '#4c72b0', \\\n"
               "     '' using 1:($3+$4):5 with labels offset 0,1 font ',12'\n",
            row);
    fclose(f);
    return render(plots, "final", d);
}

int tk_plot_study(const char *study_dir, tk_diag *d)
{
    char path[PATH_MAX + 32], plots[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/study.json", study_dir);
    json_t *study = json_load_file(path, 0, NULL);
    json_t *runs = json_object_get(study, "runs");
    if (!json_is_array(runs)) {
        json_decref(study);
        return tk_diag_set(d, path, NULL, "not a study directory (no study.json)");
    }
    json_t *groups = json_array();
    int rc = make_plots_dir(study_dir, plots, sizeof plots, d);
    for (size_t i = 0; rc == 0 && i < json_array_size(runs); i++) {
        json_t *r = json_array_get(runs, i);
        json_t *g = json_object_get(r, "group");
        int seen = 0;
        for (size_t k = 0; k < json_array_size(groups); k++)
            seen |= json_equal(json_array_get(groups, k), g);
        if (seen)
            continue;
        json_array_append(groups, g);
        char run_dir[PATH_MAX + 600];
        snprintf(run_dir, sizeof run_dir, "%s/runs/%s", study_dir,
                 json_string_value(json_object_get(r, "dir")));
        tk_diag ignored;
        tk_plot_run(run_dir, &ignored); /* a failed run has nothing to draw */
    }
    if (rc == 0)
        rc = plot_study_curves(plots, groups, d) || plot_study_bars(study_dir, plots, d) ? -1 : 0;
    json_decref(groups);
    json_decref(study);
    return rc;
}
