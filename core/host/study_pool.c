#include "study_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_files.h"

typedef struct worker {
    pid_t pid;
    size_t job;
    double started;
    int timed_out;
} worker;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static pid_t launch(const tk_pool_job *job)
{
    char input[PATH_MAX], log[PATH_MAX];
    snprintf(input, sizeof input, "%s/input.json", job->run_dir);
    snprintf(log, sizeof log, "%s/log.txt", job->run_dir);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* Child: its own process group (so a timeout kills its helpers too),
     * output into the run's log, then become `teachkit run`. */
    setpgid(0, 0);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
    }
    execl("/proc/self/exe", "teachkit", "run", input, "--out", job->run_dir, "--resume",
          "--quiet", (char *)NULL);
    fprintf(stderr, "teachkit: cannot execute the run: %s\n", strerror(errno));
    _exit(127);
}

/* The last `max` bytes of the run's log, for the failure record. */
static json_t *log_tail(const char *run_dir, size_t max)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/log.txt", run_dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return json_string("");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    long start = size > (long)max ? size - (long)max : 0;
    fseek(f, start, SEEK_SET);
    char *buf = calloc(max + 1, 1);
    size_t n = buf ? fread(buf, 1, max, f) : 0;
    fclose(f);
    json_t *s = json_stringn_nocheck(buf ? buf : "", n);
    free(buf);
    return s;
}

static void record_outcome(const tk_pool_job *job, int status, int timed_out, double seconds,
                           int quiet)
{
    char failure[PATH_MAX];
    snprintf(failure, sizeof failure, "%s/failure.json", job->run_dir);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && !timed_out;
    if (ok) {
        unlink(failure);
        if (!quiet)
            printf("  done    %-48s %6.1f s\n", job->label, seconds);
        return;
    }
    json_t *rec = json_object();
    if (WIFSIGNALED(status)) {
        json_object_set_new(rec, "signal", json_integer(WTERMSIG(status)));
        json_object_set_new(rec, "signal_name", json_string(strsignal(WTERMSIG(status))));
    } else {
        json_object_set_new(rec, "exit_code", json_integer(WEXITSTATUS(status)));
    }
    json_object_set_new(rec, "timed_out", json_boolean(timed_out));
    json_object_set_new(rec, "seconds", json_real(seconds));
    json_object_set_new(rec, "log_tail", log_tail(job->run_dir, 2000));
    tk_diag d;
    if (tk_write_json_atomic(job->run_dir, "failure.json", rec, &d))
        tk_diag_print(&d, stderr);
    json_decref(rec);
    printf("  FAILED  %-48s %s%s (see %s/log.txt)\n", job->label,
           timed_out ? "timed out, " : "",
           WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "non-zero exit", job->run_dir);
}

static void kill_overdue(worker *w, int jobs, double timeout)
{
    double t = now_seconds();
    for (int i = 0; i < jobs; i++)
        if (w[i].pid > 0 && !w[i].timed_out && t - w[i].started > timeout) {
            w[i].timed_out = 1;
            kill(-w[i].pid, SIGKILL);
            kill(w[i].pid, SIGKILL);
        }
}

size_t tk_pool_run(const tk_pool_job *jobs, size_t n, const tk_pool_options *opt)
{
    int nw = opt->jobs > 0 ? opt->jobs : 1;
    worker *w = calloc((size_t)nw, sizeof *w);
    size_t next = 0, running = 0, failed = 0;
    fflush(stdout);
    while (next < n || running > 0) {
        for (int i = 0; i < nw && next < n; i++) {
            if (w[i].pid > 0)
                continue;
            pid_t pid = launch(&jobs[next]);
            if (pid < 0) {
                printf("  FAILED  %-48s cannot fork: %s\n", jobs[next].label, strerror(errno));
                failed++;
                next++;
                continue;
            }
            w[i].pid = pid;
            w[i].job = next++;
            w[i].started = now_seconds();
            w[i].timed_out = 0;
            running++;
        }
        int status;
        pid_t pid = opt->timeout_seconds > 0 ? waitpid(-1, &status, WNOHANG)
                                             : waitpid(-1, &status, 0);
        if (pid == 0) {
            kill_overdue(w, nw, opt->timeout_seconds);
            struct timespec nap = {0, 10 * 1000 * 1000};
            nanosleep(&nap, NULL);
            continue;
        }
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < nw; i++) {
            if (w[i].pid != pid)
                continue;
            const tk_pool_job *job = &jobs[w[i].job];
            int bad = !(WIFEXITED(status) && WEXITSTATUS(status) == 0) || w[i].timed_out;
            record_outcome(job, status, w[i].timed_out, now_seconds() - w[i].started,
                           opt->quiet);
            failed += (size_t)bad;
            fflush(stdout);
            w[i].pid = 0;
            running--;
        }
    }
    free(w);
    return failed;
}
