/*
 * bench_standalone_roundtrip: the C side of tools/bench/python_overhead.py.
 * Times sample() + update() round trips of a teacher through the standalone
 * host (<teachkit/standalone.h>), the library the Python package binds to,
 * so that the Python loop's extra time is the binding's overhead alone.
 *
 * The loop is the Python script's: a 2-D unit task space, the teacher's
 * default config, seed 1, and the return task[0] * task[1] (success when
 * above 0.5), so both sides make the teacher do the same work.
 *
 * usage: bench_standalone_roundtrip [--teacher ID] [--episodes N] [--repeat R]
 * Prints "us_per_roundtrip X" (the best repetition's mean).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "teachkit/standalone.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One repetition: a fresh teacher, `episodes` round trips; returns seconds
 * or a negative value on error (printed). */
static double run_once(tk_standalone *sa, const tk_descriptor *d, long episodes)
{
    static const tk_dim dims[2] = {{"x0", 0.0, 1.0}, {"x1", 0.0, 1.0}};
    const tk_task_space space = {2, dims};
    tk_standalone_instance *t = NULL;
    if (tk_standalone_create_teacher(sa, d, &space, NULL, 1, NULL, &t) != TK_OK) {
        fprintf(stderr, "bench: %s\n", tk_standalone_error_message(sa));
        return -1.0;
    }
    double start = now();
    for (long i = 0; i < episodes; i++) {
        float task[2];
        if (tk_standalone_teacher_sample(t, task) != TK_OK ||
            tk_standalone_teacher_update(t, task, (double)task[0] * task[1],
                                         (double)task[0] * task[1] > 0.5) != TK_OK) {
            fprintf(stderr, "bench: %s\n", tk_standalone_instance_error_line(t));
            tk_standalone_destroy(t);
            return -1.0;
        }
    }
    double seconds = now() - start;
    tk_standalone_destroy(t);
    return seconds;
}

int main(int argc, char **argv)
{
    const char *teacher = "alp-gmm";
    long episodes = 20000, repeat = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--teacher") == 0)
            teacher = argv[i + 1];
        else if (strcmp(argv[i], "--episodes") == 0)
            episodes = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--repeat") == 0)
            repeat = strtol(argv[i + 1], NULL, 10);
        else {
            fprintf(stderr, "usage: %s [--teacher ID] [--episodes N] [--repeat R]\n", argv[0]);
            return 2;
        }
    }
    if (episodes < 1 || repeat < 1) {
        fprintf(stderr, "bench: --episodes and --repeat must be >= 1\n");
        return 2;
    }
    tk_standalone *sa = tk_standalone_new();
    const tk_descriptor *d = sa ? tk_standalone_find(sa, TK_KIND_TEACHER, teacher) : NULL;
    if (!d) {
        fprintf(stderr, "bench: %s\n", sa ? tk_standalone_error_message(sa) : "out of memory");
        tk_standalone_free(sa);
        return 1;
    }
    double best = -1.0;
    for (long r = 0; r < repeat; r++) {
        double s = run_once(sa, d, episodes);
        if (s < 0) {
            tk_standalone_free(sa);
            return 1;
        }
        if (best < 0 || s < best)
            best = s;
    }
    printf("us_per_roundtrip %.3f\n", 1e6 * best / (double)episodes);
    tk_standalone_free(sa);
    return 0;
}
