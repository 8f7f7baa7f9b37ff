#include "study.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RUNS 100000

/* One alternative of a (partially) expanded value. */
typedef struct variant {
    json_t *value;   /* owned */
    json_t *labels;  /* owned object: sweep name -> label */
} variant;

typedef struct variants {
    variant *v;
    size_t n, cap;
} variants;

typedef struct expander {
    const char *file;
    tk_diag *d;
} expander;

static int push(variants *vs, json_t *value, json_t *labels)
{
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? 2 * vs->cap : 4;
        variant *v = realloc(vs->v, cap * sizeof *v);
        if (!v)
            return -1;
        vs->v = v;
        vs->cap = cap;
    }
    vs->v[vs->n].value = value;
    vs->v[vs->n].labels = labels;
    vs->n++;
    return 0;
}

static void clear(variants *vs)
{
    for (size_t i = 0; i < vs->n; i++) {
        json_decref(vs->v[i].value);
        json_decref(vs->v[i].labels);
    }
    free(vs->v);
    memset(vs, 0, sizeof *vs);
}

/* A label for a swept value: a component's "label" or plugin id, a
 * scalar's text, or the index. */
static char *label_of(json_t *v, size_t index)
{
    char buf[128];
    json_t *l = json_is_object(v) ? json_object_get(v, "label") : NULL;
    json_t *p = json_is_object(v) ? json_object_get(v, "plugin") : NULL;
    if (json_is_string(l))
        snprintf(buf, sizeof buf, "%s", json_string_value(l));
    else if (json_is_string(p))
        snprintf(buf, sizeof buf, "%s", json_string_value(p));
    else if (json_is_string(v))
        snprintf(buf, sizeof buf, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, sizeof buf, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "true" : "false");
    else
        snprintf(buf, sizeof buf, "%zu", index);
    /* Labels become directory names: keep a safe alphabet only. */
    for (char *c = buf; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '.' || *c == '+'))
            *c = '_';
    if (buf[0] == '.')
        buf[0] = '_';
    return strdup(buf);
}

static int expand(expander *e, json_t *value, const char *path, const char *sweep_name,
                  variants *out);

static int safe_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 100 || s[0] == '.' || s[0] == '-')
        return 0;
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            return 0;
    return 1;
}

/* The alternatives listed at a sweep point, each expanded further. */
static int expand_list(expander *e, json_t *list, const char *path, const char *sweep_name,
                       variants *out)
{
    if (json_array_size(list) == 0)
        return tk_diag_set(e->d, e->file, path, "a sweep needs at least one value");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *item = json_array_get(list, i);
        char ipath[256];
        snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
        char *label = label_of(item, i);
        json_t *plain = json_is_object(item) ? json_deep_copy(item) : json_incref(item);
        if (json_is_object(plain))
            json_object_del(plain, "label");
        variants sub = {0};
        int rc = expand(e, plain, ipath, NULL, &sub);
        json_decref(plain);
        for (size_t k = 0; rc == 0 && k < sub.n; k++) {
            /* The outer sweep's label comes before those of nested sweeps. */
            json_t *labels = json_pack("{s:s}", sweep_name, label);
            json_object_update(labels, sub.v[k].labels);
            rc = push(out, sub.v[k].value, labels);
            sub.v[k].value = NULL;
        }
        free(label);
        clear(&sub);
        if (rc)
            return -1;
        if (out->n > MAX_RUNS)
            return tk_diag_set(e->d, e->file, path, "the sweep expands to more than %d runs",
                               MAX_RUNS);
    }
    return 0;
}

/* Cross product of the members' alternatives. */
static int expand_object(expander *e, json_t *obj, const char *path, variants *out)
{
    variants acc = {0};
    push(&acc, json_object(), json_object());
    const char *key;
    json_t *member;
    json_object_foreach(obj, key, member) {
        char mpath[256];
        snprintf(mpath, sizeof mpath, "%s%s%s", path, path[0] ? "." : "", key);
        variants sub = {0};
        if (expand(e, member, mpath, key, &sub)) {
            clear(&acc);
            clear(&sub);
            return -1;
        }
        /* Refuse before building the product: 10^5 seeds times a 50-value
         * sweep would otherwise allocate millions of manifests first. */
        if (sub.n > 0 && acc.n > MAX_RUNS / sub.n) {
            clear(&acc);
            clear(&sub);
            return tk_diag_set(e->d, e->file, path[0] ? path : NULL,
                               "the sweep expands to more than %d runs", MAX_RUNS);
        }
        variants next = {0};
        for (size_t i = 0; i < acc.n; i++)
            for (size_t k = 0; k < sub.n; k++) {
                json_t *v = json_deep_copy(acc.v[i].value);
                json_object_set(v, key, sub.v[k].value);
                json_t *l = json_deep_copy(acc.v[i].labels);
                json_object_update(l, sub.v[k].labels);
                push(&next, v, l);
            }
        clear(&acc);
        clear(&sub);
        acc = next;
        if (acc.n > MAX_RUNS) {
            clear(&acc);
            return tk_diag_set(e->d, e->file, path, "the sweep expands to more than %d runs",
                               MAX_RUNS);
        }
    }
    for (size_t i = 0; i < acc.n; i++)
        push(out, acc.v[i].value, acc.v[i].labels);
    free(acc.v);
    return 0;
}

static int is_sweep_object(json_t *v)
{
    return json_is_object(v) && json_object_size(v) == 1 &&
           json_is_array(json_object_get(v, "sweep"));
}

static int expand(expander *e, json_t *value, const char *path, const char *sweep_name,
                  variants *out)
{
    char name[128];
    const char *last = strrchr(path, '.');
    snprintf(name, sizeof name, "%s", last ? last + 1 : path);
    (void)sweep_name;
    if (is_sweep_object(value))
        return expand_list(e, json_object_get(value, "sweep"), path, name, out);
    if (json_is_object(value))
        return expand_object(e, value, path, out);
    return push(out, json_incref(value), json_object());
}

/* Top-level shorthands: "seed": [..] / {"range": [a, b]}, component arrays. */
static int rewrite_shorthands(expander *e, json_t *root)
{
    json_t *seed = json_object_get(root, "seed");
    if (json_is_object(seed) && json_is_array(json_object_get(seed, "range"))) {
        json_t *r = json_object_get(seed, "range");
        json_t *a = json_array_get(r, 0), *b = json_array_get(r, 1);
        if (json_array_size(r) != 2 || !json_is_integer(a) || !json_is_integer(b) ||
            json_integer_value(a) < 0 || json_integer_value(b) <= json_integer_value(a) ||
            json_integer_value(b) - json_integer_value(a) > MAX_RUNS)
            return tk_diag_set(e->d, e->file, "seed.range",
                               "must be [first, end] with 0 <= first < end (end excluded)");
        json_t *list = json_array();
        for (json_int_t s = json_integer_value(a); s < json_integer_value(b); s++)
            json_array_append_new(list, json_integer(s));
        json_object_set_new(root, "seed", json_pack("{s:o}", "sweep", list));
    } else if (json_is_array(seed)) {
        json_object_set_new(root, "seed", json_pack("{s:O}", "sweep", seed));
    }
    static const char *const components[] = {"teacher", "env", "student"};
    for (size_t i = 0; i < 3; i++) {
        json_t *c = json_object_get(root, components[i]);
        if (json_is_array(c))
            json_object_set_new(root, components[i], json_pack("{s:O}", "sweep", c));
    }
    return 0;
}

static char *absolute(const char *dir, const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    size_t n = strlen(dir) + strlen(path) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s/%s", dir, path);
    return out;
}

/* Paths in a run manifest are relative to the study manifest; runs execute
 * from their own directories, so make them absolute. */
static void absolutise_paths(json_t *m, const char *dir)
{
    json_t *paths = json_object_get(m, "plugin_paths");
    for (size_t i = 0; json_is_array(paths) && i < json_array_size(paths); i++) {
        json_t *p = json_array_get(paths, i);
        if (json_is_string(p)) {
            char *abs = absolute(dir, json_string_value(p));
            json_array_set_new(paths, i, json_string(abs));
            free(abs);
        }
    }
    json_t *ts = json_object_get(json_object_get(m, "eval"), "test_set");
    json_t *f = json_object_get(ts, "file");
    if (json_is_string(f)) {
        char *abs = absolute(dir, json_string_value(f));
        json_object_set_new(ts, "file", json_string(abs));
        free(abs);
    }
}

/* "teacher-alp-gmm__fit_rate-100__seed-3": swept values in manifest order,
 * the seed last so that a group's runs sort together. */
static char *join_labels(json_t *labels, int with_seed)
{
    char buf[1024] = "";
    const char *key;
    json_t *v;
    json_object_foreach(labels, key, v) {
        if (strcmp(key, "seed") == 0)
            continue;
        size_t used = strlen(buf);
        snprintf(buf + used, sizeof buf - used, "%s%s-%s", used ? "__" : "", key,
                 json_string_value(v));
    }
    json_t *seed = json_object_get(labels, "seed");
    if (with_seed && seed) {
        size_t used = strlen(buf);
        snprintf(buf + used, sizeof buf - used, "%sseed-%s", used ? "__" : "",
                 json_string_value(seed));
    }
    return strdup(buf[0] ? buf : "run");
}

static int make_run(tk_study_run *run, variant *v, const char *dir)
{
    run->manifest = v->value;
    run->labels = v->labels;
    v->value = v->labels = NULL;
    run->dir = join_labels(run->labels, 1);
    char *group = join_labels(run->labels, 0);
    run->group = strcmp(group, "run") == 0 ? strdup("all") : group;
    if (run->group != group)
        free(group);
    json_t *t = json_object_get(run->labels, "teacher");
    json_t *tp = json_object_get(json_object_get(run->manifest, "teacher"), "plugin");
    run->teacher = strdup(json_is_string(t) ? json_string_value(t)
                                             : json_is_string(tp) ? json_string_value(tp) : "?");
    json_t *seed = json_object_get(run->manifest, "seed");
    run->seed = json_is_integer(seed) ? (uint64_t)json_integer_value(seed) : 0;
    json_object_set_new(run->manifest, "name", json_string(run->dir));
    json_object_del(run->manifest, "study"); /* study-level options, not a run's */
    absolutise_paths(run->manifest, dir);
    return 0;
}

static int compare_dirs(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A directory two runs would share, or NULL.  Sorted, not pairwise: a
 * study of 10^5 runs would take minutes to compare pairwise (found by
 * fuzzing). */
static const char *first_shared_dir(const tk_study *study)
{
    const char **dirs = malloc((study->n_runs ? study->n_runs : 1) * sizeof *dirs);
    if (!dirs)
        return NULL;
    for (size_t i = 0; i < study->n_runs; i++)
        dirs[i] = study->runs[i].dir;
    qsort(dirs, study->n_runs, sizeof *dirs, compare_dirs);
    const char *shared = NULL;
    for (size_t i = 1; i < study->n_runs && !shared; i++)
        if (strcmp(dirs[i - 1], dirs[i]) == 0)
            shared = dirs[i];
    free(dirs);
    return shared;
}

int tk_study_expand(json_t *root, const char *file, tk_study *study, tk_diag *d)
{
    memset(study, 0, sizeof *study);
    expander e = {file, d};
    if (!json_is_object(root))
        return tk_diag_set(d, file, "", "a study manifest must be a JSON object");
    json_t *name = json_object_get(root, "name");
    if (name && !json_is_string(name))
        return tk_diag_set(d, file, "name", "must be a string");
    /* The name becomes the default study directory (studies/NAME) and the
     * SLURM job name: the run-name alphabet, so no traversal, no newline. */
    if (name && !safe_name(json_string_value(name)))
        return tk_diag_set(d, file, "name",
                           "must be 1-100 characters of [A-Za-z0-9._-] not starting with '.' or "
                           "'-' (it names the study directory)");
    study->name = strdup(json_is_string(name) ? json_string_value(name) : "study");
    json_t *copy = json_deep_copy(root);
    variants vs = {0};
    int rc = rewrite_shorthands(&e, copy);
    if (rc == 0)
        rc = expand(&e, copy, "", "", &vs);
    json_decref(copy);
    if (rc) {
        clear(&vs);
        return -1;
    }
    char dir[PATH_MAX];
    const char *slash = strrchr(file, '/');
    char real[PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - file) : 1, slash ? file : ".");
    if (realpath(dir, real))
        snprintf(dir, sizeof dir, "%s", real);
    study->runs = calloc(vs.n, sizeof *study->runs);
    study->n_runs = vs.n;
    for (size_t i = 0; i < vs.n; i++)
        make_run(&study->runs[i], &vs.v[i], dir);
    clear(&vs);
    const char *shared = first_shared_dir(study);
    if (shared)
        return tk_diag_set(d, file, NULL,
                           "two runs would share the directory \"%s\"; give the swept "
                           "components distinct \"label\"s", shared);
    return 0;
}

static int has_sweep_object(json_t *v, int depth)
{
    if (depth > 64)
        return 0;
    if (json_is_object(v) && json_is_array(json_object_get(v, "sweep")))
        return 1;
    const char *key;
    json_t *member;
    if (json_is_object(v))
        json_object_foreach(v, key, member) {
            if (has_sweep_object(member, depth + 1))
                return 1;
        }
    for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++)
        if (has_sweep_object(json_array_get(v, i), depth + 1))
            return 1;
    return 0;
}

int tk_study_has_sweeps(json_t *root)
{
    if (!json_is_object(root))
        return 0;
    json_t *seed = json_object_get(root, "seed");
    if (json_is_array(seed) || (json_is_object(seed) && json_object_get(seed, "range")))
        return 1;
    static const char *const components[] = {"teacher", "env", "student"};
    for (size_t i = 0; i < 3; i++)
        if (json_is_array(json_object_get(root, components[i])))
            return 1;
    return has_sweep_object(root, 0);
}

void tk_study_free(tk_study *study)
{
    for (size_t i = 0; i < study->n_runs; i++) {
        tk_study_run *r = &study->runs[i];
        free(r->dir);
        free(r->group);
        free(r->teacher);
        json_decref(r->manifest);
        json_decref(r->labels);
    }
    free(study->runs);
    free(study->name);
    memset(study, 0, sizeof *study);
}
