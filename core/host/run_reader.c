/* Reading a run directory.  See run_reader.h. */
#include "run_reader.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* dir/name into buf; NULL when it does not fit. */
static const char *run_file(char *buf, size_t size, const char *dir, const char *name)
{
    return snprintf(buf, size, "%s/%s", dir, name) < (int)size ? buf : NULL;
}

static json_t *read_summary(const char *dir)
{
    char path[PATH_MAX + 16];
    return run_file(path, sizeof path, dir, "summary.json") ? json_load_file(path, 0, NULL)
                                                            : NULL;
}

/* 1 if summary.json's "status" is `status`. */
static int status_is(const char *dir, const char *status)
{
    json_t *sum = read_summary(dir);
    json_t *s = json_object_get(sum, "status");
    int same = json_is_string(s) && strcmp(json_string_value(s), status) == 0;
    json_decref(sum);
    return same;
}

int tk_run_dir_finished(const char *dir)
{
    return status_is(dir, "finished");
}

int tk_run_dir_failed(const char *dir)
{
    char path[PATH_MAX + 16];
    if (run_file(path, sizeof path, dir, "failure.json") && access(path, F_OK) == 0)
        return 1;
    return status_is(dir, "failed");
}

static int curve_append(tk_run_curve *c, size_t *cap, double episode, double pct)
{
    if (c->n == *cap) {
        size_t n = *cap ? 2 * *cap : 64;
        double *e = realloc(c->episodes, n * sizeof *e);
        if (!e)
            return -1;
        c->episodes = e;
        double *p = realloc(c->mastered_pct, n * sizeof *p);
        if (!p)
            return -1;
        c->mastered_pct = p;
        *cap = n;
    }
    c->episodes[c->n] = episode;
    c->mastered_pct[c->n++] = pct;
    return 0;
}

int tk_run_read_curve(const char *dir, tk_run_curve *out)
{
    memset(out, 0, sizeof *out);
    char path[PATH_MAX + 16];
    FILE *f = run_file(path, sizeof path, dir, "evals.jsonl") ? fopen(path, "r") : NULL;
    if (!f)
        return -1;
    size_t cap = 0, lineno = 0, len = 0;
    char *line = NULL;
    int rc = 0;
    while (rc == 0 && getline(&line, &len, f) >= 0) {
        lineno++;
        json_t *j = json_loads(line, 0, NULL);
        json_t *ep = json_object_get(j, "episode"), *pct = json_object_get(j, "mastered_pct");
        if (json_is_integer(ep) && json_is_number(pct) && isfinite(json_number_value(pct)))
            rc = curve_append(out, &cap, (double)json_integer_value(ep), json_number_value(pct));
        else if (out->bad++ == 0)
            out->first_bad = lineno;
        json_decref(j);
    }
    free(line);
    fclose(f);
    return rc;
}

void tk_run_curve_free(tk_run_curve *c)
{
    free(c->episodes);
    free(c->mastered_pct);
    memset(c, 0, sizeof *c);
}

size_t tk_run_read_task_space(const char *dir, tk_run_dim *out, size_t max)
{
    json_t *sum = read_summary(dir);
    json_t *space = json_object_get(sum, "task_space");
    const size_t dims = json_array_size(space);
    for (size_t i = 0; i < max && i < dims; i++) {
        json_t *dim = json_array_get(space, i);
        const char *name = json_string_value(json_object_get(dim, "name"));
        out[i].low = json_number_value(json_object_get(dim, "low"));
        out[i].high = json_number_value(json_object_get(dim, "high"));
        snprintf(out[i].name, sizeof out[i].name, "%s", name ? name : "");
    }
    json_decref(sum);
    return dims;
}

int tk_run_read_snapshots(const char *dir, json_t **snapshots, json_t **episodes)
{
    *snapshots = *episodes = NULL;
    char path[PATH_MAX + 16];
    FILE *in = run_file(path, sizeof path, dir, "teacher.jsonl") ? fopen(path, "r") : NULL;
    if (!in)
        return -1;
    json_t *snaps = json_array(), *eps = json_array();
    char *line = NULL;
    size_t cap = 0;
    int rc = snaps && eps ? 0 : -1;
    while (rc == 0 && getline(&line, &cap, in) > 0) {
        json_t *j = json_loads(line, 0, NULL);
        if (j && json_object_get(j, "snapshot"))
            rc = json_array_append(snaps, json_object_get(j, "snapshot")) ||
                         json_array_append(eps, json_object_get(j, "episode"))
                     ? -1
                     : 0;
        json_decref(j);
    }
    free(line);
    fclose(in);
    if (rc) {
        json_decref(snaps);
        json_decref(eps);
        return -1;
    }
    *snapshots = snaps;
    *episodes = eps;
    return 0;
}

/* Episode records start {"episode":N and hold "task":[x,y,...] (runner.c
 * writes them so); up to `max` coordinates of the task into task[]. */
static size_t scan_task(const char *line, long *episode, double *task, size_t max)
{
    const char *t = strstr(line, "\"task\":[");
    if (sscanf(line, "{\"episode\":%ld", episode) != 1 || !t)
        return 0;
    const char *p = t + 8;
    size_t n = 0;
    while (n < max) {
        char *end;
        task[n] = strtod(p, &end);
        if (end == p)
            break;
        n++;
        if (*end != ',')
            break;
        p = end + 1;
    }
    return n;
}

int tk_run_each_task(const char *dir, size_t max, tk_run_task_fn fn, void *user)
{
    char path[PATH_MAX + 16];
    FILE *in = run_file(path, sizeof path, dir, "episodes.jsonl") ? fopen(path, "r") : NULL;
    if (!in)
        return -1;
    double *task = malloc((max ? max : 1) * sizeof *task);
    char *line = NULL;
    size_t cap = 0;
    int rc = task ? 0 : -1;
    while (rc == 0 && getline(&line, &cap, in) > 0) {
        long episode = -1;
        const size_t n = scan_task(line, &episode, task, max);
        if (n > 0)
            rc = fn(user, episode, task, n);
    }
    free(line);
    free(task);
    fclose(in);
    return rc;
}
