#include "baseline.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run_reader.h"
#include "teachkit/stats.h"

#define FORMAT "teachkit-baseline/1"

/* A JSON array of doubles as a C array (malloc'ed, at least one slot). */
static double *doubles(json_t *a, size_t *n)
{
    *n = json_array_size(a);
    double *x = calloc(*n + 1, sizeof *x);
    for (size_t i = 0; x && i < *n; i++)
        x[i] = json_number_value(json_array_get(a, i));
    return x;
}

static json_t *summary(json_t *values)
{
    size_t n;
    double *x = doubles(values, &n);
    json_t *s = json_pack("{s:f, s:f}", "mean", n ? tk_stats_mean(x, n) : 0.0, "std",
                          n > 1 ? tk_stats_std(x, n) : 0.0);
    free(x);
    return s;
}

/* Adds the finished run `dir` to group `g`: seed, final, AUC and its curve
 * (the curve's points are summed here, averaged in finish_group). */
static void add_run(json_t *g, const char *dir, json_int_t seed)
{
    tk_run_curve c;
    if (!tk_run_dir_finished(dir) || tk_run_read_curve(dir, &c) || c.n == 0) {
        tk_run_curve_free(&c);
        return;
    }
    double final = c.mastered_pct[c.n - 1];
    double span = c.episodes[c.n - 1] - c.episodes[0];
    double auc = span > 0 ? tk_stats_trapezoid(c.episodes, c.mastered_pct, c.n) / span : final;
    json_array_append_new(json_object_get(g, "seeds"), json_integer(seed));
    json_array_append_new(json_object_get(g, "finals"), json_real(final));
    json_array_append_new(json_object_get(g, "aucs"), json_real(auc));
    /* Points at the first run's evaluation episodes, as report's curves.csv. */
    json_t *curve = json_object_get(g, "curve"), *ep = json_object_get(curve, "episode");
    if (json_array_size(ep) == 0)
        for (size_t k = 0; k < c.n; k++) {
            json_array_append_new(ep, json_real(c.episodes[k]));
            json_array_append_new(json_object_get(curve, "values"), json_array());
        }
    for (size_t k = 0; k < c.n && k < json_array_size(ep); k++)
        if (json_number_value(json_array_get(ep, k)) == c.episodes[k])
            json_array_append_new(json_array_get(json_object_get(curve, "values"), k),
                                  json_real(c.mastered_pct[k]));
    tk_run_curve_free(&c);
}

static void finish_group(json_t *g)
{
    json_object_set_new(g, "n", json_integer((json_int_t)json_array_size(
                                        json_object_get(g, "finals"))));
    json_object_set_new(g, "final", summary(json_object_get(g, "finals")));
    json_object_set_new(g, "auc", summary(json_object_get(g, "aucs")));
    json_t *curve = json_object_get(g, "curve"), *values = json_object_get(curve, "values");
    json_t *mean = json_array(), *sem = json_array(), *n = json_array();
    for (size_t k = 0; k < json_array_size(values); k++) {
        size_t m;
        double *x = doubles(json_array_get(values, k), &m);
        json_array_append_new(mean, json_real(m ? tk_stats_mean(x, m) : 0.0));
        json_array_append_new(sem, json_real(m > 1 ? tk_stats_sem(x, m) : 0.0));
        json_array_append_new(n, json_integer((json_int_t)m));
        free(x);
    }
    json_object_del(curve, "values");
    json_object_set_new(curve, "mean", mean);
    json_object_set_new(curve, "sem", sem);
    json_object_set_new(curve, "n", n);
}

json_t *tk_baseline_of_study(const char *study_dir, tk_diag *d)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/study.json", study_dir);
    json_error_t err;
    json_t *study = json_load_file(path, 0, &err);
    json_t *runs = json_object_get(study, "runs");
    if (!json_is_array(runs)) {
        json_decref(study);
        tk_diag_set(d, path, NULL, "not a study directory (no readable study.json: %s)",
                    err.text);
        return NULL;
    }
    json_t *groups = json_array();
    json_t *by_name = json_object();  /* group name -> its object in `groups` */
    size_t i;
    json_t *r;
    json_array_foreach(runs, i, r) {
        const char *name = json_string_value(json_object_get(r, "group"));
        if (!name)
            continue;
        json_t *g = json_object_get(by_name, name);
        if (!g) {
            g = json_pack("{s:s, s:O?, s:[], s:[], s:[], s:{s:[], s:[]}}", "group", name,
                          "teacher", json_object_get(r, "teacher"), "seeds", "finals",
                          "aucs", "curve", "episode", "values");
            json_array_append_new(groups, g);
            json_object_set(by_name, name, g);
        }
        char dir[PATH_MAX + 600];
        snprintf(dir, sizeof dir, "%s/runs/%s", study_dir,
                 json_string_value(json_object_get(r, "dir")));
        add_run(g, dir, json_integer_value(json_object_get(r, "seed")));
    }
    json_array_foreach(groups, i, r)
        finish_group(r);
    json_t *out = json_pack("{s:s, s:O?, s:O?, s:s, s:o}", "format", FORMAT, "study",
                            json_object_get(study, "name"), "manifest",
                            json_object_get(study, "manifest"), "metric", "mastered_pct",
                            "groups", groups);
    json_decref(by_name);
    json_decref(study);
    return out;
}

int tk_baseline_export(const char *study_dir, const char *file, tk_diag *d)
{
    json_t *b = tk_baseline_of_study(study_dir, d);
    if (!b)
        return -1;
    int rc = json_dump_file(b, file, JSON_INDENT(1) | JSON_REAL_PRECISION(12)) == 0
                 ? 0
                 : tk_diag_set(d, file, NULL, "cannot write: %s", strerror(errno));
    json_decref(b);
    return rc;
}

static json_t *find_group(json_t *baseline, const char *name)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(baseline, "groups"), i, g)
        if (strcmp(json_string_value(json_object_get(g, "group")), name) == 0)
            return g;
    return NULL;
}

/* Welch's p-value of two groups' `key` ("finals" or "aucs") as text. */
static void welch_text(json_t *a, json_t *b, const char *key, char *buf, size_t size)
{
    size_t na, nb;
    double *x = doubles(json_object_get(a, key), &na), *y = doubles(json_object_get(b, key), &nb);
    double t, df, p;
    if (!x || !y || tk_stats_welch(x, na, y, nb, &t, &df, &p))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, p < 0.001 ? "%.1e" : "%.3f", p);
    free(x);
    free(y);
}

static double mean_of(json_t *g, const char *what)
{
    return json_number_value(json_object_get(json_object_get(g, what), "mean"));
}

static void compare_row(json_t *ours, json_t *base, FILE *md, FILE *out)
{
    char pf[32], pa[32];
    welch_text(ours, base, "finals", pf, sizeof pf);
    welch_text(ours, base, "aucs", pa, sizeof pa);
    /* The file keeps 12 digits: a study against its own baseline differs
     * by rounding only, shown as no difference. */
    double diff = mean_of(ours, "final") - mean_of(base, "final");
    if (fabs(diff) < 1e-9)
        diff = 0.0;
    char row[1024];
    snprintf(row, sizeof row,
             "| %s | %lld | %.2f ± %.2f | %lld | %.2f ± %.2f | %+.2f | %s | %.2f | %.2f | %s |\n",
             json_string_value(json_object_get(ours, "group")),
             (long long)json_integer_value(json_object_get(ours, "n")), mean_of(ours, "final"),
             json_number_value(json_object_get(json_object_get(ours, "final"), "std")),
             (long long)json_integer_value(json_object_get(base, "n")), mean_of(base, "final"),
             json_number_value(json_object_get(json_object_get(base, "final"), "std")),
             diff, pf, mean_of(ours, "auc"),
             mean_of(base, "auc"), pa);
    fputs(row, md);
    fputs(row, out);
}

/* The two curves side by side at the episodes both evaluated. */
static void compare_curves(json_t *ours, json_t *base, FILE *csv)
{
    json_t *oc = json_object_get(ours, "curve"), *bc = json_object_get(base, "curve");
    json_t *oe = json_object_get(oc, "episode"), *be = json_object_get(bc, "episode");
    for (size_t k = 0; k < json_array_size(oe); k++) {
        double e = json_number_value(json_array_get(oe, k));
        for (size_t j = 0; j < json_array_size(be); j++) {
            if (json_number_value(json_array_get(be, j)) != e)
                continue;
            fprintf(csv, "%s,%.0f,%.6g,%.6g,%.6g,%.6g\n",
                    json_string_value(json_object_get(ours, "group")), e,
                    json_number_value(json_array_get(json_object_get(oc, "mean"), k)),
                    json_number_value(json_array_get(json_object_get(oc, "sem"), k)),
                    json_number_value(json_array_get(json_object_get(bc, "mean"), j)),
                    json_number_value(json_array_get(json_object_get(bc, "sem"), j)));
            break;
        }
    }
}

static int open_outputs(const char *dir, FILE **md, FILE **csv, tk_diag *d)
{
    char p1[PATH_MAX + 16], p2[PATH_MAX + 16];
    snprintf(p1, sizeof p1, "%s/against.md", dir);
    snprintf(p2, sizeof p2, "%s/against.csv", dir);
    *md = fopen(p1, "w");
    *csv = *md ? fopen(p2, "w") : NULL;
    if (*csv)
        return 0;
    if (*md)
        fclose(*md);
    return tk_diag_set(d, dir, NULL, "cannot write against.md/against.csv: %s", strerror(errno));
}

int tk_baseline_compare(const char *study_dir, const char *file, FILE *out, tk_diag *d)
{
    json_error_t err;
    json_t *base = json_load_file(file, 0, &err);
    if (!base || !json_is_string(json_object_get(base, "format")) ||
        strcmp(json_string_value(json_object_get(base, "format")), FORMAT) != 0) {
        json_decref(base);
        return tk_diag_set(d, file, NULL, "not a baseline file (\"format\": \"" FORMAT "\"): %s",
                           err.text[0] ? err.text : "wrong or missing format");
    }
    json_t *ours = tk_baseline_of_study(study_dir, d);
    FILE *md = NULL, *csv = NULL;
    if (!ours || open_outputs(study_dir, &md, &csv, d)) {
        json_decref(ours);
        json_decref(base);
        return -1;
    }
    const char *head = "| group | n | final (this study) | n | final (baseline) | difference "
                       "| p final (Welch) | AUC (this study) | AUC (baseline) | p AUC |\n"
                       "|---|---|---|---|---|---|---|---|---|---|\n";
    fprintf(md, "Compared with %s (study \"%s\")\n\n%s", file,
            json_string_value(json_object_get(base, "study")), head);
    fprintf(out, "Compared with %s (study \"%s\")\n\n%s", file,
            json_string_value(json_object_get(base, "study")), head);
    fprintf(csv, "group,episode,mean,sem,baseline_mean,baseline_sem\n");
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(ours, "groups"), i, g) {
        json_t *b = find_group(base, json_string_value(json_object_get(g, "group")));
        if (!b)
            continue;
        compare_row(g, b, md, out);
        compare_curves(g, b, csv);
    }
    /* Groups on one side only. */
    json_array_foreach(json_object_get(ours, "groups"), i, g)
        if (!find_group(base, json_string_value(json_object_get(g, "group"))))
            fprintf(out, "\nonly in this study: %s", json_string_value(json_object_get(g, "group")));
    json_array_foreach(json_object_get(base, "groups"), i, g)
        if (!find_group(ours, json_string_value(json_object_get(g, "group"))))
            fprintf(out, "\nonly in the baseline: %s", json_string_value(json_object_get(g, "group")));
    fprintf(out, "\n");
    int rc = 0;
    if ((fclose(md) != 0) | (fclose(csv) != 0))
        rc = tk_diag_set(d, study_dir, NULL, "cannot write against.md/against.csv");
    json_decref(ours);
    json_decref(base);
    return rc;
}
