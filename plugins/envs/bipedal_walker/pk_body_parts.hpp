/*
 * Helpers the Parkour's body builders share (pk_body_*.cpp): colours,
 * polygons in the originals' pixel units, motorised joints anchored as
 * pybox2d's `anchor=`, and the builders' entry points for the body table
 * (pk_bodies.cpp).
 */
#ifndef PK_BODY_PARTS_HPP
#define PK_BODY_PARTS_HPP

#include <cmath>

#include "pk_env.hpp"

namespace pk {

constexpr double SPEED_HIP = 4.0, SPEED_KNEE = 6.0, SPEED_HAND = 8.0;
/* Walkers' and the fish's fixtures: category 0x20, colliding with
 * categories 0x1-0x8 (terrain, water, creepers), never with each other.
 * The chimpanzees collide with 0x1 only. */
constexpr uint16_t AGENT_CATEGORY = 0x20, AGENT_MASK = 0x000F, CHIMP_MASK = 0x0001;

/* A colour as bytes of the originals' float colour. */
inline void rgb(uint8_t out[3], double r, double g, double b)
{
    out[0] = (uint8_t)std::lround(r * 255.0);
    out[1] = (uint8_t)std::lround(g * 255.0);
    out[2] = (uint8_t)std::lround(b * 255.0);
}

/* `n` vertices given in pixels. */
inline void polygon_px(b2PolygonShape *shape, const double (*pts)[2], int n)
{
    b2Vec2 v[b2_maxPolygonVertices];
    for (int i = 0; i < n; i++)
        v[i].Set((float)(pts[i][0] / SCALE), (float)(pts[i][1] / SCALE));
    shape->Set(v, n);
}

/* A fixture definition for `shape` with the originals' part settings;
 * friction stays at Box2D's default 0.2 unless set. */
inline b2FixtureDef part_fixture(const b2Shape *shape, double density, uint16_t mask)
{
    b2FixtureDef fd;
    fd.shape = shape;
    fd.density = (float)density;
    fd.restitution = 0.0f;
    fd.filter.categoryBits = AGENT_CATEGORY;
    fd.filter.maskBits = mask;
    return fd;
}

/* A motorised, limited revolute joint at world point (x, y), motor speed 1
 * until the first action. */
inline b2RevoluteJointDef motor_joint(b2Body *a, b2Body *b, double x, double y, double torque,
                                      double lower, double upper, double speed = 1.0)
{
    b2RevoluteJointDef jd;
    anchor_at(&jd, a, b, b2Vec2((float)x, (float)y));
    jd.enableMotor = true;
    jd.enableLimit = true;
    jd.maxMotorTorque = (float)torque;
    jd.motorSpeed = (float)speed;
    jd.lowerAngle = (float)lower;
    jd.upperAngle = (float)upper;
    return jd;
}

/* np.interp(x, [-1, 1], [-half, half]), numpy's formula and clamping. */
inline double interp_half(double x, double half)
{
    if (x <= -1.0)
        return -half;
    if (x >= 1.0)
        return half;
    const double slope = (half - -half) / 2.0;
    return slope * (x - -1.0) + -half;
}

/* Builders (x, y: spawn point; force: the horizontal push on the head). */
void build_old_classic_bipedal(Agent *a, b2World *w, double x, double y, double force);
void build_classic_bipedal(Agent *a, b2World *w, double x, double y, double force);
void build_small_bipedal(Agent *a, b2World *w, double x, double y, double force);
void build_big_quadru(Agent *a, b2World *w, double x, double y, double force);
void build_old_big_quadru(Agent *a, b2World *w, double x, double y, double force);
void build_amphibious_bipedal(Agent *a, b2World *w, double x, double y, double force);
void build_spider(Agent *a, b2World *w, double x, double y, double force);
void build_millipede(Agent *a, b2World *w, double x, double y, double force);
void build_wheel(Agent *a, b2World *w, double x, double y, double force);
void build_fish(Agent *a, b2World *w, double x, double y, double force);
void build_profile_chimpanzee(Agent *a, b2World *w, double x, double y, double force);
void build_climbing_profile_chimpanzee(Agent *a, b2World *w, double x, double y, double force);
void build_climbing_chest_profile_chimpanzee(Agent *a, b2World *w, double x, double y,
                                             double force);

} /* namespace pk */

#endif
