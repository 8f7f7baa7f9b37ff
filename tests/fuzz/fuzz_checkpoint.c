/*
 * Fuzz harness: everything that reads checkpoint bytes.  A checkpoint.bin
 * on disk may be truncated, corrupt, or from another build; `--resume` must
 * then fail with a message, never crash or misbehave.  libFuzzer entry
 * point; tests/fuzz/replay_main.c replays a corpus without libFuzzer.
 *
 * The first byte picks the target:
 *   'C' NAME '\0' BYTES  -- BYTES make a run's checkpoint.bin: an experiment
 *        NAME (table `experiments` below: toy-grid with each bundled teacher,
 *        pendulum with SAC, mountain-car with PPO) is set up fresh and
 *        tk_checkpoint_read restores it from the file.  BYTES starting with
 *        "TKCP" are the whole file (its header and checksums are fuzzed);
 *        other BYTES are a body, given a valid header first, so that the
 *        fuzzer reaches the body's parser and the plugins' load hooks past
 *        the checksums.  When the checkpoint is accepted, the teacher is
 *        driven a little, a new checkpoint is written and it must restore a
 *        fresh experiment.
 *   'P' KIND:ID '\0' BYTES -- BYTES go to the `load` hook of a freshly
 *        created instance of that bundled component (e.g. "teacher:riac").
 *        When accepted, the instance is exercised (sample/update, reset/step,
 *        act/observe), saved, and its saved bytes must load into a fresh
 *        instance.
 *   anything else -- a program for tk_state_reader: byte 1 is the number
 *        of operations, then one byte per operation, then the bytes read.
 *        The reader's documented invariants are checked after every call.
 *
 * At start-up every bundled teacher must reject a NaN task in update().
 *
 * The bundled plugins are found in $TK_FUZZ_PLUGIN_DIR, by default the
 * build tree's plugins/ directory two levels above this executable
 * (BUILD/tests/fuzz/).  TK_FUZZ_VERBOSE=1 prints what each input did;
 * TK_FUZZ_SKIP=student:sac,pendulum-sac,... leaves targets out.  A
 * violated property calls abort().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "experiment.h"
#include "teachkit/instance.h"
#include "manifest.h"
#include "teachkit/plugin_config.h"
#include "registry.h"
#include "teachkit/state.h"

/* ------------------------------------------------------------ fixtures */

/* Small configs: fast to create, and the seed corpus is made with them. */
static const struct {
    const char *key;
    const char *config;
} small_configs[] = {
    {"teacher:alp-gmm", "{\"fit_rate\": 50}"},
    {"teacher:covar-gmm", "{\"fit_rate\": 50}"},
    {"teacher:riac", "{\"max_region_size\": 20}"},
    {"teacher:oracle", "{\"window_step_vector\": [0.1, 0.1]}"},
    {"teacher:adr", "{\"max_reward_thr\": 0.8, \"min_reward_thr\": 0.2}"},
    {"teacher:spdl", "{\"update_frequency\": 20, \"update_offset\": 40}"},
    {"teacher:goal-gan", "{\"success\": \"env\", \"generator_hidden\": 8, "
                         "\"discriminator_hidden\": 8, \"gan_iterations\": 2, "
                         "\"update_size\": 10}"},
    {"teacher:setter-solver", "{\"success\": \"env\", \"setter_hidden_size\": 4, "
                              "\"update_frequency\": 10}"},
    {"student:sac", "{\"hidden_sizes\": [8, 8], \"batch_size\": 4, \"buffer_size\": 64, "
                    "\"start_steps\": 2}"},
    {"student:ppo", "{\"hidden_sizes\": [8, 8], \"nsteps\": 16, \"minibatch_size\": 4, "
                    "\"epochs\": 1}"},
};

/* Whole-checkpoint targets: run manifests (the fuzzer never runs them,
 * it only sets them up and restores them). */
static const struct {
    const char *name;
    const char *manifest;
} experiments[] = {
    {"toy-random", "{\"budget\": {\"episodes\": 10}, \"teacher\": {\"plugin\": \"random\"}, "
                   "\"env\": {\"plugin\": \"toy-grid\"}}"},
    {"toy-alp-gmm", "{\"budget\": {\"episodes\": 10}, \"teacher\": {\"plugin\": \"alp-gmm\", "
                    "\"config\": {\"fit_rate\": 50}}, \"env\": {\"plugin\": \"toy-grid\"}}"},
    {"toy-covar-gmm", "{\"budget\": {\"episodes\": 10}, \"teacher\": {\"plugin\": "
                      "\"covar-gmm\", \"config\": {\"fit_rate\": 50}}, "
                      "\"env\": {\"plugin\": \"toy-grid\"}}"},
    {"toy-riac", "{\"budget\": {\"episodes\": 10}, \"teacher\": {\"plugin\": \"riac\", "
                 "\"config\": {\"max_region_size\": 20}}, \"env\": {\"plugin\": \"toy-grid\"}}"},
    {"toy-oracle", "{\"budget\": {\"episodes\": 10}, \"teacher\": {\"plugin\": \"oracle\", "
                   "\"config\": {\"window_step_vector\": [0.1, 0.1]}}, "
                   "\"env\": {\"plugin\": \"toy-grid\"}}"},
    {"pendulum-sac", "{\"budget\": {\"episodes\": 10}, \"teacher\": {\"plugin\": \"random\"}, "
                     "\"env\": {\"plugin\": \"pendulum\"}, \"student\": {\"plugin\": \"sac\", "
                     "\"config\": {\"hidden_sizes\": [8, 8], \"batch_size\": 4, "
                     "\"buffer_size\": 64, \"start_steps\": 2}}, "
                     "\"eval\": {\"test_set\": {\"uniform\": 2}}}"},
    {"mountain-car-ppo", "{\"budget\": {\"episodes\": 10}, \"teacher\": {\"plugin\": "
                         "\"alp-gmm\", \"config\": {\"fit_rate\": 50}}, "
                         "\"env\": {\"plugin\": \"mountain-car\"}, \"student\": {\"plugin\": "
                         "\"ppo\", \"config\": {\"hidden_sizes\": [8, 8], \"nsteps\": 16, "
                         "\"minibatch_size\": 4, \"epochs\": 1}}, "
                         "\"eval\": {\"test_set\": {\"uniform\": 2}}}"},
};
#define N_EXPERIMENTS (sizeof experiments / sizeof experiments[0])

/* The fixed shapes components are created for. */
static const tk_dim space_dims[2] = {{"a", 0.0, 1.0}, {"b", 0.0, 1.0}};
static const tk_task_space space = {2, space_dims};
static const float obs_low[3] = {-1.0f, -1.0f, -8.0f}, obs_high[3] = {1.0f, 1.0f, 8.0f};
static const float act_low[1] = {-2.0f}, act_high[1] = {2.0f};
static const tk_student_spec student_spec = {3, 1, obs_low, obs_high, act_low, act_high, 200, sizeof(tk_student_spec)};

static tk_registry *registry;
static tk_manifest manifests[N_EXPERIMENTS];
static int manifest_ok[N_EXPERIMENTS];
static char work_dir[PATH_MAX];

static int verbose; /* TK_FUZZ_VERBOSE: say what each input did */

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_checkpoint: property violated: %s: %s\n", what, detail ? detail : "");
    abort();
}

/* ------------------------------------------------------------ instances */

static const char *kind_prefix(tk_kind k)
{
    return k == TK_KIND_TEACHER ? "teacher" : k == TK_KIND_ENV ? "env" : "student";
}

/* TK_FUZZ_SKIP=NAME,NAME...: components ("student:sac") and experiments
 * ("pendulum-sac") left out of a campaign while a finding against them is
 * open, so it does not stop the search for others. */
static int skipped(const char *key)
{
    const char *p = getenv("TK_FUZZ_SKIP");
    size_t n = strlen(key);
    while (p && *p) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, key, n) == 0)
            return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

/* The i-th component found, loaded; NULL for built-ins. */
static const tk_component *component_at(size_t i)
{
    const tk_plugin_info *in = tk_registry_info_at(registry, i);
    if (strcmp(in->file, "(built-in)") == 0)
        return NULL;
    tk_diag d;
    return tk_registry_find(registry, in->kind, in->id, &d);
}

static const tk_component *find_component(const char *key)
{
    if (skipped(key))
        return NULL;
    for (size_t i = 0; i < tk_registry_info_count(registry); i++) {
        const tk_plugin_info *in = tk_registry_info_at(registry, i);
        char k[128];
        snprintf(k, sizeof k, "%s:%s", kind_prefix(in->kind), in->id);
        if (strcmp(k, key) == 0)
            return component_at(i);
    }
    return NULL;
}

/* Creates an instance with the small config; 0 on success. */
static int create(tk_instance *inst, const tk_component *c)
{
    char key[128];
    snprintf(key, sizeof key, "%s:%s", kind_prefix(c->desc->kind), c->desc->id);
    json_t *user = NULL;
    for (size_t i = 0; i < sizeof small_configs / sizeof small_configs[0]; i++)
        if (strcmp(small_configs[i].key, key) == 0)
            user = json_loads(small_configs[i].config, 0, NULL);
    tk_diag d;
    json_t *cfg = tk_resolve_config(c->desc, user, "fuzz", "config", &d);
    json_decref(user);
    if (!cfg)
        return -1;
    tk_instance_init(inst, c, cfg, 1, kind_prefix(c->desc->kind));
    int rc;
    switch (c->desc->kind) {
    case TK_KIND_TEACHER: rc = tk_instance_create_teacher(inst, &space, "fuzz", &d); break;
    case TK_KIND_ENV: rc = tk_instance_create_env(inst, "fuzz", &d); break;
    default: rc = tk_instance_create_student(inst, &student_spec, "fuzz", &d); break;
    }
    if (rc) {
        tk_instance_destroy(inst);
        fprintf(stderr, "fuzz_checkpoint: cannot create %s: %s\n", key, d.message);
    }
    return rc;
}

typedef tk_status (*save_fn)(void *, const void **, size_t *);
typedef tk_status (*load_fn)(void *, const void *, size_t);

static void hooks(const tk_component *c, save_fn *save, load_fn *load)
{
    /* The host's vtable copies: a member the plugin lacks is NULL. */
    const tk_vtable_copy *v = &c->vtable;
    switch (c->desc->kind) {
    case TK_KIND_TEACHER: *save = v->teacher.save, *load = v->teacher.load; break;
    case TK_KIND_ENV: *save = v->env.save, *load = v->env.load; break;
    case TK_KIND_STUDENT: *save = v->student.save, *load = v->student.load; break;
    default: *save = NULL, *load = NULL; break;
    }
    if (!*save || !*load)
        *save = NULL, *load = NULL;
}

/* The teacher's contract on a NaN task: rejected (plugin.h). */
static void check_rejects_nan(tk_instance *t)
{
    const tk_teacher_vtable *v = t->comp->desc->vtable;
    const float nan_task[2] = {0.5f, NAN};
    if (v->update(t->self, nan_task, 0.5, 1) == TK_OK)
        fail("a teacher accepted a NaN task", t->ctx.id);
}

static void exercise_teacher(tk_instance *t, const tk_task_space *sp)
{
    const tk_teacher_vtable *v = t->comp->desc->vtable;
    float task[16];
    if (sp->dims > 16)
        return;
    for (int i = 0; i < 4; i++) {
        if (v->sample(t->self, task) != TK_OK)
            break;
        v->update(t->self, task, (double)(i % 3) / 2.0, i & 1);
    }
    if (v->snapshot) {
        const char *json = NULL;
        (void)v->snapshot(t->self, &json);
    }
    check_rejects_nan(t);
}

static void exercise_env(tk_instance *e)
{
    const tk_env_vtable *v = e->comp->desc->vtable;
    tk_env_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    if (v->info(e->self, &info) != TK_OK || info.task_space.dims == 0 ||
        info.task_space.dims > 64 || info.obs_dim > 4096 || info.act_dim > 256)
        return;
    float task[64], action[257];
    float *obs = calloc(info.obs_dim + 1, sizeof *obs);
    for (size_t i = 0; i < info.task_space.dims; i++)
        task[i] = (float)(0.5 * (info.task_space.dim[i].low + info.task_space.dim[i].high));
    for (size_t i = 0; i < info.act_dim; i++)
        action[i] = 0.5f * (info.act_low[i] + info.act_high[i]);
    if (obs && v->set_task(e->self, task) == TK_OK && v->reset(e->self, obs) == TK_OK) {
        for (int s = 0; s < 3; s++) {
            double r;
            int done = 0;
            if (v->step(e->self, action, obs, &r, &done) != TK_OK || done)
                break;
        }
    }
    free(obs);
}

static void exercise_student(tk_instance *s)
{
    const tk_student_vtable *v = s->comp->desc->vtable;
    float obs[3] = {0.1f, -0.2f, 0.3f}, next[3] = {0.2f, -0.1f, 0.0f}, action[1] = {0.0f};
    for (int i = 0; i < 3; i++) {
        if (v->act(s->self, obs, 0, action) != TK_OK)
            return;
        if (v->observe(s->self, obs, action, 0.25, next, i == 2, 0) != TK_OK)
            return;
    }
    v->end_episode(s->self, 0.75, 3);
    v->act(s->self, obs, 1, action);
}

static void exercise(tk_instance *inst)
{
    switch (inst->comp->desc->kind) {
    case TK_KIND_TEACHER: exercise_teacher(inst, &space); break;
    case TK_KIND_ENV: exercise_env(inst); break;
    case TK_KIND_STUDENT: exercise_student(inst); break;
    }
}

/* 'P': bytes into one component's load hook. */
static void fuzz_plugin_load(const char *key, const uint8_t *data, size_t size)
{
    const tk_component *c = find_component(key);
    if (!c)
        return;
    save_fn save;
    load_fn load;
    hooks(c, &save, &load);
    if (!load || !save)
        return;
    tk_instance inst;
    if (create(&inst, c))
        return;
    /* An exact-size copy, so reading one byte past the blob is caught. */
    uint8_t *blob = malloc(size ? size : 1);
    memcpy(blob, data, size);
    tk_status st = load(inst.self, blob, size);
    free(blob);
    if (verbose)
        fprintf(stderr, "P %s: %zu bytes %s%s\n", key, size, st == TK_OK ? "loaded" : "rejected: ",
                st == TK_OK ? "" : inst.ctx.err_message);
    if (st == TK_OK) {
        exercise(&inst);
        const void *saved = NULL;
        size_t n = 0;
        if (save(inst.self, &saved, &n) == TK_OK) {
            uint8_t *copy = malloc(n ? n : 1);
            memcpy(copy, saved, n);
            tk_instance fresh;
            if (create(&fresh, c) == 0) {
                tk_status st2 = load(fresh.self, copy, n);
                if (st2 != TK_OK)
                    fail("a saved state does not load again", fresh.ctx.err_message);
                exercise(&fresh);
                tk_instance_destroy(&fresh);
            }
            free(copy);
        }
    }
    tk_instance_destroy(&inst);
}

/* ------------------------------------------------------- checkpoints */

static int write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    while (size) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        data += n;
        size -= (size_t)n;
    }
    close(fd);
    return size ? -1 : 0;
}

static void fuzz_checkpoint(const char *name, const uint8_t *data, size_t size)
{
    size_t e = 0;
    while (e < N_EXPERIMENTS && strcmp(experiments[e].name, name) != 0)
        e++;
    if (e == N_EXPERIMENTS || !manifest_ok[e] || skipped(name))
        return;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/checkpoint.bin", work_dir);
    int whole = size >= 4 && memcmp(data, "TKCP", 4) == 0;
    uint8_t *file = malloc(size + TK_CHECKPOINT_HEADER_SIZE);
    if (!file)
        return;
    if (!whole)
        tk_checkpoint_header(file, data, size);
    if (size)
        memcpy(file + (whole ? 0 : TK_CHECKPOINT_HEADER_SIZE), data, size);
    int written = write_file(path, file, size + (whole ? 0 : TK_CHECKPOINT_HEADER_SIZE));
    free(file);
    if (written)
        fail("cannot write the checkpoint file", path);
    tk_experiment x;
    tk_diag d;
    tk_diag_clear(&d);
    if (tk_experiment_setup(&x, &manifests[e], registry, &d)) {
        tk_experiment_teardown(&x);
        return;
    }
    tk_run_progress p;
    memset(&p, 0, sizeof p);
    char note[1024];
    int rc = tk_checkpoint_read(work_dir, &x, &p, NULL, 0, note, sizeof note, &d);
    if (verbose)
        fprintf(stderr, "C %s: %zu bytes %s%s\n", name, size, rc == 0 ? "restored" : "rejected: ",
                rc == 0 ? "" : d.message);
    if (rc < 0 && !d.message[0])
        fail("a rejected checkpoint without a message", name);
    if (rc == 0) {
        exercise_teacher(&x.teacher, &x.info.task_space);
        if (tk_checkpoint_write(work_dir, &x, &p, NULL, &d))
            fail("cannot write a checkpoint after restoring one", d.message);
        tk_experiment y;
        tk_run_progress q;
        memset(&q, 0, sizeof q);
        if (tk_experiment_setup(&y, &manifests[e], registry, &d) == 0) {
            if (tk_checkpoint_read(work_dir, &y, &q, NULL, 0, note, sizeof note, &d) != 0)
                fail("a checkpoint written after a restore does not restore", d.message);
            if (memcmp(&p, &q, sizeof p) != 0)
                fail("the progress counters change through a checkpoint", name);
        }
        tk_experiment_teardown(&y);
    }
    tk_experiment_teardown(&x);
    unlink(path);
    /* The write above made the input the previous checkpoint: gone, or the
     * next input would fall back to it. */
    snprintf(path, sizeof path, "%s/checkpoint.prev.bin", work_dir);
    unlink(path);
}

/* ------------------------------------------------------- state reader */

static void fuzz_state_reader(const uint8_t *data, size_t size)
{
    if (size < 2)
        return;
    size_t n_ops = data[1];
    if (size < 2 + n_ops)
        return;
    const uint8_t *ops = data + 2;
    tk_state_reader r;
    tk_state_reader_init(&r, data + 2 + n_ops, size - 2 - n_ops);
    uint8_t bytes[32];
    float f32[32];
    double f64[32];
    tk_rng rng;
    for (size_t i = 0; i < n_ops; i++) {
        unsigned kind = ops[i] % 8, arg = ops[i] / 8; /* arg in [0, 31] */
        size_t pos = r.pos;
        int was_failed = r.failed;
        uint64_t got = 0;
        switch (kind) {
        case 0: got = tk_state_get_tag(&r, arg & 1 ? "TKCP" : "ALPG", arg % 3); break;
        case 1: got = tk_state_get_u64(&r); break;
        case 2: got = tk_state_get_f64(&r) != 0.0; break;
        case 3: tk_state_get_bytes(&r, bytes, arg); break;
        case 4: tk_state_get_f32s(&r, f32, arg); break;
        case 5: tk_state_get_f64s(&r, f64, arg); break;
        case 6: tk_state_get_rng(&r, &rng); break;
        default: got = tk_state_get_count(&r, (uint64_t)1 << arg); break;
        }
        if (r.pos > r.size)
            fail("the reader ran past the end", "");
        if (was_failed && (r.pos != pos || got != 0 || !r.failed))
            fail("a failed reader moved or returned data", "");
        if (kind == 7 && !r.failed && got > ((uint64_t)1 << arg))
            fail("a count above its maximum was accepted", "");
    }
    /* Writer -> reader round trip of the same values. */
    tk_state_writer w;
    tk_state_writer_init(&w);
    tk_state_put_tag(&w, "RTRP", 3);
    tk_state_put_bytes(&w, data, size);
    tk_state_put_u64(&w, size);
    tk_state_put_f64(&w, (double)size / 3.0);
    if (w.failed)
        fail("the writer failed", "");
    tk_state_reader_init(&r, w.data, w.size);
    uint8_t *copy = malloc(size);
    if (tk_state_get_tag(&r, "RTRP", 3) != 3)
        fail("a tag did not round-trip", "");
    tk_state_get_bytes(&r, copy, size);
    if (memcmp(copy, data, size) != 0 || tk_state_get_u64(&r) != size ||
        tk_state_get_f64(&r) != (double)size / 3.0 || r.failed || r.pos != r.size)
        fail("values did not round-trip", "");
    free(copy);
    tk_state_writer_free(&w);
}

/* ------------------------------------------------------- seed corpus */

/* Drives a component so that its saved state holds something (fitted
 * GMMs, split regions, replay buffers). */
static void warm_up(tk_instance *inst, const tk_task_space *sp, int rounds)
{
    if (inst->comp->desc->kind == TK_KIND_TEACHER) {
        const tk_teacher_vtable *v = inst->comp->desc->vtable;
        float task[16];
        for (int i = 0; i < rounds && sp->dims <= 16; i++) {
            if (v->sample(inst->self, task) != TK_OK)
                break;
            double ret = (double)task[0] * (double)i / (double)rounds;
            v->update(inst->self, task, ret > 1.0 ? 1.0 : ret, ret > 0.5);
        }
        return;
    }
    for (int i = 0; i < rounds / 30; i++)
        exercise(inst);
}

static void write_seed(const char *dir, const char *name, char mode, const char *key,
                       const void *blob, size_t size)
{
    char path[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t klen = strlen(key);
    uint8_t *buf = malloc(2 + klen + size);
    buf[0] = (uint8_t)mode;
    memcpy(buf + 1, key, klen + 1);
    if (size)
        memcpy(buf + 2 + klen, blob, size);
    if (write_file(path, buf, 2 + klen + size))
        fail("cannot write a seed", path);
    free(buf);
    printf("seed %s (%zu bytes)\n", path, 2 + klen + size);
}

/* TK_FUZZ_WRITE_SEEDS=DIR: write the seed corpus of this harness from the
 * bundled plugins' real states, then exit. */
static void write_seeds(const char *dir)
{
    for (size_t i = 0; i < tk_registry_info_count(registry); i++) {
        const tk_component *c = component_at(i);
        if (!c)
            continue;
        save_fn save;
        load_fn load;
        hooks(c, &save, &load);
        tk_instance inst;
        if (!save || !load || create(&inst, c))
            continue;
        char key[128], name[160];
        snprintf(key, sizeof key, "%s:%s", kind_prefix(c->desc->kind), c->desc->id);
        warm_up(&inst, &space, 300);
        const void *blob = NULL;
        size_t n = 0;
        if (save(inst.self, &blob, &n) == TK_OK) {
            snprintf(name, sizeof name, "plugin-%s-%s", kind_prefix(c->desc->kind), c->desc->id);
            write_seed(dir, name, 'P', key, blob, n);
        }
        tk_instance_destroy(&inst);
    }
    for (size_t e = 0; e < N_EXPERIMENTS; e++) {
        tk_experiment x;
        tk_diag d;
        if (!manifest_ok[e] || tk_experiment_setup(&x, &manifests[e], registry, &d)) {
            tk_experiment_teardown(&x);
            continue;
        }
        warm_up(&x.teacher, &x.info.task_space, 300);
        warm_up(&x.student, &x.info.task_space, 90);
        tk_run_progress p;
        memset(&p, 0, sizeof p);
        p.episodes = 300;
        p.env_steps = 300;
        p.last_eval_episode = UINT64_MAX;
        if (tk_checkpoint_write(work_dir, &x, &p, NULL, &d) == 0) {
            char path[PATH_MAX + 32], name[160];
            snprintf(path, sizeof path, "%s/checkpoint.bin", work_dir);
            FILE *f = fopen(path, "rb");
            uint8_t *buf = malloc(1 << 24);
            size_t n = f && buf ? fread(buf, 1, 1 << 24, f) : 0;
            if (f)
                fclose(f);
            /* The body only: the harness adds a valid header (see 'C'). */
            snprintf(name, sizeof name, "ckpt-%s", experiments[e].name);
            if (n > TK_CHECKPOINT_HEADER_SIZE)
                write_seed(dir, name, 'C', experiments[e].name, buf + TK_CHECKPOINT_HEADER_SIZE,
                           n - TK_CHECKPOINT_HEADER_SIZE);
            free(buf);
        } else {
            fprintf(stderr, "fuzz_checkpoint: %s: %s\n", experiments[e].name, d.message);
        }
        tk_experiment_teardown(&x);
    }
    /* State reader programs: 'S', the number of operations, the
     * operations, then the bytes to read. */
    static const uint8_t prog1[] = {'S', 8,   1,   0 + 8 * 1, 1,   2,   3 + 8 * 4, 4 + 8 * 2,
                                    5 + 8 * 1, 6, 'T', 'K', 'C', 'P', 1,   0,   0,   0,
                                    1,   2,   3,   4,   5,   6,   7,   8,   0,   0,   0,   0,
                                    0,   0,   0xf0, 0x3f};
    static const uint8_t prog2[] = {'S', 3, 7 + 8 * 10, 7 + 8 * 31, 1, 0xff, 3, 0, 0, 0, 0, 0,
                                    0, 9, 9, 9, 9, 9, 9, 9, 9};
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/state-ops-1", dir);
    if (write_file(path, prog1, sizeof prog1))
        fail("cannot write a seed", path);
    snprintf(path, sizeof path, "%s/state-ops-2", dir);
    if (write_file(path, prog2, sizeof prog2))
        fail("cannot write a seed", path);
}

/* ------------------------------------------------------------- entry */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] == 'C' || data[0] == 'P') {
        const uint8_t *nul = memchr(data + 1, '\0', size - 1 < 64 ? size - 1 : 64);
        if (!nul)
            return 0;
        char name[64];
        memcpy(name, data + 1, (size_t)(nul - data - 1));
        name[nul - data - 1] = '\0';
        const uint8_t *rest = nul + 1;
        size_t n = size - (size_t)(rest - data);
        if (data[0] == 'C')
            fuzz_checkpoint(name, rest, n);
        else
            fuzz_plugin_load(name, rest, n);
        return 0;
    }
    fuzz_state_reader(data, size);
    return 0;
}

static void cleanup(void)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/checkpoint.bin", work_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/checkpoint.bin.tmp", work_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/checkpoint.prev.bin", work_dir);
    unlink(path);
    rmdir(work_dir);
    for (size_t e = 0; e < N_EXPERIMENTS; e++)
        tk_manifest_free(&manifests[e]);
    tk_registry_close(registry);
}

static void plugin_dir(char *out, size_t size)
{
    const char *env = getenv("TK_FUZZ_PLUGIN_DIR");
    if (env && env[0]) {
        snprintf(out, size, "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(out, size, "%s/../../plugins", exe);
}

/* Every bundled teacher, fresh, must reject a NaN task. */
static void check_teachers_reject_nan(void)
{
    for (size_t i = 0; i < tk_registry_info_count(registry); i++) {
        const tk_component *c = component_at(i);
        if (!c || c->desc->kind != TK_KIND_TEACHER)
            continue;
        tk_instance t;
        if (create(&t, c))
            continue;
        float task[2];
        ((const tk_teacher_vtable *)c->desc->vtable)->sample(t.self, task);
        check_rejects_nan(&t);
        tk_instance_destroy(&t);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    verbose = getenv("TK_FUZZ_VERBOSE") != NULL;
    char dir[PATH_MAX + 32];
    plugin_dir(dir, sizeof dir);
    const char *paths[] = {dir};
    tk_diag d;
    registry = tk_registry_open(paths, 1, &d);
    if (!registry) {
        fprintf(stderr, "fuzz_checkpoint: no plugins in %s: %s (set TK_FUZZ_PLUGIN_DIR)\n", dir,
                d.message);
        exit(1);
    }
    for (size_t e = 0; e < N_EXPERIMENTS; e++) {
        json_t *root = json_loads(experiments[e].manifest, 0, NULL);
        manifest_ok[e] = root && tk_manifest_parse(root, "fuzz.json", &manifests[e], &d) == 0;
        json_decref(root);
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(work_dir, sizeof work_dir, "%s/tk-fuzz-ckpt-XXXXXX",
             tmp && tmp[0] ? tmp : access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(work_dir)) {
        fprintf(stderr, "fuzz_checkpoint: cannot create %s: %s\n", work_dir, strerror(errno));
        exit(1);
    }
    atexit(cleanup);
    check_teachers_reject_nan();
    const char *seeds = getenv("TK_FUZZ_WRITE_SEEDS");
    if (seeds && seeds[0]) {
        write_seeds(seeds);
        exit(0);
    }
    return 0;
}
