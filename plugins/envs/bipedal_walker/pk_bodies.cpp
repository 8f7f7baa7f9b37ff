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

b2Body *Agent::add_sensor(b2World *world, b2Vec2 position)
{
    b2BodyDef bd;
    bd.type = b2_dynamicBody;
    bd.allowSleep = false;
    bd.position = position;
    bd.userData.pointer = tag(Kind::BodySensor, sensors.size());
    Sensor s;
    s.body = world->CreateBody(&bd);
    /* ClimberAbstractBody.SENSOR_FD: a 0.05 m circle sensing terrain only. */
    b2CircleShape shape;
    shape.m_radius = 0.05f;
    b2FixtureDef fd;
    fd.shape = &shape;
    fd.density = 1.0f;
    fd.restitution = 0.0f;
    fd.filter.categoryBits = 0x20;
    fd.filter.maskBits = 0x1;
    fd.isSensor = true;
    s.body->CreateFixture(&fd);
    sensors.push_back(s);
    return s.body;
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
            anchor_at(&hip, hull, upper, b2Vec2((float)init_x, (float)(init_y - sh.leg_down)));
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
            anchor_at(&knee, upper, lower,
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

/* ------------------------------------------------------------------ fish */

/* swimmers/FishBody.py: a head, three body segments down to the tail and
 * one fin under the head, all of density water - 0.01 so that the fish
 * slowly rises when idle.  Every motor reports its part's contact. */
constexpr double FISH_HEAD[6][2] = {{-20, 12}, {6, 12}, {15, 4}, {15, -4}, {6, -12}, {-20, -12}};
constexpr double FISH_P1[4][2] = {{-8, 9}, {8, 12}, {8, -12}, {-8, -9}};
constexpr double FISH_P2[4][2] = {{-8, 4}, {8, 9}, {8, -9}, {-8, -4}};
constexpr double FISH_P3[4][2] = {{-4, 2}, {4, 4}, {4, -4}, {-4, -2}};
constexpr double FISH_FIN[4][2] = {{-1, -10}, {-1, 10}, {1, 10}, {1, -10}};
constexpr double FISH_DENSITY = WATER_DENSITY - 0.01;

void polygon_px(b2PolygonShape *shape, const double (*pts)[2], int n)
{
    b2Vec2 v[b2_maxPolygonVertices];
    for (int i = 0; i < n; i++)
        v[i].Set((float)(pts[i][0] / SCALE), (float)(pts[i][1] / SCALE));
    shape->Set(v, n);
}

b2RevoluteJointDef motor_joint(b2Body *a, b2Body *b, double x, double y, double torque,
                               double lower, double upper)
{
    b2RevoluteJointDef jd;
    anchor_at(&jd, a, b, b2Vec2((float)x, (float)y));
    jd.enableMotor = true;
    jd.enableLimit = true;
    jd.maxMotorTorque = (float)torque;
    jd.motorSpeed = 1.0f;
    jd.lowerAngle = (float)lower;
    jd.upperAngle = (float)upper;
    return jd;
}

void build_fish(Agent *agent, b2World *world, double init_x, double init_y, double)
{
    /* No spawn push for the fish (the original draws it and leaves it). */
    const double torque = agent->spec->motors_torque;
    const double speed = 6.0; /* SPEED_KNEE for every motor */
    init_y += 1.0;
    uint8_t c1[3], c2[3];
    rgb(c1, 0.5, 0.4, 0.9);
    rgb(c2, 0.3, 0.3, 0.5);
    b2PolygonShape shape;
    b2FixtureDef fd;
    fd.shape = &shape;
    fd.density = (float)FISH_DENSITY;
    fd.filter.categoryBits = AGENT_CATEGORY;
    fd.filter.maskBits = AGENT_MASK;

    b2BodyDef bd;
    bd.position.Set((float)init_x, (float)init_y);
    polygon_px(&shape, FISH_HEAD, 6);
    fd.friction = 0.1f;
    b2Body *head = agent->add_part(world, bd, true, false, c1, c2);
    head->CreateFixture(&fd);
    agent->head = 0;
    fd.friction = 0.2f; /* Box2D's default for the other parts */
    fd.restitution = 0.0f;

    /* Three segments, each hinged on the one before at its front edge. */
    const double (*segment[3])[2] = {FISH_P1, FISH_P2, FISH_P3};
    const double half_width[3] = {16.0 / 2.0 / SCALE, 16.0 / 2.0 / SCALE, 8.0 / 2.0 / SCALE};
    const double limit[3][2] = {{-0.1 * M_PI, 0.2 * M_PI}, {-0.15 * M_PI, 0.15 * M_PI},
                                {-0.3 * M_PI, 0.3 * M_PI}};
    b2Body *previous = head;
    double hinge_x = init_x - 35.0 / 2.0 / SCALE;
    for (int k = 0; k < 3; k++) {
        const double x = hinge_x - half_width[k];
        polygon_px(&shape, segment[k], 4);
        bd.position.Set((float)x, (float)init_y);
        const int index = (int)agent->parts.size();
        b2Body *part = agent->add_part(world, bd, true, false, c1, c2);
        part->CreateFixture(&fd);
        b2RevoluteJointDef jd =
            motor_joint(previous, part, hinge_x, init_y, torque, limit[k][0], limit[k][1]);
        agent->add_motor(world->CreateJoint(&jd), speed, index, 0.0);
        previous = part;
        hinge_x = x - half_width[k];
    }

    /* The fin, tilted by -0.2 pi about its top end under the head. */
    const double fin_angle = -0.2 * M_PI;
    const double fin_x = init_x, fin_y = init_y - 22.0 / 2.0 / SCALE + 0.2;
    polygon_px(&shape, FISH_FIN, 4);
    bd.position.Set((float)(fin_x + std::sin(fin_angle) * 20.0 / 2.0 / SCALE),
                    (float)(fin_y - std::cos(fin_angle) * 20.0 / 2.0 / SCALE));
    bd.angle = (float)fin_angle;
    const int index = (int)agent->parts.size();
    b2Body *fin = agent->add_part(world, bd, true, false, c1, c2);
    fin->CreateFixture(&fd);
    b2RevoluteJointDef jd = motor_joint(head, fin, fin_x, fin_y, torque, -0.3 * M_PI, 0.2 * M_PI);
    agent->add_motor(world->CreateJoint(&jd), speed, index, 0.0);
}

/* -------------------------------------------------------------- climbers */

/* climbers/ClimbingProfileChimpanzee.py: head and chest, two legs (hip,
 * knee) on one side, two arms (shoulder, elbow, wrist) ending in a grasping
 * sensor welded to the hand.  Head, chest and lower legs must not touch
 * anything but what can be grasped.  Parts collide with category 0x1 only. */
constexpr double CLIMBER_LEG_DOWN = 12.0 / SCALE, CLIMBER_ARM_UP = 22.0 / SCALE;
constexpr double LIMB_W = 8.0 / SCALE, LIMB_H = 28.0 / SCALE;
constexpr double HAND_W = 4.0 / SCALE, HAND_H = 8.0 / SCALE;
constexpr double CHEST_HEIGHT = 45.0, HEAD_HEIGHT = 20.0; /* px */
constexpr double SPEED_HAND = 8.0;
constexpr double CLIMBER_HEAD[4][2] = {{-5, 10}, {5, 10}, {5, -10}, {-5, -10}};
constexpr double CLIMBER_CHEST[4][2] = {{-12, 25}, {12, 25}, {8, -20}, {-8, -20}};

void build_climbing_chimpanzee(Agent *agent, b2World *world, double init_x, double init_y,
                               double force)
{
    const double torque = agent->spec->motors_torque;
    uint8_t c1[3], c2[3];
    rgb(c1, 0.5, 0.4, 0.9);
    rgb(c2, 0.3, 0.3, 0.5);
    b2PolygonShape shape;
    b2FixtureDef fd;
    fd.shape = &shape;
    fd.density = 5.0f;
    fd.friction = 0.1f;
    fd.filter.categoryBits = AGENT_CATEGORY;
    fd.filter.maskBits = 0x1;

    b2BodyDef bd;
    bd.position.Set((float)init_x,
                    (float)(init_y + CHEST_HEIGHT / SCALE / 2.0 + HEAD_HEIGHT / SCALE / 2.0 + 0.2));
    polygon_px(&shape, CLIMBER_HEAD, 4);
    b2Body *head = agent->add_part(world, bd, true, true, c1, c2);
    head->CreateFixture(&fd);
    head->ApplyForceToCenter(b2Vec2((float)force, 0.0f), true);
    agent->head = 0;

    bd.position.Set((float)init_x, (float)init_y);
    polygon_px(&shape, CLIMBER_CHEST, 4);
    b2Body *chest = agent->add_part(world, bd, true, true, c1, c2);
    chest->CreateFixture(&fd);
    b2RevoluteJointDef neck;
    anchor_at(&neck, head, chest,
              b2Vec2((float)init_x, (float)(init_y + CHEST_HEIGHT / SCALE / 2.0)));
    neck.enableLimit = true;
    neck.lowerAngle = (float)(-0.1 * M_PI);
    neck.upperAngle = (float)(0.1 * M_PI);
    world->CreateJoint(&neck);

    b2PolygonShape upper_shape, lower_shape, hand_shape;
    upper_shape.SetAsBox((float)(LIMB_W / 2.0), (float)(LIMB_H / 2.0));
    lower_shape.SetAsBox((float)(0.8 * LIMB_W / 2.0), (float)(LIMB_H / 2.0));
    hand_shape.SetAsBox((float)(HAND_W / 2.0), (float)(HAND_H / 2.0));
    b2FixtureDef limb_fd; /* friction: Box2D's default */
    limb_fd.density = 1.0f;
    limb_fd.restitution = 0.0f;
    limb_fd.filter.categoryBits = AGENT_CATEGORY;
    limb_fd.filter.maskBits = 0x1;

    /* Legs: both on side +1, as the original's loop over [+1, +1]. */
    rgb(c1, 0.5, 0.2, 0.4);
    rgb(c2, 0.3, 0.1, 0.2);
    for (int leg = 0; leg < 2; leg++) {
        bd.position.Set((float)init_x, (float)(init_y - LIMB_H / 2.0 - CLIMBER_LEG_DOWN));
        b2Body *upper = agent->add_part(world, bd, false, false, c1, c2);
        limb_fd.shape = &upper_shape;
        upper->CreateFixture(&limb_fd);
        b2RevoluteJointDef hip = motor_joint(chest, upper, init_x, init_y - CLIMBER_LEG_DOWN,
                                             torque, -0.3 * M_PI, 0.6 * M_PI);
        agent->add_motor(world->CreateJoint(&hip), SPEED_HIP, -1, 0.0);

        bd.position.Set((float)init_x, (float)(init_y - LIMB_H * 3.0 / 2.0 - CLIMBER_LEG_DOWN));
        const int index = (int)agent->parts.size();
        b2Body *lower = agent->add_part(world, bd, true, true, c1, c2);
        limb_fd.shape = &lower_shape;
        lower->CreateFixture(&limb_fd);
        b2RevoluteJointDef knee = motor_joint(upper, lower, init_x,
                                              init_y - LIMB_H - CLIMBER_LEG_DOWN, torque,
                                              -0.75 * M_PI, -0.1);
        agent->add_motor(world->CreateJoint(&knee), SPEED_KNEE, index, 1.0);
    }

    /* Arms: both on side -1. */
    rgb(c1, 0.7, 0.4, 0.6);
    rgb(c2, 0.5, 0.3, 0.4);
    for (int arm = 0; arm < 2; arm++) {
        bd.position.Set((float)init_x, (float)(init_y + LIMB_H / 2.0 + CLIMBER_ARM_UP));
        b2Body *upper = agent->add_part(world, bd, false, false, c1, c2);
        limb_fd.shape = &upper_shape;
        upper->CreateFixture(&limb_fd);
        b2RevoluteJointDef shoulder = motor_joint(chest, upper, init_x, init_y + CLIMBER_ARM_UP,
                                                  torque, -0.75 * 2.0 * M_PI, 0.0);
        agent->add_motor(world->CreateJoint(&shoulder), SPEED_HIP, -1, 0.0);

        bd.position.Set((float)init_x, (float)(init_y + LIMB_H * 3.0 / 2.0 + CLIMBER_ARM_UP));
        b2Body *lower = agent->add_part(world, bd, false, false, c1, c2);
        limb_fd.shape = &lower_shape;
        lower->CreateFixture(&limb_fd);
        b2RevoluteJointDef elbow = motor_joint(upper, lower, init_x,
                                               init_y + LIMB_H + CLIMBER_ARM_UP, torque, 0.0,
                                               0.75 * M_PI);
        agent->add_motor(world->CreateJoint(&elbow), SPEED_HIP, -1, 0.0);

        const double hand_y = init_y + LIMB_H * 2.0 + CLIMBER_ARM_UP;
        bd.position.Set((float)init_x, (float)(hand_y + HAND_H / 2.0));
        const int index = (int)agent->parts.size();
        b2Body *hand = agent->add_part(world, bd, true, false, c1, c2);
        limb_fd.shape = &hand_shape;
        hand->CreateFixture(&limb_fd);
        b2RevoluteJointDef wrist =
            motor_joint(lower, hand, init_x, hand_y, torque, -0.5 * M_PI, 0.5 * M_PI);
        agent->add_motor(world->CreateJoint(&wrist), SPEED_HAND, index, 0.0);

        const b2Vec2 tip((float)init_x, (float)(hand_y + HAND_H));
        b2Body *sensor = agent->add_sensor(world, tip);
        b2WeldJointDef weld;
        anchor_at(&weld, hand, sensor, tip);
        world->CreateJoint(&weld);
    }
}

/* Observation sizes (motor values + sensor values):
 *   bipeds: hips (angle, speed), knees (angle + 1, speed, lower-leg
 *     contact): 2 x (2 + 3) = 10;
 *   fish: 4 motors with their part's contact: 4 x 3 = 12;
 *   climbing chimpanzee: legs 2 x (2 + 3), arms 2 x (2 + 2 + 3) with the
 *     hand's contact, sensors 2 x (contact, grasping): 10 + 14 + 4 = 28. */
constexpr int BIPED_STATE = 10, FISH_STATE = 12, CLIMBER_STATE = 28;

/* AGENT_CENTER_HEIGHT: old biped 2 LEG_H + LEG_DOWN + 0.5 (LEG_DOWN = -8
 * px), new bipeds 2 LEG_H + LEG_DOWN (LEG_DOWN = +3 px), fish 9 px, climber
 * 2 LIMB_H + LEG_DOWN.  AGENT_WIDTH = hull bottom width. */
const BodySpec BODIES[] = {
    {"old_classic_bipedal", BodyType::Walker, 80.0, 0.00035, 64.0 / SCALE,
     2.0 * 34.0 / SCALE - 8.0 / SCALE + 0.5, 600, -1, 4, 0, BIPED_STATE, true, build_old_classic},
    {"classic_bipedal", BodyType::Walker, 80.0, 0.00035, 64.0 / SCALE,
     2.0 * 34.0 / SCALE + 3.0 / SCALE, 600, -1, 4, 0, BIPED_STATE, true, build_classic},
    {"small_bipedal", BodyType::Walker, 80.0, 0.00035, 20.0 / SCALE,
     2.0 * 17.0 / SCALE + 3.0 / SCALE, 600, -1, 4, 0, BIPED_STATE, true, build_small},
    {"fish", BodyType::Swimmer, 80.0, 0.00035, 35.0 / SCALE, 9.0 / SCALE, -1, 600, 4, 0,
     FISH_STATE, false, build_fish},
    {"climbing_profile_chimpanzee", BodyType::Climber, 100.0, 0.00035 / 5.0, 24.0 / SCALE,
     LIMB_H * 2.0 + CLIMBER_LEG_DOWN, 600, -1, 10, 2, CLIMBER_STATE, false,
     build_climbing_chimpanzee},
};

} /* namespace */

const char *const BODY_NAMES[] = {"old_classic_bipedal", "classic_bipedal", "small_bipedal",
                                  "fish", "climbing_profile_chimpanzee", nullptr};

const BodySpec *find_body(const char *name)
{
    for (const BodySpec &b : BODIES)
        if (std::strcmp(b.name, name) == 0)
            return &b;
    return nullptr;
}

} /* namespace pk */
