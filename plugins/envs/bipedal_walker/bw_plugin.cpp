/*
 * The C ABI of the parameterized BipedalWalker plugin: two environment
 * components on one core (bw_env.hpp),
 *   "stump-tracks"   task (stump_height, obstacle_spacing);
 *   "hexagon-tracks" task poly_shape[12];
 * both with TDRL (default) or TMA rules and three morphologies.  Here: their
 * configuration, task validation, the per-episode random stream, the
 * checkpoint hooks and the extensions teachkit.render.v1 and
 * teachkit.bipedal-walker.inspect.v1.  Docs: docs/envs/stump-tracks.md,
 * docs/envs/hexagon-tracks.md.
 *
 * Randomness: at every reset the instance draws one 64-bit seed from
 * host->rng(ctx) (the env role's stream of the run seed) and seeds the
 * episode's own xoshiro stream with it; the stump noise, hexagon offsets,
 * clouds and the spawn push all come from that stream.  So a run seed fixes
 * every track, and each episode is reproducible from (task, episode seed).
 *
 * No C++ exception crosses the ABI: allocation failures become
 * TK_ERR_NOMEM.  Only the entry symbol is exported (bw_entry.c).
 */
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <jansson.h>
#include <new>

#include "bw_config_util.hpp"
#include "bw_env.hpp"
#include "bw_inspect.h"
#include "bw_plugin_glue.hpp"
#include "pk_env.hpp"
#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/render.h"
#include "teachkit/state.h"

namespace {

constexpr double MAX_ABS_STUMP_HEIGHT = 20.0; /* TS units: 9.3 m stumps */
constexpr double MAX_SPACING = 100.0;         /* metres */
constexpr double MAX_POLY_SHAPE = 4.0;        /* the original clamps offsets to [0, 4] */
constexpr int64_t MAX_EPISODE_STEPS = 100000000;
constexpr int MAX_RENDER_SIDE = 16384;

const char *const STUMP_DIM_NAMES[2] = {"stump_height", "obstacle_spacing"};
const char *const HEXAGON_DIM_NAMES[bw::HEXAGON_DIMS] = {
    "poly_shape_0", "poly_shape_1", "poly_shape_2", "poly_shape_3",
    "poly_shape_4", "poly_shape_5", "poly_shape_6", "poly_shape_7",
    "poly_shape_8", "poly_shape_9", "poly_shape_10", "poly_shape_11"};

/* TDRL's morphologies, then TeachMyAgent's walkers (BodiesEnum names of
 * type WALKER, pk_bodies.cpp). */
const char *const WALKER_NAMES[] = {"default", "short", "quadru", "old_classic_bipedal",
                                    "classic_bipedal", "small_bipedal", "big_quadru", "spider",
                                    "millipede", "wheel", "profile_chimpanzee", "old_big_quadru",
                                    nullptr};

const char STUMP_DEFAULTS[] =
    "{\"variant\": \"tdrl\", \"walker\": \"default\", \"lidar\": \"auto\", "
    "\"stump_height_range\": [0.0, 3.0], \"obstacle_spacing_range\": [0.0, 6.0], "
    "\"max_episode_steps\": 2000}";
const char HEXAGON_DEFAULTS[] =
    "{\"variant\": \"tdrl\", \"walker\": \"quadru\", \"lidar\": \"auto\", "
    "\"poly_shape_range\": [0.0, 4.0], \"obstacle_spacing\": 8.0, "
    "\"hexagon_noise_std\": 0.1, \"degenerate_hexagon\": \"repair\", "
    "\"max_episode_steps\": 2000}";

struct Instance {
    const tk_host_api *host = nullptr;
    tk_ctx *ctx = nullptr;
    bw::Env *env = nullptr;
    tk_dim dim[bw::HEXAGON_DIMS] = {};
    float obs_low[bw::MAX_OBS] = {}, obs_high[bw::MAX_OBS] = {};
    float act_low[bw::MAX_ACT] = {}, act_high[bw::MAX_ACT] = {};
    bool has_task = false;
    bool warned_repair = false;
    tk_state_writer saved{}; /* the record save() exposes, owned */
};

/* Checkpoint record: tag, version, track kind, the repair-warning flag. */
constexpr char STATE_TAG[4] = {'B', 'W', 'L', 'K'};
constexpr uint32_t STATE_VERSION = 1;

/* ------------------------------------------------------------- config */

tk_status read_config(Instance *in, bw::Track track, const char *config_json, bw::Config *out)
{
    const tk_host_api *host = in->host;
    char *merged = nullptr;
    tk_status st = bw::merge_defaults(host, in->ctx,
                                  track == bw::Track::Stumps ? STUMP_DEFAULTS : HEXAGON_DEFAULTS,
                                  config_json, &merged);
    if (st != TK_OK)
        return st;
    tk_config *cfg = nullptr;
    st = tk_config_parse(host, in->ctx, merged, &cfg);
    free(merged);
    if (st != TK_OK)
        return st;

    static const char *const variants[] = {"tdrl", "tma", nullptr};
    static const char *const lidars[] = {"auto", "first-hit", "closest", nullptr};
    static const char *const degenerate[] = {"repair", "error", nullptr};
    bw::Config c;
    c.track = track;
    int variant = 0, walker = 0, lidar = 0, rule = 0;
    int64_t steps = 0;
    if ((st = tk_config_choice(cfg, "variant", variants, &variant)) == TK_OK &&
        (st = tk_config_choice(cfg, "walker", WALKER_NAMES, &walker)) == TK_OK &&
        (st = tk_config_choice(cfg, "lidar", lidars, &lidar)) == TK_OK &&
        (st = tk_config_int(cfg, "max_episode_steps", 1, MAX_EPISODE_STEPS, &steps)) == TK_OK) {
        if (track == bw::Track::Stumps) {
            c.dims = 2;
            if ((st = bw::read_range(host, in->ctx, cfg, "stump_height_range", -MAX_ABS_STUMP_HEIGHT,
                                 MAX_ABS_STUMP_HEIGHT, &c.low[0], &c.high[0])) == TK_OK)
                st = bw::read_range(host, in->ctx, cfg, "obstacle_spacing_range", 0.0, MAX_SPACING,
                                &c.low[1], &c.high[1]);
        } else {
            c.dims = bw::HEXAGON_DIMS;
            double lo = 0.0, hi = 0.0;
            if ((st = bw::read_range(host, in->ctx, cfg, "poly_shape_range", 0.0, MAX_POLY_SHAPE,
                                 &lo, &hi)) == TK_OK &&
                (st = tk_config_double(cfg, "obstacle_spacing", 0.0, MAX_SPACING,
                                       &c.hexagon_spacing)) == TK_OK &&
                (st = tk_config_double(cfg, "hexagon_noise_std", 0.0, 1.0,
                                       &c.hexagon_noise_std)) == TK_OK &&
                (st = tk_config_choice(cfg, "degenerate_hexagon", degenerate, &rule)) == TK_OK) {
                for (int i = 0; i < bw::HEXAGON_DIMS; i++)
                    c.low[i] = lo, c.high[i] = hi;
                c.degenerate = rule == 0 ? bw::DegenerateRule::Repair : bw::DegenerateRule::Error;
            }
        }
    }
    tk_config_free(cfg);
    if (st != TK_OK)
        return st;
    c.variant = variant == 0 ? bw::Variant::TDRL : bw::Variant::TMA;
    c.morph = bw::find_morphology(WALKER_NAMES[walker]);
    if (!c.morph) {
        /* A TeachMyAgent body: TMA's rules only. */
        if (c.variant != bw::Variant::TMA)
            return host->error(in->ctx, TK_ERR_CONFIG, "walker",
                               "\"%s\" is a TeachMyAgent body: it needs \"variant\": \"tma\"",
                               WALKER_NAMES[walker]);
        c.body = pk::find_body(WALKER_NAMES[walker]);
        c.morph = bw::find_morphology("default"); /* unused with a body */
    }
    c.lidar = lidar == 2 ? bw::LidarMode::Closest : bw::LidarMode::FirstHit;
    c.max_episode_steps = (uint64_t)steps;
    bw::finish_config(&c, lidar == 0);
    if (c.body)
        c.torque_cost = c.body->torque_penalty * 80.0;
    *out = c;
    return TK_OK;
}

/* ---------------------------------------------------------- life cycle */

void destroy(void *self)
{
    Instance *in = static_cast<Instance *>(self);
    if (!in)
        return;
    tk_state_writer_free(&in->saved);
    delete in->env;
    delete in;
}

tk_status create(bw::Track track, const tk_host_api *host, tk_ctx *ctx, const char *config_json,
                 void **out)
{
    *out = nullptr;
    Instance *in = new (std::nothrow) Instance;
    if (!in)
        return host->error(ctx, TK_ERR_NOMEM, nullptr, "out of memory");
    in->host = host;
    in->ctx = ctx;
    tk_state_writer_init(&in->saved);
    bw::Config cfg;
    tk_status st = TK_OK;
    try {
        st = read_config(in, track, config_json, &cfg);
        if (st == TK_OK)
            in->env = new bw::Env(cfg);
    } catch (const std::bad_alloc &) {
        st = host->error(ctx, TK_ERR_NOMEM, nullptr, "out of memory");
    }
    if (st != TK_OK) {
        destroy(in);
        return st;
    }
    const char *const *names = track == bw::Track::Stumps ? STUMP_DIM_NAMES : HEXAGON_DIM_NAMES;
    for (size_t i = 0; i < cfg.dims; i++)
        in->dim[i] = tk_dim{names[i], cfg.low[i], cfg.high[i]};
    for (int i = 0; i < bw::MAX_OBS; i++)
        in->obs_low[i] = -INFINITY, in->obs_high[i] = INFINITY;
    for (int i = 0; i < bw::MAX_ACT; i++)
        in->act_low[i] = -1.0f, in->act_high[i] = 1.0f;
    *out = in;
    return TK_OK;
}

tk_status create_stumps(const tk_host_api *host, tk_ctx *ctx, const char *config_json, void **out)
{
    return create(bw::Track::Stumps, host, ctx, config_json, out);
}

tk_status create_hexagons(const tk_host_api *host, tk_ctx *ctx, const char *config_json,
                          void **out)
{
    return create(bw::Track::Hexagons, host, ctx, config_json, out);
}

tk_status info(void *self, tk_env_info *out)
{
    const Instance *in = static_cast<const Instance *>(self);
    // Filled whole here, copied within the host's size (<teachkit/plugin.h>).
    tk_env_info mine = bw::env_info(in, in->env->config().dims);
    /* TDRL's teacher reward normalisation and the papers' mastery rule
     * (teachDeepRL run.py and teachDRL/teachers/teacher_controller.py;
     * Portelas et al. 2019, section 5). */
    mine.return_low = -150.0;
    mine.return_high = 350.0;
    mine.mastery_threshold = 230.0;
    tk_env_info_write(out, &mine);
    return TK_OK;
}

tk_status set_task(void *self, const float *task)
{
    Instance *in = static_cast<Instance *>(self);
    if (!task)
        return in->host->error(in->ctx, TK_ERR_INVALID, nullptr, "task is NULL");
    const bw::Config &c = in->env->config();
    for (size_t i = 0; i < c.dims; i++) {
        const float v = task[i];
        if (!std::isfinite(v))
            return in->host->error(in->ctx, TK_ERR_INVALID, nullptr,
                                   "task[%zu] (%s) is not finite (%g)", i, in->dim[i].name,
                                   (double)v);
        /* Bounds rounded to float32, as the tasks teachers produce. */
        if (v < (float)c.low[i] || v > (float)c.high[i])
            return in->host->error(in->ctx, TK_ERR_INVALID, nullptr,
                                   "task[%zu] (%s) = %g is outside the task space [%g, %g]", i,
                                   in->dim[i].name, (double)v, c.low[i], c.high[i]);
    }
    in->env->set_task(task);
    in->has_task = true;
    return TK_OK;
}

tk_status reset(void *self, float *obs_out)
{
    Instance *in = static_cast<Instance *>(self);
    const tk_status st = bw::reset_episode(in, obs_out);
    if (st != TK_OK)
        return st;
    size_t repaired = in->env->track().repaired;
    if (repaired > 0) {
        in->host->log(in->ctx, in->warned_repair ? TK_LOG_DEBUG : TK_LOG_WARN,
                      "replaced %zu degenerate hexagon(s) of this track by boxes "
                      "(degenerate_hexagon = \"repair\"; later repairs are logged at debug level)",
                      repaired);
        in->warned_repair = true;
    }
    return TK_OK;
}

tk_status step(void *self, const float *action, float *obs_out, double *reward, int *done)
{
    return bw::step_episode(static_cast<Instance *>(self), action, obs_out, reward, done);
}

/* TMA's info["success"]: the running episode return is above 230. */
int success(void *self)
{
    const Instance *in = static_cast<const Instance *>(self);
    return in->env->episode_return() > 230.0;
}

/* The host checkpoints between episodes, and every episode starts with
 * set_task and reset, which rebuild the world from the task and the
 * host-saved random stream: nothing of the simulation needs saving.  A
 * checkpoint taken in the middle of an episode would not restore it (the
 * next call must be set_task + reset). */
tk_status save(void *self, const void **data, size_t *size)
{
    Instance *in = static_cast<Instance *>(self);
    tk_state_writer_reset(&in->saved);
    tk_state_put_tag(&in->saved, STATE_TAG, STATE_VERSION);
    tk_state_put_u64(&in->saved, in->env->config().track == bw::Track::Stumps ? 0 : 1);
    tk_state_put_u64(&in->saved, in->warned_repair ? 1 : 0);
    if (in->saved.failed)
        return in->host->error(in->ctx, TK_ERR_NOMEM, nullptr, "out of memory saving the state");
    *data = in->saved.data;
    *size = in->saved.size;
    return TK_OK;
}

tk_status load(void *self, const void *data, size_t size)
{
    Instance *in = static_cast<Instance *>(self);
    tk_state_reader r;
    tk_state_reader_init(&r, data, size);
    tk_state_get_tag(&r, STATE_TAG, STATE_VERSION);
    uint64_t kind = tk_state_get_u64(&r);
    uint64_t warned = tk_state_get_u64(&r);
    const uint64_t mine = in->env->config().track == bw::Track::Stumps ? 0 : 1;
    if (r.failed || r.pos != size || kind != mine)
        return in->host->error(in->ctx, TK_ERR_INVALID, nullptr,
                               "saved state is not a %s record of version <= %u",
                               mine ? "hexagon-tracks" : "stump-tracks", STATE_VERSION);
    in->warned_repair = warned != 0;
    in->has_task = false;
    return TK_OK;
}

/* ------------------------------------------------------------ extensions */

tk_status ext_render(void *self, uint8_t *rgb, int width, int height)
{
    Instance *in = static_cast<Instance *>(self);
    if (!rgb || width < 1 || height < 1 || width > MAX_RENDER_SIDE || height > MAX_RENDER_SIDE)
        return in->host->error(in->ctx, TK_ERR_INVALID, nullptr,
                               "render needs a buffer of width x height in [1, %d]^2, got %d x %d%s",
                               MAX_RENDER_SIDE, width, height, rgb ? "" : " (NULL buffer)");
    if (!in->env->has_episode())
        return in->host->error(in->ctx, TK_ERR_STATE, nullptr, "render before the first reset");
    return bw::render(*in->env, rgb, width, height);
}

const tk_render_ext RENDER_EXT = {sizeof(tk_render_ext), ext_render};

tk_status need_episode(const Instance *in)
{
    return in->env->has_episode()
               ? TK_OK
               : in->host->error(in->ctx, TK_ERR_STATE, nullptr, "no episode yet (call reset)");
}

tk_status ext_hull(void *self, double out[6])
{
    const Instance *in = static_cast<const Instance *>(self);
    if (tk_status st = need_episode(in))
        return st;
    const b2Body *h = in->env->hull();
    out[0] = h->GetPosition().x;
    out[1] = h->GetPosition().y;
    out[2] = h->GetAngle();
    out[3] = h->GetLinearVelocity().x;
    out[4] = h->GetLinearVelocity().y;
    out[5] = h->GetAngularVelocity();
    return TK_OK;
}

tk_status ext_track(void *self, size_t *n_obstacles, size_t *n_ground, size_t *n_repaired)
{
    const Instance *in = static_cast<const Instance *>(self);
    if (tk_status st = need_episode(in))
        return st;
    const bw::TrackData &t = in->env->track();
    *n_obstacles = t.obstacles.size();
    *n_ground = t.ground.size();
    *n_repaired = t.repaired;
    return TK_OK;
}

tk_status ext_obstacle(void *self, size_t i, double xy[16], size_t *n_points)
{
    const Instance *in = static_cast<const Instance *>(self);
    if (tk_status st = need_episode(in))
        return st;
    const bw::TrackData &t = in->env->track();
    if (i >= t.obstacles.size())
        return in->host->error(in->ctx, TK_ERR_INVALID, nullptr,
                               "obstacle %zu of %zu does not exist", i, t.obstacles.size());
    const bw::Polygon &p = t.obstacles[i];
    for (int k = 0; k < p.n; k++)
        xy[2 * k] = p.v[k].x, xy[2 * k + 1] = p.v[k].y;
    *n_points = (size_t)p.n;
    return TK_OK;
}

tk_status ext_masses(void *self, double *hull, double *hull_inertia, double *upper, double *lower)
{
    const Instance *in = static_cast<const Instance *>(self);
    if (tk_status st = need_episode(in))
        return st;
    *hull = in->env->hull()->GetMass();
    *hull_inertia = in->env->hull()->GetInertia(); /* about the body origin */
    *upper = in->env->legs()[0]->GetMass();
    *lower = in->env->legs()[1]->GetMass();
    return TK_OK;
}

const bw_inspect_ext INSPECT_EXT = {sizeof(bw_inspect_ext), ext_hull, ext_track, ext_obstacle,
                                    ext_masses};

const void *get_extension(void *self, const char *id)
{
    (void)self;
    if (!id)
        return nullptr;
    if (std::strcmp(id, TK_RENDER_EXT_ID) == 0)
        return &RENDER_EXT;
    if (std::strcmp(id, BW_INSPECT_EXT_ID) == 0)
        return &INSPECT_EXT;
    return nullptr;
}

/* Positional (C++17 has no designated initialisers): struct_size, create,
 * destroy, info, set_task, reset, step, success, evaluate, save, load,
 * get_extension, episode_scores (1.2), begin_episode (1.3). */
const tk_env_vtable STUMP_VTABLE = {sizeof(tk_env_vtable), create_stumps, destroy, info,
                                    set_task, reset, step, success, nullptr, save, load,
                                    get_extension, nullptr, nullptr};
const tk_env_vtable HEXAGON_VTABLE = {sizeof(tk_env_vtable), create_hexagons, destroy, info,
                                      set_task, reset, step, success, nullptr, save, load,
                                      get_extension, nullptr, nullptr};

} /* namespace */

/* Referenced by the entry in bw_entry.c; hidden like everything but the
 * entry. */
extern "C" {

extern const tk_descriptor bw_stump_tracks_descriptor;
extern const tk_descriptor bw_hexagon_tracks_descriptor;

const tk_descriptor bw_stump_tracks_descriptor = {
    sizeof(tk_descriptor),
    TK_KIND_ENV,
    "stump-tracks",
    "Stump Tracks (parameterized BipedalWalker)",
    "1.0.0",
    "BipedalWalker on Box2D over stumps of mean height and spacing set by the task "
    "(TDRL/TMA Stump Tracks)",
    STUMP_DEFAULTS,
    nullptr,
    &STUMP_VTABLE,
};

const tk_descriptor bw_hexagon_tracks_descriptor = {
    sizeof(tk_descriptor),
    TK_KIND_ENV,
    "hexagon-tracks",
    "Hexagon Tracks (parameterized BipedalWalker)",
    "1.0.0",
    "BipedalWalker on Box2D over hexagons whose 12 vertex offsets are set by the task "
    "(TDRL Hexagon Tracks)",
    HEXAGON_DEFAULTS,
    nullptr,
    &HEXAGON_VTABLE,
};

} /* extern "C" */
