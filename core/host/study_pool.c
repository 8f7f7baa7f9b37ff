#include "study_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "run_files.h"
#include "run_reader.h"
#include "runner.h"

typedef struct worker {
    pid_t pid;
    size_t job;
    double started;
    int timed_out;    /* killed by the pool's time limit */
} worker;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static pid_t launch(const tk_pool_job *job, const tk_pool_options *opt, const sigset_t *mask,
                    pid_t parent)
{
    char input[PATH_MAX], log[PATH_MAX], timeout[32];
    snprintf(input, sizeof input, "%s/input.json", job->run_dir);
    snprintf(log, sizeof log, "%s/log.txt", job->run_dir);
    snprintf(timeout, sizeof timeout, "%.17g", opt->timeout_seconds);
    pid_t pid = fork();
    if (pid > 0)
        setpgid(pid, pid); /* also in the child: whichever runs first */
    if (pid != 0)
        return pid;
    /* Child: its own process group (a timeout or a stop reaches its helpers
     * too, and the terminal's Ctrl-C reaches only the study, which forwards
     * it); death with the study, even by SIGKILL; the signal mask the study
     * had; output into the run's log; then `teachkit run`. */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127); /* the study died before prctl */
    sigprocmask(SIG_SETMASK, mask, NULL);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
    }
    if (opt->timeout_seconds > 0)
        execl("/proc/self/exe", "teachkit", "run", input, "--out", job->run_dir, "--resume",
              "--quiet", "--timeout", timeout, (char *)NULL);
    else
        execl("/proc/self/exe", "teachkit", "run", input, "--out", job->run_dir, "--resume",
              "--quiet", (char *)NULL);
    fprintf(stderr, "teachkit: cannot execute the run: %s\n", strerror(errno));
    _exit(127);
}

/* The last `max` bytes of the run's log, for the failure record, as valid
 * UTF-8 (jansson refuses anything else, and the record would be lost):
 * the cut may fall inside a character, and plugins print what they like. */
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
    unsigned char *raw = malloc(max + 1);
    char *clean = malloc(3 * max + 1);
    size_t n = raw && clean ? fread(raw, 1, max, f) : 0, used = 0, i = 0;
    fclose(f);
    /* A character cut at the start of the tail is dropped, not replaced. */
    while (start > 0 && i < n && i < 3 && (raw[i] & 0xc0) == 0x80)
        i++;
    while (i < n) {
        size_t len = raw[i] ? tk_utf8_sequence(raw + i, n - i) : 0;
        if (len == 0 && n - i < 4 && raw[i] >= 0xc0)
            break; /* a character cut at the end */
        if (len == 0) {
            memcpy(clean + used, "\xef\xbf\xbd", 3); /* U+FFFD */
            used += 3;
            i++;
            continue;
        }
        memcpy(clean + used, raw + i, len);
        used += len;
        i += len;
    }
    json_t *s = json_stringn(clean ? clean : "", used);
    free(raw);
    free(clean);
    return s ? s : json_string("(the log could not be read)");
}

/* How a worker ended, for the failure record and the progress line. */
static void describe(int status, int timed_out, char *buf, size_t size)
{
    if (timed_out)
        snprintf(buf, size, "timed out");
    else if (WIFSIGNALED(status))
        snprintf(buf, size, "%s", strsignal(WTERMSIG(status)));
    else if (WEXITSTATUS(status) == 0)
        snprintf(buf, size, "exited 0 but summary.json does not say \"finished\" (a plugin "
                            "called exit()?)");
    else
        snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
}

static void write_failure(const tk_pool_job *job, int status, int timed_out, double seconds)
{
    json_t *rec = json_object();
    if (WIFSIGNALED(status)) {
        json_object_set_new(rec, "signal", json_integer(WTERMSIG(status)));
        json_object_set_new(rec, "signal_name", json_string(strsignal(WTERMSIG(status))));
    } else {
        json_object_set_new(rec, "exit_code", json_integer(WEXITSTATUS(status)));
    }
    char why[160];
    describe(status, timed_out, why, sizeof why);
    json_object_set_new(rec, "reason", json_string(why));
    json_object_set_new(rec, "timed_out", json_boolean(timed_out));
    json_object_set_new(rec, "seconds", json_real(seconds));
    json_object_set_new(rec, "log_tail", log_tail(job->run_dir, 2000));
    tk_diag d;
    if (tk_write_json_atomic(job->run_dir, "failure.json", rec, &d))
        tk_diag_print(&d, stderr);
    json_decref(rec);
}

/* Records a worker's end: done, busy, stopped or failed. */
static void record_outcome(const tk_pool_job *job, int status, const worker *w, int stopping,
                           const tk_pool_options *opt, tk_pool_result *res)
{
    double seconds = now_seconds() - w->started;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    char failure[PATH_MAX];
    snprintf(failure, sizeof failure, "%s/failure.json", job->run_dir);
    if (code == 0 && !w->timed_out && tk_run_dir_finished(job->run_dir)) {
        unlink(failure);
        if (!opt->quiet)
            printf("  done    %-48s %6.1f s\n", job->label, seconds);
        return;
    }
    if (code == TK_EXIT_LOCKED) {
        /* Another process writes this run: its files are not ours to touch. */
        res->busy++;
        printf("  BUSY    %-48s another teachkit process writes it (see %s/log.txt); left "
               "alone\n", job->label, job->run_dir);
        return;
    }
    if (stopping && (code == 130 || (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))) {
        res->stopped++;
        printf("  stopped %-48s %6.1f s (a rerun resumes it)\n", job->label, seconds);
        return;
    }
    int timed_out = w->timed_out || code == 124;
    write_failure(job, status, timed_out, seconds);
    res->failed++;
    char why[160];
    describe(status, timed_out, why, sizeof why);
    printf("  FAILED  %-48s %s (see %s/log.txt)\n", job->label, why, job->run_dir);
}

/* Signals a worker's process group (its helpers too), or the worker alone
 * if it has not made its group yet.  Once only: a second SIGTERM tells a run
 * to stop at once instead of after its episode. */
static void signal_worker(pid_t pid, int sig)
{
    if (kill(-pid, sig) != 0)
        kill(pid, sig);
}

static void signal_all(const worker *w, int nw, int sig)
{
    for (int i = 0; i < nw; i++)
        if (w[i].pid > 0)
            signal_worker(w[i].pid, sig);
}

/* The pool's own limit is a backstop: a worker with --timeout stops
 * itself, and is killed here only if it has not ended a while later. */
static void kill_overdue(worker *w, int nw, double limit)
{
    double t = now_seconds();
    for (int i = 0; i < nw; i++)
        if (w[i].pid > 0 && !w[i].timed_out && t - w[i].started > limit) {
            w[i].timed_out = 1;
            signal_worker(w[i].pid, SIGKILL);
        }
}

static int is_stop_signal(int sig)
{
    return sig == SIGINT || sig == SIGTERM || sig == SIGHUP;
}

void tk_pool_run(const tk_pool_job *jobs, size_t n, const tk_pool_options *opt,
                 tk_pool_result *res)
{
    memset(res, 0, sizeof *res);
    int nw = opt->jobs > 0 ? opt->jobs : 1;
    worker *w = calloc((size_t)nw, sizeof *w);
    if (!w) {
        res->failed = n;
        return;
    }
    /* Signals are taken synchronously (sigtimedwait): no handler races with
     * waitpid, and a stop signal is never lost between two checks. */
    sigset_t watched, old_mask;
    sigemptyset(&watched);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGHUP);
    sigaddset(&watched, SIGCHLD);
    sigprocmask(SIG_BLOCK, &watched, &old_mask);
    pid_t self = getpid();
    double grace = tk_run_stop_grace(opt->timeout_seconds), stop_deadline = 0;
    int stopping = 0, killed = 0;
    size_t next = 0, running = 0;
    fflush(stdout);
    while ((next < n && !stopping) || running > 0) {
        for (int i = 0; i < nw && next < n && !stopping; i++) {
            if (w[i].pid > 0)
                continue;
            pid_t pid = launch(&jobs[next], opt, &old_mask, self);
            if (pid < 0) {
                printf("  FAILED  %-48s cannot fork: %s\n", jobs[next].label, strerror(errno));
                res->failed++;
                next++;
                continue;
            }
            w[i] = (worker){pid, next++, now_seconds(), 0};
            running++;
        }
        int status;
        pid_t pid;
        while (running > 0 && (pid = waitpid(-1, &status, WNOHANG)) > 0)
            for (int i = 0; i < nw; i++)
                if (w[i].pid == pid) {
                    record_outcome(&jobs[w[i].job], status, &w[i], stopping, opt, res);
                    fflush(stdout);
                    w[i].pid = 0;
                    running--;
                }
        if (running == 0)
            continue;
        if (opt->timeout_seconds > 0)
            kill_overdue(w, nw, opt->timeout_seconds + grace + 5);
        if (stopping && !killed && now_seconds() >= stop_deadline) {
            signal_all(w, nw, SIGKILL);
            killed = 1;
        }
        struct timespec tick = {0, 200 * 1000 * 1000};
        int sig = sigtimedwait(&watched, NULL, &tick);
        if (!is_stop_signal(sig))
            continue;
        if (!stopping) {
            stopping = 1;
            res->signal = sig;
            stop_deadline = now_seconds() + grace;
            printf("teachkit: %s: stopping the %zu running run%s; each checkpoints after its "
                   "episode (a second signal kills them); a rerun resumes the study\n",
                   strsignal(sig), running, running == 1 ? "" : "s");
            fflush(stdout);
            signal_all(w, nw, SIGTERM);
        } else if (!killed) {
            signal_all(w, nw, SIGKILL);
            killed = 1;
        }
    }
    /* A stop signal that came as the last run ended still stops the study. */
    struct timespec zero = {0, 0};
    int sig;
    while ((sig = sigtimedwait(&watched, NULL, &zero)) > 0)
        if (is_stop_signal(sig) && !res->signal)
            res->signal = sig;
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    free(w);
}
