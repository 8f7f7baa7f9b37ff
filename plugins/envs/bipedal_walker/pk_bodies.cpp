/*
 * The Parkour's embodiments (flowersteam/TeachMyAgent
 * environments/envs/bodies/BodiesEnum.py): the table of bodies and the
 * Agent's part, motor and sensor helpers.  The builders are in
 * pk_body_walkers.cpp, pk_body_fish.cpp and pk_body_chimpanzees.cpp.
 */
#include <cstring>

#include "pk_body_parts.hpp"

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

/* Observation sizes (motor values + sensor values), from each body's
 * motors (angle, speed, and the contact flag where the original's
 * CustomMotorUserData has check_contact) and ClimberAbstractBody's 2
 * values per sensor:
 *   bipeds, amphibious biped: hips 2 + knees 3, two legs: 10;
 *   quadrupeds: four legs: 20;   wheel: four two-part spokes: 20;
 *   spider (2 pairs): 4 legs x (2 + 2 + 3): 28;
 *   millipede (4 bodies): 8 legs x (2 + 3): 40;
 *   fish: 4 motors x 3: 12;
 *   profile chimpanzee: legs 2 x (2 + 3), arms 2 x (2 + 2 + 3 x 3): 36;
 *   climbing chimpanzee: legs 10, arms 2 x (2 + 2 + 3), sensors 4: 28;
 *   climbing chest chimpanzee: arms 14, sensors 4: 18. */
constexpr double LIMB_H = 28.0 / SCALE, CHIMP_LEG_DOWN = 12.0 / SCALE;

/* name, type, torque, TORQUE_PENALTY, AGENT_WIDTH, AGENT_CENTER_HEIGHT,
 * steps under / outside water, motors, sensors, state size, head-angle
 * shaping, LEG_H of the old morphologies, builder. */
const BodySpec BODIES[] = {
    {"old_classic_bipedal", BodyType::Walker, 80.0, 0.00035, 64.0 / SCALE,
     2.0 * 34.0 / SCALE - 8.0 / SCALE + 0.5, 600, -1, 4, 0, 10, true, 34.0 / SCALE,
     build_old_classic_bipedal},
    {"classic_bipedal", BodyType::Walker, 80.0, 0.00035, 64.0 / SCALE,
     2.0 * 34.0 / SCALE + 3.0 / SCALE, 600, -1, 4, 0, 10, true, 0.0, build_classic_bipedal},
    {"small_bipedal", BodyType::Walker, 80.0, 0.00035, 20.0 / SCALE,
     2.0 * 17.0 / SCALE + 3.0 / SCALE, 600, -1, 4, 0, 10, true, 0.0, build_small_bipedal},
    {"fish", BodyType::Swimmer, 80.0, 0.00035, 35.0 / SCALE, 9.0 / SCALE, -1, 600, 4, 0, 12,
     false, 0.0, build_fish},
    {"climbing_profile_chimpanzee", BodyType::Climber, 100.0, 0.00035 / 5.0, 24.0 / SCALE,
     LIMB_H * 2.0 + CHIMP_LEG_DOWN, 600, -1, 10, 2, 28, false,
     0.0, build_climbing_profile_chimpanzee},
    {"big_quadru", BodyType::Walker, 300.0, 0.00035 / 2.0, 96.0 / SCALE,
     51.0 / SCALE * 2.0 + 3.0 / SCALE, 600, -1, 8, 0, 20, true, 0.0, build_big_quadru},
    {"spider", BodyType::Walker, 100.0, 0.00035 / 2.0, 20.0 / SCALE + 20.0 / SCALE * 4.0,
     20.0 / SCALE + 4.0 / SCALE, 600, -1, 12, 0, 28, true, 0.0, build_spider},
    {"millipede", BodyType::Walker, 200.0, 0.00035 / 4.0, 20.0 / SCALE * 4.0,
     10.0 / SCALE * 2.0 + 3.0 / SCALE, 600, -1, 16, 0, 40, true, 0.0, build_millipede},
    {"wheel", BodyType::Walker, 500.0, 0.00035 / 2.0, 20.0 * 1.0 / SCALE,
     20.0 * 1.0 / SCALE / 2.0 + 10.0 / SCALE * 2.0, 600, -1, 8, 0, 20, false, 0.0, build_wheel},
    {"profile_chimpanzee", BodyType::Walker, 100.0, 0.00035 / 5.0, 24.0 / SCALE,
     LIMB_H * 2.0 + CHIMP_LEG_DOWN, 600, -1, 14, 0, 36, false, 0.0, build_profile_chimpanzee},
    {"old_big_quadru", BodyType::Walker, 300.0, 0.00035 / 2.0, 96.0 / SCALE,
     51.0 / SCALE * 2.0 - 8.0 / SCALE, 600, -1, 8, 0, 20, true, 51.0 / SCALE, build_old_big_quadru},
    {"climbing_chest_profile_chimpanzee", BodyType::Climber, 100.0, 0.00035 / 5.0, 24.0 / SCALE,
     LIMB_H * 2.0 + CHIMP_LEG_DOWN, 600, -1, 6, 2, 18, false,
     0.0, build_climbing_chest_profile_chimpanzee},
    {"amphibious_bipedal", BodyType::Amphibian, 80.0, 0.00035, 64.0 / SCALE,
     2.0 * 34.0 / SCALE + 3.0 / SCALE, -1, -1, 4, 0, 10, true, 0.0, build_amphibious_bipedal},
};

} /* namespace */

/* BodiesEnum's order. */
const char *const BODY_NAMES[] = {"small_bipedal", "classic_bipedal", "big_quadru", "spider",
                                  "millipede", "wheel", "old_classic_bipedal",
                                  "profile_chimpanzee", "old_big_quadru", "fish",
                                  "climbing_profile_chimpanzee",
                                  "climbing_chest_profile_chimpanzee", "amphibious_bipedal",
                                  nullptr};

const BodySpec *find_body(const char *name)
{
    for (const BodySpec &b : BODIES)
        if (std::strcmp(b.name, name) == 0)
            return &b;
    return nullptr;
}

} /* namespace pk */
