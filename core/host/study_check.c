#include "study_check.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checksum.h"
#include "experiment.h"
#include "teachkit/fd_io.h"
#include "manifest.h"

/* A check of one configuration (its plugins' create) may take this long. */
#define CHECK_SECONDS 120

/* What the child tells the parent, in order: per run 'H' (its hash) and,
 * before creating a configuration's components, 'C'; at the end 'K' (all
 * good) or 'E' followed by a tk_diag. */
typedef struct record {
    char kind;
    uint32_t run;
    char hash[17];
} record;

/* ------------------------------------------------------------- the child */

/* The registries opened so far, by plugin_paths: a study's runs usually
 * share one. */
typedef struct registry_cache {
    char *key[8];
    tk_registry *reg[8];
    size_t n;
} registry_cache;

static tk_registry *registry_for(registry_cache *c, const tk_manifest *m, tk_diag *d)
{
    size_t len = 1;
    for (size_t i = 0; i < m->n_plugin_paths; i++)
        len += strlen(m->plugin_paths[i]) + 1;
    char *key = calloc(len, 1);
    if (!key)
        return NULL;
    for (size_t i = 0; i < m->n_plugin_paths; i++) {
        strcat(key, m->plugin_paths[i]);
        strcat(key, "\n");
    }
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->key[i], key) == 0) {
            free(key);
            return c->reg[i];
        }
    tk_registry *reg = tk_registry_open((const char *const *)m->plugin_paths, m->n_plugin_paths,
                                        d);
    if (!reg) {
        free(key);
        return NULL;
    }
    if (c->n == 8) { /* the oldest makes way */
        tk_registry_close(c->reg[0]);
        free(c->key[0]);
        memmove(c->reg, c->reg + 1, 7 * sizeof *c->reg);
        memmove(c->key, c->key + 1, 7 * sizeof *c->key);
        c->n--;
    }
    c->key[c->n] = key;
    c->reg[c->n++] = reg;
    return reg;
}

static void registry_cache_free(registry_cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        tk_registry_close(c->reg[i]);
        free(c->key[i]);
    }
}

/* Open-addressing set of 64-bit hashes (0 stands for empty). */
typedef struct hash_set {
    uint64_t *slot;
    size_t cap;
} hash_set;

/* 1 if `h` was added, 0 if it was there. */
static int hash_set_add(hash_set *s, uint64_t h)
{
    h = h ? h : 1;
    for (size_t i = (size_t)h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (s->slot[i] == h)
            return 0;
        if (s->slot[i] == 0) {
            s->slot[i] = h;
            return 1;
        }
    }
}

/* Every byte of a record is set (its padding included): it goes through a
 * pipe whole. */
static int send_record(int fd, char kind, uint32_t run, const char *hash)
{
    record r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.run = run;
    if (hash)
        memcpy(r.hash, hash, sizeof r.hash);
    return tk_write_full(fd, &r, sizeof r);
}

static char *canonical(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
}

/* Checks run `i`; 0, or -1 with `d`. */
static int check_run(const tk_study_run *run, uint32_t i, const char *file, registry_cache *rc,
                     hash_set *seen, int fd, tk_diag *d)
{
    tk_manifest m;
    tk_experiment x;
    memset(&x, 0, sizeof x);
    json_t *resolved = NULL;
    char *text = NULL;
    int rc_ = -1;
    if (tk_manifest_parse(run->manifest, file, &m, d) == 0) {
        tk_registry *reg = registry_for(rc, &m, d);
        resolved = reg ? tk_manifest_resolve(&m, reg, d) : NULL;
        if (resolved && (text = canonical(resolved))) {
            char hash[17];
            tk_hash64_hex(text, strlen(text), hash);
            free(text);
            /* Runs that differ only by their seed and name create alike. */
            json_object_del(resolved, "seed");
            json_object_del(resolved, "name");
            text = canonical(resolved);
            int fresh = text && hash_set_add(seen, tk_hash64(text, strlen(text)));
            rc_ = send_record(fd, 'H', i, hash) ||
                          (fresh && (send_record(fd, 'C', i, NULL) ||
                                     tk_experiment_setup(&x, &m, reg, d)))
                      ? -1
                      : 0;
        } else if (resolved) {
            tk_diag_set(d, file, NULL, "out of memory");
        }
    }
    if (rc_ && d->file[0] == '\0')
        snprintf(d->file, sizeof d->file, "%s", file);
    free(text);
    json_decref(resolved);
    tk_experiment_teardown(&x);
    tk_manifest_free(&m);
    return rc_;
}

static int child_main(const tk_study *st, const char *file, int fd)
{
    registry_cache cache = {{NULL}, {NULL}, 0};
    hash_set seen = {NULL, 16};
    while (seen.cap < 2 * st->n_runs)
        seen.cap *= 2;
    seen.slot = calloc(seen.cap, sizeof *seen.slot);
    tk_diag d;
    memset(&d, 0, sizeof d); /* sent whole through the pipe */
    int rc = seen.slot ? 0 : tk_diag_set(&d, file, NULL, "out of memory");
    for (size_t i = 0; rc == 0 && i < st->n_runs; i++) {
        rc = check_run(&st->runs[i], (uint32_t)i, file, &cache, &seen, fd, &d);
        if (rc) {
            size_t len = strlen(d.message);
            snprintf(d.message + len, sizeof d.message - len, " (in run %s)", st->runs[i].dir);
        }
    }
    int failed = send_record(fd, rc ? 'E' : 'K', 0, NULL) || (rc && tk_write_full(fd, &d, sizeof d));
    registry_cache_free(&cache);
    free(seen.slot);
    return rc || failed ? 1 : 0;
}

/* ------------------------------------------------------------ the parent */

int tk_study_check_runs(const tk_study *st, const char *file, tk_study_check *out, tk_diag *d)
{
    memset(out, 0, sizeof *out);
    out->hashes = calloc(st->n_runs ? st->n_runs : 1, sizeof *out->hashes);
    int fds[2];
    if (!out->hashes || pipe(fds) != 0)
        return tk_diag_set(d, file, NULL, "cannot check the runs: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return tk_diag_set(d, file, NULL, "cannot check the runs: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        _exit(child_main(st, file, fds[1]));
    }
    close(fds[1]);
    record r;
    long creating = -1;
    int got, rc = 1; /* 1: no verdict yet */
    size_t hashes = 0;
    while (rc == 1 && (got = tk_read_full(fds[0], &r, sizeof r, CHECK_SECONDS * 1000)) == 0) {
        if (r.kind == 'H' && r.run < st->n_runs) {
            memcpy(out->hashes[r.run], r.hash, sizeof r.hash);
            out->hashes[r.run][16] = '\0';
            hashes++;
        } else if (r.kind == 'C') {
            creating = (long)r.run;
            out->n_created++;
        } else if (r.kind == 'K') {
            rc = hashes == st->n_runs ? 0 : tk_diag_set(d, file, NULL, "the check of the runs "
                                                                       "ended early");
        } else if (r.kind == 'E') {
            rc = tk_read_full(fds[0], d, sizeof *d, CHECK_SECONDS * 1000) == 0 ? -1
                 : tk_diag_set(d, file, NULL, "the check of the runs failed without a message");
        }
    }
    if (rc == 1 && got == -2)
        kill(pid, SIGKILL);
    close(fds[0]);
    int status = tk_wait_child(pid);
    if (rc == 1) {
        const char *where = creating >= 0 ? st->runs[creating].dir : "(before any was created)";
        if (got == -2)
            rc = tk_diag_set(d, file, NULL, "checking run %s took over %d s: a plugin hanging "
                             "in create?  `teachkit validate` on that run's RUN/input.json "
                             "shows it", where, CHECK_SECONDS);
        else if (WIFSIGNALED(status))
            rc = tk_diag_set(d, file, NULL, "checking run %s crashed (%s): a plugin's create "
                             "failed hard; no run was started", where,
                             strsignal(WTERMSIG(status)));
        else
            rc = tk_diag_set(d, file, NULL, "checking run %s ended without a verdict (exit "
                             "status %d: a plugin called exit()?); no run was started", where,
                             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    return rc;
}

void tk_study_check_free(tk_study_check *c)
{
    free(c->hashes);
    memset(c, 0, sizeof *c);
}
