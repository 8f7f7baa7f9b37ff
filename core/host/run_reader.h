/*
 * Reading a run directory (docs/manifest.md, "Run directory") after the
 * fact: its status, evaluation curve, task space, teacher snapshots and
 * sampled tasks.  `teachkit report`, `teachkit plot` and the study commands
 * read runs only through these functions, so the file and key names a
 * reader depends on are written here once (run_files.h writes them).
 *
 * Readers are tolerant: a missing or damaged file reads as "nothing there"
 * (a run still in progress, killed, or failed), never as an error that stops
 * a report.  No state; safe from any thread.
 */
#ifndef TK_HOST_RUN_READER_H
#define TK_HOST_RUN_READER_H

#include <jansson.h>
#include <stddef.h>

/* 1 if dir/summary.json exists and says "finished". */
int tk_run_dir_finished(const char *dir);

/* 1 if the run failed: dir/failure.json exists (a study's record of it), or
 * dir/summary.json says "failed" (a run that failed outside a study). */
int tk_run_dir_failed(const char *dir);

/* The evaluation curve of dir/evals.jsonl: the records with an integer
 * "episode" and a finite "mastered_pct", in file order.  Other lines are
 * counted in `bad` (the first at line `first_bad`) for the caller to
 * report.  Arrays owned by the curve (tk_run_curve_free). */
typedef struct tk_run_curve {
    double *episodes, *mastered_pct;
    size_t n;
    size_t bad, first_bad;
} tk_run_curve;

/* 0, or -1 when the file cannot be opened or memory runs out (the curve
 * then holds what was read; free it either way). */
int tk_run_read_curve(const char *dir, tk_run_curve *out);
void tk_run_curve_free(tk_run_curve *c);

/* One dimension of the run's task space, from dir/summary.json. */
typedef struct tk_run_dim {
    double low, high;
    char name[64];
} tk_run_dim;

/* The first `max` dimensions into out[]; returns the number of dimensions
 * of the space (possibly more than `max`), 0 when unknown. */
size_t tk_run_read_task_space(const char *dir, tk_run_dim *out, size_t max);

/* The teacher's snapshots of dir/teacher.jsonl, in order: *snapshots gets
 * their JSON objects, *episodes the episode count each was taken at (new
 * references, both arrays, empty when the teacher wrote none).  -1 when
 * the file cannot be opened or on OOM (both NULL then). */
int tk_run_read_snapshots(const char *dir, json_t **snapshots, json_t **episodes);

/* Calls fn(user, episode, task, n) for every record of dir/episodes.jsonl
 * with its episode number and the first n <= max coordinates of its task
 * (lines that are not episode records are skipped).  fn returns 0 to go on;
 * its non-zero value stops the walk and is returned.  -1 when the file
 * cannot be opened.  Fast: the lines are scanned, not parsed as JSON. */
typedef int (*tk_run_task_fn)(void *user, long episode, const double *task, size_t n);
int tk_run_each_task(const char *dir, size_t max, tk_run_task_fn fn, void *user);

#endif
