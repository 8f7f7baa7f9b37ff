#include "plot_radar.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

#define MAX_AXES 32
#define MAX_TEACHERS 64

typedef struct radar {
    size_t n_axes, n_teachers;
    char axis[MAX_AXES][128];
    char teacher[MAX_TEACHERS][128];
    double sum[MAX_TEACHERS][MAX_AXES];  /* of group means */
    int n[MAX_TEACHERS][MAX_AXES];       /* groups */
} radar;

static size_t teacher_index(radar *r, const char *name)
{
    for (size_t i = 0; i < r->n_teachers; i++)
        if (strcmp(r->teacher[i], name) == 0)
            return i;
    if (r->n_teachers == MAX_TEACHERS)
        return SIZE_MAX;
    snprintf(r->teacher[r->n_teachers], sizeof r->teacher[0], "%s", name);
    return r->n_teachers++;
}

/* The axis name: the study's "name", else its directory. */
static void axis_name(const char *dir, char *out, size_t size)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/study.json", dir);
    json_t *st = json_load_file(path, 0, NULL);
    const char *name = json_string_value(json_object_get(st, "name"));
    if (!name) {
        const char *slash = strrchr(dir, '/');
        name = slash && slash[1] ? slash + 1 : dir;
    }
    snprintf(out, size, "%s", name);
    json_decref(st);
}

/* Splits a report.csv line in place (no quoting: labels are [A-Za-z0-9._+-]). */
static int split(char *line, char **fields, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *tok = line; tok && n < max; n++) {
        fields[n] = tok;
        tok = strchr(tok, ',');
        if (tok)
            *tok++ = '\0';
    }
    return n;
}

static int read_study(radar *r, const char *dir, tk_diag *d)
{
    size_t a = r->n_axes++;
    axis_name(dir, r->axis[a], sizeof r->axis[a]);
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/report.csv", dir);
    FILE *in = fopen(path, "r");
    if (!in)
        return tk_diag_set(d, path, NULL, "cannot read (%s): run `teachkit report %s` first",
                           strerror(errno), dir);
    char line[4096];
    (void)!fgets(line, sizeof line, in); /* header */
    while (fgets(line, sizeof line, in)) {
        /* group,teacher,finished,failed,pending,final_mean,... */
        char *f[16];
        if (split(line, f, 16) < 6 || atol(f[2]) == 0)
            continue;
        size_t t = teacher_index(r, f[1]);
        if (t == SIZE_MAX) {
            fclose(in);
            return tk_diag_set(d, path, NULL, "more than %d teachers", MAX_TEACHERS);
        }
        r->sum[t][a] += atof(f[5]);
        r->n[t][a]++;
    }
    fclose(in);
    return 0;
}

static double score(const radar *r, size_t t, size_t a)
{
    return r->n[t][a] ? r->sum[t][a] / r->n[t][a] : NAN;
}

/* OUT minus its ".png" plus `ext`, and the directory and base name of it. */
static void sibling(const char *out_png, const char *ext, char *path, size_t size)
{
    size_t len = strlen(out_png);
    if (len > 4 && strcmp(out_png + len - 4, ".png") == 0)
        len -= 4;
    snprintf(path, size, "%.*s%s", (int)len, out_png, ext);
}

static FILE *create(const char *path, tk_diag *d)
{
    FILE *f = fopen(path, "w");
    if (!f)
        tk_diag_set(d, path, NULL, "cannot write: %s", strerror(errno));
    return f;
}

static int write_table(const radar *r, const char *path, tk_diag *d)
{
    FILE *f = create(path, d);
    if (!f)
        return -1;
    fprintf(f, "teacher");
    for (size_t a = 0; a < r->n_axes; a++)
        fprintf(f, ",%s", r->axis[a]);
    fprintf(f, "\n");
    for (size_t t = 0; t < r->n_teachers; t++) {
        fprintf(f, "%s", r->teacher[t]);
        for (size_t a = 0; a < r->n_axes; a++) {
            double s = score(r, t, a);
            if (isnan(s))
                fprintf(f, ",");
            else
                fprintf(f, ",%.6g", s);
        }
        fprintf(f, "\n");
    }
    return fclose(f) == 0 ? 0 : tk_diag_set(d, path, NULL, "cannot write: %s", strerror(errno));
}

/* Axis a points up for a = 0 and the others follow clockwise. */
static double angle(const radar *r, size_t a)
{
    return M_PI / 2 - 2 * M_PI * (double)a / (double)r->n_axes;
}

/* gnuplot data: index 0 the rings (25 % steps) and spokes, index 1 the
 * axis labels, index 2 + t teacher t's closed polygon (radius = score/100). */
static int write_data(const radar *r, const char *path, tk_diag *d)
{
    FILE *f = create(path, d);
    if (!f)
        return -1;
    for (int ring = 1; ring <= 4; ring++) {
        for (size_t a = 0; a <= r->n_axes; a++)
            fprintf(f, "%.6f %.6f\n", 0.25 * ring * cos(angle(r, a % r->n_axes)),
                    0.25 * ring * sin(angle(r, a % r->n_axes)));
        fprintf(f, "\n");
    }
    for (size_t a = 0; a < r->n_axes; a++)
        fprintf(f, "0 0\n%.6f %.6f\n\n", cos(angle(r, a)), sin(angle(r, a)));
    fprintf(f, "\n");
    for (size_t a = 0; a < r->n_axes; a++)
        fprintf(f, "%.6f %.6f \"%s\"\n", 1.18 * cos(angle(r, a)), 1.12 * sin(angle(r, a)),
                r->axis[a]);
    for (size_t t = 0; t < r->n_teachers; t++) {
        fprintf(f, "\n\n");
        for (size_t a = 0; a <= r->n_axes; a++) {
            double s = score(r, t, a % r->n_axes);
            double rad = isnan(s) ? 0.0 : s / 100.0;
            fprintf(f, "%.6f %.6f\n", rad * cos(angle(r, a % r->n_axes)),
                    rad * sin(angle(r, a % r->n_axes)));
        }
    }
    return fclose(f) == 0 ? 0 : tk_diag_set(d, path, NULL, "cannot write: %s", strerror(errno));
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int write_script(const radar *r, const char *gp, const char *png, const char *dat,
                        tk_diag *d)
{
    FILE *f = create(gp, d);
    if (!f)
        return -1;
    fprintf(f,
            "# radar of final mastered_pct (mean over seeds) per teacher and profile\n"
            "set terminal pngcairo size 900,800 font 'sans,10' noenhanced\n"
            "set output '%s'\nset size ratio -1\nunset border\nunset tics\n"
            "set xrange [-1.5:1.5]\nset yrange [-1.3:1.3]\nset key outside right top\n"
            "set title 'final mastered %% (mean over seeds); rings at 25, 50, 75, 100'\n"
            "plot '%s' index 0 with lines lc rgb '#bbbbbb' notitle, \\\n"
            "     '' index 1 using 1:2:3 with labels notitle",
            base_name(png), base_name(dat));
    for (size_t t = 0; t < r->n_teachers; t++)
        fprintf(f, ", \\\n     '' index %zu with linespoints lw 2 pt 7 ps 0.6 lc %zu title '%s'",
                t + 2, t + 1, r->teacher[t]);
    fprintf(f, "\n");
    return fclose(f) == 0 ? 0 : tk_diag_set(d, gp, NULL, "cannot write: %s", strerror(errno));
}

int tk_plot_radar(const char *out_png, char *const *study_dirs, size_t n_dirs, tk_diag *d)
{
    if (n_dirs < 3 || n_dirs > MAX_AXES)
        return tk_diag_set(d, NULL, NULL, "a radar needs 3 to %d study directories, got %zu",
                           MAX_AXES, n_dirs);
    radar *r = calloc(1, sizeof *r);
    if (!r)
        return tk_diag_set(d, NULL, NULL, "out of memory");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n_dirs; i++)
        rc = read_study(r, study_dirs[i], d);
    if (rc == 0 && r->n_teachers == 0)
        rc = tk_diag_set(d, NULL, NULL, "no finished group in any of the studies");
    char csv[PATH_MAX], dat[PATH_MAX], gp[PATH_MAX], dir[PATH_MAX];
    sibling(out_png, ".csv", csv, sizeof csv);
    sibling(out_png, ".dat", dat, sizeof dat);
    sibling(out_png, ".gp", gp, sizeof gp);
    const char *slash = strrchr(out_png, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - out_png) + 1 : 1,
             slash ? out_png : ".");
    if (rc == 0)
        rc = write_table(r, csv, d) || write_data(r, dat, d) ||
                     write_script(r, gp, out_png, dat, d) ||
                     tk_plot_gnuplot(dir, base_name(gp), d)
                 ? -1
                 : 0;
    free(r);
    return rc;
}
