/*
 * The Parkour's swimmer (flowersteam/TeachMyAgent environments/envs/bodies/
 * swimmers/FishBody.py).
 */
#include "pk_body_parts.hpp"

namespace pk {

namespace {

/* swimmers/FishBody.py: a head, three body segments down to the tail and
 * one fin under the head, all of density water - 0.01 so that the fish
 * slowly rises when idle.  Every motor reports its part's contact. */
constexpr double FISH_HEAD[6][2] = {{-20, 12}, {6, 12}, {15, 4}, {15, -4}, {6, -12}, {-20, -12}};
constexpr double FISH_P1[4][2] = {{-8, 9}, {8, 12}, {8, -12}, {-8, -9}};
constexpr double FISH_P2[4][2] = {{-8, 4}, {8, 9}, {8, -9}, {-8, -4}};
constexpr double FISH_P3[4][2] = {{-4, 2}, {4, 4}, {4, -4}, {-4, -2}};
constexpr double FISH_FIN[4][2] = {{-1, -10}, {-1, 10}, {1, 10}, {1, -10}};
constexpr double FISH_DENSITY = WATER_DENSITY - 0.01;

} /* namespace */

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

} /* namespace pk */
