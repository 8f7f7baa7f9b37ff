/*
 * Fuzz harness: manifest parsing and validation, config resolution and
 * study expansion -- everything the host does with a manifest before it
 * loads a plugin.  libFuzzer entry point; tests/fuzz/replay_main.c replays
 * a corpus without libFuzzer.
 *
 * The bytes are parsed as JSON the way `teachkit run` and `teachkit study`
 * do (rejecting duplicate keys), then:
 *   1. tk_manifest_parse; on success each component's config is resolved
 *      against a fixed descriptor with nested defaults of every JSON type,
 *      the test set is built on a fixed 2-D task space (except the "file"
 *      form: no file system access from a fuzzer), and the manifest goes
 *      through tk_manifest_to_json -> tk_manifest_parse -> tk_manifest_to_json,
 *      which must give the same JSON (manifest.json is a valid manifest);
 *   2. tk_study_expand; on success every run manifest is validated as
 *      `teachkit study` does, and when all are valid every run directory
 *      name must be a single safe path component (no traversal).
 * Every diagnostic must be one line.  A violated property calls abort(),
 * which libFuzzer reports as a crash.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "teachkit/plugin_config.h"
#include "study.h"
#include "test_set.h"

/* In the root directory, so relative plugin_paths resolve the same way on
 * every machine. */
#define FILE_NAME "/fuzz-manifest.json"

/* Defaults of every JSON type, nested, like real plugins declare. */
static const tk_descriptor fixed_desc = {
    .struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER,
    .id = "fuzz",
    .name = "Fuzz",
    .version = "1.0.0",
    .description = "fixed descriptor of the manifest fuzzer",
    .default_config = "{\"fit_rate\": 250, \"ratio\": 0.2, \"mode\": \"auto\", \"flag\": false, "
                      "\"derived\": null, \"sizes\": [400, 300], "
                      "\"nested\": {\"depth\": 3, \"inner\": {\"scale\": 1.5, \"tags\": []}}}",
};

static const tk_dim fixed_dims[2] = {{"x", 0.0, 1.0}, {"y", -2.0, 3.0}};
static const tk_task_space fixed_space = {2, fixed_dims};

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_manifest: property violated: %s: %s\n", what, detail ? detail : "");
    abort();
}

static void check_one_line(const char *s, const char *what)
{
    if (strchr(s, '\n') || strchr(s, '\r'))
        fail(what, s);
}

/* Every error is one line naming the file (diag.h). */
static void check_diag(const tk_diag *d)
{
    check_one_line(d->file, "diagnostic file has a line break");
    check_one_line(d->path, "diagnostic path has a line break");
    check_one_line(d->message, "diagnostic message has a line break");
    if (!d->message[0])
        fail("failure without a message", d->path);
}

/* A run or study directory name: one path component, not empty, not
 * hidden (so neither "." nor ".."). */
static void check_dir_name(const char *s, const char *what)
{
    if (!s[0] || s[0] == '.' || strchr(s, '/'))
        fail(what, s);
}

static void check_configs(const tk_manifest *m)
{
    const tk_component_ref *refs[] = {&m->teacher, &m->env, &m->student};
    for (size_t i = 0; i < 3; i++) {
        tk_diag d;
        tk_diag_clear(&d);
        json_t *r = tk_resolve_config(&fixed_desc, refs[i]->config, m->file, "teacher.config", &d);
        if (!r) {
            check_diag(&d);
            continue;
        }
        if (!json_is_object(r) || !json_object_get(r, "fit_rate"))
            fail("resolved config lost a default", refs[i]->plugin);
        /* The plugin receives the resolved config as text. */
        char *text = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
        json_t *back = text ? json_loads(text, 0, NULL) : NULL;
        if (!back || !json_equal(back, r))
            fail("resolved config does not survive its text form", text);
        json_decref(back);
        free(text);
        json_decref(r);
    }
}

static void check_test_set(const tk_manifest *m)
{
    if (m->test_set && json_object_get(m->test_set, "file"))
        return;
    tk_test_set ts;
    tk_diag d;
    tk_diag_clear(&d);
    if (tk_test_set_build(&ts, m->test_set, &fixed_space, m->file, &d) != 0) {
        check_diag(&d);
        return;
    }
    if (ts.n == 0 || ts.dims != 2)
        fail("empty test set", "");
    for (size_t i = 0; i < ts.n; i++)
        for (size_t k = 0; k < 2; k++) {
            float v = ts.tasks[i * 2 + k];
            if (!(v >= (float)fixed_dims[k].low && v <= (float)fixed_dims[k].high))
                fail("test task outside the task space", "");
        }
    tk_test_set_free(&ts);
}

/* manifest.json (the resolved manifest) must parse to the same manifest. */
static void check_round_trip(const tk_manifest *m)
{
    json_t *j1 = tk_manifest_to_json(m, NULL, NULL, NULL);
    tk_manifest m2;
    tk_diag d;
    tk_diag_clear(&d);
    if (tk_manifest_parse(j1, m->file, &m2, &d) != 0) {
        char *text = json_dumps(j1, JSON_COMPACT);
        fprintf(stderr, "%s\n%s: %s\n", text ? text : "", d.path, d.message);
        fail("the resolved manifest is not a valid manifest", d.message);
    }
    json_t *j2 = tk_manifest_to_json(&m2, NULL, NULL, NULL);
    if (!json_equal(j1, j2)) {
        char *a = json_dumps(j1, JSON_COMPACT | JSON_SORT_KEYS);
        char *b = json_dumps(j2, JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(stderr, "first:  %s\nsecond: %s\n", a ? a : "", b ? b : "");
        fail("the resolved manifest changes when parsed again", "");
    }
    check_dir_name(m2.name, "run name is not a safe directory name");
    json_decref(j1);
    json_decref(j2);
    tk_manifest_free(&m2);
}

static void check_manifest(json_t *root)
{
    tk_manifest m;
    tk_diag d;
    tk_diag_clear(&d);
    if (tk_manifest_parse(root, FILE_NAME, &m, &d) != 0) {
        check_diag(&d);
        tk_manifest_free(&m);
        return;
    }
    check_dir_name(m.name, "run name is not a safe directory name");
    if (!m.budget_episodes && !m.budget_env_steps)
        fail("a manifest without a budget was accepted", "");
    check_configs(&m);
    check_test_set(&m);
    check_round_trip(&m);
    tk_manifest_free(&m);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A seed range is the one way a few bytes expand to 10^5 runs, which takes
 * seconds and would stall the fuzzer; large studies are covered by the
 * inputs in regress_manifest/ instead, which the replay test runs with
 * TK_FUZZ_BIG_STUDIES set. */
static int huge_seed_range(json_t *root)
{
    json_t *r = json_object_get(json_object_get(root, "seed"), "range");
    json_t *a = json_array_get(r, 0), *b = json_array_get(r, 1);
    return json_is_integer(a) && json_is_integer(b) &&
           (double)json_integer_value(b) - (double)json_integer_value(a) > 2000.0 &&
           getenv("TK_FUZZ_BIG_STUDIES") == NULL;
}

static void check_study(json_t *root)
{
    if (huge_seed_range(root))
        return;
    tk_study st;
    tk_diag d;
    tk_diag_clear(&d);
    if (tk_study_expand(root, "fuzz/study.json", &st, &d) != 0) {
        check_diag(&d);
        tk_study_free(&st);
        return;
    }
    if (st.n_runs == 0)
        fail("a study without runs", "");
    /* As `teachkit study` does before creating any directory. */
    int all_valid = 1;
    for (size_t i = 0; i < st.n_runs && all_valid; i++) {
        tk_manifest m;
        tk_diag_clear(&d);
        if (tk_manifest_parse(st.runs[i].manifest, "fuzz/study.json", &m, &d) != 0) {
            check_diag(&d);
            all_valid = 0;
        }
        tk_manifest_free(&m);
    }
    if (all_valid) {
        check_dir_name(st.name, "study name is not a safe directory name");
        const char **dirs = malloc(st.n_runs * sizeof *dirs);
        for (size_t i = 0; i < st.n_runs; i++) {
            check_dir_name(st.runs[i].dir, "run directory escapes the study");
            check_dir_name(st.runs[i].group, "group name is not a safe name");
            dirs[i] = st.runs[i].dir;
        }
        qsort(dirs, st.n_runs, sizeof *dirs, compare_strings);
        for (size_t i = 1; i < st.n_runs; i++)
            if (strcmp(dirs[i - 1], dirs[i]) == 0)
                fail("two runs share a directory", dirs[i]);
        free(dirs);
    }
    tk_study_free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return 0;
    check_manifest(root);
    check_study(root);
    json_decref(root);
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}
