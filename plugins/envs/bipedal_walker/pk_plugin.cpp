/*
 * The C ABI of the "parkour" environment component (pk_env.hpp): config,
 * task space and validation, the per-episode random stream, checkpoint
 * hooks and teachkit.render.v1.  Docs: docs/envs/parkour.md.
 *
 * Task (8 values, the original's order): input_vector_0..2, water_level,
 * creepers_width, creepers_height, creepers_spacing, terrain_cppn_scale.
 * Default task space: the TeachMyAgent benchmark's (run_utils/
 * environment_args_handler.py, "medium" CPPN input space, widths fixed at
 * 0.25, scale fixed at 10).  set_task accepts any task within the physical
 * limits below, not only the teacher's space: the benchmark's own test sets
 * lie outside it (terrain_cppn_scale 20, creepers_width 0 to 0.4).
 *
 * Randomness: as the walker tracks (bw_plugin.cpp), one seed per reset from
 * host->rng(ctx) seeds the episode's stream (creeper heights, clouds, push).
 */
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <jansson.h>
#include <new>
#include <string>

#include "bw_config_util.hpp"
#include "bw_plugin_glue.hpp"
#include "pk_env.hpp"
#include "teachkit/config.h"
#include "teachkit/plugin.h"
#include "teachkit/render.h"
#include "teachkit/state.h"

#ifndef PK_DATA_DIRS
#define PK_DATA_DIRS ""
#endif

namespace {

constexpr int64_t MAX_EPISODE_STEPS = 100000000;
constexpr int MAX_RENDER_SIDE = 16384;
constexpr char BUNDLED_CPPN[] = "parkour/same_ground_ceiling_cppn.json";

const char *const DIM_NAMES[pk::TASK_DIMS] = {
    "input_vector_0", "input_vector_1", "input_vector_2",  "water_level",
    "creepers_width", "creepers_height", "creepers_spacing", "terrain_cppn_scale"};
/* Physical limits of each dimension (what set_task accepts).  The CPPN
 * was trained on inputs in [-1, 1]; the scale must be above 1 (the
 * original asserts it; a task of exactly 1 is refused in set_task). */
const double LIMIT_LOW[pk::TASK_DIMS] = {-1.0, -1.0, -1.0, 0.0, 0.0, 0.0, 0.0, 1.0};
constexpr int SCALE_DIM = 7;
const double LIMIT_HIGH[pk::TASK_DIMS] = {1.0, 1.0, 1.0, 1.0, 10.0, 20.0, 100.0, 1000.0};
const char *const RANGE_KEYS[pk::TASK_DIMS] = {
    "input_vector_0_range", "input_vector_1_range", "input_vector_2_range",
    "water_level_range",    "creepers_width_range", "creepers_height_range",
    "creepers_spacing_range", "terrain_cppn_scale_range"};

const char DEFAULTS[] =
    "{\"body\": \"old_classic_bipedal\", \"lidars\": \"auto\", "
    "\"input_vector_0_range\": [-0.35, 0.05], \"input_vector_1_range\": [0.6, 1.0], "
    "\"input_vector_2_range\": [-0.1, 0.3], \"water_level_range\": [0.0, 1.0], "
    "\"creepers_width_range\": [0.25, 0.25], \"creepers_height_range\": [0.0, 4.0], "
    "\"creepers_spacing_range\": [0.0, 5.0], \"terrain_cppn_scale_range\": [10.0, 10.0], "
    "\"ceiling_offset\": 200.0, \"ceiling_clip_offset\": 0.0, \"water_clip\": 20.0, "
    "\"movable_creepers\": false, \"cppn_weights\": \"\", \"max_episode_steps\": 2000}";

struct Instance {
    const tk_host_api *host = nullptr;
    tk_ctx *ctx = nullptr;
    pk_cppn *cppn = nullptr; /* owned */
    pk::Env *env = nullptr;
    tk_dim dim[pk::TASK_DIMS] = {};
    float obs_low[pk::MAX_OBS] = {}, obs_high[pk::MAX_OBS] = {};
    float act_low[pk::MAX_ACT] = {}, act_high[pk::MAX_ACT] = {};
    bool has_task = false;
    tk_state_writer saved{};
};

constexpr char STATE_TAG[4] = {'P', 'K', 'O', 'R'};
constexpr uint32_t STATE_VERSION = 1;

/* The bundled weights: PK_DATA_DIRS (':'-separated, the source tree's and
 * the installed data/ directories) searched in order. */
tk_status load_cppn(Instance *in, const char *configured)
{
    char err[512] = "";
    if (configured[0]) {
        if (pk_cppn_load(configured, &in->cppn, err, sizeof err) == 0)
            return TK_OK;
        return in->host->error(in->ctx, TK_ERR_CONFIG, "cppn_weights", "%s", err);
    }
    const char *dirs = PK_DATA_DIRS;
    while (*dirs) {
        const char *end = std::strchr(dirs, ':');
        const size_t len = end ? (size_t)(end - dirs) : std::strlen(dirs);
        char path[4096];
        std::snprintf(path, sizeof path, "%.*s/%s", (int)len, dirs, BUNDLED_CPPN);
        if (pk_cppn_load(path, &in->cppn, err, sizeof err) == 0)
            return TK_OK;
        dirs += len + (end ? 1 : 0);
    }
    return in->host->error(in->ctx, TK_ERR_CONFIG, "cppn_weights",
                           "the bundled terrain CPPN (data/%s) was not found in %s; set "
                           "cppn_weights to its path",
                           BUNDLED_CPPN, PK_DATA_DIRS);
}

tk_status read_config(Instance *in, const char *config_json, pk::Config *out)
{
    const tk_host_api *host = in->host;
    char *merged = nullptr;
    tk_status st = bw::merge_defaults(host, in->ctx, DEFAULTS, config_json, &merged);
    if (st != TK_OK)
        return st;
    /* The one string value, read here (tk_config has no string getter). */
    std::string weights;
    json_t *root = json_loads(merged, 0, nullptr);
    const json_t *w = root ? json_object_get(root, "cppn_weights") : nullptr;
    const bool is_string = w && json_is_string(w);
    if (is_string)
        weights = json_string_value(w);
    json_decref(root);
    if (!is_string) {
        free(merged);
        return host->error(in->ctx, TK_ERR_CONFIG, "cppn_weights",
                           "must be a path string (\"\" for the bundled weights)");
    }
    tk_config *cfg = nullptr;
    st = tk_config_parse(host, in->ctx, merged, &cfg);
    free(merged);
    if (st != TK_OK)
        return st;

    static const char *const lidars[] = {"auto", "down", "up", "full", nullptr};
    pk::Config c;
    int body = 0, lidar = 0, movable = 0;
    int64_t steps = 0;
    if ((st = tk_config_choice(cfg, "body", pk::BODY_NAMES, &body)) == TK_OK &&
        (st = tk_config_choice(cfg, "lidars", lidars, &lidar)) == TK_OK &&
        (st = tk_config_double(cfg, "ceiling_offset", 0.0, 10000.0, &c.ceiling_offset)) ==
            TK_OK &&
        (st = tk_config_double(cfg, "ceiling_clip_offset", 0.0, 10000.0,
                               &c.ceiling_clip_offset)) == TK_OK &&
        (st = tk_config_double(cfg, "water_clip", 0.0, 1e6, &c.water_clip)) == TK_OK &&
        (st = tk_config_bool(cfg, "movable_creepers", &movable)) == TK_OK &&
        (st = tk_config_int(cfg, "max_episode_steps", 1, MAX_EPISODE_STEPS, &steps)) == TK_OK) {
        for (int i = 0; i < pk::TASK_DIMS && st == TK_OK; i++)
            st = bw::read_range(host, in->ctx, cfg, RANGE_KEYS[i], LIMIT_LOW[i], LIMIT_HIGH[i],
                                &c.low[i], &c.high[i]);
        if (st == TK_OK && c.low[SCALE_DIM] <= LIMIT_LOW[SCALE_DIM])
            st = host->error(in->ctx, TK_ERR_CONFIG, RANGE_KEYS[SCALE_DIM],
                             "the CPPN scale must be above 1, got [%g, %g]", c.low[SCALE_DIM],
                             c.high[SCALE_DIM]);
    }
    if (st == TK_OK)
        st = load_cppn(in, weights.c_str());
    tk_config_free(cfg);
    if (st != TK_OK)
        return st;
    if (pk_cppn_input_dim(in->cppn) != 3 || pk_cppn_output_dim(in->cppn) != 2)
        return host->error(in->ctx, TK_ERR_CONFIG, "cppn_weights",
                           "the terrain CPPN must take 3 inputs and give 2 outputs (ground, "
                           "ceiling), this one takes %zu and gives %zu",
                           pk_cppn_input_dim(in->cppn), pk_cppn_output_dim(in->cppn));
    c.body = pk::find_body(pk::BODY_NAMES[body]);
    if (lidar == 0) /* the original's choice per body type */
        c.lidar = c.body->type == pk::BodyType::Walker    ? pk::LidarFan::Down
                  : c.body->type == pk::BodyType::Climber ? pk::LidarFan::Up
                                                          : pk::LidarFan::Full;
    else
        c.lidar = (pk::LidarFan)(lidar - 1);
    c.movable_creepers = movable != 0;
    c.max_episode_steps = (uint64_t)steps;
    c.cppn = in->cppn;
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
    pk_cppn_free(in->cppn);
    delete in;
}

tk_status create(const tk_host_api *host, tk_ctx *ctx, const char *config_json, void **out)
{
    *out = nullptr;
    Instance *in = new (std::nothrow) Instance;
    if (!in)
        return host->error(ctx, TK_ERR_NOMEM, nullptr, "out of memory");
    in->host = host;
    in->ctx = ctx;
    tk_state_writer_init(&in->saved);
    pk::Config cfg;
    tk_status st = TK_OK;
    try {
        st = read_config(in, config_json, &cfg);
        if (st == TK_OK)
            in->env = new pk::Env(cfg);
    } catch (const std::bad_alloc &) {
        st = host->error(ctx, TK_ERR_NOMEM, nullptr, "out of memory");
    }
    if (st != TK_OK) {
        destroy(in);
        return st;
    }
    for (int i = 0; i < pk::TASK_DIMS; i++)
        in->dim[i] = tk_dim{DIM_NAMES[i], cfg.low[i], cfg.high[i]};
    for (int i = 0; i < pk::MAX_OBS; i++)
        in->obs_low[i] = -INFINITY, in->obs_high[i] = INFINITY;
    for (int i = 0; i < pk::MAX_ACT; i++)
        in->act_low[i] = -1.0f, in->act_high[i] = 1.0f;
    *out = in;
    return TK_OK;
}

/* Filled in full here, then copied within the host's struct_size
 * (tk_env_info_write), so an older host with a smaller tk_env_info works. */
tk_status info(void *self, tk_env_info *out)
{
    tk_env_info mine = bw::env_info(static_cast<const Instance *>(self), pk::TASK_DIMS);
    /* The benchmark's teacher reward bounds and mastery threshold
     * (environment_args_handler.py: env_reward_lb/ub -150/360; success:
     * return > 230). */
    mine.return_low = -150.0;
    mine.return_high = 360.0;
    mine.mastery_threshold = 230.0;
    tk_env_info_write(out, &mine);
    return TK_OK;
}

tk_status set_task(void *self, const float *task)
{
    Instance *in = static_cast<Instance *>(self);
    if (!task)
        return in->host->error(in->ctx, TK_ERR_INVALID, nullptr, "task is NULL");
    for (int i = 0; i < pk::TASK_DIMS; i++) {
        const float v = task[i];
        if (!std::isfinite(v))
            return in->host->error(in->ctx, TK_ERR_INVALID, nullptr,
                                   "task[%d] (%s) is not finite (%g)", i, DIM_NAMES[i], (double)v);
        if (v < (float)LIMIT_LOW[i] || v > (float)LIMIT_HIGH[i] ||
            (i == SCALE_DIM && v <= (float)LIMIT_LOW[i]))
            return in->host->error(in->ctx, TK_ERR_INVALID, nullptr,
                                   "task[%d] (%s) = %g is outside the parkour's limits [%g, %g]%s",
                                   i, DIM_NAMES[i], (double)v, LIMIT_LOW[i], LIMIT_HIGH[i],
                                   i == SCALE_DIM ? " (and above 1)" : "");
    }
    in->env->set_task(task);
    in->has_task = true;
    return TK_OK;
}

tk_status reset(void *self, float *obs_out)
{
    return bw::reset_episode(static_cast<Instance *>(self), obs_out);
}

tk_status step(void *self, const float *action, float *obs_out, double *reward, int *done)
{
    return bw::step_episode(static_cast<Instance *>(self), action, obs_out, reward, done);
}

/* The original's info["success"]: episodic return above 230. */
int success(void *self)
{
    const Instance *in = static_cast<const Instance *>(self);
    return in->env->episode_return() > 230.0;
}

/* Every episode is rebuilt from its task and the host-saved stream (as
 * bw_plugin.cpp): the record only marks the component. */
tk_status save(void *self, const void **data, size_t *size)
{
    Instance *in = static_cast<Instance *>(self);
    tk_state_writer_reset(&in->saved);
    tk_state_put_tag(&in->saved, STATE_TAG, STATE_VERSION);
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
    if (r.failed || r.pos != size)
        return in->host->error(in->ctx, TK_ERR_INVALID, nullptr,
                               "saved state is not a parkour record of version <= %u",
                               STATE_VERSION);
    in->has_task = false;
    return TK_OK;
}

tk_status ext_render(void *self, uint8_t *rgb, int width, int height)
{
    Instance *in = static_cast<Instance *>(self);
    if (!rgb || width < 1 || height < 1 || width > MAX_RENDER_SIDE || height > MAX_RENDER_SIDE)
        return in->host->error(in->ctx, TK_ERR_INVALID, nullptr,
                               "render needs a buffer of width x height in [1, %d]^2, got %d x "
                               "%d%s",
                               MAX_RENDER_SIDE, width, height, rgb ? "" : " (NULL buffer)");
    if (!in->env->has_episode())
        return in->host->error(in->ctx, TK_ERR_STATE, nullptr, "render before the first reset");
    return pk::render(*in->env, rgb, width, height);
}

const tk_render_ext RENDER_EXT = {sizeof(tk_render_ext), ext_render};

const void *get_extension(void *self, const char *id)
{
    (void)self;
    if (id && std::strcmp(id, TK_RENDER_EXT_ID) == 0)
        return &RENDER_EXT;
    return nullptr;
}

const tk_env_vtable VTABLE = {sizeof(tk_env_vtable), create, destroy, info, set_task, reset,
                              step, success, nullptr, save, load, get_extension,
                              nullptr /* episode_scores, 1.2 */,
                              nullptr /* begin_episode, 1.3 */};

} /* namespace */

extern "C" {

extern const tk_descriptor pk_parkour_descriptor;

const tk_descriptor pk_parkour_descriptor = {
    sizeof(tk_descriptor),
    TK_KIND_ENV,
    "parkour",
    "Parkour (TeachMyAgent)",
    "1.0.0",
    "TeachMyAgent's Parkour on Box2D: CPPN ground and ceiling, water and creepers set by the "
    "task, walker, swimmer or climber bodies",
    DEFAULTS,
    nullptr,
    &VTABLE,
};

} /* extern "C" */
