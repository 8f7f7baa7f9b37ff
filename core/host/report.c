#include "report.h"

#include <jansson.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_reader.h"
#include "teachkit/stats.h"

typedef struct run_result {
    const char *group, *teacher; /* borrowed from study.json */
    json_t *labels;              /* borrowed */
    int finished, failed;
    double final_pct, auc_pct;
    size_t n_points;
    double *episodes, *pct;      /* evaluation curve, owned */
} run_result;

typedef struct group {
    const char *name, *teacher;
    json_t *labels;              /* of its first run (borrowed) */
    size_t finished, failed, pending;
    double *finals, *aucs;       /* per finished run */
    size_t n;
    const run_result *first;     /* for the curve's x axis */
    size_t baseline;             /* index of its baseline group, SIZE_MAX if none */
} group;

/* Reads the run's evaluation curve.  Lines that are not evaluation
 * records (a log edited or damaged by hand) are skipped, and said so on
 * stderr: a curve quietly missing points would skew the report. */
static int load_curve(const char *run_dir, run_result *r)
{
    tk_run_curve c;
    int rc = tk_run_read_curve(run_dir, &c);
    if (c.bad)
        fprintf(stderr, "teachkit: %s/evals.jsonl: warning: %zu line%s not an evaluation record "
                        "(first: line %zu); the run's curve leaves %s out\n", run_dir, c.bad,
                c.bad == 1 ? " is" : "s are", c.first_bad, c.bad == 1 ? "it" : "them");
    /* The arrays move into the run (freed with it). */
    r->episodes = c.episodes;
    r->pct = c.mastered_pct;
    r->n_points = c.n;
    return rc == 0 && c.n ? 0 : -1;
}

static void load_run(const char *study_dir, json_t *entry, run_result *r)
{
    memset(r, 0, sizeof *r);
    r->group = json_string_value(json_object_get(entry, "group"));
    r->teacher = json_string_value(json_object_get(entry, "teacher"));
    r->labels = json_object_get(entry, "labels");
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/runs/%s", study_dir,
             json_string_value(json_object_get(entry, "dir")));
    r->failed = tk_run_dir_failed(dir);
    if (r->failed)
        return;
    if (!tk_run_dir_finished(dir) || load_curve(dir, r))
        return;
    r->finished = 1;
    r->final_pct = r->pct[r->n_points - 1];
    double span = r->episodes[r->n_points - 1] - r->episodes[0];
    r->auc_pct = span > 0 ? tk_stats_trapezoid(r->episodes, r->pct, r->n_points) / span
                          : r->final_pct;
}

static size_t find_group(group *g, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(g[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

/* The value of a group's label `key` ("teacher" is always there), NULL if
 * it has none. */
static const char *label_of(const group *g, const char *key)
{
    if (strcmp(key, "teacher") == 0)
        return g->teacher;
    return json_string_value(json_object_get(g->labels, key));
}

/* The baseline of a group: the group whose label `key` has the baseline
 * value, all other labels (but the seed) and the teacher being the same.
 * `baseline` is "KEY=VALUE", or a teacher label (KEY "teacher"). */
static size_t baseline_of(const group *g, size_t n, size_t self, const char *baseline)
{
    const char *eq = strchr(baseline, '=');
    char key[128] = "teacher";
    const char *value = baseline;
    if (eq) {
        snprintf(key, sizeof key, "%.*s", (int)(eq - baseline), baseline);
        value = eq + 1;
    }
    const char *own = label_of(&g[self], key);
    if (own && strcmp(own, value) == 0)
        return SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        const char *other = label_of(&g[i], key);
        if (i == self || !other || strcmp(other, value) != 0 ||
            (strcmp(key, "teacher") != 0 && strcmp(g[i].teacher, g[self].teacher) != 0))
            continue;
        int same = 1;
        const char *k;
        json_t *v;
        json_object_foreach(g[self].labels, k, v) {
            if (strcmp(k, "teacher") == 0 || strcmp(k, "seed") == 0 || strcmp(k, key) == 0)
                continue;
            json_t *o = json_object_get(g[i].labels, k);
            same &= o && json_equal(o, v);
        }
        if (same)
            return i;
    }
    return SIZE_MAX;
}

static void fmt_p(char *buf, size_t size, const group *a, const group *b, int auc)
{
    double t, df, p;
    if (!b || tk_stats_welch(auc ? a->aucs : a->finals, a->n, auc ? b->aucs : b->finals, b->n,
                             &t, &df, &p)) {
        snprintf(buf, size, "-");
        return;
    }
    if (p < 1e-15)
        snprintf(buf, size, "<1e-15");
    else
        snprintf(buf, size, p < 0.001 ? "%.1e" : "%.3f", p);
}

static void write_tables(group *g, size_t ng, const char *baseline, FILE *md, FILE *csv,
                         FILE *out)
{
    const char *head = "| group | teacher | runs ok/failed | final mastered_pct mean ± std "
                       "(sem) [95%% CI] | AUC mean ± std | p final vs %s | p AUC vs %s |\n"
                       "|---|---|---|---|---|---|---|\n";
    fprintf(md, head, baseline, baseline);
    fprintf(out, head, baseline, baseline);
    fprintf(csv, "group,teacher,finished,failed,pending,final_mean,final_std,final_sem,"
                 "final_ci95,auc_mean,auc_std,auc_sem,auc_ci95,p_final,p_auc\n");
    for (size_t i = 0; i < ng; i++) {
        group *a = &g[i];
        const group *b = a->baseline == SIZE_MAX ? NULL : &g[a->baseline];
        double fm = tk_stats_mean(a->finals, a->n), fs = tk_stats_std(a->finals, a->n);
        double am = tk_stats_mean(a->aucs, a->n), as = tk_stats_std(a->aucs, a->n);
        char pf[32], pa[32];
        fmt_p(pf, sizeof pf, a, b, 0);
        fmt_p(pa, sizeof pa, a, b, 1);
        char row[1024];
        snprintf(row, sizeof row,
                 "| %s | %s | %zu/%zu%s | %.2f ± %.2f (%.2f) [%.2f, %.2f] | %.2f ± %.2f | %s | %s |\n",
                 a->name, a->teacher, a->finished, a->failed, a->pending ? " (+pending)" : "",
                 fm, fs, tk_stats_sem(a->finals, a->n), fm - tk_stats_ci95(a->finals, a->n),
                 fm + tk_stats_ci95(a->finals, a->n), am, as, pf, pa);
        fputs(row, md);
        fputs(row, out);
        fprintf(csv, "%s,%s,%zu,%zu,%zu,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%s,%s\n",
                a->name, a->teacher, a->finished, a->failed, a->pending, fm, fs,
                tk_stats_sem(a->finals, a->n), tk_stats_ci95(a->finals, a->n), am, as,
                tk_stats_sem(a->aucs, a->n), tk_stats_ci95(a->aucs, a->n),
                strcmp(pf, "-") ? pf : "", strcmp(pa, "-") ? pa : "");
    }
}

/* Mean and standard error of mastered_pct at each evaluation, per group. */
static void write_curves(group *g, size_t ng, run_result *runs, size_t nr, FILE *f)
{
    fprintf(f, "group,teacher,episode,mean,sem,n\n");
    double *vals = malloc((nr + 1) * sizeof *vals);
    for (size_t i = 0; i < ng; i++) {
        const run_result *first = g[i].first;
        for (size_t k = 0; first && k < first->n_points; k++) {
            size_t n = 0;
            for (size_t r = 0; r < nr; r++)
                if (runs[r].finished && strcmp(runs[r].group, g[i].name) == 0 &&
                    runs[r].n_points > k && runs[r].episodes[k] == first->episodes[k])
                    vals[n++] = runs[r].pct[k];
            fprintf(f, "%s,%s,%.0f,%.6g,%.6g,%zu\n", g[i].name, g[i].teacher,
                    first->episodes[k], tk_stats_mean(vals, n), tk_stats_sem(vals, n), n);
        }
    }
    free(vals);
}

static FILE *open_in(const char *dir, const char *name, char *tmp, size_t size)
{
    snprintf(tmp, size, "%s/%s.tmp", dir, name);
    return fopen(tmp, "w");
}

/* Renames the finished temporary file into place; on failure (a full disk)
 * the temporary file goes, and the previous report stays. */
static int commit(FILE *f, const char *dir, const char *name, const char *tmp)
{
    char target[PATH_MAX + 64];
    snprintf(target, sizeof target, "%s/%s", dir, name);
    int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, target) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int tk_report_study(const char *study_dir, const char *baseline, FILE *out, tk_diag *d)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/study.json", study_dir);
    json_error_t jerr;
    json_t *study = json_load_file(path, 0, &jerr);
    json_t *list = json_object_get(study, "runs");
    if (!json_is_array(list)) {
        json_decref(study);
        return tk_diag_set(d, path, NULL, "not a study directory (no readable study.json: %s)",
                           jerr.text);
    }
    size_t nr = json_array_size(list), ng = 0;
    run_result *runs = calloc(nr + 1, sizeof *runs);
    group *g = calloc(nr + 1, sizeof *g);
    for (size_t i = 0; i < nr; i++) {
        run_result *r = &runs[i];
        load_run(study_dir, json_array_get(list, i), r);
        size_t k = find_group(g, ng, r->group);
        if (k == SIZE_MAX) {
            k = ng++;
            g[k].name = r->group;
            g[k].teacher = r->teacher;
            g[k].labels = r->labels;
            g[k].finals = calloc(nr, sizeof(double));
            g[k].aucs = calloc(nr, sizeof(double));
        }
        if (r->finished) {
            g[k].finals[g[k].n] = r->final_pct;
            g[k].aucs[g[k].n++] = r->auc_pct;
            g[k].finished++;
            if (!g[k].first)
                g[k].first = r;
        } else if (r->failed) {
            g[k].failed++;
        } else {
            g[k].pending++;
        }
    }
    for (size_t i = 0; i < ng; i++)
        g[i].baseline = baseline_of(g, ng, i, baseline);
    char t1[PATH_MAX + 64], t2[PATH_MAX + 64], t3[PATH_MAX + 64];
    FILE *md = open_in(study_dir, "report.md", t1, sizeof t1);
    FILE *csv = open_in(study_dir, "report.csv", t2, sizeof t2);
    FILE *curves = open_in(study_dir, "curves.csv", t3, sizeof t3);
    int rc = 0;
    if (!md || !csv || !curves) {
        rc = tk_diag_set(d, study_dir, NULL, "cannot write the report files: %s",
                         strerror(errno));
        FILE *files[] = {md, csv, curves};
        const char *tmps[] = {t1, t2, t3};
        for (size_t i = 0; i < 3; i++)
            if (files[i]) {
                fclose(files[i]);
                unlink(tmps[i]);
            }
    } else {
        write_tables(g, ng, baseline, md, csv, out);
        write_curves(g, ng, runs, nr, curves);
        if (commit(md, study_dir, "report.md", t1) | commit(csv, study_dir, "report.csv", t2) |
            commit(curves, study_dir, "curves.csv", t3))
            rc = tk_diag_set(d, study_dir, NULL, "cannot write the report files (a full "
                                                 "disk?); the previous ones, if any, are intact");
    }
    for (size_t i = 0; i < nr; i++) {
        free(runs[i].episodes);
        free(runs[i].pct);
    }
    for (size_t i = 0; i < ng; i++) {
        free(g[i].finals);
        free(g[i].aucs);
    }
    free(runs);
    free(g);
    json_decref(study);
    return rc;
}
