#include "manifest.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json_file.h"
#include "teachkit/config_merge.h"

/* Largest integer a JSON double holds exactly; bigger counts are typos. */
#define MAX_COUNT 1000000000000ULL

static const char *const top_keys[] = {"name", "description", "seed", "budget", "teacher", "env",
                                       "student", "eval", "log", "checkpoint", "plugin_paths",
                                       "on_nonfinite", "student_reset", "task_shuffle", NULL};
static const char *const budget_keys[] = {"episodes", "env_steps", NULL};
static const char *const component_keys[] = {"plugin", "config", NULL};
static const char *const eval_keys[] = {"every_episodes", "every_env_steps", "at_start",
                                        "test_set", "mastery_threshold", NULL};
static const char *const log_keys[] = {"teacher_snapshot_every", "progress", NULL};
static const char *const checkpoint_keys[] = {"every_episodes", "every_seconds", NULL};
static const char *const student_reset_keys[] = {"every_env_steps", NULL};
static const char *const task_shuffle_keys[] = {"cuttings", "seed", NULL};

typedef struct parser {
    const char *file;
    tk_diag *d;
} parser;

static int fail(parser *p, const char *path, const char *fmt, ...) TK_PRINTF(3, 4);
static int fail(parser *p, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tk_diag_set(p->d, p->file, path, "%s", msg);
}

/* Reject keys of `obj` not in `allowed`, suggesting the closest. */
static int check_keys(parser *p, json_t *obj, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int known = 0;
        for (size_t i = 0; allowed[i]; i++)
            known |= strcmp(key, allowed[i]) == 0;
        if (known)
            continue;
        char kpath[256];
        tk_path_join(kpath, sizeof kpath, path, key);
        const char *near = tk_closest_word(key, allowed);
        if (near)
            return fail(p, kpath, "unknown key; did you mean \"%s\"?", near);
        char list[512] = "";
        for (size_t i = 0; allowed[i]; i++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", allowed[i]);
        }
        return fail(p, kpath, "unknown key; the keys allowed here are: %s", list);
    }
    return 0;
}

static json_t *object_member(parser *p, json_t *parent, const char *parent_path,
                             const char *key, int required, int *err)
{
    char path[256];
    tk_path_join(path, sizeof path, parent_path, key);
    json_t *v = json_object_get(parent, key);
    *err = 0;
    if (!v || json_is_null(v)) {
        if (required)
            *err = fail(p, path, "is required (an object)");
        return NULL;
    }
    if (!json_is_object(v)) {
        *err = fail(p, path, "must be an object, got %s", tk_json_type_word(v));
        return NULL;
    }
    return v;
}

/* Optional non-negative integer in [min, max]; absent/null leaves *out. */
static int get_count(parser *p, json_t *obj, const char *obj_path, const char *key,
                     uint64_t min, uint64_t max, uint64_t *out)
{
    char path[256];
    tk_path_join(path, sizeof path, obj_path, key);
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (json_is_real(v))
        return fail(p, path, "must be an integer in [%llu, %llu] written without a decimal "
                             "point or exponent, got %g",
                    (unsigned long long)min, (unsigned long long)max, json_real_value(v));
    if (!json_is_integer(v))
        return fail(p, path, "must be an integer in [%llu, %llu], got %s",
                    (unsigned long long)min, (unsigned long long)max, tk_json_type_word(v));
    json_int_t x = json_integer_value(v);
    if (x < 0 || (uint64_t)x < min || (uint64_t)x > max)
        return fail(p, path, "must be an integer in [%llu, %llu], got %lld",
                    (unsigned long long)min, (unsigned long long)max, (long long)x);
    *out = (uint64_t)x;
    return 0;
}

static int get_bool(parser *p, json_t *obj, const char *obj_path, const char *key, int *out)
{
    char path[256];
    tk_path_join(path, sizeof path, obj_path, key);
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return fail(p, path, "must be true or false, got %s", tk_json_type_word(v));
    *out = json_is_true(v);
    return 0;
}

static int get_choice(parser *p, json_t *obj, const char *obj_path, const char *key,
                      const char *const *choices, int *out)
{
    char path[256];
    tk_path_join(path, sizeof path, obj_path, key);
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v))
        for (int i = 0; choices[i]; i++)
            if (strcmp(json_string_value(v), choices[i]) == 0) {
                *out = i;
                return 0;
            }
    char list[256] = "";
    for (int i = 0; choices[i]; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s\"%s\"", i ? ", " : "", choices[i]);
    }
    return fail(p, path, "must be one of %s", list);
}

static int valid_name(const char *s)
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

static int parse_name(parser *p, json_t *root, tk_manifest *m)
{
    json_t *v = json_object_get(root, "name");
    const char *name = "run";
    if (v && !json_is_null(v)) {
        if (!json_is_string(v))
            return fail(p, "name", "must be a string, got %s", tk_json_type_word(v));
        name = json_string_value(v);
        /* The name becomes a directory name: no separators, no "..". */
        if (!valid_name(name))
            return fail(p, "name", "must be 1-100 characters of [A-Za-z0-9._-] not starting "
                                   "with '.' or '-' (it names the run directory), got \"%s\"",
                        name);
    }
    m->name = strdup(name);
    json_t *desc = json_object_get(root, "description");
    if (desc && !json_is_null(desc) && !json_is_string(desc))
        return fail(p, "description", "must be a string, got %s", tk_json_type_word(desc));
    return 0;
}

static int parse_budget(parser *p, json_t *root, tk_manifest *m)
{
    int err;
    json_t *b = object_member(p, root, "", "budget", 1, &err);
    if (!b)
        return err ? err : -1;
    if (check_keys(p, b, "budget", budget_keys))
        return -1;
    if (get_count(p, b, "budget", "episodes", 1, MAX_COUNT, &m->budget_episodes) ||
        get_count(p, b, "budget", "env_steps", 1, MAX_COUNT, &m->budget_env_steps))
        return -1;
    if (!m->budget_episodes && !m->budget_env_steps)
        return fail(p, "budget", "needs \"episodes\" or \"env_steps\" (or both; the run stops "
                                 "at the first reached)");
    return 0;
}

static int parse_component(parser *p, json_t *root, const char *key, const char *default_plugin,
                           tk_component_ref *ref)
{
    int err;
    json_t *c = object_member(p, root, "", key, default_plugin == NULL, &err);
    if (err)
        return err;
    if (!c) {
        ref->plugin = strdup(default_plugin);
        ref->config = json_object();
        return 0;
    }
    if (check_keys(p, c, key, component_keys))
        return -1;
    char path[64];
    tk_path_join(path, sizeof path, key, "plugin");
    json_t *id = json_object_get(c, "plugin");
    if (!id && default_plugin)
        ref->plugin = strdup(default_plugin);
    else if (!id || !json_is_string(id) || !json_string_length(id))
        return fail(p, path, "is required: the id of a %s plugin (see `teachkit list`)", key);
    else
        ref->plugin = strdup(json_string_value(id));
    tk_path_join(path, sizeof path, key, "config");
    json_t *cfg = json_object_get(c, "config");
    if (cfg && !json_is_null(cfg) && !json_is_object(cfg))
        return fail(p, path, "must be an object, got %s", tk_json_type_word(cfg));
    ref->config = cfg && json_is_object(cfg) ? json_deep_copy(cfg) : json_object();
    return 0;
}

static char *resolve_relative(const char *manifest_file, const char *path);

static int parse_eval(parser *p, json_t *root, tk_manifest *m)
{
    m->eval_every_episodes = 1000;
    m->eval_at_start = 1;
    int err;
    json_t *e = object_member(p, root, "", "eval", 0, &err);
    if (!e)
        return err;
    if (check_keys(p, e, "eval", eval_keys))
        return -1;
    json_t *every_ep = json_object_get(e, "every_episodes");
    if (every_ep && json_is_integer(every_ep) && json_integer_value(every_ep) == 0)
        m->eval_every_episodes = 0;
    else if (get_count(p, e, "eval", "every_episodes", 1, MAX_COUNT, &m->eval_every_episodes))
        return -1;
    if (get_count(p, e, "eval", "every_env_steps", 0, MAX_COUNT, &m->eval_every_env_steps) ||
        get_bool(p, e, "eval", "at_start", &m->eval_at_start))
        return -1;
    json_t *thr = json_object_get(e, "mastery_threshold");
    if (thr && !json_is_null(thr)) {
        if (!json_is_number(thr))
            return fail(p, "eval.mastery_threshold", "must be a number, got %s", tk_json_type_word(thr));
        m->has_mastery_threshold = 1;
        m->mastery_threshold = json_number_value(thr);
    }
    json_t *ts = json_object_get(e, "test_set");
    if (ts && !json_is_null(ts)) {
        if (!json_is_object(ts))
            return fail(p, "eval.test_set", "must be an object such as {\"file\": \"tasks.json\"}"
                                            ", {\"uniform\": 50, \"seed\": 31} or "
                                            "{\"grid\": 10}, got %s", tk_json_type_word(ts));
        m->test_set = json_deep_copy(ts);
        /* Anchor the file at the manifest now: the resolved manifest.json
         * is read from the run directory later (resume, render). */
        json_t *f = json_object_get(m->test_set, "file");
        if (json_is_string(f)) {
            char *abs = resolve_relative(p->file, json_string_value(f));
            json_object_set_new(m->test_set, "file", json_string(abs));
            free(abs);
        }
    }
    return 0;
}

static int parse_log(parser *p, json_t *root, tk_manifest *m)
{
    m->snapshot_every = 1000;
    m->progress = TK_PROGRESS_AUTO;
    int err;
    json_t *l = object_member(p, root, "", "log", 0, &err);
    if (!l)
        return err;
    if (check_keys(p, l, "log", log_keys))
        return -1;
    static const char *const modes[] = {"auto", "always", "never", NULL};
    int mode = (int)m->progress;
    if (get_count(p, l, "log", "teacher_snapshot_every", 0, MAX_COUNT, &m->snapshot_every) ||
        get_choice(p, l, "log", "progress", modes, &mode))
        return -1;
    m->progress = (tk_progress_mode)mode;
    return 0;
}

static int parse_checkpoint(parser *p, json_t *root, tk_manifest *m)
{
    m->checkpoint_every_seconds = 60.0;
    int err;
    json_t *c = object_member(p, root, "", "checkpoint", 0, &err);
    if (!c)
        return err;
    if (check_keys(p, c, "checkpoint", checkpoint_keys) ||
        get_count(p, c, "checkpoint", "every_episodes", 0, MAX_COUNT,
                  &m->checkpoint_every_episodes))
        return -1;
    json_t *sec = json_object_get(c, "every_seconds");
    if (sec && json_is_null(sec))
        m->checkpoint_every_seconds = 0.0;
    else if (sec) {
        double v = json_number_value(sec);
        if (!json_is_number(sec) || !(v >= 0.0 && v <= 1e7))
            return fail(p, "checkpoint.every_seconds",
                        "must be a number of seconds in [0, 1e7] (0 or null: not by time)");
        m->checkpoint_every_seconds = v;
    }
    return 0;
}

/* "student_reset": the forgetting student of TeachMyAgent's profiles. */
static int parse_student_reset(parser *p, json_t *root, tk_manifest *m)
{
    int err;
    json_t *r = object_member(p, root, "", "student_reset", 0, &err);
    if (!r)
        return err;
    if (check_keys(p, r, "student_reset", student_reset_keys))
        return -1;
    if (!json_object_get(r, "every_env_steps"))
        return fail(p, "student_reset.every_env_steps", "is required (an integer >= 1)");
    return get_count(p, r, "student_reset", "every_env_steps", 1, MAX_COUNT,
                     &m->student_reset_every_env_steps);
}

/* "task_shuffle": TeachMyAgent's rugged-difficulty profile. */
static int parse_task_shuffle(parser *p, json_t *root, tk_manifest *m)
{
    int err;
    json_t *t = object_member(p, root, "", "task_shuffle", 0, &err);
    if (!t)
        return err;
    m->shuffle_cuttings = 4;  /* the reference's default */
    if (check_keys(p, t, "task_shuffle", task_shuffle_keys) ||
        get_count(p, t, "task_shuffle", "cuttings", 1, 1024, &m->shuffle_cuttings))
        return -1;
    json_t *seed = json_object_get(t, "seed");
    m->shuffle_has_seed = seed && !json_is_null(seed);
    /* NumPy's RandomState takes seeds below 2^32. */
    return get_count(p, t, "task_shuffle", "seed", 0, UINT32_MAX, &m->shuffle_seed);
}

/* Relative paths are anchored at the manifest's directory, made absolute
 * when it exists: manifest.json stores these paths, so they must mean the
 * same from any working directory (a run resumed from elsewhere compares
 * its manifest with the stored one). */
static char *resolve_relative(const char *manifest_file, const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    const char *slash = strrchr(manifest_file, '/');
    char dir[PATH_MAX], real[PATH_MAX];
    if (!slash || slash == manifest_file)
        snprintf(dir, sizeof dir, "%s", slash ? "/" : ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - manifest_file), manifest_file);
    const char *base = realpath(dir, real) ? real : slash ? dir : NULL;
    if (!base)
        return strdup(path);
    size_t n = strlen(base) + 1 + strlen(path) + 1;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s%s%s", base, strcmp(base, "/") == 0 ? "" : "/", path);
    return out;
}

static int parse_plugin_paths(parser *p, json_t *root, tk_manifest *m)
{
    json_t *a = json_object_get(root, "plugin_paths");
    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a))
        return fail(p, "plugin_paths", "must be an array of file or directory paths");
    m->plugin_paths = calloc(json_array_size(a) + 1, sizeof *m->plugin_paths);
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *s = json_array_get(a, i);
        char path[64];
        tk_path_index(path, sizeof path, "plugin_paths", i);
        if (!json_is_string(s) || !json_string_length(s))
            return fail(p, path, "must be a non-empty string (a .so file or a directory)");
        m->plugin_paths[m->n_plugin_paths++] = resolve_relative(p->file, json_string_value(s));
    }
    return 0;
}

int tk_manifest_parse(json_t *root, const char *file, tk_manifest *m, tk_diag *d)
{
    memset(m, 0, sizeof *m);
    m->file = strdup(file);
    parser p = {file, d};
    if (!json_is_object(root))
        return fail(&p, "", "the manifest must be a JSON object, got %s", tk_json_type_word(root));
    if (check_keys(&p, root, "", top_keys) || parse_name(&p, root, m))
        return -1;
    json_t *seed = json_object_get(root, "seed");
    if (!seed)
        m->seed = 0;
    else if (get_count(&p, root, "", "seed", 0, (uint64_t)INT64_MAX, &m->seed))
        return -1;
    static const char *const policies[] = {"stop", "skip", NULL};
    int policy = TK_NONFINITE_STOP;
    if (parse_budget(&p, root, m) ||
        parse_component(&p, root, "teacher", NULL, &m->teacher) ||
        parse_component(&p, root, "env", NULL, &m->env) ||
        parse_component(&p, root, "student", "none", &m->student) || parse_eval(&p, root, m) ||
        parse_log(&p, root, m) || parse_checkpoint(&p, root, m) ||
        parse_plugin_paths(&p, root, m) || parse_student_reset(&p, root, m) ||
        parse_task_shuffle(&p, root, m) ||
        get_choice(&p, root, "", "on_nonfinite", policies, &policy))
        return -1;
    m->on_nonfinite = (tk_nonfinite_policy)policy;
    return 0;
}

int tk_manifest_load(const char *file, tk_manifest *m, tk_diag *d)
{
    memset(m, 0, sizeof *m);
    json_t *root = tk_json_read_file(file, "the manifest", TK_MAX_MANIFEST_BYTES,
                                     JSON_REJECT_DUPLICATES, d);
    if (!root)
        return -1;
    int rc = tk_manifest_parse(root, file, m, d);
    json_decref(root);
    return rc;
}

void tk_manifest_free(tk_manifest *m)
{
    free(m->file);
    free(m->name);
    tk_component_ref *refs[] = {&m->teacher, &m->env, &m->student};
    for (size_t i = 0; i < 3; i++) {
        free(refs[i]->plugin);
        json_decref(refs[i]->config);
    }
    json_decref(m->test_set);
    for (size_t i = 0; i < m->n_plugin_paths; i++)
        free(m->plugin_paths[i]);
    free(m->plugin_paths);
    memset(m, 0, sizeof *m);
}

static json_t *count_or_null(uint64_t v)
{
    return v ? json_integer((json_int_t)v) : json_null();
}

static json_t *component_json(const tk_component_ref *ref, json_t *resolved)
{
    return json_pack("{s:s, s:O}", "plugin", ref->plugin, "config",
                     resolved ? resolved : ref->config);
}

json_t *tk_manifest_to_json(const tk_manifest *m, json_t *teacher_cfg, json_t *env_cfg,
                            json_t *student_cfg)
{
    static const char *const progress[] = {"auto", "always", "never"};
    json_t *paths = json_array();
    for (size_t i = 0; i < m->n_plugin_paths; i++)
        json_array_append_new(paths, json_string(m->plugin_paths[i]));
    json_t *root = json_object();
    json_object_set_new(root, "name", json_string(m->name));
    json_object_set_new(root, "seed", json_integer((json_int_t)m->seed));
    json_object_set_new(root, "budget", json_pack("{s:o, s:o}", "episodes",
                                                  count_or_null(m->budget_episodes), "env_steps",
                                                  count_or_null(m->budget_env_steps)));
    json_object_set_new(root, "teacher", component_json(&m->teacher, teacher_cfg));
    json_object_set_new(root, "env", component_json(&m->env, env_cfg));
    json_object_set_new(root, "student", component_json(&m->student, student_cfg));
    json_object_set_new(
        root, "eval",
        /* every_episodes as an integer even when 0: null would read back
         * as the default, 1000. */
        json_pack("{s:I, s:o, s:b, s:O?, s:o}", "every_episodes",
                  (json_int_t)m->eval_every_episodes, "every_env_steps",
                  count_or_null(m->eval_every_env_steps), "at_start", m->eval_at_start,
                  "test_set", m->test_set, "mastery_threshold",
                  m->has_mastery_threshold ? json_real(m->mastery_threshold) : json_null()));
    json_object_set_new(root, "log", json_pack("{s:I, s:s}", "teacher_snapshot_every",
                                               (json_int_t)m->snapshot_every, "progress",
                                               progress[m->progress]));
    json_object_set_new(root, "checkpoint",
                        json_pack("{s:o, s:o}", "every_episodes",
                                  count_or_null(m->checkpoint_every_episodes), "every_seconds",
                                  m->checkpoint_every_seconds > 0
                                      ? json_real(m->checkpoint_every_seconds)
                                      : json_null()));
    json_object_set_new(root, "plugin_paths", paths);
    json_object_set_new(root, "on_nonfinite",
                        json_string(m->on_nonfinite == TK_NONFINITE_SKIP ? "skip" : "stop"));
    /* Written only when set, so that the resolved manifests (and study
     * hashes) of runs without profiles stay what they were. */
    if (m->student_reset_every_env_steps)
        json_object_set_new(root, "student_reset",
                            json_pack("{s:I}", "every_env_steps",
                                      (json_int_t)m->student_reset_every_env_steps));
    if (m->shuffle_cuttings)
        json_object_set_new(root, "task_shuffle",
                            json_pack("{s:I, s:o}", "cuttings", (json_int_t)m->shuffle_cuttings,
                                      "seed", m->shuffle_has_seed
                                                  ? json_integer((json_int_t)m->shuffle_seed)
                                                  : json_null()));
    return root;
}
