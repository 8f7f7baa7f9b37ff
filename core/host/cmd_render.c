/* `teachkit render`: frames of one episode of a run's student on a chosen
 * task, as PNG files and an animated GIF, through the environment's
 * teachkit.render.v1 extension. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkpoint.h"
#include "cmd_args.h"
#include "commands.h"
#include "episode_player.h"
#include "experiment.h"
#include "image_write.h"
#include "teachkit/render.h"

typedef struct render_args {
    const char *run_dir, *out, *task_text;
    int width, height, every, max_frames;
} render_args;

static void render_usage(FILE *out)
{
    fprintf(out,
            "usage: teachkit render RUN_DIR --task V1,V2,... [--out DIR] [--size WxH]\n"
            "                       [--every K] [--max-frames N]\n"
            "\n"
            "Plays one episode with the run's student (deterministic actions), restored from\n"
            "the run's checkpoint, on the given task, and writes every K-th frame as\n"
            "DIR/frame_NNNN.png and all of them as DIR/episode.gif (default DIR:\n"
            "RUN_DIR/render).  The environment must provide the teachkit.render.v1\n"
            "extension (stump-tracks, hexagon-tracks, parkour).  Without a checkpoint the\n"
            "student is the untrained one of the manifest.\n"
            "\n"
            "  --task      one value per task dimension, in the env's order\n"
            "  --size      frame size in pixels (default 600x400)\n"
            "  --every     keep every K-th step (default 4)\n"
            "  --max-frames  at most N frames (default 500)\n");
}

static int parse_render_args(int argc, char **argv, render_args *a)
{
    memset(a, 0, sizeof *a);
    a->width = 600, a->height = 400, a->every = 4, a->max_frames = 500;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--task") == 0 && v)
            a->task_text = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && v)
            a->out = argv[++i];
        else if (strcmp(argv[i], "--size") == 0 && v) {
            if (sscanf(argv[++i], "%dx%d", &a->width, &a->height) != 2 || a->width < 16 ||
                a->height < 16 || a->width > 4096 || a->height > 4096)
                return fprintf(stderr, "teachkit render: --size needs WxH in [16, 4096]\n"), -1;
        } else if (strcmp(argv[i], "--every") == 0 && v) {
            a->every = atoi(argv[++i]);
            if (a->every < 1)
                return fprintf(stderr, "teachkit render: --every needs an integer >= 1\n"), -1;
        } else if (strcmp(argv[i], "--max-frames") == 0 && v) {
            a->max_frames = atoi(argv[++i]);
            if (a->max_frames < 1)
                return fprintf(stderr, "teachkit render: --max-frames needs an integer >= 1\n"), -1;
        } else if (argv[i][0] != '-' && !a->run_dir)
            a->run_dir = argv[i];
        else
            return fprintf(stderr, "teachkit render: unexpected argument \"%s\"\n", argv[i]), -1;
    }
    return a->run_dir && a->task_text ? 0 : -1;
}

/* Parses "v1,v2,..." into exactly `dims` finite values inside the box. */
static int parse_task(const char *text, const tk_task_space *space, float *task, tk_diag *d)
{
    const char *p = text;
    for (size_t i = 0; i < space->dims; i++) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v))
            return tk_diag_set(d, NULL, "--task", "expected %zu comma-separated numbers (%s...)",
                               space->dims, space->dim[0].name);
        if (v < space->dim[i].low || v > space->dim[i].high)
            return tk_diag_set(d, NULL, "--task", "value %g of \"%s\" is outside [%g, %g]", v,
                               space->dim[i].name, space->dim[i].low, space->dim[i].high);
        task[i] = (float)v;
        p = end;
        if (i + 1 < space->dims && *p++ != ',')
            return tk_diag_set(d, NULL, "--task", "expected %zu comma-separated numbers",
                               space->dims);
    }
    return *p ? tk_diag_set(d, NULL, "--task", "expected %zu numbers, got more", space->dims) : 0;
}

static const tk_render_ext *render_ext(const tk_instance *env)
{
    const tk_render_ext *r = tk_component_extension(env->comp, env->self, TK_RENDER_EXT_ID);
    /* The extension is the plugin's own table: its size is checked here. */
    if (!r || !TK_HAS_MEMBER(r, render))
        return NULL;
    return r;
}

typedef struct frames {
    const render_args *a;
    const char *dir;
    uint8_t *rgb;
    tk_gif_writer gif;
    int written;
} frames;

static int capture(frames *fr, const tk_render_ext *r, tk_instance *env, tk_diag *d)
{
    if (fr->written >= fr->a->max_frames)
        return 0;
    tk_status st = r->render(env->self, fr->rgb, fr->a->width, fr->a->height);
    if (st != TK_OK)
        return tk_instance_fail(env, st, NULL, "render", d);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/frame_%04d.png", fr->dir, fr->written);
    if (tk_write_png(path, fr->rgb, fr->a->width, fr->a->height) ||
        tk_gif_add_frame(&fr->gif, fr->rgb))
        return tk_diag_set(d, path, NULL, "cannot write: %s", strerror(errno));
    fr->written++;
    return 0;
}

/* The episode player's watcher: a frame after the reset, every K-th step
 * and the last one. */
typedef struct frame_watch {
    frames *fr;
    const tk_render_ext *r;
    tk_instance *env;
} frame_watch;

static int watch_frame(void *user, uint64_t steps, int done, tk_diag *d)
{
    frame_watch *w = user;
    if (steps > 0 && steps % (uint64_t)w->fr->a->every != 0 && !done)
        return 0;
    return capture(w->fr, w->r, w->env, d);
}

/* One deterministic episode on the evaluation env, capturing frames: the
 * evaluations' loop (episode_player.h). */
static int play(tk_experiment *x, const char *manifest_path, const float *task, frames *fr,
                double *ret, tk_diag *d)
{
    tk_instance *env = &x->eval_env;
    const tk_render_ext *r = render_ext(env);
    if (!r)
        return tk_diag_set(d, env->comp->file, NULL, "env \"%s\" cannot draw itself (no %s "
                                                     "extension)", env->ctx.id, TK_RENDER_EXT_ID);
    float *obs = calloc(x->info.obs_dim + 1, sizeof *obs);
    float *act = calloc(x->info.act_dim + 1, sizeof *act);
    frame_watch w = {fr, r, env};
    const tk_episode_player player = {.x = x, .manifest_file = manifest_path, .obs = obs,
                                      .action = act, .watch = watch_frame, .user = &w};
    int rc = obs && act ? tk_play_episode(&player, task, ret, d)
                        : tk_diag_set(d, NULL, NULL, "out of memory");
    free(obs);
    free(act);
    return rc;
}

int tk_cmd_render(int argc, char **argv)
{
    render_args a;
    if (tk_wants_help(argc, argv)) {
        render_usage(stdout);
        return 0;
    }
    if (parse_render_args(argc, argv, &a)) {
        render_usage(stderr);
        return 2;
    }
    char manifest_path[PATH_MAX + 16], out[PATH_MAX + 16];
    snprintf(manifest_path, sizeof manifest_path, "%s/manifest.json", a.run_dir);
    snprintf(out, sizeof out, "%s", a.out ? a.out : "");
    if (!a.out)
        snprintf(out, sizeof out, "%s/render", a.run_dir);
    tk_diag d;
    tk_diag_clear(&d);
    tk_manifest m;
    tk_registry *reg = NULL;
    tk_experiment x;
    memset(&x, 0, sizeof x);
    frames fr = {&a, out, NULL, {0}, 0};
    float *task = NULL;
    double ret = 0.0;
    int rc = 1;
    if (tk_manifest_load(manifest_path, &m, &d))
        goto done;
    reg = tk_registry_open((const char *const *)m.plugin_paths, m.n_plugin_paths, &d);
    if (!reg || tk_experiment_setup(&x, &m, reg, &d))
        goto done;
    if (x.self_evaluating) {
        tk_diag_set(&d, manifest_path, "env.plugin", "env \"%s\" simulates its learner and "
                                                     "has nothing to draw", x.env.ctx.id);
        goto done;
    }
    task = calloc(x.info.task_space.dims, sizeof *task);
    if (parse_task(a.task_text, &x.info.task_space, task, &d))
        goto done;
    tk_run_progress progress;
    char note[1024];
    int restored = tk_checkpoint_read(a.run_dir, &x, &progress, NULL, 0, note, sizeof note, &d);
    if (restored < 0)
        goto done;
    if (note[0])
        fprintf(stderr, "teachkit: %s: warning: %s\n", a.run_dir, note);
    if (restored == 1)
        fprintf(stderr, "teachkit: %s has no checkpoint: rendering the untrained student\n",
                a.run_dir);
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        tk_diag_set(&d, out, NULL, "cannot create: %s", strerror(errno));
        goto done;
    }
    char gif_path[PATH_MAX + 32];
    snprintf(gif_path, sizeof gif_path, "%s/episode.gif", out);
    fr.rgb = malloc((size_t)a.width * (size_t)a.height * 3);
    if (!fr.rgb || tk_gif_open(&fr.gif, gif_path, a.width, a.height, 4)) {
        tk_diag_set(&d, gif_path, NULL, "cannot write: %s", strerror(errno));
        goto done;
    }
    rc = play(&x, manifest_path, task, &fr, &ret, &d) ? 1 : 0;
    if (tk_gif_close(&fr.gif) && rc == 0)
        rc = 1, tk_diag_set(&d, gif_path, NULL, "cannot write: %s", strerror(errno));
    if (rc == 0)
        printf("%d frames, episode return %.2f (student after %llu episodes) -> %s\n",
               fr.written, ret, restored == 0 ? (unsigned long long)progress.episodes : 0ULL,
               out);
done:
    if (rc)
        tk_diag_print(&d, stderr);
    free(fr.rgb);
    free(task);
    tk_experiment_teardown(&x);
    tk_registry_close(reg);
    tk_manifest_free(&m);
    return rc;
}
