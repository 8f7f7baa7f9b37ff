/*
 * Reading the descriptors of candidate plugin files in a child process
 * (<teachkit/registry.h>): a file that crashes, hangs or exits while it
 * loads takes the child down, not the caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "registry_internal.h"
#include "teachkit/fd_io.h"

#define PROBE_SECONDS 10 /* a plugin file's loading, in the probe */

/* Records of the probe, child to parent: 'S' file (starting it), 'D' file
 * and a descriptor's strings, 'R' file and a reason (rejected), 'O' file
 * (its descriptors are complete), 'Z' (all done). */

static int put_head(int fd, char kind, uint32_t file)
{
    char buf[5];
    buf[0] = kind;
    memcpy(buf + 1, &file, 4);
    return tk_write_full(fd, buf, 5);
}

static int put_string(int fd, const char *s)
{
    uint32_t n = s ? (uint32_t)strnlen(s, 1 << 20) : 0;
    return tk_write_full(fd, &n, 4) || tk_write_full(fd, s ? s : "", n);
}


/* The child: loads every file not yet described from `start` on and
 * reports what it finds. */
static int probe_child(const tk_registry *reg, size_t start, int fd)
{
    for (size_t i = start; i < reg->n_files; i++) {
        if (reg->described[i])
            continue;
        uint32_t f = (uint32_t)i;
        if (put_head(fd, 'S', f))
            return 1;
        char why[1024];
        tk_plugin_file *file = tk_plugin_file_open(reg->files[i], NULL, why, sizeof why);
        if (!file) {
            if (put_head(fd, 'R', f) || put_string(fd, why))
                return 1;
            continue;
        }
        for (size_t k = 0; k < tk_plugin_file_count(file); k++) {
            const tk_descriptor *d = tk_plugin_file_component(file, k)->desc;
            char features[2048] = "";
            for (const char *const *ft = d->features; ft && *ft; ft++) {
                size_t used = strlen(features);
                snprintf(features + used, sizeof features - used, "%s%s", used ? "\n" : "", *ft);
            }
            uint32_t kind = (uint32_t)d->kind;
            if (put_head(fd, 'D', f) || tk_write_full(fd, &kind, 4) || put_string(fd, d->id) ||
                put_string(fd, d->name) || put_string(fd, d->version) ||
                put_string(fd, d->description) || put_string(fd, d->default_config) ||
                put_string(fd, features))
                return 1;
        }
        /* The file stays loaded: the child exits soon, without deinit. */
        tk_plugin_file_abandon(file);
        if (put_head(fd, 'O', f))
            return 1;
    }
    return put_head(fd, 'Z', 0) ? 1 : 0;
}

static int get(int fd, void *p, size_t n)
{
    return tk_read_full(fd, p, n, PROBE_SECONDS * 1000);
}

static int get_string(int fd, char **out)
{
    uint32_t n;
    int rc = get(fd, &n, 4);
    if (rc)
        return rc;
    if (n > (1 << 20))
        return -1;
    *out = malloc((size_t)n + 1);
    if (!*out)
        return -1;
    rc = get(fd, *out, n);
    (*out)[n] = '\0';
    if (rc) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

/* Reads the probe's records until 'Z', its end or a time-out.  Returns 0
 * when all files were probed, else the index of the file being probed
 * (cur) with *timed_out set or not. */
static int read_probe(tk_registry *reg, int fd, size_t *cur, int *timed_out)
{
    tk_reg_info pending[TK_MAX_COMPONENTS];
    size_t n_pending = 0;
    int rc = 0;
    *timed_out = 0;
    for (;;) {
        char head[5];
        rc = get(fd, head, 5);
        if (rc)
            break;
        uint32_t f;
        memcpy(&f, head + 1, 4);
        if (head[0] == 'Z')
            break;
        if (f >= reg->n_files) {
            rc = -1;
            break;
        }
        *cur = f;
        if (head[0] == 'S') {
            n_pending = 0;
        } else if (head[0] == 'R') {
            char *why = NULL;
            if ((rc = get_string(fd, &why)) != 0)
                break;
            tk_reg_reject(reg, reg->files[f], "%s", why);
            reg->described[f] = 1;
            free(why);
        } else if (head[0] == 'D') {
            if (n_pending == TK_MAX_COMPONENTS) {
                rc = -1;
                break;
            }
            tk_reg_info *in = &pending[n_pending];
            memset(in, 0, sizeof *in);
            uint32_t kind;
            rc = get(fd, &kind, 4);
            for (int k = 0; rc == 0 && k < 6; k++)
                rc = get_string(fd, &in->strings[k]);
            if (rc) {
                tk_reg_info_free(in);
                break;
            }
            in->pub.kind = (tk_kind)kind;
            in->file = f;
            n_pending++;
        } else if (head[0] == 'O') {
            for (size_t k = 0; k < n_pending; k++) {
                TK_GROW(reg->infos, reg->n_infos, reg->cap_infos);
                reg->infos[reg->n_infos] = pending[k];
                tk_reg_info_publish(&reg->infos[reg->n_infos], reg->files[f]);
                reg->n_infos++;
            }
            reg->described[f] = 1;
            n_pending = 0;
        } else {
            rc = -1;
            break;
        }
    }
    for (size_t k = 0; k < n_pending; k++)
        tk_reg_info_free(&pending[k]);
    *timed_out = rc == -2;
    return rc;
}

/* Probes the candidate files in child processes; a file during whose
 * loading the child dies or hangs is rejected and the next child goes on
 * after it. */
void tk_reg_probe(tk_registry *reg)
{
    size_t start = 0;
    while (start < reg->n_files && reg->described[start])
        start++;
    while (start < reg->n_files) {
        int fds[2];
        if (pipe(fds) != 0) {
            for (size_t i = start; i < reg->n_files; i++)
                if (!reg->described[i]) {
                    tk_reg_reject(reg, reg->files[i], "cannot be probed: pipe: %s",
                                  strerror(errno));
                    reg->described[i] = 1;
                }
            return;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            /* Plugins print what they like, and a sanitizer reports a crash
             * at length; the probe's output is the pipe, and a rejection
             * records what went wrong. */
            int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
            if (null >= 0) {
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
            }
            /* _exit without closing anything: the files loaded here and
             * any the caller had loaded before must not see a deinit()
             * from this copy of the process. */
            _exit(probe_child(reg, start, fds[1]));
        }
        close(fds[1]);
        if (pid < 0) {
            close(fds[0]);
            for (size_t i = start; i < reg->n_files; i++)
                if (!reg->described[i]) {
                    tk_reg_reject(reg, reg->files[i], "cannot be probed: fork: %s",
                                  strerror(errno));
                    reg->described[i] = 1;
                }
            return;
        }
        size_t cur = start;
        int timed_out;
        int rc = read_probe(reg, fds[0], &cur, &timed_out);
        if (rc)
            kill(pid, SIGKILL);
        close(fds[0]);
        int status = tk_wait_child(pid);
        if (rc == 0)
            return;
        reg->described[cur] = TK_REG_KILLED_PROBE;
        const char *file = reg->files[cur];
        if (timed_out)
            tk_reg_reject(reg, file, "did not finish loading in %d s (a plugin hanging in a "
                                     "constructor or init()?)", PROBE_SECONDS);
        else if (WIFSIGNALED(status))
            tk_reg_reject(reg, file, "crashed while loading (%s, in a constructor, init(), "
                                     "count() or get()?)", strsignal(WTERMSIG(status)));
        else
            tk_reg_reject(reg, file, "ended the process while loading (exit status %d: a "
                                     "plugin calling exit()?)",
                          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        start = cur + 1;
        while (start < reg->n_files && reg->described[start])
            start++;
    }
}
