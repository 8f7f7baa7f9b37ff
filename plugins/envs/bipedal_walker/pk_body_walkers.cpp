/*
 * The Parkour's walkers (flowersteam/TeachMyAgent environments/envs/bodies/
 * walkers/ and amphibians/): bipeds and quadrupeds on one layout, the
 * amphibious biped, the spider, the millipede and the wheel.  Numbers from
 * the files named at each builder.
 */
#include "pk_body_parts.hpp"

namespace pk {

namespace {

/* The fixtures of every body here: a body polygon (`n` vertices in px,
 * friction 0.1) and two-part legs leg_w x leg_h, the lower part 0.8 as
 * wide.  The definitions point at the shapes: built in place, never
 * copied. */
struct BodyAndLegs {
    b2PolygonShape body_shape, upper_shape, lower_shape;
    b2FixtureDef body_fd, upper_fd, lower_fd;
    BodyAndLegs(const double (*body)[2], int n, double body_density, double leg_density,
                double leg_w, double leg_h)
    {
        polygon_px(&body_shape, body, n);
        upper_shape.SetAsBox((float)(leg_w / 2.0), (float)(leg_h / 2.0));
        lower_shape.SetAsBox((float)(0.8 * leg_w / 2.0), (float)(leg_h / 2.0));
        body_fd = part_fixture(&body_shape, body_density, AGENT_MASK);
        body_fd.friction = 0.1f;
        upper_fd = part_fixture(&upper_shape, leg_density, AGENT_MASK);
        lower_fd = part_fixture(&lower_shape, leg_density, AGENT_MASK);
    }
    BodyAndLegs(const BodyAndLegs &) = delete;
    BodyAndLegs &operator=(const BodyAndLegs &) = delete;
};

/* ------------------------------------------------ bipeds and quadrupeds */

/* OldClassicBipedalBody, ClassicBipedalBody, SmallBipedalBody,
 * BigQuadruBody, OldBigQuadruBody, AmphibiousBipedalBody: a hull and pairs
 * of two-part legs.  The old bodies tilt the legs by +-0.05 rad and anchor
 * the joints by local points -- the hip at the raw x_anchor in metres -- so
 * the solver pulls the parts together at the first step; the new ones are
 * straight and anchored at world points. */
struct LeggedShape {
    const double (*hull)[2]; /* 5 vertices, px */
    double hull_bottom_width; /* px: places the legs along the hull */
    double leg_down, leg_w, leg_h; /* m */
    bool old_layout;
    int pairs;
    double x_anchor[2]; /* per pair, in [-1, 1] of the hull width */
    double hull_density, leg_density;
    bool amphibian_colours;
};

constexpr double BIPED_HULL[5][2] = {{-30, 9}, {6, 9}, {34, 1}, {34, -8}, {-30, -8}};
constexpr double QUADRU_HULL[5][2] = {{-46, 13}, {6, 13}, {50, 5}, {50, -12}, {-46, -12}};

void build_legged(Agent *agent, b2World *world, double init_x, double init_y, double force,
                  const LeggedShape &sh)
{
    const double torque = agent->spec->motors_torque;
    const BodyAndLegs fixtures(sh.hull, 5, sh.hull_density, sh.leg_density, sh.leg_w, sh.leg_h);

    uint8_t c1[3], c2[3];
    if (sh.amphibian_colours)
        rgb(c1, 0.44, 0.81, 0.14), rgb(c2, 0.36, 0.66, 0.11);
    else
        rgb(c1, 0.5, 0.4, 0.9), rgb(c2, 0.3, 0.3, 0.5);
    b2BodyDef bd;
    bd.position.Set((float)init_x, (float)init_y);
    /* Only on Stump Tracks does a hull contact end the episode (the
     * Parkour passes reset_on_hull_critical_contact=False); the amphibian's
     * never does. */
    b2Body *hull = agent->add_part(world, bd, true, agent->hull_critical && !sh.amphibian_colours,
                                   c1, c2);
    hull->CreateFixture(&fixtures.body_fd);
    hull->ApplyForceToCenter(b2Vec2((float)force, 0.0f), true);
    agent->head = 0;

    const double half_width = sh.hull_bottom_width / 2.0 / SCALE;
    for (int pair = 0; pair < sh.pairs; pair++) {
        const double x_anchor = sh.x_anchor[pair];
        const double x = sh.pairs == 1 ? init_x : init_x + interp_half(x_anchor, half_width);
        for (int i = -1; i <= 1; i += 2) {
            if (!sh.amphibian_colours) {
                rgb(c1, 0.6 - i / 10.0, 0.3 - i / 10.0, 0.5 - i / 10.0);
                rgb(c2, 0.4 - i / 10.0, 0.2 - i / 10.0, 0.3 - i / 10.0);
            }
            bd.position.Set((float)x, (float)(init_y - sh.leg_h / 2.0 - sh.leg_down));
            bd.angle = sh.old_layout ? (float)(i * 0.05) : 0.0f;
            b2Body *upper = agent->add_part(world, bd, false, false, c1, c2);
            upper->CreateFixture(&fixtures.upper_fd);
            b2RevoluteJointDef hip =
                motor_joint(hull, upper, x, init_y - sh.leg_down, torque, -0.8, 1.1, i);
            if (sh.old_layout) {
                hip.localAnchorA.Set((float)(sh.pairs == 1 ? 0.0 : x_anchor), (float)sh.leg_down);
                hip.localAnchorB.Set(0.0f, (float)(sh.leg_h / 2.0));
            }
            agent->add_motor(world->CreateJoint(&hip), SPEED_HIP, -1, 0.0);

            if (sh.amphibian_colours)
                rgb(c1, 1.0, 0.25, 0.04), rgb(c2, 0.86, 0.29, 0.12);
            bd.position.Set((float)x, (float)(init_y - sh.leg_h * 3.0 / 2.0 - sh.leg_down));
            const int lower_index = (int)agent->parts.size();
            b2Body *lower = agent->add_part(world, bd, true, false, c1, c2);
            lower->CreateFixture(&fixtures.lower_fd);
            b2RevoluteJointDef knee = motor_joint(upper, lower, x, init_y - sh.leg_down - sh.leg_h,
                                                  torque, -1.6, -0.1);
            if (sh.old_layout) {
                knee.localAnchorA.Set(0.0f, (float)(-sh.leg_h / 2.0));
                knee.localAnchorB.Set(0.0f, (float)(sh.leg_h / 2.0));
            }
            agent->add_motor(world->CreateJoint(&knee), SPEED_KNEE, lower_index, 1.0);
            if (sh.amphibian_colours)
                rgb(c1, 0.44, 0.81, 0.14), rgb(c2, 0.36, 0.66, 0.11);
        }
    }
}

constexpr double SPIDER_BODY[4][2] = {{-10, 10}, {10, 10}, {10, -10}, {-10, -10}};

} /* namespace */

void build_old_classic_bipedal(Agent *a, b2World *w, double x, double y, double f)
{
    build_legged(a, w, x, y, f,
                 {BIPED_HULL, 64, -8.0 / SCALE, 8.0 / SCALE, 34.0 / SCALE, true, 1, {0, 0}, 5.0,
                  1.0, false});
}

void build_classic_bipedal(Agent *a, b2World *w, double x, double y, double f)
{
    build_legged(a, w, x, y, f,
                 {BIPED_HULL, 64, 3.0 / SCALE, 8.0 / SCALE, 34.0 / SCALE, false, 1, {0, 0}, 5.0,
                  1.0, false});
}

void build_small_bipedal(Agent *a, b2World *w, double x, double y, double f)
{
    build_legged(a, w, x, y, f,
                 {BIPED_HULL, 20, 3.0 / SCALE, 8.0 / SCALE, 17.0 / SCALE, false, 1, {0, 0}, 5.0,
                  1.0, false});
}

void build_big_quadru(Agent *a, b2World *w, double x, double y, double f)
{
    build_legged(a, w, x, y, f,
                 {QUADRU_HULL, 96, 3.0 / SCALE, 10.0 / SCALE, 51.0 / SCALE, false, 2, {-0.7, 0.5},
                  5.0, 1.0, false});
}

void build_old_big_quadru(Agent *a, b2World *w, double x, double y, double f)
{
    build_legged(a, w, x, y, f,
                 {QUADRU_HULL, 96, -8.0 / SCALE, 10.0 / SCALE, 51.0 / SCALE, true, 2, {-1.2, 0.85},
                  5.0, 1.0, false});
}

/* Densities relative to the water's: hull 1.25, legs 0.25. */
void build_amphibious_bipedal(Agent *a, b2World *w, double x, double y, double f)
{
    build_legged(a, w, x, y, f,
                 {BIPED_HULL, 64, 3.0 / SCALE, 8.0 / SCALE, 34.0 / SCALE, false, 1, {0, 0},
                  WATER_DENSITY * 1.25, WATER_DENSITY * 0.25, true});
}

/* ---------------------------------------------------------------- spider */

/* walkers/SpiderBody.py, 2 pairs of legs (the default): a square body and
 * legs of three parts fanned at 0.25, 0.7 and 0.9 pi, alternately to the
 * right (+1) and left (-1).  Only the last part reports contact. */
void build_spider(Agent *agent, b2World *world, double init_x, double init_y, double force)
{
    const double torque = agent->spec->motors_torque;
    const double leg_down = 4.0 / SCALE, leg_w = 6.0 / SCALE, leg_h = 20.0 / SCALE;
    const double body_width = 20.0; /* px */
    const BodyAndLegs fixtures(SPIDER_BODY, 4, 5.0, 1.0, leg_w, leg_h);

    uint8_t c1[3], c2[3], l1[3], l2[3];
    rgb(c1, 0.6 - 0.1, 0.3 - 0.1, 0.5 - 0.1);
    rgb(c2, 0.4 - 0.1, 0.2 - 0.1, 0.3 - 0.1);
    rgb(l1, 0.6 + 0.1, 0.3 + 0.1, 0.5 + 0.1);
    rgb(l2, 0.4 + 0.1, 0.2 + 0.1, 0.3 + 0.1);
    b2BodyDef bd;
    bd.position.Set((float)init_x, (float)init_y);
    b2Body *main_body = agent->add_part(world, bd, true, agent->hull_critical, c1, c2);
    main_body->CreateFixture(&fixtures.body_fd);
    main_body->ApplyForceToCenter(b2Vec2((float)force, 0.0f), true);
    agent->head = 0;

    const int pairs = 2;
    for (int leg = 0; leg < 2 * pairs; leg++) {
        const int i = leg % 2 == 0 ? 1 : -1;
        const double a1 = 0.25 * M_PI * i;
        const double dx1 = std::sin(a1) * leg_h / 2.0, dy1 = std::cos(a1) * leg_h / 2.0;
        const double x1 = init_x - i * body_width / SCALE / 2.0 - dx1;
        const double y1 = init_y + dy1 - leg_down;
        bd.position.Set((float)x1, (float)y1);
        bd.angle = (float)a1;
        b2Body *upper = agent->add_part(world, bd, false, false, l1, l2);
        upper->CreateFixture(&fixtures.upper_fd);
        const double hip_x = init_x - i * body_width / SCALE / 2.0;
        b2RevoluteJointDef hip = motor_joint(main_body, upper, hip_x, init_y - leg_down, torque,
                                             -0.1 * M_PI, 0.1 * M_PI);
        agent->add_motor(world->CreateJoint(&hip), SPEED_HIP, -1, 0.0);

        const double a2 = 0.7 * M_PI * i;
        const double dx2 = std::sin(a2) * leg_h / 2.0, dy2 = -std::cos(a2) * leg_h / 2.0;
        const double x2 = x1 - dx1 - dx2, y2 = y1 + dy1 - dy2;
        bd.position.Set((float)x2, (float)y2);
        bd.angle = (float)a2;
        b2Body *middle = agent->add_part(world, bd, false, false, l1, l2);
        middle->CreateFixture(&fixtures.upper_fd);
        b2RevoluteJointDef knee = motor_joint(upper, middle, x1 - dx1, y1 + dy1, torque,
                                              -0.15 * M_PI, 0.15 * M_PI);
        agent->add_motor(world->CreateJoint(&knee), SPEED_HIP, -1, 0.0);

        const double a3 = 0.9 * M_PI * i;
        const double dx3 = std::sin(a3) * leg_h / 2.0, dy3 = -std::cos(a3) * leg_h / 2.0;
        const double x3 = x2 - dx2 - dx3, y3 = y2 - dy2 - dy3;
        bd.position.Set((float)x3, (float)y3);
        bd.angle = (float)a3;
        const int index = (int)agent->parts.size();
        b2Body *lower = agent->add_part(world, bd, true, false, l1, l2);
        lower->CreateFixture(&fixtures.lower_fd);
        b2RevoluteJointDef ankle = motor_joint(middle, lower, x2 - dx2, y2 - dy2, torque,
                                               -0.2 * M_PI, 0.2 * M_PI);
        agent->add_motor(world->CreateJoint(&ankle), SPEED_KNEE, index, 0.0);
        bd.angle = 0.0f;
    }
}

/* ------------------------------------------------------------- millipede */

/* walkers/MillipedeBody.py, 4 bodies (the default): square bodies in a row,
 * each with a pair of two-part legs, linked by limited passive joints.
 * The head is the rightmost body; every body gets the spawn push; no
 * contact is critical, whatever reset_on_hull_critical_contact says. */
void build_millipede(Agent *agent, b2World *world, double init_x, double init_y, double force)
{
    const double torque = agent->spec->motors_torque;
    const double leg_down = 3.0 / SCALE, leg_w = 4.0 / SCALE, leg_h = 10.0 / SCALE;
    const double body_width = 20.0; /* px */
    const int bodies = 4;
    const BodyAndLegs fixtures(SPIDER_BODY, 4, 5.0, 1.0, leg_w, leg_h);

    /* init_x is the middle of the whole millipede. */
    init_x = init_x - body_width / SCALE * bodies / 2.0;
    b2Body *previous = nullptr;
    uint8_t c1[3], c2[3];
    for (int j = 0; j < bodies; j++) {
        const double x = init_x + j * (body_width / SCALE);
        rgb(c1, 0.5, 0.4, 0.9);
        rgb(c2, 0.3, 0.3, 0.5);
        b2BodyDef bd;
        bd.position.Set((float)x, (float)init_y);
        agent->head = agent->parts.size();
        b2Body *body = agent->add_part(world, bd, true, false, c1, c2);
        body->CreateFixture(&fixtures.body_fd);
        body->ApplyForceToCenter(b2Vec2((float)force, 0.0f), true);
        for (int i = -1; i <= 1; i += 2) {
            rgb(c1, 0.6 - i / 10.0, 0.3 - i / 10.0, 0.5 - i / 10.0);
            rgb(c2, 0.4 - i / 10.0, 0.2 - i / 10.0, 0.3 - i / 10.0);
            bd.position.Set((float)x, (float)(init_y - leg_h / 2.0 - leg_down));
            b2Body *upper = agent->add_part(world, bd, false, false, c1, c2);
            upper->CreateFixture(&fixtures.upper_fd);
            b2RevoluteJointDef hip =
                motor_joint(body, upper, x, init_y - leg_down, torque, -0.8, 1.1, i);
            agent->add_motor(world->CreateJoint(&hip), SPEED_HIP, -1, 0.0);

            bd.position.Set((float)x, (float)(init_y - leg_h * 3.0 / 2.0 - leg_down));
            const int index = (int)agent->parts.size();
            b2Body *lower = agent->add_part(world, bd, true, false, c1, c2);
            lower->CreateFixture(&fixtures.lower_fd);
            b2RevoluteJointDef knee =
                motor_joint(upper, lower, x, init_y - leg_down - leg_h, torque, -1.6, -0.1);
            agent->add_motor(world->CreateJoint(&knee), SPEED_KNEE, index, 1.0);
        }
        if (previous) {
            b2RevoluteJointDef link;
            anchor_at(&link, previous, body,
                      b2Vec2((float)(x - body_width / SCALE / 2.0), (float)init_y));
            link.enableLimit = true;
            link.lowerAngle = (float)(-0.05 * M_PI);
            link.upperAngle = (float)(0.05 * M_PI);
            world->CreateJoint(&link);
        }
        previous = body;
    }
}

/* ----------------------------------------------------------------- wheel */

/* walkers/WheelBody.py (body_scale 1): a square body with four two-part
 * legs, down, up, left and right, as spokes. */
void build_wheel(Agent *agent, b2World *world, double init_x, double init_y, double force)
{
    const double torque = agent->spec->motors_torque;
    const double leg_w = 4.0 / SCALE, leg_h = 10.0 / SCALE;
    const double half = 20.0 * 1.0 / SCALE / 2.0; /* HULL_BOTTOM_WIDTH * body_scale / 2 */
    const BodyAndLegs fixtures(SPIDER_BODY, 4, 5.0, 1.0, leg_w, leg_h);

    uint8_t c1[3], c2[3], l1[3], l2[3];
    rgb(c1, 0.6 - 0.1, 0.3 - 0.1, 0.5 - 0.1);
    rgb(c2, 0.4 - 0.1, 0.2 - 0.1, 0.3 - 0.1);
    rgb(l1, 0.6 + 0.1, 0.3 + 0.1, 0.5 + 0.1);
    rgb(l2, 0.4 + 0.1, 0.2 + 0.1, 0.3 + 0.1);
    b2BodyDef bd;
    bd.position.Set((float)init_x, (float)init_y);
    b2Body *main_body = agent->add_part(world, bd, true, agent->hull_critical, c1, c2);
    main_body->CreateFixture(&fixtures.body_fd);
    main_body->ApplyForceToCenter(b2Vec2((float)force, 0.0f), true);
    agent->head = 0;

    static const double SPOKES[4][3] = {{0, -1, 0}, {0, 1, 0}, {-1, 0, M_PI / 2}, {1, 0, M_PI / 2}};
    for (const auto &j : SPOKES) {
        const double px = j[0] * half, py = j[1] * half;
        const double x = init_x + j[0] * (leg_h / 2.0) + px;
        const double y = init_y + j[1] * (leg_h / 2.0) + py;
        bd.position.Set((float)x, (float)y);
        bd.angle = (float)j[2];
        b2Body *upper = agent->add_part(world, bd, false, false, l1, l2);
        upper->CreateFixture(&fixtures.upper_fd);
        b2RevoluteJointDef hip =
            motor_joint(main_body, upper, init_x + px, init_y + py, torque, -0.8, 1.1);
        agent->add_motor(world->CreateJoint(&hip), SPEED_HIP, -1, 0.0);

        bd.position.Set((float)(x + j[0] * leg_h), (float)(y + j[1] * leg_h));
        const int index = (int)agent->parts.size();
        b2Body *lower = agent->add_part(world, bd, true, false, l1, l2);
        lower->CreateFixture(&fixtures.lower_fd);
        b2RevoluteJointDef knee = motor_joint(upper, lower, x + j[0] * (leg_h / 2.0),
                                              y + j[1] * (leg_h / 2.0), torque, -1.6, -0.1);
        agent->add_motor(world->CreateJoint(&knee), SPEED_KNEE, index, 1.0);
    }
}

} /* namespace pk */
