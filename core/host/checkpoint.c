#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checksum.h"
#include "teachkit/fd_io.h"
#include "run_files.h"
#include "teachkit/state.h"

#define CHECKPOINT_FILE "checkpoint.bin"
#define PREVIOUS_FILE "checkpoint.prev.bin"
#define REJECTED_FILE "checkpoint.bin.rejected"
#define FORMAT 2
#define HEADER_SIZE TK_CHECKPOINT_HEADER_SIZE
#define MAX_BLOB ((uint64_t)1 << 36)
#define MAX_FILE (MAX_BLOB * 5)

typedef tk_status (*save_fn)(void *, const void **, size_t *);
typedef tk_status (*load_fn)(void *, const void *, size_t);

const char *tk_log_name(int i)
{
    static const char *const names[TK_N_LOGS] = {"episodes.jsonl", "evals.jsonl",
                                                 "teacher.jsonl"};
    return i >= 0 && i < TK_N_LOGS ? names[i] : "?";
}

/* The save/load hooks of any instance, or NULLs. */
static void hooks(const tk_instance *inst, save_fn *save, load_fn *load)
{
    *save = NULL;
    *load = NULL;
    const tk_vtable_copy *v = &inst->comp->vtable;
    switch (inst->comp->desc->kind) {
    case TK_KIND_TEACHER: *save = v->teacher.save, *load = v->teacher.load; break;
    case TK_KIND_ENV: *save = v->env.save, *load = v->env.load; break;
    case TK_KIND_STUDENT: *save = v->student.save, *load = v->student.load; break;
    }
    if (!*save || !*load)
        *save = NULL, *load = NULL;
}

/* The instances whose state a checkpoint holds, in file order. */
static int instances(const tk_experiment *x, const tk_instance *out[4])
{
    int n = 0;
    out[n++] = &x->teacher;
    out[n++] = &x->env;
    out[n++] = &x->student;
    if (x->eval_env.self)
        out[n++] = &x->eval_env;
    return n;
}

const char *tk_checkpoint_unsupported_reason(const tk_experiment *x, char *buf, size_t size)
{
    const tk_instance *list[4];
    int n = instances(x, list);
    for (int i = 0; i < n; i++) {
        save_fn s;
        load_fn l;
        hooks(list[i], &s, &l);
        /* The built-in `none` student is stateless: nothing to save. */
        if (!s && !(list[i]->comp->desc->kind == TK_KIND_STUDENT &&
                    strcmp(list[i]->comp->desc->id, "none") == 0)) {
            snprintf(buf, size, "%s \"%s\" has no save/load hooks", list[i]->ctx.role,
                     list[i]->ctx.id);
            return buf;
        }
    }
    return NULL;
}

int tk_checkpoint_supported(const tk_experiment *x)
{
    char buf[128];
    return tk_checkpoint_unsupported_reason(x, buf, sizeof buf) == NULL;
}

static void put_progress(tk_state_writer *w, const tk_run_progress *p, const tk_manifest *m)
{
    tk_state_put_u64(w, p->episodes);
    tk_state_put_u64(w, p->env_steps);
    tk_state_put_u64(w, p->skipped);
    tk_state_put_u64(w, p->next_eval_steps);
    tk_state_put_u64(w, p->last_eval_episode);
    tk_state_put_f64(w, p->last_mastered_pct);
    tk_state_put_f64(w, p->last_mean_return);
    tk_state_put_u64(w, p->have_eval);
    tk_state_put_f64s(w, p->phase_seconds, TK_N_PHASES);
    tk_state_put_f64(w, p->wall_seconds);
    tk_state_put_u64(w, p->last_snapshot_episode);
    for (int i = 0; i < TK_N_LOGS; i++) {
        tk_state_put_u64(w, p->log_bytes[i]);
        tk_state_put_u64(w, p->log_crc[i]);
    }
    if (m->student_reset_every_env_steps)
        tk_state_put_u64(w, p->student_resets);
}

static void get_progress(tk_state_reader *r, tk_run_progress *p, const tk_manifest *m)
{
    p->episodes = tk_state_get_u64(r);
    p->env_steps = tk_state_get_u64(r);
    p->skipped = tk_state_get_u64(r);
    p->next_eval_steps = tk_state_get_u64(r);
    p->last_eval_episode = tk_state_get_u64(r);
    p->last_mastered_pct = tk_state_get_f64(r);
    p->last_mean_return = tk_state_get_f64(r);
    p->have_eval = tk_state_get_u64(r);
    tk_state_get_f64s(r, p->phase_seconds, TK_N_PHASES);
    p->wall_seconds = tk_state_get_f64(r);
    p->last_snapshot_episode = tk_state_get_u64(r);
    for (int i = 0; i < TK_N_LOGS; i++) {
        p->log_bytes[i] = tk_state_get_u64(r);
        p->log_crc[i] = tk_state_get_u64(r);
    }
    p->student_resets = m->student_reset_every_env_steps ? tk_state_get_u64(r) : 0;
}

/* ---------------------------------------------------------------- header */

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

void tk_checkpoint_header(uint8_t h[HEADER_SIZE], const void *body, size_t size)
{
    memset(h, 0, HEADER_SIZE);
    memcpy(h, "TKCP", 4);
    put_le(h + 4, FORMAT, 4);
    put_le(h + 8, size, 8);
    put_le(h + 16, tk_crc32c(0, body, size), 4);
    put_le(h + 28, tk_crc32c(0, h, 28), 4);
}

/* NULL if `data` is a whole format-2 checkpoint, else what is wrong. */
static const char *check_envelope(const uint8_t *data, size_t size)
{
    if (size < 8 || memcmp(data, "TKCP", 4) != 0)
        return "not a teachkit checkpoint (bad magic)";
    uint64_t format = get_le(data + 4, 4);
    if (format == 1)
        return "format 1, from an older teachkit, which has no checksums; finish the run "
               "with that teachkit, or delete the checkpoint to restart the run";
    if (size < HEADER_SIZE)
        return "truncated (shorter than its header)";
    if (get_le(data + 28, 4) != tk_crc32c(0, data, 28))
        return "damaged (header checksum mismatch)";
    if (format != FORMAT)
        return "of an unknown format (from a newer teachkit?)";
    if (get_le(data + 8, 8) != size - HEADER_SIZE)
        return "truncated or extended (its length differs from the one its header records)";
    if (get_le(data + 16, 4) != tk_crc32c(0, data + HEADER_SIZE, size - HEADER_SIZE))
        return "damaged (body checksum mismatch)";
    return NULL;
}

/* ----------------------------------------------------------------- write */

static void path_of(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

/* The current checkpoint becomes the previous one through a hard link, so
 * that `target` never disappears; where links are not supported, through a
 * rename (a crash before the new checkpoint is renamed in then leaves only
 * the previous one, which a resume takes).  0, or -1 with errno. */
static int keep_previous(const char *target, const char *previous)
{
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", previous);
    unlink(tmp);
    if (link(target, tmp) == 0) {
        if (rename(tmp, previous) == 0)
            return 0;
        int err = errno;
        unlink(tmp);
        errno = err;
        return -1;
    }
    if (errno == ENOENT) /* the first checkpoint */
        return 0;
    return rename(target, previous) == 0 || errno == ENOENT ? 0 : -1;
}

/* Write-then-rename, keeping the previous checkpoint as PREVIOUS_FILE. */
static int commit_file(const char *dir, const uint8_t header[HEADER_SIZE], const void *body,
                       size_t size, tk_diag *d)
{
    char target[PATH_MAX], previous[PATH_MAX], tmp[PATH_MAX + 8];
    path_of(target, sizeof target, dir, CHECKPOINT_FILE);
    path_of(previous, sizeof previous, dir, PREVIOUS_FILE);
    snprintf(tmp, sizeof tmp, "%s.tmp", target);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || tk_write_full(fd, header, HEADER_SIZE) || tk_write_full(fd, body, size) ||
        fsync(fd) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        return tk_diag_set(d, target, NULL, "cannot write the checkpoint: %s; the previous "
                                            "checkpoint is intact", strerror(err));
    }
    close(fd);
    if (keep_previous(target, previous) != 0 || rename(tmp, target) != 0) {
        int err = errno;
        unlink(tmp);
        return tk_diag_set(d, target, NULL, "cannot rename the checkpoint into place: %s",
                           strerror(err));
    }
    if (tk_fsync_dir(dir) != 0)
        return tk_diag_set(d, dir, NULL, "cannot sync the run directory after a checkpoint: %s",
                           strerror(errno));
    return 0;
}

int tk_checkpoint_env_state(const tk_experiment *x, const void **data, size_t *size, tk_diag *d)
{
    save_fn save;
    load_fn load;
    hooks(&x->env, &save, &load);
    *data = NULL;
    *size = 0;
    if (!save)
        return 0;
    tk_status st = save(x->env.self, data, size);
    return st == TK_OK ? 0 : tk_instance_fail(&x->env, st, x->manifest->file, "save", d);
}

int tk_checkpoint_write(const char *run_dir, const tk_experiment *x, const tk_run_progress *p,
                        const tk_episode_record *in_progress, tk_diag *d)
{
    tk_state_writer w;
    tk_state_writer_init(&w);
    tk_state_put_u64(&w, x->manifest->seed);
    put_progress(&w, p, x->manifest);
    const tk_instance *list[4];
    int n = instances(x, list);
    for (int i = 0; i < n; i++) {
        if (in_progress && list[i] == &x->env) {
            /* Inside an episode: the env as it was at the episode's start,
             * which the resume replays the recorded actions from. */
            tk_state_put_rng(&w, &in_progress->env_rng);
            tk_state_put_u64(&w, in_progress->env_state_size);
            tk_state_put_bytes(&w, in_progress->env_state, in_progress->env_state_size);
            continue;
        }
        tk_state_put_rng(&w, &list[i]->ctx.rng);
        save_fn save;
        load_fn load;
        hooks(list[i], &save, &load);
        const void *blob = NULL;
        size_t size = 0;
        if (save) {
            tk_status st = save(list[i]->self, &blob, &size);
            if (st != TK_OK) {
                tk_state_writer_free(&w);
                return tk_instance_fail(list[i], st, x->manifest->file, "save", d);
            }
        }
        tk_state_put_u64(&w, size);
        tk_state_put_bytes(&w, blob, size);
    }
    if (in_progress)
        tk_episode_record_put(in_progress, &w);
    int rc;
    if (w.failed) {
        rc = tk_diag_set(d, run_dir, NULL, "out of memory writing a checkpoint");
    } else {
        uint8_t header[HEADER_SIZE];
        tk_checkpoint_header(header, w.data, w.size);
        rc = commit_file(run_dir, header, w.data, w.size, d);
    }
    tk_state_writer_free(&w);
    return rc;
}

/* ------------------------------------------------------------------ read */

/* 0 and the whole file, 1 if it does not exist, -1 with errno. */
static int read_whole(const char *path, uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? 1 : -1;
    struct stat st;
    int bad = fstat(fd, &st) != 0 ? errno
              : !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_FILE ? EINVAL : 0;
    if (bad) {
        close(fd);
        errno = bad;
        return -1;
    }
    *size = (size_t)st.st_size;
    *data = malloc(*size ? *size : 1);
    int rc = *data ? tk_read_full(fd, *data, *size, -1) : -1;
    int err = !*data ? ENOMEM : errno ? errno : EIO; /* errno 0: it shrank */
    close(fd);
    if (rc != 0) {
        free(*data);
        *data = NULL;
        errno = err;
        return -1;
    }
    return 0;
}

/* A candidate checkpoint file, checked up to the plugin states. */
typedef struct candidate {
    const char *name;
    uint8_t *data;
    size_t size;
    int present;
    char why[512];         /* why it was not taken */
    tk_state_reader r;     /* positioned after the progress counters */
    tk_run_progress p;
} candidate;

/* 0 if the candidate can be restored from, else -1 with c->why. */
static int examine(candidate *c, const char *dir, const tk_experiment *x, int flags)
{
    char path[PATH_MAX];
    path_of(path, sizeof path, dir, c->name);
    int rc = read_whole(path, &c->data, &c->size);
    c->present = rc != 1;
    if (rc == 1) {
        snprintf(c->why, sizeof c->why, "absent");
        return -1;
    }
    if (rc < 0) {
        snprintf(c->why, sizeof c->why, "cannot be read: %s", strerror(errno));
        return -1;
    }
    const char *bad = check_envelope(c->data, c->size);
    if (bad) {
        snprintf(c->why, sizeof c->why, "%s", bad);
        return -1;
    }
    tk_state_reader_init(&c->r, c->data + HEADER_SIZE, c->size - HEADER_SIZE);
    uint64_t seed = tk_state_get_u64(&c->r);
    get_progress(&c->r, &c->p, x->manifest);
    if (c->r.failed) {
        snprintf(c->why, sizeof c->why, "malformed (its counters end early)");
        return -1;
    }
    if (seed != x->manifest->seed) {
        snprintf(c->why, sizeof c->why, "belongs to seed %llu, not %llu",
                 (unsigned long long)seed, (unsigned long long)x->manifest->seed);
        return -1;
    }
    for (int i = 0; (flags & TK_CHECKPOINT_RESUME) && i < TK_N_LOGS; i++)
        if (c->p.log_crc[i] > UINT32_MAX ||
            tk_log_prefix_check(dir, tk_log_name(i), c->p.log_bytes[i],
                                (uint32_t)c->p.log_crc[i], c->why, sizeof c->why) != 0)
            return -1;
    return 0;
}

/* Reads the section of an episode in progress, if the body has one, into
 * `in_progress` (or checks and drops it when the caller does not want it:
 * `teachkit render` restores the instances only).  0, or -1 with r->failed. */
static int read_in_progress(tk_state_reader *r, const tk_experiment *x,
                            tk_episode_record *in_progress)
{
    if (in_progress)
        in_progress->steps = 0;
    if (r->failed || r->pos == r->size)
        return 0;
    tk_episode_record scratch;
    tk_episode_record *rec = in_progress;
    if (!rec) {
        rec = &scratch;
        if (tk_episode_record_init(rec, x->info.task_space.dims, x->info.obs_dim,
                                   x->info.act_dim)) {
            tk_episode_record_free(rec);
            r->failed = 1;
            return -1;
        }
    }
    int rc = tk_episode_record_get(rec, r);
    if (!in_progress)
        tk_episode_record_free(rec);
    return rc;
}

/* Restore the instances from a candidate that passed examine(). */
static int restore(candidate *c, const char *path, tk_experiment *x,
                   tk_episode_record *in_progress, tk_diag *d)
{
    tk_state_reader *r = &c->r;
    const tk_instance *list[4];
    int n = instances(x, list);
    for (int i = 0; i < n && !r->failed; i++) {
        tk_instance *inst = (tk_instance *)list[i];
        tk_state_get_rng(r, &inst->ctx.rng);
        uint64_t blob_size = tk_state_get_count(r, MAX_BLOB);
        if (r->failed || blob_size > r->size - r->pos)
            break;
        save_fn save;
        load_fn load;
        hooks(inst, &save, &load);
        if (load) {
            tk_status st = load(inst->self, r->data + r->pos, (size_t)blob_size);
            if (st != TK_OK)
                return tk_instance_fail(inst, st, x->manifest->file, "load (checkpoint)", d);
        }
        r->pos += (size_t)blob_size;
    }
    read_in_progress(r, x, in_progress);
    if (r->failed || r->pos != r->size)
        return tk_diag_set(d, path, NULL, "checkpoint does not fit this run's components (its "
                                          "checksums hold: another manifest, plugin or "
                                          "teachkit version?); delete it to restart the run");
    return 0;
}

/* Promote the previous checkpoint after the newest one was refused,
 * keeping the refused file for inspection. */
static void promote_previous(const char *dir, int newest_present)
{
    char target[PATH_MAX], previous[PATH_MAX], rejected[PATH_MAX];
    path_of(target, sizeof target, dir, CHECKPOINT_FILE);
    path_of(previous, sizeof previous, dir, PREVIOUS_FILE);
    path_of(rejected, sizeof rejected, dir, REJECTED_FILE);
    if (newest_present && rename(target, rejected) != 0)
        return;
    if (rename(previous, target) == 0)
        tk_fsync_dir(dir);
}

int tk_checkpoint_read(const char *run_dir, tk_experiment *x, tk_run_progress *p,
                       tk_episode_record *in_progress, int flags, char *note, size_t note_size,
                       tk_diag *d)
{
    if (note_size)
        note[0] = '\0';
    candidate c[2] = {{.name = CHECKPOINT_FILE}, {.name = PREVIOUS_FILE}};
    int chosen = -1;
    for (int i = 0; i < 2 && chosen < 0; i++)
        if (examine(&c[i], run_dir, x, flags) == 0)
            chosen = i;
    int rc;
    char path[PATH_MAX];
    path_of(path, sizeof path, run_dir, CHECKPOINT_FILE);
    if (chosen < 0 && !c[0].present && !c[1].present) {
        rc = 1;
    } else if (chosen < 0) {
        rc = tk_diag_set(d, path, NULL,
                         "cannot resume: %s: %s; %s: %s.  Delete the checkpoint files to restart "
                         "the run from scratch (its logs are then rewritten)",
                         c[0].name, c[0].why, c[1].name, c[1].why);
    } else {
        rc = restore(&c[chosen], path, x, in_progress, d);
        if (rc == 0) {
            *p = c[chosen].p;
            int resume = (flags & TK_CHECKPOINT_RESUME) != 0;
            if (chosen == 1 && c[0].present)
                snprintf(note, note_size, "%s: %s; %s from the previous checkpoint (episode "
                                          "%llu) instead%s", c[0].name, c[0].why,
                         resume ? "resumed" : "restored", (unsigned long long)p->episodes,
                         resume ? ", and kept the refused file as " REJECTED_FILE : "");
            if (chosen == 1 && resume)
                promote_previous(run_dir, c[0].present);
        }
    }
    free(c[0].data);
    free(c[1].data);
    return rc;
}
