/*
 * The Parkour's chimpanzees (flowersteam/TeachMyAgent environments/envs/
 * bodies/walkers/ProfileChimpanzee.py, climbers/ClimbingProfileChimpanzee.py,
 * climbers/ClimbingChestProfileChimpanzee.py): a head on a chest, legs and
 * arms drawn in profile (both legs on one side, both arms on the other).
 * The walking one has arms hanging down ending in three-part hands; the
 * climbing ones raise their arms, each ending in one hand part and a
 * grasping sensor.  Head and chest must touch nothing (the climbers: nothing
 * but what they can grasp); their parts collide with category 0x1 only.
 */
#include "pk_body_parts.hpp"

namespace pk {

namespace {

constexpr double LEG_DOWN = 12.0 / SCALE, ARM_UP = 22.0 / SCALE;
constexpr double LIMB_W = 8.0 / SCALE, LIMB_H = 28.0 / SCALE;
constexpr double HAND_W = 4.0 / SCALE, HAND_H = 8.0 / SCALE;
constexpr double CHEST_HEIGHT = 45.0, HEAD_HEIGHT = 20.0; /* px */
constexpr double HEAD[4][2] = {{-5, 10}, {5, 10}, {5, -10}, {-5, -10}};
constexpr double CHEST[4][2] = {{-12, 25}, {12, 25}, {8, -20}, {-8, -20}};

struct Limbs {
    b2PolygonShape upper, lower, hand;
    b2FixtureDef upper_fd, lower_fd, hand_fd;
    Limbs()
    {
        upper.SetAsBox((float)(LIMB_W / 2.0), (float)(LIMB_H / 2.0));
        lower.SetAsBox((float)(0.8 * LIMB_W / 2.0), (float)(LIMB_H / 2.0));
        hand.SetAsBox((float)(HAND_W / 2.0), (float)(HAND_H / 2.0));
        upper_fd = part_fixture(&upper, 1.0, CHIMP_MASK);
        lower_fd = part_fixture(&lower, 1.0, CHIMP_MASK);
        hand_fd = part_fixture(&hand, 1.0, CHIMP_MASK);
    }
};

/* Head (pushed at spawn) and chest on a passive neck; returns the chest. */
b2Body *head_and_chest(Agent *agent, b2World *world, double init_x, double init_y, double force)
{
    uint8_t c1[3], c2[3];
    rgb(c1, 0.5, 0.4, 0.9);
    rgb(c2, 0.3, 0.3, 0.5);
    b2PolygonShape shape;
    b2FixtureDef fd = part_fixture(&shape, 5.0, CHIMP_MASK);
    fd.friction = 0.1f;
    b2BodyDef bd;
    bd.position.Set((float)init_x,
                    (float)(init_y + CHEST_HEIGHT / SCALE / 2.0 + HEAD_HEIGHT / SCALE / 2.0 + 0.2));
    polygon_px(&shape, HEAD, 4);
    b2Body *head = agent->add_part(world, bd, true, true, c1, c2);
    head->CreateFixture(&fd);
    head->ApplyForceToCenter(b2Vec2((float)force, 0.0f), true);
    agent->head = 0;

    bd.position.Set((float)init_x, (float)init_y);
    polygon_px(&shape, CHEST, 4);
    b2Body *chest = agent->add_part(world, bd, true, true, c1, c2);
    chest->CreateFixture(&fd);
    b2RevoluteJointDef neck;
    anchor_at(&neck, head, chest,
              b2Vec2((float)init_x, (float)(init_y + CHEST_HEIGHT / SCALE / 2.0)));
    neck.enableLimit = true;
    neck.lowerAngle = (float)(-0.1 * M_PI);
    neck.upperAngle = (float)(0.1 * M_PI);
    world->CreateJoint(&neck);
    return chest;
}

/* Two legs on side +1: hip and knee; the lower leg reports contact and is
 * critical for the climbers only. */
void legs(Agent *agent, b2World *world, b2Body *chest, const Limbs &l, double init_x,
          double init_y, bool critical_feet)
{
    const double torque = agent->spec->motors_torque;
    uint8_t c1[3], c2[3];
    rgb(c1, 0.6 - 0.1, 0.3 - 0.1, 0.5 - 0.1);
    rgb(c2, 0.4 - 0.1, 0.2 - 0.1, 0.3 - 0.1);
    b2BodyDef bd;
    for (int leg = 0; leg < 2; leg++) {
        bd.position.Set((float)init_x, (float)(init_y - LIMB_H / 2.0 - LEG_DOWN));
        b2Body *upper = agent->add_part(world, bd, false, false, c1, c2);
        upper->CreateFixture(&l.upper_fd);
        b2RevoluteJointDef hip = motor_joint(chest, upper, init_x, init_y - LEG_DOWN, torque,
                                             -0.3 * M_PI, 0.6 * M_PI);
        agent->add_motor(world->CreateJoint(&hip), SPEED_HIP, -1, 0.0);

        bd.position.Set((float)init_x, (float)(init_y - LIMB_H * 3.0 / 2.0 - LEG_DOWN));
        const int index = (int)agent->parts.size();
        b2Body *lower = agent->add_part(world, bd, true, critical_feet, c1, c2);
        lower->CreateFixture(&l.lower_fd);
        b2RevoluteJointDef knee = motor_joint(upper, lower, init_x, init_y - LIMB_H - LEG_DOWN,
                                              torque, -0.75 * M_PI, -0.1);
        agent->add_motor(world->CreateJoint(&knee), SPEED_KNEE, index, 1.0);
    }
}

/* Two raised arms on side -1: shoulder, elbow, one hand part and the
 * grasping sensor welded at its tip. */
void climbing_arms(Agent *agent, b2World *world, b2Body *chest, const Limbs &l, double init_x,
                   double init_y)
{
    const double torque = agent->spec->motors_torque;
    uint8_t c1[3], c2[3];
    rgb(c1, 0.6 + 0.1, 0.3 + 0.1, 0.5 + 0.1);
    rgb(c2, 0.4 + 0.1, 0.2 + 0.1, 0.3 + 0.1);
    b2BodyDef bd;
    for (int arm = 0; arm < 2; arm++) {
        bd.position.Set((float)init_x, (float)(init_y + LIMB_H / 2.0 + ARM_UP));
        b2Body *upper = agent->add_part(world, bd, false, false, c1, c2);
        upper->CreateFixture(&l.upper_fd);
        b2RevoluteJointDef shoulder = motor_joint(chest, upper, init_x, init_y + ARM_UP, torque,
                                                  -0.75 * 2.0 * M_PI, 0.0);
        agent->add_motor(world->CreateJoint(&shoulder), SPEED_HIP, -1, 0.0);

        bd.position.Set((float)init_x, (float)(init_y + LIMB_H * 3.0 / 2.0 + ARM_UP));
        b2Body *lower = agent->add_part(world, bd, false, false, c1, c2);
        lower->CreateFixture(&l.lower_fd);
        b2RevoluteJointDef elbow = motor_joint(upper, lower, init_x, init_y + LIMB_H + ARM_UP,
                                               torque, 0.0, 0.75 * M_PI);
        agent->add_motor(world->CreateJoint(&elbow), SPEED_HIP, -1, 0.0);

        const double hand_y = init_y + LIMB_H * 2.0 + ARM_UP;
        bd.position.Set((float)init_x, (float)(hand_y + HAND_H / 2.0));
        const int index = (int)agent->parts.size();
        b2Body *hand = agent->add_part(world, bd, true, false, c1, c2);
        hand->CreateFixture(&l.hand_fd);
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

/* Two hanging arms on side -1: shoulder, elbow and three hand parts, each
 * reporting contact. */
void walking_arms(Agent *agent, b2World *world, b2Body *chest, const Limbs &l, double init_x,
                  double init_y)
{
    static const double HAND_LIMITS[3][2] = {{-0.4, 0.35}, {-0.5, 0.0}, {-0.8, 0.0}};
    const double torque = agent->spec->motors_torque;
    uint8_t c1[3], c2[3];
    rgb(c1, 0.6 + 0.1, 0.3 + 0.1, 0.5 + 0.1);
    rgb(c2, 0.4 + 0.1, 0.2 + 0.1, 0.3 + 0.1);
    b2BodyDef bd;
    for (int arm = 0; arm < 2; arm++) {
        bd.position.Set((float)init_x, (float)(init_y - LIMB_H / 2.0 + ARM_UP));
        b2Body *upper = agent->add_part(world, bd, false, false, c1, c2);
        upper->CreateFixture(&l.upper_fd);
        b2RevoluteJointDef shoulder = motor_joint(chest, upper, init_x, init_y + ARM_UP, torque,
                                                  -0.5 * M_PI, 0.8 * M_PI);
        agent->add_motor(world->CreateJoint(&shoulder), SPEED_HIP, -1, 0.0);

        bd.position.Set((float)init_x, (float)(init_y - LIMB_H * 3.0 / 2.0 + ARM_UP));
        b2Body *lower = agent->add_part(world, bd, false, false, c1, c2);
        lower->CreateFixture(&l.lower_fd);
        b2RevoluteJointDef elbow = motor_joint(upper, lower, init_x, init_y - LIMB_H + ARM_UP,
                                               torque, 0.0, 0.75 * M_PI);
        agent->add_motor(world->CreateJoint(&elbow), SPEED_HIP, -1, 0.0);

        b2Body *previous = lower;
        const double hand_y = init_y - LIMB_H * 2.0 + ARM_UP;
        for (int u = 0; u < 3; u++) {
            bd.position.Set((float)init_x, (float)(hand_y - HAND_H / 2.0 - HAND_H * u));
            const int index = (int)agent->parts.size();
            b2Body *hand = agent->add_part(world, bd, true, false, c1, c2);
            hand->CreateFixture(&l.hand_fd);
            b2RevoluteJointDef jd =
                motor_joint(previous, hand, init_x, hand_y - HAND_H * u, torque,
                            HAND_LIMITS[u][0] * M_PI, HAND_LIMITS[u][1] * M_PI);
            agent->add_motor(world->CreateJoint(&jd), SPEED_HAND, index, 0.0);
            previous = hand;
        }
    }
}

} /* namespace */

void build_profile_chimpanzee(Agent *agent, b2World *world, double x, double y, double force)
{
    const Limbs l;
    b2Body *chest = head_and_chest(agent, world, x, y, force);
    legs(agent, world, chest, l, x, y, false);
    walking_arms(agent, world, chest, l, x, y);
}

void build_climbing_profile_chimpanzee(Agent *agent, b2World *world, double x, double y,
                                       double force)
{
    const Limbs l;
    b2Body *chest = head_and_chest(agent, world, x, y, force);
    legs(agent, world, chest, l, x, y, true);
    climbing_arms(agent, world, chest, l, x, y);
}

void build_climbing_chest_profile_chimpanzee(Agent *agent, b2World *world, double x, double y,
                                             double force)
{
    const Limbs l;
    b2Body *chest = head_and_chest(agent, world, x, y, force);
    climbing_arms(agent, world, chest, l, x, y);
}

} /* namespace pk */
