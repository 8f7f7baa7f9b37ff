#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "teachkit/state.h"

#define CHECKPOINT_FILE "checkpoint.bin"
#define MAX_BLOB ((uint64_t)1 << 36)

#define VT_HAS(vt, type, field) \
    ((vt)->struct_size >= offsetof(type, field) + sizeof((vt)->field) && (vt)->field != NULL)

typedef tk_status (*save_fn)(void *, const void **, size_t *);
typedef tk_status (*load_fn)(void *, const void *, size_t);

/* The save/load hooks of any instance, or NULLs. */
static void hooks(const tk_instance *inst, save_fn *save, load_fn *load)
{
    *save = NULL;
    *load = NULL;
    const void *vt = inst->comp->desc->vtable;
    switch (inst->comp->desc->kind) {
    case TK_KIND_TEACHER: {
        const tk_teacher_vtable *v = vt;
        if (VT_HAS(v, tk_teacher_vtable, save) && VT_HAS(v, tk_teacher_vtable, load))
            *save = v->save, *load = v->load;
        break;
    }
    case TK_KIND_ENV: {
        const tk_env_vtable *v = vt;
        if (VT_HAS(v, tk_env_vtable, save) && VT_HAS(v, tk_env_vtable, load))
            *save = v->save, *load = v->load;
        break;
    }
    case TK_KIND_STUDENT: {
        const tk_student_vtable *v = vt;
        if (VT_HAS(v, tk_student_vtable, save) && VT_HAS(v, tk_student_vtable, load))
            *save = v->save, *load = v->load;
        break;
    }
    }
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

static void put_progress(tk_state_writer *w, const tk_run_progress *p)
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
    for (int i = 0; i < TK_N_LOGS; i++)
        tk_state_put_u64(w, p->log_bytes[i]);
}

static void get_progress(tk_state_reader *r, tk_run_progress *p)
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
    for (int i = 0; i < TK_N_LOGS; i++)
        p->log_bytes[i] = tk_state_get_u64(r);
}

static int write_file_atomic(const char *dir, const void *data, size_t size, tk_diag *d)
{
    char target[PATH_MAX], tmp[PATH_MAX + 8];
    snprintf(target, sizeof target, "%s/%s", dir, CHECKPOINT_FILE);
    snprintf(tmp, sizeof tmp, "%s.tmp", target);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const char *p = data;
    size_t left = size;
    while (fd >= 0 && left) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        p += n;
        left -= (size_t)n;
    }
    if (fd < 0 || left || fsync(fd) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        return tk_diag_set(d, target, NULL, "cannot write the checkpoint: %s; the previous "
                                            "checkpoint is intact", strerror(err));
    }
    close(fd);
    if (rename(tmp, target) != 0)
        return tk_diag_set(d, target, NULL, "cannot rename the checkpoint into place: %s",
                           strerror(errno));
    return 0;
}

int tk_checkpoint_write(const char *run_dir, const tk_experiment *x, const tk_run_progress *p,
                        tk_diag *d)
{
    tk_state_writer w;
    tk_state_writer_init(&w);
    tk_state_put_tag(&w, "TKCP", 1);
    tk_state_put_u64(&w, x->manifest->seed);
    put_progress(&w, p);
    const tk_instance *list[4];
    int n = instances(x, list);
    for (int i = 0; i < n; i++) {
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
    int rc = w.failed ? tk_diag_set(d, run_dir, NULL, "out of memory writing a checkpoint")
                      : write_file_atomic(run_dir, w.data, w.size, d);
    tk_state_writer_free(&w);
    return rc;
}

static int read_whole(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? 1 : -1;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size <= 0) {
        fclose(f);
        return -1;
    }
    *size = (size_t)st.st_size;
    *data = malloc(*size);
    int ok = *data && fread(*data, 1, *size, f) == *size;
    fclose(f);
    return ok ? 0 : -1;
}

int tk_checkpoint_read(const char *run_dir, tk_experiment *x, tk_run_progress *p, tk_diag *d)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", run_dir, CHECKPOINT_FILE);
    uint8_t *data = NULL;
    size_t size = 0;
    int rc = read_whole(path, &data, &size);
    if (rc == 1)
        return 1;
    if (rc < 0) {
        free(data);
        return tk_diag_set(d, path, NULL, "cannot read the checkpoint");
    }
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, "TKCP", 1);
    uint64_t seed = tk_state_get_u64(&r);
    get_progress(&r, p);
    const tk_instance *list[4];
    int n = instances(x, list);
    for (int i = 0; i < n && !r.failed; i++) {
        tk_instance *inst = (tk_instance *)list[i];
        tk_state_get_rng(&r, &inst->ctx.rng);
        uint64_t blob_size = tk_state_get_count(&r, MAX_BLOB);
        if (r.failed || blob_size > r.size - r.pos)
            break;
        save_fn save;
        load_fn load;
        hooks(inst, &save, &load);
        if (load) {
            tk_status st = load(inst->self, r.data + r.pos, (size_t)blob_size);
            if (st != TK_OK) {
                free(data);
                return tk_instance_fail(inst, st, x->manifest->file, "load (checkpoint)", d);
            }
        }
        r.pos += (size_t)blob_size;
    }
    int bad = r.failed || r.pos != r.size || seed != x->manifest->seed;
    free(data);
    if (bad)
        return tk_diag_set(d, path, NULL, "checkpoint is corrupt or belongs to another "
                                          "manifest or seed; delete it to restart the run");
    return 0;
}
