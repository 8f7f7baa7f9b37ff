#include "test_set.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_file.h"

#include "teachkit/rng.h"

#define MAX_TEST_TASKS 1000000

static int alloc_tasks(tk_test_set *ts, size_t n, size_t dims, const char *file, tk_diag *d)
{
    ts->n = n;
    ts->dims = dims;
    ts->tasks = calloc(n * dims > 0 ? n * dims : 1, sizeof *ts->tasks);
    return ts->tasks ? 0 : tk_diag_set(d, file, "eval.test_set", "out of memory");
}

static int build_uniform(tk_test_set *ts, const json_t *spec, const tk_task_space *space,
                         const char *file, tk_diag *d)
{
    json_t *n = json_object_get(spec, "uniform");
    json_t *seed = json_object_get(spec, "seed");
    if (!json_is_integer(n) || json_integer_value(n) < 1 ||
        json_integer_value(n) > MAX_TEST_TASKS)
        return tk_diag_set(d, file, "eval.test_set.uniform",
                           "must be an integer in [1, %d] (number of test tasks)",
                           MAX_TEST_TASKS);
    if (seed && !json_is_null(seed) && (!json_is_integer(seed) || json_integer_value(seed) < 0))
        return tk_diag_set(d, file, "eval.test_set.seed", "must be a non-negative integer");
    uint64_t s = seed && json_is_integer(seed) ? (uint64_t)json_integer_value(seed) : 31;
    if (alloc_tasks(ts, (size_t)json_integer_value(n), space->dims, file, d))
        return -1;
    tk_rng rng;
    tk_rng_derive(&rng, s, "test-set");
    for (size_t i = 0; i < ts->n; i++)
        tk_rng_uniform_task(&rng, space, ts->tasks + i * ts->dims);
    return 0;
}

static int build_grid(tk_test_set *ts, const json_t *spec, const tk_task_space *space,
                      const char *file, tk_diag *d)
{
    json_t *m = json_object_get(spec, "grid");
    if (!json_is_integer(m) || json_integer_value(m) < 1)
        return tk_diag_set(d, file, "eval.test_set.grid",
                           "must be a positive integer (points per dimension)");
    size_t per = (size_t)json_integer_value(m), total = 1;
    for (size_t k = 0; k < space->dims; k++) {
        if (total > MAX_TEST_TASKS / per)
            return tk_diag_set(d, file, "eval.test_set.grid",
                               "gives more than %d tasks in %zu dimensions", MAX_TEST_TASKS,
                               space->dims);
        total *= per;
    }
    if (alloc_tasks(ts, total, space->dims, file, d))
        return -1;
    for (size_t i = 0; i < total; i++) {
        size_t rest = i;
        for (size_t k = 0; k < space->dims; k++) {
            size_t j = rest % per;
            rest /= per;
            const tk_dim *dim = &space->dim[k];
            double x = per == 1 ? dim->low
                                : dim->low + (dim->high - dim->low) * (double)j / (double)(per - 1);
            ts->tasks[i * space->dims + k] = (float)x;
        }
    }
    return 0;
}

static char *relative_to(const char *manifest_file, const char *path)
{
    const char *slash = strrchr(manifest_file, '/');
    if (path[0] == '/' || !slash)
        return strdup(path);
    size_t n = (size_t)(slash - manifest_file) + strlen(path) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%.*s/%s", (int)(slash - manifest_file), manifest_file, path);
    return out;
}

static int build_from_file(tk_test_set *ts, const json_t *spec, const tk_task_space *space,
                           const char *file, tk_diag *d)
{
    json_t *f = json_object_get(spec, "file");
    if (!json_is_string(f))
        return tk_diag_set(d, file, "eval.test_set.file", "must be a path string");
    char *path = relative_to(file, json_string_value(f));
    json_t *root = tk_json_read_file(path, "the test set (eval.test_set.file)",
                                     TK_MAX_TEST_SET_BYTES, 0, d);
    int rc = 0;
    if (!root) {
        rc = -1;
        goto done;
    }
    json_t *list = json_is_object(root) ? json_object_get(root, "tasks") : root;
    if (!json_is_array(list) || json_array_size(list) == 0 ||
        json_array_size(list) > MAX_TEST_TASKS) {
        rc = tk_diag_set(d, path, NULL, "a test set is a non-empty JSON array of task arrays "
                                        "(or an object with such a \"tasks\" array)");
        goto done;
    }
    if ((rc = alloc_tasks(ts, json_array_size(list), space->dims, file, d)))
        goto done;
    for (size_t i = 0; i < ts->n && rc == 0; i++) {
        json_t *task = json_array_get(list, i);
        if (!json_is_array(task) || json_array_size(task) != space->dims) {
            rc = tk_diag_set(d, path, NULL, "task %zu must be an array of %zu numbers (the "
                                            "env's task dimensions)", i, space->dims);
            break;
        }
        for (size_t k = 0; k < space->dims; k++) {
            json_t *x = json_array_get(task, k);
            double v = json_number_value(x);
            if (!json_is_number(x) || !isfinite(v)) {
                rc = tk_diag_set(d, path, NULL, "task %zu value %zu is not a finite number", i, k);
                break;
            }
            ts->tasks[i * space->dims + k] = (float)v;
        }
    }
done:
    json_decref(root);
    free(path);
    return rc;
}

int tk_test_set_build(tk_test_set *ts, const json_t *spec, const tk_task_space *space,
                      const char *manifest_file, tk_diag *d)
{
    memset(ts, 0, sizeof *ts);
    static const char *const keys[] = {"file", "uniform", "seed", "grid", NULL};
    if (!spec) {
        json_t *def = json_pack("{s:i, s:i}", "uniform", 50, "seed", 31);
        int rc = build_uniform(ts, def, space, manifest_file, d);
        json_decref(def);
        return rc;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)spec, key, v) {
        int known = 0;
        for (size_t i = 0; keys[i]; i++)
            known |= strcmp(key, keys[i]) == 0;
        if (!known) {
            char path[256];
            snprintf(path, sizeof path, "eval.test_set.%s", key);
            const char *near = tk_closest_word(key, keys);
            return tk_diag_set(d, manifest_file, path, "unknown key%s%s%s", near ? "; did you mean \"" : "; use \"file\", \"uniform\" or \"grid\"",
                               near ? near : "", near ? "\"?" : "");
        }
    }
    int forms = !!json_object_get(spec, "file") + !!json_object_get(spec, "uniform") +
                !!json_object_get(spec, "grid");
    if (forms != 1)
        return tk_diag_set(d, manifest_file, "eval.test_set",
                           "needs exactly one of \"file\", \"uniform\" or \"grid\"");
    if (json_object_get(spec, "file"))
        return build_from_file(ts, spec, space, manifest_file, d);
    if (json_object_get(spec, "grid"))
        return build_grid(ts, spec, space, manifest_file, d);
    return build_uniform(ts, spec, space, manifest_file, d);
}

void tk_test_set_free(tk_test_set *ts)
{
    free(ts->tasks);
    memset(ts, 0, sizeof *ts);
}
