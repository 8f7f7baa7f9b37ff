/*
 * The experiment manifest (documented in docs/manifest.md): parsing and
 * validation of everything the host itself reads.  Plugin configs are only
 * stored here; they are resolved against each plugin's defaults by
 * plugin_config.h once the plugin is found.
 *
 * Every error names the manifest file and the JSON path.  A tk_manifest owns
 * all its strings and JSON; free it with tk_manifest_free.
 */
#ifndef TK_HOST_MANIFEST_H
#define TK_HOST_MANIFEST_H

#include <jansson.h>
#include <stdint.h>

#include "teachkit/diag.h"

typedef struct tk_component_ref {
    char *plugin;     /* plugin id */
    json_t *config;   /* the manifest's config object (owned; {} when absent) */
} tk_component_ref;

typedef enum tk_progress_mode { TK_PROGRESS_AUTO, TK_PROGRESS_ALWAYS, TK_PROGRESS_NEVER } tk_progress_mode;
typedef enum tk_nonfinite_policy { TK_NONFINITE_STOP, TK_NONFINITE_SKIP } tk_nonfinite_policy;

typedef struct tk_manifest {
    char *file;                  /* the manifest's path, for messages */
    char *name;
    uint64_t seed;
    uint64_t budget_episodes;    /* 0 = no episode limit */
    uint64_t budget_env_steps;   /* 0 = no step limit */
    tk_component_ref teacher, env, student;
    uint64_t eval_every_episodes;   /* 0 = not by episodes */
    uint64_t eval_every_env_steps;  /* 0 = not by steps */
    int eval_at_start;
    json_t *test_set;            /* owned; NULL when absent (env default) */
    int has_mastery_threshold;
    double mastery_threshold;
    uint64_t snapshot_every;     /* teacher snapshot interval in episodes, 0 = never */
    tk_progress_mode progress;
    uint64_t checkpoint_every_episodes;  /* 0 = not by episodes */
    double checkpoint_every_seconds;     /* 0 = not by time */
    tk_nonfinite_policy on_nonfinite;
    /* Challenge profiles (docs/manifest.md, "Challenge profiles"). */
    uint64_t student_reset_every_env_steps; /* 0 = the student is never reset */
    uint64_t shuffle_cuttings;   /* 0 = the teacher sees the env's task space */
    int shuffle_has_seed;        /* else the shuffle is seeded with the run seed */
    uint64_t shuffle_seed;
    char **plugin_paths;         /* resolved against the manifest's directory */
    size_t n_plugin_paths;
} tk_manifest;

/* Read and validate `file`.  Returns 0, or -1 with `d` filled. */
int tk_manifest_load(const char *file, tk_manifest *m, tk_diag *d);
/* Validate an already parsed manifest (borrowed); `file` names it in
 * messages and anchors relative paths. */
int tk_manifest_parse(json_t *root, const char *file, tk_manifest *m, tk_diag *d);
void tk_manifest_free(tk_manifest *m);

/* The manifest as JSON with every host default filled in (new reference).
 * Plugin configs are the given resolved ones. */
json_t *tk_manifest_to_json(const tk_manifest *m, json_t *teacher_cfg, json_t *env_cfg,
                            json_t *student_cfg);

#endif
