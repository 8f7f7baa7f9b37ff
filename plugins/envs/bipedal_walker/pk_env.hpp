/*
 * TeachMyAgent's Parkour (flowersteam/TeachMyAgent,
 * environments/envs/parametric_continuous_parkour.py) on Box2D 2.4.1: the
 * C++ core behind the parkour component of the walker plugin (pk_plugin.cpp).
 *
 * A CPPN draws the ground and a graspable ceiling, water fills a fraction of
 * the space (buoyancy and drag, pk_water.cpp), creepers hang from the ceiling
 * and one of the original's embodiments (pk_bodies.cpp) moves through it.
 * Deviations from the original are listed in docs/envs/parkour.md.
 *
 * One pk::Env is one environment instance; it owns its b2World, rebuilt at
 * every reset.  Not thread-safe: one instance is entered by one thread at a
 * time; different instances share nothing but the read-only CPPN.
 */
#ifndef PK_ENV_HPP
#define PK_ENV_HPP

#include <box2d/box2d.h>

#include <cstdint>
#include <vector>

#include "bw_env.hpp"
#include "pk_cppn.h"
#include "teachkit/plugin.h"

namespace pk {

using bw::FPS;
using bw::LIDAR_RANGE;
using bw::NB_LIDAR;
using bw::SCALE;
using bw::TERRAIN_HEIGHT;
using bw::TERRAIN_LENGTH;
using bw::TERRAIN_STEP;
using bw::VIEWPORT_H;
using bw::VIEWPORT_W;

constexpr int TERRAIN_END = 5;                /* success line: this many TS before the end */
constexpr int INITIAL_TERRAIN_STARTPAD = 20;  /* in TS */
constexpr double WATER_DENSITY = 1.0;
constexpr int TASK_DIMS = 8;
constexpr int MAX_MOTORS = 64;
constexpr int MAX_SENSORS = 4;
constexpr int MAX_ACT = MAX_MOTORS + MAX_SENSORS;
constexpr int MAX_OBS = 6 + 3 * MAX_MOTORS + 2 * MAX_SENSORS + 2 * NB_LIDAR;

/* What a Box2D body is, stored in b2BodyUserData::pointer as
 * kind | (index << 3) (index: the body part, for BodyPart). */
enum class Kind : uintptr_t {
    None = 0,
    BodyPart = 1,    /* the agent's bodies: contacts, water forces */
    Water = 2,
    Terrain = 3,     /* ground */
    GripTerrain = 4, /* ceiling: graspable */
    Creeper = 5,     /* sensor, graspable */
    BodySensor = 6,  /* a climber's grasping sensor */
};

inline uintptr_t tag(Kind k, size_t index = 0)
{
    return (uintptr_t)k | ((uintptr_t)index << 3);
}
inline Kind tag_kind(uintptr_t t)
{
    return (Kind)(t & 7u);
}
inline size_t tag_index(uintptr_t t)
{
    return (size_t)(t >> 3);
}

enum class BodyType { Walker, Swimmer, Climber, Amphibian };
enum class LidarFan { Down, Up, Full };

/* One rigid part of the agent (the original's CustomBodyUserData). */
struct BodyPart {
    b2Body *body = nullptr;
    bool check_contact = false;
    bool contact_critical = false;
    bool has_contact = false;
    uint8_t color1[3] = {}, color2[3] = {}; /* fill, outline */
};

/* One motorised joint (the original's CustomMotorUserData). */
struct Motor {
    b2RevoluteJoint *joint = nullptr;
    double speed_control = 1.0; /* motor speed for |action| > 0; divides the speed observation */
    int contact_part = -1;      /* >= 0: its contact flag follows in the observation */
    double angle_correction = 0.0;
};

/* A climber's grasping sensor (the original's CustomBodySensorUserData
 * and ClimbingContactDetector's list for it). */
struct Sensor {
    b2Body *body = nullptr;
    bool has_contact = false;
    bool has_joint = false;
    bool ready_to_attach = false;
    b2Joint *grasp = nullptr;            /* the joint holding what it grasps */
    std::vector<b2Body *> touching;      /* graspable bodies, in contact order */
};

struct Agent;

/* An embodiment of the original's BodiesEnum. */
struct BodySpec {
    const char *name;
    BodyType type;
    double motors_torque;
    double torque_penalty;       /* TORQUE_PENALTY: the reward pays it x 80 per |action| */
    double agent_width;          /* m, sets the start pad */
    double agent_center_height;  /* m above TERRAIN_HEIGHT at spawn */
    int steps_under_water;       /* walkers: survive this many steps under water, or -1 */
    int steps_outside_water;     /* swimmers: the same out of water, or -1 */
    int motors;                  /* motors; the action adds one value per sensor */
    int sensors;                 /* climbers' grasping sensors */
    int state_size;              /* motor (and sensor) values in the observation */
    bool head_angle_reward;      /* false: no -5 |angle| shaping (remove_reward_on_head_angle) */
    double old_leg_h;            /* m, old morphologies only (else 0): Stump Tracks spawns
                                    them 2 LEG_H above the ground */
    /* Create the parts and joints in `world` at (x, y) with a horizontal
     * push of `force` N on the head. */
    void (*build)(Agent *agent, b2World *world, double x, double y, double force);
};

const BodySpec *find_body(const char *name);
extern const char *const BODY_NAMES[]; /* NULL-terminated, config choices */

/* The agent's parts in creation order; parts[head] is the reference head. */
struct Agent {
    const BodySpec *spec = nullptr;
    std::vector<BodyPart> parts;
    std::vector<Motor> motors;
    std::vector<Sensor> sensors;
    /* Sensors in the order of their first contact of the episode: the
     * original keeps them as keys of a dict and attaches in that order. */
    std::vector<size_t> sensor_order;
    size_t head = 0;
    /* The walkers' reset_on_hull_critical_contact: false in the Parkour,
     * true on Stump Tracks (set before building). */
    bool hull_critical = false;

    /* Create a dynamic part tagged with its index.  Parts never sleep (the
     * reason is in bw_walker.cpp: 2.4.1's joint setters do not wake). */
    b2Body *add_part(b2World *world, b2BodyDef bd, bool check_contact, bool critical,
                     const uint8_t color1[3], const uint8_t color2[3]);
    void add_motor(b2Joint *joint, double speed_control, int contact_part, double correction);
    b2Body *add_sensor(b2World *world, b2Vec2 position);
};

/* Anchor a joint at world point `p` as pybox2d's joint definitions do when
 * given `bodyA`, `bodyB` and `anchor=`: both local anchors from the bodies'
 * current poses, and the reference angle set to the bodies' angle difference
 * (the revolute and weld definitions' constructors in pybox2d's
 * Box2D/Box2D_joints.i do this whenever both bodies are given and
 * `referenceAngle` is not).  Joint angles and limits count from that pose:
 * the fish's tilted fin, the spider's and the wheel's legs start at joint
 * angle 0. */
template <class Def> void anchor_at(Def *def, b2Body *a, b2Body *b, b2Vec2 p)
{
    def->bodyA = a;
    def->bodyB = b;
    def->localAnchorA = a->GetLocalPoint(p);
    def->localAnchorB = b->GetLocalPoint(p);
    def->referenceAngle = b->GetAngle() - a->GetAngle();
}

struct Config {
    const BodySpec *body = nullptr;
    LidarFan lidar = LidarFan::Down;
    double low[TASK_DIMS] = {}, high[TASK_DIMS] = {};
    double ceiling_offset = 200.0;      /* CPPN units (divided by the scale) */
    double ceiling_clip_offset = 0.0;   /* CPPN units */
    double water_clip = 20.0;           /* cap of the water's push force, N */
    bool movable_creepers = false;
    uint64_t max_episode_steps = 2000;
    const pk_cppn *cppn = nullptr;      /* borrowed from the plugin instance */

    int obs_dim() const { return 6 + body->state_size + 2 * NB_LIDAR; }
    int act_dim() const { return body->motors + body->sensors; }
};

/* The track of one episode, for rendering and inspection. */
struct Creeper {
    std::vector<b2Body *> pieces; /* one static body, or a chain of dynamic ones */
};

struct Terrain {
    std::vector<double> x, ground, ceiling;
    std::vector<Creeper> creepers;
    double water_y = 0.0;
    double ground_limit = 0.0, ceiling_limit = 0.0;
    std::vector<bw::Cloud> clouds;
};

struct Lidar {
    b2Vec2 p1, p2;
    float fraction = 1.0f;
    /* Surface of the latest hit.  Kept from step to step, as the original
     * keeps them on its callback objects: a ray that hits nothing reports
     * the previous hit's surface. */
    bool water = false, creeper = false;
};

class Env;

class ContactListener final : public b2ContactListener {
public:
    explicit ContactListener(Env *env) : env_(env) {}
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
    void set_task(const float *task);
    /* Build terrain and agent from `rng` (the episode's own stream), take
     * the original's zero-action step(s), write the observation. */
    tk_status reset(tk_rng *rng, float *obs);
    tk_status step(const float *action, float *obs, double *reward, int *done);

    const char *error() const { return error_; }
    bool has_episode() const { return world_ != nullptr; }
    double episode_return() const { return episode_return_; }

    const Terrain &terrain() const { return terrain_; }
    const Agent &agent() const { return agent_; }
    const Lidar *lidar() const { return lidar_; }
    b2Body *water_body() const { return water_; }
    double scroll_x() const { return scroll_[0]; }
    double scroll_y() const { return scroll_[1]; }
    int steps_under_water() const { return steps_under_water_; }
    int steps_outside_water() const { return steps_outside_water_; }
    double startpad() const { return startpad_; }

private:
    friend class ContactListener;

    tk_status build_terrain(tk_rng *rng);
    void add_creeper(size_t i, b2Body *ceiling, tk_rng *rng);
    void destroy_world();
    void cast_lidar(const b2Vec2 &pos);
    tk_status hang_climber(float *actions);
    void release_or_ready(const float *action);
    void grasp();
    tk_status physics_step(const float *action, float *obs, double *reward, int *done);
    tk_status fail(tk_status st, const char *fmt, ...) TK_PRINTF(3, 4);

    Config cfg_;
    double task_[TASK_DIMS] = {};
    char error_[512] = "";
    double startpad_ = INITIAL_TERRAIN_STARTPAD; /* in TS, not always whole */

    b2World *world_ = nullptr;
    ContactListener contacts_;
    Terrain terrain_;
    b2Body *water_ = nullptr;
    Agent agent_;
    /* (water fixture, agent fixture) pairs in contact, in the order their
     * contacts began: the water forces are applied in this order. */
    std::vector<std::pair<b2Fixture *, b2Fixture *>> water_pairs_;
    bool critical_contact_ = false;
    bool has_prev_shaping_ = false;
    double prev_shaping_ = 0.0;
    int steps_under_water_ = 0, steps_outside_water_ = 0;
    bool done_ = true;
    double episode_return_ = 0.0;
    Lidar lidar_[NB_LIDAR];
    double lidar_angle_ = 1.5, lidar_offset_ = 0.0;
    double scroll_[2] = {};
};

/* Buoyancy, drag, lift and the joints' push for every (water, part) pair
 * (pk_water.cpp). */
void apply_water_forces(const std::vector<std::pair<b2Fixture *, b2Fixture *>> &pairs,
                        const b2Vec2 &gravity, double max_push);

/* Draw the current scene (teachkit.render.v1, pk_render.cpp). */
tk_status render(const Env &env, uint8_t *rgb, int width, int height);

} /* namespace pk */

#endif
