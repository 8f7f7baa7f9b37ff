/*
 * The Parkour's embodiments (flowersteam/TeachMyAgent
 * environments/envs/bodies/, BodiesEnum.py): dimensions, motors and
 * user-data flags from the original files named at each body.
 */
#include <cmath>
#include <cstring>

#include "pk_env.hpp"

namespace pk {

b2Body *Agent::add_part(b2World *world, b2BodyDef bd, bool check_contact, bool critical,
                        const uint8_t color1[3], const uint8_t color2[3])
{
    bd.type = b2_dynamicBody;
    bd.allowSleep = false;
    bd.userData.pointer = tag(Kind::BodyPart, parts.size());
    BodyPart p;
    p.body = world->CreateBody(&bd);
    p.check_contact = check_contact;
    p.contact_critical = critical;
    std::memcpy(p.color1, color1, 3);
    std::memcpy(p.color2, color2, 3);
    parts.push_back(p);
    return p.body;
}

void Agent::add_motor(b2Joint *joint, double speed_control, int contact_part, double correction)
{
    Motor m;
    m.joint = static_cast<b2RevoluteJoint *>(joint);
    m.speed_control = speed_control;
    m.contact_part = contact_part;
    m.angle_correction = correction;
    motors.push_back(m);
}

namespace {

/* Colours as bytes of the original's float colours. */
void rgb(uint8_t out[3], double r, double g, double b)
{
    out[0] = (uint8_t)std::lround(r * 255.0);
    out[1] = (uint8_t)std::lround(g * 255.0);
    out[2] = (uint8_t)std::lround(b * 255.0);
}

/* ---------------------------------------------------------------- bipeds */

/* The three bipeds share one hull and leg layout
 * (walkers/old/OldClassicBipedalBody.py, walkers/ClassicBipedalBody.py,
 * walkers/SmallBipedalBody.py); they differ in leg length, in where the hip
 * sits (LEG_DOWN) and in how the legs are placed: the old one tilts them by
 * +-0.05 rad and anchors joints by local points (so the solver pulls the
 * parts together at the first step), the new ones are straight and anchored
 * at world points. */
struct BipedShape {
    double leg_down, leg_w, leg_h; /* m */
    bool old_layout;
};

constexpr double BIPED_HULL[5][2] = {{-30, 9}, {6, 9}, {34, 1}, {34, -8}, {-30, -8}}; /* px */
constexpr double SPEED_HIP = 4.0, SPEED_KNEE = 6.0;
/* Filter of every biped fixture: category 0x20, colliding with categories
 * 0x1-0x8 (terrain, water, creepers), never with itself. */
constexpr uint16_t AGENT_CATEGORY = 0x20, AGENT_MASK = 0x000F;

void build_biped(Agent *agent, b2World *world, double init_x, double init_y, double force,
                 const BipedShape &sh)
{
    const double torque = agent->spec->motors_torque;
    b2Vec2 pts[5];
    for (int i = 0; i < 5; i++)
        pts[i].Set((float)(BIPED_HULL[i][0] / SCALE), (float)(BIPED_HULL[i][1] / SCALE));
    b2PolygonShape hull_shape;
    hull_shape.Set(pts, 5);
    b2FixtureDef hull_fd;
    hull_fd.shape = &hull_shape;
    hull_fd.density = 5.0f;
    hull_fd.friction = 0.1f;
    hull_fd.filter.categoryBits = AGENT_CATEGORY;
    hull_fd.filter.maskBits = AGENT_MASK;

    b2PolygonShape upper_shape, lower_shape;
    upper_shape.SetAsBox((float)(sh.leg_w / 2.0), (float)(sh.leg_h / 2.0));
    lower_shape.SetAsBox((float)(0.8 * sh.leg_w / 2.0), (float)(sh.leg_h / 2.0));
    b2FixtureDef leg_fd; /* friction: Box2D's default 0.2, as pybox2d's */
    leg_fd.density = 1.0f;
    leg_fd.restitution = 0.0f;
    leg_fd.filter.categoryBits = AGENT_CATEGORY;
    leg_fd.filter.maskBits = AGENT_MASK;
    b2FixtureDef lower_fd = leg_fd;
    leg_fd.shape = &upper_shape;
    lower_fd.shape = &lower_shape;

    uint8_t c1[3], c2[3];
    rgb(c1, 0.5, 0.4, 0.9);
    rgb(c2, 0.3, 0.3, 0.5);
    b2BodyDef bd;
    bd.position.Set((float)init_x, (float)init_y);
    /* Walkers in the Parkour: a head contact does not end the episode
     * (parametric_continuous_parkour.py passes
     * reset_on_hull_critical_contact=False). */
    b2Body *hull = agent->add_part(world, bd, true, false, c1, c2);
    hull->CreateFixture(&hull_fd);
    hull->ApplyForceToCenter(b2Vec2((float)force, 0.0f), true);
    agent->head = 0;

    for (int i = -1; i <= 1; i += 2) {
        rgb(c1, 0.6 - i / 10.0, 0.3 - i / 10.0, 0.5 - i / 10.0);
        rgb(c2, 0.4 - i / 10.0, 0.2 - i / 10.0, 0.3 - i / 10.0);
        bd.position.Set((float)init_x, (float)(init_y - sh.leg_h / 2.0 - sh.leg_down));
        bd.angle = sh.old_layout ? (float)(i * 0.05) : 0.0f;
        b2Body *upper = agent->add_part(world, bd, false, false, c1, c2);
        upper->CreateFixture(&leg_fd);

        b2RevoluteJointDef hip;
        if (sh.old_layout) {
            hip.bodyA = hull;
            hip.bodyB = upper;
            hip.localAnchorA.Set(0.0f, (float)sh.leg_down);
            hip.localAnchorB.Set(0.0f, (float)(sh.leg_h / 2.0));
        } else {
            hip.Initialize(hull, upper, b2Vec2((float)init_x, (float)(init_y - sh.leg_down)));
        }
        hip.enableMotor = true;
        hip.enableLimit = true;
        hip.maxMotorTorque = (float)torque;
        hip.motorSpeed = (float)i;
        hip.lowerAngle = -0.8f;
        hip.upperAngle = 1.1f;
        agent->add_motor(world->CreateJoint(&hip), SPEED_HIP, -1, 0.0);

        bd.position.Set((float)init_x, (float)(init_y - sh.leg_h * 3.0 / 2.0 - sh.leg_down));
        const int lower_index = (int)agent->parts.size();
        b2Body *lower = agent->add_part(world, bd, true, false, c1, c2);
        lower->CreateFixture(&lower_fd);

        b2RevoluteJointDef knee;
        if (sh.old_layout) {
            knee.bodyA = upper;
            knee.bodyB = lower;
            knee.localAnchorA.Set(0.0f, (float)(-sh.leg_h / 2.0));
            knee.localAnchorB.Set(0.0f, (float)(sh.leg_h / 2.0));
        } else {
            knee.Initialize(upper, lower,
                            b2Vec2((float)init_x, (float)(init_y - sh.leg_down - sh.leg_h)));
        }
        knee.enableMotor = true;
        knee.enableLimit = true;
        knee.maxMotorTorque = (float)torque;
        knee.motorSpeed = 1.0f;
        knee.lowerAngle = -1.6f;
        knee.upperAngle = -0.1f;
        agent->add_motor(world->CreateJoint(&knee), SPEED_KNEE, lower_index, 1.0);
    }
}

void build_old_classic(Agent *a, b2World *w, double x, double y, double f)
{
    build_biped(a, w, x, y, f, {-8.0 / SCALE, 8.0 / SCALE, 34.0 / SCALE, true});
}

void build_classic(Agent *a, b2World *w, double x, double y, double f)
{
    build_biped(a, w, x, y, f, {3.0 / SCALE, 8.0 / SCALE, 34.0 / SCALE, false});
}

void build_small(Agent *a, b2World *w, double x, double y, double f)
{
    build_biped(a, w, x, y, f, {3.0 / SCALE, 8.0 / SCALE, 17.0 / SCALE, false});
}

/* Biped state: hips (angle, speed) and knees (angle + 1, speed, lower-leg
 * contact), two legs: 2 * (2 + 3) = 10. */
constexpr int BIPED_STATE = 10;

/* AGENT_CENTER_HEIGHT: old 2 LEG_H + LEG_DOWN + 0.5 (LEG_DOWN = -8 px),
 * new 2 LEG_H + LEG_DOWN (LEG_DOWN = +3 px).  AGENT_WIDTH = hull bottom
 * width: 64 px, the small biped's 20 px. */
const BodySpec BODIES[] = {
    {"old_classic_bipedal", BodyType::Walker, 80.0, 0.00035, 64.0 / SCALE,
     2.0 * 34.0 / SCALE - 8.0 / SCALE + 0.5, 600, -1, 4, BIPED_STATE, build_old_classic},
    {"classic_bipedal", BodyType::Walker, 80.0, 0.00035, 64.0 / SCALE,
     2.0 * 34.0 / SCALE + 3.0 / SCALE, 600, -1, 4, BIPED_STATE, build_classic},
    {"small_bipedal", BodyType::Walker, 80.0, 0.00035, 20.0 / SCALE,
     2.0 * 17.0 / SCALE + 3.0 / SCALE, 600, -1, 4, BIPED_STATE, build_small},
};

} /* namespace */

const char *const BODY_NAMES[] = {"old_classic_bipedal", "classic_bipedal", "small_bipedal",
                                  nullptr};

const BodySpec *find_body(const char *name)
{
    for (const BodySpec &b : BODIES)
        if (std::strcmp(b.name, name) == 0)
            return &b;
    return nullptr;
}

} /* namespace pk */
