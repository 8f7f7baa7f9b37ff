#include "runner.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "episode_player.h"
#include "run_files.h"
#include "student_reset.h"
#include "teachkit/rng.h"
#include "teachkit/stop_request.h"
#include "system_json.h"

#define PHASE_TEACHER TK_PHASE_TEACHER
#define PHASE_ENV TK_PHASE_ENV
#define PHASE_STUDENT TK_PHASE_STUDENT
#define PHASE_EVAL TK_PHASE_EVAL
#define PHASE_IO TK_PHASE_IO
#define N_PHASES TK_N_PHASES
static const char *const phase_names[N_PHASES] = {"teacher", "env", "student", "eval", "io"};

typedef struct run_state {
    tk_experiment *x;
    const tk_manifest *m;
    const char *out_dir;
    const tk_run_options *opt;
    tk_line_log logs[TK_N_LOGS];
    float *task, *obs, *next_obs, *action;
    tk_run_progress p;          /* everything a checkpoint restores */
    int checkpoints;            /* all instances support save/load */
    double last_checkpoint;
    double last_flush;          /* logs reach the disk at least twice a second */
    double start;
    double last_progress;
    int progress;
    char *line;                 /* a log line; sized for the task space */
    size_t line_size;
    /* A stop may checkpoint inside an episode (episode_record.h): the
     * student declares "checkpoint-within-episode" and the teacher does not
     * see steps (a step-update teacher's state mid-episode is not covered). */
    int stop_within_episode;
    tk_episode_record record;   /* the training episode in progress */
    int resumed_inside_episode; /* the checkpoint was taken inside `record` */
    int stopped_inside_episode; /* this run stopped inside `record` */
    /* ABI 1.2: the level of the training episode in progress (zero unless
     * the teacher provides sample_level) and its scores. */
    tk_level level;
    tk_episode_scores scores;
} run_state;

static volatile sig_atomic_t announce_stop;   /* stderr is the user's terminal */
static volatile sig_atomic_t stop_grace;      /* seconds an episode gets after --timeout */

static void say(const char *msg, size_t len)
{
    ssize_t ignored = write(STDERR_FILENO, msg, len);
    (void)ignored;
}

/* The first signal stops the run with a checkpoint, after the current step
 * when the run can checkpoint inside an episode, else after the episode;
 * the second stops it at once (an episode of a large student can take
 * seconds), and a resume continues from the last checkpoint. */
static void on_stop_signal(int sig)
{
    (void)sig;
    if (tk_stop_requested) {
        static const char msg[] = "\nteachkit: stopped at once; `teachkit run --resume` "
                                  "continues from the last checkpoint\n";
        if (announce_stop)
            say(msg, sizeof msg - 1);
        _exit(130);
    }
    tk_stop_requested = TK_STOP_SIGNAL;
    static const char after_episode[] = "\nteachkit: stopping after this episode, with a "
                                        "checkpoint (press Ctrl-C again to stop at once)\n";
    static const char after_step[] = "\nteachkit: stopping after this step, with a "
                                     "checkpoint\n";
    if (announce_stop && tk_stop_at_step)
        say(after_step, sizeof after_step - 1);
    else if (announce_stop)
        say(after_episode, sizeof after_episode - 1);
}

/* --timeout: the first alarm stops the run like a signal; the second, an
 * episode's grace later, ends a run stuck in a plugin. */
static void on_alarm(int sig)
{
    (void)sig;
    if (tk_stop_requested) {
        static const char msg[] = "teachkit: --timeout: the run did not stop after its "
                                  "deadline (a plugin call that does not return?); killed\n";
        say(msg, sizeof msg - 1);
        _exit(124);
    }
    tk_stop_requested = TK_STOP_TIMEOUT;
    alarm((unsigned)stop_grace);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Accumulates the time since `*t` into `phase` and restarts the clock. */
static void lap(run_state *s, int phase, double *t)
{
    double n = now_seconds();
    s->p.phase_seconds[phase] += n - *t;
    *t = n;
}

/* The host's copies of the vtables (<teachkit/component.h>): an optional
 * member is called when it is not NULL, whatever minor version the plugin
 * was built for. */
static const tk_teacher_vtable *teacher_vt(const run_state *s)
{
    return tk_component_teacher(s->x->teacher.comp);
}
static const tk_env_vtable *env_vt(const tk_instance *env)
{
    return tk_component_env(env->comp);
}
static const tk_student_vtable *student_vt(const run_state *s)
{
    return tk_component_student(s->x->student.comp);
}

static int all_finite(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* Appends "[a,b,c]" with float32 round-trip precision. */
static size_t format_floats(char *out, size_t size, const float *v, size_t n)
{
    size_t used = (size_t)snprintf(out, size, "[");
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%.9g", i ? "," : "", (double)v[i]);
    if (used < size)
        used += (size_t)snprintf(out + used, size - used, "]");
    return used;
}

/* ----------------------------------------------------------- evaluation */

static int evaluate(run_state *s, tk_diag *d)
{
    tk_experiment *x = s->x;
    double t = now_seconds();
    double mastered = 0.0, mean_return = NAN;
    if (x->self_evaluating) {
        tk_status st = env_vt(&x->env)->evaluate(x->env.self, &mastered);
        if (st != TK_OK)
            return tk_instance_fail(&x->env, st, s->m->file, "evaluate", d);
    } else {
        size_t n = x->test_set.n, hits = 0;
        double sum = 0.0;
        const tk_episode_player player = {.x = x, .manifest_file = s->m->file,
                                          .obs = s->obs, .action = s->action};
        for (size_t i = 0; i < n; i++) {
            double ret = 0.0;
            if (tk_play_episode(&player, x->test_set.tasks + i * x->test_set.dims, &ret, d))
                return -1;
            sum += ret;
            hits += ret > x->mastery_threshold;
        }
        mastered = 100.0 * (double)hits / (double)n;
        mean_return = sum / (double)n;
    }
    lap(s, PHASE_EVAL, &t);
    s->p.have_eval = 1;
    s->p.last_mastered_pct = mastered;
    s->p.last_mean_return = mean_return;
    s->p.last_eval_episode = s->p.episodes;
    int n = snprintf(s->line, s->line_size,
                     "{\"episode\":%llu,\"env_steps\":%llu,\"mastered_pct\":%.10g,"
                     "\"mean_return\":",
                     (unsigned long long)s->p.episodes, (unsigned long long)s->p.env_steps, mastered);
    n += isfinite(mean_return) ? snprintf(s->line + n, s->line_size - (size_t)n, "%.10g}",
                                          mean_return)
                               : snprintf(s->line + n, s->line_size - (size_t)n, "null}");
    /* Evaluations are rare and precious: make each durable at once. */
    int rc = tk_line_log_append(&s->logs[TK_LOG_EVALS], s->line, (size_t)n, d) ||
             tk_line_log_flush(&s->logs[TK_LOG_EVALS], d) || tk_line_log_flush(&s->logs[TK_LOG_EPISODES], d);
    lap(s, PHASE_IO, &t);
    return rc ? -1 : 0;
}

static int snapshot(run_state *s, tk_diag *d)
{
    const tk_teacher_vtable *tv = teacher_vt(s);
    s->p.last_snapshot_episode = s->p.episodes;
    if (!tv->snapshot)
        return 0;
    double t = now_seconds();
    const char *text = NULL;
    tk_status st = tv->snapshot(s->x->teacher.self, &text);
    lap(s, PHASE_TEACHER, &t);
    if (st != TK_OK)
        return tk_instance_fail(&s->x->teacher, st, s->m->file, "snapshot", d);
    json_error_t jerr;
    json_t *snap = text ? json_loads(text, 0, &jerr) : NULL;
    if (!snap)
        return tk_diag_set(d, s->x->teacher.comp->file, NULL,
                           "teacher \"%s\" snapshot is not valid JSON", s->x->teacher.ctx.id);
    json_t *line = json_pack("{s:I, s:o}", "episode", (json_int_t)s->p.episodes, "snapshot", snap);
    char *dump = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(line);
    int rc = dump ? tk_line_log_append(&s->logs[TK_LOG_TEACHER], dump, strlen(dump), d) : -1;
    free(dump);
    lap(s, PHASE_IO, &t);
    return rc;
}

/* ------------------------------------------------------------- episodes */

typedef struct episode {
    double ret;
    uint64_t steps;
    const char *bad;   /* non-finite value seen ("reward", "observation", "action") */
    const char *who;   /* the component that produced it */
    int at_reset;      /* it was the first observation, from reset */
    int interrupted;   /* a stop came inside it; s->record holds it */
} episode;

/* Ends an episode abandoned after the student's first act() because of a
 * non-finite value.  With "on_nonfinite": "skip" the run goes on, so the
 * student still gets end_episode with the partial return and the steps it
 * observed: the last transition it saw carries done = truncated = 0, and
 * without this call it would merge the episode into the next one (PPO's GAE
 * would bootstrap across the cut, SAC would skip its gradient steps).  With
 * "stop" the run ends at once and nothing more is called. */
static int abandon_episode(run_state *s, episode *ep, const char *bad, const char *who,
                           double *t, tk_diag *d)
{
    ep->bad = bad, ep->who = who;
    if (s->m->on_nonfinite != TK_NONFINITE_SKIP)
        return 0;
    /* No checkpoint here (the episode is dropped): a student that stops
     * early is called until it has finished. */
    tk_status st;
    do
        st = student_vt(s)->end_episode(s->x->student.self, ep->ret, ep->steps);
    while (st == TK_STOPPED);
    lap(s, PHASE_STUDENT, t);
    return st == TK_OK ? 0 : tk_instance_fail(&s->x->student, st, s->m->file, "end_episode", d);
}

/* Sets the env to s->task and resets it into s->obs, first recording the
 * env's state when a stop may come inside the episode. */
static int start_env_episode(run_state *s, double *t, tk_diag *d)
{
    tk_experiment *x = s->x;
    const tk_env_vtable *ev = env_vt(&x->env);
    if (s->stop_within_episode) {
        const void *state;
        size_t size;
        if (tk_checkpoint_env_state(x, &state, &size, d))
            return -1;
        if (tk_episode_record_begin(&s->record, &x->env.ctx.rng, state, size, s->task))
            return tk_diag_set(d, NULL, NULL, "out of memory");
    }
    tk_status st = ev->set_task(x->env.self, tk_experiment_env_task(x, s->task));
    if (st == TK_OK)
        st = ev->reset(x->env.self, s->obs);
    lap(s, PHASE_ENV, t);
    return st == TK_OK ? 0 : tk_instance_fail(&x->env, st, s->m->file, "set_task/reset", d);
}

static int play_steps(run_state *s, episode *ep, tk_diag *d);

/* Keeps where the episode stopped in s->record, for the checkpoint. */
static void note_interruption(run_state *s, episode *ep, int ended)
{
    s->record.ret = ep->ret;
    memcpy(s->record.obs, s->obs, s->x->info.obs_dim * sizeof(float));
    s->record.ended = ended;
    ep->interrupted = 1;
}

/* The student's end of the episode, which a student that checkpoints
 * inside episodes may stop early (TK_STOPPED): then the run stops there. */
static int end_student_episode(run_state *s, episode *ep, tk_diag *d)
{
    double t = now_seconds();
    tk_status st = student_vt(s)->end_episode(s->x->student.self, ep->ret, ep->steps);
    lap(s, PHASE_STUDENT, &t);
    if (st == TK_STOPPED && s->stop_within_episode) {
        note_interruption(s, ep, 1);
        return 0;
    }
    return st == TK_OK ? 0 : tk_instance_fail(&s->x->student, st, s->m->file, "end_episode", d);
}

static int play_training_episode(run_state *s, episode *ep, tk_diag *d)
{
    tk_experiment *x = s->x;
    const tk_teacher_vtable *tv = teacher_vt(s);
    const size_t obs_dim = x->info.obs_dim;
    double t = now_seconds();
    memset(ep, 0, sizeof *ep);
    /* A level's seed fixes the env's random stream for the episode, so the
     * same level plays the same env whenever the teacher proposes it again
     * (docs/plugin-abi.md, "Levels"). */
    if (s->level.has_seed)
        tk_rng_derive(&x->env.ctx.rng, s->level.seed, "level");
    if (start_env_episode(s, &t, d))
        return -1;
    tk_status st;
    /* The first observation goes to the student and to episode_start.  A bad
     * one abandons the episode before the student has seen anything of it,
     * so there is no episode to end for the student either. */
    if (!all_finite(s->obs, obs_dim)) {
        ep->bad = "observation", ep->who = "env", ep->at_reset = 1;
        return 0;
    }
    /* Only now: an episode dropped at reset never reaches the student.  The
     * learner is told whether to learn from the episode: the student, or the
     * env that simulates it (ABI 1.3). */
    const tk_episode_options opt = {.struct_size = sizeof opt,
                                    .learn = s->level.no_learn ? 0u : 1u,
                                    .scores = x->scores ? 1u : 0u};
    if (x->episode_options) {
        st = student_vt(s)->begin_episode(x->student.self, &opt);
        lap(s, PHASE_STUDENT, &t);
        if (st != TK_OK)
            return tk_instance_fail(&x->student, st, s->m->file, "begin_episode", d);
    }
    if (x->env_episode_options) {
        st = env_vt(&x->env)->begin_episode(x->env.self, &opt);
        lap(s, PHASE_ENV, &t);
        if (st != TK_OK)
            return tk_instance_fail(&x->env, st, s->m->file, "begin_episode", d);
    }
    if (x->step_updates && tv->episode_start) {
        st = tv->episode_start(x->teacher.self, s->task, s->obs);
        lap(s, PHASE_TEACHER, &t);
        if (st != TK_OK)
            return tk_instance_fail(&x->teacher, st, s->m->file, "episode_start", d);
    }
    return play_steps(s, ep, d);
}

/* Plays the episode from s->obs to its end, or to a stop when the run can
 * stop inside an episode. */
static int play_steps(run_state *s, episode *ep, tk_diag *d)
{
    tk_experiment *x = s->x;
    const tk_env_vtable *ev = env_vt(&x->env);
    const tk_student_vtable *sv = student_vt(s);
    const tk_teacher_vtable *tv = teacher_vt(s);
    const size_t obs_dim = x->info.obs_dim, act_dim = x->info.act_dim;
    double t = now_seconds();
    tk_status st;
    for (;;) {
        st = sv->act(x->student.self, s->obs, 0, s->action);
        lap(s, PHASE_STUDENT, &t);
        if (st != TK_OK)
            return tk_instance_fail(&x->student, st, s->m->file, "act", d);
        if (!all_finite(s->action, act_dim))
            return abandon_episode(s, ep, "action", "student", &t, d);
        if (s->stop_within_episode && tk_episode_record_action(&s->record, s->action))
            return tk_diag_set(d, NULL, NULL, "out of memory");
        double r = 0.0;
        int done = 0;
        st = ev->step(x->env.self, s->action, s->next_obs, &r, &done);
        lap(s, PHASE_ENV, &t);
        if (st != TK_OK)
            return tk_instance_fail(&x->env, st, s->m->file, "step", d);
        if (!isfinite(r) || !all_finite(s->next_obs, obs_dim))
            return abandon_episode(s, ep, isfinite(r) ? "observation" : "reward", "env", &t, d);
        ep->steps++;
        ep->ret += r;
        int truncated = !done && ep->steps >= x->info.max_episode_steps;
        st = sv->observe(x->student.self, s->obs, s->action, r, s->next_obs, done, truncated);
        lap(s, PHASE_STUDENT, &t);
        if (st != TK_OK)
            return tk_instance_fail(&x->student, st, s->m->file, "observe", d);
        if (x->step_updates && tv->step_update) {
            st = tv->step_update(x->teacher.self, s->obs, s->action, r, s->next_obs, done);
            lap(s, PHASE_TEACHER, &t);
            if (st != TK_OK)
                return tk_instance_fail(&x->teacher, st, s->m->file, "step_update", d);
        }
        float *swap = s->obs;
        s->obs = s->next_obs;
        s->next_obs = swap;
        if (done || truncated)
            break;
        if (tk_stop_requested && s->stop_within_episode) {
            note_interruption(s, ep, 0);
            return 0;
        }
    }
    return end_student_episode(s, ep, d);
}

/* Brings the env back to where the run stopped inside the recorded
 * episode, replaying its actions through the env alone (the student and
 * teacher were saved at that point), and checks that it got there. */
static int replay_episode(run_state *s, episode *ep, tk_diag *d)
{
    tk_experiment *x = s->x;
    tk_episode_record *rec = &s->record;
    const tk_env_vtable *ev = env_vt(&x->env);
    const size_t obs_dim = x->info.obs_dim, act_dim = x->info.act_dim;
    const size_t steps = rec->steps;
    const double ret = rec->ret;
    double t = now_seconds();
    memset(ep, 0, sizeof *ep);
    memcpy(s->task, rec->task, x->info.task_space.dims * sizeof(float));
    if (start_env_episode(s, &t, d)) /* restarts the record: same state, same task */
        return -1;
    for (size_t i = 0; i < steps; i++) {
        memcpy(s->action, rec->actions + i * act_dim, act_dim * sizeof(float));
        tk_episode_record_action(rec, s->action); /* within the capacity it had */
        double r = 0.0;
        int done = 0;
        tk_status st = ev->step(x->env.self, s->action, s->next_obs, &r, &done);
        if (st != TK_OK)
            return tk_instance_fail(&x->env, st, s->m->file, "step (replaying the interrupted "
                                    "episode)", d);
        ep->steps++;
        ep->ret += r;
        float *swap = s->obs;
        s->obs = s->next_obs;
        s->next_obs = swap;
        if (done && i + 1 < steps)
            break;
    }
    lap(s, PHASE_ENV, &t);
    if (ep->steps != steps || memcmp(&ep->ret, &ret, sizeof ret) != 0 ||
        memcmp(s->obs, rec->obs, obs_dim * sizeof(float)) != 0)
        return tk_diag_set(d, s->out_dir, NULL,
                           "cannot resume inside episode %llu: env \"%s\" did not replay its "
                           "%zu recorded steps to the same observation and return, so it is "
                           "not deterministic given its saved state, task and actions; "
                           "restart the run without --resume",
                           (unsigned long long)s->p.episodes, x->env.ctx.id, steps);
    return 0;
}

static double normalise(const tk_env_info *info, double ret)
{
    double u = (ret - info->return_low) / (info->return_high - info->return_low);
    return u < 0.0 ? 0.0 : u > 1.0 ? 1.0 : u;
}

/* Appends a score member ",\"name\":v" when `bit` is present. */
static int format_score(char *out, size_t size, const tk_episode_scores *sc, unsigned bit,
                        const char *name, double v, int *first)
{
    if (!TK_SCORES_HAVE(sc, bit))
        return 0;
    int n = snprintf(out, size, "%s\"%s\":%.10g", *first ? "" : ",", name, v);
    *first = 0;
    return n;
}

/* The ABI 1.2 members of an episode line, each only when it applies, so
 * the lines of runs that use none of it stay as they were:
 * "level_seed", "learn": false, and "scores" (those reported). */
static int format_level(const run_state *s, const episode *ep, char *out, size_t size)
{
    int n = 0;
    if (s->level.has_seed)
        n += snprintf(out + n, size - (size_t)n, ",\"level_seed\":%llu",
                      (unsigned long long)s->level.seed);
    if (s->level.no_learn)
        n += snprintf(out + n, size - (size_t)n, ",\"learn\":false");
    const tk_episode_scores *sc = &s->scores;
    if (!s->x->scores || ep->bad || sc->present == 0)
        return n;
    int first = 1;
    n += snprintf(out + n, size - (size_t)n, ",\"scores\":{");
    n += format_score(out + n, size - (size_t)n, sc, TK_SCORE_POSITIVE_VALUE_LOSS,
                      "positive_value_loss", sc->positive_value_loss, &first);
    n += format_score(out + n, size - (size_t)n, sc, TK_SCORE_VALUE_RETURN, "mean_value",
                      sc->mean_value, &first);
    n += format_score(out + n, size - (size_t)n, sc, TK_SCORE_VALUE_RETURN, "discounted_return",
                      sc->discounted_return, &first);
    n += format_score(out + n, size - (size_t)n, sc, TK_SCORE_ENV, "env_score", sc->env_score,
                      &first);
    n += snprintf(out + n, size - (size_t)n, "}");
    return n;
}

static int log_episode(run_state *s, const episode *ep, double norm, int success, tk_diag *d)
{
    size_t size = s->line_size;
    int n = snprintf(s->line, size, "{\"episode\":%llu,\"task\":",
                     (unsigned long long)s->p.episodes);
    n += (int)format_floats(s->line + n, size - (size_t)n, s->task, s->x->info.task_space.dims);
    if (s->x->shuffle) { /* the teacher's task above, the env's here */
        n += snprintf(s->line + n, size - (size_t)n, ",\"env_task\":");
        n += (int)format_floats(s->line + n, size - (size_t)n, s->x->env_task,
                                s->x->info.task_space.dims);
    }
    if (ep->bad)
        n += snprintf(s->line + n, size - (size_t)n,
                      ",\"return\":null,\"return_norm\":null,\"steps\":%llu,\"env_steps\":%llu,"
                      "\"success\":false,\"skipped\":\"non-finite %s from %s\"",
                      (unsigned long long)ep->steps, (unsigned long long)s->p.env_steps, ep->bad,
                      ep->who);
    else
        n += snprintf(s->line + n, size - (size_t)n,
                      ",\"return\":%.10g,\"return_norm\":%.10g,\"steps\":%llu,\"env_steps\":%llu,"
                      "\"success\":%s",
                      ep->ret, norm, (unsigned long long)ep->steps,
                      (unsigned long long)s->p.env_steps, success ? "true" : "false");
    if (n > 0 && (size_t)n < size)
        n += format_level(s, ep, s->line + n, size - (size_t)n);
    if (n > 0 && (size_t)n < size)
        n += snprintf(s->line + n, size - (size_t)n, "}");
    if (n < 0 || (size_t)n >= size) /* alloc_buffers sized the line: a bug if it happens */
        return tk_diag_set(d, s->out_dir, NULL, "internal error: an episode line of %zu task "
                           "dimensions does not fit its buffer", s->x->info.task_space.dims);
    return tk_line_log_append(&s->logs[TK_LOG_EPISODES], s->line, (size_t)n, d);
}

/* The teacher's task for the next episode, in s->task, and its level
 * (seed, no-learn mark) in s->level when the teacher provides sample_level. */
static int sample_task(run_state *s, tk_diag *d)
{
    tk_experiment *x = s->x;
    const tk_teacher_vtable *tv = teacher_vt(s);
    const tk_task_space *space = &x->info.task_space;
    double t = now_seconds();
    memset(&s->level, 0, sizeof s->level);
    s->level.struct_size = sizeof s->level;
    tk_status st = x->levels ? tv->sample_level(x->teacher.self, s->task, &s->level)
                             : tv->sample(x->teacher.self, s->task);
    lap(s, PHASE_TEACHER, &t);
    if (st != TK_OK)
        return tk_instance_fail(&x->teacher, st, s->m->file, x->levels ? "sample_level" : "sample",
                                d);
    if (s->level.no_learn &&
        !tk_descriptor_has_feature(x->teacher.comp->desc, TK_FEATURE_NO_LEARN_EPISODES))
        return tk_diag_set(d, x->teacher.comp->file, NULL,
                           "teacher \"%s\" marked episode %llu as no-learn without declaring "
                           "the feature \"%s\"", x->teacher.ctx.id,
                           (unsigned long long)s->p.episodes, TK_FEATURE_NO_LEARN_EPISODES);
    for (size_t i = 0; i < space->dims; i++)
        if (!isfinite(s->task[i]) || s->task[i] < (float)space->dim[i].low ||
            s->task[i] > (float)space->dim[i].high)
            return tk_diag_set(d, x->teacher.comp->file, NULL,
                               "teacher \"%s\" sampled task value %g for dimension \"%s\" "
                               "outside [%g, %g] at episode %llu",
                               x->teacher.ctx.id, (double)s->task[i], space->dim[i].name,
                               space->dim[i].low, space->dim[i].high,
                               (unsigned long long)s->p.episodes);
    return 0;
}

/* ABI 1.2: collects the episode's scores from the student (when it was
 * asked for them in begin_episode) and the env into s->scores, and hands
 * them to the teacher. */
static int report_scores(run_state *s, tk_diag *d)
{
    tk_experiment *x = s->x;
    const tk_student_vtable *sv = student_vt(s);
    const tk_env_vtable *ev = env_vt(&x->env);
    double t = now_seconds();
    memset(&s->scores, 0, sizeof s->scores);
    s->scores.struct_size = sizeof s->scores;
    tk_status st = TK_OK;
    if (x->episode_options && sv->episode_scores)
        st = sv->episode_scores(x->student.self, &s->scores);
    lap(s, PHASE_STUDENT, &t);
    if (st != TK_OK)
        return tk_instance_fail(&x->student, st, s->m->file, "episode_scores", d);
    if (ev->episode_scores)
        st = ev->episode_scores(x->env.self, &s->scores);
    lap(s, PHASE_ENV, &t);
    if (st != TK_OK)
        return tk_instance_fail(&x->env, st, s->m->file, "episode_scores", d);
    s->scores.struct_size = sizeof s->scores; /* a plugin must not change it */
    st = teacher_vt(s)->update_scores(x->teacher.self, s->task, &s->scores);
    lap(s, PHASE_TEACHER, &t);
    return st == TK_OK ? 0 : tk_instance_fail(&x->teacher, st, s->m->file, "update_scores", d);
}

static int one_episode(run_state *s, tk_diag *d)
{
    tk_experiment *x = s->x;
    const tk_teacher_vtable *tv = teacher_vt(s);
    episode ep;
    if (s->resumed_inside_episode) {
        s->resumed_inside_episode = 0;
        int ended = s->record.ended;
        if (replay_episode(s, &ep, d) ||
            (ended ? end_student_episode(s, &ep, d) : play_steps(s, &ep, d)))
            return -1;
    } else if (sample_task(s, d) || play_training_episode(s, &ep, d)) {
        return -1;
    }
    if (ep.interrupted) {
        s->stopped_inside_episode = 1;
        return 0;
    }
    s->p.env_steps += ep.steps;
    if (ep.bad && s->m->on_nonfinite == TK_NONFINITE_STOP) {
        char where[48];
        if (ep.at_reset)
            snprintf(where, sizeof where, "at reset");
        else
            snprintf(where, sizeof where, "step %llu", (unsigned long long)ep.steps + 1);
        return tk_diag_set(d, s->m->file, "on_nonfinite",
                           "%s \"%s\" produced a non-finite %s in episode %llu (%s); "
                           "the run stops so it never reaches the teacher; set \"on_nonfinite\": "
                           "\"skip\" to drop such episodes instead",
                           ep.who, ep.who[0] == 'e' ? x->env.ctx.id : x->student.ctx.id, ep.bad,
                           (unsigned long long)s->p.episodes, where);
    }
    double norm = 0.0;
    int success = 0;
    if (!ep.bad) {
        const tk_env_vtable *ev = env_vt(&x->env);
        success = ev->success ? ev->success(x->env.self) != 0
                                              : ep.ret > x->mastery_threshold;
        norm = normalise(&x->info, ep.ret);
        double t = now_seconds();
        tk_status st = tv->update(x->teacher.self, s->task, x->raw_return ? ep.ret : norm, success);
        lap(s, PHASE_TEACHER, &t);
        if (st != TK_OK)
            return tk_instance_fail(&x->teacher, st, s->m->file, "update", d);
        if (x->scores && report_scores(s, d))
            return -1;
    } else {
        s->p.skipped++;
    }
    double t = now_seconds();
    int rc = log_episode(s, &ep, norm, success, d);
    lap(s, PHASE_IO, &t);
    s->p.episodes++;
    return rc;
}

/* -------------------------------------------------------------- progress */

static void show_progress(run_state *s, int final)
{
    double n = now_seconds();
    if (!s->progress || (!final && n - s->last_progress < 0.25))
        return;
    s->last_progress = n;
    const tk_manifest *m = s->m;
    double elapsed = n - s->start, frac = 0.0;
    if (m->budget_episodes)
        frac = (double)s->p.episodes / (double)m->budget_episodes;
    if (m->budget_env_steps) {
        double f2 = (double)s->p.env_steps / (double)m->budget_env_steps;
        frac = f2 > frac ? f2 : frac;
    }
    double eta = frac > 0 ? elapsed * (1.0 - frac) / frac : 0.0;
    fprintf(stderr, "\r%s: %llu episodes, %llu steps (%.0f%%), %.0f ep/s, ETA %.0fs, mastered %.1f%%  %s",
            m->name, (unsigned long long)s->p.episodes, (unsigned long long)s->p.env_steps,
            100.0 * frac, elapsed > 0 ? (double)s->p.episodes / elapsed : 0.0, eta,
            s->p.last_mastered_pct, final ? "\n" : "");
}

/* ------------------------------------------------------------------ loop */

static int budget_left(const run_state *s)
{
    const tk_manifest *m = s->m;
    if (m->budget_episodes && s->p.episodes >= m->budget_episodes)
        return 0;
    if (m->budget_env_steps && s->p.env_steps >= m->budget_env_steps)
        return 0;
    return 1;
}

static int eval_due(run_state *s)
{
    const tk_manifest *m = s->m;
    int due = m->eval_every_episodes && s->p.episodes % m->eval_every_episodes == 0;
    if (m->eval_every_env_steps && s->p.env_steps >= s->p.next_eval_steps) {
        due = 1;
        while (s->p.next_eval_steps <= s->p.env_steps)
            s->p.next_eval_steps += m->eval_every_env_steps;
    }
    return due;
}

static int write_summary(run_state *s, const char *status, tk_diag *d)
{
    tk_experiment *x = s->x;
    json_t *times = json_object();
    double total = 0.0;
    for (int i = 0; i < N_PHASES; i++) {
        json_object_set_new(times, phase_names[i], json_real(s->p.phase_seconds[i]));
        total += s->p.phase_seconds[i];
    }
    double wall = now_seconds() - s->start;
    json_object_set_new(times, "other", json_real(wall > total ? wall - total : 0.0));
    json_t *sum = json_pack(
        "{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:f, s:o}", "status", status,
        "name", s->m->name, "teacher", x->teacher.ctx.id, "env", x->env.ctx.id, "seed",
        (json_int_t)s->m->seed, "episodes", (json_int_t)s->p.episodes, "env_steps",
        (json_int_t)s->p.env_steps, "skipped_episodes", (json_int_t)s->p.skipped,
        "final_mastered_pct", s->p.have_eval ? json_real(s->p.last_mastered_pct) : json_null(),
        "final_mean_return",
        s->p.have_eval && isfinite(s->p.last_mean_return) ? json_real(s->p.last_mean_return)
                                                      : json_null(),
        "wall_seconds", wall, "time_seconds", times);
    json_object_set_new(sum, "student", json_string(x->student.ctx.id));
    if (s->m->student_reset_every_env_steps)
        json_object_set_new(sum, "student_resets", json_integer((json_int_t)s->p.student_resets));
    json_t *space = json_array();
    for (size_t i = 0; i < x->info.task_space.dims; i++) {
        const tk_dim *dim = &x->info.task_space.dim[i];
        json_array_append_new(space, json_pack("{s:s, s:f, s:f}", "name", dim->name ? dim->name : "",
                                               "low", dim->low, "high", dim->high));
    }
    json_object_set_new(sum, "task_space", space);
    /* How the numbers were computed: the machine's back ends and what the
     * components resolved at run time (e.g. a student's precision). */
    json_object_set_new(sum, "system", tk_system_json());
    json_t *runtime = json_object();
    const tk_instance *parts[] = {&x->teacher, &x->env, &x->student};
    static const char *const part_names[] = {"teacher", "env", "student"};
    for (size_t i = 0; i < 3; i++) {
        json_t *info = tk_instance_runtime_info(parts[i]);
        if (info)
            json_object_set_new(runtime, part_names[i], info);
    }
    json_object_set_new(sum, "runtime", runtime);
    int rc = tk_write_json_atomic(s->out_dir, "summary.json", sum, d);
    json_decref(sum);
    return rc;
}

/* Opens the logs, cut back to what the checkpoint covers when resuming
 * from one (`restored`), emptied when resuming without one, kept whole
 * otherwise (a new run: they do not exist). */
static int open_logs(run_state *s, int resume, int restored, tk_diag *d)
{
    for (int i = 0; i < TK_N_LOGS; i++) {
        uint64_t keep = restored ? s->p.log_bytes[i] : resume ? 0 : UINT64_MAX;
        uint32_t crc = restored ? (uint32_t)s->p.log_crc[i] : 0;
        if (tk_line_log_open(&s->logs[i], s->out_dir, tk_log_name(i), keep, crc, d))
            return -1;
    }
    return 0;
}

static int alloc_buffers(run_state *s)
{
    const tk_env_info *in = &s->x->info;
    s->task = calloc(in->task_space.dims, sizeof(float));
    s->obs = calloc(in->obs_dim + 1, sizeof(float));
    s->next_obs = calloc(in->obs_dim + 1, sizeof(float));
    s->action = calloc(in->act_dim + 1, sizeof(float));
    /* The longest line is an episode's: its task, one "%.9g" float of at
     * most 15 characters and a comma per dimension, then fixed fields. */
    s->line_size = 1024 + (s->x->shuffle ? 32 : 16) * in->task_space.dims; /* + env_task */
    s->line = malloc(s->line_size);
    int record = tk_episode_record_init(&s->record, in->task_space.dims, in->obs_dim,
                                        in->act_dim);
    return s->task && s->obs && s->next_obs && s->action && s->line && !record ? 0 : -1;
}

/* Logs reach the disk (fsync) before the checkpoint that covers them is
 * committed: a power loss may then lose the lines after the checkpoint,
 * which a resume rewrites, but never lines it covers. */
static int checkpoint(run_state *s, tk_diag *d)
{
    double t = now_seconds();
    for (int i = 0; i < TK_N_LOGS; i++) {
        if (tk_line_log_sync(&s->logs[i], d))
            return -1;
        s->p.log_bytes[i] = s->logs[i].bytes_on_disk;
        s->p.log_crc[i] = s->logs[i].crc;
    }
    s->p.wall_seconds = t - s->start;
    int rc = tk_checkpoint_write(s->out_dir, s->x, &s->p,
                                 s->stopped_inside_episode ? &s->record : NULL, d);
    s->last_checkpoint = now_seconds();
    s->p.phase_seconds[PHASE_IO] += s->last_checkpoint - t;
    return rc;
}

/* Bounds what a crash (not a kill, which checkpoints cover) can lose. */
static int flush_due(run_state *s)
{
    double t = now_seconds();
    if (t - s->last_flush < 0.5)
        return 0;
    s->last_flush = t;
    return 1;
}

static int flush_logs(run_state *s, tk_diag *d)
{
    for (int i = 0; i < TK_N_LOGS; i++)
        if (tk_line_log_flush(&s->logs[i], d))
            return -1;
    return 0;
}

static int checkpoint_due(const run_state *s)
{
    const tk_manifest *m = s->m;
    if (!s->checkpoints)
        return 0;
    if (m->checkpoint_every_episodes && s->p.episodes % m->checkpoint_every_episodes == 0)
        return 1;
    return m->checkpoint_every_seconds > 0 &&
           now_seconds() - s->last_checkpoint >= m->checkpoint_every_seconds;
}

/* Manifest student_reset: a new student before the episode that starts at
 * or after a multiple of N steps (student_reset.h); the count stored is
 * the number of multiples passed. */
static int reset_student_if_due(run_state *s, tk_diag *d)
{
    uint64_t due = tk_student_resets_due(s->m, s->p.env_steps);
    if (s->resumed_inside_episode || due <= s->p.student_resets)
        return 0;
    double t = now_seconds();
    int rc = tk_student_reset(s->x, due, d);
    lap(s, PHASE_STUDENT, &t);
    s->p.student_resets = due;
    return rc;
}

static int run_loop(run_state *s, tk_diag *d)
{
    const tk_manifest *m = s->m;
    if (s->p.episodes == 0) {
        s->p.next_eval_steps = m->eval_every_env_steps;
        if (m->eval_at_start && evaluate(s, d))
            return -1;
        if (m->snapshot_every && snapshot(s, d))
            return -1;
    }
    while (budget_left(s) && !tk_stop_requested) {
        if (reset_student_if_due(s, d) || one_episode(s, d))
            return -1;
        if (s->stopped_inside_episode)
            break;
        if (eval_due(s) && evaluate(s, d))
            return -1;
        if (m->snapshot_every && s->p.episodes % m->snapshot_every == 0 && snapshot(s, d))
            return -1;
        if (checkpoint_due(s) && checkpoint(s, d))
            return -1;
        if (flush_due(s) && flush_logs(s, d))
            return -1;
        show_progress(s, 0);
    }
    if (tk_stop_requested)
        return s->checkpoints ? checkpoint(s, d) : 0;
    /* An evaluation is always written at the end of the run. */
    if (s->p.last_eval_episode != s->p.episodes && evaluate(s, d))
        return -1;
    /* (Not by the episode count: a run resumed from its final checkpoint has
     * written this snapshot already.) */
    if (m->snapshot_every && s->p.last_snapshot_episode != s->p.episodes && snapshot(s, d))
        return -1;
    /* The final state, so that `teachkit render` can replay the trained
     * student. */
    return s->checkpoints ? checkpoint(s, d) : 0;
}

/* Restore from the checkpoint when resuming: 1 if restored, 0 if not (a
 * new run, or no checkpoint), -1 on error. */
static int restore(run_state *s, int resume, tk_diag *d)
{
    if (!resume)
        return 0;
    char note[1024];
    int rc = tk_checkpoint_read(s->out_dir, s->x, &s->p, &s->record, TK_CHECKPOINT_RESUME, note,
                                sizeof note, d);
    if (rc < 0)
        return -1;
    if (note[0])
        fprintf(stderr, "teachkit: %s: warning: %s\n", s->out_dir, note);
    if (rc == 0)
        s->start -= s->p.wall_seconds;
    s->resumed_inside_episode = rc == 0 && s->record.steps > 0;
    return rc == 0;
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGALRM};
#define N_STOP_SIGNALS (sizeof stop_signals / sizeof stop_signals[0])

static void install_stop_handlers(const run_state *s, struct sigaction old[N_STOP_SIGNALS])
{
    tk_stop_requested = TK_STOP_NONE;
    announce_stop = s->progress;
    tk_stop_at_step = s->stop_within_episode;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    for (size_t i = 0; i < N_STOP_SIGNALS; i++) {
        sa.sa_handler = stop_signals[i] == SIGALRM ? on_alarm : on_stop_signal;
        sigaction(stop_signals[i], &sa, &old[i]);
    }
    double limit = s->opt->timeout_seconds;
    if (limit > 0) {
        stop_grace = (sig_atomic_t)tk_run_stop_grace(limit);
        struct itimerval it;
        memset(&it, 0, sizeof it);
        it.it_value.tv_sec = (time_t)limit;
        it.it_value.tv_usec = (suseconds_t)((limit - (double)it.it_value.tv_sec) * 1e6);
        if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
            it.it_value.tv_usec = 1;
        setitimer(ITIMER_REAL, &it, NULL);
    }
}

double tk_run_stop_grace(double timeout_seconds)
{
    if (!(timeout_seconds > 0))
        return 30;
    double g = timeout_seconds / 10;
    return g < 1 ? 1 : g > 30 ? 30 : (double)(int)g;
}

static void remove_stop_handlers(const struct sigaction old[N_STOP_SIGNALS])
{
    struct itimerval off;
    memset(&off, 0, sizeof off);
    setitimer(ITIMER_REAL, &off, NULL);
    for (size_t i = 0; i < N_STOP_SIGNALS; i++)
        sigaction(stop_signals[i], &old[i], NULL);
    tk_stop_at_step = 0;
}

static int close_logs(run_state *s, tk_diag *d)
{
    int rc = 0;
    for (int i = 0; i < TK_N_LOGS; i++) {
        tk_diag ld;
        if (tk_line_log_close(&s->logs[i], &ld) && rc == 0) {
            *d = ld;
            rc = -1;
        }
    }
    return rc;
}

int tk_run_experiment(tk_experiment *x, const char *out_dir, const tk_run_options *opt,
                      tk_run_result *result, tk_diag *d)
{
    run_state *s = calloc(1, sizeof *s);
    if (!s)
        return tk_diag_set(d, NULL, NULL, "out of memory");
    s->x = x;
    s->m = x->manifest;
    s->opt = opt;
    s->out_dir = out_dir;
    s->p.last_eval_episode = UINT64_MAX;
    for (int i = 0; i < TK_N_LOGS; i++)
        s->logs[i].fd = -1;
    s->start = s->last_checkpoint = s->last_flush = now_seconds();
    s->progress = s->m->progress == TK_PROGRESS_ALWAYS ||
                  (s->m->progress == TK_PROGRESS_AUTO && isatty(STDERR_FILENO));
    s->checkpoints = tk_checkpoint_supported(x);
    /* Nor when the teacher uses levels or scores (ABI 1.2): the level and
     * the student's per-episode score state are not part of the record, so
     * such runs checkpoint between episodes. */
    s->stop_within_episode = s->checkpoints && !x->step_updates && !x->levels && !x->scores &&
                             tk_descriptor_has_feature(x->student.comp->desc,
                                                       TK_FEATURE_CHECKPOINT_WITHIN_EPISODE);
    struct sigaction old[N_STOP_SIGNALS];
    install_stop_handlers(s, old);

    int rc = alloc_buffers(s) ? tk_diag_set(d, NULL, NULL, "out of memory")
                              : restore(s, opt->resume, d);
    result->resumed = rc == 1;
    if (rc >= 0)
        rc = open_logs(s, opt->resume, rc == 1, d);
    if (rc == 0)
        rc = run_loop(s, d);
    show_progress(s, 1);
    tk_diag close_diag;
    if (close_logs(s, &close_diag) && rc == 0)
        rc = -1, *d = close_diag;
    const char *status = rc                            ? "failed"
                         : tk_stop_requested == TK_STOP_TIMEOUT ? "timed-out"
                         : tk_stop_requested                 ? "interrupted"
                                                          : "finished";
    tk_diag summary_diag;
    if (write_summary(s, status, &summary_diag) && rc == 0)
        rc = -1, *d = summary_diag;
    result->episodes = s->p.episodes;
    result->env_steps = s->p.env_steps;
    result->final_mastered_pct = s->p.last_mastered_pct;
    result->wall_seconds = now_seconds() - s->start;
    result->interrupted = tk_stop_requested == TK_STOP_SIGNAL;
    result->timed_out = tk_stop_requested == TK_STOP_TIMEOUT;
    remove_stop_handlers(old);
    free(s->line);
    free(s->task);
    free(s->obs);
    free(s->next_obs);
    free(s->action);
    tk_episode_record_free(&s->record);
    free(s);
    return rc;
}
