/*
 * Parameterized BipedalWalker (Stump Tracks, Hexagon Tracks) on Box2D 2.4.1:
 * the C++ core behind the plugin's C ABI (bw_plugin.cpp).
 *
 * Original code (TDRL =
 * flowersteam/teachDeepRL bipedal_walker_continuous.py, TMA =
 * flowersteam/TeachMyAgent parametric_continuous_stump_tracks.py).  Every
 * deliberate deviation is listed in docs/envs/stump-tracks.md.
 *
 * One bw::Env is one environment instance: it owns its b2World (rebuilt at
 * every reset, so an episode depends only on its task and its own random
 * stream, never on the episodes before it).  Not thread-safe: one instance is
 * entered by one thread at a time; different instances share nothing.
 */
#ifndef BW_ENV_HPP
#define BW_ENV_HPP

#include <box2d/box2d.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "teachkit/plugin.h"

namespace pk {
struct BodySpec;
struct Agent;
} /* namespace pk */

namespace bw {

/* ------------------------------------------------------- world constants */
/* The originals' module constants (TDRL bipedal_walker_continuous.py);
 * "px" constants are divided by SCALE. */
constexpr double SCALE = 30.0;
constexpr double FPS = 50.0;
constexpr double VIEWPORT_W = 600.0; /* px; enters the observation scaling */
constexpr double VIEWPORT_H = 400.0;
constexpr double TERRAIN_STEP = 14.0 / SCALE;          /* TS */
constexpr int TERRAIN_LENGTH = 200;                     /* in TS */
constexpr double TERRAIN_HEIGHT = VIEWPORT_H / SCALE / 4.0; /* Y0 */
constexpr int TERRAIN_GRASS = 10;                       /* success line = (200 - 10) TS */
constexpr int TERRAIN_STARTPAD = 20;                    /* in TS */
constexpr double FRICTION = 2.5;
constexpr int NB_LIDAR = 10;
constexpr double LIDAR_RANGE = 160.0 / SCALE;
constexpr double INITIAL_RANDOM = 5.0;                  /* spawn push, N */
constexpr double SPEED_HIP = 4.0;
constexpr double SPEED_KNEE = 6.0;
constexpr int VELOCITY_ITERATIONS = 6 * 30;
constexpr int POSITION_ITERATIONS = 2 * 30;
constexpr double STUMP_HEIGHT_STD = 0.1;                /* TS units */
constexpr double MIN_OBSTACLE_SPACING = 0.01;           /* max(0.01, spacing) */
constexpr int HEXAGON_DIMS = 12;
constexpr int N_CLOUDS = TERRAIN_LENGTH / 20;
constexpr uint16_t TERRAIN_CATEGORY = 0x0001;
constexpr uint16_t WALKER_CATEGORY = 0x0020;

constexpr int MAX_PAIRS = 2;
/* TeachMyAgent walkers: the millipede has the most motors (16) and motor
 * values (40). */
constexpr int MAX_BODY_MOTORS = 16, MAX_BODY_STATE = 40;
constexpr int MAX_OBS = 4 + (MAX_BODY_STATE > 10 * MAX_PAIRS ? MAX_BODY_STATE : 10 * MAX_PAIRS) +
                        NB_LIDAR;
constexpr int MAX_ACT = MAX_BODY_MOTORS > 4 * MAX_PAIRS ? MAX_BODY_MOTORS : 4 * MAX_PAIRS;

enum class Variant { TDRL, TMA };
enum class LidarMode { FirstHit, Closest };
enum class Track { Stumps, Hexagons };
enum class DegenerateRule { Repair, Error };

/* A walker morphology (TDRL my_init), in the original's units. */
struct Morphology {
    const char *name;
    double hull_poly[5][2];   /* px, listed order (Box2D re-orders CCW) */
    double hull_width;        /* px, HULL_WIDTH */
    double leg_w, leg_h;      /* px, upper leg box; the lower leg is 0.8 * leg_w wide */
    int pairs;                /* leg pairs */
    double x_anchor[MAX_PAIRS];
    double motors_torque;
    double torque_penalty;    /* TDRL: the walker's torque_penalty */
    double tma_torque_penalty;/* TMA: the body's TORQUE_PENALTY (times 80, not the torque) */
};

const Morphology *find_morphology(const char *name);
extern const char *const MORPHOLOGY_NAMES[]; /* NULL-terminated, config choices */

/* Everything an instance needs, resolved from the JSON config. */
struct Config {
    Track track = Track::Stumps;
    Variant variant = Variant::TDRL;
    const Morphology *morph = nullptr;
    LidarMode lidar = LidarMode::FirstHit;
    bool track_all_lower_legs = false; /* TMA: every lower leg reports contact */
    uint16_t walker_mask = 0x0001;     /* TDRL 0x0001, TMA 0x000F */
    double torque_cost = 0.0;          /* reward cost per unit of min(|a|, 1) */
    /* task space */
    double low[HEXAGON_DIMS] = {};
    double high[HEXAGON_DIMS] = {};
    size_t dims = 2;
    /* hexagon tracks */
    double hexagon_spacing = 8.0;
    double hexagon_noise_std = 0.1;
    DegenerateRule degenerate = DegenerateRule::Repair;
    uint64_t max_episode_steps = 2000;
    /* A TeachMyAgent walker (pk_bodies.cpp) instead of `morph`, under TMA's
     * rules (parametric_continuous_stump_tracks.py): its parts' contact
     * flags, its critical head, its motors and TORQUE_PENALTY. */
    const pk::BodySpec *body = nullptr;

    int obs_dim() const;
    int act_dim() const;
};

/* Fill the variant-dependent fields (lidar mode when "auto", contacts,
 * masks, torque cost) from variant and morphology. */
void finish_config(Config *cfg, bool lidar_auto);

/* ----------------------------------------------------------- track data */

struct Polygon {
    int n = 0;
    b2Vec2 v[b2_maxPolygonVertices];
    uint8_t color[3] = {255, 255, 255}; /* fill colour for rendering */
    bool repaired = false;              /* degenerate hexagon replaced by a box */
};

struct Cloud {
    double x[5], y[5];
    double x1, x2;
};

/* The procedurally generated track of one episode (TDRL _generate_terrain,
 * stumps or hexagons): pure
 * data, turned into static bodies by Env::reset and kept for rendering. */
struct TrackData {
    std::vector<b2Vec2> ground;      /* recorded ground points, edges join consecutive ones */
    std::vector<Polygon> obstacles;  /* stumps or hexagons, in creation (x) order */
    std::vector<Cloud> clouds;       /* rendering only */
    size_t repaired = 0;
};

/* The background clouds: N_CLOUDS draws of 11 uniforms each from `rng`. */
void generate_clouds(tk_rng *rng, std::vector<Cloud> *clouds);

/* Whether b2PolygonShape::Set accepts `pts` without tripping one of its
 * assertions (Debian builds Box2D with assertions on: a degenerate polygon
 * aborts the process).  Replays Set()'s welding and gift wrapping on the
 * same floats, and also demands a safety margin (area >= 1e-4 m^2). */
bool polygon_is_valid(const b2Vec2 *pts, int n);

/* ---------------------------------------------------------- environment */

struct Lidar {
    b2Vec2 p1, p2;
    float fraction;
};

class Env;

class ContactDetector final : public b2ContactListener {
public:
    explicit ContactDetector(Env *env) : env_(env) {}
    void BeginContact(b2Contact *contact) override;
    void EndContact(b2Contact *contact) override;

private:
    Env *env_;
};

class Env {
public:
    explicit Env(const Config &cfg);
    ~Env();
    Env(const Env &) = delete;
    Env &operator=(const Env &) = delete;

    const Config &config() const { return cfg_; }

    /* Store the next episode's task (already validated by the caller). */
    void set_task(const float *task);
    /* Build the track and the walker from `rng` (the episode's own
     * stream), then take the original's zero-action step and write its
     * observation.  Returns TK_OK or an error described by error(). */
    tk_status reset(tk_rng *rng, float *obs);
    /* One env step (TDRL step).  `action` holds act_dim finite values. */
    tk_status step(const float *action, float *obs, double *reward, int *done);

    const char *error() const { return error_; }
    bool has_episode() const { return world_ != nullptr; }
    bool episode_over() const { return done_; }
    double episode_return() const { return episode_return_; }

    /* Read-only views for rendering and inspection. */
    const TrackData &track() const { return track_; }
    const b2Body *hull() const { return hull_; }
    const std::vector<b2Body *> &legs() const { return legs_; }
    const Lidar *lidar() const { return lidar_; }
    const pk::Agent *agent() const { return agent_; }
    double scroll() const { return scroll_; }
    b2World *world() { return world_; }

    /* Time spent inside b2World::Step, when compiled with
     * -DBW_TIME_WORLD_STEP (tools/bench/bench_walker.cpp). */
    double world_step_seconds = 0.0;

private:
    friend class ContactDetector;

    tk_status generate_track(tk_rng *rng);
    void generate_clouds(tk_rng *rng);
    void build_terrain_bodies();
    void build_walker(tk_rng *rng);
    void destroy_world();
    tk_status physics_step(const float *action, float *obs, double *reward, int *done);
    void build_body(tk_rng *rng);
    int body_observation(float *obs);
    void cast_lidar();
    tk_status fail(tk_status st, const char *fmt, ...) TK_PRINTF(3, 4);

    Config cfg_;
    float task_[HEXAGON_DIMS] = {};
    char error_[512] = "";

    b2World *world_ = nullptr;
    ContactDetector contacts_;
    TrackData track_;
    b2Body *hull_ = nullptr;
    std::vector<b2Body *> legs_;              /* upper, lower, upper, lower, ... */
    std::vector<b2RevoluteJoint *> joints_;   /* hip, knee, hip, knee, ... */
    bool ground_contact_[2 * MAX_PAIRS] = {}; /* per leg pair side: lower-leg contact */
    bool head_contact_ = false;
    bool has_prev_shaping_ = false;
    double prev_shaping_ = 0.0;
    bool done_ = false;
    double episode_return_ = 0.0;
    Lidar lidar_[NB_LIDAR] = {};
    double lidar_dir_[NB_LIDAR][2] = {};      /* (sin, -cos)(1.5 i / 10) * range */
    double scroll_ = 0.0;
    pk::Agent *agent_ = nullptr; /* owned; the body of cfg_.body, else NULL */
};

/* Draw the current scene (teachkit.render.v1, bw_render.cpp). */
tk_status render(const Env &env, uint8_t *rgb, int width, int height);

} /* namespace bw */

#endif
